//! Frame trace lines in proton's style (`PN_TRACE_FRM`): `AMQP:FRAME:0 -> @open(16) [...]`,
//! with a transfer's payload as `(size) escaped-bytes`.

use crate::codec::{decoder, format, Data};

/// A frame body (performative bytes) rendered as text.
pub fn format_body(body: &[u8], _payload_len: usize) -> String {
    let mut data = Data::new();
    match decoder::decode(&mut data, body) {
        Ok(_) => String::from_utf8_lossy(&format::format(&data)).into_owned(),
        Err(_) => format!("(undecodable frame of {} bytes)", body.len()),
    }
}

/// One AMQP frame trace line.
pub fn frame_line(channel: u16, direction: &str, performative: &[u8], payload: &[u8]) -> String {
    let mut line = format!(
        "AMQP:FRAME:{channel} {direction} {}",
        format_body(performative, 0)
    );
    if !payload.is_empty() {
        line.push_str(&format!(" ({}) ", payload.len()));
        for &b in payload.iter().take(1024) {
            if (0x20..0x7f).contains(&b) && b != b'"' && b != b'\\' {
                line.push(b as char);
            } else {
                line.push_str(&format!("\\x{b:02x}"));
            }
        }
        if payload.len() > 1024 {
            line.push_str("...");
        }
    }
    line
}
