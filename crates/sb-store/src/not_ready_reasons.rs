//! The reasons an agent can give for not taking calls (MISSION A10): the
//! items of the dictionary list `agent_not_ready_reason`, which migration
//! 0005 creates with break, meal, training and meeting; admins edit them in
//! the dictionary like any other list.

use sqlx::Row;

use crate::db::Store;
use crate::error::Result;

/// The dictionary list holding the reasons.
pub const NOT_READY_REASON_TYPE: &str = "agent_not_ready_reason";

impl Store {
    /// (code, name) of each enabled reason, in the list's order.
    pub async fn not_ready_reasons(&self) -> Result<Vec<(String, String)>> {
        let rows = sqlx::query(
            "SELECT i.code, i.label FROM dictionary_items i \
             JOIN dictionary_types t ON t.id = i.type_id \
             WHERE t.code = $1 AND i.enabled = 1 ORDER BY i.sort_order, i.code",
        )
        .bind(NOT_READY_REASON_TYPE)
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
            .collect()
    }
}
