//! The account pages: sign up (by email or by phone), sign in and out, `/me`. Each calls the
//! auth domain ([`crate::auth::accounts`]); a browser session ([`crate::site::session`])
//! replaces the API's bearer tokens. The pages behind emailed links are in
//! [`super::email_links`]; signing in with a WhatsApp code in [`super::phone`].

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::accounts::{self, Credentials, Login};
use crate::auth::Role;
use crate::error::{AppError, AppResult};
use crate::site::session::{self, CsrfForm, SESSION_COOKIE, SESSION_DAYS};
use crate::site::{error_response, i18n, local_path, redirect, render, Frame, Visitor};
use crate::users::{Language, NewUserRequest};
use crate::AppState;

pub(super) fn frame(visitor: &Visitor, req: &HttpRequest, area: &str) -> Frame {
    let lang = visitor.lang;
    Frame::new(
        visitor,
        req,
        i18n::text(lang, &format!("{area}.title")).to_owned(),
        i18n::text(lang, &format!("{area}.description")).to_owned(),
    )
}

/// The message shown next to a field the domain refused.
fn field_error(lang: Language, error: &AppError, field: &str) -> Option<&'static str> {
    if error.code == "email_taken" && field == "email" {
        return Some(i18n::text(lang, "account.error_email_taken"));
    }
    if error.code == "phone_taken" && field == "phone" {
        return Some(i18n::text(lang, "account.error_phone_taken"));
    }
    error
        .details
        .iter()
        .any(|d| d.field == field)
        .then(|| i18n::text(lang, &format!("account.error_{field}")))
}

pub(super) fn address_check(state: &AppState, req: &HttpRequest) -> AppResult<()> {
    state.limits.check(state.client_address(req))
}

/// A response that signs the browser in and goes to `to`.
fn signed_in(visitor: &Visitor, token: String, to: &str) -> HttpResponse {
    let mut response = redirect(to);
    let _ = response.add_cookie(&visitor.cookie(SESSION_COOKIE, token, Some(SESSION_DAYS)));
    response
}

// ---------------------------------------------------------------------------------- sign up

#[derive(Template)]
#[template(path = "sign_up.html")]
struct SignUp {
    frame: Frame,
    full_name: String,
    email: String,
    phone: String,
    /// The visitor chose to sign up with a phone number instead of an email.
    via_phone: bool,
    consent: bool,
    english: bool,
    notice: Option<&'static str>,
    full_name_error: Option<&'static str>,
    email_error: Option<&'static str>,
    phone_error: Option<&'static str>,
    password_error: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignUpForm {
    csrf: String,
    full_name: String,
    /// `email` (the default) or `phone`: which of the two fields counts.
    via: String,
    email: String,
    phone: String,
    /// The consent checkbox: present when ticked.
    whatsapp_consent: Option<String>,
    password: String,
    language: String,
}

pub async fn sign_up_form(visitor: Visitor, req: HttpRequest) -> HttpResponse {
    if visitor.user.is_some() {
        return redirect("/me");
    }
    let page = SignUp {
        frame: frame(&visitor, &req, "sign_up"),
        full_name: String::new(),
        email: String::new(),
        phone: String::new(),
        via_phone: false,
        consent: false,
        english: visitor.lang == Language::En,
        notice: None,
        full_name_error: None,
        email_error: None,
        phone_error: None,
        password_error: None,
    };
    render(&visitor, StatusCode::OK, &page)
}

pub async fn sign_up(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignUpForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let language = match form.language.as_str() {
        "en" => Language::En,
        _ => Language::Id,
    };
    let via_phone = form.via == "phone";
    let consent = form.whatsapp_consent.is_some();
    let request = NewUserRequest {
        email: (!via_phone).then(|| form.email.clone()),
        phone: via_phone.then(|| form.phone.clone()),
        whatsapp_consent: Some(via_phone && consent),
        password: Some(form.password),
        full_name: Some(form.full_name.clone()),
        role: Some(Role::JobSeeker),
        language: Some(language),
    };
    let outcome = match request.validate(&[Role::JobSeeker]) {
        Ok(new) => match address_check(&state, &req) {
            Ok(()) => {
                let new_phone = new.phone.clone();
                let public_url = state.config.mail.public_url.clone();
                let code_key = state.code_key.clone();
                state
                    .db(move |conn| {
                        let user = accounts::register(conn, new, &public_url, &code_key)?;
                        // A phone account signs in with the code just sent: that proves the
                        // number; an email account at once, its link proves the address.
                        if user.email.is_none() {
                            return Ok(None);
                        }
                        Ok(Some(session::start(conn, &user.id)?))
                    })
                    .await
                    .map(|token| (token, new_phone))
            }
            Err(error) => Err(error),
        },
        Err(error) => Err(error),
    };
    let error = match outcome {
        Ok((Some(token), _)) => return signed_in(&visitor, token, "/me"),
        Ok((None, phone)) => {
            let phone = phone.unwrap_or_default();
            return super::phone::code_page(&visitor, &req, phone, Some("code.signed_up"));
        }
        Err(error) => error,
    };
    let lang = visitor.lang;
    let (status, notice) = match error.status.as_u16() {
        409 | 422 => (StatusCode::UNPROCESSABLE_ENTITY, None),
        429 => (
            StatusCode::TOO_MANY_REQUESTS,
            Some(i18n::text(lang, "account.too_many")),
        ),
        _ => return error_response(&visitor, &error),
    };
    let page = SignUp {
        frame: frame(&visitor, &req, "sign_up"),
        full_name: form.full_name,
        email: form.email,
        phone: form.phone,
        via_phone,
        consent,
        english: language == Language::En,
        notice,
        full_name_error: field_error(lang, &error, "full_name"),
        email_error: field_error(lang, &error, "email"),
        phone_error: field_error(lang, &error, "phone"),
        password_error: field_error(lang, &error, "password"),
    };
    render(&visitor, status, &page)
}

// ---------------------------------------------------------------------------------- sign in

#[derive(Template)]
#[template(path = "sign_in.html")]
struct SignIn {
    frame: Frame,
    email: String,
    next: String,
    notice: Option<&'static str>,
    error: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInQuery {
    next: Option<String>,
    reset: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SignInForm {
    csrf: String,
    email: String,
    password: String,
    next: String,
}

fn next_path(raw: Option<&str>) -> String {
    match local_path(raw.filter(|p| !p.is_empty())).as_str() {
        "/" => "/me".to_owned(),
        path => path.to_owned(),
    }
}

pub async fn sign_in_form(
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<SignInQuery>,
) -> HttpResponse {
    let next = next_path(query.next.as_deref());
    if visitor.user.is_some() {
        return redirect(&next);
    }
    let notice = query
        .reset
        .as_ref()
        .map(|_| i18n::text(visitor.lang, "sign_in.password_changed"));
    let page = SignIn {
        frame: frame(&visitor, &req, "sign_in"),
        email: String::new(),
        next,
        notice,
        error: None,
    };
    render(&visitor, StatusCode::OK, &page)
}

pub async fn sign_in(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<SignInForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let next = next_path(Some(&form.next));
    // One field takes either: an address has an @, anything else is read as a phone number.
    let given = form.email.trim().to_lowercase();
    let login = if given.contains('@') {
        Some(Login::Email(given.clone()))
    } else {
        crate::validate::normalise_phone(&given).map(Login::Phone)
    };
    let outcome = match login.filter(|_| !form.password.is_empty()) {
        None => Err(AppError::unauthorized(
            "the email, phone number or password is wrong",
        )),
        Some(login) => match address_check(&state, &req) {
            Ok(()) => {
                let max_delay = chrono::Duration::from_std(state.config.login_delay_max)
                    .unwrap_or(chrono::Duration::seconds(60));
                let credentials = Credentials {
                    login,
                    password: form.password,
                };
                state
                    .db(move |conn| {
                        let user = accounts::check_credentials(conn, credentials, max_delay)?;
                        Ok(session::start(conn, &user.id)?)
                    })
                    .await
            }
            Err(error) => Err(error),
        },
    };
    let error = match outcome {
        Ok(token) => return signed_in(&visitor, token, &next),
        Err(error) => error,
    };
    let lang = visitor.lang;
    let (status, message) = match error.status.as_u16() {
        401 => (
            StatusCode::UNAUTHORIZED,
            i18n::text(lang, "sign_in.wrong_credentials"),
        ),
        403 => (StatusCode::FORBIDDEN, i18n::text(lang, "sign_in.disabled")),
        429 => (
            StatusCode::TOO_MANY_REQUESTS,
            i18n::text(lang, "account.too_many"),
        ),
        _ => return error_response(&visitor, &error),
    };
    let page = SignIn {
        frame: frame(&visitor, &req, "sign_in"),
        email: form.email,
        next,
        notice: None,
        error: Some(message),
    };
    render(&visitor, status, &page)
}

pub async fn sign_out(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    if let Some(cookie) = req.cookie(SESSION_COOKIE) {
        let token = cookie.value().to_owned();
        if let Err(error) = state.db(move |conn| Ok(session::end(conn, &token)?)).await {
            return error_response(&visitor, &error);
        }
    }
    let mut response = redirect("/");
    let _ = response.add_cookie(&visitor.cookie(SESSION_COOKIE, String::new(), Some(0)));
    // Tickets the service worker kept for offline use are this person's: the browser drops
    // them (and the worker) with the session, also when the page's script does not run.
    response.headers_mut().insert(
        actix_web::http::header::HeaderName::from_static("clear-site-data"),
        actix_web::http::header::HeaderValue::from_static("\"cache\", \"storage\""),
    );
    response
}

// ---------------------------------------------------------------------------------- /me

#[derive(Template)]
#[template(path = "me.html")]
struct MePage {
    frame: Frame,
    full_name: String,
    email: Option<String>,
    verified: bool,
    phone: Option<String>,
    phone_verified: bool,
    whatsapp: bool,
    language: &'static str,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MeQuery {
    sent: Option<String>,
}

async fn me_page(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    status: StatusCode,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
) -> HttpResponse {
    let Some(caller) = visitor.auth() else {
        return redirect("/sign-in?next=/me");
    };
    let me = match state.db(move |conn| accounts::me(conn, &caller)).await {
        Ok(me) => me,
        Err(error) => return error_response(visitor, &error),
    };
    let lang = visitor.lang;
    let language = match Language::parse(&me.user.language) {
        Language::Id => i18n::text(lang, "me.language_id"),
        Language::En => i18n::text(lang, "me.language_en"),
    };
    let page = MePage {
        frame: frame(visitor, req, "me"),
        full_name: me.user.full_name,
        email: me.user.email,
        verified: me.user.email_verified,
        phone: me.user.phone,
        phone_verified: me.user.phone_verified,
        whatsapp: me.user.whatsapp_consent,
        language,
        notice,
        problem,
    };
    render(visitor, status, &page)
}

pub async fn me(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<MeQuery>,
) -> HttpResponse {
    let notice = query
        .sent
        .as_ref()
        .map(|_| i18n::text(visitor.lang, "me.verification_sent"));
    me_page(&visitor, &req, &state, StatusCode::OK, notice, None).await
}

pub async fn resend_verification(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Some(caller) = visitor.auth() else {
        return redirect("/sign-in?next=/me");
    };
    let public_url = state.config.mail.public_url.clone();
    let outcome = state
        .db(move |conn| accounts::resend_verification(conn, &caller, &public_url))
        .await;
    match outcome {
        Ok(()) => redirect("/me?sent=1"),
        Err(error) if error.code == "already_verified" => redirect("/me"),
        Err(error) if error.status == StatusCode::TOO_MANY_REQUESTS => {
            let problem = Some(i18n::text(visitor.lang, "me.too_many"));
            me_page(&visitor, &req, &state, error.status, None, problem).await
        }
        Err(error) => error_response(&visitor, &error),
    }
}
