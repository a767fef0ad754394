//! `/events/{id}/registrations`, `/events/{id}/check-ins`, `/events/{id}/walk-ins`,
//! `/registrations/{id}/qr.svg` and `/me/registrations`.

use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{CheckIn, CheckInWindow, Registration};
use crate::auth::{AuthUser, Role};
use crate::db::schema::{events, job_seekers, memberships, registrations};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{find_visible as find_visible_event, Event};
use crate::extract::{path_id, ApiJson, ApiQuery};
use crate::job_seekers::handlers::NewJobSeeker;
use crate::job_seekers::{self as seekers, JobSeeker};
use crate::organizations;
use crate::pagination::{self, Cursor, Page};
use crate::validate::{self, Checker};
use crate::AppState;
use crate::{audit, mail};

/// The event if the caller runs it (a member of its organization, or an admin): 404 if they
/// cannot see it, 403 if they can but do not run it.
fn event_run_by(conn: &mut DbConn, event_id: &str, caller: &AuthUser) -> AppResult<Event> {
    let event = find_visible_event(conn, event_id, Some(caller))?
        .ok_or_else(|| AppError::not_found("event"))?;
    organizations::require_member(conn, caller, &event.organization_id, false)?;
    Ok(event)
}

/// Runs `f` in a write transaction, once more if it lost a race for a unique value: the second
/// run finds the winner's row.
fn with_retry<T>(
    conn: &mut DbConn,
    mut f: impl FnMut(&mut DbConn) -> AppResult<T>,
) -> AppResult<T> {
    match write_transaction(conn, &mut f) {
        Err(error) if super::lost_a_race(&error) => write_transaction(conn, f),
        other => other,
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RegisterBody {
    job_seeker_id: Option<String>,
}

/// A job seeker registers themself (their profile; `job_seeker_id` may be omitted), or the
/// event's organizer staff register a job seeker by id. 201 with the registration, or 200 with
/// the existing one on a repeat.
pub async fn register(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<RegisterBody>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let mut c = Checker::new();
    let job_seeker_id = body
        .job_seeker_id
        .map(|raw| validate::uuid(&mut c, "job_seeker_id", raw));
    c.finish()?;
    let (registration, created) = state
        .db(move |conn| {
            let event = find_visible_event(conn, &event_id, Some(&caller))?
                .ok_or_else(|| AppError::not_found("event"))?;
            let job_seeker_id = if caller.role == Role::JobSeeker {
                let own = seekers::find_by_user(conn, &caller.id)?.ok_or_else(|| {
                    AppError::conflict(
                        "profile_required",
                        "create your job seeker profile (POST /api/v1/job-seekers) before registering",
                    )
                })?;
                if job_seeker_id.is_some_and(|given| given != own.id) {
                    return Err(AppError::forbidden(
                        "a job seeker registers only themself",
                    ));
                }
                own.id
            } else {
                organizations::require_member(conn, &caller, &event.organization_id, false)?;
                let id = job_seeker_id
                    .ok_or_else(|| AppError::invalid_field("job_seeker_id", "is required"))?;
                seekers::find(conn, &id)?.ok_or_else(|| {
                    AppError::invalid_field("job_seeker_id", "no job seeker has this id")
                })?;
                id
            };
            let at = now();
            super::check_registration_open(&event, at)?;
            with_retry(conn, |conn| {
                let (registration, created) =
                    super::register(conn, &event, &job_seeker_id, &caller.id, at)?;
                if created {
                    audit::record(conn, Some(&caller.id), super::registered_change(&registration))?;
                    queue_ticket(conn, &event, &registration, at)?;
                }
                Ok((registration, created))
            })
        })
        .await?;
    let mut response = if created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(registration))
}

/// Emails the registration ticket (the event and the check-in QR code) to the job seeker, if
/// they have an address. Run it in the registration's transaction.
fn queue_ticket(
    conn: &mut DbConn,
    event: &Event,
    registration: &Registration,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Some(contact) = mail::recipients::job_seeker(conn, &registration.job_seeker_id)? else {
        return Ok(());
    };
    let png = mail::qr::qr_png(&registration.check_in_code).map_err(AppError::internal)?;
    let email = mail::render::registration_ticket(
        &contact.email,
        &contact.name,
        contact.language,
        &mail::render::EventDetails {
            title: &event.title,
            format: event.format.as_str(),
            venue: event.venue.as_deref(),
            city: &event.city,
            province_code: &event.province_code,
            starts_at: event.starts_at,
            ends_at: event.ends_at,
        },
        &registration.check_in_code,
        &png,
    );
    mail::enqueue(conn, &email, at)?;
    Ok(())
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CheckInBody {
    check_in_code: Option<String>,
}

/// The scan at the door, by the event's organizer staff: the fair-day hot path. A repeated scan
/// is answered from one read; a first scan adds one transaction of two conditional updates.
pub async fn check_in(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<CheckInBody>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let mut c = Checker::new();
    let code = c.required_text("check_in_code", body.check_in_code, 1, 64);
    c.finish()?;
    let check_in = state
        .db(move |conn| {
            let found: Option<(Registration, CheckInWindow, Option<String>)> = registrations::table
                .inner_join(events::table)
                .left_join(
                    memberships::table.on(memberships::organization_id
                        .eq(events::organization_id)
                        .and(memberships::user_id.eq(&caller.id))
                        .and(organizations::acts_now())),
                )
                .filter(registrations::check_in_code.eq(&code))
                .filter(registrations::event_id.eq(&event_id))
                .select((
                    Registration::as_select(),
                    (events::status, events::starts_at, events::ends_at),
                    memberships::role.nullable(),
                ))
                .first(conn)
                .optional()?;
            let (registration, window) = match found {
                Some((registration, window, role)) if role.is_some() || caller.is_admin() => {
                    (registration, window)
                }
                // Not the caller's event (404 or 403), or no such code at this one (404).
                _ => {
                    event_run_by(conn, &event_id, &caller)?;
                    return Err(AppError::not_found("registration with this check-in code"));
                }
            };
            let at = now();
            window.check(at)?;
            if registration.checked_in_at.is_some() {
                return Ok(CheckIn {
                    registration,
                    already_checked_in: true,
                });
            }
            write_transaction(conn, |conn| {
                let check_in = super::check_in(conn, &registration.id, &event_id, &caller.id, at)?;
                // A simultaneous scan may have won meanwhile: then nothing changed here.
                if !check_in.already_checked_in {
                    audit::record(
                        conn,
                        Some(&caller.id),
                        super::checked_in_change(&check_in.registration),
                    )?;
                }
                Ok(check_in)
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(check_in))
}

/// What a walk-in produced.
#[derive(Serialize)]
pub struct WalkIn {
    pub registration: CheckIn,
    pub job_seeker: JobSeeker,
    /// No job seeker had the NIK: the profile was created from the request.
    pub job_seeker_created: bool,
    /// The job seeker was not registered for the event before.
    pub registration_created: bool,
}

/// A job seeker at the door without a registration: the event's organizer staff find them by NIK
/// or record their profile, register and check them in, in one transaction. 201 when a
/// registration was created, 200 when they were registered already.
pub async fn walk_in(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(body): ApiJson<NewJobSeeker>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    caller.require(&[Role::Organizer, Role::Admin])?;
    let profile = body.validate(&state.nik_key)?;
    let walk_in = state
        .db(move |conn| {
            let event = event_run_by(conn, &event_id, &caller)?;
            let at = now();
            CheckInWindow::of(&event).check(at)?;
            with_retry(conn, |conn| {
                let existing = seekers::id_by_nik_hash(conn, profile.nik_hash())?;
                let job_seeker_created = existing.is_none();
                let job_seeker = match existing {
                    Some(id) => seekers::find(conn, &id)?
                        .ok_or_else(|| AppError::not_found("job seeker"))?,
                    None => {
                        let id = new_id();
                        seekers::create(conn, &profile.row(&id, None, &caller.id, at))?
                    }
                };
                let (registration, registration_created) =
                    super::register(conn, &event, &job_seeker.id, &caller.id, at)?;
                let registration =
                    super::check_in(conn, &registration.id, &event.id, &caller.id, at)?;
                // The audit records last, in the order the changes were made.
                if job_seeker_created {
                    audit::record(
                        conn,
                        Some(&caller.id),
                        seekers::created_change(&job_seeker, Some(&event.id)),
                    )?;
                }
                if registration_created {
                    audit::record(
                        conn,
                        Some(&caller.id),
                        super::registered_change(&registration.registration),
                    )?;
                }
                if !registration.already_checked_in {
                    audit::record(
                        conn,
                        Some(&caller.id),
                        super::checked_in_change(&registration.registration),
                    )?;
                }
                Ok(WalkIn {
                    registration,
                    job_seeker,
                    job_seeker_created,
                    registration_created,
                })
            })
        })
        .await?;
    let mut response = if walk_in.registration_created {
        HttpResponse::Created()
    } else {
        HttpResponse::Ok()
    };
    Ok(response.json(walk_in))
}

/// The QR code of a registration's check-in code, for the job seeker to show at the door. Only
/// the person and the event's organizer staff (and admins) get it; anyone else 404.
pub async fn qr(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "registration")?;
    let code = state
        .db(move |conn| {
            let found: Option<(String, Option<String>, Option<String>)> = registrations::table
                .inner_join(job_seekers::table)
                .inner_join(events::table)
                .left_join(
                    memberships::table.on(memberships::organization_id
                        .eq(events::organization_id)
                        .and(memberships::user_id.eq(&caller.id))
                        .and(organizations::acts_now())),
                )
                .filter(registrations::id.eq(&id))
                .select((
                    registrations::check_in_code,
                    job_seekers::user_id,
                    memberships::role.nullable(),
                ))
                .first(conn)
                .optional()?;
            match found {
                Some((code, user_id, role))
                    if caller.is_admin()
                        || role.is_some()
                        || user_id.as_deref() == Some(caller.id.as_str()) =>
                {
                    Ok(code)
                }
                _ => Err(AppError::not_found("registration")),
            }
        })
        .await?;
    let svg = super::qr_svg(&code)?;
    Ok(HttpResponse::Ok().content_type("image/svg+xml").body(svg))
}

/// A registration in the organizer's list: who it is, not how to reach them.
#[derive(Serialize)]
pub struct RegistrationItem {
    #[serde(flatten)]
    registration: Registration,
    job_seeker_name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ListQuery {
    checked_in: Option<bool>,
    limit: Option<i64>,
    cursor: Option<String>,
}

/// An event's registrations, oldest first: its organizer staff, ministry staff and admins.
pub async fn list(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ListQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            if caller.role.reads_everything() {
                find_visible_event(conn, &event_id, Some(&caller))?
                    .ok_or_else(|| AppError::not_found("event"))?;
            } else {
                event_run_by(conn, &event_id, &caller)?;
            }
            let mut q = registrations::table
                .inner_join(job_seekers::table)
                .filter(registrations::event_id.eq(&event_id))
                .select((Registration::as_select(), job_seekers::full_name))
                .into_boxed();
            match query.checked_in {
                Some(true) => q = q.filter(registrations::checked_in_at.is_not_null()),
                Some(false) => q = q.filter(registrations::checked_in_at.is_null()),
                None => {}
            }
            if let Some(after) = after {
                q = q.filter(registrations::id.gt(after.id));
            }
            let rows: Vec<(Registration, String)> = q
                .order(registrations::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            let items = rows
                .into_iter()
                .map(|(registration, job_seeker_name)| RegistrationItem {
                    registration,
                    job_seeker_name,
                })
                .collect();
            Ok(Page::from_rows(items, limit, |r: &RegistrationItem| {
                Cursor::new("", r.registration.id.clone())
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}

/// One of the caller's own registrations, with what they need to find the fair.
#[derive(Serialize, Queryable)]
pub struct MyRegistration {
    #[serde(flatten)]
    registration: Registration,
    event_title: String,
    event_status: String,
    event_venue: Option<String>,
    event_city: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    event_starts_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    event_ends_at: NaiveDateTime,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MyListQuery {
    limit: Option<i64>,
    cursor: Option<String>,
}

/// The caller's registrations (through their job seeker profile), oldest first; an empty page
/// for an account without a profile.
pub async fn mine(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<MyListQuery>,
) -> AppResult<HttpResponse> {
    let limit = pagination::limit(query.limit)?;
    let after = pagination::cursor(query.cursor.as_deref())?;
    let page = state
        .db(move |conn| {
            let mut q = registrations::table
                .inner_join(job_seekers::table)
                .inner_join(events::table)
                .filter(job_seekers::user_id.eq(&caller.id))
                .select((
                    Registration::as_select(),
                    events::title,
                    events::status,
                    events::venue,
                    events::city,
                    events::starts_at,
                    events::ends_at,
                ))
                .into_boxed();
            if let Some(after) = after {
                q = q.filter(registrations::id.gt(after.id));
            }
            let rows: Vec<MyRegistration> = q
                .order(registrations::id.asc())
                .limit(limit + 1)
                .load(conn)?;
            Ok(Page::from_rows(rows, limit, |r: &MyRegistration| {
                Cursor::new("", r.registration.id.clone())
            }))
        })
        .await?;
    Ok(HttpResponse::Ok().json(page))
}
