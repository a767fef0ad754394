//! `/organizations`: the JSON front door of [`super::manage`].

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::manage::{self, NewMember, NewOrganization, OrganizationPatch};
use super::verification::{self, Note};
use super::OrganizationKind;
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::AppState;

pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewOrganization>,
) -> AppResult<HttpResponse> {
    crate::auth::guards::role(
        &caller,
        &[
            crate::auth::Role::Admin,
            crate::auth::Role::Organizer,
            crate::auth::Role::Employer,
        ],
    )?;
    let new = body.validate()?;
    let organization = state
        .db(move |conn| manage::create(conn, &caller, new))
        .await?;
    Ok(HttpResponse::Created().json(organization))
}

pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let organization = state
        .db(move |conn| manage::get(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(organization))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    kind: Option<OrganizationKind>,
    province_code: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let province_code = crate::validate::province_filter(query.province_code)?;
    let page = state
        .db(move |conn| manage::list(conn, &caller, query.kind, province_code, after, limit))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<OrganizationPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let patch = patch.validate()?;
    let organization = state
        .db(move |conn| manage::update(conn, &caller, &id, patch))
        .await?;
    Ok(HttpResponse::Ok().json(organization))
}

pub async fn add(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewMember>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let new = body.validate()?;
    let member = state
        .db(move |conn| manage::add_member(conn, &caller, &id, new))
        .await?;
    Ok(HttpResponse::Created().json(member))
}

pub async fn members(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let members = state
        .db(move |conn| manage::members(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "items": members })))
}

pub async fn remove(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    let (id, user_id) = path.into_inner();
    let id = path_id(&id, "organization")?;
    let user_id = path_id(&user_id, "member")?;
    state
        .db(move |conn| manage::remove_member(conn, &caller, &id, &user_id))
        .await?;
    Ok(HttpResponse::NoContent().finish())
}

pub async fn verify(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<Note>,
) -> AppResult<HttpResponse> {
    with_note(state, caller, id, body, verification::verify).await
}

pub async fn unverify(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<Note>,
) -> AppResult<HttpResponse> {
    with_note(state, caller, id, body, verification::unverify).await
}

/// Verify and unverify: a staff note about one organization, answered with the organization.
async fn with_note(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    body: Note,
    act: fn(&mut crate::db::DbConn, &AuthUser, &str, String) -> AppResult<super::Organization>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "organization")?;
    let note = body.validate()?;
    let organization = state.db(move |conn| act(conn, &caller, &id, note)).await?;
    Ok(HttpResponse::Ok().json(organization))
}
