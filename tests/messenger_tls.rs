//! amqps and SASL through the Messenger, over 127.0.0.1, for what the C differential test
//! (c-tests/diff/messenger_tls.c) cannot compare with 0.37: our error texts (0.37 sets
//! none), SASL EXTERNAL at a listener, a TLS client meeting a server that does not speak
//! TLS, refused SASL, and credentials kept out of `to` and of error texts.
//!
//! Two messengers in one thread, pumped with `work(0)` (a 10 s guard per wait); scripted
//! peers are plain sockets in a thread. Certificates: tests/tls_certs.

mod engine_util;
mod tls_certs;

use qpid_proton::codec::Scalar;
use qpid_proton::engine::performative::{DeliveryState, SaslFrame};
use qpid_proton::engine::sasl::SaslResult;
use qpid_proton::error::code;
use qpid_proton::message::{c_string, Message};
use qpid_proton::messenger::store::Status;
use qpid_proton::messenger::Messenger;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::time::{Duration, Instant};
use tls_certs::path;

/// TLS settings of one messenger: file names in the certificate directory.
#[derive(Clone, Copy, Default)]
struct Tls {
    certificate: Option<&'static str>,
    key: Option<&'static str>,
    password: Option<&'static str>,
    trusted: Option<&'static str>,
    /// `pn_ssl_verify_mode_t`, when not the default.
    mode: Option<i32>,
}

const NONE: Tls = Tls {
    certificate: None,
    key: None,
    password: None,
    trusted: None,
    mode: None,
};
const SERVER: Tls = Tls {
    certificate: Some("server.pem"),
    key: Some("server.key"),
    ..NONE
};
const TRUST: Tls = Tls {
    trusted: Some("ca.pem"),
    ..NONE
};

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn messenger(name: &str, tls: Tls) -> Messenger {
    let mut m = Messenger::new(Some(name)).unwrap();
    m.set_blocking(false);
    m.certificate = tls.certificate.map(path);
    m.private_key = tls.key.map(path);
    m.password = tls.password.map(|p| {
        if p == "RIGHT" {
            tls_certs::password()
        } else {
            p.to_owned()
        }
    });
    m.trusted_certificates = tls.trusted.map(path);
    if let Some(mode) = tls.mode {
        m.ssl_peer_authentication_mode = mode;
    }
    m
}

/// Pump both messengers until `done`, for at most 10 s.
fn pump_until(
    a: &mut Messenger,
    b: &mut Messenger,
    mut done: impl FnMut(&mut Messenger, &mut Messenger) -> bool,
) {
    let start = Instant::now();
    while !done(a, b) {
        assert!(start.elapsed() < Duration::from_secs(10), "guard ran out");
        a.work(0);
        b.work(0);
    }
}

fn final_status(s: Status) -> bool {
    !matches!(s, Status::Pending | Status::Unknown)
}

fn message_to(address: &str) -> Message {
    let mut m = Message::new();
    m.address = Some(c_string(address.as_bytes()));
    m.body().put(Scalar::String(b"hello")).unwrap();
    m
}

/// What one attempt gave.
struct Outcome {
    status: Status,
    /// The `to` address the listener received, if anything arrived.
    received_to: Option<String>,
    /// The client's error (code, text).
    error: (i32, String),
    /// The user the listener's SASL authenticated, if the client used SASL.
    server_sasl_user: Option<String>,
}

/// A listener on `<scheme>://~127.0.0.1:PORT` and a client sending one tracked message to
/// `<client_scheme>://<userinfo>127.0.0.1:PORT/q` (host replaced by `host`).
fn attempt(
    scheme: &str,
    server: Tls,
    client_scheme: &str,
    userinfo: &str,
    host: &str,
    client: Tls,
) -> Outcome {
    let port = free_port();
    let mut srv = messenger("server", server);
    srv.set_incoming_window(10);
    srv.subscribe(&format!("{scheme}://~127.0.0.1:{port}"), 0)
        .unwrap_or_else(|e| panic!("listen: {e:?}"));
    srv.recv(10);
    let mut cli = messenger("client", client);
    cli.set_outgoing_window(10);
    let mut msg = message_to(&format!("{client_scheme}://{userinfo}{host}:{port}/q"));
    cli.put(&mut msg)
        .expect("put returns 0, also when TLS cannot be set up");
    let t = cli.outgoing_tracker();
    pump_until(&mut cli, &mut srv, |c, s| {
        final_status(c.status(t)) || s.incoming() > 0
    });
    let mut received_to = None;
    let mut server_sasl_user = None;
    if srv.incoming() > 0 {
        let mut got = Message::new();
        srv.get(Some(&mut got)).unwrap();
        received_to = got.address.map(|a| a.to_string_lossy().into_owned());
        let it = srv.incoming_tracker();
        let conn = srv.tracker_delivery(it).unwrap().conn;
        server_sasl_user = match srv.connection(conn).unwrap().sasl_result() {
            Some(SaslResult::Ok { user }) => Some(user.clone()),
            _ => None,
        };
        srv.disposition(it, 0, &DeliveryState::Accepted).unwrap();
        pump_until(&mut cli, &mut srv, |c, _| final_status(c.status(t)));
    }
    let outcome = Outcome {
        status: cli.status(t),
        received_to,
        error: (cli.error().code(), cli.error().text().unwrap_or_default()),
        server_sasl_user,
    };
    cli.stop();
    srv.stop();
    pump_until(&mut cli, &mut srv, |c, s| c.stopped() && s.stopped());
    outcome
}

/// The attempt fails: ABORTED, and the client's error is a CONNECTION ERROR saying `why`.
fn assert_fails(o: &Outcome, why: &str) {
    assert_eq!(o.status, Status::Aborted);
    assert_eq!(o.received_to, None);
    assert_eq!(o.error.0, code::ERR, "error {:?}", o.error);
    assert!(
        o.error.1.starts_with("CONNECTION ERROR (") && o.error.1.contains(why),
        "error text {:?} does not say {why:?}",
        o.error.1
    );
}

#[test]
fn working_combinations_deliver_and_strip_credentials_from_to() {
    let cases: &[(&str, Tls, &str, Tls)] = &[
        ("127.0.0.1", SERVER, "", NONE),
        ("127.0.0.1", SERVER, "", TRUST),
        ("localhost", SERVER, "", TRUST),
        (
            "127.0.0.1",
            SERVER,
            "",
            Tls {
                trusted: Some("cadir"),
                ..NONE
            },
        ),
        (
            "127.0.0.1",
            SERVER,
            "",
            Tls {
                mode: Some(1),
                ..TRUST
            },
        ),
        (
            "127.0.0.1",
            Tls {
                key: Some("server-enc.key"),
                password: Some("RIGHT"),
                ..SERVER
            },
            "",
            TRUST,
        ),
        ("127.0.0.1", SERVER, "user:secret@", TRUST),
        ("127.0.0.1", NONE, "", NONE),
    ];
    for (i, &(host, server, userinfo, client)) in cases.iter().enumerate() {
        let o = attempt("amqps", server, "amqps", userinfo, host, client);
        assert_eq!(o.status, Status::Accepted, "case {i}: {:?}", o.error);
        assert_eq!(o.error.0, 0, "case {i}");
        let to = o.received_to.unwrap();
        assert!(
            to.starts_with(&format!("amqps://{host}:")),
            "case {i}: {to}"
        );
        assert!(
            !to.contains("secret") && !to.contains('@'),
            "case {i}: {to}"
        );
    }
}

#[test]
fn each_tls_failure_aborts_with_a_clear_error() {
    let wrong = Tls {
        certificate: Some("wrong.pem"),
        key: Some("wrong.key"),
        ..NONE
    };
    let rogue = Tls {
        certificate: Some("rogue.pem"),
        key: Some("rogue.key"),
        ..NONE
    };
    let client_cert = Tls {
        certificate: Some("client.pem"),
        key: Some("client.key"),
        ..TRUST
    };
    let cases: &[(&str, Tls, &str, Tls, &str)] = &[
        ("wrong name, by IP", wrong, "127.0.0.1", TRUST,
         "TLS handshake failed: certificate verify failed: IP address mismatch (the server's certificate does not name 127.0.0.1)"),
        ("wrong name, by name", wrong, "localhost", TRUST,
         "certificate verify failed: hostname mismatch (the server's certificate does not name localhost)"),
        ("untrusted", rogue, "127.0.0.1", TRUST,
         "certificate verify failed: unable to get local issuer certificate"),
        ("untrusted, VERIFY_PEER", rogue, "127.0.0.1", Tls { mode: Some(1), ..TRUST },
         "unable to get local issuer certificate"),
        ("no server certificate, client verifies", NONE, "127.0.0.1", TRUST,
         "TLS handshake failed"),
        ("trusted certificates missing", SERVER, "127.0.0.1", Tls { trusted: Some("no-such-ca.pem"), ..NONE },
         "invalid certificate db: cannot read trusted certificates "),
        ("client key missing", SERVER, "127.0.0.1", Tls { key: Some("no-such.key"), ..client_cert },
         "invalid credentials: cannot read private key "),
        ("client certificate missing", SERVER, "127.0.0.1", Tls { certificate: Some("no-such.pem"), ..client_cert },
         "invalid credentials: cannot read certificate "),
        ("client key, wrong password", SERVER, "127.0.0.1",
         Tls { key: Some("client-enc.key"), password: Some("nope"), ..client_cert },
         "wrong password, or none given for an encrypted key"),
        ("client key, no password", SERVER, "127.0.0.1", Tls { key: Some("client-enc.key"), ..client_cert },
         "wrong password, or none given for an encrypted key"),
        ("key of another certificate", SERVER, "127.0.0.1", Tls { key: Some("server.key"), ..client_cert },
         "does not belong to certificate CN=test-client"),
    ];
    for &(label, server, host, client, why) in cases {
        let o = attempt("amqps", server, "amqps", "user:secret@", host, client);
        assert_fails(&o, why);
        assert!(!o.error.1.contains("secret"), "{label}: {}", o.error.1);
        if let Some(name) = client.key.or(client.trusted) {
            if name.starts_with("no-such") {
                assert!(o.error.1.contains(&path(name)), "{label} names the file");
                assert!(o.error.1.ends_with("No such file or directory"), "{label}");
            }
        }
    }
}

#[test]
fn a_listener_with_bad_credentials_is_refused_with_the_reason() {
    let cases: &[(Tls, &str)] = &[
        (
            Tls {
                key: Some("server-enc.key"),
                password: Some("nope"),
                ..SERVER
            },
            "invalid credentials: cannot read private key ",
        ),
        (
            Tls {
                key: Some("server-enc.key"),
                ..SERVER
            },
            "wrong password, or none given for an encrypted key",
        ),
        (
            Tls {
                certificate: Some("no-such.pem"),
                ..SERVER
            },
            "invalid credentials: cannot read certificate ",
        ),
        (
            Tls {
                key: Some("client.key"),
                ..SERVER
            },
            "does not belong to certificate",
        ),
    ];
    for &(tls, why) in cases {
        let mut m = messenger("server", tls);
        let err = m
            .subscribe(&format!("amqps://~127.0.0.1:{}", free_port()), 0)
            .unwrap_err();
        assert_eq!(err.0, code::ERR);
        assert!(err.1.contains(why), "{:?} does not say {why:?}", err.1);
        assert!(m.stopped(), "no listener left behind");
    }
}

#[test]
fn one_failing_connection_leaves_the_others_working() {
    let (good_port, bad_port) = (free_port(), free_port());
    let mut good = messenger("good", SERVER);
    let mut bad = messenger(
        "bad",
        Tls {
            certificate: Some("wrong.pem"),
            key: Some("wrong.key"),
            ..NONE
        },
    );
    good.subscribe(&format!("amqps://~127.0.0.1:{good_port}"), 0)
        .unwrap();
    bad.subscribe(&format!("amqps://~127.0.0.1:{bad_port}"), 0)
        .unwrap();
    good.recv(100);
    bad.recv(100);
    let mut cli = messenger("client", TRUST);
    cli.set_outgoing_window(100);
    let mut trackers = Vec::new();
    for i in 0..20 {
        let port = if i % 2 == 0 { good_port } else { bad_port };
        cli.put(&mut message_to(&format!("amqps://127.0.0.1:{port}/q")))
            .unwrap();
        trackers.push(cli.outgoing_tracker());
    }
    good.set_incoming_window(100);
    let start = Instant::now();
    let mut received = 0;
    while received < 10 || !trackers.iter().all(|&t| final_status(cli.status(t))) {
        assert!(start.elapsed() < Duration::from_secs(10), "guard ran out");
        cli.work(0);
        bad.work(0);
        good.work(0);
        while good.get(None).is_ok() {
            received += 1;
            let t = good.incoming_tracker();
            good.disposition(t, 0, &DeliveryState::Accepted).unwrap();
        }
    }
    assert_eq!(received, 10);
    for (i, &t) in trackers.iter().enumerate() {
        let expected = if i % 2 == 0 {
            Status::Accepted
        } else {
            Status::Aborted
        };
        assert_eq!(cli.status(t), expected, "message {i}");
    }
    assert!(cli.error().text().unwrap().contains("IP address mismatch"));
    assert_eq!(bad.incoming(), 0);
}

#[test]
fn sasl_external_needs_a_client_certificate_the_listener_verifies() {
    let listener = Tls {
        trusted: Some("ca.pem"),
        ..SERVER
    };
    let with_cert = Tls {
        certificate: Some("client.pem"),
        key: Some("client-enc.key"),
        password: Some("RIGHT"),
        ..TRUST
    };
    let o = attempt("amqps", listener, "amqps", "user@", "127.0.0.1", with_cert);
    assert_eq!(o.status, Status::Accepted);
    assert_eq!(
        o.server_sasl_user.as_deref(),
        Some(tls_certs::CLIENT_SUBJECT)
    );
    // Without a certificate, or at a listener that trusts no CA: ANONYMOUS.
    let o = attempt("amqps", listener, "amqps", "user@", "127.0.0.1", TRUST);
    assert_eq!(o.server_sasl_user.as_deref(), Some("anonymous"));
    let o = attempt("amqps", SERVER, "amqps", "user@", "127.0.0.1", with_cert);
    assert_eq!(o.status, Status::Accepted);
    assert_eq!(o.server_sasl_user.as_deref(), Some("anonymous"));
    // Without a user in the address, no SASL at all.
    let o = attempt("amqps", listener, "amqps", "", "127.0.0.1", with_cert);
    assert_eq!(o.status, Status::Accepted);
    assert_eq!(o.server_sasl_user, None);
}

#[test]
fn amqp_listeners_take_both_amqps_listeners_require_tls() {
    let o = attempt("amqp", SERVER, "amqps", "", "127.0.0.1", TRUST);
    assert_eq!(o.status, Status::Accepted);
    let o = attempt("amqp", SERVER, "amqp", "", "127.0.0.1", NONE);
    assert_eq!(o.status, Status::Accepted);
    let o = attempt("amqps", SERVER, "amqp", "", "127.0.0.1", NONE);
    assert_eq!(o.status, Status::Aborted);
}

/// A one-connection scripted server: reads what the client sends first, writes `reply`,
/// reads once more, then closes.
fn scripted_server(reply: Vec<u8>) -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let handle = std::thread::spawn(move || {
        let (mut s, _) = listener.accept().unwrap();
        s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        if let Ok(n) = s.read(&mut buf) {
            seen.extend_from_slice(&buf[..n]);
        }
        if !reply.is_empty() {
            let _ = s.write_all(&reply);
            if let Ok(n) = s.read(&mut buf) {
                seen.extend_from_slice(&buf[..n]);
            }
        }
        seen
    });
    (port, handle)
}

/// Send one tracked message with `cli` to `address` and pump until its status is final.
fn send_one(cli: &mut Messenger, address: &str) -> Status {
    cli.set_outgoing_window(10);
    cli.put(&mut message_to(address)).unwrap();
    let t = cli.outgoing_tracker();
    let start = Instant::now();
    while !final_status(cli.status(t)) {
        assert!(start.elapsed() < Duration::from_secs(10), "guard ran out");
        cli.work(50);
    }
    cli.status(t)
}

#[test]
fn tls_to_a_server_without_tls_fails_fast() {
    // A plain AMQP server answers the ClientHello with its protocol header.
    let (port, server) = scripted_server(b"AMQP\x00\x01\x00\x00".to_vec());
    let mut cli = messenger("client", TRUST);
    let status = send_one(&mut cli, &format!("amqps://127.0.0.1:{port}/q"));
    assert_eq!(status, Status::Aborted);
    let text = cli.error().text().unwrap();
    assert!(text.contains("TLS handshake failed"), "{text}");
    assert_eq!(server.join().unwrap()[0], 0x16, "the client started TLS");
    // A server that closes at once.
    let (port, server) = scripted_server(Vec::new());
    let mut cli = messenger("client", TRUST);
    assert_eq!(
        send_one(&mut cli, &format!("amqps://127.0.0.1:{port}/q")),
        Status::Aborted
    );
    let text = cli.error().text().unwrap();
    assert!(text.contains("the server closed the connection"), "{text}");
    server.join().unwrap();
}

/// A server that offers only PLAIN and refuses everyone.
fn refusing_sasl_server() -> (u16, std::thread::JoinHandle<Vec<u8>>) {
    let mut reply = b"AMQP\x03\x01\x00\x00".to_vec();
    reply.extend(engine_util::sasl_frame(&SaslFrame::Mechanisms(vec![
        "PLAIN".into(),
    ])));
    reply.extend(engine_util::sasl_frame(&SaslFrame::Outcome {
        code: 1,
        additional_data: None,
    }));
    scripted_server(reply)
}

#[test]
fn a_refused_sasl_login_aborts_with_a_clear_error() {
    let (port, server) = refusing_sasl_server();
    let mut cli = messenger("client", NONE);
    let status = send_one(
        &mut cli,
        &format!("amqp://guest:wrong-pw@127.0.0.1:{port}/q"),
    );
    assert_eq!(status, Status::Aborted);
    assert_eq!(cli.error().code(), code::ERR);
    let text = cli.error().text().unwrap();
    assert_eq!(
        text,
        format!(
            "CONNECTION ERROR (127.0.0.1:{port}): SASL authentication failed (outcome 1: authentication failed)"
        )
    );
    let seen = server.join().unwrap();
    assert!(
        seen.windows(5).any(|w| w == b"PLAIN"),
        "the client used PLAIN"
    );

    // Without PN_FLAGS_ALLOW_INSECURE_MECHS, PLAIN is not used over plain TCP.
    let (port, server) = refusing_sasl_server();
    let mut cli = messenger("client", NONE);
    cli.set_flags(0);
    let status = send_one(&mut cli, &format!("amqp://guest:pw@127.0.0.1:{port}/q"));
    assert_eq!(status, Status::Aborted);
    let text = cli.error().text().unwrap();
    assert!(
        text.contains("no acceptable SASL mechanism among those offered: PLAIN"),
        "{text}"
    );
    let seen = server.join().unwrap();
    assert!(!seen.windows(2).any(|w| w == b"pw"), "no password sent");
}
