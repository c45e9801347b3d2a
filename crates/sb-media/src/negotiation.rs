//! Codec negotiation for an anchoring B2BUA (MISSION T7): the phones choose
//! their codec as they offered, and the switch transcodes only when the two
//! legs end up on different ones. The callee is offered the caller's codecs
//! first, then PCMU and PCMA if the caller lacked them, so two phones that
//! share a codec are never transcoded; the caller's answer is rewritten to
//! one of its own codecs when the callee picked one it did not offer.

use crate::codec::Codec;
use crate::sdp::SdpError;

/// The audio formats of an SDP body, in the `m=` line's order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct AudioFormats {
    /// The codecs we know, with the payload type the phone uses for each.
    pub codecs: Vec<(u8, Codec)>,
    pub telephone_event: Option<u8>,
    pub ptime_ms: Option<u32>,
}

impl AudioFormats {
    /// The codec the phone prefers (the first we know).
    pub fn preferred(&self) -> Option<(u8, Codec)> {
        self.codecs.first().copied()
    }

    pub fn payload_type_of(&self, codec: Codec) -> Option<u8> {
        self.codecs
            .iter()
            .find(|(_, c)| *c == codec)
            .map(|(pt, _)| *pt)
    }
}

/// Reads the first audio stream's formats.
pub fn audio_formats(sdp: &[u8]) -> Result<AudioFormats, SdpError> {
    let text = std::str::from_utf8(sdp).map_err(|_| SdpError::NotUtf8)?;
    let mut order: Vec<u8> = Vec::new();
    let mut rtpmaps: Vec<(u8, String, u32)> = Vec::new();
    let mut ptime = None;
    let mut in_audio = false;
    let mut seen_audio = false;
    for line in text.lines().map(str::trim_end) {
        if let Some(media) = line.strip_prefix("m=") {
            if seen_audio {
                break;
            }
            in_audio = media.starts_with("audio ");
            if in_audio {
                seen_audio = true;
                order = media
                    .split_whitespace()
                    .skip(3)
                    .filter_map(|pt| pt.parse::<u8>().ok())
                    .collect();
            }
        } else if in_audio {
            if let Some(map) = line.strip_prefix("a=rtpmap:") {
                let mut parts = map.splitn(2, ' ');
                let pt = parts.next().and_then(|p| p.parse::<u8>().ok());
                let mut encoding = parts.next().unwrap_or_default().split('/');
                let name = encoding.next().unwrap_or_default().to_owned();
                let rate = encoding
                    .next()
                    .and_then(|r| r.parse::<u32>().ok())
                    .unwrap_or(0);
                if let Some(pt) = pt {
                    rtpmaps.push((pt, name, rate));
                }
            } else if let Some(value) = line.strip_prefix("a=ptime:") {
                ptime = value.trim().parse::<u32>().ok();
            }
        }
    }
    if !seen_audio {
        return Err(SdpError::NoAudio);
    }
    let mut formats = AudioFormats {
        ptime_ms: ptime,
        ..AudioFormats::default()
    };
    for pt in order {
        let mapped = rtpmaps.iter().find(|(p, _, _)| *p == pt);
        match mapped {
            Some((_, name, rate)) if name.eq_ignore_ascii_case("telephone-event") => {
                if *rate == 8000 && formats.telephone_event.is_none() {
                    formats.telephone_event = Some(pt);
                }
            }
            Some((_, name, rate)) => {
                if let Some(codec) = Codec::from_rtpmap(name, *rate) {
                    formats.codecs.push((pt, codec));
                }
            }
            None => {
                if let Some(codec) = Codec::from_static_payload_type(pt) {
                    formats.codecs.push((pt, codec));
                }
            }
        }
    }
    Ok(formats)
}

/// The offer for the callee: the caller's, plus PCMU and PCMA after its own
/// codecs when it lacked them (the switch can then transcode).
pub fn offer_with_g711(sdp: &[u8]) -> Result<Vec<u8>, SdpError> {
    let formats = audio_formats(sdp)?;
    let missing: Vec<Codec> = [Codec::Pcmu, Codec::Pcma]
        .into_iter()
        .filter(|c| formats.payload_type_of(*c).is_none())
        .collect();
    if missing.is_empty() {
        return Ok(sdp.to_vec());
    }
    let text = std::str::from_utf8(sdp).map_err(|_| SdpError::NotUtf8)?;
    let mut out = String::with_capacity(text.len() + 64);
    let mut in_audio = false;
    let mut added = false;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            continue;
        }
        if let Some(media) = line.strip_prefix("m=") {
            if in_audio && !added {
                push_rtpmaps(&mut out, &missing);
                added = true;
            }
            in_audio = media.starts_with("audio ") && !added;
            if in_audio {
                out.push_str(line);
                for codec in &missing {
                    out.push_str(&format!(" {}", codec.static_payload_type()));
                }
                out.push_str("\r\n");
                continue;
            }
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    if in_audio && !added {
        push_rtpmaps(&mut out, &missing);
    }
    Ok(out.into_bytes())
}

fn push_rtpmaps(out: &mut String, codecs: &[Codec]) {
    for codec in codecs {
        out.push_str(&format!(
            "a=rtpmap:{} {}\r\n",
            codec.static_payload_type(),
            codec.rtpmap()
        ));
    }
}

/// An offer the switch makes itself (a party it adds to a call): audio to
/// `anchor`, PCMU then PCMA, and telephone-event as payload type 101.
pub fn switch_offer(anchor: std::net::SocketAddr, session_id: u64) -> Vec<u8> {
    let family = if anchor.is_ipv4() { "IP4" } else { "IP6" };
    let ip = anchor.ip();
    format!(
        "v=0\r\no=switchboard {session_id} 1 IN {family} {ip}\r\ns=switchboard\r\n\
         c=IN {family} {ip}\r\nt=0 0\r\nm=audio {port} RTP/AVP 0 8 101\r\n\
         a=rtpmap:0 PCMU/8000\r\na=rtpmap:8 PCMA/8000\r\n\
         a=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-16\r\na=ptime:20\r\na=sendrecv\r\n",
        port = anchor.port()
    )
    .into_bytes()
}

/// Rewrites an answer's audio formats to exactly `codec` (as payload type
/// `payload_type`) and, if given, telephone-event: what the caller is told
/// when the callee chose a codec the caller did not offer.
pub fn answer_with(
    sdp: &[u8],
    payload_type: u8,
    codec: Codec,
    telephone_event: Option<u8>,
) -> Result<Vec<u8>, SdpError> {
    let text = std::str::from_utf8(sdp).map_err(|_| SdpError::NotUtf8)?;
    let mut out = String::with_capacity(text.len());
    let mut in_audio = false;
    let mut seen_audio = false;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            continue;
        }
        if let Some(media) = line.strip_prefix("m=") {
            in_audio = media.starts_with("audio ") && !seen_audio;
            if in_audio {
                seen_audio = true;
                let mut parts = media.split_whitespace();
                let (Some(kind), Some(port), Some(profile)) =
                    (parts.next(), parts.next(), parts.next())
                else {
                    return Err(SdpError::BadLine("m="));
                };
                out.push_str(&format!("m={kind} {port} {profile} {payload_type}"));
                if let Some(event) = telephone_event {
                    out.push_str(&format!(" {event}"));
                }
                out.push_str("\r\n");
                out.push_str(&format!("a=rtpmap:{payload_type} {}\r\n", codec.rtpmap()));
                if let Some(event) = telephone_event {
                    out.push_str(&format!(
                        "a=rtpmap:{event} telephone-event/8000\r\na=fmtp:{event} 0-16\r\n"
                    ));
                }
                continue;
            }
        }
        if in_audio && (line.starts_with("a=rtpmap:") || line.starts_with("a=fmtp:")) {
            continue;
        }
        out.push_str(line);
        out.push_str("\r\n");
    }
    if !seen_audio {
        return Err(SdpError::NoAudio);
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const PCMU_ONLY: &str = "v=0\r\no=- 1 1 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n\
        m=audio 4000 RTP/AVP 0 101\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\n\
        a=fmtp:101 0-16\r\na=ptime:20\r\n";

    #[test]
    fn formats_are_read_in_preference_order() {
        let formats = audio_formats(PCMU_ONLY.as_bytes()).expect("valid");
        assert_eq!(formats.codecs, vec![(0, Codec::Pcmu)]);
        assert_eq!(formats.telephone_event, Some(101));
        assert_eq!(formats.ptime_ms, Some(20));
        let g722_first = PCMU_ONLY.replace("RTP/AVP 0 101", "RTP/AVP 9 8 0 101");
        let formats = audio_formats(g722_first.as_bytes()).expect("valid");
        assert_eq!(formats.preferred(), Some((9, Codec::G722)));
        assert_eq!(formats.codecs.len(), 3);
    }

    #[test]
    fn the_callee_is_offered_g711_after_the_callers_codecs() {
        let offer = offer_with_g711(PCMU_ONLY.as_bytes()).expect("valid");
        let formats = audio_formats(&offer).expect("valid");
        assert_eq!(formats.codecs, vec![(0, Codec::Pcmu), (8, Codec::Pcma)]);
        assert_eq!(formats.telephone_event, Some(101));
        let both = PCMU_ONLY.replace("RTP/AVP 0 101", "RTP/AVP 0 8 101");
        assert_eq!(
            offer_with_g711(both.as_bytes()).expect("valid"),
            both.as_bytes()
        );
    }

    #[test]
    fn the_switchs_own_offer_reads_back() {
        let offer = switch_offer("192.0.2.9:30000".parse().expect("addr"), 42);
        let formats = audio_formats(&offer).expect("valid");
        assert_eq!(formats.codecs, vec![(0, Codec::Pcmu), (8, Codec::Pcma)]);
        assert_eq!(formats.telephone_event, Some(101));
        let endpoint = crate::sdp::audio_endpoint(&offer).expect("valid");
        assert_eq!(endpoint.rtp, "192.0.2.9:30000".parse().expect("addr"));
    }

    #[test]
    fn an_answer_is_rewritten_to_the_callers_codec() {
        let pcma_answer = PCMU_ONLY
            .replace("RTP/AVP 0 101", "RTP/AVP 8 101")
            .replace("a=rtpmap:0 PCMU/8000", "a=rtpmap:8 PCMA/8000");
        let rewritten =
            answer_with(pcma_answer.as_bytes(), 0, Codec::Pcmu, Some(101)).expect("valid");
        let formats = audio_formats(&rewritten).expect("valid");
        assert_eq!(formats.codecs, vec![(0, Codec::Pcmu)]);
        assert_eq!(formats.telephone_event, Some(101));
        let text = String::from_utf8(rewritten).expect("utf-8");
        assert!(!text.contains("PCMA"));
        assert!(text.contains("a=ptime:20"));
    }
}
