//! Closed sets of values kept as text codes in the switch tables (transport,
//! route targets, caller-ID modes, CDR direction, disposition, hangup side).
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
    /// What an inbound route rings. Queues and IVRs arrive with their issues.
    TargetKind { Extension => "extension" }
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
