//! Who a message goes to, and by which channel: the email address, the WhatsApp number and the
//! language of the people the messages are for. The one place that decides whether someone may
//! be written to on WhatsApp.

use chrono::NaiveDateTime;
use diesel::prelude::*;

use crate::db::schema::{job_seekers, memberships, registrations, users};
use crate::db::DbConn;
use crate::users::Language;

/// Someone to write to.
#[derive(Debug, Clone)]
pub struct Contact {
    pub email: String,
    pub name: String,
    pub language: Language,
}

/// How a job seeker can be reached: by email, by WhatsApp, both or neither.
#[derive(Debug, Clone)]
pub struct Reach {
    pub name: String,
    pub language: Language,
    pub email: Option<String>,
    /// An E.164 number the person agreed to be sent WhatsApp messages at.
    pub whatsapp: Option<String>,
    /// Whether the profile is tied to an account: only then can the person sign in and open
    /// pages of their own (a walk-in recorded by staff cannot).
    pub has_account: bool,
}

impl Reach {
    /// The email contact, when there is an address.
    pub fn email_contact(&self) -> Option<Contact> {
        self.email.clone().map(|email| Contact {
            email,
            name: self.name.clone(),
            language: self.language,
        })
    }
}

/// A job seeker's ways to be reached, in their account's language (Indonesian for a walk-in
/// without an account); `None` when there is no such job seeker.
///
/// - Email: the address on their profile, else their account's.
/// - WhatsApp: their account's number once verified (a one-time code) and agreed to; else the
///   number on their profile when consent to WhatsApp was recorded on the profile (staff at the
///   desk, or the job seeker). A profile number that is not an Indonesian mobile is not used.
pub fn job_seeker_reach(conn: &mut DbConn, job_seeker_id: &str) -> QueryResult<Option<Reach>> {
    Ok(reaches(conn, &[job_seeker_id.to_owned()])?
        .pop()
        .map(|(_, reach)| reach))
}

/// The ticket holders of an event, each with their registration id and [`Reach`] (a fair's
/// change of time or place, or its cancellation, is told to each of them).
pub fn ticket_holders(conn: &mut DbConn, event_id: &str) -> QueryResult<Vec<(String, Reach)>> {
    let registered: Vec<(String, String)> = registrations::table
        .filter(registrations::event_id.eq(event_id))
        .select((registrations::job_seeker_id, registrations::id))
        .order(registrations::id.asc())
        .load(conn)?;
    let mut holders = Vec::with_capacity(registered.len());
    // In chunks: a bound parameter list has a limit (SQLite's is 32,766).
    for chunk in registered.chunks(1000) {
        let ids: Vec<String> = chunk.iter().map(|(seeker, _)| seeker.clone()).collect();
        let found: std::collections::HashMap<String, Reach> =
            reaches(conn, &ids)?.into_iter().collect();
        for (seeker, registration) in chunk {
            if let Some(reach) = found.get(seeker) {
                holders.push((registration.clone(), reach.clone()));
            }
        }
    }
    Ok(holders)
}

/// The [`Reach`] of each of the job seekers `ids`, by job seeker id: see [`job_seeker_reach`].
fn reaches(conn: &mut DbConn, ids: &[String]) -> QueryResult<Vec<(String, Reach)>> {
    #[derive(Queryable)]
    struct Row {
        id: String,
        name: String,
        profile_email: Option<String>,
        profile_phone: Option<String>,
        profile_consent: Option<NaiveDateTime>,
        account_email: Option<String>,
        account_phone: Option<String>,
        account_phone_verified: Option<NaiveDateTime>,
        account_consent: Option<NaiveDateTime>,
        language: Option<String>,
    }
    let rows: Vec<Row> = job_seekers::table
        .left_join(users::table.on(job_seekers::user_id.eq(users::id.nullable())))
        .filter(job_seekers::id.eq_any(ids))
        .select((
            job_seekers::id,
            job_seekers::full_name,
            job_seekers::email,
            job_seekers::phone,
            job_seekers::whatsapp_consent_at,
            users::email.nullable(),
            users::phone.nullable(),
            users::phone_verified_at.nullable(),
            users::whatsapp_consent_at.nullable(),
            users::language.nullable(),
        ))
        .load(conn)?;
    Ok(rows
        .into_iter()
        .map(|row| {
            let email = row
                .profile_email
                .filter(|e| !e.trim().is_empty())
                .or(row.account_email);
            let account_number = match (
                row.account_phone,
                row.account_phone_verified,
                row.account_consent,
            ) {
                (Some(phone), Some(_), Some(_)) => Some(phone),
                _ => None,
            };
            let profile_number = row
                .profile_consent
                .and(row.profile_phone)
                .and_then(|phone| crate::validate::normalise_phone(&phone));
            let reach = Reach {
                name: row.name,
                has_account: row.language.is_some(),
                language: row
                    .language
                    .as_deref()
                    .map(Language::parse)
                    .unwrap_or_default(),
                email,
                whatsapp: account_number.or(profile_number),
            };
            (row.id, reach)
        })
        .collect())
}

/// A job seeker's email contact: see [`job_seeker_reach`]. `None` when there is no address.
pub fn job_seeker(conn: &mut DbConn, job_seeker_id: &str) -> QueryResult<Option<Contact>> {
    Ok(job_seeker_reach(conn, job_seeker_id)?.and_then(|reach| reach.email_contact()))
}

/// The people who act for an organization now (members whose role still runs this kind of
/// organization, see [`crate::organizations::acts_now`]), not disabled, that have an email: those
/// an organization's notices are written to. A member an admin demoted or disabled gets none.
pub fn organization(conn: &mut DbConn, organization_id: &str) -> QueryResult<Vec<Contact>> {
    let rows: Vec<(Option<String>, String, String)> = memberships::table
        .inner_join(users::table)
        .filter(memberships::organization_id.eq(organization_id))
        .filter(crate::organizations::acts_now())
        .filter(users::disabled_at.is_null())
        .select((users::email, users::full_name, users::language))
        .order(users::id.asc())
        .load(conn)?;
    Ok(rows
        .into_iter()
        .filter_map(|(email, name, language)| {
            Some(Contact {
                email: email.filter(|e| !e.is_empty())?,
                name,
                language: Language::parse(&language),
            })
        })
        .collect())
}
