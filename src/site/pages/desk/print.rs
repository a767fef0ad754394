//! Two A4 sheets to print at the desk: tickets for the people staff registered (QR code, name,
//! the code in groups), and the registration list for the paper fallback at the door (name,
//! code, a box to tick). The print CSS is in the templates (`@page A4`, `@media print`).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::registrations::{row, RegistrationRow};
use super::{caller_at, fair_for, frame, FairHead, LIST_LIMIT};
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::events::Event;
use crate::registrations::lists::{self, ListFilter};
use crate::site::qr::inline_qr;
use crate::site::{error_response, i18n, render, Frame, Visitor};
use crate::AppState;

/// The fair and its registrations, every one of them (a page of the list at a time).
async fn registrations(
    visitor: &Visitor,
    state: &AppState,
    caller: AuthUser,
    id: String,
) -> AppResult<(Event, Vec<RegistrationRow>)> {
    let lang = visitor.lang;
    state
        .db(move |conn| {
            let event = fair_for(conn, &caller, &id)?;
            let mut rows = Vec::new();
            let mut after = None;
            loop {
                let filter = ListFilter {
                    limit: LIST_LIMIT,
                    after,
                    ..Default::default()
                };
                let page = lists::list(conn, &caller, &id, filter)?;
                rows.extend(
                    page.items
                        .into_iter()
                        .map(|item| row(item, &event.province_code, lang)),
                );
                match page.next_cursor {
                    Some(cursor) => after = crate::pagination::cursor(Some(&cursor))?,
                    None => break,
                }
            }
            rows.sort_by_key(|r| r.name.to_lowercase());
            Ok((event, rows))
        })
        .await
}

struct TicketCard {
    name: String,
    code: Vec<String>,
    qr: String,
}

#[derive(Template)]
#[template(path = "desk/print_tickets.html")]
struct TicketsPage {
    frame: Frame,
    fair: FairHead,
    tickets: Vec<TicketCard>,
}

/// `GET /desk/events/{id}/print/tickets`: the tickets of people registered by staff, to cut out
/// and hand over. Only for those who may see codes (the fair's staff and admins).
pub async fn tickets(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let (event, rows) = match registrations(&visitor, &state, caller, id).await {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let mut tickets = Vec::new();
    for r in rows.into_iter().filter(|r| r.registered_by_staff) {
        let Some(code) = r.raw_code else { continue };
        let label = i18n::fill(lang, "desk.ticket_qr_label", &[("name", &r.name)]);
        match inline_qr(&code, &label) {
            Ok(qr) => tickets.push(TicketCard {
                name: r.name,
                code: r.code,
                qr,
            }),
            Err(error) => return error_response(&visitor, &error),
        }
    }
    let page = TicketsPage {
        frame: frame(&visitor, &req, "print_tickets"),
        fair: FairHead::of(&event, lang),
        tickets,
    };
    render(&visitor, StatusCode::OK, &page)
}

#[derive(Template)]
#[template(path = "desk/print_list.html")]
struct ListPage {
    frame: Frame,
    fair: FairHead,
    rows: Vec<RegistrationRow>,
}

/// `GET /desk/events/{id}/print/list`: everyone registered, by name, with a box to tick.
pub async fn list(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let (event, rows) = match registrations(&visitor, &state, caller, id).await {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let page = ListPage {
        frame: frame(&visitor, &req, "print_list"),
        fair: FairHead::of(&event, visitor.lang),
        rows,
    };
    render(&visitor, StatusCode::OK, &page)
}
