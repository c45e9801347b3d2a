//! Phone numbers as people write them (MISSION C4): the same Chinese mobile
//! or landline reached however it is written — `138 0013 8000`,
//! `+86 138-0013-8000`, `0086 13800138000`, `(0571) 8888-8888`,
//! `+86 571 88888888` — normalises to one E.164 form, so a caller is found
//! by the number the switch sees whatever the customer record says.
//!
//! Rules (China's numbering plan): mobiles are 11 digits starting 13-19;
//! a landline is the trunk prefix 0, an area code (two digits for 10 and
//! 20-29, Beijing, Shanghai, Guangzhou..., three otherwise) and a 7-8 digit
//! local number; 400/800 numbers and short service numbers (95xxx, 12345,
//! 110...) are kept as dialled. A local number without an area code needs
//! the caller's default area code. Other countries' numbers (`+1...`,
//! `00 44...`) are kept in E.164 as given, without validation.

use thiserror::Error;

/// A normalised number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PhoneNumber {
    /// `+8613800138000`, `+8657188888888`, `+14155550100`; service numbers
    /// keep their national form (`4008001000`, `95555`).
    pub e164: String,
    pub kind: PhoneKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PhoneKind {
    /// A Chinese mobile; `prefix` is its first seven digits (the
    /// region tables are keyed by them).
    Mobile { prefix: String },
    /// A Chinese landline; `area_code` without the trunk 0 (`10`, `571`).
    Landline { area_code: String },
    /// 400/800 numbers and short service numbers, dialled as they are.
    Service,
    /// Another country's number.
    International,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PhoneError {
    #[error("no digits in the number")]
    Empty,
    #[error("`{0}` is not allowed in a phone number")]
    BadCharacter(char),
    #[error("{0} digits is too long for a phone number")]
    TooLong(usize),
    #[error("`{0}` is not a Chinese mobile, landline or service number")]
    Unrecognised(String),
    #[error("`{0}` is a local number: give the area code")]
    NeedsAreaCode(String),
}

/// The longest number E.164 allows.
const MAX_DIGITS: usize = 15;

/// Normalises `raw`; `default_area_code` (without the 0, e.g. `571`) is
/// used for a local landline number written without one.
pub fn normalize(raw: &str, default_area_code: Option<&str>) -> Result<PhoneNumber, PhoneError> {
    let mut digits = String::with_capacity(raw.len());
    let mut plus = false;
    for c in raw.trim().chars() {
        match c {
            '0'..='9' => digits.push(c),
            '+' if digits.is_empty() && !plus => plus = true,
            ' ' | '-' | '(' | ')' | '.' | '/' | '\u{3000}' => {}
            other => return Err(PhoneError::BadCharacter(other)),
        }
    }
    if digits.is_empty() {
        return Err(PhoneError::Empty);
    }
    if digits.len() > MAX_DIGITS + 2 {
        return Err(PhoneError::TooLong(digits.len()));
    }
    // An international prefix: `+` or `00`.
    let international = if plus {
        Some(digits.as_str())
    } else {
        digits.strip_prefix("00")
    };
    if let Some(number) = international {
        return match number.strip_prefix("86") {
            Some(national) => national_number(national, true, default_area_code),
            None if number.len() >= 7 && number.len() <= MAX_DIGITS => Ok(PhoneNumber {
                e164: format!("+{number}"),
                kind: PhoneKind::International,
            }),
            None => Err(PhoneError::Unrecognised(raw.trim().to_owned())),
        };
    }
    // `86` before a mobile, as some systems write it without the plus.
    if let Some(national) = digits.strip_prefix("86")
        && is_mobile(national)
    {
        return national_number(national, true, default_area_code);
    }
    national_number(&digits, false, default_area_code)
}

fn is_mobile(digits: &str) -> bool {
    digits.len() == 11
        && digits.starts_with('1')
        && digits
            .as_bytes()
            .get(1)
            .is_some_and(|d| (b'3'..=b'9').contains(d))
}

/// Two-digit area codes: 10 (Beijing) and 20-29.
fn area_code_len(national: &str) -> usize {
    match national.as_bytes().first() {
        Some(b'1' | b'2') => 2,
        _ => 3,
    }
}

/// `digits` is a national number; `after_country_code` when it followed
/// +86 (where landlines drop their trunk 0).
fn national_number(
    digits: &str,
    after_country_code: bool,
    default_area_code: Option<&str>,
) -> Result<PhoneNumber, PhoneError> {
    let unrecognised = || PhoneError::Unrecognised(digits.to_owned());
    // Carriers present a mobile from another area with the trunk 0 before it.
    let digits = match digits.strip_prefix('0') {
        Some(mobile) if !after_country_code && is_mobile(mobile) => mobile,
        _ => digits,
    };
    if is_mobile(digits) {
        return Ok(PhoneNumber {
            e164: format!("+86{digits}"),
            kind: PhoneKind::Mobile {
                prefix: digits[..7].to_owned(),
            },
        });
    }
    if !after_country_code
        && (digits.len() == 10 && (digits.starts_with("400") || digits.starts_with("800"))
            || (3..=6).contains(&digits.len()) && digits.starts_with('1')
            || digits.len() == 5 && digits.starts_with("95"))
    {
        return Ok(PhoneNumber {
            e164: digits.to_owned(),
            kind: PhoneKind::Service,
        });
    }
    // A landline: with its trunk 0 nationally, without it after +86.
    let with_area = match digits.strip_prefix('0') {
        Some(rest) if !after_country_code => Some(rest),
        Some(_) => return Err(unrecognised()),
        None if after_country_code => Some(digits),
        None => None,
    };
    let (area_code, local) = match with_area {
        Some(national) => {
            let split = area_code_len(national);
            if national.len() <= split {
                return Err(unrecognised());
            }
            (&national[..split], &national[split..])
        }
        None => {
            if !(7..=8).contains(&digits.len()) {
                return Err(unrecognised());
            }
            let area = default_area_code
                .map(|a| a.trim_start_matches('0'))
                .filter(|a| !a.is_empty() && a.chars().all(|c| c.is_ascii_digit()))
                .ok_or_else(|| PhoneError::NeedsAreaCode(digits.to_owned()))?;
            (area, digits)
        }
    };
    if !(7..=8).contains(&local.len()) || local.starts_with('0') || local.starts_with('1') {
        return Err(unrecognised());
    }
    Ok(PhoneNumber {
        e164: format!("+86{area_code}{local}"),
        kind: PhoneKind::Landline {
            area_code: area_code.to_owned(),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e164(raw: &str) -> String {
        normalize(raw, Some("571"))
            .unwrap_or_else(|e| panic!("{raw}: {e}"))
            .e164
    }

    #[test]
    fn a_mobile_is_the_same_however_it_is_written() {
        for raw in [
            "13800138000",
            "138 0013 8000",
            "138-0013-8000",
            "+86 138 0013 8000",
            "+8613800138000",
            "0086 13800138000",
            "8613800138000",
            "(+86) 138.0013.8000",
            "013800138000",
        ] {
            assert_eq!(e164(raw), "+8613800138000", "{raw}");
        }
        assert_eq!(
            normalize("19912345678", None).map(|n| n.kind),
            Ok(PhoneKind::Mobile {
                prefix: "1991234".into()
            })
        );
    }

    #[test]
    fn landlines_keep_their_area_code_and_drop_the_trunk_zero() {
        for raw in [
            "(0571) 8888-8888",
            "0571-88888888",
            "+86 571 88888888",
            "0086 571 8888 8888",
            "88888888",
        ] {
            assert_eq!(e164(raw), "+8657188888888", "{raw}");
        }
        // Two-digit area codes: Beijing 10, Shanghai 21, Guangzhou 20.
        assert_eq!(e164("010-6552 9988"), "+861065529988");
        assert_eq!(e164("+86 21 5888 1234"), "+862158881234");
        assert_eq!(e164("020 8123 456"), "+86208123456");
        assert_eq!(
            normalize("0755-26001234", None).map(|n| n.kind),
            Ok(PhoneKind::Landline {
                area_code: "755".into()
            })
        );
    }

    #[test]
    fn service_and_foreign_numbers_are_kept() {
        assert_eq!(e164("400-800-1000"), "4008001000");
        assert_eq!(e164("95555"), "95555");
        assert_eq!(e164("12345"), "12345");
        assert_eq!(e164("+1 (415) 555-0100"), "+14155550100");
        assert_eq!(e164("0044 20 7946 0000"), "+442079460000");
    }

    #[test]
    fn what_cannot_be_a_number_is_refused_with_the_reason() {
        assert_eq!(normalize("", None), Err(PhoneError::Empty));
        assert_eq!(
            normalize("138x0013", None),
            Err(PhoneError::BadCharacter('x'))
        );
        assert_eq!(
            normalize("88888888", None),
            Err(PhoneError::NeedsAreaCode("88888888".into()))
        );
        assert!(matches!(
            normalize("12", None),
            Err(PhoneError::Unrecognised(_))
        ));
        assert!(matches!(
            normalize("0571", None),
            Err(PhoneError::Unrecognised(_))
        ));
        assert!(matches!(
            normalize("+86 0571 88888888", None),
            Err(PhoneError::Unrecognised(_))
        ));
        assert!(matches!(
            normalize("1234567890123456789", None),
            Err(PhoneError::TooLong(19))
        ));
        assert!(matches!(
            normalize("+1 23", None),
            Err(PhoneError::Unrecognised(_))
        ));
    }
}
