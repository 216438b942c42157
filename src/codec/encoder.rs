//! Data tree to AMQP bytes, with proton-c 0.37's choice of encodings.
//!
//! Scalars use their smallest form (uint0, smalluint, smallint, str8, ...); lists, maps and
//! arrays always use the 32-bit forms, except that an empty list is list0. Array elements
//! share the widest constructor of their type.
//!
//! The encoder walks the tree once, without recursion and without allocating unless the
//! nesting is deeper than [`INLINE_DEPTH`]; sizes of compounds are patched in afterwards.
//! Writes are gathered in a stack buffer whose length stays in a register (a sink's own
//! length, behind a pointer, would be reloaded after every byte) and handed to the sink
//! in pieces. Sinks: `Vec<u8>`, [`Counter`], [`SliceSink`] (stops at the first write that
//! does not fit; what it holds then is unspecified) and [`ClipSink`] (keeps the prefix
//! that fits and counts the rest).

use super::data::{Data, Node, NodeId};
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

/// A sink whose bytes can be rewritten, as [`FieldList`] needs (patching and widening
/// a list header).
pub trait Buffer: Sink {
    /// Overwrite one byte written earlier.
    fn set(&mut self, at: usize, byte: u8);
    /// Insert `bytes` at `at`, moving what follows.
    fn insert(&mut self, at: usize, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
    #[inline]
    fn len(&self) -> usize {
        Vec::len(self)
    }
    #[inline]
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        self[at..at + 4].copy_from_slice(&bytes);
    }
}

impl Buffer for Vec<u8> {
    fn set(&mut self, at: usize, byte: u8) {
        self[at] = byte;
    }
    fn insert(&mut self, at: usize, bytes: &[u8]) {
        self.splice(at..at, bytes.iter().copied());
    }
}

/// Counts bytes without storing them (`pn_data_encoded_size`).
#[derive(Default)]
pub struct Counter(pub usize);

impl Sink for Counter {
    #[inline]
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
    #[inline]
    fn len(&self) -> usize {
        self.0
    }
    #[inline]
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
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        match self.buf.get_mut(self.len..self.len + bytes.len()) {
            Some(room) => {
                room.copy_from_slice(bytes);
                self.len += bytes.len();
            }
            None => {
                // Nothing more goes in once something did not fit.
                self.overflow = true;
                self.buf = &mut [];
            }
        }
    }
    #[inline]
    fn len(&self) -> usize {
        self.len
    }
    #[inline]
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        if !self.overflow {
            self.buf[at..at + 4].copy_from_slice(&bytes);
        }
    }
}

/// Writes into a caller's buffer as far as it reaches and counts the rest: the bytes that
/// fit are always the encoding's prefix, and `len() > capacity()` means it did not fit.
pub struct ClipSink<'a> {
    buf: &'a mut [u8],
    len: usize,
}

impl<'a> ClipSink<'a> {
    pub fn new(buf: &'a mut [u8]) -> Self {
        ClipSink { buf, len: 0 }
    }

    pub fn capacity(&self) -> usize {
        self.buf.len()
    }

    /// Whether everything written fits the buffer.
    pub fn fits(&self) -> bool {
        self.len <= self.buf.len()
    }
}

/// Write `bytes` at `at` in `buf`, keeping only what fits.
#[cold]
#[inline(never)]
fn write_clipped(buf: &mut [u8], at: usize, bytes: &[u8]) {
    let end = (at + bytes.len()).min(buf.len());
    if at < end {
        buf[at..end].copy_from_slice(&bytes[..end - at]);
    }
}

impl Sink for ClipSink<'_> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        let at = self.len;
        self.len += bytes.len();
        match self.buf.get_mut(at..at + bytes.len()) {
            Some(room) => room.copy_from_slice(bytes),
            None => write_clipped(self.buf, at, bytes),
        }
    }
    #[inline]
    fn len(&self) -> usize {
        self.len
    }
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        write_clipped(self.buf, at, &bytes);
    }
}

impl Buffer for ClipSink<'_> {
    fn set(&mut self, at: usize, byte: u8) {
        if let Some(b) = self.buf.get_mut(at) {
            *b = byte;
        }
    }
    fn insert(&mut self, at: usize, bytes: &[u8]) {
        let cap = self.buf.len();
        let to = (at + bytes.len()).min(cap);
        let moved_end = self.len.min(cap.saturating_sub(bytes.len()));
        if at < moved_end {
            self.buf.copy_within(at..moved_end, to);
        }
        write_clipped(self.buf, at, bytes);
        self.len += bytes.len();
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
#[inline(always)]
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

/// Write one scalar with its own (smallest) constructor: the same bytes as
/// [`scalar_constructor`] followed by [`write_payload`], in one or two writes.
#[inline(always)]
pub fn write_scalar(out: &mut impl Sink, value: &Scalar<'_>) {
    match *value {
        Scalar::Null => out.put(&[0x40]),
        Scalar::Bool(v) => out.put(&[if v { 0x41 } else { 0x42 }]),
        Scalar::Ubyte(v) => put_pair(out, 0x50, v),
        Scalar::Byte(v) => put_pair(out, 0x51, v as u8),
        Scalar::Ushort(v) => put_fixed(out, 0x60, v.to_be_bytes()),
        Scalar::Short(v) => put_fixed(out, 0x61, v.to_be_bytes()),
        Scalar::Uint(0) => out.put(&[0x43]),
        Scalar::Uint(v) if v < 256 => put_pair(out, 0x52, v as u8),
        Scalar::Uint(v) => put_fixed(out, 0x70, v.to_be_bytes()),
        Scalar::Int(v) if (-128..=127).contains(&v) => put_pair(out, 0x54, v as u8),
        Scalar::Int(v) => put_fixed(out, 0x71, v.to_be_bytes()),
        Scalar::Char(v) => put_fixed(out, 0x73, v.to_be_bytes()),
        Scalar::Ulong(0) => out.put(&[0x44]),
        Scalar::Ulong(v) if v < 256 => put_pair(out, 0x53, v as u8),
        Scalar::Ulong(v) => put_fixed(out, 0x80, v.to_be_bytes()),
        Scalar::Long(v) if (-128..=127).contains(&v) => put_pair(out, 0x55, v as u8),
        Scalar::Long(v) => put_fixed(out, 0x81, v.to_be_bytes()),
        Scalar::Timestamp(v) => put_fixed(out, 0x83, v.to_be_bytes()),
        Scalar::Float(v) => put_fixed(out, 0x72, v.to_bits().to_be_bytes()),
        Scalar::Double(v) => put_fixed(out, 0x82, v.to_bits().to_be_bytes()),
        Scalar::Decimal32(v) => put_fixed(out, 0x74, v.to_be_bytes()),
        Scalar::Decimal64(v) => put_fixed(out, 0x84, v.to_be_bytes()),
        Scalar::Decimal128(v) => put_fixed(out, 0x94, v),
        Scalar::Uuid(v) => put_fixed(out, 0x98, v),
        Scalar::Binary(b) => put_variable(out, 0xa0, b),
        Scalar::String(b) => put_variable(out, 0xa1, b),
        Scalar::Symbol(b) => put_variable(out, 0xa3, b),
    }
}

// Multi-byte writes are built as integers, not as byte arrays: a small array stored byte
// by byte and then copied as a whole stalls the CPU (failed store forwarding).

/// Two bytes in one write.
#[inline(always)]
fn put_pair(out: &mut impl Sink, first: u8, second: u8) {
    out.put(&(first as u16 | (second as u16) << 8).to_le_bytes());
}

/// A constructor and its fixed-width payload.
#[inline(always)]
fn put_fixed<const N: usize>(out: &mut impl Sink, ctor: u8, payload: [u8; N]) {
    out.put(&[ctor]);
    out.put(&payload);
}

/// A binary, string or symbol with its smallest constructor (`small`: the 8-bit form).
#[inline(always)]
fn put_variable(out: &mut impl Sink, small: u8, bytes: &[u8]) {
    match u8::try_from(bytes.len()) {
        Ok(len) => put_pair(out, small, len),
        Err(_) => put_fixed(out, small + 0x10, (bytes.len() as u32).to_be_bytes()),
    }
    out.put(bytes);
}

/// Encode every top-level value of `data` into `out`.
pub fn encode(data: &Data, out: &mut impl Sink) {
    let mut stage = Stage::new();
    let mut staged = Staged::new(out, &mut stage);
    encode_staged(data, &mut staged);
    staged.flush();
}

/// [`encode`] through a caller's [`Staged`] sink (for encoding several values in a row).
#[inline(always)]
pub(crate) fn encode_staged<S: Sink>(data: &Data, out: &mut Staged<'_, S>) {
    // The stack lives apart from the encoder's state, which then stays in registers.
    let mut outer = Stack::new();
    Encoder {
        out,
        top: Open::PLAIN,
        outer: &mut outer,
    }
    .run(data);
}

/// Bytes `encode` would write.
pub fn encoded_size(data: &Data) -> usize {
    let mut counter = Counter::default();
    encode(data, &mut counter);
    counter.0
}

/// Open compound nodes this deep are tracked without allocating.
pub const INLINE_DEPTH: usize = 8;

/// Per open compound node: where its size field is, and how its children are written.
/// (Plain integers, tested with one load per node: it is read for every child.)
#[derive(Clone, Copy)]
struct Open {
    /// Where the 4-byte size goes (lists, maps and arrays), or [`Open::NO_SIZE`]
    /// (described values, list0).
    size_at: usize,
    /// The compound node (0 for the top level).
    node: NodeId,
    /// 0 for a compound whose children write their own constructors; for an array, its
    /// element constructor with [`Open::SHARED`], and [`Open::DESCRIPTOR_PENDING`] while
    /// a described array's descriptor (which has its own constructor) is still to come,
    /// then [`Open::DESCRIPTOR_OPEN`] until it (a direct child of `node`) is done and the
    /// element constructor is written.
    mode: u32,
}

impl Open {
    const NO_SIZE: usize = usize::MAX;
    const SHARED: u32 = 0x100;
    const DESCRIPTOR_PENDING: u32 = 0x200;
    const DESCRIPTOR_OPEN: u32 = 0x400;

    const PLAIN: Open = Open {
        size_at: Open::NO_SIZE,
        node: 0,
        mode: 0,
    };
}

/// A stack of [`Open`] that lives inline up to [`INLINE_DEPTH`] entries.
struct Stack {
    inline: [Open; INLINE_DEPTH],
    len: usize,
    spilled: Vec<Open>,
}

impl Stack {
    fn new() -> Stack {
        Stack {
            inline: [Open::PLAIN; INLINE_DEPTH],
            len: 0,
            spilled: Vec::new(),
        }
    }

    #[inline(always)]
    fn push(&mut self, open: Open) {
        match self.inline.get_mut(self.len) {
            Some(slot) => *slot = open,
            None => self.spilled.push(open),
        }
        self.len += 1;
    }

    /// The last entry pushed (callers never pop more than they pushed).
    #[inline(always)]
    fn pop(&mut self) -> Open {
        self.len -= 1;
        match self.inline.get(self.len) {
            Some(open) => *open,
            None => self.spilled.pop().unwrap_or(Open::PLAIN),
        }
    }
}

/// Up to this many bytes are gathered before they go to the sink.
const STAGE: usize = 256;

/// Gathers small writes in a local buffer before handing them to the sink in one piece.
/// Its length lives in a register; a sink's own length, behind a pointer, would be
/// stored and reloaded around every byte written (the compiler cannot tell the two apart).
///
/// The buffer is a separate [`Stage`] so that the rest stays in registers; everything
/// using a `Staged` must be inlined into the function that owns it.
pub(crate) struct Staged<'a, S: Sink> {
    out: &'a mut S,
    /// The bytes not handed over yet; they follow the sink's first `base` bytes.
    stage: &'a mut [u8; STAGE],
    staged: usize,
    base: usize,
}

/// The buffer of a [`Staged`] sink.
pub(crate) struct Stage([u8; STAGE]);

impl Stage {
    #[inline(always)]
    pub(crate) fn new() -> Stage {
        Stage([0; STAGE])
    }
}

impl<'a, S: Sink> Staged<'a, S> {
    #[inline(always)]
    pub(crate) fn new(out: &'a mut S, stage: &'a mut Stage) -> Self {
        let base = out.len();
        Staged {
            out,
            stage: &mut stage.0,
            staged: 0,
            base,
        }
    }

    /// Hand everything staged to the sink.
    #[inline(always)]
    pub(crate) fn flush(&mut self) {
        self.base = hand_over(self.out, &self.stage[..self.staged], &[]);
        self.staged = 0;
    }
}

/// Write `staged`, then `bytes`, to `out`; returns its new length. (Takes the pieces, not
/// the `Staged`, which must not have its address taken.)
#[cold]
#[inline(never)]
fn hand_over(out: &mut impl Sink, staged: &[u8], bytes: &[u8]) -> usize {
    if !staged.is_empty() {
        out.put(staged);
    }
    if !bytes.is_empty() {
        out.put(bytes);
    }
    out.len()
}

impl<S: Sink> Sink for Staged<'_, S> {
    #[inline(always)]
    fn put(&mut self, bytes: &[u8]) {
        match self.stage.get_mut(self.staged..self.staged + bytes.len()) {
            Some(room) => {
                room.copy_from_slice(bytes);
                self.staged += bytes.len();
            }
            None => {
                self.base = hand_over(self.out, &self.stage[..self.staged], bytes);
                self.staged = 0;
            }
        }
    }
    #[inline(always)]
    fn len(&self) -> usize {
        self.base + self.staged
    }
    #[inline(always)]
    fn patch(&mut self, at: usize, bytes: [u8; 4]) {
        // A size field is written in one piece, so it is wholly staged or wholly handed over.
        match at.checked_sub(self.base) {
            Some(i) => {
                if let Some(room) = self.stage.get_mut(i..i + 4) {
                    room.copy_from_slice(&bytes);
                }
            }
            None => patch_handed_over(self.out, at, bytes),
        }
    }
}

#[inline(never)]
fn patch_handed_over(out: &mut impl Sink, at: usize, bytes: [u8; 4]) {
    out.patch(at, bytes);
}

impl<S: Buffer> Buffer for Staged<'_, S> {
    #[inline(always)]
    fn set(&mut self, at: usize, byte: u8) {
        match at.checked_sub(self.base) {
            Some(i) => {
                if let Some(b) = self.stage.get_mut(i) {
                    *b = byte;
                }
            }
            None => set_handed_over(self.out, at, byte),
        }
    }
    #[inline(always)]
    fn insert(&mut self, at: usize, bytes: &[u8]) {
        self.flush();
        insert_handed_over(self.out, at, bytes);
        self.base = self.out.len();
    }
}

#[inline(never)]
fn set_handed_over(out: &mut impl Buffer, at: usize, byte: u8) {
    out.set(at, byte);
}

#[inline(never)]
fn insert_handed_over(out: &mut impl Buffer, at: usize, bytes: &[u8]) {
    out.insert(at, bytes);
}

struct Encoder<'a, 'b, S: Sink> {
    out: &'a mut Staged<'b, S>,
    /// The innermost open compound ([`Open::PLAIN`] at the top level).
    top: Open,
    /// The compounds `top` is nested in.
    outer: &'a mut Stack,
}

impl<S: Sink> Encoder<'_, '_, S> {
    /// Visit every top-level value and its subtree in order, as [`Data`]'s walk does
    /// (children of any node, even of a scalar, which proton's API can make).
    #[inline(always)]
    fn run(&mut self, data: &Data) {
        let mut id = data.first_root();
        'nodes: while id != 0 {
            let mut node = data.node(id);
            if self.enter(data, node) {
                self.top.node = id;
            }
            if node.down != 0 {
                id = node.down;
                continue;
            }
            // `node` is complete; so is every parent it is the last child of.
            loop {
                self.exit(node);
                if node.next != 0 {
                    id = node.next;
                    continue 'nodes;
                }
                if node.parent == 0 {
                    break 'nodes;
                }
                node = data.node(node.parent);
            }
        }
    }

    /// Finish a node: close it if it is a compound; after a described array's
    /// descriptor comes the element constructor.
    #[inline(always)]
    fn exit(&mut self, node: &Node) {
        if matches!(
            node.atom,
            Atom::Described | Atom::Array { .. } | Atom::List | Atom::Map
        ) {
            self.close();
        }
        if self.top.mode & Open::DESCRIPTOR_OPEN != 0 && node.parent == self.top.node {
            self.top.mode &= !Open::DESCRIPTOR_OPEN;
            self.out.put(&[self.top.mode as u8]);
        }
    }

    /// The shared constructor this node must use, if it is an array element.
    #[inline(always)]
    fn element_ctor(&mut self) -> Option<u8> {
        let mode = self.top.mode;
        if mode == 0 {
            return None;
        }
        if mode & Open::DESCRIPTOR_PENDING != 0 {
            self.top.mode = mode & !Open::DESCRIPTOR_PENDING | Open::DESCRIPTOR_OPEN;
            return None;
        }
        Some(mode as u8)
    }

    #[inline(always)]
    fn open(&mut self, open: Open) {
        self.outer.push(std::mem::replace(&mut self.top, open));
    }

    /// Close the innermost compound, patching in its size.
    #[inline(always)]
    fn close(&mut self) {
        let outer = self.outer.pop();
        let open = std::mem::replace(&mut self.top, outer);
        if open.size_at != Open::NO_SIZE {
            // (wrapping: after an overflow a SliceSink stops counting; the patch is then skipped)
            let size = self.out.len().wrapping_sub(open.size_at + 4) as u32;
            self.out.patch(open.size_at, size.to_be_bytes());
        }
    }

    /// Write a list, map or array header (constructor unless shared, size to patch,
    /// count) and open it.
    #[inline(always)]
    fn begin_compound(&mut self, ctor: Option<u8>, own: u8, count: u32, open: Open) {
        if ctor.is_none() {
            self.out.put(&[own]);
        }
        let size_at = self.out.len();
        // Size (patched later) and count.
        self.out
            .put(&((count.swap_bytes() as u64) << 32).to_le_bytes());
        self.open(Open { size_at, ..open });
    }

    /// Write a node (a compound's header); true if it is a compound, now open.
    #[inline(always)]
    fn enter(&mut self, data: &Data, node: &Node) -> bool {
        let ctor = self.element_ctor();
        // Scalars take a single dispatch: with their own constructor (most nodes), or as
        // an array element, the payload after the array's shared constructor.
        match ctor {
            None => {
                if write_atom(self.out, data, &node.atom) {
                    return false;
                }
            }
            Some(c) => {
                if write_element(self.out, c, data, &node.atom) {
                    return false;
                }
            }
        }
        match node.atom {
            Atom::Described => {
                self.out.put(&[0x00]);
                self.open(Open::PLAIN);
            }
            Atom::List if node.children == 0 && ctor.is_none() => {
                self.out.put(&[0x45]);
                self.open(Open::PLAIN);
            }
            Atom::List => self.begin_compound(ctor, 0xd0, node.children, Open::PLAIN),
            Atom::Map => self.begin_compound(ctor, 0xd1, node.children, Open::PLAIN),
            Atom::Array { described, elem } => self.begin_array(ctor, node, described, elem),
            _ => unreachable!("scalars are written above"),
        }
        true
    }

    #[inline(always)]
    fn begin_array(&mut self, ctor: Option<u8>, node: &Node, described: bool, elem: Option<Type>) {
        let has_descriptor = described && node.children > 0;
        let count = node.children - has_descriptor as u32;
        let elem_ctor = array_constructor(elem);
        let open = Open {
            mode: Open::SHARED
                | elem_ctor as u32
                | if described {
                    Open::DESCRIPTOR_PENDING
                } else {
                    0
                },
            ..Open::PLAIN
        };
        self.begin_compound(ctor, 0xf0, count, open);
        if described {
            self.out.put(&[0x00]);
            if !has_descriptor {
                // A described array with no descriptor yet: proton writes a null one.
                self.out.put(&[0x40]);
            }
        }
        if !has_descriptor {
            self.out.put(&[elem_ctor]);
        }
    }
}

/// Write an array element: the bytes that follow the shared constructor `ctor`, exactly
/// as [`write_payload`] writes them for the node's scalar; false (nothing written) for a
/// compound node.
#[inline(always)]
fn write_element(out: &mut impl Sink, ctor: u8, data: &Data, atom: &Atom) -> bool {
    match *atom {
        Atom::Null => {}
        Atom::Bool(v) => {
            if ctor == 0x56 {
                out.put(&[v as u8])
            }
        }
        Atom::Ubyte(v) => out.put(&[v]),
        Atom::Byte(v) => out.put(&[v as u8]),
        Atom::Ushort(v) => out.put(&v.to_be_bytes()),
        Atom::Short(v) => out.put(&v.to_be_bytes()),
        Atom::Uint(v) | Atom::Char(v) | Atom::Decimal32(v) => match ctor {
            0x43 => {}
            0x52 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Atom::Int(v) => match ctor {
            0x54 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Atom::Ulong(v) | Atom::Decimal64(v) => match ctor {
            0x44 => {}
            0x53 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Atom::Long(v) | Atom::Timestamp(v) => match ctor {
            0x55 => out.put(&[v as u8]),
            _ => out.put(&v.to_be_bytes()),
        },
        Atom::Float(v) => out.put(&v.to_bits().to_be_bytes()),
        Atom::Double(v) => out.put(&v.to_bits().to_be_bytes()),
        Atom::Decimal128(v) | Atom::Uuid(v) => out.put(&v),
        Atom::Binary(s) | Atom::String(s) | Atom::Symbol(s) => {
            let b = data.span_bytes(s);
            if ctor & 0xf0 == 0xa0 {
                out.put(&[b.len() as u8]);
            } else {
                out.put(&(b.len() as u32).to_be_bytes());
            }
            out.put(b);
        }
        Atom::Described | Atom::Array { .. } | Atom::List | Atom::Map => return false,
    }
    true
}

/// Write a scalar node with its own (smallest) constructor; false (nothing written) for
/// a compound node.
#[inline(always)]
fn write_atom(out: &mut impl Sink, data: &Data, atom: &Atom) -> bool {
    match *atom {
        Atom::Null => out.put(&[0x40]),
        Atom::Bool(v) => out.put(&[if v { 0x41 } else { 0x42 }]),
        Atom::Ubyte(v) => put_pair(out, 0x50, v),
        Atom::Byte(v) => put_pair(out, 0x51, v as u8),
        Atom::Ushort(v) => put_fixed(out, 0x60, v.to_be_bytes()),
        Atom::Short(v) => put_fixed(out, 0x61, v.to_be_bytes()),
        Atom::Uint(0) => out.put(&[0x43]),
        Atom::Uint(v) if v < 256 => put_pair(out, 0x52, v as u8),
        Atom::Uint(v) => put_fixed(out, 0x70, v.to_be_bytes()),
        Atom::Int(v) if (-128..=127).contains(&v) => put_pair(out, 0x54, v as u8),
        Atom::Int(v) => put_fixed(out, 0x71, v.to_be_bytes()),
        Atom::Char(v) => put_fixed(out, 0x73, v.to_be_bytes()),
        Atom::Ulong(0) => out.put(&[0x44]),
        Atom::Ulong(v) if v < 256 => put_pair(out, 0x53, v as u8),
        Atom::Ulong(v) => put_fixed(out, 0x80, v.to_be_bytes()),
        Atom::Long(v) if (-128..=127).contains(&v) => put_pair(out, 0x55, v as u8),
        Atom::Long(v) => put_fixed(out, 0x81, v.to_be_bytes()),
        Atom::Timestamp(v) => put_fixed(out, 0x83, v.to_be_bytes()),
        Atom::Float(v) => put_fixed(out, 0x72, v.to_bits().to_be_bytes()),
        Atom::Double(v) => put_fixed(out, 0x82, v.to_bits().to_be_bytes()),
        Atom::Decimal32(v) => put_fixed(out, 0x74, v.to_be_bytes()),
        Atom::Decimal64(v) => put_fixed(out, 0x84, v.to_be_bytes()),
        Atom::Decimal128(v) => put_fixed(out, 0x94, v),
        Atom::Uuid(v) => put_fixed(out, 0x98, v),
        Atom::Binary(s) => put_variable(out, 0xa0, data.span_bytes(s)),
        Atom::String(s) => put_variable(out, 0xa1, data.span_bytes(s)),
        Atom::Symbol(s) => put_variable(out, 0xa3, data.span_bytes(s)),
        Atom::Described | Atom::Array { .. } | Atom::List | Atom::Map => return false,
    }
    true
}

/// Write a described value's `0x00` and a small ulong descriptor `code`.
#[inline(always)]
pub fn write_descriptor(out: &mut impl Sink, code: u64) {
    out.put(&[0x00]);
    write_scalar(out, &Scalar::Ulong(code));
}

/// Writes a described list of fields (message sections, performatives): list8 when it
/// fits, list32 otherwise, with trailing null fields left out, as proton-c 0.37 does.
///
/// Nulls are written only once a non-null field follows them, and the list header only
/// with the first non-null field, so nothing is ever written past the final encoding.
pub struct FieldList {
    /// Where the list's constructor goes.
    start: usize,
    /// Fields written so far (through the last non-null one).
    count: u32,
    /// Null fields since then, not written yet.
    pending_nulls: u32,
}

impl FieldList {
    /// Start a described list: the descriptor `code`; the list header follows later.
    #[inline(always)]
    pub fn begin(out: &mut impl Buffer, code: u64) -> FieldList {
        write_descriptor(out, code);
        FieldList {
            start: out.len(),
            count: 0,
            pending_nulls: 0,
        }
    }

    /// Write the next field; `None` is a null (dropped if nothing non-null follows).
    #[inline(always)]
    pub fn field(&mut self, out: &mut impl Buffer, value: Option<Scalar<'_>>) {
        match value {
            Some(v) => {
                self.start_field(out);
                write_scalar(out, &v);
            }
            None => self.pending_nulls += 1,
        }
    }

    /// Write the next field with `write` (a nested described value, raw bytes, ...); it
    /// counts as non-null.
    #[inline(always)]
    pub fn field_with<B: Buffer>(&mut self, out: &mut B, write: impl FnOnce(&mut B)) {
        self.start_field(out);
        write(out);
    }

    /// Before a non-null field: the list header if it is the first, and the nulls before it.
    #[inline(always)]
    fn start_field(&mut self, out: &mut impl Buffer) {
        if self.count == 0 {
            // Room for a list8 header (constructor, size, count); widened later if needed.
            out.put(&[0xc0, 0, 0]);
        }
        for _ in 0..self.pending_nulls {
            out.put(&[0x40]);
        }
        self.count += self.pending_nulls + 1;
        self.pending_nulls = 0;
    }

    /// Settle the list's size, count and width (list0 when every field is null).
    #[inline(always)]
    pub fn finish(self, out: &mut impl Buffer) {
        if self.count == 0 {
            out.put(&[0x45]);
            return;
        }
        let fields = out.len() - (self.start + 3);
        if fields < 255 {
            out.set(self.start + 1, (fields + 1) as u8);
            out.set(self.start + 2, self.count as u8);
        } else {
            // list32: constructor, size and count take 9 bytes instead of 3.
            let [s0, s1, s2, s3] = ((fields + 4) as u32).to_be_bytes();
            let [c0, c1, c2, c3] = self.count.to_be_bytes();
            out.insert(self.start + 3, &[0, 0, 0, 0, 0, 0]);
            let header = [0xd0, s0, s1, s2, s3, c0, c1, c2, c3];
            for (i, byte) in header.into_iter().enumerate() {
                out.set(self.start + i, byte);
            }
        }
    }
}
