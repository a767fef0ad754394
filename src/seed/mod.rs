//! `bursa seed`: a synthetic, consistent national dataset, for demonstrations, newcomers and
//! benchmarks. Everything is drawn from one seeded `StdRng`, so the same seed gives the same data
//! (relative to the current day). The rows obey the rules the API enforces (valid NIKs, consent,
//! capacity, counters, application histories, placement flags); they are written with batched
//! multi-row INSERTs, committed in chunks, and not audited.

mod data;

use std::collections::{HashMap, HashSet};

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::{Rng, SeedableRng};

use crate::db::schema::{
    application_transitions, applications, events, follow_ups, job_seekers, memberships,
    organizations, participations, placements, registrations, users, vacancies,
};
use crate::db::{write_transaction, DbConn};
use crate::placements::{compute_flags, local_date, FlagFacts};

/// The password of every seeded user.
pub const SEED_PASSWORD: &str = "bursa-seed-password";
/// Rows per INSERT statement (within SQLite's variable limit for the widest table).
const BATCH: usize = 500;
/// Rows per committed transaction.
const COMMIT_ROWS: usize = 20_000;

/// How much to generate.
#[derive(Debug, Clone)]
pub struct SeedOptions {
    pub events: usize,
    pub job_seekers: usize,
    /// The average number of registrations of an event that takes them.
    pub registrations_per_event: usize,
    /// Events are spread over this many years up to about two months ahead.
    pub years: u32,
    pub organizers: usize,
    pub employers: usize,
    pub seed: u64,
    /// Seed even if the database holds events already.
    pub force: bool,
    /// Draw progress bars on stderr (hidden anyway when stderr is not a terminal).
    pub progress: bool,
}

impl SeedOptions {
    /// The default: a modest regional dataset, well under a minute on SQLite.
    pub fn default_scale() -> Self {
        Self {
            events: 40,
            job_seekers: 8_000,
            registrations_per_event: 500,
            years: 3,
            organizers: 12,
            employers: 120,
            seed: 1,
            force: false,
            progress: true,
        }
    }

    /// National scale: 1,000 events, about a million registrations and 100,000 placements.
    pub fn national() -> Self {
        Self {
            events: 1_000,
            job_seekers: 300_000,
            registrations_per_event: 1_085,
            years: 5,
            organizers: 38,
            employers: 3_000,
            ..Self::default_scale()
        }
    }
}

/// What was written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SeedSummary {
    pub users: usize,
    pub organizations: usize,
    pub events: usize,
    pub participations: usize,
    pub vacancies: usize,
    pub job_seekers: usize,
    pub registrations: usize,
    pub check_ins: usize,
    pub applications: usize,
    pub transitions: usize,
    pub placements: usize,
    pub follow_ups: usize,
    pub admin_email: String,
    pub ministry_email: String,
    pub organizer_email: String,
    pub employer_email: String,
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the database already holds {0} events; refusing to mix synthetic data with them (use --force to seed anyway)")]
    NotEmpty(i64),
    #[error("{0}")]
    Invalid(String),
    #[error("database error: {0}")]
    Database(#[from] diesel::result::Error),
}

// ---------------------------------------------------------------------------------------------
// Rows
// ---------------------------------------------------------------------------------------------

#[derive(Insertable)]
#[diesel(table_name = users)]
struct UserRow {
    id: String,
    email: String,
    password_hash: String,
    full_name: String,
    role: &'static str,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = organizations)]
struct OrgRow {
    id: String,
    name: String,
    kind: &'static str,
    province_code: &'static str,
    city: &'static str,
    sector_code: Option<&'static str>,
    registration_number: Option<String>,
    ownership: &'static str,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = memberships)]
struct MembershipRow {
    organization_id: String,
    user_id: String,
    role: &'static str,
    created_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = events)]
struct EventRow {
    id: String,
    organization_id: String,
    title: String,
    description: String,
    format: &'static str,
    venue: Option<String>,
    province_code: &'static str,
    city: &'static str,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    capacity: i32,
    budget_idr: i64,
    funding_source: &'static str,
    target_placements: i32,
    status: &'static str,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
    published_at: Option<NaiveDateTime>,
    closed_at: Option<NaiveDateTime>,
    cancelled_at: Option<NaiveDateTime>,
    spent_idr: Option<i64>,
    closing_notes: Option<String>,
    registrations_count: i32,
    attendees_count: i32,
    local_start_date: NaiveDate,
}

#[derive(Insertable)]
#[diesel(table_name = participations)]
struct ParticipationRow {
    event_id: String,
    organization_id: String,
    booth: Option<String>,
    status: &'static str,
    requested_by: String,
    requested_at: NaiveDateTime,
    decided_by: Option<String>,
    decided_at: Option<NaiveDateTime>,
}

#[derive(Insertable)]
#[diesel(table_name = vacancies)]
struct VacancyRow {
    id: String,
    event_id: String,
    organization_id: String,
    title: String,
    description: String,
    occupation_code: &'static str,
    openings: i32,
    employment_type: &'static str,
    salary_min_idr: Option<i64>,
    salary_max_idr: Option<i64>,
    education_min: Option<&'static str>,
    location_province_code: &'static str,
    location_city: &'static str,
    disability_friendly: bool,
    closes_at: Option<NaiveDateTime>,
    status: &'static str,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = job_seekers)]
struct JobSeekerRow {
    id: String,
    full_name: String,
    nik_hash: String,
    nik_last4: String,
    birth_date: Option<NaiveDate>,
    gender: &'static str,
    education_level: &'static str,
    province_code: &'static str,
    city: &'static str,
    disability: bool,
    disability_type: Option<&'static str>,
    phone: Option<String>,
    email: Option<String>,
    consent_at: NaiveDateTime,
    consent_recorded_by: String,
    created_by: String,
    created_at: NaiveDateTime,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = registrations)]
struct RegistrationRow {
    id: String,
    event_id: String,
    job_seeker_id: String,
    check_in_code: String,
    registered_at: NaiveDateTime,
    registered_by: String,
    checked_in_at: Option<NaiveDateTime>,
    checked_in_by: Option<String>,
}

#[derive(Insertable)]
#[diesel(table_name = applications)]
struct ApplicationRow {
    id: String,
    vacancy_id: String,
    job_seeker_id: String,
    status: &'static str,
    applied_at: NaiveDateTime,
    created_by: String,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = application_transitions)]
struct TransitionRow {
    id: String,
    application_id: String,
    status: &'static str,
    at: NaiveDateTime,
    actor_user_id: String,
}

#[derive(Insertable)]
#[diesel(table_name = placements)]
struct PlacementRow {
    id: String,
    application_id: String,
    vacancy_id: String,
    event_id: String,
    job_seeker_id: String,
    employer_id: String,
    status: &'static str,
    start_date: NaiveDate,
    salary_idr: i64,
    contract_type: &'static str,
    occupation_code: &'static str,
    flags: String,
    reported_by: String,
    reported_at: NaiveDateTime,
    confirmed_at: Option<NaiveDateTime>,
    disputed_at: Option<NaiveDateTime>,
    dispute_reason: Option<&'static str>,
    verified_at: Option<NaiveDateTime>,
    verified_by: Option<String>,
    verification_method: Option<&'static str>,
    verification_note: Option<&'static str>,
    retracted_at: Option<NaiveDateTime>,
    retracted_by: Option<String>,
    retraction_note: Option<&'static str>,
    updated_at: NaiveDateTime,
}

#[derive(Insertable)]
#[diesel(table_name = follow_ups)]
struct FollowUpRow {
    id: String,
    placement_id: String,
    checked_on: NaiveDate,
    employed: bool,
    same_employer: bool,
    source: &'static str,
    recorded_by: String,
    recorded_at: NaiveDateTime,
}

/// Inserts `rows` in multi-row statements of [`BATCH`], committing every [`COMMIT_ROWS`].
macro_rules! insert_rows {
    ($conn:expr, $table:path, $rows:expr, $bar:expr) => {{
        for commit in $rows.chunks(COMMIT_ROWS) {
            write_transaction($conn, |conn| {
                for batch in commit.chunks(BATCH) {
                    // Multi-row INSERTs are per engine: `DbConn` does not build them.
                    match conn {
                        DbConn::Postgres(pg) => {
                            diesel::insert_into($table).values(batch).execute(pg)?
                        }
                        DbConn::Sqlite(lite) => {
                            diesel::insert_into($table).values(batch).execute(lite)?
                        }
                    };
                }
                Ok::<_, diesel::result::Error>(())
            })?;
            $bar.inc(commit.len() as u64);
        }
    }};
}

// ---------------------------------------------------------------------------------------------
// Generation helpers
// ---------------------------------------------------------------------------------------------

/// A UUIDv7 for a row made at `at`, from the seeded generator: deterministic and time-ordered.
fn id_at(rng: &mut StdRng, at: NaiveDateTime) -> String {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    let random: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// A random time in `[from, to)`, or `from` when the range is empty.
fn between(rng: &mut StdRng, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
    let span = (to - from).num_seconds();
    if span <= 0 {
        return from;
    }
    from + Duration::seconds(rng.random_range(0..span))
}

fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
    let total: u32 = items.iter().map(|(_, w)| w).sum();
    let mut pick = rng.random_range(0..total.max(1));
    for (item, weight) in items {
        if pick < *weight {
            return item;
        }
        pick -= weight;
    }
    &items[items.len() - 1].0
}

fn province_index(rng: &mut StdRng) -> usize {
    let total: u32 = data::PROVINCES.iter().map(|p| p.3).sum();
    let mut pick = rng.random_range(0..total);
    for (i, p) in data::PROVINCES.iter().enumerate() {
        if pick < p.3 {
            return i;
        }
        pick -= p.3;
    }
    0
}

fn person_name(rng: &mut StdRng, female: bool) -> String {
    let given = if female {
        data::FEMALE_NAMES
    } else {
        data::MALE_NAMES
    };
    format!(
        "{} {}",
        given.choose(rng).unwrap_or(&"Sri"),
        data::SURNAMES.choose(rng).unwrap_or(&"Santoso")
    )
}

/// A NIK of valid shape: province, regency and district codes, the birth date as DDMMYY with 40
/// added to the day for women, and a four-digit serial.
pub fn make_nik(
    province_code: &str,
    regency: u32,
    district: u32,
    birth_date: NaiveDate,
    female: bool,
    serial: u32,
) -> String {
    use chrono::Datelike;
    let day = birth_date.day() + if female { 40 } else { 0 };
    format!(
        "{province_code}{:02}{:02}{day:02}{:02}{:02}{:04}",
        regency % 100,
        district % 100,
        birth_date.month(),
        birth_date.year().rem_euclid(100),
        serial % 10_000
    )
}

fn round_to(value: i64, step: i64) -> i64 {
    (value / step) * step
}

fn bar(options: &SeedOptions, len: usize, phase: &str) -> ProgressBar {
    let bar = if options.progress {
        ProgressBar::with_draw_target(Some(len as u64), ProgressDrawTarget::stderr())
    } else {
        ProgressBar::hidden()
    };
    if let Ok(style) = ProgressStyle::with_template("{msg:>16} [{bar:40}] {pos}/{len} ({elapsed})")
    {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_message(phase.to_owned());
    bar
}

struct Org {
    id: String,
    user_id: String,
    province: usize,
}

struct EventPlan {
    id: String,
    org: usize,
    province: usize,
    status: &'static str,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    /// (job seeker, registered_at, checked_in_at)
    registrations: Vec<(u32, NaiveDateTime, Option<NaiveDateTime>)>,
}

struct VacancyPlan {
    id: String,
    employer: usize,
    openings: i32,
    occupation_code: &'static str,
    employment_type: &'static str,
    salary_min: i64,
    salary_max: i64,
}

const STEPS: [&str; 5] = ["applied", "shortlisted", "interviewed", "offered", "hired"];

// ---------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------

/// Seeds the database. `password_hash` is the argon2 hash of [`SEED_PASSWORD`], computed once.
pub fn run(
    conn: &mut DbConn,
    nik_key: &[u8],
    password_hash: &str,
    options: &SeedOptions,
) -> Result<SeedSummary, SeedError> {
    if options.events == 0 || options.job_seekers == 0 || !(1..=20).contains(&options.years) {
        return Err(SeedError::Invalid(
            "--events and --job-seekers must be at least 1, --years 1 to 20".into(),
        ));
    }
    let existing: i64 = events::table.count().get_result(conn)?;
    if existing > 0 && !options.force {
        return Err(SeedError::NotEmpty(existing));
    }
    // A second run (with --force) gets its own e-mail domain and its own random stream, so that
    // emails, NIKs and codes do not collide with the first.
    let run_index: i64 = users::table
        .filter(users::email.like("admin@seed%.bursa.test"))
        .count()
        .get_result(conn)?;
    let domain = if run_index == 0 {
        "seed.bursa.test".to_owned()
    } else {
        format!("seed{run_index}.bursa.test")
    };
    let mut rng = StdRng::seed_from_u64(
        options
            .seed
            .wrapping_add((run_index as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15)),
    );
    let today = Utc::now().date_naive();
    let anchor = today.and_hms_opt(0, 0, 0).unwrap_or_default();
    let range_start = anchor - Duration::days(365 * i64::from(options.years));
    let range_end = anchor + Duration::days(60);
    let setup_time = range_start - Duration::days(90);
    let mut summary = SeedSummary::default();

    // --- Users and organizations -------------------------------------------------------------
    let mut user_rows = Vec::new();
    let mut make_user = |rng: &mut StdRng, email: String, role: &'static str| {
        let id = id_at(rng, setup_time);
        let female = rng.random_bool(0.5);
        user_rows.push(UserRow {
            id: id.clone(),
            email,
            password_hash: password_hash.to_owned(),
            full_name: person_name(rng, female),
            role,
            created_at: setup_time,
            updated_at: setup_time,
        });
        id
    };
    let admin_id = make_user(&mut rng, format!("admin@{domain}"), "admin");
    let ministry_id = make_user(&mut rng, format!("ministry@{domain}"), "ministry");
    let organizer_count = options.organizers.clamp(1, data::PROVINCES.len());
    let mut org_rows = Vec::new();
    let mut membership_rows = Vec::new();
    let mut organizers: Vec<Org> = Vec::new();
    // Organizers: the provincial manpower offices, the biggest provinces first.
    let mut by_weight: Vec<usize> = (0..data::PROVINCES.len()).collect();
    by_weight.sort_by_key(|&i| std::cmp::Reverse(data::PROVINCES[i].3));
    for (n, &province) in by_weight.iter().take(organizer_count).enumerate() {
        let (code, cities, _, _) = data::PROVINCES[province];
        let user_id = make_user(
            &mut rng,
            format!("organizer{}@{domain}", n + 1),
            "organizer",
        );
        let id = id_at(&mut rng, setup_time);
        let name = crate::provinces::find(code).map_or(code, |p| p.name);
        org_rows.push(OrgRow {
            id: id.clone(),
            name: format!("Dinas Tenaga Kerja Provinsi {name}"),
            kind: "organizer",
            province_code: code,
            city: cities[0],
            sector_code: None,
            registration_number: None,
            ownership: "public",
            created_by: user_id.clone(),
            created_at: setup_time,
            updated_at: setup_time,
        });
        membership_rows.push(MembershipRow {
            organization_id: id.clone(),
            user_id: user_id.clone(),
            role: "owner",
            created_at: setup_time,
        });
        organizers.push(Org {
            id,
            user_id,
            province,
        });
    }
    let mut employers: Vec<Org> = Vec::new();
    let mut employers_by_province: Vec<Vec<usize>> = vec![Vec::new(); data::PROVINCES.len()];
    for n in 0..options.employers.max(1) {
        let province = province_index(&mut rng);
        let (code, cities, _, _) = data::PROVINCES[province];
        let user_id = make_user(&mut rng, format!("employer{}@{domain}", n + 1), "employer");
        let id = id_at(&mut rng, setup_time);
        // About one employer in twelve is state-owned (BUMN/BUMD): the 2% disability quota.
        let public = rng.random_bool(0.08);
        let name = format!(
            "PT {} {} {}{}",
            data::COMPANY_FIRST.choose(&mut rng).unwrap_or(&"Maju"),
            data::COMPANY_SECOND.choose(&mut rng).unwrap_or(&"Jaya"),
            cities.choose(&mut rng).unwrap_or(&cities[0]),
            if public { " (Persero)" } else { "" }
        );
        org_rows.push(OrgRow {
            id: id.clone(),
            name,
            kind: "employer",
            province_code: code,
            city: cities.choose(&mut rng).unwrap_or(&cities[0]),
            sector_code: data::SECTORS.choose(&mut rng).copied(),
            registration_number: Some(format!(
                "{:013}",
                rng.random_range(0..10_000_000_000_000u64)
            )),
            ownership: if public { "public" } else { "private" },
            created_by: user_id.clone(),
            created_at: setup_time,
            updated_at: setup_time,
        });
        membership_rows.push(MembershipRow {
            organization_id: id.clone(),
            user_id: user_id.clone(),
            role: "owner",
            created_at: setup_time,
        });
        employers_by_province[province].push(n);
        employers.push(Org {
            id,
            user_id,
            province,
        });
    }
    summary.admin_email = format!("admin@{domain}");
    summary.ministry_email = format!("ministry@{domain}");
    summary.organizer_email = format!("organizer1@{domain}");
    summary.employer_email = format!("employer1@{domain}");
    summary.users = user_rows.len();
    summary.organizations = org_rows.len();
    let b = bar(options, user_rows.len() + org_rows.len(), "accounts");
    insert_rows!(conn, users::table, user_rows, b);
    insert_rows!(conn, organizations::table, org_rows, b);
    insert_rows!(conn, memberships::table, membership_rows, b);
    b.finish();

    // --- Job seekers' provinces, then the plan of every event --------------------------------
    let seeker_province: Vec<usize> = (0..options.job_seekers)
        .map(|_| province_index(&mut rng))
        .collect();
    let mut seekers_by_province: Vec<Vec<u32>> = vec![Vec::new(); data::PROVINCES.len()];
    for (i, p) in seeker_province.iter().enumerate() {
        seekers_by_province[*p].push(i as u32);
    }
    let mut plans: Vec<EventPlan> = Vec::with_capacity(options.events);
    let mut event_rows = Vec::with_capacity(options.events);
    let total_days = (range_end - range_start).num_days().max(1);
    for i in 0..options.events {
        let org = rng.random_range(0..organizers.len());
        let province = organizers[org].province;
        let (code, cities, _, _) = data::PROVINCES[province];
        let city = *cities.choose(&mut rng).unwrap_or(&cities[0]);
        let mut day = rng.random_range(0..total_days);
        // The first four events cover every status, whatever the random draw.
        let forced = if options.events >= 4 && i < 4 {
            let (status, offset) = [
                ("draft", 40),
                ("cancelled", -30),
                ("published", 20),
                ("closed", -120),
            ][i];
            day = (anchor + Duration::days(offset) - range_start).num_days();
            Some(status)
        } else {
            None
        };
        // 08:00 local time is 01:00 UTC in western Indonesia; close enough for every zone.
        let starts_at = range_start + Duration::days(day) + Duration::hours(1);
        let two_days = rng.random_bool(0.3);
        let ends_at = starts_at + Duration::hours(if two_days { 32 } else { 8 });
        let past = ends_at < anchor - Duration::days(14);
        let status = forced.unwrap_or_else(|| {
            let r = rng.random_range(0..100);
            if past {
                if r < 85 {
                    "closed"
                } else if r < 93 {
                    "published"
                } else {
                    "cancelled"
                }
            } else if ends_at < anchor {
                if r < 85 {
                    "published"
                } else if r < 95 {
                    "closed"
                } else {
                    "cancelled"
                }
            } else if r < 75 {
                "published"
            } else if r < 93 {
                "draft"
            } else {
                "cancelled"
            }
        });
        let created_at = (starts_at - Duration::days(45)).min(anchor - Duration::days(10));
        let published_at = (status != "draft").then(|| created_at + Duration::days(1));
        let cancelled_at = (status == "cancelled").then(|| {
            (starts_at - Duration::days(3))
                .min(anchor - Duration::hours(1))
                .max(created_at + Duration::days(2))
        });
        let closed_at = (status == "closed").then(|| {
            (ends_at + Duration::days(rng.random_range(1..10))).min(anchor - Duration::hours(1))
        });
        let format = *weighted(&mut rng, &[("onsite", 70), ("hybrid", 20), ("online", 10)]);
        // Registrations: none for drafts, fewer for cancelled ones.
        let planned =
            (options.registrations_per_event as f64 * rng.random_range(0.5..1.5)) as usize;
        let count = match status {
            "draft" => 0,
            "cancelled" => planned * 3 / 10,
            _ if ends_at > anchor => planned * 6 / 10,
            _ => planned,
        }
        .min(options.job_seekers);
        let capacity = ((planned.max(count) as f64 * 1.2) as i32 / 50 + 1) * 50;
        let window_end = match cancelled_at {
            Some(c) => c,
            None => starts_at.min(anchor - Duration::hours(2)),
        };
        let attends = matches!(status, "closed" | "published") && ends_at < anchor;
        let attendance = if format == "online" { 0.5 } else { 0.62 };
        let chosen = choose_seekers(
            &mut rng,
            count,
            &seekers_by_province[province],
            options.job_seekers,
        );
        let mut regs = Vec::with_capacity(chosen.len());
        for seeker in chosen {
            let registered_at = between(
                &mut rng,
                published_at.unwrap_or(created_at) + Duration::hours(1),
                window_end,
            );
            let checked_in = (attends && rng.random_bool(attendance))
                .then(|| between(&mut rng, starts_at, ends_at - Duration::minutes(30)));
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
        let id = id_at(&mut rng, created_at);
        event_rows.push(EventRow {
            id: id.clone(),
            organization_id: organizers[org].id.clone(),
            title,
            description: format!(
                "Bursa kerja yang diselenggarakan {} untuk pencari kerja di {city} dan sekitarnya.",
                org_name_hint(code)
            ),
            format,
            venue: (format != "online").then(|| {
                format!(
                    "{} {city}",
                    data::VENUES.choose(&mut rng).unwrap_or(&"Gedung")
                )
            }),
            province_code: code,
            city,
            starts_at,
            ends_at,
            capacity,
            budget_idr: budget,
            funding_source: weighted::<&str>(
                &mut rng,
                &[
                    ("apbn", 25),
                    ("dekonsentrasi", 20),
                    ("apbd", 40),
                    ("private", 10),
                    ("other", 5),
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

    // --- Employers at fairs and their vacancies ----------------------------------------------
    let mut participation_rows = Vec::new();
    let mut vacancy_rows = Vec::new();
    let mut vacancy_plans: Vec<VacancyPlan> = Vec::new();
    let mut vacancies_by_event: Vec<Vec<usize>> = vec![Vec::new(); plans.len()];
    let per_event = (options.registrations_per_event / 60).clamp(4, 40);
    for (e, plan) in plans.iter().enumerate() {
        if plan.status == "draft" {
            continue;
        }
        let organizer = &organizers[plan.org];
        let published = anchor.min(plan.starts_at) - Duration::days(30);
        let k = (per_event * rng.random_range(7..13) / 10).min(employers.len());
        let local = &employers_by_province[plan.province];
        let mut picked: HashSet<usize> = HashSet::new();
        for _ in 0..k * 3 {
            if picked.len() >= k {
                break;
            }
            let candidate = if !local.is_empty() && rng.random_bool(0.7) {
                *local.choose(&mut rng).unwrap_or(&0)
            } else {
                rng.random_range(0..employers.len())
            };
            picked.insert(candidate);
        }
        let mut picked: Vec<usize> = picked.into_iter().collect();
        picked.sort_unstable();
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
                status: "approved",
                requested_by: employers[employer].user_id.clone(),
                requested_at,
                decided_by: Some(organizer.user_id.clone()),
                decided_at: Some(decided_at),
            });
            for _ in 0..rng.random_range(1..=3) {
                let (occupation, title, education) = *data::OCCUPATIONS
                    .choose(&mut rng)
                    .unwrap_or(&data::OCCUPATIONS[0]);
                let (code, cities, wage, _) = data::PROVINCES[plan.province];
                let skilled = matches!(education, "d3" | "s1");
                let salary_min = round_to(
                    wage * rng.random_range(100..if skilled { 180 } else { 125 }) / 100,
                    50_000,
                );
                let salary_max = round_to(salary_min * rng.random_range(110..160) / 100, 50_000);
                let employment_type = *weighted(
                    &mut rng,
                    &[
                        ("permanent", 30),
                        ("contract", 50),
                        ("internship", 8),
                        ("part_time", 5),
                        ("daily", 7),
                    ],
                );
                let created_at = decided_at + Duration::hours(rng.random_range(1..24));
                let closes_at = plan.ends_at + Duration::days(14);
                let open = matches!(plan.status, "published") && closes_at > anchor;
                let id = id_at(&mut rng, created_at);
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
                    location_city: cities.choose(&mut rng).unwrap_or(&cities[0]),
                    disability_friendly: rng.random_bool(0.15),
                    closes_at: Some(closes_at),
                    status: if open { "open" } else { "closed" },
                    created_by: employers[employer].user_id.clone(),
                    created_at,
                    updated_at: created_at,
                });
                vacancies_by_event[e].push(vacancy_plans.len());
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

    // --- Job seekers, created before their first registration --------------------------------
    let mut first_seen: Vec<Option<(NaiveDateTime, usize)>> = vec![None; options.job_seekers];
    for plan in &plans {
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
        let birth_date = today - Duration::days(age_days);
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
                between(&mut rng, range_start, anchor - Duration::days(1)),
                organizers[rng.random_range(0..organizers.len())]
                    .user_id
                    .clone(),
            ),
        };
        let full_name = person_name(&mut rng, female);
        let disability = rng.random_bool(0.03);
        let id = id_at(&mut rng, created_at);
        let education = *weighted(
            &mut rng,
            &[
                ("sd", 8),
                ("smp", 15),
                ("sma", 30),
                ("smk", 25),
                ("d3", 8),
                ("d4", 2),
                ("s1", 11),
                ("s2", 1),
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
            gender: if female { "female" } else { "male" },
            education_level: education,
            province_code: code,
            city: cities.choose(&mut rng).unwrap_or(&cities[0]),
            disability,
            disability_type: disability
                .then(|| *data::DISABILITY_TYPES.choose(&mut rng).unwrap_or(&"fisik")),
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

    // --- Fair activity, event by event -------------------------------------------------------
    let total_regs: usize = plans.iter().map(|p| p.registrations.len()).sum();
    let b = bar(options, total_regs, "registrations");
    let mut hires_per_vacancy: Vec<i32> = vec![0; vacancy_plans.len()];
    let mut verified_per_vacancy: Vec<i64> = vec![0; vacancy_plans.len()];
    let mut active_starts: HashMap<u32, Vec<NaiveDate>> = HashMap::new();
    let staff = [admin_id.as_str(), ministry_id.as_str()];
    for (e, plan) in plans.iter().enumerate() {
        let organizer = &organizers[plan.org].user_id;
        let mut reg_rows = Vec::with_capacity(plan.registrations.len());
        let mut app_rows = Vec::new();
        let mut transition_rows = Vec::new();
        let mut placement_rows = Vec::new();
        let mut follow_up_rows = Vec::new();
        let event_vacancies = &vacancies_by_event[e];
        let first_day = local_date(plan.starts_at, data::PROVINCES[plan.province].0);
        let last_day = local_date(plan.ends_at, data::PROVINCES[plan.province].0);
        for &(seeker, registered_at, checked_in_at) in &plan.registrations {
            let mut code = [0u8; 16];
            rng.fill(&mut code);
            reg_rows.push(RegistrationRow {
                id: id_at(&mut rng, registered_at),
                event_id: plan.id.clone(),
                job_seeker_id: seeker_ids[seeker as usize].clone(),
                check_in_code: base64::Engine::encode(
                    &base64::engine::general_purpose::URL_SAFE_NO_PAD,
                    code,
                ),
                registered_at,
                registered_by: organizer.clone(),
                checked_in_at,
                checked_in_by: checked_in_at.map(|_| organizer.clone()),
            });
            let Some(checked_in_at) = checked_in_at else {
                continue;
            };
            if event_vacancies.is_empty() || !rng.random_bool(0.6) {
                continue;
            }
            let wanted = rng.random_range(1..=2).min(event_vacancies.len());
            let chosen: Vec<usize> = event_vacancies
                .choose_multiple(&mut rng, wanted)
                .copied()
                .collect();
            for v in chosen {
                let vacancy = &vacancy_plans[v];
                // The path the application takes, cut where it reaches today.
                let r = rng.random_range(0..100);
                let mut path: Vec<&'static str> = if r < 23 {
                    STEPS.to_vec()
                } else if r < 44 {
                    vec!["applied", "rejected"]
                } else if r < 59 {
                    vec!["applied", "shortlisted", "rejected"]
                } else if r < 74 {
                    vec!["applied", "shortlisted", "interviewed", "rejected"]
                } else if r < 78 {
                    STEPS[..4].iter().copied().chain(["rejected"]).collect()
                } else if r < 85 {
                    vec!["applied", "withdrawn"]
                } else {
                    STEPS[..rng.random_range(1..=4)].to_vec()
                };
                if path.last() == Some(&"hired") && hires_per_vacancy[v] >= vacancy.openings {
                    path = vec!["applied", "shortlisted", "interviewed", "rejected"];
                }
                let mut times = Vec::with_capacity(path.len());
                let mut at = checked_in_at + Duration::minutes(rng.random_range(10..240));
                for (n, _) in path.iter().enumerate() {
                    if n > 0 {
                        at += Duration::hours(rng.random_range(12..168));
                    }
                    times.push(at);
                }
                let limit = anchor - Duration::hours(1);
                let keep = times.iter().take_while(|t| **t <= limit).count().max(1);
                path.truncate(keep);
                times.truncate(keep);
                let status = *path.last().unwrap_or(&"applied");
                let last_at = *times.last().unwrap_or(&at);
                let app_id = id_at(&mut rng, times[0]);
                let employer = &employers[vacancy.employer];
                for (step, t) in path.iter().zip(&times) {
                    transition_rows.push(TransitionRow {
                        id: id_at(&mut rng, *t),
                        application_id: app_id.clone(),
                        status: step,
                        at: *t,
                        actor_user_id: if *step == "applied" {
                            organizer.clone()
                        } else {
                            employer.user_id.clone()
                        },
                    });
                }
                app_rows.push(ApplicationRow {
                    id: app_id.clone(),
                    vacancy_id: vacancy.id.clone(),
                    job_seeker_id: seeker_ids[seeker as usize].clone(),
                    status,
                    applied_at: times[0],
                    created_by: organizer.clone(),
                    updated_at: last_at,
                });
                if status != "hired" {
                    continue;
                }
                hires_per_vacancy[v] += 1;
                let reported_at = last_at + Duration::hours(rng.random_range(2..72));
                if reported_at > limit {
                    continue;
                }
                let start_date = last_at.date() + Duration::days(rng.random_range(3..30));
                let others = active_starts.entry(seeker).or_default();
                let flags = compute_flags(&FlagFacts {
                    start_date,
                    event_first_day: first_day,
                    event_last_day: last_day,
                    checked_in: true,
                    verified_for_vacancy: verified_per_vacancy[v],
                    openings: vacancy.openings,
                    other_active_starts: others.clone(),
                });
                let flags =
                    serde_json::to_string(&flags.iter().map(|f| f.as_str()).collect::<Vec<_>>())
                        .unwrap_or_else(|_| "[]".into());
                let mut row = PlacementRow {
                    id: id_at(&mut rng, reported_at),
                    application_id: app_id,
                    vacancy_id: vacancy.id.clone(),
                    event_id: plan.id.clone(),
                    job_seeker_id: seeker_ids[seeker as usize].clone(),
                    employer_id: employer.id.clone(),
                    status: "reported",
                    start_date,
                    salary_idr: round_to(
                        rng.random_range(vacancy.salary_min..=vacancy.salary_max),
                        50_000,
                    )
                    .max(vacancy.salary_min),
                    contract_type: vacancy.employment_type,
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
                let r = rng.random_range(0..100);
                let later = |rng: &mut StdRng, from: NaiveDateTime, days: i64| {
                    let t = from + Duration::hours(rng.random_range(6..days * 24));
                    (t <= limit).then_some(t)
                };
                if r < 70 {
                    // Confirmed by the job seeker, and often verified by staff afterwards.
                    let confirmed = if r < 45 && rng.random_bool(0.5) {
                        None
                    } else {
                        later(&mut rng, reported_at, 10)
                    };
                    if let Some(t) = confirmed {
                        row.status = "confirmed";
                        row.confirmed_at = Some(t);
                        row.updated_at = t;
                    }
                    if r < 45 {
                        if let Some(t) = later(&mut rng, confirmed.unwrap_or(reported_at), 20) {
                            row.status = "verified";
                            row.verified_at = Some(t);
                            row.verified_by = Some(staff[rng.random_range(0..2)].to_owned());
                            row.verification_method = Some(*weighted(
                                &mut rng,
                                &[
                                    ("phone", 50),
                                    ("document", 25),
                                    ("visit", 10),
                                    ("social_security", 15),
                                ],
                            ));
                            row.verification_note = Some("Diverifikasi oleh petugas.");
                            row.updated_at = t;
                        }
                    }
                } else if r < 78 {
                    if let Some(t) = later(&mut rng, reported_at, 10) {
                        row.status = "disputed";
                        row.disputed_at = Some(t);
                        row.dispute_reason = data::DISPUTE_REASONS.choose(&mut rng).copied();
                        row.updated_at = t;
                    }
                } else if r < 85 {
                    if let Some(t) = later(&mut rng, reported_at, 20) {
                        row.status = "retracted";
                        row.retracted_at = Some(t);
                        row.retracted_by = Some(employer.user_id.clone());
                        row.retraction_note = Some("Dilaporkan karena kekeliruan data.");
                        row.updated_at = t;
                        // As the API does: the application goes back to the stage it had
                        // reached before `hired`.
                        let before = path.iter().rev().nth(1).copied().unwrap_or("applied");
                        if let Some(application) = app_rows.last_mut() {
                            application.status = before;
                            application.updated_at = t;
                        }
                        transition_rows.push(TransitionRow {
                            id: id_at(&mut rng, t),
                            application_id: row.application_id.clone(),
                            status: before,
                            at: t,
                            actor_user_id: employer.user_id.clone(),
                        });
                    }
                }
                if row.status != "retracted" {
                    others.push(start_date);
                }
                if matches!(row.status, "confirmed" | "verified") {
                    verified_per_vacancy[v] += 1;
                    for (days, p_employed) in [(90, 0.85), (180, 0.78)] {
                        let checked_on = start_date + Duration::days(days);
                        if checked_on >= today {
                            break;
                        }
                        let employed = rng.random_bool(p_employed);
                        let source = *weighted(
                            &mut rng,
                            &[("employer", 50), ("job_seeker", 20), ("staff", 30)],
                        );
                        let recorded_at = (checked_on.and_hms_opt(3, 0, 0).unwrap_or_default()
                            + Duration::hours(rng.random_range(0..72)))
                        .min(limit);
                        follow_up_rows.push(FollowUpRow {
                            id: id_at(&mut rng, recorded_at),
                            placement_id: row.id.clone(),
                            checked_on,
                            employed,
                            same_employer: employed && rng.random_bool(0.9),
                            source,
                            recorded_by: if source == "employer" {
                                employer.user_id.clone()
                            } else {
                                ministry_id.clone()
                            },
                            recorded_at,
                        });
                    }
                }
                placement_rows.push(row);
            }
        }
        summary.registrations += reg_rows.len();
        summary.check_ins += reg_rows
            .iter()
            .filter(|r| r.checked_in_at.is_some())
            .count();
        summary.applications += app_rows.len();
        summary.transitions += transition_rows.len();
        summary.placements += placement_rows.len();
        summary.follow_ups += follow_up_rows.len();
        let hidden = ProgressBar::hidden();
        insert_rows!(conn, registrations::table, reg_rows, b);
        insert_rows!(conn, applications::table, app_rows, hidden);
        insert_rows!(
            conn,
            application_transitions::table,
            transition_rows,
            hidden
        );
        insert_rows!(conn, placements::table, placement_rows, hidden);
        insert_rows!(conn, follow_ups::table, follow_up_rows, hidden);
    }
    b.finish();

    // The figures the API keeps on each event as it goes (crate::metrics::tally), counted once
    // from the rows written above.
    let b = bar(options, plans.len(), "event figures");
    let ids: Vec<String> = plans.iter().map(|plan| plan.id.clone()).collect();
    for chunk in ids.chunks(50) {
        write_transaction(conn, |conn| {
            crate::metrics::tally::rebuild(conn, Some(chunk))
        })?;
        b.inc(chunk.len() as u64);
    }
    b.finish();
    Ok(summary)
}

fn org_name_hint(code: &str) -> String {
    let name = crate::provinces::find(code).map_or(code, |p| p.name);
    format!("Dinas Tenaga Kerja Provinsi {name}")
}

/// `count` distinct job seekers, most from the event's province.
fn choose_seekers(rng: &mut StdRng, count: usize, local: &[u32], total: usize) -> Vec<u32> {
    let count = count.min(total);
    let local_count = (count * 85 / 100).min(local.len() * 9 / 10);
    let mut chosen: HashSet<u32> = HashSet::with_capacity(count);
    for i in rand::seq::index::sample(rng, local.len(), local_count) {
        chosen.insert(local[i]);
    }
    while chosen.len() < count {
        chosen.insert(rng.random_range(0..total) as u32);
    }
    let mut chosen: Vec<u32> = chosen.into_iter().collect();
    // A HashSet's order is random per process; sort for determinism, then shuffle by the seed.
    chosen.sort_unstable();
    rand::seq::SliceRandom::shuffle(chosen.as_mut_slice(), rng);
    chosen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::job_seekers::{parse_nik, Gender};

    #[test]
    fn generated_niks_parse_with_their_birth_date_and_gender() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 23).unwrap();
        let mut rng = StdRng::seed_from_u64(7);
        for _ in 0..1_000 {
            let female = rng.random_bool(0.5);
            let birth = today - Duration::days(rng.random_range(18 * 365..50 * 365));
            let province = data::PROVINCES.choose(&mut rng).unwrap().0;
            let nik = make_nik(
                province,
                rng.random_range(1..30),
                rng.random_range(1..40),
                birth,
                female,
                rng.random_range(1..10_000),
            );
            let info = parse_nik(&nik, today).unwrap();
            assert!(info.agrees_with(birth), "{nik}");
            assert_eq!(
                info.gender,
                if female { Gender::Female } else { Gender::Male }
            );
            assert_eq!(&nik[..2], province);
        }
    }

    #[test]
    fn province_table_matches_the_shipped_provinces() {
        assert_eq!(data::PROVINCES.len(), crate::provinces::all().len());
        for (code, cities, wage, _) in data::PROVINCES {
            assert!(crate::provinces::find(code).is_some(), "{code}");
            assert!(!cities.is_empty());
            assert!(*wage > 2_000_000);
        }
    }
}
