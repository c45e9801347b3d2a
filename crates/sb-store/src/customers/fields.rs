//! Fields admins add to the customer profile (MISSION C1): text, number,
//! date, or a choice from a dictionary list. Values live in the customer's
//! `custom_fields` object under the field's key; sb-desk checks them.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::OffsetDateTime;
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
pub use crate::codes::CustomFieldKind;
use crate::db::Store;
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerFieldDef {
    pub id: i64,
    /// The key in `custom_fields`: lower-case letters, digits and `_`.
    pub key: String,
    pub label: String,
    pub kind: CustomFieldKind,
    /// For `choice`: the dictionary list whose item codes are the values.
    pub dictionary_type: String,
    pub required: bool,
    pub sort_order: i64,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct CustomerFieldDefInput {
    pub key: String,
    pub label: String,
    pub kind: CustomFieldKind,
    pub dictionary_type: String,
    pub required: bool,
    pub sort_order: i64,
}

const SELECT: &str = "SELECT id, field_key, label, kind, dictionary_type, required, sort_order, \
     created_at, updated_at FROM customer_field_defs";

fn from_row(row: &AnyRow) -> Result<CustomerFieldDef> {
    Ok(CustomerFieldDef {
        id: row.try_get("id")?,
        key: row.try_get("field_key")?,
        label: row.try_get("label")?,
        kind: CustomFieldKind::stored(&row.try_get::<String, _>("kind")?)?,
        dictionary_type: row.try_get("dictionary_type")?,
        required: row.try_get::<i64, _>("required")? != 0,
        sort_order: row.try_get("sort_order")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut sqlx::AnyConnection, id: i64) -> Result<CustomerFieldDef> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1"))
        .bind(id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("customer field", id))?;
    from_row(&row)
}

impl Store {
    pub async fn customer_field_defs(&self) -> Result<Vec<CustomerFieldDef>> {
        let rows = sqlx::query(&format!("{SELECT} ORDER BY sort_order, id"))
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn create_customer_field_def(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: CustomerFieldDefInput,
    ) -> Result<CustomerFieldDef> {
        let mut tx = self.begin_write().await?;
        let id: i64 = sqlx::query(
            "INSERT INTO customer_field_defs (field_key, label, kind, dictionary_type, required, \
             sort_order, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             RETURNING id",
        )
        .bind(&input.key)
        .bind(&input.label)
        .bind(input.kind.code())
        .bind(&input.dictionary_type)
        .bind(i64::from(input.required))
        .bind(input.sort_order)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|e| map_unique(e, &[("field_key", "key", input.key.as_str())]))?
        .try_get(0)?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "customer_field.create",
            entity: "customer_field",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    /// Changes a field; its key and kind stay, since stored values depend on them.
    pub async fn update_customer_field_def(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: CustomerFieldDefInput,
    ) -> Result<CustomerFieldDef> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        if before.key != input.key || before.kind != input.kind {
            return Err(StoreError::Conflict {
                code: "field_fixed",
                message: format!(
                    "the key and type of field `{}` cannot change: customers hold values of it",
                    before.key
                ),
            });
        }
        sqlx::query(
            "UPDATE customer_field_defs SET label = $1, dictionary_type = $2, required = $3, \
             sort_order = $4, updated_at = $5 WHERE id = $6",
        )
        .bind(&input.label)
        .bind(&input.dictionary_type)
        .bind(i64::from(input.required))
        .bind(input.sort_order)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "customer_field.update",
            entity: "customer_field",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Removes a field definition; values already stored stay in the
    /// customers' records (shown as extra data) until they are next saved.
    pub async fn delete_customer_field_def(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM customer_field_defs WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "customer_field.delete",
            entity: "customer_field",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
