//! One task per feature-code call (MISSION G10): an extension dialled
//! `*11`-`*14`. The switch carries the code out through the ACD task (so
//! agent.state events and the ACD log follow, as for the API's commands),
//! answers, plays a short confirmation (Chinese: success or failure) and
//! hangs up. The call leaves a CDR with any PIN masked.
//!
//! A wrong PIN counts as a failed authentication of the source address
//! (`Shared::auth_failed`), so guessing PINs bans the guesser like guessing
//! SIP passwords does; the directory audits every PIN attempt.

use std::sync::Arc;
use std::time::Duration;

use sb_call::{LegId, ServiceAction, ServiceCall};
use sb_media::session::MediaEvent;
use sb_sip::SipCall;
use tracing::{Instrument, info, info_span, warn};

use crate::acd_view::{AgentCommand, AgentError};
use crate::admission::CallPermit;
use crate::call_media::CALLER;
use crate::call_task;
use crate::directory::{Account, PinAttempt};
use crate::feature_codes::FeatureCode;
use crate::media::{EngineEvent, SessionCommand};
use crate::prompt_library::{Language, Speech};
use crate::routing::CallPlan;
use crate::shared::{Shared, unix_millis};

/// The confirmation is short; a phone that never lets it finish (no RTP
/// path, a stuck player) is hung up after this anyway.
const CONFIRMATION_LIMIT: Duration = Duration::from_secs(15);

/// How a feature code turned out, as the caller hears it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Done,
    WrongPin,
    /// Not possible now (no agent at this extension, refused by the ACD,
    /// unknown reason).
    Refused,
}

impl Outcome {
    fn speech(self) -> Vec<Speech> {
        match self {
            Outcome::Done => vec![
                Speech::Builtin("beep".into()),
                Speech::Builtin("thank-you".into()),
            ],
            Outcome::WrongPin => vec![Speech::Builtin("verification-failed".into())],
            Outcome::Refused => vec![Speech::Builtin("invalid-input".into())],
        }
    }
}

pub(crate) fn spawn(
    shared: Arc<Shared>,
    call: SipCall,
    account: Account,
    code: FeatureCode,
    offer: Option<Vec<u8>>,
    permit: CallPermit,
) {
    let span = info_span!("feature_code", call_id = %call.caller_call_id(), extension = %account.extension, code = code.name());
    tokio::spawn(run(shared, call, account, code, offer, permit).instrument(span));
}

async fn run(
    shared: Arc<Shared>,
    mut call: SipCall,
    account: Account,
    code: FeatureCode,
    offer: Option<Vec<u8>>,
    _permit: CallPermit,
) {
    let started = unix_millis();
    let plan = plan(&account, &code);
    let source = call.caller_source().ip();
    let answer = offer.as_deref().and_then(|offer| {
        let mut media = call_task::open_media(&shared, Some(offer))?;
        let answer = media.local_answer(LegId::A, offer)?;
        Some((media, answer))
    });
    let Some((mut media, answer)) = answer else {
        // Without media there is no confirmation to hear: nothing is done.
        warn!("no SDP offer, no codec in common or no RTP ports: refusing the feature code");
        call.reject(488);
        call.release();
        let summary = call_task::failed_summary(started, "488 no media");
        let _ = shared
            .records
            .send(plan.record(call.caller_call_id(), &summary))
            .await;
        return;
    };
    let outcome = carry_out(&shared, &account.extension, source, code).await;
    let (prompts, problems) = shared.prompts.render(&outcome.speech(), Language::Zh).await;
    for problem in problems {
        warn!(%problem, "prompt skipped");
    }
    let mut core = ServiceCall::start(started);
    let give_up = tokio::time::Instant::now() + CONFIRMATION_LIMIT;
    let mut terminate = shared.terminate.clone();
    let mut prompts = Some(prompts);
    loop {
        while let Some(action) = core.poll_output() {
            match action {
                ServiceAction::AnswerCaller => {
                    call.answer(Some(answer.clone()));
                    media.handle.command(SessionCommand::Play {
                        leg: CALLER,
                        prompts: prompts.take().unwrap_or_default(),
                        barge_in: false,
                    });
                }
                ServiceAction::Hangup { leg } => call.hangup(leg).await,
                ServiceAction::AnswerReInvite { leg, status } => {
                    call.answer_reinvite(leg, status, Some(answer.clone()))
                        .await;
                }
                ServiceAction::Ended(summary) => {
                    call.release();
                    info!(outcome = ?outcome, cause = %summary.cause, "feature code call ended");
                    let _ = shared
                        .records
                        .send(plan.record(call.caller_call_id(), &summary))
                        .await;
                    return;
                }
                _ => {}
            }
        }
        tokio::select! {
            event = call.next_event() => match event {
                Some((leg, event)) => core.handle_leg(unix_millis(), leg, event),
                None => core.hang_up(unix_millis(), "signalling lost"),
            },
            Some(event) = media.events.recv() => {
                if let EngineEvent::Media(MediaEvent::PlaybackFinished { leg, .. }) = event
                    && leg == CALLER
                {
                    core.hang_up(unix_millis(), "feature code confirmed");
                }
            }
            () = tokio::time::sleep_until(give_up) => {
                core.hang_up(unix_millis(), "confirmation time limit");
            }
            changed = terminate.changed() => {
                if changed.is_err() || *terminate.borrow() {
                    core.hang_up(unix_millis(), "switch shutting down");
                }
            }
        }
    }
}

/// The CDR's view of the call: the extension dialled the masked code.
fn plan(account: &Account, code: &FeatureCode) -> CallPlan {
    CallPlan {
        direction: "internal",
        caller: account.extension.clone(),
        callee: code.masked(),
        caller_extension: Some(account.extension.clone()),
        callee_extension: None,
        trunk: None,
        did: String::new(),
        targets: Vec::new(),
        trunk_permit: None,
        record: false,
        service: None,
        auto_answer: None,
    }
}

async fn carry_out(
    shared: &Shared,
    extension: &str,
    source: std::net::IpAddr,
    code: FeatureCode,
) -> Outcome {
    let (agent, command) = match code {
        FeatureCode::SignIn { employee_id, pin } => {
            let attempt = PinAttempt {
                employee_id: employee_id.clone(),
                pin,
                extension: extension.to_owned(),
                source,
            };
            match shared.directory.check_agent_pin(attempt).await {
                Ok(true) => {}
                Ok(false) => {
                    warn!(agent = %employee_id, %source, "wrong agent PIN");
                    shared.auth_failed(source, &employee_id);
                    return Outcome::WrongPin;
                }
                Err(error) => {
                    warn!(%error, "could not check the agent PIN");
                    return Outcome::Refused;
                }
            }
            // A phone-only agent answers from the handset.
            let command = AgentCommand::SignIn {
                extension: Some(extension.to_owned()),
                auto_answer: false,
            };
            (employee_id, command)
        }
        FeatureCode::SignOut => match agent_at(shared, extension).await {
            Some(agent) => (agent, AgentCommand::SignOut),
            None => return Outcome::Refused,
        },
        FeatureCode::Ready => match agent_at(shared, extension).await {
            Some(agent) => (agent, AgentCommand::Ready),
            None => return Outcome::Refused,
        },
        FeatureCode::NotReady { reason } => {
            let Some(agent) = agent_at(shared, extension).await else {
                return Outcome::Refused;
            };
            let Some(reason) = not_ready_reason(shared, reason).await else {
                return Outcome::Refused;
            };
            (agent, AgentCommand::NotReady { reason })
        }
    };
    let code = command.code();
    match shared.acd.agent(&agent, command).await {
        Ok(view) => {
            info!(%agent, command = code, state = view.state, "agent state set by feature code");
            Outcome::Done
        }
        Err(
            error @ (AgentError::Refused(_) | AgentError::UnknownAgent(_) | AgentError::NoQueues),
        ) => {
            info!(%agent, command = code, %error, "feature code refused");
            Outcome::Refused
        }
        Err(error) => {
            warn!(%agent, command = code, %error, "feature code failed");
            Outcome::Refused
        }
    }
}

/// The agent signed in at `extension`, if any.
pub(crate) async fn agent_at(shared: &Shared, extension: &str) -> Option<String> {
    let view = shared.acd.view().await;
    let agent = view
        .agents
        .into_iter()
        .find(|a| a.extension.as_deref() == Some(extension))
        .map(|a| a.employee_id);
    if agent.is_none() {
        info!("no agent signed in at this extension");
    }
    agent
}

/// The reason asked for if the list has it; the list's first otherwise.
async fn not_ready_reason(shared: &Shared, asked: Option<String>) -> Option<String> {
    let reasons = match shared.directory.not_ready_reasons().await {
        Ok(reasons) => reasons,
        Err(error) => {
            warn!(%error, "could not read the not-ready reasons");
            return None;
        }
    };
    match asked {
        Some(asked) if reasons.contains(&asked) => Some(asked),
        Some(asked) => {
            info!(reason = %asked, "unknown not-ready reason");
            None
        }
        None => reasons.into_iter().next(),
    }
}
