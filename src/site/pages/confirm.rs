//! `/placement-confirmations/{token}`: the page behind every link to a reported hire, emailed,
//! sent by WhatsApp or handed over by staff. The job seeker sees the claim and answers *Ya, benar*
//! (confirm) or *Tidak benar* (dispute, with a reason), without an account and without
//! JavaScript. Opening the page changes nothing (mail scanners fetch links); only the form does.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::error::AppError;
use crate::placements::{self, Claim, Decision};
use crate::site::{i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::AppState;

/// The claim as the page shows it.
struct ClaimView {
    employer: String,
    position: String,
    event: String,
    start_date: String,
    contract: &'static str,
    salary: String,
    name: String,
}

impl ClaimView {
    fn of(claim: &Claim, lang: Language) -> Self {
        Self {
            employer: claim.employer_name.clone(),
            position: claim.position.clone(),
            event: claim.event_title.clone(),
            start_date: crate::locale::date(claim.start_date, lang),
            contract: i18n::text(lang, &format!("contract.{}", claim.contract_type.as_str())),
            salary: crate::locale::rupiah(claim.salary_idr, lang),
            name: claim.job_seeker_name.clone(),
        }
    }
}

#[derive(Template)]
#[template(path = "confirm.html")]
struct ConfirmPage {
    frame: Frame,
    claim: ClaimView,
    token: String,
    reason: String,
    reason_error: Option<String>,
}

#[derive(Template)]
#[template(path = "confirm_done.html")]
struct DonePage {
    frame: Frame,
    heading: &'static str,
    text: &'static str,
}

/// Why a link cannot be answered, as a page that says what to do next.
fn dead_link(visitor: &Visitor, req: &HttpRequest, error: &AppError) -> HttpResponse {
    let (status, key) = match error.code.as_ref() {
        "link_used" => (StatusCode::GONE, "used"),
        "link_expired" => (StatusCode::GONE, "expired"),
        "link_closed" => (StatusCode::GONE, "closed"),
        "not_found" => (StatusCode::NOT_FOUND, "unknown"),
        _ => return crate::site::error_response(visitor, error),
    };
    let lang = visitor.lang;
    let heading = i18n::text(lang, &format!("confirm.{key}_heading"));
    let page = DonePage {
        frame: Frame::new(visitor, req, heading.to_owned(), heading.to_owned()),
        heading,
        text: i18n::text(lang, &format!("confirm.{key}_text")),
    };
    render(visitor, status, &page)
}

fn confirm_page(
    visitor: &Visitor,
    req: &HttpRequest,
    claim: &Claim,
    token: String,
    reason: String,
    reason_error: Option<String>,
) -> ConfirmPage {
    let lang = visitor.lang;
    let title = i18n::fill(lang, "confirm.title", &[("employer", &claim.employer_name)]);
    ConfirmPage {
        frame: Frame::new(
            visitor,
            req,
            title,
            i18n::text(lang, "confirm.description").to_owned(),
        ),
        claim: ClaimView::of(claim, lang),
        token,
        reason,
        reason_error,
    }
}

/// `GET`: the claim and the two answers.
pub async fn show(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
    token: web::Path<String>,
) -> HttpResponse {
    let token = token.into_inner();
    let lookup = token.clone();
    match state
        .db(move |conn| placements::show_claim(conn, &lookup))
        .await
    {
        Ok(claim) => {
            let page = confirm_page(&visitor, &req, &claim, token, String::new(), None);
            render(&visitor, StatusCode::OK, &page)
        }
        Err(error) => dead_link(&visitor, &req, &error),
    }
}

#[derive(Deserialize)]
pub struct AnswerForm {
    csrf: String,
    decision: Option<Decision>,
    reason: Option<String>,
}

/// `POST`: confirm, or dispute with a reason; the same domain function as the API's link.
pub async fn answer(
    state: web::Data<AppState>,
    visitor: Visitor,
    req: HttpRequest,
    token: web::Path<String>,
    form: web::Form<AnswerForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return crate::site::error_response(&visitor, &error);
    }
    let token = token.into_inner();
    // A confirm button sends no reason; a dispute sends the text area, maybe empty.
    let reason = match form.decision {
        Some(Decision::Confirm) => None,
        _ => form.reason.clone(),
    };
    let typed = form.reason.unwrap_or_default();
    let answer = placements::link_answer(form.decision, reason);
    let (decision, details) = match answer {
        Ok(answer) => answer,
        Err(error) => {
            // The only field a person can get wrong here is the reason.
            let lookup = token.clone();
            return match state
                .db(move |conn| placements::show_claim(conn, &lookup))
                .await
            {
                Ok(claim) => {
                    let message = i18n::text(visitor.lang, "confirm.reason_required").to_owned();
                    let page = confirm_page(&visitor, &req, &claim, token, typed, Some(message));
                    render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page)
                }
                Err(_) => crate::site::error_response(&visitor, &error),
            };
        }
    };
    let public_url = state.config.mail.public_url.clone();
    let result = state
        .db(move |conn| placements::answer_claim(conn, &token, decision, &details, &public_url))
        .await;
    match result {
        Ok(_) => {
            let lang = visitor.lang;
            let key = match decision {
                Decision::Confirm => "confirmed",
                Decision::Dispute => "disputed",
            };
            let heading = i18n::text(lang, &format!("confirm.{key}_heading"));
            let page = DonePage {
                frame: Frame::new(&visitor, &req, heading.to_owned(), heading.to_owned()),
                heading,
                text: i18n::text(lang, &format!("confirm.{key}_text")),
            };
            render(&visitor, StatusCode::OK, &page)
        }
        Err(error) => dead_link(&visitor, &req, &error),
    }
}
