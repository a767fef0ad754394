//! Job applications: a job seeker applies for a vacancy at a fair (or the employer records a
//! candidate met at its booth), and the employer moves the application through its pipeline.
//!
//! The pipeline is `applied → shortlisted → interviewed → offered`, one step at a time, by the
//! employer (members of the vacancy's organization, and admins). From any open stage (`applied`
//! to `offered`) the employer may reject and the job seeker may withdraw. `hired` is set only by
//! reporting a placement, never by changing the status. `hired`, `rejected` and `withdrawn` are
//! final. Every status an application takes is kept in `application_transitions`, with its time
//! and actor.
//!
//! Who reads an application: the job seeker's own account, members of the vacancy's employer,
//! members of the event's organizer, ministry staff and admins. Anyone else gets 404, as if it did
//! not exist. No view of an application carries any part of a NIK.

pub mod handlers;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::auth::AuthUser;
use crate::db::schema::{application_transitions, applications, events, job_seekers, vacancies};
use crate::db::DbConn;
use crate::error::{AppError, FieldError};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationStatus {
    /// Also the placeholder of a missing value (see [`crate::validate::Checker`]).
    #[default]
    Applied,
    Shortlisted,
    Interviewed,
    Offered,
    Hired,
    Rejected,
    Withdrawn,
}

impl ApplicationStatus {
    pub const ALL: [ApplicationStatus; 7] = [
        Self::Applied,
        Self::Shortlisted,
        Self::Interviewed,
        Self::Offered,
        Self::Hired,
        Self::Rejected,
        Self::Withdrawn,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Shortlisted => "shortlisted",
            Self::Interviewed => "interviewed",
            Self::Offered => "offered",
            Self::Hired => "hired",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.as_str() == s)
    }

    /// Still in the pipeline: not hired, rejected or withdrawn.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Self::Applied | Self::Shortlisted | Self::Interviewed | Self::Offered
        )
    }

    /// The employer's next stage after this one.
    pub fn next_stage(self) -> Option<Self> {
        match self {
            Self::Applied => Some(Self::Shortlisted),
            Self::Shortlisted => Some(Self::Interviewed),
            Self::Interviewed => Some(Self::Offered),
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

    /// Whether a `PATCH` may move an application from `self` to `to`: the next stage, or
    /// `rejected` or `withdrawn` from an open stage. Never back, never a skipped stage, never out
    /// of a final status, and never to `applied` or `hired` (a hire is a reported placement).
    pub fn can_become(self, to: Self) -> bool {
        match to {
            Self::Rejected | Self::Withdrawn => self.is_open(),
            Self::Applied | Self::Hired => false,
            _ => self.next_stage() == Some(to),
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
    pub status: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub applied_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

impl Application {
    pub fn status(&self) -> Result<ApplicationStatus, AppError> {
        ApplicationStatus::parse(&self.status).ok_or_else(|| {
            AppError::internal(format!(
                "application {} has the unknown status {:?}",
                self.id, self.status
            ))
        })
    }
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
    pub status: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub at: NaiveDateTime,
    pub actor_user_id: String,
}

/// An application with its whole history, as `GET /applications/{id}` shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ApplicationView {
    #[serde(flatten)]
    pub summary: ApplicationSummary,
    pub history: Vec<Transition>,
}

/// The job seeker behind an application, as the employer's list shows them: no NIK, no contact.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = job_seekers)]
pub struct Applicant {
    pub id: String,
    pub full_name: String,
    pub gender: String,
    pub education_level: String,
    pub disability: bool,
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
    /// The caller is a member of the vacancy's organization, or an admin.
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

/// The application if `caller` may read it (see the module's rules), in one query.
pub fn find_for(conn: &mut DbConn, id: &str, caller: &AuthUser) -> QueryResult<Option<Found>> {
    type Row = (
        Application,
        String,
        String,
        String,
        Option<String>,
        bool,
        bool,
    );
    let member_of = || crate::events::member_organizations(caller.id.clone());
    // Diesel maps a flat row only when it holds a `SelectBy`, hence no nested summary here.
    let row: Option<Row> = applications::table
        .inner_join(vacancies::table.inner_join(events::table))
        .inner_join(job_seekers::table)
        .filter(applications::id.eq(id))
        .select((
            Application::as_select(),
            vacancies::title,
            vacancies::organization_id,
            vacancies::event_id,
            job_seekers::user_id,
            vacancies::organization_id.eq_any(member_of()),
            events::organization_id.eq_any(member_of()),
        ))
        .first(conn)
        .optional()?;
    Ok(row.and_then(|row| {
        let (
            application,
            vacancy_title,
            organization_id,
            event_id,
            seeker_user,
            employer,
            organizer,
        ) = row;
        let summary = ApplicationSummary {
            application,
            vacancy_title,
            organization_id,
            event_id,
        };
        let is_job_seeker = seeker_user.as_deref() == Some(caller.id.as_str());
        let is_employer = employer || caller.is_admin();
        let visible = is_job_seeker || is_employer || organizer || caller.role.reads_everything();
        visible.then_some(Found {
            summary,
            is_job_seeker,
            is_employer,
        })
    }))
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

/// A new application, counted on its event (the figures kept for the rollups): every way an
/// application is made goes through here. `None` when the job seeker already has one for the
/// vacancy (made meanwhile: the unique key refused this one).
pub fn insert(
    conn: &mut DbConn,
    event_id: &str,
    vacancy_id: &str,
    job_seeker_id: &str,
    status: ApplicationStatus,
    by: &str,
    at: NaiveDateTime,
) -> QueryResult<Option<String>> {
    let id = crate::db::new_id();
    let inserted = diesel::insert_into(applications::table)
        .values((
            applications::id.eq(&id),
            applications::vacancy_id.eq(vacancy_id),
            applications::job_seeker_id.eq(job_seeker_id),
            applications::status.eq(status.as_str()),
            applications::applied_at.eq(at),
            applications::created_by.eq(by),
            applications::updated_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        Err(e) if crate::db::is_unique_violation(&e) => return Ok(None),
        other => other?,
    };
    crate::metrics::tally::application_added(conn, event_id)?;
    Ok(Some(id))
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
        for status in ApplicationStatus::ALL {
            assert_eq!(ApplicationStatus::parse(status.as_str()), Some(status));
            let json = serde_json::to_value(status).unwrap();
            assert_eq!(json, status.as_str());
        }
        assert_eq!(ApplicationStatus::parse("accepted"), None);
    }

    #[test]
    fn the_transition_table() {
        // Every allowed move; anything else is refused.
        let allowed = [
            (Applied, Shortlisted),
            (Shortlisted, Interviewed),
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
        for from in ApplicationStatus::ALL {
            for to in ApplicationStatus::ALL {
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
