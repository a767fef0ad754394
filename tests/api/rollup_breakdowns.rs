//! The rollup figures METRICS.md added for the ministry's dashboard, on both engines, against
//! values computed by hand: `breakdowns` (every value of every dimension, zeros included) and
//! retention in every row and in the totals, `events_costed_at_budget`, quarters, two-dimension
//! cross-tabs and `fill=true`. The scenario goes through the API wherever the API can write it,
//! so that the figures kept on each event for the rollups are kept by the API's own writes: a
//! check-in, a reported, confirmed or verified hire, a follow-up, a changed profile and a
//! rescheduled fair each move them, and `bursa metrics verify` agrees after each step.
//!
//! | who | born | gender | education | disability | at fair F (31, today) |
//! |---|---|---|---|---|---|
//! | Ani | 1990-06-01 | female | s1 | no | attends, hired, confirms |
//! | Bayu | 25 years before F's local date + 3 days | male | sma | yes | attends, hired, staff verify |
//! | Citra | 1970-01-01 | female | smk → d3 | no | attends |
//! | Dedi | 1999-01-01 | male | sma | no | registers only |
//!
//! Fair G (organizer of its own, province 94, 10 February 2026 local, closed with its spending)
//! has no attendees.
use bursa::auth::Role;
use bursa::db::schema::{events, placements};
use chrono::{Duration, Months, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::exports::download;
use crate::fixtures::rows::{apply, move_event};
use crate::fixtures::{check_in, Employer, Fair, Seeker};

db_tests!(
    breakdowns_and_retention_are_kept_by_the_apis_writes,
    quarters_cross_tabs_and_fill,
    bad_groupings_are_refused,
);

/// A profile whose NIK carries its birth date (a woman's day of birth plus 40), as the API checks.
fn profile(
    name: &str,
    last4: &str,
    born: &str,
    gender: &str,
    education: &str,
    disability: bool,
) -> Value {
    let date = chrono::NaiveDate::parse_from_str(born, "%Y-%m-%d").unwrap();
    let day = date.format("%d").to_string().parse::<u32>().unwrap()
        + if gender == "female" { 40 } else { 0 };
    let nik = format!("317401{day:02}{}{last4}", date.format("%m%y"));
    json!({
        "full_name": name, "nik": nik,
        "birth_date": born, "gender": gender, "education_level": education,
        "province_code": "31", "city": "Jakarta Timur", "disability": disability,
        "consent": true
    })
}

struct Scenario {
    f: Fair,
    citra: Seeker,
    hires: Vec<String>,
}

/// Fair F with its four job seekers, the check-ins through the door and Ani's and Bayu's hires
/// (reported by the employer; Ani confirms hers, staff verify Bayu's).
async fn scenario(app: &TestApp) -> Scenario {
    let f = Fair::by(app, "organizer@served.id")
        .running()
        .published()
        .await;
    let hr = Employer::at(app, &f, "hr@served.id", true).await;
    let vacancy = hr.vacancy(app, &f, json!({"openings": 4})).await;
    let local_today = bursa::placements::local_date(f.starts_at.naive_utc(), "31");
    let bayu_born = (local_today + Duration::days(3))
        .checked_sub_months(Months::new(25 * 12))
        .unwrap()
        .to_string();
    let ani = Seeker::with_profile(
        app,
        "ani@served.id",
        profile("Ani Lestari", "0001", "1990-06-01", "female", "s1", false),
    )
    .await;
    let bayu = Seeker::with_profile(
        app,
        "bayu@served.id",
        profile("Bayu Saputra", "0002", &bayu_born, "male", "sma", true),
    )
    .await;
    let citra = Seeker::with_profile(
        app,
        "citra@served.id",
        profile("Citra Dewi", "0003", "1970-01-01", "female", "smk", false),
    )
    .await;
    let dedi = Seeker::with_profile(
        app,
        "dedi@served.id",
        profile("Dedi Kurnia", "0004", "1999-01-01", "male", "sma", false),
    )
    .await;
    for seeker in [&ani, &bayu, &citra] {
        let code = seeker.register(app, &f.event).await;
        check_in(app, &f.event, &f.organizer, &code).await;
    }
    dedi.register(app, &f.event).await;
    app.assert_kept_figures();

    // Applications written around the API (their history is not what is tested here), then
    // counted as the API would have.
    let applications: Vec<String> = [&ani, &bayu]
        .iter()
        .map(|s| apply(app, &f, &vacancy, &s.id, &["applied", "offered"]))
        .collect();
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();
    let mut hires = Vec::new();
    for application in applications {
        let hire = app
            .post(
                "/api/v1/placements",
                Some(&hr.token),
                json!({
                    "application_id": application, "start_date": (Utc::now().date_naive() + Duration::days(7)).to_string(),
                    "salary_idr": 5_200_000, "contract_type": "contract", "occupation_code": "8344"
                }),
            )
            .await
            .assert(201)
            .id();
        hires.push(hire);
    }
    app.post(
        &format!("/api/v1/placements/{}/confirm", hires[0]),
        Some(&ani.token),
        json!({}),
    )
    .await
    .assert(200);
    app.post(
        &format!("/api/v1/placements/{}/verify", hires[1]),
        Some(&f.organizer),
        json!({"method": "phone"}),
    )
    .await
    .assert(200);
    app.assert_kept_figures();
    Scenario { f, citra, hires }
}

async fn rollup(app: &TestApp, token: &str, query: &str) -> Value {
    app.get(&format!("/api/v1/metrics?{query}"), Some(token))
        .await
        .assert(200)
        .body
        .clone()
}

fn cell(attendees: i64, placed: i64) -> Value {
    let rate = if attendees == 0 {
        Value::Null
    } else {
        json!(placed as f64 / attendees as f64)
    };
    json!({"attendees": attendees, "placed_attendees": placed, "placement_rate": rate})
}

/// A breakdown with every value of a dimension at zero but those given.
fn dimension(values: &[&str], given: &[(&str, Value)]) -> Value {
    let mut map = serde_json::Map::new();
    for value in values {
        map.insert((*value).to_owned(), cell(0, 0));
    }
    for (value, cell) in given {
        map.insert((*value).to_owned(), cell.clone());
    }
    Value::Object(map)
}

const GENDERS: &[&str] = &["female", "male"];
const AGE_BANDS: &[&str] = &["15-24", "25-34", "35-44", "45-54", "55+", "unknown"];
const EDUCATION: &[&str] = &[
    "sd", "smp", "sma", "smk", "d1", "d2", "d3", "d4", "s1", "s2", "s3",
];
const DISABILITY: &[&str] = &["false", "true"];

async fn breakdowns_and_retention_are_kept_by_the_apis_writes(app: TestApp) {
    let admin = app.admin_token().await;
    let s = scenario(&app).await;

    let body = rollup(&app, &admin, "group_by=province").await;
    let expected = json!({
        "gender": dimension(GENDERS, &[("female", cell(2, 1)), ("male", cell(1, 1))]),
        "age_band": dimension(AGE_BANDS, &[("15-24", cell(1, 1)), ("35-44", cell(1, 1)), ("55+", cell(1, 0))]),
        "education_level": dimension(EDUCATION, &[("s1", cell(1, 1)), ("sma", cell(1, 1)), ("smk", cell(1, 0))]),
        "disability": dimension(DISABILITY, &[("false", cell(2, 1)), ("true", cell(1, 1))]),
    });
    assert_eq!(body["rows"][0]["key"], json!("31"));
    assert_eq!(body["rows"][0]["breakdowns"], expected);
    assert_eq!(body["totals"]["breakdowns"], expected);
    assert_eq!(body["totals"]["attendees"], json!(3));
    assert_eq!(body["totals"]["placed_attendees"], json!(2));
    assert_eq!(body["totals"]["events_costed_at_budget"], json!(1));
    // The event's own figures, computed from its rows, say the same for the values that occur.
    let own = app
        .get(
            &format!("/api/v1/events/{}/metrics", s.f.event),
            Some(&admin),
        )
        .await
        .assert(200)
        .body["breakdowns"]
        .clone();
    for (dimension, cells) in own.as_object().unwrap() {
        for (value, own_cell) in cells.as_object().unwrap() {
            assert_eq!(&expected[dimension][value], own_cell, "{dimension} {value}");
        }
    }

    // Citra's education changes through the API: the kept cells follow.
    app.patch(
        &format!("/api/v1/job-seekers/{}", s.citra.id),
        Some(&s.citra.token),
        json!({"education_level": "d3"}),
    )
    .await
    .assert(200);
    app.assert_kept_figures();
    let body = rollup(&app, &admin, "group_by=province").await;
    let education = &body["totals"]["breakdowns"]["education_level"];
    assert_eq!(education["smk"], cell(0, 0));
    assert_eq!(education["d3"], cell(1, 0));

    // The fair moves four days on: Bayu turns 25 by its first day.
    let start = s.f.starts_at + Duration::days(4);
    app.patch(
        &format!("/api/v1/events/{}", s.f.event),
        Some(&s.f.organizer),
        json!({"starts_at": start.to_rfc3339(), "ends_at": (start + Duration::hours(8)).to_rfc3339()}),
    )
    .await
    .assert(200);
    app.assert_kept_figures();
    let body = rollup(&app, &admin, "group_by=province").await;
    let ages = &body["totals"]["breakdowns"]["age_band"];
    assert_eq!(ages["15-24"], cell(0, 0));
    assert_eq!(ages["25-34"], cell(1, 1));

    // Retention: the hires started in March (written around the API and recounted), then
    // follow-ups through the API. Ani: employed at 96 and at 203 days; Bayu: not at 96 days.
    diesel::update(placements::table.filter(placements::id.eq_any(&s.hires)))
        .set(placements::start_date.eq(chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap()))
        .execute(&mut *app.conn())
        .unwrap();
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();
    let empty = rollup(&app, &admin, "group_by=province").await;
    assert_eq!(empty["totals"]["retention_90d_checked"], json!(0));
    assert_eq!(empty["totals"]["retention_90d_rate"], Value::Null);
    for (hire, on, employed) in [
        (&s.hires[0], "2026-06-05", true),
        (&s.hires[1], "2026-06-05", false),
        (&s.hires[0], "2026-09-20", true),
    ] {
        app.post(
            &format!("/api/v1/placements/{hire}/follow-ups"),
            Some(&s.f.organizer),
            json!({"checked_on": on, "employed": employed, "same_employer": employed, "source": "staff"}),
        )
        .await
        .assert(201);
    }
    app.assert_kept_figures();
    let body = rollup(&app, &admin, "group_by=province").await;
    for figures in [&body["rows"][0], &body["totals"]] {
        assert_eq!(figures["retention_90d_checked"], json!(2));
        assert_eq!(figures["retention_90d_employed"], json!(1));
        assert_eq!(figures["retention_90d_rate"], json!(0.5));
        assert_eq!(figures["retention_180d_checked"], json!(1));
        assert_eq!(figures["retention_180d_employed"], json!(1));
        assert_eq!(figures["retention_180d_rate"], json!(1.0));
    }
}

/// Fair G: another organizer's, in province 94 on 10 February 2026 (local), closed with its
/// real spending: it is not costed at its budget.
async fn closed_fair(app: &TestApp) -> Fair {
    let g = Fair::by(app, "organizer@papua.id").published().await;
    move_event(app, &g, "2026-02-10 03:00:00", "94");
    diesel::update(events::table.find(&g.event))
        .set((
            events::status.eq("closed"),
            events::spent_idr.eq(Some(20_000_000_i64)),
        ))
        .execute(&mut *app.conn())
        .unwrap();
    g
}

async fn quarters_cross_tabs_and_fill(app: TestApp) {
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    let s = scenario(&app).await;
    closed_fair(&app).await;
    let local_today = bursa::placements::local_date(s.f.starts_at.naive_utc(), "31");
    let this_quarter = format!(
        "{}-Q{}",
        local_today.format("%Y"),
        (local_today.format("%m").to_string().parse::<u32>().unwrap() - 1) / 3 + 1
    );

    let body = rollup(&app, &ministry, "group_by=quarter").await;
    let keys: Vec<&str> = body["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["key"].as_str().unwrap())
        .collect();
    assert_eq!(keys, vec!["2026-Q1", this_quarter.as_str()]);
    assert_eq!(body["rows"][0]["events"], json!(1));
    assert_eq!(body["rows"][0]["events_costed_at_budget"], json!(0));
    assert_eq!(body["rows"][0]["cost_idr"], json!(20_000_000));
    assert_eq!(body["totals"]["events"], json!(2));
    assert_eq!(body["totals"]["events_costed_at_budget"], json!(1));
    assert!(
        body["rows"][0].get("keys").is_none(),
        "one dimension has no keys"
    );

    // Every quarter of 2026, with zeros and nulls where no fair was held.
    let body = rollup(
        &app,
        &ministry,
        "group_by=quarter&fill=true&from=2026-01-01&to=2026-12-31",
    )
    .await;
    let rows = body["rows"].as_array().unwrap();
    let keys: Vec<&str> = rows.iter().map(|r| r["key"].as_str().unwrap()).collect();
    assert_eq!(keys, vec!["2026-Q1", "2026-Q2", "2026-Q3", "2026-Q4"]);
    let q2 = &rows[1];
    assert_eq!(q2["events"], json!(0));
    assert_eq!(q2["attendees"], json!(0));
    assert_eq!(q2["placement_rate"], Value::Null);
    assert_eq!(q2["retention_90d_rate"], Value::Null);
    assert_eq!(q2["breakdowns"]["gender"], dimension(GENDERS, &[]));
    assert_eq!(
        q2["breakdowns"]["education_level"],
        dimension(EDUCATION, &[])
    );

    // A cross-tab: keys in order, joined by "/", labelled by the province's name.
    let body = rollup(&app, &ministry, "group_by=province,quarter").await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0]["key"], json!(format!("31/{this_quarter}")));
    assert_eq!(rows[0]["keys"], json!(["31", this_quarter]));
    assert_eq!(
        rows[0]["label"],
        json!(format!("DKI Jakarta / {this_quarter}"))
    );
    assert_eq!(rows[0]["attendees"], json!(3));
    assert_eq!(rows[1]["key"], json!("94/2026-Q1"));
    assert_eq!(rows[1]["label"], json!("Papua Tengah / 2026-Q1"));
    assert_eq!(body["group_by"], json!("province,quarter"));

    // Filled: all 38 provinces, each with every month of the first quarter.
    let body = rollup(
        &app,
        &ministry,
        "group_by=province,month&fill=true&from=2026-01-01&to=2026-03-31",
    )
    .await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 38 * 3);
    assert_eq!(
        rows.iter()
            .map(|r| r["events"].as_i64().unwrap())
            .sum::<i64>(),
        1
    );
    let papua = rows
        .iter()
        .find(|r| r["key"] == json!("94/2026-02"))
        .unwrap();
    assert_eq!(papua["events"], json!(1));
    let keys: Vec<String> = rows
        .iter()
        .map(|r| r["key"].as_str().unwrap().to_owned())
        .collect();
    let mut sorted = keys.clone();
    sorted.sort();
    assert_eq!(keys, sorted, "rows are ordered by key");
    assert_eq!(keys[0], "11/2026-01");

    // One province asked for: that one alone, filled.
    let body = rollup(
        &app,
        &ministry,
        "group_by=province&fill=true&province_code=94",
    )
    .await;
    assert_eq!(body["rows"].as_array().unwrap().len(), 1);
    let body = rollup(&app, &ministry, "group_by=funding_source&fill=true").await;
    assert!(body["rows"].as_array().unwrap().len() >= 2);

    // An organizer's filled organizations are their own.
    let body = rollup(&app, &s.f.organizer, "group_by=organization&fill=true").await;
    let rows = body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0]["key"], json!(s.f.office));

    // The export carries the new columns.
    let file = download(
        &app,
        "/api/v1/metrics/export?group_by=province,quarter&format=csv",
        Some(&ministry),
    )
    .await;
    assert_eq!(file.status, 200);
    let text = String::from_utf8(file.bytes).unwrap();
    let header = text.lines().next().unwrap();
    for column in [
        "events_costed_at_budget",
        "retention_90d_rate",
        "gender_female_attendees",
        "disability_true_placement_rate",
        "education_level_s3_placed_attendees",
    ] {
        assert!(header.contains(column), "{column} in {header}");
    }
    // The breakdown cells of the row of F, as in the JSON: 3 attendees, 2 of them women.
    let columns: Vec<&str> = header.split(',').collect();
    let line = text
        .lines()
        .find(|l| l.starts_with(&format!("31/{this_quarter},")))
        .expect("the row of F");
    let cells: Vec<&str> = line.split(',').collect();
    let cell = |name: &str| cells[columns.iter().position(|c| *c == name).unwrap()];
    assert_eq!(cell("attendees"), "3");
    assert_eq!(cell("gender_female_attendees"), "2");
    assert_eq!(cell("gender_male_placed_attendees"), "1");
    assert_eq!(cell("gender_male_placement_rate"), "1");
    assert_eq!(cell("education_level_sd_placement_rate"), "");
    assert_eq!(cell("events_costed_at_budget"), "1");
}

async fn bad_groupings_are_refused(app: TestApp) {
    let admin = app.admin_token().await;
    for query in [
        "group_by=province,province",
        "group_by=province,month,year",
        "group_by=week",
        "group_by=province,",
        "group_by=quarter&fill=yes",
    ] {
        let response = app
            .get(&format!("/api/v1/metrics?{query}"), Some(&admin))
            .await;
        let fields = response.assert(422).fields();
        let named = if query.contains("fill=yes") {
            "fill"
        } else {
            "group_by"
        };
        assert!(
            fields.iter().any(|f| f == named),
            "{query}: {}",
            response.body
        );
    }
}
