//! Overload control: calls per second (a token bucket), concurrent calls,
//! trunk channels, and the drain at shutdown. A refused INVITE costs one
//! response and no call task; established calls are never touched.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    Draining,
    TooManyCallsPerSecond,
    TooManyCalls,
    TrunkFull,
}

#[derive(Debug)]
pub struct Admission {
    max_cps: u32,
    max_calls: usize,
    active: Arc<AtomicUsize>,
    bucket: Mutex<Bucket>,
    draining: AtomicBool,
    trunks: Arc<Mutex<HashMap<i64, u32>>>,
}

#[derive(Debug)]
struct Bucket {
    tokens: f64,
    updated_at: u64,
}

impl Admission {
    pub fn new(max_cps: u32, max_calls: usize) -> Admission {
        Admission {
            max_cps,
            max_calls,
            active: Arc::new(AtomicUsize::new(0)),
            bucket: Mutex::new(Bucket {
                tokens: f64::from(max_cps),
                updated_at: 0,
            }),
            draining: AtomicBool::new(false),
            trunks: Arc::new(Mutex::new(HashMap::new())),
        }
    }

    pub fn admit(&self, now: u64) -> Result<CallPermit, Refusal> {
        if self.draining.load(Ordering::Acquire) {
            return Err(Refusal::Draining);
        }
        if self.max_cps > 0 {
            let Ok(mut bucket) = self.bucket.lock() else {
                return Err(Refusal::TooManyCallsPerSecond);
            };
            let elapsed = now.saturating_sub(bucket.updated_at) as f64 / 1000.0;
            let capacity = f64::from(self.max_cps);
            bucket.tokens = (bucket.tokens + elapsed * capacity).min(capacity);
            bucket.updated_at = now;
            if bucket.tokens < 1.0 {
                return Err(Refusal::TooManyCallsPerSecond);
            }
            bucket.tokens -= 1.0;
        }
        let previous = self.active.fetch_add(1, Ordering::AcqRel);
        let permit = CallPermit {
            active: self.active.clone(),
        };
        if self.max_calls > 0 && previous >= self.max_calls {
            return Err(Refusal::TooManyCalls);
        }
        Ok(permit)
    }

    /// One channel of `trunk_id`; `max` 0 means unlimited.
    pub fn trunk_channel(&self, trunk_id: i64, max: u32) -> Result<TrunkPermit, Refusal> {
        let Ok(mut trunks) = self.trunks.lock() else {
            return Err(Refusal::TrunkFull);
        };
        let used = trunks.entry(trunk_id).or_insert(0);
        if max > 0 && *used >= max {
            return Err(Refusal::TrunkFull);
        }
        *used += 1;
        Ok(TrunkPermit {
            trunks: self.trunks.clone(),
            trunk_id,
        })
    }

    pub fn trunk_channels_in_use(&self, trunk_id: i64) -> u32 {
        self.trunks
            .lock()
            .map(|t| t.get(&trunk_id).copied().unwrap_or(0))
            .unwrap_or(0)
    }

    pub fn is_draining(&self) -> bool {
        self.draining.load(Ordering::Acquire)
    }

    pub fn start_draining(&self) {
        self.draining.store(true, Ordering::Release);
    }

    pub fn active_calls(&self) -> usize {
        self.active.load(Ordering::Acquire)
    }
}

/// Held by a call task for its life.
#[derive(Debug)]
pub struct CallPermit {
    active: Arc<AtomicUsize>,
}

impl Drop for CallPermit {
    fn drop(&mut self) {
        self.active.fetch_sub(1, Ordering::AcqRel);
    }
}

#[derive(Debug)]
pub struct TrunkPermit {
    trunks: Arc<Mutex<HashMap<i64, u32>>>,
    trunk_id: i64,
}

impl Drop for TrunkPermit {
    fn drop(&mut self) {
        if let Ok(mut trunks) = self.trunks.lock()
            && let Some(used) = trunks.get_mut(&self.trunk_id)
        {
            *used = used.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_per_second_refill_and_concurrency_limit() {
        let admission = Admission::new(2, 3);
        let a = admission.admit(0).expect("first");
        let _b = admission.admit(0).expect("second");
        assert_eq!(
            admission.admit(0).err(),
            Some(Refusal::TooManyCallsPerSecond)
        );
        let _c = admission.admit(1_000).expect("refilled");
        assert_eq!(admission.admit(2_000).err(), Some(Refusal::TooManyCalls));
        drop(a);
        assert!(admission.admit(3_000).is_ok());
        admission.start_draining();
        assert_eq!(admission.admit(9_000).err(), Some(Refusal::Draining));
    }

    #[test]
    fn the_21st_call_on_a_20_channel_trunk_is_refused() {
        let admission = Admission::new(0, 0);
        let permits: Vec<_> = (0..20)
            .map(|_| admission.trunk_channel(7, 20).expect("free"))
            .collect();
        assert_eq!(
            admission.trunk_channel(7, 20).err(),
            Some(Refusal::TrunkFull)
        );
        assert!(
            admission.trunk_channel(8, 20).is_ok(),
            "other trunks are separate"
        );
        drop(permits);
        assert_eq!(admission.trunk_channels_in_use(7), 0);
    }
}
