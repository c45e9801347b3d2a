//! Spreadsheets in (MISSION C6): a file read into text cells (`file`), its
//! columns mapped to a target's fields with a suggestion from the headers
//! (`mapping`), the first rows checked cell by cell (`preview`), and the
//! job that writes the rows in batches with progress and a row report
//! (`runner`, `report`). Reading, mapping and preview are pure; only the
//! runner and the target's write touch the store. A target
//! ([`ImportTarget`]) is what the rows become: customers here.

mod callbacks;
mod customers;
mod file;
mod mapping;
mod preview;
mod report;
mod runner;
mod target;

pub use callbacks::{CallbackRow, CallbackTarget, callback_fields, parse_due};
pub use customers::{CustomerRow, CustomerTarget, DuplicatePolicy, customer_fields};
pub use file::{
    FileKind, MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS, Sheet, SheetRow, TextEncoding, column_letter,
    decode, kind_of, read_sheet,
};
pub use mapping::{Mapping, check_mapping, missing_required, suggest_mapping};
pub use preview::{CellIssue, PREVIEW_ROWS, PreviewRow, preview};
pub use report::{REPORT_HEADERS, ReportLine, report_csv, report_table};
pub use runner::{BATCH_ROWS, run_import};
pub use target::{CellProblem, ImportTarget, MappedRow, RowOutcome, TargetField};
