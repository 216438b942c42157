//! Tracker numbering and windows (API.md 3.5).
//!
//! Each direction numbers its messages with a 32-bit sequence (`lwm`..`hwm`); an entry is
//! tracked while it is among the newest `window` sequences. The messenger destroys an
//! entry (and settles its delivery) once it is neither queued nor tracked.

use std::collections::BTreeMap;

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
#[derive(Debug)]
pub struct Window<T> {
    lwm: u32,
    hwm: u32,
    /// The window, stored unsigned as proton does: a negative value tracks everything.
    window: u32,
    tracked: BTreeMap<u32, T>,
}

impl<T> Default for Window<T> {
    fn default() -> Self {
        Window {
            lwm: 0,
            hwm: 0,
            window: 0,
            tracked: BTreeMap::new(),
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

    /// Assign the next sequence to `value`, track it, and return it with every entry that
    /// fell out of the window (oldest first).
    pub fn push(&mut self, value: T) -> (u32, Vec<(u32, T)>) {
        let seq = self.hwm;
        self.hwm = self.hwm.wrapping_add(1);
        self.tracked.insert(seq, value);
        let mut evicted = Vec::new();
        while self.hwm.wrapping_sub(self.lwm) > self.window {
            if let Some(v) = self.tracked.remove(&self.lwm) {
                evicted.push((self.lwm, v));
            }
            self.lwm = self.lwm.wrapping_add(1);
        }
        (seq, evicted)
    }

    pub fn get(&self, seq: u32) -> Option<&T> {
        self.tracked.get(&seq)
    }

    pub fn get_mut(&mut self, seq: u32) -> Option<&mut T> {
        self.tracked.get_mut(&seq)
    }

    /// Tracked sequences from the window start (if `cumulative`) or `seq` alone, up to `seq`.
    pub fn range(&self, seq: u32, cumulative: bool) -> Vec<u32> {
        let start = if cumulative { self.lwm } else { seq };
        let mut out = Vec::new();
        let mut s = start;
        loop {
            if self.tracked.contains_key(&s) {
                out.push(s);
            }
            if s == seq || s == self.hwm {
                break;
            }
            s = s.wrapping_add(1);
        }
        out
    }

    /// Stop tracking `seq`, then advance the window start past untracked sequences.
    pub fn untrack(&mut self, seq: u32) -> Option<T> {
        let v = self.tracked.remove(&seq);
        while self.lwm != self.hwm && !self.tracked.contains_key(&self.lwm) {
            self.lwm = self.lwm.wrapping_add(1);
        }
        v
    }

    /// Take every tracked entry (the messenger is going away or resetting).
    pub fn drain(&mut self) -> Vec<(u32, T)> {
        std::mem::take(&mut self.tracked).into_iter().collect()
    }

    pub fn values_mut(&mut self) -> impl Iterator<Item = (&u32, &mut T)> {
        self.tracked.iter_mut()
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
            assert_eq!(w.push(i), (i, vec![]));
        }
        assert_eq!(w.push(3), (3, vec![(0, 0)]));
        assert_eq!(w.range(3, true), vec![1, 2, 3]);
        assert_eq!(w.untrack(1), Some(1));
        assert_eq!(w.range(3, true), vec![2, 3]);
    }

    #[test]
    fn window_zero_tracks_nothing_and_negative_tracks_everything() {
        let mut w = Window::default();
        assert_eq!(w.push("a"), (0, vec![(0, "a")]));
        let mut all = Window::default();
        all.set_window(-1);
        for i in 0..1000 {
            assert!(all.push(i).1.is_empty());
        }
        assert_eq!(all.last(), Some(999));
    }
}

impl<T> Window<T> {
    /// Every tracked entry, oldest first.
    pub fn iter_tracked(&self) -> impl Iterator<Item = (u32, &T)> {
        self.tracked.iter().map(|(&k, v)| (k, v))
    }
}
