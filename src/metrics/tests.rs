//! Unit tests of the per-event figures, against values computed by hand.
use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn facts() -> Facts {
    Facts {
        event_id: "e".into(),
        province_code: "31".into(),
        starts_at: date("2026-03-01").and_hms_opt(2, 0, 0).unwrap(),
        status: EventStatus::Published,
        budget_idr: 100,
        spent_idr: None,
        registrations: 0,
        approved_employers: vec![],
        vacancies: 0,
        openings: 0,
        applications: 0,
        interviewed: 0,
        offered: 0,
        applicants: vec![],
        open_applicants: vec![],
        attendees: vec![],
        placements: vec![],
        follow_ups: vec![],
    }
}

fn placement(id: &str, seeker: &str, status: &str, start: &str) -> PlacementFact {
    let status = PlacementStatus::parse(status).unwrap();
    PlacementFact {
        id: id.into(),
        job_seeker_id: seeker.into(),
        employer_id: "emp".into(),
        status,
        start_date: date(start),
        flags: "[]".into(),
        // As the API leaves them: a confirmation sets confirmed_at.
        confirmed_at: (status == PlacementStatus::Confirmed)
            .then(|| date("2026-03-05").and_hms_opt(0, 0, 0).unwrap()),
    }
}

fn follow_up(
    id: &str,
    placement: &str,
    on: &str,
    recorded_secs: u32,
    employed: bool,
) -> FollowUpFact {
    FollowUpFact {
        id: id.into(),
        placement_id: placement.into(),
        checked_on: date(on),
        recorded_at: date("2027-01-01").and_hms_opt(0, 0, recorded_secs).unwrap(),
        employed,
    }
}

#[test]
fn money_rounds_half_up() {
    assert_eq!(divide_money(10, 4), Some(3)); // 2.5 -> 3
    assert_eq!(divide_money(10, 3), Some(3)); // 3.33 -> 3
    assert_eq!(divide_money(11, 3), Some(4)); // 3.67 -> 4
    assert_eq!(divide_money(0, 3), Some(0));
    assert_eq!(divide_money(10, 0), None);
    assert_eq!(divide_money(i64::MAX, 1), Some(i64::MAX));
}

#[test]
fn medians() {
    assert_eq!(median(vec![]), None);
    assert_eq!(median(vec![5, 1, 3]), Some(3.0));
    assert_eq!(median(vec![4, 1, 3, 10]), Some(3.5));
}

#[test]
fn age_bands_in_whole_years() {
    let on = date("2026-03-01");
    assert_eq!(age_band(None, on), "unknown");
    assert_eq!(age_band(Some(date("2001-03-01")), on), "25-34"); // 25 that day
    assert_eq!(age_band(Some(date("2001-03-02")), on), "15-24"); // 24
    assert_eq!(age_band(Some(date("1971-03-01")), on), "55+");
    assert_eq!(age_band(Some(date("1971-03-02")), on), "45-54");
}

#[test]
fn cost_basis() {
    assert_eq!(cost(EventStatus::Closed, 100, Some(80)), (80, "spent"));
    assert_eq!(cost(EventStatus::Closed, 100, None), (100, "budget"));
    assert_eq!(cost(EventStatus::Published, 100, Some(80)), (100, "budget"));
}

#[test]
fn empty_event_has_null_rates() {
    let m = compute(&facts());
    assert_eq!(m.placement_rate, None);
    assert_eq!(m.knowledge_rate, None);
    assert_eq!(m.cost_per_placement_idr, None);
    assert_eq!(m.median_days_to_start, None);
    assert_eq!(m.retention_90d_rate, None);
    assert_eq!(m.flags.len(), Flag::ALL.len());
    // The contract's order: event_id first, breakdowns last.
    let text = serde_json::to_string(&m).unwrap();
    assert!(text.starts_with(r#"{"event_id":"e","registrations":0,"attendees":0,"#));
    assert!(text.contains(r#""flags":{"#) && text.contains(r#","breakdowns":{"gender":{}"#));
}

#[test]
fn retention_takes_the_latest_follow_up_and_the_last_recorded_on_a_tie() {
    let mut f = facts();
    f.placements = vec![
        placement("p1", "s1", "verified", "2026-03-10"),
        placement("p2", "s2", "confirmed", "2026-03-10"),
        placement("p3", "s3", "disputed", "2026-03-10"),
    ];
    f.follow_ups = vec![
        // p1: two on the same day; the one recorded last says employed.
        follow_up("b", "p1", "2026-06-08", 2, true), // 90 days after 2026-03-10
        follow_up("a", "p1", "2026-06-08", 1, false),
        // p2: 89 days only: not checked at 90.
        follow_up("c", "p2", "2026-06-07", 1, true),
        // p3 is not verified.
        follow_up("d", "p3", "2026-12-01", 1, true),
    ];
    let m = compute(&f);
    assert_eq!(m.retention_90d_checked, 1);
    assert_eq!(m.retention_90d_rate, Some(1.0));
    assert_eq!(m.retention_180d_checked, 0);
    assert_eq!(m.retention_180d_rate, None);
}

#[test]
fn the_two_checkpoints_are_separate_windows() {
    let mut f = facts();
    f.placements = vec![
        placement("p1", "s1", "verified", "2026-03-10"),
        placement("p2", "s2", "verified", "2026-03-10"),
    ];
    f.follow_ups = vec![
        // p1: employed at day 95, gone at day 200: kept at 90, lost at 180.
        follow_up("a", "p1", "2026-06-13", 1, true),
        follow_up("b", "p1", "2026-09-26", 2, false),
        // p2: day 179 is the last day of the 90-day window; day 180 the first of the next.
        follow_up("c", "p2", "2026-09-05", 1, false),
        follow_up("d", "p2", "2026-09-06", 2, true),
    ];
    let m = compute(&f);
    assert_eq!((m.retention_90d_checked, m.retention_90d_employed), (2, 1));
    assert_eq!(m.retention_90d_rate, Some(0.5));
    assert_eq!(
        (m.retention_180d_checked, m.retention_180d_employed),
        (2, 1)
    );
    assert_eq!(m.retention_180d_rate, Some(0.5));
    // Only the check at day 200: nothing at 90.
    f.follow_ups.retain(|u| u.id == "b");
    let m = compute(&f);
    assert_eq!((m.retention_90d_checked, m.retention_180d_checked), (0, 1));
    assert_eq!(m.retention_180d_employed, 0);
}

#[test]
fn verified_placements_split_by_who_vouched_for_them() {
    let mut f = facts();
    let mut confirmed_then_verified = placement("p1", "s1", "verified", "2026-03-10");
    confirmed_then_verified.confirmed_at = Some(date("2026-03-04").and_hms_opt(0, 0, 0).unwrap());
    f.placements = vec![
        confirmed_then_verified,
        placement("p2", "s2", "confirmed", "2026-03-10"),
        placement("p3", "s3", "verified", "2026-03-10"), // staff only
        placement("p4", "s4", "reported", "2026-03-10"),
        placement("p5", "s5", "disputed", "2026-03-10"),
    ];
    let m = compute(&f);
    assert_eq!(m.placements_verified, 3);
    assert_eq!(m.placements_seeker_confirmed, 2);
    assert_eq!(m.placements_staff_only, 1);
    assert!(staff_only(PlacementStatus::Verified, None));
    assert!(!staff_only(PlacementStatus::Confirmed, None));
}
