//! Test support for live interop: a blocking socket driver for the sans-IO engine, and
//! python-qpid-proton 0.40 peer processes that report what they see as JSON lines.
//!
//! The driver owns one `TcpStream` (non-blocking) and one `Connection`: each turn it reads
//! what the socket has, writes what the engine has, fires the engine's deadline, and hands
//! every event to the test. Everything is bounded in time: a test that waits for something
//! that never comes fails with the events and peer output seen so far. Peers are killed when
//! their guard drops; their output is printed when a test fails.

#![allow(dead_code)]

use qpid_proton::codec::Scalar;
use qpid_proton::engine::performative::{
    RcvSettleMode, Role, SndSettleMode, Terminus, TerminusField,
};
use qpid_proton::engine::{Config, Connection, Event, LinkSettings};
use qpid_proton::message::Message;
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{Shutdown, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};

/// How long any single wait may take before the test fails.
pub const LIMIT: Duration = Duration::from_secs(30);

// -------------------------------------------------------------------------------------
// The peer's Python

/// The version of python-qpid-proton the peers run, as pip names it.
const PEER_PACKAGE: &str = "python-qpid-proton==0.40.0";
/// What `python/run-tests.sh` writes into `.ready` for this venv: we write the same, so
/// neither side rebuilds the other's venv.
const PEER_STAMP: &str = "python-qpid-proton==0.40.0 v1";

/// `$CARGO_MANIFEST_DIR/build/venv-peer/bin/python`, created (with python-qpid-proton 0.40)
/// if missing. Creation holds an exclusive lock on `build/venv-peer.lock`, so parallel
/// tests and test binaries never race. A peer that cannot be made fails the test loudly.
pub fn peer_python() -> &'static Path {
    static PYTHON: OnceLock<PathBuf> = OnceLock::new();
    PYTHON.get_or_init(|| {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let build = root.join("build");
        let venv = build.join("venv-peer");
        let python = venv.join("bin").join("python");
        std::fs::create_dir_all(&build).expect("create build/");
        let lock = std::fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(build.join("venv-peer.lock"))
            .expect("open build/venv-peer.lock");
        let _held = FileLock::exclusive(&lock);
        if !peer_works(&python) {
            eprintln!("creating {} with {PEER_PACKAGE}", venv.display());
            if !python.exists() {
                run_loudly(
                    Command::new("python3").arg("-m").arg("venv").arg(&venv),
                    "python3 -m venv build/venv-peer",
                );
            }
            run_loudly(
                Command::new(&python).args([
                    "-m",
                    "pip",
                    "install",
                    "--quiet",
                    "--disable-pip-version-check",
                    PEER_PACKAGE,
                ]),
                "pip install python-qpid-proton==0.40.0 into build/venv-peer",
            );
            assert!(
                peer_works(&python),
                "{} does not import python-qpid-proton 0.40.0 after installing it",
                python.display()
            );
            std::fs::write(venv.join(".ready"), format!("{PEER_STAMP}\n"))
                .expect("write build/venv-peer/.ready");
        }
        python
    })
}

fn peer_works(python: &Path) -> bool {
    python.exists()
        && Command::new(python)
            .args([
                "-c",
                "import proton, sys; sys.exit(proton.VERSION[:2] != (0, 40))",
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
}

fn run_loudly(cmd: &mut Command, what: &str) {
    let status = cmd
        .status()
        .unwrap_or_else(|e| panic!("{what}: cannot run: {e}"));
    assert!(status.success(), "{what}: failed with {status}");
}

/// An exclusive `flock` held until dropped.
struct FileLock<'a>(&'a std::fs::File);

impl<'a> FileLock<'a> {
    fn exclusive(file: &'a std::fs::File) -> FileLock<'a> {
        use std::os::fd::AsRawFd;
        // SAFETY: the descriptor is open for as long as `file` lives, which outlives us.
        let rc = unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX) };
        assert_eq!(rc, 0, "flock build/venv-peer.lock");
        FileLock(file)
    }
}

impl Drop for FileLock<'_> {
    fn drop(&mut self) {
        use std::os::fd::AsRawFd;
        // SAFETY: as above; unlocking a lock we hold.
        unsafe { libc::flock(self.0.as_raw_fd(), libc::LOCK_UN) };
    }
}

// -------------------------------------------------------------------------------------
// The peer's JSON lines

/// One value of a peer's (flat) JSON line.
#[derive(Clone, Debug, PartialEq)]
pub enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
}

/// One line a peer printed: a flat JSON object with an "event" key.
#[derive(Clone, Debug, PartialEq)]
pub struct Line(pub BTreeMap<String, Json>);

impl Line {
    pub fn event(&self) -> &str {
        self.str("event").unwrap_or("")
    }

    pub fn get(&self, key: &str) -> &Json {
        self.0.get(key).unwrap_or(&Json::Null)
    }

    pub fn str(&self, key: &str) -> Option<&str> {
        match self.0.get(key) {
            Some(Json::Str(s)) => Some(s),
            _ => None,
        }
    }

    pub fn int(&self, key: &str) -> Option<i64> {
        match self.0.get(key) {
            Some(Json::Int(i)) => Some(*i),
            _ => None,
        }
    }

    pub fn bool(&self, key: &str) -> Option<bool> {
        match self.0.get(key) {
            Some(Json::Bool(b)) => Some(*b),
            _ => None,
        }
    }

    /// Parse a flat JSON object (string, number, boolean and null values).
    pub fn parse(text: &str) -> Result<Line, String> {
        let mut p = JsonParser {
            s: text.as_bytes(),
            i: 0,
        };
        let mut map = BTreeMap::new();
        p.ws();
        p.eat(b'{')?;
        p.ws();
        if p.peek() == Some(b'}') {
            p.i += 1;
        } else {
            loop {
                p.ws();
                let key = p.string()?;
                p.ws();
                p.eat(b':')?;
                p.ws();
                let value = p.value()?;
                map.insert(key, value);
                p.ws();
                match p.peek() {
                    Some(b',') => p.i += 1,
                    Some(b'}') => {
                        p.i += 1;
                        break;
                    }
                    _ => return Err(format!("expected , or }} at {} in {text}", p.i)),
                }
            }
        }
        p.ws();
        if p.i != p.s.len() {
            return Err(format!("trailing text in {text}"));
        }
        Ok(Line(map))
    }
}

struct JsonParser<'a> {
    s: &'a [u8],
    i: usize,
}

impl JsonParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.s.get(self.i).copied()
    }

    fn ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\r' | b'\n')) {
            self.i += 1;
        }
    }

    fn eat(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!("expected {} at {}", c as char, self.i))
        }
    }

    fn hex4(&mut self) -> Result<u32, String> {
        let digits = self.s.get(self.i..self.i + 4).ok_or("short \\u escape")?;
        self.i += 4;
        u32::from_str_radix(std::str::from_utf8(digits).map_err(|e| e.to_string())?, 16)
            .map_err(|e| e.to_string())
    }

    fn string(&mut self) -> Result<String, String> {
        self.eat(b'"')?;
        let mut out = Vec::new();
        loop {
            let c = self.peek().ok_or("unterminated string")?;
            self.i += 1;
            match c {
                b'"' => break,
                b'\\' => {
                    let e = self.peek().ok_or("unterminated escape")?;
                    self.i += 1;
                    let ch = match e {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let mut code = self.hex4()?;
                            if (0xd800..0xdc00).contains(&code)
                                && self.s[self.i..].starts_with(b"\\u")
                            {
                                self.i += 2;
                                let low = self.hex4()?;
                                code =
                                    0x10000 + ((code - 0xd800) << 10) + (low.wrapping_sub(0xdc00));
                            }
                            char::from_u32(code).unwrap_or('\u{fffd}')
                        }
                        other => return Err(format!("bad escape \\{}", other as char)),
                    };
                    let mut buf = [0u8; 4];
                    out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                }
                other => out.push(other),
            }
        }
        String::from_utf8(out).map_err(|e| e.to_string())
    }

    fn value(&mut self) -> Result<Json, String> {
        match self.peek() {
            Some(b'"') => self.string().map(Json::Str),
            Some(b't') if self.s[self.i..].starts_with(b"true") => {
                self.i += 4;
                Ok(Json::Bool(true))
            }
            Some(b'f') if self.s[self.i..].starts_with(b"false") => {
                self.i += 5;
                Ok(Json::Bool(false))
            }
            Some(b'n') if self.s[self.i..].starts_with(b"null") => {
                self.i += 4;
                Ok(Json::Null)
            }
            Some(b'-' | b'0'..=b'9') => {
                let start = self.i;
                while matches!(
                    self.peek(),
                    Some(b'-' | b'+' | b'.' | b'e' | b'E' | b'0'..=b'9')
                ) {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).expect("ascii");
                match text.parse::<i64>() {
                    Ok(i) => Ok(Json::Int(i)),
                    Err(_) => text
                        .parse::<f64>()
                        .map(Json::Float)
                        .map_err(|e| format!("bad number {text}: {e}")),
                }
            }
            _ => Err(format!("unsupported JSON value at {}", self.i)),
        }
    }
}

// -------------------------------------------------------------------------------------
// Peer processes

/// A python-qpid-proton peer process, killed when dropped.
pub struct PythonPeer {
    name: String,
    child: Child,
    lines: Receiver<Result<Line, String>>,
    /// Every line received so far, in order.
    pub seen: Vec<Line>,
    stderr: Arc<Mutex<String>>,
    exit: Option<ExitStatus>,
}

fn peers_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests")
        .join("peers")
}

impl PythonPeer {
    /// Run `tests/peers/<script>` with `args` under the peer venv's Python.
    pub fn spawn(script: &str, args: &[String]) -> PythonPeer {
        let python = peer_python();
        let mut child = Command::new(python)
            .arg("-u")
            .arg(peers_dir().join(script))
            .args(args)
            .current_dir(peers_dir())
            .env("PYTHONDONTWRITEBYTECODE", "1")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {} {script}: {e}", python.display()));
        let (tx, rx) = mpsc::channel();
        let stdout = child.stdout.take().expect("piped");
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let parsed = Line::parse(&line).map_err(|e| format!("{e}: {line}"));
                if tx.send(parsed).is_err() {
                    break;
                }
            }
        });
        let stderr = Arc::new(Mutex::new(String::new()));
        let mut err = child.stderr.take().expect("piped");
        let sink = stderr.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = err.read(&mut buf) {
                if n == 0 {
                    break;
                }
                sink.lock()
                    .expect("stderr sink")
                    .push_str(&String::from_utf8_lossy(&buf[..n]));
            }
        });
        PythonPeer {
            name: format!("{script} {}", args.join(" ")),
            child,
            lines: rx,
            seen: Vec::new(),
            stderr,
            exit: None,
        }
    }

    /// Start `server.py` and wait for the port it listens on.
    pub fn server(args: &[&str]) -> (PythonPeer, u16) {
        let args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
        let mut peer = PythonPeer::spawn("server.py", &args);
        let line = peer.wait_for("listening", 1, LIMIT).remove(0);
        let port = line.int("port").expect("listening line has a port") as u16;
        (peer, port)
    }

    /// Start `client.py` against our listener on `port`.
    pub fn client(port: u16, args: &[&str]) -> PythonPeer {
        let mut all = vec!["--port".to_string(), port.to_string()];
        all.extend(args.iter().map(|s| s.to_string()));
        PythonPeer::spawn("client.py", &all)
    }

    pub fn pid(&self) -> i32 {
        self.child.id() as i32
    }

    /// Take every line printed so far (never blocks).
    pub fn poll(&mut self) {
        while let Ok(line) = self.lines.try_recv() {
            self.take(line);
        }
    }

    fn take(&mut self, line: Result<Line, String>) {
        match line {
            Ok(line) => self.seen.push(line),
            Err(e) => panic!("{}: unparsable output line: {e}", self.name),
        }
    }

    /// The lines seen so far with this event.
    pub fn events(&mut self, event: &str) -> Vec<Line> {
        self.poll();
        self.seen
            .iter()
            .filter(|l| l.event() == event)
            .cloned()
            .collect()
    }

    /// Whether at least `n` lines with this event were seen (never blocks).
    pub fn has(&mut self, event: &str, n: usize) -> bool {
        self.events(event).len() >= n
    }

    /// Block until `n` lines with `event` were printed (use only when our engine need not
    /// run meanwhile).
    pub fn wait_for(&mut self, event: &str, n: usize, limit: Duration) -> Vec<Line> {
        let deadline = Instant::now() + limit;
        loop {
            let got = self.events(event);
            if got.len() >= n {
                return got;
            }
            let left = deadline.saturating_duration_since(Instant::now());
            match self
                .lines
                .recv_timeout(left.min(Duration::from_millis(100)))
            {
                Ok(line) => self.take(line),
                Err(RecvTimeoutError::Timeout) if Instant::now() < deadline => {}
                Err(RecvTimeoutError::Timeout) => panic!(
                    "{}: timed out after {limit:?} waiting for {n} {event:?} lines",
                    self.name
                ),
                Err(RecvTimeoutError::Disconnected) => {
                    panic!("{}: exited before printing {n} {event:?} lines", self.name)
                }
            }
        }
    }

    /// Wait for the process to end by itself.
    pub fn wait_exit(&mut self, limit: Duration) -> ExitStatus {
        let deadline = Instant::now() + limit;
        loop {
            if let Some(status) = self.child.try_wait().expect("try_wait") {
                self.exit = Some(status);
                // Collect the rest of its output: until its stdout closes.
                loop {
                    let left = deadline.saturating_duration_since(Instant::now());
                    match self.lines.recv_timeout(left.max(Duration::from_secs(1))) {
                        Ok(line) => self.take(line),
                        Err(RecvTimeoutError::Disconnected) => return status,
                        Err(RecvTimeoutError::Timeout) => {
                            panic!("{}: exited but its stdout stays open", self.name)
                        }
                    }
                }
            }
            assert!(
                Instant::now() < deadline,
                "{}: still running after {limit:?}",
                self.name
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Freeze the process (SIGSTOP): it stops reading, writing and heartbeating.
    pub fn freeze(&self) {
        // SAFETY: signalling our own child by its pid.
        assert_eq!(unsafe { libc::kill(self.pid(), libc::SIGSTOP) }, 0);
    }

    /// Let a frozen process run again (SIGCONT).
    pub fn thaw(&self) {
        // SAFETY: as above.
        assert_eq!(unsafe { libc::kill(self.pid(), libc::SIGCONT) }, 0);
    }

    pub fn stderr(&self) -> String {
        self.stderr.lock().expect("stderr").clone()
    }
}

impl Drop for PythonPeer {
    fn drop(&mut self) {
        if self.exit.is_none() {
            self.thaw();
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        if std::thread::panicking() {
            self.poll();
            eprintln!("---- peer {} printed:", self.name);
            for line in &self.seen {
                eprintln!("  {line:?}");
            }
            eprintln!("---- peer stderr:\n{}", self.stderr());
        }
    }
}

// -------------------------------------------------------------------------------------
// The socket driver

/// One engine connection over one TCP socket, driven in the test's thread.
pub struct Driver {
    pub conn: Connection,
    stream: TcpStream,
    read_open: bool,
    write_open: bool,
    /// Every event handed out so far (for failure messages).
    pub log: Vec<Event>,
    /// Frame trace lines, when `PN_TRACE_FRM` is set (printed as they come).
    trace: bool,
    /// Fire the engine's deadline (heartbeats, idle timeout); off only for control tests.
    pub timers: bool,
    /// When the driver started (trace lines give the time since).
    epoch: Instant,
    /// When bytes last arrived from the peer.
    pub last_read: Option<Instant>,
    buf: Vec<u8>,
}

/// Whether to print frame traces (`PN_TRACE_FRM=1 cargo test ...`).
pub fn trace_wanted() -> bool {
    std::env::var("PN_TRACE_FRM").is_ok_and(|v| v == "1")
}

impl Driver {
    fn new(stream: TcpStream, mut config: Config) -> Driver {
        stream.set_nonblocking(true).expect("non-blocking socket");
        stream.set_nodelay(true).expect("TCP_NODELAY");
        let trace = trace_wanted();
        config.trace = trace;
        Driver {
            conn: Connection::new(config),
            stream,
            read_open: true,
            write_open: true,
            log: Vec::new(),
            trace,
            timers: true,
            epoch: Instant::now(),
            last_read: None,
            buf: vec![0; 256 * 1024],
        }
    }

    /// Connect to a peer listening on 127.0.0.1:`port`, as `config.side` (a client).
    pub fn connect(port: u16, config: Config) -> Driver {
        let stream = TcpStream::connect(("127.0.0.1", port))
            .unwrap_or_else(|e| panic!("connect to 127.0.0.1:{port}: {e}"));
        Driver::new(stream, config)
    }

    /// Accept one connection on `listener` (within [`LIMIT`]) and run it as `config.side`.
    pub fn accept(listener: &TcpListener, config: Config) -> Driver {
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let deadline = Instant::now() + LIMIT;
        loop {
            match listener.accept() {
                Ok((stream, _)) => return Driver::new(stream, config),
                Err(e) if e.kind() == ErrorKind::WouldBlock => {
                    assert!(Instant::now() < deadline, "no connection within {LIMIT:?}");
                    std::thread::sleep(Duration::from_millis(2));
                }
                Err(e) => panic!("accept: {e}"),
            }
        }
    }

    /// Move bytes both ways once and fire the engine's deadline; true if anything moved.
    pub fn turn(&mut self) -> bool {
        let mut progress = false;
        // Read what has arrived (bounded, so output keeps flowing too).
        for _ in 0..16 {
            if !self.read_open {
                break;
            }
            match self.stream.read(&mut self.buf) {
                Ok(0) => {
                    self.read_open = false;
                    self.conn.handle_eof();
                    progress = true;
                }
                Ok(n) => {
                    let now = Instant::now();
                    self.last_read = Some(now);
                    self.conn.handle_input(&self.buf[..n], now);
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.read_open = false;
                    self.conn.handle_eof();
                    progress = true;
                }
            }
        }
        let now = Instant::now();
        if self.timers && self.conn.poll_timeout().is_some_and(|t| now >= t) {
            self.conn.handle_timeout(now);
        }
        while self.write_open {
            let result = self.stream.write(self.conn.poll_output());
            match result {
                Ok(0) => break,
                Ok(n) => {
                    self.conn.consume_output(n, Instant::now());
                    progress = true;
                }
                Err(e) if e.kind() == ErrorKind::WouldBlock => break,
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => {
                    self.write_open = false;
                    progress = true;
                }
            }
        }
        // The engine is done: say so to the peer.
        if self.write_open && self.conn.is_closed() {
            let _ = self.stream.shutdown(Shutdown::Write);
            self.write_open = false;
        }
        if self.trace {
            let ms = self.epoch.elapsed().as_millis();
            while let Some(line) = self.conn.poll_trace() {
                eprintln!("[engine +{ms}ms] {line}");
            }
        }
        progress
    }

    /// Drive the connection until `f` returns `Some`. `f` sees every event (`Some(event)`)
    /// and is also asked once per turn with `None`, so it can look at other state (a peer's
    /// output, a delivery). Fails after `limit`, naming `what`.
    pub fn run_until<T>(
        &mut self,
        limit: Duration,
        what: &str,
        mut f: impl FnMut(&mut Connection, Option<&Event>) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + limit;
        loop {
            let progress = self.turn();
            while let Some(event) = self.conn.poll_event() {
                self.log.push(event.clone());
                if let Some(t) = f(&mut self.conn, Some(&event)) {
                    return t;
                }
            }
            if let Some(t) = f(&mut self.conn, None) {
                return t;
            }
            if Instant::now() >= deadline {
                panic!(
                    "timed out after {limit:?} waiting for {what}; events: {:?}; error: {:?}",
                    self.log,
                    self.conn.error()
                );
            }
            if !progress {
                let sleep = self
                    .conn
                    .poll_timeout()
                    .map_or(Duration::from_millis(1), |t| {
                        t.saturating_duration_since(Instant::now())
                    })
                    .clamp(Duration::from_micros(200), Duration::from_millis(1));
                std::thread::sleep(sleep);
            }
        }
    }

    /// Drive the connection for `time`, handing every event to `f`.
    pub fn run_for(&mut self, time: Duration, mut f: impl FnMut(&mut Connection, &Event)) {
        let end = Instant::now() + time;
        self.run_until(time + LIMIT, "the end of a fixed run", |c, e| {
            if let Some(e) = e {
                f(c, e);
            }
            (Instant::now() >= end).then_some(())
        })
    }

    /// Drive until the event `want` arrives, handing all events to `f` too.
    pub fn run_until_event(
        &mut self,
        want: &Event,
        mut f: impl FnMut(&mut Connection, &Event),
    ) -> Event {
        let name = format!("{want:?}");
        self.run_until(LIMIT, &name, |c, e| {
            let e = e?;
            f(c, e);
            (e == want).then(|| e.clone())
        })
    }

    /// Drive until the transport is closed (both directions done).
    pub fn run_until_closed(&mut self, mut f: impl FnMut(&mut Connection, &Event)) {
        self.run_until(LIMIT, "TransportClosed", |c, e| {
            let e = e?;
            f(c, e);
            (*e == Event::TransportClosed).then_some(())
        });
    }

    /// Whether this event has been seen.
    pub fn saw(&self, event: &Event) -> bool {
        self.log.contains(event)
    }
}

/// Open whatever the peer opens (the connection, its sessions and its links) and close
/// the connection when the peer closes it.
pub fn answer_peer(c: &mut Connection, e: &Event) {
    match e {
        Event::ConnectionRemoteOpen => c.open(),
        Event::ConnectionRemoteClose => c.close(None),
        Event::SessionRemoteBegin(s) => c.open_session(*s),
        Event::LinkRemoteAttach(l) => c.open_link(*l),
        _ => {}
    }
}

/// A listener on 127.0.0.1 with a free port.
pub fn listener() -> (TcpListener, u16) {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1:0");
    let port = l.local_addr().expect("local addr").port();
    (l, port)
}

// -------------------------------------------------------------------------------------
// Links and messages

pub fn terminus(address: &str) -> Option<TerminusField> {
    Some(TerminusField::Terminus(Terminus {
        address: Some(address.into()),
        ..Default::default()
    }))
}

/// The settings of a link to or from `address`.
pub fn link_settings(name: &str, role: Role, address: &str, snd: SndSettleMode) -> LinkSettings {
    let (source, target) = match role {
        Role::Sender => (terminus(name), terminus(address)),
        Role::Receiver => (terminus(address), terminus(name)),
    };
    LinkSettings {
        name: name.into(),
        role,
        source,
        target,
        snd_settle_mode: snd,
        rcv_settle_mode: RcvSettleMode::First,
        max_message_size: None,
    }
}

/// A property value of a test message.
#[derive(Clone, Debug, PartialEq)]
pub enum Prop {
    Str(String),
    Long(i64),
}

/// An encoded AMQP message: `body` as an amqp-value string (or binary), `properties` as
/// application properties.
pub fn encode_message(body: Body<'_>, properties: &[(&str, Prop)]) -> Vec<u8> {
    let mut m = Message::new();
    match body {
        Body::Text(s) => m.body().put(Scalar::String(s.as_bytes())),
        Body::Binary(b) => m.body().put(Scalar::Binary(b)),
    }
    .expect("put body");
    if !properties.is_empty() {
        let p = m.properties();
        p.put_map().expect("map");
        p.enter();
        for (k, v) in properties {
            p.put(Scalar::String(k.as_bytes())).expect("key");
            match v {
                Prop::Str(s) => p.put(Scalar::String(s.as_bytes())),
                Prop::Long(i) => p.put(Scalar::Long(*i)),
            }
            .expect("value");
        }
        p.exit();
    }
    m.to_bytes()
}

/// A message body to send.
pub enum Body<'a> {
    Text(&'a str),
    Binary(&'a [u8]),
}

/// A decoded message: its body and application properties.
#[derive(Debug, PartialEq)]
pub struct Received {
    pub text: Option<String>,
    pub binary: Option<Vec<u8>>,
    pub properties: BTreeMap<String, Prop>,
}

pub fn decode_message(bytes: &[u8]) -> Received {
    let mut m = Message::new();
    m.decode(bytes).expect("the payload decodes as a message");
    let body = m.body();
    body.rewind();
    let (mut text, mut binary) = (None, None);
    if body.next() {
        match body.scalar() {
            Some(Scalar::String(s)) => text = Some(String::from_utf8_lossy(s).into_owned()),
            Some(Scalar::Binary(b)) => binary = Some(b.to_vec()),
            other => panic!("unexpected body {other:?}"),
        }
    }
    let mut properties = BTreeMap::new();
    let p = m.properties();
    p.rewind();
    if p.next() && p.enter() {
        while p.next() {
            let key = match p.scalar() {
                Some(Scalar::String(k)) | Some(Scalar::Symbol(k)) => {
                    String::from_utf8_lossy(k).into_owned()
                }
                other => panic!("unexpected property key {other:?}"),
            };
            assert!(p.next(), "a property key has a value");
            let value = match p.scalar() {
                Some(Scalar::String(s)) => Prop::Str(String::from_utf8_lossy(s).into_owned()),
                Some(Scalar::Long(i)) => Prop::Long(i),
                Some(Scalar::Int(i)) => Prop::Long(i.into()),
                Some(Scalar::Uint(i)) => Prop::Long(i.into()),
                Some(Scalar::Ulong(i)) => Prop::Long(i as i64),
                other => panic!("unexpected property value {other:?}"),
            };
            properties.insert(key, value);
        }
        p.exit();
    }
    Received {
        text,
        binary,
        properties,
    }
}

/// The body of a large message: bytes 0..=250 repeated, cut to `size` (as the peers make it).
pub fn pattern(size: usize) -> Vec<u8> {
    (0..size).map(|i| (i % 251) as u8).collect()
}

/// CRC-32 (IEEE, as zlib.crc32).
pub fn crc32(bytes: &[u8]) -> u32 {
    static TABLE: OnceLock<[u32; 256]> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut t = [0u32; 256];
        for (i, slot) in t.iter_mut().enumerate() {
            let mut c = i as u32;
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
            *slot = c;
        }
        t
    });
    let mut crc = !0u32;
    for &b in bytes {
        crc = table[((crc ^ b as u32) & 0xff) as usize] ^ (crc >> 8);
    }
    !crc
}
