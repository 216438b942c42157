//! The messenger's sockets: a `mio` poll with listeners, connections and a waker.
//!
//! This is the only part of the messenger that touches the OS. It knows nothing about
//! AMQP: it moves bytes between sockets and each connection's engine.

use mio::net::{TcpListener, TcpStream};
use mio::{Events, Interest, Poll, Token, Waker};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The waker's token; listeners and connections use tokens from their slab keys.
pub const WAKER: Token = Token(usize::MAX);

/// Wakes a messenger blocked in poll, from any thread (`pn_messenger_interrupt`).
#[derive(Clone)]
pub struct Interrupter {
    waker: Arc<Waker>,
    flag: Arc<AtomicBool>,
}

impl Interrupter {
    pub fn interrupt(&self) -> io::Result<()> {
        self.flag.store(true, Ordering::SeqCst);
        self.waker.wake()
    }
}

pub struct Net {
    pub poll: Poll,
    pub events: Events,
    interrupter: Interrupter,
}

impl Net {
    pub fn new() -> io::Result<Net> {
        let poll = Poll::new()?;
        let waker = Arc::new(Waker::new(poll.registry(), WAKER)?);
        Ok(Net {
            poll,
            events: Events::with_capacity(256),
            interrupter: Interrupter {
                waker,
                flag: Arc::new(AtomicBool::new(false)),
            },
        })
    }

    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// Whether an interrupt arrived since the last call (and clear it).
    pub fn take_interrupt(&self) -> bool {
        self.interrupter.flag.swap(false, Ordering::SeqCst)
    }

    /// Wait for readiness (or the timeout); the events are in `self.events`.
    pub fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                self.events.clear();
                Ok(())
            }
            other => other,
        }
    }
}

/// Resolve `host:port` as getaddrinfo would, with proton's error text.
pub fn resolve(host: &str, port: &str) -> Result<Vec<SocketAddr>, String> {
    // getaddrinfo knows no empty host (0.37 fails there too).
    if host.is_empty() {
        return Err(format!(
            "getaddrinfo({host}, {port}): Name or service not known"
        ));
    }
    let port_num: u16 = match port.parse() {
        Ok(p) => p,
        Err(_) => match port {
            "amqp" => 5672,
            "amqps" => 5671,
            _ => {
                return Err(format!(
                    "getaddrinfo({host}, {port}): Servname not supported for ai_socktype"
                ))
            }
        },
    };
    match (host, port_num).to_socket_addrs() {
        Ok(addrs) => {
            let addrs: Vec<_> = addrs.collect();
            if addrs.is_empty() {
                Err(format!(
                    "getaddrinfo({host}, {port}): Name or service not known"
                ))
            } else {
                Ok(addrs)
            }
        }
        Err(e) => {
            let text = e.to_string();
            let text = text
                .strip_prefix("failed to lookup address information: ")
                .unwrap_or(&text)
                .to_owned();
            Err(format!("getaddrinfo({host}, {port}): {text}"))
        }
    }
}

/// Start a non-blocking connect with TCP_NODELAY.
pub fn connect(addr: SocketAddr) -> io::Result<TcpStream> {
    let stream = TcpStream::connect(addr)?;
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// Listen on `addr` (SO_REUSEADDR is set by mio).
pub fn listen(addr: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(addr)
}

pub fn register_stream(net: &Net, stream: &mut TcpStream, token: Token) -> io::Result<()> {
    net.poll
        .registry()
        .register(stream, token, Interest::READABLE | Interest::WRITABLE)
}

pub fn register_listener(net: &Net, listener: &mut TcpListener, token: Token) -> io::Result<()> {
    net.poll
        .registry()
        .register(listener, token, Interest::READABLE)
}

/// Read what the socket has; `Ok(None)` at EOF, `Ok(Some(0))` when it would block.
pub fn read_some(stream: &mut TcpStream, buf: &mut [u8]) -> io::Result<Option<usize>> {
    match stream.read(buf) {
        Ok(0) => Ok(None),
        Ok(n) => Ok(Some(n)),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Some(0)),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(Some(0)),
        Err(e) => Err(e),
    }
}

/// Write what the socket takes; 0 when it would block.
pub fn write_some(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<usize> {
    match stream.write(bytes) {
        Ok(n) => Ok(n),
        Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
        Err(e) if e.kind() == io::ErrorKind::Interrupted => Ok(0),
        Err(e) => Err(e),
    }
}
