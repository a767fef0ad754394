//! Applications: job seekers apply, employers record candidates met at their booth and move
//! applications through their pipeline; every change is kept with its time and actor; each party
//! reads only what is theirs.
use actix_web::http::Method;
use bursa::auth::Role;
use bursa::db::schema::applications;
use diesel::prelude::*;
use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::common::{assert_conflict, assert_invalid, assert_no_nik, ids, Resp, TestApp};
use crate::db_tests;
use crate::fixtures::{rows, transitions, Employer, HiringFair, Seeker};

db_tests!(
    the_whole_flow_to_offered_keeps_its_history,
    job_seekers_apply_for_themselves_when_the_rules_allow,
    employers_record_checked_in_candidates_once,
    outcomes_go_on_after_the_fair_closes_but_not_for_cancelled_fairs,
    bad_bodies_change_nothing,
    transitions_follow_the_pipeline,
    an_on_the_spot_interview_skips_the_shortlist,
    job_seekers_withdraw_from_any_open_stage,
    only_the_parties_read_an_application,
    lists_show_each_party_only_its_own,
    concurrent_changes_have_one_winner,
    an_application_that_loses_the_race_names_the_winner,
    a_code_with_a_control_character_names_no_registration,
);

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

fn apply_path(vacancy: &str) -> String {
    format!("/api/v1/vacancies/{vacancy}/applications")
}

fn path(application: &str) -> String {
    format!("/api/v1/applications/{application}")
}

/// (status, created_by) of an application as stored.
fn stored(app: &TestApp, id: &str) -> (String, String) {
    applications::table
        .find(id)
        .select((applications::status, applications::created_by))
        .first(&mut *app.conn())
        .unwrap()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| ((*a).to_owned(), (*b).to_owned()))
        .collect()
}

/// The history of an application body: (status, actor).
fn history(body: &Value) -> Vec<(String, String)> {
    body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| {
            (
                t["status"].as_str().unwrap().to_owned(),
                t["actor_user_id"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn the_whole_flow_to_offered_keeps_its_history(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, None);

    let applied = app
        .post(&apply_path(&f.vacancy), Some(&siti.token), json!({}))
        .await;
    applied.assert(201);
    let id = applied.id();
    let body = &applied.body;
    assert_eq!(body["vacancy_id"], f.vacancy.as_str());
    assert_eq!(body["job_seeker_id"], siti.id.as_str());
    assert_eq!(body["status"], "applied");
    assert!(body["applied_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(body["updated_at"], body["applied_at"]);
    assert_eq!(body["vacancy_title"], "Forklift Operator");
    assert_eq!(body["organization_id"], f.company.as_str());
    assert_eq!(body["event_id"], f.event.as_str());
    assert_eq!(history(body), pairs(&[("applied", &siti.user_id)]));
    assert_eq!(body["history"][0]["at"], body["applied_at"]);
    assert!(body.get("created_by").is_none());
    assert_no_nik(&applied);
    assert_eq!(stored(&app, &id), ("applied".into(), siti.user_id.clone()));
    assert_eq!(app.count("applications"), 1);
    assert_eq!(app.count("application_transitions"), 1);

    for status in ["shortlisted", "interviewed", "offered"] {
        let moved = app
            .patch(&path(&id), Some(&f.employer), json!({"status": status}))
            .await;
        moved.assert(200);
        assert_eq!(moved.body["status"], status);
        assert_eq!(moved.body["id"], id.as_str());
        assert_eq!(stored(&app, &id).0, status);
    }

    let read = app.get(&path(&id), Some(&siti.token)).await;
    read.assert(200);
    let expected = pairs(&[
        ("applied", &siti.user_id),
        ("shortlisted", &f.employer_id),
        ("interviewed", &f.employer_id),
        ("offered", &f.employer_id),
    ]);
    assert_eq!(history(&read.body), expected);
    let times: Vec<&str> = read.body["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["at"].as_str().unwrap())
        .collect();
    let mut sorted = times.clone();
    sorted.sort();
    assert_eq!(times, sorted, "the history is in time order");
    assert_eq!(read.body["updated_at"].as_str(), times.last().copied());
    assert_eq!(read.body["applied_at"].as_str(), times.first().copied());
    assert_eq!(transitions(&app, &id), expected);
    assert_eq!(
        stored(&app, &id),
        ("offered".into(), siti.user_id.clone()),
        "created_by stays the applicant"
    );
    assert_eq!(app.count("applications"), 1);
    app.assert_kept_figures();
}

async fn job_seekers_apply_for_themselves_when_the_rules_allow(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let apply = apply_path(&f.vacancy);

    // No profile yet.
    let (_, bare) = app.user("bare@x.id", Role::JobSeeker).await;
    assert_conflict(
        &app.post(&apply, Some(&bare), json!({})).await,
        "profile_required",
    );

    // A profile, but not registered for the event.
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    let ayu = Seeker::new(&app, "ayu@x.id", "Ayu Lestari", "0004").await;
    assert_conflict(
        &app.post(&apply, Some(&siti.token), json!({})).await,
        "not_registered",
    );
    siti.registered(&app, &f.event, None);
    ayu.registered(&app, &f.event, None);

    // Only for themself, and only with an id that is an id.
    let other = app
        .post(&apply, Some(&siti.token), json!({"job_seeker_id": ayu.id}))
        .await;
    other.assert(403);
    assert_eq!(other.code(), "forbidden");
    assert_invalid(
        &app.post(&apply, Some(&siti.token), json!({"job_seeker_id": "ayu"}))
            .await,
        "job_seeker_id",
    );

    // Unknown vacancies are 404, and so is an id that is not one.
    let unknown = apply_path(&uuid::Uuid::new_v4().to_string());
    app.post(&unknown, Some(&siti.token), json!({}))
        .await
        .assert(404);
    app.post(&apply_path("forklift"), Some(&siti.token), json!({}))
        .await
        .assert(404);
    app.post(&apply, None, json!({})).await.assert(401);

    // Closed vacancies, by status or by their closing time, take no applications.
    let closed = f.post_vacancy(&app, "Closed", json!({})).await;
    app.post(
        &format!("/api/v1/vacancies/{closed}/close"),
        Some(&f.employer),
        json!({}),
    )
    .await
    .assert(200);
    assert_conflict(
        &app.post(&apply_path(&closed), Some(&siti.token), json!({}))
            .await,
        "vacancy_closed",
    );
    let past = (chrono::Utc::now() - chrono::Duration::minutes(1)).to_rfc3339();
    let expired = f
        .post_vacancy(&app, "Expired", json!({"closes_at": past}))
        .await;
    assert_conflict(
        &app.post(&apply_path(&expired), Some(&siti.token), json!({}))
            .await,
        "vacancy_closed",
    );
    assert_eq!(app.count("applications"), 0);
    assert_eq!(app.count("application_transitions"), 0);

    // Registered (not necessarily checked in), for themself: by omitting the id or giving it.
    let future = (chrono::Utc::now() + chrono::Duration::days(30)).to_rfc3339();
    let later = f
        .post_vacancy(&app, "Open Later", json!({"closes_at": future}))
        .await;
    let first = app.post(&apply, Some(&siti.token), json!({})).await;
    first.assert(201);
    let own = app
        .post(
            &apply_path(&later),
            Some(&siti.token),
            json!({"job_seeker_id": siti.id}),
        )
        .await;
    own.assert(201);
    assert_eq!(own.body["job_seeker_id"], siti.id.as_str());
    assert_eq!(app.count("applications"), 2);
    assert_eq!(app.count("application_transitions"), 2);
    assert_eq!(stored(&app, &own.id()), ("applied".into(), siti.user_id));
    app.assert_kept_figures();
}

async fn employers_record_checked_in_candidates_once(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let apply = apply_path(&f.vacancy);
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    let ayu = Seeker::new(&app, "ayu@x.id", "Ayu Lestari", "0004").await;
    let record = |seeker: &Seeker| json!({"job_seeker_id": seeker.id});

    // The employer names the candidate, who must exist and have checked in.
    let neither = app.post(&apply, Some(&f.employer), json!({})).await;
    assert_eq!(neither.status, 422, "{}", neither.body);
    assert_eq!(neither.fields(), ["job_seeker_id", "check_in_code"]);
    assert_invalid(
        &app.post(
            &apply,
            Some(&f.employer),
            json!({"job_seeker_id": uuid::Uuid::new_v4()}),
        )
        .await,
        "job_seeker_id",
    );
    assert_conflict(
        &app.post(&apply, Some(&f.employer), record(&siti)).await,
        "not_checked_in",
    );
    siti.registered(&app, &f.event, None);
    assert_conflict(
        &app.post(&apply, Some(&f.employer), record(&siti)).await,
        "not_checked_in",
    );

    // Only the vacancy's employer records candidates.
    let rival = Employer::new(&app, "hr@rival.id").await.token;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    for token in [&rival, &ministry, &f.organizer] {
        app.post(&apply, Some(token), record(&siti))
            .await
            .assert(403);
    }
    assert_eq!(app.count("applications"), 0);

    rows::check_in(&app, &f.event, &siti.id, &f.organizer_id);
    let recorded = app.post(&apply, Some(&f.employer), record(&siti)).await;
    recorded.assert(201);
    let id = recorded.id();
    assert_eq!(recorded.body["job_seeker_id"], siti.id.as_str());
    assert_eq!(recorded.body["status"], "applied");
    assert_eq!(
        history(&recorded.body),
        pairs(&[("applied", &f.employer_id)])
    );
    assert_no_nik(&recorded);
    assert_eq!(stored(&app, &id), ("applied".into(), f.employer_id.clone()));

    // One application per job seeker per vacancy, whoever asks again.
    for (token, body) in [(&f.employer, record(&siti)), (&siti.token, json!({}))] {
        let again = app.post(&apply, Some(token), body).await;
        assert_conflict(&again, "already_applied");
        assert_eq!(again.fields(), ["application_id"]);
        assert_eq!(again.body["error"]["details"][0]["message"], id.as_str());
    }
    assert_eq!(app.count("applications"), 1);
    assert_eq!(app.count("application_transitions"), 1);

    // Admins record candidates too.
    ayu.registered(&app, &f.event, Some(&f.organizer_id));
    let admin = app.admin_token().await;
    let by_admin = app.post(&apply, Some(&admin), record(&ayu)).await;
    by_admin.assert(201);

    // Several identical requests at once: one application, the others told which.
    let budi = Seeker::new(&app, "budi@x.id", "Budi Santoso", "0006").await;
    budi.registered(&app, &f.event, Some(&f.organizer_id));
    let body = record(&budi);
    let results: Vec<Resp> =
        join_all((0..6).map(|_| app.post(&apply, Some(&f.employer), body.clone()))).await;
    let winners: Vec<&Resp> = results.iter().filter(|r| r.status == 201).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    let winner = winners[0].id();
    for loser in results.iter().filter(|r| r.status != 201) {
        assert_conflict(loser, "already_applied");
        assert_eq!(
            loser.body["error"]["details"][0]["message"],
            winner.as_str()
        );
    }
    let rows: i64 = applications::table
        .filter(applications::job_seeker_id.eq(&budi.id))
        .count()
        .get_result(&mut *app.conn())
        .unwrap();
    assert_eq!(rows, 1);
    assert_eq!(
        transitions(&app, &winner),
        pairs(&[("applied", &f.employer_id)])
    );
    assert_eq!(app.count("applications"), 3);
    assert_eq!(app.count("application_transitions"), 3);
    app.assert_kept_figures();
}

async fn outcomes_go_on_after_the_fair_closes_but_not_for_cancelled_fairs(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    let ayu = Seeker::new(&app, "ayu@x.id", "Ayu Lestari", "0004").await;
    siti.registered(&app, &f.event, None);
    ayu.registered(&app, &f.event, Some(&f.organizer_id));
    let before = app
        .post(&apply_path(&f.vacancy), Some(&siti.token), json!({}))
        .await;
    before.assert(201);

    app.post(
        &format!("/api/v1/events/{}/close", f.event),
        Some(&f.organizer),
        json!({"spent_idr": 100000000}),
    )
    .await
    .assert(200);

    // After the fair: applications are still made, recorded and moved along.
    let second = vacancy_after_close(&app, &f).await;
    app.post(&apply_path(&second), Some(&siti.token), json!({}))
        .await
        .assert(201);
    app.post(
        &apply_path(&f.vacancy),
        Some(&f.employer),
        json!({"job_seeker_id": ayu.id}),
    )
    .await
    .assert(201);
    let moved = app
        .patch(
            &path(&before.id()),
            Some(&f.employer),
            json!({"status": "shortlisted"}),
        )
        .await;
    moved.assert(200);
    assert_eq!(stored(&app, &before.id()).0, "shortlisted");
    assert_eq!(app.count("applications"), 3);

    // A cancelled fair is withdrawn from view, and takes no applications even from an admin.
    let g = HiringFair::new(&app, "b").await;
    let budi = Seeker::new(&app, "budi@x.id", "Budi Santoso", "0006").await;
    budi.registered(&app, &g.event, Some(&g.organizer_id));
    app.post(
        &format!("/api/v1/events/{}/cancel", g.event),
        Some(&g.organizer),
        json!({}),
    )
    .await
    .assert(200);
    let apply = apply_path(&g.vacancy);
    app.post(&apply, Some(&budi.token), json!({}))
        .await
        .assert(404);
    app.post(&apply, Some(&g.employer), json!({"job_seeker_id": budi.id}))
        .await
        .assert(404);
    let admin = app.admin_token().await;
    assert_conflict(
        &app.post(&apply, Some(&admin), json!({"job_seeker_id": budi.id}))
            .await,
        "event_not_open",
    );
    assert_eq!(app.count("applications"), 3);
    assert_eq!(app.count("application_transitions"), 4);
}

/// A closed fair takes no new vacancies, so the second one is inserted directly, as one posted
/// before the close would be.
async fn vacancy_after_close(app: &TestApp, f: &HiringFair) -> String {
    use bursa::db::schema::vacancies;
    let id = uuid::Uuid::now_v7().to_string();
    let at = bursa::db::now();
    diesel::insert_into(vacancies::table)
        .values((
            vacancies::id.eq(&id),
            vacancies::event_id.eq(&f.event),
            vacancies::organization_id.eq(&f.company),
            vacancies::title.eq("Warehouse Clerk"),
            vacancies::description.eq(""),
            vacancies::occupation_code.eq("4321"),
            vacancies::openings.eq(1),
            vacancies::employment_type.eq("permanent"),
            vacancies::location_province_code.eq("31"),
            vacancies::location_city.eq("Jakarta Utara"),
            vacancies::disability_friendly.eq(false),
            vacancies::status.eq("open"),
            vacancies::created_by.eq(&f.employer_id),
            vacancies::created_at.eq(at),
            vacancies::updated_at.eq(at),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    app.get(&format!("/api/v1/vacancies/{id}"), None)
        .await
        .assert(200);
    id
}

async fn bad_bodies_change_nothing(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, Some(&f.organizer_id));
    let apply = apply_path(&f.vacancy);
    for (body, field) in [
        (json!({"job_seeker_id": 5}), "job_seeker_id"),
        (json!({"job_seeker_id": "not-a-uuid"}), "job_seeker_id"),
        (
            json!({"job_seeker_id": siti.id, "status": "offered"}),
            "status",
        ),
    ] {
        let resp = app.post(&apply, Some(&f.employer), body.clone()).await;
        assert_eq!(resp.status, 422, "{body}: {}", resp.body);
        assert_eq!(resp.code(), "validation_failed");
        assert!(resp.fields()[0].contains(field), "{body}: {}", resp.body);
    }
    let array = app.post(&apply, Some(&f.employer), json!([siti.id])).await;
    assert_invalid(&array, "body");
    let broken = app
        .raw(
            Method::POST,
            &apply,
            &[
                ("content-type", "application/json"),
                ("authorization", &format!("Bearer {}", f.employer)),
            ],
            b"{\"job_seeker_id\": ".to_vec(),
        )
        .await;
    broken.assert(400);
    let form = app
        .raw(
            Method::POST,
            &apply,
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("authorization", &format!("Bearer {}", f.employer)),
            ],
            format!("job_seeker_id={}", siti.id).into_bytes(),
        )
        .await;
    form.assert(415);
    assert_eq!(app.count("applications"), 0);
    assert_eq!(app.count("application_transitions"), 0);

    let id = app
        .post(&apply, Some(&f.employer), json!({"job_seeker_id": siti.id}))
        .await
        .assert(201)
        .id();
    for (body, field) in [
        (json!({}), "status"),
        (json!({"status": null}), "status"),
        (json!({"status": "accepted"}), "status"),
        (json!({"status": 2}), "status"),
        (json!({"status": "shortlisted", "note": "good"}), "note"),
    ] {
        let resp = app.patch(&path(&id), Some(&f.employer), body.clone()).await;
        assert_eq!(resp.status, 422, "{body}: {}", resp.body);
        assert!(resp.fields()[0].contains(field), "{body}: {}", resp.body);
    }
    assert_eq!(stored(&app, &id).0, "applied");
    assert_eq!(app.count("application_transitions"), 1);
    app.assert_kept_figures();
}

/// An interview on the spot skips the shortlist, and an offer may follow at once: each move is
/// kept in the history as it was made. Going back stays refused.
async fn an_on_the_spot_interview_skips_the_shortlist(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, None);
    let id = app
        .post(&apply_path(&f.vacancy), Some(&siti.token), json!({}))
        .await
        .assert(201)
        .id();
    let one = path(&id);
    let interviewed = app
        .patch(&one, Some(&f.employer), json!({"status": "interviewed"}))
        .await;
    interviewed.assert(200);
    assert_eq!(interviewed.body["status"], "interviewed");
    for back in ["shortlisted", "interviewed", "applied"] {
        assert_conflict(
            &app.patch(&one, Some(&f.employer), json!({"status": back}))
                .await,
            "invalid_transition",
        );
    }
    app.patch(&one, Some(&f.employer), json!({"status": "offered"}))
        .await
        .assert(200);
    assert_eq!(
        transitions(&app, &id),
        pairs(&[
            ("applied", &siti.user_id),
            ("interviewed", &f.employer_id),
            ("offered", &f.employer_id),
        ])
    );
    app.assert_kept_figures();
}

async fn transitions_follow_the_pipeline(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, None);
    let id = app
        .post(&apply_path(&f.vacancy), Some(&siti.token), json!({}))
        .await
        .assert(201)
        .id();
    let one = path(&id);
    let set = |status: &str| json!({"status": status});

    // No staying put (and nothing before `applied` to go back to).
    for status in ["applied"] {
        assert_conflict(
            &app.patch(&one, Some(&f.employer), set(status)).await,
            "invalid_transition",
        );
    }
    // A hire is a reported placement, never a status change.
    let hired = app.patch(&one, Some(&f.employer), set("hired")).await;
    assert_invalid(&hired, "status");
    assert!(hired.body["error"]["details"][0]["message"]
        .as_str()
        .unwrap()
        .contains("placement"));

    // Who may make which move: the employer the stages, the job seeker the withdrawal.
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    for token in [&siti.token, &ministry, &f.organizer] {
        let refused = app.patch(&one, Some(token), set("shortlisted")).await;
        refused.assert(403);
        assert_eq!(refused.code(), "forbidden");
    }
    app.patch(&one, Some(&f.employer), set("withdrawn"))
        .await
        .assert(403);
    let rival = Employer::new(&app, "hr@rival.id").await.token;
    app.patch(&one, Some(&rival), set("shortlisted"))
        .await
        .assert(404);
    app.patch(&one, None, set("shortlisted")).await.assert(401);
    app.patch(
        &path(&uuid::Uuid::new_v4().to_string()),
        Some(&f.employer),
        set("shortlisted"),
    )
    .await
    .assert(404);
    app.patch(&path("not-an-id"), Some(&f.employer), set("shortlisted"))
        .await
        .assert(404);
    assert_eq!(stored(&app, &id).0, "applied");
    assert_eq!(transitions(&app, &id).len(), 1);

    // An admin acts as the employer.
    let admin = app.admin_token().await;
    let admin_id = app.get("/api/v1/me", Some(&admin)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(&one, Some(&admin), set("shortlisted"))
        .await
        .assert(200);
    // No going back, no staying put.
    for status in ["applied", "shortlisted"] {
        assert_conflict(
            &app.patch(&one, Some(&f.employer), set(status)).await,
            "invalid_transition",
        );
    }
    let rejected = app.patch(&one, Some(&f.employer), set("rejected")).await;
    rejected.assert(200);
    assert_eq!(rejected.body["status"], "rejected");

    // Rejected is final.
    for (token, status) in [
        (&f.employer, "shortlisted"),
        (&f.employer, "interviewed"),
        (&f.employer, "rejected"),
        (&siti.token, "withdrawn"),
    ] {
        assert_conflict(
            &app.patch(&one, Some(token), set(status)).await,
            "invalid_transition",
        );
    }
    assert_invalid(
        &app.patch(&one, Some(&f.employer), set("hired")).await,
        "status",
    );
    let expected = pairs(&[
        ("applied", &siti.user_id),
        ("shortlisted", &admin_id),
        ("rejected", &f.employer_id),
    ]);
    assert_eq!(transitions(&app, &id), expected);
    assert_eq!(stored(&app, &id).0, "rejected");
    let read = app.get(&one, Some(&siti.token)).await;
    read.assert(200);
    assert_eq!(history(&read.body), expected);
}

async fn job_seekers_withdraw_from_any_open_stage(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, None);
    let mut stages = vec![];
    for (n, reached) in ["applied", "shortlisted", "interviewed", "offered"]
        .into_iter()
        .enumerate()
    {
        let vacancy = f
            .post_vacancy(&app, &format!("Operator {n}"), json!({}))
            .await;
        let id = app
            .post(&apply_path(&vacancy), Some(&siti.token), json!({}))
            .await
            .assert(201)
            .id();
        for status in ["shortlisted", "interviewed", "offered"].iter().take(n) {
            app.patch(&path(&id), Some(&f.employer), json!({"status": status}))
                .await
                .assert(200);
        }
        assert_eq!(stored(&app, &id).0, reached);
        stages.push((id, n));
    }
    for (id, n) in &stages {
        let withdrawn = app
            .patch(&path(id), Some(&siti.token), json!({"status": "withdrawn"}))
            .await;
        withdrawn.assert(200);
        assert_eq!(withdrawn.body["status"], "withdrawn");
        let steps = history(&withdrawn.body);
        assert_eq!(steps.len(), n + 2);
        assert_eq!(
            steps.last().unwrap(),
            &("withdrawn".to_owned(), siti.user_id.clone())
        );
        assert_eq!(transitions(&app, id), steps);
    }

    // Withdrawn is final.
    let (id, _) = &stages[1];
    for (token, status) in [
        (&siti.token, "withdrawn"),
        (&f.employer, "interviewed"),
        (&f.employer, "rejected"),
    ] {
        assert_conflict(
            &app.patch(&path(id), Some(token), json!({"status": status}))
                .await,
            "invalid_transition",
        );
    }
    assert_eq!(stored(&app, id).0, "withdrawn");
    assert_eq!(transitions(&app, id).len(), 3);
}

async fn only_the_parties_read_an_application(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    let ayu = Seeker::new(&app, "ayu@x.id", "Ayu Lestari", "0004").await;
    siti.registered(&app, &f.event, None);
    ayu.registered(&app, &f.event, None);
    let id = app
        .post(&apply_path(&f.vacancy), Some(&siti.token), json!({}))
        .await
        .assert(201)
        .id();
    let one = path(&id);

    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;
    for token in [&siti.token, &f.employer, &f.organizer, &ministry, &admin] {
        let read = app.get(&one, Some(token)).await;
        read.assert(200);
        assert_eq!(read.body["id"], id.as_str());
        assert_eq!(read.body["job_seeker_id"], siti.id.as_str());
        assert_eq!(history(&read.body).len(), 1);
        assert_no_nik(&read);
    }

    // Another employer, even one at the same fair, another organizer, another job seeker, and
    // a job seeker without a profile: as if it did not exist.
    let rival = Employer::at(&app, &f, "hr@rival.id", true).await.token;
    let (_, other_office) = app.user("organizer@other.id", Role::Organizer).await;
    app.organization(&other_office, "organizer").await;
    let (_, bare) = app.user("bare@x.id", Role::JobSeeker).await;
    for token in [&rival, &other_office, &ayu.token, &bare] {
        let hidden = app.get(&one, Some(token)).await;
        hidden.assert(404);
        assert_eq!(hidden.code(), "not_found");
    }
    app.get(&one, None).await.assert(401);
    app.get(&path(&uuid::Uuid::new_v4().to_string()), Some(&admin))
        .await
        .assert(404);
    app.get(&path("42"), Some(&admin)).await.assert(404);
}

async fn lists_show_each_party_only_its_own(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let second = f.post_vacancy(&app, "Packer", json!({})).await;
    let rival_hr = Employer::at(&app, &f, "hr@rival.id", true).await;
    let rival = rival_hr.token.clone();
    let rivals = rival_hr.vacancy(&app, &f, json!({"title": "Driver"})).await;

    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    let ayu = Seeker::new(&app, "ayu@x.id", "Ayu Lestari", "0004").await;
    let dewi = Seeker::new(&app, "dewi@x.id", "Dewi Sartika", "0006").await;
    let mut applied = vec![];
    for s in [&siti, &ayu, &dewi] {
        s.registered(&app, &f.event, None);
        let id = app
            .post(&apply_path(&f.vacancy), Some(&s.token), json!({}))
            .await
            .assert(201)
            .id();
        applied.push(id);
    }
    let siti_second = app
        .post(&apply_path(&second), Some(&siti.token), json!({}))
        .await
        .assert(201)
        .id();
    let ayu_rival = app
        .post(&apply_path(&rivals), Some(&ayu.token), json!({}))
        .await
        .assert(201)
        .id();
    app.patch(
        &path(&applied[1]),
        Some(&f.employer),
        json!({"status": "shortlisted"}),
    )
    .await
    .assert(200);

    // The employer's applicants: oldest first, who they are, never their NIK.
    let list = apply_path(&f.vacancy);
    let all = app.get(&list, Some(&f.employer)).await;
    all.assert(200);
    assert_eq!(ids(&all), applied);
    assert_eq!(all.body["next_cursor"], Value::Null);
    let first = &all.body["items"][0];
    assert_eq!(first["status"], "applied");
    assert_eq!(first["vacancy_id"], f.vacancy.as_str());
    assert_eq!(first["job_seeker_id"], siti.id.as_str());
    assert_eq!(
        first["job_seeker"],
        json!({"id": siti.id, "full_name": "Siti Rahayu", "gender": "female",
               "education_level": "smk", "disability": false})
    );
    assert_no_nik(&all);

    let shortlisted = app
        .get(&format!("{list}?status=shortlisted"), Some(&f.employer))
        .await;
    assert_eq!(ids(&shortlisted), [applied[1].clone()]);
    assert_eq!(
        shortlisted.body["items"][0]["job_seeker"]["full_name"],
        "Ayu Lestari"
    );
    let still = app
        .get(&format!("{list}?status=applied"), Some(&f.employer))
        .await;
    assert_eq!(ids(&still), [applied[0].clone(), applied[2].clone()]);
    let none = app
        .get(&format!("{list}?status=hired"), Some(&f.employer))
        .await;
    assert_eq!(ids(&none), Vec::<String>::new());

    // Pages.
    let page1 = app.get(&format!("{list}?limit=2"), Some(&f.employer)).await;
    page1.assert(200);
    assert_eq!(ids(&page1), applied[..2]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("{list}?limit=2&cursor={cursor}"),
            Some(&f.employer),
        )
        .await;
    assert_eq!(ids(&page2), applied[2..]);
    assert_eq!(page2.body["next_cursor"], Value::Null);

    // Who lists: the employer, the organizer, ministry, admins; others who see the vacancy 403.
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;
    for token in [&f.organizer, &ministry, &admin] {
        let seen = app.get(&list, Some(token)).await;
        seen.assert(200);
        assert_eq!(ids(&seen), applied);
    }
    for token in [&rival, &siti.token] {
        let refused = app.get(&list, Some(token)).await;
        refused.assert(403);
        assert_eq!(refused.code(), "forbidden");
    }
    app.get(&list, None).await.assert(401);
    let rival_list = app.get(&apply_path(&rivals), Some(&rival)).await;
    assert_eq!(ids(&rival_list), [ayu_rival.as_str()]);
    app.get(&apply_path(&rivals), Some(&f.employer))
        .await
        .assert(403);
    app.get(
        &apply_path(&uuid::Uuid::new_v4().to_string()),
        Some(&f.employer),
    )
    .await
    .assert(404);
    for (query, field) in [
        ("status=accepted", "status"),
        ("limit=0", "limit"),
        ("cursor=bogus", "cursor"),
        ("sort=name", "sort"),
    ] {
        let resp = app.get(&format!("{list}?{query}"), Some(&f.employer)).await;
        assert_eq!(resp.status, 422, "{query}: {}", resp.body);
        assert!(resp.fields()[0].contains(field), "{query}: {}", resp.body);
    }

    // A job seeker's own applications, with what they are for.
    let mine = app.get("/api/v1/me/applications", Some(&siti.token)).await;
    mine.assert(200);
    assert_eq!(ids(&mine), [applied[0].clone(), siti_second.clone()]);
    let item = &mine.body["items"][1];
    assert_eq!(item["vacancy_title"], "Packer");
    assert_eq!(item["vacancy_id"], second.as_str());
    assert_eq!(item["organization_id"], f.company.as_str());
    assert_eq!(item["event_id"], f.event.as_str());
    assert_eq!(item["status"], "applied");
    assert_no_nik(&mine);
    let page1 = app
        .get("/api/v1/me/applications?limit=1", Some(&siti.token))
        .await;
    assert_eq!(ids(&page1), [applied[0].clone()]);
    let cursor = page1.body["next_cursor"].as_str().unwrap();
    let page2 = app
        .get(
            &format!("/api/v1/me/applications?limit=1&cursor={cursor}"),
            Some(&siti.token),
        )
        .await;
    assert_eq!(ids(&page2), [siti_second]);
    assert_eq!(page2.body["next_cursor"], Value::Null);
    let ayus = app.get("/api/v1/me/applications", Some(&ayu.token)).await;
    assert_eq!(ids(&ayus), [applied[1].clone(), ayu_rival]);
    let ayus = app
        .get(
            "/api/v1/me/applications?status=shortlisted",
            Some(&ayu.token),
        )
        .await;
    assert_eq!(ids(&ayus), [applied[1].clone()]);

    // No profile, no applications.
    let (_, bare) = app.user("bare@x.id", Role::JobSeeker).await;
    for token in [&bare, &f.employer] {
        let empty = app.get("/api/v1/me/applications", Some(token)).await;
        empty.assert(200);
        assert_eq!(empty.body, json!({"items": [], "next_cursor": null}));
    }
    app.get("/api/v1/me/applications", None).await.assert(401);
    app.get("/api/v1/me/applications?limit=101", Some(&siti.token))
        .await
        .assert(422);

    // Reading changed nothing.
    assert_eq!(app.count("applications"), 5);
    assert_eq!(app.count("application_transitions"), 6);
}

async fn concurrent_changes_have_one_winner(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, None);
    let id = app
        .post(&apply_path(&f.vacancy), Some(&siti.token), json!({}))
        .await
        .assert(201)
        .id();
    let one = path(&id);

    let same = json!({"status": "shortlisted"});
    let results: Vec<Resp> =
        join_all((0..6).map(|_| app.patch(&one, Some(&f.employer), same.clone()))).await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{results:?}"
    );
    for loser in results.iter().filter(|r| r.status != 200) {
        assert_conflict(loser, "invalid_transition");
    }
    assert_eq!(stored(&app, &id).0, "shortlisted");
    assert_eq!(
        transitions(&app, &id),
        pairs(&[("applied", &siti.user_id), ("shortlisted", &f.employer_id)])
    );

    // Different moves racing: the employer rejects while the job seeker withdraws.
    let reject = json!({"status": "rejected"});
    let withdraw = json!({"status": "withdrawn"});
    let mut racing = vec![];
    for _ in 0..3 {
        racing.push((&f.employer, &reject));
        racing.push((&siti.token, &withdraw));
    }
    let results: Vec<Resp> = join_all(
        racing
            .iter()
            .map(|(token, body)| app.patch(&one, Some(token), (*body).clone())),
    )
    .await;
    let winners: Vec<&Resp> = results.iter().filter(|r| r.status == 200).collect();
    assert_eq!(winners.len(), 1, "{results:?}");
    for loser in results.iter().filter(|r| r.status != 200) {
        assert_conflict(loser, "invalid_transition");
    }
    let last = winners[0].body["status"].as_str().unwrap().to_owned();
    assert!(["rejected", "withdrawn"].contains(&last.as_str()));
    assert_eq!(stored(&app, &id).0, last);
    let stored_history = transitions(&app, &id);
    assert_eq!(stored_history.len(), 3);
    assert_eq!(stored_history[2].0, last);
    assert_eq!(app.count("application_transitions"), 3);
    app.assert_kept_figures();
}

/// Another transaction inserts the same application and commits only while the request is under
/// way. On PostgreSQL the request passes its own duplicate check (the other row is not committed
/// yet) and then meets the UNIQUE constraint; on SQLite it waits for the write lock and then
/// sees the row. Either way: 409 `already_applied` naming the winner, never a 500.
async fn an_application_that_loses_the_race_names_the_winner(app: TestApp) {
    use diesel::connection::SimpleConnection;
    let f = HiringFair::new(&app, "a").await;
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    siti.registered(&app, &f.event, Some(&f.organizer_id));
    let winner = uuid::Uuid::now_v7().to_string();
    let mut conn = app.conn();
    let begin = match app.engine {
        crate::common::Engine::Sqlite => "BEGIN IMMEDIATE",
        crate::common::Engine::Postgres => "BEGIN",
    };
    conn.batch_execute(begin).unwrap();
    let at = bursa::db::now();
    diesel::insert_into(applications::table)
        .values((
            applications::id.eq(&winner),
            applications::vacancy_id.eq(&f.vacancy),
            applications::job_seeker_id.eq(&siti.id),
            applications::status.eq("applied"),
            applications::applied_at.eq(at),
            applications::created_by.eq(&f.employer_id),
            applications::updated_at.eq(at),
        ))
        .execute(&mut *conn)
        .unwrap();
    let (lost, ()) = futures_util::future::join(
        app.post(&apply_path(&f.vacancy), Some(&siti.token), json!({})),
        async {
            actix_web::rt::time::sleep(std::time::Duration::from_millis(500)).await;
            conn.batch_execute("COMMIT").unwrap();
        },
    )
    .await;
    assert_conflict(&lost, "already_applied");
    assert_eq!(lost.fields(), ["application_id"]);
    assert_eq!(lost.body["error"]["details"][0]["message"], winner.as_str());
    assert_eq!(app.count("applications"), 1);
    assert_eq!(app.count("application_transitions"), 0);
    assert_eq!(
        stored(&app, &winner),
        ("applied".into(), f.employer_id.clone())
    );
}

/// The fuzzer recorded a candidate by the code "\u{7f}½\0…" and got a 500: PostgreSQL cannot
/// compare a NUL. A code holding a control character names no registration: 422 on
/// `check_in_code`, as any code of no registration, for applications and reported hires alike.
async fn a_code_with_a_control_character_names_no_registration(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    for code in ["\u{7f}\u{bd}\0\u{f9}", "7KQ2-M9XD\0", "7KQ2\u{1}M9XD"] {
        assert_invalid(
            &app.post(
                &apply_path(&f.vacancy),
                Some(&f.employer),
                json!({"check_in_code": code}),
            )
            .await,
            "check_in_code",
        );
        let hire = json!({
            "vacancy_id": f.vacancy, "check_in_code": code, "start_date": "2026-12-14",
            "salary_idr": 5_000_000, "contract_type": "contract", "occupation_code": "8344"
        });
        let resp = app
            .post("/api/v1/placements", Some(&f.employer), hire)
            .await;
        assert_eq!(resp.status, 422, "{}", resp.body);
        assert!(
            resp.fields().contains(&"check_in_code".to_owned()),
            "{}",
            resp.body
        );
    }
    assert_eq!(app.count("applications"), 0);
    assert_eq!(app.count("placements"), 0);
}
