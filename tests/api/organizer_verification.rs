//! Verified organizers: a fair goes public only once admin or ministry staff verified its
//! organizer; who may verify and revoke, what each records, and what the public page says.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::Fair;

db_tests!(
    an_unverified_organizer_cannot_publish_until_staff_verify_it,
    only_admin_and_ministry_verify_and_revoke_with_a_note,
    revoking_stops_publishing_and_unpublishes_nothing,
    the_public_fair_page_names_who_verified_the_organizer,
);

/// An organizer with an organization that nobody verified yet, and a draft fair of it.
async fn unverified(app: &TestApp, email: &str) -> (String, String, String) {
    let (_, token) = app.user(email, Role::Organizer).await;
    let office = app.unverified_organization(&token, "organizer").await;
    let event = app.event(&token, &office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    (token, office, event)
}

/// A page over plain HTTP: (status, HTML).
async fn page(app: &TestApp, path: &str) -> (u16, String) {
    let mut response = awc::Client::default()
        .get(app.url(path))
        .send()
        .await
        .expect("request sent");
    let body = response.body().limit(1 << 20).await.expect("body");
    (
        response.status().as_u16(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn status_of(app: &TestApp, event: &str, token: &str) -> String {
    let resp = app
        .get(&format!("/api/v1/events/{event}"), Some(token))
        .await;
    resp.assert(200);
    resp.body["status"].as_str().unwrap().to_owned()
}

async fn an_unverified_organizer_cannot_publish_until_staff_verify_it(app: TestApp) {
    let (organizer, office, event) = unverified(&app, "dinas@palsu.id").await;
    let org = app
        .get(&format!("/api/v1/organizations/{office}"), Some(&organizer))
        .await;
    assert_eq!(org.body["verified_at"], json!(null));

    let publish = format!("/api/v1/events/{event}/publish");
    let resp = app.post(&publish, Some(&organizer), json!({})).await;
    resp.assert(409);
    assert_eq!(resp.code(), "organization_not_verified");
    assert_eq!(status_of(&app, &event, &organizer).await, "draft");

    app.verify_organization(&office).await;
    app.post(&publish, Some(&organizer), json!({}))
        .await
        .assert(200);
    assert_eq!(status_of(&app, &event, &organizer).await, "published");
}

async fn only_admin_and_ministry_verify_and_revoke_with_a_note(app: TestApp) {
    let (organizer, office, _) = unverified(&app, "dinas@kota.id").await;
    let (_, employer) = app.user("hr@pabrik.id", Role::Employer).await;
    let company = app.organization(&employer, "employer").await;
    let (_, seeker) = app.user("budi@example.id", Role::JobSeeker).await;
    let (ministry_id, ministry) = app.user("staf@kemnaker.go.id", Role::Ministry).await;
    let verify = format!("/api/v1/organizations/{office}/verify");
    let note = json!({"note": "SK pendirian No. 12/2024 dicek"});

    // The organizer cannot vouch for itself, nor can anyone but staff.
    for token in [&organizer, &employer, &seeker] {
        app.post(&verify, Some(token), note.clone())
            .await
            .assert(403);
    }
    app.post(&verify, None, note.clone()).await.assert(401);
    // A note is required; a refused request changes nothing.
    let resp = app.post(&verify, Some(&ministry), json!({})).await;
    resp.assert(422);
    assert_eq!(resp.fields(), vec!["note"]);
    let resp = app
        .post(&verify, Some(&ministry), json!({"note": "ok", "extra": 1}))
        .await;
    resp.assert(422);
    let org = app
        .get(&format!("/api/v1/organizations/{office}"), Some(&organizer))
        .await;
    assert_eq!(org.body["verified_at"], json!(null));

    let resp = app.post(&verify, Some(&ministry), note.clone()).await;
    resp.assert(200);
    assert!(resp.body["verified_at"].is_string(), "{}", resp.body);
    assert_eq!(resp.body["verified_by"], json!(ministry_id));
    // The note is for the audit trail, not for everyone who reads the organization.
    assert!(resp.body.get("verification_note").is_none());
    let again = app.post(&verify, Some(&ministry), note.clone()).await;
    again.assert(409);
    assert_eq!(again.code(), "already_verified");

    // Employers are approved per fair, not verified; unknown organizations are not found.
    let resp = app
        .post(
            &format!("/api/v1/organizations/{company}/verify"),
            Some(&ministry),
            note.clone(),
        )
        .await;
    resp.assert(409);
    assert_eq!(resp.code(), "not_an_organizer");
    app.post(
        "/api/v1/organizations/00000000-0000-0000-0000-000000000000/verify",
        Some(&ministry),
        note.clone(),
    )
    .await
    .assert(404);

    // Revoking: staff only, once.
    let unverify = format!("/api/v1/organizations/{office}/unverify");
    let why = json!({"note": "Laporan penipuan lowongan"});
    app.post(&unverify, Some(&organizer), why.clone())
        .await
        .assert(403);
    let admin = app.admin_token().await;
    let resp = app.post(&unverify, Some(&admin), why.clone()).await;
    resp.assert(200);
    assert_eq!(resp.body["verified_at"], json!(null));
    assert_eq!(resp.body["verified_by"], json!(null));
    let resp = app.post(&unverify, Some(&admin), why.clone()).await;
    resp.assert(409);
    assert_eq!(resp.code(), "not_verified");

    // Both are in the audit trail with the staff member and their note.
    let audit = app
        .get(
            &format!("/api/v1/audit?entity=organization&entity_id={office}"),
            Some(&admin),
        )
        .await;
    audit.assert(200);
    let records: Vec<(String, String)> = audit.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["action"].as_str().unwrap().contains("verify"))
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["changes"]["note"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert!(
        records.contains(&(
            "organization.verify".into(),
            "SK pendirian No. 12/2024 dicek".into()
        )),
        "{records:?}"
    );
    assert!(
        records.contains(&(
            "organization.unverify".into(),
            "Laporan penipuan lowongan".into()
        )),
        "{records:?}"
    );
}

async fn revoking_stops_publishing_and_unpublishes_nothing(app: TestApp) {
    let fair = Fair::by(&app, "dinas@revoke.id")
        .starting(Utc::now() + Duration::days(10), 8)
        .published()
        .await;
    let draft = fair
        .another(&app)
        .starting(Utc::now() + Duration::days(20), 8)
        .draft()
        .await;
    let admin = app.admin_token().await;
    app.post(
        &format!("/api/v1/organizations/{}/unverify", fair.office),
        Some(&admin),
        json!({"note": "Izin dicabut"}),
    )
    .await
    .assert(200);

    assert_eq!(
        status_of(&app, &fair.event, &fair.organizer).await,
        "published"
    );
    let resp = app
        .post(
            &format!("/api/v1/events/{}/publish", draft.event),
            Some(&fair.organizer),
            json!({}),
        )
        .await;
    resp.assert(409);
    assert_eq!(resp.code(), "organization_not_verified");
    assert_eq!(
        status_of(&app, &draft.event, &fair.organizer).await,
        "draft"
    );
}

async fn the_public_fair_page_names_who_verified_the_organizer(app: TestApp) {
    let fair = Fair::by(&app, "dinas@page.id")
        .starting(Utc::now() + Duration::days(10), 8)
        .published()
        .await;
    let shown = page(&app, &format!("/events/{}", fair.event)).await;
    assert_eq!(shown.0, 200);
    assert!(shown.1.contains("organizer org"), "{}", shown.1);
    // The fixtures' admin is "Root"; the date is today's in the fair's zone (WIB).
    assert!(
        shown
            .1
            .contains("Terverifikasi oleh Root (Admin Bursa) pada"),
        "{}",
        shown.1
    );

    let admin = app.admin_token().await;
    app.post(
        &format!("/api/v1/organizations/{}/unverify", fair.office),
        Some(&admin),
        json!({"note": "Izin dicabut"}),
    )
    .await
    .assert(200);
    let shown = page(&app, &format!("/events/{}", fair.event)).await;
    assert!(shown.1.contains("Belum terverifikasi"), "{}", shown.1);
    assert!(!shown.1.contains("Terverifikasi oleh"), "{}", shown.1);
}
