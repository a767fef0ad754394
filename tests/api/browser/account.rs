//! The account pages in a real browser: sign up, the emailed verification link, and a
//! forgotten password, each link taken from the real outbox.

use bursa::auth::Role;

use crate::account_pages::emailed_link;
use crate::browser::Browser;
use crate::common::TestApp;
use crate::db_tests;

db_tests!(
    sign_up_then_verify_the_email_address,
    forgot_password_then_sign_in_with_the_new_one,
);

async fn sign_up_then_verify_the_email_address(app: TestApp) {
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/sign-up").await;
    assert_eq!(browser.text("h1").await, "Buat akun Anda");
    browser.check_page("sign-up").await;
    browser.fill("#full_name", "Siti Rahayu").await;
    browser.fill("#email", "siti@example.id").await;
    browser.fill("#password", "short").await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_text("#password-error", "minimal 10").await;
    browser.check_error_page("sign-up-errors").await;
    browser.fill("#password", "a-long-enough-password").await;
    browser.click("main button[type=submit]").await;
    wait_for_path(&browser, "/me").await;
    assert_eq!(browser.text("#me-name").await, "Siti Rahayu");
    assert_eq!(browser.text("#me-verified").await, "Belum dikonfirmasi");
    browser.check_page("me").await;

    browser
        .goto(&emailed_link(&app, "siti@example.id", "/verify-email"))
        .await;
    assert_eq!(browser.text("h1").await, "Konfirmasi alamat email Anda");
    browser.check_page("verify-email").await;
    browser.click("main button[type=submit]").await;
    browser
        .wait_for_text("h1", "Alamat email terkonfirmasi")
        .await;
    browser.check_page("verify-email-done").await;
    browser.click("main a.button").await;
    wait_for_path(&browser, "/me").await;
    assert_eq!(browser.text("#me-verified").await, "Sudah dikonfirmasi");
    assert_eq!(
        app.number(
            "SELECT COUNT(*) AS n FROM users WHERE email = 'siti@example.id' \
             AND email_verified_at IS NOT NULL"
        ),
        1
    );
    browser.close().await;
}

async fn forgot_password_then_sign_in_with_the_new_one(app: TestApp) {
    app.user("rina@example.id", Role::JobSeeker).await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/sign-in").await;
    browser.check_page("sign-in").await;
    browser.click("main a[href='/forgot-password']").await;
    browser.check_page("forgot-password").await;
    browser.fill("#email", "rina@example.id").await;
    browser.click("main button[type=submit]").await;
    browser.wait_for_text(".notice.ok", "Jika ada akun").await;
    browser.check_page("forgot-password-sent").await;

    browser
        .goto(&emailed_link(&app, "rina@example.id", "/reset-password"))
        .await;
    browser.check_page("reset-password").await;
    browser.fill("#password", "a-brand-new-password").await;
    browser.fill("#confirm", "a-brand-new-password").await;
    browser.click("main button[type=submit]").await;
    wait_for_path(&browser, "/sign-in?reset=1").await;
    browser.check_page("sign-in-after-reset").await;
    browser.fill("#email", "rina@example.id").await;
    browser.fill("#password", "a-brand-new-password").await;
    browser.click("main button[type=submit]").await;
    wait_for_path(&browser, "/me").await;
    assert_eq!(browser.text("#me-email").await, "rina@example.id");
    assert_eq!(app.count("web_sessions"), 1);
    browser.close().await;
}

/// Waits for the navigation a form's submit started.
async fn wait_for_path(browser: &Browser, expected: &str) {
    for _ in 0..50 {
        if browser.path().await == expected {
            return;
        }
        actix_web::rt::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(browser.path().await, expected);
}
