//! Voicemail (MISSION I7): messages callers leave in a queue's or an agent's
//! box, written by the switch with the audio under the recordings folder,
//! listed in the console and marked handled (audited) once dealt with.

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, escape_like, record_change};
use crate::codes::MailboxKind;
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};
use crate::recordings::check_relative_file;
use crate::snapshot;

/// A message as the switch reports it once its file is closed.
#[derive(Debug, Clone)]
pub struct NewVoicemail {
    pub mailbox_kind: MailboxKind,
    /// A queue name or an agent's employee ID.
    pub mailbox: String,
    pub call_id: String,
    pub caller: String,
    /// Relative to the recordings root.
    pub file: String,
    pub duration_ms: i64,
    pub size_bytes: i64,
    /// Hex SHA-256 of the file.
    pub sha256: String,
    pub created_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Voicemail {
    pub id: i64,
    pub mailbox_kind: MailboxKind,
    pub mailbox: String,
    pub call_id: String,
    pub caller: String,
    pub file: String,
    pub duration_ms: i64,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub handled_at: Option<OffsetDateTime>,
    /// Employee ID of who handled it.
    pub handled_by: Option<String>,
    pub note: String,
}

/// Search filters; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct VoicemailFilter {
    pub mailbox_kind: Option<MailboxKind>,
    pub mailbox: Option<String>,
    /// `Some(false)`: only messages nobody has handled yet.
    pub handled: Option<bool>,
    /// `created_at >= from`.
    pub from: Option<OffsetDateTime>,
    /// `created_at < to`.
    pub to: Option<OffsetDateTime>,
    /// The start of the caller's number.
    pub caller: Option<String>,
}

const COLUMNS: &str = "mailbox_kind, mailbox, call_id, caller, file, duration_ms, size_bytes, \
     sha256, created_at, handled_at, handled_by, note";

fn from_row(row: &AnyRow) -> Result<Voicemail> {
    Ok(Voicemail {
        id: row.try_get("id")?,
        mailbox_kind: MailboxKind::stored(&row.try_get::<String, _>("mailbox_kind")?)?,
        mailbox: row.try_get("mailbox")?,
        call_id: row.try_get("call_id")?,
        caller: row.try_get("caller")?,
        file: row.try_get("file")?,
        duration_ms: row.try_get("duration_ms")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        handled_at: from_millis_opt(row.try_get("handled_at")?)?,
        handled_by: row.try_get("handled_by")?,
        note: row.try_get("note")?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Voicemail> {
    let row = sqlx::query(&format!(
        "SELECT id, {COLUMNS} FROM voicemails WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StoreError::not_found("voicemail", id))?;
    from_row(&row)
}

fn conditions(filter: &VoicemailFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    if let Some(kind) = filter.mailbox_kind {
        cond.push(" AND mailbox_kind = ")
            .bind(Arg::Text(kind.code().to_owned()));
    }
    if let Some(mailbox) = filter
        .mailbox
        .as_deref()
        .map(str::trim)
        .filter(|m| !m.is_empty())
    {
        cond.push(" AND mailbox = ")
            .bind(Arg::Text(mailbox.to_owned()));
    }
    match filter.handled {
        Some(true) => {
            cond.push(" AND handled_at IS NOT NULL");
        }
        Some(false) => {
            cond.push(" AND handled_at IS NULL");
        }
        None => {}
    }
    if let Some(from) = filter.from {
        cond.push(" AND created_at >= ")
            .bind(Arg::Int(to_millis(from)));
    }
    if let Some(to) = filter.to {
        cond.push(" AND created_at < ")
            .bind(Arg::Int(to_millis(to)));
    }
    if let Some(caller) = filter
        .caller
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty())
    {
        cond.push(" AND caller LIKE ")
            .bind(Arg::Text(format!("{}%", escape_like(caller))))
            .push(" ESCAPE '\\'");
    }
    cond
}

impl Store {
    /// Records a message left by a caller; returns its id. `file` must be new.
    pub async fn insert_voicemail(&self, message: &NewVoicemail) -> Result<i64> {
        check_relative_file(&message.file)?;
        if message.mailbox.trim().is_empty() {
            return Err(StoreError::invalid("mailbox", "name the mailbox"));
        }
        let m = message;
        let row = sqlx::query(&format!(
            "INSERT INTO voicemails ({COLUMNS}) VALUES \
             ($1, $2, $3, $4, $5, $6, $7, $8, $9, NULL, NULL, '') RETURNING id"
        ))
        .bind(m.mailbox_kind.code())
        .bind(m.mailbox.as_str())
        .bind(m.call_id.as_str())
        .bind(m.caller.as_str())
        .bind(m.file.as_str())
        .bind(m.duration_ms)
        .bind(m.size_bytes)
        .bind(m.sha256.as_str())
        .bind(to_millis(m.created_at))
        .fetch_one(&self.pool)
        .await
        .map_err(|e| map_unique(e, &[("file", "file", m.file.as_str())]))?;
        Ok(row.try_get(0)?)
    }

    pub async fn voicemail(&self, id: i64) -> Result<Voicemail> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// Messages matching `filter`, newest first.
    pub async fn search_voicemails(
        &self,
        filter: &VoicemailFilter,
        page: PageRequest,
    ) -> Result<Page<Voicemail>> {
        let cond = conditions(filter);
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            &format!("SELECT id, {COLUMNS} FROM voicemails"),
            "SELECT COUNT(*) FROM voicemails",
            &cond,
            "created_at DESC, id DESC",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<_>>()?;
        Ok(Page::new(items, total, page))
    }

    /// Marks a message as dealt with, by `actor`, with a note. Marking again
    /// replaces the note and the handler (both changes stay in the audit log).
    pub async fn mark_voicemail_handled(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        note: &str,
    ) -> Result<Voicemail> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query(
            "UPDATE voicemails SET handled_at = $1, handled_by = $2, note = $3 WHERE id = $4",
        )
        .bind(to_millis(now))
        .bind(&actor.employee_id)
        .bind(note)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "voicemail.handled",
            entity: "voicemail",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }
}
