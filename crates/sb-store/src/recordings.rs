//! Call recordings (MISSION R1-R5): one row per recorded call, written by the
//! switch when it closes the WAV file, searched by the console, and kept
//! up to date by the storage task (archive copy, retention).
//!
//! Unlike the other repositories this one is a module of functions
//! (`recordings::insert(&store, &recording)`): the switch side calls it by
//! that name. Recordings are facts, not changes: no audit rows here (the
//! API audits who listened to or downloaded what).

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::escape_like;
use crate::cdrs::CdrScope;
use crate::codes::Direction;
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

/// A finished recording as the switch reports it.
#[derive(Debug, Clone)]
pub struct NewRecording {
    /// The SIP Call-ID of the caller's leg (joins the CDR).
    pub call_id: String,
    pub direction: Direction,
    pub caller: String,
    pub callee: String,
    /// The extension whose call this is (the agent's side).
    pub agent_extension: Option<String>,
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    pub started_at: OffsetDateTime,
    pub ended_at: OffsetDateTime,
    pub duration_ms: i64,
    /// `stereo` (caller left, agent right) or `mono`.
    pub layout: String,
    /// Relative to the recordings root, e.g. `2026/11/24/<call>.wav`.
    pub file: String,
    pub size_bytes: i64,
    /// Hex SHA-256 of the file, checked again when it is archived.
    pub sha256: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Recording {
    pub id: i64,
    pub call_id: String,
    pub direction: Direction,
    pub caller: String,
    pub callee: String,
    pub agent_extension: Option<String>,
    pub trunk_id: Option<i64>,
    pub trunk_name: String,
    #[serde(with = "time::serde::rfc3339")]
    pub started_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub ended_at: OffsetDateTime,
    pub duration_ms: i64,
    pub layout: String,
    /// Relative to the recordings root (and to the archive root).
    pub file: String,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub archived_at: Option<OffsetDateTime>,
    /// Why the last archive attempt failed.
    pub archive_error: Option<String>,
    /// When retention removed the local file.
    #[serde(with = "time::serde::rfc3339::option")]
    pub deleted_at: Option<OffsetDateTime>,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

/// Search filters; every one is optional and they combine with AND.
#[derive(Debug, Clone, Default)]
pub struct RecordingFilter {
    /// `started_at >= from`.
    pub from: Option<OffsetDateTime>,
    /// `started_at < to`.
    pub to: Option<OffsetDateTime>,
    /// The start of the caller or callee number (a prefix, so an index
    /// serves it; a contains-search would read every row of the year).
    pub number: Option<String>,
    /// The agent's extension, exactly.
    pub agent: Option<String>,
    pub trunk_id: Option<i64>,
    pub direction: Option<Direction>,
    pub min_duration_ms: Option<i64>,
    pub max_duration_ms: Option<i64>,
    /// Reach of the reader: recordings whose agent extension is
    /// `staff.extension` of someone in scope, as for call records.
    pub scope: CdrScope,
}

/// How much the storage task still has to archive.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ArchiveBacklog {
    /// Local recordings not archived yet and not failed.
    pub pending: i64,
    /// Local recordings whose last archive attempt failed.
    pub failed: i64,
}

pub const LAYOUTS: &[&str] = &["stereo", "mono"];

const COLUMNS: &str = "call_id, direction, caller, callee, agent_extension, trunk_id, trunk_name, \
     started_at, ended_at, duration_ms, layout, file, size_bytes, sha256, archived_at, archive_error, \
     deleted_at, created_at";

/// A number prefix shorter than this is searched by scanning in time order
/// instead of by index range: a short prefix (`1`, `13`) matches a large
/// share of a year's rows, and sorting them all by time costs more than
/// reading the newest rows until a page is full.
const MIN_INDEXED_PREFIX: usize = 4;

fn from_row(row: &AnyRow) -> Result<Recording> {
    let direction: String = row.try_get("direction")?;
    Ok(Recording {
        id: row.try_get("id")?,
        call_id: row.try_get("call_id")?,
        direction: Direction::stored(&direction)?,
        caller: row.try_get("caller")?,
        callee: row.try_get("callee")?,
        agent_extension: row.try_get("agent_extension")?,
        trunk_id: row.try_get("trunk_id")?,
        trunk_name: row.try_get("trunk_name")?,
        started_at: from_millis(row.try_get("started_at")?)?,
        ended_at: from_millis(row.try_get("ended_at")?)?,
        duration_ms: row.try_get("duration_ms")?,
        layout: row.try_get("layout")?,
        file: row.try_get("file")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        archived_at: from_millis_opt(row.try_get("archived_at")?)?,
        archive_error: row.try_get("archive_error")?,
        deleted_at: from_millis_opt(row.try_get("deleted_at")?)?,
        created_at: from_millis(row.try_get("created_at")?)?,
    })
}

/// A relative path of plain segments: what the switch writes must never
/// point outside the recordings root once joined to it.
pub(crate) fn check_relative_file(file: &str) -> Result<()> {
    let plain = !file.is_empty()
        && !file.starts_with('/')
        && !file.contains('\\')
        && !file.contains('\0')
        && file
            .split('/')
            .all(|segment| !segment.is_empty() && segment != "." && segment != "..");
    if plain {
        Ok(())
    } else {
        Err(StoreError::invalid(
            "file",
            format!("`{file}` is not a plain path relative to the recordings folder"),
        ))
    }
}

fn check(recording: &NewRecording) -> Result<()> {
    if !LAYOUTS.contains(&recording.layout.as_str()) {
        return Err(StoreError::invalid(
            "layout",
            format!("expected stereo or mono, got `{}`", recording.layout),
        ));
    }
    check_relative_file(&recording.file)?;
    if recording.ended_at < recording.started_at {
        return Err(StoreError::invalid("ended_at", "ends before it starts"));
    }
    Ok(())
}

/// The smallest string above every string that starts with `prefix`, in
/// byte order and in the usual locale collations alike, or `None` when
/// there is none that is safe to name. Only the part up to the last digit
/// counts, and the bound is made by carrying the last digit up (`1389` ->
/// `139`), never by stepping a punctuation character, which a locale
/// collation may ignore.
fn digit_prefix_bound(prefix: &str) -> Option<(String, String)> {
    let head_len = prefix.rfind(|c: char| c.is_ascii_digit())? + 1;
    let head = &prefix[..head_len];
    let mut upper: Vec<u8> = head.as_bytes().to_vec();
    while let Some(last) = upper.pop() {
        if last.is_ascii_digit() && last < b'9' {
            upper.push(last + 1);
            let upper = String::from_utf8(upper).ok()?;
            return Some((head.to_owned(), upper));
        }
        if !last.is_ascii_digit() {
            // A non-digit before the carry: no safe upper bound.
            return None;
        }
    }
    None
}

/// `column` starts with `number`, with an index range when the prefix is
/// long enough to be selective.
fn push_prefix(cond: &mut Sql, column: &str, number: &str) {
    let pattern = format!("{}%", escape_like(number));
    cond.push("(").push(column).push(" LIKE ");
    cond.bind(Arg::Text(pattern)).push(" ESCAPE '\\'");
    if number.chars().count() >= MIN_INDEXED_PREFIX
        && let Some((lower, upper)) = digit_prefix_bound(number)
    {
        cond.push(" AND ").push(column).push(" >= ");
        cond.bind(Arg::Text(lower));
        cond.push(" AND ").push(column).push(" < ");
        cond.bind(Arg::Text(upper));
    }
    cond.push(")");
}

/// Appends the data-scope condition: the agent's extension belongs to
/// someone in scope. Only the agent column is tested, so the condition
/// stays one indexed column and a department's newest page is read
/// straight off the time index (an OR over caller and callee as well made
/// the same page sort a department's whole year).
fn push_scope(cond: &mut Sql, scope: &CdrScope) {
    match scope {
        CdrScope::All => {}
        CdrScope::Departments(ids) => {
            cond.push(
                " AND agent_extension IN (SELECT extension FROM staff WHERE department_id IN ",
            )
            .bind_list(ids)
            .push(")");
        }
        CdrScope::Staff(id) => {
            cond.push(" AND agent_extension IN (SELECT extension FROM staff WHERE id = ")
                .bind(Arg::Int(*id))
                .push(")");
        }
    }
}

fn conditions(filter: &RecordingFilter) -> Sql {
    let mut cond = Sql::new(" WHERE 1 = 1");
    if let Some(from) = filter.from {
        cond.push(" AND started_at >= ")
            .bind(Arg::Int(to_millis(from)));
    }
    if let Some(to) = filter.to {
        cond.push(" AND started_at < ")
            .bind(Arg::Int(to_millis(to)));
    }
    if let Some(number) = filter
        .number
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
    {
        cond.push(" AND (");
        push_prefix(&mut cond, "caller", number);
        cond.push(" OR ");
        push_prefix(&mut cond, "callee", number);
        cond.push(")");
    }
    if let Some(agent) = filter
        .agent
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        cond.push(" AND agent_extension = ")
            .bind(Arg::Text(agent.to_owned()));
    }
    if let Some(trunk) = filter.trunk_id {
        cond.push(" AND trunk_id = ").bind(Arg::Int(trunk));
    }
    if let Some(direction) = filter.direction {
        cond.push(" AND direction = ")
            .bind(Arg::Text(direction.code().to_owned()));
    }
    if let Some(min) = filter.min_duration_ms {
        cond.push(" AND duration_ms >= ").bind(Arg::Int(min));
    }
    if let Some(max) = filter.max_duration_ms {
        cond.push(" AND duration_ms <= ").bind(Arg::Int(max));
    }
    push_scope(&mut cond, &filter.scope);
    cond
}

/// Writes one recording and returns its id. `file` must be new.
pub async fn insert(store: &Store, recording: &NewRecording) -> Result<i64> {
    check(recording)?;
    // The signature is the switch's: it has no clock to pass, and the row's
    // creation time is only informative (searches use started_at).
    let created_at = OffsetDateTime::now_utc();
    let r = recording;
    let row = sqlx::query(&format!(
        "INSERT INTO recordings ({COLUMNS}) VALUES \
         ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, NULL, NULL, $15) \
         RETURNING id"
    ))
    .bind(r.call_id.as_str())
    .bind(r.direction.code())
    .bind(r.caller.as_str())
    .bind(r.callee.as_str())
    .bind(r.agent_extension.as_deref())
    .bind(r.trunk_id)
    .bind(r.trunk_name.as_str())
    .bind(to_millis(r.started_at))
    .bind(to_millis(r.ended_at))
    .bind(r.duration_ms)
    .bind(r.layout.as_str())
    .bind(r.file.as_str())
    .bind(r.size_bytes)
    .bind(r.sha256.as_str())
    .bind(to_millis(created_at))
    .fetch_one(&store.pool)
    .await
    .map_err(|e| map_unique(e, &[("file", "file", r.file.as_str())]))?;
    Ok(row.try_get(0)?)
}

/// Recordings matching `filter`, newest first.
pub async fn search(
    store: &Store,
    filter: &RecordingFilter,
    page: PageRequest,
) -> Result<Page<Recording>> {
    let cond = conditions(filter);
    let mut conn = store.pool.acquire().await?;
    let (rows, total) = fetch_page(
        &mut conn,
        &format!("SELECT id, {COLUMNS} FROM recordings"),
        "SELECT COUNT(*) FROM recordings",
        &cond,
        "started_at DESC, id DESC",
        page,
    )
    .await?;
    let items = rows.iter().map(from_row).collect::<Result<_>>()?;
    Ok(Page::new(items, total, page))
}

pub async fn get(store: &Store, id: i64) -> Result<Recording> {
    let row = sqlx::query(&format!(
        "SELECT id, {COLUMNS} FROM recordings WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(&store.pool)
    .await?
    .ok_or_else(|| StoreError::not_found("recording", id))?;
    from_row(&row)
}

/// The recordings with these ids, in the order asked; an unknown id is
/// `NotFound` naming it.
pub async fn get_many(store: &Store, ids: &[i64]) -> Result<Vec<Recording>> {
    let mut found = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new(&format!(
            "SELECT id, {COLUMNS} FROM recordings WHERE id IN "
        ));
        sql.bind_list(chunk);
        for row in sql.query().fetch_all(&store.pool).await? {
            found.push(from_row(&row)?);
        }
    }
    ids.iter()
        .map(|id| {
            found
                .iter()
                .find(|r| r.id == *id)
                .cloned()
                .ok_or_else(|| StoreError::not_found("recording", id))
        })
        .collect()
}

/// Whether recording `id` is within `scope`.
pub async fn in_scope(store: &Store, id: i64, scope: &CdrScope) -> Result<bool> {
    Ok(in_scope_ids(store, &[id], scope).await?.contains(&id))
}

/// Those of `ids` that are within `scope`.
pub async fn in_scope_ids(store: &Store, ids: &[i64], scope: &CdrScope) -> Result<Vec<i64>> {
    let mut inside = Vec::with_capacity(ids.len());
    for chunk in ids.chunks(500) {
        let mut sql = Sql::new("SELECT id FROM recordings WHERE id IN ");
        sql.bind_list(chunk);
        push_scope(&mut sql, scope);
        for row in sql.query().fetch_all(&store.pool).await? {
            inside.push(row.try_get(0)?);
        }
    }
    Ok(inside)
}

/// The copy in the archive matches: clears any earlier error.
pub async fn mark_archived(store: &Store, id: i64, at: OffsetDateTime) -> Result<()> {
    let done =
        sqlx::query("UPDATE recordings SET archived_at = $1, archive_error = NULL WHERE id = $2")
            .bind(to_millis(at))
            .bind(id)
            .execute(&store.pool)
            .await?;
    found(done.rows_affected(), id)
}

/// The last archive attempt failed for `error`; the next round tries again.
pub async fn mark_archive_failed(store: &Store, id: i64, error: &str) -> Result<()> {
    let error: String = error.chars().take(1000).collect();
    let done = sqlx::query("UPDATE recordings SET archive_error = $1 WHERE id = $2")
        .bind(error)
        .bind(id)
        .execute(&store.pool)
        .await?;
    found(done.rows_affected(), id)
}

/// Retention removed the local file.
pub async fn mark_deleted(store: &Store, id: i64, at: OffsetDateTime) -> Result<()> {
    let done = sqlx::query("UPDATE recordings SET deleted_at = $1 WHERE id = $2")
        .bind(to_millis(at))
        .bind(id)
        .execute(&store.pool)
        .await?;
    found(done.rows_affected(), id)
}

fn found(rows: u64, id: i64) -> Result<()> {
    if rows == 0 {
        return Err(StoreError::not_found("recording", id));
    }
    Ok(())
}

/// Local recordings not archived yet (failed ones included, so they are
/// tried again), oldest first, from the one after `after_id`: a caller
/// walks the backlog in batches without meeting a failed one twice.
pub async fn list_unarchived(store: &Store, after_id: i64, limit: i64) -> Result<Vec<Recording>> {
    let rows = sqlx::query(&format!(
        "SELECT id, {COLUMNS} FROM recordings \
         WHERE archived_at IS NULL AND deleted_at IS NULL AND id > $1 ORDER BY id LIMIT $2"
    ))
    .bind(after_id)
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Local recordings that started before `before`, oldest first. With
/// `archived_only` only those with a verified archive copy: retention never
/// removes the last copy of a recording while an archive is configured.
pub async fn list_expired(
    store: &Store,
    before: OffsetDateTime,
    archived_only: bool,
    limit: i64,
) -> Result<Vec<Recording>> {
    let archived = if archived_only {
        " AND archived_at IS NOT NULL"
    } else {
        ""
    };
    let rows = sqlx::query(&format!(
        "SELECT id, {COLUMNS} FROM recordings \
         WHERE deleted_at IS NULL AND started_at < $1{archived} ORDER BY started_at LIMIT $2"
    ))
    .bind(to_millis(before))
    .bind(limit)
    .fetch_all(&store.pool)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Bytes of the recordings whose local file retention has not removed.
pub async fn local_bytes(store: &Store) -> Result<i64> {
    let row = sqlx::query(
        // PostgreSQL sums BIGINT as NUMERIC; the cast keeps one integer type.
        "SELECT CAST(COALESCE(SUM(size_bytes), 0) AS BIGINT) FROM recordings \
         WHERE deleted_at IS NULL",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok(row.try_get(0)?)
}

/// Counts for the storage page.
pub async fn archive_backlog(store: &Store) -> Result<ArchiveBacklog> {
    let row = sqlx::query(
        "SELECT \
         COALESCE(SUM(CASE WHEN archive_error IS NULL THEN 1 ELSE 0 END), 0), \
         COALESCE(SUM(CASE WHEN archive_error IS NULL THEN 0 ELSE 1 END), 0) \
         FROM recordings WHERE archived_at IS NULL AND deleted_at IS NULL",
    )
    .fetch_one(&store.pool)
    .await?;
    Ok(ArchiveBacklog {
        pending: row.try_get(0)?,
        failed: row.try_get(1)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefix_bounds_carry_digits_and_skip_punctuation() {
        let bound = |p: &str| digit_prefix_bound(p);
        assert_eq!(bound("1389"), Some(("1389".into(), "139".into())));
        assert_eq!(bound("1300"), Some(("1300".into(), "1301".into())));
        assert_eq!(bound("+8613"), Some(("+8613".into(), "+8614".into())));
        assert_eq!(bound("1399#"), Some(("1399".into(), "14".into())));
        assert_eq!(bound("9999"), None, "nothing above all nines");
        assert_eq!(bound("+999"), None, "a carry into punctuation");
        assert_eq!(bound("*#"), None);
    }

    #[test]
    fn only_plain_relative_files() {
        for good in ["2026/11/24/a.wav", "x.wav"] {
            assert!(check_relative_file(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "/etc/passwd",
            "../x.wav",
            "2026/../../x",
            "a//b",
            "./a",
            "a\\b",
        ] {
            assert!(check_relative_file(bad).is_err(), "{bad}");
        }
    }
}
