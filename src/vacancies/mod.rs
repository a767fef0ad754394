//! Vacancies that approved employers post at a fair.
//!
//! The operations: [`get`] and [`list`] here, the changes in [`posting`] (create, update,
//! close, and closing every vacancy of an employer the organizer rejected). A vacancy is visible
//! where its event is; who may change it is checked by [`crate::auth::guards`].

pub mod handlers;
pub mod posting;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

pub use posting::{close, close_all_of_employer, create, update, NewVacancy, VacancyPatch};

use crate::auth::AuthUser;
use crate::db::schema::vacancies;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::job_seekers::EducationLevel;
use crate::pagination::{self, Cursor, Page};

crate::text_enum! {
    /// The kind of employment a vacancy offers.
    #[derive(Default)]
    pub enum EmploymentType {
        #[default]
        Permanent = "permanent",
        Contract = "contract",
        Internship = "internship",
        PartTime = "part_time",
        Daily = "daily",
    }
}

crate::text_enum! {
    /// Whether a vacancy takes applications.
    pub enum VacancyStatus {
        Open = "open",
        Closed = "closed",
    }
}

#[derive(Debug, Clone, Serialize, Queryable, Selectable)]
#[diesel(table_name = vacancies)]
pub struct Vacancy {
    pub id: String,
    pub event_id: String,
    pub organization_id: String,
    pub title: String,
    pub description: String,
    pub occupation_code: String,
    pub openings: i32,
    pub employment_type: EmploymentType,
    pub salary_min_idr: Option<i64>,
    pub salary_max_idr: Option<i64>,
    /// The lowest education level asked for (an [`EducationLevel`]), if any.
    pub education_min: Option<String>,
    pub location_province_code: String,
    pub location_city: String,
    pub disability_friendly: bool,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub closes_at: Option<NaiveDateTime>,
    pub status: VacancyStatus,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

impl Vacancy {
    /// Whether the vacancy takes applications at `at`: open, and not past its closing time.
    pub fn takes_applications(&self, at: NaiveDateTime) -> bool {
        self.status == VacancyStatus::Open && self.closes_at.is_none_or(|closes| closes > at)
    }
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Vacancy>> {
    vacancies::table
        .find(id)
        .select(Vacancy::as_select())
        .first(conn)
        .optional()
}

/// Reading one vacancy: visible where its event is (404 otherwise, as a missing one).
pub fn get(conn: &mut DbConn, caller: Option<&AuthUser>, id: &str) -> AppResult<Vacancy> {
    let vacancy = find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
    crate::events::find_visible(conn, &vacancy.event_id, caller)?
        .ok_or_else(|| AppError::not_found("vacancy"))?;
    Ok(vacancy)
}

/// The filters of [`list`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    pub occupation_code: Option<String>,
    /// The job seeker's level: vacancies whose minimum it meets (or that ask none).
    pub education_min: Option<EducationLevel>,
    pub disability_friendly: Option<bool>,
    pub organization_id: Option<String>,
    pub status: Option<VacancyStatus>,
    pub limit: Option<i64>,
    pub cursor: Option<String>,
}

/// Vacancies of an event the caller may see (404 otherwise, see [`crate::events::get`]).
pub fn list(
    conn: &mut DbConn,
    caller: Option<&AuthUser>,
    event_id: &str,
    query: ListQuery,
) -> AppResult<Page<Vacancy>> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    crate::events::get(conn, caller, event_id)?;
    let mut q = vacancies::table
        .filter(vacancies::event_id.eq(event_id))
        .select(Vacancy::as_select())
        .into_boxed();
    if let Some(code) = query.occupation_code {
        q = q.filter(vacancies::occupation_code.eq(code));
    }
    if let Some(level) = query.education_min {
        q = q.filter(
            vacancies::education_min
                .is_null()
                .or(vacancies::education_min.eq_any(level.satisfies())),
        );
    }
    if let Some(friendly) = query.disability_friendly {
        q = q.filter(vacancies::disability_friendly.eq(friendly));
    }
    if let Some(organization_id) = query.organization_id {
        q = q.filter(vacancies::organization_id.eq(organization_id));
    }
    if let Some(status) = query.status {
        q = q.filter(vacancies::status.eq(status));
    }
    if let Some(after) = after {
        q = q.filter(vacancies::id.gt(after.id));
    }
    let rows = q.order(vacancies::id.asc()).limit(limit + 1).load(conn)?;
    Ok(Page::from_rows(rows, limit, |v: &Vacancy| {
        Cursor::new("", v.id.clone())
    }))
}
