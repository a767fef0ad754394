//! `/nik-claims`: file a claim to a squatted NIK, list and decide claims. Each handler parses,
//! calls its operation in [`super::claims`] and serializes.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::claims::{self, ClaimStatus, Decision, NewClaim};
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::AppState;

/// `POST /nik-claims`: see [`claims::file`].
pub async fn file(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewClaim>,
) -> AppResult<HttpResponse> {
    let nik_key = state.nik_key.clone();
    let claim = state
        .db(move |conn| claims::file(conn, &caller, body, &nik_key))
        .await?;
    Ok(HttpResponse::Created().json(claim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<ClaimStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /nik-claims`: see [`claims::list`].
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| claims::list(conn, &caller, query.status, limit, after))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `GET /me/nik-claims`: see [`claims::mine`].
pub async fn mine(state: web::Data<AppState>, caller: AuthUser) -> AppResult<HttpResponse> {
    let claims = state.db(move |conn| claims::mine(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": claims })))
}

/// `POST /nik-claims/{id}/approve`: see [`claims::approve`].
pub async fn approve(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<Decision>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "NIK claim")?;
    let claim = state
        .db(move |conn| claims::approve(conn, &caller, &id, body))
        .await?;
    Ok(HttpResponse::Ok().json(claim))
}

/// `POST /nik-claims/{id}/reject`: see [`claims::reject`].
pub async fn reject(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<Decision>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "NIK claim")?;
    let claim = state
        .db(move |conn| claims::reject(conn, &caller, &id, body))
        .await?;
    Ok(HttpResponse::Ok().json(claim))
}
