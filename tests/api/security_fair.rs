//! Issue 11, running a fair: text fields refuse control and bidirectional formatting
//! characters, dates lie in 2000–2100, a CSV cell cannot hide a formula behind an invisible
//! character, and the guards answer 404 for an event the caller may not see and 403 for one they
//! may see but not act on, whatever their memberships and role were.

use bursa::auth::Role;
use serde_json::{json, Value};

use crate::common::{event_body, TestApp};
use crate::db_tests;

db_tests!(
    event_text_fields_refuse_control_and_bidi_characters,
    vacancy_text_fields_refuse_control_and_bidi_characters,
    vacancy_closes_at_and_event_filters_are_bounded_to_the_years,
    a_csv_cell_cannot_hide_a_formula_behind_a_zero_width_space,
    outsiders_get_404_on_a_draft_and_403_on_a_published_event,
    a_demoted_or_removed_organizer_cannot_run_the_event,
    a_demoted_employer_cannot_post_or_change_vacancies,
);

/// An organizer (token) and their organizer organization.
async fn organizer(app: &TestApp, email: &str) -> (String, String) {
    let (_, token) = app.user(email, Role::Organizer).await;
    let org = app.organization(&token, "organizer").await;
    (token, org)
}

async fn publish(app: &TestApp, token: &str, event: &str) {
    app.post(
        &format!("/api/v1/events/{event}/publish"),
        Some(token),
        json!({}),
    )
    .await
    .assert(200);
}

fn with(mut body: Value, field: &str, value: Value) -> Value {
    body[field] = value;
    body
}

async fn event_text_fields_refuse_control_and_bidi_characters(app: TestApp) {
    let (token, org) = organizer(&app, "o@disnaker.id").await;
    for (field, value) in [
        ("title", "Bursa Kerja\0 Jakarta"),
        ("title", "Bursa Kerja\r\nJakarta"),
        ("title", "Bursa Kerja\nJakarta"),
        ("title", "Bursa \u{202E}atrakaJ"),
        ("title", "\u{2066}Bursa Kerja\u{2069}"),
        ("title", "Bursa Kerja\u{200F}"),
        ("city", "Jakarta\tPusat"),
        ("venue", "JCC\u{061C}"),
        ("description", "Two hundred employers.\0"),
        ("description", "Line one\u{202D}"),
        ("description", "Tabbed\tcolumns"),
    ] {
        let resp = app
            .post(
                "/api/v1/events",
                Some(&token),
                with(event_body(&org), field, json!(value)),
            )
            .await;
        assert_eq!(resp.status, 422, "{field} {value:?}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{value:?}");
    }
    assert_eq!(app.count("events"), 0, "nothing written");

    // A description runs over several lines (LF, or CR LF).
    let description = "Two hundred employers.\nFive thousand vacancies.\r\nFree entry.";
    let created = app
        .post(
            "/api/v1/events",
            Some(&token),
            with(event_body(&org), "description", json!(description)),
        )
        .await;
    created.assert(201);
    assert_eq!(created.body["description"], description);
    let path = format!("/api/v1/events/{}", created.id());

    // A change is checked the same way, and a refused one changes nothing.
    for patch in [
        json!({"title": "Renamed\u{202A}"}),
        json!({"title": "Re\0named"}),
        json!({"description": "Bad\u{0}"}),
    ] {
        app.patch(&path, Some(&token), patch.clone())
            .await
            .assert(422);
    }
    let stored = app.get(&path, Some(&token)).await;
    assert_eq!(stored.body["title"], created.body["title"]);
    assert_eq!(stored.body["description"], description);

    // Closing notes are multi-line too.
    let mut running = event_body(&org);
    let start = chrono::Utc::now() - chrono::Duration::hours(2);
    running["starts_at"] = json!(start.to_rfc3339());
    running["ends_at"] = json!((start + chrono::Duration::hours(8)).to_rfc3339());
    let running = app
        .post("/api/v1/events", Some(&token), running)
        .await
        .assert(201)
        .id();
    publish(&app, &token, &running).await;
    let close = format!("/api/v1/events/{running}/close");
    let bad = app
        .post(
            &close,
            Some(&token),
            json!({"spent_idr": 1, "notes": "Donated\u{0}"}),
        )
        .await;
    bad.assert(422);
    assert_eq!(bad.fields(), ["notes"]);
    let closed = app
        .post(
            &close,
            Some(&token),
            json!({"spent_idr": 1, "notes": "Venue donated.\nCatering paid by the city."}),
        )
        .await;
    closed.assert(200);
    assert_eq!(
        closed.body["closing_notes"],
        "Venue donated.\nCatering paid by the city."
    );
}

/// A published fair of a new organizer with an approved employer: (employer token, employer
/// organization, vacancies path).
async fn fair_with_employer(app: &TestApp) -> (String, String, String) {
    let (organizer, org) = organizer(app, "o@disnaker.id").await;
    let event = app.event(&organizer, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(app, &organizer, &event).await;
    let (_, employer) = app.user("hr@pt-maju.id", Role::Employer).await;
    let company = app.organization(&employer, "employer").await;
    let employers = format!("/api/v1/events/{event}/employers");
    app.post(
        &employers,
        Some(&employer),
        json!({"organization_id": company}),
    )
    .await
    .assert(201);
    app.post(
        &format!("{employers}/{company}/approve"),
        Some(&organizer),
        json!({}),
    )
    .await
    .assert(200);
    (
        employer,
        company,
        format!("/api/v1/events/{event}/vacancies"),
    )
}

fn vacancy_body(organization_id: &str) -> Value {
    json!({
        "organization_id": organization_id, "title": "Forklift Operator",
        "description": "Night shifts.", "occupation_code": "8344", "openings": 2,
        "employment_type": "contract", "location_province_code": "31",
        "location_city": "Jakarta Utara"
    })
}

async fn vacancy_text_fields_refuse_control_and_bidi_characters(app: TestApp) {
    let (employer, company, vacancies) = fair_with_employer(&app).await;
    for (field, value) in [
        ("title", "Forklift\0Operator"),
        ("title", "Forklift\nOperator"),
        ("title", "Forklift \u{202E}rotarepO"),
        ("title", "\u{2067}Forklift Operator"),
        ("location_city", "Jakarta\u{200E}"),
        ("description", "Night shifts.\0"),
        ("description", "Night\u{2068} shifts."),
    ] {
        let resp = app
            .post(
                &vacancies,
                Some(&employer),
                with(vacancy_body(&company), field, json!(value)),
            )
            .await;
        assert_eq!(resp.status, 422, "{field} {value:?}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{value:?}");
    }
    assert_eq!(app.count("vacancies"), 0, "nothing written");

    let description = "Night shifts.\nA forklift licence (SIO) is required.\r\nMess provided.";
    let created = app
        .post(
            &vacancies,
            Some(&employer),
            with(vacancy_body(&company), "description", json!(description)),
        )
        .await;
    created.assert(201);
    assert_eq!(created.body["description"], description);
    let one = format!("/api/v1/vacancies/{}", created.id());
    let refused = app
        .patch(&one, Some(&employer), json!({"title": "Operator\u{202B}"}))
        .await;
    refused.assert(422);
    assert_eq!(refused.fields(), ["title"]);
    assert_eq!(app.get(&one, None).await.body["title"], "Forklift Operator");
}

async fn vacancy_closes_at_and_event_filters_are_bounded_to_the_years(app: TestApp) {
    let (employer, company, vacancies) = fair_with_employer(&app).await;
    for closes_at in [
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "1999-12-31T23:59:59Z",
        "2101-01-01T00:00:00Z",
    ] {
        let resp = app
            .post(
                &vacancies,
                Some(&employer),
                with(vacancy_body(&company), "closes_at", json!(closes_at)),
            )
            .await;
        assert_eq!(resp.status, 422, "{closes_at}: {}", resp.body);
        assert_eq!(resp.fields(), ["closes_at"], "{closes_at}");
    }
    assert_eq!(app.count("vacancies"), 0, "nothing written");

    let created = app
        .post(
            &vacancies,
            Some(&employer),
            with(
                vacancy_body(&company),
                "closes_at",
                json!("2100-12-31T00:00:00Z"),
            ),
        )
        .await;
    created.assert(201);
    let one = format!("/api/v1/vacancies/{}", created.id());
    for closes_at in ["0001-01-01T00:00:00Z", "9999-12-31T00:00:00Z"] {
        let resp = app
            .patch(&one, Some(&employer), json!({"closes_at": closes_at}))
            .await;
        resp.assert(422);
        assert_eq!(resp.fields(), ["closes_at"]);
    }
    assert_eq!(
        app.get(&one, None).await.body["closes_at"],
        "2100-12-31T00:00:00Z"
    );

    // An event's times too, its start and its end.
    let (token, org) = organizer(&app, "b@disnaker.id").await;
    for (start, end, field) in [
        ("1999-12-31T08:00:00Z", "2000-01-01T08:00:00Z", "starts_at"),
        ("2100-12-31T08:00:00Z", "2101-01-01T08:00:00Z", "ends_at"),
        ("0001-01-01T08:00:00Z", "0001-01-02T08:00:00Z", "starts_at"),
    ] {
        let mut body = event_body(&org);
        body["starts_at"] = json!(start);
        body["ends_at"] = json!(end);
        let resp = app.post("/api/v1/events", Some(&token), body).await;
        assert_eq!(resp.status, 422, "{start}: {}", resp.body);
        assert!(resp.fields().contains(&field.to_owned()), "{start}");
    }

    // Query filters: out of range is a 422 naming the parameter, never a 500.
    for (query, field) in [
        ("from=0001-01-01T00:00:00Z", "from"),
        ("to=9999-12-31T23:59:59Z", "to"),
        ("from=2026-01-01T00:00:00Z&to=2101-01-01T00:00:00Z", "to"),
    ] {
        let resp = app.get(&format!("/api/v1/events?{query}"), None).await;
        assert_eq!(resp.status, 422, "{query}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{query}");
    }
    app.get(
        "/api/v1/events?from=2000-01-01T00:00:00Z&to=2100-12-31T23:59:59Z",
        None,
    )
    .await
    .assert(200);
}

async fn a_csv_cell_cannot_hide_a_formula_behind_a_zero_width_space(app: TestApp) {
    let (_, token) = app.user("o@disnaker.id", Role::Organizer).await;
    let name = "\u{200B}=HYPERLINK(\"http://x.example\")";
    let org = app
        .post(
            "/api/v1/organizations",
            Some(&token),
            json!({"name": name, "kind": "organizer", "province_code": "31", "city": "Jakarta"}),
        )
        .await
        .assert(201)
        .id();
    app.verify_organization(&org).await;
    let event = app.event(&token, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&app, &token, &event).await;
    let admin = app.admin_token().await;
    let csv = app
        .get(
            "/api/v1/metrics/export?group_by=organization&format=csv",
            Some(&admin),
        )
        .await;
    csv.assert(200);
    let text = csv.body.as_str().unwrap();
    let mut reader = csv::Reader::from_reader(text.as_bytes());
    let labels: Vec<String> = reader.records().map(|r| r.unwrap()[1].to_owned()).collect();
    assert!(
        labels.contains(&format!("'{name}")),
        "the label is guarded: {labels:?}"
    );
}

async fn outsiders_get_404_on_a_draft_and_403_on_a_published_event(app: TestApp) {
    let (owner, org) = organizer(&app, "o@disnaker.id").await;
    let event = app.event(&owner, &org).await;
    let id = event["id"].as_str().unwrap().to_owned();
    let path = format!("/api/v1/events/{id}");
    let (outsider, _) = organizer(&app, "other@disnaker.id").await;
    let (_, employer) = app.user("hr@pt-maju.id", Role::Employer).await;
    let company = app.organization(&employer, "employer").await;
    let approve = format!("{path}/employers/{company}/approve");

    // A draft: another organizer cannot learn that it exists.
    let staff_only = [
        ("GET", path.clone(), Value::Null),
        ("PATCH", path.clone(), json!({"title": "Taken over"})),
        ("POST", format!("{path}/publish"), json!({})),
        ("POST", format!("{path}/cancel"), json!({})),
        ("POST", format!("{path}/close"), json!({"spent_idr": 1})),
        ("POST", approve.clone(), json!({})),
    ];
    let call = |method: &'static str, path: String, body: Value| {
        let app = &app;
        let outsider = outsider.clone();
        async move {
            match method {
                "GET" => app.get(&path, Some(&outsider)).await,
                "PATCH" => app.patch(&path, Some(&outsider), body).await,
                _ => app.post(&path, Some(&outsider), body).await,
            }
        }
    };
    for (method, path, body) in staff_only.clone() {
        let resp = call(method, path.clone(), body).await;
        assert_eq!(resp.status, 404, "{method} {path}: {}", resp.body);
        assert_eq!(resp.code(), "not_found", "{method} {path}");
    }

    // Published: visible to all, run by its organization only.
    publish(&app, &owner, &id).await;
    app.post(
        &format!("{path}/employers"),
        Some(&employer),
        json!({"organization_id": company}),
    )
    .await
    .assert(201);
    for (method, path, body) in staff_only.into_iter().skip(1) {
        let resp = call(method, path.clone(), body).await;
        assert_eq!(resp.status, 403, "{method} {path}: {}", resp.body);
        assert_eq!(resp.code(), "forbidden", "{method} {path}");
    }
    call("GET", path.clone(), Value::Null).await.assert(200);
    let stored = app.get(&path, None).await;
    assert_eq!(stored.body["status"], "published");
    assert_eq!(stored.body["title"], event["title"]);
    let employers = app.get(&format!("{path}/employers"), Some(&owner)).await;
    assert_eq!(employers.body["items"][0]["status"], "pending");
}

async fn a_demoted_or_removed_organizer_cannot_run_the_event(app: TestApp) {
    let (owner, org) = organizer(&app, "o@disnaker.id").await;
    let (member_id, _) = app.user("member@disnaker.id", Role::Organizer).await;
    let (removed_id, _) = app.user("removed@disnaker.id", Role::Organizer).await;
    for email in ["member@disnaker.id", "removed@disnaker.id"] {
        app.post(
            &format!("/api/v1/organizations/{org}/members"),
            Some(&owner),
            json!({"email": email, "role": "member"}),
        )
        .await
        .assert(201);
    }
    let draft = app.event(&owner, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let published = app.event(&owner, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    publish(&app, &owner, &published).await;
    let login = |email: &'static str| {
        let app = &app;
        async move {
            app.login(email).await["access_token"]
                .as_str()
                .unwrap()
                .to_owned()
        }
    };
    // Both members see and may run the draft while they are members.
    let member = login("member@disnaker.id").await;
    app.get(&format!("/api/v1/events/{draft}"), Some(&member))
        .await
        .assert(200);

    // An admin demotes one (their next sign-in carries the new role); the owner removes the
    // other from the organization.
    let admin = app.admin_token().await;
    app.patch(
        &format!("/api/v1/users/{member_id}"),
        Some(&admin),
        json!({"role": "job_seeker"}),
    )
    .await
    .assert(200);
    app.delete(
        &format!("/api/v1/organizations/{org}/members/{removed_id}"),
        Some(&owner),
    )
    .await
    .assert(204);
    let demoted = login("member@disnaker.id").await;
    let removed = login("removed@disnaker.id").await;

    // The demoted member keeps the membership row, but a job seeker acts for no organizer
    // office: the draft is hidden again (404) and the published event is not theirs (403).
    app.get(&format!("/api/v1/events/{draft}"), Some(&demoted))
        .await
        .assert(404);
    for (event, status) in [(&draft, 404), (&published, 403)] {
        for action in ["publish", "cancel"] {
            app.post(
                &format!("/api/v1/events/{event}/{action}"),
                Some(&demoted),
                json!({}),
            )
            .await
            .assert(status);
        }
    }
    let listed = app.get("/api/v1/events?status=draft", Some(&demoted)).await;
    listed.assert(200);
    assert_eq!(listed.body["items"], json!([]), "no drafts listed");

    // The removed member is an outsider: 404 on the draft, 403 on the published event.
    app.post(
        &format!("/api/v1/events/{draft}/publish"),
        Some(&removed),
        json!({}),
    )
    .await
    .assert(404);
    app.post(
        &format!("/api/v1/events/{published}/cancel"),
        Some(&removed),
        json!({}),
    )
    .await
    .assert(403);
    app.patch(
        &format!("/api/v1/events/{published}"),
        Some(&removed),
        json!({"title": "Taken over"}),
    )
    .await
    .assert(403);

    assert_eq!(
        app.get(&format!("/api/v1/events/{draft}"), Some(&owner))
            .await
            .body["status"],
        "draft"
    );
    assert_eq!(
        app.get(&format!("/api/v1/events/{published}"), None)
            .await
            .body["status"],
        "published"
    );
    // The owner still runs both.
    publish(&app, &owner, &draft).await;
}

async fn a_demoted_employer_cannot_post_or_change_vacancies(app: TestApp) {
    let (employer, company, vacancies) = fair_with_employer(&app).await;
    let vacancy = app
        .post(&vacancies, Some(&employer), vacancy_body(&company))
        .await
        .assert(201)
        .id();
    let me = app.get("/api/v1/me", Some(&employer)).await.body["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let admin = app.admin_token().await;
    app.patch(
        &format!("/api/v1/users/{me}"),
        Some(&admin),
        json!({"role": "job_seeker"}),
    )
    .await
    .assert(200);
    let demoted = app.login("hr@pt-maju.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let one = format!("/api/v1/vacancies/{vacancy}");
    app.post(&vacancies, Some(&demoted), vacancy_body(&company))
        .await
        .assert(403);
    app.patch(&one, Some(&demoted), json!({"openings": 50}))
        .await
        .assert(403);
    app.post(&format!("{one}/close"), Some(&demoted), json!({}))
        .await
        .assert(403);
    let stored = app.get(&one, None).await;
    assert_eq!(stored.body["openings"], 2);
    assert_eq!(stored.body["status"], "open");
    assert_eq!(app.count("vacancies"), 1);
}
