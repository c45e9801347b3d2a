//! The switch runtime (MISSION T1-T5): the only crate that does call IO.
//! It owns the SIP stack (through sb-sip), one task per call driving the
//! sans-IO B2BUA core of sb-call, the RTP relay, the registrar and the
//! toll-fraud defences; it reads configuration and writes CDRs through the
//! [`Directory`] port, which the binary backs with sb-store.
//!
//! Layout: `switch` (start, dispatch, shutdown), `housekeeping` (sweeps,
//! keep-alives), `registrar` + `auth`
//! (REGISTER and digest checks), `routing` (where an INVITE goes),
//! `call_task` (one call), `relay` + `ports` (anchored media), `admission`
//! (overload, trunk channels), `security` (bans), `cdr_writer` (batched CDRs).

mod admission;
mod auth;
mod call_task;
mod carriers;
mod cdr_writer;
mod config;
mod directory;
mod error;
mod housekeeping;
mod ports;
mod registrar;
mod relay;
mod routing;
mod security;
mod shared;
mod switch;

pub use carriers::CarrierStatus;
pub use config::{SecurityPolicy, SwitchConfig};
pub use directory::{
    Account, CallRecord, CallerIdMode, Directory, OutboundRoute, Trunk, TrunkTransport,
};
pub use error::SwitchError;
pub use sb_sip::{BanList, Transport, digest};
pub use switch::{Registration, SwitchHandle, SwitchStats, start};
