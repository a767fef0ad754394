//! `/placements/{id}/follow-ups`: a verified hire's retention checks (90 and 180 days after the
//! start), for each party to it: the employer, the job seeker and the fair's staff. The page
//! lists what was recorded and records one more, through [`follow_ups::record`] as the API does;
//! the reminder emails link here.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use crate::auth::AuthUser;
use crate::db::schema::job_seekers;
use crate::error::AppError;
use crate::follow_ups::{self, NewFollowUp, Source};
use crate::placements::{self, PlacementStatus};
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(
        web::resource("/placements/{id}/follow-ups")
            .route(web::get().to(show))
            .route(web::post().to(record)),
    );
}

/// One recorded check, as the list shows it.
struct Row {
    checked_on: String,
    employed: &'static str,
    source: &'static str,
    counts_for: String,
}

/// What the form holds, sent back with its errors.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FollowUpForm {
    csrf: String,
    checked_on: String,
    employed: String,
    same_employer: String,
}

#[derive(Template)]
#[template(path = "follow_up/show.html")]
struct FollowUpPage {
    frame: Frame,
    id: String,
    position: String,
    employer: String,
    job_seeker: String,
    start_date: String,
    due_90: String,
    due_180: String,
    /// The hire counts (confirmed or verified): only then does it take follow-ups.
    open: bool,
    rows: Vec<Row>,
    form: FollowUpForm,
    /// Field name → message, for the fields the domain refused.
    errors: Vec<(&'static str, &'static str)>,
    saved: bool,
}

impl FollowUpPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| *m)
    }

    fn checked(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "employed" => &self.form.employed,
            _ => &self.form.same_employer,
        };
        current == value
    }
}

/// The source a caller records as: who they are to the hire (the job seeker first, then the
/// employer, then staff, for the rare account that is more than one).
fn source_of(found: &follow_ups::Found) -> Option<Source> {
    [Source::JobSeeker, Source::Employer, Source::Staff]
        .into_iter()
        .find(|source| found.may_record(*source))
}

async fn page(
    visitor: &Visitor,
    req: &HttpRequest,
    state: &AppState,
    caller: AuthUser,
    id: String,
    status: StatusCode,
    fill: impl FnOnce(&mut FollowUpPage),
) -> HttpResponse {
    let lang = visitor.lang;
    let lookup = id.clone();
    let found = state
        .db(move |conn| {
            let (row, access) = placements::find_as_party(conn, &lookup, &caller)?;
            let view = placements::PlacementView::new(row, access.sees_flags());
            let checks = follow_ups::of_placement_for(conn, &caller, &lookup)?;
            let name: String = job_seekers::table
                .find(&view.placement.job_seeker_id)
                .select(job_seekers::full_name)
                .first(conn)?;
            Ok((view, checks, name))
        })
        .await;
    let (view, checks, name) = match found {
        Ok(found) => found,
        Err(error) => return error_response(visitor, &error),
    };
    let start = view.placement.start_date;
    let rows = checks
        .into_iter()
        .map(|check| Row {
            checked_on: locale::date(check.follow_up.checked_on, lang),
            employed: match (check.follow_up.employed, check.follow_up.same_employer) {
                (true, true) => i18n::text(lang, "follow_up.employed_same"),
                (true, false) => i18n::text(lang, "follow_up.employed_elsewhere"),
                _ => i18n::text(lang, "follow_up.not_employed"),
            },
            source: i18n::text(
                lang,
                &format!("follow_up.source_{}", check.follow_up.source.as_str()),
            ),
            counts_for: if check.counts_for.is_empty() {
                "–".to_owned()
            } else {
                check
                    .counts_for
                    .iter()
                    .map(|days| i18n::fill(lang, "follow_up.days", &[("days", &days.to_string())]))
                    .collect::<Vec<_>>()
                    .join(", ")
            },
        })
        .collect();
    let mut page = FollowUpPage {
        frame: Frame::new(
            visitor,
            req,
            i18n::text(lang, "follow_up.title").to_owned(),
            i18n::text(lang, "follow_up.description").to_owned(),
        ),
        id,
        position: view.vacancy_title,
        employer: view.employer_name,
        job_seeker: crate::job_seekers::names::short_name(&name),
        start_date: locale::date(start, lang),
        due_90: locale::date(follow_ups::due_date(start, 90), lang),
        due_180: locale::date(follow_ups::due_date(start, 180), lang),
        open: matches!(
            view.placement.status,
            PlacementStatus::Confirmed | PlacementStatus::Verified
        ),
        rows,
        form: FollowUpForm {
            checked_on: chrono::Utc::now().date_naive().to_string(),
            ..Default::default()
        },
        errors: Vec::new(),
        saved: false,
    };
    fill(&mut page);
    render(visitor, status, &page)
}

/// The caller, or the way to sign in and come back.
fn caller_or_sign_in(visitor: &Visitor, id: &str) -> Result<AuthUser, Box<HttpResponse>> {
    super::seeker::signed_in(visitor, &format!("/placements/{id}/follow-ups"))
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ShowQuery {
    saved: Option<String>,
}

/// `GET /placements/{id}/follow-ups`: for the hire's parties (anyone else: not found).
pub async fn show(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<ShowQuery>,
) -> HttpResponse {
    let Ok(id) = crate::extract::path_id(&id, "placement") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match caller_or_sign_in(&visitor, &id) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let saved = query.saved.is_some();
    page(&visitor, &req, &state, caller, id, StatusCode::OK, |page| {
        page.saved = saved;
    })
    .await
}

/// A form's answer as the domain takes it; a field left empty or unreadable is `None`, which
/// the domain refuses as that field's error.
fn to_input(form: &FollowUpForm, source: Source) -> NewFollowUp {
    let answer = |raw: &str| match raw {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    };
    let employed = answer(&form.employed);
    NewFollowUp {
        checked_on: NaiveDate::parse_from_str(form.checked_on.trim(), "%Y-%m-%d").ok(),
        employed,
        // Not employed: not with the same employer either (the question is skipped).
        same_employer: match employed {
            Some(false) => Some(false),
            _ => answer(&form.same_employer),
        },
        source: Some(source),
    }
}

/// The message beside each field the domain refused.
fn field_errors(lang: Language, error: &AppError) -> Vec<(&'static str, &'static str)> {
    ["checked_on", "employed", "same_employer"]
        .into_iter()
        .filter(|field| error.details.iter().any(|d| d.field == *field))
        .map(|field| (field, i18n::text(lang, &format!("follow_up.error_{field}"))))
        .collect()
}

/// `POST /placements/{id}/follow-ups`: records a check as the caller's own source.
pub async fn record(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<FollowUpForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(id) = crate::extract::path_id(&id, "placement") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match caller_or_sign_in(&visitor, &id) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let form = form.into_inner();
    let (who, placement, submitted) = (caller.clone(), id.clone(), form.clone());
    let outcome = state
        .db(move |conn| {
            let found = follow_ups::find_for(conn, &placement, &who)?;
            let source = source_of(&found)
                .ok_or_else(|| AppError::forbidden("you are no party to this hire"))?;
            follow_ups::record(conn, &who, &placement, to_input(&submitted, source))
        })
        .await;
    match outcome {
        Ok(_) => redirect(&format!("/placements/{id}/follow-ups?saved=1")),
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = field_errors(visitor.lang, &error);
            let status = error.status;
            page(&visitor, &req, &state, caller, id, status, |page| {
                page.form = form;
                page.errors = errors;
            })
            .await
        }
        Err(error) => error_response(&visitor, &error),
    }
}
