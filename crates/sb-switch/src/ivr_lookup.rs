//! The IVR's HTTP lookups (MISSION I4, I5): a flow asks a back-end about
//! the caller (order status, member check) and reads the answer's fields
//! back. Plain HTTP/1.1 through hyper's client; the parameters go in the
//! query string for GET and as a JSON object otherwise, and the answer must
//! be a JSON object whose top-level scalars become the flow's variables.

use std::collections::BTreeMap;
use std::time::Duration;

use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Bytes;
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A back-end's answer larger than this is refused: an IVR reads a few
/// fields, not documents.
const MAX_ANSWER_BYTES: usize = 64 * 1024;

#[derive(Clone)]
pub(crate) struct LookupClient {
    client: Client<HttpConnector, Full<Bytes>>,
}

impl std::fmt::Debug for LookupClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookupClient").finish_non_exhaustive()
    }
}

impl LookupClient {
    pub(crate) fn new() -> LookupClient {
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(Duration::from_secs(3)));
        LookupClient {
            client: Client::builder(TokioExecutor::new()).build(connector),
        }
    }

    /// The answer's fields, or why there are none.
    pub(crate) async fn fetch(
        &self,
        url: &str,
        method: &str,
        params: &BTreeMap<String, String>,
        timeout: Duration,
    ) -> Result<BTreeMap<String, String>, String> {
        match tokio::time::timeout(timeout, self.request(url, method, params)).await {
            Ok(result) => result,
            Err(_) => Err(format!("no answer within {} ms", timeout.as_millis())),
        }
    }

    async fn request(
        &self,
        url: &str,
        method: &str,
        params: &BTreeMap<String, String>,
    ) -> Result<BTreeMap<String, String>, String> {
        let method = hyper::Method::from_bytes(method.to_ascii_uppercase().as_bytes())
            .map_err(|_| format!("bad method {method}"))?;
        let (uri, body) = if method == hyper::Method::GET {
            let query = form_urlencoded::Serializer::new(String::new())
                .extend_pairs(params)
                .finish();
            let separator = if url.contains('?') { '&' } else { '?' };
            let uri = if query.is_empty() {
                url.to_owned()
            } else {
                format!("{url}{separator}{query}")
            };
            (uri, Bytes::new())
        } else {
            let body = serde_json::to_vec(params).map_err(|e| e.to_string())?;
            (url.to_owned(), Bytes::from(body))
        };
        let uri: hyper::Uri = uri.parse().map_err(|e| format!("bad URL {url}: {e}"))?;
        if uri.scheme_str() != Some("http") {
            return Err(format!("only http:// back-ends are supported, not {url}"));
        }
        let request = hyper::Request::builder()
            .method(method)
            .uri(uri)
            .header("content-type", "application/json")
            .header("accept", "application/json")
            .header("user-agent", "switchboard-ivr")
            .body(Full::new(body))
            .map_err(|e| e.to_string())?;
        let response = self
            .client
            .request(request)
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = response.status();
        let body = Limited::new(response.into_body(), MAX_ANSWER_BYTES)
            .collect()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?
            .to_bytes();
        if !status.is_success() {
            return Err(format!("back-end answered {status}"));
        }
        fields_of(&body)
    }
}

/// The top-level scalar fields of a JSON object, as text.
pub(crate) fn fields_of(body: &[u8]) -> Result<BTreeMap<String, String>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("the answer is not JSON: {e}"))?;
    let serde_json::Value::Object(object) = value else {
        return Err("the answer is not a JSON object".into());
    };
    Ok(object
        .into_iter()
        .filter_map(|(key, value)| {
            let text = match value {
                serde_json::Value::String(s) => s,
                serde_json::Value::Number(n) => n.to_string(),
                serde_json::Value::Bool(b) => b.to_string(),
                _ => return None,
            };
            Some((key, text))
        })
        .collect())
}
