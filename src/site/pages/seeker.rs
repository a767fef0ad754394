//! The job seeker's pages after the profile: register for a fair (from its page) and the ticket,
//! `/me/registrations/{id}` (QR code, the code written out, time and place; it prints and opens
//! offline once seen); apply to a vacancy and `/me/applications` with each one's history;
//! `/me/hires`, where a reported hire is confirmed or disputed. Each action calls the domain
//! function the API calls; the page only turns its answer into a page.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::events::{self, FairView, VacancyFilters};
use crate::applications::{self as application_ops, ApplicationStatus};
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::placements::{self, Action, Decision, PlacementStatus, PlacementView};
use crate::registrations::{self, operations as registration_ops};
use crate::site::session::CsrfForm;
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// How many rows the personal lists show: far more than one person has.
const LIST_LIMIT: i64 = crate::pagination::MAX_LIMIT;

/// The signed-in account, or the way to sign in and come back to `back` (boxed: a response is
/// large, and this is the rare path).
pub(super) fn signed_in(visitor: &Visitor, back: &str) -> Result<AuthUser, Box<HttpResponse>> {
    visitor.auth().ok_or_else(|| {
        let query = serde_urlencoded::to_string([("next", back)]).unwrap_or_default();
        Box::new(redirect(&format!("/sign-in?{query}")))
    })
}

fn frame(visitor: &Visitor, req: &HttpRequest, area: &str) -> Frame {
    super::account::frame(visitor, req, area)
}

/// The catalogue text of a refusal the fair page explains, by the domain's error code.
fn refusal_text(lang: Language, code: &str) -> Option<&'static str> {
    let key = match code {
        "event_full" => "seeker.refused_event_full",
        "registration_closed" => "seeker.refused_registration_closed",
        "event_not_open" => "seeker.refused_event_not_open",
        "vacancy_closed" => "seeker.refused_vacancy_closed",
        "not_registered" => "seeker.refused_not_registered",
        "already_applied" => "seeker.refused_already_applied",
        _ => return None,
    };
    Some(i18n::text(lang, key))
}

/// The answer to a refused registration or application: the profile form first (then back to
/// the fair), the fair's page with what happened, or the error page.
async fn refused(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    event_id: String,
    error: AppError,
) -> HttpResponse {
    if error.code == "profile_required" {
        let query = serde_urlencoded::to_string([("next", format!("/events/{event_id}"))])
            .unwrap_or_default();
        return redirect(&format!("/me/profile?{query}"));
    }
    match refusal_text(visitor.lang, &error.code) {
        Some(text) => {
            events::show_page(
                visitor,
                req,
                state,
                event_id,
                VacancyFilters::default(),
                Some(text),
                error.status,
            )
            .await
        }
        None => error_response(&visitor, &error),
    }
}

// ---------------------------------------------------------------------------- registration

/// `POST /events/{id}/registration`: the signed-in job seeker registers
/// ([`registration_ops::register`]) and sees the ticket; registering again shows the same one.
pub async fn register(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(event_id) = crate::extract::path_id(&id, "event") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, &format!("/events/{event_id}")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let id = event_id.clone();
    let public_url = state.config.mail.public_url.clone();
    let outcome = state
        .db(move |conn| registration_ops::register(conn, &caller, &id, None, &public_url))
        .await;
    match outcome {
        Ok((registration, _)) => redirect(&format!("/me/registrations/{}", registration.id)),
        Err(error) => refused(visitor, req, state, event_id, error).await,
    }
}

/// A registration as the list shows it.
struct RegistrationRow {
    id: String,
    event: String,
    starts: String,
    place: String,
    checked_in: bool,
    cancelled: bool,
}

#[derive(Template)]
#[template(path = "seeker/registrations.html")]
struct RegistrationsPage {
    frame: Frame,
    rows: Vec<RegistrationRow>,
}

/// `GET /me/registrations`: the caller's registrations, each linking to its ticket.
pub async fn registrations(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> HttpResponse {
    let caller = match signed_in(&visitor, "/me/registrations") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| {
            let page = registration_ops::mine(conn, &caller, LIST_LIMIT, None)?;
            let mut rows = Vec::new();
            for item in page.items {
                let event = crate::events::find(conn, &item.registration.event_id)?
                    .ok_or_else(|| AppError::not_found("event"))?;
                rows.push((item.registration, event));
            }
            Ok(rows)
        })
        .await;
    let found = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    // The next fair first: that is the ticket a person looks for.
    let mut found = found;
    found.sort_by_key(|(_, event)| std::cmp::Reverse(event.starts_at));
    let rows = found
        .into_iter()
        .map(|(registration, event)| {
            let fair = FairView::new(&event, lang);
            RegistrationRow {
                id: registration.id,
                event: event.title,
                starts: fair.starts,
                place: format!("{}, {}", fair.city, fair.province),
                checked_in: registration.checked_in_at.is_some(),
                cancelled: event.status == crate::events::EventStatus::Cancelled,
            }
        })
        .collect();
    let page = RegistrationsPage {
        frame: frame(&visitor, &req, "registrations"),
        rows,
    };
    render(&visitor, StatusCode::OK, &page)
}

// ---------------------------------------------------------------------------------- ticket

#[derive(Template)]
#[template(path = "seeker/ticket.html")]
struct TicketPage {
    frame: Frame,
    fair: FairView,
    /// The QR code, an inline SVG made here (no script, no request of its own).
    qr: String,
    /// The check-in code in groups of four, to read out or type.
    groups: Vec<String>,
    checked_in: Option<String>,
    cancelled: bool,
}

/// The QR code of `code` as an SVG element to put in a page, named for screen readers.
fn inline_qr(code: &str, label: &str) -> AppResult<String> {
    let svg = registrations::qr_svg(code)?;
    let svg = svg.find("<svg").map_or(svg.as_str(), |start| &svg[start..]);
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Ok(svg.replacen(
        "<svg ",
        &format!("<svg class=\"qr\" role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

/// The code in groups of four characters.
fn groups(code: &str) -> Vec<String> {
    code.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|g| g.iter().collect())
        .collect()
}

/// `GET /me/registrations/{id}`: the ticket, for its owner only (anyone else: not found).
pub async fn ticket(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let lang = visitor.lang;
    let Ok(id) = crate::extract::path_id(&id, "registration") else {
        return error_page(lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, &format!("/me/registrations/{id}")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| registration_ops::my_ticket(conn, &caller, &id))
        .await;
    let (registration, event): (registrations::Registration, Event) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let qr = match inline_qr(
        &registration.check_in_code,
        i18n::text(lang, "ticket.qr_label"),
    ) {
        Ok(qr) => qr,
        Err(error) => return error_response(&visitor, &error),
    };
    let fair = FairView::new(&event, lang);
    let title = i18n::fill(lang, "ticket.title", &[("fair", &fair.title)]);
    let page = TicketPage {
        frame: Frame::new(
            &visitor,
            &req,
            title,
            i18n::text(lang, "ticket.description").to_owned(),
        ),
        qr,
        groups: groups(&registration.check_in_code),
        checked_in: registration
            .checked_in_at
            .map(|at| locale::local_time(at, &event.province_code, lang)),
        cancelled: event.status == crate::events::EventStatus::Cancelled,
        fair,
    };
    let mut response = render(&visitor, StatusCode::OK, &page);
    // A ticket is personal: no shared cache may keep it (the service worker keeps it on the
    // person's own phone, see `static/sw.js`).
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("private, no-cache"),
    );
    response
}

// ---------------------------------------------------------------------------- applications

/// `POST /vacancies/{id}/application`: the signed-in job seeker applies
/// ([`application_ops::apply`]) and sees their applications.
pub async fn apply(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(vacancy_id) = crate::extract::path_id(&id, "vacancy") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let lookup = vacancy_id.clone();
    let vacancy = state
        .db(move |conn| Ok(crate::vacancies::find(conn, &lookup)?))
        .await;
    let event_id = match vacancy {
        Ok(Some(vacancy)) => vacancy.event_id,
        Ok(None) => return error_page(visitor.lang, StatusCode::NOT_FOUND),
        Err(error) => return error_response(&visitor, &error),
    };
    let caller = match signed_in(&visitor, &format!("/events/{event_id}")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let outcome = state
        .db(move |conn| application_ops::apply(conn, &caller, &vacancy_id, None))
        .await;
    match outcome {
        Ok(view) => redirect(&format!(
            "/me/applications#application-{}",
            view.summary.application.id
        )),
        Err(error) => refused(visitor, req, state, event_id, error).await,
    }
}

/// One status an application took, as the page shows it.
struct Step {
    status: &'static str,
    at: String,
}

struct ApplicationRow {
    id: String,
    vacancy: String,
    employer: String,
    event: String,
    status: &'static str,
    history: Vec<Step>,
}

#[derive(Template)]
#[template(path = "seeker/applications.html")]
struct ApplicationsPage {
    frame: Frame,
    rows: Vec<ApplicationRow>,
}

fn application_status(lang: Language, status: ApplicationStatus) -> &'static str {
    i18n::text(lang, &format!("application_status.{}", status.as_str()))
}

/// `GET /me/applications`: the caller's applications, newest first, each with its history in
/// the fair's local time.
pub async fn applications(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> HttpResponse {
    let caller = match signed_in(&visitor, "/me/applications") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let found = state
        .db(move |conn| {
            let filter = application_ops::ListFilter {
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = application_ops::mine(conn, &caller, &filter)?;
            let mut rows = Vec::new();
            for summary in page.items.into_iter().rev() {
                let history = application_ops::history(conn, &summary.application.id)?;
                let employer = crate::organizations::find(conn, &summary.organization_id)?
                    .map(|o| o.name)
                    .unwrap_or_default();
                let event = crate::events::find(conn, &summary.event_id)?
                    .ok_or_else(|| AppError::not_found("event"))?;
                let zone = event.province_code.clone();
                rows.push(ApplicationRow {
                    id: summary.application.id.clone(),
                    vacancy: summary.vacancy_title,
                    employer,
                    event: event.title,
                    status: application_status(lang, summary.application.status),
                    history: history
                        .into_iter()
                        .map(|t| Step {
                            status: application_status(lang, t.status),
                            at: locale::local_time(t.at, &zone, lang),
                        })
                        .collect(),
                });
            }
            Ok(rows)
        })
        .await;
    match found {
        Ok(rows) => {
            let page = ApplicationsPage {
                frame: frame(&visitor, &req, "applications"),
                rows,
            };
            render(&visitor, StatusCode::OK, &page)
        }
        Err(error) => error_response(&visitor, &error),
    }
}

// ----------------------------------------------------------------------------------- hires

struct HireRow {
    id: String,
    employer: String,
    position: String,
    event: String,
    start_date: String,
    contract: &'static str,
    salary: String,
    status: &'static str,
    /// Reported and waiting for the person's answer.
    awaiting: bool,
}

#[derive(Template)]
#[template(path = "seeker/hires.html")]
struct HiresPage {
    frame: Frame,
    rows: Vec<HireRow>,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    /// The hire whose dispute lacked a reason, and what was typed.
    reason_error: Option<String>,
    reason: String,
}

impl HiresPage {
    fn reason_for(&self, id: &str) -> &str {
        match &self.reason_error {
            Some(error_id) if error_id == id => &self.reason,
            _ => "",
        }
    }

    fn reason_missing(&self, id: &str) -> bool {
        self.reason_error.as_deref() == Some(id)
    }
}

fn hire_row(view: PlacementView, event: Option<Event>, lang: Language) -> HireRow {
    let p = view.placement;
    HireRow {
        awaiting: p.status == PlacementStatus::Reported,
        status: i18n::text(lang, &format!("placement_status.{}", p.status.as_str())),
        id: p.id,
        employer: view.employer_name,
        position: view.vacancy_title,
        event: event.map(|e| e.title).unwrap_or_default(),
        start_date: locale::date(p.start_date, lang),
        contract: i18n::text(lang, &format!("contract.{}", p.contract_type.as_str())),
        salary: locale::rupiah(p.salary_idr, lang),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HiresQuery {
    answered: Option<String>,
}

async fn hires_page(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    caller: AuthUser,
    status: StatusCode,
    fill: impl FnOnce(&mut HiresPage),
) -> HttpResponse {
    let lang = visitor.lang;
    let found = state
        .db(move |conn| {
            let filter = placements::ListFilter {
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = placements::mine(conn, &caller, &filter)?;
            let mut rows = Vec::new();
            for view in page.items.into_iter().rev() {
                let event = crate::events::find(conn, &view.placement.event_id)?;
                rows.push(hire_row(view, event, lang));
            }
            Ok(rows)
        })
        .await;
    let rows = match found {
        Ok(rows) => rows,
        Err(error) => return error_response(visitor, &error),
    };
    let mut page = HiresPage {
        frame: frame(visitor, req, "hires"),
        rows,
        notice: None,
        problem: None,
        reason_error: None,
        reason: String::new(),
    };
    fill(&mut page);
    render(visitor, status, &page)
}

/// `GET /me/hires`: the caller's hires; a reported one has the two answers.
pub async fn hires(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<HiresQuery>,
) -> HttpResponse {
    let caller = match signed_in(&visitor, "/me/hires") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let notice = match query.answered.as_deref() {
        Some("confirmed") => Some(i18n::text(visitor.lang, "hires.confirmed")),
        Some("disputed") => Some(i18n::text(visitor.lang, "hires.disputed")),
        _ => None,
    };
    hires_page(&visitor, &req, &state, caller, StatusCode::OK, |page| {
        page.notice = notice;
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct AnswerForm {
    csrf: String,
    reason: Option<String>,
}

/// `POST /me/hires/{id}/confirm` and `/dispute`: the same domain function as
/// `POST /api/v1/placements/{id}/confirm` and `/dispute` ([`placements::act`]); the dispute's
/// reason is checked as the confirmation link's ([`placements::link_answer`]).
async fn answer(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: AnswerForm,
    decision: Decision,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(id) = crate::extract::path_id(&id, "placement") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, "/me/hires") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let typed = form.reason.clone().unwrap_or_default();
    let reason = match decision {
        Decision::Confirm => None,
        Decision::Dispute => form.reason,
    };
    let (decision, details) = match placements::link_answer(Some(decision), reason) {
        Ok(answer) => answer,
        Err(_) => {
            return hires_page(
                &visitor,
                &req,
                &state,
                caller,
                StatusCode::UNPROCESSABLE_ENTITY,
                |page| {
                    page.reason_error = Some(id);
                    page.reason = typed;
                },
            )
            .await
        }
    };
    let action = match decision {
        Decision::Confirm => Action::Confirm,
        Decision::Dispute => Action::Dispute,
    };
    let public_url = state.config.mail.public_url.clone();
    let acting = caller.clone();
    let outcome = state
        .db(move |conn| placements::act(conn, &acting, &id, action, &details, &public_url))
        .await;
    match outcome {
        Ok(_) => redirect(match decision {
            Decision::Confirm => "/me/hires?answered=confirmed",
            Decision::Dispute => "/me/hires?answered=disputed",
        }),
        Err(error) if error.code == "invalid_transition" => {
            let problem = i18n::text(visitor.lang, "hires.already_answered");
            hires_page(&visitor, &req, &state, caller, error.status, |page| {
                page.problem = Some(problem);
            })
            .await
        }
        Err(error) => error_response(&visitor, &error),
    }
}

pub async fn confirm(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    answer(
        visitor,
        req,
        state,
        id,
        form.into_inner(),
        Decision::Confirm,
    )
    .await
}

pub async fn dispute(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    answer(
        visitor,
        req,
        state,
        id,
        form.into_inner(),
        Decision::Dispute,
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_has_its_words() {
        for lang in [Language::Id, Language::En] {
            for status in ApplicationStatus::ALL {
                let key = format!("application_status.{}", status.as_str());
                assert_ne!(i18n::text(lang, &key), key, "{key} is missing");
            }
            for status in PlacementStatus::ALL {
                let key = format!("placement_status.{}", status.as_str());
                assert_ne!(i18n::text(lang, &key), key, "{key} is missing");
            }
        }
    }

    #[test]
    fn the_code_is_written_in_groups_of_four() {
        assert_eq!(groups("abcdEFGHij-_"), ["abcd", "EFGH", "ij-_"]);
        assert_eq!(groups("abcdef"), ["abcd", "ef"]);
    }

    #[test]
    fn the_qr_code_is_an_svg_element_with_a_name() {
        let svg = inline_qr("AAAAAAAAAAAAAAAAAAAAAA", "Kode \"QR\"").unwrap();
        assert!(
            svg.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"Kode &quot;QR&quot;\" ")
        );
        assert!(!svg.contains("<?xml"));
    }
}
