//! Running a fair: the event lifecycle, employers joining and being approved, vacancies.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::Fair;

db_tests!(
    events_go_draft_published_closed_or_cancelled,
    employers_join_published_fairs_and_organizers_decide,
    approved_employers_post_vacancies_that_the_public_can_browse,
);

/// An organizer with a draft event; `started` puts its start in the past.
async fn fair(app: &TestApp, started: bool) -> Fair {
    fair_of(app, "organizer@disnaker.id", started).await
}

/// A draft event of a new organizer `email`: started two hours ago if `started`, else a month
/// ahead (not the standard body's fixed date, which passes).
async fn fair_of(app: &TestApp, email: &str, started: bool) -> Fair {
    let fair = Fair::by(app, email);
    let fair = if started {
        fair.running()
    } else {
        fair.starting(Utc::now() + Duration::days(30), 8)
    };
    fair.draft().await
}

async fn publish(app: &TestApp, fair: &Fair) -> Value {
    let resp = app
        .post(
            &format!("/api/v1/events/{}/publish", fair.event),
            Some(&fair.organizer),
            json!({}),
        )
        .await;
    resp.assert(200);
    resp.body.clone()
}

async fn events_go_draft_published_closed_or_cancelled(app: TestApp) {
    let upcoming = fair(&app, false).await;
    let path = format!("/api/v1/events/{}", upcoming.event);
    let (_, stranger) = app.user("other@disnaker.id", Role::Organizer).await;
    // Another organizer may not even learn that the draft exists (issue 11: 404, not 403).
    app.post(&format!("{path}/publish"), Some(&stranger), json!({}))
        .await
        .assert(404);
    app.get(&path, None).await.assert(404);

    let published = publish(&app, &upcoming).await;
    assert_eq!(published["status"], "published");
    assert!(published["published_at"].is_string());
    let public = app.get(&path, None).await;
    public.assert(200);
    assert_eq!(public.body["status"], "published");
    let listed = app.get("/api/v1/events", None).await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);

    let again = app
        .post(
            &format!("{path}/publish"),
            Some(&upcoming.organizer),
            json!({}),
        )
        .await;
    again.assert(409);
    assert_eq!(again.code(), "invalid_transition");
    let early = app
        .post(
            &format!("{path}/close"),
            Some(&upcoming.organizer),
            json!({"spent_idr": 1}),
        )
        .await;
    early.assert(409);
    assert_eq!(early.code(), "event_not_started");

    // A fair that has started can be closed with its real spending, once.
    let running = fair_of(&app, "b@disnaker.id", true).await;
    let close_path = format!("/api/v1/events/{}/close", running.event);
    app.post(
        &close_path,
        Some(&running.organizer),
        json!({"spent_idr": 5}),
    )
    .await
    .assert(409);
    publish(&app, &running).await;
    let missing = app
        .post(
            &close_path,
            Some(&running.organizer),
            json!({"notes": "done"}),
        )
        .await;
    missing.assert(422);
    assert_eq!(missing.fields(), ["spent_idr"]);
    app.post(
        &close_path,
        Some(&running.organizer),
        json!({"spent_idr": -1}),
    )
    .await
    .assert(422);
    let closed = app
        .post(
            &close_path,
            Some(&running.organizer),
            json!({"spent_idr": 120000000, "notes": "Venue was donated."}),
        )
        .await;
    closed.assert(200);
    assert_eq!(closed.body["status"], "closed");
    assert_eq!(closed.body["spent_idr"], 120000000);
    assert_eq!(closed.body["closing_notes"], "Venue was donated.");
    app.post(
        &close_path,
        Some(&running.organizer),
        json!({"spent_idr": 1}),
    )
    .await
    .assert(409);
    let event_path = format!("/api/v1/events/{}", running.event);
    app.post(
        &format!("{event_path}/cancel"),
        Some(&running.organizer),
        json!({}),
    )
    .await
    .assert(409);
    app.patch(
        &event_path,
        Some(&running.organizer),
        json!({"title": "Renamed"}),
    )
    .await
    .assert(409);
    app.get(&event_path, None).await.assert(200);

    // Cancelling: the published upcoming fair is withdrawn from the public.
    let cancelled = app
        .post(
            &format!("{path}/cancel"),
            Some(&upcoming.organizer),
            json!({}),
        )
        .await;
    cancelled.assert(200);
    assert_eq!(cancelled.body["status"], "cancelled");
    app.get(&path, None).await.assert(404);
    app.get(&path, Some(&upcoming.organizer)).await.assert(200);
}

async fn employers_join_published_fairs_and_organizers_decide(app: TestApp) {
    let fair = fair(&app, false).await;
    let employers = format!("/api/v1/events/{}/employers", fair.event);
    let (_, employer) = app.user("hr@pt-maju.id", Role::Employer).await;
    let company = app.organization(&employer, "employer").await;
    let (_, employer2) = app.user("hr@cv-jaya.id", Role::Employer).await;
    let company2 = app.organization(&employer2, "employer").await;
    let join = json!({"organization_id": company, "booth": "A-12"});

    // A draft is not visible to employers yet.
    app.post(&employers, Some(&employer), join.clone())
        .await
        .assert(404);
    publish(&app, &fair).await;
    let (_, seeker) = app.user("seeker@x.id", Role::JobSeeker).await;
    app.post(&employers, Some(&seeker), join.clone())
        .await
        .assert(403);
    app.post(&employers, Some(&employer2), join.clone())
        .await
        .assert(403);
    let organizer_org = app.get("/api/v1/me", Some(&fair.organizer)).await.body["organizations"][0]
        ["organization_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let wrong_kind = app
        .post(
            &employers,
            Some(&employer),
            json!({"organization_id": organizer_org}),
        )
        .await;
    wrong_kind.assert(422);

    let joined = app.post(&employers, Some(&employer), join.clone()).await;
    joined.assert(201);
    assert_eq!(joined.body["status"], "pending");
    assert_eq!(joined.body["booth"], "A-12");
    assert_eq!(joined.body["organization_name"], "employer org");
    let twice = app.post(&employers, Some(&employer), join).await;
    twice.assert(409);
    assert_eq!(twice.code(), "already_participating");
    app.post(
        &employers,
        Some(&employer2),
        json!({"organization_id": company2}),
    )
    .await
    .assert(201);

    let approve = format!("{employers}/{company}/approve");
    app.post(&approve, Some(&employer), json!({}))
        .await
        .assert(403);
    let (_, stranger) = app.user("other@disnaker.id", Role::Organizer).await;
    app.post(&approve, Some(&stranger), json!({}))
        .await
        .assert(403);
    let approved = app.post(&approve, Some(&fair.organizer), json!({})).await;
    approved.assert(200);
    assert_eq!(approved.body["status"], "approved");
    assert!(approved.body["decided_at"].is_string());
    app.post(&approve, Some(&fair.organizer), json!({}))
        .await
        .assert(409);

    let count = |resp: &crate::common::Resp| resp.body["items"].as_array().unwrap().len();
    assert_eq!(
        count(&app.get(&employers, None).await),
        1,
        "the public sees approved employers"
    );
    assert_eq!(count(&app.get(&employers, Some(&fair.organizer)).await), 2);
    assert_eq!(
        count(&app.get(&employers, Some(&employer2)).await),
        2,
        "an employer sees its own request"
    );
    assert_eq!(
        count(
            &app.get(
                &format!("{employers}?status=pending"),
                Some(&fair.organizer)
            )
            .await
        ),
        1
    );

    let rejected = app
        .post(
            &format!("{employers}/{company2}/reject"),
            Some(&fair.organizer),
            json!({}),
        )
        .await;
    rejected.assert(200);
    assert_eq!(rejected.body["status"], "rejected");
    app.post(
        &format!("{employers}/{}/approve", uuid::Uuid::new_v4()),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(404);
}

async fn approved_employers_post_vacancies_that_the_public_can_browse(app: TestApp) {
    let fair = fair(&app, false).await;
    publish(&app, &fair).await;
    let (_, employer) = app.user("hr@pt-maju.id", Role::Employer).await;
    let company = app.organization(&employer, "employer").await;
    let employers = format!("/api/v1/events/{}/employers", fair.event);
    app.post(
        &employers,
        Some(&employer),
        json!({"organization_id": company}),
    )
    .await
    .assert(201);
    let vacancies = format!("/api/v1/events/{}/vacancies", fair.event);
    let vacancy = |title: &str, education: Value, friendly: bool| {
        json!({
            "organization_id": company, "title": title, "description": "Shift work.",
            "occupation_code": "8322", "openings": 3, "employment_type": "contract",
            "salary_min_idr": 4500000, "salary_max_idr": 5500000, "education_min": education,
            "location_province_code": "31", "location_city": "Jakarta Utara", "disability_friendly": friendly
        })
    };
    let pending = app
        .post(
            &vacancies,
            Some(&employer),
            vacancy("Driver", json!("sma"), false),
        )
        .await;
    pending.assert(403);
    app.post(
        &format!("{employers}/{company}/approve"),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);

    for (change, field) in [
        (json!({"occupation_code": "83"}), "occupation_code"),
        (json!({"openings": 0}), "openings"),
        (json!({"salary_min_idr": 6000000}), "salary_max_idr"),
        (json!({"employment_type": "gig"}), "employment_type"),
        (json!({"education_min": "phd"}), "education_min"),
        (
            json!({"location_province_code": "00"}),
            "location_province_code",
        ),
    ] {
        let mut body = vacancy("Driver", json!("sma"), false);
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let resp = app.post(&vacancies, Some(&employer), body).await;
        assert_eq!(resp.status, 422, "{change}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{change}");
    }
    assert_eq!(app.count("vacancies"), 0);

    let driver = app
        .post(
            &vacancies,
            Some(&employer),
            vacancy("Driver", json!("smk"), false),
        )
        .await;
    driver.assert(201);
    assert_eq!(driver.body["status"], "open");
    assert_eq!(driver.body["openings"], 3);
    let driver_id = driver.id();
    app.post(
        &vacancies,
        Some(&employer),
        vacancy("Analyst", json!("s1"), true),
    )
    .await
    .assert(201);
    app.post(
        &vacancies,
        Some(&employer),
        vacancy("Helper", Value::Null, true),
    )
    .await
    .assert(201);

    let titles = |resp: &crate::common::Resp| -> Vec<String> {
        let mut t: Vec<String> = resp.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["title"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    };
    assert_eq!(
        titles(&app.get(&vacancies, None).await),
        ["Analyst", "Driver", "Helper"]
    );
    assert_eq!(
        titles(
            &app.get(&format!("{vacancies}?education_min=sma"), None)
                .await
        ),
        ["Driver", "Helper"]
    );
    assert_eq!(
        titles(
            &app.get(&format!("{vacancies}?disability_friendly=true"), None)
                .await
        ),
        ["Analyst", "Helper"]
    );
    assert_eq!(
        titles(
            &app.get(&format!("{vacancies}?occupation_code=9999"), None)
                .await
        ),
        Vec::<String>::new()
    );
    app.get(&format!("{vacancies}?education_min=phd"), None)
        .await
        .assert(422);

    let one = format!("/api/v1/vacancies/{driver_id}");
    app.get(&one, None).await.assert(200);
    let (_, rival) = app.user("hr@rival.id", Role::Employer).await;
    app.organization(&rival, "employer").await;
    app.patch(&one, Some(&rival), json!({"openings": 10}))
        .await
        .assert(403);
    let patched = app
        .patch(
            &one,
            Some(&employer),
            json!({"openings": 10, "salary_max_idr": null}),
        )
        .await;
    patched.assert(200);
    assert_eq!(patched.body["openings"], 10);
    assert_eq!(patched.body["salary_max_idr"], Value::Null);
    app.patch(&one, Some(&employer), json!({"salary_max_idr": 1}))
        .await
        .assert(422);
    let closed = app
        .post(&format!("{one}/close"), Some(&employer), json!({}))
        .await;
    closed.assert(200);
    assert_eq!(closed.body["status"], "closed");
    app.post(&format!("{one}/close"), Some(&employer), json!({}))
        .await
        .assert(409);
    assert_eq!(
        titles(&app.get(&format!("{vacancies}?status=open"), None).await),
        ["Analyst", "Helper"]
    );
    assert_eq!(
        titles(&app.get(&format!("{vacancies}?status=closed"), None).await),
        ["Driver"]
    );
    app.get(&format!("{vacancies}?status=gone"), None)
        .await
        .assert(422);
    app.patch(&one, Some(&employer), json!({"openings": 2}))
        .await
        .assert(409);

    // Rejecting an employer closes its vacancies at the fair: no more changes or applicants.
    let analyst = app
        .get(&format!("{vacancies}?status=open"), None)
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        &format!("{employers}/{company}/reject"),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);
    assert_eq!(
        titles(&app.get(&format!("{vacancies}?status=open"), None).await),
        Vec::<String>::new()
    );
    let analyst = format!("/api/v1/vacancies/{analyst}");
    assert_eq!(
        app.get(&analyst, Some(&employer)).await.body["status"],
        "closed"
    );
    app.patch(&analyst, Some(&employer), json!({"openings": 2}))
        .await
        .assert(409);
    app.post(
        &vacancies,
        Some(&employer),
        vacancy("Again", json!("sma"), false),
    )
    .await
    .assert(403);

    app.post(
        &format!("{employers}/{company}/approve"),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);
    assert_eq!(
        app.get(&analyst, None).await.body["status"],
        "closed",
        "re-approval reopens nothing"
    );

    // A cancelled fair takes no more vacancies.
    app.post(
        &format!("/api/v1/events/{}/cancel", fair.event),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);
    let late = app
        .post(
            &vacancies,
            Some(&employer),
            vacancy("Late", json!("sma"), false),
        )
        .await;
    late.assert(409);
    assert_eq!(late.code(), "event_not_open");
}
