//! error.h: `pn_error_t` and the `PN_*` error codes.
//!
//! The printf-style `pn_error_format`/`pn_error_vformat` are variadic, which stable Rust
//! cannot define: they live in `src/ffi/variadic.c` and call [`pn_error_set`].

use super::{c_str, free_handle, guard, inner, into_handle, Opaque};
use crate::error::{code, code_name, ErrorSlot};
use libc::{c_char, c_int};

pub const PN_OK: c_int = 0;
pub const PN_EOS: c_int = -1;
pub const PN_ERR: c_int = -2;
pub const PN_OVERFLOW: c_int = -3;
pub const PN_UNDERFLOW: c_int = -4;
pub const PN_STATE_ERR: c_int = -5;
pub const PN_ARG_ERR: c_int = -6;
pub const PN_TIMEOUT: c_int = -7;
pub const PN_INTR: c_int = -8;
pub const PN_INPROGRESS: c_int = -9;
pub const PN_OUT_OF_MEMORY: c_int = -10;
pub const PN_ABORTED: c_int = -11;

/// An error: a code and a text. Opaque to C.
pub struct pn_error_t {
    _private: [u8; 0],
}

impl Opaque for pn_error_t {
    type Inner = ErrorSlot;
}

static CODE_NAMES: [&[u8]; 13] = [
    b"<ok>\0",
    b"PN_EOS\0",
    b"PN_ERR\0",
    b"PN_OVERFLOW\0",
    b"PN_UNDERFLOW\0",
    b"PN_STATE_ERR\0",
    b"PN_ARG_ERR\0",
    b"PN_TIMEOUT\0",
    b"PN_INTR\0",
    b"PN_INPROGRESS\0",
    b"PN_OUT_OF_MEMORY\0",
    b"PN_ABORTED\0",
    b"<unknown>\0",
];

/// The symbolic name of an error code ("PN_EOS", ..., "<ok>" for 0, "<unknown>" otherwise).
/// The string is static.
#[no_mangle]
pub extern "C" fn pn_code(code: c_int) -> *const c_char {
    let index = if (code::ABORTED..=code::OK).contains(&code) {
        (-code) as usize
    } else {
        12
    };
    debug_assert_eq!(
        &CODE_NAMES[index][..CODE_NAMES[index].len() - 1],
        code_name(code).as_bytes()
    );
    CODE_NAMES[index].as_ptr() as *const c_char
}

/// Allocate an error object with code 0 and no text. The caller owns it (pn_error_free).
#[no_mangle]
pub extern "C" fn pn_error() -> *mut pn_error_t {
    guard!(std::ptr::null_mut(), {
        into_handle::<pn_error_t>(ErrorSlot::default())
    })
}

/// Free an error object made by `pn_error`; NULL is ignored.
#[no_mangle]
pub extern "C" fn pn_error_free(error: *mut pn_error_t) {
    // SAFETY: `error` is NULL or came from `pn_error`.
    guard!((), { unsafe { free_handle(error) } })
}

/// Reset to code 0 and no text.
#[no_mangle]
pub extern "C" fn pn_error_clear(error: *mut pn_error_t) {
    guard!((), {
        // SAFETY: `error` is NULL or a live pn_error_t.
        if let Some(e) = unsafe { inner(error) } {
            e.clear()
        }
    })
}

/// Clear, then if `code` is non-zero store it with a copy of `text`. Returns `code`.
#[no_mangle]
pub extern "C" fn pn_error_set(error: *mut pn_error_t, code: c_int, text: *const c_char) -> c_int {
    guard!(PN_ERR, {
        // SAFETY: `error` is NULL or live; `text` is NULL or NUL-terminated.
        match unsafe { inner(error) } {
            Some(e) => e.set_bytes(code, unsafe { c_str(text) }),
            None => PN_ARG_ERR,
        }
    })
}

/// The stored code (0 = no error).
#[no_mangle]
pub extern "C" fn pn_error_code(error: *mut pn_error_t) -> c_int {
    // SAFETY: `error` is NULL or live.
    guard!(PN_ARG_ERR, {
        unsafe { inner(error) }.map_or(PN_ARG_ERR, |e| e.code())
    })
}

/// The stored text, or NULL when there is none. Owned by the error object.
#[no_mangle]
pub extern "C" fn pn_error_text(error: *mut pn_error_t) -> *const c_char {
    guard!(std::ptr::null(), {
        // SAFETY: `error` is NULL or live.
        unsafe { inner(error) }
            .and_then(|e| e.c_text())
            .map_or(std::ptr::null(), |t| t.as_ptr())
    })
}

/// Copy code and text from `src` (clear if `src` is NULL). Returns the copied code.
#[no_mangle]
pub extern "C" fn pn_error_copy(error: *mut pn_error_t, src: *mut pn_error_t) -> c_int {
    guard!(PN_ERR, {
        // SAFETY: both are NULL or live; they may be the same object, so clone first.
        let copied = unsafe { inner(src) }.map(|s| s.clone()).unwrap_or_default();
        match unsafe { inner(error) } {
            Some(e) => {
                *e = copied;
                e.code()
            }
            None => PN_ARG_ERR,
        }
    })
}
