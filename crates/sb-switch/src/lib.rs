//! The switch runtime (MISSION T1-T5): the only crate that does call IO.
//! It owns the SIP stack (through sb-sip), one task per call driving the
//! sans-IO B2BUA core of sb-call, the RTP relay, the registrar and the
//! toll-fraud defences; it reads configuration and writes CDRs through the
//! [`Directory`] port, which the binary backs with sb-store.
//!
//! Layout: `switch` (start, dispatch, shutdown), `housekeeping` (sweeps,
//! keep-alives), `registrar` + `auth`
//! (REGISTER and digest checks), `routing` (where an INVITE goes),
//! `call_task` + `call_media` (one call), `media` (the media threads and
//! the recording writer) + `ports` (anchored media), `admission`
//! (overload, trunk channels), `security` (bans), `cdr_writer` (batched CDRs).

mod admission;
mod auth;
mod call_media;
mod call_task;
mod carriers;
mod cdr_writer;
mod config;
mod directory;
mod error;
mod housekeeping;
mod live_calls;
pub mod media;
pub mod ports;
mod registrar;
mod routing;
mod security;
mod shared;
mod switch;

pub use carriers::CarrierStatus;
pub use config::{SecurityPolicy, SwitchConfig};
pub use directory::{
    Account, CallRecord, CallerIdMode, Directory, OutboundRoute, RecordingRecord, Trunk,
    TrunkTransport,
};
pub use error::SwitchError;
pub use live_calls::{CallControl, ControlError, LiveCall, Party};
pub use media::MediaCounters;
pub use sb_sip::{BanList, Transport, digest};
pub use switch::{Registration, SwitchHandle, SwitchStats, start};
