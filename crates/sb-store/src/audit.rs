//! The audit log (MISSION M7): every change with before/after, every denied
//! request, sign-in events, alarms raised by repeated denials, and access to
//! sensitive content (recordings listened to, downloaded or exported).
//!
//! Changes are written by the repository that makes them, inside the same
//! transaction, so a change and its audit row land together or not at all.

use sb_core::StaffId;
use serde::Serialize;
use serde_json::Value;
use sqlx::AnyConnection;
use time::{Duration, OffsetDateTime};
use utoipa::ToSchema;

use crate::db::{Arg, Sql, Store};
use crate::error::Result;
use crate::millis::{from_millis, to_millis};
use crate::page::{Page, PageRequest};

/// Who did something, and from where.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub id: Option<StaffId>,
    pub employee_id: String,
    pub name: String,
    pub ip: String,
}

impl Actor {
    /// Changes made by the server itself (first start, CLI).
    pub fn system(what: &str) -> Actor {
        Actor {
            id: None,
            employee_id: String::new(),
            name: what.to_owned(),
            ip: String::new(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum AuditKind {
    Change,
    Denied,
    Auth,
    Alarm,
    /// Someone read sensitive content (listened to or downloaded a recording).
    Access,
}

impl AuditKind {
    pub fn code(self) -> &'static str {
        match self {
            AuditKind::Change => "change",
            AuditKind::Denied => "denied",
            AuditKind::Auth => "auth",
            AuditKind::Alarm => "alarm",
            AuditKind::Access => "access",
        }
    }

    pub fn parse(s: &str) -> Option<AuditKind> {
        match s {
            "change" => Some(AuditKind::Change),
            "denied" => Some(AuditKind::Denied),
            "auth" => Some(AuditKind::Auth),
            "alarm" => Some(AuditKind::Alarm),
            "access" => Some(AuditKind::Access),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct AuditEntry {
    pub id: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub at: OffsetDateTime,
    pub kind: AuditKind,
    /// `ok`, `failed` or `denied`.
    pub outcome: String,
    pub actor_id: Option<i64>,
    pub actor_employee_id: String,
    pub actor_name: String,
    pub action: String,
    pub entity: String,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub ip: String,
    pub detail: String,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub kind: Option<AuditKind>,
    /// Matches the actor's employee ID or name.
    pub actor: Option<String>,
    /// Prefix of the action, e.g. `staff.` or `staff.create`.
    pub action: Option<String>,
    pub entity: Option<String>,
    /// Free text over detail, entity id and before/after.
    pub q: Option<String>,
    pub from: Option<OffsetDateTime>,
    pub to: Option<OffsetDateTime>,
    /// Data scope: only rows whose actor is in these departments...
    pub actor_departments: Option<Vec<i64>>,
    /// ...or only rows of this actor.
    pub only_actor: Option<i64>,
}

/// When repeated denials become an alarm.
#[derive(Debug, Clone, Copy)]
pub struct AlarmPolicy {
    pub threshold: i64,
    pub window: Duration,
}

impl Default for AlarmPolicy {
    fn default() -> Self {
        AlarmPolicy {
            threshold: 5,
            window: Duration::minutes(5),
        }
    }
}

/// A row to write that is not a change (denied, auth).
#[derive(Debug, Clone)]
pub struct AuditEvent<'a> {
    pub kind: AuditKind,
    pub outcome: &'a str,
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: &'a str,
    pub detail: &'a str,
}

/// A change to write within the caller's transaction.
#[derive(Debug)]
pub(crate) struct Change<'a> {
    pub action: &'a str,
    pub entity: &'a str,
    pub entity_id: String,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

pub(crate) async fn record_change(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    change: Change<'_>,
) -> Result<()> {
    insert(
        conn,
        now,
        actor,
        AuditEvent {
            kind: AuditKind::Change,
            outcome: "ok",
            action: change.action,
            entity: change.entity,
            entity_id: &change.entity_id,
            detail: "",
        },
        change.before.map(|v| v.to_string()),
        change.after.map(|v| v.to_string()),
    )
    .await
}

/// Writes an event that is not a before/after change within the caller's
/// transaction (a batch summary).
pub(crate) async fn insert_event(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    event: AuditEvent<'_>,
) -> Result<()> {
    insert(conn, now, actor, event, None, None).await
}

async fn insert(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    event: AuditEvent<'_>,
    before: Option<String>,
    after: Option<String>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO audit_log (at, kind, outcome, actor_id, actor_employee_id, actor_name, \
         action, entity, entity_id, before_json, after_json, ip, detail) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(to_millis(now))
    .bind(event.kind.code())
    .bind(event.outcome)
    .bind(actor.id.map(|id| id.0))
    .bind(&actor.employee_id)
    .bind(&actor.name)
    .bind(event.action)
    .bind(event.entity)
    .bind(event.entity_id)
    .bind(before)
    .bind(after)
    .bind(&actor.ip)
    .bind(truncate(event.detail, 2000))
    .execute(conn)
    .await?;
    Ok(())
}

fn truncate(s: &str, max_chars: usize) -> &str {
    match s.char_indices().nth(max_chars) {
        Some((i, _)) => &s[..i],
        None => s,
    }
}

impl Store {
    /// Writes one audit row outside any change (sign-in, denial).
    pub async fn record_audit(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        event: AuditEvent<'_>,
    ) -> Result<()> {
        let mut conn = self.pool.acquire().await?;
        insert(&mut conn, now, actor, event, None, None).await
    }

    /// Records a refused request (401/403: kind `denied`) and checks for an alarm.
    pub async fn record_denial(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        action: &str,
        detail: &str,
        policy: AlarmPolicy,
    ) -> Result<bool> {
        let event = AuditEvent {
            kind: AuditKind::Denied,
            outcome: "denied",
            action,
            entity: "",
            entity_id: "",
            detail,
        };
        self.record_refusal(now, actor, event, policy).await
    }

    /// Writes a refusal (a denied request, or a failed or locked sign-in) and
    /// raises one alarm entry when the same actor, or the same address, was
    /// refused `policy.threshold` times within `policy.window`: repeated
    /// probing of one account and password spraying across many both show.
    /// Returns whether an alarm was raised.
    pub async fn record_refusal(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        event: AuditEvent<'_>,
        policy: AlarmPolicy,
    ) -> Result<bool> {
        let mut tx = self.begin_write().await?;
        let action = event.action.to_owned();
        insert(&mut tx, now, actor, event, None, None).await?;
        let since = to_millis(now - policy.window);
        let mut subjects: Vec<(&str, Arg)> = Vec::new();
        if let Some(id) = actor.id {
            subjects.push(("actor_id = ", Arg::Int(id.0)));
        }
        if !actor.ip.is_empty() {
            subjects.push(("ip = ", Arg::Text(actor.ip.clone())));
        }
        let mut raise = None;
        for (column, value) in subjects {
            let count = |what: &str| {
                let mut sql = Sql::new("SELECT COUNT(*) FROM audit_log WHERE at >= ");
                sql.bind(Arg::Int(since))
                    .push(" AND ")
                    .push(what)
                    .push(" AND ")
                    .push(column)
                    .bind(value.clone());
                sql
            };
            let refusals: i64 = sqlx::Row::try_get(
                &count("(kind = 'denied' OR (kind = 'auth' AND outcome IN ('failed', 'locked')))")
                    .query()
                    .fetch_one(&mut *tx)
                    .await?,
                0,
            )?;
            let alarms: i64 = sqlx::Row::try_get(
                &count("kind = 'alarm'").query().fetch_one(&mut *tx).await?,
                0,
            )?;
            if refusals >= policy.threshold && alarms == 0 {
                raise = Some((column.trim_end_matches(" = "), refusals));
                break;
            }
        }
        if let Some((by, refusals)) = raise {
            let detail = format!(
                "{refusals} refused requests or failed sign-ins by the same {} within {} minutes; last: {action}",
                if by == "ip" { "address" } else { "account" },
                policy.window.whole_minutes()
            );
            let event = AuditEvent {
                kind: AuditKind::Alarm,
                outcome: "alarm",
                action: "security.repeated_denials",
                entity: "",
                entity_id: "",
                detail: &detail,
            };
            insert(&mut tx, now, actor, event, None, None).await?;
            tracing::warn!(actor = %actor.employee_id, ip = %actor.ip, refusals, "repeated refusals: alarm raised");
        }
        tx.commit().await?;
        Ok(raise.is_some())
    }

    pub async fn search_audit(
        &self,
        filter: &AuditFilter,
        page: PageRequest,
    ) -> Result<Page<AuditEntry>> {
        let mut cond = Sql::new(" WHERE 1 = 1");
        if let Some(kind) = filter.kind {
            cond.push(" AND kind = ")
                .bind(Arg::Text(kind.code().to_owned()));
        }
        if let Some(actor) = filter.actor.as_deref().filter(|s| !s.is_empty()) {
            let pattern = like_pattern(actor);
            cond.push(" AND (LOWER(actor_employee_id) LIKE ")
                .bind(Arg::Text(pattern.clone()))
                .push(" ESCAPE '\\' OR LOWER(actor_name) LIKE ")
                .bind(Arg::Text(pattern))
                .push(" ESCAPE '\\')");
        }
        if let Some(action) = filter.action.as_deref().filter(|s| !s.is_empty()) {
            cond.push(" AND action LIKE ")
                .bind(Arg::Text(format!("{}%", escape_like(action))));
            cond.push(" ESCAPE '\\'");
        }
        if let Some(entity) = filter.entity.as_deref().filter(|s| !s.is_empty()) {
            cond.push(" AND entity = ")
                .bind(Arg::Text(entity.to_owned()));
        }
        if let Some(q) = filter.q.as_deref().filter(|s| !s.is_empty()) {
            let pattern = like_pattern(q);
            cond.push(" AND (LOWER(detail) LIKE ")
                .bind(Arg::Text(pattern.clone()))
                .push(" ESCAPE '\\' OR LOWER(entity_id) LIKE ")
                .bind(Arg::Text(pattern.clone()))
                .push(" ESCAPE '\\' OR LOWER(COALESCE(before_json, '')) LIKE ")
                .bind(Arg::Text(pattern.clone()))
                .push(" ESCAPE '\\' OR LOWER(COALESCE(after_json, '')) LIKE ")
                .bind(Arg::Text(pattern))
                .push(" ESCAPE '\\')");
        }
        if let Some(departments) = &filter.actor_departments {
            cond.push(" AND actor_id IN (SELECT id FROM staff WHERE department_id IN ")
                .bind_list(departments)
                .push(")");
        }
        if let Some(id) = filter.only_actor {
            cond.push(" AND actor_id = ").bind(Arg::Int(id));
        }
        if let Some(from) = filter.from {
            cond.push(" AND at >= ").bind(Arg::Int(to_millis(from)));
        }
        if let Some(to) = filter.to {
            cond.push(" AND at < ").bind(Arg::Int(to_millis(to)));
        }
        let mut count = Sql::new("SELECT COUNT(*) FROM audit_log");
        count.push(&cond.text);
        count.args = cond.args.clone();
        let total: i64 = sqlx::Row::try_get(&count.query().fetch_one(&self.pool).await?, 0)?;

        let mut list = Sql::new(
            "SELECT id, at, kind, outcome, actor_id, actor_employee_id, actor_name, action, entity, \
             entity_id, before_json, after_json, ip, detail FROM audit_log",
        );
        list.push(&cond.text);
        list.args = cond.args;
        list.push(" ORDER BY at DESC, id DESC LIMIT ")
            .bind(Arg::Int(page.limit()))
            .push(" OFFSET ")
            .bind(Arg::Int(page.offset()));
        let rows = list.query().fetch_all(&self.pool).await?;
        let mut items = Vec::with_capacity(rows.len());
        for row in rows {
            use sqlx::Row;
            let kind: String = row.try_get("kind")?;
            let json = |col: &str| -> Result<Option<Value>> {
                let text: Option<String> = row.try_get(col)?;
                Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
            };
            items.push(AuditEntry {
                id: row.try_get("id")?,
                at: from_millis(row.try_get("at")?)?,
                kind: AuditKind::parse(&kind).unwrap_or(AuditKind::Change),
                outcome: row.try_get("outcome")?,
                actor_id: row.try_get("actor_id")?,
                actor_employee_id: row.try_get("actor_employee_id")?,
                actor_name: row.try_get("actor_name")?,
                action: row.try_get("action")?,
                entity: row.try_get("entity")?,
                entity_id: row.try_get("entity_id")?,
                before: json("before_json")?,
                after: json("after_json")?,
                ip: row.try_get("ip")?,
                detail: row.try_get("detail")?,
            });
        }
        Ok(Page::new(items, total, page))
    }
}

/// Escapes `%`, `_` and `\` so user text matches literally in LIKE.
pub(crate) fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if matches!(c, '%' | '_' | '\\') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// `%text%`, lower-cased and escaped, for case-insensitive contains.
pub(crate) fn like_pattern(s: &str) -> String {
    format!("%{}%", escape_like(&s.to_lowercase()))
}
