//! The account operations anyone can reach: registration (with its verification email), login,
//! token refresh, logout, email verification and password reset. Each is a domain function
//! taking the connection and a typed input; the JSON handlers ([`super::handlers`]) and later
//! the web pages call the same functions.
//!
//! Every front door calls [`super::throttle::AddressLimits::check`] before [`register`],
//! [`login`] and [`confirm_password_reset`]: they hash a password, which is slow on purpose, and
//! must be refused before that work when one address asks too often.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::email_tokens::{self, Purpose};
use super::tokens::{self, Rotation, TokenKeys};
use super::{password, phone_codes, throttle, AuthUser, Role};
use crate::db::schema::{login_throttles, users as users_table, web_sessions};
use crate::db::{now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::users::{self, User, ValidNewUser};
use crate::{mail, organizations};

/// Roles anyone may give themselves; `admin` and `ministry` accounts come from an admin.
pub const SELF_REGISTERED_ROLES: [Role; 3] = [Role::JobSeeker, Role::Employer, Role::Organizer];

/// Reset emails one account may be sent per hour; more requests are accepted and ignored, so
/// that nobody can flood a mailbox through this route.
const MAX_RESETS_PER_HOUR: i64 = 3;
/// Verification emails a signed-in user may ask for in an hour.
const MAX_VERIFICATIONS_PER_HOUR: i64 = 3;

/// Creates an account (its password hashed here) and, in the same transaction, queues what
/// proves its contacts: the verification email to its address, a one-time code by WhatsApp to
/// its phone. Self-registration passes [`SELF_REGISTERED_ROLES`] to the validation first; an
/// admin's creation goes through [`crate::users::manage::create_account`].
pub fn register(
    conn: &mut DbConn,
    new: ValidNewUser,
    public_url: &str,
    code_key: &[u8],
) -> AppResult<User> {
    let password_hash = password::hash(&new.password).map_err(AppError::internal)?;
    write_transaction(conn, |conn| {
        let user = users::create(conn, new, password_hash)?;
        queue_verification(conn, &user, public_url, user.created_at)?;
        phone_codes::issue_and_send(conn, code_key, &user, user.created_at)?;
        Ok(user)
    })
}

/// Issues a verification token and queues the email that carries its link, when the account
/// has an address. Run it in the transaction that creates (or changes) the address.
pub fn queue_verification(
    conn: &mut DbConn,
    user: &User,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Some(address) = &user.email else {
        return Ok(());
    };
    let token = email_tokens::issue(conn, &user.id, Purpose::VerifyEmail, at)?;
    let email = mail::render::verify_email(
        address,
        &user.full_name,
        user.language(),
        &format!("{public_url}/verify-email?token={token}"),
        email_tokens::VERIFY_EMAIL_TTL_HOURS,
    );
    mail::enqueue(conn, &email, at)?;
    Ok(())
}

/// A signed-in session: a short-lived access token and the refresh token that renews it.
#[derive(Debug, Serialize)]
pub struct TokenPair {
    pub access_token: String,
    pub refresh_token: String,
    pub token_type: &'static str,
    pub expires_in: u64,
}

fn token_pair(keys: &TokenKeys, user: &User, refresh_token: String) -> AppResult<TokenPair> {
    Ok(TokenPair {
        access_token: keys.issue_access(&user.id, user.role, user.token_version)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: keys.access_ttl.as_secs(),
    })
}

fn wrong_credentials() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the email, phone number or password is wrong",
    )
}

/// What names the account at sign-in.
pub enum Login {
    /// Lower-cased.
    Email(String),
    /// E.164 (see [`crate::validate::phone`]).
    Phone(String),
}

/// An account's email or phone number, and a password, as submitted.
pub struct Credentials {
    pub login: Login,
    pub password: String,
}

/// Signs in by email or phone number. An account in a throttling delay is 429 before its
/// password is checked; a wrong password counts towards the next delay; an unknown account costs the same hashing work and
/// leaves nothing stored (see [`throttle`]). The right password of a disabled account is 403.
pub fn login(
    conn: &mut DbConn,
    keys: &TokenKeys,
    credentials: Credentials,
    max_delay: chrono::Duration,
) -> AppResult<TokenPair> {
    let user = check_credentials(conn, credentials, max_delay)?;
    sign_in(conn, keys, &user)
}

/// A new session for `user`: its first refresh token, and an access token.
fn sign_in(conn: &mut DbConn, keys: &TokenKeys, user: &User) -> AppResult<TokenPair> {
    let refresh_token = write_transaction(conn, |conn| {
        tokens::create_refresh(conn, &user.id, &crate::db::new_id(), keys.refresh_ttl)
    })?;
    token_pair(keys, user, refresh_token)
}

/// Signs in with a one-time code sent by WhatsApp (see [`phone_codes::verify`]); the number is
/// verified by the same code.
pub fn sign_in_with_code(
    conn: &mut DbConn,
    keys: &TokenKeys,
    code_key: &[u8],
    phone: &str,
    code: &str,
) -> AppResult<TokenPair> {
    let user = phone_codes::verify(conn, code_key, phone, code)?;
    sign_in(conn, keys, &user)
}

/// The account of the credentials, with [`login`]'s throttling and answers, and no token: the
/// web pages start a browser session for it instead.
pub fn check_credentials(
    conn: &mut DbConn,
    credentials: Credentials,
    max_delay: chrono::Duration,
) -> AppResult<User> {
    let mut query = users_table::table
        .left_join(login_throttles::table)
        .into_boxed();
    query = match &credentials.login {
        Login::Email(email) => query.filter(users_table::email.eq(email)),
        Login::Phone(phone) => query.filter(users_table::phone.eq(phone)),
    };
    let found: Option<(User, Option<NaiveDateTime>)> = query
        .select((
            User::as_select(),
            login_throttles::next_attempt_at.nullable(),
        ))
        .first(conn)
        .optional()?;
    let Some((user, next_attempt_at)) = found else {
        // Unknown accounts cost the same hashing work as real ones: the timing tells nothing.
        password::verify_dummy(&credentials.password);
        return Err(wrong_credentials());
    };
    if let Some(seconds) = throttle::wait_for(next_attempt_at, now()) {
        return Err(AppError::too_many_requests(seconds));
    }
    if !password::verify(&credentials.password, &user.password_hash) {
        write_transaction(conn, |conn| {
            throttle::record_failure(conn, &user.id, now(), max_delay)
        })?;
        return Err(wrong_credentials());
    }
    if user.disabled_at.is_some() {
        return Err(AppError::forbidden("this account is disabled"));
    }
    write_transaction(conn, |conn| throttle::reset(conn, &user.id))?;
    Ok(user)
}

/// Renews a session: the refresh token is used up and replaced, and the new access token
/// carries the user's current role and token version. A reused token revokes its whole family;
/// a disabled account's tokens are all revoked.
pub fn refresh(conn: &mut DbConn, keys: &TokenKeys, token: &str) -> AppResult<TokenPair> {
    // The rotation commits even when it reports a reuse: the family's revocation must stick.
    let (rotation, user) = write_transaction(conn, |conn| {
        let rotation = tokens::rotate(conn, token, keys.refresh_ttl)?;
        let user = match &rotation {
            Rotation::Rotated { user_id, .. } => users::find(conn, user_id)?,
            _ => None,
        };
        if let Some(disabled) = user.as_ref().filter(|u| u.disabled_at.is_some()) {
            tokens::revoke_all_of_user(conn, &disabled.id)?;
        }
        Ok::<_, AppError>((rotation, user))
    })?;
    match (rotation, user) {
        (Rotation::Rotated { token, .. }, Some(user)) if user.disabled_at.is_none() => {
            token_pair(keys, &user, token)
        }
        (Rotation::Reused, _) => Err(AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "refresh_token_reused",
            "this refresh token was already used; every token of its sign-in is now revoked",
        )),
        _ => Err(AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "invalid_refresh_token",
            "the refresh token is unknown, expired or revoked",
        )),
    }
}

/// Ends the sign-in the refresh token belongs to; an unknown token is ignored, so that this
/// cannot probe for valid tokens.
pub fn logout(conn: &mut DbConn, token: &str) -> AppResult<()> {
    Ok(tokens::revoke_family_of(conn, token)?)
}

/// The caller and the organizations they act for.
#[derive(Serialize)]
pub struct Me {
    #[serde(flatten)]
    pub user: users::UserView,
    pub organizations: Vec<organizations::MembershipView>,
}

pub fn me(conn: &mut DbConn, caller: &AuthUser) -> AppResult<Me> {
    let user = users::find(conn, &caller.id)?
        .ok_or_else(|| AppError::unauthorized("this account no longer exists"))?;
    let memberships = organizations::memberships_of(conn, &caller.id)?;
    Ok(Me {
        user: user.into(),
        organizations: memberships,
    })
}

/// A link from an email that is unknown, used, expired or replaced by a newer one.
fn invalid_link() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::GONE,
        "link_invalid",
        "this link is unknown, used, expired or replaced by a newer one",
    )
}

/// The token of a verification email, posted back: the address is the account holder's.
pub fn verify_email(conn: &mut DbConn, token: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let at = now();
        let user_id = email_tokens::consume(conn, token, Purpose::VerifyEmail, at)?
            .ok_or_else(invalid_link)?;
        diesel::update(
            users_table::table
                .find(&user_id)
                .filter(users_table::email_verified_at.is_null()),
        )
        .set(users_table::email_verified_at.eq(at))
        .execute(conn)?;
        Ok(())
    })
}

/// A new verification link for the caller's address; the older links stop working. 409
/// `already_verified`; 429 after three in an hour (the one sent at registration included).
pub fn resend_verification(
    conn: &mut DbConn,
    caller: &AuthUser,
    public_url: &str,
) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let user = users::find(conn, &caller.id)?.ok_or_else(|| AppError::not_found("user"))?;
        if user.email.is_none() {
            return Err(AppError::conflict(
                "no_email",
                "this account has no email address; its phone is verified by a WhatsApp code",
            ));
        }
        if user.email_verified_at.is_some() {
            return Err(AppError::conflict(
                "already_verified",
                "the email address is verified already",
            ));
        }
        let at = now();
        let recent = email_tokens::issued_since(
            conn,
            &user.id,
            Purpose::VerifyEmail,
            at - chrono::Duration::hours(1),
        )?;
        if recent >= MAX_VERIFICATIONS_PER_HOUR {
            return Err(AppError::too_many_requests(3600));
        }
        queue_verification(conn, &user, public_url, at)
    })
}

/// Queues a password-reset email if an active account has this address, at most three an hour.
/// Whether or not it has, the outcome is the same: nothing tells which addresses have accounts.
pub fn request_password_reset(conn: &mut DbConn, email: &str, public_url: &str) -> AppResult<()> {
    write_transaction(conn, |conn| {
        let Some(user) = users::find_by_email(conn, email)? else {
            return Ok(());
        };
        let Some(address) = &user.email else {
            return Ok(());
        };
        let at = now();
        let recent = email_tokens::issued_since(
            conn,
            &user.id,
            Purpose::PasswordReset,
            at - chrono::Duration::hours(1),
        )?;
        if user.disabled_at.is_some() || recent >= MAX_RESETS_PER_HOUR {
            return Ok(());
        }
        let token = email_tokens::issue(conn, &user.id, Purpose::PasswordReset, at)?;
        let email = mail::render::password_reset(
            address,
            &user.full_name,
            user.language(),
            &format!("{public_url}/reset-password?token={token}"),
            email_tokens::PASSWORD_RESET_TTL_HOURS,
        );
        mail::enqueue(conn, &email, at)?;
        Ok(())
    })
}

/// Sets a new password with the token of a reset email and signs the account out everywhere:
/// every refresh token is revoked and every access token stops working (the token version
/// moves on) and every browser session ends. The address is verified by the same token; the login throttle is cleared.
pub fn confirm_password_reset(conn: &mut DbConn, token: &str, new_password: &str) -> AppResult<()> {
    let password_hash = password::hash(new_password).map_err(AppError::internal)?;
    write_transaction(conn, |conn| {
        let at = now();
        let user_id = email_tokens::consume(conn, token, Purpose::PasswordReset, at)?
            .ok_or_else(invalid_link)?;
        let user = users::find(conn, &user_id)?.ok_or_else(|| AppError::not_found("user"))?;
        diesel::update(users_table::table.find(&user_id))
            .set((
                users_table::password_hash.eq(password_hash),
                users_table::email_verified_at.eq(user.email_verified_at.or(Some(at))),
                users_table::token_version.eq(users_table::token_version + 1),
                users_table::updated_at.eq(at),
            ))
            .execute(conn)?;
        tokens::revoke_all_of_user(conn, &user_id)?;
        diesel::delete(web_sessions::table.filter(web_sessions::user_id.eq(&user_id)))
            .execute(conn)?;
        throttle::reset(conn, &user_id)?;
        Ok(())
    })
}
