//! A customer's 360 view beyond the profile (MISSION C2, C3): the contact
//! timeline (calls from the CDRs, tickets, callbacks, campaigns, notes),
//! notes added by hand, and the assets service is about.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sb_desk::customers::parse_date;
use sb_store::{CustomerAsset, CustomerAssetInput, Interaction, InteractionKind, NewInteraction};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::Created;
use crate::routes::customers::{reachable_customer, rules};
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(customer_timeline))
        .routes(routes!(add_note))
        .routes(routes!(list_assets, create_asset))
        .routes(routes!(update_asset, delete_asset))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TimelineQuery {
    /// RFC 3339: entries before this time (to page back).
    before: Option<String>,
    /// 1-500, default 100.
    limit: Option<u32>,
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/timeline", tag = "desk",
    params(("id" = i64, Path), TimelineQuery), responses((status = 200, body = Vec<Interaction>)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn customer_timeline(
    who: Can<perm::CustomerRead>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<TimelineQuery>,
) -> ApiResult<Json<Vec<Interaction>>> {
    reachable_customer(&state, &who, id).await?;
    let before = validate::query_time("before", query.before.as_deref())?;
    let limit = query.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::validation("limit", "limit must be 1 to 500"));
    }
    Ok(Json(
        state.store().customer_timeline(id, before, limit).await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoteBody {
    /// 1-2000 characters.
    text: String,
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/notes", tag = "desk",
    params(("id" = i64, Path)), request_body = NoteBody, responses((status = 201, body = i64)),
    security(("session" = ["customer.update"]), ("bearer" = ["customer.update"])))]
async fn add_note(
    who: Can<perm::CustomerUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<NoteBody>,
) -> ApiResult<Created<i64>> {
    reachable_customer(&state, &who, id).await?;
    let text = validate::text("text", &body.text, 1, 2000)?;
    let note = state
        .store()
        .add_interaction(NewInteraction {
            customer_id: id,
            kind: InteractionKind::Note,
            ref_id: String::new(),
            summary: text,
            staff: who.employee_id.clone(),
            occurred_at: state.now(),
        })
        .await?;
    Ok(Created(note))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssetBody {
    /// A code or label of the dictionary list `customer_asset_kind`; default `vehicle`.
    kind: Option<String>,
    /// Make and model, or product name (up to 100 characters).
    model: Option<String>,
    /// VIN or serial number; stored upper-cased. A VIN is 17 characters
    /// without I, O or Q.
    serial: Option<String>,
    plate: Option<String>,
    /// `YYYY-MM-DD`.
    bought_on: Option<String>,
    notes: Option<String>,
}

impl AssetBody {
    async fn into_input(self, state: &AppState) -> ApiResult<CustomerAssetInput> {
        let rules = rules(state).await?;
        let kind = match self.kind.as_deref().map(str::trim) {
            None | Some("") => "vehicle".to_owned(),
            Some(value) => rules.asset_kinds.code_of(value).ok_or_else(|| {
                ApiError::validation(
                    "kind",
                    format!("`{value}` is not in the dictionary list customer_asset_kind"),
                )
            })?,
        };
        let serial = validate::optional_text("serial", self.serial.as_deref(), 40)?
            .to_uppercase()
            .replace(' ', "");
        if kind == "vehicle"
            && !serial.is_empty()
            && (serial.len() != 17
                || !serial
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() && !matches!(c, 'I' | 'O' | 'Q')))
        {
            return Err(ApiError::validation(
                "serial",
                "a VIN has 17 letters and digits, without I, O or Q",
            ));
        }
        let bought_on = match self.bought_on.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(value) => {
                Some(parse_date(value).map_err(|m| ApiError::validation("bought_on", m))?)
            }
        };
        Ok(CustomerAssetInput {
            kind,
            model: validate::optional_text("model", self.model.as_deref(), 100)?,
            serial,
            plate: validate::optional_text("plate", self.plate.as_deref(), 20)?
                .to_uppercase()
                .replace(' ', ""),
            bought_on,
            notes: validate::optional_text("notes", self.notes.as_deref(), 1000)?,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/customers/{id}/assets", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = Vec<CustomerAsset>)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn list_assets(
    who: Can<perm::CustomerRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Vec<CustomerAsset>>> {
    reachable_customer(&state, &who, id).await?;
    Ok(Json(state.store().customer_assets(id).await?))
}

#[utoipa::path(post, path = "/api/v1/customers/{id}/assets", tag = "desk",
    params(("id" = i64, Path)), request_body = AssetBody,
    responses((status = 201, body = CustomerAsset)),
    security(("session" = ["customer.update"]), ("bearer" = ["customer.update"])))]
async fn create_asset(
    who: Can<perm::CustomerUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<AssetBody>,
) -> ApiResult<Created<CustomerAsset>> {
    reachable_customer(&state, &who, id).await?;
    let input = body.into_input(&state).await?;
    let created = state
        .store()
        .create_customer_asset(state.now(), &who.actor(), id, input)
        .await?;
    Ok(Created(created))
}

fn ids(path: (String, String)) -> ApiResult<(i64, i64)> {
    let parse = |field: &'static str, v: &str| {
        v.parse::<i64>()
            .map_err(|_| ApiError::validation(field, format!("`{v}` is not an id")))
    };
    Ok((parse("id", &path.0)?, parse("asset_id", &path.1)?))
}

#[utoipa::path(put, path = "/api/v1/customers/{id}/assets/{asset_id}", tag = "desk",
    params(("id" = i64, Path), ("asset_id" = i64, Path)), request_body = AssetBody,
    responses((status = 200, body = CustomerAsset)),
    security(("session" = ["customer.update"]), ("bearer" = ["customer.update"])))]
async fn update_asset(
    who: Can<perm::CustomerUpdate>,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
    ApiJson(body): ApiJson<AssetBody>,
) -> ApiResult<Json<CustomerAsset>> {
    let (id, asset_id) = ids(path)?;
    reachable_customer(&state, &who, id).await?;
    let input = body.into_input(&state).await?;
    let updated = state
        .store()
        .update_customer_asset(state.now(), &who.actor(), id, asset_id, input)
        .await?;
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/customers/{id}/assets/{asset_id}", tag = "desk",
    params(("id" = i64, Path), ("asset_id" = i64, Path)), responses((status = 204)),
    security(("session" = ["customer.update"]), ("bearer" = ["customer.update"])))]
async fn delete_asset(
    who: Can<perm::CustomerUpdate>,
    State(state): State<AppState>,
    Path(path): Path<(String, String)>,
) -> ApiResult<StatusCode> {
    let (id, asset_id) = ids(path)?;
    reachable_customer(&state, &who, id).await?;
    state
        .store()
        .delete_customer_asset(state.now(), &who.actor(), id, asset_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
