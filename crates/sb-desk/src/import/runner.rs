//! The import job: the sheet's rows checked and written in batches, the
//! counts written after each batch (the console's progress bar), a stop
//! between batches once someone cancels, and at the end the row report of
//! every refused row while the good rows stay written.

use time::OffsetDateTime;

use sb_store::{ImportJob, ImportProgress, ImportStatus, Store};

use super::file::Sheet;
use super::mapping::Mapping;
use super::report::{ReportLine, report_csv};
use super::target::{CellProblem, ImportTarget, MappedRow, RowOutcome};
use crate::error::Result;

/// Rows checked and written per transaction.
pub const BATCH_ROWS: usize = 500;

/// Runs job `job_id` (already marked running) over `sheet` to the end, a
/// cancellation or a database failure; the job row records which. `now`
/// is the clock.
pub async fn run_import<T: ImportTarget>(
    store: &Store,
    now: &(dyn Fn() -> OffsetDateTime + Sync),
    job_id: i64,
    sheet: &Sheet,
    mapping: &Mapping,
    target: &T,
) -> Result<ImportJob> {
    let mut progress = ImportProgress::default();
    let mut report = Vec::new();
    let outcome = run_batches(
        store,
        now,
        job_id,
        sheet,
        mapping,
        target,
        &mut progress,
        &mut report,
    )
    .await;
    let (status, message) = match &outcome {
        Ok(()) => (
            ImportStatus::Done,
            format!(
                "{} added, {} merged, {} skipped, {} refused",
                progress.inserted, progress.merged, progress.skipped, progress.failed
            ),
        ),
        Err(err) => {
            tracing::warn!(job_id, error = %err, "import job failed");
            (
                ImportStatus::Failed,
                format!(
                    "the import stopped after {} rows: {err}; rows written before stay",
                    progress.processed_rows
                ),
            )
        }
    };
    let report = report_csv(&report)?;
    let job = store
        .finish_import_job(now(), job_id, status, progress, &message, &report)
        .await?;
    tracing::info!(
        job_id,
        status = %job.status,
        inserted = progress.inserted,
        merged = progress.merged,
        skipped = progress.skipped,
        failed = progress.failed,
        "import job finished"
    );
    Ok(job)
}

#[allow(clippy::too_many_arguments)]
async fn run_batches<T: ImportTarget>(
    store: &Store,
    now: &(dyn Fn() -> OffsetDateTime + Sync),
    job_id: i64,
    sheet: &Sheet,
    mapping: &Mapping,
    target: &T,
    progress: &mut ImportProgress,
    report: &mut Vec<ReportLine>,
) -> Result<()> {
    for batch in sheet.rows.chunks(BATCH_ROWS) {
        let mut records = Vec::with_capacity(batch.len());
        // Per row: Ok(index into records) or the problems found.
        let mut checked = Vec::with_capacity(batch.len());
        for row in batch {
            let mapped = MappedRow {
                cells: &row.cells,
                mapping,
            };
            checked.push(target.check(&mapped).map(|record| {
                records.push(record);
                records.len() - 1
            }));
        }
        let mut written = target
            .write(store, now(), job_id, records)
            .await?
            .into_iter();
        for (row, check) in batch.iter().zip(checked) {
            let outcome = match check {
                Ok(_) => written.next().unwrap_or(RowOutcome::Failed(Vec::new())),
                Err(problems) => RowOutcome::Failed(problems),
            };
            progress.processed_rows += 1;
            match outcome {
                RowOutcome::Inserted => progress.inserted += 1,
                RowOutcome::Merged => progress.merged += 1,
                RowOutcome::Skipped => progress.skipped += 1,
                RowOutcome::Failed(problems) => {
                    progress.failed += 1;
                    report.extend(report_lines(sheet, row.number, &row.cells, problems));
                }
            }
        }
        if !store.import_job_progress(job_id, *progress).await? {
            tracing::info!(
                job_id,
                rows = progress.processed_rows,
                "import job cancelled"
            );
            return Ok(());
        }
    }
    Ok(())
}

fn report_lines(
    sheet: &Sheet,
    row: u32,
    cells: &[String],
    problems: Vec<CellProblem>,
) -> Vec<ReportLine> {
    if problems.is_empty() {
        return vec![ReportLine {
            row,
            column: String::new(),
            value: String::new(),
            message: "the row was refused".into(),
        }];
    }
    problems
        .into_iter()
        .map(|p| ReportLine {
            row,
            column: p.column.map(|c| sheet.column_name(c)).unwrap_or_default(),
            value: p
                .column
                .and_then(|c| cells.get(c))
                .cloned()
                .unwrap_or_default(),
            message: p.message,
        })
        .collect()
}
