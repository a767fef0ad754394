//! `/job-seekers` and `/me/job-seeker`: create, read and update job seeker profiles.

use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::Deserialize;

use super::{EducationLevel, Gender, NewJobSeekerRow, ProfileFields};
use crate::audit;
use crate::auth::{AuthUser, Role};
use crate::db::schema::job_seekers;
use crate::db::{new_id, now, write_transaction};
use crate::error::{AppError, AppResult};
use crate::extract::{path_id, ApiJson};
use crate::validate::Checker;
use crate::AppState;

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewJobSeeker {
    full_name: Option<String>,
    #[serde(default, deserialize_with = "super::nik_input")]
    nik: Option<String>,
    birth_date: Option<NaiveDate>,
    gender: Option<Gender>,
    education_level: Option<EducationLevel>,
    province_code: Option<String>,
    city: Option<String>,
    disability: Option<bool>,
    disability_type: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    consent: Option<bool>,
}

/// A new profile that passed every rule, its NIK already reduced to what is stored.
pub struct NewProfile {
    nik_hash: String,
    nik_last4: String,
    birth_date: Option<NaiveDate>,
    gender: Gender,
    fields: ProfileFields,
}

impl NewJobSeeker {
    /// Checks every field (one 422 detail per field). The NIK leaves only as its keyed hash and
    /// last four digits.
    pub fn validate(self, nik_key: &[u8]) -> AppResult<NewProfile> {
        let today = today();
        let mut c = Checker::new();
        let full_name = c.required("full_name", self.full_name);
        let birth_date = self.birth_date;
        if let Some(date) = birth_date {
            super::check_birth_date(&mut c, date, today);
        }
        let gender = c.required("gender", self.gender);
        let (nik, nik_birth_date) =
            super::check_nik(&mut c, self.nik, birth_date, self.gender, today);
        // The NIK's birth date stands in for one not given: age breakdowns need it.
        let birth_date = birth_date.or(nik_birth_date);
        let fields = ProfileFields {
            full_name: super::check_full_name(&mut c, full_name),
            education_level: c.required("education_level", self.education_level),
            province_code: {
                let code = c.required("province_code", self.province_code);
                c.province("province_code", code)
            },
            city: {
                let city = c.required("city", self.city);
                super::check_city(&mut c, city)
            },
            disability: c.required("disability", self.disability),
            disability_type: super::check_disability_type(&mut c, self.disability_type),
            phone: super::check_phone(&mut c, self.phone),
            email: super::check_email(&mut c, self.email),
        };
        fields.check(&mut c);
        match self.consent {
            Some(true) => {}
            Some(false) => c.fail(
                "consent",
                "must be true: a profile is recorded only with the person's consent",
            ),
            None => c.fail("consent", "is required"),
        }
        c.finish()?;
        Ok(NewProfile {
            nik_hash: super::nik_hash(nik_key, &nik),
            nik_last4: super::nik_last4(&nik),
            birth_date,
            gender,
            fields,
        })
    }
}

impl NewProfile {
    pub fn nik_hash(&self) -> &str {
        &self.nik_hash
    }

    /// The row of this profile, recorded (with the consent) by `recorded_by` at `at`, and tied
    /// to the account `user_id` if the person has one.
    pub fn row<'a>(
        &'a self,
        id: &'a str,
        user_id: Option<&'a str>,
        recorded_by: &'a str,
        at: NaiveDateTime,
    ) -> NewJobSeekerRow<'a> {
        NewJobSeekerRow {
            id,
            user_id,
            nik_hash: &self.nik_hash,
            nik_last4: &self.nik_last4,
            birth_date: self.birth_date,
            gender: self.gender.as_str(),
            consent_at: at,
            consent_recorded_by: recorded_by,
            created_by: recorded_by,
            created_at: at,
            updated_at: at,
            columns: self.fields.columns(),
        }
    }
}

/// A `job_seeker` creates their own profile (one per account); organizer staff and admins record
/// a walk-in's profile, tied to no account. The person's consent must be given and is recorded
/// with who recorded it.
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewJobSeeker>,
) -> AppResult<HttpResponse> {
    caller.require(&[Role::JobSeeker, Role::Organizer, Role::Admin])?;
    let profile = body.validate(&state.nik_key)?;
    let job_seeker = state
        .db(move |conn| {
            let id = new_id();
            let user_id = (caller.role == Role::JobSeeker).then_some(caller.id.as_str());
            write_transaction(conn, |conn| {
                let job_seeker =
                    super::create(conn, &profile.row(&id, user_id, &caller.id, now()))?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    super::created_change(&job_seeker, None),
                )?;
                Ok(job_seeker)
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(job_seeker))
}

/// The person, ministry staff, admins, the user who recorded the profile, and members of an
/// organization running an event the job seeker is registered for; anyone else gets 404.
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "job seeker")?;
    let job_seeker = state
        .db(move |conn| {
            super::find_visible(conn, &id, &caller)?
                .ok_or_else(|| AppError::not_found("job seeker"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(job_seeker))
}

/// The caller's own profile (404 when they have none).
pub async fn me(state: web::Data<AppState>, caller: AuthUser) -> AppResult<HttpResponse> {
    let job_seeker = state
        .db(move |conn| {
            super::find_by_user(conn, &caller.id)?
                .ok_or_else(|| AppError::not_found("job seeker profile"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(job_seeker))
}

/// The NIK, gender, birth date and consent are not here: they cannot be changed (an unknown
/// field is 422).
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSeekerPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    education_level: Option<EducationLevel>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    province_code: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    city: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    disability: Option<bool>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    disability_type: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    phone: Option<Option<String>>,
    #[serde(default, deserialize_with = "crate::extract::nullable")]
    email: Option<Option<String>>,
}

/// The person, admins, and the user who recorded a walk-in profile change it. Others who may
/// read it get 403; those who may not, 404. The merged profile must pass the rules of a new one.
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<JobSeekerPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "job seeker")?;
    let mut c = Checker::new();
    let full_name = patch.full_name.map(|v| super::check_full_name(&mut c, v));
    let province_code = patch.province_code.map(|v| c.province("province_code", v));
    let city = patch.city.map(|v| super::check_city(&mut c, v));
    let disability_type = patch
        .disability_type
        .map(|v| super::check_disability_type(&mut c, v));
    let phone = patch.phone.map(|v| super::check_phone(&mut c, v));
    let email = patch.email.map(|v| super::check_email(&mut c, v));
    c.finish()?;
    let job_seeker = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let before = super::find_visible(conn, &id, &caller)?
                    .ok_or_else(|| AppError::not_found("job seeker"))?;
                let current = &before;
                if !current.editable_by(&caller) {
                    return Err(AppError::forbidden(
                        "only the job seeker, the staff member who recorded a walk-in profile, and admins may change it",
                    ));
                }
                let current = ProfileFields::from_job_seeker(current)?;
                let merged = ProfileFields {
                    full_name: full_name.unwrap_or(current.full_name),
                    education_level: patch.education_level.unwrap_or(current.education_level),
                    province_code: province_code.unwrap_or(current.province_code),
                    city: city.unwrap_or(current.city),
                    disability: patch.disability.unwrap_or(current.disability),
                    disability_type: disability_type.unwrap_or(current.disability_type),
                    phone: phone.unwrap_or(current.phone),
                    email: email.unwrap_or(current.email),
                };
                let mut c = Checker::new();
                merged.check(&mut c);
                c.finish()?;
                diesel::update(job_seekers::table.find(&id))
                    .set((merged.columns(), job_seekers::updated_at.eq(now())))
                    .execute(conn)?;
                let updated =
                    super::find(conn, &id)?.ok_or_else(|| AppError::not_found("job seeker"))?;
                // `JobSeeker` holds no NIK and no hash of one: the diff cannot carry either.
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action: "job_seeker.update",
                        entity: "job_seeker",
                        entity_id: &id,
                        event_id: None,
                        changes: audit::diff(&before, &updated),
                    },
                )?;
                Ok(updated)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(job_seeker))
}
