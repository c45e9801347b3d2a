//! Customer import (MISSION C6): the file is uploaded as the raw request
//! body (`?file_name=` says what it is), read at once so the answer holds
//! its columns, the suggested mapping and a checked preview; the user
//! changes the mapping and options (duplicates merge or skip, the CSV
//! encoding) and gets a new preview; `start` runs the job on tokio in
//! batches with progress; refused rows are in a downloadable report. The
//! file waits in the scratch folder until the job ends.

use std::path::PathBuf;

use axum::Json;
use axum::body::Body;
use axum::extract::State;
use axum::http::header::CONTENT_LENGTH;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use sb_core::{DataScope, Permission};
use sb_desk::export::Table;
use sb_desk::import::{
    CustomerTarget, DuplicatePolicy, FileKind, ImportTarget, MAX_FILE_BYTES, Mapping, PREVIEW_ROWS,
    PreviewRow, Sheet, TargetField, TextEncoding, check_mapping, kind_of, missing_required,
    preview, read_sheet, report_table, run_import, suggest_mapping,
};
use sb_store::{ImportJob, ImportStatus, Page};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::customers::{customer_scope, rules};
use crate::routes::{Created, PageQuery};
use crate::state::AppState;
use crate::validate;
use crate::xlsx::{file_response, sheet_format, write_table};

pub const TARGET: &str = "customers";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(upload_import, list_imports))
        .routes(routes!(import_template))
        .routes(routes!(get_import))
        .routes(routes!(change_import_settings))
        .routes(routes!(start_import))
        .routes(routes!(cancel_import))
        .routes(routes!(import_errors))
}

/// The mapping and options a job runs with (kept as the job's `settings`).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct ImportSettings {
    /// One entry per column: a field key, or `null` to skip the column.
    pub mapping: Mapping,
    pub duplicates: DuplicatePolicy,
    /// For CSV files: `auto` (UTF-8 if valid, else GBK), `utf8` or `gbk`.
    pub encoding: TextEncoding,
}

/// A change of settings; what is absent stays.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ImportSettingsChange {
    pub mapping: Option<Mapping>,
    pub duplicates: Option<DuplicatePolicy>,
    pub encoding: Option<TextEncoding>,
}

/// A job not yet started, as the mapping step shows it.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportDraft {
    pub job: ImportJob,
    pub file_kind: FileKind,
    /// The encoding a CSV file was read in (`utf-8`, `gbk`, `utf-16`).
    pub encoding_used: Option<String>,
    /// The header of each column.
    pub columns: Vec<String>,
    /// The fields a column can be mapped to.
    pub fields: Vec<TargetField>,
    pub settings: ImportSettings,
    /// Required fields no column is mapped to yet (start refuses them).
    pub missing_fields: Vec<String>,
    pub total_rows: usize,
    /// The first rows checked, each problem on its cell.
    pub preview: Vec<PreviewRow>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    /// The file's name; its extension says the kind (.xlsx, .xls, .ods, .csv).
    file_name: String,
    /// For CSV: `auto` (default), `utf8` or `gbk`.
    encoding: Option<TextEncoding>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FormatQuery {
    /// `xlsx` (default) or `csv`.
    format: Option<String>,
}

fn too_large() -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "too_large",
        format!(
            "the file is too large: at most {} MB may be imported at once — split it",
            MAX_FILE_BYTES / 1024 / 1024
        ),
    )
    .with_field("file")
}

fn stored_file(state: &AppState, id: i64) -> PathBuf {
    state.media_dirs().tmp.join(format!("import-{id}.upload"))
}

async fn remove_stored_file(state: &AppState, id: i64) {
    let path = stored_file(state, id);
    if let Err(e) = tokio::fs::remove_file(&path).await
        && e.kind() != std::io::ErrorKind::NotFound
    {
        tracing::warn!(error = %e, file = %path.display(), "could not remove an import file");
    }
}

pub(crate) async fn parse(
    file_name: String,
    bytes: Vec<u8>,
    encoding: TextEncoding,
) -> ApiResult<Sheet> {
    tokio::task::spawn_blocking(move || read_sheet(&file_name, &bytes, encoding))
        .await
        .map_err(|e| ApiError::internal("reading an import file", e))?
        .map_err(ApiError::from)
}

/// The target as `who` imports into it.
async fn target(
    state: &AppState,
    who: &Principal,
    duplicates: DuplicatePolicy,
) -> ApiResult<CustomerTarget> {
    Ok(CustomerTarget::new(
        rules(state).await?,
        who.actor(),
        Some(who.staff_id.0),
        who.department_id,
        customer_scope(state, who).await?,
        duplicates,
    ))
}

fn settings_of(job: &ImportJob) -> ApiResult<ImportSettings> {
    serde_json::from_value(job.settings.clone())
        .map_err(|e| ApiError::internal("reading an import job's settings", e))
}

/// The job, when `who` may see it: their own, or any with an unlimited
/// data scope for `customer.import`.
async fn visible_job(state: &AppState, who: &Principal, id: i64) -> ApiResult<ImportJob> {
    let job = state.store().import_job(id).await?;
    let everyone = who.grants.scope_of(Permission::CustomerImport) == Some(DataScope::All);
    if job.target != TARGET || (job.created_by != who.employee_id && !everyone) {
        return Err(ApiError::not_found(format!("import job {id} not found")));
    }
    Ok(job)
}

async fn draft(
    state: &AppState,
    who: &Principal,
    job: ImportJob,
    sheet: &Sheet,
    settings: ImportSettings,
) -> ApiResult<ImportDraft> {
    let target = target(state, who, settings.duplicates).await?;
    let rows = preview(sheet, &settings.mapping, &target, PREVIEW_ROWS);
    Ok(ImportDraft {
        job,
        file_kind: sheet.kind,
        encoding_used: sheet.encoding.map(str::to_owned),
        columns: sheet.headers.clone(),
        missing_fields: missing_required(&settings.mapping, target.fields())
            .into_iter()
            .map(|f| f.key.clone())
            .collect(),
        fields: target.fields().to_vec(),
        settings,
        total_rows: sheet.rows.len(),
        preview: rows,
    })
}

/// An uploaded spreadsheet: its file name checked, its bytes read within the
/// size limit, not empty, and of a kind the importer reads (by name and bytes).
pub(crate) async fn read_spreadsheet(
    file_name: &str,
    headers: &HeaderMap,
    body: Body,
) -> ApiResult<(String, Vec<u8>)> {
    let file_name = validate::text("file_name", file_name, 1, 200)?;
    if file_name.contains(['/', '\\']) || file_name.chars().any(char::is_control) {
        return Err(ApiError::validation(
            "file_name",
            "a file name may not contain slashes or control characters",
        ));
    }
    let bytes = read_upload(headers, body).await?;
    if bytes.is_empty() {
        return Err(ApiError::validation("file", "the file is empty"));
    }
    kind_of(&file_name, &bytes).map_err(ApiError::from)?;
    Ok((file_name, bytes))
}

async fn read_upload(headers: &HeaderMap, body: Body) -> ApiResult<Vec<u8>> {
    let announced = headers
        .get(CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok());
    if announced.is_some_and(|len| len > MAX_FILE_BYTES) {
        return Err(too_large());
    }
    let bytes = axum::body::to_bytes(body, MAX_FILE_BYTES)
        .await
        .map_err(|e| {
            if std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>())
            {
                too_large()
            } else {
                ApiError::bad_request(format!("the upload could not be read: {e}"))
            }
        })?;
    Ok(bytes.to_vec())
}

/// Uploads a file: the answer is the new job with the file's columns, the
/// suggested mapping and a checked preview. Nothing is imported yet.
#[utoipa::path(post, path = "/api/v1/customer-imports", tag = "desk", params(UploadQuery),
    request_body(content = Vec<u8>, content_type = "application/octet-stream",
        description = "The file itself (.xlsx, .xls, .ods or .csv), up to 20 MB"),
    responses((status = 201, body = ImportDraft),
        (status = 413, description = "Larger than 20 MB"),
        (status = 422, description = "Not a spreadsheet, empty, or unreadable text")),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn upload_import(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<UploadQuery>,
    headers: HeaderMap,
    body: Body,
) -> ApiResult<Created<ImportDraft>> {
    let (file_name, bytes) = read_spreadsheet(&query.file_name, &headers, body).await?;
    let encoding = query.encoding.unwrap_or_default();
    let sheet = parse(file_name.clone(), bytes.clone(), encoding).await?;
    let target = target(&state, &who, DuplicatePolicy::default()).await?;
    let settings = ImportSettings {
        mapping: suggest_mapping(&sheet.headers, target.fields()),
        duplicates: DuplicatePolicy::default(),
        encoding,
    };
    let settings_json = serde_json::to_value(&settings)
        .map_err(|e| ApiError::internal("saving import settings", e))?;
    let job = state
        .store()
        .create_import_job(
            state.now(),
            &who.actor(),
            TARGET,
            &file_name,
            &settings_json,
            i64::try_from(sheet.rows.len()).unwrap_or(i64::MAX),
        )
        .await?;
    let path = stored_file(&state, job.id);
    if let Err(e) = tokio::fs::write(&path, &bytes).await {
        // Without its file the job cannot run; it is failed, not left pending.
        let _ = state
            .store()
            .cancel_import_job(job.id, "the file could not be kept")
            .await;
        return Err(ApiError::internal("keeping an import file", e));
    }
    tracing::info!(job_id = job.id, file = %file_name, rows = sheet.rows.len(), "import uploaded");
    Ok(Created(draft(&state, &who, job, &sheet, settings).await?))
}

#[utoipa::path(get, path = "/api/v1/customer-imports", tag = "desk", params(PageQuery),
    responses((status = 200, body = Page<ImportJob>)),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn list_imports(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    ApiQuery(page): ApiQuery<PageQuery>,
) -> ApiResult<Json<Page<ImportJob>>> {
    let everyone = who.grants.scope_of(Permission::CustomerImport) == Some(DataScope::All);
    let mine = (!everyone).then_some(who.employee_id.as_str());
    Ok(Json(
        state
            .store()
            .import_jobs(TARGET, mine, page.request(20))
            .await?,
    ))
}

/// A job with its progress (`processed_rows` of `total_rows`) and counts.
#[utoipa::path(get, path = "/api/v1/customer-imports/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = ImportJob)),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn get_import(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<ImportJob>> {
    Ok(Json(visible_job(&state, &who, id).await?))
}

async fn stored_sheet(
    state: &AppState,
    job: &ImportJob,
    encoding: TextEncoding,
) -> ApiResult<Sheet> {
    let bytes = tokio::fs::read(stored_file(state, job.id))
        .await
        .map_err(|_| {
            ApiError::conflict(
                "import_file_gone",
                format!("import {} no longer has its file; upload it again", job.id),
            )
        })?;
    parse(job.file_name.clone(), bytes, encoding).await
}

/// Changes the mapping, the duplicate rule or the encoding of a job not yet
/// started; the answer is a new preview.
#[utoipa::path(put, path = "/api/v1/customer-imports/{id}/settings", tag = "desk",
    params(("id" = i64, Path)), request_body = ImportSettingsChange,
    responses((status = 200, body = ImportDraft),
        (status = 409, description = "The job has started or ended")),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn change_import_settings(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(change): ApiJson<ImportSettingsChange>,
) -> ApiResult<Json<ImportDraft>> {
    let job = visible_job(&state, &who, id).await?;
    if job.status != ImportStatus::Pending {
        return Err(ApiError::conflict(
            "import_started",
            format!("change settings: import {id} is already {}", job.status),
        ));
    }
    let mut settings = settings_of(&job)?;
    let encoding_changed = change.encoding.is_some_and(|e| e != settings.encoding);
    if let Some(encoding) = change.encoding {
        settings.encoding = encoding;
    }
    if let Some(duplicates) = change.duplicates {
        settings.duplicates = duplicates;
    }
    let sheet = stored_sheet(&state, &job, settings.encoding).await?;
    let target = target(&state, &who, settings.duplicates).await?;
    match change.mapping {
        Some(mapping) => {
            check_mapping(&mapping, &sheet.headers, target.fields()).map_err(ApiError::from)?;
            settings.mapping = mapping;
        }
        // Another encoding may give other header names.
        None if encoding_changed => {
            settings.mapping = suggest_mapping(&sheet.headers, target.fields());
        }
        None => {}
    }
    let json = serde_json::to_value(&settings)
        .map_err(|e| ApiError::internal("saving import settings", e))?;
    let job = state.store().set_import_job_settings(id, &json).await?;
    Ok(Json(draft(&state, &who, job, &sheet, settings).await?))
}

/// Starts the job in the background; poll the job for progress.
#[utoipa::path(post, path = "/api/v1/customer-imports/{id}/start", tag = "desk",
    params(("id" = i64, Path)),
    responses((status = 202, body = ImportJob),
        (status = 409, description = "The job has started or ended"),
        (status = 422, description = "A required field has no column")),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn start_import(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<(StatusCode, Json<ImportJob>)> {
    let job = visible_job(&state, &who, id).await?;
    if job.status != ImportStatus::Pending {
        return Err(ApiError::conflict(
            "import_started",
            format!("start: import {id} is already {}", job.status),
        ));
    }
    let settings = settings_of(&job)?;
    let sheet = stored_sheet(&state, &job, settings.encoding).await?;
    let target = target(&state, &who, settings.duplicates).await?;
    check_mapping(&settings.mapping, &sheet.headers, target.fields()).map_err(ApiError::from)?;
    if let Some(field) = missing_required(&settings.mapping, target.fields()).first() {
        return Err(ApiError::validation(
            "mapping",
            format!(
                "no column is mapped to {}, which every row needs",
                field.label
            ),
        ));
    }
    let total = i64::try_from(sheet.rows.len()).unwrap_or(i64::MAX);
    let job = state.store().start_import_job(id, total).await?;
    let task_state = state.clone();
    tokio::spawn(async move {
        let clock = task_state.clone();
        let now = move || clock.now();
        let outcome = run_import(
            task_state.store(),
            &now,
            id,
            &sheet,
            &settings.mapping,
            &target,
        )
        .await;
        if let Err(e) = outcome {
            tracing::error!(job_id = id, error = %e, "import job could not record its end");
        }
        remove_stored_file(&task_state, id).await;
    });
    Ok((StatusCode::ACCEPTED, Json(job)))
}

/// Stops a job after its current batch (rows written stay), or drops one
/// not yet started.
#[utoipa::path(post, path = "/api/v1/customer-imports/{id}/cancel", tag = "desk",
    params(("id" = i64, Path)),
    responses((status = 200, body = ImportJob),
        (status = 409, description = "The job has ended")),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn cancel_import(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<ImportJob>> {
    let job = visible_job(&state, &who, id).await?;
    let message = format!("cancelled by {}", who.name);
    let cancelled = state.store().cancel_import_job(job.id, &message).await?;
    if job.status == ImportStatus::Pending {
        remove_stored_file(&state, id).await;
    }
    Ok(Json(cancelled))
}

/// The refused rows: row, column, value and message, as .xlsx or .csv.
#[utoipa::path(get, path = "/api/v1/customer-imports/{id}/errors", tag = "desk",
    params(("id" = i64, Path), FormatQuery),
    responses((status = 200, description = "The row report",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn import_errors(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let format = sheet_format(query.format.as_deref())?;
    let job = visible_job(&state, &who, id).await?;
    let text = state.store().import_error_report(job.id).await?;
    let table = report_table(&text).map_err(ApiError::from)?;
    let bytes = write_table(table, format).await?;
    Ok(file_response(bytes, format, &format!("import-{id}-errors")))
}

/// An empty file with every column the import recognises (admin-defined
/// fields too) and one example row.
#[utoipa::path(get, path = "/api/v1/customer-imports/template", tag = "desk",
    params(FormatQuery),
    responses((status = 200, description = "The import template",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["customer.import"]), ("bearer" = ["customer.import"])))]
async fn import_template(
    who: Can<perm::CustomerImport>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<FormatQuery>,
) -> ApiResult<Response> {
    let format = sheet_format(query.format.as_deref())?;
    let target = target(&state, &who, DuplicatePolicy::default()).await?;
    let example = |key: &str| match key {
        "name" => "张三",
        "phone" => "138 0013 8000",
        "email" => "zhang.san@example.com",
        "id_card" => "11010519491231002X",
        "gender" => "女",
        "birth_date" => "1949-12-31",
        "province" => "北京市",
        "city" => "北京市",
        "address" => "朝阳区建国路 1 号",
        "postcode" => "100020",
        "level" => "普通",
        "lifecycle" => "正常",
        _ => "",
    };
    let table = Table {
        sheet: "Customers".into(),
        headers: target.fields().iter().map(|f| f.label.clone()).collect(),
        rows: vec![
            target
                .fields()
                .iter()
                .map(|f| example(&f.key).to_owned())
                .collect(),
        ],
    };
    let bytes = write_table(table, format).await?;
    Ok(file_response(bytes, format, "customer-import-template"))
}
