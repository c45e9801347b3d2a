//! The SLA sweep: every 30 seconds, reminders before a ticket's deadline
//! and escalations after it, written as notifications (sb-desk decides;
//! writing them twice is harmless, so a slow pass never doubles them).

use std::time::Duration;

use sb_desk::tickets::TicketDesk;
use sb_store::Store;
use tokio::task::JoinHandle;

const SWEEP_EVERY: Duration = Duration::from_secs(30);

pub fn spawn(store: Store) -> JoinHandle<()> {
    let desk = TicketDesk::new(store);
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(SWEEP_EVERY);
        tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tick.tick().await;
            if let Err(e) = desk.sweep(time::OffsetDateTime::now_utc()).await {
                tracing::warn!(error = %e, "SLA sweep failed");
            }
        }
    })
}
