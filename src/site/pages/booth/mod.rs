//! The employer's booth: `/booth` lists the employer's organizations and the fairs they can
//! join; each fair's booth page holds its vacancies (posted, changed and closed in
//! [`vacancies`]), their applicants' pipeline and the candidates recorded by ticket code
//! ([`applicants`]), the hires reported one by one or from a spreadsheet ([`hires`]), the staff
//! badges ([`badges`]) and the employer's figures ([`metrics`]).
//!
//! Every action calls the domain function the API calls (participations, vacancies,
//! applications, placements, metrics); the pages only turn answers into pages. A page for an
//! organization the visitor does not act for is the friendly 403/404 page, as the domain says.

pub mod applicants;
pub mod badges;
pub mod hires;
pub mod metrics;
pub mod vacancies;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Duration, Utc};

use crate::auth::{guards, AuthUser};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventStatus};
use crate::organizations::OrganizationKind;
use crate::participations::{self, JoinRequest, ParticipationStatus};
use crate::site::pages::seeker::signed_in;
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// The booth's pages. The paths name the organization first: one person may act for several.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/booth").route(web::get().to(home)))
        .service(web::resource("/booth/{org}/fairs/{event}").route(web::get().to(fair)))
        .service(web::resource("/booth/{org}/fairs/{event}/join").route(web::post().to(join)))
        .service(
            web::resource("/booth/{org}/fairs/{event}/vacancies/new")
                .route(web::get().to(vacancies::new_form))
                .route(web::post().to(vacancies::create)),
        )
        .service(
            web::resource("/booth/vacancies/{id}/edit")
                .route(web::get().to(vacancies::edit_form))
                .route(web::post().to(vacancies::update)),
        )
        .service(
            web::resource("/booth/vacancies/{id}/close").route(web::post().to(vacancies::close)),
        )
        .service(
            web::resource("/booth/vacancies/{id}/applicants")
                .route(web::get().to(applicants::pipeline)),
        )
        .service(
            web::resource("/booth/vacancies/{id}/candidates")
                .route(web::post().to(applicants::record)),
        )
        .service(
            web::resource("/booth/applications/{id}/status")
                .route(web::post().to(applicants::move_stage)),
        )
        .service(
            web::resource("/booth/{org}/fairs/{event}/hires")
                .route(web::get().to(hires::page))
                .route(web::post().to(hires::report_one)),
        )
        .service(
            web::resource("/booth/{org}/fairs/{event}/hires/upload")
                .route(web::post().to(hires::upload)),
        )
        .service(
            web::resource("/booth/hires/template.{format}").route(web::get().to(hires::template)),
        )
        .service(
            web::resource("/booth/{org}/fairs/{event}/badges").route(web::get().to(badges::page)),
        )
        .service(web::resource("/booth/{org}/metrics").route(web::get().to(metrics::page)));
}

/// A page's frame: its title and the booth's description.
fn frame(visitor: &Visitor, req: &HttpRequest, title_key: &str) -> Frame {
    let lang = visitor.lang;
    Frame::new(
        visitor,
        req,
        i18n::text(lang, title_key).to_owned(),
        i18n::text(lang, "booth.description").to_owned(),
    )
}

/// The field errors a refused form shows beside its fields, in the visitor's words.
#[derive(Default)]
pub struct FieldErrors(Vec<(String, &'static str)>);

impl FieldErrors {
    /// The fields the domain named in a 422, with the booth's text for each.
    fn of(lang: Language, error: &AppError) -> Self {
        Self(
            error
                .details
                .iter()
                .map(|d| (d.field.clone(), field_text(lang, &d.field)))
                .collect(),
        )
    }

    pub fn get(&self, field: &str) -> Option<&'static str> {
        self.0.iter().find(|(f, _)| f == field).map(|(_, t)| *t)
    }

    pub fn has(&self, field: &str) -> bool {
        self.get(field).is_some()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The words for a refused field.
fn field_text(lang: Language, field: &str) -> &'static str {
    let key = match field {
        "title" => "booth.error_title",
        "occupation_code" => "booth.error_occupation_code",
        "openings" => "booth.error_openings",
        "employment_type" => "booth.error_employment_type",
        "salary_min_idr" | "salary_max_idr" | "salary_idr" => "booth.error_salary",
        "location_province_code" => "booth.error_province",
        "location_city" => "booth.error_city",
        "closes_at" => "booth.error_closes_at",
        "check_in_code" | "job_seeker_id" => "booth.error_check_in_code",
        "start_date" => "booth.error_start_date",
        "vacancy_id" => "booth.error_vacancy",
        "nik" => "booth.error_nik",
        _ => "booth.error_field",
    };
    i18n::text(lang, key)
}

/// The words of a refusal the booth explains (a 409 of the domain), by its code.
fn refusal_text(lang: Language, code: &str) -> Option<&'static str> {
    let key = match code {
        "event_not_open" => "booth.refused_event_not_open",
        "already_participating" => "booth.refused_already_participating",
        "vacancy_closed" => "booth.refused_vacancy_closed",
        "already_applied" => "booth.refused_already_applied",
        "not_checked_in" => "booth.refused_not_checked_in",
        "invalid_transition" => "booth.refused_invalid_transition",
        "already_placed" => "booth.refused_already_placed",
        "application_closed" => "booth.refused_application_closed",
        "not_approved" | "participation_required" => "booth.refused_not_approved",
        _ => return None,
    };
    Some(i18n::text(lang, key))
}

/// A path segment that must be an id; anything else is a missing page.
fn path_id(raw: &str) -> Option<String> {
    crate::extract::path_id(raw, "page").ok()
}

/// The event and organization of a booth page, for a visitor who acts for the organization
/// (the domain's guard: 403 otherwise; an unknown one is 404).
fn booth_of(
    conn: &mut crate::db::DbConn,
    caller: &AuthUser,
    organization_id: &str,
    event_id: &str,
) -> AppResult<(crate::organizations::Organization, Event)> {
    let organization = employer(conn, caller, organization_id)?;
    let event = guards::visible_event(conn, caller, event_id)?;
    Ok((organization, event))
}

/// The employer organization, for a visitor who acts for it.
fn employer(
    conn: &mut crate::db::DbConn,
    caller: &AuthUser,
    organization_id: &str,
) -> AppResult<crate::organizations::Organization> {
    let organization = crate::organizations::find(conn, organization_id)?
        .filter(|o| o.kind == OrganizationKind::Employer)
        .ok_or_else(|| AppError::not_found("employer"))?;
    guards::organization_member(conn, caller, organization_id)?;
    Ok(organization)
}

/// A fair as the booth lists it.
pub struct FairRow {
    pub id: String,
    pub title: String,
    pub when: String,
    pub place: String,
    /// The participation's status in words, if the employer asked to join.
    pub participation: Option<&'static str>,
    pub approved: bool,
    pub may_join: bool,
}

impl FairRow {
    fn new(event: &Event, participation: Option<ParticipationStatus>, lang: Language) -> Self {
        Self {
            id: event.id.clone(),
            title: event.title.clone(),
            when: locale::local_time(event.starts_at, &event.province_code, lang),
            place: event.city.clone(),
            participation: participation
                .map(|p| i18n::text(lang, &format!("booth.participation_{}", p.as_str()))),
            approved: participation == Some(ParticipationStatus::Approved),
            may_join: participation.is_none() && event.status == EventStatus::Published,
        }
    }
}

pub struct OrganizationRow {
    pub id: String,
    pub name: String,
    pub fairs: Vec<FairRow>,
}

#[derive(Template)]
#[template(path = "booth/home.html")]
struct HomePage {
    frame: Frame,
    organizations: Vec<OrganizationRow>,
    notice: Option<&'static str>,
}

/// How many fairs the booth lists: those published, not yet over, soonest first.
const FAIRS_LISTED: i64 = 50;

/// `GET /booth`: the visitor's employer organizations, each with the fairs it takes part in or
/// may join.
pub async fn home(visitor: Visitor, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    home_page(visitor, req, state, None, StatusCode::OK).await
}

async fn home_page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    notice: Option<&'static str>,
    status: StatusCode,
) -> HttpResponse {
    let caller = match signed_in(&visitor, "/booth") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let found = state
        .db(move |conn| {
            guards::role(
                &caller,
                &[crate::auth::Role::Employer, crate::auth::Role::Admin],
            )?;
            let memberships = crate::organizations::memberships_of(conn, &caller.id)?;
            let query = crate::events::ListQuery {
                ends_after: Some(Utc::now() - Duration::days(60)),
                limit: Some(FAIRS_LISTED),
                ..Default::default()
            };
            let events = crate::events::list(conn, Some(&caller), query)?.items;
            let mut rows = Vec::new();
            for m in memberships
                .into_iter()
                .filter(|m| m.kind == OrganizationKind::Employer)
            {
                let mut fairs = Vec::new();
                for event in &events {
                    let participation = participations::find(conn, &event.id, &m.organization_id)?
                        .map(|p| p.participation.status);
                    if participation.is_some() || event.status == EventStatus::Published {
                        fairs.push(FairRow::new(event, participation, lang));
                    }
                }
                rows.push(OrganizationRow {
                    id: m.organization_id,
                    name: m.name,
                    fairs,
                });
            }
            Ok(rows)
        })
        .await;
    match found {
        Ok(organizations) => {
            let page = HomePage {
                frame: frame(&visitor, &req, "booth.home_title"),
                organizations,
                notice,
            };
            render(&visitor, status, &page)
        }
        Err(error) => error_response(&visitor, &error),
    }
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct JoinForm {
    csrf: String,
    booth: String,
}

/// `POST /booth/{org}/fairs/{event}/join`: the employer asks to take part
/// ([`participations::join`]); the organizer decides.
pub async fn join(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<JoinForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, "/booth") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let booth = Some(form.booth.trim().to_owned()).filter(|b| !b.is_empty());
    let public_url = state.config.mail.public_url.clone();
    let back = format!("/booth/{org}/fairs/{event}");
    let outcome = state
        .db(move |conn| {
            let input = JoinRequest {
                organization_id: Some(org),
                booth,
            };
            participations::join(conn, &caller, &event, input, &public_url)
        })
        .await;
    match outcome {
        Ok(_) => redirect(&back),
        Err(error) => match refusal_text(visitor.lang, &error.code) {
            Some(text) => home_page(visitor, req, state, Some(text), error.status).await,
            None => error_response(&visitor, &error),
        },
    }
}

/// A vacancy as the booth lists it.
pub struct VacancyRow {
    pub id: String,
    pub title: String,
    pub occupation: String,
    pub openings: i32,
    pub open: bool,
    pub applicants: i64,
}

#[derive(Template)]
#[template(path = "booth/fair.html")]
struct FairPage {
    frame: Frame,
    organization_id: String,
    organization: String,
    fair: FairRow,
    vacancies: Vec<VacancyRow>,
}

/// `GET /booth/{org}/fairs/{event}`: one fair's booth: the participation, the vacancies with
/// their applicants, and the ways to hires, badges and figures.
pub async fn fair(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (Some(org), Some(event_id)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let found = state
        .db(move |conn| {
            let (organization, event) = booth_of(conn, &caller, &org, &event_id)?;
            let participation =
                participations::find(conn, &event_id, &org)?.map(|p| p.participation.status);
            let vacancies = own_vacancies(conn, &caller, &event_id, &org)?;
            Ok((
                organization,
                FairRow::new(&event, participation, lang),
                vacancies,
            ))
        })
        .await;
    match found {
        Ok((organization, fair, vacancies)) => {
            let page = FairPage {
                frame: frame(&visitor, &req, "booth.fair_title"),
                organization_id: organization.id,
                organization: organization.name,
                fair,
                vacancies,
            };
            render(&visitor, StatusCode::OK, &page)
        }
        Err(error) => error_response(&visitor, &error),
    }
}

/// The employer's vacancies at the fair, with how many applied to each.
fn own_vacancies(
    conn: &mut crate::db::DbConn,
    caller: &AuthUser,
    event_id: &str,
    organization_id: &str,
) -> AppResult<Vec<VacancyRow>> {
    use crate::db::schema::applications;
    use diesel::prelude::*;
    let query = crate::vacancies::ListQuery {
        organization_id: Some(organization_id.to_owned()),
        limit: Some(crate::pagination::MAX_LIMIT),
        ..Default::default()
    };
    let page = crate::vacancies::list(conn, Some(caller), event_id, query)?;
    let mut rows = Vec::new();
    for v in page.items {
        let applicants: i64 = applications::table
            .filter(applications::vacancy_id.eq(&v.id))
            .count()
            .get_result(conn)?;
        rows.push(VacancyRow {
            occupation: occupation_label(&v.occupation_code),
            open: v.status == crate::vacancies::VacancyStatus::Open,
            id: v.id,
            title: v.title,
            openings: v.openings,
            applicants,
        });
    }
    Ok(rows)
}

/// "7212 · Welders and flamecutters".
fn occupation_label(code: &str) -> String {
    match crate::occupations::find(code) {
        Some(o) => format!("{} · {}", o.code, o.title),
        None => code.to_owned(),
    }
}
