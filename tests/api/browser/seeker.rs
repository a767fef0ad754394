//! The job seeker's journey in a real browser at phone size: sign up, make the profile from a
//! fair's page, register, the ticket; apply and follow the application; confirm a reported hire;
//! and the ticket again with the server gone (the service worker's copy).

use std::time::Duration as Wait;

use chrono::Duration;
use fantoccini::Locator;
use serde_json::json;

use crate::browser::confirm::status as placement_status;
use crate::browser::Browser;
use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::HiringFair;

db_tests!(sign_up_profile_register_ticket_apply_and_confirm_the_hire);

/// Waits until the browser shows `expected` (a prefix of the path and query).
async fn wait_for_path(browser: &Browser, expected: &str) {
    for _ in 0..100 {
        if browser.path().await.starts_with(expected) {
            return;
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!("still at {} instead of {expected}", browser.path().await);
}

/// Waits until the ticket page has kept its offline copy (bursa.js marks the page).
async fn wait_until_kept_offline(browser: &Browser) {
    for _ in 0..100 {
        let ready = browser
            .client
            .execute(
                "return document.documentElement.hasAttribute('data-offline-ready') && \
                 !!navigator.serviceWorker.controller;",
                vec![],
            )
            .await
            .unwrap_or_default();
        if ready == json!(true) {
            return;
        }
        // The first visit is not controlled by the worker yet: a reload is.
        if browser
            .client
            .execute(
                "return document.documentElement.hasAttribute('data-offline-ready');",
                vec![],
            )
            .await
            .unwrap_or_default()
            == json!(true)
        {
            browser.client.refresh().await.expect("reload");
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!("the ticket was not kept for offline use");
}

fn check_in_code(app: &TestApp, registration: &str) -> String {
    use bursa::db::schema::registrations;
    use diesel::prelude::*;
    registrations::table
        .find(registration)
        .select(registrations::check_in_code)
        .first(&mut *app.conn())
        .unwrap()
}

async fn sign_up_profile_register_ticket_apply_and_confirm_the_hire(app: TestApp) {
    let mut app = app;
    let f = HiringFair::new(&app, "journey").await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    let event_page = format!("/events/{}", f.event);

    // Sign up.
    browser.goto("/sign-up").await;
    browser.fill("#full_name", "Siti Rahayu").await;
    browser.fill("#email", "siti@journey.id").await;
    browser.fill("#password", "a-long-enough-password").await;
    browser.click_and_load("main button[type=submit]").await;
    wait_for_path(&browser, "/me").await;
    assert!(browser.body().await.contains("Bursa kerja saya"));

    // The fair asks for the profile first, and brings the person back.
    browser.goto(&event_page).await;
    browser.check_page("seeker-event-no-profile").await;
    browser.click_and_load("#register a.button").await;
    wait_for_path(&browser, "/me/profile?next=").await;
    assert_eq!(browser.text("h1").await, "Profil saya");
    browser.check_page("profile").await;
    browser.fill("#full_name", "Siti Rahayu").await;
    browser.fill("#nik", "3174 0155 0895 0002").await;
    browser.fill("#city", "Jakarta Timur").await;
    browser.click("#gender-female").await;
    let choose = |id: &'static str, value: &'static str| {
        let browser = &browser;
        async move {
            browser
                .client
                .find(Locator::Css(id))
                .await
                .expect("a select")
                .select_by_value(value)
                .await
                .expect("an option");
        }
    };
    choose("#education_level", "smk").await;
    choose("#province_code", "31").await;
    // Without consent first: the box's message, the typed values kept.
    browser.click_and_load("#save").await;
    assert!(browser.text("#consent-error").await.contains("persetujuan"));
    assert_eq!(app.count("job_seekers"), 0);
    browser.check_error_page("profile-errors").await;
    browser.click("#consent").await;
    browser.click_and_load("#save").await;
    wait_for_path(&browser, &event_page).await;
    assert_eq!(app.count("job_seekers"), 1);

    // Register: the ticket.
    browser.check_page("seeker-event-register").await;
    browser.click_and_load("#register-button").await;
    wait_for_path(&browser, "/me/registrations/").await;
    let ticket = browser.path().await;
    let registration = ticket.trim_start_matches("/me/registrations/").to_owned();
    let code = check_in_code(&app, &registration);
    let shown = browser.text("#check-in-code").await;
    // Shown in its four groups of four, as stored: `ABCD-EFGH-JKMN-PQRS`.
    assert_eq!(shown.replace(' ', "-"), code);
    assert!(browser.text("#ticket-starts").await.ends_with("WIB"));
    assert!(browser.client.find(Locator::Css("svg.qr")).await.is_ok());
    browser.check_page("ticket").await;
    browser.goto("/me/registrations").await;
    browser.check_page("registrations").await;

    // Apply from the fair's page, then follow the application.
    browser.goto(&event_page).await;
    assert_eq!(
        browser.text("#ticket-link").await,
        "Lihat tiket",
        "the fair's page knows the registration"
    );
    browser.check_page("seeker-event-registered").await;
    browser.click_and_load("button.apply").await;
    wait_for_path(&browser, "/me/applications").await;
    let application: String = {
        use bursa::db::schema::applications;
        use diesel::prelude::*;
        applications::table
            .select(applications::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    app.patch(
        &format!("/api/v1/applications/{application}"),
        Some(&f.employer),
        json!({"status": "shortlisted"}),
    )
    .await
    .assert(200);
    browser.goto("/me/applications").await;
    let history = browser
        .text(&format!("#application-{application} .history"))
        .await;
    assert!(history.contains("Dilamar"), "{history}");
    assert!(history.contains("Masuk seleksi"), "{history}");
    browser.check_page("applications").await;

    // The employer reports the hire; the person confirms it.
    let start = (f.first_day() + Duration::days(14)).to_string();
    let placement = app
        .post(
            "/api/v1/placements",
            Some(&f.employer),
            json!({
                "application_id": application, "start_date": start, "salary_idr": 5_200_000,
                "contract_type": "contract", "occupation_code": "8344"
            }),
        )
        .await
        .assert(201)
        .id();
    browser.goto("/me/hires").await;
    browser.check_page("hires").await;
    browser
        .click_and_load(&format!("#hire-{placement} button.confirm"))
        .await;
    wait_for_path(&browser, "/me/hires?answered=confirmed").await;
    assert_eq!(placement_status(&app, &placement), "confirmed");
    browser.check_page("hires-confirmed").await;

    // The ticket opens with the server gone.
    browser.goto(&ticket).await;
    wait_until_kept_offline(&browser).await;
    let fair = browser.text("h1").await;
    app.stop_server().await;
    browser.goto(&ticket).await;
    let shown = browser.text("#check-in-code").await;
    assert_eq!(shown.replace(' ', "-"), code, "the ticket offline");
    assert_eq!(browser.text("h1").await, fair);
    // The network really is gone: a page that is not kept does not open.
    let unkept = browser.client.goto(&browser.url("/me/applications")).await;
    assert!(
        unkept.is_err_and(|e| e.to_string().contains("ERR_CONNECTION_REFUSED")),
        "a page not kept opened without the server"
    );
    browser.close().await;
}
