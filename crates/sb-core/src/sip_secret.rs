//! SIP digest secrets (RFC 3261 §22.4, RFC 8760). The switch never stores a
//! phone's SIP password: it keeps HA1 = H(username ":" realm ":" password) for
//! MD5 and for SHA-256, which is all a registrar needs to check a digest.
//! HA1 is bound to the realm, so the realm it was derived for is kept beside it.

use md5::Md5;
use sha2::{Digest, Sha256};

use crate::secret::hex;

#[derive(Clone, PartialEq, Eq)]
pub struct SipSecret {
    pub realm: String,
    pub ha1_md5: String,
    pub ha1_sha256: String,
}

impl SipSecret {
    pub fn derive(username: &str, realm: &str, password: &str) -> SipSecret {
        let material = format!("{username}:{realm}:{password}");
        SipSecret {
            realm: realm.to_owned(),
            ha1_md5: hex(&Md5::digest(material.as_bytes())),
            ha1_sha256: hex(&Sha256::digest(material.as_bytes())),
        }
    }
}

impl std::fmt::Debug for SipSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SipSecret")
            .field("realm", &self.realm)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ha1_matches_rfc_2617_example_construction() {
        // RFC 2617 §3.5: Mufasa / testrealm@host.com / Circle Of Life.
        let secret = SipSecret::derive("Mufasa", "testrealm@host.com", "Circle Of Life");
        assert_eq!(secret.ha1_md5, "939e7578ed9e3c518a452acee763bce9");
        assert_eq!(secret.ha1_sha256.len(), 64);
        assert!(!format!("{secret:?}").contains(&secret.ha1_md5));
    }
}
