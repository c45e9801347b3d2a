//! Customers (MISSION C1-C7): search with combined filters, the profile,
//! and the lookup by phone number that screen pop asks. Every read and write
//! stays within the caller's data scope for `customer.read`: agents see
//! their department's customers, supervisors their part of the tree.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_core::Permission;
use sb_core::phone::normalize;
use sb_core::phone_region::region_of;
use sb_desk::customers::{
    CustomerDraft, CustomerRules, FieldProblem, PhoneLookup, RegionInfo, lookup_by_phone,
    parse_id_card, parse_lifecycle,
};
use sb_store::{Customer, CustomerFilter, CustomerScope, CustomerSort, Gender, Page};
use serde::Deserialize;
use time::OffsetDateTime;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::{Can, Principal, perm};
use crate::error::{ApiError, ApiResult};
use crate::extract::{ApiJson, ApiQuery, Id};
use crate::routes::{Created, PageQuery};
use crate::scope::Scope;
use crate::state::AppState;
use crate::validate;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search_customers, create_customer))
        .routes(routes!(lookup_customer))
        .routes(routes!(phone_region))
        .routes(routes!(get_customer, update_customer, delete_customer))
}

/// The customers `who` reaches: the data scope of `customer.read`.
pub(crate) async fn customer_scope(state: &AppState, who: &Principal) -> ApiResult<CustomerScope> {
    let scope = Scope::of(state, who, Permission::CustomerRead).await?;
    Ok(match (scope.department_ids, scope.only_id) {
        (_, Some(staff)) => CustomerScope::Owner(staff),
        (Some(ids), None) => CustomerScope::Departments(ids),
        (None, None) => CustomerScope::All,
    })
}

/// 403 unless customer `id` exists and is within `who`'s scope (404 first
/// when it does not exist, so ids outside the scope are not told apart from
/// missing ones only by status).
pub(crate) async fn reachable_customer(
    state: &AppState,
    who: &Principal,
    id: i64,
) -> ApiResult<Customer> {
    let customer = state.store().customer(id).await?;
    let scope = customer_scope(state, who).await?;
    if !in_scope(&customer, &scope) {
        return Err(
            ApiError::forbidden("that customer is outside your data scope").with_field("id"),
        );
    }
    Ok(customer)
}

fn in_scope(customer: &Customer, scope: &CustomerScope) -> bool {
    match scope {
        CustomerScope::All => true,
        CustomerScope::Departments(ids) => customer.department_id.is_some_and(|d| ids.contains(&d)),
        CustomerScope::Owner(staff) => customer.owner_id == Some(*staff),
    }
}

/// The first problem of a draft as a 422 naming its field (the console
/// marks that field; the import reports them all).
pub(crate) fn problem(problems: Vec<FieldProblem>) -> ApiError {
    match problems.into_iter().next() {
        Some(p) => ApiError::validation(p.field, p.message),
        None => ApiError::bad_request("the customer was refused"),
    }
}

pub(crate) async fn rules(state: &AppState) -> ApiResult<CustomerRules> {
    CustomerRules::load(state.store(), state.config().default_area_code.clone())
        .await
        .map_err(ApiError::from)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct CustomerQuery {
    /// A name's beginning, a phone number in any form, an ID card number, or
    /// `#` and a customer id.
    q: Option<String>,
    /// VIN, serial number or plate of one of the customer's assets.
    asset: Option<String>,
    /// Level codes, comma-separated.
    level: Option<String>,
    /// Lifecycle codes, comma-separated.
    lifecycle: Option<String>,
    gender: Option<Gender>,
    province: Option<String>,
    city: Option<String>,
    owner_id: Option<i64>,
    department_id: Option<i64>,
    /// RFC 3339; created at or after.
    created_from: Option<String>,
    /// RFC 3339; created before.
    created_to: Option<String>,
    /// No contact in this many days (or never).
    idle_days: Option<u32>,
    /// `newest` (default; `name` when `q` is a name), `name` or `least_recent_contact`.
    sort: Option<String>,
    page: Option<u32>,
    per_page: Option<u32>,
}

impl CustomerQuery {
    /// The filter this query asks for; `scope` is the caller's.
    pub(crate) fn filter(
        &self,
        scope: CustomerScope,
        now: OffsetDateTime,
        default_area_code: Option<&str>,
    ) -> ApiResult<CustomerFilter> {
        let mut filter = CustomerFilter {
            scope,
            ..CustomerFilter::default()
        };
        if let Some(q) = self.q.as_deref().map(str::trim).filter(|q| !q.is_empty()) {
            if q.chars().count() > 100 {
                return Err(ApiError::validation("q", "at most 100 characters"));
            }
            let digits = q.chars().filter(char::is_ascii_digit).count();
            if let Some(id) = q.strip_prefix('#').and_then(|n| n.parse().ok()) {
                filter.id = Some(id);
            } else if let Ok(card) = parse_id_card(q) {
                filter.id_card = Some(card.number);
            } else if let (true, Ok(number)) = (digits >= 5, normalize(q, default_area_code)) {
                filter.phone_e164 = Some(number.e164);
            } else {
                filter.name_prefix = Some(q.to_owned());
            }
        }
        filter.asset = self.asset.clone();
        filter.levels = list(self.level.as_deref());
        for code in list(self.lifecycle.as_deref()) {
            let lifecycle = parse_lifecycle(&code).ok_or_else(|| {
                ApiError::validation(
                    "lifecycle",
                    format!("`{code}` is not potential, normal, declining or lost"),
                )
            })?;
            filter.lifecycles.push(lifecycle);
        }
        filter.gender = self.gender;
        filter.province = self.province.clone();
        filter.city = self.city.clone();
        filter.owner_id = self.owner_id;
        filter.department_ids = self.department_id.map(|d| vec![d]);
        filter.created_from = validate::query_time("created_from", self.created_from.as_deref())?;
        filter.created_to = validate::query_time("created_to", self.created_to.as_deref())?;
        if let Some(days) = self.idle_days {
            if days > 36_500 {
                return Err(ApiError::validation("idle_days", "at most 36500 days"));
            }
            filter.not_contacted_since = Some(now - time::Duration::days(i64::from(days)));
        }
        filter.sort = match self.sort.as_deref() {
            // A name search lists in name order, which its index gives
            // without sorting the matches.
            None | Some("") if filter.name_prefix.is_some() => CustomerSort::Name,
            None | Some("") | Some("newest") => CustomerSort::Newest,
            Some("name") => CustomerSort::Name,
            Some("least_recent_contact") => CustomerSort::LeastRecentContact,
            Some(other) => {
                return Err(ApiError::validation(
                    "sort",
                    format!("`{other}` is not newest, name or least_recent_contact"),
                ));
            }
        };
        Ok(filter)
    }

    /// Whether paging was asked for (a saved filter picks, it does not page).
    pub(crate) fn paging_given(&self) -> bool {
        self.page.is_some() || self.per_page.is_some()
    }

    pub(crate) fn page(&self) -> PageQuery {
        PageQuery {
            page: self.page,
            per_page: self.per_page,
        }
    }
}

fn list(value: Option<&str>) -> Vec<String> {
    value
        .unwrap_or_default()
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

#[utoipa::path(get, path = "/api/v1/customers", tag = "desk", params(CustomerQuery),
    responses((status = 200, body = Page<Customer>)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn search_customers(
    who: Can<perm::CustomerRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<CustomerQuery>,
) -> ApiResult<Json<Page<Customer>>> {
    let scope = customer_scope(&state, &who).await?;
    let filter = query.filter(
        scope,
        state.now(),
        state.config().default_area_code.as_deref(),
    )?;
    let page = state
        .store()
        .search_customers(&filter, query.page().request(50))
        .await?;
    Ok(Json(page))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct LookupQuery {
    /// The caller's number as the switch or a person has it.
    number: String,
}

/// Who is calling from this number (screen pop): `one`, `none` or
/// `several` customers within the caller's scope, with the number's region.
#[utoipa::path(get, path = "/api/v1/customers/lookup", tag = "desk", params(LookupQuery),
    responses((status = 200, body = PhoneLookup)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn lookup_customer(
    who: Can<perm::CustomerRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> ApiResult<Json<PhoneLookup>> {
    let scope = customer_scope(&state, &who).await?;
    let found = lookup_by_phone(
        state.store(),
        &query.number,
        state.config().default_area_code.as_deref(),
        &scope,
    )
    .await
    .map_err(ApiError::from)?;
    Ok(Json(found))
}

/// The province and city a Chinese number belongs to (MISSION C5); `null`
/// for service and foreign numbers and unknown prefixes.
#[utoipa::path(get, path = "/api/v1/phone-region", tag = "desk", params(LookupQuery),
    responses((status = 200, body = Option<RegionInfo>)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn phone_region(
    _: Can<perm::CustomerRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<LookupQuery>,
) -> ApiResult<Json<Option<RegionInfo>>> {
    let number = normalize(&query.number, state.config().default_area_code.as_deref())
        .map_err(|e| ApiError::validation("number", e.to_string()))?;
    Ok(Json(region_of(&number).map(RegionInfo::from)))
}

#[utoipa::path(get, path = "/api/v1/customers/{id}", tag = "desk", params(("id" = i64, Path)),
    responses((status = 200, body = Customer)),
    security(("session" = ["customer.read"]), ("bearer" = ["customer.read"])))]
async fn get_customer(
    who: Can<perm::CustomerRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<Customer>> {
    Ok(Json(reachable_customer(&state, &who, id).await?))
}

/// Refuses a record that would leave the writer's own scope (an agent
/// filing a customer under another department).
async fn keep_in_scope(
    state: &AppState,
    who: &Principal,
    input: &sb_store::CustomerInput,
) -> ApiResult<()> {
    let scope = customer_scope(state, who).await?;
    let fits = match &scope {
        CustomerScope::All => true,
        CustomerScope::Departments(ids) => input.department_id.is_some_and(|d| ids.contains(&d)),
        CustomerScope::Owner(staff) => input.owner_id == Some(*staff),
    };
    if fits {
        Ok(())
    } else {
        let field = match scope {
            CustomerScope::Owner(_) => "owner_id",
            _ => "department_id",
        };
        Err(ApiError::forbidden("the customer would be outside your data scope").with_field(field))
    }
}

#[utoipa::path(post, path = "/api/v1/customers", tag = "desk", request_body = CustomerDraft,
    responses((status = 201, body = Customer)),
    security(("session" = ["customer.create"]), ("bearer" = ["customer.create"])))]
async fn create_customer(
    who: Can<perm::CustomerCreate>,
    State(state): State<AppState>,
    ApiJson(mut draft): ApiJson<CustomerDraft>,
) -> ApiResult<Created<Customer>> {
    if draft.owner_id.is_none() {
        draft.owner_id = Some(who.staff_id.0);
    }
    if draft.department_id.is_none() {
        draft.department_id = who.department_id;
    }
    let rules = rules(&state).await?;
    let input = draft.check(&rules).map_err(problem)?;
    keep_in_scope(&state, &who, &input).await?;
    let created = state
        .store()
        .create_customer(state.now(), &who.actor(), input)
        .await?;
    Ok(Created(created))
}

#[utoipa::path(put, path = "/api/v1/customers/{id}", tag = "desk", params(("id" = i64, Path)),
    request_body = CustomerDraft, responses((status = 200, body = Customer)),
    security(("session" = ["customer.update"]), ("bearer" = ["customer.update"])))]
async fn update_customer(
    who: Can<perm::CustomerUpdate>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(draft): ApiJson<CustomerDraft>,
) -> ApiResult<Json<Customer>> {
    reachable_customer(&state, &who, id).await?;
    let rules = rules(&state).await?;
    let input = draft.check(&rules).map_err(problem)?;
    keep_in_scope(&state, &who, &input).await?;
    let updated = state
        .store()
        .update_customer(state.now(), &who.actor(), id, input)
        .await?;
    Ok(Json(updated))
}

#[utoipa::path(delete, path = "/api/v1/customers/{id}", tag = "desk", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["customer.delete"]), ("bearer" = ["customer.delete"])))]
async fn delete_customer(
    who: Can<perm::CustomerDelete>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    reachable_customer(&state, &who, id).await?;
    state
        .store()
        .delete_customer(state.now(), &who.actor(), id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
