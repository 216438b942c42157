//! How a messenger hands out receive credit across its receiving links (API.md 3.6).
//!
//! `recv(n)` sets how much credit should be outstanding; the scheduler gives it to links
//! that have none ("blocked") in fair batches, tops links up as messages arrive, and when
//! some links still starve after 250 ms, drains the others to get credit back.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// How `recv` was last called.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// `recv(n)`: keep `n` credits outstanding.
    Explicit,
    /// `recv(-1)`: 1024 per link, topped up automatically.
    Auto,
    /// `recv(-2)`: never grant credit; the application uses `pn_link_flow`.
    Manual,
}

/// Credit each link may get in automatic mode.
pub const AUTO_BATCH: u32 = 1024;

/// How long starving links wait before credited links are drained.
pub const DRAIN_DELAY: Duration = Duration::from_millis(250);

/// A grant or drain the messenger must apply to a link.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action<L> {
    Grant(L, u32),
    Drain(L),
}

#[derive(Debug)]
pub struct Scheduler<L> {
    pub mode: Mode,
    /// Credit not yet given to any link.
    pub credit: u32,
    /// Credit given to links and not used yet.
    pub distributed: u32,
    /// Links with no credit, waiting for some.
    blocked: VecDeque<L>,
    /// Links holding credit.
    credited: Vec<L>,
    /// Links asked to drain.
    draining: Vec<L>,
    next_drain: Option<Instant>,
}

impl<L: Copy + PartialEq> Default for Scheduler<L> {
    fn default() -> Self {
        Scheduler {
            mode: Mode::Explicit,
            credit: 0,
            distributed: 0,
            blocked: VecDeque::new(),
            credited: Vec::new(),
            draining: Vec::new(),
            next_drain: None,
        }
    }
}

impl<L: Copy + PartialEq> Scheduler<L> {
    /// `pn_messenger_receiving`.
    pub fn receiving(&self) -> u32 {
        self.credit + self.distributed
    }

    fn receivers(&self) -> u32 {
        (self.blocked.len() + self.credited.len()) as u32
    }

    /// The credit target from `recv(limit)`.
    pub fn recv(&mut self, limit: i32) {
        match limit {
            -2 => self.mode = Mode::Manual,
            -1 => self.mode = Mode::Auto,
            n => {
                self.mode = Mode::Explicit;
                let n = n.max(0) as u32;
                self.credit = n.saturating_sub(self.distributed);
            }
        }
    }

    /// A new receiving link.
    pub fn add_link(&mut self, link: L) {
        if !self.blocked.contains(&link) && !self.credited.contains(&link) {
            self.blocked.push_back(link);
        }
    }

    /// A receiving link went away; `unused` is the credit it still held.
    pub fn remove_link(&mut self, link: L, unused: u32) {
        self.blocked.retain(|&l| l != link);
        let had = self.credited.contains(&link);
        self.credited.retain(|&l| l != link);
        self.draining.retain(|&l| l != link);
        if had {
            let back = unused.min(self.distributed);
            self.distributed -= back;
            self.credit += back;
        }
    }

    fn batch(&self) -> u32 {
        ((self.credit + self.distributed) / self.receivers().max(1)).max(1)
    }

    /// Hand out credit; returns what to apply to links. `incoming` is the messages the
    /// messenger holds (for automatic mode).
    pub fn flow(&mut self, now: Instant, incoming: u32) -> Vec<Action<L>> {
        let mut actions = Vec::new();
        if self.receivers() == 0 {
            self.next_drain = None;
            return actions;
        }
        match self.mode {
            Mode::Manual => return actions,
            Mode::Auto => {
                let max = self.receivers() * AUTO_BATCH;
                let used = self.distributed + incoming;
                if max > used {
                    self.credit = max - used;
                }
            }
            Mode::Explicit => {}
        }
        let batch = self.batch();
        while self.credit > 0 {
            let Some(link) = self.blocked.pop_front() else {
                break;
            };
            let amount = self.credit.min(batch);
            self.credit -= amount;
            self.distributed += amount;
            self.credited.push(link);
            actions.push(Action::Grant(link, amount));
        }
        if !self.blocked.is_empty() && self.draining.is_empty() {
            match self.next_drain {
                None => self.next_drain = Some(now + DRAIN_DELAY),
                Some(at) if now >= at => {
                    for &link in &self.credited {
                        self.draining.push(link);
                        actions.push(Action::Drain(link));
                    }
                    self.next_drain = None;
                }
                Some(_) => {}
            }
        } else if self.blocked.is_empty() {
            self.next_drain = None;
        }
        actions
    }

    /// When the scheduler wants to run again (a pending drain).
    pub fn deadline(&self) -> Option<Instant> {
        self.next_drain
    }

    /// A message arrived on `link`, which has `link_credit` left.
    pub fn received(&mut self, link: L, link_credit: u32) -> Option<Action<L>> {
        if self.mode == Mode::Manual {
            return None;
        }
        self.distributed = self.distributed.saturating_sub(1);
        let batch = self.batch();
        if !self.draining.contains(&link) && self.blocked.is_empty() && self.credit > 0 {
            let low = (batch as f64 * 0.2).round() as u32;
            if link_credit < low {
                let amount = (batch - link_credit).min(self.credit);
                if amount > 0 {
                    self.credit -= amount;
                    self.distributed += amount;
                    return Some(Action::Grant(link, amount));
                }
            }
        }
        if link_credit == 0 && self.credited.contains(&link) {
            self.credited.retain(|&l| l != link);
            self.blocked.push_back(link);
        }
        None
    }

    /// A drain finished on `link`; `returned` is the credit the sender gave back.
    pub fn drained(&mut self, link: L, returned: u32) {
        if !self.draining.contains(&link) {
            return;
        }
        self.draining.retain(|&l| l != link);
        self.give_back(returned);
        self.credited.retain(|&l| l != link);
        if !self.blocked.contains(&link) {
            self.blocked.push_back(link);
        }
    }

    /// A sender gave back `returned` credit unasked: it goes back to the pool.
    pub fn give_back(&mut self, returned: u32) {
        let back = returned.min(self.distributed);
        self.distributed -= back;
        self.credit += back;
    }

    pub fn is_draining(&self, link: L) -> bool {
        self.draining.contains(&link)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recv_five_on_one_link_then_one_message_leaves_four() {
        let now = Instant::now();
        let mut s = Scheduler::default();
        s.add_link(1);
        s.recv(5);
        assert_eq!(s.flow(now, 0), vec![Action::Grant(1, 5)]);
        assert_eq!(s.receiving(), 5);
        assert_eq!(s.received(1, 4), None);
        assert_eq!(s.receiving(), 4);
    }

    #[test]
    fn credit_is_split_fairly_and_starving_links_trigger_a_drain() {
        let now = Instant::now();
        let mut s = Scheduler::default();
        for l in 0..3 {
            s.add_link(l);
        }
        s.recv(50);
        let grants = s.flow(now, 0);
        assert_eq!(
            grants,
            vec![
                Action::Grant(0, 16),
                Action::Grant(1, 16),
                Action::Grant(2, 16)
            ]
        );
        let mut late = Scheduler::default();
        late.add_link(0);
        late.recv(5);
        late.flow(now, 0);
        late.add_link(1);
        assert!(late.flow(now, 0).is_empty());
        assert_eq!(late.flow(now + DRAIN_DELAY, 0), vec![Action::Drain(0)]);
        late.drained(0, 5);
        assert_eq!(
            late.flow(now + DRAIN_DELAY, 0),
            vec![Action::Grant(1, 2), Action::Grant(0, 2)]
        );
    }
}
