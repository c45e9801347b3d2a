//! Feature codes an agent dials from a phone (MISSION G10): phone-only
//! agents sign in, out, ready and not ready without a desktop.
//!
//! | dialled                   | meaning                                     |
//! |---------------------------|---------------------------------------------|
//! | `*11<employee id>*<PIN>`  | sign that agent in at the calling extension |
//! | `*12`                     | sign out                                    |
//! | `*13`                     | ready                                       |
//! | `*14` / `*14<reason>`     | not ready (the first reason / that reason)  |
//!
//! `*12`-`*14` act on the agent signed in at the calling extension. Parsing
//! is pure; what a code does is `feature_task`'s business.

use std::fmt;

/// The longest employee id, PIN or reason code a feature code carries.
const MAX_PART: usize = 32;

#[derive(Clone, PartialEq, Eq)]
pub(crate) enum FeatureCode {
    SignIn {
        employee_id: String,
        pin: String,
    },
    SignOut,
    Ready,
    /// `None`: the first reason of the not-ready list.
    NotReady {
        reason: Option<String>,
    },
}

impl FeatureCode {
    /// The code's name in logs and the CDR.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            FeatureCode::SignIn { .. } => "sign_in",
            FeatureCode::SignOut => "sign_out",
            FeatureCode::Ready => "ready",
            FeatureCode::NotReady { .. } => "not_ready",
        }
    }

    /// What was dialled with the PIN masked: safe for the CDR and logs.
    pub(crate) fn masked(&self) -> String {
        match self {
            FeatureCode::SignIn { employee_id, .. } => format!("*11{employee_id}*****"),
            FeatureCode::SignOut => "*12".into(),
            FeatureCode::Ready => "*13".into(),
            FeatureCode::NotReady { reason: None } => "*14".into(),
            FeatureCode::NotReady {
                reason: Some(reason),
            } => format!("*14{reason}"),
        }
    }
}

/// Never prints the PIN.
impl fmt::Debug for FeatureCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.masked())
    }
}

/// The feature code in a dialled number (the Request-URI's user part),
/// or `None` when it is not one, so the number is routed as usual.
/// Phones that escape `*` (`%2A`) or end the number with `#` are
/// understood.
pub(crate) fn parse(dialled: &str) -> Option<FeatureCode> {
    let dialled = unescape(dialled);
    let dialled = dialled.strip_suffix('#').unwrap_or(&dialled);
    let rest = dialled.strip_prefix('*')?;
    if let Some(sign_in) = rest.strip_prefix("11") {
        let (employee_id, pin) = sign_in.split_once('*')?;
        let employee_ok = !employee_id.is_empty()
            && employee_id.len() <= MAX_PART
            && employee_id.bytes().all(|b| b.is_ascii_alphanumeric());
        let pin_ok =
            !pin.is_empty() && pin.len() <= MAX_PART && pin.bytes().all(|b| b.is_ascii_digit());
        return (employee_ok && pin_ok).then(|| FeatureCode::SignIn {
            employee_id: employee_id.to_owned(),
            pin: pin.to_owned(),
        });
    }
    match rest {
        "12" => return Some(FeatureCode::SignOut),
        "13" => return Some(FeatureCode::Ready),
        "14" => return Some(FeatureCode::NotReady { reason: None }),
        _ => {}
    }
    let reason = rest.strip_prefix("14")?;
    let reason_ok = reason.len() <= MAX_PART
        && reason
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
    reason_ok.then(|| FeatureCode::NotReady {
        reason: Some(reason.to_owned()),
    })
}

/// `%2A` and `%23` back to `*` and `#` (RFC 3261 §19.1.2 lets a phone
/// escape them in the user part).
pub(crate) fn unescape(dialled: &str) -> String {
    dialled
        .replace("%2A", "*")
        .replace("%2a", "*")
        .replace("%23", "#")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sign_in(employee_id: &str, pin: &str) -> Option<FeatureCode> {
        Some(FeatureCode::SignIn {
            employee_id: employee_id.into(),
            pin: pin.into(),
        })
    }

    #[test]
    fn sign_in_carries_employee_and_pin() {
        assert_eq!(parse("*111001*1234"), sign_in("1001", "1234"));
        assert_eq!(parse("*11a17*98765432"), sign_in("a17", "98765432"));
        assert_eq!(parse("%2A111001%2A1234"), sign_in("1001", "1234"));
        assert_eq!(parse("*111001*1234#"), sign_in("1001", "1234"));
        assert_eq!(parse("*111001%2a1234%23"), sign_in("1001", "1234"));
    }

    #[test]
    fn sign_in_needs_both_parts() {
        for dialled in [
            "*11",
            "*111001",
            "*111001*",
            "*11*1234",
            "*111001*12a4",
            "*11100-1*1234",
            "*111001*1234*5",
        ] {
            assert_eq!(parse(dialled), None, "{dialled}");
        }
    }

    #[test]
    fn state_codes() {
        assert_eq!(parse("*12"), Some(FeatureCode::SignOut));
        assert_eq!(parse("*13"), Some(FeatureCode::Ready));
        assert_eq!(parse("*13#"), Some(FeatureCode::Ready));
        assert_eq!(parse("*14"), Some(FeatureCode::NotReady { reason: None }));
        assert_eq!(
            parse("*14meal"),
            Some(FeatureCode::NotReady {
                reason: Some("meal".into())
            })
        );
        assert_eq!(
            parse("*142"),
            Some(FeatureCode::NotReady {
                reason: Some("2".into())
            })
        );
    }

    #[test]
    fn other_numbers_are_not_feature_codes() {
        for dialled in [
            "", "1001", "*", "*1", "*10", "*120", "*15", "*14a*b", "12*", "**12",
        ] {
            assert_eq!(parse(dialled), None, "{dialled}");
        }
    }

    #[test]
    fn the_pin_never_shows() {
        let code = parse("*111001*4321").expect("sign in");
        assert_eq!(code.masked(), "*111001*****");
        assert!(!format!("{code:?}").contains("4321"));
        assert_eq!(code.name(), "sign_in");
    }
}
