//! The follow-ups due for a fair's verified placements (90 and 180 days after the start):
//! [`crate::follow_ups::due`] for the fair's organizer, narrowed to this fair.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{caller_at, fair_for, frame, FairHead, LIST_LIMIT};
use crate::follow_ups::{self, DueFilter};
use crate::site::{error_response, i18n, render, Frame, Visitor};
use crate::{locale, AppState};

struct DueRow {
    name: String,
    checkpoint: String,
    due_date: String,
    start_date: String,
    status: &'static str,
}

#[derive(Template)]
#[template(path = "desk/follow_ups.html")]
struct DuePage {
    frame: Frame,
    fair: FairHead,
    rows: Vec<DueRow>,
}

/// `GET /desk/events/{id}/follow-ups`: the checkpoints due today or before, oldest first.
pub async fn due(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| {
            let event = fair_for(conn, &caller, &id)?;
            let filter = DueFilter {
                organization_id: Some(event.organization_id.clone()),
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = follow_ups::due(conn, &caller, &filter)?;
            Ok((event, page.items))
        })
        .await;
    let (event, items) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let rows = items
        .into_iter()
        .filter(|row| row.event_id == event.id)
        .map(|row| DueRow {
            name: row.job_seeker_name,
            checkpoint: i18n::fill(
                lang,
                "desk.follow_up_days",
                &[("days", &row.checkpoint.to_string())],
            ),
            due_date: locale::date(row.due_date, lang),
            start_date: locale::date(row.start_date, lang),
            status: i18n::text(lang, &format!("desk.placement_{}", row.status.as_str())),
        })
        .collect();
    let page = DuePage {
        frame: frame(&visitor, &req, "follow_ups"),
        fair: FairHead::of(&event, lang),
        rows,
    };
    render(&visitor, StatusCode::OK, &page)
}
