//! Digest authentication for REGISTER and INVITE (RFC 3261 §22, RFC 8760 for
//! SHA-256, RFC 7616 for qop/nc). rsipstack's own `verify_digest` compares
//! with `==`; this module compares in constant time and owns the nonce life
//! cycle: a nonce expires, and with qop=auth its nonce-count must increase,
//! so a captured request cannot be replayed.

use std::collections::HashMap;

use md5::Md5;
use sb_core::SipSecret;
use sb_core::secret::{constant_time_eq, hex};
use sha2::{Digest, Sha256};

use crate::error::SipError;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Algorithm {
    Md5,
    Sha256,
}

impl Algorithm {
    pub fn token(self) -> &'static str {
        match self {
            Algorithm::Md5 => "MD5",
            Algorithm::Sha256 => "SHA-256",
        }
    }

    fn hash(self, input: &str) -> String {
        match self {
            Algorithm::Md5 => hex(&Md5::digest(input.as_bytes())),
            Algorithm::Sha256 => hex(&Sha256::digest(input.as_bytes())),
        }
    }
}

/// The parameters of an `Authorization` / `Proxy-Authorization` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DigestResponse {
    pub username: String,
    pub realm: String,
    pub nonce: String,
    pub uri: String,
    pub response: String,
    pub algorithm: Algorithm,
    pub qop: Option<String>,
    pub nc: Option<String>,
    pub cnonce: Option<String>,
}

impl DigestResponse {
    /// Parses `Digest username="1001", realm="...", ...`. Unknown parameters
    /// are ignored (RFC 3261 §25.1 allows extensions); missing required ones
    /// and unknown algorithms are errors.
    pub fn parse(value: &str) -> Result<DigestResponse, SipError> {
        let rest = value.trim_start();
        let scheme_len = rest.find(char::is_whitespace).unwrap_or(rest.len());
        if !rest[..scheme_len].eq_ignore_ascii_case("digest") {
            return Err(SipError::BadCredentials("scheme is not Digest"));
        }
        let params = parse_params(&rest[scheme_len..])?;
        let take = |name: &'static str| -> Result<String, SipError> {
            params
                .get(name)
                .cloned()
                .ok_or(SipError::BadCredentials(name))
        };
        let algorithm = match params.get("algorithm").map(String::as_str) {
            None => Algorithm::Md5,
            Some(a) if a.eq_ignore_ascii_case("MD5") => Algorithm::Md5,
            Some(a) if a.eq_ignore_ascii_case("SHA-256") => Algorithm::Sha256,
            Some(_) => return Err(SipError::BadCredentials("algorithm")),
        };
        let qop = params.get("qop").cloned();
        if qop.as_deref().is_some_and(|q| q != "auth") {
            return Err(SipError::BadCredentials("qop"));
        }
        let response = DigestResponse {
            username: take("username")?,
            realm: take("realm")?,
            nonce: take("nonce")?,
            uri: take("uri")?,
            response: take("response")?,
            algorithm,
            nc: params.get("nc").cloned(),
            cnonce: params.get("cnonce").cloned(),
            qop,
        };
        if response.qop.is_some() && (response.nc.is_none() || response.cnonce.is_none()) {
            return Err(SipError::BadCredentials("nc"));
        }
        Ok(response)
    }

    /// Whether the response proves knowledge of the secret for `method`.
    pub fn proves(&self, secret: &SipSecret, method: &str) -> bool {
        let ha1 = match self.algorithm {
            Algorithm::Md5 => &secret.ha1_md5,
            Algorithm::Sha256 => &secret.ha1_sha256,
        };
        let ha2 = self.algorithm.hash(&format!("{method}:{}", self.uri));
        let expected = match (&self.qop, &self.nc, &self.cnonce) {
            (Some(qop), Some(nc), Some(cnonce)) => self
                .algorithm
                .hash(&format!("{ha1}:{}:{nc}:{cnonce}:{qop}:{ha2}", self.nonce)),
            _ => self.algorithm.hash(&format!("{ha1}:{}:{ha2}", self.nonce)),
        };
        constant_time_eq(
            expected.as_bytes(),
            self.response.to_ascii_lowercase().as_bytes(),
        )
    }
}

fn parse_params(mut rest: &str) -> Result<HashMap<String, String>, SipError> {
    let mut params = HashMap::new();
    loop {
        rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == ',');
        if rest.is_empty() {
            return Ok(params);
        }
        let eq = rest
            .find('=')
            .ok_or(SipError::BadCredentials("parameter"))?;
        let name = rest[..eq].trim().to_ascii_lowercase();
        rest = rest[eq + 1..].trim_start();
        let value;
        if let Some(quoted) = rest.strip_prefix('"') {
            let mut out = String::new();
            let mut chars = quoted.char_indices();
            let mut end = None;
            while let Some((i, c)) = chars.next() {
                match c {
                    '\\' => {
                        if let Some((_, escaped)) = chars.next() {
                            out.push(escaped);
                        }
                    }
                    '"' => {
                        end = Some(i);
                        break;
                    }
                    c => out.push(c),
                }
            }
            let end = end.ok_or(SipError::BadCredentials("unterminated quote"))?;
            value = out;
            rest = &quoted[end + 1..];
        } else {
            let end = rest.find(',').unwrap_or(rest.len());
            value = rest[..end].trim().to_owned();
            rest = &rest[end..];
        }
        if params.len() >= 32 {
            return Err(SipError::BadCredentials("too many parameters"));
        }
        params.insert(name, value);
    }
}

/// Why a digest was not accepted, so the caller can answer with the right
/// challenge (`stale=true` lets a phone retry without asking its user).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NonceCheck {
    Fresh,
    Stale,
    Unknown,
    Replayed,
}

#[derive(Debug)]
struct NonceState {
    issued_at: u64,
    /// Highest nonce-count accepted; 0 = unused.
    last_nc: u32,
}

/// Nonces issued by this node. Bounded: under a flood of unauthenticated
/// requests the oldest nonces are forgotten first, never memory.
#[derive(Debug)]
pub struct NonceStore {
    lifetime_ms: u64,
    capacity: usize,
    nonces: HashMap<String, NonceState>,
}

impl NonceStore {
    pub fn new(lifetime_ms: u64, capacity: usize) -> NonceStore {
        NonceStore {
            lifetime_ms,
            capacity: capacity.max(1),
            nonces: HashMap::new(),
        }
    }

    pub fn issue(&mut self, now: u64, random: [u8; 16]) -> String {
        if self.nonces.len() >= self.capacity {
            self.sweep(now);
        }
        if self.nonces.len() >= self.capacity
            && let Some(oldest) = self
                .nonces
                .iter()
                .min_by_key(|(_, s)| s.issued_at)
                .map(|(n, _)| n.clone())
        {
            self.nonces.remove(&oldest);
        }
        let nonce = hex(&random);
        self.nonces.insert(
            nonce.clone(),
            NonceState {
                issued_at: now,
                last_nc: 0,
            },
        );
        nonce
    }

    /// Checks and consumes a use of `nonce` with nonce-count `nc` (hex, as
    /// sent; `None` without qop, where a nonce is good for one request).
    pub fn check(&mut self, now: u64, nonce: &str, nc: Option<&str>) -> NonceCheck {
        let Some(state) = self.nonces.get_mut(nonce) else {
            return NonceCheck::Unknown;
        };
        if now.saturating_sub(state.issued_at) > self.lifetime_ms {
            self.nonces.remove(nonce);
            return NonceCheck::Stale;
        }
        let count = match nc {
            Some(nc) => match u32::from_str_radix(nc, 16) {
                Ok(count) if count > 0 => count,
                _ => return NonceCheck::Replayed,
            },
            None => 1,
        };
        if count <= state.last_nc || (nc.is_none() && state.last_nc > 0) {
            return NonceCheck::Replayed;
        }
        state.last_nc = count;
        NonceCheck::Fresh
    }

    pub fn sweep(&mut self, now: u64) {
        let lifetime = self.lifetime_ms;
        self.nonces
            .retain(|_, s| now.saturating_sub(s.issued_at) <= lifetime);
    }

    pub fn len(&self) -> usize {
        self.nonces.len()
    }

    pub fn is_empty(&self) -> bool {
        self.nonces.is_empty()
    }
}

/// The `WWW-Authenticate` / `Proxy-Authenticate` values for a challenge,
/// one per offered algorithm, in the order given (RFC 8760 §2.4: most
/// preferred first).
pub fn challenges(realm: &str, nonce: &str, stale: bool, offer: &[Algorithm]) -> Vec<String> {
    let stale = if stale { ", stale=true" } else { "" };
    offer
        .iter()
        .map(|algorithm| {
            format!(
                "Digest realm=\"{realm}\", nonce=\"{nonce}\", algorithm={}, qop=\"auth\"{stale}",
                algorithm.token()
            )
        })
        .collect()
}

impl std::str::FromStr for Algorithm {
    type Err = SipError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().as_str() {
            "md5" => Ok(Algorithm::Md5),
            "sha256" | "sha-256" => Ok(Algorithm::Sha256),
            _ => Err(SipError::BadCredentials("algorithm")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn secret() -> SipSecret {
        SipSecret::derive("1001", "switchboard", "demo1001")
    }

    fn answer(algorithm: Algorithm, nonce: &str, nc: &str) -> DigestResponse {
        let ha1 = match algorithm {
            Algorithm::Md5 => secret().ha1_md5,
            Algorithm::Sha256 => secret().ha1_sha256,
        };
        let ha2 = algorithm.hash("REGISTER:sip:switchboard");
        let response = algorithm.hash(&format!("{ha1}:{nonce}:{nc}:abc:auth:{ha2}"));
        DigestResponse::parse(&format!(
            "Digest username=\"1001\", realm=\"switchboard\", nonce=\"{nonce}\", \
             uri=\"sip:switchboard\", response=\"{response}\", algorithm={}, \
             qop=auth, nc={nc}, cnonce=\"abc\"",
            algorithm.token()
        ))
        .expect("well-formed")
    }

    #[test]
    fn rfc_2617_md5_example_verifies() {
        let header = r#"Digest username="Mufasa", realm="testrealm@host.com",
            nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="/dir/index.html",
            qop=auth, nc=00000001, cnonce="0a4f113b",
            response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41""#;
        let parsed = DigestResponse::parse(header).expect("parses");
        let secret = SipSecret::derive("Mufasa", "testrealm@host.com", "Circle Of Life");
        assert!(parsed.proves(&secret, "GET"));
        assert!(!parsed.proves(&secret, "POST"));
    }

    #[test]
    fn md5_and_sha256_with_qop_verify_and_wrong_password_fails() {
        for algorithm in [Algorithm::Md5, Algorithm::Sha256] {
            let response = answer(algorithm, "n1", "00000001");
            assert!(response.proves(&secret(), "REGISTER"));
            let wrong = SipSecret::derive("1001", "switchboard", "guess");
            assert!(!response.proves(&wrong, "REGISTER"));
        }
    }

    #[test]
    fn nonces_expire_and_counts_must_increase() {
        let mut store = NonceStore::new(60_000, 10);
        let nonce = store.issue(0, [7; 16]);
        assert_eq!(store.check(10, &nonce, Some("00000001")), NonceCheck::Fresh);
        assert_eq!(
            store.check(20, &nonce, Some("00000001")),
            NonceCheck::Replayed
        );
        assert_eq!(store.check(30, &nonce, Some("00000002")), NonceCheck::Fresh);
        assert_eq!(store.check(30, &nonce, Some("zz")), NonceCheck::Replayed);
        assert_eq!(
            store.check(70_000, &nonce, Some("00000003")),
            NonceCheck::Stale
        );
        assert_eq!(
            store.check(70_001, &nonce, Some("00000004")),
            NonceCheck::Unknown
        );
        let single = store.issue(0, [8; 16]);
        assert_eq!(store.check(1, &single, None), NonceCheck::Fresh);
        assert_eq!(store.check(2, &single, None), NonceCheck::Replayed);
    }

    #[test]
    fn the_store_is_bounded() {
        let mut store = NonceStore::new(60_000, 3);
        for i in 0..10u8 {
            store.issue(u64::from(i), [i; 16]);
        }
        assert_eq!(store.len(), 3);
    }

    #[test]
    fn malformed_headers_are_errors_not_panics() {
        for bad in [
            "",
            "Basic abc",
            "Digest",
            "Digest username=\"1001",
            "Digest username=1001, realm=r, nonce=n, uri=u, response=r, algorithm=SHA-512",
            "Digest username=1001, realm=r, nonce=n, uri=u, response=r, qop=auth",
            "Digest =,=,=",
            "Digest \u{7f}\u{0}",
        ] {
            assert!(DigestResponse::parse(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn challenges_offer_the_algorithms_in_the_chosen_order() {
        let both = challenges(
            "switchboard",
            "abc",
            true,
            &[Algorithm::Sha256, Algorithm::Md5],
        );
        assert!(both[0].contains("algorithm=SHA-256") && both[0].contains("stale=true"));
        assert!(both[1].contains("algorithm=MD5"));
        let md5 = challenges("switchboard", "abc", false, &[Algorithm::Md5]);
        assert_eq!(md5.len(), 1);
        assert!(md5[0].contains("algorithm=MD5") && !md5[0].contains("stale"));
        assert_eq!("SHA-256".parse::<Algorithm>(), Ok(Algorithm::Sha256));
        assert!("sha512".parse::<Algorithm>().is_err());
    }
}
