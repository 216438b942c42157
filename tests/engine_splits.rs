//! The byte stream cut anywhere: thousands of deliveries of mixed sizes (empty to several
//! frames), both directions delivered in pieces cut at pseudo-random offsets, must arrive
//! whole, in order, with every outcome, and no error on either side.

mod engine_util;

use engine_util::{deliveries, transport_error, Pair};
use qpid_proton::engine::performative::DeliveryState;
use qpid_proton::engine::{Config, Side};

/// xorshift64*: a fixed, seeded sequence (the test is deterministic).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn run(seed: u64, max_frame: u32) {
    let mut rng = Rng(seed);
    let mut client = Config::new(Side::Client, "client");
    client.max_frame_size = max_frame;
    let mut server = Config::new(Side::Server, "server");
    server.max_frame_size = max_frame;
    let mut p = Pair::with(client, server);
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link(
        cs,
        "splits",
        qpid_proton::engine::performative::Role::Sender,
    );
    // Cut points: every few bytes to a few hundred KiB apart, over the whole run.
    for dir in [engine_util::Dir::ToServer, engine_util::Dir::ToClient] {
        let wire = p.wire(dir);
        let mut at = wire.total;
        for _ in 0..20_000 {
            at += 1 + match rng.below(4) {
                0 => rng.below(8),
                1 => rng.below(100),
                2 => rng.below(5000),
                _ => rng.below(300_000),
            } as usize;
            wire.split_at.push(at);
        }
    }
    let total = 1500;
    let mut sent = Vec::new();
    let mut got = Vec::new();
    let mut outcomes = 0;
    p.server.add_credit(sl, 200);
    for i in 0..total {
        let size = match rng.below(5) {
            0 => 0,
            1 => rng.below(64),
            2 => rng.below(4096),
            3 => 65536,
            _ => rng.below(300_000),
        } as usize;
        let payload: Vec<u8> = (0..size).map(|k| (k as u64 * 31 + i) as u8).collect();
        sent.push(payload.clone());
        p.client
            .send(cl, (i as u32).to_be_bytes().to_vec(), payload, false)
            .expect("sender");
        if i % 7 == 0 || i + 1 == total {
            p.pump();
            for d in deliveries(&p.server_events()) {
                if p.server.delivery(d).is_some_and(|x| x.complete && !x.taken) {
                    got.push(p.server.take_payload(d).expect("payload"));
                    p.server.update(d, DeliveryState::Accepted);
                    p.server.settle(d);
                }
            }
            let credit = p.server.link(sl).expect("link").credit;
            if credit < 100 {
                p.server.add_credit(sl, 200 - credit);
            }
            p.pump();
            for d in deliveries(&p.client_events()) {
                if p.client.delivery(d).is_some_and(|x| x.remote_settled) {
                    outcomes += 1;
                    p.client.settle(d);
                }
            }
        }
    }
    for _ in 0..100 {
        if got.len() == total as usize && outcomes == total {
            break;
        }
        p.pump();
        for d in deliveries(&p.server_events()) {
            if p.server.delivery(d).is_some_and(|x| x.complete && !x.taken) {
                got.push(p.server.take_payload(d).expect("payload"));
                p.server.update(d, DeliveryState::Accepted);
                p.server.settle(d);
            }
        }
        p.server.add_credit(sl, 100);
        p.pump();
        for d in deliveries(&p.client_events()) {
            if p.client.delivery(d).is_some_and(|x| x.remote_settled) {
                outcomes += 1;
                p.client.settle(d);
            }
        }
    }
    assert_eq!(transport_error(&p.server_events()), None);
    assert_eq!(transport_error(&p.client_events()), None);
    assert_eq!(p.server.error(), None, "seed {seed}");
    assert_eq!(p.client.error(), None, "seed {seed}");
    assert_eq!(got.len(), sent.len(), "seed {seed}: deliveries");
    for (i, (a, b)) in got.iter().zip(&sent).enumerate() {
        assert!(
            a == b,
            "seed {seed}: delivery {i} differs ({} vs {} bytes)",
            a.len(),
            b.len()
        );
    }
    assert_eq!(outcomes, total, "seed {seed}: outcomes");
}

#[test]
fn deliveries_survive_any_cut_of_the_stream() {
    for seed in 1..=4 {
        run(seed * 0x9e37_79b9, 1024 * 1024);
        run(seed * 0x85eb_ca6b, 16 * 1024);
    }
}
