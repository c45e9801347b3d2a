//! Days of the week as calendar documents spell them ("mon".."sun").

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::CalendarError;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Weekday {
    Mon,
    Tue,
    Wed,
    Thu,
    Fri,
    Sat,
    Sun,
}

impl Weekday {
    pub const ALL: [Weekday; 7] = [
        Weekday::Mon,
        Weekday::Tue,
        Weekday::Wed,
        Weekday::Thu,
        Weekday::Fri,
        Weekday::Sat,
        Weekday::Sun,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Weekday::Mon => "mon",
            Weekday::Tue => "tue",
            Weekday::Wed => "wed",
            Weekday::Thu => "thu",
            Weekday::Fri => "fri",
            Weekday::Sat => "sat",
            Weekday::Sun => "sun",
        }
    }
}

impl From<time::Weekday> for Weekday {
    fn from(day: time::Weekday) -> Self {
        match day {
            time::Weekday::Monday => Weekday::Mon,
            time::Weekday::Tuesday => Weekday::Tue,
            time::Weekday::Wednesday => Weekday::Wed,
            time::Weekday::Thursday => Weekday::Thu,
            time::Weekday::Friday => Weekday::Fri,
            time::Weekday::Saturday => Weekday::Sat,
            time::Weekday::Sunday => Weekday::Sun,
        }
    }
}

impl FromStr for Weekday {
    type Err = CalendarError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Weekday::ALL
            .into_iter()
            .find(|day| day.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| CalendarError::UnknownWeekday(text.to_owned()))
    }
}

impl fmt::Display for Weekday {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}
