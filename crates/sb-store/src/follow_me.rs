//! Follow-me to the agent's own mobile (MISSION G8): kept on the staff row
//! (`follow_me_mode`, `follow_me_delay_s`), set by the person themselves or
//! by an admin with the staff record, and read by the switch through its
//! directory for the extension it rings or the agent the ACD offers a call.

use sb_core::follow_me::MAX_FOLLOW_ME_DELAY_S;
use sb_core::{FollowMeMode, StaffId};
use serde::{Deserialize, Serialize};
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::to_millis;
use crate::snapshot;
use crate::staff::Staff;

/// A person's follow-me setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct FollowMe {
    #[schema(value_type = String, example = "no_answer")]
    pub mode: FollowMeMode,
    /// Seconds before the mobile rings too with `no_answer` (0..=120).
    pub delay_s: u32,
}

/// Where the switch sends a follow-me call: only for enabled staff with a
/// mobile and a mode other than `off`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FollowMeTarget {
    pub employee_id: String,
    pub mobile: String,
    pub mode: FollowMeMode,
    pub delay_s: u32,
}

pub(crate) fn mode_from_row(row: &AnyRow) -> Result<FollowMeMode> {
    let code: String = row.try_get("follow_me_mode")?;
    code.parse()
        .map_err(|_| StoreError::Corrupt(format!("follow_me_mode `{code}`")))
}

pub(crate) fn delay_from_row(row: &AnyRow) -> Result<u32> {
    let delay: i64 = row.try_get("follow_me_delay_s")?;
    u32::try_from(delay).map_err(|_| StoreError::Corrupt(format!("follow_me_delay_s {delay}")))
}

/// Writes the setting of staff `id` (no audit: the caller's change row
/// holds it). A mode other than `off` needs the person's mobile.
pub(crate) async fn write(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    id: i64,
    follow_me: FollowMe,
) -> Result<()> {
    if follow_me.delay_s > MAX_FOLLOW_ME_DELAY_S {
        return Err(StoreError::invalid(
            "follow_me_delay_s",
            format!("at most {MAX_FOLLOW_ME_DELAY_S} seconds"),
        ));
    }
    let mobile: Option<String> = sqlx::query("SELECT mobile FROM staff WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .map(|row| row.try_get(0))
        .transpose()?;
    let mobile = mobile.ok_or_else(|| StoreError::not_found("staff", id))?;
    if follow_me.mode != FollowMeMode::Off && mobile.trim().is_empty() {
        return Err(StoreError::invalid(
            "follow_me_mode",
            "follow-me needs a mobile number on the staff record",
        ));
    }
    sqlx::query(
        "UPDATE staff SET follow_me_mode = $1, follow_me_delay_s = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(follow_me.mode.code())
    .bind(i64::from(follow_me.delay_s))
    .bind(to_millis(now))
    .bind(id)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

const TARGET_SELECT: &str = "SELECT employee_id, mobile, follow_me_mode, follow_me_delay_s FROM staff \
     WHERE enabled = 1 AND follow_me_mode <> 'off' AND mobile <> ''";

fn target_from_row(row: &AnyRow) -> Result<FollowMeTarget> {
    Ok(FollowMeTarget {
        employee_id: row.try_get("employee_id")?,
        mobile: row.try_get("mobile")?,
        mode: mode_from_row(row)?,
        delay_s: delay_from_row(row)?,
    })
}

impl Store {
    /// The person's own follow-me setting.
    pub async fn follow_me(&self, id: StaffId) -> Result<FollowMe> {
        let staff = self.staff(id.0).await?;
        Ok(FollowMe {
            mode: staff.follow_me_mode,
            delay_s: staff.follow_me_delay_s,
        })
    }

    /// Sets the follow-me of staff `id`, audited as `staff.follow_me` with
    /// the record before and after.
    pub async fn set_follow_me(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: StaffId,
        follow_me: FollowMe,
    ) -> Result<Staff> {
        let mut tx = self.begin_write().await?;
        let before = crate::staff::fetch(&mut tx, id.0).await?;
        write(&mut tx, now, id.0, follow_me).await?;
        let after = crate::staff::fetch(&mut tx, id.0).await?;
        let change = Change {
            action: "staff.follow_me",
            entity: "staff",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// The follow-me of the person whose own extension is `extension`.
    pub async fn follow_me_for_extension(&self, extension: &str) -> Result<Option<FollowMeTarget>> {
        let row = sqlx::query(&format!("{TARGET_SELECT} AND extension = $1"))
            .bind(extension)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(target_from_row).transpose()
    }

    /// The follow-me of the agent with `employee_id` (who may be signed in
    /// at any extension).
    pub async fn follow_me_for_agent(&self, employee_id: &str) -> Result<Option<FollowMeTarget>> {
        let row = sqlx::query(&format!("{TARGET_SELECT} AND employee_id = $1"))
            .bind(employee_id)
            .fetch_optional(&self.pool)
            .await?;
        row.as_ref().map(target_from_row).transpose()
    }
}
