//! Per-queue counters and the views built on them: the caller's position
//! (announcements, MISSION A4) and the queue's figures (wallboard, S1).

/// What happened to the calls of one queue since it was created. Kept when
/// the calls themselves are forgotten.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QueueCounters {
    /// Calls that entered the queue (including those that overflowed at once).
    pub offered: u64,
    pub answered: u64,
    /// Answered after waiting at most `QueueConfig::service_level_ms`.
    pub answered_within_service_level: u64,
    pub abandoned: u64,
    pub overflowed: u64,
    /// Answered calls that have ended, and their talk time in total.
    pub handled: u64,
    pub talk_ms_total: u64,
}

impl QueueCounters {
    /// Mean talk time of the handled calls; `None` before the first.
    pub fn average_handle_ms(&self) -> Option<u64> {
        self.talk_ms_total.checked_div(self.handled)
    }

    /// Answered within the threshold, in percent of the calls whose fate is
    /// known (answered, abandoned or overflowed); `None` before the first.
    pub fn service_level_percent(&self) -> Option<f64> {
        let settled = self.answered + self.abandoned + self.overflowed;
        (settled > 0).then(|| 100.0 * self.answered_within_service_level as f64 / settled as f64)
    }
}

/// A waiting call's place in its queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueuePosition {
    /// 1 = next to be offered (among the calls of its queue).
    pub position: usize,
    /// Calls waiting in the queue, this one included.
    pub waiting: usize,
    /// `position * average handle time / logged-in agents`; `None` until a
    /// call of the queue has been handled.
    pub expected_wait_ms: Option<u64>,
}

/// Logged-in agents of a queue by state.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AgentCounts {
    pub logged_in: usize,
    pub ready: usize,
    pub not_ready: usize,
    /// Ringing with a call.
    pub reserved: usize,
    pub on_call: usize,
    pub wrap_up: usize,
}

/// One queue's line on the wallboard.
#[derive(Debug, Clone, PartialEq)]
pub struct QueueStats {
    pub waiting: usize,
    /// How long the oldest waiting call has waited; 0 when none waits.
    pub longest_wait_ms: u64,
    pub agents: AgentCounts,
    pub counters: QueueCounters,
    pub service_level_percent: Option<f64>,
    pub average_handle_ms: Option<u64>,
}
