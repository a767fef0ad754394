//! `GET /api/v1/events/{id}/scorecard`: the public account of a closed job fair, for anyone,
//! without a token.
//!
//! The figures are the per-event ones of `../shared/METRICS.md`, computed by [`super::load`] and
//! [`super::compute`], reduced to the headline numbers. The breakdowns are those of the
//! contract with small cells suppressed: a cell with fewer than [`MIN_PUBLIC_CELL`] attendees
//! shows `null` for its counts and its rate, so that a public page cannot single out one or two
//! people (the one job seeker with a disability at a small fair, say). Only closed events have
//! a scorecard: the figures of a fair still running are not final, and a draft or cancelled
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

/// A breakdown cell as the public sees it: all three values, or all three `null`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicCell {
    pub attendees: Option<i64>,
    pub placed_attendees: Option<i64>,
    pub placement_rate: Option<f64>,
}

impl PublicCell {
    pub fn from_cell(cell: &Cell) -> Self {
        if cell.attendees < MIN_PUBLIC_CELL {
            return Self {
                attendees: None,
                placed_attendees: None,
                placement_rate: None,
            };
        }
        Self {
            attendees: Some(cell.attendees),
            placed_attendees: Some(cell.placed_attendees),
            placement_rate: cell.placement_rate,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PublicBreakdowns {
    pub gender: BTreeMap<String, PublicCell>,
    pub age_band: BTreeMap<String, PublicCell>,
    pub education_level: BTreeMap<String, PublicCell>,
    pub disability: BTreeMap<String, PublicCell>,
}

impl PublicBreakdowns {
    pub fn from_breakdowns(b: &Breakdowns) -> Self {
        let public = |map: &BTreeMap<String, Cell>| {
            map.iter()
                .map(|(value, cell)| (value.clone(), PublicCell::from_cell(cell)))
                .collect()
        };
        Self {
            gender: public(&b.gender),
            age_band: public(&b.age_band),
            education_level: public(&b.education_level),
            disability: public(&b.disability),
        }
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
    pub breakdowns: PublicBreakdowns,
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
        breakdowns: PublicBreakdowns::from_breakdowns(&m.breakdowns),
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

    #[test]
    fn cells_under_five_attendees_are_suppressed_whole() {
        let hidden = PublicCell {
            attendees: None,
            placed_attendees: None,
            placement_rate: None,
        };
        assert_eq!(PublicCell::from_cell(&cell(1, 0)), hidden);
        assert_eq!(PublicCell::from_cell(&cell(4, 4)), hidden);
        assert_eq!(
            PublicCell::from_cell(&cell(5, 1)),
            PublicCell {
                attendees: Some(5),
                placed_attendees: Some(1),
                placement_rate: Some(0.2),
            }
        );
    }

    #[test]
    fn every_value_keeps_its_key() {
        let mut b = Breakdowns::default();
        b.disability.insert("true".into(), cell(2, 1));
        b.disability.insert("false".into(), cell(8, 2));
        let public = PublicBreakdowns::from_breakdowns(&b);
        assert_eq!(public.disability["true"].attendees, None);
        assert_eq!(public.disability["false"].attendees, Some(8));
        assert!(public.gender.is_empty());
    }
}
