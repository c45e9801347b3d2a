//! The tests of a condition node: `{"work_time": "standard"}`,
//! `{"caller_matches": "1XXXXXXXXXX"}`, `{"variable": "vip", "equals": "1"}`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rule {
    pub when: Test,
    pub next: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "TestDocument", into = "TestDocument")]
pub enum Test {
    /// The named calendar is open now.
    WorkTime(String),
    /// The named calendar is closed now.
    OffTime(String),
    /// Today is a holiday in the named calendar.
    Holiday(String),
    /// The caller's number fits a dial pattern.
    CallerMatches(String),
    /// The dialled number fits a dial pattern.
    DialledMatches(String),
    VariableEquals {
        variable: String,
        equals: String,
    },
    /// A variable's value fits a dial pattern.
    VariableMatches {
        variable: String,
        matches: String,
    },
}

const TEST_KINDS: &str = "work_time, off_time, holiday, caller_matches, dialled_matches, variable with equals or matches";

#[derive(Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct TestDocument {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    work_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    off_time: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    holiday: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    caller_matches: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    dialled_matches: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    variable: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    equals: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    matches: Option<String>,
}

impl TryFrom<TestDocument> for Test {
    type Error = String;

    fn try_from(document: TestDocument) -> Result<Self, Self::Error> {
        let TestDocument {
            work_time,
            off_time,
            holiday,
            caller_matches,
            dialled_matches,
            variable,
            equals,
            matches,
        } = document;
        let variable_test = match (variable, equals, matches) {
            (None, None, None) => None,
            (Some(variable), Some(equals), None) => Some(Test::VariableEquals { variable, equals }),
            (Some(variable), None, Some(matches)) => {
                Some(Test::VariableMatches { variable, matches })
            }
            (Some(_), None, None) => {
                return Err("`variable` needs `equals` or `matches`".to_owned());
            }
            (Some(_), Some(_), Some(_)) => {
                return Err("`variable` takes `equals` or `matches`, not both".to_owned());
            }
            (None, _, _) => return Err("`equals` and `matches` need `variable`".to_owned()),
        };
        let mut tests = [
            work_time.map(Test::WorkTime),
            off_time.map(Test::OffTime),
            holiday.map(Test::Holiday),
            caller_matches.map(Test::CallerMatches),
            dialled_matches.map(Test::DialledMatches),
            variable_test,
        ]
        .into_iter()
        .flatten();
        match (tests.next(), tests.next()) {
            (Some(test), None) => Ok(test),
            (None, _) => Err(format!("a test needs one of {TEST_KINDS}")),
            (Some(_), Some(_)) => Err(format!("a test has exactly one of {TEST_KINDS}")),
        }
    }
}

impl From<Test> for TestDocument {
    fn from(test: Test) -> Self {
        let empty = TestDocument::default();
        match test {
            Test::WorkTime(calendar) => TestDocument {
                work_time: Some(calendar),
                ..empty
            },
            Test::OffTime(calendar) => TestDocument {
                off_time: Some(calendar),
                ..empty
            },
            Test::Holiday(calendar) => TestDocument {
                holiday: Some(calendar),
                ..empty
            },
            Test::CallerMatches(pattern) => TestDocument {
                caller_matches: Some(pattern),
                ..empty
            },
            Test::DialledMatches(pattern) => TestDocument {
                dialled_matches: Some(pattern),
                ..empty
            },
            Test::VariableEquals { variable, equals } => TestDocument {
                variable: Some(variable),
                equals: Some(equals),
                ..empty
            },
            Test::VariableMatches { variable, matches } => TestDocument {
                variable: Some(variable),
                matches: Some(matches),
                ..empty
            },
        }
    }
}

impl Test {
    /// The calendar a test asks about, if any.
    pub fn calendar(&self) -> Option<&str> {
        match self {
            Test::WorkTime(calendar) | Test::OffTime(calendar) | Test::Holiday(calendar) => {
                Some(calendar)
            }
            _ => None,
        }
    }

    /// The dial pattern a test matches against, if any.
    pub fn pattern(&self) -> Option<&str> {
        match self {
            Test::CallerMatches(pattern)
            | Test::DialledMatches(pattern)
            | Test::VariableMatches {
                matches: pattern, ..
            } => Some(pattern),
            _ => None,
        }
    }
}
