//! An in-memory pair of engines with a virtual clock, shared by the engine tests
//! (quinn-proto's `tests/util.rs` `Pair` is the model).
//!
//! - [`Pair`]: a client and a server [`Connection`], a virtual `now` the test advances, and
//!   [`Pair::pump`], which moves bytes both ways until neither side has anything to say.
//!   Each direction is a [`Wire`] that can record, split, drop or rewrite the bytes.
//! - Event helpers: [`Pair::client_events`], [`answer`] (open whatever the peer opened),
//!   [`Pair::connect`], [`Pair::session`], [`Pair::link`].
//! - Byte-stream helpers: [`parse_stream`] turns recorded bytes back into headers and
//!   frames (decoded with the engine's own decoders), [`amqp_frame`]/[`sasl_frame`] build
//!   frames by hand for a scripted peer.
//!
//! No sockets and no real clock anywhere: a test is a deterministic function of its code.
#![allow(dead_code)]

use qpid_proton::engine::frame::{self, FrameType};
use qpid_proton::engine::performative::{
    decode_performative, decode_sasl, ErrorCondition, Performative, RcvSettleMode, Role, SaslFrame,
    SndSettleMode, Terminus, TerminusField,
};
use qpid_proton::engine::{Config, Connection, Event, LinkId, LinkSettings, SessionId, Side};
use std::time::{Duration, Instant};

/// Give up on a pump that never goes quiet (two engines echoing each other forever).
const MAX_ROUNDS: usize = 100_000;

/// One direction of the byte stream.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dir {
    ToServer,
    ToClient,
}

/// Rewrites a batch of bytes in flight.
pub type Filter = Box<dyn FnMut(&mut Vec<u8>)>;

/// What happens to bytes on their way from one engine to the other.
#[derive(Default)]
pub struct Wire {
    /// Keep a copy of every byte delivered (read it with [`Pair::take_log`]).
    pub record: bool,
    pub log: Vec<u8>,
    /// Bytes that went into this wire so far (after the filter).
    pub total: usize,
    /// Hand bytes to the receiver in pieces of at most this many bytes.
    pub chunk: Option<usize>,
    /// Also cut the stream at these absolute offsets (of `total`).
    pub split_at: Vec<usize>,
    /// Rewrite each batch before delivery: corrupt, truncate, inject, drop.
    pub filter: Option<Filter>,
    /// Throw everything away: the receiver hears nothing.
    pub drop: bool,
    /// The largest batch one `poll_output` returned.
    pub max_batch: usize,
    /// `handle_input` calls made on the receiver.
    pub deliveries: usize,
}

/// A client and a server engine joined by two [`Wire`]s, with a virtual clock.
pub struct Pair {
    pub client: Connection,
    pub server: Connection,
    pub now: Instant,
    pub to_server: Wire,
    pub to_client: Wire,
}

impl Pair {
    /// A client (no SASL) and a server with default settings, both recording.
    pub fn new() -> Pair {
        Pair::with(
            Config::new(Side::Client, "client"),
            Config::new(Side::Server, "server"),
        )
    }

    pub fn with(client: Config, server: Config) -> Pair {
        Pair {
            client: Connection::new(client),
            server: Connection::new(server),
            now: Instant::now(),
            to_server: Wire {
                record: true,
                ..Wire::default()
            },
            to_client: Wire {
                record: true,
                ..Wire::default()
            },
        }
    }

    pub fn wire(&mut self, dir: Dir) -> &mut Wire {
        match dir {
            Dir::ToServer => &mut self.to_server,
            Dir::ToClient => &mut self.to_client,
        }
    }

    /// Move bytes both ways until neither engine has output; returns the bytes moved.
    pub fn pump(&mut self) -> usize {
        let mut moved = 0;
        for _ in 0..MAX_ROUNDS {
            let n = self.transmit(Dir::ToServer) + self.transmit(Dir::ToClient);
            if n == 0 {
                return moved;
            }
            moved += n;
        }
        panic!("pump did not go quiet after {MAX_ROUNDS} rounds");
    }

    /// Move one batch of output in one direction; returns its size.
    pub fn transmit(&mut self, dir: Dir) -> usize {
        let (from, to, wire) = match dir {
            Dir::ToServer => (&mut self.client, &mut self.server, &mut self.to_server),
            Dir::ToClient => (&mut self.server, &mut self.client, &mut self.to_client),
        };
        let mut bytes = from.poll_output().to_vec();
        let n = bytes.len();
        if n == 0 {
            return 0;
        }
        from.consume_output(n, self.now);
        wire.max_batch = wire.max_batch.max(n);
        if let Some(filter) = wire.filter.as_mut() {
            filter(&mut bytes);
        }
        if wire.record {
            wire.log.extend_from_slice(&bytes);
        }
        let start = wire.total;
        wire.total += bytes.len();
        if wire.drop {
            return n;
        }
        // Cut points inside this batch, relative to it.
        let mut cuts: Vec<usize> = wire
            .split_at
            .iter()
            .filter(|&&at| at > start && at < start + bytes.len())
            .map(|&at| at - start)
            .collect();
        if let Some(chunk) = wire.chunk {
            cuts.extend((chunk..bytes.len()).step_by(chunk.max(1)));
        }
        cuts.sort_unstable();
        cuts.dedup();
        let mut at = 0;
        for cut in cuts.into_iter().chain([bytes.len()]) {
            to.handle_input(&bytes[at..cut], self.now);
            wire.deliveries += 1;
            at = cut;
        }
        n
    }

    /// The recorded bytes of one direction since the last call.
    pub fn take_log(&mut self, dir: Dir) -> Vec<u8> {
        std::mem::take(&mut self.wire(dir).log)
    }

    /// Advance the virtual clock.
    pub fn advance(&mut self, by: Duration) {
        self.now += by;
    }

    /// The earlier of the two engines' deadlines.
    pub fn next_timeout(&self) -> Option<Instant> {
        match (self.client.poll_timeout(), self.server.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Tell both engines the time (they act only on what is due).
    pub fn tick(&mut self) {
        self.client.handle_timeout(self.now);
        self.server.handle_timeout(self.now);
    }

    /// Jump the clock to the next deadline (if it is no later than `limit`), tick and pump.
    /// Returns whether a deadline was reached.
    pub fn run_timers_until(&mut self, limit: Instant) -> bool {
        match self.next_timeout() {
            Some(t) if t <= limit => {
                self.now = self.now.max(t);
                self.tick();
                self.pump();
                true
            }
            _ => false,
        }
    }

    pub fn client_events(&mut self) -> Vec<Event> {
        events(&mut self.client)
    }

    pub fn server_events(&mut self) -> Vec<Event> {
        events(&mut self.server)
    }

    /// Open both ends: the client opens, the server answers. Returns each side's events.
    pub fn connect(&mut self) -> (Vec<Event>, Vec<Event>) {
        self.client.open();
        self.pump();
        let server = answer(&mut self.server);
        self.pump();
        let client = answer(&mut self.client);
        assert!(
            server.contains(&Event::ConnectionRemoteOpen),
            "server saw no open: {server:?}"
        );
        assert!(
            client.contains(&Event::ConnectionRemoteOpen),
            "client saw no open: {client:?}"
        );
        (client, server)
    }

    /// The client begins a session and the server answers it.
    pub fn session(&mut self) -> (SessionId, SessionId) {
        let cs = self.client.begin_session();
        self.pump();
        let events = answer(&mut self.server);
        let ss = events
            .iter()
            .rev()
            .find_map(|e| match e {
                Event::SessionRemoteBegin(s) => Some(*s),
                _ => None,
            })
            .expect("server saw the begin");
        self.pump();
        assert!(answer(&mut self.client).contains(&Event::SessionRemoteBegin(cs)));
        (cs, ss)
    }

    /// The client attaches a link with `role` on `session`; the server attaches its end.
    pub fn link(&mut self, session: SessionId, name: &str, role: Role) -> (LinkId, LinkId) {
        self.link_with(session, settings(name, role))
    }

    pub fn link_with(&mut self, session: SessionId, s: LinkSettings) -> (LinkId, LinkId) {
        let name = s.name.clone();
        let cl = self.client.attach(session, s).expect("session exists");
        self.pump();
        let events = answer(&mut self.server);
        let sl = events
            .iter()
            .find_map(|e| match e {
                Event::LinkRemoteAttach(l)
                    if self.server.link(*l).is_some_and(|l| l.local.name == name) =>
                {
                    Some(*l)
                }
                _ => None,
            })
            .expect("server saw the attach");
        self.pump();
        assert!(answer(&mut self.client).contains(&Event::LinkRemoteAttach(cl)));
        (cl, sl)
    }

    /// A connected pair with one session and a client sender attached to a server receiver.
    pub fn sender_to_server() -> (Pair, LinkId, LinkId) {
        let mut p = Pair::new();
        p.connect();
        let (cs, _) = p.session();
        let (cl, sl) = p.link(cs, "to-server", Role::Sender);
        (p, cl, sl)
    }
}

impl Default for Pair {
    fn default() -> Self {
        Pair::new()
    }
}

/// Drain an engine's events.
pub fn events(conn: &mut Connection) -> Vec<Event> {
    std::iter::from_fn(|| conn.poll_event()).collect()
}

/// Drain an engine's events, opening whatever the peer opened (connection, sessions,
/// links), as a permissive application would. Returns the events.
pub fn answer(conn: &mut Connection) -> Vec<Event> {
    let events = events(conn);
    for e in &events {
        match *e {
            Event::ConnectionRemoteOpen => conn.open(),
            Event::SessionRemoteBegin(s) => conn.open_session(s),
            Event::LinkRemoteAttach(l) => conn.open_link(l),
            _ => {}
        }
    }
    events
}

/// The deliveries named by `Delivery` events, in order, without repeats.
pub fn deliveries(events: &[Event]) -> Vec<qpid_proton::engine::DeliveryId> {
    let mut out = Vec::new();
    for e in events {
        if let Event::Delivery(d) = e {
            if !out.contains(d) {
                out.push(*d);
            }
        }
    }
    out
}

/// The condition of the first `TransportError` event.
pub fn transport_error(events: &[Event]) -> Option<ErrorCondition> {
    events.iter().find_map(|e| match e {
        Event::TransportError(c) => Some((**c).clone()),
        _ => None,
    })
}

/// A terminus with just an address.
pub fn terminus(address: &str) -> Option<TerminusField> {
    Some(TerminusField::Terminus(Terminus {
        address: Some(address.into()),
        ..Terminus::default()
    }))
}

/// Link settings with source and target both `name`, mixed/first settle modes.
pub fn settings(name: &str, role: Role) -> LinkSettings {
    LinkSettings {
        name: name.into(),
        role,
        source: terminus(name),
        target: terminus(name),
        snd_settle_mode: SndSettleMode::Mixed,
        rcv_settle_mode: RcvSettleMode::First,
        max_message_size: None,
    }
}

// ---------------------------------------------------------------------------------------
// Byte streams

/// One unit of a recorded byte stream.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Unit {
    Header([u8; 8]),
    /// An empty AMQP frame (heartbeat).
    Empty {
        channel: u16,
        size: usize,
    },
    Amqp {
        channel: u16,
        performative: Performative,
        payload: Vec<u8>,
        /// The whole frame's size.
        size: usize,
    },
    Sasl(SaslFrame),
}

/// Split a complete byte stream into protocol headers and frames, decoding every frame.
/// Panics on anything malformed: it is meant for the engine's own output.
pub fn parse_stream(mut bytes: &[u8]) -> Vec<Unit> {
    let mut units = Vec::new();
    while !bytes.is_empty() {
        if bytes.starts_with(b"AMQP") {
            units.push(Unit::Header(bytes[..8].try_into().expect("8-byte header")));
            bytes = &bytes[8..];
            continue;
        }
        let (f, size) = frame::parse_frame(bytes, u32::MAX)
            .expect("well-formed frame")
            .expect("complete frame");
        units.push(match (f.kind, f.body.is_empty()) {
            (FrameType::Amqp, true) => Unit::Empty {
                channel: f.channel,
                size,
            },
            (FrameType::Amqp, false) => {
                let (performative, payload) =
                    decode_performative(f.body).expect("decodable performative");
                Unit::Amqp {
                    channel: f.channel,
                    performative,
                    payload: payload.to_vec(),
                    size,
                }
            }
            (FrameType::Sasl, _) => Unit::Sasl(decode_sasl(f.body).expect("decodable SASL")),
        });
        bytes = &bytes[size..];
    }
    units
}

/// The performatives in a byte stream, in order.
pub fn performatives(bytes: &[u8]) -> Vec<Performative> {
    parse_stream(bytes)
        .into_iter()
        .filter_map(|u| match u {
            Unit::Amqp { performative, .. } => Some(performative),
            _ => None,
        })
        .collect()
}

/// The SASL frames in a byte stream, in order.
pub fn sasl_frames(bytes: &[u8]) -> Vec<SaslFrame> {
    parse_stream(bytes)
        .into_iter()
        .filter_map(|u| match u {
            Unit::Sasl(f) => Some(f),
            _ => None,
        })
        .collect()
}

/// How many transfer frames a byte stream holds.
pub fn count_transfers(bytes: &[u8]) -> usize {
    performatives(bytes)
        .iter()
        .filter(|p| matches!(p, Performative::Transfer(_)))
        .count()
}

/// How many frames of the named performative ("flow", "disposition", ...) a stream holds.
pub fn count(bytes: &[u8], name: &str) -> usize {
    performatives(bytes)
        .iter()
        .filter(|p| p.name() == name)
        .count()
}

/// The error carried by the close frame in a byte stream; panics if there is no close.
pub fn close_error(bytes: &[u8]) -> Option<ErrorCondition> {
    performatives(bytes)
        .into_iter()
        .find_map(|p| match p {
            Performative::Close(e) => Some(e),
            _ => None,
        })
        .unwrap_or_else(|| panic!("no close frame in {:?}", parse_stream(bytes)))
}

/// An AMQP frame built by hand.
pub fn amqp_frame(channel: u16, p: &Performative, payload: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let start = frame::begin_frame(&mut out, FrameType::Amqp, channel);
    p.encode(&mut out);
    out.extend_from_slice(payload);
    frame::finish_frame(&mut out, start);
    out
}

/// An AMQP frame with a hand-made body.
pub fn raw_frame(kind: FrameType, channel: u16, body: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let start = frame::begin_frame(&mut out, kind, channel);
    out.extend_from_slice(body);
    frame::finish_frame(&mut out, start);
    out
}

/// A SASL frame built by hand.
pub fn sasl_frame(f: &SaslFrame) -> Vec<u8> {
    let mut out = Vec::new();
    let start = frame::begin_frame(&mut out, FrameType::Sasl, 0);
    f.encode(&mut out);
    frame::finish_frame(&mut out, start);
    out
}

/// Everything an engine has to send, consumed.
pub fn take_output(conn: &mut Connection, now: Instant) -> Vec<u8> {
    let out = conn.poll_output().to_vec();
    conn.consume_output(out.len(), now);
    out
}
