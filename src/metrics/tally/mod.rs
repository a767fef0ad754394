//! The figures kept on each event for the rollups, so that a rollup of a thousand events reads
//! a thousand event rows (and their sets of job seekers) instead of a million registrations, and
//! is still exact the moment a change commits.
//!
//! - `registrations_count`: kept by registration, which takes a seat (`crate::registrations`).
//! - `attendees_count`, and the attendees of the breakdown cells: a first check-in only notes
//!   itself, and [`super::attendance`] folds it in shortly after (readers add what is not
//!   folded yet). So these figures, and the placed attendees below, count the *folded*
//!   attendees; the recounts here leave out the pending ones.
//! - `applications_count`: [`application_added`].
//! - `placements_reported_count`, `placements_verified_count`, `placements_disputed_count`,
//!   `placements_staff_only_count` (the verified ones the job seeker never confirmed; the rest
//!   of the verified ones they did) and `placed_attendees_count`: recounted from the event's
//!   placements by [`placements_changed`] after any placement is reported or changes status;
//!   the fold counts a new attendee whose verified placement came before their check-in.
//! - the breakdown cells (`event_breakdown_cells`: per dimension and value, the attendees and
//!   the placed ones): the fold adds attendees to their four cells; the placed counts are
//!   recounted from the event's placed attendees by [`placements_changed`]; a changed profile
//!   ([`profile_changed`]) or start date ([`event_rescheduled`]) recounts the event's cells,
//!   since a value or an age band may have moved.
//! - the retention at 90 and 180 days (`event_retention`): recounted from the event's verified
//!   placements and their follow-ups by [`placements_changed`] and [`follow_up_recorded`].
//! - the event's set of registered job seekers: see [`super::seeker_sets`].
//!
//! Each writer of these figures (and the fold) first locks the event's row, so that they take
//! turns and each recount sees the others' work; a registration takes the lock by taking a
//! seat. [`verify`] compares the kept figures with a count of the rows (`bursa metrics verify`,
//! and the tests after every API scenario); [`rebuild`] recounts them, for rows written around
//! the API (`bursa seed`, restores).

mod cells;
mod retention;

use diesel::dsl::count_star;
use diesel::prelude::*;
use roaring::RoaringBitmap;

use super::{attendance, seeker_sets, Retention};
use crate::db::schema::{applications, events, placements, registrations, vacancies};
use crate::db::DbConn;
use crate::placements::PlacementStatus;
pub(super) use cells::add_to_cells;
use cells::{count_cells, placed_attendees, store_cells, store_placed_cells, stored_cells, Cells};
use retention::{count_retention, store_retention, stored_retention};

fn to_i32(n: i64) -> i32 {
    i32::try_from(n).unwrap_or(i32::MAX)
}

/// One more application to a vacancy of `event_id`.
pub fn application_added(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    diesel::update(events::table.find(event_id))
        .set(events::applications_count.eq(events::applications_count + 1))
        .execute(conn)
        .map(drop)
}

/// The placement figures of an event, counted from its placements.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct PlacementCounts {
    reported: i32,
    verified: i32,
    disputed: i32,
    /// Of the verified ones, those the job seeker confirmed and those only staff vouched for
    /// (see [`super::staff_only`]).
    seeker_confirmed: i32,
    staff_only: i32,
    placed_attendees: i32,
}

fn count_placements(conn: &mut DbConn, event_id: &str) -> QueryResult<PlacementCounts> {
    let by_status = placements::table
        .filter(placements::event_id.eq(event_id))
        .group_by(placements::status)
        .select((placements::status, count_star()))
        .load::<(PlacementStatus, i64)>(conn)?;
    let sum = |wanted: &dyn Fn(PlacementStatus) -> bool| -> i32 {
        to_i32(
            by_status
                .iter()
                .filter(|(status, _)| wanted(*status))
                .map(|(_, n)| n)
                .sum(),
        )
    };
    let placed = placed_attendees(conn, event_id)?.len();
    // super::staff_only in SQL: verified by staff, never confirmed by the job seeker.
    let staff_only = placements::table
        .filter(placements::event_id.eq(event_id))
        .filter(placements::status.eq(PlacementStatus::Verified.as_str()))
        .filter(placements::confirmed_at.is_null())
        .count()
        .get_result::<i64>(conn)?;
    let verified = sum(&PlacementStatus::is_verified);
    let staff_only = to_i32(staff_only);
    Ok(PlacementCounts {
        reported: sum(&|s| s != PlacementStatus::Retracted),
        verified,
        disputed: sum(&|s| s == PlacementStatus::Disputed),
        seeker_confirmed: verified - staff_only,
        staff_only,
        placed_attendees: to_i32(i64::try_from(placed).unwrap_or(i64::MAX)),
    })
}

/// Recounts the placement figures of `event_id` from its placements (an indexed handful of
/// rows): after a placement is reported or changes status.
pub fn placements_changed(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    // The event's row first: a fold of its check-ins then either came before this recount or
    // waits for it ([`attendance`]).
    lock_event(conn, event_id)?;
    let counts = count_placements(conn, event_id)?;
    diesel::update(events::table.find(event_id))
        .set((
            events::placements_reported_count.eq(counts.reported),
            events::placements_verified_count.eq(counts.verified),
            events::placements_disputed_count.eq(counts.disputed),
            events::placements_staff_only_count.eq(counts.staff_only),
            events::placed_attendees_count.eq(counts.placed_attendees),
        ))
        .execute(conn)?;
    store_placed_cells(conn, event_id)?;
    let retention = count_retention(conn, event_id)?;
    store_retention(conn, event_id, &retention)
}

/// Takes the event's row lock, so that writers of one event's kept figures take turns (the
/// others take it by updating a counter).
pub(super) fn lock_event(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    diesel::update(events::table.find(event_id))
        .set(events::attendees_count.eq(events::attendees_count))
        .execute(conn)
        .map(drop)
}

/// After a job seeker's profile changed: the breakdowns of every event they attended are
/// counted afresh (their gender, age band, education or disability may have moved).
pub fn profile_changed(conn: &mut DbConn, job_seeker_id: &str) -> QueryResult<()> {
    let attended = registrations::table
        .filter(registrations::job_seeker_id.eq(job_seeker_id))
        .filter(registrations::checked_in_at.is_not_null())
        .select(registrations::event_id)
        .order(registrations::event_id)
        .load::<String>(conn)?;
    for event_id in attended {
        event_rescheduled(conn, &event_id)?;
    }
    Ok(())
}

/// After an event's start or province changed: its attendees' age bands are counted afresh
/// (an age band is the age on the event's local start date).
pub fn event_rescheduled(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    lock_event(conn, event_id)?;
    let cells = count_cells(conn, event_id)?;
    store_cells(conn, event_id, &cells)
}

/// After a follow-up of one of the event's placements was recorded.
pub fn follow_up_recorded(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    lock_event(conn, event_id)?;
    let retention = count_retention(conn, event_id)?;
    store_retention(conn, event_id, &retention)
}

/// After migrations: a migration that adds a kept figure leaves it empty, so the figures are
/// counted from the rows once, in the migrating transaction's wake (before any request).
pub fn after_migrations(conn: &mut DbConn, applied: &[String]) -> QueryResult<()> {
    const ADDS_KEPT_FIGURES: &[&str] = &["2026-12-03-000070"];
    let adds = applied
        .iter()
        .any(|version| ADDS_KEPT_FIGURES.iter().any(|v| version.starts_with(v)));
    if adds {
        crate::db::write_transaction(conn, |conn| rebuild(conn, None))?;
    }
    Ok(())
}

fn corrupt(message: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(message.into())
}

/// Every figure kept on one event, as stored or as counted from the rows.
#[derive(Debug, Clone, Default, PartialEq)]
struct Kept {
    registrations: i32,
    attendees: i32,
    applications: i32,
    placements: PlacementCounts,
    cells: Cells,
    retention: [Retention; 2],
    seekers: Option<RoaringBitmap>,
}

fn stored(conn: &mut DbConn, event_id: &str) -> QueryResult<Kept> {
    let (registrations, attendees, applications) = events::table
        .find(event_id)
        .select((
            events::registrations_count,
            events::attendees_count,
            events::applications_count,
        ))
        .first::<(i32, i32, i32)>(conn)?;
    let (reported, verified, disputed, staff_only, placed) = events::table
        .find(event_id)
        .select((
            events::placements_reported_count,
            events::placements_verified_count,
            events::placements_disputed_count,
            events::placements_staff_only_count,
            events::placed_attendees_count,
        ))
        .first::<(i32, i32, i32, i32, i32)>(conn)?;
    let seekers = seeker_sets::stored(conn, event_id)?;
    Ok(Kept {
        registrations,
        attendees,
        applications,
        placements: PlacementCounts {
            reported,
            verified,
            disputed,
            seeker_confirmed: verified - staff_only,
            staff_only,
            placed_attendees: placed,
        },
        cells: stored_cells(conn, event_id)?,
        retention: stored_retention(conn, event_id)?,
        seekers,
    })
}

fn recount(conn: &mut DbConn, event_id: &str) -> QueryResult<Kept> {
    let registered = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .count()
        .get_result::<i64>(conn)?;
    let attended = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::checked_in_at.is_not_null())
        .filter(attendance::not_pending())
        .count()
        .get_result::<i64>(conn)?;
    let applications = applications::table
        .inner_join(vacancies::table)
        .filter(vacancies::event_id.eq(event_id))
        .count()
        .get_result::<i64>(conn)?;
    let seekers = seeker_sets::from_registrations(conn, &[event_id.to_owned()])?.remove(event_id);
    Ok(Kept {
        registrations: to_i32(registered),
        attendees: to_i32(attended),
        applications: to_i32(applications),
        placements: count_placements(conn, event_id)?,
        cells: count_cells(conn, event_id)?,
        retention: count_retention(conn, event_id)?,
        // An event nobody registered for has no set; an empty one is the same.
        seekers: seekers.filter(|set| !set.is_empty()),
    })
}

fn event_ids(conn: &mut DbConn, only: Option<&[String]>) -> QueryResult<Vec<String>> {
    match only {
        Some(ids) => Ok(ids.to_vec()),
        None => events::table
            .select(events::id)
            .order(events::id)
            .load(conn),
    }
}

/// Recomputes every kept figure and set of `only` these events (all when `None`) from the
/// rows. Run it in a write transaction.
pub fn rebuild(conn: &mut DbConn, only: Option<&[String]>) -> QueryResult<()> {
    for id in event_ids(conn, only)? {
        let kept = recount(conn, &id)?;
        diesel::update(events::table.find(&id))
            .set((
                events::registrations_count.eq(kept.registrations),
                events::attendees_count.eq(kept.attendees),
                events::applications_count.eq(kept.applications),
                events::placements_reported_count.eq(kept.placements.reported),
                events::placements_verified_count.eq(kept.placements.verified),
                events::placements_disputed_count.eq(kept.placements.disputed),
                events::placements_staff_only_count.eq(kept.placements.staff_only),
                events::placed_attendees_count.eq(kept.placements.placed_attendees),
            ))
            .execute(conn)?;
        store_cells(conn, &id, &kept.cells)?;
        store_retention(conn, &id, &kept.retention)?;
        seeker_sets::rebuild(conn, &id)?;
    }
    Ok(())
}

/// Compares the figures kept on every event with a count of its rows: the events whose
/// figures differ, each with what differs (`bursa metrics verify`; the tests run it after the
/// API has written). Run it in a read snapshot, so that it sees no write half-way.
pub fn verify(conn: &mut DbConn) -> QueryResult<Vec<String>> {
    let mut problems = Vec::new();
    for id in event_ids(conn, None)? {
        let (kept, counted) = (stored(conn, &id)?, recount(conn, &id)?);
        let comparable = Kept {
            seekers: kept.seekers.clone().filter(|set| !set.is_empty()),
            ..kept.clone()
        };
        if comparable != counted {
            problems.push(format!(
                "event {id}: kept {} but the rows give {}",
                describe(&kept),
                describe(&counted)
            ));
        }
    }
    Ok(problems)
}

fn describe(kept: &Kept) -> String {
    format!(
        "registrations {}, attendees {}, applications {}, placements reported {}, verified {} \
         ({} confirmed by the job seeker, {} by staff only), disputed {}, placed attendees {}, \
         {} registered job seekers, breakdown cells {:?}, retention {:?}",
        kept.registrations,
        kept.attendees,
        kept.applications,
        kept.placements.reported,
        kept.placements.verified,
        kept.placements.seeker_confirmed,
        kept.placements.staff_only,
        kept.placements.disputed,
        kept.placements.placed_attendees,
        kept.seekers.as_ref().map_or(0, RoaringBitmap::len),
        kept.cells,
        kept.retention,
    )
}
