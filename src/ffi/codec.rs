//! codec.h: `pn_data_t`, the AMQP data tree with a cursor, and `pn_atom_t`.
//!
//! The variadic `pn_data_fill`/`pn_data_scan` (and their `v` forms) live in `variadic.c`
//! and are built on the functions here.
//!
//! Each `put`/`get` export builds its value in its own closure, so that it compiles to a
//! small function with the value written to (or read from) the node directly; a shared
//! helper taking the value as data would pass it through memory and match on it again.

use super::error::{pn_error_t, PN_ARG_ERR, PN_ERR, PN_OVERFLOW};
use super::types::*;
use super::{byte_slice, c_str, free_handle, guard, handle, inner, into_handle, Opaque};
use crate::codec::{decoder, encoder, format, Atom, Data, Scalar, Type, INVALID_TYPE};
use crate::error::Error;
use libc::{c_char, c_int, c_void, size_t, ssize_t};

/// An AMQP data tree with a cursor. Opaque to C.
pub struct pn_data_t {
    _private: [u8; 0],
}

impl Opaque for pn_data_t {
    type Inner = Data;
}

/// A type code (`PN_NULL` ... `PN_MAP`, or `PN_INVALID`).
pub type pn_type_t = c_int;

pub const PN_NULL: pn_type_t = 1;
pub const PN_BOOL: pn_type_t = 2;
pub const PN_UBYTE: pn_type_t = 3;
pub const PN_BYTE: pn_type_t = 4;
pub const PN_USHORT: pn_type_t = 5;
pub const PN_SHORT: pn_type_t = 6;
pub const PN_UINT: pn_type_t = 7;
pub const PN_INT: pn_type_t = 8;
pub const PN_CHAR: pn_type_t = 9;
pub const PN_ULONG: pn_type_t = 10;
pub const PN_LONG: pn_type_t = 11;
pub const PN_TIMESTAMP: pn_type_t = 12;
pub const PN_FLOAT: pn_type_t = 13;
pub const PN_DOUBLE: pn_type_t = 14;
pub const PN_DECIMAL32: pn_type_t = 15;
pub const PN_DECIMAL64: pn_type_t = 16;
pub const PN_DECIMAL128: pn_type_t = 17;
pub const PN_UUID: pn_type_t = 18;
pub const PN_BINARY: pn_type_t = 19;
pub const PN_STRING: pn_type_t = 20;
pub const PN_SYMBOL: pn_type_t = 21;
pub const PN_DESCRIBED: pn_type_t = 22;
pub const PN_ARRAY: pn_type_t = 23;
pub const PN_LIST: pn_type_t = 24;
pub const PN_MAP: pn_type_t = 25;
pub const PN_INVALID: pn_type_t = -1;

/// An opaque cursor position (`pn_data_point`), from object.h.
pub type pn_handle_t = *const c_void;

/// The value of any scalar atom; which member is valid depends on `pn_atom_t.type`.
#[repr(C)]
#[derive(Clone, Copy)]
pub union pn_atom_u {
    pub as_bool: bool,
    pub as_ubyte: u8,
    pub as_byte: i8,
    pub as_ushort: u16,
    pub as_short: i16,
    pub as_uint: u32,
    pub as_int: i32,
    pub as_char: pn_char_t,
    pub as_ulong: u64,
    pub as_long: i64,
    pub as_timestamp: pn_timestamp_t,
    pub as_float: f32,
    pub as_double: f64,
    pub as_decimal32: pn_decimal32_t,
    pub as_decimal64: pn_decimal64_t,
    pub as_decimal128: pn_decimal128_t,
    pub as_uuid: pn_uuid_t,
    pub as_bytes: pn_bytes_t,
}

/// A scalar value tagged with its type (24 bytes: type at 0, value at 8).
///
/// cbindgen:field-names=[type, u]
#[repr(C)]
#[derive(Clone, Copy)]
pub struct pn_atom_t {
    pub type_: pn_type_t,
    pub u: pn_atom_u,
}

/// A message id or correlation id.
pub type pn_msgid_t = pn_atom_t;

impl pn_atom_t {
    pub fn null() -> pn_atom_t {
        pn_atom_t {
            type_: PN_NULL,
            u: pn_atom_u { as_ulong: 0 },
        }
    }

    /// The atom for a scalar; bytes point into wherever the scalar's bytes live.
    pub fn from_scalar(s: &Scalar<'_>) -> pn_atom_t {
        let u = match *s {
            Scalar::Null => pn_atom_u { as_ulong: 0 },
            Scalar::Bool(v) => pn_atom_u { as_bool: v },
            Scalar::Ubyte(v) => pn_atom_u { as_ubyte: v },
            Scalar::Byte(v) => pn_atom_u { as_byte: v },
            Scalar::Ushort(v) => pn_atom_u { as_ushort: v },
            Scalar::Short(v) => pn_atom_u { as_short: v },
            Scalar::Uint(v) => pn_atom_u { as_uint: v },
            Scalar::Int(v) => pn_atom_u { as_int: v },
            Scalar::Char(v) => pn_atom_u { as_char: v },
            Scalar::Ulong(v) => pn_atom_u { as_ulong: v },
            Scalar::Long(v) => pn_atom_u { as_long: v },
            Scalar::Timestamp(v) => pn_atom_u { as_timestamp: v },
            Scalar::Float(v) => pn_atom_u { as_float: v },
            Scalar::Double(v) => pn_atom_u { as_double: v },
            Scalar::Decimal32(v) => pn_atom_u { as_decimal32: v },
            Scalar::Decimal64(v) => pn_atom_u { as_decimal64: v },
            Scalar::Decimal128(v) => pn_atom_u {
                as_decimal128: pn_decimal128_t::from_bytes(v),
            },
            Scalar::Uuid(v) => pn_atom_u {
                as_uuid: pn_uuid_t::from_bytes(v),
            },
            Scalar::Binary(b) | Scalar::String(b) | Scalar::Symbol(b) => pn_atom_u {
                as_bytes: pn_bytes_t::from_slice(b),
            },
        };
        // Zero the whole union first so unused bytes are deterministic.
        let mut atom = pn_atom_t {
            type_: s.type_of().code(),
            u: pn_atom_u {
                as_uuid: pn_uuid_t::default(),
            },
        };
        atom.u = u;
        atom
    }

    /// The scalar this atom holds, or None for a compound or unknown type code.
    ///
    /// # Safety
    /// For binary, string and symbol atoms `u.as_bytes` must point to `size` readable bytes.
    pub unsafe fn to_scalar<'a>(&self) -> Option<Scalar<'a>> {
        // SAFETY: each arm reads the union member that `type_` says is valid.
        unsafe {
            let u = &self.u;
            Some(match self.type_ {
                PN_NULL => Scalar::Null,
                PN_BOOL => Scalar::Bool(u.as_bool),
                PN_UBYTE => Scalar::Ubyte(u.as_ubyte),
                PN_BYTE => Scalar::Byte(u.as_byte),
                PN_USHORT => Scalar::Ushort(u.as_ushort),
                PN_SHORT => Scalar::Short(u.as_short),
                PN_UINT => Scalar::Uint(u.as_uint),
                PN_INT => Scalar::Int(u.as_int),
                PN_CHAR => Scalar::Char(u.as_char),
                PN_ULONG => Scalar::Ulong(u.as_ulong),
                PN_LONG => Scalar::Long(u.as_long),
                PN_TIMESTAMP => Scalar::Timestamp(u.as_timestamp),
                PN_FLOAT => Scalar::Float(u.as_float),
                PN_DOUBLE => Scalar::Double(u.as_double),
                PN_DECIMAL32 => Scalar::Decimal32(u.as_decimal32),
                PN_DECIMAL64 => Scalar::Decimal64(u.as_decimal64),
                PN_DECIMAL128 => Scalar::Decimal128(u.as_decimal128.to_bytes()),
                PN_UUID => Scalar::Uuid(u.as_uuid.to_bytes()),
                PN_BINARY => Scalar::Binary(byte_slice(u.as_bytes.start, u.as_bytes.size)?),
                PN_STRING => Scalar::String(byte_slice(u.as_bytes.start, u.as_bytes.size)?),
                PN_SYMBOL => Scalar::Symbol(byte_slice(u.as_bytes.start, u.as_bytes.size)?),
                _ => return None,
            })
        }
    }
}

/// Run `f` on the data object behind `data`; `default` for NULL or a panic.
#[inline(always)]
fn with_data<R: Copy>(data: *mut pn_data_t, default: R, f: impl FnOnce(&mut Data) -> R) -> R {
    guard!(default, {
        // SAFETY: `data` is NULL or a live pn_data_t handed out by this library.
        match unsafe { inner(data) } {
            Some(d) => f(d),
            None => default,
        }
    })
}

/// Turn a core result into proton's return code.
fn status(_data: &mut Data, result: Result<(), Error>) -> c_int {
    match result {
        Ok(()) => 0,
        Err(e) => e.code,
    }
}

/// Put `value` after the cursor; `value` is built at each call site so that every
/// export compiles to its own small, fully inlined function.
#[inline(always)]
fn put_scalar<'a>(data: *mut pn_data_t, value: impl FnOnce() -> Scalar<'a>) -> c_int {
    with_data(data, PN_ARG_ERR, |d| {
        let r = d.put(value());
        status(d, r)
    })
}

/// Read the current node with `pick` (given the tree, for byte values, and the node's
/// atom); `default` if there is no current node or `pick` gives None.
#[inline(always)]
fn get_atom<R: Copy>(
    data: *mut pn_data_t,
    default: R,
    pick: impl FnOnce(&Data, &Atom) -> Option<R>,
) -> R {
    with_data(data, default, |d| {
        d.atom().and_then(|atom| pick(d, atom)).unwrap_or(default)
    })
}

fn type_code(t: Option<Type>) -> pn_type_t {
    t.map_or(INVALID_TYPE, Type::code)
}

/// The name of a type code ("PN_MAP"), or "<UNKNOWN>". The string is static.
#[no_mangle]
pub extern "C" fn pn_type_name(type_: pn_type_t) -> *const c_char {
    let name: &'static [u8] = match Type::from_code(type_).map(Type::pn_name) {
        Some("PN_NULL") => b"PN_NULL\0",
        Some("PN_BOOL") => b"PN_BOOL\0",
        Some("PN_UBYTE") => b"PN_UBYTE\0",
        Some("PN_BYTE") => b"PN_BYTE\0",
        Some("PN_USHORT") => b"PN_USHORT\0",
        Some("PN_SHORT") => b"PN_SHORT\0",
        Some("PN_UINT") => b"PN_UINT\0",
        Some("PN_INT") => b"PN_INT\0",
        Some("PN_CHAR") => b"PN_CHAR\0",
        Some("PN_ULONG") => b"PN_ULONG\0",
        Some("PN_LONG") => b"PN_LONG\0",
        Some("PN_TIMESTAMP") => b"PN_TIMESTAMP\0",
        Some("PN_FLOAT") => b"PN_FLOAT\0",
        Some("PN_DOUBLE") => b"PN_DOUBLE\0",
        Some("PN_DECIMAL32") => b"PN_DECIMAL32\0",
        Some("PN_DECIMAL64") => b"PN_DECIMAL64\0",
        Some("PN_DECIMAL128") => b"PN_DECIMAL128\0",
        Some("PN_UUID") => b"PN_UUID\0",
        Some("PN_BINARY") => b"PN_BINARY\0",
        Some("PN_STRING") => b"PN_STRING\0",
        Some("PN_SYMBOL") => b"PN_SYMBOL\0",
        Some("PN_DESCRIBED") => b"PN_DESCRIBED\0",
        Some("PN_ARRAY") => b"PN_ARRAY\0",
        Some("PN_LIST") => b"PN_LIST\0",
        Some("PN_MAP") => b"PN_MAP\0",
        _ => b"<UNKNOWN>\0",
    };
    name.as_ptr() as *const c_char
}

/// Allocate an empty data tree; `capacity` is a hint. The caller owns it (pn_data_free).
#[no_mangle]
pub extern "C" fn pn_data(capacity: size_t) -> *mut pn_data_t {
    guard!(std::ptr::null_mut(), {
        into_handle::<pn_data_t>(Data::with_capacity(capacity))
    })
}

/// Free a data tree made by `pn_data`; NULL is ignored.
#[no_mangle]
pub extern "C" fn pn_data_free(data: *mut pn_data_t) {
    // SAFETY: `data` is NULL or came from `pn_data` and is not used again.
    guard!((), { unsafe { free_handle(data) } })
}

/// The code of the data object's last error (0 if none).
#[no_mangle]
pub extern "C" fn pn_data_errno(data: *mut pn_data_t) -> c_int {
    with_data(data, PN_ARG_ERR, |d| d.error().code())
}

/// The data object's error, owned by it.
#[no_mangle]
pub extern "C" fn pn_data_error(data: *mut pn_data_t) -> *mut pn_error_t {
    with_data(data, std::ptr::null_mut(), |d| {
        handle::<pn_error_t>(d.error_mut())
    })
}

/// Remove every node and reset the cursor; NULL is ignored.
#[no_mangle]
pub extern "C" fn pn_data_clear(data: *mut pn_data_t) {
    with_data(data, (), Data::clear)
}

/// Number of nodes in the tree (0 for NULL).
#[no_mangle]
pub extern "C" fn pn_data_size(data: *mut pn_data_t) -> size_t {
    with_data(data, 0, |d| d.size())
}

/// Move the cursor before the first node of the (narrowed) root.
#[no_mangle]
pub extern "C" fn pn_data_rewind(data: *mut pn_data_t) {
    with_data(data, (), Data::rewind)
}

/// Advance to the next sibling; false if there is none.
#[no_mangle]
pub extern "C" fn pn_data_next(data: *mut pn_data_t) -> bool {
    with_data(data, false, Data::next)
}

/// Move to the previous sibling; false if there is none.
#[no_mangle]
pub extern "C" fn pn_data_prev(data: *mut pn_data_t) -> bool {
    with_data(data, false, Data::prev)
}

/// Descend into the current node; false if there is no current node.
#[no_mangle]
pub extern "C" fn pn_data_enter(data: *mut pn_data_t) -> bool {
    with_data(data, false, Data::enter)
}

/// Return to the parent node; false at the top level.
#[no_mangle]
pub extern "C" fn pn_data_exit(data: *mut pn_data_t) -> bool {
    with_data(data, false, Data::exit)
}

/// Scan forward for a string or symbol key equal to `name` and move onto its value.
#[no_mangle]
pub extern "C" fn pn_data_lookup(data: *mut pn_data_t, name: *const c_char) -> bool {
    with_data(data, false, |d| {
        // SAFETY: `name` is NULL or NUL-terminated.
        match unsafe { c_str(name) } {
            Some(n) => d.lookup(n),
            None => false,
        }
    })
}

/// The type of the current node, or PN_INVALID if there is none.
#[no_mangle]
pub extern "C" fn pn_data_type(data: *mut pn_data_t) -> pn_type_t {
    with_data(data, PN_INVALID, |d| type_code(d.current_type()))
}

/// Render the tree as text into `bytes` (`*size`: capacity in, length out). PN_OVERFLOW if
/// the text and its NUL do not fit.
#[no_mangle]
pub extern "C" fn pn_data_format(
    data: *mut pn_data_t,
    bytes: *mut c_char,
    size: *mut size_t,
) -> c_int {
    with_data(data, PN_ARG_ERR, |d| {
        if size.is_null() {
            return PN_ARG_ERR;
        }
        let text = format::format(d);
        // SAFETY: `size` is non-NULL and points to the caller's capacity.
        let capacity = unsafe { *size };
        if bytes.is_null() {
            return PN_ARG_ERR;
        }
        if text.len() >= capacity {
            return PN_OVERFLOW;
        }
        // SAFETY: `bytes` has room for `capacity` > text.len() bytes.
        unsafe {
            std::ptr::copy_nonoverlapping(text.as_ptr(), bytes as *mut u8, text.len());
            *bytes.add(text.len()) = 0;
            *size = text.len();
        }
        0
    })
}

extern "C" {
    /// The C library's standard output stream.
    static mut stdout: *mut libc::FILE;
}

/// Write to C's `stdout` stream, so the text interleaves correctly with the
/// application's own `printf` output (which a Rust-side write would overtake).
fn c_stdout_write(bytes: &[u8]) -> bool {
    if bytes.is_empty() {
        return true;
    }
    // SAFETY: `stdout` is the C library's stream, valid for the life of the process.
    unsafe { libc::fwrite(bytes.as_ptr() as *const c_void, 1, bytes.len(), stdout) == bytes.len() }
}

/// Print the formatted tree to stdout (no newline). Returns 0.
#[no_mangle]
pub extern "C" fn pn_data_print(data: *mut pn_data_t) -> c_int {
    with_data(data, PN_ARG_ERR, |d| {
        if c_stdout_write(&format::format(d)) {
            0
        } else {
            PN_ERR
        }
    })
}

/// Print the node table to stdout, for debugging.
#[no_mangle]
pub extern "C" fn pn_data_dump(data: *mut pn_data_t) {
    with_data(data, (), |d| {
        c_stdout_write(format::dump(d).as_bytes());
    })
}

/// AMQP-encode every top-level value into `bytes`; returns the length or PN_OVERFLOW.
#[no_mangle]
pub extern "C" fn pn_data_encode(
    data: *mut pn_data_t,
    bytes: *mut c_char,
    size: size_t,
) -> ssize_t {
    with_data(data, PN_ARG_ERR as ssize_t, |d| {
        if bytes.is_null() && size > 0 {
            return PN_ARG_ERR as ssize_t;
        }
        let buf: &mut [u8] = if bytes.is_null() || size == 0 {
            &mut []
        } else {
            // SAFETY: the caller gives `size` writable bytes at `bytes`.
            unsafe { std::slice::from_raw_parts_mut(bytes as *mut u8, size) }
        };
        let mut sink = encoder::SliceSink::new(buf);
        encoder::encode(d, &mut sink);
        if sink.overflow {
            d.error_mut()
                .set(PN_OVERFLOW, Some("not enough space to encode")) as ssize_t
        } else {
            use encoder::Sink;
            sink.len() as ssize_t
        }
    })
}

/// The number of bytes `pn_data_encode` would write.
#[no_mangle]
pub extern "C" fn pn_data_encoded_size(data: *mut pn_data_t) -> ssize_t {
    with_data(data, PN_ARG_ERR as ssize_t, |d| {
        encoder::encoded_size(d) as ssize_t
    })
}

/// Decode one value from `bytes` after the cursor; returns bytes consumed or an error.
#[no_mangle]
pub extern "C" fn pn_data_decode(
    data: *mut pn_data_t,
    bytes: *const c_char,
    size: size_t,
) -> ssize_t {
    with_data(data, PN_ARG_ERR as ssize_t, |d| {
        // SAFETY: the caller gives `size` readable bytes at `bytes` (or NULL).
        let Some(input) = (unsafe { byte_slice(bytes, size) }) else {
            return PN_ARG_ERR as ssize_t;
        };
        match decoder::decode(d, input) {
            Ok(n) => n as ssize_t,
            Err(e) => e.code as ssize_t,
        }
    })
}

/// Put an empty list after the cursor; enter it to add elements.
#[no_mangle]
pub extern "C" fn pn_data_put_list(data: *mut pn_data_t) -> c_int {
    with_data(data, PN_ARG_ERR, |d| {
        let r = d.put_list();
        status(d, r)
    })
}

/// Put an empty map after the cursor; its children alternate key, value.
#[no_mangle]
pub extern "C" fn pn_data_put_map(data: *mut pn_data_t) -> c_int {
    with_data(data, PN_ARG_ERR, |d| {
        let r = d.put_map();
        status(d, r)
    })
}

/// Put an array of `type` elements; if `described`, its first child is the descriptor.
#[no_mangle]
pub extern "C" fn pn_data_put_array(
    data: *mut pn_data_t,
    described: bool,
    type_: pn_type_t,
) -> c_int {
    with_data(data, PN_ARG_ERR, |d| match Type::from_code(type_) {
        Some(t) => {
            let r = d.put_array(described, t);
            status(d, r)
        }
        None => PN_ARG_ERR,
    })
}

/// Put a described value; enter it and add the descriptor, then the value.
#[no_mangle]
pub extern "C" fn pn_data_put_described(data: *mut pn_data_t) -> c_int {
    with_data(data, PN_ARG_ERR, |d| {
        let r = d.put_described();
        status(d, r)
    })
}

/// Put a null after the cursor.
#[no_mangle]
pub extern "C" fn pn_data_put_null(data: *mut pn_data_t) -> c_int {
    put_scalar(data, || Scalar::Null)
}

/// Put any scalar atom (bytes are copied). PN_ARG_ERR for a compound or unknown type.
#[no_mangle]
pub extern "C" fn pn_data_put_atom(data: *mut pn_data_t, atom: pn_atom_t) -> c_int {
    // SAFETY: a byte atom from C points to `size` readable bytes.
    match unsafe { atom.to_scalar() } {
        Some(s) => put_scalar(data, || s),
        None => match atom.type_ {
            // A compound atom puts an empty node of that kind.
            PN_DESCRIBED => pn_data_put_described(data),
            PN_LIST => pn_data_put_list(data),
            PN_MAP => pn_data_put_map(data),
            PN_ARRAY => pn_data_put_array(data, false, PN_NULL),
            _ => PN_ARG_ERR,
        },
    }
}

/// Child count if the current node is a list, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_list(data: *mut pn_data_t) -> size_t {
    with_data(data, 0, |d| {
        if d.current_type() == Some(Type::List) {
            d.child_count()
        } else {
            0
        }
    })
}

/// Child count (keys plus values) if the current node is a map, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_map(data: *mut pn_data_t) -> size_t {
    with_data(data, 0, |d| {
        if d.current_type() == Some(Type::Map) {
            d.child_count()
        } else {
            0
        }
    })
}

/// Element count (without the descriptor) if the current node is an array, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_array(data: *mut pn_data_t) -> size_t {
    with_data(data, 0, |d| match d.atom() {
        Some(crate::codec::Atom::Array { described, .. }) => {
            let described = *described;
            d.child_count().saturating_sub(described as usize)
        }
        _ => 0,
    })
}

/// Whether the current array is described (false if it is not an array).
#[no_mangle]
pub extern "C" fn pn_data_is_array_described(data: *mut pn_data_t) -> bool {
    with_data(data, false, |d| {
        matches!(
            d.atom(),
            Some(crate::codec::Atom::Array {
                described: true,
                ..
            })
        )
    })
}

/// The element type of the current array, or PN_INVALID.
#[no_mangle]
pub extern "C" fn pn_data_get_array_type(data: *mut pn_data_t) -> pn_type_t {
    with_data(data, PN_INVALID, |d| match d.atom() {
        Some(crate::codec::Atom::Array { elem, .. }) => type_code(*elem),
        _ => PN_INVALID,
    })
}

/// Whether the current node is a described value.
#[no_mangle]
pub extern "C" fn pn_data_is_described(data: *mut pn_data_t) -> bool {
    with_data(data, false, |d| d.current_type() == Some(Type::Described))
}

/// Whether the current node is null.
#[no_mangle]
pub extern "C" fn pn_data_is_null(data: *mut pn_data_t) -> bool {
    with_data(data, false, |d| d.current_type() == Some(Type::Null))
}

/// The bytes of the current node if it is a binary, string or symbol, else `{0, NULL}`.
#[no_mangle]
pub extern "C" fn pn_data_get_bytes(data: *mut pn_data_t) -> pn_bytes_t {
    get_atom(data, pn_bytes_t::NULL, |d, atom| match *atom {
        Atom::Binary(s) | Atom::String(s) | Atom::Symbol(s) => {
            Some(pn_bytes_t::from_slice(d.span_bytes(s)))
        }
        _ => None,
    })
}

/// The current node as an atom (type PN_NULL if there is no current node or it is compound).
#[no_mangle]
pub extern "C" fn pn_data_get_atom(data: *mut pn_data_t) -> pn_atom_t {
    with_data(data, pn_atom_t::null(), |d| {
        match (d.scalar(), d.current_type()) {
            (Some(s), _) => pn_atom_t::from_scalar(&s),
            // A compound node's atom carries only its type.
            (None, Some(t)) => pn_atom_t {
                type_: t.code(),
                ..pn_atom_t::null()
            },
            (None, None) => pn_atom_t::null(),
        }
    })
}

/// Clear `data`, append all of `src`, and rewind `data`.
#[no_mangle]
pub extern "C" fn pn_data_copy(data: *mut pn_data_t, src: *mut pn_data_t) -> c_int {
    append_impl(data, src, None, true)
}

/// Deep-copy every top-level value of `src` after the cursor of `data`.
#[no_mangle]
pub extern "C" fn pn_data_append(data: *mut pn_data_t, src: *mut pn_data_t) -> c_int {
    append_impl(data, src, None, false)
}

/// Like `pn_data_append`, but at most `limit` top-level values (negative: all).
#[no_mangle]
pub extern "C" fn pn_data_appendn(
    data: *mut pn_data_t,
    src: *mut pn_data_t,
    limit: c_int,
) -> c_int {
    append_impl(data, src, usize::try_from(limit).ok(), false)
}

fn append_impl(
    data: *mut pn_data_t,
    src: *mut pn_data_t,
    limit: Option<usize>,
    replace: bool,
) -> c_int {
    guard!(PN_ERR, {
        if data.is_null() || src.is_null() {
            return PN_ARG_ERR;
        }
        if replace && data == src {
            // Copying a tree onto itself: proton clears first, leaving nothing to copy.
            with_data(data, (), Data::clear);
            return 0;
        }
        // SAFETY: both are live pn_data_t handles. They may be the same object, so copy
        // the source first rather than borrowing it twice.
        let source = unsafe { inner(src) }.map(|s| s.clone()).unwrap_or_default();
        let d = unsafe { inner(data) }.expect("checked non-NULL");
        let result = if replace {
            d.copy_from(&source)
        } else {
            d.append(&source, limit)
        };
        status(d, result)
    })
}

/// Make the current position the root that rewind returns to.
#[no_mangle]
pub extern "C" fn pn_data_narrow(data: *mut pn_data_t) {
    with_data(data, (), Data::narrow)
}

/// Undo `pn_data_narrow`.
#[no_mangle]
pub extern "C" fn pn_data_widen(data: *mut pn_data_t) {
    with_data(data, (), Data::widen)
}

/// An opaque handle for the current cursor position.
#[no_mangle]
pub extern "C" fn pn_data_point(data: *mut pn_data_t) -> pn_handle_t {
    with_data(data, std::ptr::null(), |d| d.point() as pn_handle_t)
}

/// Return to a position saved by `pn_data_point`; false if it is not valid.
#[no_mangle]
pub extern "C" fn pn_data_restore(data: *mut pn_data_t, point: pn_handle_t) -> bool {
    with_data(data, false, |d| d.restore(point as isize))
}

/// Put a bool after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_bool(data: *mut pn_data_t, b: bool) -> c_int {
    let v = b;
    put_scalar(data, || Scalar::Bool(v))
}

/// The current node's value if it is a bool, else false.
#[no_mangle]
pub extern "C" fn pn_data_get_bool(data: *mut pn_data_t) -> bool {
    get_atom(data, false, |_, atom| match *atom {
        Atom::Bool(v) => Some(v),
        _ => None,
    })
}

/// Put a ubyte after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_ubyte(data: *mut pn_data_t, ub: u8) -> c_int {
    let v = ub;
    put_scalar(data, || Scalar::Ubyte(v))
}

/// The current node's value if it is a ubyte, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_ubyte(data: *mut pn_data_t) -> u8 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Ubyte(v) => Some(v),
        _ => None,
    })
}

/// Put a byte after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_byte(data: *mut pn_data_t, b: i8) -> c_int {
    let v = b;
    put_scalar(data, || Scalar::Byte(v))
}

/// The current node's value if it is a byte, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_byte(data: *mut pn_data_t) -> i8 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Byte(v) => Some(v),
        _ => None,
    })
}

/// Put a ushort after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_ushort(data: *mut pn_data_t, us: u16) -> c_int {
    let v = us;
    put_scalar(data, || Scalar::Ushort(v))
}

/// The current node's value if it is a ushort, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_ushort(data: *mut pn_data_t) -> u16 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Ushort(v) => Some(v),
        _ => None,
    })
}

/// Put a short after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_short(data: *mut pn_data_t, s: i16) -> c_int {
    let v = s;
    put_scalar(data, || Scalar::Short(v))
}

/// The current node's value if it is a short, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_short(data: *mut pn_data_t) -> i16 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Short(v) => Some(v),
        _ => None,
    })
}

/// Put a uint after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_uint(data: *mut pn_data_t, ui: u32) -> c_int {
    let v = ui;
    put_scalar(data, || Scalar::Uint(v))
}

/// The current node's value if it is a uint, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_uint(data: *mut pn_data_t) -> u32 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Uint(v) => Some(v),
        _ => None,
    })
}

/// Put a int after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_int(data: *mut pn_data_t, i: i32) -> c_int {
    let v = i;
    put_scalar(data, || Scalar::Int(v))
}

/// The current node's value if it is a int, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_int(data: *mut pn_data_t) -> i32 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Int(v) => Some(v),
        _ => None,
    })
}

/// Put a char after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_char(data: *mut pn_data_t, c: pn_char_t) -> c_int {
    let v = c;
    put_scalar(data, || Scalar::Char(v))
}

/// The current node's value if it is a char, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_char(data: *mut pn_data_t) -> pn_char_t {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Char(v) => Some(v),
        _ => None,
    })
}

/// Put a ulong after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_ulong(data: *mut pn_data_t, ul: u64) -> c_int {
    let v = ul;
    put_scalar(data, || Scalar::Ulong(v))
}

/// The current node's value if it is a ulong, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_ulong(data: *mut pn_data_t) -> u64 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Ulong(v) => Some(v),
        _ => None,
    })
}

/// Put a long after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_long(data: *mut pn_data_t, l: i64) -> c_int {
    let v = l;
    put_scalar(data, || Scalar::Long(v))
}

/// The current node's value if it is a long, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_long(data: *mut pn_data_t) -> i64 {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Long(v) => Some(v),
        _ => None,
    })
}

/// Put a timestamp after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_timestamp(data: *mut pn_data_t, t: pn_timestamp_t) -> c_int {
    let v = t;
    put_scalar(data, || Scalar::Timestamp(v))
}

/// The current node's value if it is a timestamp, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_timestamp(data: *mut pn_data_t) -> pn_timestamp_t {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Timestamp(v) => Some(v),
        _ => None,
    })
}

/// Put a float after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_float(data: *mut pn_data_t, f: f32) -> c_int {
    let v = f;
    put_scalar(data, || Scalar::Float(v))
}

/// The current node's value if it is a float, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_float(data: *mut pn_data_t) -> f32 {
    get_atom(data, 0.0, |_, atom| match *atom {
        Atom::Float(v) => Some(v),
        _ => None,
    })
}

/// Put a double after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_double(data: *mut pn_data_t, d: f64) -> c_int {
    let v = d;
    put_scalar(data, || Scalar::Double(v))
}

/// The current node's value if it is a double, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_double(data: *mut pn_data_t) -> f64 {
    get_atom(data, 0.0, |_, atom| match *atom {
        Atom::Double(v) => Some(v),
        _ => None,
    })
}

/// Put a decimal32 after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_decimal32(data: *mut pn_data_t, d: pn_decimal32_t) -> c_int {
    let v = d;
    put_scalar(data, || Scalar::Decimal32(v))
}

/// The current node's value if it is a decimal32, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_decimal32(data: *mut pn_data_t) -> pn_decimal32_t {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Decimal32(v) => Some(v),
        _ => None,
    })
}

/// Put a decimal64 after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_decimal64(data: *mut pn_data_t, d: pn_decimal64_t) -> c_int {
    let v = d;
    put_scalar(data, || Scalar::Decimal64(v))
}

/// The current node's value if it is a decimal64, else 0.
#[no_mangle]
pub extern "C" fn pn_data_get_decimal64(data: *mut pn_data_t) -> pn_decimal64_t {
    get_atom(data, 0, |_, atom| match *atom {
        Atom::Decimal64(v) => Some(v),
        _ => None,
    })
}

/// Put a decimal128 after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_decimal128(data: *mut pn_data_t, d: pn_decimal128_t) -> c_int {
    let v = d;
    put_scalar(data, || Scalar::Decimal128(v.to_bytes()))
}

/// The current node's value if it is a decimal128, else all-zero.
#[no_mangle]
pub extern "C" fn pn_data_get_decimal128(data: *mut pn_data_t) -> pn_decimal128_t {
    get_atom(data, pn_decimal128_t::default(), |_, atom| match *atom {
        Atom::Decimal128(v) => Some(pn_decimal128_t::from_bytes(v)),
        _ => None,
    })
}

/// Put a uuid after the cursor. Returns 0, or PN_ARG_ERR / PN_OUT_OF_MEMORY.
#[no_mangle]
pub extern "C" fn pn_data_put_uuid(data: *mut pn_data_t, u: pn_uuid_t) -> c_int {
    let v = u;
    put_scalar(data, || Scalar::Uuid(v.to_bytes()))
}

/// The current node's value if it is a uuid, else all-zero.
#[no_mangle]
pub extern "C" fn pn_data_get_uuid(data: *mut pn_data_t) -> pn_uuid_t {
    get_atom(data, pn_uuid_t::default(), |_, atom| match *atom {
        Atom::Uuid(v) => Some(pn_uuid_t::from_bytes(v)),
        _ => None,
    })
}

/// Put a binary after the cursor; the bytes are copied into the data object.
#[no_mangle]
pub extern "C" fn pn_data_put_binary(data: *mut pn_data_t, bytes: pn_bytes_t) -> c_int {
    // SAFETY: a pn_bytes_t from C points to `size` readable bytes (or is NULL).
    let Some(b) = (unsafe { byte_slice(bytes.start, bytes.size) }) else {
        return PN_ARG_ERR;
    };
    put_scalar(data, || Scalar::Binary(b))
}

/// The current node's bytes if it is a binary, else `{0, NULL}`. They live in the data
/// object until it is next modified.
#[no_mangle]
pub extern "C" fn pn_data_get_binary(data: *mut pn_data_t) -> pn_bytes_t {
    get_atom(data, pn_bytes_t::NULL, |d, atom| match *atom {
        Atom::Binary(s) => Some(pn_bytes_t::from_slice(d.span_bytes(s))),
        _ => None,
    })
}

/// Put a string after the cursor; the bytes are copied into the data object.
#[no_mangle]
pub extern "C" fn pn_data_put_string(data: *mut pn_data_t, bytes: pn_bytes_t) -> c_int {
    // SAFETY: a pn_bytes_t from C points to `size` readable bytes (or is NULL).
    let Some(b) = (unsafe { byte_slice(bytes.start, bytes.size) }) else {
        return PN_ARG_ERR;
    };
    put_scalar(data, || Scalar::String(b))
}

/// The current node's bytes if it is a string, else `{0, NULL}`. They live in the data
/// object until it is next modified.
#[no_mangle]
pub extern "C" fn pn_data_get_string(data: *mut pn_data_t) -> pn_bytes_t {
    get_atom(data, pn_bytes_t::NULL, |d, atom| match *atom {
        Atom::String(s) => Some(pn_bytes_t::from_slice(d.span_bytes(s))),
        _ => None,
    })
}

/// Put a symbol after the cursor; the bytes are copied into the data object.
#[no_mangle]
pub extern "C" fn pn_data_put_symbol(data: *mut pn_data_t, bytes: pn_bytes_t) -> c_int {
    // SAFETY: a pn_bytes_t from C points to `size` readable bytes (or is NULL).
    let Some(b) = (unsafe { byte_slice(bytes.start, bytes.size) }) else {
        return PN_ARG_ERR;
    };
    put_scalar(data, || Scalar::Symbol(b))
}

/// The current node's bytes if it is a symbol, else `{0, NULL}`. They live in the data
/// object until it is next modified.
#[no_mangle]
pub extern "C" fn pn_data_get_symbol(data: *mut pn_data_t) -> pn_bytes_t {
    get_atom(data, pn_bytes_t::NULL, |d, atom| match *atom {
        Atom::Symbol(s) => Some(pn_bytes_t::from_slice(d.span_bytes(s))),
        _ => None,
    })
}
