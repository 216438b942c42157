//! Teardown and bad input: detach/end/close handshakes with and without errors, transport
//! errors (EOF), and a scripted peer sending wrong headers, bad frames, unknown or
//! malformed performatives and frames illegal in the current state. For each, the engine
//! must close with the right AMQP condition in a close frame the peer can decode, report
//! it as a `TransportError`, and never panic, however the bytes are cut.

mod engine_util;

use engine_util::*;
use qpid_proton::engine::connection::condition;
use qpid_proton::engine::frame::{FrameType, AMQP_HEADER, SASL_HEADER, TLS_HEADER};
use qpid_proton::engine::performative::*;
use qpid_proton::engine::{Config, Connection, EndpointState, Event, Side};
use std::time::Instant;

fn server_config() -> Config {
    Config::new(Side::Server, "server")
}

fn count_closed(events: &[Event]) -> usize {
    events
        .iter()
        .filter(|e| **e == Event::TransportClosed)
        .count()
}

// ---------------------------------------------------------------------------------------
// Orderly ends

#[test]
fn detach_end_and_close_handshakes_without_errors() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    let cs = p.client.link(cl).unwrap().session;
    let ss = p.server.link(sl).unwrap().session;
    p.take_log(Dir::ToServer);

    p.client.detach(cl, true, None);
    p.pump();
    match &performatives(&p.take_log(Dir::ToServer))[..] {
        [Performative::Detach(d)] => assert!(d.closed && d.error.is_none()),
        other => panic!("{other:?}"),
    }
    assert_eq!(p.server_events(), vec![Event::LinkRemoteDetach(sl)]);
    let server_link = p.server.link(sl).unwrap();
    assert_eq!(server_link.endpoint.remote, EndpointState::Closed);
    assert_eq!(server_link.endpoint.remote_condition, None);
    p.server.detach(sl, true, None);
    p.pump();
    assert_eq!(p.client_events(), vec![Event::LinkRemoteDetach(cl)]);

    p.client.end_session(cs, None);
    p.pump();
    match &performatives(&p.take_log(Dir::ToServer))[..] {
        [Performative::End(None)] => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(p.server_events(), vec![Event::SessionRemoteEnd(ss)]);
    p.server.end_session(ss, None);
    p.pump();
    assert_eq!(p.client_events(), vec![Event::SessionRemoteEnd(cs)]);
    assert_eq!(
        p.client.session(cs).unwrap().endpoint.remote,
        EndpointState::Closed
    );

    p.client.close(None);
    p.pump();
    assert_eq!(
        performatives(&p.take_log(Dir::ToServer)),
        vec![Performative::Close(None)]
    );
    let mut server_events = p.server_events();
    assert_eq!(server_events, vec![Event::ConnectionRemoteClose]);
    assert_eq!(p.server.remote_state(), EndpointState::Closed);
    assert!(!p.client.is_closed(), "waiting for the server's close");
    p.server.close(None);
    p.pump();
    let mut client_events = p.client_events();
    assert!(client_events.contains(&Event::ConnectionRemoteClose));
    server_events.extend(p.server_events());
    assert!(p.client.is_closed() && p.server.is_closed());
    // Clean EOFs after the close handshake.
    p.client.handle_eof();
    p.server.handle_eof();
    // TransportClosed is reported once, however often the engines are polled afterwards.
    for _ in 0..3 {
        assert!(p.client.poll_output().is_empty());
        p.client.consume_output(0, p.now);
        p.server.consume_output(0, p.now);
        p.client.handle_input(b"ignored", p.now);
        client_events.extend(p.client_events());
        server_events.extend(p.server_events());
    }
    assert_eq!(count_closed(&client_events), 1, "{client_events:?}");
    assert_eq!(count_closed(&server_events), 1, "{server_events:?}");
    assert_eq!(transport_error(&client_events), None);
    assert_eq!(transport_error(&server_events), None);
    assert_eq!(p.client.error(), None);
}

fn error(cond: &str, text: &str) -> ErrorCondition {
    ErrorCondition {
        condition: cond.into(),
        description: Some(text.into()),
        // {"detail": 42}
        info: Some(vec![
            0xc1, 0x0b, 0x02, 0xa3, 0x06, b'd', b'e', b't', b'a', b'i', b'l', 0x52, 42,
        ]),
    }
}

#[test]
fn remote_errors_on_detach_end_and_close_are_exposed_as_conditions() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    let cs = p.client.link(cl).unwrap().session;
    let ss = p.server.link(sl).unwrap().session;
    let link_error = error("amqp:link:detach-forced", "go away");
    p.server.detach(sl, true, Some(link_error.clone()));
    p.pump();
    assert!(p.client_events().contains(&Event::LinkRemoteDetach(cl)));
    assert_eq!(
        p.client.link(cl).unwrap().endpoint.remote_condition,
        Some(link_error)
    );
    let session_error = error("amqp:session:errant-link", "bad link");
    p.client.end_session(cs, Some(session_error.clone()));
    p.pump();
    assert!(p.server_events().contains(&Event::SessionRemoteEnd(ss)));
    assert_eq!(
        p.server.session(ss).unwrap().endpoint.remote_condition,
        Some(session_error)
    );
    let close_error = error("amqp:connection:forced", "shutting down");
    p.server.close(Some(close_error.clone()));
    p.pump();
    assert!(p.client_events().contains(&Event::ConnectionRemoteClose));
    assert_eq!(p.client.remote_condition(), Some(&close_error));
    assert_eq!(p.client.remote_state(), EndpointState::Closed);
    // The peer's error is not a transport error of ours.
    assert_eq!(p.client.error(), None);
}

#[test]
fn a_detach_that_does_not_close_says_so() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.take_log(Dir::ToServer);
    p.client.detach(cl, false, None);
    p.pump();
    match &performatives(&p.take_log(Dir::ToServer))[..] {
        [Performative::Detach(d)] => assert!(!d.closed),
        other => panic!("{other:?}"),
    }
    assert!(p.server_events().contains(&Event::LinkRemoteDetach(sl)));
}

#[test]
fn deliveries_still_queued_when_the_link_detaches_are_aborted() {
    let (mut p, cl, _sl) = Pair::sender_to_server();
    let d = p
        .client
        .send(cl, b"t".to_vec(), b"m".to_vec(), false)
        .unwrap();
    p.client.detach(cl, true, None);
    p.pump();
    assert!(p.client_events().contains(&Event::Delivery(d)));
    assert!(p.client.delivery(d).unwrap().aborted);
    assert_eq!(count_transfers(&p.take_log(Dir::ToServer)), 0);
}

#[test]
fn corruption_in_flight_reaches_the_peer_as_a_close_with_the_condition() {
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 1);
    p.pump();
    // Turn the next frame's performative code into one that does not exist.
    p.to_server.filter = Some(Box::new(|bytes: &mut Vec<u8>| {
        let at = bytes
            .windows(3)
            .position(|w| w == [0x00, 0x53, 0x14])
            .expect("a transfer in the batch");
        bytes[at + 2] = 0x99;
    }));
    p.client.send(cl, b"t".to_vec(), b"m".to_vec(), false);
    p.pump();
    let server_error = transport_error(&p.server_events()).expect("server error");
    assert_eq!(server_error.condition, condition::DECODE_ERROR);
    // The client, reading with its own engine, learns why.
    let events = p.client_events();
    assert!(events.contains(&Event::ConnectionRemoteClose), "{events:?}");
    assert_eq!(p.client.remote_condition(), Some(&server_error));
    // A frame lost in flight leaves the peer waiting, not broken.
    let (mut p, cl, sl) = Pair::sender_to_server();
    p.server.add_credit(sl, 1);
    p.pump();
    p.to_server.filter = Some(Box::new(|bytes: &mut Vec<u8>| bytes.clear()));
    p.client.send(cl, b"t".to_vec(), b"m".to_vec(), false);
    p.pump();
    assert_eq!(p.server.link(sl).unwrap().live_deliveries, 0);
    assert_eq!(p.server.error(), None);
}

// ---------------------------------------------------------------------------------------
// Transport errors

#[test]
fn eof_in_the_middle_of_a_frame_is_a_framing_error() {
    let (mut p, cl, _sl) = Pair::sender_to_server();
    p.take_log(Dir::ToClient);
    p.client.send(cl, b"t".to_vec(), vec![1; 100], false);
    let bytes = p.client.poll_output().to_vec();
    let now = p.now;
    p.server.handle_input(&bytes[..bytes.len() / 2], now);
    p.server.handle_eof();
    let events = p.server_events();
    let error = transport_error(&events).expect("transport error");
    assert_eq!(error.condition, condition::FRAMING_ERROR);
    assert!(error.description.unwrap().contains("connection aborted"));
    // The server says so in a close frame (its write side is still open).
    p.take_log(Dir::ToClient);
    let out = take_output(&mut p.server, now);
    assert_eq!(
        close_error(&out).unwrap().condition,
        condition::FRAMING_ERROR
    );
    assert!(p.server.is_closed());
    assert!(
        events.contains(&Event::TransportClosed)
            || p.server_events().contains(&Event::TransportClosed)
    );
}

#[test]
fn eof_before_the_close_frame_is_an_error_and_after_it_is_clean() {
    // Between frames, but before any close: still an abort.
    let (mut p, _, _) = Pair::sender_to_server();
    p.server.handle_eof();
    let error = transport_error(&p.server_events()).expect("transport error");
    assert_eq!(error.condition, condition::FRAMING_ERROR);
    // After the peer's close: clean.
    let (mut p, _, _) = Pair::sender_to_server();
    p.client.close(None);
    p.pump();
    p.server.handle_eof();
    let events = p.server_events();
    assert_eq!(transport_error(&events), None);
    assert!(events.contains(&Event::ConnectionRemoteClose));
    assert_eq!(p.server.error(), None);
}

#[test]
fn eof_before_any_byte_fails_without_output() {
    let mut server = Connection::new(server_config());
    server.handle_eof();
    let events = events(&mut server);
    assert!(transport_error(&events).is_some());
    assert!(server.poll_output().is_empty());
    assert!(server.is_closed());
    assert_eq!(count_closed(&events), 1);
}

// ---------------------------------------------------------------------------------------
// A scripted peer against our server

/// Feed `input` to a fresh server (whole, then again one byte at a time); both runs must
/// give the same events and output. Returns the events and the output.
fn attack_with(config: Config, input: &[u8]) -> (Vec<Event>, Vec<u8>) {
    let now = Instant::now();
    let mut whole = Connection::new(config.clone());
    whole.handle_input(input, now);
    let out = take_output(&mut whole, now);
    let events = events(&mut whole);
    let mut bytewise = Connection::new(config);
    let mut out1 = Vec::new();
    for b in input {
        bytewise.handle_input(std::slice::from_ref(b), now);
    }
    out1.extend(take_output(&mut bytewise, now));
    assert_eq!(
        crate::events(&mut bytewise),
        events,
        "byte-at-a-time events"
    );
    assert_eq!(out1, out, "byte-at-a-time output");
    (events, out)
}

fn attack(input: &[u8]) -> (Vec<Event>, Vec<u8>) {
    attack_with(server_config(), input)
}

/// The attack closes the connection with `cond`: a `TransportError`, and an AMQP header,
/// an open and a close frame carrying `cond` in the output.
fn expect_close(input: &[u8], cond: &str) -> ErrorCondition {
    expect_close_with(server_config(), input, cond)
}

fn expect_close_with(config: Config, input: &[u8], cond: &str) -> ErrorCondition {
    let (events, out) = attack_with(config, input);
    let error = transport_error(&events)
        .unwrap_or_else(|| panic!("no transport error for {cond}: {events:?}"));
    assert_eq!(error.condition, cond, "{error:?}");
    let units = parse_stream(&out);
    assert!(units.contains(&Unit::Header(AMQP_HEADER)), "{units:?}");
    let performatives = performatives(&out);
    assert!(
        matches!(performatives.first(), Some(Performative::Open(_))),
        "{performatives:?}"
    );
    match performatives.last() {
        Some(Performative::Close(Some(e))) => assert_eq!(e, &error),
        other => panic!("expected a close with {cond}, got {other:?}"),
    }
    assert!(events.contains(&Event::TransportClosed), "{events:?}");
    error
}

fn open() -> Vec<u8> {
    amqp_frame(
        0,
        &Performative::Open(Open {
            container_id: "attacker".into(),
            ..Open::default()
        }),
        &[],
    )
}

fn begin() -> Vec<u8> {
    amqp_frame(
        0,
        &Performative::Begin(Begin {
            remote_channel: None,
            next_outgoing_id: 0,
            incoming_window: 100,
            outgoing_window: 100,
            handle_max: 10,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        &[],
    )
}

fn attach_sender() -> Vec<u8> {
    amqp_frame(
        0,
        &Performative::Attach(Attach {
            name: "l".into(),
            handle: 0,
            role: Role::Sender,
            snd_settle_mode: SndSettleMode::Mixed,
            rcv_settle_mode: RcvSettleMode::First,
            source: terminus("q"),
            target: terminus("q"),
            unsettled: None,
            incomplete_unsettled: false,
            initial_delivery_count: Some(0),
            max_message_size: None,
            offered_capabilities: None,
            desired_capabilities: None,
            properties: None,
        }),
        &[],
    )
}

fn transfer(delivery_id: Option<u32>) -> Vec<u8> {
    amqp_frame(
        0,
        &Performative::Transfer(Transfer {
            handle: 0,
            delivery_id,
            delivery_tag: Some(b"t".into()),
            ..Transfer::default()
        }),
        b"payload",
    )
}

fn seq(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

#[test]
fn a_well_formed_script_is_accepted() {
    // The baseline the attacks below deviate from.
    let (events, out) = attack(&seq(&[
        &AMQP_HEADER,
        &open(),
        &begin(),
        &attach_sender(),
        &transfer(Some(0)),
    ]));
    assert_eq!(transport_error(&events), None, "{events:?}");
    assert!(events.contains(&Event::ConnectionRemoteOpen));
    assert!(events.iter().any(|e| matches!(e, Event::Delivery(_))));
    assert_eq!(parse_stream(&out), vec![Unit::Header(AMQP_HEADER)]);
}

#[test]
fn wrong_protocol_headers_are_answered_with_ours_and_a_framing_error() {
    for bad in [
        &b"GET / HTTP/1.1\r\n\r\n"[..],
        b"AMQP\x00\x01\x00\x01",
        b"AMQP\x01\x01\x00\x00",
        b"AMQP\x00\x02\x00\x00",
        b"\x00\x00\x00\x08\x02\x00\x00\x00",
    ] {
        let error = expect_close(bad, condition::FRAMING_ERROR);
        assert!(
            error.description.unwrap().contains("AMQP"),
            "the description says what was expected"
        );
    }
}

#[test]
fn a_tls_header_or_a_raw_client_hello_fails_cleanly_with_a_condition() {
    let client_hello: &[u8] = &[
        0x16, 0x03, 0x01, 0x00, 0xa5, 0x01, 0x00, 0x00, 0xa1, 0x03, 0x03,
    ];
    for input in [&TLS_HEADER[..], client_hello] {
        let error = expect_close(input, condition::NOT_IMPLEMENTED);
        assert!(error.description.unwrap().contains("TLS"));
    }
}

#[test]
fn a_client_given_a_wrong_header_closes_with_a_framing_error() {
    let now = Instant::now();
    let mut client = Connection::new(Config::new(Side::Client, "c"));
    client.open();
    take_output(&mut client, now);
    client.handle_input(b"HTTP/1.1 400 Bad Request\r\n", now);
    let error = transport_error(&events(&mut client)).unwrap();
    assert_eq!(error.condition, condition::FRAMING_ERROR);
    let out = take_output(&mut client, now);
    assert_eq!(close_error(&out), Some(error));
    // A client expecting SASL that gets the AMQP header (or the reverse) fails too.
    let mut client = Connection::new(Config {
        sasl: Some(Default::default()),
        ..Config::new(Side::Client, "c")
    });
    client.handle_input(&AMQP_HEADER, now);
    assert!(transport_error(&events(&mut client)).is_some());
    let mut client = Connection::new(Config::new(Side::Client, "c"));
    client.handle_input(&SASL_HEADER, now);
    assert!(transport_error(&events(&mut client)).is_some());
}

#[test]
fn bad_frame_sizes_and_data_offsets_are_framing_errors() {
    for frame in [
        &[0u8, 0, 0, 4, 2, 0, 0, 0][..],        // size below 8
        &[0, 0, 0, 8, 1, 0, 0, 0],              // doff below 2
        &[0, 0, 0, 12, 4, 0, 0, 0, 0, 0, 0, 0], // doff past the end
        &[0, 0, 0, 8, 2, 9, 0, 0],              // unknown frame type
    ] {
        expect_close(&seq(&[&AMQP_HEADER, frame]), condition::FRAMING_ERROR);
        expect_close(
            &seq(&[&AMQP_HEADER, &open(), frame]),
            condition::FRAMING_ERROR,
        );
    }
}

#[test]
fn an_extended_header_is_skipped_and_empty_frames_are_heartbeats() {
    // doff = 3: four bytes of extended header before the open.
    let plain = open();
    let mut extended = vec![0, 0, 0, 0, 3, 0, 0, 0, 0xee, 0xee, 0xee, 0xee];
    extended.extend_from_slice(&plain[8..]);
    let size = (extended.len() as u32).to_be_bytes();
    extended[..4].copy_from_slice(&size);
    let heartbeat = [0, 0, 0, 8, 2, 0, 0, 0];
    let (events, _) = attack(&seq(&[
        &AMQP_HEADER,
        &heartbeat,
        &extended,
        &heartbeat,
        &heartbeat,
        &begin(),
    ]));
    assert_eq!(transport_error(&events), None, "{events:?}");
    assert!(events.contains(&Event::ConnectionRemoteOpen));
    assert!(events
        .iter()
        .any(|e| matches!(e, Event::SessionRemoteBegin(_))));
}

#[test]
fn a_frame_above_our_max_frame_size_is_refused_before_it_arrives() {
    let config = Config {
        max_frame_size: 512,
        ..server_config()
    };
    let big = raw_frame(FrameType::Amqp, 0, &[0x40; 600]);
    let error = expect_close_with(
        config.clone(),
        &seq(&[&AMQP_HEADER, &open(), &big]),
        condition::FRAMING_ERROR,
    );
    assert!(error.description.unwrap().contains("512"));
    // The frame header alone is enough to refuse it.
    expect_close_with(
        config.clone(),
        &seq(&[&AMQP_HEADER, &open(), &big[..8]]),
        condition::FRAMING_ERROR,
    );
    // Exactly the max is fine.
    // An open padded with a long hostname to exactly the limit.
    let exact_open = (0..512)
        .map(|n| {
            amqp_frame(
                0,
                &Performative::Open(Open {
                    container_id: "attacker".into(),
                    hostname: Some("h".repeat(n)),
                    ..Open::default()
                }),
                &[],
            )
        })
        .find(|f| f.len() == 512)
        .expect("a 512-byte open");
    let (events, _) = attack_with(config, &seq(&[&AMQP_HEADER, &exact_open]));
    assert_eq!(transport_error(&events), None);
    assert!(events.contains(&Event::ConnectionRemoteOpen));
}

#[test]
fn unknown_performatives_and_type_codes_are_decode_errors() {
    // Descriptor 0x99 is no performative.
    let unknown = raw_frame(FrameType::Amqp, 0, &[0x00, 0x53, 0x99, 0x45]);
    expect_close(
        &seq(&[&AMQP_HEADER, &open(), &unknown]),
        condition::DECODE_ERROR,
    );
    // 0xff is no type constructor.
    let bad_type = raw_frame(
        FrameType::Amqp,
        0,
        &[0x00, 0x53, 0x10, 0xc0, 0x02, 0x01, 0xff],
    );
    expect_close(&seq(&[&AMQP_HEADER, &bad_type]), condition::DECODE_ERROR);
    // A field of the wrong type (container-id as a uint).
    let wrong = raw_frame(
        FrameType::Amqp,
        0,
        &[0x00, 0x53, 0x10, 0xc0, 0x02, 0x01, 0x43],
    );
    expect_close(&seq(&[&AMQP_HEADER, &wrong]), condition::DECODE_ERROR);
    // Not a described value at all.
    let bare = raw_frame(FrameType::Amqp, 0, &[0x45]);
    expect_close(&seq(&[&AMQP_HEADER, &bare]), condition::DECODE_ERROR);
    // A mandatory field missing (begin without next-outgoing-id).
    let no_field = raw_frame(FrameType::Amqp, 0, &[0x00, 0x53, 0x11, 0x45]);
    expect_close(
        &seq(&[&AMQP_HEADER, &open(), &no_field]),
        condition::DECODE_ERROR,
    );
}

#[test]
fn a_performative_list_whose_size_disagrees_with_its_fields_is_a_decode_error() {
    // A transfer whose list8 claims two more bytes than its three fields use: those bytes
    // would otherwise be taken for payload.
    let mut body = vec![0x00, 0x53, 0x14, 0xc0, 0, 3];
    body.extend([0x43, 0x43, 0xa0, 0x01, b't']); // handle 0, delivery-id 0, tag "t"
    body[4] = (1 + 5 + 2) as u8;
    body.extend(b"payload");
    let bad = raw_frame(FrameType::Amqp, 0, &body);
    expect_close(
        &seq(&[&AMQP_HEADER, &open(), &begin(), &attach_sender(), &bad]),
        condition::DECODE_ERROR,
    );
}

#[test]
fn frames_illegal_in_the_current_state_close_with_the_right_condition() {
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (seq(&[&AMQP_HEADER, &begin()]), condition::NOT_ALLOWED),
        (
            seq(&[&AMQP_HEADER, &open(), &begin(), &transfer(Some(0))]),
            condition::UNATTACHED_HANDLE,
        ),
        (
            seq(&[
                &AMQP_HEADER,
                &open(),
                &begin(),
                &attach_sender(),
                &transfer(None),
            ]),
            condition::NOT_ALLOWED,
        ),
        (
            seq(&[&AMQP_HEADER, &open(), &attach_sender()]),
            condition::NOT_ALLOWED,
        ),
        (
            seq(&[&AMQP_HEADER, &open(), &open()]),
            condition::NOT_ALLOWED,
        ),
        (
            seq(&[&AMQP_HEADER, &open(), &begin(), &begin()]),
            condition::NOT_ALLOWED,
        ),
        (
            seq(&[
                &AMQP_HEADER,
                &open(),
                &begin(),
                &attach_sender(),
                &attach_sender(),
            ]),
            condition::NOT_ALLOWED,
        ),
        (
            seq(&[
                &AMQP_HEADER,
                &open(),
                &begin(),
                &amqp_frame(
                    0,
                    &Performative::Detach(Detach {
                        handle: 5,
                        ..Detach::default()
                    }),
                    &[],
                ),
            ]),
            condition::UNATTACHED_HANDLE,
        ),
        (
            seq(&[
                &AMQP_HEADER,
                &open(),
                &amqp_frame(7, &Performative::End(None), &[]),
            ]),
            condition::NOT_ALLOWED,
        ),
        // A SASL frame once AMQP has started.
        (
            seq(&[
                &AMQP_HEADER,
                &open(),
                &sasl_frame(&SaslFrame::Outcome {
                    code: 0,
                    additional_data: None,
                }),
            ]),
            condition::FRAMING_ERROR,
        ),
    ];
    for (input, cond) in cases {
        expect_close(&input, cond);
    }
}

#[test]
fn oversized_and_deeply_nested_fields_are_decode_errors() {
    // container-id as a str32 claiming a megabyte the frame does not hold.
    let oversized = raw_frame(
        FrameType::Amqp,
        0,
        &[
            0x00, 0x53, 0x10, 0xc0, 0x06, 0x01, 0xb1, 0x00, 0x10, 0x00, 0x00,
        ],
    );
    expect_close(&seq(&[&AMQP_HEADER, &oversized]), condition::DECODE_ERROR);
    // An open whose properties are described values nested 5000 deep.
    let mut nested = vec![0x00, 0x53, 0x10, 0xd0];
    let mut fields = vec![0xa1, 0x01, b'x'];
    fields.extend([0x40; 8]);
    for _ in 0..5000 {
        fields.extend([0x00, 0x53, 0x01]);
    }
    fields.push(0x40);
    nested.extend(((fields.len() + 4) as u32).to_be_bytes());
    nested.extend(10u32.to_be_bytes());
    nested.extend(&fields);
    let frame = raw_frame(FrameType::Amqp, 0, &nested);
    expect_close(&seq(&[&AMQP_HEADER, &frame]), condition::DECODE_ERROR);
    // Lists nested 5000 deep are skipped by size (opaque properties): no recursion, no
    // panic, with or without frame tracing.
    let mut list = vec![0x45];
    for _ in 0..5000 {
        let mut outer = vec![0xd0];
        outer.extend(((list.len() + 4) as u32).to_be_bytes());
        outer.extend(1u32.to_be_bytes());
        outer.extend(&list);
        list = outer;
    }
    let mut fields = vec![0xa1, 0x01, b'x'];
    fields.extend([0x40; 8]);
    fields.extend(&list);
    let mut body = vec![0x00, 0x53, 0x10, 0xd0];
    body.extend(((fields.len() + 4) as u32).to_be_bytes());
    body.extend(10u32.to_be_bytes());
    body.extend(&fields);
    let frame = raw_frame(FrameType::Amqp, 0, &body);
    for trace in [false, true] {
        let (events, _) = attack_with(
            Config {
                trace,
                ..server_config()
            },
            &seq(&[&AMQP_HEADER, &frame]),
        );
        assert!(events.contains(&Event::ConnectionRemoteOpen), "{events:?}");
        assert_eq!(transport_error(&events), None);
    }
}

#[test]
fn malformed_sasl_frames_fail_the_exchange() {
    for frame in [
        raw_frame(FrameType::Sasl, 0, &[0x00, 0x53, 0x99, 0x45]),
        raw_frame(FrameType::Sasl, 0, &[0xff]),
        raw_frame(FrameType::Amqp, 0, &[0x00, 0x53, 0x10, 0x45]),
        sasl_frame(&SaslFrame::Outcome {
            code: 0,
            additional_data: None,
        }),
    ] {
        let (events, out) = attack(&seq(&[&SASL_HEADER, &frame]));
        assert!(transport_error(&events).is_some(), "{events:?}");
        assert!(parse_stream(&out).starts_with(&[Unit::Header(SASL_HEADER)]));
    }
}

// ---------------------------------------------------------------------------------------
// Corruption and truncation of a real conversation

/// The bytes a SASL client sends in a whole conversation with our server.
fn recorded_client_stream() -> Vec<u8> {
    let mut p = Pair::with(
        Config {
            sasl: Some(Default::default()),
            ..Config::new(Side::Client, "client")
        },
        server_config(),
    );
    p.connect();
    let (cs, _) = p.session();
    let (cl, sl) = p.link(cs, "up", Role::Sender);
    p.server.add_credit(sl, 10);
    p.pump();
    p.client.send(cl, b"a".to_vec(), vec![7; 3000], false);
    p.client.send(cl, b"b".to_vec(), b"small".to_vec(), true);
    p.pump();
    for d in deliveries(&p.server_events()) {
        p.server.update(d, DeliveryState::Accepted);
        p.server.settle(d);
    }
    p.pump();
    p.client.detach(cl, true, None);
    p.client.close(None);
    p.pump();
    p.take_log(Dir::ToServer)
}

/// Feed a (possibly broken) client stream to a fresh server, answering what it opens.
/// Checks the invariants: no panic; a transport error comes with a close frame saying
/// the same, once the server has sent its AMQP header.
fn check_server_against(input: &[u8], cuts: &[usize]) {
    let config = Config {
        trace: true,
        ..server_config()
    };
    check_against(Connection::new(config), input, cuts);
}

/// The same for any prepared engine (the output it already has counts too).
fn check_against(mut conn: Connection, input: &[u8], cuts: &[usize]) {
    let now = Instant::now();
    let mut out = take_output(&mut conn, now);
    let mut events = Vec::new();
    let mut at = 0;
    for &cut in cuts.iter().chain([&input.len()]) {
        conn.handle_input(&input[at..cut], now);
        at = cut;
        events.extend(answer(&mut conn));
        out.extend(take_output(&mut conn, now));
    }
    conn.handle_eof();
    events.extend(answer(&mut conn));
    out.extend(take_output(&mut conn, now));
    while conn.poll_trace().is_some() {}
    if let Some(error) = transport_error(&events) {
        if parse_stream(&out).contains(&Unit::Header(AMQP_HEADER)) {
            let close = performatives(&out).into_iter().rev().find_map(|p| match p {
                Performative::Close(e) => Some(e),
                _ => None,
            });
            assert_eq!(close, Some(Some(error)), "input {input:02x?}");
        }
    }
    assert!(conn.is_closed());
}

#[test]
fn corrupting_any_byte_of_a_real_stream_never_panics_and_errors_are_explained() {
    let stream = recorded_client_stream();
    assert!(stream.len() > 3000);
    check_server_against(&stream, &[]);
    for i in 0..stream.len() {
        for flip in [0xff, 0x01, 0x80] {
            let mut bad = stream.clone();
            bad[i] ^= flip;
            check_server_against(&bad, &[]);
        }
    }
}

/// A SASL client with a receiving link and a sending link, ready for the server's bytes.
fn prepared_client() -> Connection {
    let mut client = Connection::new(Config {
        sasl: Some(Default::default()),
        trace: true,
        ..Config::new(Side::Client, "client")
    });
    client.open();
    let s = client.begin_session();
    let down = client.attach(s, settings("down", Role::Receiver)).unwrap();
    let up = client.attach(s, settings("up", Role::Sender)).unwrap();
    client.add_credit(down, 10);
    client.send(up, b"u".to_vec(), vec![3; 1500], false);
    client
}

#[test]
fn corrupting_any_byte_of_a_server_stream_never_panics_the_client() {
    // Record what a server says to that client.
    let mut p = Pair::with(
        Config {
            sasl: Some(Default::default()),
            ..Config::new(Side::Client, "client")
        },
        server_config(),
    );
    p.client = prepared_client();
    p.pump();
    answer(&mut p.server);
    p.pump();
    for l in p.server.links().collect::<Vec<_>>() {
        if p.server.link(l).unwrap().local.role == Role::Sender {
            p.server.send(l, b"d".to_vec(), vec![9; 2000], false);
        } else {
            p.server.add_credit(l, 1);
        }
    }
    p.pump();
    for d in deliveries(&p.server_events()) {
        p.server.update(d, DeliveryState::Released);
        p.server.settle(d);
    }
    p.server.close(None);
    p.pump();
    let stream = p.take_log(Dir::ToClient);
    assert!(stream.len() > 2000);
    assert!(p.client_events().contains(&Event::ConnectionRemoteClose));
    check_against(prepared_client(), &stream, &[]);
    for i in 0..stream.len() {
        for flip in [0xff, 0x01, 0x80] {
            let mut bad = stream.clone();
            bad[i] ^= flip;
            check_against(prepared_client(), &bad, &[i / 2]);
        }
    }
}

#[test]
fn truncating_a_real_stream_anywhere_then_eof_never_panics() {
    let stream = recorded_client_stream();
    for len in 0..stream.len() {
        check_server_against(&stream[..len], &[len / 2]);
    }
}

#[test]
fn random_garbage_after_a_valid_start_never_panics() {
    // xorshift64*, seeded: reproducible.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state >> 12;
        state ^= state << 25;
        state ^= state >> 27;
        state.wrapping_mul(0x2545_f491_4f6c_dd1d)
    };
    let start = seq(&[&AMQP_HEADER, &open(), &begin(), &attach_sender()]);
    for _ in 0..2000 {
        let len = (next() % 64) as usize;
        let mut input = start.clone();
        // A plausible frame header, then random bytes.
        let size = 8 + len as u32;
        input.extend(size.to_be_bytes());
        input.extend([2, 0, 0, 0]);
        input.extend((0..len).map(|_| next() as u8));
        let cut = (next() as usize) % input.len();
        check_server_against(&input, &[cut]);
    }
}
