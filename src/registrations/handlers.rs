//! `/events/{id}/registrations`, `/events/{id}/check-ins`, `/events/{id}/walk-ins`,
//! `/registrations/{id}/qr.svg` and `/me/registrations`. Each handler parses, calls its
//! operation in [`super::operations`] and serializes.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::lists::{self, ListFilter};
use super::operations;
use crate::auth::AuthUser;
use crate::door::{DoorCaller, DoorToken};
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::job_seekers::NewJobSeeker;
use crate::pagination;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    job_seeker_id: Option<String>,
}

/// `POST /events/{id}/registrations`: 201 with the registration, or 200 with the existing one
/// on a repeat. See [`operations::register`].
pub async fn register(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let public_url = state.config.mail.public_url.clone();
    let (registration, created) = state
        .db(move |conn| {
            operations::register(conn, &caller, &event_id, body.job_seeker_id, &public_url)
        })
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(registration))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    check_in_code: Option<String>,
}

/// `POST /events/{id}/check-ins`: the fair-day hot path, for staff and door passes. See
/// [`operations::scan`].
pub async fn check_in(
    state: web::Data<AppState>,
    door: DoorToken,
    id: web::Path<String>,
    ApiJson(body): ApiJson<CheckInBody>,
) -> AppResult<HttpResponse> {
    // The busiest write: who is at the door is checked in the same database call, in the
    // query that reads the event.
    let check_in = state
        .db(move |conn| operations::scan(conn, door, &id, body.check_in_code))
        .await?;
    Ok(HttpResponse::Ok().json(check_in))
}

/// `POST /events/{id}/walk-ins`: 201 when a registration was created, 200 when the person was
/// registered already. See [`operations::walk_in`].
pub async fn walk_in(
    state: web::Data<AppState>,
    caller: DoorCaller,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewJobSeeker>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let nik_key = state.nik_key.clone();
    let walk_in = state
        .db(move |conn| operations::walk_in(conn, &caller, &event_id, body, &nik_key))
        .await?;
    let mut response = if walk_in.registration_created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(walk_in))
}

/// `GET /registrations/{id}/qr.svg`: see [`operations::qr_code`].
pub async fn qr(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "registration")?;
    let code = state
        .db(move |conn| operations::qr_code(conn, &caller, &id))
        .await?;
    let svg = super::qr_svg(&code)?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    checked_in: Option<bool>,
    q: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /events/{id}/registrations`: see [`lists::list`].
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let filter = ListFilter {
        checked_in: query.checked_in,
        q: query.q,
        limit: pagination::limit(query.limit)?,
        after: pagination::cursor(query.cursor.as_deref())?,
    };
    let page = state
        .db(move |conn| lists::list(conn, &caller, &event_id, filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /me/registrations`: see [`lists::mine`].
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<MyListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| lists::mine(conn, &caller, limit, after))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
