//! The organizer's journey at the desk in a real browser at phone size: sign in, create a fair,
//! publish it, approve an employer, search the registrations, verify a placement, issue a
//! confirmation link (QR code and URL), close the fair with its spending, read its figures.

use std::time::Duration as Wait;

use bursa::auth::Role;
use chrono::{Duration, Utc};
use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{vacancy_body, Employer, Seeker};

db_tests!(organizer_runs_a_fair_from_the_desk);

async fn wait_for_path(browser: &Browser, expected: &str) {
    for _ in 0..100 {
        if browser.path().await.starts_with(expected) {
            return;
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!("still at {} instead of {expected}", browser.path().await);
}

/// Sets a field's value directly (a `datetime-local` field takes typing by locale).
async fn set_value(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).value = arguments[1]; return true;",
            vec![json!(css), json!(value)],
        )
        .await
        .expect("set the value");
}

async fn choose(browser: &Browser, css: &str, value: &str) {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .expect("a select")
        .select_by_value(value)
        .await
        .expect("an option");
}

fn text(app: &TestApp, sql: &str) -> String {
    use diesel::prelude::*;
    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    diesel::sql_query(sql)
        .get_result::<Text>(&mut *app.conn())
        .unwrap()
        .t
}

async fn organizer_runs_a_fair_from_the_desk(app: TestApp) {
    let (_, token) = app.user("organizer@meja.id", Role::Organizer).await;
    app.organization(&token, "organizer").await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };

    // Sign in: the header links to the desk.
    browser.goto("/sign-in").await;
    browser.fill("#email", "organizer@meja.id").await;
    browser.fill("#password", PASSWORD).await;
    browser.click_and_load("main button[type=submit]").await;
    browser.goto("/desk").await;
    browser.check_page("desk-home").await;

    // Create a fair that started an hour ago (Jakarta, WIB), so that it can be closed today.
    browser.click_and_load("a[href='/desk/events/new']").await;
    browser.check_page("desk-new-fair").await;
    let wib = |at: chrono::DateTime<Utc>| {
        (at + Duration::hours(7))
            .format("%Y-%m-%dT%H:%M")
            .to_string()
    };
    let now = Utc::now();
    browser.fill("#title", "Bursa Kerja Jakarta Timur").await;
    browser.fill("#venue", "GOR Ciracas").await;
    choose(&browser, "#province_code", "31").await;
    browser.fill("#city", "Jakarta Timur").await;
    set_value(&browser, "#starts_at", &wib(now - Duration::hours(1))).await;
    set_value(&browser, "#ends_at", &wib(now + Duration::hours(8))).await;
    browser.fill("#capacity", "500").await;
    browser.fill("#target_placements", "50").await;
    // First without a budget: the error beside the field.
    browser.click_and_load("main button[type=submit]").await;
    assert!(browser.text("#budget_idr-error").await.contains("rupiah"));
    browser.check_error_page("desk-new-fair-errors").await;
    browser.fill("#budget_idr", "Rp 25.000.000").await;
    browser.click_and_load("main button[type=submit]").await;
    wait_for_path(&browser, "/desk/events/").await;
    let event = text(&app, "SELECT id AS t FROM events");
    assert_eq!(browser.text("#fair-status").await, "Draf");
    browser.check_page("desk-hub-draft").await;

    // Publish.
    browser
        .click_and_load(&format!(
            "form[action='/desk/events/{event}/publish'] button"
        ))
        .await;
    assert_eq!(browser.text("#fair-status").await, "Diterbitkan");

    // An employer asks to join; approve it.
    let hr = Employer::new(&app, "hr@meja.id").await;
    app.post(
        &format!("/api/v1/events/{event}/employers"),
        Some(&hr.token),
        json!({"organization_id": hr.company}),
    )
    .await
    .assert(201);
    browser
        .goto(&format!("/desk/events/{event}/employers"))
        .await;
    browser.check_page("desk-employers").await;
    browser
        .click_and_load(&format!(
            "form[action='/desk/events/{event}/employers/{}/approve'] button",
            hr.company
        ))
        .await;
    assert!(browser.body().await.contains("Perusahaan disetujui."));

    // Two people register and apply; the employer reports both hires.
    let vacancy = app
        .post(
            &format!("/api/v1/events/{event}/vacancies"),
            Some(&hr.token),
            vacancy_body(&hr.company, "Operator Forklift"),
        )
        .await
        .assert(201)
        .id();
    let mut placements = Vec::new();
    for (email, name, last4) in [
        ("siti@meja.id", "Siti Rahayu", "0101"),
        ("budi@meja.id", "Budi Santoso", "0102"),
    ] {
        let seeker = Seeker::new(&app, email, name, last4).await;
        seeker.register(&app, &event).await;
        let application = seeker.apply(&app, &vacancy).await;
        let start = (Utc::now() + Duration::days(14)).date_naive().to_string();
        let placement = app
            .post(
                "/api/v1/placements",
                Some(&hr.token),
                json!({
                    "application_id": application, "start_date": start,
                    "salary_idr": 5_000_000, "contract_type": "contract",
                    "occupation_code": "8344"
                }),
            )
            .await
            .assert(201)
            .id();
        placements.push(placement);
    }

    // Search the registrations.
    browser
        .goto(&format!("/desk/events/{event}/registrations"))
        .await;
    browser.fill("#q", "rahayu").await;
    browser.click_and_load("form[role=search] button").await;
    let table = browser.text("#registrations").await;
    assert!(
        table.contains("Siti Rahayu") && table.contains("••••0101"),
        "{table}"
    );
    assert!(!table.contains("Budi Santoso"));
    browser.check_page("desk-registrations").await;

    // Verify a placement.
    browser
        .goto(&format!("/desk/events/{event}/placements"))
        .await;
    browser.check_page("desk-placements").await;
    choose(&browser, &format!("#method-{}", placements[0]), "document").await;
    browser
        .click_and_load(&format!(
            "form[action='/desk/placements/{}/verify'] button",
            placements[0]
        ))
        .await;
    assert!(browser.body().await.contains("Penempatan diverifikasi."));
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT status AS t FROM placements WHERE id = '{}'",
                placements[0]
            )
        ),
        "verified"
    );

    // A confirmation link for the other: QR code and URL.
    browser
        .click_and_load(&format!(
            "form[action='/desk/placements/{}/confirmation-link'] button",
            placements[1]
        ))
        .await;
    assert!(browser.client.find(Locator::Css("svg.qr")).await.is_ok());
    let url = browser
        .client
        .find(Locator::Css("#link-url"))
        .await
        .expect("the link")
        .prop("value")
        .await
        .expect("its value")
        .unwrap_or_default();
    assert!(url.contains("/placement-confirmations/"), "{url}");
    browser.check_page("desk-confirmation-link").await;

    // Close with the real spending.
    browser.goto(&format!("/desk/events/{event}")).await;
    browser.fill("#spent-input", "Rp 21.750.000").await;
    browser
        .click_and_load(&format!("form[action='/desk/events/{event}/close'] button"))
        .await;
    assert_eq!(browser.text("#fair-status").await, "Ditutup");
    assert_eq!(browser.text("#spent").await, "Rp21.750.000");
    browser.check_page("desk-hub-closed").await;

    // The figures.
    browser.goto(&format!("/desk/events/{event}/metrics")).await;
    let figures = browser.text("#figures").await;
    assert!(figures.contains("Rp21.750.000"), "{figures}");
    browser.check_page("desk-metrics").await;
    browser.close().await;
}
