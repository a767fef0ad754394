//! `GET /api/v1/events/{id}/scorecard`: the public scorecard of a closed fair against values
//! computed by hand, on both engines: small breakdown cells left out (4 attendees hidden, 5
//! shown, and more hidden where the rest would give a small one away), no token needed, nothing personal, and nothing at all for an event that is not
//! closed.
use bursa::auth::Role;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::rows::{apply, move_event, place, register, seeker};
use crate::fixtures::{Employer, Fair};

db_tests!(
    a_closed_fair_shows_its_scorecard_to_anyone,
    only_closed_events_have_a_scorecard,
);

fn path(f: &Fair) -> String {
    format!("/api/v1/events/{}/scorecard", f.event)
}

fn cell(attendees: i64, placed: i64, rate: f64) -> Value {
    json!({"attendees": attendees, "placed_attendees": placed, "placement_rate": rate})
}

/// A fair in Jakarta on 1 March 2026 (09:00 local), closed with its spending. Nine attendees
/// (ages on 1 March 2026):
///
/// | | gender | age | education | disability | outcome |
/// |---|---|---|---|---|---|
/// | s1 | female | 26 | smk | no | verified |
/// | s2 | female | 24 | smk | no | confirmed |
/// | s3 | female | 36 | smk | no | |
/// | s4 | female | 30 | sma | no | |
/// | s5 | female | 28 | sma | yes | verified |
/// | s6 | male | 22 | smk | no | disputed |
/// | s7 | male | 41 | sma | no | |
/// | s8 | male | unknown | sd | no | retracted |
/// | s9 | male | 56 | smk | no | reported |
///
/// and s10, registered but never checked in, with a verified placement.
async fn a_closed_fair_shows_its_scorecard_to_anyone(app: TestApp) {
    let f = Fair::by(&app, "organizer@card.id")
        .with(json!({"title": "Bursa Kerja Jakarta"}))
        .published()
        .await;
    let hr = Employer::at(&app, &f, "hr@card.id", true).await;
    let company = hr.company.clone();
    let v = hr.vacancy(&app, &f, json!({"openings": 6})).await;
    move_event(&app, &f, "2026-03-01 02:00:00", "31");
    app.post(
        &format!("/api/v1/events/{}/close", f.event),
        Some(&f.organizer),
        // 100,000,002 / 4 verified placements = 25,000,000.5, rounded half up.
        json!({"spent_idr": 100_000_002_i64, "notes": "selesai"}),
    )
    .await
    .assert(200);

    let people = [
        (Some("2000-01-01"), "female", "smk", false, Some("verified")),
        (
            Some("2001-06-01"),
            "female",
            "smk",
            false,
            Some("confirmed"),
        ),
        (Some("1990-01-01"), "female", "smk", false, None),
        (Some("1995-05-05"), "female", "sma", false, None),
        (Some("1998-02-02"), "female", "sma", true, Some("verified")),
        (Some("2003-03-03"), "male", "smk", false, Some("disputed")),
        (Some("1985-01-01"), "male", "sma", false, None),
        (None, "male", "sd", false, Some("retracted")),
        (Some("1970-01-01"), "male", "smk", false, Some("reported")),
    ];
    let mut seekers = Vec::new();
    for (birth, gender, education, disability, outcome) in people {
        let s = seeker(&app, &f, birth, gender, education, disability);
        register(&app, &f, &s, true);
        if let Some(status) = outcome {
            let a = apply(&app, &f, &v, &s, &["applied", "hired"]);
            place(&app, &f, (&a, &v, &s, &company), status, "2026-03-15", &[]);
        }
        seekers.push(s);
    }
    let s10 = seeker(&app, &f, Some("1999-09-09"), "female", "s1", false);
    register(&app, &f, &s10, false);
    let a = apply(&app, &f, &v, &s10, &["applied", "hired"]);
    place(
        &app,
        &f,
        (&a, &v, &s10, &company),
        "verified",
        "2026-03-15",
        &[],
    );

    let resp = app.get(&path(&f), None).await;
    resp.assert(200);
    assert_eq!(resp.header("cache-control"), Some("public, max-age=60"));
    let closed_at = resp.body["closed_at"].clone();
    assert!(closed_at.as_str().unwrap().ends_with('Z'), "{closed_at}");
    assert_eq!(
        resp.body,
        json!({
            "event_id": f.event,
            "title": "Bursa Kerja Jakarta",
            "organization_name": "organizer org",
            "province_code": "31",
            "province_name": "DKI Jakarta",
            "starts_at": "2026-03-01T02:00:00Z",
            "ends_at": "2026-03-01T10:00:00Z",
            "closed_at": closed_at,
            "attendees": 9,
            "vacancies": 1,
            "openings": 6,
            "placements_verified": 4,           // s1, s2, s5, s10
            "placement_rate": 1.0 / 3.0,        // s1, s2, s5 of 9 attendees
            "vacancy_fill_rate": 4.0 / 6.0,
            "cost_idr": 100_000_002_i64,
            "cost_basis": "spent",
            "cost_per_placement_idr": 25_000_001,
            // Every breakdown hidden whole: "male" (s6, s7, s8, s9) has 4, so "female" (5)
            // would give it away; every age band is under 5; "sma" and "sd" add up to 4
            // beside "smk" (5); "true" is s5 alone beside "false" (8).
            "breakdowns": {"gender": {}, "age_band": {}, "education_level": {}, "disability": {}},
        })
    );
    // Nothing that names or identifies a person.
    let text = resp.body.to_string();
    for s in seekers.iter().chain([&s10]) {
        assert!(!text.contains(s.as_str()), "a job seeker id in {text}");
    }
    assert!(!text.contains("Siti") && !text.contains("@"), "{text}");

    // Any token, even a bad one, is ignored: the same answer.
    let (_, job_seeker) = app.user("budi@example.id", Role::JobSeeker).await;
    for token in [job_seeker.as_str(), "not-a-token", f.organizer.as_str()] {
        let again = app.get(&path(&f), Some(token)).await;
        again.assert(200);
        assert_eq!(again.body, resp.body);
    }

    // A fifth man makes the cell public: 5 attendees, none placed.
    let s11 = seeker(&app, &f, Some("1980-01-01"), "male", "d3", false);
    register(&app, &f, &s11, true);
    let body = app.get(&path(&f), None).await.assert(200).body.clone();
    assert_eq!(body["attendees"], json!(10));
    assert_eq!(body["breakdowns"]["gender"]["male"], cell(5, 0, 0.0));
    assert_eq!(body["breakdowns"]["gender"]["female"], cell(5, 3, 0.6));
    // d3 (1), sma (3) and sd (1) hidden add up to 5: smk (5) is shown beside them.
    assert_eq!(
        body["breakdowns"]["education_level"],
        json!({"smk": cell(5, 2, 0.4)})
    );
}

async fn only_closed_events_have_a_scorecard(app: TestApp) {
    let admin = app.admin_token().await;
    let published = Fair::by(&app, "organizer@shut.id").published().await;
    let draft = app.event(&published.organizer, &published.office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let cancelled = app.event(&published.organizer, &published.office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/events/{cancelled}/cancel"),
        Some(&published.organizer),
        json!({}),
    )
    .await
    .assert(200);

    // Not even the organizer or an admin sees a scorecard before the event is closed.
    for id in [&draft, &published.event, &cancelled] {
        for token in [
            None,
            Some(admin.as_str()),
            Some(published.organizer.as_str()),
        ] {
            let resp = app
                .get(&format!("/api/v1/events/{id}/scorecard"), token)
                .await;
            resp.assert(404);
            assert_eq!(resp.code(), "not_found");
            // Errors are never cached.
            assert_eq!(resp.header("cache-control"), Some("no-store"));
        }
    }
    let unknown = format!("/api/v1/events/{}/scorecard", uuid::Uuid::new_v4());
    app.get(&unknown, None).await.assert(404);
    app.get("/api/v1/events/nope/scorecard", None)
        .await
        .assert(404);

    // Closed without attendees: the figures, with null rates and empty breakdowns.
    move_event(&app, &published, "2026-03-01 02:00:00", "31");
    app.post(
        &format!("/api/v1/events/{}/close", published.event),
        Some(&published.organizer),
        json!({"spent_idr": 0, "notes": "sepi"}),
    )
    .await
    .assert(200);
    let body = app
        .get(&path(&published), None)
        .await
        .assert(200)
        .body
        .clone();
    assert_eq!(body["attendees"], json!(0));
    assert_eq!(body["placement_rate"], Value::Null);
    assert_eq!(body["cost_idr"], json!(0));
    assert_eq!(body["cost_per_placement_idr"], Value::Null);
    assert_eq!(
        body["breakdowns"],
        json!({"gender": {}, "age_band": {}, "education_level": {}, "disability": {}})
    );
}
