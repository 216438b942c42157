//! Round trips through the public codec API: values put into a `Data`, encoded, decoded into
//! a fresh `Data`, must come back node for node (floats bit for bit), format the same, and
//! re-encode to the same bytes, which must be proton-c 0.37's encoding (checked against an
//! independent reference encoder in `common` and against literal bytes for the
//! smallest-form choices).

mod common;

use common::*;
use qpid_proton::codec::{encoder, format, Data, Scalar, Type};

/// Seed of the randomized test; override with `QPID_TEST_SEED=<n>` to explore.
const SEED: u64 = 0x5eed_c0de_0037_0001;
const RANDOM_CASES: usize = 3000;

/// Every property for `values`: put, walk, encode (= reference), size, decode, format,
/// re-encode.
fn check_round_trip(values: &[Value], context: &str) {
    let expected = expected_walk(values);
    let mut data = data_of(values);
    assert_eq!(walk(&mut data), expected, "tree as put ({context})");
    assert_eq!(
        data.size(),
        values.iter().map(Value::node_count).sum::<usize>(),
        "node count ({context})"
    );

    let bytes = encode(&data);
    let reference = reference_encode_all(values);
    assert!(
        bytes == reference,
        "encoding ({context})\n  got      {}\n  expected {}",
        hex(&bytes),
        hex(&reference)
    );
    assert_eq!(
        encoder::encoded_size(&data),
        bytes.len(),
        "encoded_size ({context})"
    );

    let mut decoded = decode_all(&bytes)
        .unwrap_or_else(|e| panic!("decode failed: {e} ({context}) bytes {}", hex(&bytes)));
    assert_eq!(
        decoded.size(),
        data.size(),
        "decoded node count ({context})"
    );
    assert_eq!(walk(&mut decoded), expected, "decoded tree ({context})");
    assert_eq!(
        format::format(&decoded),
        format::format(&data),
        "format ({context})"
    );
    assert!(
        encode(&decoded) == bytes,
        "re-encoding ({context}) of {}",
        hex(&bytes)
    );
}

fn edge_values(ty: Type) -> Vec<Sv> {
    let bytes = |lens: &[usize], fill: &dyn Fn(usize) -> u8| -> Vec<Vec<u8>> {
        lens.iter().map(|&n| (0..n).map(fill).collect()).collect()
    };
    let lens = [0usize, 1, 254, 255, 256, 257, 1000, 70_000];
    let counting: [u8; 16] = std::array::from_fn(|i| i as u8);
    match ty {
        Type::Null => vec![Sv::Null],
        Type::Bool => vec![Sv::Bool(true), Sv::Bool(false)],
        Type::Ubyte => [0, 1, 127, 128, 255].map(Sv::Ubyte).to_vec(),
        Type::Byte => [0, 1, -1, 127, -128].map(Sv::Byte).to_vec(),
        Type::Ushort => [0, 1, 255, 256, 65535].map(Sv::Ushort).to_vec(),
        Type::Short => [0, -1, 127, -128, 128, -129, i16::MIN, i16::MAX]
            .map(Sv::Short)
            .to_vec(),
        Type::Uint => [0, 1, 127, 128, 255, 256, 65535, 65536, u32::MAX]
            .map(Sv::Uint)
            .to_vec(),
        Type::Int => [0, 1, -1, 127, 128, -128, -129, 255, 256, i32::MIN, i32::MAX]
            .map(Sv::Int)
            .to_vec(),
        Type::Char => [0, 'a' as u32, 0xe9, 0x1f600, 0x10ffff, u32::MAX]
            .map(Sv::Char)
            .to_vec(),
        Type::Ulong => [0, 1, 255, 256, u32::MAX as u64, u64::MAX]
            .map(Sv::Ulong)
            .to_vec(),
        Type::Long => [0, 1, -1, 127, 128, -128, -129, i64::MIN, i64::MAX]
            .map(Sv::Long)
            .to_vec(),
        Type::Timestamp => [0, -1, 1_700_000_000_000, i64::MIN, i64::MAX]
            .map(Sv::Timestamp)
            .to_vec(),
        Type::Float => FLOAT_BITS.map(Sv::Float).to_vec(),
        Type::Double => DOUBLE_BITS.map(Sv::Double).to_vec(),
        Type::Decimal32 => [0, 1, 0x2230_0001, u32::MAX].map(Sv::Decimal32).to_vec(),
        Type::Decimal64 => [0, 1, u64::MAX].map(Sv::Decimal64).to_vec(),
        Type::Decimal128 => [[0; 16], [0xff; 16], counting].map(Sv::Decimal128).to_vec(),
        Type::Uuid => [[0; 16], [0xff; 16], counting].map(Sv::Uuid).to_vec(),
        Type::Binary => {
            let mut v: Vec<Sv> = bytes(&lens, &|i| (i * 7) as u8)
                .into_iter()
                .map(Sv::Binary)
                .collect();
            v.push(Sv::Binary(b"abc\0def".to_vec()));
            v
        }
        Type::String => {
            let mut v: Vec<Sv> = bytes(&lens, &|i| b'a' + (i % 26) as u8)
                .into_iter()
                .map(Sv::String)
                .collect();
            v.push(Sv::String("héllo wörld \u{1f600}".as_bytes().to_vec()));
            v.push(Sv::String(b"nul\0inside \"quoted\" \\ '".to_vec()));
            v
        }
        Type::Symbol => {
            let mut v: Vec<Sv> = bytes(&lens, &|i| b'A' + (i % 26) as u8)
                .into_iter()
                .map(Sv::Symbol)
                .collect();
            v.push(Sv::Symbol(b"amqp:accepted:list".to_vec()));
            v
        }
        other => panic!("{other:?} is not scalar"),
    }
}

#[test]
fn scalar_edge_values_round_trip() {
    for ty in SCALAR_TYPES {
        let values: Vec<Value> = edge_values(ty).into_iter().map(Value::Scalar).collect();
        for (i, v) in values.iter().enumerate() {
            check_round_trip(std::slice::from_ref(v), &format!("{ty:?} edge value #{i}"));
        }
        // All of them as top-level siblings, inside a list, inside an array of their type
        // (where every element takes the wide constructor), and in a described array.
        check_round_trip(&values, &format!("{ty:?} edge values in sequence"));
        check_round_trip(
            &[Value::List(values.clone())],
            &format!("{ty:?} edge values in a list"),
        );
        check_round_trip(
            &[Value::Array {
                descriptor: None,
                elem: ty,
                items: values.clone(),
            }],
            &format!("{ty:?} edge values in an array"),
        );
        check_round_trip(
            &[Value::Array {
                descriptor: Some(Box::new(symbol("edge"))),
                elem: ty,
                items: values.clone(),
            }],
            &format!("{ty:?} edge values in a described array"),
        );
        check_round_trip(
            &[Value::Map(
                values.iter().flat_map(|v| [v.clone(), int(1)]).collect(),
            )],
            &format!("{ty:?} edge values as map keys"),
        );
    }
}

fn encoded(values: &[Value]) -> Vec<u8> {
    encode(&data_of(values))
}

fn scalar_bytes(v: Sv) -> Vec<u8> {
    encoded(&[s(v)])
}

#[test]
fn smallest_form_choices() {
    let cases: Vec<(Sv, Vec<u8>)> = vec![
        (Sv::Null, vec![0x40]),
        (Sv::Bool(true), vec![0x41]),
        (Sv::Bool(false), vec![0x42]),
        (Sv::Ubyte(0xab), vec![0x50, 0xab]),
        (Sv::Byte(-128), vec![0x51, 0x80]),
        (Sv::Ushort(0xffff), vec![0x60, 0xff, 0xff]),
        (Sv::Short(i16::MIN), vec![0x61, 0x80, 0x00]),
        (Sv::Uint(0), vec![0x43]),
        (Sv::Uint(1), vec![0x52, 0x01]),
        (Sv::Uint(255), vec![0x52, 0xff]),
        (Sv::Uint(256), vec![0x70, 0, 0, 1, 0]),
        (Sv::Uint(u32::MAX), vec![0x70, 0xff, 0xff, 0xff, 0xff]),
        (Sv::Int(0), vec![0x54, 0x00]),
        (Sv::Int(127), vec![0x54, 0x7f]),
        (Sv::Int(128), vec![0x71, 0, 0, 0, 0x80]),
        (Sv::Int(-128), vec![0x54, 0x80]),
        (Sv::Int(-129), vec![0x71, 0xff, 0xff, 0xff, 0x7f]),
        (Sv::Char(0x1f600), vec![0x73, 0, 1, 0xf6, 0]),
        (Sv::Ulong(0), vec![0x44]),
        (Sv::Ulong(255), vec![0x53, 0xff]),
        (Sv::Ulong(256), vec![0x80, 0, 0, 0, 0, 0, 0, 1, 0]),
        (Sv::Long(-128), vec![0x55, 0x80]),
        (Sv::Long(127), vec![0x55, 0x7f]),
        (Sv::Long(128), vec![0x81, 0, 0, 0, 0, 0, 0, 0, 0x80]),
        (
            Sv::Long(-129),
            vec![0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f],
        ),
        (Sv::Timestamp(0), vec![0x83, 0, 0, 0, 0, 0, 0, 0, 0]),
        (Sv::Float(0x3e00_0000), vec![0x72, 0x3e, 0, 0, 0]),
        (Sv::Float(0x7f80_0001), vec![0x72, 0x7f, 0x80, 0, 1]),
        (
            Sv::Double(0x3fc0_0000_0000_0000),
            vec![0x82, 0x3f, 0xc0, 0, 0, 0, 0, 0, 0],
        ),
        (Sv::Decimal32(7), vec![0x74, 0, 0, 0, 7]),
        (Sv::Decimal64(7), vec![0x84, 0, 0, 0, 0, 0, 0, 0, 7]),
        (Sv::Binary(vec![]), vec![0xa0, 0x00]),
        (Sv::String(vec![]), vec![0xa1, 0x00]),
        (Sv::Symbol(vec![]), vec![0xa3, 0x00]),
        (Sv::String(b"hi".to_vec()), vec![0xa1, 0x02, b'h', b'i']),
    ];
    for (value, want) in cases {
        assert_eq!(scalar_bytes(value.clone()), want, "{value:?}");
    }
    let dec128 = scalar_bytes(Sv::Decimal128([9; 16]));
    assert_eq!(dec128[0], 0x94);
    assert_eq!(&dec128[1..], &[9; 16]);
    let uuid = scalar_bytes(Sv::Uuid([7; 16]));
    assert_eq!(uuid[0], 0x98);
    assert_eq!(&uuid[1..], &[7; 16]);

    // str8/sym8/vbin8 up to 255 bytes, the 32-bit forms from 256.
    for (ctor8, make) in [
        (0xa0u8, Sv::Binary as fn(Vec<u8>) -> Sv),
        (0xa1, Sv::String),
        (0xa3, Sv::Symbol),
    ] {
        let b = scalar_bytes(make(vec![b'x'; 255]));
        assert_eq!(&b[..2], &[ctor8, 0xff]);
        assert_eq!(b.len(), 2 + 255);
        let b = scalar_bytes(make(vec![b'x'; 256]));
        assert_eq!(&b[..5], &[ctor8 + 0x10, 0, 0, 1, 0]);
        assert_eq!(b.len(), 5 + 256);
    }
}

#[test]
fn compound_forms() {
    // Empty list is list0; any other list, and every map, is list32/map32.
    assert_eq!(encoded(&[Value::List(vec![])]), [0x45]);
    assert_eq!(
        encoded(&[Value::List(vec![s(Sv::Null)])]),
        [0xd0, 0, 0, 0, 5, 0, 0, 0, 1, 0x40]
    );
    assert_eq!(
        encoded(&[Value::Map(vec![])]),
        [0xd1, 0, 0, 0, 4, 0, 0, 0, 0]
    );
    assert_eq!(
        encoded(&[Value::Map(vec![symbol("k"), s(Sv::Uint(0))])]),
        [0xd1, 0, 0, 0, 8, 0, 0, 0, 2, 0xa3, 1, b'k', 0x43]
    );
    assert_eq!(
        encoded(&[Value::List(vec![Value::List(vec![])])]),
        [0xd0, 0, 0, 0, 5, 0, 0, 0, 1, 0x45]
    );
    // Described value.
    assert_eq!(
        encoded(&[described(s(Sv::Ulong(0x10)), Value::List(vec![]))]),
        [0x00, 0x53, 0x10, 0x45]
    );
    // Arrays: one wide constructor for all elements (uint 0 is 70 00000000, not 43).
    let array = |elem, items| Value::Array {
        descriptor: None,
        elem,
        items,
    };
    assert_eq!(
        encoded(&[array(Type::Uint, vec![s(Sv::Uint(0)), s(Sv::Uint(1))])]),
        [0xf0, 0, 0, 0, 13, 0, 0, 0, 2, 0x70, 0, 0, 0, 0, 0, 0, 0, 1]
    );
    assert_eq!(
        encoded(&[array(
            Type::Bool,
            vec![s(Sv::Bool(true)), s(Sv::Bool(false))]
        )]),
        [0xf0, 0, 0, 0, 7, 0, 0, 0, 2, 0x56, 1, 0]
    );
    assert_eq!(
        encoded(&[array(Type::Int, vec![])]),
        [0xf0, 0, 0, 0, 5, 0, 0, 0, 0, 0x71]
    );
    assert_eq!(
        encoded(&[array(Type::String, vec![string("a")])]),
        [0xf0, 0, 0, 0, 10, 0, 0, 0, 1, 0xb1, 0, 0, 0, 1, b'a']
    );
    // Array of lists: elements share d0 and carry only size and count, even when empty.
    assert_eq!(
        encoded(&[array(
            Type::List,
            vec![Value::List(vec![]), Value::List(vec![int(1)])]
        )]),
        [
            0xf0, 0, 0, 0, 23, 0, 0, 0, 2, 0xd0, 0, 0, 0, 4, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 1,
            0x54, 1
        ]
    );
    // Described array: count excludes the descriptor; the constructor follows it.
    assert_eq!(
        encoded(&[Value::Array {
            descriptor: Some(Box::new(symbol("d"))),
            elem: Type::Int,
            items: vec![int(5)],
        }]),
        [0xf0, 0, 0, 0, 13, 0, 0, 0, 1, 0x00, 0xa3, 1, b'd', 0x71, 0, 0, 0, 5]
    );
    // Array of arrays.
    assert_eq!(
        encoded(&[array(
            Type::Array,
            vec![array(Type::Ubyte, vec![s(Sv::Ubyte(3))])]
        )]),
        [0xf0, 0, 0, 0, 15, 0, 0, 0, 1, 0xf0, 0, 0, 0, 6, 0, 0, 0, 1, 0x50, 3]
    );
}

#[test]
fn wider_forms_decode_to_the_same_values() {
    // (input, the values it holds); the re-encoding is the smallest form.
    let cases: Vec<(Vec<u8>, Vec<Value>)> = vec![
        (vec![0x70, 0, 0, 0, 0], vec![s(Sv::Uint(0))]),
        (vec![0x52, 0], vec![s(Sv::Uint(0))]),
        (vec![0x71, 0, 0, 0, 5], vec![int(5)]),
        (vec![0x80, 0, 0, 0, 0, 0, 0, 0, 1], vec![s(Sv::Ulong(1))]),
        (vec![0x53, 0], vec![s(Sv::Ulong(0))]),
        (
            vec![0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
            vec![s(Sv::Long(-1))],
        ),
        (
            vec![0x56, 0x01, 0x56, 0x00],
            vec![s(Sv::Bool(true)), s(Sv::Bool(false))],
        ),
        // Any non-zero byte is true (proton 0.37 decodes `56 02` and `56 ff` as true).
        (
            vec![0x56, 0x02, 0x56, 0xff],
            vec![s(Sv::Bool(true)), s(Sv::Bool(true))],
        ),
        (
            vec![0xe0, 0x03, 0x02, 0x56, 0x00, 0x07],
            vec![Value::Array {
                descriptor: None,
                elem: Type::Bool,
                items: vec![s(Sv::Bool(false)), s(Sv::Bool(true))],
            }],
        ),
        (vec![0xb1, 0, 0, 0, 2, b'h', b'i'], vec![string("hi")]),
        (vec![0xb0, 0, 0, 0, 0], vec![binary(b"")]),
        (vec![0xb3, 0, 0, 0, 1, b's'], vec![symbol("s")]),
        (vec![0xc0, 0x01, 0x00], vec![Value::List(vec![])]),
        (
            vec![0xd0, 0, 0, 0, 4, 0, 0, 0, 0],
            vec![Value::List(vec![])],
        ),
        (
            vec![0xc0, 0x03, 0x01, 0x54, 0x05],
            vec![Value::List(vec![int(5)])],
        ),
        (vec![0xc1, 0x01, 0x00], vec![Value::Map(vec![])]),
        (
            vec![0xc1, 0x05, 0x02, 0xa1, 0x01, b'k', 0x40],
            vec![Value::Map(vec![string("k"), s(Sv::Null)])],
        ),
        (
            vec![0xe0, 0x04, 0x02, 0x50, 0x01, 0x02],
            vec![Value::Array {
                descriptor: None,
                elem: Type::Ubyte,
                items: vec![s(Sv::Ubyte(1)), s(Sv::Ubyte(2))],
            }],
        ),
        // An array whose shared constructor is a zero-width one.
        (
            vec![0xe0, 0x02, 0x02, 0x43],
            vec![Value::Array {
                descriptor: None,
                elem: Type::Uint,
                items: vec![s(Sv::Uint(0)), s(Sv::Uint(0))],
            }],
        ),
        (
            vec![0xe0, 0x02, 0x02, 0x41],
            vec![Value::Array {
                descriptor: None,
                elem: Type::Bool,
                items: vec![s(Sv::Bool(true)), s(Sv::Bool(true))],
            }],
        ),
    ];
    for (input, values) in cases {
        let mut data =
            decode_all(&input).unwrap_or_else(|e| panic!("decode {} failed: {e}", hex(&input)));
        assert_eq!(walk(&mut data), expected_walk(&values), "{}", hex(&input));
        assert_eq!(
            encode(&data),
            reference_encode_all(&values),
            "{}",
            hex(&input)
        );
    }
}

#[test]
fn format_text_of_a_round_tripped_tree() {
    let values = [
        Value::List(vec![int(1), string("a"), symbol("b"), s(Sv::Bool(true))]),
        Value::Map(vec![symbol("k"), s(Sv::Uint(7))]),
        Value::Array {
            descriptor: None,
            elem: Type::Int,
            items: vec![int(1), int(2)],
        },
        described(s(Sv::Ulong(0x24)), Value::List(vec![])),
    ];
    let data = decode_all(&encoded(&values)).expect("decode");
    assert_eq!(
        format_string(&data),
        "[1, \"a\", :b, true], {:k=7}, @PN_INT[1, 2], @accepted(36) []"
    );
}

#[test]
fn slice_sink_writes_the_same_bytes_and_reports_overflow() {
    let data = data_of(&[Value::List(vec![string("hello"), s(Sv::Uint(300))])]);
    let bytes = encode(&data);
    let mut buf = vec![0u8; bytes.len()];
    let mut sink = encoder::SliceSink::new(&mut buf);
    encoder::encode(&data, &mut sink);
    assert!(!sink.overflow);
    assert_eq!(encoder::Sink::len(&sink), bytes.len());
    assert_eq!(buf, bytes);

    let mut short = vec![0u8; bytes.len() - 1];
    let mut sink = encoder::SliceSink::new(&mut short);
    encoder::encode(&data, &mut sink);
    assert!(sink.overflow, "a buffer one byte short must overflow");
}

#[test]
fn random_trees_round_trip() {
    let seed = std::env::var("QPID_TEST_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(SEED);
    println!("random_trees_round_trip: seed {seed:#x}, {RANDOM_CASES} cases");
    let mut rng = Rng::new(seed);
    let mut nodes = 0;
    let mut kinds = [0usize; 26];
    for case in 0..RANDOM_CASES {
        let count = 1 + rng.below(3);
        let values: Vec<Value> = (0..count).map(|_| random_value(&mut rng, 5)).collect();
        nodes += values.iter().map(Value::node_count).sum::<usize>();
        for v in &values {
            count_kinds(v, &mut kinds);
        }
        check_round_trip(&values, &format!("seed {seed:#x}, case {case}"));
    }
    // The generator must actually reach every type and the compound kinds.
    for ty in SCALAR_TYPES
        .iter()
        .chain(&[Type::List, Type::Map, Type::Array, Type::Described])
    {
        assert!(kinds[ty.code() as usize] > 0, "{ty:?} never generated");
    }
    println!("random_trees_round_trip: {nodes} nodes checked");
}

fn count_kinds(v: &Value, kinds: &mut [usize; 26]) {
    kinds[v.type_of().code() as usize] += 1;
    match v {
        Value::Scalar(_) => {}
        Value::List(items) | Value::Map(items) => items.iter().for_each(|i| count_kinds(i, kinds)),
        Value::Array {
            descriptor, items, ..
        } => {
            descriptor.iter().for_each(|d| count_kinds(d, kinds));
            items.iter().for_each(|i| count_kinds(i, kinds));
        }
        Value::Described(d, x) => {
            count_kinds(d, kinds);
            count_kinds(x, kinds);
        }
    }
}

#[test]
fn put_after_rewind_overwrites_in_place() {
    // proton's cursor: writing after a rewind replaces the first value; the round trip of
    // the result must hold the new value only where it was written.
    let mut data = data_of(&[int(1), int(2)]);
    data.rewind();
    data.put(Scalar::String(b"x")).expect("put");
    let mut decoded = decode_all(&encode(&data)).expect("decode");
    assert_eq!(walk(&mut decoded), expected_walk(&[string("x"), int(2)]));
    let mut fresh = Data::new();
    assert!(!fresh.next(), "an empty tree has no first node");
    assert_eq!(encode(&fresh), Vec::<u8>::new());
    assert_eq!(encoder::encoded_size(&fresh), 0);
}
