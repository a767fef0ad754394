//! `/placements`, `/placement-confirmations/{token}` and the placement lists of events,
//! organizations and the caller: report a hire, answer it, verify it, list them.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{
    Access, Action, ContractType, Decision, Flag, FlagFacts, Party, Placement, PlacementStatus,
    PlacementView, VerificationMethod, CONFIRMATION_TTL_DAYS,
};
use crate::applications::ApplicationStatus;
use crate::audit::{self, Change};
use crate::auth::tokens::{random_token, token_hash};
use crate::auth::AuthUser;
use crate::db::schema::{
    application_transitions, applications, events, idempotency_keys, job_seekers, memberships,
    organizations, placement_confirmations, placements, registrations, users, vacancies,
};
use crate::db::{is_unique_violation, new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::events::{EventStatus, MAX_MONEY_IDR};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::mail;
use crate::pagination::{self, Cursor, Page};
use crate::validate::Checker;
use crate::AppState;

const MAX_TEXT: usize = 1000;
const MAX_IDEMPOTENCY_KEY: usize = 255;
/// The error code that tells `report` a transaction lost the race for its idempotency key.
const KEY_RACE: &str = "idempotency_key_in_use";

// ---------------------------------------------------------------------------------------------
// Reporting
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewPlacement {
    application_id: Option<String>,
    vacancy_id: Option<String>,
    job_seeker_id: Option<String>,
    start_date: Option<NaiveDate>,
    salary_idr: Option<i64>,
    contract_type: Option<ContractType>,
    occupation_code: Option<String>,
}

/// What a hire is reported for.
#[derive(Debug, Clone)]
enum Target {
    Application(String),
    /// A checked-in job seeker who never applied through Bursa.
    WalkIn {
        vacancy_id: String,
        job_seeker_id: String,
    },
}

#[derive(Debug, Clone)]
struct Report {
    target: Target,
    start_date: NaiveDate,
    salary_idr: i64,
    contract_type: ContractType,
    occupation_code: String,
}

impl NewPlacement {
    fn check(self) -> AppResult<Report> {
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
        let target = match (application_id, vacancy_id, job_seeker_id) {
            (Some(id), None, None) => Target::Application(id),
            (Some(id), _, _) => {
                c.fail(
                    "application_id",
                    "give either application_id, or vacancy_id and job_seeker_id, not both",
                );
                Target::Application(id)
            }
            (None, None, None) => {
                c.fail(
                    "application_id",
                    "is required (or vacancy_id and job_seeker_id for a job seeker who did not apply)",
                );
                Target::Application(String::new())
            }
            (None, vacancy_id, job_seeker_id) => Target::WalkIn {
                vacancy_id: c.required("vacancy_id", vacancy_id),
                job_seeker_id: c.required("job_seeker_id", job_seeker_id),
            },
        };
        let start_date = c.required("start_date", self.start_date);
        if !c.failed("start_date") && !(2000..=2100).contains(&start_date.year()) {
            c.fail("start_date", "must be between 2000-01-01 and 2100-12-31");
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
        if !c.failed("occupation_code") {
            c.check(
                occupation_code.len() == 4 && occupation_code.chars().all(|ch| ch.is_ascii_digit()),
                "occupation_code",
                "must be a 4-digit KBJI code",
            );
        }
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
    /// SHA-256 of the request as validated: a retry with the same idempotency key must match it.
    fn fingerprint(&self) -> String {
        let target = match &self.target {
            Target::Application(id) => json!({"application_id": id}),
            Target::WalkIn {
                vacancy_id,
                job_seeker_id,
            } => json!({"vacancy_id": vacancy_id, "job_seeker_id": job_seeker_id}),
        };
        let text = json!([
            target,
            self.start_date.to_string(),
            self.salary_idr,
            self.contract_type.as_str(),
            self.occupation_code,
        ])
        .to_string();
        hex(&Sha256::digest(text.as_bytes()))
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The `Idempotency-Key` header: absent, or 1 to 255 visible ASCII characters (422 otherwise).
fn idempotency_key(req: &HttpRequest) -> AppResult<Option<String>> {
    let Some(value) = req.headers().get("idempotency-key") else {
        return Ok(None);
    };
    let key = value.to_str().ok().map(str::trim).filter(|k| {
        !k.is_empty() && k.len() <= MAX_IDEMPOTENCY_KEY && k.chars().all(|ch| ch.is_ascii_graphic())
    });
    match key {
        Some(key) => Ok(Some(key.to_owned())),
        None => Err(AppError::invalid_field(
            "Idempotency-Key",
            format!("must be 1 to {MAX_IDEMPOTENCY_KEY} visible ASCII characters"),
        )),
    }
}

/// What a report answers: a new placement, or the stored first answer to the same key.
enum Outcome {
    Fresh(String),
    Replay(u16, String),
}

/// The stored answer to `key`, if the key was used by this user: refused when it answered
/// another request.
fn stored_answer(
    conn: &mut DbConn,
    user_id: &str,
    key: &str,
    request_hash: &str,
) -> AppResult<Option<Outcome>> {
    let stored: Option<(String, i32, String)> = idempotency_keys::table
        .find((user_id, key))
        .select((
            idempotency_keys::request_hash,
            idempotency_keys::response_status,
            idempotency_keys::response_body,
        ))
        .first(conn)
        .optional()?;
    match stored {
        None => Ok(None),
        Some((hash, _, _)) if hash != request_hash => Err(AppError::conflict(
            "idempotency_key_reused",
            "this Idempotency-Key was used for another request; use a new key",
        )),
        Some((_, status, body)) => Ok(Some(Outcome::Replay(
            u16::try_from(status).unwrap_or(201),
            body,
        ))),
    }
}

/// Reports a hire: see `report_in`. With an `Idempotency-Key`, the first successful answer is
/// stored (in the transaction of the report) and a retry with the same key and request gets it
/// back, with `Idempotent-Replayed: true`, instead of reporting twice.
pub async fn report(
    state: web::Data<AppState>,
    caller: AuthUser,
    req: HttpRequest,
    ApiJson(body): ApiJson<NewPlacement>,
) -> AppResult<HttpResponse> {
    let report = body.check()?;
    let key = idempotency_key(&req)?;
    let request_hash = report.fingerprint();
    let public_url = state.config.mail.public_url.clone();
    let outcome = state
        .db(move |conn| {
            let attempt = write_transaction(conn, |conn| {
                if let Some(key) = &key {
                    if let Some(outcome) = stored_answer(conn, &caller.id, key, &request_hash)? {
                        return Ok(outcome);
                    }
                    // Reserve the key first: a concurrent request with it waits here, then fails.
                    let reserved = diesel::insert_into(idempotency_keys::table)
                        .values((
                            idempotency_keys::user_id.eq(&caller.id),
                            idempotency_keys::key.eq(key),
                            idempotency_keys::request_hash.eq(&request_hash),
                            idempotency_keys::response_status.eq(0),
                            idempotency_keys::response_body.eq(""),
                            idempotency_keys::created_at.eq(now()),
                        ))
                        .execute(conn);
                    match reserved {
                        Err(e) if is_unique_violation(&e) => {
                            return Err(AppError::conflict(
                                KEY_RACE,
                                "a request with this Idempotency-Key is in progress",
                            ))
                        }
                        other => other?,
                    };
                }
                let (view, audit_changes) = report_in(conn, &caller, &report)?;
                if view.placement.status == PlacementStatus::Reported.as_str() {
                    queue_confirmation_request(conn, &view.placement, &public_url, now())?;
                }
                let body = serde_json::to_string(&view).map_err(AppError::internal)?;
                if let Some(key) = &key {
                    diesel::update(idempotency_keys::table.find((&caller.id, key)))
                        .set((
                            idempotency_keys::response_status.eq(201),
                            idempotency_keys::response_body.eq(&body),
                        ))
                        .execute(conn)?;
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
                Ok(Outcome::Fresh(body))
            });
            match (attempt, &key) {
                // The concurrent request with the key committed first: answer as it did.
                (Err(error), Some(key)) if error.code == KEY_RACE => {
                    stored_answer(conn, &caller.id, key, &request_hash)?.ok_or(error)
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
                            job_seeker_id,
                        } => crate::applications::existing(conn, vacancy_id, job_seeker_id)?,
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
        })
        .await?;
    Ok(match outcome {
        Outcome::Fresh(body) => HttpResponse::Created()
            .content_type("application/json")
            .body(body),
        Outcome::Replay(status, body) => {
            HttpResponse::build(StatusCode::from_u16(status).unwrap_or(StatusCode::CREATED))
                .insert_header(("Idempotent-Replayed", "true"))
                .content_type("application/json")
                .body(body)
        }
    })
}

/// 409 `already_placed`, with the existing placement's id in `details` (`placement_id`).
fn already_placed(existing_id: &str) -> AppError {
    AppError::conflict(
        "already_placed",
        "a placement has already been reported for this application",
    )
    .with_details(vec![FieldError::new("placement_id", existing_id)])
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
            application_transitions::status.eq(status.as_str()),
            application_transitions::at.eq(at),
            application_transitions::actor_user_id.eq(actor),
        ))
        .execute(conn)
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
            let application: (String, String, String) = applications::table
                .find(id)
                .select((
                    applications::vacancy_id,
                    applications::job_seeker_id,
                    applications::status,
                ))
                .first(conn)
                .optional()?
                .ok_or_else(|| {
                    AppError::invalid_field("application_id", "no application has this id")
                })?;
            let (vacancy_id, job_seeker_id, status) = application;
            (vacancy_id, Some((id.clone(), job_seeker_id, status)))
        }
        Target::WalkIn { vacancy_id, .. } => (vacancy_id.clone(), None),
    };
    let vacancy = crate::vacancies::find(conn, &vacancy_id)?
        .ok_or_else(|| AppError::invalid_field("vacancy_id", "no vacancy has this id"))?;
    if !caller.is_admin()
        && crate::organizations::member_role(conn, &vacancy.organization_id, &caller.id)?.is_none()
    {
        return Err(AppError::forbidden(
            "only members of the vacancy's employer may report its hires",
        ));
    }
    let event = crate::events::find(conn, &vacancy.event_id)?
        .ok_or_else(|| AppError::internal(format!("vacancy {} has no event", vacancy.id)))?;
    if ![
        EventStatus::Published.as_str(),
        EventStatus::Closed.as_str(),
    ]
    .contains(&event.status.as_str())
    {
        return Err(AppError::conflict(
            "event_not_open",
            format!("a {} event takes no placements", event.status),
        ));
    }
    let checked_in = |conn: &mut DbConn, job_seeker_id: &str| -> QueryResult<bool> {
        let n: i64 = registrations::table
            .filter(registrations::event_id.eq(&event.id))
            .filter(registrations::job_seeker_id.eq(job_seeker_id))
            .filter(registrations::checked_in_at.is_not_null())
            .count()
            .get_result(conn)?;
        Ok(n > 0)
    };
    let at = now();
    // The application the hire comes from: (id, job seeker, status before, made now).
    let (application_id, job_seeker_id, from, created) = match application {
        Some((id, job_seeker_id, status)) => (id, job_seeker_id, status, false),
        None => {
            let Target::WalkIn { job_seeker_id, .. } = &report.target else {
                unreachable!("an application target has an application")
            };
            let exists = job_seekers::table
                .find(job_seeker_id)
                .select(job_seekers::id)
                .first::<String>(conn)
                .optional()?
                .is_some();
            if !exists {
                return Err(AppError::invalid_field(
                    "job_seeker_id",
                    "no job seeker has this id",
                ));
            }
            // One who did apply after all: the hire is that application's.
            if let Some(id) = crate::applications::existing(conn, &vacancy.id, job_seeker_id)? {
                let status: String = applications::table
                    .find(&id)
                    .select(applications::status)
                    .first(conn)?;
                (id, job_seeker_id.clone(), status, false)
            } else {
                if !checked_in(conn, job_seeker_id)? {
                    return Err(AppError::conflict(
                        "not_checked_in",
                        "a hire without an application is reported for a job seeker who checked in at the event",
                    ));
                }
                let inserted = crate::applications::insert(
                    conn,
                    &event.id,
                    &vacancy.id,
                    job_seeker_id,
                    ApplicationStatus::Hired,
                    &caller.id,
                    at,
                )?;
                let Some(id) = inserted else {
                    return Err(AppError::conflict(
                        "already_applied",
                        "an application for this job seeker and vacancy was made meanwhile; report it by application_id",
                    ));
                };
                record_transition(conn, &id, ApplicationStatus::Applied, at, &caller.id)?;
                (
                    id,
                    job_seeker_id.clone(),
                    ApplicationStatus::Applied.as_str().to_owned(),
                    true,
                )
            }
        }
    };
    let existing: Option<String> = placements::table
        .filter(placements::application_id.eq(&application_id))
        .filter(placements::status.ne(PlacementStatus::Retracted.as_str()))
        .select(placements::id)
        .first(conn)
        .optional()?;
    if let Some(existing) = existing {
        return Err(already_placed(&existing));
    }
    let open = ApplicationStatus::parse(&from).is_some_and(ApplicationStatus::is_open);
    if !open {
        return Err(AppError::conflict(
            "application_closed",
            format!("a {from} application cannot become a hire"),
        ));
    }

    // The anti-gaming flags.
    let verified_for_vacancy: i64 = placements::table
        .filter(placements::vacancy_id.eq(&vacancy.id))
        .filter(placements::status.eq_any([
            PlacementStatus::Confirmed.as_str(),
            PlacementStatus::Verified.as_str(),
        ]))
        .count()
        .get_result(conn)?;
    let other_active_starts: Vec<NaiveDate> = placements::table
        .filter(placements::job_seeker_id.eq(&job_seeker_id))
        .filter(placements::status.ne(PlacementStatus::Retracted.as_str()))
        .select(placements::start_date)
        .load(conn)?;
    let facts = FlagFacts {
        start_date: report.start_date,
        event_first_day: super::local_date(event.starts_at, &event.province_code),
        event_last_day: super::local_date(event.ends_at, &event.province_code),
        checked_in: checked_in(conn, &job_seeker_id)?,
        verified_for_vacancy,
        openings: vacancy.openings,
        other_active_starts,
    };
    let flags: Vec<&str> = super::compute_flags(&facts)
        .into_iter()
        .map(Flag::as_str)
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
            placements::status.eq(PlacementStatus::Reported.as_str()),
            placements::start_date.eq(report.start_date),
            placements::salary_idr.eq(report.salary_idr),
            placements::contract_type.eq(report.contract_type.as_str()),
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
    if !created {
        let updated = diesel::update(
            applications::table
                .find(&application_id)
                .filter(applications::status.eq(&from)),
        )
        .set((
            applications::status.eq(ApplicationStatus::Hired.as_str()),
            applications::updated_at.eq(at),
        ))
        .execute(conn)?;
        if updated == 0 {
            return Err(AppError::conflict(
                "invalid_transition",
                "the application changed status meanwhile; reload it",
            ));
        }
    }
    record_transition(
        conn,
        &application_id,
        ApplicationStatus::Hired,
        at,
        &caller.id,
    )?;
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

// ---------------------------------------------------------------------------------------------
// Reading and answering one placement
// ---------------------------------------------------------------------------------------------

/// The placement and how the caller stands to it: 404 when there is none, 403 when the caller is
/// no party to it.
fn find_as_party(
    conn: &mut DbConn,
    id: &str,
    caller: &AuthUser,
) -> AppResult<(super::PlacementRow, Access)> {
    let (row, access) =
        super::find_for(conn, id, caller)?.ok_or_else(|| AppError::not_found("placement"))?;
    if !access.any() {
        return Err(AppError::forbidden(
            "only the job seeker, the employer, the event's organizer and ministry staff see a placement",
        ));
    }
    Ok((row, access))
}

/// The job seeker, members of the employer and of the event's organizer, ministry staff and
/// admins. Others get 403.
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "placement")?;
    let view = state
        .db(move |conn| {
            let (row, access) = find_as_party(conn, &id, &caller)?;
            Ok(PlacementView::new(row, access.sees_flags()))
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The details an action records.
#[derive(Debug, Clone)]
enum Details {
    None,
    Reason(String),
    Verify {
        method: VerificationMethod,
        note: Option<String>,
    },
    Note(Option<String>),
}

/// Moves the placement by `action` (its status must be `from`) and returns when. 409
/// `invalid_transition` if it is no longer `from`.
fn apply(
    conn: &mut DbConn,
    id: &str,
    from: PlacementStatus,
    action: Action,
    actor: Option<&str>,
    details: &Details,
) -> AppResult<NaiveDateTime> {
    if !action.allowed_from(from) {
        return Err(invalid_transition(from, action));
    }
    let at = now();
    let to = action.to().as_str();
    let target = placements::table
        .find(id)
        .filter(placements::status.eq(from.as_str()));
    let updated = match (action, details) {
        (Action::Confirm, _) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::confirmed_at.eq(at),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (Action::Dispute, Details::Reason(reason)) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::disputed_at.eq(at),
                placements::dispute_reason.eq(reason),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (Action::Verify, Details::Verify { method, note }) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::verified_at.eq(at),
                placements::verified_by.eq(actor),
                placements::verification_method.eq(method.as_str()),
                placements::verification_note.eq(note),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (Action::Retract | Action::Reject, Details::Note(note)) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::retracted_at.eq(at),
                placements::retracted_by.eq(actor),
                placements::retraction_note.eq(note),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (action, details) => {
            return Err(AppError::internal(format!(
                "{action:?} does not take {details:?}"
            )))
        }
    };
    if updated == 0 {
        return Err(AppError::conflict(
            "invalid_transition",
            "the placement changed status meanwhile; reload it",
        ));
    }
    if matches!(action, Action::Retract | Action::Reject) {
        reopen_application(conn, id, at, actor)?;
    }
    let event_id: String = placements::table
        .find(id)
        .select(placements::event_id)
        .first(conn)?;
    crate::metrics::tally::placements_changed(conn, &event_id)?;
    Ok(at)
}

/// A retracted hire hands its application back to the stage it had reached before `hired`
/// (recorded in its history), so the employer may move it on or report the hire again.
fn reopen_application(
    conn: &mut DbConn,
    placement_id: &str,
    at: NaiveDateTime,
    actor: Option<&str>,
) -> AppResult<()> {
    let (application_id, reporter): (String, String) = placements::table
        .find(placement_id)
        .select((placements::application_id, placements::reported_by))
        .first(conn)?;
    let before: String = application_transitions::table
        .filter(application_transitions::application_id.eq(&application_id))
        .filter(application_transitions::status.ne(ApplicationStatus::Hired.as_str()))
        .order((
            application_transitions::at.desc(),
            application_transitions::id.desc(),
        ))
        .select(application_transitions::status)
        .first(conn)
        .optional()?
        .unwrap_or_else(|| ApplicationStatus::Applied.as_str().to_owned());
    let status = ApplicationStatus::parse(&before).unwrap_or(ApplicationStatus::Applied);
    diesel::update(
        applications::table
            .find(&application_id)
            .filter(applications::status.eq(ApplicationStatus::Hired.as_str())),
    )
    .set((
        applications::status.eq(status.as_str()),
        applications::updated_at.eq(at),
    ))
    .execute(conn)?;
    record_transition(
        conn,
        &application_id,
        status,
        at,
        actor.unwrap_or(&reporter),
    )?;
    Ok(())
}

fn invalid_transition(from: PlacementStatus, action: Action) -> AppError {
    AppError::conflict(
        "invalid_transition",
        format!(
            "a {} placement cannot become {}",
            from.as_str(),
            action.to().as_str()
        ),
    )
}

/// What the audit record of an action says: the move, the method; never free text (a reason or
/// a note could hold anything, a NIK included; it stays on the placement).
fn action_changes(
    from: PlacementStatus,
    action: Action,
    details: &Details,
    via: &str,
) -> serde_json::Value {
    let mut changes = json!({"from": from.as_str(), "to": action.to().as_str(), "via": via});
    if let Details::Verify { method, .. } = details {
        changes["method"] = json!(method.as_str());
    }
    changes
}

/// An action by a signed-in party (see [`Action::party`]): 404 for an unknown placement, 403
/// for a caller who is not that party, 409 `invalid_transition` from the wrong status.
async fn act(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    action: Action,
    details: Details,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "placement")?;
    let public_url = state.config.mail.public_url.clone();
    let view = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let ((placement, _, _), access) = find_as_party(conn, &id, &caller)?;
                if !access.is(action.party()) {
                    return Err(AppError::forbidden(match action.party() {
                        Party::JobSeeker => "only the job seeker confirms or disputes a placement",
                        Party::Employer => "only members of the employer retract a placement",
                        Party::Staff => {
                            "only the event's organizer and ministry staff verify or reject a placement"
                        }
                    }));
                }
                let from = placement.status()?;
                apply(conn, &id, from, action, Some(&caller.id), &details)?;
                if let (Action::Dispute, Details::Reason(reason)) = (action, &details) {
                    queue_dispute_notice(conn, &id, reason, &public_url, now())?;
                }
                let row = super::find_row(conn, &id)?
                    .ok_or_else(|| AppError::internal("the placement is gone"))?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    Change {
                        action: action.audit_name(),
                        entity: "placement",
                        entity_id: &id,
                        event_id: Some(&placement.event_id),
                        changes: action_changes(from, action, &details, "api"),
                    },
                )?;
                Ok(PlacementView::new(row, access.sees_flags()))
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(view))
}

/// The job seeker confirms: `reported` → `confirmed`.
pub async fn confirm(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    act(state, caller, id, Action::Confirm, Details::None).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DisputeBody {
    reason: Option<String>,
}

/// The job seeker disputes: `reported` → `disputed`, with a reason.
pub async fn dispute(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<DisputeBody>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let reason = c.required_multiline_text("reason", body.reason, 1, MAX_TEXT);
    c.finish()?;
    act(state, caller, id, Action::Dispute, Details::Reason(reason)).await
}

/// The employer withdraws a report not yet answered: `reported` → `retracted`.
pub async fn retract(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    act(state, caller, id, Action::Retract, Details::Note(None)).await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerifyBody {
    method: Option<VerificationMethod>,
    note: Option<String>,
}

/// Staff verify: `reported`, `disputed` or `confirmed` → `verified`.
pub async fn verify(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<VerifyBody>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let method = c.required("method", body.method);
    let note = c.optional_multiline_text("note", body.note, MAX_TEXT);
    c.finish()?;
    act(
        state,
        caller,
        id,
        Action::Verify,
        Details::Verify { method, note },
    )
    .await
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RejectBody {
    note: Option<String>,
}

/// Staff reject: `reported` or `disputed` → `retracted`, with a note saying why.
pub async fn reject(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<RejectBody>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let note = c.required_multiline_text("note", body.note, 1, MAX_TEXT);
    c.finish()?;
    act(state, caller, id, Action::Reject, Details::Note(Some(note))).await
}

// ---------------------------------------------------------------------------------------------
// Confirmation links
// ---------------------------------------------------------------------------------------------

#[derive(Serialize)]
struct IssuedLink {
    placement_id: String,
    token: String,
    url: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    expires_at: NaiveDateTime,
}

fn link_path(token: &str) -> String {
    format!("/api/v1/placement-confirmations/{token}")
}

/// Stores a new single-use confirmation link of the placement, valid
/// [`CONFIRMATION_TTL_DAYS`]; earlier links not used yet stop working. Returns the token (only
/// its hash is kept) and when it expires.
fn issue_link(
    conn: &mut DbConn,
    placement_id: &str,
    at: NaiveDateTime,
) -> QueryResult<(String, NaiveDateTime)> {
    diesel::update(
        placement_confirmations::table
            .filter(placement_confirmations::placement_id.eq(placement_id))
            .filter(placement_confirmations::used_at.is_null())
            .filter(placement_confirmations::expires_at.gt(at)),
    )
    .set(placement_confirmations::expires_at.eq(at))
    .execute(conn)?;
    let token = random_token();
    let expires_at = at + Duration::days(CONFIRMATION_TTL_DAYS);
    diesel::insert_into(placement_confirmations::table)
        .values((
            placement_confirmations::token_hash.eq(token_hash(&token)),
            placement_confirmations::placement_id.eq(placement_id),
            placement_confirmations::created_at.eq(at),
            placement_confirmations::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok((token, expires_at))
}

/// Emails the job seeker of a `reported` placement its confirm / dispute link, when they have
/// an address. Run it in the report's transaction: the link and the email exist only if the
/// report does. The employer never sees the link.
fn queue_confirmation_request(
    conn: &mut DbConn,
    placement: &Placement,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Some(contact) = mail::recipients::job_seeker(conn, &placement.job_seeker_id)? else {
        return Ok(());
    };
    let (token, _) = issue_link(conn, &placement.id, at)?;
    let claim = usable_claim(conn, &token, at)?;
    let email = mail::render::hire_confirmation(
        &contact.email,
        &contact.name,
        contact.language,
        &mail::render::Hire {
            employer: &claim.employer_name,
            position: &claim.position,
            start_date: claim.start_date,
            event_title: &claim.event_title,
            expires_on: claim.expires_at.date(),
        },
        &format!("{public_url}{}", link_path(&token)),
    );
    mail::enqueue(conn, &email, at)?;
    Ok(())
}

/// Tells the members of the event's organizer, by email, that the job seeker disputed the
/// hire, with the reason. Run it in the dispute's transaction.
fn queue_dispute_notice(
    conn: &mut DbConn,
    placement_id: &str,
    reason: &str,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let (organization_id, event_title, employer, position, job_seeker, start_date): (
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
    ) = placements::table
        .inner_join(vacancies::table)
        .inner_join(organizations::table)
        .inner_join(events::table)
        .inner_join(job_seekers::table)
        .filter(placements::id.eq(placement_id))
        .select((
            events::organization_id,
            events::title,
            organizations::name,
            vacancies::title,
            job_seekers::full_name,
            placements::start_date,
        ))
        .first(conn)?;
    let organizers: Vec<(String, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(&organization_id))
        .filter(users::disabled_at.is_null())
        .select((users::email, users::full_name, users::language))
        .load(conn)?;
    let link = format!("{public_url}/api/v1/placements/{placement_id}");
    for (email, name, language) in organizers {
        let notice = mail::render::dispute_notice(
            &email,
            &name,
            crate::users::Language::parse(&language),
            &mail::render::Dispute {
                event_title: &event_title,
                employer: &employer,
                position: &position,
                job_seeker: &job_seeker,
                start_date,
                reason,
            },
            &link,
        );
        mail::enqueue(conn, &notice, at)?;
    }
    Ok(())
}

/// Issues a single-use confirmation link for a `reported` placement, for members of the event's
/// organizer and admins to send to the job seeker. Links issued before and not used stop
/// working. The token is shown only here: only its hash is kept.
pub async fn confirmation_link(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "placement")?;
    let issued = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let ((placement, _, _), access) = find_as_party(conn, &id, &caller)?;
                if !(access.organizer || caller.is_admin()) {
                    return Err(AppError::forbidden(
                        "only members of the event's organizer issue confirmation links",
                    ));
                }
                let status = placement.status()?;
                if status != PlacementStatus::Reported {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        format!("a {} placement takes no confirmation", status.as_str()),
                    ));
                }
                let (token, expires_at) = issue_link(conn, &id, now())?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    Change {
                        action: "placement.issue_confirmation_link",
                        entity: "placement",
                        entity_id: &id,
                        event_id: Some(&placement.event_id),
                        changes: json!({"expires_at": expires_at.and_utc()}),
                    },
                )?;
                Ok(IssuedLink {
                    placement_id: id,
                    url: link_path(&token),
                    token,
                    expires_at,
                })
            })
        })
        .await?;
    Ok(HttpResponse::Created().json(issued))
}

/// What a confirmation link shows: the claim, never any part of a NIK.
#[derive(Serialize, Queryable)]
struct Claim {
    placement_id: String,
    status: String,
    employer_name: String,
    position: String,
    occupation_code: String,
    contract_type: String,
    salary_idr: i64,
    start_date: NaiveDate,
    event_title: String,
    job_seeker_name: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    expires_at: NaiveDateTime,
}

fn gone(code: &'static str, message: &str) -> AppError {
    AppError::new(StatusCode::GONE, code, message)
}

/// The claim behind a usable link: 404 for an unknown token, 410 for a used (`link_used`),
/// expired or superseded (`link_expired`) link, or one whose placement was answered or
/// withdrawn meanwhile (`link_closed`).
fn usable_claim(conn: &mut DbConn, token: &str, at: NaiveDateTime) -> AppResult<Claim> {
    let found: Option<(Claim, Option<NaiveDateTime>)> = placement_confirmations::table
        .inner_join(
            placements::table
                .inner_join(vacancies::table)
                .inner_join(organizations::table)
                .inner_join(events::table)
                .inner_join(job_seekers::table),
        )
        .filter(placement_confirmations::token_hash.eq(token_hash(token)))
        .select((
            (
                placements::id,
                placements::status,
                organizations::name,
                vacancies::title,
                placements::occupation_code,
                placements::contract_type,
                placements::salary_idr,
                placements::start_date,
                events::title,
                job_seekers::full_name,
                placement_confirmations::expires_at,
            ),
            placement_confirmations::used_at,
        ))
        .first(conn)
        .optional()?;
    let (claim, used_at) = found.ok_or_else(|| AppError::not_found("confirmation link"))?;
    if used_at.is_some() {
        return Err(gone("link_used", "this confirmation link has been used"));
    }
    if claim.expires_at <= at {
        return Err(gone(
            "link_expired",
            "this confirmation link has expired; ask the organizer for a new one",
        ));
    }
    if claim.status != PlacementStatus::Reported.as_str() {
        return Err(gone(
            "link_closed",
            "this placement has been answered or withdrawn already",
        ));
    }
    Ok(claim)
}

/// Anyone holding the link: what is claimed.
pub async fn show_claim(
    state: web::Data<AppState>,
    token: web::Path<String>,
) -> AppResult<HttpResponse> {
    let token = token.into_inner();
    let claim = state
        .db(move |conn| usable_claim(conn, &token, now()))
        .await?;
    Ok(HttpResponse::Ok().json(claim))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    decision: Option<Decision>,
    reason: Option<String>,
}

/// Anyone holding the link answers once: `confirm`, or `dispute` with a reason.
pub async fn answer_claim(
    state: web::Data<AppState>,
    token: web::Path<String>,
    ApiJson(body): ApiJson<Answer>,
) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let decision = c.required("decision", body.decision);
    let details = match decision {
        Decision::Confirm => {
            c.check(
                body.reason.is_none(),
                "reason",
                "only a dispute takes a reason",
            );
            Details::None
        }
        Decision::Dispute => {
            Details::Reason(c.required_multiline_text("reason", body.reason, 1, MAX_TEXT))
        }
    };
    c.finish()?;
    let action = match decision {
        Decision::Confirm => Action::Confirm,
        Decision::Dispute => Action::Dispute,
    };
    let public_url = state.config.mail.public_url.clone();
    let token = token.into_inner();
    let claim = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let at = now();
                let mut claim = usable_claim(conn, &token, at)?;
                // Take the link first: of two concurrent answers, one finds it used.
                let taken = diesel::update(
                    placement_confirmations::table
                        .find(token_hash(&token))
                        .filter(placement_confirmations::used_at.is_null()),
                )
                .set(placement_confirmations::used_at.eq(at))
                .execute(conn)?;
                if taken == 0 {
                    return Err(gone("link_used", "this confirmation link has been used"));
                }
                let from = PlacementStatus::Reported;
                match apply(conn, &claim.placement_id, from, action, None, &details) {
                    Err(e) if e.code == "invalid_transition" => {
                        return Err(gone(
                            "link_closed",
                            "this placement has been answered or withdrawn already",
                        ))
                    }
                    other => other?,
                };
                if let (Action::Dispute, Details::Reason(reason)) = (action, &details) {
                    queue_dispute_notice(conn, &claim.placement_id, reason, &public_url, at)?;
                }
                let event_id: String = placements::table
                    .find(&claim.placement_id)
                    .select(placements::event_id)
                    .first(conn)?;
                audit::record(
                    conn,
                    None,
                    Change {
                        action: action.audit_name(),
                        entity: "placement",
                        entity_id: &claim.placement_id,
                        event_id: Some(&event_id),
                        changes: action_changes(from, action, &details, "confirmation_link"),
                    },
                )?;
                claim.status = action.to().as_str().to_owned();
                Ok(claim)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(claim))
}

// ---------------------------------------------------------------------------------------------
// Lists
// ---------------------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<PlacementStatus>,
    flag: Option<Flag>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// Whose placements a list holds.
enum Scope {
    Event(String),
    Employer(String),
    /// The job seeker profile of this account.
    Account(String),
}

/// A page of placements, oldest report first.
fn page(
    conn: &mut DbConn,
    scope: Scope,
    query: &ListQuery,
    show_flags: bool,
) -> AppResult<Page<PlacementView>> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let mut q = placements::table
        .inner_join(vacancies::table)
        .inner_join(organizations::table)
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
        ))
        .into_boxed();
    q = match scope {
        Scope::Event(id) => q.filter(placements::event_id.eq(id)),
        Scope::Employer(id) => q.filter(placements::employer_id.eq(id)),
        Scope::Account(user_id) => q.filter(
            placements::job_seeker_id.eq_any(
                job_seekers::table
                    .filter(job_seekers::user_id.eq(user_id))
                    .select(job_seekers::id),
            ),
        ),
    };
    if let Some(status) = query.status {
        q = q.filter(placements::status.eq(status.as_str()));
    }
    if let Some(flag) = query.flag {
        q = q.filter(placements::flags.like(format!("%\"{}\"%", flag.as_str())));
    }
    if let Some(after) = after {
        q = q.filter(placements::id.gt(after.id));
    }
    let rows: Vec<super::PlacementRow> =
        q.order(placements::id.asc()).limit(limit + 1).load(conn)?;
    Ok(Page::from_rows(rows, limit, |row: &super::PlacementRow| {
        Cursor::new("", row.0.id.clone())
    })
    .map(|row| PlacementView::new(row, show_flags)))
}

/// The placements of an event, for members of its organizer, ministry staff and admins (others
/// who may see the event get 403); filters `status` and `flag`.
pub async fn list_for_event(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    pagination::limit(query.limit)?;
    pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            event_for_staff(conn, &event_id, &caller)?;
            page(conn, Scope::Event(event_id), &query, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The event if `caller` may list its placements: members of the organization that runs it,
/// ministry staff and admins. An event the caller may not see is 404; one they may see, 403.
pub fn event_for_staff(
    conn: &mut DbConn,
    event_id: &str,
    caller: &AuthUser,
) -> AppResult<crate::events::Event> {
    let event = crate::events::find_visible(conn, event_id, Some(caller))?
        .ok_or_else(|| AppError::not_found("event"))?;
    if !caller.role.reads_everything()
        && crate::organizations::member_role(conn, &event.organization_id, &caller.id)?.is_none()
    {
        return Err(AppError::forbidden(
            "only the event's organizer and ministry staff list its placements",
        ));
    }
    Ok(event)
}

/// The placements an employer reported, for its members, ministry staff and admins.
pub async fn list_for_organization(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let organization_id = path_id(&id, "organization")?;
    pagination::limit(query.limit)?;
    pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            crate::organizations::find(conn, &organization_id)?
                .ok_or_else(|| AppError::not_found("organization"))?;
            if !caller.role.reads_everything() {
                crate::organizations::require_member(conn, &caller, &organization_id, false)?;
            }
            page(conn, Scope::Employer(organization_id), &query, true)
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The caller's own placements (those of their job seeker profile; none without one), without
/// flags.
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    pagination::limit(query.limit)?;
    pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| page(conn, Scope::Account(caller.id), &query, false))
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
