//! The reference encodings in `shared/interop/` (written by Apache Qpid Proton's own codec):
//! each file decodes to exactly the values its README lists, node by node, and putting
//! those values into a `Data` and encoding gives the file's bytes back.
//!
//! The one exception is `message.amqp`, written by an older proton whose message encoder
//! spelled out default header/properties fields: see [`message_file`] for the exact bytes
//! proton 0.37's `pn_data` encoder writes instead.

mod common;

use common::*;
use qpid_proton::codec::{decoder, Scalar, Type};
use qpid_proton::message::{IdField, Message};
use std::collections::BTreeSet;
use std::path::PathBuf;

fn interop_dir() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../shared/interop");
    assert!(
        dir.is_dir(),
        "interop vectors missing: expected the folder {} (shared/interop next to the repo)",
        dir.display()
    );
    dir
}

fn read_vector(name: &str) -> Vec<u8> {
    let path = interop_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()))
}

/// Every file the README describes.
const FILES: [&str; 9] = [
    "null.amqp",
    "primitives.amqp",
    "strings.amqp",
    "described.amqp",
    "described_array.amqp",
    "arrays.amqp",
    "lists.amqp",
    "maps.amqp",
    "message.amqp",
];

fn int_array(range: std::ops::Range<i32>, descriptor: Option<Value>) -> Value {
    Value::Array {
        descriptor: descriptor.map(Box::new),
        elem: Type::Int,
        items: range.map(int).collect(),
    }
}

/// The values the README lists for a file. Map entries are in the README's order; the
/// file's order may differ (`decode_and_align` checks they are the same entries).
fn readme_values(name: &str) -> Vec<Value> {
    match name {
        "null.amqp" => vec![s(Sv::Null)],
        "primitives.amqp" => vec![
            s(Sv::Bool(true)),
            s(Sv::Bool(false)),
            s(Sv::Ubyte(42)),
            s(Sv::Ushort(42)),
            s(Sv::Short(-42)),
            s(Sv::Uint(12345)),
            int(-12345),
            s(Sv::Ulong(12345)),
            s(Sv::Long(-12345)),
            s(Sv::Float(0.125f32.to_bits())),
            s(Sv::Double(0.125f64.to_bits())),
        ],
        "strings.amqp" => vec![
            binary(b"abc\0defg"),
            string("abcdefg"),
            symbol("abcdefg"),
            binary(b""),
            string(""),
            symbol(""),
        ],
        "described.amqp" => vec![
            described(symbol("foo-descriptor"), string("foo-value")),
            described(int(12), int(13)),
        ],
        "described_array.amqp" => vec![int_array(0..10, Some(symbol("int-array")))],
        "arrays.amqp" => vec![
            int_array(0..100, None),
            Value::Array {
                descriptor: None,
                elem: Type::String,
                items: vec![string("a"), string("b"), string("c")],
            },
            int_array(0..0, None),
        ],
        "lists.amqp" => vec![
            Value::List(vec![int(32), string("foo"), s(Sv::Bool(true))]),
            Value::List(vec![]),
        ],
        "maps.amqp" => vec![
            Value::Map(vec![
                string("one"),
                int(1),
                string("two"),
                int(2),
                string("three"),
                int(3),
            ]),
            Value::Map(vec![
                int(1),
                string("one"),
                int(2),
                string("two"),
                int(3),
                string("three"),
            ]),
            Value::Map(vec![]),
        ],
        "message.amqp" => {
            // Header: durable=false, priority=4, ttl=null, first-acquirer=false,
            // delivery-count=0, every field written out.
            let header = Value::List(vec![
                s(Sv::Bool(false)),
                s(Sv::Ubyte(4)),
                s(Sv::Null),
                s(Sv::Bool(false)),
                s(Sv::Uint(0)),
            ]);
            // Properties: eight nulls, absolute-expiry-time 0, creation-time 0, group-id
            // null, group-sequence 0, reply-to-group-id null.
            let mut props = vec![s(Sv::Null); 8];
            props.extend([
                s(Sv::Timestamp(0)),
                s(Sv::Timestamp(0)),
                s(Sv::Null),
                s(Sv::Uint(0)),
                s(Sv::Null),
            ]);
            vec![
                described(s(Sv::Ulong(0x70)), header),
                described(s(Sv::Ulong(0x73)), Value::List(props)),
                described(s(Sv::Ulong(0x77)), binary(&hello_encoding())),
            ]
        }
        other => panic!("{other} is not described in the interop README"),
    }
}

/// The encoding of string "hello": the body of message.amqp.
fn hello_encoding() -> Vec<u8> {
    let mut v = vec![0xa1, 5];
    v.extend_from_slice(b"hello");
    v
}

/// Decode `bytes` and return its values; map entries are checked against `expected` as
/// sets and the expected maps are reordered to the file's order.
fn decode_and_align(name: &str, bytes: &[u8], expected: &mut [Value]) -> Vec<Value> {
    let mut data = decode_all(bytes).unwrap_or_else(|e| panic!("{name}: decode failed: {e}"));
    let steps = walk(&mut data);
    let decoded = values_from_steps(&steps);
    assert_eq!(
        decoded.len(),
        expected.len(),
        "{name}: number of top-level values"
    );
    for (i, (got, want)) in decoded.iter().zip(expected.iter_mut()).enumerate() {
        if let (Value::Map(g), Value::Map(w)) = (got, &mut *want) {
            let pairs = |m: &[Value]| -> BTreeSet<String> {
                m.chunks(2).map(|p| format!("{p:?}")).collect()
            };
            assert_eq!(g.len(), w.len(), "{name}: map #{i} size");
            assert_eq!(pairs(g), pairs(w), "{name}: map #{i} entries");
            w.clone_from(g);
        }
    }
    assert_eq!(
        steps,
        expected_walk(expected),
        "{name}: decoded values node by node"
    );
    decoded
}

/// Decode, compare to the README, and encode the README's values back to the file's bytes.
fn check_file(name: &str) {
    let bytes = read_vector(name);
    let mut expected = readme_values(name);
    decode_and_align(name, &bytes, &mut expected);

    let data = data_of(&expected);
    let encoded = encode(&data);
    assert!(
        encoded == bytes,
        "{name}: put_* + encode\n  got  {}\n  file {}",
        hex(&encoded),
        hex(&bytes)
    );
    let mut decoded = decode_all(&bytes).expect("decoded above");
    assert_eq!(encode(&decoded), bytes, "{name}: decode + encode");
    assert_eq!(walk(&mut decoded), expected_walk(&expected));
}

#[test]
fn the_folder_holds_exactly_the_readme_files() {
    let dir = interop_dir();
    assert!(dir.join("README.md").is_file(), "interop README missing");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .expect("read interop dir")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|n| n.ends_with(".amqp"))
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = FILES.iter().map(|s| s.to_string()).collect();
    known.sort();
    assert_eq!(
        on_disk, known,
        "every .amqp file needs its values here, and every value set its file"
    );
}

#[test]
fn null_file() {
    check_file("null.amqp");
}

#[test]
fn primitives_file() {
    check_file("primitives.amqp");
}

#[test]
fn strings_file() {
    check_file("strings.amqp");
}

#[test]
fn described_file() {
    check_file("described.amqp");
}

#[test]
fn described_array_file() {
    check_file("described_array.amqp");
}

#[test]
fn arrays_file() {
    check_file("arrays.amqp");
}

#[test]
fn lists_file() {
    check_file("lists.amqp");
}

#[test]
fn maps_file() {
    check_file("maps.amqp");
    // The README's pairs came out in the file's order: the string-keyed map is
    // three, two, one in this file. Decoding must keep the file's order (not sort).
    let bytes = read_vector("maps.amqp");
    let mut data = decode_all(&bytes).expect("decode");
    let values = values_from_steps(&walk(&mut data));
    let Value::Map(first) = &values[0] else {
        panic!("first value is a map")
    };
    assert_eq!(first[0], string("three"));
}

/// proton 0.37's `pn_data` encoding of message.amqp's values: the file's bytes with each
/// `52 00` (smalluint 0) written as `43` (uint0), the list sizes shrinking by one.
///
/// Bytes that differ (offsets in the file):
/// - 0x04..0x08: header list32 size 0x0000000b -> 0x0000000a;
/// - 0x11..0x13: delivery-count `52 00` -> `43`;
/// - 0x17..0x1b: properties list32 size 0x00000022 -> 0x00000021;
/// - 0x3a..0x3c: group-sequence `52 00` -> `43`.
///
/// Everything else (list32 forms, explicit nulls and defaults, timestamps) is unchanged,
/// because these are the values as put, not a re-encoded message.
fn proton_037_encoding_of_message_values(file: &[u8]) -> Vec<u8> {
    assert_eq!(&file[0x04..0x08], &[0, 0, 0, 0x0b]);
    assert_eq!(&file[0x11..0x13], &[0x52, 0x00]);
    assert_eq!(&file[0x17..0x1b], &[0, 0, 0, 0x22]);
    assert_eq!(&file[0x3a..0x3c], &[0x52, 0x00]);
    let mut out = Vec::new();
    out.extend_from_slice(&file[..0x04]);
    out.extend_from_slice(&[0, 0, 0, 0x0a]);
    out.extend_from_slice(&file[0x08..0x11]);
    out.push(0x43);
    out.extend_from_slice(&file[0x13..0x17]);
    out.extend_from_slice(&[0, 0, 0, 0x21]);
    out.extend_from_slice(&file[0x1b..0x3a]);
    out.push(0x43);
    out.extend_from_slice(&file[0x3c..]);
    out
}

#[test]
fn message_file() {
    let name = "message.amqp";
    let bytes = read_vector(name);
    let mut expected = readme_values(name);
    decode_and_align(name, &bytes, &mut expected);

    // put_* + encode: proton 0.37 bytes, not the file's (see the function's comment).
    let want = proton_037_encoding_of_message_values(&bytes);
    assert_eq!(want.len(), bytes.len() - 2);
    let encoded = encode(&data_of(&expected));
    assert!(
        encoded == want,
        "{name}: put_* + encode\n  got  {}\n  want {}",
        hex(&encoded),
        hex(&want)
    );

    // decode -> encode -> decode is stable, and gives the same 0.37 bytes.
    let first = encode(&decode_all(&bytes).expect("decode file"));
    assert_eq!(first, want);
    let mut again = decode_all(&first).expect("decode re-encoding");
    assert_eq!(walk(&mut again), expected_walk(&expected));
    assert_eq!(encode(&again), first);
}

#[test]
fn message_file_as_a_message() {
    let bytes = read_vector("message.amqp");
    let mut msg = Message::new();
    // Decode into a message that holds something: everything must be replaced.
    msg.address = Some(c"stale".into());
    msg.body().put(Scalar::Int(9)).expect("put");
    msg.decode(&bytes)
        .unwrap_or_else(|e| panic!("Message::decode(message.amqp) failed: {e}"));

    let hello = hello_encoding();
    assert_eq!(
        msg.body().first_scalar(),
        Some(Scalar::Binary(&hello)),
        "the body is a binary holding the encoding of \"hello\""
    );
    assert_eq!(msg.body().size(), 1);
    let mut inner = decode_all(&hello).expect("the body decodes");
    assert_eq!(walk(&mut inner), expected_walk(&[string("hello")]));
    let mut body_only = qpid_proton::codec::Data::new();
    assert_eq!(
        decoder::decode(&mut body_only, &hello).expect("decode"),
        hello.len(),
        "one value, all bytes consumed"
    );

    assert!(!msg.inferred, "an amqp-value body is not inferred");
    assert!(!msg.durable);
    assert_eq!(msg.priority, 4);
    assert_eq!(msg.ttl, 0);
    assert!(!msg.first_acquirer);
    assert_eq!(msg.delivery_count, 0);
    assert_eq!(msg.get_id(IdField::MessageId), None);
    assert_eq!(msg.get_id(IdField::CorrelationId), None);
    assert_eq!(msg.user_id, None);
    assert_eq!(msg.address, None, "the stale address is gone");
    assert_eq!(msg.subject, None);
    assert_eq!(msg.reply_to, None);
    assert_eq!(msg.content_type, None);
    assert_eq!(msg.content_encoding, None);
    assert_eq!(msg.expiry_time, 0);
    assert_eq!(msg.creation_time, 0);
    assert_eq!(msg.group_id, None);
    assert_eq!(msg.group_sequence, 0);
    assert_eq!(msg.reply_to_group_id, None);
    assert_eq!(msg.instructions().size(), 0);
    assert_eq!(msg.annotations().size(), 0);
    assert_eq!(msg.properties().size(), 0);

    // Proton 0.37 re-encodes it with the default fields left out.
    let mut want = vec![
        0x00, 0x53, 0x70, 0x45, 0x00, 0x53, 0x73, 0x45, 0x00, 0x53, 0x77,
    ];
    want.extend([0xa0, hello.len() as u8]);
    want.extend(&hello);
    assert_eq!(msg.to_bytes(), want);
}
