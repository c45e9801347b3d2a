//! A caller's trail through a voice flow (MISSION I9): the nodes entered,
//! keys pressed and results, saved by the switch when the flow ends and
//! shown with the call's record. Keyed by the SIP Call-ID like the CDR.

use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CallTrail {
    pub call_id: String,
    pub flow_name: String,
    /// The version of the flow the call ran.
    pub flow_version: i64,
    /// The steps as the IVR recorded them.
    #[schema(value_type = Vec<Object>)]
    pub steps: serde_json::Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
}

impl Store {
    /// Saves a call's trail; saving again for the same call replaces it (a
    /// call that leaves a flow and comes back keeps its latest trail).
    pub async fn save_call_trail(
        &self,
        now: OffsetDateTime,
        call_id: &str,
        flow_name: &str,
        flow_version: i64,
        steps: &serde_json::Value,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO call_trails (call_id, flow_name, flow_version, steps, created_at) \
             VALUES ($1, $2, $3, $4, $5) ON CONFLICT (call_id) DO UPDATE SET \
             flow_name = excluded.flow_name, flow_version = excluded.flow_version, \
             steps = excluded.steps, created_at = excluded.created_at",
        )
        .bind(call_id)
        .bind(flow_name)
        .bind(flow_version)
        .bind(steps.to_string())
        .bind(to_millis(now))
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The trail of `call_id`, if it went through a flow.
    pub async fn call_trail(&self, call_id: &str) -> Result<Option<CallTrail>> {
        let row = sqlx::query(
            "SELECT call_id, flow_name, flow_version, steps, created_at FROM call_trails \
             WHERE call_id = $1",
        )
        .bind(call_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let steps: String = row.try_get("steps")?;
        Ok(Some(CallTrail {
            call_id: row.try_get("call_id")?,
            flow_name: row.try_get("flow_name")?,
            flow_version: row.try_get("flow_version")?,
            steps: serde_json::from_str(&steps)
                .map_err(|e| StoreError::Corrupt(format!("trail of call {call_id}: {e}")))?,
            created_at: from_millis(row.try_get("created_at")?)?,
        }))
    }
}
