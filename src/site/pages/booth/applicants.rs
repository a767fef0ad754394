//! A vacancy's applicants: the pipeline (each application's stage, its history in the fair's
//! local time, the moves the domain allows next), and candidates recorded at the booth by the
//! code on their ticket, typed or scanned ([`crate::applications::apply`] with a
//! [`Candidate::CheckInCode`]; the server forgives case and look-alikes).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{frame, occupation_label, path_id, refusal_text, FieldErrors};
use crate::applications::{self as application_ops, ApplicationStatus, Candidate, ListFilter};
use crate::error::{AppError, AppResult};
use crate::site::pages::seeker::signed_in;
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

pub struct Step {
    pub status: &'static str,
    pub at: String,
}

/// A move the domain allows from an application's stage.
pub struct Move {
    pub to: &'static str,
    pub label: &'static str,
    pub danger: bool,
}

pub struct ApplicantRow {
    pub id: String,
    pub name: String,
    pub status: &'static str,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub history: Vec<Step>,
    pub moves: Vec<Move>,
    pub may_hire: bool,
}

#[derive(Template)]
#[template(path = "booth/applicants.html")]
struct PipelinePage {
    frame: Frame,
    vacancy_id: String,
    vacancy: String,
    occupation: String,
    back: String,
    hires: String,
    rows: Vec<ApplicantRow>,
    code: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
}

fn status_text(lang: Language, status: ApplicationStatus) -> &'static str {
    i18n::text(lang, &format!("application_status.{}", status.as_str()))
}

/// The moves an employer may make from `from`, as the domain's rule allows
/// ([`ApplicationStatus::can_become`] and [`ApplicationStatus::mover`]).
fn moves(lang: Language, from: ApplicationStatus) -> Vec<Move> {
    ApplicationStatus::ALL
        .iter()
        .filter(|to| to.mover() == application_ops::Mover::Employer && from.can_become(**to))
        .map(|to| Move {
            to: to.as_str(),
            label: i18n::text(lang, &format!("booth.move_to_{}", to.as_str())),
            danger: *to == ApplicationStatus::Rejected,
        })
        .collect()
}

struct Pipeline {
    vacancy: crate::vacancies::Vacancy,
    rows: Vec<ApplicantRow>,
}

/// The vacancy's applicants for a member of its employer (the domain's guard of
/// [`application_ops::list_for_vacancy`]; an organizer also reads them through the API).
fn pipeline_of(
    conn: &mut crate::db::DbConn,
    caller: &crate::auth::AuthUser,
    vacancy_id: &str,
    lang: Language,
) -> AppResult<Pipeline> {
    let vacancy = crate::vacancies::get(conn, Some(caller), vacancy_id)?;
    super::employer(conn, caller, &vacancy.organization_id)?;
    let event = crate::events::find(conn, &vacancy.event_id)?
        .ok_or_else(|| AppError::not_found("event"))?;
    let filter = ListFilter {
        limit: crate::pagination::MAX_LIMIT,
        ..Default::default()
    };
    let page = application_ops::list_for_vacancy(conn, caller, vacancy_id, &filter)?;
    let mut rows = Vec::new();
    for a in page.items {
        let history = application_ops::history(conn, &a.application.id)?;
        let status = a.application.status;
        rows.push(ApplicantRow {
            id: a.application.id.clone(),
            name: a.job_seeker.full_name.clone(),
            status: status_text(lang, status),
            phone: a.job_seeker.phone.clone(),
            email: a.job_seeker.email.clone(),
            history: history
                .into_iter()
                .map(|t| Step {
                    status: status_text(lang, t.status),
                    at: locale::local_time(t.at, &event.province_code, lang),
                })
                .collect(),
            moves: moves(lang, status),
            may_hire: status.is_open(),
        });
    }
    Ok(Pipeline { vacancy, rows })
}

#[allow(clippy::too_many_arguments)]
async fn pipeline_page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    vacancy_id: String,
    code: String,
    errors: FieldErrors,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    status: StatusCode,
) -> HttpResponse {
    let caller = match signed_in(
        &visitor,
        &format!("/booth/vacancies/{vacancy_id}/applicants"),
    ) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let id = vacancy_id.clone();
    let found = state
        .db(move |conn| pipeline_of(conn, &caller, &id, lang))
        .await;
    match found {
        Ok(p) => {
            let back = format!(
                "/booth/{}/fairs/{}",
                p.vacancy.organization_id, p.vacancy.event_id
            );
            let page = PipelinePage {
                frame: frame(&visitor, &req, "booth.applicants_title"),
                hires: format!("{back}/hires?vacancy={}", p.vacancy.id),
                back,
                vacancy_id,
                vacancy: p.vacancy.title.clone(),
                occupation: occupation_label(&p.vacancy.occupation_code),
                rows: p.rows,
                code,
                errors,
                notice,
                problem,
            };
            render(&visitor, status, &page)
        }
        Err(error) => error_response(&visitor, &error),
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct PipelineQuery {
    recorded: Option<String>,
}

/// `GET /booth/vacancies/{id}/applicants`: the pipeline and the candidate form.
pub async fn pipeline(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<PipelineQuery>,
) -> HttpResponse {
    let Some(id) = path_id(&id) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let notice = query
        .recorded
        .as_ref()
        .map(|_| i18n::text(visitor.lang, "booth.candidate_recorded"));
    pipeline_page(
        visitor,
        req,
        state,
        id,
        String::new(),
        FieldErrors::default(),
        notice,
        None,
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct CandidateForm {
    csrf: String,
    check_in_code: String,
}

/// `POST /booth/vacancies/{id}/candidates`: records the candidate whose ticket code was typed
/// or scanned; a code of no registration of this fair is an error beside the field.
pub async fn record(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CandidateForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Some(vacancy_id) = path_id(&id) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(
        &visitor,
        &format!("/booth/vacancies/{vacancy_id}/applicants"),
    ) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let code = form.check_in_code.trim().to_owned();
    let candidate = Candidate::CheckInCode(code.clone());
    let lookup = vacancy_id.clone();
    let outcome = if code.is_empty() {
        Err(AppError::invalid_field(
            "check_in_code",
            "must not be empty",
        ))
    } else {
        state
            .db(move |conn| application_ops::apply(conn, &caller, &lookup, Some(&candidate), false))
            .await
    };
    match outcome {
        Ok(view) => redirect(&format!(
            "/booth/vacancies/{vacancy_id}/applicants?recorded=1#application-{}",
            view.summary.application.id
        )),
        Err(error) if error.status == StatusCode::UNPROCESSABLE_ENTITY => {
            let errors = FieldErrors::of(visitor.lang, &error);
            pipeline_page(
                visitor,
                req,
                state,
                vacancy_id,
                code,
                errors,
                None,
                None,
                error.status,
            )
            .await
        }
        Err(error) => match refusal_text(visitor.lang, &error.code) {
            Some(text) => {
                pipeline_page(
                    visitor,
                    req,
                    state,
                    vacancy_id,
                    code,
                    FieldErrors::default(),
                    None,
                    Some(text),
                    error.status,
                )
                .await
            }
            None => error_response(&visitor, &error),
        },
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct MoveForm {
    csrf: String,
    status: String,
}

/// `POST /booth/applications/{id}/status`: moves the application ([`application_ops::move_to`],
/// whose rule says which moves exist).
pub async fn move_stage(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<MoveForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Some(id) = path_id(&id) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, "/booth") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let Some(to) = ApplicationStatus::parse(&form.status) else {
        return error_page(visitor.lang, StatusCode::BAD_REQUEST);
    };
    let lookup = id.clone();
    let vacancy_caller = caller.clone();
    let outcome = state
        .db(move |conn| application_ops::move_to(conn, &caller, &lookup, to))
        .await;
    match outcome {
        Ok(view) => redirect(&format!(
            "/booth/vacancies/{}/applicants#application-{id}",
            view.summary.application.vacancy_id
        )),
        Err(error) if error.code == "invalid_transition" => {
            let found = state
                .db(move |conn| application_ops::read(conn, &vacancy_caller, &id))
                .await;
            match found {
                Ok(view) => {
                    let text = refusal_text(visitor.lang, &error.code);
                    pipeline_page(
                        visitor,
                        req,
                        state,
                        view.summary.application.vacancy_id,
                        String::new(),
                        FieldErrors::default(),
                        None,
                        text,
                        error.status,
                    )
                    .await
                }
                Err(error) => error_response(&visitor, &error),
            }
        }
        Err(error) => error_response(&visitor, &error),
    }
}
