//! The public scorecard of a closed fair: its verified placements, cost per placement and who
//! was served, from the kept figures, with small groups suppressed (see METRICS.md).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::events::FairView;
use crate::error::AppError;
use crate::locale;
use crate::metrics::scorecard::EventScorecard;
use crate::metrics::Cell;
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::AppState;

/// One row of a breakdown table.
pub struct Row {
    pub label: String,
    pub attendees: String,
    pub placed: String,
    pub rate: String,
}

/// One breakdown table: only the cells the suppression left.
pub struct Table {
    pub id: &'static str,
    pub caption: &'static str,
    pub heading: &'static str,
    pub rows: Vec<Row>,
}

#[derive(Template)]
#[template(path = "events/scorecard.html")]
struct ScorecardPage {
    frame: Frame,
    fair: FairView,
    organizer: String,
    registrations: String,
    attendees: String,
    placements: String,
    rate: String,
    cost_per_placement: String,
    cost: String,
    tables: Vec<Table>,
    hidden: bool,
}

fn table(
    lang: Language,
    id: &'static str,
    cells: &std::collections::BTreeMap<String, Cell>,
) -> Table {
    let rows = cells
        .iter()
        .map(|(value, cell)| Row {
            label: match (id, value.as_str()) {
                (_, "unknown") => i18n::text(lang, "scorecard.unknown").to_owned(),
                ("gender" | "disability", _) => {
                    i18n::text(lang, &format!("scorecard.{id}_{value}")).to_owned()
                }
                ("age_band", _) => i18n::fill(lang, "scorecard.years", &[("band", value)]),
                _ => value.to_uppercase(),
            },
            attendees: locale::number(cell.attendees, lang),
            placed: locale::number(cell.placed_attendees, lang),
            rate: cell
                .placement_rate
                .map_or_else(|| "–".to_owned(), |r| locale::percent(r, lang)),
        })
        .collect();
    Table {
        id,
        caption: i18n::text(lang, &format!("scorecard.by_{id}")),
        heading: i18n::text(lang, &format!("scorecard.col_{id}")),
        rows,
    }
}

/// Whether the suppression hid anything: the shown cells of a breakdown add up to fewer
/// attendees than the headline.
fn anything_hidden(card: &EventScorecard) -> bool {
    let b = &card.breakdowns;
    [&b.gender, &b.age_band, &b.education_level, &b.disability]
        .iter()
        .any(|cells| cells.values().map(|c| c.attendees).sum::<i64>() < card.attendees)
}

/// `GET /events/{id}/scorecard`: the public scorecard of a closed fair
/// ([`crate::metrics::scorecard::find`]); any other fair is the not-found page.
pub async fn scorecard(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let lang = visitor.lang;
    let Ok(id) = crate::extract::path_id(&id, "event") else {
        return error_page(lang, StatusCode::NOT_FOUND);
    };
    let found = state
        .db(move |conn| {
            let card = crate::metrics::scorecard::find(conn, &id)?
                .ok_or_else(|| AppError::not_found("event"))?;
            let event = crate::events::get(conn, None, &id)?;
            Ok((card, event))
        })
        .await;
    let (card, event) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let fair = FairView::new(&event, lang);
    let rate = card
        .placement_rate
        .map_or_else(|| "–".to_owned(), |r| locale::percent(r, lang));
    let title = i18n::fill(lang, "scorecard.title", &[("fair", &fair.title)]);
    let description = i18n::fill(
        lang,
        "scorecard.description",
        &[
            (
                "placements",
                &locale::number(card.placements_verified, lang),
            ),
            ("rate", &rate),
            ("summary", &fair.summary()),
        ],
    );
    let frame = Frame::new(&visitor, &req, title, description);
    let b = &card.breakdowns;
    let tables = [
        table(lang, "gender", &b.gender),
        table(lang, "age_band", &b.age_band),
        table(lang, "education_level", &b.education_level),
        table(lang, "disability", &b.disability),
    ]
    .into_iter()
    .filter(|t| !t.rows.is_empty())
    .collect();
    let page = ScorecardPage {
        frame,
        organizer: card.organization_name.clone(),
        registrations: locale::number(i64::from(event.registrations_count), lang),
        attendees: locale::number(card.attendees, lang),
        placements: locale::number(card.placements_verified, lang),
        rate,
        cost_per_placement: card
            .cost_per_placement_idr
            .map_or_else(|| "–".to_owned(), |n| locale::rupiah(n, lang)),
        cost: locale::rupiah(card.cost_idr, lang),
        hidden: anything_hidden(&card),
        tables,
        fair,
    };
    render(&visitor, StatusCode::OK, &page)
}
