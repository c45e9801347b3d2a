//! Callback tasks from a spreadsheet (MISSION O3), for `callback.manage`:
//! upload a file to a list and it is read by the import engine customers
//! use (.xlsx/.xls/.ods or CSV in UTF-8 or GBK, columns mapped from their
//! headers: name, phone, assignee by employee ID or name, notes, due time),
//! each number matched to the customer who has it, the good rows added and
//! the refused ones in a row report. A list's import is small enough to run
//! within the request.

use std::collections::HashMap;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sb_core::Permission;
use sb_desk::import::{
    CallbackTarget, ImportTarget, TextEncoding, missing_required, report_table, run_import,
    suggest_mapping,
};
use sb_store::{ImportJob, PageRequest, StaffFilter};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiQuery, Id};
use crate::routes::callback_lists::{customer_reach, department_reach, reachable_list};
use crate::routes::customer_imports::{parse, read_spreadsheet};
use crate::state::AppState;
use crate::xlsx::{file_response, sheet_format, write_table};

const TARGET: &str = "callbacks";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(import_tasks))
        .routes(routes!(import_errors))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CallbackUploadQuery {
    /// The file's name; its extension says the kind (.xlsx, .xls, .ods, .csv).
    file_name: String,
    /// For CSV: `auto` (default), `utf8` or `gbk`.
    encoding: Option<TextEncoding>,
}

/// Employee IDs and names of the people `who` may give tasks to; a name
/// two people share is left out (the employee ID tells them apart).
async fn assignees(state: &AppState, who: &Principal) -> ApiResult<HashMap<String, i64>> {
    let reach = department_reach(state, who, Permission::CallbackManage).await?;
    let filter = StaffFilter {
        department_ids: reach,
        ..StaffFilter::default()
    };
    let mut map = HashMap::new();
    let mut names: HashMap<String, Option<i64>> = HashMap::new();
    for page in 1.. {
        let chunk = state
            .store()
            .list_staff(&filter, PageRequest::new(page, PageRequest::MAX_PER_PAGE))
            .await?;
        let done = chunk.items.len() < PageRequest::MAX_PER_PAGE as usize;
        for person in chunk.items {
            map.insert(person.employee_id.clone(), person.id);
            names
                .entry(person.name.clone())
                .and_modify(|id| *id = None)
                .or_insert(Some(person.id));
        }
        if done {
            break;
        }
    }
    for (name, id) in names {
        if let Some(id) = id {
            map.entry(name).or_insert(id);
        }
    }
    Ok(map)
}

/// Imports the file's rows as tasks of list `id`; the answer is the
/// finished job with its counts (the refused rows in its row report).
#[utoipa::path(post, path = "/api/v1/callback-lists/{id}/import", tag = "desk",
    params(("id" = i64, Path), CallbackUploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file itself (.xlsx, .xls, .ods or .csv), up to 20 MB"),
    responses((status = 200, body = ImportJob),
        (status = 413, description = "Larger than 20 MB"),
        (status = 422, description = "Not a spreadsheet, empty, or no column for the phone")),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn import_tasks(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<CallbackUploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Json<ImportJob>> {
    reachable_list(&state, &who, id, "callback_list.import").await?;
    let (file_name, bytes) = read_spreadsheet(&query.file_name, &headers, body).await?;
    let encoding = query.encoding.unwrap_or_default();
    let sheet = parse(file_name.clone(), bytes, encoding).await?;
    let target = CallbackTarget::new(
        id,
        who.actor(),
        customer_reach(&state, &who, Permission::CallbackManage).await?,
        state.config().default_area_code.clone(),
        assignees(&state, &who).await?,
        state.now(),
    );
    let mapping = suggest_mapping(&sheet.headers, target.fields());
    if let Some(field) = missing_required(&mapping, target.fields()).first() {
        return Err(ApiError::validation(
            "file",
            format!(
                "no column of the file is {}; the headers are {}",
                field.label,
                sheet.headers.join(", ")
            ),
        ));
    }
    let settings = serde_json::json!({ "list_id": id, "mapping": mapping });
    let total = i64::try_from(sheet.rows.len()).unwrap_or(i64::MAX);
    let job = state
        .store()
        .create_import_job(
            state.now(),
            &who.actor(),
            TARGET,
            &file_name,
            &settings,
            total,
        )
        .await?;
    state.store().start_import_job(job.id, total).await?;
    let clock = state.clone();
    let now = move || clock.now();
    let job = run_import(state.store(), &now, job.id, &sheet, &mapping, &target)
        .await
        .map_err(ApiError::from)?;
    tracing::info!(
        job_id = job.id,
        list = id,
        inserted = job.inserted,
        failed = job.failed,
        "callback tasks imported"
    );
    Ok(Json(job))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ErrorsQuery {
    /// `xlsx` (default) or `csv`.
    format: Option<String>,
}

/// The refused rows of a callback import: row, column, value and message.
#[utoipa::path(get, path = "/api/v1/callback-imports/{id}/errors", tag = "desk",
    params(("id" = i64, Path), ErrorsQuery),
    responses((status = 200, description = "The row report",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn import_errors(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<ErrorsQuery>,
) -> ApiResult<Response> {
    let format = sheet_format(query.format.as_deref())?;
    let job = state.store().import_job(id).await?;
    if job.target != TARGET {
        return Err(ApiError::not_found(format!(
            "callback import {id} not found"
        )));
    }
    if let Some(list) = job
        .settings
        .get("list_id")
        .and_then(serde_json::Value::as_i64)
    {
        reachable_list(&state, &who, list, "callback_list.import").await?;
    } else {
        let e = ApiError::forbidden("that import is outside your data scope").with_field("id");
        return Err(refuse_actor(&state, who.actor(), "callback_list.import", e).await);
    }
    let text = state.store().import_error_report(job.id).await?;
    let table = report_table(&text).map_err(ApiError::from)?;
    let bytes = write_table(table, format).await?;
    Ok(file_response(
        bytes,
        format,
        &format!("callback-import-{id}-errors"),
    ))
}
