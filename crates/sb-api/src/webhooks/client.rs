//! The POST of one delivery, and the rule for webhook URLs.
//!
//! Plain HTTP/1.1 only: no TLS stack is in the dependency tree yet (rustls
//! with ring would be the one to add), so `https://` URLs are refused when a
//! webhook is saved rather than failing at every delivery.

use std::time::Duration;

use http_body_util::Full;
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

use crate::error::ApiError;

use super::signature::{SIGNATURE_HEADER, sign};

/// Longest URL accepted.
const MAX_URL: usize = 2048;

/// Checks a webhook URL: `http://` with a host (422 naming `field` otherwise).
pub fn check_url(field: &str, url: &str) -> Result<String, ApiError> {
    let url = url.trim();
    if url.is_empty() {
        return Err(ApiError::validation(field, format!("{field} is required")));
    }
    if url.len() > MAX_URL {
        return Err(ApiError::validation(
            field,
            format!("{field} is longer than {MAX_URL} characters"),
        ));
    }
    let uri: hyper::Uri = url
        .parse()
        .map_err(|e| ApiError::validation(field, format!("{field} is not a URL: {e}")))?;
    match uri.scheme_str() {
        Some("http") => {}
        Some("https") => {
            return Err(ApiError::validation(
                field,
                "https URLs are not supported yet: this server sends webhooks over plain http \
                 (put a TLS-terminating relay in front of the receiver)",
            ));
        }
        _ => {
            return Err(ApiError::validation(
                field,
                format!("{field} must start with http://"),
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(ApiError::validation(
            field,
            format!("{field} must name a host"),
        ));
    }
    Ok(url.to_owned())
}

/// What came of one POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Attempted {
    /// The receiver answered with this status.
    Answered(u16),
    /// No answer: refused, reset, timed out, bad URL.
    NoAnswer(String),
}

impl Attempted {
    pub fn is_success(&self) -> bool {
        matches!(self, Attempted::Answered(status) if (200..300).contains(status))
    }

    pub fn status(&self) -> Option<u16> {
        match self {
            Attempted::Answered(status) => Some(*status),
            Attempted::NoAnswer(_) => None,
        }
    }

    /// Why it did not count as delivered ('' when it did).
    pub fn error(&self) -> String {
        match self {
            Attempted::Answered(status) if (200..300).contains(status) => String::new(),
            Attempted::Answered(status) => format!("the receiver answered HTTP {status}"),
            Attempted::NoAnswer(why) => why.clone(),
        }
    }
}

/// One delivery as it goes on the wire.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    pub url: &'a str,
    pub secret: &'a str,
    pub event_type: &'a str,
    pub delivery_id: i64,
    pub body: &'a str,
    pub unix_seconds: i64,
}

/// A pooled HTTP client; cheap to clone.
#[derive(Clone)]
pub struct WebhookClient {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for WebhookClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookClient").finish_non_exhaustive()
    }
}

impl Default for WebhookClient {
    fn default() -> Self {
        WebhookClient::new()
    }
}

impl WebhookClient {
    pub fn new() -> WebhookClient {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(5)));
        WebhookClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// POSTs `outgoing`, signed, and waits at most `timeout` for the status.
    pub async fn post(&self, outgoing: Outgoing<'_>, timeout: Duration) -> Attempted {
        match tokio::time::timeout(timeout, self.request(outgoing)).await {
            Ok(attempted) => attempted,
            Err(_) => Attempted::NoAnswer(format!("no answer within {} ms", timeout.as_millis())),
        }
    }

    async fn request(&self, outgoing: Outgoing<'_>) -> Attempted {
        let uri: hyper::Uri = match outgoing.url.parse() {
            Ok(uri) => uri,
            Err(e) => return Attempted::NoAnswer(format!("bad URL: {e}")),
        };
        if uri.scheme_str() != Some("http") {
            return Attempted::NoAnswer("only http:// receivers are supported".into());
        }
        let signature = sign(
            outgoing.secret,
            outgoing.unix_seconds,
            outgoing.body.as_bytes(),
        );
        let request = hyper::Request::builder()
            .method(hyper::Method::POST)
            .uri(uri)
            .header("content-type", "application/json")
            .header(
                "user-agent",
                concat!("Switchboard-Webhooks/", env!("CARGO_PKG_VERSION")),
            )
            .header("x-switchboard-event", outgoing.event_type)
            .header("x-switchboard-delivery", outgoing.delivery_id.to_string())
            .header(SIGNATURE_HEADER, signature)
            .body(Full::new(Bytes::copy_from_slice(outgoing.body.as_bytes())));
        let request = match request {
            Ok(request) => request,
            Err(e) => return Attempted::NoAnswer(format!("cannot build the request: {e}")),
        };
        match self.client.request(request).await {
            // The body is not read: only the status counts.
            Ok(response) => Attempted::Answered(response.status().as_u16()),
            Err(e) => Attempted::NoAnswer(error_chain(&e)),
        }
    }
}

/// `client error (Connect): tcp connect error: Connection refused`.
fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_http_urls_with_a_host_are_accepted() {
        assert_eq!(
            check_url("url", " http://crm.example:8080/hooks?x=1 ").ok(),
            Some("http://crm.example:8080/hooks?x=1".to_owned())
        );
        for bad in [
            "",
            "crm.example/hooks",
            "ftp://crm.example/",
            "https://crm.example/",
            "http:///x",
            "/relative",
        ] {
            let error = check_url("url", bad)
                .err()
                .unwrap_or_else(|| panic!("{bad} accepted"));
            assert_eq!(error.field.as_deref(), Some("url"), "{bad}");
        }
    }

    #[test]
    fn only_2xx_counts_as_delivered() {
        assert!(Attempted::Answered(204).is_success());
        assert!(!Attempted::Answered(301).is_success());
        assert_eq!(
            Attempted::Answered(500).error(),
            "the receiver answered HTTP 500"
        );
        assert_eq!(Attempted::NoAnswer("refused".into()).status(), None);
    }
}
