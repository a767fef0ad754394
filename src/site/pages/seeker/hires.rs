//! The hires employers reported for the job seeker, to confirm or dispute.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{frame, signed_in, LIST_LIMIT};
use crate::auth::AuthUser;
use crate::events::Event;
use crate::placements::{self, Action, Decision, PlacementStatus, PlacementView};
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

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
