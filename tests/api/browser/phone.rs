//! The phone journey in a real browser, at phone size: sign up with a mobile number, sign in
//! with the code WhatsApp delivered (read from the local fake of the Cloud API), then register
//! for a fair and receive the ticket by WhatsApp.

use serde_json::json;

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::profile;
use crate::whatsapp_fake::{outbox_config, FakeWhatsapp};

db_tests!(sign_up_by_phone_then_a_ticket_by_whatsapp);

async fn sign_up_by_phone_then_a_ticket_by_whatsapp(app: TestApp) {
    let fake = FakeWhatsapp::start();
    let dir = tempfile::tempdir().unwrap();
    let config = outbox_config(&app, Some(&fake), dir.path());
    let _worker = bursa::mail::worker::spawn(
        app.state.pool.clone(),
        bursa::mail::transport::Mailer::from_config(&config).unwrap(),
        config.clone(),
    )
    .unwrap();
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/sign-up").await;
    browser.check_page("sign-up-choice").await;
    browser.click("#via-phone").await;
    browser.fill("#full_name", "Sri Wahyuni").await;
    browser.fill("#phone", "0812 3456 7890").await;
    browser.click("#whatsapp_consent").await;
    browser.fill("#password", PASSWORD).await;
    browser
        .click_and_load("form.sign-up button[type=submit]")
        .await;
    browser
        .wait_for_text(".notice.ok", "Akun Anda sudah dibuat")
        .await;
    assert_eq!(browser.text("h1").await, "Masuk dengan kode WhatsApp");
    browser.check_page("sign-in-code").await;

    // The code arrives at WhatsApp (the fake), in the Cloud API's shape.
    fake.wait_for(1);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
    let code = fake.code_for("6281234567890");
    // A wrong code first: a friendly page that says so.
    let wrong = format!("{:06}", (code.parse::<u32>().unwrap() + 1) % 1_000_000);
    browser.fill("#code", &wrong).await;
    browser
        .click_and_load("form[action='/sign-in/code'] button[type=submit]")
        .await;
    browser.wait_for_text(".notice.bad", "Kode salah").await;
    browser.check_error_page("sign-in-code-wrong").await;
    browser.fill("#code", &code).await;
    browser
        .click_and_load("form[action='/sign-in/code'] button[type=submit]")
        .await;
    assert_eq!(browser.path().await, "/me");
    assert_eq!(browser.text("#me-phone").await, "+6281234567890");
    assert_eq!(
        browser.text("#me-phone-verified").await,
        "Sudah dikonfirmasi"
    );
    browser.check_page("me-phone").await;

    // The profile through the API with the account's token; then the person registers on the
    // fair's page, as they would.
    let token = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"phone": "081234567890", "password": PASSWORD}),
        )
        .await
        .assert(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    app.post(
        "/api/v1/job-seekers",
        Some(&token),
        profile("Sri Wahyuni", "0401"),
    )
    .await
    .assert(201);
    let event = crate::whatsapp::fair(&app).await;
    browser.goto(&format!("/events/{event}")).await;
    browser.click_and_load("#register-button").await;
    let ticket_path = browser.path().await;
    assert!(
        ticket_path.starts_with("/me/registrations/"),
        "{ticket_path}"
    );
    let id = ticket_path
        .trim_start_matches("/me/registrations/")
        .to_owned();
    let check_in_code = {
        use bursa::db::schema::registrations;
        use diesel::prelude::*;
        let mut conn = app.conn();
        registrations::table
            .find(&id)
            .select(registrations::check_in_code)
            .first::<String>(&mut *conn)
            .unwrap()
    };
    let messages = fake.wait_for(2);
    assert!(fake.problems().is_empty(), "{:?}", fake.problems());
    let ticket = messages
        .iter()
        .find(|m| m["template"]["name"] == "bursa_registration_ticket")
        .expect("the ticket by WhatsApp");
    assert_eq!(ticket["to"], "6281234567890");
    let params = ticket["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap();
    assert_eq!(params[4]["text"], check_in_code.as_str());
    let link = params[5]["text"].as_str().unwrap();
    assert_eq!(link, format!("{}/me/registrations/{id}", config.public_url));

    // The link in the message opens the ticket, with its code written out.
    let path = link.strip_prefix(config.public_url.as_str()).unwrap();
    browser.goto(path).await;
    assert_eq!(browser.path().await, path);
    let shown: String = browser
        .text("main")
        .await
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    let plain: String = check_in_code
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect();
    assert!(shown.contains(&plain), "the ticket shows {check_in_code}");
    browser.check_page("ticket-from-whatsapp").await;
    browser.close().await;
}
