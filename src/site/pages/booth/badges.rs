//! Name badges for the employer's staff at a fair, on A4 pages ready to print: the
//! organization's name, the person's name and the fair. The QR code says only that, in words
//! anyone may read (nothing secret: no id, no token).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{booth_of, frame, path_id};
use crate::site::pages::seeker::signed_in;
use crate::site::{error_page, error_response, render, Frame, Visitor};
use crate::AppState;

pub struct Badge {
    pub name: String,
    /// An inline SVG, made here from public words.
    pub qr: String,
}

#[derive(Template)]
#[template(path = "booth/badges.html")]
struct BadgesPage {
    frame: Frame,
    back: String,
    organization: String,
    fair: String,
    badges: Vec<Badge>,
}

/// `GET /booth/{org}/fairs/{event}/badges`: one badge per member of the organization.
pub async fn page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
) -> HttpResponse {
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (o, e) = (org.clone(), event.clone());
    let found = state
        .db(move |conn| {
            let (organization, event) = booth_of(conn, &caller, &o, &e)?;
            let members = crate::organizations::manage::members(conn, &caller, &o)?;
            Ok((organization, event, members))
        })
        .await;
    let (organization, event, members) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let mut badges = Vec::new();
    for member in members {
        let words = format!(
            "{} · {} · {}",
            member.full_name, organization.name, event.title
        );
        match crate::site::qr::inline_qr(&words, &words) {
            Ok(qr) => badges.push(Badge {
                name: member.full_name,
                qr,
            }),
            Err(error) => return error_response(&visitor, &error),
        }
    }
    let page = BadgesPage {
        frame: frame(&visitor, &req, "booth.badges_title"),
        back: format!("/booth/{org}/fairs/{event}", event = event.id),
        organization: organization.name,
        fair: event.title,
        badges,
    };
    render(&visitor, StatusCode::OK, &page)
}
