//! The door scanner's server side: the upload of scans (`check-ins/batch`), idempotent by
//! `client_id`; the check-in list with `since`; and check-in codes typed by hand.

use bursa::db::schema::registrations;
use chrono::{DateTime, Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{assert_invalid, assert_no_nik, TestApp};
use crate::db_tests;
use crate::fixtures::{Fair, Seeker};

db_tests!(
    a_batch_answers_each_scan_and_a_replay_counts_nothing_twice,
    simultaneous_replays_of_an_upload_count_once,
    checked_in_at_is_the_scan_time_clamped_into_the_window,
    a_malformed_upload_records_nothing,
    a_closed_door_answers_every_scan_and_stores_none,
    typed_codes_forgive_case_and_look_alikes_and_old_codes_still_work,
    the_check_in_list_pages_and_sends_only_what_changed,
);

/// `n` job seekers registered for the fair through the API: their check-in codes.
async fn registered(app: &TestApp, fair: &Fair, n: u32) -> Vec<String> {
    let mut codes = Vec::new();
    for i in 1..=n {
        let seeker = Seeker::new(
            app,
            &format!("seeker{i}@batch.id"),
            &format!("Siti Rahayu {i}"),
            &format!("{i:04}"),
        )
        .await;
        codes.push(seeker.register(app, &fair.event).await);
    }
    codes
}

fn scan(client_id: &str, code: &str, at: DateTime<Utc>) -> Value {
    json!({"client_id": client_id, "check_in_code": code, "scanned_at": at.to_rfc3339()})
}

async fn upload(app: &TestApp, fair: &Fair, token: &str, scans: Vec<Value>) -> crate::common::Resp {
    app.post(
        &format!("/api/v1/events/{}/check-ins/batch", fair.event),
        Some(token),
        json!({ "scans": scans }),
    )
    .await
}

/// (client_id, status, registration_id) of each result.
fn results(body: &Value) -> Vec<(String, String, Option<String>)> {
    body["results"]
        .as_array()
        .unwrap_or_else(|| panic!("results in {body}"))
        .iter()
        .map(|r| {
            (
                r["client_id"].as_str().unwrap().to_owned(),
                r["status"].as_str().unwrap().to_owned(),
                r["registration_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

fn attendees(app: &TestApp, fair: &Fair) -> i64 {
    app.attendees(&fair.event)
}

fn registration_id(app: &TestApp, code: &str) -> String {
    registrations::table
        .filter(registrations::check_in_code.eq(code))
        .select(registrations::id)
        .first(&mut *app.conn())
        .unwrap()
}

fn checked_in_at(app: &TestApp, code: &str) -> Option<chrono::NaiveDateTime> {
    registrations::table
        .filter(registrations::check_in_code.eq(code))
        .select(registrations::checked_in_at)
        .first(&mut *app.conn())
        .unwrap()
}

fn check_in_records(app: &TestApp) -> i64 {
    app.seal_audit();
    app.number("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'registration.check_in'")
}

async fn a_batch_answers_each_scan_and_a_replay_counts_nothing_twice(app: TestApp) {
    let fair = Fair::by(&app, "organizer@batch.id")
        .running()
        .published()
        .await;
    let codes = registered(&app, &fair, 3).await;
    let staff = fair.organizer.clone();
    // The third person was scanned in at the desk before the upload.
    crate::fixtures::check_in(&app, &fair.event, &staff, &codes[2]).await;
    let now = Utc::now();
    let scans = vec![
        scan("dev1-1", &codes[0], now - Duration::minutes(10)),
        // The same code again under another client_id: the first check-in stands.
        scan("dev1-2", &codes[0], now - Duration::minutes(9)),
        scan("dev1-3", "NOT0-A0CO-DE00-0000", now - Duration::minutes(8)),
        scan(
            "dev1-4",
            &codes[1].to_lowercase(),
            now - Duration::minutes(7),
        ),
        scan("dev1-5", &codes[2], now - Duration::minutes(6)),
    ];
    let first = upload(&app, &fair, &staff, scans.clone()).await;
    first.assert(200);
    let ids = [
        registration_id(&app, &codes[0]),
        registration_id(&app, &codes[1]),
        registration_id(&app, &codes[2]),
    ];
    let r = |id: &str, status: &str, reg: Option<&String>| {
        (id.to_owned(), status.to_owned(), reg.cloned())
    };
    assert_eq!(
        results(&first.body),
        [
            r("dev1-1", "checked_in", Some(&ids[0])),
            r("dev1-2", "already_checked_in", Some(&ids[0])),
            r("dev1-3", "not_found", None),
            r("dev1-4", "checked_in", Some(&ids[1])),
            r("dev1-5", "already_checked_in", Some(&ids[2])),
        ]
    );
    assert_eq!(attendees(&app, &fair), 3);
    assert_eq!(check_in_records(&app), 3);
    assert_eq!(app.count("door_scans"), 5);
    app.assert_kept_figures();

    // The same upload again (a lost answer, a retry): the same answers, nothing counted again.
    let replay = upload(&app, &fair, &staff, scans.clone()).await;
    replay.assert(200);
    assert_eq!(replay.body, first.body);
    assert_eq!(attendees(&app, &fair), 3);
    assert_eq!(check_in_records(&app), 3);
    assert_eq!(app.count("door_scans"), 5);

    // A replayed client_id keeps its first answer even beside new scans, in one upload; a
    // client_id given twice in one upload is answered once.
    let mixed = upload(
        &app,
        &fair,
        &staff,
        vec![
            scan("dev1-1", &codes[0], now),
            scan("dev2-1", &codes[0], now),
            scan("dev2-1", &codes[1], now),
        ],
    )
    .await;
    mixed.assert(200);
    assert_eq!(
        results(&mixed.body),
        [
            r("dev1-1", "checked_in", Some(&ids[0])),
            r("dev2-1", "already_checked_in", Some(&ids[0])),
            r("dev2-1", "already_checked_in", Some(&ids[0])),
        ]
    );
    assert_eq!(attendees(&app, &fair), 3);
    assert_eq!(app.count("door_scans"), 6);

    // The figures agree with a recount, and the metrics route says the same.
    app.assert_kept_figures();
    let metrics = app
        .get(
            &format!("/api/v1/events/{}/metrics", fair.event),
            Some(&staff),
        )
        .await;
    metrics.assert(200);
    assert!(
        metrics.body.to_string().contains("\"attendees\":3"),
        "{}",
        metrics.body
    );

    // Only the fair's staff upload: 403 for another organizer, 401 without a token.
    let other = Fair::by(&app, "organizer@other.id")
        .running()
        .published()
        .await;
    upload(
        &app,
        &fair,
        &other.organizer,
        vec![scan("x", &codes[0], now)],
    )
    .await
    .assert(403);
    upload(&app, &fair, "", vec![]).await.assert(401);
}

async fn simultaneous_replays_of_an_upload_count_once(app: TestApp) {
    let fair = Fair::by(&app, "organizer@batch.id")
        .running()
        .published()
        .await;
    let codes = registered(&app, &fair, 2).await;
    let now = Utc::now();
    let scans = vec![
        scan("gate-1", &codes[0], now),
        scan("gate-2", &codes[1], now),
    ];
    // A device that retries before its first upload was answered, several times at once.
    let answers = futures_util::future::join_all(
        (0..6).map(|_| upload(&app, &fair, &fair.organizer, scans.clone())),
    )
    .await;
    for answer in &answers {
        answer.assert(200);
        let statuses: Vec<String> = results(&answer.body).into_iter().map(|r| r.1).collect();
        assert_eq!(statuses, ["checked_in", "checked_in"], "{}", answer.body);
    }
    assert_eq!(attendees(&app, &fair), 2);
    assert_eq!(check_in_records(&app), 2);
    assert_eq!(app.count("door_scans"), 2);
    app.assert_kept_figures();
}

async fn checked_in_at_is_the_scan_time_clamped_into_the_window(app: TestApp) {
    let fair = Fair::by(&app, "organizer@batch.id")
        .running()
        .published()
        .await;
    let codes = registered(&app, &fair, 3).await;
    let before = bursa::db::now();
    let now = Utc::now();
    let within = bursa::validate::to_db_time(now - Duration::minutes(30));
    let resp = upload(
        &app,
        &fair,
        &fair.organizer,
        vec![
            // A device clock an hour fast: never later than the server's now.
            scan("a", &codes[0], now + Duration::hours(1)),
            // Three days early, before the window opened: its opening.
            scan("b", &codes[1], now - Duration::days(3)),
            scan("c", &codes[2], within.and_utc()),
        ],
    )
    .await;
    resp.assert(200);
    let after = bursa::db::now();
    let statuses: Vec<String> = results(&resp.body).into_iter().map(|r| r.1).collect();
    assert_eq!(statuses, ["checked_in", "checked_in", "checked_in"]);

    let fast = checked_in_at(&app, &codes[0]).unwrap();
    assert!(
        before <= fast && fast <= after,
        "{fast} not in {before}..{after}"
    );
    let opens = bursa::validate::to_db_time(fair.starts_at - Duration::hours(24));
    let early = checked_in_at(&app, &codes[1]).unwrap();
    assert!(
        (early - opens).num_milliseconds().abs() < 1,
        "{early} vs {opens}"
    );
    assert_eq!(checked_in_at(&app, &codes[2]), Some(within));
    app.assert_kept_figures();
}

async fn a_malformed_upload_records_nothing(app: TestApp) {
    let fair = Fair::by(&app, "organizer@batch.id")
        .running()
        .published()
        .await;
    let codes = registered(&app, &fair, 1).await;
    let now = Utc::now();
    let staff = fair.organizer.clone();

    // 501 scans: 422 for the whole upload.
    let many: Vec<Value> = (0..501)
        .map(|i| scan(&format!("{i}"), &codes[0], now))
        .collect();
    let resp = upload(&app, &fair, &staff, many).await;
    assert_invalid(&resp, "scans");
    // 500 are fine.
    let most: Vec<Value> = (0..500).map(|i| scan(&format!("{i}"), "X", now)).collect();
    let resp = upload(&app, &fair, &staff, most).await;
    resp.assert(200);
    assert_eq!(resp.body["results"].as_array().unwrap().len(), 500);
    assert_eq!(app.count("door_scans"), 500);

    // Any bad scan: 422 naming it, and none of the good ones is recorded.
    let resp = upload(
        &app,
        &fair,
        &staff,
        vec![
            scan("good", &codes[0], now),
            json!({"check_in_code": codes[0], "scanned_at": now.to_rfc3339()}),
            json!({"client_id": "x".repeat(65), "check_in_code": codes[0], "scanned_at": "yesterday"}),
        ],
    )
    .await;
    assert_eq!(resp.status, 422, "{}", resp.body);
    let mut fields = resp.fields();
    fields.sort();
    assert_eq!(
        fields,
        [
            "scans[1].client_id",
            "scans[2].client_id",
            "scans[2].scanned_at"
        ]
    );
    let resp = app
        .post(
            &format!("/api/v1/events/{}/check-ins/batch", fair.event),
            Some(&staff),
            json!({}),
        )
        .await;
    assert_invalid(&resp, "scans");
    let resp = app
        .post(
            &format!("/api/v1/events/{}/check-ins/batch", fair.event),
            Some(&staff),
            json!({"scans": [], "extra": 1}),
        )
        .await;
    assert_eq!(resp.status, 422, "{}", resp.body);
    let resp = app
        .raw(
            actix_web::http::Method::POST,
            &format!("/api/v1/events/{}/check-ins/batch", fair.event),
            &[
                ("content-type", "text/plain"),
                ("authorization", &format!("Bearer {staff}")),
            ],
            b"{}".to_vec(),
        )
        .await;
    assert_eq!(resp.status, 415, "{}", resp.body);
    assert_eq!(app.count("door_scans"), 500);
    assert_eq!(attendees(&app, &fair), 0);
    assert_eq!(checked_in_at(&app, &codes[0]), None);
}

async fn a_closed_door_answers_every_scan_and_stores_none(app: TestApp) {
    // Too early: the fair starts in three days.
    let upcoming = Fair::by(&app, "organizer@batch.id")
        .starting(Utc::now() + Duration::days(3), 8)
        .published()
        .await;
    let codes = registered(&app, &upcoming, 1).await;
    let now = Utc::now();
    let resp = upload(
        &app,
        &upcoming,
        &upcoming.organizer,
        vec![scan("a", &codes[0], now)],
    )
    .await;
    resp.assert(200);
    assert_eq!(results(&resp.body)[0].1, "outside_check_in_window");

    // Closed: the fair takes no check-ins.
    let fair = upcoming.another(&app).running().published().await;
    let code = Seeker::new(&app, "late@batch.id", "Rina Sari", "0099")
        .await
        .register(&app, &fair.event)
        .await;
    app.post(
        &format!("/api/v1/events/{}/close", fair.event),
        Some(&fair.organizer),
        json!({"spent_idr": 1000, "notes": "done"}),
    )
    .await
    .assert(200);
    let resp = upload(&app, &fair, &fair.organizer, vec![scan("a", &code, now)]).await;
    resp.assert(200);
    assert_eq!(results(&resp.body)[0].1, "event_not_open");
    assert_eq!(app.count("door_scans"), 0);
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM registrations WHERE checked_in_at IS NOT NULL"),
        0
    );
}

async fn typed_codes_forgive_case_and_look_alikes_and_old_codes_still_work(app: TestApp) {
    let fair = Fair::by(&app, "organizer@batch.id")
        .running()
        .published()
        .await;
    let codes = registered(&app, &fair, 3).await;
    // New codes: 16 Crockford base32 characters in groups of four.
    for code in &codes {
        assert_eq!(code.len(), 19, "{code}");
        assert!(code
            .chars()
            .all(|c| c == '-' || "0123456789ABCDEFGHJKMNPQRSTVWXYZ".contains(c)));
    }
    // Give two registrations codes with ones and zeros, and one an old base64url code.
    let set_code = |from: &str, to: &str| {
        diesel::update(registrations::table.filter(registrations::check_in_code.eq(from)))
            .set(registrations::check_in_code.eq(to))
            .execute(&mut *app.conn())
            .unwrap();
    };
    set_code(&codes[0], "10AB-CD10-EF23-GH45");
    set_code(&codes[1], "01XY-Z0Z1-MN67-PQ89");
    let old = "q3Xv0b9kT2mZ8yLw4N-_1A";
    set_code(&codes[2], old);
    let check_ins = format!("/api/v1/events/{}/check-ins", fair.event);

    // Typed by hand: lower case, no hyphens, I and L for 1, O for 0, stray spaces.
    let typed = app
        .post(
            &check_ins,
            Some(&fair.organizer),
            json!({"check_in_code": " iOab cdlo efz3gh45 "}),
        )
        .await;
    typed.assert(404);
    let typed = app
        .post(
            &check_ins,
            Some(&fair.organizer),
            json!({"check_in_code": " iOab cdlo ef23gh45 "}),
        )
        .await;
    typed.assert(200);
    assert_eq!(typed.body["check_in_code"], "10AB-CD10-EF23-GH45");
    let batch = upload(
        &app,
        &fair,
        &fair.organizer,
        vec![
            scan("t-1", "oixy-zozi-mn67-pq89", Utc::now()),
            // An old code, exactly as its QR code carries it.
            scan("t-2", old, Utc::now()),
        ],
    )
    .await;
    batch.assert(200);
    let statuses: Vec<String> = results(&batch.body).into_iter().map(|r| r.1).collect();
    assert_eq!(statuses, ["checked_in", "checked_in"]);
    assert_eq!(attendees(&app, &fair), 3);

    // The list's hash is the SHA-256 of the normalized code, as the scanner computes it.
    let list = app
        .get(
            &format!("/api/v1/events/{}/check-in-list", fair.event),
            Some(&fair.organizer),
        )
        .await;
    list.assert(200);
    let hashes: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["code_hash"].as_str().unwrap())
        .collect();
    let sha = |s: &str| -> String {
        Sha256::digest(s.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    for normalized in [
        "10ABCD10EF23GH45",
        "01XYZ0Z1MN67PQ89",
        "Q3XV0B9KT2MZ8Y1W4N_1A",
    ] {
        assert!(hashes.contains(&sha(normalized).as_str()), "{normalized}");
    }
    app.assert_kept_figures();
}

async fn the_check_in_list_pages_and_sends_only_what_changed(app: TestApp) {
    let fair = Fair::by(&app, "organizer@batch.id")
        .running()
        .published()
        .await;
    let codes = registered(&app, &fair, 3).await;
    let path = format!("/api/v1/events/{}/check-in-list", fair.event);

    // The whole list, in pages of two.
    let first = app
        .get(&format!("{path}?limit=2"), Some(&fair.organizer))
        .await;
    first.assert(200);
    assert_no_nik(&first);
    let entry = &first.body["items"][0];
    let mut keys: Vec<&String> = entry.as_object().unwrap().keys().collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "changed_at",
            "checked_in",
            "checked_in_at",
            "code_hash",
            "display_name",
            "registration_id"
        ]
    );
    assert_eq!(entry["display_name"], "Siti R.");
    assert_eq!(entry["checked_in"], false);
    let cursor = first.body["next_cursor"].as_str().expect("a next page");
    let second = app
        .get(
            &format!("{path}?limit=2&cursor={cursor}"),
            Some(&fair.organizer),
        )
        .await;
    second.assert(200);
    assert_eq!(second.body["items"].as_array().unwrap().len(), 1);
    assert!(second.body["next_cursor"].is_null());
    app.get(&format!("{path}?limit=5001"), Some(&fair.organizer))
        .await
        .assert(422);
    app.get(&format!("{path}?since=yesterday"), Some(&fair.organizer))
        .await
        .assert(422);

    // The registrations changed an hour ago; the scanner synced since.
    let an_hour_ago = bursa::db::now() - Duration::hours(1);
    diesel::update(registrations::table.filter(registrations::event_id.eq(&fair.event)))
        .set(registrations::updated_at.eq(an_hour_ago))
        .execute(&mut *app.conn())
        .unwrap();
    let synced = app.get(&path, Some(&fair.organizer)).await;
    synced.assert(200);
    assert_eq!(synced.body["items"].as_array().unwrap().len(), 3);
    let as_of = synced.body["as_of"].as_str().unwrap().to_owned();
    let since = format!("{path}?since={}", as_of.replace('+', "%2B"));
    let nothing = app.get(&since, Some(&fair.organizer)).await;
    nothing.assert(200);
    assert_eq!(nothing.body["items"].as_array().unwrap().len(), 0);

    // One person checks in, a new one registers: only they come.
    crate::fixtures::check_in(&app, &fair.event, &fair.organizer, &codes[1]).await;
    let newcomer = Seeker::new(&app, "new@batch.id", "Dewi Lestari", "0042").await;
    newcomer.register(&app, &fair.event).await;
    let changed = app.get(&since, Some(&fair.organizer)).await;
    changed.assert(200);
    let items = changed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", changed.body);
    assert_eq!(
        items[0]["registration_id"],
        registration_id(&app, &codes[1]).as_str()
    );
    assert_eq!(items[0]["checked_in"], true);
    assert!(items[0]["checked_in_at"].is_string());
    assert_eq!(items[1]["display_name"], "Dewi L.");
    assert_eq!(items[1]["checked_in"], false);

    // Readers: the fair's staff and its passes; not ministry staff, not another organizer.
    let (_, ministry) = app
        .user("ministry@batch.id", bursa::auth::Role::Ministry)
        .await;
    app.get(&path, Some(&ministry)).await.assert(403);
    let other = Fair::by(&app, "organizer@other.id")
        .running()
        .published()
        .await;
    app.get(&path, Some(&other.organizer)).await.assert(403);
    app.get(&path, None).await.assert(401);
}
