//! The public fair pages in a real browser: find a fair by province, open it, see who hires,
//! then read a closed fair's scorecard.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::browser::Browser;
use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{Employer, Fair};

db_tests!(a_visitor_finds_a_fair_by_province_and_reads_a_scorecard);

/// Waits until the browser shows a page whose path starts with `path` (a click does not wait
/// for the next page), then until that page has loaded.
async fn wait_for(browser: &Browser, path: &str) {
    for _ in 0..100 {
        if browser.path().await.starts_with(path) {
            let ready = browser
                .client
                .execute("return document.readyState;", vec![])
                .await
                .unwrap();
            if ready == "complete" {
                return;
            }
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("the browser never reached {path}: {}", browser.path().await);
}

async fn a_visitor_finds_a_fair_by_province_and_reads_a_scorecard(app: TestApp) {
    let soon = Utc::now() + Duration::days(10);
    let jakarta = Fair::by(&app, "organizer@journey.id")
        .with(json!({"title": "Bursa Kerja Jakarta"}))
        .starting(soon, 8)
        .published()
        .await;
    let bali = jakarta
        .another(&app)
        .with(
            json!({"title": "Bursa Kerja Bali", "province_code": "51", "city": "Denpasar",
                     "description": "Hari pertama: ritel.\nHari kedua: pariwisata."}),
        )
        .starting(soon + Duration::days(3), 8)
        .published()
        .await;
    let hr = Employer::at(&app, &bali, "hr@journey.id", true).await;
    hr.vacancy(&app, &bali, json!({"title": "Resepsionis Hotel"}))
        .await;
    let closed = jakarta
        .another(&app)
        .with(json!({"title": "Bursa Kerja Desember"}))
        .published()
        .await;
    app.post(
        &format!("/api/v1/events/{}/close", closed.event),
        Some(&closed.organizer),
        json!({"spent_idr": 90_000_000_i64, "notes": "selesai"}),
    )
    .await
    .assert(200);

    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/events").await;
    assert_eq!(browser.text("h1").await, "Bursa kerja mendatang");
    assert!(browser.body().await.contains("Bursa Kerja Jakarta"));
    browser.check_page("events").await;

    // Filter by province: a GET form, the filter lands in the address.
    browser.click("#province option[value='51']").await;
    browser.click("form.filters button[type=submit]").await;
    wait_for(&browser, "/events?province=51").await;
    let body = browser.body().await;
    assert!(body.contains("Bursa Kerja Bali"), "{body}");
    assert!(!body.contains("Bursa Kerja Jakarta"), "{body}");
    browser.check_page("events-bali").await;

    browser
        .click(&format!("a[href='/events/{}']", bali.event))
        .await;
    wait_for(&browser, &format!("/events/{}", bali.event)).await;
    assert_eq!(browser.text("h1").await, "Bursa Kerja Bali");
    assert!(browser.text("ul.employers").await.contains("employer org"));
    assert!(browser
        .text("ul.vacancies")
        .await
        .contains("Resepsionis Hotel"));
    assert!(browser.text("dl.facts").await.contains("WITA"));
    browser.check_page("event").await;

    browser.goto(&format!("/events/{}", closed.event)).await;
    browser
        .click(&format!("a[href='/events/{}/scorecard']", closed.event))
        .await;
    wait_for(&browser, &format!("/events/{}/scorecard", closed.event)).await;
    assert_eq!(browser.text("h1").await, "Hasil Bursa Kerja Desember");
    assert!(browser.text("dl.figures").await.contains("Rp90.000.000"));
    browser.check_page("scorecard").await;
    browser.close().await;
}
