//! Tickets / work orders (MISSION W1-W8): list with filters and the "my
//! tickets" views, open, read with history and the actions the state
//! allows, delete, the repeat window and the customer picker. The workflow
//! steps, attachments, SLA policies, fields, statistics and export are in
//! the `ticket_*` modules; this router mounts them all.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::Permission;
use sb_desk::tickets::{DeskActor, OpenTicket, TicketDesk, available_commands};
use sb_store::{
    CustomerOption, DictionaryType, Page, Ticket, TicketAttachment, TicketFilter,
    TicketHistoryEntry, TicketKind, TicketPriority, TicketScope, TicketSort, TicketState,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use time::OffsetDateTime;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::principal::refuse_actor;
use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery, ticket_attachments, ticket_fields, ticket_sla_policies};
use crate::routes::{ticket_stats, ticket_steps};
use crate::scope::Scope;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_tickets, open_ticket))
        .routes(routes!(get_ticket, delete_ticket))
        .routes(routes!(customer_options))
        .routes(routes!(ticket_options))
        .routes(routes!(get_settings, put_settings))
        .merge(ticket_steps::router())
        .merge(ticket_attachments::router())
        .merge(ticket_sla_policies::router())
        .merge(ticket_fields::router())
        .merge(ticket_stats::router())
}

/// The tickets `who` may see: by the data scope of `ticket.read`, their
/// departments' tickets plus those assigned to or taken by them.
pub(crate) async fn ticket_scope(state: &AppState, who: &Principal) -> ApiResult<TicketScope> {
    let scope = Scope::of(state, who, Permission::TicketRead).await?;
    Ok(if scope.is_everything() {
        TicketScope::everything()
    } else {
        TicketScope {
            everything: false,
            department_ids: scope.department_ids.unwrap_or_default(),
            staff_id: who.staff_id.0,
        }
    })
}

/// The ticket if `who` may see it; 403 (audited) when it is outside their scope.
pub(crate) async fn visible_ticket(
    state: &AppState,
    who: &Principal,
    id: i64,
    action: &str,
) -> ApiResult<Ticket> {
    let ticket = state.store().ticket(id).await?;
    if ticket_scope(state, who).await?.covers(&ticket) {
        return Ok(ticket);
    }
    let e = ApiError::forbidden(format!(
        "ticket {} is outside your data scope",
        ticket.serial
    ))
    .with_field("id");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

pub(crate) fn desk(state: &AppState) -> TicketDesk {
    TicketDesk::new(state.store().clone())
}

pub(crate) fn desk_actor(who: &Principal) -> DeskActor {
    DeskActor {
        staff_id: who.staff_id.0,
        department_id: who.department_id,
        may_dispatch: who.grants.allows(Permission::TicketDispatch),
    }
}

/// The list filters, shared by the list and the export.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TicketQuery {
    /// `mine` (assigned to me), `queue` (my department's claimable
    /// queue), `created` (taken down by me), `overdue`; absent: all in scope.
    view: Option<String>,
    /// Comma-separated states.
    state: Option<String>,
    type_code: Option<String>,
    subtype_code: Option<String>,
    priority: Option<TicketPriority>,
    department_id: Option<i64>,
    assignee_id: Option<i64>,
    customer_id: Option<i64>,
    /// RFC 3339, inclusive.
    created_from: Option<String>,
    /// RFC 3339, exclusive.
    created_to: Option<String>,
    /// Only tickets past a deadline they have not met.
    overdue: Option<bool>,
    repeat: Option<bool>,
    /// Exact serial number.
    serial: Option<String>,
    /// In the subject, the content or the customer's name.
    q: Option<String>,
    /// `newest` (default), `oldest`, `priority`, `deadline`.
    sort: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl TicketQuery {
    pub(crate) fn filter(
        &self,
        who: &Principal,
        now: OffsetDateTime,
    ) -> ApiResult<(TicketFilter, TicketSort)> {
        let mut filter = TicketFilter {
            type_code: self.type_code.clone(),
            subtype_code: self.subtype_code.clone(),
            priority: self.priority,
            department_id: self.department_id,
            assignee_id: self.assignee_id,
            customer_id: self.customer_id,
            created_from: validate::query_time("created_from", self.created_from.as_deref())?,
            created_to: validate::query_time("created_to", self.created_to.as_deref())?,
            overdue_at: self.overdue.unwrap_or(false).then_some(now),
            repeat: self.repeat,
            serial: self.serial.clone(),
            text: self.q.clone(),
            ..TicketFilter::default()
        };
        for code in self
            .state
            .as_deref()
            .unwrap_or("")
            .split(',')
            .map(str::trim)
            .filter(|c| !c.is_empty())
        {
            let state = TicketState::parse(code).ok_or_else(|| {
                ApiError::validation("state", format!("unknown ticket state `{code}`"))
            })?;
            filter.states.push(state);
        }
        match self.view.as_deref().unwrap_or("") {
            "" | "all" => {}
            "mine" => filter.assignee_id = Some(who.staff_id.0),
            "created" => filter.taker_id = Some(who.staff_id.0),
            "overdue" => filter.overdue_at = Some(now),
            "queue" => filter.queued_in = Some(who.department_id.into_iter().collect()),
            other => {
                return Err(ApiError::validation(
                    "view",
                    format!("view is mine, queue, created or overdue, not `{other}`"),
                ));
            }
        }
        let sort = match self.sort.as_deref().unwrap_or("newest") {
            "newest" => TicketSort::NewestFirst,
            "oldest" => TicketSort::OldestFirst,
            "priority" => TicketSort::Priority,
            "deadline" => TicketSort::Deadline,
            other => {
                return Err(ApiError::validation(
                    "sort",
                    format!("sort is newest, oldest, priority or deadline, not `{other}`"),
                ));
            }
        };
        Ok((filter, sort))
    }
}

#[utoipa::path(get, path = "/api/v1/tickets", tag = "tickets", params(TicketQuery),
    responses((status = 200, body = Page<Ticket>)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn search_tickets(
    who: Can<perm::TicketRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<TicketQuery>,
) -> ApiResult<Json<Page<Ticket>>> {
    let (filter, sort) = query.filter(&who, state.now())?;
    let scope = ticket_scope(&state, &who).await?;
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state
            .store()
            .search_tickets(&filter, &scope, sort, page)
            .await?,
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketBody {
    /// `request` (default) or `proactive`.
    kind: Option<TicketKind>,
    /// An item code of the dictionary list `ticket_channel`.
    channel: String,
    /// A top-level item code of the dictionary list `ticket_type`.
    type_code: String,
    /// A child item of `type_code`.
    subtype_code: Option<String>,
    priority: Option<TicketPriority>,
    urgency: Option<TicketPriority>,
    /// 1-200 characters.
    subject: String,
    content: Option<String>,
    customer_id: Option<i64>,
    /// The call it came from (screen pop).
    call_id: Option<String>,
    /// Values of the admin-defined ticket fields, by key.
    #[schema(value_type = Object)]
    custom_fields: Option<Map<String, Value>>,
    /// Put it in this department's queue...
    department_id: Option<i64>,
    /// ...or give it to this person (needs `ticket.dispatch`).
    assignee_id: Option<i64>,
    /// For the first history row.
    note: Option<String>,
}

fn dictionary_list<'a>(lists: &'a [DictionaryType], code: &str) -> &'a [sb_store::DictionaryItem] {
    lists
        .iter()
        .find(|t| t.code == code)
        .map_or(&[], |t| t.items.as_slice())
}

/// The channel, type and sub-type as dictionary codes (sub-type a child of the type).
pub(crate) async fn check_classification(
    state: &AppState,
    channel: Option<&str>,
    type_code: &str,
    subtype_code: &str,
) -> ApiResult<()> {
    let lists = state.store().list_dictionary().await?;
    if let Some(channel) = channel {
        let channels = dictionary_list(&lists, "ticket_channel");
        if !channels.iter().any(|i| i.code == channel && i.enabled) {
            return Err(ApiError::validation(
                "channel",
                format!("`{channel}` is not a channel in the dictionary list ticket_channel"),
            ));
        }
    }
    let types = dictionary_list(&lists, "ticket_type");
    let Some(parent) = types
        .iter()
        .find(|i| i.code == type_code && i.parent_id.is_none() && i.enabled)
    else {
        return Err(ApiError::validation(
            "type_code",
            format!("`{type_code}` is not a ticket type in the dictionary list ticket_type"),
        ));
    };
    if !subtype_code.is_empty()
        && !types
            .iter()
            .any(|i| i.code == subtype_code && i.parent_id == Some(parent.id) && i.enabled)
    {
        return Err(ApiError::validation(
            "subtype_code",
            format!("`{subtype_code}` is not a sub-type of {type_code}"),
        ));
    }
    Ok(())
}

/// Custom field values against the admin's definitions: no unknown keys,
/// required ones present, each of its kind.
async fn check_custom_fields(state: &AppState, values: Map<String, Value>) -> ApiResult<Value> {
    let defs = state.store().list_ticket_field_defs().await?;
    let lists = state.store().list_dictionary().await?;
    for key in values.keys() {
        if !defs.iter().any(|d| &d.field_key == key) {
            return Err(ApiError::validation(
                format!("custom_fields.{key}"),
                format!("there is no ticket field `{key}`"),
            ));
        }
    }
    let mut out = Map::new();
    for def in &defs {
        let field = format!("custom_fields.{}", def.field_key);
        let value = values
            .get(&def.field_key)
            .filter(|v| !v.is_null() && *v != "");
        let Some(value) = value else {
            if def.required {
                return Err(ApiError::validation(
                    field,
                    format!("{} is required", def.label),
                ));
            }
            continue;
        };
        let ok = match def.kind.as_str() {
            "number" => value.is_number(),
            "date" => value.as_str().is_some_and(|s| {
                time::Date::parse(s, time::macros::format_description!("[year]-[month]-[day]"))
                    .is_ok()
            }),
            "choice" => value.as_str().is_some_and(|s| {
                dictionary_list(&lists, &def.dictionary_type)
                    .iter()
                    .any(|i| i.code == s)
            }),
            _ => value.as_str().is_some_and(|s| s.chars().count() <= 500),
        };
        if !ok {
            let expected = match def.kind.as_str() {
                "number" => "a number".to_owned(),
                "date" => "a date YYYY-MM-DD".to_owned(),
                "choice" => format!("a code of the list {}", def.dictionary_type),
                _ => "text of at most 500 characters".to_owned(),
            };
            return Err(ApiError::validation(
                field,
                format!("{} must be {expected}", def.label),
            ));
        }
        out.insert(def.field_key.clone(), value.clone());
    }
    Ok(Value::Object(out))
}

pub(crate) async fn check_department(state: &AppState, field: &str, id: i64) -> ApiResult<()> {
    match state.store().department(id).await {
        Ok(_) => Ok(()),
        Err(sb_store::StoreError::NotFound { .. }) => Err(ApiError::validation(
            field,
            format!("department {id} does not exist"),
        )),
        Err(e) => Err(e.into()),
    }
}

/// The person exists and is enabled; their department.
pub(crate) async fn check_assignee(
    state: &AppState,
    field: &str,
    id: i64,
) -> ApiResult<Option<i64>> {
    match state.store().staff(id).await {
        Ok(staff) if staff.enabled => Ok(staff.department_id),
        Ok(staff) => Err(ApiError::validation(
            field,
            format!("{} is disabled", staff.employee_id),
        )),
        Err(sb_store::StoreError::NotFound { .. }) => Err(ApiError::validation(
            field,
            format!("staff {id} does not exist"),
        )),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(post, path = "/api/v1/tickets", tag = "tickets", request_body = TicketBody,
    responses((status = 201, body = Ticket)),
    security(("session" = ["ticket.create"]), ("bearer" = ["ticket.create"])))]
async fn open_ticket(
    who: Can<perm::TicketCreate>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TicketBody>,
) -> ApiResult<Created<Ticket>> {
    let subject = validate::text("subject", &body.subject, 1, 200)?;
    let content = validate::optional_text("content", body.content.as_deref(), 10_000)?;
    let channel = validate::code("channel", &body.channel)?;
    let type_code = validate::code("type_code", &body.type_code)?;
    let subtype_code = validate::optional_text("subtype_code", body.subtype_code.as_deref(), 64)?;
    check_classification(&state, Some(&channel), &type_code, &subtype_code).await?;
    let call_id = validate::optional_text("call_id", body.call_id.as_deref(), 128)?;
    let note = validate::optional_text("note", body.note.as_deref(), 2000)?;
    let custom_fields = check_custom_fields(&state, body.custom_fields.unwrap_or_default()).await?;
    let mut department_id = body.department_id;
    if let Some(d) = department_id {
        check_department(&state, "department_id", d).await?;
    }
    if let Some(assignee) = body.assignee_id {
        if !who.grants.allows(Permission::TicketDispatch) {
            let e = ApiError::forbidden("giving a ticket to someone needs ticket.dispatch")
                .with_field("assignee_id");
            return Err(refuse_actor(&state, who.actor(), "ticket.create", e).await);
        }
        let home = check_assignee(&state, "assignee_id", assignee).await?;
        department_id = department_id.or(home);
    }
    let request = OpenTicket {
        kind: body.kind.unwrap_or(TicketKind::Request),
        channel,
        type_code,
        subtype_code,
        priority: body.priority.unwrap_or(TicketPriority::Normal),
        urgency: body.urgency.unwrap_or(TicketPriority::Normal),
        subject,
        content,
        customer_id: body.customer_id,
        call_id,
        custom_fields,
        department_id,
        assignee_id: body.assignee_id,
        note,
    };
    let created = desk(&state)
        .open(state.now(), &who.actor(), request)
        .await
        .map_err(ApiError::from)?;
    Ok(Created(created))
}

/// A ticket with everything its page shows.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketDetail {
    ticket: Ticket,
    history: Vec<TicketHistoryEntry>,
    attachments: Vec<TicketAttachment>,
    /// The workflow commands the caller may give now.
    actions: Vec<String>,
    /// Past a deadline it has not met (and the clock is running).
    overdue: bool,
}

pub(crate) fn is_overdue(ticket: &Ticket, now: OffsetDateTime) -> bool {
    let running = matches!(
        ticket.state,
        TicketState::New | TicketState::Assigned | TicketState::InProgress
    );
    let late = |due: Option<OffsetDateTime>, met: Option<OffsetDateTime>| {
        met.is_none() && due.is_some_and(|d| d < now)
    };
    running
        && (late(ticket.sla.response_due_at, ticket.sla.responded_at)
            || late(ticket.sla.resolve_due_at, ticket.sla.resolved_at))
}

/// The commands the state allows that the caller's permissions also allow.
fn actions_for(who: &Principal, ticket: &Ticket) -> Vec<String> {
    available_commands(ticket, &desk_actor(who))
        .into_iter()
        .filter(|c| {
            let needs = match *c {
                "assign" | "dispatch" | "hand_over" => Permission::TicketDispatch,
                "close" => Permission::TicketClose,
                _ => Permission::TicketWork,
            };
            who.grants.allows(needs)
        })
        .map(str::to_owned)
        .collect()
}

pub(crate) async fn detail(
    state: &AppState,
    who: &Principal,
    ticket: Ticket,
) -> ApiResult<TicketDetail> {
    let history = state.store().ticket_history(ticket.id).await?;
    let attachments = state.store().ticket_attachments(ticket.id).await?;
    Ok(TicketDetail {
        actions: actions_for(who, &ticket),
        overdue: is_overdue(&ticket, state.now()),
        ticket,
        history,
        attachments,
    })
}

#[utoipa::path(get, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 200, body = TicketDetail)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn get_ticket(
    who: Can<perm::TicketRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<TicketDetail>> {
    let ticket = visible_ticket(&state, &who, id, "ticket.read").await?;
    Ok(Json(detail(&state, &who, ticket).await?))
}

#[utoipa::path(delete, path = "/api/v1/tickets/{id}", tag = "tickets", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn delete_ticket(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let files = state
        .store()
        .delete_ticket(state.now(), &who.actor(), id)
        .await?;
    for file in files {
        ticket_attachments::remove_file(&state, &file).await;
    }
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OptionsQuery {
    /// Part of the name or phone number.
    q: Option<String>,
}

#[utoipa::path(get, path = "/api/v1/tickets/customer-options", tag = "tickets",
    params(OptionsQuery), responses((status = 200, body = Vec<CustomerOption>)),
    security(("session" = ["ticket.create"]), ("bearer" = ["ticket.create"])))]
async fn customer_options(
    _: Can<perm::TicketCreate>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<OptionsQuery>,
) -> ApiResult<Json<Vec<CustomerOption>>> {
    let q = validate::optional_text("q", query.q.as_deref(), 64)?;
    Ok(Json(state.store().ticket_customer_options(&q, 20).await?))
}

/// A choice in the ticket forms.
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketChoice {
    code: String,
    label: String,
    /// Sub-types, for a ticket type.
    children: Vec<TicketSubChoice>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TicketSubChoice {
    code: String,
    label: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DepartmentChoice {
    id: i64,
    number: String,
    name: String,
    parent_id: Option<i64>,
}

/// What the ticket forms choose from, for everyone who works tickets
/// (reading the dictionary and the departments needs more).
#[derive(Debug, Serialize, ToSchema)]
pub struct TicketOptions {
    channels: Vec<TicketChoice>,
    types: Vec<TicketChoice>,
    departments: Vec<DepartmentChoice>,
    /// The choices of each admin-defined `choice` field's dictionary list, by list code.
    field_choices: std::collections::BTreeMap<String, Vec<TicketSubChoice>>,
}

#[utoipa::path(get, path = "/api/v1/tickets/options", tag = "tickets",
    responses((status = 200, body = TicketOptions)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn ticket_options(
    _: Can<perm::TicketRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<TicketOptions>> {
    let lists = state.store().list_dictionary().await?;
    let choice = |i: &sb_store::DictionaryItem| TicketChoice {
        code: i.code.clone(),
        label: i.label.clone(),
        children: Vec::new(),
    };
    let sub = |i: &sb_store::DictionaryItem| TicketSubChoice {
        code: i.code.clone(),
        label: i.label.clone(),
    };
    let channels = dictionary_list(&lists, "ticket_channel")
        .iter()
        .filter(|i| i.enabled)
        .map(choice)
        .collect();
    let items = dictionary_list(&lists, "ticket_type");
    let types = items
        .iter()
        .filter(|i| i.enabled && i.parent_id.is_none())
        .map(|parent| TicketChoice {
            children: items
                .iter()
                .filter(|c| c.enabled && c.parent_id == Some(parent.id))
                .map(sub)
                .collect(),
            ..choice(parent)
        })
        .collect();
    let departments = state
        .store()
        .list_departments()
        .await?
        .into_iter()
        .map(|d| DepartmentChoice {
            id: d.id,
            number: d.number,
            name: d.name,
            parent_id: d.parent_id,
        })
        .collect();
    let field_choices = state
        .store()
        .list_ticket_field_defs()
        .await?
        .into_iter()
        .filter(|f| f.kind == "choice")
        .map(|f| {
            let items = dictionary_list(&lists, &f.dictionary_type)
                .iter()
                .filter(|i| i.enabled)
                .map(sub)
                .collect();
            (f.dictionary_type, items)
        })
        .collect();
    Ok(Json(TicketOptions {
        channels,
        types,
        departments,
        field_choices,
    }))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TicketSettings {
    /// A new ticket of the same customer and type within this many days is
    /// flagged as a repeat (0 turns detection off).
    repeat_window_days: i64,
}

#[utoipa::path(get, path = "/api/v1/tickets/settings", tag = "tickets",
    responses((status = 200, body = TicketSettings)),
    security(("session" = ["ticket.read"]), ("bearer" = ["ticket.read"])))]
async fn get_settings(
    _: Can<perm::TicketRead>,
    State(state): State<AppState>,
) -> ApiResult<Json<TicketSettings>> {
    Ok(Json(TicketSettings {
        repeat_window_days: state.store().ticket_repeat_window_days().await?,
    }))
}

#[utoipa::path(put, path = "/api/v1/tickets/settings", tag = "tickets",
    request_body = TicketSettings, responses((status = 200, body = TicketSettings)),
    security(("session" = ["ticket.manage"]), ("bearer" = ["ticket.manage"])))]
async fn put_settings(
    who: Can<perm::TicketManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<TicketSettings>,
) -> ApiResult<Json<TicketSettings>> {
    let days = validate::int_in("repeat_window_days", body.repeat_window_days, 0..=365)?;
    state
        .store()
        .set_ticket_repeat_window_days(state.now(), &who.actor(), days)
        .await?;
    Ok(Json(TicketSettings {
        repeat_window_days: days,
    }))
}

/// Labels of the ticket lists, for the export's columns.
pub(crate) async fn ticket_labels(state: &AppState) -> ApiResult<BTreeMap<String, String>> {
    let lists = state.store().list_dictionary().await?;
    Ok(["ticket_type", "ticket_channel"]
        .iter()
        .flat_map(|code| dictionary_list(&lists, code).iter())
        .map(|i| (i.code.clone(), i.label.clone()))
        .collect())
}
