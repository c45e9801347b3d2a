//! Persistence for Switchboard: sqlx on SQLite (the embedded default) or
//! PostgreSQL (production), chosen by the database URL.
//!
//! Layout: `db` (pool, embedded migrations per backend under `migrations/`,
//! a `$n` SQL builder), then one module per aggregate, each an `impl Store`
//! block: `departments`, `staff`, `roles`, `sessions`, `api_tokens`,
//! `extension_groups`, `dictionary`, `announcements`, `audit`, `bootstrap`;
//! for the SIP switch `sip_extensions`, `trunks`, `inbound_routes`,
//! `outbound_routes`, `cdrs`, `sip_bans`, with their text `codes` and the
//! trusted address ranges of a trunk (`sb_core::AddressRange`); for media
//! `prompts` and the public module [`recordings`] (functions over `&Store`,
//! the names the switch side calls); for the ACD and IVR `ivr_flows`
//! (versioned documents), `calendars`, `acd_queues` (with members),
//! `acd_events` (the ACD's log), `blacklist`, `call_trails`, `voicemails`,
//! `survey_results` and `not_ready_reasons`; for the service desk `customers`
//! (profile, numbers, assets, custom fields, the contact timeline, the
//! import's batch writes), `import_jobs` and `tickets` (tickets, history,
//! SLA policies, fields, attachments, notifications), `callbacks` (callback
//! lists, tasks, attempts) and `campaigns` (campaigns and their targets); `knowledge` (categories,
//! articles with versions and review steps, images, search log, study reads);
//! for integrations `webhooks` and `webhook_deliveries` (the delivery log, also
//! the outgoing queue).
//!
//! Every change is written together with its audit row in one transaction.
//! Callers pass `now` explicitly so expiry and lockout are testable without a
//! wall clock. Inputs arrive validated (lengths, formats) from the API layer;
//! this layer enforces references and uniqueness and names the field at fault.

mod acd_events;
mod acd_queues;
mod agent_pins;
mod announcements;
mod api_tokens;
mod audit;
mod blacklist;
mod bootstrap;
mod calendars;
mod call_trails;
mod callbacks;
mod campaigns;
mod cdrs;
mod codes;
mod customers;
mod db;
mod demo_acd_ivr;
mod demo_customers;
mod departments;
mod dictionary;
mod error;
mod extension_groups;
mod follow_me;
mod import_jobs;
mod inbound_routes;
mod ivr_flows;
mod knowledge;
mod millis;
mod not_ready_reasons;
mod outbound_routes;
mod page;
mod prompts;
pub mod recordings;
mod roles;
mod sessions;
mod sip_bans;
mod sip_extensions;
mod staff;
mod survey_results;
#[cfg(feature = "testing")]
pub mod testing;
mod tickets;
mod trunks;
mod voicemails;
mod webhook_deliveries;
mod webhooks;

pub use acd_events::{AcdEvent, AcdEventFilter, NewAcdEvent};
pub use acd_queues::{AcdQueue, AcdQueueInput, QueueMember, QueueMembership, SKILL_RANGE};
pub use agent_pins::AgentPin;
pub use announcements::{Announcement, AnnouncementInput};
pub use api_tokens::{ApiToken, NewApiToken};
pub use audit::{Actor, AlarmPolicy, AuditEntry, AuditEvent, AuditFilter, AuditKind};
pub use blacklist::{BlacklistEntry, BlacklistFilter, BlacklistInput};
pub use bootstrap::{DEFAULT_SIP_REALM, FIRST_ADMIN_EMPLOYEE_ID};
pub use calendars::{Calendar, CalendarInput};
pub use call_trails::CallTrail;
pub use callbacks::{
    CallbackAttempt, CallbackList, CallbackListInput, CallbackOutcome, CallbackProgress,
    CallbackTask, CallbackTaskFilter, NewCallbackAttempt, NewCallbackTask,
};
pub use campaigns::{
    Campaign, CampaignCounts, CampaignInput, CampaignResult, CampaignTarget, CampaignTargetFilter,
};
pub use cdrs::{Cdr, CdrFilter, CdrScope, NewCdr};
pub use codes::{
    AddressLabel, BlacklistAction, CallerIdMode, CustomerLifecycle, Direction, Disposition, Gender,
    HangupSide, ImportStatus, InteractionKind, MailboxKind, PhoneLabel, QueueAction, QueueStrategy,
    TargetKind, TicketKind, TicketPriority, TicketState, Transport,
};
pub use codes::{CallStatus, CallbackState, CampaignKind, CampaignState};
pub use customers::{
    CustomFieldKind, Customer, CustomerAddress, CustomerAsset, CustomerAssetInput, CustomerEmail,
    CustomerFieldDef, CustomerFieldDefInput, CustomerFilter, CustomerInput, CustomerPhone,
    CustomerScope, CustomerSort, CustomerWrite, Interaction, NewInteraction, TimelineCall,
    dialled_forms,
};
pub use db::{Backend, Store};
pub use departments::{Department, DepartmentInput};
pub use dictionary::{DictionaryItem, DictionaryItemInput, DictionaryType, DictionaryTypeInput};
pub use error::{Result, StoreError};
pub use extension_groups::{ExtensionGroup, ExtensionGroupInput};
pub use follow_me::{FollowMe, FollowMeTarget};
pub use import_jobs::{ImportJob, ImportProgress};
pub use inbound_routes::{InboundRoute, InboundRouteInput};
pub use ivr_flows::{IvrFlow, IvrFlowInput, IvrFlowVersion, IvrFlowVersionSummary};
pub use knowledge::{
    KbArticle, KbArticleFilter, KbArticleSummary, KbAuthorFigures, KbCategory, KbCategoryInput,
    KbContent, KbImage, KbMissedSearch, KbPublished, KbPublishing, KbStateCount, KbStats, KbStep,
    KbStepEntry, KbStudyItem, KbViewedArticle, NewKbImage,
};
pub use not_ready_reasons::NOT_READY_REASON_TYPE;
pub use outbound_routes::{OutboundRoute, OutboundRouteInput};
pub use page::{Page, PageRequest};
pub use prompts::{NewVoicePrompt, VoicePrompt};
pub use recordings::{ArchiveBacklog, NewRecording, Recording, RecordingFilter};
pub use roles::{ADMIN_ROLE_CODE, Grants, Role, RoleInput};
pub use sb_core::AddressRange;
pub use sessions::{NewSession, SessionRecord};
pub use sip_bans::{NewSipBan, SipBan};
pub use sip_extensions::{SipAccount, SipExtension, SipExtensionInput};
pub use staff::{Credentials, LoginAttempt, ProfileInput, RoleRef, Staff, StaffFilter, StaffInput};
pub use survey_results::{NewSurveyResult, SurveyFilter, SurveyResult, SurveySummary};
pub use tickets::{
    BUSINESS_UTC_OFFSET_HOURS, CustomerOption, DepartmentBacklog, NewNotification, NewTicket,
    NewTicketAttachment, Notification, REPEAT_WINDOW_SETTING, SlaCandidate, Ticket,
    TicketAttachment, TicketFieldDef, TicketFieldDefInput, TicketFilter, TicketHistoryEntry,
    TicketScope, TicketSla, TicketSlaPolicy, TicketSlaPolicyInput, TicketSort, TicketStep,
    TypeCount, serial_day,
};
pub use trunks::{Trunk, TrunkInput};
pub use voicemails::{NewVoicemail, Voicemail, VoicemailFilter};
pub use webhook_deliveries::{
    Claimed, DeliveryAttempt, DeliveryState, DueDelivery, NewWebhookDelivery, NextStep, SendRoom,
    WebhookDelivery,
};
pub use webhooks::{Webhook, WebhookInput};

/// The JSON an audit row keeps of an entity before or after a change.
pub(crate) fn snapshot<T: serde::Serialize>(value: &T) -> Option<serde_json::Value> {
    serde_json::to_value(value).ok()
}
