//! A call's media graph (MISSION T7): legs (RTP endpoints with their codec),
//! sources (prompts, music on hold, tones), a recorder and a mixer. Packets
//! and 20 ms ticks go in; packets to send, DTMF digits and recorded bytes
//! come out. The switch's media threads own the sockets and the clock.
//!
//! Two speeds live side by side. A leg that hears the other phone gets its
//! packets relayed the moment they arrive: no buffering, no decoding unless
//! the codecs differ. Anything the server must listen to (a recording, the
//! mixer, in-band DTMF) is copied into a jitter buffer and decoded on the
//! tick, and anything the server says (music, prompts, the mixer's output)
//! is encoded on the tick.

mod leg;
mod tx;

use std::collections::VecDeque;
use std::net::SocketAddr;

use crate::codec::{Codec, transcode_g711};
use crate::dtmf::{Digit, EventSender, InbandDetector};
use crate::frame::{FRAME_SAMPLES, Frame, PTIME_MS, SILENCE};
use crate::mixer::{Membership, Mixer, PartyId};
use crate::prompt::{Player, Prompt};
use crate::recorder::{Layout, Recorder};
use crate::rtp::{RtpHeader, RtpPacket, is_rtcp};

use leg::{DtmfOut, Leg};
pub use leg::{Hearing, LegIndex, LegMedia};

/// A packet for the media thread to send from `leg`'s socket.
#[derive(Debug)]
pub struct Outbound<'a> {
    pub leg: LegIndex,
    pub rtcp: bool,
    pub to: SocketAddr,
    pub bytes: &'a [u8],
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DtmfSource {
    Rfc4733,
    Inband,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MediaEvent {
    Dtmf {
        leg: LegIndex,
        digit: Digit,
        source: DtmfSource,
    },
    /// The prompt list played to `leg` ended (or was cut by a digit).
    PlaybackFinished { leg: LegIndex, interrupted: bool },
}

/// Counters of one session, added into the switch's totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionStats {
    pub received: u64,
    pub relayed: u64,
    /// Of `relayed`, those from the caller's leg (0) and from the callee's (1).
    pub relayed_from_caller: u64,
    pub relayed_from_callee: u64,
    pub generated: u64,
    /// From an address other than the latched one.
    pub dropped_source: u64,
    /// From the latched address with another SSRC.
    pub dropped_ssrc: u64,
    pub malformed: u64,
}

#[derive(Debug)]
struct Recording {
    recorder: Recorder,
    caller: LegIndex,
    agent: LegIndex,
    pending: Vec<u8>,
}

#[derive(Debug)]
pub struct MediaSession {
    legs: Vec<Leg>,
    ssrc_seed: u32,
    recording: Option<Recording>,
    mixer: Mixer,
    mix_inputs: Vec<(PartyId, Frame)>,
    mix_outputs: Vec<(PartyId, Frame)>,
    events: VecDeque<MediaEvent>,
    stats: SessionStats,
    /// Reused buffers: nothing is allocated per packet.
    packet: Vec<u8>,
    pcm: Vec<i16>,
    payload: Vec<u8>,
}

impl MediaSession {
    /// `ssrc_seed` should be random: the legs' SSRCs are derived from it.
    pub fn new(ssrc_seed: u32) -> MediaSession {
        MediaSession {
            legs: Vec::with_capacity(2),
            ssrc_seed,
            recording: None,
            mixer: Mixer::new(),
            mix_inputs: Vec::new(),
            mix_outputs: Vec::new(),
            events: VecDeque::new(),
            stats: SessionStats::default(),
            packet: Vec::with_capacity(1500),
            pcm: Vec::with_capacity(FRAME_SAMPLES * 2),
            payload: Vec::with_capacity(FRAME_SAMPLES * 2),
        }
    }

    pub fn add_leg(&mut self, media: LegMedia) -> LegIndex {
        let index = self.legs.len();
        let ssrc = self
            .ssrc_seed
            .wrapping_mul(0x9E37_79B9)
            .wrapping_add((index as u32).wrapping_mul(0x85EB_CA6B))
            .rotate_left(13);
        self.legs.push(Leg::new(media, ssrc));
        index
    }

    pub fn leg_count(&self) -> usize {
        self.legs.len()
    }

    pub fn leg_media(&self, leg: LegIndex) -> Option<LegMedia> {
        self.legs.get(leg).map(|l| l.media)
    }

    pub fn update_leg(&mut self, leg: LegIndex, media: LegMedia) {
        if let Some(l) = self.legs.get_mut(leg) {
            l.update(media);
        }
    }

    /// Connects two legs both ways (the ordinary bridged call).
    pub fn bridge(&mut self, a: LegIndex, b: LegIndex) {
        self.hear(a, Hearing::Peer(b));
        self.hear(b, Hearing::Peer(a));
    }

    pub fn hear(&mut self, leg: LegIndex, hearing: Hearing) {
        if let Some(l) = self.legs.get_mut(leg) {
            l.hearing = hearing;
            l.tx.pause();
        }
        self.refresh_listening();
    }

    /// Plays `prompts` to `leg` over what it hears; a digit from the same
    /// leg stops it if `barge_in`.
    /// Every play ends with exactly one `PlaybackFinished` (run out, barged
    /// in, stopped or replaced by the next play), so a driver can tell which
    /// play an event ends by counting.
    pub fn play(&mut self, leg: LegIndex, prompts: Vec<Prompt>, barge_in: bool) {
        if let Some(l) = self.legs.get_mut(leg)
            && l.prompt.replace(Player::new(prompts, barge_in)).is_some()
        {
            self.events.push_back(MediaEvent::PlaybackFinished {
                leg,
                interrupted: true,
            });
        }
    }

    pub fn stop_playing(&mut self, leg: LegIndex) {
        if let Some(l) = self.legs.get_mut(leg)
            && l.prompt.take().is_some()
        {
            self.events.push_back(MediaEvent::PlaybackFinished {
                leg,
                interrupted: true,
            });
        }
    }

    /// Sends a digit to `leg`: RFC 4733 if it negotiated telephone-event,
    /// otherwise as a tone in the audio.
    pub fn send_dtmf(&mut self, leg: LegIndex, key: char, duration_ms: u32) -> bool {
        let Some(l) = self.legs.get_mut(leg) else {
            return false;
        };
        if l.media.telephone_event.is_some() {
            match EventSender::new(key, duration_ms, PTIME_MS as u32, 8000) {
                Some(sender) => {
                    l.dtmf_out = Some(DtmfOut {
                        sender,
                        timestamp: None,
                    });
                    true
                }
                None => false,
            }
        } else {
            match crate::tone::ToneGenerator::dtmf(key, duration_ms, 8000) {
                Some(tone) => {
                    let samples = Prompt::from_samples(tone_samples(tone));
                    l.prompt = Some(Player::new(vec![samples], false));
                    true
                }
                None => false,
            }
        }
    }

    /// In-band DTMF detection on `leg` (for phones without telephone-event).
    pub fn detect_inband(&mut self, leg: LegIndex, on: bool) {
        if let Some(l) = self.legs.get_mut(leg) {
            l.inband = on.then(InbandDetector::new);
        }
        self.refresh_listening();
    }

    /// Puts `leg` in the mixer: from the next tick it hears the mixer's
    /// output for it, and the others hear it as `membership` allows.
    pub fn join_mixer(&mut self, leg: LegIndex, membership: Membership) {
        if leg < self.legs.len() {
            self.mixer.join(leg as PartyId, membership);
            self.legs[leg].hearing = Hearing::Mixer;
        }
        self.refresh_listening();
    }

    /// Takes `leg` out of the mixer; it then hears `then`.
    pub fn leave_mixer(&mut self, leg: LegIndex, then: Hearing) {
        self.mixer.leave(leg as PartyId);
        if let Some(l) = self.legs.get_mut(leg) {
            l.hearing = then;
        }
        self.refresh_listening();
    }

    pub fn membership(&self, leg: LegIndex) -> Option<Membership> {
        self.mixer.membership(leg as PartyId)
    }

    /// Starts recording: `caller` on the left channel, `agent` (or, in a
    /// conference, everyone else) on the right.
    pub fn start_recording(&mut self, layout: Layout, caller: LegIndex, agent: LegIndex) {
        if self.recording.is_none() {
            self.recording = Some(Recording {
                recorder: Recorder::new(layout),
                caller,
                agent,
                // The media thread takes the bytes at 16 KB (half a second of stereo).
                pending: Vec::with_capacity(17 * 1024),
            });
        }
        self.refresh_listening();
    }

    pub fn pause_recording(&mut self, paused: bool) {
        if let Some(r) = self.recording.as_mut() {
            if paused {
                r.recorder.pause();
            } else {
                r.recorder.resume();
            }
        }
    }

    pub fn is_recording(&self) -> bool {
        self.recording.is_some()
    }

    pub fn recording_paused(&self) -> bool {
        self.recording
            .as_ref()
            .is_some_and(|r| r.recorder.is_paused())
    }

    /// Stops recording and hands back the bytes not yet taken.
    pub fn stop_recording(&mut self) -> Option<Vec<u8>> {
        let recording = self.recording.take()?;
        self.refresh_listening();
        Some(recording.pending)
    }

    /// Recorded bytes, once at least `min_bytes` have gathered (the media
    /// thread passes them to the writer in chunks, not per frame).
    pub fn take_recorded(&mut self, min_bytes: usize) -> Option<Vec<u8>> {
        let recording = self.recording.as_mut()?;
        if recording.pending.len() < min_bytes.max(1) {
            return None;
        }
        let capacity = recording.pending.capacity();
        Some(std::mem::replace(
            &mut recording.pending,
            Vec::with_capacity(capacity),
        ))
    }

    pub fn poll_event(&mut self) -> Option<MediaEvent> {
        self.events.pop_front()
    }

    pub fn stats(&self) -> SessionStats {
        self.stats
    }

    /// Whether the session must be ticked every packet time.
    pub fn needs_tick(&self) -> bool {
        self.recording.is_some()
            || !self.mixer.is_empty()
            || self.legs.iter().any(|l| {
                l.listening.is_some()
                    || l.prompt.is_some()
                    || l.dtmf_out.is_some()
                    || l.hearing.generated()
            })
    }

    fn refresh_listening(&mut self) {
        let recorded = self.recording.as_ref().map(|r| (r.caller, r.agent));
        let mixing = !self.mixer.is_empty();
        for (index, leg) in self.legs.iter_mut().enumerate() {
            let in_mixer = self.mixer.membership(index as PartyId).is_some();
            let recorded_leg =
                recorded.is_some_and(|(c, a)| c == index || a == index || (mixing && in_mixer));
            leg.set_listening(in_mixer || recorded_leg || leg.inband.is_some());
        }
    }

    /// One packet that arrived on `leg`'s RTP (or RTCP) socket from `source`.
    pub fn on_packet(
        &mut self,
        now_ms: u64,
        leg: LegIndex,
        rtcp: bool,
        source: SocketAddr,
        packet: &[u8],
        send: &mut dyn FnMut(Outbound<'_>),
    ) {
        let Some(from) = self.legs.get_mut(leg) else {
            return;
        };
        self.stats.received += 1;
        let is_control = rtcp || is_rtcp(packet);
        // Only a well-formed packet may latch a leg, so stray garbage sent
        // to a fresh port before the phone's first packet cannot take it.
        let parsed = if is_control {
            None
        } else {
            match RtpPacket::parse(packet) {
                Ok(rtp) => Some(rtp),
                Err(_) => {
                    self.stats.malformed += 1;
                    return;
                }
            }
        };
        if !from.accept(rtcp, source) {
            self.stats.dropped_source += 1;
            return;
        }
        let Some(rtp) = parsed else {
            self.relay_rtcp(leg, packet, send);
            return;
        };
        match from.ssrc {
            None => from.ssrc = Some(rtp.ssrc),
            Some(ssrc) if ssrc != rtp.ssrc => {
                self.stats.dropped_ssrc += 1;
                return;
            }
            Some(_) => {}
        }
        if Some(rtp.payload_type) == from.media.telephone_event {
            if let Some(digit) = from.events_in.receive(now_ms, rtp.timestamp, rtp.payload) {
                self.digit(leg, digit, DtmfSource::Rfc4733);
            }
            self.relay_event(leg, &rtp, packet, send);
            return;
        }
        if rtp.payload_type != from.media.payload_type {
            // A codec the engine does not speak (G.729, Opus...), comfort
            // noise, or another codec of the answer: passed through as it
            // is to phones hearing this one, as a plain relay would.
            self.relay_opaque(leg, packet, send);
            return;
        }
        if let Some(listening) = from.listening.as_mut() {
            listening
                .jitter
                .push(rtp.sequence, rtp.timestamp, rtp.payload);
        }
        self.relay_audio(leg, &rtp, packet, send);
    }

    fn relay_opaque(&mut self, from: LegIndex, packet: &[u8], send: &mut dyn FnMut(Outbound<'_>)) {
        for to in 0..self.legs.len() {
            if to == from || !self.legs[to].hears_peer(from) {
                continue;
            }
            if let Some(target) = self.legs[to].rtp_target() {
                send(Outbound {
                    leg: to,
                    rtcp: false,
                    to: target,
                    bytes: packet,
                });
                self.stats.relayed += 1;
                self.count_relayed(from);
            }
        }
    }

    /// Sends a phone's packet on to every leg that hears it: byte for byte
    /// when the codecs match, otherwise with the payload transcoded and the
    /// payload type changed (sequence, timestamp and SSRC kept).
    fn relay_audio(
        &mut self,
        from: LegIndex,
        rtp: &RtpPacket<'_>,
        packet: &[u8],
        send: &mut dyn FnMut(Outbound<'_>),
    ) {
        let source_codec = self.legs[from].media.codec;
        let mut decoded = false;
        for to in 0..self.legs.len() {
            if to == from || !self.legs[to].hears_peer(from) {
                continue;
            }
            let Some(target) = self.legs[to].rtp_target() else {
                continue;
            };
            let target_codec = self.legs[to].media.codec;
            let target_type = self.legs[to].media.payload_type;
            if target_codec == source_codec && target_type == rtp.payload_type {
                send(Outbound {
                    leg: to,
                    rtcp: false,
                    to: target,
                    bytes: packet,
                });
                self.stats.relayed += 1;
                self.count_relayed(from);
                continue;
            }
            self.payload.clear();
            if target_codec == source_codec {
                self.payload.extend_from_slice(rtp.payload);
            } else if is_g711(source_codec) && is_g711(target_codec) {
                transcode_g711(source_codec, target_codec, rtp.payload, &mut self.payload);
            } else {
                if !decoded {
                    self.pcm.clear();
                    self.legs[from]
                        .relay_decoder
                        .decode(rtp.payload, &mut self.pcm);
                    decoded = true;
                }
                self.legs[to].encoder.encode(&self.pcm, &mut self.payload);
            }
            self.forward_with_type(to, target, target_type, rtp, send);
            self.count_relayed(from);
        }
    }

    fn count_relayed(&mut self, from: LegIndex) {
        match from {
            0 => self.stats.relayed_from_caller += 1,
            1 => self.stats.relayed_from_callee += 1,
            _ => {}
        }
    }

    /// Relays `rtp` with another payload type and `self.payload` as payload.
    fn forward_with_type(
        &mut self,
        to: LegIndex,
        target: SocketAddr,
        payload_type: u8,
        rtp: &RtpPacket<'_>,
        send: &mut dyn FnMut(Outbound<'_>),
    ) {
        let header = RtpHeader {
            marker: rtp.marker,
            payload_type,
            sequence: rtp.sequence,
            timestamp: rtp.timestamp,
            ssrc: rtp.ssrc,
        };
        self.packet.clear();
        header.write(&mut self.packet);
        self.packet.extend_from_slice(&self.payload);
        send(Outbound {
            leg: to,
            rtcp: false,
            to: target,
            bytes: &self.packet,
        });
        self.stats.relayed += 1;
    }

    fn relay_event(
        &mut self,
        from: LegIndex,
        rtp: &RtpPacket<'_>,
        packet: &[u8],
        send: &mut dyn FnMut(Outbound<'_>),
    ) {
        for to in 0..self.legs.len() {
            if to == from || !self.legs[to].hears_peer(from) {
                continue;
            }
            let (Some(event_type), Some(target)) = (
                self.legs[to].media.telephone_event,
                self.legs[to].rtp_target(),
            ) else {
                continue;
            };
            if event_type == rtp.payload_type {
                send(Outbound {
                    leg: to,
                    rtcp: false,
                    to: target,
                    bytes: packet,
                });
                self.stats.relayed += 1;
            } else {
                self.payload.clear();
                self.payload.extend_from_slice(rtp.payload);
                self.forward_with_type(to, target, event_type, rtp, send);
            }
        }
    }

    fn relay_rtcp(&mut self, from: LegIndex, packet: &[u8], send: &mut dyn FnMut(Outbound<'_>)) {
        for to in 0..self.legs.len() {
            if to == from || !self.legs[to].hears_peer(from) {
                continue;
            }
            if let Some(target) = self.legs[to].rtcp_target() {
                send(Outbound {
                    leg: to,
                    rtcp: true,
                    to: target,
                    bytes: packet,
                });
            }
        }
    }

    fn digit(&mut self, leg: LegIndex, digit: Digit, source: DtmfSource) {
        if let Some(l) = self.legs.get_mut(leg)
            && let Some(player) = l.prompt.as_mut()
            && player.on_dtmf()
        {
            l.prompt = None;
            self.events.push_back(MediaEvent::PlaybackFinished {
                leg,
                interrupted: true,
            });
        }
        self.events
            .push_back(MediaEvent::Dtmf { leg, digit, source });
    }

    /// One packet time: play out what the server listens to, record, mix,
    /// and send what the server says.
    pub fn tick(&mut self, now_ms: u64, send: &mut dyn FnMut(Outbound<'_>)) {
        for index in 0..self.legs.len() {
            let leg = &mut self.legs[index];
            leg.play_out();
            if let (Some(detector), Some(listening)) = (leg.inband.as_mut(), leg.listening.as_ref())
                && let Some(digit) = detector.push(&listening.frame)
            {
                self.digit(index, digit, DtmfSource::Inband);
            }
        }
        if !self.mixer.is_empty() {
            self.mix_inputs.clear();
            for (index, leg) in self.legs.iter().enumerate() {
                if self.mixer.membership(index as PartyId).is_some() {
                    self.mix_inputs.push((index as PartyId, *leg.heard_frame()));
                }
            }
            self.mixer.mix(&self.mix_inputs, &mut self.mix_outputs);
        }
        self.record();
        for index in 0..self.legs.len() {
            self.speak(now_ms, index, send);
        }
    }

    fn record(&mut self) {
        let Some(recording) = self.recording.as_mut() else {
            return;
        };
        let caller = self
            .legs
            .get(recording.caller)
            .map_or(&SILENCE, |l| l.heard_frame());
        let agent = if self.mixer.is_empty() {
            *self
                .legs
                .get(recording.agent)
                .map_or(&SILENCE, |l| l.heard_frame())
        } else {
            // In a conference the right channel is everyone the caller hears.
            self.mix_outputs
                .iter()
                .find(|(party, _)| *party as usize == recording.caller)
                .map_or(SILENCE, |(_, frame)| *frame)
        };
        recording
            .recorder
            .push(caller, &agent, &mut recording.pending);
    }

    fn speak(&mut self, now_ms: u64, index: LegIndex, send: &mut dyn FnMut(Outbound<'_>)) {
        let leg = &mut self.legs[index];
        let Some(target) = leg.rtp_target() else {
            return;
        };
        if let Some(out) = leg.dtmf_out.as_mut()
            && let Some(event_type) = leg.media.telephone_event
        {
            match out.sender.next() {
                Some(payload) => {
                    let header = match out.timestamp {
                        None => {
                            let h = leg.tx.generated(event_type, 0);
                            out.timestamp = Some(h.timestamp);
                            RtpHeader { marker: true, ..h }
                        }
                        Some(ts) => leg.tx.generated_at(event_type, payload.marker, ts),
                    };
                    self.packet.clear();
                    header.write(&mut self.packet);
                    self.packet.extend_from_slice(&payload.bytes);
                    send(Outbound {
                        leg: index,
                        rtcp: false,
                        to: target,
                        bytes: &self.packet,
                    });
                    self.stats.generated += 1;
                    return;
                }
                None => leg.dtmf_out = None,
            }
        }
        let mut frame = SILENCE;
        let speaking = if let Some(player) = leg.prompt.as_mut() {
            if !player.next_frame(&mut frame) {
                leg.prompt = None;
                self.events.push_back(MediaEvent::PlaybackFinished {
                    leg: index,
                    interrupted: false,
                });
                // The underlying source resumes on this very tick.
                fill_from_hearing(leg, now_ms, &self.mix_outputs, index, &mut frame)
            } else {
                true
            }
        } else {
            fill_from_hearing(leg, now_ms, &self.mix_outputs, index, &mut frame)
        };
        if !speaking {
            return;
        }
        self.payload.clear();
        leg.encoder.encode(&frame, &mut self.payload);
        let header = leg.tx.generated(
            leg.media.payload_type,
            leg.media.codec.rtp_samples_per_frame(),
        );
        self.packet.clear();
        header.write(&mut self.packet);
        self.packet.extend_from_slice(&self.payload);
        send(Outbound {
            leg: index,
            rtcp: false,
            to: target,
            bytes: &self.packet,
        });
        self.stats.generated += 1;
    }
}

/// The frame a leg's own source gives this tick, if it has one.
fn fill_from_hearing(
    leg: &mut Leg,
    now_ms: u64,
    mix_outputs: &[(PartyId, Frame)],
    index: LegIndex,
    frame: &mut Frame,
) -> bool {
    match &mut leg.hearing {
        Hearing::Music(class) => {
            class.frame_at(now_ms, frame);
            true
        }
        Hearing::Mixer => match mix_outputs.iter().find(|(p, _)| *p as usize == index) {
            Some((_, mixed)) => {
                *frame = *mixed;
                true
            }
            None => false,
        },
        Hearing::Tone(generator) => {
            generator.next_frame(frame);
            true
        }
        Hearing::Peer(_) | Hearing::Nothing => false,
    }
}

fn is_g711(codec: Codec) -> bool {
    matches!(codec, Codec::Pcmu | Codec::Pcma)
}

fn tone_samples(mut tone: crate::tone::ToneGenerator) -> Vec<i16> {
    let mut samples = Vec::new();
    let mut frame = SILENCE;
    while tone.next_frame(&mut frame) {
        samples.extend_from_slice(&frame);
    }
    samples
}
