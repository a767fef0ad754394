//! `/events/{id}/vacancies` and `/vacancies/{id}`: post, read, list, change and close vacancies.
//! Each handler parses, calls the operation of [`crate::vacancies`] and serializes its answer.

use actix_web::{web, HttpResponse};

use super::{ListQuery, NewVacancy, VacancyPatch};
use crate::auth::{AuthUser, Caller};
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::AppState;

/// `POST /events/{id}/vacancies`: see [`super::create`].
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewVacancy>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let vacancy = state
        .db(move |conn| super::create(conn, &caller, &event_id, body))
        .await?;
    Ok(HttpResponse::Created().json(vacancy))
}

/// `GET /vacancies/{id}`: see [`super::get`].
pub async fn get(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "vacancy")?;
    let vacancy = state
        .db(move |conn| super::get(conn, caller.as_ref(), &id))
        .await?;
    Ok(HttpResponse::Ok().json(vacancy))
}

/// `GET /events/{id}/vacancies`: see [`super::list`].
pub async fn list(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let page = state
        .db(move |conn| super::list(conn, caller.as_ref(), &event_id, query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `PATCH /vacancies/{id}`: see [`super::update`].
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<VacancyPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "vacancy")?;
    let vacancy = state
        .db(move |conn| super::update(conn, &caller, &id, patch))
        .await?;
    Ok(HttpResponse::Ok().json(vacancy))
}

/// `POST /vacancies/{id}/close`: see [`super::close`].
pub async fn close(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "vacancy")?;
    let vacancy = state
        .db(move |conn| super::close(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(vacancy))
}
