//! The business desk (MISSION C, W, K, O, P): the rules of the service desk
//! on top of sb-store, without HTTP.
//!
//! Layout: `customers` (profile checking, ID cards, the dictionary
//! vocabulary, phone lookup for screen pop), `import` (spreadsheets in:
//! .xlsx/.xls/.ods and CSV in UTF-8 or GBK, column mapping, preview, a job
//! with progress and a row report), `export` (lists out to .xlsx).

pub mod customers;
pub mod error;

pub use error::{DeskError, Result};
