//! Changing events: create a draft, update it, and move it through its life
//! (draft → published → closed, or → cancelled).
//!
//! Each operation checks its caller through [`guards`] first. Only organizers (and admins) create
//! events (403 for any other role). Changing one is for its staff ([`guards::event_staff`]): an
//! event the caller may not see is 404 whatever their role, as if it did not exist; one they may
//! see but whose organization they do not act for is 403. Each writes its audit record in the
//! same transaction as its change.

use crate::mail::render::FairChange;
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use super::{Event, EventFields, EventFormat, EventStatus, FundingSource};
use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{events, organizations};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::organizations::OrganizationKind;
use crate::validate::{to_db_time, Checker};

/// Who may create events, before any membership is looked at.
const RUNS_EVENTS: &[Role] = &[Role::Admin, Role::Organizer];

/// A new event, as submitted: every field is checked by [`create`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewEvent {
    pub organization_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub format: Option<EventFormat>,
    pub venue: Option<String>,
    pub province_code: Option<String>,
    pub city: Option<String>,
    pub starts_at: Option<DateTime<Utc>>,
    pub ends_at: Option<DateTime<Utc>>,
    pub capacity: Option<i32>,
    pub budget_idr: Option<i64>,
    pub funding_source: Option<FundingSource>,
    pub target_placements: Option<i32>,
}

/// Members of an organizer organization (and admins) create its events, as drafts.
pub fn create(conn: &mut DbConn, caller: &AuthUser, input: NewEvent) -> AppResult<Event> {
    guards::role(caller, RUNS_EVENTS)?;
    let mut c = Checker::new();
    let organization_id = c.required("organization_id", input.organization_id);
    let organization_id = crate::validate::uuid(&mut c, "organization_id", organization_id);
    let fields = EventFields {
        title: c.required("title", input.title),
        description: input.description.unwrap_or_default(),
        format: c.required("format", input.format),
        venue: input.venue,
        province_code: c.required("province_code", input.province_code),
        city: c.required("city", input.city),
        starts_at: to_db_time(c.required("starts_at", input.starts_at)),
        ends_at: to_db_time(c.required("ends_at", input.ends_at)),
        capacity: c.required("capacity", input.capacity),
        budget_idr: c.required("budget_idr", input.budget_idr),
        funding_source: c.required("funding_source", input.funding_source),
        target_placements: input.target_placements.unwrap_or(0),
    };
    let fields = fields.check(&mut c);
    c.finish()?;
    write_transaction(conn, |conn| {
        let kind: OrganizationKind = organizations::table
            .find(&organization_id)
            .select(organizations::kind)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::invalid_field("organization_id", "no organization has this id")
            })?;
        if kind != OrganizationKind::Organizer {
            return Err(AppError::invalid_field(
                "organization_id",
                "must be an organizer organization",
            ));
        }
        guards::organization_member(conn, caller, &organization_id)?;
        let id = new_id();
        let at = now();
        diesel::insert_into(events::table)
            .values(NewEventRow {
                id: &id,
                organization_id: &organization_id,
                status: EventStatus::Draft,
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
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct NewEventRow<'a> {
    id: &'a str,
    organization_id: &'a str,
    status: EventStatus,
    created_by: &'a str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    #[diesel(embed)]
    columns: super::EventColumns<'a>,
}

/// A change to an event's fields: absent fields stay as they are; `venue: null` removes it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub format: Option<EventFormat>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub venue: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub starts_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub ends_at: Option<DateTime<Utc>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub capacity: Option<i32>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub budget_idr: Option<i64>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub funding_source: Option<FundingSource>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub target_placements: Option<i32>,
}

/// The event's staff change a draft or published event; the merged result must pass every rule
/// of a new event. Closed and cancelled events are final. A published fair's new time or place
/// is told to its ticket holders (links under `public_url`).
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    patch: EventPatch,
    public_url: &str,
) -> AppResult<Event> {
    write_transaction(conn, |conn| {
        let event = guards::event_staff(conn, caller, id)?;
        if !matches!(event.status, EventStatus::Draft | EventStatus::Published) {
            return Err(AppError::conflict(
                "event_not_editable",
                format!("a {} event can no longer be changed", event.status),
            ));
        }
        let current = EventFields::from_event(&event);
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
        let updated = diesel::update(events::table.find(id))
            .filter(events::registrations_count.le(merged.capacity))
            .set((merged.columns(), events::updated_at.eq(now())))
            .execute(conn)?;
        if updated == 0 {
            return Err(AppError::invalid_field(
                "capacity",
                "must not be below the number of registrations already made",
            ));
        }
        let updated = super::find(conn, id)?.ok_or_else(|| AppError::not_found("event"))?;
        if updated.local_start_date != event.local_start_date && updated.attendees_count.count() > 0
        {
            crate::metrics::tally::event_rescheduled(conn, id)?;
        }
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "event.update",
                entity: "event",
                entity_id: id,
                event_id: Some(id),
                changes: audit::diff(&event, &updated),
            },
        )?;
        if super::notices::is_reschedule(&event, &updated) {
            let change = FairChange::Rescheduled;
            super::notices::tell_ticket_holders(conn, &updated, change, public_url, now())?;
        }
        Ok(updated)
    })
}

/// What a status change writes: the new status, the time it happened, and (closing) the
/// spending. `None` columns are left as they are.
#[derive(AsChangeset)]
#[diesel(table_name = events)]
struct StatusChange {
    status: EventStatus,
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
            status,
            published_at: (status == EventStatus::Published).then_some(at),
            cancelled_at: (status == EventStatus::Cancelled).then_some(at),
            closed_at: (status == EventStatus::Closed).then_some(at),
            spent_idr: None,
            closing_notes: None,
            updated_at: at,
        }
    }
}

/// Moves the event `id` (already checked by the guard: `event`) from one of `from` to
/// `change.status`; 409 `invalid_transition` from any other status. The status is re-checked in
/// the update itself, so two racing transitions cannot both succeed.
fn transition(
    conn: &mut DbConn,
    caller: &AuthUser,
    event: Event,
    from: &[EventStatus],
    change: StatusChange,
    action: &'static str,
) -> AppResult<Event> {
    let id = event.id.as_str();
    let updated = diesel::update(events::table.find(id))
        .filter(events::status.eq_any(from))
        .set(&change)
        .execute(conn)?;
    if updated == 0 {
        return Err(AppError::conflict(
            "invalid_transition",
            "the event changed status meanwhile; reload it",
        ));
    }
    let updated = super::find(conn, id)?.ok_or_else(|| AppError::not_found("event"))?;
    audit::record(
        conn,
        Some(&caller.id),
        audit::Change {
            action,
            entity: "event",
            entity_id: id,
            event_id: Some(id),
            changes: audit::diff(&event, &updated),
        },
    )?;
    Ok(updated)
}

/// The event, for its staff, if it is in one of `from` (409 `invalid_transition` otherwise).
fn staff_event_in(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    from: &[EventStatus],
    to: EventStatus,
) -> AppResult<Event> {
    let event = guards::event_staff(conn, caller, id)?;
    if !from.contains(&event.status) {
        return Err(AppError::conflict(
            "invalid_transition",
            format!("a {} event cannot become {to}", event.status),
        ));
    }
    Ok(event)
}

/// draft → published: the event becomes public and open for registration until it ends.
pub fn publish(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<Event> {
    let (from, to) = (&[EventStatus::Draft], EventStatus::Published);
    write_transaction(conn, |conn| {
        let event = staff_event_in(conn, caller, id, from, to)?;
        crate::organizations::verification::require_verified(conn, &event.organization_id)?;
        let change = StatusChange::new(to, now());
        transition(conn, caller, event, from, change, "event.publish")
    })
}

/// draft or published → cancelled. The ticket holders of a published fair are told (links
/// under `public_url`).
pub fn cancel(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    public_url: &str,
) -> AppResult<Event> {
    let (from, to) = (
        &[EventStatus::Draft, EventStatus::Published],
        EventStatus::Cancelled,
    );
    write_transaction(conn, |conn| {
        let event = staff_event_in(conn, caller, id, from, to)?;
        let at = now();
        let cancelled = transition(
            conn,
            caller,
            event,
            from,
            StatusChange::new(to, at),
            "event.cancel",
        )?;
        super::notices::tell_ticket_holders(
            conn,
            &cancelled,
            FairChange::Cancelled,
            public_url,
            at,
        )?;
        Ok(cancelled)
    })
}

/// Closing an event: its real spending, and notes (several lines allowed).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Closing {
    pub spent_idr: Option<i64>,
    pub notes: Option<String>,
}

/// published → closed, with the real spending, once the event has started. Registration and
/// check-in end; what follows a fair (outcomes, hires, confirmations, follow-ups) goes on.
pub fn close(conn: &mut DbConn, caller: &AuthUser, id: &str, input: Closing) -> AppResult<Event> {
    let (from, to) = (&[EventStatus::Published], EventStatus::Closed);
    let mut c = Checker::new();
    let spent_idr = c.required("spent_idr", input.spent_idr);
    let spent_idr = c.range("spent_idr", spent_idr, 0, super::MAX_MONEY_IDR);
    let notes = c.optional_multiline_text("notes", input.notes, 2000);
    c.finish()?;
    write_transaction(conn, |conn| {
        let event = guards::event_staff(conn, caller, id)?;
        if !from.contains(&event.status) {
            return Err(AppError::conflict(
                "invalid_transition",
                format!("a {} event cannot become {to}", event.status),
            ));
        }
        let at = now();
        if event.starts_at > at {
            return Err(AppError::conflict(
                "event_not_started",
                "an event can be closed once it has started",
            ));
        }
        let change = StatusChange {
            spent_idr: Some(spent_idr),
            closing_notes: notes,
            ..StatusChange::new(to, at)
        };
        transition(conn, caller, event, from, change, "event.close")
    })
}
