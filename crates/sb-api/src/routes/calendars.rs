//! Business calendars (MISSION I2): opening hours, holidays and make-up
//! workdays that flows test ("work time"). Documents are checked with
//! sb-calendar before they are stored; the preview lays a saved calendar on
//! real days so an admin sees what it means.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use sb_calendar::{Calendar as CalendarRules, DayKind};
use sb_store::{Calendar as StoredCalendar, CalendarInput, Page};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use time::{Date, Duration, OffsetDateTime, UtcOffset};
use utoipa::{IntoParams, ToSchema};
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
        .routes(routes!(list_calendars, create_calendar))
        .routes(routes!(get_calendar, update_calendar, delete_calendar))
        .routes(routes!(preview_calendar))
}

/// A calendar with its document as JSON.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CalendarView {
    pub id: i64,
    pub name: String,
    pub description: String,
    /// `{"utc_offset_minutes": 480, "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], ...},
    /// "holidays": ["2026-10-01"], "workdays": ["2026-09-27"], "makeup_hours"?: [...]}`
    #[schema(value_type = Object)]
    pub document: Value,
    #[serde(with = "time::serde::rfc3339")]
    pub created_at: OffsetDateTime,
    #[serde(with = "time::serde::rfc3339")]
    pub updated_at: OffsetDateTime,
    pub updated_by: String,
}

impl CalendarView {
    fn of(calendar: StoredCalendar) -> ApiResult<CalendarView> {
        Ok(CalendarView {
            document: stored_document("reading a stored calendar", &calendar.document)?,
            id: calendar.id,
            name: calendar.name,
            description: calendar.description,
            created_at: calendar.created_at,
            updated_at: calendar.updated_at,
            updated_by: calendar.updated_by,
        })
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CalendarBody {
    /// The code flows use: letters, digits, `-`, `_`.
    name: String,
    description: Option<String>,
    #[schema(value_type = Object)]
    document: Value,
}

impl CalendarBody {
    fn into_input(self) -> ApiResult<CalendarInput> {
        let document = document_text("document", &self.document)?;
        CalendarRules::parse(&document)
            .map_err(|e| ApiError::validation("document", e.to_string()))?;
        Ok(CalendarInput {
            name: object_name("name", &self.name)?,
            description: validate::optional_text("description", self.description.as_deref(), 200)?,
            document,
        })
    }
}

#[utoipa::path(get, path = "/api/v1/calendars", tag = "ivr", params(ListQuery),
    responses((status = 200, body = Page<CalendarView>)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn list_calendars(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> ApiResult<Json<Page<CalendarView>>> {
    let calendars = state.store().list_calendars().await?;
    let page = query.apply(calendars, 1000, |c| {
        vec![c.name.as_str(), c.description.as_str()]
    });
    Ok(Json(Page {
        items: page
            .items
            .into_iter()
            .map(CalendarView::of)
            .collect::<ApiResult<_>>()?,
        total: page.total,
        page: page.page,
        per_page: page.per_page,
    }))
}

/// Refused (422 naming `document`) when sb-calendar finds a bad span,
/// overlap, date or offset; the message says which day or date.
#[utoipa::path(post, path = "/api/v1/calendars", tag = "ivr", request_body = CalendarBody,
    responses((status = 201, body = CalendarView)),
    security(("session" = ["calendar.manage"]), ("bearer" = ["calendar.manage"])))]
async fn create_calendar(
    who: Can<perm::CalendarManage>,
    State(state): State<AppState>,
    ApiJson(body): ApiJson<CalendarBody>,
) -> ApiResult<Created<CalendarView>> {
    let created = state
        .store()
        .create_calendar(state.now(), &who.actor(), body.into_input()?)
        .await?;
    state.switch().config_changed(ConfigChange::Calendars);
    Ok(Created(CalendarView::of(created)?))
}

#[utoipa::path(get, path = "/api/v1/calendars/{id}", tag = "ivr", params(("id" = i64, Path)),
    responses((status = 200, body = CalendarView)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn get_calendar(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<Json<CalendarView>> {
    Ok(Json(CalendarView::of(state.store().calendar(id).await?)?))
}

/// Replaces the calendar. Calls in progress keep the hours they started
/// with; new calls see the change.
#[utoipa::path(put, path = "/api/v1/calendars/{id}", tag = "ivr", params(("id" = i64, Path)),
    request_body = CalendarBody, responses((status = 200, body = CalendarView)),
    security(("session" = ["calendar.manage"]), ("bearer" = ["calendar.manage"])))]
async fn update_calendar(
    who: Can<perm::CalendarManage>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiJson(body): ApiJson<CalendarBody>,
) -> ApiResult<Json<CalendarView>> {
    let input = body.into_input()?;
    let before = state.store().calendar(id).await?;
    if before.name != input.name {
        refuse_if_used(&state, &before.name, "renamed").await?;
    }
    let updated = state
        .store()
        .update_calendar(state.now(), &who.actor(), id, input)
        .await?;
    state.switch().config_changed(ConfigChange::Calendars);
    Ok(Json(CalendarView::of(updated)?))
}

/// Refused (409 `calendar_in_use`) while a flow's current version tests it.
#[utoipa::path(delete, path = "/api/v1/calendars/{id}", tag = "ivr", params(("id" = i64, Path)),
    responses((status = 204)),
    security(("session" = ["calendar.manage"]), ("bearer" = ["calendar.manage"])))]
async fn delete_calendar(
    who: Can<perm::CalendarManage>,
    State(state): State<AppState>,
    Id(id): Id,
) -> ApiResult<StatusCode> {
    let calendar = state.store().calendar(id).await?;
    refuse_if_used(&state, &calendar.name, "deleted").await?;
    state
        .store()
        .delete_calendar(state.now(), &who.actor(), id)
        .await?;
    state.switch().config_changed(ConfigChange::Calendars);
    Ok(StatusCode::NO_CONTENT)
}

async fn refuse_if_used(state: &AppState, name: &str, change: &str) -> ApiResult<()> {
    let users = crate::routes::ivr_flows::flows_using(state, |doc| {
        doc.calendars().iter().any(|c| c == name)
    })
    .await?;
    if users.is_empty() {
        return Ok(());
    }
    Err(ApiError::conflict(
        "calendar_in_use",
        format!(
            "calendar {name} cannot be {change}: flows {} test it",
            users.join(", ")
        ),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PreviewQuery {
    /// First day, `YYYY-MM-DD` in the calendar's time zone; today there by default.
    from: Option<String>,
    /// How many days, 1-62 (default 7).
    days: Option<i64>,
}

/// One local day of a calendar: what kind of day it is and when it is open.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PreviewDay {
    /// `YYYY-MM-DD`, local to the calendar.
    pub date: String,
    /// `mon` .. `sun`.
    pub weekday: String,
    /// `workday`, `rest_day`, `holiday` or `make_up_workday`.
    #[schema(value_type = String)]
    pub kind: DayKind,
    /// Open spans `HH:MM-HH:MM` in local time (`24:00` ends the day).
    pub spans: Vec<String>,
}

/// What a saved calendar means: for each of `days` days from `from`, the
/// kind of day and its open spans.
#[utoipa::path(get, path = "/api/v1/calendars/{id}/preview", tag = "ivr",
    params(("id" = i64, Path), PreviewQuery),
    responses((status = 200, body = Vec<PreviewDay>)),
    security(("session" = ["ivr.read"]), ("bearer" = ["ivr.read"])))]
async fn preview_calendar(
    _: Can<perm::IvrRead>,
    State(state): State<AppState>,
    Id(id): Id,
    ApiQuery(query): ApiQuery<PreviewQuery>,
) -> ApiResult<Json<Vec<PreviewDay>>> {
    let stored = state.store().calendar(id).await?;
    let rules = CalendarRules::parse(&stored.document)
        .map_err(|e| ApiError::internal("reading a stored calendar", e))?;
    let days = query.days.unwrap_or(7);
    if !(1..=62).contains(&days) {
        return Err(ApiError::bad_request("days must be from 1 to 62").with_field("days"));
    }
    let offset = UtcOffset::from_whole_seconds(rules.utc_offset_minutes * 60)
        .map_err(|e| ApiError::internal("a stored calendar's offset", e))?;
    let first = match query.from.as_deref().filter(|f| !f.is_empty()) {
        Some(text) => parse_date(text)?,
        None => state.now().to_offset(offset).date(),
    };
    let mut out = Vec::new();
    for n in 0..days {
        let date = first.checked_add(Duration::days(n)).ok_or_else(|| {
            ApiError::bad_request("the preview runs past year 9999").with_field("from")
        })?;
        out.push(preview_day(&rules, date, offset)?);
    }
    Ok(Json(out))
}

fn parse_date(text: &str) -> ApiResult<Date> {
    let format = time::macros::format_description!("[year]-[month]-[day]");
    let date = Date::parse(text, &format).map_err(|e| {
        ApiError::bad_request(format!("from must be a date written YYYY-MM-DD ({e})"))
            .with_field("from")
    })?;
    if date.year() < 1970 {
        return Err(ApiError::bad_request("from must be in 1970 or later").with_field("from"));
    }
    Ok(date)
}

const MS_PER_MINUTE: u64 = 60_000;
const MS_PER_DAY: u64 = 86_400_000;

fn preview_day(rules: &CalendarRules, date: Date, offset: UtcOffset) -> ApiResult<PreviewDay> {
    let midnight = date.midnight().assume_offset(offset);
    let start = u64::try_from(midnight.unix_timestamp_nanos() / 1_000_000)
        .map_err(|_| ApiError::bad_request("the preview starts before 1970").with_field("from"))?;
    let end = start + MS_PER_DAY;
    let mut spans = Vec::new();
    let mut at = start;
    let mut open = rules.is_open(at);
    while at < end {
        // The timeline merges a stretch across midnight, so cut it at the day's end.
        let next = rules.next_change(at).map_or(end, |n| n.min(end));
        if open {
            spans.push(format!("{}-{}", clock(at - start), clock(next - start)));
        }
        if next <= at {
            break;
        }
        at = next;
        open = !open;
    }
    Ok(PreviewDay {
        date: date.to_string(),
        weekday: weekday(date).to_owned(),
        kind: rules.day_kind(start),
        spans,
    })
}

/// Milliseconds since local midnight as `HH:MM`.
fn clock(ms: u64) -> String {
    let minutes = ms / MS_PER_MINUTE;
    format!("{:02}:{:02}", minutes / 60, minutes % 60)
}

fn weekday(date: Date) -> &'static str {
    match date.weekday() {
        time::Weekday::Monday => "mon",
        time::Weekday::Tuesday => "tue",
        time::Weekday::Wednesday => "wed",
        time::Weekday::Thursday => "thu",
        time::Weekday::Friday => "fri",
        time::Weekday::Saturday => "sat",
        time::Weekday::Sunday => "sun",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chinese_office() -> CalendarRules {
        CalendarRules::parse(
            r#"{"utc_offset_minutes": 480,
                "weekly": {"mon": ["09:00-12:00", "13:00-18:00"], "sat": ["22:00-24:00"], "sun": ["00:00-02:00"]},
                "holidays": ["2026-10-05"], "workdays": ["2026-10-11"]}"#,
        )
        .expect("a valid calendar")
    }

    fn day(rules: &CalendarRules, date: &str) -> PreviewDay {
        preview_day(
            rules,
            parse_date(date).expect("a date"),
            UtcOffset::from_hms(8, 0, 0).expect("UTC+8"),
        )
        .expect("a day")
    }

    #[test]
    fn a_day_shows_its_spans_with_the_lunch_break() {
        let monday = day(&chinese_office(), "2026-10-12");
        assert_eq!(monday.weekday, "mon");
        assert_eq!(monday.kind, DayKind::Workday);
        assert_eq!(monday.spans, ["09:00-12:00", "13:00-18:00"]);
    }

    #[test]
    fn spans_across_midnight_are_cut_at_the_day_boundary() {
        let rules = chinese_office();
        assert_eq!(day(&rules, "2026-10-10").spans, ["22:00-24:00"]);
        assert_eq!(day(&rules, "2026-10-18").spans, ["00:00-02:00"]);
    }

    #[test]
    fn holidays_close_and_make_up_days_open() {
        let rules = chinese_office();
        let holiday = day(&rules, "2026-10-05");
        assert_eq!((holiday.kind, holiday.spans.len()), (DayKind::Holiday, 0));
        let makeup = day(&rules, "2026-10-11");
        assert_eq!(makeup.kind, DayKind::MakeUpWorkday);
        assert_eq!(makeup.spans, ["09:00-12:00", "13:00-18:00"]);
    }
}
