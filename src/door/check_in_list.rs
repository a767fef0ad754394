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

/// The most people one phone search answers.
pub const SEARCH_LIMIT: i64 = 20;

/// A registration found by the phone number of its job seeker: what the list shows of it.
#[derive(Debug, Serialize)]
pub struct Found {
    pub registration_id: String,
    pub display_name: String,
    pub checked_in: bool,
}

/// The ways a phone number may have been typed into a profile: as given, and for an Indonesian
/// mobile number its `+62…`, `62…` and `0…` forms.
fn phone_forms(phone: &str) -> Vec<String> {
    let compact: String = phone
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let mut forms = vec![compact.clone()];
    if let Some(e164) = crate::validate::normalise_phone(&compact) {
        let national = &e164[3..];
        forms.extend([
            e164.clone(),
            format!("62{national}"),
            format!("0{national}"),
        ]);
    }
    forms.sort();
    forms.dedup();
    forms
}

/// The event's registrations whose job seeker has the phone number `q` (8 to 15 digits, an
/// optional `+`; 422 otherwise), for a door that cannot read a code: their short name and whether
/// they are in, never the number or any other contact data. The event's staff and its door
/// passes (see [`DoorCaller::event`]).
pub fn search_by_phone(
    conn: &mut DbConn,
    door: &DoorCaller,
    event_id: &str,
    q: Option<String>,
) -> AppResult<Vec<Found>> {
    let phone: String = q
        .unwrap_or_default()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.' | '(' | ')'))
        .collect();
    let digits = phone.strip_prefix('+').unwrap_or(&phone);
    if !(8..=15).contains(&digits.len()) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return Err(AppError::invalid_field(
            "q",
            "must be a phone number: 8 to 15 digits, an optional leading +",
        ));
    }
    let event = door.event(conn, event_id)?;
    let rows: Vec<(String, String, Option<NaiveDateTime>)> = registrations::table
        .inner_join(job_seekers::table)
        .filter(registrations::event_id.eq(&event.id))
        .filter(job_seekers::phone.eq_any(phone_forms(&phone)))
        .select((
            registrations::id,
            job_seekers::full_name,
            registrations::checked_in_at,
        ))
        .order(registrations::id.asc())
        .limit(SEARCH_LIMIT)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(registration_id, full_name, checked_in_at)| Found {
            registration_id,
            display_name: short_name(&full_name),
            checked_in: checked_in_at.is_some(),
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mobile_number_is_found_however_it_was_typed() {
        assert_eq!(
            phone_forms("0812-3456-7890"),
            vec!["+6281234567890", "081234567890", "6281234567890"]
        );
        assert_eq!(phone_forms("02150001234"), vec!["02150001234"]);
    }
}
