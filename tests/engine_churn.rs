//! Link and session churn on one connection: what the application released is freed once
//! closed at both ends and without deliveries, so memory does not grow with churn.

mod engine_util;

use engine_util::{answer, deliveries, Pair};
use qpid_proton::engine::performative::{DeliveryState, Role};
use qpid_proton::engine::Event;

/// Detach `cl` at the client, let the server answer and release its end; returns the
/// server's end of the link.
fn detach_both(p: &mut Pair, cl: qpid_proton::engine::LinkId) {
    p.client.detach(cl, true, None);
    p.pump();
    for e in answer(&mut p.server) {
        if let Event::LinkRemoteDetach(l) = e {
            p.server.detach(l, true, None);
            p.server.release_link(l);
        }
    }
    p.pump();
    answer(&mut p.client);
}

#[test]
fn released_links_are_freed_once_closed_and_settled() {
    let mut p = Pair::new();
    p.connect();
    let (cs, _) = p.session();
    for round in 0..1000u32 {
        let (cl, sl) = p.link(cs, &format!("churn-{round}"), Role::Sender);
        p.server.add_credit(sl, 2);
        p.pump();
        // One pre-settled delivery and one the receiver accepts.
        let pre = p
            .client
            .send(cl, vec![1], vec![0; 16], true)
            .expect("sender");
        p.client.settle(pre);
        let unsettled = p
            .client
            .send(cl, vec![2], vec![0; 16], false)
            .expect("sender");
        p.pump();
        for d in deliveries(&p.server_events()) {
            if p.server.delivery(d).is_some_and(|x| x.complete) {
                p.server.take_payload(d);
                p.server.update(d, DeliveryState::Accepted);
                p.server.settle(d);
            }
        }
        p.pump();
        answer(&mut p.client);
        detach_both(&mut p, cl);
        // Closed at both ends, but released only at the server: the client's link stays
        // until the application is done with it and its last delivery.
        assert!(
            p.server.link(sl).is_none(),
            "round {round}: server link kept"
        );
        assert!(
            p.client.link(cl).is_some(),
            "round {round}: client link freed early"
        );
        p.client.release_link(cl);
        assert!(p.client.link(cl).is_some(), "a delivery still refers to it");
        assert!(p.client.delivery(unsettled).is_some());
        p.client.settle(unsettled);
        assert!(p.client.delivery(unsettled).is_none());
        assert!(
            p.client.link(cl).is_none(),
            "round {round}: client link kept"
        );
    }
    assert_eq!(p.client.links().count(), 0);
    assert_eq!(p.server.links().count(), 0);
    // The session still works, with handle 0 reused.
    let (cl, _) = p.link(cs, "after", Role::Sender);
    assert_eq!(p.client.link(cl).and_then(|l| l.local_handle), Some(0));
}

#[test]
fn released_sessions_are_freed_once_ended_at_both_ends() {
    let mut p = Pair::new();
    p.connect();
    for round in 0..1000u32 {
        let (cs, ss) = p.session();
        let (cl, sl) = p.link(cs, "in-session", Role::Receiver);
        // An open link keeps a released session: released links and sessions go together.
        p.client.detach(cl, true, None);
        p.client.release_link(cl);
        p.client.end_session(cs, None);
        p.client.release_session(cs);
        p.pump();
        for e in answer(&mut p.server) {
            match e {
                Event::LinkRemoteDetach(l) => {
                    p.server.detach(l, true, None);
                    p.server.release_link(l);
                }
                Event::SessionRemoteEnd(s) => {
                    p.server.end_session(s, None);
                    p.server.release_session(s);
                }
                _ => {}
            }
        }
        p.pump();
        answer(&mut p.client);
        assert!(
            p.client.session(cs).is_none(),
            "round {round}: client session kept"
        );
        assert!(
            p.server.session(ss).is_none(),
            "round {round}: server session kept"
        );
        assert!(p.server.link(sl).is_none());
    }
    assert_eq!(p.client.sessions().count(), 0);
    assert_eq!(p.server.sessions().count(), 0);
    assert_eq!(p.client.links().count(), 0);
    // Channel 0 is free again.
    let (cs, _) = p.session();
    assert_eq!(p.client.session(cs).and_then(|s| s.local_channel), Some(0));
}

#[test]
fn links_not_released_stay_after_closing() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    detach_both(&mut p, cl);
    // Without release_link the client keeps the link (its state stays readable).
    let link = p.client.link(cl).expect("kept");
    assert!(link.detach_sent);
    assert!(p.server.link(sl).is_none());
}
