//! Tracker numbering and windows (API.md 3.5).
//!
//! Each direction numbers its messages with a 32-bit sequence (`lwm`..`hwm`); an entry is
//! tracked while it is among the newest `window` sequences. The messenger destroys an
//! entry (and settles its delivery) once it is neither queued nor tracked.

use std::collections::VecDeque;

/// Bit 60 marks incoming trackers.
pub const INCOMING_BIT: u64 = 0x1000_0000_0000_0000;

/// Tracker status (`pn_status_t`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    Unknown = 0,
    Pending = 1,
    Accepted = 2,
    Rejected = 3,
    Released = 4,
    Modified = 5,
    Aborted = 6,
    Settled = 7,
}

/// The sequence numbers of one direction and which of them are tracked.
///
/// Sequences `lwm..hwm` are slots of a deque (`slots[i]` is `lwm + i`), `None` once
/// untracked: pushing and evicting are O(1), and the deque never holds more than the
/// window (plus the entries before the oldest one still tracked, when a negative window
/// tracks everything).
#[derive(Debug)]
pub struct Window<T> {
    lwm: u32,
    hwm: u32,
    /// The window, stored unsigned as proton does: a negative value tracks everything.
    window: u32,
    slots: VecDeque<Option<T>>,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            lwm: 0,
            hwm: 0,
            window: 0,
            slots: VecDeque::new(),
        }
    }
}

impl<T> Window<T> {
    pub fn set_window(&mut self, window: i32) {
        self.window = window as u32;
    }

    /// The last sequence handed out, if any.
    pub fn last(&self) -> Option<u32> {
        (self.hwm != 0).then(|| self.hwm.wrapping_sub(1))
    }

    /// Assign the next sequence to `value` and track it; entries that fall out of the
    /// window come out of [`Window::evict`].
    pub fn push(&mut self, value: T) -> u32 {
        let seq = self.hwm;
        self.hwm = self.hwm.wrapping_add(1);
        self.slots.push_back(Some(value));
        seq
    }

    /// The oldest entry beyond the window, if any (call until None after a push).
    pub fn evict(&mut self) -> Option<(u32, T)> {
        while self.hwm.wrapping_sub(self.lwm) > self.window {
            let seq = self.lwm;
            self.lwm = self.lwm.wrapping_add(1);
            if let Some(v) = self.slots.pop_front().flatten() {
                return Some((seq, v));
            }
        }
        None
    }

    fn index(&self, seq: u32) -> Option<usize> {
        let i = seq.wrapping_sub(self.lwm) as usize;
        (i < self.slots.len()).then_some(i)
    }

    pub fn get(&self, seq: u32) -> Option<&T> {
        self.index(seq).and_then(|i| self.slots[i].as_ref())
    }

    pub fn get_mut(&mut self, seq: u32) -> Option<&mut T> {
        self.index(seq).and_then(|i| self.slots[i].as_mut())
    }

    /// Tracked sequences from the window start (if `cumulative`) or `seq` alone, up to `seq`.
    pub fn range(&self, seq: u32, cumulative: bool) -> Vec<u32> {
        self.span(seq, cumulative)
            .filter(|&s| self.get(s).is_some())
            .collect()
    }

    /// The sequences [`Window::range`] looks at (tracked or not), without borrowing the
    /// window: from the window start (if `cumulative`) or `seq`, up to `seq` (or the end).
    pub fn span(&self, seq: u32, cumulative: bool) -> impl Iterator<Item = u32> {
        let start = if cumulative { self.lwm } else { seq };
        let steps = seq.wrapping_sub(start).min(self.hwm.wrapping_sub(start));
        (0..=steps).map(move |i| start.wrapping_add(i))
    }

    /// Stop tracking `seq`, then advance the window start past untracked sequences.
    pub fn untrack(&mut self, seq: u32) -> Option<T> {
        let v = self.index(seq).and_then(|i| self.slots[i].take());
        while self.slots.front().is_some_and(Option::is_none) {
            self.slots.pop_front();
            self.lwm = self.lwm.wrapping_add(1);
        }
        v
    }

    /// Take every tracked entry (the messenger is going away or resetting).
    pub fn drain(&mut self) -> Vec<(u32, T)> {
        let lwm = self.lwm;
        self.lwm = self.hwm;
        std::mem::take(&mut self.slots)
            .into_iter()
            .enumerate()
            .filter_map(|(i, v)| v.map(|v| (lwm.wrapping_add(i as u32), v)))
            .collect()
    }

    /// Every tracked entry, oldest first.
    pub fn values_mut(&mut self) -> impl Iterator<Item = (u32, &mut T)> {
        let lwm = self.lwm;
        self.slots
            .iter_mut()
            .enumerate()
            .filter_map(move |(i, v)| v.as_mut().map(|v| (lwm.wrapping_add(i as u32), v)))
    }

    /// Every tracked entry, oldest first.
    pub fn iter_tracked(&self) -> impl Iterator<Item = (u32, &T)> {
        self.iter_from(self.lwm)
    }

    /// Tracked entries from `seq` on (from the window start if `seq` is before it).
    pub fn iter_from(&self, seq: u32) -> impl Iterator<Item = (u32, &T)> {
        let lwm = self.lwm;
        let skip = self
            .index(seq)
            .unwrap_or(if seq == self.hwm { self.slots.len() } else { 0 });
        self.slots
            .iter()
            .enumerate()
            .skip(skip)
            .filter_map(move |(i, v)| v.as_ref().map(|v| (lwm.wrapping_add(i as u32), v)))
    }

    /// The first sequence still in the window (tracked or not).
    pub fn start(&self) -> u32 {
        self.lwm
    }

    /// The next sequence to be handed out.
    pub fn end(&self) -> u32 {
        self.hwm
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_tracks_the_newest_entries() {
        let mut w = Window::default();
        w.set_window(3);
        for i in 0..3 {
            assert_eq!(w.push(i), i);
            assert_eq!(w.evict(), None);
        }
        assert_eq!(w.push(3), 3);
        assert_eq!(w.evict(), Some((0, 0)));
        assert_eq!(w.evict(), None);
        assert_eq!(w.range(3, true), vec![1, 2, 3]);
        assert_eq!(w.untrack(1), Some(1));
        assert_eq!(w.range(3, true), vec![2, 3]);
    }

    #[test]
    fn window_zero_tracks_nothing_and_negative_tracks_everything() {
        let mut w = Window::default();
        assert_eq!(w.push("a"), 0);
        assert_eq!(w.evict(), Some((0, "a")));
        let mut all = Window::default();
        all.set_window(-1);
        for i in 0..1000 {
            all.push(i);
            assert_eq!(all.evict(), None);
        }
        assert_eq!(all.last(), Some(999));
    }
}
