//! Accounts under attack (issue 11): a role change or a disabled account holds from the next
//! request; login throttling that the right password passes; per-address limits before any
//! hashing; a bounded throttle table; no empty emails; member additions that reveal nothing.

use std::sync::Arc;

use bursa::auth::throttle::AddressLimits;
use bursa::auth::Role;
use bursa::db::schema::login_throttles;
use chrono::{Duration, NaiveDateTime, Utc};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{event_body, TestApp, PASSWORD};
use crate::db_tests;

db_tests!(
    a_demoted_organizer_loses_every_power_on_the_next_request,
    a_disabled_users_tokens_fail_at_once,
    the_right_password_passes_once_the_short_delay_ran_out,
    each_address_has_a_budget_checked_before_any_hashing,
    unknown_emails_leave_no_throttle_rows,
    registration_needs_a_non_empty_email,
    adding_a_member_reveals_nothing_about_other_accounts,
);

fn login_body(email: &str, password: &str) -> Value {
    json!({"email": email, "password": password})
}

/// The fields of an error that may tell one refusal from another (not the request id).
fn refusal(resp: &crate::common::Resp) -> (u16, Value, Value, Value) {
    (
        resp.status,
        resp.body["error"]["code"].clone(),
        resp.body["error"]["message"].clone(),
        resp.body["error"]["details"].clone(),
    )
}

async fn a_demoted_organizer_loses_every_power_on_the_next_request(app: TestApp) {
    let admin = app.admin_token().await;
    let (organizer_id, organizer) = app.user("dinas@disnaker.id", Role::Organizer).await;
    let refresh = app.login("dinas@disnaker.id").await["refresh_token"].clone();
    let org = app.organization(&organizer, "organizer").await;
    let draft = app.event(&organizer, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let mut body = event_body(&org);
    let start = Utc::now() - Duration::hours(1);
    body["title"] = json!("Running fair");
    body["starts_at"] = json!(start.to_rfc3339());
    body["ends_at"] = json!((start + Duration::hours(8)).to_rfc3339());
    let event = app
        .post("/api/v1/events", Some(&organizer), body)
        .await
        .assert(201)
        .id();
    app.post(
        &format!("/api/v1/events/{event}/publish"),
        Some(&organizer),
        json!({}),
    )
    .await
    .assert(200);
    let (_, seeker) = app.user("siti@mail.id", Role::JobSeeker).await;
    app.post(
        "/api/v1/job-seekers",
        Some(&seeker),
        json!({
            "full_name": "Siti Rahayu", "nik": "3174015508950001", "birth_date": "1995-08-15",
            "gender": "female", "education_level": "smk", "province_code": "31",
            "city": "Jakarta Timur", "disability": false, "consent": true
        }),
    )
    .await
    .assert(201);
    let code = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            Some(&seeker),
            json!({}),
        )
        .await
        .assert(201)
        .body["check_in_code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.user("rekan@disnaker.id", Role::Organizer).await;

    let registrations = format!("/api/v1/events/{event}/registrations");
    let listed = app.get(&registrations, Some(&organizer)).await;
    listed.assert(200);
    assert_eq!(listed.body["items"][0]["check_in_code"], code.as_str());

    // The admin makes the organizer a job seeker.
    app.patch(
        &format!("/api/v1/users/{organizer_id}"),
        Some(&admin),
        json!({"role": "job_seeker"}),
    )
    .await
    .assert(200);

    let attempts = |token: String| {
        let app = &app;
        let (registrations, event, code, org) = (&registrations, &event, &code, &org);
        async move {
            vec![
                app.get(registrations, Some(&token)).await,
                app.patch(
                    &format!("/api/v1/events/{event}"),
                    Some(&token),
                    json!({"title": "Taken over"}),
                )
                .await,
                app.post(
                    &format!("/api/v1/events/{event}/check-ins"),
                    Some(&token),
                    json!({"check_in_code": code}),
                )
                .await,
                app.get(
                    &format!("/api/v1/events/{event}/placements/export?format=csv"),
                    Some(&token),
                )
                .await,
                app.post(
                    &format!("/api/v1/organizations/{org}/members"),
                    Some(&token),
                    json!({"email": "rekan@disnaker.id", "role": "owner"}),
                )
                .await,
            ]
        }
    };

    // The token held before the change stops working at once, for reads and writes.
    for resp in attempts(organizer.clone()).await {
        resp.assert(401);
        assert_eq!(resp.code(), "invalid_token");
        assert!(!resp.body.to_string().contains(&code));
    }
    // The busiest routes (reading an event, scanning a ticket) read the account in their own
    // database call: the same refusal, also for an event the organizer ran as a draft.
    // They read the account in the query that reads the event: the same 401 whether the event
    // is public, missing or not an id at all.
    let missing = uuid::Uuid::new_v4();
    for path in [
        format!("/api/v1/events/{draft}"),
        format!("/api/v1/events/{event}"),
        format!("/api/v1/events/{missing}"),
        "/api/v1/events/not-an-id".to_owned(),
    ] {
        let read = app.get(&path, Some(&organizer)).await;
        read.assert(401);
        assert_eq!(read.code(), "invalid_token", "{path}");
    }
    for path in [
        format!("/api/v1/events/{missing}/check-ins"),
        "/api/v1/events/not-an-id/check-ins".to_owned(),
    ] {
        let scan = app
            .post(&path, Some(&organizer), json!({"check_in_code": code}))
            .await;
        scan.assert(401);
        assert_eq!(scan.code(), "invalid_token", "{path}");
    }
    assert_eq!(
        app.number("SELECT count(*) AS n FROM registrations WHERE checked_in_at IS NOT NULL"),
        0
    );
    // Signed in again, they act as the job seeker they now are: none of it is theirs.
    let fresh = app.login("dinas@disnaker.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let statuses: Vec<u16> = attempts(fresh.clone())
        .await
        .iter()
        .inspect(|resp| assert!(!resp.body.to_string().contains(&code), "{}", resp.body))
        .map(|resp| resp.status)
        .collect();
    assert_eq!(statuses, [403, 403, 403, 403, 403]);
    // Their drafts are hidden again, and `/me` names no organization.
    app.get(&format!("/api/v1/events/{draft}"), Some(&fresh))
        .await
        .assert(404);
    let me = app.get("/api/v1/me", Some(&fresh)).await;
    me.assert(200);
    assert_eq!(me.body["role"], "job_seeker");
    assert_eq!(me.body["organizations"], json!([]));
    // The sign-in itself survives a role change: a refresh gives a token of the new role.
    let renewed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    renewed.assert(200);
    let renewed = renewed.body["access_token"].as_str().unwrap().to_owned();
    app.get(&registrations, Some(&renewed)).await.assert(403);

    // Nothing changed, and the role change is in the audit trail.
    assert_eq!(app.count("memberships"), 1);
    app.seal_audit();
    let changes = app.number(
        "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'user.update' \
         AND changes LIKE '%\"to\":\"job_seeker\"%'",
    );
    assert_eq!(changes, 1);
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM registrations WHERE checked_in_at IS NOT NULL"),
        0
    );
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM events WHERE title = 'Taken over'"),
        0
    );

    // Made an organizer again, they act for their organization again (with a new token).
    app.patch(
        &format!("/api/v1/users/{organizer_id}"),
        Some(&admin),
        json!({"role": "organizer"}),
    )
    .await
    .assert(200);
    app.get(&registrations, Some(&fresh)).await.assert(401);
    let restored = app.login("dinas@disnaker.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get(&registrations, Some(&restored)).await.assert(200);
}

async fn a_disabled_users_tokens_fail_at_once(app: TestApp) {
    let admin = app.admin_token().await;
    let (id, token) = app.user("hr@pabrik.co.id", Role::Employer).await;
    let refresh = app.login("hr@pabrik.co.id").await["refresh_token"].clone();
    app.get("/api/v1/me", Some(&token)).await.assert(200);
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&admin),
        json!({"disabled": true}),
    )
    .await
    .assert(200);

    let read = app.get("/api/v1/me", Some(&token)).await;
    read.assert(401);
    assert_eq!(read.code(), "invalid_token");
    let write = app
        .post(
            "/api/v1/organizations",
            Some(&token),
            json!({"name": "PT Baru", "kind": "employer", "province_code": "31", "city": "Bekasi"}),
        )
        .await;
    write.assert(401);
    assert_eq!(write.code(), "invalid_token");
    assert_eq!(app.count("organizations"), 0);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": refresh}),
    )
    .await
    .assert(401);

    // Enabled again, the old token stays dead; a new sign-in works.
    app.patch(
        &format!("/api/v1/users/{id}"),
        Some(&admin),
        json!({"disabled": false}),
    )
    .await
    .assert(200);
    app.get("/api/v1/me", Some(&token)).await.assert(401);
    let again = app.login("hr@pabrik.co.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.get("/api/v1/me", Some(&again)).await.assert(200);
}

/// The delay the account's last failure set, and its failure count.
fn throttle_state(app: &TestApp) -> (i32, Duration) {
    let mut conn = app.conn();
    let (failures, last, next): (i32, NaiveDateTime, NaiveDateTime) = login_throttles::table
        .select((
            login_throttles::failures,
            login_throttles::last_failure_at,
            login_throttles::next_attempt_at,
        ))
        .first(&mut *conn)
        .unwrap();
    (failures, next - last)
}

async fn the_right_password_passes_once_the_short_delay_ran_out(app: TestApp) {
    app.user("admin2@kemnaker.go.id", Role::Employer).await;
    let wrong = login_body("admin2@kemnaker.go.id", "wrong-password");
    let right = login_body("admin2@kemnaker.go.id", PASSWORD);
    for _ in 0..4 {
        app.post("/api/v1/auth/login", None, wrong.clone())
            .await
            .assert(401);
    }
    // Four failures cost nothing; the fifth sets a one-second delay.
    assert_eq!(throttle_state(&app), (4, Duration::zero()));
    app.post("/api/v1/auth/login", None, wrong.clone())
        .await
        .assert(401);
    assert_eq!(throttle_state(&app), (5, Duration::seconds(1)));

    // While a delay runs every attempt waits, uncounted (here: a delay made long on purpose).
    app.conn()
        .batch_execute("UPDATE login_throttles SET next_attempt_at = '2100-01-01 00:00:00'")
        .unwrap();
    for body in [wrong.clone(), right.clone()] {
        let waiting = app.post("/api/v1/auth/login", None, body).await;
        waiting.assert(429);
        assert!(
            waiting
                .header("retry-after")
                .unwrap()
                .parse::<u64>()
                .unwrap()
                > 0
        );
    }
    assert_eq!(throttle_state(&app).0, 5);

    // An attacker who keeps failing makes the account wait at most the cap per attempt.
    app.conn()
        .batch_execute(
            "UPDATE login_throttles SET failures = 40, next_attempt_at = last_failure_at",
        )
        .unwrap();
    app.post("/api/v1/auth/login", None, wrong.clone())
        .await
        .assert(401);
    assert_eq!(throttle_state(&app), (41, Duration::seconds(60)));

    // Once the delay ran out, the right password signs in and clears the count.
    app.conn()
        .batch_execute("UPDATE login_throttles SET next_attempt_at = last_failure_at")
        .unwrap();
    let signed_in = app.post("/api/v1/auth/login", None, right).await;
    signed_in.assert(200);
    assert!(signed_in.body["access_token"].is_string());
    assert_eq!(app.count("login_throttles"), 0);
}

async fn each_address_has_a_budget_checked_before_any_hashing(app: TestApp) {
    app.user("rina@example.id", Role::JobSeeker).await;
    let mut state = app.state.clone();
    state.limits = Arc::new(AddressLimits::new(3));
    let limited = TestApp::serve(state, app.engine, app.database_url.clone());
    let users = app.count("users");

    limited
        .post(
            "/api/v1/auth/login",
            None,
            login_body("rina@example.id", "wrong-password"),
        )
        .await
        .assert(401);
    limited
        .post(
            "/api/v1/auth/login",
            None,
            login_body("nobody@example.id", "wrong-password"),
        )
        .await
        .assert(401);
    limited
        .post(
            "/api/v1/auth/login",
            None,
            login_body("rina@example.id", PASSWORD),
        )
        .await
        .assert(200);

    // The budget of three is spent: refused before the account or the hasher is touched, so
    // the right password is not checked and the wrong one not counted.
    let refused = limited
        .post(
            "/api/v1/auth/login",
            None,
            login_body("rina@example.id", PASSWORD),
        )
        .await;
    refused.assert(429);
    assert_eq!(refused.code(), "too_many_requests");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=20).contains(&retry), "{retry}");
    limited
        .post(
            "/api/v1/auth/login",
            None,
            login_body("rina@example.id", "wrong-password"),
        )
        .await
        .assert(429);
    assert_eq!(app.count("login_throttles"), 0);
    let register = limited
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "new@example.id", "password": PASSWORD, "full_name": "Baru", "role": "job_seeker"}),
        )
        .await;
    register.assert(429);
    assert!(register.header("retry-after").is_some());
    assert_eq!(app.count("users"), users);
    // Other routes are not limited.
    limited.get("/api/v1/events", None).await.assert(200);
}

async fn unknown_emails_leave_no_throttle_rows(app: TestApp) {
    for n in 0..30 {
        let resp = app
            .post(
                "/api/v1/auth/login",
                None,
                login_body(&format!("ghost{n}@example.id"), "wrong-password"),
            )
            .await;
        resp.assert(401);
        assert_eq!(resp.code(), "invalid_credentials");
    }
    for _ in 0..8 {
        app.post(
            "/api/v1/auth/login",
            None,
            login_body("ghost@example.id", "wrong-password"),
        )
        .await
        .assert(401);
    }
    assert_eq!(app.count("login_throttles"), 0);
}

async fn registration_needs_a_non_empty_email(app: TestApp) {
    for email in ["", "   "] {
        let resp = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": email, "password": PASSWORD, "full_name": "Kosong", "role": "job_seeker"}),
            )
            .await;
        resp.assert(422);
        assert_eq!(resp.fields(), ["email"]);
    }
    assert_eq!(app.count("users"), 0);
}

async fn adding_a_member_reveals_nothing_about_other_accounts(app: TestApp) {
    let admin = app.admin_token().await;
    let (_, owner) = app.user("owner@pt.id", Role::Employer).await;
    let org = app.organization(&owner, "employer").await;
    app.user("seeker@example.id", Role::JobSeeker).await;
    app.user("dinas@disnaker.id", Role::Organizer).await;
    let (disabled_id, _) = app.user("gone@pt.id", Role::Employer).await;
    app.patch(
        &format!("/api/v1/users/{disabled_id}"),
        Some(&admin),
        json!({"disabled": true}),
    )
    .await
    .assert(200);
    app.user("recruiter@pt.id", Role::Employer).await;
    let path = format!("/api/v1/organizations/{org}/members");

    let mut answers = Vec::new();
    for email in [
        "nobody@pt.id",
        "seeker@example.id",
        "dinas@disnaker.id",
        "gone@pt.id",
    ] {
        let resp = app
            .post(
                &path,
                Some(&owner),
                json!({"email": email, "role": "member"}),
            )
            .await;
        resp.assert(422);
        assert!(!resp.body.to_string().contains("job_seeker"));
        answers.push(refusal(&resp));
    }
    assert!(answers.windows(2).all(|w| w[0] == w[1]), "{answers:?}");
    assert_eq!(app.count("memberships"), 1);

    app.post(
        &path,
        Some(&owner),
        json!({"email": "recruiter@pt.id", "role": "member"}),
    )
    .await
    .assert(201);
    assert_eq!(app.count("memberships"), 2);
    app.seal_audit();
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'organization.add_member'"),
        1
    );
}
