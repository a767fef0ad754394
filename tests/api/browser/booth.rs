//! The employer's booth in a real browser at phone size: sign in, join a fair, post a vacancy
//! choosing its occupation by search, record a candidate by ticket code, move the stages,
//! report a hire, upload a CSV and read its row report, see the figures and the badges; each
//! page audited (`check_page`).

use std::time::Duration as Wait;

use chrono::{Duration, Utc};
use fantoccini::Locator;
use serde_json::json;

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{check_in, Employer, Fair, Seeker};

db_tests!(an_employer_runs_a_booth);

async fn wait_for_path(browser: &Browser, expected: &str) {
    for _ in 0..100 {
        if browser.path().await.starts_with(expected) {
            return;
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!("still at {} instead of {expected}", browser.path().await);
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

/// A checked-in attendee of the fair: their ticket code.
async fn attendee(app: &TestApp, fair: &Fair, email: &str, last4: &str) -> String {
    let seeker = Seeker::new(app, email, "Siti Rahayu", last4).await;
    let code = seeker.register(app, &fair.event).await;
    check_in(app, &fair.event, &fair.organizer, &code).await;
    code
}

fn only_vacancy(app: &TestApp) -> String {
    use bursa::db::schema::vacancies;
    use diesel::prelude::*;
    vacancies::table
        .select(vacancies::id)
        .first(&mut *app.conn())
        .expect("a vacancy")
}

async fn an_employer_runs_a_booth(app: TestApp) {
    let fair = Fair::by(&app, "organizer@browserbooth.id")
        .running()
        .published()
        .await;
    let hr = Employer::new(&app, "hr@browserbooth.id").await;
    let first = attendee(&app, &fair, "a@browserbooth.id", "0041").await;
    let second = attendee(&app, &fair, "b@browserbooth.id", "0042").await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };

    browser.goto("/sign-in").await;
    browser.fill("#email", "hr@browserbooth.id").await;
    browser.fill("#password", PASSWORD).await;
    browser.click_and_load("main button[type=submit]").await;

    // Join the fair from the booth.
    browser.goto("/booth").await;
    browser.check_page("booth-home").await;
    browser
        .fill(&format!("#booth-{}-{}", hr.company, fair.event), "A12")
        .await;
    browser
        .click_and_load("ul.fairs form button[type=submit]")
        .await;
    let booth = format!("/booth/{}/fairs/{}", hr.company, fair.event);
    wait_for_path(&browser, &booth).await;
    assert!(browser.body().await.contains("Menunggu persetujuan"));
    browser.check_page("booth-fair-pending").await;
    app.post(
        &format!(
            "/api/v1/events/{}/employers/{}/approve",
            fair.event, hr.company
        ),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);

    // Post a vacancy, its occupation found by search.
    browser.goto(&booth).await;
    browser.check_page("booth-fair").await;
    browser.click_and_load("nav a.button").await;
    browser.fill("#occupation_q", "lifting truck").await;
    browser
        .click_and_load("form.occupation-search button")
        .await;
    browser.check_page("booth-vacancy-search").await;
    browser.click("#occupation-8344").await;
    browser.fill("#title", "Operator Forklift").await;
    browser.fill("#openings", "2").await;
    choose(&browser, "#employment_type", "contract").await;
    choose(&browser, "#location_province_code", "31").await;
    browser.fill("#location_city", "Jakarta Utara").await;
    browser
        .click_and_load("form[method=post] > p > button[type=submit]")
        .await;
    wait_for_path(&browser, &booth).await;
    assert!(browser
        .body()
        .await
        .contains("8344 · Lifting truck operators"));
    let vacancy = only_vacancy(&app);

    // Record a candidate by the code, typed carelessly; move them one stage.
    browser
        .goto(&format!("/booth/vacancies/{vacancy}/applicants"))
        .await;
    browser.check_page("booth-applicants-empty").await;
    browser
        .fill("#check_in_code", &first.replace('-', " ").to_lowercase())
        .await;
    browser
        .click_and_load("form.record-candidate button[type=submit]")
        .await;
    assert!(browser.body().await.contains("Kandidat sudah dicatat"));
    browser.click_and_load("form.move button").await;
    assert_eq!(app.count("applications"), 1);
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM applications WHERE status = 'shortlisted'"),
        1
    );
    let history = browser.text("li.applicant ol.history").await;
    assert_eq!(history.matches("WIB").count(), 2, "{history}");
    browser.check_page("booth-applicants").await;

    // Report the hire of the first, one by one.
    browser.goto(&format!("{booth}/hires")).await;
    browser.check_page("booth-hires").await;
    let start = (Utc::now() + Duration::days(7)).date_naive().to_string();
    browser.fill("#candidate", &first).await;
    choose(&browser, "#vacancy", &vacancy).await;
    browser
        .client
        .execute(
            "document.querySelector('#start_date').value = arguments[0]; return true;",
            vec![json!(start)],
        )
        .await
        .expect("set the date");
    browser.fill("#salary", "4.500.000").await;
    browser
        .click_and_load("section[aria-labelledby=one-heading] button[type=submit]")
        .await;
    assert!(browser.body().await.contains("sudah dilaporkan"));
    assert_eq!(app.count("placements"), 1);

    // Upload a CSV with the second, and a row that is refused.
    let dir = tempfile::tempdir().expect("a folder");
    let file = dir.path().join("hires.csv");
    std::fs::write(
        &file,
        format!(
            "kode_tiket_atau_nik,lowongan,tanggal_mulai,gaji_rp\n\
             {second},Operator Forklift,{start},4500000\n\
             NOPE-NOPE,Operator Forklift,{start},4500000\n"
        ),
    )
    .expect("the file");
    browser
        .client
        .find(Locator::Css("#file"))
        .await
        .expect("the file field")
        .send_keys(&file.display().to_string())
        .await
        .expect("choose the file");
    browser
        .click_and_load("form[enctype] button[type=submit]")
        .await;
    assert!(browser
        .text(".upload-summary")
        .await
        .contains("Dicatat: 1 · Ditolak: 1"));
    assert!(browser
        .text("table.row-report")
        .await
        .contains("tidak ditemukan"));
    browser.check_page("booth-upload-report").await;
    assert_eq!(app.count("placements"), 2);

    // The figures and the badges.
    browser
        .goto(&format!("/booth/{}/metrics", hr.company))
        .await;
    assert_eq!(browser.text("dd.reported").await, "2");
    browser.check_page("booth-metrics").await;
    browser.goto(&format!("{booth}/badges")).await;
    assert!(browser
        .client
        .find(Locator::Css("li.badge svg.qr"))
        .await
        .is_ok());
    browser.check_page("booth-badges").await;
    browser.close().await;
}
