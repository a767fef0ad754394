//! `GET /api/v1/events/{id}/scorecard`: the public account of a closed job fair, for anyone,
//! without a token.
//!
//! The figures are the per-event ones of `docs/metrics.md`, computed by [`super::load`] and
//! [`super::compute`], reduced to the headline numbers. The breakdowns are those of the
//! contract with small cells suppressed ([`suppress`]), so that a public page cannot single out
//! one or two people (the one job seeker with a disability at a small fair, say): a cell is
//! shown only with at least [`MIN_PUBLIC_CELL`] attendees, and hidden cells are left out, keys
//! included. Because the cells of a breakdown add up to the headline attendees, a lone hidden
//! cell could be recovered by subtraction: when the hidden cells add up to 1 to 4 attendees, the
//! smallest shown cell is hidden too, until the hidden total is 0 or at least 5 (or nothing is
//! left). An event with fewer than 5 attendees shows no breakdowns. Only closed events have a
//! scorecard: the figures of a fair still running are not final, and a draft or cancelled
//! event must not be seen to exist.

use std::collections::BTreeMap;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Serialize;

use super::{Breakdowns, Cell, EventMetrics};
use crate::db::schema::organizations;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::extract::path_id;
use crate::AppState;

/// The fewest attendees a breakdown cell of a public view may show.
pub const MIN_PUBLIC_CELL: i64 = 5;

/// The cells of one breakdown a public view may show, given the headline `attendees` the cells
/// add up to: those with at least [`MIN_PUBLIC_CELL`] attendees, less the smallest shown ones
/// (on a tie, the first by value) while the hidden ones add up to 1 to 4 attendees. Nothing when
/// the event has fewer than [`MIN_PUBLIC_CELL`] attendees.
pub fn suppress(cells: &BTreeMap<String, Cell>, attendees: i64) -> BTreeMap<String, Cell> {
    if attendees < MIN_PUBLIC_CELL {
        return BTreeMap::new();
    }
    let mut shown: BTreeMap<String, Cell> = cells
        .iter()
        .filter(|(_, cell)| cell.attendees >= MIN_PUBLIC_CELL)
        .map(|(value, cell)| (value.clone(), cell.clone()))
        .collect();
    loop {
        // What a reader could recover: the headline less the shown cells.
        let hidden = attendees - shown.values().map(|c| c.attendees).sum::<i64>();
        if hidden <= 0 || hidden >= MIN_PUBLIC_CELL {
            return shown;
        }
        let smallest = shown
            .iter()
            .min_by_key(|(value, cell)| (cell.attendees, value.as_str()))
            .map(|(value, _)| value.clone());
        match smallest {
            Some(value) => shown.remove(&value),
            None => return shown,
        };
    }
}

/// The breakdowns a public view may show (see [`suppress`]).
pub fn public_breakdowns(b: &Breakdowns, attendees: i64) -> Breakdowns {
    Breakdowns {
        gender: suppress(&b.gender, attendees),
        age_band: suppress(&b.age_band, attendees),
        education_level: suppress(&b.education_level, attendees),
        disability: suppress(&b.disability, attendees),
    }
}

/// The public scorecard of a closed event.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventScorecard {
    pub event_id: String,
    pub title: String,
    pub organization_name: String,
    pub province_code: String,
    pub province_name: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub starts_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub ends_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub closed_at: Option<NaiveDateTime>,
    pub attendees: i64,
    pub vacancies: i64,
    pub openings: i64,
    pub placements_verified: i64,
    pub placement_rate: Option<f64>,
    pub vacancy_fill_rate: Option<f64>,
    pub cost_idr: i64,
    pub cost_basis: &'static str,
    pub cost_per_placement_idr: Option<i64>,
    /// Suppressed for the public: see [`suppress`].
    pub breakdowns: Breakdowns,
}

/// The scorecard of `event` from its figures and its organization's name.
pub fn scorecard(event: &Event, organization_name: String, m: &EventMetrics) -> EventScorecard {
    EventScorecard {
        event_id: event.id.clone(),
        title: event.title.clone(),
        organization_name,
        province_code: event.province_code.clone(),
        province_name: crate::provinces::find(&event.province_code)
            .map_or_else(String::new, |p| p.name.to_owned()),
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        closed_at: event.closed_at,
        attendees: m.attendees,
        vacancies: m.vacancies,
        openings: m.openings,
        placements_verified: m.placements_verified,
        placement_rate: m.placement_rate,
        vacancy_fill_rate: m.vacancy_fill_rate,
        cost_idr: m.cost_idr,
        cost_basis: m.cost_basis,
        cost_per_placement_idr: m.cost_per_placement_idr,
        breakdowns: public_breakdowns(&m.breakdowns, m.attendees),
    }
}

/// The scorecard of the closed event `id`; `None` for an unknown event and for one that is not
/// closed, alike.
pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<EventScorecard>> {
    let Some(event) =
        crate::events::find(conn, id)?.filter(|e| e.status == crate::events::EventStatus::Closed)
    else {
        return Ok(None);
    };
    let organization_name = organizations::table
        .find(&event.organization_id)
        .select(organizations::name)
        .first::<String>(conn)?;
    let facts = super::load(conn, &event)?;
    let metrics = super::compute(&facts);
    Ok(Some(scorecard(&event, organization_name, &metrics)))
}

/// Anyone, with or without a token (a token is not even read). Public caches may keep the
/// answer for a minute: a closed event changes only as late hires are confirmed.
pub async fn event_scorecard(
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "event")?;
    let card = state
        .db(move |conn| find(conn, &id)?.ok_or_else(|| AppError::not_found("event")))
        .await?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CACHE_CONTROL, "public, max-age=60"))
        .json(card))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cell(attendees: i64, placed: i64) -> Cell {
        Cell {
            attendees,
            placed_attendees: placed,
            placement_rate: super::super::rate(placed, attendees),
        }
    }

    fn breakdown(cells: &[(&str, i64)]) -> BTreeMap<String, Cell> {
        cells
            .iter()
            .map(|(value, n)| ((*value).to_owned(), cell(*n, 0)))
            .collect()
    }

    fn shown(cells: &BTreeMap<String, Cell>) -> Vec<(&str, i64)> {
        cells
            .iter()
            .map(|(value, cell)| (value.as_str(), cell.attendees))
            .collect()
    }

    #[test]
    fn cells_under_five_attendees_are_left_out_whole() {
        let cells = breakdown(&[("a", 6), ("b", 5), ("c", 3), ("d", 2)]);
        // 5 hidden: nothing more to hide.
        assert_eq!(shown(&suppress(&cells, 16)), [("a", 6), ("b", 5)]);
        let cells = breakdown(&[("a", 5), ("b", 1)]);
        let public = suppress(&cells, 6);
        assert!(!public.contains_key("b")); // the key too
        assert!(public.is_empty()); // 1 hidden: "a" would give it away
        let mut cells = BTreeMap::new();
        cells.insert("x".to_owned(), cell(5, 1));
        assert_eq!(suppress(&cells, 5)["x"], cell(5, 1)); // shown cells keep every figure
    }

    #[test]
    fn a_recoverable_hidden_total_hides_the_smallest_shown_cells() {
        // 12 attendees, one cell of 2: the next smallest (5) goes too, leaving 7 hidden.
        let cells = breakdown(&[("female", 5), ("male", 5), ("unknown", 2)]);
        assert_eq!(shown(&suppress(&cells, 12)), [("male", 5)]);
        let cells = breakdown(&[("female", 7), ("male", 5), ("other", 2)]);
        assert_eq!(shown(&suppress(&cells, 14)), [("female", 7)]);
        // Hidden 1 + 1: the smallest shown (6) goes, then 8 hidden is enough.
        let cells = breakdown(&[("a", 9), ("b", 6), ("c", 1), ("d", 1)]);
        assert_eq!(shown(&suppress(&cells, 17)), [("a", 9)]);
        // Two cells only, one of them small: the whole breakdown goes.
        let cells = breakdown(&[("true", 1), ("false", 8)]);
        assert!(suppress(&cells, 9).is_empty());
        // Nothing hidden: everything shown.
        let cells = breakdown(&[("a", 5), ("b", 5)]);
        assert_eq!(shown(&suppress(&cells, 10)), [("a", 5), ("b", 5)]);
    }

    #[test]
    fn an_event_under_five_attendees_shows_no_breakdowns() {
        let cells = breakdown(&[("a", 4)]);
        assert!(suppress(&cells, 4).is_empty());
        let b = Breakdowns {
            gender: breakdown(&[("female", 4)]),
            ..Breakdowns::default()
        };
        assert_eq!(public_breakdowns(&b, 4), Breakdowns::default());
    }
}
