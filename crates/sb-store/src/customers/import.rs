//! The import's writes: a batch of new and merged customers in one
//! transaction, each row behind its own savepoint so that a row the database
//! refuses (an ID card taken meanwhile) is reported while the others land.

use time::OffsetDateTime;

use crate::audit::{Actor, AuditEvent, AuditKind};
use crate::db::Store;
use crate::error::{Result, StoreError};

use super::{CustomerInput, insert, overwrite};

/// One row's write.
#[derive(Debug, Clone)]
pub enum CustomerWrite {
    Insert(CustomerInput),
    /// Replaces customer `id` with the merged record.
    Update(i64, CustomerInput),
}

impl Store {
    /// Applies `writes` in order; the outcome of each is the customer's id
    /// or why the row was refused. One audit entry records the batch.
    pub async fn apply_customer_import(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        job_id: i64,
        writes: &[CustomerWrite],
    ) -> Result<Vec<Result<i64, StoreError>>> {
        let mut tx = self.begin_write().await?;
        let mut outcomes = Vec::with_capacity(writes.len());
        let (mut inserted, mut updated) = (0, 0);
        for write in writes {
            let mut row = sqlx::Acquire::begin(&mut *tx).await?;
            let outcome = match write {
                CustomerWrite::Insert(input) => insert(&mut row, now, actor, input).await,
                CustomerWrite::Update(id, input) => {
                    overwrite(&mut row, now, *id, input).await.map(|()| *id)
                }
            };
            match outcome {
                Ok(id) => {
                    row.commit().await?;
                    match write {
                        CustomerWrite::Insert(_) => inserted += 1,
                        CustomerWrite::Update(..) => updated += 1,
                    }
                    outcomes.push(Ok(id));
                }
                Err(err) => {
                    row.rollback().await?;
                    outcomes.push(Err(err));
                }
            }
        }
        let detail = format!("import {job_id}: {inserted} added, {updated} merged");
        crate::audit::insert_event(
            &mut tx,
            now,
            actor,
            AuditEvent {
                kind: AuditKind::Change,
                outcome: "ok",
                action: "customer.import",
                entity: "import_job",
                entity_id: &job_id.to_string(),
                detail: &detail,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(outcomes)
    }
}
