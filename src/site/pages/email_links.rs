//! The pages behind the links Bursa emails: verifying an address (`/verify-email?token=`) and
//! a forgotten password (`/forgot-password`, `/reset-password?token=`). Opening a link uses
//! nothing (mail scanners fetch links); only the page's form does.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account::{address_check, frame};
use crate::auth::accounts;
use crate::site::{error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::check_password;
use crate::validate::Checker;
use crate::AppState;

/// The outcome of an emailed link: what happened and what to do next.
#[derive(Template)]
#[template(path = "account_notice.html")]
struct Notice {
    frame: Frame,
    heading: &'static str,
    text: &'static str,
    action_href: &'static str,
    action: &'static str,
    ok: bool,
}

fn notice(
    visitor: &Visitor,
    req: &HttpRequest,
    status: StatusCode,
    area: &str,
    action_href: &'static str,
    action: &str,
) -> HttpResponse {
    let lang = visitor.lang;
    let page = Notice {
        frame: frame(visitor, req, area),
        heading: i18n::text(lang, &format!("{area}.heading")),
        text: i18n::text(lang, &format!("{area}.text")),
        action_href,
        action: i18n::text(lang, action),
        ok: status.is_success(),
    };
    render(visitor, status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenQuery {
    token: String,
}

#[derive(Template)]
#[template(path = "verify_email.html")]
struct VerifyEmail {
    frame: Frame,
    token: String,
}

/// The emailed link: a page with a button. A GET uses nothing up (mail scanners open links).
pub async fn verify_email_form(
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<TokenQuery>,
) -> HttpResponse {
    if query.token.is_empty() {
        return verify_invalid(&visitor, &req);
    }
    let page = VerifyEmail {
        frame: frame(&visitor, &req, "verify"),
        token: query.token.clone(),
    };
    render(&visitor, StatusCode::OK, &page)
}

fn verify_invalid(visitor: &Visitor, req: &HttpRequest) -> HttpResponse {
    let (href, action) = if visitor.user.is_some() {
        ("/me", "verify_invalid.to_me")
    } else {
        ("/sign-in?next=/me", "nav.sign_in")
    };
    notice(
        visitor,
        req,
        StatusCode::GONE,
        "verify_invalid",
        href,
        action,
    )
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct TokenForm {
    csrf: String,
    token: String,
}

pub async fn verify_email(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<TokenForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let token = form.token;
    match state
        .db(move |conn| accounts::verify_email(conn, &token))
        .await
    {
        Ok(()) => {
            let (href, action) = if visitor.user.is_some() {
                ("/me", "verify_done.to_me")
            } else {
                ("/sign-in?next=/me", "nav.sign_in")
            };
            notice(&visitor, &req, StatusCode::OK, "verify_done", href, action)
        }
        Err(error) if error.status == StatusCode::GONE => verify_invalid(&visitor, &req),
        Err(error) => error_response(&visitor, &error),
    }
}

// ---------------------------------------------------------------------------------- passwords

#[derive(Template)]
#[template(path = "forgot_password.html")]
struct ForgotPassword {
    frame: Frame,
    sent: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SentQuery {
    sent: Option<String>,
}

pub async fn forgot_password_form(
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<SentQuery>,
) -> HttpResponse {
    let page = ForgotPassword {
        frame: frame(&visitor, &req, "forgot"),
        sent: query.sent.is_some(),
    };
    render(&visitor, StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct EmailForm {
    csrf: String,
    email: String,
}

/// Always the same answer, whether or not the address has an account.
pub async fn forgot_password(
    visitor: Visitor,
    state: web::Data<AppState>,
    form: web::Form<EmailForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let email = form.email.trim().to_lowercase();
    if !email.is_empty() && email.len() <= 254 {
        let public_url = state.config.mail.public_url.clone();
        if let Err(error) = state
            .db(move |conn| accounts::request_password_reset(conn, &email, &public_url))
            .await
        {
            return error_response(&visitor, &error);
        }
    }
    redirect("/forgot-password?sent=1")
}

#[derive(Template)]
#[template(path = "reset_password.html")]
struct ResetPassword {
    frame: Frame,
    token: String,
    notice: Option<&'static str>,
    password_error: Option<&'static str>,
    confirm_error: Option<&'static str>,
}

fn reset_invalid(visitor: &Visitor, req: &HttpRequest) -> HttpResponse {
    notice(
        visitor,
        req,
        StatusCode::GONE,
        "reset_invalid",
        "/forgot-password",
        "reset_invalid.again",
    )
}

pub async fn reset_password_form(
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<TokenQuery>,
) -> HttpResponse {
    if query.token.is_empty() {
        return reset_invalid(&visitor, &req);
    }
    let page = ResetPassword {
        frame: frame(&visitor, &req, "reset"),
        token: query.token.clone(),
        notice: None,
        password_error: None,
        confirm_error: None,
    };
    render(&visitor, StatusCode::OK, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ResetForm {
    csrf: String,
    token: String,
    password: String,
    confirm: String,
}

pub async fn reset_password(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ResetForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let lang = visitor.lang;
    let mut c = Checker::new();
    check_password(&mut c, "password", &form.password);
    let weak = c.finish().is_err();
    let mismatch = !weak && form.password != form.confirm;
    let mut notice_text = None;
    let mut status = StatusCode::UNPROCESSABLE_ENTITY;
    if !weak && !mismatch {
        let outcome = match address_check(&state, &req) {
            Ok(()) => {
                let (token, password) = (form.token.clone(), form.password);
                state
                    .db(move |conn| accounts::confirm_password_reset(conn, &token, &password))
                    .await
            }
            Err(error) => Err(error),
        };
        match outcome {
            Ok(()) => return redirect("/sign-in?reset=1"),
            Err(error) if error.status == StatusCode::GONE => return reset_invalid(&visitor, &req),
            Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => {
                status = error.status;
                notice_text = Some(i18n::text(lang, "account.too_many"));
            }
            Err(error) => return error_response(&visitor, &error),
        }
    }
    let page = ResetPassword {
        frame: frame(&visitor, &req, "reset"),
        token: form.token,
        notice: notice_text,
        password_error: weak.then(|| i18n::text(lang, "account.error_password")),
        confirm_error: mismatch.then(|| i18n::text(lang, "reset.mismatch")),
    };
    render(&visitor, status, &page)
}
