//! Fields admins add to the customer profile (MISSION C1): text, number,
//! date, or a choice from a dictionary list.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_desk::customers::{ASSET_KIND_LIST, EDUCATION_LIST, LEVEL_LIST, MARITAL_LIST};
use sb_store::{CustomFieldKind, CustomerFieldDef, CustomerFieldDefInput};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, Id};
use crate::routes::Created;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_fields, create_field))
        .routes(routes!(update_field, delete_field))
        .routes(routes!(customer_vocabulary))
}

/// A dictionary item as the customer forms show it.
#[derive(Debug, Serialize, ToSchema)]
pub struct Choice {
    code: String,
    label: String,
}

/// What the customer forms choose from: the dictionary lists of the profile
/// and the admin-defined fields with their choices.
#[derive(Debug, Serialize, ToSchema)]
pub struct CustomerVocabulary {
    levels: Vec<Choice>,
    educations: Vec<Choice>,
    marital_statuses: Vec<Choice>,
    asset_kinds: Vec<Choice>,
    fields: Vec<CustomerFieldDef>,
    /// The choices of each `choice` field's dictionary list, by list code.
    field_choices: std::collections::BTreeMap<String, Vec<Choice>>,
}

#[utoipa::path(get, path = "/api/v1/customer-vocabulary", tag = "desk",
    responses((status = 200, body = CustomerVocabulary)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn customer_vocabulary(
    _: Can<perm::CustomerRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<CustomerVocabulary>> {
    let lists = state.store().list_dictionary().await?;
    let choices = |code: &str| -> Vec<Choice> {
        lists
            .iter()
            .find(|t| t.code == code)
            .map(|t| {
                t.items
                    .iter()
                    .filter(|i| i.enabled)
                    .map(|i| Choice {
                        code: i.code.clone(),
                        label: i.label.clone(),
                    })
                    .collect()
            })
            .unwrap_or_default()
    };
    let fields = state.store().customer_field_defs().await?;
    let field_choices = fields
        .iter()
        .filter(|f| f.kind == CustomFieldKind::Choice)
        .map(|f| (f.dictionary_type.clone(), choices(&f.dictionary_type)))
        .collect();
    Ok(Json(CustomerVocabulary {
        levels: choices(LEVEL_LIST),
        educations: choices(EDUCATION_LIST),
        marital_statuses: choices(MARITAL_LIST),
        asset_kinds: choices(ASSET_KIND_LIST),
        fields,
        field_choices,
    }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FieldBody {
    /// Lower-case letters, digits and `_`, starting with a letter; fixed once created.
    key: String,
    /// 1-50 characters.
    label: String,
    /// Fixed once created.
    kind: CustomFieldKind,
    /// For `choice`: the code of an existing dictionary list.
    dictionary_type: Option<String>,
    required: Option<bool>,
    sort_order: Option<i64>,
}

impl FieldBody {
    async fn into_input(self, state: &AppState) -> ApiResult<CustomerFieldDefInput> {
        let key = self.key.trim().to_owned();
        let mut chars = key.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && key.len() <= 40;
        if !well_formed {
            return Err(ApiError::validation(
                "key",
                "1-40 lower-case letters, digits and _, starting with a letter",
            ));
        }
        let dictionary_type =
            validate::optional_text("dictionary_type", self.dictionary_type.as_deref(), 64)?;
        if self.kind == CustomFieldKind::Choice {
            let lists = state.store().list_dictionary().await?;
            if !lists.iter().any(|t| t.code == dictionary_type) {
                return Err(ApiError::validation(
                    "dictionary_type",
                    format!(
                        "a choice field needs an existing dictionary list, not `{dictionary_type}`"
                    ),
                ));
            }
        }
        Ok(CustomerFieldDefInput {
            key,
            label: validate::text("label", &self.label, 1, 50)?,
            kind: self.kind,
            dictionary_type: if self.kind == CustomFieldKind::Choice {
                dictionary_type
            } else {
                String::new()
            },
            required: self.required.unwrap_or(false),
            sort_order: self.sort_order.unwrap_or(0),
        })
    }
}

/// Every signed-in user who reads customers needs the field list to show them.
#[utoipa::path(get, path = "/api/v1/customer-fields", tag = "desk",
    responses((status = 200, body = Vec<CustomerFieldDef>)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn list_fields(
    _: Can<perm::CustomerRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<CustomerFieldDef>>> {
    Ok(Json(state.store().customer_field_defs().await?))
}

#[utoipa::path(post, path = "/api/v1/customer-fields", tag = "desk", request_body = FieldBody,
    responses((status = 201, body = CustomerFieldDef)),
    security(("session" = ["customer.manage"]), ("bearer" = ["customer.manage"])))]
async fn create_field(
    who: Can<perm::CustomerManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<FieldBody>,
) -> ApiResult<Created<CustomerFieldDef>> {
    let input = body.into_input(&state).await?;
    let created = state
        .store()
        .create_customer_field_def(state.now(), &who.actor(), input)
        .await?;
    Ok(Created(created))
}

#[utoipa::path(put, path = "/api/v1/customer-fields/{id}", tag = "desk",
    params(("id" = i64, Path)), request_body = FieldBody,
    responses((status = 200, body = CustomerFieldDef)),
    security(("session" = ["customer.manage"]), ("bearer" = ["customer.manage"])))]
async fn update_field(
    who: Can<perm::CustomerManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<FieldBody>,
) -> ApiResult<Json<CustomerFieldDef>> {
    let input = body.into_input(&state).await?;
    let updated = state
        .store()
        .update_customer_field_def(state.now(), &who.actor(), id, input)
        .await?;
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/customer-fields/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = ["customer.manage"]), ("bearer" = ["customer.manage"])))]
async fn delete_field(
    who: Can<perm::CustomerManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_customer_field_def(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
