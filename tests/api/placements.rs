//! Placements: employers report hires, job seekers confirm or dispute them (with their account
//! or a single-use link), staff verify or reject them; flags, idempotent retries, races, and who
//! may do what.
use actix_web::http::Method;
use bursa::auth::Role;
use bursa::db::schema::{applications, placement_confirmations, placements, registrations};
use chrono::Duration;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{assert_conflict, assert_invalid, assert_no_nik, ids, Resp, TestApp};
use crate::db_tests;
use crate::fixtures::{transitions, Employer, HiringFair, Seeker};

db_tests!(
    report_then_confirm,
    report_dispute_then_staff_verify_or_reject,
    report_then_retract,
    hires_of_job_seekers_who_never_applied,
    confirmation_links_are_single_use_and_expire,
    each_flag_in_its_own_scenario,
    idempotent_retries_answer_as_the_first,
    concurrent_reports_make_one_placement,
    outsiders_get_404_on_every_placement_action,
    lists_show_each_party_its_own,
    bad_bodies_change_nothing,
);

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

/// A checked-in job seeker who applied for `vacancy`: (seeker, application id).
async fn applicant(
    app: &TestApp,
    f: &HiringFair,
    vacancy: &str,
    email: &str,
    last4: &str,
) -> (Seeker, String) {
    let s = Seeker::new(app, email, "Siti Rahayu", last4).await;
    s.registered(app, &f.event, Some(&f.organizer_id));
    let application = s.apply(app, vacancy).await;
    (s, application)
}

fn in_days(f: &HiringFair, days: i64) -> String {
    (f.first_day() + Duration::days(days)).to_string()
}

fn report_body(application: &str, start_date: &str) -> Value {
    json!({
        "application_id": application, "start_date": start_date, "salary_idr": 5_200_000,
        "contract_type": "contract", "occupation_code": "8344"
    })
}

async fn report(app: &TestApp, f: &HiringFair, application: &str, start_date: &str) -> Resp {
    app.post(
        "/api/v1/placements",
        Some(&f.employer),
        report_body(application, start_date),
    )
    .await
}

/// The JSON route of an issued confirmation link (its `url` is the web page).
fn api_link(issued: &Resp) -> String {
    let token = issued.body["token"].as_str().expect("a token");
    format!("/api/v1/placement-confirmations/{token}")
}

fn path(placement: &str) -> String {
    format!("/api/v1/placements/{placement}")
}

async fn act(app: &TestApp, placement: &str, action: &str, token: &str, body: Value) -> Resp {
    app.post(&format!("{}/{action}", path(placement)), Some(token), body)
        .await
}

fn flags(body: &Value) -> Vec<String> {
    body["flags"]
        .as_array()
        .unwrap_or_else(|| panic!("flags in {body}"))
        .iter()
        .map(|f| f.as_str().unwrap().to_owned())
        .collect()
}

fn stored_status(app: &TestApp, placement: &str) -> String {
    placements::table
        .find(placement)
        .select(placements::status)
        .first(&mut *app.conn())
        .unwrap()
}

fn application_status(app: &TestApp, application: &str) -> String {
    applications::table
        .find(application)
        .select(applications::status)
        .first(&mut *app.conn())
        .unwrap()
}

/// The audit records of a placement: (action, actor), in chain order.
fn audit(app: &TestApp, placement: &str) -> Vec<(String, Option<String>)> {
    use bursa::db::schema::audit_log;
    app.seal_audit();
    audit_log::table
        .filter(audit_log::entity.eq("placement"))
        .filter(audit_log::entity_id.eq(placement))
        .order(audit_log::seq.asc())
        .select((audit_log::action, audit_log::actor_user_id))
        .load(&mut *app.conn())
        .unwrap()
}

async fn send(app: &TestApp, token: &str, key: &str, body: &Value) -> Resp {
    let bearer = format!("Bearer {token}");
    let headers = [
        ("content-type", "application/json"),
        ("authorization", bearer.as_str()),
        ("idempotency-key", key),
    ];
    let body = serde_json::to_vec(body).unwrap();
    app.raw(Method::POST, "/api/v1/placements", &headers, body)
        .await
}

async fn issue_link(app: &TestApp, placement: &str, token: &str) -> Resp {
    act(app, placement, "confirmation-link", token, json!({})).await
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn report_then_confirm(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (siti, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let start = in_days(&f, 14);

    let reported = report(&app, &f, &application, &start).await;
    reported.assert(201);
    let id = reported.id();
    let body = &reported.body;
    assert_eq!(body["application_id"], application.as_str());
    assert_eq!(body["vacancy_id"], f.vacancy.as_str());
    assert_eq!(body["event_id"], f.event.as_str());
    assert_eq!(body["job_seeker_id"], siti.id.as_str());
    assert_eq!(body["employer_id"], f.company.as_str());
    assert_eq!(body["status"], "reported");
    assert_eq!(body["start_date"], start.as_str());
    assert_eq!(body["salary_idr"], 5_200_000);
    assert_eq!(body["contract_type"], "contract");
    assert_eq!(body["occupation_code"], "8344");
    assert_eq!(body["vacancy_title"], "Forklift Operator");
    assert_eq!(body["reported_by"], f.employer_id.as_str());
    assert!(body["reported_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(flags(body), Vec::<String>::new());
    assert!(body.get("token").is_none() && body.get("confirmation_url").is_none());
    assert_no_nik(&reported);

    // The application is hired, by the reporter, in its history.
    assert_eq!(application_status(&app, &application), "hired");
    let history = transitions(&app, &application);
    assert_eq!(
        history.last().unwrap(),
        &("hired".to_owned(), f.employer_id.clone())
    );
    // A second report of the same application is refused, naming the first.
    let again = report(&app, &f, &application, &start).await;
    assert_conflict(&again, "already_placed");
    assert_eq!(again.body["error"]["details"][0]["message"], id.as_str());

    // The job seeker sees it without flags, and confirms.
    let seen = app.get(&path(&id), Some(&siti.token)).await;
    seen.assert(200);
    assert!(seen.body.get("flags").is_none(), "{}", seen.body);
    assert_no_nik(&seen);
    let confirmed = act(&app, &id, "confirm", &siti.token, json!({})).await;
    confirmed.assert(200);
    assert_eq!(confirmed.body["status"], "confirmed");
    assert!(confirmed.body["confirmed_at"].as_str().is_some());
    assert!(confirmed.body.get("flags").is_none());
    assert_eq!(stored_status(&app, &id), "confirmed");

    // Confirmed is not retracted by the employer, nor confirmed or disputed again.
    assert_conflict(
        &act(&app, &id, "retract", &f.employer, json!({})).await,
        "invalid_transition",
    );
    assert_conflict(
        &act(&app, &id, "confirm", &siti.token, json!({})).await,
        "invalid_transition",
    );
    assert_conflict(
        &act(&app, &id, "dispute", &siti.token, json!({"reason": "x"})).await,
        "invalid_transition",
    );
    // Staff may still verify a confirmed placement.
    let verified = act(
        &app,
        &id,
        "verify",
        &f.organizer,
        json!({"method": "social_security"}),
    )
    .await;
    verified.assert(200);
    assert_eq!(verified.body["status"], "verified");
    assert_eq!(verified.body["verification_method"], "social_security");
    assert_eq!(
        audit(&app, &id),
        [
            ("placement.report".to_owned(), Some(f.employer_id.clone())),
            ("placement.confirm".to_owned(), Some(siti.user_id.clone())),
            ("placement.verify".to_owned(), Some(f.organizer_id.clone())),
        ]
    );
    app.assert_kept_figures();
}

async fn report_dispute_then_staff_verify_or_reject(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (siti, first) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let other = f.post_vacancy(&app, "Welder", json!({})).await;
    let (ayu, second) = applicant(&app, &f, &other, "ayu@x.id", "0004").await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;

    // Dispute, then the organizer verifies after a phone call.
    let id = report(&app, &f, &first, &in_days(&f, 10)).await.id();
    assert_invalid(
        &act(&app, &id, "dispute", &siti.token, json!({})).await,
        "reason",
    );
    let disputed = act(
        &app,
        &id,
        "dispute",
        &siti.token,
        json!({"reason": "I was never hired"}),
    )
    .await;
    disputed.assert(200);
    assert_eq!(disputed.body["status"], "disputed");
    assert_eq!(disputed.body["dispute_reason"], "I was never hired");
    // Not the employer's nor the job seeker's to settle.
    for token in [&f.employer, &siti.token] {
        act(&app, &id, "verify", token, json!({"method": "phone"}))
            .await
            .assert(403);
    }
    assert_conflict(
        &act(&app, &id, "confirm", &siti.token, json!({})).await,
        "invalid_transition",
    );
    assert_invalid(
        &act(
            &app,
            &id,
            "verify",
            &f.organizer,
            json!({"method": "email"}),
        )
        .await,
        "method",
    );
    let verified = act(
        &app,
        &id,
        "verify",
        &f.organizer,
        json!({"method": "phone", "note": "HR and the worker confirmed by phone"}),
    )
    .await;
    verified.assert(200);
    assert_eq!(verified.body["status"], "verified");
    assert_eq!(verified.body["verified_by"], f.organizer_id.as_str());
    assert_eq!(verified.body["verification_method"], "phone");
    assert!(verified.body["flags"].is_array(), "staff see flags");
    // Verified is final.
    for (action, body) in [
        ("reject", json!({"note": "x"})),
        ("verify", json!({"method": "visit"})),
    ] {
        assert_conflict(
            &act(&app, &id, action, &f.organizer, body).await,
            "invalid_transition",
        );
    }

    // Dispute, then ministry staff reject it.
    let id2 = report(&app, &f, &second, &in_days(&f, 10)).await.id();
    act(
        &app,
        &id2,
        "dispute",
        &ayu.token,
        json!({"reason": "wrong salary"}),
    )
    .await
    .assert(200);
    assert_invalid(
        &act(&app, &id2, "reject", &ministry, json!({})).await,
        "note",
    );
    let rejected = act(
        &app,
        &id2,
        "reject",
        &ministry,
        json!({"note": "the employer could not show a contract"}),
    )
    .await;
    rejected.assert(200);
    assert_eq!(rejected.body["status"], "retracted");
    assert_eq!(
        rejected.body["retraction_note"],
        "the employer could not show a contract"
    );
    assert_conflict(
        &act(
            &app,
            &id2,
            "verify",
            &ministry,
            json!({"method": "document"}),
        )
        .await,
        "invalid_transition",
    );
    assert_eq!(
        audit(&app, &id2)
            .into_iter()
            .map(|(a, _)| a)
            .collect::<Vec<_>>(),
        ["placement.report", "placement.dispute", "placement.reject"]
    );
    app.assert_kept_figures();
}

async fn report_then_retract(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    // An employer may concede a dispute by retracting (the hire was never confirmed).
    let (ayu, conceded) = applicant(&app, &f, &f.vacancy, "ayu@x.id", "0004").await;
    let disputed = report(&app, &f, &conceded, &in_days(&f, 7)).await.id();
    act(
        &app,
        &disputed,
        "dispute",
        &ayu.token,
        json!({"reason": "No offer was made"}),
    )
    .await
    .assert(200);
    let conceded = act(&app, &disputed, "retract", &f.employer, json!({})).await;
    conceded.assert(200);
    assert_eq!(conceded.body["status"], "retracted");
    assert_eq!(stored_status(&app, &disputed), "retracted");

    let (siti, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let id = report(&app, &f, &application, &in_days(&f, 7)).await.id();
    // Only the employer retracts.
    for token in [&siti.token, &f.organizer] {
        act(&app, &id, "retract", token, json!({}))
            .await
            .assert(403);
    }
    let retracted = act(&app, &id, "retract", &f.employer, json!({})).await;
    retracted.assert(200);
    assert_eq!(retracted.body["status"], "retracted");
    assert_eq!(retracted.body["retracted_by"], f.employer_id.as_str());
    assert!(retracted.body["retracted_at"].as_str().is_some());
    for (action, token, body) in [
        ("retract", &f.employer, json!({})),
        ("confirm", &siti.token, json!({})),
        ("dispute", &siti.token, json!({"reason": "x"})),
        ("verify", &f.organizer, json!({"method": "phone"})),
        ("reject", &f.organizer, json!({"note": "x"})),
    ] {
        assert_conflict(
            &act(&app, &id, action, token, body).await,
            "invalid_transition",
        );
    }
    assert_eq!(stored_status(&app, &id), "retracted");
    assert_eq!(audit(&app, &id).len(), 2);

    // The application is handed back to the stage it had reached, and the hire can be reported
    // again (with the right start date, say).
    let application_path = format!("/api/v1/applications/{application}");
    let reopened = app.get(&application_path, Some(&f.employer)).await;
    reopened.assert(200);
    assert_eq!(reopened.body["status"], "applied");
    let history: Vec<&str> = reopened.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["applied", "hired", "applied"]);
    let again = report(&app, &f, &application, &in_days(&f, 14)).await;
    again.assert(201);
    assert_ne!(again.id(), id);
    assert_eq!(
        app.get(&application_path, Some(&f.employer)).await.body["status"],
        "hired"
    );
    // Still one active placement per application.
    assert_conflict(
        &report(&app, &f, &application, &in_days(&f, 21)).await,
        "already_placed",
    );
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM placements WHERE application_id = '{application}'"
        )),
        2
    );
    app.assert_kept_figures();
}

async fn hires_of_job_seekers_who_never_applied(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let budi = Seeker::new(&app, "budi@x.id", "Budi Santoso", "0006").await;
    let body = |s: &Seeker| {
        json!({
            "vacancy_id": f.vacancy, "job_seeker_id": s.id, "start_date": in_days(&f, 20),
            "salary_idr": 4_900_000, "contract_type": "permanent", "occupation_code": "8344"
        })
    };
    // Only for one who checked in.
    assert_conflict(
        &app.post("/api/v1/placements", Some(&f.employer), body(&budi))
            .await,
        "not_checked_in",
    );
    budi.registered(&app, &f.event, None);
    assert_conflict(
        &app.post("/api/v1/placements", Some(&f.employer), body(&budi))
            .await,
        "not_checked_in",
    );
    assert_eq!(app.count("applications"), 0);
    let mut conn = app.conn();
    diesel::update(registrations::table.filter(registrations::job_seeker_id.eq(&budi.id)))
        .set(registrations::checked_in_at.eq(Some(bursa::db::now())))
        .execute(&mut *conn)
        .unwrap();
    drop(conn);

    let reported = app
        .post("/api/v1/placements", Some(&f.employer), body(&budi))
        .await;
    reported.assert(201);
    assert_eq!(flags(&reported.body), Vec::<String>::new());
    let application = reported.body["application_id"].as_str().unwrap().to_owned();
    assert_eq!(application_status(&app, &application), "hired");
    assert_eq!(
        transitions(&app, &application),
        [
            ("applied".to_owned(), f.employer_id.clone()),
            ("hired".to_owned(), f.employer_id.clone()),
        ]
    );
    assert_eq!(app.count("applications"), 1);
    // The same again is the same application: already placed.
    assert_conflict(
        &app.post("/api/v1/placements", Some(&f.employer), body(&budi))
            .await,
        "already_placed",
    );

    // One who did apply: the hire is that application's.
    let (siti, applied) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let by_pair = app
        .post("/api/v1/placements", Some(&f.employer), body(&siti))
        .await;
    by_pair.assert(201);
    assert_eq!(by_pair.body["application_id"], applied.as_str());
    assert_eq!(app.count("applications"), 2);
    app.assert_kept_figures();
}

async fn confirmation_links_are_single_use_and_expire(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (siti, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let start = in_days(&f, 14);
    let id = report(&app, &f, &application, &start).await.id();

    // The employer and the job seeker do not issue links; the organizer does.
    for token in [&f.employer, &siti.token] {
        issue_link(&app, &id, token).await.assert(403);
    }
    let issued = issue_link(&app, &id, &f.organizer).await;
    issued.assert(201);
    let token = issued.body["token"].as_str().unwrap().to_owned();
    let url = issued.body["url"].as_str().unwrap().to_owned();
    // An absolute link to the page where the job seeker answers, to send by hand.
    assert_eq!(
        url,
        format!(
            "{}/placement-confirmations/{token}",
            app.state.config.mail.public_url
        )
    );
    assert!(issued.body["expires_at"].as_str().unwrap().ends_with('Z'));
    // The same token is answered in JSON by the API.
    let url = format!("/api/v1/placement-confirmations/{token}");
    // Only the hash is stored.
    let stored: Vec<String> = placement_confirmations::table
        .select(placement_confirmations::token_hash)
        .load(&mut *app.conn())
        .unwrap();
    // The one emailed to the job seeker with the report, and this one.
    assert_eq!(stored.len(), 2);
    assert!(!stored.contains(&token));

    // Anyone with the link sees the claim, without any NIK.
    let claim = app.get(&url, None).await;
    claim.assert(200);
    assert_eq!(claim.body["placement_id"], id.as_str());
    assert_eq!(claim.body["employer_name"], "employer org");
    assert_eq!(claim.body["position"], "Forklift Operator");
    assert_eq!(claim.body["start_date"], start.as_str());
    assert_eq!(claim.body["status"], "reported");
    assert_no_nik(&claim);
    assert!(claim.body.get("flags").is_none());
    app.get("/api/v1/placement-confirmations/not-a-token", None)
        .await
        .assert(404);

    // Answer once.
    assert_invalid(&app.post(&url, None, json!({})).await, "decision");
    assert_invalid(
        &app.post(&url, None, json!({"decision": "dispute"})).await,
        "reason",
    );
    assert_invalid(
        &app.post(&url, None, json!({"decision": "confirm", "reason": "yes"}))
            .await,
        "reason",
    );
    let answered = app.post(&url, None, json!({"decision": "confirm"})).await;
    answered.assert(200);
    assert_eq!(answered.body["status"], "confirmed");
    assert_eq!(stored_status(&app, &id), "confirmed");
    let again = app
        .post(&url, None, json!({"decision": "dispute", "reason": "x"}))
        .await;
    assert_eq!(again.status, 410, "{}", again.body);
    assert_eq!(again.code(), "link_used");
    app.get(&url, None).await.assert(410);
    assert_eq!(stored_status(&app, &id), "confirmed");
    assert_eq!(
        audit(&app, &id).last().unwrap(),
        &("placement.confirm".to_owned(), None)
    );
    // No link for a placement that is no longer reported.
    assert_conflict(
        &issue_link(&app, &id, &f.organizer).await,
        "invalid_transition",
    );

    // A dispute through a link; an expired link; a superseded link.
    let other = f.post_vacancy(&app, "Welder", json!({})).await;
    let (_, second) = applicant(&app, &f, &other, "ayu@x.id", "0004").await;
    let id2 = report(&app, &f, &second, &start).await.id();
    let old = api_link(&issue_link(&app, &id2, &f.organizer).await);
    let new = api_link(&issue_link(&app, &id2, &f.organizer).await);
    let superseded = app.get(&old, None).await;
    assert_eq!(superseded.status, 410);
    assert_eq!(superseded.code(), "link_expired");
    app.get(&new, None).await.assert(200);
    let mut conn = app.conn();
    diesel::update(
        placement_confirmations::table.filter(placement_confirmations::placement_id.eq(&id2)),
    )
    .set(placement_confirmations::expires_at.eq(bursa::db::now() - Duration::seconds(1)))
    .execute(&mut *conn)
    .unwrap();
    drop(conn);
    for resp in [
        app.get(&new, None).await,
        app.post(&new, None, json!({"decision": "confirm"})).await,
    ] {
        assert_eq!(resp.status, 410, "{}", resp.body);
        assert_eq!(resp.code(), "link_expired");
    }
    assert_eq!(stored_status(&app, &id2), "reported");
    let fresh = api_link(&issue_link(&app, &id2, &f.organizer).await);
    let disputed = app
        .post(
            &fresh,
            None,
            json!({"decision": "dispute", "reason": "I work elsewhere"}),
        )
        .await;
    disputed.assert(200);
    assert_eq!(disputed.body["status"], "disputed");
    assert_eq!(stored_status(&app, &id2), "disputed");

    // A link is dead once the placement left `reported` another way.
    let third_vacancy = f.post_vacancy(&app, "Packer", json!({})).await;
    let (budi, third) = applicant(&app, &f, &third_vacancy, "budi@x.id", "0006").await;
    let id3 = report(&app, &f, &third, &start).await.id();
    let link = api_link(&issue_link(&app, &id3, &f.organizer).await);
    act(&app, &id3, "confirm", &budi.token, json!({}))
        .await
        .assert(200);
    let closed = app
        .post(&link, None, json!({"decision": "dispute", "reason": "x"}))
        .await;
    assert_eq!(closed.status, 410, "{}", closed.body);
    assert_eq!(closed.code(), "link_closed");
    assert_eq!(stored_status(&app, &id3), "confirmed");
    app.assert_kept_figures();
}

async fn each_flag_in_its_own_scenario(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;

    // A clean report: no flag.
    let (_, clean) = applicant(&app, &f, &f.vacancy, "clean@x.id", "0001").await;
    let clean_id = report(&app, &f, &clean, &in_days(&f, 14)).await;
    assert_eq!(flags(&clean_id.body), Vec::<String>::new());

    // start_before_event: the day before the event's first local day; its first day is fine.
    let v = f.post_vacancy(&app, "Early", json!({})).await;
    let (_, early) = applicant(&app, &f, &v, "early@x.id", "0002").await;
    let resp = report(&app, &f, &early, &in_days(&f, -1)).await;
    assert_eq!(flags(&resp.body), ["start_before_event"]);
    let v = f.post_vacancy(&app, "First Day", json!({})).await;
    let (_, first_day) = applicant(&app, &f, &v, "first@x.id", "0003").await;
    let resp = report(&app, &f, &first_day, &in_days(&f, 0)).await;
    assert_eq!(flags(&resp.body), Vec::<String>::new());

    // not_checked_in: registered and applied, never checked in.
    let v = f.post_vacancy(&app, "Absent", json!({})).await;
    let absent = Seeker::new(&app, "absent@x.id", "Absent", "0004").await;
    absent.registered(&app, &f.event, None);
    let absent_app = absent.apply(&app, &v).await;
    let resp = report(&app, &f, &absent_app, &in_days(&f, 14)).await;
    assert_eq!(flags(&resp.body), ["not_checked_in"]);

    // exceeds_openings: one opening, already filled by a verified placement.
    let v = f.post_vacancy(&app, "Single", json!({"openings": 1})).await;
    let (one, one_app) = applicant(&app, &f, &v, "one@x.id", "0005").await;
    let first = report(&app, &f, &one_app, &in_days(&f, 14)).await;
    assert_eq!(
        flags(&first.body),
        Vec::<String>::new(),
        "a reported one does not count"
    );
    let (_, two_app) = applicant(&app, &f, &v, "two@x.id", "0006").await;
    let (_, three_app) = applicant(&app, &f, &v, "three@x.id", "0007").await;
    let second = report(&app, &f, &two_app, &in_days(&f, 14)).await;
    assert_eq!(flags(&second.body), Vec::<String>::new());
    act(&app, &first.id(), "confirm", &one.token, json!({}))
        .await
        .assert(200);
    let third = report(&app, &f, &three_app, &in_days(&f, 14)).await;
    assert_eq!(flags(&third.body), ["exceeds_openings"]);

    // placed_twice: the same job seeker, another active placement starting within 30 days.
    let v1 = f.post_vacancy(&app, "Twice A", json!({})).await;
    let v2 = f.post_vacancy(&app, "Twice B", json!({})).await;
    let v3 = f.post_vacancy(&app, "Twice C", json!({})).await;
    let (twice, twice_a) = applicant(&app, &f, &v1, "twice@x.id", "0008").await;
    let twice_b = twice.apply(&app, &v2).await;
    let twice_c = twice.apply(&app, &v3).await;
    let a = report(&app, &f, &twice_a, &in_days(&f, 10)).await;
    assert_eq!(flags(&a.body), Vec::<String>::new());
    let far = report(&app, &f, &twice_b, &in_days(&f, 41)).await;
    assert_eq!(flags(&far.body), Vec::<String>::new(), "31 days apart");
    let near = report(&app, &f, &twice_c, &in_days(&f, 40)).await;
    assert_eq!(
        flags(&near.body),
        ["placed_twice"],
        "within 30 days of the second"
    );
    // A retracted placement is not active.
    let v4 = f.post_vacancy(&app, "Twice D", json!({})).await;
    let (again, again_a) = applicant(&app, &f, &v4, "again@x.id", "0009").await;
    let v5 = f.post_vacancy(&app, "Twice E", json!({})).await;
    let again_b = again.apply(&app, &v5).await;
    let gone = report(&app, &f, &again_a, &in_days(&f, 10)).await.id();
    act(&app, &gone, "retract", &f.employer, json!({}))
        .await
        .assert(200);
    let resp = report(&app, &f, &again_b, &in_days(&f, 12)).await;
    assert_eq!(flags(&resp.body), Vec::<String>::new());

    // late_start: more than 180 days after the event's last local day.
    let v = f.post_vacancy(&app, "Late", json!({})).await;
    let (_, late_ok) = applicant(&app, &f, &v, "ontime@x.id", "0010").await;
    let on_time = (f.last_day() + Duration::days(180)).to_string();
    assert_eq!(
        flags(&report(&app, &f, &late_ok, &on_time).await.body),
        Vec::<String>::new()
    );
    let v = f.post_vacancy(&app, "Later", json!({})).await;
    let (_, late) = applicant(&app, &f, &v, "late@x.id", "0011").await;
    let too_late = (f.last_day() + Duration::days(181)).to_string();
    let late_resp = report(&app, &f, &late, &too_late).await;
    assert_eq!(flags(&late_resp.body), ["late_start"]);

    // The event's list filters by flag; flags never blocked a report.
    let list = |q: &str| format!("/api/v1/events/{}/placements?{q}", f.event);
    let flagged = app.get(&list("flag=late_start"), Some(&ministry)).await;
    flagged.assert(200);
    assert_eq!(ids(&flagged), [late_resp.id()]);
    let flagged = app
        .get(&list("flag=not_checked_in"), Some(&f.organizer))
        .await;
    assert_eq!(flagged.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(flagged.body["items"][0]["flags"], json!(["not_checked_in"]));
    app.get(&list("flag=cheating"), Some(&f.organizer))
        .await
        .assert(422);
    let all = app.get(&list("limit=100"), Some(&f.organizer)).await;
    assert_eq!(all.body["items"].as_array().unwrap().len(), 14);
    app.assert_kept_figures();
}

async fn idempotent_retries_answer_as_the_first(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (_, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let body = report_body(&application, &in_days(&f, 14));
    let first = send(&app, &f.employer, "retry-1", &body).await;
    first.assert(201);
    assert!(first.header("idempotent-replayed").is_none());
    let retry = send(&app, &f.employer, "retry-1", &body).await;
    retry.assert(201);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(retry.body, first.body);
    assert_eq!(app.count("placements"), 1);
    assert_eq!(audit(&app, &first.id()).len(), 1);

    // The same key for another request is refused; a bad key is 422.
    let mut changed = body.clone();
    changed["salary_idr"] = json!(1);
    assert_conflict(
        &send(&app, &f.employer, "retry-1", &changed).await,
        "idempotency_key_reused",
    );
    assert_invalid(
        &send(&app, &f.employer, &"k".repeat(256), &body).await,
        "Idempotency-Key",
    );
    // Without a key, or with a new one, the same report is a conflict.
    assert_conflict(
        &send(&app, &f.employer, "retry-2", &body).await,
        "already_placed",
    );
    assert_eq!(app.count("placements"), 1);

    // Concurrent retries with one key: one placement, every answer the same.
    let v = f.post_vacancy(&app, "Welder", json!({})).await;
    let (_, second) = applicant(&app, &f, &v, "ayu@x.id", "0004").await;
    let body = report_body(&second, &in_days(&f, 14));
    let results = join_all((0..8).map(|_| send(&app, &f.employer, "burst", &body))).await;
    for r in &results {
        r.assert(201);
        assert_eq!(r.body, results[0].body);
    }
    assert_eq!(app.count("placements"), 2);
    app.assert_kept_figures();
}

async fn concurrent_reports_make_one_placement(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (_, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let body = report_body(&application, &in_days(&f, 14));
    let results: Vec<Resp> =
        join_all((0..20).map(|_| app.post("/api/v1/placements", Some(&f.employer), body.clone())))
            .await;
    let winners: Vec<&Resp> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = winners[0].id();
    for loser in results.iter().filter(|r| r.status != 201) {
        assert_conflict(loser, "already_placed");
        assert_eq!(
            loser.body["error"]["details"][0]["message"],
            winner.as_str()
        );
    }
    assert_eq!(app.count("placements"), 1);
    let hired = transitions(&app, &application)
        .into_iter()
        .filter(|(s, _)| s == "hired")
        .count();
    assert_eq!(hired, 1);
    assert_eq!(audit(&app, &winner).len(), 1);

    // The same for a job seeker who never applied: one application, one placement.
    let budi = Seeker::new(&app, "budi@x.id", "Budi Santoso", "0006").await;
    budi.registered(&app, &f.event, Some(&f.organizer_id));
    let body = json!({
        "vacancy_id": f.vacancy, "job_seeker_id": budi.id, "start_date": in_days(&f, 14),
        "salary_idr": 4_900_000, "contract_type": "daily", "occupation_code": "8344"
    });
    let results: Vec<Resp> =
        join_all((0..10).map(|_| app.post("/api/v1/placements", Some(&f.employer), body.clone())))
            .await;
    let winners: Vec<&Resp> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = winners[0].id();
    for loser in results.iter().filter(|r| r.status != 201) {
        assert_conflict(loser, "already_placed");
        assert_eq!(
            loser.body["error"]["details"][0]["message"],
            winner.as_str()
        );
    }
    assert_eq!(app.count("placements"), 2);
    assert_eq!(app.count("applications"), 2);
    app.assert_kept_figures();
}

async fn outsiders_get_404_on_every_placement_action(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (siti, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let id = report(&app, &f, &application, &in_days(&f, 14)).await.id();

    // Another employer's member (at the same fair), another job seeker, another event's
    // organizer.
    let rival = Employer::at(&app, &f, "hr@rival.id", true).await.token;
    let stranger = Seeker::new(&app, "ayu@x.id", "Ayu Lestari", "0004").await;
    let other = HiringFair::new(&app, "b").await;
    // A placement is personal data: to those who are no party to it, it does not exist.
    for token in [&rival, &stranger.token, &other.organizer] {
        app.get(&path(&id), Some(token)).await.assert(404);
        for (action, body) in [
            ("confirm", json!({})),
            ("dispute", json!({"reason": "not me"})),
            ("retract", json!({})),
            ("verify", json!({"method": "phone"})),
            ("reject", json!({"note": "fake"})),
            ("confirmation-link", json!({})),
        ] {
            let resp = act(&app, &id, action, token, body).await;
            assert_eq!(resp.status, 404, "{action}: {}", resp.body);
        }
    }
    // Nor does the rival report a hire for a vacancy that is not theirs.
    let (_, ayu_app) = applicant(&app, &f, &f.vacancy, "budi@x.id", "0006").await;
    app.post(
        "/api/v1/placements",
        Some(&rival),
        report_body(&ayu_app, &in_days(&f, 14)),
    )
    .await
    .assert(403);
    app.post(
        "/api/v1/placements",
        Some(&siti.token),
        report_body(&ayu_app, &in_days(&f, 14)),
    )
    .await
    .assert(403);
    assert_eq!(stored_status(&app, &id), "reported");
    assert_eq!(app.count("placements"), 1);
    // Only the link emailed to the job seeker with the report: outsiders issued none.
    assert_eq!(app.count("placement_confirmations"), 1);

    // Unknown placements are 404; no token is 401.
    let unknown = uuid::Uuid::new_v4().to_string();
    app.get(&path(&unknown), Some(&f.employer))
        .await
        .assert(404);
    act(&app, &unknown, "confirm", &siti.token, json!({}))
        .await
        .assert(404);
    app.get(&path("x"), Some(&f.employer)).await.assert(404);
    app.get(&path(&id), None).await.assert(401);
}

async fn lists_show_each_party_its_own(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (siti, first) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let v = f.post_vacancy(&app, "Welder", json!({})).await;
    let (_, second) = applicant(&app, &f, &v, "ayu@x.id", "0004").await;
    let a = report(&app, &f, &first, &in_days(&f, 14)).await.id();
    let b = report(&app, &f, &second, &in_days(&f, 14)).await.id();
    act(&app, &a, "confirm", &siti.token, json!({}))
        .await
        .assert(200);
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;

    // The event's: organizer and ministry, filtered by status.
    let events = format!("/api/v1/events/{}/placements", f.event);
    for token in [&f.organizer, &ministry] {
        let all = app.get(&events, Some(token)).await;
        all.assert(200);
        assert_eq!(ids(&all), [a.clone(), b.clone()]);
        assert!(all.body["items"][0]["flags"].is_array());
    }
    let confirmed = app
        .get(&format!("{events}?status=confirmed"), Some(&f.organizer))
        .await;
    assert_eq!(ids(&confirmed), [a.as_str()]);
    let page = app
        .get(&format!("{events}?limit=1"), Some(&f.organizer))
        .await;
    assert_eq!(ids(&page), [a.as_str()]);
    let cursor = page.body["next_cursor"].as_str().unwrap();
    let next = app
        .get(
            &format!("{events}?limit=1&cursor={cursor}"),
            Some(&f.organizer),
        )
        .await;
    assert_eq!(ids(&next), [b.as_str()]);
    assert!(next.body["next_cursor"].is_null());
    for token in [&f.employer, &siti.token] {
        app.get(&events, Some(token)).await.assert(403);
    }
    app.get(&format!("{events}?status=hired"), Some(&f.organizer))
        .await
        .assert(422);

    // The employer's.
    let orgs = format!("/api/v1/organizations/{}/placements", f.company);
    let mine = app.get(&orgs, Some(&f.employer)).await;
    mine.assert(200);
    assert_eq!(ids(&mine), [a.clone(), b.clone()]);
    let rival = Employer::new(&app, "hr@rival.id").await.token;
    for token in [&rival, &siti.token, &f.organizer] {
        app.get(&orgs, Some(token)).await.assert(403);
    }
    app.get(&orgs, Some(&ministry)).await.assert(200);

    // The job seeker's, without flags.
    let own = app.get("/api/v1/me/placements", Some(&siti.token)).await;
    own.assert(200);
    assert_eq!(ids(&own), [a.as_str()]);
    assert!(own.body["items"][0].get("flags").is_none());
    assert_no_nik(&own);
    let none = app.get("/api/v1/me/placements", Some(&f.employer)).await;
    assert_eq!(ids(&none), Vec::<String>::new());
}

async fn bad_bodies_change_nothing(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let (_, application) = applicant(&app, &f, &f.vacancy, "siti@x.id", "0002").await;
    let post = |body: Value| app.post("/api/v1/placements", Some(&f.employer), body);
    let good = report_body(&application, &in_days(&f, 14));
    let with = |k: &str, v: Value| {
        let mut b = good.clone();
        b[k] = v;
        b
    };
    let without = |k: &str| {
        let mut b = good.clone();
        b.as_object_mut().unwrap().remove(k);
        b
    };
    let resp = post(json!({})).await;
    assert_eq!(resp.status, 422);
    assert_eq!(
        resp.fields(),
        [
            "application_id",
            "start_date",
            "salary_idr",
            "contract_type",
            "occupation_code"
        ]
    );
    assert_invalid(
        &post(with("application_id", json!("x"))).await,
        "application_id",
    );
    assert_invalid(
        &post(with("application_id", json!(uuid::Uuid::new_v4()))).await,
        "application_id",
    );
    assert_invalid(
        &post(with("vacancy_id", json!(f.vacancy))).await,
        "application_id",
    );
    let mut pair = without("application_id");
    pair["vacancy_id"] = json!(f.vacancy);
    assert_invalid(&post(pair).await, "job_seeker_id");
    assert_invalid(
        &post(with("start_date", json!("2026-13-01"))).await,
        "start_date",
    );
    assert_invalid(
        &post(with("start_date", json!("1999-12-31"))).await,
        "start_date",
    );
    assert_invalid(&post(with("salary_idr", json!(-1))).await, "salary_idr");
    assert_invalid(
        &post(with("contract_type", json!("freelance"))).await,
        "contract_type",
    );
    assert_invalid(
        &post(with("occupation_code", json!("83A4"))).await,
        "occupation_code",
    );
    assert_invalid(
        &post(with("occupation_code", json!("83441"))).await,
        "occupation_code",
    );
    assert_invalid(&post(with("surprise", json!(1))).await, "surprise");
    assert_eq!(app.count("placements"), 0);
    assert_eq!(application_status(&app, &application), "applied");

    // A rejected application does not become a hire.
    app.patch(
        &format!("/api/v1/applications/{application}"),
        Some(&f.employer),
        json!({"status": "rejected"}),
    )
    .await
    .assert(200);
    assert_conflict(&post(good.clone()).await, "application_closed");
    assert_eq!(app.count("placements"), 0);
    app.post("/api/v1/placements", None, good).await.assert(401);
    app.assert_kept_figures();
}
