//! Agent PINs (MISSION G10): a phone-only agent signs in by dialling
//! `*11<employee id>*<PIN>`. Like passwords, PINs arrive hashed (Argon2id,
//! by the caller) and never leave this module but to the one check that
//! needs them.

use sb_core::StaffId;
use sqlx::Row;
use time::OffsetDateTime;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::to_millis;

/// What the phone sign-in needs to know of an employee; never serialised.
#[derive(Clone)]
pub struct AgentPin {
    pub id: StaffId,
    pub employee_id: String,
    pub name: String,
    pub enabled: bool,
    /// `None`: no PIN set, so no sign-in by phone.
    pub pin_hash: Option<String>,
}

impl std::fmt::Debug for AgentPin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AgentPin")
            .field("id", &self.id)
            .field("employee_id", &self.employee_id)
            .field("enabled", &self.enabled)
            .field("has_pin", &self.pin_hash.is_some())
            .finish_non_exhaustive()
    }
}

impl Store {
    /// Sets (or with `None` clears) the agent PIN of staff `id`, audited as
    /// `staff.agent_pin` without the hash.
    pub async fn set_agent_pin(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: StaffId,
        pin_hash: Option<&str>,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let employee_id: Option<String> =
            sqlx::query("SELECT employee_id FROM staff WHERE id = $1")
                .bind(id.0)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.try_get(0))
                .transpose()?;
        let employee_id = employee_id.ok_or_else(|| StoreError::not_found("staff", id))?;
        sqlx::query("UPDATE staff SET agent_pin_hash = $1, updated_at = $2 WHERE id = $3")
            .bind(pin_hash)
            .bind(to_millis(now))
            .bind(id.0)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "staff.agent_pin",
            entity: "staff",
            entity_id: id.to_string(),
            before: None,
            after: Some(serde_json::json!({
                "employee_id": employee_id,
                "agent_pin": if pin_hash.is_some() { "changed" } else { "cleared" },
            })),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The employee and their PIN hash, for a sign-in by phone.
    pub async fn agent_pin(&self, employee_id: &str) -> Result<Option<AgentPin>> {
        let row = sqlx::query(
            "SELECT id, employee_id, name, enabled, agent_pin_hash FROM staff WHERE employee_id = $1",
        )
        .bind(employee_id)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let enabled: i64 = row.try_get("enabled")?;
        Ok(Some(AgentPin {
            id: StaffId(row.try_get("id")?),
            employee_id: row.try_get("employee_id")?,
            name: row.try_get("name")?,
            enabled: enabled != 0,
            pin_hash: row.try_get("agent_pin_hash")?,
        }))
    }
}
