//! A campaign's targets: picked by the saved customer filter while
//! planning, then each customer's result while running, which also goes
//! onto the customer's contact timeline.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::{CampaignState, InteractionKind};
use crate::customers::{CustomerFilter, NewInteraction, insert_interaction};
use crate::db::{Arg, Sql, Store};
use crate::error::{Result, StoreError};
use crate::millis::{from_millis_opt, to_millis};
use crate::page::{Page, PageRequest, fetch_page};

use super::campaign::{Campaign, fetch, wrong_stage};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CampaignTarget {
    pub campaign_id: i64,
    pub customer_id: i64,
    pub customer_name: String,
    /// The customer's first number, as written.
    pub phone: Option<String>,
    pub level: String,
    #[serde(flatten)]
    pub result: CampaignResult,
    /// Employee ID of who recorded the result last.
    pub updated_by: String,
    #[serde(with = "time::serde::rfc3339::option")]
    pub updated_at: Option<OffsetDateTime>,
}

/// What came of one customer; absent values are not known yet. Checked by
/// the desk (no attendance without an invitation, ...).
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CampaignResult {
    pub invited: Option<bool>,
    /// Why they declined the invitation.
    pub refusal_reason: String,
    pub attended: Option<bool>,
    /// Whether they took the gift or coupon.
    pub gift_taken: Option<bool>,
    /// 1 (very unhappy) to 5 (very happy).
    pub satisfaction: Option<i64>,
    pub dissatisfaction_reason: String,
    pub notes: String,
}

/// Which targets to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum CampaignTargetFilter {
    #[default]
    All,
    /// No invitation result yet.
    Pending,
    Invited,
    Refused,
    Attended,
}

const SELECT: &str = "SELECT x.campaign_id, x.customer_id, c.name AS customer_name, \
     (SELECT p.number FROM customer_phones p WHERE p.customer_id = c.id \
        ORDER BY p.sort_order, p.id LIMIT 1) AS phone, c.level, \
     x.invited, x.refusal_reason, x.attended, x.gift_taken, x.satisfaction, \
     x.dissatisfaction_reason, x.notes, x.updated_by, x.updated_at \
     FROM campaign_targets x JOIN customers c ON c.id = x.customer_id";

const COUNT: &str =
    "SELECT COUNT(*) FROM campaign_targets x JOIN customers c ON c.id = x.customer_id";

fn flag(row: &AnyRow, column: &str) -> Result<Option<bool>> {
    Ok(row.try_get::<Option<i64>, _>(column)?.map(|v| v != 0))
}

fn from_row(row: &AnyRow) -> Result<CampaignTarget> {
    Ok(CampaignTarget {
        campaign_id: row.try_get("campaign_id")?,
        customer_id: row.try_get("customer_id")?,
        customer_name: row.try_get("customer_name")?,
        phone: row.try_get("phone")?,
        level: row.try_get("level")?,
        result: CampaignResult {
            invited: flag(row, "invited")?,
            refusal_reason: row.try_get("refusal_reason")?,
            attended: flag(row, "attended")?,
            gift_taken: flag(row, "gift_taken")?,
            satisfaction: row.try_get("satisfaction")?,
            dissatisfaction_reason: row.try_get("dissatisfaction_reason")?,
            notes: row.try_get("notes")?,
        },
        updated_by: row.try_get("updated_by")?,
        updated_at: from_millis_opt(row.try_get("updated_at")?)?,
    })
}

/// Takes the campaign's row for this write if it is at `stage`: the check
/// and the lock are one statement, so a stage change cannot slip between.
async fn hold_at_stage(
    conn: &mut sqlx::AnyConnection,
    now: OffsetDateTime,
    id: i64,
    stage: CampaignState,
    what: &str,
) -> Result<()> {
    let held = sqlx::query("UPDATE campaigns SET updated_at = $1 WHERE id = $2 AND state = $3")
        .bind(to_millis(now))
        .bind(id)
        .bind(stage.code())
        .execute(&mut *conn)
        .await?
        .rows_affected();
    if held == 0 {
        let campaign = fetch(conn, id).await?;
        return Err(wrong_stage(what, &campaign));
    }
    Ok(())
}

fn opt_flag(value: Option<bool>) -> Option<i64> {
    value.map(i64::from)
}

impl Store {
    /// How many customers `filter` picks (the count preview).
    pub async fn count_customers(&self, filter: &CustomerFilter) -> Result<i64> {
        let mut sql = Sql::new("SELECT COUNT(*) FROM customers c");
        let cond = self.customer_conditions(filter);
        sql.push(&cond.text);
        sql.args = cond.args;
        Ok(sql.query().fetch_one(&self.pool).await?.try_get(0)?)
    }

    /// Replaces the campaign's targets with the customers `filter` picks
    /// (at most `limit`, by id); only while planning.
    pub async fn pick_campaign_targets(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        filter: &CustomerFilter,
        limit: i64,
    ) -> Result<Campaign> {
        let mut tx = self.begin_write().await?;
        hold_at_stage(&mut tx, now, id, CampaignState::Planning, "pick targets").await?;
        sqlx::query("DELETE FROM campaign_targets WHERE campaign_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        // The id is an integer of ours, so it goes into the text; the
        // filter's own placeholders keep their numbers.
        let mut sql = Sql::new(&format!(
            "INSERT INTO campaign_targets (campaign_id, customer_id) SELECT {id}, c.id \
             FROM customers c"
        ));
        let cond = self.customer_conditions(filter);
        sql.push(&cond.text);
        sql.args = cond.args;
        sql.push(" ORDER BY c.id LIMIT ").bind(Arg::Int(limit));
        let picked = sql.query().execute(&mut *tx).await?.rows_affected();
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "campaign.pick_targets",
            entity: "campaign",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({ "filter": after.filter, "picked": picked })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The targets in customer-name order.
    pub async fn campaign_targets(
        &self,
        id: i64,
        filter: CampaignTargetFilter,
        page: PageRequest,
    ) -> Result<Page<CampaignTarget>> {
        let mut cond = Sql::new(" WHERE x.campaign_id = ");
        cond.bind(Arg::Int(id));
        cond.push(match filter {
            CampaignTargetFilter::All => "",
            CampaignTargetFilter::Pending => " AND x.invited IS NULL",
            CampaignTargetFilter::Invited => " AND x.invited = 1",
            CampaignTargetFilter::Refused => " AND x.invited = 0",
            CampaignTargetFilter::Attended => " AND x.attended = 1",
        });
        let mut conn = self.pool.acquire().await?;
        let (rows, total) = fetch_page(
            &mut conn,
            SELECT,
            COUNT,
            &cond,
            "c.name, x.customer_id",
            page,
        )
        .await?;
        let items = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
        Ok(Page::new(items, total, page))
    }

    pub async fn campaign_target(&self, id: i64, customer_id: i64) -> Result<CampaignTarget> {
        let row = sqlx::query(&format!(
            "{SELECT} WHERE x.campaign_id = $1 AND x.customer_id = $2"
        ))
        .bind(id)
        .bind(customer_id)
        .fetch_optional(&self.pool)
        .await?
        .ok_or_else(|| StoreError::not_found("campaign target", customer_id))?;
        from_row(&row)
    }

    /// Records one customer's result while the campaign runs, with a line
    /// on their timeline.
    pub async fn record_campaign_result(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        customer_id: i64,
        result: &CampaignResult,
        timeline: &str,
    ) -> Result<CampaignTarget> {
        let mut tx = self.begin_write().await?;
        hold_at_stage(&mut tx, now, id, CampaignState::Running, "record a result").await?;
        let changed = sqlx::query(
            "UPDATE campaign_targets SET invited = $1, refusal_reason = $2, attended = $3, \
             gift_taken = $4, satisfaction = $5, dissatisfaction_reason = $6, notes = $7, \
             updated_by = $8, updated_at = $9 WHERE campaign_id = $10 AND customer_id = $11",
        )
        .bind(opt_flag(result.invited))
        .bind(&result.refusal_reason)
        .bind(opt_flag(result.attended))
        .bind(opt_flag(result.gift_taken))
        .bind(result.satisfaction)
        .bind(&result.dissatisfaction_reason)
        .bind(&result.notes)
        .bind(&actor.employee_id)
        .bind(to_millis(now))
        .bind(id)
        .bind(customer_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Err(StoreError::not_found("campaign target", customer_id));
        }
        let entry = NewInteraction {
            customer_id,
            kind: InteractionKind::Campaign,
            ref_id: id.to_string(),
            summary: timeline.to_owned(),
            staff: actor.employee_id.clone(),
            occurred_at: now,
        };
        insert_interaction(&mut tx, &entry).await?;
        tx.commit().await?;
        self.campaign_target(id, customer_id).await
    }
}
