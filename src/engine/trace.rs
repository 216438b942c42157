//! Frame trace lines (`PN_TRACE_FRM`) as proton-c 0.37 writes them.
//!
//! A line is `SUBSYSTEM:FRAME:message`, the form [`crate::engine::Connection::poll_trace`]
//! hands out; where it goes decides the rest (measured on 0.37):
//! - stderr: `[0x55d0c4a1b2c0]: AMQP:FRAME:0 -> @open(16) [...]`, the transport's address,
//!   then the subsystem right-aligned in 5 columns (`   IO:FRAME:  -> EOS`);
//! - a tracer (`pn_messenger_set_tracer`): `FRAME: ` and the message (`FRAME: 0 -> @open(16)
//!   [...]`, `FRAME:   -> AMQP`).
//!
//! Messages: `0 -> @open(16) [...]` (channel, direction, frame body in 0.37's trace value
//! style, see [`crate::codec::trace_format`]); `0 <- (EMPTY FRAME)`; protocol headers
//! `  -> AMQP`, `  <- SASL` (subsystem AMQP or SASL); `  -> EOS` / `  <- EOS` when output
//! or input ends (subsystem IO). SASL frames are AMQP lines on channel 0:
//! `AMQP:FRAME:0 <- @sasl-mechanisms(64) [...]`.

use crate::codec::trace_format;

/// The text of a frame body; `_payload_len` is unused (the printer finds the split itself).
pub fn format_body(body: &[u8], _payload_len: usize) -> String {
    trace_format::frame_text(body, &[])
}

/// An AMQP frame: `AMQP:FRAME:0 -> @transfer(20) [...] (12) \x00Sw...`. Bytes after the
/// performative's value, in `performative` or `payload`, print as the payload.
pub fn frame_line(channel: u16, direction: &str, performative: &[u8], payload: &[u8]) -> String {
    format!(
        "AMQP:FRAME:{channel} {direction} {}",
        trace_format::frame_text(performative, payload)
    )
}

/// A SASL frame: 0.37 traces it like an AMQP frame on channel 0.
pub fn sasl_frame_line(direction: &str, body: &[u8]) -> String {
    frame_line(0, direction, body, &[])
}

/// An empty (heartbeat) frame.
pub fn empty_frame_line(channel: u16, direction: &str) -> String {
    format!("AMQP:FRAME:{channel} {direction} (EMPTY FRAME)")
}

/// A protocol header, `kind` "AMQP" or "SASL": `AMQP:FRAME:  -> AMQP`.
pub fn header_line(kind: &str, direction: &str) -> String {
    format!("{kind}:FRAME:  {direction} {kind}")
}

/// The end of output (`->`) or input (`<-`).
pub fn eos_line(direction: &str) -> String {
    format!("IO:FRAME:  {direction} EOS")
}

fn split(line: &str) -> (&str, &str) {
    let (subsystem, rest) = line.split_once(':').unwrap_or(("AMQP", line));
    (subsystem, rest.strip_prefix("FRAME:").unwrap_or(rest))
}

/// The line as 0.37 writes it to stderr; `transport` identifies the connection.
pub fn stderr_line(transport: *const (), line: &str) -> String {
    let (subsystem, message) = split(line);
    format!("[{transport:p}]:{subsystem:>5}:FRAME:{message}")
}

/// The string 0.37 hands a tracer for the line.
pub fn tracer_line(line: &str) -> String {
    format!("FRAME: {}", split(line).1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_for_stderr_and_tracer() {
        let open = [0x00, 0x53, 0x10, 0xc0, 0x03, 0x01, 0xa1, 0x00];
        let line = frame_line(0, "->", &open, &[]);
        assert_eq!(line, "AMQP:FRAME:0 -> @open(16) [container-id=\"\"]");
        let p = 0x1234usize as *const ();
        assert_eq!(
            stderr_line(p, &line),
            "[0x1234]: AMQP:FRAME:0 -> @open(16) [container-id=\"\"]"
        );
        assert_eq!(
            tracer_line(&line),
            "FRAME: 0 -> @open(16) [container-id=\"\"]"
        );
        assert_eq!(
            stderr_line(p, &eos_line("<-")),
            "[0x1234]:   IO:FRAME:  <- EOS"
        );
        assert_eq!(tracer_line(&eos_line("->")), "FRAME:   -> EOS");
        assert_eq!(
            stderr_line(p, &header_line("SASL", "->")),
            "[0x1234]: SASL:FRAME:  -> SASL"
        );
        assert_eq!(tracer_line(&header_line("AMQP", "<-")), "FRAME:   <- AMQP");
        assert_eq!(empty_frame_line(7, "<-"), "AMQP:FRAME:7 <- (EMPTY FRAME)");
    }

    #[test]
    fn sasl_frames_are_amqp_lines_on_channel_0() {
        // sasl-outcome [code=0]
        let body = [0x00, 0x53, 0x44, 0xc0, 0x03, 0x01, 0x50, 0x00];
        assert_eq!(
            sasl_frame_line("<-", &body),
            "AMQP:FRAME:0 <- @sasl-outcome(68) [code=0x0]"
        );
    }

    #[test]
    fn payload_split_anywhere() {
        // transfer [handle=0] then payload "hi"
        let perf = [0x00, 0x53, 0x14, 0xc0, 0x02, 0x01, 0x43];
        let whole: Vec<u8> = perf.iter().chain(b"hi").copied().collect();
        let expected = "AMQP:FRAME:1 <- @transfer(20) [handle=0x0] (2) hi";
        assert_eq!(frame_line(1, "<-", &perf, b"hi"), expected);
        assert_eq!(frame_line(1, "<-", &whole, &[]), expected);
        assert_eq!(frame_line(1, "<-", &whole[..8], &whole[8..]), expected);
    }
}
