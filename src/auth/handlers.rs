//! `/auth/*` and `/me`: the JSON front door of [`super::accounts`]. Each handler parses, checks
//! the per-address budget where a password is hashed, calls the domain function and serializes.

use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::accounts::{self, Credentials, Login, SELF_REGISTERED_ROLES};
use super::{phone_codes, AuthUser};
use crate::error::AppResult;
use crate::extract::ApiJson;
use crate::users::{check_password, NewUserRequest, UserView};
use crate::validate::{self, Checker};
use crate::AppState;

/// Spends one attempt of the caller's address budget: 429 before any password is hashed.
fn check_address(state: &AppState, req: &HttpRequest) -> AppResult<()> {
    state.limits.check(state.client_address(req))
}

pub async fn register(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> AppResult<HttpResponse> {
    let new = body.validate(&SELF_REGISTERED_ROLES)?;
    check_address(&state, &req)?;
    let public_url = state.config.mail.public_url.clone();
    let code_key = state.code_key.clone();
    let user = state
        .db(move |conn| accounts::register(conn, new, &public_url, &code_key))
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    email: Option<String>,
    phone: Option<String>,
    password: Option<String>,
}

impl LoginRequest {
    /// The account named by `email` or by `phone` (one of them), and the password.
    pub fn credentials(self) -> AppResult<Credentials> {
        let mut c = Checker::new();
        let login = match (self.email, self.phone) {
            (Some(email), None) => {
                Login::Email(c.required_text("email", Some(email), 1, 254).to_lowercase())
            }
            (None, Some(phone)) => Login::Phone(validate::phone(&mut c, "phone", Some(phone))),
            (Some(_), Some(_)) => {
                c.fail("phone", "give an email or a phone number, not both");
                Login::Email(String::new())
            }
            (None, None) => {
                c.fail("email", "an email or a phone number is required");
                Login::Email(String::new())
            }
        };
        let password = c.required("password", self.password);
        c.finish()?;
        Ok(Credentials { login, password })
    }
}

pub async fn login(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<LoginRequest>,
) -> AppResult<HttpResponse> {
    let credentials = body.credentials()?;
    check_address(&state, &req)?;
    let keys = state.tokens.clone();
    let max_delay = chrono::Duration::from_std(state.config.login_delay_max)
        .unwrap_or(chrono::Duration::seconds(60));
    let pair = state
        .db(move |conn| accounts::login(conn, &keys, credentials, max_delay))
        .await?;
    Ok(HttpResponse::Ok().json(pair))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneCodeRequest {
    phone: Option<String>,
}

/// `POST /auth/phone-codes`: a one-time code by WhatsApp to the account of this number. 202
/// whether or not the number has an account (see [`phone_codes`]).
pub async fn request_phone_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<PhoneCodeRequest>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let phone = validate::phone(&mut c, "phone", body.phone);
    c.finish()?;
    check_address(&state, &req)?;
    let key = state.code_key.clone();
    state
        .db(move |conn| phone_codes::request(conn, &key, &phone))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PhoneCodeVerify {
    phone: Option<String>,
    code: Option<String>,
}

/// `POST /auth/phone-codes/verify`: the code, posted back, signs in (the login's token pair)
/// and verifies the number. Each try spends the caller's address budget, so that codes cannot
/// be guessed across many numbers from one place.
pub async fn verify_phone_code(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<PhoneCodeVerify>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let phone = validate::phone(&mut c, "phone", body.phone);
    let code = c.required_text("code", body.code, 1, 16);
    c.finish()?;
    check_address(&state, &req)?;
    let keys = state.tokens.clone();
    let code_key = state.code_key.clone();
    let pair = state
        .db(move |conn| accounts::sign_in_with_code(conn, &keys, &code_key, &phone, &code))
        .await?;
    Ok(HttpResponse::Ok().json(pair))
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
    let keys = state.tokens.clone();
    let pair = state
        .db(move |conn| accounts::refresh(conn, &keys, &token))
        .await?;
    Ok(HttpResponse::Ok().json(pair))
}

/// Ends the sign-in the refresh token belongs to. Answers 204 whatever the token.
pub async fn logout(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<RefreshRequest>,
) -> AppResult<HttpResponse> {
    let token = body.token()?;
    state.db(move |conn| accounts::logout(conn, &token)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The caller, with the organizations they act for.
pub async fn me(state: web::Data<AppState>, caller: AuthUser) -> AppResult<HttpResponse> {
    let me = state.db(move |conn| accounts::me(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(me))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyEmailRequest {
    token: Option<String>,
}

/// The link of the verification email, posted back.
pub async fn verify_email(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<VerifyEmailRequest>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let token = c.required_text("token", body.token, 1, 200);
    c.finish()?;
    state
        .db(move |conn| accounts::verify_email(conn, &token))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// `POST /api/v1/me/verification-email`: a new verification link for the caller's address. 202;
/// 409 `already_verified`; 429 after three in an hour.
pub async fn resend_verification(
    state: web::Data<AppState>,
    caller: AuthUser,
) -> AppResult<HttpResponse> {
    let public_url = state.config.mail.public_url.clone();
    state
        .db(move |conn| accounts::resend_verification(conn, &caller, &public_url))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    email: Option<String>,
}

/// Queues a password-reset email if an active account has this address. Always 202.
pub async fn password_reset(
    state: web::Data<AppState>,
    ApiJson(body): ApiJson<PasswordResetRequest>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let email = c.required_text("email", body.email, 1, 254).to_lowercase();
    c.finish()?;
    let public_url = state.config.mail.public_url.clone();
    state
        .db(move |conn| accounts::request_password_reset(conn, &email, &public_url))
        .await?;
    Ok(HttpResponse::Accepted().finish())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    token: Option<String>,
    new_password: Option<String>,
}

/// Sets a new password with the token of a reset email, and signs the account out everywhere.
pub async fn password_reset_confirm(
    state: web::Data<AppState>,
    req: HttpRequest,
    ApiJson(body): ApiJson<PasswordResetConfirm>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let token = c.required_text("token", body.token, 1, 200);
    let new_password = match body.new_password {
        Some(new_password) => {
            check_password(&mut c, "new_password", &new_password);
            new_password
        }
        None => c.required("new_password", None),
    };
    c.finish()?;
    check_address(&state, &req)?;
    state
        .db(move |conn| accounts::confirm_password_reset(conn, &token, &new_password))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}
