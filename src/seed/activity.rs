//! The last phase, event by event: registrations and check-ins, applications with their
//! histories, hires with the API's flags and the statuses the parties gave them, and the
//! retention follow-ups of verified placements.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use indicatif::ProgressBar;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::accounts::Accounts;
use super::gen::{bar, id_at, round_to, weighted};
use super::rows::{
    insert_rows, ApplicationRow, FollowUpRow, PlacementRow, RegistrationRow, TransitionRow,
};
use super::vacancies::Vacancies;
use super::{data, Clock, EventPlan, SeedError, SeedOptions, SeedSummary};
use crate::applications::ApplicationStatus;
use crate::db::schema::{
    application_transitions, applications, follow_ups, placements, registrations,
};
use crate::db::DbConn;
use crate::follow_ups::{Source, CHECKPOINTS};
use crate::placements::{
    compute_flags, local_date, ContractType, FlagFacts, PlacementStatus, VerificationMethod,
};

use ApplicationStatus::{Applied, Hired, Interviewed, Offered, Rejected, Shortlisted, Withdrawn};

/// The stages of an application that goes all the way.
const STEPS: [ApplicationStatus; 5] = [Applied, Shortlisted, Interviewed, Offered, Hired];

/// The share of verified placements whose follow-up is done at each of [`CHECKPOINTS`]: some
/// people cannot be reached.
const REACHED: [f64; 2] = [0.8, 0.7];

/// The chance of being still employed at a checkpoint: at the first, then at the next for those
/// who were employed at the last check (or not checked), and for those who were not. People
/// mostly stay where they are, so retention falls from 90 to 180 days (about 0.85 to 0.79).
const STILL_EMPLOYED: f64 = 0.85;
const STAYS_EMPLOYED: f64 = 0.9;
const FINDS_WORK_AGAIN: f64 = 0.15;

/// The path an application takes, as fairs see them: most are rejected on the way.
fn draw_path(rng: &mut StdRng) -> Vec<ApplicationStatus> {
    let r = rng.random_range(0..100);
    if r < 23 {
        STEPS.to_vec()
    } else if r < 44 {
        vec![Applied, Rejected]
    } else if r < 59 {
        vec![Applied, Shortlisted, Rejected]
    } else if r < 74 {
        vec![Applied, Shortlisted, Interviewed, Rejected]
    } else if r < 78 {
        STEPS[..4].iter().copied().chain([Rejected]).collect()
    } else if r < 85 {
        vec![Applied, Withdrawn]
    } else {
        STEPS[..rng.random_range(1..=4)].to_vec()
    }
}

/// What the rows of one event come to.
#[derive(Default)]
struct EventRows {
    registrations: Vec<RegistrationRow>,
    applications: Vec<ApplicationRow>,
    transitions: Vec<TransitionRow>,
    placements: Vec<PlacementRow>,
    follow_ups: Vec<FollowUpRow>,
}

/// What the fair activity keeps track of across events.
struct State {
    hires_per_vacancy: Vec<i32>,
    verified_per_vacancy: Vec<i64>,
    /// The start dates of each job seeker's placements that are not retracted.
    active_starts: HashMap<u32, Vec<NaiveDate>>,
}

/// A time up to `days` after `from`, if it is in the past.
fn later(rng: &mut StdRng, clock: &Clock, from: NaiveDateTime, days: i64) -> Option<NaiveDateTime> {
    let t = from + Duration::hours(rng.random_range(6..days * 24));
    (t <= clock.limit()).then_some(t)
}

/// Moves a reported hire on as its parties would: most confirmed by the job seeker and often
/// verified by staff afterwards (some verified by staff alone), some disputed, some retracted
/// (the application then goes back to the stage it had reached, as the API does).
#[allow(clippy::too_many_arguments)]
fn settle(
    rng: &mut StdRng,
    clock: &Clock,
    row: &mut PlacementRow,
    path: &[ApplicationStatus],
    employer_user: &str,
    staff: [&str; 2],
    rows: &mut EventRows,
) {
    let reported_at = row.reported_at;
    let r = rng.random_range(0..100);
    if r < 70 {
        let confirmed = if r < 45 && rng.random_bool(0.5) {
            None
        } else {
            later(rng, clock, reported_at, 10)
        };
        if let Some(t) = confirmed {
            row.status = PlacementStatus::Confirmed;
            row.confirmed_at = Some(t);
            row.updated_at = t;
        }
        if r < 45 {
            if let Some(t) = later(rng, clock, confirmed.unwrap_or(reported_at), 20) {
                row.status = PlacementStatus::Verified;
                row.verified_at = Some(t);
                row.verified_by = Some(staff[rng.random_range(0..2)].to_owned());
                row.verification_method = Some(*weighted(
                    rng,
                    &[
                        (VerificationMethod::Phone, 50),
                        (VerificationMethod::Document, 25),
                        (VerificationMethod::Visit, 10),
                        (VerificationMethod::SocialSecurity, 15),
                    ],
                ));
                row.verification_note = Some("Diverifikasi oleh petugas.");
                row.updated_at = t;
            }
        }
    } else if r < 78 {
        if let Some(t) = later(rng, clock, reported_at, 10) {
            row.status = PlacementStatus::Disputed;
            row.disputed_at = Some(t);
            row.dispute_reason = data::DISPUTE_REASONS.choose(rng).copied();
            row.updated_at = t;
        }
    } else if r < 85 {
        if let Some(t) = later(rng, clock, reported_at, 20) {
            row.status = PlacementStatus::Retracted;
            row.retracted_at = Some(t);
            row.retracted_by = Some(employer_user.to_owned());
            row.retraction_note = Some("Dilaporkan karena kekeliruan data.");
            row.updated_at = t;
            let before = path.iter().rev().nth(1).copied().unwrap_or(Applied);
            if let Some(application) = rows.applications.last_mut() {
                application.status = before;
                application.updated_at = t;
            }
            rows.transitions.push(TransitionRow {
                id: id_at(rng, t),
                application_id: row.application_id.clone(),
                status: before,
                at: t,
                actor_user_id: employer_user.to_owned(),
            });
        }
    }
}

/// The follow-ups of a verified placement at each checkpoint already past.
fn follow_up(
    rng: &mut StdRng,
    clock: &Clock,
    placement: &PlacementRow,
    employer_user: &str,
    ministry_id: &str,
    rows: &mut EventRows,
) {
    let mut last_employed = None;
    for (days, p_reached) in CHECKPOINTS.into_iter().zip(REACHED) {
        let checked_on = placement.start_date + Duration::days(days);
        if checked_on >= clock.today {
            break;
        }
        let p_employed = match last_employed {
            None => STILL_EMPLOYED,
            Some(true) => STAYS_EMPLOYED,
            Some(false) => FINDS_WORK_AGAIN,
        };
        // Drawn whether or not anyone asks, so that the next checkpoint follows from it.
        let employed = rng.random_bool(p_employed);
        last_employed = Some(employed);
        if !rng.random_bool(p_reached) {
            continue;
        }
        let source = *weighted(
            rng,
            &[
                (Source::Employer, 50),
                (Source::JobSeeker, 20),
                (Source::Staff, 30),
            ],
        );
        let recorded_at = (checked_on.and_hms_opt(3, 0, 0).unwrap_or_default()
            + Duration::hours(rng.random_range(0..72)))
        .min(clock.limit());
        rows.follow_ups.push(FollowUpRow {
            id: id_at(rng, recorded_at),
            placement_id: placement.id.clone(),
            checked_on,
            employed,
            same_employer: employed && rng.random_bool(0.9),
            source: source.as_str(),
            recorded_by: if source == Source::Employer {
                employer_user.to_owned()
            } else {
                ministry_id.to_owned()
            },
            recorded_at,
        });
    }
}

#[allow(clippy::too_many_arguments)]
pub(super) fn write(
    conn: &mut DbConn,
    rng: &mut StdRng,
    clock: &Clock,
    options: &SeedOptions,
    plans: &[EventPlan],
    accounts: &Accounts,
    vacancies: &Vacancies,
    seeker_ids: &[String],
    summary: &mut SeedSummary,
) -> Result<(), SeedError> {
    let total_regs: usize = plans.iter().map(|p| p.registrations.len()).sum();
    let b = bar(options, total_regs, "registrations");
    let mut state = State {
        hires_per_vacancy: vec![0; vacancies.plans.len()],
        verified_per_vacancy: vec![0; vacancies.plans.len()],
        active_starts: HashMap::new(),
    };
    for (e, plan) in plans.iter().enumerate() {
        let rows = event_rows(
            rng,
            clock,
            plan,
            &vacancies.by_event[e],
            accounts,
            vacancies,
            seeker_ids,
            &mut state,
        );
        summary.registrations += rows.registrations.len();
        summary.check_ins += rows
            .registrations
            .iter()
            .filter(|r| r.checked_in_at.is_some())
            .count();
        summary.applications += rows.applications.len();
        summary.transitions += rows.transitions.len();
        summary.placements += rows.placements.len();
        summary.follow_ups += rows.follow_ups.len();
        let hidden = ProgressBar::hidden();
        insert_rows!(conn, registrations::table, rows.registrations, b);
        insert_rows!(conn, applications::table, rows.applications, hidden);
        insert_rows!(
            conn,
            application_transitions::table,
            rows.transitions,
            hidden
        );
        insert_rows!(conn, placements::table, rows.placements, hidden);
        insert_rows!(conn, follow_ups::table, rows.follow_ups, hidden);
    }
    b.finish();
    Ok(())
}

/// The rows of one event: each registration, and for the attendees who apply, their
/// applications, hires and follow-ups.
#[allow(clippy::too_many_arguments)]
fn event_rows(
    rng: &mut StdRng,
    clock: &Clock,
    plan: &EventPlan,
    event_vacancies: &[usize],
    accounts: &Accounts,
    vacancies: &Vacancies,
    seeker_ids: &[String],
    state: &mut State,
) -> EventRows {
    let organizer = &accounts.organizers[plan.org].user_id;
    let staff = [accounts.admin_id.as_str(), accounts.ministry_id.as_str()];
    let limit = clock.limit();
    let mut rows = EventRows::default();
    let first_day = local_date(plan.starts_at, data::PROVINCES[plan.province].0);
    let last_day = local_date(plan.ends_at, data::PROVINCES[plan.province].0);
    for &(seeker, registered_at, checked_in_at) in &plan.registrations {
        let mut code = [0u8; 10];
        rng.fill(&mut code);
        rows.registrations.push(RegistrationRow {
            id: id_at(rng, registered_at),
            event_id: plan.id.clone(),
            job_seeker_id: seeker_ids[seeker as usize].clone(),
            check_in_code: crate::registrations::codes::code_of(code),
            registered_at,
            registered_by: organizer.clone(),
            checked_in_at,
            checked_in_by: checked_in_at.map(|_| organizer.clone()),
            updated_at: checked_in_at.unwrap_or(registered_at),
        });
        let Some(checked_in_at) = checked_in_at else {
            continue;
        };
        if event_vacancies.is_empty() || !rng.random_bool(0.6) {
            continue;
        }
        let wanted = rng.random_range(1..=2).min(event_vacancies.len());
        let chosen: Vec<usize> = event_vacancies
            .choose_multiple(rng, wanted)
            .copied()
            .collect();
        for v in chosen {
            let vacancy = &vacancies.plans[v];
            // The path the application takes, cut where it reaches today.
            let mut path = draw_path(rng);
            if path.last() == Some(&Hired) && state.hires_per_vacancy[v] >= vacancy.openings {
                path = vec![Applied, Shortlisted, Interviewed, Rejected];
            }
            let mut times = Vec::with_capacity(path.len());
            let mut at = checked_in_at + Duration::minutes(rng.random_range(10..240));
            for (n, _) in path.iter().enumerate() {
                if n > 0 {
                    at += Duration::hours(rng.random_range(12..168));
                }
                times.push(at);
            }
            let keep = times.iter().take_while(|t| **t <= limit).count().max(1);
            path.truncate(keep);
            times.truncate(keep);
            let status = *path.last().unwrap_or(&Applied);
            let last_at = *times.last().unwrap_or(&at);
            let app_id = id_at(rng, times[0]);
            let employer = &accounts.employers[vacancy.employer];
            for (step, t) in path.iter().zip(&times) {
                rows.transitions.push(TransitionRow {
                    id: id_at(rng, *t),
                    application_id: app_id.clone(),
                    status: *step,
                    at: *t,
                    actor_user_id: if *step == Applied {
                        organizer.clone()
                    } else {
                        employer.user_id.clone()
                    },
                });
            }
            rows.applications.push(ApplicationRow {
                id: app_id.clone(),
                vacancy_id: vacancy.id.clone(),
                job_seeker_id: seeker_ids[seeker as usize].clone(),
                status,
                applied_at: times[0],
                created_by: organizer.clone(),
                updated_at: last_at,
            });
            if status != Hired {
                continue;
            }
            state.hires_per_vacancy[v] += 1;
            let reported_at = last_at + Duration::hours(rng.random_range(2..72));
            if reported_at > limit {
                continue;
            }
            let start_date = last_at.date() + Duration::days(rng.random_range(3..30));
            let others = state.active_starts.entry(seeker).or_default();
            let flags = compute_flags(&FlagFacts {
                start_date,
                event_first_day: first_day,
                event_last_day: last_day,
                checked_in: true,
                verified_for_vacancy: state.verified_per_vacancy[v],
                openings: vacancy.openings,
                other_active_starts: others.clone(),
            });
            let flags =
                serde_json::to_string(&flags.iter().map(|f| f.as_str()).collect::<Vec<_>>())
                    .unwrap_or_else(|_| "[]".into());
            let mut row = PlacementRow {
                id: id_at(rng, reported_at),
                application_id: app_id,
                vacancy_id: vacancy.id.clone(),
                event_id: plan.id.clone(),
                job_seeker_id: seeker_ids[seeker as usize].clone(),
                employer_id: employer.id.clone(),
                status: PlacementStatus::Reported,
                start_date,
                salary_idr: round_to(
                    rng.random_range(vacancy.salary_min..=vacancy.salary_max),
                    50_000,
                )
                .max(vacancy.salary_min),
                contract_type: ContractType::parse(vacancy.employment_type.as_str())
                    .unwrap_or_default(),
                occupation_code: vacancy.occupation_code,
                flags,
                reported_by: employer.user_id.clone(),
                reported_at,
                confirmed_at: None,
                disputed_at: None,
                dispute_reason: None,
                verified_at: None,
                verified_by: None,
                verification_method: None,
                verification_note: None,
                retracted_at: None,
                retracted_by: None,
                retraction_note: None,
                updated_at: reported_at,
            };
            settle(
                rng,
                clock,
                &mut row,
                &path,
                &employer.user_id,
                staff,
                &mut rows,
            );
            if row.status != PlacementStatus::Retracted {
                others.push(start_date);
            }
            if row.status.is_verified() {
                state.verified_per_vacancy[v] += 1;
                follow_up(
                    rng,
                    clock,
                    &row,
                    &employer.user_id,
                    &accounts.ministry_id,
                    &mut rows,
                );
            }
            rows.placements.push(row);
        }
    }
    rows
}
