//! Idempotency keys: a client that retries a request with the same `Idempotency-Key` gets the
//! first successful answer back instead of a second action.
//!
//! A key belongs to the account that used it. An operation that takes a key calls [`begin`] first
//! in its write transaction: the stored answer when the key already answered this request, 409
//! `idempotency_key_reused` when it answered another one, or the key reserved for this request
//! (so that a concurrent request with it waits on the row, then fails with [`KEY_RACE`]). When
//! the operation succeeds it stores its answer with [`store`], in the same transaction: the
//! answer exists only if the action does. A transaction that lost the race for its key asks
//! [`after_race`] for the winner's answer once it has been rolled back.
//!
//! Reading the header is the handler's business; [`Key::parse`] checks its value.

use diesel::prelude::*;
use sha2::{Digest, Sha256};

use crate::db::schema::idempotency_keys;
use crate::db::{is_unique_violation, now, DbConn};
use crate::error::{AppError, AppResult};

/// The longest key accepted.
pub const MAX_KEY: usize = 255;
/// The error code of a transaction that lost the race for its key (see [`after_race`]).
pub const KEY_RACE: &str = "idempotency_key_in_use";

/// A checked `Idempotency-Key`: 1 to [`MAX_KEY`] visible ASCII characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Key(String);

impl Key {
    /// The key in a header value (surrounding spaces ignored): 422 naming `Idempotency-Key`
    /// when it is not 1 to [`MAX_KEY`] visible ASCII characters.
    pub fn parse(raw: &[u8]) -> AppResult<Self> {
        let key = std::str::from_utf8(raw).ok().map(str::trim).filter(|k| {
            !k.is_empty() && k.len() <= MAX_KEY && k.chars().all(|ch| ch.is_ascii_graphic())
        });
        key.map(|k| Key(k.to_owned())).ok_or_else(|| {
            AppError::invalid_field(
                "Idempotency-Key",
                format!("must be 1 to {MAX_KEY} visible ASCII characters"),
            )
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The fingerprint of a request as validated (SHA-256 of its canonical JSON): a retry with the
/// same key must match it.
pub fn fingerprint(request: &serde_json::Value) -> String {
    Sha256::digest(request.to_string().as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The first answer to a key, replayed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub status: u16,
    /// The JSON body as sent the first time.
    pub body: String,
}

/// The stored answer to `key` of this user, if it has one: refused when the key answered
/// another request.
fn stored(
    conn: &mut DbConn,
    user_id: &str,
    key: &Key,
    request_hash: &str,
) -> AppResult<Option<Stored>> {
    let found: Option<(String, i32, String)> = idempotency_keys::table
        .find((user_id, key.as_str()))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    match found {
        None => Ok(None),
        Some((hash, _, _)) if hash != request_hash => Err(AppError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was used for another request; use a new key",
        )),
        Some((_, status, body)) => Ok(Some(Stored {
            status: u16::try_from(status).unwrap_or(201),
            body,
        })),
    }
}

/// In the operation's write transaction, first: the stored answer to replay, or `None` with the
/// key now reserved for this request. A concurrent request holding the key fails the
/// transaction with [`KEY_RACE`].
pub fn begin(
    conn: &mut DbConn,
    user_id: &str,
    key: &Key,
    request_hash: &str,
) -> AppResult<Option<Stored>> {
    if let Some(answer) = stored(conn, user_id, key, request_hash)? {
        return Ok(Some(answer));
    }
    let reserved = diesel::insert_into(idempotency_keys::table)
        .values((
            idempotency_keys::user_id.eq(user_id),
            idempotency_keys::key.eq(key.as_str()),
            idempotency_keys::request_hash.eq(request_hash),
            idempotency_keys::response_status.eq(0),
            idempotency_keys::response_body.eq(""),
            idempotency_keys::created_at.eq(now()),
        ))
        .execute(conn);
    match reserved {
        Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
            KEY_RACE,
            "a request with this Idempotency-Key is in progress",
        )),
        other => other.map(|_| None).map_err(Into::into),
    }
}

/// In the same transaction, once the operation succeeded: the answer to replay.
pub fn store(
    conn: &mut DbConn,
    user_id: &str,
    key: &Key,
    status: u16,
    body: &str,
) -> QueryResult<()> {
    diesel::update(idempotency_keys::table.find((user_id, key.as_str())))
        .set((
            idempotency_keys::response_status.eq(i32::from(status)),
            idempotency_keys::response_body.eq(body),
        ))
        .execute(conn)?;
    Ok(())
}

/// After a transaction failed with [`KEY_RACE`] and was rolled back: the answer of the request
/// that held the key, which has committed by now (or the error itself when it did not).
pub fn after_race(
    conn: &mut DbConn,
    user_id: &str,
    key: &Key,
    request_hash: &str,
    error: AppError,
) -> AppResult<Stored> {
    stored(conn, user_id, key, request_hash)?.ok_or(error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_visible_ascii_of_bounded_length() {
        assert_eq!(Key::parse(b" abc-1 ").unwrap().as_str(), "abc-1");
        for bad in [&b""[..], b"   ", b"a b", b"\xff", "ключ".as_bytes()] {
            assert_eq!(Key::parse(bad).unwrap_err().status.as_u16(), 422);
        }
        assert!(Key::parse(&[b'k'; MAX_KEY]).is_ok());
        assert!(Key::parse(&[b'k'; MAX_KEY + 1]).is_err());
    }

    #[test]
    fn fingerprints_are_hex_sha256() {
        let a = fingerprint(&serde_json::json!({"a": 1}));
        assert_eq!(a.len(), 64);
        assert_ne!(a, fingerprint(&serde_json::json!({"a": 2})));
    }
}
