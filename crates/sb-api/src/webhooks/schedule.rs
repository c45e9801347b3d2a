//! When a failed delivery is tried again: a fixed list of waits, then
//! giving up. Pure, so the dispatcher and the tests agree on it.

use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetrySchedule {
    waits: Vec<Duration>,
}

impl Default for RetrySchedule {
    /// 10 s, 30 s, 2 min, 10 min, 30 min, 1 h, 3 h, 6 h: nine attempts over
    /// about ten and a half hours, so a receiver down for a night's
    /// maintenance still gets its events.
    fn default() -> Self {
        const MINUTE: u64 = 60;
        const HOUR: u64 = 60 * MINUTE;
        RetrySchedule::new(
            [
                10,
                30,
                2 * MINUTE,
                10 * MINUTE,
                30 * MINUTE,
                HOUR,
                3 * HOUR,
                6 * HOUR,
            ]
            .map(Duration::from_secs)
            .to_vec(),
        )
    }
}

impl RetrySchedule {
    pub fn new(waits: Vec<Duration>) -> RetrySchedule {
        RetrySchedule { waits }
    }

    /// The wait before the next attempt once `attempts_made` have failed;
    /// `None` when the schedule is spent and the delivery has failed.
    pub fn wait_after(&self, attempts_made: u32) -> Option<Duration> {
        let index = usize::try_from(attempts_made.checked_sub(1)?).ok()?;
        self.waits.get(index).copied()
    }

    /// Attempts in all, the first included.
    pub fn max_attempts(&self) -> usize {
        self.waits.len() + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_schedule_backs_off_then_gives_up() {
        let schedule = RetrySchedule::default();
        assert_eq!(schedule.wait_after(1), Some(Duration::from_secs(10)));
        assert_eq!(schedule.wait_after(2), Some(Duration::from_secs(30)));
        assert_eq!(schedule.wait_after(8), Some(Duration::from_secs(6 * 3600)));
        assert_eq!(schedule.wait_after(9), None);
        assert_eq!(schedule.wait_after(0), None, "nothing failed yet");
        assert_eq!(schedule.max_attempts(), 9);
    }
}
