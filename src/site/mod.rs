//! The web pages: server-rendered HTML served by the same binary as the API, in Bahasa Indonesia
//! by default (English on request), light enough for an inexpensive phone on a slow network.
//!
//! - Templates are askama files in `src/site/templates/`, checked at compile time; every text
//!   comes from the catalogues of [`i18n`].
//! - Pages call the same domain functions as the JSON handlers: a page holds no rule.
//! - Every page works without JavaScript. Assets (one stylesheet, a few lines of script) are
//!   embedded in the binary, see [`assets`]; no CDN, no build step.
//! - Who is at the browser is a [`session::Visitor`]: a session cookie, never a bearer token.
//!   Every form carries a CSRF token.

pub mod assets;
pub mod i18n;
pub mod pages;
pub mod qr;
pub mod session;

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::AppError;
use crate::users::Language;
pub use session::Visitor;

/// What every page's frame needs: the visitor, the title and description (also the Open Graph
/// preview a shared link shows), and the path for the language switch.
pub struct Frame {
    pub visitor: Visitor,
    pub title: String,
    pub description: String,
    /// The page's own path, absolute URL built from `BURSA_PUBLIC_URL` for `og:url`.
    pub path: String,
    pub public_url: String,
}

impl Frame {
    pub fn new(visitor: &Visitor, req: &HttpRequest, title: String, description: String) -> Self {
        let public_url = req
            .app_data::<web::Data<crate::AppState>>()
            .map(|s| s.config.mail.public_url.clone())
            .unwrap_or_default();
        Self {
            visitor: visitor.clone(),
            title,
            description,
            path: req.uri().path().to_owned(),
            public_url,
        }
    }

    /// The text of a catalogue key in the visitor's language.
    pub fn t(&self, key: &str) -> &'static str {
        i18n::text(self.visitor.lang, key)
    }

    pub fn lang(&self) -> &'static str {
        self.visitor.lang.as_str()
    }

    /// The other language, for the switch.
    pub fn other_lang(&self) -> &'static str {
        match self.visitor.lang {
            Language::Id => "en",
            Language::En => "id",
        }
    }

    pub fn og_locale(&self) -> &'static str {
        match self.visitor.lang {
            Language::Id => "id_ID",
            Language::En => "en_US",
        }
    }

    pub fn url(&self) -> String {
        format!("{}{}", self.public_url, self.path)
    }

    pub fn signed_in(&self) -> bool {
        self.visitor.user.is_some()
    }

    pub fn user_name(&self) -> &str {
        self.visitor
            .user
            .as_ref()
            .map(|u| u.full_name.as_str())
            .unwrap_or("")
    }

    /// A signed-in job seeker: the pages of their profile, tickets, applications and hires.
    pub fn is_job_seeker(&self) -> bool {
        self.visitor
            .user
            .as_ref()
            .is_some_and(|u| u.role == crate::auth::Role::JobSeeker)
    }

    /// Organizer, ministry and admin staff: the header links to their desk.
    pub fn is_desk_staff(&self) -> bool {
        use crate::auth::Role;
        self.visitor
            .user
            .as_ref()
            .is_some_and(|u| matches!(u.role, Role::Organizer | Role::Ministry | Role::Admin))
    }

    /// A signed-in employer's staff (or an admin): the booth's pages.
    pub fn is_employer(&self) -> bool {
        self.visitor.user.as_ref().is_some_and(|u| {
            matches!(
                u.role,
                crate::auth::Role::Employer | crate::auth::Role::Admin
            )
        })
    }

    pub fn csrf(&self) -> &str {
        &self.visitor.csrf
    }

    pub fn asset(&self, name: &str) -> String {
        assets::url(name)
    }
}

/// An HTML response of a rendered template, with the CSRF cookie when the browser had none.
pub fn render<T: Template>(visitor: &Visitor, status: StatusCode, page: &T) -> HttpResponse {
    match page.render() {
        Ok(html) => {
            let mut response = HttpResponse::build(status);
            response.content_type("text/html; charset=utf-8");
            if visitor.new_csrf {
                response.cookie(visitor.cookie(session::CSRF_COOKIE, visitor.csrf.clone(), None));
            }
            response.body(html)
        }
        Err(error) => {
            tracing::error!(%error, "a page failed to render");
            error_page(visitor.lang, StatusCode::INTERNAL_SERVER_ERROR)
        }
    }
}

/// See-other to a local path: after a form, the browser shows a page it can reload.
pub fn redirect(to: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, to.to_owned()))
        .finish()
}

/// A local path to return to, never another site (`//evil.example` is not local).
pub fn local_path(raw: Option<&str>) -> String {
    raw.filter(|p| p.starts_with('/') && !p.starts_with("//") && !p.contains('\\'))
        .unwrap_or("/")
        .to_owned()
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: &'static str,
    heading: &'static str,
    message: &'static str,
    home: &'static str,
    status: u16,
}

/// A friendly page for an error status, standalone (no session needed): what happened and the
/// way home. The JSON API keeps its JSON errors.
pub fn error_page(lang: Language, status: StatusCode) -> HttpResponse {
    let (heading, message) = match status.as_u16() {
        404 => ("error.not_found", "error.not_found_text"),
        403 => ("error.forbidden", "error.forbidden_text"),
        401 => ("error.sign_in", "error.sign_in_text"),
        429 => ("error.too_many", "error.too_many_text"),
        400..=499 => ("error.bad_request", "error.bad_request_text"),
        503 => ("error.unavailable", "error.unavailable_text"),
        _ => ("error.unexpected", "error.unexpected_text"),
    };
    let page = ErrorPage {
        lang: lang.as_str(),
        heading: i18n::text(lang, heading),
        message: i18n::text(lang, message),
        home: i18n::text(lang, "error.home"),
        status: status.as_u16(),
    };
    let html = page
        .render()
        .unwrap_or_else(|_| format!("<!doctype html><title>{}</title>", status.as_u16()));
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html)
}

/// The language a request prefers, without a database read: the switch's cookie, else
/// Indonesian. For error pages rendered outside a handler.
pub fn cookie_lang(req: &HttpRequest) -> Language {
    match req.cookie(session::LANG_COOKIE).as_ref().map(|c| c.value()) {
        Some("en") => Language::En,
        _ => Language::Id,
    }
}

/// A page's answer to an [`AppError`] from a domain function: the friendly page of its status.
pub fn error_response(visitor: &Visitor, error: &AppError) -> HttpResponse {
    if error.status.is_server_error() {
        tracing::error!(code = %error.code, "a page failed");
    }
    error_page(visitor.lang, error.status)
}

#[derive(Deserialize)]
pub struct LanguageQuery {
    back: Option<String>,
}

/// `GET /bahasa/{id|en}?back=/path`: the visible language switch. A plain link, so it works
/// without JavaScript; it sets the `lang` cookie for a year and goes back.
pub async fn switch_language(
    visitor: Visitor,
    code: web::Path<String>,
    query: web::Query<LanguageQuery>,
) -> HttpResponse {
    let Some(lang) = (match code.as_str() {
        "id" => Some(Language::Id),
        "en" => Some(Language::En),
        _ => None,
    }) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let back = local_path(query.back.as_deref());
    HttpResponse::SeeOther()
        .insert_header((header::LOCATION, back))
        .cookie(visitor.cookie(session::LANG_COOKIE, lang.as_str().to_owned(), Some(365)))
        .finish()
}
