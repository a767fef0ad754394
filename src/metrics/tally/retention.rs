//! The retention at 90 and 180 days kept on each event (`event_retention`), recounted from its
//! verified placements and their follow-ups.

use diesel::prelude::*;

use super::super::{verified_texts, FollowUpFact, PlacementFact, Retention};
use super::to_i32;
use crate::db::schema::{event_retention, follow_ups, placements};
use crate::db::DbConn;

/// The event's retention at each checkpoint, from its verified placements and their follow-ups
/// (by the same rule as the event's own figures, [`super::super::retention`]).
pub(super) fn count_retention(conn: &mut DbConn, event_id: &str) -> QueryResult<[Retention; 2]> {
    let verified = placements::table
        .filter(placements::event_id.eq(event_id))
        .filter(placements::status.eq_any(verified_texts()))
        .select(PlacementFact::as_select())
        .load(conn)?;
    if verified.is_empty() {
        return Ok(Default::default());
    }
    let follow_ups = follow_ups::table
        .inner_join(placements::table)
        .filter(placements::event_id.eq(event_id))
        .filter(placements::status.eq_any(verified_texts()))
        .select(FollowUpFact::as_select())
        .load(conn)?;
    let verified: Vec<&PlacementFact> = verified.iter().collect();
    Ok(super::super::retention(&verified, &follow_ups))
}

pub(super) fn stored_retention(conn: &mut DbConn, event_id: &str) -> QueryResult<[Retention; 2]> {
    let row = event_retention::table
        .find(event_id)
        .select((
            event_retention::retention_90d_checked,
            event_retention::retention_90d_employed,
            event_retention::retention_180d_checked,
            event_retention::retention_180d_employed,
        ))
        .first::<(i32, i32, i32, i32)>(conn)
        .optional()?;
    Ok(row.map_or_else(Default::default, |(c90, e90, c180, e180)| {
        Retention::kept(c90, e90, c180, e180)
    }))
}

pub(super) fn store_retention(
    conn: &mut DbConn,
    event_id: &str,
    kept: &[Retention; 2],
) -> QueryResult<()> {
    let [day90, day180] = kept.map(|r| (to_i32(r.checked), to_i32(r.employed)));
    let values = (
        event_retention::retention_90d_checked.eq(day90.0),
        event_retention::retention_90d_employed.eq(day90.1),
        event_retention::retention_180d_checked.eq(day180.0),
        event_retention::retention_180d_employed.eq(day180.1),
    );
    let updated = diesel::update(event_retention::table.find(event_id))
        .set(values)
        .execute(conn)?;
    if updated == 0 {
        diesel::insert_into(event_retention::table)
            .values((event_retention::event_id.eq(event_id), values))
            .execute(conn)?;
    }
    Ok(())
}
