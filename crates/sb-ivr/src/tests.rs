//! What the tests of a condition node ask: calendars, dial patterns and
//! variables.

use sb_calendar::DayKind;
use sb_core::DialPattern;

use crate::{Interpreter, Test};

impl Interpreter {
    pub(crate) fn holds(&mut self, now: u64, test: &Test) -> bool {
        if let Some(name) = test.calendar()
            && self.calendar(name).is_none()
        {
            // A flow saved before its calendar was deleted: no rule about
            // it holds, so the call takes `otherwise`.
            tracing::warn!(calendar = %name, "ivr calendar not loaded");
            self.record(now, format!("calendar \"{name}\" is not loaded"));
            return false;
        }
        match test {
            Test::WorkTime(name) => self.calendar(name).is_some_and(|c| c.is_open(now)),
            Test::OffTime(name) => self.calendar(name).is_some_and(|c| !c.is_open(now)),
            Test::Holiday(name) => self
                .calendar(name)
                .is_some_and(|c| c.day_kind(now) == DayKind::Holiday),
            Test::CallerMatches(pattern) => fits(pattern, self.variable("caller")),
            Test::DialledMatches(pattern) => fits(pattern, self.variable("dialled")),
            Test::VariableEquals { variable, equals } => self.variable(variable) == equals,
            Test::VariableMatches { variable, matches } => fits(matches, self.variable(variable)),
        }
    }
}

/// A pattern that does not parse (never validated) matches nothing.
fn fits(pattern: &str, value: &str) -> bool {
    DialPattern::parse(pattern).is_ok_and(|pattern| pattern.matches(value))
}
