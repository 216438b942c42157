//! The state kept for each session, link and delivery of a connection.

use super::dispositions::PendingDispositions;
use super::performative::{
    DeliveryState, ErrorCondition, RcvSettleMode, Role, SndSettleMode, TerminusField,
};
use super::slab::Key;
use super::tag::DeliveryTag;
use super::unsettled::Unsettled;
use std::cell::Cell;
use std::collections::{HashMap, VecDeque};

/// Identifies a session of a connection.
pub type SessionId = Key;
/// Identifies a link of a connection.
pub type LinkId = Key;
/// Identifies a delivery of a connection.
pub type DeliveryId = Key;

/// Where one end of a connection, session or link is in its open/close handshake.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum EndpointState {
    Uninit,
    Active,
    Closed,
}

/// The local and remote halves of an endpoint's lifecycle, and the remote error.
#[derive(Clone, Debug)]
pub struct Endpoint {
    pub local: EndpointState,
    pub remote: EndpointState,
    pub local_condition: Option<ErrorCondition>,
    pub remote_condition: Option<ErrorCondition>,
}

impl Default for Endpoint {
    fn default() -> Self {
        Endpoint {
            local: EndpointState::Uninit,
            remote: EndpointState::Uninit,
            local_condition: None,
            remote_condition: None,
        }
    }
}

/// The incoming window a session advertises; refreshed when half used.
pub const SESSION_WINDOW: u32 = 0x7fff_ffff;

#[derive(Debug)]
pub struct Session {
    pub endpoint: Endpoint,
    pub local_channel: Option<u16>,
    pub remote_channel: Option<u16>,
    /// Whether our begin has been written.
    pub begin_sent: bool,
    pub end_sent: bool,
    // Outgoing transfer numbering and the peer's window (spec 2.5.6).
    pub next_outgoing_id: u32,
    pub remote_incoming_window: u32,
    // Incoming transfer numbering and our window.
    pub next_incoming_id: u32,
    pub incoming_window: u32,
    pub remote_outgoing_window: u32,
    /// Links by the handle the peer uses for them.
    pub remote_handles: RemoteHandles,
    /// Our handles: index = handle.
    pub local_handles: Vec<Option<LinkId>>,
    /// Unsettled deliveries we sent, by delivery-id.
    pub outgoing_unsettled: Unsettled,
    /// Unsettled deliveries we received, by delivery-id.
    pub incoming_unsettled: Unsettled,
    /// Dispositions waiting to be written.
    pub pending_dispositions: PendingDispositions,
    /// Every link of this session, in creation order (so flushing a session does not
    /// walk the links of every other session).
    pub links: Vec<LinkId>,
    /// The session window must be re-advertised.
    pub flow_pending: bool,
    /// The delivery-id of the next delivery we send on this session (spec 2.6.12:
    /// delivery-ids are sequential per session).
    pub next_delivery_id: u32,
    /// The application is done with it: freed once ended and without links.
    pub released: bool,
}

impl Default for Session {
    fn default() -> Self {
        Session::new()
    }
}

impl Session {
    pub fn new() -> Session {
        Session {
            endpoint: Endpoint::default(),
            local_channel: None,
            remote_channel: None,
            begin_sent: false,
            end_sent: false,
            next_outgoing_id: 0,
            remote_incoming_window: 0,
            next_incoming_id: 0,
            incoming_window: SESSION_WINDOW,
            remote_outgoing_window: 0,
            remote_handles: RemoteHandles::default(),
            local_handles: Vec::new(),
            outgoing_unsettled: Unsettled::default(),
            incoming_unsettled: Unsettled::default(),
            pending_dispositions: PendingDispositions::default(),
            links: Vec::new(),
            flow_pending: false,
            next_delivery_id: 0,
            released: false,
        }
    }

    /// The lowest free local handle, now taken by `link`.
    pub fn take_handle(&mut self, link: LinkId) -> u32 {
        match self.local_handles.iter().position(Option::is_none) {
            Some(h) => {
                self.local_handles[h] = Some(link);
                h as u32
            }
            None => {
                self.local_handles.push(Some(link));
                self.local_handles.len() as u32 - 1
            }
        }
    }
}

/// The peer's handles on a session. Transfers come in runs on one link, so the last
/// lookup is remembered and the common case skips hashing.
#[derive(Debug, Default)]
pub struct RemoteHandles {
    map: HashMap<u32, LinkId>,
    last: Cell<Option<(u32, LinkId)>>,
}

impl RemoteHandles {
    pub fn get(&self, handle: u32) -> Option<LinkId> {
        match self.last.get() {
            Some((h, link)) if h == handle => Some(link),
            _ => {
                let link = self.map.get(&handle).copied();
                if let Some(link) = link {
                    self.last.set(Some((handle, link)));
                }
                link
            }
        }
    }

    pub fn contains(&self, handle: u32) -> bool {
        self.map.contains_key(&handle)
    }

    pub fn insert(&mut self, handle: u32, link: LinkId) {
        self.last.set(None);
        self.map.insert(handle, link);
    }

    pub fn remove(&mut self, handle: u32) -> Option<LinkId> {
        self.last.set(None);
        self.map.remove(&handle)
    }

    /// Forget every handle, giving their links.
    pub fn drain(&mut self) -> impl Iterator<Item = LinkId> + '_ {
        self.last.set(None);
        self.map.drain().map(|(_, link)| link)
    }
}

/// The settings of one link end, as sent in attach.
#[derive(Clone, Debug)]
pub struct LinkSettings {
    pub name: String,
    pub role: Role,
    pub source: Option<TerminusField>,
    pub target: Option<TerminusField>,
    pub snd_settle_mode: SndSettleMode,
    pub rcv_settle_mode: RcvSettleMode,
    pub max_message_size: Option<u64>,
}

#[derive(Debug)]
pub struct Link {
    pub session: SessionId,
    pub endpoint: Endpoint,
    pub local: LinkSettings,
    /// What the peer sent in its attach.
    pub remote: Option<LinkSettings>,
    pub local_handle: Option<u32>,
    pub remote_handle: Option<u32>,
    pub attach_sent: bool,
    pub detach_sent: bool,
    /// The detach should say closed=true.
    pub closing: bool,
    /// Deliveries sent so far (sender) or received so far (receiver), spec 2.6.7.
    pub delivery_count: u32,
    /// Sender: credit the peer gave us. Receiver: credit we gave the peer.
    pub credit: u32,
    /// Sender: the peer asked us to drain. Receiver: we asked the peer to drain.
    pub drain: bool,
    /// Receiver: credit the sender gave back (by advancing its delivery-count without
    /// transfers, as in answer to a drain) and nobody has collected yet.
    pub returned_credit: u32,
    /// A flow frame for this link must be written.
    pub flow_pending: bool,
    /// Sender: deliveries waiting for credit or the session window, in order.
    pub queue: VecDeque<DeliveryId>,
    /// Receiver: the delivery whose transfer frames are still arriving.
    pub incoming: Option<DeliveryId>,
    /// Deliveries of this link not yet forgotten.
    pub live_deliveries: usize,
    /// The application is done with it: freed once closed and without deliveries.
    pub released: bool,
}

impl Link {
    /// A link of `session` with our settings, not yet attached at either end.
    pub fn new(session: SessionId, local: LinkSettings) -> Link {
        Link {
            session,
            endpoint: Endpoint::default(),
            local,
            remote: None,
            local_handle: None,
            remote_handle: None,
            attach_sent: false,
            detach_sent: false,
            closing: false,
            delivery_count: 0,
            credit: 0,
            drain: false,
            returned_credit: 0,
            flow_pending: false,
            queue: VecDeque::new(),
            incoming: None,
            live_deliveries: 0,
            released: false,
        }
    }

    pub fn is_sender(&self) -> bool {
        self.local.role == Role::Sender
    }
}

#[derive(Debug)]
pub struct Delivery {
    pub link: LinkId,
    pub tag: DeliveryTag,
    /// The transfer delivery-id, once assigned.
    pub transfer_id: Option<u32>,
    pub message_format: u32,
    pub payload: Vec<u8>,
    /// Outgoing: bytes of the payload already written into frames.
    pub written: usize,
    pub outgoing: bool,
    /// Incoming: all transfer frames have arrived.
    pub complete: bool,
    pub aborted: bool,
    pub local_state: Option<DeliveryState>,
    pub remote_state: Option<DeliveryState>,
    pub local_settled: bool,
    pub remote_settled: bool,
    /// The application has given up the delivery; it goes once nothing refers to it.
    pub released: bool,
    /// Outgoing: when it was sent, counted per connection; transfers go out in this
    /// order across all links (as proton's transport writes them).
    pub seq: u64,
    /// The application took the payload ([`super::Connection::take_payload`]).
    pub taken: bool,
}

impl Delivery {
    /// Outgoing and not yet completely written (an aborted delivery that never went out
    /// is not; one aborted part-way is, until its aborted transfer is written).
    pub fn buffered(&self) -> bool {
        self.outgoing
            && ((self.transfer_id.is_none() && !self.aborted) || self.written < self.payload.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::slab::Slab;

    #[test]
    fn remote_handles_forget_the_remembered_link_when_handles_change() {
        let mut links = Slab::default();
        let (a, b) = (links.insert(1), links.insert(2));
        let mut h = RemoteHandles::default();
        h.insert(7, a);
        assert_eq!(h.get(7), Some(a));
        assert_eq!(h.get(7), Some(a));
        assert_eq!(h.remove(7), Some(a));
        assert_eq!(h.get(7), None);
        h.insert(7, b);
        assert_eq!(h.get(7), Some(b));
        assert_eq!(h.drain().collect::<Vec<_>>(), vec![b]);
        assert_eq!(h.get(7), None);
        assert!(!h.contains(7));
    }
}
