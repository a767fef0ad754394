//! The web pages over plain HTTP: headers, caching, errors, the language switch.

use crate::common::TestApp;
use crate::db_tests;

db_tests!(
    pages_send_security_headers_and_html_errors,
    assets_are_embedded_and_cached,
    language_switch_only_returns_to_local_paths,
);

async fn get(
    app: &TestApp,
    path: &str,
    cookie: Option<&str>,
) -> (u16, awc::http::header::HeaderMap, String) {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut req = client.get(app.url(path));
    if let Some(cookie) = cookie {
        req = req.insert_header(("Cookie", cookie));
    }
    let mut response = req.send().await.expect("request sent");
    let body = response.body().limit(1 << 20).await.expect("body");
    (
        response.status().as_u16(),
        response.headers().clone(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

fn header<'a>(headers: &'a awc::http::header::HeaderMap, name: &str) -> &'a str {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
}

async fn pages_send_security_headers_and_html_errors(app: TestApp) {
    let (status, headers, body) = get(&app, "/", None).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert!(body.contains("<html lang=\"id\">"), "{body}");
    let csp = header(&headers, "content-security-policy");
    assert!(
        csp.contains("script-src") || csp.contains("default-src 'self'"),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
    assert_eq!(header(&headers, "x-content-type-options"), "nosniff");
    // The first visit gets its form token cookie: HttpOnly, SameSite, not Secure over http.
    let cookie = header(&headers, "set-cookie");
    assert!(cookie.starts_with("bursa_csrf="), "{cookie}");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(!cookie.contains("Secure"), "{cookie}");
    // No inline script anywhere: the policy would block it.
    assert!(!body.contains("<script>"), "inline script in {body}");

    let (status, headers, body) = get(&app, "/no-such-page", None).await;
    assert_eq!(status, 404);
    assert!(header(&headers, "content-type").starts_with("text/html"));
    assert!(body.contains("Halaman tidak ditemukan"), "{body}");
    // The API keeps its JSON errors.
    let api = app.get("/api/v1/no-such-route", None).await;
    assert_eq!(api.status, 404);
    assert_eq!(api.code(), "route_not_found");
    assert_eq!(api.header("x-content-type-options"), Some("nosniff"));
}

async fn assets_are_embedded_and_cached(app: TestApp) {
    let (_, _, body) = get(&app, "/", None).await;
    let start = body
        .find("/static/bursa.css?v=")
        .expect("a versioned stylesheet link");
    let link = &body[start
        ..body[start..]
            .find('"')
            .map(|e| start + e)
            .unwrap_or(body.len())];
    let (status, headers, css) = get(&app, link, None).await;
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").starts_with("text/css"));
    assert!(header(&headers, "cache-control").contains("immutable"));
    assert!(css.contains(":root"));
    let etag = header(&headers, "etag").to_owned();
    let client = awc::Client::default();
    let response = client
        .get(app.url(link))
        .insert_header(("If-None-Match", etag))
        .send()
        .await
        .expect("sent");
    assert_eq!(response.status().as_u16(), 304);
    let (status, _, _) = get(&app, "/static/nothing.js", None).await;
    assert_eq!(status, 404);
}

async fn language_switch_only_returns_to_local_paths(app: TestApp) {
    let (status, headers, _) = get(&app, "/bahasa/en?back=/events", None).await;
    assert_eq!(status, 303);
    assert_eq!(header(&headers, "location"), "/events");
    assert!(header(&headers, "set-cookie").starts_with("lang=en"));
    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let path = format!(
            "/bahasa/en?back={}",
            evil.replace('/', "%2F").replace('\\', "%5C")
        );
        let (status, headers, _) = get(&app, &path, None).await;
        assert_eq!(status, 303);
        assert_eq!(header(&headers, "location"), "/", "{evil}");
    }
    let (_, _, body) = get(&app, "/", Some("lang=en")).await;
    assert!(body.contains("<html lang=\"en\">"));
    assert!(body.contains("Find work at a job fair"));
    let (status, _, _) = get(&app, "/bahasa/fr", None).await;
    assert_eq!(status, 404);
}
