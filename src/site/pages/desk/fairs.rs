//! A fair at the desk: its hub, `/desk/events/{id}`, linking to the rest, and the changes of
//! its status: publish it, cancel it, close it with the real spending. Creating and editing it
//! are in [`super::fair_form`]. Each action is the domain function of the API's
//! `/api/v1/events…` handler.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{caller_at, done_notice, fair_for, frame, parse_rupiah, DoneQuery, FairHead};
use crate::auth::{guards, AuthUser};
use crate::error::AppError;
use crate::events::{self, Closing, Event, EventStatus};
use crate::site::session::CsrfForm;
use crate::site::{error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

// ------------------------------------------------------------------------------------ the hub

#[derive(Template)]
#[template(path = "desk/hub.html")]
struct HubPage {
    frame: Frame,
    fair: FairHead,
    capacity: String,
    registrations: String,
    attendees: String,
    budget: String,
    spent: Option<String>,
    target: String,
    /// The caller acts for the fair (its staff or an admin), not only reads it.
    acts: bool,
    status: EventStatus,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    spent_input: String,
    notes_input: String,
    spent_error: Option<&'static str>,
    notes_error: Option<&'static str>,
}

impl HubPage {
    fn may_edit(&self) -> bool {
        self.acts && matches!(self.status, EventStatus::Draft | EventStatus::Published)
    }

    fn may_publish(&self) -> bool {
        self.acts && self.status == EventStatus::Draft
    }

    fn may_close(&self) -> bool {
        self.acts && self.status == EventStatus::Published
    }
}

async fn hub_page(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    caller: AuthUser,
    id: String,
    status: StatusCode,
    fill: impl FnOnce(&mut HubPage),
) -> HttpResponse {
    let found = state
        .db(move |conn| {
            let event = fair_for(conn, &caller, &id)?;
            let acts = guards::event_staff(conn, &caller, &id).is_ok();
            Ok((event, acts))
        })
        .await;
    let (event, acts) = match found {
        Ok(found) => found,
        Err(error) => return error_response(visitor, &error),
    };
    let lang = visitor.lang;
    let mut page = HubPage {
        frame: frame(visitor, req, "hub"),
        fair: FairHead::of(&event, lang),
        capacity: locale::number(event.capacity.into(), lang),
        registrations: locale::number(event.registrations_count.into(), lang),
        attendees: locale::number(event.attendees_count.count(), lang),
        budget: locale::rupiah(event.budget_idr, lang),
        spent: event.spent_idr.map(|n| locale::rupiah(n, lang)),
        target: locale::number(event.target_placements.into(), lang),
        acts,
        status: event.status,
        notice: None,
        problem: None,
        spent_input: String::new(),
        notes_input: String::new(),
        spent_error: None,
        notes_error: None,
    };
    page.frame.title = event.title;
    fill(&mut page);
    render(visitor, status, &page)
}

/// `GET /desk/events/{id}`: the fair's desk hub.
pub async fn hub(
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
    hub_page(&visitor, &req, &state, caller, id, StatusCode::OK, |page| {
        page.notice = notice;
    })
    .await
}

/// The explanation of a refused change of status, shown on the hub (others are error pages).
fn refusal(lang: Language, code: &str) -> Option<&'static str> {
    let key = match code {
        "organization_not_verified" => "desk.refused_not_verified",
        "invalid_transition" => "desk.refused_transition",
        "event_not_started" => "desk.refused_not_started",
        "event_not_editable" => "desk.refused_not_editable",
        _ => return None,
    };
    Some(i18n::text(lang, key))
}

/// Runs a change of status and answers: back to the hub with its notice, the hub with what was
/// refused, or the error page.
async fn change(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    csrf: &str,
    done: &'static str,
    act: impl FnOnce(&mut crate::db::DbConn, &AuthUser, &str) -> Result<Event, AppError>
        + Send
        + 'static,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(csrf) {
        return error_response(&visitor, &error);
    }
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let acting = caller.clone();
    let event_id = id.clone();
    let outcome = state.db(move |conn| act(conn, &acting, &event_id)).await;
    match outcome {
        Ok(_) => redirect(&format!("/desk/events/{id}?done={done}")),
        Err(error) => match refusal(visitor.lang, &error.code) {
            Some(text) => {
                hub_page(&visitor, &req, &state, caller, id, error.status, |page| {
                    page.problem = Some(text);
                })
                .await
            }
            None => error_response(&visitor, &error),
        },
    }
}

/// `POST /desk/events/{id}/publish`: [`events::publish`]; an organization not verified yet is
/// explained on the hub (409 `organization_not_verified`).
pub async fn publish(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    change(
        visitor,
        req,
        state,
        id,
        &form.csrf,
        "published",
        events::publish,
    )
    .await
}

/// `POST /desk/events/{id}/cancel`: [`events::cancel`] (the API takes no reason).
pub async fn cancel(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    let public_url = state.config.mail.public_url.clone();
    change(
        visitor,
        req,
        state,
        id,
        &form.csrf,
        "cancelled",
        move |c, u, id| events::cancel(c, u, id, &public_url),
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CloseForm {
    csrf: String,
    spent: String,
    notes: String,
}

/// `POST /desk/events/{id}/close`: [`events::close`] with the real spending, typed as people
/// write rupiah (`Rp 1.250.000`). A spending that cannot be read, or that the domain refuses, is
/// shown beside its field.
pub async fn close(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CloseForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let spent = parse_rupiah(&form.spent);
    let closing = Closing {
        spent_idr: spent,
        notes: Some(form.notes.clone()).filter(|n| !n.trim().is_empty()),
    };
    let outcome = match spent {
        Some(_) => {
            let (acting, event_id) = (caller.clone(), id.clone());
            state
                .db(move |conn| events::close(conn, &acting, &event_id, closing))
                .await
        }
        None => Err(AppError::invalid_field("spent_idr", "is not an amount")),
    };
    let error = match outcome {
        Ok(_) => return redirect(&format!("/desk/events/{id}?done=closed")),
        Err(error) => error,
    };
    if error.details.is_empty() {
        return match refusal(lang, &error.code) {
            Some(text) => {
                hub_page(&visitor, &req, &state, caller, id, error.status, |page| {
                    page.problem = Some(text);
                })
                .await
            }
            None => error_response(&visitor, &error),
        };
    }
    let failed = |field: &str| error.details.iter().any(|d| d.field == field);
    let spent_error = failed("spent_idr").then(|| i18n::text(lang, "desk.error_spent"));
    let notes_error = failed("notes").then(|| i18n::text(lang, "desk.error_notes"));
    hub_page(&visitor, &req, &state, caller, id, error.status, |page| {
        page.spent_input = form.spent;
        page.notes_input = form.notes;
        page.spent_error = spent_error;
        page.notes_error = notes_error;
    })
    .await
}
