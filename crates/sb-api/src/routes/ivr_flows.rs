//! Voice flows (MISSION I1, N5): named flows with an optional access number
//! and a history of documents. Publishing a document adds a version that new
//! calls run; older versions stay readable and can be published again.
//!
//! Every document is checked with sb-ivr before it is stored, then its
//! references (queues, calendars, sub-flows, stored prompts) are looked up.
//! A refusal is 422 with `field: "document"`, a message naming the node, and
//! `node` (and `node_field`) in the error body so the editor can point at it.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use sb_ivr::{FlowDocument, FlowError, Mailbox, Node, PromptRef, VoicemailNode};
use sb_store::{IvrFlow, IvrFlowInput, IvrFlowVersionSummary, Page, StoreError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::OffsetDateTime;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::config_names::{document_text, object_name, stored_document};
use crate::routes::{Created, ListQuery};
use crate::state::AppState;
use crate::switch_control::ConfigChange;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_flows, create_flow))
        .routes(routes!(get_flow, update_flow, delete_flow))
        .routes(routes!(list_versions, publish_version))
        .routes(routes!(get_version))
}

/// A flow with its current document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowDetail {
    #[serde(flatten)]
    pub flow: IvrFlow,
    /// The document of `current_version`.
    #[schema(value_type = Object)]
    pub document: Value,
}

/// One version of a flow with its document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FlowVersionView {
    pub flow_id: i64,
    pub version: i64,
    pub note: String,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    pub created_by: String,
    #[schema(value_type = Object)]
    pub document: Value,
}

/// The 422 body of a refused document: the usual error plus the node.
#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentErrorBody {
    pub error: DocumentErrorDetail,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DocumentErrorDetail {
    /// `validation`.
    pub code: String,
    /// Names the node first: `node "menu": choice "3" leads to unknown node "salse"`.
    pub message: String,
    /// Always `document`.
    pub field: String,
    /// The node at fault; absent when the document as a whole is (start, language).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node: Option<String>,
    /// The field within the node, as a path (`choices`, `rules[1].when`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub node_field: Option<String>,
}

/// What a flow route can answer with besides success: the API's usual error
/// or a refused document, which names its node.
#[derive(Debug)]
pub enum FlowRejection {
    Api(ApiError),
    Document(FlowError),
}

impl From<ApiError> for FlowRejection {
    fn from(err: ApiError) -> FlowRejection {
        FlowRejection::Api(err)
    }
}

impl From<StoreError> for FlowRejection {
    fn from(err: StoreError) -> FlowRejection {
        FlowRejection::Api(err.into())
    }
}

impl IntoResponse for FlowRejection {
    fn into_response(self) -> Response {
        match self {
            FlowRejection::Api(err) => err.into_response(),
            FlowRejection::Document(err) => {
                let body = DocumentErrorBody {
                    error: DocumentErrorDetail {
                        code: "validation".into(),
                        message: err.to_string(),
                        field: "document".into(),
                        node: err.node,
                        node_field: err.field,
                    },
                };
                (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
            }
        }
    }
}

type FlowResult<T> = Result<T, FlowRejection>;

fn refused(node: &str, field: &str, message: String) -> FlowRejection {
    FlowRejection::Document(FlowError {
        node: Some(node.to_owned()),
        field: Some(field.to_owned()),
        message,
    })
}

/// Parses and validates a document, then checks that what it names exists.
/// `own_name` is the flow's own name (a flow may not call itself).
async fn checked_document(
    state: &AppState,
    own_name: &str,
    document: &Value,
) -> FlowResult<String> {
    let text = document_text("document", document)?;
    let flow = FlowDocument::parse(&text).map_err(FlowRejection::Document)?;
    check_references(state, own_name, &flow).await?;
    Ok(text)
}

async fn check_references(state: &AppState, own_name: &str, flow: &FlowDocument) -> FlowResult<()> {
    let store = state.store();
    let queues: Vec<String> = store
        .list_acd_queues()
        .await?
        .into_iter()
        .map(|q| q.name)
        .collect();
    let calendars: Vec<String> = store
        .list_calendars()
        .await?
        .into_iter()
        .map(|c| c.name)
        .collect();
    let flows: Vec<String> = store
        .list_ivr_flows()
        .await?
        .into_iter()
        .map(|f| f.name)
        .collect();
    let prompts: Vec<String> = store
        .list_prompts()
        .await?
        .into_iter()
        .map(|p| p.name)
        .collect();
    let known = |list: &[String], name: &str| list.iter().any(|n| n == name);
    for reference in references(flow) {
        let (list, what) = match reference.kind {
            ReferenceKind::Queue => (&queues, "queue"),
            ReferenceKind::Calendar => (&calendars, "calendar"),
            ReferenceKind::Subflow => (&flows, "flow"),
            ReferenceKind::StoredPrompt => (&prompts, "voice prompt"),
        };
        if reference.kind == ReferenceKind::Subflow && reference.name == own_name {
            return Err(refused(
                &reference.node,
                &reference.field,
                format!("a flow cannot run itself as a sub-flow (\"{own_name}\")"),
            ));
        }
        if !known(list, &reference.name) {
            return Err(refused(
                &reference.node,
                &reference.field,
                format!("there is no {what} named \"{}\"", reference.name),
            ));
        }
    }
    Ok(())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ReferenceKind {
    Queue,
    Calendar,
    Subflow,
    StoredPrompt,
}

/// A name a node refers to, with the node and field that name it.
#[derive(Debug)]
struct Reference {
    kind: ReferenceKind,
    name: String,
    node: String,
    field: String,
}

fn references(flow: &FlowDocument) -> Vec<Reference> {
    let mut out = Vec::new();
    for (id, node) in &flow.nodes {
        let mut add = |kind, name: &str, field: String| {
            out.push(Reference {
                kind,
                name: name.to_owned(),
                node: id.clone(),
                field,
            });
        };
        match node {
            Node::Queue(queue) => add(ReferenceKind::Queue, &queue.queue, "queue".into()),
            Node::Voicemail(VoicemailNode {
                mailbox: Mailbox::Queue(queue),
                ..
            }) => add(ReferenceKind::Queue, queue, "mailbox".into()),
            Node::Subflow(subflow) => add(ReferenceKind::Subflow, &subflow.flow, "flow".into()),
            Node::Condition(condition) => {
                for (i, rule) in condition.rules.iter().enumerate() {
                    if let Some(calendar) = rule.when.calendar() {
                        add(
                            ReferenceKind::Calendar,
                            calendar,
                            format!("rules[{i}].when"),
                        );
                    }
                }
            }
            _ => {}
        }
        for (list, prompts) in node.prompt_lists() {
            for (i, prompt) in prompts.iter().enumerate() {
                if let PromptRef::Stored(name) = prompt {
                    add(ReferenceKind::StoredPrompt, name, format!("{list}[{i}]"));
                }
            }
        }
    }
    out
}

/// The flows whose current version matches `uses` (to refuse deleting or
/// renaming what a live flow names). A stored document that no longer
/// parses is skipped: it cannot run, so nothing depends on it.
pub(crate) async fn flows_using(
    state: &AppState,
    uses: impl Fn(&FlowDocument) -> bool,
) -> ApiResult<Vec<String>> {
    let mut users = Vec::new();
    for flow in state.store().list_ivr_flows().await? {
        let current = state
            .store()
            .ivr_flow_version(flow.id, flow.current_version)
            .await?;
        if FlowDocument::parse(&current.document).is_ok_and(|doc| uses(&doc)) {
            users.push(flow.name);
        }
    }
    Ok(users)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct FlowBody {
    /// The code inbound routes, queues and other flows use.
    name: String,
    /// The access number dialled from extensions: 2-16 digits, not an
    /// extension's number; absent or null for none.
    number: Option<String>,
    description: Option<String>,
    enabled: Option<bool>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewFlowBody {
    name: String,
    number: Option<String>,
    description: Option<String>,
    enabled: Option<bool>,
    /// The flow document of version 1 (see the sb-ivr document format).
    #[schema(value_type = Object)]
    document: Value,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct VersionBody {
    #[schema(value_type = Object)]
    document: Value,
    /// What changed, shown in the history; up to 200 characters.
    note: Option<String>,
}

async fn flow_input(
    state: &AppState,
    name: &str,
    number: Option<&str>,
    description: Option<&str>,
    enabled: Option<bool>,
) -> ApiResult<IvrFlowInput> {
    let number = match number.map(str::trim).filter(|n| !n.is_empty()) {
        None => None,
        Some(n) => {
            if !(2..=16).contains(&n.len()) || !n.bytes().all(|b| b.is_ascii_digit()) {
                return Err(ApiError::validation(
                    "number",
                    format!("number must be 2 to 16 digits, got `{n}`"),
                ));
            }
            // Dialled like an extension, so it must not be one.
            if state.store().sip_account(n).await?.is_some() {
                return Err(ApiError::validation(
                    "number",
                    format!("number {n} is an extension's number"),
                ));
            }
            Some(n.to_owned())
        }
    };
    Ok(IvrFlowInput {
        name: object_name("name", name)?,
        number,
        description: validate::optional_text("description", description, 200)?,
        enabled: enabled.unwrap_or(true),
    })
}

async fn detail(state: &AppState, flow: IvrFlow) -> ApiResult<FlowDetail> {
    let current = state
        .store()
        .ivr_flow_version(flow.id, flow.current_version)
        .await?;
    Ok(FlowDetail {
        document: stored_document("reading a stored flow", &current.document)?,
        flow,
    })
}

#[utoipa::path(get, path = "/api/v1/ivr/flows", tag = "ivr", params(ListQuery),
    responses((status = 200, body = Page<IvrFlow>)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn list_flows(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<IvrFlow>>> {
    let flows = state.store().list_ivr_flows().await?;
    Ok(Json(query.apply(flows, 1000, |f| {
        vec![
            f.name.as_str(),
            f.number.as_deref().unwrap_or(""),
            f.description.as_str(),
        ]
    })))
}

/// Creates a flow with `document` as version 1. A document sb-ivr refuses,
/// or one naming a queue, calendar, sub-flow or prompt that does not exist,
/// is 422 with `field: "document"` and `node`.
#[utoipa::path(post, path = "/api/v1/ivr/flows", tag = "ivr", request_body = NewFlowBody,
    responses((status = 201, body = FlowDetail),
        (status = 422, description = "A field or the document is invalid", body = DocumentErrorBody)),
    security(("session" = ["ivr.manage"]), ("bearer" = ["ivr.manage"])))]
async fn create_flow(
    who: Can<perm::IvrManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewFlowBody>,
) -> FlowResult<Created<FlowDetail>> {
    let input = flow_input(
        &state,
        &body.name,
        body.number.as_deref(),
        body.description.as_deref(),
        body.enabled,
    )
    .await?;
    let document = checked_document(&state, &input.name, &body.document).await?;
    let created = state
        .store()
        .create_ivr_flow(state.now(), &who.actor(), input, &document)
        .await?;
    state.switch().config_changed(ConfigChange::Flows);
    Ok(Created(detail(&state, created).await?))
}

#[utoipa::path(get, path = "/api/v1/ivr/flows/{id}", tag = "ivr", params(("id" = i64, Path)),
    responses((status = 200, body = FlowDetail)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn get_flow(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<FlowDetail>> {
    let flow = state.store().ivr_flow(id).await?;
    Ok(Json(detail(&state, flow).await?))
}

/// Changes the name, number, description or enabled flag; the documents
/// stay. A rename is refused (409) while routes, queues or other flows'
/// current versions refer to the flow by name.
#[utoipa::path(put, path = "/api/v1/ivr/flows/{id}", tag = "ivr", params(("id" = i64, Path)),
    request_body = FlowBody, responses((status = 200, body = FlowDetail)),
    security(("session" = ["ivr.manage"]), ("bearer" = ["ivr.manage"])))]
async fn update_flow(
    who: Can<perm::IvrManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<FlowBody>,
) -> ApiResult<Json<FlowDetail>> {
    let input = flow_input(
        &state,
        &body.name,
        body.number.as_deref(),
        body.description.as_deref(),
        body.enabled,
    )
    .await?;
    let before = state.store().ivr_flow(id).await?;
    if before.name != input.name {
        refuse_if_subflow(&state, &before.name, "renamed").await?;
    }
    let updated = state
        .store()
        .update_ivr_flow(state.now(), &who.actor(), id, input)
        .await?;
    state.switch().config_changed(ConfigChange::Flows);
    Ok(Json(detail(&state, updated).await?))
}

/// Deletes the flow and all its versions; refused (409) while inbound
/// routes, queues or other flows' current versions send calls to it.
#[utoipa::path(delete, path = "/api/v1/ivr/flows/{id}", tag = "ivr", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["ivr.manage"]), ("bearer" = ["ivr.manage"])))]
async fn delete_flow(
    who: Can<perm::IvrManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let flow = state.store().ivr_flow(id).await?;
    refuse_if_subflow(&state, &flow.name, "deleted").await?;
    state
        .store()
        .delete_ivr_flow(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::Flows);
    Ok(StatusCode::NO_CONTENT)
}

async fn refuse_if_subflow(state: &AppState, name: &str, change: &str) -> ApiResult<()> {
    let users = flows_using(state, |doc| {
        doc.subflows().iter().any(|f| f.as_str() == name)
    })
    .await?;
    let users: Vec<String> = users.into_iter().filter(|u| u != name).collect();
    if users.is_empty() {
        return Ok(());
    }
    Err(ApiError::conflict(
        "flow_in_use",
        format!(
            "flow {name} cannot be {change}: flows {} run it as a sub-flow",
            users.join(", ")
        ),
    ))
}

/// The flow's versions, newest first.
#[utoipa::path(get, path = "/api/v1/ivr/flows/{id}/versions", tag = "ivr", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<IvrFlowVersionSummary>)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn list_versions(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Vec<IvrFlowVersionSummary>>> {
    Ok(Json(state.store().ivr_flow_versions(id).await?))
}

/// Publishes `document` as the flow's next version: new calls run it, calls
/// in progress finish on the version they started with. Refused like a
/// new flow's document (422 with `node`).
#[utoipa::path(post, path = "/api/v1/ivr/flows/{id}/versions", tag = "ivr", params(("id" = i64, Path)),
    request_body = VersionBody,
    responses((status = 201, body = FlowVersionView),
        (status = 422, description = "The document is invalid", body = DocumentErrorBody)),
    security(("session" = ["ivr.manage"]), ("bearer" = ["ivr.manage"])))]
async fn publish_version(
    who: Can<perm::IvrManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<VersionBody>,
) -> FlowResult<Created<FlowVersionView>> {
    let flow = state.store().ivr_flow(id).await?;
    let note = validate::optional_text("note", body.note.as_deref(), 200)?;
    let document = checked_document(&state, &flow.name, &body.document).await?;
    let version = state
        .store()
        .publish_ivr_flow_version(state.now(), &who.actor(), id, &document, &note)
        .await?;
    state.switch().config_changed(ConfigChange::Flows);
    Ok(Created(version_view(&state, id, version).await?))
}

async fn version_view(state: &AppState, id: i64, version: i64) -> ApiResult<FlowVersionView> {
    let stored = state.store().ivr_flow_version(id, version).await?;
    Ok(FlowVersionView {
        document: stored_document("reading a stored flow", &stored.document)?,
        flow_id: stored.flow_id,
        version: stored.version,
        note: stored.note,
        created_at: stored.created_at,
        created_by: stored.created_by,
    })
}

/// One version with its document.
#[utoipa::path(get, path = "/api/v1/ivr/flows/{id}/versions/{version}", tag = "ivr",
    params(("id" = i64, Path), ("version" = i64, Path)),
    responses((status = 200, body = FlowVersionView)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn get_version(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    Path((id, version)): Path<(String, String)>,
) -> ApiResult<Json<FlowVersionView>> {
    let positive = |field: &str, raw: &str| {
        raw.parse::<i64>().ok().filter(|n| *n > 0).ok_or_else(|| {
            ApiError::bad_request(format!("`{raw}` is not a valid {field}")).with_field(field)
        })
    };
    let id = positive("id", &id)?;
    let version = positive("version", &version)?;
    Ok(Json(version_view(&state, id, version).await?))
}
