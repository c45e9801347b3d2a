//! The background task: intake (bus -> delivery rows) and sender (due rows
//! -> POSTs), one each, joined.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sb_store::{DeliveryAttempt, DueDelivery, NewWebhookDelivery, NextStep, SendRoom, Webhook};
use tokio::sync::broadcast::error::{RecvError, TryRecvError};
use tokio::sync::{Semaphore, broadcast};
use tokio::task::JoinHandle;

use crate::events::Published;
use crate::state::AppState;

use super::client::Outgoing;
use super::schedule::RetrySchedule;

/// Events written in one transaction at most when the intake catches up.
const INTAKE_BATCH: usize = 256;

#[derive(Debug, Clone)]
pub struct DeliveryConfig {
    pub schedule: RetrySchedule,
    /// Per request, connecting included.
    pub timeout: Duration,
    /// Requests in flight at once, over all webhooks...
    pub max_in_flight: usize,
    /// ...and for any one webhook, so a receiver that hangs leaves room
    /// for the others.
    pub max_in_flight_per_webhook: usize,
    /// How often due retries are looked for when nothing wakes the sender.
    pub poll_every: Duration,
    /// Delivered and failed rows older than this are removed.
    pub keep_settled_for: time::Duration,
}

impl Default for DeliveryConfig {
    fn default() -> Self {
        DeliveryConfig {
            schedule: RetrySchedule::default(),
            timeout: Duration::from_secs(10),
            max_in_flight: 32,
            max_in_flight_per_webhook: 8,
            poll_every: Duration::from_secs(5),
            keep_settled_for: time::Duration::days(30),
        }
    }
}

impl DeliveryConfig {
    /// How long a claimed row stays hidden from other claims: past the
    /// request's timeout, so only a crash mid-send makes it due again.
    fn lease(&self) -> time::Duration {
        time::Duration::try_from(self.timeout + Duration::from_secs(30))
            .unwrap_or(time::Duration::minutes(1))
    }
}

/// Subscribes to the bus now (no event published after this call is
/// missed) and starts delivering.
pub fn spawn(state: AppState, config: DeliveryConfig) -> JoinHandle<()> {
    let events = state.events().subscribe();
    tokio::spawn(async move {
        let intake = tokio::spawn(intake(state.clone(), events));
        send(state, config).await;
        intake.abort();
    })
}

async fn intake(state: AppState, mut events: broadcast::Receiver<Arc<Published>>) {
    let mut hooks: Vec<Webhook> = Vec::new();
    let mut loaded_generation = None;
    loop {
        let first = match events.recv().await {
            Ok(published) => published,
            Err(RecvError::Lagged(missed)) => {
                tracing::warn!(
                    missed,
                    "webhook intake fell behind the event bus; events missed"
                );
                continue;
            }
            Err(RecvError::Closed) => return,
        };
        let mut batch = vec![first];
        while batch.len() < INTAKE_BATCH {
            match events.try_recv() {
                Ok(published) => batch.push(published),
                Err(TryRecvError::Lagged(missed)) => {
                    tracing::warn!(
                        missed,
                        "webhook intake fell behind the event bus; events missed"
                    );
                }
                Err(TryRecvError::Empty | TryRecvError::Closed) => break,
            }
        }
        let generation = state.webhooks().generation();
        if loaded_generation != Some(generation) {
            match state.store().enabled_webhooks().await {
                Ok(list) => {
                    hooks = list;
                    loaded_generation = Some(generation);
                }
                Err(error) => tracing::warn!(%error, "webhooks not reloaded; using the last list"),
            }
        }
        let now = state.now();
        let rows: Vec<NewWebhookDelivery> = batch
            .iter()
            .flat_map(|published| {
                hooks
                    .iter()
                    .filter(|hook| hook.wants(published.event.kind()))
                    .map(|hook| NewWebhookDelivery {
                        webhook_id: hook.id,
                        event_seq: i64::try_from(published.seq).unwrap_or(i64::MAX),
                        event_type: published.event.kind().to_owned(),
                        payload: published.json.as_str().to_owned(),
                        next_attempt_at: now,
                    })
            })
            .collect();
        if rows.is_empty() {
            continue;
        }
        match state.store().insert_webhook_deliveries(now, &rows).await {
            Ok(_) => state.webhooks().wake(),
            Err(error) => tracing::error!(
                %error,
                first_seq = batch[0].seq,
                events = batch.len(),
                "events not queued for webhooks"
            ),
        }
    }
}

async fn send(state: AppState, config: DeliveryConfig) {
    let slots = Arc::new(Semaphore::new(config.max_in_flight.max(1)));
    // Requests in flight per webhook, so one that hangs keeps to its share.
    let busy: Arc<Mutex<HashMap<i64, u32>>> = Arc::default();
    let mut last_purge: Option<std::time::Instant> = None;
    loop {
        let mut claim_again = false;
        let free = slots.available_permits();
        if free > 0 {
            let now = state.now();
            let room = SendRoom {
                total: u32::try_from(free).unwrap_or(u32::MAX),
                per_webhook: u32::try_from(config.max_in_flight_per_webhook.max(1))
                    .unwrap_or(u32::MAX),
                busy: lock(&busy).clone(),
            };
            match state
                .store()
                .claim_due_webhook_deliveries(now, now + config.lease(), &room)
                .await
            {
                Ok(claimed) => {
                    // Rows were left for webhooks now at their share; the
                    // next claim skips those and reaches the others' rows.
                    claim_again = claimed.held_back;
                    for delivery in claimed.due {
                        // `free` permits were counted and only this loop takes them.
                        let Ok(slot) = slots.clone().try_acquire_owned() else {
                            break;
                        };
                        let webhook = delivery.webhook_id;
                        *lock(&busy).entry(webhook).or_default() += 1;
                        let (state, config, busy) = (state.clone(), config.clone(), busy.clone());
                        tokio::spawn(async move {
                            deliver(&state, &config, delivery).await;
                            release(&busy, webhook);
                            drop(slot);
                            state.webhooks().wake();
                        });
                    }
                }
                Err(error) => tracing::warn!(%error, "due webhook deliveries not read"),
            }
        }
        if last_purge.is_none_or(|at| at.elapsed() > Duration::from_secs(3600)) {
            last_purge = Some(std::time::Instant::now());
            match state
                .store()
                .purge_webhook_deliveries(state.now() - config.keep_settled_for)
                .await
            {
                Ok(0) => {}
                Ok(purged) => tracing::debug!(purged, "old webhook deliveries removed"),
                Err(error) => tracing::warn!(%error, "old webhook deliveries not removed"),
            }
        }
        if claim_again && slots.available_permits() > 0 {
            continue;
        }
        tokio::select! {
            () = state.webhooks().woken() => {}
            () = tokio::time::sleep(config.poll_every) => {}
        }
    }
}

fn lock(busy: &Mutex<HashMap<i64, u32>>) -> std::sync::MutexGuard<'_, HashMap<i64, u32>> {
    busy.lock().unwrap_or_else(|e| e.into_inner())
}

fn release(busy: &Mutex<HashMap<i64, u32>>, webhook: i64) {
    let mut busy = lock(busy);
    if let Some(n) = busy.get_mut(&webhook) {
        *n = n.saturating_sub(1);
        if *n == 0 {
            busy.remove(&webhook);
        }
    }
}

/// One attempt of a claimed row, recorded with what follows from it.
async fn deliver(state: &AppState, config: &DeliveryConfig, delivery: DueDelivery) {
    let now = state.now();
    let attempted = state
        .webhooks()
        .client()
        .post(
            Outgoing {
                url: &delivery.url,
                secret: &delivery.secret,
                event_type: &delivery.event_type,
                delivery_id: delivery.id,
                body: &delivery.payload,
                unix_seconds: now.unix_timestamp(),
            },
            config.timeout,
        )
        .await;
    let attempts_made = u32::try_from(delivery.attempts + 1).unwrap_or(u32::MAX);
    let finished = state.now();
    let next = if attempted.is_success() {
        NextStep::Delivered
    } else {
        match config.schedule.wait_after(attempts_made) {
            Some(wait) => NextStep::RetryAt(
                finished + time::Duration::try_from(wait).unwrap_or(time::Duration::HOUR),
            ),
            None => NextStep::GiveUp,
        }
    };
    match next {
        NextStep::Delivered => tracing::debug!(
            webhook = delivery.webhook_id,
            delivery = delivery.id,
            event = %delivery.event_type,
            "webhook delivered"
        ),
        _ => tracing::info!(
            webhook = delivery.webhook_id,
            delivery = delivery.id,
            event = %delivery.event_type,
            attempts = attempts_made,
            error = %attempted.error(),
            gave_up = next == NextStep::GiveUp,
            "webhook delivery failed"
        ),
    }
    let attempt = DeliveryAttempt {
        status: attempted.status(),
        error: attempted.error(),
        next,
    };
    if let Err(error) = state
        .store()
        .record_webhook_attempt(finished, delivery.id, &attempt)
        .await
    {
        tracing::warn!(%error, delivery = delivery.id, "webhook attempt not recorded; the lease will make it due again");
    }
}
