//! The WhatsApp channel of the outbox, against a local fake of the Cloud API
//! ([`crate::whatsapp_fake`]): the request shape, an outage (retried, sent exactly once), a
//! refusal (failed after the last attempt, retried by an admin), the `.json` fallback, and the
//! messages that use it (the ticket and the hire confirmation request) going out only with
//! consent. Every test runs on both engines.

use bursa::config::MailConfig;
use bursa::mail::transport::Mailer;
use bursa::mail::worker::{self, Round};
use serde_json::{json, Value};

use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{self, profile, HiringFair};
use crate::phone_accounts::{queued_code, register_phone, PHONE};
use crate::whatsapp_fake::{outbox_config, FakeWhatsapp, TOKEN};

db_tests!(
    a_code_reaches_the_cloud_api_in_its_shape,
    an_outage_delays_whatsapp_and_it_is_sent_exactly_once,
    a_refused_message_fails_after_max_attempts_and_an_admin_retries_it,
    without_configuration_whatsapp_lands_in_json_files,
    the_ticket_goes_by_whatsapp_only_with_consent,
    a_profile_phone_with_recorded_consent_gets_the_ticket,
    someone_recorded_by_staff_gets_a_ticket_link_they_can_open,
    a_reported_hire_asks_for_confirmation_by_whatsapp,
);

fn round(app: &TestApp, config: &MailConfig) -> Round {
    let mailer = Mailer::from_config(config).unwrap();
    worker::run_once(&mut app.conn(), &mailer, config, "test-worker").unwrap()
}

fn status_of(app: &TestApp, template: &str) -> Vec<String> {
    use bursa::db::schema::outbox;
    use diesel::prelude::*;
    outbox::table
        .filter(outbox::subject.eq(template))
        .select(outbox::status)
        .load(&mut *app.conn())
        .unwrap()
}

/// Rounds until nothing is pending (each waits out the short backoff), at most `max`.
fn drain(app: &TestApp, config: &MailConfig, max: usize) {
    for _ in 0..max {
        let pending =
            app.number("SELECT COUNT(*) AS n FROM outbox WHERE status IN ('pending', 'sending')");
        if pending == 0 {
            return;
        }
        round(app, config);
        std::thread::sleep(std::time::Duration::from_millis(120));
    }
}

/// A job seeker signed up by phone, the number verified with the WhatsApp code: the token.
async fn verified_phone_seeker(app: &TestApp, phone: &str, consent: bool) -> String {
    register_phone(app, phone, consent).await;
    let code = queued_code(app, phone);
    app.post(
        "/api/v1/auth/phone-codes/verify",
        None,
        json!({"phone": phone, "code": code}),
    )
    .await
    .assert(200)
    .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn a_code_reaches_the_cloud_api_in_its_shape(app: TestApp) {
    let fake = FakeWhatsapp::start();
    let dir = tempfile::tempdir().unwrap();
    let config = outbox_config(&app, Some(&fake), dir.path());
    register_phone(&app, "081234567890", false).await;
    let code = queued_code(&app, PHONE);
    let done = round(&app, &config);
    assert_eq!((done.claimed, done.sent), (1, 1));
    let messages = fake.wait_for(1);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
    let message = &messages[0];
    assert_eq!(message["to"], "6281234567890");
    assert_eq!(message["template"]["name"], "bursa_sign_in_code");
    assert_eq!(message["template"]["language"]["code"], "id");
    assert_eq!(fake.code_for("6281234567890"), code);
    // Sent: the API's message id is kept, the body (the code) is not.
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM outbox WHERE status = 'sent' AND channel = 'whatsapp' \
             AND provider_message_id = 'wamid.HBgM1' AND body_text = ''"
        ),
        1
    );
    // The code from WhatsApp signs in.
    app.post(
        "/api/v1/auth/phone-codes/verify",
        None,
        json!({"phone": PHONE, "code": fake.code_for("6281234567890")}),
    )
    .await
    .assert(200);
}

async fn an_outage_delays_whatsapp_and_it_is_sent_exactly_once(app: TestApp) {
    let fake = FakeWhatsapp::start();
    let dir = tempfile::tempdir().unwrap();
    let config = outbox_config(&app, Some(&fake), dir.path());
    register_phone(&app, PHONE, false).await;
    // Down for a while: 503, then 429 (rate limited), then 500.
    fake.fail_next(2, 503);
    fake.fail_next(1, 429);
    fake.fail_next(1, 500);
    let first = round(&app, &config);
    assert_eq!((first.sent, first.deferred), (0, 1));
    assert_eq!(status_of(&app, "bursa_sign_in_code"), ["pending"]);
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM outbox WHERE last_error LIKE 'HTTP 503%' \
             AND last_error LIKE '%fbtrace_id%'"
        ),
        1
    );
    drain(&app, &config, 30);
    assert_eq!(status_of(&app, "bursa_sign_in_code"), ["sent"]);
    // However long the outage, a transient failure never fails the message; and it went out
    // once: five requests, one accepted.
    assert_eq!(fake.requests(), 5);
    assert_eq!(fake.messages().len(), 1);
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM outbox WHERE attempts = 5 AND last_error IS NULL"),
        1
    );
    // More rounds send nothing more.
    round(&app, &config);
    assert_eq!(fake.messages().len(), 1);
}

async fn a_refused_message_fails_after_max_attempts_and_an_admin_retries_it(app: TestApp) {
    let fake = FakeWhatsapp::start();
    let dir = tempfile::tempdir().unwrap();
    let mut config = outbox_config(&app, Some(&fake), dir.path());
    config.max_attempts = 3;
    register_phone(&app, PHONE, false).await;
    fake.refuse(400);
    drain(&app, &config, 30);
    assert_eq!(status_of(&app, "bursa_sign_in_code"), ["failed"]);
    assert_eq!(fake.requests(), 3);
    let admin = app.admin_token().await;
    let listed = app
        .get(
            "/api/v1/admin/outbox?channel=whatsapp&status=failed",
            Some(&admin),
        )
        .await;
    listed.assert(200);
    let items = listed.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 1);
    let entry = &items[0];
    assert_eq!(entry["channel"], "whatsapp");
    assert_eq!(entry["kind"], "phone_code");
    assert_eq!(entry["recipient"], PHONE);
    assert_eq!(entry["attempts"], 3);
    let error = entry["last_error"].as_str().unwrap();
    assert!(error.starts_with("HTTP 400: (#131009)"), "{error}");
    assert!(!listed.body.to_string().contains(TOKEN), "never the token");
    assert!(
        entry.get("body_text").is_none(),
        "never the body: it holds the code"
    );
    // The email channel has none of it; a bad channel is a 422.
    let email = app
        .get("/api/v1/admin/outbox?channel=email", Some(&admin))
        .await;
    assert_eq!(email.body["items"].as_array().unwrap().len(), 0);
    app.get("/api/v1/admin/outbox?channel=sms", Some(&admin))
        .await
        .assert(422);
    // Only admins see the outbox: it lists phone numbers.
    let seeker = verified_phone_seeker_token(&app).await;
    app.get("/api/v1/admin/outbox?channel=whatsapp", Some(&seeker))
        .await
        .assert(403);

    fake.heal();
    let id = entry["id"].as_str().unwrap();
    app.post(
        &format!("/api/v1/admin/outbox/{id}/retry"),
        Some(&admin),
        json!({}),
    )
    .await
    .assert(200);
    drain(&app, &config, 10);
    assert_eq!(status_of(&app, "bursa_sign_in_code")[0], "sent");
    assert_eq!(fake.messages().len(), 1);
}

async fn verified_phone_seeker_token(app: &TestApp) -> String {
    app.post(
        "/api/v1/auth/login",
        None,
        json!({"phone": PHONE, "password": PASSWORD}),
    )
    .await
    .assert(200)
    .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned()
}

async fn without_configuration_whatsapp_lands_in_json_files(app: TestApp) {
    let dir = tempfile::tempdir().unwrap();
    let config = outbox_config(&app, None, dir.path());
    assert!(config.whatsapp.cloud.is_none());
    register_phone(&app, PHONE, false).await;
    let code = queued_code(&app, PHONE);
    assert_eq!(round(&app, &config).sent, 1);
    let files: Vec<_> = std::fs::read_dir(dir.path().join("whatsapp"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert_eq!(files.len(), 1, "{files:?}");
    assert_eq!(files[0].extension().unwrap(), "json");
    let written: Value = serde_json::from_slice(&std::fs::read(&files[0]).unwrap()).unwrap();
    assert_eq!(written["to"], "6281234567890");
    assert_eq!(written["template"]["name"], "bursa_sign_in_code");
    assert_eq!(
        written["template"]["components"][0]["parameters"][0]["text"],
        code.as_str()
    );
    assert!(
        !dir.path().join("mail").exists(),
        "no email for a phone-only account"
    );
}

/// A published fair a month ahead: its id.
pub async fn fair(app: &TestApp) -> String {
    let starts = (chrono::Utc::now() + chrono::Duration::days(30))
        .date_naive()
        .and_hms_opt(1, 0, 0)
        .unwrap()
        .and_utc();
    fixtures::Fair::by(app, "panitia@disnaker.id")
        .starting(starts, 33)
        .published()
        .await
        .event
}

fn tickets_queued(app: &TestApp) -> i64 {
    app.number(
        "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'whatsapp' \
         AND kind = 'registration_ticket'",
    )
}

async fn the_ticket_goes_by_whatsapp_only_with_consent(app: TestApp) {
    let fake = FakeWhatsapp::start();
    let dir = tempfile::tempdir().unwrap();
    let config = outbox_config(&app, Some(&fake), dir.path());
    let event = fair(&app).await;
    // Agreed to WhatsApp, but the number is not verified yet: no ticket by WhatsApp.
    let unverified = register_phone(&app, "+6285711112222", true).await;
    assert_eq!(unverified["phone_verified"], false);
    let token = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"phone": "+6285711112222", "password": PASSWORD}),
        )
        .await
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post("/api/v1/job-seekers", Some(&token), profile("Ani", "0101"))
        .await
        .assert(201);
    fixtures::register(&app, &event, &token).await;
    assert_eq!(tickets_queued(&app), 0);
    // Verified but no consent: none either.
    let no_consent = verified_phone_seeker(&app, "+6285733334444", false).await;
    app.post(
        "/api/v1/job-seekers",
        Some(&no_consent),
        profile("Bunga", "0102"),
    )
    .await
    .assert(201);
    fixtures::register(&app, &event, &no_consent).await;
    assert_eq!(tickets_queued(&app), 0);
    // Verified and agreed: the ticket, with its code and the link to its page.
    let seeker = verified_phone_seeker(&app, PHONE, true).await;
    app.post(
        "/api/v1/job-seekers",
        Some(&seeker),
        profile("Sri Wahyuni", "0103"),
    )
    .await
    .assert(201);
    let registration = app
        .post(
            &format!("/api/v1/events/{event}/registrations"),
            Some(&seeker),
            json!({}),
        )
        .await;
    registration.assert(201);
    let registration_id = registration.id();
    let check_in_code = registration.body["check_in_code"].as_str().unwrap();
    assert_eq!(tickets_queued(&app), 1);
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'registration_ticket' AND channel = 'email'"),
        0,
        "no email without an address"
    );
    drain(&app, &config, 10);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
    let ticket = fake
        .messages()
        .into_iter()
        .find(|m| m["template"]["name"] == "bursa_registration_ticket")
        .expect("the ticket");
    assert_eq!(ticket["to"], "6281234567890");
    let params: Vec<String> = ticket["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(params[0], "Sri Wahyuni");
    assert!(params[2].contains("WIB"), "{params:?}");
    assert_eq!(params[4], check_in_code);
    assert_eq!(
        params[5],
        format!(
            "{}/me/registrations/{registration_id}",
            app.state.config.mail.public_url
        )
    );
}

async fn a_profile_phone_with_recorded_consent_gets_the_ticket(app: TestApp) {
    let event = fair(&app).await;
    // An email account whose profile gives a phone and agrees to WhatsApp.
    let (_, token) = app
        .user("dewi@example.id", bursa::auth::Role::JobSeeker)
        .await;
    let mut body = profile("Dewi Lestari", "0201");
    body["phone"] = json!("0857 0000 1234".replace(' ', ""));
    body["whatsapp_consent"] = json!(true);
    app.post("/api/v1/job-seekers", Some(&token), body)
        .await
        .assert(201);
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM job_seekers WHERE whatsapp_consent_at IS NOT NULL \
             AND whatsapp_consent_recorded_by IS NOT NULL"
        ),
        1
    );
    fixtures::register(&app, &event, &token).await;
    // Both channels: the email and WhatsApp at the profile's number.
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM outbox WHERE kind = 'registration_ticket' \
             AND ((channel = 'whatsapp' AND recipient = '+6285700001234') \
               OR (channel = 'email' AND recipient = 'dewi@example.id'))"
        ),
        2
    );
    // The profile shows it; a new number withdraws it; given again, it holds.
    let me = app.get("/api/v1/me/job-seeker", Some(&token)).await;
    me.assert(200);
    assert!(me.body["whatsapp_consent_at"].is_string(), "{}", me.body);
    let id = me.id();
    let changed = app
        .patch(
            &format!("/api/v1/job-seekers/{id}"),
            Some(&token),
            json!({"phone": "085700005678"}),
        )
        .await;
    changed.assert(200);
    assert_eq!(changed.body["whatsapp_consent_at"], Value::Null);
    let again = app
        .patch(
            &format!("/api/v1/job-seekers/{id}"),
            Some(&token),
            json!({"whatsapp_consent": true}),
        )
        .await;
    again.assert(200);
    assert!(again.body["whatsapp_consent_recorded_by"].is_string());
    let withdrawn = app
        .patch(
            &format!("/api/v1/job-seekers/{id}"),
            Some(&token),
            json!({"whatsapp_consent": false}),
        )
        .await;
    assert_eq!(withdrawn.body["whatsapp_consent_at"], Value::Null);
    // Consent needs a mobile number.
    let (_, other) = app
        .user("eka@example.id", bursa::auth::Role::JobSeeker)
        .await;
    let mut body = profile("Eka", "0202");
    body["whatsapp_consent"] = json!(true);
    let refused = app.post("/api/v1/job-seekers", Some(&other), body).await;
    crate::common::assert_invalid(&refused, "whatsapp_consent");
}

async fn a_reported_hire_asks_for_confirmation_by_whatsapp(app: TestApp) {
    let fake = FakeWhatsapp::start();
    let dir = tempfile::tempdir().unwrap();
    let config = outbox_config(&app, Some(&fake), dir.path());
    let f = HiringFair::of(&app, "panitia@disnaker.id", "hr@pabrik.id", json!({})).await;
    let seeker = verified_phone_seeker(&app, PHONE, true).await;
    app.post(
        "/api/v1/job-seekers",
        Some(&seeker),
        profile("Sri Wahyuni", "0301"),
    )
    .await
    .assert(201);
    let code = fixtures::register(&app, &f.event, &seeker).await;
    fixtures::check_in(&app, &f.event, &f.organizer, &code).await;
    let application = app
        .post(
            &format!("/api/v1/vacancies/{}/applications", f.vacancy),
            Some(&seeker),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    drain(&app, &config, 10);
    let before = fake.messages().len();
    let start_date = (chrono::Utc::now() + chrono::Duration::days(10)).date_naive();
    let report = app
        .post(
            "/api/v1/placements",
            Some(&f.employer),
            json!({
                "application_id": application, "start_date": start_date.to_string(),
                "salary_idr": 5_200_000, "contract_type": "contract", "occupation_code": "8344"
            }),
        )
        .await;
    report.assert(201);
    let placement = report.id();
    drain(&app, &config, 10);
    let messages = fake.wait_for(before + 1);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
    let request = messages
        .iter()
        .find(|m| m["template"]["name"] == "bursa_hire_confirmation")
        .expect("the confirmation request");
    assert_eq!(request["to"], "6281234567890");
    let params = request["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap();
    let link = params[4]["text"].as_str().unwrap();
    let prefix = format!("{}/placement-confirmations/", config.public_url);
    assert!(link.starts_with(&prefix), "{link}");
    // The link works: the page of the claim.
    let token = &link[prefix.len()..];
    let claim = app
        .get(&format!("/api/v1/placement-confirmations/{token}"), None)
        .await;
    claim.assert(200);
    assert_eq!(claim.body["placement_id"], placement.as_str());
    // And the page the person opens from WhatsApp, with its two answers.
    let mut page = awc::Client::default()
        .get(app.url(&link[config.public_url.len()..]))
        .send()
        .await
        .expect("request sent");
    assert_eq!(page.status().as_u16(), 200);
    let html = String::from_utf8_lossy(&page.body().await.unwrap()).into_owned();
    assert!(
        html.contains("Ya, benar") && html.contains("Tidak benar"),
        "{html}"
    );
}

/// A job seeker recorded by staff with a phone and consent has no account to sign in with:
/// their ticket by WhatsApp links to the fair's public page, which opens; the code is in the
/// message itself.
async fn someone_recorded_by_staff_gets_a_ticket_link_they_can_open(app: TestApp) {
    let starts = chrono::Utc::now() + chrono::Duration::days(30);
    let hosted = fixtures::Fair::by(&app, "meja@disnaker.id")
        .starting(starts, 8)
        .published()
        .await;
    let mut body = profile("Rina Marlina", "0303");
    body["phone"] = json!("085711112222");
    body["whatsapp_consent"] = json!(true);
    let recorded = app
        .post("/api/v1/job-seekers", Some(&hosted.organizer), body)
        .await
        .assert(201)
        .id();
    app.post(
        &format!("/api/v1/events/{}/registrations", hosted.event),
        Some(&hosted.organizer),
        json!({"job_seeker_id": recorded}),
    )
    .await
    .assert(201);
    let sent: String = {
        use bursa::db::schema::outbox;
        use diesel::prelude::*;
        let mut conn = app.conn();
        outbox::table
            .filter(outbox::channel.eq("whatsapp"))
            .filter(outbox::kind.eq("registration_ticket"))
            .filter(outbox::recipient.eq("+6285711112222"))
            .select(outbox::body_text)
            .first(&mut *conn)
            .expect("the ticket by WhatsApp")
    };
    let request: Value = serde_json::from_str(&sent).unwrap();
    let params = request["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap();
    let link = params[5]["text"].as_str().unwrap();
    let public_url = &app.state.config.mail.public_url;
    assert_eq!(link, format!("{public_url}/events/{}", hosted.event));
    let page = awc::Client::default()
        .get(app.url(&link[public_url.len()..]))
        .send()
        .await
        .expect("request sent");
    assert_eq!(page.status().as_u16(), 200);
    let code = params[4]["text"].as_str().unwrap();
    assert!(!code.is_empty());
}
