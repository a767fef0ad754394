//! The operations on registrations: register (self or by staff), scan a code at the door, admit a
//! walk-in, show the QR code. The lists and their search are in [`super::lists`]. Each checks who may act through
//! [`crate::auth::guards`], runs its transaction and writes its audit records.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{CheckIn, CheckInWindow, Registration};
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{events, job_seekers, registrations};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::door::{DoorCaller, DoorToken};
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::extract::path_id;
use crate::job_seekers::{self as seekers, lookup, JobSeekerView, NewJobSeeker};
use crate::validate::{self, Checker};
use crate::{audit, mail, whatsapp};

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

/// A job seeker registers themself (their profile; `job_seeker_id` may be omitted or their
/// own), or the event's staff register a job seeker by id: someone who signed up themself (a
/// profile tied to an account) or whom a member of the event's organization recorded; anyone
/// else is 403 (admins register anyone). `true` when a registration was created, `false` for
/// the existing one. The ticket goes out by email and, where agreed to, WhatsApp, with its
/// links under `public_url`.
pub fn register(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    job_seeker_id: Option<String>,
    public_url: &str,
) -> AppResult<(Registration, bool)> {
    let mut c = Checker::new();
    let job_seeker_id = job_seeker_id.map(|raw| validate::uuid(&mut c, "job_seeker_id", raw));
    c.finish()?;
    let (event, job_seeker_id) = if caller.role == Role::JobSeeker {
        let event = guards::visible_event(conn, caller, event_id)?;
        let own = seekers::find_by_user(conn, &caller.id)?.ok_or_else(|| {
            AppError::conflict(
                "profile_required",
                "create your job seeker profile (POST /api/v1/job-seekers) before registering",
            )
        })?;
        if job_seeker_id.is_some_and(|given| given != own.id) {
            return Err(AppError::forbidden("a job seeker registers only themself"));
        }
        (event, own.id)
    } else {
        let event = guards::event_staff(conn, caller, event_id)?;
        let id =
            job_seeker_id.ok_or_else(|| AppError::invalid_field("job_seeker_id", "is required"))?;
        let job_seeker = seekers::find(conn, &id)?
            .ok_or_else(|| AppError::invalid_field("job_seeker_id", "no job seeker has this id"))?;
        let may_register = caller.is_admin()
            || job_seeker.user_id.is_some()
            || seekers::recorded_by_organization(conn, &job_seeker, &event.organization_id)?
            || super::find_for(conn, &event.id, &job_seeker.id)?.is_some();
        if !may_register {
            return Err(AppError::forbidden(
                "staff register only people who signed up themselves or whom their organization recorded; find a walk-in by NIK at the door (POST /events/{id}/walk-ins)",
            ));
        }
        (event, id)
    };
    let at = now();
    super::check_registration_open(&event, at)?;
    with_retry(conn, |conn| {
        let (registration, created) =
            super::register(conn, &event, &job_seeker_id, &caller.id, at)?;
        if created {
            audit::record(
                conn,
                Some(&caller.id),
                super::registered_change(&registration),
            )?;
            queue_ticket(conn, &event, &registration, public_url, at)?;
        }
        Ok((registration, created))
    })
}

/// Sends the registration ticket to the job seeker: by email (the event and the check-in QR
/// code) if they have an address, and by WhatsApp (the check-in code and the link to the ticket
/// page) if they have a number they agreed to be written to at. Run it in the registration's
/// transaction.
fn queue_ticket(
    conn: &mut DbConn,
    event: &Event,
    registration: &Registration,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Some(reach) = mail::recipients::job_seeker_reach(conn, &registration.job_seeker_id)? else {
        return Ok(());
    };
    let details = mail::render::EventDetails {
        title: &event.title,
        format: event.format.as_str(),
        venue: event.venue.as_deref(),
        city: &event.city,
        province_code: &event.province_code,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
    };
    if let Some(email) = &reach.email {
        let png = mail::qr::qr_png(&registration.check_in_code).map_err(AppError::internal)?;
        let email = mail::render::registration_ticket(
            email,
            &reach.name,
            reach.language,
            &details,
            &registration.check_in_code,
            &png,
        );
        mail::enqueue(conn, &email, at)?;
    }
    if let Some(number) = &reach.whatsapp {
        let message = whatsapp::Message::registration_ticket(
            number,
            reach.language,
            &reach.name,
            &details,
            &registration.check_in_code,
            &ticket_link(public_url, &reach, &event.id, &registration.id),
        );
        whatsapp::enqueue(conn, &message, at)?;
    }
    Ok(())
}

/// Where a ticket message links to: the ticket page for someone who can sign in to open it;
/// for a walk-in without an account, the fair's public page (the message carries the code).
pub(crate) fn ticket_link(
    public_url: &str,
    reach: &mail::recipients::Reach,
    event_id: &str,
    registration_id: &str,
) -> String {
    if reach.has_account {
        format!("{public_url}/me/registrations/{registration_id}")
    } else {
        format!("{public_url}/events/{event_id}")
    }
}

/// The scan at the door, by the event's staff or its door pass (404 for an event the caller
/// cannot see, 403 for one they do not run, 404 for a code not of this event). The code may be
/// typed: case, hyphens and look-alikes are forgiven ([`super::codes`]). A repeated scan
/// changes nothing; a first one is one transaction (on PostgreSQL one statement, see
/// [`super::check_in_recorded`]): the conditional update of the registration, the note for the
/// event's figures and the audit record. The caller's account and the registration are read in
/// the query that reads the event's check-in window ([`DoorToken::window_at`]).
pub fn scan(
    conn: &mut DbConn,
    door: DoorToken,
    event_id: &str,
    check_in_code: Option<String>,
) -> AppResult<CheckIn> {
    // Who is at the door first (401), then the input (422), then the event (404, 403).
    let event_id = match path_id(event_id, "event") {
        Ok(id) => id,
        Err(not_found) => return Err(door.check(conn).err().unwrap_or(not_found)),
    };
    let mut c = Checker::new();
    let code = c.required_text("check_in_code", check_in_code, 1, 64);
    let input = c.finish();
    let key = input.is_ok().then(|| super::lookup_key(&code)).flatten();
    let (door, window, found) = door.window_at(conn, &event_id, key.as_deref())?;
    input?;
    let window = window?;
    let caller = door.acting_user();
    let registration = super::pick(found, &code)
        .ok_or_else(|| AppError::not_found("registration with this check-in code"))?;
    let at = now();
    window.check(at)?;
    if registration.checked_in_at.is_some() {
        return Ok(CheckIn {
            registration,
            already_checked_in: true,
        });
    }
    super::check_in_recorded(conn, &registration, &caller.id, door.door_pass_id(), at)
}

/// What a walk-in produced.
#[derive(Debug, Serialize)]
pub struct WalkIn {
    pub registration: CheckIn,
    /// The whole profile when the caller could read it before (or recorded it now); else only
    /// its id, name and the last digits of the NIK they typed.
    pub job_seeker: JobSeekerView,
    /// No job seeker had the NIK: the profile was created from the request.
    pub job_seeker_created: bool,
    /// The job seeker was not registered for the event before.
    pub registration_created: bool,
}

/// A job seeker at the door without a registration: the event's staff find them by NIK, or
/// record their profile, then register and check them in, in one transaction. A profile found by
/// NIK is used only if the name and birth date given match it (409 `identity_mismatch`
/// otherwise, naming no one); the look-up is rate-limited and audited (see
/// [`crate::job_seekers::lookup`]). Through a door pass the answer holds only the profile's
/// summary, never its contact data.
pub fn walk_in(
    conn: &mut DbConn,
    door: &DoorCaller,
    event_id: &str,
    input: NewJobSeeker,
    nik_key: &[u8],
) -> AppResult<WalkIn> {
    let caller = door.acting_user();
    guards::role(caller, &[Role::Organizer, Role::Admin])?;
    let profile = input.validate(nik_key)?;
    let event = door.event(conn, event_id)?;
    let at = now();
    CheckInWindow::of(&event).check(at)?;
    let found = lookup::for_walk_in(conn, caller, &event.id, &profile, at)?;
    // Whether the caller could read the found profile before this walk-in.
    let readable = match &found {
        Some(job_seeker) => seekers::find_visible(conn, &job_seeker.id, caller)?.is_some(),
        None => false,
    };
    with_retry(conn, |conn| {
        // Look again inside the transaction: a simultaneous walk-in may have recorded the NIK.
        // (the profile, whether it was created now, whether the caller may see all of it)
        let (job_seeker, job_seeker_created, full) =
            match seekers::find_by_nik_hash(conn, profile.nik_hash())? {
                Some(job_seeker) if found.as_ref().is_some_and(|f| f.id == job_seeker.id) => {
                    (job_seeker, false, readable)
                }
                Some(job_seeker) if lookup::same_person(&job_seeker, &profile) => {
                    let full = seekers::find_visible(conn, &job_seeker.id, caller)?.is_some();
                    (job_seeker, false, full)
                }
                Some(_) => return Err(lookup::identity_mismatch()),
                None => {
                    let id = new_id();
                    let created = seekers::insert(conn, &profile.row(&id, None, &caller.id, at))?;
                    (created, true, true)
                }
            };
        let (registration, registration_created) =
            super::register(conn, &event, &job_seeker.id, &caller.id, at)?;
        let registration = super::check_in(conn, &registration, &caller.id, at)?;
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
                super::checked_in_change(&registration.registration, door.door_pass_id()),
            )?;
        }
        let job_seeker = if full && door.reads_profiles() {
            JobSeekerView::Full(Box::new(job_seeker))
        } else {
            JobSeekerView::Summary(job_seeker.summary())
        };
        Ok(WalkIn {
            registration,
            job_seeker,
            job_seeker_created,
            registration_created,
        })
    })
}

/// The check-in code of a registration, for its QR code: the person themself, the event's
/// staff and admins; anyone else 404.
pub fn qr_code(conn: &mut DbConn, caller: &AuthUser, registration_id: &str) -> AppResult<String> {
    let found: Option<(String, Option<String>, String)> = registrations::table
        .inner_join(job_seekers::table)
        .inner_join(events::table)
        .filter(registrations::id.eq(registration_id))
        .select((
            registrations::check_in_code,
            job_seekers::user_id,
            events::organization_id,
        ))
        .first(conn)
        .optional()?;
    let Some((code, user_id, organization_id)) = found else {
        return Err(AppError::not_found("registration"));
    };
    if user_id.as_deref() == Some(caller.id.as_str())
        || caller.is_admin()
        || guards::membership(conn, caller, &organization_id)?.is_some()
    {
        return Ok(code);
    }
    Err(AppError::not_found("registration"))
}
