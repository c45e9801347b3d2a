//! The import's writes: a batch of new and merged customers in one
//! transaction; when the database refuses a row (an ID card taken
//! meanwhile), the batch is written again with a savepoint per row, so that
//! row is reported while the others land. Also the batch's duplicate check.

use std::collections::{HashMap, HashSet};

use sqlx::Row;
use time::OffsetDateTime;

use crate::audit::{Actor, AuditEvent, AuditKind};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};

use super::{CustomerInput, check_references, insert_checked, overwrite_checked};

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
    ///
    /// Rows nearly always pass, so the batch is first written in one
    /// transaction without savepoints (two statements a new customer); only
    /// when a row is refused is it rolled back and written again with a
    /// savepoint per row, so the others still land.
    pub async fn apply_customer_import(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        job_id: i64,
        writes: &[CustomerWrite],
    ) -> Result<Vec<Result<i64, StoreError>>> {
        if let Some(outcomes) = self
            .apply_import_batch(now, actor, job_id, writes, false)
            .await?
        {
            return Ok(outcomes);
        }
        let outcomes = self
            .apply_import_batch(now, actor, job_id, writes, true)
            .await?;
        Ok(outcomes.unwrap_or_default())
    }

    /// One try at a batch; `None` when unguarded and a row was refused
    /// (nothing written).
    async fn apply_import_batch(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        job_id: i64,
        writes: &[CustomerWrite],
        guarded: bool,
    ) -> Result<Option<Vec<Result<i64, StoreError>>>> {
        let mut tx = self.begin_write().await?;
        if !guarded && self.is_postgres() {
            let outcomes = bulk_batch(&mut tx, now, actor, writes).await;
            return match outcomes {
                Ok(outcomes) => {
                    audit_batch(&mut tx, now, actor, job_id, &outcomes, writes).await?;
                    tx.commit().await?;
                    Ok(Some(outcomes))
                }
                Err(err) => {
                    tracing::debug!(job_id, error = %err, "import batch refused; writing it row by row");
                    tx.rollback().await?;
                    Ok(None)
                }
            };
        }
        let mut outcomes = Vec::with_capacity(writes.len());
        // Owner and department pairs known to exist in this batch.
        let mut checked: HashSet<(Option<i64>, Option<i64>)> = HashSet::new();
        for write in writes {
            let outcome = if guarded {
                let mut row = sqlx::Acquire::begin(&mut *tx).await?;
                let outcome = write_one(&mut row, now, actor, write, &checked).await;
                if outcome.is_ok() {
                    row.commit().await?;
                } else {
                    row.rollback().await?;
                }
                outcome
            } else {
                let outcome = write_one(&mut tx, now, actor, write, &checked).await;
                if outcome.is_err() {
                    tx.rollback().await?;
                    return Ok(None);
                }
                outcome
            };
            if let Ok(id) = outcome {
                let input = match write {
                    CustomerWrite::Insert(input) | CustomerWrite::Update(_, input) => input,
                };
                checked.insert((input.owner_id, input.department_id));
                outcomes.push(Ok(id));
            } else {
                outcomes.push(outcome);
            }
        }
        audit_batch(&mut tx, now, actor, job_id, &outcomes, writes).await?;
        tx.commit().await?;
        Ok(Some(outcomes))
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

async fn write_one(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    write: &CustomerWrite,
    checked: &HashSet<(Option<i64>, Option<i64>)>,
) -> Result<i64> {
    match write {
        CustomerWrite::Insert(input) => {
            let known = checked.contains(&(input.owner_id, input.department_id));
            insert_checked(conn, now, actor, input, !known).await
        }
        CustomerWrite::Update(id, input) => {
            let known = checked.contains(&(input.owner_id, input.department_id));
            overwrite_checked(conn, now, *id, input, !known)
                .await
                .map(|()| *id)
        }
    }
}

/// The unguarded batch on PostgreSQL: merges row by row, new customers in
/// bulk (their owners and departments checked once per pair).
async fn bulk_batch(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    writes: &[CustomerWrite],
) -> Result<Vec<Result<i64, StoreError>>> {
    let mut outcomes: Vec<Result<i64, StoreError>> = Vec::with_capacity(writes.len());
    let mut new = Vec::new();
    let mut checked = HashSet::new();
    for (at, write) in writes.iter().enumerate() {
        match write {
            CustomerWrite::Update(id, input) => {
                let first = checked.insert((input.owner_id, input.department_id));
                overwrite_checked(conn, now, *id, input, first).await?;
                outcomes.push(Ok(*id));
            }
            CustomerWrite::Insert(input) => {
                if checked.insert((input.owner_id, input.department_id)) {
                    check_references(conn, input).await?;
                }
                new.push((at, input));
                outcomes.push(Ok(0));
            }
        }
    }
    let inputs: Vec<&CustomerInput> = new.iter().map(|(_, input)| *input).collect();
    let ids = super::bulk::insert_customers(conn, now, actor, &inputs).await?;
    for ((at, _), id) in new.iter().zip(ids) {
        outcomes[*at] = Ok(id);
    }
    Ok(outcomes)
}

async fn audit_batch(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    job_id: i64,
    outcomes: &[Result<i64, StoreError>],
    writes: &[CustomerWrite],
) -> Result<()> {
    let (mut inserted, mut updated) = (0, 0);
    for (write, outcome) in writes.iter().zip(outcomes) {
        match (write, outcome.is_ok()) {
            (CustomerWrite::Insert(_), true) => inserted += 1,
            (CustomerWrite::Update(..), true) => updated += 1,
            _ => {}
        }
    }
    let detail = format!("import {job_id}: {inserted} added, {updated} merged");
    crate::audit::insert_event(
        conn,
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
    .await
}
