//! `/placements/{id}/follow-ups` and `/follow-ups/due`: record a retention check, read a
//! placement's checks, and list the checks that are due and missing.

use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{DueFollowUp, FollowUp, FollowUpView, Source, CHECKPOINTS};
use crate::auth::{AuthUser, Role};
use crate::db::schema::follow_ups;
use crate::db::{new_id, now, write_transaction};
use crate::error::{AppError, AppResult};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination::{self, Cursor, Page};
use crate::validate::Checker;
use crate::AppState;

/// Today in UTC: the bound of `checked_on` and the default of `before`.
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    checked_on: Option<NaiveDate>,
    employed: Option<bool>,
    same_employer: Option<bool>,
    source: Option<Source>,
}

/// Records a follow-up of a verified placement. The body is checked first (422); then a
/// placement the caller cannot see is 404, a `source` that is not the caller's 403, a placement
/// that is not verified 409 `placement_not_verified`, and a `checked_on` before its
/// `start_date` 422. Audited as `follow_up.record`.
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewFollowUp>,
) -> AppResult<HttpResponse> {
    let placement_id = path_id(&id, "placement")?;
    let mut c = Checker::new();
    let checked_on = c.required("checked_on", body.checked_on);
    let employed = c.required("employed", body.employed);
    let same_employer = c.required("same_employer", body.same_employer);
    let source = c.required("source", body.source);
    if !c.failed("checked_on") {
        c.check(
            checked_on <= today(),
            "checked_on",
            "must not be in the future (UTC)",
        );
    }
    if !c.failed("employed") && !c.failed("same_employer") {
        c.check(
            employed || !same_employer,
            "same_employer",
            "must be false when employed is false",
        );
    }
    c.finish()?;
    let view = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let found = super::find_for(conn, &placement_id, &caller)?
                    .ok_or_else(|| AppError::not_found("placement"))?;
                if !found.may_record(source) {
                    return Err(AppError::forbidden(match source {
                        Source::Employer => {
                            "only members of the placement's employer record an employer follow-up"
                        }
                        Source::JobSeeker => {
                            "only the placement's job seeker records a job_seeker follow-up"
                        }
                        Source::Staff => {
                            "only the event's organizers, ministry staff and admins record a staff follow-up"
                        }
                    }));
                }
                let placement = found.placement;
                if !placement.is_verified() {
                    return Err(AppError::conflict(
                        "placement_not_verified",
                        format!(
                            "a {} placement takes no follow-ups: it must be confirmed or verified",
                            placement.status
                        ),
                    ));
                }
                if checked_on < placement.start_date {
                    return Err(AppError::invalid_field(
                        "checked_on",
                        format!("must not be before the start date {}", placement.start_date),
                    ));
                }
                let follow_up = FollowUp {
                    id: new_id(),
                    placement_id: placement.id.clone(),
                    checked_on,
                    employed,
                    same_employer,
                    source: source.as_str().to_owned(),
                    recorded_by: caller.id.clone(),
                    recorded_at: now(),
                };
                diesel::insert_into(follow_ups::table)
                    .values((
                        follow_ups::id.eq(&follow_up.id),
                        follow_ups::placement_id.eq(&follow_up.placement_id),
                        follow_ups::checked_on.eq(follow_up.checked_on),
                        follow_ups::employed.eq(follow_up.employed),
                        follow_ups::same_employer.eq(follow_up.same_employer),
                        follow_ups::source.eq(&follow_up.source),
                        follow_ups::recorded_by.eq(&follow_up.recorded_by),
                        follow_ups::recorded_at.eq(follow_up.recorded_at),
                    ))
                    .execute(conn)?;
                let view = FollowUpView::new(follow_up, placement.start_date);
                crate::audit::record(
                    conn,
                    Some(&caller.id),
                    crate::audit::Change {
                        action: "follow_up.record",
                        entity: "follow_up",
                        entity_id: &view.follow_up.id,
                        event_id: Some(&placement.event_id),
                        changes: json!({
                            "placement_id": placement.id,
                            "checked_on": checked_on,
                            "employed": employed,
                            "same_employer": same_employer,
                            "source": source.as_str(),
                            "counts_for": view.counts_for,
                        }),
                    },
                )?;
                Ok(view)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(view))
}

/// A placement's follow-ups, oldest check first: for those who may record one and ministry
/// staff; anyone else gets 404.
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let placement_id = path_id(&id, "placement")?;
    let items = state
        .db(move |conn| {
            let found = super::find_for(conn, &placement_id, &caller)?
                .ok_or_else(|| AppError::not_found("placement"))?;
            let start = found.placement.start_date;
            Ok(super::of_placement(conn, &placement_id)?
                .into_iter()
                .map(|f| FollowUpView::new(f, start))
                .collect::<Vec<_>>())
        })
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

/// The cursor of a due row: its due date and checkpoint as the key, its placement as the id.
fn cursor_of(row: &DueFollowUp) -> Cursor {
    Cursor::new(
        format!("{}/{}", row.due_date, row.checkpoint),
        row.placement_id.clone(),
    )
}

/// The position a cursor names: (due date, placement id, checkpoint).
fn position(cursor: &Cursor) -> AppResult<(NaiveDate, String, i64)> {
    let invalid = || AppError::invalid_field("cursor", "is not a cursor this API issued");
    let (date, checkpoint) = cursor.key.split_once('/').ok_or_else(invalid)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| invalid())?;
    let checkpoint: i64 = checkpoint.parse().map_err(|_| invalid())?;
    if !CHECKPOINTS.contains(&checkpoint) {
        return Err(invalid());
    }
    Ok((date, cursor.id.clone(), checkpoint))
}

/// Verified placements whose follow-up is due (90 or 180 days after `start_date`, on or before
/// `before`, default today in UTC) and missing: one row per missing checkpoint, ordered by due
/// date, then placement id, then checkpoint. Ministry staff and admins list all or one
/// organization's; employers and organizers must name an organization of theirs
/// (`organization_id` matches the placement's employer or the organizer of its event).
pub async fn due(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<DueQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?
        .map(|c| position(&c))
        .transpose()?;
    let mut c = Checker::new();
    let organization_id = query
        .organization_id
        .map(|raw| crate::validate::uuid(&mut c, "organization_id", raw));
    if caller.role == Role::JobSeeker {
        return Err(AppError::forbidden(
            "only staff, employers and organizers list due follow-ups",
        ));
    }
    if !caller.role.reads_everything() && organization_id.is_none() {
        c.fail(
            "organization_id",
            "is required: name an organization you are a member of",
        );
    }
    c.finish()?;
    let before = query.before.unwrap_or_else(today);
    let page = state
        .db(move |conn| {
            if let Some(org) = &organization_id {
                if !caller.role.reads_everything() {
                    crate::organizations::require_member(conn, &caller, org, false)?;
                }
            }
            // Each checkpoint is its own ordered stream; merge them and keep one page.
            let mut rows = Vec::new();
            for checkpoint in CHECKPOINTS {
                let from = after.as_ref().map(|(date, id, _)| (*date, id.as_str()));
                rows.extend(super::due_at(
                    conn,
                    checkpoint,
                    before,
                    organization_id.as_deref(),
                    from,
                    limit + 1,
                )?);
            }
            rows.sort_by(|a, b| a.key().cmp(&b.key()));
            if let Some((date, id, checkpoint)) = &after {
                rows.retain(|r| r.key() > (*date, id.as_str(), *checkpoint));
            }
            Ok(Page::from_rows(rows, limit, cursor_of))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
