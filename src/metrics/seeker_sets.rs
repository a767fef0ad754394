//! Each event's set of registered job seekers, for the distinct job seekers of a rollup (which
//! cannot be added up from per-event counts): a Roaring bitmap of the job seekers' numbers.
//!
//! A registration costs the same at the 200,000th as at the first: [`added`] only inserts the
//! job seeker's number into `event_seeker_additions`, with no set decoded or rewritten. [`merge`]
//! (run by `crate::upkeep` about once a second) folds each event's additions into its stored set
//! in `event_seeker_sets`, under that row's lock, and deletes exactly the additions it folded
//! in, so an addition committed meanwhile waits for the next round. Readers ([`for_events`]) take
//! the union of the stored set and the additions, so the count is exact at every moment.
//! An event without a stored set (none merged yet, or from before sets were kept) has its set
//! read from its registrations.

use std::collections::HashMap;

use diesel::prelude::*;
use roaring::RoaringBitmap;

use crate::db::schema::{event_seeker_additions, event_seeker_sets, job_seekers, registrations};
use crate::db::DbConn;

/// Notes a newly registered job seeker for the event's set. Run it in the registration's
/// transaction.
pub fn added(conn: &mut DbConn, event_id: &str, job_seeker_id: &str) -> QueryResult<()> {
    // One statement: the number is read where it is inserted.
    let inserted = diesel::insert_into(event_seeker_additions::table)
        .values(
            job_seekers::table
                .filter(job_seekers::id.eq(job_seeker_id))
                .filter(job_seekers::number.is_not_null())
                .select((
                    event_id.into_sql::<diesel::sql_types::Text>(),
                    job_seekers::number.assume_not_null(),
                )),
        )
        .into_columns((
            event_seeker_additions::event_id,
            event_seeker_additions::number,
        ))
        .execute(conn)?;
    if inserted == 0 {
        return Err(corrupt(format!("job seeker {job_seeker_id} has no number")));
    }
    Ok(())
}

/// Events folded per round of [`merge`], each in its own short transaction.
const MERGE_EVENTS: i64 = 200;

/// Folds the additions of up to [`MERGE_EVENTS`] events into their stored sets. Returns how
/// many events it merged; safe to run from several instances at once.
pub fn merge(conn: &mut DbConn) -> QueryResult<usize> {
    let event_ids: Vec<String> = event_seeker_additions::table
        .select(event_seeker_additions::event_id)
        .distinct()
        .limit(MERGE_EVENTS)
        .load(conn)?;
    for event_id in &event_ids {
        conn.transaction(|conn| merge_event(conn, event_id))?;
    }
    Ok(event_ids.len())
}

fn merge_event(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    // Lock the stored set first (a no-op update), so that mergers of one event take turns and
    // none writes back a set another has moved on from.
    let locked = diesel::update(event_seeker_sets::table.find(event_id))
        .set(event_seeker_sets::event_id.eq(event_seeker_sets::event_id))
        .execute(conn)?;
    let numbers: Vec<i64> = event_seeker_additions::table
        .filter(event_seeker_additions::event_id.eq(event_id))
        .select(event_seeker_additions::number)
        .load(conn)?;
    if locked == 0 {
        // No stored set yet: the set of all its registrations, these additions included.
        store_from_registrations(conn, event_id)?;
    } else {
        let bytes = event_seeker_sets::table
            .find(event_id)
            .select(event_seeker_sets::seekers)
            .first::<Vec<u8>>(conn)?;
        let mut set = decode(&bytes)?;
        set.extend(
            numbers
                .iter()
                .map(|n| number(*n))
                .collect::<QueryResult<Vec<_>>>()?,
        );
        diesel::update(event_seeker_sets::table.find(event_id))
            .set(event_seeker_sets::seekers.eq(encode(&set)?))
            .execute(conn)?;
    }
    for chunk in numbers.chunks(1000) {
        diesel::delete(
            event_seeker_additions::table
                .filter(event_seeker_additions::event_id.eq(event_id))
                .filter(event_seeker_additions::number.eq_any(chunk)),
        )
        .execute(conn)?;
    }
    Ok(())
}

/// The stored set of one event with its additions, `None` when it has neither (as kept, for
/// `bursa metrics verify`).
pub fn stored(conn: &mut DbConn, event_id: &str) -> QueryResult<Option<RoaringBitmap>> {
    let set = event_seeker_sets::table
        .find(event_id)
        .select(event_seeker_sets::seekers)
        .first::<Vec<u8>>(conn)
        .optional()?
        .map(|bytes| decode(&bytes))
        .transpose()?;
    let mut additions = additions_of(conn, &[event_id.to_owned()])?;
    Ok(match (set, additions.remove(event_id)) {
        (Some(mut set), Some(added)) => {
            set |= added;
            Some(set)
        }
        (set, added) => set.or(added),
    })
}

/// The sets of registered job seekers of `event_ids`: the stored ones with their additions, and
/// for events without one, read from their registrations. Events without registrations may be
/// missing.
pub fn for_events(
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
        sets.extend(from_registrations(conn, &missing)?);
    }
    for (event_id, added) in additions_of(conn, event_ids)? {
        *sets.entry(event_id).or_default() |= added;
    }
    Ok(sets)
}

/// Writes the event's set afresh from its registrations and drops its additions (for
/// `bursa metrics rebuild`). Run it in a write transaction.
pub fn rebuild(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    store_from_registrations(conn, event_id)?;
    diesel::delete(
        event_seeker_additions::table.filter(event_seeker_additions::event_id.eq(event_id)),
    )
    .execute(conn)?;
    Ok(())
}

/// The numbers of the job seekers registered for each of `event_ids`, from the registrations.
pub fn from_registrations(
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
        for (event_id, n) in rows {
            let n = n.ok_or_else(|| corrupt("a job seeker has no number".into()))?;
            sets.entry(event_id).or_default().insert(number(n)?);
        }
    }
    Ok(sets)
}

fn additions_of(
    conn: &mut DbConn,
    event_ids: &[String],
) -> QueryResult<HashMap<String, RoaringBitmap>> {
    let mut sets: HashMap<String, RoaringBitmap> = HashMap::new();
    for chunk in event_ids.chunks(500) {
        let rows = event_seeker_additions::table
            .filter(event_seeker_additions::event_id.eq_any(chunk))
            .select((
                event_seeker_additions::event_id,
                event_seeker_additions::number,
            ))
            .load::<(String, i64)>(conn)?;
        for (event_id, n) in rows {
            sets.entry(event_id).or_default().insert(number(n)?);
        }
    }
    Ok(sets)
}

fn store_from_registrations(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    let set = from_registrations(conn, &[event_id.to_owned()])?
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

fn number(n: i64) -> QueryResult<u32> {
    u32::try_from(n).map_err(|_| corrupt(format!("job seeker number {n} is out of range")))
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
