//! One AMQP connection, sans-IO: the transport (headers, SASL, frames, heartbeats) and the
//! connection, session, link and delivery state machines (spec part 2).
//!
//! Feed it bytes with [`Connection::handle_input`] and the time with
//! [`Connection::handle_timeout`]; take bytes to send from [`Connection::poll_output`],
//! events from [`Connection::poll_event`] and the next deadline from
//! [`Connection::poll_timeout`]. Application calls (open, attach, send, settle, ...)
//! only change state and queue frames. Protocol errors from the peer close the connection
//! with the matching AMQP condition; nothing the peer sends can make it panic or allocate
//! beyond the frame size we advertised. Deliveries are held once: outgoing payloads are
//! cut into frames as the output drains, never copied whole.

use super::endpoint::*;
use super::frame::{self, Frame, FrameError, FrameType, ProtocolHeader, AMQP_HEADER, SASL_HEADER};
use super::performative::*;
use super::sasl::{ClientCredentials, Sasl, SaslResult, ServerPolicy};
use super::slab::Slab;
use super::tag::DeliveryTag;
use super::trace;
use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// AMQP error conditions the engine raises (spec 2.8.15-2.8.18).
pub mod condition {
    pub const INTERNAL_ERROR: &str = "amqp:internal-error";
    pub const NOT_FOUND: &str = "amqp:not-found";
    pub const DECODE_ERROR: &str = "amqp:decode-error";
    pub const RESOURCE_LIMIT_EXCEEDED: &str = "amqp:resource-limit-exceeded";
    pub const NOT_ALLOWED: &str = "amqp:not-allowed";
    pub const INVALID_FIELD: &str = "amqp:invalid-field";
    pub const NOT_IMPLEMENTED: &str = "amqp:not-implemented";
    pub const FRAMING_ERROR: &str = "amqp:connection:framing-error";
    pub const UNATTACHED_HANDLE: &str = "amqp:session:unattached-handle";
    pub const WINDOW_VIOLATION: &str = "amqp:session:window-violation";
    pub const TRANSFER_LIMIT_EXCEEDED: &str = "amqp:link:transfer-limit-exceeded";
    pub const UNAUTHORIZED_ACCESS: &str = "amqp:unauthorized-access";
    /// Proton's name for I/O failures of the transport.
    pub const IO_ERROR: &str = "proton:io";
}

/// Which end opened the TCP connection.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    Client,
    Server,
}

/// How to run a connection.
#[derive(Clone, Debug)]
pub struct Config {
    pub side: Side,
    pub container_id: String,
    /// The hostname to put in open (clients).
    pub hostname: Option<String>,
    /// Clients: authenticate with SASL using these credentials (None: no SASL layer).
    pub sasl: Option<ClientCredentials>,
    /// Servers: what SASL offers when a client asks for it.
    pub sasl_policy: ServerPolicy,
    /// The largest frame we accept (advertised in open).
    pub max_frame_size: u32,
    pub channel_max: u16,
    /// Our idle timeout, advertised in open; None: we never time the peer out.
    pub idle_timeout: Option<Duration>,
    /// Produce frame trace lines (see [`Connection::poll_trace`]).
    pub trace: bool,
    /// Raise [`Event::Delivery`] for every delivery a disposition of the peer updates or
    /// settles (how to learn outcomes, or to settle after the sender in rcv-settle-mode
    /// second). An application that reads delivery states when it wants them saves an
    /// event per delivery.
    pub disposition_events: bool,
    /// Adopt each state the peer gives a delivery we sent as our own, and tell the peer
    /// (proton's messenger does: the receiver sees its outcome acknowledged).
    pub echo_outcomes: bool,
    /// Hold dispositions while the peer is part way through sending us a frame (see
    /// [`DEFER_MAX`]): a peer busy sending is not waiting for them, and answering every
    /// few frames makes both ends pay for traffic in both directions (TCP's slow path).
    pub defer_dispositions: bool,
}

impl Config {
    pub fn new(side: Side, container_id: impl Into<String>) -> Config {
        Config {
            side,
            container_id: container_id.into(),
            hostname: None,
            sasl: None,
            sasl_policy: ServerPolicy::default(),
            max_frame_size: DEFAULT_MAX_FRAME_SIZE,
            channel_max: 32767,
            idle_timeout: None,
            trace: false,
            disposition_events: true,
            echo_outcomes: false,
            defer_dispositions: false,
        }
    }
}

/// With [`Config::defer_dispositions`], dispositions wait for the peer's frame in progress
/// only while fewer than this many updates are pending, and for at most [`DEFER_FOR`].
pub const DEFER_MAX: usize = 256;
pub const DEFER_FOR: Duration = Duration::from_millis(1);

/// The frame size we accept unless told otherwise: large messages are split by the peer.
pub const DEFAULT_MAX_FRAME_SIZE: u32 = 1024 * 1024;

/// Which frames of a session [`Connection::flush_session`] writes.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    Head,
    Tail,
}

/// The most a transfer performative as flush_transfers writes it can take besides its
/// delivery-tag's bytes: descriptor (at most 10), list32 header (9), handle,
/// delivery-id and message-format (5 each), the tag's vbin32 constructor and size (5),
/// settled and more (1 each), rcv-settle-mode (2), state, resume, aborted and batchable
/// (null, 1 each); with room to spare.
const TRANSFER_MAX_LEN: usize = 64;

/// How many payload buffers, and how many bytes of them, a connection keeps for reuse.
pub const SPARE_BUFFERS: usize = 64;
pub const SPARE_BYTES: usize = 4 * 1024 * 1024;

/// Stop cutting transfer frames once this much output is waiting.
const OUTPUT_HIGH_WATER: usize = 1024 * 1024;

/// The largest transfer frame we write, however large the peer allows. proton-c writes a
/// message in one frame when the peer sets no limit, and some peers (proton's example
/// brokers) mishandle multi-frame messages, so messages up to this size go whole; larger
/// ones are cut so that the output stays bounded.
const FRAME_CAP: usize = 16 * 1024 * 1024;

/// Something the application may want to react to.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// The peer's open arrived.
    ConnectionRemoteOpen,
    /// The peer closed the connection (its error, if any, is the remote condition).
    ConnectionRemoteClose,
    SessionRemoteBegin(SessionId),
    SessionRemoteEnd(SessionId),
    /// The peer attached a link; for one it initiated, the link is new here.
    LinkRemoteAttach(LinkId),
    LinkRemoteDetach(LinkId),
    /// Credit or drain changed on a link.
    LinkFlow(LinkId),
    /// An incoming delivery got more data, completed, or was aborted; or (unless
    /// [`Config::disposition_events`] is off) the peer updated or settled a delivery.
    Delivery(DeliveryId),
    /// SASL finished (successfully or not).
    Authenticated(Box<SaslResult>),
    /// The transport failed or the peer broke the protocol; the connection is closing.
    TransportError(Box<ErrorCondition>),
    /// Nothing more will be read or written.
    TransportClosed,
}

// Events queue up by the thousand when a disposition settles a range of deliveries:
// keep them small (the rare big payloads are boxed).
const _: () = assert!(std::mem::size_of::<Event>() <= 16);

/// Where the byte stream is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// Waiting for the peer's protocol header (SASL or AMQP).
    Header,
    /// Exchanging SASL frames.
    Sasl,
    /// Waiting for the AMQP header that follows SASL.
    HeaderAfterSasl,
    /// Exchanging AMQP frames.
    Amqp,
    /// Input is over (EOF, close received or error).
    Done,
}

/// Hashes a channel number with one multiply. Channels are 16-bit, so distinct channels
/// never share a bucket below 65536 buckets; nothing the peer picks can make lookups
/// degrade, and every incoming frame pays for one lookup.
#[derive(Default, Clone, Copy)]
struct ChannelHasher(u64);

impl std::hash::Hasher for ChannelHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
        }
    }

    fn write_u16(&mut self, n: u16) {
        self.0 = (self.0 ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

type ChannelHash = std::hash::BuildHasherDefault<ChannelHasher>;

/// An AMQP connection with its transport.
pub struct Connection {
    config: Config,
    endpoint: Endpoint,
    open_sent: bool,
    close_sent: bool,
    remote_open: Option<Open>,
    /// The peer's max-frame-size: our frames must not exceed it.
    remote_max_frame: u32,
    phase: Phase,
    /// Our SASL header has been written (client: at start; server: on request).
    header_sent: bool,
    amqp_header_sent: bool,
    sasl: Option<Sasl>,
    sessions: Slab<Session>,
    links: Slab<Link>,
    deliveries: Slab<Delivery>,
    /// Sessions by our channel (index = channel) and by the peer's channel.
    local_channels: Vec<Option<SessionId>>,
    remote_channels: std::collections::HashMap<u16, SessionId, ChannelHash>,
    /// Reused key lists for walking sessions and links while writing frames, and the
    /// deliveries a disposition names: no allocation per flush or per disposition.
    scratch_sessions: Vec<SessionId>,
    scratch_links: Vec<LinkId>,
    /// Sender links with something to write, for the transfer merge (reused).
    scratch_senders: Vec<(LinkId, u16, u32)>,
    /// The next outgoing delivery's [`Delivery::seq`].
    next_send_seq: u64,
    /// Payload bytes of queued outgoing deliveries not yet cut into frames.
    queued_bytes: usize,
    /// Payload buffers to reuse (see [`Connection::recycle`]), and their capacity.
    spare: Vec<Vec<u8>>,
    spare_bytes: usize,
    scratch_hits: Vec<(u32, DeliveryId)>,
    /// Since when dispositions have been held ([`Config::defer_dispositions`]).
    deferring_since: Option<Instant>,
    /// Input left over from the last call (a partial frame).
    input: Vec<u8>,
    output: Vec<u8>,
    output_pos: usize,
    events: VecDeque<Event>,
    trace_lines: VecDeque<String>,
    /// The end of our output / the peer's input has been traced.
    output_eos_traced: bool,
    input_eos_traced: bool,
    /// The peer's idle timeout: we must send something at least every half of it.
    remote_idle_timeout: Option<Duration>,
    last_input: Option<Instant>,
    last_output: Option<Instant>,
    now: Option<Instant>,
    /// The connection failed; `condition` went (or goes) out in close.
    error: Option<ErrorCondition>,
    eof_read: bool,
    /// `TransportClosed` has been queued (it is reported once).
    closed_reported: bool,
}

impl Connection {
    pub fn new(config: Config) -> Connection {
        let mut c = Connection {
            endpoint: Endpoint::default(),
            open_sent: false,
            close_sent: false,
            remote_open: None,
            remote_max_frame: u32::MAX,
            phase: Phase::Header,
            header_sent: false,
            amqp_header_sent: false,
            sasl: None,
            sessions: Slab::default(),
            links: Slab::default(),
            deliveries: Slab::default(),
            local_channels: Vec::new(),
            remote_channels: Default::default(),
            scratch_sessions: Vec::new(),
            scratch_links: Vec::new(),
            scratch_senders: Vec::new(),
            next_send_seq: 0,
            queued_bytes: 0,
            spare: Vec::new(),
            spare_bytes: 0,
            scratch_hits: Vec::new(),
            deferring_since: None,
            input: Vec::new(),
            output: Vec::new(),
            output_pos: 0,
            events: VecDeque::new(),
            trace_lines: VecDeque::new(),
            output_eos_traced: false,
            input_eos_traced: false,
            remote_idle_timeout: None,
            last_input: None,
            last_output: None,
            now: None,
            error: None,
            eof_read: false,
            closed_reported: false,
            config,
        };
        if c.config.side == Side::Client {
            match c.config.sasl.clone() {
                Some(credentials) => {
                    c.sasl = Some(Sasl::client(credentials, c.config.hostname.clone()));
                    c.write_header(SASL_HEADER);
                }
                None => c.write_amqp_header(),
            }
        }
        c
    }

    pub fn config(&self) -> &Config {
        &self.config
    }

    // ---------------------------------------------------------------------------------
    // Connection endpoint

    /// Open our end (the open frame goes out once the protocol headers allow it).
    pub fn open(&mut self) {
        if self.endpoint.local == EndpointState::Uninit {
            self.endpoint.local = EndpointState::Active;
            self.flush_endpoints();
        }
    }

    /// Close our end, with an optional error.
    pub fn close(&mut self, error: Option<ErrorCondition>) {
        if self.endpoint.local != EndpointState::Closed {
            if self.endpoint.local == EndpointState::Uninit {
                self.endpoint.local = EndpointState::Active;
            }
            self.endpoint.local = EndpointState::Closed;
            self.endpoint.local_condition = error;
            self.flush_endpoints();
        }
    }

    pub fn local_state(&self) -> EndpointState {
        self.endpoint.local
    }

    pub fn remote_state(&self) -> EndpointState {
        self.endpoint.remote
    }

    pub fn remote_condition(&self) -> Option<&ErrorCondition> {
        self.endpoint.remote_condition.as_ref()
    }

    /// The peer's open, once received.
    pub fn remote_open(&self) -> Option<&Open> {
        self.remote_open.as_ref()
    }

    /// The peer's container-id, once its open arrived.
    pub fn remote_container_id(&self) -> Option<&str> {
        self.remote_open.as_ref().map(|o| o.container_id.as_str())
    }

    /// The idle timeout the peer advertised.
    pub fn remote_idle_timeout(&self) -> Option<Duration> {
        self.remote_idle_timeout
    }

    /// The error that is closing (or closed) the connection, ours or the transport's.
    pub fn error(&self) -> Option<&ErrorCondition> {
        self.error.as_ref()
    }

    /// The result of SASL, if it ran.
    pub fn sasl_result(&self) -> Option<&SaslResult> {
        self.sasl.as_ref().and_then(Sasl::result)
    }

    // ---------------------------------------------------------------------------------
    // Sessions

    /// Create a session and begin it.
    pub fn begin_session(&mut self) -> SessionId {
        let id = self.sessions.insert(Session::new());
        self.open_session(id);
        id
    }

    /// Begin our end of a session (one the peer began, or a new one); no-op if begun.
    pub fn open_session(&mut self, id: SessionId) {
        match self.sessions.get(id) {
            Some(s) if s.endpoint.local == EndpointState::Uninit => {}
            _ => return,
        }
        let channel = match self.local_channels.iter().position(Option::is_none) {
            Some(c) => {
                self.local_channels[c] = Some(id);
                c as u16
            }
            None => {
                self.local_channels.push(Some(id));
                self.local_channels.len() as u16 - 1
            }
        };
        let session = self.sessions.get_mut(id).expect("new session");
        session.local_channel = Some(channel);
        session.endpoint.local = EndpointState::Active;
        self.flush_endpoints();
    }

    /// End a session, with an optional error.
    pub fn end_session(&mut self, id: SessionId, error: Option<ErrorCondition>) {
        if let Some(s) = self.sessions.get_mut(id) {
            if s.endpoint.local != EndpointState::Closed {
                s.endpoint.local = EndpointState::Closed;
                s.endpoint.local_condition = error;
                self.flush_endpoints();
            }
        }
    }

    pub fn session(&self, id: SessionId) -> Option<&Session> {
        self.sessions.get(id)
    }

    // ---------------------------------------------------------------------------------
    // Links

    /// Create a link on `session` and attach it.
    pub fn attach(&mut self, session: SessionId, settings: LinkSettings) -> Option<LinkId> {
        self.sessions.get(session)?;
        let id = self.links.insert(Link::new(session, settings));
        self.sessions
            .get_mut(session)
            .expect("checked")
            .links
            .push(id);
        self.open_link(id);
        Some(id)
    }

    /// Attach our end of a link (one the peer attached, or a new one); no-op if attached.
    pub fn open_link(&mut self, id: LinkId) {
        let session = match self.links.get(id) {
            Some(l) if l.endpoint.local == EndpointState::Uninit => l.session,
            _ => return,
        };
        if self.sessions.get(session).is_none() {
            return;
        }
        let handle = self
            .sessions
            .get_mut(session)
            .expect("session")
            .take_handle(id);
        let link = self.links.get_mut(id).expect("link");
        link.local_handle = Some(handle);
        link.endpoint.local = EndpointState::Active;
        self.flush_endpoints();
    }

    /// Detach a link (`closed`: close it for good), with an optional error.
    pub fn detach(&mut self, id: LinkId, closed: bool, error: Option<ErrorCondition>) {
        if let Some(link) = self.links.get_mut(id) {
            if link.endpoint.local != EndpointState::Closed {
                link.endpoint.local = EndpointState::Closed;
                link.endpoint.local_condition = error;
                link.closing = closed;
                self.flush_endpoints();
            }
        }
    }

    pub fn link(&self, id: LinkId) -> Option<&Link> {
        self.links.get(id)
    }

    /// Every live link.
    pub fn links(&self) -> impl Iterator<Item = LinkId> + '_ {
        self.links.keys()
    }

    /// Every live session.
    pub fn sessions(&self) -> impl Iterator<Item = SessionId> + '_ {
        self.sessions.keys()
    }

    /// Receiver: give the sender `credit` more deliveries.
    pub fn add_credit(&mut self, id: LinkId, credit: u32) {
        if let Some(link) = self.links.get_mut(id) {
            if !link.is_sender() && credit > 0 {
                link.credit = link.credit.saturating_add(credit);
                link.flow_pending = true;
            }
        }
    }

    /// Choose our settle modes for a link the peer attached, before [`Connection::open_link`]
    /// (until then they mirror the peer's).
    pub fn set_settle_modes(&mut self, id: LinkId, snd: SndSettleMode, rcv: RcvSettleMode) {
        if let Some(l) = self.links.get_mut(id) {
            if l.endpoint.local == EndpointState::Uninit {
                l.local.snd_settle_mode = snd;
                l.local.rcv_settle_mode = rcv;
            }
        }
    }

    /// Receiver: the credit the sender gave back since the last call (see
    /// [`Link::returned_credit`](crate::engine::endpoint::Link)).
    pub fn take_returned_credit(&mut self, id: LinkId) -> u32 {
        self.links
            .get_mut(id)
            .map_or(0, |l| std::mem::take(&mut l.returned_credit))
    }

    /// Receiver: ask the sender to use up or give back all credit (`drain`), or stop asking.
    pub fn set_drain(&mut self, id: LinkId, drain: bool) {
        if let Some(link) = self.links.get_mut(id) {
            if !link.is_sender() && link.drain != drain {
                link.drain = drain;
                link.flow_pending = true;
            }
        }
    }

    /// Sender: deliveries waiting for credit.
    pub fn queued(&self, id: LinkId) -> usize {
        self.links.get(id).map_or(0, |l| l.queue.len())
    }

    // ---------------------------------------------------------------------------------
    // Deliveries

    /// Sender: queue a message on a link. It goes out when credit allows; `settled` sends
    /// it pre-settled.
    pub fn send(
        &mut self,
        link: LinkId,
        tag: impl Into<DeliveryTag>,
        payload: Vec<u8>,
        settled: bool,
    ) -> Option<DeliveryId> {
        if !self.links.get(link)?.is_sender() {
            return None;
        }
        self.queued_bytes += payload.len();
        let id = self.deliveries.insert(Delivery {
            link,
            tag: tag.into(),
            transfer_id: None,
            message_format: 0,
            payload,
            written: 0,
            outgoing: true,
            complete: true,
            aborted: false,
            local_state: None,
            remote_state: None,
            local_settled: settled,
            remote_settled: false,
            released: false,
            seq: self.next_send_seq,
            taken: false,
        });
        self.next_send_seq += 1;
        let l = self.links.get_mut(link).expect("checked");
        l.queue.push_back(id);
        l.live_deliveries += 1;
        Some(id)
    }

    pub fn delivery(&self, id: DeliveryId) -> Option<&Delivery> {
        self.deliveries.get(id)
    }

    /// Sender: set the message-format of a delivery not yet on the wire (default 0).
    /// Returns false if its first transfer was already written.
    pub fn set_message_format(&mut self, id: DeliveryId, format: u32) -> bool {
        match self.deliveries.get_mut(id) {
            Some(d) if d.outgoing && d.transfer_id.is_none() => {
                d.message_format = format;
                true
            }
            _ => false,
        }
    }

    /// Sender: abandon a delivery that is not completely written (spec 2.7.5 `aborted`).
    /// If none of it went out it is dropped from the queue and uses no credit; otherwise
    /// an aborted transfer tells the receiver to discard what it has. Either way the
    /// delivery ends up aborted and settled. Returns false if it was already completely
    /// written, aborted, or is not an outgoing delivery.
    pub fn abort(&mut self, id: DeliveryId) -> bool {
        let Some(d) = self.deliveries.get_mut(id) else {
            return false;
        };
        if !d.outgoing || d.aborted || !d.buffered() {
            return false;
        }
        d.aborted = true;
        d.local_settled = true;
        if d.transfer_id.is_none() {
            self.queued_bytes = self.queued_bytes.saturating_sub(d.payload.len());
            d.payload = Vec::new();
            let link = d.link;
            if let Some(l) = self.links.get_mut(link) {
                l.queue.retain(|&x| x != id);
            }
            self.forget_if_done(id);
        }
        // Otherwise it is at the front of its link's queue, where flush_transfers writes
        // the aborted transfer.
        true
    }

    /// Take the payload of a complete incoming delivery (leaves it empty).
    pub fn take_payload(&mut self, id: DeliveryId) -> Option<Vec<u8>> {
        self.deliveries.get_mut(id).map(|d| {
            d.taken = true;
            std::mem::take(&mut d.payload)
        })
    }

    /// Set our state for a delivery (an outcome or `received`); sent in a disposition.
    pub fn update(&mut self, id: DeliveryId, state: DeliveryState) {
        if let Some(d) = self.deliveries.get_mut(id) {
            if d.local_settled {
                return;
            }
            d.local_state = Some(state);
            self.queue_disposition(id);
        }
    }

    /// Give a delivery our state unless it has one (or is settled): the messenger's
    /// accept and reject, where the first outcome stays.
    pub fn update_once(&mut self, id: DeliveryId, state: &DeliveryState) {
        if let Some(d) = self.deliveries.get_mut(id) {
            if d.local_settled || d.local_state.is_some() {
                return;
            }
            d.local_state = Some(state.clone());
            self.queue_disposition(id);
        }
    }

    /// Settle a delivery: the peer is told (unless it settled first) and we forget it.
    pub fn settle(&mut self, id: DeliveryId) {
        let Some(d) = self.deliveries.get_mut(id) else {
            return;
        };
        if d.local_settled {
            d.released = true;
            self.forget_if_done(id);
            return;
        }
        d.local_settled = true;
        d.released = true;
        if d.transfer_id.is_some() {
            self.queue_disposition(id);
        }
        self.forget_if_done(id);
    }

    fn queue_disposition(&mut self, id: DeliveryId) {
        let d = self.deliveries.get(id).expect("delivery");
        // Once the peer has settled a delivery it has forgotten it: nothing to tell it.
        let (Some(transfer_id), false) = (d.transfer_id, d.remote_settled) else {
            return;
        };
        let Some(session_id) = self.links.get(d.link).map(|l| l.session) else {
            return;
        };
        let (outgoing, settled) = (d.outgoing, d.local_settled);
        let session = self.sessions.get_mut(session_id).expect("session");
        session
            .pending_dispositions
            .push(!outgoing, transfer_id, &d.local_state, settled);
        if settled {
            if outgoing {
                session.outgoing_unsettled.remove(transfer_id);
            } else {
                session.incoming_unsettled.remove(transfer_id);
            }
        }
    }

    /// Drop a delivery once the application released it and the engine needs it no more.
    fn forget_if_done(&mut self, id: DeliveryId) {
        let Some(d) = self.deliveries.get(id) else {
            return;
        };
        let done = d.released
            && d.local_settled
            && !d.buffered()
            && (d.outgoing || d.complete || d.aborted);
        if done {
            // Only an outgoing delivery that has not left the queue can still be in it:
            // one without a transfer-id, or one cut into frames part way (`written` is
            // reset when its last frame pops it). Skipping the scan otherwise keeps
            // forgetting O(1) in the queue's length.
            let maybe_queued = d.outgoing && (d.transfer_id.is_none() || d.written > 0);
            let link = d.link;
            if let Some(l) = self.links.get_mut(link) {
                l.live_deliveries -= 1;
                if maybe_queued {
                    l.queue.retain(|&x| x != id);
                }
            }
            self.deliveries.discard(id);
            self.free_link_if_done(link);
        }
    }

    // ---------------------------------------------------------------------------------
    // Input

    /// Process bytes from the peer; anything after a complete frame is kept for later.
    pub fn handle_input(&mut self, mut bytes: &[u8], now: Instant) {
        self.now = Some(now);
        if self.phase == Phase::Done || bytes.is_empty() {
            return;
        }
        self.last_input = Some(now);
        // A unit (header or frame) begun last time: complete it with only the bytes it
        // still needs, so the rest is processed where it is instead of being copied.
        while !self.input.is_empty() && !bytes.is_empty() {
            let have = self.input.len();
            let need = match self.unit_len() {
                Some(total) if total > have => total - have,
                _ => 8usize.saturating_sub(have).max(1),
            };
            let take = need.min(bytes.len());
            self.input.extend_from_slice(&bytes[..take]);
            bytes = &bytes[take..];
            let input = std::mem::take(&mut self.input);
            let used = self.process(&input);
            if self.phase == Phase::Done {
                return;
            }
            self.input = input;
            self.input.drain(..used);
        }
        if !bytes.is_empty() {
            let used = self.process(bytes);
            if self.phase != Phase::Done {
                self.input.extend_from_slice(&bytes[used..]);
            }
        }
    }

    /// The length of the unit `input` begins with, once known: a protocol header's 8
    /// bytes, or a frame's size.
    fn unit_len(&self) -> Option<usize> {
        match self.phase {
            Phase::Header | Phase::HeaderAfterSasl => Some(8),
            Phase::Sasl | Phase::Amqp => self
                .input
                .get(..4)
                .map(|b| u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize),
            Phase::Done => None,
        }
    }

    /// The peer closed its side of the byte stream.
    pub fn handle_eof(&mut self) {
        if self.eof_read {
            return;
        }
        self.eof_read = true;
        self.trace_eos(false);
        if self.phase != Phase::Done {
            let clean = self.endpoint.remote == EndpointState::Closed;
            self.phase = Phase::Done;
            if !clean {
                self.fail(condition::FRAMING_ERROR, "connection aborted".to_owned());
            }
        }
        self.check_closed();
    }

    /// Process as many complete units (headers, frames) as `input` holds; returns bytes used.
    fn process(&mut self, input: &[u8]) -> usize {
        let mut used = 0;
        while self.phase != Phase::Done {
            let rest = &input[used..];
            match self.phase {
                Phase::Header | Phase::HeaderAfterSasl => match frame::detect_header(rest) {
                    None => break,
                    Some(Err(e)) => {
                        self.refuse_header(condition::FRAMING_ERROR, e.to_string());
                        break;
                    }
                    Some(Ok(header)) => {
                        used += 8.min(rest.len());
                        self.handle_header(header);
                    }
                },
                Phase::Sasl | Phase::Amqp => {
                    match frame::parse_frame(rest, self.config.max_frame_size) {
                        Ok(None) => break,
                        Ok(Some((frame, size))) => {
                            used += size;
                            self.handle_frame(frame);
                        }
                        Err(e) => {
                            let cond = match e {
                                FrameError::TooLarge { .. }
                                | FrameError::Malformed(_)
                                | FrameError::BadHeader(_) => condition::FRAMING_ERROR,
                            };
                            self.fail(cond, e.to_string());
                            break;
                        }
                    }
                }
                Phase::Done => break,
            }
        }
        used
    }

    /// A header we accept is traced (before our answer); a refused one is not, as in 0.37.
    fn handle_header(&mut self, header: ProtocolHeader) {
        match (self.config.side, self.phase, header) {
            (Side::Client, Phase::Header, ProtocolHeader::Sasl) if self.sasl.is_some() => {
                self.trace_header(header);
                self.phase = Phase::Sasl
            }
            (Side::Client, Phase::Header | Phase::HeaderAfterSasl, ProtocolHeader::Amqp) => {
                self.trace_header(header);
                if self.sasl.is_some() && self.phase == Phase::Header {
                    self.fail(condition::FRAMING_ERROR, "peer skipped SASL".into());
                    return;
                }
                self.phase = Phase::Amqp;
                self.flush_endpoints();
            }
            (Side::Server, Phase::Header, ProtocolHeader::Sasl) => {
                self.trace_header(header);
                self.write_header(SASL_HEADER);
                let sasl = Sasl::server(self.config.sasl_policy.clone());
                if let Some(mechs) = sasl.start() {
                    self.write_sasl(&mechs);
                }
                self.sasl = Some(sasl);
                self.phase = Phase::Sasl;
            }
            (Side::Server, Phase::Header | Phase::HeaderAfterSasl, ProtocolHeader::Amqp) => {
                self.trace_header(header);
                self.write_amqp_header();
                self.phase = Phase::Amqp;
                self.flush_endpoints();
            }
            (_, _, ProtocolHeader::Tls | ProtocolHeader::TlsClientHello) => {
                self.refuse_header(
                    condition::NOT_IMPLEMENTED,
                    "TLS requested but not configured".into(),
                );
            }
            (_, _, other) => self.refuse_header(
                condition::FRAMING_ERROR,
                format!("unexpected protocol header {other:?}"),
            ),
        }
    }

    /// The peer's protocol header is wrong or unsupported. A server answers with the
    /// header it does support (spec 2.2) so that the close frame saying why can follow;
    /// then the connection fails.
    fn refuse_header(&mut self, cond: &str, text: String) {
        self.trace_eos(false); // nothing more is read
        if self.config.side == Side::Server && !self.amqp_header_sent {
            self.write_amqp_header();
        }
        self.fail(cond, text);
    }

    fn handle_frame(&mut self, frame: Frame<'_>) {
        match (self.phase, frame.kind) {
            (Phase::Sasl, FrameType::Sasl) => self.handle_sasl_frame(frame.body),
            (Phase::Amqp, FrameType::Amqp) => {
                // Traced before decoding (undecodable frames too), as 0.37 does.
                self.trace_in(frame.channel, frame.body);
                if frame.body.is_empty() {
                    return; // heartbeat
                }
                match decode_performative(frame.body) {
                    Ok((performative, payload)) => {
                        self.handle_performative(frame.channel, performative, payload);
                    }
                    Err(e) => {
                        let text = e.text.unwrap_or_else(|| "malformed frame".into());
                        self.fail(condition::DECODE_ERROR, text);
                    }
                }
            }
            _ => self.fail(
                condition::FRAMING_ERROR,
                format!("unexpected {:?} frame", frame.kind),
            ),
        }
    }

    fn handle_sasl_frame(&mut self, body: &[u8]) {
        if self.config.trace {
            self.trace_lines
                .push_back(trace::sasl_frame_line("<-", body));
        }
        let frame = match decode_sasl(body) {
            Ok(f) => f,
            Err(e) => {
                let text = e.text.unwrap_or_else(|| "malformed SASL frame".into());
                self.fail(condition::DECODE_ERROR, text);
                return;
            }
        };
        let Some(sasl) = self.sasl.as_mut() else {
            return;
        };
        match sasl.handle(frame) {
            Err(why) => self.fail(condition::UNAUTHORIZED_ACCESS, why),
            Ok(reply) => {
                if let Some(reply) = reply {
                    self.write_sasl(&reply);
                }
                if let Some(result) = self.sasl.as_ref().and_then(Sasl::result).cloned() {
                    self.events
                        .push_back(Event::Authenticated(Box::new(result.clone())));
                    match (result, self.config.side) {
                        (SaslResult::Ok { .. }, Side::Client) => {
                            self.phase = Phase::HeaderAfterSasl;
                            self.write_amqp_header();
                        }
                        (SaslResult::Ok { .. }, Side::Server) => {
                            self.phase = Phase::HeaderAfterSasl
                        }
                        (SaslResult::Failed { code, reason }, _) => {
                            let text =
                                format!("SASL authentication failed (outcome {code}: {reason})");
                            self.fail(condition::UNAUTHORIZED_ACCESS, text);
                        }
                    }
                }
            }
        }
    }

    fn handle_performative(&mut self, channel: u16, p: Performative, payload: &[u8]) {
        let result = match p {
            Performative::Open(open) => self.on_open(open),
            Performative::Close(error) => {
                // 0.37 reads no further once the peer closed.
                self.trace_eos(false);
                self.on_close(error)
            }
            _ if self.remote_open.is_none() => {
                Err((condition::NOT_ALLOWED, "frame before open".into()))
            }
            Performative::Begin(begin) => self.on_begin(channel, begin),
            Performative::End(error) => self.on_end(channel, error),
            Performative::Attach(attach) => self.on_attach(channel, attach),
            Performative::Detach(detach) => self.on_detach(channel, detach),
            Performative::Flow(flow) => self.on_flow(channel, flow),
            Performative::Transfer(transfer) => self.on_transfer(channel, transfer, payload),
            Performative::Disposition(disposition) => self.on_disposition(channel, disposition),
        };
        if let Err((cond, text)) = result {
            self.fail(cond, text);
        }
    }

    fn on_open(&mut self, open: Open) -> Result<(), (&'static str, String)> {
        if self.remote_open.is_some() {
            return Err((condition::NOT_ALLOWED, "second open".into()));
        }
        self.remote_max_frame = open.max_frame_size.max(frame::MIN_MAX_FRAME_SIZE);
        self.remote_idle_timeout = open
            .idle_time_out
            .filter(|&t| t > 0)
            .map(|t| Duration::from_millis(t as u64));
        self.remote_open = Some(open);
        self.endpoint.remote = EndpointState::Active;
        self.events.push_back(Event::ConnectionRemoteOpen);
        Ok(())
    }

    fn on_close(&mut self, error: Option<ErrorCondition>) -> Result<(), (&'static str, String)> {
        self.endpoint.remote = EndpointState::Closed;
        self.endpoint.remote_condition = error;
        self.phase = Phase::Done;
        self.events.push_back(Event::ConnectionRemoteClose);
        self.check_closed();
        Ok(())
    }

    fn session_for(&self, channel: u16) -> Result<SessionId, (&'static str, String)> {
        self.remote_channels.get(&channel).copied().ok_or_else(|| {
            (
                condition::NOT_ALLOWED,
                format!("no session on channel {channel}"),
            )
        })
    }

    fn on_begin(&mut self, channel: u16, begin: Begin) -> Result<(), (&'static str, String)> {
        if channel > self.config.channel_max {
            return Err((
                condition::FRAMING_ERROR,
                format!(
                    "remote channel {channel} is above negotiated channel_max {}",
                    self.config.channel_max
                ),
            ));
        }
        if self.remote_channels.contains_key(&channel) {
            return Err((
                condition::NOT_ALLOWED,
                format!("channel {channel} already in use"),
            ));
        }
        let id = match begin.remote_channel {
            // The answer to a session we began.
            Some(ours) => {
                let id = self
                    .local_channels
                    .get(ours as usize)
                    .copied()
                    .flatten()
                    .ok_or_else(|| {
                        (
                            condition::NOT_ALLOWED,
                            format!("begin answers unknown channel {ours}"),
                        )
                    })?;
                if self
                    .sessions
                    .get(id)
                    .is_some_and(|s| s.remote_channel.is_some())
                {
                    return Err((
                        condition::NOT_ALLOWED,
                        format!("channel {ours} already answered"),
                    ));
                }
                id
            }
            None => self.sessions.insert(Session::new()),
        };
        let session = self.sessions.get_mut(id).expect("session");
        session.remote_channel = Some(channel);
        session.endpoint.remote = EndpointState::Active;
        session.next_incoming_id = begin.next_outgoing_id;
        session.remote_outgoing_window = begin.outgoing_window;
        session.remote_incoming_window = begin.incoming_window;
        self.remote_channels.insert(channel, id);
        self.events.push_back(Event::SessionRemoteBegin(id));
        Ok(())
    }

    fn on_end(
        &mut self,
        channel: u16,
        error: Option<ErrorCondition>,
    ) -> Result<(), (&'static str, String)> {
        let id = self.session_for(channel)?;
        self.remote_channels.remove(&channel);
        let session = self.sessions.get_mut(id).expect("session");
        session.endpoint.remote = EndpointState::Closed;
        session.endpoint.remote_condition = error;
        session.remote_channel = None;
        // The peer's links on this session are gone with it.
        let links: Vec<LinkId> = session.remote_handles.drain().collect();
        for link in links {
            if let Some(l) = self.links.get_mut(link) {
                l.endpoint.remote = EndpointState::Closed;
                l.remote_handle = None;
            }
        }
        self.events.push_back(Event::SessionRemoteEnd(id));
        self.reap();
        Ok(())
    }

    fn on_attach(&mut self, channel: u16, attach: Attach) -> Result<(), (&'static str, String)> {
        let sid = self.session_for(channel)?;
        let session = self.sessions.get(sid).expect("session");
        if session.remote_handles.contains(attach.handle) {
            return Err((
                condition::NOT_ALLOWED,
                format!("handle {} already attached", attach.handle),
            ));
        }
        // Our end of the same link: same name, opposite role, never attached by the peer
        // (a link of the same name that was detached earlier is not this one).
        let ours = session.links.iter().copied().find(|&k| {
            let l = self.links.get(k).expect("live");
            l.session == sid
                && l.local.name == attach.name
                && l.local.role != attach.role
                && l.endpoint.remote == EndpointState::Uninit
        });
        let remote = LinkSettings {
            name: attach.name.clone(),
            role: attach.role,
            source: attach.source.clone(),
            target: attach.target.clone(),
            snd_settle_mode: attach.snd_settle_mode,
            rcv_settle_mode: attach.rcv_settle_mode,
            max_message_size: attach.max_message_size,
        };
        let id = match ours {
            Some(id) => id,
            None => {
                let role = if attach.role == Role::Sender {
                    Role::Receiver
                } else {
                    Role::Sender
                };
                let local = LinkSettings {
                    role,
                    ..remote.clone()
                };
                let id = self.links.insert(Link::new(sid, local));
                self.sessions.get_mut(sid).expect("session").links.push(id);
                id
            }
        };
        let link = self.links.get_mut(id).expect("link");
        link.remote = Some(remote);
        link.remote_handle = Some(attach.handle);
        link.endpoint.remote = EndpointState::Active;
        if link.local.role == Role::Receiver {
            // The sender's initial delivery-count starts our count.
            link.delivery_count = attach.initial_delivery_count.unwrap_or(0);
        }
        self.sessions
            .get_mut(sid)
            .expect("session")
            .remote_handles
            .insert(attach.handle, id);
        self.events.push_back(Event::LinkRemoteAttach(id));
        Ok(())
    }

    fn link_for(&self, sid: SessionId, handle: u32) -> Result<LinkId, (&'static str, String)> {
        self.sessions
            .get(sid)
            .and_then(|s| s.remote_handles.get(handle))
            .ok_or_else(|| {
                (
                    condition::UNATTACHED_HANDLE,
                    format!("no link attached on handle {handle}"),
                )
            })
    }

    fn on_detach(&mut self, channel: u16, detach: Detach) -> Result<(), (&'static str, String)> {
        let sid = self.session_for(channel)?;
        let id = self.link_for(sid, detach.handle)?;
        self.sessions
            .get_mut(sid)
            .expect("session")
            .remote_handles
            .remove(detach.handle);
        let link = self.links.get_mut(id).expect("link");
        link.endpoint.remote = EndpointState::Closed;
        link.endpoint.remote_condition = detach.error;
        link.remote_handle = None;
        self.events.push_back(Event::LinkRemoteDetach(id));
        self.reap();
        Ok(())
    }

    fn on_flow(&mut self, channel: u16, flow: Flow) -> Result<(), (&'static str, String)> {
        let sid = self.session_for(channel)?;
        let session = self.sessions.get_mut(sid).expect("session");
        // The peer's view of our outgoing transfers gives its remaining window.
        let next_incoming = flow.next_incoming_id.unwrap_or(0);
        session.remote_incoming_window = next_incoming
            .wrapping_add(flow.incoming_window)
            .wrapping_sub(session.next_outgoing_id);
        session.remote_outgoing_window = flow.outgoing_window;
        let Some(handle) = flow.handle else {
            if flow.echo {
                session.flow_pending = true;
            }
            return Ok(());
        };
        let id = self.link_for(sid, handle)?;
        let link = self.links.get_mut(id).expect("link");
        if link.is_sender() {
            let remote_count = flow.delivery_count.unwrap_or(0);
            let limit = remote_count.wrapping_add(flow.link_credit.unwrap_or(0));
            link.credit = limit.wrapping_sub(link.delivery_count);
            if link.credit > limit.wrapping_sub(remote_count) {
                // Our count is ahead of the peer's limit: no credit.
                link.credit = 0;
            }
            link.drain = flow.drain;
        } else {
            // A sender reports its delivery-count: credit is what is left between it and
            // the limit we set (spec 2.6.7), so a drained sender's advanced count uses
            // up the rest. The sender's own link-credit may predate our latest flow and
            // is not used.
            if let Some(count) = flow.delivery_count {
                let limit = link.delivery_count.wrapping_add(link.credit);
                let left = limit.wrapping_sub(count);
                link.delivery_count = count;
                // A count past our limit (or behind our own) leaves nothing sane: none.
                let credit = if left <= link.credit { left } else { 0 };
                link.returned_credit = link.returned_credit.saturating_add(link.credit - credit);
                link.credit = credit;
                if link.drain && link.credit == 0 {
                    link.drain = false;
                }
            }
        }
        if flow.echo {
            link.flow_pending = true;
        }
        self.events.push_back(Event::LinkFlow(id));
        Ok(())
    }

    fn on_transfer(
        &mut self,
        channel: u16,
        mut t: Transfer,
        payload: &[u8],
    ) -> Result<(), (&'static str, String)> {
        let sid = self.session_for(channel)?;
        let id = self.link_for(sid, t.handle)?;
        let session = self.sessions.get_mut(sid).expect("session");
        session.next_incoming_id = session.next_incoming_id.wrapping_add(1);
        session.remote_outgoing_window = session.remote_outgoing_window.saturating_sub(1);
        session.incoming_window = session.incoming_window.saturating_sub(1);
        if session.incoming_window < SESSION_WINDOW / 2 {
            session.incoming_window = SESSION_WINDOW;
            session.flow_pending = true;
        }
        let link = self.links.get_mut(id).expect("link");
        if link.is_sender() {
            return Err((condition::NOT_ALLOWED, "transfer on a sending link".into()));
        }
        let delivery = match link.incoming {
            Some(d) => d,
            None => {
                let transfer_id = t.delivery_id.ok_or_else(|| {
                    (
                        condition::NOT_ALLOWED,
                        "first transfer of a delivery without a delivery-id".into(),
                    )
                })?;
                let tag = t.delivery_tag.take().unwrap_or_default();
                link.delivery_count = link.delivery_count.wrapping_add(1);
                link.credit = link.credit.saturating_sub(1);
                let payload = self.spare_buffer();
                let d = self.deliveries.insert(Delivery {
                    link: id,
                    tag,
                    transfer_id: Some(transfer_id),
                    message_format: t.message_format.unwrap_or(0),
                    payload,
                    written: 0,
                    outgoing: false,
                    complete: false,
                    aborted: false,
                    local_state: None,
                    remote_state: None,
                    local_settled: false,
                    remote_settled: false,
                    released: false,
                    seq: 0,
                    taken: false,
                });
                let link = self.links.get_mut(id).expect("link");
                link.incoming = Some(d);
                link.live_deliveries += 1;
                if !t.settled.unwrap_or(false) {
                    self.sessions
                        .get_mut(sid)
                        .expect("session")
                        .incoming_unsettled
                        .insert(transfer_id, d);
                }
                d
            }
        };
        let d = self.deliveries.get_mut(delivery).expect("delivery");
        if t.settled == Some(true) {
            d.remote_settled = true;
        }
        if let Some(state) = t.state {
            d.remote_state = Some(state);
        }
        if t.aborted {
            d.aborted = true;
            d.payload = Vec::new();
        } else {
            d.payload.extend_from_slice(payload);
        }
        if t.aborted || !t.more {
            d.complete = !t.aborted;
            self.links.get_mut(id).expect("link").incoming = None;
            if let Some(tid) = d.transfer_id {
                if d.aborted {
                    self.sessions
                        .get_mut(sid)
                        .expect("session")
                        .incoming_unsettled
                        .remove(tid);
                }
            }
            self.events.push_back(Event::Delivery(delivery));
        }
        Ok(())
    }

    fn on_disposition(
        &mut self,
        channel: u16,
        d: Disposition,
    ) -> Result<(), (&'static str, String)> {
        let sid = self.session_for(channel)?;
        let last = d.last.unwrap_or(d.first);
        // role=receiver: about deliveries we sent.
        let ours_were_sent = d.role == Role::Receiver;
        let session = self.sessions.get_mut(sid).expect("session");
        let map = if ours_were_sent {
            &mut session.outgoing_unsettled
        } else {
            &mut session.incoming_unsettled
        };
        let mut hit = std::mem::take(&mut self.scratch_hits);
        hit.clear();
        if d.settled {
            map.take_range(d.first, last, &mut hit);
        } else {
            hit.extend(map.range(d.first, last));
        }
        let echo = ours_were_sent && self.config.echo_outcomes;
        for &(transfer_id, id) in &hit {
            if let Some(delivery) = self.deliveries.get_mut(id) {
                if let Some(state) = &d.state {
                    // A settlement usually repeats the outcome already told.
                    if delivery.remote_state.as_ref() != Some(state) {
                        delivery.remote_state = Some(state.clone());
                    }
                }
                if d.settled {
                    delivery.remote_settled = true;
                }
                if echo
                    && !delivery.local_settled
                    && delivery.remote_state.is_some()
                    && delivery.remote_state != delivery.local_state
                {
                    delivery.local_state = delivery.remote_state.clone();
                    // As `queue_disposition`: a peer that settled needs no answer.
                    if !delivery.remote_settled {
                        let session = self.sessions.get_mut(sid).expect("session");
                        session.pending_dispositions.push(
                            false,
                            transfer_id,
                            &delivery.local_state,
                            false,
                        );
                    }
                }
                if self.config.disposition_events {
                    self.events.push_back(Event::Delivery(id));
                }
            }
        }
        self.scratch_hits = hit;
        Ok(())
    }

    // ---------------------------------------------------------------------------------
    // Failure and teardown

    /// The layer below (TLS) failed: the connection fails with this condition.
    pub fn fail_transport(&mut self, cond: &str, text: String) {
        self.fail(cond, text);
    }

    /// Servers: what SASL offers from now on (TLS establishes a client identity before the
    /// client's SASL header arrives).
    pub fn set_sasl_policy(&mut self, policy: ServerPolicy) {
        self.config.sasl_policy = policy;
    }

    /// Close the connection because of a transport or protocol error.
    fn fail(&mut self, cond: &str, text: String) {
        if self.error.is_some() {
            return;
        }
        let error = ErrorCondition::new(cond, text);
        self.error = Some(error.clone());
        self.events
            .push_back(Event::TransportError(Box::new(error.clone())));
        self.phase = Phase::Done;
        // Tell the peer why, if the protocol got far enough for a close frame.
        if self.amqp_header_sent && !self.close_sent {
            if !self.open_sent {
                self.endpoint.local = EndpointState::Active;
                self.write_open();
            }
            self.endpoint.local = EndpointState::Closed;
            self.endpoint.local_condition = Some(error);
            self.write_close();
        }
        // Our output ends here, with or without a close frame.
        self.trace_eos(true);
        self.abort_buffered();
        self.check_closed();
    }

    /// Deliveries that never made it onto the wire will not now.
    fn abort_buffered(&mut self) {
        for id in self.deliveries.keys().collect::<Vec<_>>() {
            let d = self.deliveries.get_mut(id).expect("live");
            if d.outgoing && d.transfer_id.is_none() && !d.aborted {
                d.aborted = true;
                self.events.push_back(Event::Delivery(id));
            }
        }
    }

    /// The transport is over once input is done and our close (if any) has been written.
    fn check_closed(&mut self) {
        if self.is_closed() && !self.closed_reported {
            self.closed_reported = true;
            self.events.push_back(Event::TransportClosed);
        }
    }

    /// Nothing more will be read (the peer's close, EOF or an error ended the input).
    pub fn input_closed(&self) -> bool {
        self.phase == Phase::Done
    }

    /// Nothing more will be read or written.
    pub fn is_closed(&self) -> bool {
        let input_done = self.phase == Phase::Done;
        let output_done = self.output_pos >= self.output.len()
            && (self.close_sent || self.error.is_some() || self.eof_read || !self.amqp_header_sent);
        input_done && output_done
    }

    /// Sessions and links closed at both ends give back their channel and handle; those
    /// the application released ([`Connection::release_link`],
    /// [`Connection::release_session`]) are freed once nothing refers to them.
    fn reap(&mut self) {
        let mut ids = std::mem::take(&mut self.scratch_links);
        ids.clear();
        ids.extend(self.links.keys());
        for &id in &ids {
            let l = self.links.get(id).expect("live");
            if l.endpoint.local == EndpointState::Closed
                && l.endpoint.remote == EndpointState::Closed
                && l.detach_sent
            {
                let (session, handle) = (l.session, l.local_handle);
                if let (Some(s), Some(h)) = (self.sessions.get_mut(session), handle) {
                    if let Some(slot) = s.local_handles.get_mut(h as usize) {
                        *slot = None;
                    }
                }
                if let Some(l) = self.links.get_mut(id) {
                    l.local_handle = None;
                }
                self.free_link_if_done(id);
            }
        }
        self.scratch_links = ids;
        let mut ids = std::mem::take(&mut self.scratch_sessions);
        ids.clear();
        ids.extend(self.sessions.keys());
        for &id in &ids {
            let s = self.sessions.get(id).expect("live");
            if s.endpoint.local == EndpointState::Closed
                && s.endpoint.remote == EndpointState::Closed
                && s.end_sent
            {
                if let Some(c) = s.local_channel {
                    self.local_channels[c as usize] = None;
                }
                let s = self.sessions.get_mut(id).expect("live");
                s.local_channel = None;
                if s.released && s.links.is_empty() {
                    self.sessions.discard(id);
                }
            }
        }
        self.scratch_sessions = ids;
    }

    /// Free a released link that is closed at both ends and has no deliveries left.
    fn free_link_if_done(&mut self, id: LinkId) {
        let Some(l) = self.links.get(id) else {
            return;
        };
        let done = l.released
            && l.live_deliveries == 0
            && l.detach_sent
            && l.endpoint.local == EndpointState::Closed
            && l.endpoint.remote == EndpointState::Closed;
        if !done {
            return;
        }
        let sid = l.session;
        self.links.discard(id);
        if let Some(s) = self.sessions.get_mut(sid) {
            s.links.retain(|&x| x != id);
            let free = s.released
                && s.links.is_empty()
                && s.end_sent
                && s.endpoint.local == EndpointState::Closed
                && s.endpoint.remote == EndpointState::Closed;
            if free {
                self.sessions.discard(sid);
            }
        }
    }

    /// The application is done with a link (proton's `pn_link_free`): it is freed, with
    /// its state, once detached at both ends and without deliveries, after which its id
    /// finds nothing. Close it first; a link still open is only freed with its connection.
    pub fn release_link(&mut self, id: LinkId) {
        if let Some(l) = self.links.get_mut(id) {
            l.released = true;
            self.free_link_if_done(id);
        }
    }

    /// The application is done with a session (proton's `pn_session_free`): it is freed
    /// once ended at both ends and all its links are freed.
    pub fn release_session(&mut self, id: SessionId) {
        if let Some(s) = self.sessions.get_mut(id) {
            s.released = true;
            self.reap();
        }
    }

    // ---------------------------------------------------------------------------------
    // Output

    fn write_header(&mut self, header: [u8; 8]) {
        self.output.extend_from_slice(&header);
        self.header_sent = true;
        if self.config.trace {
            let kind = if header == SASL_HEADER {
                "SASL"
            } else {
                "AMQP"
            };
            self.trace_lines.push_back(trace::header_line(kind, "->"));
        }
    }

    fn write_amqp_header(&mut self) {
        self.write_header(AMQP_HEADER);
        self.amqp_header_sent = true;
    }

    fn trace_header(&mut self, header: ProtocolHeader) {
        if self.config.trace {
            let kind = if header == ProtocolHeader::Sasl {
                "SASL"
            } else {
                "AMQP"
            };
            self.trace_lines.push_back(trace::header_line(kind, "<-"));
        }
    }

    /// Trace the end of our output (`->`) or of the peer's (`<-`), once each.
    fn trace_eos(&mut self, out: bool) {
        let done = if out {
            &mut self.output_eos_traced
        } else {
            &mut self.input_eos_traced
        };
        if self.config.trace && !*done {
            *done = true;
            let line = trace::eos_line(if out { "->" } else { "<-" });
            self.trace_lines.push_back(line);
        }
    }

    fn write_sasl(&mut self, frame: &SaslFrame) {
        let start = frame::begin_frame(&mut self.output, FrameType::Sasl, 0);
        frame.encode(&mut self.output);
        if self.config.trace {
            // Never a password in a trace: PLAIN's response shows the user only.
            let line = match frame.without_secrets() {
                Some(masked) => {
                    let mut body = Vec::new();
                    masked.encode(&mut body);
                    trace::sasl_frame_line("->", &body)
                }
                None => trace::sasl_frame_line("->", &self.output[start + 8..]),
            };
            self.trace_lines.push_back(line);
        }
        frame::finish_frame(&mut self.output, start);
    }

    fn write_performative(&mut self, channel: u16, p: &Performative, payload: &[u8]) {
        let start = frame::begin_frame(&mut self.output, FrameType::Amqp, channel);
        p.encode(&mut self.output);
        let performative_len = self.output.len() - start - 8;
        self.output.extend_from_slice(payload);
        frame::finish_frame(&mut self.output, start);
        if self.config.trace {
            let body = &self.output[start + 8..];
            let line = trace::frame_line(
                channel,
                "->",
                &body[..performative_len],
                &body[performative_len..],
            );
            self.trace_lines.push_back(line);
        }
    }

    fn trace_in(&mut self, channel: u16, body: &[u8]) {
        if !self.config.trace {
            return;
        }
        let line = if body.is_empty() {
            trace::empty_frame_line(channel, "<-")
        } else {
            trace::frame_line(channel, "<-", body, &[])
        };
        self.trace_lines.push_back(line);
    }

    /// The next frame trace line, when tracing is on.
    pub fn poll_trace(&mut self) -> Option<String> {
        self.trace_lines.pop_front()
    }

    fn write_open(&mut self) {
        let open = Open {
            container_id: self.config.container_id.clone(),
            hostname: self.config.hostname.clone(),
            max_frame_size: self.config.max_frame_size,
            channel_max: self.config.channel_max,
            // Advertise half our timeout, as proton does (spec 2.4.5): peers that send
            // empty frames only every advertised interval then still beat our limit.
            idle_time_out: self
                .config
                .idle_timeout
                .map(|d| (d.as_millis() / 2).min(u32::MAX as u128) as u32),
            ..Open::default()
        };
        self.write_performative(0, &Performative::Open(open), &[]);
        self.open_sent = true;
    }

    fn write_close(&mut self) {
        let error = self.endpoint.local_condition.clone();
        self.write_performative(0, &Performative::Close(error), &[]);
        self.trace_eos(true);
        self.close_sent = true;
    }

    /// Write every frame the endpoint states call for, in protocol order.
    fn flush_endpoints(&mut self) {
        if !self.amqp_header_sent
            || self.phase == Phase::Sasl
            || self.phase == Phase::HeaderAfterSasl
        {
            // Servers answer the client's header first; clients wait for SASL to finish.
            if !(self.config.side == Side::Client
                && self.amqp_header_sent
                && self.phase != Phase::Sasl)
            {
                return;
            }
        }
        if self.close_sent {
            return;
        }
        if self.endpoint.local != EndpointState::Uninit && !self.open_sent {
            self.write_open();
        }
        if !self.open_sent {
            return;
        }
        let mut sids = std::mem::take(&mut self.scratch_sessions);
        sids.clear();
        sids.extend(self.sessions.keys());
        let mut held = false;
        for &sid in &sids {
            held |= self.flush_session(sid, Part::Head);
        }
        self.flush_all_transfers();
        for &sid in &sids {
            held |= self.flush_session(sid, Part::Tail);
        }
        // The hold's clock runs only while something is held (a session that can no
        // longer write must not keep a deadline in the past).
        if !held {
            self.deferring_since = None;
        }
        self.scratch_sessions = sids;
        if self.endpoint.local == EndpointState::Closed && !self.close_sent {
            self.write_close();
        }
    }

    /// One session's frames before the transfers (`Head`: begin, dispositions, link
    /// attaches and flows) or after them (`Tail`: detaches, dispositions, flow, end).
    /// Returns whether dispositions were held back ([`Config::defer_dispositions`]).
    fn flush_session(&mut self, sid: SessionId, part: Part) -> bool {
        let Some(s) = self.sessions.get(sid) else {
            return false; // reaped by an earlier session's tail
        };
        let Some(channel) = s.local_channel else {
            return false;
        };
        if s.endpoint.local == EndpointState::Uninit || s.end_sent {
            return false;
        }
        if part == Part::Head && !s.begin_sent {
            let begin = Begin {
                remote_channel: s.remote_channel,
                next_outgoing_id: s.next_outgoing_id,
                incoming_window: s.incoming_window,
                outgoing_window: SESSION_WINDOW,
                handle_max: u32::MAX,
                offered_capabilities: None,
                desired_capabilities: None,
                properties: None,
            };
            self.write_performative(channel, &Performative::Begin(begin), &[]);
            self.sessions.get_mut(sid).expect("live").begin_sent = true;
        }
        // Dispositions before links: they only name transfers already on the wire, and a
        // detach written after them must not strand an accept made before it.
        let pending = !self
            .sessions
            .get(sid)
            .expect("live")
            .pending_dispositions
            .is_empty();
        let held = pending && self.dispositions_may_wait(sid);
        if pending && !held {
            self.flush_dispositions(sid, channel);
        }
        let mut lids = std::mem::take(&mut self.scratch_links);
        lids.clear();
        lids.extend(self.sessions.get(sid).expect("live").links.iter().copied());
        for &lid in &lids {
            if self.links.get(lid).is_some_and(|l| l.session == sid) {
                match part {
                    Part::Head => self.flush_link_head(lid, channel),
                    Part::Tail => self.flush_link_tail(lid, channel),
                }
            }
        }
        self.scratch_links = lids;
        if part == Part::Head {
            return held;
        }
        let s = self.sessions.get_mut(sid).expect("live");
        if s.flow_pending {
            s.flow_pending = false;
            let flow = self.session_flow(sid, None);
            self.write_performative(channel, &Performative::Flow(flow), &[]);
        }
        let s = self.sessions.get(sid).expect("live");
        if s.endpoint.local == EndpointState::Closed && !s.end_sent {
            let error = s.endpoint.local_condition.clone();
            self.write_performative(channel, &Performative::End(error), &[]);
            let s = self.sessions.get_mut(sid).expect("live");
            s.end_sent = true;
            self.reap();
        }
        held
    }

    fn session_flow(&self, sid: SessionId, link: Option<(u32, &Link)>) -> Flow {
        let s = self.sessions.get(sid).expect("live");
        let mut flow = Flow {
            next_incoming_id: s.remote_channel.map(|_| s.next_incoming_id),
            incoming_window: s.incoming_window,
            next_outgoing_id: s.next_outgoing_id,
            outgoing_window: SESSION_WINDOW,
            ..Flow::default()
        };
        if let Some((handle, l)) = link {
            flow.handle = Some(handle);
            flow.delivery_count = Some(l.delivery_count);
            flow.link_credit = Some(l.credit);
            flow.drain = l.drain;
            if l.is_sender() {
                flow.available = Some(l.queue.len() as u32);
            }
        }
        flow
    }

    /// A link's attach and pending flow.
    fn flush_link_head(&mut self, lid: LinkId, channel: u16) {
        let l = self.links.get(lid).expect("live");
        if l.endpoint.local == EndpointState::Uninit || l.detach_sent {
            return;
        }
        let Some(handle) = l.local_handle else { return };
        if !l.attach_sent {
            let attach = Attach {
                name: l.local.name.clone(),
                handle,
                role: l.local.role,
                snd_settle_mode: l.local.snd_settle_mode,
                rcv_settle_mode: l.local.rcv_settle_mode,
                source: l.local.source.clone(),
                target: l.local.target.clone(),
                unsettled: None,
                incomplete_unsettled: false,
                // Receivers send it too (the spec says it is ignored there), as proton does.
                initial_delivery_count: Some(l.delivery_count),
                max_message_size: Some(l.local.max_message_size.unwrap_or(0)),
                offered_capabilities: None,
                desired_capabilities: None,
                properties: None,
            };
            self.write_performative(channel, &Performative::Attach(attach), &[]);
            self.links.get_mut(lid).expect("live").attach_sent = true;
        }
        let l = self.links.get(lid).expect("live");
        if l.flow_pending && l.endpoint.local == EndpointState::Active {
            let flow = self.session_flow(l.session, Some((handle, l)));
            self.write_performative(channel, &Performative::Flow(flow), &[]);
            self.links.get_mut(lid).expect("live").flow_pending = false;
        }
    }

    /// A link's detach, once it is closed locally.
    fn flush_link_tail(&mut self, lid: LinkId, channel: u16) {
        let l = self.links.get(lid).expect("live");
        if l.endpoint.local == EndpointState::Uninit || l.detach_sent {
            return;
        }
        let Some(handle) = l.local_handle else { return };
        if l.endpoint.local == EndpointState::Closed {
            let detach = Detach {
                handle,
                closed: l.closing,
                error: l.endpoint.local_condition.clone(),
            };
            self.write_performative(channel, &Performative::Detach(detach), &[]);
            let l = self.links.get_mut(lid).expect("live");
            l.detach_sent = true;
            // What was still queued will never go out on this link.
            let queued: Vec<DeliveryId> = l.queue.drain(..).collect();
            for d in queued {
                if let Some(d2) = self.deliveries.get_mut(d) {
                    let unwritten = d2.payload.len().saturating_sub(d2.written);
                    self.queued_bytes = self.queued_bytes.saturating_sub(unwritten);
                    if d2.transfer_id.is_none() {
                        d2.aborted = true;
                        self.events.push_back(Event::Delivery(d));
                    }
                }
            }
            self.reap();
        }
    }

    /// Write the queued deliveries of every sender link in the order they were sent
    /// (merging the links' queues by [`Delivery::seq`]), each as far as credit, the peer's
    /// session window and our output budget allow; answer drains.
    fn flush_all_transfers(&mut self) {
        let mut senders = std::mem::take(&mut self.scratch_senders);
        senders.clear();
        for sid in self.sessions.keys() {
            let s = self.sessions.get(sid).expect("live");
            let (Some(channel), true, false) = (s.local_channel, s.begin_sent, s.end_sent) else {
                continue;
            };
            for &lid in &s.links {
                let Some(l) = self.links.get(lid) else {
                    continue;
                };
                if let (true, true, false, Some(handle)) =
                    (l.is_sender(), l.attach_sent, l.detach_sent, l.local_handle)
                {
                    senders.push((lid, channel, handle));
                }
            }
        }
        let front = |c: &Connection, lid: LinkId| {
            let l = c.links.get(lid)?;
            l.queue
                .front()
                .and_then(|&d| c.deliveries.get(d))
                .map(|d| d.seq)
        };
        let mut heap = std::collections::BinaryHeap::with_capacity(senders.len());
        for (i, &(lid, channel, handle)) in senders.iter().enumerate() {
            match front(self, lid) {
                Some(seq) => heap.push(std::cmp::Reverse((seq, i))),
                // Nothing queued: only a drain to answer.
                None => self.flush_transfers(lid, channel, handle, u64::MAX),
            }
        }
        while let Some(std::cmp::Reverse((seq, i))) = heap.pop() {
            let (lid, channel, handle) = senders[i];
            let until = heap.peek().map_or(u64::MAX, |r| r.0 .0);
            self.flush_transfers(lid, channel, handle, until);
            if self.output.len() - self.output_pos >= OUTPUT_HIGH_WATER {
                break;
            }
            match front(self, lid) {
                // Progress, and more to write: back in the merge.
                Some(next) if next != seq => heap.push(std::cmp::Reverse((next, i))),
                _ => {}
            }
        }
        self.scratch_senders = senders;
    }

    /// Cut queued deliveries into transfer frames while credit, the peer's session window
    /// and our output budget allow, stopping before a delivery not yet begun whose
    /// [`Delivery::seq`] is `until` or later (another link's turn).
    fn flush_transfers(&mut self, lid: LinkId, channel: u16, handle: u32, until: u64) {
        loop {
            if self.output.len() - self.output_pos >= OUTPUT_HIGH_WATER {
                return;
            }
            let l = self.links.get(lid).expect("live");
            if !l.is_sender()
                || l.endpoint.remote != EndpointState::Active
                || l.endpoint.local != EndpointState::Active
            {
                return;
            }
            let Some(&did) = l.queue.front() else {
                self.answer_drain(lid, channel, handle);
                return;
            };
            if self.deliveries.get(did).is_some_and(|d| d.aborted) {
                if self.write_abort(lid, did, channel, handle) {
                    continue;
                }
                return;
            }
            let l = self.links.get(lid).expect("live");
            let sid = l.session;
            let (first, seq) = self
                .deliveries
                .get(did)
                .map_or((false, 0), |d| (d.transfer_id.is_none(), d.seq));
            if first && seq >= until {
                return;
            }
            if first && l.credit == 0 {
                self.answer_drain(lid, channel, handle);
                return;
            }
            if self.sessions.get(sid).expect("live").remote_incoming_window == 0 {
                return;
            }
            let session = self.sessions.get_mut(sid).expect("live");
            let transfer_id = if first {
                let id = session.next_delivery_id;
                session.next_delivery_id = id.wrapping_add(1);
                id
            } else {
                0
            };
            session.next_outgoing_id = session.next_outgoing_id.wrapping_add(1);
            session.remote_incoming_window = session.remote_incoming_window.saturating_sub(1);
            let d = self.deliveries.get_mut(did).expect("queued delivery");
            if first {
                d.transfer_id = Some(transfer_id);
            }
            let start = d.written;
            // Settling is the application's choice (the link's snd-settle-mode is only what
            // the attach announced), as in proton's engine.
            let settled = d.local_settled;
            let mut p = Performative::Transfer(Transfer {
                handle,
                delivery_id: first.then_some(transfer_id),
                // Lent to the frame and given back below: no copy per transfer.
                delivery_tag: first.then(|| std::mem::take(&mut d.tag)),
                message_format: first.then_some(d.message_format),
                settled: (first && settled).then_some(true),
                more: true,
                state: None,
                ..Transfer::default()
            });
            // Room for payload in a frame of the peer's max-frame-size (capped at
            // FRAME_CAP so that the output stays bounded), after the frame header
            // and the performative as written with more=true (never shorter than with
            // more=false). Measured by encoding it where the frame will go, unless the rest
            // of the payload fits even after the largest transfer performative with this
            // tag: then the measure cannot change the outcome and is skipped.
            let frame_max = (self.remote_max_frame as usize).min(FRAME_CAP);
            let left = d.payload.len() - start;
            let tag_len = match &p {
                Performative::Transfer(t) => t.delivery_tag.as_ref().map_or(0, |t| t.len()),
                _ => 0,
            };
            let bound = TRANSFER_MAX_LEN + tag_len;
            let measured = 8 + bound + left > frame_max;
            let performative_len = if measured {
                let mark = self.output.len();
                p.encode(&mut self.output);
                let n = self.output.len() - mark;
                self.output.truncate(mark);
                n
            } else {
                bound
            };
            let room = frame_max.saturating_sub(8 + performative_len);
            let Performative::Transfer(transfer) = &mut p else {
                unreachable!("built above")
            };
            if room == 0 && (left > 0 || 8 + performative_len > frame_max) {
                if let Some(tag) = transfer.delivery_tag.take() {
                    d.tag = tag; // give back the lent tag
                }
                let text = format!(
                    "a transfer with a {}-byte delivery-tag cannot fit the peer's \
                     max-frame-size of {}",
                    d.tag.len(),
                    self.remote_max_frame
                );
                self.fail(condition::INTERNAL_ERROR, text);
                return;
            }
            let end = start + left.min(room);
            let more = end < d.payload.len();
            transfer.more = more;
            d.written = end;
            self.queued_bytes = self.queued_bytes.saturating_sub(end - start);
            if settled {
                d.local_settled = true;
            }
            let payload = std::mem::take(&mut d.payload);
            let mark = self.output.len();
            self.write_performative(channel, &p, &payload[start..end]);
            debug_assert!(
                measured || self.output.len() - mark - 8 - (end - start) <= bound,
                "TRANSFER_MAX_LEN is too small"
            );
            let d = self.deliveries.get_mut(did).expect("queued delivery");
            d.payload = payload;
            if let Performative::Transfer(Transfer {
                delivery_tag: Some(tag),
                ..
            }) = &mut p
            {
                d.tag = std::mem::take(tag);
            }
            let tid = d.transfer_id.expect("assigned");
            if first {
                let l = self.links.get_mut(lid).expect("live");
                l.credit -= 1;
                l.delivery_count = l.delivery_count.wrapping_add(1);
                if !settled {
                    self.sessions
                        .get_mut(sid)
                        .expect("live")
                        .outgoing_unsettled
                        .insert(tid, did);
                }
            }
            if !more {
                let l = self.links.get_mut(lid).expect("live");
                l.queue.pop_front();
                // The payload is on the wire; keep no copy (its buffer may serve again).
                let d = self.deliveries.get_mut(did).expect("delivery");
                let spent = std::mem::take(&mut d.payload);
                self.recycle(spent);
                let d = self.deliveries.get_mut(did).expect("delivery");
                d.written = 0;
                self.events.push_back(Event::Delivery(did));
                self.forget_if_done(did);
            }
        }
    }

    /// Sender: the receiver asked us to drain and we have nothing more to send with the
    /// credit it gave: use up the credit (advance delivery-count, zero credit) and tell it
    /// (spec 2.6.7). Answered once per drain request, even when no credit was left.
    fn answer_drain(&mut self, lid: LinkId, channel: u16, handle: u32) {
        let l = self.links.get_mut(lid).expect("live");
        if !l.drain {
            return;
        }
        l.delivery_count = l.delivery_count.wrapping_add(l.credit);
        l.credit = 0;
        l.drain = false;
        let l = self.links.get(lid).expect("live");
        let flow = self.session_flow(l.session, Some((handle, l)));
        self.write_performative(channel, &Performative::Flow(flow), &[]);
        self.links.get_mut(lid).expect("live").flow_pending = false;
    }

    /// End a partly written delivery at the front of `lid`'s queue with an aborted
    /// transfer (it needs room in the peer's session window, not credit).
    /// Returns false if the window is closed.
    fn write_abort(&mut self, lid: LinkId, did: DeliveryId, channel: u16, handle: u32) -> bool {
        let sid = self.links.get(lid).expect("live").session;
        let session = self.sessions.get_mut(sid).expect("live");
        if session.remote_incoming_window == 0 {
            return false;
        }
        session.next_outgoing_id = session.next_outgoing_id.wrapping_add(1);
        session.remote_incoming_window -= 1;
        let d = self.deliveries.get_mut(did).expect("queued delivery");
        let tid = d.transfer_id.expect("partly written");
        let unwritten = d.payload.len().saturating_sub(d.written);
        self.queued_bytes = self.queued_bytes.saturating_sub(unwritten);
        d.payload = Vec::new();
        d.written = 0;
        let transfer = Transfer {
            handle,
            delivery_id: Some(tid),
            settled: Some(true),
            aborted: true,
            ..Transfer::default()
        };
        self.write_performative(channel, &Performative::Transfer(transfer), &[]);
        self.sessions
            .get_mut(sid)
            .expect("live")
            .outgoing_unsettled
            .remove(tid);
        self.links.get_mut(lid).expect("live").queue.pop_front();
        self.forget_if_done(did);
        true
    }

    /// Whether a session's pending dispositions may wait for the next write
    /// ([`Config::defer_dispositions`]): the peer is part way through a frame to us, few
    /// are pending, not for long, and nothing is closing (a detach or end must not strand
    /// an outcome made before it).
    fn dispositions_may_wait(&mut self, sid: SessionId) -> bool {
        if !self.config.defer_dispositions || self.input.is_empty() || self.phase != Phase::Amqp {
            return false;
        }
        let Some(now) = self.now else {
            return false;
        };
        let s = self.sessions.get(sid).expect("live");
        let closing = self.endpoint.local == EndpointState::Closed
            || s.endpoint.local == EndpointState::Closed
            || s.links.iter().any(|&l| {
                self.links
                    .get(l)
                    .is_some_and(|l| l.endpoint.local == EndpointState::Closed && !l.detach_sent)
            });
        if closing || s.pending_dispositions.updates() >= DEFER_MAX {
            return false;
        }
        let since = *self.deferring_since.get_or_insert(now);
        now < since + DEFER_FOR
    }

    /// Write pending dispositions, merging runs of consecutive delivery-ids with the same
    /// role, state and settlement into one frame.
    fn flush_dispositions(&mut self, sid: SessionId, channel: u16) {
        let session = self.sessions.get_mut(sid).expect("live");
        let mut pending = std::mem::take(&mut session.pending_dispositions);
        pending.drain(|d| self.write_performative(channel, &Performative::Disposition(d), &[]));
        // Keep the emptied queue's capacity.
        self.sessions
            .get_mut(sid)
            .expect("live")
            .pending_dispositions = pending;
    }

    /// The bytes ready to send (possibly empty). Call [`Connection::consume_output`] with
    /// how many were written.
    pub fn poll_output(&mut self) -> &[u8] {
        if self.phase != Phase::Done || self.error.is_none() {
            self.flush_endpoints();
        }
        &self.output[self.output_pos..]
    }

    /// `n` bytes of [`Connection::poll_output`] have been sent.
    pub fn consume_output(&mut self, n: usize, now: Instant) {
        if n > 0 {
            self.last_output = Some(now);
        }
        self.output_pos = (self.output_pos + n).min(self.output.len());
        if self.output_pos == self.output.len() {
            self.output.clear();
            self.output_pos = 0;
            self.check_closed();
        }
    }

    /// Give back a payload buffer the application is done with (say, a message taken
    /// with [`Connection::take_payload`] and decoded): incoming deliveries are received
    /// into such buffers, and [`Connection::spare_buffer`] hands them out, so steady
    /// traffic does not allocate (and free, and fault in) a buffer per message. A few
    /// are kept (at most [`SPARE_BUFFERS`], [`SPARE_BYTES`] in all); others are dropped.
    pub fn recycle(&mut self, mut buf: Vec<u8>) {
        let cap = buf.capacity();
        if cap == 0 || self.spare.len() >= SPARE_BUFFERS || self.spare_bytes + cap > SPARE_BYTES {
            return;
        }
        buf.clear();
        self.spare_bytes += cap;
        self.spare.push(buf);
    }

    /// An empty buffer for a payload: a recycled one when there is one (sent payloads
    /// are recycled once written).
    pub fn spare_buffer(&mut self) -> Vec<u8> {
        match self.spare.pop() {
            Some(buf) => {
                self.spare_bytes -= buf.capacity();
                buf
            }
            None => Vec::new(),
        }
    }

    /// Bytes waiting to go out: output not yet consumed plus the payloads of queued
    /// deliveries not yet cut into frames (whether or not credit allows them now).
    pub fn queued_bytes(&self) -> usize {
        self.queued_bytes + (self.output.len() - self.output_pos)
    }

    /// Whether anything is waiting to be written.
    pub fn has_output(&mut self) -> bool {
        !self.poll_output().is_empty()
    }

    // ---------------------------------------------------------------------------------
    // Time

    /// When [`Connection::handle_timeout`] must next be called.
    pub fn poll_timeout(&self) -> Option<Instant> {
        if self.phase == Phase::Done {
            return None;
        }
        // Nothing, not even an empty frame, may follow our close.
        let heartbeat = self
            .remote_idle_timeout
            .filter(|_| !self.close_sent)
            .and_then(|t| self.last_output.or(self.now).map(|last| last + t / 2));
        let idle = self
            .config
            .idle_timeout
            .and_then(|t| self.last_input.or(self.now).map(|last| last + t));
        let deferred = self.deferring_since.map(|since| since + DEFER_FOR);
        [heartbeat, idle, deferred].into_iter().flatten().min()
    }

    /// Send a heartbeat if the peer needs one; time the peer out if it went silent.
    pub fn handle_timeout(&mut self, now: Instant) {
        self.now = Some(now);
        if self.phase == Phase::Done {
            return;
        }
        if self.last_input.is_none() {
            self.last_input = Some(now);
        }
        if let Some(t) = self.config.idle_timeout {
            if now >= self.last_input.expect("set") + t {
                self.fail(
                    condition::RESOURCE_LIMIT_EXCEEDED,
                    "local-idle-timeout expired".into(),
                );
                return;
            }
        }
        if let Some(t) = self.remote_idle_timeout.filter(|_| !self.close_sent) {
            let last = self.last_output.unwrap_or(now);
            if self.last_output.is_none() {
                self.last_output = Some(now);
            }
            if now >= last + t / 2
                && self.output_pos >= self.output.len()
                && self.phase == Phase::Amqp
            {
                frame::write_heartbeat(&mut self.output);
                if self.config.trace {
                    self.trace_lines.push_back(trace::empty_frame_line(0, "->"));
                }
                self.last_output = Some(now);
            }
        }
    }

    // ---------------------------------------------------------------------------------
    // Events

    pub fn poll_event(&mut self) -> Option<Event> {
        self.events.pop_front()
    }
}
