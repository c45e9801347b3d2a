//! Password hashing with Argon2id (RFC 9106) at the crate's defaults
//! (19 MiB, 2 passes, 1 lane: the OWASP baseline). Hashing is slow on
//! purpose, so callers run it on the blocking pool.

use argon2::Argon2;
use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};

use crate::error::ApiError;

/// Hashes a password into a PHC string (`$argon2id$v=19$...`).
pub fn hash_password(password: &str) -> Result<String, ApiError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| ApiError::internal("password hashing failed", e))
}

/// True when `password` matches `phc`. A corrupt stored hash counts as a
/// mismatch (and is logged) rather than an error the caller could leak.
pub fn verify_password(password: &str, phc: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(e) => {
            tracing::error!(error = %e, "stored password hash is not a valid PHC string");
            false
        }
    }
}

/// Runs `hash_password` on the blocking pool.
pub async fn hash_password_blocking(password: String) -> Result<String, ApiError> {
    tokio::task::spawn_blocking(move || hash_password(&password))
        .await
        .map_err(|e| ApiError::internal("password hashing task failed", e))?
}

/// Runs `verify_password` on the blocking pool.
pub async fn verify_password_blocking(password: String, phc: String) -> bool {
    tokio::task::spawn_blocking(move || verify_password(&password, &phc))
        .await
        .unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_salted() {
        let a = hash_password("correct horse 1").expect("hash");
        let b = hash_password("correct horse 1").expect("hash");
        assert!(a.starts_with("$argon2id$"));
        assert_ne!(a, b, "each hash has its own salt");
        assert!(verify_password("correct horse 1", &a));
        assert!(!verify_password("correct horse 2", &a));
        assert!(!verify_password("anything", "not a phc string"));
    }
}
