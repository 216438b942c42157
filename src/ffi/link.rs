//! link.h: `pn_link_t`, the links a messenger hands out (`pn_messenger_get_link`,
//! `pn_messenger_tracker_link`, `pn_delivery_link`).
//!
//! Contract: a `pn_link_t *` points to a [`LinkHandle`] owned by its messenger (freed with
//! it) that names the link by generation-checked keys. Accessors read the engine's link
//! each time; once the messenger has dropped the link they return the empty value
//! (NULL, 0, false; `pn_link_state` reports both ends closed). Only what is useful on a
//! messenger's links is exported: inspection and `pn_link_flow` (for manual credit,
//! `pn_messenger_recv(m, -2)`); creating, opening or freeing links is the messenger's job.

use super::condition::ConditionHandle;
use super::guard;
use super::message::pn_link_t;
use super::messenger::{state, MessengerHandle, State};
use super::terminus::{pn_terminus_t, TerminusHandle, Which};
use super::types::pn_state_t;
use crate::engine::endpoint::{EndpointState, Link};
use crate::engine::performative::{RcvSettleMode, Role, SndSettleMode};
use crate::messenger::LinkRef;
use libc::{c_char, c_int};
use std::ffi::CString;

/// How a sender settles (spec 2.8.2): one of `PN_SND_*`.
pub type pn_snd_settle_mode_t = c_int;

/// The sender sends every delivery unsettled.
pub const PN_SND_UNSETTLED: pn_snd_settle_mode_t = 0;
/// The sender sends every delivery settled.
pub const PN_SND_SETTLED: pn_snd_settle_mode_t = 1;
/// The sender may send either (the default).
pub const PN_SND_MIXED: pn_snd_settle_mode_t = 2;

/// When a receiver settles (spec 2.8.3): one of `PN_RCV_*`.
pub type pn_rcv_settle_mode_t = c_int;

/// The receiver settles first (the default).
pub const PN_RCV_FIRST: pn_rcv_settle_mode_t = 0;
/// The receiver settles after the sender did.
pub const PN_RCV_SECOND: pn_rcv_settle_mode_t = 1;

/// `PN_LOCAL_UNINIT` and the other endpoint state bits (connection.h).
const LOCAL_UNINIT: pn_state_t = 1;
const REMOTE_UNINIT: pn_state_t = 8;

/// What a `pn_link_t *` from a messenger points to.
pub(crate) struct LinkHandle {
    messenger: *mut MessengerHandle,
    link: LinkRef,
    name: Option<CString>,
    /// Source, target, remote source, remote target.
    termini: [*mut TerminusHandle; 4],
    remote_condition: *mut ConditionHandle,
}

impl LinkHandle {
    pub(crate) fn new(messenger: *mut MessengerHandle, link: LinkRef) -> LinkHandle {
        let terminus = |which| Box::into_raw(Box::new(TerminusHandle::new(messenger, link, which)));
        LinkHandle {
            messenger,
            link,
            name: None,
            termini: [
                terminus(Which::Source),
                terminus(Which::Target),
                terminus(Which::RemoteSource),
                terminus(Which::RemoteTarget),
            ],
            remote_condition: Box::into_raw(Box::new(ConditionHandle::new(messenger, link))),
        }
    }
}

impl Drop for LinkHandle {
    fn drop(&mut self) {
        // SAFETY: the termini and the condition came from Box::into_raw in `new` and are
        // owned by this handle alone.
        unsafe {
            for t in self.termini {
                drop(Box::from_raw(t));
            }
            drop(Box::from_raw(self.remote_condition));
        }
    }
}

/// The engine link behind a messenger's link, if it still exists.
pub(crate) fn engine_link(st: &State, link: LinkRef) -> Option<&Link> {
    st.messenger.connection(link.conn)?.link(link.link)
}

/// Run `f` on a link handle and its messenger's state; `default` for NULL or a panic.
#[inline(always)]
fn with_link<R: Copy>(
    link: *mut pn_link_t,
    default: R,
    f: impl FnOnce(&mut LinkHandle, &mut State) -> R,
) -> R {
    guard!(default, {
        // SAFETY: `link` is NULL or a live link handle of a live messenger. The handle is
        // its own allocation, apart from the state, so both borrows are disjoint.
        let Some(h) = (unsafe { (link as *mut LinkHandle).as_mut() }) else {
            return default;
        };
        // SAFETY: a link handle's messenger outlives it.
        match unsafe { state(h.messenger) } {
            Some(mut st) => f(h, &mut st),
            None => default,
        }
    })
}

/// Run `f` on the engine link behind a handle; `default` for NULL, a link that has gone,
/// or a panic.
#[inline(always)]
fn with_engine_link<R: Copy>(link: *mut pn_link_t, default: R, f: impl FnOnce(&Link) -> R) -> R {
    guard!(default, {
        with_link(link, None, |h, st| engine_link(st, h.link).map(f)).unwrap_or(default)
    })
}

/// The link's name (owned by the link), or NULL once the link has gone.
#[no_mangle]
pub extern "C" fn pn_link_name(link: *mut pn_link_t) -> *const c_char {
    with_link(link, std::ptr::null(), |h, st| {
        if h.name.is_none() {
            h.name = engine_link(st, h.link)
                .map(|l| CString::new(l.local.name.replace('\0', "")).unwrap_or_default());
        }
        h.name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr())
    })
}

/// Whether this is a sending link.
#[no_mangle]
pub extern "C" fn pn_link_is_sender(link: *mut pn_link_t) -> bool {
    with_engine_link(link, false, |l| l.local.role == Role::Sender)
}

/// Whether this is a receiving link.
#[no_mangle]
pub extern "C" fn pn_link_is_receiver(link: *mut pn_link_t) -> bool {
    with_engine_link(link, false, |l| l.local.role == Role::Receiver)
}

fn state_bits(state: EndpointState, uninit: pn_state_t) -> pn_state_t {
    match state {
        EndpointState::Uninit => uninit,
        EndpointState::Active => uninit << 1,
        EndpointState::Closed => uninit << 2,
    }
}

/// The link's local and remote states as PN_LOCAL_* | PN_REMOTE_* bits; both ends closed
/// (PN_LOCAL_CLOSED | PN_REMOTE_CLOSED) once the messenger has dropped the link, 0 for NULL.
#[no_mangle]
pub extern "C" fn pn_link_state(link: *mut pn_link_t) -> pn_state_t {
    let gone = state_bits(EndpointState::Closed, LOCAL_UNINIT)
        | state_bits(EndpointState::Closed, REMOTE_UNINIT);
    with_link(link, 0, |h, st| {
        engine_link(st, h.link).map_or(gone, |l| {
            state_bits(l.endpoint.local, LOCAL_UNINIT)
                | state_bits(l.endpoint.remote, REMOTE_UNINIT)
        })
    })
}

/// The condition the peer gave when it closed the link (owned by the link; read again at
/// each call of a pn_condition_* getter).
#[no_mangle]
pub extern "C" fn pn_link_remote_condition(
    link: *mut pn_link_t,
) -> *mut super::condition::pn_condition_t {
    with_link(link, std::ptr::null_mut(), |h, _| {
        h.remote_condition as *mut super::condition::pn_condition_t
    })
}

fn terminus(link: *mut pn_link_t, which: Which) -> *mut pn_terminus_t {
    with_link(link, std::ptr::null_mut(), |h, _| {
        h.termini[which as usize] as *mut pn_terminus_t
    })
}

/// The link's local source (owned by the link).
#[no_mangle]
pub extern "C" fn pn_link_source(link: *mut pn_link_t) -> *mut pn_terminus_t {
    terminus(link, Which::Source)
}

/// The link's local target (owned by the link).
#[no_mangle]
pub extern "C" fn pn_link_target(link: *mut pn_link_t) -> *mut pn_terminus_t {
    terminus(link, Which::Target)
}

/// The source the peer declared (owned by the link; unspecified until it attached).
#[no_mangle]
pub extern "C" fn pn_link_remote_source(link: *mut pn_link_t) -> *mut pn_terminus_t {
    terminus(link, Which::RemoteSource)
}

/// The target the peer declared (owned by the link; unspecified until it attached).
#[no_mangle]
pub extern "C" fn pn_link_remote_target(link: *mut pn_link_t) -> *mut pn_terminus_t {
    terminus(link, Which::RemoteTarget)
}

/// Deliveries queued locally: on a sender, those waiting for credit; on a receiver, one
/// while a message is partly received.
fn queued(l: &Link) -> c_int {
    if l.local.role == Role::Sender {
        l.queue.len() as c_int
    } else {
        c_int::from(l.incoming.is_some())
    }
}

/// proton's link credit: on a receiver, what it granted and the peer has not used; on a
/// sender, what the peer granted minus every delivery made and not yet sent (so it goes
/// negative while deliveries wait for credit).
fn credit(l: &Link) -> c_int {
    let granted = l.credit.min(c_int::MAX as u32) as c_int;
    if l.local.role == Role::Sender {
        granted.saturating_sub(queued(l))
    } else {
        granted
    }
}

/// The link's credit: on a receiver what it granted and the peer has not used; on a sender
/// what the peer granted minus the deliveries made since (negative while some wait).
#[no_mangle]
pub extern "C" fn pn_link_credit(link: *mut pn_link_t) -> c_int {
    with_engine_link(link, 0, credit)
}

/// Deliveries queued on the link (sender: waiting for credit).
#[no_mangle]
pub extern "C" fn pn_link_queued(link: *mut pn_link_t) -> c_int {
    with_engine_link(link, 0, queued)
}

/// pn_link_credit minus pn_link_queued.
#[no_mangle]
pub extern "C" fn pn_link_remote_credit(link: *mut pn_link_t) -> c_int {
    with_engine_link(link, 0, |l| credit(l).saturating_sub(queued(l)))
}

/// Whether the receiver asked the sender to drain its credit.
#[no_mangle]
pub extern "C" fn pn_link_get_drain(link: *mut pn_link_t) -> bool {
    with_engine_link(link, false, |l| l.drain)
}

fn snd_mode(mode: SndSettleMode) -> pn_snd_settle_mode_t {
    match mode {
        SndSettleMode::Unsettled => PN_SND_UNSETTLED,
        SndSettleMode::Settled => PN_SND_SETTLED,
        SndSettleMode::Mixed => PN_SND_MIXED,
    }
}

fn rcv_mode(mode: RcvSettleMode) -> pn_rcv_settle_mode_t {
    match mode {
        RcvSettleMode::First => PN_RCV_FIRST,
        RcvSettleMode::Second => PN_RCV_SECOND,
    }
}

/// The sender-settle mode this end asked for.
#[no_mangle]
pub extern "C" fn pn_link_snd_settle_mode(link: *mut pn_link_t) -> pn_snd_settle_mode_t {
    with_engine_link(link, PN_SND_MIXED, |l| snd_mode(l.local.snd_settle_mode))
}

/// The receiver-settle mode this end asked for.
#[no_mangle]
pub extern "C" fn pn_link_rcv_settle_mode(link: *mut pn_link_t) -> pn_rcv_settle_mode_t {
    with_engine_link(link, PN_RCV_FIRST, |l| rcv_mode(l.local.rcv_settle_mode))
}

/// The sender-settle mode the peer asked for (PN_SND_MIXED until it attached).
#[no_mangle]
pub extern "C" fn pn_link_remote_snd_settle_mode(link: *mut pn_link_t) -> pn_snd_settle_mode_t {
    with_engine_link(link, PN_SND_MIXED, |l| {
        l.remote
            .as_ref()
            .map_or(PN_SND_MIXED, |r| snd_mode(r.snd_settle_mode))
    })
}

/// The receiver-settle mode the peer asked for (PN_RCV_FIRST until it attached).
#[no_mangle]
pub extern "C" fn pn_link_remote_rcv_settle_mode(link: *mut pn_link_t) -> pn_rcv_settle_mode_t {
    with_engine_link(link, PN_RCV_FIRST, |l| {
        l.remote
            .as_ref()
            .map_or(PN_RCV_FIRST, |r| rcv_mode(r.rcv_settle_mode))
    })
}

/// Give a receiving link `credit` more (ignored for senders and non-positive values); it
/// goes to the peer the next time the messenger does I/O. Meant for manual credit mode
/// (`pn_messenger_recv(m, -2)`): otherwise the messenger's own credit scheduler does not
/// know about it.
#[no_mangle]
pub extern "C" fn pn_link_flow(receiver: *mut pn_link_t, credit: c_int) {
    with_link(receiver, (), |h, st| {
        if credit > 0 {
            if let Some(c) = st.messenger.connection_mut(h.link.conn) {
                c.add_credit(h.link.link, credit as u32);
            }
        }
    })
}
