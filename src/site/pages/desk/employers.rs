//! The employers who asked to join a fair, to approve or reject: the domain functions of
//! `POST /api/v1/events/{id}/employers/{organization_id}/approve|reject`.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{
    caller, caller_at, done_notice, fair_for, frame, path_id, DoneQuery, FairHead, LIST_LIMIT,
};
use crate::auth::guards;
use crate::participations::{self, ParticipationStatus};
use crate::site::session::CsrfForm;
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::{locale, AppState};

struct EmployerRow {
    organization_id: String,
    name: String,
    status: &'static str,
    requested: String,
    may_approve: bool,
    may_reject: bool,
}

#[derive(Template)]
#[template(path = "desk/employers.html")]
struct EmployersPage {
    frame: Frame,
    fair: FairHead,
    rows: Vec<EmployerRow>,
    acts: bool,
    notice: Option<&'static str>,
}

/// `GET /desk/events/{id}/employers`: every employer's request, pending first.
pub async fn list(
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
    let found = state
        .db(move |conn| {
            let event = fair_for(conn, &caller, &id)?;
            let acts = guards::event_staff(conn, &caller, &id).is_ok();
            let query = participations::ListQuery {
                status: None,
                limit: Some(LIST_LIMIT),
                cursor: None,
            };
            let page = participations::list(conn, Some(&caller), &id, query)?;
            Ok((event, acts, page.items))
        })
        .await;
    let (event, acts, mut items) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    items.sort_by_key(|p| p.participation.status != ParticipationStatus::Pending);
    let rows = items
        .into_iter()
        .map(|view| {
            let p = view.participation;
            EmployerRow {
                status: i18n::text(lang, &format!("desk.participation_{}", p.status.as_str())),
                requested: locale::local_time(p.requested_at, &event.province_code, lang),
                may_approve: p.status != ParticipationStatus::Approved,
                may_reject: p.status != ParticipationStatus::Rejected,
                organization_id: p.organization_id,
                name: view.organization_name,
            }
        })
        .collect();
    let page = EmployersPage {
        frame: frame(&visitor, &req, "employers"),
        fair: FairHead::of(&event, lang),
        rows,
        acts,
        notice: done_notice(lang, query.done.as_deref()),
    };
    render(&visitor, StatusCode::OK, &page)
}

/// `POST /desk/events/{id}/employers/{organization_id}/approve|reject`:
/// [`participations::approve`] / [`participations::reject`].
pub async fn decide(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String, String)>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let caller = match caller(&visitor, &req) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (id, organization_id, decision) = path.into_inner();
    let approve = match decision.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return error_page(visitor.lang, StatusCode::NOT_FOUND),
    };
    let (id, organization_id) = match (
        path_id(&visitor, &id, "event"),
        path_id(&visitor, &organization_id, "organization"),
    ) {
        (Ok(id), Ok(organization_id)) => (id, organization_id),
        (Err(response), _) | (_, Err(response)) => return *response,
    };
    let public_url = state.config.mail.public_url.clone();
    let event_id = id.clone();
    let outcome = state
        .db(move |conn| {
            if approve {
                participations::approve(conn, &caller, &event_id, &organization_id, &public_url)
            } else {
                participations::reject(conn, &caller, &event_id, &organization_id, &public_url)
            }
        })
        .await;
    match outcome {
        Ok(_) => redirect(&format!(
            "/desk/events/{id}/employers?done={}",
            if approve { "approved" } else { "rejected" }
        )),
        Err(error) => error_response(&visitor, &error),
    }
}
