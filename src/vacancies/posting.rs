//! Changing vacancies: an approved employer posts and changes its own; it, the event's staff or
//! an admin close one; rejecting an employer closes all of its vacancies at the fair.
//!
//! Each operation checks its caller through [`guards`] and writes its audit record in the same
//! transaction as its change.

use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use super::{EmploymentType, Vacancy, VacancyStatus};
use crate::audit;
use crate::auth::{guards, AuthUser};
use crate::db::schema::vacancies;
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{self, EventStatus};
use crate::job_seekers::EducationLevel;
use crate::validate::{to_db_time, Checker};

const MAX_OPENINGS: i32 = 100_000;

/// The editable fields of a vacancy, validated together.
struct VacancyFields {
    title: String,
    description: String,
    occupation_code: String,
    openings: i32,
    employment_type: EmploymentType,
    salary_min_idr: Option<i64>,
    salary_max_idr: Option<i64>,
    education_min: Option<EducationLevel>,
    location_province_code: String,
    location_city: String,
    disability_friendly: bool,
    closes_at: Option<NaiveDateTime>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = vacancies, treat_none_as_null = true)]
struct VacancyColumns<'a> {
    title: &'a str,
    description: &'a str,
    occupation_code: &'a str,
    openings: i32,
    employment_type: EmploymentType,
    salary_min_idr: Option<i64>,
    salary_max_idr: Option<i64>,
    education_min: Option<&'static str>,
    location_province_code: &'a str,
    location_city: &'a str,
    disability_friendly: bool,
    closes_at: Option<NaiveDateTime>,
}

impl VacancyFields {
    fn check(self, c: &mut Checker) -> Self {
        let fields = Self {
            title: c.text("title", self.title, 3, 200),
            description: c.multiline_text("description", self.description, 0, 10_000),
            openings: c.range("openings", self.openings, 1, MAX_OPENINGS),
            location_province_code: c
                .province("location_province_code", self.location_province_code),
            location_city: c.text("location_city", self.location_city, 1, 100),
            closes_at: self.closes_at.map(|t| c.time_in_range("closes_at", t)),
            ..self
        };
        crate::occupations::check(c, "occupation_code", &fields.occupation_code);
        for (field, value) in [
            ("salary_min_idr", fields.salary_min_idr),
            ("salary_max_idr", fields.salary_max_idr),
        ] {
            if let Some(value) = value {
                c.range(field, value, 0, events::MAX_MONEY_IDR);
            }
        }
        if let (Some(min), Some(max)) = (fields.salary_min_idr, fields.salary_max_idr) {
            if max < min {
                c.fail("salary_max_idr", "must not be below salary_min_idr");
            }
        }
        fields
    }

    fn columns(&self) -> VacancyColumns<'_> {
        VacancyColumns {
            title: &self.title,
            description: &self.description,
            occupation_code: &self.occupation_code,
            openings: self.openings,
            employment_type: self.employment_type,
            salary_min_idr: self.salary_min_idr,
            salary_max_idr: self.salary_max_idr,
            education_min: self.education_min.map(EducationLevel::as_str),
            location_province_code: &self.location_province_code,
            location_city: &self.location_city,
            disability_friendly: self.disability_friendly,
            closes_at: self.closes_at,
        }
    }
}

/// A new vacancy, as submitted: every field is checked by [`create`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVacancy {
    pub organization_id: Option<String>,
    pub title: Option<String>,
    pub description: Option<String>,
    pub occupation_code: Option<String>,
    pub openings: Option<i32>,
    pub employment_type: Option<EmploymentType>,
    pub salary_min_idr: Option<i64>,
    pub salary_max_idr: Option<i64>,
    pub education_min: Option<EducationLevel>,
    pub location_province_code: Option<String>,
    pub location_city: Option<String>,
    pub disability_friendly: Option<bool>,
    pub closes_at: Option<DateTime<Utc>>,
}

/// Events take new vacancies while they are drafts or published.
fn require_open(event: &events::Event) -> AppResult<()> {
    if matches!(event.status, EventStatus::Draft | EventStatus::Published) {
        Ok(())
    } else {
        Err(AppError::conflict(
            "event_not_open",
            format!("a {} event takes no new vacancies", event.status),
        ))
    }
}

/// A member of an employer approved for the event (or an admin) posts a vacancy for it.
pub fn create(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    input: NewVacancy,
) -> AppResult<Vacancy> {
    let mut c = Checker::new();
    let organization_id = c.required_text("organization_id", input.organization_id, 1, 64);
    let organization_id = crate::validate::uuid(&mut c, "organization_id", organization_id);
    let fields = VacancyFields {
        title: c.required("title", input.title),
        description: input.description.unwrap_or_default(),
        occupation_code: c.required("occupation_code", input.occupation_code),
        openings: c.required("openings", input.openings),
        employment_type: c.required("employment_type", input.employment_type),
        salary_min_idr: input.salary_min_idr,
        salary_max_idr: input.salary_max_idr,
        education_min: input.education_min,
        location_province_code: c.required("location_province_code", input.location_province_code),
        location_city: c.required("location_city", input.location_city),
        disability_friendly: input.disability_friendly.unwrap_or(false),
        closes_at: input.closes_at.map(to_db_time),
    }
    .check(&mut c);
    c.finish()?;
    write_transaction(conn, |conn| {
        // The employer takes part through its participation, whatever the event's status: an
        // approved employer of a cancelled fair learns that the fair takes no vacancies (409).
        let event = events::find(conn, event_id)?.ok_or_else(|| AppError::not_found("event"))?;
        guards::approved_employer(conn, caller, event_id, &organization_id)?;
        require_open(&event)?;
        let id = new_id();
        let at = now();
        diesel::insert_into(vacancies::table)
            .values((
                vacancies::id.eq(&id),
                vacancies::event_id.eq(event_id),
                vacancies::organization_id.eq(&organization_id),
                vacancies::status.eq(VacancyStatus::Open),
                vacancies::created_by.eq(&caller.id),
                vacancies::created_at.eq(at),
                vacancies::updated_at.eq(at),
                fields.columns(),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "vacancy.create",
                entity: "vacancy",
                entity_id: &id,
                event_id: Some(event_id),
                changes: serde_json::json!({
                    "organization_id": organization_id,
                    "title": fields.title,
                    "occupation_code": fields.occupation_code,
                    "openings": fields.openings,
                    "employment_type": fields.employment_type,
                    "status": VacancyStatus::Open,
                }),
            },
        )?;
        super::find(conn, &id)?.ok_or_else(|| AppError::not_found("vacancy"))
    })
}

/// A change to a vacancy's fields: absent fields stay as they are; `null` clears the optional
/// ones.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub occupation_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub openings: Option<i32>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub employment_type: Option<EmploymentType>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub salary_min_idr: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub salary_max_idr: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub education_min: Option<Option<EducationLevel>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub location_province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub location_city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub disability_friendly: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    pub closes_at: Option<Option<DateTime<Utc>>>,
}

/// Members of the vacancy's employer (and admins) change an open vacancy; the merged result must
/// pass every rule of a new one.
pub fn update(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    patch: VacancyPatch,
) -> AppResult<Vacancy> {
    write_transaction(conn, |conn| {
        let current = super::find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
        guards::organization_member(conn, caller, &current.organization_id)?;
        if current.status != VacancyStatus::Open {
            return Err(AppError::conflict(
                "vacancy_closed",
                "a closed vacancy cannot be changed",
            ));
        }
        let stored_education = match current.education_min.as_deref() {
            Some(text) => Some(EducationLevel::parse(text).ok_or_else(|| {
                AppError::internal(format!("unknown stored education level {text:?}"))
            })?),
            None => None,
        };
        let before = current.clone();
        let mut c = Checker::new();
        let fields = VacancyFields {
            title: patch.title.unwrap_or(current.title),
            description: patch.description.unwrap_or(current.description),
            occupation_code: patch.occupation_code.unwrap_or(current.occupation_code),
            openings: patch.openings.unwrap_or(current.openings),
            employment_type: patch.employment_type.unwrap_or(current.employment_type),
            salary_min_idr: patch.salary_min_idr.unwrap_or(current.salary_min_idr),
            salary_max_idr: patch.salary_max_idr.unwrap_or(current.salary_max_idr),
            education_min: patch.education_min.unwrap_or(stored_education),
            location_province_code: patch
                .location_province_code
                .unwrap_or(current.location_province_code),
            location_city: patch.location_city.unwrap_or(current.location_city),
            disability_friendly: patch
                .disability_friendly
                .unwrap_or(current.disability_friendly),
            closes_at: patch
                .closes_at
                .map(|t| t.map(to_db_time))
                .unwrap_or(current.closes_at),
        }
        .check(&mut c);
        c.finish()?;
        diesel::update(vacancies::table.find(id))
            .set((fields.columns(), vacancies::updated_at.eq(now())))
            .execute(conn)?;
        let updated = super::find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "vacancy.update",
                entity: "vacancy",
                entity_id: id,
                event_id: Some(&updated.event_id),
                changes: audit::diff(&before, &updated),
            },
        )?;
        Ok(updated)
    })
}

/// Members of the vacancy's employer, admins, and the event's staff close an open vacancy.
pub fn close(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<Vacancy> {
    write_transaction(conn, |conn| {
        let current = super::find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
        let employer = caller.is_admin()
            || guards::membership(conn, caller, &current.organization_id)?.is_some();
        if !employer {
            guards::event_staff(conn, caller, &current.event_id)?;
        }
        let updated = diesel::update(
            vacancies::table
                .find(id)
                .filter(vacancies::status.eq(VacancyStatus::Open)),
        )
        .set((
            vacancies::status.eq(VacancyStatus::Closed),
            vacancies::updated_at.eq(now()),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(AppError::conflict(
                "vacancy_closed",
                "the vacancy is already closed",
            ));
        }
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "vacancy.close",
                entity: "vacancy",
                entity_id: id,
                event_id: Some(&current.event_id),
                changes: serde_json::json!({
                    "status": {"from": VacancyStatus::Open, "to": VacancyStatus::Closed},
                }),
            },
        )?;
        super::find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))
    })
}

/// Closes every open vacancy of the employer at the event, because of `reason` (the audit
/// action that caused it, e.g. `participation.reject`), with one audit record each, in id
/// order. The caller's permission is the causing operation's: this is called inside its
/// transaction, never by a handler. Returns the ids closed.
pub fn close_all_of_employer(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    organization_id: &str,
    at: NaiveDateTime,
    reason: &str,
) -> AppResult<Vec<String>> {
    let mut closed: Vec<String> = diesel::update(
        vacancies::table
            .filter(vacancies::event_id.eq(event_id))
            .filter(vacancies::organization_id.eq(organization_id))
            .filter(vacancies::status.eq(VacancyStatus::Open)),
    )
    .set((
        vacancies::status.eq(VacancyStatus::Closed),
        vacancies::updated_at.eq(at),
    ))
    .returning(vacancies::id)
    .get_results(conn)?;
    closed.sort();
    for vacancy_id in &closed {
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "vacancy.close",
                entity: "vacancy",
                entity_id: vacancy_id,
                event_id: Some(event_id),
                changes: serde_json::json!({
                    "status": {"from": VacancyStatus::Open, "to": VacancyStatus::Closed},
                    "reason": reason,
                }),
            },
        )?;
    }
    Ok(closed)
}
