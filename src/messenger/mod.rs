//! Proton's Messenger: a queue-oriented AMQP client/server on one thread (API.md 3).
//!
//! `put` queues messages and hands them to sender links (creating connections, sessions
//! and links on demand from the address); `recv` hands out credit; `get` pops what has
//! arrived. Blocking calls run the I/O loop until their condition holds, the timeout
//! passes or an interrupt arrives. All AMQP work is done by one sans-IO engine per
//! connection ([`crate::engine`]); [`net`] is the only code that touches sockets.

pub mod address;
pub mod credit;
pub mod net;
mod redirect;
pub mod selectable;
pub mod store;
mod tls;

use crate::engine::performative::{
    DeliveryState, RcvSettleMode, Role, SndSettleMode, Terminus, TerminusField,
};
use crate::engine::sasl::ClientCredentials;
use crate::engine::slab::{Key, Slab};
use crate::engine::trace;
use crate::engine::{
    Config, Connection, DeliveryId, EndpointState, Event, LinkId, LinkSettings, Side, Transport,
};
use crate::error::{code, ErrorSlot};
use crate::message::Message;
use address::{strip_credentials, Address, RuleTable};
use credit::{Action, Scheduler};
use mio::net::{TcpListener, TcpStream};
use mio::Token;
use selectable::{SelId, SelKind, Selectables};
use std::borrow::Cow;
use std::collections::VecDeque;
use std::ffi::CStr;
use std::time::{Duration, Instant};
use store::{Status, Window, INCOMING_BIT};

/// `PN_FLAGS_CHECK_ROUTES`.
pub const FLAG_CHECK_ROUTES: i32 = 0x1;
/// `PN_FLAGS_ALLOW_INSECURE_MECHS`.
pub const FLAG_ALLOW_INSECURE_MECHS: i32 = 0x2;
/// `PN_CUMULATIVE`.
pub const CUMULATIVE: i32 = 0x1;

/// The size of one socket read.
const READ_CHUNK: usize = 128 * 1024;
/// How much one pass reads from one connection at most.
const READ_BUDGET: usize = 1024 * 1024;
/// Bytes queued on a connection above which `put` moves them out before returning...
const PUT_HIGH_WATER: usize = 4 * 1024 * 1024;
/// ...until no more than this is left (or the peer stops taking them).
const PUT_LOW_WATER: usize = 1024 * 1024;
/// Every this many puts to one connection, `put` does a non-blocking I/O pass.
const PUT_PUMP_EVERY: u32 = 128;
/// How long `put` waits for a peer that takes none of the queued bytes.
const PUT_STALL: Duration = Duration::from_millis(100);

/// Identifies a connection of the messenger.
pub type ConnId = Key;
/// Identifies a listener of the messenger.
pub type ListenerId = Key;

/// A link of one of the messenger's connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinkRef {
    pub conn: ConnId,
    pub link: LinkId,
}

/// A delivery of one of the messenger's connections.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DeliveryRef {
    pub conn: ConnId,
    pub delivery: DeliveryId,
}

/// A subscription: where messages come from (a listener or a receiving link).
#[derive(Debug)]
pub struct Subscription {
    pub scheme: Option<String>,
    pub host: Option<String>,
    pub port: Option<String>,
    /// The address, once a remote link told us (`pn_subscription_address`).
    pub address: Option<std::ffi::CString>,
    /// The application's pointer (`pn_subscription_set_context`).
    pub context: usize,
}

/// What identifies a connection for reuse: scheme, credentials, host and port.
#[derive(Clone, Debug, PartialEq, Eq)]
struct ConnKey {
    scheme: Option<String>,
    user: Option<String>,
    password: Option<String>,
    host: Option<String>,
    port: Option<String>,
}

struct Conn {
    stream: TcpStream,
    /// The AMQP connection, with TLS below it for amqps.
    engine: Transport,
    key: ConnKey,
    /// The listener's subscription, for connections a peer opened to us.
    subscription: Option<usize>,
    /// Our own receiving links and their subscriptions.
    link_subscriptions: Vec<(LinkId, usize)>,
    /// Where trace lines go instead of stderr: the messenger's tracer when this outgoing
    /// connection was made (proton binds it then; accepted connections get none).
    tracer: Option<Tracer>,
    /// The socket can take more bytes (no WouldBlock since the last writable event).
    writable: bool,
    /// The socket may have more to read: a read event came, or the last read stopped at
    /// the per-pass budget before the socket ran dry.
    readable: bool,
    /// `put` waited for this connection's peer in vain (see [`Messenger::push_out`]).
    put_stalled: bool,
    /// Puts since `put` last did a non-blocking I/O pass for this connection.
    puts_since_pump: u32,
    /// Both directions are finished; reclaim at the next chance.
    dead: bool,
    /// Its selectable (passive mode).
    sel: Option<SelId>,
    /// `host:port` or the peer address, for diagnostics.
    #[allow(dead_code)]
    label: String,
}

struct Listener {
    socket: TcpListener,
    subscription: usize,
    /// TLS for accepted connections (required on amqps listeners, optional otherwise).
    tls: crate::engine::tls::Domain,
    /// Its selectable (passive mode).
    sel: Option<SelId>,
}

/// Encode `msg` into `buf` (emptied first), sized once.
fn encode_into(msg: &Message, buf: &mut Vec<u8>) {
    buf.clear();
    buf.reserve(msg.size_hint());
    msg.encode(buf);
}

/// Where the last put went, to send the next message for the same address the same way.
struct SendRoute {
    /// The caller's `to` address.
    address: String,
    /// [`Messenger::topology`] when `link` was chosen.
    generation: u64,
    link: Option<LinkRef>,
    wire: WireAddress,
}

/// The `to` address a message carries on the wire.
enum WireAddress {
    /// The caller's.
    Same,
    /// Rewritten (None: no address).
    Other(Option<std::ffi::CString>),
}

/// An outgoing message not yet handed to a link.
struct Queued {
    seq: u32,
    address: String,
    bytes: Vec<u8>,
}

/// What a tracker refers to.
#[derive(Clone, Copy, Debug)]
enum Tracked {
    /// Put, not yet handed to a link (outgoing only).
    Queued,
    /// A delivery of a live connection.
    Live(DeliveryRef),
    /// The status it had when its connection went away (ABORTED if it never got out).
    Final(Status),
}

/// A received message waiting for `get`.
struct Arrived {
    delivery: DeliveryRef,
    payload: Vec<u8>,
    subscription: Option<usize>,
}

/// The messenger.
pub struct Messenger {
    name: String,
    pub certificate: Option<String>,
    pub private_key: Option<String>,
    pub password: Option<String>,
    pub trusted_certificates: Option<String>,
    timeout: i32,
    blocking: bool,
    passive: bool,
    flags: i32,
    incoming_window: i32,
    outgoing_window: i32,
    snd_settle_mode: Option<SndSettleMode>,
    rcv_settle_mode: RcvSettleMode,
    pub ssl_peer_authentication_mode: i32,
    routes: RuleTable,
    rewrites: RuleTable,
    error: ErrorSlot,
    net: net::Net,
    /// The I/O handles an application polls in passive mode.
    sels: Selectables,
    conns: Slab<Conn>,
    listeners: Slab<Listener>,
    subscriptions: Vec<Box<Subscription>>,
    queue: VecDeque<Queued>,
    outgoing: Window<Tracked>,
    /// Outgoing entries before this sequence are determined (see `unsent_at_most`).
    determined_from: u32,
    arrived: VecDeque<Arrived>,
    incoming: Window<Tracked>,
    last_incoming_subscription: Option<usize>,
    credit: Scheduler<LinkRef>,
    next_tag: u64,
    next_sender: u64,
    trace: bool,
    tracer: Option<Tracer>,
    /// Set while a loop pass has done something (for `work`).
    worked: bool,
    /// An interrupt arrived and no blocking call has returned PN_INTR for it yet.
    interrupted: bool,
    /// The TLS configuration of outgoing amqps connections (see [`tls`]).
    client_tls: Option<tls::ClientTls>,
    /// Where sockets are read into (allocated once).
    read_buffer: Vec<u8>,
    /// Reused lists for a pass: readiness events and connection ids.
    ready: Vec<(Token, bool, bool)>,
    scratch_ids: Vec<ConnId>,
    /// The last put's address and link (see [`SendRoute`]).
    send_route: Option<SendRoute>,
    /// Changes whenever connections, links or routing change, so that a [`SendRoute`]
    /// made before no longer applies.
    topology: u64,
}

/// A trace callback, shared by the connections made while it was set.
type Tracer = std::rc::Rc<std::cell::RefCell<Box<dyn FnMut(&str)>>>;

/// An error from a messenger call: a proton code, with text for the messenger error.
pub type MResult<T> = Result<T, (i32, String)>;

impl Messenger {
    /// A messenger named `name` (a random upper-case UUID when None).
    pub fn new(name: Option<&str>) -> std::io::Result<Messenger> {
        let name = match name {
            Some(n) => n.to_owned(),
            None => uuid::Uuid::new_v4().hyphenated().to_string().to_uppercase(),
        };
        let net = net::Net::new()?;
        let mut sels = Selectables::default();
        sels.add(SelKind::Interrupt, net.interrupt_fd(), true);
        Ok(Messenger {
            name,
            certificate: None,
            private_key: None,
            password: None,
            trusted_certificates: None,
            timeout: -1,
            blocking: true,
            passive: false,
            flags: FLAG_ALLOW_INSECURE_MECHS,
            incoming_window: 0,
            outgoing_window: 0,
            snd_settle_mode: None,
            rcv_settle_mode: RcvSettleMode::First,
            ssl_peer_authentication_mode: 3,
            routes: RuleTable::default(),
            rewrites: RuleTable::default(),
            error: ErrorSlot::default(),
            net,
            sels,
            conns: Slab::default(),
            listeners: Slab::default(),
            subscriptions: Vec::new(),
            queue: VecDeque::new(),
            outgoing: Window::default(),
            determined_from: 0,
            arrived: VecDeque::new(),
            incoming: Window::default(),
            last_incoming_subscription: None,
            credit: Scheduler::default(),
            next_tag: 0,
            next_sender: 0,
            trace: std::env::var("PN_TRACE_FRM").is_ok_and(|v| !v.is_empty() && v != "0"),
            tracer: None,
            worked: false,
            interrupted: false,
            client_tls: None,
            read_buffer: Vec::new(),
            ready: Vec::new(),
            scratch_ids: Vec::new(),
            send_route: None,
            topology: 0,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn error(&self) -> &ErrorSlot {
        &self.error
    }

    pub fn error_mut(&mut self) -> &mut ErrorSlot {
        &mut self.error
    }

    /// Record a failure in the sticky error and return its code.
    fn fail(&mut self, code: i32, text: impl AsRef<str>) -> i32 {
        self.error.set(code, Some(text.as_ref()))
    }

    pub fn timeout(&self) -> i32 {
        self.timeout
    }

    pub fn set_timeout(&mut self, timeout: i32) {
        self.timeout = timeout;
    }

    pub fn is_blocking(&self) -> bool {
        self.blocking
    }

    pub fn set_blocking(&mut self, blocking: bool) {
        self.blocking = blocking;
    }

    pub fn is_passive(&self) -> bool {
        self.passive
    }

    pub fn set_passive(&mut self, passive: bool) {
        if self.passive && !passive {
            self.resume_io();
        }
        self.passive = passive;
    }

    pub fn flags(&self) -> i32 {
        self.flags
    }

    /// 0 clears; a value with either known bit is OR-ed in; anything else is refused.
    pub fn set_flags(&mut self, flags: i32) -> i32 {
        if flags == 0 {
            self.flags = 0;
            0
        } else if flags & (FLAG_CHECK_ROUTES | FLAG_ALLOW_INSECURE_MECHS) != 0 {
            self.flags |= flags;
            0
        } else {
            code::ARG_ERR
        }
    }

    pub fn incoming_window(&self) -> i32 {
        self.incoming_window
    }

    pub fn set_incoming_window(&mut self, window: i32) {
        self.incoming_window = window;
        self.incoming.set_window(window);
    }

    pub fn outgoing_window(&self) -> i32 {
        self.outgoing_window
    }

    pub fn set_outgoing_window(&mut self, window: i32) {
        self.outgoing_window = window;
        self.outgoing.set_window(window);
    }

    pub fn set_snd_settle_mode(&mut self, mode: SndSettleMode) {
        self.snd_settle_mode = Some(mode);
    }

    pub fn set_rcv_settle_mode(&mut self, mode: RcvSettleMode) {
        self.rcv_settle_mode = mode;
    }

    /// Trace lines of outgoing connections made from now on go to `tracer`.
    pub fn set_tracer(&mut self, tracer: Box<dyn FnMut(&str)>) {
        self.tracer = Some(std::rc::Rc::new(std::cell::RefCell::new(tracer)));
    }

    pub fn interrupter(&self) -> net::Interrupter {
        self.net.interrupter()
    }

    pub fn route(&mut self, pattern: &str, address: Option<&str>) {
        self.send_route = None;
        self.routes.push(pattern, address);
    }

    pub fn rewrite(&mut self, pattern: &str, address: Option<&str>) {
        self.send_route = None;
        self.rewrites.push(pattern, address);
    }

    /// `pn_messenger_stopped`: no connections and no listeners.
    pub fn stopped(&self) -> bool {
        self.conns.is_empty() && self.listeners.is_empty()
    }

    /// `pn_messenger_receiving`.
    pub fn receiving(&self) -> i32 {
        self.credit.receiving() as i32
    }

    /// `pn_messenger_deadline`: wall-clock ms of the next credit rebalance, 0 if none.
    pub fn deadline(&self) -> i64 {
        self.credit.deadline().map_or(0, selectable::wall_ms)
    }

    // ---------------------------------------------------------------------------------
    // Addresses and connections

    /// Apply the route table.
    fn routed(&self, address: &str) -> MResult<String> {
        match self.routes.apply(address) {
            None => Ok(address.to_owned()),
            Some(Some(a)) => Ok(a),
            Some(None) => Err((code::ERR, "transformation error".into())),
        }
    }

    /// The connection for a routed address: an existing one with the same scheme,
    /// credentials, host and port, or one whose peer container-id is `[user@]host[:port]`,
    /// or a new one.
    fn connection_for(&mut self, a: &Address) -> MResult<ConnId> {
        let key = ConnKey {
            scheme: a.scheme.clone(),
            user: a.user.clone(),
            password: a.password.clone(),
            host: a.host.clone(),
            port: a.port.clone(),
        };
        let mut container = String::new();
        if let Some(u) = &a.user {
            container.push_str(u);
            container.push('@');
        }
        container.push_str(a.host.as_deref().unwrap_or(""));
        if let Some(p) = &a.port {
            container.push(':');
            container.push_str(p);
        }
        for id in self.conns.keys().collect::<Vec<_>>() {
            let c = self.conns.get(id).expect("live");
            if c.dead || c.engine.local_state() == EndpointState::Closed {
                continue;
            }
            if c.key == key || c.engine.remote_container_id() == Some(container.as_str()) {
                return Ok(id);
            }
        }
        self.connect(a, key)
    }

    fn connect(&mut self, a: &Address, key: ConnKey) -> MResult<ConnId> {
        let host = a.host.clone().unwrap_or_default();
        let port = a.port_or_default().to_owned();
        // proton names the port as given, "(null)" when the address has none.
        let label = format!("{host}:{}", a.port.as_deref().unwrap_or("(null)"));
        let conn_error = |e: String| (code::ERR, format!("CONNECTION ERROR ({label}): {e}\n"));
        let tls = match a.is_tls() {
            true => Some(
                self.client_tls(&host)
                    .map_err(|e| (code::ERR, format!("CONNECTION ERROR ({label}): {e}")))?,
            ),
            false => None,
        };
        let addrs = net::resolve(&host, &port).map_err(&conn_error)?;
        let mut last = None;
        let mut stream = None;
        for addr in addrs {
            match net::connect(addr) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let Some(stream) = stream else {
            return Err(conn_error(format!(
                "connect: {}",
                last.map_or_else(String::new, |e| io_text(&e))
            )));
        };
        let mut config = self.engine_config(Side::Client);
        config.hostname = Some(host.clone());
        if a.user.is_some() {
            config.sasl = Some(ClientCredentials {
                user: a.user.clone(),
                password: a.password.clone(),
                allow_insecure: self.flags & FLAG_ALLOW_INSECURE_MECHS != 0 && a.password.is_some(),
                tls: tls.is_some(),
                tls_identity: tls.is_some() && self.certificate.is_some(),
            });
        }
        let mut conn = Connection::new(config);
        conn.open();
        let engine = match tls {
            Some(tls) => Transport::tls(conn, tls),
            None => Transport::plain(conn),
        };
        self.topology += 1;
        let id = self.conns.insert(Conn {
            stream,
            engine,
            key,
            subscription: None,
            link_subscriptions: Vec::new(),
            tracer: self.tracer.clone(),
            writable: true,
            readable: false,
            put_stalled: false,
            puts_since_pump: 0,
            dead: false,
            sel: None,
            label: format!("{host}:{port}"),
        });
        let c = self.conns.get_mut(id).expect("new");
        if let Err(e) = net::register_stream(&self.net, &mut c.stream, conn_token(id)) {
            self.conns.remove(id);
            return Err(conn_error(format!("register: {e}")));
        }
        self.add_conn_sel(id);
        Ok(id)
    }

    /// Start listening on a `~` address; returns the subscription.
    fn listen(&mut self, a: &Address) -> MResult<usize> {
        let host = a.host.clone().unwrap_or_default();
        let port = a.port_or_default().to_owned();
        let label = format!("{host}:{}", a.port.as_deref().unwrap_or("(null)"));
        let conn_error = |e: String| (code::ERR, format!("CONNECTION ERROR ({label}): {e}\n"));
        let tls = self.listener_domain(a).map_err(|e| (code::ERR, e))?;
        // proton's listen path ends a resolver error with one more newline.
        let addrs = net::resolve(&host, &port).map_err(|e| conn_error(format!("{e}\n")))?;
        let mut socket =
            net::listen(addrs[0]).map_err(|e| conn_error(format!("bind: {}", io_text(&e))))?;
        let sub = self.add_subscription(a.scheme.clone(), a.host.clone(), Some(port.clone()));
        let id = self.listeners.insert(Listener {
            socket: {
                let _ = &mut socket;
                socket
            },
            subscription: sub,
            tls,
            sel: None,
        });
        let l = self.listeners.get_mut(id).expect("new");
        net::register_listener(&self.net, &mut l.socket, listener_token(id))
            .map_err(|e| conn_error(io_text(&e)))?;
        self.add_listener_sel(id);
        Ok(sub)
    }

    fn add_subscription(
        &mut self,
        scheme: Option<String>,
        host: Option<String>,
        port: Option<String>,
    ) -> usize {
        self.subscriptions.push(Box::new(Subscription {
            scheme,
            host,
            port,
            address: None,
            context: 0,
        }));
        self.subscriptions.len() - 1
    }

    pub fn subscription(&self, index: usize) -> Option<&Subscription> {
        self.subscriptions.get(index).map(|b| &**b)
    }

    pub fn subscription_mut(&mut self, index: usize) -> Option<&mut Subscription> {
        self.subscriptions.get_mut(index).map(|b| &mut **b)
    }

    /// Find a locally active link on `conn` with this direction and terminus address.
    fn find_link(&self, conn: ConnId, role: Role, name: Option<&str>) -> Option<LinkId> {
        let c = self.conns.get(conn)?;
        c.engine.links().find(|&l| {
            let link = c.engine.link(l).expect("live");
            let terminus = if role == Role::Sender {
                &link.local.target
            } else {
                &link.local.source
            };
            let address = match terminus {
                Some(TerminusField::Terminus(t)) => t.address.as_deref(),
                _ => None,
            };
            link.local.role == role
                && link.endpoint.local == EndpointState::Active
                && address == name
        })
    }

    /// Create a link (in a new session) on `conn` for the address path `name`.
    fn create_link(&mut self, conn: ConnId, role: Role, name: Option<&str>, ttl: u32) -> LinkId {
        self.topology += 1;
        let dynamic = name == Some("#");
        let terminus = |is_dynamic: bool| {
            let mut t = Terminus {
                address: if is_dynamic {
                    None
                } else {
                    name.map(str::to_owned)
                },
                dynamic: is_dynamic,
                ..Terminus::default()
            };
            if ttl > 0 {
                t.expiry_policy = Some("link-detach".into());
                t.timeout = ttl;
            }
            Some(TerminusField::Terminus(t))
        };
        // The modes are set only when the direction's window tracks (API.md 3.7); otherwise
        // proton's defaults stay.
        let (link_name, window, default_snd) = if role == Role::Sender {
            self.next_sender += 1;
            let name = format!("sender-{}", self.next_sender);
            (name, self.outgoing_window, SndSettleMode::Mixed)
        } else {
            let name = name.unwrap_or("").to_owned();
            (name, self.incoming_window, SndSettleMode::Unsettled)
        };
        let (snd, rcv) = if window != 0 {
            let snd = self.snd_settle_mode.unwrap_or(default_snd);
            (snd, self.rcv_settle_mode)
        } else {
            (SndSettleMode::Mixed, RcvSettleMode::First)
        };
        let settings = LinkSettings {
            name: link_name,
            role,
            source: terminus(dynamic && role == Role::Receiver),
            target: terminus(dynamic && role == Role::Sender),
            snd_settle_mode: snd,
            rcv_settle_mode: rcv,
            max_message_size: None,
        };
        let c = self.conns.get_mut(conn).expect("live");
        let session = c.engine.begin_session();
        c.engine.attach(session, settings).expect("session exists")
    }

    // ---------------------------------------------------------------------------------
    // Sending

    /// `pn_messenger_put`: queue a copy of `msg` and hand it to its link.
    pub fn put(&mut self, msg: &mut Message) -> MResult<()> {
        self.expand_reply_to(msg);
        // The caller's `to` address: the queue's key; what goes on the wire is rewritten.
        let saved = msg.address.take();
        let original = saved
            .as_deref()
            .map_or(Cow::Borrowed(""), CStr::to_string_lossy);
        let cached = self
            .send_route
            .as_mut()
            .filter(|r| r.address == *original)
            .map(|r| {
                (
                    r.generation,
                    r.link,
                    std::mem::replace(&mut r.wire, WireAddress::Same),
                )
            });
        let hit = cached.is_some();
        let (generation, link, wire) =
            cached.unwrap_or_else(|| (0, None, Self::wire_address(&self.rewrites, &original)));
        // The same address as last time, nothing queued before it, and no connection or
        // link has come or gone since: the same link again, without routing or lookups.
        let fast = link.filter(|&l| {
            generation == self.topology && self.queue.is_empty() && self.link_takes_messages(l)
        });
        // Encoded into a buffer the connection is done with, if it has one.
        let mut bytes = match fast {
            Some(l) => self
                .conns
                .get_mut(l.conn)
                .expect("live")
                .engine
                .spare_buffer(),
            None => Vec::new(),
        };
        // Encode with the wire address in place of the caller's, then put the caller's back.
        let wire = match wire {
            WireAddress::Same => {
                msg.address = saved;
                encode_into(msg, &mut bytes);
                WireAddress::Same
            }
            WireAddress::Other(w) => {
                msg.address = w;
                encode_into(msg, &mut bytes);
                WireAddress::Other(std::mem::replace(&mut msg.address, saved))
            }
        };
        let seq = self.outgoing.push(Tracked::Queued);
        let result = if let Some(link) = fast {
            self.hand_to_link(link, seq, bytes);
            self.send_route.as_mut().expect("hit").wire = wire;
            Ok(Some(link))
        } else {
            let address = msg
                .address
                .as_deref()
                .map_or(Cow::Borrowed(""), CStr::to_string_lossy)
                .into_owned();
            self.queue.push_back(Queued {
                seq,
                address: address.clone(),
                bytes,
            });
            match self.pump_address(&address) {
                Ok(Some(link)) => {
                    self.send_route = Some(SendRoute {
                        address,
                        generation: self.topology,
                        link: Some(link),
                        wire,
                    });
                    Ok(Some(link))
                }
                other => {
                    if hit {
                        self.send_route.as_mut().expect("hit").wire = wire;
                    }
                    other
                }
            }
        };
        while let Some((seq, state)) = self.outgoing.evict() {
            self.destroy_outgoing(seq, state);
        }
        if let Ok(Some(link)) = result {
            self.push_out(link.conn);
        }
        result.map(|_| ())
    }

    /// Bounded memory and overlap: when more than [`PUT_HIGH_WATER`] bytes wait on the
    /// connection, run the I/O loop until no more than [`PUT_LOW_WATER`] are left, as
    /// long as the peer keeps taking them (within [`PUT_STALL`] each time) and within the
    /// messenger's timeout (non-blocking: only what goes without waiting); a peer that
    /// stalls is not waited for again until the bytes have drained. Below the mark, every
    /// [`PUT_PUMP_EVERY`] puts make one non-blocking pass, so the peer works on a large
    /// batch while the application is still putting it. Fewer puts do no I/O, as proton's.
    fn push_out(&mut self, conn: ConnId) {
        let queued = |m: &Messenger| m.conns.get(conn).map_or(0, |c| c.engine.queued_bytes());
        if self.passive {
            return;
        }
        let left = queued(self);
        if left <= PUT_HIGH_WATER {
            let c = self.conns.get_mut(conn).expect("live");
            c.puts_since_pump += 1;
            if c.puts_since_pump >= PUT_PUMP_EVERY && left > 0 {
                // Let the peer start on what is queued while the application puts more.
                c.puts_since_pump = 0;
                let _ = self.pass(Some(Instant::now()));
            }
            return;
        }
        let start = Instant::now();
        let stalled = self.conns.get(conn).is_some_and(|c| c.put_stalled);
        let limit = match (self.blocking && !stalled, self.timeout) {
            (false, _) => Some(start),
            (true, t) if t >= 0 => Some(start + Duration::from_millis(t as u64)),
            (true, _) => None,
        };
        let (mut last, mut progress_at) = (usize::MAX, start);
        loop {
            // Write what the socket takes now; wait only when that moved nothing.
            self.process_all();
            let left = queued(self);
            let Some(c) = self.conns.get_mut(conn) else {
                return;
            };
            if left <= PUT_LOW_WATER {
                c.put_stalled = false;
                return;
            }
            if c.dead || self.interrupted {
                // An interrupt stays set for the next blocking call.
                return;
            }
            let now = Instant::now();
            if left < last {
                (last, progress_at) = (left, now);
                continue;
            }
            let until = progress_at + PUT_STALL;
            if limit.is_some_and(|l| now >= l) {
                return;
            }
            if now >= until {
                c.put_stalled = true;
                return;
            }
            if self
                .pass(Some(limit.map_or(until, |l| l.min(until))))
                .is_err()
            {
                return;
            }
        }
    }

    /// reply_to `~` or `~/x` becomes this messenger's address, permanently.
    fn expand_reply_to(&self, msg: &mut Message) {
        let Some(rt) = msg.reply_to.as_deref().map(CStr::to_bytes) else {
            return;
        };
        let expanded = if rt == b"~" {
            format!("amqp://{}", self.name)
        } else if let Some(rest) = rt.strip_prefix(b"~/") {
            format!("amqp://{}/{}", self.name, String::from_utf8_lossy(rest))
        } else {
            return;
        };
        msg.reply_to = Some(crate::message::c_string(expanded.as_bytes()));
    }

    /// The `to` address a message for `original` carries on the wire: rewritten, or
    /// without credentials by default.
    fn wire_address(rewrites: &RuleTable, original: &str) -> WireAddress {
        let wire = match rewrites.apply(original) {
            Some(rewritten) => rewritten,
            None if original.contains('@') => Some(strip_credentials(original)),
            None => return WireAddress::Same,
        };
        if wire.as_deref() == Some(original) {
            WireAddress::Same
        } else {
            WireAddress::Other(wire.map(|w| crate::message::c_string(w.as_bytes())))
        }
    }

    /// Whether `link` is still an open sender on a usable connection.
    fn link_takes_messages(&self, link: LinkRef) -> bool {
        self.conns.get(link.conn).is_some_and(|c| {
            !c.dead
                && c.engine.local_state() != EndpointState::Closed
                && c.engine
                    .link(link.link)
                    .is_some_and(|l| l.is_sender() && l.endpoint.local == EndpointState::Active)
        })
    }

    /// Hand the oldest queued message for `address` to its link; returns the link.
    fn pump_address(&mut self, address: &str) -> MResult<Option<LinkRef>> {
        let Some(pos) = self.queue.iter().position(|q| q.address == address) else {
            return Ok(None);
        };
        let routed = self.routed(address)?;
        let a = Address::parse(&routed);
        if a.passive {
            // Putting to a `~` address listens there; the message waits.
            if !self.listening_on(&a) {
                self.listen(&a)?;
            }
            return Ok(None);
        }
        if self.abort_if_tls_unusable(&a, pos) {
            return Ok(None);
        }
        let conn = self.connection_for(&a)?;
        let link = match self.find_link(conn, Role::Sender, a.name.as_deref()) {
            Some(l) => l,
            None => self.create_link(conn, Role::Sender, a.name.as_deref(), 0),
        };
        let queued = self.queue.remove(pos).expect("found");
        let link = LinkRef { conn, link };
        self.hand_to_link(link, queued.seq, queued.bytes);
        Ok(Some(link))
    }

    /// Make the message numbered `seq` a delivery on `link`.
    fn hand_to_link(&mut self, link: LinkRef, seq: u32, bytes: Vec<u8>) {
        let tag = self.next_tag.to_le_bytes();
        self.next_tag += 1;
        let settled = self.outgoing_window == 0;
        let c = self.conns.get_mut(link.conn).expect("live");
        let delivery = c
            .engine
            .send(link.link, &tag, bytes, settled)
            .expect("sender link");
        let dref = DeliveryRef {
            conn: link.conn,
            delivery,
        };
        match self.outgoing.get_mut(seq) {
            Some(state) => *state = Tracked::Live(dref),
            // Not tracked: the delivery goes as soon as it is written.
            None => c.engine.settle(delivery),
        }
        // Nothing is written here: as in proton, put only queues; bytes move (and a
        // refused connection shows) on the next send, recv, work or stop.
    }

    fn listening_on(&self, a: &Address) -> bool {
        self.listeners.keys().any(|l| {
            let sub = self.listeners.get(l).expect("live").subscription;
            let s = &self.subscriptions[sub];
            s.host == a.host && s.port.as_deref() == Some(a.port_or_default())
        })
    }

    /// An outgoing entry left the window: settle its delivery.
    fn destroy_outgoing(&mut self, seq: u32, state: Tracked) {
        let still_queued = self.queue.iter().any(|q| q.seq == seq);
        if still_queued {
            return;
        }
        if let Tracked::Live(d) = state {
            if let Some(c) = self.conns.get_mut(d.conn) {
                c.engine.settle(d.delivery);
            }
        }
    }

    /// `pn_messenger_outgoing`: queued messages plus deliveries waiting for credit.
    pub fn outgoing(&self) -> i32 {
        let on_links: usize = self
            .conns
            .keys()
            .map(|c| {
                let conn = self.conns.get(c).expect("live");
                conn.engine
                    .links()
                    .map(|l| conn.engine.queued(l))
                    .sum::<usize>()
            })
            .sum();
        (self.queue.len() + on_links) as i32
    }

    /// `pn_messenger_incoming`: messages ready for `get` plus partially received ones (at
    /// most one per link).
    pub fn incoming(&self) -> i32 {
        let partial: usize = self
            .conns
            .keys()
            .map(|id| {
                let engine = &self.conns.get(id).expect("live").engine;
                engine
                    .links()
                    .filter(|&l| engine.link(l).is_some_and(|x| x.incoming.is_some()))
                    .count()
            })
            .sum();
        (self.arrived.len() + partial) as i32
    }

    pub fn outgoing_tracker(&self) -> u64 {
        self.outgoing.last().map_or(0, |s| s as u64)
    }

    pub fn incoming_tracker(&self) -> u64 {
        self.incoming.last().map_or(0, |s| INCOMING_BIT | s as u64)
    }

    /// `pn_messenger_status`.
    pub fn status(&self, tracker: u64) -> Status {
        let seq = tracker as u32;
        if tracker & INCOMING_BIT != 0 {
            match self.incoming.get(seq) {
                None | Some(Tracked::Queued) => Status::Unknown,
                Some(Tracked::Final(status)) => *status,
                Some(Tracked::Live(d)) => self.delivery_status(*d),
            }
        } else {
            match self.outgoing.get(seq) {
                None | Some(Tracked::Queued) => Status::Unknown,
                Some(Tracked::Final(status)) => *status,
                Some(Tracked::Live(d)) => self.delivery_status(*d),
            }
        }
    }

    fn delivery_status(&self, d: DeliveryRef) -> Status {
        self.conns
            .get(d.conn)
            .and_then(|c| c.engine.delivery(d.delivery))
            .map_or(Status::Pending, status_of)
    }

    /// `pn_messenger_buffered`.
    pub fn buffered(&self, tracker: u64) -> bool {
        if tracker & INCOMING_BIT != 0 {
            // An incoming delivery is never buffered; an entry without one is.
            return matches!(self.incoming.get(tracker as u32), Some(Tracked::Final(_)));
        }
        match self.outgoing.get(tracker as u32) {
            None => false,
            // Tracked without a delivery (as 0.37 says, also once its link is gone).
            Some(Tracked::Queued | Tracked::Final(_)) => true,
            Some(Tracked::Live(d)) => self
                .conns
                .get(d.conn)
                .and_then(|c| c.engine.delivery(d.delivery))
                .is_some_and(|d| d.buffered() || (d.aborted && d.transfer_id.is_none())),
        }
    }

    /// `pn_messenger_settle`.
    pub fn settle(&mut self, tracker: u64, flags: i32) {
        let seq = tracker as u32;
        let cumulative = flags & CUMULATIVE != 0;
        if tracker & INCOMING_BIT != 0 {
            for s in self.incoming.span(seq, cumulative) {
                if let Some(Tracked::Live(d)) = self.incoming.untrack(s) {
                    self.settle_delivery(d);
                }
            }
        } else {
            for s in self.outgoing.span(seq, cumulative) {
                if let Some(Tracked::Live(d)) = self.outgoing.untrack(s) {
                    self.settle_delivery(d);
                }
            }
        }
    }

    fn settle_delivery(&mut self, d: DeliveryRef) {
        // Our state is already the peer's outcome (`Config::echo_outcomes`).
        if let Some(c) = self.conns.get_mut(d.conn) {
            c.engine.settle(d.delivery);
        }
    }

    /// `pn_messenger_accept` / `pn_messenger_reject`.
    pub fn disposition(&mut self, tracker: u64, flags: i32, state: &DeliveryState) -> MResult<()> {
        if tracker & INCOMING_BIT == 0 {
            return Err((
                code::ARG_ERR,
                "invalid tracker, incoming tracker required".into(),
            ));
        }
        if flags & CUMULATIVE == 0 {
            self.dispose(tracker as u32, state);
        } else {
            for s in self.incoming.span(tracker as u32, true) {
                self.dispose(s, state);
            }
        }
        Ok(())
    }

    #[inline]
    fn dispose(&mut self, seq: u32, state: &DeliveryState) {
        if let Some(&Tracked::Live(d)) = self.incoming.get(seq) {
            if let Some(c) = self.conns.get_mut(d.conn) {
                c.engine.update_once(d.delivery, state);
            }
        }
    }

    // ---------------------------------------------------------------------------------
    // Receiving

    /// `pn_messenger_subscribe_ttl`.
    pub fn subscribe(&mut self, source: &str, ttl: u32) -> MResult<usize> {
        let routed = self.routed(source)?;
        let a = Address::parse(&routed);
        if a.passive {
            return self.listen(&a);
        }
        let conn = self.connection_for(&a)?;
        // The same source again: its link, and so its subscription (as 0.37).
        if let Some(l) = self.find_link(conn, Role::Receiver, a.name.as_deref()) {
            let c = self.conns.get(conn).expect("live");
            if let Some(&(_, sub)) = c.link_subscriptions.iter().find(|(x, _)| *x == l) {
                return Ok(sub);
            }
        }
        let link = self.create_link(conn, Role::Receiver, a.name.as_deref(), ttl);
        let port = a.port_or_default().to_owned();
        let sub = self.add_subscription(a.scheme.clone(), a.host.clone(), Some(port));
        self.conns
            .get_mut(conn)
            .expect("live")
            .link_subscriptions
            .push((link, sub));
        self.credit.add_link(LinkRef { conn, link });
        if !self.passive {
            self.flush_conn(conn);
        }
        Ok(sub)
    }

    /// `pn_messenger_get`: the oldest message, decoded into `msg` (if given).
    pub fn get(&mut self, msg: Option<&mut Message>) -> MResult<()> {
        let Some(arrived) = self.arrived.pop_front() else {
            return Err((code::EOS, String::new()));
        };
        self.last_incoming_subscription = arrived.subscription;
        self.incoming.push(Tracked::Live(arrived.delivery));
        while let Some((_, evicted)) = self.incoming.evict() {
            let Tracked::Live(d) = evicted else {
                continue;
            };
            // Untracked: settled now, with whatever outcome it has (possibly none).
            if let Some(c) = self.conns.get_mut(d.conn) {
                c.engine.settle(d.delivery);
            }
        }
        let decoded = msg.map_or(Ok(()), |m| m.decode(&arrived.payload));
        if let Some(c) = self.conns.get_mut(arrived.delivery.conn) {
            c.engine.recycle(arrived.payload);
        }
        decoded.map_err(|e| {
            let text = format!("error decoding message: {}", e.text.unwrap_or_default());
            (e.code, text)
        })
    }

    pub fn incoming_subscription(&self) -> Option<usize> {
        self.last_incoming_subscription
    }

    /// `pn_messenger_recv`: set the credit target, then wait for a message.
    pub fn recv(&mut self, limit: i32) -> i32 {
        if self.blocking && self.stopped() {
            return self.fail(code::STATE_ERR, "no valid sources");
        }
        self.credit.recv(limit);
        self.distribute_credit();
        let rc = self.sync(|m| !m.arrived.is_empty() || m.stopped());
        if rc == 0 && self.arrived.is_empty() && self.blocking && self.stopped() {
            return self.fail(code::STATE_ERR, "no valid sources");
        }
        rc
    }

    /// `pn_messenger_send(n)`.
    pub fn send(&mut self, n: i32) -> i32 {
        let threshold = if n == -1 {
            0
        } else {
            (self.outgoing() - n).max(0)
        };
        self.sync(move |m| m.unsent_at_most(threshold as usize) && m.output_quiet())
    }

    /// Whether at most `limit` messages are not yet determined: queued, waiting for
    /// credit, or tracked, unsettled and without an outcome (counting stops past the
    /// limit). A tracked delivery still waiting for credit counts twice, as in 0.37 (so
    /// `send(n)` waits as long as the original's does).
    fn unsent_at_most(&mut self, limit: usize) -> bool {
        let mut n = self.outgoing() as usize;
        if n > limit {
            return false;
        }
        // Entries before `determined_from` are known determined, and stay so: the scan
        // starts there, so waiting on a big window is not quadratic.
        let mut prefix = true;
        let mut determined_from = self.determined_from;
        for (seq, state) in self.outgoing.iter_from(self.determined_from) {
            let undetermined = match state {
                Tracked::Queued => None,
                Tracked::Final(_) => Some(false),
                Tracked::Live(d) => Some(
                    self.conns
                        .get(d.conn)
                        .and_then(|c| c.engine.delivery(d.delivery))
                        .is_some_and(|del| {
                            !del.local_settled
                                && !del.remote_settled
                                && !del.remote_state.as_ref().is_some_and(|s| s.is_outcome())
                        }),
                ),
            };
            if prefix {
                if undetermined == Some(false) {
                    determined_from = seq.wrapping_add(1);
                } else {
                    prefix = false;
                }
            }
            if undetermined == Some(true) {
                n += 1;
                if n > limit {
                    break;
                }
            }
        }
        self.determined_from = determined_from;
        n <= limit
    }

    fn output_quiet(&mut self) -> bool {
        let ids: Vec<_> = self.conns.keys().collect();
        ids.into_iter()
            .all(|id| !self.conns.get_mut(id).expect("live").engine.has_output())
    }

    /// `pn_messenger_stop`: close every link and connection and stop listening, then wait.
    pub fn stop(&mut self) -> i32 {
        self.topology += 1;
        for id in self.conns.keys().collect::<Vec<_>>() {
            let c = self.conns.get_mut(id).expect("live");
            for l in c.engine.links().collect::<Vec<_>>() {
                if c.engine
                    .link(l)
                    .is_some_and(|x| x.endpoint.local == EndpointState::Active)
                {
                    c.engine.detach(l, true, None);
                }
            }
            c.engine.close(None);
            if !self.passive {
                self.flush_conn(id);
            }
        }
        for id in self.listeners.keys().collect::<Vec<_>>() {
            // Passive: the listener goes when the application releases its selectable.
            if self.passive {
                self.terminate_listener(id);
            } else {
                self.drop_listener(id);
            }
        }
        self.sync(|m| m.stopped())
    }

    /// `pn_messenger_work`: process I/O for up to `timeout` ms (negative: forever).
    pub fn work(&mut self, timeout: i32) -> i32 {
        if self.passive {
            return code::INPROGRESS;
        }
        self.sels.absorb();
        self.worked = false;
        let deadline =
            (timeout >= 0).then(|| Instant::now() + Duration::from_millis(timeout as u64));
        loop {
            if let Err(rc) = self.pass(deadline) {
                return rc;
            }
            if self.interrupted {
                self.interrupted = false;
                return code::INTR;
            }
            if self.worked {
                return 1;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return code::TIMEOUT;
            }
        }
    }

    /// Run the loop until `done` holds, per blocking mode and timeout (API.md 3.2).
    fn sync(&mut self, done: impl Fn(&mut Messenger) -> bool) -> i32 {
        if self.passive {
            // Passive: the application does the I/O; only look at the state.
            return if done(self) { 0 } else { code::INPROGRESS };
        }
        self.sels.absorb();
        self.process_all();
        let timeout = if self.blocking { self.timeout } else { 0 };
        let deadline =
            (timeout >= 0).then(|| Instant::now() + Duration::from_millis(timeout as u64));
        loop {
            if done(self) {
                return 0;
            }
            if self.interrupted {
                self.interrupted = false;
                return code::INTR;
            }
            if deadline.is_some_and(|d| Instant::now() >= d) {
                return if self.blocking {
                    code::TIMEOUT
                } else {
                    code::INPROGRESS
                };
            }
            if let Err(rc) = self.pass(deadline) {
                return rc;
            }
        }
    }

    /// One pass of the loop: wait for readiness (until `deadline` at most), then move
    /// bytes and process engine events.
    fn pass(&mut self, deadline: Option<Instant>) -> Result<(), i32> {
        self.process_all();
        let now = Instant::now();
        let mut wait = deadline.map(|d| d.saturating_duration_since(now));
        let mut wake_at = self.credit.deadline();
        let mut unread = false;
        for id in self.conns.keys() {
            let c = self.conns.get(id).expect("live");
            unread |= c.readable;
            if let Some(t) = c.engine.poll_timeout() {
                wake_at = Some(wake_at.map_or(t, |w: Instant| w.min(t)));
            }
        }
        if let Some(at) = wake_at {
            let until = at.saturating_duration_since(now);
            wait = Some(wait.map_or(until, |w| w.min(until)));
        }
        if unread {
            // A socket still has input from last time: look, but do not wait.
            wait = Some(Duration::ZERO);
        }
        self.net.wait(wait).map_err(|_| code::ERR)?;
        let mut ready = std::mem::take(&mut self.ready);
        ready.clear();
        ready.extend(self.net.events.iter().map(|e| {
            (
                e.token(),
                e.is_readable() || e.is_read_closed() || e.is_error(),
                e.is_writable(),
            )
        }));
        for &(token, readable, writable) in &ready {
            if token == net::WAKER {
                if self.net.take_interrupt() {
                    self.interrupted = true;
                }
                continue;
            }
            match decode_token(token) {
                TokenKind::Listener(index) => {
                    self.worked = true;
                    self.accept(index);
                }
                TokenKind::Conn(index) => {
                    let Some(id) = self.conns.keys().find(|k| k.index() == index) else {
                        continue;
                    };
                    let c = self.conns.get_mut(id).expect("live");
                    c.writable |= writable;
                    c.readable |= readable;
                    // Writability is work only with something to write (0.37 polls for
                    // it only then), so an idle work(0) stays PN_TIMEOUT.
                    if readable || (writable && c.engine.has_output()) {
                        self.worked = true;
                    }
                }
            }
        }
        self.ready = ready;
        let mut ids = std::mem::take(&mut self.scratch_ids);
        ids.clear();
        ids.extend(self.conns.keys());
        let now = Instant::now();
        for &id in &ids {
            if self.conns.get(id).is_some_and(|c| c.readable) {
                self.worked = true;
                self.read_conn(id);
            }
            let c = self.conns.get_mut(id).expect("live");
            if c.engine.poll_timeout().is_some_and(|t| t <= now) {
                c.engine.handle_timeout(now);
                self.worked = true;
            }
        }
        self.scratch_ids = ids;
        if self.credit.deadline().is_some_and(|t| t <= now) {
            self.worked = true;
        }
        self.process_all();
        Ok(())
    }

    fn accept(&mut self, index: u32) {
        let Some(lid) = self.listeners.keys().find(|k| k.index() == index) else {
            return;
        };
        let config = self.engine_config(Side::Server);
        loop {
            let l = self.listeners.get_mut(lid).expect("live");
            let sub = l.subscription;
            match l.socket.accept() {
                Ok((stream, peer)) => {
                    let _ = stream.set_nodelay(true);
                    let mut conn = Connection::new(config.clone());
                    conn.open();
                    // The client's first byte says whether it starts TLS.
                    let Ok(tls) = crate::engine::tls::Tls::new(&mut l.tls, None) else {
                        continue;
                    };
                    let require_tls = !l.tls.allows_unsecured();
                    let engine = Transport::detect(conn, tls, require_tls);
                    self.topology += 1;
                    let id = self.conns.insert(Conn {
                        stream,
                        engine,
                        key: ConnKey {
                            scheme: None,
                            user: None,
                            password: None,
                            host: None,
                            port: None,
                        },
                        subscription: Some(sub),
                        link_subscriptions: Vec::new(),
                        tracer: None,
                        writable: true,
                        readable: false,
                        put_stalled: false,
                        puts_since_pump: 0,
                        dead: false,
                        sel: None,
                        label: peer.to_string(),
                    });
                    let c = self.conns.get_mut(id).expect("new");
                    if net::register_stream(&self.net, &mut c.stream, conn_token(id)).is_err() {
                        self.conns.remove(id);
                    } else {
                        self.add_conn_sel(id);
                    }
                }
                Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => break,
                Err(_) => break,
            }
        }
    }

    /// Read what a connection's socket has, up to [`READ_BUDGET`] per pass (so a fast
    /// peer cannot make one pass take in more than the application gets).
    fn read_conn(&mut self, id: ConnId) {
        let Some(c) = self.conns.get_mut(id) else {
            return;
        };
        c.readable = false;
        if self.read_buffer.is_empty() {
            self.read_buffer = vec![0; READ_CHUNK];
        }
        let buf = &mut self.read_buffer[..];
        let mut budget = READ_BUDGET;
        loop {
            match net::read_some(&mut c.stream, buf) {
                Ok(Some(0)) => break,
                Ok(Some(n)) => {
                    c.engine.handle_input(&buf[..n], Instant::now());
                    // A short read emptied the socket: data arriving later raises a new
                    // (edge-triggered) event, so there is no need to read until WouldBlock.
                    if n < buf.len() {
                        break;
                    }
                    budget = budget.saturating_sub(n);
                    if budget == 0 {
                        c.readable = true;
                        break;
                    }
                }
                Ok(None) | Err(_) => {
                    c.engine.handle_eof();
                    break;
                }
            }
        }
    }

    /// Write what a connection has to send, as far as the socket takes it.
    fn flush_conn(&mut self, id: ConnId) {
        let Some(c) = self.conns.get_mut(id) else {
            return;
        };
        // A socket that said "would block" raises a writable event when it can take
        // more: until then a write would only fail again.
        if !c.writable {
            return;
        }
        loop {
            let out = c.engine.poll_output();
            if out.is_empty() {
                break;
            }
            match net::write_some(&mut c.stream, out) {
                Ok(0) => {
                    c.writable = false;
                    break;
                }
                Ok(n) => c.engine.consume_output(n, Instant::now()),
                Err(_) => {
                    c.engine.handle_eof();
                    // Output can never be written now; drop it.
                    let pending = c.engine.poll_output().len();
                    c.engine.consume_output(pending, Instant::now());
                    break;
                }
            }
        }
    }

    /// Handle every connection's engine events, flush output, reclaim dead connections,
    /// and run the credit scheduler.
    fn process_all(&mut self) {
        let mut ids = std::mem::take(&mut self.scratch_ids);
        ids.clear();
        ids.extend(self.conns.keys());
        for &id in &ids {
            self.process_events(id);
            self.flush_conn(id);
            self.process_events(id);
            self.emit_traces(id);
        }
        self.distribute_credit();
        ids.clear();
        ids.extend(self.conns.keys());
        for &id in &ids {
            self.flush_conn(id);
            let c = self.conns.get(id).expect("live");
            if c.engine.is_closed() || c.dead {
                self.reclaim(id);
            }
        }
        self.scratch_ids = ids;
    }

    fn emit_traces(&mut self, id: ConnId) {
        let Some(c) = self.conns.get_mut(id) else {
            return;
        };
        while let Some(line) = c.engine.poll_trace() {
            match &c.tracer {
                Some(t) => (t.borrow_mut())(&trace::tracer_line(&line)),
                None => eprintln!(
                    "{}",
                    trace::stderr_line(&*c.engine as *const Connection as *const (), &line)
                ),
            }
        }
    }

    /// The engine settings of every connection.
    fn engine_config(&self, side: Side) -> Config {
        let mut config = Config::new(side, self.name.clone());
        config.trace = self.trace;
        config.max_frame_size = u32::MAX;
        // Tracker status reads delivery states when asked; the echo is the engine's.
        config.disposition_events = false;
        config.echo_outcomes = true;
        config.defer_dispositions = true;
        config
    }

    fn process_events(&mut self, id: ConnId) {
        loop {
            let Some(c) = self.conns.get_mut(id) else {
                return;
            };
            let Some(event) = c.engine.poll_event() else {
                return;
            };
            self.worked = true;
            if !matches!(event, Event::Delivery(_) | Event::LinkFlow(_)) {
                self.topology += 1;
            }
            match event {
                Event::ConnectionRemoteOpen => c.engine.open(),
                Event::ConnectionRemoteClose => {
                    let target = c.engine.remote_condition().and_then(redirect::target);
                    // A redirect is not answered: the connection moves.
                    let moved = target.is_some_and(|(host, port)| self.redirect(id, &host, &port));
                    if !moved {
                        if let Some(c) = self.conns.get_mut(id) {
                            c.engine.close(None);
                        }
                    }
                }
                Event::SessionRemoteBegin(s) => c.engine.open_session(s),
                Event::SessionRemoteEnd(s) => c.engine.end_session(s, None),
                Event::LinkRemoteAttach(l) => {
                    let Some(link) = c.engine.link(l) else {
                        continue;
                    };
                    let new = link.endpoint.local == EndpointState::Uninit;
                    let is_receiver = link.local.role == Role::Receiver;
                    if new {
                        // Accept the peer's link with its own source and target, and
                        // proton's default settle modes (as 0.37's messenger does).
                        c.engine
                            .set_settle_modes(l, SndSettleMode::Mixed, RcvSettleMode::First);
                        c.engine.open_link(l);
                        if is_receiver {
                            let sub = c.subscription;
                            if let Some(sub) = sub {
                                c.link_subscriptions.push((l, sub));
                            }
                            self.credit.add_link(LinkRef { conn: id, link: l });
                        }
                    }
                    self.note_subscription_address(id, l);
                }
                Event::LinkRemoteDetach(l) => {
                    // The link is reclaimed: its trackers keep their status and its
                    // deliveries are settled (the peer sees that before our detach), as 0.37.
                    let frozen = freeze_trackers(
                        [&mut self.outgoing, &mut self.incoming],
                        &c.engine,
                        id,
                        Some(l),
                    );
                    for d in frozen {
                        c.engine.settle(d);
                    }
                    let unused = c.engine.link(l).map_or(0, |x| x.credit);
                    c.engine.detach(l, true, None);
                    // Done with it (as proton's messenger frees it): the engine frees the
                    // link once its deliveries are gone, so link churn does not add up.
                    c.engine.release_link(l);
                    c.link_subscriptions.retain(|&(x, _)| x != l);
                    self.credit
                        .remove_link(LinkRef { conn: id, link: l }, unused);
                }
                Event::LinkFlow(l) => {
                    let link_ref = LinkRef { conn: id, link: l };
                    let receiving = c.engine.link(l).filter(|link| !link.is_sender());
                    if let Some(drain) = receiving.map(|link| link.drain) {
                        let returned = c.engine.take_returned_credit(l);
                        if !drain && self.credit.is_draining(link_ref) {
                            self.credit.drained(link_ref, returned);
                        } else {
                            self.credit.give_back(returned);
                        }
                    }
                }
                Event::Delivery(d) => self.on_delivery(id, d),
                Event::Authenticated(_) => {}
                Event::TransportError(_) | Event::TransportClosed => {
                    if c.engine.is_closed() {
                        c.dead = true;
                    }
                    // TLS or SASL refused an outgoing connection: say why (0.37 does not).
                    let refused = c
                        .subscription
                        .is_none()
                        .then(|| c.engine.security_failure());
                    if let Some(Some(why)) = refused {
                        let text = format!("CONNECTION ERROR ({}): {why}", c.label);
                        self.fail(code::ERR, text);
                    }
                }
            }
        }
    }

    fn on_delivery(&mut self, id: ConnId, d: DeliveryId) {
        let c = self.conns.get_mut(id).expect("live");
        let Some(delivery) = c.engine.delivery(d) else {
            return;
        };
        if delivery.outgoing {
            // The engine echoes outcomes (`Config::echo_outcomes`).
            return;
        }
        if !delivery.complete {
            if delivery.aborted {
                c.engine.settle(d);
            }
            return;
        }
        if delivery.taken {
            // Already queued for `get` (a later disposition or settlement of the same
            // delivery raises another delivery event).
            return;
        }
        let link = delivery.link;
        let payload = c.engine.take_payload(d).unwrap_or_default();
        let subscription = c
            .link_subscriptions
            .iter()
            .find(|(l, _)| *l == link)
            .map(|(_, s)| *s)
            .or(c.subscription);
        let link_credit = c.engine.link(link).map_or(0, |l| l.credit);
        self.arrived.push_back(Arrived {
            delivery: DeliveryRef {
                conn: id,
                delivery: d,
            },
            payload,
            subscription,
        });
        if let Some(Action::Grant(l, n)) = self
            .credit
            .received(LinkRef { conn: id, link }, link_credit)
        {
            if let Some(c) = self.conns.get_mut(l.conn) {
                c.engine.add_credit(l.link, n);
            }
        }
    }

    /// Record the subscription address once a remote link tells us its source.
    fn note_subscription_address(&mut self, id: ConnId, l: LinkId) {
        let c = self.conns.get(id).expect("live");
        // Only a peer sending to us says where our subscription gets messages from.
        if c.engine
            .link(l)
            .is_some_and(|x| x.local.role != Role::Receiver)
        {
            return;
        }
        let Some(sub) = c
            .link_subscriptions
            .iter()
            .find(|(x, _)| *x == l)
            .map(|(_, s)| *s)
            .or(c.subscription)
        else {
            return;
        };
        let remote_source = c
            .engine
            .link(l)
            .and_then(|x| x.remote.as_ref())
            .and_then(|r| match &r.source {
                Some(TerminusField::Terminus(t)) => t.address.clone(),
                _ => None,
            });
        let Some(source) = remote_source else { return };
        let s = &mut self.subscriptions[sub];
        let text = if source.starts_with("amqp:") {
            source
        } else {
            let mut t = String::new();
            if let Some(scheme) = &s.scheme {
                t.push_str(scheme);
                t.push_str("://");
            }
            t.push_str(s.host.as_deref().unwrap_or(""));
            if let Some(p) = &s.port {
                t.push(':');
                t.push_str(p);
            }
            t.push('/');
            t.push_str(&source);
            t
        };
        s.address = Some(crate::message::c_string(text.as_bytes()));
    }

    /// Apply the credit scheduler's decisions to links.
    fn distribute_credit(&mut self) {
        let actions = self.credit.flow(Instant::now(), self.arrived.len() as u32);
        for action in actions {
            match action {
                Action::Grant(l, n) => {
                    if let Some(c) = self.conns.get_mut(l.conn) {
                        c.engine.add_credit(l.link, n);
                    }
                }
                Action::Drain(l) => {
                    if let Some(c) = self.conns.get_mut(l.conn) {
                        c.engine.set_drain(l.link, true);
                    }
                }
            }
        }
    }

    /// Drop a finished connection: its links leave the scheduler, its unsent deliveries
    /// become ABORTED.
    fn reclaim(&mut self, id: ConnId) {
        self.topology += 1;
        let Some(mut c) = self.conns.remove(id) else {
            return;
        };
        let _ = self.net.poll.registry().deregister(&mut c.stream);
        if let Some(sel) = c.sel {
            self.sels.remove(sel);
        }
        for l in c.engine.links().collect::<Vec<_>>() {
            let unused = c.engine.link(l).map_or(0, |x| x.credit);
            self.credit
                .remove_link(LinkRef { conn: id, link: l }, unused);
        }
        let _ = freeze_trackers(
            [&mut self.outgoing, &mut self.incoming],
            &c.engine,
            id,
            None,
        );
    }

    /// `pn_subscription_address`: wait until a remote link names the subscription's address.
    pub fn subscription_address(&mut self, sub: usize) -> Option<std::ffi::CString> {
        let rc = self.sync(move |m| {
            m.subscriptions
                .get(sub)
                .is_some_and(|s| s.address.is_some())
        });
        if rc != 0 {
            return None;
        }
        self.subscriptions.get(sub).and_then(|s| s.address.clone())
    }

    /// The remote idle timeout of the connection for `address` (routes not applied).
    pub fn remote_idle_timeout(&self, address: &str) -> Option<u32> {
        let a = Address::parse(address);
        self.conns.keys().find_map(|id| {
            let c = self.conns.get(id).expect("live");
            let same = c.key.scheme == a.scheme && c.key.host == a.host && c.key.port == a.port;
            same.then(|| {
                c.engine
                    .remote_idle_timeout()
                    .map_or(0, |d| d.as_millis() as u32)
            })
        })
    }
}

impl Messenger {
    // ---------------------------------------------------------------------------------
    // Lookups for the C API (src/ffi/messenger.rs, link.rs, delivery.rs)

    /// The engine of one of the messenger's connections.
    pub fn connection(&self, id: ConnId) -> Option<&Connection> {
        self.conns.get(id).map(|c| &*c.engine)
    }

    /// The engine of one of the messenger's connections, to act on its links.
    pub fn connection_mut(&mut self, id: ConnId) -> Option<&mut Connection> {
        self.topology += 1;
        self.conns.get_mut(id).map(|c| &mut *c.engine)
    }

    /// `pn_messenger_delivery`: the delivery behind a tracked tracker, while it exists.
    pub fn tracker_delivery(&self, tracker: u64) -> Option<DeliveryRef> {
        let seq = tracker as u32;
        let window = if tracker & INCOMING_BIT != 0 {
            &self.incoming
        } else {
            &self.outgoing
        };
        let Tracked::Live(d) = *window.get(seq)? else {
            return None;
        };
        self.connection(d.conn)?.delivery(d.delivery)?;
        Some(d)
    }

    /// `pn_messenger_get_link`: route and resolve `address` (which may connect, or listen
    /// for a `~` address), then find a locally active link of that direction whose
    /// terminus is the address path. Never creates a link.
    pub fn get_link(&mut self, address: &str, sender: bool) -> MResult<Option<LinkRef>> {
        let routed = self.routed(address)?;
        let a = Address::parse(&routed);
        if a.passive {
            if !self.listening_on(&a) {
                self.listen(&a)?;
            }
            return Ok(None);
        }
        let conn = self.connection_for(&a)?;
        let role = if sender { Role::Sender } else { Role::Receiver };
        Ok(self
            .find_link(conn, role, a.name.as_deref())
            .map(|link| LinkRef { conn, link }))
    }

    /// `pn_messenger_start`: nothing, unless `PN_FLAGS_CHECK_ROUTES` is set; then connect
    /// to every route target with a literal scheme, host and port and wait (per blocking
    /// mode and timeout) until each is open or has failed.
    pub fn start(&mut self) -> i32 {
        if self.flags & FLAG_CHECK_ROUTES == 0 {
            return 0;
        }
        let targets: Vec<Address> = self
            .routes
            .rules()
            .iter()
            .filter_map(|r| r.substitution.as_deref())
            .map(Address::parse)
            .filter(|a| {
                let literal = |p: &Option<String>| p.as_deref().is_some_and(|t| !t.contains('$'));
                !a.passive && literal(&a.scheme) && literal(&a.host) && literal(&a.port)
            })
            .collect();
        for a in targets {
            let conn = match self.connection_for(&a) {
                Ok(c) => c,
                Err((code, text)) => return self.fail(code, text),
            };
            // Unlike proton 0.37, a refused connection ends the wait instead of hanging.
            let rc = self.sync(move |m| {
                m.conns
                    .get(conn)
                    .is_none_or(|c| c.dead || c.engine.remote_state() != EndpointState::Uninit)
            });
            if rc != 0 {
                return rc;
            }
        }
        0
    }
}

enum TokenKind {
    Listener(u32),
    Conn(u32),
}

const LISTENER_BIT: usize = 1 << 40;

fn conn_token(id: ConnId) -> Token {
    Token(id.index() as usize)
}

fn listener_token(id: ListenerId) -> Token {
    Token(LISTENER_BIT | id.index() as usize)
}

fn decode_token(t: Token) -> TokenKind {
    if t.0 & LISTENER_BIT != 0 {
        TokenKind::Listener((t.0 & !LISTENER_BIT) as u32)
    } else {
        TokenKind::Conn(t.0 as u32)
    }
}

/// An I/O error as proton words it: the system's text, without Rust's " (os error N)".
fn io_text(e: &std::io::Error) -> String {
    let text = e.to_string();
    match text.rsplit_once(" (os error ") {
        Some((plain, _)) => plain.to_owned(),
        None => text,
    }
}

/// A tracker's status from its delivery's local and remote state.
fn status_of(delivery: &crate::engine::endpoint::Delivery) -> Status {
    let from_state = |s: &DeliveryState| match s {
        DeliveryState::Received { .. } => Status::Pending,
        DeliveryState::Accepted => Status::Accepted,
        DeliveryState::Rejected { .. } => Status::Rejected,
        DeliveryState::Released => Status::Released,
        DeliveryState::Modified { .. } => Status::Modified,
        DeliveryState::Other(_) => Status::Pending,
    };
    match (
        &delivery.remote_state,
        delivery.remote_settled,
        &delivery.local_state,
    ) {
        (Some(s), _, _) if s.is_outcome() => from_state(s),
        (_, true, Some(local)) => from_state(local),
        (_, true, None) => Status::Settled,
        _ => Status::Pending,
    }
}

/// The trackers of connection `conn` (only those of `link`, if given) lose their delivery,
/// which is going away: they keep the status it had, and what never got out is ABORTED.
/// Returns the deliveries it let go of.
fn freeze_trackers(
    windows: [&mut Window<Tracked>; 2],
    engine: &Connection,
    conn: ConnId,
    link: Option<LinkId>,
) -> Vec<DeliveryId> {
    let mut frozen = Vec::new();
    for (window, is_outgoing) in windows.into_iter().zip([true, false]) {
        for (_, state) in window.values_mut() {
            let Tracked::Live(r) = *state else {
                continue;
            };
            let delivery = engine.delivery(r.delivery);
            if r.conn != conn || link.is_some_and(|l| delivery.is_none_or(|d| d.link != l)) {
                continue;
            }
            *state = Tracked::Final(final_status(delivery, is_outgoing));
            frozen.push(r.delivery);
        }
    }
    frozen
}

/// The status a tracker keeps once its delivery goes away.
fn final_status(delivery: Option<&crate::engine::endpoint::Delivery>, is_outgoing: bool) -> Status {
    match delivery {
        Some(d) if is_outgoing && (d.buffered() || d.aborted) => Status::Aborted,
        Some(d) => status_of(d),
        None => Status::Pending,
    }
}
