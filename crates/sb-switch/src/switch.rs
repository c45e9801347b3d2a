//! Starting and stopping the switch, and the dispatch of new requests.

use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use sb_sip::digest::NonceStore;
use sb_sip::{BanList, Location, ServerRequest, SipConfig, SipStack, Transport};
use tokio::sync::{mpsc, watch};
use tracing::{debug, info, warn};

use crate::admission::{Admission, Refusal};
use crate::auth::{AuthKind, AuthOutcome, authenticate, refuse};
use crate::carriers::{CarrierStatus, CarrierTable};
use crate::config::SwitchConfig;
use crate::directory::Directory;
use crate::error::SwitchError;
use crate::ports::PortPool;
use crate::registrar::handle_register;
use crate::routing::{
    CallPlan, Refusal as RouteRefusal, plan_from_extension, plan_from_trunk, trunk_for_source,
};
use crate::security::FailureTracker;
use crate::shared::{Shared, unix_millis};
use crate::{call_task, carriers, cdr_writer, housekeeping};

/// A registered contact, for the console and the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Registration {
    pub extension: String,
    pub contact: String,
    pub source: SocketAddr,
    pub transport: Transport,
    pub user_agent: String,
    pub expires_at_millis: u64,
}

/// A snapshot of the switch's counters (totals since start) and gauges.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SwitchStats {
    /// SIP dialogs and transactions held by the stack (leak watch).
    pub dialogs: u64,
    pub transactions: u64,
    pub active_calls: u64,
    pub calls_started: u64,
    /// INVITEs refused with 503 by admission control.
    pub calls_refused: u64,
    pub registrations: u64,
    pub datagrams_accepted: u64,
    /// Malformed requests answered with 400/501/513.
    pub datagrams_rejected: u64,
    pub datagrams_dropped: u64,
    pub datagrams_banned: u64,
    /// RTP packets received on the switch's media ports.
    pub rtp_received: u64,
    /// Relayed from one phone to another as they arrived.
    pub rtp_relayed: u64,
    pub rtp_caller_to_callee: u64,
    pub rtp_callee_to_caller: u64,
    /// Made by the switch (music, prompts, the mixer's output).
    pub rtp_generated: u64,
    /// From an address other than the latched one.
    pub rtp_dropped_source: u64,
    /// From the latched address with another SSRC.
    pub rtp_dropped_ssrc: u64,
    pub rtp_malformed: u64,
    pub rtp_send_errors: u64,
    pub media_sessions: u64,
    pub media_late_ticks: u64,
    pub recordings_started: u64,
    pub recordings_finished: u64,
    pub recording_failures: u64,
    pub recorded_bytes: u64,
    pub recorder_backlog: u64,
}

/// The running switch; cheap to clone.
#[derive(Clone)]
pub struct SwitchHandle {
    shared: Arc<Shared>,
    carriers: CarrierTable,
    terminate: Arc<watch::Sender<bool>>,
}

impl std::fmt::Debug for SwitchHandle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SwitchHandle")
            .field("sip", &self.sip_addr())
            .finish_non_exhaustive()
    }
}

pub async fn start(
    config: SwitchConfig,
    directory: Arc<dyn Directory>,
    bans: BanList,
    events: Arc<dyn crate::cti::EventSink>,
) -> Result<SwitchHandle, SwitchError> {
    let ports = Arc::new(PortPool::parse(&config.rtp_ports)?);
    let sip_config = SipConfig {
        listen: config.listen,
        enable_tcp: config.enable_tcp,
        ..SipConfig::default()
    };
    let (stack, requests) = SipStack::start(sip_config, bans.clone()).await?;
    let media_ip = config.media_ip.unwrap_or_else(|| {
        let ip = stack.local_addr().ip();
        if ip.is_unspecified() {
            IpAddr::from([127, 0, 0, 1])
        } else {
            ip
        }
    });
    if config.media_ip.is_none() && stack.local_addr().ip().is_unspecified() {
        warn!(
            "SIP listens on all addresses and no media address is set: SDP will say 127.0.0.1; set --media-ip"
        );
    }
    let (records, _writer) = cdr_writer::spawn(directory.clone(), 8192);
    let threads = match config.media_threads {
        0 => std::thread::available_parallelism().map_or(1, usize::from),
        n => n,
    };
    let media = crate::media::MediaEngine::start(threads)?;
    let (terminate_tx, terminate) = watch::channel(false);
    let shared = Arc::new(Shared {
        stack,
        directory: directory.clone(),
        location: Mutex::new(Location::default()),
        nonces: Mutex::new(NonceStore::new(config.nonce_lifetime_ms, 100_000)),
        failures: Mutex::new(FailureTracker::new(config.security)),
        bans,
        ports,
        admission: Admission::new(config.max_calls_per_second, config.max_concurrent_calls),
        records,
        media_ip,
        terminate,
        carriers_changed: tokio::sync::Notify::new(),
        media,
        live_calls: crate::live_calls::LiveCalls::default(),
        acd: crate::acd_task::AcdService::start(directory.clone(), events.clone()),
        events,
        prompts: Arc::new(crate::prompt_library::PromptLibrary::new(
            crate::prompt_library::PromptLibraryConfig {
                stored_dir: config.prompts_dir.clone(),
                cache_dir: config.tts_cache_dir.clone(),
                espeak_program: None,
            },
        )),
        lookups: crate::ivr_lookup::LookupClient::new(),
        flows: crate::service_flow::FlowCache::default(),
        calls_started: AtomicU64::new(0),
        calls_refused: AtomicU64::new(0),
        config,
    });
    tokio::spawn(load_stored_prompts(shared.clone()));
    tokio::spawn(serve(shared.clone(), requests));
    tokio::spawn(housekeeping::run(shared.clone()));
    let carriers = CarrierTable::default();
    tokio::spawn(carriers::keep_registered(shared.clone(), carriers.clone()));
    info!(sip = %shared.stack.local_addr(), media_ip = %media_ip, "SIP switch started");
    Ok(SwitchHandle {
        shared,
        carriers,
        terminate: Arc::new(terminate_tx),
    })
}

impl SwitchHandle {
    pub fn sip_addr(&self) -> SocketAddr {
        self.shared.stack.local_addr()
    }

    pub fn registrations(&self) -> Vec<Registration> {
        let now = unix_millis();
        let all = self
            .shared
            .location
            .lock()
            .map(|l| l.all(now))
            .unwrap_or_default();
        all.into_iter()
            .map(|(extension, b)| Registration {
                extension,
                contact: b.contact,
                source: b.reach,
                transport: b.transport,
                user_agent: b.user_agent,
                expires_at_millis: b.expires_at,
            })
            .collect()
    }

    /// Registration state of every trunk that registers with its carrier.
    pub fn carrier_registrations(&self) -> Vec<CarrierStatus> {
        let mut all: Vec<CarrierStatus> = self
            .carriers
            .lock()
            .map(|t| t.values().cloned().collect())
            .unwrap_or_default();
        all.sort_by_key(|s| s.trunk_id);
        all
    }

    pub fn active_calls(&self) -> usize {
        self.shared.admission.active_calls()
    }

    pub fn trunk_channels_in_use(&self, trunk_id: i64) -> u32 {
        self.shared.admission.trunk_channels_in_use(trunk_id)
    }

    /// RTP port pairs held by live calls (two per call).
    pub fn rtp_pairs_in_use(&self) -> usize {
        self.shared.ports.in_use()
    }

    /// An extension was edited: if it is gone or disabled, its phones are
    /// unregistered at once (a changed password takes effect on their next
    /// REGISTER, which the short expiry bounds).
    pub fn extension_changed(&self, extension: String) {
        let shared = self.shared.clone();
        tokio::spawn(async move {
            let keep =
                matches!(shared.directory.account(&extension).await, Ok(Some(a)) if a.enabled);
            if !keep {
                if let Ok(mut location) = shared.location.lock() {
                    for binding in location.lookup(unix_millis(), &extension) {
                        location.remove(&extension, &binding.contact);
                    }
                }
                info!(%extension, "extension removed or disabled: its registrations dropped");
            }
        });
    }

    /// Counters and gauges for monitoring.
    pub fn stats(&self) -> SwitchStats {
        let wire = self.shared.stack.stats();
        let media = &self.shared.media.counters;
        let load = |a: &AtomicU64| a.load(Ordering::Relaxed);
        let (dialogs, transactions, finished) = self.shared.stack.table_sizes();
        SwitchStats {
            dialogs: dialogs as u64,
            transactions: (transactions + finished) as u64,
            active_calls: self.active_calls() as u64,
            calls_started: load(&self.shared.calls_started),
            calls_refused: load(&self.shared.calls_refused),
            registrations: self.registrations().len() as u64,
            datagrams_accepted: load(&wire.accepted),
            datagrams_rejected: load(&wire.rejected),
            datagrams_dropped: load(&wire.dropped),
            datagrams_banned: load(&wire.banned),
            rtp_received: load(&media.received),
            rtp_relayed: load(&media.relayed),
            rtp_caller_to_callee: load(&media.relayed_from_caller),
            rtp_callee_to_caller: load(&media.relayed_from_callee),
            rtp_generated: load(&media.generated),
            rtp_dropped_source: load(&media.dropped_source),
            rtp_dropped_ssrc: load(&media.dropped_ssrc),
            rtp_malformed: load(&media.malformed),
            rtp_send_errors: load(&media.send_errors),
            media_sessions: self.shared.media.sessions() as u64,
            media_late_ticks: load(&media.late_ticks),
            recordings_started: load(&media.recordings_started),
            recordings_finished: load(&media.recordings_finished),
            recording_failures: load(&media.recording_failures),
            recorded_bytes: load(&media.recorded_bytes),
            recorder_backlog: load(&media.recorder_backlog),
        }
    }

    /// Trunks changed: carrier registrations are reconciled now rather than
    /// at the next periodic pass.
    pub fn trunks_changed(&self) {
        self.shared.carriers_changed.notify_one();
    }

    pub fn ban(&self, address: IpAddr, until_millis: u64) {
        self.shared.bans.ban(address, until_millis);
    }

    pub fn lift_ban(&self, address: IpAddr) {
        self.shared.bans.lift(address);
    }

    /// Graceful shutdown: new INVITEs get 503 at once; live calls may go on
    /// until `deadline`, then are hung up; then the SIP stack stops.
    pub async fn drain(&self, deadline: Duration) {
        self.shared.admission.start_draining();
        let until = tokio::time::Instant::now() + deadline;
        while self.active_calls() > 0 && tokio::time::Instant::now() < until {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        if self.active_calls() > 0 {
            info!(
                calls = self.active_calls(),
                "shutdown deadline reached: hanging up live calls"
            );
            let _ = self.terminate.send(true);
            let grace = tokio::time::Instant::now() + Duration::from_secs(2);
            while self.active_calls() > 0 && tokio::time::Instant::now() < grace {
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
        }
        // Give the CDR writer a moment to flush the last records.
        let flush = tokio::time::Instant::now() + Duration::from_secs(2);
        while self.shared.records.capacity() < self.shared.records.max_capacity()
            && tokio::time::Instant::now() < flush
        {
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        self.shared.stack.shutdown();
        self.shared.media.shutdown();
    }

    /// The calls in progress, oldest first.
    pub fn live_calls(&self) -> Vec<crate::live_calls::LiveCall> {
        self.shared.live_calls.list()
    }

    /// Carries out `command` on live call `id` (see [`CallControl`](crate::CallControl)).
    pub async fn control_call(
        &self,
        id: u64,
        command: crate::live_calls::CallControl,
    ) -> Result<(), crate::live_calls::ControlError> {
        self.shared.live_calls.control(id, command).await
    }

    /// Call pickup through the API (MISSION G7): `extension`'s phone rings
    /// (with auto-answer hints) instead of those ringing for live call
    /// `id`. Who may pick up which call is the API's decision.
    pub async fn pick_up(
        &self,
        id: u64,
        extension: &str,
    ) -> Result<(), crate::live_calls::ControlError> {
        let party = crate::live_calls::PickerParty {
            extension: extension.to_owned(),
            agent: crate::feature_task::agent_at(&self.shared, extension).await,
        };
        let picker = crate::live_calls::Picker::Ring(party);
        self.shared
            .live_calls
            .control(id, crate::live_calls::CallControl::PickUp { picker })
            .await
    }

    /// Click-to-call (MISSION G3, O1): rings `from_extension`, and when it
    /// answers dials `to` as that extension would. Refused before anything
    /// rings when the extension may not dial the number.
    pub async fn originate(
        &self,
        from_extension: &str,
        to: &str,
    ) -> Result<crate::Originated, crate::OriginateError> {
        crate::originate_task::originate(&self.shared, from_extension, to).await
    }

    /// Signs an agent in or out, or changes their state (MISSION G1, G2).
    pub async fn agent_command(
        &self,
        employee_id: &str,
        command: crate::acd_view::AgentCommand,
    ) -> Result<crate::acd_view::AgentView, crate::acd_view::AgentError> {
        self.shared.acd.agent(employee_id, command).await
    }

    /// Agents and queues as the ACD sees them now.
    pub async fn acd_view(&self) -> crate::acd_view::AcdView {
        let mut view = self.shared.acd.view().await;
        let now = unix_millis();
        if let Ok(location) = self.shared.location.lock() {
            for agent in &mut view.agents {
                let Some(extension) = &agent.extension else {
                    continue;
                };
                let phones = location.lookup(now, extension);
                // Remote when every phone registered there is outside the
                // site's networks (a softphone at home, a WAN branch).
                agent.remote = !phones.is_empty()
                    && phones
                        .iter()
                        .all(|phone| !sb_core::site_network::is_site_address(phone.reach.ip()));
            }
        }
        view
    }

    /// A voice flow or a calendar changed: the next call reads them anew
    /// (calls already in a flow keep their version).
    pub fn flows_changed(&self) {
        self.shared.flows.clear();
    }

    /// Queues or memberships changed in the store.
    pub fn queues_changed(&self) {
        self.shared.acd.reload();
    }

    /// Uploaded voice prompts changed: the IVR reads the new list.
    pub fn prompts_changed(&self) {
        tokio::spawn(load_stored_prompts(self.shared.clone()));
    }

    pub fn set_music(&self, library: sb_media::moh::MusicLibrary) {
        self.shared.media.set_music(library);
    }
}

async fn load_stored_prompts(shared: Arc<Shared>) {
    match shared.directory.stored_prompts().await {
        Ok(prompts) => shared.prompts.set_stored_prompts(
            prompts
                .into_iter()
                .map(|(name, file)| (name, std::path::PathBuf::from(file)))
                .collect(),
        ),
        Err(error) => warn!(%error, "could not list the voice prompts"),
    }
}

async fn serve(shared: Arc<Shared>, mut requests: mpsc::Receiver<ServerRequest>) {
    while let Some(request) = requests.recv().await {
        let shared = shared.clone();
        tokio::spawn(async move { handle(&shared, request).await });
    }
}

async fn handle(shared: &Arc<Shared>, request: ServerRequest) {
    let agent = request.user_agent();
    if crate::security::scanner_agent(&agent) {
        // No answer at all: a scanner learns nothing, not even that we exist.
        shared.scanner_seen(request.source().ip(), &agent);
        return;
    }
    match request.method() {
        "REGISTER" => handle_register(shared, request).await,
        "INVITE" if request.has_to_tag() => request.respond(481, Vec::new()).await,
        "INVITE" => handle_invite(shared, request).await,
        "OPTIONS" => {
            let allow = (
                "Allow".to_owned(),
                "INVITE, ACK, CANCEL, BYE, OPTIONS, REGISTER, INFO, UPDATE".to_owned(),
            );
            request.respond(200, vec![allow]).await
        }
        "ACK" => {}
        "BYE" | "CANCEL" | "INFO" | "UPDATE" | "PRACK" | "NOTIFY" | "REFER" => {
            request.respond(481, Vec::new()).await
        }
        _ => request.respond(405, Vec::new()).await,
    }
}

async fn handle_invite(shared: &Arc<Shared>, request: ServerRequest) {
    if shared.admission.is_draining() {
        overloaded(shared, request, Refusal::Draining).await;
        return;
    }
    let dialled = request.request_user().unwrap_or_default();
    let trunks = shared.directory.trunks().await.unwrap_or_default();
    let caller = match trunk_for_source(&trunks, request.source().ip()) {
        Some(trunk) => Caller::Carrier(trunk),
        None => match authenticate(shared, &request, AuthKind::Invite).await {
            AuthOutcome::Authenticated(account) => Caller::Extension(account),
            outcome => {
                refuse(shared, request, AuthKind::Invite, outcome).await;
                return;
            }
        },
    };
    // Admission counts calls, not challenges: the 407 round trip of a phone
    // must not spend the call's token, nor may unauthenticated INVITEs
    // drain the budget of real callers.
    let permit = match shared.admission.admit(unix_millis()) {
        Ok(permit) => permit,
        Err(refusal) => {
            overloaded(shared, request, refusal).await;
            return;
        }
    };
    if let Caller::Extension(account) = &caller
        && let Some(code) = crate::pickup::parse(&dialled)
    {
        // The picker's INVITE joins a call that was already admitted.
        drop(permit);
        crate::pickup::by_phone(shared, account, code, request).await;
        return;
    }
    if let Caller::Extension(account) = &caller
        && let Some(code) = crate::feature_codes::parse(&dialled)
    {
        let offer = Some(request.body().to_vec()).filter(|b| !b.is_empty());
        match request.into_call(&shared.stack) {
            Ok(call) => {
                shared.calls_started.fetch_add(1, Ordering::Relaxed);
                crate::feature_task::spawn(
                    shared.clone(),
                    call,
                    account.clone(),
                    code,
                    offer,
                    permit,
                );
            }
            Err(error) => warn!(%error, "could not take the INVITE into a call"),
        }
        return;
    }
    let plan = match caller {
        Caller::Carrier(trunk) => {
            let from = request.from_user().unwrap_or_default();
            plan_from_trunk(shared, trunk, from, dialled).await
        }
        Caller::Extension(account) => plan_from_extension(shared, &account, dialled).await,
    };
    let plan = match plan {
        Ok(plan) => plan,
        Err((refusal, plan)) => {
            refuse_call(shared, request, refusal, plan).await;
            return;
        }
    };
    let offer = Some(request.body().to_vec()).filter(|b| !b.is_empty());
    match request.into_call(&shared.stack) {
        Ok(call) => {
            shared.calls_started.fetch_add(1, Ordering::Relaxed);
            if plan.service.is_some() {
                crate::service_task::spawn(shared.clone(), call, plan, offer, permit)
            } else {
                call_task::spawn(shared.clone(), call, plan, offer, permit)
            }
        }
        Err(error) => warn!(%error, "could not take the INVITE into a call"),
    }
}

enum Caller<'a> {
    Carrier(&'a crate::directory::Trunk),
    Extension(crate::directory::Account),
}

async fn overloaded(shared: &Shared, request: ServerRequest, refusal: Refusal) {
    shared.calls_refused.fetch_add(1, Ordering::Relaxed);
    debug!(?refusal, "INVITE refused by admission control");
    let retry = if refusal == Refusal::Draining {
        "30"
    } else {
        "5"
    };
    request
        .respond(503, vec![("Retry-After".into(), retry.into())])
        .await;
}

/// A call refused before any phone rang still leaves its CDR.
async fn refuse_call(
    shared: &Shared,
    request: ServerRequest,
    refusal: RouteRefusal,
    plan: CallPlan,
) {
    let now = unix_millis();
    info!(status = refusal.status, cause = %refusal.cause, caller = %plan.caller, callee = %plan.callee, "call refused");
    let summary = call_task::failed_summary(now, &format!("{} {}", refusal.status, refusal.cause));
    let mut record = plan.record(request.call_id(), &summary);
    record.disposition = refusal.disposition;
    let retry = (refusal.status == 503).then(|| ("Retry-After".to_owned(), "5".to_owned()));
    request
        .respond(refusal.status, retry.into_iter().collect())
        .await;
    let _ = shared.records.send(record).await;
}
