//! The rows the seeder writes, one struct per table, typed with the API's own closed sets where
//! they are declared with [`crate::text_enum!`] (the others take the enum's `as_str()`), and the
//! batched INSERT that writes them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::{
    application_transitions, applications, events, follow_ups, job_seekers, memberships,
    organizations, participations, placements, registrations, users, vacancies,
};
use crate::events::{EventFormat, EventStatus, FundingSource};
use crate::organizations::{MemberRole, OrganizationKind};
use crate::placements::{ContractType, PlacementStatus, VerificationMethod};

/// Rows per INSERT statement (within SQLite's variable limit for the widest table).
pub(crate) const BATCH: usize = 500;
/// Rows per committed transaction.
pub(crate) const COMMIT_ROWS: usize = 20_000;

#[derive(Insertable)]
#[diesel(table_name = users)]
pub(super) struct UserRow {
    pub(super) id: String,
    pub(super) email: String,
    pub(super) password_hash: String,
    pub(super) full_name: String,
    pub(super) role: &'static str,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = organizations)]
pub(super) struct OrgRow {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) kind: OrganizationKind,
    pub(super) province_code: &'static str,
    pub(super) city: &'static str,
    pub(super) sector_code: Option<&'static str>,
    pub(super) registration_number: Option<String>,
    pub(super) ownership: &'static str,
    pub(super) created_by: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
    pub(super) verified_at: Option<NaiveDateTime>,
    pub(super) verified_by: Option<String>,
    pub(super) verification_note: Option<&'static str>,
}

#[derive(Insertable)]
#[diesel(table_name = memberships)]
pub(super) struct MembershipRow {
    pub(super) organization_id: String,
    pub(super) user_id: String,
    pub(super) role: MemberRole,
    pub(super) created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = events)]
pub(super) struct EventRow {
    pub(super) id: String,
    pub(super) organization_id: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) format: EventFormat,
    pub(super) venue: Option<String>,
    pub(super) province_code: &'static str,
    pub(super) city: &'static str,
    pub(super) starts_at: NaiveDateTime,
    pub(super) ends_at: NaiveDateTime,
    pub(super) capacity: i32,
    pub(super) budget_idr: i64,
    pub(super) funding_source: FundingSource,
    pub(super) target_placements: i32,
    pub(super) status: EventStatus,
    pub(super) created_by: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
    pub(super) published_at: Option<NaiveDateTime>,
    pub(super) closed_at: Option<NaiveDateTime>,
    pub(super) cancelled_at: Option<NaiveDateTime>,
    pub(super) spent_idr: Option<i64>,
    pub(super) closing_notes: Option<String>,
    pub(super) registrations_count: i32,
    pub(super) attendees_count: i32,
    pub(super) local_start_date: NaiveDate,
}

#[derive(Insertable)]
#[diesel(table_name = participations)]
pub(super) struct ParticipationRow {
    pub(super) event_id: String,
    pub(super) organization_id: String,
    pub(super) booth: Option<String>,
    pub(super) status: crate::participations::ParticipationStatus,
    pub(super) requested_by: String,
    pub(super) requested_at: NaiveDateTime,
    pub(super) decided_by: Option<String>,
    pub(super) decided_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = vacancies)]
pub(super) struct VacancyRow {
    pub(super) id: String,
    pub(super) event_id: String,
    pub(super) organization_id: String,
    pub(super) title: String,
    pub(super) description: String,
    pub(super) occupation_code: &'static str,
    pub(super) openings: i32,
    pub(super) employment_type: crate::vacancies::EmploymentType,
    pub(super) salary_min_idr: Option<i64>,
    pub(super) salary_max_idr: Option<i64>,
    pub(super) education_min: Option<&'static str>,
    pub(super) location_province_code: &'static str,
    pub(super) location_city: &'static str,
    pub(super) disability_friendly: bool,
    pub(super) closes_at: Option<NaiveDateTime>,
    pub(super) status: crate::vacancies::VacancyStatus,
    pub(super) created_by: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = job_seekers)]
pub(super) struct JobSeekerRow {
    pub(super) id: String,
    pub(super) full_name: String,
    pub(super) nik_hash: String,
    pub(super) nik_last4: String,
    pub(super) birth_date: Option<NaiveDate>,
    pub(super) gender: &'static str,
    pub(super) education_level: &'static str,
    pub(super) province_code: &'static str,
    pub(super) city: &'static str,
    pub(super) disability: bool,
    pub(super) disability_type: Option<&'static str>,
    pub(super) phone: Option<String>,
    pub(super) email: Option<String>,
    pub(super) consent_at: NaiveDateTime,
    pub(super) consent_recorded_by: String,
    pub(super) created_by: String,
    pub(super) created_at: NaiveDateTime,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = registrations)]
pub(super) struct RegistrationRow {
    pub(super) id: String,
    pub(super) event_id: String,
    pub(super) job_seeker_id: String,
    pub(super) check_in_code: String,
    pub(super) registered_at: NaiveDateTime,
    pub(super) registered_by: String,
    pub(super) checked_in_at: Option<NaiveDateTime>,
    pub(super) checked_in_by: Option<String>,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = applications)]
pub(super) struct ApplicationRow {
    pub(super) id: String,
    pub(super) vacancy_id: String,
    pub(super) job_seeker_id: String,
    pub(super) status: crate::applications::ApplicationStatus,
    pub(super) applied_at: NaiveDateTime,
    pub(super) created_by: String,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = application_transitions)]
pub(super) struct TransitionRow {
    pub(super) id: String,
    pub(super) application_id: String,
    pub(super) status: crate::applications::ApplicationStatus,
    pub(super) at: NaiveDateTime,
    pub(super) actor_user_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = placements)]
pub(super) struct PlacementRow {
    pub(super) id: String,
    pub(super) application_id: String,
    pub(super) vacancy_id: String,
    pub(super) event_id: String,
    pub(super) job_seeker_id: String,
    pub(super) employer_id: String,
    pub(super) status: PlacementStatus,
    pub(super) start_date: NaiveDate,
    pub(super) salary_idr: i64,
    pub(super) contract_type: ContractType,
    pub(super) occupation_code: &'static str,
    pub(super) flags: String,
    pub(super) reported_by: String,
    pub(super) reported_at: NaiveDateTime,
    pub(super) confirmed_at: Option<NaiveDateTime>,
    pub(super) disputed_at: Option<NaiveDateTime>,
    pub(super) dispute_reason: Option<&'static str>,
    pub(super) verified_at: Option<NaiveDateTime>,
    pub(super) verified_by: Option<String>,
    pub(super) verification_method: Option<VerificationMethod>,
    pub(super) verification_note: Option<&'static str>,
    pub(super) retracted_at: Option<NaiveDateTime>,
    pub(super) retracted_by: Option<String>,
    pub(super) retraction_note: Option<&'static str>,
    pub(super) updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = follow_ups)]
pub(super) struct FollowUpRow {
    pub(super) id: String,
    pub(super) placement_id: String,
    pub(super) checked_on: NaiveDate,
    pub(super) employed: bool,
    pub(super) same_employer: bool,
    pub(super) source: &'static str,
    pub(super) recorded_by: String,
    pub(super) recorded_at: NaiveDateTime,
}

/// Inserts `rows` in multi-row statements of [`BATCH`], committing every [`COMMIT_ROWS`].
macro_rules! insert_rows {
    ($conn:expr, $table:path, $rows:expr, $bar:expr) => {{
        use diesel::RunQueryDsl as _;
        for commit in $rows.chunks($crate::seed::rows::COMMIT_ROWS) {
            $crate::db::write_transaction($conn, |conn| {
                for batch in commit.chunks($crate::seed::rows::BATCH) {
                    // Multi-row INSERTs are per engine: `DbConn` does not build them.
                    match conn {
                        $crate::db::DbConn::Postgres(pg) => {
                            diesel::insert_into($table).values(batch).execute(pg)?
                        }
                        $crate::db::DbConn::Sqlite(lite) => {
                            diesel::insert_into($table).values(batch).execute(lite)?
                        }
                    };
                }
                Ok::<_, diesel::result::Error>(())
            })?;
            $bar.inc(commit.len() as u64);
        }
    }};
}
pub(super) use insert_rows;
