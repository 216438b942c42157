//! A session's dispositions waiting to be written.
//!
//! A tracked message costs one or two dispositions on each side, so this is on the hot
//! path: entries are 12 bytes, and their states are kept once per distinct state (a run
//! of accepts shares one `Accepted`) instead of a clone of the state in every entry.
//! When written, entries are put in (role, delivery-id) order, the last entry of a
//! delivery wins, and consecutive ids with the same role, state and settlement become
//! one disposition frame.

use super::performative::{DeliveryState, Disposition, Role};

#[derive(Debug, Default)]
pub struct PendingDispositions {
    entries: Vec<Entry>,
    /// The distinct states of `entries`, indexed by `Entry::state`.
    states: Vec<Option<DeliveryState>>,
}

#[derive(Clone, Copy, Debug)]
struct Entry {
    /// We are the receiver of the delivery (the disposition's role).
    receiver: bool,
    settled: bool,
    id: u32,
    state: u32,
}

impl Entry {
    fn key(&self) -> (bool, u32) {
        (self.receiver, self.id)
    }
}

impl PendingDispositions {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Our state and settlement of delivery `id` are to be told to the peer.
    pub fn push(&mut self, receiver: bool, id: u32, state: &Option<DeliveryState>, settled: bool) {
        let state = self.intern(state);
        let entry = Entry {
            receiver,
            settled,
            id,
            state,
        };
        // An update and then a settlement of one delivery usually come back to back.
        match self.entries.last_mut() {
            Some(last) if last.key() == entry.key() => *last = entry,
            _ => self.entries.push(entry),
        }
    }

    /// The index of `state` in `states`: looked for among the last few only (a peer of
    /// many distinct states costs an entry each, not a search of them all).
    fn intern(&mut self, state: &Option<DeliveryState>) -> u32 {
        let from = self.states.len().saturating_sub(4);
        match self.states[from..].iter().rposition(|s| s == state) {
            Some(i) => (from + i) as u32,
            None => {
                self.states.push(state.clone());
                self.states.len() as u32 - 1
            }
        }
    }

    /// Empty the queue into disposition frames, in (role, delivery-id) order.
    pub fn drain(&mut self, mut write: impl FnMut(Disposition)) {
        let mut entries = std::mem::take(&mut self.entries);
        if !entries.is_sorted_by(|a, b| a.key() < b.key()) {
            // Stable: of several entries for one delivery the last one made is kept.
            entries.sort_by_key(Entry::key);
            entries.dedup_by(|later, earlier| {
                let same = later.key() == earlier.key();
                if same {
                    *earlier = *later;
                }
                same
            });
        }
        let mut run: Option<(Entry, u32)> = None;
        for &e in entries.iter() {
            if let Some((first, last)) = &mut run {
                if first.receiver == e.receiver
                    && first.settled == e.settled
                    && (first.state == e.state
                        || self.states[first.state as usize] == self.states[e.state as usize])
                    && last.wrapping_add(1) == e.id
                {
                    *last = e.id;
                    continue;
                }
                write(self.frame(*first, *last));
            }
            run = Some((e, e.id));
        }
        if let Some((first, last)) = run {
            write(self.frame(first, last));
        }
        entries.clear();
        self.entries = entries;
        self.states.clear();
    }

    fn frame(&self, first: Entry, last: u32) -> Disposition {
        Disposition {
            role: if first.receiver {
                Role::Receiver
            } else {
                Role::Sender
            },
            first: first.id,
            last: (last != first.id).then_some(last),
            settled: first.settled,
            state: self.states[first.state as usize].clone(),
            batchable: false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(
        p: &mut PendingDispositions,
    ) -> Vec<(Role, u32, Option<u32>, bool, Option<DeliveryState>)> {
        let mut out = Vec::new();
        p.drain(|d| out.push((d.role, d.first, d.last, d.settled, d.state)));
        out
    }

    #[test]
    fn runs_merge_and_the_last_entry_of_a_delivery_wins() {
        let mut p = PendingDispositions::default();
        let acc = Some(DeliveryState::Accepted);
        let rel = Some(DeliveryState::Released);
        for id in 0..4 {
            p.push(true, id, &acc, false);
        }
        p.push(true, 4, &rel, false);
        p.push(true, 5, &acc, false);
        // Settling 0..=1 after the run: those two go out settled only.
        p.push(true, 0, &acc, true);
        p.push(true, 1, &acc, true);
        p.push(false, 9, &None, true);
        let out = written(&mut p);
        assert_eq!(
            out,
            vec![
                (Role::Sender, 9, None, true, None),
                (Role::Receiver, 0, Some(1), true, acc.clone()),
                (Role::Receiver, 2, Some(3), false, acc.clone()),
                (Role::Receiver, 4, None, false, rel),
                (Role::Receiver, 5, None, false, acc),
            ]
        );
        assert!(p.is_empty());
        assert!(written(&mut p).is_empty());
    }

    #[test]
    fn an_update_then_a_settlement_back_to_back_is_one_entry() {
        let mut p = PendingDispositions::default();
        let acc = Some(DeliveryState::Accepted);
        for id in 0..3 {
            p.push(true, id, &acc, false);
            p.push(true, id, &acc, true);
        }
        assert_eq!(p.entries.len(), 3);
        assert_eq!(p.states.len(), 1);
        assert_eq!(
            written(&mut p),
            vec![(Role::Receiver, 0, Some(2), true, acc)]
        );
    }

    #[test]
    fn wrapped_ids_are_written_in_id_order() {
        let mut p = PendingDispositions::default();
        p.push(false, u32::MAX, &None, true);
        p.push(false, 0, &None, true);
        let firsts: Vec<u32> = written(&mut p).iter().map(|d| d.1).collect();
        assert_eq!(firsts, vec![0, u32::MAX]);
    }
}
