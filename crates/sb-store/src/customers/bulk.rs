//! New customers of an import batch on PostgreSQL in a handful of
//! statements instead of two a row: the ids are drawn from the identity's
//! sequence at once, then customers, numbers, e-mails and addresses go in as
//! multi-row INSERTs. A round trip costs far more there than on SQLite, where
//! the row-by-row path is as fast. Any refusal fails the whole call; the
//! caller then writes the batch again row by row to name the row.

use std::collections::HashSet;

use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;

use crate::audit::Actor;
use crate::error::Result;
use crate::millis::to_millis;

use super::{CustomerInput, custom_text, date_text};

/// A bound value of a multi-row insert.
enum Value {
    Int(i64),
    OptInt(Option<i64>),
    Text(String),
    OptText(Option<String>),
}

/// Rows per statement: PostgreSQL takes at most 65,535 parameters.
const ROWS_PER_STATEMENT: usize = 1000;

async fn insert_rows(
    conn: &mut AnyConnection,
    table: &str,
    columns: &[&str],
    rows: Vec<Vec<Value>>,
) -> Result<()> {
    for chunk in rows.chunks(ROWS_PER_STATEMENT) {
        let mut text = format!("INSERT INTO {table} ({}) VALUES ", columns.join(", "));
        let mut n = 0;
        for (i, row) in chunk.iter().enumerate() {
            text.push_str(if i == 0 { "(" } else { ", (" });
            for j in 0..row.len() {
                n += 1;
                if j > 0 {
                    text.push_str(", ");
                }
                text.push('$');
                text.push_str(&n.to_string());
            }
            text.push(')');
        }
        let mut query = sqlx::query(&text);
        for value in chunk.iter().flatten() {
            query = match value {
                Value::Int(v) => query.bind(*v),
                Value::OptInt(v) => query.bind(*v),
                Value::Text(v) => query.bind(v.as_str()),
                Value::OptText(v) => query.bind(v.as_deref()),
            };
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

fn order(i: usize) -> Value {
    Value::Int(i64::try_from(i).unwrap_or(i64::MAX))
}

/// Inserts `inputs` (owners and departments already checked); their new ids
/// in the same order.
pub(crate) async fn insert_customers(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    inputs: &[&CustomerInput],
) -> Result<Vec<i64>> {
    if inputs.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<i64> = sqlx::query(
        "SELECT nextval(pg_get_serial_sequence('customers', 'id')) FROM generate_series(1, $1)",
    )
    .bind(i64::try_from(inputs.len()).unwrap_or(i64::MAX))
    .fetch_all(&mut *conn)
    .await?
    .iter()
    .map(|row| row.try_get::<i64, _>(0))
    .collect::<Result<_, _>>()?;
    let at = to_millis(now);
    let customers = ids
        .iter()
        .zip(inputs)
        .map(|(id, c)| {
            vec![
                Value::Int(*id),
                Value::Text(c.name.clone()),
                Value::Text(c.gender.code().to_owned()),
                Value::OptText(date_text(c.birth_date)),
                Value::Text(c.occupation.clone()),
                Value::Text(c.education.clone()),
                Value::Text(c.marital_status.clone()),
                Value::OptText(c.id_card.clone()),
                Value::Text(c.province.clone()),
                Value::Text(c.city.clone()),
                Value::Text(c.lifecycle.code().to_owned()),
                Value::Text(c.level.clone()),
                Value::Text(c.source.clone()),
                Value::Text(c.notes.clone()),
                Value::Text(custom_text(c)),
                Value::OptInt(c.owner_id),
                Value::OptInt(c.department_id),
                Value::Text(actor.employee_id.clone()),
                Value::Int(at),
                Value::Int(at),
            ]
        })
        .collect();
    insert_rows(
        conn,
        "customers",
        &[
            "id",
            "name",
            "gender",
            "birth_date",
            "occupation",
            "education",
            "marital_status",
            "id_card",
            "province",
            "city",
            "lifecycle",
            "level",
            "source",
            "notes",
            "custom_fields",
            "owner_id",
            "department_id",
            "created_by",
            "created_at",
            "updated_at",
        ],
        customers,
    )
    .await?;

    let (mut phones, mut emails, mut addresses) = (Vec::new(), Vec::new(), Vec::new());
    for (id, c) in ids.iter().zip(inputs) {
        let mut seen = HashSet::new();
        for (i, p) in c.phones.iter().enumerate() {
            if seen.insert(p.e164.as_str()) {
                phones.push(vec![
                    Value::Int(*id),
                    Value::Text(p.number.clone()),
                    Value::Text(p.e164.clone()),
                    Value::Text(p.label.code().to_owned()),
                    order(i),
                ]);
            }
        }
        let mut seen = HashSet::new();
        for (i, e) in c.emails.iter().enumerate() {
            if seen.insert(e.email.as_str()) {
                emails.push(vec![
                    Value::Int(*id),
                    Value::Text(e.email.clone()),
                    Value::Text(e.label.clone()),
                    order(i),
                ]);
            }
        }
        for (i, a) in c.addresses.iter().enumerate() {
            addresses.push(vec![
                Value::Int(*id),
                Value::Text(a.label.code().to_owned()),
                Value::Text(a.province.clone()),
                Value::Text(a.city.clone()),
                Value::Text(a.detail.clone()),
                Value::Text(a.postcode.clone()),
                order(i),
            ]);
        }
    }
    insert_rows(
        conn,
        "customer_phones",
        &["customer_id", "number", "e164", "label", "sort_order"],
        phones,
    )
    .await?;
    insert_rows(
        conn,
        "customer_emails",
        &["customer_id", "email", "label", "sort_order"],
        emails,
    )
    .await?;
    insert_rows(
        conn,
        "customer_addresses",
        &[
            "customer_id",
            "label",
            "province",
            "city",
            "detail",
            "postcode",
            "sort_order",
        ],
        addresses,
    )
    .await?;
    Ok(ids)
}
