//! selectable.h: `pn_selectable_t`, the I/O handles of a passive messenger
//! (`pn_messenger_selectable`), and plain selectables made with `pn_selectable()`.
//!
//! Contract: a `pn_selectable_t *` points to a [`SelectableHandle`]. A messenger's handle
//! names a selectable of [`crate::messenger::Messenger`] by a generation-checked key and is
//! owned by the messenger: the same selectable always comes back as the same pointer, which
//! stays valid until the application releases it (`pn_selectable_release` or
//! `pn_selectable_free` once `pn_selectable_is_terminal`) or frees the messenger. Its
//! readable/writable/expired/error calls run the messenger's own handlers (read, write,
//! timers, close); callbacks installed with `pn_selectable_on_*` are ignored on it.
//! Releasing a messenger selectable that is not terminal does nothing (0.37 frees it and
//! leaves the messenger with a dangling entry).
//!
//! A handle made by `pn_selectable()` belongs to the application: it holds the fields and
//! runs the installed callbacks; `pn_selectable_free` runs the finalize callback and frees
//! it. `pn_selectable_collect` is accepted and ignored (no collector API is exported).

use super::guard;
use super::messenger::{state, MessengerHandle};
use super::types::pn_timestamp_t;
use crate::messenger::selectable::{SelId, Selectable};
use libc::c_int;
use std::collections::HashMap;

/// A socket descriptor.
pub type pn_socket_t = c_int;

/// The socket value that stands for "no socket".
pub const PN_INVALID_SOCKET: pn_socket_t = -1;

/// An I/O handle to poll. Opaque to C.
pub struct pn_selectable_t {
    _private: [u8; 0],
}

/// A record of application attachments (object.h). Opaque to C; this library exports no
/// record functions, so a record is only an identity.
pub struct pn_record_t {
    _private: [u8; 0],
}

/// An event collector (collector.h; declared in types.h). Opaque to C.
pub struct pn_collector_t {
    _private: [u8; 0],
}

/// A selectable callback.
type Callback = Option<extern "C" fn(*mut pn_selectable_t)>;

/// The state of a selectable made by `pn_selectable()`.
#[derive(Default)]
struct Own {
    fd: pn_socket_t,
    reading: bool,
    writing: bool,
    deadline: pn_timestamp_t,
    registered: bool,
    terminal: bool,
    readable: Callback,
    writable: Callback,
    expired: Callback,
    error: Callback,
    release: Callback,
    finalize: Callback,
}

/// What a `pn_selectable_t *` points to.
pub(crate) struct SelectableHandle {
    /// The messenger that owns it; NULL for one made by `pn_selectable()`.
    messenger: *mut MessengerHandle,
    /// The messenger's selectable (unused when `messenger` is NULL).
    id: Option<SelId>,
    own: Own,
    /// `pn_selectable_attachments` points here.
    attachments: u8,
}

/// A messenger's selectable handles by selectable, made on first use; freed when the
/// application releases them or with the messenger.
#[derive(Default)]
pub(crate) struct Handles(HashMap<SelId, *mut SelectableHandle>);

impl Handles {
    /// The handle for selectable `id` of messenger `me`.
    pub(crate) fn get(&mut self, me: *mut MessengerHandle, id: SelId) -> *mut pn_selectable_t {
        *self.0.entry(id).or_insert_with(|| {
            Box::into_raw(Box::new(SelectableHandle {
                messenger: me,
                id: Some(id),
                own: Own::default(),
                attachments: 0,
            }))
        }) as *mut pn_selectable_t
    }
}

impl Drop for Handles {
    fn drop(&mut self) {
        for (_, h) in self.0.drain() {
            // SAFETY: every handle in the map came from Box::into_raw in `get` and is owned
            // by the map alone.
            drop(unsafe { Box::from_raw(h) });
        }
    }
}

/// The handle behind `sel`; `None` for NULL.
///
/// # Safety
/// `sel` must be NULL or a live selectable handed out by this library.
unsafe fn handle<'a>(sel: *mut pn_selectable_t) -> Option<&'a mut SelectableHandle> {
    // SAFETY: per the contract.
    unsafe { (sel as *mut SelectableHandle).as_mut() }
}

/// A view of a selectable's fields, wherever they live.
enum View<'a> {
    Own(&'a mut Own),
    /// A messenger's selectable that still exists.
    Messenger(&'a mut Selectable),
    /// A messenger's selectable that has gone (or the messenger is busy in another call).
    Gone,
}

/// Run `f` on the fields of `sel`; `default` for NULL or a panic.
fn with_fields<R: Copy>(sel: *mut pn_selectable_t, default: R, f: impl FnOnce(View) -> R) -> R {
    guard!(default, {
        // SAFETY: `sel` is NULL or a live handle from this library.
        let Some(h) = (unsafe { handle(sel) }) else {
            return default;
        };
        let Some(id) = h.id else {
            return f(View::Own(&mut h.own));
        };
        // SAFETY: a messenger handle's owner is live while the handle is.
        let Some(mut st) = (unsafe { state(h.messenger) }) else {
            return f(View::Gone);
        };
        match st.messenger.sel_mut(id) {
            Some(s) => f(View::Messenger(s)),
            None => f(View::Gone),
        }
    })
}

/// What a readiness call on a messenger selectable does.
#[derive(Clone, Copy)]
enum Ready {
    Readable,
    Writable,
    Expired,
    Error,
}

/// Run a readiness call: the messenger's handler, or the installed callback.
fn ready(sel: *mut pn_selectable_t, what: Ready) {
    guard!((), {
        // SAFETY: `sel` is NULL or a live handle from this library.
        let Some(h) = (unsafe { handle(sel) }) else {
            return;
        };
        let Some(id) = h.id else {
            let callback = match what {
                Ready::Readable => h.own.readable,
                Ready::Writable => h.own.writable,
                Ready::Expired => h.own.expired,
                Ready::Error => h.own.error,
            };
            // The callback may free `sel`: nothing of it is used afterwards.
            if let Some(cb) = callback {
                cb(sel);
            }
            return;
        };
        // SAFETY: a messenger handle's owner is live while the handle is.
        let Some(mut st) = (unsafe { state(h.messenger) }) else {
            return;
        };
        let m = &mut st.messenger;
        match what {
            Ready::Readable => m.sel_readable(id),
            Ready::Writable => m.sel_writable(id),
            Ready::Expired => m.sel_expired(id),
            Ready::Error => m.sel_error(id),
        }
    })
}

/// A new selectable owned by the caller: no fd (PN_INVALID_SOCKET), no interest, no
/// deadline, no callbacks. Free it with pn_selectable_free.
#[no_mangle]
pub extern "C" fn pn_selectable() -> *mut pn_selectable_t {
    guard!(std::ptr::null_mut(), {
        Box::into_raw(Box::new(SelectableHandle {
            messenger: std::ptr::null_mut(),
            id: None,
            own: Own {
                fd: PN_INVALID_SOCKET,
                ..Own::default()
            },
            attachments: 0,
        })) as *mut pn_selectable_t
    })
}

/// Install the callback of a selectable made by pn_selectable(); ignored on a messenger's.
fn set_callback(
    sel: *mut pn_selectable_t,
    pick: impl FnOnce(&mut Own) -> &mut Callback,
    cb: Callback,
) {
    with_fields(sel, (), |v| {
        if let View::Own(own) = v {
            *pick(own) = cb;
        }
    })
}

/// Install the function pn_selectable_readable runs (pn_selectable() selectables only).
#[no_mangle]
pub extern "C" fn pn_selectable_on_readable(
    sel: *mut pn_selectable_t,
    readable: Option<extern "C" fn(*mut pn_selectable_t)>,
) {
    set_callback(sel, |o| &mut o.readable, readable)
}

/// Install the function pn_selectable_writable runs (pn_selectable() selectables only).
#[no_mangle]
pub extern "C" fn pn_selectable_on_writable(
    sel: *mut pn_selectable_t,
    writable: Option<extern "C" fn(*mut pn_selectable_t)>,
) {
    set_callback(sel, |o| &mut o.writable, writable)
}

/// Install the function pn_selectable_expired runs (pn_selectable() selectables only).
#[no_mangle]
pub extern "C" fn pn_selectable_on_expired(
    sel: *mut pn_selectable_t,
    expired: Option<extern "C" fn(*mut pn_selectable_t)>,
) {
    set_callback(sel, |o| &mut o.expired, expired)
}

/// Install the function pn_selectable_error runs (pn_selectable() selectables only).
#[no_mangle]
pub extern "C" fn pn_selectable_on_error(
    sel: *mut pn_selectable_t,
    error: Option<extern "C" fn(*mut pn_selectable_t)>,
) {
    set_callback(sel, |o| &mut o.error, error)
}

/// Install the function pn_selectable_release runs (pn_selectable() selectables only).
#[no_mangle]
pub extern "C" fn pn_selectable_on_release(
    sel: *mut pn_selectable_t,
    release: Option<extern "C" fn(*mut pn_selectable_t)>,
) {
    set_callback(sel, |o| &mut o.release, release)
}

/// Install the function pn_selectable_free runs before freeing (pn_selectable()
/// selectables only).
#[no_mangle]
pub extern "C" fn pn_selectable_on_finalize(
    sel: *mut pn_selectable_t,
    finalize: Option<extern "C" fn(*mut pn_selectable_t)>,
) {
    set_callback(sel, |o| &mut o.finalize, finalize)
}

/// The selectable's attachment record (stable for its lifetime); NULL for NULL.
#[no_mangle]
pub extern "C" fn pn_selectable_attachments(sel: *mut pn_selectable_t) -> *mut pn_record_t {
    guard!(std::ptr::null_mut(), {
        // SAFETY: `sel` is NULL or a live handle from this library.
        match unsafe { handle(sel) } {
            Some(h) => &mut h.attachments as *mut u8 as *mut pn_record_t,
            None => std::ptr::null_mut(),
        }
    })
}

/// The fd to poll; PN_INVALID_SOCKET if none (or NULL, or a released messenger socket).
#[no_mangle]
pub extern "C" fn pn_selectable_get_fd(selectable: *mut pn_selectable_t) -> pn_socket_t {
    with_fields(selectable, PN_INVALID_SOCKET, |v| match v {
        View::Own(o) => o.fd,
        View::Messenger(s) => s.fd,
        View::Gone => PN_INVALID_SOCKET,
    })
}

/// Replace the fd.
#[no_mangle]
pub extern "C" fn pn_selectable_set_fd(selectable: *mut pn_selectable_t, fd: pn_socket_t) {
    with_fields(selectable, (), |v| match v {
        View::Own(o) => o.fd = fd,
        View::Messenger(s) => s.fd = fd,
        View::Gone => {}
    })
}

/// Whether the selectable wants to know when its fd is readable.
#[no_mangle]
pub extern "C" fn pn_selectable_is_reading(selectable: *mut pn_selectable_t) -> bool {
    with_fields(selectable, false, |v| match v {
        View::Own(o) => o.reading,
        View::Messenger(s) => s.reading,
        View::Gone => false,
    })
}

/// Set read interest (a messenger recomputes its own on its next update).
#[no_mangle]
pub extern "C" fn pn_selectable_set_reading(sel: *mut pn_selectable_t, reading: bool) {
    with_fields(sel, (), |v| match v {
        View::Own(o) => o.reading = reading,
        View::Messenger(s) => s.reading = reading,
        View::Gone => {}
    })
}

/// Whether the selectable wants to know when its fd is writable.
#[no_mangle]
pub extern "C" fn pn_selectable_is_writing(selectable: *mut pn_selectable_t) -> bool {
    with_fields(selectable, false, |v| match v {
        View::Own(o) => o.writing,
        View::Messenger(s) => s.writing,
        View::Gone => false,
    })
}

/// Set write interest (a messenger recomputes its own on its next update).
#[no_mangle]
pub extern "C" fn pn_selectable_set_writing(sel: *mut pn_selectable_t, writing: bool) {
    with_fields(sel, (), |v| match v {
        View::Own(o) => o.writing = writing,
        View::Messenger(s) => s.writing = writing,
        View::Gone => {}
    })
}

/// Wall-clock time (ms since the epoch) at which pn_selectable_expired is due; 0 for none.
#[no_mangle]
pub extern "C" fn pn_selectable_get_deadline(selectable: *mut pn_selectable_t) -> pn_timestamp_t {
    with_fields(selectable, 0, |v| match v {
        View::Own(o) => o.deadline,
        View::Messenger(s) => s.deadline,
        View::Gone => 0,
    })
}

/// Set the deadline (wall-clock ms, 0 for none).
#[no_mangle]
pub extern "C" fn pn_selectable_set_deadline(sel: *mut pn_selectable_t, deadline: pn_timestamp_t) {
    with_fields(sel, (), |v| match v {
        View::Own(o) => o.deadline = deadline,
        View::Messenger(s) => s.deadline = deadline,
        View::Gone => {}
    })
}

/// The fd is readable: a messenger reads and processes what arrived (a listener accepts,
/// the interrupt pipe records the interrupt); else the readable callback runs.
#[no_mangle]
pub extern "C" fn pn_selectable_readable(selectable: *mut pn_selectable_t) {
    ready(selectable, Ready::Readable)
}

/// The fd is writable: a messenger writes what its connection has to send; else the
/// writable callback runs.
#[no_mangle]
pub extern "C" fn pn_selectable_writable(selectable: *mut pn_selectable_t) {
    ready(selectable, Ready::Writable)
}

/// The fd failed: a messenger ends both directions of the connection (it turns terminal);
/// else the error callback runs.
#[no_mangle]
pub extern "C" fn pn_selectable_error(selectable: *mut pn_selectable_t) {
    ready(selectable, Ready::Error)
}

/// The deadline passed: a messenger runs its timers (credit rebalancing, heartbeats);
/// else the expired callback runs.
#[no_mangle]
pub extern "C" fn pn_selectable_expired(selectable: *mut pn_selectable_t) {
    ready(selectable, Ready::Expired)
}

/// The application's "registered" flag. A messenger queues a registered selectable again
/// (for pn_messenger_selectable) whenever its state may have changed.
#[no_mangle]
pub extern "C" fn pn_selectable_is_registered(selectable: *mut pn_selectable_t) -> bool {
    with_fields(selectable, false, |v| match v {
        View::Own(o) => o.registered,
        View::Messenger(s) => s.registered,
        View::Gone => false,
    })
}

/// Set the "registered" flag.
#[no_mangle]
pub extern "C" fn pn_selectable_set_registered(selectable: *mut pn_selectable_t, registered: bool) {
    with_fields(selectable, (), |v| match v {
        View::Own(o) => o.registered = registered,
        View::Messenger(s) => s.registered = registered,
        View::Gone => {}
    })
}

/// Whether the selectable is finished: stop polling it and release it. False for NULL;
/// true for a messenger selectable whose connection is already gone.
#[no_mangle]
pub extern "C" fn pn_selectable_is_terminal(selectable: *mut pn_selectable_t) -> bool {
    with_fields(selectable, false, |v| match v {
        View::Own(o) => o.terminal,
        View::Messenger(s) => s.terminal,
        View::Gone => true,
    })
}

/// Mark the selectable terminal.
#[no_mangle]
pub extern "C" fn pn_selectable_terminate(selectable: *mut pn_selectable_t) {
    with_fields(selectable, (), |v| match v {
        View::Own(o) => o.terminal = true,
        View::Messenger(s) => s.terminal = true,
        View::Gone => {}
    })
}

/// Give a terminal messenger selectable back: its socket is closed, its connection or
/// listener forgotten, and the pointer freed. Returns whether the handle was freed.
fn release_messenger_selectable(sel: *mut pn_selectable_t) -> bool {
    // SAFETY: `sel` is a live messenger handle (checked by the callers).
    let (me, id) = match unsafe { handle(sel) } {
        Some(SelectableHandle {
            messenger,
            id: Some(id),
            ..
        }) => (*messenger, *id),
        _ => return false,
    };
    // SAFETY: a messenger handle's owner is live while the handle is.
    let Some(mut st) = (unsafe { state(me) }) else {
        return false;
    };
    if !st.messenger.sel_release(id) {
        return false;
    }
    if let Some(h) = st.selectables.0.remove(&id) {
        // SAFETY: the map owned this handle, which came from Box::into_raw in `get`.
        drop(unsafe { Box::from_raw(h) });
    }
    true
}

/// Give the selectable back. A messenger's (once terminal) is freed with its socket; for a
/// pn_selectable() one the release callback runs.
#[no_mangle]
pub extern "C" fn pn_selectable_release(selectable: *mut pn_selectable_t) {
    guard!((), {
        // SAFETY: `selectable` is NULL or a live handle from this library.
        let Some(h) = (unsafe { handle(selectable) }) else {
            return;
        };
        if h.id.is_some() {
            release_messenger_selectable(selectable);
        } else if let Some(cb) = h.own.release {
            cb(selectable);
        }
    })
}

/// Free the selectable: a messenger's is released (once terminal); a pn_selectable() one
/// runs its finalize callback and is freed.
#[no_mangle]
pub extern "C" fn pn_selectable_free(selectable: *mut pn_selectable_t) {
    guard!((), {
        // SAFETY: `selectable` is NULL or a live handle from this library.
        let Some(h) = (unsafe { handle(selectable) }) else {
            return;
        };
        if h.id.is_some() {
            release_messenger_selectable(selectable);
            return;
        }
        if let Some(cb) = h.own.finalize {
            cb(selectable);
        }
        // SAFETY: a pn_selectable() handle came from Box::into_raw and the caller gives it up.
        drop(unsafe { Box::from_raw(selectable as *mut SelectableHandle) });
    })
}

/// Accepted and ignored: this library exports no collector, so readiness calls always run
/// the handlers or callbacks.
#[no_mangle]
pub extern "C" fn pn_selectable_collect(
    selectable: *mut pn_selectable_t,
    collector: *mut pn_collector_t,
) {
    let _ = (selectable, collector);
}

#[cfg(test)]
#[allow(deprecated)]
mod tests {
    use super::*;
    use crate::ffi::messenger::*;
    use std::ffi::CString;

    #[test]
    fn null_selectables_give_empty_results() {
        let s = std::ptr::null_mut();
        assert!(pn_selectable_attachments(s).is_null());
        assert_eq!(pn_selectable_get_fd(s), PN_INVALID_SOCKET);
        assert!(!pn_selectable_is_reading(s));
        assert!(!pn_selectable_is_writing(s));
        assert_eq!(pn_selectable_get_deadline(s), 0);
        assert!(!pn_selectable_is_registered(s));
        assert!(!pn_selectable_is_terminal(s));
        pn_selectable_set_fd(s, 3);
        pn_selectable_set_reading(s, true);
        pn_selectable_set_writing(s, true);
        pn_selectable_set_deadline(s, 1);
        pn_selectable_set_registered(s, true);
        pn_selectable_on_readable(s, None);
        pn_selectable_readable(s);
        pn_selectable_writable(s);
        pn_selectable_expired(s);
        pn_selectable_error(s);
        pn_selectable_terminate(s);
        pn_selectable_release(s);
        pn_selectable_free(s);
        pn_selectable_collect(s, std::ptr::null_mut());
    }

    static FINALIZED: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

    extern "C" fn free_itself(s: *mut pn_selectable_t) {
        pn_selectable_free(s);
    }

    extern "C" fn count_finalize(_: *mut pn_selectable_t) {
        FINALIZED.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    #[test]
    fn a_callback_may_free_its_own_selectable() {
        let s = pn_selectable();
        pn_selectable_on_readable(s, Some(free_itself));
        pn_selectable_on_finalize(s, Some(count_finalize));
        pn_selectable_readable(s);
        assert_eq!(FINALIZED.load(std::sync::atomic::Ordering::SeqCst), 1);
    }

    #[test]
    fn a_messenger_selectable_is_released_only_when_terminal() {
        let m = pn_messenger(std::ptr::null());
        pn_messenger_set_passive(m, true);
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let address = CString::new(format!("amqp://~127.0.0.1:{port}")).unwrap();
        assert!(!pn_messenger_subscribe(m, address.as_ptr()).is_null());
        let listener = pn_messenger_selectable(m);
        let pipe = pn_messenger_selectable(m);
        assert!(pn_messenger_selectable(m).is_null());
        assert!(pn_selectable_is_reading(listener) && pn_selectable_is_reading(pipe));
        // Callbacks installed on a messenger's selectable are ignored.
        pn_selectable_on_readable(listener, Some(free_itself));
        pn_selectable_release(listener); // not terminal: nothing happens
        pn_selectable_free(pipe);
        assert!(pn_selectable_get_fd(listener) >= 0 && pn_selectable_get_fd(pipe) >= 0);
        pn_selectable_set_registered(listener, true);
        assert_eq!(pn_messenger_stop(m), crate::ffi::error::PN_INPROGRESS);
        assert!(!pn_messenger_stopped(m));
        assert_eq!(pn_messenger_selectable(m), listener);
        assert!(pn_selectable_is_terminal(listener));
        pn_selectable_release(listener);
        assert!(pn_messenger_stopped(m));
        assert_eq!(pn_messenger_stop(m), 0);
        pn_messenger_free(m);
    }
}
