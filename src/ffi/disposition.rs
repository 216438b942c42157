//! disposition.h: the outcome codes a delivery's state can have (spec 3.4).
//!
//! `pn_disposition_t` is declared for completeness; no function returns one yet.

/// The delivery has been partly received (`received`).
pub const PN_RECEIVED: u64 = 0x0000_0000_0000_0023;
/// The delivery was accepted.
pub const PN_ACCEPTED: u64 = 0x0000_0000_0000_0024;
/// The delivery was rejected.
pub const PN_REJECTED: u64 = 0x0000_0000_0000_0025;
/// The delivery was released (not processed; may be redelivered).
pub const PN_RELEASED: u64 = 0x0000_0000_0000_0026;
/// The delivery was modified (released with changes).
pub const PN_MODIFIED: u64 = 0x0000_0000_0000_0027;

/// A delivery's local or remote disposition. Opaque to C.
pub struct pn_disposition_t {
    _private: [u8; 0],
}
