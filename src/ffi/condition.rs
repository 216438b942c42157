//! condition.h: `pn_condition_t`, an AMQP error condition (name, description).
//!
//! Contract: the conditions handed out are the remote conditions of a messenger's links
//! (`pn_link_remote_condition`), owned by the link handle. Getters read the engine's link
//! each time (keeping the last value once the link has gone). Only the getters are
//! exported: a peer's condition is read-only.

use super::guard;
use super::messenger::{state, MessengerHandle};
use crate::messenger::LinkRef;
use libc::c_char;
use std::ffi::CString;

/// An error condition. Opaque to C.
pub struct pn_condition_t {
    _private: [u8; 0],
}

/// What a `pn_condition_t *` points to: the remote condition of a link.
pub(crate) struct ConditionHandle {
    messenger: *mut MessengerHandle,
    link: LinkRef,
    name: Option<CString>,
    description: Option<CString>,
}

impl ConditionHandle {
    pub(crate) fn new(messenger: *mut MessengerHandle, link: LinkRef) -> Self {
        ConditionHandle {
            messenger,
            link,
            name: None,
            description: None,
        }
    }

    /// Read the condition from the engine, if the link is still there.
    fn refresh(&mut self) {
        // SAFETY: a condition handle's messenger outlives it; the handle is a separate
        // allocation from the messenger state.
        let Some(st) = (unsafe { state(self.messenger) }) else {
            return;
        };
        let Some(link) = st
            .messenger
            .connection(self.link.conn)
            .and_then(|c| c.link(self.link.link))
        else {
            return;
        };
        let text = |s: &str| CString::new(s.replace('\0', "")).unwrap_or_default();
        let condition = link.endpoint.remote_condition.as_ref();
        self.name = condition.map(|c| text(&c.condition));
        self.description = condition.and_then(|c| c.description.as_deref().map(text));
    }
}

/// Run `f` on a refreshed condition handle; `default` for NULL or a panic.
#[inline(always)]
fn with_condition<R: Copy>(
    condition: *mut pn_condition_t,
    default: R,
    f: impl FnOnce(&ConditionHandle) -> R,
) -> R {
    guard!(default, {
        // SAFETY: `condition` is NULL or a live handle owned by a live link handle.
        match unsafe { (condition as *mut ConditionHandle).as_mut() } {
            Some(c) => {
                c.refresh();
                f(c)
            }
            None => default,
        }
    })
}

/// Whether the condition has a name (the peer reported an error).
#[no_mangle]
pub extern "C" fn pn_condition_is_set(condition: *mut pn_condition_t) -> bool {
    with_condition(condition, false, |c| c.name.is_some())
}

/// The condition's symbolic name, e.g. "amqp:not-found" (owned by the condition), or NULL.
#[no_mangle]
pub extern "C" fn pn_condition_get_name(condition: *mut pn_condition_t) -> *const c_char {
    with_condition(condition, std::ptr::null(), |c| {
        c.name.as_ref().map_or(std::ptr::null(), |n| n.as_ptr())
    })
}

/// The condition's description (owned by the condition), or NULL.
#[no_mangle]
pub extern "C" fn pn_condition_get_description(condition: *mut pn_condition_t) -> *const c_char {
    with_condition(condition, std::ptr::null(), |c| {
        c.description
            .as_ref()
            .map_or(std::ptr::null(), |d| d.as_ptr())
    })
}
