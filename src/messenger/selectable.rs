//! Selectables: the messenger's I/O handles, for an application that runs its own poll
//! loop (passive mode, API.md 3.2).
//!
//! A messenger has one selectable for its interrupt pipe, one per listener and one per
//! connection. Each carries an fd, read/write interest, a deadline (wall-clock ms, 0 for
//! none), the application's "registered" flag and a terminal flag. `pn_messenger_selectable`
//! hands out the last entry of a pending list: every new selectable is queued once, and a
//! registered one is queued again whenever its state may have changed (after one of its
//! readable/writable/expired/error calls, or when its interest changed). In passive mode
//! the messenger never touches a socket on its own: the application calls
//! [`Messenger::sel_readable`] and friends when the fd is ready, and finally
//! [`Messenger::sel_release`] on a terminal selectable, which closes its socket and lets
//! the connection or listener go (only then can `stopped` become true).
//!
//! The work done for a ready connection is the same code the messenger's own `mio` loop
//! runs (`read_conn`, `flush_conn`, `process_events`); only who decides when differs.

use super::{ConnId, ListenerId, Messenger};
use crate::engine::slab::{Key, Slab};
use std::os::fd::{AsRawFd, RawFd};
use std::time::Instant;

/// Identifies a selectable of the messenger.
pub type SelId = Key;

/// What a selectable stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SelKind {
    /// The read end of the interrupt pipe (`pn_messenger_interrupt`).
    Interrupt,
    Listener(ListenerId),
    Conn(ConnId),
}

/// One selectable's state, as the application sees it.
#[derive(Clone, Debug)]
pub struct Selectable {
    pub kind: SelKind,
    pub fd: RawFd,
    pub reading: bool,
    pub writing: bool,
    /// Wall-clock ms at which `expired` should be called; 0 for none.
    pub deadline: i64,
    pub registered: bool,
    pub terminal: bool,
    /// In the pending list.
    pending: bool,
    /// What the connection had to write and to send (bytes, queued deliveries) at the last
    /// update: a change means the application must hear about it again (0.37 queues the
    /// selectable on every such transport event, whether or not its interest changed).
    activity: (usize, usize),
}

/// The messenger's selectables and the pending list.
#[derive(Default)]
pub struct Selectables {
    slab: Slab<Selectable>,
    pending: Vec<SelId>,
}

impl Selectables {
    /// A new selectable, queued for the application.
    pub fn add(&mut self, kind: SelKind, fd: RawFd, reading: bool) -> SelId {
        let id = self.slab.insert(Selectable {
            kind,
            fd,
            reading,
            writing: false,
            deadline: 0,
            registered: false,
            terminal: false,
            pending: true,
            activity: (0, 0),
        });
        self.pending.push(id);
        id
    }

    pub fn get(&self, id: SelId) -> Option<&Selectable> {
        self.slab.get(id)
    }

    pub fn get_mut(&mut self, id: SelId) -> Option<&mut Selectable> {
        self.slab.get_mut(id)
    }

    pub fn remove(&mut self, id: SelId) {
        if self.slab.remove(id).is_some() {
            self.pending.retain(|&p| p != id);
        }
    }

    /// The selectable's state may have changed: queue it again if the application
    /// registered it and it is not queued yet.
    pub fn modified(&mut self, id: SelId) {
        if let Some(s) = self.slab.get_mut(id) {
            if s.registered && !s.pending {
                s.pending = true;
                self.pending.push(id);
            }
        }
    }

    /// The most recently queued selectable.
    fn pop(&mut self) -> Option<SelId> {
        let id = self.pending.pop()?;
        if let Some(s) = self.slab.get_mut(id) {
            s.pending = false;
        }
        Some(id)
    }

    /// What the messenger's own loop does with the pending list when it is not passive
    /// (as 0.37's): take every entry and register it.
    pub fn absorb(&mut self) {
        while let Some(id) = self.pop() {
            if let Some(s) = self.slab.get_mut(id) {
                s.registered = true;
            }
        }
    }
}

/// `now` on the wall clock (CLOCK_REALTIME), in ms since the epoch.
fn wall_now_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

/// A monotonic instant on the wall clock, in ms since the epoch.
pub fn wall_ms(at: Instant) -> i64 {
    let now = Instant::now();
    let wall = wall_now_ms();
    if at >= now {
        wall + (at - now).as_millis() as i64
    } else {
        wall - (now - at).as_millis() as i64
    }
}

impl Messenger {
    /// `pn_messenger_selectable`: bring every connection's selectable up to date (queueing
    /// the registered ones whose interest changed), then pop the most recent pending one.
    pub fn selectable(&mut self) -> Option<SelId> {
        for id in self.conns.keys().collect::<Vec<_>>() {
            self.process_events(id);
            self.emit_traces(id);
        }
        self.distribute_credit();
        for id in self.conns.keys().collect::<Vec<_>>() {
            self.update_conn_sel(id, false);
        }
        self.sels.pop()
    }

    /// The state of selectable `id`, while it exists.
    pub fn sel(&self, id: SelId) -> Option<&Selectable> {
        self.sels.get(id)
    }

    /// The state of selectable `id`, for the application's setters.
    pub fn sel_mut(&mut self, id: SelId) -> Option<&mut Selectable> {
        self.sels.get_mut(id)
    }

    /// Recompute a connection selectable's interest, deadline and terminal flag; queue it
    /// again (if registered) when something changed, new frames or deliveries wait, or
    /// `touched` (a callback ran on it).
    fn update_conn_sel(&mut self, id: ConnId, touched: bool) {
        let credit_deadline = self.credit.deadline();
        let Some(c) = self.conns.get_mut(id) else {
            return;
        };
        let terminal = c.dead || c.engine.is_closed();
        let reading = !terminal && !c.engine.input_closed();
        let output = c.engine.poll_output().len();
        let queued: usize = c.engine.links().map(|l| c.engine.queued(l)).sum();
        let activity = (output, queued);
        let writing = !terminal && output > 0;
        let at = match (credit_deadline, c.engine.poll_timeout()) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let deadline = at.map_or(0, wall_ms);
        let fd = c.stream.as_raw_fd();
        let Some(sel_id) = c.sel else {
            return;
        };
        let Some(s) = self.sels.get_mut(sel_id) else {
            return;
        };
        let changed = s.reading != reading
            || s.writing != writing
            || s.deadline != deadline
            || (terminal && !s.terminal)
            || s.fd != fd
            || activity != s.activity;
        s.activity = activity;
        s.reading = reading;
        s.writing = writing;
        s.deadline = deadline;
        s.fd = fd;
        s.terminal |= terminal;
        if changed || touched {
            self.sels.modified(sel_id);
        }
    }

    /// After I/O or a timer on a connection: handle its events, hand out credit, and
    /// refresh its selectable.
    fn after_sel_io(&mut self, id: ConnId) {
        self.process_events(id);
        self.emit_traces(id);
        self.distribute_credit();
        self.worked = true;
        self.update_conn_sel(id, true);
    }

    /// `pn_selectable_readable`: the fd has something to read.
    pub fn sel_readable(&mut self, id: SelId) {
        let Some(kind) = self.sels.get(id).map(|s| s.kind) else {
            return;
        };
        match kind {
            SelKind::Interrupt => {
                if self.net.take_interrupt() {
                    self.interrupted = true;
                }
            }
            SelKind::Listener(l) => {
                if self.listeners.get(l).is_some() {
                    self.accept(l.index());
                    self.worked = true;
                }
            }
            SelKind::Conn(c) => {
                self.read_conn(c);
                self.after_sel_io(c);
            }
        }
    }

    /// `pn_selectable_writable`: the fd can take bytes.
    pub fn sel_writable(&mut self, id: SelId) {
        if let Some(SelKind::Conn(c)) = self.sels.get(id).map(|s| s.kind) {
            if let Some(conn) = self.conns.get_mut(c) {
                conn.writable = true;
            }
            self.flush_conn(c);
            self.after_sel_io(c);
        }
    }

    /// `pn_selectable_expired`: the deadline passed (heartbeats, credit rebalancing).
    pub fn sel_expired(&mut self, id: SelId) {
        if let Some(SelKind::Conn(c)) = self.sels.get(id).map(|s| s.kind) {
            let now = Instant::now();
            if let Some(conn) = self.conns.get_mut(c) {
                if conn.engine.poll_timeout().is_some_and(|t| t <= now) {
                    conn.engine.handle_timeout(now);
                }
            }
            self.after_sel_io(c);
        }
    }

    /// `pn_selectable_error`: the fd failed; both directions of the connection end.
    pub fn sel_error(&mut self, id: SelId) {
        if let Some(SelKind::Conn(c)) = self.sels.get(id).map(|s| s.kind) {
            if let Some(conn) = self.conns.get_mut(c) {
                conn.engine.handle_eof();
                let pending = conn.engine.poll_output().len();
                conn.engine.consume_output(pending, Instant::now());
                conn.dead = true;
            }
            self.after_sel_io(c);
        }
    }

    /// `pn_selectable_terminate`.
    pub fn sel_terminate(&mut self, id: SelId) {
        if let Some(s) = self.sels.get_mut(id) {
            s.terminal = true;
        }
    }

    /// `pn_selectable_release` of a terminal selectable: close its socket and forget its
    /// connection or listener. Returns false (and does nothing) for a selectable that is
    /// not terminal.
    pub fn sel_release(&mut self, id: SelId) -> bool {
        let Some(s) = self.sels.get(id) else {
            return true;
        };
        if !s.terminal {
            return false;
        }
        match s.kind {
            SelKind::Interrupt => {}
            SelKind::Listener(l) => self.drop_listener(l),
            SelKind::Conn(c) => self.reclaim(c),
        }
        self.sels.remove(id);
        true
    }

    /// Give new connection `id` its selectable (queued for the application).
    pub(super) fn add_conn_sel(&mut self, id: ConnId) {
        if let Some(c) = self.conns.get_mut(id) {
            c.sel = Some(self.sels.add(SelKind::Conn(id), c.stream.as_raw_fd(), true));
        }
    }

    /// Give new listener `id` its selectable (queued for the application).
    pub(super) fn add_listener_sel(&mut self, id: ListenerId) {
        if let Some(l) = self.listeners.get_mut(id) {
            l.sel = Some(
                self.sels
                    .add(SelKind::Listener(id), l.socket.as_raw_fd(), true),
            );
        }
    }

    /// Leaving passive mode: the `mio` loop may have missed readiness while the application
    /// did the I/O, so look at every socket once.
    pub(super) fn resume_io(&mut self) {
        for id in self.listeners.keys().collect::<Vec<_>>() {
            self.accept(id.index());
        }
        for id in self.conns.keys().collect::<Vec<_>>() {
            if let Some(c) = self.conns.get_mut(id) {
                c.writable = true;
            }
            self.read_conn(id);
        }
        if self.net.take_interrupt() {
            self.interrupted = true;
        }
    }

    /// Stop listening on `l`.
    pub(super) fn drop_listener(&mut self, l: ListenerId) {
        if let Some(mut listener) = self.listeners.remove(l) {
            let _ = self.net.poll.registry().deregister(&mut listener.socket);
            if let Some(sel) = listener.sel {
                self.sels.remove(sel);
            }
        }
    }

    /// Stop on `l` in passive mode: its selectable turns terminal; the listener goes when
    /// the application releases it.
    pub(super) fn terminate_listener(&mut self, l: ListenerId) {
        if let Some(sel) = self.listeners.get(l).and_then(|x| x.sel) {
            self.sel_terminate(sel);
            self.sels.modified(sel);
        }
    }
}
