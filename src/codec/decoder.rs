//! AMQP bytes to a data tree (`pn_data_decode`), hardened against hostile input.
//!
//! One call decodes one value and writes it after the data's cursor, as proton does; on
//! error the nodes decoded so far stay in the tree (proton leaves them too). Limits: the
//! tree's node cap (65535, as in proton) bounds memory, nesting is bounded by
//! [`MAX_DEPTH`], and no size or count read from the input is trusted for allocation.
//!
//! Each constructor is dispatched once, straight to the node it becomes: the value goes
//! after the cursor, its children are appended under it without moving the cursor (it
//! ends on the value, as after proton's enter/exit). The walk is iterative (open
//! compounds on an explicit stack) and performs the checks of a recursive descent in the
//! same order, which proton's error codes depend on. Failures travel as a one-byte
//! `Fail` and become an [`Error`] only at the public entry points.

use super::data::{Data, NodeId};
use super::types::{Atom, Scalar, Type};
use crate::error::{code, Error, Result};

/// The deepest nesting of compound values accepted.
pub const MAX_DEPTH: usize = 256;

const UNDERFLOW_TEXT: &str = "not enough data to decode";

/// Why decoding stopped (cheap to pass around; see `From<Fail> for Error`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fail {
    /// The input ends inside a value.
    Underflow,
    /// An unknown constructor, or a size too small for its count (`PN_ARG_ERR`).
    Invalid,
    /// Nesting deeper than [`MAX_DEPTH`].
    TooDeep,
    /// The tree already holds its maximum number of nodes.
    Full,
}

impl From<Fail> for Error {
    #[cold]
    fn from(fail: Fail) -> Error {
        match fail {
            Fail::Underflow => Error::new(code::UNDERFLOW, UNDERFLOW_TEXT),
            Fail::Invalid => Error::bare(code::ARG_ERR),
            Fail::TooDeep => Error::new(code::ERR, "data nested too deeply"),
            Fail::Full => Error::bare(code::OUT_OF_MEMORY),
        }
    }
}

type Step<T = ()> = std::result::Result<T, Fail>;

/// Decode one value from `input` into `data` after its cursor; returns bytes consumed.
pub fn decode(data: &mut Data, input: &[u8]) -> Result<usize> {
    let mut reader = Reader::new(input);
    match reader.value(data) {
        Ok(_) => Ok(reader.pos),
        Err(fail) => {
            let e = Error::from(fail);
            // Proton records only underflow in the data's error; other codes are just returned.
            if e.code == code::UNDERFLOW {
                data.error_mut().record(&e);
            }
            Err(e)
        }
    }
}

/// The type a constructor byte stands for, if it is a known one.
pub fn constructor_type(ctor: u8) -> Option<Type> {
    use Type::*;
    Some(match ctor {
        0x40 => Null,
        0x41 | 0x42 | 0x56 => Bool,
        0x50 => Ubyte,
        0x51 => Byte,
        0x60 => Ushort,
        0x61 => Short,
        0x43 | 0x52 | 0x70 => Uint,
        0x54 | 0x71 => Int,
        0x73 => Char,
        0x44 | 0x53 | 0x80 => Ulong,
        0x55 | 0x81 => Long,
        0x83 => Timestamp,
        0x72 => Float,
        0x82 => Double,
        0x74 => Decimal32,
        0x84 => Decimal64,
        0x94 => Decimal128,
        0x98 => Uuid,
        0xa0 | 0xb0 => Binary,
        0xa1 | 0xb1 => String,
        0xa3 | 0xb3 => Symbol,
        0x00 => Described,
        0xe0 | 0xf0 => Array,
        0x45 | 0xc0 | 0xd0 => List,
        0xc1 | 0xd1 => Map,
        _ => return None,
    })
}

/// Reads AMQP values from a byte slice, one at a time.
pub struct Reader<'a> {
    input: &'a [u8],
    pos: usize,
}

/// A value read by [`Reader::field`]: a scalar, or the fact that a compound value was skipped.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Field<'a> {
    Scalar(Scalar<'a>),
    Compound,
}

/// The descriptor of a described value: AMQP's numeric code or a symbolic name.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Descriptor<'a> {
    Code(u64),
    Name(&'a [u8]),
    Other,
}

impl<'a> Reader<'a> {
    pub fn new(input: &'a [u8]) -> Self {
        Reader { input, pos: 0 }
    }

    /// Bytes consumed so far.
    pub fn position(&self) -> usize {
        self.pos
    }

    pub fn at_end(&self) -> bool {
        self.pos == self.input.len()
    }

    /// Decode the next value into `data` after its cursor.
    pub fn decode_into(&mut self, data: &mut Data) -> Result<()> {
        self.value(data)?;
        Ok(())
    }

    /// Read the `0x00` and descriptor that open a described value.
    #[inline]
    pub fn descriptor(&mut self) -> Result<Descriptor<'a>> {
        if self.u8()? != 0x00 {
            return Err(Error::new(code::ARG_ERR, "expected a described value"));
        }
        Ok(match self.field_at(1)? {
            Field::Scalar(Scalar::Ulong(c)) => Descriptor::Code(c),
            Field::Scalar(Scalar::Symbol(n)) => Descriptor::Name(n),
            _ => Descriptor::Other,
        })
    }

    /// Read a list header (list0, list8, list32, or a null standing for an empty list)
    /// and return its element count.
    pub fn list_header(&mut self) -> Result<u32> {
        match self.u8()? {
            0x40 | 0x45 => Ok(0),
            0xc0 => Ok(self.sized_header(false)?),
            0xd0 => Ok(self.sized_header(true)?),
            _ => Err(Error::new(code::ARG_ERR, "expected a list")),
        }
    }

    /// Read one value: scalars are returned, compound values are skipped.
    #[inline(always)]
    pub fn field(&mut self) -> Result<Field<'a>> {
        Ok(self.field_at(0)?)
    }

    /// Skip one value and return its encoded bytes (constructor included).
    pub fn raw_value(&mut self) -> Result<&'a [u8]> {
        let start = self.pos;
        self.field_at(0)?;
        Ok(&self.input[start..self.pos])
    }

    /// The next byte, without consuming it.
    pub fn peek(&self) -> Option<u8> {
        self.input.get(self.pos).copied()
    }

    /// The bytes not read yet, without consuming them.
    pub fn remaining_bytes(&self) -> &'a [u8] {
        &self.input[self.pos..]
    }

    /// The bytes not read yet, consuming them.
    pub fn rest(&mut self) -> &'a [u8] {
        let rest = &self.input[self.pos..];
        self.pos = self.input.len();
        rest
    }

    /// One value at nesting `depth`: a scalar is returned (decoded inline, so the caller
    /// gets it in registers), a compound is skipped.
    #[inline(always)]
    fn field_at(&mut self, depth: usize) -> Step<Field<'a>> {
        if depth >= MAX_DEPTH {
            return Err(Fail::TooDeep);
        }
        let ctor = self.u8()?;
        match ctor {
            0x00 | 0x45 | 0xc0 | 0xc1 | 0xe0 | 0xd0 | 0xd1 | 0xf0 => {
                self.skip_compound(ctor, depth)?;
                Ok(Field::Compound)
            }
            _ => self.scalar(ctor).map(Field::Scalar),
        }
    }

    /// Skip the rest of a compound value whose constructor `ctor` has been read.
    #[inline(never)]
    fn skip_compound(&mut self, ctor: u8, depth: usize) -> Step {
        match ctor {
            0x00 => self.skip_described(depth)?,
            0x45 => {}
            0xc0 | 0xc1 | 0xe0 => {
                let size = self.u8()? as usize;
                self.take(size)?;
            }
            _ => {
                let size = u32::from_be_bytes(self.array()?) as usize;
                self.take(size)?;
            }
        }
        Ok(())
    }

    /// Skip a described value (its `0x00` read) without recursion: descriptors and
    /// values may themselves be described, so keep, per open described value, how many
    /// of its two parts are still to skip. Recursing here would cost a stack frame per
    /// `0x00` byte of hostile input.
    fn skip_described(&mut self, depth: usize) -> Step {
        // Per open described value, innermost last, whether its value is still to come
        // after the part being read: one bit each (nesting stops at MAX_DEPTH).
        let mut value_owed = [0u64; MAX_DEPTH / 64];
        let mut open = 1usize;
        value_owed[0] = 1;
        loop {
            let ctor = self.u8()?;
            match ctor {
                0x00 => {
                    if depth + open + 1 >= MAX_DEPTH {
                        return Err(Fail::TooDeep);
                    }
                    // Its descriptor comes next, then its value.
                    value_owed[open / 64] |= 1 << (open % 64);
                    open += 1;
                    continue;
                }
                0x45 => {}
                0xc0 | 0xc1 | 0xe0 => {
                    let size = self.u8()? as usize;
                    self.take(size)?;
                }
                0xd0 | 0xd1 | 0xf0 => {
                    let size = u32::from_be_bytes(self.array()?) as usize;
                    self.take(size)?;
                }
                _ => {
                    self.scalar(ctor)?;
                }
            }
            // A part is done: close the described values it completes.
            loop {
                let level = open - 1;
                let bit = 1 << (level % 64);
                if value_owed[level / 64] & bit != 0 {
                    value_owed[level / 64] &= !bit;
                    break;
                }
                open = level;
                if open == 0 {
                    return Ok(());
                }
            }
        }
    }

    #[inline(always)]
    fn take(&mut self, n: usize) -> Step<&'a [u8]> {
        match self.input.get(self.pos..).and_then(|rest| rest.get(..n)) {
            Some(bytes) => {
                self.pos += n;
                Ok(bytes)
            }
            None => Err(Fail::Underflow),
        }
    }

    #[inline(always)]
    fn u8(&mut self) -> Step<u8> {
        match self.input.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                Ok(b)
            }
            None => Err(Fail::Underflow),
        }
    }

    #[inline(always)]
    fn array<const N: usize>(&mut self) -> Step<[u8; N]> {
        Ok(self.take(N)?.try_into().expect("length checked"))
    }

    fn remaining(&self) -> usize {
        self.input.len() - self.pos
    }

    /// Decode one value into `data` after its cursor; its children are appended under
    /// it. Iterative, with the open compounds on an explicit stack, so that the reading
    /// position and the current compound stay in registers; the checks and their order
    /// are those of a recursive descent (which proton's error codes depend on).
    fn value(&mut self, data: &mut Data) -> Step<NodeId> {
        // A local copy of the reader: its position lives in a register.
        let mut r = Reader {
            input: self.input,
            pos: self.pos,
        };
        // The innermost open compound (at first the top level, node 0) and the ones it is
        // nested in; the value being read goes after `top.prev` under `top.node`.
        let mut top = Frame::new(0, 1, Kind::Own);
        let mut outer = Stack::new();
        let result = r.value_tree(data, &mut top, &mut outer);
        if result.is_err() {
            // The compounds left open keep the children they got.
            outer.push(top);
            settle(data, &outer);
        }
        self.pos = r.pos;
        result
    }

    #[inline(always)]
    fn value_tree(&mut self, data: &mut Data, top: &mut Frame, outer: &mut Stack) -> Step<NodeId> {
        loop {
            let ctor = match top.kind {
                Kind::Elements(ctor) => ctor,
                Kind::Described if top.prev == 0 && self.peek() == Some(0x00) => {
                    // A descriptor may not itself be described (proton rejects it too).
                    return Err(Fail::Invalid);
                }
                _ => self.u8()?,
            };
            if outer.len() >= MAX_DEPTH {
                return Err(Fail::TooDeep);
            }
            let mut id = match ctor {
                0x00 => {
                    let id = put(data, top, Atom::Described)?;
                    outer.push(std::mem::replace(top, Frame::new(id, 2, Kind::Described)));
                    continue;
                }
                0xc0 | 0xc1 | 0xd0 | 0xd1 => {
                    let count = self.sized_header(ctor & 0xf0 == 0xd0)?;
                    let atom = if ctor & 0x0f == 0 {
                        Atom::List
                    } else {
                        Atom::Map
                    };
                    let id = put(data, top, atom)?;
                    if count > 0 {
                        outer.push(std::mem::replace(top, Frame::new(id, count, Kind::Own)));
                        continue;
                    }
                    id
                }
                0xe0 | 0xf0 => {
                    let count = self.sized_header(ctor == 0xf0)?;
                    let elem_ctor = self.u8()?;
                    let described = elem_ctor == 0x00;
                    let id = put(
                        data,
                        top,
                        Atom::Array {
                            described,
                            elem: None,
                        },
                    )?;
                    if described {
                        // The descriptor, then the element constructor and the elements.
                        let frame = Frame::new(id, count, Kind::ArrayDescriptor);
                        outer.push(std::mem::replace(top, frame));
                        continue;
                    }
                    let elem = element_type(elem_ctor)?;
                    if count > 0 {
                        let frame = Frame::new(id, count, Kind::Elements(elem_ctor));
                        outer.push(std::mem::replace(top, frame));
                        continue;
                    }
                    data.set_array_elem(id, Some(elem));
                    id
                }
                _ => self.scalar_node(ctor, data, top)?,
            };
            // `id` is complete: the next child of `top`, which may be complete in turn.
            loop {
                if top.node == 0 {
                    return Ok(id);
                }
                top.prev = id;
                if let Kind::ArrayDescriptor = top.kind {
                    let elem_ctor = self.u8()?;
                    element_type(elem_ctor)?;
                    top.kind = Kind::Elements(elem_ctor);
                } else {
                    top.left -= 1;
                }
                if top.left > 0 {
                    break;
                }
                data.set_children(top.node, top.added);
                if let Kind::Elements(elem_ctor) = top.kind {
                    // Proton names the element type only once the whole array has decoded.
                    data.set_array_elem(top.node, constructor_type(elem_ctor));
                }
                id = top.node;
                *top = outer.pop();
            }
        }
    }

    /// A scalar (or list0) whose constructor `ctor` has been read, put under `top`.
    #[inline(always)]
    fn scalar_node(&mut self, ctor: u8, data: &mut Data, top: &mut Frame) -> Step<NodeId> {
        // Payload first, then the node: a short input adds nothing.
        match ctor {
            0x40 => put(data, top, Atom::Null),
            0x41 => put(data, top, Atom::Bool(true)),
            0x42 => put(data, top, Atom::Bool(false)),
            0x56 => put(data, top, Atom::Bool(self.u8()? != 0)),
            0x50 => put(data, top, Atom::Ubyte(self.u8()?)),
            0x51 => put(data, top, Atom::Byte(self.u8()? as i8)),
            0x60 => put(data, top, Atom::Ushort(u16::from_be_bytes(self.array()?))),
            0x61 => put(data, top, Atom::Short(i16::from_be_bytes(self.array()?))),
            0x43 => put(data, top, Atom::Uint(0)),
            0x52 => put(data, top, Atom::Uint(self.u8()? as u32)),
            0x70 => put(data, top, Atom::Uint(u32::from_be_bytes(self.array()?))),
            0x54 => put(data, top, Atom::Int(self.u8()? as i8 as i32)),
            0x71 => put(data, top, Atom::Int(i32::from_be_bytes(self.array()?))),
            0x73 => put(data, top, Atom::Char(u32::from_be_bytes(self.array()?))),
            0x44 => put(data, top, Atom::Ulong(0)),
            0x53 => put(data, top, Atom::Ulong(self.u8()? as u64)),
            0x80 => put(data, top, Atom::Ulong(u64::from_be_bytes(self.array()?))),
            0x55 => put(data, top, Atom::Long(self.u8()? as i8 as i64)),
            0x81 => put(data, top, Atom::Long(i64::from_be_bytes(self.array()?))),
            0x83 => put(
                data,
                top,
                Atom::Timestamp(i64::from_be_bytes(self.array()?)),
            ),
            0x72 => {
                let bits = u32::from_be_bytes(self.array()?);
                put(data, top, Atom::Float(f32::from_bits(bits)))
            }
            0x82 => {
                let bits = u64::from_be_bytes(self.array()?);
                put(data, top, Atom::Double(f64::from_bits(bits)))
            }
            0x74 => put(
                data,
                top,
                Atom::Decimal32(u32::from_be_bytes(self.array()?)),
            ),
            0x84 => put(
                data,
                top,
                Atom::Decimal64(u64::from_be_bytes(self.array()?)),
            ),
            0x94 => put(data, top, Atom::Decimal128(self.array()?)),
            0x98 => put(data, top, Atom::Uuid(self.array()?)),
            0xa0 | 0xa1 | 0xa3 => {
                let len = self.u8()? as usize;
                put_variable(ctor, data, top, self.take(len)?)
            }
            0xb0 | 0xb1 | 0xb3 => {
                let len = u32::from_be_bytes(self.array()?) as usize;
                put_variable(ctor, data, top, self.take(len)?)
            }
            0x45 => put(data, top, Atom::List),
            _ => Err(Fail::Invalid),
        }
    }

    #[inline]
    /// Read a compound's size and count. The size must fit the input (else underflow) and
    /// cover the count field (else invalid), checked in proton's order.
    fn sized_header(&mut self, wide: bool) -> Step<u32> {
        let (size, count_width) = if wide {
            (u32::from_be_bytes(self.array()?) as usize, 4)
        } else {
            (self.u8()? as usize, 1)
        };
        if size > self.remaining() {
            return Err(Fail::Underflow);
        }
        let count = if wide {
            u32::from_be_bytes(self.array()?)
        } else {
            self.u8()? as u32
        };
        if size < count_width {
            return Err(Fail::Invalid);
        }
        Ok(count)
    }

    #[inline(always)]
    fn scalar(&mut self, ctor: u8) -> Step<Scalar<'a>> {
        Ok(match ctor {
            0x40 => Scalar::Null,
            0x41 => Scalar::Bool(true),
            0x42 => Scalar::Bool(false),
            0x56 => Scalar::Bool(self.u8()? != 0),
            0x50 => Scalar::Ubyte(self.u8()?),
            0x51 => Scalar::Byte(self.u8()? as i8),
            0x60 => Scalar::Ushort(u16::from_be_bytes(self.array()?)),
            0x61 => Scalar::Short(i16::from_be_bytes(self.array()?)),
            0x43 => Scalar::Uint(0),
            0x52 => Scalar::Uint(self.u8()? as u32),
            0x70 => Scalar::Uint(u32::from_be_bytes(self.array()?)),
            0x54 => Scalar::Int(self.u8()? as i8 as i32),
            0x71 => Scalar::Int(i32::from_be_bytes(self.array()?)),
            0x73 => Scalar::Char(u32::from_be_bytes(self.array()?)),
            0x44 => Scalar::Ulong(0),
            0x53 => Scalar::Ulong(self.u8()? as u64),
            0x80 => Scalar::Ulong(u64::from_be_bytes(self.array()?)),
            0x55 => Scalar::Long(self.u8()? as i8 as i64),
            0x81 => Scalar::Long(i64::from_be_bytes(self.array()?)),
            0x83 => Scalar::Timestamp(i64::from_be_bytes(self.array()?)),
            0x72 => Scalar::Float(f32::from_bits(u32::from_be_bytes(self.array()?))),
            0x82 => Scalar::Double(f64::from_bits(u64::from_be_bytes(self.array()?))),
            0x74 => Scalar::Decimal32(u32::from_be_bytes(self.array()?)),
            0x84 => Scalar::Decimal64(u64::from_be_bytes(self.array()?)),
            0x94 => Scalar::Decimal128(self.array()?),
            0x98 => Scalar::Uuid(self.array()?),
            0xa0 | 0xa1 | 0xa3 => {
                let len = self.u8()? as usize;
                variable(ctor, self.take(len)?)
            }
            0xb0 | 0xb1 | 0xb3 => {
                let len = u32::from_be_bytes(self.array()?) as usize;
                variable(ctor, self.take(len)?)
            }
            _ => return Err(Fail::Invalid),
        })
    }
}

fn variable(ctor: u8, bytes: &[u8]) -> Scalar<'_> {
    match ctor & 0x0f {
        0x00 => Scalar::Binary(bytes),
        0x01 => Scalar::String(bytes),
        _ => Scalar::Symbol(bytes),
    }
}

/// The element type of an array constructor, or `PN_ARG_ERR` (unknown, or described).
#[inline]
fn element_type(ctor: u8) -> Step<Type> {
    match constructor_type(ctor) {
        Some(t) if ctor != 0x00 => Ok(t),
        _ => Err(Fail::Invalid),
    }
}

/// How the children of an open compound are read.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// List or map: each child with its own constructor.
    Own,
    /// Described value: descriptor (not itself described) and value.
    Described,
    /// Described array: its descriptor comes next, then its element constructor.
    ArrayDescriptor,
    /// Array elements, sharing this constructor.
    Elements(u8),
}

/// A compound whose children are being decoded.
#[derive(Clone, Copy)]
struct Frame {
    node: NodeId,
    /// Its last child so far (0: none).
    prev: NodeId,
    /// Its children so far (written to the node once it is complete, or on an error).
    added: u32,
    /// Children still to come (array elements: not counting a pending descriptor).
    left: u32,
    kind: Kind,
}

impl Frame {
    fn new(node: NodeId, left: u32, kind: Kind) -> Frame {
        Frame {
            node,
            prev: 0,
            added: 0,
            left,
            kind,
        }
    }
}

/// Open compounds this deep are tracked without allocating.
const INLINE_FRAMES: usize = 8;

/// Open compounds, innermost last: inline up to [`INLINE_FRAMES`], then spilled.
struct Stack {
    inline: [Frame; INLINE_FRAMES],
    len: usize,
    spilled: Vec<Frame>,
}

impl Stack {
    fn new() -> Stack {
        Stack {
            inline: [Frame::new(0, 0, Kind::Own); INLINE_FRAMES],
            len: 0,
            spilled: Vec::new(),
        }
    }

    #[inline(always)]
    fn len(&self) -> usize {
        self.len
    }

    #[inline(always)]
    fn push(&mut self, frame: Frame) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = frame,
            None => self.spilled.push(frame),
        }
        self.len += 1;
    }

    /// Every frame, outermost first.
    fn frames(&self) -> impl Iterator<Item = &Frame> {
        let inline = &self.inline[..self.len.min(INLINE_FRAMES)];
        inline.iter().chain(self.spilled.iter())
    }

    /// The last frame pushed (the caller never pops more than it pushed).
    #[inline(always)]
    fn pop(&mut self) -> Frame {
        self.len -= 1;
        match self.inline.get(self.len) {
            Some(frame) => *frame,
            None => self.spilled.pop().unwrap_or(Frame::new(0, 0, Kind::Own)),
        }
    }
}

/// Write the child counts of the compounds an error left open.
#[cold]
#[inline(never)]
fn settle(data: &mut Data, open: &Stack) {
    for frame in open.frames() {
        if frame.node != 0 {
            data.set_children(frame.node, frame.added);
        }
    }
}

/// Put `atom` as the next child of `top` (at the top level: after the data's cursor,
/// which moves onto it); returns its node.
#[inline(always)]
fn put(data: &mut Data, top: &mut Frame, atom: Atom) -> Step<NodeId> {
    if top.node == 0 {
        let (id, slot) = data.new_slot().ok_or(Fail::Full)?;
        *slot = atom;
        return Ok(id);
    }
    let id = data.new_child(top.node, top.prev, atom).ok_or(Fail::Full)?;
    top.added += 1;
    Ok(id)
}

/// Put a binary, string or symbol, its bytes copied into `data`.
#[inline(always)]
fn put_variable(ctor: u8, data: &mut Data, top: &mut Frame, bytes: &[u8]) -> Step<NodeId> {
    let span = data.store(bytes);
    put(
        data,
        top,
        match ctor & 0x0f {
            0x00 => Atom::Binary(span),
            0x01 => Atom::String(span),
            _ => Atom::Symbol(span),
        },
    )
}
