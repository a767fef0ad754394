//! The hire confirmation page in a real browser: the job seeker confirms one hire and disputes
//! another through the links staff hand over, without an account; a used link says so.

use chrono::Duration;
use serde_json::json;

use crate::browser::Browser;
use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{HiringFair, Seeker};

db_tests!(confirm_one_hire_and_dispute_another_through_their_links);

/// A reported hire of a new applicant at `f`, and the path of its confirmation link.
pub(crate) async fn reported_hire(
    app: &TestApp,
    f: &HiringFair,
    email: &str,
    last4: &str,
) -> (String, String) {
    let seeker = Seeker::new(app, email, "Siti Rahayu", last4).await;
    seeker.registered(app, &f.event, Some(&f.organizer_id));
    let application = seeker.apply(app, &f.vacancy).await;
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
    let issued = app
        .post(
            &format!("/api/v1/placements/{placement}/confirmation-link"),
            Some(&f.organizer),
            json!({}),
        )
        .await
        .assert(201)
        .body
        .clone();
    let url = issued["url"].as_str().unwrap();
    let path = &url[url
        .find("/placement-confirmations/")
        .expect("the page's path")..];
    (placement, path.to_owned())
}

pub(crate) fn status(app: &TestApp, placement: &str) -> String {
    use bursa::db::schema::placements;
    use diesel::prelude::*;
    placements::table
        .find(placement)
        .select(placements::status)
        .first(&mut *app.conn())
        .unwrap()
}

async fn confirm_one_hire_and_dispute_another_through_their_links(app: TestApp) {
    let f = HiringFair::new(&app, "confirm").await;
    let (first, first_link) = reported_hire(&app, &f, "siti@confirm.id", "0002").await;
    let (second, second_link) = reported_hire(&app, &f, "ayu@confirm.id", "0004").await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };

    // The claim, in Indonesian, with the start date and salary written as people write them.
    browser.goto(&first_link).await;
    assert_eq!(browser.text("h1").await, "Benarkah Anda diterima bekerja?");
    let body = browser.text("main").await;
    assert!(body.contains("Forklift Operator"), "{body}");
    assert!(body.contains("Rp5.200.000"), "{body}");
    browser.check_page("confirm").await;
    browser.click_and_load("#confirm").await;
    assert_eq!(
        browser.text("h1").await,
        "Terima kasih, penempatan Anda tercatat"
    );
    browser.check_page("confirm-done").await;
    assert_eq!(status(&app, &first), "confirmed");

    // The link works once.
    browser.goto(&first_link).await;
    assert_eq!(browser.text("h1").await, "Tautan ini sudah dipakai");
    browser.check_error_page("confirm-used").await;

    // A dispute needs a reason: without one the page says so and nothing changes.
    browser.goto(&second_link).await;
    browser.click_and_load("#dispute").await;
    let error = browser.text("#reason-error").await;
    assert!(
        error.starts_with("Tuliskan apa yang tidak benar"),
        "{error}"
    );
    assert_eq!(status(&app, &second), "reported");
    browser.check_error_page("dispute-missing-reason").await;
    browser
        .fill("#reason", "Saya tidak pernah bekerja di perusahaan ini.")
        .await;
    browser.click_and_load("#dispute").await;
    assert_eq!(
        browser.text("h1").await,
        "Terima kasih, laporan Anda kami terima"
    );
    assert_eq!(status(&app, &second), "disputed");
    browser.close().await;
    app.assert_kept_figures();
}
