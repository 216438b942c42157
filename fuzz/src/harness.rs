//! What the fuzz targets do with an input, and the invariants they check; shared with
//! `tests/engine_corpus.rs` (which includes this file with `#[path]`), so every corpus file
//! and every saved regression input is replayed by plain `cargo test` exactly as the fuzzer
//! ran it.
//!
//! Entry points, one per fuzz target:
//! - [`fuzz_frames`]: the frame decoder (`parse_frame`), then `decode_performative` and
//!   `decode_sasl` on every body, the trace formatter, and an encode/decode fixed point.
//! - [`fuzz_connection`]: a whole [`Connection`] (client or server) fed the input in chunks
//!   chosen by a 2-byte prefix ([`Plan`]), its output parsed back and events drained, then
//!   EOF and timers; see [`run_connection`] for the invariants.
//! - [`fuzz_message`]: `Message::decode`, every field read, re-encoded and decoded again.
//!
//! Invariants are `assert!`s: a violation panics, which the fuzzer reports as a crash.
#![allow(dead_code)]

use qpid_proton::codec::{decoder, format, Data};
use qpid_proton::engine::frame::{
    self, detect_header, parse_frame, FrameType, AMQP_HEADER, SASL_HEADER,
};
use qpid_proton::engine::performative::{
    decode_performative, decode_sasl, Attach, Begin, DeliveryState, Detach, Disposition,
    ErrorCondition, Flow, Open, Performative, RcvSettleMode, Role, SaslFrame, SndSettleMode,
    Terminus, TerminusField, Transfer,
};
use qpid_proton::engine::sasl::{ClientCredentials, ServerPolicy};
use qpid_proton::engine::trace;
use qpid_proton::engine::{Config, Connection, EndpointState, Event, LinkSettings, Side};
use qpid_proton::message::{IdField, Message};
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Frame decoder

/// Parse `input` as frames (after a protocol header, if it starts with one); decode every
/// body both as a performative and as a SASL frame. Whatever decodes must re-encode to
/// bytes that decode again and re-encode to the same bytes.
pub fn fuzz_frames(input: &[u8]) {
    let mut rest = input;
    if let Some(Ok(_)) = detect_header(rest) {
        rest = &rest[8.min(rest.len())..];
    }
    // A small limit too, so the too-large path runs on the same input.
    let limit = if input.first().is_some_and(|b| b & 1 == 1) {
        frame::MIN_MAX_FRAME_SIZE
    } else {
        u32::MAX
    };
    let mut frames = 0;
    while !rest.is_empty() && frames < 4096 {
        let (f, size) = match parse_frame(rest, limit) {
            Ok(None) => break,
            Err(e) => {
                // The error is decided by the 8-byte header alone: a longer input gives it too.
                let _ = e.to_string();
                assert!(rest.len() >= 8, "an error before the header was complete");
                assert_eq!(parse_frame(&rest[..8], limit), Err(e));
                break;
            }
            Ok(Some(parsed)) => parsed,
        };
        frames += 1;
        assert!(size >= 8 && size <= rest.len(), "frame size {size}");
        assert!(size as u64 <= limit as u64);
        assert!(f.body.len() <= size - 8);
        // One byte short of a whole frame is "need more", never an error or a frame.
        assert_eq!(parse_frame(&rest[..size - 1], limit), Ok(None));
        check_body(f.body);
        // The frame rebuilt with the standard 2-word offset parses to the same body.
        let mut rebuilt = Vec::new();
        let start = frame::begin_frame(&mut rebuilt, f.kind, f.channel);
        rebuilt.extend_from_slice(f.body);
        frame::finish_frame(&mut rebuilt, start);
        let (again, n) = parse_frame(&rebuilt, u32::MAX)
            .expect("a rebuilt frame parses")
            .expect("a rebuilt frame is complete");
        assert_eq!(
            (again.kind, again.channel, again.body),
            (f.kind, f.channel, f.body)
        );
        assert_eq!(n, rebuilt.len());
        rest = &rest[size..];
    }
    // The whole input as one body, too: most mutations never make a valid frame header.
    if frames == 0 {
        check_body(input);
    }
}

/// Decode a frame body every way the engine does; check the encode/decode fixed point.
fn check_body(body: &[u8]) {
    let _ = trace::format_body(body, 0);
    if let Ok((p, payload)) = decode_performative(body) {
        assert!(payload.len() <= body.len());
        assert!(
            body.ends_with(payload),
            "the payload is the end of the body"
        );
        let _ = trace::frame_line(0, "<-", &body[..body.len() - payload.len()], payload);
        let mut first = Vec::new();
        p.encode(&mut first);
        let (p2, rest) = decode_performative(&first).unwrap_or_else(|e| {
            panic!(
                "{} re-encodes to bytes that do not decode ({e}):\n  body {}\n  out  {}",
                p.name(),
                hex(body),
                hex(&first)
            )
        });
        assert!(
            rest.is_empty(),
            "re-encoded {} has trailing bytes",
            p.name()
        );
        let mut second = Vec::new();
        p2.encode(&mut second);
        assert!(
            first == second,
            "{} encoding is not a fixed point:\n  body   {}\n  first  {}\n  second {}\n  {p:?}\n  {p2:?}",
            p.name(),
            hex(body),
            hex(&first),
            hex(&second)
        );
    }
    if let Ok(s) = decode_sasl(body) {
        let mut first = Vec::new();
        s.encode(&mut first);
        let s2 = decode_sasl(&first).unwrap_or_else(|e| {
            panic!(
                "SASL {s:?} re-encodes to bytes that do not decode ({e}):\n  body {}\n  out  {}",
                hex(body),
                hex(&first)
            )
        });
        let mut second = Vec::new();
        s2.encode(&mut second);
        assert!(
            first == second,
            "SASL encoding is not a fixed point:\n  body   {}\n  first  {}\n  second {}",
            hex(body),
            hex(&first),
            hex(&second)
        );
    }
}

// ---------------------------------------------------------------------------------------
// Connection

/// Bytes of a connection fuzz input before the byte stream: how to run it ([`Plan`]).
pub const PREFIX_LEN: usize = 2;

/// Chunk sizes selectable by the prefix (0: the whole stream in one call).
pub const CHUNK_SIZES: [usize; 8] = [0, 1, 2, 3, 7, 16, 61, 509];

/// What the local application does before any input arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Setup {
    /// Nothing (a server waits for the client; a client still sends its header).
    Idle,
    /// Open the connection.
    Open,
    /// Open, begin a session, attach a receiving link with credit (the proactor's
    /// receiving client).
    Receiver,
    /// Open, begin, attach a sending link and queue three deliveries (one pre-settled,
    /// one larger than the smallest max-frame-size).
    Sender,
}

/// How a connection fuzz input is run, decoded from its 2-byte prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Plan {
    pub side: Side,
    pub setup: Setup,
    /// Feed the stream in chunks of this size (0: all at once).
    pub chunk: usize,
    /// After every chunk: drain events, take output, advance the clock, run timers.
    pub interleave: bool,
    /// React to events like an application (open, begin, attach, credit, accept, settle,
    /// close back); otherwise events are only drained.
    pub active: bool,
    /// Frame tracing on (runs the trace formatter on every frame).
    pub trace: bool,
    /// We advertise a 30 s idle timeout; the final timer call is past it.
    pub idle_timeout: bool,
    /// We accept only 512-byte frames.
    pub small_frames: bool,
    /// Client: authenticate with SASL PLAIN. Server: TLS gave an identity (EXTERNAL).
    pub sasl: bool,
}

impl Plan {
    /// The plan proton's own corpus files are replayed with: whole input, an application
    /// that answers.
    pub fn new(side: Side, setup: Setup) -> Plan {
        Plan {
            side,
            setup,
            chunk: 0,
            interleave: false,
            active: true,
            trace: false,
            idle_timeout: false,
            small_frames: false,
            sasl: false,
        }
    }

    pub fn from_prefix(side: Side, p: [u8; PREFIX_LEN]) -> Plan {
        Plan {
            side,
            chunk: CHUNK_SIZES[(p[0] & 7) as usize],
            interleave: p[0] & 0x08 != 0,
            setup: match (p[0] >> 4) & 3 {
                0 => Setup::Open,
                1 => Setup::Receiver,
                2 => Setup::Sender,
                _ => Setup::Idle,
            },
            active: p[0] & 0x40 == 0,
            trace: p[1] & 0x01 != 0,
            idle_timeout: p[1] & 0x02 != 0,
            small_frames: p[1] & 0x04 != 0,
            sasl: p[1] & 0x08 != 0,
        }
    }

    pub fn to_prefix(&self) -> [u8; PREFIX_LEN] {
        let chunk = CHUNK_SIZES
            .iter()
            .position(|&c| c == self.chunk)
            .expect("a selectable chunk size") as u8;
        let setup = match self.setup {
            Setup::Open => 0,
            Setup::Receiver => 1,
            Setup::Sender => 2,
            Setup::Idle => 3,
        };
        [
            chunk | (self.interleave as u8) << 3 | setup << 4 | (!self.active as u8) << 6,
            self.trace as u8
                | (self.idle_timeout as u8) << 1
                | (self.small_frames as u8) << 2
                | (self.sasl as u8) << 3,
        ]
    }
}

/// The connection fuzz targets: a 2-byte [`Plan`] prefix, then the peer's bytes. A
/// chunked run without interleaving must behave exactly like the same stream given whole.
pub fn fuzz_connection(side: Side, data: &[u8]) {
    if data.len() < PREFIX_LEN {
        return;
    }
    let plan = Plan::from_prefix(side, [data[0], data[1]]);
    let stream = &data[PREFIX_LEN..];
    let chunked = run_connection(plan, stream);
    if plan.chunk != 0 && !plan.interleave {
        let whole = run_connection(Plan { chunk: 0, ..plan }, stream);
        assert!(
            chunked.transcript == whole.transcript,
            "chunks of {} change what the connection does:\n  chunked {:#?}\n  whole   {:#?}",
            plan.chunk,
            chunked.transcript,
            whole.transcript
        );
    }
}

/// What one run did, for the chunking comparison and for statistics.
#[derive(Debug, Default)]
pub struct Report {
    /// Frames written and events seen, error descriptions blanked (they may quote the
    /// bytes received so far).
    pub transcript: Vec<String>,
    pub frames_out: usize,
    pub events: usize,
    pub error: Option<ErrorCondition>,
    pub remote_open: bool,
    pub deliveries_in: usize,
}

/// Run one connection over `stream` and check, throughout:
/// - nothing panics, and pumping output and events reaches a quiet state;
/// - every byte written parses back as protocol headers and frames, each body decodes with
///   our own decoder, the first AMQP frame is an open, nothing follows a close, and once
///   the peer's open is known no frame exceeds its max-frame-size;
/// - events keep their order rules: one transport error (the connection's error), one
///   transport-closed and nothing after it, at most one remote open and remote close;
/// - a failed connection that got as far as the AMQP layer sends exactly one close, and it
///   carries the error's condition;
/// - after EOF and the last output, the transport is closed and asks for no more timers.
pub fn run_connection(plan: Plan, stream: &[u8]) -> Report {
    let start = Instant::now();
    let mut now = start;
    let mut config = Config::new(plan.side, "fuzz-container");
    config.trace = plan.trace;
    config.hostname = Some("fuzz.example".into());
    if plan.idle_timeout {
        config.idle_timeout = Some(Duration::from_secs(30));
    }
    if plan.small_frames {
        config.max_frame_size = frame::MIN_MAX_FRAME_SIZE;
    }
    if plan.sasl {
        match plan.side {
            Side::Client => {
                config.sasl = Some(ClientCredentials {
                    user: Some("fuzz-user".into()),
                    password: Some("fuzz-password".into()),
                    allow_insecure: true,
                    ..Default::default()
                })
            }
            Side::Server => {
                config.sasl_policy = ServerPolicy {
                    external_identity: Some("CN=fuzz".into()),
                }
            }
        }
    }
    let mut h = Harness {
        plan,
        conn: Connection::new(config),
        out: OutputChecker::new(plan.side, plan.sasl && plan.side == Side::Client),
        report: Report::default(),
        transport_closed: false,
        transport_errors: 0,
        remote_opens: 0,
        remote_closes: 0,
        authenticated: 0,
        sent: 0,
    };
    h.setup();
    let chunk = if plan.chunk == 0 {
        stream.len().max(1)
    } else {
        plan.chunk
    };
    for piece in stream.chunks(chunk) {
        h.conn.handle_input(piece, now);
        if plan.interleave {
            h.pump(now);
            now += Duration::from_millis(250);
            if h.conn.poll_timeout().is_some_and(|t| t <= now) {
                h.conn.handle_timeout(now);
            }
            h.pump(now);
        }
    }
    h.pump(now);
    h.conn.handle_eof();
    h.pump(now);
    // Timers after the end: nothing is due, and nothing happens.
    assert_eq!(
        h.conn.poll_timeout(),
        None,
        "a closed transport wants a timer"
    );
    now += Duration::from_secs(3600);
    h.conn.handle_timeout(now);
    h.pump(now);
    h.finish();
    h.report
}

/// A running connection with its checkers and the pretend application.
struct Harness {
    plan: Plan,
    conn: Connection,
    out: OutputChecker,
    report: Report,
    transport_closed: bool,
    transport_errors: usize,
    remote_opens: usize,
    remote_closes: usize,
    authenticated: usize,
    /// Deliveries the application queued.
    sent: usize,
}

fn terminus(address: &str) -> Option<TerminusField> {
    Some(TerminusField::Terminus(Terminus {
        address: Some(address.into()),
        ..Default::default()
    }))
}

fn link_settings(name: &str, role: Role) -> LinkSettings {
    LinkSettings {
        name: name.into(),
        role,
        source: terminus("fuzz-queue"),
        target: terminus("fuzz-queue"),
        snd_settle_mode: SndSettleMode::Mixed,
        rcv_settle_mode: RcvSettleMode::First,
        max_message_size: None,
    }
}

/// A small valid message: an AMQP value section holding a string.
fn message_bytes(len: usize) -> Vec<u8> {
    let mut out = vec![0x00, 0x53, 0x77, 0xb1];
    out.extend_from_slice(&(len as u32).to_be_bytes());
    out.extend((0..len).map(|i| b'a' + (i % 26) as u8));
    out
}

impl Harness {
    fn setup(&mut self) {
        let c = &mut self.conn;
        match self.plan.setup {
            Setup::Idle => {}
            Setup::Open => c.open(),
            Setup::Receiver => {
                c.open();
                let s = c.begin_session();
                let l = c
                    .attach(s, link_settings("fuzz-receiver", Role::Receiver))
                    .expect("a session we just began");
                c.add_credit(l, 10);
            }
            Setup::Sender => {
                c.open();
                let s = c.begin_session();
                let l = c
                    .attach(s, link_settings("fuzz-sender", Role::Sender))
                    .expect("a session we just began");
                for (i, len) in [5, 700, 3000].into_iter().enumerate() {
                    c.send(l, vec![b't', i as u8], message_bytes(len), i == 0)
                        .expect("a sending link");
                    self.sent += 1;
                }
            }
        }
    }

    /// Drain events (reacting to them) and output until nothing more comes.
    fn pump(&mut self, now: Instant) {
        for _ in 0..64 {
            let mut busy = false;
            while let Some(event) = self.conn.poll_event() {
                busy = true;
                self.on_event(event);
            }
            let remote_max = self
                .conn
                .remote_open()
                .map(|o| o.max_frame_size.max(frame::MIN_MAX_FRAME_SIZE));
            let bytes = self.conn.poll_output().to_vec();
            if !bytes.is_empty() {
                busy = true;
                assert!(!self.transport_closed, "output after the transport closed");
                self.report.frames_out += self.out.feed(&bytes, remote_max, &mut self.report);
                // Take it in two writes, as a socket might.
                let half = bytes.len() / 2;
                self.conn.consume_output(half, now);
                self.conn.consume_output(bytes.len() - half, now);
            }
            if !busy {
                return;
            }
        }
        panic!("the connection never goes quiet (events or output on every pump)");
    }

    fn on_event(&mut self, event: Event) {
        assert!(
            !self.transport_closed,
            "event {event:?} after TransportClosed"
        );
        self.report.events += 1;
        self.report.transcript.push(match &event {
            Event::TransportError(e) => format!("event TransportError({})", e.condition),
            other => format!("event {other:?}"),
        });
        let active = self.plan.active;
        let c = &mut self.conn;
        match event {
            Event::TransportError(e) => {
                self.transport_errors += 1;
                assert_eq!(self.transport_errors, 1, "a second transport error: {e:?}");
                assert_eq!(
                    c.error(),
                    Some(&*e),
                    "the event carries the connection's error"
                );
                assert!(!e.condition.is_empty(), "an error without a condition");
            }
            Event::TransportClosed => self.transport_closed = true,
            Event::ConnectionRemoteOpen => {
                self.remote_opens += 1;
                assert_eq!(self.remote_opens, 1, "a second remote open event");
                assert!(c.remote_open().is_some());
                self.report.remote_open = true;
                if active {
                    c.open();
                }
            }
            Event::ConnectionRemoteClose => {
                self.remote_closes += 1;
                assert_eq!(self.remote_closes, 1, "a second remote close event");
                assert_eq!(c.remote_state(), EndpointState::Closed);
                if active {
                    c.close(None);
                }
            }
            Event::Authenticated(_) => {
                self.authenticated += 1;
                assert_eq!(self.authenticated, 1, "a second SASL outcome");
            }
            Event::SessionRemoteBegin(s) => {
                assert!(c.session(s).is_some(), "begin event for an unknown session");
                if active {
                    c.open_session(s);
                }
            }
            Event::SessionRemoteEnd(s) => {
                if active {
                    c.end_session(s, None);
                }
            }
            Event::LinkRemoteAttach(l) => {
                let link = c.link(l).expect("attach event for an unknown link");
                let receiver = !link.is_sender();
                if active {
                    c.open_link(l);
                    if receiver {
                        c.add_credit(l, 5);
                    }
                }
            }
            Event::LinkRemoteDetach(l) => {
                if active {
                    c.detach(l, true, None);
                }
            }
            Event::LinkFlow(l) => {
                let Some(link) = c.link(l) else { return };
                if active
                    && link.is_sender()
                    && link.credit > 0
                    && link.queue.is_empty()
                    && self.sent < 8
                {
                    self.sent += 1;
                    let _ = c.send(l, vec![b'f', self.sent as u8], message_bytes(20), false);
                }
            }
            Event::Delivery(d) => {
                let Some(delivery) = c.delivery(d) else {
                    return;
                };
                let incoming = !delivery.outgoing;
                let done = delivery.complete || delivery.aborted;
                if delivery.complete {
                    self.report.deliveries_in += 1;
                }
                if !active {
                    return;
                }
                if incoming && done {
                    let payload = c.take_payload(d).unwrap_or_default();
                    let mut m = Message::new();
                    let _ = m.decode(&payload);
                    let _ = m.to_bytes();
                    c.update(d, DeliveryState::Accepted);
                    c.settle(d);
                } else if !incoming && delivery.remote_settled {
                    c.settle(d);
                }
            }
        }
    }

    fn finish(&mut self) {
        let c = &mut self.conn;
        assert!(c.is_closed(), "not closed after EOF and the last output");
        assert!(self.transport_closed, "no TransportClosed event");
        assert!(c.poll_output().is_empty());
        assert!(c.poll_event().is_none());
        self.report.error = c.error().cloned();
        if let Some(e) = c.error().cloned() {
            assert_eq!(self.transport_errors, 1, "an error without its event");
            // Whoever reached the AMQP layer tells the peer why, in exactly one close.
            if self.out.amqp_header_written {
                let closes = &self.out.closes;
                assert_eq!(
                    closes.len(),
                    1,
                    "a failed connection sends one close: {e:?}"
                );
                if self.remote_closes == 0 {
                    let sent = closes[0]
                        .as_ref()
                        .unwrap_or_else(|| panic!("close without the error {e:?}"));
                    assert_eq!(sent.condition, e.condition, "close carries the error");
                }
                assert!(self.out.closed, "the close is the last frame");
            }
        } else {
            assert_eq!(self.transport_errors, 0);
            if self.remote_closes == 0 {
                // Only a clean close from the peer ends a connection without an error.
                panic!("the connection ended with neither an error nor a remote close");
            }
        }
        assert!(self.out.pending.is_empty(), "output ended inside a frame");
        self.report.transcript.push(format!(
            "error {:?}",
            self.report.error.as_ref().map(|e| &e.condition)
        ));
    }
}

/// Parses what the connection writes, as the peer would.
struct OutputChecker {
    side: Side,
    pending: Vec<u8>,
    state: OutState,
    amqp_header_written: bool,
    /// Every close frame written: its error.
    closes: Vec<Option<ErrorCondition>>,
    /// The last frame written was a close.
    closed: bool,
    amqp_frames: usize,
    /// Our sessions on the wire: channel -> (attached handles, last delivery-id sent).
    sessions: std::collections::HashMap<u16, OutSession>,
}

#[derive(Default)]
struct OutSession {
    handles: std::collections::HashSet<u32>,
    last_delivery_id: Option<u32>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum OutState {
    Header,
    Sasl,
    Amqp,
}

impl OutputChecker {
    fn new(side: Side, _sasl_client: bool) -> Self {
        OutputChecker {
            side,
            pending: Vec::new(),
            state: OutState::Header,
            amqp_header_written: false,
            closes: Vec::new(),
            closed: false,
            amqp_frames: 0,
            sessions: Default::default(),
        }
    }

    /// Take more output; returns how many frames it completed.
    fn feed(&mut self, bytes: &[u8], remote_max: Option<u32>, report: &mut Report) -> usize {
        let mut pending = std::mem::take(&mut self.pending);
        pending.extend_from_slice(bytes);
        let mut frames = 0;
        let mut used = 0;
        loop {
            let rest = &pending[used..];
            if rest.is_empty() {
                break;
            }
            let header_next = match self.state {
                OutState::Header => true,
                // After SASL the AMQP header follows: no frame starts "AMQP" (1.1 GB).
                OutState::Sasl => rest.len() >= 4 && rest[..4] == AMQP_HEADER[..4],
                OutState::Amqp => false,
            };
            if header_next {
                if rest.len() < 8 {
                    break;
                }
                let header: [u8; 8] = rest[..8].try_into().expect("8 bytes");
                match (self.state, header) {
                    (OutState::Header, SASL_HEADER) => self.state = OutState::Sasl,
                    (OutState::Header | OutState::Sasl, AMQP_HEADER) => {
                        self.state = OutState::Amqp;
                        self.amqp_header_written = true;
                    }
                    _ => panic!("wrote a bad protocol header {}", hex(&header)),
                }
                report
                    .transcript
                    .push(format!("out header {}", hex(&header)));
                used += 8;
                continue;
            }
            let (f, size) = match parse_frame(rest, u32::MAX) {
                Ok(None) => break,
                Ok(Some(parsed)) => parsed,
                Err(e) => panic!("wrote a frame that does not parse: {e} ({})", hex(rest)),
            };
            assert!(!self.closed, "a frame after close");
            assert_eq!(rest[4], 2, "our frames have no extended header");
            frames += 1;
            let line = match (self.state, f.kind) {
                (OutState::Sasl, FrameType::Sasl) => {
                    let s = decode_sasl(f.body).unwrap_or_else(|e| {
                        panic!(
                            "wrote a SASL frame that does not decode: {e} ({})",
                            hex(f.body)
                        )
                    });
                    assert_eq!(f.channel, 0);
                    format!("out sasl {s:?}")
                }
                (OutState::Amqp, FrameType::Amqp) if f.body.is_empty() => "out heartbeat".into(),
                (OutState::Amqp, FrameType::Amqp) => {
                    if let Some(max) = remote_max {
                        assert!(
                            size as u64 <= max as u64,
                            "a frame of {size} bytes, over the peer's max-frame-size {max}"
                        );
                    }
                    let (p, _) = decode_performative(f.body).unwrap_or_else(|e| {
                        panic!("wrote a frame that does not decode: {e} ({})", hex(f.body))
                    });
                    if self.amqp_frames == 0 {
                        assert!(matches!(p, Performative::Open(_)), "first frame {p:?}");
                    } else {
                        assert!(!matches!(p, Performative::Open(_)), "a second open");
                    }
                    if matches!(p, Performative::Open(_) | Performative::Close(_)) {
                        assert_eq!(f.channel, 0, "open and close go on channel 0");
                    }
                    self.amqp_frames += 1;
                    let channel = f.channel;
                    self.check_order(channel, &p);
                    if let Performative::Close(e) = &p {
                        self.closes.push(e.clone());
                        self.closed = true;
                    }
                    format!("out {channel}:{}", blank_descriptions(&p))
                }
                (state, kind) => panic!("wrote a {kind:?} frame in the {state:?} phase"),
            };
            let _ = self.side;
            report.transcript.push(line);
            used += size;
        }
        pending.drain(..used);
        self.pending = pending;
        frames
    }
}

impl OutputChecker {
    /// Sessions and links in our output follow the protocol: frames only on a begun
    /// channel and for an attached handle; no second begin or attach of a live one; new
    /// delivery-ids on a session consecutive (proton's receiver insists).
    fn check_order(&mut self, channel: u16, p: &Performative) {
        let live = self.sessions.contains_key(&channel);
        match p {
            Performative::Open(_) | Performative::Close(_) => return,
            Performative::Begin(_) => {
                assert!(!live, "a second begin on live channel {channel}");
                self.sessions.insert(channel, OutSession::default());
                return;
            }
            _ => assert!(
                live,
                "{} on channel {channel}, which is not begun",
                p.name()
            ),
        }
        let s = self.sessions.get_mut(&channel).expect("live");
        match p {
            Performative::End(_) => {
                self.sessions.remove(&channel);
            }
            Performative::Attach(a) => {
                assert!(
                    s.handles.insert(a.handle),
                    "attach of handle {} on channel {channel}, which is attached",
                    a.handle
                );
            }
            Performative::Detach(d) => {
                assert!(
                    s.handles.remove(&d.handle),
                    "detach of handle {} on channel {channel}, which is not attached",
                    d.handle
                );
            }
            Performative::Flow(f) => {
                if let Some(h) = f.handle {
                    assert!(s.handles.contains(&h), "flow for unattached handle {h}");
                }
            }
            Performative::Transfer(t) => {
                assert!(
                    s.handles.contains(&t.handle),
                    "transfer on unattached handle {} (channel {channel})",
                    t.handle
                );
                if let Some(id) = t.delivery_id {
                    if let Some(last) = s.last_delivery_id {
                        assert!(
                            id == last || id == last.wrapping_add(1),
                            "delivery-id {id} after {last} on channel {channel}: not consecutive"
                        );
                    }
                    s.last_delivery_id = Some(id);
                }
            }
            _ => {}
        }
    }
}

/// A performative's text with error descriptions removed (they may quote input).
fn blank_descriptions(p: &Performative) -> String {
    let blank = |e: &Option<ErrorCondition>| {
        e.as_ref().map(|e| ErrorCondition {
            description: None,
            ..e.clone()
        })
    };
    let p = match p {
        Performative::Close(e) => Performative::Close(blank(e)),
        Performative::End(e) => Performative::End(blank(e)),
        other => other.clone(),
    };
    format!("{p:?}")
}

// ---------------------------------------------------------------------------------------
// Scripted peer

/// The scripted connection target: byte 0 picks the side, bytes 1-2 are a [`Plan`], the
/// rest is a script a peer follows ([`script_stream`]): well-formed frames built with our
/// own encoder from fields the bytes choose among edge values, so the fuzzer spends its
/// time in the session, link, flow, transfer and disposition logic instead of in the
/// decoder's rejections. The same invariants as [`fuzz_connection`] apply.
pub fn fuzz_script(data: &[u8]) {
    if data.len() < 1 + PREFIX_LEN {
        return;
    }
    let side = if data[0] & 1 == 0 {
        Side::Client
    } else {
        Side::Server
    };
    let mut prefixed = vec![data[1], data[2]];
    prefixed.extend_from_slice(&script_stream(side, data[2] & 0x08 != 0, &data[3..]));
    fuzz_connection(side, &prefixed);
}

/// Reads choices from fuzz bytes; zeros once they run out.
pub struct Choices<'a> {
    bytes: &'a [u8],
}

impl<'a> Choices<'a> {
    pub fn new(bytes: &'a [u8]) -> Self {
        Choices { bytes }
    }

    pub fn done(&self) -> bool {
        self.bytes.is_empty()
    }

    pub fn byte(&mut self) -> u8 {
        match self.bytes.split_first() {
            Some((&b, rest)) => {
                self.bytes = rest;
                b
            }
            None => 0,
        }
    }

    pub fn flag(&mut self) -> bool {
        self.byte() & 1 == 1
    }

    /// Index below `n` (n > 0).
    pub fn below(&mut self, n: usize) -> usize {
        self.byte() as usize % n
    }

    pub fn pick<T: Copy>(&mut self, items: &[T]) -> T {
        items[self.below(items.len())]
    }

    pub fn maybe<T>(&mut self, f: impl FnOnce(&mut Self) -> T) -> Option<T> {
        if self.flag() {
            Some(f(self))
        } else {
            None
        }
    }

    /// A sequence number or count: small, near the 32-bit wrap, or raw.
    pub fn number(&mut self) -> u32 {
        match self.byte() % 8 {
            0..=3 => self.byte() as u32 % 8,
            4 => u32::MAX - self.byte() as u32 % 4,
            5 => 0x7fff_ffff + self.byte() as u32 % 3,
            6 => u32::from_be_bytes([self.byte(), self.byte(), self.byte(), self.byte()]),
            _ => 100,
        }
    }

    /// A handle or channel the peer would use: mostly 0-3.
    pub fn small(&mut self) -> u32 {
        match self.byte() % 16 {
            15 => u32::from_be_bytes([0, 0, self.byte(), self.byte()]),
            14 => u32::MAX,
            n => (n % 4) as u32,
        }
    }

    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        let n = (self.byte() as usize % (max + 1)).min(self.bytes.len());
        let (taken, rest) = self.bytes.split_at(n);
        self.bytes = rest;
        taken.to_vec()
    }
}

const LINK_NAMES: [&str; 4] = ["fuzz-sender", "fuzz-receiver", "peer-link", "x"];
const CONDITIONS: [&str; 4] = [
    "amqp:internal-error",
    "amqp:link:detach-forced",
    "amqp:connection:forced",
    "x:custom",
];

fn script_error(c: &mut Choices<'_>) -> Option<ErrorCondition> {
    c.maybe(|c| ErrorCondition {
        condition: c.pick(&CONDITIONS).into(),
        description: c.maybe(|c| String::from_utf8_lossy(&c.bytes(12)).into_owned()),
        info: None,
    })
}

fn script_state(c: &mut Choices<'_>) -> Option<DeliveryState> {
    c.maybe(|c| match c.below(6) {
        0 => DeliveryState::Accepted,
        1 => DeliveryState::Released,
        2 => DeliveryState::Rejected {
            error: script_error(c).map(Box::new),
        },
        3 => DeliveryState::Modified {
            delivery_failed: c.flag(),
            undeliverable_here: c.flag(),
            message_annotations: None,
        },
        4 => DeliveryState::Received {
            section_number: c.number(),
            section_offset: c.number() as u64,
        },
        // A transactional state, kept encoded.
        _ => DeliveryState::Other(Box::new(vec![
            0x00, 0x53, 0x34, 0xc0, 0x03, 0x01, 0xa0, 0x00,
        ])),
    })
}

fn script_terminus(c: &mut Choices<'_>) -> Option<TerminusField> {
    c.maybe(|c| {
        if c.below(8) == 0 {
            // A coordinator target.
            TerminusField::Other(vec![0x00, 0x53, 0x30, 0x45])
        } else {
            TerminusField::Terminus(Terminus {
                address: c.maybe(|c| c.pick(&["fuzz-queue", "", "q2"]).into()),
                dynamic: c.below(4) == 0,
                ..Default::default()
            })
        }
    })
}

/// One performative a peer might send.
fn script_performative(c: &mut Choices<'_>) -> (Performative, Vec<u8>) {
    let p = match c.below(12) {
        0 => Performative::Open(Open {
            container_id: "peer".into(),
            max_frame_size: c.pick(&[512, 600, 1024, 65536, u32::MAX, 0, 100]),
            channel_max: c.pick(&[u16::MAX, 0, 1, 3]),
            idle_time_out: c.maybe(|c| c.pick(&[0, 1, 100, 1000, 60_000])),
            ..Open::default()
        }),
        1 => Performative::Begin(Begin {
            remote_channel: c.maybe(|c| c.small() as u16),
            next_outgoing_id: c.number(),
            incoming_window: c.number(),
            outgoing_window: c.number(),
            handle_max: c.pick(&[u32::MAX, 0, 1, 3]),
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        2 => Performative::Attach(Attach {
            name: c.pick(&LINK_NAMES).into(),
            handle: c.small(),
            role: if c.flag() {
                Role::Receiver
            } else {
                Role::Sender
            },
            snd_settle_mode: c.pick(&[
                SndSettleMode::Mixed,
                SndSettleMode::Settled,
                SndSettleMode::Unsettled,
            ]),
            rcv_settle_mode: c.pick(&[RcvSettleMode::First, RcvSettleMode::Second]),
            source: script_terminus(c),
            target: script_terminus(c),
            unsettled: None,
            incomplete_unsettled: c.below(8) == 0,
            initial_delivery_count: c.maybe(Choices::number),
            max_message_size: c.maybe(|c| c.pick(&[0, 1, 100, u64::MAX])),
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        3 | 4 => Performative::Flow(Flow {
            next_incoming_id: c.maybe(Choices::number),
            incoming_window: c.number(),
            next_outgoing_id: c.number(),
            outgoing_window: c.number(),
            handle: c.maybe(Choices::small),
            delivery_count: c.maybe(Choices::number),
            link_credit: c.maybe(Choices::number),
            available: c.maybe(Choices::number),
            drain: c.below(4) == 0,
            echo: c.below(4) == 0,
            properties: None,
        }),
        5 | 6 => {
            let first = c.below(3) != 0;
            let t = Transfer {
                handle: c.small(),
                delivery_id: if first {
                    Some(c.number())
                } else {
                    c.maybe(Choices::number)
                },
                delivery_tag: c.maybe(|c| c.bytes(4).into()),
                message_format: c.maybe(|c| c.pick(&[0, 1, u32::MAX])),
                settled: c.maybe(Choices::flag),
                more: c.below(3) == 0,
                rcv_settle_mode: c
                    .maybe(|c| c.pick(&[RcvSettleMode::First, RcvSettleMode::Second])),
                state: if c.below(4) == 0 {
                    script_state(c)
                } else {
                    None
                },
                resume: c.below(16) == 0,
                aborted: c.below(8) == 0,
                batchable: c.flag(),
            };
            let payload = if c.below(4) == 0 {
                message_bytes(c.byte() as usize * 4)
            } else {
                c.bytes(40)
            };
            return (Performative::Transfer(t), payload);
        }
        7 | 8 => Performative::Disposition(Disposition {
            role: if c.flag() {
                Role::Receiver
            } else {
                Role::Sender
            },
            first: c.number(),
            last: c.maybe(Choices::number),
            settled: c.flag(),
            state: script_state(c),
            batchable: c.flag(),
        }),
        9 => Performative::Detach(Detach {
            handle: c.small(),
            closed: c.flag(),
            error: script_error(c),
        }),
        10 => Performative::End(script_error(c)),
        _ => Performative::Close(script_error(c)),
    };
    (p, Vec::new())
}

/// A peer that mostly keeps to the protocol: it begins sessions (answering ours on
/// channel 0 or starting its own), attaches links by the names our setups use, grants
/// credit, sends transfers with consecutive delivery-ids, settles ranges, detaches, ends;
/// now and then it picks any performative, or writes raw bytes.
#[derive(Default)]
struct ScriptPeer {
    /// Channels it has begun.
    channels: Vec<u16>,
    /// Links it attached: channel, handle, its role.
    links: Vec<(u16, u32, Role)>,
    next_delivery_id: u32,
    next_outgoing_id: u32,
}

impl ScriptPeer {
    fn frame(out: &mut Vec<u8>, channel: u16, p: &Performative, payload: &[u8]) {
        let start = frame::begin_frame(out, FrameType::Amqp, channel);
        p.encode(out);
        out.extend_from_slice(payload);
        frame::finish_frame(out, start);
    }

    fn channel(&self, c: &mut Choices<'_>) -> u16 {
        if self.channels.is_empty() || c.below(16) == 0 {
            c.small() as u16
        } else {
            c.pick(&self.channels)
        }
    }

    fn link(&self, c: &mut Choices<'_>) -> (u16, u32, Role) {
        if self.links.is_empty() || c.below(16) == 0 {
            let role = if c.flag() {
                Role::Receiver
            } else {
                Role::Sender
            };
            (self.channel(c), c.small(), role)
        } else {
            c.pick(&self.links)
        }
    }

    fn step(&mut self, c: &mut Choices<'_>, out: &mut Vec<u8>) {
        match c.below(32) {
            0..=3 => {
                let channel = if c.below(8) == 0 {
                    c.small() as u16
                } else {
                    (0..4).find(|ch| !self.channels.contains(ch)).unwrap_or(0)
                };
                // Answer our session on channel 0 (the setups begin one), or start one.
                let remote_channel = match c.below(4) {
                    0 | 1 => Some(0),
                    2 => None,
                    _ => Some(c.small() as u16),
                };
                let begin = Begin {
                    remote_channel,
                    next_outgoing_id: if c.below(4) == 0 { c.number() } else { 0 },
                    incoming_window: c.pick(&[u32::MAX, 100, 2, 1, 0, 0x7fff_ffff]),
                    outgoing_window: c.pick(&[u32::MAX, 100, 2, 1, 0]),
                    handle_max: c.pick(&[u32::MAX, 3, 0]),
                    offered_capabilities: None,
                    desired_capabilities: None,
                    properties: None,
                };
                Self::frame(out, channel, &Performative::Begin(begin), &[]);
                self.channels.push(channel);
            }
            4..=8 => {
                let channel = self.channel(c);
                // Mostly the other end of a setup link, with the opposite role.
                let (name, role) = match c.below(4) {
                    0 => ("fuzz-sender", Role::Receiver),
                    1 => ("fuzz-receiver", Role::Sender),
                    _ => (
                        c.pick(&LINK_NAMES),
                        if c.flag() {
                            Role::Receiver
                        } else {
                            Role::Sender
                        },
                    ),
                };
                let handle = if c.below(8) == 0 {
                    c.small()
                } else {
                    self.links.iter().filter(|l| l.0 == channel).count() as u32
                };
                let attach = Attach {
                    name: name.into(),
                    handle,
                    role,
                    snd_settle_mode: c.pick(&[
                        SndSettleMode::Mixed,
                        SndSettleMode::Settled,
                        SndSettleMode::Unsettled,
                    ]),
                    rcv_settle_mode: c.pick(&[RcvSettleMode::First, RcvSettleMode::Second]),
                    source: script_terminus(c),
                    target: script_terminus(c),
                    unsettled: None,
                    incomplete_unsettled: false,
                    initial_delivery_count: if role == Role::Sender {
                        Some(if c.flag() { 0 } else { c.number() })
                    } else {
                        None
                    },
                    max_message_size: c.maybe(|c| c.pick(&[0, 100, u64::MAX])),
                    offered_capabilities: None,
                    desired_capabilities: None,
                    properties: None,
                };
                Self::frame(out, channel, &Performative::Attach(attach), &[]);
                self.links.push((channel, handle, role));
            }
            9..=14 => {
                let (channel, handle, _) = self.link(c);
                let flow = Flow {
                    next_incoming_id: c.maybe(|c| if c.flag() { 0 } else { c.number() }),
                    incoming_window: c.pick(&[u32::MAX, 100, 1, 0, 0x7fff_ffff]),
                    next_outgoing_id: self.next_outgoing_id,
                    outgoing_window: c.pick(&[u32::MAX, 100, 1, 0]),
                    handle: if c.below(8) == 0 { None } else { Some(handle) },
                    delivery_count: c.maybe(|c| if c.flag() { 0 } else { c.number() }),
                    link_credit: Some(c.pick(&[10, 1, 0, 3, 100, u32::MAX, 0x8000_0000])),
                    available: c.maybe(Choices::number),
                    drain: c.below(4) == 0,
                    echo: c.below(4) == 0,
                    properties: None,
                };
                Self::frame(out, channel, &Performative::Flow(flow), &[]);
            }
            15..=21 => {
                let (channel, handle, _) = self.link(c);
                let id = if c.below(8) == 0 {
                    c.number()
                } else {
                    self.next_delivery_id
                };
                let more = c.below(3) == 0;
                let t = Transfer {
                    handle,
                    delivery_id: if c.below(16) == 0 { None } else { Some(id) },
                    delivery_tag: Some(id.to_be_bytes()[..].into()),
                    message_format: c.maybe(|c| c.pick(&[0, 1, u32::MAX])),
                    settled: c.maybe(Choices::flag),
                    more,
                    rcv_settle_mode: None,
                    state: if c.below(8) == 0 {
                        script_state(c)
                    } else {
                        None
                    },
                    resume: c.below(32) == 0,
                    aborted: c.below(16) == 0,
                    batchable: c.flag(),
                };
                let payload = match c.below(4) {
                    0 => message_bytes(c.byte() as usize * 8),
                    1 => Vec::new(),
                    _ => message_bytes(c.byte() as usize % 16),
                };
                Self::frame(out, channel, &Performative::Transfer(t), &payload);
                if !more {
                    self.next_delivery_id = self.next_delivery_id.wrapping_add(1);
                }
                self.next_outgoing_id = self.next_outgoing_id.wrapping_add(1);
            }
            22..=25 => {
                let channel = self.channel(c);
                let first = match c.below(4) {
                    0 => c.number(),
                    _ => c.byte() as u32 % 4,
                };
                let d = Disposition {
                    role: if c.flag() {
                        Role::Receiver
                    } else {
                        Role::Sender
                    },
                    first,
                    last: c.maybe(|c| {
                        if c.flag() {
                            first.wrapping_add(c.byte() as u32 % 4)
                        } else {
                            c.number()
                        }
                    }),
                    settled: c.flag(),
                    state: script_state(c),
                    batchable: false,
                };
                Self::frame(out, channel, &Performative::Disposition(d), &[]);
            }
            26 => {
                let (channel, handle, _) = self.link(c);
                let d = Detach {
                    handle,
                    closed: c.flag(),
                    error: script_error(c),
                };
                Self::frame(out, channel, &Performative::Detach(d), &[]);
                self.links.retain(|l| (l.0, l.1) != (channel, handle));
            }
            27 => {
                let channel = self.channel(c);
                Self::frame(out, channel, &Performative::End(script_error(c)), &[]);
                self.channels.retain(|&ch| ch != channel);
                self.links.retain(|l| l.0 != channel);
            }
            28 if c.below(4) == 0 => {
                Self::frame(out, 0, &Performative::Close(script_error(c)), &[]);
            }
            29 => frame::write_heartbeat(out),
            30 if c.below(4) == 0 => {
                let raw = c.bytes(16);
                out.extend_from_slice(&raw);
            }
            _ => {
                let channel = self.channel(c);
                let (p, payload) = script_performative(c);
                Self::frame(out, channel, &p, &payload);
            }
        }
    }
}

/// The byte stream of a scripted peer: protocol header (maybe after SASL), an open
/// (usually), then frames until the script runs out; sometimes raw bytes in between.
pub fn script_stream(our_side: Side, sasl: bool, script: &[u8]) -> Vec<u8> {
    let mut c = Choices::new(script);
    let mut out = Vec::new();
    let sasl_frame = |out: &mut Vec<u8>, f: &SaslFrame| {
        let start = frame::begin_frame(out, FrameType::Sasl, 0);
        f.encode(out);
        frame::finish_frame(out, start);
    };
    if sasl && c.below(8) != 0 {
        out.extend_from_slice(&SASL_HEADER);
        match our_side {
            Side::Client => {
                let mechs = match c.below(4) {
                    0 => vec!["ANONYMOUS".to_string()],
                    1 => vec!["PLAIN".into(), "ANONYMOUS".into()],
                    2 => vec!["EXTERNAL".into()],
                    _ => vec!["SCRAM-SHA-1".into()],
                };
                sasl_frame(&mut out, &SaslFrame::Mechanisms(mechs));
                if c.flag() {
                    sasl_frame(&mut out, &SaslFrame::Challenge(c.bytes(8)));
                }
                let code = c.pick(&[0, 0, 0, 1, 2, 3, 4, 9]);
                sasl_frame(
                    &mut out,
                    &SaslFrame::Outcome {
                        code,
                        additional_data: c.maybe(|c| c.bytes(4)),
                    },
                );
            }
            Side::Server => {
                let mechanism = c.pick(&["ANONYMOUS", "PLAIN", "EXTERNAL", "BOGUS"]);
                let initial_response = match mechanism {
                    "PLAIN" => Some(if c.flag() {
                        b"\0user\0password".to_vec()
                    } else {
                        c.bytes(12)
                    }),
                    _ => c.maybe(|c| c.bytes(8)),
                };
                sasl_frame(
                    &mut out,
                    &SaslFrame::Init {
                        mechanism: mechanism.into(),
                        initial_response,
                        hostname: c.maybe(|_| "fuzz.example".into()),
                    },
                );
                if c.below(4) == 0 {
                    sasl_frame(&mut out, &SaslFrame::Response(c.bytes(8)));
                }
            }
        }
    }
    out.extend_from_slice(&AMQP_HEADER);
    if c.below(16) != 0 {
        let open = Open {
            container_id: "peer".into(),
            max_frame_size: c.pick(&[u32::MAX, 512, 1024, 65536]),
            idle_time_out: c.maybe(|c| c.pick(&[0, 1000, 60_000])),
            ..Open::default()
        };
        let start = frame::begin_frame(&mut out, FrameType::Amqp, 0);
        Performative::Open(open).encode(&mut out);
        frame::finish_frame(&mut out, start);
    }
    let mut peer = ScriptPeer::default();
    let mut frames = 0;
    while !c.done() && frames < 2000 {
        frames += 1;
        peer.step(&mut c, &mut out);
    }
    out
}

// ---------------------------------------------------------------------------------------
// Message

/// Decode a message, read every field, re-encode. A decoded message's encoding decodes
/// again, and one more round changes nothing. (One round may: proton 0.37 itself encodes a
/// null body as an amqp-value section and decodes that section to an empty body, so the
/// first re-encoding can lose it; our decoder follows proton.)
pub fn fuzz_message(input: &[u8]) {
    // The data decoder alone, value after value, formatted.
    let mut data = Data::new();
    let mut pos = 0;
    while pos < input.len() {
        match decoder::decode(&mut data, &input[pos..]) {
            Ok(n) => {
                assert!(n > 0 && n <= input.len() - pos, "consumed {n}");
                pos += n;
            }
            Err(_) => break,
        }
        assert!(data.size() <= 65535, "a tree of {} nodes", data.size());
    }
    if data.size() <= 4096 {
        let _ = format::format(&data);
    }

    let mut m = Message::new();
    let decoded = m.decode(input).is_ok();
    let first = read_message(&mut m);
    if !decoded {
        // A partial message: only "no panic".
        return;
    }
    let second = reencode(input, &first);
    let third = reencode(input, &second);
    assert!(
        second == third,
        "message encoding is not a fixed point:\n  input  {}\n  first  {}\n  second {}\n  third  {}",
        hex(input),
        hex(&first),
        hex(&second),
        hex(&third)
    );
}

/// Decode an encoding we made (it must decode) and encode it again.
fn reencode(input: &[u8], encoded: &[u8]) -> Vec<u8> {
    let mut m = Message::new();
    if let Err(e) = m.decode(encoded) {
        panic!(
            "a decoded message re-encodes to bytes that do not decode ({e}):\n  input {}\n  out   {}",
            hex(input),
            hex(encoded)
        );
    }
    read_message(&mut m)
}

/// Read every field of `m` (ids, texts, the four trees formatted); return its encoding.
fn read_message(m: &mut Message) -> Vec<u8> {
    let _ = m.get_id(IdField::MessageId);
    let _ = m.get_id(IdField::CorrelationId);
    let texts = [
        &m.address,
        &m.subject,
        &m.reply_to,
        &m.content_type,
        &m.content_encoding,
        &m.group_id,
        &m.reply_to_group_id,
    ];
    let text_len: usize = texts
        .iter()
        .map(|t| t.as_ref().map_or(0, |c| c.as_bytes().len()))
        .sum();
    let _ = (
        text_len,
        m.durable,
        m.priority,
        m.ttl,
        m.user_id.as_ref(),
        m.inferred,
    );
    for tree in 0..4 {
        let data = message_tree(m, tree);
        if data.size() <= 4096 {
            let _ = format::format(data);
        }
    }
    m.to_bytes()
}

fn message_tree(m: &mut Message, index: usize) -> &mut Data {
    match index {
        0 => m.instructions(),
        1 => m.annotations(),
        2 => m.properties(),
        _ => m.body(),
    }
}

// ---------------------------------------------------------------------------------------

pub fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes.iter().take(512) {
        s.push_str(&format!("{b:02x}"));
    }
    if bytes.len() > 512 {
        s.push_str(&format!("...({} bytes)", bytes.len()));
    }
    s
}
