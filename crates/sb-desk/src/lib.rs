//! The business desk (MISSION C, W, K, O, P): the rules of the service desk
//! on top of sb-store, without HTTP.
//!
//! Layout: `customers` (profile checking, ID cards, the dictionary
//! vocabulary, phone lookup for screen pop), `import` (spreadsheets in:
//! .xlsx/.xls/.ods and CSV in UTF-8 or GBK, column mapping, preview, a job
//! with progress and a row report), `export` (lists out to .xlsx);
//! `tickets`: the workflow as a pure function (`tickets::workflow::decide`:
//! ticket, actor, command -> transition or [`IllegalTransition`]), the SLA
//! clock in business hours (`tickets::sla`, pure, `now` passed in), and
//! `tickets::service`, which reads the ticket, decides, writes the step onto
//! the version it decided on (retrying on a lost race), and sweeps SLA
//! deadlines into notifications.
//! `callbacks`: callback lists' pacing as a pure function
//! (`callbacks::pacing::decide_attempt`: task, attempt result, now -> the
//! task's state and next due time) and the service recording attempts;
//! `campaigns`: a campaign's stages, result checks and rates (pure,
//! `campaigns::rules`) and the service over the store.

pub mod callbacks;
pub mod campaigns;
pub mod customers;
pub mod error;
pub mod export;
pub mod import;
pub mod tickets;

pub use error::{DeskError, IllegalTransition, Result};
