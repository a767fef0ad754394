//! The organizer's desk, `/desk/…`: the pages of the staff who run fairs (organizer staff, and
//! admins and ministry staff where the domain lets them read or act). Every page and action
//! calls the domain function the JSON API calls, whose guard decides who may: another
//! organization's staff get its 404/403, an employer or job seeker 403, a visitor signed out the
//! way to sign in. The fair's hub, `/desk/events/{id}`, links to each sub-page.

pub mod employers;
pub mod fair_form;
pub mod fairs;
pub mod follow_ups;
pub mod metrics;
pub mod organization;
pub mod placements;
pub mod print;
pub mod registrations;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{DateTime, NaiveDateTime, Utc};

use super::seeker::signed_in;
use crate::auth::{guards, AuthUser, Role};
use crate::error::AppError;
use crate::events::{self, Event, EventStatus};
use crate::organizations::{self, OrganizationKind};
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// How many rows a desk list shows at once: a fair's worth.
const LIST_LIMIT: i64 = crate::pagination::MAX_LIMIT;

/// The roles the desk is for; the domain functions decide the rest.
const DESK_ROLES: &[Role] = &[Role::Admin, Role::Ministry, Role::Organizer];

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource("/desk").route(web::get().to(home)))
        .service(web::resource("/desk/organizations/{id}").route(web::get().to(organization::show)))
        .service(
            web::resource("/desk/organizations/{id}/members")
                .route(web::post().to(organization::add_member)),
        )
        .service(
            web::resource("/desk/organizations/{id}/members/{user_id}/remove")
                .route(web::post().to(organization::remove_member)),
        )
        .service(web::resource("/desk/events").route(web::post().to(fair_form::create)))
        .service(web::resource("/desk/events/new").route(web::get().to(fair_form::new_form)))
        .service(web::resource("/desk/events/{id}").route(web::get().to(fairs::hub)))
        .service(
            web::resource("/desk/events/{id}/edit")
                .route(web::get().to(fair_form::edit_form))
                .route(web::post().to(fair_form::update)),
        )
        .service(web::resource("/desk/events/{id}/publish").route(web::post().to(fairs::publish)))
        .service(web::resource("/desk/events/{id}/cancel").route(web::post().to(fairs::cancel)))
        .service(web::resource("/desk/events/{id}/close").route(web::post().to(fairs::close)))
        .service(web::resource("/desk/events/{id}/employers").route(web::get().to(employers::list)))
        .service(
            web::resource("/desk/events/{id}/employers/{organization_id}/{decision}")
                .route(web::post().to(employers::decide)),
        )
        .service(
            web::resource("/desk/events/{id}/registrations")
                .route(web::get().to(registrations::list)),
        )
        .service(
            web::resource("/desk/events/{id}/placements").route(web::get().to(placements::queue)),
        )
        .service(
            web::resource("/desk/placements/{id}/verify").route(web::post().to(placements::verify)),
        )
        .service(
            web::resource("/desk/placements/{id}/reject").route(web::post().to(placements::reject)),
        )
        .service(
            web::resource("/desk/placements/{id}/confirmation-link")
                .route(web::post().to(placements::confirmation_link)),
        )
        .service(
            web::resource("/desk/events/{id}/follow-ups").route(web::get().to(follow_ups::due)),
        )
        .service(
            web::resource("/desk/events/{id}/metrics").route(web::get().to(metrics::figures_page)),
        )
        .service(web::resource("/desk/events/{id}/audit").route(web::get().to(metrics::audit)))
        .service(
            web::resource("/desk/events/{id}/print/tickets").route(web::get().to(print::tickets)),
        )
        .service(web::resource("/desk/events/{id}/print/list").route(web::get().to(print::list)));
}

/// A desk page's frame: its title and description from `desk.<page>_title` / `_description`.
fn frame(visitor: &Visitor, req: &HttpRequest, page: &str) -> Frame {
    let lang = visitor.lang;
    Frame::new(
        visitor,
        req,
        i18n::text(lang, &format!("desk.{page}_title")).to_owned(),
        i18n::text(lang, &format!("desk.{page}_description")).to_owned(),
    )
}

/// The signed-in caller, or the way to sign in and come back to this page.
fn caller(visitor: &Visitor, req: &HttpRequest) -> Result<AuthUser, Box<HttpResponse>> {
    signed_in(visitor, req.uri().path())
}

/// The signed-in caller and a page's path id: what most desk pages start with.
fn caller_at(
    visitor: &Visitor,
    req: &HttpRequest,
    raw: &str,
    what: &'static str,
) -> Result<(AuthUser, String), Box<HttpResponse>> {
    Ok((caller(visitor, req)?, path_id(visitor, raw, what)?))
}

/// A path id, or the not-found page for one that cannot be an id.
fn path_id(visitor: &Visitor, raw: &str, what: &'static str) -> Result<String, Box<HttpResponse>> {
    crate::extract::path_id(raw, what)
        .map_err(|_| Box::new(error_page(visitor.lang, StatusCode::NOT_FOUND)))
}

/// The text of a `?done=` notice after an action, from a fixed list (anything else shows none).
fn done_notice(lang: Language, done: Option<&str>) -> Option<&'static str> {
    const DONE: &[&str] = &[
        "created",
        "updated",
        "published",
        "cancelled",
        "closed",
        "approved",
        "rejected",
        "verified",
        "added",
        "removed",
    ];
    let done = done.filter(|d| DONE.contains(d))?;
    Some(i18n::text(lang, &format!("desk.done_{done}")))
}

#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct DoneQuery {
    done: Option<String>,
}

/// The fair for a desk page, as its reader may see it ([`guards::event_reader`]: its staff,
/// ministry staff and admins; others 403 or 404).
fn fair_for(conn: &mut crate::db::DbConn, caller: &AuthUser, id: &str) -> Result<Event, AppError> {
    guards::event_reader(conn, caller, id)
}

/// What the pages show of a fair: its title, status and times in its own zone.
pub(super) struct FairHead {
    id: String,
    title: String,
    status: &'static str,
    starts: String,
    ends: String,
    place: String,
}

impl FairHead {
    fn of(event: &Event, lang: Language) -> Self {
        Self {
            id: event.id.clone(),
            title: event.title.clone(),
            status: status_text(event.status, lang),
            starts: locale::local_time(event.starts_at, &event.province_code, lang),
            ends: locale::local_time(event.ends_at, &event.province_code, lang),
            place: match &event.venue {
                Some(venue) => format!("{venue}, {}", event.city),
                None => event.city.clone(),
            },
        }
    }
}

fn status_text(status: EventStatus, lang: Language) -> &'static str {
    i18n::text(lang, &format!("desk.status_{}", status.as_str()))
}

// ---------------------------------------------------------------------------------- the home

struct OrganizationRow {
    id: String,
    name: String,
}

struct FairRow {
    id: String,
    title: String,
    status: &'static str,
    starts: String,
    organization: String,
}

#[derive(Template)]
#[template(path = "desk/home.html")]
struct HomePage {
    frame: Frame,
    organizations: Vec<OrganizationRow>,
    fairs: Vec<FairRow>,
    /// Organizers and admins create fairs; ministry staff read.
    may_create: bool,
    /// Whether to link to the IPK III report (shown only to whom its page opens for).
    ipk3_link: bool,
}

/// `GET /desk`: the caller's organizer organizations and their fairs (admins and ministry staff:
/// every fair).
pub async fn home(visitor: Visitor, req: HttpRequest, state: web::Data<AppState>) -> HttpResponse {
    let caller = match caller(&visitor, &req) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let may_create = matches!(caller.role, Role::Admin | Role::Organizer);
    let ipk3_link = super::reports::may_open(caller.role);
    let found = state
        .db(move |conn| {
            guards::role(&caller, DESK_ROLES)?;
            let memberships: Vec<_> = organizations::memberships_of(conn, &caller.id)?
                .into_iter()
                .filter(|m| m.kind == OrganizationKind::Organizer)
                .collect();
            let scopes: Vec<Option<String>> = if caller.role.reads_everything() {
                vec![None]
            } else {
                memberships
                    .iter()
                    .map(|m| Some(m.organization_id.clone()))
                    .collect()
            };
            let mut fairs = Vec::new();
            for organization_id in scopes {
                let query = events::ListQuery {
                    organization_id,
                    limit: Some(LIST_LIMIT),
                    ..Default::default()
                };
                fairs.extend(events::list(conn, Some(&caller), query)?.items);
            }
            fairs.sort_by_key(|e| std::cmp::Reverse(e.starts_at));
            let mut rows = Vec::new();
            for event in fairs {
                let organization = organizations::find(conn, &event.organization_id)?
                    .map(|o| o.name)
                    .unwrap_or_default();
                rows.push(FairRow {
                    status: status_text(event.status, lang),
                    starts: locale::local_time(event.starts_at, &event.province_code, lang),
                    id: event.id,
                    title: event.title,
                    organization,
                });
            }
            let organizations = memberships
                .into_iter()
                .map(|m| OrganizationRow {
                    id: m.organization_id,
                    name: m.name,
                })
                .collect();
            Ok((organizations, rows))
        })
        .await;
    let (organizations, fairs) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let page = HomePage {
        frame: frame(&visitor, &req, "home"),
        organizations,
        fairs,
        may_create,
        ipk3_link,
    };
    render(&visitor, StatusCode::OK, &page)
}

// ------------------------------------------------------------------------- reading the forms

/// Rupiah as people type it: `Rp 1.250.000`, `1250000`, `1.250.000,00`, `Rp1,250,000`. Dots,
/// commas and spaces between digits are thousands separators; a trailing `,00` or `,-` is
/// dropped. `None` for anything else (letters, a negative amount, cents).
pub fn parse_rupiah(raw: &str) -> Option<i64> {
    let text = raw.trim();
    let text = text
        .strip_prefix("Rp")
        .or_else(|| text.strip_prefix("rp"))
        .or_else(|| text.strip_prefix("RP"))
        .unwrap_or(text)
        .trim_start_matches('.')
        .trim();
    let text = text
        .strip_suffix(",00")
        .or_else(|| text.strip_suffix(",-"))
        .unwrap_or(text);
    let digits: String = text
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// A `datetime-local` field read in the fair's zone (WIB, WITA or WIT by its province), as the
/// UTC instant the domain takes.
pub fn parse_local_time(raw: &str, province_code: &str) -> Option<DateTime<Utc>> {
    let raw = raw.trim();
    let local = NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M")
        .or_else(|_| NaiveDateTime::parse_from_str(raw, "%Y-%m-%dT%H:%M:%S"))
        .ok()?;
    let offset = crate::placements::province_offset(province_code);
    Some((local - offset).and_utc())
}

/// A UTC instant as a `datetime-local` value in the fair's zone.
pub fn local_input(at: NaiveDateTime, province_code: &str) -> String {
    locale::local(at, province_code)
        .format("%Y-%m-%dT%H:%M")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rupiah_is_read_as_people_write_it() {
        assert_eq!(parse_rupiah("Rp 1.250.000"), Some(1_250_000));
        assert_eq!(parse_rupiah("Rp1.250.000,00"), Some(1_250_000));
        assert_eq!(parse_rupiah("1250000"), Some(1_250_000));
        assert_eq!(parse_rupiah(" rp 1,250,000 "), Some(1_250_000));
        assert_eq!(parse_rupiah("Rp 750.000,-"), Some(750_000));
        assert_eq!(parse_rupiah("0"), Some(0));
        assert_eq!(parse_rupiah(""), None);
        assert_eq!(parse_rupiah("Rp"), None);
        assert_eq!(parse_rupiah("-5000"), None);
        assert_eq!(parse_rupiah("1,5 juta"), None);
        assert_eq!(parse_rupiah("99999999999999999999999"), None);
    }

    #[test]
    fn times_are_entered_and_shown_in_the_fair_zone() {
        // Papua (WIT, UTC+9): 08.00 local is 23.00 UTC the day before.
        let utc = parse_local_time("2026-12-10T08:00", "91").unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-12-09T23:00:00+00:00");
        assert_eq!(local_input(utc.naive_utc(), "91"), "2026-12-10T08:00");
        // Jakarta (WIB, UTC+7).
        let utc = parse_local_time("2026-12-10T08:00", "31").unwrap();
        assert_eq!(utc.to_rfc3339(), "2026-12-10T01:00:00+00:00");
        assert_eq!(parse_local_time("10/12/2026 08:00", "31"), None);
    }
}
