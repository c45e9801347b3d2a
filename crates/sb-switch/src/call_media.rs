//! One call's side of the media engine: the two port pairs, the SDP each
//! phone gets (pointing at the switch, codecs negotiated so transcoding
//! happens only when the phones share no codec), hold with music, and the
//! recording's file.

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;

use sb_call::{LegEvent, LegId};
use sb_media::codec::Codec;
use sb_media::mixer::Membership;
use sb_media::negotiation::{self, AudioFormats};
use sb_media::recorder::Layout;
use sb_media::sdp::{self, Direction};
use sb_media::session::{Hearing, LegIndex, LegMedia};
use tokio::sync::mpsc::UnboundedReceiver;
use tracing::debug;

use crate::media::{EngineEvent, MediaEngine, MediaHandle, SessionCommand};
use crate::ports::PortPair;

pub(crate) const CALLER: LegIndex = 0;
pub(crate) const CALLEE: LegIndex = 1;
const MAX_LEGS: LegIndex = crate::media::MAX_LEGS;

/// Who put a call on hold.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum HoldOrigin {
    /// A phone's re-INVITE (sendonly / inactive); its sendrecv resumes.
    Phone,
    /// A command through the API; only a command resumes.
    Api,
}

pub(crate) struct CallMedia {
    pub handle: MediaHandle,
    pub events: UnboundedReceiver<EngineEvent>,
    ip: IpAddr,
    caller_port: u16,
    callee_port: u16,
    caller: LegMedia,
    callee: LegMedia,
    caller_offer: AudioFormats,
    /// Set when the callee chose a codec the caller did not offer: the
    /// caller is answered with this (payload type, codec) instead.
    caller_answer: Option<(u8, Codec)>,
    /// Hold with music: which leg put the other on hold, and whether its
    /// phone did (re-INVITE) rather than the API.
    held_by: Option<(LegIndex, HoldOrigin)>,
    music_class: String,
    pub recording: Option<RecordingFile>,
    pub recording_paused: bool,
    /// Stopped recordings the writer is still closing, with when they stopped.
    pub closing: std::collections::VecDeque<(RecordingFile, u64)>,
    /// Legs added to the call (conference members, supervisors), by index.
    parties: Vec<(LegIndex, Membership)>,
    /// The leg the caller talks with: CALLEE, or a consulted party or
    /// supervisor that took the agent's place on ports of its own (so no
    /// re-INVITE reaches the caller).
    agent: LegIndex,
    next_leg: LegIndex,
    inband_dtmf: bool,
    /// The switch answered the caller itself (service calls): the caller's
    /// codec is fixed, and an agent with another codec is transcoded.
    caller_settled: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct RecordingFile {
    /// Relative to the recordings folder, as stored.
    pub relative: String,
    pub started_at: u64,
}

impl CallMedia {
    pub(crate) fn open(
        engine: &MediaEngine,
        ip: IpAddr,
        (caller_side, callee_side): (PortPair, PortPair),
        offer: Option<&[u8]>,
        inband_dtmf: bool,
    ) -> CallMedia {
        let caller_offer = offer
            .and_then(|o| negotiation::audio_formats(o).ok())
            .unwrap_or_default();
        let (payload_type, codec) = caller_offer.preferred().unwrap_or((0, Codec::Pcmu));
        let remote = offer
            .and_then(|o| sdp::audio_endpoint(o).ok())
            .map(|e| e.rtp);
        let caller = LegMedia {
            remote,
            codec,
            payload_type,
            telephone_event: caller_offer.telephone_event,
        };
        let callee = LegMedia {
            remote: None,
            ..caller
        };
        let (caller_port, callee_port) = (caller_side.port, callee_side.port);
        let (handle, events) = engine.open(vec![(caller_side, caller), (callee_side, callee)]);
        handle.command(SessionCommand::Bridge(CALLER, CALLEE));
        // Keys from a phone without telephone-event come as tones in its audio.
        if inband_dtmf && offer.is_some() && caller.telephone_event.is_none() {
            handle.command(SessionCommand::DetectInband(CALLER, true));
        }
        CallMedia {
            handle,
            events,
            ip,
            caller_port,
            callee_port,
            caller,
            callee,
            caller_offer,
            caller_answer: None,
            held_by: None,
            music_class: "default".into(),
            recording: None,
            recording_paused: false,
            closing: std::collections::VecDeque::new(),
            parties: Vec::new(),
            agent: CALLEE,
            next_leg: CALLEE + 1,
            inband_dtmf,
            caller_settled: false,
        }
    }

    fn anchor_for(&self, leg: LegId) -> SocketAddr {
        let port = match leg {
            LegId::A => self.caller_port,
            LegId::B(_) => self.callee_port,
        };
        SocketAddr::new(self.ip, port)
    }

    /// The caller's offer as the callees get it.
    pub(crate) fn offer_for_callees(&self, offer: &[u8]) -> Vec<u8> {
        let anchored = match sdp::anchor(offer, self.anchor_for(LegId::B(1))) {
            Ok(anchored) => anchored,
            Err(error) => {
                debug!(%error, "SDP passed through unanchored");
                return offer.to_vec();
            }
        };
        negotiation::offer_with_g711(&anchored).unwrap_or(anchored)
    }

    /// SDP that arrived from the side opposite `to`, rewritten for `to`.
    pub(crate) fn for_leg(&self, to: LegId, body: Option<Vec<u8>>) -> Option<Vec<u8>> {
        let body = body?;
        let anchored = sdp::anchor(&body, self.anchor_for(to)).unwrap_or(body);
        if to == LegId::A
            && let Some((payload_type, codec)) = self.caller_answer
        {
            return Some(
                negotiation::answer_with(
                    &anchored,
                    payload_type,
                    codec,
                    self.caller_offer.telephone_event,
                )
                .unwrap_or(anchored),
            );
        }
        Some(anchored)
    }

    /// Learns from a leg's SDP where it receives audio, which codec it
    /// chose, and whether it is putting the call on hold.
    pub(crate) fn note_event(&mut self, leg: LegId, event: &LegEvent) {
        let (body, is_answer) = match event {
            LegEvent::Progress {
                sdp: Some(body), ..
            }
            | LegEvent::Answered { sdp: Some(body) }
            | LegEvent::ReInviteAnswered {
                sdp: Some(body), ..
            } => (body, true),
            LegEvent::ReInvite { sdp: Some(body) } => (body, false),
            _ => return,
        };
        let Ok(endpoint) = sdp::audio_endpoint(body) else {
            return;
        };
        let formats = negotiation::audio_formats(body).unwrap_or_default();
        match leg {
            LegId::B(_) => {
                if let Some((payload_type, codec)) = formats.preferred() {
                    self.callee = LegMedia {
                        remote: Some(endpoint.rtp),
                        codec,
                        payload_type,
                        telephone_event: formats.telephone_event,
                    };
                    if is_answer {
                        self.settle_caller_codec(codec);
                        self.handle.command(SessionCommand::DetectInband(
                            CALLEE,
                            self.inband_dtmf && formats.telephone_event.is_none(),
                        ));
                    }
                } else {
                    self.callee.remote = Some(endpoint.rtp);
                }
                self.handle
                    .command(SessionCommand::UpdateLeg(CALLEE, self.callee));
            }
            LegId::A => {
                self.caller.remote = Some(endpoint.rtp);
                self.handle
                    .command(SessionCommand::UpdateLeg(CALLER, self.caller));
            }
        }
        if !is_answer {
            self.note_hold(leg, endpoint.direction);
        }
    }

    /// The switch answers an offer on `leg` itself: audio to the leg's own
    /// anchor, in the codec the leg already uses (its first choice for a
    /// new caller), with telephone-event if the leg offered it. `None` when
    /// the offer is unusable.
    pub(crate) fn local_answer(&mut self, leg: LegId, offer: &[u8]) -> Option<Vec<u8>> {
        let anchored = sdp::anchor(offer, self.anchor_for(leg)).ok()?;
        let formats = negotiation::audio_formats(offer).ok()?;
        let current = match leg {
            LegId::A => self.caller,
            LegId::B(_) => self.callee,
        };
        let (payload_type, codec) = formats
            .payload_type_of(current.codec)
            .map(|pt| (pt, current.codec))
            .or_else(|| formats.preferred())?;
        if leg == LegId::A && !self.caller_settled {
            self.caller_settled = true;
            self.caller.codec = codec;
            self.caller.payload_type = payload_type;
            self.caller.telephone_event = formats.telephone_event;
            self.handle
                .command(SessionCommand::UpdateLeg(CALLER, self.caller));
        }
        negotiation::answer_with(&anchored, payload_type, codec, formats.telephone_event).ok()
    }

    /// A picker's INVITE (call pickup) offers `offer` on the callee side:
    /// the switch answers it in the caller's codec when the picker offered
    /// it (else the picker's first choice, transcoded), and from now on the
    /// callee side's audio goes to the picker. `None` when the offer is
    /// unusable.
    pub(crate) fn picker_answer(&mut self, offer: &[u8]) -> Option<Vec<u8>> {
        let endpoint = sdp::audio_endpoint(offer).ok()?;
        let formats = negotiation::audio_formats(offer).ok()?;
        let (payload_type, codec) = formats
            .payload_type_of(self.caller.codec)
            .map(|pt| (pt, self.caller.codec))
            .or_else(|| formats.preferred())?;
        let anchored = sdp::anchor(offer, self.anchor_for(LegId::B(1))).ok()?;
        let answer =
            negotiation::answer_with(&anchored, payload_type, codec, formats.telephone_event)
                .ok()?;
        self.callee = LegMedia {
            remote: Some(endpoint.rtp),
            codec,
            payload_type,
            telephone_event: formats.telephone_event,
        };
        self.settle_caller_codec(codec);
        self.handle
            .command(SessionCommand::UpdateLeg(CALLEE, self.callee));
        self.handle.command(SessionCommand::DetectInband(
            CALLEE,
            self.inband_dtmf && formats.telephone_event.is_none(),
        ));
        Some(answer)
    }

    /// The caller uses the callee's codec when it offered it; otherwise its
    /// own first choice, and the switch transcodes.
    fn settle_caller_codec(&mut self, callee_codec: Codec) {
        if self.caller_settled {
            return;
        }
        match self.caller_offer.payload_type_of(callee_codec) {
            Some(payload_type) => {
                self.caller.codec = callee_codec;
                self.caller.payload_type = payload_type;
                self.caller_answer = None;
            }
            None => {
                if let Some((payload_type, codec)) = self.caller_offer.preferred() {
                    self.caller.codec = codec;
                    self.caller.payload_type = payload_type;
                    self.caller_answer = Some((payload_type, codec));
                }
            }
        }
        self.handle
            .command(SessionCommand::UpdateLeg(CALLER, self.caller));
    }

    /// A phone that holds (sendonly / inactive) leaves the other hearing
    /// music; resuming (sendrecv) bridges them again. A hold made through
    /// the API is not ended by the phone's session refreshes, and in a
    /// conference the mixer carries on (the phone just sends nothing).
    fn note_hold(&mut self, leg: LegId, direction: Direction) {
        if self.in_conference() {
            return;
        }
        let holder = match leg {
            LegId::A => CALLER,
            LegId::B(_) => CALLEE,
        };
        let holding = matches!(direction, Direction::SendOnly | Direction::Inactive);
        if holding && self.held_by.is_none() {
            self.hold(holder, None, HoldOrigin::Phone);
        } else if !holding && self.held_by == Some((holder, HoldOrigin::Phone)) {
            self.resume();
        }
    }

    pub(crate) fn hold(&mut self, holder: LegIndex, class: Option<&str>, origin: HoldOrigin) {
        let (holder, other) = if holder == CALLER {
            (CALLER, self.agent)
        } else {
            (self.agent, CALLER)
        };
        if let Some(class) = class {
            self.music_class = class.to_owned();
        }
        self.held_by = Some((holder, origin));
        self.handle
            .command(SessionCommand::Hear(holder, Hearing::Nothing));
        self.handle
            .command(SessionCommand::HearMusic(other, self.music_class.clone()));
    }

    pub(crate) fn resume(&mut self) {
        self.held_by = None;
        self.handle
            .command(SessionCommand::Bridge(CALLER, self.agent));
    }

    /// The caller talks with the agent leg (CALLEE) again, e.g. a new
    /// agent answered after a transfer.
    pub(crate) fn bridge_callee(&mut self) {
        if self.agent != CALLEE {
            // The party that had taken over is gone: nothing goes its way.
            self.handle
                .command(SessionCommand::Hear(self.agent, Hearing::Nothing));
        }
        self.agent = CALLEE;
        self.resume();
    }

    /// The caller's codec is fixed from now on (it was answered with it).
    pub(crate) fn settle_caller(&mut self) {
        self.caller_settled = true;
    }

    /// The leg the caller talks with.
    pub(crate) fn agent_leg(&self) -> LegIndex {
        self.agent
    }

    pub(crate) fn is_held(&self) -> bool {
        self.held_by.is_some()
    }

    /// Whether another party may be added (the media engine carries at most
    /// 16 legs per call).
    pub(crate) fn room_for_party(&self) -> bool {
        self.next_leg < MAX_LEGS
    }

    /// A new leg for a party the switch dials: its port pair joins the
    /// session; returns the leg and the offer to send it.
    pub(crate) fn add_party(&mut self, pair: PortPair) -> (LegIndex, Vec<u8>) {
        let leg = self.next_leg;
        self.next_leg += 1;
        let anchor = SocketAddr::new(self.ip, pair.port);
        let media = LegMedia {
            telephone_event: Some(101),
            ..LegMedia::new(None, Codec::Pcmu)
        };
        self.handle.command(SessionCommand::AddLeg(pair, media));
        (leg, negotiation::switch_offer(anchor, leg as u64))
    }

    /// The added party answered: it joins the mixer as `membership`, and
    /// the two original parties move into the mixer with it.
    pub(crate) fn party_answered(
        &mut self,
        leg: LegIndex,
        sdp: Option<&[u8]>,
        membership: Membership,
    ) {
        self.update_party(leg, sdp);
        self.join_mixer(leg, membership);
    }

    /// The far end of an added leg, from its answer.
    pub(crate) fn update_party(&mut self, leg: LegIndex, sdp: Option<&[u8]>) {
        let remote = sdp.and_then(|s| sdp::audio_endpoint(s).ok()).map(|e| e.rtp);
        let formats = sdp
            .and_then(|s| negotiation::audio_formats(s).ok())
            .unwrap_or_default();
        let (payload_type, codec) = formats.preferred().unwrap_or((0, Codec::Pcmu));
        let media = LegMedia {
            remote,
            codec,
            payload_type,
            telephone_event: formats.telephone_event,
        };
        self.handle.command(SessionCommand::UpdateLeg(leg, media));
    }

    fn join_mixer(&mut self, leg: LegIndex, membership: Membership) {
        if self.parties.is_empty() {
            self.handle
                .command(SessionCommand::JoinMixer(CALLER, Membership::Full));
            self.handle
                .command(SessionCommand::JoinMixer(self.agent, Membership::Full));
        }
        self.handle
            .command(SessionCommand::JoinMixer(leg, membership));
        self.parties.push((leg, membership));
    }

    /// An added party left: the last one out leaves the two original
    /// parties bridged directly again.
    pub(crate) fn party_left(&mut self, leg: LegIndex) {
        let before = self.parties.len();
        self.parties.retain(|(l, _)| *l != leg);
        if self.parties.len() == before {
            return;
        }
        self.handle
            .command(SessionCommand::LeaveMixer(leg, Hearing::Nothing));
        if self.parties.is_empty() {
            self.handle.command(SessionCommand::LeaveMixer(
                CALLER,
                Hearing::Peer(self.agent),
            ));
            self.handle.command(SessionCommand::LeaveMixer(
                self.agent,
                Hearing::Peer(CALLER),
            ));
        }
    }

    pub(crate) fn in_conference(&self) -> bool {
        !self.parties.is_empty()
    }

    /// The consulted party answered: the agent talks with it while the
    /// caller holds.
    pub(crate) fn side_answered(&mut self, leg: LegIndex, sdp: Option<&[u8]>) {
        self.update_party(leg, sdp);
        self.handle.command(SessionCommand::Bridge(self.agent, leg));
    }

    /// Caller, agent and consulted party all hear one another.
    pub(crate) fn side_to_conference(&mut self, leg: LegIndex) {
        self.held_by = None;
        self.join_mixer(leg, Membership::Full);
    }

    /// The consulted party or supervisor is gone: the caller and the agent
    /// talk again.
    pub(crate) fn side_dropped(&mut self, leg: LegIndex) {
        if self.parties.iter().any(|(l, _)| *l == leg) {
            self.party_left(leg);
        } else {
            self.handle
                .command(SessionCommand::Hear(leg, Hearing::Nothing));
        }
        if self.parties.is_empty() {
            self.resume();
        }
    }

    /// The side leg `to` takes the agent's place beside the caller.
    pub(crate) fn hand_over(&mut self, to: LegIndex) {
        let from = self.agent;
        let was_party = self.parties.iter().any(|(l, _)| *l == to);
        self.parties.retain(|(l, _)| *l != to);
        self.agent = to;
        self.held_by = None;
        if was_party && !self.parties.is_empty() {
            // Others (a supervisor) stay in the mixer with the caller.
            self.handle
                .command(SessionCommand::LeaveMixer(from, Hearing::Nothing));
            return;
        }
        if was_party {
            self.handle
                .command(SessionCommand::LeaveMixer(from, Hearing::Nothing));
            self.handle
                .command(SessionCommand::LeaveMixer(CALLER, Hearing::Peer(to)));
            self.handle
                .command(SessionCommand::LeaveMixer(to, Hearing::Peer(CALLER)));
        } else {
            self.handle
                .command(SessionCommand::Hear(from, Hearing::Nothing));
            self.handle.command(SessionCommand::Bridge(CALLER, to));
        }
    }

    pub(crate) fn start_recording(&mut self, root: &std::path::Path, call_id: &str, now: u64) {
        if self.recording.is_some() {
            return;
        }
        let relative = recording_path(call_id, now);
        self.handle.command(SessionCommand::StartRecording {
            path: root.join(&relative),
            layout: Layout::Stereo,
            caller: CALLER,
            agent: self.agent,
        });
        self.recording_paused = false;
        self.recording = Some(RecordingFile {
            relative: relative.to_string_lossy().into_owned(),
            started_at: now,
        });
    }
}

/// `YYYY/MM/DD/YYYYMMDD-HHMMSS-mmm-<call-id>.wav`, with the call-id reduced
/// to characters safe in any file system (the milliseconds tell apart the
/// recordings of a call stopped and started again).
impl CallMedia {
    /// Records what the caller says into a voicemail box (mono, under
    /// `voicemail/` in the recordings folder); stopped like a recording.
    pub(crate) fn start_voicemail(&mut self, root: &std::path::Path, call_id: &str, now: u64) {
        if let Some(file) = self.recording.take() {
            self.handle.command(SessionCommand::StopRecording);
            self.closing.push_back((file, now));
        }
        let relative = PathBuf::from("voicemail").join(recording_path(call_id, now));
        self.handle.command(SessionCommand::StartRecording {
            path: root.join(&relative),
            layout: Layout::Mono,
            caller: CALLER,
            agent: CALLEE,
        });
        self.recording_paused = false;
        self.recording = Some(RecordingFile {
            relative: relative.to_string_lossy().into_owned(),
            started_at: now,
        });
    }
}

pub(crate) fn recording_path(call_id: &str, at_millis: u64) -> PathBuf {
    let at = time::OffsetDateTime::from_unix_timestamp((at_millis / 1000) as i64)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let safe: String = call_id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .take(64)
        .collect();
    PathBuf::from(format!("{:04}", at.year()))
        .join(format!("{:02}", u8::from(at.month())))
        .join(format!("{:02}", at.day()))
        .join(format!(
            "{:04}{:02}{:02}-{:02}{:02}{:02}-{:03}-{safe}.wav",
            at.year(),
            u8::from(at.month()),
            at.day(),
            at.hour(),
            at.minute(),
            at.second(),
            at_millis % 1000
        ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recordings_are_filed_by_date_with_a_safe_name() {
        // 2026-11-24 10:30:05.123 UTC
        let path = recording_path("a1b2@10.0.0.5:5060/../x", 1_795_516_205_123);
        assert_eq!(
            path,
            PathBuf::from("2026/11/24/20261124-103005-123-a1b2_10_0_0_5_5060____x.wav")
        );
    }
}
