//! Media (MISSION T7, G4, R1, S2-S4): RTP/RTCP, G.711, RFC 4733 DTMF, jitter
//! buffer, mixer, prompt player and recorder frames, sans-IO per session.
//!
//! Depends only on sb-core. Arrives with the media engine issue.
