//! The contact timeline (MISSION C2): every touch of a customer on one list,
//! newest first. Tickets, callbacks, campaigns and notes write a row into
//! `customer_interactions` when they touch a customer; calls are read from
//! the CDRs by the customer's numbers, in every form the switch may have
//! recorded them.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::codes::{Direction, Disposition, InteractionKind};
use crate::db::{Arg, Sql, Store};
use crate::error::Result;
use crate::millis::{from_millis, to_millis};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Interaction {
    /// The timeline row; absent for calls, which come from the CDRs.
    pub id: Option<i64>,
    pub customer_id: i64,
    pub kind: InteractionKind,
    /// What it points at: a ticket serial, a call id, a callback task.
    pub ref_id: String,
    pub summary: String,
    /// Employee ID of who did it, or the agent's extension for calls.
    pub staff: String,
    #[serde(with = "time::serde::rfc3339")]
    pub occurred_at: OffsetDateTime,
    pub call: Option<TimelineCall>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct TimelineCall {
    pub direction: Direction,
    pub disposition: Disposition,
    pub talk_ms: i64,
    /// The number on the customer's side.
    pub number: String,
    /// The call's recording (its first, when a call was recorded in
    /// parts); listening still needs `recording.read`.
    pub recording_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct NewInteraction {
    pub customer_id: i64,
    pub kind: InteractionKind,
    pub ref_id: String,
    pub summary: String,
    pub staff: String,
    pub occurred_at: OffsetDateTime,
}

/// Every form a CDR may hold a normalised number in: E.164, with `00`
/// instead of `+`, and the national form a Chinese number is dialled in.
pub fn dialled_forms(e164: &str) -> Vec<String> {
    let Some(digits) = e164.strip_prefix('+') else {
        return vec![e164.to_owned()];
    };
    let mut forms = vec![e164.to_owned(), digits.to_owned(), format!("00{digits}")];
    if let Some(national) = digits.strip_prefix("86") {
        if national.starts_with('1') {
            forms.push(national.to_owned());
            // Carriers present a mobile from another area with the trunk 0.
            forms.push(format!("0{national}"));
        } else {
            forms.push(format!("0{national}"));
        }
    }
    forms
}

fn interaction(row: &AnyRow) -> Result<Interaction> {
    Ok(Interaction {
        id: Some(row.try_get("id")?),
        customer_id: row.try_get("customer_id")?,
        kind: InteractionKind::stored(&row.try_get::<String, _>("kind")?)?,
        ref_id: row.try_get("ref_id")?,
        summary: row.try_get("summary")?,
        staff: row.try_get("staff")?,
        occurred_at: from_millis(row.try_get("occurred_at")?)?,
        call: None,
    })
}

impl Store {
    /// Adds a touch to the customer's timeline and moves their last contact.
    pub async fn add_interaction(&self, entry: NewInteraction) -> Result<i64> {
        let mut tx = self.begin_write().await?;
        let id = insert_interaction(&mut tx, &entry).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The customer's timeline, newest first: at most `limit` entries
    /// before `before` (for paging back).
    pub async fn customer_timeline(
        &self,
        customer_id: i64,
        before: Option<OffsetDateTime>,
        limit: u32,
    ) -> Result<Vec<Interaction>> {
        let limit = i64::from(limit.clamp(1, 500));
        let until = before.map_or(i64::MAX, to_millis);
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(
            "SELECT id, customer_id, kind, ref_id, summary, staff, occurred_at \
             FROM customer_interactions WHERE customer_id = $1 AND occurred_at < $2 \
             ORDER BY occurred_at DESC, id DESC LIMIT $3",
        )
        .bind(customer_id)
        .bind(until)
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
        let mut entries = rows.iter().map(interaction).collect::<Result<Vec<_>>>()?;

        let numbers: Vec<String> =
            sqlx::query("SELECT e164 FROM customer_phones WHERE customer_id = $1")
                .bind(customer_id)
                .fetch_all(&mut *conn)
                .await?
                .iter()
                .map(|row| row.try_get::<String, _>(0))
                .collect::<Result<_, _>>()?;
        let forms: Vec<String> = numbers.iter().flat_map(|n| dialled_forms(n)).collect();
        if !forms.is_empty() {
            let mut sql = Sql::new(
                "SELECT call_id, direction, caller, callee, caller_extension, callee_extension, \
                 started_at, talk_ms, disposition FROM cdrs WHERE (caller IN (",
            );
            push_texts(&mut sql, &forms);
            sql.push(") OR callee IN (");
            push_texts(&mut sql, &forms);
            sql.push(")) AND started_at < ")
                .bind(Arg::Int(until))
                .push(" ORDER BY started_at DESC LIMIT ")
                .bind(Arg::Int(limit));
            for row in sql.query().fetch_all(&mut *conn).await? {
                let caller: String = row.try_get("caller")?;
                let callee: String = row.try_get("callee")?;
                let customer_called = forms.contains(&caller);
                let agent: Option<String> = if customer_called {
                    row.try_get("callee_extension")?
                } else {
                    row.try_get("caller_extension")?
                };
                entries.push(Interaction {
                    id: None,
                    customer_id,
                    kind: InteractionKind::Call,
                    ref_id: row.try_get("call_id")?,
                    summary: String::new(),
                    staff: agent.unwrap_or_default(),
                    occurred_at: from_millis(row.try_get("started_at")?)?,
                    call: Some(TimelineCall {
                        direction: Direction::stored(&row.try_get::<String, _>("direction")?)?,
                        disposition: Disposition::stored(
                            &row.try_get::<String, _>("disposition")?,
                        )?,
                        talk_ms: row.try_get("talk_ms")?,
                        number: if customer_called { caller } else { callee },
                        recording_id: None,
                    }),
                });
            }
            link_recordings(&mut conn, &mut entries).await?;
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.occurred_at));
        entries.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
        Ok(entries)
    }
}

/// Puts each call's recording on its timeline entry (C4: the call's
/// recording lands on the timeline), by Call-ID through its index.
async fn link_recordings(
    conn: &mut sqlx::AnyConnection,
    entries: &mut [Interaction],
) -> Result<()> {
    let call_ids: Vec<String> = entries
        .iter()
        .filter(|e| e.call.is_some())
        .map(|e| e.ref_id.clone())
        .collect();
    if call_ids.is_empty() {
        return Ok(());
    }
    let mut sql = Sql::new("SELECT call_id, MIN(id) AS id FROM recordings WHERE call_id IN (");
    push_texts(&mut sql, &call_ids);
    sql.push(") GROUP BY call_id");
    let mut found = std::collections::HashMap::new();
    for row in sql.query().fetch_all(&mut *conn).await? {
        found.insert(
            row.try_get::<String, _>("call_id")?,
            row.try_get::<i64, _>("id")?,
        );
    }
    for entry in entries.iter_mut() {
        if let Some(call) = entry.call.as_mut() {
            call.recording_id = found.get(&entry.ref_id).copied();
        }
    }
    Ok(())
}

fn push_texts(sql: &mut Sql, values: &[String]) {
    for (i, value) in values.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Arg::Text(value.clone()));
    }
}

/// Writes a timeline row within the caller's transaction (tickets,
/// callbacks and campaigns record their touch with their own change).
pub(crate) async fn insert_interaction(
    conn: &mut sqlx::AnyConnection,
    entry: &NewInteraction,
) -> Result<i64> {
    let at = to_millis(entry.occurred_at);
    let id: i64 = sqlx::query(
        "INSERT INTO customer_interactions (customer_id, kind, ref_id, summary, staff, \
         occurred_at) VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(entry.customer_id)
    .bind(entry.kind.code())
    .bind(&entry.ref_id)
    .bind(&entry.summary)
    .bind(&entry.staff)
    .bind(at)
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| {
        if e.as_database_error()
            .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
        {
            crate::error::StoreError::not_found("customer", entry.customer_id)
        } else {
            e.into()
        }
    })?
    .try_get(0)?;
    sqlx::query(
        "UPDATE customers SET last_contact_at = $1 \
         WHERE id = $2 AND (last_contact_at IS NULL OR last_contact_at < $1)",
    )
    .bind(at)
    .bind(entry.customer_id)
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::dialled_forms;

    #[test]
    fn a_mobile_and_a_landline_in_every_recorded_form() {
        assert_eq!(
            dialled_forms("+8613800138000"),
            [
                "+8613800138000",
                "8613800138000",
                "008613800138000",
                "13800138000",
                "013800138000"
            ]
        );
        assert!(dialled_forms("+8657188888888").contains(&"057188888888".to_owned()));
        assert_eq!(dialled_forms("95555"), ["95555"]);
    }
}
