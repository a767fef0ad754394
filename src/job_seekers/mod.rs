//! Job seekers: the people fairs are for. The model, its closed sets and the queries; the
//! operations on profiles are in [`profiles`], NIK claims in [`claims`].
//!
//! A profile belongs to a `job_seeker` account (`user_id`), or is a walk-in recorded by organizer
//! staff (no `user_id`). One person is one profile: the national ID number (NIK) is unique. It is
//! checked for shape, then stored only as an HMAC-SHA256 under `BURSA_NIK_SECRET` (see
//! [`nik_hash`]) with its last four digits; the API never returns it and nothing logs it.
//!
//! A NIK never reveals a person: a request that finds a profile by NIK ([`lookup`]) answers
//! without naming its holder, is rate-limited per account and leaves an audit record. A NIK
//! squatted by the wrong profile is moved to its owner through a claim an admin decides.
//!
//! Who reads a profile: the person themself, ministry staff, admins, the user who recorded it, and
//! staff of an organizer organization that runs an event the job seeker is registered for. Anyone
//! else gets 404, as if it did not exist.

pub mod claim_handlers;
pub mod claims;
pub mod handlers;
pub mod lookup;
pub mod names;
pub mod nik;
pub mod profiles;
pub mod rules;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use crate::auth::{AuthUser, Role};
use crate::db::schema::{events, job_seekers, memberships, registrations};
use crate::db::{write_transaction, DbConn};
use crate::error::{AppError, AppResult, FieldError};

pub use nik::{nik_hash, nik_input, nik_last4, parse_nik, NikError, NikInfo};
pub use rules::{NewJobSeeker, NewJobSeekerRow, NewProfile, ProfileFields};

crate::text_enum! {
    /// The gender a NIK encodes (women have 40 added to the birth day).
    #[derive(Default)]
    pub enum Gender {
        /// The placeholder of a missing value (see [`crate::validate::Checker`]).
        #[default]
        Female = "female",
        Male = "male",
    }
}

crate::text_enum! {
    /// The highest education completed: primary (`sd`), junior (`smp`) and senior (`sma`) high
    /// school, vocational high school (`smk`), diplomas `d1` to `d4`, degrees `s1` to `s3`.
    #[derive(Default)]
    pub enum EducationLevel {
        /// The placeholder of a missing value (see [`crate::validate::Checker`]).
        #[default]
        Sd = "sd",
        Smp = "smp",
        Sma = "sma",
        Smk = "smk",
        D1 = "d1",
        D2 = "d2",
        D3 = "d3",
        D4 = "d4",
        S1 = "s1",
        S2 = "s2",
        S3 = "s3",
    }
}

impl EducationLevel {
    /// SMA and SMK (general and vocational upper secondary) are the same level, as are D4 and S1.
    fn rank(self) -> u8 {
        match self {
            Self::Sd => 0,
            Self::Smp => 1,
            Self::Sma | Self::Smk => 2,
            Self::D1 => 3,
            Self::D2 => 4,
            Self::D3 => 5,
            Self::D4 | Self::S1 => 6,
            Self::S2 => 7,
            Self::S3 => 8,
        }
    }

    /// The minimum requirements (as stored) that a person with this level meets.
    pub fn satisfies(self) -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|level| level.rank() <= self.rank())
            .map(|level| level.as_str())
            .collect()
    }
}

/// A job seeker as the API shows it. The NIK's hash is not even selected.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = job_seekers)]
pub struct JobSeeker {
    pub id: String,
    /// The account of the person, or null for a walk-in recorded by staff.
    pub user_id: Option<String>,
    pub full_name: String,
    /// Empty once the NIK was moved to its owner by an approved claim (see `nik_revoked_at`).
    pub nik_last4: String,
    pub birth_date: Option<NaiveDate>,
    pub gender: Gender,
    pub education_level: EducationLevel,
    pub province_code: String,
    pub city: String,
    pub disability: bool,
    pub disability_type: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub consent_at: NaiveDateTime,
    /// The user who recorded the consent (the person themself, or the staff member).
    pub consent_recorded_by: String,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
    /// When an approved NIK claim took this profile's NIK for its owner: the profile holds a NIK
    /// that was not its own, and now holds none.
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub nik_revoked_at: Option<NaiveDateTime>,
    /// When the person agreed to their ticket and hire confirmations by WhatsApp at `phone`.
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub whatsapp_consent_at: Option<NaiveDateTime>,
    /// Who recorded that consent (the person, or the staff member at the desk).
    pub whatsapp_consent_recorded_by: Option<String>,
}

impl JobSeeker {
    /// Who may change the profile: the person themself, admins, and the user who recorded a
    /// walk-in profile (one not tied to an account).
    pub fn editable_by(&self, caller: &AuthUser) -> bool {
        caller.is_admin()
            || self.user_id.as_deref() == Some(caller.id.as_str())
            || (self.user_id.is_none() && self.created_by == caller.id)
    }

    /// What anyone who met the person may know: who it is, not how to reach them.
    pub fn summary(&self) -> JobSeekerSummary {
        JobSeekerSummary {
            id: self.id.clone(),
            full_name: self.full_name.clone(),
            nik_last4: self.nik_last4.clone(),
        }
    }
}

/// A profile as shown to staff who found it by NIK but may not read it: its id, the name on
/// it and the last digits of the NIK they typed. No contact data, no birth date.
#[derive(Debug, Clone, Serialize)]
pub struct JobSeekerSummary {
    pub id: String,
    pub full_name: String,
    pub nik_last4: String,
}

/// A profile in an answer: whole for those who may read it, else its summary.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum JobSeekerView {
    Full(Box<JobSeeker>),
    Summary(JobSeekerSummary),
}

// ---------------------------------------------------------------------------------------------
// Errors and queries
// ---------------------------------------------------------------------------------------------

/// 409 `profile_exists`, with the caller's existing profile id in `details` (`job_seeker_id`).
pub fn profile_exists(existing_id: &str) -> AppError {
    AppError::conflict(
        "profile_exists",
        "this account already has a job seeker profile",
    )
    .with_details(vec![FieldError::new("job_seeker_id", existing_id)])
}

/// 409 `nik_registered`. It names no one: the holder's id would let anyone who knows a NIK find
/// the person. An owner whose NIK was taken files a claim (`POST /api/v1/nik-claims`).
pub fn nik_registered() -> AppError {
    AppError::conflict(
        "nik_registered",
        "a job seeker with this NIK is already registered; if it is yours, file a NIK claim (POST /api/v1/nik-claims)",
    )
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<JobSeeker>> {
    job_seekers::table
        .find(id)
        .select(JobSeeker::as_select())
        .first(conn)
        .optional()
}

/// The profile of the account `user_id`.
pub fn find_by_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<JobSeeker>> {
    job_seekers::table
        .filter(job_seekers::user_id.eq(user_id))
        .select(JobSeeker::as_select())
        .first(conn)
        .optional()
}

/// The profile holding the NIK of this hash. Callers answering a request go through
/// [`lookup`], which rate-limits and audits.
pub fn find_by_nik_hash(conn: &mut DbConn, nik_hash: &str) -> QueryResult<Option<JobSeeker>> {
    job_seekers::table
        .filter(job_seekers::nik_hash.eq(nik_hash))
        .select(JobSeeker::as_select())
        .first(conn)
        .optional()
}

/// The profile if `caller` may read it: ministry staff and admins any; anyone else their own,
/// one they recorded, or (organizers) one registered for an event of an organization they
/// belong to. One query either way.
pub fn find_visible(
    conn: &mut DbConn,
    id: &str,
    caller: &AuthUser,
) -> QueryResult<Option<JobSeeker>> {
    if caller.role.reads_everything() {
        return find(conn, id);
    }
    let own = job_seekers::user_id
        .eq(caller.id.clone())
        .or(job_seekers::created_by.eq(caller.id.clone()));
    let query = job_seekers::table
        .find(id)
        .select(JobSeeker::as_select())
        .into_boxed();
    // Events are run by organizer organizations, acted for by organizers only: a member whose
    // role was changed reads through their memberships no more (see `auth::guards`).
    let query = if caller.role == Role::Organizer {
        let registered_with_caller = diesel::dsl::exists(
            registrations::table
                .inner_join(events::table)
                .inner_join(
                    memberships::table.on(memberships::organization_id.eq(events::organization_id)),
                )
                .filter(registrations::job_seeker_id.eq(id.to_owned()))
                .filter(memberships::user_id.eq(caller.id.clone()))
                .select(registrations::id),
        );
        query.filter(own.or(registered_with_caller))
    } else {
        query.filter(own)
    };
    query.first(conn).optional()
}

/// Whether a member of the organization recorded the profile (created it).
pub fn recorded_by_organization(
    conn: &mut DbConn,
    job_seeker: &JobSeeker,
    organization_id: &str,
) -> QueryResult<bool> {
    diesel::select(diesel::dsl::exists(
        memberships::table
            .filter(memberships::organization_id.eq(organization_id))
            .filter(memberships::user_id.eq(&job_seeker.created_by)),
    ))
    .get_result(conn)
}

/// 409 if the account already has a profile or the NIK is registered.
fn check_free(conn: &mut DbConn, row: &NewJobSeekerRow<'_>) -> AppResult<()> {
    if let Some(user_id) = row.user_id {
        if let Some(existing) = find_by_user(conn, user_id)? {
            return Err(profile_exists(&existing.id));
        }
    }
    let taken = diesel::select(diesel::dsl::exists(
        job_seekers::table.filter(job_seekers::nik_hash.eq(row.nik_hash)),
    ))
    .get_result::<bool>(conn)?;
    if taken {
        return Err(nik_registered());
    }
    Ok(())
}

/// The audit record of a new profile (made at the event `event_id` by a walk-in, if so). It names
/// what was recorded, never the NIK nor its hash (`nik_last4` only).
pub fn created_change<'a>(
    job_seeker: &'a JobSeeker,
    event_id: Option<&'a str>,
) -> crate::audit::Change<'a> {
    crate::audit::Change {
        action: "job_seeker.create",
        entity: "job_seeker",
        entity_id: &job_seeker.id,
        event_id,
        changes: serde_json::json!({
            "user_id": job_seeker.user_id,
            "full_name": job_seeker.full_name,
            "nik_last4": job_seeker.nik_last4,
            "gender": job_seeker.gender,
            "education_level": job_seeker.education_level,
            "province_code": job_seeker.province_code,
            "city": job_seeker.city,
            "disability": job_seeker.disability,
            "consent_recorded_by": job_seeker.consent_recorded_by,
        }),
    }
}

/// Inserts a profile: 409 `profile_exists` or `nik_registered` when it would be a second one.
pub fn insert(conn: &mut DbConn, row: &NewJobSeekerRow<'_>) -> AppResult<JobSeeker> {
    let created = write_transaction(conn, |conn| {
        check_free(conn, row)?;
        diesel::insert_into(job_seekers::table)
            .values(row)
            .execute(conn)?;
        find(conn, row.id)?.ok_or_else(|| AppError::not_found("job seeker"))
    });
    match created {
        // A concurrent request took the account or the NIK between the check and the insert:
        // the transaction is rolled back, so look again to say which.
        Err(error) if error.code == "conflict" => {
            check_free(conn, row)?;
            Err(error)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn education_levels_rank_sma_with_smk_and_d4_with_s1() {
        assert_eq!(EducationLevel::Smk.satisfies(), ["sd", "smp", "sma", "smk"]);
        assert!(EducationLevel::D4.satisfies().contains(&"s1"));
        assert!(!EducationLevel::D3.satisfies().contains(&"d4"));
    }
}
