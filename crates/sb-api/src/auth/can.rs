//! `Can<perm::StaffCreate>`: an extractor that lets the request through only
//! when the caller holds that permission. Because it is an extractor placed
//! first, the check runs before the body is read, so a caller without the
//! permission learns nothing about the body's validity.

use std::marker::PhantomData;
use std::ops::Deref;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use sb_core::Permission;

use crate::auth::principal::{Principal, refuse};
use crate::error::ApiError;
use crate::state::AppState;

/// A type naming one permission.
pub trait Requirement: Send + Sync + 'static {
    const PERMISSION: Permission;
}

#[derive(Debug)]
pub struct Can<R: Requirement>(pub Principal, PhantomData<R>);

impl<R: Requirement> Deref for Can<R> {
    type Target = Principal;
    fn deref(&self) -> &Principal {
        &self.0
    }
}

impl<R: Requirement> FromRequestParts<AppState> for Can<R> {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let principal = Principal::from_request_parts(parts, state).await?;
        if principal.grants.allows(R::PERMISSION) {
            return Ok(Can(principal, PhantomData));
        }
        let e = ApiError::forbidden(format!("this needs the permission {}", R::PERMISSION));
        Err(refuse(state, parts, principal.actor(), e).await)
    }
}

macro_rules! requirements {
    ($($name:ident),+ $(,)?) => {
        /// One marker type per permission, for `Can<perm::X>`.
        pub mod perm {
            use super::Requirement;
            use sb_core::Permission;
            $(
                #[derive(Debug)]
                pub struct $name;
                impl Requirement for $name {
                    const PERMISSION: Permission = Permission::$name;
                }
            )+
        }
    };
}

requirements!(
    DepartmentRead,
    DepartmentCreate,
    DepartmentUpdate,
    DepartmentDelete,
    StaffRead,
    StaffCreate,
    StaffUpdate,
    StaffDelete,
    StaffResetPassword,
    RoleRead,
    RoleCreate,
    RoleUpdate,
    RoleDelete,
    ExtensionGroupRead,
    ExtensionGroupCreate,
    ExtensionGroupUpdate,
    ExtensionGroupDelete,
    DictionaryManage,
    AnnouncementManage,
    AuditRead,
    ApiTokenManage,
    WebhookManage,
    ExtensionRead,
    ExtensionManage,
    TrunkRead,
    TrunkManage,
    CdrRead,
    RecordingRead,
    RecordingListen,
    RecordingManage,
    PromptManage,
    CallRead,
    CallControl,
    CallMonitor,
    SipSecurityManage,
    IvrRead,
    IvrManage,
    CalendarManage,
    QueueRead,
    QueueManage,
    BlacklistManage,
    VoicemailRead,
    VoicemailListen,
    VoicemailManage,
    SurveyRead,
    AgentWork,
    AgentSupervise,
    CustomerRead,
    CustomerCreate,
    CustomerUpdate,
    CustomerDelete,
    CustomerManage,
    TicketRead,
    TicketCreate,
    TicketWork,
    TicketDispatch,
    TicketClose,
    TicketManage,
    CallbackWork,
    CallbackManage,
    CampaignRead,
    CampaignWork,
    CampaignManage,
    CustomerImport,
    CustomerExport,
    KnowledgeRead,
    KnowledgeWrite,
    KnowledgeReview,
    KnowledgeManage,
);
