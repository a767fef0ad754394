//! The figures kept on each event for the rollups, written in the same transaction as the change
//! that moves them, so that a rollup of a thousand events reads a thousand event rows (and their
//! sets of job seekers) instead of a million registrations, and is still exact the moment a
//! change commits.
//!
//! - `registrations_count` and `attendees_count`: kept by registration and check-in
//!   (`crate::registrations`).
//! - `applications_count`: [`application_added`].
//! - `placements_reported_count`, `placements_verified_count`, `placements_disputed_count`,
//!   `placements_staff_only_count` (the verified ones the job seeker never confirmed; the rest
//!   of the verified ones they did) and `placed_attendees_count`: recounted from the event's placements by [`placements_changed`]
//!   after any placement is reported or changes status, and [`checked_in`] counts a job seeker
//!   whose verified placement came before their check-in.
//! - the event's set of registered job seekers ([`seeker_registered`]): a Roaring bitmap of the
//!   job seekers' numbers, for the distinct job seekers of a rollup, which cannot be added up
//!   from per-event counts. An event without a stored set has its set read from its
//!   registrations ([`seeker_sets`]).
//!
//! Each writer runs after it has locked the event's row (a registration takes a seat, a check-in
//! counts an attendee, placement writers update the counters) so that writers of one event take
//! turns and a set is never rewritten from a stale copy. [`verify`] compares the kept figures
//! with a count of the rows (`bursa metrics verify`, and the tests after every API scenario);
//! [`rebuild`] recounts them, for rows written around the API (`bursa seed`, restores).

use std::collections::HashMap;

use diesel::dsl::{count, count_star, exists};
use diesel::prelude::*;
use roaring::RoaringBitmap;

use super::verified_texts;
use crate::db::schema::{
    applications, event_seeker_sets, events, job_seekers, placements, registrations, vacancies,
};
use crate::db::DbConn;
use crate::placements::PlacementStatus;

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
    let placed = placements::table
        .inner_join(
            registrations::table.on(registrations::event_id
                .eq(placements::event_id)
                .and(registrations::job_seeker_id.eq(placements::job_seeker_id))),
        )
        .filter(placements::event_id.eq(event_id))
        .filter(placements::status.eq_any(verified_texts()))
        .filter(registrations::checked_in_at.is_not_null())
        .select(count(placements::job_seeker_id).aggregate_distinct())
        .get_result::<i64>(conn)?;
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
        placed_attendees: to_i32(placed),
    })
}

/// Recounts the placement figures of `event_id` from its placements (an indexed handful of
/// rows): after a placement is reported or changes status.
pub fn placements_changed(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    let counts = count_placements(conn, event_id)?;
    diesel::update(events::table.find(event_id))
        .set((
            events::placements_reported_count.eq(counts.reported),
            events::placements_verified_count.eq(counts.verified),
            events::placements_disputed_count.eq(counts.disputed),
            events::placements_staff_only_count.eq(counts.staff_only),
            events::placed_attendees_count.eq(counts.placed_attendees),
        ))
        .execute(conn)
        .map(drop)
}

/// After a first check-in: a job seeker whose hire was verified before they checked in becomes
/// a placed attendee. One indexed lookup; the recount only in that rare case.
pub fn checked_in(conn: &mut DbConn, event_id: &str, job_seeker_id: &str) -> QueryResult<()> {
    let placed = diesel::select(exists(
        placements::table
            .filter(placements::job_seeker_id.eq(job_seeker_id))
            .filter(placements::event_id.eq(event_id))
            .filter(placements::status.eq_any(verified_texts())),
    ))
    .get_result::<bool>(conn)?;
    if placed {
        placements_changed(conn, event_id)?;
    }
    Ok(())
}

/// Adds a newly registered job seeker to the event's set.
pub fn seeker_registered(
    conn: &mut DbConn,
    event_id: &str,
    job_seeker_id: &str,
) -> QueryResult<()> {
    let number = seeker_number(conn, job_seeker_id)?;
    let stored = event_seeker_sets::table
        .find(event_id)
        .select(event_seeker_sets::seekers)
        .first::<Vec<u8>>(conn)
        .optional()?;
    match stored {
        Some(bytes) => {
            let mut set = decode(&bytes)?;
            if set.insert(number) {
                diesel::update(event_seeker_sets::table.find(event_id))
                    .set(event_seeker_sets::seekers.eq(encode(&set)?))
                    .execute(conn)?;
            }
            Ok(())
        }
        // No set yet (the first registration, or an event from before sets were kept): the
        // set of all its registrations, this one included.
        None => store_set(conn, event_id),
    }
}

fn seeker_number(conn: &mut DbConn, job_seeker_id: &str) -> QueryResult<u32> {
    let number = job_seekers::table
        .find(job_seeker_id)
        .select(job_seekers::number)
        .first::<Option<i64>>(conn)?;
    number
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| corrupt(format!("job seeker {job_seeker_id} has no valid number")))
}

fn corrupt(message: String) -> diesel::result::Error {
    diesel::result::Error::DeserializationError(message.into())
}

fn decode(bytes: &[u8]) -> QueryResult<RoaringBitmap> {
    RoaringBitmap::deserialize_from(bytes).map_err(|e| corrupt(format!("seeker set: {e}")))
}

fn encode(set: &RoaringBitmap) -> QueryResult<Vec<u8>> {
    let mut bytes = Vec::with_capacity(set.serialized_size());
    set.serialize_into(&mut bytes)
        .map_err(|e| corrupt(format!("seeker set: {e}")))?;
    Ok(bytes)
}

/// The numbers of the job seekers registered for each of `event_ids`, from the registrations.
fn sets_from_registrations(
    conn: &mut DbConn,
    event_ids: &[String],
) -> QueryResult<HashMap<String, RoaringBitmap>> {
    let mut sets: HashMap<String, RoaringBitmap> = HashMap::new();
    for chunk in event_ids.chunks(500) {
        let rows = registrations::table
            .inner_join(job_seekers::table)
            .filter(registrations::event_id.eq_any(chunk))
            .select((registrations::event_id, job_seekers::number))
            .load::<(String, Option<i64>)>(conn)?;
        for (event_id, number) in rows {
            let number = number
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| corrupt("a job seeker has no valid number".into()))?;
            sets.entry(event_id).or_default().insert(number);
        }
    }
    Ok(sets)
}

/// Writes the event's set afresh from its registrations.
fn store_set(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    let set = sets_from_registrations(conn, &[event_id.to_owned()])?
        .remove(event_id)
        .unwrap_or_default();
    let bytes = encode(&set)?;
    let updated = diesel::update(event_seeker_sets::table.find(event_id))
        .set(event_seeker_sets::seekers.eq(&bytes))
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(event_seeker_sets::table)
            .values((
                event_seeker_sets::event_id.eq(event_id),
                event_seeker_sets::seekers.eq(&bytes),
            ))
            .execute(conn)?;
    }
    Ok(())
}

/// The sets of registered job seekers of `event_ids`: the stored ones, and for events without
/// one, read from their registrations. Events without registrations may be missing.
pub fn seeker_sets(
    conn: &mut DbConn,
    event_ids: &[String],
) -> QueryResult<HashMap<String, RoaringBitmap>> {
    let mut sets = HashMap::with_capacity(event_ids.len());
    for chunk in event_ids.chunks(500) {
        let stored = event_seeker_sets::table
            .filter(event_seeker_sets::event_id.eq_any(chunk))
            .select((event_seeker_sets::event_id, event_seeker_sets::seekers))
            .load::<(String, Vec<u8>)>(conn)?;
        for (event_id, bytes) in stored {
            sets.insert(event_id, decode(&bytes)?);
        }
    }
    let missing: Vec<String> = event_ids
        .iter()
        .filter(|id| !sets.contains_key(*id))
        .cloned()
        .collect();
    if !missing.is_empty() {
        sets.extend(sets_from_registrations(conn, &missing)?);
    }
    Ok(sets)
}

/// Every figure kept on one event, as stored or as counted from the rows.
#[derive(Debug, Clone, Default, PartialEq)]
struct Kept {
    registrations: i32,
    attendees: i32,
    applications: i32,
    placements: PlacementCounts,
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
    let seekers = event_seeker_sets::table
        .find(event_id)
        .select(event_seeker_sets::seekers)
        .first::<Vec<u8>>(conn)
        .optional()?
        .map(|bytes| decode(&bytes))
        .transpose()?;
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
        .count()
        .get_result::<i64>(conn)?;
    let applications = applications::table
        .inner_join(vacancies::table)
        .filter(vacancies::event_id.eq(event_id))
        .count()
        .get_result::<i64>(conn)?;
    let seekers = sets_from_registrations(conn, &[event_id.to_owned()])?.remove(event_id);
    Ok(Kept {
        registrations: to_i32(registered),
        attendees: to_i32(attended),
        applications: to_i32(applications),
        placements: count_placements(conn, event_id)?,
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
        store_set(conn, &id)?;
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
         {} registered job seekers",
        kept.registrations,
        kept.attendees,
        kept.applications,
        kept.placements.reported,
        kept.placements.verified,
        kept.placements.seeker_confirmed,
        kept.placements.staff_only,
        kept.placements.disputed,
        kept.placements.placed_attendees,
        kept.seekers.as_ref().map_or(0, RoaringBitmap::len)
    )
}
