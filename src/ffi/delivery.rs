//! delivery.h: `pn_delivery_t`, the deliveries behind a messenger's trackers
//! (`pn_messenger_delivery`).
//!
//! Contract: a `pn_delivery_t *` points to a [`DeliveryHandle`] owned by its messenger
//! (freed with it) that names the delivery by generation-checked keys. Accessors read the
//! engine's delivery each time; once the engine has forgotten it (settled on both ends)
//! they return the empty value. Only inspection and `pn_delivery_update` (to send an
//! outcome messenger.h has no call for, e.g. PN_RELEASED or PN_MODIFIED) are exported.

use super::disposition::{PN_ACCEPTED, PN_MODIFIED, PN_RECEIVED, PN_REJECTED, PN_RELEASED};
use super::guard;
use super::message::pn_link_t;
use super::messenger::{state, MessengerHandle, State};
use super::types::pn_bytes_t;
use crate::engine::endpoint::Delivery;
use crate::engine::performative::DeliveryState;
use crate::messenger::{DeliveryRef, LinkRef};

/// A delivery. Opaque to C (declared in types.h).
pub struct pn_delivery_t {
    _private: [u8; 0],
}

/// A delivery tag: a borrowed byte range.
pub type pn_delivery_tag_t = pn_bytes_t;

/// What a `pn_delivery_t *` from a messenger points to.
pub(crate) struct DeliveryHandle {
    messenger: *mut MessengerHandle,
    delivery: DeliveryRef,
    /// The tag, copied on first use (a delivery's tag never changes).
    tag: Option<Vec<u8>>,
}

impl DeliveryHandle {
    pub(crate) fn new(messenger: *mut MessengerHandle, delivery: DeliveryRef) -> Self {
        DeliveryHandle {
            messenger,
            delivery,
            tag: None,
        }
    }
}

fn engine_delivery(st: &State, d: DeliveryRef) -> Option<&Delivery> {
    st.messenger.connection(d.conn)?.delivery(d.delivery)
}

/// Run `f` on a delivery handle and its messenger's state; `default` for NULL or a panic.
#[inline(always)]
fn with_delivery<R: Copy>(
    delivery: *mut pn_delivery_t,
    default: R,
    f: impl FnOnce(&mut DeliveryHandle, &mut State) -> R,
) -> R {
    guard!(default, {
        // SAFETY: `delivery` is NULL or a live handle of a live messenger; the handle is
        // its own allocation, apart from the state.
        let Some(h) = (unsafe { (delivery as *mut DeliveryHandle).as_mut() }) else {
            return default;
        };
        // SAFETY: a delivery handle's messenger outlives it.
        match unsafe { state(h.messenger) } {
            Some(mut st) => f(h, &mut st),
            None => default,
        }
    })
}

/// The outcome code (PN_RECEIVED ... PN_MODIFIED) of a delivery state; 0 for none.
fn state_code(state: Option<&DeliveryState>) -> u64 {
    match state {
        None => 0,
        Some(DeliveryState::Received { .. }) => PN_RECEIVED,
        Some(DeliveryState::Accepted) => PN_ACCEPTED,
        Some(DeliveryState::Rejected { .. }) => PN_REJECTED,
        Some(DeliveryState::Released) => PN_RELEASED,
        Some(DeliveryState::Modified { .. }) => PN_MODIFIED,
        Some(DeliveryState::Other(_)) => 0,
    }
}

/// The delivery tag (bytes owned by the delivery handle); empty once the delivery has gone.
#[no_mangle]
pub extern "C" fn pn_delivery_tag(delivery: *mut pn_delivery_t) -> pn_delivery_tag_t {
    with_delivery(delivery, pn_bytes_t::NULL, |h, st| {
        if h.tag.is_none() {
            h.tag = engine_delivery(st, h.delivery).map(|d| d.tag.to_vec());
        }
        h.tag
            .as_deref()
            .map_or(pn_bytes_t::NULL, pn_bytes_t::from_slice)
    })
}

/// The link the delivery is on (owned by the messenger), or NULL once it has gone.
#[no_mangle]
pub extern "C" fn pn_delivery_link(delivery: *mut pn_delivery_t) -> *mut pn_link_t {
    with_delivery(delivery, std::ptr::null_mut(), |h, st| {
        let Some(link) = engine_delivery(st, h.delivery).map(|d| d.link) else {
            return std::ptr::null_mut();
        };
        let link = LinkRef {
            conn: h.delivery.conn,
            link,
        };
        st.link(h.messenger, link)
    })
}

/// This end's outcome code for the delivery (0, or PN_RECEIVED ... PN_MODIFIED).
#[no_mangle]
pub extern "C" fn pn_delivery_local_state(delivery: *mut pn_delivery_t) -> u64 {
    with_delivery(delivery, 0, |h, st| {
        state_code(engine_delivery(st, h.delivery).and_then(|d| d.local_state.as_ref()))
    })
}

/// The peer's outcome code for the delivery (0, or PN_RECEIVED ... PN_MODIFIED).
#[no_mangle]
pub extern "C" fn pn_delivery_remote_state(delivery: *mut pn_delivery_t) -> u64 {
    with_delivery(delivery, 0, |h, st| {
        state_code(engine_delivery(st, h.delivery).and_then(|d| d.remote_state.as_ref()))
    })
}

/// Whether the peer has settled the delivery.
#[no_mangle]
pub extern "C" fn pn_delivery_settled(delivery: *mut pn_delivery_t) -> bool {
    with_delivery(delivery, false, |h, st| {
        engine_delivery(st, h.delivery).is_some_and(|d| d.remote_settled)
    })
}

/// Set this end's outcome (PN_RECEIVED, PN_ACCEPTED, PN_REJECTED, PN_RELEASED or
/// PN_MODIFIED; other codes are ignored) and send it the next time the messenger does I/O.
/// Ignored once the delivery is settled here.
#[no_mangle]
pub extern "C" fn pn_delivery_update(delivery: *mut pn_delivery_t, state: u64) {
    with_delivery(delivery, (), |h, st| {
        let outcome = match state {
            PN_RECEIVED => DeliveryState::Received {
                section_number: 0,
                section_offset: 0,
            },
            PN_ACCEPTED => DeliveryState::Accepted,
            PN_REJECTED => DeliveryState::Rejected { error: None },
            PN_RELEASED => DeliveryState::Released,
            PN_MODIFIED => DeliveryState::Modified {
                delivery_failed: false,
                undeliverable_here: false,
                message_annotations: None,
            },
            _ => return,
        };
        if let Some(c) = st.messenger.connection_mut(h.delivery.conn) {
            c.update(h.delivery.delivery, outcome);
        }
    })
}

/// Whether an outgoing delivery is not yet completely written to the wire.
#[no_mangle]
pub extern "C" fn pn_delivery_buffered(delivery: *mut pn_delivery_t) -> bool {
    with_delivery(delivery, false, |h, st| {
        engine_delivery(st, h.delivery).is_some_and(|d| d.buffered())
    })
}
