//! The OpenAPI document: paths come from the handlers' `#[utoipa::path]` via
//! `OpenApiRouter`, so the document and the router cannot drift apart.

use utoipa::Modify;
use utoipa::OpenApi;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::{RefOr, Response, ResponseBuilder};

use crate::error::ErrorBody;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "Switchboard API",
        description = "Call-center platform API. Errors are always `{\"error\": {\"code\", \"message\", \"field\"?}}`. \
            A security requirement's scopes name the function permission the route needs; \
            an empty list means any signed-in user. Console sessions must send `X-CSRF-Token` on changes."
    ),
    components(schemas(ErrorBody)),
    modifiers(&Security, &ErrorResponses)
)]
#[derive(Debug)]
pub struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::cookie::SESSION_COOKIE,
                "Console session from POST /api/v1/auth/login",
            ))),
        );
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(
                HttpBuilder::new()
                    .scheme(HttpAuthScheme::Bearer)
                    .description(Some("API token (sbt_...)"))
                    .build(),
            ),
        );
    }
}

/// Adds the error responses every route can give, so each operation documents them.
struct ErrorResponses;

fn error_response(description: &str) -> RefOr<Response> {
    RefOr::T(
        ResponseBuilder::new()
            .description(description)
            .content(
                "application/json",
                utoipa::openapi::ContentBuilder::new()
                    .schema(Some(utoipa::openapi::Ref::from_schema_name("ErrorBody")))
                    .build(),
            )
            .build(),
    )
}

impl Modify for ErrorResponses {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        for item in openapi.paths.paths.values_mut() {
            for op in [
                &mut item.get,
                &mut item.put,
                &mut item.post,
                &mut item.delete,
                &mut item.patch,
            ]
            .into_iter()
            .flatten()
            {
                let protected = op.security.as_ref().is_some_and(|s| !s.is_empty());
                let has_body = op.request_body.is_some();
                let has_id = op
                    .parameters
                    .as_ref()
                    .is_some_and(|ps| ps.iter().any(|p| p.name == "id"));
                let responses = &mut op.responses.responses;
                let mut add = |code: &str, text: &str| {
                    responses
                        .entry(code.to_owned())
                        .or_insert_with(|| error_response(text));
                };
                if has_body || op.parameters.is_some() {
                    add("400", "Malformed request");
                }
                if protected {
                    add("401", "Not signed in, session expired or token revoked");
                    add(
                        "403",
                        "Missing permission, outside data scope, or bad CSRF token",
                    );
                }
                if has_id {
                    add("404", "No such record");
                }
                if has_body {
                    add(
                        "409",
                        "Conflicts with existing data (duplicate, still in use)",
                    );
                    add("422", "A field is invalid; `field` names it");
                }
            }
        }
    }
}
