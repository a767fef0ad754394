//! Single-use tokens sent by email: address verification and password reset. Random (256 bits),
//! stored only as their SHA-256 hash, expiring, and used up by a conditional update so that two
//! simultaneous uses of one token succeed once.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use super::tokens::{random_token, token_hash};
use crate::db::schema::email_tokens;
use crate::db::DbConn;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    VerifyEmail,
    PasswordReset,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::VerifyEmail => "verify_email",
            Purpose::PasswordReset => "password_reset",
        }
    }

    /// How long a token of this purpose works.
    pub fn ttl(self) -> Duration {
        match self {
            Purpose::VerifyEmail => Duration::hours(VERIFY_EMAIL_TTL_HOURS),
            Purpose::PasswordReset => Duration::hours(PASSWORD_RESET_TTL_HOURS),
        }
    }
}

pub const VERIFY_EMAIL_TTL_HOURS: i64 = 24;
pub const PASSWORD_RESET_TTL_HOURS: i64 = 1;

/// Stores a new token for `user_id` and returns it. Earlier unused tokens of the same purpose
/// stop working: only the newest email's link counts.
pub fn issue(
    conn: &mut DbConn,
    user_id: &str,
    purpose: Purpose,
    at: NaiveDateTime,
) -> QueryResult<String> {
    diesel::update(
        email_tokens::table
            .filter(email_tokens::user_id.eq(user_id))
            .filter(email_tokens::purpose.eq(purpose.as_str()))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(at)),
    )
    .set(email_tokens::expires_at.eq(at))
    .execute(conn)?;
    let token = random_token();
    diesel::insert_into(email_tokens::table)
        .values((
            email_tokens::token_hash.eq(token_hash(&token)),
            email_tokens::user_id.eq(user_id),
            email_tokens::purpose.eq(purpose.as_str()),
            email_tokens::created_at.eq(at),
            email_tokens::expires_at.eq(at + purpose.ttl()),
        ))
        .execute(conn)?;
    Ok(token)
}

/// How many tokens of `purpose` were issued to `user_id` since `since`.
pub fn issued_since(
    conn: &mut DbConn,
    user_id: &str,
    purpose: Purpose,
    since: NaiveDateTime,
) -> QueryResult<i64> {
    email_tokens::table
        .filter(email_tokens::user_id.eq(user_id))
        .filter(email_tokens::purpose.eq(purpose.as_str()))
        .filter(email_tokens::created_at.gt(since))
        .count()
        .get_result(conn)
}

/// Uses up a valid token of `purpose` and returns its user; `None` if it is unknown, of another
/// purpose, used, expired or superseded. Run it inside the transaction of what the token allows.
pub fn consume(
    conn: &mut DbConn,
    token: &str,
    purpose: Purpose,
    at: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let hash = token_hash(token);
    let taken = diesel::update(
        email_tokens::table
            .find(&hash)
            .filter(email_tokens::purpose.eq(purpose.as_str()))
            .filter(email_tokens::used_at.is_null())
            .filter(email_tokens::expires_at.gt(at)),
    )
    .set(email_tokens::used_at.eq(at))
    .execute(conn)?;
    if taken == 0 {
        return Ok(None);
    }
    email_tokens::table
        .find(&hash)
        .select(email_tokens::user_id)
        .first(conn)
        .map(Some)
}
