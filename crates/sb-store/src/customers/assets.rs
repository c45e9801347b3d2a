//! What a customer owns that service is about (MISSION C3): a vehicle with
//! its VIN, plate, model and purchase date, an appliance with its serial.

use serde::Serialize;
use sqlx::Row;
use sqlx::any::AnyRow;
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::db::Store;
use crate::error::{Result, StoreError};
use crate::millis::{from_millis, to_millis};
use crate::snapshot;

use super::{date_text, date_value};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct CustomerAsset {
    pub id: i64,
    pub customer_id: i64,
    /// A code of the dictionary list `customer_asset_kind`.
    pub kind: String,
    pub model: String,
    /// VIN or serial number, upper-cased.
    pub serial: String,
    pub plate: String,
    #[serde(serialize_with = "crate::millis::iso_date_option::serialize")]
    #[schema(value_type = Option<String>, format = Date)]
    pub bought_on: Option<Date>,
    pub notes: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone)]
pub struct CustomerAssetInput {
    pub kind: String,
    pub model: String,
    pub serial: String,
    pub plate: String,
    pub bought_on: Option<Date>,
    pub notes: String,
}

const SELECT: &str = "SELECT id, customer_id, kind, model, serial, plate, bought_on, notes, \
     created_at, updated_at FROM customer_assets";

fn from_row(row: &AnyRow) -> Result<CustomerAsset> {
    Ok(CustomerAsset {
        id: row.try_get("id")?,
        customer_id: row.try_get("customer_id")?,
        kind: row.try_get("kind")?,
        model: row.try_get("model")?,
        serial: row.try_get("serial")?,
        plate: row.try_get("plate")?,
        bought_on: date_value(row.try_get("bought_on")?)?,
        notes: row.try_get("notes")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

async fn fetch(conn: &mut sqlx::AnyConnection, customer_id: i64, id: i64) -> Result<CustomerAsset> {
    let row = sqlx::query(&format!("{SELECT} WHERE id = $1 AND customer_id = $2"))
        .bind(id)
        .bind(customer_id)
        .fetch_optional(conn)
        .await?
        .ok_or_else(|| StoreError::not_found("asset", id))?;
    from_row(&row)
}

impl Store {
    pub async fn customer_assets(&self, customer_id: i64) -> Result<Vec<CustomerAsset>> {
        let rows = sqlx::query(&format!("{SELECT} WHERE customer_id = $1 ORDER BY id"))
            .bind(customer_id)
            .fetch_all(&self.pool)
            .await?;
        rows.iter().map(from_row).collect()
    }

    pub async fn create_customer_asset(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        customer_id: i64,
        input: CustomerAssetInput,
    ) -> Result<CustomerAsset> {
        let mut tx = self.begin_write().await?;
        super::fetch(&mut tx, customer_id).await?;
        let id: i64 = sqlx::query(
            "INSERT INTO customer_assets (customer_id, kind, model, serial, plate, bought_on, \
             notes, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $8) \
             RETURNING id",
        )
        .bind(customer_id)
        .bind(&input.kind)
        .bind(&input.model)
        .bind(&input.serial)
        .bind(&input.plate)
        .bind(date_text(input.bought_on))
        .bind(&input.notes)
        .bind(to_millis(now))
        .fetch_one(&mut *tx)
        .await?
        .try_get(0)?;
        let created = fetch(&mut tx, customer_id, id).await?;
        let change = Change {
            action: "customer.asset.create",
            entity: "customer",
            entity_id: customer_id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_customer_asset(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        customer_id: i64,
        id: i64,
        input: CustomerAssetInput,
    ) -> Result<CustomerAsset> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, customer_id, id).await?;
        sqlx::query(
            "UPDATE customer_assets SET kind = $1, model = $2, serial = $3, plate = $4, \
             bought_on = $5, notes = $6, updated_at = $7 WHERE id = $8",
        )
        .bind(&input.kind)
        .bind(&input.model)
        .bind(&input.serial)
        .bind(&input.plate)
        .bind(date_text(input.bought_on))
        .bind(&input.notes)
        .bind(to_millis(now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let after = fetch(&mut tx, customer_id, id).await?;
        let change = Change {
            action: "customer.asset.update",
            entity: "customer",
            entity_id: customer_id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    pub async fn delete_customer_asset(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        customer_id: i64,
        id: i64,
    ) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, customer_id, id).await?;
        sqlx::query("DELETE FROM customer_assets WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "customer.asset.delete",
            entity: "customer",
            entity_id: customer_id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }
}
