//! `/events/{id}/vacancies` and `/vacancies/{id}`: post, read, list, change and close vacancies.

use actix_web::{web, HttpResponse};
use chrono::{DateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use super::{EmploymentType, Vacancy, VacancyStatus};
use crate::audit;
use crate::auth::{AuthUser, Caller};
use crate::db::schema::vacancies;
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{self, EventStatus};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::job_seekers::EducationLevel;
use crate::pagination::{self, Cursor, Page};
use crate::validate::{to_db_time, Checker};
use crate::AppState;

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
    closes_at: Option<chrono::NaiveDateTime>,
}

#[derive(Insertable, AsChangeset)]
#[diesel(table_name = vacancies, treat_none_as_null = true)]
struct VacancyColumns<'a> {
    title: &'a str,
    description: &'a str,
    occupation_code: &'a str,
    openings: i32,
    employment_type: &'static str,
    salary_min_idr: Option<i64>,
    salary_max_idr: Option<i64>,
    education_min: Option<&'static str>,
    location_province_code: &'a str,
    location_city: &'a str,
    disability_friendly: bool,
    closes_at: Option<chrono::NaiveDateTime>,
}

impl VacancyFields {
    fn check(self, c: &mut Checker) -> Self {
        let fields = Self {
            title: c.text("title", self.title, 3, 200),
            description: c.text("description", self.description, 0, 10_000),
            openings: c.range("openings", self.openings, 1, MAX_OPENINGS),
            location_province_code: c
                .province("location_province_code", self.location_province_code),
            location_city: c.text("location_city", self.location_city, 1, 100),
            ..self
        };
        // KBJI 2014 (ISCO-08) unit groups: four digits.
        let kbji = fields.occupation_code.len() == 4
            && fields.occupation_code.chars().all(|ch| ch.is_ascii_digit());
        if !kbji && !c.failed("occupation_code") {
            c.fail(
                "occupation_code",
                "must be a 4-digit KBJI 2014 unit group code",
            );
        }
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
            employment_type: self.employment_type.as_str(),
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewVacancy {
    organization_id: Option<String>,
    title: Option<String>,
    description: Option<String>,
    occupation_code: Option<String>,
    openings: Option<i32>,
    employment_type: Option<EmploymentType>,
    salary_min_idr: Option<i64>,
    salary_max_idr: Option<i64>,
    education_min: Option<EducationLevel>,
    location_province_code: Option<String>,
    location_city: Option<String>,
    disability_friendly: Option<bool>,
    closes_at: Option<DateTime<Utc>>,
}

/// Events take new vacancies while they are drafts or published.
fn require_open(event: &events::Event) -> AppResult<()> {
    if [EventStatus::Draft.as_str(), EventStatus::Published.as_str()]
        .contains(&event.status.as_str())
    {
        Ok(())
    } else {
        Err(AppError::conflict(
            "event_not_open",
            format!("a {} event takes no new vacancies", event.status),
        ))
    }
}

/// A member of an approved employer of the event posts a vacancy.
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewVacancy>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let mut c = Checker::new();
    let organization_id = c.required_text("organization_id", body.organization_id, 1, 64);
    let organization_id = crate::validate::uuid(&mut c, "organization_id", organization_id);
    let fields = VacancyFields {
        title: c.required("title", body.title),
        description: body.description.unwrap_or_default(),
        occupation_code: c.required("occupation_code", body.occupation_code),
        openings: c.required("openings", body.openings),
        employment_type: c.required("employment_type", body.employment_type),
        salary_min_idr: body.salary_min_idr,
        salary_max_idr: body.salary_max_idr,
        education_min: body.education_min,
        location_province_code: c.required("location_province_code", body.location_province_code),
        location_city: c.required("location_city", body.location_city),
        disability_friendly: body.disability_friendly.unwrap_or(false),
        closes_at: body.closes_at.map(to_db_time),
    }
    .check(&mut c);
    c.finish()?;
    let vacancy = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let event =
                    events::find(conn, &event_id)?.ok_or_else(|| AppError::not_found("event"))?;
                crate::organizations::require_member(conn, &caller, &organization_id, false)?;
                if !crate::participations::is_approved(conn, &event_id, &organization_id)? {
                    return Err(AppError::forbidden(
                        "only employers approved for this event post vacancies",
                    ));
                }
                require_open(&event)?;
                let id = new_id();
                let at = now();
                diesel::insert_into(vacancies::table)
                    .values((
                        vacancies::id.eq(&id),
                        vacancies::event_id.eq(&event_id),
                        vacancies::organization_id.eq(&organization_id),
                        vacancies::status.eq(VacancyStatus::Open.as_str()),
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
                        event_id: Some(&event_id),
                        changes: serde_json::json!({
                            "organization_id": organization_id,
                            "title": fields.title,
                            "occupation_code": fields.occupation_code,
                            "openings": fields.openings,
                            "employment_type": fields.employment_type.as_str(),
                            "status": VacancyStatus::Open.as_str(),
                        }),
                    },
                )?;
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("vacancy"))
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(vacancy))
}

/// A vacancy is visible where its event is.
fn find_visible(conn: &mut DbConn, id: &str, caller: Option<&AuthUser>) -> AppResult<Vacancy> {
    let vacancy = super::find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
    events::find_visible(conn, &vacancy.event_id, caller)?
        .ok_or_else(|| AppError::not_found("vacancy"))?;
    Ok(vacancy)
}

pub async fn get(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "vacancy")?;
    let vacancy = state
        .db(move |conn| find_visible(conn, &id, caller.as_ref()))
        .await?;
    Ok(HttpResponse::Ok().json(vacancy))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    occupation_code: Option<String>,
    /// The job seeker's level: vacancies whose minimum it meets (or that ask none).
    education_min: Option<EducationLevel>,
    disability_friendly: Option<bool>,
    organization_id: Option<String>,
    status: Option<VacancyStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Vacancies of an event that the caller may see.
pub async fn list(
    state: web::Data<AppState>,
    Caller(caller): Caller,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            events::find_visible(conn, &event_id, caller.as_ref())?
                .ok_or_else(|| AppError::not_found("event"))?;
            let mut q = vacancies::table
                .filter(vacancies::event_id.eq(&event_id))
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
                q = q.filter(vacancies::status.eq(status.as_str()));
            }
            if let Some(after) = after {
                q = q.filter(vacancies::id.gt(after.id));
            }
            let rows = q.order(vacancies::id.asc()).limit(limit + 1).load(conn)?;
            Ok(Page::from_rows(rows, limit, |v: &Vacancy| {
                Cursor::new("", v.id.clone())
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VacancyPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    title: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    description: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    occupation_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    openings: Option<i32>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    employment_type: Option<EmploymentType>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    salary_min_idr: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    salary_max_idr: Option<Option<i64>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    education_min: Option<Option<EducationLevel>>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    location_province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    location_city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    disability_friendly: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    closes_at: Option<Option<DateTime<Utc>>>,
}

/// Members of the vacancy's employer (and admins) change an open vacancy.
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<VacancyPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "vacancy")?;
    let vacancy = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let current =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
                let before = current.clone();
                crate::organizations::require_member(
                    conn,
                    &caller,
                    &current.organization_id,
                    false,
                )?;
                if current.status != VacancyStatus::Open.as_str() {
                    return Err(AppError::conflict(
                        "vacancy_closed",
                        "a closed vacancy cannot be changed",
                    ));
                }
                let employment_type = match patch.employment_type {
                    Some(t) => t,
                    None => parse_enum(&current.employment_type)?,
                };
                let education_min = match patch.education_min {
                    Some(level) => level,
                    None => current
                        .education_min
                        .as_deref()
                        .map(parse_enum)
                        .transpose()?,
                };
                let mut c = Checker::new();
                let fields = VacancyFields {
                    title: patch.title.unwrap_or(current.title),
                    description: patch.description.unwrap_or(current.description),
                    occupation_code: patch.occupation_code.unwrap_or(current.occupation_code),
                    openings: patch.openings.unwrap_or(current.openings),
                    employment_type,
                    salary_min_idr: patch.salary_min_idr.unwrap_or(current.salary_min_idr),
                    salary_max_idr: patch.salary_max_idr.unwrap_or(current.salary_max_idr),
                    education_min,
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
                diesel::update(vacancies::table.find(&id))
                    .set((fields.columns(), vacancies::updated_at.eq(now())))
                    .execute(conn)?;
                let updated =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action: "vacancy.update",
                        entity: "vacancy",
                        entity_id: &id,
                        event_id: Some(&updated.event_id),
                        changes: audit::diff(&before, &updated),
                    },
                )?;
                Ok(updated)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(vacancy))
}

fn parse_enum<T: serde::de::DeserializeOwned>(stored: &str) -> AppResult<T> {
    serde_json::from_value(serde_json::Value::String(stored.to_owned()))
        .map_err(|_| AppError::internal(format!("unknown stored value {stored:?}")))
}

/// Members of the vacancy's employer (and admins, and the event's organizers) close it.
pub async fn close(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "vacancy")?;
    let vacancy = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let current =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
                let employer = crate::organizations::require_member(
                    conn,
                    &caller,
                    &current.organization_id,
                    false,
                );
                if employer.is_err() {
                    let event = events::find(conn, &current.event_id)?
                        .ok_or_else(|| AppError::not_found("vacancy"))?;
                    crate::organizations::require_member(
                        conn,
                        &caller,
                        &event.organization_id,
                        false,
                    )?;
                }
                let updated = diesel::update(
                    vacancies::table
                        .find(&id)
                        .filter(vacancies::status.eq(VacancyStatus::Open.as_str())),
                )
                .set((
                    vacancies::status.eq(VacancyStatus::Closed.as_str()),
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
                        entity_id: &id,
                        event_id: Some(&current.event_id),
                        changes: serde_json::json!({"status": {"from": "open", "to": "closed"}}),
                    },
                )?;
                super::find(conn, &id)?.ok_or_else(|| AppError::not_found("vacancy"))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(vacancy))
}
