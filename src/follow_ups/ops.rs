//! The operations on follow-ups: record a retention check, read a placement's checks, list the
//! checks that are due and missing.

use chrono::{Datelike, NaiveDate, Utc};
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{DueFollowUp, FollowUp, FollowUpView, Source, CHECKPOINTS};
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::follow_ups;
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::pagination::{Cursor, Page};
use crate::validate::{Checker, YEARS};

/// Today in UTC: the bound of `checked_on` and the default of `before`.
fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A follow-up as submitted (the JSON body of `POST /placements/{id}/follow-ups`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewFollowUp {
    pub checked_on: Option<NaiveDate>,
    pub employed: Option<bool>,
    pub same_employer: Option<bool>,
    pub source: Option<Source>,
}

/// A follow-up, checked.
struct Check {
    checked_on: NaiveDate,
    employed: bool,
    same_employer: bool,
    source: Source,
}

impl NewFollowUp {
    fn check(self) -> AppResult<Check> {
        let mut c = Checker::new();
        let checked_on = c.required("checked_on", self.checked_on);
        let employed = c.required("employed", self.employed);
        let same_employer = c.required("same_employer", self.same_employer);
        let source = c.required("source", self.source);
        if !c.failed("checked_on") {
            c.date_in_range("checked_on", checked_on);
        }
        if !c.failed("checked_on") {
            c.check(
                checked_on <= today(),
                "checked_on",
                "must not be in the future (UTC)",
            );
        }
        if !c.failed("employed") && !c.failed("same_employer") {
            c.check(
                employed || !same_employer,
                "same_employer",
                "must be false when employed is false",
            );
        }
        c.finish()?;
        Ok(Check {
            checked_on,
            employed,
            same_employer,
            source,
        })
    }
}

/// Records a follow-up of a verified placement. The body is checked first (422); then a
/// placement the caller is no party to is 404, a `source` that is not the caller's 403, a
/// placement that is not verified 409 `placement_not_verified`, and a `checked_on` before its
/// `start_date` 422. Audited as `follow_up.record`.
pub fn record(
    conn: &mut DbConn,
    caller: &AuthUser,
    placement_id: &str,
    input: NewFollowUp,
) -> AppResult<FollowUpView> {
    let Check {
        checked_on,
        employed,
        same_employer,
        source,
    } = input.check()?;
    write_transaction(conn, |conn| {
        let found = super::find_for(conn, placement_id, caller)?;
        if !found.may_record(source) {
            return Err(AppError::forbidden(match source {
                Source::Employer => {
                    "only members of the placement's employer record an employer follow-up"
                }
                Source::JobSeeker => {
                    "only the placement's job seeker records a job_seeker follow-up"
                }
                Source::Staff => {
                    "only the event's organizers, ministry staff and admins record a staff follow-up"
                }
            }));
        }
        let placement = found.placement;
        if !placement.status.is_verified() {
            return Err(AppError::conflict(
                "placement_not_verified",
                format!(
                    "a {} placement takes no follow-ups: it must be confirmed or verified",
                    placement.status
                ),
            ));
        }
        if checked_on < placement.start_date {
            return Err(AppError::invalid_field(
                "checked_on",
                format!("must not be before the start date {}", placement.start_date),
            ));
        }
        let follow_up = FollowUp {
            id: new_id(),
            placement_id: placement.id.clone(),
            checked_on,
            employed,
            same_employer,
            source,
            recorded_by: caller.id.clone(),
            recorded_at: now(),
        };
        diesel::insert_into(follow_ups::table)
            .values((
                follow_ups::id.eq(&follow_up.id),
                follow_ups::placement_id.eq(&follow_up.placement_id),
                follow_ups::checked_on.eq(follow_up.checked_on),
                follow_ups::employed.eq(follow_up.employed),
                follow_ups::same_employer.eq(follow_up.same_employer),
                follow_ups::source.eq(follow_up.source),
                follow_ups::recorded_by.eq(&follow_up.recorded_by),
                follow_ups::recorded_at.eq(follow_up.recorded_at),
            ))
            .execute(conn)?;
        crate::metrics::tally::follow_up_recorded(conn, &placement.event_id)?;
        let view = FollowUpView::new(follow_up, placement.start_date);
        crate::audit::record(
            conn,
            Some(&caller.id),
            crate::audit::Change {
                action: "follow_up.record",
                entity: "follow_up",
                entity_id: &view.follow_up.id,
                event_id: Some(&placement.event_id),
                changes: json!({
                    "placement_id": placement.id,
                    "checked_on": checked_on,
                    "employed": employed,
                    "same_employer": same_employer,
                    "source": source.as_str(),
                    "counts_for": view.counts_for,
                }),
            },
        )?;
        Ok(view)
    })
}

/// A placement's follow-ups, oldest check first: for its parties (404 for anyone else).
pub fn of_placement_for(
    conn: &mut DbConn,
    caller: &AuthUser,
    placement_id: &str,
) -> AppResult<Vec<FollowUpView>> {
    let found = super::find_for(conn, placement_id, caller)?;
    let start = found.placement.start_date;
    Ok(super::of_placement(conn, placement_id)?
        .into_iter()
        .map(|f| FollowUpView::new(f, start))
        .collect())
}

/// Which rows of the due list, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct DueFilter {
    /// Employers and organizers must name an organization of theirs.
    pub organization_id: Option<String>,
    /// Checkpoints due on or before this date (default today, UTC); within
    /// [`crate::validate::YEARS`].
    pub before: Option<NaiveDate>,
    /// Checked by [`crate::pagination::limit`].
    pub limit: i64,
    /// A cursor of this list (see [`cursor_of`]).
    pub after: Option<Cursor>,
}

/// The cursor of a due row: its due date and checkpoint as the key, its placement as the id.
fn cursor_of(row: &DueFollowUp) -> Cursor {
    Cursor::new(
        format!("{}/{}", row.due_date, row.checkpoint),
        row.placement_id.clone(),
    )
}

/// The position a cursor names: (due date, placement id, checkpoint). A date outside
/// [`YEARS`] is no cursor this API issued (and would overflow the date arithmetic).
fn position(cursor: &Cursor) -> AppResult<(NaiveDate, String, i64)> {
    let invalid = || AppError::invalid_field("cursor", "is not a cursor this API issued");
    let (date, checkpoint) = cursor.key.split_once('/').ok_or_else(invalid)?;
    let date = NaiveDate::parse_from_str(date, "%Y-%m-%d").map_err(|_| invalid())?;
    let checkpoint: i64 = checkpoint.parse().map_err(|_| invalid())?;
    if !CHECKPOINTS.contains(&checkpoint) || !YEARS.contains(&date.year()) {
        return Err(invalid());
    }
    Ok((date, cursor.id.clone(), checkpoint))
}

/// Verified placements whose follow-up is due (90 or 180 days after `start_date`, on or before
/// `before`) and missing: one row per missing checkpoint, ordered by due date, then placement
/// id, then checkpoint. Ministry staff and admins list all or one organization's; employers and
/// organizers must name an organization they act for (`organization_id` matches the
/// placement's employer or the organizer of its event; 403 otherwise); job seekers 403.
pub fn due(
    conn: &mut DbConn,
    caller: &AuthUser,
    filter: &DueFilter,
) -> AppResult<Page<DueFollowUp>> {
    let after = filter.after.as_ref().map(position).transpose()?;
    let mut c = Checker::new();
    let organization_id = filter
        .organization_id
        .clone()
        .map(|raw| crate::validate::uuid(&mut c, "organization_id", raw));
    if caller.role == Role::JobSeeker {
        return Err(AppError::forbidden(
            "only staff, employers and organizers list due follow-ups",
        ));
    }
    if !caller.role.reads_everything() && organization_id.is_none() {
        c.fail(
            "organization_id",
            "is required: name an organization you are a member of",
        );
    }
    let before = filter.before.unwrap_or_else(today);
    c.date_in_range("before", before);
    c.finish()?;
    if let Some(org) = &organization_id {
        guards::organization_reader(conn, caller, org)?;
    }
    // Each checkpoint is its own ordered stream; merge them and keep one page.
    let mut rows = Vec::new();
    for checkpoint in CHECKPOINTS {
        let from = after.as_ref().map(|(date, id, _)| (*date, id.as_str()));
        rows.extend(super::due_at(
            conn,
            checkpoint,
            before,
            organization_id.as_deref(),
            from,
            filter.limit + 1,
        )?);
    }
    rows.sort_by(|a, b| a.key().cmp(&b.key()));
    if let Some((date, id, checkpoint)) = &after {
        rows.retain(|r| r.key() > (*date, id.as_str(), *checkpoint));
    }
    Ok(Page::from_rows(rows, filter.limit, cursor_of))
}
