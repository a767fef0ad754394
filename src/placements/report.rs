//! Reporting a hire: the employer's claim that a job seeker got the job, with its flags, its
//! application turned `hired` (through [`crate::applications`]), its confirmation email and its
//! idempotent retries.

use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{ContractType, FlagFacts, PlacementStatus, PlacementView};
use crate::applications::{self, ApplicationStatus, Candidate};
use crate::audit::{self, Change};
use crate::auth::{guards, AuthUser};
use crate::db::schema::placements;
use crate::db::{is_unique_violation, new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::MAX_MONEY_IDR;
use crate::idempotency::{self, Key, Stored};
use crate::validate::Checker;

/// A report as submitted (the JSON body of `POST /placements`); [`NewPlacement::check`] makes it
/// a [`Report`].
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlacement {
    pub application_id: Option<String>,
    pub vacancy_id: Option<String>,
    pub job_seeker_id: Option<String>,
    pub check_in_code: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub salary_idr: Option<i64>,
    pub contract_type: Option<ContractType>,
    pub occupation_code: Option<String>,
}

/// What a hire is reported for.
#[derive(Debug, Clone)]
pub enum Target {
    Application(String),
    /// A checked-in job seeker who never applied through Bursa, named by id or check-in code.
    WalkIn {
        vacancy_id: String,
        candidate: Candidate,
    },
}

/// A report, checked.
#[derive(Debug, Clone)]
pub struct Report {
    pub target: Target,
    pub start_date: NaiveDate,
    pub salary_idr: i64,
    pub contract_type: ContractType,
    pub occupation_code: String,
}

impl NewPlacement {
    /// The report, or 422 naming every invalid field.
    pub fn check(self) -> AppResult<Report> {
        let mut c = Checker::new();
        let application_id = self
            .application_id
            .map(|raw| crate::validate::uuid(&mut c, "application_id", raw));
        let vacancy_id = self
            .vacancy_id
            .map(|raw| crate::validate::uuid(&mut c, "vacancy_id", raw));
        let job_seeker_id = self
            .job_seeker_id
            .map(|raw| crate::validate::uuid(&mut c, "job_seeker_id", raw));
        let check_in_code = self.check_in_code.map(|raw| raw.trim().to_owned());
        if let Some(code) = &check_in_code {
            c.check(!code.is_empty(), "check_in_code", "must not be empty");
        }
        if job_seeker_id.is_some() && check_in_code.is_some() {
            for field in ["job_seeker_id", "check_in_code"] {
                c.fail(field, "give job_seeker_id or check_in_code, not both");
            }
        }
        let candidate = match (job_seeker_id, check_in_code) {
            (Some(id), _) => Some(Candidate::Id(id)),
            (None, Some(code)) => Some(Candidate::CheckInCode(code)),
            (None, None) => None,
        };
        let target = match (application_id, vacancy_id, candidate) {
            (Some(id), None, None) => Target::Application(id),
            (Some(id), _, _) => {
                c.fail(
                    "application_id",
                    "give either application_id, or vacancy_id and job_seeker_id (or check_in_code), not both",
                );
                Target::Application(id)
            }
            (None, None, None) => {
                c.fail(
                    "application_id",
                    "is required (or vacancy_id and job_seeker_id or check_in_code for a job seeker who did not apply)",
                );
                Target::Application(String::new())
            }
            (None, vacancy_id, candidate) => {
                if candidate.is_none() {
                    c.fail(
                        "job_seeker_id",
                        "job_seeker_id or check_in_code is required with vacancy_id",
                    );
                }
                Target::WalkIn {
                    vacancy_id: c.required("vacancy_id", vacancy_id),
                    candidate: candidate.unwrap_or_else(|| Candidate::Id(String::new())),
                }
            }
        };
        let start_date = c.required("start_date", self.start_date);
        if !c.failed("start_date") {
            c.date_in_range("start_date", start_date);
        }
        let salary_idr = c.required("salary_idr", self.salary_idr);
        if !c.failed("salary_idr") {
            c.range("salary_idr", salary_idr, 0, MAX_MONEY_IDR);
        }
        let contract_type = c.required("contract_type", self.contract_type);
        let occupation_code = c
            .required("occupation_code", self.occupation_code)
            .trim()
            .to_owned();
        crate::occupations::check(&mut c, "occupation_code", &occupation_code);
        c.finish()?;
        Ok(Report {
            target,
            start_date,
            salary_idr,
            contract_type,
            occupation_code,
        })
    }
}

impl Report {
    /// The request as validated, for its idempotency key: a retry must match it.
    fn fingerprint(&self) -> String {
        let target = match &self.target {
            Target::Application(id) => json!({"application_id": id}),
            Target::WalkIn {
                vacancy_id,
                candidate: Candidate::Id(job_seeker_id),
            } => json!({"vacancy_id": vacancy_id, "job_seeker_id": job_seeker_id}),
            Target::WalkIn {
                vacancy_id,
                candidate: Candidate::CheckInCode(code),
            } => json!({
                "vacancy_id": vacancy_id,
                "check_in_code": crate::registrations::codes::normalize_code(code),
            }),
        };
        idempotency::fingerprint(&json!([
            target,
            self.start_date.to_string(),
            self.salary_idr,
            self.contract_type.as_str(),
            self.occupation_code,
        ]))
    }
}

/// What a report answers: a new placement, or the stored first answer to the same key.
#[derive(Debug)]
pub enum Reported {
    New(Box<PlacementView>),
    Replayed(Stored),
}

/// Reports a hire, for members of the vacancy's employer and admins (403 otherwise), at an event
/// that takes outcomes: from an open application, which becomes `hired`; or for a job seeker at
/// a vacancy, through their application if they have one, else for a job seeker who checked in,
/// whose application is made `hired` in the same transaction. The job seeker, when they have an
/// address, is emailed a confirmation link (under `public_url`). Audited as `placement.report`.
///
/// With an idempotency `key`, the first successful answer is stored in the report's transaction
/// and a retry with the same key and request gets it back instead of reporting twice. A report
/// that lost the race for its application is 409 `already_placed` naming the winner.
pub fn report(
    conn: &mut DbConn,
    caller: &AuthUser,
    report: &Report,
    key: Option<&Key>,
    public_url: &str,
) -> AppResult<Reported> {
    let request_hash = report.fingerprint();
    let attempt: AppResult<Reported> = write_transaction(conn, |conn| {
        if let Some(key) = key {
            if let Some(answer) = idempotency::begin(conn, &caller.id, key, &request_hash)? {
                return Ok(Reported::Replayed(answer));
            }
        }
        let (view, audit_changes) = report_in(conn, caller, report)?;
        if view.placement.status == PlacementStatus::Reported {
            super::notices::queue_confirmation_request(conn, &view.placement, public_url, now())?;
        }
        if let Some(key) = key {
            let body = serde_json::to_string(&view).map_err(AppError::internal)?;
            idempotency::store(conn, &caller.id, key, 201, &body)?;
        }
        audit::record(
            conn,
            Some(&caller.id),
            Change {
                action: "placement.report",
                entity: "placement",
                entity_id: &view.placement.id,
                event_id: Some(&view.placement.event_id),
                changes: audit_changes,
            },
        )?;
        Ok(Reported::New(Box::new(view)))
    });
    match (attempt, key) {
        // The concurrent request with the key committed first: answer as it did.
        (Err(error), Some(key)) if error.code == idempotency::KEY_RACE => {
            idempotency::after_race(conn, &caller.id, key, &request_hash, error)
                .map(Reported::Replayed)
        }
        // Lost the race for the application: name the placement that won.
        // (For a walk-in, the race is lost on the application the winner made.)
        (Err(error), _)
            if matches!(&*error.code, "already_placed" | "already_applied")
                && error.details.is_empty() =>
        {
            let application_id = match &report.target {
                Target::Application(id) => Some(id.clone()),
                Target::WalkIn {
                    vacancy_id,
                    candidate,
                } => match walk_in_job_seeker(conn, vacancy_id, candidate)? {
                    Some(job_seeker_id) => {
                        applications::existing(conn, vacancy_id, &job_seeker_id)?
                    }
                    None => None,
                },
            };
            let Some(application_id) = application_id else {
                return Err(error);
            };
            let winner: Option<String> = placements::table
                .filter(placements::application_id.eq(application_id))
                .select(placements::id)
                .first(conn)
                .optional()?;
            Err(winner.map_or(error, |id| already_placed(&id)))
        }
        (attempt, _) => attempt,
    }
}

/// 409 `already_placed`, with the existing placement's id in `details` (`placement_id`).
fn already_placed(existing_id: &str) -> AppError {
    AppError::conflict(
        "already_placed",
        "a placement has already been reported for this application",
    )
    .with_details(vec![FieldError::new("placement_id", existing_id)])
}

/// The job seeker a walk-in report names, if the vacancy and candidate resolve (for naming the
/// winner of a race).
fn walk_in_job_seeker(
    conn: &mut DbConn,
    vacancy_id: &str,
    candidate: &Candidate,
) -> AppResult<Option<String>> {
    let Some(vacancy) = crate::vacancies::find(conn, vacancy_id)? else {
        return Ok(None);
    };
    Ok(candidate.resolve(conn, &vacancy.event_id).ok())
}

/// Whether the job seeker checked in at the event.
fn checked_in(conn: &mut DbConn, event_id: &str, job_seeker_id: &str) -> AppResult<bool> {
    Ok(
        crate::registrations::find_for(conn, event_id, job_seeker_id)?
            .is_some_and(|r| r.checked_in_at.is_some()),
    )
}

/// The rules of a report, in a write transaction: returns the new placement and what the audit
/// record says of it.
fn report_in(
    conn: &mut DbConn,
    caller: &AuthUser,
    report: &Report,
) -> AppResult<(PlacementView, serde_json::Value)> {
    // What is reported: an application, or a job seeker at a vacancy.
    let (vacancy_id, application) = match &report.target {
        Target::Application(id) => {
            let (vacancy_id, job_seeker_id, status) = applications::status_of(conn, id)?
                .ok_or_else(|| {
                    AppError::invalid_field("application_id", "no application has this id")
                })?;
            (vacancy_id, Some((id.clone(), job_seeker_id, status)))
        }
        Target::WalkIn { vacancy_id, .. } => (vacancy_id.clone(), None),
    };
    let vacancy = crate::vacancies::find(conn, &vacancy_id)?
        .ok_or_else(|| AppError::invalid_field("vacancy_id", "no vacancy has this id"))?;
    if !caller.is_admin() && guards::membership(conn, caller, &vacancy.organization_id)?.is_none() {
        return Err(AppError::forbidden(
            "only members of the vacancy's employer may report its hires",
        ));
    }
    let event = crate::events::find(conn, &vacancy.event_id)?
        .ok_or_else(|| AppError::internal(format!("vacancy {} has no event", vacancy.id)))?;
    if !event.status.takes_outcomes() {
        return Err(AppError::conflict(
            "event_not_open",
            format!("a {} event takes no placements", event.status),
        ));
    }
    let at = now();
    // The application the hire comes from: (id, job seeker, status before, made now).
    let (application_id, job_seeker_id, from, created) = match application {
        Some((id, job_seeker_id, status)) => (id, job_seeker_id, status, false),
        None => {
            let Target::WalkIn { candidate, .. } = &report.target else {
                unreachable!("an application target has an application")
            };
            let job_seeker_id = &candidate.resolve(conn, &event.id)?;
            // One who did apply after all: the hire is that application's.
            if let Some(id) = applications::existing(conn, &vacancy.id, job_seeker_id)? {
                let (_, _, status) = applications::status_of(conn, &id)?
                    .ok_or_else(|| AppError::internal("the application is gone"))?;
                (id, job_seeker_id.clone(), status, false)
            } else {
                if !checked_in(conn, &event.id, job_seeker_id)? {
                    return Err(AppError::conflict(
                        "not_checked_in",
                        "a hire without an application is reported for a job seeker who checked in at the event",
                    ));
                }
                let inserted = applications::insert(
                    conn,
                    &event.id,
                    &vacancy.id,
                    job_seeker_id,
                    &caller.id,
                    at,
                )?;
                let Some(id) = inserted else {
                    return Err(AppError::conflict(
                        "already_applied",
                        "an application for this job seeker and vacancy was made meanwhile; report it by application_id",
                    ));
                };
                (id, job_seeker_id.clone(), ApplicationStatus::Applied, true)
            }
        }
    };
    let existing: Option<String> = placements::table
        .filter(placements::application_id.eq(&application_id))
        .filter(placements::status.ne(PlacementStatus::Retracted))
        .select(placements::id)
        .first(conn)
        .optional()?;
    if let Some(existing) = existing {
        return Err(already_placed(&existing));
    }
    if !from.is_open() {
        return Err(applications::application_closed(from));
    }

    // The anti-gaming flags.
    let verified_for_vacancy: i64 = placements::table
        .filter(placements::vacancy_id.eq(&vacancy.id))
        .filter(placements::status.eq_any(PlacementStatus::VERIFIED))
        .count()
        .get_result(conn)?;
    let other_active_starts: Vec<NaiveDate> = placements::table
        .filter(placements::job_seeker_id.eq(&job_seeker_id))
        .filter(placements::status.ne(PlacementStatus::Retracted))
        .select(placements::start_date)
        .load(conn)?;
    let facts = FlagFacts {
        start_date: report.start_date,
        event_first_day: super::local_date(event.starts_at, &event.province_code),
        event_last_day: super::local_date(event.ends_at, &event.province_code),
        checked_in: checked_in(conn, &event.id, &job_seeker_id)?,
        verified_for_vacancy,
        openings: vacancy.openings,
        other_active_starts,
    };
    let flags: Vec<&str> = super::compute_flags(&facts)
        .into_iter()
        .map(|flag| flag.as_str())
        .collect();
    let flags_json = serde_json::to_string(&flags).map_err(AppError::internal)?;

    let id = new_id();
    let inserted = diesel::insert_into(placements::table)
        .values((
            placements::id.eq(&id),
            placements::application_id.eq(&application_id),
            placements::vacancy_id.eq(&vacancy.id),
            placements::event_id.eq(&event.id),
            placements::job_seeker_id.eq(&job_seeker_id),
            placements::employer_id.eq(&vacancy.organization_id),
            placements::status.eq(PlacementStatus::Reported),
            placements::start_date.eq(report.start_date),
            placements::salary_idr.eq(report.salary_idr),
            placements::contract_type.eq(report.contract_type),
            placements::occupation_code.eq(&report.occupation_code),
            placements::flags.eq(&flags_json),
            placements::reported_by.eq(&caller.id),
            placements::reported_at.eq(at),
            placements::updated_at.eq(at),
        ))
        .execute(conn);
    match inserted {
        // Without details: `report` names the winner once the transaction is rolled back.
        Err(e) if is_unique_violation(&e) => {
            return Err(AppError::conflict(
                "already_placed",
                "a placement has already been reported for this application",
            ))
        }
        other => other?,
    };
    applications::hire(conn, &application_id, from, at, &caller.id)?;
    crate::metrics::tally::placements_changed(conn, &event.id)?;
    let row = super::find_row(conn, &id)?
        .ok_or_else(|| AppError::internal("the new placement is gone"))?;
    let view = PlacementView::new(row, true);
    let changes = json!({
        "status": PlacementStatus::Reported.as_str(),
        "application_id": application_id,
        "application_created": created,
        "vacancy_id": vacancy.id,
        "job_seeker_id": job_seeker_id,
        "employer_id": vacancy.organization_id,
        "start_date": report.start_date.to_string(),
        "salary_idr": report.salary_idr,
        "contract_type": report.contract_type.as_str(),
        "occupation_code": report.occupation_code,
        "flags": flags,
    });
    Ok((view, changes))
}
