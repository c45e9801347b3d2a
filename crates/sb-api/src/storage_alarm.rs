//! The recordings folder's free-space alarm, as last measured by the
//! binary's storage task. The task raises and clears it; the console's
//! system warnings read it.

use std::sync::Mutex;

/// Free space below the threshold, when it was last measured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LowSpace {
    pub free_bytes: u64,
    pub min_free_bytes: u64,
}

#[derive(Debug, Default)]
pub struct StorageAlarm {
    low_space: Mutex<Option<LowSpace>>,
}

impl StorageAlarm {
    /// Records the latest measurement; returns whether the alarm changed
    /// state (raised or cleared), so the caller logs transitions only.
    pub fn update(&self, low_space: Option<LowSpace>) -> bool {
        let mut slot = self.low_space.lock().unwrap_or_else(|e| e.into_inner());
        let changed = slot.is_some() != low_space.is_some();
        *slot = low_space;
        changed
    }

    pub fn low_space(&self) -> Option<LowSpace> {
        *self.low_space.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reports_transitions_only() {
        let alarm = StorageAlarm::default();
        let low = LowSpace {
            free_bytes: 1,
            min_free_bytes: 10,
        };
        assert!(!alarm.update(None));
        assert!(alarm.update(Some(low)), "raised");
        assert!(!alarm.update(Some(low)), "still low: no new transition");
        assert_eq!(alarm.low_space(), Some(low));
        assert!(alarm.update(None), "cleared");
        assert_eq!(alarm.low_space(), None);
    }
}
