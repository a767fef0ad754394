//! The upload of a door scanner's scans: up to [`MAX_SCANS`] at once, each answered on its own.
//!
//! A scanner works offline and uploads what it scanned when it can, perhaps twice (a lost
//! answer, a retry). So each scan carries a `client_id` the device chose, and the answer to it
//! is stored under (event, `client_id`) in the transaction of the check-in: a replay gets the
//! stored answer and counts nothing again. Answers that depend on when one asks
//! (`outside_check_in_window`, `event_not_open`) are not stored, so a later upload may still
//! check the person in.
//!
//! Each scan is its own small transaction, through the same domain function as a single scan
//! ([`registrations::check_in`]), so the event's kept figures move exactly as they do there.
//! One transaction for the whole batch would hold the event's row (its attendee counter) and
//! the audit chain's head for all 500 scans, making every other door, registration and audited
//! change of the fair wait behind one upload; per scan they wait a millisecond. A failure
//! halfway keeps the scans before it, and the retry is answered from what was stored.

use std::collections::HashMap;

use chrono::{DateTime, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::DoorCaller;
use crate::audit;
use crate::db::schema::door_scans;
use crate::db::{is_unique_violation, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::registrations::{self, CheckInWindow};
use crate::validate::{to_db_time, Checker};

/// The most scans in one upload.
pub const MAX_SCANS: usize = 500;
/// The longest `client_id` and check-in code.
pub const MAX_CLIENT_ID: usize = 64;
pub const MAX_CODE: usize = 64;

crate::text_enum! {
    /// The answer to one scan.
    pub enum ScanStatus {
        /// Counted now (or by this `client_id` before).
        CheckedIn = "checked_in",
        /// The person was in already: the first check-in stands.
        AlreadyCheckedIn = "already_checked_in",
        /// No registration of this fair has the code.
        NotFound = "not_found",
        /// The upload came outside the fair's check-in window (not stored: retry within it).
        OutsideCheckInWindow = "outside_check_in_window",
        /// The fair is not published, or was closed (not stored).
        EventNotOpen = "event_not_open",
    }
}

/// One scan as uploaded.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanInput {
    pub client_id: Option<String>,
    pub check_in_code: Option<String>,
    /// RFC 3339, as the device's clock saw it.
    pub scanned_at: Option<String>,
}

/// A scan that passed validation.
#[derive(Debug, Clone)]
pub struct Scan {
    pub client_id: String,
    pub check_in_code: String,
    pub scanned_at: NaiveDateTime,
}

/// The answer to one scan.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct ScanResult {
    pub client_id: String,
    pub status: ScanStatus,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub registration_id: Option<String>,
}

/// Checks the whole upload before anything is recorded: 422 naming every bad field
/// (`scans[3].scanned_at`), and `scans` itself when it is missing or holds more than
/// [`MAX_SCANS`].
pub fn validate(scans: Option<Vec<ScanInput>>) -> AppResult<Vec<Scan>> {
    let mut c = Checker::new();
    let scans = c.required("scans", scans);
    if scans.len() > MAX_SCANS {
        return Err(AppError::invalid_field(
            "scans",
            format!("at most {MAX_SCANS} scans per upload"),
        ));
    }
    let valid = scans
        .into_iter()
        .enumerate()
        .map(|(i, scan)| {
            let field = |name: &str| format!("scans[{i}].{name}");
            let client_id = c.required_text(&field("client_id"), scan.client_id, 1, MAX_CLIENT_ID);
            let check_in_code =
                c.required_text(&field("check_in_code"), scan.check_in_code, 1, MAX_CODE);
            let scanned_at = match scan.scanned_at.map(|t| DateTime::parse_from_rfc3339(&t)) {
                Some(Ok(t)) => c.time_in_range(&field("scanned_at"), to_db_time(t.to_utc())),
                Some(Err(_)) => {
                    c.fail(&field("scanned_at"), "must be an RFC 3339 time");
                    NaiveDateTime::default()
                }
                None => c.required(&field("scanned_at"), None),
            };
            Scan {
                client_id,
                check_in_code,
                scanned_at,
            }
        })
        .collect();
    c.finish()?;
    Ok(valid)
}

/// Records an upload at the event's door: its staff or its door pass (see
/// [`DoorCaller::event`]). One result per scan, in the order given; a `client_id` seen before at
/// this fair (in an earlier upload or earlier in this one) gets its first answer again, whatever
/// the rest of the scan says. `checked_in_at` is the scan time, clamped into the check-in window
/// and never later than now ([`CheckInWindow::clamp`]).
pub fn upload(
    conn: &mut DbConn,
    door: &DoorCaller,
    event_id: &str,
    scans: Vec<Scan>,
) -> AppResult<Vec<ScanResult>> {
    let event = door.event(conn, event_id)?;
    let window = CheckInWindow::of(&event);
    let at = now();
    // Whether the door is open now decides for every scan not answered before.
    let closed = window.check(at).err().map(|e| match e.code.as_ref() {
        "outside_check_in_window" => ScanStatus::OutsideCheckInWindow,
        _ => ScanStatus::EventNotOpen,
    });
    let mut answered = stored(conn, &event.id, &scans)?;
    let mut results = Vec::with_capacity(scans.len());
    for scan in scans {
        let answer = match (answered.get(&scan.client_id), closed) {
            (Some(answer), _) => answer.clone(),
            (None, Some(status)) => (status, None),
            (None, None) => {
                let answer = record(conn, door, &event, &window, &scan, at)?;
                answered.insert(scan.client_id.clone(), answer.clone());
                answer
            }
        };
        results.push(ScanResult {
            client_id: scan.client_id,
            status: answer.0,
            registration_id: answer.1,
        });
    }
    Ok(results)
}

type Answer = (ScanStatus, Option<String>);

/// The stored answers to the upload's `client_id`s at this event.
fn stored(conn: &mut DbConn, event_id: &str, scans: &[Scan]) -> AppResult<HashMap<String, Answer>> {
    let ids: Vec<&str> = scans.iter().map(|s| s.client_id.as_str()).collect();
    let rows: Vec<(String, ScanStatus, Option<String>)> = door_scans::table
        .filter(door_scans::event_id.eq(event_id))
        .filter(door_scans::client_id.eq_any(&ids))
        .select((
            door_scans::client_id,
            door_scans::status,
            door_scans::registration_id,
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(client_id, status, registration)| (client_id, (status, registration)))
        .collect())
}

/// The error of a transaction that found its `client_id` answered meanwhile (a simultaneous
/// upload of the same scan won): rolled back, then the winner's answer is read.
const SCAN_RACE: &str = "door_scan_answered";

/// Answers one new scan in its own transaction: the check-in (as a single scan makes it), the
/// stored answer, and the audit record of a check-in that counted.
fn record(
    conn: &mut DbConn,
    door: &DoorCaller,
    event: &Event,
    window: &CheckInWindow,
    scan: &Scan,
    at: NaiveDateTime,
) -> AppResult<Answer> {
    let actor = &door.acting_user().id;
    let outcome = write_transaction(conn, |conn| {
        let registration = registrations::find_by_code(conn, &event.id, &scan.check_in_code)?;
        let (answer, counted) = match registration {
            None => ((ScanStatus::NotFound, None), None),
            Some(registration) => {
                let checked_in_at = window.clamp(scan.scanned_at, at);
                let check_in = registrations::check_in(conn, &registration, actor, checked_in_at)?;
                let status = if check_in.already_checked_in {
                    ScanStatus::AlreadyCheckedIn
                } else {
                    ScanStatus::CheckedIn
                };
                let counted = (!check_in.already_checked_in).then_some(check_in.registration);
                ((status, Some(registration.id)), counted)
            }
        };
        let inserted = diesel::insert_into(door_scans::table)
            .values((
                door_scans::event_id.eq(&event.id),
                door_scans::client_id.eq(&scan.client_id),
                door_scans::status.eq(answer.0),
                door_scans::registration_id.eq(&answer.1),
                door_scans::scanned_at.eq(scan.scanned_at),
                door_scans::recorded_at.eq(at),
                door_scans::recorded_by.eq(actor),
                door_scans::door_pass_id.eq(door.door_pass_id()),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => {
                return Err(AppError::conflict(
                    SCAN_RACE,
                    "this scan was answered meanwhile",
                ))
            }
            other => other?,
        };
        // The audit record last: it takes the chain's head, which is held until commit.
        if let Some(registration) = &counted {
            audit::record(
                conn,
                Some(actor),
                registrations::checked_in_change(registration, door.door_pass_id()),
            )?;
        }
        Ok(answer)
    });
    match outcome {
        Err(e) if e.code == "event_not_open" => Ok((ScanStatus::EventNotOpen, None)),
        Err(e) if e.code == SCAN_RACE => {
            let scan = std::slice::from_ref(scan);
            stored(conn, &event.id, scan)?
                .remove(&scan[0].client_id)
                .ok_or(e)
        }
        other => other,
    }
}
