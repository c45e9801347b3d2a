//! Switch-wide media figures for /metrics and the benchmarks.

use std::sync::atomic::{AtomicU64, Ordering};

use sb_media::session::SessionStats;

#[derive(Debug, Default)]
pub struct MediaCounters {
    pub received: AtomicU64,
    pub relayed: AtomicU64,
    pub relayed_from_caller: AtomicU64,
    pub relayed_from_callee: AtomicU64,
    pub generated: AtomicU64,
    pub dropped_source: AtomicU64,
    pub dropped_ssrc: AtomicU64,
    pub malformed: AtomicU64,
    /// Sends the kernel refused (socket buffer full, unreachable).
    pub send_errors: AtomicU64,
    /// Ticks that came later than one packet time after they were due.
    pub late_ticks: AtomicU64,
    pub recordings_started: AtomicU64,
    pub recordings_finished: AtomicU64,
    pub recording_failures: AtomicU64,
    pub recorded_bytes: AtomicU64,
    /// Chunks waiting for the writer thread (a gauge).
    pub recorder_backlog: AtomicU64,
}

impl MediaCounters {
    /// Adds what a session counted since `before`.
    pub(crate) fn add(&self, now: SessionStats, before: SessionStats) {
        let add = |counter: &AtomicU64, a: u64, b: u64| {
            if a > b {
                counter.fetch_add(a - b, Ordering::Relaxed);
            }
        };
        add(&self.received, now.received, before.received);
        add(&self.relayed, now.relayed, before.relayed);
        add(
            &self.relayed_from_caller,
            now.relayed_from_caller,
            before.relayed_from_caller,
        );
        add(
            &self.relayed_from_callee,
            now.relayed_from_callee,
            before.relayed_from_callee,
        );
        add(&self.generated, now.generated, before.generated);
        add(
            &self.dropped_source,
            now.dropped_source,
            before.dropped_source,
        );
        add(&self.dropped_ssrc, now.dropped_ssrc, before.dropped_ssrc);
        add(&self.malformed, now.malformed, before.malformed);
    }
}
