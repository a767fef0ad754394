//! The emails a change of a participation queues, in its own transaction: the organizer hears
//! that an employer asks to join, the employer hears the organizer's answer. Both link to the
//! fair's public page, which each of them can open.

use diesel::prelude::*;

use super::ParticipationStatus;
use crate::db::schema::organizations;
use crate::db::{now, DbConn};
use crate::error::AppResult;
use crate::events::Event;
use crate::mail;

/// To the members acting for the fair's organizer: `employer_id` asks to take part.
pub(super) fn request(
    conn: &mut DbConn,
    event: &Event,
    employer_id: &str,
    public_url: &str,
) -> AppResult<()> {
    let employer = name_of(conn, employer_id)?;
    let link = format!("{public_url}/events/{}", event.id);
    for organizer in mail::recipients::organization(conn, &event.organization_id)? {
        let email = mail::render::participation_request(
            &organizer.email,
            &organizer.name,
            organizer.language,
            &event.title,
            &employer,
            &link,
        );
        mail::enqueue(conn, &email, now())?;
    }
    Ok(())
}

/// To the members acting for the employer: the organizer approved or rejected it.
pub(super) fn decision(
    conn: &mut DbConn,
    event: &Event,
    employer_id: &str,
    status: ParticipationStatus,
    public_url: &str,
) -> AppResult<()> {
    let approved = status == ParticipationStatus::Approved;
    let link = format!("{public_url}/events/{}", event.id);
    for member in mail::recipients::organization(conn, employer_id)? {
        let email = mail::render::participation_decision(
            &member.email,
            &member.name,
            member.language,
            &event.title,
            approved,
            &link,
        );
        mail::enqueue(conn, &email, now())?;
    }
    Ok(())
}

fn name_of(conn: &mut DbConn, organization_id: &str) -> QueryResult<String> {
    organizations::table
        .find(organization_id)
        .select(organizations::name)
        .first(conn)
}
