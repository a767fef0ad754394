//! `GET /api/v1/events/{id}/metrics`: every figure of METRICS.md ("Per event") against values
//! computed by hand, on both engines, and who may read them.
//!
//! Fairs, employers, participations and vacancies are made through the API; job seekers,
//! registrations, application histories, placements and follow-ups are inserted directly, since
//! the API cannot make old start dates, chosen statuses or follow-ups months later.
use bursa::auth::Role;
use bursa::db::schema::follow_ups;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::rows::{apply, at, date, move_event, new_id, place, register, seeker};
use crate::fixtures::{Employer, Fair};

db_tests!(
    a_fair_with_every_kind_of_outcome,
    an_event_without_attendees_or_placements,
    the_cost_is_the_budget_until_the_event_closes_with_its_spending,
    who_reads_the_metrics_of_an_event,
);

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

fn follow_up(app: &TestApp, f: &Fair, placement: &str, on: &str, recorded: &str, employed: bool) {
    diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::id.eq(new_id()),
            follow_ups::placement_id.eq(placement),
            follow_ups::checked_on.eq(date(on)),
            follow_ups::employed.eq(employed),
            follow_ups::same_employer.eq(employed),
            follow_ups::source.eq("staff"),
            follow_ups::recorded_by.eq(&f.organizer_id),
            follow_ups::recorded_at.eq(at(recorded)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

async fn metrics(app: &TestApp, f: &Fair, token: &str) -> Value {
    app.get(&format!("/api/v1/events/{}/metrics", f.event), Some(token))
        .await
        .assert(200)
        .body
        .clone()
}

fn cell(attendees: i64, placed: i64, rate: Value) -> Value {
    json!({"attendees": attendees, "placed_attendees": placed, "placement_rate": rate})
}

/// The flags object with every flag at 0 but those given.
fn flags(counts: &[(&str, i64)]) -> Value {
    let mut all = json!({
        "start_before_event": 0, "not_checked_in": 0, "exceeds_openings": 0,
        "placed_twice": 0, "late_start": 0
    });
    for (name, n) in counts {
        all[*name] = json!(n);
    }
    all
}

// ---------------------------------------------------------------------------------------------
// Figures
// ---------------------------------------------------------------------------------------------

/// A fair in Papua (+9) that starts at 16:30 UTC on 1 March 2026: 01:30 on 2 March there
/// (23:30 on 1 March in Jakarta, +7). Six attendees, one registered no-show, three approved
/// employers (one hiring nobody) and a fourth never approved; placements in every status, one
/// job seeker placed twice, four verified placements (an even count) and follow-ups around the
/// 90 and 180 day checkpoints.
async fn a_fair_with_every_kind_of_outcome(app: TestApp) {
    let admin = app.admin_token().await;
    // 150,000,002 / 4 verified placements = 37,500,000.5, rounded half up.
    let f = Fair::by(&app, "organizer@papua.id")
        .with(json!({"budget_idr": 150_000_002_i64}))
        .published()
        .await;
    let a = Employer::at(&app, &f, "hr@a.id", true).await;
    let b = Employer::at(&app, &f, "hr@b.id", true).await;
    let c = Employer::at(&app, &f, "hr@c.id", true).await;
    Employer::at(&app, &f, "hr@d.id", false).await; // pending: not participating
    let va = a.vacancy(&app, &f, json!({"openings": 5})).await;
    let vb = b.vacancy(&app, &f, json!({"openings": 2})).await;
    c.vacancy(&app, &f, json!({"openings": 1})).await;
    let (a, b) = (a.company, b.company);
    move_event(&app, &f, "2026-03-01 16:30:00", "94");

    // s1: 25 on 2 March (Papua's date), still 24 on 1 March (Jakarta's).
    let s1 = seeker(&app, &f, Some("2001-03-02"), "female", "smk", false);
    let s2 = seeker(&app, &f, Some("1990-05-20"), "male", "s1", true); // 35
    let s3 = seeker(&app, &f, None, "female", "sma", false); // unknown age
    let s4 = seeker(&app, &f, Some("1960-01-01"), "male", "sd", false); // 66
    let s5 = seeker(&app, &f, Some("2005-07-01"), "female", "smk", false); // 20
    let s6 = seeker(&app, &f, Some("1980-03-02"), "female", "d3", false); // 46
    let s7 = seeker(&app, &f, Some("1995-01-01"), "male", "sma", false); // registered only
    for s in [&s1, &s2, &s3, &s4, &s5, &s6] {
        register(&app, &f, s, true);
    }
    register(&app, &f, &s7, false);

    // s1: interviewed, offered, hired at A; verified, starts 12 March (10 days).
    let app1 = apply(
        &app,
        &f,
        &va,
        &s1,
        &["applied", "interviewed", "offered", "hired"],
    );
    let p1 = place(
        &app,
        &f,
        (&app1, &va, &s1, &a),
        "verified",
        "2026-03-12",
        &[],
    );
    // s2: interviewed then rejected at A; offered and hired at B, confirmed, starts 2 March (0).
    apply(&app, &f, &va, &s2, &["applied", "interviewed", "rejected"]);
    let app2 = apply(&app, &f, &vb, &s2, &["applied", "offered", "hired"]);
    let p2 = place(
        &app,
        &f,
        (&app2, &vb, &s2, &b),
        "confirmed",
        "2026-03-02",
        &[],
    );
    // s3: placed twice, at A from 1 April (30 days) and at B from 15 April (44 days).
    let app3a = apply(&app, &f, &va, &s3, &["applied", "hired"]);
    let p3 = place(
        &app,
        &f,
        (&app3a, &va, &s3, &a),
        "verified",
        "2026-04-01",
        &["placed_twice"],
    );
    let app3b = apply(&app, &f, &vb, &s3, &["applied", "hired"]);
    place(
        &app,
        &f,
        (&app3b, &vb, &s3, &b),
        "verified",
        "2026-04-15",
        &["placed_twice", "late_start"],
    );
    // s4: interviewed (still open), with a disputed placement: outcome known, not placed.
    let app4 = apply(&app, &f, &va, &s4, &["applied", "interviewed"]);
    place(
        &app,
        &f,
        (&app4, &va, &s4, &a),
        "disputed",
        "2026-03-20",
        &["late_start"],
    );
    // s5: withdrew: outcome known. s6: never applied: outcome unknown.
    apply(&app, &f, &vb, &s5, &["applied", "withdrawn"]);
    // s7 (no check-in): a retracted placement and a pending one.
    let app7a = apply(&app, &f, &va, &s7, &["applied", "shortlisted"]);
    place(
        &app,
        &f,
        (&app7a, &va, &s7, &a),
        "retracted",
        "2026-03-10",
        &["not_checked_in"],
    );
    let app7b = apply(&app, &f, &vb, &s7, &["applied"]);
    place(
        &app,
        &f,
        (&app7b, &vb, &s7, &b),
        "reported",
        "2026-03-10",
        &["not_checked_in"],
    );

    // p1 (start 12 March): 89 days (9 June) employed does not count; two on 10 June (90 days),
    // the one recorded last says not employed.
    follow_up(&app, &f, &p1, "2026-06-09", "2026-06-09 10:00:00", true);
    follow_up(&app, &f, &p1, "2026-06-10", "2026-06-10 10:00:00", true);
    follow_up(&app, &f, &p1, "2026-06-10", "2026-06-10 11:00:00", false);
    // p2 (start 2 March): 1 June (91 days) not employed, 29 August (180 days) employed.
    follow_up(&app, &f, &p2, "2026-06-01", "2026-06-01 10:00:00", false);
    follow_up(&app, &f, &p2, "2026-08-29", "2026-08-29 10:00:00", true);
    // p3 (start 1 April): 1 October (183 days) not employed. p4 has none.
    follow_up(&app, &f, &p3, "2026-10-01", "2026-10-01 10:00:00", false);

    let expected = json!({
        "event_id": f.event,
        "registrations": 7,             // s1..s7
        "attendees": 6,                 // s1..s6
        "participating_employers": 3,   // A, B, C (D pending)
        "vacancies": 3,
        "openings": 8,                  // 5 + 2 + 1
        "applications": 9,              // s1 1, s2 2, s3 2, s4 1, s5 1, s7 2
        "applicants": 6,                // s1..s5, s7
        "interviewed": 3,               // s1@A, s2@A (later rejected), s4@A
        "offered": 2,                   // s1@A, s2@B
        "placements_reported": 6,       // 7 placements, 1 retracted
        "placements_pending": 1,        // s7@B
        "placements_verified": 4,       // p1, p2 (confirmed), p3, p4
        "placements_disputed": 1,       // s4
        "placed_attendees": 3,          // s1, s2, s3 (twice, counted once)
        "placement_rate": 0.5,          // 3 / 6
        "vacancy_fill_rate": 0.5,       // 4 / 8
        "employer_hire_rate": 2.0 / 3.0, // A and B of A, B, C
        "cost_idr": 150_000_002_i64,
        "cost_basis": "budget",
        "cost_per_placement_idr": 37_500_001, // 37,500,000.5 rounded half up
        // Papua date 2 March: days 10, 0, 30, 44 -> 0, 10, 30, 44 -> (10 + 30) / 2.
        "median_days_to_start": 20.0,
        // s1, s2, s3 placed; s4 disputed; s5 all withdrawn; s6 nothing: 5 / 6.
        "knowledge_rate": 5.0 / 6.0,
        // Days 90 to 179: p1 (10 June, recorded last: no), p2 (1 June, 91 days: no): 0 / 2.
        "retention_90d_checked": 2,
        "retention_90d_rate": 0.0,
        // 180 days on: p2 (180 days: yes), p3 (183 days: no): 1 / 2.
        "retention_180d_checked": 2,
        "retention_180d_rate": 0.5,
        // Not retracted: p3 placed_twice; p4 placed_twice, late_start; s4 late_start;
        // s7@B not_checked_in (s7@A is retracted).
        "flags": flags(&[("placed_twice", 2), ("late_start", 2), ("not_checked_in", 1)]),
        "breakdowns": {
            "gender": {
                "female": cell(4, 2, json!(0.5)), // s1*, s3*, s5, s6
                "male": cell(2, 1, json!(0.5)),   // s2*, s4
            },
            "age_band": {
                "25-34": cell(1, 1, json!(1.0)),   // s1
                "35-44": cell(1, 1, json!(1.0)),   // s2
                "unknown": cell(1, 1, json!(1.0)), // s3
                "55+": cell(1, 0, json!(0.0)),     // s4
                "15-24": cell(1, 0, json!(0.0)),   // s5
                "45-54": cell(1, 0, json!(0.0)),   // s6
            },
            "education_level": {
                "smk": cell(2, 1, json!(0.5)), // s1*, s5
                "s1": cell(1, 1, json!(1.0)),  // s2
                "sma": cell(1, 1, json!(1.0)), // s3
                "sd": cell(1, 0, json!(0.0)),  // s4
                "d3": cell(1, 0, json!(0.0)),  // s6
            },
            "disability": {
                "true": cell(1, 1, json!(1.0)),  // s2
                "false": cell(5, 2, json!(0.4)), // s1*, s3*, s4, s5, s6
            },
        },
    });
    let mut expected = expected;
    expected["placements_seeker_confirmed"] = json!(1); // p2 (confirmed)
    expected["placements_staff_only"] = json!(3); // p1, p3, p4: verified, never confirmed
    expected["retention_90d_employed"] = json!(0);
    expected["retention_180d_employed"] = json!(1); // p2
    let body = metrics(&app, &f, &admin).await;
    assert_eq!(body, expected);
    // The same instant in Jakarta is still 1 March: s1 is 24, and every start is a day later.
    move_event(&app, &f, "2026-03-01 16:30:00", "31");
    let body = metrics(&app, &f, &admin).await;
    assert_eq!(
        body["breakdowns"]["age_band"]["15-24"],
        cell(2, 1, json!(0.5))
    ); // s1*, s5
    assert!(body["breakdowns"]["age_band"].get("25-34").is_none());
    // Days 11, 1, 31, 45 -> (11 + 31) / 2.
    assert_eq!(body["median_days_to_start"], json!(21.0));
}

/// No attendee: every rate is null and the breakdowns are empty; then one attendee who never
/// applied: rates of 0, and still no cost per placement or median without placements.
async fn an_event_without_attendees_or_placements(app: TestApp) {
    let admin = app.admin_token().await;
    let f = Fair::by(&app, "organizer@empty.id").published().await;
    let s1 = seeker(&app, &f, Some("1999-01-01"), "male", "sma", false);
    register(&app, &f, &s1, false);

    let body = metrics(&app, &f, &admin).await;
    assert_eq!(
        body,
        json!({
            "event_id": f.event,
            "registrations": 1, "attendees": 0, "participating_employers": 0,
            "vacancies": 0, "openings": 0, "applications": 0, "applicants": 0,
            "interviewed": 0, "offered": 0,
            "placements_reported": 0, "placements_pending": 0, "placements_verified": 0,
            "placements_disputed": 0, "placements_seeker_confirmed": 0,
            "placements_staff_only": 0, "placed_attendees": 0,
            "placement_rate": null,      // 0 attendees
            "vacancy_fill_rate": null,   // 0 openings
            "employer_hire_rate": null,  // 0 employers
            "cost_idr": 150_000_000_i64, "cost_basis": "budget",
            "cost_per_placement_idr": null, // 0 verified placements
            "median_days_to_start": null,
            "knowledge_rate": null,
            "retention_90d_checked": 0, "retention_90d_employed": 0, "retention_90d_rate": null,
            "retention_180d_checked": 0, "retention_180d_employed": 0,
            "retention_180d_rate": null,
            "flags": flags(&[]),
            "breakdowns": {"gender": {}, "age_band": {}, "education_level": {}, "disability": {}},
        })
    );

    let s2 = seeker(&app, &f, Some("1999-01-01"), "male", "sma", false);
    register(&app, &f, &s2, true);
    let body = metrics(&app, &f, &admin).await;
    assert_eq!(body["attendees"], json!(1));
    assert_eq!(body["placement_rate"], json!(0.0)); // 0 / 1
    assert_eq!(body["knowledge_rate"], json!(0.0)); // no application, no placement
    assert_eq!(body["cost_per_placement_idr"], Value::Null);
    assert_eq!(body["median_days_to_start"], Value::Null);
    // Born 1 January 1999, 27 on 1 December 2026.
    assert_eq!(
        body["breakdowns"]["age_band"],
        json!({"25-34": cell(1, 0, json!(0.0))})
    );
    assert_eq!(
        body["breakdowns"]["disability"],
        json!({"false": cell(1, 0, json!(0.0))})
    );
}

/// The budget while the event runs, the real spending once it is closed; both divided by the
/// verified placements and rounded half up.
async fn the_cost_is_the_budget_until_the_event_closes_with_its_spending(app: TestApp) {
    let admin = app.admin_token().await;
    let f = Fair::by(&app, "organizer@closing.id")
        .with(json!({"budget_idr": 100_000_001_i64}))
        .published()
        .await;
    let hr = Employer::at(&app, &f, "hr@closing.id", true).await;
    let company = hr.company.clone();
    let v = hr.vacancy(&app, &f, json!({"openings": 2})).await;
    move_event(&app, &f, "2026-01-10 01:00:00", "31");
    for (i, birth) in ["2000-01-01", "2000-06-01"].iter().enumerate() {
        let s = seeker(&app, &f, Some(birth), "female", "smk", false);
        register(&app, &f, &s, true);
        let a = apply(&app, &f, &v, &s, &["applied", "hired"]);
        let start = if i == 0 { "2026-01-20" } else { "2026-01-25" };
        place(&app, &f, (&a, &v, &s, &company), "verified", start, &[]);
    }

    let body = metrics(&app, &f, &admin).await;
    assert_eq!(body["cost_basis"], json!("budget"));
    assert_eq!(body["cost_idr"], json!(100_000_001_i64));
    assert_eq!(body["cost_per_placement_idr"], json!(50_000_001)); // 50,000,000.5 -> up
    assert_eq!(body["median_days_to_start"], json!(12.5)); // (10 + 15) / 2
    assert_eq!(body["vacancy_fill_rate"], json!(1.0)); // 2 / 2

    app.post(
        &format!("/api/v1/events/{}/close", f.event),
        Some(&f.organizer),
        json!({"spent_idr": 99_999_999_i64, "notes": "done"}),
    )
    .await
    .assert(200);
    let body = metrics(&app, &f, &admin).await;
    assert_eq!(body["cost_basis"], json!("spent"));
    assert_eq!(body["cost_idr"], json!(99_999_999_i64));
    assert_eq!(body["cost_per_placement_idr"], json!(50_000_000)); // 49,999,999.5 -> up
}

// ---------------------------------------------------------------------------------------------
// Access
// ---------------------------------------------------------------------------------------------

async fn who_reads_the_metrics_of_an_event(app: TestApp) {
    let admin = app.admin_token().await;
    let f = Fair::by(&app, "organizer@access.id").published().await;
    let path = format!("/api/v1/events/{}/metrics", f.event);
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    let (_, stranger) = app.user("other@organizer.id", Role::Organizer).await;
    let other_office = app.organization(&stranger, "organizer").await;
    let (_, employer) = app.user("hr@access.id", Role::Employer).await;
    let (_, job_seeker) = app.user("siti@access.id", Role::JobSeeker).await;

    for token in [&admin, &ministry, &f.organizer] {
        assert_eq!(
            app.get(&path, Some(token)).await.assert(200).body["event_id"],
            json!(f.event)
        );
    }
    // A member of the organization that runs the event, not its owner.
    let (_, member) = app.user("member@access.id", Role::Organizer).await;
    app.post(
        &format!("/api/v1/organizations/{}/members", f.office),
        Some(&f.organizer),
        json!({"email": "member@access.id", "role": "member"}),
    )
    .await
    .assert(201);
    app.get(&path, Some(&member)).await.assert(200);

    // The public event of another organization: visible, but not its metrics.
    assert_eq!(
        app.get(&path, Some(&stranger)).await.assert(403).code(),
        "forbidden"
    );
    for token in [&employer, &job_seeker] {
        assert_eq!(
            app.get(&path, Some(token)).await.assert(403).code(),
            "forbidden"
        );
    }
    assert_eq!(
        app.get(&path, None).await.assert(401).code(),
        "unauthorized"
    );

    // A draft: its staff get its figures; an organizer who cannot see it gets 404.
    let draft = app.event(&f.organizer, &f.office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft_path = format!("/api/v1/events/{draft}/metrics");
    let body = app
        .get(&draft_path, Some(&f.organizer))
        .await
        .assert(200)
        .body
        .clone();
    assert_eq!(body["attendees"], json!(0));
    app.get(&draft_path, Some(&ministry)).await.assert(200);
    assert_eq!(
        app.get(&draft_path, Some(&stranger))
            .await
            .assert(404)
            .code(),
        "not_found"
    );
    let stranger_draft = app.event(&stranger, &other_office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(
        &format!("/api/v1/events/{stranger_draft}/metrics"),
        Some(&f.organizer),
    )
    .await
    .assert(404);

    // Unknown and malformed ids.
    let unknown = format!("/api/v1/events/{}/metrics", uuid::Uuid::new_v4());
    app.get(&unknown, Some(&admin)).await.assert(404);
    app.get("/api/v1/events/not-a-uuid/metrics", Some(&admin))
        .await
        .assert(404);
}
