//! What one dashboard page reads, in one snapshot: the kept figures of the included events that
//! pass the view's filters, grouped every way the page shows them, and the organizations for the
//! filter. No per-event query: the work is the rollup's (see [`crate::metrics::rollup`]).

use chrono::NaiveDate;
use diesel::prelude::*;

use super::query::{Period, View};
use crate::db::schema::{events, organizations};
use crate::db::DbConn;
use crate::events::EventStatus;
use crate::metrics::rollup::{self, filtered, Figures, Filter, GroupBy, Row};

/// The trend's periods the rollups offer. Quarters wait for the rollups' `quarter` grouping
/// (METRICS.md); until then the trend is by month.
pub const PERIODS: &[Period] = &[Period::Month];

/// One fair of the drill-down, with its kept figures.
pub struct Fair {
    pub id: String,
    pub title: String,
    pub organization_id: String,
    pub local_start_date: NaiveDate,
    pub attendees: i64,
    pub placements_verified: i64,
    pub placement_rate: Option<f64>,
    pub cost_idr: i64,
    pub cost_per_placement_idr: Option<i64>,
}

/// Everything a dashboard page shows.
pub struct Data {
    pub totals: Figures,
    pub provinces: Vec<Row>,
    pub periods: Vec<Row>,
    pub funding: Vec<Row>,
    pub organizers: Vec<Row>,
    /// The fairs of the chosen province (empty without one).
    pub fairs: Vec<Fair>,
    /// The organizations the organizer filter offers: (id, name), by name.
    pub organizations: Vec<(String, String)>,
}

/// The figures of a grouping the page offers for download.
pub fn grouping(
    conn: &mut DbConn,
    group_by: GroupBy,
    filter: &Filter,
) -> QueryResult<rollup::Rollup> {
    rollup::rollup(conn, group_by, filter)
}

#[derive(Queryable)]
struct FairRow {
    id: String,
    title: String,
    organization_id: String,
    local_start_date: NaiveDate,
    status: EventStatus,
    budget_idr: i64,
    spent_idr: Option<i64>,
    attendees_count: i32,
    placements_verified_count: i32,
    placed_attendees_count: i32,
}

/// Reads the page's figures for `view` within `filter.member`'s reach.
pub fn load(conn: &mut DbConn, view: &View, member: Option<String>) -> QueryResult<Data> {
    let filter = view.filter(member.clone());
    let provinces = rollup::rollup(conn, GroupBy::Province, &filter)?;
    let period = match view.period {
        Period::Month | Period::Quarter => GroupBy::Month,
    };
    let periods = rollup::rollup(conn, period, &filter)?.rows;
    let funding = rollup::rollup(conn, GroupBy::FundingSource, &filter)?.rows;
    let organizers = rollup::rollup(conn, GroupBy::Organization, &filter)?.rows;
    let fairs = if view.province.is_some() {
        filtered!(
            events::table
                .select((
                    events::id,
                    events::title,
                    events::organization_id,
                    events::local_start_date,
                    events::status,
                    events::budget_idr,
                    events::spent_idr,
                    events::attendees_count,
                    events::placements_verified_count,
                    events::placed_attendees_count,
                ))
                .order((events::local_start_date.asc(), events::id.asc()))
                .into_boxed(),
            &filter
        )
        .load::<FairRow>(conn)?
        .into_iter()
        .map(|row| {
            let (cost_idr, _) = crate::metrics::cost(row.status, row.budget_idr, row.spent_idr);
            let attendees = i64::from(row.attendees_count);
            let verified = i64::from(row.placements_verified_count);
            Fair {
                id: row.id,
                title: row.title,
                organization_id: row.organization_id,
                local_start_date: row.local_start_date,
                attendees,
                placements_verified: verified,
                placement_rate: crate::metrics::rate(
                    i64::from(row.placed_attendees_count),
                    attendees,
                ),
                cost_idr,
                cost_per_placement_idr: crate::metrics::divide_money(cost_idr, verified),
            }
        })
        .collect()
    } else {
        Vec::new()
    };
    let mut orgs = organizations::table
        .select((organizations::id, organizations::name))
        .filter(organizations::kind.eq("organizer"))
        .order((organizations::name.asc(), organizations::id.asc()))
        .into_boxed();
    if let Some(user_id) = member {
        orgs = orgs.filter(organizations::id.eq_any(crate::events::member_organizations(user_id)));
    }
    let organizations = orgs.load(conn)?;
    Ok(Data {
        totals: provinces.totals,
        provinces: provinces.rows,
        periods,
        funding,
        organizers,
        fairs,
        organizations,
    })
}
