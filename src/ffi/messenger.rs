//! messenger.h: `pn_messenger_t`, proton's Messenger, over [`crate::messenger::Messenger`].
//!
//! Contract: a `pn_messenger_t *` points to a [`MessengerHandle`], which holds the
//! messenger's [`Interrupter`] beside everything else ([`State`]). Only
//! `pn_messenger_interrupt` may run on another thread: it reads the interrupter field
//! through the raw pointer and never forms a reference to the rest, so it cannot alias the
//! `&mut State` of a call blocking on the owning thread. Every other export borrows the
//! `State` field alone, through a guard: a call made while another call on the same
//! messenger runs (a tracer calling back in) finds it busy and gets the NULL-handle result.
//!
//! Objects the messenger hands out (subscriptions, links, deliveries and their termini and
//! conditions) are small boxes owned by the `State` and freed with the messenger, so their
//! pointers stay valid as long as the messenger. Links and deliveries are found again by
//! generation-checked keys: a handle whose engine object has gone reads as empty instead of
//! touching freed memory.
//!
//! Errors go into the messenger's `pn_error_t`, which is sticky: only `pn_error_clear`
//! resets it. `PN_TIMEOUT`, `PN_INTR`, `PN_INPROGRESS` and `PN_EOS` are returned but never
//! stored, as in proton 0.37 (a NULL messenger has no error to store into).
//!
//! Every function here is deprecated in proton 0.37 ("Use the Proactor API or Qpid Proton
//! C++"); the header marks them with `PN_DEPRECATED` unless `PN_USE_DEPRECATED_API` is
//! defined.

use super::delivery::{pn_delivery_t, DeliveryHandle};
use super::error::{pn_error_t, PN_ARG_ERR, PN_EOS, PN_ERR, PN_INPROGRESS, PN_INTR, PN_TIMEOUT};
use super::link::{pn_rcv_settle_mode_t, pn_snd_settle_mode_t, LinkHandle};
use super::message::{pn_link_t, pn_message_t};
use super::selectable::pn_selectable_t;
use super::ssl::pn_ssl_verify_mode_t;
use super::transport::{pn_tracer_t, pn_transport_t};
use super::types::{pn_millis_t, pn_seconds_t, pn_timestamp_t};
use super::{c_str, guard, handle, inner};
use crate::engine::performative::{DeliveryState, RcvSettleMode, SndSettleMode};
use crate::engine::slab::Key;
use crate::messenger::net::Interrupter;
use crate::messenger::store::Status;
use crate::messenger::{DeliveryRef, LinkRef, MResult, Messenger};
use libc::{c_char, c_int, c_void};
use std::cell::Cell;
use std::collections::HashMap;
use std::ffi::CString;

/// A messenger. Opaque to C.
pub struct pn_messenger_t {
    _private: [u8; 0],
}

/// A subscription: a source of messages (a listener or a receiving link), owned by its
/// messenger. Opaque to C.
pub struct pn_subscription_t {
    _private: [u8; 0],
}

/// Identifies a message put or got: outgoing trackers count 0, 1, 2, ...; incoming
/// trackers are `0x1000000000000000 | n` (bit 60 set).
pub type pn_tracker_t = i64;

/// The state of a tracked message (`pn_messenger_status`): one of `PN_STATUS_*`.
pub type pn_status_t = c_int;

/// The tracker is not (or no longer) tracked.
pub const PN_STATUS_UNKNOWN: pn_status_t = 0;
/// In flight, no outcome yet.
pub const PN_STATUS_PENDING: pn_status_t = 1;
/// The peer accepted the message.
pub const PN_STATUS_ACCEPTED: pn_status_t = 2;
/// The peer rejected the message.
pub const PN_STATUS_REJECTED: pn_status_t = 3;
/// The peer released the message.
pub const PN_STATUS_RELEASED: pn_status_t = 4;
/// The peer modified the message.
pub const PN_STATUS_MODIFIED: pn_status_t = 5;
/// Dropped before it was written (the connection went away).
pub const PN_STATUS_ABORTED: pn_status_t = 6;
/// The peer settled without an outcome.
pub const PN_STATUS_SETTLED: pn_status_t = 7;

/// Flag for accept, reject and settle: apply to every tracked message up to the tracker.
pub const PN_CUMULATIVE: c_int = 0x1;
/// Flag: `pn_messenger_start` connects to every route target with a literal address.
pub const PN_FLAGS_CHECK_ROUTES: c_int = 0x1;
/// Flag (on by default): SASL PLAIN may be used without TLS.
pub const PN_FLAGS_ALLOW_INSECURE_MECHS: c_int = 0x2;

/// What a `pn_messenger_t *` points to.
pub(crate) struct MessengerHandle {
    /// Read from any thread by `pn_messenger_interrupt`; never written after creation.
    interrupter: Interrupter,
    /// Set while a call borrows `state`, so that a call made from inside it (a tracer
    /// calling back into the messenger) finds the messenger busy instead of aliasing it.
    /// Used only by the thread that drives the messenger.
    busy: Cell<bool>,
    /// Used only by the thread that drives the messenger, through a [`StateGuard`].
    state: State,
}

/// A subscription handle (`pn_subscription_t`).
pub(crate) struct SubscriptionHandle {
    messenger: *mut MessengerHandle,
    /// The messenger's subscription index.
    index: usize,
    context: *mut c_void,
    /// The last address handed out by `pn_subscription_address`.
    address: Option<CString>,
}

/// Everything of a messenger but its interrupter.
pub(crate) struct State {
    pub(crate) messenger: Messenger,
    name: CString,
    certificate: Option<CString>,
    private_key: Option<CString>,
    password: Option<CString>,
    trusted_certificates: Option<CString>,
    /// Subscription handles by subscription index, made on first use.
    subscriptions: Vec<*mut SubscriptionHandle>,
    /// Link handles by (connection, link) key, made on first use.
    links: HashMap<(Key, Key), *mut LinkHandle>,
    /// Delivery handles by (connection, delivery) key, made on first use.
    deliveries: HashMap<(Key, Key), *mut DeliveryHandle>,
    /// Sizes at which the handle maps are next pruned of handles whose engine object is
    /// gone, so a program asking for a handle per message keeps memory bounded.
    prune_links_at: usize,
    prune_deliveries_at: usize,
    /// Selectable handles handed out by pn_messenger_selectable.
    pub(crate) selectables: super::selectable::Handles,
}

/// The smallest size at which a handle map is pruned.
const PRUNE_MIN: usize = 64;

/// Free the handles in `map` whose engine object `live` says is gone (proton frees those
/// objects too: a program may not use a delivery once it is settled and forgotten), and
/// return the size at which to prune next (amortised constant time per handle).
fn prune<T>(map: &mut HashMap<(Key, Key), *mut T>, live: impl Fn(Key, Key) -> bool) -> usize {
    map.retain(|&(conn, object), &mut handle| {
        let keep = live(conn, object);
        if !keep {
            // SAFETY: every handle in the map came from Box::into_raw in this module and is
            // owned by the map alone.
            drop(unsafe { Box::from_raw(handle) });
        }
        keep
    });
    (map.len() * 2).max(PRUNE_MIN)
}

impl Drop for State {
    fn drop(&mut self) {
        // SAFETY: every pointer below came from Box::into_raw in this module and is owned
        // by this state alone.
        unsafe {
            for s in self.subscriptions.drain(..) {
                drop(Box::from_raw(s));
            }
            for (_, l) in self.links.drain() {
                drop(Box::from_raw(l));
            }
            for (_, d) in self.deliveries.drain() {
                drop(Box::from_raw(d));
            }
        }
    }
}

impl State {
    /// Store a failure in the messenger error (unless it is a status proton only returns).
    fn record(&mut self, code: c_int, text: &str) -> c_int {
        if !matches!(code, PN_TIMEOUT | PN_INTR | PN_INPROGRESS | PN_EOS) {
            self.messenger.error_mut().set(code, Some(text));
        }
        code
    }

    fn check(&mut self, result: MResult<()>) -> c_int {
        match result {
            Ok(()) => 0,
            Err((code, text)) => self.record(code, &text),
        }
    }

    /// The handle for subscription `index`, made on first use.
    fn subscription(&mut self, me: *mut MessengerHandle, index: usize) -> *mut pn_subscription_t {
        while self.subscriptions.len() <= index {
            let index = self.subscriptions.len();
            self.subscriptions
                .push(Box::into_raw(Box::new(SubscriptionHandle {
                    messenger: me,
                    index,
                    context: std::ptr::null_mut(),
                    address: None,
                })));
        }
        self.subscriptions[index] as *mut pn_subscription_t
    }

    /// The handle for a link of one of the messenger's connections, made on first use.
    pub(crate) fn link(&mut self, me: *mut MessengerHandle, link: LinkRef) -> *mut pn_link_t {
        if self.links.len() >= self.prune_links_at {
            let m = &self.messenger;
            self.prune_links_at = prune(&mut self.links, |conn, l| {
                m.connection(conn).is_some_and(|c| c.link(l).is_some())
            });
        }
        *self
            .links
            .entry((link.conn, link.link))
            .or_insert_with(|| Box::into_raw(Box::new(LinkHandle::new(me, link))))
            as *mut pn_link_t
    }

    /// The handle for a delivery of one of the messenger's connections, made on first use.
    pub(crate) fn delivery(
        &mut self,
        me: *mut MessengerHandle,
        delivery: DeliveryRef,
    ) -> *mut pn_delivery_t {
        if self.deliveries.len() >= self.prune_deliveries_at {
            let m = &self.messenger;
            self.prune_deliveries_at = prune(&mut self.deliveries, |conn, d| {
                m.connection(conn).is_some_and(|c| c.delivery(d).is_some())
            });
        }
        *self
            .deliveries
            .entry((delivery.conn, delivery.delivery))
            .or_insert_with(|| Box::into_raw(Box::new(DeliveryHandle::new(me, delivery))))
            as *mut pn_delivery_t
    }
}

/// Exclusive use of a messenger's state, for as long as it lives.
pub(crate) struct StateGuard<'a> {
    busy: &'a Cell<bool>,
    state: &'a mut State,
}

impl std::ops::Deref for StateGuard<'_> {
    type Target = State;
    fn deref(&self) -> &State {
        self.state
    }
}

impl std::ops::DerefMut for StateGuard<'_> {
    fn deref_mut(&mut self) -> &mut State {
        self.state
    }
}

impl Drop for StateGuard<'_> {
    fn drop(&mut self) {
        self.busy.set(false);
    }
}

/// The state behind a messenger handle; `None` for NULL, or while another call on this
/// messenger is running (a re-entrant call from a callback).
///
/// # Safety
/// `me` must be NULL or a live handle from `pn_messenger`, used on the thread driving it.
pub(crate) unsafe fn state<'a>(me: *mut MessengerHandle) -> Option<StateGuard<'a>> {
    if me.is_null() {
        return None;
    }
    // SAFETY: per the contract `me` is live; `busy` is only used by this thread.
    let busy = unsafe { &(*me).busy };
    if busy.replace(true) {
        return None;
    }
    // SAFETY: no other borrow of the state exists (`busy` was clear). Only the `state`
    // field is borrowed, never the interrupter another thread may be reading.
    let state = unsafe { &mut (*me).state };
    Some(StateGuard { busy, state })
}

/// Run `f` on a messenger's state; `default` for NULL. A panic becomes `default` and an
/// "internal error" in the messenger error.
#[inline(always)]
fn with_messenger<R>(m: *mut pn_messenger_t, default: R, f: impl FnOnce(&mut State) -> R) -> R {
    let me = m as *mut MessengerHandle;
    // SAFETY: `m` is NULL or a live pn_messenger_t handed out by this library.
    let Some(mut st) = (unsafe { state(me) }) else {
        return default;
    };
    match guard!(None, { Some(f(&mut st)) }) {
        Some(value) => value,
        None => {
            st.messenger.error_mut().set(PN_ERR, Some("internal error"));
            default
        }
    }
}

/// Run `f` on the subscription handle behind `sub`; `default` for NULL or a panic.
#[inline(always)]
fn with_subscription<R: Copy>(
    sub: *mut pn_subscription_t,
    default: R,
    f: impl FnOnce(&mut SubscriptionHandle) -> R,
) -> R {
    guard!(default, {
        // SAFETY: `sub` is NULL or a live subscription handle owned by a live messenger.
        match unsafe { (sub as *mut SubscriptionHandle).as_mut() } {
            Some(s) => f(s),
            None => default,
        }
    })
}

fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn owned_c(bytes: Option<&[u8]>) -> Option<CString> {
    bytes.map(|b| CString::new(b).unwrap_or_default())
}

fn c_ptr(s: &Option<CString>) -> *const c_char {
    s.as_ref().map_or(std::ptr::null(), |s| s.as_ptr())
}

// -------------------------------------------------------------------------------------
// Lifecycle and configuration

/// Allocate a messenger named `name` (copied; it is the AMQP container-id). NULL gives a
/// random upper-case UUID. Defaults: timeout -1, blocking, not passive, flags
/// PN_FLAGS_ALLOW_INSECURE_MECHS, windows 0. The caller owns it (pn_messenger_free);
/// NULL if the poller cannot be created.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger(name: *const c_char) -> *mut pn_messenger_t {
    guard!(std::ptr::null_mut(), {
        // SAFETY: `name` is NULL or NUL-terminated.
        let name = unsafe { c_str(name) }.map(lossy);
        let Ok(messenger) = Messenger::new(name.as_deref()) else {
            return std::ptr::null_mut();
        };
        let c_name = CString::new(messenger.name()).unwrap_or_default();
        let handle = MessengerHandle {
            interrupter: messenger.interrupter(),
            busy: Cell::new(false),
            state: State {
                messenger,
                name: c_name,
                certificate: None,
                private_key: None,
                password: None,
                trusted_certificates: None,
                subscriptions: Vec::new(),
                links: HashMap::new(),
                deliveries: HashMap::new(),
                prune_links_at: PRUNE_MIN,
                prune_deliveries_at: PRUNE_MIN,
                selectables: Default::default(),
            },
        };
        Box::into_raw(Box::new(handle)) as *mut pn_messenger_t
    })
}

/// The messenger's name (its container-id), owned by the messenger. NULL for NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_name(messenger: *mut pn_messenger_t) -> *const c_char {
    with_messenger(messenger, std::ptr::null(), |st| st.name.as_ptr())
}

/// Store a copy of the path of this messenger's certificate (NULL clears). TLS is not
/// supported yet: the value is only stored. Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_certificate(
    messenger: *mut pn_messenger_t,
    certificate: *const c_char,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: `certificate` is NULL or NUL-terminated.
        let value = unsafe { c_str(certificate) };
        st.messenger.certificate = value.map(lossy);
        st.certificate = owned_c(value);
        0
    })
}

/// The stored certificate path (owned by the messenger), or NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_certificate(messenger: *mut pn_messenger_t) -> *const c_char {
    with_messenger(messenger, std::ptr::null(), |st| c_ptr(&st.certificate))
}

/// Store a copy of the path of the certificate's private key (NULL clears). Only stored
/// for now. Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_private_key(
    messenger: *mut pn_messenger_t,
    private_key: *const c_char,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: `private_key` is NULL or NUL-terminated.
        let value = unsafe { c_str(private_key) };
        st.messenger.private_key = value.map(lossy);
        st.private_key = owned_c(value);
        0
    })
}

/// The stored private-key path (owned by the messenger), or NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_private_key(messenger: *mut pn_messenger_t) -> *const c_char {
    with_messenger(messenger, std::ptr::null(), |st| c_ptr(&st.private_key))
}

/// Store a copy of the password of the private key (NULL clears). Only stored for now.
/// Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_password(
    messenger: *mut pn_messenger_t,
    password: *const c_char,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: `password` is NULL or NUL-terminated.
        let value = unsafe { c_str(password) };
        st.messenger.password = value.map(lossy);
        st.password = owned_c(value);
        0
    })
}

/// The stored key password (owned by the messenger), or NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_password(messenger: *mut pn_messenger_t) -> *const c_char {
    with_messenger(messenger, std::ptr::null(), |st| c_ptr(&st.password))
}

/// Store a copy of the path of the trusted CA database (NULL clears). Only stored for now.
/// Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_trusted_certificates(
    messenger: *mut pn_messenger_t,
    cert_db: *const c_char,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: `cert_db` is NULL or NUL-terminated.
        let value = unsafe { c_str(cert_db) };
        st.messenger.trusted_certificates = value.map(lossy);
        st.trusted_certificates = owned_c(value);
        0
    })
}

/// The stored CA database path (owned by the messenger), or NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_trusted_certificates(
    messenger: *mut pn_messenger_t,
) -> *const c_char {
    with_messenger(messenger, std::ptr::null(), |st| {
        c_ptr(&st.trusted_certificates)
    })
}

/// Set the timeout of blocking calls in milliseconds (negative: wait forever). Returns 0,
/// or PN_ARG_ERR for NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_timeout(
    messenger: *mut pn_messenger_t,
    timeout: c_int,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        st.messenger.set_timeout(timeout);
        0
    })
}

/// The timeout of blocking calls in milliseconds (-1 by default; 0 for NULL).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_timeout(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.timeout())
}

/// Whether send, recv and stop block (true by default; false for NULL).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_is_blocking(messenger: *mut pn_messenger_t) -> bool {
    with_messenger(messenger, false, |st| st.messenger.is_blocking())
}

/// Set whether send, recv and stop block (pn_messenger_work is not affected). Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_blocking(
    messenger: *mut pn_messenger_t,
    blocking: bool,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        st.messenger.set_blocking(blocking);
        0
    })
}

/// Whether the messenger leaves I/O to the application (false by default).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_is_passive(messenger: *mut pn_messenger_t) -> bool {
    with_messenger(messenger, false, |st| st.messenger.is_passive())
}

/// Set passive mode: the messenger never polls, reads or writes a socket by itself;
/// blocking calls and work return PN_INPROGRESS unless their condition already holds, and
/// the application drives the I/O through pn_messenger_selectable. Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_passive(messenger: *mut pn_messenger_t, passive: bool) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        st.messenger.set_passive(passive);
        0
    })
}

/// Free the messenger with its connections, listeners, queues, subscriptions, links and
/// deliveries, without closing anything on the wire (call pn_messenger_stop first for
/// that). NULL is ignored. Every pointer the messenger handed out becomes invalid.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_free(messenger: *mut pn_messenger_t) {
    guard!((), {
        if !messenger.is_null() {
            // SAFETY: `messenger` came from `pn_messenger` and is not used again.
            drop(unsafe { Box::from_raw(messenger as *mut MessengerHandle) });
        }
    })
}

/// The code of the messenger's last stored error (0 if none; PN_ARG_ERR for NULL). It is
/// sticky: later successful calls do not reset it.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_errno(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.error().code())
}

/// The messenger's error (code and text), owned by the messenger; pn_error_clear resets it.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_error(messenger: *mut pn_messenger_t) -> *mut pn_error_t {
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        handle::<pn_error_t>(st.messenger.error_mut())
    })
}

/// How many of the newest outgoing trackers keep their status (0 by default).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_outgoing_window(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.outgoing_window())
}

/// Set how many of the newest outgoing trackers keep their status (negative: all). With a
/// window, messages go unsettled and wait for the peer's outcome. Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_outgoing_window(
    messenger: *mut pn_messenger_t,
    window: c_int,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        st.messenger.set_outgoing_window(window);
        0
    })
}

/// How many of the newest incoming trackers can still be accepted or rejected (0 by
/// default).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_incoming_window(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.incoming_window())
}

/// Set how many of the newest incoming trackers can still be accepted or rejected
/// (negative: all). With window 0 a message is settled, without an outcome, when it is
/// got. Returns 0.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_incoming_window(
    messenger: *mut pn_messenger_t,
    window: c_int,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        st.messenger.set_incoming_window(window);
        0
    })
}

/// Nothing to do (returns 0) unless PN_FLAGS_CHECK_ROUTES is set: then connect to every
/// route target with a literal scheme, host and port, and return the first error.
/// PN_ARG_ERR for NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_start(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.start())
}

/// Close every link and connection and stop listening, then wait (per blocking mode and
/// timeout) until stopped. Returns 0, PN_TIMEOUT, PN_INTR or PN_INPROGRESS. The messenger
/// can be used again afterwards.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_stop(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.stop())
}

/// Whether the messenger has no connections and no listeners (true when fresh).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_stopped(messenger: *mut pn_messenger_t) -> bool {
    with_messenger(messenger, false, |st| st.messenger.stopped())
}

// -------------------------------------------------------------------------------------
// Subscriptions

/// Same as pn_messenger_subscribe_ttl(messenger, source, 0).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_subscribe(
    messenger: *mut pn_messenger_t,
    source: *const c_char,
) -> *mut pn_subscription_t {
    #[allow(deprecated)]
    pn_messenger_subscribe_ttl(messenger, source, 0)
}

/// Receive from `source` (routed first): listen on it if its host starts with `~`,
/// otherwise open a receiving link to it (expiring `timeout` seconds after detach when
/// non-zero). The subscription is owned by the messenger. NULL on failure, with the error
/// set (e.g. "CONNECTION ERROR (...)").
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_subscribe_ttl(
    messenger: *mut pn_messenger_t,
    source: *const c_char,
    timeout: pn_seconds_t,
) -> *mut pn_subscription_t {
    let me = messenger as *mut MessengerHandle;
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        // SAFETY: `source` is NULL or NUL-terminated.
        let Some(source) = (unsafe { c_str(source) }) else {
            return std::ptr::null_mut();
        };
        match st.messenger.subscribe(&lossy(source), timeout) {
            Ok(index) => st.subscription(me, index),
            Err((code, text)) => {
                st.record(code, &text);
                std::ptr::null_mut()
            }
        }
    })
}

/// An existing locally open link to `address` (routed and resolved first, which may
/// connect or listen), sending if `sender`, else receiving; NULL if there is none or on
/// error. Never creates a link. The link is owned by the messenger.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_link(
    messenger: *mut pn_messenger_t,
    address: *const c_char,
    sender: bool,
) -> *mut pn_link_t {
    let me = messenger as *mut MessengerHandle;
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        // SAFETY: `address` is NULL or NUL-terminated.
        let Some(address) = (unsafe { c_str(address) }) else {
            return std::ptr::null_mut();
        };
        match st.messenger.get_link(&lossy(address), sender) {
            Ok(Some(link)) => st.link(me, link),
            Ok(None) => std::ptr::null_mut(),
            Err((code, text)) => {
                st.record(code, &text);
                std::ptr::null_mut()
            }
        }
    })
}

/// The application pointer stored on the subscription (NULL by default).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_subscription_get_context(sub: *mut pn_subscription_t) -> *mut c_void {
    with_subscription(sub, std::ptr::null_mut(), |s| s.context)
}

/// Store an application pointer on the subscription.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_subscription_set_context(sub: *mut pn_subscription_t, context: *mut c_void) {
    with_subscription(sub, (), |s| s.context = context)
}

/// The subscription's address, once a peer's link names it: runs the messenger (per its
/// blocking mode and timeout) until then. The string is owned by the messenger and valid
/// until the next call; NULL if waiting failed (timeout, interrupt, non-blocking).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_subscription_address(sub: *mut pn_subscription_t) -> *const c_char {
    // Read what is needed and let go of the handle: the wait runs the messenger, whose
    // tracer may call back into this subscription.
    let Some((me, index)) = with_subscription(sub, None, |s| Some((s.messenger, s.index))) else {
        return std::ptr::null();
    };
    guard!(std::ptr::null(), {
        // SAFETY: a subscription handle's messenger outlives it.
        let Some(mut st) = (unsafe { state(me) }) else {
            return std::ptr::null();
        };
        let address = st.messenger.subscription_address(index);
        drop(st);
        with_subscription(sub, std::ptr::null(), |s| {
            s.address = address;
            c_ptr(&s.address)
        })
    })
}

// -------------------------------------------------------------------------------------
// Sending

/// Queue a copy of `msg` for its address: a reply-to of "~" or "~/x" is expanded to this
/// messenger's address (in `msg` too), the `to` address is rewritten for the wire, and the
/// message is handed to a (possibly new) sending link. Never blocks. Returns 0 or an
/// error (PN_ARG_ERR "null message" for a NULL message).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_put(
    messenger: *mut pn_messenger_t,
    msg: *mut pn_message_t,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: `msg` is NULL or a live pn_message_t.
        match unsafe { inner(msg) } {
            Some(m) => {
                let result = st.messenger.put(m);
                st.check(result)
            }
            None => st.record(PN_ARG_ERR, "null message"),
        }
    })
}

/// The status of a tracked message; PN_STATUS_UNKNOWN if it is not (or no longer) tracked.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_status(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
) -> pn_status_t {
    with_messenger(messenger, PN_STATUS_UNKNOWN, |st| {
        match st.messenger.status(tracker as u64) {
            Status::Unknown => PN_STATUS_UNKNOWN,
            Status::Pending => PN_STATUS_PENDING,
            Status::Accepted => PN_STATUS_ACCEPTED,
            Status::Rejected => PN_STATUS_REJECTED,
            Status::Released => PN_STATUS_RELEASED,
            Status::Modified => PN_STATUS_MODIFIED,
            Status::Aborted => PN_STATUS_ABORTED,
            Status::Settled => PN_STATUS_SETTLED,
        }
    })
}

/// The delivery behind a tracked message (owned by the messenger), or NULL when the
/// tracker is not tracked or its message is not (or no longer) on a link.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_delivery(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
) -> *mut pn_delivery_t {
    let me = messenger as *mut MessengerHandle;
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        match st.messenger.tracker_delivery(tracker as u64) {
            Some(d) => st.delivery(me, d),
            None => std::ptr::null_mut(),
        }
    })
}

/// Whether a tracked outgoing message is still queued or not yet completely written;
/// false for untracked trackers.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_buffered(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
) -> bool {
    with_messenger(messenger, false, |st| st.messenger.buffered(tracker as u64))
}

/// Stop tracking the tracker (with PN_CUMULATIVE: every tracked one up to it) and settle
/// its delivery. Returns 0, also for unknown trackers.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_settle(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
    flags: c_int,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        st.messenger.settle(tracker as u64, flags);
        0
    })
}

/// The tracker of the last message put (0 before any).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_outgoing_tracker(messenger: *mut pn_messenger_t) -> pn_tracker_t {
    with_messenger(messenger, 0, |st| st.messenger.outgoing_tracker() as i64)
}

/// Do pending I/O, waiting up to `timeout` ms (-1: forever, 0: poll). Returns 1 if
/// anything happened, else PN_TIMEOUT; PN_INTR if interrupted, PN_INPROGRESS when passive.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_work(messenger: *mut pn_messenger_t, timeout: c_int) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.work(timeout))
}

/// Make the current (or else the next) blocking call return PN_INTR. The only function
/// that may be called from another thread. Returns 0, or PN_ERR if the wake-up failed.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_interrupt(messenger: *mut pn_messenger_t) -> c_int {
    guard!(PN_ERR, {
        let me = messenger as *const MessengerHandle;
        if me.is_null() {
            return PN_ARG_ERR;
        }
        // SAFETY: `me` is a live handle; only the interrupter field is borrowed (shared),
        // which no other code writes, so a `&mut State` on the driving thread is disjoint.
        let interrupter = unsafe { &(*me).interrupter };
        match interrupter.interrupt() {
            Ok(()) => 0,
            Err(_) => PN_ERR,
        }
    })
}

/// Wait until at most (outgoing - n) messages remain undetermined (n = -1: all). Returns
/// 0, PN_TIMEOUT, PN_INTR or PN_INPROGRESS (non-blocking or passive).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_send(messenger: *mut pn_messenger_t, n: c_int) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.send(n))
}

// -------------------------------------------------------------------------------------
// Receiving

/// Set the receive credit (n > 0: keep n outstanding; -1: automatic; -2: manual, the
/// application flows links itself; 0: cancel undistributed credit) and, when blocking,
/// wait for a message. Returns 0, PN_STATE_ERR ("no valid sources"), PN_TIMEOUT, PN_INTR
/// or PN_INPROGRESS.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_recv(messenger: *mut pn_messenger_t, limit: c_int) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.recv(limit))
}

/// Credit outstanding or still to distribute.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_receiving(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.receiving())
}

/// Take the oldest received message, decoded into `message` (discarded if NULL). Returns
/// 0, PN_EOS if none is waiting (not stored), or a decode error ("error decoding message:
/// ...", stored; the message is consumed anyway).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get(
    messenger: *mut pn_messenger_t,
    message: *mut pn_message_t,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: `message` is NULL or a live pn_message_t.
        let target = unsafe { inner(message) };
        let result = st.messenger.get(target);
        st.check(result)
    })
}

/// The tracker of the last message got (0 before any).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_incoming_tracker(messenger: *mut pn_messenger_t) -> pn_tracker_t {
    with_messenger(messenger, 0, |st| st.messenger.incoming_tracker() as i64)
}

/// The subscription the last message got came through (owned by the messenger), or NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_incoming_subscription(
    messenger: *mut pn_messenger_t,
) -> *mut pn_subscription_t {
    let me = messenger as *mut MessengerHandle;
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        match st.messenger.incoming_subscription() {
            Some(index) => st.subscription(me, index),
            None => std::ptr::null_mut(),
        }
    })
}

// Inlined into each caller, where the outcome is a constant (nothing to drop).
#[inline(always)]
fn disposition(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
    flags: c_int,
    outcome: DeliveryState,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        let result = st.messenger.disposition(tracker as u64, flags, &outcome);
        st.check(result)
    })
}

/// Accept an incoming tracked message (PN_CUMULATIVE: every tracked one up to it) unless
/// it already has an outcome. PN_ARG_ERR ("invalid tracker, incoming tracker required")
/// for an outgoing tracker; 0 otherwise, also for untracked ones.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_accept(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
    flags: c_int,
) -> c_int {
    disposition(messenger, tracker, flags, DeliveryState::Accepted)
}

/// Reject an incoming tracked message, as pn_messenger_accept.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_reject(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
    flags: c_int,
) -> c_int {
    disposition(
        messenger,
        tracker,
        flags,
        DeliveryState::Rejected { error: None },
    )
}

/// The link carrying a tracked message (owned by the messenger), or NULL.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_tracker_link(
    messenger: *mut pn_messenger_t,
    tracker: pn_tracker_t,
) -> *mut pn_link_t {
    let me = messenger as *mut MessengerHandle;
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        let link = st.messenger.tracker_delivery(tracker as u64).and_then(|d| {
            let link = st.messenger.connection(d.conn)?.delivery(d.delivery)?.link;
            Some(LinkRef { conn: d.conn, link })
        });
        match link {
            Some(l) => st.link(me, l),
            None => std::ptr::null_mut(),
        }
    })
}

/// Outgoing messages not yet on the wire: queued, or waiting for credit.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_outgoing(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.outgoing())
}

/// Received messages waiting for pn_messenger_get.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_incoming(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.incoming())
}

// -------------------------------------------------------------------------------------
// Routing

/// Append a route: addresses matching `pattern` (`%`: a run without `/`, `*`: any run)
/// connect to `address` with `$1`, `$2`, ... replaced by the matched runs. Returns 0;
/// PN_ARG_ERR for a NULL pattern.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_route(
    messenger: *mut pn_messenger_t,
    pattern: *const c_char,
    address: *const c_char,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: both are NULL or NUL-terminated.
        let (pattern, address) = unsafe { (c_str(pattern), c_str(address)) };
        let Some(pattern) = pattern else {
            return PN_ARG_ERR;
        };
        let address = address.map(lossy);
        st.messenger.route(&lossy(pattern), address.as_deref());
        0
    })
}

/// Append a rewrite rule (same syntax as routes) applied to the `to` address that goes
/// on the wire; a NULL `address` sends no address. Returns 0; PN_ARG_ERR for a NULL
/// pattern.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_rewrite(
    messenger: *mut pn_messenger_t,
    pattern: *const c_char,
    address: *const c_char,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        // SAFETY: both are NULL or NUL-terminated.
        let (pattern, address) = unsafe { (c_str(pattern), c_str(address)) };
        let Some(pattern) = pattern else {
            return PN_ARG_ERR;
        };
        let address = address.map(lossy);
        st.messenger.rewrite(&lossy(pattern), address.as_deref());
        0
    })
}

// -------------------------------------------------------------------------------------
// Passive mode, deadlines, flags, settle modes, tracing, SSL

/// The next I/O handle for an application that polls the messenger's sockets itself
/// (passive mode): first the messenger handles what is pending and updates the interest of
/// its connections, then it hands out the most recently queued selectable, or NULL when
/// none is queued. New selectables (the interrupt pipe, each listener and connection) are
/// queued once; a registered one again whenever its state may have changed. Poll its fd
/// per pn_selectable_is_reading/is_writing/get_deadline, call pn_selectable_readable/
/// writable/expired/error, and pn_selectable_release it once pn_selectable_is_terminal.
/// The same selectable is always the same pointer.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_selectable(messenger: *mut pn_messenger_t) -> *mut pn_selectable_t {
    let me = messenger as *mut MessengerHandle;
    with_messenger(messenger, std::ptr::null_mut(), |st| {
        match st.messenger.selectable() {
            Some(id) => st.selectables.get(me, id),
            None => std::ptr::null_mut(),
        }
    })
}

/// Wall-clock time (ms since the epoch) at which the messenger wants to run again to
/// rebalance credit, or 0 for none.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_deadline(messenger: *mut pn_messenger_t) -> pn_timestamp_t {
    with_messenger(messenger, 0, |st| st.messenger.deadline())
}

/// 0 clears every flag; a value containing PN_FLAGS_CHECK_ROUTES or
/// PN_FLAGS_ALLOW_INSECURE_MECHS is OR-ed in; anything else is PN_ARG_ERR.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_flags(messenger: *mut pn_messenger_t, flags: c_int) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| st.messenger.set_flags(flags))
}

/// The flag bits (PN_FLAGS_ALLOW_INSECURE_MECHS by default; 0 for NULL).
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_flags(messenger: *mut pn_messenger_t) -> c_int {
    with_messenger(messenger, 0, |st| st.messenger.flags())
}

/// The sender-settle mode requested by links created later while the matching window is
/// non-zero. Returns 0; PN_ARG_ERR for NULL or a value that is not a mode.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_snd_settle_mode(
    messenger: *mut pn_messenger_t,
    mode: pn_snd_settle_mode_t,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        let mode = match mode {
            0 => SndSettleMode::Unsettled,
            1 => SndSettleMode::Settled,
            2 => SndSettleMode::Mixed,
            _ => return PN_ARG_ERR,
        };
        st.messenger.set_snd_settle_mode(mode);
        0
    })
}

/// The receiver-settle mode requested by links created later while the matching window
/// is non-zero (PN_RCV_FIRST by default). Returns 0; PN_ARG_ERR for NULL or a value that
/// is not a mode.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_rcv_settle_mode(
    messenger: *mut pn_messenger_t,
    mode: pn_rcv_settle_mode_t,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        let mode = match mode {
            0 => RcvSettleMode::First,
            1 => RcvSettleMode::Second,
            _ => return PN_ARG_ERR,
        };
        st.messenger.set_rcv_settle_mode(mode);
        0
    })
}

/// Install a tracer: while frame tracing is on (PN_TRACE_FRM=1 in the environment), it
/// gets each trace line ("FRAME: 0 -> @open(16) [...]"). Its transport argument is always
/// NULL: this library has no pn_transport_t objects. A NULL tracer is ignored.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_tracer(messenger: *mut pn_messenger_t, tracer: pn_tracer_t) {
    with_messenger(messenger, (), |st| {
        let Some(tracer) = tracer else {
            return;
        };
        st.messenger.set_tracer(Box::new(move |line: &str| {
            let text = CString::new(line.replace('\0', "")).unwrap_or_default();
            // SAFETY: calling the application's tracer as its type promises.
            unsafe { tracer(std::ptr::null_mut::<pn_transport_t>(), text.as_ptr()) }
        }));
    })
}

/// The idle timeout (ms) the peer of the connection for `address` advertised (routes are
/// not applied); 0xFFFFFFFF if there is no such connection, (pn_millis_t)PN_ARG_ERR for a
/// NULL messenger.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_get_remote_idle_timeout(
    messenger: *mut pn_messenger_t,
    address: *const c_char,
) -> pn_millis_t {
    with_messenger(messenger, PN_ARG_ERR as pn_millis_t, |st| {
        // SAFETY: `address` is NULL or NUL-terminated.
        let Some(address) = (unsafe { c_str(address) }) else {
            return PN_ARG_ERR as pn_millis_t;
        };
        st.messenger
            .remote_idle_timeout(&lossy(address))
            .unwrap_or(pn_millis_t::MAX)
    })
}

/// The peer verification used by amqps connections when trusted certificates are set
/// (PN_SSL_VERIFY_PEER_NAME by default), for connections made afterwards. Returns 0;
/// PN_ARG_ERR for NULL or a value that is not a mode.
#[no_mangle]
#[deprecated(note = "Use the Proactor API or Qpid Proton C++")]
pub extern "C" fn pn_messenger_set_ssl_peer_authentication_mode(
    messenger: *mut pn_messenger_t,
    mode: pn_ssl_verify_mode_t,
) -> c_int {
    with_messenger(messenger, PN_ARG_ERR, |st| {
        if !(0..=3).contains(&mode) {
            return PN_ARG_ERR;
        }
        st.messenger.ssl_peer_authentication_mode = mode;
        0
    })
}

#[cfg(test)]
#[allow(deprecated)]
mod tests {
    use super::*;
    use crate::ffi::condition::*;
    use crate::ffi::delivery::*;
    use crate::ffi::disposition::{PN_ACCEPTED, PN_RELEASED};
    use crate::ffi::link::*;
    use crate::ffi::message::{pn_message, pn_message_free, pn_message_set_address};
    use crate::ffi::terminus::*;
    use std::ffi::CStr;

    fn free_port() -> u16 {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    }

    fn cstring(s: &str) -> CString {
        CString::new(s).unwrap()
    }

    #[test]
    fn null_handles_give_the_documented_empty_results() {
        let m = std::ptr::null_mut();
        let s = std::ptr::null();
        pn_messenger_free(m);
        assert!(pn_messenger_name(m).is_null());
        assert_eq!(pn_messenger_set_certificate(m, s), PN_ARG_ERR);
        assert!(pn_messenger_get_certificate(m).is_null());
        assert_eq!(pn_messenger_set_private_key(m, s), PN_ARG_ERR);
        assert!(pn_messenger_get_private_key(m).is_null());
        assert_eq!(pn_messenger_set_password(m, s), PN_ARG_ERR);
        assert!(pn_messenger_get_password(m).is_null());
        assert_eq!(pn_messenger_set_trusted_certificates(m, s), PN_ARG_ERR);
        assert!(pn_messenger_get_trusted_certificates(m).is_null());
        assert_eq!(pn_messenger_set_timeout(m, 1), PN_ARG_ERR);
        assert_eq!(pn_messenger_get_timeout(m), 0);
        assert!(!pn_messenger_is_blocking(m));
        assert_eq!(pn_messenger_set_blocking(m, true), PN_ARG_ERR);
        assert!(!pn_messenger_is_passive(m));
        assert_eq!(pn_messenger_set_passive(m, true), PN_ARG_ERR);
        assert_eq!(pn_messenger_errno(m), PN_ARG_ERR);
        assert!(pn_messenger_error(m).is_null());
        assert_eq!(pn_messenger_get_outgoing_window(m), 0);
        assert_eq!(pn_messenger_set_outgoing_window(m, 1), PN_ARG_ERR);
        assert_eq!(pn_messenger_get_incoming_window(m), 0);
        assert_eq!(pn_messenger_set_incoming_window(m, 1), PN_ARG_ERR);
        assert_eq!(pn_messenger_start(m), PN_ARG_ERR);
        assert_eq!(pn_messenger_stop(m), PN_ARG_ERR);
        assert!(!pn_messenger_stopped(m));
        assert!(pn_messenger_subscribe(m, s).is_null());
        assert!(pn_messenger_subscribe_ttl(m, s, 1).is_null());
        assert!(pn_messenger_get_link(m, s, true).is_null());
        let sub = std::ptr::null_mut();
        assert!(pn_subscription_get_context(sub).is_null());
        pn_subscription_set_context(sub, std::ptr::null_mut());
        assert!(pn_subscription_address(sub).is_null());
        assert_eq!(pn_messenger_put(m, std::ptr::null_mut()), PN_ARG_ERR);
        assert_eq!(pn_messenger_status(m, 0), PN_STATUS_UNKNOWN);
        assert!(pn_messenger_delivery(m, 0).is_null());
        assert!(!pn_messenger_buffered(m, 0));
        assert_eq!(pn_messenger_settle(m, 0, 0), PN_ARG_ERR);
        assert_eq!(pn_messenger_outgoing_tracker(m), 0);
        assert_eq!(pn_messenger_work(m, 0), PN_ARG_ERR);
        assert_eq!(pn_messenger_interrupt(m), PN_ARG_ERR);
        assert_eq!(pn_messenger_send(m, -1), PN_ARG_ERR);
        assert_eq!(pn_messenger_recv(m, -1), PN_ARG_ERR);
        assert_eq!(pn_messenger_receiving(m), 0);
        assert_eq!(pn_messenger_get(m, std::ptr::null_mut()), PN_ARG_ERR);
        assert_eq!(pn_messenger_incoming_tracker(m), 0);
        assert!(pn_messenger_incoming_subscription(m).is_null());
        assert_eq!(pn_messenger_accept(m, 0, 0), PN_ARG_ERR);
        assert_eq!(pn_messenger_reject(m, 0, 0), PN_ARG_ERR);
        assert!(pn_messenger_tracker_link(m, 0).is_null());
        assert_eq!(pn_messenger_outgoing(m), 0);
        assert_eq!(pn_messenger_incoming(m), 0);
        assert_eq!(pn_messenger_route(m, s, s), PN_ARG_ERR);
        assert_eq!(pn_messenger_rewrite(m, s, s), PN_ARG_ERR);
        assert!(pn_messenger_selectable(m).is_null());
        assert_eq!(pn_messenger_deadline(m), 0);
        assert_eq!(pn_messenger_set_flags(m, 0), PN_ARG_ERR);
        assert_eq!(pn_messenger_get_flags(m), 0);
        assert_eq!(pn_messenger_set_snd_settle_mode(m, 0), PN_ARG_ERR);
        assert_eq!(pn_messenger_set_rcv_settle_mode(m, 0), PN_ARG_ERR);
        pn_messenger_set_tracer(m, None);
        assert_eq!(
            pn_messenger_get_remote_idle_timeout(m, s),
            PN_ARG_ERR as pn_millis_t
        );
        assert_eq!(
            pn_messenger_set_ssl_peer_authentication_mode(m, 0),
            PN_ARG_ERR
        );

        // NULL strings on a live messenger.
        let m = pn_messenger(std::ptr::null());
        assert!(pn_messenger_subscribe(m, s).is_null());
        assert!(pn_messenger_get_link(m, s, false).is_null());
        assert_eq!(pn_messenger_route(m, s, s), PN_ARG_ERR);
        assert_eq!(
            pn_messenger_get_remote_idle_timeout(m, s),
            PN_ARG_ERR as u32
        );
        pn_messenger_set_tracer(m, None);
        assert_eq!(pn_messenger_errno(m), 0);
        pn_messenger_free(m);

        let l = std::ptr::null_mut();
        assert!(pn_link_name(l).is_null());
        assert!(!pn_link_is_sender(l) && !pn_link_is_receiver(l));
        assert_eq!(pn_link_state(l), 0);
        assert!(pn_link_remote_condition(l).is_null());
        assert!(pn_link_source(l).is_null() && pn_link_remote_target(l).is_null());
        assert_eq!(
            pn_link_credit(l) + pn_link_queued(l) + pn_link_remote_credit(l),
            0
        );
        pn_link_flow(l, 5);
        let d = std::ptr::null_mut();
        assert!(pn_delivery_tag(d).start.is_null());
        assert!(pn_delivery_link(d).is_null());
        assert_eq!(pn_delivery_local_state(d) + pn_delivery_remote_state(d), 0);
        assert!(!pn_delivery_settled(d) && !pn_delivery_buffered(d));
        pn_delivery_update(d, PN_ACCEPTED);
        assert!(pn_terminus_get_address(std::ptr::null_mut()).is_null());
        assert_eq!(pn_terminus_get_type(std::ptr::null_mut()), PN_UNSPECIFIED);
        assert!(!pn_condition_is_set(std::ptr::null_mut()));
        assert!(pn_condition_get_name(std::ptr::null_mut()).is_null());
    }

    #[test]
    fn interrupt_from_another_thread_wakes_a_blocked_recv() {
        struct Shared(*mut pn_messenger_t);
        // SAFETY: only pn_messenger_interrupt, which is thread-safe, uses it over there.
        unsafe impl Send for Shared {}
        let m = pn_messenger(cstring("blocked").as_ptr());
        let address = cstring(&format!("amqp://~127.0.0.1:{}", free_port()));
        assert!(!pn_messenger_subscribe(m, address.as_ptr()).is_null());
        let shared = Shared(m);
        let waker = std::thread::spawn(move || {
            let shared = shared;
            std::thread::sleep(std::time::Duration::from_millis(100));
            pn_messenger_interrupt(shared.0)
        });
        let start = std::time::Instant::now();
        assert_eq!(pn_messenger_recv(m, 1), PN_INTR);
        assert!(start.elapsed() >= std::time::Duration::from_millis(50));
        assert_eq!(waker.join().unwrap(), 0);
        assert_eq!(pn_messenger_errno(m), 0);
        pn_messenger_free(m);
    }

    thread_local! {
        static TRACED: std::cell::RefCell<(*mut pn_messenger_t, Vec<c_int>)> =
            const { std::cell::RefCell::new((std::ptr::null_mut(), Vec::new())) };
    }

    unsafe extern "C" fn reentrant_tracer(_: *mut pn_transport_t, _: *const c_char) {
        TRACED.with(|t| {
            let mut t = t.borrow_mut();
            let m = t.0;
            // A call from inside a running call finds the messenger busy.
            let outgoing = pn_messenger_outgoing(m);
            t.1.push(outgoing);
        });
    }

    #[test]
    fn a_tracer_calling_back_into_its_messenger_finds_it_busy() {
        std::env::set_var("PN_TRACE_FRM", "1");
        let m = pn_messenger(cstring("traced").as_ptr());
        std::env::remove_var("PN_TRACE_FRM");
        TRACED.with(|t| t.borrow_mut().0 = m);
        pn_messenger_set_tracer(m, Some(reentrant_tracer));
        let address = cstring(&format!("amqp://127.0.0.1:{}/q", free_port()));
        let msg = pn_message();
        pn_message_set_address(msg, address.as_ptr());
        assert_eq!(pn_messenger_put(m, msg), 0);
        pn_messenger_set_timeout(m, 2000);
        assert_eq!(pn_messenger_send(m, -1), 0); // refused: the message is aborted
        TRACED.with(|t| {
            let t = t.borrow();
            assert!(!t.1.is_empty(), "the tracer was called");
            assert!(t.1.iter().all(|&n| n == 0), "{:?}", t.1);
        });
        assert_eq!(pn_messenger_outgoing(m), 0);
        pn_message_free(msg);
        pn_messenger_free(m);
    }

    #[test]
    fn link_and_delivery_handles_read_as_empty_once_the_messenger_dropped_them() {
        let port = free_port();
        let srv = pn_messenger(cstring("server").as_ptr());
        let cli = pn_messenger(cstring("client").as_ptr());
        pn_messenger_set_outgoing_window(cli, 5);
        pn_messenger_set_blocking(srv, false);
        pn_messenger_set_blocking(cli, false);
        let listen = cstring(&format!("amqp://~127.0.0.1:{port}"));
        assert!(!pn_messenger_subscribe(srv, listen.as_ptr()).is_null());
        pn_messenger_recv(srv, 5);
        let address = cstring(&format!("amqp://127.0.0.1:{port}/q"));
        let msg = pn_message();
        pn_message_set_address(msg, address.as_ptr());
        assert_eq!(pn_messenger_put(cli, msg), 0);
        let tracker = pn_messenger_outgoing_tracker(cli);
        let link = pn_messenger_get_link(cli, address.as_ptr(), true);
        let delivery = pn_messenger_delivery(cli, tracker);
        assert!(!link.is_null() && !delivery.is_null());
        assert_eq!(pn_delivery_link(delivery), link);
        assert_eq!(pn_messenger_tracker_link(cli, tracker), link);
        let target = pn_link_target(link);
        let condition = pn_link_remote_condition(link);
        for _ in 0..200 {
            if pn_messenger_incoming(srv) == 1 {
                break;
            }
            pn_messenger_work(cli, 0);
            pn_messenger_work(srv, 0);
        }
        assert_eq!(pn_messenger_incoming(srv), 1);
        // SAFETY: non-NULL C strings owned by the handles.
        let name = unsafe { CStr::from_ptr(pn_link_name(link)) }.to_owned();
        assert!(name.to_bytes().starts_with(b"sender-"));
        assert_eq!(
            unsafe { CStr::from_ptr(pn_terminus_get_address(target)) }.to_bytes(),
            b"q"
        );
        assert_eq!(pn_link_state(link), 2 | 16);
        assert_eq!(pn_delivery_tag(delivery).size, 8);

        pn_messenger_stop(cli);
        pn_messenger_stop(srv);
        for _ in 0..200 {
            if pn_messenger_stopped(cli) && pn_messenger_stopped(srv) {
                break;
            }
            pn_messenger_work(cli, 0);
            pn_messenger_work(srv, 0);
        }
        assert!(pn_messenger_stopped(cli));
        // The connection and its link and delivery are gone; the handles stay valid until
        // the handle maps are next pruned.
        assert_eq!(pn_link_state(link), 4 | 32);
        assert!(!pn_link_is_sender(link));
        assert_eq!(pn_link_credit(link), 0);
        pn_link_flow(link, 3);
        assert!(pn_terminus_get_address(target).is_null());
        assert!(!pn_condition_is_set(condition));
        // SAFETY: the name was cached while the link existed.
        assert_eq!(
            unsafe { CStr::from_ptr(pn_link_name(link)) },
            name.as_c_str()
        );
        assert!(pn_delivery_link(delivery).is_null());
        assert_eq!(pn_delivery_local_state(delivery), 0);
        assert!(!pn_delivery_buffered(delivery));
        pn_delivery_update(delivery, PN_RELEASED);
        assert!(pn_messenger_delivery(cli, tracker).is_null());
        assert!(pn_messenger_tracker_link(cli, tracker).is_null());
        pn_message_free(msg);
        pn_messenger_free(cli);
        pn_messenger_free(srv);
    }

    #[test]
    fn delivery_handles_of_forgotten_deliveries_are_freed() {
        let port = free_port();
        let srv = pn_messenger(cstring("server").as_ptr());
        let cli = pn_messenger(cstring("client").as_ptr());
        pn_messenger_set_outgoing_window(cli, 4);
        pn_messenger_set_blocking(srv, false);
        pn_messenger_set_blocking(cli, false);
        let listen = cstring(&format!("amqp://~127.0.0.1:{port}"));
        assert!(!pn_messenger_subscribe(srv, listen.as_ptr()).is_null());
        let address = cstring(&format!("amqp://127.0.0.1:{port}/q"));
        let msg = pn_message();
        pn_message_set_address(msg, address.as_ptr());
        let (mut handles, mut received) = (0, 0);
        for _ in 0..600 {
            pn_messenger_recv(srv, -1);
            assert_eq!(pn_messenger_put(cli, msg), 0);
            for _ in 0..4 {
                pn_messenger_work(cli, 0);
                pn_messenger_work(srv, 0);
            }
            while pn_messenger_get(srv, std::ptr::null_mut()) == 0 {
                received += 1;
            }
            let tracker = pn_messenger_outgoing_tracker(cli);
            if !pn_messenger_delivery(cli, tracker).is_null() {
                handles += 1;
            }
        }
        assert!(handles > 500, "handles made: {handles}");
        assert!(received > 500, "messages received: {received}");
        let live = unsafe { state(cli as *mut MessengerHandle) }
            .map(|st| st.deliveries.len())
            .expect("state");
        assert!(live < 3 * PRUNE_MIN, "delivery handles kept: {live}");
        pn_message_free(msg);
        pn_messenger_free(cli);
        pn_messenger_free(srv);
    }
}
