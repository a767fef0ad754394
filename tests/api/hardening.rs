//! Hardening (issue 15 §6): the security headers of every kind of response.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::common::{Resp, TestApp};
use crate::db_tests;
use crate::fixtures::{Fair, Seeker};

db_tests!(every_response_carries_the_security_headers);

const CSP: &str = bursa::middleware::CSP;

#[track_caller]
fn assert_secured(resp: &Resp, csp: &str, what: &str) {
    assert_eq!(
        resp.header("x-content-type-options"),
        Some("nosniff"),
        "{what}"
    );
    assert_eq!(resp.header("content-security-policy"), Some(csp), "{what}");
    assert_eq!(resp.header("x-frame-options"), Some("DENY"), "{what}");
    assert_eq!(
        resp.header("referrer-policy"),
        Some("no-referrer"),
        "{what}"
    );
    // Served over http here: no HSTS, which would pin a site that has no certificate.
    assert_eq!(resp.header("strict-transport-security"), None, "{what}");
}

async fn every_response_carries_the_security_headers(app: TestApp) {
    // An API route, a page, an asset, an API error and a page error.
    let api = app.get("/api/v1/provinces", None).await;
    api.assert(200);
    assert_secured(&api, CSP, "api");
    let page = app.get("/", None).await;
    page.assert(200);
    assert!(!CSP.contains("unsafe-inline"));
    assert!(CSP.contains("frame-ancestors 'none'"));
    assert_secured(&page, CSP, "page");
    let html = page.body.as_str().unwrap_or_default();
    let start = html
        .find("/static/bursa.css?v=")
        .expect("a stylesheet link");
    let end = start + html[start..].find('"').expect("the link ends");
    let asset = app.get(&html[start..end], None).await;
    asset.assert(200);
    assert_secured(&asset, CSP, "asset");
    let missing = app.get("/api/v1/no-such-route", None).await;
    missing.assert(404);
    assert_secured(&missing, CSP, "api error");
    let unauthorized = app.get("/api/v1/me", None).await;
    unauthorized.assert(401);
    assert_secured(&unauthorized, CSP, "401");
    let missing_page = app.get("/no-such-page", None).await;
    missing_page.assert(404);
    assert_secured(&missing_page, CSP, "page error");

    // The QR code: an SVG that loads nothing and is never framed.
    let fair = Fair::by(&app, "org@bursa.test").running().published().await;
    let seeker = Seeker::new(&app, "siti@bursa.test", "Siti Aminah", "0001").await;
    let registration = app
        .post(
            &format!("/api/v1/events/{}/registrations", fair.event),
            Some(&seeker.token),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    let svg = app
        .get(
            &format!("/api/v1/registrations/{registration}/qr.svg"),
            Some(&seeker.token),
        )
        .await;
    svg.assert(200);
    assert_eq!(svg.header("content-type"), Some("image/svg+xml"));
    assert_secured(&svg, bursa::middleware::SVG_CSP, "svg");
    assert!(bursa::middleware::SVG_CSP.contains("frame-ancestors 'none'"));
    assert!(bursa::middleware::SVG_CSP.starts_with("default-src 'none'"));
}

/// HSTS only when the public address is https.
#[actix_web::test]
async fn hsts_only_when_the_public_url_is_https() {
    let app = TestApp::sqlite_with(&[("BURSA_PUBLIC_URL", "https://bursa.example")]).await;
    for path in ["/api/v1/provinces", "/", "/no-such-page"] {
        let resp = app.get(path, None).await;
        assert_eq!(
            resp.header("strict-transport-security"),
            Some("max-age=31536000; includeSubDomains"),
            "{path}"
        );
        assert_eq!(resp.header("x-content-type-options"), Some("nosniff"));
    }
}

/// Sends `head` and then `body` one byte every `every`, over a raw connection, and reads the
/// answer: (status line, whole response, time from the head to the answer).
fn slow_request(
    app: &TestApp,
    head: &str,
    body: &[u8],
    every: Option<Duration>,
) -> (String, String, Duration) {
    use std::io::{Read, Write};
    let url = url::Url::parse(&app.url("/")).unwrap();
    let address = format!("{}:{}", url.host_str().unwrap(), url.port().unwrap());
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(15)))
        .unwrap();
    stream.write_all(head.as_bytes()).unwrap();
    let started = Instant::now();
    match every {
        // Trickles: one byte at a time, for longer than the deadline, from another thread.
        Some(every) => {
            let mut writer = stream.try_clone().unwrap();
            let body = body.to_vec();
            std::thread::spawn(move || {
                for byte in body {
                    if writer.write_all(&[byte]).is_err() {
                        return;
                    }
                    std::thread::sleep(every);
                }
            });
        }
        // Stops: part of the body, then nothing.
        None => stream.write_all(body).unwrap(),
    }
    let mut response = Vec::new();
    let mut buffer = [0u8; 4096];
    loop {
        match stream.read(&mut buffer) {
            Ok(0) => break,
            Ok(n) => {
                response.extend_from_slice(&buffer[..n]);
                let text = String::from_utf8_lossy(&response);
                // The whole JSON error or page has arrived.
                if text.contains("\r\n\r\n") && (text.ends_with('}') || text.ends_with(">\n")) {
                    break;
                }
            }
            Err(e) => panic!(
                "no answer after {:?}: {e}; got {:?}",
                started.elapsed(),
                String::from_utf8_lossy(&response)
            ),
        }
    }
    let elapsed = started.elapsed();
    let text = String::from_utf8_lossy(&response).into_owned();
    let status = text.lines().next().unwrap_or_default().to_owned();
    (status, text, elapsed)
}

/// A body that stops, or trickles in for longer than `BURSA_BODY_TIMEOUT_SECS`, is answered
/// 408 when the deadline passes, and the connection is closed.
#[actix_web::test]
async fn a_slow_body_is_408_at_the_deadline() {
    let app = TestApp::sqlite_with(&[("BURSA_BODY_TIMEOUT_SECS", "1")]).await;
    let head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: bursa.test\r\n\
                Content-Type: application/json\r\nContent-Length: 200\r\n\r\n";
    let body = br#"{"email": "siti@bursa.test", "password": "correct-horse-9"}"#;
    for every in [None, Some(Duration::from_millis(150))] {
        let sent: &[u8] = if every.is_none() { &body[..10] } else { body };
        let (status, text, elapsed) = slow_request(&app, head, sent, every);
        assert_eq!(status, "HTTP/1.1 408 Request Timeout", "{text}");
        assert!(text.contains("\"code\":\"request_timeout\""), "{text}");
        assert!(
            text.to_ascii_lowercase().contains("connection: close"),
            "{text}"
        );
        assert!(text.contains("nosniff"), "{text}");
        assert!(
            elapsed >= Duration::from_millis(900) && elapsed < Duration::from_secs(4),
            "{elapsed:?}"
        );
    }
    // A page form: the friendly page.
    let head = "POST /sign-in HTTP/1.1\r\nHost: bursa.test\r\n\
                Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100\r\n\r\n";
    let (status, text, elapsed) = slow_request(&app, head, b"email=si", None);
    assert_eq!(status, "HTTP/1.1 408 Request Timeout", "{text}");
    assert!(text.contains("text/html"), "{text}");
    assert!(elapsed < Duration::from_secs(4), "{elapsed:?}");
    // A body that arrives in time is served as always.
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "x@bursa.test", "password": "wrong-one-1"}),
    )
    .await
    .assert(401);
}

/// The public and costly routes share one per-address budget: past it 429 with `Retry-After`
/// (JSON for the API, the friendly page for pages); other routes are not counted.
#[actix_web::test]
async fn public_routes_have_a_per_address_budget() {
    let app = TestApp::sqlite_with(&[("BURSA_PUBLIC_REQUESTS_PER_MINUTE", "3")]).await;
    for _ in 0..3 {
        app.get("/api/v1/events", None).await.assert(200);
        // Not a public costly route: never counted.
        app.get("/api/v1/provinces", None).await.assert(200);
    }
    let refused = app.get("/api/v1/events", None).await;
    refused.assert(429);
    assert_eq!(refused.code(), "too_many_requests");
    let retry: u64 = refused.header("retry-after").unwrap().parse().unwrap();
    // One request comes back every 20 seconds.
    assert!((1..=20).contains(&retry), "{retry}");
    assert_eq!(refused.header("x-content-type-options"), Some("nosniff"));
    let page = app.get("/events", None).await;
    page.assert(429);
    assert!(page
        .header("content-type")
        .unwrap()
        .starts_with("text/html"));
    assert!(page.header("retry-after").is_some());
    for (path, body) in [
        ("/api/v1/auth/verify-email", json!({"token": "x"})),
        (
            "/api/v1/auth/password-reset",
            json!({"email": "siti@bursa.test"}),
        ),
        (
            "/api/v1/placement-confirmations/abc",
            json!({"answer": "confirm"}),
        ),
    ] {
        app.post(path, None, body).await.assert(429);
    }
    app.get("/api/v1/placement-confirmations/abc", None)
        .await
        .assert(429);
    app.get("/api/v1/provinces", None).await.assert(200);
    app.get("/", None).await.assert(200);
    // Without trusted proxies a forwarded address is ignored: no way around the budget.
    let spoofed = app
        .raw(
            actix_web::http::Method::GET,
            "/api/v1/events",
            &[("X-Forwarded-For", "203.0.113.7")],
            Vec::new(),
        )
        .await;
    spoofed.assert(429);
}

/// Behind a trusted load balancer each forwarded address has its own budget, for the public
/// routes and for the password-hashing ones alike.
#[actix_web::test]
async fn behind_a_trusted_proxy_the_forwarded_address_is_limited() {
    let app = TestApp::sqlite_with(&[
        ("BURSA_PUBLIC_REQUESTS_PER_MINUTE", "2"),
        ("BURSA_AUTH_ATTEMPTS_PER_MINUTE", "1"),
        ("BURSA_TRUSTED_PROXIES", "127.0.0.1, ::1"),
    ])
    .await;
    let app = &app;
    let get = |address: &'static str| async move {
        app.raw(
            actix_web::http::Method::GET,
            "/api/v1/events",
            &[("X-Forwarded-For", address)],
            Vec::new(),
        )
        .await
    };
    get("203.0.113.1").await.assert(200);
    get("203.0.113.1").await.assert(200);
    get("203.0.113.1").await.assert(429);
    // A client that writes its own header only adds to the left of what the proxy saw.
    get("198.51.100.9, 203.0.113.1").await.assert(429);
    get("203.0.113.2").await.assert(200);
    let login = |address: &'static str| async move {
        app.raw(
            actix_web::http::Method::POST,
            "/api/v1/auth/login",
            &[
                ("X-Forwarded-For", address),
                ("Content-Type", "application/json"),
            ],
            br#"{"email": "x@bursa.test", "password": "wrong-one-1"}"#.to_vec(),
        )
        .await
    };
    login("203.0.113.1").await.assert(401);
    login("203.0.113.1").await.assert(429);
    login("203.0.113.3").await.assert(401);
}

/// The same app over the same SQLite file opened through `pool`: reads work, writes are 503
/// naming the cause, and `/readyz` names it too.
async fn assert_writes_refused(app: &TestApp, pool: bursa::db::DbPool, code: &str) {
    let state = bursa::AppState {
        pool,
        ..app.state.clone()
    };
    let fair = Fair::by(app, "org@bursa.test").running().published().await;
    let seeker = Seeker::new(app, "siti@bursa.test", "Siti Aminah", "0001").await;
    let stuck = TestApp::serve(state, app.engine, app.database_url.clone());
    // Reads go on.
    let events = stuck.get("/api/v1/events", None).await;
    events.assert(200);
    assert_eq!(events.body["items"][0]["id"], fair.event.as_str());
    stuck
        .get(
            &format!("/api/v1/events/{}", fair.event),
            Some(&fair.organizer),
        )
        .await
        .assert(200);
    stuck.get("/events", None).await.assert(200);
    // A write: 503 naming the cause, with Retry-After, never a 500; the ready check agrees.
    let mut refused = None;
    // A full disk refuses a write only once the free space of the pages it has is used up.
    for round in 0..40 {
        let resp = stuck
            .patch(
                &format!("/api/v1/events/{}", fair.event),
                Some(&fair.organizer),
                json!({"description": format!("{round} {}", "Lowongan kerja. ".repeat(120))}),
            )
            .await;
        if resp.status != 200 {
            refused = Some(resp);
            break;
        }
    }
    let refused = refused.expect("a write is refused");
    refused.assert(503);
    assert_eq!(refused.code(), code, "{}", refused.body);
    assert!(refused.header("retry-after").is_some());
    if code == "database_read_only" {
        // (On a full disk a small write may still fit in a page's free space.)
        let register = stuck
            .post(
                &format!("/api/v1/events/{}/registrations", fair.event),
                Some(&seeker.token),
                json!({}),
            )
            .await;
        register.assert(503);
        assert_eq!(register.code(), code);
        assert_eq!(app.count("registrations"), 0);
    }
    let ready = stuck.get("/readyz", None).await;
    ready.assert(503);
    assert_eq!(ready.code(), code, "{}", ready.body);
    // The file itself is fine: the service over a writable connection is ready.
    app.get("/readyz", None).await.assert(200);
}

fn sqlite_path(app: &TestApp) -> String {
    app.database_url
        .strip_prefix("sqlite://")
        .expect("a SQLite app")
        .to_owned()
}

/// A read-only database file (opened read-only, as a file the service may not write is).
#[actix_web::test]
async fn a_read_only_sqlite_file_is_503_for_writes_only() {
    let app = TestApp::sqlite().await;
    let url = bursa::db::DatabaseUrl::Sqlite(format!("file:{}?mode=ro", sqlite_path(&app)));
    let pool = bursa::db::build_pool(&url, 2, Duration::from_secs(2));
    assert_writes_refused(&app, pool, "database_read_only").await;
}

/// A full disk, simulated by SQLite's page limit: no page beyond those the file has.
#[actix_web::test]
async fn a_full_sqlite_disk_is_503_for_writes_only() {
    #[derive(Debug)]
    struct NoNewPages;
    impl r2d2::CustomizeConnection<bursa::db::DbConn, diesel::ConnectionError> for NoNewPages {
        fn on_acquire(&self, conn: &mut bursa::db::DbConn) -> Result<(), diesel::ConnectionError> {
            use diesel::connection::SimpleConnection;
            // The limit cannot go below the file's size: this pins it there.
            conn.batch_execute("PRAGMA max_page_count = 1")
                .map_err(diesel::ConnectionError::CouldntSetupConfiguration)
        }
    }
    let app = TestApp::sqlite().await;
    let url = bursa::db::DatabaseUrl::Sqlite(sqlite_path(&app));
    let pool = r2d2::Pool::builder()
        .max_size(2)
        .connection_timeout(Duration::from_secs(2))
        .connection_customizer(Box::new(NoNewPages))
        .build_unchecked(bursa::db::ConnectionManager::new(url));
    assert_writes_refused(&app, pool, "database_full").await;
}
