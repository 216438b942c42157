//! Smoke test: two messengers exchange messages over 127.0.0.1.

use qpid_proton::codec::Scalar;
use qpid_proton::message::{c_string, Message};
use qpid_proton::messenger::store::Status;
use qpid_proton::messenger::Messenger;

#[test]
fn send_and_receive_with_tracking() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut receiver = Messenger::new(Some("server")).unwrap();
    receiver.set_timeout(5000);
    receiver.set_incoming_window(10);
    receiver
        .subscribe(&format!("amqp://~127.0.0.1:{port}"), 0)
        .unwrap();
    let handle = std::thread::spawn(move || {
        let mut sender = Messenger::new(Some("client")).unwrap();
        sender.set_timeout(5000);
        sender.set_outgoing_window(10);
        let mut trackers = Vec::new();
        for i in 0..5 {
            let mut m = Message::new();
            m.address = Some(c_string(
                format!("amqp://127.0.0.1:{port}/queue1").as_bytes(),
            ));
            m.body()
                .put(Scalar::String(format!("hello {i}").as_bytes()))
                .unwrap();
            sender.put(&mut m).unwrap();
            trackers.push(sender.outgoing_tracker());
        }
        assert_eq!(sender.send(-1), 0);
        let statuses: Vec<Status> = trackers.iter().map(|&t| sender.status(t)).collect();
        sender.stop();
        statuses
    });
    let mut got = Vec::new();
    while got.len() < 5 {
        assert_eq!(receiver.recv(10), 0);
        let mut m = Message::new();
        while receiver.get(Some(&mut m)).is_ok() {
            let body = match m.body().first_scalar() {
                Some(Scalar::String(s)) => String::from_utf8_lossy(s).into_owned(),
                other => panic!("unexpected body {other:?}"),
            };
            got.push(body);
            let t = receiver.incoming_tracker();
            receiver
                .disposition(
                    t,
                    0,
                    &qpid_proton::engine::performative::DeliveryState::Accepted,
                )
                .unwrap();
            receiver.settle(t, 0);
        }
    }
    // Keep serving until the sender has its outcomes.
    while !handle.is_finished() {
        receiver.work(50);
    }
    let statuses = handle.join().unwrap();
    assert_eq!(
        got,
        (0..5).map(|i| format!("hello {i}")).collect::<Vec<_>>()
    );
    assert!(
        statuses.iter().all(|s| *s == Status::Accepted),
        "{statuses:?}"
    );
}
