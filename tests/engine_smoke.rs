//! Smoke test: two engines in memory exchange a message end to end.

use qpid_proton::engine::performative::{
    DeliveryState, RcvSettleMode, Role, SndSettleMode, Terminus, TerminusField,
};
use qpid_proton::engine::{Config, Connection, Event, LinkSettings, Side};
use std::time::Instant;

fn pump(a: &mut Connection, b: &mut Connection, now: Instant) {
    for _ in 0..20 {
        let out = a.poll_output().to_vec();
        a.consume_output(out.len(), now);
        b.handle_input(&out, now);
        let out = b.poll_output().to_vec();
        b.consume_output(out.len(), now);
        a.handle_input(&out, now);
    }
}

fn terminus(addr: &str) -> Option<TerminusField> {
    Some(TerminusField::Terminus(Terminus {
        address: Some(addr.into()),
        ..Default::default()
    }))
}

#[test]
fn a_message_goes_from_client_to_server_and_is_accepted() {
    let now = Instant::now();
    let mut client = Connection::new(Config {
        trace: true,
        ..Config::new(Side::Client, "client")
    });
    let mut server = Connection::new(Config::new(Side::Server, "server"));
    client.open();
    let s = client.begin_session();
    let link = client
        .attach(
            s,
            LinkSettings {
                name: "sender-1".into(),
                role: Role::Sender,
                source: terminus("q"),
                target: terminus("q"),
                snd_settle_mode: SndSettleMode::Mixed,
                rcv_settle_mode: RcvSettleMode::First,
                max_message_size: None,
            },
        )
        .unwrap();
    let d = client
        .send(link, b"tag".to_vec(), b"hello".to_vec(), false)
        .unwrap();
    pump(&mut client, &mut server, now);
    // Server: open, begin, attach back, grant credit.
    let mut server_link = None;
    while let Some(e) = server.poll_event() {
        match e {
            Event::ConnectionRemoteOpen => server.open(),
            Event::SessionRemoteBegin(sid) => {
                let _ = sid;
            }
            Event::LinkRemoteAttach(l) => server_link = Some(l),
            _ => {}
        }
    }
    let sl = server_link.expect("attach arrived");
    // Answer the begin and attach.
    let sid = server.link(sl).unwrap().session;
    server.open_session(sid);
    server.open_link(sl);
    server.add_credit(sl, 10);
    pump(&mut client, &mut server, now);
    let mut got = None;
    while let Some(e) = server.poll_event() {
        if let Event::Delivery(id) = e {
            got = Some(id);
        }
    }
    let id = got.expect("delivery arrived");
    assert_eq!(server.delivery(id).unwrap().payload, b"hello");
    assert!(server.delivery(id).unwrap().complete);
    server.update(id, DeliveryState::Accepted);
    server.settle(id);
    pump(&mut client, &mut server, now);
    assert_eq!(
        client.delivery(d).unwrap().remote_state,
        Some(DeliveryState::Accepted)
    );
    assert!(client.delivery(d).unwrap().remote_settled);
    while let Some(line) = client.poll_trace() {
        eprintln!("{line}");
    }
}
