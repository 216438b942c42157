//! message.h: `pn_message_t`, an AMQP message with its sections.
//!
//! Text fields are set through `Message::set_text`, which reuses their storage;
//! `pn_message_encode` encodes in place into the caller's buffer (on `PN_OVERFLOW` the
//! buffer holds a prefix of the encoding, as with proton).

use super::codec::{pn_atom_t, pn_data_t, pn_msgid_t};
use super::error::{pn_error_t, PN_ARG_ERR, PN_ERR, PN_OUT_OF_MEMORY, PN_OVERFLOW};
use super::types::*;
use super::{byte_slice, c_str, free_handle, guard, handle, inner, into_handle, Opaque};
use crate::message::{IdField, Message, TextField};
use libc::{c_char, c_int, c_void, size_t, ssize_t};

/// An AMQP message. Opaque to C.
pub struct pn_message_t {
    _private: [u8; 0],
}

impl Opaque for pn_message_t {
    type Inner = Message;
}

/// A link (link.h); messages can be sent on one with `pn_message_send`.
pub struct pn_link_t {
    _private: [u8; 0],
}

/// `PN_DEFAULT_PRIORITY`: the priority a message has unless set.
pub const PN_DEFAULT_PRIORITY: u8 = 4;

/// Run `f` on the message behind `msg`; `default` for NULL or a panic.
#[inline(always)]
fn with_msg<R: Copy>(msg: *mut pn_message_t, default: R, f: impl FnOnce(&mut Message) -> R) -> R {
    guard!(default, {
        // SAFETY: `msg` is NULL or a live pn_message_t handed out by this library.
        match unsafe { inner(msg) } {
            Some(m) => f(m),
            None => default,
        }
    })
}

/// Store a copy of a C string (NULL clears) into a message field. Returns 0.
fn set_text(msg: *mut pn_message_t, text: *const c_char, field: TextField) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        // SAFETY: `text` is NULL or NUL-terminated.
        m.set_text(field, unsafe { c_str(text) });
        0
    })
}

/// A message's text field for C (owned by the message), or NULL.
fn get_text(msg: *mut pn_message_t, field: TextField) -> *const c_char {
    with_msg(msg, std::ptr::null(), |m| {
        m.text(field).map_or(std::ptr::null(), |s| s.as_ptr())
    })
}

/// An id as an atom: its scalar, or just the type of a compound value in a data view.
fn id_atom(m: &Message, which: IdField) -> pn_atom_t {
    match (m.get_id(which), m.id_type(which)) {
        (Some(s), _) => pn_atom_t::from_scalar(&s),
        (None, Some(t)) => pn_atom_t {
            type_: t.code(),
            ..pn_atom_t::null()
        },
        (None, None) => pn_atom_t::null(),
    }
}

/// Allocate an empty message. The caller owns it (pn_message_free).
#[no_mangle]
pub extern "C" fn pn_message() -> *mut pn_message_t {
    guard!(std::ptr::null_mut(), {
        into_handle::<pn_message_t>(Message::new())
    })
}

/// Free a message and everything it owns; NULL is ignored.
#[no_mangle]
pub extern "C" fn pn_message_free(msg: *mut pn_message_t) {
    // SAFETY: `msg` is NULL or came from `pn_message` and is not used again.
    guard!((), { unsafe { free_handle(msg) } })
}

/// Reset every field to its default and empty the sections (their pn_data_t stay valid).
#[no_mangle]
pub extern "C" fn pn_message_clear(msg: *mut pn_message_t) {
    with_msg(msg, (), Message::clear)
}

/// The code of the message's last error.
#[no_mangle]
pub extern "C" fn pn_message_errno(msg: *mut pn_message_t) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| m.error().code())
}

/// The message's error object, owned by the message.
#[no_mangle]
pub extern "C" fn pn_message_error(msg: *mut pn_message_t) -> *mut pn_error_t {
    with_msg(msg, std::ptr::null_mut(), |m| {
        handle::<pn_error_t>(m.error_mut())
    })
}

/// Whether binary and list bodies go out as Data and AmqpSequence sections.
#[no_mangle]
pub extern "C" fn pn_message_is_inferred(msg: *mut pn_message_t) -> bool {
    with_msg(msg, false, |m| m.inferred)
}

/// Set: whether binary and list bodies go out as Data and AmqpSequence sections. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_inferred(msg: *mut pn_message_t, value: bool) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.inferred = value;
        0
    })
}

/// The header durable flag.
#[no_mangle]
pub extern "C" fn pn_message_is_durable(msg: *mut pn_message_t) -> bool {
    with_msg(msg, false, |m| m.durable)
}

/// Set: the header durable flag. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_durable(msg: *mut pn_message_t, value: bool) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.durable = value;
        0
    })
}

/// The header priority (4 by default).
#[no_mangle]
pub extern "C" fn pn_message_get_priority(msg: *mut pn_message_t) -> u8 {
    with_msg(msg, 0, |m| m.priority)
}

/// Set: the header priority (4 by default). Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_priority(msg: *mut pn_message_t, value: u8) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.priority = value;
        0
    })
}

/// The time to live in milliseconds (0 = none).
#[no_mangle]
pub extern "C" fn pn_message_get_ttl(msg: *mut pn_message_t) -> pn_millis_t {
    with_msg(msg, 0, |m| m.ttl)
}

/// Set: the time to live in milliseconds (0 = none). Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_ttl(msg: *mut pn_message_t, value: pn_millis_t) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.ttl = value;
        0
    })
}

/// The header first-acquirer flag.
#[no_mangle]
pub extern "C" fn pn_message_is_first_acquirer(msg: *mut pn_message_t) -> bool {
    with_msg(msg, false, |m| m.first_acquirer)
}

/// Set: the header first-acquirer flag. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_first_acquirer(msg: *mut pn_message_t, value: bool) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.first_acquirer = value;
        0
    })
}

/// The header delivery-count.
#[no_mangle]
pub extern "C" fn pn_message_get_delivery_count(msg: *mut pn_message_t) -> u32 {
    with_msg(msg, 0, |m| m.delivery_count)
}

/// Set: the header delivery-count. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_delivery_count(msg: *mut pn_message_t, value: u32) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.delivery_count = value;
        0
    })
}

/// The `to` address (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_address(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::Address)
}

/// Set a copy of: the `to` address; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_address(msg: *mut pn_message_t, value: *const c_char) -> c_int {
    set_text(msg, value, TextField::Address)
}

/// The subject (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_subject(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::Subject)
}

/// Set a copy of: the subject; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_subject(msg: *mut pn_message_t, value: *const c_char) -> c_int {
    set_text(msg, value, TextField::Subject)
}

/// The reply-to address (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_reply_to(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::ReplyTo)
}

/// Set a copy of: the reply-to address; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_reply_to(msg: *mut pn_message_t, value: *const c_char) -> c_int {
    set_text(msg, value, TextField::ReplyTo)
}

/// The content-type (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_content_type(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::ContentType)
}

/// Set a copy of: the content-type; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_content_type(
    msg: *mut pn_message_t,
    value: *const c_char,
) -> c_int {
    set_text(msg, value, TextField::ContentType)
}

/// The content-encoding (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_content_encoding(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::ContentEncoding)
}

/// Set a copy of: the content-encoding; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_content_encoding(
    msg: *mut pn_message_t,
    value: *const c_char,
) -> c_int {
    set_text(msg, value, TextField::ContentEncoding)
}

/// The absolute expiry time in ms since the epoch (0 = unset).
#[no_mangle]
pub extern "C" fn pn_message_get_expiry_time(msg: *mut pn_message_t) -> pn_timestamp_t {
    with_msg(msg, 0, |m| m.expiry_time)
}

/// Set: the absolute expiry time in ms since the epoch (0 = unset). Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_expiry_time(
    msg: *mut pn_message_t,
    value: pn_timestamp_t,
) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.expiry_time = value;
        0
    })
}

/// The creation time in ms since the epoch (0 = unset).
#[no_mangle]
pub extern "C" fn pn_message_get_creation_time(msg: *mut pn_message_t) -> pn_timestamp_t {
    with_msg(msg, 0, |m| m.creation_time)
}

/// Set: the creation time in ms since the epoch (0 = unset). Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_creation_time(
    msg: *mut pn_message_t,
    value: pn_timestamp_t,
) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.creation_time = value;
        0
    })
}

/// The group-id (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_group_id(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::GroupId)
}

/// Set a copy of: the group-id; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_group_id(msg: *mut pn_message_t, value: *const c_char) -> c_int {
    set_text(msg, value, TextField::GroupId)
}

/// The group-sequence.
#[no_mangle]
pub extern "C" fn pn_message_get_group_sequence(msg: *mut pn_message_t) -> pn_sequence_t {
    with_msg(msg, 0, |m| m.group_sequence)
}

/// Set: the group-sequence. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_group_sequence(
    msg: *mut pn_message_t,
    value: pn_sequence_t,
) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        m.group_sequence = value;
        0
    })
}

/// The reply-to-group-id (owned by the message), or NULL.
#[no_mangle]
pub extern "C" fn pn_message_get_reply_to_group_id(msg: *mut pn_message_t) -> *const c_char {
    get_text(msg, TextField::ReplyToGroupId)
}

/// Set a copy of: the reply-to-group-id; NULL clears it. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_reply_to_group_id(
    msg: *mut pn_message_t,
    value: *const c_char,
) -> c_int {
    set_text(msg, value, TextField::ReplyToGroupId)
}

/// The legacy data view of the message-id (owned by the message). Once it has been asked
/// for, the id keeps any scalar type put into it.
#[no_mangle]
pub extern "C" fn pn_message_id(msg: *mut pn_message_t) -> *mut pn_data_t {
    with_msg(msg, std::ptr::null_mut(), |m| {
        handle::<pn_data_t>(m.id_view(IdField::MessageId))
    })
}

/// The message-id as an atom (type PN_NULL when unset); bytes point into the message.
#[no_mangle]
pub extern "C" fn pn_message_get_id(msg: *mut pn_message_t) -> pn_msgid_t {
    with_msg(msg, pn_atom_t::null(), |m| id_atom(m, IdField::MessageId))
}

/// Set the message-id from an atom (bytes are copied). Without a data view only null,
/// ulong, uuid, binary and string ids are kept; others become null. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_id(msg: *mut pn_message_t, id: pn_msgid_t) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        // SAFETY: a byte atom from C points to `size` readable bytes.
        match unsafe { id.to_scalar() } {
            Some(value) => m
                .set_id(IdField::MessageId, value)
                .map_or_else(|e| e.code, |()| 0),
            None => PN_ARG_ERR,
        }
    })
}

/// The legacy data view of the correlation-id (owned by the message). Once it has been asked
/// for, the id keeps any scalar type put into it.
#[no_mangle]
pub extern "C" fn pn_message_correlation_id(msg: *mut pn_message_t) -> *mut pn_data_t {
    with_msg(msg, std::ptr::null_mut(), |m| {
        handle::<pn_data_t>(m.id_view(IdField::CorrelationId))
    })
}

/// The correlation-id as an atom (type PN_NULL when unset); bytes point into the message.
#[no_mangle]
pub extern "C" fn pn_message_get_correlation_id(msg: *mut pn_message_t) -> pn_msgid_t {
    with_msg(msg, pn_atom_t::null(), |m| {
        id_atom(m, IdField::CorrelationId)
    })
}

/// Set the correlation-id from an atom (bytes are copied). Without a data view only null,
/// ulong, uuid, binary and string ids are kept; others become null. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_correlation_id(msg: *mut pn_message_t, id: pn_msgid_t) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        // SAFETY: a byte atom from C points to `size` readable bytes.
        match unsafe { id.to_scalar() } {
            Some(value) => m
                .set_id(IdField::CorrelationId, value)
                .map_or_else(|e| e.code, |()| 0),
            None => PN_ARG_ERR,
        }
    })
}

/// The user-id bytes (`{0, NULL}` when unset), owned by the message.
#[no_mangle]
pub extern "C" fn pn_message_get_user_id(msg: *mut pn_message_t) -> pn_bytes_t {
    with_msg(msg, pn_bytes_t::NULL, |m| {
        m.user_id
            .as_deref()
            .map_or(pn_bytes_t::NULL, pn_bytes_t::from_slice)
    })
}

/// Set a copy of the user-id bytes. Returns 0.
#[no_mangle]
pub extern "C" fn pn_message_set_user_id(msg: *mut pn_message_t, user_id: pn_bytes_t) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        // SAFETY: a pn_bytes_t from C points to `size` readable bytes (or is NULL).
        let Some(bytes) = (unsafe { byte_slice(user_id.start, user_id.size) }) else {
            return PN_ARG_ERR;
        };
        m.set_user_id((!user_id.start.is_null()).then_some(bytes));
        0
    })
}

/// The tree holding the delivery annotations (a map), owned by the message.
#[no_mangle]
pub extern "C" fn pn_message_instructions(msg: *mut pn_message_t) -> *mut pn_data_t {
    with_msg(msg, std::ptr::null_mut(), |m| {
        handle::<pn_data_t>(m.instructions())
    })
}

/// The tree holding the message annotations (a map), owned by the message.
#[no_mangle]
pub extern "C" fn pn_message_annotations(msg: *mut pn_message_t) -> *mut pn_data_t {
    with_msg(msg, std::ptr::null_mut(), |m| {
        handle::<pn_data_t>(m.annotations())
    })
}

/// The tree holding the application properties (a map with string keys), owned by the message.
#[no_mangle]
pub extern "C" fn pn_message_properties(msg: *mut pn_message_t) -> *mut pn_data_t {
    with_msg(msg, std::ptr::null_mut(), |m| {
        handle::<pn_data_t>(m.properties())
    })
}

/// The tree holding the body: its first value is the body, owned by the message.
#[no_mangle]
pub extern "C" fn pn_message_body(msg: *mut pn_message_t) -> *mut pn_data_t {
    with_msg(msg, std::ptr::null_mut(), |m| handle::<pn_data_t>(m.body()))
}

/// Replace the message with the one encoded in `bytes`. Returns 0 or an error code,
/// with the text in the message's error.
#[no_mangle]
pub extern "C" fn pn_message_decode(
    msg: *mut pn_message_t,
    bytes: *const c_char,
    size: size_t,
) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        if bytes.is_null() {
            return PN_ARG_ERR;
        }
        // SAFETY: the caller gives `size` readable bytes at `bytes`.
        let Some(input) = (unsafe { byte_slice(bytes, size) }) else {
            return PN_ARG_ERR;
        };
        match m.decode(input) {
            Ok(()) => 0,
            Err(e) => {
                let text = format!(
                    "data error: {}",
                    e.text.as_deref().unwrap_or(crate::error::code_name(e.code))
                );
                m.error_mut().set(e.code, Some(&text))
            }
        }
    })
}

/// Encode into `bytes`; `*size` is the capacity in and the length out. PN_OVERFLOW (with
/// `*size` untouched) if it does not fit.
#[no_mangle]
pub extern "C" fn pn_message_encode(
    msg: *mut pn_message_t,
    bytes: *mut c_char,
    size: *mut size_t,
) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        if size.is_null() {
            return PN_ARG_ERR;
        }
        // SAFETY: `size` is non-NULL.
        let capacity = unsafe { *size };
        if bytes.is_null() {
            return PN_ARG_ERR;
        }
        // SAFETY: the caller gives `capacity` writable bytes at `bytes`.
        let buf = unsafe { std::slice::from_raw_parts_mut(bytes as *mut u8, capacity) };
        match m.encode_into(buf) {
            Ok(len) => {
                // SAFETY: `size` is non-NULL.
                unsafe { *size = len };
                0
            }
            Err(_) => PN_OVERFLOW,
        }
    })
}

/// Encode into a malloc'd buffer that grows as needed (256 bytes first, then doubling);
/// `buf` is updated and the caller frees `buf->start`. Returns the encoded length.
#[no_mangle]
pub extern "C" fn pn_message_encode2(msg: *mut pn_message_t, buf: *mut pn_rwbytes_t) -> ssize_t {
    with_msg(msg, PN_ARG_ERR as ssize_t, |m| {
        if buf.is_null() {
            return PN_ARG_ERR as ssize_t;
        }
        // SAFETY: `buf` is non-NULL; its start is NULL or a malloc'd block of `size` bytes.
        let buf = unsafe { &mut *buf };
        let needed = if buf.start.is_null() {
            None
        } else {
            // SAFETY: a non-NULL start has `size` writable bytes.
            let room = unsafe { std::slice::from_raw_parts_mut(buf.start as *mut u8, buf.size) };
            match m.encode_into(room) {
                Ok(len) => return len as ssize_t,
                Err(needed) => Some(needed),
            }
        };
        let needed = needed.unwrap_or_else(|| m.encoded_len());
        let mut capacity = if buf.start.is_null() {
            256
        } else {
            buf.size.max(1)
        };
        while capacity < needed {
            capacity *= 2;
        }
        if buf.start.is_null() || capacity != buf.size {
            // SAFETY: start is NULL or a malloc'd block, as realloc requires.
            let grown = unsafe { libc::realloc(buf.start as *mut c_void, capacity) } as *mut c_char;
            if grown.is_null() {
                return PN_OUT_OF_MEMORY as ssize_t;
            }
            buf.start = grown;
            buf.size = capacity;
        }
        // SAFETY: start now holds `size` >= needed writable bytes.
        let room = unsafe { std::slice::from_raw_parts_mut(buf.start as *mut u8, buf.size) };
        match m.encode_into(room) {
            Ok(len) => len as ssize_t,
            Err(_) => PN_ERR as ssize_t,
        }
    })
}

/// Encode and send the message on a sender link. This library does not expose links
/// yet, so this reports an error.
#[no_mangle]
pub extern "C" fn pn_message_send(
    msg: *mut pn_message_t,
    sender: *mut pn_link_t,
    buf: *mut pn_rwbytes_t,
) -> ssize_t {
    let _ = buf;
    with_msg(msg, PN_ARG_ERR as ssize_t, |m| {
        if sender.is_null() {
            return PN_ARG_ERR as ssize_t;
        }
        m.error_mut().set(
            PN_ERR,
            Some("pn_message_send: links are not supported by this library yet"),
        ) as ssize_t
    })
}

/// Write the message into `data` (cleared first) as a sequence of described sections.
#[no_mangle]
pub extern "C" fn pn_message_data(msg: *mut pn_message_t, data: *mut pn_data_t) -> c_int {
    with_msg(msg, PN_ARG_ERR, |m| {
        // SAFETY: `data` is NULL or a live pn_data_t.
        match unsafe { inner::<pn_data_t>(data) } {
            Some(d) => m.to_data(d).map_or_else(|e| e.code, |()| 0),
            None => PN_ARG_ERR,
        }
    })
}
