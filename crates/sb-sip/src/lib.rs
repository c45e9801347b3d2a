//! SIP for Switchboard, on rsipstack (pinned; no other crate names it):
//! transports, transactions and dialogs come from rsipstack; this crate adds
//! what a switch needs on top (MISSION T1, T5):
//!
//! - `wire`: the first look at every datagram, answering malformed requests
//!   with 400 before the stack sees them; `guard` puts it and the ban list in
//!   front of the UDP socket;
//! - `digest`: digest authentication (MD5, SHA-256) with an expiring,
//!   replay-proof nonce store and constant-time comparison;
//! - `location`: the registrar's bindings (several contacts, expiry, NAT
//!   source address);
//! - `stack`: the endpoint and the dispatch of new requests to the switch;
//!   `request` wraps such a request, `call` one call's dialogs.
//!
//! Everything here is IO or plain data; call decisions live in sb-call.

mod call;
mod carrier;
pub mod digest;
mod error;
mod guard;
pub mod location;
mod ping;
mod request;
mod stack;
pub mod wire;

pub use call::{DialTarget, SipCall, TrunkCredentials};
pub use carrier::CarrierRegistration;
pub use error::SipError;
pub use guard::{BanList, WireStats};
pub use location::{Binding, Location, RegisterOutcome, RegisterRequest, Transport};
pub use request::{Contacts, ServerRequest};
pub use stack::{SipConfig, SipStack};
