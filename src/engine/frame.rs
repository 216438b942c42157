//! AMQP frames and protocol headers (spec part 2.3 and 5.1-5.3), as bytes.
//!
//! A frame is an 8-byte header (size, data offset in 4-byte words, type, channel), an
//! ignored extended header, and a body; an empty body is a heartbeat. Nothing here
//! allocates for a frame: parsing borrows from the input buffer.

use std::fmt;

/// The header that opens an AMQP connection (`AMQP 0 1.0.0`).
pub const AMQP_HEADER: [u8; 8] = *b"AMQP\x00\x01\x00\x00";
/// The header that opens a SASL exchange (`AMQP 3 1.0.0`).
pub const SASL_HEADER: [u8; 8] = *b"AMQP\x03\x01\x00\x00";
/// The header that asks for TLS (`AMQP 2 1.0.0`).
pub const TLS_HEADER: [u8; 8] = *b"AMQP\x02\x01\x00\x00";

/// The smallest max-frame-size a peer may ask for (spec 2.7.1).
pub const MIN_MAX_FRAME_SIZE: u32 = 512;

/// What a peer opened the connection with.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ProtocolHeader {
    Amqp,
    Sasl,
    Tls,
    /// A raw TLS handshake record (a client that skips the AMQP TLS header).
    TlsClientHello,
}

/// Why input could not be used; each maps to an AMQP error condition.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The peer sent bytes that are not an AMQP protocol header.
    BadHeader(Vec<u8>),
    /// A frame header with an impossible size or data offset.
    Malformed(String),
    /// A frame larger than we agreed to receive.
    TooLarge { size: u32, max: u32 },
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FrameError::BadHeader(bytes) => {
                write!(f, "Expected AMQP protocol header: got \"")?;
                for &b in bytes {
                    if (0x20..0x7f).contains(&b) {
                        write!(f, "{}", b as char)?;
                    } else {
                        write!(f, "\\x{b:02x}")?;
                    }
                }
                write!(f, "\"")
            }
            FrameError::Malformed(why) => write!(f, "{why}"),
            FrameError::TooLarge { size, max } => {
                write!(f, "frame size {size} exceeds the negotiated maximum {max}")
            }
        }
    }
}

/// Identify the protocol header at the start of `input`; `None` if more bytes are needed.
/// A wrong header is judged on all 8 bytes, so the verdict (and the bytes quoted in it)
/// do not depend on how the input was cut; a TLS record is recognised from 2 bytes.
pub fn detect_header(input: &[u8]) -> Option<Result<ProtocolHeader, FrameError>> {
    // A TLS record: content type 22 (handshake), version major 3.
    if input.first() == Some(&0x16) {
        match input.get(1) {
            None => return None,
            Some(3) => return Some(Ok(ProtocolHeader::TlsClientHello)),
            Some(_) => {}
        }
    }
    let header = input.get(..8)?;
    Some(match header.try_into().expect("8 bytes") {
        AMQP_HEADER => Ok(ProtocolHeader::Amqp),
        SASL_HEADER => Ok(ProtocolHeader::Sasl),
        TLS_HEADER => Ok(ProtocolHeader::Tls),
        _ => Err(FrameError::BadHeader(header.to_vec())),
    })
}

/// Frame types (spec 2.3.1 and 5.3.1).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameType {
    Amqp = 0,
    Sasl = 1,
}

/// A frame borrowed from the input buffer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Frame<'a> {
    pub kind: FrameType,
    pub channel: u16,
    /// The body: a performative (and, for transfers, the payload), or empty for a heartbeat.
    pub body: &'a [u8],
}

/// Parse the frame at the start of `input`. `Ok(None)` if it is not complete yet;
/// otherwise the frame and its total size. Frames above `max_size` are refused before
/// their bytes arrive, so nothing waits for (or buffers) an oversized frame.
pub fn parse_frame(input: &[u8], max_size: u32) -> Result<Option<(Frame<'_>, usize)>, FrameError> {
    if input.len() < 8 {
        return Ok(None);
    }
    let size = u32::from_be_bytes([input[0], input[1], input[2], input[3]]);
    let doff = input[4];
    let kind = match input[5] {
        0 => FrameType::Amqp,
        1 => FrameType::Sasl,
        other => {
            return Err(FrameError::Malformed(format!(
                "unknown frame type {other:#04x}"
            )))
        }
    };
    let channel = u16::from_be_bytes([input[6], input[7]]);
    if size < 8 {
        return Err(FrameError::Malformed(format!(
            "frame size {size} is below the minimum of 8"
        )));
    }
    if doff < 2 || doff as u32 * 4 > size {
        return Err(FrameError::Malformed(format!(
            "bad data offset {doff} for a frame of {size} bytes"
        )));
    }
    if size > max_size {
        return Err(FrameError::TooLarge {
            size,
            max: max_size,
        });
    }
    let size = size as usize;
    if input.len() < size {
        return Ok(None);
    }
    let body = &input[doff as usize * 4..size];
    Ok(Some((
        Frame {
            kind,
            channel,
            body,
        },
        size,
    )))
}

/// Start a frame in `out`; write the body after it, then call [`finish_frame`].
pub fn begin_frame(out: &mut Vec<u8>, kind: FrameType, channel: u16) -> usize {
    let start = out.len();
    out.extend_from_slice(&[0, 0, 0, 0, 2, kind as u8]);
    out.extend_from_slice(&channel.to_be_bytes());
    start
}

/// Fill in the size of the frame started at `start`.
pub fn finish_frame(out: &mut [u8], start: usize) {
    let size = (out.len() - start) as u32;
    out[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

/// An empty frame: keeps the connection alive (spec 2.4.5).
pub fn write_heartbeat(out: &mut Vec<u8>) {
    out.extend_from_slice(&[0, 0, 0, 8, 2, 0, 0, 0]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_are_detected_early_and_late() {
        assert_eq!(detect_header(b"AMQ"), None);
        assert_eq!(detect_header(&AMQP_HEADER), Some(Ok(ProtocolHeader::Amqp)));
        assert_eq!(detect_header(&SASL_HEADER), Some(Ok(ProtocolHeader::Sasl)));
        assert_eq!(detect_header(&TLS_HEADER), Some(Ok(ProtocolHeader::Tls)));
        assert_eq!(
            detect_header(&[0x16, 0x03, 0x01]),
            Some(Ok(ProtocolHeader::TlsClientHello))
        );
        assert_eq!(detect_header(b"GET /"), None);
        assert!(matches!(
            detect_header(b"GET / HTTP/1.1"),
            Some(Err(FrameError::BadHeader(b))) if b == b"GET / HT"
        ));
        assert!(matches!(
            detect_header(b"AMQP\x01\x01\x00\x00"),
            Some(Err(FrameError::BadHeader(_)))
        ));
    }

    #[test]
    fn frames_parse_and_reject_bad_sizes() {
        let mut out = Vec::new();
        let start = begin_frame(&mut out, FrameType::Amqp, 7);
        out.extend_from_slice(b"body");
        finish_frame(&mut out, start);
        let (frame, n) = parse_frame(&out, 512).unwrap().unwrap();
        assert_eq!((frame.channel, frame.body, n), (7, &b"body"[..], 12));
        assert_eq!(parse_frame(&out[..11], 512), Ok(None));
        assert!(matches!(
            parse_frame(&[0, 0, 0, 4, 2, 0, 0, 0], 512),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            parse_frame(&[0, 0, 0, 8, 1, 0, 0, 0], 512),
            Err(FrameError::Malformed(_))
        ));
        assert!(matches!(
            parse_frame(&[0, 1, 0, 0, 2, 0, 0, 0], 512),
            Err(FrameError::TooLarge { .. })
        ));
    }
}
