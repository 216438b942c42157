//! selectable.h: `pn_selectable_t`, the I/O handles of a passive messenger.
//!
//! Passive I/O through selectables is not supported yet (`pn_messenger_selectable` returns
//! NULL), so only the types are declared.

/// A socket descriptor.
pub type pn_socket_t = libc::c_int;

/// The socket value that stands for "no socket".
pub const PN_INVALID_SOCKET: pn_socket_t = -1;

/// An I/O handle to poll. Opaque to C.
pub struct pn_selectable_t {
    _private: [u8; 0],
}
