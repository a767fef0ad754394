//! The ministry analyst's journey on the dashboard in a real browser at phone size: sign in,
//! open the dashboard, filter it (the URL changes), shade the map by another figure, drill down
//! from a province on the map to its fairs and to a fair's page, download a table; and every
//! chart's table holds the figures of the rollup API (`GET /api/v1/metrics`).

use std::time::Duration as Wait;

use bursa::locale;
use bursa::users::Language;
use fantoccini::Locator;
use serde_json::{json, Value};

use crate::browser::Browser;
use crate::common::{TestApp, PASSWORD};
use crate::dashboard_pages::scenario;
use crate::db_tests;

db_tests!(an_analyst_reads_filters_and_drills_down_the_dashboard);

async fn wait_for_path(browser: &Browser, expected: &str) {
    for _ in 0..100 {
        if browser.path().await.contains(expected) {
            return;
        }
        actix_web::rt::time::sleep(Wait::from_millis(100)).await;
    }
    panic!("still at {} instead of {expected}", browser.path().await);
}

/// The cells of every row of the table `id`, by the row's key.
async fn table(browser: &Browser, id: &str) -> Vec<(String, Vec<String>)> {
    let rows = browser
        .client
        .execute(
            "return [...document.querySelectorAll('#' + arguments[0] + ' tbody tr[data-key]')]
               .map(tr => [tr.dataset.key, [...tr.querySelectorAll('td')].map(td => td.textContent.trim())]);",
            vec![json!(id)],
        )
        .await
        .expect("the table");
    serde_json::from_value(rows).expect("rows")
}

/// The rows of a rollup of the API, as the dashboard writes them (Indonesian formats).
async fn api_rows(app: &TestApp, token: &str, query: &str) -> Vec<(String, Vec<String>)> {
    let api = app
        .get(&format!("/api/v1/metrics?{query}"), Some(token))
        .await;
    api.assert(200);
    let lang = Language::Id;
    let n = |v: &Value| locale::number(v.as_i64().expect("a count"), lang);
    api.body["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            let rate = r["placement_rate"]
                .as_f64()
                .map_or("–".to_owned(), |v| locale::percent(v, lang));
            let cost = r["cost_per_placement_idr"]
                .as_i64()
                .map_or("–".to_owned(), |v| locale::rupiah(v, lang));
            (
                r["key"].as_str().expect("a key").to_owned(),
                vec![
                    n(&r["events"]),
                    n(&r["attendees"]),
                    n(&r["placements_verified"]),
                    rate,
                    cost,
                ],
            )
        })
        .collect()
}

async fn an_analyst_reads_filters_and_drills_down_the_dashboard(app: TestApp) {
    let s = scenario(&app).await;
    let Some(browser) = Browser::start(&app.url("")).await else {
        return;
    };
    browser.goto("/sign-in").await;
    browser.fill("#email", "analis@kemnaker.go.id").await;
    browser.fill("#password", PASSWORD).await;
    browser.click_and_load("main button[type=submit]").await;

    // The header leads to the dashboard.
    browser.click_and_load("header a[href='/dashboard']").await;
    wait_for_path(&browser, "/dashboard").await;
    browser.check_page("dashboard").await;
    browser
        .client
        .execute(
            "document.getElementById('map').scrollIntoView(); return true;",
            vec![],
        )
        .await
        .expect("scroll to the map");
    browser.screenshot("dashboard-map").await;
    // Nothing is wider than the phone: the map is whole (its east edge, Papua, on screen) and
    // a wide table scrolls inside its own box instead of widening the page.
    let widths = browser
        .client
        .execute(
            "var map = document.querySelector('svg.map').getBoundingClientRect();
             var screen = document.documentElement.clientWidth;
             // What overflows, for the failure's message: a .table-wrap scrolls by design.
             var wide = [...document.querySelectorAll('main *')].filter(function (e) {
               return !e.closest('.table-wrap')
                 && (e.getBoundingClientRect().right > screen + 0.5 || e.scrollWidth > e.clientWidth + 1);
             }).map(function (e) {
               return e.tagName + '#' + e.id + '.' + e.getAttribute('class') + ' '
                 + e.getBoundingClientRect().right + ' ' + e.scrollWidth + '/' + e.clientWidth;
             });
             return [document.documentElement.scrollWidth, screen, map.left, map.right, wide];",
            vec![],
        )
        .await
        .expect("the widths");
    let [page, screen, left, right] = [0, 1, 2, 3].map(|i| widths[i].as_f64().expect("a width"));
    assert!(
        page <= screen,
        "the page is {page} px wide on a {screen} px screen: {}",
        widths[4]
    );
    assert!(
        left >= 0.0 && right <= screen && right - left > screen / 2.0,
        "the map spans {left}..{right} on a {screen} px screen"
    );

    // The trend by quarter, and who was served.
    browser
        .click_and_load("#trend nav a[href*='period=quarter']")
        .await;
    wait_for_path(&browser, "period=quarter").await;
    let here = browser.path().await;
    browser.goto(&here).await;
    browser
        .client
        .execute(
            "document.getElementById('trend').scrollIntoView(); return true;",
            vec![],
        )
        .await
        .expect("scroll to the trend");
    browser.screenshot("dashboard-trend").await;
    let quarters = table(&browser, "trend-table").await;
    let mut expected = api_rows(
        &app,
        s.ministry_token.as_str(),
        "group_by=quarter&fill=true",
    )
    .await;
    expected.sort();
    let mut shown = quarters;
    shown.sort();
    assert_eq!(shown, expected, "the quarters");
    browser
        .client
        .execute(
            "document.getElementById('served').scrollIntoView(); return true;",
            vec![],
        )
        .await
        .expect("scroll to who was served");
    browser.screenshot("dashboard-served").await;
    browser.goto("/dashboard").await;

    // Each chart's table is the API's rollup: provinces (all 38, zeros where no fair), funding
    // sources, organizers, months.
    let token = s.ministry_token.as_str();
    let provinces = table(&browser, "province-table").await;
    assert_eq!(provinces.len(), 38);
    for (key, cells) in api_rows(&app, token, "group_by=province").await {
        let shown = provinces.iter().find(|(k, _)| *k == key).expect("the row");
        assert_eq!(shown.1, cells, "province {key}");
    }
    // Funding sources and months are filled (every one, zeros where no fair); organizers not.
    for (id, query) in [
        ("funding-table", "group_by=funding_source&fill=true"),
        ("organizer-table", "group_by=organization"),
        ("trend-table", "group_by=month&fill=true"),
    ] {
        let expected = api_rows(&app, token, query).await;
        let mut shown = table(&browser, id).await;
        shown.sort();
        assert_eq!(shown, expected, "{id}");
    }

    // Filter by funding source: the URL carries the filter, the figures follow.
    browser
        .client
        .find(Locator::Css("#funding"))
        .await
        .expect("the funding filter")
        .select_by_value("apbn")
        .await
        .expect("apbn");
    browser.click_and_load("#filters button[type=submit]").await;
    wait_for_path(&browser, "funding=apbn").await;
    assert_eq!(
        browser.text("[data-figure=events] dd").await,
        "2",
        "two apbn fairs"
    );
    let expected = api_rows(&app, token, "group_by=province&funding_source=apbn").await;
    let shown = table(&browser, "province-table").await;
    for (key, cells) in expected {
        assert_eq!(
            shown.iter().find(|(k, _)| *k == key).expect("the row").1,
            cells
        );
    }

    // Shade the map by attendees: the choice is in the URL too, the filter kept.
    browser
        .click_and_load("#map nav a[href*='metric=attendees']")
        .await;
    wait_for_path(&browser, "metric=attendees").await;
    assert!(browser.path().await.contains("funding=apbn"));

    // Drill down from the map (Central Kalimantan: no fair there), then from the table to DKI
    // Jakarta's fairs (Jakarta is too small to tap on a phone's map), then to a fair's page.
    // (Reloaded without the `#map` anchor: in Chromium's phone emulation a tap lands beside
    // its target on a page the anchor scrolled.)
    let here = browser.path().await;
    browser.goto(&here).await;
    browser
        .click_and_load("svg.map a[data-code='62'] path")
        .await;
    wait_for_path(&browser, "province=62").await;
    assert!(browser.text("#fairs").await.contains("Kalimantan Tengah"));
    browser
        .click_and_load("#province-table tr[data-key='31'] th a")
        .await;
    wait_for_path(&browser, "province=31").await;
    assert!(browser.path().await.contains("funding=apbn"));
    let here = browser.path().await;
    browser.goto(&here).await;
    browser.check_page("dashboard-province").await;
    browser
        .client
        .execute(
            "document.getElementById('fairs').scrollIntoView(); return true;",
            vec![],
        )
        .await
        .expect("scroll to the fairs");
    browser.screenshot("dashboard-province").await;
    browser.goto(&here).await;
    let fairs = browser.text("#fair-table").await;
    assert!(fairs.contains("Bursa Kerja Jakarta Timur"), "{fairs}");
    assert!(fairs.contains("Bursa Kerja Jakarta Barat"), "{fairs}");
    browser
        .click_and_load(&format!("#fair-table a[href='/events/{}']", s.west.event))
        .await;
    wait_for_path(&browser, &format!("/events/{}", s.west.event)).await;
    assert!(browser.body().await.contains("Bursa Kerja Jakarta Barat"));

    // Download the province table of the view, as the page's link does.
    browser.goto("/dashboard?funding=apbn").await;
    let href = browser
        .client
        .find(Locator::Css(
            "#downloads a[href*='table=province'][href*='format=csv']",
        ))
        .await
        .expect("the download link")
        .attr("href")
        .await
        .expect("its href")
        .expect("an href");
    assert!(href.contains("funding=apbn"), "{href}");
    let file = browser
        .client
        .execute(
            "return fetch(arguments[0]).then(r => r.text().then(t => [r.status, r.headers.get('content-disposition'), t]));",
            vec![json!(href)],
        )
        .await
        .expect("the download");
    assert_eq!(file[0], json!(200));
    assert!(file[1]
        .as_str()
        .unwrap_or_default()
        .contains("bursa-dashboard-province.csv"));
    assert!(
        file[2]
            .as_str()
            .unwrap_or_default()
            .contains("31;DKI Jakarta;2;"),
        "{file}"
    );
    browser.close().await;
}
