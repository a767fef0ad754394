//! `GET /api/v1/metrics?group_by=…`: the rollups of METRICS.md ("Rollups") against values
//! computed by hand, on both engines: every grouping, every filter, totals, pooled rates, the
//! event local date at a year's boundary, excluded drafts and cancelled events, and who may ask.
//!
//! The scenario (built with the helpers of the per-event tests):
//!
//! | event | organizer | province | local start | funding | status | budget | cost |
//! |---|---|---|---|---|---|---|---|
//! | E1 | O1 | 31 (+7) | 2026-01-01 (31 Dec 17:30 UTC) | apbn | published | 100,000,000 | 100,000,000 |
//! | E2 | O1 | 94 (+9) | 2026-01-15 | apbd | published | 50,000,001 | 50,000,001 |
//! | E3 | O2 | 31 | 2026-02-10 | apbn | closed | 30,000,000 | 20,000,000 (spent) |
//! | E4 | O1 | 31 | — | apbd | draft | | |
//! | E5 | O2 | 31 | — | apbd | cancelled | | |
//!
//! - E1: s1 attends, hired (verified); s2 attends, disputed; s3 registered only, applied.
//!   Openings 3. Registrations 3, attendees 2, applications 3, reported 2, verified 1,
//!   disputed 1, placed attendees 1.
//! - E2: s1 attends, confirmed; s4 attends, a retracted placement and a verified one. Openings
//!   2 + 1. Registrations 2, attendees 2, applications 3, reported 2, verified 2, placed 2.
//! - E3: s2 and s5 attend, s2 verified, s5 reported (pending); s6 registered only, verified
//!   (not an attendee). Openings 4. Registrations 3, attendees 2, applications 3, reported 3,
//!   verified 2, placed attendees 1.
//! - E4 (draft) registers s1; E5 (cancelled) registers s7: neither counts.
use bursa::auth::Role;
use bursa::db::schema::events;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::exports::download;
use crate::fixtures::rows::{apply, move_event, place, register, seeker};
use crate::fixtures::{Employer, Fair};

db_tests!(
    rollups_by_every_grouping_with_totals,
    filters_choose_the_included_events,
    a_change_is_counted_by_the_next_response,
    who_may_ask_for_rollups_and_bad_parameters,
    the_export_holds_the_rollups_numbers,
    bursa_metrics_verify_finds_a_kept_figure_that_drifted,
);

struct Scenario {
    o1: Fair,
    o2: Fair,
    /// A placement of E3 still `reported`, for the test of live figures.
    pending: String,
}

async fn scenario(app: &TestApp) -> Scenario {
    let o1 = Fair::by(app, "organizer@east.id")
        .with(json!({"budget_idr": 100_000_000_i64, "funding_source": "apbn"}))
        .published()
        .await;
    let e2 = o1
        .another(app)
        .with(json!({"budget_idr": 50_000_001_i64, "funding_source": "apbd"}))
        .published()
        .await;
    let o2 = Fair::by(app, "organizer@west.id")
        .with(json!({"budget_idr": 30_000_000_i64, "funding_source": "apbn"}))
        .published()
        .await;

    let s = |birth| seeker(app, &o1, Some(birth), "female", "smk", false);
    let (s1, s2, s3, s4, s5, s6, s7) = (
        s("1990-01-01"),
        s("1991-01-01"),
        s("1992-01-01"),
        s("1993-01-01"),
        s("1994-01-01"),
        s("1995-01-01"),
        s("1996-01-01"),
    );

    // E1.
    let a = Employer::at(app, &o1, "hr@a.id", true).await;
    let v1 = a.vacancy(app, &o1, json!({"openings": 3})).await;
    let a = a.company;
    register(app, &o1, &s1, true);
    register(app, &o1, &s2, true);
    register(app, &o1, &s3, false);
    let x = apply(app, &o1, &v1, &s1, &["applied", "hired"]);
    place(app, &o1, (&x, &v1, &s1, &a), "verified", "2026-01-10", &[]);
    let x = apply(app, &o1, &v1, &s2, &["applied", "hired"]);
    place(app, &o1, (&x, &v1, &s2, &a), "disputed", "2026-01-10", &[]);
    apply(app, &o1, &v1, &s3, &["applied"]);
    move_event(app, &o1, "2025-12-31 17:30:00", "31");

    // E2.
    let b = Employer::at(app, &e2, "hr@b.id", true).await;
    let v2 = b.vacancy(app, &e2, json!({"openings": 2})).await;
    let v2b = b.vacancy(app, &e2, json!({"openings": 1})).await;
    let b = b.company;
    register(app, &e2, &s1, true);
    register(app, &e2, &s4, true);
    let x = apply(app, &e2, &v2, &s1, &["applied", "hired"]);
    place(app, &e2, (&x, &v2, &s1, &b), "confirmed", "2026-02-01", &[]);
    let x = apply(app, &e2, &v2, &s4, &["applied", "offered"]);
    place(app, &e2, (&x, &v2, &s4, &b), "retracted", "2026-02-01", &[]);
    let x = apply(app, &e2, &v2b, &s4, &["applied", "hired"]);
    place(app, &e2, (&x, &v2b, &s4, &b), "verified", "2026-02-01", &[]);
    move_event(app, &e2, "2026-01-15 02:00:00", "94");

    // E3, closed with its real spending.
    let c = Employer::at(app, &o2, "hr@c.id", true).await;
    let v3 = c.vacancy(app, &o2, json!({"openings": 4})).await;
    let c = c.company;
    register(app, &o2, &s2, true);
    register(app, &o2, &s5, true);
    register(app, &o2, &s6, false);
    let x = apply(app, &o2, &v3, &s2, &["applied", "hired"]);
    place(app, &o2, (&x, &v3, &s2, &c), "verified", "2026-03-01", &[]);
    let x = apply(app, &o2, &v3, &s6, &["applied", "hired"]);
    place(
        app,
        &o2,
        (&x, &v3, &s6, &c),
        "verified",
        "2026-03-01",
        &["not_checked_in"],
    );
    let x = apply(app, &o2, &v3, &s5, &["applied", "offered"]);
    let pending = place(app, &o2, (&x, &v3, &s5, &c), "reported", "2026-03-01", &[]);
    move_event(app, &o2, "2026-02-10 03:00:00", "31");
    diesel::update(events::table.find(&o2.event))
        .set((
            events::status.eq("closed"),
            events::spent_idr.eq(Some(20_000_000_i64)),
        ))
        .execute(&mut *app.conn())
        .unwrap();

    // E4, a draft of O1, and E5, a cancelled event of O2: registrations that never count.
    let e4 = o1.another(app).draft().await;
    register(app, &e4, &s1, true);
    let e5 = o2.another(app).published().await;
    register(app, &e5, &s7, true);
    app.post(
        &format!("/api/v1/events/{}/cancel", e5.event),
        Some(&o2.organizer),
        json!({}),
    )
    .await
    .assert(200);
    // The rows above were written around the API: recount what the API keeps on each event.
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();

    Scenario { o1, o2, pending }
}

/// The figures of a row or of the totals, in the contract's names.
#[allow(clippy::too_many_arguments)]
fn figures(
    events: i64,
    [registrations, attendees, openings, applications]: [i64; 4],
    [reported, verified, disputed, placed]: [i64; 4],
    [seeker_confirmed, staff_only]: [i64; 2],
    [budget, cost]: [i64; 2],
    [placement_rate, fill_rate]: [Value; 2],
    cost_per_placement: Value,
    unique: i64,
) -> Value {
    json!({
        "events": events,
        "registrations": registrations,
        "attendees": attendees,
        "openings": openings,
        "applications": applications,
        "placements_reported": reported,
        "placements_verified": verified,
        "placements_disputed": disputed,
        "placements_seeker_confirmed": seeker_confirmed,
        "placements_staff_only": staff_only,
        "placed_attendees": placed,
        "budget_idr": budget,
        "cost_idr": cost,
        "placement_rate": placement_rate,
        "vacancy_fill_rate": fill_rate,
        "cost_per_placement_idr": cost_per_placement,
        "unique_job_seekers": unique,
    })
}

fn row(key: &str, label: Option<&str>, figures: Value) -> Value {
    let mut row = json!({"key": key, "label": label});
    for (name, value) in figures.as_object().unwrap() {
        row[name] = value.clone();
    }
    row
}

/// E1 + E3 (province 31, funding apbn).
fn e1_e3() -> Value {
    figures(
        2,
        [6, 4, 7, 6],
        [5, 3, 1, 2],
        [0, 3], // E1 s1, E3 s2 and s6: verified by staff only
        [130_000_000, 120_000_000],
        [json!(0.5), json!(3.0 / 7.0)],
        json!(40_000_000), // 120,000,000 / 3
        5,                 // s1, s2, s3, s5, s6
    )
}

/// E2 (province 94, funding apbd).
fn e2() -> Value {
    figures(
        1,
        [2, 2, 3, 3],
        [2, 2, 0, 2],
        [1, 1], // s1 confirmed; s4 verified by staff only
        [50_000_001, 50_000_001],
        [json!(1.0), json!(2.0 / 3.0)],
        json!(25_000_001), // 25,000,000.5 rounded half up
        2,                 // s1, s4
    )
}

/// E1 + E2 (organizer O1, month 2026-01).
fn e1_e2() -> Value {
    figures(
        2,
        [5, 4, 6, 6],
        [4, 3, 1, 3],
        [1, 2],
        [150_000_001, 150_000_001],
        [json!(0.75), json!(0.5)],
        json!(50_000_000), // 50,000,000.33
        4,                 // s1 (twice), s2, s3, s4
    )
}

/// E3 (organizer O2, month 2026-02).
fn e3() -> Value {
    figures(
        1,
        [3, 2, 4, 3],
        [3, 2, 0, 1],
        [0, 2],
        [30_000_000, 20_000_000],
        [json!(0.5), json!(0.5)],
        json!(10_000_000),
        3, // s2, s5, s6
    )
}

/// E1 alone.
fn e1() -> Value {
    figures(
        1,
        [3, 2, 3, 3],
        [2, 1, 1, 1],
        [0, 1],
        [100_000_000, 100_000_000],
        [json!(0.5), json!(1.0 / 3.0)],
        json!(100_000_000),
        3,
    )
}

/// All three included events.
fn all() -> Value {
    figures(
        3,
        [8, 6, 10, 9],
        [7, 5, 1, 4],
        [1, 4],
        [180_000_001, 170_000_001],
        [json!(4.0 / 6.0), json!(0.5)],
        json!(34_000_000), // 34,000,000.2
        6,                 // s1..s6
    )
}

/// The rollup, without the figures that tests/api/rollup_breakdowns.rs checks (breakdowns,
/// retention, events costed at their budget), so that the rows here read as the table above.
async fn rollup(app: &TestApp, token: &str, query: &str) -> Value {
    let mut body = app
        .get(&format!("/api/v1/metrics?{query}"), Some(token))
        .await
        .assert(200)
        .body
        .clone();
    let strip = |figures: &mut Value| {
        if let Some(map) = figures.as_object_mut() {
            map.retain(|name, _| {
                name != "breakdowns"
                    && name != "events_costed_at_budget"
                    && !name.starts_with("retention_")
            });
        }
    };
    for row in body["rows"].as_array_mut().into_iter().flatten() {
        strip(row);
    }
    strip(&mut body["totals"]);
    body
}

/// Rows in key order (organization ids are not known in advance).
fn sorted(mut rows: Vec<Value>) -> Value {
    rows.sort_by(|a, b| a["key"].as_str().cmp(&b["key"].as_str()));
    Value::Array(rows)
}

async fn rollups_by_every_grouping_with_totals(app: TestApp) {
    let admin = app.admin_token().await;
    let s = scenario(&app).await;
    let body = rollup(&app, &admin, "group_by=province").await;
    assert_eq!(
        body,
        json!({
            "group_by": "province",
            "rows": [
                row("31", Some("DKI Jakarta"), e1_e3()),
                row("94", Some("Papua Tengah"), e2()),
            ],
            "totals": all(),
        })
    );

    let body = rollup(&app, &admin, "group_by=organization").await;
    assert_eq!(
        body["rows"],
        sorted(vec![
            row(&s.o1.office, Some("organizer org"), e1_e2()),
            row(&s.o2.office, Some("organizer org"), e3()),
        ])
    );
    assert_eq!(body["totals"], all());

    let body = rollup(&app, &admin, "group_by=funding_source").await;
    assert_eq!(
        body["rows"],
        json!([row("apbd", None, e2()), row("apbn", None, e1_e3())])
    );

    // E1 starts on 31 December 2025 in UTC but on 1 January 2026 in Jakarta.
    let body = rollup(&app, &admin, "group_by=year").await;
    assert_eq!(body["rows"], json!([row("2026", None, all())]));
    let body = rollup(&app, &admin, "group_by=month").await;
    assert_eq!(
        body["rows"],
        json!([row("2026-01", None, e1_e2()), row("2026-02", None, e3())])
    );
    assert_eq!(body["totals"], all());
}

async fn filters_choose_the_included_events(app: TestApp) {
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    let s = scenario(&app).await;

    // Inclusive bounds on the local date: E1 is on 1 January in Jakarta.
    let body = rollup(
        &app,
        &ministry,
        "group_by=province&from=2026-01-01&to=2026-01-01",
    )
    .await;
    assert_eq!(body["rows"], json!([row("31", Some("DKI Jakarta"), e1())]));
    assert_eq!(body["totals"], e1());
    let body = rollup(
        &app,
        &ministry,
        "group_by=province&from=2026-01-02&to=2026-01-31",
    )
    .await;
    assert_eq!(body["rows"], json!([row("94", Some("Papua Tengah"), e2())]));
    let body = rollup(&app, &ministry, "group_by=month&to=2025-12-31").await;
    assert_eq!(body["rows"], json!([]));
    assert_eq!(
        body["totals"],
        figures(
            0,
            [0, 0, 0, 0],
            [0, 0, 0, 0],
            [0, 0],
            [0, 0],
            [Value::Null, Value::Null],
            Value::Null,
            0
        )
    );

    let body = rollup(&app, &ministry, "group_by=year&province_code=94").await;
    assert_eq!(body["rows"], json!([row("2026", None, e2())]));
    let body = rollup(
        &app,
        &ministry,
        &format!("group_by=month&organization_id={}", s.o2.office),
    )
    .await;
    assert_eq!(body["rows"], json!([row("2026-02", None, e3())]));
    let body = rollup(&app, &ministry, "group_by=organization&funding_source=apbd").await;
    assert_eq!(
        body["rows"],
        json!([row(&s.o1.office, Some("organizer org"), e2())])
    );
    assert_eq!(body["totals"], e2());
}

/// No cache stands between a change and the figures: a placement verified through the API a
/// moment ago is in the next response.
async fn a_change_is_counted_by_the_next_response(app: TestApp) {
    let admin = app.admin_token().await;
    let s = scenario(&app).await;
    let before = rollup(&app, &admin, "group_by=province").await;
    assert_eq!(before["totals"]["placements_verified"], json!(5));

    app.post(
        &format!("/api/v1/placements/{}/verify", s.pending),
        Some(&s.o2.organizer),
        json!({"method": "phone"}),
    )
    .await
    .assert(200);
    let after = rollup(&app, &admin, "group_by=province").await;
    assert_eq!(after["totals"]["placements_verified"], json!(6));
    assert_eq!(after["totals"]["placed_attendees"], json!(5)); // s5 attended E3
    assert_eq!(after["totals"]["cost_per_placement_idr"], json!(28_333_334)); // 170,000,001 / 6
    assert_eq!(after["rows"][0]["placed_attendees"], json!(3));
}

async fn who_may_ask_for_rollups_and_bad_parameters(app: TestApp) {
    let s = scenario(&app).await;
    let (_, employer) = app.user("hr@rollup.id", Role::Employer).await;
    let (_, job_seeker) = app.user("siti@rollup.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;

    // An organizer's rollups cover their own organization's events only.
    let body = rollup(&app, &s.o1.organizer, "group_by=month").await;
    assert_eq!(body["rows"], json!([row("2026-01", None, e1_e2())]));
    assert_eq!(body["totals"], e1_e2());
    let body = rollup(
        &app,
        &s.o1.organizer,
        &format!("group_by=year&organization_id={}", s.o1.office),
    )
    .await;
    assert_eq!(body["totals"], e1_e2());
    let other = format!(
        "/api/v1/metrics?group_by=year&organization_id={}",
        s.o2.office
    );
    assert_eq!(
        app.get(&other, Some(&s.o1.organizer))
            .await
            .assert(403)
            .code(),
        "forbidden"
    );
    rollup(&app, &ministry, "group_by=year").await;

    for token in [&employer, &job_seeker] {
        app.get("/api/v1/metrics?group_by=year", Some(token))
            .await
            .assert(403);
    }
    app.get("/api/v1/metrics?group_by=year", None)
        .await
        .assert(401);

    for (query, field) in [
        ("", "group_by"),
        ("group_by=week", "group_by"),
        ("group_by=year&from=2026-13-01", "from"),
        ("group_by=year&from=2026-02-01&to=2026-01-31", "to"),
        // The fuzzer's: filling every month from the year 146 held a request past 30 s. The
        // dates lie in 2000 to 2100, as every date the API takes.
        (
            "group_by=year,month&fill=true&from=0146-10-16&to=2125-07-31",
            "from",
        ),
        ("group_by=month&fill=true&to=2125-07-31", "to"),
        ("group_by=month&from=1999-12-31", "from"),
        ("group_by=year&province_code=99", "province_code"),
        ("group_by=year&organization_id=nope", "organization_id"),
        ("group_by=year&funding_source=lottery", "funding_source"),
        ("group_by=year&colour=red", "colour"),
        ("group_by=year&format=csv", "format"),
    ] {
        let response = app
            .get(&format!("/api/v1/metrics?{query}"), Some(&ministry))
            .await;
        response.assert(422);
        assert_eq!(response.code(), "validation_failed", "{query}");
        assert!(
            response.fields().iter().any(|f| f == field),
            "{query}: {:?}",
            response.body
        );
    }
}

/// The columns of the rollup export, in order: the JSON's fields.
const EXPORT_COLUMNS: [&str; 19] = [
    "key",
    "label",
    "events",
    "registrations",
    "attendees",
    "openings",
    "applications",
    "placements_reported",
    "placements_verified",
    "placements_disputed",
    "placements_seeker_confirmed",
    "placements_staff_only",
    "placed_attendees",
    "budget_idr",
    "cost_idr",
    "placement_rate",
    "vacancy_fill_rate",
    "cost_per_placement_idr",
    "unique_job_seekers",
];

/// The CSV and the XLSX of a rollup hold the JSON's rows and then its totals, cell for cell,
/// with numbers as number cells; the export takes the rollup's parameters and access rules.
async fn the_export_holds_the_rollups_numbers(app: TestApp) {
    use calamine::{Data, Reader, Xlsx};

    let admin = app.admin_token().await;
    let s = scenario(&app).await;
    let json = rollup(&app, &admin, "group_by=organization").await;
    let mut expected: Vec<Value> = json["rows"].as_array().unwrap().clone();
    let mut totals = json!({"key": "totals", "label": null});
    for (name, value) in json["totals"].as_object().unwrap() {
        totals[name] = value.clone();
    }
    expected.push(totals);

    let csv = download(
        &app,
        "/api/v1/metrics/export?group_by=organization&format=csv",
        Some(&admin),
    )
    .await;
    csv.assert(200);
    assert_eq!(csv.header("content-type"), "text/csv; charset=utf-8");
    assert_eq!(
        csv.header("content-disposition"),
        "attachment; filename=\"bursa-metrics-by-organization.csv\""
    );
    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let header: Vec<&str> = reader.headers().unwrap().iter().collect();
    // The columns of the table above; retention and breakdowns follow (rollup_breakdowns.rs).
    assert_eq!(&header[..EXPORT_COLUMNS.len()], EXPORT_COLUMNS);
    let records: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(records.len(), expected.len());
    for (record, row) in records.iter().zip(&expected) {
        for (field, name) in record.iter().zip(EXPORT_COLUMNS) {
            match &row[name] {
                Value::Null => assert_eq!(field, "", "{name}"),
                Value::String(text) => assert_eq!(field, text, "{name}"),
                Value::Number(n) => {
                    assert_eq!(field.parse::<f64>().unwrap(), n.as_f64().unwrap(), "{name}")
                }
                other => panic!("{name}: {other}"),
            }
        }
    }

    let xlsx = download(
        &app,
        "/api/v1/metrics/export?group_by=organization&format=xlsx",
        Some(&admin),
    )
    .await;
    xlsx.assert(200);
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let mut rows = sheet.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(|c| c.to_string()).collect();
    assert_eq!(&header[..EXPORT_COLUMNS.len()], EXPORT_COLUMNS);
    let cells: Vec<&[Data]> = rows.collect();
    assert_eq!(cells.len(), expected.len());
    for (cells, row) in cells.iter().zip(&expected) {
        for (cell, name) in cells.iter().zip(EXPORT_COLUMNS) {
            match (&row[name], cell) {
                (Value::Null, Data::Empty) => {}
                (Value::String(text), Data::String(value)) => assert_eq!(value, text, "{name}"),
                (Value::Number(n), Data::Float(value)) => {
                    assert_eq!(*value, n.as_f64().unwrap(), "{name}")
                }
                (expected, cell) => panic!("{name}: {expected} in the API, {cell:?} in the file"),
            }
        }
    }

    // The rollup's rules: an organizer exports only their own organization's events.
    let own = download(
        &app,
        "/api/v1/metrics/export?group_by=month&format=csv",
        Some(&s.o1.organizer),
    )
    .await;
    own.assert(200);
    let text = String::from_utf8(own.bytes.clone()).unwrap();
    assert_eq!(text.lines().count(), 3, "{text}"); // header, 2026-01, totals
    assert!(
        text.contains("\r\n2026-01,,2,5,4,6,6,4,3,1,1,2,3,"),
        "{text}"
    );
    let (_, job_seeker) = app.user("siti@export.id", Role::JobSeeker).await;
    download(
        &app,
        "/api/v1/metrics/export?group_by=month&format=csv",
        Some(&job_seeker),
    )
    .await
    .assert(403);
    for query in ["group_by=month", "group_by=month&format=pdf", "format=csv"] {
        let response = download(
            &app,
            &format!("/api/v1/metrics/export?{query}"),
            Some(&admin),
        )
        .await;
        response.assert(422);
    }
}

/// `bursa metrics verify|rebuild` against the test's database.
pub(crate) fn metrics_cli(app: &TestApp, command: &str) -> std::process::Output {
    let mut cli = std::process::Command::new(env!("CARGO_BIN_EXE_bursa"));
    for var in ["BURSA_ADDR", "BURSA_LOG_FORMAT", "RUST_LOG"] {
        cli.env_remove(var);
    }
    cli.env("DATABASE_URL", &app.database_url)
        .env("BURSA_JWT_SECRET", crate::common::JWT_SECRET)
        .env("BURSA_NIK_SECRET", crate::common::NIK_SECRET)
        .args(["metrics", command])
        .output()
        .unwrap()
}

/// The kept figures of the scenario agree with its rows; a counter changed behind the API's
/// back is named (exit 2), and `rebuild` recounts it.
async fn bursa_metrics_verify_finds_a_kept_figure_that_drifted(app: TestApp) {
    let s = scenario(&app).await;
    let ok = metrics_cli(&app, "verify");
    assert_eq!(ok.status.code(), Some(0), "{ok:?}");
    app.assert_kept_figures();

    diesel::update(events::table.find(&s.o2.event))
        .set(events::placements_verified_count.eq(99))
        .execute(&mut *app.conn())
        .unwrap();
    let drifted = metrics_cli(&app, "verify");
    assert_eq!(drifted.status.code(), Some(2), "{drifted:?}");
    let stderr = String::from_utf8_lossy(&drifted.stderr);
    assert!(stderr.contains(&s.o2.event), "{stderr}");
    assert!(stderr.contains("verified 99"), "{stderr}");
    assert!(!stderr.contains(&s.o1.event), "{stderr}");

    let rebuilt = metrics_cli(&app, "rebuild");
    assert_eq!(rebuilt.status.code(), Some(0), "{rebuilt:?}");
    assert_eq!(metrics_cli(&app, "verify").status.code(), Some(0));
    let admin = app.admin_token().await;
    assert_eq!(rollup(&app, &admin, "group_by=year").await["totals"], all());
}
