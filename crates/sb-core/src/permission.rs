//! Function permissions (one per action) and data scopes (which records).
//!
//! The catalogue is a closed enum so that a route cannot ask for a permission
//! that no role could ever be granted; the wire form is `resource.action`.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;

macro_rules! permissions {
    ($($variant:ident => $code:literal),+ $(,)?) => {
        /// One grantable action, e.g. `staff.create`.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub enum Permission {
            $($variant),+
        }

        impl Permission {
            /// Every permission, in catalogue order (grouped by resource).
            pub const ALL: &'static [Permission] = &[$(Permission::$variant),+];

            /// The wire form, `resource.action`.
            pub fn code(self) -> &'static str {
                match self {
                    $(Permission::$variant => $code),+
                }
            }
        }

        impl FromStr for Permission {
            type Err = CoreError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                match s {
                    $($code => Ok(Permission::$variant),)+
                    other => Err(CoreError::UnknownPermission(other.to_owned())),
                }
            }
        }
    };
}

permissions! {
    DepartmentRead => "department.read",
    DepartmentCreate => "department.create",
    DepartmentUpdate => "department.update",
    DepartmentDelete => "department.delete",
    StaffRead => "staff.read",
    StaffCreate => "staff.create",
    StaffUpdate => "staff.update",
    StaffDelete => "staff.delete",
    StaffResetPassword => "staff.reset_password",
    RoleRead => "role.read",
    RoleCreate => "role.create",
    RoleUpdate => "role.update",
    RoleDelete => "role.delete",
    ExtensionGroupRead => "extension_group.read",
    ExtensionGroupCreate => "extension_group.create",
    ExtensionGroupUpdate => "extension_group.update",
    ExtensionGroupDelete => "extension_group.delete",
    DictionaryManage => "dictionary.manage",
    AnnouncementManage => "announcement.manage",
    AuditRead => "audit.read",
    ApiTokenManage => "api_token.manage",
    WebhookManage => "webhook.manage",
    ExtensionRead => "extension.read",
    ExtensionManage => "extension.manage",
    TrunkRead => "trunk.read",
    TrunkManage => "trunk.manage",
    CdrRead => "cdr.read",
    SipSecurityManage => "sip_security.manage",
    RecordingRead => "recording.read",
    RecordingListen => "recording.listen",
    RecordingManage => "recording.manage",
    PromptManage => "prompt.manage",
    CallRead => "call.read",
    CallControl => "call.control",
    CallMonitor => "call.monitor",
    IvrRead => "ivr.read",
    IvrManage => "ivr.manage",
    CalendarManage => "calendar.manage",
    QueueRead => "queue.read",
    QueueManage => "queue.manage",
    BlacklistManage => "blacklist.manage",
    VoicemailRead => "voicemail.read",
    VoicemailListen => "voicemail.listen",
    VoicemailManage => "voicemail.manage",
    SurveyRead => "survey.read",
    AgentWork => "agent.work",
    AgentSupervise => "agent.supervise",
    CustomerRead => "customer.read",
    CustomerCreate => "customer.create",
    CustomerUpdate => "customer.update",
    CustomerDelete => "customer.delete",
    CustomerManage => "customer.manage",
    TicketRead => "ticket.read",
    TicketCreate => "ticket.create",
    TicketWork => "ticket.work",
    TicketDispatch => "ticket.dispatch",
    TicketClose => "ticket.close",
    TicketManage => "ticket.manage",
    CallbackWork => "callback.work",
    CallbackManage => "callback.manage",
    CampaignRead => "campaign.read",
    CampaignWork => "campaign.work",
    CampaignManage => "campaign.manage",
    CustomerImport => "customer.import",
    CustomerExport => "customer.export",
    KnowledgeRead => "knowledge.read",
    KnowledgeWrite => "knowledge.write",
    KnowledgeReview => "knowledge.review",
    KnowledgeManage => "knowledge.manage",
}

impl Permission {
    /// The resource half of the code (`staff` in `staff.create`).
    pub fn resource(self) -> &'static str {
        self.code()
            .split_once('.')
            .map_or("", |(resource, _)| resource)
    }

    /// The action half of the code (`create` in `staff.create`).
    pub fn action(self) -> &'static str {
        self.code().split_once('.').map_or("", |(_, action)| action)
    }
}

impl fmt::Display for Permission {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Permission {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Permission {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        code.parse().map_err(serde::de::Error::custom)
    }
}

/// Which records a role's function permissions reach. Ordered from narrowest to
/// widest so that a user with several roles gets the widest (`max`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DataScope {
    /// Only records the user owns (for staff: their own row).
    Own,
    /// Records of the user's own department.
    Department,
    /// Records of the user's department and every department below it.
    DepartmentAndBelow,
    /// Every record.
    All,
}

impl DataScope {
    pub fn code(self) -> &'static str {
        match self {
            DataScope::Own => "own",
            DataScope::Department => "department",
            DataScope::DepartmentAndBelow => "department_and_below",
            DataScope::All => "all",
        }
    }
}

impl FromStr for DataScope {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "own" => Ok(DataScope::Own),
            "department" => Ok(DataScope::Department),
            "department_and_below" => Ok(DataScope::DepartmentAndBelow),
            "all" => Ok(DataScope::All),
            other => Err(CoreError::UnknownDataScope(other.to_owned())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_code_round_trips_and_is_unique() {
        let mut seen = std::collections::HashSet::new();
        for p in Permission::ALL {
            assert!(seen.insert(p.code()), "duplicate code {}", p.code());
            assert_eq!(p.code().parse::<Permission>(), Ok(*p));
            assert_eq!(format!("{}.{}", p.resource(), p.action()), p.code());
        }
    }

    #[test]
    fn unknown_codes_are_rejected() {
        assert_eq!(
            "staff.fly".parse::<Permission>(),
            Err(CoreError::UnknownPermission("staff.fly".into()))
        );
        assert!("everything".parse::<DataScope>().is_err());
    }

    #[test]
    fn widest_scope_wins() {
        let scopes = [DataScope::Department, DataScope::All, DataScope::Own];
        assert_eq!(scopes.iter().max(), Some(&DataScope::All));
        assert!(DataScope::DepartmentAndBelow > DataScope::Department);
    }
}
