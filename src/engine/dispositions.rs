//! A session's dispositions waiting to be written.
//!
//! A tracked message costs one or two dispositions on each side, so this is on the hot
//! path. Entries are ranges of delivery-ids: an update of the id after the last entry's
//! range, with the same role, state and settlement, extends that range (accepting or
//! settling in order costs no entry per message). States are kept once per distinct state,
//! not cloned into every entry. When written, the last update of a delivery wins, and the
//! ranges go out in (role, delivery-id) order, consecutive equal ones merged into one
//! disposition frame.

use super::performative::{DeliveryState, Disposition, Role};

#[derive(Debug, Default)]
pub struct PendingDispositions {
    /// In the order they were made.
    entries: Vec<Entry>,
    /// The distinct states of `entries`, indexed by `Entry::state`.
    states: Vec<Option<DeliveryState>>,
    /// Updates pushed since the last drain.
    updates: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Entry {
    /// We are the receiver of the deliveries (the disposition's role).
    receiver: bool,
    settled: bool,
    state: u32,
    /// `first..=last`, never wrapping.
    first: u32,
    last: u32,
}

impl Entry {
    fn same_update(&self, other: &Entry) -> bool {
        (self.receiver, self.settled, self.state) == (other.receiver, other.settled, other.state)
    }

    /// `other` starts right after `self` with the same update.
    fn continued_by(&self, other: &Entry) -> bool {
        self.same_update(other) && self.last != u32::MAX && self.last + 1 == other.first
    }
}

/// Above this many entries out of order, they are resolved id by id.
const PAINT_MAX: usize = 16;

impl PendingDispositions {
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many updates were pushed since the last drain.
    pub fn updates(&self) -> usize {
        self.updates
    }

    /// Our state and settlement of delivery `id` are to be told to the peer.
    #[inline]
    pub fn push(&mut self, receiver: bool, id: u32, state: &Option<DeliveryState>, settled: bool) {
        self.updates += 1;
        // The common case: the next id, with the same update as the last one.
        if let Some(last) = self.entries.last_mut() {
            if (last.receiver, last.settled) == (receiver, settled)
                && last.last != u32::MAX
                && last.last + 1 == id
                && self.states[last.state as usize] == *state
            {
                last.last = id;
                return;
            }
        }
        self.push_entry(receiver, id, state, settled);
    }

    fn push_entry(
        &mut self,
        receiver: bool,
        id: u32,
        state: &Option<DeliveryState>,
        settled: bool,
    ) {
        let entry = Entry {
            receiver,
            settled,
            state: self.intern(state),
            first: id,
            last: id,
        };
        let Some(last) = self.entries.last_mut() else {
            self.entries.push(entry);
            return;
        };
        if last.continued_by(&entry) {
            last.last = id;
        } else if (last.receiver, last.last) == (receiver, id) {
            // A later update of the range's last delivery (an update and then a settlement
            // of one delivery usually come back to back): it replaces that one.
            if last.first == id {
                *last = entry;
            } else {
                last.last = id - 1;
                self.entries.push(entry);
            }
            // Settling right after accepting, message by message, is still one range.
            let n = self.entries.len();
            if n >= 2 && self.entries[n - 2].continued_by(&self.entries[n - 1]) {
                self.entries[n - 2].last = id;
                self.entries.pop();
            }
        } else {
            self.entries.push(entry);
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
        let in_order = entries
            .windows(2)
            .all(|w| (w[0].receiver, w[0].last) < (w[1].receiver, w[1].first));
        if !in_order {
            entries = if entries.len() <= PAINT_MAX {
                paint(&entries)
            } else {
                one_by_one(&entries)
            };
        }
        let mut run: Option<Entry> = None;
        for &e in entries.iter() {
            if let Some(r) = &mut run {
                let equal = r.same_update(&e)
                    || (r.receiver, r.settled) == (e.receiver, e.settled)
                        && self.states[r.state as usize] == self.states[e.state as usize];
                if equal && r.last != u32::MAX && r.last + 1 == e.first {
                    r.last = e.last;
                    continue;
                }
                write(self.frame(*r));
            }
            run = Some(e);
        }
        if let Some(r) = run {
            write(self.frame(r));
        }
        entries.clear();
        self.entries = entries;
        self.states.clear();
        self.updates = 0;
    }

    fn frame(&self, e: Entry) -> Disposition {
        Disposition {
            role: if e.receiver {
                Role::Receiver
            } else {
                Role::Sender
            },
            first: e.first,
            last: (e.last != e.first).then_some(e.last),
            settled: e.settled,
            state: self.states[e.state as usize].clone(),
            batchable: false,
        }
    }
}

/// A few entries that overlap or are out of order (typically a range of echoed outcomes,
/// then the same range settled): newest first, each keeps the ids no newer entry took.
/// The result is disjoint and sorted.
fn paint(entries: &[Entry]) -> Vec<Entry> {
    let mut out: Vec<Entry> = Vec::new();
    for e in entries.iter().rev() {
        let mut pieces = vec![(e.first, e.last)];
        for taken in out.iter().filter(|t| t.receiver == e.receiver) {
            pieces = pieces
                .into_iter()
                .flat_map(|(a, b)| {
                    let mut keep = Vec::with_capacity(2);
                    if b < taken.first || a > taken.last {
                        keep.push((a, b));
                    } else {
                        if a < taken.first {
                            keep.push((a, taken.first - 1));
                        }
                        if b > taken.last {
                            keep.push((taken.last + 1, b));
                        }
                    }
                    keep
                })
                .collect();
        }
        out.extend(
            pieces
                .into_iter()
                .map(|(first, last)| Entry { first, last, ..*e }),
        );
    }
    out.sort_by_key(|e| (e.receiver, e.first));
    out
}

/// Many entries out of order: every id on its own, the last update of each kept.
fn one_by_one(entries: &[Entry]) -> Vec<Entry> {
    let mut ids: Vec<Entry> = entries
        .iter()
        .flat_map(|e| {
            (e.first..=e.last).map(move |id| Entry {
                first: id,
                last: id,
                ..*e
            })
        })
        .collect();
    // Stable: of several entries for one delivery, the last one made comes last.
    ids.sort_by_key(|e| (e.receiver, e.first));
    ids.dedup_by(|later, earlier| {
        let same = (later.receiver, later.first) == (earlier.receiver, earlier.first);
        if same {
            *earlier = *later;
        }
        same
    });
    ids
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
        assert_eq!(p.entries.len(), 1);
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

    /// What drain must give: per (role, id) the last update, then maximal runs.
    fn model(
        pushes: &[(bool, u32, Option<DeliveryState>, bool)],
    ) -> Vec<(Role, u32, Option<u32>, bool, Option<DeliveryState>)> {
        let mut last = std::collections::BTreeMap::new();
        for (receiver, id, state, settled) in pushes {
            last.insert((*receiver, *id), (state.clone(), *settled));
        }
        let mut out: Vec<(Role, u32, Option<u32>, bool, Option<DeliveryState>)> = Vec::new();
        for ((receiver, id), (state, settled)) in last {
            let role = if receiver {
                Role::Receiver
            } else {
                Role::Sender
            };
            if let Some(prev) = out.last_mut() {
                let end = prev.2.unwrap_or(prev.1);
                if prev.0 == role
                    && prev.3 == settled
                    && prev.4 == state
                    && end.checked_add(1) == Some(id)
                {
                    prev.2 = Some(id);
                    continue;
                }
            }
            out.push((role, id, None, settled, state));
        }
        out
    }

    #[test]
    fn any_sequence_of_updates_is_written_as_the_model_says() {
        let states = [
            None,
            Some(DeliveryState::Accepted),
            Some(DeliveryState::Released),
            Some(DeliveryState::Rejected { error: None }),
        ];
        let mut seed = 0x2545_f491_4f6c_dd1du64;
        let mut next = |n: u64| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed % n
        };
        let mut p = PendingDispositions::default();
        for round in 0..3000 {
            let len = 1 + next(if round % 10 == 0 { 60 } else { 12 }) as usize;
            let base = if round % 7 == 0 { u32::MAX - 5 } else { 0 };
            let mut pushes = Vec::new();
            let mut id = base.wrapping_add(next(4) as u32);
            for _ in 0..len {
                // Mostly in order (how applications settle), sometimes anywhere.
                id = match next(6) {
                    0 => base.wrapping_add(next(12) as u32),
                    1 => id,
                    _ => id.wrapping_add(1),
                };
                let push = (
                    next(5) == 0,
                    id,
                    states[next(4) as usize].clone(),
                    next(3) == 0,
                );
                p.push(push.0, push.1, &push.2, push.3);
                pushes.push(push);
            }
            assert_eq!(written(&mut p), model(&pushes), "round {round}: {pushes:?}");
        }
    }

    #[test]
    fn echoed_outcomes_then_settling_them_in_order_is_one_settled_range() {
        let mut p = PendingDispositions::default();
        let acc = Some(DeliveryState::Accepted);
        for id in 0..1000 {
            p.push(false, id, &acc, false);
        }
        for id in 0..1000 {
            p.push(false, id, &acc, true);
        }
        assert_eq!(p.entries.len(), 2);
        assert_eq!(
            written(&mut p),
            vec![(Role::Sender, 0, Some(999), true, acc)]
        );
    }
}
