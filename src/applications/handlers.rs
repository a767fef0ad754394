//! `/vacancies/{id}/applications`, `/applications/{id}` and `/me/applications`: parse, call the
//! operation of [`crate::applications`], serialize.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{ApplicationStatus, ListFilter};
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::validate::Checker;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    job_seeker_id: Option<String>,
    check_in_code: Option<String>,
    #[serde(default)]
    share_contact: bool,
}

/// `POST /vacancies/{id}/applications`: see [`super::apply`].
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewApplication>,
) -> AppResult<HttpResponse> {
    let vacancy_id = path_id(&id, "vacancy")?;
    let mut c = Checker::new();
    let job_seeker_id = body
        .job_seeker_id
        .map(|raw| crate::validate::uuid(&mut c, "job_seeker_id", raw));
    let check_in_code = body.check_in_code.map(|raw| raw.trim().to_owned());
    if let Some(code) = &check_in_code {
        c.check(!code.is_empty(), "check_in_code", "must not be empty");
    }
    c.finish()?;
    let candidate = super::Candidate::from_fields(job_seeker_id, check_in_code)?;
    let share_contact = body.share_contact;
    let application = state
        .db(move |conn| {
            super::apply(
                conn,
                &caller,
                &vacancy_id,
                candidate.as_ref(),
                share_contact,
            )
        })
        .await?;
    Ok(HttpResponse::Created().json(application))
}

/// `GET /applications/{id}`: see [`super::read`].
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "application")?;
    let application = state
        .db(move |conn| super::read(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(application))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    status: Option<ApplicationStatus>,
}

/// `PATCH /applications/{id}`: see [`super::move_to`].
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "application")?;
    let mut c = Checker::new();
    let to = c.required("status", patch.status);
    c.finish()?;
    let application = state
        .db(move |conn| super::move_to(conn, &caller, &id, to))
        .await?;
    Ok(HttpResponse::Ok().json(application))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<ApplicationStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
}

impl ListQuery {
    fn filter(self) -> AppResult<ListFilter> {
        Ok(ListFilter {
            status: self.status,
            limit: pagination::limit(self.limit)?,
            after: pagination::cursor(self.cursor.as_deref())?,
        })
    }
}

/// `GET /vacancies/{id}/applications`: see [`super::list_for_vacancy`].
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let vacancy_id = path_id(&id, "vacancy")?;
    let filter = query.filter()?;
    let page = state
        .db(move |conn| super::list_for_vacancy(conn, &caller, &vacancy_id, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /me/applications`: see [`super::mine`].
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let filter = query.filter()?;
    let page = state
        .db(move |conn| super::mine(conn, &caller, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
