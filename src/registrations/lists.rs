//! The lists of registrations: an event's (for its staff and the door, searchable by name,
//! phone, the last digits of the NIK or the code) and the caller's own, with their tickets.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::Registration;
use crate::auth::{guards, AuthUser};
use crate::db::schema::{events, job_seekers, registrations};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventStatus};
use crate::pagination::{Cursor, Page};
use crate::validate;

/// A registration in an event's list: who it is, not how to reach them. The check-in code is a
/// credential: only those who may scan it (the event's staff and admins) get it.
#[derive(Debug, Serialize)]
pub struct RegistrationItem {
    pub id: String,
    pub event_id: String,
    pub job_seeker_id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub check_in_code: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub registered_at: NaiveDateTime,
    pub registered_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub checked_in_at: Option<NaiveDateTime>,
    pub checked_in_by: Option<String>,
    pub job_seeker_name: String,
    /// The last four digits of the job seeker's NIK: how staff tell two people of one name
    /// apart (the NIK itself is never shown).
    pub job_seeker_nik_last4: String,
    /// Registered by someone other than the job seeker's own account (at the desk, by staff):
    /// those whose tickets the desk prints.
    #[serde(skip)]
    pub registered_by_staff: bool,
}

/// Which registrations of an event to list.
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub checked_in: Option<bool>,
    /// A search, see [`Search`].
    pub q: Option<String>,
    pub limit: i64,
    pub after: Option<Cursor>,
}

diesel::define_sql_function! {
    /// SQL `lower`, for a search that ignores case on both engines.
    fn lower(x: diesel::sql_types::Text) -> diesel::sql_types::Text;
}

/// What a search of an event's registrations matches, read from what the desk typed: a part of
/// the name (any case), and also, when it has that shape, the last four digits of the NIK, a
/// mobile number, or a check-in code (forgiving case and look-alikes, see
/// [`super::codes::normalize_code`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Search {
    pub name_pattern: String,
    pub nik_last4: Option<String>,
    /// The ways a profile may hold the number typed (profiles keep phones as entered).
    pub phones: Vec<String>,
    pub check_in_key: Option<String>,
}

/// The longest search, in characters.
pub const MAX_SEARCH: usize = 100;

impl Search {
    /// `None` for a blank search; 422 `q` for one longer than [`MAX_SEARCH`] or holding a
    /// character no text accepts (a NUL, which PostgreSQL cannot even compare, a line break, a
    /// bidirectional control: see [`validate::forbidden_char`]).
    pub fn parse(raw: Option<&str>) -> AppResult<Option<Search>> {
        let Some(text) = raw.map(str::trim).filter(|t| !t.is_empty()) else {
            return Ok(None);
        };
        let mut checker = validate::Checker::new();
        let text = checker.text("q", text.to_owned(), 1, MAX_SEARCH);
        checker.finish()?;
        let text = text.as_str();
        let escaped: String = text
            .to_lowercase()
            .chars()
            .flat_map(|c| match c {
                '%' | '_' | '\\' => vec!['\\', c],
                c => vec![c],
            })
            .collect();
        let digits = text.len() == 4 && text.bytes().all(|b| b.is_ascii_digit());
        let key = super::codes::normalize_code(text);
        Ok(Some(Search {
            name_pattern: format!("%{escaped}%"),
            nik_last4: digits.then(|| text.to_owned()),
            phones: phone_forms(text),
            check_in_key: (key.len() >= 8).then_some(key),
        }))
    }
}

/// A typed number as a profile may hold it: an Indonesian mobile as `08…`, `628…` or `+628…`;
/// any other 8 to 15 digits (with an optional `+`) as typed, without spaces, dots or dashes.
fn phone_forms(text: &str) -> Vec<String> {
    if let Some(e164) = validate::normalise_phone(text) {
        let national = &e164[3..];
        return vec![
            e164.clone(),
            format!("62{national}"),
            format!("0{national}"),
        ];
    }
    let compact: String = text
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    let digits = compact.strip_prefix('+').unwrap_or(&compact);
    let shaped = (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit());
    if shaped {
        vec![compact]
    } else {
        Vec::new()
    }
}

/// An event's registrations, oldest first: its staff, ministry staff and admins (see
/// [`guards::event_reader`]). A search ([`Search`]) by phone or check-in code is for those who
/// may scan codes only; for ministry staff it matches names and NIK digits.
pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    filter: ListFilter,
) -> AppResult<Page<RegistrationItem>> {
    let event = guards::event_reader(conn, caller, event_id)?;
    let may_scan =
        caller.is_admin() || guards::membership(conn, caller, &event.organization_id)?.is_some();
    let search = Search::parse(filter.q.as_deref())?;
    let mut q = registrations::table
        .inner_join(job_seekers::table)
        .filter(registrations::event_id.eq(&event.id))
        .select((
            Registration::as_select(),
            job_seekers::full_name,
            job_seekers::nik_last4,
            job_seekers::user_id,
        ))
        .into_boxed();
    if let Some(search) = search {
        // A part that does not apply compares with "", which no stored NIK digits, phone (blank
        // is none) or check-in key equals: one query shape for every search.
        let private = |value: Option<String>| value.filter(|_| may_scan).unwrap_or_default();
        q = q.filter(
            lower(job_seekers::full_name)
                .like(search.name_pattern)
                .escape('\\')
                .or(job_seekers::nik_last4.eq(search.nik_last4.unwrap_or_default()))
                .or(registrations::check_in_key.eq(private(search.check_in_key)))
                .or(job_seekers::phone
                    .eq_any(match may_scan {
                        true if !search.phones.is_empty() => search.phones,
                        _ => vec![String::new()],
                    })
                    .assume_not_null()),
        );
    }
    match filter.checked_in {
        Some(true) => q = q.filter(registrations::checked_in_at.is_not_null()),
        Some(false) => q = q.filter(registrations::checked_in_at.is_null()),
        None => {}
    }
    if let Some(after) = filter.after {
        q = q.filter(registrations::id.gt(after.id));
    }
    type Row = (Registration, String, String, Option<String>);
    let rows: Vec<Row> = q
        .order(registrations::id.asc())
        .limit(filter.limit + 1)
        .load(conn)?;
    let items = rows
        .into_iter()
        .map(
            |(r, job_seeker_name, job_seeker_nik_last4, account)| RegistrationItem {
                registered_by_staff: account.as_deref() != Some(r.registered_by.as_str()),
                id: r.id,
                event_id: r.event_id,
                job_seeker_id: r.job_seeker_id,
                check_in_code: may_scan.then_some(r.check_in_code),
                registered_at: r.registered_at,
                registered_by: r.registered_by,
                checked_in_at: r.checked_in_at,
                checked_in_by: r.checked_in_by,
                job_seeker_name,
                job_seeker_nik_last4,
            },
        )
        .collect();
    Ok(Page::from_rows(
        items,
        filter.limit,
        |r: &RegistrationItem| Cursor::new("", r.id.clone()),
    ))
}

/// One of the caller's own registrations, with what they need to find the fair.
#[derive(Debug, Serialize, Queryable)]
pub struct MyRegistration {
    #[serde(flatten)]
    pub registration: Registration,
    pub event_title: String,
    pub event_status: EventStatus,
    pub event_venue: Option<String>,
    pub event_city: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub event_starts_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub event_ends_at: NaiveDateTime,
}

/// The caller's registrations (through their job seeker profile), oldest first; an empty page
/// for an account without a profile.
pub fn mine(
    conn: &mut DbConn,
    caller: &AuthUser,
    limit: i64,
    after: Option<Cursor>,
) -> AppResult<Page<MyRegistration>> {
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
}

/// One of the caller's own registrations with its event: the ticket. Anyone else's, or an
/// unknown id, is 404 `registration` (staff read registrations through the event's list).
pub fn my_ticket(
    conn: &mut DbConn,
    caller: &AuthUser,
    registration_id: &str,
) -> AppResult<(Registration, Event)> {
    let not_found = || AppError::not_found("registration");
    let registration: Registration = registrations::table
        .inner_join(job_seekers::table)
        .filter(registrations::id.eq(registration_id))
        .filter(job_seekers::user_id.eq(&caller.id))
        .select(Registration::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(not_found)?;
    let event = crate::events::find(conn, &registration.event_id)?.ok_or_else(not_found)?;
    Ok((registration, event))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_reads_what_the_desk_typed() {
        assert_eq!(Search::parse(None).unwrap(), None);
        assert_eq!(Search::parse(Some("   ")).unwrap(), None);
        let name = Search::parse(Some(" Siti ")).unwrap().unwrap();
        assert_eq!(name.name_pattern, "%siti%");
        assert_eq!(name.nik_last4, None);
        assert!(name.phones.is_empty());
        assert_eq!(name.check_in_key, None);
        // Wildcards are characters.
        let odd = Search::parse(Some("50%_a")).unwrap().unwrap();
        assert_eq!(odd.name_pattern, "%50\\%\\_a%");
        let nik = Search::parse(Some("0123")).unwrap().unwrap();
        assert_eq!(nik.nik_last4.as_deref(), Some("0123"));
        let code = Search::parse(Some("abcd-efgh-jkmn-pqrs")).unwrap().unwrap();
        assert_eq!(code.check_in_key.as_deref(), Some("ABCDEFGHJKMNPQRS"));
        let long = "x".repeat(MAX_SEARCH + 1);
        assert_eq!(Search::parse(Some(&long)).unwrap_err().status, 422);
        for control in ["\0\u{a4}", "Siti\nRahayu", "\u{202e}Siti"] {
            assert_eq!(Search::parse(Some(control)).unwrap_err().status, 422);
        }
    }

    #[test]
    fn a_phone_is_looked_for_as_profiles_keep_it() {
        let forms = phone_forms("0812-3456-7890");
        assert_eq!(forms, ["+6281234567890", "6281234567890", "081234567890"]);
        assert_eq!(phone_forms("+62 21 555 0101"), ["+62215550101"]);
        assert!(phone_forms("Siti").is_empty());
        assert!(phone_forms("1234").is_empty());
    }
}
