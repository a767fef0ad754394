//! What the seeder draws from its generator: ids, times, weighted choices, names, NIKs, and the
//! job seekers of an event.

use std::collections::HashSet;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;
use rand::Rng;

use super::{data, SeedOptions};

// ---------------------------------------------------------------------------------------------

/// A UUIDv7 for a row made at `at`, from the seeded generator: deterministic and time-ordered.
pub(super) fn id_at(rng: &mut StdRng, at: NaiveDateTime) -> String {
    let millis = u64::try_from(at.and_utc().timestamp_millis()).unwrap_or(0);
    let random: [u8; 10] = rng.random();
    uuid::Builder::from_unix_timestamp_millis(millis, &random)
        .into_uuid()
        .to_string()
}

/// A random time in `[from, to)`, or `from` when the range is empty.
pub(super) fn between(rng: &mut StdRng, from: NaiveDateTime, to: NaiveDateTime) -> NaiveDateTime {
    let span = (to - from).num_seconds();
    if span <= 0 {
        return from;
    }
    from + Duration::seconds(rng.random_range(0..span))
}

pub(super) fn weighted<'a, T>(rng: &mut StdRng, items: &'a [(T, u32)]) -> &'a T {
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

pub(super) fn province_index(rng: &mut StdRng) -> usize {
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

pub(super) fn person_name(rng: &mut StdRng, female: bool) -> String {
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

pub(super) fn round_to(value: i64, step: i64) -> i64 {
    (value / step) * step
}

pub(super) fn bar(options: &SeedOptions, len: usize, phase: &str) -> ProgressBar {
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

pub(super) fn org_name_hint(code: &str) -> String {
    let name = crate::provinces::find(code).map_or(code, |p| p.name);
    format!("Dinas Tenaga Kerja Provinsi {name}")
}

/// `count` distinct job seekers, most from the event's province.
pub(super) fn choose_seekers(
    rng: &mut StdRng,
    count: usize,
    local: &[u32],
    total: usize,
) -> Vec<u32> {
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
