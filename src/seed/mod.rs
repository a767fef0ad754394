//! `bursa seed`: a synthetic, consistent national dataset, for demonstrations, newcomers and
//! benchmarks. Everything is drawn from one seeded `StdRng`, so the same seed gives the same data
//! (relative to the current day). The rows obey the rules the API enforces (valid NIKs, consent,
//! capacity, counters, application histories, placement flags); they are written with batched
//! multi-row INSERTs, committed in chunks, and not audited.

//!
//! The run goes in phases, one module each, in the order the generator draws them: accounts
//! and organizations ([`accounts`]), the job seekers' provinces and the events ([`events`]),
//! employers at the fairs and their vacancies ([`vacancies`]), the job seekers' profiles
//! ([`job_seekers`]), and the fair activity event by event ([`activity`]); then the figures kept
//! on each event are counted from the rows. The rows ([`rows`]) take the API's own closed sets,
//! so the seed cannot write a status the API does not know.

mod accounts;
mod activity;
pub(crate) mod data;
mod events;
mod gen;
mod job_seekers;
pub(crate) mod rows;
mod vacancies;

use chrono::{Duration, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use rand::rngs::StdRng;
use rand::SeedableRng;

use crate::db::schema::{events as events_table, users};
use crate::db::{write_transaction, DbConn};
use crate::events::EventStatus;

pub use gen::make_nik;

/// The password of every seeded user.
pub const SEED_PASSWORD: &str = "bursa-seed-password";

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

/// The dates the seeded data is laid out around.
struct Clock {
    today: NaiveDate,
    /// Midnight today (UTC): "now" for the data.
    anchor: NaiveDateTime,
    /// Events start in `range_start..range_end`.
    range_start: NaiveDateTime,
    range_end: NaiveDateTime,
    /// When the accounts and organizations were made.
    setup_time: NaiveDateTime,
}

impl Clock {
    fn new(today: NaiveDate, years: u32) -> Self {
        let anchor = today.and_hms_opt(0, 0, 0).unwrap_or_default();
        let range_start = anchor - Duration::days(365 * i64::from(years));
        Self {
            today,
            anchor,
            range_start,
            range_end: anchor + Duration::days(60),
            setup_time: range_start - Duration::days(90),
        }
    }

    /// The latest time anything has happened.
    fn limit(&self) -> NaiveDateTime {
        self.anchor - Duration::hours(1)
    }
}

/// An organization and the user who runs it.
struct Org {
    id: String,
    user_id: String,
    /// Index into [`data::PROVINCES`].
    province: usize,
}

/// An event as the later phases need it.
struct EventPlan {
    id: String,
    /// Index into the organizers.
    org: usize,
    province: usize,
    status: EventStatus,
    starts_at: NaiveDateTime,
    ends_at: NaiveDateTime,
    /// (job seeker, registered_at, checked_in_at)
    registrations: Vec<(u32, NaiveDateTime, Option<NaiveDateTime>)>,
}

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
    let existing: i64 = events_table::table.count().get_result(conn)?;
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
    let rng = &mut rng;
    let clock = Clock::new(Utc::now().date_naive(), options.years);
    let mut summary = SeedSummary::default();

    let accounts = accounts::write(
        conn,
        rng,
        &clock,
        options,
        password_hash,
        &domain,
        &mut summary,
    )?;
    let seeker_province = job_seekers::provinces(rng, options);
    let plans = events::write(
        conn,
        rng,
        &clock,
        options,
        &accounts.organizers,
        &job_seekers::by_province(&seeker_province),
        &mut summary,
    )?;
    let vacancies = vacancies::write(conn, rng, &clock, options, &plans, &accounts, &mut summary)?;
    let seeker_ids = job_seekers::write(
        conn,
        rng,
        &clock,
        options,
        nik_key,
        &seeker_province,
        &plans,
        &accounts.organizers,
        &mut summary,
    )?;
    activity::write(
        conn,
        rng,
        &clock,
        options,
        &plans,
        &accounts,
        &vacancies,
        &seeker_ids,
        &mut summary,
    )?;

    // The figures the API keeps on each event as it goes (crate::metrics::tally), counted once
    // from the rows written above.
    let b = gen::bar(options, plans.len(), "event figures");
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

#[cfg(test)]
mod tests {
    use chrono::Duration;
    use rand::seq::IndexedRandom;
    use rand::Rng;

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
