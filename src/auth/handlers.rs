//! `/auth/*` and `/me`: registration (with its verification email), login, token refresh,
//! logout, email verification and password reset.

use actix_web::{web, HttpResponse};
use serde::{Deserialize, Serialize};

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::email_tokens::{self, Purpose};
use super::tokens::{self, Rotation};
use super::{password, throttle, AuthUser, Role};
use crate::db::schema::users as users_table;
use crate::db::{now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::extract::ApiJson;
use crate::users::{self, NewUserRequest, UserView};
use crate::validate::Checker;
use crate::AppState;
use crate::{mail, organizations};

/// Roles anyone may give themselves; `admin` and `ministry` accounts come from an admin.
pub const SELF_REGISTERED_ROLES: [Role; 3] = [Role::JobSeeker, Role::Employer, Role::Organizer];

pub async fn register(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> AppResult<HttpResponse> {
    let new = body.validate(&SELF_REGISTERED_ROLES)?;
    let user = create_user(&state, new).await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}

/// Hashes the password on a blocking thread, then inserts the account and queues its
/// verification email, in one transaction.
pub async fn create_user(state: &AppState, new: users::ValidNewUser) -> AppResult<users::User> {
    let plain = new.password.clone();
    let password_hash = web::block(move || password::hash(&plain))
        .await?
        .map_err(AppError::internal)?;
    let public_url = state.config.mail.public_url.clone();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let user = users::create(conn, new, password_hash)?;
                queue_verification(conn, &user, &public_url, user.created_at)?;
                Ok::<_, AppError>(user)
            })
        })
        .await
}

/// Issues a verification token and queues the email that carries its link. Run it in the
/// transaction that creates (or changes) the address.
pub fn queue_verification(
    conn: &mut DbConn,
    user: &users::User,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let token = email_tokens::issue(conn, &user.id, Purpose::VerifyEmail, at)?;
    let email = mail::render::verify_email(
        &user.email,
        &user.full_name,
        user.language(),
        &format!("{public_url}/verify-email?token={token}"),
        email_tokens::VERIFY_EMAIL_TTL_HOURS,
    );
    mail::enqueue(conn, &email, at)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: Option<String>,
    password: Option<String>,
}

#[derive(Serialize)]
pub struct TokenPair {
    access_token: String,
    refresh_token: String,
    token_type: &'static str,
    expires_in: u64,
}

fn token_pair(state: &AppState, user: &users::User, refresh_token: String) -> AppResult<TokenPair> {
    Ok(TokenPair {
        access_token: state.tokens.issue_access(&user.id, user.role()?)?,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.tokens.access_ttl.as_secs(),
    })
}

fn wrong_credentials() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::UNAUTHORIZED,
        "invalid_credentials",
        "the email or password is wrong",
    )
}

pub async fn login(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let email = c.required_text("email", body.email, 1, 254).to_lowercase();
    let password = c.required("password", body.password);
    c.finish()?;

    let lookup_email = email.clone();
    let (user, locked_for) = state
        .db(move |conn| {
            let locked_for = throttle::locked_for(conn, &lookup_email, now())?;
            Ok((users::find_by_email(conn, &lookup_email)?, locked_for))
        })
        .await?;
    if let Some(seconds) = locked_for {
        return Err(AppError::too_many_requests(seconds));
    }
    // Unknown accounts cost the same hashing work as real ones: the timing tells nothing.
    let (user, matches) = web::block(move || match user {
        Some(user) => {
            let matches = password::verify(&password, &user.password_hash);
            (Some(user), matches)
        }
        None => {
            password::verify_dummy(&password);
            (None, false)
        }
    })
    .await?;
    let Some(user) = user.filter(|_| matches) else {
        state
            .db(move |conn| Ok(throttle::record_failure(conn, &email, now())?))
            .await?;
        return Err(wrong_credentials());
    };
    if user.disabled_at.is_some() {
        return Err(AppError::forbidden("this account is disabled"));
    }
    let ttl = state.tokens.refresh_ttl;
    let user_id = user.id.clone();
    let refresh_token = state
        .db(move |conn| {
            throttle::reset(conn, &email)?;
            Ok(tokens::create_refresh(
                conn,
                &user_id,
                &crate::db::new_id(),
                ttl,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(token_pair(&state, &user, refresh_token)?))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RefreshRequest {
    refresh_token: Option<String>,
}

impl RefreshRequest {
    fn token(self) -> AppResult<String> {
        let mut c = Checker::new();
        let token = c.required_text("refresh_token", self.refresh_token, 1, 200);
        c.finish()?;
        Ok(token)
    }
}

pub async fn refresh(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let token = body.token()?;
    let ttl = state.tokens.refresh_ttl;
    // The rotation commits even when it reports a reuse: the family's revocation must stick.
    let (rotation, user) = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let rotation = tokens::rotate(conn, &token, ttl)?;
                let user = match &rotation {
                    Rotation::Rotated { user_id, .. } => users::find(conn, user_id)?,
                    _ => None,
                };
                if let Some(disabled) = user.as_ref().filter(|u| u.disabled_at.is_some()) {
                    tokens::revoke_all_of_user(conn, &disabled.id)?;
                }
                Ok::<_, AppError>((rotation, user))
            })
        })
        .await?;
    match (rotation, user) {
        (Rotation::Rotated { token, .. }, Some(user)) if user.disabled_at.is_none() => {
            Ok(HttpResponse::Ok().json(token_pair(&state, &user, token)?))
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

/// Ends the sign-in the refresh token belongs to. Answers 204 whatever the token, so that it
/// cannot be used to probe for valid tokens.
pub async fn logout(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let token = body.token()?;
    state
        .db(move |conn| Ok(tokens::revoke_family_of(conn, &token)?))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

#[derive(Serialize)]
struct Me {
    #[serde(flatten)]
    user: UserView,
    organizations: Vec<organizations::MembershipView>,
}

/// The caller, with the organizations they act for.
pub async fn me(state: web::Data<AppState>, caller: AuthUser) -> AppResult<HttpResponse> {
    let (user, memberships) = state
        .db(move |conn| {
            let user = users::find(conn, &caller.id)?;
            let memberships = organizations::memberships_of(conn, &caller.id)?;
            Ok((user, memberships))
        })
        .await?;
    let user = user.ok_or_else(|| AppError::unauthorized("this account no longer exists"))?;
    Ok(HttpResponse::Ok().json(Me {
        user: user.into(),
        organizations: memberships,
    }))
}

/// A link from an email that is unknown, used, expired or replaced by a newer one.
fn invalid_link() -> AppError {
    AppError::new(
        actix_web::http::StatusCode::GONE,
        "link_invalid",
        "this link is unknown, used, expired or replaced by a newer one",
    )
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    token: Option<String>,
}

/// The link of the verification email, posted back: the address is the account holder's.
pub async fn verify_email(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<VerifyEmailRequest>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let token = c.required_text("token", body.token, 1, 200);
    c.finish()?;
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let at = now();
                let user_id = email_tokens::consume(conn, &token, Purpose::VerifyEmail, at)?
                    .ok_or_else(invalid_link)?;
                diesel::update(
                    users_table::table
                        .find(&user_id)
                        .filter(users_table::email_verified_at.is_null()),
                )
                .set(users_table::email_verified_at.eq(at))
                .execute(conn)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Reset emails one account may be sent per hour; more requests are accepted and ignored, so
/// that nobody can flood a mailbox through this route.
const MAX_RESETS_PER_HOUR: i64 = 3;
/// Verification emails a signed-in user may ask for in an hour.
const MAX_VERIFICATIONS_PER_HOUR: i64 = 3;

/// `POST /api/v1/me/verification-email`: a new verification link for the caller's address (the
/// last one may have expired or been lost); the older links stop working. 202; 409
/// `already_verified`; 429 after three in an hour (the one sent at registration included).
pub async fn resend_verification(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> AppResult<HttpResponse> {
    let public_url = state.config.mail.public_url.clone();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let user =
                    users::find(conn, &caller.id)?.ok_or_else(|| AppError::not_found("user"))?;
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
                queue_verification(conn, &user, &public_url, at)
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    email: Option<String>,
}

/// Queues a password-reset email if an active account has this address. Always 202, whether or
/// not it has: the answer tells nothing about which addresses have accounts.
pub async fn password_reset(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let email = c.required_text("email", body.email, 1, 254).to_lowercase();
    c.finish()?;
    let public_url = state.config.mail.public_url.clone();
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let Some(user) = users::find_by_email(conn, &email)? else {
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
                    &user.email,
                    &user.full_name,
                    user.language(),
                    &format!("{public_url}/reset-password?token={token}"),
                    email_tokens::PASSWORD_RESET_TTL_HOURS,
                );
                mail::enqueue(conn, &email, at)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    token: Option<String>,
    new_password: Option<String>,
}

/// Sets a new password with the token of a reset email, and signs the account out everywhere:
/// every refresh token is revoked. The address is verified by the same token.
pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<PasswordResetConfirm>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let token = c.required_text("token", body.token, 1, 200);
    let new_password = match body.new_password {
        Some(new_password) => {
            users::check_password(&mut c, "new_password", &new_password);
            new_password
        }
        None => c.required("new_password", None),
    };
    c.finish()?;
    let password_hash = web::block(move || password::hash(&new_password))
        .await?
        .map_err(AppError::internal)?;
    state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let at = now();
                let user_id = email_tokens::consume(conn, &token, Purpose::PasswordReset, at)?
                    .ok_or_else(invalid_link)?;
                let user =
                    users::find(conn, &user_id)?.ok_or_else(|| AppError::not_found("user"))?;
                diesel::update(users_table::table.find(&user_id))
                    .set((
                        users_table::password_hash.eq(password_hash),
                        users_table::email_verified_at.eq(user.email_verified_at.or(Some(at))),
                        users_table::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                tokens::revoke_all_of_user(conn, &user_id)?;
                throttle::reset(conn, &user.email)?;
                Ok::<_, AppError>(())
            })
        })
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
