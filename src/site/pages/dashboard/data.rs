//! What one dashboard page reads: one [`Scope`] of the rollups, the kept figures of the included
//! events that pass the view's filters read once in one snapshot, then grouped in memory every
//! way the page shows them; and the organizations for the filter. No query per event.

use chrono::NaiveDate;
use diesel::prelude::*;

use super::query::{Period, View};
use crate::db::schema::organizations;
use crate::db::DbConn;
use crate::metrics::rollup::{self, Figures, Filter, GroupBy, Grouping, Row, Scope};
use crate::organizations::OrganizationKind;

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
    /// The fairs of the chosen province (empty without one), by date.
    pub fairs: Vec<Fair>,
    /// The organizations the organizer filter offers: (id, name), by name.
    pub organizations: Vec<(String, String)>,
}

/// The trend's periods the page offers.
pub const PERIODS: &[Period] = &[Period::Month, Period::Quarter];

/// The period of the trend.
pub fn period(view: &View) -> GroupBy {
    match view.period {
        Period::Month => GroupBy::Month,
        Period::Quarter => GroupBy::Quarter,
    }
}

/// The figures of a grouping the page offers for download, as the page shows them (every
/// province, period and funding source, with zeros where no fair was).
pub fn grouping(
    conn: &mut DbConn,
    group_by: GroupBy,
    filter: &Filter,
) -> QueryResult<rollup::Rollup> {
    let fill = !matches!(group_by, GroupBy::Organization);
    rollup::rollup(conn, &Grouping::one(group_by), filter, fill)
}

/// Reads the page's figures for `view` within `member`'s reach (an organizer's own fairs).
pub fn load(conn: &mut DbConn, view: &View, member: Option<String>) -> QueryResult<Data> {
    let filter = view.filter(member.clone());
    let scope = Scope::load(conn, &filter)?;
    let rows = |group_by: GroupBy, fill: bool| scope.rollup(&Grouping::one(group_by), fill).rows;
    let fairs = match &view.province {
        None => Vec::new(),
        Some(_) => {
            let mut fairs: Vec<Fair> = scope
                .events()
                .iter()
                .map(|e| {
                    let f = &e.figures;
                    Fair {
                        id: e.id.clone(),
                        title: e.title.clone(),
                        organization_id: e.organization_id.clone(),
                        local_start_date: e.local_start_date,
                        attendees: f.attendees,
                        placements_verified: f.placements_verified,
                        placement_rate: crate::metrics::rate(f.placed_attendees, f.attendees),
                        cost_idr: f.cost_idr,
                        cost_per_placement_idr: crate::metrics::divide_money(
                            f.cost_idr,
                            f.placements_verified,
                        ),
                    }
                })
                .collect();
            fairs.sort_by(|a, b| (a.local_start_date, &a.id).cmp(&(b.local_start_date, &b.id)));
            fairs
        }
    };
    let mut orgs = organizations::table
        .select((organizations::id, organizations::name))
        .filter(organizations::kind.eq(OrganizationKind::Organizer.as_str()))
        .order((organizations::name.asc(), organizations::id.asc()))
        .into_boxed();
    if let Some(user_id) = member {
        orgs = orgs.filter(organizations::id.eq_any(crate::events::member_organizations(user_id)));
    }
    Ok(Data {
        totals: scope.totals(),
        provinces: rows(GroupBy::Province, true),
        periods: rows(period(view), true),
        funding: rows(GroupBy::FundingSource, true),
        organizers: rows(GroupBy::Organization, false),
        fairs,
        organizations: orgs.load(conn)?,
    })
}
