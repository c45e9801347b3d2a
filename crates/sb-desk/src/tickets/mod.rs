//! Tickets (MISSION W1-W8): the workflow state machine, the SLA clock, and
//! the service that applies both to the store.

pub mod demo;
pub mod service;
pub mod sla;
pub mod workflow;

pub use service::{OpenTicket, StepRequest, SweepReport, TicketDesk};
pub use workflow::{ClockEffect, Command, DeskActor, Transition, available_commands, decide};
