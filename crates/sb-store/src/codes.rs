//! Closed sets of values kept as text codes in the switch tables (transport,
//! route targets, caller-ID modes, CDR direction, disposition, hangup side)
//! and the ACD and IVR tables (queue strategy and actions, blacklist action,
//! mailbox kind).
//! On the wire they are the same snake_case codes.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{Result, StoreError};

macro_rules! code_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident => $code:literal),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vdoc])* $variant),+
        }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            pub fn code(self) -> &'static str {
                match self {
                    $($name::$variant => $code),+
                }
            }

            pub fn parse(code: &str) -> Option<$name> {
                match code {
                    $($code => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// Reads a stored code; anything else means the row is corrupt.
            pub(crate) fn stored(code: &str) -> Result<$name> {
                $name::parse(code).ok_or_else(|| {
                    StoreError::Corrupt(format!("{} `{code}`", stringify!($name)))
                })
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.code())
            }
        }
    };
}

code_enum!(
    /// How the switch talks to a carrier.
    Transport { Udp => "udp", Tcp => "tcp" }
);

code_enum!(
    /// What an inbound route rings.
    TargetKind {
        /// An extension number.
        Extension => "extension",
        /// A voice flow, by name.
        Flow => "flow",
        /// An ACD queue, by name.
        Queue => "queue",
    }
);

code_enum!(
    /// Which caller number an outbound call presents to the carrier.
    CallerIdMode {
        /// The calling extension's own number.
        Keep => "keep",
        /// The trunk's default caller ID.
        Trunk => "trunk",
        /// The route's fixed caller ID.
        Fixed => "fixed",
    }
);

code_enum!(
    /// Which way a call went.
    Direction { Internal => "internal", Inbound => "inbound", Outbound => "outbound" }
);

code_enum!(
    /// How a call ended.
    Disposition {
        Answered => "answered",
        Busy => "busy",
        NoAnswer => "no_answer",
        Cancelled => "cancelled",
        Rejected => "rejected",
        Failed => "failed",
        Congestion => "congestion",
        Forbidden => "forbidden",
    }
);

code_enum!(
    /// Who hung up.
    HangupSide { Caller => "caller", Callee => "callee", System => "system" }
);

code_enum!(
    /// How a queue chooses among its ready agents.
    QueueStrategy {
        LongestIdle => "longest_idle",
        RoundRobin => "round_robin",
        FewestCalls => "fewest_calls",
        HighestSkill => "highest_skill",
        RingAll => "ring_all",
        Random => "random",
    }
);

code_enum!(
    /// Where a queue sends a call it gives up on (overflow) or cannot serve
    /// at all (nobody logged in); the target's meaning depends on the action.
    QueueAction {
        /// No queue-level action: the call goes back to its flow (the queue
        /// node's overflow branch).
        None => "none",
        /// Another queue, by name.
        Queue => "queue",
        /// A voicemail box: a queue name, or empty for this queue's own box.
        Voicemail => "voicemail",
        /// A voice flow, by name.
        Flow => "flow",
        /// A number dialled as an extension would dial it.
        Number => "number",
    }
);

code_enum!(
    /// What the switch does with a blacklisted caller.
    BlacklistAction {
        /// The caller hears busy.
        Busy => "busy",
        /// The caller hears the entry's prompt, then the call ends.
        Prompt => "prompt",
        /// The call is ended at once, without a word.
        Hangup => "hangup",
    }
);

code_enum!(
    /// Whose voicemail box a message is in.
    MailboxKind { Queue => "queue", Agent => "agent" }
);

code_enum!(
    /// Where a customer stands with the business (MISSION C3).
    CustomerLifecycle {
        Potential => "potential",
        Normal => "normal",
        Declining => "declining",
        Lost => "lost",
    }
);

code_enum!(
    Gender { Male => "male", Female => "female", Unknown => "unknown" }
);

code_enum!(
    /// What a customer's phone number is.
    PhoneLabel { Mobile => "mobile", Home => "home", Work => "work", Other => "other" }
);

code_enum!(
    /// What a customer's address is.
    AddressLabel { Home => "home", Work => "work", Other => "other" }
);

code_enum!(
    /// What touched a customer, on the contact timeline (MISSION C2).
    InteractionKind {
        Call => "call",
        Note => "note",
        Ticket => "ticket",
        Callback => "callback",
        Campaign => "campaign",
    }
);

code_enum!(
    /// Where a spreadsheet import job is.
    ImportStatus {
        Pending => "pending",
        Running => "running",
        Done => "done",
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

code_enum!(
    /// The type of an admin-defined customer field.
    CustomFieldKind { Text => "text", Number => "number", Date => "date", Choice => "choice" }
);

code_enum!(
    /// How a callback attempt's call went.
    CallStatus {
        Connected => "connected",
        Busy => "busy",
        Rejected => "rejected",
        NoAnswer => "no_answer",
        Unreachable => "unreachable",
        EmptyNumber => "empty_number",
        PoweredOff => "powered_off",
    }
);

code_enum!(
    /// Where a callback task is: waiting for its next call, or closed.
    CallbackState {
        Pending => "pending",
        /// Reached: the task's purpose is settled.
        Done => "done",
        /// Given up: out of attempts, or the number does not exist.
        Failed => "failed",
        Cancelled => "cancelled",
    }
);

code_enum!(
    /// Where a marketing campaign takes place.
    CampaignKind { OnSite => "on_site", Elsewhere => "elsewhere" }
);

code_enum!(
    /// A campaign's stage: targets are picked while planning, results
    /// recorded while running; a finished campaign is read-only.
    CampaignState { Planning => "planning", Running => "running", Finished => "finished" }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_match_serde() {
        for d in Disposition::ALL {
            assert_eq!(Disposition::parse(d.code()), Some(*d));
            assert_eq!(
                serde_json::to_value(d).expect("json"),
                serde_json::json!(d.code())
            );
        }
        assert_eq!(Transport::parse("tls"), None);
        assert!(HangupSide::stored("nobody").is_err());
        assert_eq!(CallerIdMode::Fixed.to_string(), "fixed");
    }
}

code_enum!(
    /// Where a ticket is in its workflow (MISSION W2).
    TicketState {
        /// Open and with nobody: in its department's queue, or not yet dispatched.
        New => "new",
        Assigned => "assigned",
        InProgress => "in_progress",
        /// Waiting on the customer: the SLA clock is paused.
        PendingCustomer => "pending_customer",
        Resolved => "resolved",
        /// Called back for the customer's satisfaction.
        FollowUp => "follow_up",
        Closed => "closed",
    }
);

code_enum!(
    /// How much a ticket matters (priority) or how soon it must move (urgency).
    TicketPriority { Low => "low", Normal => "normal", High => "high", Urgent => "urgent" }
);

code_enum!(
    /// A service request (the customer asked) or a proactive service (we reach out).
    TicketKind { Request => "request", Proactive => "proactive" }
);
