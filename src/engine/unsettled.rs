//! A session's unsettled deliveries by delivery-id.
//!
//! Delivery-ids go up by one per delivery (spec 2.6.12) and deliveries are mostly settled
//! oldest first, so the map is a deque sorted by id: inserting the next id is a push at
//! the back, settling the oldest a pop at the front, and a disposition's range is found by
//! binary search. Anything else (a peer skipping ids, settling out of order) stays correct
//! and logarithmic: removals in the middle leave a hole that is dropped when it reaches
//! the front, or compacted away once holes outnumber entries, so memory stays bounded by
//! the deliveries actually unsettled.

use super::endpoint::DeliveryId;
use std::collections::VecDeque;

#[derive(Debug, Default)]
pub struct Unsettled {
    /// Sorted by id (plain u32 order); `None` marks a removed entry.
    entries: VecDeque<(u32, Option<DeliveryId>)>,
    /// Entries that are not holes.
    live: usize,
}

impl Unsettled {
    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    fn search(&self, id: u32) -> Result<usize, usize> {
        self.entries.binary_search_by_key(&id, |e| e.0)
    }

    /// Map `id` to `delivery` (replacing what it mapped to).
    pub fn insert(&mut self, id: u32, delivery: DeliveryId) {
        if self.entries.back().is_none_or(|&(last, _)| last < id) {
            self.entries.push_back((id, Some(delivery)));
            self.live += 1;
            return;
        }
        match self.search(id) {
            Ok(i) => {
                let slot = &mut self.entries[i].1;
                if slot.is_none() {
                    self.live += 1;
                }
                *slot = Some(delivery);
            }
            Err(i) => {
                self.entries.insert(i, (id, Some(delivery)));
                self.live += 1;
            }
        }
    }

    pub fn get(&self, id: u32) -> Option<DeliveryId> {
        self.search(id).ok().and_then(|i| self.entries[i].1)
    }

    pub fn remove(&mut self, id: u32) -> Option<DeliveryId> {
        // Settling the oldest: no search, no compaction.
        if let Some(&(first, Some(d))) = self.entries.front() {
            if first == id {
                self.entries.pop_front();
                self.live -= 1;
                while self.entries.front().is_some_and(|e| e.1.is_none()) {
                    self.entries.pop_front();
                }
                return Some(d);
            }
        }
        let i = match self.entries.front() {
            Some(&(first, _)) if first == id => 0,
            _ => self.search(id).ok()?,
        };
        let removed = self.entries[i].1.take()?;
        self.live -= 1;
        while self.entries.front().is_some_and(|e| e.1.is_none()) {
            self.entries.pop_front();
        }
        let holes = self.entries.len() - self.live;
        if holes > 32 && holes > self.live {
            self.entries.retain(|e| e.1.is_some());
        }
        Some(removed)
    }

    /// The entries with `first <= id <= last`, in id order; when `first > last` the range
    /// wraps: `first..=u32::MAX` then `0..=last`.
    pub fn range(&self, first: u32, last: u32) -> impl Iterator<Item = (u32, DeliveryId)> + '_ {
        let span = |lo: u32, hi: u32| {
            let a = self.entries.partition_point(|e| e.0 < lo);
            let b = self.entries.partition_point(|e| e.0 <= hi);
            a..b.max(a)
        };
        let (head, tail) = if first <= last {
            (span(first, last), 0..0)
        } else {
            (span(first, u32::MAX), span(0, last))
        };
        self.entries
            .range(head)
            .chain(self.entries.range(tail))
            .filter_map(|&(id, d)| d.map(|d| (id, d)))
    }

    /// Remove the entries [`Unsettled::range`] would give, appending them to `out`. A
    /// range from the oldest entry (a peer settling in order) is one drain.
    pub fn take_range(&mut self, first: u32, last: u32, out: &mut Vec<(u32, DeliveryId)>) {
        if first <= last && self.entries.front().is_none_or(|e| e.0 >= first) {
            let end = self.entries.partition_point(|e| e.0 <= last);
            let before = out.len();
            out.extend(
                self.entries
                    .drain(..end)
                    .filter_map(|(id, d)| d.map(|d| (id, d))),
            );
            self.live -= out.len() - before;
            while self.entries.front().is_some_and(|e| e.1.is_none()) {
                self.entries.pop_front();
            }
            return;
        }
        let before = out.len();
        out.extend(self.range(first, last));
        for &(id, _) in &out[before..] {
            self.remove(id);
        }
    }

    /// Every entry, in id order.
    pub fn iter(&self) -> impl Iterator<Item = (u32, DeliveryId)> + '_ {
        self.entries
            .iter()
            .filter_map(|&(id, d)| d.map(|d| (id, d)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::slab::Slab;

    fn keys(n: usize) -> Vec<DeliveryId> {
        let mut slab = Slab::default();
        (0..n).map(|i| slab.insert(i)).collect()
    }

    #[test]
    fn take_range_removes_what_range_gives() {
        let k = keys(12);
        for (first, last) in [(0, 3), (2, 5), (0, 100), (7, 7), (9, 2), (4, 1), (20, 30)] {
            let mut u = Unsettled::default();
            for (id, &d) in [0u32, 1, 2, 3, 5, 6, 8, 9, u32::MAX - 1].iter().zip(&k) {
                u.insert(*id, d);
            }
            u.remove(1);
            let want: Vec<_> = u.range(first, last).collect();
            let mut got = vec![(77, k[11])];
            u.take_range(first, last, &mut got);
            assert_eq!(got[0], (77, k[11]));
            assert_eq!(&got[1..], &want[..], "{first}..={last}");
            assert_eq!(u.len(), 8 - want.len());
            assert_eq!(u.range(first, last).count(), 0);
            assert_eq!(u.iter().count(), u.len());
        }
    }

    #[test]
    fn behaves_as_a_sorted_map_in_and_out_of_order() {
        let k = keys(8);
        let mut u = Unsettled::default();
        for (id, &d) in [5u32, 6, 7, 2, 9].iter().zip(&k) {
            u.insert(*id, d);
        }
        assert_eq!(u.len(), 5);
        let ids: Vec<u32> = u.iter().map(|e| e.0).collect();
        assert_eq!(ids, vec![2, 5, 6, 7, 9]);
        assert_eq!(u.get(7), Some(k[2]));
        assert_eq!(u.remove(6), Some(k[1]));
        assert_eq!(u.remove(6), None);
        assert_eq!(u.get(6), None);
        let r: Vec<u32> = u.range(3, 8).map(|e| e.0).collect();
        assert_eq!(r, vec![5, 7]);
        // A wrapping range: from 7 up to the top, then from 0 to 2.
        let r: Vec<u32> = u.range(7, 2).map(|e| e.0).collect();
        assert_eq!(r, vec![7, 9, 2]);
        u.insert(6, k[5]);
        assert_eq!(u.get(6), Some(k[5]));
        assert_eq!(u.len(), 5);
    }

    #[test]
    fn holes_do_not_accumulate_behind_an_old_entry() {
        let k = keys(1);
        let mut u = Unsettled::default();
        u.insert(0, k[0]);
        for id in 1..10_000u32 {
            u.insert(id, k[0]);
            u.remove(id);
        }
        assert_eq!(u.len(), 1);
        assert!(u.entries.len() <= 64, "{} entries kept", u.entries.len());
        assert_eq!(u.remove(0), Some(k[0]));
        assert!(u.entries.is_empty());
    }
}
