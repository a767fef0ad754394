//! Job applications: a job seeker applies for a vacancy at a fair (or the employer records a
//! candidate met at its booth), and the employer moves the application through its pipeline.
//!
//! The pipeline is `applied → shortlisted → interviewed → offered`, one step at a time, by the
//! employer (members of the vacancy's organization, and admins). From any open stage (`applied`
//! to `offered`) the employer may reject and the job seeker may withdraw. `hired` is set only by
//! reporting a placement ([`hire`], called by [`crate::placements`]), never by changing the
//! status; a retracted hire hands the application back ([`reopen`]). `hired`, `rejected` and
//! `withdrawn` are final. Every status an application takes is kept in
//! `application_transitions`, with its time and actor; this module is the only writer of both
//! tables.
//!
//! Who reads an application (its *parties*, [`find_for`]): the job seeker's own account, members
//! of the vacancy's employer, members of the event's organizer (memberships as
//! [`crate::auth::guards::membership`] counts them: the caller's current role must be the one
//! the organization is run by), ministry staff and admins. Anyone else gets 404, as if it did
//! not exist: an application is personal data, and knowing it exists already says something of
//! a person. No view of an application carries any part of a NIK.
//!
//! The operations ([`apply`], [`move_to`], [`read`], [`list_for_vacancy`], [`mine`]) are in
//! `ops.rs`; the HTTP handlers only parse, call them and serialize.

pub mod handlers;
mod ops;

pub use ops::{apply, list_for_vacancy, mine, move_to, read, ListFilter};

/// Who an employer names when recording a candidate or a hire: the job seeker's id, or the
/// check-in code on their ticket (scanned or typed at the booth).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Candidate {
    Id(String),
    CheckInCode(String),
}

impl Candidate {
    /// The candidate from a request's `job_seeker_id` and `check_in_code`: exactly one of the two
    /// (`None` when neither is given; 422 naming both when both are).
    pub fn from_fields(
        job_seeker_id: Option<String>,
        check_in_code: Option<String>,
    ) -> AppResult<Option<Self>> {
        match (job_seeker_id, check_in_code) {
            (Some(_), Some(_)) => Err(Self::one_of(
                "give job_seeker_id or check_in_code, not both",
            )),
            (Some(id), None) => Ok(Some(Self::Id(id))),
            (None, Some(code)) => Ok(Some(Self::CheckInCode(code))),
            (None, None) => Ok(None),
        }
    }

    /// 422 naming both fields.
    pub fn one_of(message: &str) -> AppError {
        AppError::validation(vec![
            FieldError::new("job_seeker_id", message),
            FieldError::new("check_in_code", message),
        ])
    }

    /// The job seeker this names at the event: an id must be a job seeker's (422 `job_seeker_id`
    /// otherwise); a code must be one of this event's registrations (422 `check_in_code`
    /// otherwise, the same answer whether the code belongs to another fair or to none, so codes
    /// of other fairs leak nothing).
    pub fn resolve(&self, conn: &mut DbConn, event_id: &str) -> AppResult<String> {
        match self {
            Self::Id(id) => {
                if crate::job_seekers::find(conn, id)?.is_none() {
                    return Err(AppError::invalid_field(
                        "job_seeker_id",
                        "no job seeker has this id",
                    ));
                }
                Ok(id.clone())
            }
            Self::CheckInCode(code) => crate::registrations::find_by_code(conn, event_id, code)?
                .map(|r| r.job_seeker_id)
                .ok_or_else(|| {
                    AppError::invalid_field(
                        "check_in_code",
                        "no registration of this fair has this code",
                    )
                }),
        }
    }
}

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::guards;
use crate::auth::AuthUser;
use crate::db::schema::{application_transitions, applications, events, job_seekers, vacancies};
use crate::db::{new_id, DbConn};
use crate::error::{AppError, AppResult, FieldError};

crate::text_enum! {
    /// Where an application is in the pipeline (the first variant is also the placeholder of a
    /// missing value, see [`crate::validate::Checker`]).
    #[derive(Default)]
    pub enum ApplicationStatus {
        #[default]
        Applied = "applied",
        Shortlisted = "shortlisted",
        Interviewed = "interviewed",
        Offered = "offered",
        Hired = "hired",
        Rejected = "rejected",
        Withdrawn = "withdrawn",
    }
}

impl ApplicationStatus {
    /// Still in the pipeline: not hired, rejected or withdrawn.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Applied | Self::Shortlisted | Self::Interviewed | Self::Offered
        )
    }

    /// Where an open stage stands in the pipeline, `applied` first: a move goes forward.
    fn stage(self) -> Option<u8> {
        match self {
            Self::Applied => Some(0),
            Self::Shortlisted => Some(1),
            Self::Interviewed => Some(2),
            Self::Offered => Some(3),
            _ => None,
        }
    }

    /// Who moves an application to this status with `PATCH`: the job seeker withdraws; every
    /// other move is the employer's. `hired` is not set this way at all (see [`Self::can_become`]).
    pub fn mover(self) -> Mover {
        match self {
            Self::Withdrawn => Mover::JobSeeker,
            _ => Mover::Employer,
        }
    }

    /// Whether a `PATCH` may move an application from `self` to `to`: any later stage (an
    /// interview on the spot skips the shortlist; the history keeps each move as it was made),
    /// or `rejected` or `withdrawn` from an open stage. Never back, never the same stage, never
    /// out of a final status, and never to `applied` or `hired` (a hire is a reported placement).
    pub fn can_become(self, to: Self) -> bool {
        match to {
            Self::Rejected | Self::Withdrawn => self.is_open(),
            Self::Applied | Self::Hired => false,
            _ => matches!((self.stage(), to.stage()), (Some(from), Some(to)) if to > from),
        }
    }
}

/// The party a status change belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mover {
    /// Members of the vacancy's organization, and admins.
    Employer,
    /// The account of the application's job seeker.
    JobSeeker,
}

/// An application as stored (without `created_by`, which only the history's first entry shows).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = applications)]
pub struct Application {
    pub id: String,
    pub vacancy_id: String,
    pub job_seeker_id: String,
    pub status: ApplicationStatus,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub applied_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
    /// The job seeker let the employer see their phone and email when applying.
    pub share_contact: bool,
}

/// An application with what it is for: the vacancy's title, its employer and its event.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct ApplicationSummary {
    #[serde(flatten)]
    pub application: Application,
    pub vacancy_title: String,
    /// The employer organization.
    pub organization_id: String,
    pub event_id: String,
}

/// One status an application took.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = application_transitions)]
pub struct Transition {
    pub status: ApplicationStatus,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub at: NaiveDateTime,
    pub actor_user_id: String,
}

/// An application with its whole history, as `GET /applications/{id}` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    /// The job seeker as the door shows them ("Siti R."): enough for the employer to know whom
    /// a scanned code recorded, and never a NIK or contact.
    pub display_name: String,
    pub history: Vec<Transition>,
}

/// The job seeker behind an application, as the employer's list shows them: no NIK, and the
/// contact only with the job seeker's consent for this application ([`Self::contact_if`]).
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = job_seekers)]
pub struct Applicant {
    pub id: String,
    pub full_name: String,
    pub gender: String,
    pub education_level: String,
    pub disability: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub phone: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
}

impl Applicant {
    /// The applicant with their phone and email only if they consented to share them.
    pub fn contact_if(mut self, consented: bool) -> Self {
        if !consented {
            self.phone = None;
            self.email = None;
        }
        self
    }
}

/// An application in the employer's list of a vacancy's applicants.
#[derive(Debug, Clone, Queryable, Serialize)]
pub struct ApplicantView {
    #[serde(flatten)]
    pub application: Application,
    pub job_seeker: Applicant,
}

/// An application found for a caller, with how the caller stands to it.
pub struct Found {
    pub summary: ApplicationSummary,
    /// The caller is the job seeker's account.
    pub is_job_seeker: bool,
    /// The caller acts for the vacancy's organization, or is an admin.
    pub is_employer: bool,
}

impl Found {
    /// Whether the caller may make a move that belongs to `mover`.
    pub fn may_move(&self, mover: Mover) -> bool {
        match mover {
            Mover::Employer => self.is_employer,
            Mover::JobSeeker => self.is_job_seeker,
        }
    }
}

/// The application if `caller` is a party to it (see the module's rules); 404 `application`
/// otherwise, whether it exists or not.
pub fn find_for(conn: &mut DbConn, id: &str, caller: &AuthUser) -> AppResult<Found> {
    let not_found = || AppError::not_found("application");
    let row: Option<(Application, String, String, String, String, Option<String>)> =
        applications::table
            .inner_join(vacancies::table.inner_join(events::table))
            .inner_join(job_seekers::table)
            .filter(applications::id.eq(id))
            .select((
                Application::as_select(),
                vacancies::title,
                vacancies::organization_id,
                vacancies::event_id,
                events::organization_id,
                job_seekers::user_id,
            ))
            .first(conn)
            .optional()?;
    let (application, vacancy_title, organization_id, event_id, organizer_id, seeker_user) =
        row.ok_or_else(not_found)?;
    let is_job_seeker = seeker_user.as_deref() == Some(caller.id.as_str());
    let is_employer =
        caller.is_admin() || guards::membership(conn, caller, &organization_id)?.is_some();
    let visible = is_job_seeker
        || is_employer
        || caller.role.reads_everything()
        || guards::membership(conn, caller, &organizer_id)?.is_some();
    if !visible {
        return Err(not_found());
    }
    Ok(Found {
        summary: ApplicationSummary {
            application,
            vacancy_title,
            organization_id,
            event_id,
        },
        is_job_seeker,
        is_employer,
    })
}

/// The statuses an application took, oldest first.
pub fn history(conn: &mut DbConn, application_id: &str) -> QueryResult<Vec<Transition>> {
    application_transitions::table
        .filter(application_transitions::application_id.eq(application_id))
        .order((
            application_transitions::at.asc(),
            application_transitions::id.asc(),
        ))
        .select(Transition::as_select())
        .load(conn)
}

/// Appends a status to an application's history.
fn record_transition(
    conn: &mut DbConn,
    application_id: &str,
    status: ApplicationStatus,
    at: NaiveDateTime,
    actor: &str,
) -> QueryResult<usize> {
    diesel::insert_into(application_transitions::table)
        .values((
            application_transitions::id.eq(new_id()),
            application_transitions::application_id.eq(application_id),
            application_transitions::status.eq(status),
            application_transitions::at.eq(at),
            application_transitions::actor_user_id.eq(actor),
        ))
        .execute(conn)
}

/// A new `applied` application with its first history entry, counted on its event (the figures
/// kept for the rollups): every way an application is made goes through here. `None` when the
/// job seeker already has one for the vacancy (made meanwhile: the unique key refused this one).
pub fn insert(
    conn: &mut DbConn,
    event_id: &str,
    vacancy_id: &str,
    job_seeker_id: &str,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let id = new_id();
    let inserted = diesel::insert_into(applications::table)
        .values((
            applications::id.eq(&id),
            applications::vacancy_id.eq(vacancy_id),
            applications::job_seeker_id.eq(job_seeker_id),
            applications::status.eq(ApplicationStatus::Applied),
            applications::applied_at.eq(at),
            applications::created_by.eq(by),
            applications::updated_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    record_transition(conn, &id, ApplicationStatus::Applied, at, by)?;
    crate::metrics::tally::application_added(conn, event_id)?;
    Ok(Some(id))
}

/// Moves an application from `from` to `to` and records it in its history; 409
/// `invalid_transition` when it is no longer `from` (changed meanwhile). The rules of who may
/// make the move are the caller's.
fn set_status(
    conn: &mut DbConn,
    application_id: &str,
    from: ApplicationStatus,
    to: ApplicationStatus,
    at: NaiveDateTime,
    actor: &str,
) -> AppResult<()> {
    let updated = diesel::update(
        applications::table
            .find(application_id)
            .filter(applications::status.eq(from)),
    )
    .set((applications::status.eq(to), applications::updated_at.eq(at)))
    .execute(conn)?;
    if updated == 0 {
        return Err(AppError::conflict(
            "invalid_transition",
            "the application changed status meanwhile; reload it",
        ));
    }
    record_transition(conn, application_id, to, at, actor)?;
    Ok(())
}

/// The job seeker and status of an application, if there is one.
pub fn status_of(
    conn: &mut DbConn,
    application_id: &str,
) -> QueryResult<Option<(String, String, ApplicationStatus)>> {
    applications::table
        .find(application_id)
        .select((
            applications::vacancy_id,
            applications::job_seeker_id,
            applications::status,
        ))
        .first(conn)
        .optional()
}

/// A reported hire: the application, still open at `from`, becomes `hired` (409
/// `application_closed` when it is not open, `invalid_transition` when it changed meanwhile).
/// Called by [`crate::placements`] in the report's transaction.
pub fn hire(
    conn: &mut DbConn,
    application_id: &str,
    from: ApplicationStatus,
    at: NaiveDateTime,
    actor: &str,
) -> AppResult<()> {
    if !from.is_open() {
        return Err(application_closed(from));
    }
    set_status(
        conn,
        application_id,
        from,
        ApplicationStatus::Hired,
        at,
        actor,
    )
}

/// 409 `application_closed`: a final application cannot become a hire.
pub fn application_closed(from: ApplicationStatus) -> AppError {
    AppError::conflict(
        "application_closed",
        format!("a {from} application cannot become a hire"),
    )
}

/// A retracted hire hands its `hired` application back to the stage it had reached before
/// (recorded in its history), so the employer may move it on or report the hire again. Called by
/// [`crate::placements`] in the retraction's transaction; nothing happens to an application that
/// is no longer `hired`.
pub fn reopen(
    conn: &mut DbConn,
    application_id: &str,
    at: NaiveDateTime,
    actor: &str,
) -> AppResult<()> {
    let before: ApplicationStatus = application_transitions::table
        .filter(application_transitions::application_id.eq(application_id))
        .filter(application_transitions::status.ne(ApplicationStatus::Hired))
        .order((
            application_transitions::at.desc(),
            application_transitions::id.desc(),
        ))
        .select(application_transitions::status)
        .first(conn)
        .optional()?
        .unwrap_or(ApplicationStatus::Applied);
    let updated = diesel::update(
        applications::table
            .find(application_id)
            .filter(applications::status.eq(ApplicationStatus::Hired)),
    )
    .set((
        applications::status.eq(before),
        applications::updated_at.eq(at),
    ))
    .execute(conn)?;
    if updated > 0 {
        record_transition(conn, application_id, before, at, actor)?;
    }
    Ok(())
}

/// The id of the job seeker's application for the vacancy, if there is one.
pub fn existing(
    conn: &mut DbConn,
    vacancy_id: &str,
    job_seeker_id: &str,
) -> QueryResult<Option<String>> {
    applications::table
        .filter(applications::vacancy_id.eq(vacancy_id))
        .filter(applications::job_seeker_id.eq(job_seeker_id))
        .select(applications::id)
        .first(conn)
        .optional()
}

/// 409 `already_applied`, with the existing application's id in `details` (`application_id`).
pub fn already_applied(existing_id: &str) -> AppError {
    AppError::conflict(
        "already_applied",
        "this job seeker has already applied for this vacancy",
    )
    .with_details(vec![FieldError::new("application_id", existing_id)])
}

#[cfg(test)]
mod tests {
    use super::ApplicationStatus::{self, *};
    use super::Mover;

    #[test]
    fn statuses_round_trip_as_stored() {
        for &status in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
        assert_eq!(ApplicationStatus::parse("accepted"), None);
    }

    #[test]
    fn the_transition_table() {
        // Every allowed move; anything else is refused. Forward skips included.
        let allowed = [
            (Applied, Shortlisted),
            (Applied, Interviewed),
            (Applied, Offered),
            (Shortlisted, Interviewed),
            (Shortlisted, Offered),
            (Interviewed, Offered),
            (Applied, Rejected),
            (Shortlisted, Rejected),
            (Interviewed, Rejected),
            (Offered, Rejected),
            (Applied, Withdrawn),
            (Shortlisted, Withdrawn),
            (Interviewed, Withdrawn),
            (Offered, Withdrawn),
        ];
        for &from in ApplicationStatus::ALL {
            for &to in ApplicationStatus::ALL {
                assert_eq!(
                    from.can_become(to),
                    allowed.contains(&(from, to)),
                    "{from:?} -> {to:?}"
                );
            }
        }
    }

    #[test]
    fn final_statuses_go_nowhere_and_hires_are_not_a_status_change() {
        for from in [Hired, Rejected, Withdrawn] {
            assert!(!from.is_open());
            assert!(ApplicationStatus::ALL
                .iter()
                .all(|to| !from.can_become(*to)));
        }
        assert!(ApplicationStatus::ALL
            .iter()
            .all(|from| !from.can_become(Hired)));
        assert!(ApplicationStatus::ALL
            .iter()
            .all(|from| !from.can_become(Applied)));
    }

    #[test]
    fn the_job_seeker_withdraws_and_the_employer_does_the_rest() {
        assert_eq!(Withdrawn.mover(), Mover::JobSeeker);
        for to in [Applied, Shortlisted, Interviewed, Offered, Rejected] {
            assert_eq!(to.mover(), Mover::Employer, "{to:?}");
        }
    }
}
