//! `/users`: the JSON front door of [`super::manage`], for admins only.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::manage::{self, UserPatch};
use super::{NewUserRequest, UserView};
use crate::auth::{AuthUser, Role};
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::AppState;

pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> AppResult<HttpResponse> {
    crate::auth::guards::admin(&caller)?;
    let new = body.validate(Role::ALL)?;
    let public_url = state.config.mail.public_url.clone();
    let code_key = state.code_key.clone();
    let user = state
        .db(move |conn| manage::create_account(conn, &caller, new, &public_url, &code_key))
        .await?;
    Ok(HttpResponse::Created().json(UserView::from(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    role: Option<Role>,
    limit: Option<i64>,
    cursor: Option<String>,
}

pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    crate::auth::guards::admin(&caller)?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| manage::list(conn, &caller, query.role, after.as_ref(), limit))
        .await?;
    Ok(HttpResponse::Ok().json(page.map(UserView::from)))
}

pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    crate::auth::guards::admin(&caller)?;
    let id = path_id(&id, "user")?;
    let user = state
        .db(move |conn| manage::get(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> AppResult<HttpResponse> {
    crate::auth::guards::admin(&caller)?;
    let id = path_id(&id, "user")?;
    let patch = patch.validate()?;
    let user = state
        .db(move |conn| manage::update(conn, &caller, &id, patch))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}
