//! In-memory benchmark of a client/server engine pair (std only, `harness = false`).
//!
//! The client sends, the server receives, both driven exactly as a real peer's driver
//! would: the sender application hands over a new `Vec` per message (tag and payload),
//! the receiving application keeps a credit window of `WINDOW` topped up when half used,
//! takes each payload, and (unsettled mode) accepts and settles it, the engine batching
//! the dispositions; the sender settles each delivery once the peer has settled it.
//! In presettled mode the sender settles each delivery as it queues it.
//!
//! Each side's CPU time is the time spent inside its engine calls only (the harness'
//! own work: building messages and dropping received payloads, is outside the timed
//! spans). Allocations are counted by a counting global allocator, per side, over the
//! same spans.
//!
//! ```text
//! cargo bench --bench engine                 # every scenario
//! cargo bench --bench engine -- 16B --quick  # scenarios whose name contains "16B", fewer rounds
//! cargo bench --bench engine -- --rounds 15 --n 500000
//! ```

use qpid_proton::engine::performative::{
    DeliveryState, RcvSettleMode, Role, SndSettleMode, Terminus, TerminusField,
};
use qpid_proton::engine::{Config, Connection, Event, LinkId, LinkSettings, Side};
mod support;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicU64, Ordering::Relaxed};
use std::time::{Duration, Instant};
use support::{best, median};

// -------------------------------------------------------------------------------------
// Allocation counting

struct Counting;

static ALLOCS: AtomicU64 = AtomicU64::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        System.alloc(layout)
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        System.alloc_zeroed(layout)
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCS.fetch_add(1, Relaxed);
        System.realloc(ptr, layout, new_size)
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout)
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

// -------------------------------------------------------------------------------------
// Per-side accounting

/// CPU time and allocations spent inside one side's engine calls.
#[derive(Default, Clone, Copy)]
struct Cost {
    time: Duration,
    allocs: u64,
}

/// Times consecutive spans of engine calls, charging each span to one side.
struct Meter {
    at: Instant,
    allocs: u64,
}

impl Meter {
    fn start() -> Meter {
        Meter {
            allocs: ALLOCS.load(Relaxed),
            at: Instant::now(),
        }
    }

    /// Charge the span since the last mark to `cost`; returns the time now (the engines'
    /// clock).
    fn charge(&mut self, cost: &mut Cost) -> Instant {
        let now = Instant::now();
        let allocs = ALLOCS.load(Relaxed);
        cost.time += now - self.at;
        cost.allocs += allocs - self.allocs;
        self.at = now;
        self.allocs = allocs;
        now
    }

    /// Skip the span since the last mark (harness work).
    fn skip(&mut self) {
        self.allocs = ALLOCS.load(Relaxed);
        self.at = Instant::now();
    }
}

// -------------------------------------------------------------------------------------
// The engine pair

/// Credit the receiver keeps outstanding (topped up when half used).
const WINDOW: u32 = 1024;
/// Deliveries the sending application keeps queued in the engine.
const QUEUE_DEPTH: usize = 1024;

fn terminus(addr: &str) -> Option<TerminusField> {
    Some(TerminusField::Terminus(Terminus {
        address: Some(addr.into()),
        ..Default::default()
    }))
}

/// Move bytes both ways until neither side has output (untimed: setup only).
fn settle_down(a: &mut Connection, b: &mut Connection, now: Instant) {
    for _ in 0..100 {
        let out = a.poll_output().to_vec();
        a.consume_output(out.len(), now);
        b.handle_input(&out, now);
        let back = b.poll_output().to_vec();
        b.consume_output(back.len(), now);
        a.handle_input(&back, now);
        if out.is_empty() && back.is_empty() {
            return;
        }
    }
    panic!("handshake did not settle");
}

/// A connected pair: the client's sending link and the server's receiving link.
fn connect() -> (Connection, LinkId, Connection, LinkId) {
    let now = Instant::now();
    let mut client = Connection::new(Config::new(Side::Client, "bench-client"));
    let mut server = Connection::new(Config::new(Side::Server, "bench-server"));
    client.open();
    let s = client.begin_session();
    let link = client
        .attach(
            s,
            LinkSettings {
                name: "bench".into(),
                role: Role::Sender,
                source: terminus("src"),
                target: terminus("q"),
                snd_settle_mode: SndSettleMode::Mixed,
                rcv_settle_mode: RcvSettleMode::First,
                max_message_size: None,
            },
        )
        .expect("attach");
    settle_down(&mut client, &mut server, now);
    let mut server_link = None;
    while let Some(e) = server.poll_event() {
        match e {
            Event::ConnectionRemoteOpen => server.open(),
            Event::SessionRemoteBegin(sid) => server.open_session(sid),
            Event::LinkRemoteAttach(l) => {
                server.open_link(l);
                server_link = Some(l);
            }
            _ => {}
        }
    }
    let sl = server_link.expect("attach arrived");
    server.add_credit(sl, WINDOW);
    settle_down(&mut client, &mut server, now);
    while client.poll_event().is_some() {}
    while server.poll_event().is_some() {}
    (client, link, server, sl)
}

#[derive(Clone, Copy)]
struct Scenario {
    name: &'static str,
    size: usize,
    presettled: bool,
    /// Messages per round at the default scale.
    n: usize,
}

struct Round {
    client: Cost,
    server: Cost,
    wall: Duration,
    n: usize,
}

/// Send `n` messages of `size` bytes from client to server; every one must arrive (and,
/// unsettled, be settled at both ends) before the round ends.
fn round(sc: Scenario, n: usize) -> Round {
    let (mut client, link, mut server, sl) = connect();
    let template: Vec<u8> = (0..sc.size).map(|i| (i * 31 + 7) as u8).collect();
    let mut client_cost = Cost::default();
    let mut server_cost = Cost::default();
    let mut batch: Vec<([u8; 8], Vec<u8>)> = Vec::with_capacity(QUEUE_DEPTH);
    let mut taken: Vec<Vec<u8>> = Vec::with_capacity(WINDOW as usize);
    let (mut sent, mut received, mut acked) = (0usize, 0usize, 0usize);
    let mut idle = 0;
    let wall = Instant::now();
    let mut m = Meter::start();
    let mut now;
    loop {
        // Sender application: how much room, then build messages (harness work).
        let room = QUEUE_DEPTH
            .saturating_sub(client.queued(link))
            .min(n - sent);
        m.charge(&mut client_cost);
        for i in sent..sent + room {
            batch.push(((i as u64).to_be_bytes(), template.clone()));
        }
        sent += room;
        m.skip();

        // Client: queue, settle what the peer settled, write.
        for (tag, payload) in batch.drain(..) {
            let d = client
                .send(link, &tag, payload, sc.presettled)
                .expect("send");
            if sc.presettled {
                client.settle(d);
            }
        }
        let out = client.poll_output();
        let out_len = out.len();
        now = m.charge(&mut client_cost);

        // Server: read, deliver to the application, top up credit.
        server.handle_input(out, now);
        while let Some(e) = server.poll_event() {
            if let Event::Delivery(id) = e {
                let complete = server.delivery(id).is_some_and(|d| d.complete);
                if complete {
                    taken.push(server.take_payload(id).expect("payload"));
                    if !sc.presettled {
                        server.update(id, DeliveryState::Accepted);
                    }
                    server.settle(id);
                    received += 1;
                }
            }
        }
        let credit = server.link(sl).expect("link").credit;
        if credit < WINDOW / 2 {
            server.add_credit(sl, WINDOW - credit);
        }
        m.charge(&mut server_cost);
        for p in taken.drain(..) {
            assert_eq!(p.len(), sc.size);
        }
        m.skip();

        client.consume_output(out_len, now);
        m.charge(&mut client_cost);

        let back = server.poll_output();
        let back_len = back.len();
        now = m.charge(&mut server_cost);

        client.handle_input(back, now);
        while let Some(e) = client.poll_event() {
            if let Event::Delivery(id) = e {
                if client.delivery(id).is_some_and(|d| d.remote_settled) {
                    client.settle(id);
                    acked += 1;
                }
            }
        }
        now = m.charge(&mut client_cost);

        server.consume_output(back_len, now);
        m.charge(&mut server_cost);

        let done = received == n && (sc.presettled || acked == n);
        if done {
            break;
        }
        if out_len == 0 && back_len == 0 && room == 0 {
            idle += 1;
            assert!(
                idle < 10,
                "{}: stalled at sent {sent} received {received} acked {acked}",
                sc.name
            );
        } else {
            idle = 0;
        }
    }
    let wall = wall.elapsed();
    assert_eq!(received, n);
    Round {
        client: client_cost,
        server: server_cost,
        wall,
        n,
    }
}

// -------------------------------------------------------------------------------------
// Reporting

fn main() {
    let o = support::options(7, 3);
    let scenarios = [
        Scenario {
            name: "16B unsettled",
            size: 16,
            presettled: false,
            n: 200_000,
        },
        Scenario {
            name: "16B presettled",
            size: 16,
            presettled: true,
            n: 200_000,
        },
        Scenario {
            name: "1KiB unsettled",
            size: 1024,
            presettled: false,
            n: 200_000,
        },
        Scenario {
            name: "1KiB presettled",
            size: 1024,
            presettled: true,
            n: 200_000,
        },
        Scenario {
            name: "64KiB unsettled",
            size: 65536,
            presettled: false,
            n: 8_000,
        },
        Scenario {
            name: "64KiB presettled",
            size: 65536,
            presettled: true,
            n: 8_000,
        },
    ];
    println!(
        "engine pair in memory: credit window {WINDOW} (topped up at half), sender queue depth \
         {QUEUE_DEPTH}, {} rounds after a warm-up; best / median of rounds",
        o.rounds
    );
    println!(
        "{:<17} {:>8} | {:>17} {:>17} | {:>13} {:>13} | {:>11} {:>11} | {:>10}",
        "scenario",
        "msgs",
        "client µs/msg",
        "server µs/msg",
        "msgs/s (cpu)",
        "MB/s (cpu)",
        "cl allocs/m",
        "sv allocs/m",
        "wall µs/m",
    );
    for sc in scenarios {
        if !o.filters.is_empty() && !o.filters.iter().any(|f| sc.name.contains(f.as_str())) {
            continue;
        }
        let n = o.n.unwrap_or(((sc.n as f64) * o.scale) as usize).max(1);
        round(sc, (n / 10).max(1)); // warm-up
        let rounds: Vec<Round> = (0..o.rounds).map(|_| round(sc, n)).collect();
        let us = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
        let cl: Vec<f64> = rounds.iter().map(|r| us(r.client.time, r.n)).collect();
        let sv: Vec<f64> = rounds.iter().map(|r| us(r.server.time, r.n)).collect();
        let both: Vec<f64> = rounds
            .iter()
            .map(|r| us(r.client.time + r.server.time, r.n))
            .collect();
        let wall: Vec<f64> = rounds.iter().map(|r| us(r.wall, r.n)).collect();
        let cl_allocs = rounds[0].client.allocs as f64 / rounds[0].n as f64;
        let sv_allocs = rounds[0].server.allocs as f64 / rounds[0].n as f64;
        // Throughput if one CPU ran both engines: messages (and payload bytes) per second
        // of engine time on both sides together.
        let rate = |us_both: f64| 1e6 / us_both;
        let mbps = |us_both: f64| sc.size as f64 / us_both; // bytes per µs = MB/s
        println!(
            "{:<17} {:>8} | {:>7.3} / {:>7.3} {:>7.3} / {:>7.3} | {:>6.2}M/{:>5.2}M {:>6.0}/{:>6.0} | {:>11.2} {:>11.2} | {:>10.3}",
            sc.name,
            n,
            best(&cl),
            median(cl.clone()),
            best(&sv),
            median(sv.clone()),
            rate(best(&both)) / 1e6,
            rate(median(both.clone())) / 1e6,
            mbps(best(&both)),
            mbps(median(both.clone())),
            cl_allocs,
            sv_allocs,
            median(wall),
        );
    }
    println!(
        "µs/msg: engine CPU per message on that side; msgs/s and MB/s (payload, 1 MB = 1e6 B): \
         one CPU running both engines, best/median; allocs/m: allocator calls per message \
         inside that side's engine calls; wall: whole loop including the harness."
    );
}
