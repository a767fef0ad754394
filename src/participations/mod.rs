//! Employers at a fair: an employer organization asks to join a published event, and the
//! event's organizer approves or rejects it. Only approved employers post vacancies.
//!
//! The operations: [`join`], [`approve`], [`reject`] and [`list`]. Who may act is checked by
//! [`crate::auth::guards`]: an event the caller may not see is 404, an organization or event they
//! may see but not act for is 403.

pub mod handlers;
mod notices;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{memberships, organizations, participations};
use crate::db::{is_unique_violation, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::EventStatus;
use crate::organizations::OrganizationKind;
use crate::pagination::{self, Cursor, Page};
use crate::validate::Checker;

crate::text_enum! {
    /// Where an employer's request to take part in a fair stands.
    pub enum ParticipationStatus {
        Pending = "pending",
        Approved = "approved",
        Rejected = "rejected",
    }
}

#[derive(Debug, Serialize, Queryable, Selectable)]
#[diesel(table_name = participations)]
pub struct Participation {
    pub event_id: String,
    pub organization_id: String,
    pub booth: Option<String>,
    pub status: ParticipationStatus,
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
    let status: Option<ParticipationStatus> = participations::table
        .find((event_id, organization_id))
        .select(participations::status)
        .first(conn)
        .optional()?;
    Ok(status == Some(ParticipationStatus::Approved))
}

/// A request to take part in a fair.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JoinRequest {
    pub organization_id: Option<String>,
    pub booth: Option<String>,
}

/// A member of an employer organization asks for it to take part in a published event.
pub fn join(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    input: JoinRequest,
    public_url: &str,
) -> AppResult<ParticipationView> {
    guards::role(caller, &[Role::Admin, Role::Employer])?;
    let mut c = Checker::new();
    let organization_id = c.required_text("organization_id", input.organization_id, 1, 64);
    let organization_id = crate::validate::uuid(&mut c, "organization_id", organization_id);
    let booth = c.optional_text("booth", input.booth, 50);
    c.finish()?;
    write_transaction(conn, |conn| {
        let event = guards::visible_event(conn, caller, event_id)?;
        let kind: OrganizationKind = organizations::table
            .find(&organization_id)
            .select(organizations::kind)
            .first(conn)
            .optional()?
            .ok_or_else(|| {
                AppError::invalid_field("organization_id", "no organization has this id")
            })?;
        if kind != OrganizationKind::Employer {
            return Err(AppError::invalid_field(
                "organization_id",
                "must be an employer organization",
            ));
        }
        guards::organization_member(conn, caller, &organization_id)?;
        if event.status != EventStatus::Published {
            return Err(AppError::conflict(
                "event_not_open",
                format!(
                    "employers join published events; this one is {}",
                    event.status
                ),
            ));
        }
        let inserted = diesel::insert_into(participations::table)
            .values((
                participations::event_id.eq(event_id),
                participations::organization_id.eq(&organization_id),
                participations::booth.eq(&booth),
                participations::status.eq(ParticipationStatus::Pending),
                participations::requested_by.eq(&caller.id),
                participations::requested_at.eq(now()),
            ))
            .execute(conn);
        match inserted {
            Err(e) if is_unique_violation(&e) => Err(AppError::conflict(
                "already_participating",
                "this organization has already asked to join this event",
            )),
            other => Ok(other?),
        }?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "participation.request",
                entity: "participation",
                entity_id: &format!("{event_id}/{organization_id}"),
                event_id: Some(event_id),
                changes: serde_json::json!({
                    "organization_id": organization_id,
                    "booth": booth,
                    "status": ParticipationStatus::Pending,
                }),
            },
        )?;
        notices::request(conn, &event, &organization_id, public_url)?;
        find(conn, event_id, &organization_id)?.ok_or_else(|| AppError::not_found("participation"))
    })
}

/// The event's staff approve an employer (pending or rejected before).
pub fn approve(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    organization_id: &str,
    public_url: &str,
) -> AppResult<ParticipationView> {
    use ParticipationStatus::*;
    decide(
        conn,
        caller,
        (event_id, organization_id),
        &[Pending, Rejected],
        Approved,
        public_url,
    )
}

/// The event's staff reject an employer (pending or approved before). Its open vacancies at
/// the fair close with it: no more changes, no more applications. Approving it again reopens
/// nothing.
pub fn reject(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    organization_id: &str,
    public_url: &str,
) -> AppResult<ParticipationView> {
    use ParticipationStatus::*;
    decide(
        conn,
        caller,
        (event_id, organization_id),
        &[Pending, Approved],
        Rejected,
        public_url,
    )
}

/// Moves the participation `(event_id, organization_id)` from one of `from` to `to`, audited,
/// and tells the employer.
fn decide(
    conn: &mut DbConn,
    caller: &AuthUser,
    (event_id, organization_id): (&str, &str),
    from: &[ParticipationStatus],
    to: ParticipationStatus,
    public_url: &str,
) -> AppResult<ParticipationView> {
    write_transaction(conn, |conn| {
        let event = guards::event_staff(conn, caller, event_id)?;
        let current = find(conn, event_id, organization_id)?
            .ok_or_else(|| AppError::not_found("participation"))?;
        let was = current.participation.status;
        if !from.contains(&was) {
            return Err(AppError::conflict(
                "invalid_transition",
                format!("a {was} participation cannot become {to}"),
            ));
        }
        let at = now();
        let updated = diesel::update(
            participations::table
                .find((event_id, organization_id))
                .filter(participations::status.eq_any(from)),
        )
        .set((
            participations::status.eq(to),
            participations::decided_by.eq(&caller.id),
            participations::decided_at.eq(at),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(AppError::conflict(
                "invalid_transition",
                "the participation changed meanwhile; reload it",
            ));
        }
        let action = if to == ParticipationStatus::Rejected {
            "participation.reject"
        } else {
            "participation.approve"
        };
        // The audit records: the decision, then each vacancy it closed.
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action,
                entity: "participation",
                entity_id: &format!("{event_id}/{organization_id}"),
                event_id: Some(event_id),
                changes: serde_json::json!({"status": {"from": was, "to": to}}),
            },
        )?;
        if to == ParticipationStatus::Rejected {
            crate::vacancies::close_all_of_employer(
                conn,
                caller,
                event_id,
                organization_id,
                at,
                action,
            )?;
        }
        notices::decision(conn, &event, organization_id, to, public_url)?;
        find(conn, event_id, organization_id)?.ok_or_else(|| AppError::not_found("participation"))
    })
}

/// The filters of [`list`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub status: Option<ParticipationStatus>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Employers of an event the caller may see: the public sees approved ones; the event's staff,
/// ministry staff and admins see all; an employer also sees its own requests.
pub fn list(
    conn: &mut DbConn,
    caller: Option<&AuthUser>,
    event_id: &str,
    query: ListQuery,
) -> AppResult<Page<ParticipationView>> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let event = crate::events::get(conn, caller, event_id)?;
    let sees_all = match caller {
        Some(user) => guards::reads_event(conn, user, &event)?,
        None => false,
    };
    let mut q = participations::table
        .inner_join(organizations::table)
        .filter(participations::event_id.eq(event_id))
        .select((Participation::as_select(), organizations::name))
        .into_boxed();
    if !sees_all {
        // Its own requests, for a user acting for an employer (memberships count only while
        // the user's role is `employer`, as in the guards).
        let acting_employer = caller.filter(|u| u.role == OrganizationKind::Employer.member_role());
        let own = memberships::table
            .filter(
                memberships::user_id.eq(acting_employer.map(|u| u.id.clone()).unwrap_or_default()),
            )
            .select(memberships::organization_id);
        q = q.filter(
            participations::status
                .eq(ParticipationStatus::Approved)
                .or(participations::organization_id.eq_any(own)),
        );
    }
    if let Some(status) = query.status {
        q = q.filter(participations::status.eq(status));
    }
    if let Some(after) = after {
        q = q.filter(participations::organization_id.gt(after.id));
    }
    let rows: Vec<ParticipationView> = q
        .order(participations::organization_id.asc())
        .limit(limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, limit, |p: &ParticipationView| {
        Cursor::new("", p.participation.organization_id.clone())
    }))
}
