//! Vacancies that approved employers post at a fair.

pub mod handlers;

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::vacancies;
use crate::db::DbConn;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmploymentType {
    #[default]
    Permanent,
    Contract,
    Internship,
    PartTime,
    Daily,
}

impl EmploymentType {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Permanent => "permanent",
            Self::Contract => "contract",
            Self::Internship => "internship",
            Self::PartTime => "part_time",
            Self::Daily => "daily",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VacancyStatus {
    Open,
    Closed,
}

impl VacancyStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Closed => "closed",
        }
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
    pub employment_type: String,
    pub salary_min_idr: Option<i64>,
    pub salary_max_idr: Option<i64>,
    pub education_min: Option<String>,
    pub location_province_code: String,
    pub location_city: String,
    pub disability_friendly: bool,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub closes_at: Option<NaiveDateTime>,
    pub status: String,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<Vacancy>> {
    vacancies::table
        .find(id)
        .select(Vacancy::as_select())
        .first(conn)
        .optional()
}
