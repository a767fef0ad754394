//! A fair's registrations at the desk, searchable by name, phone, the last four digits of the
//! NIK or the check-in code ([`crate::registrations::lists::Search`], the API's `q=`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{caller_at, fair_for, frame, FairHead, LIST_LIMIT};
use crate::registrations::lists::{self, ListFilter, RegistrationItem};
use crate::site::qr::code_groups;
use crate::site::{error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

pub(super) struct RegistrationRow {
    pub name: String,
    pub nik_last4: String,
    /// The check-in code in groups (none for ministry staff, who do not scan).
    pub code: Vec<String>,
    pub raw_code: Option<String>,
    pub checked_in: Option<String>,
    pub registered_by_staff: bool,
}

pub(super) fn row(item: RegistrationItem, province_code: &str, lang: Language) -> RegistrationRow {
    RegistrationRow {
        name: item.job_seeker_name,
        nik_last4: item.job_seeker_nik_last4,
        code: item
            .check_in_code
            .as_deref()
            .map(code_groups)
            .unwrap_or_default(),
        raw_code: item.check_in_code,
        checked_in: item
            .checked_in_at
            .map(|at| locale::local_time(at, province_code, lang)),
        registered_by_staff: item.registered_by_staff,
    }
}

#[derive(Template)]
#[template(path = "desk/registrations.html")]
struct RegistrationsPage {
    frame: Frame,
    fair: FairHead,
    q: String,
    q_error: Option<&'static str>,
    rows: Vec<RegistrationRow>,
    /// More than the page shows: the search narrows it down.
    more: bool,
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    q: String,
}

/// `GET /desk/events/{id}/registrations?q=`: the list, or what the search finds.
pub async fn list(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let q = query.into_inner().q;
    let search = Some(q.clone()).filter(|q| !q.trim().is_empty());
    let found = state
        .db(move |conn| {
            let event = fair_for(conn, &caller, &id)?;
            let filter = ListFilter {
                q: search,
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = lists::list(conn, &caller, &id, filter);
            Ok((event, page))
        })
        .await;
    let (event, page) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let (rows, more, q_error, status) = match page {
        Ok(page) => (
            page.items
                .into_iter()
                .map(|item| row(item, &event.province_code, lang))
                .collect(),
            page.next_cursor.is_some(),
            None,
            StatusCode::OK,
        ),
        Err(error) if error.details.iter().any(|d| d.field == "q") => (
            Vec::new(),
            false,
            Some(i18n::text(lang, "desk.error_q")),
            error.status,
        ),
        Err(error) => return error_response(&visitor, &error),
    };
    let page = RegistrationsPage {
        frame: frame(&visitor, &req, "registrations"),
        fair: FairHead::of(&event, lang),
        q,
        q_error,
        rows,
        more,
    };
    render(&visitor, status, &page)
}
