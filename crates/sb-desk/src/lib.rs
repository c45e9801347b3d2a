//! The business desk (MISSION C, W, K, O, P): customers, tickets, knowledge
//! base, callbacks, campaigns and reports, on top of sb-store.
//!
//! Layout: `tickets` — the workflow as a pure function
//! (`tickets::workflow::decide`: ticket, actor, command -> transition or
//! [`IllegalTransition`]), the SLA clock in business hours (`tickets::sla`,
//! pure, `now` passed in), and `tickets::service`, which reads the ticket,
//! decides, and writes the step onto the version it decided on (retrying
//! on a lost race), and sweeps SLA deadlines into notifications. `error`
//! holds the crate's one error type.

mod error;
pub mod tickets;

pub use error::{DeskError, IllegalTransition};
