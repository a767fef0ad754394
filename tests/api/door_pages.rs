//! The door pages over plain HTTP: the fair's door passes (`/desk/events/{id}/door`: issue,
//! shown once, revoke; who may), the scanner page (`/door`) and the service worker that keeps
//! it; and the phone search a door pass may make.

use bursa::auth::Role;
use bursa::db::schema::door_passes;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{profile, with, Fair, Seeker};
use crate::web::{send, Body, Phone};

db_tests!(
    the_organizer_issues_a_pass_shown_once_then_revokes_it,
    only_the_fairs_staff_may_use_the_pass_page,
    the_scanner_page_and_its_offline_copy_are_served,
    a_pass_finds_people_by_phone_without_their_contact_data,
);

/// The door passes stored: (id, label, revoked_at).
fn passes(app: &TestApp) -> Vec<(String, String, Option<NaiveDateTime>)> {
    door_passes::table
        .order(door_passes::created_at.asc())
        .select((door_passes::id, door_passes::label, door_passes::revoked_at))
        .load(&mut *app.conn())
        .unwrap()
}

/// The pass token in a page that shows one.
fn token_in(body: &str) -> String {
    let start = body.find("pass=bdp_").expect("a pass in the page") + "pass=".len();
    body[start..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '-')
        .collect()
}

async fn the_organizer_issues_a_pass_shown_once_then_revokes_it(app: TestApp) {
    let fair = Fair::by(&app, "organizer@doorpage.id")
        .running()
        .published()
        .await;
    let organizer = Phone::signed_in(&app, "organizer@doorpage.id").await;
    let path = format!("/desk/events/{}/door", fair.event);
    let page = organizer.get(&path).await;
    page.assert(200);
    assert!(page.body.contains("Izin pintu masuk"), "{}", page.body);
    assert!(page.body.contains("Belum ada izin pintu"));

    // Issued: its address (the pass in the fragment) as text and as a QR code, this once.
    let page = organizer.post(&path, &[("label", "Tablet Pintu A")]).await;
    page.assert(201);
    assert_eq!(page.header("cache-control"), "no-store");
    let token = token_in(&page.body);
    assert!(token.starts_with("bdp_") && token.len() > 40, "{token}");
    let unescaped = page.body.replace("&#38;", "&").replace("&amp;", "&");
    assert!(
        unescaped.contains(&format!("/door#event={}&pass={token}", fair.event)),
        "{}",
        page.body
    );
    assert!(page.body.contains("<svg class=\"qr\""));
    let stored = passes(&app);
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].1, "Tablet Pintu A");
    assert!(stored[0].2.is_none());
    // The token works at the door API…
    app.get(
        &format!("/api/v1/events/{}/check-in-list", fair.event),
        Some(&token),
    )
    .await
    .assert(200);
    // …and is never shown again.
    let page = organizer.get(&path).await;
    page.assert(200);
    assert!(!page.body.contains(&token));
    assert!(!page.body.contains("bdp_"));
    assert!(page.body.contains("Tablet Pintu A") && page.body.contains("Aktif"));

    // Revoked from the page: the token stops working.
    let revoke = format!("/desk/door-passes/{}/revoke", stored[0].0);
    let page = organizer.post(&revoke, &[]).await;
    page.assert(303);
    assert_eq!(page.header("location"), format!("{path}?revoked=1"));
    assert!(passes(&app)[0].2.is_some());
    let page = organizer.get(&format!("{path}?revoked=1")).await;
    assert!(page.body.contains("telah dicabut") && page.body.contains("Dicabut"));
    app.get(
        &format!("/api/v1/events/{}/check-in-list", fair.event),
        Some(&token),
    )
    .await
    .assert(401);

    // A label too long is explained beside the field, and nothing is issued.
    let long = "x".repeat(81);
    let page = organizer.post(&path, &[("label", &long)]).await;
    page.assert(422);
    assert!(page.body.contains("label-error") && page.body.contains("aria-invalid"));
    assert_eq!(passes(&app).len(), 1);
}

async fn only_the_fairs_staff_may_use_the_pass_page(app: TestApp) {
    let fair = Fair::by(&app, "organizer@doorwho.id")
        .running()
        .published()
        .await;
    Fair::by(&app, "other@doorwho.id")
        .running()
        .published()
        .await;
    let path = format!("/desk/events/{}/door", fair.event);

    // Not signed in: to the sign-in page, and back.
    let visitor = Phone::new(&app).await;
    let page = visitor.get(&path).await;
    page.assert(303);
    assert!(page
        .header("location")
        .starts_with("/sign-in?next=%2Fdesk%2Fevents%2F"));
    visitor.post(&path, &[("label", "x")]).await.assert(303);

    // A job seeker and another fair's organizer: refused, and nothing is issued.
    Seeker::new(&app, "seeker@doorwho.id", "Siti Rahayu", "0001").await;
    for email in ["seeker@doorwho.id", "other@doorwho.id"] {
        let client = Phone::signed_in(&app, email).await;
        let page = client.get(&path).await;
        assert!(matches!(page.status, 403 | 404), "{email}: {}", page.status);
        assert!(!page.body.contains("Terbitkan izin"));
        let page = client.post(&path, &[("label", "Gate")]).await;
        assert!(matches!(page.status, 403 | 404), "{email}: {}", page.status);
    }
    assert!(passes(&app).is_empty());
    app.user("ministry@doorwho.id", Role::Ministry).await;
    let ministry = Phone::signed_in(&app, "ministry@doorwho.id").await;
    assert!(matches!(ministry.get(&path).await.status, 403 | 404));

    // A form without its CSRF token changes nothing.
    let organizer = Phone::signed_in(&app, "organizer@doorwho.id").await;
    organizer
        .post_raw(&path, &[("label", "Gate")])
        .await
        .assert(403);
    assert!(passes(&app).is_empty());

    // Another fair's organizer cannot revoke this fair's pass; nor can a form without its token.
    organizer
        .post(&path, &[("label", "Gate")])
        .await
        .assert(201);
    let pass = passes(&app)[0].0.clone();
    let revoke = format!("/desk/door-passes/{pass}/revoke");
    let intruder = Phone::signed_in(&app, "other@doorwho.id").await;
    let page = intruder.post(&revoke, &[]).await;
    assert!(matches!(page.status, 403 | 404), "{}", page.status);
    organizer.post_raw(&revoke, &[]).await.assert(403);
    visitor.post(&revoke, &[]).await.assert(303);
    assert!(passes(&app)[0].2.is_none(), "no one revoked it");
    // An unknown fair is the not-found page.
    let page = organizer
        .get("/desk/events/00000000-0000-0000-0000-000000000000/door")
        .await;
    page.assert(404);
}

async fn the_scanner_page_and_its_offline_copy_are_served(app: TestApp) {
    let visitor = Phone::new(&app).await;
    let page = visitor.get("/door").await;
    page.assert(200);
    assert!(page.body.contains("<html lang=\"id\""));
    assert!(page.body.contains("Pemindai pintu masuk"));
    assert!(page.body.contains("aria-live=\"assertive\""));
    assert!(page.body.contains("id=\"door-texts\""));
    assert!(page.body.contains("\"admitted\":\"Silakan masuk\""));
    for asset in ["door.js", "scan.js", "door.css", "jsQR.js"] {
        let start = page
            .body
            .find(&format!("/static/{asset}?v="))
            .unwrap_or_else(|| panic!("{asset} is linked"));
        let url: String = page.body[start..]
            .chars()
            .take_while(|c| *c != '"')
            .collect();
        let served = visitor.get(&url).await;
        served.assert(200);
        assert!(
            served.header("content-type").starts_with("text/"),
            "{asset}"
        );
    }
    // The vendored decoder keeps its licence beside it.
    let decoder = visitor.get("/static/jsQR.js").await;
    assert!(decoder.body.starts_with("/*! jsQR 1.4.0"));
    assert!(decoder.body.contains("Apache License, Version 2.0"));
    // The service worker keeps the scanner, and still the tickets.
    let worker = visitor.get("/sw.js").await;
    worker.assert(200);
    assert!(worker.body.contains("\"/door\""));
    assert!(worker.body.contains("/^\\/me\\/registrations\\/[^/]+$/"));
    // In English on request.
    let english = send(&app, "GET", "/door", Some("lang=en"), Body::None).await;
    english.assert(200);
    assert!(english.body.contains("<html lang=\"en\"") && english.body.contains("Door scanner"));
}

async fn a_pass_finds_people_by_phone_without_their_contact_data(app: TestApp) {
    let fair = Fair::by(&app, "organizer@doorphone.id")
        .running()
        .published()
        .await;
    let other = Fair::by(&app, "other@doorphone.id")
        .running()
        .published()
        .await;
    let body = with(
        &profile("Siti Rahayu", "0007"),
        json!({"phone": "081234567890", "email": "siti.contact@example.id"}),
    );
    let seeker = Seeker::with_profile(&app, "siti@doorphone.id", body).await;
    seeker.register(&app, &fair.event).await;
    let pass = app
        .post(
            &format!("/api/v1/events/{}/door-passes", fair.event),
            Some(&fair.organizer),
            json!({"label": "Gate"}),
        )
        .await
        .assert(201)
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();
    let search = |q: &str, event: &str| {
        format!(
            "/api/v1/events/{event}/check-in-list/search?q={}",
            q.replace('+', "%2B").replace(' ', "%20")
        )
    };
    for typed in ["081234567890", "+62 812-3456-7890", "6281234567890"] {
        let found = app.get(&search(typed, &fair.event), Some(&pass)).await;
        found.assert(200);
        let items = found.body["items"].as_array().unwrap();
        assert_eq!(items.len(), 1, "{typed}: {}", found.body);
        assert_eq!(items[0]["display_name"], "Siti R.");
        assert_eq!(items[0]["checked_in"], false);
        let text = found.body.to_string();
        for secret in [
            "1234567890",
            "siti.contact",
            "Rahayu",
            "0007",
            "check_in_code",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
    }
    let none = app
        .get(&search("081299999999", &fair.event), Some(&pass))
        .await;
    none.assert(200);
    assert_eq!(none.body["items"], json!([]));
    app.get(&search("siti", &fair.event), Some(&pass))
        .await
        .assert(422);
    // Only this fair's door: another fair is 403, and its own registrations are not found.
    app.get(&search("081234567890", &other.event), Some(&pass))
        .await
        .assert(403);
    let theirs = app
        .get(
            &search("081234567890", &other.event),
            Some(&other.organizer),
        )
        .await;
    theirs.assert(200);
    assert_eq!(theirs.body["items"], json!([]));
    let refused = app
        .get(&search("081234567890", &fair.event), Some(&seeker.token))
        .await;
    assert!(matches!(refused.status, 403 | 404), "{}", refused.status);
}
