//! The campaign itself: theme, day, kind, place, the saved filter, the
//! owning department and its stage.

use serde::Serialize;
use serde_json::Value;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::{CampaignKind, CampaignState};
use crate::db::{Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

/// How many targets answered what so far.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CampaignCounts {
    pub targets: i64,
    /// Targets with a recorded invitation result (yes or no).
    pub contacted: i64,
    pub invited: i64,
    pub refused: i64,
    pub attended: i64,
    pub gift_taken: i64,
    /// Attendees who gave a satisfaction score.
    pub rated: i64,
    /// Scores of 4 or 5.
    pub satisfied: i64,
}

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Campaign {
    pub id: i64,
    pub theme: String,
    /// `YYYY-MM-DD`.
    pub held_on: String,
    pub kind: CampaignKind,
    pub location: String,
    pub description: String,
    /// The customer search's query parameters that pick the targets
    /// (`level`, `lifecycle`, `province`, `city`, `idle_days`, ...).
    #[schema(value_type = Object)]
    pub filter: Value,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    pub state: CampaignState,
    pub created_by: String,
    pub counts: CampaignCounts,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

/// A campaign as a manager sets it; validated by the caller.
#[derive(Debug, Clone)]
pub struct CampaignInput {
    pub theme: String,
    pub held_on: String,
    pub kind: CampaignKind,
    pub location: String,
    pub description: String,
    pub filter: Value,
    pub department_id: Option<i64>,
}

const SELECT: &str = "SELECT g.id, g.theme, g.held_on, g.kind, g.location, g.description, \
     g.filter, g.department_id, d.name AS department_name, g.state, g.created_by, \
     g.created_at, g.updated_at, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id) AS targets, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id \
        AND x.invited IS NOT NULL) AS contacted, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id AND x.invited = 1) AS invited, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id AND x.invited = 0) AS refused, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id AND x.attended = 1) AS attended, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id AND x.gift_taken = 1) AS gift_taken, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id \
        AND x.satisfaction IS NOT NULL) AS rated, \
     (SELECT COUNT(*) FROM campaign_targets x WHERE x.campaign_id = g.id \
        AND x.satisfaction >= 4) AS satisfied \
     FROM campaigns g LEFT JOIN departments d ON d.id = g.department_id";

fn from_row(row: &AnyRow) -> Result<Campaign> {
    let filter: String = row.try_get("filter")?;
    Ok(Campaign {
        id: row.try_get("id")?,
        theme: row.try_get("theme")?,
        held_on: row.try_get("held_on")?,
        kind: CampaignKind::stored(&row.try_get::<String, _>("kind")?)?,
        location: row.try_get("location")?,
        description: row.try_get("description")?,
        filter: serde_json::from_str(&filter)
            .map_err(|e| StoreError::Corrupt(format!("campaign filter: {e}")))?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        state: CampaignState::stored(&row.try_get::<String, _>("state")?)?,
        created_by: row.try_get("created_by")?,
        counts: CampaignCounts {
            targets: row.try_get("targets")?,
            contacted: row.try_get("contacted")?,
            invited: row.try_get("invited")?,
            refused: row.try_get("refused")?,
            attended: row.try_get("attended")?,
            gift_taken: row.try_get("gift_taken")?,
            rated: row.try_get("rated")?,
            satisfied: row.try_get("satisfied")?,
        },
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Campaign> {
    let row = sqlx::query(&format!("{SELECT} WHERE g.id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("campaign", id))?;
    from_row(&row)
}

fn department_fk(e: sqlx::Error, department_id: Option<i64>) -> StoreError {
    if e.as_database_error()
        .is_some_and(|d| d.kind() == sqlx::error::ErrorKind::ForeignKeyViolation)
    {
        StoreError::invalid(
            "department_id",
            format!("there is no department {}", department_id.unwrap_or(0)),
        )
    } else {
        e.into()
    }
}

/// The 409 of a write whose stage moved on: names the stage it is in.
pub(crate) fn wrong_stage(what: &str, campaign: &Campaign) -> StoreError {
    StoreError::Conflict {
        code: "illegal_transition",
        message: format!("{what}: campaign is {}", campaign.state.code()),
    }
}

impl Store {
    /// Campaigns by day, newest first; `department_ids` limits them to those
    /// departments (data scope), `None` is every campaign.
    pub async fn list_campaigns(&self, department_ids: Option<&[i64]>) -> Result<Vec<Campaign>> {
        let mut sql = Sql::new(SELECT);
        if let Some(ids) = department_ids {
            sql.push(" WHERE g.department_id IN ").bind_list(ids);
        }
        sql.push(" ORDER BY g.held_on DESC, g.id DESC");
        let rows = sql.query().fetch_all(&self.pool).await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn campaign(&self, id: i64) -> Result<Campaign> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    pub async fn create_campaign(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: CampaignInput,
    ) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO campaigns (theme, held_on, kind, location, description, filter, \
             department_id, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING id",
        )
        .bind(&input.theme)
        .bind(&input.held_on)
        .bind(input.kind.code())
        .bind(&input.location)
        .bind(&input.description)
        .bind(input.filter.to_string())
        .bind(input.department_id)
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| department_fk(e, input.department_id))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "campaign.create",
            entity: "campaign",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes the campaign's details. The filter may change only while
    /// planning (the targets were picked by it); 409 otherwise.
    pub async fn update_campaign(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: CampaignInput,
    ) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.filter != input.filter && before.state != CampaignState::Planning {
            return Err(wrong_stage("change the filter", &before));
        }
        if before.state == CampaignState::Finished {
            return Err(wrong_stage("edit", &before));
        }
        sqlx::query(
            "UPDATE campaigns SET theme = $1, held_on = $2, kind = $3, location = $4, \
             description = $5, filter = $6, department_id = $7, updated_at = $8 WHERE id = $9",
        )
        .bind(&input.theme)
        .bind(&input.held_on)
        .bind(input.kind.code())
        .bind(&input.location)
        .bind(&input.description)
        .bind(input.filter.to_string())
        .bind(input.department_id)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await
        .map_err(|e| department_fk(e, input.department_id))?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "campaign.update",
            entity: "campaign",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves the campaign from stage `from` to `to`; 409 naming the stage
    /// when it is no longer at `from`.
    pub async fn set_campaign_state(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        from: CampaignState,
        to: CampaignState,
    ) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        let changed = sqlx::query(
            "UPDATE campaigns SET state = $1, updated_at = $2 WHERE id = $3 AND state = $4",
        )
        .bind(to.code())
        .bind(to_millis(now))
        .bind(id)
        .bind(from.code())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(wrong_stage(to.code(), &before));
        }
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "campaign.stage",
            entity: "campaign",
            entity_id: id.to_string(),
            before: snapshot(&before.state),
            after: snapshot(&after.state),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_campaign(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM campaigns WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "campaign.delete",
            entity: "campaign",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
