//! AMQP values as proton-c 0.37 prints them in frame traces (`PN_TRACE_FRM`), read straight
//! from the encoded bytes. This is not `pn_data_format` (format.rs): 0.37's trace printer
//! sees encodings, not a data tree. Rules, measured on 0.37 with a scripted peer
//! (c-tests/diff/messenger_trace.c):
//!
//! - Unsigned integers (ubyte, ushort, uint, ulong in every encoding) print as `0x%x`;
//!   signed ones and timestamps as decimal; bool `true`/`false`; floats like C's `%g`;
//!   a char prints nothing; decimal32 `D32(%04x)`, decimal64 `D64(%08x)`, decimal128 as its
//!   two big-endian 64-bit halves `D128(%08x%08x)`; uuid `UUID(8-4-4-4-12)`.
//! - Strings `"..."`, binaries `b"..."`, symbols `:name`, quoted (`:"a b"`) unless the name is
//!   an ASCII letter followed by letters, digits and `-`. Bytes outside printable ASCII and
//!   `"`, `'`, `\` print as `\xhh`.
//! - Lists `[a, b]`, maps `{k=v, k=v}`, arrays `@<type>[a, b]` with the element
//!   constructor's name (`<true>` for an array of `true`, two hex digits when unnamed, e.g.
//!   `<73>` for char); an array's descriptor is not printed. An array of zero-width
//!   elements (null, true, false, uint0, ulong0, list0) prints its first element and
//!   `, ...(n more)`.
//! - Elements are printed while the container's declared size lasts; if that is not the
//!   declared count, `<printed!=count>` follows the closing bracket.
//! - Described values: a smallulong descriptor prints `@name(code) value` with AMQP's names
//!   (`@code value` for others, the code sign-extended from its byte), and a list value
//!   then gets the descriptor's field names (`[handle=0x0]`) and its nulls left out. Any
//!   other descriptor prints as a value, directly followed by the value (`@:x"v"`,
//!   `@0x10[...]`). A described value's own descriptor is skipped (`@source(40) @x [...]`
//!   prints `@source(40) [...]`).
//! - Malformed input prints `!!` and ends the enclosing container (which still closes and
//!   reports its count); a zero-width descriptor prints `@!!` and its value then follows as
//!   the next element.
//!
//! Values nested deeper than the decoder accepts ([`MAX_DEPTH`]) print `!!`.
//!
//! Not reproduced: 0.37's field names for unknown smallulong codes 0x01..0x0d and >= 0x80
//! (read out of its name table's bounds) and its misreadings of nested described
//! descriptors; those codes get unnamed fields here.

use super::decoder::MAX_DEPTH;
use super::format::{descriptor_info, format_g};

/// Characters of a frame's payload shown before ` ... (truncated)`.
const PAYLOAD_BUDGET: usize = 511;

/// A frame body as 0.37 traces it: the performative, then any bytes after it (the payload
/// of a transfer, or trailing bytes of any frame) as `(size) escaped-bytes`.
pub fn frame_text(performative: &[u8], payload: &[u8]) -> String {
    let mut p = Printer::default();
    // 0.37 prints no payload after a performative it could not read.
    if let Ok(used) = p.value(performative, Context::PLAIN) {
        let rest = &performative[used..];
        let size = rest.len() + payload.len();
        if size > 0 {
            p.out.push_str(&format!(" ({size}) "));
            push_payload(&mut p.out, rest.iter().chain(payload.iter()).copied());
        }
    }
    p.out
}

/// One encoded value (the first in `bytes`) as text; what follows it is ignored.
pub fn value_text(bytes: &[u8]) -> String {
    let mut p = Printer::default();
    let _ = p.value(bytes, Context::PLAIN);
    p.out
}

fn push_payload(out: &mut String, bytes: impl Iterator<Item = u8>) {
    let start = out.len();
    let mut bytes = bytes.peekable();
    while let Some(&b) = bytes.peek() {
        let piece = escaped(b);
        if out.len() - start + piece.len() > PAYLOAD_BUDGET {
            out.push_str(" ... (truncated)");
            return;
        }
        out.push_str(&piece);
        bytes.next();
    }
}

fn escaped(b: u8) -> String {
    if (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\'' | b'\\') {
        (b as char).to_string()
    } else {
        format!("\\x{b:02x}")
    }
}

fn push_escaped(out: &mut String, bytes: &[u8]) {
    for &b in bytes {
        out.push_str(&escaped(b));
    }
}

/// Malformed input: `!!` has been printed; the enclosing container stops.
#[derive(Debug)]
struct Stop;

type Read = Result<usize, Stop>;

/// How a list prints its items: the value of a smallulong descriptor names its fields and
/// leaves out its nulls.
#[derive(Clone, Copy)]
struct Context {
    fields: &'static [&'static str],
    skip_nulls: bool,
}

impl Context {
    const PLAIN: Context = Context {
        fields: &[],
        skip_nulls: false,
    };
}

#[derive(Default)]
struct Printer {
    out: String,
    /// Nesting of the value being printed.
    depth: usize,
}

/// Constructors whose values have no bytes: null, true, false, uint0, ulong0, list0.
fn zero_width(ctor: u8) -> bool {
    (0x40..=0x45).contains(&ctor)
}

/// The element type an array prints, by constructor.
fn array_type_name(ctor: u8) -> String {
    let name = match ctor {
        0x40 => "null",
        0x41 => "true",
        0x42 => "false",
        0x56 => "bool",
        0x50 => "ubyte",
        0x51 => "byte",
        0x60 => "ushort",
        0x61 => "short",
        0x43 | 0x52 | 0x70 => "uint",
        0x54 | 0x71 => "int",
        0x44 | 0x53 | 0x80 => "ulong",
        0x55 | 0x81 => "long",
        0x72 => "float",
        0x82 => "double",
        0x83 => "timestamp",
        0x74 => "decimal32",
        0x84 => "decimal64",
        0x94 => "decimal128",
        0x98 => "uuid",
        0xa0 | 0xb0 => "binary",
        0xa1 | 0xb1 => "string",
        0xa3 | 0xb3 => "symbol",
        0x45 | 0xc0 | 0xd0 => "list",
        0xc1 | 0xd1 => "map",
        _ => return format!("{ctor:02x}"),
    };
    name.to_string()
}

fn symbol_is_bare(name: &[u8]) -> bool {
    match name.split_first() {
        Some((first, rest)) => {
            first.is_ascii_alphabetic()
                && rest.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'-')
        }
        None => false,
    }
}

fn be(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0, |v, &b| v << 8 | b as u64)
}

/// A big-endian size or count field of `width` bytes at the start of `data`.
fn field(data: &[u8], at: usize, width: usize) -> Option<usize> {
    data.get(at..at + width).map(|b| be(b) as usize)
}

impl Printer {
    fn fail(&mut self) -> Read {
        self.out.push_str("!!");
        Err(Stop)
    }

    /// A value with its constructor; returns the bytes it used.
    fn value(&mut self, bytes: &[u8], ctx: Context) -> Read {
        if self.depth >= MAX_DEPTH {
            return self.fail();
        }
        self.depth += 1;
        let read = match bytes.first() {
            None => self.fail(),
            Some(0x00) => self.described(bytes),
            Some(&ctor) => self.typed(ctor, &bytes[1..], ctx).map(|n| 1 + n),
        };
        self.depth -= 1;
        read
    }

    /// The bytes a value uses, without printing it.
    fn skip(&self, bytes: &[u8]) -> Read {
        Printer {
            out: String::new(),
            depth: self.depth,
        }
        .value(bytes, Context::PLAIN)
    }

    fn described(&mut self, bytes: &[u8]) -> Read {
        self.out.push('@');
        let Some(&dctor) = bytes.get(1) else {
            return self.fail();
        };
        let (mut at, ctx) = match dctor {
            0x53 => {
                let Some(&code) = bytes.get(2) else {
                    return self.fail();
                };
                // 0.37 reads the code as a signed byte.
                let code = code as i8 as i64 as u64;
                let fields = match descriptor_info(code) {
                    Some((name, fields)) => {
                        self.out.push_str(&format!("{name}({code}) "));
                        fields
                    }
                    None => {
                        self.out.push_str(&format!("{code} "));
                        &[]
                    }
                };
                (
                    3,
                    Context {
                        fields,
                        skip_nulls: true,
                    },
                )
            }
            // No value to name the descriptor by: the value becomes the next element.
            c if zero_width(c) => {
                self.out.push_str("!!");
                return Ok(2);
            }
            0x00 => {
                self.out.push_str("!!");
                return Ok(1 + self.skip(&bytes[1..])?);
            }
            _ => (1 + self.value(&bytes[1..], Context::PLAIN)?, Context::PLAIN),
        };
        // A described value's own descriptor is skipped.
        if bytes.get(at) == Some(&0x00) {
            at += 1 + self.skip(&bytes[at + 1..]).map_err(|_| self.stop())?;
            if bytes.get(at) == Some(&0x00) {
                return self.fail();
            }
        }
        Ok(at + self.value(&bytes[at..], ctx)?)
    }

    fn stop(&mut self) -> Stop {
        self.out.push_str("!!");
        Stop
    }

    /// A value after its constructor `ctor`; returns the bytes of `data` it used.
    fn typed(&mut self, ctor: u8, data: &[u8], ctx: Context) -> Read {
        let width = match ctor >> 4 {
            0x4 => 0,
            0x5 => 1,
            0x6 => 2,
            0x7 => 4,
            0x8 => 8,
            0x9 => 16,
            0xa | 0xc | 0xe => return self.sized(ctor, data, 1, ctx),
            0xb | 0xd | 0xf => return self.sized(ctor, data, 4, ctx),
            _ => return self.fail(),
        };
        let Some(v) = data.get(..width) else {
            return self.fail();
        };
        let n = be(v);
        let text = match ctor {
            0x40 => "null".to_string(),
            0x41 => "true".to_string(),
            0x42 => "false".to_string(),
            0x43 | 0x44 => "0x0".to_string(),
            0x45 => "[]".to_string(),
            0x56 => (if n != 0 { "true" } else { "false" }).to_string(),
            0x50 | 0x52 | 0x53 | 0x60 | 0x70 | 0x80 => format!("0x{n:x}"),
            0x51 | 0x54 | 0x55 => (n as u8 as i8).to_string(),
            0x61 => (n as u16 as i16).to_string(),
            0x71 => (n as u32 as i32).to_string(),
            0x81 | 0x83 => (n as i64).to_string(),
            0x72 => format_g(f32::from_bits(n as u32) as f64),
            0x82 => format_g(f64::from_bits(n)),
            0x73 => String::new(),
            0x74 => format!("D32({n:04x})"),
            0x84 => format!("D64({n:08x})"),
            0x94 => format!("D128({:08x}{:08x})", be(&v[..8]), be(&v[8..])),
            0x98 => {
                let hex: String = v.iter().map(|b| format!("{b:02x}")).collect();
                format!(
                    "UUID({}-{}-{}-{}-{})",
                    &hex[..8],
                    &hex[8..12],
                    &hex[12..16],
                    &hex[16..20],
                    &hex[20..]
                )
            }
            _ => return self.fail(),
        };
        self.out.push_str(&text);
        Ok(width)
    }

    /// Variable-width values: a size field of `w` bytes, then the content.
    fn sized(&mut self, ctor: u8, data: &[u8], w: usize, ctx: Context) -> Read {
        let (open, close) = match ctor {
            0xa0 | 0xb0 => ("b\"", "\""),
            0xa1 | 0xb1 => ("\"", "\""),
            0xa3 | 0xb3 => (":", ""),
            0xc0 | 0xd0 => ("[", "]"),
            0xc1 | 0xd1 => ("{", "}"),
            0xe0 | 0xf0 => ("@", "]"),
            _ => return self.fail(),
        };
        let Some(size) = field(data, 0, w).filter(|&s| w + s <= data.len()) else {
            // A size beyond the frame: an empty text, or a container holding only `!!`.
            if matches!(ctor, 0xa0 | 0xb0 | 0xa1 | 0xb1) {
                self.out.push_str(&format!("{open}{close}"));
                return Err(Stop);
            }
            return self.broken_container(ctor);
        };
        let content = &data[w..w + size];
        match ctor {
            0xa0 | 0xb0 | 0xa1 | 0xb1 => {
                self.out.push_str(open);
                push_escaped(&mut self.out, content);
                self.out.push_str(close);
            }
            0xa3 | 0xb3 => {
                self.out.push(':');
                if symbol_is_bare(content) {
                    push_escaped(&mut self.out, content);
                } else {
                    self.out.push('"');
                    push_escaped(&mut self.out, content);
                    self.out.push('"');
                }
            }
            _ => {
                let Some(count) = field(content, 0, w) else {
                    // No room for a count: the container is broken, its parent goes on.
                    let _ = self.broken_container(ctor);
                    return Ok(w + size);
                };
                let items = &content[w..];
                if ctor >= 0xe0 {
                    // The element constructor may lie past a short array: 0.37 reads it anyway.
                    self.array(&data[w + w..], items.len(), count)?;
                } else {
                    self.out.push_str(open);
                    let map = ctor & 0x0f == 1;
                    // Field names and left-out nulls are for lists only.
                    let ctx = if map { Context::PLAIN } else { ctx };
                    let printed = self.items(items, map, ctx);
                    self.out.push_str(close);
                    if printed != count {
                        self.out.push_str(&format!("<{printed}!={count}>"));
                    }
                }
            }
        }
        Ok(w + size)
    }

    /// A container whose size or count cannot be read: `[!!]`, `{!!}`, `@<>[!!]`.
    fn broken_container(&mut self, ctor: u8) -> Read {
        self.out.push_str(match ctor {
            0xc1 | 0xd1 => "{!!}",
            0xe0 | 0xf0 => "@<>[!!]",
            0xa3 | 0xb3 => ":!!",
            _ => "[!!]",
        });
        Err(Stop)
    }

    /// List or map items; returns how many were read.
    fn items(&mut self, mut items: &[u8], map: bool, ctx: Context) -> usize {
        let mut index = 0;
        let mut printed = 0;
        while !items.is_empty() {
            if ctx.skip_nulls && items[0] == 0x40 {
                items = &items[1..];
                index += 1;
                continue;
            }
            if printed > 0 {
                self.out
                    .push_str(if map && index % 2 == 1 { "=" } else { ", " });
            }
            printed += 1;
            if let Some(name) = ctx.fields.get(index) {
                self.out.push_str(name);
                self.out.push('=');
            }
            index += 1;
            match self.value(items, Context::PLAIN) {
                Ok(used) => items = &items[used..],
                Err(Stop) => break,
            }
        }
        index
    }

    /// An array after its size and count: `rest` starts at the element constructor and
    /// `len` of its bytes belong to the array.
    fn array(&mut self, rest: &[u8], len: usize, count: usize) -> Result<(), Stop> {
        let Some(&first) = rest.first() else {
            self.out.push_str("@<>[]");
            return Ok(());
        };
        let mut at = 1;
        let mut ctor = first;
        if first == 0x00 {
            // A described array: its descriptor is not printed.
            at += self.skip(&rest[1..]).map_err(|_| self.stop())?;
            let Some(&c) = rest.get(at) else {
                return self.fail().map(|_| ());
            };
            ctor = c;
            at += 1;
        }
        self.out.push_str(&format!("@<{}>[", array_type_name(ctor)));
        let end = len.min(rest.len());
        if zero_width(ctor) {
            if count > 0 {
                let _ = self.typed(ctor, &[], Context::PLAIN);
            }
            if count > 1 {
                self.out.push_str(&format!(", ...({} more)", count - 1));
            }
            self.out.push(']');
            return Ok(());
        }
        let mut printed = 0;
        while at < end {
            if printed > 0 {
                self.out.push_str(", ");
            }
            printed += 1;
            match self.typed(ctor, &rest[at..end], Context::PLAIN) {
                Ok(used) => at += used,
                Err(Stop) => break,
            }
        }
        self.out.push(']');
        if printed != count {
            self.out.push_str(&format!("<{printed}!={count}>"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    //! Expected texts are 0.37's, from the scripted peer's frames.
    use super::*;

    fn sym(s: &str) -> Vec<u8> {
        [&[0xa3, s.len() as u8][..], s.as_bytes()].concat()
    }
    fn str8(s: &[u8]) -> Vec<u8> {
        [&[0xa1, s.len() as u8][..], s].concat()
    }
    fn list(items: &[Vec<u8>]) -> Vec<u8> {
        let body = items.concat();
        [vec![0xc0, body.len() as u8 + 1, items.len() as u8], body].concat()
    }
    fn map(items: &[Vec<u8>]) -> Vec<u8> {
        let body = items.concat();
        [vec![0xc1, body.len() as u8 + 1, items.len() as u8], body].concat()
    }
    fn array(ctor: &[u8], elems: &[&[u8]]) -> Vec<u8> {
        let body = [ctor, &elems.concat()].concat();
        [vec![0xe0, body.len() as u8 + 1, elems.len() as u8], body].concat()
    }
    fn described(descriptor: &[u8], value: &[u8]) -> Vec<u8> {
        [&[0x00][..], descriptor, value].concat()
    }
    fn code(c: u8) -> Vec<u8> {
        vec![0x53, c]
    }
    fn text(bytes: &[u8]) -> String {
        value_text(bytes)
    }

    #[test]
    fn integers_unsigned_in_hex() {
        for (bytes, want) in [
            (&[0x50, 0xff][..], "0xff"),
            (&[0x60, 0xff, 0xff], "0xffff"),
            (&[0x70, 0xff, 0xff, 0xff, 0xff], "0xffffffff"),
            (&[0x52, 0x07], "0x7"),
            (&[0x43], "0x0"),
            (
                &[0x80, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                "0xffffffffffffffff",
            ),
            (&[0x53, 0x09], "0x9"),
            (&[0x44], "0x0"),
            (&[0x51, 0x80], "-128"),
            (&[0x61, 0x80, 0x00], "-32768"),
            (&[0x71, 0x80, 0, 0, 0], "-2147483648"),
            (&[0x54, 0xfb], "-5"),
            (&[0x81, 0x80, 0, 0, 0, 0, 0, 0, 0], "-9223372036854775808"),
            (&[0x55, 0xf9], "-7"),
            (
                &[0x83, 0, 0, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x7b],
                "1700000000123",
            ),
            (
                &[0x83, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff],
                "-1",
            ),
            (&[0x56, 0x02], "true"),
            (&[0x56, 0x00], "false"),
            (&[0x41], "true"),
            (&[0x40], "null"),
        ] {
            assert_eq!(text(bytes), want, "{bytes:02x?}");
        }
    }

    #[test]
    fn floats_chars_decimals_uuids() {
        let f = |v: f32| [&[0x72][..], &v.to_be_bytes()].concat();
        let d = |v: f64| [&[0x82][..], &v.to_be_bytes()].concat();
        assert_eq!(text(&f(1.5)), "1.5");
        assert_eq!(text(&f(-0.0)), "-0");
        assert_eq!(text(&f(0.1)), "0.1");
        assert_eq!(text(&d(1.23456789)), "1.23457");
        assert_eq!(text(&d(1e20)), "1e+20");
        assert_eq!(text(&d(-f64::NAN)), "-nan");
        assert_eq!(text(&d(f64::NEG_INFINITY)), "-inf");
        assert_eq!(text(&d(0.00001)), "1e-05");
        // A char prints nothing.
        assert_eq!(text(&[0x73, 0, 0, 0, 0x41]), "");
        assert_eq!(text(&[0x74, 0x12, 0x34, 0x56, 0x78]), "D32(12345678)");
        assert_eq!(text(&[0x74, 0, 0, 0, 1]), "D32(0001)");
        assert_eq!(text(&[0x74, 1, 0, 0, 0]), "D32(1000000)");
        assert_eq!(text(&[0x84, 0, 0, 0, 0, 0, 0, 0, 1]), "D64(00000001)");
        assert_eq!(text(&[0x84, 0, 0, 0, 1, 0, 0, 0, 0]), "D64(100000000)");
        let mut d128 = vec![0x94];
        d128.extend(0u8..16);
        assert_eq!(text(&d128), "D128(10203040506078090a0b0c0d0e0f)");
        assert_eq!(
            text(&[&[0x94][..], &[0; 16]].concat()),
            "D128(0000000000000000)"
        );
        let mut uuid = vec![0x98];
        uuid.extend(0u8..16);
        assert_eq!(text(&uuid), "UUID(00010203-0405-0607-0809-0a0b0c0d0e0f)");
    }

    #[test]
    fn strings_binaries_symbols() {
        assert_eq!(
            text(&str8(b"a\"b\\c'd\n\te\x7f")),
            r#""a\x22b\x5cc\x27d\x0a\x09e\x7f""#
        );
        assert_eq!(text(&str8("h\u{e9}".as_bytes())), r#""h\xc3\xa9""#);
        assert_eq!(text(&[0xa0, 0]), r#"b"""#);
        assert_eq!(text(&[0xb0, 0, 0, 0, 2, 0, 0xff]), r#"b"\x00\xff""#);
        for (name, want) in [
            ("abc", ":abc"),
            ("z1", ":z1"),
            ("a-", ":a-"),
            ("aa-bb-cc", ":aa-bb-cc"),
            ("link-detach", ":link-detach"),
            ("-a", r#":"-a""#),
            ("_a", r#":"_a""#),
            ("a_", r#":"a_""#),
            ("9a", r#":"9a""#),
            ("a.b", r#":"a.b""#),
            ("a b", r#":"a b""#),
            ("amqp:x", r#":"amqp:x""#),
            ("q\"uote", r#":"q\x22uote""#),
            ("", r#":"""#),
        ] {
            assert_eq!(text(&sym(name)), want, "{name}");
        }
        assert_eq!(text(&[0xa3, 2, b'x', 0x80]), r#":"x\x80""#);
    }

    #[test]
    fn lists_maps_arrays() {
        let l = list(&[vec![0x70, 0, 0, 0, 1], str8(b"x"), vec![0x40], vec![0x45]]);
        assert_eq!(text(&l), r#"[0x1, "x", null, []]"#);
        assert_eq!(text(&[0xd0, 0, 0, 0, 6, 0, 0, 0, 1, 0x50, 1]), "[0x1]");
        let m = map(&[str8(b"k"), vec![0x71, 0, 0, 0, 1], vec![0x52, 2], sym("v")]);
        assert_eq!(text(&m), r#"{"k"=1, 0x2=:v}"#);
        assert_eq!(text(&map(&[])), "{}");
        assert_eq!(
            text(&array(&[0xa3], &[b"\x01a", b"\x02bc"])),
            "@<symbol>[:a, :bc]"
        );
        assert_eq!(text(&array(&[0xa3], &[])), "@<symbol>[]");
        assert_eq!(
            text(&array(&[0x71], &[&[0xff; 4], &[0, 0, 0, 2]])),
            "@<int>[-1, 2]"
        );
        assert_eq!(text(&array(&[0x56], &[&[1], &[0]])), "@<bool>[true, false]");
        assert_eq!(text(&array(&[0x52], &[&[1], &[2]])), "@<uint>[0x1, 0x2]");
        assert_eq!(text(&array(&[0x55], &[&[0xff]])), "@<long>[-1]");
        assert_eq!(text(&array(&[0x73], &[&[0, 0, 0, 65]])), "@<73>[]");
        assert_eq!(
            text(&array(&[0x74], &[&[0, 0, 0, 1]])),
            "@<decimal32>[D32(0001)]"
        );
        assert_eq!(text(&array(&[0xc1], &[&[1, 0]])), "@<map>[{}]");
        assert_eq!(
            text(&array(&[0xe0], &[&[3, 1, 0x52, 5]])),
            "@<e0>[@<uint>[0x5]]"
        );
        // A described array prints without its descriptor.
        let described_array = array(&[0x00, 0x53, 0x77, 0xa1], &[b"\x01a", b"\x01b"]);
        assert_eq!(text(&described_array), r#"@<string>["a", "b"]"#);
        // Zero-width elements: the first, then how many more.
        assert_eq!(text(&array(&[0x40], &[&[]])), "@<null>[null]");
        assert_eq!(
            text(&array(&[0x40], &[&[], &[], &[]])),
            "@<null>[null, ...(2 more)]"
        );
        assert_eq!(
            text(&array(&[0x41], &[&[], &[], &[]])),
            "@<true>[true, ...(2 more)]"
        );
        assert_eq!(
            text(&array(&[0x45], &[&[], &[]])),
            "@<list>[[], ...(1 more)]"
        );
        assert_eq!(text(&array(&[0x40], &[])), "@<null>[]");
    }

    #[test]
    fn described_values() {
        let fields = list(&[vec![0x70, 0, 0, 0, 1], vec![0x70, 0, 0, 0, 2]]);
        assert_eq!(text(&described(&code(0x24), &[0x45])), "@accepted(36) []");
        assert_eq!(
            text(&described(&code(0x10), &fields)),
            "@open(16) [container-id=0x1, hostname=0x2]"
        );
        assert_eq!(
            text(&described(&code(0x24), &fields)),
            "@accepted(36) [0x1, 0x2]"
        );
        assert_eq!(text(&described(&code(0x50), &fields)), "@80 [0x1, 0x2]");
        assert_eq!(
            text(&described(&code(0x10), &str8(b"v"))),
            r#"@open(16) "v""#
        );
        assert_eq!(
            text(&described(&code(0x24), &[0x70, 0, 0, 0, 3])),
            "@accepted(36) 0x3"
        );
        // Nulls of a smallulong-described list are left out; field names go by position.
        let source = list(&[
            vec![0x40],
            vec![0x40],
            sym("link-detach"),
            vec![0x70, 0, 0, 0, 30],
        ]);
        assert_eq!(
            text(&described(&code(0x28), &source)),
            "@source(40) [expiry-policy=:link-detach, timeout=0x1e]"
        );
        let with_nulls = list(&[vec![0x40], vec![0x52, 1], vec![0x40]]);
        assert_eq!(text(&described(&code(0x50), &with_nulls)), "@80 [0x1]");
        let mut long = vec![vec![0x40]; 11];
        long.push(vec![0x52, 5]);
        long.push(vec![0x52, 6]);
        assert_eq!(
            text(&described(&code(0x28), &list(&long))),
            "@source(40) [0x5, 0x6]"
        );
        assert_eq!(
            text(&described(&code(0x28), &map(&[sym("k"), vec![0x40]]))),
            "@source(40) {:k=null}"
        );
        // Other descriptors print as values, the value right after them, no field names.
        let ulong = [0x80, 0, 0, 0, 0, 0, 0, 0, 0x28];
        assert_eq!(
            text(&described(&ulong, &with_nulls)),
            "@0x28[null, 0x1, null]"
        );
        assert_eq!(text(&described(&[0x70, 0, 0, 0, 0x24], &[0x45])), "@0x24[]");
        assert_eq!(
            text(&described(&sym("com.example:foo"), &str8(b"v"))),
            r#"@:"com.example:foo""v""#
        );
        assert_eq!(
            text(&described(&str8(b"strdesc"), &[0x71, 0, 0, 0, 1])),
            r#"@"strdesc"1"#
        );
        assert_eq!(
            text(&described(&[0x71, 0xff, 0xff, 0xff, 0xff], &[0x45])),
            "@-1[]"
        );
        // Codes are read as signed bytes.
        assert_eq!(
            text(&described(&code(0x99), &str8(b"v"))),
            r#"@18446744073709551513 "v""#
        );
        // A described value's own descriptor is skipped.
        let inner = described(&code(0x29), &list(&[vec![0x40], str8(b"t")]));
        assert_eq!(
            text(&described(&code(0x28), &inner)),
            r#"@source(40) [durable="t"]"#
        );
        assert_eq!(
            text(&described(&code(0x50), &described(&sym("x"), &str8(b"s")))),
            r#"@80 "s""#
        );
        let deeper = described(
            &code(0x28),
            &described(&code(0x29), &described(&code(0x24), &[0x45])),
        );
        assert_eq!(text(&deeper), "@source(40) !!");
    }

    #[test]
    fn malformed_input() {
        // Size and count disagree: items are read while the size lasts.
        assert_eq!(text(&[0xc0, 0x01, 0x03]), "[]<0!=3>");
        assert_eq!(text(&[0xc0, 0x02, 0x03, 0x43]), "[0x0]<1!=3>");
        assert_eq!(text(&[0xc0, 0x02, 0x00, 0x43]), "[0x0]<1!=0>");
        assert_eq!(text(&[0xc1, 0x03, 0x01, 0x43, 0x43]), "{0x0=0x0}<2!=1>");
        assert_eq!(text(&[0xc1, 0x02, 0x01, 0x43]), "{0x0}");
        assert_eq!(text(&[0xe0, 0x03, 0x03, 0x52, 0x01]), "@<uint>[0x1]<1!=3>");
        assert_eq!(
            text(&[0xe0, 0x04, 0x01, 0x52, 0x01, 0x00]),
            "@<uint>[0x1, 0x0]<2!=1>"
        );
        // An unreadable item ends its container, which still closes and counts.
        let bad_item = list(&[vec![0x70, 0, 0, 0, 1], vec![0x99], vec![0x70, 0, 0, 0, 2]]);
        assert_eq!(text(&bad_item), "[0x1, !!]<2!=3>");
        let nested = list(&[list(&[vec![0x99]]), vec![0x52, 2]]);
        assert_eq!(text(&nested), "[[!!], 0x2]");
        assert_eq!(text(&[0x99, 1, 2]), "!!");
        assert_eq!(text(&[0x70, 0]), "!!");
        assert_eq!(text(&[0xc0, 0x10, 0x02, 0x43]), "[!!]");
        assert_eq!(text(&[0xc1, 0x10, 0x02, 0x43]), "{!!}");
        assert_eq!(text(&[0xe0, 0x10, 0x02, 0x43]), "@<>[!!]");
        let no_count = list(&[vec![0xc0, 0x00], vec![0x40]]);
        assert_eq!(text(&no_count), "[[!!], null]");
        assert_eq!(text(&[0xa1, 0x10, b'a', b'b']), r#""""#);
        // Descriptors without a value to name them by.
        assert_eq!(
            text(&list(&[vec![0x00, 0x40], vec![0x52, 2]])),
            "[@!!, 0x2]"
        );
        assert_eq!(text(&list(&[vec![0x00, 0x53, 0x24]])), "[@accepted(36) !!]");
        assert_eq!(text(&list(&[vec![0x00]])), "[@!!]");
        assert_eq!(
            text(&[0xc0, 0x04, 0x01, 0x43, 0x00, 0x00]),
            "[0x0, @!!]<2!=1>"
        );
    }

    #[test]
    fn deep_nesting_stops_at_the_decoder_limit() {
        let mut list = vec![0x45];
        for _ in 0..5000 {
            let mut outer = vec![0xd0];
            outer.extend(((list.len() + 4) as u32).to_be_bytes());
            outer.extend(1u32.to_be_bytes());
            outer.extend(&list);
            list = outer;
        }
        let t = text(&list);
        assert!(t.starts_with(&"[".repeat(MAX_DEPTH - 1)), "{}", &t[..300]);
        assert!(t.contains("[!!]"));
        let mut described = [0x00, 0x53, 0x01].repeat(5000);
        described.push(0x40);
        assert!(text(&described).ends_with("!!"));
        let mut descriptors = [0x00].repeat(5000);
        descriptors.extend([0x53, 0x01, 0x40]);
        assert!(text(&descriptors).ends_with("!!"));
    }

    #[test]
    fn frames_and_payloads() {
        let transfer = described(&code(0x14), &list(&[vec![0x43]]));
        assert_eq!(frame_text(&transfer, b""), "@transfer(20) [handle=0x0]");
        assert_eq!(
            frame_text(&transfer, b"\x00Sw\xa1\x02hi"),
            r#"@transfer(20) [handle=0x0] (7) \x00Sw\xa1\x02hi"#
        );
        // Trailing bytes of any frame are a payload.
        let with_rest = [&transfer[..], b"TRAIL"].concat();
        assert_eq!(
            frame_text(&with_rest, b"ING"),
            "@transfer(20) [handle=0x0] (8) TRAILING"
        );
        assert_eq!(frame_text(&[0x00, 0x40, 0x41], b""), "@!! (1) A");
        assert_eq!(frame_text(&[0x99, 1, 2], b""), "!!");
        assert_eq!(frame_text(&str8(b"bare"), b""), r#""bare""#);
        // Payload text stops at 511 characters.
        let head = "@transfer(20) [handle=0x0] ";
        for (payload, shown, truncated) in [
            (vec![b'x'; 511], 511, false),
            (vec![b'x'; 512], 511, true),
            ([vec![b'x'; 507], vec![0]].concat(), 511, false),
            ([vec![b'x'; 508], vec![0]].concat(), 508, true),
            ([vec![b'x'; 507], vec![0, b'y']].concat(), 511, true),
        ] {
            let t = frame_text(&transfer, &payload);
            let size = format!("({}) ", payload.len());
            let rest = t
                .strip_prefix(head)
                .and_then(|r| r.strip_prefix(&size))
                .expect("head");
            let (body, cut) = match rest.strip_suffix(" ... (truncated)") {
                Some(b) => (b, true),
                None => (rest, false),
            };
            assert_eq!((body.len(), cut), (shown, truncated), "{}", payload.len());
        }
    }
}
