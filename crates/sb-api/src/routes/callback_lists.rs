//! Callback lists (MISSION O3), for those holding `callback.manage`: make a
//! list with its pacing, add tasks (picked customers, a pasted list, or
//! every customer a search filter finds), give tasks to a person or a
//! department, follow the progress and export the list. Lists belong to a
//! department; the data scope of `callback.manage` decides which a manager
//! reaches, and customers are reached as `customer.read`'s scope is.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use sb_core::Permission;
use sb_core::phone::normalize;
use sb_store::{
    CallbackList, CallbackListInput, CallbackState, CallbackTask, CallbackTaskFilter, Customer,
    CustomerScope, NewCallbackTask, Page, PageRequest,
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
use crate::routes::customers::CustomerQuery;
use crate::routes::{Created, PageQuery};
use crate::scope::Scope;
use crate::state::AppState;
use crate::validate;
use crate::xlsx::{self, local_time};

/// Tasks one request adds at most (a pasted list, a filter's customers).
pub const MAX_TASKS_PER_ADD: usize = 5_000;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_lists, create_list))
        .routes(routes!(get_list, update_list, delete_list))
        .routes(routes!(list_tasks, add_tasks))
        .routes(routes!(assign_tasks))
        .routes(routes!(export_list))
}

/// The departments whose records `who` reaches with `permission`; `None`
/// is every department (and records of none).
pub(crate) async fn department_reach(
    state: &AppState,
    who: &Principal,
    permission: Permission,
) -> ApiResult<Option<Vec<i64>>> {
    let scope = Scope::of(state, who, permission).await?;
    Ok(if scope.is_everything() {
        None
    } else {
        // An "own records" scope reaches its own department's lists.
        Some(
            scope
                .department_ids
                .unwrap_or_else(|| who.department_id.into_iter().collect()),
        )
    })
}

pub(crate) fn reaches(reach: Option<&[i64]>, department: Option<i64>) -> bool {
    match (reach, department) {
        (None, _) => true,
        (Some(ids), Some(d)) => ids.contains(&d),
        (Some(_), None) => false,
    }
}

/// The customers `who` reaches with `permission`, in the terms of the
/// customer search (as `customer.read`'s scope is applied).
pub(crate) async fn customer_reach(
    state: &AppState,
    who: &Principal,
    permission: Permission,
) -> ApiResult<CustomerScope> {
    let scope = Scope::of(state, who, permission).await?;
    Ok(match (scope.department_ids, scope.only_id) {
        (_, Some(staff)) => CustomerScope::Owner(staff),
        (Some(ids), None) => CustomerScope::Departments(ids),
        (None, None) => CustomerScope::All,
    })
}

/// A saved filter (the customer search's query parameters as a JSON
/// object) read as that search reads its query string; problems name
/// `field.<parameter>`.
pub(crate) fn customer_query(field: &str, filter: &Map<String, Value>) -> ApiResult<CustomerQuery> {
    let mut form = form_urlencoded::Serializer::new(String::new());
    for (key, value) in filter {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(items) => items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect::<Vec<_>>()
                .join(","),
            Value::Object(_) => {
                return Err(ApiError::validation(
                    format!("{field}.{key}"),
                    "a filter value is text, a number or a list",
                ));
            }
        };
        form.append_pair(key, &text);
    }
    let query: CustomerQuery = serde_urlencoded::from_str(&form.finish())
        .map_err(|e| ApiError::validation(field, format!("not a customer search filter: {e}")))?;
    if query.paging_given() {
        return Err(ApiError::validation(
            field,
            "a saved filter picks customers; it has no paging",
        ));
    }
    Ok(query)
}

/// The customer filter a saved filter means for `who`, problems named
/// under `field`.
pub(crate) fn saved_filter(
    state: &AppState,
    field: &str,
    filter: &Map<String, Value>,
    scope: CustomerScope,
) -> ApiResult<sb_store::CustomerFilter> {
    let query = customer_query(field, filter)?;
    query
        .filter(
            scope,
            state.now(),
            state.config().default_area_code.as_deref(),
        )
        .map_err(|e| match e.field {
            Some(inner) if e.status.is_client_error() => ApiError {
                field: Some(format!("{field}.{inner}")),
                ..e
            },
            _ => e,
        })
}

/// The list if `who` reaches its department; 403 (audited) otherwise.
pub(crate) async fn reachable_list(
    state: &AppState,
    who: &Principal,
    id: i64,
    action: &str,
) -> ApiResult<CallbackList> {
    let list = state.store().callback_list(id).await?;
    let reach = department_reach(state, who, Permission::CallbackManage).await?;
    if reaches(reach.as_deref(), list.department_id) {
        return Ok(list);
    }
    let e = ApiError::forbidden(format!("callback list {id} is outside your data scope"))
        .with_field("id");
    Err(refuse_actor(state, who.actor(), action, e).await)
}

/// 422 naming `field` unless the department exists; 403 unless `who` reaches it.
async fn check_department(
    state: &AppState,
    who: &Principal,
    field: &str,
    department_id: i64,
    action: &str,
) -> ApiResult<()> {
    if let Err(sb_store::StoreError::NotFound { .. }) =
        state.store().department(department_id).await
    {
        return Err(ApiError::validation(
            field,
            format!("there is no department {department_id}"),
        ));
    }
    let reach = department_reach(state, who, Permission::CallbackManage).await?;
    if reaches(reach.as_deref(), Some(department_id)) {
        return Ok(());
    }
    let e = ApiError::forbidden("that department is outside your data scope").with_field(field);
    Err(refuse_actor(state, who.actor(), action, e).await)
}

/// 422 naming `field` unless the person exists; 403 unless `who` reaches
/// their department.
async fn check_assignee(
    state: &AppState,
    who: &Principal,
    field: &str,
    staff_id: i64,
    action: &str,
) -> ApiResult<()> {
    let staff = match state.store().staff(staff_id).await {
        Ok(staff) => staff,
        Err(sb_store::StoreError::NotFound { .. }) => {
            return Err(ApiError::validation(
                field,
                format!("there is no staff member {staff_id}"),
            ));
        }
        Err(e) => return Err(e.into()),
    };
    let reach = department_reach(state, who, Permission::CallbackManage).await?;
    if reaches(reach.as_deref(), staff.department_id) {
        return Ok(());
    }
    let e = ApiError::forbidden(format!(
        "staff {} is outside your data scope",
        staff.employee_id
    ))
    .with_field(field);
    Err(refuse_actor(state, who.actor(), action, e).await)
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CallbackListBody {
    /// 1-100 characters.
    name: String,
    description: Option<String>,
    /// The owning department; default the caller's.
    department_id: Option<i64>,
    /// Calls per task before it is given up (1-20, default 3).
    max_attempts: Option<i64>,
    /// Minutes to wait after a missed call (1-10080, default 60).
    retry_minutes: Option<i64>,
}

impl CallbackListBody {
    async fn into_input(
        self,
        state: &AppState,
        who: &Principal,
        action: &str,
    ) -> ApiResult<CallbackListInput> {
        let department_id = self.department_id.or(who.department_id);
        if let Some(department) = department_id {
            check_department(state, who, "department_id", department, action).await?;
        }
        Ok(CallbackListInput {
            name: validate::text("name", &self.name, 1, 100)?,
            description: validate::optional_text("description", self.description.as_deref(), 1000)?,
            department_id,
            max_attempts: validate::int_in("max_attempts", self.max_attempts.unwrap_or(3), 1..=20)?,
            retry_minutes: validate::int_in(
                "retry_minutes",
                self.retry_minutes.unwrap_or(60),
                1..=7 * 24 * 60,
            )?,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/callback-lists", tag = "desk",
    responses((status = 200, body = Vec<CallbackList>)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn list_lists(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<CallbackList>>> {
    let reach = department_reach(&state, &who, Permission::CallbackManage).await?;
    Ok(Json(
        state.store().list_callback_lists(reach.as_deref()).await?,
    ))
}

#[utoipa::path(post, path = "/api/v1/callback-lists", tag = "desk",
    request_body = CallbackListBody, responses((status = 201, body = CallbackList)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn create_list(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CallbackListBody>,
) -> ApiResult<Created<CallbackList>> {
    let input = body
        .into_input(&state, &who, "callback_list.create")
        .await?;
    Ok(Created(
        state
            .store()
            .create_callback_list(state.now(), &who.actor(), input)
            .await?,
    ))
}

#[utoipa::path(get, path = "/api/v1/callback-lists/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 200, body = CallbackList)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn get_list(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CallbackList>> {
    Ok(Json(
        reachable_list(&state, &who, id, "callback_list.read").await?,
    ))
}

#[utoipa::path(put, path = "/api/v1/callback-lists/{id}", tag = "desk",
    params(("id" = i64, Path)), request_body = CallbackListBody,
    responses((status = 200, body = CallbackList)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn update_list(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<CallbackListBody>,
) -> ApiResult<Json<CallbackList>> {
    reachable_list(&state, &who, id, "callback_list.update").await?;
    let input = body
        .into_input(&state, &who, "callback_list.update")
        .await?;
    Ok(Json(
        state
            .store()
            .update_callback_list(state.now(), &who.actor(), id, input)
            .await?,
    ))
}

#[utoipa::path(delete, path = "/api/v1/callback-lists/{id}", tag = "desk",
    params(("id" = i64, Path)), responses((status = 204)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn delete_list(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    reachable_list(&state, &who, id, "callback_list.delete").await?;
    state
        .store()
        .delete_callback_list(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TaskListQuery {
    /// Comma-separated states (pending, done, failed, cancelled).
    state: Option<String>,
    assignee_id: Option<i64>,
    page: Option<u32>,
    per_page: Option<u32>,
}

/// Comma-separated task states, the field named on an unknown one.
pub(crate) fn task_states(value: Option<&str>) -> ApiResult<Vec<CallbackState>> {
    value
        .unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .map(|code| {
            CallbackState::parse(code).ok_or_else(|| {
                ApiError::validation(
                    "state",
                    format!("`{code}` is not pending, done, failed or cancelled"),
                )
            })
        })
        .collect()
}

#[utoipa::path(get, path = "/api/v1/callback-lists/{id}/tasks", tag = "desk",
    params(("id" = i64, Path), TaskListQuery), responses((status = 200, body = Page<CallbackTask>)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn list_tasks(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<TaskListQuery>,
) -> ApiResult<Json<Page<CallbackTask>>> {
    reachable_list(&state, &who, id, "callback_list.read").await?;
    let filter = CallbackTaskFilter {
        list_id: Some(id),
        states: task_states(query.state.as_deref())?,
        assignee_id: query.assignee_id,
        ..CallbackTaskFilter::default()
    };
    let page = PageQuery {
        page: query.page,
        per_page: query.per_page,
    }
    .request(50);
    Ok(Json(
        state.store().search_callback_tasks(&filter, page).await?,
    ))
}

/// One task to add: a customer, or a name and number (matched to a
/// customer by the number when exactly one customer in reach has it).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TaskBody {
    customer_id: Option<i64>,
    /// Default: the customer's name.
    name: Option<String>,
    /// Default: the customer's first number.
    phone: Option<String>,
    notes: Option<String>,
    assignee_id: Option<i64>,
    department_id: Option<i64>,
    /// When the first call is due; default now.
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    due_at: Option<OffsetDateTime>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddTasksBody {
    /// Tasks one by one (a pasted list)...
    tasks: Option<Vec<TaskBody>>,
    /// ...and/or every customer this customer search filter finds (its
    /// query parameters: `level`, `lifecycle`, `province`, `idle_days`...).
    #[schema(value_type = Option<Object>)]
    from_filter: Option<Map<String, Value>>,
    /// For the filter's tasks: who calls, when, and a note.
    assignee_id: Option<i64>,
    department_id: Option<i64>,
    #[serde(default, with = "time::serde::rfc3339::option")]
    #[schema(value_type = Option<String>, format = DateTime)]
    due_at: Option<OffsetDateTime>,
    notes: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AddedTasks {
    pub added: usize,
}

fn first_phone(customer: &Customer) -> Option<String> {
    customer.phones.first().map(|p| p.number.clone())
}

struct TaskChecker<'a> {
    state: &'a AppState,
    who: &'a Principal,
    scope: CustomerScope,
    now: OffsetDateTime,
}

impl TaskChecker<'_> {
    async fn who_calls(
        &self,
        at: &str,
        assignee_id: Option<i64>,
        department_id: Option<i64>,
    ) -> ApiResult<()> {
        if let Some(staff) = assignee_id {
            check_assignee(
                self.state,
                self.who,
                &format!("{at}assignee_id"),
                staff,
                "callback_list.add_tasks",
            )
            .await?;
        }
        if let Some(department) = department_id {
            check_department(
                self.state,
                self.who,
                &format!("{at}department_id"),
                department,
                "callback_list.add_tasks",
            )
            .await?;
        }
        Ok(())
    }

    async fn task(&self, index: usize, body: TaskBody) -> ApiResult<NewCallbackTask> {
        let at = format!("tasks[{index}].");
        self.who_calls(&at, body.assignee_id, body.department_id)
            .await?;
        let default_area = self.state.config().default_area_code.clone();
        let mut customer = None;
        if let Some(id) = body.customer_id {
            let found = match self.state.store().customer(id).await {
                Ok(found) => found,
                Err(sb_store::StoreError::NotFound { .. }) => {
                    return Err(ApiError::validation(
                        format!("{at}customer_id"),
                        format!("there is no customer {id}"),
                    ));
                }
                Err(e) => return Err(e.into()),
            };
            if !self
                .state
                .store()
                .customer_in_scope(id, &self.scope)
                .await?
            {
                return Err(
                    ApiError::forbidden("that customer is outside your data scope")
                        .with_field(format!("{at}customer_id")),
                );
            }
            customer = Some(found);
        }
        let phone = match (body.phone.as_deref().map(str::trim), &customer) {
            (Some(p), _) if !p.is_empty() => p.to_owned(),
            (_, Some(c)) => first_phone(c).ok_or_else(|| {
                ApiError::validation(format!("{at}phone"), "the customer has no phone number")
            })?,
            _ => {
                return Err(ApiError::validation(
                    format!("{at}phone"),
                    "a number to call, or a customer_id",
                ));
            }
        };
        let number = normalize(&phone, default_area.as_deref())
            .map_err(|e| ApiError::validation(format!("{at}phone"), format!("`{phone}`: {e}")))?;
        if customer.is_none() {
            let matches = self
                .state
                .store()
                .customers_by_phone(&number.e164, &self.scope, 2)
                .await?;
            if let [only] = matches.as_slice() {
                customer = Some(only.clone());
            }
        }
        let name = validate::optional_text(&format!("{at}name"), body.name.as_deref(), 100)?;
        let name = match (name.is_empty(), &customer) {
            (true, Some(c)) => c.name.clone(),
            _ => name,
        };
        Ok(NewCallbackTask {
            customer_id: customer.map(|c| c.id),
            name,
            phone: validate::text(&format!("{at}phone"), &phone, 1, 40)?,
            notes: validate::optional_text(&format!("{at}notes"), body.notes.as_deref(), 1000)?,
            assignee_id: body.assignee_id,
            department_id: body.department_id,
            due_at: body.due_at.unwrap_or(self.now),
        })
    }
}

/// Every customer the filter finds, as tasks.
async fn tasks_from_filter(
    checker: &TaskChecker<'_>,
    body: &AddTasksBody,
    filter: &Map<String, Value>,
) -> ApiResult<Vec<NewCallbackTask>> {
    checker
        .who_calls("", body.assignee_id, body.department_id)
        .await?;
    let search = saved_filter(checker.state, "from_filter", filter, checker.scope.clone())?;
    let notes = validate::optional_text("notes", body.notes.as_deref(), 1000)?;
    let mut tasks = Vec::new();
    for page in 1.. {
        let found = checker
            .state
            .store()
            .search_customers(&search, PageRequest::new(page, PageRequest::MAX_PER_PAGE))
            .await?;
        let done = found.items.len() < PageRequest::MAX_PER_PAGE as usize;
        for customer in found.items {
            // A customer without a number cannot be called back.
            let Some(phone) = first_phone(&customer) else {
                continue;
            };
            tasks.push(NewCallbackTask {
                customer_id: Some(customer.id),
                name: customer.name,
                phone,
                notes: notes.clone(),
                assignee_id: body.assignee_id,
                department_id: body.department_id,
                due_at: body.due_at.unwrap_or(checker.now),
            });
        }
        if tasks.len() > MAX_TASKS_PER_ADD {
            return Err(ApiError::validation(
                "from_filter",
                format!("more than {MAX_TASKS_PER_ADD} customers match; narrow the filter"),
            ));
        }
        if done {
            break;
        }
    }
    Ok(tasks)
}

#[utoipa::path(post, path = "/api/v1/callback-lists/{id}/tasks", tag = "desk",
    params(("id" = i64, Path)), request_body = AddTasksBody,
    responses((status = 201, body = AddedTasks)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn add_tasks(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(mut body): ApiJson<AddTasksBody>,
) -> ApiResult<Created<AddedTasks>> {
    reachable_list(&state, &who, id, "callback_list.add_tasks").await?;
    let checker = TaskChecker {
        state: &state,
        who: &who,
        scope: customer_reach(&state, &who, Permission::CallbackManage).await?,
        now: state.now(),
    };
    let listed = body.tasks.take().unwrap_or_default();
    if listed.len() > MAX_TASKS_PER_ADD {
        return Err(ApiError::validation(
            "tasks",
            format!("at most {MAX_TASKS_PER_ADD} tasks at a time"),
        ));
    }
    let mut tasks = Vec::with_capacity(listed.len());
    for (index, task) in listed.into_iter().enumerate() {
        tasks.push(checker.task(index, task).await?);
    }
    if let Some(filter) = &body.from_filter {
        tasks.extend(tasks_from_filter(&checker, &body, filter).await?);
    }
    if tasks.is_empty() {
        return Err(ApiError::validation(
            "tasks",
            "no tasks: list some, or give a filter that finds customers with a number",
        ));
    }
    let ids = state
        .store()
        .add_callback_tasks(state.now(), &who.actor(), id, &tasks)
        .await?;
    Ok(Created(AddedTasks { added: ids.len() }))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AssignBody {
    /// Tasks of this list; closed ones are left as they are.
    task_ids: Vec<i64>,
    /// To a person...
    assignee_id: Option<i64>,
    /// ...and/or a department whose members share them. Neither: unassigned.
    department_id: Option<i64>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AssignedTasks {
    pub changed: u64,
}

#[utoipa::path(post, path = "/api/v1/callback-lists/{id}/assign", tag = "desk",
    params(("id" = i64, Path)), request_body = AssignBody,
    responses((status = 200, body = AssignedTasks)),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn assign_tasks(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<AssignBody>,
) -> ApiResult<Json<AssignedTasks>> {
    reachable_list(&state, &who, id, "callback_list.assign").await?;
    if body.task_ids.is_empty() || body.task_ids.len() > MAX_TASKS_PER_ADD {
        return Err(ApiError::validation(
            "task_ids",
            format!("1 to {MAX_TASKS_PER_ADD} task ids"),
        ));
    }
    if let Some(staff) = body.assignee_id {
        check_assignee(&state, &who, "assignee_id", staff, "callback_list.assign").await?;
    }
    if let Some(department) = body.department_id {
        check_department(
            &state,
            &who,
            "department_id",
            department,
            "callback_list.assign",
        )
        .await?;
    }
    let changed = state
        .store()
        .assign_callback_tasks(
            state.now(),
            &who.actor(),
            id,
            &body.task_ids,
            body.assignee_id,
            body.department_id,
        )
        .await?;
    Ok(Json(AssignedTasks { changed }))
}

const TASK_HEADERS: &[&str] = &[
    "姓名 Name",
    "电话 Phone",
    "客户 Customer",
    "处理人 Assignee",
    "部门 Department",
    "状态 State",
    "次数 Attempts",
    "最近结果 Last status",
    "成功 Success",
    "下次 Due",
    "备注 Notes",
];

#[utoipa::path(get, path = "/api/v1/callback-lists/{id}/export", tag = "desk",
    params(("id" = i64, Path)),
    responses((status = 200, description = "The list's tasks as .xlsx",
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")),
    security(("session" = ["callback.manage"]), ("bearer" = ["callback.manage"])))]
async fn export_list(
    who: Can<perm::CallbackManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Response> {
    reachable_list(&state, &who, id, "callback_list.export").await?;
    let filter = CallbackTaskFilter {
        list_id: Some(id),
        ..CallbackTaskFilter::default()
    };
    let mut rows = Vec::new();
    for page in 1.. {
        let chunk = state
            .store()
            .search_callback_tasks(&filter, PageRequest::new(page, PageRequest::MAX_PER_PAGE))
            .await?;
        let done = chunk.items.len() < PageRequest::MAX_PER_PAGE as usize;
        rows.extend(chunk.items.into_iter().map(|t| {
            vec![
                t.name,
                t.phone,
                t.customer_name.unwrap_or_default(),
                t.assignee_name.unwrap_or_default(),
                t.department_name.unwrap_or_default(),
                t.state.code().to_owned(),
                t.attempts.to_string(),
                t.last_status
                    .map(|s| s.code().to_owned())
                    .unwrap_or_default(),
                match t.success {
                    Some(true) => "yes".into(),
                    Some(false) => "no".into(),
                    None => String::new(),
                },
                local_time(Some(t.due_at)),
                t.notes,
            ]
        }));
        if done {
            break;
        }
    }
    let name = format!("callbacks-{id}-{}", sb_store::serial_day(state.now()));
    xlsx::download(name, "Callbacks", TASK_HEADERS, rows).await
}
