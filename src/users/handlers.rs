//! `/users`: account management, for admins only.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;

use super::{NewUserRequest, UserView};
use crate::auth::handlers::create_user;
use crate::auth::{tokens, AuthUser, Role};
use crate::db::schema::users;
use crate::db::{now, write_transaction};
use crate::error::{AppError, AppResult};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination;
use crate::validate::Checker;
use crate::AppState;

const ALL_ROLES: [Role; 5] = [
    Role::Admin,
    Role::Ministry,
    Role::Organizer,
    Role::Employer,
    Role::JobSeeker,
];

/// An admin creates an account of any role (the only way to make `admin` and `ministry` ones).
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewUserRequest>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin])?;
    let new = body.validate(&ALL_ROLES)?;
    let user = create_user(&state, new).await?;
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
    caller.require(&[Role::Admin])?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| Ok(super::list(conn, query.role, after.as_ref(), limit)?))
        .await?;
    Ok(HttpResponse::Ok().json(page.map(UserView::from)))
}

pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin])?;
    let id = path_id(&id, "user")?;
    let user = state
        .db(move |conn| super::find(conn, &id)?.ok_or_else(|| AppError::not_found("user")))
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    role: Option<Role>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    disabled: Option<bool>,
}

/// Renames, changes the role of, disables or re-enables an account. Disabling revokes every
/// refresh token at once; access tokens already issued lapse within their short lifetime.
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<UserPatch>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin])?;
    let id = path_id(&id, "user")?;
    let mut c = Checker::new();
    let full_name = patch
        .full_name
        .map(|name| c.text("full_name", name, 1, 200));
    c.finish()?;
    if id == caller.id
        && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(AppError::conflict(
            "cannot_demote_self",
            "an admin cannot disable or demote their own account",
        ));
    }
    let user = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let user = super::find(conn, &id)?.ok_or_else(|| AppError::not_found("user"))?;
                let at = now();
                let disabled_at = match patch.disabled {
                    Some(true) => user.disabled_at.or(Some(at)),
                    Some(false) => None,
                    None => user.disabled_at,
                };
                diesel::update(users::table.find(&id))
                    .set((
                        users::full_name.eq(full_name.unwrap_or(user.full_name)),
                        users::role.eq(patch
                            .role
                            .map(|r| r.as_str().to_owned())
                            .unwrap_or(user.role)),
                        users::disabled_at.eq(disabled_at),
                        users::updated_at.eq(at),
                    ))
                    .execute(conn)?;
                if disabled_at.is_some() {
                    tokens::revoke_all_of_user(conn, &id)?;
                }
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("user"))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(UserView::from(user)))
}
