//! The metrics contract of issue 11 (`docs/metrics.md`), against values computed by hand, on
//! both engines: verified placements split by who vouched for them (per event, in the rollups
//! and in the figures kept for them), the 90- and 180-day retention checkpoints as separate
//! windows, the scorecard's secondary suppression, and reminder emails that read as sentences.
use bursa::auth::Role;
use bursa::db::schema::{events, follow_ups, outbox};
use chrono::{Duration, NaiveDate};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::rows::{apply, date, move_event, new_id, place, register, seeker};
use crate::fixtures::{Employer, Fair};
use crate::rollups::metrics_cli;

db_tests!(
    verified_placements_split_by_who_vouched_for_them,
    the_retention_checkpoints_are_separate_windows,
    the_scorecard_hides_a_cell_the_rest_would_give_away,
    follow_up_reminders_have_no_run_of_spaces,
);

/// A published fair of a new organizer (`tag` keeps the emails apart), with `changes`.
async fn fair(app: &TestApp, tag: &str, changes: Value) -> Fair {
    Fair::by(app, &format!("organizer@{tag}.id"))
        .with(changes)
        .published()
        .await
}

/// An employer that asked to join `f` (approved or not): (token, organization id).
async fn employer(app: &TestApp, f: &Fair, email: &str, approved: bool) -> (String, String) {
    let employer = Employer::at(app, f, email, approved).await;
    (employer.token, employer.company)
}

/// A vacancy of `company` at `f` with `openings`.
async fn vacancy(app: &TestApp, f: &Fair, token: &str, company: &str, openings: i64) -> String {
    f.vacancy(app, token, company, json!({"openings": openings}))
        .await
}

/// A job seeker with an account of their own (so they can confirm a hire): (token, profile id).
async fn seeker_with_account(app: &TestApp, email: &str, last4: &str) -> (String, String) {
    let (_, token) = app.user(email, Role::JobSeeker).await;
    let id = app
        .post(
            "/api/v1/job-seekers",
            Some(&token),
            json!({
                "full_name": "Siti Rahayu", "nik": format!("317401550895{last4}"),
                "birth_date": "1995-08-15", "gender": "female", "education_level": "smk",
                "province_code": "31", "city": "Jakarta Timur", "disability": false,
                "consent": true
            }),
        )
        .await
        .assert(201)
        .id();
    (token, id)
}

async fn event_metrics(app: &TestApp, f: &Fair, token: &str) -> Value {
    app.get(&format!("/api/v1/events/{}/metrics", f.event), Some(token))
        .await
        .assert(200)
        .body
        .clone()
}

fn follow_up(app: &TestApp, f: &Fair, placement: &str, on: NaiveDate, employed: bool) {
    diesel::insert_into(follow_ups::table)
        .values((
            follow_ups::id.eq(new_id()),
            follow_ups::placement_id.eq(placement),
            follow_ups::checked_on.eq(on),
            follow_ups::employed.eq(employed),
            follow_ups::same_employer.eq(employed),
            follow_ups::source.eq("staff"),
            follow_ups::recorded_by.eq(&f.organizer_id),
            follow_ups::recorded_at.eq(on.and_hms_opt(10, 0, 0).unwrap()),
        ))
        .execute(&mut *app.conn())
        .unwrap();
}

/// Three hires reported through the API: Siti confirms hers and staff verify it afterwards;
/// Budi's is verified by staff alone; Rina confirms hers and nobody verifies it. Three verified
/// placements: two the job seeker confirmed, one on staff's word only.
async fn verified_placements_split_by_who_vouched_for_them(app: TestApp) {
    let admin = app.admin_token().await;
    let f = fair(&app, "vouch", json!({})).await;
    let (hr, company) = employer(&app, &f, "hr@vouch.id", true).await;
    let v = vacancy(&app, &f, &hr, &company, 5).await;
    let mut applicants = Vec::new();
    for (email, last4) in [
        ("siti@vouch.id", "0002"),
        ("budi@vouch.id", "0003"),
        ("rina@vouch.id", "0004"),
    ] {
        let (token, id) = seeker_with_account(&app, email, last4).await;
        register(&app, &f, &id, true);
        let application = apply(&app, &f, &v, &id, &["applied", "offered"]);
        applicants.push((token, application));
    }
    // The rows above were written around the API: count what the API keeps for them, so that
    // what follows is the API's own doing.
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();
    let mut hires = Vec::new();
    for (token, application) in applicants {
        let placement = app
            .post(
                "/api/v1/placements",
                Some(&hr),
                json!({
                    "application_id": application, "start_date": "2026-12-10",
                    "salary_idr": 5_200_000, "contract_type": "contract",
                    "occupation_code": "8344"
                }),
            )
            .await
            .assert(201)
            .id();
        hires.push((token, placement));
    }
    let act = |placement: &str, action: &str| format!("/api/v1/placements/{placement}/{action}");
    let (siti, siti_hire) = &hires[0];
    app.post(&act(siti_hire, "confirm"), Some(siti), json!({}))
        .await
        .assert(200);
    for (_, hire) in &hires[..2] {
        app.post(
            &act(hire, "verify"),
            Some(&f.organizer),
            json!({"method": "phone"}),
        )
        .await
        .assert(200);
    }
    let (rina, rina_hire) = &hires[2];
    app.post(&act(rina_hire, "confirm"), Some(rina), json!({}))
        .await
        .assert(200);

    let body = event_metrics(&app, &f, &admin).await;
    assert_eq!(body["placements_verified"], json!(3));
    assert_eq!(body["placements_seeker_confirmed"], json!(2)); // Siti (then verified), Rina
    assert_eq!(body["placements_staff_only"], json!(1)); // Budi
    assert_eq!(body["placements_pending"], json!(0));

    // The rollups add up the figures kept on the event.
    let rollup = app
        .get("/api/v1/metrics?group_by=province", Some(&admin))
        .await
        .assert(200)
        .body
        .clone();
    for figures in [&rollup["rows"][0], &rollup["totals"]] {
        assert_eq!(figures["placements_verified"], json!(3));
        assert_eq!(figures["placements_seeker_confirmed"], json!(2));
        assert_eq!(figures["placements_staff_only"], json!(1));
    }
    let kept: i32 = events::table
        .find(&f.event)
        .select(events::placements_staff_only_count)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(kept, 1);
    app.assert_kept_figures();
    let verify = metrics_cli(&app, "verify");
    assert_eq!(verify.status.code(), Some(0), "{verify:?}");

    // A kept figure that drifted is named, and the rollup would have shown it.
    diesel::update(events::table.find(&f.event))
        .set(events::placements_staff_only_count.eq(3))
        .execute(&mut *app.conn())
        .unwrap();
    let drifted = metrics_cli(&app, "verify");
    assert_eq!(drifted.status.code(), Some(2), "{drifted:?}");
    let stderr = String::from_utf8_lossy(&drifted.stderr);
    assert!(stderr.contains("3 by staff only"), "{stderr}");
    // `rebuild` recounts it.
    let rebuilt = metrics_cli(&app, "rebuild");
    assert_eq!(rebuilt.status.code(), Some(0), "{rebuilt:?}");
    app.assert_kept_figures();
    let rollup = app
        .get("/api/v1/metrics?group_by=province", Some(&admin))
        .await
        .assert(200)
        .body
        .clone();
    assert_eq!(rollup["totals"]["placements_staff_only"], json!(1));
}

/// A verified placement from 10 January 2026, checked at day 95 (employed) and at day 200 (no
/// longer): it counts as employed at 90 days and not at 180. The follow-up view names the one
/// checkpoint each check counts for.
async fn the_retention_checkpoints_are_separate_windows(app: TestApp) {
    let admin = app.admin_token().await;
    let f = fair(&app, "retain", json!({})).await;
    let (hr, company) = employer(&app, &f, "hr@retain.id", true).await;
    let v = vacancy(&app, &f, &hr, &company, 5).await;
    move_event(&app, &f, "2026-01-05 01:00:00", "31");
    let s = seeker(&app, &f, Some("1995-01-01"), "female", "smk", false);
    register(&app, &f, &s, true);
    let application = apply(&app, &f, &v, &s, &["applied", "hired"]);
    let start = date("2026-01-10");
    let p = place(
        &app,
        &f,
        (&application, &v, &s, &company),
        "verified",
        "2026-01-10",
        &[],
    );
    follow_up(&app, &f, &p, start + Duration::days(95), true);
    follow_up(&app, &f, &p, start + Duration::days(200), false);

    let body = event_metrics(&app, &f, &admin).await;
    assert_eq!(body["retention_90d_checked"], json!(1));
    assert_eq!(body["retention_90d_employed"], json!(1));
    assert_eq!(body["retention_90d_rate"], json!(1.0));
    assert_eq!(body["retention_180d_checked"], json!(1));
    assert_eq!(body["retention_180d_employed"], json!(0));
    assert_eq!(body["retention_180d_rate"], json!(0.0));

    let list = app
        .get(&format!("/api/v1/placements/{p}/follow-ups"), Some(&admin))
        .await
        .assert(200)
        .body
        .clone();
    let counts: Vec<Value> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["counts_for"].clone())
        .collect();
    assert_eq!(counts, [json!([90]), json!([180])]);

    // Day 179 is the 90-day window's last: a second placement checked then, and at day 180.
    let s2 = seeker(&app, &f, Some("1995-01-01"), "male", "smk", false);
    register(&app, &f, &s2, true);
    let application = apply(&app, &f, &v, &s2, &["applied", "hired"]);
    let p2 = place(
        &app,
        &f,
        (&application, &v, &s2, &company),
        "verified",
        "2026-01-10",
        &[],
    );
    follow_up(&app, &f, &p2, start + Duration::days(179), false);
    follow_up(&app, &f, &p2, start + Duration::days(180), true);
    let body = event_metrics(&app, &f, &admin).await;
    assert_eq!(body["retention_90d_checked"], json!(2));
    assert_eq!(body["retention_90d_employed"], json!(1));
    assert_eq!(body["retention_90d_rate"], json!(0.5));
    assert_eq!(body["retention_180d_checked"], json!(2));
    assert_eq!(body["retention_180d_employed"], json!(1));
    assert_eq!(body["retention_180d_rate"], json!(0.5));
}

/// A closed fair of 12 attendees: 10 women and 2 men; 5 with SMK, 5 with SMA, 2 with SD. The
/// 2 men would be the headline less the women, so the women are hidden too (and with them the
/// whole breakdown); SD's 2 hide the smaller of SMA and SMK (a tie: the first by name, SMA),
/// leaving SMK with 7 hidden beside it.
async fn the_scorecard_hides_a_cell_the_rest_would_give_away(app: TestApp) {
    let f = fair(&app, "small", json!({})).await;
    move_event(&app, &f, "2026-03-01 02:00:00", "31");
    app.post(
        &format!("/api/v1/events/{}/close", f.event),
        Some(&f.organizer),
        json!({"spent_idr": 1_000_000, "notes": "selesai"}),
    )
    .await
    .assert(200);
    let people = [
        ("female", "smk"),
        ("female", "smk"),
        ("female", "smk"),
        ("female", "smk"),
        ("female", "smk"),
        ("female", "sma"),
        ("female", "sma"),
        ("female", "sma"),
        ("female", "sma"),
        ("female", "sma"),
        ("male", "sd"),
        ("male", "sd"),
    ];
    for (gender, education) in people {
        let s = seeker(&app, &f, Some("2000-01-01"), gender, education, false);
        register(&app, &f, &s, true);
    }
    let body = app
        .get(&format!("/api/v1/events/{}/scorecard", f.event), None)
        .await
        .assert(200)
        .body
        .clone();
    assert_eq!(body["attendees"], json!(12));
    let everyone = json!({"attendees": 12, "placed_attendees": 0, "placement_rate": 0.0});
    assert_eq!(
        body["breakdowns"],
        json!({
            "gender": {},
            "age_band": {"25-34": everyone},
            "education_level": {
                "smk": {"attendees": 5, "placed_attendees": 0, "placement_rate": 0.0}
            },
            "disability": {"false": everyone},
        })
    );
    // Staff still see every cell.
    let admin = app.admin_token().await;
    let full = event_metrics(&app, &f, &admin).await;
    assert_eq!(full["breakdowns"]["gender"]["male"]["attendees"], json!(2));
}

/// The reminders of a 90-day check that fell due five days ago, to the employer's member and to
/// the job seeker, in both languages' text: no gap in mid-sentence.
async fn follow_up_reminders_have_no_run_of_spaces(app: TestApp) {
    let f = fair(&app, "remind", json!({})).await;
    let (hr, company) = employer(&app, &f, "hr@remind.id", true).await;
    let v = vacancy(&app, &f, &hr, &company, 5).await;
    let (_, s) = seeker_with_account(&app, "siti@remind.id", "0002").await;
    register(&app, &f, &s, true);
    let application = apply(&app, &f, &v, &s, &["applied", "hired"]);
    let now = bursa::db::now();
    let start = now.date() - Duration::days(95);
    place(
        &app,
        &f,
        (&application, &v, &s, &company),
        "verified",
        &start.to_string(),
        &[],
    );
    let queued =
        bursa::mail::reminders::queue_due(&mut app.conn(), "http://bursa.test", now).unwrap();
    assert_eq!(queued, 2); // the employer's member and the job seeker
    let bodies: Vec<(String, String)> = outbox::table
        .filter(outbox::kind.eq("follow_up_reminder"))
        .select((outbox::body_text, outbox::body_html))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(bodies.len(), 2);
    for (text, html) in bodies {
        assert!(text.contains("90"), "{text}");
        for body in [&text, &html] {
            for line in body.lines() {
                assert!(
                    !line.trim_start().contains("  "),
                    "a run of spaces in {line:?}"
                );
            }
        }
    }
}
