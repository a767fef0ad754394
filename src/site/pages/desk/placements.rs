//! The placements queue of a fair: verify a hire with a method, reject one (with a note),
//! settle a dispute (verify or reject it), and issue a confirmation link to send by hand, shown
//! as a QR code and as its absolute URL. The domain functions of `/api/v1/placements/{id}/…`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{caller_at, done_notice, fair_for, frame, DoneQuery, FairHead, LIST_LIMIT};
use crate::auth::AuthUser;
use crate::placements::{
    self, Action, Details, ListFilter, PlacementStatus, PlacementView, VerificationMethod,
};
use crate::site::qr::inline_qr;
use crate::site::{error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

struct PlacementRow {
    id: String,
    name: String,
    employer: String,
    position: String,
    start_date: String,
    salary: String,
    contract: &'static str,
    status: &'static str,
    flags: Vec<&'static str>,
    dispute_reason: Option<String>,
    /// Staff may verify or reject it (reported or disputed; confirmed ones are verified only).
    may_verify: bool,
    may_reject: bool,
    /// Waiting for the job seeker's answer: a confirmation link can be sent.
    may_link: bool,
}

fn placement_row(view: PlacementView, name: Option<String>, lang: Language) -> PlacementRow {
    let p = view.placement;
    let flags = view
        .flags
        .unwrap_or_default()
        .iter()
        .map(|f| i18n::text(lang, &format!("desk.flag_{f}")))
        .collect();
    PlacementRow {
        may_verify: Action::Verify.allowed_from(p.status),
        may_reject: Action::Reject.allowed_from(p.status),
        may_link: p.status == PlacementStatus::Reported,
        status: i18n::text(lang, &format!("desk.placement_{}", p.status.as_str())),
        start_date: locale::date(p.start_date, lang),
        salary: locale::rupiah(p.salary_idr, lang),
        contract: i18n::text(lang, &format!("contract.{}", p.contract_type.as_str())),
        id: p.id,
        name: name.unwrap_or_default(),
        employer: view.employer_name,
        position: view.vacancy_title,
        flags,
        dispute_reason: p.dispute_reason,
    }
}

struct Method {
    value: &'static str,
    label: &'static str,
}

#[derive(Template)]
#[template(path = "desk/placements.html")]
struct QueuePage {
    frame: Frame,
    fair: FairHead,
    rows: Vec<PlacementRow>,
    methods: Vec<Method>,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    /// The placement whose rejection lacked its note, and what was typed.
    note_error: Option<String>,
}

impl QueuePage {
    fn note_missing(&self, id: &str) -> bool {
        self.note_error.as_deref() == Some(id)
    }
}

async fn queue_page(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    caller: AuthUser,
    id: String,
    status: StatusCode,
    fill: impl FnOnce(&mut QueuePage),
) -> HttpResponse {
    let found = state
        .db(move |conn| {
            let event = fair_for(conn, &caller, &id)?;
            let filter = ListFilter {
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = placements::list_for_event(conn, &caller, &id, &filter)?;
            let names = placements::hired_names_for_event(conn, &caller, &id)?;
            Ok((event, page.items, names))
        })
        .await;
    let (event, items, mut names) = match found {
        Ok(found) => found,
        Err(error) => return error_response(visitor, &error),
    };
    let lang = visitor.lang;
    let methods = VerificationMethod::ALL
        .iter()
        .map(|m| Method {
            value: m.as_str(),
            label: i18n::text(lang, &format!("desk.method_{}", m.as_str())),
        })
        .collect();
    let mut rows: Vec<PlacementRow> = items
        .into_iter()
        .map(|v| {
            let name = names.remove(&v.placement.id);
            placement_row(v, name, lang)
        })
        .collect();
    // The queue: what needs staff first (disputes, then reports), then the rest.
    rows.sort_by_key(|r| !(r.may_reject));
    let mut page = QueuePage {
        frame: frame(visitor, req, "placements"),
        fair: FairHead::of(&event, lang),
        rows,
        methods,
        notice: None,
        problem: None,
        note_error: None,
    };
    fill(&mut page);
    render(visitor, status, &page)
}

/// `GET /desk/events/{id}/placements`: the queue.
pub async fn queue(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<DoneQuery>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let notice = done_notice(visitor.lang, query.done.as_deref());
    queue_page(&visitor, &req, &state, caller, id, StatusCode::OK, |page| {
        page.notice = notice;
    })
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ActionForm {
    csrf: String,
    method: String,
    note: String,
}

/// Runs a staff action on a placement and goes back to its fair's queue.
async fn act(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: ActionForm,
    action: Action,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (caller, id) = match caller_at(&visitor, &req, &id, "placement") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let note = Some(form.note.trim().to_owned()).filter(|n| !n.is_empty());
    let details = match action {
        Action::Verify => match VerificationMethod::parse(form.method.trim()) {
            Some(method) => Details::Verify { method, note },
            None => {
                return error_response(
                    &visitor,
                    &crate::error::AppError::invalid_field("method", "is not a method"),
                )
            }
        },
        _ => Details::Note(note),
    };
    let public_url = state.config.mail.public_url.clone();
    let (acting, placement_id) = (caller.clone(), id.clone());
    let outcome = state
        .db(move |conn| {
            // The queue to go back to: the fair of a placement the caller is a party to.
            let (row, _) = placements::find_as_party(conn, &placement_id, &acting)?;
            let event_id = row.0.event_id;
            if let Details::Note(None) = details {
                return Ok((event_id, Err("note")));
            }
            placements::act(conn, &acting, &placement_id, action, &details, &public_url)?;
            Ok((event_id, Ok(())))
        })
        .await;
    let done = match action {
        Action::Verify => "verified",
        _ => "rejected",
    };
    match outcome {
        Ok((event_id, Ok(()))) => {
            redirect(&format!("/desk/events/{event_id}/placements?done={done}"))
        }
        Ok((event_id, Err(_))) => {
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            queue_page(&visitor, &req, &state, caller, event_id, status, |page| {
                page.note_error = Some(id);
            })
            .await
        }
        Err(error) => error_response(&visitor, &error),
    }
}

/// `POST /desk/placements/{id}/verify`: staff verify with a method (and an optional note).
pub async fn verify(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(visitor, req, state, id, form.into_inner(), Action::Verify).await
}

/// `POST /desk/placements/{id}/reject`: staff reject, with a note saying why (required).
pub async fn reject(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ActionForm>,
) -> HttpResponse {
    act(visitor, req, state, id, form.into_inner(), Action::Reject).await
}

#[derive(Template)]
#[template(path = "desk/confirmation_link.html")]
struct LinkPage {
    frame: Frame,
    event_id: String,
    url: String,
    qr: String,
    expires: String,
}

/// `POST /desk/placements/{id}/confirmation-link`: [`placements::confirmation_link`], shown
/// once: a QR code to scan from the desk's screen and the absolute URL to send by hand.
pub async fn confirmation_link(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<crate::site::session::CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (caller, id) = match caller_at(&visitor, &req, &id, "placement") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let public_url = state.config.mail.public_url.clone();
    let issued = state
        .db(move |conn| {
            let issued = placements::confirmation_link(conn, &caller, &id, &public_url)?;
            let (row, _) = placements::find_as_party(conn, &id, &caller)?;
            let event = crate::events::find(conn, &row.0.event_id)?
                .ok_or_else(|| crate::error::AppError::not_found("event"))?;
            Ok((issued, event))
        })
        .await;
    let (issued, event) = match issued {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let qr = match inline_qr(&issued.url, i18n::text(lang, "desk.link_qr_label")) {
        Ok(qr) => qr,
        Err(error) => return error_response(&visitor, &error),
    };
    let page = LinkPage {
        frame: frame(&visitor, &req, "link"),
        event_id: event.id,
        expires: locale::local_time(issued.expires_at, &event.province_code, lang),
        url: issued.url,
        qr,
    };
    let mut response = render(&visitor, StatusCode::CREATED, &page);
    // The link is a credential: not kept by caches or the browser's history cache.
    response.headers_mut().insert(
        actix_web::http::header::CACHE_CONTROL,
        actix_web::http::header::HeaderValue::from_static("no-store"),
    );
    response
}
