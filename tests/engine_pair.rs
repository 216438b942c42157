//! The engine's happy paths, driven through an in-memory client/server [`Pair`] with a
//! virtual clock: protocol headers, SASL, performative encoding, sessions and links,
//! flow control, deliveries (multi-frame, aborted, settle modes, dispositions), idle
//! timeouts, and byte-split robustness. Every assertion reads what crossed the wire or
//! what the engines report, so each test fails if its feature breaks.

mod engine_util;

use engine_util::*;
use qpid_proton::engine::connection::condition;
use qpid_proton::engine::frame::{AMQP_HEADER, SASL_HEADER};
use qpid_proton::engine::performative::*;
use qpid_proton::engine::sasl::{outcome, ClientCredentials, SaslResult, ServerPolicy};
use qpid_proton::engine::{
    Config, Connection, DeliveryId, EndpointState, Event, LinkId, LinkSettings, Side,
};
use std::time::{Duration, Instant};

fn client_config() -> Config {
    Config::new(Side::Client, "client")
}

fn server_config() -> Config {
    Config::new(Side::Server, "server")
}

/// Send one message on `sender` (a client link if `dir` is `ToServer`, else a server
/// link) and return the delivery that arrives at the other end.
fn deliver(p: &mut Pair, dir: Dir, sender: LinkId, tag: &[u8], payload: Vec<u8>) -> DeliveryId {
    let conn = match dir {
        Dir::ToServer => &mut p.client,
        Dir::ToClient => &mut p.server,
    };
    conn.send(sender, tag.to_vec(), payload, false)
        .expect("sender link");
    p.pump();
    let events = match dir {
        Dir::ToServer => p.server_events(),
        Dir::ToClient => p.client_events(),
    };
    *deliveries(&events).last().expect("a delivery arrived")
}

/// A payload with a recognisable pattern.
fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i % 251) as u8).collect()
}

fn transfers(bytes: &[u8]) -> Vec<(Transfer, usize, usize)> {
    parse_stream(bytes)
        .into_iter()
        .filter_map(|u| match u {
            Unit::Amqp {
                performative: Performative::Transfer(t),
                payload,
                size,
                ..
            } => Some((t, payload.len(), size)),
            _ => None,
        })
        .collect()
}

fn flows(bytes: &[u8]) -> Vec<Flow> {
    performatives(bytes)
        .into_iter()
        .filter_map(|p| match p {
            Performative::Flow(f) => Some(f),
            _ => None,
        })
        .collect()
}

fn dispositions(bytes: &[u8]) -> Vec<Disposition> {
    performatives(bytes)
        .into_iter()
        .filter_map(|p| match p {
            Performative::Disposition(d) => Some(d),
            _ => None,
        })
        .collect()
}

// ---------------------------------------------------------------------------------------
// Protocol headers

#[test]
fn client_without_sasl_sends_the_amqp_header_and_the_server_answers_with_it() {
    let mut p = Pair::new();
    p.connect();
    let c2s = parse_stream(&p.take_log(Dir::ToServer));
    let s2c = parse_stream(&p.take_log(Dir::ToClient));
    assert_eq!(c2s[0], Unit::Header(AMQP_HEADER));
    assert_eq!(s2c[0], Unit::Header(AMQP_HEADER));
    assert!(matches!(
        &c2s[1],
        Unit::Amqp { performative: Performative::Open(o), .. } if o.container_id == "client"
    ));
    assert!(matches!(
        &s2c[1],
        Unit::Amqp { performative: Performative::Open(o), .. } if o.container_id == "server"
    ));
    assert!(!c2s.iter().chain(&s2c).any(|u| matches!(u, Unit::Sasl(_))));
    assert_eq!(p.server.remote_container_id(), Some("client"));
    assert_eq!(p.client.remote_container_id(), Some("server"));
    assert_eq!(p.server.sasl_result(), None);
}

#[test]
fn sasl_header_first_then_the_amqp_header_after_the_outcome() {
    let mut p = Pair::with(
        Config {
            sasl: Some(ClientCredentials::default()),
            ..client_config()
        },
        server_config(),
    );
    let (client_events, server_events) = p.connect();
    let c2s = parse_stream(&p.take_log(Dir::ToServer));
    let s2c = parse_stream(&p.take_log(Dir::ToClient));
    assert_eq!(c2s[0], Unit::Header(SASL_HEADER));
    assert!(matches!(&c2s[1], Unit::Sasl(SaslFrame::Init { .. })));
    assert_eq!(c2s[2], Unit::Header(AMQP_HEADER));
    assert!(matches!(
        &c2s[3],
        Unit::Amqp {
            performative: Performative::Open(_),
            ..
        }
    ));
    assert_eq!(s2c[0], Unit::Header(SASL_HEADER));
    assert_eq!(
        s2c[1],
        Unit::Sasl(SaslFrame::Mechanisms(vec!["ANONYMOUS".into()]))
    );
    assert_eq!(
        s2c[2],
        Unit::Sasl(SaslFrame::Outcome {
            code: outcome::OK,
            additional_data: None
        })
    );
    assert_eq!(s2c[3], Unit::Header(AMQP_HEADER));
    let ok = SaslResult::Ok {
        user: "anonymous".into(),
    };
    assert!(client_events.contains(&Event::Authenticated(Box::new(ok.clone()))));
    assert!(server_events.contains(&Event::Authenticated(Box::new(ok.clone()))));
    assert_eq!(p.client.sasl_result(), Some(&ok));
    assert_eq!(p.server.sasl_result(), Some(&ok));
}

#[test]
fn a_client_that_pipelines_its_amqp_header_after_sasl_init_is_served() {
    let now = Instant::now();
    let mut server = Connection::new(server_config());
    let mut input = SASL_HEADER.to_vec();
    input.extend(sasl_frame(&init("ANONYMOUS", b"anonymous")));
    input.extend(AMQP_HEADER);
    input.extend(amqp_frame(
        0,
        &Performative::Open(Open {
            container_id: "eager".into(),
            ..Open::default()
        }),
        &[],
    ));
    server.handle_input(&input, now);
    let events = answer(&mut server);
    assert!(events.contains(&Event::ConnectionRemoteOpen), "{events:?}");
    assert_eq!(server.remote_container_id(), Some("eager"));
    let units = parse_stream(&take_output(&mut server, now));
    assert_eq!(units[0], Unit::Header(SASL_HEADER));
    assert!(matches!(
        units[2],
        Unit::Sasl(SaslFrame::Outcome { code: 0, .. })
    ));
    assert_eq!(units[3], Unit::Header(AMQP_HEADER));
    assert!(matches!(
        units[4],
        Unit::Amqp {
            performative: Performative::Open(_),
            ..
        }
    ));
}

#[test]
fn server_that_could_do_sasl_accepts_a_client_that_skips_it() {
    let mut p = Pair::with(
        client_config(),
        Config {
            sasl_policy: ServerPolicy {
                external_identity: Some("CN=client".into()),
            },
            ..server_config()
        },
    );
    p.connect();
    let s2c = parse_stream(&p.take_log(Dir::ToClient));
    assert_eq!(s2c[0], Unit::Header(AMQP_HEADER));
    assert_eq!(p.server.remote_state(), EndpointState::Active);
    assert_eq!(p.client.remote_state(), EndpointState::Active);
    assert_eq!(p.server.sasl_result(), None);
}

// ---------------------------------------------------------------------------------------
// SASL mechanisms

/// A client engine facing a scripted server that offers `mechanisms`; returns the client's
/// sasl-init.
fn client_init_for(creds: ClientCredentials, mechanisms: &[&str]) -> SaslFrame {
    let now = Instant::now();
    let mut client = Connection::new(Config {
        sasl: Some(creds),
        hostname: Some("broker.example".into()),
        ..client_config()
    });
    client.open();
    let mut input = SASL_HEADER.to_vec();
    input.extend(sasl_frame(&SaslFrame::Mechanisms(
        mechanisms.iter().map(|m| m.to_string()).collect(),
    )));
    client.handle_input(&input, now);
    let out = take_output(&mut client, now);
    let frames = sasl_frames(&out);
    assert_eq!(frames.len(), 1, "one sasl-init: {frames:?}");
    // Nothing AMQP goes out before the outcome.
    assert_eq!(performatives(&out), vec![]);
    frames.into_iter().next().unwrap()
}

fn init(mechanism: &str, response: &[u8]) -> SaslFrame {
    SaslFrame::Init {
        mechanism: mechanism.into(),
        initial_response: Some(response.to_vec()),
        hostname: Some("broker.example".into()),
    }
}

#[test]
fn client_chooses_anonymous_with_user_or_anonymous_as_initial_response() {
    assert_eq!(
        client_init_for(ClientCredentials::default(), &["ANONYMOUS"]),
        init("ANONYMOUS", b"anonymous")
    );
    let user_only = ClientCredentials {
        user: Some("bob".into()),
        ..Default::default()
    };
    assert_eq!(
        client_init_for(user_only, &["PLAIN", "ANONYMOUS"]),
        init("ANONYMOUS", b"bob")
    );
}

#[test]
fn client_chooses_plain_with_a_password_only_over_tls_or_when_insecure_is_allowed() {
    let creds = ClientCredentials {
        user: Some("bob".into()),
        password: Some("secret".into()),
        ..Default::default()
    };
    // No TLS, insecure not allowed: PLAIN would leak the password.
    assert_eq!(
        client_init_for(creds.clone(), &["PLAIN", "ANONYMOUS"]),
        init("ANONYMOUS", b"bob")
    );
    let insecure = ClientCredentials {
        allow_insecure: true,
        ..creds.clone()
    };
    assert_eq!(
        client_init_for(insecure, &["ANONYMOUS", "PLAIN"]),
        init("PLAIN", b"\0bob\0secret")
    );
    let tls = ClientCredentials {
        tls: true,
        ..creds.clone()
    };
    assert_eq!(
        client_init_for(tls.clone(), &["ANONYMOUS", "PLAIN"]),
        init("PLAIN", b"\0bob\0secret")
    );
    // Not offered: not used.
    assert_eq!(
        client_init_for(tls, &["ANONYMOUS"]),
        init("ANONYMOUS", b"bob")
    );
}

#[test]
fn client_chooses_external_when_offered_and_tls_gave_it_an_identity() {
    let with_identity = ClientCredentials {
        user: Some("bob".into()),
        password: Some("secret".into()),
        tls: true,
        tls_identity: true,
        ..Default::default()
    };
    assert_eq!(
        client_init_for(with_identity.clone(), &["ANONYMOUS", "PLAIN", "EXTERNAL"]),
        init("EXTERNAL", b"")
    );
    let no_identity = ClientCredentials {
        tls_identity: false,
        ..with_identity.clone()
    };
    assert_eq!(
        client_init_for(no_identity, &["EXTERNAL", "PLAIN"]),
        init("PLAIN", b"\0bob\0secret")
    );
    assert_eq!(
        client_init_for(with_identity, &["ANONYMOUS"]),
        init("ANONYMOUS", b"bob")
    );
}

#[test]
fn server_offers_external_with_an_identity_and_authenticates_as_it() {
    let mut p = Pair::with(
        Config {
            sasl: Some(ClientCredentials {
                tls: true,
                tls_identity: true,
                ..Default::default()
            }),
            ..client_config()
        },
        Config {
            sasl_policy: ServerPolicy {
                external_identity: Some("CN=client".into()),
            },
            ..server_config()
        },
    );
    p.connect();
    let s2c = sasl_frames(&p.take_log(Dir::ToClient));
    assert_eq!(
        s2c[0],
        SaslFrame::Mechanisms(vec!["EXTERNAL".into(), "ANONYMOUS".into()])
    );
    let c2s = sasl_frames(&p.take_log(Dir::ToServer));
    assert!(matches!(&c2s[0], SaslFrame::Init { mechanism, .. } if mechanism == "EXTERNAL"));
    assert_eq!(
        p.server.sasl_result(),
        Some(&SaslResult::Ok {
            user: "CN=client".into()
        })
    );
    assert_eq!(p.client.remote_state(), EndpointState::Active);
}

#[test]
fn sasl_outcome_codes_other_than_ok_fail_the_client_with_unauthorized_access() {
    for code in [
        outcome::AUTH,
        outcome::SYS,
        outcome::SYS_PERM,
        outcome::SYS_TEMP,
    ] {
        let now = Instant::now();
        let mut client = Connection::new(Config {
            sasl: Some(ClientCredentials::default()),
            ..client_config()
        });
        client.open();
        let mut input = SASL_HEADER.to_vec();
        input.extend(sasl_frame(&SaslFrame::Mechanisms(vec!["ANONYMOUS".into()])));
        input.extend(sasl_frame(&SaslFrame::Outcome {
            code,
            additional_data: None,
        }));
        client.handle_input(&input, now);
        let out = take_output(&mut client, now);
        let events = events(&mut client);
        let error = transport_error(&events).expect("transport error");
        assert_eq!(error.condition, condition::UNAUTHORIZED_ACCESS);
        assert!(
            error
                .description
                .as_deref()
                .unwrap()
                .contains(&format!("outcome {code}")),
            "{error:?}"
        );
        assert!(matches!(
            client.sasl_result(),
            Some(SaslResult::Failed { code: c, .. }) if *c == code
        ));
        assert!(events.contains(&Event::TransportClosed));
        assert!(client.is_closed());
        // No AMQP header, no open: authentication never succeeded.
        assert!(!parse_stream(&out).contains(&Unit::Header(AMQP_HEADER)));
        assert_eq!(performatives(&out), vec![]);
    }
}

#[test]
fn server_refuses_an_unoffered_mechanism_and_both_ends_fail_clearly() {
    // A client that insists on PLAIN (scripted) against our server.
    let now = Instant::now();
    let mut server = Connection::new(server_config());
    let mut input = SASL_HEADER.to_vec();
    input.extend(sasl_frame(&init("PLAIN", b"\0bob\0secret")));
    server.handle_input(&input, now);
    let out = take_output(&mut server, now);
    assert_eq!(
        sasl_frames(&out).last(),
        Some(&SaslFrame::Outcome {
            code: outcome::AUTH,
            additional_data: None
        })
    );
    let error = transport_error(&events(&mut server)).expect("server error");
    assert_eq!(error.condition, condition::UNAUTHORIZED_ACCESS);
    assert!(server.is_closed());

    // Our client reading that outcome.
    let mut client = Connection::new(Config {
        sasl: Some(ClientCredentials::default()),
        ..client_config()
    });
    client.handle_input(&out, now);
    let error = transport_error(&events(&mut client)).expect("client error");
    assert_eq!(error.condition, condition::UNAUTHORIZED_ACCESS);
}

#[test]
fn client_with_no_acceptable_mechanism_fails() {
    let now = Instant::now();
    let mut client = Connection::new(Config {
        sasl: Some(ClientCredentials::default()),
        ..client_config()
    });
    let mut input = SASL_HEADER.to_vec();
    input.extend(sasl_frame(&SaslFrame::Mechanisms(vec!["GSSAPI".into()])));
    client.handle_input(&input, now);
    let error = transport_error(&events(&mut client)).expect("client error");
    assert_eq!(error.condition, condition::UNAUTHORIZED_ACCESS);
    assert!(error.description.unwrap().contains("GSSAPI"));
}

// ---------------------------------------------------------------------------------------
// Performatives

fn sym(s: &str) -> Vec<u8> {
    let mut v = vec![0xa3, s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

fn str8(s: &str) -> Vec<u8> {
    let mut v = vec![0xa1, s.len() as u8];
    v.extend_from_slice(s.as_bytes());
    v
}

/// An array8 of symbols.
fn sym_array(symbols: &[&str]) -> Vec<u8> {
    let mut body = vec![symbols.len() as u8, 0xa3];
    for s in symbols {
        body.push(s.len() as u8);
        body.extend_from_slice(s.as_bytes());
    }
    let mut v = vec![0xe0, body.len() as u8];
    v.extend(body);
    v
}

/// A map8 of already-encoded keys and values.
fn map8(entries: &[(Vec<u8>, Vec<u8>)]) -> Vec<u8> {
    let mut body = vec![(entries.len() * 2) as u8];
    for (k, v) in entries {
        body.extend_from_slice(k);
        body.extend_from_slice(v);
    }
    let mut v = vec![0xc1, body.len() as u8];
    v.extend(body);
    v
}

fn props() -> Vec<u8> {
    map8(&[(sym("k"), str8("v")), (sym("n"), vec![0x52, 7])])
}

fn error_condition() -> ErrorCondition {
    ErrorCondition {
        condition: "amqp:internal-error".into(),
        description: Some("it broke".into()),
        info: Some(props()),
    }
}

fn full_source() -> Terminus {
    // A JMS selector filter: a described string under a symbol key.
    let mut selector = vec![0x00, 0x80, 0, 0, 0x46, 0x8c, 0, 0, 0, 4];
    selector.extend(str8("color = 'red'"));
    Terminus {
        address: Some("queue/a".into()),
        durable: 2,
        expiry_policy: Some("never".into()),
        timeout: 30,
        dynamic: true,
        dynamic_node_properties: Some(map8(&[(sym("lifetime-policy"), sym("x"))])),
        distribution_mode: Some("copy".into()),
        filter: Some(map8(&[(sym("selector"), selector)])),
        default_outcome: Some(vec![0x00, 0x53, 0x26, 0x45]),
        outcomes: Some(sym_array(&["amqp:accepted:list", "amqp:rejected:list"])),
        capabilities: Some(sym_array(&["queue"])),
    }
}

fn full_target() -> Terminus {
    Terminus {
        address: Some("topic/b".into()),
        durable: 1,
        expiry_policy: Some("link-detach".into()),
        timeout: 5,
        dynamic: true,
        dynamic_node_properties: Some(props()),
        capabilities: Some(sym_array(&["topic", "shared"])),
        ..Terminus::default()
    }
}

fn every_delivery_state() -> Vec<DeliveryState> {
    vec![
        DeliveryState::Received {
            section_number: 3,
            section_offset: 1 << 40,
        },
        DeliveryState::Accepted,
        DeliveryState::Rejected {
            error: Some(Box::new(error_condition())),
        },
        DeliveryState::Rejected { error: None },
        DeliveryState::Released,
        DeliveryState::Modified {
            delivery_failed: true,
            undeliverable_here: true,
            message_annotations: Some(Box::new(map8(&[(sym("x-opt-a"), str8("b"))]))),
        },
        DeliveryState::Modified {
            delivery_failed: false,
            undeliverable_here: true,
            message_annotations: None,
        },
        // A transactional state (declared, 0x33) is kept as its bytes.
        DeliveryState::Other(Box::new(vec![
            0x00, 0x53, 0x33, 0xc0, 0x04, 0x01, 0xa0, 0x01, 0x07,
        ])),
    ]
}

fn every_performative() -> Vec<Performative> {
    let mut all = vec![
        Performative::Open(Open {
            container_id: "container-1".into(),
            hostname: Some("host.example".into()),
            max_frame_size: 65536,
            channel_max: 9,
            idle_time_out: Some(30_000),
            outgoing_locales: Some(sym_array(&["en-US"])),
            incoming_locales: Some(sym_array(&["en-US", "fr-FR"])),
            offered_capabilities: Some(sym_array(&["ANONYMOUS-RELAY"])),
            desired_capabilities: Some(sym_array(&["DELAYED_DELIVERY"])),
            properties: Some(props()),
        }),
        Performative::Open(Open {
            container_id: "minimal".into(),
            ..Open::default()
        }),
        Performative::Begin(Begin {
            remote_channel: Some(4),
            next_outgoing_id: 17,
            incoming_window: 2048,
            outgoing_window: 100,
            handle_max: 63,
            offered_capabilities: Some(sym_array(&["a"])),
            desired_capabilities: Some(sym_array(&["b"])),
            properties: Some(props()),
        }),
        Performative::Attach(Attach {
            name: "link-1".into(),
            handle: 7,
            role: Role::Receiver,
            snd_settle_mode: SndSettleMode::Settled,
            rcv_settle_mode: RcvSettleMode::Second,
            source: Some(TerminusField::Terminus(full_source())),
            target: Some(TerminusField::Terminus(full_target())),
            unsettled: Some(map8(&[(vec![0xa0, 1, 9], vec![0x00, 0x53, 0x24, 0x45])])),
            incomplete_unsettled: true,
            initial_delivery_count: Some(5),
            max_message_size: Some(1 << 33),
            offered_capabilities: Some(sym_array(&["x"])),
            desired_capabilities: Some(sym_array(&["y"])),
            properties: Some(props()),
        }),
        Performative::Attach(Attach {
            name: "coordinator".into(),
            handle: 0,
            role: Role::Sender,
            snd_settle_mode: SndSettleMode::Unsettled,
            rcv_settle_mode: RcvSettleMode::First,
            source: Some(TerminusField::Terminus(Terminus::default())),
            // A transaction coordinator target (0x30), kept as its bytes.
            target: Some(TerminusField::Other(vec![0x00, 0x53, 0x30, 0x45])),
            unsettled: None,
            incomplete_unsettled: false,
            initial_delivery_count: Some(0),
            max_message_size: None,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        Performative::Flow(Flow {
            next_incoming_id: Some(10),
            incoming_window: 20,
            next_outgoing_id: 30,
            outgoing_window: 40,
            handle: Some(2),
            delivery_count: Some(50),
            link_credit: Some(60),
            available: Some(70),
            drain: true,
            echo: true,
            properties: Some(props()),
        }),
        Performative::Flow(Flow {
            next_incoming_id: None,
            incoming_window: 1,
            next_outgoing_id: 2,
            outgoing_window: 3,
            ..Flow::default()
        }),
        Performative::Transfer(Transfer {
            handle: 1,
            delivery_id: Some(99),
            delivery_tag: Some(b"tag-99".into()),
            message_format: Some(0x1234_5678),
            settled: Some(false),
            more: true,
            rcv_settle_mode: Some(RcvSettleMode::Second),
            state: Some(DeliveryState::Received {
                section_number: 1,
                section_offset: 2,
            }),
            resume: true,
            aborted: true,
            batchable: true,
        }),
        Performative::Transfer(Transfer {
            handle: 1,
            settled: Some(true),
            ..Transfer::default()
        }),
        Performative::Disposition(Disposition {
            role: Role::Receiver,
            first: 4,
            last: Some(4),
            settled: true,
            state: None,
            batchable: true,
        }),
        Performative::Detach(Detach {
            handle: 3,
            closed: true,
            error: Some(error_condition()),
        }),
        Performative::Detach(Detach::default()),
        Performative::End(Some(error_condition())),
        Performative::End(None),
        Performative::Close(Some(ErrorCondition {
            condition: "amqp:connection:forced".into(),
            description: None,
            info: None,
        })),
        Performative::Close(None),
    ];
    for (i, state) in every_delivery_state().into_iter().enumerate() {
        all.push(Performative::Disposition(Disposition {
            role: if i % 2 == 0 {
                Role::Sender
            } else {
                Role::Receiver
            },
            first: i as u32,
            last: Some(i as u32 + 10),
            settled: i % 3 == 0,
            state: Some(state.clone()),
            batchable: false,
        }));
        all.push(Performative::Transfer(Transfer {
            handle: 0,
            delivery_id: Some(i as u32),
            state: Some(state),
            ..Transfer::default()
        }));
    }
    all
}

#[test]
fn every_performative_with_every_field_round_trips() {
    for p in every_performative() {
        let mut body = Vec::new();
        p.encode(&mut body);
        let (decoded, payload) = decode_performative(&body)
            .unwrap_or_else(|e| panic!("{} does not decode: {e:?}", p.name()));
        assert_eq!(decoded, p);
        assert!(payload.is_empty());
        // And through a real frame, with a payload after the performative.
        let frame = amqp_frame(3, &p, b"payload");
        match &parse_stream(&frame)[..] {
            [Unit::Amqp {
                channel: 3,
                performative,
                payload,
                ..
            }] => {
                assert_eq!(performative, &p);
                assert_eq!(payload, b"payload");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn every_sasl_frame_round_trips() {
    let frames = vec![
        SaslFrame::Mechanisms(vec!["EXTERNAL".into(), "PLAIN".into(), "ANONYMOUS".into()]),
        SaslFrame::Mechanisms(vec!["ANONYMOUS".into()]),
        SaslFrame::Init {
            mechanism: "PLAIN".into(),
            initial_response: Some(b"\0u\0p".to_vec()),
            hostname: Some("h".into()),
        },
        SaslFrame::Init {
            mechanism: "ANONYMOUS".into(),
            initial_response: None,
            hostname: None,
        },
        SaslFrame::Challenge(b"challenge".to_vec()),
        SaslFrame::Response(b"response".to_vec()),
        SaslFrame::Outcome {
            code: outcome::SYS_TEMP,
            additional_data: Some(b"later".to_vec()),
        },
        SaslFrame::Outcome {
            code: outcome::OK,
            additional_data: None,
        },
    ];
    for f in frames {
        let mut body = Vec::new();
        f.encode(&mut body);
        assert_eq!(decode_sasl(&body).expect("decodes"), f);
    }
}

#[test]
fn attach_carries_every_terminus_field_between_engines() {
    let mut p = Pair::new();
    p.connect();
    let (cs, _) = p.session();
    let s = LinkSettings {
        name: "full".into(),
        role: Role::Receiver,
        source: Some(TerminusField::Terminus(full_source())),
        target: Some(TerminusField::Terminus(full_target())),
        snd_settle_mode: SndSettleMode::Unsettled,
        rcv_settle_mode: RcvSettleMode::Second,
        max_message_size: Some(4096),
    };
    let (cl, sl) = p.link_with(cs, s.clone());
    let remote = p.server.link(sl).unwrap().remote.clone().unwrap();
    assert_eq!(remote.name, "full");
    assert_eq!(remote.role, Role::Receiver);
    assert_eq!(remote.source, s.source);
    assert_eq!(remote.target, s.target);
    assert_eq!(remote.snd_settle_mode, SndSettleMode::Unsettled);
    assert_eq!(remote.rcv_settle_mode, RcvSettleMode::Second);
    assert_eq!(remote.max_message_size, Some(4096));
    // The server's end is a sender that mirrors the client's termini back.
    let server_end = p.server.link(sl).unwrap();
    assert_eq!(server_end.local.role, Role::Sender);
    let back = p.client.link(cl).unwrap().remote.clone().unwrap();
    assert_eq!(back.role, Role::Sender);
    assert_eq!(back.source, s.source);
}

// ---------------------------------------------------------------------------------------
// Sessions and links

#[test]
fn one_connection_carries_links_in_both_directions() {
    let mut p = Pair::new();
    p.connect();
    let (cs, _) = p.session();
    let (c_send, s_recv) = p.link(cs, "up", Role::Sender);
    let (c_recv, s_send) = p.link(cs, "down", Role::Receiver);
    assert_eq!(p.server.link(s_recv).unwrap().local.role, Role::Receiver);
    assert_eq!(p.server.link(s_send).unwrap().local.role, Role::Sender);
    p.server.add_credit(s_recv, 1);
    p.client.add_credit(c_recv, 1);
    p.pump();
    let up = deliver(
        &mut p,
        Dir::ToServer,
        c_send,
        b"u",
        b"to the server".to_vec(),
    );
    let down = deliver(
        &mut p,
        Dir::ToClient,
        s_send,
        b"d",
        b"to the client".to_vec(),
    );
    assert_eq!(p.server.delivery(up).unwrap().payload, b"to the server");
    assert_eq!(p.server.delivery(up).unwrap().link, s_recv);
    assert_eq!(p.client.delivery(down).unwrap().payload, b"to the client");
    assert_eq!(p.client.delivery(down).unwrap().link, c_recv);
}

#[test]
fn many_sessions_with_many_links_each_get_their_own_channels_and_handles() {
    let mut p = Pair::new();
    p.connect();
    let mut links = Vec::new();
    for s in 0..6 {
        let (cs, ss) = p.session();
        assert_eq!(p.client.session(cs).unwrap().local_channel, Some(s));
        assert_eq!(p.server.session(ss).unwrap().local_channel, Some(s));
        assert_eq!(p.server.session(ss).unwrap().remote_channel, Some(s));
        for l in 0..5u32 {
            let role = if l % 2 == 0 {
                Role::Sender
            } else {
                Role::Receiver
            };
            let (cl, sl) = p.link(cs, &format!("s{s}-l{l}"), role);
            assert_eq!(p.client.link(cl).unwrap().local_handle, Some(l));
            assert_eq!(p.server.link(sl).unwrap().remote_handle, Some(l));
            links.push((cl, sl, role));
        }
    }
    // A message down every link, in its direction.
    for (i, &(cl, sl, role)) in links.iter().enumerate() {
        let (sender, payload) = (
            if role == Role::Sender { cl } else { sl },
            format!("message {i}").into_bytes(),
        );
        if role == Role::Sender {
            p.server.add_credit(sl, 1);
        } else {
            p.client.add_credit(cl, 1);
        }
        p.pump();
        let dir = if role == Role::Sender {
            Dir::ToServer
        } else {
            Dir::ToClient
        };
        let d = deliver(&mut p, dir, sender, b"t", payload.clone());
        let receiver_conn = if role == Role::Sender {
            &p.server
        } else {
            &p.client
        };
        let got = receiver_conn.delivery(d).unwrap();
        assert_eq!(got.payload, payload);
        assert_eq!(got.link, if role == Role::Sender { sl } else { cl });
    }
}

#[test]
fn handles_and_channels_are_reused_after_detach_and_end() {
    let mut p = Pair::new();
    p.connect();
    let (cs, ss) = p.session();
    let (a, sa) = p.link(cs, "a", Role::Sender);
    let (_b, _) = p.link(cs, "b", Role::Sender);
    assert_eq!(p.client.link(a).unwrap().local_handle, Some(0));
    // Detach "a" at both ends: handle 0 is free again on both sides.
    p.client.detach(a, true, None);
    p.pump();
    assert!(p.server_events().contains(&Event::LinkRemoteDetach(sa)));
    p.server.detach(sa, true, None);
    p.pump();
    assert!(p.client_events().contains(&Event::LinkRemoteDetach(a)));
    p.take_log(Dir::ToServer);
    // Reattaching the same name makes a new link on both sides, on handle 0.
    let (a2, sa2) = p.link(cs, "a", Role::Sender);
    assert_ne!(a2, a);
    assert_ne!(sa2, sa);
    assert_eq!(p.client.link(a2).unwrap().local_handle, Some(0));
    assert_eq!(
        p.server.link(sa2).unwrap().endpoint.local,
        EndpointState::Active
    );
    assert_eq!(
        p.client.link(a2).unwrap().endpoint.remote,
        EndpointState::Active
    );
    let attach_handles: Vec<u32> = performatives(&p.take_log(Dir::ToServer))
        .into_iter()
        .filter_map(|p| match p {
            Performative::Attach(a) => Some(a.handle),
            _ => None,
        })
        .collect();
    assert_eq!(attach_handles, vec![0]);
    // The new link works.
    p.server.add_credit(sa2, 1);
    p.pump();
    let d = deliver(&mut p, Dir::ToServer, a2, b"x", b"again".to_vec());
    assert_eq!(p.server.delivery(d).unwrap().link, sa2);

    // End the session at both ends: channel 0 is reused by the next session.
    p.client.end_session(cs, None);
    p.pump();
    assert!(p.server_events().contains(&Event::SessionRemoteEnd(ss)));
    p.server.end_session(ss, None);
    p.pump();
    p.take_log(Dir::ToServer);
    let (cs2, ss2) = p.session();
    assert_ne!(cs2, cs);
    assert_eq!(p.client.session(cs2).unwrap().local_channel, Some(0));
    assert_eq!(p.server.session(ss2).unwrap().remote_channel, Some(0));
    let (l3, sl3) = p.link(cs2, "c", Role::Sender);
    assert_eq!(p.client.link(l3).unwrap().local_handle, Some(0));
    p.server.add_credit(sl3, 1);
    p.pump();
    let d = deliver(&mut p, Dir::ToServer, l3, b"y", b"new session".to_vec());
    assert_eq!(p.server.delivery(d).unwrap().link, sl3);
}

// ---------------------------------------------------------------------------------------
// Flow control

#[test]
fn the_sender_never_sends_beyond_credit() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    for i in 0..10u8 {
        p.client.send(cl, vec![i], vec![i; 10], false).unwrap();
    }
    p.pump();
    assert_eq!(count_transfers(&p.take_log(Dir::ToServer)), 0);
    assert_eq!(p.client.queued(cl), 10);
    for (grant, total) in [(3, 3), (1, 4), (4, 8), (4, 12)] {
        p.server.add_credit(sl, grant);
        p.pump();
        let sent = count_transfers(&p.take_log(Dir::ToServer));
        let expected = total.min(10) - (total - grant).min(10);
        assert_eq!(sent, expected as usize, "after granting {grant}");
        let link = p.client.link(cl).unwrap();
        assert_eq!(link.delivery_count, total.min(10));
        assert_eq!(p.client.queued(cl), 10 - total.min(10) as usize);
        let server_link = p.server.link(sl).unwrap();
        assert_eq!(server_link.delivery_count, total.min(10));
    }
    // 2 credit left over at both ends.
    assert_eq!(p.client.link(cl).unwrap().credit, 2);
    assert_eq!(p.server.link(sl).unwrap().credit, 2);
    // The sender's flows report what it has queued.
    p.client.send(cl, vec![10], vec![], false).unwrap();
    p.client.send(cl, vec![11], vec![], false).unwrap();
    p.client.send(cl, vec![12], vec![], false).unwrap();
    p.pump();
    assert_eq!(count_transfers(&p.take_log(Dir::ToServer)), 2);
    assert_eq!(p.client.queued(cl), 1);
}

#[test]
fn the_sender_respects_the_peer_session_window() {
    // A scripted peer whose session accepts two transfers at a time.
    let now = Instant::now();
    let mut client = Connection::new(client_config());
    client.open();
    let cs = client.begin_session();
    let cl = client.attach(cs, settings("w", Role::Sender)).unwrap();
    for i in 0..6u8 {
        client.send(cl, vec![i], vec![i; 3], false).unwrap();
    }
    let out = take_output(&mut client, now);
    assert_eq!(count(&out, "attach"), 1);
    let mut input = AMQP_HEADER.to_vec();
    input.extend(amqp_frame(
        0,
        &Performative::Open(Open {
            container_id: "peer".into(),
            ..Open::default()
        }),
        &[],
    ));
    input.extend(amqp_frame(
        0,
        &Performative::Begin(Begin {
            remote_channel: Some(0),
            next_outgoing_id: 0,
            incoming_window: 2,
            outgoing_window: 10,
            handle_max: 10,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        &[],
    ));
    let mut attach = match &performatives(&out)[2] {
        Performative::Attach(a) => a.clone(),
        other => panic!("{other:?}"),
    };
    attach.role = Role::Receiver;
    attach.handle = 0;
    input.extend(amqp_frame(0, &Performative::Attach(attach), &[]));
    input.extend(amqp_frame(
        0,
        &Performative::Flow(Flow {
            next_incoming_id: Some(0),
            incoming_window: 2,
            next_outgoing_id: 0,
            outgoing_window: 10,
            handle: Some(0),
            delivery_count: Some(0),
            link_credit: Some(100),
            ..Flow::default()
        }),
        &[],
    ));
    client.handle_input(&input, now);
    let out = take_output(&mut client, now);
    assert_eq!(count_transfers(&out), 2, "window of 2");
    // The window moves on: three more.
    client.handle_input(
        &amqp_frame(
            0,
            &Performative::Flow(Flow {
                next_incoming_id: Some(2),
                incoming_window: 3,
                next_outgoing_id: 0,
                outgoing_window: 10,
                ..Flow::default()
            }),
            &[],
        ),
        now,
    );
    let out = take_output(&mut client, now);
    let ids: Vec<Option<u32>> = transfers(&out).iter().map(|t| t.0.delivery_id).collect();
    assert_eq!(ids, vec![Some(2), Some(3), Some(4)]);
    assert_eq!(client.queued(cl), 1);
    assert_eq!(client.link(cl).unwrap().credit, 95);
    // A 40 MiB message (several frames) behind it, and a window of 2: the small one and
    // one frame go.
    let big = client
        .send(cl, b"big".to_vec(), pattern(40 << 20), false)
        .unwrap();
    let window = |next_incoming_id: u32, incoming_window: u32| {
        amqp_frame(
            0,
            &Performative::Flow(Flow {
                next_incoming_id: Some(next_incoming_id),
                incoming_window,
                next_outgoing_id: 0,
                outgoing_window: 10,
                ..Flow::default()
            }),
            &[],
        )
    };
    client.handle_input(&window(5, 2), now);
    let out = take_output(&mut client, now);
    let frames = transfers(&out);
    assert_eq!(frames.len(), 2);
    assert!(frames[1].0.more);
    // Aborting it with the window shut waits (and does not spin) ...
    assert!(client.abort(big));
    assert!(take_output(&mut client, now).is_empty());
    // ... until the window opens for the aborted transfer.
    client.handle_input(&window(7, 5), now);
    let frames = transfers(&take_output(&mut client, now));
    assert_eq!(frames.len(), 1);
    assert!(frames[0].0.aborted && !frames[0].0.more);
    assert_eq!(frames[0].0.delivery_id, Some(6));
    assert_eq!(client.queued(cl), 0);
    // Nothing to abort once it is all sent, and never an incoming delivery.
    let small = client
        .send(cl, b"s".to_vec(), b"s".to_vec(), false)
        .unwrap();
    take_output(&mut client, now);
    assert!(client.delivery(small).unwrap().transfer_id.is_some());
    assert!(!client.abort(small));
    assert!(!client.abort(big));
}

#[test]
fn drain_with_nothing_queued_advances_delivery_count_and_zeroes_credit() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 5);
    p.pump();
    assert_eq!(p.client.link(cl).unwrap().credit, 5);
    p.take_log(Dir::ToClient);
    p.server.set_drain(sl, true);
    p.pump();
    let asked = flows(&p.take_log(Dir::ToClient));
    assert!(asked.iter().any(|f| f.drain && f.link_credit == Some(5)));
    let answer = flows(&p.take_log(Dir::ToServer));
    let last = answer.last().expect("the sender answered the drain");
    assert_eq!(last.delivery_count, Some(5));
    assert_eq!(last.link_credit, Some(0));
    let c = p.client.link(cl).unwrap();
    assert_eq!((c.delivery_count, c.credit), (5, 0));
    let s = p.server.link(sl).unwrap();
    assert_eq!((s.delivery_count, s.credit, s.drain), (5, 0, false));
    assert!(p.server_events().contains(&Event::LinkFlow(sl)));
}

#[test]
fn drain_sends_what_is_queued_then_gives_back_the_rest() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.client.send(cl, b"1".to_vec(), b"one".to_vec(), false);
    p.client.send(cl, b"2".to_vec(), b"two".to_vec(), false);
    p.server.add_credit(sl, 5);
    p.server.set_drain(sl, true);
    p.pump();
    let c2s = p.take_log(Dir::ToServer);
    assert_eq!(count_transfers(&c2s), 2);
    let last = flows(&c2s).pop().expect("drain answered");
    assert_eq!((last.delivery_count, last.link_credit), (Some(5), Some(0)));
    let s = p.server.link(sl).unwrap();
    assert_eq!((s.delivery_count, s.credit, s.drain), (5, 0, false));
    assert_eq!(deliveries(&p.server_events()).len(), 2);
}

#[test]
fn drain_is_answered_even_when_all_credit_was_used() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.client.send(cl, b"1".to_vec(), b"one".to_vec(), false);
    p.client.send(cl, b"2".to_vec(), b"two".to_vec(), false);
    p.client.send(cl, b"3".to_vec(), b"three".to_vec(), false);
    p.server.add_credit(sl, 2);
    p.server.set_drain(sl, true);
    p.pump();
    let c2s = p.take_log(Dir::ToServer);
    assert_eq!(count_transfers(&c2s), 2);
    let last = flows(&c2s).pop().expect("drain answered");
    assert_eq!((last.delivery_count, last.link_credit), (Some(2), Some(0)));
    assert!(!p.server.link(sl).unwrap().drain, "drain completed");
    assert_eq!(p.client.queued(cl), 1);
}

#[test]
fn a_drain_answer_that_crosses_new_credit_leaves_that_credit_and_the_drain() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 5);
    p.pump();
    // The receiver asks for a drain; the sender answers it (count 5, credit 0)...
    p.server.set_drain(sl, true);
    assert!(p.transmit(Dir::ToClient) > 0);
    // ...while 3 more credit is on its way (still draining).
    p.server.add_credit(sl, 3);
    p.take_log(Dir::ToServer);
    assert!(p.transmit(Dir::ToServer) > 0);
    let answer = flows(&p.take_log(Dir::ToServer));
    assert_eq!(
        (answer[0].delivery_count, answer[0].link_credit),
        (Some(5), Some(0))
    );
    // The answer used up the first 5; the 3 sent since are still the sender's.
    let s = p.server.link(sl).unwrap();
    assert_eq!((s.delivery_count, s.credit, s.drain), (5, 3, true));
    // The second drain request is answered in turn.
    p.pump();
    let s = p.server.link(sl).unwrap();
    assert_eq!((s.delivery_count, s.credit, s.drain), (8, 0, false));
    let c = p.client.link(cl).unwrap();
    assert_eq!((c.delivery_count, c.credit), (8, 0));
}

/// A client engine with a receiving link, facing a scripted sender that attached with
/// `initial_delivery_count`; returns the client, its link and the time.
fn client_facing_scripted_sender(initial_delivery_count: u32) -> (Connection, LinkId, Instant) {
    let now = Instant::now();
    let mut client = Connection::new(client_config());
    client.open();
    let cs = client.begin_session();
    let cl = client.attach(cs, settings("in", Role::Receiver)).unwrap();
    take_output(&mut client, now);
    let mut input = AMQP_HEADER.to_vec();
    input.extend(amqp_frame(
        0,
        &Performative::Open(Open {
            container_id: "peer".into(),
            ..Open::default()
        }),
        &[],
    ));
    input.extend(amqp_frame(
        0,
        &Performative::Begin(Begin {
            remote_channel: Some(0),
            next_outgoing_id: 0xffff_fffe,
            incoming_window: 100,
            outgoing_window: 100,
            handle_max: 10,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        &[],
    ));
    input.extend(amqp_frame(
        0,
        &Performative::Attach(Attach {
            name: "in".into(),
            handle: 3,
            role: Role::Sender,
            snd_settle_mode: SndSettleMode::Unsettled,
            rcv_settle_mode: RcvSettleMode::First,
            source: terminus("in"),
            target: terminus("in"),
            unsettled: None,
            incomplete_unsettled: false,
            initial_delivery_count: Some(initial_delivery_count),
            max_message_size: None,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        &[],
    ));
    client.handle_input(&input, now);
    assert!(answer(&mut client).contains(&Event::LinkRemoteAttach(cl)));
    (client, cl, now)
}

#[test]
fn delivery_counts_and_delivery_ids_wrap_around() {
    let (mut client, cl, now) = client_facing_scripted_sender(0xffff_fffe);
    client.add_credit(cl, 10);
    let flow = flows(&take_output(&mut client, now)).pop().unwrap();
    assert_eq!(flow.delivery_count, Some(0xffff_fffe));
    assert_eq!(flow.link_credit, Some(10));
    assert_eq!(flow.next_incoming_id, Some(0xffff_fffe));
    // Four transfers with delivery-ids across the wrap.
    for id in [0xffff_fffe, 0xffff_ffff, 0, 1] {
        let t = Transfer {
            handle: 3,
            delivery_id: Some(id),
            delivery_tag: Some(id.to_be_bytes()[..].into()),
            ..Transfer::default()
        };
        client.handle_input(&amqp_frame(0, &Performative::Transfer(t), b"m"), now);
    }
    let got = deliveries(&events(&mut client));
    assert_eq!(got.len(), 4);
    let link = client.link(cl).unwrap();
    assert_eq!((link.delivery_count, link.credit), (2, 6));
    // The sender drains across the wrap: count 2 + 6 = 8.
    client.set_drain(cl, true);
    take_output(&mut client, now);
    client.handle_input(
        &amqp_frame(
            0,
            &Performative::Flow(Flow {
                next_incoming_id: Some(0),
                incoming_window: 100,
                next_outgoing_id: 2,
                outgoing_window: 100,
                handle: Some(3),
                delivery_count: Some(8),
                link_credit: Some(0),
                ..Flow::default()
            }),
            &[],
        ),
        now,
    );
    let link = client.link(cl).unwrap();
    assert_eq!(
        (link.delivery_count, link.credit, link.drain),
        (8, 0, false)
    );
    // Accepting all four: a range across the wrap is still understood by a peer.
    for &d in &got {
        client.update(d, DeliveryState::Accepted);
        client.settle(d);
    }
    let ds = dispositions(&take_output(&mut client, now));
    let mut covered = Vec::new();
    for d in &ds {
        let last = d.last.unwrap_or(d.first);
        let mut id = d.first;
        loop {
            covered.push(id);
            if id == last {
                break;
            }
            id = id.wrapping_add(1);
        }
        assert!(d.settled);
    }
    covered.sort_unstable();
    assert_eq!(covered, vec![0, 1, 0xffff_fffe, 0xffff_ffff]);
    assert!(ds.len() <= 2);
}

#[test]
fn interleaved_multi_frame_deliveries_on_two_links_reassemble_apart() {
    let (mut client, cl, now) = client_facing_scripted_sender(0);
    let attach2 = Attach {
        name: "in2".into(),
        handle: 4,
        role: Role::Sender,
        snd_settle_mode: SndSettleMode::Settled,
        rcv_settle_mode: RcvSettleMode::First,
        source: terminus("in2"),
        target: terminus("in2"),
        unsettled: None,
        incomplete_unsettled: false,
        initial_delivery_count: Some(0),
        max_message_size: None,
        offered_capabilities: None,
        desired_capabilities: None,
        properties: None,
    };
    client.handle_input(&amqp_frame(0, &Performative::Attach(attach2), &[]), now);
    let other = answer(&mut client)
        .iter()
        .find_map(|e| match e {
            Event::LinkRemoteAttach(l) => Some(*l),
            _ => None,
        })
        .unwrap();
    client.add_credit(cl, 1);
    client.add_credit(other, 1);
    take_output(&mut client, now);
    let part = |handle: u32, id: Option<u32>, more: bool, bytes: &[u8]| {
        amqp_frame(
            0,
            &Performative::Transfer(Transfer {
                handle,
                delivery_id: id,
                delivery_tag: id.map(|i| [i as u8][..].into()),
                more,
                ..Transfer::default()
            }),
            bytes,
        )
    };
    let input = seq(&[
        &part(3, Some(0), true, b"A1"),
        &part(4, Some(1), true, b"B1"),
        &part(3, None, true, b"A2"),
        &part(4, None, false, b"B2"),
        &part(3, None, false, b"A3"),
    ]);
    client.handle_input(&input, now);
    let got = deliveries(&events(&mut client));
    assert_eq!(got.len(), 2);
    let b = client.delivery(got[0]).unwrap();
    assert_eq!(
        (b.link, b.payload.as_slice(), b.complete),
        (other, &b"B1B2"[..], true)
    );
    let a = client.delivery(got[1]).unwrap();
    assert_eq!(
        (a.link, a.payload.as_slice(), a.complete),
        (cl, &b"A1A2A3"[..], true)
    );
    assert_eq!(client.error(), None);
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn a_flow_with_echo_is_answered_with_the_link_state() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 3);
    p.pump();
    p.client.send(cl, b"1".to_vec(), b"one".to_vec(), false);
    p.pump();
    p.take_log(Dir::ToServer);
    // The server's engine never asks for an echo; the test does it by hand.
    let echo = Flow {
        next_incoming_id: Some(1),
        incoming_window: 1000,
        next_outgoing_id: 0,
        outgoing_window: 1000,
        handle: Some(0),
        delivery_count: Some(1),
        link_credit: Some(2),
        echo: true,
        ..Flow::default()
    };
    let now = p.now;
    p.client
        .handle_input(&amqp_frame(0, &Performative::Flow(echo), &[]), now);
    p.pump();
    let answer = flows(&p.take_log(Dir::ToServer));
    assert_eq!(answer.len(), 1, "{answer:?}");
    assert_eq!(answer[0].handle, Some(0));
    assert_eq!(answer[0].delivery_count, Some(1));
    assert_eq!(answer[0].link_credit, Some(2));
    assert!(!answer[0].echo);
    // A session-level echo (no handle) gets a session flow.
    let echo = Flow {
        next_incoming_id: Some(1),
        incoming_window: 1000,
        next_outgoing_id: 0,
        outgoing_window: 1000,
        echo: true,
        ..Flow::default()
    };
    p.client
        .handle_input(&amqp_frame(0, &Performative::Flow(echo), &[]), now);
    p.pump();
    let answer = flows(&p.take_log(Dir::ToServer));
    assert_eq!(answer.len(), 1, "{answer:?}");
    assert_eq!(answer[0].handle, None);
    assert_eq!(answer[0].next_outgoing_id, 1);
}

// ---------------------------------------------------------------------------------------
// Deliveries

#[test]
fn tags_and_message_format_arrive_as_sent() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 10);
    p.pump();
    let tags: Vec<Vec<u8>> = vec![vec![], vec![0], b"tag-1".to_vec(), vec![0xff; 32]];
    for (i, tag) in tags.iter().enumerate() {
        let d = p
            .client
            .send(cl, tag.clone(), format!("m{i}").into_bytes(), false)
            .unwrap();
        assert!(p.client.set_message_format(d, 0x0101_0000 + i as u32));
    }
    p.pump();
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), tags.len());
    for (i, (d, tag)) in got.iter().zip(&tags).enumerate() {
        let d = p.server.delivery(*d).unwrap();
        assert_eq!(&d.tag[..], &tag[..]);
        assert_eq!(d.message_format, 0x0101_0000 + i as u32);
        assert_eq!(d.payload, format!("m{i}").into_bytes());
        assert_eq!(d.transfer_id, Some(i as u32));
    }
    // Too late once the first frame is out.
    let sent = deliveries(&p.client_events());
    assert!(!p.client.set_message_format(sent[0], 7));
}

#[test]
fn frames_never_exceed_the_peer_max_and_messages_around_the_boundary_reassemble() {
    const MAX: u32 = 1024;
    let mut p = Pair::with(
        client_config(),
        Config {
            max_frame_size: MAX,
            ..server_config()
        },
    );
    p.connect();
    assert_eq!(p.client.remote_open().unwrap().max_frame_size, MAX);
    let (cs, _) = p.session();
    let (cl, sl) = p.link(cs, "big", Role::Sender);
    p.server.add_credit(sl, 1000);
    p.pump();
    p.take_log(Dir::ToServer);
    // Find how much payload fits in one frame with this tag, then test around it (after
    // delivery-id 0, whose encoding is a byte shorter than the ids that follow).
    p.client.send(cl, b"probe".to_vec(), vec![], true);
    p.pump();
    p.take_log(Dir::ToServer);
    deliveries(&p.server_events());
    p.client.send(cl, b"probe".to_vec(), pattern(4000), true);
    p.pump();
    let probe = transfers(&p.take_log(Dir::ToServer));
    // The first frame carries delivery-id, tag and format; continuations carry less.
    let (first_room, room) = (probe[0].1, probe[1].1);
    assert_eq!(
        probe[0].2, MAX as usize,
        "a continued frame is filled to the max"
    );
    assert_eq!(
        probe[1].2, MAX as usize,
        "a continued frame is filled to the max"
    );
    assert!(room > first_room);
    deliveries(&p.server_events());
    let mut sizes = vec![0, 1];
    for k in 0..3 {
        let edge = first_room + k * room;
        sizes.extend([edge - 1, edge, edge + 1]);
    }
    sizes.push(first_room + 10 * room + 17);
    for &size in &sizes {
        p.client.send(cl, b"probe".to_vec(), pattern(size), true);
        p.pump();
        let frames = transfers(&p.take_log(Dir::ToServer));
        assert!(
            frames.iter().all(|f| f.2 <= MAX as usize),
            "size {size}: a frame above {MAX}"
        );
        let expected_frames = 1 + size.saturating_sub(first_room).div_ceil(room);
        assert_eq!(frames.len(), expected_frames, "size {size}");
        assert!(frames[..frames.len() - 1].iter().all(|f| f.0.more));
        assert!(!frames.last().unwrap().0.more);
        let got = deliveries(&p.server_events());
        assert_eq!(got.len(), 1);
        let d = p.server.delivery(got[0]).unwrap();
        assert!(d.complete);
        assert_eq!(d.payload, pattern(size), "size {size}");
    }
    // And the other way: the server splits for the client's max.
    let mut p = Pair::with(
        Config {
            max_frame_size: 512,
            ..client_config()
        },
        server_config(),
    );
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link(cs, "down", Role::Receiver);
    p.client.add_credit(cl, 1);
    p.pump();
    p.take_log(Dir::ToClient);
    let d = deliver(&mut p, Dir::ToClient, sl, b"t", pattern(5000));
    assert_eq!(p.client.delivery(d).unwrap().payload, pattern(5000));
    let frames = transfers(&p.take_log(Dir::ToClient));
    assert!(frames.len() >= 10);
    assert!(frames.iter().all(|f| f.2 <= 512));
}

#[test]
fn a_long_delivery_tag_still_fits_the_frame() {
    let mut p = Pair::with(
        client_config(),
        Config {
            max_frame_size: 512,
            ..server_config()
        },
    );
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link(cs, "tags", Role::Sender);
    p.server.add_credit(sl, 1);
    p.pump();
    p.take_log(Dir::ToServer);
    let d = deliver(&mut p, Dir::ToServer, cl, &[7; 300], pattern(2000));
    assert_eq!(p.server.delivery(d).unwrap().payload, pattern(2000));
    assert_eq!(&p.server.delivery(d).unwrap().tag[..], &[7; 300][..]);
    let frames = transfers(&p.take_log(Dir::ToServer));
    assert!(
        frames.iter().all(|f| f.2 <= 512),
        "{:?}",
        frames.iter().map(|f| f.2).collect::<Vec<_>>()
    );
}

#[test]
fn a_hundred_megabyte_message_crosses_with_bounded_output() {
    const SIZE: usize = 100 * 1024 * 1024;
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.to_server.record = false;
    p.to_client.record = false;
    p.server.add_credit(sl, 1);
    p.pump();
    // A recognisable period-251 pattern, checked without a second copy.
    let block = pattern(251);
    let payload: Vec<u8> = block.iter().copied().cycle().take(SIZE).collect();
    p.client.send(cl, b"big".to_vec(), payload, false).unwrap();
    p.pump();
    assert!(
        // One frame of at most 16 MiB (FRAME_CAP) plus the output high water mark.
        p.to_server.max_batch <= 17 * 1024 * 1024 + 4096,
        "the sender buffered {} bytes at once",
        p.to_server.max_batch
    );
    assert!(p.to_server.total > SIZE);
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), 1);
    let d = p.server.delivery(got[0]).unwrap();
    assert!(d.complete);
    assert_eq!(d.payload.len(), SIZE);
    assert!(d.payload.chunks(251).all(|c| c == &block[..c.len()]));
    let bytes = p.server.take_payload(got[0]).unwrap();
    drop(bytes);
    p.server.update(got[0], DeliveryState::Accepted);
    p.server.settle(got[0]);
    p.pump();
    let sent = deliveries(&p.client_events());
    let d = p.client.delivery(sent[0]).unwrap();
    assert_eq!(d.remote_state, Some(DeliveryState::Accepted));
    // The sender kept no copy of the payload once it was on the wire.
    assert!(d.payload.is_empty());
}

#[test]
fn an_aborted_multi_frame_send_is_discarded_by_the_receiver() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 2);
    p.pump();
    p.take_log(Dir::ToServer);
    // 3 MiB: more than the sender writes in one go, so part is still unsent.
    let d = p
        .client
        .send(cl, b"a".to_vec(), pattern(3 << 20), false)
        .unwrap();
    assert!(p.transmit(Dir::ToServer) > 0);
    assert!(p.client.delivery(d).unwrap().transfer_id.is_some());
    assert!(p.client.abort(d));
    assert!(p.client.delivery(d).unwrap().aborted);
    p.pump();
    let frames = transfers(&p.take_log(Dir::ToServer));
    let last = &frames.last().unwrap().0;
    assert!(last.aborted);
    assert!(!last.more);
    assert!(frames.len() < 4, "the rest was not sent: {}", frames.len());
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), 1);
    let r = p.server.delivery(got[0]).unwrap();
    assert!(r.aborted);
    assert!(!r.complete);
    assert!(r.payload.is_empty());
    // The link goes on: the next message uses the remaining credit.
    let next = deliver(&mut p, Dir::ToServer, cl, b"b", b"after".to_vec());
    assert_ne!(next, got[0]);
    assert_eq!(p.server.delivery(next).unwrap().payload, b"after");
    assert!(p.server.delivery(next).unwrap().complete);
    // Aborting before anything was sent sends nothing and uses no credit.
    p.take_log(Dir::ToServer);
    let unsent = p
        .client
        .send(cl, b"c".to_vec(), b"never".to_vec(), false)
        .unwrap();
    assert!(p.client.abort(unsent));
    p.server.add_credit(sl, 1);
    p.pump();
    assert_eq!(count_transfers(&p.take_log(Dir::ToServer)), 0);
    assert_eq!(p.client.link(cl).unwrap().credit, 1);
    assert_eq!(p.client.queued(cl), 0);
}

#[test]
fn a_hand_made_aborted_transfer_ends_the_partial_delivery() {
    let (mut p, _cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 5);
    p.pump();
    let now = p.now;
    let first = Transfer {
        handle: 0,
        delivery_id: Some(0),
        delivery_tag: Some(b"x".into()),
        message_format: Some(0),
        more: true,
        ..Transfer::default()
    };
    let abort = Transfer {
        handle: 0,
        more: false,
        aborted: true,
        ..Transfer::default()
    };
    p.server.handle_input(
        &amqp_frame(0, &Performative::Transfer(first), b"partial"),
        now,
    );
    assert_eq!(deliveries(&p.server_events()), vec![]);
    p.server.handle_input(
        &amqp_frame(0, &Performative::Transfer(abort), b"ignored"),
        now,
    );
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), 1);
    let d = p.server.delivery(got[0]).unwrap();
    assert!(d.aborted && !d.complete && d.payload.is_empty());
    assert_eq!(p.server.error(), None);
}

#[test]
fn presettled_and_unsettled_deliveries() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 10);
    p.pump();
    let pre = p
        .client
        .send(cl, b"p".to_vec(), b"pre".to_vec(), true)
        .unwrap();
    let un = p
        .client
        .send(cl, b"u".to_vec(), b"un".to_vec(), false)
        .unwrap();
    p.pump();
    let got = deliveries(&p.server_events());
    let frames = transfers(&p.take_log(Dir::ToServer));
    assert_eq!(frames[0].0.settled, Some(true));
    assert!(!frames[1].0.settled.unwrap_or(false));
    assert!(p.server.delivery(got[0]).unwrap().remote_settled);
    assert!(!p.server.delivery(got[1]).unwrap().remote_settled);
    // Pre-settled: once written, the sender's application letting go of it is the end.
    assert!(p.client.delivery(pre).unwrap().local_settled);
    p.client.settle(pre);
    assert!(p.client.delivery(pre).is_none());
    // Settling it at the receiver sends nothing back either.
    p.server.settle(got[0]);
    p.pump();
    assert_eq!(count(&p.take_log(Dir::ToServer), "disposition"), 0);
    assert_eq!(count(&p.take_log(Dir::ToClient), "disposition"), 0);
    assert!(p.server.delivery(got[0]).is_none());
    p.server.update(got[1], DeliveryState::Accepted);
    p.server.settle(got[1]);
    p.pump();
    let d = p.client.delivery(un).unwrap();
    assert_eq!(d.remote_state, Some(DeliveryState::Accepted));
    assert!(d.remote_settled);
    assert!(p.client_events().contains(&Event::Delivery(un)));
    // The sender settling what the receiver settled needs no frame.
    p.take_log(Dir::ToServer);
    p.client.settle(un);
    p.pump();
    assert_eq!(count(&p.take_log(Dir::ToServer), "disposition"), 0);
    assert!(p.client.delivery(un).is_none());
    assert!(p.server.delivery(got[1]).is_none());
}

#[test]
fn transfers_are_settled_as_the_sender_chose_whatever_the_mode_announced() {
    // As proton's engine: the snd-settle-mode is announced on the attach, and the
    // application settles (or not) each delivery; the engine does not settle for it.
    for (mode, presettle, expect_settled) in [
        (SndSettleMode::Settled, true, true),
        (SndSettleMode::Settled, false, false),
        (SndSettleMode::Unsettled, false, false),
        (SndSettleMode::Mixed, true, true),
        (SndSettleMode::Mixed, false, false),
    ] {
        let mut p = Pair::new();
        p.connect();
        let (cs, _) = p.session();
        let (cl, sl) = p.link_with(
            cs,
            LinkSettings {
                snd_settle_mode: mode,
                ..settings("m", Role::Sender)
            },
        );
        assert_eq!(
            p.server
                .link(sl)
                .unwrap()
                .remote
                .as_ref()
                .unwrap()
                .snd_settle_mode,
            mode
        );
        p.server.add_credit(sl, 1);
        p.pump();
        p.take_log(Dir::ToServer);
        p.client.send(cl, b"t".to_vec(), b"m".to_vec(), presettle);
        p.pump();
        let d = deliveries(&p.server_events())[0];
        let frames = transfers(&p.take_log(Dir::ToServer));
        assert_eq!(
            frames[0].0.settled.unwrap_or(false),
            expect_settled,
            "{mode:?}"
        );
        assert_eq!(p.server.delivery(d).unwrap().remote_settled, expect_settled);
    }
}

#[test]
fn rcv_settle_mode_second_settles_after_the_sender() {
    let mut p = Pair::new();
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link_with(
        cs,
        LinkSettings {
            snd_settle_mode: SndSettleMode::Unsettled,
            rcv_settle_mode: RcvSettleMode::Second,
            ..settings("second", Role::Sender)
        },
    );
    assert_eq!(
        p.server
            .link(sl)
            .unwrap()
            .remote
            .as_ref()
            .unwrap()
            .rcv_settle_mode,
        RcvSettleMode::Second
    );
    p.server.add_credit(sl, 1);
    p.pump();
    let sent = p
        .client
        .send(cl, b"t".to_vec(), b"m".to_vec(), false)
        .unwrap();
    p.pump();
    let got = deliveries(&p.server_events())[0];
    // 1. The receiver accepts without settling.
    p.server.update(got, DeliveryState::Accepted);
    p.pump();
    let d = dispositions(&p.take_log(Dir::ToClient));
    assert_eq!(d.len(), 1);
    assert!(!d[0].settled);
    assert_eq!(d[0].state, Some(DeliveryState::Accepted));
    let s = p.client.delivery(sent).unwrap();
    assert_eq!(s.remote_state, Some(DeliveryState::Accepted));
    assert!(!s.remote_settled);
    // 2. The sender settles.
    p.client.settle(sent);
    p.pump();
    let d = dispositions(&p.take_log(Dir::ToServer));
    assert_eq!(d.len(), 1);
    assert!(d[0].settled);
    assert_eq!(d[0].role, Role::Sender);
    assert!(p.server.delivery(got).unwrap().remote_settled);
    assert!(p.server_events().contains(&Event::Delivery(got)));
    // 3. The receiver settles last: nothing more to say.
    p.server.settle(got);
    p.pump();
    assert_eq!(count(&p.take_log(Dir::ToClient), "disposition"), 0);
    assert!(p.server.delivery(got).is_none());
}

#[test]
fn dispositions_carry_every_outcome_in_both_directions() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    let states = every_delivery_state();
    p.server.add_credit(sl, 2 * states.len() as u32);
    p.pump();
    let mut sent = Vec::new();
    for i in 0..2 * states.len() {
        sent.push(p.client.send(cl, vec![i as u8], vec![], false).unwrap());
    }
    p.pump();
    let got = deliveries(&p.server_events());
    deliveries(&p.client_events());
    assert_eq!(got.len(), sent.len());
    // Receiver to sender.
    for (i, state) in states.iter().enumerate() {
        p.server.update(got[i], state.clone());
    }
    p.pump();
    let events = p.client_events();
    for (i, state) in states.iter().enumerate() {
        assert_eq!(
            p.client.delivery(sent[i]).unwrap().remote_state.as_ref(),
            Some(state)
        );
        assert!(events.contains(&Event::Delivery(sent[i])));
    }
    // Sender to receiver.
    let base = states.len();
    for (i, state) in states.iter().enumerate() {
        p.client.update(sent[base + i], state.clone());
    }
    p.pump();
    let events = p.server_events();
    for (i, state) in states.iter().enumerate() {
        assert_eq!(
            p.server
                .delivery(got[base + i])
                .unwrap()
                .remote_state
                .as_ref(),
            Some(state)
        );
        assert!(events.contains(&Event::Delivery(got[base + i])));
    }
}

#[test]
fn echo_outcomes_answers_each_outcome_with_it_and_raises_no_event() {
    let mut client = Config::new(Side::Client, "client");
    client.echo_outcomes = true;
    client.disposition_events = false;
    let mut p = Pair::with(client, Config::new(Side::Server, "server"));
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link(cs, "to-server", Role::Sender);
    p.server.add_credit(sl, 10);
    p.pump();
    let sent: Vec<_> = (0..4u8)
        .map(|i| p.client.send(cl, &[i], vec![i], false).unwrap())
        .collect();
    p.pump();
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), 4);
    p.client_events();
    p.take_log(Dir::ToServer);
    let states = [
        DeliveryState::Accepted,
        DeliveryState::Accepted,
        DeliveryState::Released,
        DeliveryState::Accepted,
    ];
    for (&d, state) in got.iter().zip(&states).take(3) {
        p.server.update(d, state.clone());
    }
    // The last one: outcome and settlement at once, which needs no answer.
    p.server.update(got[3], DeliveryState::Accepted);
    p.server.settle(got[3]);
    p.pump();
    assert!(!p
        .client_events()
        .iter()
        .any(|e| matches!(e, Event::Delivery(_))));
    for (&d, state) in sent.iter().zip(&states) {
        let d = p.client.delivery(d).unwrap();
        assert_eq!(d.remote_state.as_ref(), Some(state));
        assert_eq!(d.local_state.as_ref(), Some(state));
    }
    let echoed: Vec<_> = dispositions(&p.take_log(Dir::ToServer))
        .into_iter()
        .map(|d| (d.role, d.first, d.last, d.settled, d.state))
        .collect();
    assert_eq!(
        echoed,
        vec![
            (
                Role::Sender,
                0,
                Some(1),
                false,
                Some(DeliveryState::Accepted)
            ),
            (Role::Sender, 2, None, false, Some(DeliveryState::Released)),
        ]
    );
    for (&d, state) in got.iter().zip(&states).take(3) {
        assert_eq!(
            p.server.delivery(d).unwrap().remote_state.as_ref(),
            Some(state)
        );
    }
    // Told twice, answered once.
    p.server.update(got[0], DeliveryState::Accepted);
    p.pump();
    assert!(dispositions(&p.take_log(Dir::ToServer)).is_empty());
}

/// A server that defers dispositions, a client sender with credit, two small messages
/// received and accepted, and a large one of which the server has half a frame.
fn accepts_held_by_a_frame_in_progress() -> (Pair, Vec<u8>) {
    let mut server = Config::new(Side::Server, "server");
    server.defer_dispositions = true;
    let mut p = Pair::with(Config::new(Side::Client, "client"), server);
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link(cs, "to-server", Role::Sender);
    p.server.add_credit(sl, 10);
    p.pump();
    for i in 0..2u8 {
        p.client.send(cl, &[i], vec![i; 10], false).unwrap();
    }
    p.pump();
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), 2);
    p.take_log(Dir::ToClient);
    p.client.send(cl, b"big", vec![7; 100_000], false).unwrap();
    let big = p.client.poll_output().to_vec();
    p.client.consume_output(big.len(), p.now);
    p.server.handle_input(&big[..big.len() / 2], p.now);
    for d in got {
        p.server.update(d, DeliveryState::Accepted);
    }
    (p, big)
}

fn written_dispositions(p: &mut Pair) -> Vec<(u32, Option<u32>)> {
    let out = p.server.poll_output().to_vec();
    p.server.consume_output(out.len(), p.now);
    dispositions(&out)
        .iter()
        .map(|d| (d.first, d.last))
        .collect()
}

#[test]
fn deferred_dispositions_wait_for_the_frame_in_progress() {
    let (mut p, big) = accepts_held_by_a_frame_in_progress();
    assert_eq!(written_dispositions(&mut p), vec![]);
    let half = big.len() / 2;
    p.server.handle_input(&big[half..], p.now);
    assert_eq!(written_dispositions(&mut p), vec![(0, Some(1))]);
}

#[test]
fn deferred_dispositions_go_when_their_time_is_up_or_the_link_closes() {
    let (mut p, _) = accepts_held_by_a_frame_in_progress();
    assert_eq!(written_dispositions(&mut p), vec![]);
    let due = p
        .server
        .poll_timeout()
        .expect("a deadline for the held dispositions");
    assert!(due <= p.now + qpid_proton::engine::connection::DEFER_FOR);
    p.server.handle_timeout(due);
    assert_eq!(written_dispositions(&mut p), vec![(0, Some(1))]);
    assert_eq!(p.server.poll_timeout(), None);

    let (mut p, _) = accepts_held_by_a_frame_in_progress();
    let link = p.server.links().next().expect("the link");
    p.server.detach(link, true, None);
    let out = p.server.poll_output().to_vec();
    let frames = performatives(&out);
    let at = |f: fn(&Performative) -> bool| frames.iter().position(f).expect("written");
    assert!(
        at(|f| matches!(f, Performative::Disposition(_)))
            < at(|f| matches!(f, Performative::Detach(_)))
    );
}

#[test]
fn settling_a_hundred_consecutive_deliveries_takes_few_disposition_frames() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 300);
    p.pump();
    let send_100 = |p: &mut Pair| -> Vec<DeliveryId> {
        (0..100u32)
            .map(|i| {
                p.client
                    .send(cl, i.to_be_bytes().to_vec(), vec![1], false)
                    .unwrap()
            })
            .collect()
    };
    let sent = send_100(&mut p);
    p.pump();
    let got = deliveries(&p.server_events());
    deliveries(&p.client_events());
    assert_eq!(got.len(), 100);
    p.take_log(Dir::ToClient);
    // Receiver: accept all (unsettled): one range.
    for &d in &got {
        p.server.update(d, DeliveryState::Accepted);
    }
    p.pump();
    let d = dispositions(&p.take_log(Dir::ToClient));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].role, d[0].first, d[0].last),
        (Role::Receiver, 0, Some(99))
    );
    assert!(!d[0].settled);
    assert!(sent
        .iter()
        .all(|&s| p.client.delivery(s).unwrap().remote_state == Some(DeliveryState::Accepted)));
    // Different states split the range: 0-49 released, 50-99 modified.
    let modified = DeliveryState::Modified {
        delivery_failed: true,
        undeliverable_here: false,
        message_annotations: None,
    };
    for (i, &g) in got.iter().enumerate() {
        let state = if i < 50 {
            DeliveryState::Released
        } else {
            modified.clone()
        };
        p.server.update(g, state);
    }
    p.pump();
    let d = dispositions(&p.take_log(Dir::ToClient));
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!((d[0].first, d[0].last), (0, Some(49)));
    assert_eq!(d[0].state, Some(DeliveryState::Released));
    assert_eq!((d[1].first, d[1].last), (50, Some(99)));
    assert_eq!(d[1].state, Some(modified));
    // Sender: settle all: one range.
    p.take_log(Dir::ToServer);
    deliveries(&p.client_events());
    for &s in &sent {
        p.client.settle(s);
    }
    p.pump();
    let d = dispositions(&p.take_log(Dir::ToServer));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].role, d[0].first, d[0].last, d[0].settled),
        (Role::Sender, 0, Some(99), true)
    );
    assert!(got
        .iter()
        .all(|&g| p.server.delivery(g).unwrap().remote_settled));
    deliveries(&p.server_events());
    // Receiver-first settlement of a fresh batch: accept+settle 100 in one frame.
    let more = send_100(&mut p);
    p.pump();
    let got = deliveries(&p.server_events());
    assert_eq!(got.len(), 100);
    for &g in &got {
        p.server.update(g, DeliveryState::Accepted);
        p.server.settle(g);
    }
    p.pump();
    let d = dispositions(&p.take_log(Dir::ToClient));
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(
        (d[0].first, d[0].last, d[0].settled),
        (100, Some(199), true)
    );
    assert!(more
        .iter()
        .all(|&m| p.client.delivery(m).unwrap().remote_settled));
}

#[test]
fn delivery_ids_count_per_session_so_ranges_stay_contiguous() {
    let mut p = Pair::new();
    p.connect();
    let (s1, _) = p.session();
    let (s2, _) = p.session();
    let (l1, r1) = p.link(s1, "one", Role::Sender);
    let (l2, r2) = p.link(s2, "two", Role::Sender);
    p.server.add_credit(r1, 10);
    p.server.add_credit(r2, 10);
    p.pump();
    p.take_log(Dir::ToServer);
    for i in 0..10u8 {
        let link = if i % 2 == 0 { l1 } else { l2 };
        p.client.send(link, vec![i], vec![i], false).unwrap();
    }
    p.pump();
    let mut ids: [Vec<u32>; 2] = [vec![], vec![]];
    for u in parse_stream(&p.take_log(Dir::ToServer)) {
        if let Unit::Amqp {
            channel,
            performative: Performative::Transfer(t),
            ..
        } = u
        {
            ids[channel as usize].push(t.delivery_id.unwrap());
        }
    }
    assert_eq!(ids[0], vec![0, 1, 2, 3, 4]);
    assert_eq!(ids[1], vec![0, 1, 2, 3, 4]);
    for g in deliveries(&p.server_events()) {
        p.server.update(g, DeliveryState::Accepted);
        p.server.settle(g);
    }
    p.pump();
    assert_eq!(count(&p.take_log(Dir::ToClient), "disposition"), 2);
}

// ---------------------------------------------------------------------------------------
// Idle timeout

#[test]
fn idle_timeout_is_advertised_only_when_configured() {
    let mut p = Pair::with(
        client_config(),
        Config {
            idle_timeout: Some(Duration::from_secs(10)),
            ..server_config()
        },
    );
    p.connect();
    assert_eq!(p.server.remote_open().unwrap().idle_time_out, None);
    assert_eq!(p.server.remote_idle_timeout(), None);
    // The server advertises its timeout, or half of it as proton does (spec 2.4.5
    // recommends half, so that a peer's heartbeats are never late).
    let advertised = p.client.remote_open().unwrap().idle_time_out;
    assert!(
        matches!(advertised, Some(5_000) | Some(10_000)),
        "{advertised:?}"
    );
    assert_eq!(
        p.client.remote_idle_timeout(),
        advertised.map(|ms| Duration::from_millis(ms as u64))
    );
}

#[test]
fn empty_frames_go_out_at_half_the_peer_timeout_and_keep_both_alive() {
    let mut p = Pair::with(
        Config {
            idle_timeout: Some(Duration::from_secs(4)),
            ..client_config()
        },
        Config {
            idle_timeout: Some(Duration::from_secs(10)),
            ..server_config()
        },
    );
    p.connect();
    // Each side beats at half of what the other advertised.
    let client_gap = p.client.remote_idle_timeout().unwrap() / 2;
    let server_gap = p.server.remote_idle_timeout().unwrap() / 2;
    assert!(client_gap <= Duration::from_secs(5) && server_gap <= Duration::from_secs(2));
    p.take_log(Dir::ToServer);
    p.take_log(Dir::ToClient);
    let start = p.now;
    let end = start + Duration::from_secs(60);
    let (mut client_beats, mut server_beats) = (vec![], vec![]);
    while p.run_timers_until(end) {
        for u in parse_stream(&p.take_log(Dir::ToServer)) {
            assert!(matches!(u, Unit::Empty { size: 8, .. }), "{u:?}");
            client_beats.push(p.now - start);
        }
        for u in parse_stream(&p.take_log(Dir::ToClient)) {
            assert!(matches!(u, Unit::Empty { size: 8, .. }), "{u:?}");
            server_beats.push(p.now - start);
        }
    }
    let every = |beats: &[Duration], gap: Duration| {
        beats.len() as u32 == 60_000 / gap.as_millis() as u32
            && beats
                .iter()
                .enumerate()
                .all(|(i, &t)| t == gap * (i as u32 + 1))
    };
    assert!(every(&client_beats, client_gap), "{client_beats:?}");
    assert!(every(&server_beats, server_gap), "{server_beats:?}");
    assert_eq!(p.client.error(), None);
    assert_eq!(p.server.error(), None);
    assert_eq!(p.client.remote_state(), EndpointState::Active);
}

#[test]
fn no_heartbeats_without_a_peer_timeout() {
    let mut p = Pair::new();
    p.connect();
    assert_eq!(p.next_timeout(), None);
    p.advance(Duration::from_secs(3600));
    p.tick();
    assert_eq!(p.pump(), 0);
}

#[test]
fn a_silent_peer_is_closed_with_resource_limit_exceeded() {
    let mut p = Pair::with(
        Config {
            idle_timeout: Some(Duration::from_secs(4)),
            ..client_config()
        },
        server_config(),
    );
    p.connect();
    p.take_log(Dir::ToServer);
    let start = p.now;
    // The server's heartbeats (at 2 s) are lost: the client hears nothing.
    p.to_client.drop = true;
    while p.run_timers_until(start + Duration::from_secs(30)) {}
    let events = p.client_events();
    let error = transport_error(&events).expect("timed out");
    assert_eq!(error.condition, condition::RESOURCE_LIMIT_EXCEEDED);
    assert_eq!(p.now - start, Duration::from_secs(4));
    // The server reads why in a close frame.
    let close = close_error(&p.take_log(Dir::ToServer)).expect("close with error");
    assert_eq!(close.condition, condition::RESOURCE_LIMIT_EXCEEDED);
    assert!(p.server_events().contains(&Event::ConnectionRemoteClose));
    assert_eq!(
        p.server.remote_condition().unwrap().condition,
        condition::RESOURCE_LIMIT_EXCEEDED
    );
    assert_eq!(p.client.poll_timeout(), None);
}

#[test]
fn no_heartbeats_after_our_close() {
    let mut p = Pair::with(
        client_config(),
        Config {
            idle_timeout: Some(Duration::from_secs(10)),
            ..server_config()
        },
    );
    p.connect();
    // The client closes; the server's application never answers.
    p.client.close(None);
    p.pump();
    p.take_log(Dir::ToServer);
    let start = p.now;
    while p.run_timers_until(start + Duration::from_secs(30)) {}
    assert!(
        p.take_log(Dir::ToServer).is_empty(),
        "nothing may follow close"
    );
}

// ---------------------------------------------------------------------------------------
// Robustness: the byte stream's cut points do not matter

/// A whole conversation (SASL, open, two sessions, links both ways, a multi-frame message,
/// dispositions, detach, end, close) on a pair prepared by `setup`; returns each side's
/// events.
fn conversation(setup: impl FnOnce(&mut Pair)) -> (Vec<Event>, Vec<Event>, Pair) {
    let mut p = Pair::with(
        Config {
            sasl: Some(ClientCredentials::default()),
            ..client_config()
        },
        Config {
            max_frame_size: 600,
            ..server_config()
        },
    );
    setup(&mut p);
    let (mut ce, mut se) = (vec![], vec![]);
    fn step(p: &mut Pair, ce: &mut Vec<Event>, se: &mut Vec<Event>) {
        p.pump();
        se.extend(answer(&mut p.server));
        p.pump();
        ce.extend(answer(&mut p.client));
    }
    p.client.open();
    let cs = p.client.begin_session();
    let up = p.client.attach(cs, settings("up", Role::Sender)).unwrap();
    let down = p
        .client
        .attach(cs, settings("down", Role::Receiver))
        .unwrap();
    let cs2 = p.client.begin_session();
    p.client.add_credit(down, 3);
    p.client.send(up, b"a".to_vec(), pattern(1500), false);
    p.client.send(up, b"b".to_vec(), b"small".to_vec(), true);
    step(&mut p, &mut ce, &mut se);
    let server_links: Vec<LinkId> = p.server.links().collect();
    for &l in &server_links {
        if p.server.link(l).unwrap().local.role == Role::Receiver {
            p.server.add_credit(l, 5);
        } else {
            p.server.send(l, b"c".to_vec(), pattern(900), false);
        }
    }
    step(&mut p, &mut ce, &mut se);
    for d in deliveries(&se) {
        if p.server
            .delivery(d)
            .is_some_and(|d| !d.outgoing && d.complete)
        {
            p.server.update(d, DeliveryState::Accepted);
            p.server.settle(d);
        }
    }
    for d in deliveries(&ce) {
        if p.client
            .delivery(d)
            .is_some_and(|d| !d.outgoing && d.complete)
        {
            p.client.update(
                d,
                DeliveryState::Rejected {
                    error: Some(Box::new(ErrorCondition::new("x:y", "no"))),
                },
            );
        }
    }
    step(&mut p, &mut ce, &mut se);
    p.client.detach(up, true, None);
    p.client.end_session(cs2, None);
    step(&mut p, &mut ce, &mut se);
    for e in se.clone() {
        match e {
            Event::LinkRemoteDetach(l) => p.server.detach(l, true, None),
            Event::SessionRemoteEnd(s) => p.server.end_session(s, None),
            _ => {}
        }
    }
    step(&mut p, &mut ce, &mut se);
    p.client.close(None);
    step(&mut p, &mut ce, &mut se);
    p.server.close(None);
    step(&mut p, &mut ce, &mut se);
    (ce, se, p)
}

#[test]
fn feeding_one_byte_at_a_time_gives_the_same_events() {
    let (ce, se, whole) = conversation(|_| {});
    assert!(whole.client.is_closed() && whole.server.is_closed());
    assert!(
        se.iter()
            .filter(|e| matches!(e, Event::Delivery(_)))
            .count()
            >= 2
    );
    assert!(ce.contains(&Event::ConnectionRemoteClose));
    let (ce1, se1, bytes) = conversation(|p| {
        p.to_server.chunk = Some(1);
        p.to_client.chunk = Some(1);
    });
    assert!(bytes.to_server.deliveries > 1000);
    assert_eq!(se1, se);
    assert_eq!(ce1, ce);
}

#[test]
fn splitting_the_stream_at_every_offset_gives_the_same_events() {
    let (ce, se, whole) = conversation(|_| {});
    let totals = (whole.to_server.total, whole.to_client.total);
    assert!(totals.0 > 1500 && totals.1 > 1000, "{totals:?}");
    for at in 1..totals.0 {
        let (c, s, _) = conversation(|p| p.to_server.split_at = vec![at]);
        assert_eq!(
            (&c, &s),
            (&ce, &se),
            "client-to-server stream split at {at}"
        );
    }
    for at in 1..totals.1 {
        let (c, s, _) = conversation(|p| p.to_client.split_at = vec![at]);
        assert_eq!(
            (&c, &s),
            (&ce, &se),
            "server-to-client stream split at {at}"
        );
    }
}
