//! The third phase: employers take part in the fairs that go ahead (approved, mostly from the
//! fair's province) and post their vacancies there.

use std::collections::HashSet;

use chrono::Duration;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::accounts::Accounts;
use super::gen::{bar, id_at, round_to, weighted};
use super::rows::{insert_rows, ParticipationRow, VacancyRow};
use super::{data, Clock, EventPlan, SeedError, SeedOptions, SeedSummary};
use crate::db::schema::{participations, vacancies};
use crate::db::DbConn;
use crate::events::EventStatus;
use crate::vacancies::{EmploymentType, VacancyStatus};

/// A vacancy as the later phases need it.
pub(super) struct VacancyPlan {
    pub id: String,
    pub employer: usize,
    pub openings: i32,
    pub occupation_code: &'static str,
    pub employment_type: EmploymentType,
    pub salary_min: i64,
    pub salary_max: i64,
}

/// The vacancies, and those of each event (by index into `plans`).
pub(super) struct Vacancies {
    pub plans: Vec<VacancyPlan>,
    pub by_event: Vec<Vec<usize>>,
}

/// The employers of about `per_event` booths at one fair: most from its province.
fn pick_employers(
    rng: &mut StdRng,
    accounts: &Accounts,
    per_event: usize,
    province: usize,
) -> Vec<usize> {
    let k = (per_event * rng.random_range(7..13) / 10).min(accounts.employers.len());
    let local = &accounts.employers_by_province[province];
    let mut picked: HashSet<usize> = HashSet::new();
    for _ in 0..k * 3 {
        if picked.len() >= k {
            break;
        }
        let candidate = if !local.is_empty() && rng.random_bool(0.7) {
            *local.choose(rng).unwrap_or(&0)
        } else {
            rng.random_range(0..accounts.employers.len())
        };
        picked.insert(candidate);
    }
    let mut picked: Vec<usize> = picked.into_iter().collect();
    picked.sort_unstable();
    picked
}

pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    clock: &Clock,
    options: &SeedOptions,
    plans: &[EventPlan],
    accounts: &Accounts,
    summary: &mut SeedSummary,
) -> Result<Vacancies, SeedError> {
    let employers = &accounts.employers;
    let mut participation_rows = Vec::new();
    let mut vacancy_rows = Vec::new();
    let mut vacancy_plans: Vec<VacancyPlan> = Vec::new();
    let mut by_event: Vec<Vec<usize>> = vec![Vec::new(); plans.len()];
    let per_event = (options.registrations_per_event / 60).clamp(4, 40);
    for (e, plan) in plans.iter().enumerate() {
        if plan.status == EventStatus::Draft {
            continue;
        }
        let organizer = &accounts.organizers[plan.org];
        let published = clock.anchor.min(plan.starts_at) - Duration::days(30);
        let picked = pick_employers(rng, accounts, per_event, plan.province);
        for (booth, employer) in picked.into_iter().enumerate() {
            let requested_at = published + Duration::hours(rng.random_range(1..200));
            let decided_at = requested_at + Duration::hours(rng.random_range(1..48));
            participation_rows.push(ParticipationRow {
                event_id: plan.id.clone(),
                organization_id: employers[employer].id.clone(),
                booth: Some(format!(
                    "{}{}",
                    ["A", "B", "C", "D"][booth % 4],
                    booth / 4 + 1
                )),
                status: crate::participations::ParticipationStatus::Approved,
                requested_by: employers[employer].user_id.clone(),
                requested_at,
                decided_by: Some(organizer.user_id.clone()),
                decided_at: Some(decided_at),
            });
            for _ in 0..rng.random_range(1..=3) {
                let (occupation, title, education) = *data::OCCUPATIONS
                    .choose(rng)
                    .unwrap_or(&data::OCCUPATIONS[0]);
                let (code, cities, wage, _) = data::PROVINCES[plan.province];
                let skilled = matches!(education, "d3" | "s1");
                let salary_min = round_to(
                    wage * rng.random_range(100..if skilled { 180 } else { 125 }) / 100,
                    50_000,
                );
                let salary_max = round_to(salary_min * rng.random_range(110..160) / 100, 50_000);
                let employment_type = *weighted(
                    rng,
                    &[
                        (EmploymentType::Permanent, 30),
                        (EmploymentType::Contract, 50),
                        (EmploymentType::Internship, 8),
                        (EmploymentType::PartTime, 5),
                        (EmploymentType::Daily, 7),
                    ],
                );
                let created_at = decided_at + Duration::hours(rng.random_range(1..24));
                let closes_at = plan.ends_at + Duration::days(14);
                let open = plan.status == EventStatus::Published && closes_at > clock.anchor;
                let id = id_at(rng, created_at);
                let openings = rng.random_range(1..=15);
                vacancy_rows.push(VacancyRow {
                    id: id.clone(),
                    event_id: plan.id.clone(),
                    organization_id: employers[employer].id.clone(),
                    title: title.to_owned(),
                    description: format!("Dibutuhkan {title} untuk penempatan di {}.", cities[0]),
                    occupation_code: occupation,
                    openings,
                    employment_type,
                    salary_min_idr: Some(salary_min),
                    salary_max_idr: Some(salary_max),
                    education_min: Some(education),
                    location_province_code: code,
                    location_city: cities.choose(rng).unwrap_or(&cities[0]),
                    disability_friendly: rng.random_bool(0.15),
                    closes_at: Some(closes_at),
                    status: if open {
                        VacancyStatus::Open
                    } else {
                        VacancyStatus::Closed
                    },
                    created_by: employers[employer].user_id.clone(),
                    created_at,
                    updated_at: created_at,
                });
                by_event[e].push(vacancy_plans.len());
                vacancy_plans.push(VacancyPlan {
                    id,
                    employer,
                    openings,
                    occupation_code: occupation,
                    employment_type,
                    salary_min,
                    salary_max,
                });
            }
        }
    }
    summary.participations = participation_rows.len();
    summary.vacancies = vacancy_rows.len();
    let b = bar(
        options,
        participation_rows.len() + vacancy_rows.len(),
        "vacancies",
    );
    insert_rows!(conn, participations::table, participation_rows, b);
    insert_rows!(conn, vacancies::table, vacancy_rows, b);
    b.finish();
    Ok(Vacancies {
        plans: vacancy_plans,
        by_event,
    })
}
