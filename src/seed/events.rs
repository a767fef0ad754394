//! The second phase: the plan of every event (its organizer, dates, status and who registers
//! and checks in), and the event rows.

use chrono::Duration;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::gen::{bar, between, choose_seekers, id_at, org_name_hint, round_to, weighted};
use super::rows::{insert_rows, EventRow};
use super::{data, Clock, EventPlan, Org, SeedError, SeedOptions, SeedSummary};
use crate::db::schema::events;
use crate::db::DbConn;
use crate::events::{EventFormat, EventStatus, FundingSource};

/// The status of an event that ends at `ends_at`, drawn as real fairs go: most past ones closed,
/// most coming ones published.
fn draw_status(rng: &mut StdRng, clock: &Clock, ends_at: chrono::NaiveDateTime) -> EventStatus {
    use EventStatus::{Cancelled, Closed, Draft, Published};
    let past = ends_at < clock.anchor - Duration::days(14);
    let r = rng.random_range(0..100);
    if past {
        if r < 85 {
            Closed
        } else if r < 93 {
            Published
        } else {
            Cancelled
        }
    } else if ends_at < clock.anchor {
        if r < 85 {
            Published
        } else if r < 95 {
            Closed
        } else {
            Cancelled
        }
    } else if r < 75 {
        Published
    } else if r < 93 {
        Draft
    } else {
        Cancelled
    }
}

/// Plans and writes `options.events` events of `organizers`; job seekers register mostly in
/// their own province (`seekers_by_province`).
pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    clock: &Clock,
    options: &SeedOptions,
    organizers: &[Org],
    seekers_by_province: &[Vec<u32>],
    summary: &mut SeedSummary,
) -> Result<Vec<EventPlan>, SeedError> {
    let anchor = clock.anchor;
    let mut plans: Vec<EventPlan> = Vec::with_capacity(options.events);
    let mut event_rows = Vec::with_capacity(options.events);
    let total_days = (clock.range_end - clock.range_start).num_days().max(1);
    for i in 0..options.events {
        let org = rng.random_range(0..organizers.len());
        let province = organizers[org].province;
        let (code, cities, _, _) = data::PROVINCES[province];
        let city = *cities.choose(rng).unwrap_or(&cities[0]);
        let mut day = rng.random_range(0..total_days);
        // The first four events cover every status, whatever the random draw.
        let forced = if options.events >= 4 && i < 4 {
            let (status, offset) = [
                (EventStatus::Draft, 40),
                (EventStatus::Cancelled, -30),
                (EventStatus::Published, 20),
                (EventStatus::Closed, -120),
            ][i];
            day = (anchor + Duration::days(offset) - clock.range_start).num_days();
            Some(status)
        } else {
            None
        };
        // 08:00 local time is 01:00 UTC in western Indonesia; close enough for every zone.
        let starts_at = clock.range_start + Duration::days(day) + Duration::hours(1);
        let two_days = rng.random_bool(0.3);
        let ends_at = starts_at + Duration::hours(if two_days { 32 } else { 8 });
        let status = forced.unwrap_or_else(|| draw_status(rng, clock, ends_at));
        let created_at = (starts_at - Duration::days(45)).min(anchor - Duration::days(10));
        let published_at = (status != EventStatus::Draft).then(|| created_at + Duration::days(1));
        let cancelled_at = (status == EventStatus::Cancelled).then(|| {
            (starts_at - Duration::days(3))
                .min(anchor - Duration::hours(1))
                .max(created_at + Duration::days(2))
        });
        let closed_at = (status == EventStatus::Closed).then(|| {
            (ends_at + Duration::days(rng.random_range(1..10))).min(anchor - Duration::hours(1))
        });
        let format = *weighted(
            rng,
            &[
                (EventFormat::Onsite, 70),
                (EventFormat::Hybrid, 20),
                (EventFormat::Online, 10),
            ],
        );
        // Registrations: none for drafts, fewer for cancelled ones.
        let planned =
            (options.registrations_per_event as f64 * rng.random_range(0.5..1.5)) as usize;
        let count = match status {
            EventStatus::Draft => 0,
            EventStatus::Cancelled => planned * 3 / 10,
            _ if ends_at > anchor => planned * 6 / 10,
            _ => planned,
        }
        .min(options.job_seekers);
        let capacity = ((planned.max(count) as f64 * 1.2) as i32 / 50 + 1) * 50;
        let window_end = match cancelled_at {
            Some(c) => c,
            None => starts_at.min(anchor - Duration::hours(2)),
        };
        let attends = status.takes_outcomes() && ends_at < anchor;
        let attendance = if format == EventFormat::Online {
            0.5
        } else {
            0.62
        };
        let chosen = choose_seekers(
            rng,
            count,
            &seekers_by_province[province],
            options.job_seekers,
        );
        let mut regs = Vec::with_capacity(chosen.len());
        for seeker in chosen {
            let registered_at = between(
                rng,
                published_at.unwrap_or(created_at) + Duration::hours(1),
                window_end,
            );
            let checked_in = (attends && rng.random_bool(attendance))
                .then(|| between(rng, starts_at, ends_at - Duration::minutes(30)));
            regs.push((seeker, registered_at, checked_in));
        }
        let attendees = regs.iter().filter(|r| r.2.is_some()).count();
        let budget = round_to(
            i64::from(capacity) * rng.random_range(40_000..120_000),
            1_000_000,
        );
        let year = chrono::Datelike::year(&starts_at);
        let title = match rng.random_range(0..3) {
            0 => format!("Job Fair {city} {year}"),
            1 => format!("Bursa Kerja {city} {year}"),
            _ => format!("Pameran Kesempatan Kerja {city} {year}"),
        };
        let id = id_at(rng, created_at);
        event_rows.push(EventRow {
            id: id.clone(),
            organization_id: organizers[org].id.clone(),
            title,
            description: format!(
                "Bursa kerja yang diselenggarakan {} untuk pencari kerja di {city} dan sekitarnya.",
                org_name_hint(code)
            ),
            format,
            venue: (format != EventFormat::Online)
                .then(|| format!("{} {city}", data::VENUES.choose(rng).unwrap_or(&"Gedung"))),
            province_code: code,
            city,
            starts_at,
            ends_at,
            capacity,
            budget_idr: budget,
            funding_source: *weighted(
                rng,
                &[
                    (FundingSource::Apbn, 25),
                    (FundingSource::Dekonsentrasi, 20),
                    (FundingSource::Apbd, 40),
                    (FundingSource::Private, 10),
                    (FundingSource::Other, 5),
                ],
            ),
            target_placements: capacity / 10,
            status,
            created_by: organizers[org].user_id.clone(),
            created_at,
            updated_at: [Some(created_at), published_at, closed_at, cancelled_at]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(created_at),
            published_at,
            closed_at,
            cancelled_at,
            spent_idr: closed_at.map(|_| round_to(budget * rng.random_range(60..100) / 100, 1_000)),
            closing_notes: closed_at.map(|_| "Acara selesai sesuai rencana.".to_owned()),
            registrations_count: i32::try_from(regs.len()).unwrap_or(i32::MAX),
            attendees_count: i32::try_from(attendees).unwrap_or(i32::MAX),
            local_start_date: crate::placements::local_date(starts_at, code),
        });
        plans.push(EventPlan {
            id,
            org,
            province,
            status,
            starts_at,
            ends_at,
            registrations: regs,
        });
    }
    summary.events = event_rows.len();
    let b = bar(options, event_rows.len(), "events");
    insert_rows!(conn, events::table, event_rows, b);
    b.finish();
    Ok(plans)
}
