//! What every handler shares: the store, the clock, the policy knobs, the
//! metrics registry, the hook into the running SIP switch, the media
//! folders with their storage alarm, and the recording export jobs.

use std::sync::{Arc, RwLock};

use sb_desk::knowledge::KnowledgeDesk;
use sb_store::{AlarmPolicy, Store};
use time::Duration;

use crate::clock::Clock;
use crate::error::ApiError;
use crate::events::EventBus;
use crate::idempotency::IdempotencyCache;
use crate::media_dirs::{MediaDirs, RecordingPolicy};
use crate::metrics::Metrics;
use crate::recording_export::ExportJobs;
use crate::storage_alarm::StorageAlarm;
use crate::switch_control::{NoSwitch, SwitchControl};
use crate::webhooks::WebhookHub;

/// Security policy of the HTTP API.
#[derive(Debug, Clone)]
pub struct ApiConfig {
    /// A console session ends after this long without a request...
    pub session_idle: Duration,
    /// ...and after this long in any case.
    pub session_absolute: Duration,
    /// Wrong passwords in a row before the account locks.
    pub max_login_failures: i64,
    pub lockout: Duration,
    pub alarm: AlarmPolicy,
    /// Mark the session cookie `Secure` (when served over HTTPS or behind a TLS proxy).
    pub secure_cookies: bool,
    /// The SIP digest realm new extension passwords are derived for; the
    /// registrar must challenge with the same realm.
    pub sip_realm: String,
    /// Where recordings, prompts, music on hold and scratch files live.
    pub media_dirs: MediaDirs,
    /// Retention and the free-space threshold of the recordings folder.
    pub recording_policy: RecordingPolicy,
    /// The area code (without the trunk 0) of local landline numbers written
    /// without one, for customer numbers and screen-pop lookups.
    pub default_area_code: Option<String>,
}

impl Default for ApiConfig {
    fn default() -> Self {
        ApiConfig {
            session_idle: Duration::hours(2),
            session_absolute: Duration::hours(12),
            max_login_failures: 5,
            lockout: Duration::minutes(15),
            alarm: AlarmPolicy::default(),
            secure_cookies: false,
            sip_realm: sb_store::DEFAULT_SIP_REALM.to_owned(),
            media_dirs: MediaDirs::default(),
            recording_policy: RecordingPolicy::default(),
            default_area_code: None,
        }
    }
}

#[derive(Debug, Clone)]
pub struct AppState(Arc<Inner>);

#[derive(Debug)]
pub struct Inner {
    pub store: Store,
    pub clock: Arc<dyn Clock>,
    pub config: ApiConfig,
    pub metrics: Metrics,
    /// A real Argon2 hash that unknown employee IDs are verified against, so a
    /// sign-in takes as long whether the ID exists or not.
    pub dummy_hash: String,
    /// The running switch; [`NoSwitch`] until one is installed.
    pub switch: RwLock<Arc<dyn SwitchControl>>,
    /// Low space in the recordings folder, as the storage task last saw it.
    pub storage_alarm: StorageAlarm,
    pub exports: ExportJobs,
    /// The knowledge desk with its search index, opened on first use
    /// (rebuilt from the store when the index is new or outdated).
    pub knowledge: tokio::sync::OnceCell<KnowledgeDesk>,
    /// CTI events for desktops, wallboards and webhooks.
    pub events: Arc<EventBus>,
    /// Answers to commands sent with an Idempotency-Key, for repeats.
    pub idempotency: IdempotencyCache,
    /// Shared by the webhook routes and the delivery task.
    pub webhooks: WebhookHub,
}

impl AppState {
    pub fn new(
        store: Store,
        clock: Arc<dyn Clock>,
        config: ApiConfig,
    ) -> Result<AppState, ApiError> {
        let dummy_hash = crate::auth::password::hash_password("switchboard timing equaliser 0")?;
        Ok(AppState(Arc::new(Inner {
            store,
            clock,
            config,
            metrics: Metrics::new(),
            dummy_hash,
            switch: RwLock::new(Arc::new(NoSwitch)),
            storage_alarm: StorageAlarm::default(),
            exports: ExportJobs::default(),
            knowledge: tokio::sync::OnceCell::new(),
            events: Arc::new(EventBus::new()),
            idempotency: IdempotencyCache::default(),
            webhooks: WebhookHub::default(),
        })))
    }

    /// Installs the running switch's hook (once it has started).
    pub fn set_switch(&self, switch: Arc<dyn SwitchControl>) {
        let mut slot = self.0.switch.write().unwrap_or_else(|e| e.into_inner());
        *slot = switch;
    }

    /// The running switch (or the no-op stand-in).
    pub fn switch(&self) -> Arc<dyn SwitchControl> {
        self.0
            .switch
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.0.clock.now()
    }

    pub fn config(&self) -> &ApiConfig {
        &self.0.config
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    pub fn media_dirs(&self) -> &MediaDirs {
        &self.0.config.media_dirs
    }

    /// Raised and cleared by the binary's storage task.
    pub fn storage_alarm(&self) -> &StorageAlarm {
        &self.0.storage_alarm
    }

    /// Recording exports in progress or waiting to be fetched.
    pub fn exports(&self) -> &ExportJobs {
        &self.0.exports
    }

    /// The knowledge desk; the first call opens (and if need be rebuilds)
    /// the search index under the data directory.
    pub async fn knowledge(&self) -> Result<&KnowledgeDesk, ApiError> {
        self.0
            .knowledge
            .get_or_try_init(|| async {
                let dir = self.0.config.media_dirs.knowledge.join("index");
                KnowledgeDesk::open(self.0.store.clone(), &dir).await
            })
            .await
            .map_err(|e| ApiError::internal("opening the knowledge index", e))
    }

    /// The CTI event bus the switch and the API publish to.
    pub fn webhooks(&self) -> &WebhookHub {
        &self.0.webhooks
    }

    pub fn events(&self) -> &Arc<EventBus> {
        &self.0.events
    }

    pub(crate) fn idempotency(&self) -> &IdempotencyCache {
        &self.0.idempotency
    }

    pub(crate) fn dummy_hash(&self) -> &str {
        &self.0.dummy_hash
    }
}
