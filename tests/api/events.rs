//! Events: creation rules, updates, visibility of drafts, filters and keyset pagination.

use bursa::auth::Role;
use serde_json::{json, Value};

use crate::common::{event_body, TestApp};
use crate::db_tests;

db_tests!(
    event_validation_names_each_bad_field,
    money_is_whole_non_negative_rupiah,
    organization_must_be_an_organizer_the_caller_belongs_to,
    updates_merge_and_revalidate,
    drafts_are_private_to_their_organization_and_staff,
    lists_filter_and_page_by_start_time,
    ends_after_keeps_fairs_under_way_and_drops_ended_ones,
);

async fn organizer(app: &TestApp, email: &str) -> (String, String) {
    let (_, token) = app.user(email, Role::Organizer).await;
    let org = app.organization(&token, "organizer").await;
    (token, org)
}

async fn event_validation_names_each_bad_field(app: TestApp) {
    let (token, org) = organizer(&app, "o@x.id").await;
    let with = |changes: Value| {
        let mut body = event_body(&org);
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                body.as_object_mut().unwrap().remove(k);
            } else {
                body[k] = v.clone();
            }
        }
        body
    };
    let cases = [
        (json!({"ends_at": "2026-12-01T07:00:00+07:00"}), "ends_at"),
        (json!({"province_code": "99"}), "province_code"),
        (json!({"format": "in_person"}), "format"),
        (json!({"funding_source": "lottery"}), "funding_source"),
        (json!({"capacity": 0}), "capacity"),
        (json!({"title": "ab"}), "title"),
        (json!({"title": "x".repeat(201)}), "title"),
        (json!({"venue": null}), "venue"),
        (json!({"starts_at": "yesterday"}), "starts_at"),
        (json!({"target_placements": -5}), "target_placements"),
        (json!({"organization_id": "not-a-uuid"}), "organization_id"),
        (json!({"city": null}), "city"),
    ];
    for (changes, field) in cases {
        let resp = app
            .post("/api/v1/events", Some(&token), with(changes.clone()))
            .await;
        assert_eq!(resp.status, 422, "{changes}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{changes}");
    }
    // Online events need no venue.
    app.post(
        "/api/v1/events",
        Some(&token),
        with(json!({"format": "online", "venue": null})),
    )
    .await
    .assert(201);
    assert_eq!(app.count("events"), 1);
}

async fn money_is_whole_non_negative_rupiah(app: TestApp) {
    let (token, org) = organizer(&app, "o@x.id").await;
    for bad in [json!(-1), json!(1.5), json!("100"), json!(1e20)] {
        let mut body = event_body(&org);
        body["budget_idr"] = bad.clone();
        let resp = app.post("/api/v1/events", Some(&token), body).await;
        assert_eq!(resp.status, 422, "{bad}: {}", resp.body);
        assert_eq!(resp.fields(), ["budget_idr"], "{bad}");
    }
    let mut body = event_body(&org);
    body["budget_idr"] = json!(0);
    let free = app.post("/api/v1/events", Some(&token), body).await;
    free.assert(201);
    assert_eq!(free.body["budget_idr"], 0);
    assert_eq!(app.count("events"), 1);
}

async fn organization_must_be_an_organizer_the_caller_belongs_to(app: TestApp) {
    let (token, _) = organizer(&app, "o@x.id").await;
    let (_, employer) = app.user("e@x.id", Role::Employer).await;
    let employer_org = app.organization(&employer, "employer").await;
    let resp = app
        .post("/api/v1/events", Some(&token), event_body(&employer_org))
        .await;
    resp.assert(422);
    assert_eq!(resp.fields(), ["organization_id"]);
    let nowhere = app
        .post(
            "/api/v1/events",
            Some(&token),
            event_body(&uuid::Uuid::new_v4().to_string()),
        )
        .await;
    nowhere.assert(422);
    let (_, other_org) = organizer(&app, "other@x.id").await;
    app.post("/api/v1/events", Some(&token), event_body(&other_org))
        .await
        .assert(403);
    assert_eq!(app.count("events"), 0);
}

async fn updates_merge_and_revalidate(app: TestApp) {
    let (token, org) = organizer(&app, "o@x.id").await;
    let event = app.event(&token, &org).await;
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());
    let patched = app
        .patch(&path, Some(&token), json!({"title": "Bursa Kerja Jakarta", "capacity": 800, "format": "online", "venue": null}))
        .await;
    patched.assert(200);
    assert_eq!(patched.body["title"], "Bursa Kerja Jakarta");
    assert_eq!(patched.body["capacity"], 800);
    assert_eq!(patched.body["venue"], Value::Null);
    assert_eq!(patched.body["starts_at"], event["starts_at"]);
    // The merged event must still make sense: a start after the stored end is refused.
    let bad = app
        .patch(
            &path,
            Some(&token),
            json!({"starts_at": "2027-01-01T00:00:00Z"}),
        )
        .await;
    bad.assert(422);
    assert_eq!(bad.fields(), ["ends_at"]);
    // Back to onsite without a venue is refused; status and owner are not patchable.
    app.patch(&path, Some(&token), json!({"format": "onsite"}))
        .await
        .assert(422);
    let status = app
        .patch(&path, Some(&token), json!({"status": "published"}))
        .await;
    status.assert(422);
    assert_eq!(status.fields(), ["status"]);
    app.patch(&path, Some(&token), json!({"organization_id": org}))
        .await
        .assert(422);
    let stored = app.get(&path, Some(&token)).await;
    assert_eq!(stored.body, patched.body);
}

async fn drafts_are_private_to_their_organization_and_staff(app: TestApp) {
    let (token, org) = organizer(&app, "o@x.id").await;
    let event = app.event(&token, &org).await;
    let path = format!("/api/v1/events/{}", event["id"].as_str().unwrap());
    let (_, other) = app.user("other@x.id", Role::Organizer).await;
    let (_, seeker) = app.user("s@x.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("m@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;

    app.get(&path, None).await.assert(404);
    // The organization's own member (asked in a second statement, the event not being public).
    app.get(&path, Some(&token)).await.assert(200);
    app.get(&path, Some(&other)).await.assert(404);
    app.get(&path, Some(&seeker)).await.assert(404);
    app.get(&path, Some(&ministry)).await.assert(200);
    app.get(&path, Some(&admin)).await.assert(200);

    let ids = |resp: &crate::common::Resp| -> Vec<String> {
        resp.body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["id"].as_str().unwrap().to_owned())
            .collect()
    };
    assert!(ids(&app.get("/api/v1/events", None).await).is_empty());
    assert!(ids(&app.get("/api/v1/events", Some(&other)).await).is_empty());
    assert_eq!(ids(&app.get("/api/v1/events", Some(&token)).await).len(), 1);
    assert_eq!(
        ids(&app.get("/api/v1/events", Some(&ministry)).await).len(),
        1
    );
}

async fn lists_filter_and_page_by_start_time(app: TestApp) {
    let (token, org) = organizer(&app, "o@x.id").await;
    let (token_b, org_b) = organizer(&app, "b@x.id").await;
    let mut expected = Vec::new();
    for (day, province) in [(3, "31"), (1, "32"), (2, "31"), (5, "51")] {
        let mut body = event_body(&org);
        body["starts_at"] = json!(format!("2026-12-0{day}T08:00:00+07:00"));
        body["ends_at"] = json!(format!("2026-12-0{day}T17:00:00+07:00"));
        body["province_code"] = json!(province);
        let id = app
            .post("/api/v1/events", Some(&token), body)
            .await
            .assert(201)
            .id();
        expected.push((day, id, province));
    }
    app.event(&token_b, &org_b).await;
    expected.sort();

    let mut seen = Vec::new();
    let mut path = "/api/v1/events?limit=3".to_owned();
    loop {
        let page = app.get(&path, Some(&token)).await;
        page.assert(200);
        for item in page.body["items"].as_array().unwrap() {
            seen.push(item["id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/events?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    let in_order: Vec<String> = expected.iter().map(|(_, id, _)| id.clone()).collect();
    assert_eq!(
        seen, in_order,
        "the organizer sees their four events, by start time, once each"
    );

    let jakarta = app
        .get("/api/v1/events?province_code=31", Some(&token))
        .await;
    assert_eq!(jakarta.body["items"].as_array().unwrap().len(), 2);
    let window = app
        .get(
            "/api/v1/events?from=2026-12-02T00:00:00%2B07:00&to=2026-12-04T00:00:00%2B07:00",
            Some(&token),
        )
        .await;
    let days: Vec<String> = window.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["starts_at"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(days, ["2026-12-02T01:00:00Z", "2026-12-03T01:00:00Z"]);
    let by_org = app
        .get(
            &format!("/api/v1/events?organization_id={org_b}"),
            Some(&token_b),
        )
        .await;
    assert_eq!(by_org.body["items"].as_array().unwrap().len(), 1);
    let drafts = app.get("/api/v1/events?status=draft", Some(&token)).await;
    assert_eq!(drafts.body["items"].as_array().unwrap().len(), 4);

    for bad in [
        "limit=0",
        "limit=101",
        "cursor=bogus",
        "status=open",
        "from=tomorrow",
        "organization_id=x",
        "colour=red",
    ] {
        let resp = app
            .get(&format!("/api/v1/events?{bad}"), Some(&token))
            .await;
        assert_eq!(resp.status, 422, "{bad}: {}", resp.body);
    }
}

/// `ends_after` filters in the query itself, so a page of fairs "upcoming or under way" is full
/// and no page is empty while later ones have fairs.
async fn ends_after_keeps_fairs_under_way_and_drops_ended_ones(app: TestApp) {
    use crate::fixtures::Fair;
    use chrono::{Duration, Utc};
    let now = Utc::now();
    let ended = Fair::by(&app, "o@ended.id")
        .starting(now - Duration::hours(30), 8)
        .published()
        .await;
    let running = ended
        .another(&app)
        .starting(now - Duration::hours(2), 8)
        .published()
        .await;
    let upcoming = ended
        .another(&app)
        .starting(now + Duration::days(3), 8)
        .published()
        .await;
    let after = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let listed = app
        .get(&format!("/api/v1/events?ends_after={after}&limit=1"), None)
        .await;
    listed.assert(200);
    assert_eq!(ids(&listed.body), vec![running.event.clone()]);
    let cursor = listed.body["next_cursor"].as_str().unwrap().to_owned();
    let next = app
        .get(
            &format!("/api/v1/events?ends_after={after}&limit=1&cursor={cursor}"),
            None,
        )
        .await;
    assert_eq!(ids(&next.body), vec![upcoming.event.clone()]);
    assert_eq!(next.body["next_cursor"], json!(null));
    // Without it the ended fair is listed; a bad instant is a 422 naming the field.
    let all = app.get("/api/v1/events", None).await;
    assert!(ids(&all.body).contains(&ended.event));
    let refused = app.get("/api/v1/events?ends_after=soon", None).await;
    refused.assert(422);
    assert_eq!(refused.fields(), ["ends_after"]);
}

fn ids(page: &Value) -> Vec<String> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].as_str().unwrap().to_owned())
        .collect()
}
