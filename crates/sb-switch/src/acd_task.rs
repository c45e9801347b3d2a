//! The ACD task (MISSION A1-A10): the one owner of the sans-IO ACD core.
//! Call tasks enqueue their callers and report what their agents' phones
//! did; the API signs agents in and out; the task turns the core's
//! decisions into notices for the call tasks, and writes every accepted
//! input to the store's event log so a decision can be explained later and
//! agents' states survive a restart.

use std::collections::{BTreeMap, HashMap};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::Duration;

use sb_acd::{Acd, AcdConfig, AgentId, AgentState, CallRef, Command, Decision, QueueId};
use tokio::sync::{mpsc, oneshot};
use tracing::{debug, info, warn};

use crate::acd_log;
use crate::acd_view::{AcdView, AgentCommand, AgentError, AgentView, QueueView};
use crate::cti::EventSink;
use crate::directory::{AcdSetup, AgentProfile, Directory, QueueSetup};
use crate::shared::unix_millis;
use sb_core::cti::{AgentSubject, CtiEvent, QueueSubject};

/// How often the ACD's calls are compared with the live call tasks.
const RECONCILE_EVERY: Duration = Duration::from_secs(30);

/// How far back the event log is read at start to sign agents in again.
const RESTORE_WINDOW_MS: u64 = 24 * 3600 * 1000;

/// What the ACD tells a call task about its caller.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum AcdNotice {
    /// Ring this agent's phone.
    Offer {
        agent: String,
        extension: String,
        queue: String,
        /// The agent's phone answers by itself (chosen at sign-in).
        auto_answer: bool,
    },
    /// Stop ringing (ring timeout, or another agent of a ring-all answered).
    CancelOffer { agent: String },
    /// The queue will not serve the caller.
    Overflow { queue: String, reason: String },
}

/// What a call task reports about its caller.
#[derive(Debug, Clone)]
pub(crate) enum CallReport {
    Answered {
        call: u64,
        agent: String,
    },
    NoAnswer {
        call: u64,
        agent: String,
    },
    /// The caller left before an agent answered.
    Abandon {
        call: u64,
    },
    /// Someone the ACD did not offer it to picked the ringing call up.
    PickedUp {
        call: u64,
    },
    /// The answered conversation is over.
    Ended {
        call: u64,
    },
}

enum Request {
    Enqueue {
        call: u64,
        queue: String,
        priority: i32,
        preferred_agent: Option<String>,
        notices: mpsc::UnboundedSender<AcdNotice>,
    },
    Report(CallReport),
    Agent {
        employee_id: String,
        command: AgentCommand,
        reply: oneshot::Sender<Result<AgentView, AgentError>>,
    },
    View(oneshot::Sender<AcdView>),
    Position(u64, oneshot::Sender<Option<sb_acd::QueuePosition>>),
    Reload,
}

/// The handle call tasks and the API hold.
#[derive(Clone)]
pub(crate) struct AcdService {
    requests: mpsc::UnboundedSender<Request>,
    queues: Arc<RwLock<HashMap<String, QueueSetup>>>,
    /// Each agent's own extension, for transfers to an agent.
    extensions: Arc<RwLock<HashMap<String, String>>>,
    next_call: Arc<AtomicU64>,
}

impl std::fmt::Debug for AcdService {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AcdService").finish_non_exhaustive()
    }
}

impl AcdService {
    pub(crate) fn start(directory: Arc<dyn Directory>, events: Arc<dyn EventSink>) -> AcdService {
        let (requests, inbox) = mpsc::unbounded_channel();
        let queues = Arc::new(RwLock::new(HashMap::new()));
        let extensions = Arc::new(RwLock::new(HashMap::new()));
        let service = AcdService {
            requests,
            queues: queues.clone(),
            extensions: extensions.clone(),
            // Call refs only need to be unique within the log's lifetime:
            // start from the clock so a restart never reuses one.
            next_call: Arc::new(AtomicU64::new(unix_millis().saturating_mul(1000))),
        };
        tokio::spawn(run(directory, events, inbox, queues, extensions));
        service
    }

    pub(crate) fn new_call_ref(&self) -> u64 {
        self.next_call.fetch_add(1, Ordering::Relaxed)
    }

    /// How the named queue treats its callers, if it exists.
    pub(crate) fn queue(&self, name: &str) -> Option<QueueSetup> {
        self.queues.read().ok()?.get(name).cloned()
    }

    /// The extension an agent takes calls at: where they signed in, or
    /// their own.
    pub(crate) fn extension_of(&self, agent: &str) -> Option<String> {
        self.extensions.read().ok()?.get(agent).cloned()
    }

    /// Where a waiting caller is in its queue.
    pub(crate) async fn position(&self, call: u64) -> Option<sb_acd::QueuePosition> {
        let (reply, answer) = oneshot::channel();
        self.requests.send(Request::Position(call, reply)).ok()?;
        answer.await.ok().flatten()
    }

    /// Queues a caller; `preferred_agent` (the caller's last agent) is
    /// offered the call first where the queue has a sticky-agent wait.
    pub(crate) fn enqueue(
        &self,
        call: u64,
        queue: &str,
        priority: i32,
        preferred_agent: Option<String>,
        notices: mpsc::UnboundedSender<AcdNotice>,
    ) {
        let _ = self.requests.send(Request::Enqueue {
            call,
            queue: queue.to_owned(),
            priority,
            preferred_agent,
            notices,
        });
    }

    pub(crate) fn report(&self, report: CallReport) {
        let _ = self.requests.send(Request::Report(report));
    }

    pub(crate) async fn agent(
        &self,
        employee_id: &str,
        command: AgentCommand,
    ) -> Result<AgentView, AgentError> {
        let (reply, answer) = oneshot::channel();
        self.requests
            .send(Request::Agent {
                employee_id: employee_id.to_owned(),
                command,
                reply,
            })
            .map_err(|_| AgentError::Unavailable)?;
        answer.await.map_err(|_| AgentError::Unavailable)?
    }

    pub(crate) async fn view(&self) -> AcdView {
        let (reply, answer) = oneshot::channel();
        if self.requests.send(Request::View(reply)).is_err() {
            return AcdView::default();
        }
        answer.await.unwrap_or_default()
    }

    /// Queues or agents' queue memberships changed in the store.
    pub(crate) fn reload(&self) {
        let _ = self.requests.send(Request::Reload);
    }
}

struct Runner {
    directory: Arc<dyn Directory>,
    acd: Acd,
    setup: AcdSetup,
    queues: Arc<RwLock<HashMap<String, QueueSetup>>>,
    extensions: Arc<RwLock<HashMap<String, String>>>,
    /// Where each waiting or ringing call's notices go.
    calls: HashMap<CallRef, mpsc::UnboundedSender<AcdNotice>>,
    /// Signed-in agents: the extension they took calls at, and since when
    /// they are in their current state.
    seats: HashMap<AgentId, Seat>,
    /// The latest instant given to the core.
    last_now: u64,
    /// To the event-log writer: decisions never wait for the database.
    log: mpsc::UnboundedSender<Vec<crate::directory::AcdLogEntry>>,
    /// Agent states and queue figures for desktops and wallboards.
    events: Arc<dyn EventSink>,
    /// The queue figures last published, to publish only changes.
    published_queues: HashMap<String, QueueSubject>,
}

#[derive(Debug, Clone)]
struct Seat {
    extension: String,
    since_ms: u64,
    /// Offers ring the seat's phone with auto-answer hints.
    auto_answer: bool,
}

async fn run(
    directory: Arc<dyn Directory>,
    events: Arc<dyn EventSink>,
    mut inbox: mpsc::UnboundedReceiver<Request>,
    queues: Arc<RwLock<HashMap<String, QueueSetup>>>,
    extensions: Arc<RwLock<HashMap<String, String>>>,
) {
    let directory_for_log = directory.clone();
    let setup = directory.acd_setup().await.unwrap_or_else(|error| {
        warn!(%error, "could not read the queues; the ACD starts empty");
        AcdSetup::default()
    });
    let mut runner = Runner {
        acd: Acd::new(config_of(&setup)),
        setup,
        queues,
        extensions,
        directory,
        calls: HashMap::new(),
        seats: HashMap::new(),
        last_now: 0,
        log: spawn_log_writer(directory_for_log),
        events,
        published_queues: HashMap::new(),
    };
    runner.restore_agents().await;
    runner.publish_queues();
    runner.settle().await;
    info!(
        queues = runner.setup.queues.len(),
        agents = runner.setup.agents.len(),
        signed_in = runner.seats.len(),
        "ACD started"
    );
    let mut reconcile = tokio::time::interval(RECONCILE_EVERY);
    reconcile.tick().await;
    loop {
        let wait = runner
            .acd
            .poll_timeout()
            .map(|at| Duration::from_millis(at.saturating_sub(unix_millis())))
            .unwrap_or(Duration::from_secs(3600));
        tokio::select! {
            request = inbox.recv() => match request {
                Some(request) => runner.handle(request).await,
                None => break,
            },
            _ = reconcile.tick() => runner.reconcile(),
            () = tokio::time::sleep(wait) => {
                let now = runner.now();
                if let Err(error) = runner.acd.handle_timeout(now) {
                    warn!(%error, "ACD timeout refused");
                }
            }
        }
        runner.settle().await;
    }
}

impl Runner {
    /// The ACD's clock never goes back, even if the wall clock does.
    fn now(&mut self) -> u64 {
        self.last_now = unix_millis().max(self.last_now);
        self.last_now
    }

    async fn handle(&mut self, request: Request) {
        let now = self.now();
        match request {
            Request::Enqueue {
                call,
                queue,
                priority,
                preferred_agent,
                notices,
            } => {
                let call = CallRef(call);
                let command = Command::Enqueue {
                    call,
                    queue: QueueId(queue.clone()),
                    priority,
                    preferred_agent: preferred_agent.map(AgentId),
                };
                match self.acd.handle(now, command) {
                    Ok(()) => {
                        self.calls.insert(call, notices);
                    }
                    Err(error) => {
                        warn!(%error, queue = %queue, "enqueue refused");
                        let _ = notices.send(AcdNotice::Overflow {
                            queue,
                            reason: error.to_string(),
                        });
                    }
                }
            }
            Request::Report(report) => self.report(now, report),
            Request::Agent {
                employee_id,
                command,
                reply,
            } => {
                let answer = self.agent_command(now, &employee_id, command);
                let _ = reply.send(answer);
            }
            Request::View(reply) => {
                let _ = reply.send(self.view(now));
            }
            Request::Position(call, reply) => {
                let _ = reply.send(self.acd.position(CallRef(call)));
            }
            Request::Reload => self.reload().await,
        }
    }

    fn report(&mut self, now: u64, report: CallReport) {
        let command = match report {
            CallReport::Answered { call, agent } => Command::Answered {
                call: CallRef(call),
                agent: AgentId(agent),
            },
            CallReport::NoAnswer { call, agent } => Command::NoAnswer {
                call: CallRef(call),
                agent: AgentId(agent),
            },
            CallReport::Abandon { call } => Command::Abandon {
                call: CallRef(call),
            },
            CallReport::PickedUp { call } => Command::PickedUp {
                call: CallRef(call),
            },
            CallReport::Ended { call } => Command::CallEnded {
                call: CallRef(call),
            },
        };
        let call = match &command {
            Command::Abandon { call }
            | Command::CallEnded { call }
            | Command::PickedUp { call } => Some(*call),
            _ => None,
        };
        if let Err(error) = self.acd.handle(now, command) {
            // A report racing a decision (the ring timeout fired as the
            // phone answered) is expected; the call task follows the notices.
            debug!(%error, "call report refused");
        }
        if let Some(call) = call {
            self.calls.remove(&call);
        }
    }

    fn agent_command(
        &mut self,
        now: u64,
        employee_id: &str,
        command: AgentCommand,
    ) -> Result<AgentView, AgentError> {
        let agent = AgentId(employee_id.to_owned());
        let profile = self
            .setup
            .agents
            .iter()
            .find(|a| a.employee_id == employee_id)
            .cloned()
            .ok_or_else(|| AgentError::UnknownAgent(employee_id.to_owned()))?;
        // Taken only once the ACD accepts the sign-in.
        let mut new_seat = None;
        let core_command = match &command {
            AgentCommand::SignIn {
                extension,
                auto_answer,
            } => {
                let extension = extension
                    .clone()
                    .or_else(|| profile.extension.clone())
                    .ok_or(AgentError::NoExtension)?;
                let queues: Vec<(QueueId, u8)> = profile
                    .queues
                    .iter()
                    .filter(|(queue, _)| self.setup.queues.iter().any(|q| &q.name == queue))
                    .map(|(queue, skill)| (QueueId(queue.clone()), *skill))
                    .collect();
                if queues.is_empty() {
                    return Err(AgentError::NoQueues);
                }
                new_seat = Some(Seat {
                    extension,
                    since_ms: now,
                    auto_answer: *auto_answer,
                });
                Command::Login {
                    agent: agent.clone(),
                    queues,
                }
            }
            AgentCommand::SignOut => Command::Logout {
                agent: agent.clone(),
            },
            AgentCommand::Ready => Command::SetReady {
                agent: agent.clone(),
            },
            AgentCommand::NotReady { reason } => Command::SetNotReady {
                agent: agent.clone(),
                reason: reason.clone(),
            },
        };
        // Offers the sign-in makes at once need the seat; a refused
        // sign-in leaves the seat the agent had.
        let old_seat = new_seat.map(|seat| self.seats.insert(agent.clone(), seat));
        if let Err(error) = self.acd.handle(now, core_command) {
            match old_seat {
                Some(Some(seat)) => {
                    self.seats.insert(agent.clone(), seat);
                }
                Some(None) => {
                    self.seats.remove(&agent);
                }
                None => {}
            }
            return Err(AgentError::Refused(error.to_string()));
        }
        info!(agent = %employee_id, command = command.code(), "agent state command");
        self.publish_queues();
        Ok(self.agent_view(now, &profile))
    }

    /// Drains the core's decisions to the call tasks and its log to the store.
    async fn settle(&mut self) {
        let now = self.now();
        while let Some(decision) = self.acd.poll_output() {
            match decision {
                Decision::Offer { call, agent, queue } => {
                    let (extension, auto_answer) = self
                        .seats
                        .get(&agent)
                        .map(|seat| (seat.extension.clone(), seat.auto_answer))
                        .unwrap_or_default();
                    info!(call = call.0, agent = %agent.0, queue = %queue.0, "offer");
                    self.notify(
                        call,
                        AcdNotice::Offer {
                            agent: agent.0,
                            extension,
                            queue: queue.0,
                            auto_answer,
                        },
                    );
                }
                Decision::CancelOffer { call, agent } => {
                    self.notify(call, AcdNotice::CancelOffer { agent: agent.0 });
                }
                Decision::Overflow {
                    call,
                    queue,
                    reason,
                } => {
                    info!(call = call.0, queue = %queue.0, ?reason, "overflow");
                    self.notify(
                        call,
                        AcdNotice::Overflow {
                            queue: queue.0,
                            reason: acd_log::overflow_code(reason).to_owned(),
                        },
                    );
                    self.calls.remove(&call);
                }
                Decision::AgentState { agent, state } => {
                    if let Some(seat) = self.seats.get_mut(&agent) {
                        seat.since_ms = now;
                    }
                    self.publish_agent_state(&agent, &state);
                    if state == AgentState::LoggedOut {
                        self.seats.remove(&agent);
                    }
                }
            }
        }
        let events = self.acd.take_events();
        if events.is_empty() {
            return;
        }
        self.publish_queue_changes(now);
        let seats = &self.seats;
        let entries = events
            .iter()
            .map(|event| {
                acd_log::entry(event, |agent| {
                    seats
                        .get(&AgentId(agent.to_owned()))
                        .map(|s| (s.extension.clone(), s.auto_answer))
                })
            })
            .collect();
        if self.log.send(entries).is_err() {
            warn!("the ACD event-log writer stopped: entries lost");
        }
    }

    fn publish_agent_state(&self, agent: &AgentId, state: &AgentState) {
        let (code, reason) = crate::acd_view::state_code(state);
        let extension = (code != "logged_out")
            .then(|| self.seats.get(agent).map(|s| s.extension.clone()))
            .flatten();
        self.events.publish(CtiEvent::AgentState {
            agent: AgentSubject {
                employee_id: agent.0.clone(),
                state: code.to_owned(),
                reason,
                extension,
                wrap_up_until_ms: match state {
                    AgentState::WrapUp { until_ms } => Some(*until_ms),
                    _ => None,
                },
            },
        });
    }

    /// Publishes the figures of every queue whose counts changed since
    /// last published (the longest wait alone grows by itself: wallboards
    /// extrapolate it from the event's time).
    fn publish_queue_changes(&mut self, now: u64) {
        for queue in &self.setup.queues {
            let Some(stats) = self.acd.queue_stats(&QueueId(queue.name.clone()), now) else {
                continue;
            };
            let subject = QueueSubject {
                name: queue.name.clone(),
                waiting: stats.waiting,
                longest_wait_ms: stats.longest_wait_ms,
                agents_logged_in: stats.agents.logged_in,
                agents_ready: stats.agents.ready,
                offered: stats.counters.offered,
                answered: stats.counters.answered,
                abandoned: stats.counters.abandoned,
                service_level_percent: stats.service_level_percent,
            };
            let unchanged = self.published_queues.get(&queue.name).is_some_and(|last| {
                QueueSubject {
                    longest_wait_ms: subject.longest_wait_ms,
                    ..last.clone()
                } == subject
            });
            if unchanged {
                continue;
            }
            self.published_queues
                .insert(queue.name.clone(), subject.clone());
            self.events
                .publish(CtiEvent::QueueChanged { queue: subject });
        }
    }

    fn notify(&mut self, call: CallRef, notice: AcdNotice) {
        if !self.calls.contains_key(&call) {
            // The call task already reported the end (e.g. the caller hung
            // up while an agent rang): the notice has nobody to tell.
            debug!(call = call.0, ?notice, "notice for a finished call dropped");
            return;
        }
        let delivered = self
            .calls
            .get(&call)
            .is_some_and(|notices| notices.send(notice).is_ok());
        if !delivered {
            // The call task is gone without saying so: repair the drift.
            warn!(
                call = call.0,
                "ACD call without a live call task: abandoned"
            );
            self.calls.remove(&call);
            let now = self.now();
            let _ = self.acd.handle(now, Command::Abandon { call });
        }
    }

    /// Signs in again, at the same extension and in the same ready or
    /// not-ready state, the agents who were signed in when the switch
    /// stopped (their calls ended with the old process).
    async fn restore_agents(&mut self) {
        let since = unix_millis().saturating_sub(RESTORE_WINDOW_MS);
        let sessions = match self.directory.agent_sessions(since).await {
            Ok(sessions) => sessions,
            Err(error) => {
                warn!(%error, "could not read the agents' last states; they sign in again");
                return;
            }
        };
        for session in sessions {
            let now = self.now();
            let signed_in = self.agent_command(
                now,
                &session.employee_id,
                AgentCommand::SignIn {
                    extension: session.extension.clone(),
                    auto_answer: session.auto_answer,
                },
            );
            if let Err(error) = signed_in {
                warn!(agent = %session.employee_id, %error, "agent not signed in again");
                continue;
            }
            if let Some(reason) = session.not_ready {
                let _ = self.agent_command(
                    now,
                    &session.employee_id,
                    AgentCommand::NotReady { reason },
                );
            }
            info!(agent = %session.employee_id, "agent signed in again after a restart");
        }
    }

    /// Repairs drift between the ACD and the call tasks: a call the ACD
    /// still holds whose task is gone (it ended without reporting, e.g. a
    /// panic) is abandoned or ended, and the repair is logged.
    fn reconcile(&mut self) {
        let gone: Vec<CallRef> = self
            .calls
            .iter()
            .filter(|(_, notices)| notices.is_closed())
            .map(|(call, _)| *call)
            .collect();
        let now = self.now();
        for call in gone {
            self.calls.remove(&call);
            let on_call = matches!(
                self.acd.call_status(call),
                Some(sb_acd::CallStatus::OnCall { .. })
            );
            let command = if on_call {
                Command::CallEnded { call }
            } else {
                Command::Abandon { call }
            };
            match self.acd.handle(now, command) {
                Ok(()) => warn!(
                    call = call.0,
                    on_call, "ACD drift repaired: the call's task is gone"
                ),
                Err(error) => debug!(call = call.0, %error, "drift repair refused"),
            }
        }
    }

    async fn reload(&mut self) {
        let setup = match self.directory.acd_setup().await {
            Ok(setup) => setup,
            Err(error) => {
                warn!(%error, "could not reload the queues");
                return;
            }
        };
        let now = self.now();
        for queue in &setup.queues {
            let _ = self.acd.handle(
                now,
                Command::SetQueue {
                    queue: QueueId(queue.name.clone()),
                    config: queue.acd.clone(),
                },
            );
        }
        for old in &self.setup.queues {
            if !setup.queues.iter().any(|q| q.name == old.name) {
                let _ = self.acd.handle(
                    now,
                    Command::RemoveQueue {
                        queue: QueueId(old.name.clone()),
                    },
                );
            }
        }
        self.setup = setup;
        self.publish_queues();
        info!(
            queues = self.setup.queues.len(),
            "ACD configuration reloaded"
        );
    }

    fn publish_queues(&self) {
        if let Ok(mut extensions) = self.extensions.write() {
            *extensions = self
                .setup
                .agents
                .iter()
                .filter_map(|a| {
                    let extension = self
                        .seats
                        .get(&AgentId(a.employee_id.clone()))
                        .map(|s| s.extension.clone())
                        .or_else(|| a.extension.clone())?;
                    Some((a.employee_id.clone(), extension))
                })
                .collect();
        }
        if let Ok(mut queues) = self.queues.write() {
            *queues = self
                .setup
                .queues
                .iter()
                .map(|q| (q.name.clone(), q.clone()))
                .collect();
        }
    }

    fn agent_view(&self, now: u64, profile: &AgentProfile) -> AgentView {
        let agent = AgentId(profile.employee_id.clone());
        let state = self
            .acd
            .agent_state(&agent)
            .cloned()
            .unwrap_or(AgentState::LoggedOut);
        let seat = self.seats.get(&agent);
        let mut view = AgentView::new(profile, &state, seat.map(|s| s.extension.clone()), {
            seat.map_or(0, |s| now.saturating_sub(s.since_ms))
        });
        view.auto_answer = view.extension.is_some() && seat.is_some_and(|s| s.auto_answer);
        view
    }

    fn view(&self, now: u64) -> AcdView {
        let agents = self
            .setup
            .agents
            .iter()
            .map(|profile| self.agent_view(now, profile))
            .collect::<Vec<_>>();
        let queues = self
            .setup
            .queues
            .iter()
            .map(|queue| {
                let stats = self.acd.queue_stats(&QueueId(queue.name.clone()), now);
                QueueView {
                    name: queue.name.clone(),
                    waiting: stats.as_ref().map_or(0, |s| s.waiting),
                    longest_wait_ms: stats.as_ref().map_or(0, |s| s.longest_wait_ms),
                    agents_logged_in: stats.as_ref().map_or(0, |s| s.agents.logged_in),
                    agents_ready: stats.as_ref().map_or(0, |s| s.agents.ready),
                }
            })
            .collect();
        AcdView { agents, queues }
    }
}

fn config_of(setup: &AcdSetup) -> AcdConfig {
    AcdConfig {
        queues: setup
            .queues
            .iter()
            .map(|q| (QueueId(q.name.clone()), q.acd.clone()))
            .collect::<BTreeMap<_, _>>(),
    }
}

/// Writes the ACD's event log in batches on its own task, so a slow
/// database delays the log, never a decision.
fn spawn_log_writer(
    directory: Arc<dyn Directory>,
) -> mpsc::UnboundedSender<Vec<crate::directory::AcdLogEntry>> {
    let (entries, mut inbox) = mpsc::unbounded_channel::<Vec<crate::directory::AcdLogEntry>>();
    tokio::spawn(async move {
        while let Some(mut batch) = inbox.recv().await {
            while let Ok(more) = inbox.try_recv() {
                batch.extend(more);
            }
            if let Err(error) = directory.write_acd_events(batch).await {
                warn!(%error, "could not write the ACD event log");
            }
        }
    });
    entries
}
