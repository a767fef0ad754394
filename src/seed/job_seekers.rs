//! The job seekers: where each lives (drawn before the events, which register mostly local
//! people), and their profiles, each made shortly before their first registration.

use std::collections::HashSet;

use chrono::{Duration, NaiveDateTime};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::gen::{bar, between, id_at, make_nik, person_name, province_index, weighted};
use super::rows::{insert_rows, JobSeekerRow, COMMIT_ROWS};
use super::{data, Clock, EventPlan, Org, SeedError, SeedOptions, SeedSummary};
use crate::db::schema::job_seekers;
use crate::db::DbConn;
use crate::job_seekers::{EducationLevel, Gender};

/// The province (index into [`data::PROVINCES`]) of each job seeker.
pub(super) fn provinces(rng: &mut StdRng, options: &SeedOptions) -> Vec<usize> {
    (0..options.job_seekers)
        .map(|_| province_index(rng))
        .collect()
}

/// The job seekers of each province, by number.
pub(super) fn by_province(seeker_province: &[usize]) -> Vec<Vec<u32>> {
    let mut seekers_by_province: Vec<Vec<u32>> = vec![Vec::new(); data::PROVINCES.len()];
    for (i, p) in seeker_province.iter().enumerate() {
        seekers_by_province[*p].push(i as u32);
    }
    seekers_by_province
}

/// Writes the profiles, recorded by the organizer of the event each job seeker first registered
/// for (or by a random organizer); returns their ids, by number.
#[allow(clippy::too_many_arguments)]
pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    clock: &Clock,
    options: &SeedOptions,
    nik_key: &[u8],
    seeker_province: &[usize],
    plans: &[EventPlan],
    organizers: &[Org],
    summary: &mut SeedSummary,
) -> Result<Vec<String>, SeedError> {
    let mut first_seen: Vec<Option<(NaiveDateTime, usize)>> = vec![None; options.job_seekers];
    for plan in plans {
        for (seeker, at, _) in &plan.registrations {
            let slot = &mut first_seen[*seeker as usize];
            if slot.is_none_or(|(t, _)| *at < t) {
                *slot = Some((*at, plan.org));
            }
        }
    }
    let mut seeker_ids: Vec<String> = Vec::with_capacity(options.job_seekers);
    let mut niks: HashSet<String> = HashSet::with_capacity(options.job_seekers);
    let b = bar(options, options.job_seekers, "job seekers");
    let mut seeker_rows = Vec::with_capacity(COMMIT_ROWS);
    for (i, &province) in seeker_province.iter().enumerate() {
        let (code, cities, _, _) = data::PROVINCES[province];
        let female = rng.random_bool(0.5);
        // Adults throughout the years the events span.
        let youngest = 366 * (18 + i64::from(options.years));
        let age_days = rng.random_range(youngest..youngest.max(56 * 366) + 1);
        let birth_date = clock.today - Duration::days(age_days);
        let nik = loop {
            let nik = make_nik(
                code,
                rng.random_range(1..30),
                rng.random_range(1..40),
                birth_date,
                female,
                rng.random_range(1..10_000),
            );
            if niks.insert(nik.clone()) {
                break nik;
            }
        };
        let (created_at, recorded_by) = match first_seen[i] {
            Some((at, org)) => (
                at - Duration::minutes(rng.random_range(5..4_320)),
                organizers[org].user_id.clone(),
            ),
            None => (
                between(rng, clock.range_start, clock.anchor - Duration::days(1)),
                organizers[rng.random_range(0..organizers.len())]
                    .user_id
                    .clone(),
            ),
        };
        let full_name = person_name(rng, female);
        let disability = rng.random_bool(0.03);
        let id = id_at(rng, created_at);
        let education = *weighted(
            rng,
            &[
                (EducationLevel::Sd, 8),
                (EducationLevel::Smp, 15),
                (EducationLevel::Sma, 30),
                (EducationLevel::Smk, 25),
                (EducationLevel::D3, 8),
                (EducationLevel::D4, 2),
                (EducationLevel::S1, 11),
                (EducationLevel::S2, 1),
            ],
        );
        let phone = rng.random_bool(0.8).then(|| {
            format!(
                "08{}{:08}",
                rng.random_range(11..99),
                rng.random_range(0..100_000_000)
            )
        });
        let email = rng.random_bool(0.4).then(|| {
            format!(
                "{}.{}@example.id",
                full_name.to_lowercase().replace(' ', "."),
                i + 1
            )
        });
        seeker_rows.push(JobSeekerRow {
            id: id.clone(),
            full_name,
            nik_hash: crate::job_seekers::nik_hash(nik_key, &nik),
            nik_last4: crate::job_seekers::nik_last4(&nik),
            birth_date: Some(birth_date),
            gender: if female { Gender::Female } else { Gender::Male }.as_str(),
            education_level: education.as_str(),
            province_code: code,
            city: cities.choose(rng).unwrap_or(&cities[0]),
            disability,
            disability_type: disability
                .then(|| *data::DISABILITY_TYPES.choose(rng).unwrap_or(&"fisik")),
            phone,
            email,
            consent_at: created_at,
            consent_recorded_by: recorded_by.clone(),
            created_by: recorded_by,
            created_at,
            updated_at: created_at,
        });
        seeker_ids.push(id);
        if seeker_rows.len() >= COMMIT_ROWS {
            insert_rows!(conn, job_seekers::table, seeker_rows, b);
            seeker_rows.clear();
        }
    }
    insert_rows!(conn, job_seekers::table, seeker_rows, b);
    drop(seeker_rows);
    drop(niks);
    b.finish();
    summary.job_seekers = seeker_ids.len();
    Ok(seeker_ids)
}
