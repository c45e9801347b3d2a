//! The B2BUA call state machine (MISSION T3, G4-G7, S2-S5): legs, answer,
//! hold, transfer, conference, monitor.
//!
//! A sans-IO core driven as `handle_*(now, input)` / `poll_output()` /
//! `poll_timeout()` on a virtual clock; depends only on sb-core. Arrives with
//! the SIP switch issue.
