//! Data tree to proton's text form (`pn_data_format`), e.g. `@open(16) [container-id="c"]`.
//!
//! Rules (measured on proton-c 0.37): top-level values and list items are joined with
//! ", "; maps print `{k=v, ...}`; arrays `@PN_INT[1, 2]`; described values `@desc value`,
//! with AMQP's own descriptors named (`@accepted(36) []`) and their list fields labelled,
//! null fields skipped. Bytes outside printable ASCII, and `"`, `'` and `\`, print as
//! `\xhh`; floats print like C's `%g`.

use super::data::{Data, NodeId, Visitor};
use super::types::{Atom, Scalar};

/// Render the whole tree.
pub fn format(data: &Data) -> Vec<u8> {
    let mut f = Formatter {
        out: Vec::new(),
        frames: vec![Frame::root()],
    };
    let _ = data.walk(&mut f);
    f.out
}

/// Proton's debugging dump of the node table (`pn_data_dump`).
pub fn dump(data: &Data) -> String {
    let (parent, current) = data.cursor();
    let mut text = format!("{{current={current}, parent={parent}}}\n");
    for id in 1..=data.size() as NodeId {
        let node = data.node(id);
        let value = match data.scalar_of(&node.atom) {
            Some(s) => {
                let mut v = Vec::new();
                format_scalar(&mut v, &s);
                String::from_utf8_lossy(&v).into_owned()
            }
            None => match node.atom {
                Atom::List => "<list>".into(),
                Atom::Map => "<map>".into(),
                Atom::Array { .. } => "<array>".into(),
                _ => "<described>".into(),
            },
        };
        text += &format!(
            "Node {id}: prev={}, next={}, parent={}, down={}, children={}, type={} ({value})\n",
            node.prev,
            node.next,
            node.parent,
            node.down,
            node.children,
            node.atom.type_of().pn_name()
        );
    }
    text
}

/// Render one scalar value.
pub fn format_scalar(out: &mut Vec<u8>, value: &Scalar<'_>) {
    match *value {
        Scalar::Null => out.extend_from_slice(b"null"),
        Scalar::Bool(v) => out.extend_from_slice(if v { b"true" } else { b"false" }),
        Scalar::Ubyte(v) => push_display(out, v),
        Scalar::Byte(v) => push_display(out, v),
        Scalar::Ushort(v) => push_display(out, v),
        Scalar::Short(v) => push_display(out, v),
        Scalar::Uint(v) => push_display(out, v),
        Scalar::Int(v) => push_display(out, v),
        // Proton prints a char with %c, so only its low byte shows.
        Scalar::Char(v) => out.push(v as u8),
        Scalar::Ulong(v) => push_display(out, v),
        Scalar::Long(v) | Scalar::Timestamp(v) => push_display(out, v),
        Scalar::Float(v) => out.extend_from_slice(format_g(v as f64).as_bytes()),
        Scalar::Double(v) => out.extend_from_slice(format_g(v).as_bytes()),
        Scalar::Decimal32(v) => out.extend_from_slice(format!("D32({v})").as_bytes()),
        Scalar::Decimal64(v) => out.extend_from_slice(format!("D64({v})").as_bytes()),
        Scalar::Decimal128(b) => {
            out.extend_from_slice(b"D128(");
            for x in b {
                out.extend_from_slice(format!("{x:02x}").as_bytes());
            }
            out.push(b')');
        }
        Scalar::Uuid(b) => {
            out.extend_from_slice(b"UUID(");
            for (i, x) in b.iter().enumerate() {
                if matches!(i, 4 | 6 | 8 | 10) {
                    out.push(b'-');
                }
                out.extend_from_slice(format!("{x:02x}").as_bytes());
            }
            out.push(b')');
        }
        Scalar::Binary(b) => {
            out.extend_from_slice(b"b\"");
            push_escaped(out, b);
            out.push(b'"');
        }
        Scalar::String(b) => {
            out.push(b'"');
            push_escaped(out, b);
            out.push(b'"');
        }
        Scalar::Symbol(b) => {
            out.push(b':');
            if b.iter().all(u8::is_ascii_alphabetic) {
                out.extend_from_slice(b);
            } else {
                out.push(b'"');
                push_escaped(out, b);
                out.push(b'"');
            }
        }
    }
}

fn push_display(out: &mut Vec<u8>, v: impl std::fmt::Display) {
    out.extend_from_slice(v.to_string().as_bytes());
}

fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    for &b in bytes {
        if (0x20..0x7f).contains(&b) && !matches!(b, b'"' | b'\'' | b'\\') {
            out.push(b);
        } else {
            out.extend_from_slice(format!("\\x{b:02x}").as_bytes());
        }
    }
}

/// C's `%g`: 6 significant digits, exponent form below 1e-4 or from 1e6, no trailing zeros.
pub fn format_g(v: f64) -> String {
    if v.is_nan() {
        return if v.is_sign_negative() {
            "-nan".into()
        } else {
            "nan".into()
        };
    }
    if v.is_infinite() {
        return if v < 0.0 { "-inf".into() } else { "inf".into() };
    }
    if v == 0.0 {
        return if v.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    const P: i32 = 6;
    let sci = format!("{:.*e}", (P - 1) as usize, v);
    let (mantissa, exp) = sci.split_once('e').expect("exponent form");
    let exp: i32 = exp.parse().expect("exponent");
    if exp < -4 || exp >= P {
        let mantissa = strip_zeros(mantissa);
        let sign = if exp < 0 { '-' } else { '+' };
        format!("{mantissa}e{sign}{:02}", exp.abs())
    } else {
        strip_zeros(&format!("{:.*}", (P - 1 - exp) as usize, v)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

/// AMQP's own descriptor codes: name and list field names (spec parts 2.7, 2.8, 3.2, 3.4,
/// 3.5, 4.5, 5.3).
pub fn descriptor_info(code: u64) -> Option<(&'static str, &'static [&'static str])> {
    Some(match code {
        0x10 => (
            "open",
            &[
                "container-id",
                "hostname",
                "max-frame-size",
                "channel-max",
                "idle-time-out",
                "outgoing-locales",
                "incoming-locales",
                "offered-capabilities",
                "desired-capabilities",
                "properties",
            ],
        ),
        0x11 => (
            "begin",
            &[
                "remote-channel",
                "next-outgoing-id",
                "incoming-window",
                "outgoing-window",
                "handle-max",
                "offered-capabilities",
                "desired-capabilities",
                "properties",
            ],
        ),
        0x12 => (
            "attach",
            &[
                "name",
                "handle",
                "role",
                "snd-settle-mode",
                "rcv-settle-mode",
                "source",
                "target",
                "unsettled",
                "incomplete-unsettled",
                "initial-delivery-count",
                "max-message-size",
                "offered-capabilities",
                "desired-capabilities",
                "properties",
            ],
        ),
        0x13 => (
            "flow",
            &[
                "next-incoming-id",
                "incoming-window",
                "next-outgoing-id",
                "outgoing-window",
                "handle",
                "delivery-count",
                "link-credit",
                "available",
                "drain",
                "echo",
                "properties",
            ],
        ),
        0x14 => (
            "transfer",
            &[
                "handle",
                "delivery-id",
                "delivery-tag",
                "message-format",
                "settled",
                "more",
                "rcv-settle-mode",
                "state",
                "resume",
                "aborted",
                "batchable",
            ],
        ),
        0x15 => (
            "disposition",
            &["role", "first", "last", "settled", "state", "batchable"],
        ),
        0x16 => ("detach", &["handle", "closed", "error"]),
        0x17 => ("end", &["error"]),
        0x18 => ("close", &["error"]),
        0x1d => ("error", &["condition", "description", "info"]),
        0x23 => ("received", &["section-number", "section-offset"]),
        0x24 => ("accepted", &[]),
        0x25 => ("rejected", &["error"]),
        0x26 => ("released", &[]),
        0x27 => (
            "modified",
            &[
                "delivery-failed",
                "undeliverable-here",
                "message-annotations",
            ],
        ),
        0x28 => (
            "source",
            &[
                "address",
                "durable",
                "expiry-policy",
                "timeout",
                "dynamic",
                "dynamic-node-properties",
                "distribution-mode",
                "filter",
                "default-outcome",
                "outcomes",
                "capabilities",
            ],
        ),
        0x29 => (
            "target",
            &[
                "address",
                "durable",
                "expiry-policy",
                "timeout",
                "dynamic",
                "dynamic-node-properties",
                "capabilities",
            ],
        ),
        0x2b => ("delete-on-close", &[]),
        0x2c => ("delete-on-no-links", &[]),
        0x2d => ("delete-on-no-messages", &[]),
        0x2e => ("delete-on-no-links-or-messages", &[]),
        0x30 => ("coordinator", &["capabilities"]),
        0x31 => ("declare", &["global-id"]),
        0x32 => ("discharge", &["txn-id", "fail"]),
        0x33 => ("declared", &["txn-id"]),
        0x34 => ("transactional-state", &["txn-id", "outcome"]),
        0x40 => ("sasl-mechanisms", &["sasl-server-mechanisms"]),
        0x41 => ("sasl-init", &["mechanism", "initial-response", "hostname"]),
        0x42 => ("sasl-challenge", &["challenge"]),
        0x43 => ("sasl-response", &["response"]),
        0x44 => ("sasl-outcome", &["code", "additional-data"]),
        0x70 => (
            "header",
            &[
                "durable",
                "priority",
                "ttl",
                "first-acquirer",
                "delivery-count",
            ],
        ),
        0x71 => ("delivery-annotations", &[]),
        0x72 => ("message-annotations", &[]),
        0x73 => (
            "properties",
            &[
                "message-id",
                "user-id",
                "to",
                "subject",
                "reply-to",
                "correlation-id",
                "content-type",
                "content-encoding",
                "absolute-expiry-time",
                "creation-time",
                "group-id",
                "group-sequence",
                "reply-to-group-id",
            ],
        ),
        0x74 => ("application-properties", &[]),
        0x75 => ("data", &[]),
        0x76 => ("amqp-sequence", &[]),
        0x77 => ("amqp-value", &[]),
        0x78 => ("footer", &[]),
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq)]
enum Kind {
    Root,
    List,
    Map,
    Array,
    Described,
    Scalar,
}

struct Frame {
    kind: Kind,
    /// Children seen so far.
    index: usize,
    /// Children printed so far (named null fields are skipped).
    printed: usize,
    /// Field names for the children of the value of a known descriptor.
    fields: &'static [&'static str],
    /// The value of a known descriptor: its null children are not printed.
    skip_nulls: bool,
    /// For a described frame: the field names its descriptor gives the value, if known.
    value_fields: Option<&'static [&'static str]>,
}

impl Frame {
    fn root() -> Frame {
        Frame::new(Kind::Root)
    }
    fn new(kind: Kind) -> Frame {
        Frame {
            kind,
            index: 0,
            printed: 0,
            fields: &[],
            skip_nulls: false,
            value_fields: None,
        }
    }
}

struct Formatter {
    out: Vec<u8>,
    frames: Vec<Frame>,
}

impl Visitor for Formatter {
    type Error = ();

    fn enter(&mut self, data: &Data, id: NodeId) -> Result<(), ()> {
        let node = data.node(id);
        let parent = self.frames.last_mut().expect("root frame");
        let index = parent.index;
        let named = parent.fields.get(index).copied();
        if parent.skip_nulls && node.atom == Atom::Null {
            self.frames.push(Frame::new(Kind::Scalar));
            return Ok(());
        }
        if parent.printed > 0 {
            let sep: &[u8] = match parent.kind {
                Kind::Map if index % 2 == 1 => b"=",
                Kind::Described => b" ",
                Kind::Scalar => b"",
                _ => b", ",
            };
            self.out.extend_from_slice(sep);
        }
        parent.printed += 1;
        let is_descriptor = parent.kind == Kind::Described && index == 0;
        let value_fields = if parent.kind == Kind::Described && index == 1 {
            parent.value_fields
        } else {
            None
        };
        // The value of a known descriptor: label its fields, leave out its nulls.
        let described_value = |frame: Frame| match value_fields {
            Some(fields) => Frame {
                fields,
                skip_nulls: true,
                ..frame
            },
            None => frame,
        };
        if let Some(name) = named {
            self.out.extend_from_slice(name.as_bytes());
            self.out.push(b'=');
        }
        let mut frame = match node.atom {
            Atom::List => {
                self.out.push(b'[');
                described_value(Frame::new(Kind::List))
            }
            Atom::Map => {
                self.out.push(b'{');
                described_value(Frame::new(Kind::Map))
            }
            Atom::Array { elem, .. } => {
                self.out.push(b'@');
                self.out
                    .extend_from_slice(elem.map_or("<UNKNOWN>", |t| t.pn_name()).as_bytes());
                self.out.push(b'[');
                described_value(Frame::new(Kind::Array))
            }
            Atom::Described => {
                self.out.push(b'@');
                Frame::new(Kind::Described)
            }
            atom => {
                let value = data.scalar_of(&atom).expect("scalar atom");
                match (is_descriptor, value) {
                    (true, Scalar::Ulong(code)) if descriptor_info(code).is_some() => {
                        let (name, fields) = descriptor_info(code).expect("checked");
                        self.out
                            .extend_from_slice(format!("{name}({code})").as_bytes());
                        self.frames
                            .last_mut()
                            .expect("described frame")
                            .value_fields = Some(fields);
                    }
                    _ => format_scalar(&mut self.out, &value),
                }
                Frame::new(Kind::Scalar)
            }
        };
        frame.index = 0;
        self.frames.push(frame);
        Ok(())
    }

    fn exit(&mut self, _data: &Data, _id: NodeId) -> Result<(), ()> {
        let frame = self.frames.pop().expect("balanced walk");
        match frame.kind {
            Kind::List | Kind::Array => self.out.push(b']'),
            Kind::Map => self.out.push(b'}'),
            _ => {}
        }
        if let Some(parent) = self.frames.last_mut() {
            parent.index += 1;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::format_g;

    #[test]
    #[allow(clippy::approx_constant)] // a decimal literal, not pi
    fn percent_g_matches_c() {
        for (v, s) in [
            (1.5, "1.5"),
            (1e20, "1e+20"),
            (3.14159, "3.14159"),
            (0.1, "0.1"),
            (123456789.0, "1.23457e+08"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (-2.5e-300, "-2.5e-300"),
        ] {
            assert_eq!(format_g(v), s, "{v}");
        }
    }
}
