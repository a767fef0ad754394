//! Password hashing: argon2id with the crate's defaults (19 MiB, 2 passes, 1 lane: OWASP's
//! recommendation), stored as PHC strings. Both functions are slow on purpose: call them off the
//! async workers (`web::block`).

use std::sync::LazyLock;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;

pub const MIN_LENGTH: usize = 10;
/// Bounds the work one request can ask of the hasher.
pub const MAX_LENGTH: usize = 256;

pub fn hash(password: &str) -> Result<String, String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|hash| hash.to_string())
        .map_err(|e| format!("password hashing failed: {e}"))
}

/// Whether `password` matches the stored PHC string. A malformed stored hash never matches.
pub fn verify(password: &str, stored: &str) -> bool {
    match PasswordHash::new(stored) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A hash that matches no password. Logins for unknown emails verify against it, so that they
/// take as long as a wrong password for a real account and reveal nothing.
static DUMMY_HASH: LazyLock<String> = LazyLock::new(|| {
    hash("no password matches this one").unwrap_or_else(|_| {
        "$argon2id$v=19$m=19456,t=2,p=1$c29tZXNhbHRzb21lc2FsdA$c2FtZWxlbmd0aGFzYXJlYWxoYXNoYWJjZGVmZ2g"
            .to_owned()
    })
});

/// Spends the same effort as a real verification, for an account that does not exist.
pub fn verify_dummy(password: &str) {
    let _ = verify(password, &DUMMY_HASH);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_argon2id_phc_strings_that_verify() {
        let stored = hash("correct horse battery").unwrap();
        assert!(stored.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
        assert!(verify("correct horse battery", &stored));
        assert!(!verify("wrong horse battery", &stored));
        assert!(!verify("anything", "not a phc string"));
    }
}
