//! Connects the API's `SwitchControl` hook to the running switch.

use std::net::IpAddr;
use std::path::PathBuf;

use sb_api::{
    AcdStateFuture, AcdStateView, AgentCommandError, AgentCommandFuture, AgentQueueView,
    AgentStateCommand, AgentStateView, CallCommand, CallControlError, CallControlFuture, CallParty,
    CallTarget, CallTargetKind, CarrierRegistrationView, ConfigChange, LiveCallView, MadeCall,
    MakeCallError, MakeCallFuture, MonitorMode, QueueStateView, RegistrationView, SwitchControl,
    SwitchFigure,
};
use sb_media::mixer::Membership;
use sb_switch::acd_view::{AgentCommand, AgentError, AgentView};
use sb_switch::{CallControl, ControlError, OriginateError, Party, SwitchHandle, TransferTarget};
use time::OffsetDateTime;

#[derive(Debug)]
pub struct SwitchBridge {
    switch: SwitchHandle,
    /// `<data>/moh`: music-on-hold classes, reloaded when the console changes them.
    music_dir: PathBuf,
}

impl SwitchBridge {
    pub fn new(switch: SwitchHandle, music_dir: PathBuf) -> SwitchBridge {
        SwitchBridge { switch, music_dir }
    }
}

fn instant(millis: u64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp_nanos(i128::from(millis) * 1_000_000)
        .unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

impl SwitchControl for SwitchBridge {
    fn ban_lifted(&self, address: IpAddr) {
        self.switch.lift_ban(address);
    }

    fn ban_added(&self, address: IpAddr, until_millis: i64) {
        self.switch
            .ban(address, u64::try_from(until_millis).unwrap_or(0));
    }

    fn registrations(&self) -> Vec<RegistrationView> {
        self.switch
            .registrations()
            .into_iter()
            .map(|r| RegistrationView {
                extension: r.extension,
                contact: r.contact,
                source: r.source.to_string(),
                transport: r.transport.code().to_owned(),
                user_agent: r.user_agent,
                expires_at: instant(r.expires_at_millis),
            })
            .collect()
    }

    fn trunk_channels_in_use(&self, trunk_id: i64) -> u32 {
        self.switch.trunk_channels_in_use(trunk_id)
    }

    fn carrier_registrations(&self) -> Vec<CarrierRegistrationView> {
        self.switch
            .carrier_registrations()
            .into_iter()
            .map(|c| CarrierRegistrationView {
                trunk_id: c.trunk_id,
                trunk_name: c.trunk_name,
                registered: c.registered,
                last_status: c.last_status,
                expires_at: (c.expires_at_millis > 0).then(|| instant(c.expires_at_millis)),
                updated_at: instant(c.updated_at_millis),
            })
            .collect()
    }

    fn figures(&self) -> Vec<SwitchFigure> {
        let s = self.switch.stats();
        let figure = |name, help, counter, value| SwitchFigure {
            name,
            help,
            counter,
            value,
        };
        vec![
            figure(
                "sip_dialogs",
                "SIP dialogs held by the stack.",
                false,
                s.dialogs,
            ),
            figure(
                "sip_transactions",
                "SIP transactions held by the stack.",
                false,
                s.transactions,
            ),
            figure(
                "sip_calls_active",
                "Calls in progress.",
                false,
                s.active_calls,
            ),
            figure(
                "sip_calls_started",
                "Calls admitted since start.",
                true,
                s.calls_started,
            ),
            figure(
                "sip_calls_refused_overload",
                "INVITEs refused with 503 by admission control.",
                true,
                s.calls_refused,
            ),
            figure(
                "sip_registrations",
                "Registered contacts.",
                false,
                s.registrations,
            ),
            figure(
                "sip_datagrams_accepted",
                "SIP datagrams passed to the stack.",
                true,
                s.datagrams_accepted,
            ),
            figure(
                "sip_datagrams_rejected",
                "Malformed SIP requests answered with an error.",
                true,
                s.datagrams_rejected,
            ),
            figure(
                "sip_datagrams_dropped",
                "Malformed SIP datagrams dropped unanswered.",
                true,
                s.datagrams_dropped,
            ),
            figure(
                "sip_datagrams_banned",
                "Datagrams from banned addresses dropped.",
                true,
                s.datagrams_banned,
            ),
            figure(
                "rtp_packets_received",
                "RTP and RTCP packets received on media ports.",
                true,
                s.rtp_received,
            ),
            figure(
                "rtp_packets_relayed",
                "RTP packets relayed from one phone to another.",
                true,
                s.rtp_relayed,
            ),
            figure(
                "rtp_packets_caller_to_callee",
                "RTP packets relayed from callers to callees.",
                true,
                s.rtp_caller_to_callee,
            ),
            figure(
                "rtp_packets_callee_to_caller",
                "RTP packets relayed from callees to callers.",
                true,
                s.rtp_callee_to_caller,
            ),
            figure(
                "rtp_packets_generated",
                "RTP packets made by the switch (music, prompts, mixer).",
                true,
                s.rtp_generated,
            ),
            figure(
                "rtp_packets_dropped_source",
                "RTP packets from an address other than the latched one.",
                true,
                s.rtp_dropped_source,
            ),
            figure(
                "rtp_packets_dropped_ssrc",
                "RTP packets from the latched address with another SSRC.",
                true,
                s.rtp_dropped_ssrc,
            ),
            figure(
                "rtp_packets_malformed",
                "RTP packets that did not parse or carried an unnegotiated payload type.",
                true,
                s.rtp_malformed,
            ),
            figure(
                "rtp_send_errors",
                "RTP sends the kernel refused.",
                true,
                s.rtp_send_errors,
            ),
            figure(
                "media_sessions",
                "Calls with a live media session.",
                false,
                s.media_sessions,
            ),
            figure(
                "media_late_ticks",
                "Media ticks run more than one packet time late.",
                true,
                s.media_late_ticks,
            ),
            figure(
                "recordings_finished",
                "Recordings closed and checksummed.",
                true,
                s.recordings_finished,
            ),
            figure(
                "recording_failures",
                "Recordings that could not be written.",
                true,
                s.recording_failures,
            ),
            figure(
                "recorded_bytes",
                "Bytes of audio written to recordings.",
                true,
                s.recorded_bytes,
            ),
            figure(
                "recorder_backlog",
                "Recording chunks waiting for the writer thread.",
                false,
                s.recorder_backlog,
            ),
        ]
    }

    fn live_calls(&self) -> Vec<LiveCallView> {
        self.switch
            .live_calls()
            .into_iter()
            .map(|c| LiveCallView {
                id: c.id,
                call_id: c.call_id,
                direction: c.direction.to_owned(),
                caller: c.caller,
                callee: c.callee,
                started_at: instant(c.started_at),
                answered_at: c.answered_at.map(instant),
                held: c.held,
                recording: c.recording,
                recording_paused: c.recording_paused,
                caller_digits: c.caller_digits,
                callee_digits: c.callee_digits,
                queue: c.queue,
                agent: c.agent,
                agent_extension: c.agent_extension,
                ringing: c.ringing,
            })
            .collect()
    }

    fn control_call(&self, id: u64, command: CallCommand) -> CallControlFuture {
        let switch = self.switch.clone();
        let other = |party: CallParty| match party {
            // The held party hears music; the one who holds hears nothing.
            CallParty::Caller => Party::Callee,
            CallParty::Callee => Party::Caller,
        };
        let command = match command {
            CallCommand::Hold { party, music_class } => CallControl::Hold {
                party: other(party),
                music_class,
            },
            CallCommand::Resume => CallControl::Resume,
            CallCommand::StartRecording => CallControl::StartRecording,
            CallCommand::StopRecording => CallControl::StopRecording,
            CallCommand::PauseRecording => CallControl::PauseRecording,
            CallCommand::ResumeRecording => CallControl::ResumeRecording,
            CallCommand::Play {
                party,
                prompts,
                barge_in,
            } => CallControl::Play {
                party: match party {
                    CallParty::Caller => Party::Caller,
                    CallParty::Callee => Party::Callee,
                },
                prompts,
                barge_in,
            },
            CallCommand::AddParty { extension } => CallControl::AddParty {
                extension,
                membership: Membership::Full,
            },
            CallCommand::Monitor { extension, mode } => CallControl::AddParty {
                extension,
                membership: match mode {
                    MonitorMode::Listen => Membership::Listen,
                    // The callee's leg is the agent's in a call from a caller.
                    MonitorMode::Whisper => Membership::Whisper { to: 1 },
                    MonitorMode::Barge => Membership::Full,
                },
            },
            CallCommand::Hangup { cause } => CallControl::Hangup { cause },
            CallCommand::Transfer { target } => CallControl::Transfer {
                target: transfer_target(target),
            },
            CallCommand::Consult { target } => CallControl::Consult {
                target: transfer_target(target),
            },
            CallCommand::CompleteConsult => CallControl::CompleteConsult,
            CallCommand::CancelConsult => CallControl::CancelConsult,
            CallCommand::ConferenceConsult => CallControl::ConferenceConsult,
            CallCommand::Intercept { extension } => CallControl::Intercept { extension },
            CallCommand::PickUp { extension } => {
                return Box::pin(async move {
                    switch.pick_up(id, &extension).await.map_err(control_error)
                });
            }
        };
        Box::pin(async move {
            switch
                .control_call(id, command)
                .await
                .map_err(control_error)
        })
    }

    fn agent_command(&self, employee_id: String, command: AgentStateCommand) -> AgentCommandFuture {
        let switch = self.switch.clone();
        let command = match command {
            AgentStateCommand::SignIn {
                extension,
                auto_answer,
            } => AgentCommand::SignIn {
                extension,
                auto_answer,
            },
            AgentStateCommand::SignOut => AgentCommand::SignOut,
            AgentStateCommand::Ready => AgentCommand::Ready,
            AgentStateCommand::NotReady { reason } => AgentCommand::NotReady { reason },
        };
        Box::pin(async move {
            match switch.agent_command(&employee_id, command).await {
                Ok(view) => Ok(agent_view(view)),
                Err(AgentError::UnknownAgent(who)) => Err(AgentCommandError::UnknownAgent(who)),
                Err(AgentError::Unavailable) => Err(AgentCommandError::NoSwitch),
                Err(other) => Err(AgentCommandError::Refused(other.to_string())),
            }
        })
    }

    fn make_call(&self, from_extension: String, to: String) -> MakeCallFuture {
        let switch = self.switch.clone();
        Box::pin(async move {
            match switch.originate(&from_extension, &to).await {
                Ok(call) => Ok(MadeCall {
                    id: call.live_id,
                    call_id: call.call_id,
                }),
                Err(OriginateError::NoExtension(e)) => Err(MakeCallError::NoExtension(e)),
                Err(OriginateError::NotRegistered(e)) => Err(MakeCallError::NotRegistered(e)),
                Err(OriginateError::Refused { status, cause }) => {
                    Err(MakeCallError::Refused { status, cause })
                }
                Err(OriginateError::Unavailable(reason)) => Err(MakeCallError::Unavailable(reason)),
            }
        })
    }

    fn acd_state(&self) -> AcdStateFuture {
        let switch = self.switch.clone();
        Box::pin(async move {
            let view = switch.acd_view().await;
            Some(AcdStateView {
                agents: view.agents.into_iter().map(agent_view).collect(),
                queues: view
                    .queues
                    .into_iter()
                    .map(|q| QueueStateView {
                        name: q.name,
                        waiting: q.waiting,
                        longest_wait_ms: q.longest_wait_ms,
                        agents_logged_in: q.agents_logged_in,
                        agents_ready: q.agents_ready,
                    })
                    .collect(),
            })
        })
    }

    fn config_changed(&self, change: ConfigChange) {
        match change {
            ConfigChange::Extension { extension } => self.switch.extension_changed(extension),
            ConfigChange::Trunks => self.switch.trunks_changed(),
            ConfigChange::Music => {
                let (switch, root) = (self.switch.clone(), self.music_dir.clone());
                tokio::task::spawn_blocking(move || crate::sip::load_music(&root, &switch));
            }
            ConfigChange::Prompts => self.switch.prompts_changed(),
            ConfigChange::Queues => self.switch.queues_changed(),
            // A running call keeps its flow version; new calls read the new one.
            ConfigChange::Flows | ConfigChange::Calendars => self.switch.flows_changed(),
            // Routes and the blacklist are read per call: nothing cached.
            ConfigChange::InboundRoutes
            | ConfigChange::OutboundRoutes
            | ConfigChange::Blacklist => {}
        }
    }
}

fn transfer_target(target: CallTarget) -> TransferTarget {
    match target.kind {
        CallTargetKind::Extension => TransferTarget::Extension(target.value),
        CallTargetKind::Agent => TransferTarget::Agent(target.value),
        CallTargetKind::Queue => TransferTarget::Queue(target.value),
        CallTargetKind::Flow => TransferTarget::Flow(target.value),
        CallTargetKind::Number => TransferTarget::Number(target.value),
    }
}

fn agent_view(view: AgentView) -> AgentStateView {
    AgentStateView {
        employee_id: view.employee_id,
        name: view.name,
        state: view.state.to_owned(),
        reason: view.reason,
        extension: view.extension,
        auto_answer: view.auto_answer,
        remote: view.remote,
        in_state_ms: view.in_state_ms,
        wrap_up_left_ms: view.wrap_up_until_ms.map(|until| {
            let now = std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
                .unwrap_or(0);
            until.saturating_sub(now)
        }),
        queues: view
            .queues
            .into_iter()
            .map(|(queue, skill)| AgentQueueView { queue, skill })
            .collect(),
    }
}

/// Hands the switch's CTI events to the API's bus, where the WebSocket
/// stream and the webhooks pick them up.
#[derive(Debug)]
pub struct EventBridge(pub std::sync::Arc<sb_api::EventBus>);

impl sb_switch::EventSink for EventBridge {
    fn publish(&self, event: sb_core::cti::CtiEvent) {
        self.0.publish(event);
    }
}

fn control_error(error: ControlError) -> CallControlError {
    match error {
        ControlError::NoSuchCall => CallControlError::NoSuchCall,
        ControlError::NotNow(reason) => CallControlError::NotNow(reason.to_owned()),
        ControlError::Refused(reason) => CallControlError::NotNow(reason),
    }
}
