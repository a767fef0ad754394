//! `/placements/{id}/follow-ups` and `/follow-ups/due`: parse, call the operation of
//! [`crate::follow_ups`], serialize.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::json;

use super::{DueFilter, NewFollowUp};
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::AppState;

/// `POST /placements/{id}/follow-ups`: see [`super::record`].
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewFollowUp>,
) -> AppResult<HttpResponse> {
    let placement_id = path_id(&id, "placement")?;
    let view = state
        .db(move |conn| super::record(conn, &caller, &placement_id, body))
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// `GET /placements/{id}/follow-ups`: see [`super::of_placement_for`].
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let placement_id = path_id(&id, "placement")?;
    let items = state
        .db(move |conn| super::of_placement_for(conn, &caller, &placement_id))
        .await?;
    Ok(HttpResponse::Ok().json(json!({ "items": items })))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DueQuery {
    organization_id: Option<String>,
    before: Option<NaiveDate>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// `GET /follow-ups/due`: see [`super::due`].
pub async fn due(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<DueQuery>,
) -> AppResult<HttpResponse> {
    let filter = DueFilter {
        organization_id: query.organization_id,
        before: query.before,
        limit: pagination::limit(query.limit)?,
        after: pagination::cursor(query.cursor.as_deref())?,
    };
    let page = state
        .db(move |conn| super::due(conn, &caller, &filter))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
