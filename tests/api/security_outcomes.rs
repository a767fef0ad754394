//! Issue 11 for applications, placements and follow-ups: dates outside the accepted years are
//! refused (never a panic), outsiders get one answer for applications and placements alike (404:
//! they do not exist for them), and an employer demoted to job seeker acts for the company no
//! more.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use bursa::auth::Role;
use bursa::db::schema::{applications, placements};
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{Resp, TestApp};
use crate::db_tests;
use crate::fixtures::HiringFair;

db_tests!(
    dates_outside_the_accepted_years_are_422,
    outsiders_get_the_same_404_for_applications_and_placements,
    a_demoted_employer_signed_in_again_acts_for_the_company_no_more,
    a_demoted_employer_keeps_no_power_with_an_old_token,
);

// ---------------------------------------------------------------------------------------------
// Set-up, through the API
// ---------------------------------------------------------------------------------------------

/// A published fair that started two hours ago, an approved employer and one open vacancy.
type Fair = HiringFair;

async fn fair(app: &TestApp, tag: &str) -> Fair {
    HiringFair::new(app, tag).await
}

async fn approve(app: &TestApp, organizer: &str, event: &str, employer: &str, company: &str) {
    let employers = format!("/api/v1/events/{event}/employers");
    app.post(
        &employers,
        Some(employer),
        json!({"organization_id": company}),
    )
    .await
    .assert(201);
    app.post(
        &format!("{employers}/{company}/approve"),
        Some(organizer),
        json!({}),
    )
    .await
    .assert(200);
}

/// A job seeker with a profile: (token, profile id).
async fn seeker(app: &TestApp, email: &str, last4: &str) -> (String, String) {
    let (_, token) = app.user(email, Role::JobSeeker).await;
    let id = app
        .post(
            "/api/v1/job-seekers",
            Some(&token),
            json!({
                "full_name": "Siti Rahayu", "nik": format!("317401550895{last4}"),
                "birth_date": "1995-08-15", "gender": "female", "education_level": "smk",
                "province_code": "31", "city": "Jakarta Timur", "disability": false,
                "consent": true
            }),
        )
        .await
        .assert(201)
        .id();
    (token, id)
}

/// A job seeker who registered, checked in and applied for the fair's vacancy:
/// (token, application id).
async fn applicant(app: &TestApp, f: &Fair, email: &str, last4: &str) -> (String, String) {
    let (token, _) = seeker(app, email, last4).await;
    let registration = app
        .post(
            &format!("/api/v1/events/{}/registrations", f.event),
            Some(&token),
            json!({}),
        )
        .await;
    registration.assert(201);
    let code = registration.body["check_in_code"].as_str().unwrap();
    app.post(
        &format!("/api/v1/events/{}/check-ins", f.event),
        Some(&f.organizer),
        json!({ "check_in_code": code }),
    )
    .await
    .assert(200);
    let application = app
        .post(
            &format!("/api/v1/vacancies/{}/applications", f.vacancy),
            Some(&token),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    (token, application)
}

fn report_body(application: &str) -> Value {
    let start = (Utc::now() + Duration::days(14)).date_naive();
    json!({
        "application_id": application, "start_date": start.to_string(),
        "salary_idr": 5_200_000, "contract_type": "contract", "occupation_code": "8344"
    })
}

async fn report(app: &TestApp, f: &Fair, application: &str) -> String {
    app.post(
        "/api/v1/placements",
        Some(&f.employer),
        report_body(application),
    )
    .await
    .assert(201)
    .id()
}

fn application_status(app: &TestApp, id: &str) -> String {
    applications::table
        .find(id)
        .select(applications::status)
        .first(&mut *app.conn())
        .unwrap()
}

fn assert_invalid(resp: &Resp, field: &str) {
    assert_eq!(resp.status, 422, "{}", resp.body);
    assert_eq!(resp.code(), "validation_failed", "{}", resp.body);
    assert_eq!(resp.fields(), [field], "{}", resp.body);
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn dates_outside_the_accepted_years_are_422(app: TestApp) {
    let f = fair(&app, "d").await;
    let (siti, application) = applicant(&app, &f, "siti@d.id", "0002").await;
    let placement = report(&app, &f, &application).await;
    app.post(
        &format!("/api/v1/placements/{placement}/confirm"),
        Some(&siti),
        json!({}),
    )
    .await
    .assert(200);
    let admin = app.admin_token().await;

    // The due list: `before` is bounded (it panicked on a date the date arithmetic overflows).
    for before in ["-262143-06-01", "9999-12-31", "1999-12-31", "2101-01-01"] {
        let resp = app
            .get(
                &format!("/api/v1/follow-ups/due?before={before}"),
                Some(&admin),
            )
            .await;
        assert_invalid(&resp, "before");
    }
    let due = format!(
        "/api/v1/follow-ups/due?before=2100-12-31&organization_id={}",
        f.company
    );
    app.get(&due, Some(&f.employer)).await.assert(200);
    // A forged cursor cannot carry such a date either.
    for date in ["-262143-06-01", "9999-12-31"] {
        let cursor = URL_SAFE_NO_PAD.encode(format!("{date}/90\n{placement}"));
        let resp = app
            .get(
                &format!("/api/v1/follow-ups/due?cursor={cursor}"),
                Some(&admin),
            )
            .await;
        assert_invalid(&resp, "cursor");
    }

    // A follow-up's `checked_on` and a hire's `start_date`.
    let follow_ups = format!("/api/v1/placements/{placement}/follow-ups");
    for checked_on in ["-262143-06-01", "1999-12-31"] {
        let resp = app
            .post(
                &follow_ups,
                Some(&f.employer),
                json!({"checked_on": checked_on, "employed": true, "same_employer": true,
                       "source": "employer"}),
            )
            .await;
        assert_invalid(&resp, "checked_on");
    }
    assert_eq!(app.count("follow_ups"), 0);
    let (_, second) = applicant(&app, &f, "ayu@d.id", "0004").await;
    for start in ["-262143-06-01", "9999-12-31", "1999-12-31"] {
        let mut body = report_body(&second);
        body["start_date"] = json!(start);
        let resp = app
            .post("/api/v1/placements", Some(&f.employer), body)
            .await;
        assert_invalid(&resp, "start_date");
    }
    assert_eq!(app.count("placements"), 1);
}

async fn outsiders_get_the_same_404_for_applications_and_placements(app: TestApp) {
    let f = fair(&app, "o").await;
    let (siti, application) = applicant(&app, &f, "siti@o.id", "0002").await;
    let placement = report(&app, &f, &application).await;

    // Another employer at the same fair, another job seeker, the organizer of another fair.
    let (_, rival) = app.user("hr@rival.id", Role::Employer).await;
    let rival_company = app.organization(&rival, "employer").await;
    approve(&app, &f.organizer, &f.event, &rival, &rival_company).await;
    let (stranger, _) = seeker(&app, "ayu@o.id", "0004").await;
    let other = fair(&app, "p").await;

    let unknown = uuid::Uuid::new_v4().to_string();
    let pairs = [
        ("/api/v1/applications/{}", &application),
        ("/api/v1/placements/{}", &placement),
        ("/api/v1/placements/{}/follow-ups", &placement),
    ];
    for token in [&rival, &stranger, &other.organizer] {
        for (pattern, id) in pairs {
            let path = pattern.replace("{}", id);
            let resp = app.get(&path, Some(token)).await;
            resp.assert(404);
            assert_eq!(resp.code(), "not_found");
            // Word for word what one that does not exist gets.
            let absent = app.get(&pattern.replace("{}", &unknown), Some(token)).await;
            absent.assert(404);
            assert_eq!(
                resp.body["error"]["message"], absent.body["error"]["message"],
                "{path}"
            );
        }
        // Nor can they act on them.
        app.patch(
            &format!("/api/v1/applications/{application}"),
            Some(token),
            json!({"status": "withdrawn"}),
        )
        .await
        .assert(404);
        app.post(
            &format!("/api/v1/placements/{placement}/verify"),
            Some(token),
            json!({"method": "phone"}),
        )
        .await
        .assert(404);
    }
    // The parties still read both; one who may read but not act gets 403.
    for token in [&siti, &f.employer, &f.organizer] {
        app.get(&format!("/api/v1/applications/{application}"), Some(token))
            .await
            .assert(200);
        app.get(&format!("/api/v1/placements/{placement}"), Some(token))
            .await
            .assert(200);
    }
    app.post(
        &format!("/api/v1/placements/{placement}/verify"),
        Some(&f.employer),
        json!({"method": "phone"}),
    )
    .await
    .assert(403);
    let status: String = placements::table
        .find(&placement)
        .select(placements::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "reported");
    assert_eq!(application_status(&app, &application), "hired");
}

/// The admin makes the employer a job seeker.
async fn demote(app: &TestApp, f: &Fair) {
    let admin = app.admin_token().await;
    app.patch(
        &format!("/api/v1/users/{}", f.employer_id),
        Some(&admin),
        json!({"role": "job_seeker"}),
    )
    .await
    .assert(200);
}

/// What a demoted employer must not do any more, with `token`: move an application, report a
/// hire, retract one, read the company's placements.
async fn demoted_employer_is_refused(app: &TestApp, f: &Fair, token: &str) {
    let (_, application) = applicant(app, f, "siti@m.id", "0002").await;
    let (_, second) = applicant(app, f, "ayu@m.id", "0004").await;
    let placement = report(app, f, &second).await;
    demote(app, f).await;
    // A token from before the demotion is refused outright (401); a new sign-in acts as a job
    // seeker, who is no party to the company's applications and placements (403 or 404).
    let refused: &[u16] = if token.is_empty() {
        &[403, 404]
    } else {
        &[401]
    };
    let token = if token.is_empty() {
        app.login("hr@m.id").await["access_token"]
            .as_str()
            .unwrap()
            .to_owned()
    } else {
        token.to_owned()
    };

    let moved = app
        .patch(
            &format!("/api/v1/applications/{application}"),
            Some(&token),
            json!({"status": "shortlisted"}),
        )
        .await;
    assert!(
        refused.contains(&moved.status),
        "moved an application: {}",
        moved.body
    );
    let reported = app
        .post(
            "/api/v1/placements",
            Some(&token),
            report_body(&application),
        )
        .await;
    assert!(
        refused.contains(&reported.status),
        "reported a hire: {}",
        reported.body
    );
    let retracted = app
        .post(
            &format!("/api/v1/placements/{placement}/retract"),
            Some(&token),
            json!({}),
        )
        .await;
    assert!(
        refused.contains(&retracted.status),
        "retracted a hire: {}",
        retracted.body
    );
    let listed = app
        .get(
            &format!("/api/v1/organizations/{}/placements", f.company),
            Some(&token),
        )
        .await;
    let refused_list = if refused == [401] { 401 } else { 403 };
    assert_eq!(listed.status, refused_list, "{}", listed.body);
    assert_eq!(application_status(app, &application), "applied");
    assert_eq!(app.count("placements"), 1);
    let status: String = placements::table
        .find(&placement)
        .select(placements::status)
        .first(&mut *app.conn())
        .unwrap();
    assert_eq!(status, "reported");
}

async fn a_demoted_employer_signed_in_again_acts_for_the_company_no_more(app: TestApp) {
    let f = fair(&app, "m").await;
    // A new token, with the new role: the membership it still has no longer counts.
    demoted_employer_is_refused(&app, &f, "").await;
}

/// With the token issued before the demotion: the caller's role is read afresh on each request.
async fn a_demoted_employer_keeps_no_power_with_an_old_token(app: TestApp) {
    let f = fair(&app, "m").await;
    let old_token = f.employer.clone();
    demoted_employer_is_refused(&app, &f, &old_token).await;
}
