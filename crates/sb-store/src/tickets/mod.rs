//! Tickets / work orders (MISSION W1-W8): the ticket and its history
//! (`ticket`), list filters and data scope (`search`), SLA policies
//! (`sla_policies`), admin-defined fields (`field_defs`), attachments
//! (`attachments`), the notifications the SLA sweep writes
//! (`notifications`) and the statistics (`stats`).
//!
//! This layer stores what the desk decided: the workflow and the SLA
//! arithmetic live in sb-desk. A step is written only onto the version of
//! the ticket it was decided on (`apply_ticket_step`), which is how two
//! claims at once end with exactly one winner.

mod attachments;
mod field_defs;
mod notifications;
mod search;
mod serial;
mod sla_policies;
mod stats;
mod ticket;

pub use attachments::{NewTicketAttachment, TicketAttachment};
pub use field_defs::{TicketFieldDef, TicketFieldDefInput};
pub use notifications::{NewNotification, Notification, SlaCandidate};
pub use search::{TicketFilter, TicketScope, TicketSort};
pub use serial::{BUSINESS_UTC_OFFSET_HOURS, serial_day};
pub use sla_policies::{TicketSlaPolicy, TicketSlaPolicyInput};
pub use stats::{DepartmentBacklog, TypeCount};
pub use ticket::{
    CustomerOption, NewTicket, REPEAT_WINDOW_SETTING, Ticket, TicketHistoryEntry, TicketSla,
    TicketStep,
};
