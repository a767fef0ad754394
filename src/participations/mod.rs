//! Employers at a fair: an employer organization asks to join a published event, and the
//! event's organizer approves or rejects it. Only approved employers post vacancies.

pub mod handlers;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::db::schema::{organizations, participations};
use crate::db::DbConn;

#[derive(Debug, Serialize, Queryable, Selectable)]
#[diesel(table_name = participations)]
pub struct Participation {
    pub event_id: String,
    pub organization_id: String,
    pub booth: Option<String>,
    pub status: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub requested_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub decided_at: Option<NaiveDateTime>,
}

/// A participation with the employer's name, as lists show it.
#[derive(Debug, Serialize, Queryable)]
pub struct ParticipationView {
    #[serde(flatten)]
    #[diesel(embed)]
    pub participation: Participation,
    pub organization_name: String,
}

pub fn find(
    conn: &mut DbConn,
    event_id: &str,
    organization_id: &str,
) -> QueryResult<Option<ParticipationView>> {
    participations::table
        .inner_join(organizations::table)
        .filter(participations::event_id.eq(event_id))
        .filter(participations::organization_id.eq(organization_id))
        .select((Participation::as_select(), organizations::name))
        .first(conn)
        .optional()
}

/// Whether the organization takes part in the event as an approved employer.
pub fn is_approved(conn: &mut DbConn, event_id: &str, organization_id: &str) -> QueryResult<bool> {
    let status: Option<String> = participations::table
        .find((event_id, organization_id))
        .select(participations::status)
        .first(conn)
        .optional()?;
    Ok(status.as_deref() == Some("approved"))
}
