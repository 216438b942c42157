//! TLS below the engine, in memory: two [`Transport`]s (our client and our server) joined by
//! byte vectors, no sockets. Certificates from `scripts/gen-test-certs.sh` (tests/tls_certs).
//!
//! Covered: TLS 1.3 and 1.2 handshakes and a 5 MiB message each way; peer verification by
//! name, by IP and by chain, and its failures (no AMQP byte leaves before the handshake, the
//! delivery is aborted, the error names the reason); anonymous TLS (no server certificate);
//! a server that detects TLS or plain clients, and one that requires TLS; SASL EXTERNAL from
//! a verified client certificate (not from an unverified one); close_notify on a clean
//! close; PLAIN passwords never in a frame trace.

mod engine_util;
mod tls_certs;

use engine_util::*;
use qpid_proton::engine::performative::{Role, SaslFrame};
use qpid_proton::engine::sasl::{ClientCredentials, SaslResult};
use qpid_proton::engine::tls::{Domain, Mode, Tls, Verify};
use qpid_proton::engine::{Config, Connection, EndpointState, Event, LinkId, Side, Transport};
use std::time::Instant;
use tls_certs::path;

const FIVE_MIB: usize = 5 * 1024 * 1024;

fn server_domain(cert: &str, key: &str) -> Domain {
    let mut d = Domain::new(Mode::Server);
    d.set_credentials(&path(cert), Some(&path(key)), None)
        .expect("server credentials");
    d
}

/// A client domain trusting the test CA with `verify`, or trusting nothing (None).
fn client_domain(verify: Option<Verify>) -> Domain {
    let mut d = Domain::new(Mode::Client);
    if let Some(v) = verify {
        d.set_trusted_ca_db(&path("ca.pem")).unwrap();
        d.set_peer_authentication(v, None).unwrap();
    }
    d
}

fn client_config(sasl_user: Option<&str>, tls_identity: bool) -> Config {
    let mut c = Config::new(Side::Client, "client");
    c.hostname = Some("127.0.0.1".into());
    c.sasl = sasl_user.map(|u| ClientCredentials {
        user: Some(u.into()),
        tls: true,
        tls_identity,
        ..Default::default()
    });
    c
}

fn tls_client(domain: &mut Domain, host: &str, config: Config) -> Transport {
    let tls = Tls::new(domain, Some(host)).expect("client TLS");
    let mut conn = Connection::new(config);
    conn.open();
    Transport::tls(conn, tls)
}

fn tls_server(domain: &mut Domain) -> Transport {
    let tls = Tls::new(domain, None).expect("server TLS");
    Transport::tls(Connection::new(Config::new(Side::Server, "server")), tls)
}

/// Two transports joined in memory.
struct Pair {
    client: Transport,
    server: Transport,
    now: Instant,
    /// Every byte the client sent (cipher bytes with TLS).
    to_server: Vec<u8>,
}

impl Pair {
    fn new(client: Transport, server: Transport) -> Pair {
        Pair {
            client,
            server,
            now: Instant::now(),
            to_server: Vec::new(),
        }
    }

    /// Move bytes both ways until neither side has any; returns how many moved.
    fn pump(&mut self) -> usize {
        let mut total = 0;
        loop {
            let mut moved = 0;
            let out = self.client.poll_output().to_vec();
            if !out.is_empty() {
                self.client.consume_output(out.len(), self.now);
                self.to_server.extend_from_slice(&out);
                self.server.handle_input(&out, self.now);
                moved += out.len();
            }
            let out = self.server.poll_output().to_vec();
            if !out.is_empty() {
                self.server.consume_output(out.len(), self.now);
                self.client.handle_input(&out, self.now);
                moved += out.len();
            }
            if moved == 0 {
                return total;
            }
            total += moved;
        }
    }

    /// Pump, answering whatever either side opened, until quiet; the events of each side.
    fn run(&mut self) -> (Vec<Event>, Vec<Event>) {
        let (mut ce, mut se) = (Vec::new(), Vec::new());
        loop {
            let moved = self.pump();
            let c = answer(&mut self.client);
            let s = answer(&mut self.server);
            let quiet = moved == 0 && c.is_empty() && s.is_empty();
            ce.extend(c);
            se.extend(s);
            if quiet {
                return (ce, se);
            }
        }
    }

    /// A sending link from the client, with credit from the server.
    fn sender(&mut self) -> (LinkId, LinkId) {
        let session = self.client.begin_session();
        let link = self
            .client
            .attach(session, settings("q", Role::Sender))
            .unwrap();
        let (_, se) = self.run();
        let remote = se
            .iter()
            .find_map(|e| match e {
                Event::LinkRemoteAttach(l) => Some(*l),
                _ => None,
            })
            .expect("server saw the attach");
        self.server.add_credit(remote, 10);
        self.run();
        (link, remote)
    }

    /// Send `payload` from the client and return what the server received.
    fn transfer(&mut self, link: LinkId, payload: Vec<u8>) -> Vec<u8> {
        self.client
            .send(link, b"t".to_vec(), payload, true)
            .unwrap();
        let (_, se) = self.run();
        let d = *deliveries(&se).last().expect("a delivery");
        assert!(self.server.delivery(d).unwrap().complete);
        self.server.take_payload(d).unwrap()
    }
}

fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

#[test]
fn tls13_by_default_and_a_large_message_both_ways() {
    let mut sd = server_domain("server.pem", "server.key");
    let mut cd = client_domain(Some(Verify::PeerName));
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        tls_server(&mut sd),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    let client_tls = p.client.tls_state().expect("client runs TLS");
    assert_eq!(client_tls.protocol_name(), Some("TLSv1.3"));
    assert!(client_tls.ssf() >= 128, "ssf {}", client_tls.ssf());
    assert!(client_tls
        .cipher_name()
        .is_some_and(|c| c.starts_with("TLS_")));
    assert_eq!(
        client_tls.remote_subject().as_deref(),
        Some("CN=127.0.0.1,O=qpid-proton-rs tests")
    );
    assert_eq!(
        client_tls.remote_subject_field(5).as_deref(),
        Some("127.0.0.1")
    );
    assert_eq!(client_tls.peer_host(), Some("127.0.0.1"));
    let fp = client_tls
        .fingerprint(qpid_proton::engine::tls::Hash::Sha256)
        .unwrap();
    assert_eq!(fp.len(), 64);
    // No AMQP in the clear on the wire.
    assert!(!p.to_server.windows(4).any(|w| w == b"AMQP"));

    let (link, _) = p.sender();
    let big = pattern(FIVE_MIB);
    assert_eq!(p.transfer(link, big.clone()), big);

    // The other way: the server sends on a link it opens.
    let session = p.server.begin_session();
    let slink = p
        .server
        .attach(session, settings("back", Role::Sender))
        .unwrap();
    let (ce, _) = p.run();
    let clink = ce
        .iter()
        .find_map(|e| match e {
            Event::LinkRemoteAttach(l) => Some(*l),
            _ => None,
        })
        .unwrap();
    p.client.add_credit(clink, 1);
    p.run();
    p.server
        .send(slink, b"b".to_vec(), big.clone(), true)
        .unwrap();
    let (ce, _) = p.run();
    let d = *deliveries(&ce).last().unwrap();
    assert_eq!(p.client.take_payload(d).unwrap(), big);

    // A clean close: both sides closed, each sent close_notify after its close frame.
    p.client.close(None);
    let (_, se) = p.run();
    assert!(se.contains(&Event::ConnectionRemoteClose));
    p.server.close(None);
    p.run();
    assert!(p.client.is_closed() && p.server.is_closed());
    assert!(p.client.tls_state().unwrap().shutdown_sent());
    assert!(p.server.tls_state().unwrap().shutdown_sent());
    assert_eq!(p.client.error(), None);
    assert_eq!(p.server.error(), None);
}

#[test]
fn tls12_when_the_server_allows_only_that() {
    let mut sd = server_domain("server.pem", "server.key");
    sd.set_protocols("TLSv1.2").unwrap();
    let mut cd = client_domain(Some(Verify::PeerName));
    let mut p = Pair::new(
        tls_client(&mut cd, "localhost", client_config(None, false)),
        tls_server(&mut sd),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    assert_eq!(
        p.server.tls_state().unwrap().protocol_name(),
        Some("TLSv1.2")
    );
    let (link, _) = p.sender();
    assert_eq!(p.transfer(link, pattern(70_000)), pattern(70_000));
}

/// The client fails the handshake with `expected` in its error; nothing of AMQP reached the
/// server and the queued delivery is aborted.
fn assert_refused(server_cert: &str, host: &str, verify: Verify, expected: &str) {
    let mut sd = server_domain(server_cert, &server_cert.replace(".pem", ".key"));
    let mut cd = client_domain(Some(verify));
    let mut client = tls_client(&mut cd, host, client_config(None, false));
    let session = client.begin_session();
    let link = client.attach(session, settings("q", Role::Sender)).unwrap();
    let d = client
        .send(link, b"t".to_vec(), b"secret".to_vec(), true)
        .unwrap();
    let mut p = Pair::new(client, tls_server(&mut sd));
    let (ce, _) = p.run();
    let why = p.client.security_failure().expect("a TLS failure");
    assert!(why.contains(expected), "{why:?} does not say {expected:?}");
    let cond = transport_error(&ce).expect("the connection failed");
    assert_eq!(cond.condition, "amqp:connection:framing-error");
    assert!(
        p.client.delivery(d).is_none_or(|x| x.aborted),
        "delivery aborted"
    );
    assert!(p.client.is_closed());
    assert_eq!(
        p.server.remote_state(),
        EndpointState::Uninit,
        "server saw no open"
    );
    // The server hears why (the client's alert).
    let server_why = p.server.security_failure().unwrap_or_default();
    assert!(server_why.contains("alert"), "server: {server_why:?}");
}

#[test]
fn a_certificate_for_another_name_is_refused() {
    assert_refused(
        "wrong.pem",
        "127.0.0.1",
        Verify::PeerName,
        "IP address mismatch",
    );
    assert_refused(
        "wrong.pem",
        "localhost",
        Verify::PeerName,
        "hostname mismatch",
    );
    // By chain only, the same certificate passes.
    let mut sd = server_domain("wrong.pem", "wrong.key");
    let mut cd = client_domain(Some(Verify::Peer));
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        tls_server(&mut sd),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
}

#[test]
fn a_certificate_from_another_ca_is_refused() {
    assert_refused(
        "rogue.pem",
        "127.0.0.1",
        Verify::Peer,
        "unable to get local issuer certificate",
    );
    // Without verification it passes.
    let mut sd = server_domain("rogue.pem", "rogue.key");
    let mut cd = client_domain(Some(Verify::AnonymousPeer));
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        tls_server(&mut sd),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
}

#[test]
fn anonymous_tls_when_the_server_has_no_certificate() {
    let mut sd = Domain::new(Mode::Server);
    let mut cd = client_domain(None);
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        tls_server(&mut sd),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    let tls = p.client.tls_state().unwrap();
    assert_eq!(tls.protocol_name(), Some("TLSv1.2"));
    assert!(tls.remote_subject().is_none());
    // A client that verifies does not accept that.
    let mut sd = Domain::new(Mode::Server);
    let mut cd = client_domain(Some(Verify::Peer));
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        tls_server(&mut sd),
    );
    p.run();
    assert!(p.client.security_failure().is_some());
    assert_eq!(p.client.remote_state(), EndpointState::Uninit);
}

fn detecting_server(require_tls: bool) -> Transport {
    let mut sd = server_domain("server.pem", "server.key");
    if !require_tls {
        sd.allow_unsecured_client().unwrap();
    }
    let tls = Tls::new(&mut sd, None).unwrap();
    Transport::detect(
        Connection::new(Config::new(Side::Server, "server")),
        tls,
        require_tls,
    )
}

fn plain_client() -> Transport {
    let mut conn = Connection::new(client_config(None, false));
    conn.open();
    Transport::plain(conn)
}

#[test]
fn a_detecting_server_takes_tls_and_plain_clients() {
    let mut cd = client_domain(Some(Verify::PeerName));
    for client in [
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        plain_client(),
    ] {
        let tls = client.tls_state().is_some();
        let mut p = Pair::new(client, detecting_server(false));
        p.run();
        assert_eq!(p.client.remote_state(), EndpointState::Active, "tls={tls}");
        assert_eq!(p.server.tls_state().is_some(), tls);
        let (link, _) = p.sender();
        assert_eq!(p.transfer(link, b"hello".to_vec()), b"hello");
    }
}

#[test]
fn a_server_requiring_tls_refuses_a_plain_client() {
    let mut p = Pair::new(plain_client(), detecting_server(true));
    p.run();
    let why = p.server.security_failure().expect("refused");
    assert!(why.contains("did not start TLS"), "{why}");
    assert!(p.server.is_closed());
    assert_eq!(p.client.remote_state(), EndpointState::Uninit);
    // A TLS client is fine.
    let mut cd = client_domain(Some(Verify::PeerName));
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(None, false)),
        detecting_server(true),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
}

/// A server that asks for an optional client certificate and verifies it against the CA.
fn external_server() -> Transport {
    let mut sd = server_domain("server.pem", "server.key");
    sd.set_trusted_ca_db(&path("ca.pem")).unwrap();
    sd.set_optional_client_certificate(true);
    tls_server(&mut sd)
}

fn server_sasl_user(server: &Transport) -> Option<String> {
    match server.sasl_result() {
        Some(SaslResult::Ok { user }) => Some(user.clone()),
        _ => None,
    }
}

#[test]
fn sasl_external_with_a_verified_client_certificate() {
    let mut cd = client_domain(Some(Verify::PeerName));
    cd.set_credentials(&path("client.pem"), Some(&path("client.key")), None)
        .unwrap();
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(Some("me"), true)),
        external_server(),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    assert_eq!(
        server_sasl_user(&p.server).as_deref(),
        Some(tls_certs::CLIENT_SUBJECT)
    );
    assert_eq!(
        p.server.tls_state().unwrap().peer_identity().as_deref(),
        Some(tls_certs::CLIENT_SUBJECT)
    );

    // Without a client certificate: ANONYMOUS.
    let mut cd = client_domain(Some(Verify::PeerName));
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(Some("me"), false)),
        external_server(),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    assert_eq!(server_sasl_user(&p.server).as_deref(), Some("anonymous"));

    // A certificate the server cannot verify (another CA) is not refused, but gives no
    // identity: ANONYMOUS again.
    let mut cd = client_domain(Some(Verify::PeerName));
    cd.set_credentials(&path("rogue.pem"), Some(&path("rogue.key")), None)
        .unwrap();
    let mut p = Pair::new(
        tls_client(&mut cd, "127.0.0.1", client_config(Some("me"), true)),
        external_server(),
    );
    p.run();
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    assert_eq!(p.server.tls_state().unwrap().peer_identity(), None);
    assert_eq!(server_sasl_user(&p.server).as_deref(), Some("anonymous"));
}

#[test]
fn a_plain_password_never_appears_in_a_frame_trace() {
    let mut config = Config::new(Side::Client, "client");
    config.trace = true;
    config.sasl = Some(ClientCredentials {
        user: Some("alice".into()),
        password: Some("s3cret-pw".into()),
        allow_insecure: true,
        ..Default::default()
    });
    let mut conn = Connection::new(config);
    conn.open();
    let now = Instant::now();
    let mut input = b"AMQP\x03\x01\x00\x00".to_vec();
    input.extend(sasl_frame(&SaslFrame::Mechanisms(vec!["PLAIN".into()])));
    conn.handle_input(&input, now);
    let wire = take_output(&mut conn, now);
    // The password does go on the wire (that is PLAIN) ...
    assert!(wire.windows(9).any(|w| w == b"s3cret-pw"));
    // ... but never into a trace line.
    let mut lines = Vec::new();
    while let Some(l) = conn.poll_trace() {
        lines.push(l);
    }
    let init = lines
        .iter()
        .find(|l| l.contains("sasl-init"))
        .expect("sasl-init traced");
    assert!(init.contains("alice") && init.contains("***"), "{init}");
    assert!(!lines.iter().any(|l| l.contains("s3cret")), "{lines:?}");
}
