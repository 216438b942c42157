//! The AMQP performatives and SASL frames (spec parts 2.7, 3.4, 3.5, 5.3) with all their
//! fields, and their encoding.
//!
//! Encoding follows proton-c 0.37's choices (list8 when it fits, trailing nulls dropped,
//! the fields proton always writes written explicitly) so that traces and captures look
//! the same. Decoding is strict about structure and types (a wrong type is a decode
//! error) and never trusts a size or count for allocation. Fields that are opaque to the
//! engine (filters, properties, capabilities, unsettled maps) are kept as their encoded
//! bytes ([`Raw`]).

use super::tag::DeliveryTag;
use crate::codec::decoder::{Descriptor, Field, Reader};
use crate::codec::encoder::{write_descriptor, write_scalar, FieldList};
use crate::codec::Scalar;
use crate::error::{code, Error};

/// An AMQP value kept as its encoded bytes.
pub type Raw = Vec<u8>;

/// Performative and frame descriptor codes.
pub mod codes {
    pub const OPEN: u64 = 0x10;
    pub const BEGIN: u64 = 0x11;
    pub const ATTACH: u64 = 0x12;
    pub const FLOW: u64 = 0x13;
    pub const TRANSFER: u64 = 0x14;
    pub const DISPOSITION: u64 = 0x15;
    pub const DETACH: u64 = 0x16;
    pub const END: u64 = 0x17;
    pub const CLOSE: u64 = 0x18;
    pub const ERROR: u64 = 0x1d;
    pub const RECEIVED: u64 = 0x23;
    pub const ACCEPTED: u64 = 0x24;
    pub const REJECTED: u64 = 0x25;
    pub const RELEASED: u64 = 0x26;
    pub const MODIFIED: u64 = 0x27;
    pub const SOURCE: u64 = 0x28;
    pub const TARGET: u64 = 0x29;
    pub const SASL_MECHANISMS: u64 = 0x40;
    pub const SASL_INIT: u64 = 0x41;
    pub const SASL_CHALLENGE: u64 = 0x42;
    pub const SASL_RESPONSE: u64 = 0x43;
    pub const SASL_OUTCOME: u64 = 0x44;
}

/// Which end of a link (spec 2.8.1): false = sender, true = receiver.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    Sender,
    Receiver,
}

impl Role {
    pub fn is_receiver(self) -> bool {
        self == Role::Receiver
    }
}

/// Sender settle mode (spec 2.8.2).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SndSettleMode {
    Unsettled = 0,
    Settled = 1,
    Mixed = 2,
}

/// Receiver settle mode (spec 2.8.3).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RcvSettleMode {
    First = 0,
    Second = 1,
}

/// An error condition (spec 2.8.14).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ErrorCondition {
    pub condition: String,
    pub description: Option<String>,
    /// The info map, encoded.
    pub info: Option<Raw>,
}

impl ErrorCondition {
    pub fn new(condition: &str, description: impl Into<String>) -> Self {
        ErrorCondition {
            condition: condition.to_owned(),
            description: Some(description.into()),
            info: None,
        }
    }
}

/// The state of a delivery (spec 3.4 and 3.5.x).
///
/// `Clone` and `PartialEq` are written out so that their common cases inline: every
/// tracked message compares and copies a state a few times, nearly always `Accepted`.
#[derive(Debug)]
pub enum DeliveryState {
    Received {
        section_number: u32,
        section_offset: u64,
    },
    Accepted,
    /// Boxed, as the other rare payloads: the common states stay 16 bytes, and every
    /// delivery carries two.
    Rejected {
        error: Option<Box<ErrorCondition>>,
    },
    Released,
    Modified {
        delivery_failed: bool,
        undeliverable_here: bool,
        message_annotations: Option<Box<Raw>>,
    },
    /// Any other state (e.g. transactional), kept encoded.
    Other(Box<Raw>),
}

const _: () = assert!(std::mem::size_of::<Option<DeliveryState>>() <= 16);

impl Clone for DeliveryState {
    #[inline(always)]
    fn clone(&self) -> Self {
        match self {
            DeliveryState::Accepted => DeliveryState::Accepted,
            DeliveryState::Released => DeliveryState::Released,
            _ => self.clone_other(),
        }
    }
}

impl DeliveryState {
    #[inline(never)]
    fn clone_other(&self) -> Self {
        use DeliveryState::*;
        match self {
            Accepted => Accepted,
            Released => Released,
            &Received {
                section_number,
                section_offset,
            } => Received {
                section_number,
                section_offset,
            },
            Rejected { error } => Rejected {
                error: error.clone(),
            },
            Modified {
                delivery_failed,
                undeliverable_here,
                message_annotations,
            } => Modified {
                delivery_failed: *delivery_failed,
                undeliverable_here: *undeliverable_here,
                message_annotations: message_annotations.clone(),
            },
            Other(raw) => Other(raw.clone()),
        }
    }
}

impl PartialEq for DeliveryState {
    #[inline(always)]
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (DeliveryState::Accepted, DeliveryState::Accepted) => true,
            (DeliveryState::Accepted, _) | (_, DeliveryState::Accepted) => false,
            _ => self.eq_other(other),
        }
    }
}

impl DeliveryState {
    #[inline(never)]
    fn eq_other(&self, other: &Self) -> bool {
        use DeliveryState::*;
        match (self, other) {
            (Accepted, Accepted) | (Released, Released) => true,
            (
                Received {
                    section_number: n1,
                    section_offset: o1,
                },
                Received {
                    section_number: n2,
                    section_offset: o2,
                },
            ) => (n1, o1) == (n2, o2),
            (Rejected { error: e1 }, Rejected { error: e2 }) => e1 == e2,
            (
                Modified {
                    delivery_failed: f1,
                    undeliverable_here: u1,
                    message_annotations: a1,
                },
                Modified {
                    delivery_failed: f2,
                    undeliverable_here: u2,
                    message_annotations: a2,
                },
            ) => (f1, u1, a1) == (f2, u2, a2),
            (Other(r1), Other(r2)) => r1 == r2,
            _ => false,
        }
    }
}

impl Eq for DeliveryState {}

impl DeliveryState {
    /// Whether this is an outcome (a terminal state), as opposed to `received`.
    pub fn is_outcome(&self) -> bool {
        !matches!(self, DeliveryState::Received { .. })
    }
}

/// A source or target (spec 3.5.3 and 3.5.4); `distribution_mode`, `filter`,
/// `default_outcome` and `outcomes` only exist on sources.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Terminus {
    pub address: Option<String>,
    pub durable: u32,
    pub expiry_policy: Option<String>,
    pub timeout: u32,
    pub dynamic: bool,
    pub dynamic_node_properties: Option<Raw>,
    pub distribution_mode: Option<String>,
    pub filter: Option<Raw>,
    pub default_outcome: Option<Raw>,
    pub outcomes: Option<Raw>,
    pub capabilities: Option<Raw>,
}

/// A link endpoint's terminus as carried by attach: a source, a target, or something
/// else (e.g. a transaction coordinator), kept encoded.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TerminusField {
    Terminus(Terminus),
    Other(Raw),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Open {
    pub container_id: String,
    pub hostname: Option<String>,
    pub max_frame_size: u32,
    pub channel_max: u16,
    pub idle_time_out: Option<u32>,
    pub outgoing_locales: Option<Raw>,
    pub incoming_locales: Option<Raw>,
    pub offered_capabilities: Option<Raw>,
    pub desired_capabilities: Option<Raw>,
    pub properties: Option<Raw>,
}

impl Default for Open {
    fn default() -> Self {
        Open {
            container_id: String::new(),
            hostname: None,
            max_frame_size: u32::MAX,
            channel_max: u16::MAX,
            idle_time_out: None,
            outgoing_locales: None,
            incoming_locales: None,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Begin {
    pub remote_channel: Option<u16>,
    pub next_outgoing_id: u32,
    pub incoming_window: u32,
    pub outgoing_window: u32,
    pub handle_max: u32,
    pub offered_capabilities: Option<Raw>,
    pub desired_capabilities: Option<Raw>,
    pub properties: Option<Raw>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attach {
    pub name: String,
    pub handle: u32,
    pub role: Role,
    pub snd_settle_mode: SndSettleMode,
    pub rcv_settle_mode: RcvSettleMode,
    pub source: Option<TerminusField>,
    pub target: Option<TerminusField>,
    pub unsettled: Option<Raw>,
    pub incomplete_unsettled: bool,
    pub initial_delivery_count: Option<u32>,
    pub max_message_size: Option<u64>,
    pub offered_capabilities: Option<Raw>,
    pub desired_capabilities: Option<Raw>,
    pub properties: Option<Raw>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Flow {
    pub next_incoming_id: Option<u32>,
    pub incoming_window: u32,
    pub next_outgoing_id: u32,
    pub outgoing_window: u32,
    pub handle: Option<u32>,
    pub delivery_count: Option<u32>,
    pub link_credit: Option<u32>,
    pub available: Option<u32>,
    pub drain: bool,
    pub echo: bool,
    pub properties: Option<Raw>,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transfer {
    pub handle: u32,
    pub delivery_id: Option<u32>,
    pub delivery_tag: Option<DeliveryTag>,
    pub message_format: Option<u32>,
    pub settled: Option<bool>,
    pub more: bool,
    pub rcv_settle_mode: Option<RcvSettleMode>,
    pub state: Option<DeliveryState>,
    pub resume: bool,
    pub aborted: bool,
    pub batchable: bool,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Disposition {
    pub role: Role,
    pub first: u32,
    pub last: Option<u32>,
    pub settled: bool,
    pub state: Option<DeliveryState>,
    pub batchable: bool,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Detach {
    pub handle: u32,
    pub closed: bool,
    pub error: Option<ErrorCondition>,
}

/// Any AMQP frame body.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Performative {
    Open(Open),
    Begin(Begin),
    Attach(Attach),
    Flow(Flow),
    Transfer(Transfer),
    Disposition(Disposition),
    Detach(Detach),
    End(Option<ErrorCondition>),
    Close(Option<ErrorCondition>),
}

/// Any SASL frame body (spec 5.3.3).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SaslFrame {
    Mechanisms(Vec<String>),
    Init {
        mechanism: String,
        initial_response: Option<Vec<u8>>,
        hostname: Option<String>,
    },
    Challenge(Vec<u8>),
    Response(Vec<u8>),
    Outcome {
        code: u8,
        additional_data: Option<Vec<u8>>,
    },
}

// ---------------------------------------------------------------------------------------
// Encoding

fn string(s: &Option<String>) -> Option<Scalar<'_>> {
    s.as_ref().map(|s| Scalar::String(s.as_bytes()))
}

fn symbol(s: &Option<String>) -> Option<Scalar<'_>> {
    s.as_ref().map(|s| Scalar::Symbol(s.as_bytes()))
}

/// A described list being written; fields go straight into `out`.
struct Writer<'a> {
    out: &'a mut Vec<u8>,
    list: FieldList,
}

impl<'a> Writer<'a> {
    fn begin(out: &'a mut Vec<u8>, code: u64) -> Self {
        let list = FieldList::begin(out, code);
        Writer { out, list }
    }

    fn scalar(&mut self, value: Option<Scalar<'_>>) -> &mut Self {
        self.list.field(self.out, value);
        self
    }

    /// A field written by `write` (a nested described value or raw bytes); `None` is null.
    fn with(&mut self, present: bool, write: impl FnOnce(&mut Vec<u8>)) -> &mut Self {
        if present {
            self.list.field_with(self.out, write);
        } else {
            self.list.field(self.out, None);
        }
        self
    }

    fn raw(&mut self, raw: &Option<Raw>) -> &mut Self {
        self.raw_bytes(raw.as_deref())
    }

    fn raw_bytes(&mut self, raw: Option<&[u8]>) -> &mut Self {
        self.with(raw.is_some(), |out| {
            out.extend_from_slice(raw.unwrap_or_default())
        })
    }

    fn error(&mut self, error: Option<&ErrorCondition>) -> &mut Self {
        self.with(error.is_some(), |out| {
            if let Some(e) = error {
                e.encode(out)
            }
        })
    }

    fn state(&mut self, state: &Option<DeliveryState>) -> &mut Self {
        self.with(state.is_some(), |out| {
            if let Some(s) = state {
                s.encode(out)
            }
        })
    }

    fn finish(self) {
        self.list.finish(self.out);
    }
}

impl ErrorCondition {
    pub fn encode(&self, out: &mut Vec<u8>) {
        let mut w = Writer::begin(out, codes::ERROR);
        w.scalar(Some(Scalar::Symbol(self.condition.as_bytes())));
        w.scalar(string(&self.description));
        w.raw(&self.info);
        w.finish();
    }
}

impl DeliveryState {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            DeliveryState::Received {
                section_number,
                section_offset,
            } => {
                let mut w = Writer::begin(out, codes::RECEIVED);
                w.scalar(Some(Scalar::Uint(*section_number)));
                w.scalar(Some(Scalar::Ulong(*section_offset)));
                w.finish();
            }
            DeliveryState::Accepted => Writer::begin(out, codes::ACCEPTED).finish(),
            DeliveryState::Released => Writer::begin(out, codes::RELEASED).finish(),
            DeliveryState::Rejected { error } => {
                let mut w = Writer::begin(out, codes::REJECTED);
                w.error(error.as_deref());
                w.finish();
            }
            DeliveryState::Modified {
                delivery_failed,
                undeliverable_here,
                message_annotations,
            } => {
                let mut w = Writer::begin(out, codes::MODIFIED);
                w.scalar(Some(Scalar::Bool(*delivery_failed)));
                w.scalar(Some(Scalar::Bool(*undeliverable_here)));
                w.raw_bytes(message_annotations.as_deref().map(Vec::as_slice));
                w.finish();
            }
            DeliveryState::Other(raw) => out.extend_from_slice(raw),
        }
    }
}

impl Terminus {
    /// Encode as a source (`is_source`) or target, writing the fields proton always writes.
    pub fn encode(&self, out: &mut Vec<u8>, is_source: bool) {
        let mut w = Writer::begin(
            out,
            if is_source {
                codes::SOURCE
            } else {
                codes::TARGET
            },
        );
        w.scalar(string(&self.address));
        w.scalar(Some(Scalar::Uint(self.durable)));
        w.scalar(symbol(&self.expiry_policy));
        w.scalar(Some(Scalar::Uint(self.timeout)));
        w.scalar(Some(Scalar::Bool(self.dynamic)));
        w.raw(&self.dynamic_node_properties);
        if is_source {
            w.scalar(symbol(&self.distribution_mode));
            w.raw(&self.filter);
            w.raw(&self.default_outcome);
            w.raw(&self.outcomes);
        }
        w.raw(&self.capabilities);
        w.finish();
    }
}

impl TerminusField {
    fn encode(&self, out: &mut Vec<u8>, is_source: bool) {
        match self {
            TerminusField::Terminus(t) => t.encode(out, is_source),
            TerminusField::Other(raw) => out.extend_from_slice(raw),
        }
    }
}

impl Performative {
    /// Encode the performative (not the frame header, not a transfer's payload).
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            Performative::Open(o) => {
                let mut w = Writer::begin(out, codes::OPEN);
                w.scalar(Some(Scalar::String(o.container_id.as_bytes())));
                w.scalar(string(&o.hostname));
                w.scalar((o.max_frame_size != u32::MAX).then_some(Scalar::Uint(o.max_frame_size)));
                w.scalar((o.channel_max != u16::MAX).then_some(Scalar::Ushort(o.channel_max)));
                w.scalar(o.idle_time_out.map(Scalar::Uint));
                w.raw(&o.outgoing_locales).raw(&o.incoming_locales);
                w.raw(&o.offered_capabilities)
                    .raw(&o.desired_capabilities)
                    .raw(&o.properties);
                w.finish();
            }
            Performative::Begin(b) => {
                let mut w = Writer::begin(out, codes::BEGIN);
                w.scalar(b.remote_channel.map(Scalar::Ushort));
                w.scalar(Some(Scalar::Uint(b.next_outgoing_id)));
                w.scalar(Some(Scalar::Uint(b.incoming_window)));
                w.scalar(Some(Scalar::Uint(b.outgoing_window)));
                w.scalar((b.handle_max != u32::MAX).then_some(Scalar::Uint(b.handle_max)));
                w.raw(&b.offered_capabilities)
                    .raw(&b.desired_capabilities)
                    .raw(&b.properties);
                w.finish();
            }
            Performative::Attach(a) => {
                let mut w = Writer::begin(out, codes::ATTACH);
                w.scalar(Some(Scalar::String(a.name.as_bytes())));
                w.scalar(Some(Scalar::Uint(a.handle)));
                w.scalar(Some(Scalar::Bool(a.role.is_receiver())));
                w.scalar(Some(Scalar::Ubyte(a.snd_settle_mode as u8)));
                w.scalar(Some(Scalar::Ubyte(a.rcv_settle_mode as u8)));
                w.with(a.source.is_some(), |out| {
                    a.source.as_ref().map_or((), |s| s.encode(out, true))
                });
                w.with(a.target.is_some(), |out| {
                    a.target.as_ref().map_or((), |t| t.encode(out, false))
                });
                w.raw(&a.unsettled);
                w.scalar(a.incomplete_unsettled.then_some(Scalar::Bool(true)));
                w.scalar(a.initial_delivery_count.map(Scalar::Uint));
                w.scalar(a.max_message_size.map(Scalar::Ulong));
                w.raw(&a.offered_capabilities)
                    .raw(&a.desired_capabilities)
                    .raw(&a.properties);
                w.finish();
            }
            Performative::Flow(f) => {
                let mut w = Writer::begin(out, codes::FLOW);
                w.scalar(f.next_incoming_id.map(Scalar::Uint));
                w.scalar(Some(Scalar::Uint(f.incoming_window)));
                w.scalar(Some(Scalar::Uint(f.next_outgoing_id)));
                w.scalar(Some(Scalar::Uint(f.outgoing_window)));
                w.scalar(f.handle.map(Scalar::Uint));
                w.scalar(f.delivery_count.map(Scalar::Uint));
                w.scalar(f.link_credit.map(Scalar::Uint));
                w.scalar(f.available.map(Scalar::Uint));
                w.scalar(f.handle.is_some().then_some(Scalar::Bool(f.drain)));
                w.scalar(f.echo.then_some(Scalar::Bool(true)));
                w.raw(&f.properties);
                w.finish();
            }
            Performative::Transfer(t) => {
                let mut w = Writer::begin(out, codes::TRANSFER);
                w.scalar(Some(Scalar::Uint(t.handle)));
                w.scalar(t.delivery_id.map(Scalar::Uint));
                w.scalar(t.delivery_tag.as_deref().map(Scalar::Binary));
                w.scalar(t.message_format.map(Scalar::Uint));
                w.scalar(t.settled.map(Scalar::Bool));
                w.scalar(t.more.then_some(Scalar::Bool(true)));
                w.scalar(t.rcv_settle_mode.map(|m| Scalar::Ubyte(m as u8)));
                w.state(&t.state);
                w.scalar(t.resume.then_some(Scalar::Bool(true)));
                w.scalar(t.aborted.then_some(Scalar::Bool(true)));
                w.scalar(t.batchable.then_some(Scalar::Bool(true)));
                w.finish();
            }
            Performative::Disposition(d) => {
                let mut w = Writer::begin(out, codes::DISPOSITION);
                w.scalar(Some(Scalar::Bool(d.role.is_receiver())));
                w.scalar(Some(Scalar::Uint(d.first)));
                w.scalar(d.last.map(Scalar::Uint));
                w.scalar(d.settled.then_some(Scalar::Bool(true)));
                w.state(&d.state);
                w.scalar(d.batchable.then_some(Scalar::Bool(true)));
                w.finish();
            }
            Performative::Detach(d) => {
                let mut w = Writer::begin(out, codes::DETACH);
                w.scalar(Some(Scalar::Uint(d.handle)));
                w.scalar(d.closed.then_some(Scalar::Bool(true)));
                w.error(d.error.as_ref());
                w.finish();
            }
            Performative::End(error) => {
                let mut w = Writer::begin(out, codes::END);
                w.error(error.as_ref());
                w.finish();
            }
            Performative::Close(error) => {
                let mut w = Writer::begin(out, codes::CLOSE);
                w.error(error.as_ref());
                w.finish();
            }
        }
    }

    /// The performative's name, as in traces.
    pub fn name(&self) -> &'static str {
        match self {
            Performative::Open(_) => "open",
            Performative::Begin(_) => "begin",
            Performative::Attach(_) => "attach",
            Performative::Flow(_) => "flow",
            Performative::Transfer(_) => "transfer",
            Performative::Disposition(_) => "disposition",
            Performative::Detach(_) => "detach",
            Performative::End(_) => "end",
            Performative::Close(_) => "close",
        }
    }
}

impl SaslFrame {
    pub fn encode(&self, out: &mut Vec<u8>) {
        match self {
            SaslFrame::Mechanisms(mechs) => {
                let mut w = Writer::begin(out, codes::SASL_MECHANISMS);
                w.with(true, |out| write_symbol_array(out, mechs));
                w.finish();
            }
            SaslFrame::Init {
                mechanism,
                initial_response,
                hostname,
            } => {
                let mut w = Writer::begin(out, codes::SASL_INIT);
                w.scalar(Some(Scalar::Symbol(mechanism.as_bytes())));
                w.scalar(initial_response.as_deref().map(Scalar::Binary));
                w.scalar(string(hostname));
                w.finish();
            }
            SaslFrame::Challenge(bytes) => {
                let mut w = Writer::begin(out, codes::SASL_CHALLENGE);
                w.scalar(Some(Scalar::Binary(bytes)));
                w.finish();
            }
            SaslFrame::Response(bytes) => {
                let mut w = Writer::begin(out, codes::SASL_RESPONSE);
                w.scalar(Some(Scalar::Binary(bytes)));
                w.finish();
            }
            SaslFrame::Outcome {
                code,
                additional_data,
            } => {
                let mut w = Writer::begin(out, codes::SASL_OUTCOME);
                w.scalar(Some(Scalar::Ubyte(*code)));
                w.scalar(additional_data.as_deref().map(Scalar::Binary));
                w.finish();
            }
        }
    }
}

/// A multiple symbol field as proton writes it: an array of symbols (sym8 elements when
/// all fit, which AMQP permits as `sym8` in an array8).
fn write_symbol_array(out: &mut Vec<u8>, symbols: &[String]) {
    let body: usize = symbols.iter().map(|s| 4 + s.len()).sum();
    out.push(0xf0);
    out.extend_from_slice(&((body + 5) as u32).to_be_bytes());
    out.extend_from_slice(&(symbols.len() as u32).to_be_bytes());
    out.push(0xb3);
    for s in symbols {
        out.extend_from_slice(&(s.len() as u32).to_be_bytes());
        out.extend_from_slice(s.as_bytes());
    }
}

// ---------------------------------------------------------------------------------------
// Decoding

/// A decode failure: `amqp:decode-error` with a description.
pub fn decode_error(what: impl Into<String>) -> Error {
    Error::new(code::ARG_ERR, what)
}

/// Reads the fields of one described list in order; absent trailing fields read as null.
struct Fields<'r, 'a> {
    reader: &'r mut Reader<'a>,
    left: u32,
}

impl<'r, 'a> Fields<'r, 'a> {
    fn open(reader: &'r mut Reader<'a>) -> Result<Self, Error> {
        let left = reader.list_header()?;
        Ok(Fields { reader, left })
    }

    /// The next field's scalar, None if null or absent; compound values are an error.
    fn next(&mut self, name: &str) -> Result<Option<Scalar<'a>>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        match self.reader.field()? {
            Field::Scalar(Scalar::Null) => Ok(None),
            Field::Scalar(s) => Ok(Some(s)),
            Field::Compound => Err(decode_error(format!("{name}: unexpected compound value"))),
        }
    }

    /// The next field if it is present and not null, as its raw bytes.
    fn raw(&mut self) -> Result<Option<Raw>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        if self.reader.peek() == Some(0x40) {
            self.reader.field()?;
            return Ok(None);
        }
        Ok(Some(self.reader.raw_value()?.to_vec()))
    }

    /// The next field, parsed by `parse` from its encoded bytes when it is a described
    /// value; None if null.
    fn described<T>(
        &mut self,
        parse: impl FnOnce(&[u8]) -> Result<T, Error>,
    ) -> Result<Option<T>, Error> {
        if self.left == 0 {
            return Ok(None);
        }
        self.left -= 1;
        match self.reader.peek() {
            Some(0x40) => {
                self.reader.field()?;
                Ok(None)
            }
            Some(0x00) => parse(self.reader.raw_value()?).map(Some),
            _ => Err(decode_error("expected a described value")),
        }
    }

    fn uint(&mut self, name: &str) -> Result<Option<u32>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Uint(v)) => Ok(Some(v)),
            Some(Scalar::Ushort(v)) => Ok(Some(v as u32)),
            Some(Scalar::Ubyte(v)) => Ok(Some(v as u32)),
            Some(other) => Err(type_error(name, "uint", other)),
        }
    }

    fn required_uint(&mut self, name: &str) -> Result<u32, Error> {
        self.uint(name)?
            .ok_or_else(|| decode_error(format!("missing mandatory field {name}")))
    }

    fn ulong(&mut self, name: &str) -> Result<Option<u64>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Ulong(v)) => Ok(Some(v)),
            Some(Scalar::Uint(v)) => Ok(Some(v as u64)),
            Some(other) => Err(type_error(name, "ulong", other)),
        }
    }

    fn ushort(&mut self, name: &str) -> Result<Option<u16>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Ushort(v)) => Ok(Some(v)),
            Some(other) => Err(type_error(name, "ushort", other)),
        }
    }

    fn ubyte(&mut self, name: &str) -> Result<Option<u8>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Ubyte(v)) => Ok(Some(v)),
            Some(other) => Err(type_error(name, "ubyte", other)),
        }
    }

    fn boolean(&mut self, name: &str) -> Result<Option<bool>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Bool(v)) => Ok(Some(v)),
            Some(other) => Err(type_error(name, "boolean", other)),
        }
    }

    fn flag(&mut self, name: &str) -> Result<bool, Error> {
        Ok(self.boolean(name)?.unwrap_or(false))
    }

    fn text(&mut self, name: &str) -> Result<Option<String>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::String(b)) | Some(Scalar::Symbol(b)) => {
                Ok(Some(String::from_utf8_lossy(b).into_owned()))
            }
            Some(other) => Err(type_error(name, "string", other)),
        }
    }

    fn tag(&mut self, name: &str) -> Result<Option<DeliveryTag>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Binary(b)) => Ok(Some(DeliveryTag::new(b))),
            Some(other) => Err(type_error(name, "binary", other)),
        }
    }

    fn binary(&mut self, name: &str) -> Result<Option<Vec<u8>>, Error> {
        match self.next(name)? {
            None => Ok(None),
            Some(Scalar::Binary(b)) => Ok(Some(b.to_vec())),
            Some(other) => Err(type_error(name, "binary", other)),
        }
    }

    /// Skip fields this version of AMQP does not define.
    fn finish(mut self) -> Result<(), Error> {
        while self.left > 0 {
            self.left -= 1;
            self.reader.field()?;
        }
        Ok(())
    }
}

fn type_error(field: &str, wanted: &str, got: Scalar<'_>) -> Error {
    decode_error(format!(
        "{field}: expected {wanted}, got {:?}",
        got.type_of()
    ))
}

fn descriptor_code(reader: &mut Reader<'_>) -> Result<u64, Error> {
    match reader.descriptor()? {
        Descriptor::Code(c) => Ok(c),
        Descriptor::Name(name) => symbolic_code(name).ok_or_else(|| {
            decode_error(format!(
                "unknown descriptor {}",
                String::from_utf8_lossy(name)
            ))
        }),
        Descriptor::Other => Err(decode_error("unsupported descriptor type")),
    }
}

/// The numeric code of a symbolic descriptor (`amqp:open:list`, ...).
fn symbolic_code(name: &[u8]) -> Option<u64> {
    Some(match name {
        b"amqp:open:list" => codes::OPEN,
        b"amqp:begin:list" => codes::BEGIN,
        b"amqp:attach:list" => codes::ATTACH,
        b"amqp:flow:list" => codes::FLOW,
        b"amqp:transfer:list" => codes::TRANSFER,
        b"amqp:disposition:list" => codes::DISPOSITION,
        b"amqp:detach:list" => codes::DETACH,
        b"amqp:end:list" => codes::END,
        b"amqp:close:list" => codes::CLOSE,
        b"amqp:error:list" => codes::ERROR,
        b"amqp:received:list" => codes::RECEIVED,
        b"amqp:accepted:list" => codes::ACCEPTED,
        b"amqp:rejected:list" => codes::REJECTED,
        b"amqp:released:list" => codes::RELEASED,
        b"amqp:modified:list" => codes::MODIFIED,
        b"amqp:source:list" => codes::SOURCE,
        b"amqp:target:list" => codes::TARGET,
        b"amqp:sasl-mechanisms:list" => codes::SASL_MECHANISMS,
        b"amqp:sasl-init:list" => codes::SASL_INIT,
        b"amqp:sasl-challenge:list" => codes::SASL_CHALLENGE,
        b"amqp:sasl-response:list" => codes::SASL_RESPONSE,
        b"amqp:sasl-outcome:list" => codes::SASL_OUTCOME,
        _ => return None,
    })
}

impl ErrorCondition {
    fn decode(raw: &[u8]) -> Result<Self, Error> {
        let reader = &mut Reader::new(raw);
        if descriptor_code(reader)? != codes::ERROR {
            return Err(decode_error("expected an error"));
        }
        let mut f = Fields::open(reader)?;
        let condition = f
            .text("condition")?
            .ok_or_else(|| decode_error("error without a condition"))?;
        let description = f.text("description")?;
        let info = f.raw()?;
        f.finish()?;
        Ok(ErrorCondition {
            condition,
            description,
            info,
        })
    }
}

impl DeliveryState {
    fn decode(raw: &[u8]) -> Result<Self, Error> {
        let reader = &mut Reader::new(raw);
        let code = descriptor_code(reader)?;
        let mut f = Fields::open(reader)?;
        let state = match code {
            codes::RECEIVED => DeliveryState::Received {
                section_number: f.uint("section-number")?.unwrap_or(0),
                section_offset: f.ulong("section-offset")?.unwrap_or(0),
            },
            codes::ACCEPTED => DeliveryState::Accepted,
            codes::RELEASED => DeliveryState::Released,
            codes::REJECTED => DeliveryState::Rejected {
                error: f.described(ErrorCondition::decode)?.map(Box::new),
            },
            codes::MODIFIED => DeliveryState::Modified {
                delivery_failed: f.flag("delivery-failed")?,
                undeliverable_here: f.flag("undeliverable-here")?,
                message_annotations: f.raw()?.map(Box::new),
            },
            _ => {
                f.finish()?;
                return Ok(DeliveryState::Other(Box::new(raw.to_vec())));
            }
        };
        f.finish()?;
        Ok(state)
    }
}

impl Terminus {
    fn decode(raw: &[u8]) -> Result<TerminusField, Error> {
        let reader = &mut Reader::new(raw);
        let code = descriptor_code(reader)?;
        if code != codes::SOURCE && code != codes::TARGET {
            return Ok(TerminusField::Other(raw.to_vec()));
        }
        let is_source = code == codes::SOURCE;
        let mut f = Fields::open(reader)?;
        let mut t = Terminus {
            address: f.text("address")?,
            durable: f.uint("durable")?.unwrap_or(0),
            expiry_policy: f.text("expiry-policy")?,
            timeout: f.uint("timeout")?.unwrap_or(0),
            dynamic: f.flag("dynamic")?,
            dynamic_node_properties: f.raw()?,
            ..Terminus::default()
        };
        if is_source {
            t.distribution_mode = f.text("distribution-mode")?;
            t.filter = f.raw()?;
            t.default_outcome = f.raw()?;
            t.outcomes = f.raw()?;
        }
        t.capabilities = f.raw()?;
        f.finish()?;
        Ok(TerminusField::Terminus(t))
    }
}

/// Decode an AMQP frame body: the performative, and what follows it (a transfer's payload).
pub fn decode_performative(body: &[u8]) -> Result<(Performative, &[u8]), Error> {
    let mut reader = Reader::new(body);
    let code = descriptor_code(&mut reader)?;
    // Where the list says it ends: the payload starts there, so the fields must too.
    let list_end = list_extent(&body[reader.position()..]).map(|n| reader.position() + n);
    let mut f = Fields::open(&mut reader)?;
    let performative = match code {
        codes::OPEN => {
            let open = Open {
                container_id: f
                    .text("container-id")?
                    .ok_or_else(|| decode_error("open without a container-id"))?,
                hostname: f.text("hostname")?,
                max_frame_size: f.uint("max-frame-size")?.unwrap_or(u32::MAX),
                channel_max: f.ushort("channel-max")?.unwrap_or(u16::MAX),
                idle_time_out: f.uint("idle-time-out")?,
                outgoing_locales: f.raw()?,
                incoming_locales: f.raw()?,
                offered_capabilities: f.raw()?,
                desired_capabilities: f.raw()?,
                properties: f.raw()?,
            };
            Performative::Open(open)
        }
        codes::BEGIN => Performative::Begin(Begin {
            remote_channel: f.ushort("remote-channel")?,
            next_outgoing_id: f.required_uint("next-outgoing-id")?,
            incoming_window: f.required_uint("incoming-window")?,
            outgoing_window: f.required_uint("outgoing-window")?,
            handle_max: f.uint("handle-max")?.unwrap_or(u32::MAX),
            offered_capabilities: f.raw()?,
            desired_capabilities: f.raw()?,
            properties: f.raw()?,
        }),
        codes::ATTACH => {
            let name = f
                .text("name")?
                .ok_or_else(|| decode_error("attach without a name"))?;
            let handle = f.required_uint("handle")?;
            let role = match f.boolean("role")? {
                Some(true) => Role::Receiver,
                Some(false) => Role::Sender,
                None => return Err(decode_error("attach without a role")),
            };
            let snd_settle_mode = match f.ubyte("snd-settle-mode")?.unwrap_or(2) {
                0 => SndSettleMode::Unsettled,
                1 => SndSettleMode::Settled,
                2 => SndSettleMode::Mixed,
                v => return Err(decode_error(format!("bad snd-settle-mode {v}"))),
            };
            let rcv_settle_mode = match f.ubyte("rcv-settle-mode")?.unwrap_or(0) {
                0 => RcvSettleMode::First,
                1 => RcvSettleMode::Second,
                v => return Err(decode_error(format!("bad rcv-settle-mode {v}"))),
            };
            Performative::Attach(Attach {
                name,
                handle,
                role,
                snd_settle_mode,
                rcv_settle_mode,
                source: f.described(Terminus::decode)?,
                target: f.described(Terminus::decode)?,
                unsettled: f.raw()?,
                incomplete_unsettled: f.flag("incomplete-unsettled")?,
                initial_delivery_count: f.uint("initial-delivery-count")?,
                max_message_size: f.ulong("max-message-size")?,
                offered_capabilities: f.raw()?,
                desired_capabilities: f.raw()?,
                properties: f.raw()?,
            })
        }
        codes::FLOW => Performative::Flow(Flow {
            next_incoming_id: f.uint("next-incoming-id")?,
            incoming_window: f.required_uint("incoming-window")?,
            next_outgoing_id: f.required_uint("next-outgoing-id")?,
            outgoing_window: f.required_uint("outgoing-window")?,
            handle: f.uint("handle")?,
            delivery_count: f.uint("delivery-count")?,
            link_credit: f.uint("link-credit")?,
            available: f.uint("available")?,
            drain: f.flag("drain")?,
            echo: f.flag("echo")?,
            properties: f.raw()?,
        }),
        codes::TRANSFER => Performative::Transfer(Transfer {
            handle: f.required_uint("handle")?,
            delivery_id: f.uint("delivery-id")?,
            delivery_tag: f.tag("delivery-tag")?,
            message_format: f.uint("message-format")?,
            settled: f.boolean("settled")?,
            more: f.flag("more")?,
            rcv_settle_mode: match f.ubyte("rcv-settle-mode")? {
                None => None,
                Some(0) => Some(RcvSettleMode::First),
                Some(1) => Some(RcvSettleMode::Second),
                Some(v) => return Err(decode_error(format!("bad rcv-settle-mode {v}"))),
            },
            state: f.described(DeliveryState::decode)?,
            resume: f.flag("resume")?,
            aborted: f.flag("aborted")?,
            batchable: f.flag("batchable")?,
        }),
        codes::DISPOSITION => {
            let role = match f.boolean("role")? {
                Some(true) => Role::Receiver,
                Some(false) => Role::Sender,
                None => return Err(decode_error("disposition without a role")),
            };
            Performative::Disposition(Disposition {
                role,
                first: f.required_uint("first")?,
                last: f.uint("last")?,
                settled: f.flag("settled")?,
                state: f.described(DeliveryState::decode)?,
                batchable: f.flag("batchable")?,
            })
        }
        codes::DETACH => Performative::Detach(Detach {
            handle: f.required_uint("handle")?,
            closed: f.flag("closed")?,
            error: f.described(ErrorCondition::decode)?,
        }),
        codes::END => Performative::End(f.described(ErrorCondition::decode)?),
        codes::CLOSE => Performative::Close(f.described(ErrorCondition::decode)?),
        other => return Err(decode_error(format!("unknown performative {other:#x}"))),
    };
    f.finish()?;
    if list_end.is_some_and(|end| end != reader.position()) {
        return Err(decode_error(format!(
            "{}: the list's size does not match its fields",
            performative.name()
        )));
    }
    let payload = reader.rest();
    Ok((performative, payload))
}

/// The encoded length of the list at the start of `bytes` (list0, list8, list32, or a null
/// standing for an empty list), from its header; None if it is not one.
fn list_extent(bytes: &[u8]) -> Option<usize> {
    match *bytes.first()? {
        0x40 | 0x45 => Some(1),
        0xc0 => Some(2 + *bytes.get(1)? as usize),
        0xd0 => {
            let size = u32::from_be_bytes(bytes.get(1..5)?.try_into().ok()?);
            5usize.checked_add(size as usize)
        }
        _ => None,
    }
}

/// Decode a SASL frame body.
pub fn decode_sasl(body: &[u8]) -> Result<SaslFrame, Error> {
    let mut reader = Reader::new(body);
    let code = descriptor_code(&mut reader)?;
    let mut f = Fields::open(&mut reader)?;
    let frame = match code {
        codes::SASL_MECHANISMS => {
            let raw = f.raw()?.unwrap_or_default();
            SaslFrame::Mechanisms(decode_symbols(&raw)?)
        }
        codes::SASL_INIT => SaslFrame::Init {
            mechanism: f
                .text("mechanism")?
                .ok_or_else(|| decode_error("sasl-init without a mechanism"))?,
            initial_response: f.binary("initial-response")?,
            hostname: f.text("hostname")?,
        },
        codes::SASL_CHALLENGE => SaslFrame::Challenge(f.binary("challenge")?.unwrap_or_default()),
        codes::SASL_RESPONSE => SaslFrame::Response(f.binary("response")?.unwrap_or_default()),
        codes::SASL_OUTCOME => SaslFrame::Outcome {
            code: f
                .ubyte("code")?
                .ok_or_else(|| decode_error("sasl-outcome without a code"))?,
            additional_data: f.binary("additional-data")?,
        },
        other => return Err(decode_error(format!("unknown SASL frame {other:#x}"))),
    };
    f.finish()?;
    Ok(frame)
}

/// A "multiple symbol" value: one symbol, or an array of them.
fn decode_symbols(raw: &[u8]) -> Result<Vec<String>, Error> {
    if raw.is_empty() {
        return Ok(Vec::new());
    }
    let mut data = crate::codec::Data::new();
    crate::codec::decoder::decode(&mut data, raw)?;
    data.rewind();
    data.next();
    let mut symbols = Vec::new();
    match data.scalar() {
        Some(Scalar::Symbol(s)) => symbols.push(String::from_utf8_lossy(s).into_owned()),
        _ => {
            if data.enter() {
                while data.next() {
                    if let Some(Scalar::Symbol(s)) = data.scalar() {
                        symbols.push(String::from_utf8_lossy(s).into_owned());
                    }
                }
            }
        }
    }
    Ok(symbols)
}

/// Write a scalar with its own constructor (re-exported for the engine's frame writer).
pub fn write_value(out: &mut Vec<u8>, value: &Scalar<'_>) {
    write_scalar(out, value);
}

/// Write a described value's descriptor (re-exported for the engine's frame writer).
pub fn write_described(out: &mut Vec<u8>, code: u64) {
    write_descriptor(out, code);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delivery_states_clone_to_equal_values_and_differ_by_any_field() {
        let error = |d: &str| Some(Box::new(ErrorCondition::new("amqp:internal-error", d)));
        let modified = |f, u, a: Option<Raw>| DeliveryState::Modified {
            delivery_failed: f,
            undeliverable_here: u,
            message_annotations: a.map(Box::new),
        };
        let received = |n, o| DeliveryState::Received {
            section_number: n,
            section_offset: o,
        };
        let states = [
            DeliveryState::Accepted,
            DeliveryState::Released,
            received(0, 0),
            received(1, 0),
            received(0, 1),
            DeliveryState::Rejected { error: None },
            DeliveryState::Rejected { error: error("a") },
            DeliveryState::Rejected { error: error("b") },
            modified(false, false, None),
            modified(true, false, None),
            modified(false, true, None),
            modified(false, false, Some(vec![0x40])),
            DeliveryState::Other(Box::new(vec![1])),
            DeliveryState::Other(Box::new(vec![2])),
        ];
        for (i, a) in states.iter().enumerate() {
            assert_eq!(&a.clone(), a);
            for (j, b) in states.iter().enumerate() {
                assert_eq!(a == b, i == j, "{a:?} vs {b:?}");
            }
        }
    }
}
