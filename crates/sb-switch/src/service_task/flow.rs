//! The caller in the voice flow (MISSION I1-I6): what the interpreter asks
//! for (prompts, key collection, queues, transfers to an extension or a
//! number, hang-up), the keys the caller presses, and moving on to another
//! flow (the survey, a queue's overflow flow) with the trail kept.

use std::time::Duration;

use sb_core::cti::CtiEvent;
use sb_ivr::{CallFacts, Input, Interpreter, Output};
use tracing::{debug, info, warn};

use super::{AgentLink, Run, trail_json};
use crate::call_media::CALLER;
use crate::directory::SurveyRecord;
use crate::media::SessionCommand;
use crate::routing::{Service, extension_targets, route_out};
use crate::service_flow;
use crate::shared::unix_millis;

impl Run {
    /// The caller goes on in another flow (the survey, a queue's overflow
    /// flow), keeping the trail so far; false if the flow cannot run.
    pub(super) async fn continue_in_flow(&mut self, name: &str) -> bool {
        let loaded = match service_flow::load(
            &self.shared.flows,
            self.shared.directory.as_ref(),
            &Service::Flow(name.into()),
        )
        .await
        {
            Ok(loaded) => loaded,
            Err(error) => {
                debug!(%error, flow = name, "flow unavailable");
                return false;
            }
        };
        self.earlier_trail.extend(trail_json(&self.ivr));
        let facts = CallFacts {
            call_id: self.call.caller_call_id(),
            caller: self.plan.caller.clone(),
            dialled: self.plan.callee.clone(),
        };
        self.ivr = Interpreter::start(
            unix_millis(),
            loaded.flows.clone(),
            facts,
            loaded.calendars.clone(),
        );
        info!(
            flow = name,
            version = loaded.version,
            "caller continues in another flow"
        );
        true
    }

    pub(super) fn caller_digit(&mut self, digit: sb_media::dtmf::Digit, source: &'static str) {
        info!(key = %digit.key, source, "caller pressed a key");
        self.shared.live_calls.update(self.live_id, |call| {
            crate::live_calls::push_digit(&mut call.caller_digits, digit.key);
        });
        if self.connected.is_some() {
            return;
        }
        if self.voicemail.as_ref().is_some_and(|v| v.started) && digit.key == '#' {
            self.core.hang_up(unix_millis(), "voicemail left");
            return;
        }
        self.ivr.handle(unix_millis(), Input::Digit(digit.key));
    }

    pub(super) async fn flow_output(&mut self, output: Output) {
        match output {
            Output::Play {
                prompts,
                language,
                barge_in,
            } => {
                self.language = language;
                let (prompts, problems) = self.shared.prompts.render(&prompts, language).await;
                for problem in problems {
                    warn!(%problem, "prompt skipped");
                }
                self.plays_outstanding += 1;
                self.media.handle.command(SessionCommand::Play {
                    leg: CALLER,
                    prompts,
                    barge_in,
                });
            }
            Output::StopPlayback => {
                self.media
                    .handle
                    .command(SessionCommand::StopPlaying(CALLER));
            }
            Output::Lookup {
                request,
                url,
                method,
                params,
                timeout_ms,
            } => {
                let client = self.shared.lookups.clone();
                let answers = self.lookups.clone();
                tokio::spawn(async move {
                    let result = client
                        .fetch(&url, &method, &params, Duration::from_millis(timeout_ms))
                        .await;
                    if let Err(error) = &result {
                        warn!(%url, %error, "IVR lookup failed");
                    }
                    let _ = answers.send((request, result));
                });
            }
            Output::Queue {
                queue,
                priority,
                data,
            } => self.enter_queue(queue, priority, data).await,
            Output::Transfer { target } => self.transfer(target).await,
            Output::Voicemail {
                mailbox,
                max_seconds,
            } => {
                let (kind, mailbox) = match mailbox {
                    sb_ivr::Mailbox::Queue(queue) => ("queue", queue),
                    sb_ivr::Mailbox::Agent(agent) => ("agent", agent),
                };
                self.start_voicemail(kind, mailbox, max_seconds, false)
                    .await;
            }
            Output::SurveyAnswered { question, digit } => {
                let served = self.served_by.clone();
                let survey = SurveyRecord {
                    call_id: self.call.caller_call_id(),
                    question,
                    digit,
                    agent: served.as_ref().and_then(|s| s.agent.clone()),
                    queue: served.and_then(|s| s.queue),
                    at: unix_millis(),
                };
                info!(digit = %digit, "survey answered");
                if let Err(error) = self.shared.directory.write_survey(survey).await {
                    warn!(%error, "could not store the survey answer");
                }
            }
            Output::Hangup => self.core.hang_up(unix_millis(), "flow ended"),
        }
    }

    /// A flow's transfer: an extension's or agent's phones, or a number
    /// through the outbound routes (the flow's author chose it, so any
    /// call class). The flow goes on at its failure branch if nothing rings.
    pub(super) async fn transfer(&mut self, target: sb_ivr::TransferTarget) {
        let described = match &target {
            sb_ivr::TransferTarget::Extension(extension) => format!("extension:{extension}"),
            sb_ivr::TransferTarget::Agent(agent) => format!("agent:{agent}"),
            sb_ivr::TransferTarget::Number(number) => format!("number:{number}"),
        };
        self.shared
            .call_event(self.live_id, |call| CtiEvent::CallTransferred {
                call,
                kind: "blind".into(),
                target: described,
            });
        let outcome = match target {
            sb_ivr::TransferTarget::Extension(extension) => self.ring_extension(extension),
            sb_ivr::TransferTarget::Agent(agent) => match self.shared.acd.extension_of(&agent) {
                Some(extension) => self.ring_extension(extension),
                None => Err(format!("agent {agent} has no extension")),
            },
            sb_ivr::TransferTarget::Number(number) => self.ring_number(number).await,
        };
        if let Err(reason) = outcome {
            info!(%reason, "transfer failed");
            self.ivr
                .handle(unix_millis(), Input::TransferFailed { reason });
        }
    }

    pub(super) fn ring_extension(&mut self, extension: String) -> Result<(), String> {
        let targets = extension_targets(&self.shared, &extension, &self.plan.caller, None);
        let link = AgentLink {
            agent: None,
            named: None,
            busy: None,
            extension,
            queue: None,
        };
        if self.ring(link, targets) {
            Ok(())
        } else {
            Err("the extension is not registered".into())
        }
    }

    pub(super) async fn ring_number(&mut self, number: String) -> Result<(), String> {
        if matches!(self.shared.directory.account(&number).await, Ok(Some(a)) if a.enabled) {
            return self.ring_extension(number);
        }
        let out = route_out(
            &self.shared,
            &number,
            sb_core::CallClass::International,
            &self.plan.caller,
        )
        .await
        .map_err(|(refusal, _)| refusal.cause)?;
        let link = AgentLink {
            agent: None,
            named: None,
            busy: None,
            extension: out.number,
            queue: None,
        };
        if self.ring(link, vec![out.target]) {
            self.outbound_permit = Some(out.permit);
            Ok(())
        } else {
            Err("the call cannot ring anyone now".into())
        }
    }
}
