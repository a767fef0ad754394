//! The check-in list a door scanner downloads, so it can decide at the door without a network:
//! per registration a hash of its code, a short name and whether the person is in. No NIK, no
//! contact data, no code.
//!
//! A fair may hold 200,000 registrations, so the list comes in pages (up to [`MAX_LIMIT`]
//! entries, ordered by when they changed) and a scanner that has it asks only for what changed
//! since (`since`). Changes are stamped with the server's clock in their transaction, which may
//! commit a moment later than its stamp; so `as_of`, the `since` to send next time, lies
//! [`OVERLAP`] before the read, and a scanner merges entries by `registration_id` (an entry may
//! come twice, none is missed).

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::DoorCaller;
use crate::db::schema::{job_seekers, registrations};
use crate::db::{now, DbConn};
use crate::error::{AppError, AppResult};
use crate::job_seekers::names::short_name;
use crate::pagination::Cursor;
use crate::registrations::codes::code_hash;

/// The most entries in one page, and the default.
pub const MAX_LIMIT: i64 = 5000;
pub const DEFAULT_LIMIT: i64 = 1000;

/// How far `as_of` lies before the read: longer than a check-in's transaction can take to
/// commit after it stamped its change (a SQLite writer waits at most 10 seconds for its turn).
pub const OVERLAP: Duration = Duration::seconds(60);

/// One registration as the door sees it.
#[derive(Debug, Serialize)]
pub struct Entry {
    pub registration_id: String,
    /// Lowercase hex SHA-256 of the normalized check-in code (see
    /// [`crate::registrations::codes`]).
    pub code_hash: String,
    /// The given name and an initial ("Siti R.").
    pub display_name: String,
    pub checked_in: bool,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub checked_in_at: Option<NaiveDateTime>,
    /// When the entry last changed (registered or checked in), by the server's clock.
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub changed_at: NaiveDateTime,
}

/// A page of the list.
#[derive(Debug, Serialize)]
pub struct CheckInList {
    pub items: Vec<Entry>,
    /// The next page, or `null` on the last.
    pub next_cursor: Option<String>,
    /// The `since` to send next time, once the last page is in.
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub as_of: NaiveDateTime,
}

/// What to read: entries changed at or after `since`, after `after` (a cursor).
#[derive(Debug, Clone)]
pub struct ListQuery {
    pub since: Option<NaiveDateTime>,
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// `limit` of the check-in list: 1 to [`MAX_LIMIT`], default [`DEFAULT_LIMIT`].
pub fn limit(raw: Option<i64>) -> AppResult<i64> {
    match raw {
        None => Ok(DEFAULT_LIMIT),
        Some(n) if (1..=MAX_LIMIT).contains(&n) => Ok(n),
        Some(_) => Err(AppError::invalid_field(
            "limit",
            format!("must be between 1 and {MAX_LIMIT}"),
        )),
    }
}

/// The event's check-in list: its staff and its door passes (see [`DoorCaller::event`]).
pub fn list(
    conn: &mut DbConn,
    door: &DoorCaller,
    event_id: &str,
    query: ListQuery,
) -> AppResult<CheckInList> {
    let event = door.event(conn, event_id)?;
    let as_of = now() - OVERLAP;
    let mut q = registrations::table
        .inner_join(job_seekers::table)
        .filter(registrations::event_id.eq(&event.id))
        .select((
            registrations::id,
            registrations::check_in_code,
            job_seekers::full_name,
            registrations::checked_in_at,
            registrations::updated_at,
        ))
        .into_boxed();
    if let Some(since) = query.since {
        q = q.filter(registrations::updated_at.ge(since));
    }
    if let Some(after) = &query.after {
        let at = after.key_as_time()?;
        q = q.filter(
            registrations::updated_at
                .gt(at)
                .or(registrations::updated_at
                    .eq(at)
                    .and(registrations::id.gt(after.id.clone()))),
        );
    }
    type Row = (String, String, String, Option<NaiveDateTime>, NaiveDateTime);
    let mut rows: Vec<Row> = q
        .order((registrations::updated_at.asc(), registrations::id.asc()))
        .limit(query.limit + 1)
        .load(conn)?;
    let more = rows.len() as i64 > query.limit;
    rows.truncate(query.limit as usize);
    let next_cursor = match (more, rows.last()) {
        (true, Some(last)) => Some(Cursor::from_time(last.4, &last.0).encode()),
        _ => None,
    };
    let items = rows
        .into_iter()
        .map(
            |(registration_id, code, full_name, checked_in_at, changed_at)| Entry {
                registration_id,
                code_hash: code_hash(&code),
                display_name: short_name(&full_name),
                checked_in: checked_in_at.is_some(),
                checked_in_at,
                changed_at,
            },
        )
        .collect();
    Ok(CheckInList {
        items,
        next_cursor,
        as_of,
    })
}
