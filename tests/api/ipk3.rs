//! `GET /api/v1/reports/ipk3` and the page `/reports/ipk3`: the Disnaker labour-market report of
//! a province and semester (docs/ipk3.md), read back with a real XLSX reader and held to values
//! computed by hand, on both engines; the scope (province, semester at the local date's
//! boundary, included events), each organizer's own fairs only, who may ask, bad parameters.
//!
//! The scenario:
//!
//! | event | organizer | province | local start | status |
//! |---|---|---|---|---|
//! | E1 | O1 | 31 | 2026-03-10 | published |
//! | E2 | O1 | 31 | 2026-07-01 00:30 WIB (30 June 17:30 UTC) | published: semester 2 |
//! | E3 | O1 | 32 | 2026-02-01 | published: another province |
//! | E4 | O2 | 31 | 2026-06-30 23:30 WIB (16:30 UTC) | closed |
//! | E5 | O1 | 31 | 2026-03-10 | draft: never counts |
//!
//! | seeker | born | sex | education | fairs (31, 2026-1) | verified placements there |
//! |---|---|---|---|---|---|
//! | a | 2001-04-01 | male | sma | E1 (checked in), E4 | E1 v1 (8344) |
//! | b | 2006-01-01 | female | smk | E1 (not checked in) | none (one disputed) |
//! | c | 1966-01-01 | female | s1 | E1 | E1 v2 (2512, confirmed), E1 v1 (8344) |
//! | d | — | male | smp | E1 | none (one reported, one retracted) |
//! | e | 1990-01-01 | female | d3 | E4 | E4 v4 (5223) |
//! | h | 1985-06-15 | male | sd | E4 | none (retracted) |
//! | f | 1995-01-01 | male | s1 | E2, E3, E5 | E2 and E3 (out of scope) |
//!
//! a is 24 at E1 and 25 at E4: their band is that of their first fair of the scope (20-24 in
//! the whole province, 25-29 in O2's report, which has only E4).
//! Vacancies: E1 v1 8344 × 3, v2 2512 × 2; E4 v4 5223 × 5, v4b 9329 × 1; E2 8344 × 7; E3 8344
//! × 11.

use bursa::auth::Role;
use bursa::db::schema::events;
use calamine::{Data, DataType, Reader, Xlsx};
use diesel::prelude::*;
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::exports::download;
use crate::fixtures::rows::{apply, move_event, place, register, seeker};
use crate::fixtures::{Employer, Fair};
use crate::web::Phone;

db_tests!(
    the_report_of_a_province_and_semester_by_hand,
    organizers_count_their_own_fairs_only,
    who_may_ask_and_bad_parameters,
    the_page_downloads_the_report_with_the_site_session,
    the_links_to_the_page_are_shown_to_whom_it_opens_for,
);

const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

struct Scenario {
    o1: Fair,
    o2: Fair,
}

async fn scenario(app: &TestApp) -> Scenario {
    let o1 = Fair::by(app, "organizer@east.id").published().await;
    let e2 = o1.another(app).published().await;
    let e3 = o1.another(app).published().await;
    let o2 = Fair::by(app, "organizer@west.id").published().await;
    let e5 = o1.another(app).draft().await;

    let s = |birth, gender, education| seeker(app, &o1, birth, gender, education, false);
    let a = s(Some("2001-04-01"), "male", "sma");
    let b = s(Some("2006-01-01"), "female", "smk");
    let c = s(Some("1966-01-01"), "female", "s1");
    let d = s(None, "male", "smp");
    let e = s(Some("1990-01-01"), "female", "d3");
    let h = s(Some("1985-06-15"), "male", "sd");
    let f = s(Some("1995-01-01"), "male", "s1");

    // E1.
    let hr = Employer::at(app, &o1, "hr@a.id", true).await;
    let v1 = hr.vacancy(app, &o1, json!({"openings": 3})).await;
    let v2 = hr
        .vacancy(app, &o1, json!({"openings": 2, "occupation_code": "2512"}))
        .await;
    let co = hr.company.as_str();
    register(app, &o1, &a, true);
    register(app, &o1, &b, false);
    register(app, &o1, &c, true);
    register(app, &o1, &d, true);
    let x = apply(app, &o1, &v1, &a, &["applied", "hired"]);
    place(app, &o1, (&x, &v1, &a, co), "verified", "2026-04-01", &[]);
    let x = apply(app, &o1, &v1, &b, &["applied", "hired"]);
    place(app, &o1, (&x, &v1, &b, co), "disputed", "2026-04-01", &[]);
    let x = apply(app, &o1, &v2, &c, &["applied", "hired"]);
    place(app, &o1, (&x, &v2, &c, co), "confirmed", "2026-04-01", &[]);
    let x = apply(app, &o1, &v1, &c, &["applied", "hired"]);
    place(app, &o1, (&x, &v1, &c, co), "verified", "2026-04-01", &[]);
    let x = apply(app, &o1, &v1, &d, &["applied", "hired"]);
    place(app, &o1, (&x, &v1, &d, co), "reported", "2026-04-01", &[]);
    let x = apply(app, &o1, &v2, &d, &["applied", "hired"]);
    place(app, &o1, (&x, &v2, &d, co), "retracted", "2026-04-01", &[]);
    move_event(app, &o1, "2026-03-10 03:00:00", "31");

    // E4, of the other organizer, closed.
    let hr = Employer::at(app, &o2, "hr@c.id", true).await;
    let v4 = hr
        .vacancy(app, &o2, json!({"openings": 5, "occupation_code": "5223"}))
        .await;
    hr.vacancy(app, &o2, json!({"openings": 1, "occupation_code": "9329"}))
        .await;
    let co = hr.company.as_str();
    register(app, &o2, &a, true);
    register(app, &o2, &e, true);
    register(app, &o2, &h, true);
    let x = apply(app, &o2, &v4, &e, &["applied", "hired"]);
    place(app, &o2, (&x, &v4, &e, co), "verified", "2026-07-01", &[]);
    let x = apply(app, &o2, &v4, &h, &["applied", "hired"]);
    place(app, &o2, (&x, &v4, &h, co), "retracted", "2026-07-01", &[]);
    move_event(app, &o2, "2026-06-30 16:30:00", "31");
    diesel::update(events::table.find(&o2.event))
        .set((
            events::status.eq("closed"),
            events::spent_idr.eq(Some(1_000_000_i64)),
        ))
        .execute(&mut *app.conn())
        .unwrap();

    // E2 (semester 2) and E3 (province 32): f placed at both.
    for (fair, email, start, province) in [
        (&e2, "hr@e2.id", "2026-06-30 17:30:00", "31"),
        (&e3, "hr@e3.id", "2026-02-01 03:00:00", "32"),
    ] {
        let hr = Employer::at(app, fair, email, true).await;
        let openings = if province == "31" { 7 } else { 11 };
        let v = hr.vacancy(app, fair, json!({"openings": openings})).await;
        register(app, fair, &f, true);
        let x = apply(app, fair, &v, &f, &["applied", "hired"]);
        place(
            app,
            fair,
            (&x, &v, &f, &hr.company),
            "verified",
            "2026-08-01",
            &[],
        );
        move_event(app, fair, start, province);
    }
    // E5, a draft in the province and semester.
    register(app, &e5, &f, true);
    move_event(app, &e5, "2026-03-10 03:00:00", "31");

    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();
    Scenario { o1, o2 }
}

/// A workbook's sheets, each cell as text (numbers as calamine shows them: `3`, not `3.0`).
struct Book {
    names: Vec<String>,
    sheets: Vec<Vec<Vec<String>>>,
}

impl Book {
    fn read(bytes: &[u8]) -> Book {
        let mut book: Xlsx<_> =
            calamine::open_workbook_from_rs(std::io::Cursor::new(bytes.to_vec())).unwrap();
        let names = book.sheet_names();
        let sheets = names
            .iter()
            .map(|name| {
                book.worksheet_range(name)
                    .unwrap()
                    .rows()
                    .map(|row| row.iter().map(text).collect())
                    .collect()
            })
            .collect();
        Book { names, sheets }
    }

    fn sheet(&self, i: usize) -> &[Vec<String>] {
        &self.sheets[i]
    }

    /// The rows of sheet `i` after its header, keyed by their first cell.
    fn row(&self, i: usize, key: &str) -> Vec<i64> {
        let row = self.sheet(i)[1..]
            .iter()
            .find(|r| r[0] == key)
            .unwrap_or_else(|| panic!("no row {key} in sheet {}", self.names[i]));
        row.iter()
            .skip(if i == 3 { 2 } else { 1 })
            .map(|cell| cell.parse().unwrap())
            .collect()
    }
}

/// A cell as text; a date cell as `YYYY-MM-DD`.
fn text(cell: &Data) -> String {
    match cell {
        Data::DateTime(_) => cell.as_date().map(|d| d.to_string()).unwrap_or_default(),
        _ => cell.to_string(),
    }
}

async fn report(app: &TestApp, query: &str, token: &str) -> Book {
    let file = download(app, &format!("/api/v1/reports/ipk3?{query}"), Some(token)).await;
    file.assert(200);
    assert_eq!(file.header("content-type"), XLSX_TYPE);
    assert_eq!(file.header("cache-control"), "no-store");
    Book::read(&file.bytes)
}

const PEOPLE_HEADER: [&str; 6] = [
    "registered_male",
    "registered_female",
    "registered_total",
    "placed_male",
    "placed_female",
    "placed_total",
];

async fn the_report_of_a_province_and_semester_by_hand(app: TestApp) {
    scenario(&app).await;
    let admin = app.admin_token().await;
    let file = download(
        &app,
        "/api/v1/reports/ipk3?province_code=31&semester=2026-1",
        Some(&admin),
    )
    .await;
    file.assert(200);
    assert_eq!(
        file.header("content-disposition"),
        "attachment; filename=\"ipk3-31-2026-1.xlsx\""
    );
    let book = Book::read(&file.bytes);
    assert_eq!(
        book.names,
        [
            "Summary",
            "By age and sex",
            "By education",
            "By occupation",
            "Notes"
        ]
    );

    // Summary: E1 and E4; a, b, c, d, e, h registered; a, c, e placed; 4 vacancies, 11
    // openings; 4 verified placements (c's two count twice).
    let summary = book.sheet(0);
    assert_eq!(
        summary[0],
        [
            "province_code",
            "province_name",
            "semester",
            "period_from",
            "period_to",
            "coverage",
            "events",
            "registered_total",
            "placed_total",
            "vacancies",
            "openings",
            "placements_total"
        ]
    );
    assert_eq!(summary.len(), 2);
    assert_eq!(summary[1][0], "31");
    assert_eq!(summary[1][1], "DKI Jakarta");
    assert_eq!(summary[1][2], "2026-1");
    assert_eq!(summary[1][3], "2026-01-01");
    assert_eq!(summary[1][4], "2026-06-30");
    assert_eq!(summary[1][5], "all");
    assert_eq!(summary[1][6..], ["2", "6", "3", "4", "11", "4"]);

    // By age and sex: every band in order, then the total.
    let age = book.sheet(1);
    let mut header = vec!["age_band"];
    header.extend(PEOPLE_HEADER);
    assert_eq!(age[0], header);
    let keys: Vec<&str> = age[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        keys,
        [
            "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60+",
            "unknown", "total"
        ]
    );
    assert_eq!(book.row(1, "20-24"), [1, 1, 2, 1, 0, 1]); // a (first fair E1), b
    assert_eq!(book.row(1, "25-29"), [0, 0, 0, 0, 0, 0]);
    assert_eq!(book.row(1, "35-39"), [0, 1, 1, 0, 1, 1]); // e
    assert_eq!(book.row(1, "40-44"), [1, 0, 1, 0, 0, 0]); // h
    assert_eq!(book.row(1, "60+"), [0, 1, 1, 0, 1, 1]); // c
    assert_eq!(book.row(1, "unknown"), [1, 0, 1, 0, 0, 0]); // d
    assert_eq!(book.row(1, "15-19"), [0, 0, 0, 0, 0, 0]);
    assert_eq!(book.row(1, "total"), [3, 3, 6, 1, 2, 3]);

    // By education: every level in order, then the total.
    let education = book.sheet(2);
    assert_eq!(education[0][0], "education_level");
    let keys: Vec<&str> = education[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        keys,
        ["sd", "smp", "sma", "smk", "d1", "d2", "d3", "d4", "s1", "s2", "s3", "total"]
    );
    assert_eq!(book.row(2, "sd"), [1, 0, 1, 0, 0, 0]); // h
    assert_eq!(book.row(2, "smp"), [1, 0, 1, 0, 0, 0]); // d
    assert_eq!(book.row(2, "sma"), [1, 0, 1, 1, 0, 1]); // a
    assert_eq!(book.row(2, "smk"), [0, 1, 1, 0, 0, 0]); // b
    assert_eq!(book.row(2, "d3"), [0, 1, 1, 0, 1, 1]); // e
    assert_eq!(book.row(2, "s1"), [0, 1, 1, 0, 1, 1]); // c
    assert_eq!(book.row(2, "s3"), [0, 0, 0, 0, 0, 0]);
    assert_eq!(book.row(2, "total"), [3, 3, 6, 1, 2, 3]);

    // By occupation: the 10 major groups with their ISCO-08 titles, then the total.
    let occupation = book.sheet(3);
    assert_eq!(
        occupation[0],
        [
            "major_group",
            "title",
            "vacancies",
            "openings",
            "placements_male",
            "placements_female",
            "placements_total"
        ]
    );
    let keys: Vec<&str> = occupation[1..].iter().map(|r| r[0].as_str()).collect();
    assert_eq!(
        keys,
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "total"]
    );
    assert_eq!(
        occupation[9][1],
        "Plant and machine operators and assemblers"
    );
    assert_eq!(occupation[3][1], "Professionals");
    assert_eq!(book.row(3, "2"), [1, 2, 0, 1, 1]); // v2; c confirmed
    assert_eq!(book.row(3, "5"), [1, 5, 0, 1, 1]); // v4; e
    assert_eq!(book.row(3, "8"), [1, 3, 1, 1, 2]); // v1; a, c
    assert_eq!(book.row(3, "9"), [1, 1, 0, 0, 0]); // v4b
    assert_eq!(book.row(3, "1"), [0, 0, 0, 0, 0]);
    assert_eq!(book.row(3, "total"), [4, 11, 1, 3, 4]);

    // The notes sheet defines every column of every table and says what Bursa cannot fill.
    let notes: String = book
        .sheet(4)
        .iter()
        .flatten()
        .map(|c| format!("{c}\n"))
        .collect();
    for field in [
        "coverage",
        "age_band",
        "education_level",
        "major_group",
        "placed_total",
    ] {
        assert!(notes.contains(field), "{field} is not defined in the notes");
    }
    assert!(notes.contains("outside the fairs"), "{notes}");

    // Ministry staff get the same figures; Indonesian sheets, headers and labels with lang=id.
    let (_, ministry) = app.user("analis@kemnaker.go.id", Role::Ministry).await;
    let same = report(&app, "province_code=31&semester=2026-1", &ministry).await;
    assert_eq!(same.sheets[..4], book.sheets[..4]);
    let id = report(&app, "province_code=31&semester=2026-1&lang=id", &ministry).await;
    assert_eq!(
        id.names,
        [
            "Ringkasan",
            "Umur dan jenis kelamin",
            "Pendidikan",
            "Golongan jabatan",
            "Catatan"
        ]
    );
    assert_eq!(id.sheet(1)[0][0], "Kelompok umur");
    assert_eq!(id.sheet(1)[0][1], "Pencari kerja terdaftar L");
    assert_eq!(id.row(1, "Jumlah"), [3, 3, 6, 1, 2, 3]);
    assert_eq!(id.row(1, "Tidak diketahui"), [1, 0, 1, 0, 0, 0]);
    assert_eq!(id.row(2, "SMA"), [1, 0, 1, 1, 0, 1]);
    assert_eq!(id.row(3, "Jumlah"), [4, 11, 1, 3, 4]);

    // The other semester of the province: E2 only (its local date is 1 July); the other
    // province: E3 only.
    let s2 = report(&app, "province_code=31&semester=2026-2", &admin).await;
    assert_eq!(s2.sheet(0)[1][6..], ["1", "1", "1", "1", "7", "1"]);
    let p32 = report(&app, "province_code=32&semester=2026-1", &admin).await;
    assert_eq!(p32.sheet(0)[1][6..], ["1", "1", "1", "1", "11", "1"]);
    // No fair at all: zeros, every row still there.
    let empty = report(&app, "province_code=94&semester=2025-2", &admin).await;
    assert_eq!(empty.sheet(0)[1][6..], ["0", "0", "0", "0", "0", "0"]);
    assert_eq!(empty.sheet(1).len(), 13);
    assert_eq!(empty.row(3, "total"), [0, 0, 0, 0, 0]);
}

async fn organizers_count_their_own_fairs_only(app: TestApp) {
    let Scenario { o1, o2 } = scenario(&app).await;

    // O1: E1 only (E4 is O2's, E5 a draft): a, b, c, d registered; a and c placed.
    let book = report(&app, "province_code=31&semester=2026-1", &o1.organizer).await;
    assert_eq!(book.sheet(0)[1][5], "own");
    assert_eq!(book.sheet(0)[1][6..], ["1", "4", "2", "2", "5", "3"]);
    assert_eq!(book.row(1, "total"), [2, 2, 4, 1, 1, 2]);
    assert_eq!(book.row(1, "20-24"), [1, 1, 2, 1, 0, 1]);
    assert_eq!(book.row(1, "35-39"), [0, 0, 0, 0, 0, 0]);
    assert_eq!(book.row(3, "5"), [0, 0, 0, 0, 0]);
    assert_eq!(book.row(3, "total"), [2, 5, 1, 2, 3]);

    // O2: E4 only: a (placed at E1, not here: not placed; 25 at E4), e placed, h.
    let book = report(&app, "province_code=31&semester=2026-1", &o2.organizer).await;
    assert_eq!(book.sheet(0)[1][6..], ["1", "3", "1", "2", "6", "1"]);
    assert_eq!(book.row(1, "25-29"), [1, 0, 1, 0, 0, 0]);
    assert_eq!(book.row(1, "20-24"), [0, 0, 0, 0, 0, 0]);
    assert_eq!(book.row(1, "total"), [2, 1, 3, 0, 1, 1]);
    assert_eq!(book.row(2, "sma"), [1, 0, 1, 0, 0, 0]);
    assert_eq!(book.row(3, "8"), [0, 0, 0, 0, 0]);
    assert_eq!(book.row(3, "total"), [2, 6, 0, 1, 1]);

    // An organizer of no fair there: zeros.
    let (_, other) = app.user("organizer@north.id", Role::Organizer).await;
    let book = report(&app, "province_code=31&semester=2026-1", &other).await;
    assert_eq!(book.sheet(0)[1][5..], ["own", "0", "0", "0", "0", "0", "0"]);
}

async fn who_may_ask_and_bad_parameters(app: TestApp) {
    let o1 = Fair::by(&app, "organizer@east.id").published().await;
    let ok = "/api/v1/reports/ipk3?province_code=31&semester=2026-1";
    download(&app, ok, None).await.assert(401);
    let (_, employer) = app.user("hr@a.id", Role::Employer).await;
    let (_, seeker) = app.user("siti@a.id", Role::JobSeeker).await;
    for token in [&employer, &seeker] {
        let refused = download(&app, ok, Some(token)).await;
        refused.assert(403);
        assert_eq!(refused.error()["code"], "forbidden");
        // Refused before the parameters are looked at.
        download(&app, "/api/v1/reports/ipk3", Some(token))
            .await
            .assert(403);
    }
    download(&app, ok, Some(&o1.organizer)).await.assert(200);

    for (query, fields) in [
        ("", vec!["province_code", "semester"]),
        ("province_code=31", vec!["semester"]),
        ("semester=2026-1", vec!["province_code"]),
        ("province_code=99&semester=2026-1", vec!["province_code"]),
        ("province_code=31&semester=2026-3", vec!["semester"]),
        ("province_code=31&semester=2026", vec!["semester"]),
        ("province_code=31&semester=26-1", vec!["semester"]),
        ("province_code=31&semester=1999-2", vec!["semester"]),
        ("province_code=31&semester=2026-1&lang=fr", vec!["lang"]),
        (
            "province_code=31&semester=2026-1&format=csv",
            vec!["format"],
        ),
    ] {
        let file = download(
            &app,
            &format!("/api/v1/reports/ipk3?{query}"),
            Some(&o1.organizer),
        )
        .await;
        file.assert(422);
        assert_eq!(file.header("content-type"), "application/json");
        assert_eq!(file.error_fields(), fields, "{query}");
    }
}

async fn the_page_downloads_the_report_with_the_site_session(app: TestApp) {
    let Scenario { o1, .. } = scenario(&app).await;

    // Signed out: the way to sign in and back.
    let visitor = Phone::new(&app).await;
    let page = visitor.get("/reports/ipk3").await;
    page.assert(303);
    assert_eq!(page.location(), "/sign-in?next=%2Freports%2Fipk3");
    visitor
        .get("/reports/ipk3/download?province_code=31&semester=2026-1")
        .await
        .assert(303);

    // An employer: forbidden.
    app.user("hr@b.id", Role::Employer).await;
    let employer = Phone::signed_in(&app, "hr@b.id").await;
    employer.get("/reports/ipk3").await.assert(403);
    employer
        .get("/reports/ipk3/download?province_code=31&semester=2026-1")
        .await
        .assert(403);

    // The organizer: the form, in Indonesian, with every province and the note that only
    // their fairs count.
    let phone = Phone::signed_in(&app, "organizer@east.id").await;
    let page = phone.get("/reports/ipk3").await;
    page.assert(200)
        .has("<h1>Laporan informasi pasar kerja (IPK III)</h1>")
        .has("action=\"/reports/ipk3/download\"")
        .has("<option value=\"31\">DKI Jakarta (31)</option>")
        .has("<option value=\"94\">")
        .has("Semester 1 2026 (Januari–Juni)")
        .has("Hanya bursa kerja organisasi tempat Anda bertugas yang dihitung.");
    assert_eq!(
        page.body.matches("<option value=\"").count(),
        1 + 38 + 8 + 2
    );

    // A mistake comes back as the form, the mistake beside its field.
    let page = phone
        .get("/reports/ipk3/download?province_code=&semester=2026-9&lang=id")
        .await;
    page.assert(422)
        .has("id=\"province_code-error\"")
        .has("Pilih salah satu provinsi.")
        .has("id=\"semester-error\"")
        .has("aria-invalid=\"true\"");

    // The file, with the session: the organizer's own figures, as the API gives them.
    let client = awc::Client::builder().disable_redirects().finish();
    let mut response = client
        .get(app.url("/reports/ipk3/download?province_code=31&semester=2026-1&lang=en"))
        .insert_header(("Cookie", phone.cookie()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(
        response
            .headers()
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap(),
        XLSX_TYPE
    );
    let bytes = response.body().limit(16 << 20).await.unwrap();
    let from_page = Book::read(&bytes);
    let from_api = report(&app, "province_code=31&semester=2026-1", &o1.organizer).await;
    assert_eq!(from_page.sheets, from_api.sheets);
    assert_eq!(from_page.sheet(0)[1][6..], ["1", "4", "2", "2", "5", "3"]);

    // Ministry staff: every fair, no note; the file in Indonesian by default.
    app.user("analis@kemnaker.go.id", Role::Ministry).await;
    let ministry = Phone::signed_in(&app, "analis@kemnaker.go.id").await;
    let page = ministry.get("/reports/ipk3").await;
    page.assert(200);
    assert!(!page.body.contains("Hanya bursa kerja organisasi"));
    let mut response = client
        .get(app.url("/reports/ipk3/download?province_code=31&semester=2026-1"))
        .insert_header(("Cookie", ministry.cookie()))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    let book = Book::read(&response.body().limit(16 << 20).await.unwrap());
    assert_eq!(book.names[0], "Ringkasan");
    assert_eq!(book.row(1, "Jumlah"), [3, 3, 6, 1, 2, 3]);
}

/// The links to `/reports/ipk3` (under the dashboard's downloads, the desk's reports) are shown
/// to every role the page opens for and to no other: the one rule of the page.
async fn the_links_to_the_page_are_shown_to_whom_it_opens_for(app: TestApp) {
    // Signed out: no link on a public page; the report, the dashboard and the desk send to
    // sign in.
    let visitor = Phone::new(&app).await;
    assert!(!visitor.get("/events").await.body.contains("/reports/ipk3"));
    for path in ["/reports/ipk3", "/dashboard", "/desk"] {
        visitor.get(path).await.assert(303);
    }

    for role in Role::ALL {
        let email = format!("{}@links.id", role.as_str().replace('_', "-"));
        app.user(&email, *role).await;
        let phone = Phone::signed_in(&app, &email).await;
        let report = phone.get("/reports/ipk3").await;
        let opens = report.status == 200;
        assert_eq!(
            opens,
            matches!(role, Role::Admin | Role::Ministry | Role::Organizer),
            "{role}: {}",
            report.status
        );
        if !opens {
            report.assert(403);
        }
        for (path, id) in [
            ("/dashboard", "id=\"ipk3-link\""),
            ("/desk", "id=\"reports\""),
        ] {
            let page = phone.get(path).await;
            let links = page.body.matches("href=\"/reports/ipk3\"").count();
            if opens {
                page.assert(200).has(id);
                assert_eq!(links, 1, "{role} on {path}");
            } else {
                page.assert(403);
                assert_eq!(links, 0, "{role} on {path}");
                assert!(!page.body.contains(id), "{role} on {path}");
            }
        }
        // No other page links to it: not the header of a public page.
        assert!(
            !phone.get("/events").await.body.contains("/reports/ipk3"),
            "{role}"
        );
    }

    // The dashboard's link says what the report is, in Indonesian by default.
    let ministry = Phone::signed_in(&app, "ministry@links.id").await;
    ministry
        .get("/dashboard")
        .await
        .assert(200)
        .has("<a href=\"/reports/ipk3\">Laporan IPK III (Disnaker) per provinsi dan semester</a>");
    ministry
        .get("/desk")
        .await
        .assert(200)
        .has("<h2 id=\"reports-heading\">Laporan</h2>")
        .has("<a href=\"/reports/ipk3\">Laporan IPK III</a>");
}
