//! The anti-gaming flags of a reported hire: computed when it is reported, stored with it, never
//! blocking it. Every party but the job seeker sees them.

use chrono::{Duration, NaiveDate};

use super::Flag;

/// `late_start`: the job starts more than this many days after the event's last local day.
pub const LATE_START_DAYS: i64 = 180;
/// `placed_twice`: another active placement of the job seeker starts within this many days.
pub const PLACED_TWICE_DAYS: i64 = 30;

/// What the flags are computed from.
#[derive(Debug, Clone)]
pub struct FlagFacts {
    pub start_date: NaiveDate,
    /// Event local date of `starts_at`.
    pub event_first_day: NaiveDate,
    /// Event local date of `ends_at`.
    pub event_last_day: NaiveDate,
    pub checked_in: bool,
    /// Verified placements (`confirmed` or `verified`) of the vacancy, this one not included.
    pub verified_for_vacancy: i64,
    pub openings: i32,
    /// Start dates of the job seeker's other placements that are not `retracted`.
    pub other_active_starts: Vec<NaiveDate>,
}

/// The flags a new placement carries, in [`Flag::ALL`] order.
pub fn compute_flags(facts: &FlagFacts) -> Vec<Flag> {
    let mut flags = Vec::new();
    if facts.start_date < facts.event_first_day {
        flags.push(Flag::StartBeforeEvent);
    }
    if !facts.checked_in {
        flags.push(Flag::NotCheckedIn);
    }
    if facts.verified_for_vacancy + 1 > i64::from(facts.openings) {
        flags.push(Flag::ExceedsOpenings);
    }
    if facts
        .other_active_starts
        .iter()
        .any(|other| (*other - facts.start_date).num_days().abs() <= PLACED_TWICE_DAYS)
    {
        flags.push(Flag::PlacedTwice);
    }
    if facts.start_date > facts.event_last_day + Duration::days(LATE_START_DAYS) {
        flags.push(Flag::LateStart);
    }
    flags
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn facts() -> FlagFacts {
        FlagFacts {
            start_date: date("2026-12-15"),
            event_first_day: date("2026-12-01"),
            event_last_day: date("2026-12-02"),
            checked_in: true,
            verified_for_vacancy: 0,
            openings: 1,
            other_active_starts: vec![],
        }
    }

    #[test]
    fn a_clean_placement_has_no_flags() {
        assert!(compute_flags(&facts()).is_empty());
    }

    #[test]
    fn each_flag_at_its_boundary() {
        let mut f = facts();
        f.start_date = date("2026-12-01");
        assert!(compute_flags(&f).is_empty(), "the first day is not before");
        f.start_date = date("2026-11-30");
        assert_eq!(compute_flags(&f), [Flag::StartBeforeEvent]);

        let mut f = facts();
        f.checked_in = false;
        assert_eq!(compute_flags(&f), [Flag::NotCheckedIn]);

        let mut f = facts();
        f.verified_for_vacancy = 1;
        assert_eq!(compute_flags(&f), [Flag::ExceedsOpenings]);

        let mut f = facts();
        f.other_active_starts = vec![date("2027-01-14")];
        assert_eq!(compute_flags(&f), [Flag::PlacedTwice]);
        f.other_active_starts = vec![date("2027-01-15")];
        assert!(compute_flags(&f).is_empty());
        f.other_active_starts = vec![date("2026-11-15")];
        assert_eq!(compute_flags(&f), [Flag::PlacedTwice]);

        let mut f = facts();
        f.start_date = date("2027-05-31"); // 180 days after 2026-12-02
        assert!(compute_flags(&f).is_empty());
        f.start_date = date("2027-06-01");
        assert_eq!(compute_flags(&f), [Flag::LateStart]);
    }
}
