//! One-time codes sent by WhatsApp: they sign a person in by their phone number and prove the
//! number is theirs.
//!
//! A code is six random digits, good for [`CODE_TTL_MINUTES`] minutes, once. Only its HMAC is
//! stored, keyed with a secret derived from the token-signing secret: a million possible codes
//! are found from a plain hash at once, never from a keyed one. A newer code replaces the older
//! ones; a code dies after [`MAX_ATTEMPTS`] wrong tries; a number is sent at most
//! [`MAX_CODES_PER_HOUR`] codes an hour and one a minute. Asking for a code answers the same
//! whether or not the number has an account, so that the route tells nobody which numbers do.
//! The code itself is never logged; its outbox row loses its body once sent.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use rand::Rng;
use sha2::Sha256;

use crate::db::schema::{phone_codes, users as users_table};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::users::{self, User};
use crate::whatsapp;

pub const CODE_TTL_MINUTES: i64 = 10;
/// Wrong tries a code survives; the next wrong one kills it.
pub const MAX_ATTEMPTS: i32 = 5;
pub const MAX_CODES_PER_HOUR: i64 = 5;
pub const MIN_SECONDS_BETWEEN_CODES: i64 = 60;
const PURPOSE_SIGN_IN: &str = "sign_in";

/// The key of the code hashes, derived from the token-signing secret so that no new setting is
/// needed and the two uses of the secret cannot be confused.
pub fn derive_key(jwt_secret: &[u8]) -> Vec<u8> {
    mac(jwt_secret, b"bursa phone codes v1")
}

fn mac(key: &[u8], message: &[u8]) -> Vec<u8> {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC-SHA256 takes keys of any length");
    mac.update(message);
    mac.finalize().into_bytes().to_vec()
}

/// How a code is stored: bound to its account, so that one hash says nothing of another's.
fn code_hash(key: &[u8], user_id: &str, code: &str) -> String {
    mac(key, format!("{user_id}:{code}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn new_code() -> String {
    format!("{:06}", rand::rng().random_range(0..1_000_000u32))
}

/// Issues a code for `user` and queues it by WhatsApp to their number, unless the number had a
/// code in the last minute or five in the last hour. `true` when one was sent. Run it in the
/// transaction of the action that asks for it.
pub fn issue_and_send(
    conn: &mut DbConn,
    key: &[u8],
    user: &User,
    at: NaiveDateTime,
) -> AppResult<bool> {
    let Some(phone) = &user.phone else {
        return Ok(false);
    };
    let recent: Vec<NaiveDateTime> = phone_codes::table
        .filter(phone_codes::user_id.eq(&user.id))
        .filter(phone_codes::created_at.gt(at - Duration::hours(1)))
        .select(phone_codes::created_at)
        .load(conn)?;
    let too_soon = recent
        .iter()
        .any(|t| *t > at - Duration::seconds(MIN_SECONDS_BETWEEN_CODES));
    if too_soon || recent.len() as i64 >= MAX_CODES_PER_HOUR {
        return Ok(false);
    }
    // Only the newest code works.
    diesel::update(
        phone_codes::table
            .filter(phone_codes::user_id.eq(&user.id))
            .filter(phone_codes::used_at.is_null())
            .filter(phone_codes::expires_at.gt(at)),
    )
    .set(phone_codes::expires_at.eq(at))
    .execute(conn)?;
    let code = new_code();
    diesel::insert_into(phone_codes::table)
        .values((
            phone_codes::id.eq(new_id()),
            phone_codes::user_id.eq(&user.id),
            phone_codes::code_hash.eq(code_hash(key, &user.id, &code)),
            phone_codes::purpose.eq(PURPOSE_SIGN_IN),
            phone_codes::created_at.eq(at),
            phone_codes::expires_at.eq(at + Duration::minutes(CODE_TTL_MINUTES)),
        ))
        .execute(conn)?;
    let message = whatsapp::Message::sign_in_code(phone, user.language(), &code);
    whatsapp::enqueue(conn, &message, at)?;
    Ok(true)
}

/// `POST /auth/phone-codes`: sends a code to the account of `phone`, if there is an active one
/// and its number is not over its budget. The same answer either way.
pub fn request(conn: &mut DbConn, key: &[u8], phone: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let at = now();
        match users::find_by_phone(conn, phone)? {
            Some(user) if user.disabled_at.is_none() => {
                let sent = issue_and_send(conn, key, &user, at)?;
                if !sent {
                    tracing::info!(user_id = %user.id, "phone code not sent: over the budget");
                }
            }
            _ => {}
        }
        Ok(())
    })
}

fn wrong_code(left: i32) -> AppError {
    AppError::new(
        actix_web::http::StatusCode::BAD_REQUEST,
        "code_wrong",
        format!("the code is wrong; {left} tries left"),
    )
}

fn expired_code() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::GONE,
        "code_expired",
        "no code is waiting for this number: it expired, was used or replaced; ask for a new one",
    )
}

fn exhausted_code() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::GONE,
        "code_exhausted",
        "too many wrong tries: this code no longer works; ask for a new one",
    )
}

enum Check {
    Right(Box<User>),
    Wrong(i32),
    Exhausted,
    NoCode,
}

/// Checks `code` for `phone`: the right one is used up, marks the number verified and returns
/// the account (the caller signs it in). A wrong one counts a try and is 400 `code_wrong`; the
/// last wrong try, and any after it, 410 `code_exhausted`; no live code (none asked, expired,
/// used, replaced, or no such account) 410 `code_expired`. A disabled account is 403.
pub fn verify(conn: &mut DbConn, key: &[u8], phone: &str, code: &str) -> AppResult<User> {
    // The transaction commits a wrong try too: the count must stick.
    let check = write_transaction(conn, |conn| {
        let at = now();
        let Some(user) = users::find_by_phone(conn, phone)? else {
            return Ok::<_, AppError>(Check::NoCode);
        };
        let live: Option<(String, String, i32)> = phone_codes::table
            .filter(phone_codes::user_id.eq(&user.id))
            .filter(phone_codes::used_at.is_null())
            .filter(phone_codes::expires_at.gt(at))
            .order(phone_codes::created_at.desc())
            .select((
                phone_codes::id,
                phone_codes::code_hash,
                phone_codes::attempts,
            ))
            .first(conn)
            .optional()?;
        let Some((id, hash, attempts)) = live else {
            return Ok(Check::NoCode);
        };
        if attempts >= MAX_ATTEMPTS {
            return Ok(Check::Exhausted);
        }
        if user.disabled_at.is_some() {
            return Err(AppError::forbidden("this account is disabled"));
        }
        let right = code.len() == 6 && code_hash(key, &user.id, code) == hash;
        if !right {
            diesel::update(phone_codes::table.find(&id))
                .set(phone_codes::attempts.eq(phone_codes::attempts + 1))
                .execute(conn)?;
            let left = MAX_ATTEMPTS - attempts - 1;
            return Ok(if left == 0 {
                Check::Exhausted
            } else {
                Check::Wrong(left)
            });
        }
        // Conditional, so that two simultaneous uses of one code succeed once.
        let used = diesel::update(
            phone_codes::table
                .find(&id)
                .filter(phone_codes::used_at.is_null()),
        )
        .set(phone_codes::used_at.eq(at))
        .execute(conn)?;
        if used != 1 {
            return Ok(Check::NoCode);
        }
        diesel::update(
            users_table::table
                .find(&user.id)
                .filter(users_table::phone_verified_at.is_null()),
        )
        .set(users_table::phone_verified_at.eq(at))
        .execute(conn)?;
        let user = users::find(conn, &user.id)?.ok_or_else(|| AppError::not_found("user"))?;
        Ok(Check::Right(Box::new(user)))
    })?;
    match check {
        Check::Right(user) => Ok(*user),
        Check::Wrong(left) => Err(wrong_code(left)),
        Check::Exhausted => Err(exhausted_code()),
        Check::NoCode => Err(expired_code()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_six_digits_and_their_hashes_are_keyed_and_bound_to_the_account() {
        for _ in 0..100 {
            let code = new_code();
            assert_eq!(code.len(), 6);
            assert!(code.bytes().all(|b| b.is_ascii_digit()));
        }
        let key = derive_key(b"a secret of at least thirty-two bytes!!");
        let other_key = derive_key(b"another secret of thirty-two bytes!!!!");
        assert_eq!(
            code_hash(&key, "u1", "123456"),
            code_hash(&key, "u1", "123456")
        );
        assert_ne!(
            code_hash(&key, "u1", "123456"),
            code_hash(&other_key, "u1", "123456")
        );
        assert_ne!(
            code_hash(&key, "u1", "123456"),
            code_hash(&key, "u2", "123456")
        );
        assert!(!code_hash(&key, "u1", "123456").contains("123456"));
    }
}
