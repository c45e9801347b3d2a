//! Media (MISSION T7, G4, R1, S2-S4), sans-IO per session. So far: `sdp`,
//! the session descriptions a media-anchoring B2BUA rewrites so both phones
//! send their RTP to the switch. RTP/RTCP, G.711, RFC 4733 DTMF, jitter
//! buffer, mixer, prompt player and recorder frames arrive with the media
//! engine issue.
//!
//! Depends only on sb-core.

pub mod sdp;
