//! The door scanner in a real browser at phone size: the pass arrives in the address's fragment,
//! the check-in list downloads, the network goes (Chromium's network emulation), codes typed by
//! hand are decided against the list and queued, the network returns and the queue uploads;
//! each person is checked in once at the time of their scan, and a replay changes nothing. The
//! camera is not driven here (a headless browser has none): scan.js's decoder is the vendored
//! jsQR, and a scan from it takes the same path as a typed code.
//! Also: the pass page, and that the page's code normalisation agrees with the server's.

use std::time::Duration as Wait;

use bursa::db::schema::{audit_log, door_scans, registrations};
use bursa::registrations::codes::{code_hash, normalize_code};
use chrono::{DateTime, NaiveDateTime, Utc};
use diesel::prelude::*;
use fantoccini::wd::WebDriverCompatibleCommand;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{check_in, Fair, Seeker};

db_tests!(the_scanner_works_offline_and_uploads_each_scan_once);

/// ChromeDriver's network emulation (`POST /session/{id}/chromium/network_conditions`).
#[derive(Debug)]
struct NetworkConditions {
    offline: bool,
}

impl WebDriverCompatibleCommand for NetworkConditions {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/chromium/network_conditions",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"network_conditions": {
            "offline": self.offline, "latency": 0,
            "download_throughput": -1, "upload_throughput": -1,
        }});
        (http::Method::POST, Some(body.to_string()))
    }
}

async fn set_offline(browser: &Browser, offline: bool) {
    browser
        .client
        .issue_cmd(NetworkConditions { offline })
        .await
        .expect("network conditions");
}

async fn attribute(browser: &Browser, css: &str, name: &str) -> Option<String> {
    let value = browser
        .client
        .execute(
            "var el = document.querySelector(arguments[0]); \
             return el ? el.getAttribute(arguments[1]) : null;",
            vec![json!(css), json!(name)],
        )
        .await
        .unwrap_or_default();
    value.as_str().map(str::to_owned)
}

/// Waits (up to `seconds`) until `css`'s attribute `name` is `expected`.
async fn wait_for_attribute(
    browser: &Browser,
    css: &str,
    name: &str,
    expected: &str,
    seconds: u64,
) {
    for _ in 0..seconds * 10 {
        if attribute(browser, css, name).await.as_deref() == Some(expected) {
            return;
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!(
        "{css}[{name}] is {:?}, not {expected}: {}",
        attribute(browser, css, name).await,
        browser.body().await
    );
}

/// Types `code` into the scanner: its verdict (`admitted`, `already`, `wrong`…) and what the
/// result region says.
async fn scan(browser: &Browser, code: &str) -> (String, String) {
    browser
        .client
        .execute(
            "document.getElementById('door-result').removeAttribute('data-verdict');",
            vec![],
        )
        .await
        .expect("reset");
    browser.fill("#door-code", code).await;
    browser.click("#door-check").await;
    for _ in 0..50 {
        if let Some(verdict) = attribute(browser, "#door-result", "data-verdict").await {
            return (verdict, browser.text("#door-result").await);
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!("no verdict for {code}");
}

/// A code as a person might type it: lower case, its 0s and 1s as the letters o and l.
fn sloppy(code: &str) -> String {
    code.to_lowercase().replace('0', "o").replace('1', "l")
}

fn checked_in_at(app: &TestApp, code: &str) -> Option<NaiveDateTime> {
    registrations::table
        .filter(registrations::check_in_code.eq(code))
        .select(registrations::checked_in_at)
        .first(&mut *app.conn())
        .unwrap()
}

fn attendees(app: &TestApp, event: &str) -> i64 {
    app.attendees(event)
}

#[track_caller]
fn near(stored: Option<NaiveDateTime>, scanned: DateTime<Utc>) {
    let stored = stored.expect("checked in").and_utc();
    let off = (stored - scanned).num_milliseconds().abs();
    assert!(off <= 2000, "checked in at {stored}, scanned at {scanned}");
}

async fn the_scanner_works_offline_and_uploads_each_scan_once(mut app: TestApp) {
    let fair = Fair::by(&app, "organizer@doorscan.id")
        .running()
        .published()
        .await;
    let other = Fair::by(&app, "other@doorscan.id")
        .running()
        .published()
        .await;
    let mut codes = Vec::new();
    for (i, name) in ["Ayu Lestari", "Budi Santoso", "Citra Dewi", "Dodi Pratama"]
        .into_iter()
        .enumerate()
    {
        let seeker = Seeker::new(
            &app,
            &format!("s{i}@doorscan.id"),
            name,
            &format!("{:04}", i + 1),
        )
        .await;
        codes.push(seeker.register(&app, &fair.event).await);
    }
    let (ayu, budi, citra, dodi) = (&codes[0], &codes[1], &codes[2], &codes[3]);
    // Dodi is in already (scanned at another door).
    check_in(&app, &fair.event, &fair.organizer, dodi).await;
    let elsewhere = Seeker::new(&app, "eka@doorscan.id", "Eka Putri", "0009")
        .await
        .register(&app, &other.event)
        .await;
    let pass = app
        .post(
            &format!("/api/v1/events/{}/door-passes", fair.event),
            Some(&fair.organizer),
            json!({"label": "Gate A"}),
        )
        .await
        .assert(201)
        .body["token"]
        .as_str()
        .unwrap()
        .to_owned();

    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    // The pass travels in the fragment, is kept on the device and leaves the address bar.
    browser
        .goto(&format!("/door#event={}&pass={pass}", fair.event))
        .await;
    wait_for_attribute(&browser, "#door", "data-ready", "", 15).await;
    wait_for_attribute(&browser, "#door", "data-list", "4", 5).await;
    let address = browser.client.current_url().await.expect("url").to_string();
    assert!(!address.contains("bdp_"), "{address}");
    let kept = browser
        .client
        .execute("return localStorage.getItem('bursa-door-pass');", vec![])
        .await
        .unwrap();
    assert!(kept.as_str().unwrap_or_default().contains(&pass));
    assert!(browser.text("#door-list").await.contains("4 pendaftar"));

    // The page's normalisation and hash are the server's.
    let samples = vec![
        sloppy(ayu),
        format!(" {} ", budi.replace('-', " ")),
        "7kq2-m9xd 4rtb-h0va".to_owned(),
        "0o1iIlL".to_owned(),
        "a_b-c\t".to_owned(),
        "ÄbÇ-ıi".to_owned(),
        "\u{a0}7kq2\u{2003}m9xd\r\n".to_owned(),
    ];
    let in_page = browser
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1]; var codes = arguments[0]; \
             Promise.all(codes.map(BursaDoor.codeHash)).then(function (hashes) { \
               done({normalized: codes.map(BursaDoor.normalizeCode), hashes: hashes}); });",
            vec![json!(samples)],
        )
        .await
        .expect("the page's normalisation");
    for (i, sample) in samples.iter().enumerate() {
        assert_eq!(
            in_page["normalized"][i],
            normalize_code(sample),
            "{sample:?}"
        );
        assert_eq!(in_page["hashes"][i], code_hash(sample), "{sample:?}");
    }

    // Online: a wrong fair's code, and the page as it is.
    let (verdict, said) = scan(&browser, &elsewhere).await;
    assert_eq!(verdict, "wrong", "{said}");
    assert!(said.contains("Bukan bursa ini"), "{said}");
    wait_for_attribute(&browser, "#door", "data-queue", "0", 10).await;
    browser.check_page("door-scanner").await;

    // The network goes.
    set_offline(&browser, true).await;
    let ayu_at = Utc::now();
    let (verdict, said) = scan(&browser, &sloppy(ayu)).await;
    assert_eq!(verdict, "admitted", "{said}");
    assert!(
        said.contains("Silakan masuk") && said.contains("Ayu L."),
        "{said}"
    );
    actix_web::rt::time::sleep(Wait::from_millis(1500)).await;
    let budi_at = Utc::now();
    let (verdict, said) = scan(&browser, &budi.replace('-', " ")).await;
    assert_eq!(verdict, "admitted", "{said}");
    assert!(said.contains("Budi S."), "{said}");
    // Twice at the door offline: the second is "already in", and is not queued.
    let (verdict, said) = scan(&browser, ayu).await;
    assert_eq!(verdict, "already", "{said}");
    assert!(
        said.contains("Sudah masuk") && said.contains("Ayu L."),
        "{said}"
    );
    let (verdict, said) = scan(&browser, dodi).await;
    assert_eq!(verdict, "already", "{said}");
    assert!(said.contains("Dodi P."), "{said}");
    let (verdict, _) = scan(&browser, &elsewhere).await;
    assert_eq!(verdict, "wrong");
    wait_for_attribute(&browser, "#door", "data-queue", "3", 5).await;
    assert!(browser.text("#door-queue").await.contains("3 pindaian"));
    // Nothing reached the server.
    assert_eq!(checked_in_at(&app, ayu), None);
    assert_eq!(checked_in_at(&app, budi), None);
    assert_eq!(attendees(&app, &fair.event), 1);

    // The network returns: the queue uploads by itself.
    set_offline(&browser, false).await;
    wait_for_attribute(&browser, "#door", "data-queue", "0", 45).await;
    near(checked_in_at(&app, ayu), ayu_at);
    near(checked_in_at(&app, budi), budi_at);
    assert_eq!(checked_in_at(&app, citra), None);
    assert_eq!(attendees(&app, &fair.event), 3);

    // The same uploads again through the API: the same answers, nothing counted twice.
    let stored: Vec<(String, String, Option<String>, NaiveDateTime)> = door_scans::table
        .filter(door_scans::event_id.eq(&fair.event))
        .select((
            door_scans::client_id,
            door_scans::status,
            door_scans::registration_id,
            door_scans::scanned_at,
        ))
        .load(&mut *app.conn())
        .unwrap();
    assert_eq!(stored.len(), 4, "{stored:?}");
    let code_of = |registration: &Option<String>| -> String {
        let Some(id) = registration else {
            return elsewhere.clone();
        };
        registrations::table
            .find(id)
            .select(registrations::check_in_code)
            .first(&mut *app.conn())
            .unwrap()
    };
    let scans: Vec<Value> = stored
        .iter()
        .map(|(client_id, _, registration, at)| {
            json!({"client_id": client_id, "check_in_code": code_of(registration),
                   "scanned_at": at.and_utc().to_rfc3339()})
        })
        .collect();
    let checked = |app: &TestApp| (checked_in_at(app, ayu), checked_in_at(app, budi));
    let before = (checked(&app), attendees(&app, &fair.event));
    let audited = || -> i64 {
        app.seal_audit();
        audit_log::table
            .filter(audit_log::event_id.eq(&fair.event))
            .count()
            .get_result(&mut *app.conn())
            .unwrap()
    };
    let audit_before = audited();
    let replay = app
        .post(
            &format!("/api/v1/events/{}/check-ins/batch", fair.event),
            Some(&pass),
            json!({ "scans": scans }),
        )
        .await;
    replay.assert(200);
    for (result, (client_id, status, registration, _)) in replay.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&stored)
    {
        assert_eq!(result["client_id"], client_id.as_str());
        assert_eq!(result["status"], status.as_str());
        assert_eq!(result["registration_id"].as_str(), registration.as_deref());
    }
    assert_eq!((checked(&app), attendees(&app, &fair.event)), before);
    assert_eq!(audited(), audit_before);

    // A walk-in, online: a field missing is marked beside it; then registered and in.
    browser.click("#door-walk-in-submit").await;
    browser
        .wait_for_text("#door-walk-in-result", "Periksa isian")
        .await;
    assert_eq!(
        attribute(&browser, "#wi-full_name", "aria-invalid")
            .await
            .as_deref(),
        Some("true")
    );
    assert!(browser
        .text("#wi-nik-error")
        .await
        .contains("Periksa isian ini"));
    assert_eq!(attendees(&app, &fair.event), 3);
    browser.fill("#wi-full_name", "Fajar Nugroho").await;
    browser
        .fill("#wi-nik", &crate::fixtures::female_nik("0042"))
        .await;
    browser.fill("#wi-city", "Jakarta Timur").await;
    browser.click("#wi-gender-female").await;
    browser.click("#wi-consent").await;
    browser
        .client
        .execute(
            "document.getElementById('wi-education_level').value = 'smk'; \
             document.getElementById('wi-province_code').value = '31';",
            vec![],
        )
        .await
        .expect("selects");
    browser.click("#door-walk-in-submit").await;
    browser
        .wait_for_text("#door-walk-in-result", "Fajar Nugroho telah didaftarkan")
        .await;
    assert_eq!(attendees(&app, &fair.event), 4);
    // The refused walk-in's 422 is the only error the browser logged.
    let logged = browser.console_errors().await;
    let expected = |e: &String| e.contains("/walk-ins") && e.contains("422");
    assert!(logged.iter().all(expected), "{logged:#?}");

    // The vendored decoder reads a ticket's QR code (the camera itself is not driven
    // here); loaded after the page's weight was checked.
    let svg = bursa::registrations::qr_svg(ayu).expect("a QR code");
    let decoded = browser
        .client
        .execute_async(
            "var done = arguments[arguments.length - 1]; var svg = arguments[0]; \
             var url = document.querySelector('script[data-decoder]').getAttribute('data-decoder'); \
             var tag = document.createElement('script'); tag.src = url; \
             tag.onload = function () { \
               var img = new Image(); \
               img.onload = function () { \
                 var c = document.createElement('canvas'); c.width = 320; c.height = 320; \
                 var g = c.getContext('2d'); g.fillStyle = '#fff'; g.fillRect(0, 0, 320, 320); \
                 g.drawImage(img, 32, 32, 256, 256); \
                 var d = g.getImageData(0, 0, 320, 320); \
                 var found = jsQR(d.data, d.width, d.height); done(found ? found.data : null); }; \
               img.onerror = function () { done('image failed'); }; \
               img.src = 'data:image/svg+xml;base64,' + btoa(svg); }; \
             tag.onerror = function () { done('decoder failed'); }; \
             document.head.appendChild(tag);",
            vec![json!(svg)],
        )
        .await
        .expect("decode");
    assert_eq!(decoded, json!(ayu.as_str()));

    // The pass page, for the fair's organizer.
    browser.goto("/sign-in").await;
    browser.fill("#email", "organizer@doorscan.id").await;
    browser.fill("#password", PASSWORD).await;
    browser.click_and_load("main button[type=submit]").await;
    browser
        .goto(&format!("/desk/events/{}/door", fair.event))
        .await;
    assert!(browser.body().await.contains("Gate A"));
    browser.check_page("door-passes").await;
    browser.fill("#label", "Tablet Pintu B").await;
    browser.click_and_load("#issue").await;
    let shown = attribute(&browser, "#scanner-url", "value")
        .await
        .unwrap_or_default();
    assert!(
        shown.contains("/door#event=") && shown.contains("&pass=bdp_"),
        "{shown}"
    );
    browser.check_page("door-pass-issued").await;

    // With the server gone, the scanner opens again (the service worker's copy) and still
    // decides from its list.
    app.stop_server().await;
    browser.goto("/door").await;
    wait_for_attribute(&browser, "#door", "data-ready", "", 15).await;
    wait_for_attribute(&browser, "#door", "data-list", "5", 5).await;
    let (verdict, said) = scan(&browser, ayu).await;
    assert_eq!(verdict, "already", "{said}");
    browser.close().await;
}
