//! Access tokens (short-lived JWTs, HS256 pinned) and refresh tokens (random, stored only as
//! SHA-256 hashes, single-use, rotated within a family; a reused one revokes its family).

use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use rand::RngCore;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::Role;
use crate::db::schema::refresh_tokens;
use crate::db::{new_id, now, DbConn};
use crate::error::{AppError, AppResult};

const ISSUER: &str = "bursa";
const AUDIENCE: &str = "bursa-api";

#[derive(Debug, Serialize, Deserialize)]
pub struct Claims {
    pub sub: String,
    /// The role at issue; informational only: every request reads the current one.
    pub role: String,
    /// The user's token version at issue (see [`crate::users::User::token_version`]); tokens
    /// from before versions existed read as 0.
    #[serde(default)]
    pub ver: i32,
    pub iat: i64,
    pub exp: i64,
    pub iss: String,
    pub aud: String,
}

/// The keys and lifetimes of this service's tokens, built once at start-up.
pub struct TokenKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

impl TokenKeys {
    pub fn new(secret: &[u8], access_ttl: Duration, refresh_ttl: Duration) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.set_issuer(&[ISSUER]);
        validation.set_audience(&[AUDIENCE]);
        validation.set_required_spec_claims(&["exp", "iat", "sub", "iss", "aud"]);
        validation.leeway = 30;
        Self {
            encoding: EncodingKey::from_secret(secret),
            decoding: DecodingKey::from_secret(secret),
            validation,
            access_ttl,
            refresh_ttl,
        }
    }

    pub fn issue_access(&self, user_id: &str, role: Role, version: i32) -> AppResult<String> {
        let iat = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: user_id.to_owned(),
            role: role.as_str().to_owned(),
            ver: version,
            iat,
            exp: iat + self.access_ttl.as_secs() as i64,
            iss: ISSUER.to_owned(),
            aud: AUDIENCE.to_owned(),
        };
        jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &self.encoding)
            .map_err(AppError::internal)
    }

    /// The claims of a valid access token; any fault (signature, algorithm, expiry, issuer,
    /// audience, shape) is the same 401.
    pub fn verify_access(&self, token: &str) -> AppResult<Claims> {
        jsonwebtoken::decode::<Claims>(token, &self.decoding, &self.validation)
            .map(|data| data.claims)
            .map_err(|_| AppError::invalid_token())
    }
}

/// A fresh random token (256 bits), URL-safe.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

/// How a token is stored: its SHA-256, hex. The token has 256 random bits, so a fast hash
/// suffices; the database never holds a usable token.
pub fn token_hash(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    digest.iter().map(|b| format!("{b:02x}")).collect()
}

#[derive(Queryable, Selectable)]
#[diesel(table_name = refresh_tokens)]
struct RefreshToken {
    id: String,
    user_id: String,
    family_id: String,
    expires_at: NaiveDateTime,
    used_at: Option<NaiveDateTime>,
    revoked_at: Option<NaiveDateTime>,
}

/// Stores a new refresh token of `family` for `user_id` and returns it.
pub fn create_refresh(
    conn: &mut DbConn,
    user_id: &str,
    family_id: &str,
    ttl: Duration,
) -> QueryResult<String> {
    let token = random_token();
    let created_at = now();
    let expires_at = created_at + chrono::Duration::seconds(ttl.as_secs() as i64);
    diesel::insert_into(refresh_tokens::table)
        .values((
            refresh_tokens::id.eq(new_id()),
            refresh_tokens::user_id.eq(user_id),
            refresh_tokens::family_id.eq(family_id),
            refresh_tokens::token_hash.eq(token_hash(&token)),
            refresh_tokens::created_at.eq(created_at),
            refresh_tokens::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok(token)
}

pub enum Rotation {
    /// The token was valid: here is its user and the replacement.
    Rotated { user_id: String, token: String },
    /// Unknown, expired or revoked.
    Invalid,
    /// Already used: someone replayed it, so its whole family has been revoked.
    Reused,
}

/// Uses up `token` and issues its successor in the same family. Runs inside the caller's
/// transaction. The conditional update makes two racing uses of one token count as a reuse.
pub fn rotate(conn: &mut DbConn, token: &str, ttl: Duration) -> QueryResult<Rotation> {
    let Some(stored) = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(token)))
        .select(RefreshToken::as_select())
        .first(conn)
        .optional()?
    else {
        return Ok(Rotation::Invalid);
    };
    let at = now();
    if stored.revoked_at.is_some() {
        return Ok(Rotation::Invalid);
    }
    if stored.used_at.is_some() {
        revoke_family(conn, &stored.family_id)?;
        return Ok(Rotation::Reused);
    }
    if stored.expires_at <= at {
        return Ok(Rotation::Invalid);
    }
    let claimed = diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::id.eq(&stored.id))
            .filter(refresh_tokens::used_at.is_null()),
    )
    .set(refresh_tokens::used_at.eq(at))
    .execute(conn)?;
    if claimed == 0 {
        revoke_family(conn, &stored.family_id)?;
        return Ok(Rotation::Reused);
    }
    let token = create_refresh(conn, &stored.user_id, &stored.family_id, ttl)?;
    Ok(Rotation::Rotated {
        user_id: stored.user_id,
        token,
    })
}

pub fn revoke_family(conn: &mut DbConn, family_id: &str) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::family_id.eq(family_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)
}

/// Revokes the family `token` belongs to (logout). Unknown tokens are ignored.
pub fn revoke_family_of(conn: &mut DbConn, token: &str) -> QueryResult<()> {
    let family: Option<String> = refresh_tokens::table
        .filter(refresh_tokens::token_hash.eq(token_hash(token)))
        .select(refresh_tokens::family_id)
        .first(conn)
        .optional()?;
    if let Some(family) = family {
        revoke_family(conn, &family)?;
    }
    Ok(())
}

/// Revokes every refresh token of a user (account disabled, password changed).
pub fn revoke_all_of_user(conn: &mut DbConn, user_id: &str) -> QueryResult<usize> {
    diesel::update(
        refresh_tokens::table
            .filter(refresh_tokens::user_id.eq(user_id))
            .filter(refresh_tokens::revoked_at.is_null()),
    )
    .set(refresh_tokens::revoked_at.eq(now()))
    .execute(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(secret: &[u8]) -> TokenKeys {
        TokenKeys::new(secret, Duration::from_secs(900), Duration::from_secs(3600))
    }

    #[test]
    fn access_tokens_round_trip_and_reject_other_keys() {
        let keys_a = keys(b"0123456789abcdef0123456789abcdef");
        let keys_b = keys(b"fedcba9876543210fedcba9876543210");
        let token = keys_a.issue_access("u1", Role::Employer, 3).unwrap();
        let claims = keys_a.verify_access(&token).unwrap();
        assert_eq!(
            (claims.sub.as_str(), claims.role.as_str()),
            ("u1", "employer")
        );
        assert_eq!(claims.exp - claims.iat, 900);
        assert_eq!(claims.ver, 3);
        assert!(keys_b.verify_access(&token).is_err());
    }

    #[test]
    fn random_tokens_are_long_url_safe_and_distinct() {
        let (a, b) = (random_token(), random_token());
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert!(a
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'));
        assert_eq!(token_hash("abc").len(), 64);
    }
}
