//! Accounts and tokens: registration, login, refresh rotation, logout, token faults.

use bursa::auth::Role;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::json;

use crate::common::{TestApp, JWT_SECRET, PASSWORD};
use crate::db_tests;

db_tests!(
    register_login_refresh_then_create_and_read_an_event,
    registration_rejects_bad_input_and_writes_nothing,
    emails_are_unique_regardless_of_case,
    self_registration_cannot_grant_admin_or_ministry,
    wrong_password_and_unknown_email_look_the_same,
    repeated_failures_are_throttled_in_the_database,
    refresh_tokens_rotate_and_reuse_revokes_the_family,
    logout_revokes_the_refresh_token,
    every_token_fault_is_a_401,
    disabled_accounts_cannot_sign_in_or_refresh,
);

async fn register_login_refresh_then_create_and_read_an_event(app: TestApp) {
    let registered = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "Siti@Disnaker.go.id", "password": PASSWORD, "full_name": "Siti Rahma", "role": "organizer"}),
        )
        .await;
    registered.assert(201);
    assert_eq!(registered.body["email"], "siti@disnaker.go.id");
    assert_eq!(registered.body["role"], "organizer");
    assert!(registered.body.get("password_hash").is_none());

    let tokens = app.login("siti@disnaker.go.id").await;
    assert_eq!(tokens["token_type"], "Bearer");
    assert_eq!(tokens["expires_in"], 900);
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": tokens["refresh_token"]}),
        )
        .await;
    refreshed.assert(200);
    let token = refreshed.body["access_token"].as_str().unwrap().to_owned();
    assert_ne!(refreshed.body["refresh_token"], tokens["refresh_token"]);

    let org = app.organization(&token, "organizer").await;
    let event = app.event(&token, &org).await;
    assert_eq!(event["status"], "draft");
    assert_eq!(event["starts_at"], "2026-12-01T01:00:00Z");
    assert_eq!(event["budget_idr"], 150000000);

    let read = app
        .get(
            &format!("/api/v1/events/{}", event["id"].as_str().unwrap()),
            Some(&token),
        )
        .await;
    read.assert(200);
    assert_eq!(read.body, event);

    let me = app.get("/api/v1/me", Some(&token)).await;
    me.assert(200);
    assert_eq!(me.body["id"], registered.body["id"]);
    assert_eq!(me.body["organizations"][0]["organization_id"], org.as_str());
    assert_eq!(me.body["organizations"][0]["role"], "owner");
}

async fn registration_rejects_bad_input_and_writes_nothing(app: TestApp) {
    let cases = [
        (
            json!({"email": "not-an-email", "password": PASSWORD, "full_name": "A", "role": "job_seeker"}),
            vec!["email"],
        ),
        (
            json!({"email": "a@b.id", "password": "short", "full_name": "A", "role": "job_seeker"}),
            vec!["password"],
        ),
        (
            json!({"email": "a@b.id", "password": PASSWORD, "full_name": " ", "role": "job_seeker"}),
            vec!["full_name"],
        ),
        (
            json!({"email": "a@b.id", "password": PASSWORD, "full_name": "A", "role": "pirate"}),
            vec!["role"],
        ),
        (json!({}), vec!["email", "password", "full_name", "role"]),
        (
            json!({"email": 7, "password": PASSWORD, "full_name": "A", "role": "job_seeker"}),
            vec!["email"],
        ),
        (
            json!({"email": "a@b.id", "password": PASSWORD, "full_name": "A", "role": "job_seeker", "is_admin": true}),
            vec!["is_admin"],
        ),
    ];
    for (body, fields) in cases {
        let resp = app.post("/api/v1/auth/register", None, body.clone()).await;
        resp.assert(422);
        assert_eq!(resp.code(), "validation_failed", "{body}");
        let got = resp.fields();
        for field in fields {
            assert!(
                got.iter().any(|f| f == field),
                "{body}: {got:?} lacks {field}"
            );
        }
    }
    assert_eq!(app.count("users"), 0);
}

async fn emails_are_unique_regardless_of_case(app: TestApp) {
    app.user("budi@example.id", Role::JobSeeker).await;
    let again = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "BUDI@Example.ID", "password": PASSWORD, "full_name": "Budi", "role": "employer"}),
        )
        .await;
    again.assert(409);
    assert_eq!(again.code(), "email_taken");
    assert_eq!(app.count("users"), 1);
}

async fn self_registration_cannot_grant_admin_or_ministry(app: TestApp) {
    for role in ["admin", "ministry"] {
        let resp = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"email": format!("{role}@x.id"), "password": PASSWORD, "full_name": "X", "role": role}),
            )
            .await;
        resp.assert(422);
        assert_eq!(resp.fields(), ["role"]);
    }
    assert_eq!(app.count("users"), 0);
    // An admin can.
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let me = app.get("/api/v1/me", Some(&ministry)).await;
    assert_eq!(me.body["role"], "ministry");
}

async fn wrong_password_and_unknown_email_look_the_same(app: TestApp) {
    app.user("ani@example.id", Role::JobSeeker).await;
    let wrong = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "ani@example.id", "password": "wrong-password"}),
        )
        .await;
    let unknown = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "nobody@example.id", "password": "wrong-password"}),
        )
        .await;
    wrong.assert(401);
    unknown.assert(401);
    assert_eq!(wrong.code(), "invalid_credentials");
    assert_eq!(
        wrong.body["error"]["message"],
        unknown.body["error"]["message"]
    );
    assert_eq!(wrong.code(), unknown.code());
    assert_eq!(wrong.header("www-authenticate"), Some("Bearer"));
}

async fn repeated_failures_are_throttled_in_the_database(app: TestApp) {
    app.user("rina@example.id", Role::JobSeeker).await;
    let bad = json!({"email": "rina@example.id", "password": "wrong-password"});
    let right = json!({"email": "rina@example.id", "password": PASSWORD});
    for _ in 0..=bursa::auth::throttle::FREE_FAILURES {
        app.post("/api/v1/auth/login", None, bad.clone())
            .await
            .assert(401);
    }
    // The failures past the free ones set a short delay on the account (made long here, so that
    // the test does not race it). While it runs, even the right password waits.
    {
        use diesel::connection::SimpleConnection;
        app.conn()
            .batch_execute("UPDATE login_throttles SET next_attempt_at = '2100-01-01 00:00:00'")
            .unwrap();
    }
    let throttled = app.post("/api/v1/auth/login", None, bad).await;
    throttled.assert(429);
    assert!(
        throttled
            .header("retry-after")
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    app.post("/api/v1/auth/login", None, right.clone())
        .await
        .assert(429);
    assert_eq!(app.count("login_throttles"), 1);

    // The state is shared: a second instance on the same database sees the delay.
    let second = TestApp::serve(app.state.clone(), app.engine, app.database_url.clone());
    let elsewhere = second.post("/api/v1/auth/login", None, right.clone()).await;
    elsewhere.assert(429);

    // Once the delay ran out, the right password passes: no lock keeps the owner out.
    {
        use diesel::connection::SimpleConnection;
        app.conn()
            .batch_execute("UPDATE login_throttles SET next_attempt_at = last_failure_at")
            .unwrap();
    }
    second
        .post("/api/v1/auth/login", None, right)
        .await
        .assert(200);
    assert_eq!(app.count("login_throttles"), 0);
}

async fn refresh_tokens_rotate_and_reuse_revokes_the_family(app: TestApp) {
    app.user("dewi@example.id", Role::Employer).await;
    let first = app.login("dewi@example.id").await;
    let r1 = first["refresh_token"].clone();
    let second = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await;
    second.assert(200);
    let r2 = second.body["refresh_token"].clone();

    let replay = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r1}))
        .await;
    replay.assert(401);
    assert_eq!(replay.code(), "refresh_token_reused");
    // The replay revoked the whole family: the legitimate successor is dead too.
    let successor = app
        .post("/api/v1/auth/refresh", None, json!({"refresh_token": r2}))
        .await;
    successor.assert(401);
    // Another sign-in is another family, untouched.
    let other = app.login("dewi@example.id").await;
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": other["refresh_token"]}),
    )
    .await
    .assert(200);
    let unknown = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": "nope"}),
        )
        .await;
    unknown.assert(401);
    assert_eq!(unknown.code(), "invalid_refresh_token");
}

async fn logout_revokes_the_refresh_token(app: TestApp) {
    app.user("eko@example.id", Role::JobSeeker).await;
    let tokens = app.login("eko@example.id").await;
    app.post(
        "/api/v1/auth/logout",
        None,
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .assert(204);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .assert(401);
    // Logging out with an unknown token reveals nothing.
    app.post(
        "/api/v1/auth/logout",
        None,
        json!({"refresh_token": "unknown"}),
    )
    .await
    .assert(204);
}

fn token(claims: serde_json::Value, algorithm: Algorithm, secret: &[u8]) -> String {
    jsonwebtoken::encode(
        &Header::new(algorithm),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .unwrap()
}

async fn every_token_fault_is_a_401(app: TestApp) {
    let (id, good) = app.user("fault@example.id", Role::Organizer).await;
    app.get("/api/v1/me", Some(&good)).await.assert(200);
    let now = chrono::Utc::now().timestamp();
    let claims = |iss: &str, aud: &str, exp: i64| json!({"sub": id, "role": "organizer", "iat": now, "exp": exp, "iss": iss, "aud": aud});
    let secret = JWT_SECRET.as_bytes();
    let header_none = base64url(br#"{"alg":"none","typ":"JWT"}"#);
    let payload = base64url(
        claims("bursa", "bursa-api", now + 600)
            .to_string()
            .as_bytes(),
    );
    let forged_sig = {
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        parts[2] = base64url(b"not the signature at all, clearly");
        parts.join(".")
    };
    let faults = [
        ("alg none", format!("{header_none}.{payload}.")),
        (
            "another algorithm",
            token(
                claims("bursa", "bursa-api", now + 600),
                Algorithm::HS512,
                secret,
            ),
        ),
        (
            "another key",
            token(
                claims("bursa", "bursa-api", now + 600),
                Algorithm::HS256,
                b"another-secret-of-thirty-two-bytes!!",
            ),
        ),
        ("bad signature", forged_sig),
        (
            "wrong issuer",
            token(
                claims("evil", "bursa-api", now + 600),
                Algorithm::HS256,
                secret,
            ),
        ),
        (
            "wrong audience",
            token(
                claims("bursa", "other-api", now + 600),
                Algorithm::HS256,
                secret,
            ),
        ),
        (
            "expired",
            token(
                claims("bursa", "bursa-api", now - 3600),
                Algorithm::HS256,
                secret,
            ),
        ),
        ("garbage", "garbage".to_owned()),
    ];
    for (what, bad) in faults {
        let resp = app.get("/api/v1/me", Some(&bad)).await;
        assert_eq!(resp.status, 401, "{what}: {}", resp.body);
        assert_eq!(resp.code(), "invalid_token", "{what}");
        assert_eq!(
            resp.header("www-authenticate"),
            Some(r#"Bearer error="invalid_token""#),
            "{what}"
        );
    }
    let missing = app.get("/api/v1/me", None).await;
    missing.assert(401);
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    // A bad token on a public route is still a 401, never silently anonymous.
    app.get("/api/v1/events", Some("garbage")).await.assert(401);
}

fn base64url(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

async fn disabled_accounts_cannot_sign_in_or_refresh(app: TestApp) {
    let (id, _) = app.user("gone@example.id", Role::Employer).await;
    let tokens = app.login("gone@example.id").await;
    let admin = app.admin_token().await;
    let patched = app
        .patch(
            &format!("/api/v1/users/{id}"),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await;
    patched.assert(200);
    assert_eq!(patched.body["disabled"], true);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "gone@example.id", "password": PASSWORD}),
    )
    .await
    .assert(403);
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": tokens["refresh_token"]}),
    )
    .await
    .assert(401);
    // An admin cannot lock themselves out.
    let me = app.get("/api/v1/me", Some(&admin)).await;
    let own = app
        .patch(
            &format!("/api/v1/users/{}", me.body["id"].as_str().unwrap()),
            Some(&admin),
            json!({"disabled": true}),
        )
        .await;
    own.assert(409);
}
