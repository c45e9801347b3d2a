//! Things an administrator should fix, shown to every signed-in user as a
//! banner: for now, SIP extensions still on their published demo password.

use axum::Json;
use axum::extract::State;
use sb_core::Permission;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::auth::Principal;
use crate::error::ApiResult;
use crate::state::AppState;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(system_warnings))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SystemWarning {
    /// `demo_sip_passwords`: extensions whose SIP password is still the demo one.
    pub code: &'static str,
    /// The extensions concerned; listed only for holders of `extension.read`.
    pub extensions: Vec<String>,
}

/// Current warnings (an empty list when all is well).
#[utoipa::path(get, path = "/api/v1/system/warnings", tag = "system",
    responses((status = 200, body = Vec<SystemWarning>)),
    security(("session" = []), ("bearer" = [])))]
async fn system_warnings(
    who: Principal,
    State(state): State<AppState>,
) -> ApiResult<Json<Vec<SystemWarning>>> {
    let mut warnings = Vec::new();
    let demo = state.store().demo_password_extensions().await?;
    if !demo.is_empty() {
        let may_see = who.grants.allows(Permission::ExtensionRead);
        warnings.push(SystemWarning {
            code: "demo_sip_passwords",
            extensions: if may_see { demo } else { Vec::new() },
        });
    }
    Ok(Json(warnings))
}
