//! The first scan of a ticket, with its audit record, in as few database calls as the engine
//! allows.
//!
//! A first check-in is three writes: the conditional update of the registration
//! ([`super::check_in`]), the note for the event's figures
//! ([`crate::metrics::attendance::checked_in`]) and the audit record ([`audit::record`]). At the
//! door it is the busiest write there is, so on PostgreSQL the three are one prepared statement
//! (the update, and two inserts of the row it changed, in a writable common table expression):
//! a statement is its own transaction, so there is no BEGIN or COMMIT to send, one round trip
//! instead of five, and nothing to parse or plan after the first time. SQLite has no writable
//! common table expressions: it runs the three writes in one transaction. Both engines answer
//! the same; the API tests run on both.

use chrono::NaiveDateTime;
use diesel::pg::{Pg, PgConnection};
use diesel::prelude::*;
use diesel::query_builder::{AstPass, QueryFragment, QueryId};
use diesel::sql_types::{Text, Timestamp};

use super::{checked_in_change, CheckIn, Registration};
use crate::audit::{self, NewRecord};
use crate::db::{write_transaction, DbConn};
use crate::error::AppResult;
use crate::events::EventStatus;

/// Checks `registration` in at `at` as [`super::check_in`] does, by `by` (through the door pass
/// `door_pass_id`, if any), and records it in the audit log when it counted.
pub fn check_in_recorded(
    conn: &mut DbConn,
    registration: &Registration,
    by: &str,
    door_pass_id: Option<&str>,
    at: NaiveDateTime,
) -> AppResult<CheckIn> {
    let DbConn::Postgres(pg) = conn else {
        return write_transaction(conn, |conn| {
            let check_in = super::check_in(conn, registration, by, at)?;
            // A simultaneous scan may have won meanwhile: then nothing changed here.
            if !check_in.already_checked_in {
                audit::record(
                    conn,
                    Some(by),
                    checked_in_change(&check_in.registration, door_pass_id),
                )?;
            }
            Ok(check_in)
        });
    };
    let checked_in = registration.checked_in(by, at);
    let record = NewRecord::new(Some(by), checked_in_change(&checked_in, door_pass_id));
    let updated = FirstCheckIn {
        registration_id: &registration.id,
        event_id: &registration.event_id,
        by,
        at,
        updated_at: crate::db::now(),
        record: &record,
    }
    .execute(pg)?;
    if updated == 0 {
        return super::not_checked_in_now(conn, registration);
    }
    Ok(CheckIn {
        registration: checked_in,
        already_checked_in: false,
    })
}

/// The statement of a first check-in on PostgreSQL: the update of [`super::check_in`] (the
/// same conditions: not checked in yet, the event published), then the note for the figures
/// and the audit record, each inserted once per row the update changed (so not at all when it
/// changed none). Its row count is the update's.
struct FirstCheckIn<'a> {
    registration_id: &'a str,
    event_id: &'a str,
    by: &'a str,
    at: NaiveDateTime,
    updated_at: NaiveDateTime,
    record: &'a NewRecord<'a>,
}

const PUBLISHED: EventStatus = EventStatus::Published;

impl QueryFragment<Pg> for FirstCheckIn<'_> {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, Pg>) -> QueryResult<()> {
        out.push_sql("WITH changed AS (UPDATE registrations SET checked_in_at = ");
        out.push_bind_param::<Timestamp, _>(&self.at)?;
        out.push_sql(", checked_in_by = ");
        out.push_bind_param::<Text, str>(self.by)?;
        out.push_sql(", updated_at = ");
        out.push_bind_param::<Timestamp, _>(&self.updated_at)?;
        out.push_sql(" WHERE registrations.id = ");
        out.push_bind_param::<Text, str>(self.registration_id)?;
        out.push_sql(
            " AND registrations.checked_in_at IS NULL \
             AND EXISTS (SELECT 1 FROM events WHERE events.id = ",
        );
        out.push_bind_param::<Text, str>(self.event_id)?;
        out.push_sql(" AND events.status = ");
        out.push_bind_param::<Text, EventStatus>(&PUBLISHED)?;
        out.push_sql(
            ") RETURNING registrations.id, registrations.event_id), \
             noted AS (INSERT INTO event_attendee_additions (registration_id, event_id) \
             SELECT id, event_id FROM changed) ",
        );
        self.record.push_insert_if_any(&mut out, "changed")
    }
}

/// The statement's text never changes, only its parameters: PostgreSQL keeps it prepared.
impl QueryId for FirstCheckIn<'_> {
    type QueryId = FirstCheckIn<'static>;
    const HAS_STATIC_QUERY_ID: bool = true;
}

impl RunQueryDsl<PgConnection> for FirstCheckIn<'_> {}
