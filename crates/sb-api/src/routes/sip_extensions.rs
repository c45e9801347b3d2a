//! SIP extensions (MISSION T1): the phones' accounts, and who is registered.
//! A SIP password goes in, is turned into digest HA1s for the configured
//! realm, and never comes out again.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::{CallClass, SipSecret};
use sb_store::{Page, SipExtension, SipExtensionInput};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, ListQuery, PageQuery};
use crate::state::AppState;
use crate::switch_control::{ConfigChange, RegistrationView};
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_extensions, create_extension))
        .routes(routes!(get_extension, update_extension, delete_extension))
        .routes(routes!(set_password))
        .routes(routes!(list_registrations))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    /// Matches the extension number or the display name (contains).
    q: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ExtensionBody {
    /// 2-10 digits; also the SIP user name.
    extension: String,
    display_name: Option<String>,
    /// 8-64 printable ASCII characters with a letter and a digit. Required on
    /// create; on update it sets a new password (needed when the number
    /// changes). Never returned.
    password: Option<String>,
    /// internal, local, national (default) or international.
    #[schema(value_type = Option<String>, example = "national")]
    call_class: Option<CallClass>,
    /// Phones that may register at once, 1-10 (default 3).
    max_contacts: Option<i64>,
    enabled: Option<bool>,
    /// Record every call of this extension (default false).
    record_calls: Option<bool>,
}

impl ExtensionBody {
    fn into_input(self, realm: &str) -> ApiResult<(SipExtensionInput, Option<SipSecret>)> {
        let extension = validate::extension("extension", &self.extension)?;
        let secret = self
            .password
            .map(|p| validate::sip_password("password", &p, &extension))
            .transpose()?
            .map(|p| SipSecret::derive(&extension, realm, &p));
        let input = SipExtensionInput {
            display_name: validate::optional_text(
                "display_name",
                self.display_name.as_deref(),
                64,
            )?,
            call_class: self.call_class.unwrap_or(CallClass::National),
            max_contacts: validate::int_in("max_contacts", self.max_contacts.unwrap_or(3), 1..=10)?,
            enabled: self.enabled.unwrap_or(true),
            record_calls: self.record_calls.unwrap_or(false),
            extension,
        };
        Ok((input, secret))
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SipPasswordBody {
    /// 8-64 printable ASCII characters with a letter and a digit.
    password: String,
}

#[utoipa::path(get, path = "/api/v1/extensions", tag = "telephony", params(ExtensionQuery),
    responses((status = 200, body = Page<SipExtension>)),
    security(("session" = ["extension.read"]), ("bearer" = ["extension.read"])))]
async fn list_extensions(
    _: Can<perm::ExtensionRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ExtensionQuery>,
) -> ApiResult<Json<Page<SipExtension>>> {
    let q: Option<String> = query.q.map(|q| q.chars().take(64).collect());
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state
            .store()
            .list_sip_extensions(q.as_deref(), page)
            .await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/extensions", tag = "telephony", request_body = ExtensionBody,
    responses((status = 201, body = SipExtension)),
    security(("session" = ["extension.manage"]), ("bearer" = ["extension.manage"])))]
async fn create_extension(
    who: Can<perm::ExtensionManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<ExtensionBody>,
) -> ApiResult<Created<SipExtension>> {
    let (input, secret) = body.into_input(&state.config().sip_realm)?;
    let secret = secret.ok_or_else(|| ApiError::validation("password", "password is required"))?;
    let created = state
        .store()
        .create_sip_extension(state.now(), &who.actor(), input, &secret)
        .await?;
    changed(&state, &created.extension);
    Ok(Created(created))
}

#[utoipa::path(get, path = "/api/v1/extensions/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 200, body = SipExtension)),
    security(("session" = ["extension.read"]), ("bearer" = ["extension.read"])))]
async fn get_extension(
    _: Can<perm::ExtensionRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<SipExtension>> {
    Ok(Json(state.store().sip_extension(id).await?))
}

/// Replaces the record; a `password` sets a new one (and ends demo status).
#[utoipa::path(put, path = "/api/v1/extensions/{id}", tag = "telephony", params(("id" = i64, Path)),
    request_body = ExtensionBody, responses((status = 200, body = SipExtension)),
    security(("session" = ["extension.manage"]), ("bearer" = ["extension.manage"])))]
async fn update_extension(
    who: Can<perm::ExtensionManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<ExtensionBody>,
) -> ApiResult<Json<SipExtension>> {
    let (input, secret) = body.into_input(&state.config().sip_realm)?;
    let before = state.store().sip_extension(id).await?;
    let after = state
        .store()
        .update_sip_extension(state.now(), &who.actor(), id, input, secret.as_ref())
        .await?;
    changed(&state, &before.extension);
    if after.extension != before.extension {
        changed(&state, &after.extension);
    }
    Ok(Json(after))
}

#[utoipa::path(delete, path = "/api/v1/extensions/{id}", tag = "telephony", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["extension.manage"]), ("bearer" = ["extension.manage"])))]
async fn delete_extension(
    who: Can<perm::ExtensionManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let gone = state
        .store()
        .delete_sip_extension(state.now(), &who.actor(), id)
        .await?;
    changed(&state, &gone.extension);
    Ok(StatusCode::NO_CONTENT)
}

/// Sets a new SIP password (the phone must be configured with it).
#[utoipa::path(post, path = "/api/v1/extensions/{id}/password", tag = "telephony", params(("id" = i64, Path)),
    request_body = SipPasswordBody, responses((status = 200, body = SipExtension)),
    security(("session" = ["extension.manage"]), ("bearer" = ["extension.manage"])))]
async fn set_password(
    who: Can<perm::ExtensionManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<SipPasswordBody>,
) -> ApiResult<Json<SipExtension>> {
    let current = state.store().sip_extension(id).await?;
    let password = validate::sip_password("password", &body.password, &current.extension)?;
    let secret = SipSecret::derive(&current.extension, &state.config().sip_realm, &password);
    let updated = state
        .store()
        .set_sip_password(state.now(), &who.actor(), id, &secret)
        .await?;
    changed(&state, &updated.extension);
    Ok(Json(updated))
}

/// The phones registered now, as the running switch reports them.
#[utoipa::path(get, path = "/api/v1/registrations", tag = "telephony", params(ListQuery),
    responses((status = 200, body = Page<RegistrationView>)),
    security(("session" = ["extension.read"]), ("bearer" = ["extension.read"])))]
async fn list_registrations(
    _: Can<perm::ExtensionRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<RegistrationView>>> {
    let mut registrations = state.switch().registrations();
    registrations.sort_by(|a, b| {
        (a.extension.len(), &a.extension, &a.contact).cmp(&(
            b.extension.len(),
            &b.extension,
            &b.contact,
        ))
    });
    Ok(Json(query.apply(registrations, 1000, |r| {
        vec![
            r.extension.as_str(),
            r.contact.as_str(),
            r.source.as_str(),
            r.user_agent.as_str(),
        ]
    })))
}

fn changed(state: &AppState, extension: &str) {
    state.switch().config_changed(ConfigChange::Extension {
        extension: extension.to_owned(),
    });
}
