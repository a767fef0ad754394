//! Retention follow-ups: after a hire, someone checks whether the job seeker still works, and
//! where. Checks are due 90 and 180 days after the placement's `start_date`
//! ([`CHECKPOINTS`]); a check counts for the checkpoint whose window holds its date (90 to 179
//! days, then 180 on: [`counts_for`]).
//!
//! Who records a follow-up, by its `source`: `employer`, members of the placement's employer
//! organization; `job_seeker`, the account of the placement's job seeker; `staff`, members of the
//! organization that runs the placement's event, ministry staff and admins. Only verified
//! placements ([`PlacementStatus::VERIFIED`]) take follow-ups, at published and closed events
//! alike. Who sees a placement here: its parties as [`crate::placements::find_as_party`] says;
//! anyone else gets 404, as if it did not exist.
//!
//! The due list shows, per verified placement, each checkpoint that has passed (its date is on
//! or before `before`) and has no follow-up dated on or after it: one row per missing
//! checkpoint, so a placement past both checkpoints with neither done appears twice.
//!
//! The operations ([`record`], [`of_placement_for`], [`due`]) are in `ops.rs`; the HTTP handlers
//! only parse, call them and serialize. Every date they take is bounded to
//! [`crate::validate::YEARS`] (422 otherwise).

pub mod handlers;
mod ops;

pub use ops::{due, of_placement_for, record, DueFilter, NewFollowUp};

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::AuthUser;
use crate::db::schema::{events, follow_ups, job_seekers, placements};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::placements::PlacementStatus;

/// Days after `start_date` at which a follow-up is due.
pub const CHECKPOINTS: [i64; 2] = [90, 180];

crate::text_enum! {
    /// Who gave the information of a follow-up (the first variant is also the placeholder of a
    /// missing value, see [`crate::validate::Checker`]).
    #[derive(Default)]
    pub enum Source {
        #[default]
        Employer = "employer",
        JobSeeker = "job_seeker",
        Staff = "staff",
    }
}

/// The date a checkpoint falls on.
pub fn due_date(start_date: NaiveDate, checkpoint: i64) -> NaiveDate {
    start_date + Duration::days(checkpoint)
}

/// The checkpoints a follow-up dated `checked_on` counts for: the one whose window holds it,
/// from its due date up to the next checkpoint's (90 to 179 days after `start_date`, then 180
/// days on), or none before the first. The windows are separate, as the retention figures
/// (`docs/metrics.md`) count them: a check at day 200 says nothing about day 90.
pub fn counts_for(start_date: NaiveDate, checked_on: NaiveDate) -> Vec<i64> {
    CHECKPOINTS
        .iter()
        .enumerate()
        .filter(|&(i, &n)| {
            let next = CHECKPOINTS.get(i + 1);
            checked_on >= due_date(start_date, n)
                && next.is_none_or(|&next| checked_on < due_date(start_date, next))
        })
        .map(|(_, &n)| n)
        .collect()
}

/// A follow-up as stored.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = follow_ups)]
pub struct FollowUp {
    pub id: String,
    pub placement_id: String,
    pub checked_on: NaiveDate,
    pub employed: bool,
    pub same_employer: bool,
    pub source: Source,
    pub recorded_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub recorded_at: NaiveDateTime,
}

/// A follow-up as shown: with the checkpoints (90, 180) it counts for.
#[derive(Debug, Clone, Serialize)]
pub struct FollowUpView {
    #[serde(flatten)]
    pub follow_up: FollowUp,
    pub counts_for: Vec<i64>,
}

impl FollowUpView {
    pub fn new(follow_up: FollowUp, start_date: NaiveDate) -> Self {
        let counts_for = counts_for(start_date, follow_up.checked_on);
        Self {
            follow_up,
            counts_for,
        }
    }
}

/// What a follow-up needs of its placement.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = placements)]
pub struct PlacementRef {
    pub id: String,
    pub event_id: String,
    pub employer_id: String,
    pub job_seeker_id: String,
    pub status: PlacementStatus,
    pub start_date: NaiveDate,
}

/// A placement found for a caller, with how the caller stands to it.
pub struct Found {
    pub placement: PlacementRef,
    /// A member of the placement's employer organization.
    pub is_employer: bool,
    /// The account of the placement's job seeker.
    pub is_job_seeker: bool,
    /// A member of the event's organizer, ministry staff or an admin.
    pub is_staff: bool,
}

impl Found {
    /// Whether the caller may record a follow-up from `source`.
    pub fn may_record(&self, source: Source) -> bool {
        match source {
            Source::Employer => self.is_employer,
            Source::JobSeeker => self.is_job_seeker,
            Source::Staff => self.is_staff,
        }
    }
}

/// The placement if `caller` is a party to it; 404 `placement` otherwise (see
/// [`crate::placements::find_as_party`], the one definition of its parties).
pub fn find_for(conn: &mut DbConn, id: &str, caller: &AuthUser) -> AppResult<Found> {
    let ((p, _, _), access) = crate::placements::find_as_party(conn, id, caller)?;
    Ok(Found {
        placement: PlacementRef {
            id: p.id,
            event_id: p.event_id,
            employer_id: p.employer_id,
            job_seeker_id: p.job_seeker_id,
            status: p.status,
            start_date: p.start_date,
        },
        is_employer: access.employer_member,
        is_job_seeker: access.job_seeker,
        is_staff: access.staff,
    })
}

/// The follow-ups of a placement, oldest check first (on a tie, the one recorded first).
pub fn of_placement(conn: &mut DbConn, placement_id: &str) -> QueryResult<Vec<FollowUp>> {
    follow_ups::table
        .filter(follow_ups::placement_id.eq(placement_id))
        .order((
            follow_ups::checked_on.asc(),
            follow_ups::recorded_at.asc(),
            follow_ups::id.asc(),
        ))
        .select(FollowUp::as_select())
        .load(conn)
}

/// One missing checkpoint of a verified placement, in the due list.
#[derive(Debug, Clone, Serialize)]
pub struct DueFollowUp {
    pub placement_id: String,
    /// 90 or 180.
    pub checkpoint: i64,
    pub due_date: NaiveDate,
    pub start_date: NaiveDate,
    pub status: PlacementStatus,
    pub event_id: String,
    pub employer_id: String,
    pub job_seeker_id: String,
    pub job_seeker_name: String,
}

impl DueFollowUp {
    /// The order of the list, and of its cursor.
    pub fn key(&self) -> (NaiveDate, &str, i64) {
        (self.due_date, &self.placement_id, self.checkpoint)
    }
}

/// The SQL condition "this placement has no follow-up dated on or after its `checkpoint`", in
/// the engine's own date arithmetic (the one place where the two differ).
fn missing_sql(conn: &DbConn, checkpoint: i64) -> String {
    let due = match conn {
        DbConn::Postgres(_) => format!("(placements.start_date + {checkpoint})"),
        DbConn::Sqlite(_) => format!("date(placements.start_date, '+{checkpoint} days')"),
    };
    format!(
        "NOT EXISTS (SELECT 1 FROM follow_ups f WHERE f.placement_id = placements.id \
         AND f.checked_on >= {due})"
    )
}

/// Up to `limit` rows of the due list at `checkpoint`, after the position `after`
/// (due date, placement id), in list order.
pub fn due_at(
    conn: &mut DbConn,
    checkpoint: i64,
    before: NaiveDate,
    organization_id: Option<&str>,
    after: Option<(NaiveDate, &str)>,
    limit: i64,
) -> QueryResult<Vec<DueFollowUp>> {
    let missing = missing_sql(conn, checkpoint);
    let latest_start = before - Duration::days(checkpoint);
    let mut q = placements::table
        .inner_join(events::table)
        .inner_join(job_seekers::table)
        .filter(placements::status.eq_any(PlacementStatus::VERIFIED))
        .filter(placements::start_date.le(latest_start))
        .filter(diesel::dsl::sql::<diesel::sql_types::Bool>(&missing))
        .select((PlacementRef::as_select(), job_seekers::full_name))
        .into_boxed();
    if let Some(org) = organization_id {
        q = q.filter(
            placements::employer_id
                .eq(org.to_owned())
                .or(events::organization_id.eq(org.to_owned())),
        );
    }
    if let Some((due, id)) = after {
        // Within one checkpoint the due date orders as the start date does.
        let start = due - Duration::days(checkpoint);
        q = q.filter(
            placements::start_date.gt(start).or(placements::start_date
                .eq(start)
                .and(placements::id.gt(id.to_owned()))),
        );
    }
    let rows: Vec<(PlacementRef, String)> = q
        .order((placements::start_date.asc(), placements::id.asc()))
        .limit(limit)
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|(p, job_seeker_name)| DueFollowUp {
            due_date: due_date(p.start_date, checkpoint),
            checkpoint,
            placement_id: p.id,
            start_date: p.start_date,
            status: p.status,
            event_id: p.event_id,
            employer_id: p.employer_id,
            job_seeker_id: p.job_seeker_id,
            job_seeker_name,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn checkpoints_fall_90_and_180_days_after_the_start() {
        let start = date("2026-01-01");
        assert_eq!(due_date(start, 90), date("2026-04-01"));
        assert_eq!(due_date(start, 180), date("2026-06-30"));
        assert!(counts_for(start, date("2026-03-31")).is_empty());
        assert_eq!(counts_for(start, date("2026-04-01")), [90]);
        assert_eq!(counts_for(start, date("2026-06-29")), [90]); // day 179
        assert_eq!(counts_for(start, date("2026-06-30")), [180]);
        assert_eq!(counts_for(start, date("2026-07-20")), [180]); // day 200: not 90
        assert_eq!(counts_for(start, date("2030-01-01")), [180]);
    }

    #[test]
    fn sources_are_named_as_stored() {
        for &source in Source::ALL {
            assert_eq!(serde_json::to_value(source).unwrap(), source.as_str());
        }
    }
}
