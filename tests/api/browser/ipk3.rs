//! Ministry staff reach the IPK III report in a real browser at phone size: from the desk's
//! reports and from the dashboard's downloads, to the form; they pick a province and a semester,
//! and the form's answer is a real XLSX workbook (its sheets read back) of that province and
//! semester. Every page is checked (axe-core, console, weight) on the way.
//!
//! The figures are those of the dashboard's scenario (`dashboard_pages::scenario`): in Papua
//! Tengah (94), semester 1 of 2026, one fair (E2, 15 February), one job seeker registered and
//! placed, one vacancy of two openings.

use std::time::Duration as Wait;

use calamine::{Reader, Xlsx};
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::dashboard_pages::scenario;
use crate::db_tests;

db_tests!(ministry_staff_follow_the_link_and_download_the_ipk3_report);

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

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
        .unwrap_or_else(|e| panic!("no {css}: {e}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|e| panic!("no option {value} in {css}: {e}"));
}

async fn ministry_staff_follow_the_link_and_download_the_ipk3_report(app: TestApp) {
    let _ = scenario(&app).await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/sign-in").await;
    browser.fill("#email", "analis@kemnaker.go.id").await;
    browser.fill("#password", PASSWORD).await;
    browser.click_and_load("main button[type=submit]").await;

    // The desk lists the report among its reports.
    browser.click_and_load("header a[href='/desk']").await;
    wait_for_path(&browser, "/desk").await;
    browser.check_page("desk-reports").await;
    browser
        .click_and_load("#reports a[href='/reports/ipk3']")
        .await;
    wait_for_path(&browser, "/reports/ipk3").await;

    // And so does the dashboard, under its downloads: the link followed from there.
    browser.click_and_load("header a[href='/dashboard']").await;
    wait_for_path(&browser, "/dashboard").await;
    browser.click_and_load("#ipk3-link a").await;
    wait_for_path(&browser, "/reports/ipk3").await;
    assert!(browser
        .text("h1")
        .await
        .contains("Laporan informasi pasar kerja (IPK III)"));
    // Ministry staff count every organizer's fairs: no note that only their own count.
    assert!(!browser
        .body()
        .await
        .contains("Hanya bursa kerja organisasi"));
    browser.check_page("reports-ipk3").await;

    // Pick the province and the semester; the file's language stays the page's.
    choose(&browser, "#province_code", "94").await;
    choose(&browser, "#semester", "2026-1").await;
    assert_eq!(
        browser
            .client
            .find(Locator::Css("#lang"))
            .await
            .expect("the language")
            .prop("value")
            .await
            .expect("its value")
            .as_deref(),
        Some("id")
    );

    // What the form submits, fetched by the page with its session (a download does not load
    // a page the browser could be asked about): the status, the headers and every byte.
    let answer = browser
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1];
             var form = document.getElementById('ipk3-form');
             var url = form.action + '?' + new URLSearchParams(new FormData(form));
             fetch(url).then(function (r) { return r.arrayBuffer().then(function (b) {
               done([r.status, r.headers.get('content-type'), r.headers.get('content-disposition'),
                     url, Array.from(new Uint8Array(b))]); }); })
               .catch(function (e) { done([0, String(e)]); });",
            vec![],
        )
        .await
        .expect("the download");
    assert_eq!(answer[0], json!(200), "{}", answer[1]);
    assert_eq!(answer[1], json!(XLSX_TYPE));
    let disposition = answer[2].as_str().unwrap_or_default();
    assert!(
        disposition.starts_with("attachment") && disposition.contains(".xlsx"),
        "{disposition}"
    );
    let url = answer[3].as_str().unwrap_or_default();
    assert!(
        url.ends_with("/reports/ipk3/download?province_code=94&semester=2026-1&lang=id"),
        "{url}"
    );
    let bytes: Vec<u8> = answer[4]
        .as_array()
        .expect("the bytes")
        .iter()
        .map(|b| {
            b.as_u64()
                .and_then(|b| u8::try_from(b).ok())
                .expect("a byte")
        })
        .collect();
    // A ZIP container (what an XLSX is), read back as a workbook.
    assert_eq!(&bytes[..4], b"PK\x03\x04");
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).expect("an XLSX workbook");
    assert_eq!(
        book.sheet_names(),
        [
            "Ringkasan",
            "Umur dan jenis kelamin",
            "Pendidikan",
            "Golongan jabatan",
            "Catatan"
        ]
    );
    let summary = book.worksheet_range("Ringkasan").expect("the summary");
    let row: Vec<String> = summary
        .rows()
        .nth(1)
        .expect("the summary's row")
        .iter()
        .map(ToString::to_string)
        .collect();
    assert_eq!(row[0], "94");
    assert_eq!(row[1], "Papua Tengah");
    assert_eq!(row[2], "2026-1");
    assert_eq!(row[5], "all");
    // One fair; one registered, one placed; one vacancy of two openings; one placement.
    assert_eq!(row[6..], ["1", "1", "1", "1", "2", "1"]);

    // A form sent without a province comes back with the mistake beside the field, and the
    // page with the mistake is as accessible as the form.
    browser
        .client
        .execute(
            "document.getElementById('province_code').value = ''; return true;",
            vec![],
        )
        .await
        .expect("clear the province");
    browser.click_and_load("#ipk3-download").await;
    wait_for_path(&browser, "/reports/ipk3/download").await;
    assert!(browser
        .text("#province_code-error")
        .await
        .contains("Pilih salah satu provinsi."));
    let invalid: Value = browser
        .client
        .execute(
            "return document.getElementById('province_code').getAttribute('aria-invalid');",
            vec![],
        )
        .await
        .expect("aria-invalid");
    assert_eq!(invalid, json!("true"));
    browser.check_error_page("reports-ipk3-error").await;
    browser.close().await;
}
