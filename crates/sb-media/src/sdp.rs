//! Just enough SDP (RFC 8866) for media anchoring: read where a phone wants
//! its audio, and rewrite an offer or answer so the other phone sends its
//! audio to the switch instead. Codecs, ptime and telephone-event lines pass
//! through untouched: the relay forwards packets, it does not transcode.

use std::net::{IpAddr, SocketAddr};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SdpError {
    NotUtf8,
    NoAudio,
    NoConnection,
    BadLine(&'static str),
}

impl std::fmt::Display for SdpError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SdpError::NotUtf8 => f.write_str("SDP is not UTF-8"),
            SdpError::NoAudio => f.write_str("SDP has no audio stream"),
            SdpError::NoConnection => f.write_str("SDP has no connection address"),
            SdpError::BadLine(line) => write!(f, "malformed SDP {line} line"),
        }
    }
}

impl std::error::Error for SdpError {}

/// What the relay needs from one side's SDP.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioEndpoint {
    /// Where the phone receives RTP; port 0 means the stream was declined.
    pub rtp: SocketAddr,
    /// `a=sendonly` / `a=inactive` (hold) or `sendrecv`.
    pub direction: Direction,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// Reads the audio endpoint: the media-level `c=` wins over the session one.
pub fn audio_endpoint(sdp: &[u8]) -> Result<AudioEndpoint, SdpError> {
    let text = std::str::from_utf8(sdp).map_err(|_| SdpError::NotUtf8)?;
    let mut session_ip = None;
    let mut media_ip = None;
    let mut port = None;
    let mut in_audio = false;
    let mut direction = Direction::SendRecv;
    for line in text.lines().map(str::trim_end) {
        if let Some(media) = line.strip_prefix("m=") {
            if port.is_some() {
                break;
            }
            in_audio = media.starts_with("audio ");
            if in_audio {
                let p = media
                    .split_whitespace()
                    .nth(1)
                    .and_then(|p| p.split('/').next())
                    .and_then(|p| p.parse::<u16>().ok())
                    .ok_or(SdpError::BadLine("m="))?;
                port = Some(p);
            }
        } else if let Some(connection) = line.strip_prefix("c=") {
            let ip = connection
                .split_whitespace()
                .nth(2)
                .and_then(|a| a.split('/').next())
                .and_then(|a| a.parse::<IpAddr>().ok())
                .ok_or(SdpError::BadLine("c="))?;
            if port.is_none() && !in_audio {
                session_ip = Some(ip);
            } else if in_audio {
                media_ip = Some(ip);
            }
        } else if in_audio || port.is_none() {
            direction = match line {
                "a=sendonly" => Direction::SendOnly,
                "a=recvonly" => Direction::RecvOnly,
                "a=inactive" => Direction::Inactive,
                "a=sendrecv" => Direction::SendRecv,
                _ => direction,
            };
        }
    }
    let port = port.ok_or(SdpError::NoAudio)?;
    let ip = media_ip.or(session_ip).ok_or(SdpError::NoConnection)?;
    Ok(AudioEndpoint {
        rtp: SocketAddr::new(ip, port),
        direction,
    })
}

/// Rewrites `sdp` so the audio goes to `anchor`: every `c=` and the audio
/// `m=` port, the `o=` address, and `a=rtcp` (RTCP is on the next port, as
/// the relay allocates pairs). Other streams (video) are declined with port 0
/// since the relay carries audio only.
pub fn anchor(sdp: &[u8], anchor: SocketAddr) -> Result<Vec<u8>, SdpError> {
    let text = std::str::from_utf8(sdp).map_err(|_| SdpError::NotUtf8)?;
    let family = if anchor.is_ipv4() { "IP4" } else { "IP6" };
    let ip = anchor.ip();
    let mut out = String::with_capacity(text.len() + 16);
    let mut seen_audio = false;
    let mut in_other = false;
    for line in text.lines().map(str::trim_end) {
        if line.is_empty() {
            continue;
        }
        if let Some(media) = line.strip_prefix("m=") {
            let mut parts = media.splitn(3, ' ');
            let kind = parts.next().unwrap_or_default();
            let _port = parts.next().ok_or(SdpError::BadLine("m="))?;
            let rest = parts.next().ok_or(SdpError::BadLine("m="))?;
            if kind == "audio" && !seen_audio {
                seen_audio = true;
                in_other = false;
                out.push_str(&format!("m=audio {} {rest}\r\n", anchor.port()));
            } else {
                in_other = true;
                out.push_str(&format!("m={kind} 0 {rest}\r\n"));
            }
            continue;
        }
        if line.starts_with("c=") {
            out.push_str(&format!("c=IN {family} {ip}\r\n"));
        } else if let Some(origin) = line.strip_prefix("o=") {
            let fields: Vec<&str> = origin.split_whitespace().collect();
            if fields.len() != 6 {
                return Err(SdpError::BadLine("o="));
            }
            out.push_str(&format!(
                "o={} {} {} IN {family} {ip}\r\n",
                fields[0], fields[1], fields[2]
            ));
        } else if line.starts_with("a=rtcp:") && !in_other {
            out.push_str(&format!("a=rtcp:{}\r\n", anchor.port().saturating_add(1)));
        } else {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    if !seen_audio {
        return Err(SdpError::NoAudio);
    }
    Ok(out.into_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    const OFFER: &str = "v=0\r\no=- 1 2 IN IP4 10.0.0.5\r\ns=-\r\nc=IN IP4 10.0.0.5\r\nt=0 0\r\n\
        m=audio 4000 RTP/AVP 0 8 101\r\na=rtpmap:101 telephone-event/8000\r\na=ptime:20\r\n\
        a=rtcp:4001\r\na=sendrecv\r\nm=video 5000 RTP/AVP 96\r\n";

    #[test]
    fn reads_the_audio_endpoint_and_direction() {
        let endpoint = audio_endpoint(OFFER.as_bytes()).expect("valid");
        assert_eq!(endpoint.rtp, "10.0.0.5:4000".parse().expect("addr"));
        assert_eq!(endpoint.direction, Direction::SendRecv);
        let hold = OFFER.replace("a=sendrecv", "a=sendonly");
        assert_eq!(
            audio_endpoint(hold.as_bytes()).expect("valid").direction,
            Direction::SendOnly
        );
    }

    #[test]
    fn anchoring_points_audio_at_the_switch_and_keeps_codecs() {
        let anchored =
            anchor(OFFER.as_bytes(), "192.0.2.9:30000".parse().expect("addr")).expect("valid");
        let text = String::from_utf8(anchored).expect("utf-8");
        assert!(text.contains("c=IN IP4 192.0.2.9\r\n"));
        assert!(text.contains("o=- 1 2 IN IP4 192.0.2.9\r\n"));
        assert!(text.contains("m=audio 30000 RTP/AVP 0 8 101\r\n"));
        assert!(text.contains("a=rtpmap:101 telephone-event/8000\r\n"));
        assert!(text.contains("a=rtcp:30001\r\n"));
        assert!(text.contains("m=video 0 RTP/AVP 96\r\n"));
        assert!(!text.contains("10.0.0.5"));
        let endpoint = audio_endpoint(text.as_bytes()).expect("still valid");
        assert_eq!(endpoint.rtp, "192.0.2.9:30000".parse().expect("addr"));
    }

    #[test]
    fn broken_sdp_is_an_error() {
        for bad in [
            "",
            "v=0\r\n",
            "m=audio x RTP/AVP 0\r\nc=IN IP4 1.2.3.4\r\n",
            "m=audio 4000 RTP/AVP 0\r\n",
        ] {
            assert!(audio_endpoint(bad.as_bytes()).is_err(), "{bad:?}");
        }
        assert!(anchor(&[0xff, 0xfe], "127.0.0.1:1".parse().expect("addr")).is_err());
    }
}
