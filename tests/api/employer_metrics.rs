//! `GET /api/v1/organizations/{id}/metrics`: the employer view against values computed by hand,
//! on both engines, with its period filter, its quota by ownership, and who may read it.
//!
//! The scenario: employer E ("PT Sinar", private at first) and another employer X.
//!
//! | fair | status | local start | E's part | E's vacancies (openings) | E's placements |
//! |---|---|---|---|---|---|
//! | F1 | published | 2026-03-02 in Papua (+9; 1 March 16:30 UTC) | approved | 5 + 3 | s1 verified (disability), s2 confirmed, s3 disputed (disability), s4 retracted, s5 reported |
//! | F2 | closed | 2026-06-10 in Jakarta | approved | 2 | s6 verified, s7 verified |
//! | F3 | published | 2026-12-01 | approved, then rejected | 6 (closed by the rejection) | none |
//! | F4 | published | 2026-12-01 | pending | none | none |
//! | F5 | cancelled | 2026-12-01 | approved | 4 | s8 verified (disability) |
//! | F6 | draft (again) | 2026-12-01 | approved | 4 | s9 verified (disability) |
//!
//! X is approved at F1 with a vacancy of 10 openings and a verified placement of s10 (with a
//! disability): none of it is E's.
use bursa::auth::Role;
use bursa::db::schema::events;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::rows::{apply, move_event, place, seeker};
use crate::fixtures::Fair;

db_tests!(
    an_employer_at_several_fairs_with_its_quota,
    who_reads_the_employer_view,
);

/// A placement at `vacancy` of a new job seeker (with a disability or not), in `status`.
fn hire(app: &TestApp, f: &Fair, vacancy: &str, company: &str, status: &str, disability: bool) {
    let s = seeker(app, f, Some("1995-01-01"), "female", "smk", disability);
    let a = apply(app, f, vacancy, &s, &["applied", "hired"]);
    place(
        app,
        f,
        (&a, vacancy, &s, company),
        status,
        "2026-07-01",
        &[],
    );
}

async fn view(app: &TestApp, company: &str, query: &str, token: &str) -> Value {
    app.get(
        &format!("/api/v1/organizations/{company}/metrics{query}"),
        Some(token),
    )
    .await
    .assert(200)
    .body
    .clone()
}

async fn an_employer_at_several_fairs_with_its_quota(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, e_token) = app.user("hr@sinar.id", Role::Employer).await;
    let e = app
        .post(
            "/api/v1/organizations",
            Some(&e_token),
            json!({"name": "PT Sinar", "kind": "employer", "province_code": "31", "city": "Jakarta Barat"}),
        )
        .await
        .assert(201)
        .id();
    let (_, x_token) = app.user("hr@x.id", Role::Employer).await;
    let x = app.organization(&x_token, "employer").await;

    // F1: two vacancies, placements in every status.
    let f1 = Fair::by(&app, "organizer@f1.id")
        .with(json!({"title": "Papua Fair"}))
        .published()
        .await;
    f1.join(&app, &e_token, &e, true).await;
    f1.join(&app, &x_token, &x, true).await;
    let v1 = f1.vacancy(&app, &e_token, &e, json!({"openings": 5})).await;
    f1.vacancy(&app, &e_token, &e, json!({"openings": 3})).await;
    let vx = f1
        .vacancy(&app, &x_token, &x, json!({"openings": 10}))
        .await;
    move_event(&app, &f1, "2026-03-01 16:30:00", "94");
    hire(&app, &f1, &v1, &e, "verified", true); // s1
    hire(&app, &f1, &v1, &e, "confirmed", false); // s2
    hire(&app, &f1, &v1, &e, "disputed", true); // s3
    hire(&app, &f1, &v1, &e, "retracted", false); // s4
    hire(&app, &f1, &v1, &e, "reported", false); // s5
    hire(&app, &f1, &vx, &x, "verified", true); // s10, X's

    // F2: closed, two verified placements without a disability.
    let f2 = Fair::by(&app, "organizer@f2.id")
        .with(json!({"title": "Jakarta Fair"}))
        .published()
        .await;
    f2.join(&app, &e_token, &e, true).await;
    let v2 = f2.vacancy(&app, &e_token, &e, json!({"openings": 2})).await;
    move_event(&app, &f2, "2026-06-10 03:00:00", "31");
    app.post(
        &format!("/api/v1/events/{}/close", f2.event),
        Some(&f2.organizer),
        json!({"spent_idr": 90_000_000_i64, "notes": "done"}),
    )
    .await
    .assert(200);
    hire(&app, &f2, &v2, &e, "verified", false); // s6
    hire(&app, &f2, &v2, &e, "verified", false); // s7

    // F3: approved, posted, then rejected (its vacancy is closed, and still a vacancy).
    let f3 = Fair::by(&app, "organizer@f3.id")
        .with(json!({"title": "Rejected Fair"}))
        .published()
        .await;
    f3.join(&app, &e_token, &e, true).await;
    f3.vacancy(&app, &e_token, &e, json!({"openings": 6})).await;
    app.post(
        &format!("/api/v1/events/{}/employers/{e}/reject", f3.event),
        Some(&f3.organizer),
        json!({}),
    )
    .await
    .assert(200);

    // F4: still pending, nothing posted.
    let f4 = Fair::by(&app, "organizer@f4.id").published().await;
    f4.join(&app, &e_token, &e, false).await;

    // F5 cancelled and F6 a draft again: never counted.
    let f5 = Fair::by(&app, "organizer@f5.id").published().await;
    f5.join(&app, &e_token, &e, true).await;
    let v5 = f5.vacancy(&app, &e_token, &e, json!({"openings": 4})).await;
    hire(&app, &f5, &v5, &e, "verified", true); // s8
    app.post(
        &format!("/api/v1/events/{}/cancel", f5.event),
        Some(&f5.organizer),
        json!({}),
    )
    .await
    .assert(200);
    let f6 = Fair::by(&app, "organizer@f6.id").published().await;
    f6.join(&app, &e_token, &e, true).await;
    let v6 = f6.vacancy(&app, &e_token, &e, json!({"openings": 4})).await;
    hire(&app, &f6, &v6, &e, "verified", true); // s9
    diesel::update(events::table.find(&f6.event))
        .set((
            events::status.eq("draft"),
            events::published_at.eq(None::<NaiveDateTime>),
        ))
        .execute(&mut *app.conn())
        .unwrap();

    let row_f1 = json!({
        "event_id": f1.event, "title": "Papua Fair", "status": "published",
        "province_code": "94", "starts_at": "2026-03-01T16:30:00Z", "joined": true,
        "vacancies": 2, "openings": 8,
        "placements_reported": 4,        // s1, s2, s3, s5 (s4 retracted)
        "placements_verified": 2,        // s1, s2 (confirmed)
        "placements_with_disability": 1, // s1 (s3 is disputed)
    });
    let row_f2 = json!({
        "event_id": f2.event, "title": "Jakarta Fair", "status": "closed",
        "province_code": "31", "starts_at": "2026-06-10T03:00:00Z", "joined": true,
        "vacancies": 1, "openings": 2,
        "placements_reported": 2, "placements_verified": 2, "placements_with_disability": 0,
    });
    let row_f3 = json!({
        "event_id": f3.event, "title": "Rejected Fair", "status": "published",
        "province_code": "31", "starts_at": "2026-12-01T01:00:00Z", "joined": false,
        "vacancies": 1, "openings": 6,
        "placements_reported": 0, "placements_verified": 0, "placements_with_disability": 0,
    });
    let expected = json!({
        "organization_id": e,
        "name": "PT Sinar",
        "ownership": "private",
        "from": null,
        "to": null,
        "fairs_joined": 2,               // F1, F2 (F3 rejected, F4 pending, F5/F6 excluded)
        "vacancies": 4,                  // 2 + 1 + 1
        "openings": 16,                  // 8 + 2 + 6
        "placements_reported": 6,
        "placements_verified": 4,        // s1, s2, s6, s7
        "vacancy_fill_rate": 0.25,       // 4 / 16
        "placements_with_disability": 1, // s1
        "disability_share": 0.25,        // 1 / 4
        "disability_quota": 0.01,
        "meets_quota": true,             // 25% >= 1%
        "events": [row_f1, row_f2, row_f3],
    });
    assert_eq!(view(&app, &e, "", &e_token).await, expected);
    assert_eq!(view(&app, &e, "", &admin).await, expected);

    // A public employer: the same figures against a 2% quota.
    app.patch(
        &format!("/api/v1/organizations/{e}"),
        Some(&e_token),
        json!({"ownership": "public"}),
    )
    .await
    .assert(200);
    let body = view(&app, &e, "", &e_token).await;
    assert_eq!(body["ownership"], json!("public"));
    assert_eq!(body["disability_quota"], json!(0.02));
    assert_eq!(body["meets_quota"], json!(true));
    assert_eq!(body["placements_verified"], json!(4));

    // The period is on the event local date: F1 is 2 March in Papua (1 March in UTC).
    let body = view(&app, &e, "?from=2026-03-02&to=2026-03-02", &e_token).await;
    assert_eq!(
        body,
        json!({
            "organization_id": e, "name": "PT Sinar", "ownership": "public",
            "from": "2026-03-02", "to": "2026-03-02",
            "fairs_joined": 1, "vacancies": 2, "openings": 8,
            "placements_reported": 4, "placements_verified": 2,
            "vacancy_fill_rate": 0.25,   // 2 / 8
            "placements_with_disability": 1,
            "disability_share": 0.5,     // 1 / 2
            "disability_quota": 0.02, "meets_quota": true,
            "events": [row_f1],
        })
    );
    let body = view(&app, &e, "?to=2026-03-01", &e_token).await;
    assert_eq!(
        body,
        json!({
            "organization_id": e, "name": "PT Sinar", "ownership": "public",
            "from": null, "to": "2026-03-01",
            "fairs_joined": 0, "vacancies": 0, "openings": 0,
            "placements_reported": 0, "placements_verified": 0,
            "vacancy_fill_rate": null, "placements_with_disability": 0,
            "disability_share": null, "disability_quota": 0.02, "meets_quota": null,
            "events": [],
        })
    );
    // F2 alone: verified placements, none with a disability: below the quota.
    let body = view(&app, &e, "?from=2026-06-10&to=2026-06-30", &e_token).await;
    assert_eq!(body["events"], json!([row_f2]));
    assert_eq!(body["disability_share"], json!(0.0));
    assert_eq!(body["meets_quota"], json!(false));
    assert_eq!(body["vacancy_fill_rate"], json!(1.0));

    // Bad periods.
    let path = format!("/api/v1/organizations/{e}/metrics");
    for (query, field) in [
        ("?from=2026-13-01", "from"),
        ("?to=yesterday", "to"),
        ("?from=2026-06-02&to=2026-06-01", "to"),
        ("?year=2026", "query"),
    ] {
        let resp = app.get(&format!("{path}{query}"), Some(&e_token)).await;
        resp.assert(422);
        assert_eq!(resp.fields().len(), 1, "{query}: {}", resp.body);
        if field != "query" {
            assert_eq!(resp.fields(), [field], "{query}");
        }
    }
}

async fn who_reads_the_employer_view(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    let (_, owner) = app.user("owner@sinar.id", Role::Employer).await;
    let company = app.organization(&owner, "employer").await;
    let (_, member) = app.user("member@sinar.id", Role::Employer).await;
    app.post(
        &format!("/api/v1/organizations/{company}/members"),
        Some(&owner),
        json!({"email": "member@sinar.id", "role": "member"}),
    )
    .await
    .assert(201);
    let (_, other_employer) = app.user("hr@other.id", Role::Employer).await;
    app.organization(&other_employer, "employer").await;
    let f = Fair::by(&app, "organizer@access.id").published().await;
    f.join(&app, &owner, &company, true).await;
    let (_, job_seeker) = app.user("siti@example.id", Role::JobSeeker).await;

    let path = format!("/api/v1/organizations/{company}/metrics");
    for token in [&admin, &ministry, &owner, &member] {
        let body = app.get(&path, Some(token)).await.assert(200).body.clone();
        assert_eq!(body["organization_id"], json!(company));
        assert_eq!(body["fairs_joined"], json!(1));
    }
    // Another employer, the organizer of a fair it joined, a job seeker.
    for token in [&other_employer, &f.organizer, &job_seeker] {
        assert_eq!(
            app.get(&path, Some(token)).await.assert(403).code(),
            "forbidden"
        );
    }
    assert_eq!(
        app.get(&path, None).await.assert(401).code(),
        "unauthorized"
    );

    // An organizer organization is no employer: 404 for whoever may ask about employers.
    let office = format!("/api/v1/organizations/{}/metrics", f.office);
    for token in [&admin, &ministry, &owner] {
        assert_eq!(
            app.get(&office, Some(token)).await.assert(404).code(),
            "not_found"
        );
    }
    // Unknown and malformed ids.
    let unknown = format!("/api/v1/organizations/{}/metrics", uuid::Uuid::new_v4());
    app.get(&unknown, Some(&admin)).await.assert(404);
    app.get("/api/v1/organizations/nope/metrics", Some(&admin))
        .await
        .assert(404);
}
