//! Voicemail (MISSION I7): messages callers left for a queue or an agent.
//! `voicemail.read` finds them; hearing one takes `voicemail.listen` and is
//! audited as an access like a recording; marking one handled (called back)
//! takes `voicemail.manage`. The files live under the recordings folder.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::Response;
use sb_store::{AuditEvent, AuditKind, MailboxKind, Page, Voicemail, VoicemailFilter};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::PageQuery;
use crate::served_file::ServedFile;
use crate::state::AppState;
use crate::validate;

const WAV: &str = "audio/wav";

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_voicemails))
        .routes(routes!(get_voicemail))
        .routes(routes!(voicemail_audio))
        .routes(routes!(mark_handled))
}

/// A message as the console shows it (the file's place on disk stays inside).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VoicemailView {
    pub id: i64,
    pub mailbox_kind: MailboxKind,
    /// A queue name or an agent's employee ID.
    pub mailbox: String,
    pub call_id: String,
    pub caller: String,
    pub duration_ms: i64,
    pub size_bytes: i64,
    pub sha256: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339::option")]
    pub handled_at: Option<OffsetDateTime>,
    pub handled_by: Option<String>,
    pub note: String,
    /// Whether the audio file can be fetched.
    pub available: bool,
}

impl VoicemailView {
    fn of(state: &AppState, v: Voicemail) -> VoicemailView {
        VoicemailView {
            available: state.media_dirs().recording_file(&v.file).is_some(),
            id: v.id,
            mailbox_kind: v.mailbox_kind,
            mailbox: v.mailbox,
            call_id: v.call_id,
            caller: v.caller,
            duration_ms: v.duration_ms,
            size_bytes: v.size_bytes,
            sha256: v.sha256,
            created_at: v.created_at,
            handled_at: v.handled_at,
            handled_by: v.handled_by,
            note: v.note,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct VoicemailQuery {
    /// `queue` or `agent`.
    mailbox_kind: Option<String>,
    /// A queue name or an agent's employee ID, exactly.
    mailbox: Option<String>,
    /// `false`: only messages nobody has handled yet.
    handled: Option<bool>,
    /// RFC 3339, inclusive.
    from: Option<String>,
    /// RFC 3339, exclusive.
    to: Option<String>,
    /// The start of the caller's number.
    caller: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl VoicemailQuery {
    fn filter(&self) -> ApiResult<VoicemailFilter> {
        let mailbox_kind = match self.mailbox_kind.as_deref().filter(|k| !k.is_empty()) {
            None => None,
            Some(kind) => Some(MailboxKind::parse(kind).ok_or_else(|| {
                ApiError::bad_request(format!("mailbox_kind must be queue or agent, got `{kind}`"))
                    .with_field("mailbox_kind")
            })?),
        };
        let text = |v: &Option<String>| {
            v.as_deref()
                .map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_owned)
        };
        Ok(VoicemailFilter {
            mailbox_kind,
            mailbox: text(&self.mailbox),
            handled: self.handled,
            from: validate::query_time("from", self.from.as_deref())?,
            to: validate::query_time("to", self.to.as_deref())?,
            caller: text(&self.caller),
        })
    }
}

#[utoipa::path(get, path = "/api/v1/voicemails", tag = "acd", params(VoicemailQuery),
    responses((status = 200, body = Page<VoicemailView>)),
    security(("session" = ["voicemail.read"]), ("bearer" = ["voicemail.read"])))]
async fn list_voicemails(
    _: Can<perm::VoicemailRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<VoicemailQuery>,
) -> ApiResult<Json<Page<VoicemailView>>> {
    let filter = query.filter()?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    let found = state.store().search_voicemails(&filter, page).await?;
    Ok(Json(Page {
        items: found
            .items
            .into_iter()
            .map(|v| VoicemailView::of(&state, v))
            .collect(),
        total: found.total,
        page: found.page,
        per_page: found.per_page,
    }))
}

#[utoipa::path(get, path = "/api/v1/voicemails/{id}", tag = "acd", params(("id" = i64, Path)),
    responses((status = 200, body = VoicemailView)),
    security(("session" = ["voicemail.read"]), ("bearer" = ["voicemail.read"])))]
async fn get_voicemail(
    _: Can<perm::VoicemailRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<VoicemailView>> {
    let message = state.store().voicemail(id).await?;
    Ok(Json(VoicemailView::of(&state, message)))
}

/// The message (audio/wav) with Range support. Audited as
/// `voicemail.listen` when played from the start (not on every seek).
#[utoipa::path(get, path = "/api/v1/voicemails/{id}/audio", tag = "acd", params(("id" = i64, Path)),
    responses((status = 200, description = "The WAV file", content_type = "audio/wav"),
        (status = 206, description = "The requested byte range", content_type = "audio/wav"),
        (status = 416, description = "The range lies outside the file")),
    security(("session" = ["voicemail.listen"]), ("bearer" = ["voicemail.listen"])))]
async fn voicemail_audio(
    who: Can<perm::VoicemailListen>,
    State(state): State<AppState>,
    Id(id): Id,
    headers: HeaderMap,
) -> ApiResult<Response> {
    let message = state.store().voicemail(id).await?;
    let gone = "the message's file is missing from the recordings folder";
    let path = state
        .media_dirs()
        .recording_file(&message.file)
        .ok_or_else(|| ApiError::not_found(gone))?;
    let audio = ServedFile::open(&path, &headers, gone).await?;
    if audio.from_start() {
        audit_listen(&state, &who, &message).await?;
    }
    audio.into_response(WAV, None).await
}

async fn audit_listen(state: &AppState, who: &Principal, message: &Voicemail) -> ApiResult<()> {
    let detail = format!(
        "{} for {} {}",
        message.caller,
        message.mailbox_kind.code(),
        message.mailbox
    );
    let event = AuditEvent {
        kind: AuditKind::Access,
        outcome: "ok",
        action: "voicemail.listen",
        entity: "voicemail",
        entity_id: &message.id.to_string(),
        detail: &detail,
    };
    // Listening unaudited is not allowed: a failed audit write fails the request.
    state
        .store()
        .record_audit(state.now(), &who.actor(), event)
        .await?;
    Ok(())
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HandledBody {
    /// What was done (called back, ...); up to 500 characters.
    note: Option<String>,
}

/// Marks the message handled by the caller of this route, with a note.
/// Marking again replaces the note (both stay in the audit log).
#[utoipa::path(post, path = "/api/v1/voicemails/{id}/handled", tag = "acd", params(("id" = i64, Path)),
    request_body = HandledBody, responses((status = 200, body = VoicemailView)),
    security(("session" = ["voicemail.manage"]), ("bearer" = ["voicemail.manage"])))]
async fn mark_handled(
    who: Can<perm::VoicemailManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<HandledBody>,
) -> ApiResult<Json<VoicemailView>> {
    let note = validate::optional_text("note", body.note.as_deref(), 500)?;
    let message = state
        .store()
        .mark_voicemail_handled(state.now(), &who.actor(), id, &note)
        .await?;
    Ok(Json(VoicemailView::of(&state, message)))
}
