//! The B2BUA call state machine (MISSION T3; later G4-G7, S2-S5): one caller
//! leg (A) and the callee legs it forks to (B1..Bn), answer, cancel, busy, no
//! answer, re-INVITE pass-through (hold/resume) and hang-up from either side.
//!
//! A sans-IO core on a virtual clock, after str0m and quinn-proto: the driver
//! (sb-switch) feeds SIP events with [`B2bua::handle_leg`] and timer expiries
//! with [`B2bua::handle_timeout`], then drains [`B2bua::poll_output`] and sleeps
//! until [`B2bua::poll_timeout`]. Nothing here reads a clock, a socket or a
//! file; `now` is always a parameter, so tests run thousands of calls in
//! microseconds.
//!
//! Layout: `event` (what legs report), `action` (what the driver must do),
//! `b2bua` (the state machine; `b2bua/side` its consultation and
//! intercept leg, `B2bua::transfer` a blind transfer), `service` (a call the switch answers itself
//! for the IVR and queues, bridged to one agent after another; its
//! `control` is what agents and supervisors do to it: transfer, consult,
//! conference, intercept), `summary` (the CDR facts of a finished call),
//! `status` (SIP status codes the core reasons about).

mod action;
mod b2bua;
mod event;
mod service;
mod status;
mod summary;

pub use action::Action;
pub use b2bua::{B2bua, CallPhase, Timers};
pub use event::{LegEvent, LegId};
pub use service::{Refused, ServiceAction, ServiceCall, SidePurpose};
pub use status::Status;
pub use summary::{CallSummary, Disposition, HangupSide};
