//! The `switchboard` binary's library: command-line parsing, configuration,
//! and the wiring of store, API and (later) SIP into one server.
//!
//! `main.rs` only parses the command line and calls [`cli::run`];
//! [`server::run`] takes a resolved [`config::Config`] and a shutdown future
//! so tests can start and stop a real server in-process.

mod agent_pin_check;
pub mod cli;
pub mod config;
mod directory;
mod directory_acd;
mod recording_storage;
pub mod server;
mod sip;
mod switch_bridge;
mod ticket_sla;
mod users;
