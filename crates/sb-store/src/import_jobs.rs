//! Spreadsheet import jobs (MISSION C6): a job row that the importer moves
//! through pending -> running -> done / failed / cancelled with its counts,
//! so the console shows progress, and the refused rows' report (row, column,
//! message as CSV) kept with the job for download.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::Actor;
use crate::codes::ImportStatus;
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct ImportJob {
    pub id: i64,
    /// What the rows become (`customers`).
    pub target: String,
    pub file_name: String,
    pub status: ImportStatus,
    /// The column mapping and options the job runs with.
    #[schema(value_type = Object)]
    pub settings: serde_json::Value,
    pub total_rows: i64,
    pub processed_rows: i64,
    pub inserted: i64,
    pub merged: i64,
    pub skipped: i64,
    pub failed: i64,
    /// Why the job failed or was stopped; empty otherwise.
    pub message: String,
    pub has_error_report: bool,
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub finished_at: Option<OffsetDateTime>,
}

/// Counts so far, written after each batch.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportProgress {
    pub processed_rows: i64,
    pub inserted: i64,
    pub merged: i64,
    pub skipped: i64,
    pub failed: i64,
}

const SELECT: &str = "SELECT id, target, file_name, status, settings, total_rows, processed_rows, \
     inserted, merged, skipped, failed, message, \
     CASE WHEN error_report = '' THEN 0 ELSE 1 END AS has_report, created_by, created_at, \
     finished_at FROM import_jobs";

fn from_row(row: &AnyRow) -> Result<ImportJob> {
    let settings: String = row.try_get("settings")?;
    Ok(ImportJob {
        id: row.try_get("id")?,
        target: row.try_get("target")?,
        file_name: row.try_get("file_name")?,
        status: ImportStatus::stored(&row.try_get::<String, _>("status")?)?,
        settings: serde_json::from_str(&settings)
            .map_err(|e| StoreError::Corrupt(format!("import settings: {e}")))?,
        total_rows: row.try_get("total_rows")?,
        processed_rows: row.try_get("processed_rows")?,
        inserted: row.try_get("inserted")?,
        merged: row.try_get("merged")?,
        skipped: row.try_get("skipped")?,
        failed: row.try_get("failed")?,
        message: row.try_get("message")?,
        has_error_report: row.try_get::<i64, _>("has_report")? != 0,
        created_by: row.try_get("created_by")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        finished_at: from_millis_opt(row.try_get("finished_at")?)?,
    })
}

impl Store {
    pub async fn create_import_job(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        target: &str,
        file_name: &str,
        settings: &serde_json::Value,
        total_rows: i64,
    ) -> Result<ImportJob> {
        let id: i64 = sqlx::query(
            "INSERT INTO import_jobs (target, file_name, status, settings, total_rows, \
             created_by, created_at) VALUES ($1, $2, 'pending', $3, $4, $5, $6) RETURNING id",
        )
        .bind(target)
        .bind(file_name)
        .bind(settings.to_string())
        .bind(total_rows)
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&self.pool)
        .await?
        .try_get(0)?;
        self.import_job(id).await
    }

    pub async fn import_job(&self, id: i64) -> Result<ImportJob> {
        let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("import job", id))?;
        from_row(&row)
    }

    /// Jobs of `target`, newest first; `created_by` narrows to one person's.
    pub async fn import_jobs(
        &self,
        target: &str,
        created_by: Option<&str>,
        page: PageRequest,
    ) -> Result<Page<ImportJob>> {
        let mut cond = crate::db::Sql::new(" WHERE target = ");
        cond.bind(crate::db::Arg::Text(target.to_owned()));
        if let Some(who) = created_by {
            cond.push(" AND created_by = ")
                .bind(crate::db::Arg::Text(who.to_owned()));
        }
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM import_jobs",
            &cond,
            "created_at DESC, id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    /// Records progress; answers whether the job should go on (false once
    /// someone cancelled it).
    pub async fn import_job_progress(&self, id: i64, progress: ImportProgress) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE import_jobs SET status = 'running', processed_rows = $1, inserted = $2, \
             merged = $3, skipped = $4, failed = $5 \
             WHERE id = $6 AND status IN ('pending', 'running')",
        )
        .bind(progress.processed_rows)
        .bind(progress.inserted)
        .bind(progress.merged)
        .bind(progress.skipped)
        .bind(progress.failed)
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Ends the job with its final counts, status and row report.
    pub async fn finish_import_job(
        &self,
        now: OffsetDateTime,
        id: i64,
        status: ImportStatus,
        progress: ImportProgress,
        message: &str,
        error_report: &str,
    ) -> Result<ImportJob> {
        sqlx::query(
            "UPDATE import_jobs SET status = CASE WHEN status = 'cancelled' THEN status ELSE $1 END, \
             processed_rows = $2, inserted = $3, merged = $4, skipped = $5, failed = $6, \
             message = CASE WHEN status = 'cancelled' THEN message ELSE $7 END, \
             error_report = $8, finished_at = $9 WHERE id = $10",
        )
        .bind(status.code())
        .bind(progress.processed_rows)
        .bind(progress.inserted)
        .bind(progress.merged)
        .bind(progress.skipped)
        .bind(progress.failed)
        .bind(message)
        .bind(error_report)
        .bind(to_millis(now))
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.import_job(id).await
    }

    /// Asks a pending or running job to stop after its current batch; rows
    /// already written stay.
    pub async fn cancel_import_job(&self, id: i64, message: &str) -> Result<ImportJob> {
        let job = self.import_job(id).await?;
        if !matches!(job.status, ImportStatus::Pending | ImportStatus::Running) {
            return Err(StoreError::Conflict {
                code: "import_finished",
                message: format!("cancel: import {id} is already {}", job.status),
            });
        }
        sqlx::query(
            "UPDATE import_jobs SET status = 'cancelled', message = $1 \
             WHERE id = $2 AND status IN ('pending', 'running')",
        )
        .bind(message)
        .bind(id)
        .execute(&self.pool)
        .await?;
        self.import_job(id).await
    }

    /// Jobs left pending or running by a server that stopped: failed, so
    /// nobody waits on them forever. Called at start.
    pub async fn fail_interrupted_import_jobs(&self, now: OffsetDateTime) -> Result<u64> {
        let done = sqlx::query(
            "UPDATE import_jobs SET status = 'failed', \
             message = 'the server stopped while the import ran; rows written before stay', \
             finished_at = $1 WHERE status IN ('pending', 'running')",
        )
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected())
    }

    /// The refused rows as CSV (`row,column,message`), empty when none.
    pub async fn import_error_report(&self, id: i64) -> Result<String> {
        let row = sqlx::query("SELECT error_report FROM import_jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(&self.pool)
            .await?
            .ok_or_else(|| StoreError::not_found("import job", id))?;
        Ok(row.try_get(0)?)
    }

    /// Replaces the mapping and options of a job not yet started; 409
    /// naming the state otherwise.
    pub async fn set_import_job_settings(
        &self,
        id: i64,
        settings: &serde_json::Value,
    ) -> Result<ImportJob> {
        let done = sqlx::query(
            "UPDATE import_jobs SET settings = $1 WHERE id = $2 AND status = 'pending' \
             AND processed_rows = 0",
        )
        .bind(settings.to_string())
        .bind(id)
        .execute(&self.pool)
        .await?;
        let job = self.import_job(id).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                code: "import_started",
                message: format!("change settings: import {id} is already {}", job.status),
            });
        }
        Ok(job)
    }

    /// Moves a pending job to running, once; 409 naming the state when it
    /// was started, finished or cancelled already.
    pub async fn start_import_job(&self, id: i64, total_rows: i64) -> Result<ImportJob> {
        let done = sqlx::query(
            "UPDATE import_jobs SET status = 'running', total_rows = $1 \
             WHERE id = $2 AND status = 'pending'",
        )
        .bind(total_rows)
        .bind(id)
        .execute(&self.pool)
        .await?;
        let job = self.import_job(id).await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::Conflict {
                code: "import_started",
                message: format!("start: import {id} is already {}", job.status),
            });
        }
        Ok(job)
    }
}
