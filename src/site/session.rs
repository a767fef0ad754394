//! Who is at the browser: the session cookie, the language, and the CSRF token of the forms.
//!
//! - The session is a random token in the `bursa_session` cookie (HttpOnly, SameSite=Lax, and
//!   Secure when `BURSA_PUBLIC_URL` is https); the database keeps only its SHA-256, with the user
//!   and an absolute expiry. Each request reads the user's current role and state with the
//!   session (one indexed join), so a disabled account is signed out at once and a changed role
//!   applies on the next page. Signing out deletes the row.
//! - Every form carries a CSRF token that must equal the `bursa_csrf` cookie (a double-submit
//!   token: a page of another site can neither read the cookie nor set it). With SameSite
//!   cookies this is belt and braces.
//! - The language: the `lang` cookie set by the visible switch, else the account's language,
//!   else Bahasa Indonesia.

use std::future::Future;
use std::pin::Pin;

use actix_web::cookie::{Cookie, SameSite};
use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};
use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::auth::tokens::{random_token, token_hash};
use crate::auth::{AuthUser, Role};
use crate::db::schema::{users, web_sessions};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::users::Language;
use crate::AppState;

pub const SESSION_COOKIE: &str = "bursa_session";
pub const CSRF_COOKIE: &str = "bursa_csrf";
pub const LANG_COOKIE: &str = "lang";
/// A browser session lasts two weeks from sign-in, then the person signs in again.
pub const SESSION_DAYS: i64 = 14;

/// The signed-in person behind a session, as they are now.
#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: String,
    pub role: Role,
    pub full_name: String,
    pub language: Language,
}

impl SessionUser {
    pub fn auth(&self) -> AuthUser {
        AuthUser {
            id: self.id.clone(),
            role: self.role,
        }
    }
}

/// Starts a session for the user and returns the cookie's token (shown to no one else).
pub fn start(conn: &mut DbConn, user_id: &str) -> QueryResult<String> {
    let token = random_token();
    let at = now();
    // A good moment to forget the user's dead sessions.
    diesel::delete(
        web_sessions::table
            .filter(web_sessions::user_id.eq(user_id))
            .filter(web_sessions::expires_at.le(at)),
    )
    .execute(conn)?;
    diesel::insert_into(web_sessions::table)
        .values((
            web_sessions::token_hash.eq(token_hash(&token)),
            web_sessions::user_id.eq(user_id),
            web_sessions::created_at.eq(at),
            web_sessions::last_seen_at.eq(at),
            web_sessions::expires_at.eq(at + Duration::days(SESSION_DAYS)),
        ))
        .execute(conn)?;
    Ok(token)
}

/// Ends the session of the token, if there is one.
pub fn end(conn: &mut DbConn, token: &str) -> QueryResult<()> {
    diesel::delete(web_sessions::table.find(token_hash(token))).execute(conn)?;
    Ok(())
}

/// The user of a live session: not expired, account not disabled.
pub fn user(conn: &mut DbConn, token: &str, at: NaiveDateTime) -> AppResult<Option<SessionUser>> {
    let found: Option<(String, String, String, String)> = web_sessions::table
        .inner_join(users::table)
        .filter(web_sessions::token_hash.eq(token_hash(token)))
        .filter(web_sessions::expires_at.gt(at))
        .filter(users::disabled_at.is_null())
        .select((users::id, users::role, users::full_name, users::language))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|(id, role, full_name, language)| {
        Some(SessionUser {
            id,
            role: Role::parse(&role)?,
            full_name,
            language: Language::parse(&language),
        })
    }))
}

/// The visitor of a page: who they are (if signed in), their language and their CSRF token.
#[derive(Debug, Clone)]
pub struct Visitor {
    pub user: Option<SessionUser>,
    pub lang: Language,
    pub csrf: String,
    /// The CSRF cookie must be set by this response (the browser had none).
    pub new_csrf: bool,
    /// Cookies are marked Secure (the site is served over https).
    pub secure: bool,
}

impl Visitor {
    pub fn auth(&self) -> Option<AuthUser> {
        self.user.as_ref().map(SessionUser::auth)
    }

    /// 403 unless the submitted form token is this browser's.
    pub fn check_csrf(&self, submitted: &str) -> AppResult<()> {
        if !self.new_csrf && constant_time_eq(submitted.as_bytes(), self.csrf.as_bytes()) {
            Ok(())
        } else {
            Err(AppError::forbidden(
                "the form has expired; reload the page and send it again",
            ))
        }
    }

    /// A cookie with this site's attributes.
    pub fn cookie(&self, name: &'static str, value: String, days: Option<i64>) -> Cookie<'static> {
        let mut cookie = Cookie::build(name, value)
            .path("/")
            .http_only(true)
            .same_site(SameSite::Lax)
            .secure(self.secure)
            .finish();
        if let Some(days) = days {
            cookie.set_max_age(actix_web::cookie::time::Duration::days(days));
        }
        cookie
    }
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

async fn visitor(req: HttpRequest) -> AppResult<Visitor> {
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state is not configured"))?
        .clone();
    let secure = state.config.mail.public_url.starts_with("https://");
    let user = match req.cookie(SESSION_COOKIE) {
        Some(cookie) => {
            let token = cookie.value().to_owned();
            state.db(move |conn| user(conn, &token, now())).await?
        }
        None => None,
    };
    let chosen = req.cookie(LANG_COOKIE).and_then(|c| match c.value() {
        "id" => Some(Language::Id),
        "en" => Some(Language::En),
        _ => None,
    });
    let lang = chosen
        .or_else(|| user.as_ref().map(|u| u.language))
        .unwrap_or_default();
    let existing = req
        .cookie(CSRF_COOKIE)
        .map(|c| c.value().to_owned())
        .filter(|v| v.len() >= 32);
    let (csrf, new_csrf) = match existing {
        Some(value) => (value, false),
        None => (random_token(), true),
    };
    Ok(Visitor {
        user,
        lang,
        csrf,
        new_csrf,
        secure,
    })
}

impl FromRequest for Visitor {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        Box::pin(visitor(req.clone()))
    }
}

/// A form that carries nothing but its CSRF token (sign out, register, apply…).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct CsrfForm {
    pub csrf: String,
}
