//! The caller in a queue (MISSION A1-A9): entering it (position and music,
//! the ACD's enqueue), the ACD's notices (an offer rings the agent's phones,
//! with auto-answer hints if they chose it; a withdrawn offer stops them;
//! an overflow sends the caller on), the queue's voicemail, the position
//! announcements, and which extensions the live call shows ringing.

use sb_core::cti::CtiEvent;
use sb_sip::DialTarget;
use tracing::{debug, info, warn};

use super::{
    AgentLink, Announcement, AnnouncementFor, PendingVoicemail, QUEUE_VOICEMAIL_SECONDS, Queued,
    Run,
};
use crate::acd_task::{AcdNotice, CallReport};
use crate::call_media::CALLER;
use crate::call_task;
use crate::directory::OverflowTarget;
use crate::media::SessionCommand;
use crate::prompt_library::{Language, Speech};
use crate::routing::extension_targets;
use crate::shared::unix_millis;
use sb_ivr::Input;

impl Run {
    pub(super) async fn enter_queue(
        &mut self,
        queue: String,
        priority: u8,
        data: std::collections::BTreeMap<String, String>,
    ) {
        let Some(setup) = self.shared.acd.queue(&queue) else {
            warn!(%queue, "the flow names a queue that does not exist");
            self.ivr.handle(
                unix_millis(),
                Input::QueueOverflowed {
                    reason: format!("no queue named {queue}"),
                },
            );
            return;
        };
        info!(%queue, priority, ?data, "caller queued");
        // Each stay in a queue is its own call for the ACD: a caller back
        // from an overflow is not a duplicate of the finished entry.
        self.call_ref = self.shared.acd.new_call_ref();
        self.media
            .handle
            .command(SessionCommand::HearMusic(CALLER, setup.music_class.clone()));
        let sticky = setup.acd.sticky_wait_ms.is_some();
        let now = unix_millis();
        self.queued = Some(Queued {
            queue: queue.clone(),
            since: now,
            next_announcement: setup
                .announce_position
                .then(|| now + setup.announce_interval_ms.max(10_000)),
            setup,
        });
        let preferred = if sticky {
            self.shared
                .directory
                .last_agent(&self.plan.caller)
                .await
                .unwrap_or_else(|error| {
                    warn!(%error, "could not look up the caller's last agent");
                    None
                })
        } else {
            None
        };
        self.shared
            .live_calls
            .update(self.live_id, |c| c.queue = Some(queue.clone()));
        self.shared.acd.enqueue(
            self.call_ref,
            &queue,
            i32::from(priority),
            preferred,
            self.notices.clone(),
        );
    }

    /// Rings `targets` (an agent's or extension's phones, or a trunk).
    pub(super) fn ring(&mut self, link: AgentLink, targets: Vec<DialTarget>) -> bool {
        self.targets = targets;
        self.dial_hints = None;
        if !self.core.dial(self.targets.len()) {
            return false;
        }
        info!(extension = %link.extension, agent = ?link.agent, "ringing");
        if link.agent.is_none() {
            self.transfer_deadline = Some(unix_millis() + self.shared.config.ring_timeout_ms);
        }
        self.ringing_legs = self.core.ringing_legs();
        if let Some(mut subject) = self.shared.live_calls.subject(self.live_id) {
            subject.agent = link.agent.clone().or(link.named.clone());
            subject.extension = Some(link.extension.clone());
            self.shared
                .events
                .publish(CtiEvent::CallRinging { call: subject });
        }
        self.ringing = Some(link);
        true
    }

    pub(super) async fn acd_notice(&mut self, notice: AcdNotice) {
        match notice {
            AcdNotice::Offer {
                agent,
                extension,
                queue,
                auto_answer,
            } => {
                let agent_extension = extension.clone();
                let mut targets =
                    extension_targets(&self.shared, &extension, &self.plan.caller, None);
                let mobile = self.offer_mobile(&agent, &extension, &mut targets).await;
                let waited_ms = self
                    .queued
                    .as_ref()
                    .map_or(0, |q| unix_millis().saturating_sub(q.since));
                if let Some(mut subject) = self.shared.live_calls.subject(self.live_id) {
                    subject.queue = Some(queue.clone());
                    subject.agent = Some(agent.clone());
                    subject.extension = Some(extension.clone());
                    self.shared.events.publish(CtiEvent::CallOffered {
                        call: subject,
                        waited_ms,
                    });
                }
                let link = AgentLink {
                    agent: Some(agent.clone()),
                    named: None,
                    busy: None,
                    extension,
                    queue: Some(queue),
                };
                if self.ringing.as_ref().is_some_and(|r| r.agent.is_some()) {
                    // A ring-all queue: this agent's phones ring too.
                    self.targets = targets;
                    self.offer_hints(auto_answer, &agent_extension);
                    let legs = self.core.dial_more(self.targets.len());
                    self.mobile_rung(mobile, &legs);
                    if legs.is_empty() {
                        self.shared.acd.report(CallReport::NoAnswer {
                            call: self.call_ref,
                            agent,
                        });
                    } else {
                        info!(extension = %link.extension, %agent, "ringing too (ring all)");
                        self.also_ringing.push((link, legs));
                    }
                    return;
                }
                let rung = self.ring(link, targets);
                if rung {
                    self.offer_hints(auto_answer, &agent_extension);
                    let legs = self.ringing_legs.clone();
                    self.mobile_rung(mobile, &legs);
                } else {
                    // No registered phone (or the caller is already being
                    // connected): the ACD counts a miss and moves on.
                    self.shared.acd.report(CallReport::NoAnswer {
                        call: self.call_ref,
                        agent,
                    });
                }
            }
            AcdNotice::CancelOffer { agent } => {
                let names = |link: &Option<AgentLink>| {
                    link.as_ref()
                        .is_some_and(|l| l.agent.as_deref() == Some(agent.as_str()))
                };
                if let Some(index) = self
                    .also_ringing
                    .iter()
                    .position(|(link, _)| names(&Some(link.clone())))
                {
                    let (_, legs) = self.also_ringing.remove(index);
                    self.core.cancel_legs(&legs);
                } else if names(&self.ringing) {
                    if self.also_ringing.is_empty() {
                        self.ringing = None;
                        self.core.cancel_dial();
                    } else {
                        // Another ring-all agent still rings: it takes the lead.
                        self.core.cancel_legs(&self.ringing_legs);
                        let (link, legs) = self.also_ringing.remove(0);
                        self.ringing = Some(link);
                        self.ringing_legs = legs;
                    }
                } else if names(&self.connected) && self.queued.is_some() {
                    // The ring timeout crossed the agent's answer: the ACD
                    // has the caller waiting again, so the agent is let go
                    // and the caller waits with them.
                    warn!(%agent, "the agent answered as the ring timeout fired: back to the queue");
                    self.connected = None;
                    self.core.release_agent();
                    call_task::stop_recording(&mut self.media, unix_millis());
                    if let Some(queued) = &mut self.queued {
                        self.media.handle.command(SessionCommand::HearMusic(
                            CALLER,
                            queued.setup.music_class.clone(),
                        ));
                        queued.next_announcement = queued
                            .setup
                            .announce_position
                            .then(|| unix_millis() + queued.setup.announce_interval_ms.max(10_000));
                    }
                }
            }
            AcdNotice::Overflow { queue, reason } => {
                info!(%queue, %reason, "queue overflow");
                // The queue no longer holds the caller: no agent may still
                // ring for it, and the music stops.
                if self.ringing.as_ref().is_some_and(|r| r.agent.is_some()) {
                    self.ringing = None;
                    self.also_ringing.clear();
                    self.core.cancel_dial();
                }
                self.media.handle.command(SessionCommand::Hear(
                    CALLER,
                    sb_media::session::Hearing::Nothing,
                ));
                let setup = self.queued.take().map(|q| q.setup);
                let target = setup.map(|s| {
                    if reason == "no_agents" {
                        s.on_no_agent
                    } else {
                        s.on_overflow
                    }
                });
                self.overflow(queue, reason, target.unwrap_or(OverflowTarget::Flow))
                    .await;
            }
        }
    }

    pub(super) async fn overflow(&mut self, queue: String, reason: String, target: OverflowTarget) {
        match target {
            OverflowTarget::Flow => {
                self.ivr
                    .handle(unix_millis(), Input::QueueOverflowed { reason });
            }
            OverflowTarget::Queue(next) if next != queue => {
                self.enter_queue(next, 0, Default::default()).await;
            }
            OverflowTarget::Voicemail => {
                self.start_voicemail("queue", queue, QUEUE_VOICEMAIL_SECONDS, true)
                    .await;
            }
            OverflowTarget::Number(number) => {
                self.transfer(sb_ivr::TransferTarget::Number(number)).await;
            }
            OverflowTarget::OtherFlow(flow) => {
                if !self.continue_in_flow(&flow).await {
                    self.ivr
                        .handle(unix_millis(), Input::QueueOverflowed { reason });
                }
            }
            OverflowTarget::Queue(_) => {
                self.ivr
                    .handle(unix_millis(), Input::QueueOverflowed { reason });
            }
        }
    }

    /// Records the caller into a voicemail box after the beep (and, when
    /// the queue rather than the flow sent the caller here, the standard
    /// "leave a message" greeting first); `#` or hanging up ends it.
    pub(super) async fn start_voicemail(
        &mut self,
        kind: &'static str,
        mailbox: String,
        max_seconds: u32,
        greeting: bool,
    ) {
        let Some(root) = self.shared.config.recordings_dir.clone() else {
            warn!("voicemail needs a recordings folder");
            self.core.hang_up(unix_millis(), "voicemail unavailable");
            return;
        };
        let mut items = Vec::new();
        if greeting {
            items.push(Speech::Builtin("leave-message-after-tone".into()));
        }
        items.push(Speech::Builtin("beep".into()));
        let (prompts, _) = self.shared.prompts.render(&items, self.language).await;
        let lead_in: u64 = prompts.iter().map(|p| p.duration_ms()).sum();
        self.media.handle.command(SessionCommand::Play {
            leg: CALLER,
            prompts,
            barge_in: false,
        });
        let now = unix_millis();
        self.media
            .start_voicemail(&root, &self.call.caller_call_id(), now);
        self.voicemail = Some(PendingVoicemail {
            kind,
            mailbox,
            until: now + lead_in + u64::from(max_seconds.max(5)) * 1000,
            started: true,
        });
        info!(kind, "recording voicemail");
    }

    pub(super) fn announce_position(&mut self) {
        let Some(queued) = &self.queued else {
            return;
        };
        let acd = self.shared.acd.clone();
        let library = self.shared.prompts.clone();
        let announcements = self.announcements.clone();
        let language = self.language;
        let call_ref = self.call_ref;
        let queue = queued.queue.clone();
        tokio::spawn(async move {
            let Some(position) = acd.position(call_ref).await else {
                return;
            };
            let mut items = vec![Speech::Builtin("your-position-is".into())];
            let shown = match language {
                // 您前面还有 N 位: the callers ahead, not the caller's place.
                Language::Zh => position.position.saturating_sub(1),
                Language::En => position.position,
            };
            items.push(Speech::Number(shown.to_string()));
            items.push(Speech::Builtin("callers-ahead".into()));
            if let Some(wait) = position.expected_wait_ms {
                items.push(Speech::Builtin("expected-wait".into()));
                items.push(Speech::Number(wait.div_ceil(60_000).max(1).to_string()));
                items.push(Speech::Builtin("minutes".into()));
            }
            debug!(%queue, position = position.position, "announcing the queue position");
            let (prompts, _) = library.render(&items, language).await;
            let _ = announcements.send((AnnouncementFor::Queue, prompts));
        });
    }

    /// Renders an announcement in the background; the loop plays it.
    pub(super) fn render_announcement(&self, purpose: AnnouncementFor, items: Vec<Speech>) {
        let library = self.shared.prompts.clone();
        let announcements = self.announcements.clone();
        let language = self.language;
        tokio::spawn(async move {
            let (prompts, _) = library.render(&items, language).await;
            let _ = announcements.send((purpose, prompts));
        });
    }

    /// Plays a rendered announcement if what it announces still holds,
    /// counted like the flow's own plays.
    pub(super) fn announce(&mut self, (purpose, prompts): Announcement) {
        let relevant = match purpose {
            AnnouncementFor::Queue => {
                self.queued.is_some() && self.ringing.is_none() && self.connected.is_none()
            }
            AnnouncementFor::Agent => self.connected.is_some(),
        };
        if !relevant || prompts.is_empty() {
            return;
        }
        self.plays_outstanding += 1;
        self.media.handle.command(SessionCommand::Play {
            leg: CALLER,
            prompts,
            barge_in: false,
        });
    }

    /// An offer to an agent who chose auto-answer at sign-in rings their
    /// phone with the hints (`ring` cleared them); never their mobile.
    pub(super) fn offer_hints(&mut self, auto_answer: bool, extension: &str) {
        self.dial_hints = if auto_answer {
            let hints = crate::originate_task::auto_answer_headers(self.shared.stack.local_addr());
            Some((extension.to_owned(), hints))
        } else {
            None
        };
    }

    /// Publishes which extensions ring for the call when that changed.
    pub(super) fn show_ringing(&mut self) {
        let ringing: Vec<String> = if self.core.is_dialling() {
            self.ringing
                .iter()
                .chain(self.also_ringing.iter().map(|(link, _)| link))
                .map(|link| link.extension.clone())
                .collect()
        } else {
            Vec::new()
        };
        if ringing != self.shown_ringing {
            self.shown_ringing = ringing.clone();
            self.shared
                .live_calls
                .update(self.live_id, |c| c.ringing = ringing);
        }
    }
}
