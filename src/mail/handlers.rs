//! `/admin/outbox`: what the outbox worker has sent (by email or WhatsApp), is trying to send,
//! and gave up on.

use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::{Channel, Status};
use crate::auth::{AuthUser, Role};
use crate::db::{now, write_transaction};
use crate::error::{AppError, AppResult};
use crate::extract::{path_id, ApiQuery};
use crate::pagination;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<Status>,
    channel: Option<Channel>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The outbox, oldest first, optionally of one status and of one channel. Admins only: the
/// recipients are contact data.
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin])?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            Ok(super::list(
                conn,
                query.status,
                query.channel,
                after.as_ref(),
                limit,
            )?)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// Sends a `failed` message again: back to `pending`, due now, attempts from zero. 409
/// `not_failed` for a message in any other state.
pub async fn retry(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin])?;
    let id = path_id(&id, "message")?;
    let entry = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let entry =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("message"))?;
                if !super::retry(conn, &id, now())? {
                    return Err(AppError::conflict(
                        "not_failed",
                        format!(
                            "only a failed message is retried; this one is {}",
                            entry.status
                        ),
                    ));
                }
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("message"))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(entry))
}
