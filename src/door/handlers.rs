//! `/events/{id}/door-passes`, `/door-passes/{id}/revoke`, `/events/{id}/check-in-list` and
//! `/events/{id}/check-ins/batch`. Each handler parses, calls its operation and serializes.

use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::batch::{self, ScanInput, ScanResult};
use super::check_in_list::{self, ListQuery};
use super::{passes, DoorCaller};
use crate::auth::AuthUser;
use crate::error::{AppError, AppResult};
use crate::extract::{is_json_request, parse_json, path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::validate::time_filter;
use crate::AppState;

/// The largest upload of scans: room for [`batch::MAX_SCANS`] scans with the longest fields.
/// Other routes keep the smaller `BURSA_MAX_BODY_BYTES`.
pub const MAX_BATCH_BYTES: usize = 256 * 1024;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IssueBody {
    label: Option<String>,
}

/// `POST /events/{id}/door-passes`: 201 with the pass, its token and QR code (shown this once).
/// See [`passes::issue`].
pub async fn issue(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<IssueBody>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let issued = state
        .db(move |conn| passes::issue(conn, &caller, &event_id, body.label))
        .await?;
    Ok(HttpResponse::Created()
        .insert_header(("Cache-Control", "no-store"))
        .json(issued))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PageQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /events/{id}/door-passes`: see [`passes::list`].
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<PageQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| passes::list(conn, &caller, &event_id, limit, after))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// `POST /door-passes/{id}/revoke`: see [`passes::revoke`].
pub async fn revoke(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let pass_id = path_id(&id, "door pass")?;
    let pass = state
        .db(move |conn| passes::revoke(conn, &caller, &pass_id))
        .await?;
    Ok(HttpResponse::Ok().json(pass))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInListQuery {
    since: Option<DateTime<Utc>>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /events/{id}/check-in-list`: see [`check_in_list::list`].
pub async fn check_in_list(
    state: web::Data<AppState>,
    door: DoorCaller,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<CheckInListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let query = ListQuery {
        since: time_filter("since", query.since)?,
        limit: check_in_list::limit(query.limit)?,
        after: pagination::cursor(query.cursor.as_deref())?,
    };
    let list = state
        .db(move |conn| check_in_list::list(conn, &door, &event_id, query))
        .await?;
    Ok(HttpResponse::Ok().json(list))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchBody {
    scans: Option<Vec<ScanInput>>,
}

#[derive(Serialize)]
struct BatchAnswer {
    results: Vec<ScanResult>,
}

/// `POST /events/{id}/check-ins/batch`: 200 with one result per scan; a malformed upload is
/// 400/422 and records nothing. See [`batch::upload`].
pub async fn upload(
    state: web::Data<AppState>,
    door: DoorCaller,
    id: web::Path<String>,
    req: HttpRequest,
    payload: web::Payload,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    if !is_json_request(&req) {
        return Err(AppError::from_status(
            actix_web::http::StatusCode::UNSUPPORTED_MEDIA_TYPE,
        ));
    }
    let bytes = payload
        .to_bytes_limited(MAX_BATCH_BYTES)
        .await
        .map_err(|_| AppError::from_status(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE))?
        .map_err(|_| AppError::bad_request("bad_request", "the request body could not be read"))?;
    let body: BatchBody = parse_json(&bytes)?;
    let scans = batch::validate(body.scans)?;
    let results = state
        .db(move |conn| batch::upload(conn, &door, &event_id, scans))
        .await?;
    Ok(HttpResponse::Ok().json(BatchAnswer { results }))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: Option<String>,
}

#[derive(Serialize)]
struct SearchAnswer {
    items: Vec<check_in_list::Found>,
}

/// `GET /events/{id}/check-in-list/search?q=`: see [`check_in_list::search_by_phone`].
pub async fn search(
    state: web::Data<AppState>,
    door: DoorCaller,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<SearchQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let items = state
        .db(move |conn| check_in_list::search_by_phone(conn, &door, &event_id, query.q))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header(("Cache-Control", "no-store"))
        .json(SearchAnswer { items }))
}
