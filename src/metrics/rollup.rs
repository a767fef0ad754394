//! Rollups: the figures of the included events grouped by province, organization, funding
//! source, year, quarter or month, or by two of them (a cross-tab), with the filters, `fill` and
//! `totals` of `docs/metrics.md` ("Rollups").
//!
//! Every figure is read from the current data, so a change is counted by the next request, and
//! the work does not grow with the number of registrations: a [`Scope`] reads the events that
//! pass the filters with the figures kept on each of them in the same transaction as every
//! change (see [`super::tally`]: counts, breakdown cells, retention), their openings (one
//! grouped scan of their vacancies), and their sets of registered job seekers, whose unions give
//! the distinct job seekers of each group and of the totals, which per-event counts cannot.
//! Any number of groupings are then made from one scope in memory.
//!
//! The event local date of `starts_at` is stored on the event (`local_start_date`), so that
//! the period filters and groups are plain comparisons of a date.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use diesel::dsl::sum;
use diesel::prelude::*;
use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use super::{cost, divide_money, rate, Breakdowns, Dimension, Retention};
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{event_breakdown_cells, event_retention, events, organizations, vacancies};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::events::{EventStatus, FundingSource};
use crate::organizations::OrganizationKind;

/// A dimension the rows of a rollup are grouped by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Province,
    Organization,
    FundingSource,
    Year,
    Quarter,
    Month,
}

impl GroupBy {
    pub const ALL: [Self; 6] = [
        Self::Province,
        Self::Organization,
        Self::FundingSource,
        Self::Year,
        Self::Quarter,
        Self::Month,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Organization => "organization",
            Self::FundingSource => "funding_source",
            Self::Year => "year",
            Self::Quarter => "quarter",
            Self::Month => "month",
        }
    }

    /// The key of an event's group.
    fn key(self, event: &ScopedEvent) -> String {
        match self {
            Self::Province => event.province_code.clone(),
            Self::Organization => event.organization_id.clone(),
            Self::FundingSource => event.funding_source.as_str().to_owned(),
            Self::Year | Self::Quarter | Self::Month => self.period(event.local_start_date),
        }
    }

    /// The key of the period holding `date` (for the periods only).
    fn period(self, date: NaiveDate) -> String {
        match self {
            Self::Year => date.format("%Y").to_string(),
            Self::Quarter => format!("{}-Q{}", date.year(), date.month0() / 3 + 1),
            _ => date.format("%Y-%m").to_string(),
        }
    }

    fn is_period(self) -> bool {
        matches!(self, Self::Year | Self::Quarter | Self::Month)
    }
}

/// What the rows of a rollup are: one dimension, or two for a cross-tab (`province,month`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grouping(Vec<GroupBy>);

impl Grouping {
    pub fn one(group_by: GroupBy) -> Self {
        Self(vec![group_by])
    }

    pub fn two(first: GroupBy, second: GroupBy) -> Self {
        Self(vec![first, second])
    }

    /// Reads `group_by`: one dimension, or two different ones separated by a comma.
    pub fn parse(text: &str) -> Result<Self, String> {
        let names: Vec<&str> = text.split(',').map(str::trim).collect();
        if names.len() > 2 {
            return Err("takes one dimension, or two separated by a comma".into());
        }
        let dimensions = names
            .iter()
            .map(|name| {
                GroupBy::ALL
                    .into_iter()
                    .find(|g| g.as_str() == *name)
                    .ok_or_else(|| {
                        format!(
                            "has an unknown dimension {name:?}: use {}",
                            GroupBy::ALL.map(GroupBy::as_str).join(", ")
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()?;
        if dimensions.len() == 2 && dimensions[0] == dimensions[1] {
            return Err("names the same dimension twice".into());
        }
        Ok(Self(dimensions))
    }

    pub fn dimensions(&self) -> &[GroupBy] {
        &self.0
    }

    /// As the request named it: `province` or `province,month`.
    pub fn name(&self) -> String {
        self.0
            .iter()
            .map(|g| g.as_str())
            .collect::<Vec<_>>()
            .join(",")
    }

    fn keys(&self, event: &ScopedEvent) -> Vec<String> {
        self.0.iter().map(|g| g.key(event)).collect()
    }
}

/// Which included events a rollup covers.
#[derive(Debug, Clone, Default)]
pub struct Filter {
    /// Inclusive bounds on the event local date of `starts_at`.
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub province_code: Option<String>,
    pub organization_id: Option<String>,
    pub funding_source: Option<FundingSource>,
    /// Only events of organizations this user is a member of (an organizer's own rollups).
    pub member: Option<String>,
}

/// Applies a [`Filter`] to a boxed query that has `events` in its FROM clause: one list of
/// conditions for every query of the rollup (a macro, because each query has its own type).
macro_rules! filtered {
    ($query:expr, $filter:expr) => {{
        let filter: &Filter = $filter;
        let mut query =
            $query.filter(events::status.eq_any(crate::events::EventStatus::TAKES_OUTCOMES));
        if let Some(from) = filter.from {
            query = query.filter(events::local_start_date.ge(from));
        }
        if let Some(to) = filter.to {
            query = query.filter(events::local_start_date.le(to));
        }
        if let Some(code) = &filter.province_code {
            query = query.filter(events::province_code.eq(code.clone()));
        }
        if let Some(id) = &filter.organization_id {
            query = query.filter(events::organization_id.eq(id.clone()));
        }
        if let Some(source) = filter.funding_source {
            query = query.filter(events::funding_source.eq(source.as_str()));
        }
        if let Some(user_id) = &filter.member {
            query = query.filter(
                events::organization_id
                    .eq_any(crate::events::member_organizations(user_id.clone())),
            );
        }
        query
    }};
}
pub(crate) use filtered;

/// The sums and pooled rates of one group (or of all, for `totals`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Figures {
    pub events: i64,
    pub registrations: i64,
    pub attendees: i64,
    pub openings: i64,
    pub applications: i64,
    pub placements_reported: i64,
    pub placements_verified: i64,
    pub placements_disputed: i64,
    pub placements_seeker_confirmed: i64,
    pub placements_staff_only: i64,
    pub placed_attendees: i64,
    pub budget_idr: i64,
    pub cost_idr: i64,
    /// Events whose cost is still their budget (not closed with their real spending).
    pub events_costed_at_budget: i64,
    pub placement_rate: Option<f64>,
    pub vacancy_fill_rate: Option<f64>,
    pub cost_per_placement_idr: Option<i64>,
    pub unique_job_seekers: i64,
    pub retention_90d_checked: i64,
    pub retention_90d_employed: i64,
    pub retention_90d_rate: Option<f64>,
    pub retention_180d_checked: i64,
    pub retention_180d_employed: i64,
    pub retention_180d_rate: Option<f64>,
    pub breakdowns: Breakdowns,
}

impl Default for Figures {
    /// A group without events: zeros, `null` rates, and every breakdown value at zero.
    fn default() -> Self {
        Self {
            events: 0,
            registrations: 0,
            attendees: 0,
            openings: 0,
            applications: 0,
            placements_reported: 0,
            placements_verified: 0,
            placements_disputed: 0,
            placements_seeker_confirmed: 0,
            placements_staff_only: 0,
            placed_attendees: 0,
            budget_idr: 0,
            cost_idr: 0,
            events_costed_at_budget: 0,
            placement_rate: None,
            vacancy_fill_rate: None,
            cost_per_placement_idr: None,
            unique_job_seekers: 0,
            retention_90d_checked: 0,
            retention_90d_employed: 0,
            retention_90d_rate: None,
            retention_180d_checked: 0,
            retention_180d_employed: 0,
            retention_180d_rate: None,
            breakdowns: Breakdowns::all_values(),
        }
    }
}

impl Figures {
    fn add(&mut self, event: &EventFigures) {
        self.events += 1;
        self.registrations += event.registrations;
        self.attendees += event.attendees;
        self.openings += event.openings;
        self.applications += event.applications;
        self.placements_reported += event.placements_reported;
        self.placements_verified += event.placements_verified;
        self.placements_disputed += event.placements_disputed;
        self.placements_seeker_confirmed += event.placements_seeker_confirmed;
        self.placements_staff_only += event.placements_staff_only;
        self.placed_attendees += event.placed_attendees;
        self.budget_idr += event.budget_idr;
        self.cost_idr += event.cost_idr;
        self.events_costed_at_budget += i64::from(event.costed_at_budget);
        let [day90, day180] = event.retention;
        self.retention_90d_checked += day90.checked;
        self.retention_90d_employed += day90.employed;
        self.retention_180d_checked += day180.checked;
        self.retention_180d_employed += day180.employed;
        for (dimension, value, attendees, placed) in &event.cells {
            self.breakdowns.add(*dimension, value, *attendees, *placed);
        }
    }

    /// The pooled rates: ratios of the sums, never averages of per-event rates.
    fn finish(&mut self, unique_job_seekers: i64) {
        self.placement_rate = rate(self.placed_attendees, self.attendees);
        self.vacancy_fill_rate = rate(self.placements_verified, self.openings);
        self.cost_per_placement_idr = divide_money(self.cost_idr, self.placements_verified);
        self.unique_job_seekers = unique_job_seekers;
        self.retention_90d_rate = rate(self.retention_90d_employed, self.retention_90d_checked);
        self.retention_180d_rate = rate(self.retention_180d_employed, self.retention_180d_checked);
        self.breakdowns.finish();
    }
}

/// One row of a rollup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    /// The group's key; of a cross-tab, its two keys joined by `/`.
    pub key: String,
    /// A cross-tab's two keys, in the order of `group_by` (absent for one dimension).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub keys: Option<Vec<String>>,
    /// The province's or the organization's name; of a cross-tab, the names (or keys) of its
    /// two parts joined by ` / ` when either has a name; `null` otherwise.
    pub label: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    pub group_by: String,
    pub rows: Vec<Row>,
    pub totals: Figures,
}

/// The summable figures of one event.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct EventFigures {
    pub registrations: i64,
    pub attendees: i64,
    pub openings: i64,
    pub applications: i64,
    pub placements_reported: i64,
    pub placements_verified: i64,
    pub placements_disputed: i64,
    pub placements_seeker_confirmed: i64,
    pub placements_staff_only: i64,
    pub placed_attendees: i64,
    pub budget_idr: i64,
    pub cost_idr: i64,
    pub costed_at_budget: bool,
    pub retention: [Retention; 2],
    /// The kept breakdown cells: dimension, value, attendees, placed attendees.
    pub cells: Vec<(Dimension, String, i64, i64)>,
}

/// An included event of a [`Scope`], with its kept figures.
#[derive(Debug, Clone)]
pub struct ScopedEvent {
    pub id: String,
    pub title: String,
    pub province_code: String,
    pub organization_id: String,
    pub funding_source: FundingSource,
    pub local_start_date: NaiveDate,
    pub status: EventStatus,
    pub figures: EventFigures,
}

#[derive(Debug, Clone, Queryable)]
struct EventRow {
    id: String,
    title: String,
    province_code: String,
    organization_id: String,
    funding_source: FundingSource,
    local_start_date: NaiveDate,
    status: EventStatus,
    budget_idr: i64,
    spent_idr: Option<i64>,
    registrations_count: i32,
    attendees_count: i32,
    applications_count: i32,
    placements_reported_count: i32,
    placements_verified_count: i32,
    placements_disputed_count: i32,
    placements_staff_only_count: i32,
    placed_attendees_count: i32,
}

impl EventRow {
    fn scoped(self) -> ScopedEvent {
        let (cost_idr, basis) = cost(self.status, self.budget_idr, self.spent_idr);
        let verified = i64::from(self.placements_verified_count);
        let staff_only = i64::from(self.placements_staff_only_count);
        ScopedEvent {
            figures: EventFigures {
                registrations: i64::from(self.registrations_count),
                attendees: i64::from(self.attendees_count),
                openings: 0,
                applications: i64::from(self.applications_count),
                placements_reported: i64::from(self.placements_reported_count),
                placements_verified: verified,
                placements_disputed: i64::from(self.placements_disputed_count),
                // The verified placements the job seeker confirmed are the ones not staff-only.
                placements_seeker_confirmed: verified - staff_only,
                placements_staff_only: staff_only,
                placed_attendees: i64::from(self.placed_attendees_count),
                budget_idr: self.budget_idr,
                cost_idr,
                costed_at_budget: basis == "budget",
                retention: Default::default(),
                cells: Vec::new(),
            },
            id: self.id,
            title: self.title,
            province_code: self.province_code,
            organization_id: self.organization_id,
            funding_source: self.funding_source,
            local_start_date: self.local_start_date,
            status: self.status,
        }
    }
}

/// Who may ask for rollups.
pub const READERS: [Role; 3] = [Role::Admin, Role::Ministry, Role::Organizer];

/// The rollup `caller` asked for, read in one snapshot. Admins and ministry staff roll up any
/// events. An organizer's rollups cover only the events of organizations they act for
/// (`filter.member`); naming another organization is 403. Employers and job seekers see no
/// rollups (403).
pub fn for_caller(
    conn: &mut DbConn,
    caller: &AuthUser,
    grouping: &Grouping,
    filter: &Filter,
    fill: bool,
) -> AppResult<Rollup> {
    let scope = Scope::for_caller(conn, caller, filter)?;
    Ok(scope.rollup(grouping, fill))
}

/// Computes the rollup of the included events that pass `filter`, grouped by `grouping`.
pub fn rollup(
    conn: &mut DbConn,
    grouping: &Grouping,
    filter: &Filter,
    fill: bool,
) -> QueryResult<Rollup> {
    Ok(Scope::load(conn, filter)?.rollup(grouping, fill))
}

/// The included events that pass a filter, with every kept figure a rollup adds up, read once:
/// any number of rollups are then grouped from it in memory (the dashboard shows several).
/// A fixed number of queries whatever the number of events: the events, their openings (one
/// grouped scan of their vacancies), breakdown cells, retention, check-ins not yet folded, sets of
/// registered job seekers, and the organizer organizations in scope (for their names and `fill`).
#[derive(Debug, Clone)]
pub struct Scope {
    filter: Filter,
    events: Vec<ScopedEvent>,
    seekers: HashMap<String, RoaringBitmap>,
    /// Organizer organizations in scope, by id: their names.
    organizations: BTreeMap<String, String>,
}

impl Scope {
    /// The scope `caller` may see (see [`for_caller`]), read in one snapshot.
    pub fn for_caller(conn: &mut DbConn, caller: &AuthUser, filter: &Filter) -> AppResult<Self> {
        guards::role(caller, &READERS)?;
        if let (Some(_), Some(organization_id)) = (&filter.member, &filter.organization_id) {
            guards::organization_reader(conn, caller, organization_id)?;
        }
        Ok(crate::db::read_snapshot(conn, |conn| {
            Self::load(conn, filter)
        })?)
    }

    /// Reads the scope of `filter` (run it in a read snapshot).
    pub fn load(conn: &mut DbConn, filter: &Filter) -> QueryResult<Self> {
        let mut events: Vec<ScopedEvent> = filtered!(
            events::table
                .select((
                    events::id,
                    events::title,
                    events::province_code,
                    events::organization_id,
                    events::funding_source,
                    events::local_start_date,
                    events::status,
                    events::budget_idr,
                    events::spent_idr,
                    events::registrations_count,
                    events::attendees_count,
                    events::applications_count,
                    events::placements_reported_count,
                    events::placements_verified_count,
                    events::placements_disputed_count,
                    events::placements_staff_only_count,
                    events::placed_attendees_count,
                ))
                .order(events::id)
                .into_boxed(),
            filter
        )
        .load::<EventRow>(conn)?
        .into_iter()
        .map(EventRow::scoped)
        .collect();
        let organizations = organizations_in_scope(conn, filter)?;
        if events.is_empty() {
            return Ok(Self {
                filter: filter.clone(),
                events,
                seekers: HashMap::new(),
                organizations,
            });
        }
        let index: HashMap<String, usize> = events
            .iter()
            .enumerate()
            .map(|(i, e)| (e.id.clone(), i))
            .collect();

        let openings = filtered!(
            vacancies::table
                .inner_join(events::table)
                .group_by(vacancies::event_id)
                .select((vacancies::event_id, sum(vacancies::openings)))
                .into_boxed(),
            filter
        )
        .load::<(String, Option<i64>)>(conn)?;
        for (event_id, openings) in openings {
            if let Some(&i) = index.get(&event_id) {
                events[i].figures.openings = openings.unwrap_or(0);
            }
        }

        let cells = filtered!(
            event_breakdown_cells::table
                .inner_join(events::table)
                .filter(event_breakdown_cells::attendees.gt(0))
                .select((
                    event_breakdown_cells::event_id,
                    event_breakdown_cells::dimension,
                    event_breakdown_cells::value,
                    event_breakdown_cells::attendees,
                    event_breakdown_cells::placed_attendees,
                ))
                .into_boxed(),
            filter
        )
        .load::<(String, String, String, i32, i32)>(conn)?;
        for (event_id, dimension, value, attendees, placed) in cells {
            // A dimension this version does not know (written by a newer one) is left out.
            let (Some(&i), Some(dimension)) = (index.get(&event_id), Dimension::parse(&dimension))
            else {
                continue;
            };
            events[i].figures.cells.push((
                dimension,
                value,
                i64::from(attendees),
                i64::from(placed),
            ));
        }

        let retention = filtered!(
            event_retention::table
                .inner_join(events::table)
                .select((
                    event_retention::event_id,
                    event_retention::retention_90d_checked,
                    event_retention::retention_90d_employed,
                    event_retention::retention_180d_checked,
                    event_retention::retention_180d_employed,
                ))
                .into_boxed(),
            filter
        )
        .load::<(String, i32, i32, i32, i32)>(conn)?;
        for (event_id, c90, e90, c180, e180) in retention {
            if let Some(&i) = index.get(&event_id) {
                events[i].figures.retention = Retention::kept(c90, e90, c180, e180);
            }
        }

        let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
        // Check-ins not yet folded into the kept figures, read in the same snapshot.
        for (event_id, pending) in super::attendance::pending(conn, &ids)? {
            if let Some(&i) = index.get(&event_id) {
                let figures = &mut events[i].figures;
                figures.attendees += i64::from(pending.attendees);
                figures.placed_attendees += i64::from(pending.placed_attendees);
                for ((dimension, value), (attendees, placed)) in pending.cells {
                    figures
                        .cells
                        .push((dimension, value, i64::from(attendees), i64::from(placed)));
                }
            }
        }
        let seekers = super::seeker_sets::for_events(conn, &ids)?;
        Ok(Self {
            filter: filter.clone(),
            events,
            seekers,
            organizations,
        })
    }

    /// The included events of the scope, ordered by id.
    pub fn events(&self) -> &[ScopedEvent] {
        &self.events
    }

    /// The organizer organizations in scope, by id, with their names.
    pub fn organizations(&self) -> &BTreeMap<String, String> {
        &self.organizations
    }

    /// The figures of all the scope's events.
    pub fn totals(&self) -> Figures {
        let mut totals = Figures::default();
        let mut seekers = RoaringBitmap::new();
        for event in &self.events {
            totals.add(&event.figures);
            if let Some(set) = self.seekers.get(&event.id) {
                seekers |= set;
            }
        }
        totals.finish(count(&seekers));
        totals
    }

    /// The scope's events grouped by `grouping`; with `fill`, every group of the period and
    /// filters appears, with zeros where it held no event.
    pub fn rollup(&self, grouping: &Grouping, fill: bool) -> Rollup {
        let mut groups: BTreeMap<Vec<String>, (Figures, RoaringBitmap)> = BTreeMap::new();
        if fill {
            for keys in self.every_group(grouping) {
                groups.entry(keys).or_default();
            }
        }
        for event in &self.events {
            let (figures, seekers) = groups.entry(grouping.keys(event)).or_default();
            figures.add(&event.figures);
            if let Some(set) = self.seekers.get(&event.id) {
                *seekers |= set;
            }
        }
        let cross_tab = grouping.dimensions().len() > 1;
        let mut rows: Vec<Row> = groups
            .into_iter()
            .map(|(keys, (mut figures, seekers))| {
                figures.finish(count(&seekers));
                Row {
                    key: keys.join("/"),
                    label: self.label(grouping, &keys),
                    keys: cross_tab.then_some(keys),
                    figures,
                }
            })
            .collect();
        // Ordered by key as strings (a cross-tab's joined key may order differently from its
        // parts: "1/…" and "1-…", say).
        rows.sort_by(|a, b| a.key.cmp(&b.key));
        Rollup {
            group_by: grouping.name(),
            rows,
            totals: self.totals(),
        }
    }

    /// Every group of `grouping` that the filters and the period allow: the cartesian product of
    /// each dimension's groups.
    fn every_group(&self, grouping: &Grouping) -> Vec<Vec<String>> {
        grouping
            .dimensions()
            .iter()
            .fold(vec![Vec::new()], |prefixes, &dimension| {
                let keys = self.every_key(dimension);
                prefixes
                    .iter()
                    .flat_map(|prefix| {
                        keys.iter().map(move |key| {
                            let mut keys = prefix.clone();
                            keys.push(key.clone());
                            keys
                        })
                    })
                    .collect()
            })
    }

    /// Every key of one dimension the filters allow: the provinces (all 38, or the one asked
    /// for), the funding sources, the organizer organizations in scope, or every period from
    /// `from` to `to` (or from the first event to the last where a bound is not given).
    fn every_key(&self, dimension: GroupBy) -> Vec<String> {
        let filter = &self.filter;
        match dimension {
            GroupBy::Province => match &filter.province_code {
                Some(code) => vec![code.clone()],
                None => crate::provinces::all()
                    .iter()
                    .map(|p| p.code.to_owned())
                    .collect(),
            },
            GroupBy::FundingSource => match filter.funding_source {
                Some(source) => vec![source.as_str().to_owned()],
                None => FundingSource::ALL
                    .iter()
                    .map(|s| s.as_str().to_owned())
                    .collect(),
            },
            GroupBy::Organization => self.organizations.keys().cloned().collect(),
            period => {
                let dates = self.events.iter().map(|e| e.local_start_date);
                let (Some(from), Some(to)) = (
                    filter.from.or_else(|| dates.clone().min()),
                    filter.to.or_else(|| dates.max()),
                ) else {
                    return Vec::new();
                };
                periods(period, from, to)
            }
        }
    }

    /// A row's label: the province's or organization's name; of a cross-tab, its parts' names
    /// (or keys) joined by ` / ` when either part has a name.
    fn label(&self, grouping: &Grouping, keys: &[String]) -> Option<String> {
        let names: Vec<Option<String>> = grouping
            .dimensions()
            .iter()
            .zip(keys)
            .map(|(dimension, key)| match dimension {
                GroupBy::Province => crate::provinces::find(key).map(|p| p.name.to_owned()),
                GroupBy::Organization => self.organizations.get(key).cloned(),
                _ => None,
            })
            .collect();
        if names.iter().all(Option::is_none) {
            return None;
        }
        Some(
            names
                .into_iter()
                .zip(keys)
                .map(|(name, key)| name.unwrap_or_else(|| key.clone()))
                .collect::<Vec<_>>()
                .join(" / "),
        )
    }
}

fn count(set: &RoaringBitmap) -> i64 {
    i64::try_from(set.len()).unwrap_or(i64::MAX)
}

/// The keys of every period of `period`'s kind from the one holding `from` to the one holding
/// `to`.
fn periods(period: GroupBy, from: NaiveDate, to: NaiveDate) -> Vec<String> {
    debug_assert!(period.is_period());
    let months_per_step = match period {
        GroupBy::Year => 12,
        GroupBy::Quarter => 3,
        _ => 1,
    };
    // Step from the first day of the period holding `from`.
    let first_month = match period {
        GroupBy::Year => 0,
        GroupBy::Quarter => from.month0() / 3 * 3,
        _ => from.month0(),
    };
    let mut keys = Vec::new();
    let mut month = from.year() * 12 + i32::try_from(first_month).unwrap_or(0);
    let last = to.year() * 12 + i32::try_from(to.month0()).unwrap_or(0);
    while month <= last {
        let Some(date) =
            NaiveDate::from_ymd_opt(month.div_euclid(12), month.rem_euclid(12) as u32 + 1, 1)
        else {
            break;
        };
        keys.push(period.period(date));
        month += months_per_step;
    }
    keys
}

/// The organizer organizations a rollup's filter allows, with their names: all, the one named,
/// or (for an organizer) those the caller acts for.
fn organizations_in_scope(
    conn: &mut DbConn,
    filter: &Filter,
) -> QueryResult<BTreeMap<String, String>> {
    let mut query = organizations::table
        .filter(organizations::kind.eq(OrganizationKind::Organizer))
        .select((organizations::id, organizations::name))
        .into_boxed();
    if let Some(id) = &filter.organization_id {
        query = query.filter(organizations::id.eq(id.clone()));
    }
    if let Some(user_id) = &filter.member {
        query = query
            .filter(organizations::id.eq_any(crate::events::member_organizations(user_id.clone())));
    }
    Ok(query.load::<(String, String)>(conn)?.into_iter().collect())
}
