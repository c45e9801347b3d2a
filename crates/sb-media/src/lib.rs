//! Media (MISSION T7, G4, G6, R1, R2, S2-S4), sans-IO: nothing here opens a
//! socket or reads a clock. The switch's media engine feeds packets and
//! ticks in and sends what comes out.
//!
//! - `sdp`, `negotiation`: session descriptions the anchoring B2BUA reads
//!   and rewrites, and the codec each leg ends up with;
//! - `rtp`: RTP/RTCP packet views and builders;
//! - `codec`: PCMU, PCMA and G.722 to and from the internal `frame` format;
//! - `dtmf`: RFC 4733 events, SIP INFO bodies and in-band (Goertzel) tones;
//! - `jitter`: reordering and loss concealment where the server listens;
//! - `prompt`, `moh`: audio sources (prompt lists, shared music streams);
//! - `wav`, `recorder`: recordings whose header stays valid while written;
//! - `mixer`: conference and monitoring (listen, whisper, barge) rules;
//! - `tone`: DTMF and call-progress tone generators.
//!
//! Depends only on sb-core.

pub mod codec;
pub mod dtmf;
pub mod error;
pub mod frame;
pub mod jitter;
pub mod mixer;
pub mod moh;
pub mod negotiation;
pub mod prompt;
pub mod recorder;
pub mod rtp;
pub mod sdp;
pub mod session;
pub mod tone;
pub mod wav;
pub mod wheel;

pub use error::MediaError;
