//! The session cookie. Written by hand: one name, fixed attributes.

use axum::http::HeaderMap;
use axum::http::header::COOKIE;

pub const SESSION_COOKIE: &str = "sb_session";

/// The session id from the `Cookie` header(s), if present.
pub fn session_id(headers: &HeaderMap) -> Option<String> {
    headers
        .get_all(COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(name, _)| *name == SESSION_COOKIE)
        .map(|(_, value)| value.trim().to_owned())
        .filter(|v| !v.is_empty())
}

/// `Set-Cookie` for a new session. HttpOnly keeps it from scripts;
/// SameSite=Strict keeps other sites from sending it.
pub fn set_session(id: &str, max_age_secs: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!(
        "{SESSION_COOKIE}={id}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_secs}{secure}"
    )
}

pub fn clear_session(secure: bool) -> String {
    set_session("", 0, secure)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_session_among_other_cookies() {
        let mut h = HeaderMap::new();
        h.append(COOKIE, "a=1; sb_session=xyz; b=2".parse().expect("header"));
        assert_eq!(session_id(&h).as_deref(), Some("xyz"));
        let mut empty = HeaderMap::new();
        empty.append(COOKIE, "sb_session=".parse().expect("header"));
        assert_eq!(session_id(&empty), None);
        assert!(
            set_session("x", 60, true).contains("HttpOnly; SameSite=Strict; Max-Age=60; Secure")
        );
    }
}
