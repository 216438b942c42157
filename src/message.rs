//! An AMQP 1.0 message (spec part 3.2), as proton's `pn_message_t`.
//!
//! Header and properties fields are plain Rust fields; delivery annotations, message
//! annotations, application properties and the body are data trees the application fills
//! in place. Encoding matches proton-c 0.37 byte for byte: header and properties always
//! present (list8 unless too large, trailing nulls dropped), the other sections only when
//! their tree holds something. Decoding replaces the whole message (it clears first, as
//! proton up to 0.36 did and as the Python API promises; 0.37 stopped clearing).
//!
//! A message is meant to be reused: `clear` and `decode` keep the trees' storage and the
//! buffers of the text fields and user-id (a text field set to the text it had keeps its
//! C string as it is), so decoding or building similar messages into the same object
//! stops allocating. The trees live inside the message (one allocation for a new one).
//! `encode_into` writes straight into a caller's buffer: when it does not fit, the buffer
//! holds a prefix of the encoding, and nothing is ever written past the encoding's end.

use crate::codec::decoder::{self, Descriptor, Field, Reader};
use crate::codec::encoder::{self, Buffer, ClipSink, Stage, Staged};
use crate::codec::{Data, Scalar, Type};
use crate::error::{ErrorSlot, Result};
use std::ffi::{CStr, CString};

/// `PN_DEFAULT_PRIORITY`.
pub const DEFAULT_PRIORITY: u8 = 4;

/// Section descriptor codes (spec 3.2).
pub mod section {
    pub const HEADER: u64 = 0x70;
    pub const DELIVERY_ANNOTATIONS: u64 = 0x71;
    pub const MESSAGE_ANNOTATIONS: u64 = 0x72;
    pub const PROPERTIES: u64 = 0x73;
    pub const APPLICATION_PROPERTIES: u64 = 0x74;
    pub const DATA: u64 = 0x75;
    pub const AMQP_SEQUENCE: u64 = 0x76;
    pub const AMQP_VALUE: u64 = 0x77;
    pub const FOOTER: u64 = 0x78;
}

/// An AMQP message.
#[derive(Debug)]
pub struct Message {
    pub durable: bool,
    pub priority: u8,
    pub ttl: u32,
    pub first_acquirer: bool,
    pub delivery_count: u32,
    pub user_id: Option<Vec<u8>>,
    pub address: Option<CString>,
    pub subject: Option<CString>,
    pub reply_to: Option<CString>,
    pub content_type: Option<CString>,
    pub content_encoding: Option<CString>,
    pub expiry_time: i64,
    pub creation_time: i64,
    pub group_id: Option<CString>,
    pub group_sequence: u32,
    pub reply_to_group_id: Option<CString>,
    pub inferred: bool,
    /// message-id and correlation-id live in small trees (first value = the id) so that the
    /// legacy `pn_message_id()` views can hand them out.
    id: Data,
    correlation_id: Data,
    /// Whether `pn_message_id()` / `pn_message_correlation_id()` views were handed out:
    /// until then only the id types AMQP allows are kept.
    id_view: bool,
    correlation_view: bool,
    instructions: Data,
    annotations: Data,
    properties: Data,
    body: Data,
    error: ErrorSlot,
    /// Buffers of text fields and the user-id that `clear` emptied, for reuse.
    spare: Spare,
}

/// Values `clear` took out of the text fields, and the user-id's buffer, for reuse.
#[derive(Debug, Default)]
struct Spare {
    text: [Option<CString>; TextField::ALL.len()],
    user_id: Vec<u8>,
}

/// Which of the two id fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IdField {
    MessageId,
    CorrelationId,
}

/// The text fields of the properties section.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextField {
    Address,
    Subject,
    ReplyTo,
    ContentType,
    ContentEncoding,
    GroupId,
    ReplyToGroupId,
}

impl TextField {
    pub const ALL: [TextField; 7] = [
        TextField::Address,
        TextField::Subject,
        TextField::ReplyTo,
        TextField::ContentType,
        TextField::ContentEncoding,
        TextField::GroupId,
        TextField::ReplyToGroupId,
    ];
}

/// A C string from bytes, cut at the first NUL as C would read it.
pub fn c_string(bytes: &[u8]) -> CString {
    CString::new(until_nul(bytes)).expect("no interior NUL")
}

/// `bytes` up to (not including) the first NUL.
fn until_nul(bytes: &[u8]) -> &[u8] {
    match CStr::from_bytes_until_nul(bytes) {
        Ok(text) => text.to_bytes(),
        Err(_) => bytes,
    }
}

/// Set `slot` to a C string of `value` (cut at the first NUL), or clear it. An earlier
/// value (the slot's, or else the one `clear` left in `spare`) is kept as it is when it
/// holds the same text (common: messages of a stream share addresses and content types),
/// and otherwise lends its buffer; a cleared value goes to `spare`.
fn store_text(slot: &mut Option<CString>, spare: &mut Option<CString>, value: Option<&[u8]>) {
    let old = match slot.take() {
        Some(old) => Some(old),
        None => spare.take(),
    };
    let Some(value) = value else {
        *spare = old;
        return;
    };
    *slot = Some(match old {
        Some(old) if old.to_bytes() == value => old,
        old => {
            let mut buf = old.map_or_else(Vec::new, CString::into_bytes);
            buf.clear();
            // Exactly the room the C string needs, so that CString keeps the buffer.
            buf.reserve_exact(value.len() + 1);
            buf.extend_from_slice(value);
            CString::new(buf).unwrap_or_else(|nul| {
                let at = nul.nul_position();
                let mut buf = nul.into_vec();
                buf.truncate(at);
                CString::new(buf).expect("cut at the first NUL")
            })
        }
    });
}

impl Default for Message {
    fn default() -> Self {
        Message {
            durable: false,
            priority: DEFAULT_PRIORITY,
            ttl: 0,
            first_acquirer: false,
            delivery_count: 0,
            user_id: None,
            address: None,
            subject: None,
            reply_to: None,
            content_type: None,
            content_encoding: None,
            expiry_time: 0,
            creation_time: 0,
            group_id: None,
            group_sequence: 0,
            reply_to_group_id: None,
            inferred: false,
            id: Data::new(),
            correlation_id: Data::new(),
            id_view: false,
            correlation_view: false,
            instructions: Data::new(),
            annotations: Data::new(),
            properties: Data::new(),
            body: Data::new(),
            error: ErrorSlot::default(),
            spare: Spare::default(),
        }
    }
}

impl Message {
    pub fn new() -> Message {
        Message::default()
    }

    /// Reset every field to its default and empty the four data trees, keeping the tree
    /// objects (pointers handed to C stay valid) and the storage of all fields. The error
    /// and whether the id views were handed out are kept.
    pub fn clear(&mut self) {
        // Destructured so that a new field cannot be forgotten here.
        let Message {
            durable,
            priority,
            ttl,
            first_acquirer,
            delivery_count,
            user_id,
            address: _,
            subject: _,
            reply_to: _,
            content_type: _,
            content_encoding: _,
            expiry_time,
            creation_time,
            group_id: _,
            group_sequence,
            reply_to_group_id: _,
            inferred,
            id,
            correlation_id,
            id_view: _,
            correlation_view: _,
            instructions,
            annotations,
            properties,
            body,
            error: _,
            spare: _,
        } = self;
        *durable = false;
        *priority = DEFAULT_PRIORITY;
        *ttl = 0;
        *first_acquirer = false;
        *delivery_count = 0;
        *expiry_time = 0;
        *creation_time = 0;
        *group_sequence = 0;
        *inferred = false;
        if let Some(old) = user_id.take() {
            self.spare.user_id = old;
        }
        for tree in [
            id,
            correlation_id,
            instructions,
            annotations,
            properties,
            body,
        ] {
            tree.clear();
        }
        for field in TextField::ALL {
            self.set_text(field, None);
        }
    }

    pub fn error(&self) -> &ErrorSlot {
        &self.error
    }

    pub fn error_mut(&mut self) -> &mut ErrorSlot {
        &mut self.error
    }

    pub fn instructions(&mut self) -> &mut Data {
        &mut self.instructions
    }

    pub fn annotations(&mut self) -> &mut Data {
        &mut self.annotations
    }

    pub fn properties(&mut self) -> &mut Data {
        &mut self.properties
    }

    pub fn body(&mut self) -> &mut Data {
        &mut self.body
    }

    /// A text field and its spare buffer.
    fn text_slot(&mut self, field: TextField) -> (&mut Option<CString>, &mut Option<CString>) {
        let slot = match field {
            TextField::Address => &mut self.address,
            TextField::Subject => &mut self.subject,
            TextField::ReplyTo => &mut self.reply_to,
            TextField::ContentType => &mut self.content_type,
            TextField::ContentEncoding => &mut self.content_encoding,
            TextField::GroupId => &mut self.group_id,
            TextField::ReplyToGroupId => &mut self.reply_to_group_id,
        };
        (slot, &mut self.spare.text[field as usize])
    }

    /// A text field's value.
    pub fn text(&self, field: TextField) -> Option<&CStr> {
        match field {
            TextField::Address => &self.address,
            TextField::Subject => &self.subject,
            TextField::ReplyTo => &self.reply_to,
            TextField::ContentType => &self.content_type,
            TextField::ContentEncoding => &self.content_encoding,
            TextField::GroupId => &self.group_id,
            TextField::ReplyToGroupId => &self.reply_to_group_id,
        }
        .as_deref()
    }

    /// Set a text field to a copy of `value` (cut at its first NUL, as C reads it), or
    /// unset it; reuses the field's earlier storage.
    pub fn set_text(&mut self, field: TextField, value: Option<&[u8]>) {
        let (slot, spare) = self.text_slot(field);
        store_text(slot, spare, value);
    }

    /// Set the user-id to a copy of `value`, or unset it; reuses its earlier storage.
    pub fn set_user_id(&mut self, value: Option<&[u8]>) {
        let old = self.user_id.take();
        match value {
            Some(bytes) => {
                let mut buf = old.unwrap_or_else(|| std::mem::take(&mut self.spare.user_id));
                buf.clear();
                buf.extend_from_slice(bytes);
                self.user_id = Some(buf);
            }
            None => {
                if let Some(old) = old {
                    self.spare.user_id = old;
                }
            }
        }
    }

    fn id_tree(&self, which: IdField) -> &Data {
        match which {
            IdField::MessageId => &self.id,
            IdField::CorrelationId => &self.correlation_id,
        }
    }

    /// The legacy data view of an id; from now on any scalar type is kept in it.
    pub fn id_view(&mut self, which: IdField) -> &mut Data {
        match which {
            IdField::MessageId => {
                self.id_view = true;
                &mut self.id
            }
            IdField::CorrelationId => {
                self.correlation_view = true;
                &mut self.correlation_id
            }
        }
    }

    /// The id's value (its tree's first value), or None when unset or not a scalar.
    pub fn get_id(&self, which: IdField) -> Option<Scalar<'_>> {
        self.id_tree(which).first_scalar()
    }

    /// The type of the id's value (a data view may hold a compound one).
    pub fn id_type(&self, which: IdField) -> Option<Type> {
        self.id_tree(which).first_type()
    }

    /// Set an id. Without a data view only null, ulong, uuid, binary and string are kept;
    /// other types become null, as in proton.
    pub fn set_id(&mut self, which: IdField, value: Scalar<'_>) -> Result<()> {
        let viewed = match which {
            IdField::MessageId => self.id_view,
            IdField::CorrelationId => self.correlation_view,
        };
        let allowed = matches!(
            value.type_of(),
            Type::Null | Type::Ulong | Type::Uuid | Type::Binary | Type::String
        );
        let value = if viewed || allowed {
            value
        } else {
            Scalar::Null
        };
        let tree = match which {
            IdField::MessageId => &mut self.id,
            IdField::CorrelationId => &mut self.correlation_id,
        };
        tree.clear();
        if value != Scalar::Null || viewed {
            tree.put(value)?;
        }
        Ok(())
    }

    // ---- encoding ----

    /// Encode the whole message, appending to `out`.
    pub fn encode(&self, out: &mut Vec<u8>) {
        self.encode_to(out);
    }

    /// Encode the whole message into `buf`: `Ok(length)`, or `Err(length needed)` when it
    /// does not fit (then `buf` holds only a prefix of the encoding).
    pub fn encode_into(&self, buf: &mut [u8]) -> std::result::Result<usize, usize> {
        let mut sink = ClipSink::new(buf);
        self.encode_to(&mut sink);
        let len = encoder::Sink::len(&sink);
        if sink.fits() {
            Ok(len)
        } else {
            Err(len)
        }
    }

    /// Encode the whole message, appending to any rewritable sink.
    pub fn encode_to(&self, out: &mut impl Buffer) {
        // Everything goes through one staging buffer (see `encoder::Staged`).
        let mut stage = Stage::new();
        let mut out = Staged::new(out, &mut stage);
        let out = &mut out;
        self.encode_header(out);
        encode_map_section(out, section::DELIVERY_ANNOTATIONS, &self.instructions);
        encode_map_section(out, section::MESSAGE_ANNOTATIONS, &self.annotations);
        self.encode_properties(out);
        encode_map_section(out, section::APPLICATION_PROPERTIES, &self.properties);
        if self.body.size() > 0 {
            let code = match (self.inferred, self.body.first_type()) {
                (true, Some(Type::Binary)) => section::DATA,
                (true, Some(Type::List)) => section::AMQP_SEQUENCE,
                _ => section::AMQP_VALUE,
            };
            encoder::write_descriptor(out, code);
            encoder::encode_staged(&self.body, out);
        }
        out.flush();
    }

    /// The length of the encoded message.
    pub fn encoded_len(&self) -> usize {
        match self.encode_into(&mut []) {
            Ok(len) | Err(len) => len,
        }
    }

    /// The encoded message as a new vector.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(self.size_hint());
        self.encode(&mut out);
        out
    }

    /// A guess at the encoded size, for sizing buffers (usually a little more).
    pub fn size_hint(&self) -> usize {
        let texts: usize = TextField::ALL
            .iter()
            .filter_map(|&f| self.text(f))
            .map(|t| t.to_bytes().len() + 5)
            .sum();
        let trees: usize = [
            &self.id,
            &self.correlation_id,
            &self.instructions,
            &self.annotations,
            &self.properties,
            &self.body,
        ]
        .iter()
        .map(|t| t.stored_bytes() + 9 * t.size() + 3)
        .sum();
        64 + texts + trees + self.user_id.as_ref().map_or(0, |u| u.len() + 5)
    }

    #[inline(always)]
    fn encode_header(&self, out: &mut impl Buffer) {
        let mut list = encoder::FieldList::begin(out, section::HEADER);
        list.field(out, self.durable.then_some(Scalar::Bool(true)));
        list.field(
            out,
            (self.priority != DEFAULT_PRIORITY).then_some(Scalar::Ubyte(self.priority)),
        );
        list.field(out, (self.ttl != 0).then_some(Scalar::Uint(self.ttl)));
        list.field(out, self.first_acquirer.then_some(Scalar::Bool(true)));
        list.field(
            out,
            (self.delivery_count != 0).then_some(Scalar::Uint(self.delivery_count)),
        );
        list.finish(out);
    }

    #[inline(always)]
    fn encode_properties(&self, out: &mut impl Buffer) {
        let time = |t: i64| (t != 0).then_some(Scalar::Timestamp(t));
        let mut list = encoder::FieldList::begin(out, section::PROPERTIES);
        list.field(out, self.wire_id(IdField::MessageId));
        list.field(out, self.user_id.as_deref().map(Scalar::Binary));
        list.field(out, string(&self.address));
        list.field(out, string(&self.subject));
        list.field(out, string(&self.reply_to));
        list.field(out, self.wire_id(IdField::CorrelationId));
        list.field(out, symbol(&self.content_type));
        list.field(out, symbol(&self.content_encoding));
        list.field(out, time(self.expiry_time));
        list.field(out, time(self.creation_time));
        list.field(out, string(&self.group_id));
        let group_sequence = self.group_id.is_some() || self.group_sequence != 0;
        list.field(
            out,
            group_sequence.then_some(Scalar::Uint(self.group_sequence)),
        );
        list.field(out, string(&self.reply_to_group_id));
        list.finish(out);
    }

    /// The message as a sequence of described sections in `data` (cleared first), as
    /// `pn_message_data` gives it.
    pub fn to_data(&self, data: &mut Data) -> Result<()> {
        data.clear();
        let bytes = self.to_bytes();
        let mut reader = Reader::new(&bytes);
        while !reader.at_end() {
            reader.decode_into(data)?;
        }
        Ok(())
    }

    // ---- decoding ----

    /// Replace this message with the one encoded in `bytes`.
    ///
    /// As in proton-c 0.37: a repeated section replaces the earlier one; header and
    /// properties fields are read within the list's size and only with their AMQP types
    /// (ids only as ulong, uuid, binary or string); a null section leaves its tree empty;
    /// an unknown section goes into the body as the described value it is. Unlike 0.37,
    /// input that is not a sequence of sections is an error, and the message is cleared
    /// first. Every tree is left rewound, ready for `pn_data_next`.
    pub fn decode(&mut self, bytes: &[u8]) -> Result<()> {
        self.clear();
        let mut reader = Reader::new(bytes);
        let result = (|| {
            while !reader.at_end() {
                let section_bytes = reader.raw_value()?;
                self.decode_section(section_bytes)?;
            }
            Ok(())
        })();
        // The id views stay on their value, as proton leaves them (legacy Python reads
        // them with `get_object()` without moving).
        for tree in [
            &mut self.instructions,
            &mut self.annotations,
            &mut self.properties,
            &mut self.body,
        ] {
            tree.rewind();
        }
        result
    }

    fn decode_section(&mut self, section_bytes: &[u8]) -> Result<()> {
        let mut reader = Reader::new(section_bytes);
        if reader.peek() != Some(0x00) {
            // A bare value where a section belongs: proton takes it as the body (a null,
            // like a null section, leaves the body empty, so re-encoding is stable).
            self.body.clear();
            if reader.peek() == Some(0x40) {
                return Ok(());
            }
            return decoder::decode(&mut self.body, section_bytes).map(drop);
        }
        let code = match reader.descriptor()? {
            Descriptor::Code(code) => Some(code),
            _ => None,
        };
        let tree = match code {
            Some(section::HEADER) => return self.decode_header(reader.rest()),
            Some(section::PROPERTIES) => return self.decode_properties(reader.rest()),
            Some(section::FOOTER) => return Ok(()),
            Some(section::DELIVERY_ANNOTATIONS) => &mut self.instructions,
            Some(section::MESSAGE_ANNOTATIONS) => &mut self.annotations,
            Some(section::APPLICATION_PROPERTIES) => &mut self.properties,
            Some(code @ (section::DATA | section::AMQP_SEQUENCE | section::AMQP_VALUE)) => {
                self.inferred = code != section::AMQP_VALUE;
                &mut self.body
            }
            _ => {
                // Unknown section: the body holds it as the described value it is.
                self.body.clear();
                return decoder::decode(&mut self.body, section_bytes).map(drop);
            }
        };
        tree.clear();
        if reader.peek() == Some(0x40) {
            return Ok(());
        }
        reader.decode_into(tree)
    }

    /// Header fields, read within the list's size; a repeated header replaces the first.
    fn decode_header(&mut self, list: &[u8]) -> Result<()> {
        self.durable = false;
        self.priority = DEFAULT_PRIORITY;
        self.ttl = 0;
        self.first_acquirer = false;
        self.delivery_count = 0;
        let mut fields = FieldReader::new(list)?;
        while let Some((index, value)) = fields.next()? {
            match (index, value) {
                (0, Scalar::Bool(v)) => self.durable = v,
                (1, Scalar::Ubyte(v)) => self.priority = v,
                (2, Scalar::Uint(v)) => self.ttl = v,
                (3, Scalar::Bool(v)) => self.first_acquirer = v,
                (4, Scalar::Uint(v)) => self.delivery_count = v,
                _ => {}
            }
        }
        Ok(())
    }

    /// Properties fields, read within the list's size; a repeated section replaces the
    /// first.
    fn decode_properties(&mut self, list: &[u8]) -> Result<()> {
        for field in TextField::ALL {
            self.set_text(field, None);
        }
        self.set_user_id(None);
        self.id.clear();
        self.correlation_id.clear();
        self.expiry_time = 0;
        self.creation_time = 0;
        self.group_sequence = 0;
        let mut fields = FieldReader::new(list)?;
        while let Some((index, value)) = fields.next()? {
            match (index, value) {
                (0, v) => self.decode_id(IdField::MessageId, v)?,
                (1, Scalar::Binary(b)) => self.set_user_id(Some(b)),
                (2, Scalar::String(b)) => self.set_text(TextField::Address, Some(b)),
                (3, Scalar::String(b)) => self.set_text(TextField::Subject, Some(b)),
                (4, Scalar::String(b)) => self.set_text(TextField::ReplyTo, Some(b)),
                (5, v) => self.decode_id(IdField::CorrelationId, v)?,
                (6, Scalar::Symbol(b)) => self.set_text(TextField::ContentType, Some(b)),
                (7, Scalar::Symbol(b)) => self.set_text(TextField::ContentEncoding, Some(b)),
                (8, Scalar::Timestamp(t)) => self.expiry_time = t,
                (9, Scalar::Timestamp(t)) => self.creation_time = t,
                (10, Scalar::String(b)) => self.set_text(TextField::GroupId, Some(b)),
                (11, Scalar::Uint(v)) => self.group_sequence = v,
                (12, Scalar::String(b)) => self.set_text(TextField::ReplyToGroupId, Some(b)),
                _ => {}
            }
        }
        Ok(())
    }

    /// Store a decoded id; like proton, only the types AMQP allows for ids are kept.
    fn decode_id(&mut self, which: IdField, value: Scalar<'_>) -> Result<()> {
        let tree = match which {
            IdField::MessageId => &mut self.id,
            IdField::CorrelationId => &mut self.correlation_id,
        };
        tree.clear();
        if is_id_type(&value) {
            tree.put(value)?;
        }
        Ok(())
    }

    /// An id as it goes on the wire. Proton 0.37 writes the id types AMQP allows plus
    /// the other unsigned, boolean, timestamp and symbol values a data view may hold;
    /// signed, floating, char and decimal values are left out.
    fn wire_id(&self, which: IdField) -> Option<Scalar<'_>> {
        self.get_id(which).filter(|v| {
            is_id_type(v)
                || matches!(
                    v,
                    Scalar::Bool(_)
                        | Scalar::Ubyte(_)
                        | Scalar::Ushort(_)
                        | Scalar::Uint(_)
                        | Scalar::Timestamp(_)
                        | Scalar::Symbol(_)
                )
        })
    }
}

/// The id types AMQP defines (ulong, uuid, binary, string); proton encodes and decodes
/// only these.
fn is_id_type(value: &Scalar<'_>) -> bool {
    matches!(
        value,
        Scalar::Ulong(_) | Scalar::Uuid(_) | Scalar::Binary(_) | Scalar::String(_)
    )
}

/// Reads the scalar fields of one encoded list, up to the end of its size.
struct FieldReader<'a> {
    reader: Reader<'a>,
    index: u32,
}

impl<'a> FieldReader<'a> {
    fn new(list: &'a [u8]) -> Result<Self> {
        // Bound the reader by the list's own size so that a count larger than its
        // content cannot swallow what follows.
        let mut outer = Reader::new(list);
        let bounded = outer.raw_value()?;
        let mut reader = Reader::new(bounded);
        // A section whose value is not a list has no fields (proton ignores it).
        if reader.list_header().is_err() {
            reader = Reader::new(&[]);
        }
        Ok(FieldReader { reader, index: 0 })
    }

    /// The next field that is a scalar, with its index; compound fields are skipped.
    /// (Inlined: the value comes back in registers, not through memory.)
    #[inline(always)]
    fn next(&mut self) -> Result<Option<(u32, Scalar<'a>)>> {
        // Like proton, the list's size decides how many fields there are, not its count.
        while !self.reader.at_end() {
            let index = self.index;
            self.index += 1;
            match self.reader.field() {
                Ok(Field::Scalar(value)) => return Ok(Some((index, value))),
                Ok(Field::Compound) => {}
                // Bytes inside the list's size that are not a value: the rest is skipped.
                Err(_) => return Ok(None),
            }
        }
        Ok(None)
    }
}

fn string(s: &Option<CString>) -> Option<Scalar<'_>> {
    s.as_ref().map(|s| Scalar::String(s.to_bytes()))
}

fn symbol(s: &Option<CString>) -> Option<Scalar<'_>> {
    s.as_ref().map(|s| Scalar::Symbol(s.to_bytes()))
}

/// A delivery-annotations, message-annotations or application-properties section: only
/// when its tree holds something.
#[inline(always)]
fn encode_map_section<S: Buffer>(out: &mut Staged<'_, S>, code: u64, tree: &Data) {
    if tree.size() > 0 {
        encoder::write_descriptor(out, code);
        encoder::encode_staged(tree, out);
    }
}
