//! First check-ins, counted without making the scans of one fair take turns (issue 15).
//!
//! A first check-in marks its registration and appends it to `event_attendee_additions`
//! ([`checked_in`]): it writes no row that another scan writes, so the scans at one door no
//! longer queue behind the event's row until each commits. About once a second the upkeep
//! worker ([`fold`]) counts each event's additions into its kept figures (`attendees_count`,
//! the breakdown cells and, for an attendee whose hire was verified already, the placed
//! attendees) under the event's row lock, and deletes exactly the additions it counted.
//!
//! Until then readers add them, in the same snapshot as the kept figures, so that every figure
//! is exact the moment the scan commits: [`pending`] gives the additions' figures per event
//! (the rollups) and [`Attendees`] an event's attendee count (every read of an event).
//! The kept figures therefore count *folded* attendees: the recounts of [`super::tally`] leave
//! out the registrations still pending ([`not_pending`]), and `bursa metrics verify` compares
//! like with like.

use std::collections::{BTreeMap, HashMap};

use diesel::dsl::{count_star, exists, not};
use diesel::prelude::*;
use serde::{Serialize, Serializer};

use super::{verified_texts, AttendeeFact, Dimension};
use crate::db::schema::{event_attendee_additions, events, job_seekers, placements, registrations};
use crate::db::DbConn;

/// Notes a first check-in for its event's kept figures. Run it in the check-in's transaction.
pub fn checked_in(conn: &mut DbConn, registration_id: &str, event_id: &str) -> QueryResult<()> {
    diesel::insert_into(event_attendee_additions::table)
        .values((
            event_attendee_additions::registration_id.eq(registration_id),
            event_attendee_additions::event_id.eq(event_id),
        ))
        .execute(conn)
        .map(drop)
}

/// Filters registrations to those counted in the kept figures already: not waiting in
/// `event_attendee_additions` (for the recounts that the kept figures are compared with).
#[diesel::dsl::auto_type]
pub fn not_pending() -> _ {
    not(exists(event_attendee_additions::table.filter(
        event_attendee_additions::registration_id.eq(registrations::id),
    )))
}

/// The check-ins of an event not yet folded, counted in SQL beside its row (see [`Attendees`]).
#[diesel::dsl::auto_type]
pub fn pending_of_event() -> _ {
    event_attendee_additions::table
        .filter(event_attendee_additions::event_id.eq(events::id))
        .select(count_star())
        .single_value()
        .assume_not_null()
}

/// An event's attendees: those its row counts and the check-ins not yet folded into it, read in
/// one statement. Serialized as their sum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Queryable, Selectable)]
#[diesel(table_name = events)]
pub struct Attendees {
    #[diesel(column_name = attendees_count)]
    folded: i32,
    #[diesel(select_expression = pending_of_event())]
    #[diesel(select_expression_type = pending_of_event)]
    pending: i64,
}

impl Attendees {
    pub fn count(self) -> i64 {
        i64::from(self.folded) + self.pending
    }
}

impl Serialize for Attendees {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(self.count())
    }
}

/// The figures of an event's check-ins not yet folded.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Pending {
    registration_ids: Vec<String>,
    pub attendees: i32,
    /// Those of them with a verified hire at the event.
    pub placed_attendees: i32,
    /// Per breakdown cell: (attendees, placed attendees).
    pub cells: BTreeMap<(Dimension, String), (i32, i32)>,
}

/// The figures of the check-ins of `event_ids` not yet folded, by event (events without any
/// are missing). A handful of rows per event: what arrived since the last fold.
pub fn pending(conn: &mut DbConn, event_ids: &[String]) -> QueryResult<HashMap<String, Pending>> {
    let mut by_event: HashMap<String, Pending> = HashMap::new();
    for chunk in event_ids.chunks(500) {
        let rows = event_attendee_additions::table
            .inner_join(
                registrations::table
                    .inner_join(job_seekers::table)
                    .inner_join(events::table),
            )
            .filter(event_attendee_additions::event_id.eq_any(chunk))
            .select((
                event_attendee_additions::registration_id,
                events::id,
                events::local_start_date,
                AttendeeFact::as_select(),
                exists(
                    placements::table
                        .filter(placements::job_seeker_id.eq(registrations::job_seeker_id))
                        .filter(placements::event_id.eq(registrations::event_id))
                        .filter(placements::status.eq_any(verified_texts())),
                ),
            ))
            .load::<(String, String, chrono::NaiveDate, AttendeeFact, bool)>(conn)?;
        for (registration_id, event_id, local_start, fact, placed) in rows {
            let figures = by_event.entry(event_id).or_default();
            figures.registration_ids.push(registration_id);
            figures.attendees += 1;
            figures.placed_attendees += i32::from(placed);
            for cell in fact.values(local_start) {
                let counts = figures.cells.entry(cell).or_default();
                counts.0 += 1;
                counts.1 += i32::from(placed);
            }
        }
    }
    Ok(by_event)
}

/// Events folded per round of [`fold`], each in its own short transaction.
const FOLD_EVENTS: i64 = 200;

/// Folds the pending check-ins of up to [`FOLD_EVENTS`] events into their kept figures.
/// Returns how many events it folded; safe to run from several instances at once.
pub fn fold(conn: &mut DbConn) -> QueryResult<usize> {
    let event_ids: Vec<String> = event_attendee_additions::table
        .select(event_attendee_additions::event_id)
        .distinct()
        .limit(FOLD_EVENTS)
        .load(conn)?;
    for event_id in &event_ids {
        conn.transaction(|conn| fold_event(conn, event_id))?;
    }
    Ok(event_ids.len())
}

fn fold_event(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    // The event's row first, as every writer of its kept figures takes it: the additions read
    // next are exactly those no other folder or recount has counted.
    super::tally::lock_event(conn, event_id)?;
    let Some(pending) = pending(conn, &[event_id.to_owned()])?.remove(event_id) else {
        return Ok(());
    };
    diesel::update(events::table.find(event_id))
        .set((
            events::attendees_count.eq(events::attendees_count + pending.attendees),
            events::placed_attendees_count
                .eq(events::placed_attendees_count + pending.placed_attendees),
        ))
        .execute(conn)?;
    super::tally::add_to_cells(conn, event_id, &pending.cells)?;
    for chunk in pending.registration_ids.chunks(1000) {
        diesel::delete(
            event_attendee_additions::table
                .filter(event_attendee_additions::registration_id.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use diesel::pg::Pg;
    use diesel::query_builder::QueryFragment;

    #[test]
    fn reading_an_event_is_prepared_once() {
        // Every read of an event counts its pending check-ins in a subquery: it must not keep
        // PostgreSQL from caching the statement.
        let read = events::table
            .find("e".to_owned())
            .select(crate::events::Event::as_select());
        assert!(QueryFragment::<Pg>::is_safe_to_cache_prepared(&read, &Pg).unwrap());
    }
}
