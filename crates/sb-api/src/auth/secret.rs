//! Random secrets (session ids, CSRF tokens, API tokens) and their stored
//! digests. Secrets are 256 bits from the OS; only SHA-256 digests are stored.

use argon2::password_hash::rand_core::{OsRng, RngCore};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

/// 32 random bytes, base64url without padding (43 characters).
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    OsRng.fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// Hex SHA-256 of a secret, as stored.
pub fn digest(secret: &str) -> String {
    let hash = Sha256::digest(secret.as_bytes());
    sb_core::secret::hex(&hash)
}

/// The prefix every API token carries, so leaked tokens are easy to spot.
pub const API_TOKEN_PREFIX: &str = "sbt_";

/// A new API token secret and the short prefix shown in lists.
pub fn new_api_token() -> (String, String) {
    let secret = format!("{API_TOKEN_PREFIX}{}", random_token());
    let shown = secret.chars().take(API_TOKEN_PREFIX.len() + 6).collect();
    (secret, shown)
}

/// A password for a first administrator: 16 characters without look-alikes
/// (0/O, 1/l/I), always with a letter and a digit so it meets the policy.
pub fn random_password() -> String {
    const LETTERS: &[u8] = b"abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ";
    const DIGITS: &[u8] = b"23456789";
    let mut bytes = [0u8; 16];
    OsRng.fill_bytes(&mut bytes);
    bytes
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let set = if i % 4 == 3 { DIGITS } else { LETTERS };
            char::from(set[usize::from(*b) % set.len()])
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_digests_stable() {
        let (a, b) = (random_token(), random_token());
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(
            digest("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let (secret, prefix) = new_api_token();
        assert!(secret.starts_with(&prefix) && prefix.starts_with("sbt_"));
        let password = random_password();
        assert!(
            crate::validate::password("password", &password).is_ok(),
            "{password}"
        );
    }
}
