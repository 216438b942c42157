//! The C ABI of `libqpid-proton.so.11`: every `#[no_mangle] extern "C"` function lives here.
//!
//! Contract for every export: pointers are checked (NULL gives `PN_ARG_ERR` or the
//! documented null/zero result), panics are caught and turned into a default value,
//! and nothing here holds protocol logic: it converts, then calls the safe core.
//! C handles (`pn_data_t`, `pn_message_t`, ...) are zero-sized markers; a pointer to one
//! is really a pointer to the Rust object named by its [`Opaque::Inner`].

#![allow(non_camel_case_types, non_upper_case_globals)]
// Exports take raw pointers from C by design; each one checks for NULL before use and the
// pointer contract is proton's documented API, so the functions stay safe `extern "C"`.
#![allow(clippy::not_unsafe_ptr_arg_deref)]

pub mod codec;
pub mod condition;
pub mod delivery;
pub mod disposition;
pub mod error;
pub mod link;
pub mod message;
pub mod messenger;
pub mod selectable;
pub mod ssl;
pub mod terminus;
pub mod transport;
pub mod types;
pub mod variadic;

/// Run `$body`, turning a panic into `$default` so that no unwind crosses into C.
macro_rules! guard {
    ($default:expr, $body:block) => {
        match ::std::panic::catch_unwind(::std::panic::AssertUnwindSafe(|| $body)) {
            Ok(value) => value,
            Err(_) => $default,
        }
    };
}
pub(crate) use guard;

/// Ties a C marker type to the Rust object its pointers really point to.
pub trait Opaque {
    type Inner;
}

/// Borrow the object behind a C handle; `None` for NULL.
///
/// # Safety
/// `ptr` must be NULL or a live handle created by this library for that type.
pub(crate) unsafe fn inner<'a, M: Opaque>(ptr: *mut M) -> Option<&'a mut M::Inner> {
    // SAFETY: the caller promises `ptr` is NULL or points to a live `M::Inner`.
    unsafe { (ptr as *mut M::Inner).as_mut() }
}

/// The C handle for a Rust object owned elsewhere (for example inside a message).
pub(crate) fn handle<M: Opaque>(obj: &mut M::Inner) -> *mut M {
    obj as *mut M::Inner as *mut M
}

/// Hand ownership of a new object to C.
pub(crate) fn into_handle<M: Opaque>(obj: M::Inner) -> *mut M {
    Box::into_raw(Box::new(obj)) as *mut M
}

/// Take back and drop an object that was handed to C by [`into_handle`]; NULL is ignored.
///
/// # Safety
/// `ptr` must be NULL or come from [`into_handle`] for the same `M`, and not be used again.
pub(crate) unsafe fn free_handle<M: Opaque>(ptr: *mut M) {
    if !ptr.is_null() {
        // SAFETY: per the contract `ptr` came from `Box::into_raw` of an `M::Inner`.
        drop(unsafe { Box::from_raw(ptr as *mut M::Inner) });
    }
}

/// Borrow a C string as bytes (without the NUL); `None` for NULL.
///
/// # Safety
/// `ptr` must be NULL or a NUL-terminated string that outlives the borrow.
pub(crate) unsafe fn c_str<'a>(ptr: *const libc::c_char) -> Option<&'a [u8]> {
    if ptr.is_null() {
        None
    } else {
        // SAFETY: non-NULL and NUL-terminated per the contract.
        Some(unsafe { std::ffi::CStr::from_ptr(ptr) }.to_bytes())
    }
}

/// Borrow `size` bytes at `start`: an empty slice for size 0, None for NULL with size > 0.
///
/// # Safety
/// If `start` is non-NULL it must point to `size` readable bytes that outlive the borrow.
pub(crate) unsafe fn byte_slice<'a>(start: *const libc::c_char, size: usize) -> Option<&'a [u8]> {
    if size == 0 {
        Some(&[])
    } else if start.is_null() {
        None
    } else {
        // SAFETY: non-NULL, `size` readable bytes per the contract.
        Some(unsafe { std::slice::from_raw_parts(start as *const u8, size) })
    }
}
