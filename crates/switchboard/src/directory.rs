//! The switch's `Directory` port backed by the store: extensions, trunks and
//! routes are read per call, so console edits apply to the next call.

use std::net::IpAddr;

use sb_core::SipSecret;
use sb_core::dial_pattern::DialPattern;
use sb_store::{Actor, NewCdr, NewSipBan, Store};
use sb_switch::{
    Account, CallRecord, CallerIdMode, Directory, OutboundRoute, RecordingRecord, SwitchError,
    Trunk, TrunkTransport,
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
    ) -> Result<Option<String>, SwitchError> {
        let route = self
            .store
            .inbound_route(trunk_id, did)
            .await
            .map_err(failed)?;
        Ok(route.filter(|r| r.enabled).map(|r| r.target))
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
