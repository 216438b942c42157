//! Messages round-trip: encode, decode into a fresh message, every field equal and the
//! re-encoding identical; decoding replaces a message completely; proton 0.37's exact
//! bytes for the default message and for single fields.

mod common;

use common::*;
use qpid_proton::codec::{Data, Scalar, Type};
use qpid_proton::message::{IdField, Message};
use std::ffi::CString;

const SEED: u64 = 0x5eed_0037_3e55_a6e5;
const RANDOM_MESSAGES: usize = 1500;

fn cstr(s: &str) -> Option<CString> {
    Some(CString::new(s).expect("no NUL"))
}

/// Encode `m`, decode into a fresh message, compare every field, re-encode; returns the
/// encoding.
fn check_message(m: &mut Message, context: &str) -> Vec<u8> {
    let want = snapshot(m);
    let bytes = m.to_bytes();
    let mut into_vec = Vec::new();
    m.encode(&mut into_vec);
    assert_eq!(into_vec, bytes, "encode and to_bytes agree ({context})");

    let mut decoded = decode_message(&bytes);
    let got = snapshot(&mut decoded);
    assert_eq!(got, want, "fields after the round trip ({context})");
    let again = decoded.to_bytes();
    assert!(
        again == bytes,
        "re-encoding ({context})\n  first  {}\n  second {}",
        hex(&bytes),
        hex(&again)
    );

    // The encoding is a sequence of described sections, in the spec's order.
    let mut sections = decode_all(&bytes).expect("the encoding decodes as data");
    let mut codes = Vec::new();
    for v in values_from_steps(&walk(&mut sections)) {
        let Value::Described(d, _) = v else {
            panic!("a section is a described value ({context})")
        };
        let Value::Scalar(Sv::Ulong(code)) = *d else {
            panic!("a section descriptor is a ulong ({context})")
        };
        codes.push(code);
    }
    assert!(
        codes.windows(2).all(|w| w[0] < w[1]),
        "sections in order: {codes:x?} ({context})"
    );
    assert_eq!(&codes[..1], &[0x70], "header first ({context})");
    assert!(
        codes.contains(&0x73),
        "properties always present ({context})"
    );

    // pn_message_data's view: the same sections as a data tree.
    let mut data = Data::new();
    m.to_data(&mut data).expect("to_data");
    assert_eq!(walk(&mut data), walk(&mut sections), "to_data ({context})");
    bytes
}

fn full_message() -> Message {
    let mut m = Message::new();
    m.durable = true;
    m.priority = 9;
    m.ttl = 60_000;
    m.first_acquirer = true;
    m.delivery_count = 3;
    m.set_id(IdField::MessageId, Scalar::String(b"msg-1"))
        .expect("id");
    m.user_id = Some(b"user\0bin".to_vec());
    m.address = cstr("amqp://host/queue");
    m.subject = cstr("subject");
    m.reply_to = cstr("amqp://host/reply");
    m.set_id(IdField::CorrelationId, Scalar::Uuid([0xab; 16]))
        .expect("correlation id");
    m.content_type = cstr("text/plain");
    m.content_encoding = cstr("gzip");
    m.expiry_time = 1_700_000_000_000;
    m.creation_time = -5;
    m.group_id = cstr("group");
    m.group_sequence = 77;
    m.reply_to_group_id = cstr("reply-group");

    put_value(
        m.instructions(),
        &Value::Map(vec![
            symbol("x-opt-list"),
            Value::List(vec![int(1), string("two"), Value::List(vec![])]),
            symbol("x-opt-described"),
            described(s(Sv::Ulong(5)), Value::Map(vec![])),
        ]),
    );
    put_value(
        m.annotations(),
        &Value::Map(vec![
            symbol("x-opt-jms-dest"),
            s(Sv::Ubyte(0)),
            symbol("x-opt-array"),
            Value::Array {
                descriptor: None,
                elem: Type::Symbol,
                items: vec![symbol("a"), symbol("b")],
            },
        ]),
    );
    put_value(
        m.properties(),
        &Value::Map(vec![
            string("int"),
            int(-1),
            string("str"),
            string("héllo"),
            string("bool"),
            s(Sv::Bool(true)),
            string("double"),
            s(Sv::Double(2.5f64.to_bits())),
            string("uuid"),
            s(Sv::Uuid([1; 16])),
            string("timestamp"),
            s(Sv::Timestamp(1234)),
            string("binary"),
            binary(&[0, 1, 2]),
            string("long"),
            s(Sv::Long(i64::MIN)),
            string("null"),
            s(Sv::Null),
        ]),
    );
    put_value(
        m.body(),
        &Value::List(vec![
            Value::Map(vec![string("k"), Value::List(vec![int(1), int(2)])]),
            Value::Array {
                descriptor: Some(Box::new(symbol("desc"))),
                elem: Type::List,
                items: vec![Value::List(vec![]), Value::List(vec![s(Sv::Null)])],
            },
            described(symbol("custom"), Value::List(vec![Value::List(vec![])])),
            binary(&[0xff; 300]),
        ]),
    );
    m
}

#[test]
fn default_message_encoding() {
    let mut m = Message::new();
    let bytes = m.to_bytes();
    assert_eq!(bytes, [0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0x45]);
    check_message(&mut m, "default message");
    let mut decoded = decode_message(&bytes);
    assert_eq!(snapshot(&mut decoded), snapshot(&mut Message::new()));
    assert_eq!(decoded.priority, 4, "default priority");
}

#[test]
fn every_field_set() {
    let mut m = full_message();
    let bytes = check_message(&mut m, "full message");
    // Header, delivery annotations, message annotations, properties, application
    // properties, body (amqp-value: the body is not inferred).
    let mut data = decode_all(&bytes).expect("decode");
    let codes: Vec<Sv> = values_from_steps(&walk(&mut data))
        .into_iter()
        .map(|v| match v {
            Value::Described(d, _) => match *d {
                Value::Scalar(sv) => sv,
                other => panic!("descriptor {other:?}"),
            },
            other => panic!("section {other:?}"),
        })
        .collect();
    assert_eq!(
        codes,
        [0x70, 0x71, 0x72, 0x73, 0x74, 0x77].map(Sv::Ulong).to_vec()
    );
    // Header: list8 with all five fields.
    assert_eq!(
        &bytes[..16],
        &[
            0x00, 0x53, 0x70, 0xc0, 0x0c, 0x05, 0x41, 0x50, 0x09, 0x70, 0x00, 0x00, 0xea, 0x60,
            0x41, 0x52
        ]
    );
    assert_eq!(bytes[16], 3);
}

/// Ways to set exactly one field, each with a name.
/// A named way to set one field.
type FieldSetter = (&'static str, Box<dyn Fn(&mut Message)>);

fn single_fields() -> Vec<FieldSetter> {
    vec![
        ("durable", Box::new(|m| m.durable = true)),
        ("priority 0", Box::new(|m| m.priority = 0)),
        ("priority 255", Box::new(|m| m.priority = 255)),
        ("ttl", Box::new(|m| m.ttl = 1000)),
        ("ttl max", Box::new(|m| m.ttl = u32::MAX)),
        ("first_acquirer", Box::new(|m| m.first_acquirer = true)),
        ("delivery_count", Box::new(|m| m.delivery_count = 7)),
        (
            "message id",
            Box::new(|m| m.set_id(IdField::MessageId, Scalar::Ulong(9)).unwrap()),
        ),
        ("user_id", Box::new(|m| m.user_id = Some(vec![1, 0, 2]))),
        ("empty user_id", Box::new(|m| m.user_id = Some(vec![]))),
        ("address", Box::new(|m| m.address = cstr("a"))),
        ("empty address", Box::new(|m| m.address = cstr(""))),
        ("subject", Box::new(|m| m.subject = cstr("s"))),
        ("reply_to", Box::new(|m| m.reply_to = cstr("r"))),
        (
            "correlation id",
            Box::new(|m| {
                m.set_id(IdField::CorrelationId, Scalar::Binary(b"c"))
                    .unwrap()
            }),
        ),
        ("content_type", Box::new(|m| m.content_type = cstr("t"))),
        (
            "content_encoding",
            Box::new(|m| m.content_encoding = cstr("e")),
        ),
        ("expiry_time", Box::new(|m| m.expiry_time = 1)),
        ("creation_time", Box::new(|m| m.creation_time = i64::MIN)),
        ("group_id", Box::new(|m| m.group_id = cstr("g"))),
        ("group_sequence", Box::new(|m| m.group_sequence = 5)),
        (
            "reply_to_group_id",
            Box::new(|m| m.reply_to_group_id = cstr("rg")),
        ),
        (
            "long address (list32 properties)",
            Box::new(|m| m.address = Some(CString::new(vec![b'x'; 300]).unwrap())),
        ),
        (
            "delivery annotations",
            Box::new(|m| put_value(m.instructions(), &Value::Map(vec![symbol("k"), int(1)]))),
        ),
        (
            "message annotations",
            Box::new(|m| put_value(m.annotations(), &Value::Map(vec![symbol("k"), int(2)]))),
        ),
        (
            "application properties",
            Box::new(|m| put_value(m.properties(), &Value::Map(vec![string("k"), int(3)]))),
        ),
        ("body", Box::new(|m| put_value(m.body(), &string("hello")))),
    ]
}

#[test]
fn each_field_alone() {
    let default = snapshot(&mut Message::new());
    for (name, set) in single_fields() {
        let mut m = Message::new();
        set(&mut m);
        let snap = snapshot(&mut m);
        assert_ne!(snap, default, "{name} changes the message");
        let bytes = check_message(&mut m, name);
        assert_ne!(
            bytes,
            Message::new().to_bytes(),
            "{name} shows in the encoding"
        );
    }
}

#[test]
fn single_field_bytes() {
    let encode_with = |set: &dyn Fn(&mut Message)| {
        let mut m = Message::new();
        set(&mut m);
        m.to_bytes()
    };
    // Header as list8 with trailing nulls left out.
    assert_eq!(
        encode_with(&|m| m.durable = true),
        [0x00, 0x53, 0x70, 0xc0, 0x02, 0x01, 0x41, 0x00, 0x53, 0x73, 0x45]
    );
    assert_eq!(
        encode_with(&|m| m.delivery_count = 7),
        [
            0x00, 0x53, 0x70, 0xc0, 0x07, 0x05, 0x40, 0x40, 0x40, 0x40, 0x52, 0x07, 0x00, 0x53,
            0x73, 0x45
        ]
    );
    // Properties: address is field 2.
    assert_eq!(
        encode_with(&|m| m.address = cstr("a")),
        [
            0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0xc0, 0x06, 0x03, 0x40, 0x40, 0xa1, 0x01,
            b'a'
        ]
    );
    // A group id brings group-sequence 0 (uint0) with it.
    let mut want = vec![0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0xc0, 0x0f, 0x0c];
    want.extend([0x40; 10]);
    want.extend([0xa1, 0x01, b'g', 0x43]);
    assert_eq!(encode_with(&|m| m.group_id = cstr("g")), want);
    // Properties larger than a list8 become list32.
    let long = encode_with(&|m| m.address = Some(CString::new(vec![b'x'; 300]).unwrap()));
    assert_eq!(&long[4..7], &[0x00, 0x53, 0x73]);
    assert_eq!(long[7], 0xd0);
    let size = u32::from_be_bytes(long[8..12].try_into().unwrap()) as usize;
    assert_eq!(size, long.len() - 12, "list32 size covers count and fields");
    assert_eq!(&long[12..16], &[0, 0, 0, 3]);
}

#[test]
fn ids_of_each_allowed_type() {
    let ids: Vec<Sv> = vec![
        Sv::Ulong(0),
        Sv::Ulong(255),
        Sv::Ulong(u64::MAX),
        Sv::Uuid([0x5a; 16]),
        Sv::Binary(vec![]),
        Sv::Binary(vec![0, 1, 2, 255]),
        Sv::Binary(vec![7; 300]),
        Sv::String(vec![]),
        Sv::String(b"id-\xc3\xa9".to_vec()),
        Sv::String(vec![b's'; 300]),
    ];
    for which in [IdField::MessageId, IdField::CorrelationId] {
        for id in &ids {
            let mut m = Message::new();
            m.set_id(which, id.as_scalar()).expect("set_id");
            assert_eq!(
                m.get_id(which).map(|s| Sv::from_scalar(&s)),
                Some(id.clone())
            );
            check_message(&mut m, &format!("{which:?} = {id:?}"));
        }
        // Setting null clears it.
        let mut m = Message::new();
        m.set_id(which, Scalar::Ulong(1)).expect("set_id");
        m.set_id(which, Scalar::Null).expect("set_id");
        assert_eq!(m.get_id(which), None);
        assert_eq!(m.to_bytes(), Message::new().to_bytes());
        // Types AMQP does not allow for ids are dropped (proton stores null).
        for bad in [Scalar::Int(5), Scalar::Symbol(b"sym"), Scalar::Bool(true)] {
            let mut m = Message::new();
            m.set_id(which, bad).expect("set_id");
            assert_eq!(m.get_id(which), None, "{which:?} = {bad:?} is not kept");
        }
    }
}

#[test]
fn ids_through_the_data_view_keep_other_types() {
    // Through the legacy data view (pn_message_id) any scalar type is stored and encoded.
    let mut m = Message::new();
    m.id_view(IdField::MessageId);
    m.set_id(IdField::MessageId, Scalar::Symbol(b"sym"))
        .expect("set_id");
    assert_eq!(m.get_id(IdField::MessageId), Some(Scalar::Symbol(b"sym")));
    let mut want = vec![0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0xc0, 0x06, 0x01];
    want.extend([0xa3, 0x03, b's', b'y', b'm']);
    assert_eq!(m.to_bytes(), want);
}

#[test]
fn decoded_ids_of_other_types_are_dropped() {
    // properties [message-id]; and properties [null x5, correlation-id].
    for id in [
        vec![0x54, 0x05],                   // int 5
        vec![0x54, 0xff],                   // int -1
        vec![0x55, 0x06],                   // long 6
        vec![0x81, 0, 0, 0, 0, 0, 0, 0, 5], // long 5
        vec![0x52, 0xff],                   // uint 255
        vec![0x43],                         // uint 0
        vec![0xa3, 0x01, b's'],             // symbol
        vec![0x41],                         // true
        vec![0x73, 0, 0, 0, b'c'],          // char
    ] {
        for leading_nulls in [0usize, 5] {
            let mut fields = vec![0x40; leading_nulls];
            fields.extend(&id);
            let mut bytes = vec![0x00, 0x53, 0x73, 0xc0, fields.len() as u8 + 1];
            bytes.push(leading_nulls as u8 + 1);
            bytes.extend(&fields);
            let m = decode_message(&bytes);
            assert_eq!(m.get_id(IdField::MessageId), None, "{}", hex(&bytes));
            assert_eq!(m.get_id(IdField::CorrelationId), None, "{}", hex(&bytes));
            assert_eq!(m.to_bytes(), EMPTY_HEADER_AND_PROPERTIES, "{}", hex(&bytes));
        }
    }
}

#[test]
fn inferred_bodies() {
    // (body, inferred, section code, inferred after decode)
    let cases = [
        (binary(b"raw"), true, 0x75u8, true),
        (binary(b""), true, 0x75, true),
        (Value::List(vec![int(1), string("x")]), true, 0x76, true),
        (Value::List(vec![]), true, 0x76, true),
        (binary(b"raw"), false, 0x77, false),
        (Value::List(vec![int(1)]), false, 0x77, false),
        // Only binary and list bodies can be inferred: anything else is an amqp-value.
        (int(3), true, 0x77, false),
        (Value::Map(vec![]), true, 0x77, false),
    ];
    for (body, inferred, code, decoded_inferred) in cases {
        let mut m = Message::new();
        m.inferred = inferred;
        put_value(m.body(), &body);
        let bytes = m.to_bytes();
        let mut section = vec![
            0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0x45, 0x00, 0x53, code,
        ];
        reference_encode_any(&body, &mut section);
        assert_eq!(bytes, section, "{body:?} inferred={inferred}");
        let mut decoded = decode_message(&bytes);
        assert_eq!(decoded.inferred, decoded_inferred, "{body:?}");
        assert_eq!(
            walk(decoded.body()),
            expected_walk(std::slice::from_ref(&body))
        );
        assert_eq!(decoded.to_bytes(), bytes);
        if inferred == decoded_inferred {
            check_message(&mut m, &format!("{body:?} inferred={inferred}"));
        }
    }
}

#[test]
fn decoding_replaces_the_whole_message() {
    // Into a full message: the default message's bytes leave a default message.
    let mut m = full_message();
    m.decode(&Message::new().to_bytes()).expect("decode");
    assert_eq!(snapshot(&mut m), snapshot(&mut Message::new()));

    // Another message's bytes: its fields and trees, nothing of the old ones appended.
    let mut other = Message::new();
    other.subject = cstr("other");
    put_value(other.body(), &int(1));
    put_value(other.annotations(), &Value::Map(vec![symbol("a"), int(2)]));
    let other_bytes = other.to_bytes();
    let mut m = full_message();
    m.decode(&other_bytes).expect("decode");
    assert_eq!(snapshot(&mut m), snapshot(&mut other));
    assert_eq!(m.body().size(), 1);
    assert_eq!(m.to_bytes(), other_bytes);

    // Decoding the same bytes twice into one message gives the same message.
    let full_bytes = full_message().to_bytes();
    let mut m = Message::new();
    m.decode(&full_bytes).expect("decode");
    m.decode(&full_bytes).expect("decode again");
    assert_eq!(snapshot(&mut m), snapshot(&mut full_message()));
    assert_eq!(m.to_bytes(), full_bytes);
}

fn random_text(rng: &mut Rng) -> Option<CString> {
    if rng.chance(1, 2) {
        return None;
    }
    let len = if rng.chance(1, 8) {
        200 + rng.below(200)
    } else {
        rng.below(12)
    };
    let bytes: Vec<u8> = (0..len).map(|_| 1 + rng.below(255) as u8).collect();
    Some(CString::new(bytes).expect("no NUL"))
}

fn random_message(rng: &mut Rng) -> Message {
    let mut m = Message::new();
    m.durable = rng.chance(1, 2);
    if rng.chance(1, 2) {
        m.priority = rng.next_u32() as u8;
    }
    if rng.chance(1, 2) {
        m.ttl = rng.next_u32() >> rng.below(32);
    }
    m.first_acquirer = rng.chance(1, 2);
    if rng.chance(1, 2) {
        m.delivery_count = rng.next_u32() >> rng.below(32);
    }
    for which in [IdField::MessageId, IdField::CorrelationId] {
        let ty = *rng.pick(&[
            Type::Null,
            Type::Ulong,
            Type::Uuid,
            Type::Binary,
            Type::String,
        ]);
        m.set_id(which, random_scalar(rng, ty).as_scalar())
            .expect("set_id");
    }
    if rng.chance(1, 2) {
        let len = rng.below(40);
        m.user_id = Some(rng.bytes(len));
    }
    m.address = random_text(rng);
    m.subject = random_text(rng);
    m.reply_to = random_text(rng);
    m.content_type = random_text(rng);
    m.content_encoding = random_text(rng);
    if rng.chance(1, 2) {
        m.expiry_time = rng.next_u64() as i64;
    }
    if rng.chance(1, 2) {
        m.creation_time = rng.next_u64() as i64 >> rng.below(64);
    }
    m.group_id = random_text(rng);
    if rng.chance(1, 2) {
        m.group_sequence = rng.next_u32();
    }
    m.reply_to_group_id = random_text(rng);
    for tree in 0..3 {
        if rng.chance(1, 2) {
            let pairs = rng.below(5);
            let map = Value::Map(
                (0..pairs)
                    .flat_map(|_| {
                        let key = symbol(&format!("k{}", rng.below(1000)));
                        [key, random_value(rng, 3)]
                    })
                    .collect(),
            );
            let data = match tree {
                0 => m.instructions(),
                1 => m.annotations(),
                _ => m.properties(),
            };
            put_value(data, &map);
        }
    }
    if rng.chance(3, 4) {
        // A null body is left out: proton 0.37 decodes `00 53 77 40` to an empty body
        // (see `null_sections_decode_to_empty_trees`).
        let mut body = random_value(rng, 4);
        while body == s(Sv::Null) {
            body = random_value(rng, 4);
        }
        m.inferred = matches!(body.type_of(), Type::Binary | Type::List) && rng.chance(1, 2);
        put_value(m.body(), &body);
    }
    m
}

#[test]
fn random_messages_round_trip() {
    println!("random_messages_round_trip: seed {SEED:#x}, {RANDOM_MESSAGES} messages");
    let mut rng = Rng::new(SEED);
    for case in 0..RANDOM_MESSAGES {
        let mut m = random_message(&mut rng);
        check_message(&mut m, &format!("seed {SEED:#x}, message {case}"));
    }
}

// Repeated and unknown sections. The expected results are what Debian's proton-c 0.37
// (`pn_message_decode`) gives for the same bytes: every section replaces what an earlier
// section of the same kind set, and an unknown section lands in the body whole.

const EMPTY_HEADER_AND_PROPERTIES: [u8; 8] = [0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0x45];

#[test]
fn repeated_sections_replace_earlier_ones() {
    // Two data sections: the body is the last one.
    let mut m = decode_message(&[
        0x00, 0x53, 0x75, 0xa0, 0x01, b'x', 0x00, 0x53, 0x75, 0xa0, 0x01, b'y',
    ]);
    assert_eq!(walk(m.body()), expected_walk(&[binary(b"y")]));
    assert!(m.inferred);
    let mut want = EMPTY_HEADER_AND_PROPERTIES.to_vec();
    want.extend([0x00, 0x53, 0x75, 0xa0, 0x01, b'y']);
    assert_eq!(m.to_bytes(), want);
    decode_message(&m.to_bytes());

    // A data section, then an amqp-value section.
    let mut m = decode_message(&[
        0x00, 0x53, 0x75, 0xa0, 0x01, b'x', 0x00, 0x53, 0x77, 0x54, 0x05,
    ]);
    assert_eq!(walk(m.body()), expected_walk(&[int(5)]));
    assert!(!m.inferred);

    // Delivery annotations twice, message annotations twice.
    let mut m = decode_message(&[
        0x00, 0x53, 0x71, 0xc1, 0x03, 0x02, 0x41, 0x42, 0x00, 0x53, 0x71, 0xc1, 0x03, 0x02, 0x42,
        0x41,
    ]);
    let want = Value::Map(vec![s(Sv::Bool(false)), s(Sv::Bool(true))]);
    assert_eq!(walk(m.instructions()), expected_walk(&[want]));
    let mut m = decode_message(&[
        0x00, 0x53, 0x72, 0xc1, 0x01, 0x00, 0x00, 0x53, 0x72, 0xc1, 0x03, 0x02, 0x41, 0x42,
    ]);
    let want = Value::Map(vec![s(Sv::Bool(true)), s(Sv::Bool(false))]);
    assert_eq!(walk(m.annotations()), expected_walk(&[want]));
}

#[test]
fn repeated_header_and_properties_sections_replace_earlier_ones() {
    // properties [address "a"], then an empty properties list: address is null again.
    let m = decode_message(&[
        0x00, 0x53, 0x73, 0xc0, 0x06, 0x03, 0x40, 0x40, 0xa1, 0x01, b'a', 0x00, 0x53, 0x73, 0x45,
    ]);
    assert_eq!(m.address, None);
    // header [durable=true], then an empty header: durable is false again.
    let m = decode_message(&[
        0x00, 0x53, 0x70, 0xc0, 0x02, 0x01, 0x41, 0x00, 0x53, 0x70, 0x45,
    ]);
    assert!(!m.durable);
}

#[test]
fn unknown_sections_keep_the_whole_described_value() {
    // Unknown ulong descriptor 0x99.
    let mut m = decode_message(&[0x00, 0x53, 0x99, 0x41]);
    assert_eq!(
        walk(m.body()),
        expected_walk(&[described(s(Sv::Ulong(0x99)), s(Sv::Bool(true)))])
    );
    assert!(!m.inferred);
    let mut want = EMPTY_HEADER_AND_PROPERTIES.to_vec();
    want.extend([0x00, 0x53, 0x77, 0x00, 0x53, 0x99, 0x41]);
    assert_eq!(m.to_bytes(), want);
    // Symbolic descriptor.
    let mut m = decode_message(&[0x00, 0xa3, 0x01, b's', 0x41]);
    assert_eq!(
        walk(m.body()),
        expected_walk(&[described(symbol("s"), s(Sv::Bool(true)))])
    );
}

#[test]
fn a_null_body_is_encoded() {
    let mut m = Message::new();
    put_value(m.body(), &s(Sv::Null));
    let mut want = EMPTY_HEADER_AND_PROPERTIES.to_vec();
    want.extend([0x00, 0x53, 0x77, 0x40]);
    assert_eq!(m.to_bytes(), want);
}

#[test]
fn null_sections_decode_to_empty_trees() {
    for code in [0x71u8, 0x72, 0x74, 0x75, 0x76, 0x77] {
        let bytes = [0x00, 0x53, code, 0x40];
        let mut m = decode_message(&bytes);
        for index in 0..4 {
            assert_eq!(message_tree(&mut m, index).size(), 0, "{}", hex(&bytes));
        }
        assert_eq!(m.to_bytes(), EMPTY_HEADER_AND_PROPERTIES, "{}", hex(&bytes));
    }
}

/// A properties section holding `fields` (each an encoded value), with `count` as its
/// element count.
fn properties_section(count: u8, fields: &[&[u8]]) -> Vec<u8> {
    let body: Vec<u8> = fields.concat();
    let mut out = vec![0x00, 0x53, 0x73, 0xc0, body.len() as u8 + 1, count];
    out.extend(body);
    out
}

#[test]
fn section_lists_are_bounded_by_their_size() {
    // properties list8 of size 2 (count byte + one null) claiming 2 fields, then an
    // amqp-value section "x": proton reads one field, then the body.
    let mut bytes = properties_section(2, &[&[0x40]]);
    bytes.extend([0x00, 0x53, 0x77, 0xa1, 0x01, b'x']);
    let mut m = decode_message(&bytes);
    assert_eq!(walk(m.body()), expected_walk(&[string("x")]));
    // Claiming 1 field but holding 3 (null, null, address "a"): proton reads all three.
    let m = decode_message(&properties_section(
        1,
        &[&[0x40], &[0x40], &[0xa1, 0x01, b'a']],
    ));
    assert_eq!(m.address, cstr("a"));
    // A header whose size covers one more byte than its fields: skipped with the header.
    let mut bytes = vec![0x00, 0x53, 0x70, 0xc0, 0x03, 0x01, 0x41, 0x00];
    bytes.extend([0x00, 0x53, 0x77, 0x41]);
    let mut m = decode_message(&bytes);
    assert!(m.durable);
    assert_eq!(walk(m.body()), expected_walk(&[s(Sv::Bool(true))]));
}

#[test]
fn text_fields_of_the_wrong_type_are_ignored() {
    let null: &[u8] = &[0x40];
    let sym: &[u8] = &[0xa3, 0x01, b'v'];
    let string: &[u8] = &[0xa1, 0x01, b'v'];
    // (field index, value of the wrong type)
    for (index, wrong) in [
        (2usize, sym),
        (3, sym),
        (4, sym),
        (6, string),
        (7, string),
        (10, sym),
        (12, sym),
    ] {
        let mut fields = vec![null; index];
        fields.push(wrong);
        let bytes = properties_section(index as u8 + 1, &fields);
        let m = decode_message(&bytes);
        let texts = [
            &m.address,
            &m.subject,
            &m.reply_to,
            &m.content_type,
            &m.content_encoding,
            &m.group_id,
            &m.reply_to_group_id,
        ];
        assert!(texts.iter().all(|t| t.is_none()), "{}", hex(&bytes));
    }
    // The right types are read.
    let m = decode_message(&properties_section(
        8,
        &[null, null, string, null, null, null, sym, sym],
    ));
    assert_eq!(m.address, cstr("v"));
    assert_eq!(m.content_type, cstr("v"));
    assert_eq!(m.content_encoding, cstr("v"));
}
