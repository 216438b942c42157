//! Hostile input: the data decoder and the message decoder never panic, return only
//! proton's error codes, never grow a tree past 65535 nodes, and whatever they accept can
//! be walked, formatted and re-encoded, and decodes again to the same thing.
//!
//! (a) at least 100,000 buffers from a fixed seed: valid encodings of random values and
//!     messages, cut at every (or random) offset, with bytes flipped and overwritten, huge
//!     sizes and counts, random garbage, and hand-made deep nestings and huge claims.
//! (b) proton's own fuzzing corpus for `pn_message_decode` (corpus and crash inputs).

mod common;

use common::*;
use qpid_proton::codec::{decoder, encoder, format, Data};
use qpid_proton::error::code;
use qpid_proton::message::{IdField, Message};
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;

const SEED: u64 = 0xbad1_4b07_0037_0001;
const MIN_BUFFERS: usize = 500_000;
/// Proton numbers tree nodes with 16 bits.
const MAX_NODES: usize = 65535;
/// Failed decodes still have their partial tree walked, formatted and encoded (it must not
/// panic either), when it is small enough to keep the run fast.
const PARTIAL_TREE_CHECK_LIMIT: usize = 4096;

#[derive(Default, Debug)]
struct Stats {
    buffers: usize,
    data_ok: usize,
    data_errors: [usize; 4],
    message_ok: usize,
    message_errors: [usize; 4],
    max_nodes: usize,
    /// Re-encodings that failed to decode because of the known append bug.
    known_append_bug: usize,
    /// Messages whose re-encoding was decoded and re-encoded again.
    reencoded: usize,
}

fn error_index(err_code: i32) -> Option<usize> {
    DECODE_ERROR_CODES.iter().position(|&c| c == err_code)
}

/// Feed one buffer to both decoders; a panic anywhere is reported with the input.
fn exercise(input: &[u8], stats: &mut Stats) {
    stats.buffers += 1;
    let outcome = catch_unwind(AssertUnwindSafe(|| {
        exercise_data(input, stats);
        exercise_message(input, stats);
    }));
    if let Err(panic) = outcome {
        let text = panic
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default();
        panic!("failed on input {}:\n{text}", hex(input));
    }
}

/// `decoder::decode` until the input is used up or an error.
fn exercise_data(input: &[u8], stats: &mut Stats) {
    let mut data = Data::new();
    let mut pos = 0;
    let mut failed = None;
    while pos < input.len() {
        match decoder::decode(&mut data, &input[pos..]) {
            Ok(n) => {
                assert!(
                    n > 0 && n <= input.len() - pos,
                    "decode consumed {n} of {}",
                    input.len() - pos
                );
                pos += n;
            }
            Err(e) => {
                let index = error_index(e.code)
                    .unwrap_or_else(|| panic!("decode error {e} is not one of proton's codes"));
                stats.data_errors[index] += 1;
                if e.code == code::UNDERFLOW {
                    assert_eq!(
                        data.error().code(),
                        code::UNDERFLOW,
                        "underflow is recorded in the data's error"
                    );
                }
                failed = Some(e);
                break;
            }
        }
        assert!(data.size() <= MAX_NODES, "tree of {} nodes", data.size());
    }
    assert!(data.size() <= MAX_NODES, "tree of {} nodes", data.size());
    stats.max_nodes = stats.max_nodes.max(data.size());

    if failed.is_some() {
        if data.size() <= PARTIAL_TREE_CHECK_LIMIT {
            walk(&mut data);
            format::format(&data);
            let bytes = encode(&data);
            assert_eq!(encoder::encoded_size(&data), bytes.len());
        }
        return;
    }
    stats.data_ok += 1;

    // Accepted: every node can be visited and read, formatted, and re-encoded; the
    // re-encoding decodes to the same tree and is a fixed point.
    let steps = walk(&mut data);
    let text = format::format(&data);
    let bytes = encode(&data);
    assert_eq!(encoder::encoded_size(&data), bytes.len(), "encoded_size");
    let mut again = decode_all(&bytes)
        .unwrap_or_else(|e| panic!("re-encoding {} does not decode: {e}", hex(&bytes)));
    assert_eq!(walk(&mut again), steps, "re-decoded tree");
    assert_eq!(format::format(&again), text, "re-decoded format");
    assert!(
        encode(&again) == bytes,
        "re-encoding is not stable: {}",
        hex(&bytes)
    );
}

/// Every field of `m`, every tree walked and formatted, the message re-encoded.
fn read_everything(m: &mut Message) -> Vec<u8> {
    let snap = snapshot(m);
    for which in [IdField::MessageId, IdField::CorrelationId] {
        let id = m.get_id(which);
        assert_eq!(
            id.map(|s| Sv::from_scalar(&s)),
            match which {
                IdField::MessageId => snap.id.clone(),
                IdField::CorrelationId => snap.correlation_id.clone(),
            }
        );
    }
    for index in 0..4 {
        let tree = message_tree(m, index);
        assert!(tree.size() <= MAX_NODES);
        let bytes = encode(tree);
        assert_eq!(encoder::encoded_size(tree), bytes.len());
    }
    m.to_bytes()
}

fn exercise_message(input: &[u8], stats: &mut Stats) {
    let mut m = Message::new();
    match m.decode(input) {
        Ok(()) => {
            stats.message_ok += 1;
            check_reencoded_message(&mut m, input, true, stats);
        }
        Err(e) => {
            let index = error_index(e.code).unwrap_or_else(|| {
                panic!("Message::decode error {e} is not one of proton's codes")
            });
            stats.message_errors[index] += 1;
            let small = (0..4).all(|i| message_tree(&mut m, i).size() <= PARTIAL_TREE_CHECK_LIMIT);
            if small {
                check_reencoded_message(&mut m, input, false, stats);
            }
        }
    }
}

/// Whether a tree holds a value a failed decode left half-built: a described value
/// without both its parts, or an array whose element constructor was never read.
fn has_incomplete_value(data: &mut Data) -> bool {
    walk(data).iter().any(|step| match step {
        Step::Described(n) => *n < 2,
        Step::Array { elem, .. } => elem.is_none(),
        _ => false,
    })
}

/// A message re-encodes, that encoding decodes, and encodes the same again. After a failed
/// decode this is required too, unless the failure left a half-built value behind.
fn check_reencoded_message(m: &mut Message, input: &[u8], decoded: bool, stats: &mut Stats) {
    let first = read_everything(m);
    if !decoded && (0..4).any(|i| has_incomplete_value(message_tree(m, i))) {
        return;
    }
    if has_multi_value_tree(m) {
        // The known append bug (see `has_multi_value_tree`): the encoding holds extra
        // values after the section, which do not decode, or decode as other sections.
        stats.known_append_bug += 1;
        return;
    }
    let mut again = Message::new();
    if let Err(e) = again.decode(&first) {
        panic!(
            "message {} from {} re-encodes to {}, which does not decode: {e}",
            if decoded { "decoded" } else { "partly decoded" },
            hex(input),
            hex(&first)
        );
    }
    let second = read_everything(&mut again);
    assert!(
        first == second,
        "message re-encoding is not stable:\n  input  {}\n  first  {}\n  second {}",
        hex(input),
        hex(&first),
        hex(&second)
    );
    stats.reencoded += 1;
}

// ---------------------------------------------------------------------------------------
// Input generators

/// Bytes a mutation likes to write: constructors of every kind and size extremes.
const INTERESTING: [u8; 16] = [
    0x00, 0x40, 0x45, 0x53, 0x70, 0x77, 0xa1, 0xb1, 0xc0, 0xc1, 0xd0, 0xd1, 0xe0, 0xf0, 0xff, 0x7f,
];

fn mutate(rng: &mut Rng, input: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    if out.is_empty() {
        let len = 1 + rng.below(8);
        return rng.bytes(len);
    }
    for _ in 0..1 + rng.below(3) {
        if out.is_empty() {
            break;
        }
        let at = rng.below(out.len());
        match rng.below(8) {
            0 => out[at] ^= 1 << rng.below(8),
            1 => out[at] = *rng.pick(&INTERESTING),
            2 => out[at] = rng.next_u64() as u8,
            3 => {
                // A huge 32-bit size or count.
                let word = *rng.pick(&[
                    [0xff, 0xff, 0xff, 0xff],
                    [0x7f, 0xff, 0xff, 0xff],
                    [0x00, 0x01, 0x00, 0x00],
                    [0x00, 0x00, 0xff, 0xff],
                ]);
                for (i, b) in word.iter().enumerate() {
                    if at + i < out.len() {
                        out[at + i] = *b;
                    }
                }
            }
            4 => {
                out.remove(at);
            }
            5 => out.insert(at, *rng.pick(&INTERESTING)),
            6 => {
                // Duplicate a slice (repeats sections, nests values).
                let end = (at + 1 + rng.below(16)).min(out.len());
                let piece = out[at..end].to_vec();
                let to = rng.below(out.len() + 1);
                out.splice(to..to, piece);
            }
            _ => out.truncate(at),
        }
    }
    out
}

fn garbage(rng: &mut Rng) -> Vec<u8> {
    let len = rng.below(64);
    (0..len)
        .map(|_| {
            if rng.chance(1, 2) {
                *rng.pick(&INTERESTING)
            } else {
                rng.next_u64() as u8
            }
        })
        .collect()
}

fn random_message_bytes(rng: &mut Rng) -> Vec<u8> {
    let mut m = Message::new();
    m.durable = rng.chance(1, 2);
    m.priority = rng.next_u32() as u8;
    m.ttl = rng.next_u32() >> rng.below(32);
    m.delivery_count = rng.next_u32() >> rng.below(32);
    if rng.chance(1, 2) {
        m.set_id(
            IdField::MessageId,
            random_scalar(rng, qpid_proton::codec::Type::Ulong).as_scalar(),
        )
        .expect("set_id");
    }
    if rng.chance(1, 2) {
        m.subject = Some(c"subject".into());
    }
    if rng.chance(1, 2) {
        m.group_id = Some(c"g".into());
    }
    if rng.chance(1, 3) {
        put_value(
            m.annotations(),
            &Value::Map(vec![symbol("x-opt"), random_value(rng, 2)]),
        );
    }
    if rng.chance(1, 3) {
        put_value(
            m.properties(),
            &Value::Map(vec![string("p"), random_value(rng, 2)]),
        );
    }
    if rng.chance(3, 4) {
        put_value(m.body(), &random_value(rng, 3));
        m.inferred = rng.chance(1, 2);
    }
    m.to_bytes()
}

/// `unit` repeated `times` times, then `tail`.
fn repeated(unit: &[u8], times: usize, tail: &[u8]) -> Vec<u8> {
    let mut v = Vec::with_capacity(unit.len() * times + tail.len());
    for _ in 0..times {
        v.extend_from_slice(unit);
    }
    v.extend_from_slice(tail);
    v
}

/// Hand-made hostile inputs: huge claimed sizes and counts, deep nesting.
fn crafted() -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = vec![
        vec![],
        // An array claiming 2^32 - 1 zero-width elements: the node cap must stop it.
        vec![0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x40],
        vec![0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x43],
        vec![0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x44],
        vec![0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x45],
        vec![0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x41],
        vec![0xe0, 0x02, 0xff, 0x40],
        // Described arrays of the same.
        vec![0xf0, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0x00, 0x40, 0x40],
        vec![0xf0, 0, 0, 0, 6, 0xff, 0xff, 0xff, 0xff, 0x00, 0x00, 0x40],
        // Sizes larger than the input.
        vec![0xd0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0x40],
        vec![0xd1, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 2, 0x40, 0x40],
        vec![0xf0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0x40],
        vec![0xb0, 0xff, 0xff, 0xff, 0xff, 1, 2, 3],
        vec![0xb1, 0x80, 0, 0, 0],
        vec![0xb3, 0, 0, 1, 0, b'x'],
        vec![0xa1, 0xff, b'a'],
        vec![0xc0, 0xff, 0x01, 0x40],
        // Counts larger than the content, and size too small for the count.
        vec![0xd0, 0, 0, 0, 8, 0xff, 0xff, 0xff, 0xff, 0x40, 0x40, 0x40],
        vec![0xc0, 0x02, 0xff, 0x40],
        vec![0xd0, 0, 0, 0, 0, 0, 0, 0, 0],
        vec![0xd0, 0, 0, 0, 3, 0, 0, 0, 0],
        vec![0xc0, 0x00, 0x00],
        vec![0xe0, 0x00, 0x00, 0x40],
        vec![0xf0, 0, 0, 0, 0, 0, 0, 0, 1, 0x40],
        // Arrays with bad element constructors.
        vec![0xf0, 0, 0, 0, 5, 0, 0, 0, 1, 0xff],
        vec![0xf0, 0, 0, 0, 5, 0, 0, 0, 1, 0x00],
        vec![0xe0, 0x03, 0x01, 0x00, 0x40, 0x00],
        // Unknown constructors.
        vec![0x01],
        vec![0xff],
        vec![0x8f, 0x00],
        // Truncated fixed-width values.
        vec![0x98, 1, 2, 3],
        vec![0x94],
        vec![0x82, 0, 0],
        // Described values missing parts.
        vec![0x00],
        vec![0x00, 0x53],
        vec![0x00, 0x53, 0x77],
        vec![0x00, 0x00, 0x53, 0x01, 0x40, 0x40],
        // Messages with huge claims in each section.
        vec![
            0x00, 0x53, 0x77, 0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x40,
        ],
        vec![
            0x00, 0x53, 0x71, 0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x45,
        ],
        vec![0x00, 0x53, 0x70, 0xd0, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff],
        vec![
            0x00, 0x53, 0x73, 0xd0, 0, 0, 0, 4, 0xff, 0xff, 0xff, 0xff, 0x40,
        ],
        vec![
            0x00, 0x53, 0x73, 0xd0, 0xff, 0xff, 0xff, 0xff, 0, 0, 0, 1, 0x40,
        ],
        vec![
            0x00, 0x53, 0x70, 0xc0, 0x03, 0x01, 0xf0, 0xff, 0xff, 0xff, 0xff,
        ],
        vec![
            0x00, 0x53, 0x73, 0xc0, 0x03, 0x01, 0xb1, 0xff, 0xff, 0xff, 0xff,
        ],
        // A header and properties that are not lists.
        vec![0x00, 0x53, 0x70, 0x41],
        vec![0x00, 0x53, 0x73, 0xa1, 0x01, b'x'],
        vec![0x00, 0x53, 0x70, 0xf0, 0, 0, 0, 5, 0, 0, 0, 0, 0x40],
        // Header and properties fields of the wrong types, and compound fields.
        vec![
            0x00, 0x53, 0x70, 0xc0, 0x06, 0x05, 0xa1, 0x01, b'x', 0x45, 0x40, 0x54,
        ],
        vec![
            0x00, 0x53, 0x73, 0xc0, 0x0a, 0x04, 0x45, 0x54, 0x01, 0x41, 0xc1, 0x01, 0x00, 0x40,
        ],
        // Section descriptors that are not ulongs.
        vec![0x00, 0xa3, 0x01, b's', 0x41],
        vec![0x00, 0x45, 0x41],
        vec![0x00, 0x00, 0x53, 0x70, 0x45, 0x41],
        vec![0x00, 0x80, 0, 0, 0, 0, 0, 0, 0, 0x77, 0x41],
        // A valid section followed by garbage.
        vec![0x00, 0x53, 0x77, 0x41, 0xff],
        vec![0x00, 0x53, 0x77, 0x41, 0x41],
        vec![0x00, 0x53, 0x78, 0x45, 0x00],
    ];

    // Deep nesting, far past any sane limit: described in described, lists, maps, arrays.
    let deep = 100_000;
    v.push(repeated(&[0x00], deep, &[0x40]));
    v.push(repeated(&[0x00], deep, &[]));
    v.push(repeated(&[0xc0, 0xff, 0x01], deep, &[0x45]));
    v.push(repeated(&[0xc1, 0xff, 0x02, 0x40], deep, &[0x40]));
    v.push(repeated(&[0xe0, 0xff, 0x01, 0xe0], deep, &[]));
    v.push(repeated(
        &[0xf0, 0x7f, 0xff, 0xff, 0xff, 0, 0, 0, 1],
        deep,
        &[0x40],
    ));
    v.push(repeated(
        &[0xd0, 0x00, 0x0f, 0xff, 0xff, 0, 0, 0, 1],
        deep,
        &[0x45],
    ));
    v.push(repeated(
        &[0xc0, 0xff, 0x01, 0x00, 0x53, 0x01],
        deep,
        &[0x45],
    ));
    v.push(repeated(&[0x00, 0xc0, 0xff, 0x01], deep, &[0x45]));
    // The same inside message sections, and as a section descriptor.
    for prefix in [
        &[0x00, 0x53, 0x77][..],
        &[0x00, 0x53, 0x70, 0xc0, 0xff, 0x01],
        &[0x00, 0x53, 0x73, 0xc0, 0xff, 0x01],
        &[0x00, 0x53, 0x71],
    ] {
        let mut m = prefix.to_vec();
        m.extend(repeated(&[0xc0, 0xff, 0x01], deep, &[0x45]));
        v.push(m);
        let mut m = prefix.to_vec();
        m.extend(repeated(&[0x00], deep, &[0x40]));
        v.push(m);
    }
    v.push(repeated(&[0x00], deep, &[0x53, 0x77, 0x40]));
    // Moderately deep nesting that decoders should accept.
    v.push(repeated(&[0xc0, 0xff, 0x01], 100, &[0x45]));
    v.push(repeated(&[0x00, 0x53, 0x01], 100, &[0x40]));
    // Many values: just under and at the node cap.
    v.push(repeated(&[0x40], MAX_NODES, &[]));
    v.push(repeated(&[0x40], MAX_NODES + 1, &[]));
    let mut many = vec![0xd0, 0, 0, 0, 0, 0, 0, 0xff, 0xfe];
    many.extend(std::iter::repeat_n(0x40, 0xfffe));
    let size = (many.len() - 5) as u32;
    many[1..5].copy_from_slice(&size.to_be_bytes());
    v.push(many);
    v
}

#[test]
fn hostile_buffers_never_panic() {
    let started = std::time::Instant::now();
    println!("hostile_buffers_never_panic: seed {SEED:#x}");
    let mut rng = Rng::new(SEED);
    let mut stats = Stats::default();

    for input in crafted() {
        exercise(&input, &mut stats);
    }
    // The node cap: an array claiming 2^32 nulls fails with PN_OUT_OF_MEMORY.
    let mut data = Data::new();
    let err = decoder::decode(&mut data, &[0xf0, 0, 0, 0, 5, 0xff, 0xff, 0xff, 0xff, 0x40])
        .expect_err("2^32 nulls cannot fit");
    assert_eq!(err.code, code::OUT_OF_MEMORY);
    assert_eq!(data.size(), MAX_NODES);
    // Nesting past the limit is an error, not a stack overflow.
    let err = decoder::decode(&mut Data::new(), &repeated(&[0x00], 100_000, &[0x40]))
        .expect_err("too deep");
    assert!(error_index(err.code).is_some());

    let mut garbage_left = 20_000;
    while stats.buffers < MIN_BUFFERS || garbage_left > 0 {
        if garbage_left > 0 {
            for _ in 0..50 {
                exercise(&garbage(&mut rng), &mut stats);
                garbage_left -= 1;
            }
        }
        let valid = if rng.chance(1, 3) {
            random_message_bytes(&mut rng)
        } else {
            let values: Vec<Value> = (0..1 + rng.below(3))
                .map(|_| random_value(&mut rng, 3))
                .collect();
            reference_encode_all(&values)
        };
        exercise(&valid, &mut stats);
        // Cut at every offset when short, at random offsets otherwise.
        if valid.len() <= 96 {
            for cut in 0..valid.len() {
                exercise(&valid[..cut], &mut stats);
            }
        } else {
            for _ in 0..48 {
                let cut = rng.below(valid.len());
                exercise(&valid[..cut], &mut stats);
            }
        }
        for _ in 0..24 {
            let bad = mutate(&mut rng, &valid);
            exercise(&bad, &mut stats);
        }
    }

    let elapsed = started.elapsed();
    println!("hostile_buffers_never_panic: {stats:?} in {elapsed:?}");
    assert!(stats.buffers >= MIN_BUFFERS);
    // The run must reach both outcomes and every error code, or it tests too little.
    assert!(stats.data_ok > 1000 && stats.message_ok > 1000, "{stats:?}");
    assert!(
        stats.data_errors.iter().all(|&n| n > 0),
        "every error code reached: {stats:?}"
    );
    assert_eq!(stats.max_nodes, MAX_NODES, "the node cap was reached");
}

// ---------------------------------------------------------------------------------------
// (b) proton's fuzzing corpus

fn corpus_files(sub: &str) -> Vec<(String, Vec<u8>)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/fuzz-corpus/fuzz-message-decode")
        .join(sub);
    assert!(
        dir.is_dir(),
        "fuzz corpus missing: expected the folder {}",
        dir.display()
    );
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .expect("read corpus dir")
        .map(|e| {
            let path = e.expect("dir entry").path();
            let bytes = std::fs::read(&path)
                .unwrap_or_else(|err| panic!("cannot read {}: {err}", path.display()));
            (
                path.file_name().unwrap().to_string_lossy().into_owned(),
                bytes,
            )
        })
        .collect();
    files.sort();
    files
}

fn check_corpus(sub: &str) -> Stats {
    let files = corpus_files(sub);
    assert!(!files.is_empty(), "no files in the {sub} folder");
    let mut stats = Stats::default();
    for (name, bytes) in &files {
        let outcome = catch_unwind(AssertUnwindSafe(|| {
            exercise_data(bytes, &mut stats);
            let mut m = Message::new();
            match m.decode(bytes) {
                Ok(()) => {
                    stats.message_ok += 1;
                    check_reencoded_message(&mut m, bytes, true, &mut stats);
                }
                Err(e) => {
                    let index = error_index(e.code)
                        .unwrap_or_else(|| panic!("error {e} is not one of proton's codes"));
                    stats.message_errors[index] += 1;
                    check_reencoded_message(&mut m, bytes, false, &mut stats);
                }
            }
        }));
        if let Err(panic) = outcome {
            let text = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| s.to_string()))
                .unwrap_or_default();
            panic!("{sub}/{name} ({}): {text}", hex(bytes));
        }
        stats.buffers += 1;
    }
    println!("{sub}: {} files, {stats:?}", files.len());
    stats
}

#[test]
fn fuzz_corpus_inputs() {
    let stats = check_corpus("corpus");
    assert!(stats.buffers > 0);
    assert!(
        stats.reencoded > 0,
        "some corpus inputs re-encode: {stats:?}"
    );
}

#[test]
fn fuzz_crash_inputs() {
    let stats = check_corpus("crash");
    assert!(stats.buffers > 0);
}

#[test]
fn empty_input_is_underflow() {
    // proton 0.37: pn_data_decode of zero bytes returns PN_UNDERFLOW.
    let mut data = Data::new();
    let err = decoder::decode(&mut data, &[]).expect_err("nothing to decode");
    assert_eq!(err.code, code::UNDERFLOW);
    assert_eq!(data.size(), 0);
    assert_eq!(data.error().code(), code::UNDERFLOW);
}

/// What proton-c 0.37's `pn_data_decode` gives for small malformed inputs (measured on
/// Debian's libqpid-proton11): bytes consumed or error code, nodes left in the tree, and
/// the tree's text.
#[test]
fn malformed_inputs_fail_as_in_proton() {
    let cases: &[(&str, Result<usize, i32>, usize, &str)] = &[
        // A size larger than the input is underflow before anything is put.
        ("d00000001000000014040", Err(code::UNDERFLOW), 0, ""),
        ("c00200", Err(code::UNDERFLOW), 0, ""),
        ("c0ff01", Err(code::UNDERFLOW), 0, ""),
        ("c10201", Err(code::UNDERFLOW), 0, ""),
        ("c00501404040", Err(code::UNDERFLOW), 0, ""),
        ("d000000003000000", Err(code::UNDERFLOW), 0, ""),
        ("f000000005000000ff", Err(code::UNDERFLOW), 0, ""),
        // A count larger than the content: the list stays, partly filled.
        ("c00140", Err(code::UNDERFLOW), 1, "[]"),
        ("d00000000400000001", Err(code::UNDERFLOW), 1, "[]"),
        // Consumption follows the count, not the size.
        ("d0000000050000000140", Ok(10), 2, "[null]"),
        ("c0020140", Ok(4), 2, "[null]"),
        ("e003014040", Ok(4), 2, "@PN_NULL[null]"),
        ("e0020140", Ok(4), 2, "@PN_NULL[null]"),
        ("f0000000050000000140", Ok(10), 2, "@PN_NULL[null]"),
        ("d1000000050000000140", Ok(10), 2, "{null}"),
        ("e00201", Err(code::UNDERFLOW), 0, ""),
        // A described array whose descriptor is missing.
        ("e0020100", Err(code::UNDERFLOW), 1, "@<UNKNOWN>[]"),
        // Unknown constructor; truncated variable-width values.
        ("ff", Err(code::ARG_ERR), 0, ""),
        ("a1", Err(code::UNDERFLOW), 0, ""),
        ("a10361", Err(code::UNDERFLOW), 0, ""),
        ("b000000001", Err(code::UNDERFLOW), 0, ""),
        ("5441", Ok(2), 1, "65"),
        // Described values cut short, and a described descriptor.
        ("00", Err(code::UNDERFLOW), 1, "@"),
        ("0053", Err(code::UNDERFLOW), 1, "@"),
        ("005370", Err(code::UNDERFLOW), 2, "@header(112)"),
        ("0000534045", Err(code::ARG_ERR), 1, "@"),
        ("00400040", Err(code::UNDERFLOW), 4, "@null @null"),
    ];
    for &(input, want, size, text) in cases {
        let bytes: Vec<u8> = (0..input.len() / 2)
            .map(|i| u8::from_str_radix(&input[2 * i..2 * i + 2], 16).unwrap())
            .collect();
        let mut data = Data::new();
        let got = decoder::decode(&mut data, &bytes).map_err(|e| e.code);
        assert_eq!(got, want, "{input}: result");
        assert_eq!(data.size(), size, "{input}: nodes in the tree");
        assert_eq!(
            String::from_utf8_lossy(&format::format(&data)),
            text,
            "{input}: format"
        );
    }
}
