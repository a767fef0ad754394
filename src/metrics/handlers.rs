//! The metrics routes: one event's figures (`GET /api/v1/events/{id}/metrics`) and the rollups
//! (`GET /api/v1/metrics`), for staff.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::rollup::{self, Filter, GroupBy, Rollup};
use crate::auth::{guards, AuthUser};
use crate::error::{AppError, AppResult};
use crate::events::FundingSource;
use crate::export::{Column, Format, Kind, Table, Value};
use crate::extract::{path_id, ApiQuery};
use crate::AppState;

/// `GET /api/v1/events/{id}/metrics`: see [`super::of_event`] for who may ask.
pub async fn event_metrics(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let metrics = state
        .db(move |conn| super::of_event(conn, &caller, &event_id))
        .await?;
    Ok(HttpResponse::Ok().json(metrics))
}

/// The parameters of a rollup (and of its export, which adds `format`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupQuery {
    group_by: Option<GroupBy>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    province_code: Option<String>,
    organization_id: Option<String>,
    funding_source: Option<FundingSource>,
    /// The export's file format; the JSON rollup takes none.
    pub format: Option<Format>,
}

/// Checks the parameters and computes the rollup (see [`rollup::for_caller`] for who may ask).
pub async fn compute_rollup(
    state: &AppState,
    caller: AuthUser,
    query: RollupQuery,
) -> AppResult<Rollup> {
    guards::role(&caller, &rollup::READERS)?;
    let group_by = query
        .group_by
        .ok_or_else(|| AppError::invalid_field("group_by", "is required"))?;
    if let (Some(from), Some(to)) = (query.from, query.to) {
        if from > to {
            return Err(AppError::invalid_field("to", "must not be before from"));
        }
    }
    let organization_id = match query.organization_id.as_deref() {
        Some(raw) => Some(
            uuid::Uuid::parse_str(raw)
                .map_err(|_| AppError::invalid_field("organization_id", "is not a UUID"))?
                .hyphenated()
                .to_string(),
        ),
        None => None,
    };
    let filter = Filter {
        from: query.from,
        to: query.to,
        province_code: crate::validate::province_filter(query.province_code)?,
        organization_id,
        funding_source: query.funding_source,
        member: (!caller.role.reads_everything()).then(|| caller.id.clone()),
    };
    state
        .db(move |conn| rollup::for_caller(conn, &caller, group_by, &filter))
        .await
}

/// `GET /api/v1/metrics`: the rollup as JSON.
pub async fn rollup(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<RollupQuery>,
) -> AppResult<HttpResponse> {
    if query.format.is_some() {
        return Err(AppError::invalid_field(
            "format",
            "is a parameter of /api/v1/metrics/export",
        ));
    }
    let rollup = compute_rollup(&state, caller, query).await?;
    Ok(HttpResponse::Ok().json(rollup))
}

/// `GET /api/v1/metrics/export`: the rollup as a CSV or XLSX file, one row per group and then a
/// `totals` row, with the JSON's figures in the JSON's names.
pub async fn export(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(mut query): ApiQuery<RollupQuery>,
) -> AppResult<HttpResponse> {
    let format = Format::required(query.format.take())?;
    let rollup = compute_rollup(&state, caller, query).await?;
    let name = format!("bursa-metrics-by-{}", rollup.group_by);
    crate::export::respond(rollup_table(&rollup)?, format, &name).await
}

/// The rows and totals of a rollup as a table.
fn rollup_table(rollup: &Rollup) -> AppResult<Table> {
    use Kind::{Integer, Money, Rate, Text};
    let columns = [
        ("key", Text),
        ("label", Text),
        ("events", Integer),
        ("registrations", Integer),
        ("attendees", Integer),
        ("openings", Integer),
        ("applications", Integer),
        ("placements_reported", Integer),
        ("placements_verified", Integer),
        ("placements_disputed", Integer),
        ("placements_seeker_confirmed", Integer),
        ("placements_staff_only", Integer),
        ("placed_attendees", Integer),
        ("budget_idr", Money),
        ("cost_idr", Money),
        ("placement_rate", Rate),
        ("vacancy_fill_rate", Rate),
        ("cost_per_placement_idr", Money),
        ("unique_job_seekers", Integer),
    ];
    let mut table = Table::new(
        format!("by {}", rollup.group_by),
        columns
            .into_iter()
            .map(|(name, kind)| Column::new(name, kind))
            .collect(),
    );
    let rows = rollup
        .rows
        .iter()
        .map(|row| (row.key.as_str(), row.label.as_deref(), &row.figures))
        .chain([("totals", None, &rollup.totals)]);
    for (key, label, f) in rows {
        let count = |n: i64| Some(Value::Integer(n));
        table.push(vec![
            Some(Value::text(key)),
            label.map(Value::text),
            count(f.events),
            count(f.registrations),
            count(f.attendees),
            count(f.openings),
            count(f.applications),
            count(f.placements_reported),
            count(f.placements_verified),
            count(f.placements_disputed),
            count(f.placements_seeker_confirmed),
            count(f.placements_staff_only),
            count(f.placed_attendees),
            Some(Value::Money(f.budget_idr)),
            Some(Value::Money(f.cost_idr)),
            f.placement_rate.map(Value::Rate),
            f.vacancy_fill_rate.map(Value::Rate),
            f.cost_per_placement_idr.map(Value::Money),
            count(f.unique_job_seekers),
        ])?;
    }
    Ok(table)
}
