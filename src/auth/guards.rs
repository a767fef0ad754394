//! Who may act on what: the shared guards every operation calls first.
//!
//! Each guard answers one question about the caller and an object, and fails with the one answer
//! chosen for that kind of object:
//! - an object the caller may not even know of (a draft event of another organizer) is 404, as
//!   if it did not exist;
//! - an object the caller may see but not act on (a published event of another organizer, an
//!   organization) is 403.
//!
//! Acting for an organization needs both a membership and the user role of that kind of
//! organization (an organizer for an organizer office, an employer for a company): a member
//! whose role an admin changed to `job_seeker` acts for no one from the next request on.
//! Admins pass every guard; ministry staff pass the reading guards only.

use super::{AuthUser, Role};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::{self, Event};
use crate::organizations::{self, MemberRole};

/// The caller's membership of the organization, if it lets them act for it now: the membership
/// exists and the caller's current role is the one organizations of that kind are run by (see
/// [`organizations::member_role`], the one definition).
pub fn membership(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
) -> AppResult<Option<MemberRole>> {
    Ok(organizations::member_role(
        conn,
        organization_id,
        &caller.id,
    )?)
}

/// 403 unless the caller is an admin or acts for the organization.
pub fn organization_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
) -> AppResult<()> {
    if caller.is_admin() || membership(conn, caller, organization_id)?.is_some() {
        return Ok(());
    }
    Err(AppError::forbidden(
        "only members of the organization may do this",
    ))
}

/// 403 unless the caller is an admin or an owner acting for the organization.
pub fn organization_owner(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
) -> AppResult<()> {
    if caller.is_admin() {
        return Ok(());
    }
    match membership(conn, caller, organization_id)? {
        Some(MemberRole::Owner) => Ok(()),
        Some(MemberRole::Member) => Err(AppError::forbidden(
            "only an owner of the organization may do this",
        )),
        None => Err(AppError::forbidden(
            "only members of the organization may do this",
        )),
    }
}

/// 403 unless the caller is an admin, ministry staff, or acts for the organization: who may read
/// an organization's internal figures and lists.
pub fn organization_reader(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
) -> AppResult<()> {
    if caller.role.reads_everything() {
        return Ok(());
    }
    organization_member(conn, caller, organization_id)
}

/// The event, if the caller may see it (404 otherwise, see [`events::find_visible`]).
pub fn visible_event(conn: &mut DbConn, caller: &AuthUser, event_id: &str) -> AppResult<Event> {
    events::find_visible(conn, event_id, Some(caller))?.ok_or_else(|| AppError::not_found("event"))
}

/// The event, if the caller is its staff: an admin, or a member acting for the organizer
/// organization that runs it. An event the caller may not see is 404; one they may see, 403.
/// One query (the check-in path runs it for every scan).
pub fn event_staff(conn: &mut DbConn, caller: &AuthUser, event_id: &str) -> AppResult<Event> {
    let found = events::find_visible_as_member(conn, event_id, Some(caller))?;
    staff_of(caller, found)
}

/// [`event_staff`] for the event (or the part of it read) and the membership already read:
/// [`events::find_visible_as_member`], or the door's [`crate::door::DoorToken::window_at`].
pub fn staff_of<E>(caller: &AuthUser, found: Option<(E, bool)>) -> AppResult<E> {
    let (event, member) = found.ok_or_else(|| AppError::not_found("event"))?;
    if caller.is_admin() || member {
        return Ok(event);
    }
    Err(AppError::forbidden(
        "only the event's organizer may do this",
    ))
}

/// The event, if the caller is its staff or ministry staff: who may read its registrations,
/// placements, figures and audit trail. 404 / 403 as [`event_staff`].
pub fn event_reader(conn: &mut DbConn, caller: &AuthUser, event_id: &str) -> AppResult<Event> {
    let (event, member) = visible_event_as_member(conn, caller, event_id)?;
    if caller.role.reads_everything() || member {
        return Ok(event);
    }
    Err(AppError::forbidden(
        "only the event's organizer and ministry staff may see this",
    ))
}

fn visible_event_as_member(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
) -> AppResult<(Event, bool)> {
    events::find_visible_as_member(conn, event_id, Some(caller))?
        .ok_or_else(|| AppError::not_found("event"))
}

/// Whether the caller passes [`event_reader`] for an event already in hand: for a read that
/// shows more to the event's staff than to others rather than refusing them.
pub fn reads_event(conn: &mut DbConn, caller: &AuthUser, event: &Event) -> AppResult<bool> {
    Ok(caller.role.reads_everything()
        || membership(conn, caller, &event.organization_id)?.is_some())
}

/// 403 unless the caller acts for the employer `organization_id` (or is an admin) and that
/// employer takes part in the event as approved by its organizer: who may post vacancies there.
pub fn approved_employer(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    organization_id: &str,
) -> AppResult<()> {
    organization_member(conn, caller, organization_id)?;
    if crate::participations::is_approved(conn, event_id, organization_id)? {
        return Ok(());
    }
    Err(AppError::forbidden(
        "only employers approved for this event may do this",
    ))
}

/// 403 unless the caller has one of `roles` (their current role, see [`AuthUser`]).
pub fn role(caller: &AuthUser, roles: &[Role]) -> AppResult<()> {
    caller.require(roles)
}

/// 403 unless the caller is an admin: managing user accounts.
pub fn admin(caller: &AuthUser) -> AppResult<()> {
    role(caller, &[Role::Admin])
}
