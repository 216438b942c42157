//! terminus.h: `pn_terminus_t`, the sources and targets of a messenger's links.
//!
//! Contract: a `pn_terminus_t *` comes from `pn_link_source`/`target`/`remote_source`/
//! `remote_target` and points to a [`TerminusHandle`] owned by the link handle. Getters
//! read the engine's link each time; once the link has gone they return the empty value.
//! Setters are not exported: a messenger's link termini are fixed when it attaches.

use super::guard;
use super::messenger::{state, MessengerHandle};
use crate::engine::endpoint::Link;
use crate::engine::performative::{Terminus, TerminusField};
use crate::messenger::LinkRef;
use libc::c_char;
use std::ffi::CString;

/// A source or target. Opaque to C.
pub struct pn_terminus_t {
    _private: [u8; 0],
}

/// The kind of a terminus.
pub type pn_terminus_type_t = libc::c_int;

/// Not (yet) known, e.g. the remote source before the peer attached.
pub const PN_UNSPECIFIED: pn_terminus_type_t = 0;
pub const PN_SOURCE: pn_terminus_type_t = 1;
pub const PN_TARGET: pn_terminus_type_t = 2;
/// A transaction coordinator.
pub const PN_COORDINATOR: pn_terminus_type_t = 3;

/// What state a terminus keeps across link recovery (spec 3.5.5).
pub type pn_durability_t = libc::c_int;

pub const PN_NONDURABLE: pn_durability_t = 0;
pub const PN_CONFIGURATION: pn_durability_t = 1;
pub const PN_DELIVERIES: pn_durability_t = 2;

/// When a terminus expires (spec 3.5.6).
pub type pn_expiry_policy_t = libc::c_int;

pub const PN_EXPIRE_WITH_LINK: pn_expiry_policy_t = 0;
pub const PN_EXPIRE_WITH_SESSION: pn_expiry_policy_t = 1;
pub const PN_EXPIRE_WITH_CONNECTION: pn_expiry_policy_t = 2;
pub const PN_EXPIRE_NEVER: pn_expiry_policy_t = 3;

/// How a source distributes messages (spec 3.5.7).
pub type pn_distribution_mode_t = libc::c_int;

pub const PN_DIST_MODE_UNSPECIFIED: pn_distribution_mode_t = 0;
pub const PN_DIST_MODE_COPY: pn_distribution_mode_t = 1;
pub const PN_DIST_MODE_MOVE: pn_distribution_mode_t = 2;

/// Which terminus of a link a handle stands for (the index into the link's termini).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Which {
    Source = 0,
    Target = 1,
    RemoteSource = 2,
    RemoteTarget = 3,
}

/// What a `pn_terminus_t *` points to.
pub(crate) struct TerminusHandle {
    messenger: *mut MessengerHandle,
    link: LinkRef,
    which: Which,
    /// The last address handed out.
    address: Option<CString>,
}

impl TerminusHandle {
    pub(crate) fn new(messenger: *mut MessengerHandle, link: LinkRef, which: Which) -> Self {
        TerminusHandle {
            messenger,
            link,
            which,
            address: None,
        }
    }
}

/// The terminus field of a link a handle stands for: None if the link has gone, Some(None)
/// if the field is absent (or the peer has not attached yet).
fn field(link: &Link, which: Which) -> Option<&TerminusField> {
    match which {
        Which::Source => link.local.source.as_ref(),
        Which::Target => link.local.target.as_ref(),
        Which::RemoteSource => link.remote.as_ref()?.source.as_ref(),
        Which::RemoteTarget => link.remote.as_ref()?.target.as_ref(),
    }
}

/// Run `f` on the terminus a handle stands for (`None` when absent); `default` for NULL,
/// a link that has gone, or a panic.
#[inline(always)]
fn with_terminus<R: Copy>(
    terminus: *mut pn_terminus_t,
    default: R,
    f: impl FnOnce(&mut TerminusHandle, Option<&TerminusField>) -> R,
) -> R {
    guard!(default, {
        // SAFETY: `terminus` is NULL or a live handle owned by a live link handle; it is a
        // separate allocation from the messenger state.
        let Some(h) = (unsafe { (terminus as *mut TerminusHandle).as_mut() }) else {
            return default;
        };
        // SAFETY: a terminus handle's messenger outlives it.
        let Some(st) = (unsafe { state(h.messenger) }) else {
            return default;
        };
        let link = st
            .messenger
            .connection(h.link.conn)
            .and_then(|c| c.link(h.link.link));
        match link {
            Some(l) => {
                let which = h.which;
                f(h, field(l, which))
            }
            None => default,
        }
    })
}

fn terminus_of(field: Option<&TerminusField>) -> Option<&Terminus> {
    match field {
        Some(TerminusField::Terminus(t)) => Some(t),
        _ => None,
    }
}

/// The kind of terminus: PN_SOURCE or PN_TARGET (PN_COORDINATOR for a coordinator
/// target); a remote terminus is PN_UNSPECIFIED until the peer attached.
#[no_mangle]
pub extern "C" fn pn_terminus_get_type(terminus: *mut pn_terminus_t) -> pn_terminus_type_t {
    with_terminus(terminus, PN_UNSPECIFIED, |h, f| {
        let remote = matches!(h.which, Which::RemoteSource | Which::RemoteTarget);
        let source = matches!(h.which, Which::Source | Which::RemoteSource);
        match (f, remote, source) {
            (None, true, _) => PN_UNSPECIFIED,
            (Some(TerminusField::Other(_)), _, false) => PN_COORDINATOR,
            (_, _, true) => PN_SOURCE,
            (_, _, false) => PN_TARGET,
        }
    })
}

/// The terminus address (owned by the link, valid until the next call), or NULL.
#[no_mangle]
pub extern "C" fn pn_terminus_get_address(terminus: *mut pn_terminus_t) -> *const c_char {
    with_terminus(terminus, std::ptr::null(), |h, f| {
        h.address = terminus_of(f)
            .and_then(|t| t.address.as_deref())
            .map(|a| CString::new(a.replace('\0', "")).unwrap_or_default());
        h.address.as_ref().map_or(std::ptr::null(), |a| a.as_ptr())
    })
}

/// Whether the terminus asks the peer to create a node (messenger: the address path "#").
#[no_mangle]
pub extern "C" fn pn_terminus_is_dynamic(terminus: *mut pn_terminus_t) -> bool {
    with_terminus(terminus, false, |_, f| {
        terminus_of(f).is_some_and(|t| t.dynamic)
    })
}
