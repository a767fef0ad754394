//! The breakdown cells kept on each event (`event_breakdown_cells`): per dimension and value,
//! the attendees and the placed ones (see the module above for who moves them).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use diesel::prelude::*;

use super::super::{attendance, verified_texts, AttendeeFact, Dimension};
use super::corrupt;
use crate::db::schema::{event_breakdown_cells, events, job_seekers, placements, registrations};
use crate::db::DbConn;

/// The breakdown cells of one event: (dimension, value) → (attendees, placed attendees).
pub(super) type Cells = BTreeMap<(Dimension, String), (i32, i32)>;

pub(super) fn local_start(conn: &mut DbConn, event_id: &str) -> QueryResult<NaiveDate> {
    events::table
        .find(event_id)
        .select(events::local_start_date)
        .first(conn)
}

/// Adds attendees and placed attendees to the event's cells, in one statement: each cell's
/// counts grow, and a value new to the event gets its cell.
pub(in crate::metrics) fn add_to_cells(
    conn: &mut DbConn,
    event_id: &str,
    cells: &Cells,
) -> QueryResult<()> {
    use diesel::upsert::excluded;
    use event_breakdown_cells::{attendees, dimension, placed_attendees, value};
    if cells.is_empty() {
        return Ok(());
    }
    let rows: Vec<_> = cells
        .iter()
        .map(|((cell_dimension, cell_value), (added, placed))| {
            (
                event_breakdown_cells::event_id.eq(event_id),
                dimension.eq(cell_dimension.as_str()),
                value.eq(cell_value.as_str()),
                attendees.eq(*added),
                placed_attendees.eq(*placed),
            )
        })
        .collect();
    // Upserts are beyond diesel's two-engine connection: each engine builds its own.
    crate::on_engine!(conn, |c| diesel::insert_into(event_breakdown_cells::table)
        .values(&rows)
        .on_conflict((event_breakdown_cells::event_id, dimension, value))
        .do_update()
        .set((
            attendees.eq(attendees + excluded(attendees)),
            placed_attendees.eq(placed_attendees + excluded(placed_attendees)),
        ))
        .execute(c))?;
    Ok(())
}

/// The distinct attendees of the event with at least one verified placement there.
pub(super) fn placed_attendees(
    conn: &mut DbConn,
    event_id: &str,
) -> QueryResult<Vec<AttendeeFact>> {
    placements::table
        .inner_join(
            registrations::table.on(registrations::event_id
                .eq(placements::event_id)
                .and(registrations::job_seeker_id.eq(placements::job_seeker_id))),
        )
        .inner_join(job_seekers::table.on(job_seekers::id.eq(placements::job_seeker_id)))
        .filter(placements::event_id.eq(event_id))
        .filter(placements::status.eq_any(verified_texts()))
        .filter(registrations::checked_in_at.is_not_null())
        .filter(attendance::not_pending())
        .select(AttendeeFact::as_select())
        .distinct()
        .load::<AttendeeFact>(conn)
}

/// Recounts the placed attendees of each of the event's cells from its placed attendees (as
/// many as its verified placements at most, not its attendees).
pub(super) fn store_placed_cells(conn: &mut DbConn, event_id: &str) -> QueryResult<()> {
    let local_start = local_start(conn, event_id)?;
    let mut placed: BTreeMap<(Dimension, String), i32> = BTreeMap::new();
    for fact in placed_attendees(conn, event_id)? {
        for cell in fact.values(local_start) {
            *placed.entry(cell).or_default() += 1;
        }
    }
    diesel::update(
        event_breakdown_cells::table
            .filter(event_breakdown_cells::event_id.eq(event_id))
            .filter(event_breakdown_cells::placed_attendees.ne(0)),
    )
    .set(event_breakdown_cells::placed_attendees.eq(0))
    .execute(conn)?;
    for ((dimension, value), n) in placed {
        diesel::update(event_breakdown_cells::table.find((event_id, dimension.as_str(), value)))
            .set(event_breakdown_cells::placed_attendees.eq(n))
            .execute(conn)?;
    }
    Ok(())
}

/// The event's breakdown cells, counted from its attendees and placements.
pub(super) fn count_cells(conn: &mut DbConn, event_id: &str) -> QueryResult<Cells> {
    let local_start = local_start(conn, event_id)?;
    let attendees = registrations::table
        .inner_join(job_seekers::table)
        .filter(registrations::event_id.eq(event_id))
        .filter(registrations::checked_in_at.is_not_null())
        .filter(attendance::not_pending())
        .select(AttendeeFact::as_select())
        .load::<AttendeeFact>(conn)?;
    let placed: std::collections::HashSet<String> = placed_attendees(conn, event_id)?
        .into_iter()
        .map(|fact| fact.job_seeker_id)
        .collect();
    let mut cells = Cells::new();
    for fact in attendees {
        let is_placed = placed.contains(&fact.job_seeker_id);
        for cell in fact.values(local_start) {
            let counts = cells.entry(cell).or_default();
            counts.0 += 1;
            counts.1 += i32::from(is_placed);
        }
    }
    Ok(cells)
}

pub(super) fn stored_cells(conn: &mut DbConn, event_id: &str) -> QueryResult<Cells> {
    let rows = event_breakdown_cells::table
        .filter(event_breakdown_cells::event_id.eq(event_id))
        .filter(event_breakdown_cells::attendees.gt(0))
        .select((
            event_breakdown_cells::dimension,
            event_breakdown_cells::value,
            event_breakdown_cells::attendees,
            event_breakdown_cells::placed_attendees,
        ))
        .load::<(String, String, i32, i32)>(conn)?;
    rows.into_iter()
        .map(|(dimension, value, attendees, placed)| {
            let dimension = Dimension::parse(&dimension)
                .ok_or_else(|| corrupt(format!("unknown breakdown dimension {dimension}")))?;
            Ok(((dimension, value), (attendees, placed)))
        })
        .collect()
}

/// Replaces the event's cells.
pub(super) fn store_cells(conn: &mut DbConn, event_id: &str, cells: &Cells) -> QueryResult<()> {
    diesel::delete(
        event_breakdown_cells::table.filter(event_breakdown_cells::event_id.eq(event_id)),
    )
    .execute(conn)?;
    let rows: Vec<_> = cells
        .iter()
        .map(|((dimension, value), (attendees, placed))| {
            (
                event_breakdown_cells::event_id.eq(event_id),
                event_breakdown_cells::dimension.eq(dimension.as_str()),
                event_breakdown_cells::value.eq(value),
                event_breakdown_cells::attendees.eq(*attendees),
                event_breakdown_cells::placed_attendees.eq(*placed),
            )
        })
        .collect();
    for row in rows {
        diesel::insert_into(event_breakdown_cells::table)
            .values(row)
            .execute(conn)?;
    }
    Ok(())
}
