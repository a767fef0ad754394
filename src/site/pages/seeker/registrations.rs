//! Registering for a fair from its page, the list of one's registrations, and the ticket.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::super::events::FairView;
use super::{frame, refused, signed_in, LIST_LIMIT};
use crate::error::AppError;
use crate::events::Event;
use crate::registrations::{self, operations as registration_ops};
use crate::site::qr;
use crate::site::session::CsrfForm;
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::{locale, AppState};

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
            let page = registrations::lists::mine(conn, &caller, LIST_LIMIT, None)?;
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
        .db(move |conn| registrations::lists::my_ticket(conn, &caller, &id))
        .await;
    let (registration, event): (registrations::Registration, Event) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let qr = match qr::inline_qr(
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
        groups: qr::code_groups(&registration.check_in_code),
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
