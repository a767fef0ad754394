//! The follow-up page in a real browser: the employer, signed in through the site, follows the
//! reminder's link (`/placements/{id}/follow-ups`), is told what is missing, then records a
//! check; each page passes the accessibility and console checks on a phone-sized screen.

use chrono::{Duration, Utc};

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{rows, HiringFair, Seeker};

db_tests!(the_employer_records_a_follow_up_from_the_reminder_link);

async fn the_employer_records_a_follow_up_from_the_reminder_link(app: TestApp) {
    let f = HiringFair::new(&app, "pantau").await;
    let siti = Seeker::new(&app, "siti@pantau.id", "Siti Rahayu", "0001").await;
    let application = rows::application(&app, &f.vacancy, &siti.id, &siti.user_id, &["hired"]);
    let placement = rows::placement(
        &app,
        rows::Placement {
            event: &f.event,
            application: &application,
            vacancy: &f.vacancy,
            seeker: &siti.id,
            company: &f.company,
            reported_by: &f.employer_id,
            status: "verified",
            start: Utc::now().date_naive() - Duration::days(95),
        },
        &[],
    );
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    let link = format!("/placements/{placement}/follow-ups");
    let query = serde_urlencoded::to_string([("next", link.as_str())]).unwrap();
    browser.goto(&format!("/sign-in?{query}")).await;
    browser.fill("#email", "hr@pantau.id").await;
    browser.fill("#password", PASSWORD).await;
    browser.click_and_load("main button[type=submit]").await;
    assert_eq!(browser.path().await, link);
    assert_eq!(browser.text("h1").await, "Pemantauan penempatan kerja");
    browser.check_page("follow-up").await;

    // Sent without an answer: told beside the question, nothing recorded.
    browser.click_and_load("#save-follow-up").await;
    assert_eq!(
        browser.text("#employed-error").await,
        "Pilih Ya atau Tidak."
    );
    browser.check_error_page("follow-up-missing-answer").await;
    assert_eq!(app.count("follow_ups"), 0);

    browser.click("#employed-yes").await;
    browser.click("#same-yes").await;
    browser.click_and_load("#save-follow-up").await;
    browser
        .wait_for_text(".notice.ok", "Catatan pemantauan disimpan")
        .await;
    let table = browser.text("#follow-ups").await;
    assert!(
        table.contains("Masih bekerja di pemberi kerja yang sama"),
        "{table}"
    );
    assert!(table.contains("90 hari"), "{table}");
    browser.check_page("follow-up-saved").await;
    assert_eq!(app.count("follow_ups"), 1);
    browser.close().await;
}
