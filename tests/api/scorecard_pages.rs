//! The public scorecard PAGE (`/events/{id}/scorecard`) follows the small-cell rule of
//! METRICS.md ("Breakdowns") exactly as the API does: it shows the cells the API's scorecard
//! shows, with their figures, and nothing of a hidden cell — no row, no label, no percentage —
//! on three fairs: one with a 1-attendee cell, one with fewer than 5 attendees, and one where a
//! hidden cell would be recovered by subtraction unless the smallest shown cell goes too.

use bursa::locale;
use bursa::users::Language;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::rows::{apply, move_event, place, register, seeker};
use crate::fixtures::{Employer, Fair};

db_tests!(
    a_one_attendee_cell_is_not_on_the_page,
    a_fair_under_five_attendees_shows_no_breakdown,
    a_cell_recoverable_by_subtraction_is_not_on_the_page,
);

/// One attendee: sex, education, disability, placed (verified).
type Person = (&'static str, &'static str, bool, bool);

/// A fair in Jakarta on 1 March 2026, closed, whose attendees are `people` (all born on
/// 1 January 2000: one age band).
async fn closed_fair(app: &TestApp, tag: &str, people: &[Person]) -> Fair {
    let f = Fair::by(app, &format!("organizer@{tag}.id"))
        .published()
        .await;
    let hr = Employer::at(app, &f, &format!("hr@{tag}.id"), true).await;
    let v = hr.vacancy(app, &f, json!({"openings": 20})).await;
    move_event(app, &f, "2026-03-01 02:00:00", "31");
    app.post(
        &format!("/api/v1/events/{}/close", f.event),
        Some(&f.organizer),
        json!({"spent_idr": 10_000_000_i64, "notes": "selesai"}),
    )
    .await
    .assert(200);
    for (gender, education, disability, placed) in people {
        let s = seeker(app, &f, Some("2000-01-01"), gender, education, *disability);
        register(app, &f, &s, true);
        if *placed {
            let a = apply(app, &f, &v, &s, &["applied", "hired"]);
            place(
                app,
                &f,
                (&a, &v, &s, &hr.company),
                "verified",
                "2026-03-15",
                &[],
            );
        }
    }
    f
}

async fn page(app: &TestApp, f: &Fair) -> String {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut response = client
        .get(app.url(&format!("/events/{}/scorecard", f.event)))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let body = response.body().limit(1 << 20).await.unwrap();
    String::from_utf8_lossy(&body).into_owned()
}

async fn api(app: &TestApp, f: &Fair) -> Value {
    let resp = app
        .get(&format!("/api/v1/events/{}/scorecard", f.event), None)
        .await;
    resp.assert(200);
    resp.body["breakdowns"].clone()
}

/// The HTML of the page's table of `dimension`, if it has one.
fn table<'a>(body: &'a str, dimension: &str) -> Option<&'a str> {
    let start = body.find(&format!("<table id=\"by-{dimension}\">"))?;
    let end = body[start..].find("</table>")?;
    Some(&body[start..start + end])
}

/// The rows of a table: (label, attendees, placed, rate), as the page shows them.
fn rows(table: &str) -> Vec<[String; 4]> {
    let cell = |row: &str, open: &str, close: &str, from: usize| -> (String, usize) {
        let start = row[from..].find(open).unwrap() + from + open.len();
        let end = row[start..].find(close).unwrap() + start;
        (row[start..end].to_owned(), end)
    };
    table
        .split("<tr>")
        .skip(2) // before the header row, the header row
        .map(|row| {
            let (label, at) = cell(row, "<th scope=\"row\">", "</th>", 0);
            let (attendees, at) = cell(row, "<td>", "</td>", at);
            let (placed, at) = cell(row, "<td>", "</td>", at);
            let (rate, _) = cell(row, "<td>", "</td>", at);
            [label, attendees, placed, rate]
        })
        .collect()
}

/// The page's label of a breakdown value, as the page writes it in Indonesian.
fn label(dimension: &str, value: &str) -> String {
    match (dimension, value) {
        ("gender", "female") => "Perempuan".to_owned(),
        ("gender", "male") => "Laki-laki".to_owned(),
        ("disability", "true") => "Penyandang disabilitas".to_owned(),
        ("disability", "false") => "Tanpa disabilitas".to_owned(),
        ("age_band", band) => format!("{band} tahun"),
        (_, value) => value.to_uppercase(),
    }
}

/// Every table of the page holds exactly the API's public cells, with the same figures, and
/// a dimension the API hides whole has no table.
fn page_matches_the_api(body: &str, breakdowns: &Value) {
    for dimension in ["gender", "age_band", "education_level", "disability"] {
        let cells = breakdowns[dimension].as_object().unwrap();
        let Some(table) = table(body, dimension) else {
            assert!(cells.is_empty(), "{dimension}: no table for {cells:?}");
            continue;
        };
        let expected: Vec<[String; 4]> = cells
            .iter()
            .map(|(value, cell)| {
                let n = |field: &str| cell[field].as_i64().unwrap();
                [
                    label(dimension, value),
                    locale::number(n("attendees"), Language::Id),
                    locale::number(n("placed_attendees"), Language::Id),
                    locale::percent(cell["placement_rate"].as_f64().unwrap(), Language::Id),
                ]
            })
            .collect();
        assert_eq!(rows(table), expected, "{dimension}");
    }
}

async fn a_one_attendee_cell_is_not_on_the_page(app: TestApp) {
    // Ten attendees, five women and five men; one man has a disability and was placed.
    let mut people: Vec<Person> = vec![("female", "smk", false, false); 5];
    people[0].3 = true;
    people.extend(vec![("male", "smk", false, false); 4]);
    people[5].3 = true;
    people.push(("male", "smk", true, true));
    let f = closed_fair(&app, "one", &people).await;

    let breakdowns = api(&app, &f).await;
    // The disability breakdown goes whole: "true" has 1, and "false" (9) would give it away.
    assert_eq!(breakdowns["disability"], json!({}));
    assert_eq!(breakdowns["gender"]["male"]["attendees"], 5);
    let body = page(&app, &f).await;
    page_matches_the_api(&body, &breakdowns);
    assert!(table(&body, "disability").is_none(), "{body}");
    for hidden in [
        "Menurut disabilitas",
        "Penyandang disabilitas",
        "Tanpa disabilitas",
    ] {
        assert!(!body.contains(hidden), "{hidden} in {body}");
    }
    assert!(
        body.contains("Beberapa kelompok kecil disembunyikan"),
        "{body}"
    );
    // The cells shown: 5 women (1 placed, 20%), 5 men (2 placed, 40%), one age band, smk.
    let gender = rows(table(&body, "gender").unwrap());
    assert_eq!(
        gender,
        [
            [
                "Perempuan".to_owned(),
                "5".to_owned(),
                "1".to_owned(),
                locale::percent(0.2, Language::Id)
            ],
            [
                "Laki-laki".to_owned(),
                "5".to_owned(),
                "2".to_owned(),
                locale::percent(0.4, Language::Id)
            ],
        ]
    );
    assert_eq!(rows(table(&body, "age_band").unwrap()).len(), 1);
    assert_eq!(rows(table(&body, "education_level").unwrap())[0][0], "SMK");
}

async fn a_fair_under_five_attendees_shows_no_breakdown(app: TestApp) {
    let people: Vec<Person> = vec![
        ("female", "smk", false, true),
        ("female", "smk", false, false),
        ("male", "sma", true, false),
        ("male", "smk", false, false),
    ];
    let f = closed_fair(&app, "four", &people).await;
    let breakdowns = api(&app, &f).await;
    for dimension in ["gender", "age_band", "education_level", "disability"] {
        assert_eq!(breakdowns[dimension], json!({}), "{dimension}");
    }
    let body = page(&app, &f).await;
    page_matches_the_api(&body, &breakdowns);
    assert!(!body.contains("<table"), "{body}");
    assert!(
        body.contains("Tidak ada rincian yang dapat ditampilkan."),
        "{body}"
    );
    assert!(
        body.contains("Beberapa kelompok kecil disembunyikan"),
        "{body}"
    );
    for hidden in [
        "Perempuan",
        "Laki-laki",
        "SMK",
        "SMA",
        "Penyandang disabilitas",
        "25-34 tahun",
    ] {
        assert!(!body.contains(hidden), "{hidden} in {body}");
    }
}

async fn a_cell_recoverable_by_subtraction_is_not_on_the_page(app: TestApp) {
    // Fourteen attendees: smk 7 (1 placed), sma 5 (3 placed), s1 2 (both placed). s1 alone
    // would be 2 = 14 − 7 − 5, so sma goes too: the page shows smk alone, and nothing of sma
    // (its 60%) or s1.
    let mut people: Vec<Person> = Vec::new();
    for i in 0..7 {
        people.push((if i < 4 { "female" } else { "male" }, "smk", false, i == 0));
    }
    for i in 0..5 {
        people.push((if i < 2 { "female" } else { "male" }, "sma", false, i < 3));
    }
    people.push(("female", "s1", false, true));
    people.push(("male", "s1", false, true));
    let f = closed_fair(&app, "subtract", &people).await;

    let breakdowns = api(&app, &f).await;
    assert_eq!(
        breakdowns["education_level"],
        json!({"smk": {"attendees": 7, "placed_attendees": 1, "placement_rate": 1.0 / 7.0}})
    );
    let body = page(&app, &f).await;
    page_matches_the_api(&body, &breakdowns);
    let education = table(&body, "education_level").unwrap();
    assert_eq!(
        rows(education),
        [[
            "SMK".to_owned(),
            "7".to_owned(),
            "1".to_owned(),
            locale::percent(1.0 / 7.0, Language::Id)
        ]]
    );
    for hidden in ["SMA", "S1", &locale::percent(0.6, Language::Id)] {
        assert!(!education.contains(hidden), "{hidden} in {education}");
    }
    // The hidden rest is 7 people, never 1 to 4: nothing can be recovered by subtraction.
    let shown: i64 = rows(education)
        .iter()
        .map(|r| r[1].parse::<i64>().unwrap())
        .sum();
    assert_eq!(14 - shown, 7);
    // The other breakdowns are whole: 7 women and 7 men, one age band, no disability.
    assert_eq!(rows(table(&body, "gender").unwrap()).len(), 2);
    assert_eq!(
        rows(table(&body, "disability").unwrap()),
        [[
            "Tanpa disabilitas".to_owned(),
            "14".to_owned(),
            "6".to_owned(),
            locale::percent(6.0 / 14.0, Language::Id)
        ]]
    );
    assert!(
        body.contains("Beberapa kelompok kecil disembunyikan"),
        "{body}"
    );
}
