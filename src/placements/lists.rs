//! The lists of placements: an event's (its staff), an employer's (its members), and the caller's
//! own (as a job seeker, without flags). Oldest report first, paginated by id.

use diesel::prelude::*;

use super::{Flag, Placement, PlacementRow, PlacementStatus, PlacementView};
use crate::auth::{guards, AuthUser};
use crate::db::schema::{job_seekers, organizations, placements, vacancies};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::pagination::{Cursor, Page};

/// Which placements of a list, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<PlacementStatus>,
    pub flag: Option<Flag>,
    /// Checked by [`crate::pagination::limit`].
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// Whose placements a list holds.
enum Scope<'a> {
    Event(&'a str),
    Employer(&'a str),
    /// The job seeker profile of this account.
    Account(&'a str),
}

/// A page of placements, oldest report first.
fn page(
    conn: &mut DbConn,
    scope: Scope<'_>,
    filter: &ListFilter,
    show_flags: bool,
) -> AppResult<Page<PlacementView>> {
    let mut q = placements::table
        .inner_join(vacancies::table)
        .inner_join(organizations::table)
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
        ))
        .into_boxed();
    q = match scope {
        Scope::Event(id) => q.filter(placements::event_id.eq(id.to_owned())),
        Scope::Employer(id) => q.filter(placements::employer_id.eq(id.to_owned())),
        Scope::Account(user_id) => q.filter(
            placements::job_seeker_id.eq_any(
                job_seekers::table
                    .filter(job_seekers::user_id.eq(user_id.to_owned()))
                    .select(job_seekers::id),
            ),
        ),
    };
    if let Some(status) = filter.status {
        q = q.filter(placements::status.eq(status));
    }
    if let Some(flag) = filter.flag {
        q = q.filter(placements::flags.like(format!("%\"{}\"%", flag.as_str())));
    }
    if let Some(after) = &filter.after {
        q = q.filter(placements::id.gt(after.id.clone()));
    }
    let rows: Vec<PlacementRow> = q
        .order(placements::id.asc())
        .limit(filter.limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(rows, filter.limit, |row: &PlacementRow| {
        Cursor::new("", row.0.id.clone())
    })
    .map(|row| PlacementView::new(row, show_flags)))
}

/// The placements of an event, with their flags, for members of its organizer, ministry staff
/// and admins ([`guards::event_reader`]: others who may see the event get 403, others 404).
pub fn list_for_event(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    filter: &ListFilter,
) -> AppResult<Page<PlacementView>> {
    guards::event_reader(conn, caller, event_id)?;
    page(conn, Scope::Event(event_id), filter, true)
}

/// The names of the people hired at an event, by placement id, for those who read its
/// placements ([`list_for_event`]): the desk's queue names whom to call.
pub fn hired_names_for_event(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
) -> AppResult<std::collections::HashMap<String, String>> {
    guards::event_reader(conn, caller, event_id)?;
    let rows: Vec<(String, String)> = placements::table
        .inner_join(job_seekers::table)
        .filter(placements::event_id.eq(event_id))
        .select((placements::id, job_seekers::full_name))
        .load(conn)?;
    Ok(rows.into_iter().collect())
}

/// The placements an employer reported, with their flags, for its members, ministry staff and
/// admins ([`guards::organization_reader`]: others 403; an unknown organization 404).
pub fn list_for_organization(
    conn: &mut DbConn,
    caller: &AuthUser,
    organization_id: &str,
    filter: &ListFilter,
) -> AppResult<Page<PlacementView>> {
    crate::organizations::find(conn, organization_id)?
        .ok_or_else(|| AppError::not_found("organization"))?;
    guards::organization_reader(conn, caller, organization_id)?;
    page(conn, Scope::Employer(organization_id), filter, true)
}

/// The caller's own placements (those of their job seeker profile; none without one), without
/// flags.
pub fn mine(
    conn: &mut DbConn,
    caller: &AuthUser,
    filter: &ListFilter,
) -> AppResult<Page<PlacementView>> {
    page(conn, Scope::Account(&caller.id), filter, false)
}
