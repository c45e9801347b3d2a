//! The caller blacklist (MISSION A7): numbers, or number prefixes ending in
//! `*`, whose calls are refused before they reach a flow or a queue, until
//! an optional expiry. An exact entry beats a prefix, and a longer prefix
//! beats a shorter one.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, escape_like, record_change};
use crate::codes::BlacklistAction;
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};
use crate::snapshot;

/// The mark that makes an entry a prefix.
const PREFIX_MARK: char = '*';

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct BlacklistEntry {
    pub id: i64,
    /// Exact digits, or a prefix ending in `*`.
    pub number: String,
    pub action: BlacklistAction,
    /// For `prompt`: what the caller hears.
    pub prompt_name: String,
    pub reason: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub expires_at: Option<OffsetDateTime>,
    /// Employee ID of who added it.
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// An entry as an admin sets it; the number's digits are checked by the caller.
#[derive(Debug, Clone)]
pub struct BlacklistInput {
    pub number: String,
    pub action: BlacklistAction,
    pub prompt_name: String,
    pub reason: String,
    pub expires_at: Option<OffsetDateTime>,
}

/// Search filters; they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct BlacklistFilter {
    /// The start of the entry's number.
    pub number: Option<String>,
    /// Only entries still in force at this time.
    pub active_at: Option<OffsetDateTime>,
}

const SELECT: &str = "SELECT id, number, action, prompt_name, reason, expires_at, created_by, \
     created_at, updated_at FROM caller_blacklist";

fn from_row(row: &AnyRow) -> Result<BlacklistEntry> {
    Ok(BlacklistEntry {
        id: row.try_get("id")?,
        number: row.try_get("number")?,
        action: BlacklistAction::stored(&row.try_get::<String, _>("action")?)?,
        prompt_name: row.try_get("prompt_name")?,
        reason: row.try_get("reason")?,
        expires_at: from_millis_opt(row.try_get("expires_at")?)?,
        created_by: row.try_get("created_by")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<BlacklistEntry> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("blacklist entry", id))?;
    from_row(&row)
}

/// The lookup relies on `*` only ever ending a number, and a prompt entry
/// needs something to play.
fn check(input: &BlacklistInput) -> Result<()> {
    let body = input
        .number
        .strip_suffix(PREFIX_MARK)
        .unwrap_or(&input.number);
    if body.contains(PREFIX_MARK) || input.number.is_empty() {
        return Err(StoreError::invalid(
            "number",
            format!(
                "expected digits, optionally ending in `*`, got `{}`",
                input.number
            ),
        ));
    }
    if input.action == BlacklistAction::Prompt && input.prompt_name.trim().is_empty() {
        return Err(StoreError::invalid(
            "prompt_name",
            "a prompt entry needs the prompt to play",
        ));
    }
    Ok(())
}

/// The entries that could match `number`, best first: the number itself,
/// then its prefixes marked with `*` from the longest to the empty one.
fn candidates(number: &str) -> Vec<String> {
    let mut list = vec![number.to_owned()];
    let mut ends: Vec<usize> = number.char_indices().map(|(i, _)| i).collect();
    ends.push(number.len());
    for end in ends.into_iter().rev() {
        list.push(format!("{}{PREFIX_MARK}", &number[..end]));
    }
    list
}

impl Store {
    pub async fn blacklist_entry(&self, id: i64) -> Result<BlacklistEntry> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// Entries matching `filter`, newest first.
    pub async fn search_blacklist(
        &self,
        filter: &BlacklistFilter,
        page: PageRequest,
    ) -> Result<Page<BlacklistEntry>> {
        let mut cond = Sql::new(" WHERE 1 = 1");
        if let Some(number) = filter
            .number
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty())
        {
            cond.push(" AND number LIKE ")
                .bind(Arg::Text(format!("{}%", escape_like(number))))
                .push(" ESCAPE '\\'");
        }
        if let Some(at) = filter.active_at {
            cond.push(" AND (expires_at IS NULL OR expires_at > ")
                .bind(Arg::Int(to_millis(at)))
                .push(")");
        }
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            "SELECT COUNT(*) FROM caller_blacklist",
            &cond,
            "created_at DESC, id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    /// The entry that refuses a call from `number` at `now_ms`: an exact
    /// entry, else the longest prefix; expired entries do not count.
    pub async fn blocked_caller(
        &self,
        number: &str,
        now_ms: i64,
    ) -> Result<Option<BlacklistEntry>> {
        let candidates = candidates(number);
        let mut sql = Sql::new(&format!("{SELECT} WHERE number IN ("));
        for (i, candidate) in candidates.iter().enumerate() {
            if i > 0 {
                sql.push(", ");
            }
            sql.bind(Arg::Text(candidate.clone()));
        }
        sql.push(") AND (expires_at IS NULL OR expires_at > ")
            .bind(Arg::Int(now_ms))
            .push(")");
        let rows = sql.query().fetch_all(&self.pool).await?;
        let mut entries = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        entries.sort_by_key(|entry| candidates.iter().position(|c| *c == entry.number));
        Ok(entries.into_iter().next())
    }

    pub async fn create_blacklist_entry(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: BlacklistInput,
    ) -> Result<BlacklistEntry> {
        check(&input)?;
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO caller_blacklist (number, action, prompt_name, reason, expires_at, \
             created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING id",
        )
        .bind(&input.number)
        .bind(input.action.code())
        .bind(&input.prompt_name)
        .bind(&input.reason)
        .bind(input.expires_at.map(to_millis))
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("number", "number", input.number.as_str())]))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "blacklist.create",
            entity: "blacklist",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_blacklist_entry(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: BlacklistInput,
    ) -> Result<BlacklistEntry> {
        check(&input)?;
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE caller_blacklist SET number = $1, action = $2, prompt_name = $3, reason = $4, \
             expires_at = $5, updated_at = $6 WHERE id = $7",
        )
        .bind(&input.number)
        .bind(input.action.code())
        .bind(&input.prompt_name)
        .bind(&input.reason)
        .bind(input.expires_at.map(to_millis))
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("number", "number", input.number.as_str())]))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "blacklist.update",
            entity: "blacklist",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_blacklist_entry(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM caller_blacklist WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "blacklist.delete",
            entity: "blacklist",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_run_from_exact_to_the_empty_prefix() {
        assert_eq!(candidates("139"), ["139", "139*", "13*", "1*", "*"]);
        assert_eq!(candidates(""), ["", "*"]);
    }

    #[test]
    fn a_star_may_only_end_the_number() {
        let input = |number: &str| BlacklistInput {
            number: number.into(),
            action: BlacklistAction::Busy,
            prompt_name: String::new(),
            reason: String::new(),
            expires_at: None,
        };
        assert!(check(&input("1390000")).is_ok());
        assert!(check(&input("139*")).is_ok());
        assert!(check(&input("*")).is_ok());
        assert!(check(&input("1*9")).is_err());
        assert!(check(&input("13**")).is_err());
        assert!(check(&input("")).is_err());
    }
}
