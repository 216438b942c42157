//! A tree of AMQP values with proton's cursor semantics (`pn_data_t`).
//!
//! Nodes live in one vector and are numbered from 1 (0 means "none"), as proton numbers
//! them, so `pn_data_point` handles and `pn_data_size` come out the same. Variable-length
//! values (binary, string, symbol) keep their bytes in one byte store per tree.
//!
//! Cursor model: `parent` is the node whose children we are walking (0 = top level) and
//! `current` the node we are on (0 = before the first child). `put` writes the node after
//! the cursor, reusing an existing following sibling as proton does, so writing after a
//! rewind overwrites the tree in place.
//!
//! Performance contract (the C API calls these per node): `clear` keeps all storage, so
//! a reused tree stops allocating; new nodes are written in place (an atom built
//! elsewhere and copied in stalls on every node); reading a node never panics, so the
//! cursor and getter exports need no unwinding frame.

use super::types::{Atom, Scalar, Span, Type};
use crate::error::{code, Error, ErrorSlot, Result};

/// Proton numbers nodes with 16 bits, so a tree holds at most this many; going past it
/// is `PN_OUT_OF_MEMORY`. This also bounds what hostile input can make a decoder allocate.
pub const MAX_NODES: usize = 65535;

/// Nodes and bytes a tree makes room for when it first grows, so that a typical message
/// section costs one allocation of each rather than a series of doublings.
const MIN_NODES: usize = 16;
const MIN_BYTES: usize = 64;

/// What [`Data::node`] reads for an id that names no node (never, with a sound tree).
#[cold]
#[inline(never)]
fn no_node() -> &'static Node {
    // (opaque, so that the compiler cannot turn the branch into a select)
    std::hint::black_box(&Node::NONE)
}

/// `PN_OUT_OF_MEMORY`: the tree already holds [`MAX_NODES`].
#[cold]
fn full() -> Error {
    Error::bare(code::OUT_OF_MEMORY)
}

/// Node index, 1-based; 0 = none.
pub(crate) type NodeId = u32;

#[derive(Clone, Copy, Debug)]
pub(crate) struct Node {
    pub atom: Atom,
    pub parent: NodeId,
    pub next: NodeId,
    pub prev: NodeId,
    pub down: NodeId,
    pub children: u32,
}

impl Node {
    /// What [`Data::node`] reads for an id that names no node.
    const NONE: Node = Node {
        atom: Atom::Null,
        parent: 0,
        next: 0,
        prev: 0,
        down: 0,
        children: 0,
    };
}

/// An AMQP data tree with a cursor.
#[derive(Clone, Debug, Default)]
pub struct Data {
    nodes: Vec<Node>,
    bytes: Vec<u8>,
    parent: NodeId,
    current: NodeId,
    base_parent: NodeId,
    base_current: NodeId,
    error: ErrorSlot,
}

impl Data {
    pub fn new() -> Data {
        Data::default()
    }

    /// A tree with room for `capacity` nodes before it reallocates.
    pub fn with_capacity(capacity: usize) -> Data {
        Data {
            nodes: Vec::with_capacity(capacity.min(1 << 16)),
            ..Data::default()
        }
    }

    /// Remove every node and reset the cursor.
    pub fn clear(&mut self) {
        self.nodes.clear();
        self.bytes.clear();
        self.parent = 0;
        self.current = 0;
        self.base_parent = 0;
        self.base_current = 0;
    }

    /// Number of nodes in the tree (including nodes orphaned by overwrites, as proton counts).
    pub fn size(&self) -> usize {
        self.nodes.len()
    }

    /// Bytes held for binary, string and symbol values (including overwritten ones).
    pub fn stored_bytes(&self) -> usize {
        self.bytes.len()
    }

    pub fn error(&self) -> &ErrorSlot {
        &self.error
    }

    pub fn error_mut(&mut self) -> &mut ErrorSlot {
        &mut self.error
    }

    // ---- node access for the encoder, decoder and formatter ----

    /// The node `id` (which must exist). Reading does not panic, so that the cursor
    /// functions stay cheap at the C boundary; a bad id reads as an empty null node.
    /// (The check is a predicted branch, not a select: the load then need not wait for
    /// it, which matters on the chain of loads a walk over the tree is.)
    #[inline(always)]
    pub(crate) fn node(&self, id: NodeId) -> &Node {
        debug_assert!(id != 0 && id as usize <= self.nodes.len(), "no node {id}");
        match self.nodes.get((id as usize).wrapping_sub(1)) {
            Some(node) => node,
            None => no_node(),
        }
    }

    #[inline(always)]
    fn node_mut(&mut self, id: NodeId) -> &mut Node {
        &mut self.nodes[id as usize - 1]
    }

    /// The first top-level node (0 if the tree is empty).
    pub(crate) fn first_root(&self) -> NodeId {
        if self.nodes.is_empty() {
            0
        } else {
            1
        }
    }

    /// The bytes of a binary, string or symbol value.
    pub fn span_bytes(&self, span: Span) -> &[u8] {
        &self.bytes[span.start as usize..(span.start + span.len) as usize]
    }

    pub(crate) fn cursor(&self) -> (NodeId, NodeId) {
        (self.parent, self.current)
    }

    // ---- cursor movement ----

    /// Move before the first node of the (possibly narrowed) root.
    pub fn rewind(&mut self) {
        self.parent = self.base_parent;
        self.current = self.base_current;
    }

    /// Advance to the next sibling, or to the first child after enter/rewind.
    pub fn next(&mut self) -> bool {
        let next = if self.current != 0 {
            self.node(self.current).next
        } else if self.parent != 0 {
            self.node(self.parent).down
        } else {
            self.first_root()
        };
        if next != 0 {
            self.current = next;
            true
        } else {
            false
        }
    }

    /// Move to the previous sibling.
    pub fn prev(&mut self) -> bool {
        if self.current != 0 && self.node(self.current).prev != 0 {
            self.current = self.node(self.current).prev;
            true
        } else {
            false
        }
    }

    /// Descend into the current node: the cursor goes before its first child.
    pub fn enter(&mut self) -> bool {
        if self.current != 0 {
            self.parent = self.current;
            self.current = 0;
            true
        } else {
            false
        }
    }

    /// Return to the parent node, which becomes current.
    pub fn exit(&mut self) -> bool {
        if self.parent != 0 {
            self.current = self.parent;
            self.parent = self.node(self.current).parent;
            true
        } else {
            false
        }
    }

    /// Make the current position the place `rewind` returns to.
    pub fn narrow(&mut self) {
        self.base_parent = self.parent;
        self.base_current = self.current;
    }

    /// Undo `narrow`.
    pub fn widen(&mut self) {
        self.base_parent = 0;
        self.base_current = 0;
    }

    /// An opaque token for the cursor position: the current node, or minus the parent.
    pub fn point(&self) -> isize {
        if self.current != 0 {
            self.current as isize
        } else {
            -(self.parent as isize)
        }
    }

    /// Return to a position saved by [`Data::point`]; false if it names no node.
    pub fn restore(&mut self, point: isize) -> bool {
        let size = self.nodes.len() as isize;
        if point > 0 && point <= size {
            self.current = point as NodeId;
            self.parent = self.node(self.current).parent;
            true
        } else if point < 0 && -point <= size {
            self.parent = (-point) as NodeId;
            self.current = 0;
            true
        } else if point == 0 {
            self.parent = 0;
            self.current = 0;
            true
        } else {
            false
        }
    }

    // ---- reading the current node ----

    /// The current node's atom, if there is a current node.
    pub fn atom(&self) -> Option<&Atom> {
        (self.current != 0).then(|| &self.node(self.current).atom)
    }

    /// The type of the current node, if any.
    pub fn current_type(&self) -> Option<Type> {
        self.atom().map(Atom::type_of)
    }

    /// The current node as a scalar (bytes borrowed from the tree); None for compounds.
    pub fn scalar(&self) -> Option<Scalar<'_>> {
        self.atom().and_then(|a| self.scalar_of(a))
    }

    #[inline(always)]
    pub(crate) fn scalar_of(&self, atom: &Atom) -> Option<Scalar<'_>> {
        Some(match *atom {
            Atom::Null => Scalar::Null,
            Atom::Bool(v) => Scalar::Bool(v),
            Atom::Ubyte(v) => Scalar::Ubyte(v),
            Atom::Byte(v) => Scalar::Byte(v),
            Atom::Ushort(v) => Scalar::Ushort(v),
            Atom::Short(v) => Scalar::Short(v),
            Atom::Uint(v) => Scalar::Uint(v),
            Atom::Int(v) => Scalar::Int(v),
            Atom::Char(v) => Scalar::Char(v),
            Atom::Ulong(v) => Scalar::Ulong(v),
            Atom::Long(v) => Scalar::Long(v),
            Atom::Timestamp(v) => Scalar::Timestamp(v),
            Atom::Float(v) => Scalar::Float(v),
            Atom::Double(v) => Scalar::Double(v),
            Atom::Decimal32(v) => Scalar::Decimal32(v),
            Atom::Decimal64(v) => Scalar::Decimal64(v),
            Atom::Decimal128(v) => Scalar::Decimal128(v),
            Atom::Uuid(v) => Scalar::Uuid(v),
            Atom::Binary(s) => Scalar::Binary(self.span_bytes(s)),
            Atom::String(s) => Scalar::String(self.span_bytes(s)),
            Atom::Symbol(s) => Scalar::Symbol(self.span_bytes(s)),
            Atom::Described | Atom::Array { .. } | Atom::List | Atom::Map => return None,
        })
    }

    /// The first top-level value as a scalar, wherever the cursor is.
    pub fn first_scalar(&self) -> Option<Scalar<'_>> {
        (!self.nodes.is_empty())
            .then(|| self.scalar_of(&self.nodes[0].atom))
            .flatten()
    }

    /// The type of the first top-level value, wherever the cursor is.
    pub fn first_type(&self) -> Option<Type> {
        self.nodes.first().map(|n| n.atom.type_of())
    }

    /// Child count of the current node (0 if none or not compound).
    pub fn child_count(&self) -> usize {
        if self.current == 0 {
            0
        } else {
            self.node(self.current).children as usize
        }
    }

    /// Scan forward over key/value pairs for a string or symbol key equal to `name`;
    /// on success the cursor is on its value.
    pub fn lookup(&mut self, name: &[u8]) -> bool {
        while self.next() {
            let is_key = matches!(self.scalar(), Some(Scalar::String(k)) | Some(Scalar::Symbol(k)) if k == name);
            if is_key {
                return self.next();
            }
            if !self.next() {
                return false;
            }
        }
        false
    }

    // ---- writing ----

    /// The node the next write goes to: the cursor's following sibling (or its parent's
    /// first child, or the first root), which is overwritten; 0 when a new node is needed.
    #[inline]
    fn following(&self) -> NodeId {
        if self.current != 0 {
            self.node(self.current).next
        } else if self.parent != 0 {
            self.node(self.parent).down
        } else {
            self.first_root()
        }
    }

    /// Write `atom` at the position after the cursor and make it current.
    #[inline(always)]
    fn add(&mut self, atom: Atom) -> Result<NodeId> {
        let (id, slot) = self.new_slot().ok_or_else(full)?;
        *slot = atom;
        Ok(id)
    }

    /// Make the node after the cursor current (the following sibling, emptied, or a new
    /// node) and return it with its atom for the caller to set; `None` when the tree is
    /// full.
    ///
    /// The caller writes the atom in place: building it elsewhere and copying it in costs
    /// a stall on every node.
    pub(crate) fn new_slot(&mut self) -> Option<(NodeId, &mut Atom)> {
        let reuse = self.following();
        let id = if reuse != 0 {
            let node = self.node_mut(reuse);
            node.down = 0;
            node.children = 0;
            reuse
        } else {
            let prev = self.current;
            let parent = if prev != 0 {
                self.node(prev).parent
            } else {
                self.parent
            };
            self.push_node(parent, prev, Atom::Null)?
        };
        self.current = id;
        Some((id, &mut self.node_mut(id).atom))
    }

    /// Append `atom` as the last child of `parent` (a node), after its current last child
    /// `prev` (0: none), without moving the cursor; the decoder builds a value's children
    /// this way. The parent's child count is left to the caller ([`Data::set_children`]),
    /// which knows it once the parent is complete.
    #[inline(always)]
    pub(crate) fn new_child(&mut self, parent: NodeId, prev: NodeId, atom: Atom) -> Option<NodeId> {
        if self.nodes.len() >= MAX_NODES {
            return None;
        }
        // (the first node of a decode made room for a section, see `new_slot`)
        self.nodes.push(Node {
            atom,
            parent,
            next: 0,
            prev,
            down: 0,
            children: 0,
        });
        let id = self.nodes.len() as NodeId;
        let link = if prev != 0 {
            &mut self.node_mut(prev).next
        } else {
            &mut self.node_mut(parent).down
        };
        *link = id;
        Some(id)
    }

    /// Set the child count of a node built with [`Data::new_child`].
    #[inline(always)]
    pub(crate) fn set_children(&mut self, id: NodeId, children: u32) {
        self.node_mut(id).children = children;
    }

    /// Append a node linked after `prev` under `parent`.
    #[inline(always)]
    fn push_node(&mut self, parent: NodeId, prev: NodeId, atom: Atom) -> Option<NodeId> {
        if self.nodes.len() >= MAX_NODES {
            return None;
        }
        if self.nodes.len() == self.nodes.capacity() {
            // Start with room for a typical section rather than growing 4, 8, 16.
            self.nodes.reserve(MIN_NODES);
        }
        self.nodes.push(Node {
            atom,
            parent,
            next: 0,
            prev,
            down: 0,
            children: 0,
        });
        let id = self.nodes.len() as NodeId;
        if prev != 0 {
            self.node_mut(prev).next = id;
        } else if parent != 0 {
            self.node_mut(parent).down = id;
        }
        if parent != 0 {
            self.node_mut(parent).children += 1;
        }
        Some(id)
    }

    /// Copy `bytes` into the byte store.
    #[inline(always)]
    pub(crate) fn store(&mut self, bytes: &[u8]) -> Span {
        let start = self.bytes.len() as u32;
        if self.bytes.capacity() - self.bytes.len() < bytes.len() {
            // (`reserve` still doubles once the store is larger than this)
            self.bytes.reserve(bytes.len().max(MIN_BYTES));
        }
        self.bytes.extend_from_slice(bytes);
        Span {
            start,
            len: bytes.len() as u32,
        }
    }

    /// Put a scalar after the cursor (bytes are copied into the tree).
    #[inline(always)]
    pub fn put(&mut self, value: Scalar<'_>) -> Result<()> {
        let atom = match value {
            Scalar::Null => Atom::Null,
            Scalar::Bool(v) => Atom::Bool(v),
            Scalar::Ubyte(v) => Atom::Ubyte(v),
            Scalar::Byte(v) => Atom::Byte(v),
            Scalar::Ushort(v) => Atom::Ushort(v),
            Scalar::Short(v) => Atom::Short(v),
            Scalar::Uint(v) => Atom::Uint(v),
            Scalar::Int(v) => Atom::Int(v),
            Scalar::Char(v) => Atom::Char(v),
            Scalar::Ulong(v) => Atom::Ulong(v),
            Scalar::Long(v) => Atom::Long(v),
            Scalar::Timestamp(v) => Atom::Timestamp(v),
            Scalar::Float(v) => Atom::Float(v),
            Scalar::Double(v) => Atom::Double(v),
            Scalar::Decimal32(v) => Atom::Decimal32(v),
            Scalar::Decimal64(v) => Atom::Decimal64(v),
            Scalar::Decimal128(v) => Atom::Decimal128(v),
            Scalar::Uuid(v) => Atom::Uuid(v),
            Scalar::Binary(b) => Atom::Binary(self.store(b)),
            Scalar::String(b) => Atom::String(self.store(b)),
            Scalar::Symbol(b) => Atom::Symbol(self.store(b)),
        };
        self.add(atom).map(drop)
    }

    /// Fix the element type of an array node once the decoder has read it.
    pub(crate) fn set_array_elem(&mut self, id: NodeId, elem: Option<Type>) {
        if let Atom::Array { elem: e, .. } = &mut self.node_mut(id).atom {
            *e = elem;
        }
    }

    pub fn put_list(&mut self) -> Result<()> {
        self.add(Atom::List).map(drop)
    }

    pub fn put_map(&mut self) -> Result<()> {
        self.add(Atom::Map).map(drop)
    }

    pub fn put_described(&mut self) -> Result<()> {
        self.add(Atom::Described).map(drop)
    }

    pub fn put_array(&mut self, described: bool, elem: Type) -> Result<()> {
        self.put_array_of(described, Some(elem))
    }

    /// Put an array whose element type may still be unknown (the decoder fills it in).
    pub(crate) fn put_array_of(&mut self, described: bool, elem: Option<Type>) -> Result<()> {
        self.add(Atom::Array { described, elem }).map(drop)
    }

    /// Put a copy of another tree's node (scalar or compound shell) after the cursor.
    fn put_foreign(&mut self, src: &Data, atom: &Atom) -> Result<()> {
        match src.scalar_of(atom) {
            Some(s) => self.put(s),
            None => self.add(*atom).map(drop),
        }
    }

    /// Deep-copy up to `limit` top-level values of `src` (from its root, ignoring its
    /// cursor) after this tree's cursor.
    pub fn append(&mut self, src: &Data, limit: Option<usize>) -> Result<()> {
        // Start where `src` would be after a rewind (respecting its narrowing).
        let mut root = if src.base_current != 0 {
            src.node(src.base_current).next
        } else if src.base_parent != 0 {
            src.node(src.base_parent).down
        } else {
            src.first_root()
        };
        let mut count = 0;
        while root != 0 && limit.is_none_or(|l| count < l) {
            // Walk the subtree iteratively so that deep trees cannot exhaust the stack.
            let mut id = root;
            'subtree: loop {
                let node = src.node(id);
                self.put_foreign(src, &node.atom)?;
                if node.down != 0 {
                    self.enter();
                    id = node.down;
                    continue;
                }
                while id != root {
                    let next = src.node(id).next;
                    // (siblings of `root` itself are handled by the outer loop)
                    if next != 0 {
                        id = next;
                        continue 'subtree;
                    }
                    id = src.node(id).parent;
                    self.exit();
                }
                break;
            }
            root = src.node(root).next;
            count += 1;
        }
        Ok(())
    }

    /// Replace this tree with a copy of `src`, then rewind.
    pub fn copy_from(&mut self, src: &Data) -> Result<()> {
        self.clear();
        let result = self.append(src, None);
        self.rewind();
        result
    }
}

/// Callbacks for [`Data::walk`]: `enter` before a node's children, `exit` after them.
pub(crate) trait Visitor {
    type Error;
    fn enter(&mut self, data: &Data, id: NodeId) -> std::result::Result<(), Self::Error>;
    fn exit(&mut self, data: &Data, id: NodeId) -> std::result::Result<(), Self::Error>;
}

impl Data {
    /// Visit every top-level value and its subtree in order, without recursion.
    pub(crate) fn walk<V: Visitor>(&self, visitor: &mut V) -> std::result::Result<(), V::Error> {
        let mut id = self.first_root();
        'outer: while id != 0 {
            visitor.enter(self, id)?;
            let down = self.node(id).down;
            if down != 0 {
                id = down;
                continue;
            }
            loop {
                visitor.exit(self, id)?;
                let node = self.node(id);
                if node.next != 0 {
                    id = node.next;
                    continue 'outer;
                }
                if node.parent == 0 {
                    break 'outer;
                }
                id = node.parent;
            }
        }
        Ok(())
    }
}
