//! The import's writes: a batch of new and merged customers in one
//! transaction, each row behind its own savepoint so that a row the database
//! refuses (an ID card taken meanwhile) is reported while the others land.

use std::collections::HashMap;

use sqlx::Row;
use time::OffsetDateTime;

use crate::audit::{Actor, AuditEvent, AuditKind};
use crate::db::{Arg, Sql, Store};
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

    /// The customers already holding these keys, for the import's duplicate
    /// check: ID card -> customer, and E.164 number -> customer (the lowest
    /// id when several share a number). Regardless of data scope: the
    /// importer decides what to do with a match it may not reach.
    pub async fn customer_ids_by_keys(
        &self,
        id_cards: &[String],
        e164s: &[String],
    ) -> Result<(HashMap<String, i64>, HashMap<String, i64>)> {
        let mut conn = self.pool.acquire().await?;
        let mut by_card = HashMap::new();
        // Bounded IN lists: PostgreSQL takes at most 65,535 parameters.
        for chunk in id_cards.chunks(1000) {
            let mut sql = Sql::new("SELECT id_card, id FROM customers WHERE id_card IN ");
            bind_texts(&mut sql, chunk);
            for row in sql.query().fetch_all(&mut *conn).await? {
                by_card.insert(row.try_get::<String, _>(0)?, row.try_get::<i64, _>(1)?);
            }
        }
        let mut by_phone: HashMap<String, i64> = HashMap::new();
        for chunk in e164s.chunks(1000) {
            let mut sql = Sql::new("SELECT e164, customer_id FROM customer_phones WHERE e164 IN ");
            bind_texts(&mut sql, chunk);
            for row in sql.query().fetch_all(&mut *conn).await? {
                let id: i64 = row.try_get(1)?;
                by_phone
                    .entry(row.try_get::<String, _>(0)?)
                    .and_modify(|held| *held = (*held).min(id))
                    .or_insert(id);
            }
        }
        Ok((by_card, by_phone))
    }
}

fn bind_texts(sql: &mut Sql, values: &[String]) {
    if values.is_empty() {
        sql.push("(NULL)");
        return;
    }
    sql.push("(");
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Arg::Text(value.clone()));
    }
    sql.push(")");
}
