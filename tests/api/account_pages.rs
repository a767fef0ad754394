//! The account pages over plain HTTP: sign up, sign in and out, the session cookie, CSRF, the
//! emailed links.

use awc::http::header::HeaderMap;
use bursa::auth::Role;
use diesel::prelude::*;

use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::smtp::token_after;

db_tests!(
    sign_up_signs_in_and_sign_out_ends_the_session,
    forms_without_their_csrf_token_change_nothing,
    sign_up_errors_are_shown_next_to_the_fields,
    wrong_credentials_set_no_session_and_next_stays_local,
    me_needs_a_session,
    the_verification_link_is_used_only_by_its_button,
    a_reset_link_sets_a_new_password_once,
);

pub struct Page {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
}

impl Page {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// Every Set-Cookie header of the response.
    pub fn cookies(&self) -> Vec<String> {
        self.headers
            .get_all("set-cookie")
            .filter_map(|v| v.to_str().ok())
            .map(str::to_owned)
            .collect()
    }

    /// The value a Set-Cookie header gives `name`.
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.cookies().into_iter().find_map(|c| {
            c.strip_prefix(&format!("{name}="))
                .map(|rest| rest.split(';').next().unwrap_or("").to_owned())
        })
    }
}

/// A browser without JavaScript: its cookies, no redirects followed.
pub struct Visitor<'a> {
    app: &'a TestApp,
    pub csrf: String,
    pub session: Option<String>,
}

impl<'a> Visitor<'a> {
    pub async fn new(app: &'a TestApp) -> Visitor<'a> {
        let first = send(app, "GET", "/sign-in", None, &[]).await;
        let csrf = first.cookie("bursa_csrf").expect("a CSRF cookie");
        Visitor {
            app,
            csrf,
            session: None,
        }
    }

    fn cookie_header(&self) -> String {
        let mut cookie = format!("bursa_csrf={}", self.csrf);
        if let Some(session) = &self.session {
            cookie.push_str(&format!("; bursa_session={session}"));
        }
        cookie
    }

    pub async fn get(&self, path: &str) -> Page {
        send(self.app, "GET", path, Some(&self.cookie_header()), &[]).await
    }

    /// Posts the form with this browser's CSRF token.
    pub async fn post(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let csrf = self.csrf.clone();
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend_from_slice(fields);
        self.post_raw(path, &all).await
    }

    /// Posts exactly these fields; a session cookie the response sets is kept.
    pub async fn post_raw(&mut self, path: &str, fields: &[(&str, &str)]) -> Page {
        let page = send(self.app, "POST", path, Some(&self.cookie_header()), fields).await;
        if let Some(session) = page.cookie("bursa_session") {
            self.session = Some(session).filter(|s| !s.is_empty());
        }
        page
    }
}

async fn send(
    app: &TestApp,
    method: &str,
    path: &str,
    cookie: Option<&str>,
    fields: &[(&str, &str)],
) -> Page {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut req = if method == "POST" {
        client.post(app.url(path))
    } else {
        client.get(app.url(path))
    };
    if let Some(cookie) = cookie {
        req = req.insert_header(("Cookie", cookie.to_owned()));
    }
    let mut response = if method == "POST" {
        req.send_form(&fields.to_vec()).await
    } else {
        req.send().await
    }
    .expect("request sent");
    let body = response.body().limit(1 << 20).await.expect("body");
    Page {
        status: response.status().as_u16(),
        headers: response.headers().clone(),
        body: String::from_utf8_lossy(&body).into_owned(),
    }
}

/// The path and query of the newest emailed link to `recipient` starting with `path` (the
/// outbox's text, as the mail worker sends it).
pub fn emailed_link(app: &TestApp, recipient: &str, path: &str) -> String {
    use bursa::db::schema::outbox;
    let mut conn = app.conn();
    let texts: Vec<String> = outbox::table
        .filter(outbox::recipient.eq(recipient))
        .order(outbox::next_attempt_at.desc())
        .select(outbox::body_text)
        .load(&mut conn)
        .expect("the outbox");
    let prefix = format!("{}{path}?token=", app.state.config.mail.public_url);
    let text = texts
        .iter()
        .find(|t| t.contains(&prefix))
        .unwrap_or_else(|| panic!("no {prefix} link in {texts:?}"));
    format!("{path}?token={}", token_after(text, &prefix))
}

fn verified(app: &TestApp, email: &str) -> bool {
    app.number(&format!(
        "SELECT COUNT(*) AS n FROM users WHERE email = '{email}' AND email_verified_at IS NOT NULL"
    )) == 1
}

async fn sign_up(visitor: &mut Visitor<'_>, email: &str) -> Page {
    visitor
        .post(
            "/sign-up",
            &[
                ("full_name", "Siti Rahayu"),
                ("email", email),
                ("password", "a-long-enough-password"),
                ("language", "en"),
            ],
        )
        .await
}

async fn sign_up_signs_in_and_sign_out_ends_the_session(app: TestApp) {
    let mut visitor = Visitor::new(&app).await;
    let page = sign_up(&mut visitor, "siti@example.id").await;
    assert_eq!(page.status, 303, "{}", page.body);
    assert_eq!(page.header("location"), "/me");
    let cookie = page
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("bursa_session="))
        .expect("a session cookie");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("SameSite=Lax"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM users WHERE email = 'siti@example.id' \
             AND role = 'job_seeker' AND language = 'en'"
        ),
        1
    );
    assert_eq!(app.count("web_sessions"), 1);
    // The verification email is queued.
    emailed_link(&app, "siti@example.id", "/verify-email");

    let me = visitor.get("/me").await;
    assert_eq!(me.status, 200);
    assert!(me.body.contains("Siti Rahayu"), "{}", me.body);
    assert!(me.body.contains("siti@example.id"));
    assert!(me.body.contains("action=\"/me/verification-email\""));

    let out = visitor.post("/sign-out", &[]).await;
    assert_eq!(out.status, 303);
    assert_eq!(out.header("location"), "/");
    let cleared = out
        .cookies()
        .into_iter()
        .find(|c| c.starts_with("bursa_session="))
        .expect("the session cookie is cleared");
    assert!(cleared.contains("Max-Age=0"), "{cleared}");
    // Offline tickets and the service worker go with the session.
    assert_eq!(out.header("clear-site-data"), "\"cache\", \"storage\"");
    assert_eq!(app.count("web_sessions"), 0);
    assert!(visitor.session.is_none());
    let me = visitor.get("/me").await;
    assert_eq!(me.status, 303);
}

async fn forms_without_their_csrf_token_change_nothing(app: TestApp) {
    let mut visitor = Visitor::new(&app).await;
    let users = app.count("users");
    let fields = [
        ("full_name", "Budi"),
        ("email", "budi@example.id"),
        ("password", "a-long-enough-password"),
    ];
    let page = visitor.post_raw("/sign-up", &fields).await;
    assert_eq!(page.status, 403);
    assert!(page.header("content-type").starts_with("text/html"));
    let mut forged = vec![("csrf", "x".repeat(43))];
    forged.extend(fields.iter().map(|(k, v)| (*k, v.to_string())));
    let forged: Vec<(&str, &str)> = forged.iter().map(|(k, v)| (*k, v.as_str())).collect();
    assert_eq!(visitor.post_raw("/sign-up", &forged).await.status, 403);
    assert_eq!(app.count("users"), users);
    assert_eq!(app.count("web_sessions"), 0);

    sign_up(&mut visitor, "budi@example.id").await;
    assert_eq!(app.count("web_sessions"), 1);
    assert_eq!(visitor.post_raw("/sign-out", &[]).await.status, 403);
    assert_eq!(app.count("web_sessions"), 1);
    let outbox = app.count("outbox");
    let resend = visitor.post_raw("/me/verification-email", &[]).await;
    assert_eq!(resend.status, 403);
    assert_eq!(app.count("outbox"), outbox);
    let link = emailed_link(&app, "budi@example.id", "/verify-email");
    let token = link.split("token=").nth(1).unwrap();
    let verify = visitor.post_raw("/verify-email", &[("token", token)]).await;
    assert_eq!(verify.status, 403);
    assert!(!verified(&app, "budi@example.id"));
}

async fn sign_up_errors_are_shown_next_to_the_fields(app: TestApp) {
    let mut visitor = Visitor::new(&app).await;
    let page = visitor
        .post(
            "/sign-up",
            &[
                ("full_name", "Siti Rahayu"),
                ("email", "not-an-email"),
                ("password", "short-pw"),
                ("language", "id"),
            ],
        )
        .await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("id=\"email-error\""), "{}", page.body);
    assert!(page.body.contains("aria-describedby=\"email-error\""));
    assert!(page.body.contains("id=\"password-error\""));
    assert!(page.body.contains("minimal 10 karakter"));
    assert!(!page.body.contains("id=\"full_name-error\""));
    // What was typed stays, except the password.
    assert!(page.body.contains("value=\"Siti Rahayu\""));
    assert!(page.body.contains("value=\"not-an-email\""));
    assert!(!page.body.contains("short-pw"));
    assert!(page.cookie("bursa_session").is_none());
    assert_eq!(app.count("users"), 0);

    app.user("taken@example.id", Role::JobSeeker).await;
    let page = sign_up(&mut visitor, "taken@example.id").await;
    assert_eq!(page.status, 422);
    assert!(page.body.contains("id=\"email-error\""));
    assert!(page.cookie("bursa_session").is_none());
    assert_eq!(app.count("web_sessions"), 0);
}

async fn wrong_credentials_set_no_session_and_next_stays_local(app: TestApp) {
    app.user("rina@example.id", Role::JobSeeker).await;
    let mut visitor = Visitor::new(&app).await;
    let wrong = visitor
        .post(
            "/sign-in",
            &[
                ("email", "rina@example.id"),
                ("password", "wrong-password-1"),
            ],
        )
        .await;
    assert_eq!(wrong.status, 401);
    assert!(wrong.cookie("bursa_session").is_none());
    assert!(!wrong.body.contains("wrong-password-1"));
    let unknown = visitor
        .post(
            "/sign-in",
            &[
                ("email", "nobody@example.id"),
                ("password", "wrong-password-1"),
            ],
        )
        .await;
    assert_eq!(unknown.status, 401);
    assert!(unknown.cookie("bursa_session").is_none());
    // One message for both: nothing tells which was wrong.
    let message = |body: &str| {
        let start = body.find("id=\"sign-in-error\"").expect("the message");
        body[start..].split("</p>").next().unwrap().to_owned()
    };
    assert_eq!(message(&wrong.body), message(&unknown.body));
    assert_eq!(app.count("web_sessions"), 0);

    for evil in [
        "//evil.example/",
        "https://evil.example/",
        "/\\evil.example",
    ] {
        let mut visitor = Visitor::new(&app).await;
        let page = visitor
            .post(
                "/sign-in",
                &[
                    ("email", "Rina@Example.id"),
                    ("password", PASSWORD),
                    ("next", evil),
                ],
            )
            .await;
        assert_eq!(page.status, 303, "{}", page.body);
        assert_eq!(page.header("location"), "/me", "{evil}");
        assert!(page.cookie("bursa_session").is_some());
    }
    let mut visitor = Visitor::new(&app).await;
    let page = visitor
        .post(
            "/sign-in",
            &[
                ("email", "rina@example.id"),
                ("password", PASSWORD),
                ("next", "/events"),
            ],
        )
        .await;
    assert_eq!(page.header("location"), "/events");
    let form = visitor.get("/sign-in?next=//evil.example").await;
    assert_eq!(form.status, 303);
    assert_eq!(form.header("location"), "/me");
}

async fn me_needs_a_session(app: TestApp) {
    let visitor = Visitor::new(&app).await;
    let page = visitor.get("/me").await;
    assert_eq!(page.status, 303);
    assert_eq!(page.header("location"), "/sign-in?next=/me");
    let form = visitor.get("/sign-in?next=/me").await;
    assert!(
        form.body.contains("name=\"next\" value=\"/me\""),
        "{}",
        form.body
    );
}

async fn the_verification_link_is_used_only_by_its_button(app: TestApp) {
    let mut visitor = Visitor::new(&app).await;
    sign_up(&mut visitor, "siti@example.id").await;
    let link = emailed_link(&app, "siti@example.id", "/verify-email");
    // A mail scanner's GET uses nothing up.
    for _ in 0..2 {
        let page = visitor.get(&link).await;
        assert_eq!(page.status, 200);
        assert!(page.body.contains("action=\"/verify-email\""));
    }
    assert!(!verified(&app, "siti@example.id"));
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let done = visitor.post("/verify-email", &[("token", &token)]).await;
    assert_eq!(done.status, 200, "{}", done.body);
    assert!(verified(&app, "siti@example.id"));
    let again = visitor.post("/verify-email", &[("token", &token)]).await;
    assert_eq!(again.status, 410);
    assert!(again.body.contains("href=\"/me\""));
    let me = visitor.get("/me").await;
    assert!(!me.body.contains("action=\"/me/verification-email\""));
}

async fn a_reset_link_sets_a_new_password_once(app: TestApp) {
    app.user("rina@example.id", Role::JobSeeker).await;
    let mut visitor = Visitor::new(&app).await;
    let outbox = app.count("outbox");
    let unknown = visitor
        .post("/forgot-password", &[("email", "nobody@example.id")])
        .await;
    let known = visitor
        .post("/forgot-password", &[("email", " Rina@Example.id ")])
        .await;
    assert_eq!(unknown.status, 303);
    assert_eq!(
        unknown.header("location"),
        known.header("location"),
        "the same answer"
    );
    assert_eq!(app.count("outbox"), outbox + 1);
    let link = emailed_link(&app, "rina@example.id", "/reset-password");
    let token = link.split("token=").nth(1).unwrap().to_owned();
    let page = visitor.get(&link).await;
    assert_eq!(page.status, 200);

    let mismatch = visitor
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "a-brand-new-password"),
                ("confirm", "another-password"),
            ],
        )
        .await;
    assert_eq!(mismatch.status, 422);
    assert!(mismatch.body.contains("id=\"confirm-error\""));
    assert!(!mismatch.body.contains("a-brand-new-password"));
    let done = visitor
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "a-brand-new-password"),
                ("confirm", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(done.status, 303, "{}", done.body);
    assert_eq!(done.header("location"), "/sign-in?reset=1");
    let used = visitor
        .post(
            "/reset-password",
            &[
                ("token", &token),
                ("password", "a-third-password"),
                ("confirm", "a-third-password"),
            ],
        )
        .await;
    assert_eq!(used.status, 410);
    assert!(used.body.contains("href=\"/forgot-password\""));
    let signed_in = visitor
        .post(
            "/sign-in",
            &[
                ("email", "rina@example.id"),
                ("password", "a-brand-new-password"),
            ],
        )
        .await;
    assert_eq!(signed_in.status, 303);
    assert!(signed_in.cookie("bursa_session").is_some());
}
