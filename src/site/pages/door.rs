//! The door of a fair in the browser: `/desk/events/{id}/door`, where the fair's staff issue a
//! door pass for a phone or laptop (shown once, as a QR code of the scanner's address) and
//! revoke passes (`/desk/door-passes/{id}/revoke`); and `/door`, the scanner page that device opens.
//!
//! The scanner page is the same HTML for every fair and every pass: the pass travels in the
//! address's fragment (`/door#event=…&pass=bdp_…`), which a browser never sends to a server, and
//! `static/door.js` keeps it on the device and calls the door API with it. So the page holds no
//! rule either: the check-in list, the scans and the walk-ins are decided by the API.

use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::events::FairView;
use super::seeker::signed_in;
use crate::auth::AuthUser;
use crate::door::passes::{self, IssuedPass, PassStatus, PassView};
use crate::provinces::{self, Province};
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// More passes than one fair's door ever needs.
const PASS_LIMIT: i64 = crate::pagination::MAX_LIMIT;

/// The education levels of the walk-in form, lowest first.
const EDUCATION_LEVELS: [&str; 11] = [
    "sd", "smp", "sma", "smk", "d1", "d2", "d3", "d4", "s1", "s2", "s3",
];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/desk/events/{id}/door")
            .route(web::get().to(passes_page))
            .route(web::post().to(issue)),
    )
    .service(web::resource("/desk/door-passes/{id}/revoke").route(web::post().to(revoke)))
    .service(web::resource("/door").route(web::get().to(scanner)));
}

fn frame(visitor: &Visitor, req: &HttpRequest, area: &str) -> Frame {
    let lang = visitor.lang;
    Frame::new(
        visitor,
        req,
        i18n::text(lang, &format!("door.{area}_title")).to_owned(),
        i18n::text(lang, &format!("door.{area}_description")).to_owned(),
    )
}

// ------------------------------------------------------------------------------ door passes

struct PassRow {
    id: String,
    label: String,
    status: &'static str,
    active: bool,
    created: String,
    last_used: String,
}

/// A pass just issued: shown this once.
struct NewPass {
    label: String,
    url: String,
    qr: String,
}

#[derive(Template)]
#[template(path = "door/passes.html")]
struct PassesPage {
    frame: Frame,
    fair: FairView,
    expires: String,
    rows: Vec<PassRow>,
    issued: Option<NewPass>,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    label: String,
    label_error: Option<&'static str>,
}

fn pass_row(pass: PassView, province_code: &str, lang: Language) -> PassRow {
    PassRow {
        status: i18n::text(lang, &format!("door.status_{}", pass.status.as_str())),
        active: pass.status == PassStatus::Active,
        created: locale::local_time(pass.created_at, province_code, lang),
        last_used: pass.last_used_at.map_or_else(
            || i18n::text(lang, "door.never_used").to_owned(),
            |at| locale::local_time(at, province_code, lang),
        ),
        id: pass.id,
        label: pass.label,
    }
}

/// The address a scanner opens: the fair and the pass in the fragment, never sent to a server.
fn scanner_url(public_url: &str, event_id: &str, token: &str) -> String {
    format!("{public_url}/door#event={event_id}&pass={token}")
}

async fn passes_response(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    caller: AuthUser,
    event_id: String,
    status: StatusCode,
    fill: impl FnOnce(&mut PassesPage),
) -> HttpResponse {
    let lang = visitor.lang;
    let found = state
        .db(move |conn| {
            let page = passes::list(conn, &caller, &event_id, PASS_LIMIT, None)?;
            let event = crate::events::get(conn, Some(&caller), &event_id)?;
            Ok((page, event))
        })
        .await;
    let (page, event) = match found {
        Ok(found) => found,
        Err(error) => return error_response(visitor, &error),
    };
    let expires = crate::registrations::CheckInWindow::of(&event).closes_at();
    let mut view = PassesPage {
        frame: frame(visitor, req, "passes"),
        expires: locale::local_time(expires, &event.province_code, lang),
        rows: page
            .items
            .into_iter()
            .map(|p| pass_row(p, &event.province_code, lang))
            .collect(),
        fair: FairView::new(&event, lang),
        issued: None,
        notice: None,
        problem: None,
        label: String::new(),
        label_error: None,
    };
    fill(&mut view);
    let mut response = render(visitor, status, &view);
    // The page may carry a pass's token: never kept by a browser or a proxy.
    response.headers_mut().insert(
        header::CACHE_CONTROL,
        header::HeaderValue::from_static("no-store"),
    );
    response
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PassesQuery {
    revoked: Option<String>,
}

/// `GET /desk/events/{id}/door`: the fair's door passes ([`passes::list`]: its staff; anyone
/// else the not-found or forbidden page).
pub async fn passes_page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<PassesQuery>,
) -> HttpResponse {
    let Ok(event_id) = crate::extract::path_id(&id, "event") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, &format!("/desk/events/{event_id}/door")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let notice = query
        .revoked
        .is_some()
        .then(|| i18n::text(visitor.lang, "door.revoked"));
    passes_response(
        &visitor,
        &req,
        &state,
        caller,
        event_id,
        StatusCode::OK,
        |page| page.notice = notice,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct IssueForm {
    csrf: String,
    label: String,
}

/// The catalogue text of a refused pass the page explains, by the domain's error code.
fn refusal_text(lang: Language, code: &str) -> Option<&'static str> {
    match code {
        "event_not_open" => Some(i18n::text(lang, "door.refused_event_not_open")),
        "check_in_window_closed" => Some(i18n::text(lang, "door.refused_window_closed")),
        _ => None,
    }
}

/// `POST /desk/events/{id}/door`: issues a pass ([`passes::issue`], as
/// `POST /api/v1/events/{id}/door-passes`) and shows it this once.
pub async fn issue(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<IssueForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(event_id) = crate::extract::path_id(&id, "event") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, &format!("/desk/events/{event_id}/door")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let (acting, id_for_issue, label) = (caller.clone(), event_id.clone(), form.label.clone());
    let outcome = state
        .db(move |conn| passes::issue(conn, &acting, &id_for_issue, Some(label)))
        .await;
    let public_url = state.config.mail.public_url.clone();
    match outcome {
        Ok(IssuedPass { pass, token, .. }) => {
            let url = scanner_url(&public_url, &event_id, &token);
            let qr = match crate::site::qr::inline_qr(&url, i18n::text(lang, "door.qr_label")) {
                Ok(qr) => qr,
                Err(error) => return error_response(&visitor, &error),
            };
            let issued = NewPass {
                label: pass.label,
                url,
                qr,
            };
            passes_response(
                &visitor,
                &req,
                &state,
                caller,
                event_id,
                StatusCode::CREATED,
                |page| page.issued = Some(issued),
            )
            .await
        }
        Err(error) if error.code == "validation_failed" => {
            let typed = form.label;
            passes_response(
                &visitor,
                &req,
                &state,
                caller,
                event_id,
                StatusCode::UNPROCESSABLE_ENTITY,
                |page| {
                    page.label = typed;
                    page.label_error = Some(i18n::text(lang, "door.label_error"));
                },
            )
            .await
        }
        Err(error) => match refusal_text(lang, &error.code) {
            Some(text) => {
                passes_response(
                    &visitor,
                    &req,
                    &state,
                    caller,
                    event_id,
                    error.status,
                    |page| page.problem = Some(text),
                )
                .await
            }
            None => error_response(&visitor, &error),
        },
    }
}

/// `POST /desk/door-passes/{id}/revoke`: [`passes::revoke`], as
/// `POST /api/v1/door-passes/{id}/revoke`; then back to the pass's fair.
pub async fn revoke(
    visitor: Visitor,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<crate::site::session::CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(pass_id) = crate::extract::path_id(&id, "door pass") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, "/events") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let outcome = state
        .db(move |conn| passes::revoke(conn, &caller, &pass_id))
        .await;
    match outcome {
        Ok(pass) => redirect(&format!("/desk/events/{}/door?revoked=1", pass.event_id)),
        Err(error) => error_response(&visitor, &error),
    }
}

// -------------------------------------------------------------------------------- scanner

#[derive(Template)]
#[template(path = "door/scanner.html")]
struct ScannerPage {
    frame: Frame,
    /// Every text the script shows, as JSON (`{"admitted": "…", …}`).
    texts: String,
    provinces: &'static [Province],
    education_levels: [&'static str; 11],
}

/// The texts `static/door.js` shows, by the names it uses.
const SCRIPT_TEXTS: &[&str] = &[
    "admitted",
    "already_in",
    "not_found",
    "outside_window",
    "event_not_open",
    "queued",
    "checked_in_at",
    "no_pass",
    "pass_refused",
    "list_loading",
    "list_ready",
    "list_failed",
    "online",
    "offline",
    "queue",
    "uploaded",
    "camera_failed",
    "camera_stop",
    "camera_start",
    "search_none",
    "search_in",
    "search_not_in",
    "search_offline",
    "walk_in_done",
    "walk_in_already",
    "walk_in_offline",
    "walk_in_failed",
    "walk_in_mismatch",
    "required",
    "code_empty",
];

fn script_texts(lang: Language) -> String {
    let texts: serde_json::Map<String, serde_json::Value> = SCRIPT_TEXTS
        .iter()
        .map(|name| {
            let key = format!("door.js_{name}");
            ((*name).to_owned(), i18n::text(lang, &key).into())
        })
        .collect();
    // Safe inside <script type="application/json">: no "</" can close the element early.
    serde_json::Value::Object(texts)
        .to_string()
        .replace("</", "<\\/")
}

/// `GET /door`: the scanner page, the same for every fair (the pass is in the fragment). It
/// opens without a network once seen (`static/sw.js`).
pub async fn scanner(visitor: Visitor, req: HttpRequest) -> HttpResponse {
    let page = ScannerPage {
        frame: frame(&visitor, &req, "scanner"),
        texts: script_texts(visitor.lang),
        provinces: provinces::all(),
        education_levels: EDUCATION_LEVELS,
    };
    render(&visitor, StatusCode::OK, &page)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pass_travels_in_the_fragment() {
        let url = scanner_url("https://bursa.example", "ev1", "bdp_abc");
        assert_eq!(url, "https://bursa.example/door#event=ev1&pass=bdp_abc");
        assert!(!url.split('#').next().unwrap_or_default().contains("bdp_"));
    }

    #[test]
    fn every_script_text_is_in_both_catalogues() {
        for lang in [Language::Id, Language::En] {
            let texts: serde_json::Value = serde_json::from_str(&script_texts(lang)).unwrap();
            for name in SCRIPT_TEXTS {
                let key = format!("door.js_{name}");
                let text = texts[name].as_str().unwrap_or_default();
                assert!(
                    !text.is_empty() && text != key,
                    "{key} is missing in {lang:?}"
                );
            }
        }
    }
}
