//! Registrations: a job seeker signs up for an event, and is checked in at the door by the scan
//! of the QR code that carries the registration's check-in code.
//!
//! The event's counters move in the same transaction as the rows they count. Taking a seat is a
//! conditional update of `registrations_count` below `capacity`, so simultaneous registrations
//! never exceed it; checking in is a conditional update of `checked_in_at IS NULL`, so a person
//! is counted once however often their code is scanned (the first scan stands).
//!
//! The operations (who may act, the transaction, the audit records) are in [`operations`]; this
//! file holds the model and the writes they share.

pub mod codes;
mod first_check_in;
pub mod handlers;
pub mod lists;
pub mod operations;

use chrono::{Duration, NaiveDateTime};
use diesel::dsl::exists;
use diesel::prelude::*;
use qrcode::render::svg;
use qrcode::{EcLevel, QrCode};
use serde::Serialize;

pub use codes::new_check_in_code;
pub use first_check_in::check_in_recorded;

use crate::db::schema::{events, registrations};
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventStatus};

/// Check-in opens this long before an event starts (registration desks open early) and stays
/// open this long after it ends (a long virtual fair takes check-ins throughout).
pub const CHECK_IN_MARGIN: Duration = Duration::hours(24);

#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = registrations)]
pub struct Registration {
    pub id: String,
    pub event_id: String,
    pub job_seeker_id: String,
    /// What the QR code carries: 80 random bits in Crockford base32 (see [`codes`]); older
    /// registrations have 128 random bits in base64url.
    pub check_in_code: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub registered_at: NaiveDateTime,
    /// The user who registered the job seeker (the person themself, or organizer staff).
    pub registered_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub checked_in_at: Option<NaiveDateTime>,
    /// The staff member who scanned the code.
    pub checked_in_by: Option<String>,
}

/// A registration as the check-in desk sees it after a scan.
#[derive(Debug, Serialize)]
pub struct CheckIn {
    #[serde(flatten)]
    pub registration: Registration,
    /// The code had been scanned before: the first check-in stands, nothing was counted.
    pub already_checked_in: bool,
}

/// The QR code of a check-in code as an SVG image, at least 256 px wide, with medium error
/// correction (it survives a scuffed phone screen).
pub fn qr_svg(check_in_code: &str) -> AppResult<String> {
    let code = QrCode::with_error_correction_level(check_in_code.as_bytes(), EcLevel::M)
        .map_err(AppError::internal)?;
    Ok(code.render::<svg::Color>().min_dimensions(256, 256).build())
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Registration>> {
    registrations::table
        .find(id)
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

/// The event's registration whose check-in code is `code` as typed or scanned: compared by its
/// normalized form ([`lookup_key`]), one indexed read ([`with_key`], then [`pick`]).
pub fn find_by_code(
    conn: &mut DbConn,
    event_id: &str,
    code: &str,
) -> QueryResult<Option<Registration>> {
    let Some(key) = lookup_key(code) else {
        return Ok(None);
    };
    Ok(pick(with_key(conn, event_id, &key)?, code))
}

/// The key a registration is looked up by for `code` ([`codes::normalize_code`]), or `None`
/// when no code could have it: none holds a control character, and PostgreSQL cannot even
/// compare a NUL.
pub fn lookup_key(code: &str) -> Option<String> {
    let key = codes::normalize_code(code);
    (!key.chars().any(char::is_control)).then_some(key)
}

/// The event's registrations whose check-in key is `key`: two at most ([`pick`]).
pub fn with_key(conn: &mut DbConn, event_id: &str, key: &str) -> QueryResult<Vec<Registration>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::check_in_key.eq(key))
        .select(Registration::as_select())
        .limit(2)
        .load(conn)
}

/// The registration `code` names among those found by its key: should two old codes share a
/// normalized form (a chance of about 2^-100), the one spelled exactly as given wins.
pub fn pick(mut found: Vec<Registration>, code: &str) -> Option<Registration> {
    if found.len() > 1 {
        found.retain(|r| r.check_in_code == code);
    }
    found.into_iter().next()
}

/// The job seeker's registration for the event, if any.
pub fn find_for(
    conn: &mut DbConn,
    event_id: &str,
    job_seeker_id: &str,
) -> QueryResult<Option<Registration>> {
    registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::job_seeker_id.eq(job_seeker_id))
        .select(Registration::as_select())
        .first(conn)
        .optional()
}

fn event_not_open(status: EventStatus) -> AppError {
    AppError::conflict(
        "event_not_open",
        format!("only a published event takes registrations and check-ins; this one is {status}"),
    )
}

/// Registration is open while the event is published and has not ended.
pub fn check_registration_open(event: &Event, at: NaiveDateTime) -> AppResult<()> {
    if event.status != EventStatus::Published {
        return Err(event_not_open(event.status));
    }
    if at >= event.ends_at {
        return Err(AppError::conflict(
            "registration_closed",
            "the event has ended; registration is closed",
        ));
    }
    Ok(())
}

impl Registration {
    /// This registration as a first check-in by `by` at `at` leaves it.
    pub fn checked_in(&self, by: &str, at: NaiveDateTime) -> Self {
        Self {
            checked_in_at: Some(at),
            checked_in_by: Some(by.to_owned()),
            ..self.clone()
        }
    }
}

/// The event's status and times: what decides whether a scan is accepted now.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct CheckInWindow {
    pub status: EventStatus,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

impl CheckInWindow {
    pub fn of(event: &Event) -> Self {
        Self {
            status: event.status,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
        }
    }

    /// When check-in opens: [`CHECK_IN_MARGIN`] before the event starts.
    pub fn opens_at(&self) -> NaiveDateTime {
        self.starts_at - CHECK_IN_MARGIN
    }

    /// When check-in closes: [`CHECK_IN_MARGIN`] after the event ends. Door passes expire then.
    pub fn closes_at(&self) -> NaiveDateTime {
        self.ends_at + CHECK_IN_MARGIN
    }

    /// The check-in time to record for a scan a device says it made at `scanned_at`, received at
    /// `now`: inside the window, and never later than `now` (a device clock may be wrong).
    pub fn clamp(&self, scanned_at: NaiveDateTime, now: NaiveDateTime) -> NaiveDateTime {
        scanned_at
            .max(self.opens_at())
            .min(self.closes_at())
            .min(now)
    }

    /// Check-in is accepted for a published event from [`CHECK_IN_MARGIN`] before it starts
    /// until [`CHECK_IN_MARGIN`] after it ends.
    pub fn check(&self, at: NaiveDateTime) -> AppResult<()> {
        if self.status != EventStatus::Published {
            return Err(event_not_open(self.status));
        }
        if at < self.opens_at() || at > self.closes_at() {
            return Err(AppError::conflict(
                "outside_check_in_window",
                "check-in is open from 24 hours before the event starts until 24 hours after it ends",
            ));
        }
        Ok(())
    }
}

/// Registers the job seeker for the event, or returns their registration if they have one
/// (`false`: nothing was created). Takes a seat first: 409 `event_full` at capacity. Run it in
/// a write transaction, after checking that the event is open for this kind of registration.
pub fn register(
    conn: &mut DbConn,
    event: &Event,
    job_seeker_id: &str,
    by: &str,
    at: NaiveDateTime,
) -> AppResult<(Registration, bool)> {
    if let Some(existing) = find_for(conn, &event.id, job_seeker_id)? {
        return Ok((existing, false));
    }
    let seated = diesel::update(events::table.find(&event.id))
        .filter(events::status.eq(EventStatus::Published))
        .filter(events::registrations_count.lt(events::capacity))
        .set(events::registrations_count.eq(events::registrations_count + 1))
        .execute(conn)?;
    if seated == 0 {
        let status: EventStatus = events::table
            .find(&event.id)
            .select(events::status)
            .first(conn)?;
        if status != EventStatus::Published {
            return Err(event_not_open(status));
        }
        return Err(AppError::conflict(
            "event_full",
            format!("the event is at its capacity of {}", event.capacity),
        ));
    }
    let registration = Registration {
        id: new_id(),
        event_id: event.id.clone(),
        job_seeker_id: job_seeker_id.to_owned(),
        check_in_code: new_check_in_code(),
        registered_at: at,
        registered_by: by.to_owned(),
        checked_in_at: None,
        checked_in_by: None,
    };
    diesel::insert_into(registrations::table)
        .values((
            registrations::id.eq(&registration.id),
            registrations::event_id.eq(&registration.event_id),
            registrations::job_seeker_id.eq(&registration.job_seeker_id),
            registrations::check_in_code.eq(&registration.check_in_code),
            registrations::registered_at.eq(at),
            registrations::registered_by.eq(by),
            registrations::updated_at.eq(at),
        ))
        .execute(conn)?;
    crate::metrics::seeker_sets::added(conn, &event.id, job_seeker_id)?;
    Ok((registration, true))
}

/// Checks the registration in unless it is already: the update holds only while
/// `checked_in_at` is null and the event is published, so of simultaneous scans exactly one
/// counts, and none once the event closed or was cancelled. The attendee is counted in the
/// event's figures by [`crate::metrics::attendance`], without locking any row another scan
/// writes. `at` is when the person came in (an offline scanner reports it later); `updated_at`
/// takes the server's clock, for the check-in list's `since`. Run it in a write transaction.
pub fn check_in(
    conn: &mut DbConn,
    registration: &Registration,
    by: &str,
    at: NaiveDateTime,
) -> AppResult<CheckIn> {
    let updated_at = crate::db::now();
    let open = events::table
        .find(&registration.event_id)
        .filter(events::status.eq(EventStatus::Published));
    let updated = diesel::update(registrations::table.find(&registration.id))
        .filter(registrations::checked_in_at.is_null())
        .filter(exists(open))
        .set((
            registrations::checked_in_at.eq(at),
            registrations::checked_in_by.eq(by),
            registrations::updated_at.eq(updated_at),
        ))
        .execute(conn)?;
    if updated == 0 {
        return not_checked_in_now(conn, registration);
    }
    crate::metrics::attendance::checked_in(conn, &registration.id, &registration.event_id)?;
    Ok(CheckIn {
        registration: registration.checked_in(by, at),
        already_checked_in: false,
    })
}

/// Why a first check-in's update changed nothing: the registration was checked in meanwhile,
/// perhaps by a simultaneous scan a moment ago (that check-in is shown), or the event is no
/// longer open (refused).
fn not_checked_in_now(conn: &mut DbConn, registration: &Registration) -> AppResult<CheckIn> {
    let current =
        find(conn, &registration.id)?.ok_or_else(|| AppError::not_found("registration"))?;
    if current.checked_in_at.is_none() {
        let status: EventStatus = events::table
            .find(&registration.event_id)
            .select(events::status)
            .first(conn)?;
        return Err(event_not_open(status));
    }
    Ok(CheckIn {
        registration: current,
        already_checked_in: true,
    })
}

/// The audit record of a new registration. The check-in code is a credential: not recorded.
pub fn registered_change(registration: &Registration) -> crate::audit::Change<'_> {
    crate::audit::Change {
        action: "registration.create",
        entity: "registration",
        entity_id: &registration.id,
        event_id: Some(&registration.event_id),
        changes: serde_json::json!({
            "job_seeker_id": registration.job_seeker_id,
            "registered_by": registration.registered_by,
        }),
    }
}

/// The audit record of a check-in that counted (not of a repeated scan). A check-in through a
/// door pass names the pass (its actor is the user who issued it).
pub fn checked_in_change<'a>(
    registration: &'a Registration,
    door_pass_id: Option<&str>,
) -> crate::audit::Change<'a> {
    let mut changes = serde_json::json!({
        "job_seeker_id": registration.job_seeker_id,
        "checked_in_at": registration.checked_in_at.map(|at| at.and_utc()),
    });
    if let Some(pass) = door_pass_id {
        changes["door_pass_id"] = serde_json::Value::from(pass);
    }
    crate::audit::Change {
        action: "registration.check_in",
        entity: "registration",
        entity_id: &registration.id,
        event_id: Some(&registration.event_id),
        changes,
    }
}

/// Whether an error is a lost race for a unique value (two simultaneous registrations of one
/// person, or walk-ins of one NIK): the transaction was rolled back and a retry will find the
/// winner's row.
pub fn lost_a_race(error: &AppError) -> bool {
    matches!(
        error.code.as_ref(),
        "conflict" | "nik_registered" | "profile_exists"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn window() -> CheckInWindow {
        let starts_at = chrono::NaiveDate::from_ymd_opt(2027, 1, 10)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap();
        CheckInWindow {
            status: EventStatus::Published,
            starts_at,
            ends_at: starts_at + Duration::hours(8),
        }
    }

    #[test]
    fn check_in_opens_a_day_early_and_closes_a_day_late() {
        let w = window();
        let code = |at| w.check(at).err().map(|e| e.code.to_string());
        assert_eq!(code(w.starts_at - Duration::hours(24)), None);
        assert_eq!(code(w.ends_at + Duration::hours(24)), None);
        assert_eq!(
            code(w.starts_at - Duration::hours(24) - Duration::seconds(1)),
            Some("outside_check_in_window".to_string())
        );
        assert_eq!(
            code(w.ends_at + Duration::hours(24) + Duration::seconds(1)),
            Some("outside_check_in_window".to_string())
        );
        let now = w.starts_at;
        let before = w.opens_at() - Duration::hours(3);
        assert_eq!(w.clamp(before, now), w.opens_at());
        assert_eq!(w.clamp(now + Duration::minutes(5), now), now);
        assert_eq!(
            w.clamp(now - Duration::minutes(5), now),
            now - Duration::minutes(5)
        );
        let closed = CheckInWindow {
            status: EventStatus::Closed,
            ..window()
        };
        assert_eq!(
            closed.check(w.starts_at).err().map(|e| e.code.to_string()),
            Some("event_not_open".to_string())
        );
    }
}
