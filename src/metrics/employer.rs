//! `GET /api/v1/organizations/{id}/metrics`: what one employer got out of job fairs, and the
//! share of its verified placements that went to persons with a disability next to its legal
//! quota.
//!
//! The figures cover the employer's rows at *included* events (`published` or `closed`, as in
//! `docs/metrics.md`), optionally only those whose event local date of `starts_at`
//! (`events.local_start_date`, as for the rollups) falls in `from..=to`. [`load`] reads them
//! with four queries whose rows are events, not vacancies or placements (the database counts
//! and groups); [`compute`] is a pure function from those rows to the figures.
//!
//! The quota is that of Law 8/2016 on Persons with Disabilities, article 53: government bodies
//! and state- or region-owned enterprises (BUMN, BUMD) employ at least 2% persons with a
//! disability, private companies at least 1%. Bursa sees only the hires made through fairs, so
//! `meets_quota` says whether those hires reach the quota, not whether the employer's whole
//! workforce does.

use std::collections::HashMap;

use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime};
use diesel::dsl::{count_star, sum};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::rollup::{filtered, Filter};
use super::{rate, verified_texts};
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{events, job_seekers, participations, placements, vacancies};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::EventStatus;
use crate::extract::{path_id, ApiQuery};
use crate::organizations::{Organization, Ownership};
use crate::participations::ParticipationStatus;
use crate::placements::PlacementStatus;
use crate::AppState;

/// The minimum share of employees with a disability, in percent (Law 8/2016 art. 53).
pub fn quota_percent(ownership: Ownership) -> i64 {
    match ownership {
        Ownership::Private => 1,
        Ownership::Public => 2,
    }
}

/// The events whose local start date lies in `from..=to` (either end optional).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Period {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

/// An included event at which the employer was approved or posted a vacancy.
#[derive(Debug, Clone, Queryable)]
pub struct EventFact {
    pub id: String,
    pub title: String,
    pub status: EventStatus,
    pub province_code: String,
    pub starts_at: NaiveDateTime,
    /// The employer's participation status at the event, if it asked to take part.
    pub participation: Option<ParticipationStatus>,
}

/// Everything the employer's figures are computed from.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    pub events: Vec<EventFact>,
    /// Per event: (vacancies, openings).
    pub vacancies: HashMap<String, (i64, i64)>,
    /// Per event and placement status: the employer's placements.
    pub placements: Vec<(String, PlacementStatus, i64)>,
    /// Per event: the employer's verified placements of job seekers with a disability.
    pub with_disability: HashMap<String, i64>,
}

/// One event of the employer.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployerEvent {
    pub event_id: String,
    pub title: String,
    pub status: EventStatus,
    pub province_code: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub starts_at: NaiveDateTime,
    /// The employer's participation was approved (it counts in `fairs_joined`).
    pub joined: bool,
    pub vacancies: i64,
    pub openings: i64,
    pub placements_reported: i64,
    pub placements_verified: i64,
    pub placements_with_disability: i64,
}

/// The employer view. The totals are sums over `events`, except `fairs_joined`, which counts
/// the events where `joined` is true.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EmployerMetrics {
    pub organization_id: String,
    pub name: String,
    pub ownership: &'static str,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub fairs_joined: i64,
    pub vacancies: i64,
    pub openings: i64,
    pub placements_reported: i64,
    pub placements_verified: i64,
    pub vacancy_fill_rate: Option<f64>,
    pub placements_with_disability: i64,
    pub disability_share: Option<f64>,
    pub disability_quota: f64,
    pub meets_quota: Option<bool>,
    pub events: Vec<EmployerEvent>,
}

/// The employer's figures from its facts (read by [`load`] for `period`).
pub fn compute(
    organization: &Organization,
    ownership: Ownership,
    period: Period,
    facts: &Facts,
) -> EmployerMetrics {
    let mut by_event: HashMap<&str, (i64, i64)> = HashMap::new();
    for (event_id, status, n) in &facts.placements {
        let (reported, verified) = by_event.entry(event_id.as_str()).or_default();
        if *status != PlacementStatus::Retracted {
            *reported += n;
        }
        if status.is_verified() {
            *verified += n;
        }
    }
    let events: Vec<EmployerEvent> = facts
        .events
        .iter()
        .map(|e| {
            let (vacancies, openings) = facts.vacancies.get(&e.id).copied().unwrap_or_default();
            let (reported, verified) = by_event.get(e.id.as_str()).copied().unwrap_or_default();
            EmployerEvent {
                event_id: e.id.clone(),
                title: e.title.clone(),
                status: e.status,
                province_code: e.province_code.clone(),
                starts_at: e.starts_at,
                joined: e.participation == Some(ParticipationStatus::Approved),
                vacancies,
                openings,
                placements_reported: reported,
                placements_verified: verified,
                placements_with_disability: facts
                    .with_disability
                    .get(&e.id)
                    .copied()
                    .unwrap_or_default(),
            }
        })
        .collect();
    let total = |f: fn(&EmployerEvent) -> i64| events.iter().map(f).sum::<i64>();
    let openings = total(|e| e.openings);
    let verified = total(|e| e.placements_verified);
    let with_disability = total(|e| e.placements_with_disability);
    let percent = quota_percent(ownership);
    EmployerMetrics {
        organization_id: organization.id.clone(),
        name: organization.name.clone(),
        ownership: ownership.as_str(),
        from: period.from,
        to: period.to,
        fairs_joined: events.iter().filter(|e| e.joined).count() as i64,
        vacancies: total(|e| e.vacancies),
        openings,
        placements_reported: total(|e| e.placements_reported),
        placements_verified: verified,
        vacancy_fill_rate: rate(verified, openings),
        placements_with_disability: with_disability,
        disability_share: rate(with_disability, verified),
        disability_quota: percent as f64 / 100.0,
        // In integers: with / verified >= percent / 100.
        meets_quota: (verified > 0).then(|| with_disability * 100 >= verified * percent),
        events,
    }
}

/// Reads the employer's facts at the included events of `period`, in four queries: the events
/// where its participation was approved or it has a vacancy, ordered by start, with its
/// participation status; its vacancies and openings per event; its placements per event and
/// status; its verified placements of job seekers with a disability per event. Counting and
/// grouping are the database's, over the employer's own rows (the participations key,
/// `vacancies_organization_idx`, `placements_employer_idx`).
pub fn load(conn: &mut DbConn, employer_id: &str, period: Period) -> QueryResult<Facts> {
    let filter = Filter {
        from: period.from,
        to: period.to,
        ..Filter::default()
    };
    let posted = vacancies::table
        .filter(vacancies::organization_id.eq(employer_id))
        .select(vacancies::event_id);
    let events = filtered!(
        events::table
            .left_join(
                participations::table.on(participations::event_id
                    .eq(events::id)
                    .and(participations::organization_id.eq(employer_id))),
            )
            .filter(
                participations::status
                    .eq(ParticipationStatus::Approved)
                    .or(events::id.eq_any(posted)),
            )
            .select((
                events::id,
                events::title,
                events::status,
                events::province_code,
                events::starts_at,
                participations::status.nullable(),
            ))
            .order((events::starts_at.asc(), events::id.asc()))
            .into_boxed(),
        &filter
    )
    .load::<EventFact>(conn)?;
    if events.is_empty() {
        return Ok(Facts {
            events,
            ..Facts::default()
        });
    }
    let vacancies = filtered!(
        vacancies::table
            .inner_join(events::table)
            .filter(vacancies::organization_id.eq(employer_id))
            .group_by(vacancies::event_id)
            .select((vacancies::event_id, count_star(), sum(vacancies::openings)))
            .into_boxed(),
        &filter
    )
    .load::<(String, i64, Option<i64>)>(conn)?
    .into_iter()
    .map(|(event, n, openings)| (event, (n, openings.unwrap_or(0))))
    .collect();
    let placements = filtered!(
        placements::table
            .inner_join(events::table)
            .filter(placements::employer_id.eq(employer_id))
            .group_by((placements::event_id, placements::status))
            .select((placements::event_id, placements::status, count_star()))
            .into_boxed(),
        &filter
    )
    .load::<(String, PlacementStatus, i64)>(conn)?;
    let with_disability = filtered!(
        placements::table
            .inner_join(events::table)
            .inner_join(job_seekers::table)
            .filter(placements::employer_id.eq(employer_id))
            .filter(placements::status.eq_any(verified_texts()))
            .filter(job_seekers::disability.eq(true))
            .group_by(placements::event_id)
            .select((placements::event_id, count_star()))
            .into_boxed(),
        &filter
    )
    .load::<(String, i64)>(conn)?
    .into_iter()
    .collect();
    Ok(Facts {
        events,
        vacancies,
        placements,
        with_disability,
    })
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PeriodQuery {
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
}

/// Admins and ministry staff see any employer; an employer's members see their own (another
/// employer is 403). Organizers and job seekers get 403. The id of an organizer organization
/// is 404: it names no employer (an organizer's figures are the rollups').
pub async fn employer_metrics(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<PeriodQuery>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "employer")?;
    let period = Period {
        from: query.from,
        to: query.to,
    };
    if let (Some(from), Some(to)) = (period.from, period.to) {
        if to < from {
            return Err(AppError::invalid_field("to", "must not be before from"));
        }
    }
    let metrics = state
        .db(move |conn| of_employer(conn, &caller, &id, period))
        .await?;
    Ok(HttpResponse::Ok().json(metrics))
}

/// The employer view of `employer_id` for `caller` (see [`employer_metrics`] for who may ask).
pub fn of_employer(
    conn: &mut DbConn,
    caller: &AuthUser,
    employer_id: &str,
    period: Period,
) -> AppResult<EmployerMetrics> {
    guards::role(caller, &[Role::Admin, Role::Ministry, Role::Employer])?;
    let organization = crate::organizations::find(conn, employer_id)?
        .filter(|o| o.kind == crate::organizations::OrganizationKind::Employer)
        .ok_or_else(|| AppError::not_found("employer"))?;
    guards::organization_reader(conn, caller, employer_id)?;
    let ownership = organization.ownership;
    let facts = load(conn, employer_id, period)?;
    Ok(compute(&organization, ownership, period, &facts))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn organization() -> Organization {
        let at = date("2026-01-01").and_hms_opt(0, 0, 0).unwrap();
        Organization {
            id: "org".into(),
            name: "PT Maju".into(),
            kind: crate::organizations::OrganizationKind::Employer,
            province_code: "31".into(),
            city: "Jakarta".into(),
            sector_code: None,
            registration_number: None,
            ownership: Ownership::Private,
            created_by: "u".into(),
            created_at: at,
            updated_at: at,
            verified_at: None,
            verified_by: None,
            verification_note: None,
        }
    }

    fn event(id: &str, starts_at: &str, province: &str) -> EventFact {
        EventFact {
            id: id.into(),
            title: id.into(),
            status: EventStatus::Closed,
            province_code: province.into(),
            starts_at: NaiveDateTime::parse_from_str(starts_at, "%Y-%m-%d %H:%M").unwrap(),
            participation: Some(ParticipationStatus::Approved),
        }
    }

    /// One event with 200 openings and these placements: (status, count), and how many of the
    /// verified ones went to job seekers with a disability.
    fn facts(placements: &[(&str, i64)], with_disability: i64) -> Facts {
        Facts {
            events: vec![event("e", "2026-03-01 02:00", "31")],
            vacancies: HashMap::from([("e".to_owned(), (2, 200))]),
            placements: placements
                .iter()
                .map(|(status, n)| ("e".to_owned(), PlacementStatus::parse(status).unwrap(), *n))
                .collect(),
            with_disability: HashMap::from([("e".to_owned(), with_disability)]),
        }
    }

    #[test]
    fn the_quota_is_met_at_exactly_its_share() {
        let org = organization();
        let m = compute(
            &org,
            Ownership::Private,
            Period::default(),
            &facts(&[("verified", 1), ("confirmed", 99)], 1),
        );
        assert_eq!(m.placements_verified, 100);
        assert_eq!(m.disability_share, Some(0.01));
        assert_eq!(m.meets_quota, Some(true)); // 1% of 100
        let m = compute(
            &org,
            Ownership::Public,
            Period::default(),
            &facts(&[("verified", 1), ("confirmed", 99)], 1),
        );
        assert_eq!(m.disability_quota, 0.02);
        assert_eq!(m.meets_quota, Some(false)); // 2% of 100 is 2
    }

    #[test]
    fn no_verified_placement_leaves_the_quota_open() {
        let m = compute(
            &organization(),
            Ownership::Private,
            Period::default(),
            &facts(&[("reported", 1), ("disputed", 1), ("retracted", 1)], 0),
        );
        assert_eq!(m.placements_reported, 2);
        assert_eq!(m.placements_verified, 0);
        assert_eq!(m.disability_share, None);
        assert_eq!(m.meets_quota, None);
        assert_eq!(m.vacancy_fill_rate, Some(0.0));
    }
}
