//! Outbound call classes (MISSION T4): what an extension or user may dial.
//! The classes are ordered: a holder of `National` may also dial `Local` and
//! `Internal` numbers.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CallClass {
    /// Extensions of this switch only.
    Internal,
    /// Numbers in the local calling area.
    Local,
    /// Long-distance numbers in the country (and mobiles).
    National,
    /// Any number, including abroad.
    International,
}

impl CallClass {
    pub const ALL: [CallClass; 4] = [
        CallClass::Internal,
        CallClass::Local,
        CallClass::National,
        CallClass::International,
    ];

    pub fn code(self) -> &'static str {
        match self {
            CallClass::Internal => "internal",
            CallClass::Local => "local",
            CallClass::National => "national",
            CallClass::International => "international",
        }
    }

    /// Whether a holder of `self` may place a call that needs `needed`.
    pub fn permits(self, needed: CallClass) -> bool {
        self >= needed
    }
}

impl fmt::Display for CallClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for CallClass {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CallClass::ALL
            .into_iter()
            .find(|class| class.code() == s)
            .ok_or_else(|| CoreError::UnknownCallClass(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_order_permits_lower_classes() {
        for class in CallClass::ALL {
            assert_eq!(class.code().parse::<CallClass>(), Ok(class));
        }
        assert!(CallClass::National.permits(CallClass::Local));
        assert!(CallClass::National.permits(CallClass::National));
        assert!(!CallClass::National.permits(CallClass::International));
        assert!(!CallClass::Internal.permits(CallClass::Local));
        assert!("worldwide".parse::<CallClass>().is_err());
    }
}
