//! The operations on applications: apply, move one through the pipeline, read it, list them.
//! Each takes the connection, the acting caller and its typed input, checks who may act, runs
//! its transaction and writes its audit record; the JSON handlers and the web pages call these.

use diesel::prelude::*;

use super::{
    Applicant, ApplicantView, Application, ApplicationStatus, ApplicationSummary, ApplicationView,
    Candidate, Mover,
};
use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{applications, job_seekers, vacancies};
use crate::db::{now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::pagination::{Cursor, Page};
use crate::vacancies::{Vacancy, VacancyStatus};

/// Which applications of a list, and which page of them.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub status: Option<ApplicationStatus>,
    /// Checked by [`crate::pagination::limit`].
    pub limit: i64,
    pub after: Option<Cursor>,
}

/// A vacancy with its event, if `caller` may see it: vacancies are visible where their event is
/// (404 `vacancy` otherwise).
fn visible_vacancy(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<(Vacancy, Event)> {
    let not_found = || AppError::not_found("vacancy");
    let vacancy = crate::vacancies::find(conn, id)?.ok_or_else(not_found)?;
    let event = guards::visible_event(conn, caller, &vacancy.event_id).map_err(|_| not_found())?;
    Ok((vacancy, event))
}

/// The summary of an application with its history, for a caller allowed to read it.
fn view(conn: &mut DbConn, summary: ApplicationSummary) -> AppResult<ApplicationView> {
    let history = super::history(conn, &summary.application.id)?;
    let full_name: String = job_seekers::table
        .find(&summary.application.job_seeker_id)
        .select(job_seekers::full_name)
        .first(conn)?;
    Ok(ApplicationView {
        summary,
        display_name: crate::job_seekers::names::short_name(&full_name),
        history,
    })
}

/// An application with its history, for its parties (404 for anyone else, see
/// [`super::find_for`]).
pub fn read(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<ApplicationView> {
    let found = super::find_for(conn, id, caller)?;
    view(conn, found.summary)
}

/// A job seeker applies (for themself: `job_seeker_id` may be left out), or a member of the
/// vacancy's employer (or an admin) records a candidate met at the booth, who must have checked
/// in. The candidate is named by id or by the check-in code of their registration for the
/// vacancy's event (see [`Candidate::resolve`]); the rules are the same either way. Audited as
/// `application.create`. An application that lost the race to an identical one is 409
/// `already_applied` naming the winner.
pub fn apply(
    conn: &mut DbConn,
    caller: &AuthUser,
    vacancy_id: &str,
    candidate: Option<&Candidate>,
    share_contact: bool,
) -> AppResult<ApplicationView> {
    let applied = write_transaction(conn, |conn| {
        apply_in(conn, caller, vacancy_id, candidate, share_contact)
    });
    match applied {
        Ok(id) => read(conn, caller, &id),
        // The insert lost a race to an identical one (the UNIQUE constraint said so, and the
        // transaction was rolled back): name the application that won.
        Err(error) if error.code == "already_applied" && error.details.is_empty() => {
            let job_seeker_id = match candidate {
                Some(candidate) => {
                    let (_, event) = visible_vacancy(conn, caller, vacancy_id)?;
                    candidate.resolve(conn, &event.id).ok()
                }
                None => crate::job_seekers::find_by_user(conn, &caller.id)?.map(|p| p.id),
            };
            let existing = match job_seeker_id {
                Some(id) => super::existing(conn, vacancy_id, &id)?,
                None => None,
            };
            Err(existing.map_or(error, |id| super::already_applied(&id)))
        }
        Err(error) => Err(error),
    }
}

/// The rules of a new application, in a write transaction; returns the new id.
fn apply_in(
    conn: &mut DbConn,
    caller: &AuthUser,
    vacancy_id: &str,
    candidate: Option<&Candidate>,
    share_contact: bool,
) -> AppResult<String> {
    let (vacancy, event) = visible_vacancy(conn, caller, vacancy_id)?;
    let given = match candidate {
        Some(candidate) => Some(candidate.resolve(conn, &event.id)?),
        None => None,
    };
    // Who applies: the job seeker themself, or the employer recording a candidate.
    let (job_seeker_id, by_employer) = if caller.role == Role::JobSeeker {
        let profile = crate::job_seekers::find_by_user(conn, &caller.id)?.ok_or_else(|| {
            AppError::conflict(
                "profile_required",
                "create your job seeker profile before applying",
            )
        })?;
        if given.is_some_and(|id| id != profile.id) {
            return Err(AppError::forbidden(
                "a job seeker applies only for themself",
            ));
        }
        (profile.id, false)
    } else {
        let is_employer = caller.is_admin()
            || guards::membership(conn, caller, &vacancy.organization_id)?.is_some();
        if !is_employer {
            return Err(AppError::forbidden(
                "only job seekers, and members of the vacancy's employer recording a candidate, may apply",
            ));
        }
        let Some(id) = given else {
            return Err(Candidate::one_of(
                "job_seeker_id or check_in_code is required when recording a candidate",
            ));
        };
        if share_contact {
            return Err(AppError::invalid_field(
                "share_contact",
                "only the job seeker may share their contact",
            ));
        }
        (id, true)
    };
    if let Some(existing) = super::existing(conn, vacancy_id, &job_seeker_id)? {
        return Err(super::already_applied(&existing));
    }
    if !event.status.takes_outcomes() {
        return Err(AppError::conflict(
            "event_not_open",
            format!("a {} event takes no applications", event.status),
        ));
    }
    let at = now();
    // `as_str` on both sides: the vacancy's status is text today and may become its enum.
    let open = vacancy.status.as_str() == VacancyStatus::Open.as_str();
    if !open || vacancy.closes_at.is_some_and(|closes| closes <= at) {
        return Err(AppError::conflict(
            "vacancy_closed",
            "the vacancy is closed to applications",
        ));
    }
    let registration = crate::registrations::find_for(conn, &event.id, &job_seeker_id)?;
    match (by_employer, registration.map(|r| r.checked_in_at)) {
        (false, None) => {
            return Err(AppError::conflict(
                "not_registered",
                "register for the event before applying for its vacancies",
            ))
        }
        (true, None | Some(None)) => {
            return Err(AppError::conflict(
                "not_checked_in",
                "employers record candidates who have checked in at the event",
            ))
        }
        _ => {}
    }
    let inserted = super::insert(conn, &event.id, vacancy_id, &job_seeker_id, &caller.id, at)?;
    // Without details: `apply` adds the winner's id once the transaction is rolled back.
    let Some(id) = inserted else {
        return Err(AppError::conflict(
            "already_applied",
            "this job seeker has already applied for this vacancy",
        ));
    };
    if share_contact {
        diesel::update(applications::table.find(&id))
            .set(applications::share_contact.eq(true))
            .execute(conn)?;
    }
    audit::record(
        conn,
        Some(&caller.id),
        audit::Change {
            action: "application.create",
            entity: "application",
            entity_id: &id,
            event_id: Some(&event.id),
            changes: serde_json::json!({
                "vacancy_id": vacancy_id,
                "job_seeker_id": job_seeker_id,
                "status": ApplicationStatus::Applied.as_str(),
                "recorded_by_employer": by_employer,
                "share_contact": share_contact,
            }),
        },
    )?;
    Ok(id)
}

/// Moves an application one step: see [`ApplicationStatus::can_become`] for the moves and
/// [`ApplicationStatus::mover`] for who makes them. A party who may not make this move gets 403;
/// anyone else 404. Audited as `application.status`.
pub fn move_to(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    to: ApplicationStatus,
) -> AppResult<ApplicationView> {
    if to == ApplicationStatus::Hired {
        return Err(AppError::invalid_field(
            "status",
            "hires are recorded by reporting a placement, not by changing the status",
        ));
    }
    write_transaction(conn, |conn| {
        let found = super::find_for(conn, id, caller)?;
        let mover = to.mover();
        if !found.may_move(mover) {
            return Err(AppError::forbidden(match mover {
                Mover::JobSeeker => "only the job seeker may withdraw an application",
                Mover::Employer => {
                    "only members of the vacancy's employer may move an application through its stages"
                }
            }));
        }
        let from = found.summary.application.status;
        if !from.can_become(to) {
            return Err(AppError::conflict(
                "invalid_transition",
                format!("a {from} application cannot become {to}"),
            ));
        }
        let at = now();
        super::set_status(conn, id, from, to, at, &caller.id)?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "application.status",
                entity: "application",
                entity_id: id,
                event_id: Some(&found.summary.event_id),
                changes: serde_json::json!({
                    "status": {"from": from.as_str(), "to": to.as_str()},
                }),
            },
        )?;
        let mut summary = found.summary;
        summary.application.status = to;
        summary.application.updated_at = at;
        view(conn, summary)
    })
}

/// The applicants of a vacancy, oldest application first: for members of its employer and of
/// the event's organizer, ministry staff and admins. Others who see the vacancy get 403; those
/// who do not, 404.
pub fn list_for_vacancy(
    conn: &mut DbConn,
    caller: &AuthUser,
    vacancy_id: &str,
    filter: &ListFilter,
) -> AppResult<Page<ApplicantView>> {
    let (vacancy, event) = visible_vacancy(conn, caller, vacancy_id)?;
    let allowed = caller.role.reads_everything()
        || guards::membership(conn, caller, &vacancy.organization_id)?.is_some()
        || guards::membership(conn, caller, &event.organization_id)?.is_some();
    if !allowed {
        return Err(AppError::forbidden(
            "only the employer and the event's organizer see a vacancy's applicants",
        ));
    }
    let mut q = applications::table
        .inner_join(job_seekers::table)
        .filter(applications::vacancy_id.eq(vacancy_id))
        .select((Application::as_select(), Applicant::as_select()))
        .into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(applications::status.eq(status));
    }
    if let Some(after) = &filter.after {
        q = q.filter(applications::id.gt(after.id.clone()));
    }
    let rows: Vec<ApplicantView> = q
        .order(applications::id.asc())
        .limit(filter.limit + 1)
        .load::<ApplicantView>(conn)?
        .into_iter()
        .map(|row| ApplicantView {
            job_seeker: row.job_seeker.contact_if(row.application.share_contact),
            ..row
        })
        .collect();
    Ok(Page::from_rows(rows, filter.limit, |a: &ApplicantView| {
        Cursor::new("", a.application.id.clone())
    }))
}

/// The caller's own applications (those of their job seeker profile; none without one), oldest
/// first.
pub fn mine(
    conn: &mut DbConn,
    caller: &AuthUser,
    filter: &ListFilter,
) -> AppResult<Page<ApplicationSummary>> {
    let mut q = applications::table
        .inner_join(vacancies::table)
        .inner_join(job_seekers::table)
        .filter(job_seekers::user_id.eq(&caller.id))
        .select((
            Application::as_select(),
            vacancies::title,
            vacancies::organization_id,
            vacancies::event_id,
        ))
        .into_boxed();
    if let Some(status) = filter.status {
        q = q.filter(applications::status.eq(status));
    }
    if let Some(after) = &filter.after {
        q = q.filter(applications::id.gt(after.id.clone()));
    }
    let rows: Vec<ApplicationSummary> = q
        .order(applications::id.asc())
        .limit(filter.limit + 1)
        .load(conn)?;
    Ok(Page::from_rows(
        rows,
        filter.limit,
        |a: &ApplicationSummary| Cursor::new("", a.application.id.clone()),
    ))
}
