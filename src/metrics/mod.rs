//! Outcome metrics of one event, as `docs/metrics.md` ("Per event") defines them.
//!
//! [`load`] reads the facts of an event with a fixed number of set-based queries (counts, sums
//! and distinct ids computed by the database; one row per attendee, per placement and per
//! follow-up of a verified placement, where the exact median, the breakdowns and the latest
//! follow-up need the values themselves). [`compute`] is a pure function from those facts to
//! the figures, so every rule is unit-tested without a database.
//!
//! The figures of a draft or cancelled event are computed the same way: such events are not
//! "included events" of the rollups, but staff may still look at one on its own.

pub mod attendance;
pub mod employer;
pub mod handlers;
pub mod rollup;
pub mod scorecard;
pub mod seeker_sets;
pub mod tally;

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{Datelike, NaiveDate, NaiveDateTime};
use diesel::dsl::{count, count_star, sum};
use diesel::prelude::*;
use serde::Serialize;

use crate::applications::ApplicationStatus;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{
    application_transitions, applications, follow_ups, job_seekers, participations, placements,
    registrations, vacancies,
};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::events::{Event, EventStatus};
use crate::follow_ups::CHECKPOINTS;
use crate::placements::{local_date, Flag, PlacementStatus};

/// The text of the placement statuses of a verified placement ([`PlacementStatus::VERIFIED`]),
/// for queries on the text column.
pub fn verified_texts() -> [&'static str; 2] {
    PlacementStatus::VERIFIED.map(PlacementStatus::as_str)
}

/// Whether a verified placement rests on staff alone: verified by staff, and never confirmed by
/// its job seeker (signed in or through a link; only that confirmation sets `confirmed_at`).
/// Every other verified placement is one the job seeker confirmed, whatever followed: a
/// placement still `confirmed` was confirmed by them by definition.
pub fn staff_only(status: PlacementStatus, confirmed_at: Option<NaiveDateTime>) -> bool {
    status == PlacementStatus::Verified && confirmed_at.is_none()
}

/// An attendee (a registration with a check-in) and the job seeker's profile.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = job_seekers)]
pub struct AttendeeFact {
    #[diesel(column_name = id)]
    pub job_seeker_id: String,
    pub birth_date: Option<NaiveDate>,
    pub gender: String,
    pub education_level: String,
    pub disability: bool,
}

/// A dimension of the breakdowns.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Dimension {
    Gender,
    AgeBand,
    EducationLevel,
    Disability,
}

impl Dimension {
    /// In the contract's order.
    pub const ALL: [Self; 4] = [
        Self::Gender,
        Self::AgeBand,
        Self::EducationLevel,
        Self::Disability,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Gender => "gender",
            Self::AgeBand => "age_band",
            Self::EducationLevel => "education_level",
            Self::Disability => "disability",
        }
    }

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.as_str() == text)
    }

    /// Every value the dimension can take: a rollup lists them all, with zeros.
    pub fn values(self) -> Vec<&'static str> {
        use crate::job_seekers::{EducationLevel, Gender};
        match self {
            Self::Gender => Gender::ALL.iter().map(|g| g.as_str()).collect(),
            Self::AgeBand => AGE_BANDS.to_vec(),
            Self::EducationLevel => EducationLevel::ALL.iter().map(|e| e.as_str()).collect(),
            Self::Disability => vec!["false", "true"],
        }
    }
}

/// The age bands, the last for an unknown birth date.
pub const AGE_BANDS: [&str; 6] = ["15-24", "25-34", "35-44", "45-54", "55+", "unknown"];

impl AttendeeFact {
    /// The attendee's value of each [`Dimension`] at an event whose local start date is
    /// `local_start` (the age band is their age on that day).
    pub fn values(&self, local_start: NaiveDate) -> [(Dimension, String); 4] {
        [
            (Dimension::Gender, self.gender.clone()),
            (
                Dimension::AgeBand,
                age_band(self.birth_date, local_start).to_owned(),
            ),
            (Dimension::EducationLevel, self.education_level.clone()),
            (Dimension::Disability, self.disability.to_string()),
        ]
    }
}

/// A placement of one of the event's vacancies.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = placements)]
pub struct PlacementFact {
    pub id: String,
    pub job_seeker_id: String,
    pub employer_id: String,
    pub status: PlacementStatus,
    pub start_date: NaiveDate,
    /// The stored JSON array of flag names.
    pub flags: String,
    /// When the job seeker confirmed it, if they did.
    pub confirmed_at: Option<NaiveDateTime>,
}

impl PlacementFact {
    pub fn is_verified(&self) -> bool {
        self.status.is_verified()
    }

    /// A verified placement only staff vouched for (see [`staff_only`]).
    pub fn is_staff_only(&self) -> bool {
        staff_only(self.status, self.confirmed_at)
    }
}

/// A follow-up of a verified placement of the event.
#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = follow_ups)]
pub struct FollowUpFact {
    pub id: String,
    pub placement_id: String,
    pub checked_on: NaiveDate,
    pub recorded_at: NaiveDateTime,
    pub employed: bool,
}

/// Everything the figures of one event are computed from.
#[derive(Debug, Clone)]
pub struct Facts {
    pub event_id: String,
    pub province_code: String,
    pub starts_at: NaiveDateTime,
    pub status: EventStatus,
    pub budget_idr: i64,
    pub spent_idr: Option<i64>,
    pub registrations: i64,
    /// Organizations with an `approved` participation.
    pub approved_employers: Vec<String>,
    pub vacancies: i64,
    pub openings: i64,
    pub applications: i64,
    /// Applications whose history contains `interviewed` / `offered`.
    pub interviewed: i64,
    pub offered: i64,
    /// Distinct job seekers with at least one application to the event's vacancies.
    pub applicants: Vec<String>,
    /// Distinct job seekers with at least one application not in a final status.
    pub open_applicants: Vec<String>,
    pub attendees: Vec<AttendeeFact>,
    pub placements: Vec<PlacementFact>,
    pub follow_ups: Vec<FollowUpFact>,
}

/// One cell of a breakdown.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Cell {
    pub attendees: i64,
    pub placed_attendees: i64,
    pub placement_rate: Option<f64>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Breakdowns {
    pub gender: BTreeMap<String, Cell>,
    pub age_band: BTreeMap<String, Cell>,
    pub education_level: BTreeMap<String, Cell>,
    pub disability: BTreeMap<String, Cell>,
}

impl Breakdowns {
    /// The cells of one dimension.
    pub fn dimension_mut(&mut self, dimension: Dimension) -> &mut BTreeMap<String, Cell> {
        match dimension {
            Dimension::Gender => &mut self.gender,
            Dimension::AgeBand => &mut self.age_band,
            Dimension::EducationLevel => &mut self.education_level,
            Dimension::Disability => &mut self.disability,
        }
    }

    /// The cells of one dimension.
    pub fn dimension(&self, dimension: Dimension) -> &BTreeMap<String, Cell> {
        match dimension {
            Dimension::Gender => &self.gender,
            Dimension::AgeBand => &self.age_band,
            Dimension::EducationLevel => &self.education_level,
            Dimension::Disability => &self.disability,
        }
    }

    /// Breakdowns listing every value of every dimension, at zero.
    pub fn all_values() -> Self {
        let mut breakdowns = Self::default();
        for dimension in Dimension::ALL {
            for value in dimension.values() {
                breakdowns.add(dimension, value, 0, 0);
            }
        }
        breakdowns
    }

    /// Every cell of every dimension, mutably.
    fn cells_mut(&mut self) -> impl Iterator<Item = &mut Cell> {
        [
            &mut self.gender,
            &mut self.age_band,
            &mut self.education_level,
            &mut self.disability,
        ]
        .into_iter()
        .flat_map(|map| map.values_mut())
    }

    /// Adds `attendees` and `placed_attendees` to one cell.
    pub fn add(
        &mut self,
        dimension: Dimension,
        value: &str,
        attendees: i64,
        placed_attendees: i64,
    ) {
        let cell = self
            .dimension_mut(dimension)
            .entry(value.to_owned())
            .or_default();
        cell.attendees += attendees;
        cell.placed_attendees += placed_attendees;
    }

    /// Sets each cell's pooled placement rate from its counts.
    pub fn finish(&mut self) {
        for cell in self.cells_mut() {
            cell.placement_rate = rate(cell.placed_attendees, cell.attendees);
        }
    }
}

/// The per-event figures, in the order of the contract.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EventMetrics {
    pub event_id: String,
    pub registrations: i64,
    pub attendees: i64,
    pub participating_employers: i64,
    pub vacancies: i64,
    pub openings: i64,
    pub applications: i64,
    pub applicants: i64,
    pub interviewed: i64,
    pub offered: i64,
    pub placements_reported: i64,
    pub placements_pending: i64,
    pub placements_verified: i64,
    pub placements_disputed: i64,
    pub placements_seeker_confirmed: i64,
    pub placements_staff_only: i64,
    pub placed_attendees: i64,
    pub placement_rate: Option<f64>,
    pub vacancy_fill_rate: Option<f64>,
    pub employer_hire_rate: Option<f64>,
    pub cost_idr: i64,
    pub cost_basis: &'static str,
    pub cost_per_placement_idr: Option<i64>,
    pub median_days_to_start: Option<f64>,
    pub knowledge_rate: Option<f64>,
    pub retention_90d_checked: i64,
    pub retention_90d_employed: i64,
    pub retention_90d_rate: Option<f64>,
    pub retention_180d_checked: i64,
    pub retention_180d_employed: i64,
    pub retention_180d_rate: Option<f64>,
    pub flags: BTreeMap<String, i64>,
    pub breakdowns: Breakdowns,
}

/// `numerator / denominator`, or `None` when the denominator is 0.
pub fn rate(numerator: i64, denominator: i64) -> Option<f64> {
    (denominator != 0).then(|| numerator as f64 / denominator as f64)
}

/// `amount / count` rounded half up to a whole rupiah (amounts are never negative), or `None`
/// when the count is 0.
pub fn divide_money(amount: i64, count: i64) -> Option<i64> {
    if count <= 0 {
        return None;
    }
    let (amount, count) = (i128::from(amount), i128::from(count));
    // floor((amount + count / 2) / count), exact with halves: (2a + c) / 2c.
    let rounded = (2 * amount + count).div_euclid(2 * count);
    i64::try_from(rounded).ok()
}

/// The median; of an even count, the mean of the two middle values.
pub fn median(mut values: Vec<i64>) -> Option<f64> {
    if values.is_empty() {
        return None;
    }
    values.sort_unstable();
    let mid = values.len() / 2;
    Some(if values.len() % 2 == 1 {
        values[mid] as f64
    } else {
        (values[mid - 1] as f64 + values[mid] as f64) / 2.0
    })
}

/// Age in whole years on `on`.
pub fn age_on(birth_date: NaiveDate, on: NaiveDate) -> i32 {
    let mut age = on.year() - birth_date.year();
    if (on.month(), on.day()) < (birth_date.month(), birth_date.day()) {
        age -= 1;
    }
    age
}

/// The age band of a birth date on the event's local date. Profiles are at least 15 years old
/// when made; a younger age (impossible through the API) counts in the youngest band.
pub fn age_band(birth_date: Option<NaiveDate>, on: NaiveDate) -> &'static str {
    let Some(birth_date) = birth_date else {
        return AGE_BANDS[5];
    };
    match age_on(birth_date, on) {
        ..=24 => AGE_BANDS[0],
        25..=34 => AGE_BANDS[1],
        35..=44 => AGE_BANDS[2],
        45..=54 => AGE_BANDS[3],
        _ => AGE_BANDS[4],
    }
}

/// Cost, and which figure it is: the real spending of a closed event, else the budget.
pub fn cost(status: EventStatus, budget_idr: i64, spent_idr: Option<i64>) -> (i64, &'static str) {
    match spent_idr {
        Some(spent) if status == EventStatus::Closed => (spent, "spent"),
        _ => (budget_idr, "budget"),
    }
}

fn tally(map: &mut BTreeMap<String, Cell>, key: &str, placed: bool) {
    let cell = map.entry(key.to_owned()).or_default();
    cell.attendees += 1;
    if placed {
        cell.placed_attendees += 1;
    }
}

/// The figures of one event from its facts.
pub fn compute(facts: &Facts) -> EventMetrics {
    let count_status = |status: PlacementStatus| {
        facts
            .placements
            .iter()
            .filter(|p| p.status == status)
            .count() as i64
    };
    let verified: Vec<&PlacementFact> = facts
        .placements
        .iter()
        .filter(|p| p.is_verified())
        .collect();
    let placements_verified = verified.len() as i64;
    let placements_reported = facts
        .placements
        .iter()
        .filter(|p| p.status != PlacementStatus::Retracted)
        .count() as i64;
    let placements_staff_only = verified.iter().filter(|p| p.is_staff_only()).count() as i64;

    // Attendees and the job seekers placed at this event.
    let placed: HashSet<&str> = verified.iter().map(|p| p.job_seeker_id.as_str()).collect();
    let settled: HashSet<&str> = facts
        .placements
        .iter()
        .filter(|p| p.is_verified() || p.status == PlacementStatus::Disputed)
        .map(|p| p.job_seeker_id.as_str())
        .collect();
    let applicants: HashSet<&str> = facts.applicants.iter().map(String::as_str).collect();
    let open: HashSet<&str> = facts.open_applicants.iter().map(String::as_str).collect();
    let local_start = local_date(facts.starts_at, &facts.province_code);

    let mut attendees = 0;
    let mut placed_attendees = 0;
    let mut known = 0;
    let mut breakdowns = Breakdowns::default();
    let mut seen = HashSet::new();
    for attendee in &facts.attendees {
        let id = attendee.job_seeker_id.as_str();
        if !seen.insert(id) {
            continue; // one attendee per job seeker
        }
        attendees += 1;
        let is_placed = placed.contains(id);
        placed_attendees += i64::from(is_placed);
        let is_known = settled.contains(id) || (applicants.contains(id) && !open.contains(id));
        known += i64::from(is_known);
        for (dimension, value) in attendee.values(local_start) {
            tally(breakdowns.dimension_mut(dimension), &value, is_placed);
        }
    }
    breakdowns.finish();

    // Employers.
    let approved: HashSet<&str> = facts
        .approved_employers
        .iter()
        .map(String::as_str)
        .collect();
    let hiring = verified
        .iter()
        .map(|p| p.employer_id.as_str())
        .filter(|e| approved.contains(e))
        .collect::<HashSet<_>>()
        .len() as i64;

    let (cost_idr, cost_basis) = cost(facts.status, facts.budget_idr, facts.spent_idr);

    let median_days_to_start = median(
        verified
            .iter()
            .map(|p| (p.start_date - local_start).num_days())
            .collect(),
    );

    let retention = retention(&verified, &facts.follow_ups);

    // Flags of placements that are not retracted; every known flag is listed, even at 0.
    let mut flags: BTreeMap<String, i64> = Flag::ALL
        .iter()
        .map(|f| (f.as_str().to_owned(), 0))
        .collect();
    for placement in facts
        .placements
        .iter()
        .filter(|p| p.status != PlacementStatus::Retracted)
    {
        let names: Vec<String> = serde_json::from_str(&placement.flags).unwrap_or_default();
        for name in names.into_iter().collect::<HashSet<_>>() {
            *flags.entry(name).or_default() += 1;
        }
    }

    let participating_employers = approved.len() as i64;
    EventMetrics {
        event_id: facts.event_id.clone(),
        registrations: facts.registrations,
        attendees,
        participating_employers,
        vacancies: facts.vacancies,
        openings: facts.openings,
        applications: facts.applications,
        applicants: applicants.len() as i64,
        interviewed: facts.interviewed,
        offered: facts.offered,
        placements_reported,
        placements_pending: count_status(PlacementStatus::Reported),
        placements_verified,
        placements_disputed: count_status(PlacementStatus::Disputed),
        placements_seeker_confirmed: placements_verified - placements_staff_only,
        placements_staff_only,
        placed_attendees,
        placement_rate: rate(placed_attendees, attendees),
        vacancy_fill_rate: rate(placements_verified, facts.openings),
        employer_hire_rate: rate(hiring, participating_employers),
        cost_idr,
        cost_basis,
        cost_per_placement_idr: divide_money(cost_idr, placements_verified),
        median_days_to_start,
        knowledge_rate: rate(known, attendees),
        retention_90d_checked: retention[0].checked,
        retention_90d_employed: retention[0].employed,
        retention_90d_rate: rate(retention[0].employed, retention[0].checked),
        retention_180d_checked: retention[1].checked,
        retention_180d_employed: retention[1].employed,
        retention_180d_rate: rate(retention[1].employed, retention[1].checked),
        flags,
        breakdowns,
    }
}

/// The figures of one event for `caller`, read in one snapshot. Admins and ministry staff see
/// any event; organizers the events of organizations they act for (a public event of another
/// organization is 403, an event they cannot see at all 404); employers and job seekers 403. A
/// draft's figures are answered too (see the module).
pub fn of_event(conn: &mut DbConn, caller: &AuthUser, event_id: &str) -> AppResult<EventMetrics> {
    guards::role(caller, &[Role::Admin, Role::Ministry, Role::Organizer])?;
    let event = guards::event_reader(conn, caller, event_id)?;
    let facts = crate::db::read_snapshot(conn, |conn| load(conn, &event))?;
    Ok(compute(&facts))
}

/// The retention of verified placements at one checkpoint.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Retention {
    /// Verified placements with a follow-up in the checkpoint's window.
    pub checked: i64,
    /// Of those, the ones whose latest follow-up in the window says employed.
    pub employed: i64,
}

impl Retention {
    /// Both checkpoints from the columns they are kept in (`event_retention`).
    pub fn kept(
        checked_90: i32,
        employed_90: i32,
        checked_180: i32,
        employed_180: i32,
    ) -> [Self; 2] {
        [
            Self {
                checked: checked_90.into(),
                employed: employed_90.into(),
            },
            Self {
                checked: checked_180.into(),
                employed: employed_180.into(),
            },
        ]
    }
}

/// Retention at each of [`CHECKPOINTS`] (90 and 180 days), as separate measures: a follow-up
/// counts for the checkpoint whose window holds its date ([`crate::follow_ups::counts_for`]: 90
/// to 179 days after the start date, then 180 days on), so a check at day 200 says nothing about
/// day 90 and attrition between the two shows. Per placement and window, the latest follow-up
/// decides (greatest `checked_on`, then the one recorded last).
pub fn retention(
    verified: &[&PlacementFact],
    follow_ups: &[FollowUpFact],
) -> [Retention; CHECKPOINTS.len()] {
    let start_dates: HashMap<&str, NaiveDate> = verified
        .iter()
        .map(|p| (p.id.as_str(), p.start_date))
        .collect();
    CHECKPOINTS.map(|checkpoint| {
        let mut latest: HashMap<&str, &FollowUpFact> = HashMap::new();
        for follow_up in follow_ups {
            let Some(start) = start_dates.get(follow_up.placement_id.as_str()) else {
                continue;
            };
            if !crate::follow_ups::counts_for(*start, follow_up.checked_on).contains(&checkpoint) {
                continue;
            }
            let key = |f: &FollowUpFact| (f.checked_on, f.recorded_at, f.id.clone());
            latest
                .entry(follow_up.placement_id.as_str())
                .and_modify(|current| {
                    if key(follow_up) > key(current) {
                        *current = follow_up;
                    }
                })
                .or_insert(follow_up);
        }
        Retention {
            checked: latest.len() as i64,
            employed: latest.values().filter(|f| f.employed).count() as i64,
        }
    })
}

/// The text of the application statuses still in the pipeline (not hired, rejected or
/// withdrawn): an attendee with such an application has no known outcome yet.
fn open_application_texts() -> Vec<&'static str> {
    ApplicationStatus::ALL
        .iter()
        .filter(|s| s.is_open())
        .map(|s| s.as_str())
        .collect()
}

/// Reads the facts of `event`: ten queries, each an aggregate or an indexed scan of the event's
/// own rows (through `registrations_event_idx`, `vacancies_event_idx`, the participations key,
/// the applications `(vacancy_id, job_seeker_id)` key, `application_transitions_application_idx`,
/// `placements_vacancy_idx` and `follow_ups_placement_idx`). Counts, sums and distinct ids are
/// the database's; rows come back only for attendees, placements and their follow-ups, which
/// the breakdowns, the exact median and the latest follow-up need one by one.
pub fn load(conn: &mut DbConn, event: &Event) -> QueryResult<Facts> {
    let id = event.id.as_str();
    let registrations = registrations::table
        .filter(registrations::event_id.eq(id))
        .count()
        .get_result::<i64>(conn)?;
    let approved_employers = participations::table
        .filter(participations::event_id.eq(id))
        .filter(participations::status.eq(crate::participations::ParticipationStatus::Approved))
        .select(participations::organization_id)
        .load::<String>(conn)?;
    let (vacancies, openings) = vacancies::table
        .filter(vacancies::event_id.eq(id))
        .select((count_star(), sum(vacancies::openings)))
        .get_result::<(i64, Option<i64>)>(conn)?;
    let applications = applications::table
        .inner_join(vacancies::table)
        .filter(vacancies::event_id.eq(id))
        .select(count(applications::id))
        .get_result::<i64>(conn)?;
    let reached = application_transitions::table
        .inner_join(applications::table.inner_join(vacancies::table))
        .filter(vacancies::event_id.eq(id))
        .filter(application_transitions::status.eq_any([
            ApplicationStatus::Interviewed.as_str(),
            ApplicationStatus::Offered.as_str(),
        ]))
        .group_by(application_transitions::status)
        .select((
            application_transitions::status,
            count(application_transitions::application_id).aggregate_distinct(),
        ))
        .load::<(String, i64)>(conn)?;
    let reached_count = |stage: ApplicationStatus| {
        reached
            .iter()
            .find(|(status, _)| status == stage.as_str())
            .map_or(0, |(_, n)| *n)
    };
    let applicants = applications::table
        .inner_join(vacancies::table)
        .filter(vacancies::event_id.eq(id))
        .select(applications::job_seeker_id)
        .distinct()
        .load::<String>(conn)?;
    let open_applicants = applications::table
        .inner_join(vacancies::table)
        .filter(vacancies::event_id.eq(id))
        .filter(applications::status.eq_any(open_application_texts()))
        .select(applications::job_seeker_id)
        .distinct()
        .load::<String>(conn)?;
    let attendees = registrations::table
        .inner_join(job_seekers::table)
        .filter(registrations::event_id.eq(id))
        .filter(registrations::checked_in_at.is_not_null())
        .select(AttendeeFact::as_select())
        .load(conn)?;
    let placements = placements::table
        .inner_join(vacancies::table)
        .filter(vacancies::event_id.eq(id))
        .select(PlacementFact::as_select())
        .load(conn)?;
    let follow_ups = follow_ups::table
        .inner_join(placements::table.inner_join(vacancies::table))
        .filter(vacancies::event_id.eq(id))
        .filter(placements::status.eq_any(verified_texts()))
        .select(FollowUpFact::as_select())
        .load(conn)?;
    Ok(Facts {
        event_id: event.id.clone(),
        province_code: event.province_code.clone(),
        starts_at: event.starts_at,
        status: event.status,
        budget_idr: event.budget_idr,
        spent_idr: event.spent_idr,
        registrations,
        approved_employers,
        vacancies,
        openings: openings.unwrap_or(0),
        applications,
        interviewed: reached_count(ApplicationStatus::Interviewed),
        offered: reached_count(ApplicationStatus::Offered),
        applicants,
        open_applicants,
        attendees,
        placements,
        follow_ups,
    })
}

#[cfg(test)]
mod tests;
