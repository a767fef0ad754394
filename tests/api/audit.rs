//! The audit log: every state change of a fair leaves one chained record, in the transaction of
//! the change; refused requests and repeated scans leave none; no record carries a NIK; the log
//! is read by admins, ministry staff and the event's organizers; `bursa audit verify` finds an
//! edited, a re-hashed or a deleted record, also after simultaneous changes.

use std::process::{Command, Output};

use bursa::audit::{AuditRecord, VerifyError};
use bursa::auth::Role;
use bursa::db::schema::{audit_head, audit_log, job_seekers};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use futures_util::future::{join3, join_all};
use serde_json::{json, Value};

use crate::common::{event_body, TestApp, JWT_SECRET, NIK_SECRET};
use crate::db_tests;
use crate::fixtures::{female_nik, seeker_body, Fair};

db_tests!(
    a_fair_leaves_its_records_in_order,
    refused_requests_and_repeated_scans_add_no_record,
    reading_the_log_follows_the_rules,
    tampering_is_detected_and_named,
    simultaneous_changes_keep_the_chain_whole,
);

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

/// The NIK of [`seeker_body`]`(n)`.
fn nik(n: u32) -> String {
    female_nik(&format!("{n:04}"))
}

/// A published event of `organizer`'s new organization that started an hour ago: (org, event).
async fn running_event(app: &TestApp, organizer: &str) -> (String, String) {
    let fair = Fair::by_organizer(app, organizer)
        .starting(Utc::now() - Duration::hours(1), 8)
        .published()
        .await;
    (fair.office, fair.event)
}

/// Every record, straight from the database, in chain order.
fn records(app: &TestApp) -> Vec<AuditRecord> {
    app.seal_audit();
    let mut conn = app.conn();
    audit_log::table
        .order(audit_log::seq.asc())
        .select(AuditRecord::as_select())
        .load(&mut *conn)
        .unwrap()
}

/// How many records the chain holds, once what is pending is sealed.
fn logged(app: &TestApp) -> i64 {
    app.seal_audit();
    app.count("audit_log")
}

/// The head of the chain: (seq, hash).
fn head(app: &TestApp) -> (i64, String) {
    app.seal_audit();
    let mut conn = app.conn();
    audit_head::table
        .find(1)
        .select((audit_head::seq, audit_head::hash))
        .first(&mut *conn)
        .unwrap()
}

fn verify(app: &TestApp) -> Result<u64, VerifyError> {
    let mut conn = app.conn();
    bursa::audit::verify(&mut conn)
}

/// `bursa audit verify` against the test's database.
fn verify_cli(app: &TestApp) -> Output {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bursa"));
    for var in ["BURSA_ADDR", "BURSA_LOG_FORMAT", "RUST_LOG"] {
        command.env_remove(var);
    }
    command
        .env("DATABASE_URL", &app.database_url)
        .env("BURSA_JWT_SECRET", JWT_SECRET)
        .env("BURSA_NIK_SECRET", NIK_SECRET)
        .args(["audit", "verify"])
        .output()
        .unwrap()
}

/// The records as the API shows them to an admin, all pages: (action, entity, entity_id,
/// actor, event_id) each, and the bodies.
async fn listed(app: &TestApp, token: &str, query: &str) -> Vec<Value> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/audit?limit=100{query}");
        if let Some(cursor) = &cursor {
            path.push_str(&format!("&cursor={cursor}"));
        }
        let page = app.get(&path, Some(token)).await;
        page.assert(200);
        items.extend(page.body["items"].as_array().unwrap().iter().cloned());
        match page.body["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return items,
        }
    }
}

type Row = (String, String, String, Option<String>, Option<String>);

fn row(action: &str, entity: &str, entity_id: &str, actor: &str, event: Option<&str>) -> Row {
    (
        action.to_owned(),
        entity.to_owned(),
        entity_id.to_owned(),
        Some(actor.to_owned()),
        event.map(str::to_owned),
    )
}

fn rows_of(items: &[Value]) -> Vec<Row> {
    items
        .iter()
        .map(|r| {
            (
                r["action"].as_str().unwrap().to_owned(),
                r["entity"].as_str().unwrap().to_owned(),
                r["entity_id"].as_str().unwrap().to_owned(),
                r["actor_user_id"].as_str().map(str::to_owned),
                r["event_id"].as_str().map(str::to_owned),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn a_fair_leaves_its_records_in_order(app: TestApp) {
    let (organizer_id, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let (employer_id, employer) = app.user("hr@pabrik.id", Role::Employer).await;
    let (employer2_id, employer2) = app.user("hr@gudang.id", Role::Employer).await;
    let (seeker_user, seeker) = app.user("siti@mail.id", Role::JobSeeker).await;
    let company = app.organization(&employer, "employer").await;
    let company2 = app.organization(&employer2, "employer").await;
    let office = app.organization(&organizer, "organizer").await;
    let verifier = app
        .get("/api/v1/me", Some(&app.admin_token().await))
        .await
        .body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        logged(&app),
        1,
        "accounts are not fair operations; the organizer's verification is"
    );

    // The event: created, changed, published.
    let mut body = event_body(&office);
    let starts_at = Utc::now() - Duration::hours(1);
    body["starts_at"] = json!(starts_at.to_rfc3339());
    body["ends_at"] = json!((starts_at + Duration::hours(8)).to_rfc3339());
    let event = app
        .post("/api/v1/events", Some(&organizer), body)
        .await
        .assert(201)
        .id();
    let e = format!("/api/v1/events/{event}");
    app.patch(
        &e,
        Some(&organizer),
        json!({"title": "Bursa Kerja Jakarta"}),
    )
    .await
    .assert(200);
    app.post(&format!("{e}/publish"), Some(&organizer), json!({}))
        .await
        .assert(200);

    // An employer joins, is approved, posts and changes a vacancy.
    app.post(
        &format!("{e}/employers"),
        Some(&employer),
        json!({"organization_id": company, "booth": "A1"}),
    )
    .await
    .assert(201);
    app.post(
        &format!("{e}/employers/{company}/approve"),
        Some(&organizer),
        json!({}),
    )
    .await
    .assert(200);
    let vacancy_body = |org: &str| {
        json!({
            "organization_id": org, "title": "Forklift Operator", "occupation_code": "8344",
            "openings": 2, "employment_type": "contract", "location_province_code": "31",
            "location_city": "Jakarta Utara"
        })
    };
    let vacancy = app
        .post(
            &format!("{e}/vacancies"),
            Some(&employer),
            vacancy_body(&company),
        )
        .await
        .assert(201)
        .id();
    app.patch(
        &format!("/api/v1/vacancies/{vacancy}"),
        Some(&employer),
        json!({"openings": 3}),
    )
    .await
    .assert(200);

    // A job seeker records a profile, registers, is checked in (twice scanned) and applies.
    let profile = app
        .post("/api/v1/job-seekers", Some(&seeker), seeker_body(1))
        .await
        .assert(201)
        .id();
    let registered = app
        .post(&format!("{e}/registrations"), Some(&seeker), json!({}))
        .await;
    registered.assert(201);
    let registration = registered.id();
    let code = registered.body["check_in_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let scan = app
        .post(
            &format!("{e}/check-ins"),
            Some(&organizer),
            json!({"check_in_code": code}),
        )
        .await;
    scan.assert(200);
    assert_eq!(scan.body["already_checked_in"], false);
    let before_repeat = logged(&app);
    let repeat = app
        .post(
            &format!("{e}/check-ins"),
            Some(&organizer),
            json!({"check_in_code": code}),
        )
        .await;
    repeat.assert(200);
    assert_eq!(repeat.body["already_checked_in"], true);
    assert_eq!(
        logged(&app),
        before_repeat,
        "a repeated scan records nothing"
    );
    let application = app
        .post(
            &format!("/api/v1/vacancies/{vacancy}/applications"),
            Some(&seeker),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    app.patch(
        &format!("/api/v1/applications/{application}"),
        Some(&employer),
        json!({"status": "shortlisted"}),
    )
    .await
    .assert(200);
    app.patch(
        &format!("/api/v1/job-seekers/{profile}"),
        Some(&seeker),
        json!({"city": "Jakarta Barat"}),
    )
    .await
    .assert(200);

    // A walk-in: a profile, a registration and a check-in in one request.
    let walk_in = app
        .post(&format!("{e}/walk-ins"), Some(&organizer), seeker_body(2))
        .await;
    walk_in.assert(201);
    let walker = walk_in.body["job_seeker"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let walker_registration = walk_in.body["registration"]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    // A second employer is approved, posts a vacancy, then is rejected: the vacancy closes.
    app.post(
        &format!("{e}/employers"),
        Some(&employer2),
        json!({"organization_id": company2}),
    )
    .await
    .assert(201);
    app.post(
        &format!("{e}/employers/{company2}/approve"),
        Some(&organizer),
        json!({}),
    )
    .await
    .assert(200);
    let vacancy2 = app
        .post(
            &format!("{e}/vacancies"),
            Some(&employer2),
            vacancy_body(&company2),
        )
        .await
        .assert(201)
        .id();
    app.post(
        &format!("{e}/employers/{company2}/reject"),
        Some(&organizer),
        json!({}),
    )
    .await
    .assert(200);

    // The first vacancy closes, then the event; another event is created and cancelled.
    app.post(
        &format!("/api/v1/vacancies/{vacancy}/close"),
        Some(&employer),
        json!({}),
    )
    .await
    .assert(200);
    app.post(
        &format!("{e}/close"),
        Some(&organizer),
        json!({"spent_idr": 120000000}),
    )
    .await
    .assert(200);
    let draft = app.event(&organizer, &office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("/api/v1/events/{draft}/cancel"),
        Some(&organizer),
        json!({}),
    )
    .await
    .assert(200);

    let ev = Some(event.as_str());
    let p1 = format!("{event}/{company}");
    let p2 = format!("{event}/{company2}");
    let expected = vec![
        row(
            "organization.verify",
            "organization",
            &office,
            &verifier,
            None,
        ),
        row("event.create", "event", &event, &organizer_id, ev),
        row("event.update", "event", &event, &organizer_id, ev),
        row("event.publish", "event", &event, &organizer_id, ev),
        row(
            "participation.request",
            "participation",
            &p1,
            &employer_id,
            ev,
        ),
        row(
            "participation.approve",
            "participation",
            &p1,
            &organizer_id,
            ev,
        ),
        row("vacancy.create", "vacancy", &vacancy, &employer_id, ev),
        row("vacancy.update", "vacancy", &vacancy, &employer_id, ev),
        row(
            "job_seeker.create",
            "job_seeker",
            &profile,
            &seeker_user,
            None,
        ),
        row(
            "registration.create",
            "registration",
            &registration,
            &seeker_user,
            ev,
        ),
        row(
            "registration.check_in",
            "registration",
            &registration,
            &organizer_id,
            ev,
        ),
        row(
            "application.create",
            "application",
            &application,
            &seeker_user,
            ev,
        ),
        row(
            "application.status",
            "application",
            &application,
            &employer_id,
            ev,
        ),
        row(
            "job_seeker.update",
            "job_seeker",
            &profile,
            &seeker_user,
            None,
        ),
        row(
            "job_seeker.create",
            "job_seeker",
            &walker,
            &organizer_id,
            ev,
        ),
        row(
            "registration.create",
            "registration",
            &walker_registration,
            &organizer_id,
            ev,
        ),
        row(
            "registration.check_in",
            "registration",
            &walker_registration,
            &organizer_id,
            ev,
        ),
        row(
            "participation.request",
            "participation",
            &p2,
            &employer2_id,
            ev,
        ),
        row(
            "participation.approve",
            "participation",
            &p2,
            &organizer_id,
            ev,
        ),
        row("vacancy.create", "vacancy", &vacancy2, &employer2_id, ev),
        row(
            "participation.reject",
            "participation",
            &p2,
            &organizer_id,
            ev,
        ),
        row("vacancy.close", "vacancy", &vacancy2, &organizer_id, ev),
        row("vacancy.close", "vacancy", &vacancy, &employer_id, ev),
        row("event.close", "event", &event, &organizer_id, ev),
        row("event.create", "event", &draft, &organizer_id, Some(&draft)),
        row("event.cancel", "event", &draft, &organizer_id, Some(&draft)),
    ];
    let admin = app.admin_token().await;
    let items = listed(&app, &admin, "").await;
    assert_eq!(rows_of(&items), expected);

    // Seqs run 1..n, each record links to the one before, the head names the last.
    let stored = records(&app);
    assert_eq!(stored.len(), expected.len());
    for (i, record) in stored.iter().enumerate() {
        assert_eq!(record.seq, i as i64 + 1);
        assert_eq!(items[i]["seq"], record.seq);
        assert_eq!(items[i]["hash"], record.hash.as_str());
        let prev = if i == 0 {
            bursa::audit::GENESIS_HASH.to_owned()
        } else {
            stored[i - 1].hash.clone()
        };
        assert_eq!(record.prev_hash, prev);
        assert_eq!(record.hash, record.expected_hash(&prev));
    }
    assert_eq!(
        head(&app),
        (stored.len() as i64, stored.last().unwrap().hash.clone())
    );
    assert_eq!(verify(&app).unwrap(), expected.len() as u64);

    // What changed, as recorded.
    assert_eq!(
        items[2]["changes"],
        json!({"title": {"from": "Jakarta Job Fair 2026", "to": "Bursa Kerja Jakarta"}})
    );
    assert_eq!(
        items[3]["changes"]["status"],
        json!({"from": "draft", "to": "published"})
    );
    assert_eq!(
        items[7]["changes"],
        json!({"openings": {"from": 2, "to": 3}})
    );
    assert_eq!(items[8]["changes"]["nik_last4"], "0001");
    assert_eq!(
        items[12]["changes"],
        json!({"status": {"from": "applied", "to": "shortlisted"}})
    );
    assert_eq!(
        items[13]["changes"],
        json!({"city": {"from": "Jakarta Timur", "to": "Jakarta Barat"}})
    );
    assert_eq!(
        items[20]["changes"]["status"],
        json!({"from": "approved", "to": "rejected"})
    );
    assert_eq!(items[23]["changes"]["spent_idr"]["to"], 120000000);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM vacancies WHERE id = '{vacancy2}' AND status = 'closed'"
        )),
        1
    );

    // No record holds a NIK, its hash, or the check-in code.
    let hashes: Vec<String> = {
        let mut conn = app.conn();
        job_seekers::table
            .select(job_seekers::nik_hash)
            .load(&mut *conn)
            .unwrap()
    };
    assert_eq!(hashes.len(), 2);
    for record in &stored {
        let text = serde_json::to_string(record).unwrap() + &record.changes;
        for secret in [nik(1), nik(2), code.clone()].iter().chain(hashes.iter()) {
            assert!(!text.contains(secret.as_str()), "{text}");
        }
        assert!(!text.contains("nik_hash"), "{text}");
        assert!(!text.contains("\"nik\""), "{text}");
    }
}

async fn refused_requests_and_repeated_scans_add_no_record(app: TestApp) {
    let (_, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let (_, stranger) = app.user("other@disnaker.id", Role::Organizer).await;
    let (_, seeker) = app.user("siti@mail.id", Role::JobSeeker).await;
    let (org, event) = running_event(&app, &organizer).await;
    let e = format!("/api/v1/events/{event}");
    app.post("/api/v1/job-seekers", Some(&seeker), seeker_body(1))
        .await
        .assert(201);
    let registered = app
        .post(&format!("{e}/registrations"), Some(&seeker), json!({}))
        .await;
    registered.assert(201);
    let code = registered.body["check_in_code"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("{e}/check-ins"),
        Some(&organizer),
        json!({"check_in_code": code}),
    )
    .await
    .assert(200);
    let before = logged(&app);
    let head_before = head(&app);
    assert_eq!(
        before, 6,
        "verify the organizer, create, publish, profile, registration, check-in"
    );

    // Refused: bad bodies, strangers, wrong states, duplicates.
    let mut bad = event_body(&org);
    bad["capacity"] = json!(-1);
    app.post("/api/v1/events", Some(&organizer), bad)
        .await
        .assert(422);
    app.post(&format!("{e}/publish"), Some(&organizer), json!({}))
        .await
        .assert(409);
    app.post(&format!("{e}/cancel"), Some(&stranger), json!({}))
        .await
        .assert(403);
    app.patch(&e, Some(&stranger), json!({"title": "Taken over"}))
        .await
        .assert(403);
    app.patch(&e, Some(&organizer), json!({"capacity": 0}))
        .await
        .assert(422);
    let duplicate = app
        .post("/api/v1/job-seekers", Some(&organizer), seeker_body(1))
        .await;
    duplicate.assert(409);
    assert_eq!(duplicate.code(), "nik_registered");
    app.post("/api/v1/job-seekers", Some(&seeker), seeker_body(2))
        .await
        .assert(409);
    // A repeated registration and a repeated scan change nothing.
    app.post(&format!("{e}/registrations"), Some(&seeker), json!({}))
        .await
        .assert(200);
    let repeat = app
        .post(
            &format!("{e}/check-ins"),
            Some(&organizer),
            json!({"check_in_code": code}),
        )
        .await;
    repeat.assert(200);
    assert_eq!(repeat.body["already_checked_in"], true);
    app.post(
        &format!("{e}/check-ins"),
        Some(&organizer),
        json!({"check_in_code": "no-such-code"}),
    )
    .await
    .assert(404);
    app.post(
        &format!("{e}/check-ins"),
        Some(&stranger),
        json!({"check_in_code": code}),
    )
    .await
    .assert(403);
    app.post(&format!("{e}/close"), Some(&organizer), json!({}))
        .await
        .assert(422);

    // The one record added: the refused profile found a NIK, and NIK look-ups are audited
    // (issue 11). It names no one.
    assert_eq!(logged(&app), before + 1);
    assert_ne!(head(&app), head_before);
    assert_eq!(
        {
            app.seal_audit();
            app.number("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'nik_lookup.resolve'")
        },
        1
    );
    assert_eq!(app.count("job_seekers"), 1);
    assert_eq!(app.count("registrations"), 1);
    assert_eq!(app.attendees(&event), 1);
    assert_eq!(verify(&app).unwrap(), before as u64 + 1);
}

async fn reading_the_log_follows_the_rules(app: TestApp) {
    let (_, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let (_, other) = app.user("organizer@dinas.id", Role::Organizer).await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let (_, employer) = app.user("hr@pabrik.id", Role::Employer).await;
    let (_, seeker) = app.user("siti@mail.id", Role::JobSeeker).await;
    let admin = app.admin_token().await;
    let (_, event) = running_event(&app, &organizer).await;
    let (other_org, other_event) = running_event(&app, &other).await;
    let other_draft = app.event(&other, &other_org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let company = app.organization(&employer, "employer").await;
    app.post(
        &format!("/api/v1/events/{event}/employers"),
        Some(&employer),
        json!({"organization_id": company}),
    )
    .await
    .assert(201);
    // A profile belongs to no event.
    let profile = app
        .post("/api/v1/job-seekers", Some(&seeker), seeker_body(1))
        .await
        .assert(201)
        .id();
    let total = logged(&app);
    // Two organizers verified, two fairs created and published, a draft, a request, a profile.
    assert_eq!(total, 9);

    // Who reads.
    let all = "/api/v1/audit";
    let mine = format!("/api/v1/audit?event_id={event}");
    assert_eq!(app.get(all, None).await.status, 401);
    assert_eq!(app.get(&mine, None).await.status, 401);
    for token in [&employer, &seeker] {
        let refused = app.get(&mine, Some(token)).await;
        refused.assert(403);
        assert_eq!(refused.code(), "forbidden");
    }
    app.get(all, Some(&organizer)).await.assert(403);
    app.get(
        &format!("/api/v1/audit?event_id={other_event}"),
        Some(&organizer),
    )
    .await
    .assert(403);
    app.get(
        &format!("/api/v1/audit?event_id={other_draft}"),
        Some(&organizer),
    )
    .await
    .assert(404);
    for token in [&admin, &ministry] {
        let items = listed(&app, token, "").await;
        assert_eq!(items.len() as i64, total);
    }

    // The organizer sees their event's records only.
    let own = app.get(&mine, Some(&organizer)).await;
    own.assert(200);
    let actions: Vec<&str> = own.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            assert_eq!(r["event_id"], event.as_str());
            r["action"].as_str().unwrap()
        })
        .collect();
    assert_eq!(
        actions,
        ["event.create", "event.publish", "participation.request"]
    );
    assert_eq!(own.body["next_cursor"], Value::Null);

    // Filters.
    let by_entity = listed(
        &app,
        &admin,
        &format!("&entity=event&entity_id={other_event}"),
    )
    .await;
    assert_eq!(
        rows_of(&by_entity)
            .iter()
            .map(|r| r.0.as_str())
            .collect::<Vec<_>>(),
        ["event.create", "event.publish"]
    );
    let seekers = listed(&app, &admin, "&entity=job_seeker").await;
    assert_eq!(seekers.len(), 1);
    assert_eq!(seekers[0]["entity_id"], profile.as_str());
    assert_eq!(seekers[0]["event_id"], Value::Null);
    let participation = listed(
        &app,
        &ministry,
        &format!(
            "&entity=participation&entity_id={event}/{}",
            company.to_uppercase()
        ),
    )
    .await;
    assert_eq!(participation.len(), 1);
    assert_eq!(participation[0]["entity_id"], format!("{event}/{company}"));
    let organizer_filtered = app
        .get(&format!("{mine}&entity=participation"), Some(&organizer))
        .await;
    organizer_filtered.assert(200);
    assert_eq!(
        organizer_filtered.body["items"].as_array().unwrap().len(),
        1
    );

    // Pages: oldest first, no repeats, no gaps.
    let mut seen = Vec::new();
    let mut path = "/api/v1/audit?limit=3".to_owned();
    loop {
        let page = app.get(&path, Some(&admin)).await;
        page.assert(200);
        let items = page.body["items"].as_array().unwrap();
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|r| r["seq"].as_i64().unwrap()));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/audit?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, (1..=total).collect::<Vec<_>>());

    // Bad parameters.
    for (query, field) in [
        ("entity=users", "entity"),
        ("entity=event&entity_id=nope", "entity_id"),
        ("entity_id=1/2/3", "entity_id"),
        (
            &format!("entity=participation&entity_id={event}") as &str,
            "entity_id",
        ),
        (
            &format!("entity=event&entity_id={event}/{company}"),
            "entity_id",
        ),
        ("event_id=42", "event_id"),
        ("limit=0", "limit"),
        ("cursor=garbage", "cursor"),
    ] {
        let refused = app
            .get(&format!("/api/v1/audit?{query}"), Some(&admin))
            .await;
        refused.assert(422);
        assert_eq!(refused.fields(), [field], "{query}");
    }
    app.get("/api/v1/audit?colour=red", Some(&admin))
        .await
        .assert(422);
    // Nothing writes the log over HTTP.
    for method in [
        actix_web::http::Method::POST,
        actix_web::http::Method::PATCH,
        actix_web::http::Method::DELETE,
    ] {
        let resp = app
            .request(method, all, Some(&admin), Some(&json!({})))
            .await;
        assert_eq!(resp.status, 405);
    }
    assert_eq!(logged(&app), total);
}

async fn tampering_is_detected_and_named(app: TestApp) {
    let (_, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let (org, event) = running_event(&app, &organizer).await;
    // Six records: the organizer's verification, create, publish, two changes, a draft.
    for title in ["Bursa Kerja Satu", "Bursa Kerja Dua"] {
        app.patch(
            &format!("/api/v1/events/{event}"),
            Some(&organizer),
            json!({"title": title}),
        )
        .await
        .assert(200);
    }
    app.event(&organizer, &org).await;
    let stored = records(&app);
    assert_eq!(stored.len(), 6);
    assert_eq!(verify(&app).unwrap(), 6);
    let intact = verify_cli(&app);
    assert_eq!(
        intact.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&intact.stderr)
    );
    assert!(String::from_utf8_lossy(&intact.stdout).contains("audit chain intact: 6 records"));

    let broken_at = |seq: i64, id: Option<&str>| {
        match verify(&app) {
            Err(VerifyError::Broken(link)) => {
                assert_eq!(link.seq, seq, "{link}");
                assert_eq!(link.id.as_deref(), id, "{link}");
            }
            other => panic!("expected a broken link at {seq}, got {other:?}"),
        }
        let output = verify_cli(&app);
        assert_eq!(output.status.code(), Some(2), "{output:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(&format!("seq {seq}")), "{stderr}");
        if let Some(id) = id {
            assert!(stderr.contains(id), "{stderr}");
        }
        assert!(!String::from_utf8_lossy(&output.stdout).contains("intact"));
    };
    let set = |seq: i64, column: &str, value: &str| {
        let mut conn = app.conn();
        let target = audit_log::table.find(seq);
        let changed = match column {
            "changes" => diesel::update(target)
                .set(audit_log::changes.eq(value))
                .execute(&mut *conn),
            _ => diesel::update(target)
                .set(audit_log::hash.eq(value))
                .execute(&mut *conn),
        };
        assert_eq!(changed.unwrap(), 1);
    };

    // An edited record.
    let third = &stored[2];
    set(
        3,
        "changes",
        r#"{"title":{"from":"Forged","to":"Bursa Kerja Satu"}}"#,
    );
    broken_at(3, Some(&third.id));
    set(3, "changes", &third.changes);
    assert_eq!(verify(&app).unwrap(), 6);

    // A hash rewritten.
    set(2, "hash", &"f".repeat(64));
    broken_at(2, Some(&stored[1].id));
    set(2, "hash", &stored[1].hash);
    assert_eq!(verify(&app).unwrap(), 6);

    // The last record deleted: the head still names it.
    let last = stored.last().unwrap().clone();
    let deleted = {
        let mut conn = app.conn();
        diesel::delete(audit_log::table.find(6))
            .execute(&mut *conn)
            .unwrap()
    };
    assert_eq!(deleted, 1);
    broken_at(6, None);
    {
        let mut conn = app.conn();
        diesel::insert_into(audit_log::table)
            .values((
                audit_log::seq.eq(last.seq),
                audit_log::id.eq(&last.id),
                audit_log::at.eq(last.at),
                audit_log::actor_user_id.eq(&last.actor_user_id),
                audit_log::action.eq(&last.action),
                audit_log::entity.eq(&last.entity),
                audit_log::entity_id.eq(&last.entity_id),
                audit_log::event_id.eq(&last.event_id),
                audit_log::changes.eq(&last.changes),
                audit_log::prev_hash.eq(&last.prev_hash),
                audit_log::hash.eq(&last.hash),
            ))
            .execute(&mut *conn)
            .unwrap();
    }
    assert_eq!(verify(&app).unwrap(), 6);

    // A record deleted from the middle.
    let deleted = {
        let mut conn = app.conn();
        diesel::delete(audit_log::table.find(4))
            .execute(&mut *conn)
            .unwrap()
    };
    assert_eq!(deleted, 1);
    broken_at(4, None);
    assert_eq!(logged(&app), 5);
}

async fn simultaneous_changes_keep_the_chain_whole(app: TestApp) {
    let (_, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let (_, event) = running_event(&app, &organizer).await;
    let e = format!("/api/v1/events/{event}");
    // Thirty walk-in profiles recorded by the organizer; twenty of them registered.
    let mut seekers = Vec::new();
    for n in 0..30 {
        seekers.push(
            app.post("/api/v1/job-seekers", Some(&organizer), seeker_body(n + 1))
                .await
                .assert(201)
                .id(),
        );
    }
    let mut codes = Vec::new();
    for seeker in &seekers[..20] {
        let registered = app
            .post(
                &format!("{e}/registrations"),
                Some(&organizer),
                json!({"job_seeker_id": seeker}),
            )
            .await;
        registered.assert(201);
        codes.push(
            registered.body["check_in_code"]
                .as_str()
                .unwrap()
                .to_owned(),
        );
    }
    let before = logged(&app);
    // The organizer's verification, create, publish; profiles; registrations.
    assert_eq!(before, 3 + 30 + 20);

    // Twenty check-ins, ten registrations and five walk-ins, all at once.
    let (check_ins, registering, walking_in) = (
        format!("{e}/check-ins"),
        format!("{e}/registrations"),
        format!("{e}/walk-ins"),
    );
    let scans = codes
        .iter()
        .map(|code| app.post(&check_ins, Some(&organizer), json!({"check_in_code": code})));
    let registrations = seekers[20..].iter().map(|seeker| {
        app.post(
            &registering,
            Some(&organizer),
            json!({"job_seeker_id": seeker}),
        )
    });
    let walk_ins = (100..105).map(|n| app.post(&walking_in, Some(&organizer), seeker_body(n)));
    // Meanwhile `verify` runs over and over: the chain holds at every moment it looks.
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let verifier = {
        let pool = app.state.pool.clone();
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut runs = Vec::new();
            while !stop.load(std::sync::atomic::Ordering::SeqCst) {
                let mut conn = pool.get().unwrap();
                runs.push(bursa::audit::verify(&mut conn).map_err(|e| e.to_string()));
            }
            runs
        })
    };
    let (scans, registrations, walk_ins) =
        join3(join_all(scans), join_all(registrations), join_all(walk_ins)).await;
    stop.store(true, std::sync::atomic::Ordering::SeqCst);
    let runs = verifier.join().unwrap();
    assert!(!runs.is_empty());
    for run in &runs {
        let records = run.as_ref().unwrap();
        assert!((before as u64..=(before + 45) as u64).contains(records));
    }
    for scan in &scans {
        scan.assert(200);
        assert_eq!(scan.body["already_checked_in"], false);
    }
    for registration in &registrations {
        registration.assert(201);
    }
    for walk_in in &walk_ins {
        walk_in.assert(201);
    }

    let added = 20 + 10 + 5 * 3;
    let total = before + added;
    assert_eq!(logged(&app), total);
    assert_eq!(
        app.number("SELECT COALESCE(MAX(seq), 0) AS n FROM audit_log"),
        total
    );
    assert_eq!(
        app.number("SELECT COUNT(DISTINCT seq) AS n FROM audit_log"),
        total
    );
    assert_eq!(head(&app).0, total);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'registration.check_in' AND event_id = '{event}'"
        )),
        25
    );
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'registration.create' AND event_id = '{event}'"
        )),
        35
    );
    assert_eq!(app.attendees(&event), 25);
    assert_eq!(verify(&app).unwrap(), total as u64);
    let output = verify_cli(&app);
    assert_eq!(output.status.code(), Some(0), "{output:?}");
    assert!(String::from_utf8_lossy(&output.stdout)
        .contains(&format!("audit chain intact: {total} records")));
}
