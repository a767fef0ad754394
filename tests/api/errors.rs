//! The error model: every client mistake is a 4xx with the JSON error body and changes nothing;
//! a lost database is a 503.

use std::time::Duration;

use actix_web::http::Method;
use bursa::auth::Role;
use bursa::db::{build_pool, DatabaseUrl};
use bursa::AppState;
use serde_json::json;

use crate::common::{Engine, TestApp};
use crate::db_tests;

db_tests!(
    malformed_json_is_400,
    wrong_content_type_is_415,
    oversized_bodies_are_413,
    unknown_routes_and_methods_get_json_errors,
    error_bodies_carry_the_request_id,
    failed_requests_change_nothing,
    health_and_readiness,
    a_lost_database_is_503,
    unexpected_failures_are_opaque_500s,
    hostile_bodies_never_cause_a_500,
    null_never_clears_a_required_field,
);

fn assert_error_shape(resp: &crate::common::Resp) {
    let error = &resp.body["error"];
    assert!(error["code"].is_string(), "{}", resp.body);
    assert!(error["message"].is_string(), "{}", resp.body);
    assert!(error["details"].is_array(), "{}", resp.body);
    assert!(error["request_id"].is_string(), "{}", resp.body);
}

async fn malformed_json_is_400(app: TestApp) {
    for body in [
        &b"{\"email\": "[..],
        b"not json",
        b"",
        b"{\"a\":1} trailing",
        b"{\"email\": \"x\",}",
    ] {
        let resp = app
            .raw(
                Method::POST,
                "/api/v1/auth/register",
                &[("content-type", "application/json")],
                body.to_vec(),
            )
            .await;
        resp.assert(400);
        assert_eq!(resp.code(), "malformed_json");
        assert_error_shape(&resp);
    }
    assert_eq!(app.count("users"), 0);
}

async fn wrong_content_type_is_415(app: TestApp) {
    let body = json!({"email": "a@b.id", "password": "correct-horse-9", "full_name": "A", "role": "job_seeker"});
    for content_type in [
        None,
        Some("text/plain"),
        Some("application/x-www-form-urlencoded"),
    ] {
        let headers: Vec<(&str, &str)> = content_type
            .map(|c| ("content-type", c))
            .into_iter()
            .collect();
        let resp = app
            .raw(
                Method::POST,
                "/api/v1/auth/register",
                &headers,
                body.to_string().into_bytes(),
            )
            .await;
        resp.assert(415);
        assert_eq!(resp.code(), "unsupported_media_type");
    }
    // application/json with a charset parameter is JSON.
    app.raw(
        Method::POST,
        "/api/v1/auth/register",
        &[("content-type", "application/json; charset=utf-8")],
        body.to_string().into_bytes(),
    )
    .await
    .assert(201);
}

async fn oversized_bodies_are_413(app: TestApp) {
    let huge = format!(
        r#"{{"email":"a@b.id","password":"correct-horse-9","full_name":"{}","role":"job_seeker"}}"#,
        "x".repeat(200 * 1024)
    );
    let resp = app
        .raw(
            Method::POST,
            "/api/v1/auth/register",
            &[("content-type", "application/json")],
            huge.into_bytes(),
        )
        .await;
    resp.assert(413);
    assert_eq!(resp.code(), "payload_too_large");
    assert_error_shape(&resp);
    assert_eq!(app.count("users"), 0);
}

async fn unknown_routes_and_methods_get_json_errors(app: TestApp) {
    let missing = app.get("/api/v1/nothing-here", None).await;
    missing.assert(404);
    assert_eq!(missing.code(), "route_not_found");
    assert_error_shape(&missing);
    let wrong_method = app.delete("/api/v1/events", None).await;
    wrong_method.assert(405);
    assert_eq!(wrong_method.code(), "method_not_allowed");
    assert_error_shape(&wrong_method);
    // An id that is not a UUID names nothing.
    let not_uuid = app.get("/api/v1/events/not-a-uuid", None).await;
    not_uuid.assert(404);
    assert_eq!(not_uuid.code(), "not_found");
    let unknown = app
        .get(&format!("/api/v1/events/{}", uuid::Uuid::new_v4()), None)
        .await;
    unknown.assert(404);
    assert_eq!(unknown.code(), "not_found");
}

async fn error_bodies_carry_the_request_id(app: TestApp) {
    let resp = app.get("/api/v1/me", None).await;
    resp.assert(401);
    let header = resp
        .header("x-request-id")
        .expect("x-request-id header")
        .to_owned();
    assert_eq!(resp.body["error"]["request_id"], header.as_str());
    let ok = app.get("/healthz", None).await;
    assert!(ok.header("x-request-id").is_some());
    assert_ne!(ok.header("x-request-id"), Some(header.as_str()));
}

async fn failed_requests_change_nothing(app: TestApp) {
    let (_, token) = app.user("org@x.id", Role::Organizer).await;
    let org = app.organization(&token, "organizer").await;
    let event = app.event(&token, &org).await;
    let id = event["id"].as_str().unwrap();
    let before = app.get(&format!("/api/v1/events/{id}"), Some(&token)).await;

    // Valid fields next to an invalid one: the whole patch is refused.
    let patch = app
        .patch(
            &format!("/api/v1/events/{id}"),
            Some(&token),
            json!({"title": "A new title", "ends_at": "2020-01-01T00:00:00Z"}),
        )
        .await;
    patch.assert(422);
    assert_eq!(patch.fields(), ["ends_at"]);
    let after = app.get(&format!("/api/v1/events/{id}"), Some(&token)).await;
    assert_eq!(before.body, after.body);

    let events_before = app.count("events");
    let mut body = crate::common::event_body(&org);
    body["budget_idr"] = json!(-1);
    app.post("/api/v1/events", Some(&token), body)
        .await
        .assert(422);
    assert_eq!(app.count("events"), events_before);
}

async fn health_and_readiness(app: TestApp) {
    let health = app.get("/healthz", None).await;
    health.assert(200);
    assert_eq!(health.body["status"], "ok");
    let ready = app.get("/readyz", None).await;
    ready.assert(200);
    assert_eq!(ready.body["status"], "ready");
    let provinces = app.get("/api/v1/provinces", None).await;
    provinces.assert(200);
    assert_eq!(provinces.body["items"].as_array().unwrap().len(), 38);
    // The table that foreign keys point at holds exactly the provinces shipped in the binary.
    use bursa::db::schema::provinces as p;
    use diesel::prelude::*;
    let mut stored: Vec<(String, String, String)> = p::table
        .select((p::code, p::name, p::timezone))
        .load(&mut app.conn())
        .unwrap();
    stored.sort();
    let mut shipped: Vec<(String, String, String)> = bursa::provinces::all()
        .iter()
        .map(|v| (v.code.to_owned(), v.name.to_owned(), v.timezone.to_owned()))
        .collect();
    shipped.sort();
    assert_eq!(stored, shipped);
}

/// The same app over a database that cannot be reached: readiness and data routes say 503 with
/// the error body; liveness stays 200.
async fn a_lost_database_is_503(app: TestApp) {
    let unreachable = match app.engine {
        Engine::Postgres => DatabaseUrl::Postgres("postgres://postgres@127.0.0.1:1/nowhere".into()),
        Engine::Sqlite => DatabaseUrl::Sqlite("/nonexistent-directory/bursa.db".into()),
    };
    let state = AppState {
        pool: build_pool(&unreachable, 2, Duration::from_millis(500)),
        ..app.state.clone()
    };
    let lost = TestApp::serve(state, app.engine, unreachable.display());
    lost.get("/healthz", None).await.assert(200);
    let ready = lost.get("/readyz", None).await;
    ready.assert(503);
    assert_eq!(ready.code(), "service_unavailable");
    let events = lost.get("/api/v1/events", None).await;
    events.assert(503);
    assert_error_shape(&events);
}

/// A failure no client could cause (here: a table gone from under the service) is a 500 whose
/// body says nothing of the cause but carries the request id to find it in the log.
async fn unexpected_failures_are_opaque_500s(app: TestApp) {
    {
        use diesel::connection::SimpleConnection;
        let mut conn = app.conn();
        conn.batch_execute("DROP TABLE login_throttles").unwrap();
    }
    let resp = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "x@y.id", "password": "whatever-it-is"}),
        )
        .await;
    resp.assert(500);
    assert_eq!(resp.code(), "internal_error");
    assert_error_shape(&resp);
    let text = resp.body.to_string();
    assert!(!text.contains("login_throttles"), "{text}");
    assert_eq!(
        resp.body["error"]["request_id"],
        resp.header("x-request-id").unwrap()
    );
}

/// Every JSON route answers hostile bodies with a 4xx and the error body, never a 500 or a panic.
async fn hostile_bodies_never_cause_a_500(app: TestApp) {
    let (_, token) = app.user("o@x.id", Role::Organizer).await;
    let org = app.organization(&token, "organizer").await;
    let event = app.event(&token, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let nested = format!("{}{}", "[".repeat(5000), "]".repeat(5000));
    let bodies: Vec<String> = vec![
        "null".into(),
        "[]".into(),
        "\"text\"".into(),
        "42".into(),
        nested,
        r#"{"email": null, "password": null}"#.into(),
        r#"{"title": 1e400}"#.into(),
        r#"{"capacity": 99999999999999999999}"#.into(),
        r#"{"starts_at": "2026-02-30T00:00:00Z"}"#.into(),
        r#"{"name": "\u0000\ud800"}"#.into(),
        format!(r#"{{"title": "{}"}}"#, r"\u00e9".repeat(300)),
        r#"{"organization_id": "00000000-0000-0000-0000-000000000000", "title": "x"}"#.into(),
    ];
    let routes = [
        (Method::POST, "/api/v1/auth/register".to_owned()),
        (Method::POST, "/api/v1/auth/login".to_owned()),
        (Method::POST, "/api/v1/auth/refresh".to_owned()),
        (Method::POST, "/api/v1/organizations".to_owned()),
        (Method::PATCH, format!("/api/v1/organizations/{org}")),
        (Method::POST, format!("/api/v1/organizations/{org}/members")),
        (Method::POST, "/api/v1/events".to_owned()),
        (Method::PATCH, format!("/api/v1/events/{event}")),
    ];
    let auth = format!("Bearer {token}");
    for (method, path) in &routes {
        for body in &bodies {
            let resp = app
                .raw(
                    method.clone(),
                    path,
                    &[
                        ("content-type", "application/json"),
                        ("authorization", &auth),
                    ],
                    body.clone().into_bytes(),
                )
                .await;
            assert!(
                (400..500).contains(&resp.status),
                "{method} {path} {body:.60}: {} {}",
                resp.status,
                resp.body
            );
            assert_error_shape(&resp);
        }
    }
    assert_eq!(app.count("events"), 1);
    assert_eq!(app.count("organizations"), 1);
}

async fn null_never_clears_a_required_field(app: TestApp) {
    let (_, token) = app.user("o@x.id", Role::Organizer).await;
    let org = app.organization(&token, "organizer").await;
    let event = app.event(&token, &org).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let resp = app
        .patch(
            &format!("/api/v1/organizations/{org}"),
            Some(&token),
            json!({"name": null}),
        )
        .await;
    resp.assert(422);
    assert_eq!(resp.fields(), ["name"]);
    let resp = app
        .patch(
            &format!("/api/v1/events/{event}"),
            Some(&token),
            json!({"capacity": null}),
        )
        .await;
    resp.assert(422);
    assert_eq!(resp.fields(), ["capacity"]);
}
