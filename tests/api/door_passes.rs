//! Door passes: a token for a scanner device at one fair, shown once and stored hashed, that
//! opens that fair's check-in list, check-ins and walk-ins and nothing else, until the fair's
//! check-in window closes or it is revoked.

use bursa::db::schema::{audit_log, door_passes, events};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::common::{assert_no_nik, TestApp};
use crate::db_tests;
use crate::fixtures::{profile, with, Fair, Seeker};

db_tests!(
    a_pass_is_shown_once_and_stored_as_a_hash,
    only_the_fairs_staff_issue_list_and_revoke_passes,
    a_pass_works_the_door_of_its_own_fair_and_nothing_else,
    a_revoked_or_expired_pass_is_refused,
);

fn hex_sha256(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The organizer issues a pass labelled `label` for the fair: the answer (201).
async fn issue(app: &TestApp, fair: &Fair, label: &str) -> Value {
    app.post(
        &format!("/api/v1/events/{}/door-passes", fair.event),
        Some(&fair.organizer),
        json!({ "label": label }),
    )
    .await
    .assert(201)
    .body
    .clone()
}

fn token(pass: &Value) -> String {
    pass["token"].as_str().expect("a token").to_owned()
}

/// The audit actions recorded for `entity_id`, oldest first, with their actor.
fn audit_of(app: &TestApp, entity_id: &str) -> Vec<(String, Option<String>, String)> {
    app.seal_audit();
    audit_log::table
        .filter(audit_log::entity_id.eq(entity_id))
        .order(audit_log::seq.asc())
        .select((
            audit_log::action,
            audit_log::actor_user_id,
            audit_log::changes,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

async fn a_pass_is_shown_once_and_stored_as_a_hash(app: TestApp) {
    let fair = Fair::by(&app, "organizer@door.id")
        .running()
        .published()
        .await;
    let pass = issue(&app, &fair, "Gate A tablet").await;
    let token = token(&pass);
    assert!(token.starts_with("bdp_"), "{token}");
    assert!(token.len() >= 4 + 43, "256 random bits: {token}");
    assert!(pass["qr_svg"].as_str().unwrap().contains("<svg"));
    assert_eq!(pass["label"], "Gate A tablet");
    assert_eq!(pass["status"], "active");
    assert_eq!(pass["event_id"], fair.event.as_str());
    assert_eq!(pass["created_by"], fair.organizer_id.as_str());
    // It expires when the check-in window closes: 24 hours after the event ends.
    let expires: chrono::DateTime<Utc> = pass["expires_at"].as_str().unwrap().parse().unwrap();
    let off = expires - (fair.ends_at + Duration::hours(24));
    assert!(off.num_milliseconds().abs() < 1, "{expires}");

    // Only the hash is stored.
    let (id, hash): (String, String) = door_passes::table
        .select((door_passes::id, door_passes::token_hash))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(id, pass["id"].as_str().unwrap());
    assert_eq!(hash, hex_sha256(&token));
    let raw = token.trim_start_matches("bdp_");
    let stored_anywhere = app.number(&format!(
        "SELECT COUNT(*) AS n FROM door_passes WHERE token_hash LIKE '%{raw}%' OR label LIKE '%{raw}%'"
    ));
    assert_eq!(stored_anywhere, 0);
    let audited = audit_of(&app, &id);
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].0, "door_pass.create");
    assert_eq!(audited[0].1.as_deref(), Some(fair.organizer_id.as_str()));
    assert!(!audited[0].2.contains(raw));
    // The organizer reads it in the event's audit trail.
    let trail = app
        .get(
            &format!("/api/v1/audit?event_id={}&entity=door_pass", fair.event),
            Some(&fair.organizer),
        )
        .await;
    trail.assert(200);
    assert_eq!(trail.body["items"][0]["action"], "door_pass.create");
    assert_eq!(trail.body["items"].as_array().unwrap().len(), 1);

    // The list never shows the token again.
    let list = app
        .get(
            &format!("/api/v1/events/{}/door-passes", fair.event),
            Some(&fair.organizer),
        )
        .await;
    list.assert(200);
    assert_eq!(list.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(list.body["items"][0]["id"], id.as_str());
    assert_eq!(list.body["items"][0]["status"], "active");
    assert!(list.body["items"][0].get("token").is_none());
    assert!(!list.body.to_string().contains(raw));
}

async fn only_the_fairs_staff_issue_list_and_revoke_passes(app: TestApp) {
    let fair = Fair::by(&app, "organizer@door.id")
        .running()
        .published()
        .await;
    let other = Fair::by(&app, "organizer@elsewhere.id")
        .running()
        .published()
        .await;
    let seeker = Seeker::new(&app, "siti@door.id", "Siti Rahayu", "0001").await;
    let passes = format!("/api/v1/events/{}/door-passes", fair.event);
    let body = json!({"label": "Gate A"});

    app.post(&passes, None, body.clone()).await.assert(401);
    app.post(&passes, Some(&other.organizer), body.clone())
        .await
        .assert(403);
    app.post(&passes, Some(&seeker.token), body.clone())
        .await
        .assert(403);
    app.get(&passes, Some(&other.organizer)).await.assert(403);
    let missing = app.post(&passes, Some(&fair.organizer), json!({})).await;
    crate::common::assert_invalid(&missing, "label");
    let long = app
        .post(
            &passes,
            Some(&fair.organizer),
            json!({"label": "x".repeat(81)}),
        )
        .await;
    crate::common::assert_invalid(&long, "label");
    assert_eq!(app.count("door_passes"), 0);

    let pass = issue(&app, &fair, "Gate A").await;
    let revoke = format!(
        "/api/v1/door-passes/{}/revoke",
        pass["id"].as_str().unwrap()
    );
    app.post(&revoke, Some(&other.organizer), json!({}))
        .await
        .assert(403);
    app.post(&revoke, Some(&seeker.token), json!({}))
        .await
        .assert(403);
    // A pass cannot issue or revoke passes: it is not a user's token.
    let bdp = token(&pass);
    app.post(&passes, Some(&bdp), body.clone())
        .await
        .assert(401);
    app.post(&revoke, Some(&bdp), json!({})).await.assert(401);
    app.post(
        &format!("/api/v1/door-passes/{}/revoke", uuid::Uuid::new_v4()),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(404);
    assert_eq!(app.count("door_passes"), 1);

    // An admin may run any door.
    let admin = app.admin_token().await;
    app.post(&passes, Some(&admin), body).await.assert(201);
}

async fn a_pass_works_the_door_of_its_own_fair_and_nothing_else(app: TestApp) {
    let fair = Fair::by(&app, "organizer@door.id")
        .running()
        .published()
        .await;
    let other = fair.another(&app).running().published().await;
    let siti = Seeker::new(&app, "siti@door.id", "Siti Rahayu", "0001").await;
    let dewi = Seeker::new(&app, "dewi@door.id", "Dewi Lestari", "0002").await;
    let siti_code = siti.register(&app, &fair.event).await;
    let dewi_code = dewi.register(&app, &fair.event).await;
    let elsewhere_code = siti.register(&app, &other.event).await;
    let pass = issue(&app, &fair, "Gate A").await;
    let bdp = token(&pass);
    let pass_id = pass["id"].as_str().unwrap().to_owned();
    let ev = format!("/api/v1/events/{}", fair.event);

    // The check-in list: hashes and short names, no NIK, no contact data, no codes.
    let list = app.get(&format!("{ev}/check-in-list"), Some(&bdp)).await;
    list.assert(200);
    assert_no_nik(&list);
    let text = list.body.to_string();
    assert!(
        !text.contains(&siti_code) && !text.contains(&dewi_code),
        "{text}"
    );
    for word in ["email", "phone", "birth", "full_name"] {
        assert!(!text.contains(word), "{word} in {text}");
    }
    let names: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["display_name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["Siti R.", "Dewi L."]);

    // A scan: checked in by the pass, recorded under its issuer, the pass named in the audit.
    let scan = app
        .post(
            &format!("{ev}/check-ins"),
            Some(&bdp),
            json!({ "check_in_code": siti_code }),
        )
        .await;
    scan.assert(200);
    assert_eq!(scan.body["already_checked_in"], false);
    assert_eq!(scan.body["checked_in_by"], fair.organizer_id.as_str());
    let registration = scan.body["id"].as_str().unwrap().to_owned();
    let audited = audit_of(&app, &registration);
    let check_in = audited
        .iter()
        .find(|(action, _, _)| action == "registration.check_in")
        .expect("a check-in record");
    assert_eq!(check_in.1.as_deref(), Some(fair.organizer_id.as_str()));
    let changes: Value = serde_json::from_str(&check_in.2).unwrap();
    assert_eq!(changes["door_pass_id"], pass_id.as_str());

    // An upload of scans.
    let batch = app
        .post(
            &format!("{ev}/check-ins/batch"),
            Some(&bdp),
            json!({"scans": [{"client_id": "a-1", "check_in_code": dewi_code,
                               "scanned_at": Utc::now().to_rfc3339()}]}),
        )
        .await;
    batch.assert(200);
    assert_eq!(batch.body["results"][0]["status"], "checked_in");
    let (recorded_by, door_pass): (String, Option<String>) = bursa::db::schema::door_scans::table
        .select((
            bursa::db::schema::door_scans::recorded_by,
            bursa::db::schema::door_scans::door_pass_id,
        ))
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(recorded_by, fair.organizer_id);
    assert_eq!(door_pass.as_deref(), Some(pass_id.as_str()));

    // A walk-in: the answer holds the profile's summary only, never its contact data.
    let walk_in = app
        .post(
            &format!("{ev}/walk-ins"),
            Some(&bdp),
            with(
                &profile("Ani Wijaya", "0003"),
                json!({"phone": "081234567890", "email": "ani@mail.id"}),
            ),
        )
        .await;
    walk_in.assert(201);
    assert_eq!(walk_in.body["job_seeker_created"], true);
    let walk_text = walk_in.body["job_seeker"].to_string();
    assert!(!walk_text.contains("081234567890") && !walk_text.contains("ani@mail.id"));
    assert!(walk_in.body["job_seeker"].get("birth_date").is_none());

    assert_eq!(app.attendees(&fair.event), 3);
    app.assert_kept_figures();

    // Another fair of the same organizer: 403 on every door route.
    let oth = format!("/api/v1/events/{}", other.event);
    let now = Utc::now().to_rfc3339();
    app.get(&format!("{oth}/check-in-list"), Some(&bdp))
        .await
        .assert(403);
    app.post(
        &format!("{oth}/check-ins"),
        Some(&bdp),
        json!({ "check_in_code": elsewhere_code }),
    )
    .await
    .assert(403);
    app.post(
        &format!("{oth}/check-ins/batch"),
        Some(&bdp),
        json!({"scans": [{"client_id": "b-1", "check_in_code": elsewhere_code, "scanned_at": now}]}),
    )
    .await
    .assert(403);
    app.post(
        &format!("{oth}/walk-ins"),
        Some(&bdp),
        profile("Rina Sari", "0004"),
    )
    .await
    .assert(403);

    // Everything else: 401, it is not a user's token.
    for path in [
        "/api/v1/me".to_owned(),
        ev.clone(),
        format!("{ev}/registrations"),
        format!("{ev}/door-passes"),
        format!("{ev}/metrics"),
        format!("/api/v1/registrations/{registration}/qr.svg"),
        format!("/api/v1/job-seekers/{}", siti.id),
        "/api/v1/audit".to_owned(),
    ] {
        let resp = app.get(&path, Some(&bdp)).await;
        assert_eq!(resp.status, 401, "{path}: {}", resp.body);
        assert_eq!(resp.code(), "invalid_token");
    }
    app.post(
        &format!("{ev}/registrations"),
        Some(&bdp),
        json!({"job_seeker_id": dewi.id}),
    )
    .await
    .assert(401);
    // Nothing of the other fair moved.
    assert_eq!(app.attendees(&other.event), 0);
}

async fn a_revoked_or_expired_pass_is_refused(app: TestApp) {
    let fair = Fair::by(&app, "organizer@door.id")
        .running()
        .published()
        .await;
    let siti = Seeker::new(&app, "siti@door.id", "Siti Rahayu", "0001").await;
    let code = siti.register(&app, &fair.event).await;
    let list = format!("/api/v1/events/{}/check-in-list", fair.event);
    let scan = format!("/api/v1/events/{}/check-ins", fair.event);

    // Revoked: 401 door_pass_revoked from the next request on; revoking again changes nothing.
    let pass = issue(&app, &fair, "Gate A").await;
    let bdp = token(&pass);
    let id = pass["id"].as_str().unwrap();
    app.get(&list, Some(&bdp)).await.assert(200);
    let revoke = format!("/api/v1/door-passes/{id}/revoke");
    let revoked = app.post(&revoke, Some(&fair.organizer), json!({})).await;
    revoked.assert(200);
    assert_eq!(revoked.body["status"], "revoked");
    assert_eq!(revoked.body["revoked_by"], fair.organizer_id.as_str());
    let refused = app.get(&list, Some(&bdp)).await;
    refused.assert(401);
    assert_eq!(refused.code(), "door_pass_revoked");
    let refused = app
        .post(&scan, Some(&bdp), json!({ "check_in_code": code }))
        .await;
    refused.assert(401);
    assert_eq!(refused.code(), "door_pass_revoked");
    app.post(&revoke, Some(&fair.organizer), json!({}))
        .await
        .assert(200);
    let actions: Vec<String> = audit_of(&app, id).into_iter().map(|a| a.0).collect();
    assert_eq!(actions, ["door_pass.create", "door_pass.revoke"]);

    // A made-up pass is no pass.
    let forged = app.get(&list, Some("bdp_not-a-real-token")).await;
    forged.assert(401);
    assert_eq!(forged.code(), "invalid_token");

    // Expired: the event ended more than 24 hours ago, so its check-in window has closed.
    let pass = issue(&app, &fair, "Gate B").await;
    let bdp = token(&pass);
    app.get(&list, Some(&bdp)).await.assert(200);
    let ended = bursa::db::now() - Duration::hours(25);
    diesel::update(events::table.find(&fair.event))
        .set((
            events::starts_at.eq(ended - Duration::hours(8)),
            events::ends_at.eq(ended),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    let expired = app.get(&list, Some(&bdp)).await;
    expired.assert(401);
    assert_eq!(expired.code(), "door_pass_expired");
    let expired = app
        .post(&scan, Some(&bdp), json!({ "check_in_code": code }))
        .await;
    expired.assert(401);
    assert_eq!(expired.code(), "door_pass_expired");
    assert_eq!(app.count("door_scans"), 0);
    let checked_in =
        app.number("SELECT COUNT(*) AS n FROM registrations WHERE checked_in_at IS NOT NULL");
    assert_eq!(checked_in, 0);

    // The list says so; and no new pass is issued after the window.
    let passes = app
        .get(
            &format!("/api/v1/events/{}/door-passes", fair.event),
            Some(&fair.organizer),
        )
        .await;
    let statuses: Vec<&str> = passes.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["status"].as_str().unwrap())
        .collect();
    assert_eq!(statuses, ["revoked", "expired"]);
    let late = app
        .post(
            &format!("/api/v1/events/{}/door-passes", fair.event),
            Some(&fair.organizer),
            json!({"label": "Gate C"}),
        )
        .await;
    crate::common::assert_conflict(&late, "check_in_window_closed");
}
