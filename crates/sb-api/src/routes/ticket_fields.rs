//! Ticket fields admins define (W1): the keys, labels and kinds of a
//! ticket's `custom_fields`, checked when a ticket is opened.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_store::{TicketFieldDef, TicketFieldDefInput};
use serde::Deserialize;
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
}

const KINDS: [&str; 4] = ["text", "number", "date", "choice"];

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketFieldBody {
    /// Lower-case letters, digits and `_`, starting with a letter.
    field_key: String,
    label: String,
    /// `text`, `number`, `date` or `choice`.
    kind: String,
    /// For `choice`: the dictionary list whose codes are the values.
    dictionary_type: Option<String>,
    required: Option<bool>,
    sort_order: Option<i64>,
}

impl TicketFieldBody {
    async fn into_input(self, state: &AppState) -> ApiResult<TicketFieldDefInput> {
        let key = self.field_key.trim();
        let mut chars = key.chars();
        let well_formed = chars.next().is_some_and(|c| c.is_ascii_lowercase())
            && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
            && key.len() <= 40;
        if !well_formed {
            return Err(ApiError::validation(
                "field_key",
                "a field key is 1-40 lower-case letters, digits and _, starting with a letter",
            ));
        }
        if !KINDS.contains(&self.kind.as_str()) {
            return Err(ApiError::validation(
                "kind",
                format!("kind is text, number, date or choice, not `{}`", self.kind),
            ));
        }
        let dictionary_type =
            validate::optional_text("dictionary_type", self.dictionary_type.as_deref(), 64)?;
        if self.kind == "choice" {
            let lists = state.store().list_dictionary().await?;
            if !lists.iter().any(|t| t.code == dictionary_type) {
                return Err(ApiError::validation(
                    "dictionary_type",
                    format!("a choice needs a dictionary list; `{dictionary_type}` is not one"),
                ));
            }
        }
        Ok(TicketFieldDefInput {
            field_key: key.to_owned(),
            label: validate::text("label", &self.label, 1, 64)?,
            kind: self.kind,
            dictionary_type,
            required: self.required.unwrap_or(false),
            sort_order: self.sort_order.unwrap_or(0),
        })
    }
}

#[utoipa::path(get, path = "/api/v1/ticket-fields", tag = "tickets",
    responses((status = 200, body = Vec<TicketFieldDef>)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn list_fields(
    _: Can<perm::TicketRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<TicketFieldDef>>> {
    Ok(Json(state.store().list_ticket_field_defs().await?))
}

#[utoipa::path(post, path = "/api/v1/ticket-fields", tag = "tickets",
    request_body = TicketFieldBody, responses((status = 201, body = TicketFieldDef)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn create_field(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TicketFieldBody>,
) -> ApiResult<Created<TicketFieldDef>> {
    let input = body.into_input(&state).await?;
    Ok(Created(
        state
            .store()
            .create_ticket_field_def(state.now(), &who.actor(), input)
            .await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/ticket-fields/{id}", tag = "tickets",
    params(("id" = i64, Path)), request_body = TicketFieldBody,
    responses((status = 200, body = TicketFieldDef)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn update_field(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<TicketFieldBody>,
) -> ApiResult<Json<TicketFieldDef>> {
    let input = body.into_input(&state).await?;
    Ok(Json(
        state
            .store()
            .update_ticket_field_def(state.now(), &who.actor(), id, input)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/ticket-fields/{id}", tag = "tickets",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn delete_field(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    state
        .store()
        .delete_ticket_field_def(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
