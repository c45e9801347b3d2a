//! The first rows of a file checked against the mapping, each problem
//! placed on its cell, so the user fixes the mapping or the file before
//! the import runs.

use serde::Serialize;
use utoipa::ToSchema;

use super::file::Sheet;
use super::mapping::Mapping;
use super::target::{CellProblem, ImportTarget, MappedRow};

/// Rows a preview shows.
pub const PREVIEW_ROWS: usize = 20;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct PreviewRow {
    /// The row number as the spreadsheet shows it.
    pub row: u32,
    pub cells: Vec<String>,
    /// Empty when the row would be imported.
    pub problems: Vec<CellIssue>,
}

/// A problem placed on its cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CellIssue {
    /// The column's index (0 for the first), or `null` for the whole row.
    pub column: Option<usize>,
    /// `手机 (B)`; empty for the whole row.
    pub column_name: String,
    pub message: String,
}

impl CellIssue {
    pub fn of(sheet: &Sheet, problem: CellProblem) -> CellIssue {
        CellIssue {
            column_name: problem
                .column
                .map(|c| sheet.column_name(c))
                .unwrap_or_default(),
            column: problem.column,
            message: problem.message,
        }
    }
}

/// Checks the first `limit` rows of `sheet`.
pub fn preview<T: ImportTarget>(
    sheet: &Sheet,
    mapping: &Mapping,
    target: &T,
    limit: usize,
) -> Vec<PreviewRow> {
    sheet
        .rows
        .iter()
        .take(limit)
        .map(|row| {
            let mapped = MappedRow {
                cells: &row.cells,
                mapping,
            };
            let problems = match target.check(&mapped) {
                Ok(_) => Vec::new(),
                Err(problems) => problems
                    .into_iter()
                    .map(|p| CellIssue::of(sheet, p))
                    .collect(),
            };
            PreviewRow {
                row: row.number,
                cells: row.cells.clone(),
                problems,
            }
        })
        .collect()
}
