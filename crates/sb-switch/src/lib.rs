//! The switch runtime (MISSION T1-T5): the only crate that does call IO.
//! It owns the SIP stack (through sb-sip), one task per call driving the
//! sans-IO B2BUA core of sb-call, the RTP relay, the registrar and the
//! toll-fraud defences; it reads configuration and writes CDRs through the
//! [`Directory`] port, which the binary backs with sb-store.
//!
//! Layout: `switch` (start, dispatch, shutdown), `housekeeping` (sweeps,
//! keep-alives), `registrar` + `auth`
//! (REGISTER and digest checks), `routing` (where an INVITE goes),
//! `call_task` + `call_media` (one call; `direct_transfer` and
//! `direct_side` are its agent commands), `live_calls` (the API's handle on
//! each call), `media` (the media threads and
//! the recording writer) + `ports` (anchored media), `admission`
//! (overload, trunk channels), `security` (bans), `cdr_writer` (batched CDRs),
//! `service_task` + `service_flow` (calls the switch answers itself: the
//! IVR interpreter, queues, voicemail, survey; `service_task::control` is
//! what agents and supervisors do to them), `acd_task` + `acd_log` +
//! `acd_view` (the ACD core's owner, its event log, what the API sees),
//! `cti` (the port CTI events leave by), `prompt_library` (built-in prompts, text-to-speech, uploaded prompts),
//! `ivr_lookup` (the IVR's HTTP back-end lookups), `feature_codes` +
//! `feature_task` (agents' `*11`-`*14` codes dialled from a phone),
//! `originate_task` (click-to-call: the agent's phone first, then the number).

mod acd_log;
mod acd_task;
pub mod acd_view;
mod admission;
mod auth;
mod call_media;
mod call_task;
mod carriers;
mod cdr_writer;
mod config;
pub mod cti;
mod direct_pickup;
mod direct_side;
mod direct_transfer;
mod directory;
mod error;
mod feature_codes;
mod feature_task;
mod follow_me;
mod housekeeping;
mod ivr_lookup;
mod live_calls;
pub mod media;
mod originate_task;
mod pickup;
pub mod ports;
pub mod prompt_library;
mod registrar;
mod routing;
mod security;
mod service_flow;
mod service_task;
mod shared;
mod switch;

pub use carriers::CarrierStatus;
pub use config::{SecurityPolicy, SwitchConfig};
pub use cti::{EventSink, NoEvents};
pub use directory::{
    Account, AcdLogEntry, AcdSetup, AgentProfile, AgentSession, BlockAction, CallRecord,
    CallTrailRecord, CallerIdMode, Directory, FlowVersion, FollowMe, InboundTarget, OutboundRoute,
    OverflowTarget, PinAttempt, QueueSetup, RecordingRecord, SurveyRecord, Trunk, TrunkTransport,
    VoicemailRecord,
};
pub use error::SwitchError;
pub use live_calls::{
    CallControl, ControlError, LiveCall, Party, Picker, PickerParty, TransferTarget,
};
pub use media::MediaCounters;
pub use originate_task::{OriginateError, Originated};
pub use sb_sip::{BanList, Transport, digest};
pub use switch::{Registration, SwitchHandle, SwitchStats, start};
