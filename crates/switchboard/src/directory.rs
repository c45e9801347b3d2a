//! The switch's `Directory` port backed by the store: extensions, trunks and
//! routes are read per call, so console edits apply to the next call.

use std::net::IpAddr;

use sb_core::SipSecret;
use sb_core::dial_pattern::DialPattern;
use sb_store::{Actor, NewCdr, NewSipBan, Store};
use sb_switch::{
    Account, AcdLogEntry, AcdSetup, BlockAction, CallRecord, CallTrailRecord, CallerIdMode,
    Directory, FlowVersion, FollowMe, InboundTarget, OutboundRoute, PinAttempt, RecordingRecord,
    SurveyRecord, SwitchError, Trunk, TrunkTransport, VoicemailRecord,
};
use time::OffsetDateTime;

#[derive(Debug, Clone)]
pub struct StoreDirectory {
    store: Store,
}

impl StoreDirectory {
    pub fn new(store: Store) -> StoreDirectory {
        StoreDirectory { store }
    }
}

fn failed(error: sb_store::StoreError) -> SwitchError {
    SwitchError::Directory(error.to_string())
}

fn instant(millis: u64) -> OffsetDateTime {
    let nanos = i128::from(millis) * 1_000_000;
    OffsetDateTime::from_unix_timestamp_nanos(nanos).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

fn ms(value: u64) -> i64 {
    i64::try_from(value).unwrap_or(i64::MAX)
}

#[async_trait::async_trait]
impl Directory for StoreDirectory {
    async fn account(&self, extension: &str) -> Result<Option<Account>, SwitchError> {
        let account = self.store.sip_account(extension).await.map_err(failed)?;
        Ok(account.map(|a| Account {
            extension: a.extension,
            display_name: a.display_name,
            secret: SipSecret {
                realm: a.realm,
                ha1_md5: a.ha1_md5,
                ha1_sha256: a.ha1_sha256,
            },
            call_class: a.call_class,
            max_contacts: a.max_contacts,
            enabled: a.enabled,
            record_calls: a.record_calls,
        }))
    }

    async fn trunks(&self) -> Result<Vec<Trunk>, SwitchError> {
        let trunks = self.store.enabled_trunks().await.map_err(failed)?;
        Ok(trunks
            .into_iter()
            .map(|t| Trunk {
                trusted: t.inbound_ranges(),
                id: t.id,
                name: t.name,
                host: t.host,
                port: t.port,
                transport: match t.transport {
                    sb_store::Transport::Tcp => TrunkTransport::Tcp,
                    sb_store::Transport::Udp => TrunkTransport::Udp,
                },
                username: t.username,
                password: t.password,
                register: t.register,
                register_expires: u32::try_from(t.register_expires).unwrap_or(3600),
                max_channels: u32::try_from(t.max_channels).unwrap_or(0),
                caller_id: t.caller_id,
                record_calls: t.record_calls,
            })
            .collect())
    }

    async fn inbound_target(
        &self,
        trunk_id: i64,
        did: &str,
    ) -> Result<Option<InboundTarget>, SwitchError> {
        let route = self
            .store
            .inbound_route(trunk_id, did)
            .await
            .map_err(failed)?;
        Ok(route.filter(|r| r.enabled).map(|r| match r.target_kind {
            sb_store::TargetKind::Extension => InboundTarget::Extension(r.target),
            sb_store::TargetKind::Flow => InboundTarget::Flow(r.target),
            sb_store::TargetKind::Queue => InboundTarget::Queue(r.target),
        }))
    }

    async fn flow_for_number(&self, number: &str) -> Result<Option<String>, SwitchError> {
        let flow = self
            .store
            .ivr_flow_by_number(number)
            .await
            .map_err(failed)?;
        Ok(flow.filter(|f| f.enabled).map(|f| f.name))
    }

    async fn flow(&self, name: &str) -> Result<Option<FlowVersion>, SwitchError> {
        let current = self
            .store
            .current_ivr_flow_document(name)
            .await
            .map_err(failed)?;
        Ok(current.map(|(version, document)| FlowVersion {
            name: name.to_owned(),
            version,
            document,
        }))
    }

    async fn calendars(&self) -> Result<Vec<(String, String)>, SwitchError> {
        self.store.calendar_documents().await.map_err(failed)
    }

    async fn blocked_caller(&self, number: &str) -> Result<Option<BlockAction>, SwitchError> {
        let now = OffsetDateTime::now_utc();
        let now_ms = i64::try_from(now.unix_timestamp_nanos() / 1_000_000).unwrap_or(i64::MAX);
        let entry = self
            .store
            .blocked_caller(number, now_ms)
            .await
            .map_err(failed)?;
        Ok(entry.map(|e| match e.action {
            sb_store::BlacklistAction::Busy => BlockAction::Busy,
            sb_store::BlacklistAction::Hangup => BlockAction::Hangup,
            sb_store::BlacklistAction::Prompt => BlockAction::Prompt(e.prompt_name),
        }))
    }

    async fn stored_prompts(&self) -> Result<Vec<(String, String)>, SwitchError> {
        let prompts = self.store.list_prompts().await.map_err(failed)?;
        Ok(prompts.into_iter().map(|p| (p.name, p.file)).collect())
    }

    async fn last_agent(&self, caller: &str) -> Result<Option<String>, SwitchError> {
        // A caller is stuck to an agent for a month at most.
        let since = OffsetDateTime::now_utc() - time::Duration::days(30);
        self.store
            .last_agent_for_caller(caller, since)
            .await
            .map_err(failed)
    }

    async fn acd_setup(&self) -> Result<AcdSetup, SwitchError> {
        crate::directory_acd::acd_setup(&self.store).await
    }

    async fn write_acd_events(&self, events: Vec<AcdLogEntry>) -> Result<(), SwitchError> {
        let rows: Vec<sb_store::NewAcdEvent> = events
            .into_iter()
            .map(|e| sb_store::NewAcdEvent {
                at_ms: ms(e.at_ms),
                kind: e.kind.to_owned(),
                agent: e.agent,
                queue: e.queue,
                call_ref: e.call_ref.map(ms),
                body: serde_json::from_str(&e.body).unwrap_or(serde_json::Value::Null),
            })
            .collect();
        self.store.append_acd_events(&rows).await.map_err(failed)
    }

    async fn agent_sessions(
        &self,
        since_ms: u64,
    ) -> Result<Vec<sb_switch::AgentSession>, SwitchError> {
        crate::directory_acd::agent_sessions(&self.store, since_ms).await
    }

    async fn write_call_trail(&self, trail: CallTrailRecord) -> Result<(), SwitchError> {
        let steps: serde_json::Value =
            serde_json::from_str(&trail.steps).unwrap_or(serde_json::Value::Array(Vec::new()));
        self.store
            .save_call_trail(
                OffsetDateTime::now_utc(),
                &trail.call_id,
                &trail.flow_name,
                trail.flow_version,
                &steps,
            )
            .await
            .map_err(failed)
    }

    async fn write_voicemail(&self, voicemail: VoicemailRecord) -> Result<(), SwitchError> {
        let row = sb_store::NewVoicemail {
            mailbox_kind: if voicemail.mailbox_kind == "agent" {
                sb_store::MailboxKind::Agent
            } else {
                sb_store::MailboxKind::Queue
            },
            mailbox: voicemail.mailbox,
            call_id: voicemail.call_id,
            caller: voicemail.caller,
            file: voicemail.file,
            duration_ms: ms(voicemail.duration_ms),
            size_bytes: ms(voicemail.size_bytes),
            sha256: voicemail.sha256,
            created_at: instant(voicemail.created_at),
        };
        self.store
            .insert_voicemail(&row)
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn write_survey(&self, survey: SurveyRecord) -> Result<(), SwitchError> {
        let row = sb_store::NewSurveyResult {
            call_id: survey.call_id,
            question: survey.question,
            digit: survey.digit.to_string(),
            agent: survey.agent,
            queue: survey.queue,
            created_at: instant(survey.at),
        };
        self.store
            .insert_survey_result(&row)
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn outbound_routes(&self) -> Result<Vec<OutboundRoute>, SwitchError> {
        let routes = self.store.enabled_outbound_routes().await.map_err(failed)?;
        Ok(routes
            .into_iter()
            .filter_map(|r| {
                // Patterns are validated on save; a row that no longer parses
                // is skipped rather than matching everything.
                let pattern = DialPattern::parse(&r.pattern).ok()?;
                Some(OutboundRoute {
                    id: r.id,
                    name: r.name,
                    pattern,
                    strip: usize::try_from(r.strip).unwrap_or(0),
                    prepend: r.prepend,
                    trunk_id: r.trunk_id,
                    call_class: r.call_class,
                    caller_id_mode: match r.caller_id_mode {
                        sb_store::CallerIdMode::Keep => CallerIdMode::Keep,
                        sb_store::CallerIdMode::Trunk => CallerIdMode::Trunk,
                        sb_store::CallerIdMode::Fixed => CallerIdMode::Fixed,
                    },
                    caller_id: r.caller_id,
                })
            })
            .collect())
    }

    async fn write_call_records(&self, records: Vec<CallRecord>) -> Result<(), SwitchError> {
        let cdrs: Vec<NewCdr> = records.into_iter().map(to_cdr).collect();
        self.store.insert_cdrs(&cdrs).await.map_err(failed)
    }

    async fn write_recording(&self, recording: RecordingRecord) -> Result<(), SwitchError> {
        let row = sb_store::recordings::NewRecording {
            call_id: recording.call_id,
            direction: sb_store::Direction::parse(recording.direction)
                .unwrap_or(sb_store::Direction::Internal),
            caller: recording.caller,
            callee: recording.callee,
            agent_extension: recording.agent_extension,
            trunk_id: recording.trunk_id,
            trunk_name: recording.trunk_name,
            started_at: instant(recording.started_at),
            ended_at: instant(recording.ended_at),
            duration_ms: ms(recording.duration_ms),
            layout: recording.layout.to_owned(),
            file: recording.file,
            size_bytes: ms(recording.size_bytes),
            sha256: recording.sha256,
        };
        sb_store::recordings::insert(&self.store, &row)
            .await
            .map(|_| ())
            .map_err(failed)
    }

    async fn follow_me(&self, extension: &str) -> Result<Option<FollowMe>, SwitchError> {
        let target = self
            .store
            .follow_me_for_extension(extension)
            .await
            .map_err(failed)?;
        Ok(target.map(follow_me))
    }

    async fn agent_follow_me(&self, employee_id: &str) -> Result<Option<FollowMe>, SwitchError> {
        let target = self
            .store
            .follow_me_for_agent(employee_id)
            .await
            .map_err(failed)?;
        Ok(target.map(follow_me))
    }

    async fn check_agent_pin(&self, attempt: PinAttempt) -> Result<bool, SwitchError> {
        crate::agent_pin_check::check(&self.store, attempt).await
    }

    async fn pickup_peers(&self, extension: &str) -> Result<Vec<String>, SwitchError> {
        self.store
            .extension_group_peers(extension)
            .await
            .map_err(failed)
    }

    async fn not_ready_reasons(&self) -> Result<Vec<String>, SwitchError> {
        let reasons = self.store.not_ready_reasons().await.map_err(failed)?;
        Ok(reasons.into_iter().map(|(code, _)| code).collect())
    }

    async fn record_ban(
        &self,
        address: IpAddr,
        reason: String,
        until_millis: u64,
    ) -> Result<(), SwitchError> {
        let ban = NewSipBan {
            address,
            reason,
            expires_at: instant(until_millis),
        };
        self.store
            .insert_ban(OffsetDateTime::now_utc(), &Actor::system("sip-switch"), ban)
            .await
            .map(|_| ())
            .map_err(failed)
    }
}

fn to_cdr(record: CallRecord) -> NewCdr {
    NewCdr {
        call_id: record.call_id,
        direction: sb_store::Direction::parse(record.direction)
            .unwrap_or(sb_store::Direction::Internal),
        caller: record.caller,
        callee: record.callee,
        caller_extension: record.caller_extension,
        callee_extension: record.callee_extension,
        trunk_id: record.trunk_id,
        trunk_name: record.trunk_name,
        did: record.did,
        started_at: instant(record.started_at),
        answered_at: record.answered_at.map(instant),
        ended_at: instant(record.ended_at),
        ring_ms: ms(record.ring_ms),
        talk_ms: ms(record.talk_ms),
        disposition: sb_store::Disposition::parse(record.disposition)
            .unwrap_or(sb_store::Disposition::Failed),
        hangup_cause: record.hangup_cause,
        hangup_side: sb_store::HangupSide::parse(record.hangup_side)
            .unwrap_or(sb_store::HangupSide::System),
    }
}

fn follow_me(target: sb_store::FollowMeTarget) -> FollowMe {
    FollowMe {
        employee_id: target.employee_id,
        mobile: target.mobile,
        mode: target.mode,
        delay_s: target.delay_s,
    }
}
