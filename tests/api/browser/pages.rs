//! The public pages in a real browser: what a visitor on a phone sees.

use crate::browser::Browser;
use crate::common::TestApp;
use crate::db_tests;

db_tests!(home_page_in_indonesian_then_english);

async fn home_page_in_indonesian_then_english(app: TestApp) {
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/").await;
    assert_eq!(browser.text("h1").await, "Temukan pekerjaan di bursa kerja");
    browser.check_page("home").await;

    // The visible switch, a plain link: English from now on, back on the same page.
    browser.click_and_load("a[lang=en]").await;
    assert_eq!(browser.path().await, "/");
    assert_eq!(browser.text("h1").await, "Find work at a job fair");
    let lang = browser
        .client
        .execute("return document.documentElement.lang;", vec![])
        .await
        .unwrap();
    assert_eq!(lang, "en");
    browser.check_page("home-en").await;

    // An unknown page is a friendly page, not JSON.
    browser.goto("/no-such-page").await;
    assert_eq!(browser.text("h1").await, "Page not found");
    browser.check_error_page("not-found").await;
    browser.close().await;
}
