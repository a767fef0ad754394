//! Retention follow-ups: recorded by the party their source names, only for verified
//! placements, dated between the start date and today; the due list shows each missing
//! checkpoint (90 and 180 days after the start) until a follow-up covers it.
use bursa::auth::Role;
use chrono::{Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{rows, Employer, HiringFair, Seeker};

db_tests!(
    dates_and_bodies_are_checked_and_bad_input_changes_nothing,
    each_source_belongs_to_its_party,
    only_verified_placements_take_follow_ups,
    the_due_list_shows_missing_checkpoints_until_they_are_done,
    the_due_list_is_filtered_and_paginated,
    who_reads_follow_ups_and_due_lists,
);

// ---------------------------------------------------------------------------------------------
// Set-up
// ---------------------------------------------------------------------------------------------

/// A published fair that started two hours ago, an approved employer and one vacancy with five
/// openings.
async fn fair(app: &TestApp, tag: &str) -> HiringFair {
    let (organizer, employer) = (format!("organizer@{tag}.id"), format!("hr@{tag}.id"));
    HiringFair::of(app, &organizer, &employer, json!({"openings": 5})).await
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

fn days_ago(n: i64) -> NaiveDate {
    today() - Duration::days(n)
}

/// A placement of `seeker` at the fair's vacancy (with its hired application), inserted
/// directly: the placements API is not this module's.
fn placement(
    app: &TestApp,
    f: &HiringFair,
    seeker: &Seeker,
    status: &str,
    start: NaiveDate,
) -> String {
    placement_at(
        app,
        (&f.event, &f.vacancy, &f.company, &f.employer_id),
        seeker,
        status,
        start,
    )
}

/// The same at (event, vacancy, employer organization, reporting user).
fn placement_at(
    app: &TestApp,
    (event, vacancy, company, reported_by): (&str, &str, &str, &str),
    seeker: &Seeker,
    status: &str,
    start: NaiveDate,
) -> String {
    let application = rows::application(app, vacancy, &seeker.id, &seeker.user_id, &["hired"]);
    let placement = rows::Placement {
        event,
        application: &application,
        vacancy,
        seeker: &seeker.id,
        company,
        reported_by,
        status,
        start,
    };
    rows::placement(app, placement, &[])
}

fn path(placement: &str) -> String {
    format!("/api/v1/placements/{placement}/follow-ups")
}

fn body(checked_on: NaiveDate, source: &str) -> Value {
    json!({
        "checked_on": checked_on.to_string(), "employed": true, "same_employer": true,
        "source": source
    })
}

fn audited(app: &TestApp) -> i64 {
    app.seal_audit();
    app.number("SELECT COUNT(*) AS n FROM audit_log WHERE action = 'follow_up.record'")
}

/// The (placement, checkpoint, due date) rows of a due list page.
fn rows(page: &Value) -> Vec<(String, i64, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["placement_id"].as_str().unwrap().to_owned(),
                r["checkpoint"].as_i64().unwrap(),
                r["due_date"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn row(placement: &str, checkpoint: i64, start: NaiveDate) -> (String, i64, String) {
    (
        placement.to_owned(),
        checkpoint,
        (start + Duration::days(checkpoint)).to_string(),
    )
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn dates_and_bodies_are_checked_and_bad_input_changes_nothing(app: TestApp) {
    let f = fair(&app, "d").await;
    let siti = Seeker::new(&app, "siti@d.id", "Siti Rahayu", "0002").await;
    let start = days_ago(100);
    let p = placement(&app, &f, &siti, "verified", start);
    let token = Some(f.employer.as_str());

    let tomorrow = today() + Duration::days(1);
    let r = app.post(&path(&p), token, body(tomorrow, "employer")).await;
    r.assert(422);
    assert_eq!(r.fields(), ["checked_on"]);
    let r = app
        .post(
            &path(&p),
            token,
            body(start - Duration::days(1), "employer"),
        )
        .await;
    r.assert(422);
    assert_eq!(r.fields(), ["checked_on"]);

    // Every missing field at once, one detail each.
    let r = app.post(&path(&p), token, json!({})).await;
    r.assert(422);
    assert_eq!(
        r.fields(),
        ["checked_on", "employed", "same_employer", "source"]
    );
    for bad in [
        json!({"checked_on": "2026-02-30", "employed": true, "same_employer": true, "source": "employer"}),
        json!({"checked_on": today().to_string(), "employed": true, "same_employer": true, "source": "neighbour"}),
        json!({"checked_on": today().to_string(), "employed": "yes", "same_employer": true, "source": "employer"}),
        json!({"checked_on": today().to_string(), "employed": false, "same_employer": true, "source": "employer"}),
        json!({"checked_on": today().to_string(), "employed": true, "same_employer": true, "source": "employer", "note": "x"}),
    ] {
        app.post(&path(&p), token, bad).await.assert(422);
    }
    app.post(
        &path(uuid::Uuid::nil().to_string().as_str()),
        token,
        body(today(), "employer"),
    )
    .await
    .assert(404);
    app.post(&path("not-a-uuid"), token, body(today(), "employer"))
        .await
        .assert(404);
    assert_eq!(app.count("follow_ups"), 0);
    assert_eq!(audited(&app), 0);

    // The start date itself and today are both allowed.
    let on_start = app.post(&path(&p), token, body(start, "employer")).await;
    on_start.assert(201);
    assert_eq!(on_start.body["checked_on"], start.to_string());
    assert_eq!(on_start.body["counts_for"], json!([]));
    let r = app.post(&path(&p), token, body(today(), "employer")).await;
    r.assert(201);
    assert_eq!(r.body["placement_id"], p);
    assert_eq!(r.body["source"], "employer");
    assert_eq!(r.body["employed"], true);
    assert_eq!(r.body["same_employer"], true);
    assert_eq!(r.body["recorded_by"], f.employer_id);
    assert_eq!(r.body["counts_for"], json!([90]));
    let left = app
        .post(
            &path(&p),
            token,
            json!({"checked_on": today().to_string(), "employed": false, "same_employer": false, "source": "employer"}),
        )
        .await;
    left.assert(201);
    assert_eq!(app.count("follow_ups"), 3);
    assert_eq!(audited(&app), 3);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM audit_log WHERE action = 'follow_up.record' \
             AND entity = 'follow_up' AND entity_id = '{}' AND event_id = '{}'",
            left.id(),
            f.event
        )),
        1
    );

    // Listed oldest check first.
    let list = app.get(&path(&p), token).await;
    list.assert(200);
    let items = list.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    assert_eq!(items[0]["id"], on_start.id());
}

async fn each_source_belongs_to_its_party(app: TestApp) {
    let f = fair(&app, "s").await;
    let siti = Seeker::new(&app, "siti@s.id", "Siti Rahayu", "0002").await;
    let p = placement(&app, &f, &siti, "confirmed", days_ago(95));
    let (_, ministry) = app.user("ministry@s.id", Role::Ministry).await;
    let admin = app.admin_token().await;
    let (_, colleague) = app.user("colleague@s.id", Role::Employer).await;
    let stranger_hr = Employer::new(&app, "stranger@s.id").await.token;
    let (_, stranger_organizer) = app.user("other-organizer@s.id", Role::Organizer).await;
    app.organization(&stranger_organizer, "organizer").await;
    let ayu = Seeker::new(&app, "ayu@s.id", "Siti Rahayu", "0004").await;
    // A plain member of the employer counts as the employer.
    app.post(
        &format!("/api/v1/organizations/{}/members", f.company),
        Some(&f.employer),
        json!({"email": "colleague@s.id", "role": "member"}),
    )
    .await
    .assert(201);

    let allowed: [(&str, &str); 6] = [
        (&f.employer, "employer"),
        (&colleague, "employer"),
        (&siti.token, "job_seeker"),
        (&f.organizer, "staff"),
        (&ministry, "staff"),
        (&admin, "staff"),
    ];
    let forbidden: [(&str, &str); 8] = [
        (&f.employer, "job_seeker"),
        (&f.employer, "staff"),
        (&siti.token, "employer"),
        (&siti.token, "staff"),
        (&f.organizer, "employer"),
        (&f.organizer, "job_seeker"),
        (&ministry, "employer"),
        (&admin, "job_seeker"),
    ];
    let hidden: [(&str, &str); 3] = [
        (&stranger_hr, "employer"),
        (&ayu.token, "job_seeker"),
        (&stranger_organizer, "staff"),
    ];
    for (token, source) in forbidden {
        let r = app
            .post(&path(&p), Some(token), body(today(), source))
            .await;
        assert_eq!(r.status, 403, "{source}: {}", r.body);
    }
    for (token, source) in hidden {
        let r = app
            .post(&path(&p), Some(token), body(today(), source))
            .await;
        assert_eq!(r.status, 404, "{source}: {}", r.body);
    }
    app.post(&path(&p), None, body(today(), "staff"))
        .await
        .assert(401);
    assert_eq!(app.count("follow_ups"), 0);
    assert_eq!(audited(&app), 0);

    for (token, source) in allowed {
        let r = app
            .post(&path(&p), Some(token), body(today(), source))
            .await;
        assert_eq!(r.status, 201, "{source}: {}", r.body);
        assert_eq!(r.body["source"], source);
    }
    assert_eq!(app.count("follow_ups"), 6);
    assert_eq!(audited(&app), 6);

    // Closed fairs take follow-ups too.
    app.post(
        &format!("/api/v1/events/{}/close", f.event),
        Some(&f.organizer),
        json!({"spent_idr": 100000000}),
    )
    .await
    .assert(200);
    app.post(&path(&p), Some(&siti.token), body(today(), "job_seeker"))
        .await
        .assert(201);
    assert_eq!(audited(&app), 7);
}

async fn only_verified_placements_take_follow_ups(app: TestApp) {
    let f = fair(&app, "v").await;
    let start = days_ago(120);
    let mut n = 0;
    for (status, expected) in [
        ("reported", 409),
        ("disputed", 409),
        ("retracted", 409),
        ("confirmed", 201),
        ("verified", 201),
    ] {
        n += 1;
        let s = Seeker::new(
            &app,
            &format!("s{n}@v.id"),
            "Siti Rahayu",
            &format!("{:04}", n * 2),
        )
        .await;
        let p = placement(&app, &f, &s, status, start);
        let r = app
            .post(&path(&p), Some(&f.organizer), body(today(), "staff"))
            .await;
        assert_eq!(r.status, expected, "{status}: {}", r.body);
        if expected == 409 {
            assert_eq!(r.code(), "placement_not_verified");
        }
    }
    assert_eq!(app.count("follow_ups"), 2);
    assert_eq!(audited(&app), 2);
}

async fn the_due_list_shows_missing_checkpoints_until_they_are_done(app: TestApp) {
    let f = fair(&app, "l").await;
    let (_, ministry) = app.user("ministry@l.id", Role::Ministry).await;
    let a = Seeker::new(&app, "a@l.id", "Siti Rahayu", "0002").await;
    let b = Seeker::new(&app, "b@l.id", "Siti Rahayu", "0004").await;
    let c = Seeker::new(&app, "c@l.id", "Siti Rahayu", "0006").await;
    let d = Seeker::new(&app, "d@l.id", "Siti Rahayu", "0008").await;
    let (sa, sb) = (days_ago(100), days_ago(200));
    let pa = placement(&app, &f, &a, "verified", sa); // past 90 only
    let pb = placement(&app, &f, &b, "confirmed", sb); // past 90 and 180
    placement(&app, &f, &c, "verified", days_ago(30)); // nothing due yet
    placement(&app, &f, &d, "reported", days_ago(200)); // not verified: never listed
    let due = "/api/v1/follow-ups/due";

    let page = app.get(due, Some(&ministry)).await;
    page.assert(200);
    assert_eq!(
        rows(&page.body),
        [row(&pb, 90, sb), row(&pb, 180, sb), row(&pa, 90, sa)]
    );
    assert_eq!(page.body["next_cursor"], Value::Null);
    let first = &page.body["items"][0];
    assert_eq!(first["start_date"], sb.to_string());
    assert_eq!(first["status"], "confirmed");
    assert_eq!(first["event_id"], f.event);
    assert_eq!(first["employer_id"], f.company);
    assert_eq!(first["job_seeker_id"], b.id);
    assert_eq!(first["job_seeker_name"], "Siti Rahayu");

    // `before`: what is due by a given date (the due date itself included).
    let by = |date: NaiveDate| format!("{due}?before={date}");
    let page = app.get(&by(sa + Duration::days(89)), Some(&ministry)).await;
    assert_eq!(rows(&page.body), [row(&pb, 90, sb), row(&pb, 180, sb)]);
    let page = app
        .get(&by(sb + Duration::days(179)), Some(&ministry))
        .await;
    assert_eq!(rows(&page.body), [row(&pb, 90, sb)]);
    let page = app.get(&by(sb + Duration::days(89)), Some(&ministry)).await;
    assert_eq!(rows(&page.body), []);
    // 90 days ahead: A's 180, and the 90 of the placement that started 30 days ago, come due.
    let page = app
        .get(&by(today() + Duration::days(90)), Some(&ministry))
        .await;
    assert_eq!(page.body["items"].as_array().unwrap().len(), 5);

    // A follow-up before the checkpoint does not count; one on or after it does.
    let post = |p: &str, on: NaiveDate| {
        let p = p.to_owned();
        let token = f.employer.clone();
        let app = &app;
        async move {
            app.post(&path(&p), Some(&token), body(on, "employer"))
                .await
                .assert(201);
        }
    };
    post(&pa, sa + Duration::days(89)).await;
    let page = app.get(due, Some(&ministry)).await;
    assert_eq!(
        rows(&page.body),
        [row(&pb, 90, sb), row(&pb, 180, sb), row(&pa, 90, sa)]
    );
    post(&pa, sa + Duration::days(90)).await;
    let page = app.get(due, Some(&ministry)).await;
    assert_eq!(rows(&page.body), [row(&pb, 90, sb), row(&pb, 180, sb)]);
    // A check at 100 days covers the 90-day checkpoint only; one at 180 covers both.
    post(&pb, sb + Duration::days(100)).await;
    let page = app.get(due, Some(&ministry)).await;
    assert_eq!(rows(&page.body), [row(&pb, 180, sb)]);
    post(&pb, sb + Duration::days(180)).await;
    let page = app.get(due, Some(&ministry)).await;
    assert_eq!(rows(&page.body), []);
    assert_eq!(audited(&app), 4);
}

async fn the_due_list_is_filtered_and_paginated(app: TestApp) {
    let f = fair(&app, "f").await;
    let admin = app.admin_token().await;
    // A second employer at the same fair, and a second fair run by another office.
    let other = Employer::at(&app, &f, "hr2@f.id", true).await;
    let other_vacancy = other.vacancy(&app, &f, json!({"openings": 5})).await;
    let Employer {
        id: other_hr_id,
        token: other_hr,
        company: other_company,
    } = other;
    let g = fair(&app, "g").await;

    let mut expected_f_company = Vec::new();
    let mut expected_other = Vec::new();
    let mut expected_g = Vec::new();
    for n in 0..3_i64 {
        let s = Seeker::new(
            &app,
            &format!("f{n}@f.id"),
            "Siti Rahayu",
            &format!("00{}", 10 + n * 2),
        )
        .await;
        let start = days_ago(95 + n);
        let p = placement(&app, &f, &s, "verified", start);
        expected_f_company.push(row(&p, 90, start));
    }
    let s = Seeker::new(&app, "o@f.id", "Siti Rahayu", "0030").await;
    let start = days_ago(190);
    let po = placement_at(
        &app,
        (&f.event, &other_vacancy, &other_company, &other_hr_id),
        &s,
        "verified",
        start,
    );
    expected_other.push(row(&po, 90, start));
    expected_other.push(row(&po, 180, start));
    let s = Seeker::new(&app, "g@f.id", "Siti Rahayu", "0032").await;
    let start = days_ago(91);
    let pg = placement(&app, &g, &s, "confirmed", start);
    expected_g.push(row(&pg, 90, start));

    let due = "/api/v1/follow-ups/due";
    let sorted = |mut v: Vec<(String, i64, String)>| {
        v.sort_by(|a, b| (&a.2, &a.0, a.1).cmp(&(&b.2, &b.0, b.1)));
        v
    };
    let of = |org: &str| format!("{due}?organization_id={org}");

    // By employer organization, and by organizer organization (its events' placements).
    let page = app.get(&of(&f.company), Some(&admin)).await;
    assert_eq!(rows(&page.body), sorted(expected_f_company.clone()));
    let page = app.get(&of(&other_company), Some(&other_hr)).await;
    assert_eq!(rows(&page.body), sorted(expected_other.clone()));
    let page = app.get(&of(&f.office), Some(&f.organizer)).await;
    let mut at_f = expected_f_company.clone();
    at_f.extend(expected_other.clone());
    assert_eq!(rows(&page.body), sorted(at_f.clone()));
    let page = app.get(&of(&g.office), Some(&g.organizer)).await;
    assert_eq!(rows(&page.body), expected_g);
    let page = app
        .get(&of(&uuid::Uuid::now_v7().to_string()), Some(&admin))
        .await;
    assert_eq!(rows(&page.body), []);

    // Keyset pages of one row walk the whole list once, in order.
    let mut all = at_f;
    all.extend(expected_g);
    let all = sorted(all);
    let mut walked = Vec::new();
    let mut url = format!("{due}?limit=2");
    loop {
        let page = app.get(&url, Some(&admin)).await;
        page.assert(200);
        walked.extend(rows(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{due}?limit=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(walked, all);
    let mut walked = Vec::new();
    let mut url = format!("{due}?limit=1");
    loop {
        let page = app.get(&url, Some(&admin)).await;
        walked.extend(rows(&page.body));
        match page.body["next_cursor"].as_str() {
            Some(cursor) => url = format!("{due}?limit=1&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(walked, all);

    // Bad parameters are 422.
    for bad in [
        "?limit=0",
        "?limit=101",
        "?cursor=nonsense",
        "?before=2026-13-01",
        "?organization_id=not-a-uuid",
        "?colour=red",
    ] {
        let r = app.get(&format!("{due}{bad}"), Some(&admin)).await;
        assert_eq!(r.status, 422, "{bad}: {}", r.body);
    }
}

async fn who_reads_follow_ups_and_due_lists(app: TestApp) {
    let f = fair(&app, "w").await;
    let siti = Seeker::new(&app, "siti@w.id", "Siti Rahayu", "0002").await;
    let start = days_ago(100);
    let p = placement(&app, &f, &siti, "verified", start);
    let (_, ministry) = app.user("ministry@w.id", Role::Ministry).await;
    let Employer {
        token: stranger_hr,
        company: stranger_company,
        ..
    } = Employer::new(&app, "stranger@w.id").await;
    let (_, stranger_organizer) = app.user("other-organizer@w.id", Role::Organizer).await;
    let ayu = Seeker::new(&app, "ayu@w.id", "Siti Rahayu", "0004").await;
    // Too early for the 90-day checkpoint: the placement stays due.
    let early = start + Duration::days(10);
    app.post(&path(&p), Some(&f.employer), body(early, "employer"))
        .await
        .assert(201);

    // A placement's follow-ups: its parties and ministry staff; others get 404.
    for token in [&f.employer, &siti.token, &f.organizer, &ministry] {
        let r = app.get(&path(&p), Some(token)).await;
        r.assert(200);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    }
    for token in [&stranger_hr, &stranger_organizer, &ayu.token] {
        app.get(&path(&p), Some(token)).await.assert(404);
    }
    app.get(&path(&uuid::Uuid::now_v7().to_string()), Some(&ministry))
        .await
        .assert(404);
    app.get(&path(&p), None).await.assert(401);

    // The due list.
    let due = "/api/v1/follow-ups/due";
    let of = |org: &str| format!("{due}?organization_id={org}");
    app.get(due, None).await.assert(401);
    app.get(due, Some(&siti.token)).await.assert(403);
    app.get(&of(&f.company), Some(&siti.token))
        .await
        .assert(403);
    let r = app.get(due, Some(&f.employer)).await;
    r.assert(422);
    assert_eq!(r.fields(), ["organization_id"]);
    app.get(due, Some(&f.organizer)).await.assert(422);
    app.get(&of(&f.company), Some(&stranger_hr))
        .await
        .assert(403);
    app.get(&of(&f.office), Some(&stranger_organizer))
        .await
        .assert(403);
    app.get(&of(&f.office), Some(&f.employer)).await.assert(403);
    let r = app.get(&of(&stranger_company), Some(&stranger_hr)).await;
    r.assert(200);
    assert_eq!(rows(&r.body), []);
    for (token, org) in [(&f.employer, &f.company), (&f.organizer, &f.office)] {
        let r = app.get(&of(org), Some(token)).await;
        r.assert(200);
        assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
    }
    let r = app.get(due, Some(&ministry)).await;
    r.assert(200);
    assert_eq!(r.body["items"].as_array().unwrap().len(), 1);
}
