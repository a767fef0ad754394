//! `GET /api/v1/events/{id}/metrics`: the outcome figures of one event, for staff.

use actix_web::{web, HttpResponse};

use crate::auth::{AuthUser, Role};
use crate::error::{AppError, AppResult};
use crate::extract::path_id;
use crate::AppState;

/// Admins and ministry staff see any event; organizers the events of organizations they are
/// members of (a public event of another organization is 403, an event they cannot see at all
/// 404); employers and job seekers 403. A draft's figures are answered too (see the module).
pub async fn event_metrics(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin, Role::Ministry, Role::Organizer])?;
    let event_id = path_id(&id, "event")?;
    let metrics = state
        .db(move |conn| {
            let event = crate::events::find_visible(conn, &event_id, Some(&caller))?
                .ok_or_else(|| AppError::not_found("event"))?;
            if !caller.role.reads_everything() {
                crate::organizations::require_member(conn, &caller, &event.organization_id, false)?;
            }
            let facts = super::load(conn, &event)?;
            Ok(super::compute(&facts))
        })
        .await?;
    Ok(HttpResponse::Ok().json(metrics))
}
