//! The media engine's one timer: a hashed wheel of short slots. Each media
//! thread keeps one wheel for all its calls, so a thousand calls cost one
//! wake-up per slot, not a thousand timers; calls are spread over the slots
//! of a packet time, which also spreads the sending bursts.

use std::collections::VecDeque;

#[derive(Debug)]
pub struct TimerWheel<T> {
    slot_ms: u64,
    slots: Vec<VecDeque<(u64, T)>>,
    /// The first slot time not yet advanced past.
    cursor_ms: u64,
    len: usize,
}

impl<T> TimerWheel<T> {
    /// `slot_ms` is the resolution; `span_ms` how far ahead an entry is
    /// usually due (entries further out simply go round more than once).
    pub fn new(slot_ms: u64, span_ms: u64, now_ms: u64) -> TimerWheel<T> {
        let slot_ms = slot_ms.max(1);
        let count = usize::try_from(span_ms.div_ceil(slot_ms).max(1)).unwrap_or(64);
        TimerWheel {
            slot_ms,
            slots: (0..count).map(|_| VecDeque::new()).collect(),
            cursor_ms: now_ms - now_ms % slot_ms,
            len: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    fn slot_of(&self, at_ms: u64) -> usize {
        let index = (at_ms / self.slot_ms) % self.slots.len() as u64;
        usize::try_from(index).unwrap_or(0)
    }

    /// Schedules `item` at `due_ms`. A time already past fires at the next
    /// slot and keeps its own time, so a late periodic entry catches up
    /// (one tick per slot, four times real time) instead of losing the
    /// ticks it missed.
    pub fn insert(&mut self, due_ms: u64, item: T) {
        let slot = self.slot_of(due_ms.max(self.cursor_ms));
        self.slots[slot].push_back((due_ms, item));
        self.len += 1;
    }

    /// Moves into `fired` every entry whose slot has begun by `now_ms` (an
    /// entry fires at the start of its slot: at most one slot early, never
    /// late), slot by slot. Each slot is visited once per turn of the wheel,
    /// so an advance costs the entries it fires plus those of later turns
    /// sharing their slots, not a scan of everything scheduled.
    pub fn advance(&mut self, now_ms: u64, fired: &mut Vec<(u64, T)>) {
        let turn = self.slot_ms * self.slots.len() as u64;
        while self.cursor_ms <= now_ms {
            if self.len == 0 {
                self.cursor_ms = now_ms - now_ms % self.slot_ms + self.slot_ms;
                return;
            }
            let slot = self.slot_of(self.cursor_ms);
            let slot_end = self.cursor_ms + self.slot_ms;
            let entries = &mut self.slots[slot];
            for _ in 0..entries.len() {
                let Some((due, item)) = entries.pop_front() else {
                    break;
                };
                if due < slot_end {
                    fired.push((due, item));
                    self.len -= 1;
                } else {
                    entries.push_back((due, item));
                }
            }
            self.cursor_ms = slot_end;
            // After a long sleep, whole turns with nothing due are skipped.
            if now_ms >= self.cursor_ms + turn
                && self.slots.iter().flatten().all(|(due, _)| *due > now_ms)
            {
                self.cursor_ms = now_ms - now_ms % self.slot_ms;
            }
        }
    }

    /// When the next entry could fire: the start of the first non-empty slot.
    pub fn next_due(&self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        (0..self.slots.len() as u64)
            .map(|n| self.cursor_ms + n * self.slot_ms)
            .find(|at| !self.slots[self.slot_of(*at)].is_empty())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_fire_once_in_time_order_of_their_slots() {
        let mut wheel = TimerWheel::new(5, 20, 1_000);
        wheel.insert(1_020, "b");
        wheel.insert(1_003, "a");
        wheel.insert(1_100, "far");
        let mut fired = Vec::new();
        wheel.advance(999, &mut fired);
        assert!(fired.is_empty(), "nothing before its slot begins");
        wheel.advance(1_000, &mut fired);
        assert_eq!(fired, vec![(1_003, "a")], "fires when its slot begins");
        fired.clear();
        wheel.advance(1_050, &mut fired);
        assert_eq!(fired, vec![(1_020, "b")]);
        assert_eq!(wheel.next_due(), Some(1_060), "the next visit of its slot");
        fired.clear();
        wheel.advance(1_100, &mut fired);
        assert_eq!(fired, vec![(1_100, "far")]);
        assert!(wheel.is_empty());
    }

    #[test]
    fn a_late_entry_fires_at_the_next_slot_with_its_own_time() {
        let mut wheel = TimerWheel::new(5, 20, 0);
        let mut fired = Vec::new();
        wheel.advance(100, &mut fired);
        wheel.insert(40, "late");
        wheel.advance(105, &mut fired);
        assert_eq!(
            fired,
            vec![(40, "late")],
            "at the next slot, with its own time"
        );
    }

    #[test]
    fn a_periodic_entry_keeps_its_cadence() {
        let mut wheel = TimerWheel::new(5, 20, 0);
        wheel.insert(20, 7u32);
        let mut ticks = Vec::new();
        let mut fired = Vec::new();
        for now in (0..=201).step_by(3) {
            fired.clear();
            wheel.advance(now, &mut fired);
            for (due, item) in fired.drain(..) {
                ticks.push(due);
                wheel.insert(due + 20, item);
            }
        }
        assert_eq!(ticks, (1..=10).map(|n| n * 20).collect::<Vec<_>>());
    }
}
