//! `/events`: create, read, list and update job fair events.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use super::{Event, EventFields, EventFormat, EventStatus, FundingSource, PUBLIC_STATUSES};
use crate::audit;
use crate::auth::{AuthUser, Caller, Role};
use crate::db::schema::events;
use crate::db::{new_id, now, write_transaction};
use crate::error::{AppError, AppResult};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::organizations;
use crate::pagination::{self, Cursor, Page};
use crate::validate::{to_db_time, Checker};
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    organization_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    format: Option<EventFormat>,
    venue: Option<String>,
    province_code: Option<String>,
    city: Option<String>,
    starts_at: Option<DateTime<Utc>>,
    ends_at: Option<DateTime<Utc>>,
    capacity: Option<i32>,
    budget_idr: Option<i64>,
    funding_source: Option<FundingSource>,
    target_placements: Option<i32>,
}

/// Members of an organizer organization (and admins) create its events, as drafts.
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewEvent>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::Admin, Role::Organizer])?;
    let mut c = Checker::new();
    let organization_id = c.required("organization_id", body.organization_id);
    let organization_id = match uuid::Uuid::parse_str(&organization_id) {
        Ok(id) => id.hyphenated().to_string(),
        Err(_) => {
            c.fail("organization_id", "is not a UUID");
            organization_id
        }
    };
    let fields = EventFields {
        title: c.required("title", body.title),
        description: body.description.unwrap_or_default(),
        format: c.required("format", body.format),
        venue: body.venue,
        province_code: c.required("province_code", body.province_code),
        city: c.required("city", body.city),
        starts_at: to_db_time(c.required("starts_at", body.starts_at)),
        ends_at: to_db_time(c.required("ends_at", body.ends_at)),
        capacity: c.required("capacity", body.capacity),
        budget_idr: c.required("budget_idr", body.budget_idr),
        funding_source: c.required("funding_source", body.funding_source),
        target_placements: body.target_placements.unwrap_or(0),
    };
    let fields = fields.check(&mut c);
    c.finish()?;
    let event = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let organization =
                    organizations::find(conn, &organization_id)?.ok_or_else(|| {
                        AppError::invalid_field("organization_id", "no organization has this id")
                    })?;
                if organization.kind != organizations::OrganizationKind::Organizer {
                    return Err(AppError::invalid_field(
                        "organization_id",
                        "must be an organizer organization",
                    ));
                }
                organizations::require_member(conn, &caller, &organization_id, false)?;
                let id = new_id();
                let at = now();
                diesel::insert_into(events::table)
                    .values(NewEventRow {
                        id: &id,
                        organization_id: &organization_id,
                        status: EventStatus::Draft.as_str(),
                        created_by: &caller.id,
                        created_at: at,
                        updated_at: at,
                        columns: fields.columns(),
                    })
                    .execute(conn)?;
                let event = super::find(conn, &id)?.ok_or_else(|| AppError::not_found("event"))?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action: "event.create",
                        entity: "event",
                        entity_id: &id,
                        event_id: Some(&id),
                        changes: serde_json::json!({
                            "organization_id": event.organization_id,
                            "title": event.title,
                            "status": event.status,
                            "starts_at": event.starts_at.and_utc(),
                            "ends_at": event.ends_at.and_utc(),
                            "capacity": event.capacity,
                            "budget_idr": event.budget_idr,
                            "funding_source": event.funding_source,
                            "target_placements": event.target_placements,
                        }),
                    },
                )?;
                Ok(event)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(event))
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEventRow<'a> {
    id: &'a str,
    organization_id: &'a str,
    status: &'static str,
    created_by: &'a str,
    created_at: chrono::NaiveDateTime,
    updated_at: chrono::NaiveDateTime,
    #[diesel(embed)]
    columns: super::EventColumns<'a>,
}

/// Anyone may read a published or closed event; a draft only its organization's members, admins
/// and ministry staff (others get 404: a draft's existence is not public).
pub async fn get(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let event = state
        .db(move |conn| {
            super::find_visible(conn, &id, caller.as_ref())?
                .ok_or_else(|| AppError::not_found("event"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    title: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    format: Option<EventFormat>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    venue: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    capacity: Option<i32>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    budget_idr: Option<i64>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    funding_source: Option<FundingSource>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    target_placements: Option<i32>,
}

/// Members of the owning organization (and admins) change a draft or published event; the
/// merged result must pass every rule of a new event. Closed and cancelled events are final.
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<EventPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let event = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let event = super::find(conn, &id)?.ok_or_else(|| AppError::not_found("event"))?;
                organizations::require_member(conn, &caller, &event.organization_id, false)?;
                if !matches!(event.status.as_str(), "draft" | "published") {
                    return Err(AppError::conflict(
                        "event_not_editable",
                        format!("a {} event can no longer be changed", event.status),
                    ));
                }
                let current = EventFields::from_event(&event)?;
                let merged = EventFields {
                    title: patch.title.unwrap_or(current.title),
                    description: patch.description.unwrap_or(current.description),
                    format: patch.format.unwrap_or(current.format),
                    venue: patch.venue.unwrap_or(current.venue),
                    province_code: patch.province_code.unwrap_or(current.province_code),
                    city: patch.city.unwrap_or(current.city),
                    starts_at: patch.starts_at.map(to_db_time).unwrap_or(current.starts_at),
                    ends_at: patch.ends_at.map(to_db_time).unwrap_or(current.ends_at),
                    capacity: patch.capacity.unwrap_or(current.capacity),
                    budget_idr: patch.budget_idr.unwrap_or(current.budget_idr),
                    funding_source: patch.funding_source.unwrap_or(current.funding_source),
                    target_placements: patch.target_placements.unwrap_or(current.target_placements),
                };
                let mut c = Checker::new();
                let merged = merged.check(&mut c);
                c.finish()?;
                // Conditional, so that a registration made meanwhile is not left above capacity.
                let updated = diesel::update(events::table.find(&id))
                    .filter(events::registrations_count.le(merged.capacity))
                    .set((merged.columns(), events::updated_at.eq(now())))
                    .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::invalid_field(
                        "capacity",
                        "must not be below the number of registrations already made",
                    ));
                }
                let updated =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("event"))?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action: "event.update",
                        entity: "event",
                        entity_id: &id,
                        event_id: Some(&id),
                        changes: audit::diff(&event, &updated),
                    },
                )?;
                Ok(updated)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    province_code: Option<String>,
    status: Option<EventStatus>,
    organization_id: Option<String>,
    /// Events starting at or after this instant.
    from: Option<DateTime<Utc>>,
    /// Events starting before this instant.
    to: Option<DateTime<Utc>>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Events by start time, filtered, showing each caller only what they may see.
pub async fn list(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let after = match after {
        Some(cursor) => Some((cursor.key_as_time()?, cursor.id)),
        None => None,
    };
    let organization_id = match query.organization_id.as_deref() {
        Some(raw) => Some(
            uuid::Uuid::parse_str(raw)
                .map_err(|_| AppError::invalid_field("organization_id", "is not a UUID"))?
                .hyphenated()
                .to_string(),
        ),
        None => None,
    };
    let province_code = crate::validate::province_filter(query.province_code)?;
    let page = state
        .db(move |conn| {
            let mut q = events::table.select(Event::as_select()).into_boxed();
            match &caller {
                None => q = q.filter(events::status.eq_any(PUBLIC_STATUSES)),
                Some(user) if user.role.reads_everything() => {}
                Some(user) => {
                    q = q.filter(
                        events::status
                            .eq_any(PUBLIC_STATUSES)
                            .or(events::organization_id
                                .eq_any(super::member_organizations(user.id.clone()))),
                    )
                }
            }
            if let Some(province) = province_code {
                q = q.filter(events::province_code.eq(province));
            }
            if let Some(status) = query.status {
                q = q.filter(events::status.eq(status.as_str()));
            }
            if let Some(organization_id) = organization_id {
                q = q.filter(events::organization_id.eq(organization_id));
            }
            if let Some(from) = query.from {
                q = q.filter(events::starts_at.ge(to_db_time(from)));
            }
            if let Some(to) = query.to {
                q = q.filter(events::starts_at.lt(to_db_time(to)));
            }
            if let Some((at, id)) = after {
                q = q.filter(
                    events::starts_at
                        .gt(at)
                        .or(events::starts_at.eq(at).and(events::id.gt(id))),
                );
            }
            let rows = q
                .order((events::starts_at.asc(), events::id.asc()))
                .limit(limit + 1)
                .load(conn)?;
            Ok(Page::from_rows(rows, limit, |e: &Event| {
                Cursor::from_time(e.starts_at, &e.id)
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// What a status change writes: the new status, the time it happened, and (closing) the
/// spending. `None` columns are left as they are.
#[derive(AsChangeset)]
#[diesel(table_name = events)]
struct StatusChange {
    status: &'static str,
    published_at: Option<NaiveDateTime>,
    cancelled_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    spent_idr: Option<i64>,
    closing_notes: Option<String>,
    updated_at: NaiveDateTime,
}

impl StatusChange {
    fn new(status: EventStatus, at: NaiveDateTime) -> Self {
        Self {
            status: status.as_str(),
            published_at: (status == EventStatus::Published).then_some(at),
            cancelled_at: (status == EventStatus::Cancelled).then_some(at),
            closed_at: (status == EventStatus::Closed).then_some(at),
            spent_idr: None,
            closing_notes: None,
            updated_at: at,
        }
    }
}

/// Moves an event from one of `from` to `change.status` for a member of its organization; 409
/// `invalid_transition` from any other status. `check` may refuse the change. The status is
/// re-checked in the update itself, so two racing transitions cannot both succeed.
async fn transition(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    from: &'static [EventStatus],
    change: StatusChange,
    action: &'static str,
    check: fn(&Event, NaiveDateTime) -> AppResult<()>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let event = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let event = super::find(conn, &id)?.ok_or_else(|| AppError::not_found("event"))?;
                organizations::require_member(conn, &caller, &event.organization_id, false)?;
                let allowed: Vec<&'static str> = from.iter().map(|s| s.as_str()).collect();
                if !allowed.contains(&event.status.as_str()) {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        format!("a {} event cannot become {}", event.status, change.status),
                    ));
                }
                check(&event, change.updated_at)?;
                let updated = diesel::update(events::table.find(&id))
                    .filter(events::status.eq_any(allowed))
                    .set(&change)
                    .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        "the event changed status meanwhile; reload it",
                    ));
                }
                let updated =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("event"))?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action,
                        entity: "event",
                        entity_id: &id,
                        event_id: Some(&id),
                        changes: audit::diff(&event, &updated),
                    },
                )?;
                Ok(updated)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(event))
}

fn no_check(_: &Event, _: NaiveDateTime) -> AppResult<()> {
    Ok(())
}

/// draft → published: the event becomes public and open for registration until it ends.
pub async fn publish(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let change = StatusChange::new(EventStatus::Published, now());
    let from = &[EventStatus::Draft];
    transition(state, caller, id, from, change, "event.publish", no_check).await
}

/// draft or published → cancelled.
pub async fn cancel(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let change = StatusChange::new(EventStatus::Cancelled, now());
    let from = &[EventStatus::Draft, EventStatus::Published];
    transition(state, caller, id, from, change, "event.cancel", no_check).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CloseEvent {
    spent_idr: Option<i64>,
    notes: Option<String>,
}

/// published → closed, with the real spending, once the event has started. Registration and
/// check-in end; what follows a fair (outcomes, hires, confirmations, follow-ups) goes on.
pub async fn close(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<CloseEvent>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let spent_idr = c.required("spent_idr", body.spent_idr);
    let spent_idr = c.range("spent_idr", spent_idr, 0, super::MAX_MONEY_IDR);
    let notes = c.optional_text("notes", body.notes, 2000);
    c.finish()?;
    let change = StatusChange {
        spent_idr: Some(spent_idr),
        closing_notes: notes,
        ..StatusChange::new(EventStatus::Closed, now())
    };
    let started = |event: &Event, at: NaiveDateTime| {
        if event.starts_at > at {
            return Err(AppError::conflict(
                "event_not_started",
                "an event can be closed once it has started",
            ));
        }
        Ok(())
    };
    transition(
        state,
        caller,
        id,
        &[EventStatus::Published],
        change,
        "event.close",
        started,
    )
    .await
}
