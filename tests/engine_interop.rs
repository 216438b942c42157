//! Live interop over 127.0.0.1: our engine, driven by a small blocking socket driver
//! (tests/support), against python-qpid-proton 0.40 peers (tests/peers/*.py), with our
//! engine as the client and as the server.
//!
//! Covered: open/close; SASL ANONYMOUS both ways and no SASL; sending with each
//! snd-settle-mode and each outcome given by Python (our side must see the exact remote
//! state); receiving with each outcome given by us (Python must see it); a 10 MB message
//! each way; heartbeats with a 1 s idle timeout both ways, and our idle timeout closing a
//! frozen peer with amqp:resource-limit-exceeded; a peer closing with an error; credit
//! refills over 300 messages each way; receiver-settle-mode second.
//!
//! The peer venv is `build/venv-peer` (created if missing, see `support::peer_python`).
//! `PN_TRACE_FRM=1` prints our engine's frames.

mod support;

use qpid_proton::engine::performative::{
    DeliveryState, ErrorCondition, RcvSettleMode, Role, SndSettleMode,
};
use qpid_proton::engine::sasl::{ClientCredentials, SaslResult};
use qpid_proton::engine::{Config, Connection, DeliveryId, EndpointState, Event, LinkId, Side};
use std::collections::BTreeMap;
use std::time::{Duration, Instant};
use support::*;

const TEN_MB: usize = 10 * 1024 * 1024;

/// Our client config: SASL ANONYMOUS (what Python's listener offers) unless `sasl` is false.
fn client_config(sasl: bool) -> Config {
    Config {
        hostname: Some("127.0.0.1".into()),
        sasl: sasl.then(ClientCredentials::default),
        ..Config::new(Side::Client, "rust-client")
    }
}

fn server_config() -> Config {
    Config::new(Side::Server, "rust-server")
}

/// Connect to a Python listener, open, and wait for its open.
fn open_client(port: u16, sasl: bool) -> Driver {
    let mut d = Driver::connect(port, client_config(sasl));
    d.conn.open();
    d.run_until_event(&Event::ConnectionRemoteOpen, |_, _| {});
    d
}

/// Close our end and drive until the transport is closed; the peer's close must be clean.
fn close_cleanly(d: &mut Driver) {
    d.conn.close(None);
    d.run_until_closed(|_, _| {});
    assert_eq!(d.conn.remote_state(), EndpointState::Closed);
    assert_eq!(d.conn.remote_condition(), None, "peer closed without error");
    assert_eq!(d.conn.error(), None, "no transport error");
}

fn index_of(props: &BTreeMap<String, Prop>) -> i64 {
    match props.get("index") {
        Some(Prop::Long(i)) => *i,
        other => panic!("message without an integer index property: {other:?}"),
    }
}

/// The outcome Python gives to message `i` of the each-outcome tests, as properties.
fn outcome_properties(i: usize) -> Vec<(&'static str, Prop)> {
    let outcome = OUTCOMES[i].0;
    let mut p = vec![
        ("index", Prop::Long(i as i64)),
        ("outcome", Prop::Str(outcome.into())),
    ];
    if outcome == "reject" {
        p.push(("condition", Prop::Str("test:bad-message".into())));
        p.push(("description", Prop::Str("rejected on purpose".into())));
    }
    p
}

/// An outcome by the name the peers use, with the state our engine must see.
type Outcome = (&'static str, fn() -> DeliveryState);

/// Each outcome.
const OUTCOMES: [Outcome; 6] = [
    ("accept", || DeliveryState::Accepted),
    ("reject", || DeliveryState::Rejected {
        error: Some(Box::new(ErrorCondition::new(
            "test:bad-message",
            "rejected on purpose",
        ))),
    }),
    ("release", || DeliveryState::Released),
    ("modify-failed", || modified(true, false)),
    ("modify-undeliverable", || modified(false, true)),
    ("modify-both", || modified(true, true)),
];

fn modified(failed: bool, undeliverable: bool) -> DeliveryState {
    DeliveryState::Modified {
        delivery_failed: failed,
        undeliverable_here: undeliverable,
        message_annotations: None,
    }
}

/// What the Python sender must report for outcome `i` of [`OUTCOMES`].
fn check_python_outcome(line: &Line, i: usize) {
    let (name, _) = OUTCOMES[i];
    let (state, failed, undeliverable, condition) = match name {
        "accept" => ("accepted", false, false, None),
        "reject" => ("rejected", false, false, Some("test:bad-message")),
        "release" => ("released", false, false, None),
        "modify-failed" => ("modified", true, false, None),
        "modify-undeliverable" => ("modified", false, true, None),
        "modify-both" => ("modified", true, true, None),
        _ => unreachable!(),
    };
    assert_eq!(
        line.str("state"),
        Some(state),
        "state of message {i}: {line:?}"
    );
    assert_eq!(line.bool("failed"), Some(failed), "{line:?}");
    assert_eq!(line.bool("undeliverable"), Some(undeliverable), "{line:?}");
    assert_eq!(line.str("condition"), condition, "{line:?}");
    if condition.is_some() {
        assert_eq!(line.str("description"), Some("rejected on purpose"));
    }
    assert_eq!(line.bool("settled"), Some(true), "{line:?}");
}

/// Settle an incoming delivery with the outcome for message `i` of [`OUTCOMES`].
fn give_outcome(c: &mut Connection, d: DeliveryId, i: usize) {
    c.update(d, (OUTCOMES[i].1)());
    c.settle(d);
}

/// Drive our sender until every delivery in `sent` is settled by the peer.
fn until_all_settled(d: &mut Driver, sent: &[DeliveryId]) {
    d.run_until(LIMIT, "the peer to settle every delivery", |c, _| {
        sent.iter()
            .all(|&id| c.delivery(id).is_some_and(|x| x.remote_settled))
            .then_some(())
    });
}

/// Drive until the peer printed `n` lines with `event`.
fn until_peer(d: &mut Driver, peer: &mut PythonPeer, event: &str, n: usize) -> Vec<Line> {
    let what = format!("{n} {event:?} lines from the peer");
    d.run_until(LIMIT, &what, |c, e| {
        if let Some(e) = e {
            answer_peer(c, e);
        }
        peer.has(event, n).then_some(())
    });
    peer.events(event)
}

// -------------------------------------------------------------------------------------
// Open and close, SASL

#[test]
fn client_open_close_without_sasl() {
    let (mut peer, port) = PythonPeer::server(&["--sasl", "off", "--stop-when-closed"]);
    let mut d = open_client(port, false);
    assert!(d.conn.remote_container_id().is_some());
    assert_eq!(d.conn.sasl_result(), None);
    close_cleanly(&mut d);
    peer.wait_exit(LIMIT);
    let closes = peer.events("connection_remote_close");
    assert_eq!(closes.len(), 1, "python saw our close");
    assert_eq!(closes[0].get("condition"), &Json::Null);
    assert_eq!(peer.events("transport_error"), vec![]);
    let opened = peer.events("connection_opened");
    assert_eq!(opened[0].str("remote_container"), Some("rust-client"));
}

#[test]
fn client_sasl_anonymous_to_python() {
    let (mut peer, port) = PythonPeer::server(&["--sasl", "on", "--stop-when-closed"]);
    let mut d = open_client(port, true);
    assert!(
        d.log
            .iter()
            .any(|e| matches!(e, Event::Authenticated(r) if matches!(**r, SaslResult::Ok { .. }))),
        "SASL succeeded: {:?}",
        d.log
    );
    assert!(matches!(d.conn.sasl_result(), Some(SaslResult::Ok { .. })));
    close_cleanly(&mut d);
    peer.wait_exit(LIMIT);
    assert_eq!(peer.events("connection_remote_close").len(), 1);
    assert_eq!(peer.events("transport_error"), vec![]);
}

/// A Python client (with or without SASL) opens and closes against our listener.
fn server_open_close(sasl: bool) {
    let (listener, port) = listener();
    let args: &[&str] = if sasl { &[] } else { &["--no-sasl"] };
    let mut peer = PythonPeer::client(port, args);
    let mut d = Driver::accept(&listener, server_config());
    d.run_until_closed(answer_peer);
    assert_eq!(d.conn.remote_condition(), None);
    assert_eq!(d.conn.error(), None, "no transport error");
    assert!(d.saw(&Event::ConnectionRemoteOpen));
    assert!(d.saw(&Event::ConnectionRemoteClose));
    assert_eq!(
        d.conn.sasl_result().is_some(),
        sasl,
        "SASL ran iff the client asked"
    );
    if sasl {
        assert!(matches!(d.conn.sasl_result(), Some(SaslResult::Ok { .. })));
    }
    let status = peer.wait_exit(LIMIT);
    assert!(status.success(), "python client exit: {status}");
    let opened = peer.events("connection_opened");
    assert_eq!(opened.len(), 1);
    assert_eq!(opened[0].str("remote_container"), Some("rust-server"));
    assert_eq!(peer.events("connection_closed").len(), 1);
    assert_eq!(peer.events("transport_error"), vec![]);
}

#[test]
fn server_open_close_python_client_with_sasl() {
    server_open_close(true);
}

#[test]
fn server_open_close_python_client_without_sasl() {
    server_open_close(false);
}

// -------------------------------------------------------------------------------------
// Our sender, Python's receiver

/// Attach a sender to `queue` with `mode`.
fn attach_sender(d: &mut Driver, name: &str, mode: SndSettleMode) -> LinkId {
    let s = d.conn.begin_session();
    d.conn
        .attach(s, link_settings(name, Role::Sender, "queue", mode))
        .expect("attach sender")
}

#[test]
fn client_sender_unsettled_python_gives_each_outcome() {
    let (mut peer, port) = PythonPeer::server(&["--outcome", "accept"]);
    let mut d = open_client(port, true);
    let link = attach_sender(&mut d, "unsettled", SndSettleMode::Unsettled);
    let mut sent = Vec::new();
    for i in 0..OUTCOMES.len() {
        let body = format!("message-{i}");
        let payload = encode_message(Body::Text(&body), &outcome_properties(i));
        sent.push(
            d.conn
                .send(link, vec![b't', i as u8], payload, false)
                .unwrap(),
        );
    }
    until_all_settled(&mut d, &sent);
    for (i, &id) in sent.iter().enumerate() {
        let delivery = d.conn.delivery(id).unwrap();
        assert_eq!(
            delivery.remote_state,
            Some((OUTCOMES[i].1)()),
            "remote state of message {i} ({})",
            OUTCOMES[i].0
        );
    }
    let messages = until_peer(&mut d, &mut peer, "message", OUTCOMES.len());
    assert_eq!(messages.len(), OUTCOMES.len());
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.str("body"), Some(format!("message-{i}").as_str()));
        assert_eq!(m.int("prop_index"), Some(i as i64));
        assert_eq!(m.bool("settled"), Some(false));
    }
    let link_line = &peer.events("link_opened")[0];
    assert_eq!(link_line.int("remote_snd_settle_mode"), Some(0));
    assert_eq!(link_line.str("remote_target"), Some("queue"));
    close_cleanly(&mut d);
}

#[test]
fn client_sender_presettled() {
    let (mut peer, port) = PythonPeer::server(&[]);
    let mut d = open_client(port, true);
    let link = attach_sender(&mut d, "presettled", SndSettleMode::Settled);
    for i in 0..3 {
        let body = format!("message-{i}");
        let payload = encode_message(Body::Text(&body), &[("index", Prop::Long(i))]);
        d.conn.send(link, vec![i as u8], payload, true).unwrap();
    }
    let messages = until_peer(&mut d, &mut peer, "message", 3);
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.str("body"), Some(format!("message-{i}").as_str()));
        assert_eq!(m.bool("settled"), Some(true), "arrived pre-settled: {m:?}");
    }
    assert_eq!(
        peer.events("link_opened")[0].int("remote_snd_settle_mode"),
        Some(1)
    );
    close_cleanly(&mut d);
}

#[test]
fn client_sender_mixed() {
    let (mut peer, port) = PythonPeer::server(&["--outcome", "accept"]);
    let mut d = open_client(port, true);
    let link = attach_sender(&mut d, "mixed", SndSettleMode::Mixed);
    let mut unsettled = Vec::new();
    for i in 0..4 {
        let presettled = i % 2 == 0;
        let body = format!("message-{i}");
        let payload = encode_message(Body::Text(&body), &[("index", Prop::Long(i))]);
        let id = d
            .conn
            .send(link, vec![i as u8], payload, presettled)
            .unwrap();
        if !presettled {
            unsettled.push(id);
        }
    }
    until_all_settled(&mut d, &unsettled);
    for &id in &unsettled {
        assert_eq!(
            d.conn.delivery(id).unwrap().remote_state,
            Some(DeliveryState::Accepted)
        );
    }
    let messages = until_peer(&mut d, &mut peer, "message", 4);
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.str("body"), Some(format!("message-{i}").as_str()));
        assert_eq!(m.bool("settled"), Some(i % 2 == 0), "{m:?}");
    }
    assert_eq!(
        peer.events("link_opened")[0].int("remote_snd_settle_mode"),
        Some(2)
    );
    close_cleanly(&mut d);
}

#[test]
fn client_sends_10mb_message() {
    let (mut peer, port) = PythonPeer::server(&["--outcome", "accept"]);
    let mut d = open_client(port, true);
    let link = attach_sender(&mut d, "large", SndSettleMode::Unsettled);
    let body = pattern(TEN_MB);
    let payload = encode_message(Body::Binary(&body), &[("index", Prop::Long(0))]);
    let id = d.conn.send(link, b"big".to_vec(), payload, false).unwrap();
    until_all_settled(&mut d, &[id]);
    assert_eq!(
        d.conn.delivery(id).unwrap().remote_state,
        Some(DeliveryState::Accepted)
    );
    let m = &until_peer(&mut d, &mut peer, "message", 1)[0];
    assert_eq!(m.int("body_len"), Some(TEN_MB as i64));
    assert_eq!(m.int("body_crc32"), Some(crc32(&body) as i64));
    close_cleanly(&mut d);
}

// -------------------------------------------------------------------------------------
// Python's sender, our receiver

/// Attach a receiver from `queue` and give it credit.
fn attach_receiver(d: &mut Driver, name: &str, mode: SndSettleMode, credit: u32) -> LinkId {
    let s = d.conn.begin_session();
    let link = d
        .conn
        .attach(s, link_settings(name, Role::Receiver, "queue", mode))
        .expect("attach receiver");
    d.conn.add_credit(link, credit);
    link
}

/// Collect complete incoming deliveries: (index, delivery, message, remotely settled).
type Incoming = Vec<(i64, DeliveryId, Received, bool)>;

fn take_complete(c: &mut Connection, e: &Event, got: &mut Incoming) -> Option<usize> {
    let Event::Delivery(id) = e else { return None };
    let dl = c.delivery(*id)?;
    // Later events for the same delivery (the sender settling it) are not new messages.
    if dl.outgoing || !dl.complete || got.iter().any(|g| g.1 == *id) {
        return None;
    }
    let settled = dl.remote_settled;
    let payload = c.take_payload(*id).expect("payload");
    let message = decode_message(&payload);
    let index = index_of(&message.properties);
    got.push((index, *id, message, settled));
    Some(got.len() - 1)
}

#[test]
fn client_receiver_gives_each_outcome() {
    let n = OUTCOMES.len().to_string();
    let (mut peer, port) = PythonPeer::server(&["--send", &n]);
    let mut d = open_client(port, true);
    attach_receiver(&mut d, "outcomes", SndSettleMode::Unsettled, 10);
    let mut got = Incoming::new();
    d.run_until(LIMIT, "python to report every outcome", |c, e| {
        if let Some(e) = e {
            if let Some(k) = take_complete(c, e, &mut got) {
                let (index, id, _, settled) = &got[k];
                assert!(!settled, "python sent unsettled");
                give_outcome(c, *id, *index as usize);
            }
        }
        peer.has("outcome", OUTCOMES.len()).then_some(())
    });
    for (i, (index, _, m, _)) in got.iter().enumerate() {
        assert_eq!(*index, i as i64);
        assert_eq!(m.text.as_deref(), Some(format!("message-{i}").as_str()));
    }
    let mut outcomes = peer.events("outcome");
    outcomes.sort_by_key(|l| l.int("index"));
    for (i, line) in outcomes.iter().enumerate() {
        assert_eq!(line.int("index"), Some(i as i64));
        check_python_outcome(line, i);
    }
    close_cleanly(&mut d);
}

#[test]
fn client_receiver_presettled() {
    let (mut peer, port) = PythonPeer::server(&["--send", "3"]);
    let mut d = open_client(port, true);
    attach_receiver(&mut d, "presettled", SndSettleMode::Settled, 10);
    let mut got = Incoming::new();
    d.run_until(LIMIT, "3 messages", |c, e| {
        if let Some(e) = e {
            if let Some(k) = take_complete(c, e, &mut got) {
                c.settle(got[k].1);
            }
        }
        (got.len() == 3).then_some(())
    });
    for (i, (index, _, m, settled)) in got.iter().enumerate() {
        assert_eq!(*index, i as i64);
        assert_eq!(m.text.as_deref(), Some(format!("message-{i}").as_str()));
        assert!(settled, "message {i} arrived pre-settled");
    }
    let sent = until_peer(&mut d, &mut peer, "sent", 3);
    assert!(
        sent.iter().all(|l| l.bool("presettled") == Some(true)),
        "{sent:?}"
    );
    close_cleanly(&mut d);
}

#[test]
fn client_receives_10mb_message() {
    let size = TEN_MB.to_string();
    let (mut peer, port) = PythonPeer::server(&["--send", "1", "--body-size", &size]);
    let mut d = open_client(port, true);
    attach_receiver(&mut d, "large", SndSettleMode::Unsettled, 1);
    let mut got = Incoming::new();
    d.run_until(LIMIT, "the 10 MB message and its outcome", |c, e| {
        if let Some(e) = e {
            if let Some(k) = take_complete(c, e, &mut got) {
                give_outcome(c, got[k].1, 0);
            }
        }
        peer.has("outcome", 1).then_some(())
    });
    let body = got[0].2.binary.as_deref().expect("binary body");
    assert_eq!(body.len(), TEN_MB);
    assert_eq!(crc32(body), crc32(&pattern(TEN_MB)));
    assert!(body == pattern(TEN_MB).as_slice(), "body intact");
    check_python_outcome(&peer.events("outcome")[0], 0);
    close_cleanly(&mut d);
}

// -------------------------------------------------------------------------------------
// Our listener, Python's client

/// Open what Python opens and give its sending links credit.
fn answer_and_credit(c: &mut Connection, e: &Event) {
    answer_peer(c, e);
    if let Event::LinkRemoteAttach(l) = e {
        if !c.link(*l).unwrap().is_sender() {
            c.add_credit(*l, 10);
        }
    }
}

#[test]
fn server_receiver_gives_each_outcome() {
    let (listener, port) = listener();
    let n = OUTCOMES.len().to_string();
    let mut peer = PythonPeer::client(port, &["--send", &n]);
    let mut d = Driver::accept(&listener, server_config());
    let mut got = Incoming::new();
    d.run_until_closed(|c, e| {
        answer_and_credit(c, e);
        if let Some(k) = take_complete(c, e, &mut got) {
            assert!(!got[k].3, "python sent unsettled");
            give_outcome(c, got[k].1, got[k].0 as usize);
        }
    });
    assert_eq!(d.conn.remote_condition(), None);
    assert_eq!(d.conn.error(), None);
    assert_eq!(got.len(), OUTCOMES.len());
    peer.wait_exit(LIMIT);
    let mut outcomes = peer.events("outcome");
    outcomes.sort_by_key(|l| l.int("index"));
    assert_eq!(outcomes.len(), OUTCOMES.len());
    for (i, line) in outcomes.iter().enumerate() {
        check_python_outcome(line, i);
    }
}

#[test]
fn server_receiver_presettled() {
    let (listener, port) = listener();
    let mut peer = PythonPeer::client(port, &["--send", "3", "--presettle"]);
    let mut d = Driver::accept(&listener, server_config());
    let mut got = Incoming::new();
    let mut remote_mode = None;
    d.run_until_closed(|c, e| {
        answer_and_credit(c, e);
        if let Event::LinkRemoteAttach(l) = e {
            remote_mode = c
                .link(*l)
                .unwrap()
                .remote
                .as_ref()
                .map(|r| r.snd_settle_mode);
        }
        if let Some(k) = take_complete(c, e, &mut got) {
            c.settle(got[k].1);
        }
    });
    assert_eq!(remote_mode, Some(SndSettleMode::Settled), "python's attach");
    assert_eq!(d.conn.error(), None);
    assert_eq!(got.len(), 3);
    for (i, (index, _, m, settled)) in got.iter().enumerate() {
        assert_eq!(*index, i as i64);
        assert_eq!(m.text.as_deref(), Some(format!("message-{i}").as_str()));
        assert!(settled);
    }
    assert!(peer.wait_exit(LIMIT).success());
}

#[test]
fn server_sender_python_gives_each_outcome() {
    let (listener, port) = listener();
    let n = OUTCOMES.len().to_string();
    let mut peer = PythonPeer::client(port, &["--receive", &n]);
    let mut d = Driver::accept(&listener, server_config());
    let mut sent = Vec::new();
    d.run_until_closed(|c, e| {
        answer_peer(c, e);
        if let Event::LinkRemoteAttach(l) = e {
            assert!(
                c.link(*l).unwrap().is_sender(),
                "python attached a receiver"
            );
            for i in 0..OUTCOMES.len() {
                let body = format!("message-{i}");
                let payload = encode_message(Body::Text(&body), &outcome_properties(i));
                sent.push(c.send(*l, vec![i as u8], payload, false).unwrap());
            }
        }
    });
    assert_eq!(d.conn.error(), None);
    assert_eq!(sent.len(), OUTCOMES.len());
    for (i, &id) in sent.iter().enumerate() {
        let delivery = d
            .conn
            .delivery(id)
            .expect("delivery kept until we settle it");
        assert!(delivery.remote_settled, "message {i} settled by python");
        assert_eq!(
            delivery.remote_state,
            Some((OUTCOMES[i].1)()),
            "message {i}"
        );
    }
    assert!(peer.wait_exit(LIMIT).success());
    let messages = peer.events("message");
    assert_eq!(messages.len(), OUTCOMES.len());
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.str("body"), Some(format!("message-{i}").as_str()));
        assert_eq!(m.str("outcome"), Some(OUTCOMES[i].0));
    }
}

// -------------------------------------------------------------------------------------
// Heartbeats and idle timeouts

#[test]
fn client_heartbeats_keep_python_alive() {
    // Python times us out after 1 s of silence unless our empty frames reach it.
    let (mut peer, port) = PythonPeer::server(&["--idle-timeout", "1", "--outcome", "accept"]);
    let mut d = open_client(port, true);
    let advertised = d
        .conn
        .remote_idle_timeout()
        .expect("python advertised a timeout");
    assert!(advertised <= Duration::from_millis(1000), "{advertised:?}");
    d.run_for(Duration::from_secs(3), |_, _| {});
    assert_eq!(d.conn.remote_state(), EndpointState::Active, "still open");
    assert_eq!(d.conn.error(), None);
    assert_eq!(peer.events("connection_remote_close"), vec![]);
    assert_eq!(peer.events("transport_error"), vec![]);
    // And the connection still works.
    let link = attach_sender(&mut d, "after-idle", SndSettleMode::Unsettled);
    let payload = encode_message(Body::Text("still here"), &[("index", Prop::Long(0))]);
    let id = d.conn.send(link, vec![0], payload, false).unwrap();
    until_all_settled(&mut d, &[id]);
    assert_eq!(
        d.conn.delivery(id).unwrap().remote_state,
        Some(DeliveryState::Accepted)
    );
    close_cleanly(&mut d);
}

#[test]
fn control_python_times_out_a_client_that_sends_no_heartbeats() {
    // The same as above with our timers off: Python must close us, or the test above
    // proves nothing.
    let (_peer, port) = PythonPeer::server(&["--idle-timeout", "1"]);
    let mut d = Driver::connect(port, client_config(true));
    d.timers = false;
    d.conn.open();
    let start = Instant::now();
    d.run_until_event(&Event::ConnectionRemoteClose, |_, _| {});
    assert!(
        start.elapsed() < Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    let cond = d.conn.remote_condition().expect("python says why");
    assert_eq!(cond.condition, "amqp:resource-limit-exceeded", "{cond:?}");
}

#[test]
fn server_heartbeats_keep_python_client_alive() {
    // The Python client advertises 1 s and stays connected for 3 s before closing.
    let (listener, port) = listener();
    let mut peer = PythonPeer::client(port, &["--idle-timeout", "1", "--linger", "3"]);
    let mut d = Driver::accept(&listener, server_config());
    let start = Instant::now();
    d.run_until_closed(answer_peer);
    assert!(start.elapsed() >= Duration::from_millis(2500), "lingered");
    assert_eq!(
        d.conn.remote_condition(),
        None,
        "python closed without error"
    );
    assert_eq!(d.conn.error(), None);
    assert!(d.conn.remote_idle_timeout().is_some());
    assert!(peer.wait_exit(LIMIT).success());
    assert_eq!(peer.events("transport_error"), vec![]);
}

/// Our client with a 1 s idle timeout, open against a Python listener; returns the idle
/// timeout Python says we advertised, in ms.
fn open_with_idle_timeout(port: u16, peer: &mut PythonPeer) -> (Driver, i64) {
    let config = Config {
        idle_timeout: Some(Duration::from_secs(1)),
        ..client_config(true)
    };
    let mut d = Driver::connect(port, config);
    d.conn.open();
    d.run_until_event(&Event::ConnectionRemoteOpen, |_, _| {});
    let opened = until_peer(&mut d, peer, "connection_opened", 1);
    let advertised = opened[0].int("remote_idle_timeout_ms").unwrap();
    assert!(
        (1..=1000).contains(&advertised),
        "advertised {advertised} ms"
    );
    (d, advertised)
}

#[test]
fn client_idle_timeout_satisfied_by_python_heartbeats() {
    let (mut peer, port) = PythonPeer::server(&[]);
    let (mut d, _) = open_with_idle_timeout(port, &mut peer);
    d.run_for(Duration::from_secs(3), |_, _| {});
    assert_eq!(
        d.conn.error(),
        None,
        "python's heartbeats must keep our 1 s idle timeout from firing"
    );
    close_cleanly(&mut d);
}

#[test]
fn client_idle_timeout_closes_frozen_python() {
    let (mut peer, port) = PythonPeer::server(&[]);
    let (mut d, advertised) = open_with_idle_timeout(port, &mut peer);
    // Silence: freeze Python; we must close with resource-limit-exceeded.
    peer.freeze();
    let error = d.run_until(LIMIT, "our idle timeout", |_, e| match e {
        Some(Event::TransportError(cond)) => Some((**cond).clone()),
        _ => None,
    });
    let silent = d.last_read.expect("python sent something").elapsed();
    assert_eq!(error.condition, "amqp:resource-limit-exceeded", "{error:?}");
    assert!(
        silent >= Duration::from_millis(950) && silent < Duration::from_millis(3000),
        "closed after {silent:?} of silence, configured 1 s"
    );
    d.run_until_closed(|_, _| {});
    peer.thaw();
    // Python reads our close frame with the condition.
    let closes = peer.wait_for("connection_remote_close", 1, LIMIT);
    assert_eq!(
        closes[0].str("condition"),
        Some("amqp:resource-limit-exceeded")
    );
    // A proton-c peer sends its empty frames only about every `advertised` ms (its tick
    // waits half the value twice), so the silence we tolerate must be about twice what we
    // advertise: proton-c advertises half its own timeout, as spec 2.4.5 recommends.
    assert!(
        silent + Duration::from_millis(100) >= Duration::from_millis(2 * advertised as u64),
        "we advertised idle-time-out={advertised} ms but closed after {silent:?} of \
         silence: proton-c peers heartbeat about every {advertised} ms, so this races"
    );
}

// -------------------------------------------------------------------------------------
// A peer closing with an error

#[test]
fn python_server_closes_with_error() {
    let (_peer, port) = PythonPeer::server(&[
        "--close-after",
        "1",
        "--close-condition",
        "test:peer-error",
        "--close-description",
        "closing on purpose",
    ]);
    let mut d = open_client(port, true);
    let link = attach_sender(&mut d, "doomed", SndSettleMode::Unsettled);
    let payload = encode_message(Body::Text("last words"), &[("index", Prop::Long(0))]);
    d.conn.send(link, vec![0], payload, false).unwrap();
    d.run_until_event(&Event::ConnectionRemoteClose, |_, _| {});
    assert_eq!(
        d.conn.remote_condition(),
        Some(&ErrorCondition::new(
            "test:peer-error",
            "closing on purpose"
        ))
    );
    // We answer with our close and the transport ends.
    d.conn.close(None);
    d.run_until_closed(|_, _| {});
    assert_eq!(
        d.conn.error(),
        None,
        "a remote close is not a transport error"
    );
}

#[test]
fn python_client_closes_with_error() {
    let (listener, port) = listener();
    let mut peer = PythonPeer::client(
        port,
        &[
            "--close-on-open",
            "--close-condition",
            "amqp:internal-error",
            "--close-description",
            "client gives up",
        ],
    );
    let mut d = Driver::accept(&listener, server_config());
    d.run_until_event(&Event::ConnectionRemoteClose, answer_peer);
    assert_eq!(
        d.conn.remote_condition(),
        Some(&ErrorCondition::new(
            "amqp:internal-error",
            "client gives up"
        ))
    );
    d.conn.close(None);
    d.run_until_closed(|_, _| {});
    assert!(peer.wait_exit(LIMIT).success());
}

// -------------------------------------------------------------------------------------
// Credit over many messages, receiver-settle-mode second, 10 MB from our listener

#[test]
fn client_sender_many_messages_on_python_credit() {
    // Python grants 10 at a time: our sender must follow its flow frames.
    let (mut peer, port) = PythonPeer::server(&["--outcome", "accept"]);
    let mut d = open_client(port, true);
    let link = attach_sender(&mut d, "many", SndSettleMode::Unsettled);
    let sent: Vec<DeliveryId> = (0..300)
        .map(|i| {
            let body = format!("message-{i}");
            let payload = encode_message(Body::Text(&body), &[("index", Prop::Long(i))]);
            d.conn
                .send(link, (i as u32).to_be_bytes().to_vec(), payload, false)
        })
        .map(Option::unwrap)
        .collect();
    until_all_settled(&mut d, &sent);
    assert!(sent
        .iter()
        .all(|&id| { d.conn.delivery(id).unwrap().remote_state == Some(DeliveryState::Accepted) }));
    let messages = until_peer(&mut d, &mut peer, "message", 300);
    assert_eq!(messages.len(), 300);
    for (i, m) in messages.iter().enumerate() {
        assert_eq!(m.int("prop_index"), Some(i as i64), "in order");
    }
    close_cleanly(&mut d);
}

#[test]
fn client_receiver_many_messages_on_our_credit() {
    // We grant 5 at a time, and more only when all is used.
    let (mut peer, port) = PythonPeer::server(&["--send", "300"]);
    let mut d = open_client(port, true);
    let link = attach_receiver(&mut d, "many", SndSettleMode::Unsettled, 5);
    let mut got = Incoming::new();
    d.run_until(LIMIT, "300 outcomes at python", |c, e| {
        if let Some(e) = e {
            if let Some(k) = take_complete(c, e, &mut got) {
                give_outcome(c, got[k].1, 0);
                let credit = c.link(link).unwrap().credit;
                assert!(credit <= 5, "credit {credit} never above what we gave");
                if credit == 0 {
                    c.add_credit(link, 5);
                }
            }
        }
        peer.has("outcome", 300).then_some(())
    });
    let indexes: Vec<i64> = got.iter().map(|g| g.0).collect();
    assert_eq!(indexes, (0..300).collect::<Vec<_>>());
    close_cleanly(&mut d);
}

#[test]
fn client_receiver_rcv_settle_second() {
    // We state the outcome unsettled; Python settles; then we settle.
    let (mut peer, port) = PythonPeer::server(&["--send", "2"]);
    let mut d = open_client(port, true);
    let s = d.conn.begin_session();
    let mut settings = link_settings("second", Role::Receiver, "queue", SndSettleMode::Unsettled);
    settings.rcv_settle_mode = RcvSettleMode::Second;
    let link = d.conn.attach(s, settings).expect("attach");
    d.conn.add_credit(link, 10);
    let mut got = Incoming::new();
    d.run_until(LIMIT, "python to settle both", |c, e| {
        if let Some(e) = e {
            if let Some(k) = take_complete(c, e, &mut got) {
                c.update(got[k].1, DeliveryState::Accepted);
            }
        }
        (got.len() == 2
            && got
                .iter()
                .all(|g| c.delivery(g.1).is_some_and(|x| x.remote_settled)))
        .then_some(())
    });
    for g in &got {
        d.conn.settle(g.1);
    }
    let outcomes = until_peer(&mut d, &mut peer, "outcome", 2);
    for line in &outcomes {
        assert_eq!(line.str("state"), Some("accepted"), "{line:?}");
    }
    close_cleanly(&mut d);
}

#[test]
fn server_sends_10mb_message() {
    let (listener, port) = listener();
    let mut peer = PythonPeer::client(port, &["--receive", "1"]);
    let mut d = Driver::accept(&listener, server_config());
    let body = pattern(TEN_MB);
    let mut sent = None;
    d.run_until_closed(|c, e| {
        answer_peer(c, e);
        if let Event::LinkRemoteAttach(l) = e {
            let payload = encode_message(Body::Binary(&body), &[("index", Prop::Long(0))]);
            sent = c.send(*l, b"big".to_vec(), payload, false);
        }
    });
    assert_eq!(d.conn.error(), None);
    let id = sent.expect("sent");
    assert_eq!(
        d.conn.delivery(id).unwrap().remote_state,
        Some(DeliveryState::Accepted)
    );
    assert!(peer.wait_exit(LIMIT).success());
    let m = &peer.events("message")[0];
    assert_eq!(m.int("body_len"), Some(TEN_MB as i64));
    assert_eq!(m.int("body_crc32"), Some(crc32(&body) as i64));
}
