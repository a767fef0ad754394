//! `/events`: create, read, list, update, publish, cancel and close job fair events. Each
//! handler parses, calls the operation of [`crate::events`] and serializes its answer.

use actix_web::{web, HttpResponse};

use super::{Closing, EventPatch, ListQuery, NewEvent};
use crate::auth::{AuthUser, Caller, CallerToken};
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::AppState;

/// `POST /events`: see [`super::create`].
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewEvent>,
) -> AppResult<HttpResponse> {
    let event = state
        .db(move |conn| super::create(conn, &caller, body))
        .await?;
    Ok(HttpResponse::Created().json(event))
}

/// `GET /events/{id}`: see [`super::get`]. A hot read: the caller's account is read in the
/// same database call.
pub async fn get(
    state: web::Data<AppState>,
    caller: CallerToken,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event = state
        .db(move |conn| match path_id(&id, "event") {
            Ok(id) => super::get_for_token(conn, caller, &id),
            // A token that no longer speaks for its account is 401 first, whatever the path.
            Err(not_found) => Err(caller.check(conn).err().unwrap_or(not_found)),
        })
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

/// `PATCH /events/{id}`: see [`super::update`].
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<EventPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let public_url = state.config.mail.public_url.clone();
    let event = state
        .db(move |conn| super::update(conn, &caller, &id, patch, &public_url))
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

/// `GET /events`: see [`super::list`].
pub async fn list(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let page = state
        .db(move |conn| super::list(conn, caller.as_ref(), query))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `POST /events/{id}/publish`: see [`super::publish`].
pub async fn publish(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let event = state
        .db(move |conn| super::publish(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

/// `POST /events/{id}/cancel`: see [`super::cancel`].
pub async fn cancel(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let public_url = state.config.mail.public_url.clone();
    let event = state
        .db(move |conn| super::cancel(conn, &caller, &id, &public_url))
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

/// `POST /events/{id}/close`: see [`super::close`].
pub async fn close(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<Closing>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let event = state
        .db(move |conn| super::close(conn, &caller, &id, body))
        .await?;
    Ok(HttpResponse::Ok().json(event))
}
