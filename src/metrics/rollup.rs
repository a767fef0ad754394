//! Rollups: the figures of the included events grouped by province, organization, funding
//! source, year or month, with the filters and `totals` of `docs/metrics.md` ("Rollups").
//!
//! Every figure is read from the current data, so a change is counted by the next request, and
//! the work does not grow with the number of registrations: the events that pass the filters,
//! with the figures kept on each of them in the same transaction as every change (see
//! [`super::tally`]); their openings (one grouped scan of their vacancies); and their sets of
//! registered job seekers, whose unions give the distinct job seekers of each group and of the
//! totals, which per-event counts cannot.
//!
//! The event local date of `starts_at` is stored on the event (`local_start_date`), so that
//! the period filters and the year/month groups are plain comparisons of a date.

use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use diesel::dsl::sum;
use diesel::prelude::*;
use roaring::RoaringBitmap;
use serde::{Deserialize, Serialize};

use super::{cost, divide_money, rate, tally};
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{events, organizations, vacancies};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::events::{EventStatus, FundingSource};

/// What the rows of a rollup are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    Province,
    Organization,
    FundingSource,
    Year,
    Month,
}

impl GroupBy {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Province => "province",
            Self::Organization => "organization",
            Self::FundingSource => "funding_source",
            Self::Year => "year",
            Self::Month => "month",
        }
    }

    /// The key of an event's group.
    fn key(self, event: &EventRow) -> String {
        match self {
            Self::Province => event.province_code.clone(),
            Self::Organization => event.organization_id.clone(),
            Self::FundingSource => event.funding_source.as_str().to_owned(),
            Self::Year => event.local_start_date.format("%Y").to_string(),
            Self::Month => event.local_start_date.format("%Y-%m").to_string(),
        }
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
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
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
    pub placement_rate: Option<f64>,
    pub vacancy_fill_rate: Option<f64>,
    pub cost_per_placement_idr: Option<i64>,
    pub unique_job_seekers: i64,
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
    }

    /// The pooled rates: ratios of the sums, never averages of per-event rates.
    fn finish(&mut self, unique_job_seekers: i64) {
        self.placement_rate = rate(self.placed_attendees, self.attendees);
        self.vacancy_fill_rate = rate(self.placements_verified, self.openings);
        self.cost_per_placement_idr = divide_money(self.cost_idr, self.placements_verified);
        self.unique_job_seekers = unique_job_seekers;
    }
}

/// One row of a rollup.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Row {
    pub key: String,
    /// The province's or the organization's name; `null` for other groups.
    pub label: Option<String>,
    #[serde(flatten)]
    pub figures: Figures,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Rollup {
    pub group_by: &'static str,
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
}

#[derive(Debug, Clone, Queryable)]
struct EventRow {
    id: String,
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

/// Who may ask for rollups.
pub const READERS: [Role; 3] = [Role::Admin, Role::Ministry, Role::Organizer];

/// The rollup `caller` asked for, read in one snapshot. Admins and ministry staff roll up any
/// events. An organizer's rollups cover only the events of organizations they act for
/// (`filter.member`); naming another organization is 403. Employers and job seekers see no
/// rollups (403).
pub fn for_caller(
    conn: &mut DbConn,
    caller: &AuthUser,
    group_by: GroupBy,
    filter: &Filter,
) -> AppResult<Rollup> {
    guards::role(caller, &READERS)?;
    if let (Some(_), Some(organization_id)) = (&filter.member, &filter.organization_id) {
        guards::organization_reader(conn, caller, organization_id)?;
    }
    Ok(crate::db::read_snapshot(conn, |conn| {
        rollup(conn, group_by, filter)
    })?)
}

/// Computes the rollup of the included events that pass `filter`, grouped by `group_by`.
pub fn rollup(conn: &mut DbConn, group_by: GroupBy, filter: &Filter) -> QueryResult<Rollup> {
    let events = filtered!(
        events::table
            .select((
                events::id,
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
            .into_boxed(),
        filter
    )
    .load::<EventRow>(conn)?;

    let mut figures: HashMap<String, EventFigures> = events
        .iter()
        .map(|event| {
            let (cost_idr, _) = cost(event.status, event.budget_idr, event.spent_idr);
            let figures = EventFigures {
                registrations: i64::from(event.registrations_count),
                attendees: i64::from(event.attendees_count),
                openings: 0,
                applications: i64::from(event.applications_count),
                placements_reported: i64::from(event.placements_reported_count),
                placements_verified: i64::from(event.placements_verified_count),
                placements_disputed: i64::from(event.placements_disputed_count),
                // The verified placements the job seeker confirmed are the ones not staff-only.
                placements_seeker_confirmed: i64::from(event.placements_verified_count)
                    - i64::from(event.placements_staff_only_count),
                placements_staff_only: i64::from(event.placements_staff_only_count),
                placed_attendees: i64::from(event.placed_attendees_count),
                budget_idr: event.budget_idr,
                cost_idr,
            };
            (event.id.clone(), figures)
        })
        .collect();
    if events.is_empty() {
        return Ok(Rollup {
            group_by: group_by.as_str(),
            rows: Vec::new(),
            totals: Figures::default(),
        });
    }

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
        if let Some(f) = figures.get_mut(&event_id) {
            f.openings = openings.unwrap_or(0);
        }
    }

    // Distinct job seekers: the union of the events' sets, per group and over all.
    let ids: Vec<String> = events.iter().map(|e| e.id.clone()).collect();
    let sets = tally::seeker_sets(conn, &ids)?;
    let mut group_sets: HashMap<String, RoaringBitmap> = HashMap::new();
    let mut all_seekers = RoaringBitmap::new();
    for event in &events {
        if let Some(set) = sets.get(&event.id) {
            *group_sets.entry(group_by.key(event)).or_default() |= set;
            all_seekers |= set;
        }
    }
    let unique =
        |set: Option<&RoaringBitmap>| set.map_or(0, |s| i64::try_from(s.len()).unwrap_or(i64::MAX));

    let mut groups: BTreeMap<String, Figures> = BTreeMap::new();
    let mut totals = Figures::default();
    for event in &events {
        let Some(event_figures) = figures.get(&event.id) else {
            continue;
        };
        groups
            .entry(group_by.key(event))
            .or_default()
            .add(event_figures);
        totals.add(event_figures);
    }
    totals.finish(unique(Some(&all_seekers)));

    let labels = labels(conn, group_by, groups.keys())?;
    let rows = groups
        .into_iter()
        .map(|(key, mut figures)| {
            figures.finish(unique(group_sets.get(&key)));
            Row {
                label: labels.get(&key).cloned(),
                key,
                figures,
            }
        })
        .collect();
    Ok(Rollup {
        group_by: group_by.as_str(),
        rows,
        totals,
    })
}

/// The names of provinces and organizations, by key.
fn labels<'a>(
    conn: &mut DbConn,
    group_by: GroupBy,
    keys: impl Iterator<Item = &'a String>,
) -> QueryResult<HashMap<String, String>> {
    match group_by {
        GroupBy::Province => Ok(keys
            .filter_map(|code| {
                crate::provinces::find(code).map(|p| (code.clone(), p.name.to_owned()))
            })
            .collect()),
        GroupBy::Organization => {
            let ids: Vec<&String> = keys.collect();
            organizations::table
                .filter(organizations::id.eq_any(ids))
                .select((organizations::id, organizations::name))
                .load(conn)
                .map(|rows| rows.into_iter().collect())
        }
        _ => Ok(HashMap::new()),
    }
}
