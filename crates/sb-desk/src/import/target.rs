//! What an import writes into: a target names its fields (for the mapping
//! and its suggestions), checks one mapped row into a record, and writes a
//! batch of records. Customers are the first target; callback task lists
//! are another. The engine (mapping, preview, the job runner) only knows
//! this trait.

use std::future::Future;

use serde::Serialize;
use time::OffsetDateTime;
use utoipa::ToSchema;

use sb_store::Store;

use crate::error::Result;

/// A field a column can be mapped to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TargetField {
    /// What the mapping names (`name`, `phone`, `custom.member_no`).
    pub key: String,
    /// Chinese and English, as the console shows it (`姓名 Name`).
    pub label: String,
    /// A row without it is refused.
    pub required: bool,
    /// Several columns may map to it (phone numbers, e-mails).
    pub repeatable: bool,
    /// Other header names that mean this field, for the suggestion.
    #[serde(skip)]
    pub aliases: Vec<String>,
}

impl TargetField {
    pub fn new(key: &str, label: &str, aliases: &[&str]) -> TargetField {
        TargetField {
            key: key.to_owned(),
            label: label.to_owned(),
            required: false,
            repeatable: false,
            aliases: aliases.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    pub fn required(mut self) -> TargetField {
        self.required = true;
        self
    }

    pub fn repeatable(mut self) -> TargetField {
        self.repeatable = true;
        self
    }
}

/// One row's cells seen through the mapping.
#[derive(Debug, Clone, Copy)]
pub struct MappedRow<'a> {
    pub cells: &'a [String],
    pub mapping: &'a [Option<String>],
}

impl<'a> MappedRow<'a> {
    /// Non-empty cells of the columns mapped to `key`, with their column.
    pub fn values<'k>(&self, key: &'k str) -> impl Iterator<Item = (usize, &'a str)> + use<'a, 'k> {
        let cells = self.cells;
        let mapping = self.mapping;
        mapping
            .iter()
            .enumerate()
            .filter(move |(_, field)| field.as_deref() == Some(key))
            .filter_map(move |(column, _)| {
                cells
                    .get(column)
                    .map(|c| c.trim())
                    .filter(|c| !c.is_empty())
                    .map(|c| (column, c))
            })
    }

    /// The first non-empty cell mapped to `key`.
    pub fn value(&self, key: &str) -> Option<(usize, &'a str)> {
        self.values(key).next()
    }
}

/// A problem with one cell (`column`), or with the row as a whole.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellProblem {
    pub column: Option<usize>,
    pub message: String,
}

/// What became of one row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RowOutcome {
    Inserted,
    /// Merged into an existing record with the same key.
    Merged,
    /// Left out: an existing record has the same key.
    Skipped,
    Failed(Vec<CellProblem>),
}

pub trait ImportTarget: Sync {
    /// A checked row, ready to write.
    type Record: Send + Sync;

    /// The store's name for what the rows become (`customers`).
    fn code(&self) -> &'static str;

    fn fields(&self) -> &[TargetField];

    /// Checks one row: the record, or every problem found, by column.
    fn check(&self, row: &MappedRow<'_>) -> Result<Self::Record, Vec<CellProblem>>;

    /// Writes `records` (in file order); one outcome per record.
    fn write(
        &self,
        store: &Store,
        now: OffsetDateTime,
        job_id: i64,
        records: Vec<Self::Record>,
    ) -> impl Future<Output = Result<Vec<RowOutcome>>> + Send;
}
