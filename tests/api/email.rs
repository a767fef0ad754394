//! Email: the outbox, the worker against a real SMTP server, and the messages of accounts
//! (address verification, password reset). Every test runs on SQLite and PostgreSQL.

use std::time::{Duration, Instant};

use bursa::config::MailConfig;
use bursa::mail::transport::Mailer;
use bursa::mail::worker::{self, Round};
use serde_json::{json, Value};

use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{self, profile, Fair, HiringFair};
use crate::smtp::{mail_config, token_after, SmtpServer};

db_tests!(
    accounts_show_language_and_verification,
    verification_email_arrives_and_its_link_verifies,
    a_new_verification_link_replaces_the_old_one,
    password_reset_mails_a_single_use_link_and_signs_out_everywhere,
    password_reset_never_tells_which_addresses_exist,
    a_rolled_back_action_sends_nothing,
    an_outage_delays_mail_and_loses_or_repeats_none,
    two_workers_never_send_a_message_twice,
    refused_mail_fails_after_max_attempts_and_an_admin_retries_it,
    without_smtp_mail_lands_in_the_eml_folder,
    a_worker_takes_over_an_expired_lease,
    a_registration_mails_its_ticket_with_the_qr_code,
    a_reported_hire_mails_the_job_seeker_its_confirmation_link,
    a_follow_up_falling_due_reminds_the_employer_and_the_job_seeker,
);

/// One round of the worker, on this test's database.
fn round(app: &TestApp, config: &MailConfig) -> Round {
    let mailer = Mailer::from_config(config).unwrap();
    let mut conn = app.conn();
    worker::run_once(&mut conn, &mailer, config, "test-worker").unwrap()
}

fn outbox_count(app: &TestApp, status: &str) -> i64 {
    app.number(&format!(
        "SELECT COUNT(*) AS n FROM outbox WHERE status = '{status}'"
    ))
}

/// Waits (up to 20 s) for `done` to hold.
fn wait_until(what: &str, mut done: impl FnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(20);
    while !done() {
        assert!(Instant::now() < deadline, "timed out waiting until {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

async fn register(app: &TestApp, email: &str, language: Option<&str>) -> Value {
    let mut body = json!({"email": email, "password": PASSWORD, "full_name": "Siti Rahayu", "role": "job_seeker"});
    if let Some(language) = language {
        body["language"] = json!(language);
    }
    app.post("/api/v1/auth/register", None, body)
        .await
        .assert(201)
        .body
        .clone()
}

/// A job seeker who registered an account in `language` and recorded the profile of a woman
/// named `name` whose NIK ends in `last4` ([`profile`]): their access token.
async fn job_seeker(
    app: &TestApp,
    email: &str,
    language: Option<&str>,
    name: &str,
    last4: &str,
) -> String {
    register(app, email, language).await;
    let token = app.login(email).await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/api/v1/job-seekers", Some(&token), profile(name, last4))
        .await
        .assert(201);
    token
}

fn to(message: &Value) -> Vec<String> {
    serde_json::from_value(message["rcpt_tos"].clone()).unwrap()
}

async fn accounts_show_language_and_verification(app: TestApp) {
    let user = register(&app, "en@example.id", Some("en")).await;
    assert_eq!(user["language"], "en");
    assert_eq!(user["email_verified"], false);
    let user = register(&app, "id@example.id", None).await;
    assert_eq!(user["language"], "id");
    let token = app.login("id@example.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await;
    me.assert(200);
    assert_eq!(me.body["language"], "id");
    assert_eq!(me.body["email_verified"], false);
    let bad = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "fr@example.id", "password": PASSWORD, "full_name": "X", "role": "job_seeker", "language": "fr"}),
        )
        .await;
    bad.assert(422);
    assert_eq!(bad.fields(), ["language"]);
}

async fn verification_email_arrives_and_its_link_verifies(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    register(&app, "siti@example.id", None).await;
    register(&app, "budi@example.id", Some("en")).await;
    assert_eq!(outbox_count(&app, "pending"), 2);

    let done = round(&app, &config);
    assert_eq!((done.claimed, done.sent), (2, 2));
    assert_eq!(outbox_count(&app, "sent"), 2);
    // Delivered messages keep no body: their links are live.
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM outbox \
             WHERE body_text <> '' OR body_html <> '' OR attachments <> '[]'"
        ),
        0
    );
    let messages = smtp.wait_for(2);
    assert_eq!(messages.len(), 2);
    let siti = messages
        .iter()
        .find(|m| to(m) == ["siti@example.id"])
        .unwrap();
    let budi = messages
        .iter()
        .find(|m| to(m) == ["budi@example.id"])
        .unwrap();
    assert_eq!(siti["subject"], "Konfirmasi alamat email Anda di Bursa");
    assert_eq!(siti["content_language"], "id");
    assert!(siti["text"]
        .as_str()
        .unwrap()
        .starts_with("Halo Siti Rahayu,"));
    assert!(siti["html"].as_str().unwrap().contains("lang=\"id\""));
    assert_eq!(budi["subject"], "Confirm your email address for Bursa");
    assert_eq!(budi["content_language"], "en");
    assert!(budi["mail_from"].as_str().unwrap().contains('@'));

    // The link works, once.
    let link = format!("{}/verify-email?token=", config.public_url);
    let token = token_after(siti["text"].as_str().unwrap(), &link);
    assert_eq!(token.len(), 43);
    assert!(siti["html"].as_str().unwrap().contains(&token));
    app.post("/api/v1/auth/verify-email", None, json!({"token": token}))
        .await
        .assert(204);
    let access = app.login("siti@example.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.body["email_verified"], true);
    let again = app
        .post("/api/v1/auth/verify-email", None, json!({"token": token}))
        .await;
    again.assert(410);
    assert_eq!(again.code(), "link_invalid");
    app.post(
        "/api/v1/auth/verify-email",
        None,
        json!({"token": "forged"}),
    )
    .await
    .assert(410);
    app.post("/api/v1/auth/verify-email", None, json!({}))
        .await
        .assert(422);

    // An expired link does not work.
    let budi_token = token_after(budi["text"].as_str().unwrap(), &link);
    {
        use diesel::RunQueryDsl;
        let mut conn = app.conn();
        diesel::sql_query("UPDATE email_tokens SET expires_at = created_at WHERE used_at IS NULL")
            .execute(&mut conn)
            .unwrap();
    }
    app.post(
        "/api/v1/auth/verify-email",
        None,
        json!({"token": budi_token}),
    )
    .await
    .assert(410);
    // Nothing more was sent.
    assert_eq!(round(&app, &config).claimed, 0);
    assert_eq!(smtp.messages().len(), 2);
}

/// `POST /api/v1/me/verification-email`: a new link by email, the old one dead; at most three
/// an hour; nothing once the address is verified.
async fn a_new_verification_link_replaces_the_old_one(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    let link = format!("{}/verify-email?token=", config.public_url);
    register(&app, "siti@example.id", None).await;
    let access = app.login("siti@example.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = "/api/v1/me/verification-email";
    let token_of = |m: &Value| {
        assert_eq!(to(m), ["siti@example.id"]);
        assert_eq!(m["subject"], "Konfirmasi alamat email Anda di Bursa");
        token_after(m["text"].as_str().unwrap(), &link)
    };
    assert_eq!(round(&app, &config).sent, 1);
    let first = token_of(&smtp.wait_for(1)[0]);
    app.post(path, None, json!({})).await.assert(401);
    app.post(path, Some(&access), json!({})).await.assert(202);
    assert_eq!(round(&app, &config).sent, 1);
    let tokens: Vec<String> = smtp.wait_for(2).iter().map(token_of).collect();
    let second = tokens.into_iter().find(|t| *t != first).unwrap();

    // The registration's link no longer works; the new one does.
    let verify =
        |token: String| app.post("/api/v1/auth/verify-email", None, json!({"token": token}));
    assert_eq!(verify(first).await.code(), "link_invalid");
    verify(second).await.assert(204);
    let me = app.get("/api/v1/me", Some(&access)).await;
    assert_eq!(me.body["email_verified"], true);

    // Verified: nothing more to send.
    let verified = app.post(path, Some(&access), json!({})).await;
    verified.assert(409);
    assert_eq!(verified.code(), "already_verified");

    // Three an hour, the registration's included.
    register(&app, "budi@example.id", None).await;
    let budi = app.login("budi@example.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(path, Some(&budi), json!({})).await.assert(202);
    app.post(path, Some(&budi), json!({})).await.assert(202);
    let throttled = app.post(path, Some(&budi), json!({})).await;
    throttled.assert(429);
    assert!(throttled.header("retry-after").is_some());
    assert_eq!(outbox_count(&app, "pending"), 3);
}

async fn password_reset_mails_a_single_use_link_and_signs_out_everywhere(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    register(&app, "rina@example.id", Some("en")).await;
    let session = app.login("rina@example.id").await;
    let refresh = session["refresh_token"].as_str().unwrap().to_owned();
    round(&app, &config); // the verification email

    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"email": "  Rina@Example.id "}),
    )
    .await
    .assert(202);
    assert_eq!(round(&app, &config).sent, 1);
    let messages = smtp.wait_for(2);
    let reset = messages
        .iter()
        .find(|m| m["subject"] == "Reset your Bursa password")
        .expect("the reset email");
    assert_eq!(to(reset), ["rina@example.id"]);
    let token = token_after(
        reset["text"].as_str().unwrap(),
        &format!("{}/reset-password?token=", config.public_url),
    );

    // Bad bodies change nothing.
    let short = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "short"}),
        )
        .await;
    short.assert(422);
    assert_eq!(short.fields(), ["new_password"]);
    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({"token": "not-a-token", "new_password": "a-brand-new-password"}),
    )
    .await
    .assert(410);

    app.post(
        "/api/v1/auth/password-reset/confirm",
        None,
        json!({"token": token, "new_password": "a-brand-new-password"}),
    )
    .await
    .assert(204);
    // Signed out everywhere; the old password no longer works, the new one does.
    let refreshed = app
        .post(
            "/api/v1/auth/refresh",
            None,
            json!({"refresh_token": refresh}),
        )
        .await;
    refreshed.assert(401);
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"email": "rina@example.id", "password": PASSWORD}),
    )
    .await
    .assert(401);
    let signed_in = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "rina@example.id", "password": "a-brand-new-password"}),
        )
        .await;
    signed_in.assert(200);
    let me = app
        .get("/api/v1/me", signed_in.body["access_token"].as_str())
        .await;
    assert_eq!(
        me.body["email_verified"], true,
        "the reset link proved the address"
    );
    // Single use.
    let again = app
        .post(
            "/api/v1/auth/password-reset/confirm",
            None,
            json!({"token": token, "new_password": "yet-another-password"}),
        )
        .await;
    again.assert(410);
    assert_eq!(again.code(), "link_invalid");
}

async fn password_reset_never_tells_which_addresses_exist(app: TestApp) {
    register(&app, "ada@example.id", None).await;
    let before = app.count("outbox");
    let unknown = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "nobody@example.id"}),
        )
        .await;
    unknown.assert(202);
    assert_eq!(app.count("outbox"), before);
    let known = app
        .post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "ada@example.id"}),
        )
        .await;
    known.assert(202);
    assert_eq!(known.body, unknown.body);
    assert_eq!(app.count("outbox"), before + 1);
    // A mailbox cannot be flooded: three reset emails an hour, then requests are ignored.
    for _ in 0..4 {
        app.post(
            "/api/v1/auth/password-reset",
            None,
            json!({"email": "ada@example.id"}),
        )
        .await
        .assert(202);
    }
    assert_eq!(app.count("outbox"), before + 3);
    // Only the newest link works.
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM email_tokens WHERE purpose = 'password_reset' \
             AND expires_at > (SELECT MAX(created_at) FROM email_tokens)"
        ),
        1
    );
    app.post("/api/v1/auth/password-reset", None, json!({}))
        .await
        .assert(422);
}

async fn a_rolled_back_action_sends_nothing(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    // A registration that fails (the address is taken) queues nothing.
    register(&app, "taken@example.id", None).await;
    assert_eq!(app.count("outbox"), 1);
    app.post(
        "/api/v1/auth/register",
        None,
        json!({"email": "TAKEN@example.id", "password": PASSWORD, "full_name": "Again", "role": "employer"}),
    )
    .await
    .assert(409);
    assert_eq!(app.count("outbox"), 1);
    // A message queued by a transaction that then fails is rolled back with it.
    {
        let mut conn = app.conn();
        let email = bursa::mail::render::verify_email(
            "ghost@example.id",
            "Ghost",
            bursa::users::Language::Id,
            "http://x/verify-email?token=t",
            24,
        );
        let result: Result<(), bursa::error::AppError> =
            bursa::db::write_transaction(&mut conn, |conn| {
                bursa::mail::enqueue(conn, &email, bursa::db::now())?;
                Err(bursa::error::AppError::conflict(
                    "later_step",
                    "a later step failed",
                ))
            });
        assert!(result.is_err());
    }
    assert_eq!(app.count("outbox"), 1);
    assert_eq!(round(&app, &config).sent, 1);
    let messages = smtp.wait_for(1);
    std::thread::sleep(Duration::from_millis(200));
    assert_eq!(smtp.messages().len(), 1);
    assert_eq!(to(&messages[0]), ["taken@example.id"]);
}

async fn an_outage_delays_mail_and_loses_or_repeats_none(app: TestApp) {
    let mut smtp = SmtpServer::start();
    smtp.stop();
    let config = mail_config(&app, Some(&smtp));
    let running = worker::spawn(
        app.state.pool.clone(),
        Mailer::from_config(&config).unwrap(),
        config.clone(),
    )
    .unwrap();

    // Actions succeed while the mail server is down.
    for n in 0..4 {
        register(&app, &format!("user{n}@example.id"), None).await;
    }
    app.post(
        "/api/v1/auth/password-reset",
        None,
        json!({"email": "user0@example.id"}),
    )
    .await
    .assert(202);
    assert_eq!(app.count("outbox"), 5);

    // The worker tries, fails and keeps every message waiting; nothing is given up.
    wait_until("every message has failed twice", || {
        app.number("SELECT COUNT(*) AS n FROM outbox WHERE attempts >= 2") == 5
    });
    assert_eq!(outbox_count(&app, "sent"), 0);
    assert_eq!(outbox_count(&app, "failed"), 0);
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM outbox WHERE last_error IS NULL"),
        0
    );
    assert!(smtp.messages().is_empty());

    // The server returns: each message arrives exactly once.
    smtp.resume();
    wait_until("every message is sent", || outbox_count(&app, "sent") == 5);
    std::thread::sleep(Duration::from_millis(500));
    running.stop();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 5, "{messages:#?}");
    let mut ids: Vec<&str> = messages
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 5, "a message arrived twice");
    let mut recipients: Vec<String> = messages.iter().flat_map(to).collect();
    recipients.sort();
    assert_eq!(
        recipients,
        [
            "user0@example.id",
            "user0@example.id",
            "user1@example.id",
            "user2@example.id",
            "user3@example.id"
        ]
    );
}

/// Queues `n` messages directly (registering through the API would spend most of the test
/// hashing passwords).
fn queue(app: &TestApp, n: usize, domain: &str) {
    let mut conn = app.conn();
    for i in 0..n {
        let email = bursa::mail::render::verify_email(
            &format!("person{i}@{domain}"),
            "Person",
            bursa::users::Language::Id,
            "http://x/verify-email?token=t",
            24,
        );
        bursa::mail::enqueue(&mut conn, &email, bursa::db::now()).unwrap();
    }
}

async fn two_workers_never_send_a_message_twice(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    queue(&app, 120, "example.id");
    // Two instances: each its own pool on the same database, working at once.
    let other_pool =
        bursa::db::build_pool(&app.state.config.database_url, 4, Duration::from_secs(5));
    let first = worker::spawn(
        app.state.pool.clone(),
        Mailer::from_config(&config).unwrap(),
        config.clone(),
    )
    .unwrap();
    let second = worker::spawn(
        other_pool,
        Mailer::from_config(&config).unwrap(),
        config.clone(),
    )
    .unwrap();
    wait_until("every message is sent", || {
        outbox_count(&app, "sent") == 120
    });
    std::thread::sleep(Duration::from_millis(300));
    first.stop();
    second.stop();
    let messages = smtp.messages();
    assert_eq!(messages.len(), 120);
    let mut ids: Vec<&str> = messages
        .iter()
        .map(|m| m["message_id"].as_str().unwrap())
        .collect();
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), 120, "a message was sent twice");
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM outbox WHERE attempts <> 1"),
        0
    );
    assert_eq!(
        app.number("SELECT COUNT(DISTINCT locked_by) AS n FROM outbox"),
        2,
        "both workers took part"
    );
}

async fn refused_mail_fails_after_max_attempts_and_an_admin_retries_it(app: TestApp) {
    let smtp = SmtpServer::start();
    let mut config = mail_config(&app, Some(&smtp));
    config.max_attempts = 2;
    let admin = app.admin_token().await;
    register(&app, "nobody@reject.test", None).await;
    let id = app
        .get("/api/v1/admin/outbox?status=pending", Some(&admin))
        .await
        .body["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();

    let first = round(&app, &config);
    assert_eq!((first.claimed, first.deferred), (1, 1));
    assert_eq!(outbox_count(&app, "pending"), 1);
    std::thread::sleep(Duration::from_millis(150));
    let second = round(&app, &config);
    assert_eq!((second.claimed, second.failed), (1, 1));

    let failed = app
        .get("/api/v1/admin/outbox?status=failed", Some(&admin))
        .await;
    failed.assert(200);
    let entry = &failed.body["items"][0];
    assert_eq!(entry["id"], id.as_str());
    assert_eq!(entry["status"], "failed");
    assert_eq!(entry["attempts"], 2);
    assert_eq!(entry["recipient"], "nobody@reject.test");
    assert_eq!(entry["kind"], "verify_email");
    assert!(entry["last_error"].as_str().unwrap().contains("550"));
    assert!(
        entry.get("body_text").is_none(),
        "bodies hold links: never listed"
    );
    assert!(smtp.messages().is_empty());
    // Failed messages are left alone by the worker.
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(round(&app, &config).claimed, 0);

    let retried = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    retried.assert(200);
    assert_eq!(retried.body["status"], "pending");
    assert_eq!(retried.body["attempts"], 0);
    let again = app
        .post(
            &format!("/api/v1/admin/outbox/{id}/retry"),
            Some(&admin),
            json!({}),
        )
        .await;
    again.assert(409);
    assert_eq!(again.code(), "not_failed");
    assert_eq!(round(&app, &config).claimed, 1);

    // Admins only; unknown ids and statuses are refused.
    let (_, seeker) = app
        .user("js@example.id", bursa::auth::Role::JobSeeker)
        .await;
    app.get("/api/v1/admin/outbox", Some(&seeker))
        .await
        .assert(403);
    app.post(
        &format!("/api/v1/admin/outbox/{id}/retry"),
        Some(&seeker),
        json!({}),
    )
    .await
    .assert(403);
    app.get("/api/v1/admin/outbox", None).await.assert(401);
    app.post(
        &format!("/api/v1/admin/outbox/{}/retry", uuid::Uuid::new_v4()),
        Some(&admin),
        json!({}),
    )
    .await
    .assert(404);
    app.get("/api/v1/admin/outbox?status=lost", Some(&admin))
        .await
        .assert(422);
    // Paged like every list.
    let page = app.get("/api/v1/admin/outbox?limit=1", Some(&admin)).await;
    page.assert(200);
    assert_eq!(page.body["items"].as_array().unwrap().len(), 1);
    assert!(page.body["next_cursor"].is_string());
}

async fn without_smtp_mail_lands_in_the_eml_folder(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let mut config = mail_config(&app, None);
    config.dir = dir.path().join("mail");
    register(&app, "lina@example.id", None).await;
    assert_eq!(round(&app, &config).sent, 1);
    let files: Vec<_> = std::fs::read_dir(&config.dir)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].extension().unwrap(), "eml");
    let eml = std::fs::read_to_string(&files[0]).unwrap();
    assert!(eml.contains("To: lina@example.id"));
    assert!(eml.contains("Subject: Konfirmasi alamat email Anda di Bursa"));
    assert!(eml.contains("multipart/alternative"));
    assert_eq!(outbox_count(&app, "sent"), 1);
}

async fn a_worker_takes_over_an_expired_lease(app: TestApp) {
    let smtp = SmtpServer::start();
    let mut config = mail_config(&app, Some(&smtp));
    queue(&app, 1, "example.id");
    // A worker claimed the message and died: until its lease runs out, nobody else sends it.
    {
        use diesel::RunQueryDsl;
        let mut conn = app.conn();
        diesel::sql_query(
            "UPDATE outbox SET status = 'sending', attempts = 1, locked_by = 'dead', \
             locked_until = next_attempt_at + INTERVAL '1 hour'",
        )
        .execute(&mut conn)
        .map(|_| ())
        .or_else(|_| {
            // SQLite spells the interval differently.
            diesel::sql_query(
                "UPDATE outbox SET status = 'sending', attempts = 1, locked_by = 'dead', \
                 locked_until = datetime(next_attempt_at, '+1 hour')",
            )
            .execute(&mut conn)
            .map(|_| ())
        })
        .unwrap();
    }
    assert_eq!(round(&app, &config).claimed, 0);
    // A batch that used half its lease gives back what it has not sent.
    config.lease = Duration::ZERO;
    {
        use diesel::RunQueryDsl;
        let mut conn = app.conn();
        diesel::sql_query("UPDATE outbox SET locked_until = next_attempt_at")
            .execute(&mut conn)
            .unwrap();
    }
    let given_back = round(&app, &config);
    assert_eq!((given_back.claimed, given_back.released), (1, 1));
    assert_eq!(outbox_count(&app, "pending"), 1);
    assert_eq!(
        app.number("SELECT CAST(attempts AS BIGINT) AS n FROM outbox"),
        1
    );
    assert!(smtp.messages().is_empty());
    config.lease = Duration::from_secs(60);
    {
        use diesel::RunQueryDsl;
        let mut conn = app.conn();
        diesel::sql_query("UPDATE outbox SET locked_until = next_attempt_at")
            .execute(&mut conn)
            .unwrap();
    }
    let taken = round(&app, &config);
    assert_eq!((taken.claimed, taken.sent), (1, 1));
    assert_eq!(smtp.wait_for(1).len(), 1);
}

async fn a_registration_mails_its_ticket_with_the_qr_code(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    // A month ahead, 08:00 in Jakarta (01:00 UTC): registration is open whatever today is.
    let starts = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .and_hms_opt(1, 0, 0)
        .unwrap()
        .and_utc();
    let fair = Fair::by(&app, "panitia@disnaker.id")
        .starting(starts, 33)
        .published()
        .await;
    let event = fair.event;
    let seeker = job_seeker(&app, "dewi@example.id", Some("en"), "Dewi Lestari", "0001").await;
    round(&app, &config); // the verification emails
    let before = smtp.wait_for(2).len();

    let registration = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            Some(&seeker),
            json!({}),
        )
        .await;
    registration.assert(201);
    let code = registration.body["check_in_code"]
        .as_str()
        .unwrap()
        .to_owned();
    // Registering again sends nothing more.
    app.post(
        &format!("/api/v1/events/{event}/registrations"),
        Some(&seeker),
        json!({}),
    )
    .await
    .assert(200);
    assert_eq!(round(&app, &config).sent, 1);
    let messages = smtp.wait_for(before + 1);
    assert_eq!(messages.len(), before + 1);
    let ticket = messages
        .iter()
        .find(|m| m["subject"] == "Your registration: Jakarta Job Fair 2026")
        .expect("the ticket");
    assert_eq!(to(ticket), ["dewi@example.id"]);
    assert_eq!(ticket["content_language"], "en");
    let text = ticket["text"].as_str().unwrap();
    assert!(text.starts_with("Hello Dewi Lestari,"), "{text}");
    let month =
        bursa::locale::month_name(chrono::Datelike::month(&starts), bursa::users::Language::En);
    let day = chrono::Datelike::day(&starts);
    let year = chrono::Datelike::year(&starts);
    assert!(
        text.contains(&format!("Starts: {day} {month} {year}, 08:00 WIB")),
        "{text}"
    );
    assert!(
        text.contains("Jakarta Convention Center, Jakarta Pusat"),
        "{text}"
    );
    assert!(text.contains(&format!("Check-in code: {code}")), "{text}");
    assert!(ticket["html"]
        .as_str()
        .unwrap()
        .contains("src=\"cid:checkin-qr\""));
    let inline = ticket["inline"].as_array().unwrap();
    assert_eq!(inline.len(), 1);
    assert_eq!(inline[0]["content_type"], "image/png");
    assert_eq!(inline[0]["content_id"], "<checkin-qr>");
    assert!(inline[0]["size"].as_u64().unwrap() > 100);
}

/// A fair that started two hours ago, an approved employer with a vacancy, and a job seeker
/// (with an account) who registered, checked in and applied: (organizer token, employer token,
/// job seeker token, application id).
async fn hire_fixture(app: &TestApp) -> (String, String, String, String) {
    let f = HiringFair::of(app, "panitia@disnaker.id", "hr@pabrik.id", json!({})).await;
    // A job seeker who registered, checked in and applied.
    let seeker = job_seeker(app, "wati@example.id", None, "Wati Susanti", "0002").await;
    let code = fixtures::register(app, &f.event, &seeker).await;
    fixtures::check_in(app, &f.event, &f.organizer, &code).await;
    let application = app
        .post(
            &format!("/api/v1/vacancies/{}/applications", f.vacancy),
            Some(&seeker),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    (f.organizer.clone(), f.employer, seeker, application)
}

async fn a_reported_hire_mails_the_job_seeker_its_confirmation_link(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    let (_organizer, employer, seeker, application) = hire_fixture(&app).await;
    // The verification emails, the organizer's notice of the employer's request and the
    // employer's of its approval, and the ticket.
    round(&app, &config);
    let before = smtp.wait_for(6).len();
    assert_eq!(before, 6);

    let start_date = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let report = app
        .post(
            "/api/v1/placements",
            Some(&employer),
            json!({
                "application_id": application, "start_date": start_date.to_string(),
                "salary_idr": 5_200_000, "contract_type": "contract", "occupation_code": "8344"
            }),
        )
        .await;
    report.assert(201);
    let placement = report.id();
    assert!(
        !report.body.to_string().contains("placement-confirmations"),
        "the employer never sees the link"
    );
    assert_eq!(round(&app, &config).sent, 1);
    let messages = smtp.wait_for(before + 1);
    let request = messages
        .iter()
        .find(|m| m["subject"] == "Konfirmasi penerimaan kerja di employer org")
        .expect("the confirmation request");
    assert_eq!(to(request), ["wati@example.id"]);
    let text = request["text"].as_str().unwrap();
    assert!(text.contains("sebagai Forklift Operator"), "{text}");
    let prefix = format!("{}/placement-confirmations/", config.public_url);
    let token = token_after(text, &prefix);
    // The link works: it shows the claim and takes the answer, once.
    let claim = app
        .get(&format!("/api/v1/placement-confirmations/{token}"), None)
        .await;
    claim.assert(200);
    assert_eq!(claim.body["placement_id"], placement.as_str());
    app.post(
        &format!("/api/v1/placement-confirmations/{token}"),
        None,
        json!({"decision": "dispute", "reason": "Saya tidak pernah bekerja di sana"}),
    )
    .await
    .assert(200);
    let view = app
        .get(&format!("/api/v1/placements/{placement}"), Some(&seeker))
        .await;
    assert_eq!(view.body["status"], "disputed");
    app.get(&format!("/api/v1/placement-confirmations/{token}"), None)
        .await
        .assert(410);

    // The dispute is news for the event's organizers, and for the employer (without the reason).
    assert_eq!(round(&app, &config).sent, 2);
    let messages = smtp.wait_for(before + 3);
    assert_eq!(messages.len(), before + 3);
    let employer_notice = messages
        .iter()
        .find(|m| m["subject"] == "Dibantah: Forklift Operator")
        .expect("the employer's notice");
    assert_eq!(to(employer_notice), ["hr@pabrik.id"]);
    let text = employer_notice["text"].as_str().unwrap();
    assert!(!text.contains("tidak pernah bekerja"), "{text}");
    let notice = messages
        .iter()
        .find(|m| m["subject"] == "Laporan penerimaan kerja dibantah: Jakarta Job Fair 2026")
        .expect("the dispute notice");
    assert_eq!(to(notice), ["panitia@disnaker.id"]);
    let text = notice["text"].as_str().unwrap();
    assert!(
        text.contains("Wati Susanti membantah laporan employer org"),
        "{text}"
    );
    assert!(
        text.contains("Alasan: Saya tidak pernah bekerja di sana"),
        "{text}"
    );
    // The link opens the desk's placements queue, where the organizer settles the dispute.
    let event = view.body["event_id"].as_str().unwrap().to_owned();
    let queue = format!("/desk/events/{event}/placements");
    assert!(
        text.contains(&format!(
            "{}{queue}#placement-{placement}",
            config.public_url
        )),
        "{text}"
    );
    let desk = crate::web::Phone::signed_in(&app, "panitia@disnaker.id").await;
    let page = desk.get(&queue).await;
    page.assert(200);
    assert!(page.body.contains(&format!("id=\"placement-{placement}\"")));
}

async fn a_follow_up_falling_due_reminds_the_employer_and_the_job_seeker(app: TestApp) {
    let smtp = SmtpServer::start();
    let config = mail_config(&app, Some(&smtp));
    let (_organizer, employer, _seeker, application) = hire_fixture(&app).await;
    let start_date = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let placement = app
        .post(
            "/api/v1/placements",
            Some(&employer),
            json!({
                "application_id": application, "start_date": start_date.to_string(),
                "salary_idr": 5_200_000, "contract_type": "contract", "occupation_code": "8344"
            }),
        )
        .await
        .assert(201)
        .id();
    // The verification emails, the participation notices, the ticket, the confirmation link.
    round(&app, &config);
    let before = smtp.wait_for(7).len();
    assert_eq!(before, 7);
    let queue_due = || {
        let mut conn = app.conn();
        bursa::mail::reminders::queue_due(&mut conn, &config.public_url, bursa::db::now()).unwrap()
    };
    // Not verified yet: nothing is due.
    assert_eq!(queue_due(), 0);
    // Verified, started 91 days ago: the 90-day check is due.
    {
        use diesel::RunQueryDsl;
        let started = (chrono::Utc::now() - chrono::Duration::days(91)).date_naive();
        let mut conn = app.conn();
        diesel::sql_query(format!(
            "UPDATE placements SET status = 'verified', start_date = '{started}'"
        ))
        .execute(&mut conn)
        .unwrap();
    }
    assert_eq!(queue_due(), 2, "the employer's member and the job seeker");
    assert_eq!(queue_due(), 0, "once per checkpoint");
    assert_eq!(round(&app, &config).sent, 2);
    let messages = smtp.wait_for(before + 2);
    assert_eq!(messages.len(), before + 2);
    let employer_mail = messages
        .iter()
        .find(|m| to(m) == ["hr@pabrik.id"] && m["subject"].as_str().unwrap().contains("90"))
        .expect("the employer's reminder");
    assert_eq!(
        employer_mail["subject"],
        "Tindak lanjut 90 hari: Wati Susanti di employer org"
    );
    let text = employer_mail["text"].as_str().unwrap();
    let link = format!("/placements/{placement}/follow-ups");
    assert!(
        text.contains(&format!("{}{link}", config.public_url)),
        "{text}"
    );
    // The link opens the follow-up page with its form, for the employer and the job seeker.
    for email in ["hr@pabrik.id", "wati@example.id"] {
        let phone = crate::web::Phone::signed_in(&app, email).await;
        let page = phone.get(&link).await;
        page.assert(200);
        assert!(page.body.contains("id=\"save-follow-up\""), "{}", page.body);
    }
    let seeker_mail = messages
        .iter()
        .find(|m| to(m) == ["wati@example.id"] && m["subject"].as_str().unwrap().contains("90"))
        .expect("the job seeker's reminder");
    assert!(seeker_mail["text"]
        .as_str()
        .unwrap()
        .contains("employer org"));
    // A check long overdue (history) is for the due list, not the mailbox.
    {
        use diesel::RunQueryDsl;
        let started = (chrono::Utc::now() - chrono::Duration::days(400)).date_naive();
        let mut conn = app.conn();
        diesel::sql_query(format!("UPDATE placements SET start_date = '{started}'"))
            .execute(&mut conn)
            .unwrap();
    }
    assert_eq!(queue_due(), 0);
}
