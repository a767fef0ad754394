//! The emails a change of a placement queues, in its own transaction (see [`crate::mail`]): the
//! job seeker's confirm / dispute link when a hire is reported; when the job seeker answers, the
//! employer's notice (confirmed or disputed) and, for a dispute, the organizers' notice.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::Placement;
use crate::db::schema::{events, job_seekers, organizations, placements, vacancies};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::{mail, whatsapp};

/// Sends the job seeker of a `reported` placement its confirm / dispute link: by email when they
/// have an address, by WhatsApp when they have a number they agreed to be written to at. Run
/// it in the report's transaction: the link and the messages exist only if the report does.
/// The employer never sees the link.
pub(super) fn queue_confirmation_request(
    conn: &mut DbConn,
    placement: &Placement,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let Some(reach) = mail::recipients::job_seeker_reach(conn, &placement.job_seeker_id)? else {
        return Ok(());
    };
    if reach.email.is_none() && reach.whatsapp.is_none() {
        return Ok(());
    }
    let (token, _) = super::answer::issue_link(conn, &placement.id, at)?;
    let claim = super::answer::usable_claim(conn, &token, at)?;
    let link = format!("{public_url}{}", super::answer::link_path(&token));
    if let Some(email) = &reach.email {
        let email = mail::render::hire_confirmation(
            email,
            &reach.name,
            reach.language,
            &mail::render::Hire {
                employer: &claim.employer_name,
                position: &claim.position,
                start_date: claim.start_date,
                event_title: &claim.event_title,
                expires_on: claim.expires_at.date(),
            },
            &link,
        );
        mail::enqueue(conn, &email, at)?;
    }
    if let Some(number) = &reach.whatsapp {
        let message = whatsapp::Message::hire_confirmation(
            number,
            reach.language,
            &reach.name,
            &claim.employer_name,
            &claim.position,
            claim.start_date,
            &link,
        );
        whatsapp::enqueue(conn, &message, at)?;
    }
    Ok(())
}

/// Tells the members of the event's organizer, by email, that the job seeker disputed the
/// hire, with the reason. Run it in the dispute's transaction.
pub(super) fn queue_dispute_notice(
    conn: &mut DbConn,
    placement_id: &str,
    reason: &str,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    let (event_id, organization_id, event_title, employer, position, job_seeker, start_date): (
        String,
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
            events::id,
            events::organization_id,
            events::title,
            organizations::name,
            vacancies::title,
            job_seekers::full_name,
            placements::start_date,
        ))
        .first(conn)?;
    // The desk's placements queue of the fair, at this placement: where a dispute is settled.
    let link = format!("{public_url}/desk/events/{event_id}/placements#placement-{placement_id}");
    for organizer in mail::recipients::organization(conn, &organization_id)? {
        let notice = mail::render::dispute_notice(
            &organizer.email,
            &organizer.name,
            organizer.language,
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

/// Tells the job seeker's answer to those who must know: the members of the employer (confirmed
/// or disputed, never the reason), and for a dispute the event's organizers (with the reason).
/// Run it in the answer's transaction.
pub(super) fn queue_answer_notices(
    conn: &mut DbConn,
    placement_id: &str,
    dispute_reason: Option<&str>,
    public_url: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    if let Some(reason) = dispute_reason {
        queue_dispute_notice(conn, placement_id, reason, public_url, at)?;
    }
    let (employer_id, event_id, event_title, position, job_seeker, start_date): (
        String,
        String,
        String,
        String,
        String,
        NaiveDate,
    ) = placements::table
        .inner_join(vacancies::table)
        .inner_join(events::table)
        .inner_join(job_seekers::table)
        .filter(placements::id.eq(placement_id))
        .select((
            placements::employer_id,
            events::id,
            events::title,
            vacancies::title,
            job_seekers::full_name,
            placements::start_date,
        ))
        .first(conn)?;
    let short_name = crate::job_seekers::names::short_name(&job_seeker);
    let link = employer_link(public_url, &employer_id, &event_id);
    let answer = mail::render::HireAnswer {
        event_title: &event_title,
        position: &position,
        job_seeker: &short_name,
        start_date,
        confirmed: dispute_reason.is_none(),
    };
    for member in mail::recipients::organization(conn, &employer_id)? {
        let notice = mail::render::hire_answered(
            &member.email,
            &member.name,
            member.language,
            &answer,
            &link,
        );
        mail::enqueue(conn, &notice, at)?;
    }
    Ok(())
}

/// Where the employer sees its hires at a fair: the booth's hires page.
fn employer_link(public_url: &str, employer_id: &str, event_id: &str) -> String {
    format!("{public_url}/booth/{employer_id}/fairs/{event_id}/hires")
}
