//! types.h: the plain-data types shared by every proton header, with proton's exact layout.

use libc::{c_char, size_t};

pub type pn_sequence_t = u32;
pub type pn_millis_t = u32;
pub type pn_seconds_t = u32;
pub type pn_timestamp_t = i64;
pub type pn_char_t = u32;
pub type pn_decimal32_t = u32;
pub type pn_decimal64_t = u64;
pub type pn_state_t = libc::c_int;

/// `PN_MILLIS_MAX`: the largest millisecond count.
pub const PN_MILLIS_MAX: pn_millis_t = !0u32;

/// A 128-bit decimal, as 16 raw bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pn_decimal128_t {
    pub bytes: [c_char; 16],
}

/// A UUID, as 16 raw bytes in network order.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct pn_uuid_t {
    pub bytes: [c_char; 16],
}

/// A borrowed, read-only byte range.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pn_bytes_t {
    pub size: size_t,
    pub start: *const c_char,
}

/// A borrowed, writable byte range.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct pn_rwbytes_t {
    pub size: size_t,
    pub start: *mut c_char,
}

// SAFETY: the null constants point nowhere; sharing them between threads is harmless.
unsafe impl Sync for pn_bytes_t {}
// SAFETY: as above.
unsafe impl Sync for pn_rwbytes_t {}

impl pn_bytes_t {
    pub const NULL: pn_bytes_t = pn_bytes_t {
        size: 0,
        start: std::ptr::null(),
    };

    /// A view of `bytes`, valid as long as they are.
    pub fn from_slice(bytes: &[u8]) -> pn_bytes_t {
        pn_bytes_t {
            size: bytes.len(),
            start: bytes.as_ptr() as *const c_char,
        }
    }
}

impl pn_uuid_t {
    pub fn from_bytes(b: [u8; 16]) -> Self {
        pn_uuid_t {
            bytes: b.map(|x| x as c_char),
        }
    }
    pub fn to_bytes(self) -> [u8; 16] {
        self.bytes.map(|x| x as u8)
    }
}

impl pn_decimal128_t {
    pub fn from_bytes(b: [u8; 16]) -> Self {
        pn_decimal128_t {
            bytes: b.map(|x| x as c_char),
        }
    }
    pub fn to_bytes(self) -> [u8; 16] {
        self.bytes.map(|x| x as u8)
    }
}

/// `{0, NULL}`.
#[no_mangle]
pub static pn_bytes_null: pn_bytes_t = pn_bytes_t::NULL;

/// `{0, NULL}`.
#[no_mangle]
pub static pn_rwbytes_null: pn_rwbytes_t = pn_rwbytes_t {
    size: 0,
    start: std::ptr::null_mut(),
};

// SAFETY: pn_rwbytes_null's pointer is NULL and never written through.
unsafe impl Send for pn_rwbytes_t {}

/// Build a `pn_bytes_t` from a size and a start pointer (nothing is copied).
#[no_mangle]
pub extern "C" fn pn_bytes(size: size_t, start: *const c_char) -> pn_bytes_t {
    pn_bytes_t { size, start }
}

/// Build a `pn_rwbytes_t` from a size and a start pointer (nothing is copied).
#[no_mangle]
pub extern "C" fn pn_rwbytes(size: size_t, start: *mut c_char) -> pn_rwbytes_t {
    pn_rwbytes_t { size, start }
}
