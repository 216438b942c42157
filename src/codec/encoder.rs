//! Data tree to AMQP bytes, with proton-c 0.37's choice of encodings.
//!
//! Scalars use their smallest form (uint0, smalluint, smallint, str8, ...); lists, maps and
//! arrays always use the 32-bit forms, except that an empty list is list0. Array elements
//! share the widest constructor of their type.

use super::data::{Data, NodeId, Visitor};
use super::types::{Atom, Scalar, Type};

/// Where encoded bytes go: a growable vector, a fixed buffer, or just a byte count.
pub trait Sink {
    fn put(&mut self, bytes: &[u8]);
    fn len(&self) -> usize;
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// Overwrite 4 bytes written earlier (sizes and counts known only afterwards).
    fn patch(&mut self, at: usize, bytes: [u8; 4]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    fn len(&self) -> usize {
        Vec::len(self)
    }
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        self[at..at + 4].copy_from_slice(&bytes);
    }
}

/// Counts bytes without storing them (`pn_data_encoded_size`).
#[derive(Default)]
pub struct Counter(pub usize);

impl Sink for Counter {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
    fn len(&self) -> usize {
        self.0
    }
    fn patch(&mut self, _: usize, _: [u8; 4]) {}
}

/// Writes into a caller's buffer; remembers if it ran out of room.
pub struct SliceSink<'a> {
    buf: &'a mut [u8],
    len: usize,
    pub overflow: bool,
}

impl<'a> SliceSink<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        SliceSink {
            buf,
            len: 0,
            overflow: false,
        }
    }
}

impl Sink for SliceSink<'_> {
    fn put(&mut self, bytes: &[u8]) {
        if self.overflow || self.len + bytes.len() > self.buf.len() {
            self.overflow = true;
            return;
        }
        self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
        self.len += bytes.len();
    }
    fn len(&self) -> usize {
        self.len
    }
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        if !self.overflow {
            self.buf[at..at + 4].copy_from_slice(&bytes);
        }
    }
}

/// The constructor an array uses for all elements of `elem` type.
pub fn array_constructor(elem: Option<Type>) -> u8 {
    use Type::*;
    match elem {
        Some(Null) => 0x40,
        Some(Bool) => 0x56,
        Some(Ubyte) => 0x50,
        Some(Byte) => 0x51,
        Some(Ushort) => 0x60,
        Some(Short) => 0x61,
        Some(Uint) => 0x70,
        Some(Int) => 0x71,
        Some(Char) => 0x73,
        Some(Ulong) => 0x80,
        Some(Long) => 0x81,
        Some(Timestamp) => 0x83,
        Some(Float) => 0x72,
        Some(Double) => 0x82,
        Some(Decimal32) => 0x74,
        Some(Decimal64) => 0x84,
        Some(Decimal128) => 0x94,
        Some(Uuid) => 0x98,
        Some(Binary) => 0xb0,
        Some(String) => 0xb1,
        Some(Symbol) => 0xb3,
        Some(Described) => 0x00,
        Some(Array) => 0xf0,
        Some(List) => 0xd0,
        Some(Map) => 0xd1,
        None => 0x40,
    }
}

/// The constructor a scalar uses on its own (smallest form).
pub fn scalar_constructor(value: &Scalar<'_>) -> u8 {
    match *value {
        Scalar::Null => 0x40,
        Scalar::Bool(true) => 0x41,
        Scalar::Bool(false) => 0x42,
        Scalar::Ubyte(_) => 0x50,
        Scalar::Byte(_) => 0x51,
        Scalar::Ushort(_) => 0x60,
        Scalar::Short(_) => 0x61,
        Scalar::Uint(0) => 0x43,
        Scalar::Uint(v) if v < 256 => 0x52,
        Scalar::Uint(_) => 0x70,
        Scalar::Int(v) if (-128..=127).contains(&v) => 0x54,
        Scalar::Int(_) => 0x71,
        Scalar::Char(_) => 0x73,
        Scalar::Ulong(0) => 0x44,
        Scalar::Ulong(v) if v < 256 => 0x53,
        Scalar::Ulong(_) => 0x80,
        Scalar::Long(v) if (-128..=127).contains(&v) => 0x55,
        Scalar::Long(_) => 0x81,
        Scalar::Timestamp(_) => 0x83,
        Scalar::Float(_) => 0x72,
        Scalar::Double(_) => 0x82,
        Scalar::Decimal32(_) => 0x74,
        Scalar::Decimal64(_) => 0x84,
        Scalar::Decimal128(_) => 0x94,
        Scalar::Uuid(_) => 0x98,
        Scalar::Binary(b) => variable_constructor(0xa0, b),
        Scalar::String(b) => variable_constructor(0xa1, b),
        Scalar::Symbol(b) => variable_constructor(0xa3, b),
    }
}

fn variable_constructor(small: u8, bytes: &[u8]) -> u8 {
    if bytes.len() < 256 {
        small
    } else {
        small + 0x10
    }
}

/// Write the bytes that follow constructor `ctor` for `value`.
pub fn write_payload(out: &mut impl Sink, ctor: u8, value: &Scalar<'_>) {
    match *value {
        Scalar::Null => {}
        Scalar::Bool(v) => {
            if ctor == 0x56 {
                out.put(&[v as u8])
            }
        }
        Scalar::Ubyte(v) => out.put(&[v]),
        Scalar::Byte(v) => out.put(&[v as u8]),
        Scalar::Ushort(v) => out.put(&v.to_be_bytes()),
        Scalar::Short(v) => out.put(&v.to_be_bytes()),
        Scalar::Uint(v) | Scalar::Char(v) | Scalar::Decimal32(v) => match ctor {
            0x43 => {}
            0x52 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Scalar::Int(v) => match ctor {
            0x54 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Scalar::Ulong(v) | Scalar::Decimal64(v) => match ctor {
            0x44 => {}
            0x53 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Scalar::Long(v) | Scalar::Timestamp(v) => match ctor {
            0x55 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Scalar::Float(v) => out.put(&v.to_bits().to_be_bytes()),
        Scalar::Double(v) => out.put(&v.to_bits().to_be_bytes()),
        Scalar::Decimal128(v) | Scalar::Uuid(v) => out.put(&v),
        Scalar::Binary(b) | Scalar::String(b) | Scalar::Symbol(b) => {
            if ctor & 0xf0 == 0xa0 {
                out.put(&[b.len() as u8]);
            } else {
                out.put(&(b.len() as u32).to_be_bytes());
            }
            out.put(b);
        }
    }
}

/// Write one scalar with its own (smallest) constructor.
pub fn write_scalar(out: &mut impl Sink, value: &Scalar<'_>) {
    let ctor = scalar_constructor(value);
    out.put(&[ctor]);
    write_payload(out, ctor, value);
}

/// Encode every top-level value of `data` into `out`.
pub fn encode(data: &Data, out: &mut impl Sink) {
    let mut encoder = Encoder {
        out,
        open: Vec::new(),
    };
    let _ = data.walk(&mut encoder);
}

/// Bytes `encode` would write.
pub fn encoded_size(data: &Data) -> usize {
    let mut counter = Counter::default();
    encode(data, &mut counter);
    counter.0
}

/// Per open compound node: where its size field is, and the constructor its
/// children share if it is an array (after the descriptor, if any).
struct Open {
    size_at: Option<usize>,
    elem_ctor: Option<u8>,
    /// Children still to be written with their own constructor (an array's descriptor).
    own_ctor_children: u32,
}

struct Encoder<'a, S: Sink> {
    out: &'a mut S,
    open: Vec<Open>,
}

impl<S: Sink> Encoder<'_, S> {
    /// The shared constructor this node must use, if it is an array element.
    fn element_ctor(&mut self) -> Option<u8> {
        let parent = self.open.last_mut()?;
        if parent.own_ctor_children > 0 {
            parent.own_ctor_children -= 1;
            return None;
        }
        parent.elem_ctor
    }

    fn begin_compound(
        &mut self,
        ctor: Option<u8>,
        own: u8,
        count: u32,
        elem_ctor: Option<u8>,
        own_ctor_children: u32,
    ) {
        if ctor.is_none() {
            self.out.put(&[own]);
        }
        let size_at = self.out.len();
        self.out.put(&[0, 0, 0, 0]);
        self.out.put(&count.to_be_bytes());
        self.open.push(Open {
            size_at: Some(size_at),
            elem_ctor,
            own_ctor_children,
        });
    }
}

impl<S: Sink> Visitor for Encoder<'_, S> {
    type Error = ();

    fn enter(&mut self, data: &Data, id: NodeId) -> Result<(), ()> {
        let node = data.node(id);
        let ctor = self.element_ctor();
        match node.atom {
            Atom::Described => {
                self.out.put(&[0x00]);
                self.open.push(Open {
                    size_at: None,
                    elem_ctor: None,
                    own_ctor_children: 0,
                });
            }
            Atom::List if node.children == 0 && ctor.is_none() => {
                self.out.put(&[0x45]);
                self.open.push(Open {
                    size_at: None,
                    elem_ctor: None,
                    own_ctor_children: 0,
                });
            }
            Atom::List => self.begin_compound(ctor, 0xd0, node.children, None, 0),
            Atom::Map => self.begin_compound(ctor, 0xd1, node.children, None, 0),
            Atom::Array { described, elem } => {
                let count = node.children - (described && node.children > 0) as u32;
                let elem_ctor = array_constructor(elem);
                self.begin_compound(ctor, 0xf0, count, Some(elem_ctor), described as u32);
                if described {
                    self.out.put(&[0x00]);
                    if node.children == 0 {
                        // A described array with no descriptor yet: proton writes a null one.
                        self.out.put(&[0x40]);
                    }
                }
                // The element constructor follows the descriptor; written in `exit` of the
                // descriptor when there is one, here otherwise.
                if !described || node.children == 0 {
                    self.out.put(&[elem_ctor]);
                }
            }
            _ => {
                let value = data.scalar_of(&node.atom).expect("scalar atom");
                match ctor {
                    Some(c) => write_payload(self.out, c, &value),
                    None => write_scalar(self.out, &value),
                }
            }
        }
        Ok(())
    }

    fn exit(&mut self, data: &Data, id: NodeId) -> Result<(), ()> {
        let node = data.node(id);
        if node.atom.type_of().is_compound() {
            let open = self.open.pop().expect("balanced walk");
            if let Some(at) = open.size_at {
                let size = (self.out.len() - at - 4) as u32;
                self.out.patch(at, size.to_be_bytes());
            }
        }
        // After a described array's descriptor comes the element constructor.
        if node.parent != 0 {
            if let Atom::Array {
                described: true,
                elem,
            } = data.node(node.parent).atom
            {
                if data.node(node.parent).down == id {
                    self.out.put(&[array_constructor(elem)]);
                }
            }
        }
        Ok(())
    }
}

/// Write a described value's `0x00` and a small ulong descriptor `code`.
pub fn write_descriptor(out: &mut Vec<u8>, code: u64) {
    out.push(0x00);
    write_scalar(out, &Scalar::Ulong(code));
}

/// Writes a described list of fields (message sections, performatives): list8 when it
/// fits, list32 otherwise, with trailing null fields left out, as proton-c 0.37 does.
pub struct FieldList {
    /// Where the list's constructor goes.
    start: usize,
    /// Fields written so far, and the output length after the last non-null one.
    count: u32,
    last_present_count: u32,
    last_present_end: usize,
}

impl FieldList {
    /// Start a described list: the descriptor `code`, then a list header to fill in.
    pub fn begin(out: &mut Vec<u8>, code: u64) -> FieldList {
        write_descriptor(out, code);
        let start = out.len();
        // Room for a list8 header (constructor, size, count); widened later if needed.
        out.extend_from_slice(&[0xc0, 0, 0]);
        FieldList {
            start,
            count: 0,
            last_present_count: 0,
            last_present_end: start + 3,
        }
    }

    /// Write the next field; `None` is a null (dropped if nothing non-null follows).
    pub fn field(&mut self, out: &mut Vec<u8>, value: Option<Scalar<'_>>) {
        self.count += 1;
        match value {
            Some(v) => {
                write_scalar(out, &v);
                self.last_present_count = self.count;
                self.last_present_end = out.len();
            }
            None => out.push(0x40),
        }
    }

    /// Write the next field with `write` (a nested described value, raw bytes, ...).
    pub fn field_with(&mut self, out: &mut Vec<u8>, write: impl FnOnce(&mut Vec<u8>)) {
        self.count += 1;
        write(out);
        self.last_present_count = self.count;
        self.last_present_end = out.len();
    }

    /// Drop trailing nulls and settle the list's size, count and width.
    pub fn finish(self, out: &mut Vec<u8>) {
        out.truncate(self.last_present_end);
        let count = self.last_present_count;
        let fields = out.len() - (self.start + 3);
        if count == 0 {
            out.truncate(self.start);
            out.push(0x45);
        } else if fields + 1 <= 255 {
            out[self.start + 1] = (fields + 1) as u8;
            out[self.start + 2] = count as u8;
        } else {
            let mut header = [0u8; 9];
            header[0] = 0xd0;
            header[1..5].copy_from_slice(&((fields + 4) as u32).to_be_bytes());
            header[5..9].copy_from_slice(&count.to_be_bytes());
            out.splice(self.start..self.start + 3, header);
        }
    }
}
