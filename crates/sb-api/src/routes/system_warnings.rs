//! Things an administrator should fix, shown to every signed-in user as a
//! banner: SIP extensions still on their published demo password, and the
//! recordings folder running out of space (raised by the storage task).

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
    /// `demo_sip_passwords`: extensions whose SIP password is still the demo
    /// one; `recordings_low_space`: the recordings folder has less free space
    /// than `recording_min_free_mb`.
    pub code: &'static str,
    /// The extensions concerned; listed only for holders of `extension.read`.
    pub extensions: Vec<String>,
    /// For `recordings_low_space`, to holders of `recording.manage`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub free_bytes: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub min_free_bytes: Option<u64>,
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
            free_bytes: None,
            min_free_bytes: None,
        });
    }
    if let Some(low) = state.storage_alarm().low_space() {
        let may_see = who.grants.allows(Permission::RecordingManage);
        warnings.push(SystemWarning {
            code: "recordings_low_space",
            extensions: Vec::new(),
            free_bytes: may_see.then_some(low.free_bytes),
            min_free_bytes: may_see.then_some(low.min_free_bytes),
        });
    }
    Ok(Json(warnings))
}
