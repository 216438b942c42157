//! The messenger's sockets: a `mio` poll with listeners, connections and an interrupt pipe.
//!
//! This is the only part of the messenger that touches the OS. It knows nothing about
//! AMQP: it moves bytes between sockets and each connection's engine.

use mio::net::{TcpListener, TcpStream};
use mio::unix::pipe;
use mio::{Events, Interest, Poll, Token};
use std::io::{self, Read, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::os::fd::{AsRawFd, RawFd};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The interrupt pipe's token; listeners and connections use tokens from their slab keys.
pub const WAKER: Token = Token(usize::MAX);

/// Wakes a messenger blocked in poll, from any thread (`pn_messenger_interrupt`): writes a
/// byte to the messenger's interrupt pipe, whose read end the messenger polls (or hands to
/// the application as a selectable in passive mode).
#[derive(Clone)]
pub struct Interrupter {
    write_end: Arc<pipe::Sender>,
}

impl Interrupter {
    pub fn interrupt(&self) -> io::Result<()> {
        match (&*self.write_end).write(b"x") {
            Ok(_) => Ok(()),
            // A full pipe already holds an interrupt the messenger has not seen.
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(()),
            Err(e) => Err(e),
        }
    }
}

// pn_messenger_interrupt uses the interrupter from other threads.
const _: fn() = || {
    fn send_sync<T: Send + Sync>() {}
    send_sync::<Interrupter>();
};

pub struct Net {
    pub poll: Poll,
    pub events: Events,
    /// Read end of the interrupt pipe (non-blocking, close-on-exec).
    interrupt_read: pipe::Receiver,
    interrupter: Interrupter,
}

impl Net {
    pub fn new() -> io::Result<Net> {
        let poll = Poll::new()?;
        let (write_end, mut read_end) = pipe::new()?;
        poll.registry()
            .register(&mut read_end, WAKER, Interest::READABLE)?;
        Ok(Net {
            poll,
            events: Events::with_capacity(256),
            interrupt_read: read_end,
            interrupter: Interrupter {
                write_end: Arc::new(write_end),
            },
        })
    }

    pub fn interrupter(&self) -> Interrupter {
        self.interrupter.clone()
    }

    /// The interrupt pipe's read end (the interrupt selectable's fd).
    pub fn interrupt_fd(&self) -> RawFd {
        self.interrupt_read.as_raw_fd()
    }

    /// Empty the interrupt pipe; whether it held an interrupt.
    pub fn take_interrupt(&self) -> bool {
        let mut buf = [0u8; 64];
        let mut got = false;
        loop {
            match (&self.interrupt_read).read(&mut buf) {
                Ok(0) => return got,
                Ok(_) => got = true,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(_) => return got,
            }
        }
    }

    /// Wait for readiness (or the timeout); the events are in `self.events`.
    ///
    /// A wait that would block first polls for up to [`SPIN`]: on an idle (virtual)
    /// machine, waking a sleeping thread takes tens of microseconds, longer than a peer on
    /// the same host takes to answer, so a request/reply exchange would mostly be wake-up
    /// latency. A messenger that really has nothing to do sleeps after that.
    pub fn wait(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        if timeout == Some(Duration::ZERO) {
            return self.poll_once(timeout);
        }
        let start = Instant::now();
        let spin = timeout.map_or(SPIN, |t| t.min(SPIN));
        loop {
            self.poll_once(Some(Duration::ZERO))?;
            if !self.events.is_empty() {
                return Ok(());
            }
            if start.elapsed() >= spin {
                break;
            }
            std::hint::spin_loop();
        }
        self.poll_once(timeout.map(|t| t.saturating_sub(start.elapsed())))
    }

    fn poll_once(&mut self, timeout: Option<Duration>) -> io::Result<()> {
        match self.poll.poll(&mut self.events, timeout) {
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {
                self.events.clear();
                Ok(())
            }
            other => other,
        }
    }
}

/// How long [`Net::wait`] polls before it blocks.
const SPIN: Duration = Duration::from_micros(50);

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
    // A signal is no answer: readiness is edge-triggered, so "nothing now" would leave
    // bytes already there unread until more arrive. Ask again.
    loop {
        return match stream.read(buf) {
            Ok(0) => Ok(None),
            Ok(n) => Ok(Some(n)),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(Some(0)),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
    }
}

/// Write what the socket takes; 0 when it would block.
pub fn write_some(stream: &mut TcpStream, bytes: &[u8]) -> io::Result<usize> {
    loop {
        return match stream.write(bytes) {
            Ok(n) => Ok(n),
            Err(e) if e.kind() == io::ErrorKind::WouldBlock => Ok(0),
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => Err(e),
        };
    }
}
