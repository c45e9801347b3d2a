//! Field rules for API input. Each check names the field so the console can
//! put the message beside the right box. Lengths count characters, not bytes,
//! because most names here are Chinese.

use std::net::IpAddr;

use sb_store::AddressRange;
use time::OffsetDateTime;

use crate::error::ApiError;

/// Trimmed text of `min..=max` characters.
pub fn text(field: &str, value: &str, min: usize, max: usize) -> Result<String, ApiError> {
    let value = value.trim();
    let len = value.chars().count();
    if len < min {
        return Err(if min == 1 {
            ApiError::validation(field, format!("{field} is required"))
        } else {
            ApiError::validation(field, format!("{field} needs at least {min} characters"))
        });
    }
    if len > max {
        return Err(ApiError::validation(
            field,
            format!("{field} is longer than {max} characters ({len})"),
        ));
    }
    if value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t')
    {
        return Err(ApiError::validation(
            field,
            format!("{field} contains control characters"),
        ));
    }
    Ok(value.to_owned())
}

/// Optional text: absent or blank becomes empty.
pub fn optional_text(field: &str, value: Option<&str>, max: usize) -> Result<String, ApiError> {
    text(field, value.unwrap_or(""), 0, max)
}

/// A machine code such as a role or dictionary code: `[a-z0-9_.-]`, 1-64.
pub fn code(field: &str, value: &str) -> Result<String, ApiError> {
    let value = text(field, value, 1, 64)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "_.-".contains(c))
    {
        return Err(ApiError::validation(
            field,
            format!("{field} may hold only lower-case letters, digits, `_`, `.` and `-`"),
        ));
    }
    Ok(value)
}

/// An employee ID or department number: letters, digits, `-`, `_`, `.`; 1-32.
pub fn identifier(field: &str, value: &str) -> Result<String, ApiError> {
    let value = text(field, value, 1, 32)?;
    if !value
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
    {
        return Err(ApiError::validation(
            field,
            format!("{field} may hold only letters, digits, `-`, `_` and `.`"),
        ));
    }
    Ok(value)
}

/// A phone extension: 2 to 10 digits.
pub fn extension(field: &str, value: &str) -> Result<String, ApiError> {
    let value = value.trim();
    if !(2..=10).contains(&value.len()) || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ApiError::validation(
            field,
            format!("{field} must be 2 to 10 digits, got `{value}`"),
        ));
    }
    Ok(value.to_owned())
}

/// An optional extension: blank means none.
pub fn optional_extension(field: &str, value: Option<&str>) -> Result<Option<String>, ApiError> {
    match value.map(str::trim).filter(|v| !v.is_empty()) {
        Some(v) => extension(field, v).map(Some),
        None => Ok(None),
    }
}

/// A mobile or landline number as typed: digits with optional `+`, spaces and
/// dashes; up to 20 characters. Blank is allowed.
pub fn phone(field: &str, value: Option<&str>) -> Result<String, ApiError> {
    let value = optional_text(field, value, 20)?;
    let ok = value
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '-' || c == ' ' || (i == 0 && c == '+'));
    if !ok {
        return Err(ApiError::validation(
            field,
            format!("{field} may hold only digits, `+`, `-` and spaces"),
        ));
    }
    Ok(value)
}

/// An e-mail address, loosely: one `@` with text either side. Blank is allowed.
pub fn email(field: &str, value: Option<&str>) -> Result<String, ApiError> {
    let value = optional_text(field, value, 254)?;
    if !value.is_empty() {
        let valid = value.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        });
        if !valid || value.contains(' ') {
            return Err(ApiError::validation(
                field,
                format!("{field} is not an e-mail address"),
            ));
        }
    }
    Ok(value)
}

pub const PASSWORD_MIN: usize = 8;
pub const PASSWORD_MAX: usize = 128;

/// A new password: 8-128 characters with at least one letter and one digit.
pub fn password(field: &str, value: &str) -> Result<String, ApiError> {
    let len = value.chars().count();
    if !(PASSWORD_MIN..=PASSWORD_MAX).contains(&len) {
        return Err(ApiError::validation(
            field,
            format!("{field} must be {PASSWORD_MIN} to {PASSWORD_MAX} characters"),
        ));
    }
    if !value.chars().any(char::is_alphabetic) || !value.chars().any(|c| c.is_ascii_digit()) {
        return Err(ApiError::validation(
            field,
            format!("{field} needs at least one letter and one digit"),
        ));
    }
    Ok(value.to_owned())
}

pub fn locale(field: &str, value: Option<&str>) -> Result<String, ApiError> {
    match value.unwrap_or("zh-CN") {
        v @ ("zh-CN" | "en") => Ok(v.to_owned()),
        other => Err(ApiError::validation(
            field,
            format!("{field} must be zh-CN or en, got `{other}`"),
        )),
    }
}

/// A point in time the store can keep: 1970 to the end of 9998 (UTC).
/// Checked on the Unix timestamp, which cannot overflow the way a change of
/// offset near year 9999 would.
pub fn instant(field: &str, value: OffsetDateTime) -> Result<(), ApiError> {
    const END_OF_9998: i64 = 253_370_764_799; // 9998-12-31T23:59:59Z
    let ts = value.unix_timestamp();
    if !(0..=END_OF_9998).contains(&ts) {
        return Err(ApiError::validation(
            field,
            format!("{field} must fall between 1970 and 9998"),
        ));
    }
    Ok(())
}

/// An optional RFC 3339 time from a query string (400 naming the field).
pub fn query_time(field: &str, value: Option<&str>) -> Result<Option<OffsetDateTime>, ApiError> {
    value
        .filter(|v| !v.is_empty())
        .map(|v| {
            OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339).map_err(|e| {
                ApiError::bad_request(format!(
                    "{field} must be an RFC 3339 time such as 2026-11-24T09:00:00Z ({e})"
                ))
                .with_field(field)
            })
        })
        .transpose()
}

pub fn window(starts_at: OffsetDateTime, ends_at: OffsetDateTime) -> Result<(), ApiError> {
    instant("starts_at", starts_at)?;
    instant("ends_at", ends_at)?;
    if ends_at <= starts_at {
        return Err(ApiError::validation(
            "ends_at",
            "ends_at must be after starts_at",
        ));
    }
    Ok(())
}

pub const SIP_PASSWORD_MIN: usize = 8;
pub const SIP_PASSWORD_MAX: usize = 64;

/// A phone's SIP password: 8-64 printable ASCII characters (what phones can
/// be configured with) with a letter and a digit, neither the extension
/// number nor the published demo password.
pub fn sip_password(field: &str, value: &str, extension: &str) -> Result<String, ApiError> {
    let len = value.chars().count();
    if !(SIP_PASSWORD_MIN..=SIP_PASSWORD_MAX).contains(&len) {
        return Err(ApiError::validation(
            field,
            format!("{field} must be {SIP_PASSWORD_MIN} to {SIP_PASSWORD_MAX} characters"),
        ));
    }
    if !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::validation(
            field,
            format!("{field} may hold only printable ASCII characters without spaces"),
        ));
    }
    if !value.chars().any(|c| c.is_ascii_alphabetic()) || !value.chars().any(|c| c.is_ascii_digit())
    {
        return Err(ApiError::validation(
            field,
            format!("{field} needs at least one letter and one digit"),
        ));
    }
    if value == extension || value.eq_ignore_ascii_case(&format!("demo{extension}")) {
        return Err(ApiError::validation(
            field,
            format!("{field} must not be the extension number or its demo password"),
        ));
    }
    Ok(value.to_owned())
}

/// A host to reach: an IP address or a DNS name (letters, digits, `-`, dots).
pub fn host(field: &str, value: &str) -> Result<String, ApiError> {
    let value = text(field, value, 1, 253)?;
    if value.parse::<IpAddr>().is_ok() {
        return Ok(value);
    }
    let label_ok = |l: &str| {
        (1..=63).contains(&l.len())
            && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !l.starts_with('-')
            && !l.ends_with('-')
    };
    if !value.trim_end_matches('.').split('.').all(label_ok) {
        return Err(ApiError::validation(
            field,
            format!("{field} must be an IP address or a DNS name such as sip.carrier.example"),
        ));
    }
    Ok(value.to_ascii_lowercase())
}

/// An IP address or CIDR block, returned in canonical form.
pub fn address_range(field: &str, value: &str) -> Result<String, ApiError> {
    value
        .parse::<AddressRange>()
        .map(|r| r.to_string())
        .map_err(|reason| ApiError::validation(field, format!("{field}: {reason}")))
}

/// One IP address (no block), IPv4 seen through IPv6 taken as IPv4.
pub fn ip(field: &str, value: &str) -> Result<IpAddr, ApiError> {
    match value.trim().parse::<IpAddr>() {
        Ok(ip) if !ip.is_unspecified() => Ok(ip.to_canonical()),
        _ => Err(ApiError::validation(
            field,
            format!("{field} must be one IP address such as 203.0.113.7"),
        )),
    }
}

/// A number as dialled or presented: digits, `*` and `#`, an optional
/// leading `+`; `min..=32` characters (min 0 allows blank).
pub fn dial_string(field: &str, value: &str, min: usize) -> Result<String, ApiError> {
    let value = value.trim();
    let ok = value
        .chars()
        .enumerate()
        .all(|(i, c)| c.is_ascii_digit() || c == '*' || c == '#' || (i == 0 && c == '+'));
    if !ok || value.len() < min || value.len() > 32 {
        return Err(ApiError::validation(
            field,
            format!("{field} must be up to 32 digits (with `*`, `#` or a leading `+`)"),
        ));
    }
    Ok(value.to_owned())
}

/// A whole number within `range`.
pub fn int_in(
    field: &str,
    value: i64,
    range: std::ops::RangeInclusive<i64>,
) -> Result<i64, ApiError> {
    if !range.contains(&value) {
        return Err(ApiError::validation(
            field,
            format!(
                "{field} must be from {} to {}, got {value}",
                range.start(),
                range.end()
            ),
        ));
    }
    Ok(value)
}

/// A credential for another system (a carrier account): printable ASCII
/// without spaces, up to `max`; blank allowed.
pub fn credential(field: &str, value: Option<&str>, max: usize) -> Result<String, ApiError> {
    let value = value.unwrap_or("");
    if value.chars().count() > max || !value.chars().all(|c| c.is_ascii_graphic()) {
        return Err(ApiError::validation(
            field,
            format!("{field} may hold up to {max} printable ASCII characters without spaces"),
        ));
    }
    Ok(value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_counts_characters_and_trims() {
        assert_eq!(text("name", "  王芳 ", 1, 2).expect("two chars"), "王芳");
        assert_eq!(
            text("name", "   ", 1, 10)
                .expect_err("blank")
                .field
                .as_deref(),
            Some("name")
        );
        assert!(text("name", "王芳芳", 1, 2).is_err());
        assert!(text("name", "a\u{0}b", 1, 10).is_err());
    }

    #[test]
    fn formats() {
        assert!(extension("extension", "8001").is_ok());
        assert!(extension("extension", "80a1").is_err());
        assert_eq!(
            optional_extension("extension", Some(" ")).expect("blank"),
            None
        );
        assert!(phone("mobile", Some("+86 138-0013-8000")).is_ok());
        assert!(phone("mobile", Some("138x")).is_err());
        assert!(email("email", Some("a@b.cn")).is_ok());
        assert!(email("email", Some("a@b")).is_err());
        assert!(code("code", "ticket_type").is_ok());
        assert!(code("code", "Ticket Type").is_err());
        assert!(password("password", "abcdefg1").is_ok());
        assert!(password("password", "abcdefgh").is_err());
        assert!(password("password", "short1").is_err());
        let far = OffsetDateTime::parse(
            "9999-12-31T23:59:59-12:00",
            &time::format_description::well_known::Rfc3339,
        )
        .expect("parse");
        assert!(
            instant("t", far).is_err(),
            "no panic near the end of the calendar"
        );
        assert!(instant("t", time::macros::datetime!(9998-12-31 23:59:59 UTC)).is_ok());
    }

    #[test]
    fn switch_formats() {
        assert!(sip_password("password", "Str0ng-pass", "1001").is_ok());
        for weak in [
            "short1",
            "no digits here",
            "12345678",
            "demo1001",
            "DEMO1001",
            "pass word1",
        ] {
            assert!(sip_password("password", weak, "1001").is_err(), "{weak}");
        }
        assert!(sip_password("password", "10011001a", "10011001a").is_err());
        assert_eq!(
            host("host", "SIP.Carrier.example").expect("dns"),
            "sip.carrier.example"
        );
        assert!(host("host", "2001:db8::1").is_ok());
        for bad in ["-bad.example", "bad_host", "a..b", "x y"] {
            assert!(host("host", bad).is_err(), "{bad}");
        }
        assert_eq!(
            address_range("a", "10.0.0.0/8").expect("cidr"),
            "10.0.0.0/8"
        );
        assert!(address_range("a", "10.0.0.1/8").is_err());
        assert!(ip("address", "0.0.0.0").is_err());
        assert_eq!(
            ip("address", "::ffff:10.0.0.1")
                .expect("mapped")
                .to_string(),
            "10.0.0.1"
        );
        assert!(dial_string("did", "+8640080010", 1).is_ok());
        assert!(dial_string("did", "", 1).is_err());
        assert!(dial_string("caller_id", "", 0).is_ok());
        assert!(dial_string("did", "40+0", 1).is_err());
        assert!(int_in("port", 0, 1..=65535).is_err());
        assert!(credential("username", Some("acct 1"), 64).is_err());
    }
}
