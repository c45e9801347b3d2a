//! One module per resource, each owning its `router()` and OpenAPI paths.
//!
//! Every path declares the permission it needs as the scope of its security
//! requirement (`("session" = ["staff.read"])`); an empty scope list means
//! "any signed-in user", no security means public. The API tests walk the
//! generated document and hold each route to what it declares.

use axum::Json;
use axum::extract::FromRequestParts;
use axum::http::StatusCode;
use axum::http::header::USER_AGENT;
use axum::http::request::Parts;
use axum::response::{IntoResponse, Response};
use sb_store::{Page, PageRequest};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use crate::auth::principal::client_ip;

pub mod acd_events;
pub mod agent_pins;
pub mod agents;
pub mod announcements;
pub mod api_tokens;
pub mod audit;
pub mod auth;
pub mod blacklist;
pub mod calendars;
pub mod call_access;
pub mod call_control;
pub mod call_pickup;
pub mod call_trails;
pub mod callback_imports;
pub mod callback_lists;
pub mod callback_tasks;
pub mod campaigns;
pub mod cdrs;
pub mod config_names;
pub mod customer_details;
pub mod customer_export;
pub mod customer_fields;
pub mod customer_imports;
pub mod customers;
pub mod departments;
pub mod dictionary;
pub mod extension_groups;
pub mod follow_me;
pub mod inbound_routes;
pub mod ivr_flows;
pub mod knowledge;
pub mod knowledge_categories;
pub mod knowledge_drafts;
pub mod knowledge_images;
pub mod knowledge_study;
pub mod live_calls;
pub mod make_call;
pub mod music_classes;
pub mod notifications;
pub mod outbound_routes;
pub mod prompts;
pub mod queues;
pub mod recording_exports;
pub mod recording_storage;
pub mod recordings;
pub mod roles;
pub mod sip_bans;
pub mod sip_extensions;
pub mod staff;
pub mod surveys;
pub mod system;
pub mod system_warnings;
pub mod ticket_attachments;
pub mod ticket_fields;
pub mod ticket_sla_policies;
pub mod ticket_stats;
pub mod ticket_steps;
pub mod tickets;
pub mod trunks;
pub mod voicemails;
pub mod webhooks;

/// 201 with the created resource.
#[derive(Debug)]
pub struct Created<T>(pub T);

impl<T: Serialize> IntoResponse for Created<T> {
    fn into_response(self) -> Response {
        (StatusCode::CREATED, Json(self.0)).into_response()
    }
}

/// `page` (1-based) and `per_page` (1-1000, default 50).
#[derive(Debug, Clone, Copy, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageQuery {
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl PageQuery {
    pub fn request(self, default_per_page: u32) -> PageRequest {
        PageRequest::new(
            self.page.unwrap_or(1),
            self.per_page.unwrap_or(default_per_page),
        )
    }
}

/// `q` and paging for the short lists (departments, roles, groups...).
#[derive(Debug, Clone, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// Case-insensitive text filter over names and codes.
    pub q: Option<String>,
    pub page: Option<u32>,
    pub per_page: Option<u32>,
}

impl ListQuery {
    /// Keeps the items whose `fields` contain `q`, then pages them.
    pub fn apply<T>(
        self,
        items: Vec<T>,
        default_per_page: u32,
        fields: impl Fn(&T) -> Vec<&str>,
    ) -> Page<T> {
        let needle = self
            .q
            .as_deref()
            .map(str::trim)
            .filter(|q| !q.is_empty())
            .map(str::to_lowercase);
        let items = match needle {
            Some(needle) => items
                .into_iter()
                .filter(|item| {
                    fields(item)
                        .iter()
                        .any(|f| f.to_lowercase().contains(&needle))
                })
                .collect(),
            None => items,
        };
        paginate(
            items,
            PageQuery {
                page: self.page,
                per_page: self.per_page,
            }
            .request(default_per_page),
        )
    }
}

/// Pages a list that is small enough to load whole (departments, roles...).
pub fn paginate<T>(items: Vec<T>, req: PageRequest) -> Page<T> {
    let total = i64::try_from(items.len()).unwrap_or(i64::MAX);
    let start =
        usize::try_from(u64::from(req.page - 1) * u64::from(req.per_page)).unwrap_or(usize::MAX);
    let items = items
        .into_iter()
        .skip(start)
        .take(req.per_page as usize)
        .collect();
    Page {
        items,
        total,
        page: req.page,
        per_page: req.per_page,
    }
}

/// Where a request came from, for sessions and the audit log.
#[derive(Debug, Clone)]
pub struct ClientMeta {
    pub ip: String,
    pub user_agent: String,
}

impl<S: Send + Sync> FromRequestParts<S> for ClientMeta {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let user_agent = parts
            .headers
            .get(USER_AGENT)
            .and_then(|v| v.to_str().ok())
            .map(|v| v.chars().take(256).collect())
            .unwrap_or_default();
        Ok(ClientMeta {
            ip: client_ip(parts),
            user_agent,
        })
    }
}
