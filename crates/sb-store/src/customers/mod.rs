//! Customers (MISSION C1-C3): the profile with its phone numbers (each kept
//! as written and in its E.164 form, which screen pop looks up), e-mails and
//! addresses, written and read as one record; assets, admin-defined fields
//! and the contact timeline live in the sibling modules.
//!
//! Inputs arrive checked by sb-desk (numbers normalised, dictionary codes and
//! custom fields validated); this layer enforces uniqueness (the ID card) and
//! references (owner, department) and names the field at fault.

mod assets;
mod bulk;
mod fields;
mod import;
mod search;
mod timeline;

use serde::Serialize;
use sqlx::any::AnyRow;
use sqlx::{AnyConnection, Row};
use time::{Date, OffsetDateTime};
use utoipa::ToSchema;

use crate::audit::{Actor, Change, record_change};
use crate::codes::{AddressLabel, CustomerLifecycle, Gender, PhoneLabel};
use crate::db::{Backend, Store};
use crate::error::{Result, StoreError, map_unique};
use crate::millis::{from_millis, from_millis_opt, to_millis};
use crate::snapshot;

pub use assets::{CustomerAsset, CustomerAssetInput};
pub use fields::{CustomFieldKind, CustomerFieldDef, CustomerFieldDefInput};
pub use import::CustomerWrite;
pub use search::{CustomerFilter, CustomerScope, CustomerSort};
pub(crate) use timeline::insert_interaction;
pub use timeline::{Interaction, NewInteraction, TimelineCall, dialled_forms};

#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct Customer {
    pub id: i64,
    pub name: String,
    pub gender: Gender,
    /// `YYYY-MM-DD`.
    #[serde(serialize_with = "crate::millis::iso_date_option::serialize")]
    #[schema(value_type = Option<String>, format = Date)]
    pub birth_date: Option<Date>,
    pub occupation: String,
    /// A code of the dictionary list `customer_education`, or empty.
    pub education: String,
    /// A code of the dictionary list `customer_marital_status`, or empty.
    pub marital_status: String,
    pub id_card: Option<String>,
    pub province: String,
    pub city: String,
    pub lifecycle: CustomerLifecycle,
    /// A code of the dictionary list `customer_level`.
    pub level: String,
    pub source: String,
    pub notes: String,
    /// Values of the admin-defined fields, keyed by field key.
    #[schema(value_type = Object)]
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub owner_id: Option<i64>,
    pub owner_name: Option<String>,
    pub department_id: Option<i64>,
    pub department_name: Option<String>,
    #[serde(with = "time::serde::rfc3339::option")]
    pub last_contact_at: Option<OffsetDateTime>,
    pub phones: Vec<CustomerPhone>,
    pub emails: Vec<CustomerEmail>,
    pub addresses: Vec<CustomerAddress>,
    /// Employee ID of who created the record.
    pub created_by: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerPhone {
    /// As it was written.
    pub number: String,
    /// The normalised form lookups use (`+8613800138000`).
    pub e164: String,
    pub label: PhoneLabel,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerEmail {
    pub email: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
pub struct CustomerAddress {
    pub label: AddressLabel,
    pub province: String,
    pub city: String,
    pub detail: String,
    pub postcode: String,
}

/// A profile as it is written; the lists replace what the record had.
#[derive(Debug, Clone)]
pub struct CustomerInput {
    pub name: String,
    pub gender: Gender,
    pub birth_date: Option<Date>,
    pub occupation: String,
    pub education: String,
    pub marital_status: String,
    pub id_card: Option<String>,
    pub province: String,
    pub city: String,
    pub lifecycle: CustomerLifecycle,
    pub level: String,
    pub source: String,
    pub notes: String,
    pub custom_fields: serde_json::Map<String, serde_json::Value>,
    pub owner_id: Option<i64>,
    pub department_id: Option<i64>,
    pub phones: Vec<CustomerPhone>,
    pub emails: Vec<CustomerEmail>,
    pub addresses: Vec<CustomerAddress>,
}

const DATE_FORMAT: &[time::format_description::FormatItem<'static>] =
    time::macros::format_description!("[year]-[month]-[day]");

pub(crate) fn date_text(date: Option<Date>) -> Option<String> {
    date.and_then(|d| d.format(DATE_FORMAT).ok())
}

pub(crate) fn date_value(text: Option<String>) -> Result<Option<Date>> {
    text.map(|t| {
        Date::parse(&t, DATE_FORMAT).map_err(|e| StoreError::Corrupt(format!("date `{t}`: {e}")))
    })
    .transpose()
}

const SELECT: &str = "SELECT c.id, c.name, c.gender, c.birth_date, c.occupation, c.education, \
     c.marital_status, c.id_card, c.province, c.city, c.lifecycle, c.level, c.source, c.notes, \
     c.custom_fields, c.owner_id, s.name AS owner_name, c.department_id, d.name AS department_name, \
     c.last_contact_at, c.created_by, c.created_at, c.updated_at \
     FROM customers c LEFT JOIN staff s ON s.id = c.owner_id \
     LEFT JOIN departments d ON d.id = c.department_id";

fn from_row(row: &AnyRow) -> Result<Customer> {
    let custom: String = row.try_get("custom_fields")?;
    let custom_fields = match serde_json::from_str::<serde_json::Value>(&custom) {
        Ok(serde_json::Value::Object(map)) => map,
        _ => return Err(StoreError::Corrupt(format!("custom fields `{custom}`"))),
    };
    Ok(Customer {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        gender: Gender::stored(&row.try_get::<String, _>("gender")?)?,
        birth_date: date_value(row.try_get("birth_date")?)?,
        occupation: row.try_get("occupation")?,
        education: row.try_get("education")?,
        marital_status: row.try_get("marital_status")?,
        id_card: row.try_get("id_card")?,
        province: row.try_get("province")?,
        city: row.try_get("city")?,
        lifecycle: CustomerLifecycle::stored(&row.try_get::<String, _>("lifecycle")?)?,
        level: row.try_get("level")?,
        source: row.try_get("source")?,
        notes: row.try_get("notes")?,
        custom_fields,
        owner_id: row.try_get("owner_id")?,
        owner_name: row.try_get("owner_name")?,
        department_id: row.try_get("department_id")?,
        department_name: row.try_get("department_name")?,
        last_contact_at: from_millis_opt(row.try_get("last_contact_at")?)?,
        phones: Vec::new(),
        emails: Vec::new(),
        addresses: Vec::new(),
        created_by: row.try_get("created_by")?,
        created_at: from_millis(row.try_get("created_at")?)?,
        updated_at: from_millis(row.try_get("updated_at")?)?,
    })
}

/// Fills the phone, e-mail and address lists of `customers` in three queries.
async fn attach_contacts(conn: &mut AnyConnection, customers: &mut [Customer]) -> Result<()> {
    if customers.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = customers.iter().map(|c| c.id).collect();
    let position = |id: i64| customers.iter().position(|c| c.id == id);
    let mut sql = crate::db::Sql::new(
        "SELECT customer_id, number, e164, label FROM customer_phones WHERE customer_id IN ",
    );
    sql.bind_list(&ids)
        .push(" ORDER BY customer_id, sort_order, id");
    let phones = sql.query().fetch_all(&mut *conn).await?;
    let mut sql = crate::db::Sql::new(
        "SELECT customer_id, email, label FROM customer_emails WHERE customer_id IN ",
    );
    sql.bind_list(&ids)
        .push(" ORDER BY customer_id, sort_order, id");
    let emails = sql.query().fetch_all(&mut *conn).await?;
    let mut sql = crate::db::Sql::new(
        "SELECT customer_id, label, province, city, detail, postcode FROM customer_addresses \
         WHERE customer_id IN ",
    );
    sql.bind_list(&ids)
        .push(" ORDER BY customer_id, sort_order, id");
    let addresses = sql.query().fetch_all(&mut *conn).await?;

    let mut placed: Vec<(usize, CustomerPhone)> = Vec::with_capacity(phones.len());
    for row in &phones {
        if let Some(at) = position(row.try_get("customer_id")?) {
            placed.push((
                at,
                CustomerPhone {
                    number: row.try_get("number")?,
                    e164: row.try_get("e164")?,
                    label: PhoneLabel::stored(&row.try_get::<String, _>("label")?)?,
                },
            ));
        }
    }
    let mut placed_emails = Vec::with_capacity(emails.len());
    for row in &emails {
        if let Some(at) = position(row.try_get("customer_id")?) {
            placed_emails.push((
                at,
                CustomerEmail {
                    email: row.try_get("email")?,
                    label: row.try_get("label")?,
                },
            ));
        }
    }
    let mut placed_addresses = Vec::with_capacity(addresses.len());
    for row in &addresses {
        if let Some(at) = position(row.try_get("customer_id")?) {
            placed_addresses.push((
                at,
                CustomerAddress {
                    label: AddressLabel::stored(&row.try_get::<String, _>("label")?)?,
                    province: row.try_get("province")?,
                    city: row.try_get("city")?,
                    detail: row.try_get("detail")?,
                    postcode: row.try_get("postcode")?,
                },
            ));
        }
    }
    for (at, phone) in placed {
        customers[at].phones.push(phone);
    }
    for (at, email) in placed_emails {
        customers[at].emails.push(email);
    }
    for (at, address) in placed_addresses {
        customers[at].addresses.push(address);
    }
    Ok(())
}

pub(crate) async fn fetch(conn: &mut AnyConnection, id: i64) -> Result<Customer> {
    let row = sqlx::query(&format!("{SELECT} WHERE c.id = $1"))
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?
        .ok_or_else(|| StoreError::not_found("customer", id))?;
    let mut customer = [from_row(&row)?];
    attach_contacts(conn, &mut customer).await?;
    let [customer] = customer;
    Ok(customer)
}

/// Maps the errors a write can hit to the field at fault.
fn map_write_error(err: sqlx::Error, input: &CustomerInput) -> StoreError {
    if let Some(db) = err.as_database_error()
        && db.kind() == sqlx::error::ErrorKind::ForeignKeyViolation
    {
        let text = format!("{} {}", db.message(), db.constraint().unwrap_or_default());
        let field = if text.contains("owner") {
            "owner_id"
        } else {
            "department_id"
        };
        return StoreError::invalid(field, "refers to nothing");
    }
    map_unique(
        err,
        &[(
            "id_card",
            "id_card",
            input.id_card.as_deref().unwrap_or_default(),
        )],
    )
}

/// SQLite reports a foreign key failure without naming the column, so the
/// references are checked before writing, to name the field.
async fn check_references(conn: &mut AnyConnection, input: &CustomerInput) -> Result<()> {
    if let Some(owner) = input.owner_id {
        let found = sqlx::query("SELECT 1 FROM staff WHERE id = $1")
            .bind(owner)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "owner_id",
                format!("there is no member of staff {owner}"),
            ));
        }
    }
    if let Some(department) = input.department_id {
        let found = sqlx::query("SELECT 1 FROM departments WHERE id = $1")
            .bind(department)
            .fetch_optional(&mut *conn)
            .await?;
        if found.is_none() {
            return Err(StoreError::invalid(
                "department_id",
                format!("there is no department {department}"),
            ));
        }
    }
    Ok(())
}

/// Writes the record's lists; `fresh` (a record just inserted) has none to
/// replace, which saves the import three statements a row.
async fn write_contacts(
    conn: &mut AnyConnection,
    id: i64,
    input: &CustomerInput,
    fresh: bool,
) -> Result<()> {
    for table in ["customer_phones", "customer_emails", "customer_addresses"] {
        if fresh {
            break;
        }
        sqlx::query(&format!("DELETE FROM {table} WHERE customer_id = $1"))
            .bind(id)
            .execute(&mut *conn)
            .await?;
    }
    let mut seen = std::collections::HashSet::new();
    for (order, phone) in input.phones.iter().enumerate() {
        if !seen.insert(phone.e164.as_str()) {
            continue;
        }
        sqlx::query(
            "INSERT INTO customer_phones (customer_id, number, e164, label, sort_order) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(&phone.number)
        .bind(&phone.e164)
        .bind(phone.label.code())
        .bind(i64::try_from(order).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    }
    let mut seen = std::collections::HashSet::new();
    for (order, email) in input.emails.iter().enumerate() {
        if !seen.insert(email.email.as_str()) {
            continue;
        }
        sqlx::query(
            "INSERT INTO customer_emails (customer_id, email, label, sort_order) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(id)
        .bind(&email.email)
        .bind(&email.label)
        .bind(i64::try_from(order).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    }
    for (order, address) in input.addresses.iter().enumerate() {
        sqlx::query(
            "INSERT INTO customer_addresses (customer_id, label, province, city, detail, \
             postcode, sort_order) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(id)
        .bind(address.label.code())
        .bind(&address.province)
        .bind(&address.city)
        .bind(&address.detail)
        .bind(&address.postcode)
        .bind(i64::try_from(order).unwrap_or(i64::MAX))
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

fn custom_text(input: &CustomerInput) -> String {
    serde_json::Value::Object(input.custom_fields.clone()).to_string()
}

/// Inserts one customer within `conn`'s transaction; the import uses it
/// row by row inside its batches.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    input: &CustomerInput,
) -> Result<i64> {
    insert_checked(conn, now, actor, input, true).await
}

/// [`insert`], checking the owner and department first only when
/// `check_references` is set (the import checks each pair once a batch).
pub(crate) async fn insert_checked(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    actor: &Actor,
    input: &CustomerInput,
    check_references: bool,
) -> Result<i64> {
    if check_references {
        self::check_references(conn, input).await?;
    }
    let id: i64 = sqlx::query(
        "INSERT INTO customers (name, gender, birth_date, occupation, education, marital_status, \
         id_card, province, city, lifecycle, level, source, notes, custom_fields, owner_id, \
         department_id, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, \
         $18, $18) RETURNING id",
    )
    .bind(&input.name)
    .bind(input.gender.code())
    .bind(date_text(input.birth_date))
    .bind(&input.occupation)
    .bind(&input.education)
    .bind(&input.marital_status)
    .bind(input.id_card.as_deref())
    .bind(&input.province)
    .bind(&input.city)
    .bind(input.lifecycle.code())
    .bind(&input.level)
    .bind(&input.source)
    .bind(&input.notes)
    .bind(custom_text(input))
    .bind(input.owner_id)
    .bind(input.department_id)
    .bind(&actor.employee_id)
    .bind(to_millis(now))
    .fetch_one(&mut *conn)
    .await
    .map_err(|e| map_write_error(e, input))?
    .try_get(0)?;
    write_contacts(conn, id, input, true).await?;
    Ok(id)
}

pub(crate) async fn overwrite(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    id: i64,
    input: &CustomerInput,
) -> Result<()> {
    overwrite_checked(conn, now, id, input, true).await
}

/// [`overwrite`], checking the owner and department first only when
/// `check_references` is set.
pub(crate) async fn overwrite_checked(
    conn: &mut AnyConnection,
    now: OffsetDateTime,
    id: i64,
    input: &CustomerInput,
    check_references: bool,
) -> Result<()> {
    if check_references {
        self::check_references(conn, input).await?;
    }
    let done = sqlx::query(
        "UPDATE customers SET name = $1, gender = $2, birth_date = $3, occupation = $4, \
         education = $5, marital_status = $6, id_card = $7, province = $8, city = $9, \
         lifecycle = $10, level = $11, source = $12, notes = $13, custom_fields = $14, \
         owner_id = $15, department_id = $16, updated_at = $17 WHERE id = $18",
    )
    .bind(&input.name)
    .bind(input.gender.code())
    .bind(date_text(input.birth_date))
    .bind(&input.occupation)
    .bind(&input.education)
    .bind(&input.marital_status)
    .bind(input.id_card.as_deref())
    .bind(&input.province)
    .bind(&input.city)
    .bind(input.lifecycle.code())
    .bind(&input.level)
    .bind(&input.source)
    .bind(&input.notes)
    .bind(custom_text(input))
    .bind(input.owner_id)
    .bind(input.department_id)
    .bind(to_millis(now))
    .bind(id)
    .execute(&mut *conn)
    .await
    .map_err(|e| map_write_error(e, input))?;
    if done.rows_affected() == 0 {
        return Err(StoreError::not_found("customer", id));
    }
    write_contacts(conn, id, input, false).await
}

impl Store {
    pub async fn customer(&self, id: i64) -> Result<Customer> {
        let mut conn = self.pool.acquire().await?;
        fetch(&mut conn, id).await
    }

    /// The customers of `ids` that exist, in no particular order (the
    /// import's merges read a batch's at once).
    pub async fn customers_by_ids(&self, ids: &[i64]) -> Result<Vec<Customer>> {
        let mut conn = self.pool.acquire().await?;
        let mut found = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(1000) {
            let mut sql = crate::db::Sql::new(&format!("{SELECT} WHERE c.id IN "));
            sql.bind_list(chunk);
            let rows = sql.query().fetch_all(&mut *conn).await?;
            let mut customers = rows.iter().map(from_row).collect::<Result<Vec<_>>>()?;
            attach_contacts(&mut conn, &mut customers).await?;
            found.extend(customers);
        }
        Ok(found)
    }

    pub async fn create_customer(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        input: CustomerInput,
    ) -> Result<Customer> {
        let mut tx = self.begin_write().await?;
        let id = insert(&mut tx, now, actor, &input).await?;
        let created = fetch(&mut tx, id).await?;
        let change = Change {
            action: "customer.create",
            entity: "customer",
            entity_id: id.to_string(),
            before: None,
            after: snapshot(&created),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(created)
    }

    pub async fn update_customer(
        &self,
        now: OffsetDateTime,
        actor: &Actor,
        id: i64,
        input: CustomerInput,
    ) -> Result<Customer> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        overwrite(&mut tx, now, id, &input).await?;
        let after = fetch(&mut tx, id).await?;
        let change = Change {
            action: "customer.update",
            entity: "customer",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: snapshot(&after),
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Deletes a customer with its numbers, assets and timeline.
    pub async fn delete_customer(&self, now: OffsetDateTime, actor: &Actor, id: i64) -> Result<()> {
        let mut tx = self.begin_write().await?;
        let before = fetch(&mut tx, id).await?;
        sqlx::query("DELETE FROM customers WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let change = Change {
            action: "customer.delete",
            entity: "customer",
            entity_id: id.to_string(),
            before: snapshot(&before),
            after: None,
        };
        record_change(&mut tx, now, actor, change).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records that the customer was in touch at `at` (newer times only).
    pub async fn touch_customer(&self, id: i64, at: OffsetDateTime) -> Result<()> {
        sqlx::query(
            "UPDATE customers SET last_contact_at = $1 \
             WHERE id = $2 AND (last_contact_at IS NULL OR last_contact_at < $1)",
        )
        .bind(to_millis(at))
        .bind(id)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    pub(crate) fn is_postgres(&self) -> bool {
        self.backend() == Backend::Postgres
    }
}
