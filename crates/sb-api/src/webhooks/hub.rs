//! What the webhook routes and the dispatcher share.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

use super::client::WebhookClient;

#[derive(Debug, Default)]
pub struct WebhookHub {
    client: WebhookClient,
    wake: Notify,
    /// Bumped when a webhook is created, changed or deleted, so the
    /// dispatcher reloads its list before matching the next event.
    generation: AtomicU64,
}

impl WebhookHub {
    pub fn client(&self) -> &WebhookClient {
        &self.client
    }

    /// Tells the sender to look for due deliveries now.
    pub fn wake(&self) {
        self.wake.notify_one();
    }

    pub(crate) async fn woken(&self) {
        self.wake.notified().await;
    }

    /// The webhook list changed.
    pub fn changed(&self) {
        self.generation.fetch_add(1, Ordering::AcqRel);
        self.wake();
    }

    pub(crate) fn generation(&self) -> u64 {
        self.generation.load(Ordering::Acquire)
    }
}
