//! `/events/{id}/employers`: employers join fairs; organizers approve or reject them. Each
//! handler parses, calls the operation of [`crate::participations`] and serializes its answer.

use actix_web::{web, HttpResponse};

use super::{JoinRequest, ListQuery};
use crate::auth::{AuthUser, Caller};
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::AppState;

/// `POST /events/{id}/employers`: see [`super::join`].
pub async fn join(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<JoinRequest>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let public_url = state.config.mail.public_url.clone();
    let participation = state
        .db(move |conn| super::join(conn, &caller, &event_id, body, &public_url))
        .await?;
    Ok(HttpResponse::Created().json(participation))
}

fn ids(path: web::Path<(String, String)>) -> AppResult<(String, String)> {
    let (event_id, organization_id) = path.into_inner();
    Ok((
        path_id(&event_id, "event")?,
        path_id(&organization_id, "participation")?,
    ))
}

/// `POST /events/{id}/employers/{organization_id}/approve`: see [`super::approve`].
pub async fn approve(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (event_id, organization_id) = ids(path)?;
    let public_url = state.config.mail.public_url.clone();
    let participation = state
        .db(move |conn| super::approve(conn, &caller, &event_id, &organization_id, &public_url))
        .await?;
    Ok(HttpResponse::Ok().json(participation))
}

/// `POST /events/{id}/employers/{organization_id}/reject`: see [`super::reject`].
pub async fn reject(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (event_id, organization_id) = ids(path)?;
    let public_url = state.config.mail.public_url.clone();
    let participation = state
        .db(move |conn| super::reject(conn, &caller, &event_id, &organization_id, &public_url))
        .await?;
    Ok(HttpResponse::Ok().json(participation))
}

/// `GET /events/{id}/employers`: see [`super::list`].
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
