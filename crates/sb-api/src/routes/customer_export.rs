//! The customer list out to .xlsx or .csv with the search's filters and
//! the reader's data scope. The columns carry the import's field labels, so
//! an exported file imports back (merging by ID card and number).

use axum::extract::State;
use axum::response::Response;
use sb_desk::export::Table;
use sb_desk::import::customer_fields;
use sb_store::{Customer, PageRequest};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::ApiQuery;
use crate::routes::customers::{CustomerQuery, customer_scope, rules};
use crate::state::AppState;
use crate::xlsx::{file_response, sheet_format, write_table};

/// Customers an export holds at most; past it the user narrows the filter.
pub const MAX_EXPORT_ROWS: usize = 100_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(export_customers))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExportFormat {
    /// `xlsx` (default) or `csv`.
    format: Option<String>,
}

fn when(t: time::OffsetDateTime) -> String {
    let offset = time::UtcOffset::from_hms(sb_store::BUSINESS_UTC_OFFSET_HOURS, 0, 0)
        .unwrap_or(time::UtcOffset::UTC);
    let t = t.to_offset(offset);
    format!(
        "{:04}-{:02}-{:02} {:02}:{:02}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute()
    )
}

fn join<'a>(values: impl Iterator<Item = &'a str>) -> String {
    values.collect::<Vec<_>>().join("; ")
}

/// One customer's cell for an import field key.
fn cell(c: &Customer, key: &str) -> String {
    let first_address = c.addresses.first();
    match key {
        "name" => c.name.clone(),
        "phone" => join(c.phones.iter().map(|p| p.number.as_str())),
        "email" => join(c.emails.iter().map(|e| e.email.as_str())),
        "id_card" => c.id_card.clone().unwrap_or_default(),
        "gender" => c.gender.code().to_owned(),
        "birth_date" => c
            .birth_date
            .map(sb_desk::customers::date_string)
            .unwrap_or_default(),
        "province" => c.province.clone(),
        "city" => c.city.clone(),
        "address" => first_address.map(|a| a.detail.clone()).unwrap_or_default(),
        "postcode" => first_address
            .map(|a| a.postcode.clone())
            .unwrap_or_default(),
        "occupation" => c.occupation.clone(),
        "education" => c.education.clone(),
        "marital_status" => c.marital_status.clone(),
        "level" => c.level.clone(),
        "lifecycle" => c.lifecycle.code().to_owned(),
        "source" => c.source.clone(),
        "notes" => c.notes.clone(),
        other => match other
            .strip_prefix("custom.")
            .and_then(|k| c.custom_fields.get(k))
        {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(v) => v.to_string(),
        },
    }
}

/// The customers the search's filters find, as a file.
#[utoipa::path(get, path = "/api/v1/customers/export", tag = "desk",
    params(CustomerQuery, ExportFormat),
    responses((status = 200, description = "The filtered list as .xlsx or .csv",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["customer.export"]), ("bearer" = ["customer.export"])))]
async fn export_customers(
    who: Can<perm::CustomerExport>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CustomerQuery>,
    ApiQuery(format): ApiQuery<ExportFormat>,
) -> ApiResult<Response> {
    let format = sheet_format(format.format.as_deref())?;
    let scope = customer_scope(&state, &who).await?;
    let filter = query.filter(
        scope,
        state.now(),
        state.config().default_area_code.as_deref(),
    )?;
    let mut customers = Vec::new();
    for page in 1.. {
        let chunk = state
            .store()
            .search_customers(&filter, PageRequest::new(page, PageRequest::MAX_PER_PAGE))
            .await?;
        let done = chunk.items.len() < PageRequest::MAX_PER_PAGE as usize;
        customers.extend(chunk.items);
        if customers.len() > MAX_EXPORT_ROWS {
            return Err(ApiError::validation(
                "q",
                format!("more than {MAX_EXPORT_ROWS} customers match; narrow the filter to export"),
            ));
        }
        if done {
            break;
        }
    }
    let fields = customer_fields(&rules(&state).await?);
    let mut headers = vec!["编号 ID".to_owned()];
    headers.extend(fields.iter().map(|f| f.label.clone()));
    headers.extend([
        "负责人 Owner".to_owned(),
        "部门 Department".to_owned(),
        "创建时间 Created".to_owned(),
    ]);
    let rows = customers
        .iter()
        .map(|c| {
            let mut row = vec![c.id.to_string()];
            row.extend(fields.iter().map(|f| cell(c, &f.key)));
            row.push(c.owner_name.clone().unwrap_or_default());
            row.push(c.department_name.clone().unwrap_or_default());
            row.push(when(c.created_at));
            row
        })
        .collect();
    let table = Table {
        sheet: "Customers".into(),
        headers,
        rows,
    };
    let bytes = write_table(table, format).await?;
    let name = format!("customers-{}", sb_store::serial_day(state.now()));
    Ok(file_response(bytes, format, &name))
}
