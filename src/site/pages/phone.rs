//! Signing in with a one-time code sent by WhatsApp (`/sign-in/code`): ask for a code for a
//! phone number, then enter it. The first code after signing up by phone lands here too; the
//! right code signs the browser in and verifies the number. The rules are in
//! [`crate::auth::phone_codes`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::account::{address_check, frame};
use crate::auth::phone_codes;
use crate::error::AppError;
use crate::site::session::{self, SESSION_COOKIE, SESSION_DAYS};
use crate::site::{error_response, i18n, redirect, render, Frame, Visitor};
use crate::validate::{self, Checker};
use crate::AppState;

#[derive(Template)]
#[template(path = "sign_in_code.html")]
struct CodePage {
    frame: Frame,
    phone: String,
    notice: Option<&'static str>,
    error: Option<&'static str>,
    phone_error: Option<&'static str>,
}

/// The code page for `phone`, with a notice (a catalogue key) such as "a code was sent".
pub(super) fn code_page(
    visitor: &Visitor,
    req: &HttpRequest,
    phone: String,
    notice: Option<&str>,
) -> HttpResponse {
    let page = CodePage {
        frame: frame(visitor, req, "code"),
        phone,
        notice: notice.map(|key| i18n::text(visitor.lang, key)),
        error: None,
        phone_error: None,
    };
    render(visitor, StatusCode::OK, &page)
}

pub async fn form(visitor: Visitor, req: HttpRequest) -> HttpResponse {
    if visitor.user.is_some() {
        return redirect("/me");
    }
    code_page(&visitor, &req, String::new(), None)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SendForm {
    csrf: String,
    phone: String,
}

/// Sends a code (if the number has an account and is within its budget: the page says the same
/// either way) and shows the form to enter it, the number filled in.
pub async fn send(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SendForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let mut c = Checker::new();
    let phone = validate::phone(&mut c, "phone", Some(form.phone.clone()));
    let outcome = match c.finish().and_then(|()| address_check(&state, &req)) {
        Ok(()) => {
            let key = state.code_key.clone();
            let number = phone.clone();
            state
                .db(move |conn| phone_codes::request(conn, &key, &number))
                .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => code_page(&visitor, &req, phone, Some("code.sent")),
        Err(error) => failed(&visitor, &req, form.phone, &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct VerifyForm {
    csrf: String,
    phone: String,
    code: String,
}

/// The code, posted back: the right one signs the browser in.
pub async fn verify(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<VerifyForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let mut c = Checker::new();
    let phone = validate::phone(&mut c, "phone", Some(form.phone.clone()));
    let code: String = form.code.chars().filter(|ch| !ch.is_whitespace()).collect();
    c.check(
        code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()),
        "code",
        "must be the six digits of the message",
    );
    let outcome = match c.finish().and_then(|()| address_check(&state, &req)) {
        Ok(()) => {
            let key = state.code_key.clone();
            state
                .db(move |conn| {
                    let user = phone_codes::verify(conn, &key, &phone, &code)?;
                    Ok(session::start(conn, &user.id)?)
                })
                .await
        }
        Err(error) => Err(error),
    };
    match outcome {
        Ok(token) => {
            let mut response = redirect("/me");
            let _ = response.add_cookie(&visitor.cookie(SESSION_COOKIE, token, Some(SESSION_DAYS)));
            response
        }
        Err(error) => failed(&visitor, &req, form.phone, &error),
    }
}

/// The page again, saying what went wrong and what to do.
fn failed(visitor: &Visitor, req: &HttpRequest, phone: String, error: &AppError) -> HttpResponse {
    let lang = visitor.lang;
    let on_field = |field: &str| error.details.iter().any(|d| d.field == field);
    let (status, message) = match (error.status.as_u16(), &*error.code) {
        (422, _) if on_field("phone") => (StatusCode::UNPROCESSABLE_ENTITY, None),
        (422, _) => (
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(i18n::text(lang, "code.error_code")),
        ),
        (_, "code_wrong") => (
            StatusCode::BAD_REQUEST,
            Some(i18n::text(lang, "code.error_wrong")),
        ),
        (_, "code_exhausted") => (
            StatusCode::GONE,
            Some(i18n::text(lang, "code.error_exhausted")),
        ),
        (_, "code_expired") => (
            StatusCode::GONE,
            Some(i18n::text(lang, "code.error_expired")),
        ),
        (403, _) => (
            StatusCode::FORBIDDEN,
            Some(i18n::text(lang, "sign_in.disabled")),
        ),
        (429, _) => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(i18n::text(lang, "account.too_many")),
        ),
        _ => return error_response(visitor, error),
    };
    let page = CodePage {
        frame: frame(visitor, req, "code"),
        phone,
        notice: None,
        error: message,
        phone_error: on_field("phone").then(|| i18n::text(lang, "account.error_phone")),
    };
    render(visitor, status, &page)
}
