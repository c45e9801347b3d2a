//! Follow-me to an agent's own mobile (MISSION G8): whether a call to the
//! agent's extension (or a queue offer to the agent) rings their mobile too,
//! at once or after a delay. The store keeps it on the staff row, the API
//! checks it, the switch acts on it; the vocabulary lives here.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// The longest delay before the mobile rings too, in seconds.
pub const MAX_FOLLOW_ME_DELAY_S: u32 = 120;
/// The delay a new staff member starts with.
pub const DEFAULT_FOLLOW_ME_DELAY_S: u32 = 15;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum FollowMeMode {
    /// Only the desk phone rings.
    #[default]
    Off,
    /// The mobile rings too after the delay, or at once when the extension
    /// has no registered phone.
    NoAnswer,
    /// The mobile rings together with the desk phone.
    Always,
}

impl FollowMeMode {
    pub const ALL: [FollowMeMode; 3] = [
        FollowMeMode::Off,
        FollowMeMode::NoAnswer,
        FollowMeMode::Always,
    ];

    pub fn code(self) -> &'static str {
        match self {
            FollowMeMode::Off => "off",
            FollowMeMode::NoAnswer => "no_answer",
            FollowMeMode::Always => "always",
        }
    }

    /// How long after the call starts the mobile rings, given the
    /// configured delay and whether any desk phone rings; `None` = never.
    pub fn mobile_delay_ms(self, delay_s: u32, desk_phones: usize) -> Option<u64> {
        match self {
            FollowMeMode::Off => None,
            FollowMeMode::Always => Some(0),
            FollowMeMode::NoAnswer if desk_phones == 0 => Some(0),
            FollowMeMode::NoAnswer => Some(u64::from(delay_s.min(MAX_FOLLOW_ME_DELAY_S)) * 1000),
        }
    }
}

impl fmt::Display for FollowMeMode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for FollowMeMode {
    type Err = CoreError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        FollowMeMode::ALL
            .into_iter()
            .find(|mode| mode.code() == s)
            .ok_or_else(|| CoreError::UnknownFollowMeMode(s.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for mode in FollowMeMode::ALL {
            assert_eq!(mode.code().parse::<FollowMeMode>(), Ok(mode));
        }
        assert!("sometimes".parse::<FollowMeMode>().is_err());
    }

    #[test]
    fn mobile_delay_follows_the_mode() {
        assert_eq!(FollowMeMode::Off.mobile_delay_ms(5, 1), None);
        assert_eq!(FollowMeMode::Always.mobile_delay_ms(5, 1), Some(0));
        assert_eq!(FollowMeMode::NoAnswer.mobile_delay_ms(5, 1), Some(5000));
        // No desk phone registered: the mobile rings at once.
        assert_eq!(FollowMeMode::NoAnswer.mobile_delay_ms(5, 0), Some(0));
        assert_eq!(
            FollowMeMode::NoAnswer.mobile_delay_ms(999, 2),
            Some(120_000)
        );
    }
}
