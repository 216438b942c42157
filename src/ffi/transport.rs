//! transport.h: the trace types a messenger's tracer uses (`pn_messenger_set_tracer`).
//!
//! This library has no `pn_transport_t` objects: a tracer always gets a NULL transport.

use libc::c_char;

/// A transport (declared in types.h). Opaque to C.
pub struct pn_transport_t {
    _private: [u8; 0],
}

/// Trace flags.
pub type pn_trace_t = libc::c_int;

/// No tracing.
pub const PN_TRACE_OFF: pn_trace_t = 0;
/// Trace raw bytes.
pub const PN_TRACE_RAW: pn_trace_t = 1;
/// Trace frames.
pub const PN_TRACE_FRM: pn_trace_t = 2;
/// Trace driver events.
pub const PN_TRACE_DRV: pn_trace_t = 4;
/// Trace events.
pub const PN_TRACE_EVT: pn_trace_t = 8;

/// A callback that receives trace lines.
pub type pn_tracer_t =
    Option<unsafe extern "C" fn(transport: *mut pn_transport_t, message: *const c_char)>;
