//! The dashboard, `/dashboard`, over plain HTTP: who may see it (ministry and admin everything,
//! an organizer only their own fairs, employers and job seekers refused, a visitor signed out sent
//! to sign in), its figures against the rollup API's, the filters kept in the links, the
//! drill-down from a province to its fairs, and the downloads.
//!
//! The scenario: organizer East runs E1 (DKI Jakarta, apbn, budget Rp100.000.000) and E2 (Papua
//! Tengah, 94, apbd, Rp50.000.001); organizer West runs E3 (DKI Jakarta, apbn, closed, spent
//! Rp20.000.000 of Rp30.000.000).
//! - E1: s1 and s2 attend, s1 placed (verified by staff), s2 not. E2: s1 attends, placed and
//!   confirmed by themselves. E3: s2 attends, placed (verified by staff).
//! - So: 3 fairs, 4 attendees, 3 verified placements, 3 placed attendees (rate 75,0%), cost
//!   Rp170.000.001 (Rp56.666.667 per placement), budget Rp180.000.001, 1 of 3 confirmed by the
//!   job seeker.

use bursa::auth::Role;
use bursa::db::schema::events;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::exports::download;
use crate::fixtures::rows::{apply, move_event, place, register, seeker};
use crate::fixtures::{Employer, Fair};
use crate::web::{Page, Phone};

db_tests!(
    who_may_see_the_dashboard,
    the_headline_and_tables_are_the_apis_figures,
    filters_are_kept_in_the_links_and_drill_down_to_the_fairs,
    downloads_hold_the_tables_of_the_view,
);

pub struct Scenario {
    pub east: Fair,
    pub e2: Fair,
    pub west: Fair,
    pub ministry_token: String,
}

pub async fn scenario(app: &TestApp) -> Scenario {
    let east = Fair::by(app, "organizer@east.id")
        .with(json!({"title": "Bursa Kerja Jakarta Timur", "budget_idr": 100_000_000_i64, "funding_source": "apbn"}))
        .published()
        .await;
    let e2 = east
        .another(app)
        .with(json!({"title": "Bursa Kerja Nabire", "budget_idr": 50_000_001_i64, "funding_source": "apbd"}))
        .published()
        .await;
    let west = Fair::by(app, "organizer@west.id")
        .with(json!({"title": "Bursa Kerja Jakarta Barat", "budget_idr": 30_000_000_i64, "funding_source": "apbn"}))
        .published()
        .await;
    let s1 = seeker(app, &east, Some("1990-01-01"), "female", "smk", false);
    let s2 = seeker(app, &east, Some("2001-01-01"), "male", "sma", true);

    let a = Employer::at(app, &east, "hr@a.id", true).await;
    let v1 = a.vacancy(app, &east, json!({"openings": 3})).await;
    register(app, &east, &s1, true);
    register(app, &east, &s2, true);
    let x = apply(app, &east, &v1, &s1, &["applied", "hired"]);
    place(
        app,
        &east,
        (&x, &v1, &s1, &a.company),
        "verified",
        "2026-01-10",
        &[],
    );
    move_event(app, &east, "2026-01-05 02:00:00", "31");

    let b = Employer::at(app, &e2, "hr@b.id", true).await;
    let v2 = b.vacancy(app, &e2, json!({"openings": 2})).await;
    register(app, &e2, &s1, true);
    let x = apply(app, &e2, &v2, &s1, &["applied", "hired"]);
    place(
        app,
        &e2,
        (&x, &v2, &s1, &b.company),
        "confirmed",
        "2026-03-01",
        &[],
    );
    move_event(app, &e2, "2026-02-15 02:00:00", "94");

    let c = Employer::at(app, &west, "hr@c.id", true).await;
    let v3 = c.vacancy(app, &west, json!({"openings": 4})).await;
    register(app, &west, &s2, true);
    let x = apply(app, &west, &v3, &s2, &["applied", "hired"]);
    place(
        app,
        &west,
        (&x, &v3, &s2, &c.company),
        "verified",
        "2026-05-01",
        &[],
    );
    move_event(app, &west, "2026-04-20 03:00:00", "31");
    diesel::update(events::table.find(&west.event))
        .set((
            events::status.eq("closed"),
            events::spent_idr.eq(Some(20_000_000_i64)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    // The rows above were written around the API: recount what the API keeps on each event.
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();

    let (_, ministry_token) = app.user("analis@kemnaker.go.id", Role::Ministry).await;
    Scenario {
        east,
        e2,
        west,
        ministry_token,
    }
}

/// The text of the headline figure `id`.
fn headline(page: &Page, id: &str) -> String {
    let start = page
        .body
        .find(&format!("data-figure=\"{id}\""))
        .unwrap_or_else(|| panic!("no headline {id}"));
    let rest = &page.body[start..];
    let dd = rest.find("<dd>").expect("a value") + 4;
    rest[dd..dd + rest[dd..].find("</dd>").expect("its end")].to_owned()
}

/// The cells of the row `key` of the table `id`.
fn row(page: &Page, table: &str, key: &str) -> Vec<String> {
    let start = page
        .body
        .find(&format!("id=\"{table}\""))
        .unwrap_or_else(|| panic!("no table {table}"));
    let body = &page.body[start..];
    let body = &body[..body.find("</table>").expect("the table's end")];
    let at = body
        .find(&format!("data-key=\"{key}\""))
        .unwrap_or_else(|| panic!("no row {key} in {table}"));
    let tr = &body[at..at + body[at..].find("</tr>").expect("the row's end")];
    tr.split("<td class=\"num\">")
        .skip(1)
        .map(|cell| cell[..cell.find("</td>").expect("a cell")].to_owned())
        .collect()
}

async fn who_may_see_the_dashboard(app: TestApp) {
    let s = scenario(&app).await;

    // Signed out: to sign in, and back to the same view.
    let visitor = Phone::new(&app).await;
    let page = visitor.get("/dashboard?province=31").await;
    page.assert(303);
    assert_eq!(
        page.location(),
        "/sign-in?next=%2Fdashboard%3Fprovince%3D31"
    );
    visitor
        .get("/dashboard/download?table=province&format=csv")
        .await
        .assert(303);

    // Employers and job seekers: forbidden, and no figures.
    app.user("hr@refused.id", Role::Employer).await;
    app.user("seeker@refused.id", Role::JobSeeker).await;
    for email in ["hr@refused.id", "seeker@refused.id"] {
        let phone = Phone::signed_in(&app, email).await;
        let page = phone.get("/dashboard").await;
        page.assert(403);
        assert!(!page.body.contains("Bursa Kerja"), "{email}");
        phone
            .get("/dashboard/download?table=province&format=csv")
            .await
            .assert(403);
        assert!(!phone
            .get("/events")
            .await
            .body
            .contains("href=\"/dashboard\""));
    }

    // Ministry staff see every fair; the header links to the dashboard.
    let ministry = Phone::signed_in(&app, "analis@kemnaker.go.id").await;
    let page = ministry.get("/dashboard").await;
    page.assert(200).has("href=\"/dashboard\"");
    assert_eq!(headline(&page, "events"), "3");

    // An organizer sees their own two fairs only, whatever they ask for.
    let east = Phone::signed_in(&app, "organizer@east.id").await;
    let page = east.get("/dashboard").await;
    page.assert(200);
    assert_eq!(headline(&page, "events"), "2");
    assert_eq!(headline(&page, "attendees"), "3");
    assert!(!page.body.contains(&s.west.office), "West's organization");
    let page = east.get("/dashboard?province=31").await;
    page.assert(200)
        .has(&format!("href=\"/desk/events/{}\"", s.east.event));
    assert!(!page.body.contains(&s.west.event), "West's fair");
    // Naming another organization is refused.
    east.get(&format!("/dashboard?organization={}", s.west.office))
        .await
        .assert(403);
    east.get(&format!(
        "/dashboard/download?table=province&format=csv&organization={}",
        s.west.office
    ))
    .await
    .assert(403);
    let own = east
        .get(&format!("/dashboard?organization={}", s.east.office))
        .await;
    own.assert(200);
    assert_eq!(headline(&own, "events"), "2");
    let _ = s.e2;
    let _ = s.ministry_token;
}

async fn the_headline_and_tables_are_the_apis_figures(app: TestApp) {
    let s = scenario(&app).await;
    let ministry = Phone::signed_in(&app, "analis@kemnaker.go.id").await;
    let page = ministry.get("/dashboard").await;
    page.assert(200);

    // By hand (see the scenario).
    assert_eq!(headline(&page, "events"), "3");
    assert_eq!(headline(&page, "attendees"), "4");
    assert_eq!(headline(&page, "placements_verified"), "3");
    assert_eq!(headline(&page, "placement_rate"), "75,0%");
    assert_eq!(headline(&page, "cost_per_placement_idr"), "Rp56.666.667");
    assert_eq!(headline(&page, "cost_idr"), "Rp170.000.001");
    page.has("dari anggaran Rp180.000.001");
    assert_eq!(headline(&page, "seeker_confirmed_share"), "33,3%");
    page.has("1 dari 3 penempatan terverifikasi");

    // And as the API gives them.
    let api = app
        .get("/api/v1/metrics?group_by=province", Some(&s.ministry_token))
        .await;
    api.assert(200);
    let totals = &api.body["totals"];
    assert_eq!(totals["events"], json!(3));
    assert_eq!(totals["cost_per_placement_idr"], json!(56_666_667));
    let n = |v: &Value| bursa::locale::number(v.as_i64().unwrap(), bursa::users::Language::Id);
    for r in api.body["rows"].as_array().unwrap() {
        let key = r["key"].as_str().unwrap();
        let cells = row(&page, "province-table", key);
        assert_eq!(cells[0], n(&r["events"]), "{key}");
        assert_eq!(cells[1], n(&r["attendees"]), "{key}");
        assert_eq!(cells[2], n(&r["placements_verified"]), "{key}");
    }
    // Jakarta: 2 fairs, 3 attendees, 2 verified, 2 placed (66,7%), Rp120.000.000 / 2.
    assert_eq!(
        row(&page, "province-table", "31"),
        vec!["2", "3", "2", "66,7%", "Rp60.000.000"]
    );
    // All 38 provinces are in the table, those without fairs with zeros and no rate.
    assert_eq!(
        row(&page, "province-table", "11"),
        vec!["0", "0", "0", "–", "–"]
    );
    for province in bursa::provinces::all() {
        assert_eq!(row(&page, "province-table", province.code).len(), 5);
    }
    // The map draws 34 outlines and says why the other four have none.
    assert_eq!(page.body.matches("<path class=\"s").count(), 34);
    page.has("id=\"papua-note\"").has("Papua Tengah");

    // Funding sources and organizers.
    assert_eq!(
        row(&page, "funding-table", "apbn"),
        vec!["2", "3", "2", "66,7%", "Rp60.000.000"]
    );
    assert_eq!(
        row(&page, "funding-table", "apbd"),
        vec!["1", "1", "1", "100,0%", "Rp50.000.001"]
    );
    assert_eq!(row(&page, "organizer-table", &s.east.office)[0], "2");
    assert_eq!(row(&page, "organizer-table", &s.west.office)[0], "1");
    // Months: January, February, April.
    assert_eq!(row(&page, "trend-table", "2026-01")[2], "1");
    assert_eq!(row(&page, "trend-table", "2026-04")[2], "1");
    page.has("Januari 2026");

    // In English, English number formats.
    let mut english = Phone::signed_in(&app, "analis@kemnaker.go.id").await;
    english.lang = Some("en");
    let page = english.get("/dashboard").await;
    page.assert(200).has("Job placement dashboard");
    assert_eq!(headline(&page, "cost_idr"), "Rp170,000,001");
    assert_eq!(headline(&page, "placement_rate"), "75.0%");
}

async fn filters_are_kept_in_the_links_and_drill_down_to_the_fairs(app: TestApp) {
    let s = scenario(&app).await;
    let ministry = Phone::signed_in(&app, "analis@kemnaker.go.id").await;

    // A period and a funding source: only E1 (January, apbn).
    let page = ministry
        .get("/dashboard?from=2026-01-01&to=2026-03-31&funding=apbn&metric=attendees")
        .await;
    page.assert(200);
    assert_eq!(headline(&page, "events"), "1");
    assert_eq!(headline(&page, "attendees"), "2");
    // The form shows the filters; the links keep them.
    page.has("value=\"2026-01-01\"")
        .has("<option value=\"apbn\" selected>")
        .has("href=\"/dashboard?from=2026-01-01&amp;to=2026-03-31&amp;funding=apbn&amp;metric=attendees&amp;province=31#fairs\"")
        .has("/dashboard/download?from=2026-01-01&#38;to=2026-03-31&#38;funding=apbn&#38;table=province&#38;format=csv");

    // Drill down: Jakarta's fairs, each linking to its public page.
    let page = ministry.get("/dashboard?province=31").await;
    page.assert(200)
        .has("id=\"fair-table\"")
        .has("Bursa Kerja Jakarta Timur")
        .has("Bursa Kerja Jakarta Barat")
        .has(&format!("href=\"/events/{}\"", s.east.event))
        .has(&format!("href=\"/events/{}\"", s.west.event))
        .has("5 Januari 2026")
        .has("Rp20.000.000");
    assert!(!page.body.contains("Bursa Kerja Nabire"));
    assert_eq!(headline(&page, "events"), "2");
    // Papua Tengah, a 2022 province: in the table and the drill-down, though not on the map.
    let page = ministry.get("/dashboard?province=94").await;
    page.assert(200)
        .has("Bursa Kerja Nabire")
        .has(&format!("href=\"/events/{}\"", s.e2.event));

    // Sorting by placement rate, highest first: Papua Tengah (100%) before DKI Jakarta.
    let page = ministry.get("/dashboard?sort=-placement_rate").await;
    page.assert(200).has("aria-sort=\"descending\"");
    let papua = page.body.find("data-key=\"94\"").unwrap();
    let jakarta = page.body.find("data-key=\"31\"").unwrap();
    assert!(papua < jakarta);

    // Quarters.
    ministry.get("/dashboard?period=quarter").await.assert(200);

    // Wrong values: the bad-request page, not a 500.
    for bad in [
        "from=kemarin",
        "from=2026-02-01&to=2026-01-01",
        "province=99",
        "funding=bank",
        "organization=x",
        "sort=password",
        "metric=votes",
    ] {
        ministry.get(&format!("/dashboard?{bad}")).await.assert(400);
    }
}

async fn downloads_hold_the_tables_of_the_view(app: TestApp) {
    let s = scenario(&app).await;
    let ministry = Phone::signed_in(&app, "analis@kemnaker.go.id").await;

    // Indonesian: headers in Indonesian, Excel-Indonesia CSV (semicolons, BOM).
    let file = ministry
        .get("/dashboard/download?table=province&format=csv&funding=apbn")
        .await;
    file.assert(200);
    assert!(file.header("content-type").starts_with("text/csv"));
    assert!(file
        .header("content-disposition")
        .contains("bursa-dashboard-province.csv"));
    assert!(file.body.starts_with('\u{feff}'), "a BOM");
    assert!(file.body.contains("Kelompok;Nama;Jumlah acara"));
    // Jakarta's apbn fairs: E1 and E3.
    assert!(file.body.contains("31;DKI Jakarta;2;"), "{}", file.body);
    // Every province is a row, as on the page: Papua Tengah's fair is apbd, so none here.
    assert!(file.body.contains("94;Papua Tengah;0;"), "{}", file.body);
    assert_eq!(
        file.body.lines().count(),
        1 + 38 + 1,
        "header, 38 provinces, totals"
    );

    // The same figures as the API's export.
    let api = download(
        &app,
        "/api/v1/metrics/export?group_by=organization&format=csv",
        Some(&s.ministry_token),
    )
    .await;
    assert_eq!(api.status, 200);
    let mut english = Phone::signed_in(&app, "analis@kemnaker.go.id").await;
    english.lang = Some("en");
    let file = english
        .get("/dashboard/download?table=organizer&format=csv")
        .await;
    file.assert(200);
    assert_eq!(file.body.as_bytes(), api.bytes.as_slice());

    // XLSX.
    let file = ministry
        .get("/dashboard/download?table=funding&format=xlsx")
        .await;
    file.assert(200);
    assert!(file
        .header("content-type")
        .starts_with("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"));

    // An organizer's download covers their fairs only.
    let east = Phone::signed_in(&app, "organizer@east.id").await;
    let file = east
        .get("/dashboard/download?table=organizer&format=csv")
        .await;
    file.assert(200);
    assert!(file.body.contains(&s.east.office));
    assert!(!file.body.contains(&s.west.office));

    // Unknown tables and formats.
    ministry
        .get("/dashboard/download?table=people&format=csv")
        .await
        .assert(400);
    ministry
        .get("/dashboard/download?table=province&format=pdf")
        .await
        .assert(400);
}
