//! Registration, the QR code, check-in at the door and walk-ins.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{event_body, TestApp};
use crate::db_tests;
use crate::fixtures::{register, seeker_body, Fair, Seeker};

db_tests!(
    a_job_seeker_registers_and_is_checked_in_once,
    registration_follows_the_event_and_the_caller,
    check_in_has_a_window_and_needs_the_events_staff,
    simultaneous_registrations_never_exceed_capacity,
    fifty_simultaneous_scans_record_one_check_in,
    walk_ins_are_found_by_nik_or_recorded_then_checked_in,
    control_characters_in_a_search_or_a_code_are_refused_not_a_server_error,
);

/// A published event of a new organizer, running from `start` (relative to now) for `hours`.
async fn published_fair(
    app: &TestApp,
    email: &str,
    start: Duration,
    hours: i64,
    capacity: i64,
) -> Fair {
    Fair::by(app, email)
        .starting(Utc::now() + start, hours)
        .with(json!({"capacity": capacity}))
        .published()
        .await
}

/// A fair that started an hour ago and runs for eight.
async fn running_fair(app: &TestApp, email: &str) -> Fair {
    published_fair(app, email, Duration::hours(-1), 8, 5000).await
}

/// A job seeker account `seeker{n}@mail.id` with the profile [`seeker_body`]`(n)`: (token, job
/// seeker id).
async fn seeker(app: &TestApp, n: u32) -> (String, String) {
    let email = format!("seeker{n}@mail.id");
    let s = Seeker::with_profile(app, &email, seeker_body(n)).await;
    (s.token, s.id)
}

/// The event's registrations (kept on its row) and attendees, read from the database.
fn event_counts(app: &TestApp, event: &str) -> (i64, i64) {
    let registrations = app.number(&format!(
        "SELECT CAST(registrations_count AS BIGINT) AS n FROM events WHERE id = '{event}'"
    ));
    (registrations, app.attendees(event))
}

async fn a_job_seeker_registers_and_is_checked_in_once(app: TestApp) {
    let fair = running_fair(&app, "organizer@disnaker.id").await;
    let (token, seeker_id) = seeker(&app, 1).await;
    let path = format!("/api/v1/events/{}/registrations", fair.event);

    let registered = app.post(&path, Some(&token), json!({})).await;
    registered.assert(201);
    let body = registered.body.clone();
    assert_eq!(body["event_id"], fair.event.as_str());
    assert_eq!(body["job_seeker_id"], seeker_id.as_str());
    assert_eq!(body["checked_in_at"], Value::Null);
    assert!(body["registered_at"].is_string());
    let code = body["check_in_code"].as_str().unwrap().to_owned();
    // 80 random bits: 16 Crockford base32 characters in groups of four.
    assert_eq!(code.len(), 19, "{code}");
    assert!(code
        .bytes()
        .all(|b| b == b'-' || b"0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(&b)));

    // Registering again returns the same registration; nothing new is counted.
    let again = app
        .post(&path, Some(&token), json!({"job_seeker_id": seeker_id}))
        .await;
    again.assert(200);
    assert_eq!(again.id(), registered.id());
    assert_eq!(again.body["check_in_code"], code.as_str());
    assert_eq!(app.count("registrations"), 1);
    assert_eq!(event_counts(&app, &fair.event), (1, 0));

    // The QR code carries the check-in code, for the person and the organizer only.
    let qr = format!("/api/v1/registrations/{}/qr.svg", registered.id());
    let image = app.get(&qr, Some(&token)).await;
    image.assert(200);
    assert_eq!(image.header("content-type"), Some("image/svg+xml"));
    assert_eq!(image.header("cache-control"), Some("no-store"));
    let svg = image.body.as_str().unwrap();
    assert!(svg.contains("<svg"), "{svg}");
    assert_eq!(svg, bursa::registrations::qr_svg(&code).unwrap());
    assert_ne!(svg, bursa::registrations::qr_svg(&registered.id()).unwrap());
    app.get(&qr, Some(&fair.organizer)).await.assert(200);
    let (other, _) = seeker(&app, 2).await;
    app.get(&qr, Some(&other)).await.assert(404);
    let (_, employer) = app.user("hr@pt-maju.id", Role::Employer).await;
    app.get(&qr, Some(&employer)).await.assert(404);
    app.get(&qr, None).await.assert(401);

    // The scan at the door: counted once, the first check-in stands.
    let check_ins = format!("/api/v1/events/{}/check-ins", fair.event);
    let first = app
        .post(
            &check_ins,
            Some(&fair.organizer),
            json!({"check_in_code": code}),
        )
        .await;
    first.assert(200);
    assert_eq!(first.body["already_checked_in"], false);
    assert_eq!(first.id(), registered.id());
    let checked_in_at = first.body["checked_in_at"].as_str().unwrap().to_owned();
    let second = app
        .post(
            &check_ins,
            Some(&fair.organizer),
            json!({"check_in_code": code}),
        )
        .await;
    second.assert(200);
    assert_eq!(second.body["already_checked_in"], true);
    assert_eq!(second.body["checked_in_at"], checked_in_at.as_str());
    assert_eq!(event_counts(&app, &fair.event), (1, 1));
    let event = app
        .get(&format!("/api/v1/events/{}", fair.event), None)
        .await;
    assert_eq!(event.body["attendees_count"], 1);
    assert_eq!(event.body["registrations_count"], 1);

    // Lists: the organizer's, filtered; the person's own.
    let listed = app.get(&path, Some(&fair.organizer)).await;
    listed.assert(200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["job_seeker_name"], "Siti Rahayu 1");
    assert!(items[0].get("nik").is_none() && items[0].get("nik_hash").is_none());
    let waiting = app
        .get(&format!("{path}?checked_in=false"), Some(&fair.organizer))
        .await;
    assert_eq!(waiting.body["items"].as_array().unwrap().len(), 0);
    let arrived = app
        .get(&format!("{path}?checked_in=true"), Some(&fair.organizer))
        .await;
    assert_eq!(arrived.body["items"].as_array().unwrap().len(), 1);
    app.get(&format!("{path}?checked_in=maybe"), Some(&fair.organizer))
        .await
        .assert(422);
    app.get(&path, Some(&token)).await.assert(403);
    app.get(&path, Some(&employer)).await.assert(403);
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    app.get(&path, Some(&ministry)).await.assert(200);

    let mine = app.get("/api/v1/me/registrations", Some(&token)).await;
    mine.assert(200);
    let items = mine.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["event_title"], "Jakarta Job Fair 2026");
    assert!(items[0]["checked_in_at"].is_string());
    let none = app.get("/api/v1/me/registrations", Some(&other)).await;
    assert_eq!(none.body["items"].as_array().unwrap().len(), 0);
    app.assert_kept_figures();
}

async fn registration_follows_the_event_and_the_caller(app: TestApp) {
    let fair = running_fair(&app, "organizer@disnaker.id").await;
    let path = format!("/api/v1/events/{}/registrations", fair.event);
    let (token, seeker_id) = seeker(&app, 1).await;
    let (other_token, other_id) = seeker(&app, 2).await;

    // A job seeker registers only themself, and needs a profile first.
    let theirs = app
        .post(&path, Some(&token), json!({"job_seeker_id": other_id}))
        .await;
    theirs.assert(403);
    let (_, bare) = app.user("new@mail.id", Role::JobSeeker).await;
    let no_profile = app.post(&path, Some(&bare), json!({})).await;
    no_profile.assert(409);
    assert_eq!(no_profile.code(), "profile_required");
    let malformed = app
        .post(&path, Some(&token), json!({"job_seeker_id": "x"}))
        .await;
    malformed.assert(422);
    assert_eq!(malformed.fields(), ["job_seeker_id"]);
    app.post(&path, Some(&token), json!({"seat": 1}))
        .await
        .assert(422);

    // Organizer staff register a job seeker by id; others may not.
    let missing = app.post(&path, Some(&fair.organizer), json!({})).await;
    missing.assert(422);
    assert_eq!(missing.fields(), ["job_seeker_id"]);
    let unknown = app
        .post(
            &path,
            Some(&fair.organizer),
            json!({"job_seeker_id": uuid::Uuid::new_v4()}),
        )
        .await;
    unknown.assert(422);
    let (_, stranger) = app.user("other@disnaker.id", Role::Organizer).await;
    app.post(&path, Some(&stranger), json!({"job_seeker_id": other_id}))
        .await
        .assert(403);
    let (_, employer) = app.user("hr@pt-maju.id", Role::Employer).await;
    app.post(&path, Some(&employer), json!({"job_seeker_id": other_id}))
        .await
        .assert(403);
    app.post(&path, None, json!({})).await.assert(401);
    assert_eq!(app.count("registrations"), 0);
    assert_eq!(event_counts(&app, &fair.event), (0, 0));

    let by_staff = app
        .post(
            &path,
            Some(&fair.organizer),
            json!({"job_seeker_id": other_id}),
        )
        .await;
    by_staff.assert(201);
    assert_eq!(by_staff.body["job_seeker_id"], other_id.as_str());
    // Staff of the event can now read the person's profile.
    app.get(
        &format!("/api/v1/job-seekers/{other_id}"),
        Some(&fair.organizer),
    )
    .await
    .assert(200);
    app.get(
        &format!("/api/v1/job-seekers/{seeker_id}"),
        Some(&fair.organizer),
    )
    .await
    .assert(404);
    let own = app.post(&path, Some(&other_token), json!({})).await;
    own.assert(200);
    assert_eq!(own.id(), by_staff.id());

    // Drafts are invisible; cancelled, closed and ended events take no registrations.
    let (_, planner) = app.user("planner@disnaker.id", Role::Organizer).await;
    let org = app.organization(&planner, "organizer").await;
    let draft = app.event(&planner, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let draft_path = format!("/api/v1/events/{draft}/registrations");
    app.post(&draft_path, Some(&token), json!({}))
        .await
        .assert(404);
    let not_open = app
        .post(
            &draft_path,
            Some(&planner),
            json!({"job_seeker_id": seeker_id}),
        )
        .await;
    not_open.assert(409);
    assert_eq!(not_open.code(), "event_not_open");

    let ended = published_fair(&app, "past@disnaker.id", Duration::hours(-30), 4, 100).await;
    let late = app
        .post(
            &format!("/api/v1/events/{}/registrations", ended.event),
            Some(&token),
            json!({}),
        )
        .await;
    late.assert(409);
    assert_eq!(late.code(), "registration_closed");

    app.post(
        &format!("/api/v1/events/{}/close", fair.event),
        Some(&fair.organizer),
        json!({"spent_idr": 1000}),
    )
    .await
    .assert(200);
    let closed = app.post(&path, Some(&token), json!({})).await;
    closed.assert(409);
    assert_eq!(closed.code(), "event_not_open");
    assert_eq!(app.count("registrations"), 1);
    assert_eq!(event_counts(&app, &fair.event), (1, 0));
    app.assert_kept_figures();
}

async fn check_in_has_a_window_and_needs_the_events_staff(app: TestApp) {
    let fair = running_fair(&app, "organizer@disnaker.id").await;
    let (token, _) = seeker(&app, 1).await;
    let registration = app
        .post(
            &format!("/api/v1/events/{}/registrations", fair.event),
            Some(&token),
            json!({}),
        )
        .await
        .assert(201)
        .body
        .clone();
    let code = registration["check_in_code"].as_str().unwrap();
    let check_ins = format!("/api/v1/events/{}/check-ins", fair.event);
    let scan = json!({ "check_in_code": code });

    // Only the event's staff scan.
    app.post(&check_ins, Some(&token), scan.clone())
        .await
        .assert(403);
    let (_, stranger) = app.user("other@disnaker.id", Role::Organizer).await;
    app.post(&check_ins, Some(&stranger), scan.clone())
        .await
        .assert(403);
    app.post(&check_ins, None, scan.clone()).await.assert(401);
    let unknown = app
        .post(
            &check_ins,
            Some(&fair.organizer),
            json!({"check_in_code": "not-a-real-code-at-all"}),
        )
        .await;
    unknown.assert(404);
    let empty = app.post(&check_ins, Some(&fair.organizer), json!({})).await;
    empty.assert(422);
    assert_eq!(empty.fields(), ["check_in_code"]);

    // A code of another event is unknown here, even to staff who run both.
    let mut body = event_body(&fair.office);
    let start = Utc::now() - Duration::hours(1);
    body["starts_at"] = json!(start.to_rfc3339());
    body["ends_at"] = json!((start + Duration::hours(8)).to_rfc3339());
    let second = app
        .post("/api/v1/events", Some(&fair.organizer), body)
        .await
        .assert(201)
        .id();
    app.post(
        &format!("/api/v1/events/{second}/publish"),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);
    app.post(
        &format!("/api/v1/events/{second}/check-ins"),
        Some(&fair.organizer),
        scan.clone(),
    )
    .await
    .assert(404);
    assert_eq!(event_counts(&app, &fair.event), (1, 0));

    // Too early: more than a day before the start.
    let upcoming = fair_with_seeker(&app, "early@disnaker.id", Duration::hours(30), 2).await;
    let early = app
        .post(
            &format!("/api/v1/events/{}/check-ins", upcoming.0.event),
            Some(&upcoming.0.organizer),
            json!({ "check_in_code": upcoming.1 }),
        )
        .await;
    early.assert(409);
    assert_eq!(early.code(), "outside_check_in_window");
    // Within a day of the start, the desk is open.
    let soon = fair_with_seeker(&app, "soon@disnaker.id", Duration::hours(20), 3).await;
    app.post(
        &format!("/api/v1/events/{}/check-ins", soon.0.event),
        Some(&soon.0.organizer),
        json!({ "check_in_code": soon.1 }),
    )
    .await
    .assert(200);

    // A closed event takes no check-ins, and nothing is counted.
    app.post(
        &format!("/api/v1/events/{}/close", fair.event),
        Some(&fair.organizer),
        json!({"spent_idr": 0}),
    )
    .await
    .assert(200);
    let closed = app.post(&check_ins, Some(&fair.organizer), scan).await;
    closed.assert(409);
    assert_eq!(closed.code(), "event_not_open");
    assert_eq!(event_counts(&app, &fair.event), (1, 0));
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM registrations WHERE checked_in_at IS NOT NULL"),
        1
    );
}

/// A published fair starting at `start` with one registered job seeker: (fair, check-in code).
async fn fair_with_seeker(app: &TestApp, email: &str, start: Duration, n: u32) -> (Fair, String) {
    let fair = published_fair(app, email, start, 8, 100).await;
    let (token, _) = seeker(app, n).await;
    let code = register(app, &fair.event, &token).await;
    (fair, code)
}

async fn simultaneous_registrations_never_exceed_capacity(app: TestApp) {
    let fair = published_fair(&app, "organizer@disnaker.id", Duration::hours(-1), 8, 5).await;
    let path = format!("/api/v1/events/{}/registrations", fair.event);
    let mut tokens = Vec::new();
    for n in 0..12 {
        tokens.push(seeker(&app, n).await.0);
    }
    let responses = join_all(
        tokens
            .iter()
            .map(|token| app.post(&path, Some(token), json!({}))),
    )
    .await;
    let created = responses.iter().filter(|r| r.status == 201).count();
    let full: Vec<_> = responses.iter().filter(|r| r.status == 409).collect();
    assert_eq!(created, 5, "{responses:?}");
    assert_eq!(full.len(), 7, "{responses:?}");
    assert!(full.iter().all(|r| r.code() == "event_full"));
    assert_eq!(app.count("registrations"), 5);
    assert_eq!(event_counts(&app, &fair.event), (5, 0));
    // Capacity cannot drop below the registrations made.
    let event_path = format!("/api/v1/events/{}", fair.event);
    let below = app
        .patch(&event_path, Some(&fair.organizer), json!({"capacity": 4}))
        .await;
    below.assert(422);
    assert_eq!(below.fields(), ["capacity"]);
    app.patch(&event_path, Some(&fair.organizer), json!({"capacity": 5}))
        .await
        .assert(200);

    // The same person registering many times at once is registered once.
    let event = running_fair(&app, "second@disnaker.id").await.event;
    let path = format!("/api/v1/events/{event}/registrations");
    let token = &tokens[11];
    let responses = join_all((0..10).map(|_| app.post(&path, Some(token), json!({})))).await;
    assert!(
        responses.iter().all(|r| r.status == 200 || r.status == 201),
        "{responses:?}"
    );
    assert_eq!(responses.iter().filter(|r| r.status == 201).count(), 1);
    let ids: std::collections::BTreeSet<String> = responses.iter().map(|r| r.id()).collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(event_counts(&app, &event), (1, 0));
    app.assert_kept_figures();
}

async fn fifty_simultaneous_scans_record_one_check_in(app: TestApp) {
    let (fair, code) =
        fair_with_seeker(&app, "organizer@disnaker.id", Duration::hours(-1), 1).await;
    let check_ins = format!("/api/v1/events/{}/check-ins", fair.event);
    let scan = json!({ "check_in_code": code });
    let responses =
        join_all((0..50).map(|_| app.post(&check_ins, Some(&fair.organizer), scan.clone()))).await;
    assert!(responses.iter().all(|r| r.status == 200), "{responses:?}");
    let first: Vec<_> = responses
        .iter()
        .filter(|r| r.body["already_checked_in"] == false)
        .collect();
    assert_eq!(first.len(), 1, "exactly one scan checks in");
    let at = &first[0].body["checked_in_at"];
    assert!(responses.iter().all(|r| &r.body["checked_in_at"] == at));
    assert_eq!(event_counts(&app, &fair.event), (1, 1));
    // One audit record, of the scan that counted, sealed or still pending.
    let records = |filter: &str| {
        app.number(&format!(
            "SELECT (SELECT COUNT(*) FROM audit_log WHERE action = 'registration.check_in'{filter}) \
             + (SELECT COUNT(*) FROM audit_pending WHERE action = 'registration.check_in'{filter}) AS n"
        ))
    };
    let id = first[0].body["id"].as_str().unwrap();
    assert_eq!(records(""), 1);
    assert_eq!(records(&format!(" AND entity_id = '{id}'")), 1);
    app.assert_kept_figures();
}

async fn walk_ins_are_found_by_nik_or_recorded_then_checked_in(app: TestApp) {
    let fair = running_fair(&app, "organizer@disnaker.id").await;
    let path = format!("/api/v1/events/{}/walk-ins", fair.event);

    // Someone new: recorded, registered and checked in at once.
    let new = app.post(&path, Some(&fair.organizer), seeker_body(1)).await;
    new.assert(201);
    assert_eq!(new.body["job_seeker_created"], true);
    assert_eq!(new.body["registration_created"], true);
    assert_eq!(new.body["registration"]["already_checked_in"], false);
    assert!(new.body["registration"]["checked_in_at"].is_string());
    assert_eq!(new.body["job_seeker"]["user_id"], Value::Null);
    assert_eq!(new.body["job_seeker"]["nik_last4"], "0001");
    assert!(!new.body.to_string().contains("3174015508950001"));
    let walk_in_id = new.body["job_seeker"]["id"].as_str().unwrap().to_owned();
    assert_eq!(event_counts(&app, &fair.event), (1, 1));

    // The same NIK again: the same person, already in.
    let again = app.post(&path, Some(&fair.organizer), seeker_body(1)).await;
    again.assert(200);
    assert_eq!(again.body["job_seeker_created"], false);
    assert_eq!(again.body["registration_created"], false);
    assert_eq!(again.body["registration"]["already_checked_in"], true);
    assert_eq!(again.body["job_seeker"]["id"], walk_in_id.as_str());
    assert_eq!(app.count("job_seekers"), 1);

    // A registered job seeker who lost their code: found by NIK and checked in.
    let (token, seeker_id) = seeker(&app, 2).await;
    let registration = app
        .post(
            &format!("/api/v1/events/{}/registrations", fair.event),
            Some(&token),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    let found = app.post(&path, Some(&fair.organizer), seeker_body(2)).await;
    found.assert(200);
    assert_eq!(found.body["job_seeker"]["id"], seeker_id.as_str());
    assert_eq!(found.body["job_seeker_created"], false);
    assert_eq!(found.body["registration_created"], false);
    assert_eq!(found.body["registration"]["id"], registration.as_str());
    assert_eq!(found.body["registration"]["already_checked_in"], false);
    assert_eq!(event_counts(&app, &fair.event), (2, 2));

    // Bad input and the wrong callers change nothing.
    let mut bad = seeker_body(3);
    bad["consent"] = json!(false);
    bad["nik"] = json!("12345");
    let refused = app.post(&path, Some(&fair.organizer), bad).await;
    refused.assert(422);
    assert_eq!(refused.fields(), ["nik", "consent"]);
    assert!(!refused.body.to_string().contains("12345"));
    let (_, stranger) = app.user("other@disnaker.id", Role::Organizer).await;
    app.post(&path, Some(&stranger), seeker_body(3))
        .await
        .assert(403);
    app.post(&path, Some(&token), seeker_body(3))
        .await
        .assert(403);
    assert_eq!(app.count("job_seekers"), 2);
    assert_eq!(app.count("registrations"), 2);

    // Not outside the check-in window.
    let upcoming = published_fair(&app, "early@disnaker.id", Duration::hours(48), 8, 100).await;
    let early = app
        .post(
            &format!("/api/v1/events/{}/walk-ins", upcoming.event),
            Some(&upcoming.organizer),
            seeker_body(3),
        )
        .await;
    early.assert(409);
    assert_eq!(early.code(), "outside_check_in_window");
    assert_eq!(app.count("job_seekers"), 2);
    app.assert_kept_figures();
}

/// The fuzzer sent `q=%00%C2%A4` and got a 500: PostgreSQL cannot hold a NUL in text. A search
/// holding a control or bidirectional formatting character is 422 on `q`, as any text field, and
/// as a scanned code holding one is at the door.
async fn control_characters_in_a_search_or_a_code_are_refused_not_a_server_error(app: TestApp) {
    let fair = running_fair(&app, "organizer@disnaker.id").await;
    let (token, _) = seeker(&app, 7).await;
    app.post(
        &format!("/api/v1/events/{}/registrations", fair.event),
        Some(&token),
        json!({}),
    )
    .await
    .assert(201);
    let search = |q: &str| {
        let q = serde_urlencoded::to_string([("q", q)]).unwrap();
        format!("/api/v1/events/{}/registrations?{q}", fair.event)
    };
    for q in ["\0\u{a4}", "Siti\0", "Siti\nRahayu", "\u{202e}Siti"] {
        let resp = app.get(&search(q), Some(&fair.organizer)).await;
        resp.assert(422);
        assert_eq!(resp.code(), "validation_failed");
        assert_eq!(resp.fields(), vec!["q".to_owned()], "{q:?}");
    }
    let resp = app.get(&search(" Rahayu "), Some(&fair.organizer)).await;
    resp.assert(200);
    assert_eq!(resp.body["items"].as_array().unwrap().len(), 1);

    let check_in = format!("/api/v1/events/{}/check-ins", fair.event);
    for code in ["\u{7f}\u{bd}\0", "7KQ2-M9XD\0"] {
        let resp = app
            .post(
                &check_in,
                Some(&fair.organizer),
                json!({"check_in_code": code}),
            )
            .await;
        resp.assert(422);
        assert_eq!(resp.fields(), vec!["check_in_code".to_owned()]);
    }
    assert_eq!(event_counts(&app, &fair.event), (1, 0));
}
