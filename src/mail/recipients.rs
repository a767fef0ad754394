//! Who an email goes to: the address and language of the people the messages are for.

use diesel::prelude::*;

use crate::db::schema::{job_seekers, users};
use crate::db::DbConn;
use crate::users::Language;

/// Someone to write to.
#[derive(Debug, Clone)]
pub struct Contact {
    pub email: String,
    pub name: String,
    pub language: Language,
}

/// A job seeker's address: the one on their profile, else their account's; in their account's
/// language (Indonesian for a walk-in without an account). `None` when there is no address.
pub fn job_seeker(conn: &mut DbConn, job_seeker_id: &str) -> QueryResult<Option<Contact>> {
    #[derive(Queryable)]
    struct Row {
        name: String,
        profile_email: Option<String>,
        account_email: Option<String>,
        language: Option<String>,
    }
    let found: Option<Row> = job_seekers::table
        .left_join(users::table.on(job_seekers::user_id.eq(users::id.nullable())))
        .filter(job_seekers::id.eq(job_seeker_id))
        .select((
            job_seekers::full_name,
            job_seekers::email,
            users::email.nullable(),
            users::language.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(found.and_then(|row| {
        let email = row
            .profile_email
            .filter(|e| !e.trim().is_empty())
            .or(row.account_email)?;
        Some(Contact {
            email,
            name: row.name,
            language: row
                .language
                .as_deref()
                .map(Language::parse)
                .unwrap_or_default(),
        })
    }))
}
