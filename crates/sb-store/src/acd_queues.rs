//! ACD queues (MISSION A1-A6, A8, A9) and their members with a skill level.
//! A queue is named by a code that flows, routes and other queues use; the
//! switch reads them all at once with [`Store::acd_configuration`].

use std::collections::BTreeSet;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::{QueueAction, QueueStrategy};
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

/// The skill levels a member may have, lowest to highest.
pub const SKILL_RANGE: std::ops::RangeInclusive<i64> = 1..=10;

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct AcdQueue {
    pub id: i64,
    /// The code flows and routes use.
    pub name: String,
    pub display_name: String,
    pub strategy: QueueStrategy,
    pub ring_timeout_s: i64,
    pub wrap_up_s: i64,
    /// A call waiting longer overflows; `null` = no limit.
    pub max_wait_s: Option<i64>,
    /// A call arriving when this many wait overflows; `null` = no limit.
    pub max_length: Option<i64>,
    /// Missed offers in a row before the agent is made not ready; 0 = never.
    pub no_answer_limit: i64,
    /// Priority points a waiting call gains per second waited.
    pub aging_per_second: i64,
    pub overflow_action: QueueAction,
    pub overflow_target: String,
    /// What happens when nobody is logged in to the queue.
    pub no_agent_action: QueueAction,
    pub no_agent_target: String,
    /// The music-on-hold class callers hear while waiting; empty = default.
    pub music_class: String,
    pub announce_position: bool,
    pub announce_interval_s: i64,
    /// Tell the caller the number of the agent who answers.
    pub announce_agent_number: bool,
    /// How long a returning caller waits for the agent who served them last.
    pub sticky_agent_wait_s: Option<i64>,
    /// After this long waiting, the call is offered more widely...
    pub widen_after_s: Option<i64>,
    /// ...to members with at least this skill...
    pub widen_to_skill: Option<i64>,
    /// ...and to this queue's members.
    pub widen_to_queue: Option<String>,
    pub enabled: bool,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A queue as an admin sets it; ranges validated by the caller, references here.
#[derive(Debug, Clone)]
pub struct AcdQueueInput {
    pub name: String,
    pub display_name: String,
    pub strategy: QueueStrategy,
    pub ring_timeout_s: i64,
    pub wrap_up_s: i64,
    pub max_wait_s: Option<i64>,
    pub max_length: Option<i64>,
    pub no_answer_limit: i64,
    pub aging_per_second: i64,
    pub overflow_action: QueueAction,
    pub overflow_target: String,
    pub no_agent_action: QueueAction,
    pub no_agent_target: String,
    pub music_class: String,
    pub announce_position: bool,
    pub announce_interval_s: i64,
    pub announce_agent_number: bool,
    pub sticky_agent_wait_s: Option<i64>,
    pub widen_after_s: Option<i64>,
    pub widen_to_skill: Option<i64>,
    pub widen_to_queue: Option<String>,
    pub enabled: bool,
}

impl AcdQueueInput {
    /// A queue with the usual settings: longest idle, 20 s ring, no wrap-up,
    /// no limits, three misses before not-ready.
    pub fn new(name: &str, display_name: &str) -> AcdQueueInput {
        AcdQueueInput {
            name: name.to_owned(),
            display_name: display_name.to_owned(),
            strategy: QueueStrategy::LongestIdle,
            ring_timeout_s: 20,
            wrap_up_s: 0,
            max_wait_s: None,
            max_length: None,
            no_answer_limit: 3,
            aging_per_second: 0,
            overflow_action: QueueAction::None,
            overflow_target: String::new(),
            no_agent_action: QueueAction::None,
            no_agent_target: String::new(),
            music_class: String::new(),
            announce_position: false,
            announce_interval_s: 60,
            announce_agent_number: false,
            sticky_agent_wait_s: None,
            widen_after_s: None,
            widen_to_skill: None,
            widen_to_queue: None,
            enabled: true,
        }
    }
}

/// A member of a queue as the console shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueMember {
    pub staff_id: i64,
    pub employee_id: String,
    pub name: String,
    pub extension: Option<String>,
    pub skill: i64,
}

/// A member of a queue as the switch needs it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct QueueMembership {
    pub queue_name: String,
    pub employee_id: String,
    pub extension: Option<String>,
    pub skill: i64,
}

const COLUMNS: &str = "name, display_name, strategy, ring_timeout_s, wrap_up_s, max_wait_s, \
     max_length, no_answer_limit, aging_per_second, overflow_action, overflow_target, \
     no_agent_action, no_agent_target, music_class, announce_position, announce_interval_s, \
     announce_agent_number, sticky_agent_wait_s, widen_after_s, widen_to_skill, widen_to_queue, \
     enabled";

fn from_row(row: &AnyRow) -> Result<AcdQueue> {
    let flag = |column: &str| -> Result<bool> { Ok(row.try_get::<i64, _>(column)? != 0) };
    let action = |column: &str| -> Result<QueueAction> {
        QueueAction::stored(&row.try_get::<String, _>(column)?)
    };
    Ok(AcdQueue {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        display_name: row.try_get("display_name")?,
        strategy: QueueStrategy::stored(&row.try_get::<String, _>("strategy")?)?,
        ring_timeout_s: row.try_get("ring_timeout_s")?,
        wrap_up_s: row.try_get("wrap_up_s")?,
        max_wait_s: row.try_get("max_wait_s")?,
        max_length: row.try_get("max_length")?,
        no_answer_limit: row.try_get("no_answer_limit")?,
        aging_per_second: row.try_get("aging_per_second")?,
        overflow_action: action("overflow_action")?,
        overflow_target: row.try_get("overflow_target")?,
        no_agent_action: action("no_agent_action")?,
        no_agent_target: row.try_get("no_agent_target")?,
        music_class: row.try_get("music_class")?,
        announce_position: flag("announce_position")?,
        announce_interval_s: row.try_get("announce_interval_s")?,
        announce_agent_number: flag("announce_agent_number")?,
        sticky_agent_wait_s: row.try_get("sticky_agent_wait_s")?,
        widen_after_s: row.try_get("widen_after_s")?,
        widen_to_skill: row.try_get("widen_to_skill")?,
        widen_to_queue: row.try_get("widen_to_queue")?,
        enabled: flag("enabled")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<AcdQueue> {
    let row = sqlx::query(&format!(
        "SELECT id, {COLUMNS}, created_at, updated_at FROM acd_queues WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?
    .ok_or_else(|| StoreError::not_found("queue", id))?;
    from_row(&row)
}

async fn exists(conn: &mut AnyConnection, sql: &str, name: &str) -> Result<bool> {
    Ok(sqlx::query(sql)
        .bind(name)
        .fetch_optional(conn)
        .await?
        .is_some())
}

/// The target of an overflow or no-agent action must exist and fit the
/// action. `own_name` is the queue's own (new) name: sending a call to the
/// queue it is leaving would loop.
async fn check_action(
    conn: &mut AnyConnection,
    field: &'static str,
    action: QueueAction,
    target: &str,
    own_name: &str,
) -> Result<()> {
    let queue_sql = "SELECT 1 FROM acd_queues WHERE name = $1";
    match action {
        QueueAction::None if !target.is_empty() => Err(StoreError::invalid(
            field,
            "no target is taken when the action is none",
        )),
        QueueAction::None => Ok(()),
        QueueAction::Queue if target == own_name => Err(StoreError::invalid(
            field,
            "a queue cannot send calls to itself",
        )),
        QueueAction::Queue | QueueAction::Voicemail if !target.is_empty() && target != own_name => {
            if exists(conn, queue_sql, target).await? {
                Ok(())
            } else {
                Err(StoreError::invalid(
                    field,
                    format!("queue {target} does not exist"),
                ))
            }
        }
        QueueAction::Queue => Err(StoreError::invalid(field, "name the queue")),
        // Empty or its own name: the queue's own voicemail box.
        QueueAction::Voicemail => Ok(()),
        QueueAction::Flow => {
            if exists(conn, "SELECT 1 FROM ivr_flows WHERE name = $1", target).await? {
                Ok(())
            } else {
                Err(StoreError::invalid(
                    field,
                    format!("flow {target} does not exist"),
                ))
            }
        }
        QueueAction::Number if target.is_empty() => {
            Err(StoreError::invalid(field, "name the number to dial"))
        }
        QueueAction::Number => Ok(()),
    }
}

async fn check_references(conn: &mut AnyConnection, input: &AcdQueueInput) -> Result<()> {
    check_action(
        conn,
        "overflow_target",
        input.overflow_action,
        &input.overflow_target,
        &input.name,
    )
    .await?;
    check_action(
        conn,
        "no_agent_target",
        input.no_agent_action,
        &input.no_agent_target,
        &input.name,
    )
    .await?;
    if let Some(skill) = input.widen_to_skill
        && !SKILL_RANGE.contains(&skill)
    {
        return Err(StoreError::invalid(
            "widen_to_skill",
            format!("a skill is 1 to 10, got {skill}"),
        ));
    }
    if let Some(other) = input.widen_to_queue.as_deref() {
        if other == input.name {
            return Err(StoreError::invalid(
                "widen_to_queue",
                "a queue cannot widen to itself",
            ));
        }
        if !exists(conn, "SELECT 1 FROM acd_queues WHERE name = $1", other).await? {
            return Err(StoreError::invalid(
                "widen_to_queue",
                format!("queue {other} does not exist"),
            ));
        }
    }
    Ok(())
}

/// What refers to queue `name` by name: inbound routes and other queues.
/// Flow documents are the API's to check.
async fn users_of(conn: &mut AnyConnection, id: i64, name: &str) -> Result<Vec<String>> {
    let mut users = Vec::new();
    let routes = sqlx::query(
        "SELECT did FROM sip_inbound_routes WHERE target_kind = 'queue' AND target = $1 \
         ORDER BY did",
    )
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    for row in routes {
        users.push(format!("inbound route {}", row.try_get::<String, _>(0)?));
    }
    let queues = sqlx::query(
        "SELECT name FROM acd_queues WHERE id <> $1 AND (\
         (overflow_action IN ('queue', 'voicemail') AND overflow_target = $2) \
         OR (no_agent_action IN ('queue', 'voicemail') AND no_agent_target = $2) \
         OR widen_to_queue = $2) ORDER BY name",
    )
    .bind(id)
    .bind(name)
    .fetch_all(&mut *conn)
    .await?;
    for row in queues {
        users.push(format!("queue {}", row.try_get::<String, _>(0)?));
    }
    Ok(users)
}

fn in_use(name: &str, users: &[String]) -> StoreError {
    StoreError::Conflict {
        code: "queue_in_use",
        message: format!("queue {name} is used by {}", users.join(", ")),
    }
}

fn bind_input<'q>(
    query: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
    input: &'q AcdQueueInput,
) -> sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>> {
    query
        .bind(input.name.as_str())
        .bind(input.display_name.as_str())
        .bind(input.strategy.code())
        .bind(input.ring_timeout_s)
        .bind(input.wrap_up_s)
        .bind(input.max_wait_s)
        .bind(input.max_length)
        .bind(input.no_answer_limit)
        .bind(input.aging_per_second)
        .bind(input.overflow_action.code())
        .bind(input.overflow_target.as_str())
        .bind(input.no_agent_action.code())
        .bind(input.no_agent_target.as_str())
        .bind(input.music_class.as_str())
        .bind(i64::from(input.announce_position))
        .bind(input.announce_interval_s)
        .bind(i64::from(input.announce_agent_number))
        .bind(input.sticky_agent_wait_s)
        .bind(input.widen_after_s)
        .bind(input.widen_to_skill)
        .bind(input.widen_to_queue.as_deref())
        .bind(i64::from(input.enabled))
}

/// The number of columns `bind_input` binds, in `COLUMNS` order.
const INPUT_COLUMNS: usize = 22;

fn placeholders(from: usize, count: usize) -> String {
    (from..from + count)
        .map(|n| format!("${n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

pub(crate) async fn insert_acd_queue(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    input: &AcdQueueInput,
) -> Result<i64> {
    check_references(conn, input).await?;
    let sql = format!(
        "INSERT INTO acd_queues ({COLUMNS}, created_at, updated_at) VALUES ({}, ${n}, ${n}) \
         RETURNING id",
        placeholders(1, INPUT_COLUMNS),
        n = INPUT_COLUMNS + 1,
    );
    Ok(bind_input(sqlx::query(&sql), input)
        .bind(to_millis(now))
        .fetch_one(conn)
        .await
        .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?
        .try_get(0)?)
}

async fn members_of(conn: &mut AnyConnection, queue_id: i64) -> Result<Vec<QueueMember>> {
    let rows = sqlx::query(
        "SELECT m.staff_id, s.employee_id, s.name, s.extension, m.skill \
         FROM acd_queue_members m JOIN staff s ON s.id = m.staff_id \
         WHERE m.queue_id = $1 ORDER BY m.skill DESC, s.employee_id",
    )
    .bind(queue_id)
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(QueueMember {
                staff_id: row.try_get(0)?,
                employee_id: row.try_get(1)?,
                name: row.try_get(2)?,
                extension: row.try_get(3)?,
                skill: row.try_get(4)?,
            })
        })
        .collect()
}

/// Replaces a queue's members: each staff member once, skill 1 to 10.
pub(crate) async fn replace_members(
    conn: &mut AnyConnection,
    queue_id: i64,
    members: &[(i64, i64)],
) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (index, (staff_id, skill)) in members.iter().enumerate() {
        if !seen.insert(*staff_id) {
            return Err(StoreError::invalid(
                "staff_id",
                format!("staff {staff_id} is listed twice (entry {index})"),
            ));
        }
        if !SKILL_RANGE.contains(skill) {
            return Err(StoreError::invalid(
                "skill",
                format!("a skill is 1 to 10, got {skill} for staff {staff_id}"),
            ));
        }
        let known = sqlx::query("SELECT 1 FROM staff WHERE id = $1")
            .bind(staff_id)
            .fetch_optional(&mut *conn)
            .await?;
        if known.is_none() {
            return Err(StoreError::invalid(
                "staff_id",
                format!("staff {staff_id} does not exist"),
            ));
        }
    }
    sqlx::query("DELETE FROM acd_queue_members WHERE queue_id = $1")
        .bind(queue_id)
        .execute(&mut *conn)
        .await?;
    for (staff_id, skill) in members {
        sqlx::query(
            "INSERT INTO acd_queue_members (queue_id, staff_id, skill) VALUES ($1, $2, $3)",
        )
        .bind(queue_id)
        .bind(staff_id)
        .bind(skill)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn members_audit(members: &[QueueMember]) -> serde_json::Value {
    members
        .iter()
        .map(|m| serde_json::json!({ "employee_id": m.employee_id, "skill": m.skill }))
        .collect()
}

impl Store {
    /// Every queue, by name.
    pub async fn list_acd_queues(&self) -> Result<Vec<AcdQueue>> {
        let rows = sqlx::query(&format!(
            "SELECT id, {COLUMNS}, created_at, updated_at FROM acd_queues ORDER BY name"
        ))
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn acd_queue(&self, id: i64) -> Result<AcdQueue> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn acd_queue_by_name(&self, name: &str) -> Result<AcdQueue> {
        let row = sqlx::query(&format!(
            "SELECT id, {COLUMNS}, created_at, updated_at FROM acd_queues WHERE name = $1"
        ))
        .bind(name)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("queue", name))?;
        from_row(&row)
    }

    pub async fn create_acd_queue(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: AcdQueueInput,
    ) -> Result<AcdQueue> {
        let mut tx = self.begin_write().await?;
        let id = insert_acd_queue(&mut tx, now, &input).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "acd_queue.create",
            entity: "acd_queue",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a queue's settings. A queue that routes or other queues send
    /// calls to keeps its name (they refer to it by name).
    pub async fn update_acd_queue(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: AcdQueueInput,
    ) -> Result<AcdQueue> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.name != input.name {
            let users = users_of(&mut tx, id, &before.name).await?;
            if !users.is_empty() {
                return Err(in_use(&before.name, &users));
            }
        }
        check_references(&mut tx, &input).await?;
        let assignments = COLUMNS
            .split(", ")
            .enumerate()
            .map(|(i, column)| format!("{} = ${}", column.trim(), i + 1))
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "UPDATE acd_queues SET {assignments}, updated_at = ${} WHERE id = ${}",
            INPUT_COLUMNS + 1,
            INPUT_COLUMNS + 2
        );
        bind_input(sqlx::query(&sql), &input)
            .bind(to_millis(now))
            .bind(id)
            .execute(&mut *tx)
            .await
            .map_err(|e| map_unique(e, &[("name", "name", input.name.as_str())]))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "acd_queue.update",
            entity: "acd_queue",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes a queue and its memberships, unless routes or other queues
    /// send calls to it.
    pub async fn delete_acd_queue(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        let users = users_of(&mut tx, id, &before.name).await?;
        if !users.is_empty() {
            return Err(in_use(&before.name, &users));
        }
        let members = members_of(&mut tx, id).await?;
        sqlx::query("DELETE FROM acd_queue_members WHERE queue_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM acd_queues WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let mut before_value = snapshot(&before);
        if let Some(value) = before_value.as_mut() {
            value["members"] = members_audit(&members);
        }
        let change = Change {
            action: "acd_queue.delete",
            entity: "acd_queue",
            entity_id: id.to_string(),
            before: before_value,
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A queue's members, highest skill first.
    pub async fn queue_members(&self, queue_id: i64) -> Result<Vec<QueueMember>> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, queue_id).await?;
        members_of(&mut conn, queue_id).await
    }

    /// Replaces a queue's members with `members` as (staff id, skill).
    pub async fn set_queue_members(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        queue_id: i64,
        members: Vec<(i64, i64)>,
    ) -> Result<Vec<QueueMember>> {
        let mut tx = self.begin_write().await?;
        let queue = fetch(&mut tx, queue_id).await?;
        let before = members_of(&mut tx, queue_id).await?;
        replace_members(&mut tx, queue_id, &members).await?;
        let after = members_of(&mut tx, queue_id).await?;
        let change = Change {
            action: "acd_queue.members",
            entity: "acd_queue",
            entity_id: queue_id.to_string(),
            before: Some(
                serde_json::json!({ "name": queue.name, "members": members_audit(&before) }),
            ),
            after: Some(
                serde_json::json!({ "name": queue.name, "members": members_audit(&after) }),
            ),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// What the switch's ACD serves: the enabled queues, and the members of
    /// those queues who are enabled staff, by queue and employee ID.
    pub async fn acd_configuration(&self) -> Result<(Vec<AcdQueue>, Vec<QueueMembership>)> {
        let mut conn = self.pool.acquire().await?;
        let rows = sqlx::query(&format!(
            "SELECT id, {COLUMNS}, created_at, updated_at FROM acd_queues WHERE enabled = 1 \
             ORDER BY name"
        ))
        .fetch_all(&mut *conn)
        .await?;
        let queues = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        let rows = sqlx::query(
            "SELECT q.name, s.employee_id, s.extension, m.skill FROM acd_queue_members m \
             JOIN acd_queues q ON q.id = m.queue_id JOIN staff s ON s.id = m.staff_id \
             WHERE q.enabled = 1 AND s.enabled = 1 ORDER BY q.name, s.employee_id",
        )
        .fetch_all(&mut *conn)
        .await?;
        let members = rows
            .iter()
            .map(|row| {
                Ok(QueueMembership {
                    queue_name: row.try_get(0)?,
                    employee_id: row.try_get(1)?,
                    extension: row.try_get(2)?,
                    skill: row.try_get(3)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok((queues, members))
    }
}
