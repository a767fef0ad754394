//! `/vacancies/{id}/applications`, `/applications/{id}` and `/me/applications`: apply, move an
//! application through the pipeline, read it with its history, and list applications.

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;

use super::{
    Applicant, ApplicantView, Application, ApplicationStatus, ApplicationSummary, ApplicationView,
    Mover,
};
use crate::audit;
use crate::auth::{AuthUser, Role};
use crate::db::schema::{
    application_transitions, applications, job_seekers, memberships, registrations, vacancies,
};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{self, Event, EventStatus};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::pagination::{self, Cursor, Page};
use crate::vacancies::Vacancy;
use crate::validate::Checker;
use crate::AppState;

/// A vacancy with its event, if `caller` may see it: vacancies are visible where their event is.
fn find_visible_vacancy(
    conn: &mut DbConn,
    id: &str,
    caller: &AuthUser,
) -> AppResult<(Vacancy, Event)> {
    let vacancy =
        crate::vacancies::find(conn, id)?.ok_or_else(|| AppError::not_found("vacancy"))?;
    let event = events::find_visible(conn, &vacancy.event_id, Some(caller))?
        .ok_or_else(|| AppError::not_found("vacancy"))?;
    Ok((vacancy, event))
}

/// The summary of an application with its history, for a caller allowed to read it.
fn view(conn: &mut DbConn, summary: ApplicationSummary) -> AppResult<ApplicationView> {
    let history = super::history(conn, &summary.application.id)?;
    Ok(ApplicationView { summary, history })
}

fn find_view(conn: &mut DbConn, id: &str, caller: &AuthUser) -> AppResult<ApplicationView> {
    let found =
        super::find_for(conn, id, caller)?.ok_or_else(|| AppError::not_found("application"))?;
    view(conn, found.summary)
}

/// Appends a status to an application's history.
fn record(
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewApplication {
    job_seeker_id: Option<String>,
}

/// A job seeker applies (for themself: `job_seeker_id` may be left out), or a member of the
/// vacancy's employer (or an admin) records a candidate met at the booth. See `apply_in`.
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewApplication>,
) -> AppResult<HttpResponse> {
    let vacancy_id = path_id(&id, "vacancy")?;
    let mut c = Checker::new();
    let job_seeker_id = body
        .job_seeker_id
        .map(|raw| crate::validate::uuid(&mut c, "job_seeker_id", raw));
    c.finish()?;
    let application = state
        .db(move |conn| {
            let applied = write_transaction(conn, |conn| {
                apply_in(conn, &caller, &vacancy_id, job_seeker_id.as_deref())
            });
            match applied {
                Ok(id) => find_view(conn, &id, &caller),
                // The insert lost a race to an identical one (the UNIQUE constraint said so, and
                // the transaction was rolled back): name the application that won.
                Err(error) if error.code == "already_applied" && error.details.is_empty() => {
                    let job_seeker_id = match job_seeker_id {
                        Some(id) => Some(id),
                        None => crate::job_seekers::find_by_user(conn, &caller.id)?.map(|p| p.id),
                    };
                    let existing = match job_seeker_id {
                        Some(id) => super::existing(conn, &vacancy_id, &id)?,
                        None => None,
                    };
                    Err(existing.map_or(error, |id| super::already_applied(&id)))
                }
                Err(error) => Err(error),
            }
        })
        .await?;
    Ok(HttpResponse::Created().json(application))
}

/// The rules of a new application, in a write transaction; returns the new id.
fn apply_in(
    conn: &mut DbConn,
    caller: &AuthUser,
    vacancy_id: &str,
    given: Option<&str>,
) -> AppResult<String> {
    let (vacancy, event) = find_visible_vacancy(conn, vacancy_id, caller)?;
    // Who applies: the job seeker themself, or the employer recording a candidate.
    let (job_seeker_id, by_employer) = if caller.role == Role::JobSeeker {
        let profile = crate::job_seekers::find_by_user(conn, &caller.id)?.ok_or_else(|| {
            AppError::conflict(
                "profile_required",
                "create your job seeker profile before applying",
            )
        })?;
        if given.is_some_and(|id| id != profile.id) {
            return Err(AppError::forbidden(
                "a job seeker applies only for themself",
            ));
        }
        (profile.id, false)
    } else {
        let is_employer = caller.is_admin()
            || crate::organizations::member_role(conn, &vacancy.organization_id, &caller.id)?
                .is_some();
        if !is_employer {
            return Err(AppError::forbidden(
                "only job seekers, and members of the vacancy's employer recording a candidate, may apply",
            ));
        }
        let Some(id) = given else {
            return Err(AppError::invalid_field(
                "job_seeker_id",
                "is required when recording a candidate",
            ));
        };
        let exists = job_seekers::table
            .find(id)
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
        (id.to_owned(), true)
    };
    if let Some(existing) = super::existing(conn, vacancy_id, &job_seeker_id)? {
        return Err(super::already_applied(&existing));
    }
    if ![
        EventStatus::Published.as_str(),
        EventStatus::Closed.as_str(),
    ]
    .contains(&event.status.as_str())
    {
        return Err(AppError::conflict(
            "event_not_open",
            format!("a {} event takes no applications", event.status),
        ));
    }
    let at = now();
    if !vacancy.takes_applications(at) {
        return Err(AppError::conflict(
            "vacancy_closed",
            "the vacancy is closed to applications",
        ));
    }
    let checked_in_at: Option<Option<NaiveDateTime>> = registrations::table
        .filter(registrations::event_id.eq(&event.id))
        .filter(registrations::job_seeker_id.eq(&job_seeker_id))
        .select(registrations::checked_in_at)
        .first(conn)
        .optional()?;
    match (by_employer, checked_in_at) {
        (false, None) => {
            return Err(AppError::conflict(
                "not_registered",
                "register for the event before applying for its vacancies",
            ))
        }
        (true, None | Some(None)) => {
            return Err(AppError::conflict(
                "not_checked_in",
                "employers record candidates who have checked in at the event",
            ))
        }
        _ => {}
    }
    let inserted = super::insert(
        conn,
        &event.id,
        vacancy_id,
        &job_seeker_id,
        ApplicationStatus::Applied,
        &caller.id,
        at,
    )?;
    // Without details: `create` adds the winner's id once the transaction is rolled back.
    let Some(id) = inserted else {
        return Err(AppError::conflict(
            "already_applied",
            "this job seeker has already applied for this vacancy",
        ));
    };
    record(conn, &id, ApplicationStatus::Applied, at, &caller.id)?;
    audit::record(
        conn,
        Some(&caller.id),
        audit::Change {
            action: "application.create",
            entity: "application",
            entity_id: &id,
            event_id: Some(&event.id),
            changes: serde_json::json!({
                "vacancy_id": vacancy_id,
                "job_seeker_id": job_seeker_id,
                "status": ApplicationStatus::Applied.as_str(),
                "recorded_by_employer": by_employer,
            }),
        },
    )?;
    Ok(id)
}

/// The job seeker, members of the vacancy's employer and of the event's organizer, ministry
/// staff and admins; anyone else gets 404.
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "application")?;
    let application = state.db(move |conn| find_view(conn, &id, &caller)).await?;
    Ok(HttpResponse::Ok().json(application))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationPatch {
    status: Option<ApplicationStatus>,
}

/// Moves an application one step: see [`ApplicationStatus::can_become`] for the moves and
/// [`ApplicationStatus::mover`] for who makes them. Those who may read the application but not
/// make this move get 403; those who may not read it, 404.
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<ApplicationPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "application")?;
    let mut c = Checker::new();
    let to = c.required("status", patch.status);
    c.check(
        to != ApplicationStatus::Hired,
        "status",
        "hires are recorded by reporting a placement, not by changing the status",
    );
    c.finish()?;
    let application = state
        .db(move |conn| {
            write_transaction(conn, |conn| {
                let found = super::find_for(conn, &id, &caller)?
                    .ok_or_else(|| AppError::not_found("application"))?;
                let mover = to.mover();
                if !found.may_move(mover) {
                    return Err(AppError::forbidden(match mover {
                        Mover::JobSeeker => "only the job seeker may withdraw an application",
                        Mover::Employer => {
                            "only members of the vacancy's employer may move an application through its stages"
                        }
                    }));
                }
                let from = found.summary.application.status()?;
                if !from.can_become(to) {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        format!(
                            "a {} application cannot become {}",
                            from.as_str(),
                            to.as_str()
                        ),
                    ));
                }
                let at = now();
                let updated = diesel::update(
                    applications::table
                        .find(&id)
                        .filter(applications::status.eq(from.as_str())),
                )
                .set((
                    applications::status.eq(to.as_str()),
                    applications::updated_at.eq(at),
                ))
                .execute(conn)?;
                if updated == 0 {
                    return Err(AppError::conflict(
                        "invalid_transition",
                        "the application changed status meanwhile; reload it",
                    ));
                }
                record(conn, &id, to, at, &caller.id)?;
                audit::record(
                    conn,
                    Some(&caller.id),
                    audit::Change {
                        action: "application.status",
                        entity: "application",
                        entity_id: &id,
                        event_id: Some(&found.summary.event_id),
                        changes: serde_json::json!({
                            "status": {"from": from.as_str(), "to": to.as_str()},
                        }),
                    },
                )?;
                let mut summary = found.summary;
                summary.application.status = to.as_str().to_owned();
                summary.application.updated_at = at;
                view(conn, summary)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(application))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    status: Option<ApplicationStatus>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The applicants of a vacancy, oldest application first: for members of its employer and of
/// the event's organizer, ministry staff and admins. Others who see the vacancy get 403.
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let vacancy_id = path_id(&id, "vacancy")?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            let (vacancy, event) = find_visible_vacancy(conn, &vacancy_id, &caller)?;
            if !caller.role.reads_everything() {
                let memberships: i64 = memberships::table
                    .filter(memberships::user_id.eq(&caller.id))
                    .filter(crate::organizations::acts_now())
                    .filter(
                        memberships::organization_id
                            .eq_any([&vacancy.organization_id, &event.organization_id]),
                    )
                    .count()
                    .get_result(conn)?;
                if memberships == 0 {
                    return Err(AppError::forbidden(
                        "only the employer and the event's organizer see a vacancy's applicants",
                    ));
                }
            }
            let mut q = applications::table
                .inner_join(job_seekers::table)
                .filter(applications::vacancy_id.eq(&vacancy_id))
                .select((Application::as_select(), Applicant::as_select()))
                .into_boxed();
            if let Some(status) = query.status {
                q = q.filter(applications::status.eq(status.as_str()));
            }
            if let Some(after) = after {
                q = q.filter(applications::id.gt(after.id));
            }
            let rows: Vec<ApplicantView> = q
                .order(applications::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            Ok(Page::from_rows(rows, limit, |a: &ApplicantView| {
                Cursor::new("", a.application.id.clone())
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// The caller's own applications (those of their job seeker profile; none without one), oldest
/// first.
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            let mut q = applications::table
                .inner_join(vacancies::table)
                .inner_join(job_seekers::table)
                .filter(job_seekers::user_id.eq(&caller.id))
                .select((
                    Application::as_select(),
                    vacancies::title,
                    vacancies::organization_id,
                    vacancies::event_id,
                ))
                .into_boxed();
            if let Some(status) = query.status {
                q = q.filter(applications::status.eq(status.as_str()));
            }
            if let Some(after) = after {
                q = q.filter(applications::id.gt(after.id));
            }
            let rows: Vec<ApplicationSummary> = q
                .order(applications::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            Ok(Page::from_rows(rows, limit, |a: &ApplicationSummary| {
                Cursor::new("", a.application.id.clone())
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
