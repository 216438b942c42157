//! Two of our Messengers over 127.0.0.1, one thread each (std only, `harness = false`).
//!
//! The sender does what proton's `msgr-send` does: set the body, `put`, and `send(-1)`
//! whenever `outgoing()` reaches the batch size; the receiver does what `msgr-recv` does:
//! `recv(-1)` (1024 credits per link, topped up), then `get` until empty. Tracked: both
//! windows are `BATCH`, the receiver accepts each message, and the sender's `send(-1)`
//! waits for every outcome of its batch (so every batch costs a round trip). Round trip:
//! one message out (reply_to `~`) and its reply back, one at a time.
//!
//! Each side's CPU time is its thread's CPU time (`CLOCK_THREAD_CPUTIME_ID`) from the
//! first message to the last; allocations are counted per thread over the same span.
//!
//! ```text
//! cargo bench --bench messenger                  # every scenario
//! cargo bench --bench messenger -- 16B --quick   # names containing "16B", fewer messages
//! cargo bench --bench messenger -- --rounds 5 --n 100000
//! ```

use qpid_proton::codec::Scalar;
use qpid_proton::engine::performative::DeliveryState;
use qpid_proton::message::{c_string, Message};
use qpid_proton::messenger::store::Status;
use qpid_proton::messenger::Messenger;
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::mpsc;
use std::time::{Duration, Instant};
use support::{best, median};

// -------------------------------------------------------------------------------------
// Allocation counting, per thread

struct Counting;

thread_local! {
    static ALLOCS: Cell<u64> = const { Cell::new(0) };
}

fn count_alloc() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

fn allocs() -> u64 {
    ALLOCS.with(Cell::get)
}

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_alloc();
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count_alloc();
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_alloc();
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// -------------------------------------------------------------------------------------
// Per-thread accounting

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid timespec to write into.
    let rc = unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    assert_eq!(rc, 0, "clock_gettime");
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// What one side spent between `start` and `stop`.
#[derive(Clone, Copy, Default)]
struct Cost {
    cpu: Duration,
    allocs: u64,
}

struct Meter {
    cpu: Duration,
    allocs: u64,
}

impl Meter {
    fn start() -> Meter {
        Meter {
            allocs: allocs(),
            cpu: thread_cpu(),
        }
    }

    fn stop(&self) -> Cost {
        Cost {
            cpu: thread_cpu() - self.cpu,
            allocs: allocs() - self.allocs,
        }
    }
}

// -------------------------------------------------------------------------------------
// Scenarios

/// Messages per `send(-1)` (msgr-send's default) and both windows when tracked.
const BATCH: i32 = 1024;
/// How long any blocking call may take before the run is declared hung.
const HANG_GUARD_MS: i32 = 30_000;

#[derive(Clone, Copy)]
enum Kind {
    Throughput { size: usize, tracked: bool },
    RoundTrip,
}

#[derive(Clone, Copy)]
struct Scenario {
    name: &'static str,
    kind: Kind,
    /// Messages per round at the default scale.
    n: usize,
}

struct Round {
    sender: Cost,
    receiver: Cost,
    wall: Duration,
    n: usize,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind")
        .local_addr()
        .expect("addr")
        .port()
}

fn set_body(msg: &mut Message, payload: &[u8]) {
    let body = msg.body();
    body.clear();
    body.put(Scalar::Binary(payload)).expect("body");
}

/// The receiving side: listen, tell the sender, take `n` messages; keep serving (for the
/// sender's outcomes and its close) until the sender is done.
fn receiver(
    port: u16,
    n: usize,
    size: usize,
    tracked: bool,
    ready: mpsc::Sender<()>,
    sender_done: mpsc::Receiver<()>,
) -> (Cost, Instant) {
    let mut r = Messenger::new(None).expect("messenger");
    r.set_timeout(HANG_GUARD_MS);
    if tracked {
        r.set_incoming_window(BATCH);
    }
    r.subscribe(&format!("amqp://~127.0.0.1:{port}"), 0)
        .expect("subscribe");
    ready.send(()).expect("ready");
    let mut msg = Message::new();
    let mut got = 0;
    let meter = Meter::start();
    while got < n {
        assert_eq!(r.recv(-1), 0, "recv after {got} messages");
        while r.get(Some(&mut msg)).is_ok() {
            got += 1;
            if tracked {
                let t = r.incoming_tracker();
                r.disposition(t, 0, &DeliveryState::Accepted)
                    .expect("accept");
            }
        }
    }
    let cost = meter.stop();
    let last = Instant::now();
    if size > 0 {
        match msg.body().first_scalar() {
            Some(Scalar::Binary(b)) => assert_eq!(b.len(), size),
            other => panic!("unexpected body {other:?}"),
        }
    }
    while sender_done.try_recv().is_err() {
        r.work(10);
    }
    r.stop();
    (cost, last)
}

fn sender(port: u16, n: usize, size: usize, tracked: bool) -> (Cost, Instant, Instant) {
    let mut s = Messenger::new(None).expect("messenger");
    s.set_timeout(HANG_GUARD_MS);
    if tracked {
        s.set_outgoing_window(BATCH);
    }
    let payload: Vec<u8> = (0..size).map(|i| (i * 31 + 7) as u8).collect();
    let mut msg = Message::new();
    msg.address = Some(c_string(
        format!("amqp://127.0.0.1:{port}/bench").as_bytes(),
    ));
    let start = Instant::now();
    let meter = Meter::start();
    for _ in 0..n {
        set_body(&mut msg, &payload);
        s.put(&mut msg).expect("put");
        if s.outgoing() >= BATCH {
            assert_eq!(s.send(-1), 0, "send");
        }
    }
    assert_eq!(s.send(-1), 0, "send");
    if tracked {
        assert_eq!(s.status(s.outgoing_tracker()), Status::Accepted);
    }
    let cost = meter.stop();
    let end = Instant::now();
    s.stop();
    (cost, start, end)
}

fn throughput(size: usize, tracked: bool, n: usize) -> Round {
    let port = free_port();
    let (ready_tx, ready_rx) = mpsc::channel();
    let (done_tx, done_rx) = mpsc::channel();
    let rx = std::thread::spawn(move || receiver(port, n, size, tracked, ready_tx, done_rx));
    ready_rx.recv().expect("receiver listening");
    let tx = std::thread::spawn(move || sender(port, n, size, tracked));
    let (sender_cost, start, end) = tx.join().expect("sender");
    done_tx.send(()).expect("done");
    let (receiver_cost, last) = rx.join().expect("receiver");
    Round {
        sender: sender_cost,
        receiver: receiver_cost,
        wall: end.max(last) - start,
        n,
    }
}

/// Request/reply, one at a time: the client's message carries reply_to `~`, the server
/// answers to it over the client's own connection.
fn round_trip(n: usize) -> Round {
    let port = free_port();
    let warm_up = 100;
    let (ready_tx, ready_rx) = mpsc::channel();
    let server = std::thread::spawn(move || {
        let mut r = Messenger::new(None).expect("messenger");
        r.set_timeout(HANG_GUARD_MS);
        r.subscribe(&format!("amqp://~127.0.0.1:{port}"), 0)
            .expect("subscribe");
        ready_tx.send(()).expect("ready");
        let mut msg = Message::new();
        let mut meter = Meter::start();
        for i in 0..warm_up + n {
            if i == warm_up {
                meter = Meter::start();
            }
            assert_eq!(r.recv(1), 0, "server recv");
            r.get(Some(&mut msg)).expect("server get");
            msg.address = msg.reply_to.take();
            r.put(&mut msg).expect("reply");
            assert_eq!(r.send(-1), 0, "server send");
        }
        let cost = meter.stop();
        // The client closes first; answer its close.
        r.set_timeout(1000);
        while !r.stopped() && r.work(1000) > 0 {}
        r.stop();
        cost
    });
    ready_rx.recv().expect("server listening");
    let mut c = Messenger::new(None).expect("messenger");
    c.set_timeout(HANG_GUARD_MS);
    let mut msg = Message::new();
    let mut reply = Message::new();
    msg.address = Some(c_string(format!("amqp://127.0.0.1:{port}/rt").as_bytes()));
    msg.reply_to = Some(c_string(b"~"));
    set_body(&mut msg, b"ping");
    let mut meter = Meter::start();
    let mut start = Instant::now();
    for i in 0..warm_up + n {
        if i == warm_up {
            meter = Meter::start();
            start = Instant::now();
        }
        c.put(&mut msg).expect("put");
        assert_eq!(c.send(-1), 0, "client send");
        assert_eq!(c.recv(1), 0, "client recv");
        c.get(Some(&mut reply)).expect("client get");
    }
    let client_cost = meter.stop();
    let wall = start.elapsed();
    c.stop();
    let server_cost = server.join().expect("server");
    Round {
        sender: client_cost,
        receiver: server_cost,
        wall,
        n,
    }
}

fn run(sc: Scenario, n: usize) -> Round {
    match sc.kind {
        Kind::Throughput { size, tracked } => throughput(size, tracked, n),
        Kind::RoundTrip => round_trip(n),
    }
}

// -------------------------------------------------------------------------------------
// Reporting

fn main() {
    let o = support::options(3, 1);
    let t = |name, size, tracked, n| Scenario {
        name,
        kind: Kind::Throughput { size, tracked },
        n,
    };
    let scenarios = [
        t("16B untracked", 16, false, 500_000),
        t("16B tracked", 16, true, 500_000),
        t("1KiB untracked", 1024, false, 300_000),
        t("1KiB tracked", 1024, true, 300_000),
        t("64KiB untracked", 65536, false, 20_000),
        t("64KiB tracked", 65536, true, 20_000),
        Scenario {
            name: "round trip",
            kind: Kind::RoundTrip,
            n: 20_000,
        },
    ];
    println!(
        "two messengers over 127.0.0.1, one thread each; send(-1) every {BATCH} puts, \
         recv(-1); tracked: windows {BATCH}, each message accepted; {} rounds after a \
         warm-up, best / median",
        o.rounds
    );
    println!(
        "{:<16} {:>7} | {:>17} | {:>17} {:>17} | {:>10} {:>10} | {:>9}",
        "scenario",
        "msgs",
        "msgs/s (wall)",
        "sender cpu µs/m",
        "receiver cpu µs/m",
        "snd allocs",
        "rcv allocs",
        "MB/s",
    );
    for sc in scenarios {
        if !o.filters.is_empty() && !o.filters.iter().any(|f| sc.name.contains(f.as_str())) {
            continue;
        }
        let n = o.n.unwrap_or(((sc.n as f64) * o.scale) as usize).max(1);
        run(sc, (n / 10).max(1)); // warm-up
        let rounds: Vec<Round> = (0..o.rounds).map(|_| run(sc, n)).collect();
        let us = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
        let rate: Vec<f64> = rounds
            .iter()
            .map(|r| r.n as f64 / r.wall.as_secs_f64())
            .collect();
        let snd: Vec<f64> = rounds.iter().map(|r| us(r.sender.cpu, r.n)).collect();
        let rcv: Vec<f64> = rounds.iter().map(|r| us(r.receiver.cpu, r.n)).collect();
        let per = |c: Cost, n: usize| c.allocs as f64 / n as f64;
        let size = match sc.kind {
            Kind::Throughput { size, .. } => size,
            Kind::RoundTrip => 0,
        };
        let best_rate = rate.iter().copied().fold(0.0, f64::max);
        match sc.kind {
            Kind::Throughput { .. } => println!(
                "{:<16} {:>7} | {:>8.0}/{:>8.0} | {:>8.2}/{:>8.2} {:>8.2}/{:>8.2} | {:>10.2} {:>10.2} | {:>9.1}",
                sc.name,
                n,
                best_rate,
                median(rate.clone()),
                best(&snd),
                median(snd.clone()),
                best(&rcv),
                median(rcv.clone()),
                per(rounds[0].sender, n),
                per(rounds[0].receiver, n),
                best_rate * size as f64 / 1e6,
            ),
            Kind::RoundTrip => {
                let lat: Vec<f64> = rounds.iter().map(|r| us(r.wall, r.n)).collect();
                println!(
                    "{:<16} {:>7} | {:>7.1}/{:>7.1}µs | {:>8.2}/{:>8.2} {:>8.2}/{:>8.2} | {:>10.2} {:>10.2} |",
                    sc.name,
                    n,
                    best(&lat),
                    median(lat.clone()),
                    best(&snd),
                    median(snd.clone()),
                    best(&rcv),
                    median(rcv.clone()),
                    per(rounds[0].sender, n),
                    per(rounds[0].receiver, n),
                );
            }
        }
    }
    println!(
        "msgs/s: messages over wall time, first put to last get (tracked: to the last \
         outcome); round trip: µs per request/reply; cpu µs/m: that thread's CPU per \
         message; allocs: allocator calls per message on that thread."
    );
}
