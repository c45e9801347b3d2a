//! One leg of a media session: the phone's negotiated media, where its
//! packets may come from (symmetric RTP latching), what it hears, and the
//! decoding state kept only while the server listens to it.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::codec::{Codec, Decoder, Encoder};
use crate::dtmf::{EventReceiver, EventSender, InbandDetector};
use crate::frame::{Frame, SILENCE};
use crate::jitter::{Concealer, JitterBuffer};
use crate::moh::MusicClass;
use crate::prompt::Player;
use crate::tone::ToneGenerator;

use super::tx::TxStream;

/// Index of a leg in its session: 0 is the caller, 1 the callee, then any
/// party added later (a conference member, a supervisor).
pub type LegIndex = usize;

/// A leg's media as negotiated in SDP.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LegMedia {
    /// Where the phone said it receives RTP; its packets are latched anyway.
    pub remote: Option<SocketAddr>,
    pub codec: Codec,
    /// The payload type the phone uses for `codec`.
    pub payload_type: u8,
    /// The RFC 4733 payload type, when the phone offered telephone-event.
    pub telephone_event: Option<u8>,
}

impl LegMedia {
    pub fn new(remote: Option<SocketAddr>, codec: Codec) -> LegMedia {
        LegMedia {
            remote,
            codec,
            payload_type: codec.static_payload_type(),
            telephone_event: None,
        }
    }
}

/// What a leg hears, besides a prompt played over it.
#[derive(Debug)]
pub enum Hearing {
    /// The other phone's packets, relayed as they arrive (no added delay).
    Peer(LegIndex),
    /// Music on hold: the class's shared stream.
    Music(Arc<MusicClass>),
    /// The mixer's output for this leg (conference, monitoring).
    Mixer,
    /// A call-progress tone (ringback, busy).
    Tone(ToneGenerator),
    Nothing,
}

impl Hearing {
    pub(crate) fn generated(&self) -> bool {
        matches!(self, Hearing::Music(_) | Hearing::Mixer | Hearing::Tone(_))
    }
}

#[derive(Debug)]
pub(crate) struct DtmfOut {
    pub(crate) sender: EventSender,
    pub(crate) timestamp: Option<u32>,
}

#[derive(Debug)]
pub(crate) struct Leg {
    pub(crate) media: LegMedia,
    pub(crate) latched_rtp: Option<SocketAddr>,
    pub(crate) latched_rtcp: Option<SocketAddr>,
    pub(crate) ssrc: Option<u32>,
    pub(crate) hearing: Hearing,
    pub(crate) prompt: Option<Player>,
    pub(crate) dtmf_out: Option<DtmfOut>,
    pub(crate) tx: TxStream,
    pub(crate) encoder: Encoder,
    /// Decodes relayed packets when the other side needs another codec and
    /// no G.711 table applies (G.722).
    pub(crate) relay_decoder: Decoder,
    pub(crate) listening: Option<Listening>,
    pub(crate) events_in: EventReceiver,
    pub(crate) inband: Option<InbandDetector>,
}

/// Kept while the server listens to a leg (recording, mixing, in-band DTMF).
#[derive(Debug)]
pub(crate) struct Listening {
    pub(crate) jitter: JitterBuffer,
    pub(crate) decoder: Decoder,
    pub(crate) concealer: Concealer,
    pub(crate) decoded: Vec<i16>,
    pub(crate) frame: Frame,
}

/// Frames held before playout where the server listens: 60 ms absorbs the
/// jitter of a loaded LAN or a carrier without making a conference laggy.
const JITTER_DEPTH_FRAMES: usize = 3;

impl Listening {
    fn new(codec: Codec) -> Listening {
        Listening {
            jitter: JitterBuffer::new(JITTER_DEPTH_FRAMES, codec.rtp_samples_per_frame()),
            decoder: Decoder::new(codec),
            concealer: Concealer::new(),
            decoded: Vec::with_capacity(crate::frame::FRAME_SAMPLES * 2),
            frame: SILENCE,
        }
    }
}

impl Leg {
    pub(crate) fn new(media: LegMedia, ssrc: u32) -> Leg {
        Leg {
            media,
            latched_rtp: None,
            latched_rtcp: None,
            ssrc: None,
            hearing: Hearing::Nothing,
            prompt: None,
            dtmf_out: None,
            tx: TxStream::new(ssrc),
            encoder: Encoder::new(media.codec),
            relay_decoder: Decoder::new(media.codec),
            listening: None,
            events_in: EventReceiver::new(8000),
            inband: None,
        }
    }

    /// New SDP for the leg (answer, re-INVITE): accept a new SSRC, latch a
    /// new address afresh, and rebuild the codec state if the codec changed.
    pub(crate) fn update(&mut self, media: LegMedia) {
        if media.codec != self.media.codec {
            self.encoder = Encoder::new(media.codec);
            self.relay_decoder = Decoder::new(media.codec);
            if self.listening.is_some() {
                self.listening = Some(Listening::new(media.codec));
            }
        }
        if media.remote != self.media.remote {
            self.latched_rtp = None;
            self.latched_rtcp = None;
        }
        // A new answer or re-INVITE may come with a new stream (early media
        // then the answer from the same SBC, a phone resuming from hold).
        self.ssrc = None;
        self.events_in.reset();
        self.media = media;
    }

    pub(crate) fn set_listening(&mut self, on: bool) {
        match (on, self.listening.is_some()) {
            (true, false) => self.listening = Some(Listening::new(self.media.codec)),
            (false, true) => self.listening = None,
            _ => {}
        }
    }

    /// Latch on the first source; afterwards only that address is accepted.
    pub(crate) fn accept(&mut self, rtcp: bool, source: SocketAddr) -> bool {
        let rtp_host = self.latched_rtp.map(|a| a.ip());
        let latched = if rtcp {
            &mut self.latched_rtcp
        } else {
            &mut self.latched_rtp
        };
        match latched {
            Some(peer) => *peer == source,
            None => {
                // RTCP must come from the same host as the latched RTP.
                if rtcp && rtp_host.is_some_and(|host| host != source.ip()) {
                    return false;
                }
                *latched = Some(source);
                true
            }
        }
    }

    pub(crate) fn rtp_target(&self) -> Option<SocketAddr> {
        self.latched_rtp.or(self.media.remote)
    }

    pub(crate) fn rtcp_target(&self) -> Option<SocketAddr> {
        self.latched_rtcp.or_else(|| {
            self.media
                .remote
                .map(|a| SocketAddr::new(a.ip(), a.port().saturating_add(1)))
        })
    }

    /// Whether packets relayed from another leg reach this one now (not
    /// while a prompt or a DTMF tone is played to it).
    pub(crate) fn hears_peer(&self, from: LegIndex) -> bool {
        matches!(self.hearing, Hearing::Peer(p) if p == from)
            && self.prompt.is_none()
            && self.dtmf_out.is_none()
    }

    /// Pulls this tick's frame out of the jitter buffer (decoded, concealed
    /// or silence).
    pub(crate) fn play_out(&mut self) {
        let Some(listening) = self.listening.as_mut() else {
            return;
        };
        match listening.jitter.pop() {
            crate::jitter::Playout::Frame(payload) => {
                listening.decoded.clear();
                listening.decoder.decode(payload, &mut listening.decoded);
                let n = listening.decoded.len().min(crate::frame::FRAME_SAMPLES);
                listening.frame = SILENCE;
                listening.frame[..n].copy_from_slice(&listening.decoded[..n]);
                listening.concealer.good(&listening.frame);
            }
            crate::jitter::Playout::Missing => listening.frame = listening.concealer.conceal(),
            crate::jitter::Playout::Waiting => listening.frame = SILENCE,
        }
    }

    pub(crate) fn heard_frame(&self) -> &Frame {
        self.listening.as_ref().map_or(&SILENCE, |l| &l.frame)
    }
}
