//! `/events/{id}/employers`: employers join fairs; organizers approve or reject them.

use actix_web::{web, HttpResponse};
use diesel::prelude::*;
use serde::Deserialize;

use super::{Participation, ParticipationView};
use crate::audit;
use crate::auth::{AuthUser, Caller, Role};
use crate::db::schema::{memberships, organizations, participations, vacancies};
use crate::db::{is_unique_violation, now, write_transaction};
use crate::error::{AppError, AppResult};
use crate::events::{self, EventStatus};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination::{self, Cursor, Page};
use crate::vacancies::VacancyStatus;
use crate::validate::Checker;
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    organization_id: Option<String>,
    booth: Option<String>,
}

/// A member of an employer organization asks for it to take part in a published event.
pub async fn join(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<JoinRequest>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin, Role::Employer])?;
    let event_id = path_id(&id, "event")?;
    let mut c = Checker::new();
    let organization_id = c.required_text("organization_id", body.organization_id, 1, 64);
    let organization_id = crate::validate::uuid(&mut c, "organization_id", organization_id);
    let booth = c.optional_text("booth", body.booth, 50);
    c.finish()?;
    let participation = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let event = events::find_visible(conn, &event_id, Some(&caller))?
                    .ok_or_else(|| AppError::not_found("event"))?;
                let organization =
                    crate::organizations::find(conn, &organization_id)?.ok_or_else(|| {
                        AppError::invalid_field("organization_id", "no organization has this id")
                    })?;
                if organization.kind != crate::organizations::OrganizationKind::Employer {
                    return Err(AppError::invalid_field(
                        "organization_id",
                        "must be an employer organization",
                    ));
                }
                crate::organizations::require_member(conn, &caller, &organization_id, false)?;
                if event.status != EventStatus::Published {
                    return Err(AppError::conflict(
                        "event_not_open",
                        format!(
                            "employers join published events; this one is {}",
                            event.status
                        ),
                    ));
                }
                let inserted = diesel::insert_into(participations::table)
                    .values((
                        participations::event_id.eq(&event_id),
                        participations::organization_id.eq(&organization_id),
                        participations::booth.eq(&booth),
                        participations::status.eq("pending"),
                        participations::requested_by.eq(&caller.id),
                        participations::requested_at.eq(now()),
                    ))
                    .execute(conn);
                match inserted {
                    Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
                        "already_participating",
                        "this organization has already asked to join this event",
                    )),
                    other => Ok(other?),
                }?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action: "participation.request",
                        entity: "participation",
                        entity_id: &format!("{event_id}/{organization_id}"),
                        event_id: Some(&event_id),
                        changes: serde_json::json!({
                            "organization_id": organization_id,
                            "booth": booth,
                            "status": "pending",
                        }),
                    },
                )?;
                super::find(conn, &event_id, &organization_id)?
                    .ok_or_else(|| AppError::not_found("participation"))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(participation))
}

async fn decide(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
    from: &'static [&'static str],
    to: &'static str,
) -> AppResult<HttpResponse> {
    let (event_id, organization_id) = path.into_inner();
    let event_id = path_id(&event_id, "event")?;
    let organization_id = path_id(&organization_id, "participation")?;
    let participation = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let event =
                    events::find(conn, &event_id)?.ok_or_else(|| AppError::not_found("event"))?;
                crate::organizations::require_member(conn, &caller, &event.organization_id, false)?;
                let current = super::find(conn, &event_id, &organization_id)?
                    .ok_or_else(|| AppError::not_found("participation"))?;
                if !from.contains(&current.participation.status.as_str()) {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        format!(
                            "a {} participation cannot become {to}",
                            current.participation.status
                        ),
                    ));
                }
                let at = now();
                let updated = diesel::update(
                    participations::table
                        .find((&event_id, &organization_id))
                        .filter(participations::status.eq_any(from)),
                )
                .set((
                    participations::status.eq(to),
                    participations::decided_by.eq(&caller.id),
                    participations::decided_at.eq(at),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        "the participation changed meanwhile; reload it",
                    ));
                }
                let mut closed: Vec<String> = Vec::new();
                if to == "rejected" {
                    // A rejected employer's vacancies at the fair close with it: no more
                    // changes, no more applications.
                    closed = diesel::update(
                        vacancies::table
                            .filter(vacancies::event_id.eq(&event_id))
                            .filter(vacancies::organization_id.eq(&organization_id))
                            .filter(vacancies::status.eq(VacancyStatus::Open.as_str())),
                    )
                    .set((
                        vacancies::status.eq(VacancyStatus::Closed.as_str()),
                        vacancies::updated_at.eq(at),
                    ))
                    .returning(vacancies::id)
                    .get_results(conn)?;
                    closed.sort();
                }
                // The audit records last: the decision, then each vacancy it closed.
                let action = if to == "rejected" {
                    "participation.reject"
                } else {
                    "participation.approve"
                };
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action,
                        entity: "participation",
                        entity_id: &format!("{event_id}/{organization_id}"),
                        event_id: Some(&event_id),
                        changes: serde_json::json!({
                            "status": {"from": current.participation.status, "to": to},
                        }),
                    },
                )?;
                for vacancy_id in &closed {
                    audit::record(
                        conn,
                        Some(&caller.id),
                        audit::Change {
                            action: "vacancy.close",
                            entity: "vacancy",
                            entity_id: vacancy_id,
                            event_id: Some(&event_id),
                            changes: serde_json::json!({
                                "status": {"from": "open", "to": "closed"},
                                "reason": "participation.reject",
                            }),
                        },
                    )?;
                }
                super::find(conn, &event_id, &organization_id)?
                    .ok_or_else(|| AppError::not_found("participation"))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(participation))
}

/// The event's organizer approves an employer (pending or rejected before).
pub async fn approve(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    decide(state, caller, path, &["pending", "rejected"], "approved").await
}

/// The event's organizer rejects an employer (pending or approved before).
pub async fn reject(
    state: web::Data<AppState>,
    caller: AuthUser,
    path: web::Path<(String, String)>,
) -> AppResult<HttpResponse> {
    decide(state, caller, path, &["pending", "approved"], "rejected").await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<String>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Employers of an event: the public sees approved ones; the event's organizers, ministry
/// staff and admins see all; an employer also sees its own requests.
pub async fn list(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    if let Some(status) = &query.status {
        if !["pending", "approved", "rejected"].contains(&status.as_str()) {
            return Err(AppError::invalid_field(
                "status",
                "must be pending, approved or rejected",
            ));
        }
    }
    let page = state
        .db(move |conn| {
            let event = events::find_visible(conn, &event_id, caller.as_ref())?
                .ok_or_else(|| AppError::not_found("event"))?;
            let sees_all = match &caller {
                Some(user) if user.role.reads_everything() => true,
                Some(user) => {
                    crate::organizations::member_role(conn, &event.organization_id, &user.id)?
                        .is_some()
                }
                None => false,
            };
            let mut q = participations::table
                .inner_join(organizations::table)
                .filter(participations::event_id.eq(&event_id))
                .select((Participation::as_select(), organizations::name))
                .into_boxed();
            if !sees_all {
                let own = memberships::table
                    .filter(memberships::user_id.eq(caller.map(|u| u.id).unwrap_or_default()))
                    .filter(crate::organizations::acts_now())
                    .select(memberships::organization_id);
                q = q.filter(
                    participations::status
                        .eq("approved")
                        .or(participations::organization_id.eq_any(own)),
                );
            }
            if let Some(status) = query.status {
                q = q.filter(participations::status.eq(status));
            }
            if let Some(after) = after {
                q = q.filter(participations::organization_id.gt(after.id));
            }
            let rows: Vec<ParticipationView> = q
                .order(participations::organization_id.asc())
                .limit(limit + 1)
                .load(conn)?;
            Ok(Page::from_rows(rows, limit, |p: &ParticipationView| {
                Cursor::new("", p.participation.organization_id.clone())
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
