//! Exports: an event's placements downloaded as CSV and XLSX, read back with a real CSV reader
//! and a real XLSX reader and held to the API's JSON; no NIK, name or contact data in either
//! file; who may download; what `format` takes.

use std::collections::HashMap;
use std::ops::Deref;

use bursa::auth::Role;
use calamine::{Data, DataType, Reader, Xlsx};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{profile, with, HiringFair, Seeker};

db_tests!(
    placements_export_as_the_api_lists_them,
    only_the_events_staff_download_its_placements,
    the_format_is_csv_or_xlsx,
);

const CSV_TYPE: &str = "text/csv; charset=utf-8";
const XLSX_TYPE: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

const HEADER: [&str; 26] = [
    "placement_id",
    "status",
    "vacancy_id",
    "vacancy_title",
    "occupation_code",
    "contract_type",
    "salary_idr",
    "start_date",
    "employer_id",
    "employer_name",
    "job_seeker_id",
    "gender",
    "age_band",
    "education_level",
    "disability",
    "reported_at",
    "confirmed_at",
    "disputed_at",
    "verified_at",
    "verification_method",
    "retracted_at",
    "flag_start_before_event",
    "flag_not_checked_in",
    "flag_exceeds_openings",
    "flag_placed_twice",
    "flag_late_start",
];

/// Columns that carry the API's field of the same name as text.
const TEXT_FIELDS: [&str; 9] = [
    "status",
    "vacancy_id",
    "occupation_code",
    "contract_type",
    "employer_id",
    "employer_name",
    "job_seeker_id",
    "verification_method",
    "start_date",
];
const TIME_FIELDS: [&str; 5] = [
    "reported_at",
    "confirmed_at",
    "disputed_at",
    "verified_at",
    "retracted_at",
];
const FLAGS: [&str; 5] = [
    "start_before_event",
    "not_checked_in",
    "exceeds_openings",
    "placed_twice",
    "late_start",
];

/// A title a spreadsheet would run as a formula from a CSV, with a comma, quotes and non-ASCII.
const TITLE: &str = "=HYPERLINK(\"http://x.id\") Operator Gudang – Cikarang, \"shift\" malam";
const NOTE: &str = "rang Bu Siti di 0812-1111-2222";

/// A downloaded response, its body as bytes (shared with the other export tests).
pub struct Download {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub bytes: Vec<u8>,
}

impl Download {
    #[track_caller]
    pub fn assert(&self, status: u16) -> &Self {
        assert_eq!(
            self.status,
            status,
            "unexpected status; body: {}",
            String::from_utf8_lossy(&self.bytes)
        );
        self
    }

    pub fn header(&self, name: &str) -> &str {
        self.headers.get(name).map(String::as_str).unwrap_or("")
    }

    /// The error body of a failed download.
    pub fn error(&self) -> Value {
        serde_json::from_slice::<Value>(&self.bytes).unwrap()["error"].clone()
    }

    pub fn error_fields(&self) -> Vec<String> {
        self.error()["details"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["field"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// GETs `path` and reads the body whole, as bytes (`TestApp::get` reads it as JSON or text).
pub async fn download(app: &TestApp, path: &str, token: Option<&str>) -> Download {
    let mut request = awc::Client::default().get(app.url(path));
    if let Some(token) = token {
        request = request.insert_header(("Authorization", format!("Bearer {token}")));
    }
    let mut response = request.send().await.unwrap();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap().to_owned()))
        .collect();
    let bytes = response.body().limit(16 << 20).await.unwrap().to_vec();
    Download {
        status: response.status().as_u16(),
        headers,
        bytes,
    }
}

// ---------------------------------------------------------------------------------------------
// Set-up: a published fair with two placements, one confirmed, one verified by staff
// ---------------------------------------------------------------------------------------------

/// The fair and its two hired job seekers' profile ids.
struct Fair {
    f: HiringFair,
    seekers: Vec<String>,
}

impl Deref for Fair {
    type Target = HiringFair;

    fn deref(&self) -> &HiringFair {
        &self.f
    }
}

async fn fair(app: &TestApp) -> Fair {
    let organizer = "organizer@disnaker.id";
    let f = HiringFair::of(app, organizer, "hr@pabrik.id", json!({"title": TITLE})).await;
    // Siti checked in and confirms; Ayu (with a disability) never checked in, staff verify.
    let siti = seeker(app, &f, "siti@mail.id", "Siti Rahayu", "0002", false, true).await;
    let ayu = seeker(app, &f, "ayu@mail.id", "Ayu Lestari", "0004", true, false).await;
    let first = hire(app, &f, &f.vacancy, &siti.token, 14).await;
    app.post(
        &format!("/api/v1/placements/{first}/confirm"),
        Some(&siti.token),
        json!({}),
    )
    .await
    .assert(200);
    let second = hire(app, &f, &f.vacancy, &ayu.token, 30).await;
    app.post(
        &format!("/api/v1/placements/{second}/verify"),
        Some(&f.organizer),
        json!({"method": "phone", "note": NOTE}),
    )
    .await
    .assert(200);
    Fair {
        f,
        seekers: vec![siti.id, ayu.id],
    }
}

/// A job seeker with a phone and an email, registered for the fair (checked in or not).
async fn seeker(
    app: &TestApp,
    f: &HiringFair,
    email: &str,
    name: &str,
    last4: &str,
    disability: bool,
    checked_in: bool,
) -> Seeker {
    let body = with(
        &profile(name, last4),
        json!({"disability": disability, "phone": "081299998888", "email": email}),
    );
    let s = Seeker::with_profile(app, email, body).await;
    s.registered(app, &f.event, checked_in.then_some(&f.organizer_id));
    s
}

/// The job seeker applies and the employer reports the hire, starting in `days`: its id.
async fn hire(app: &TestApp, f: &HiringFair, vacancy: &str, seeker: &str, days: i64) -> String {
    let application = app
        .post(
            &format!("/api/v1/vacancies/{vacancy}/applications"),
            Some(seeker),
            json!({}),
        )
        .await
        .assert(201)
        .id();
    let start = (Utc::now() + Duration::days(days)).date_naive();
    app.post(
        "/api/v1/placements",
        Some(&f.employer),
        json!({
            "application_id": application, "start_date": start, "salary_idr": 5_200_000 + days,
            "contract_type": "contract", "occupation_code": "8344"
        }),
    )
    .await
    .assert(201)
    .id()
}

/// Nothing that names or reaches a job seeker, nor free text, is in an export.
#[track_caller]
fn assert_nothing_personal(text: &str) {
    let lower = text.to_lowercase();
    for secret in [
        "nik",
        // Long enough that no random id or time in the export holds them by chance.
        "317401550895",
        "siti",
        "rahayu",
        "lestari",
        "@mail.id",
        "81299998888",
        "1995-08-15",
        "rang bu",
    ] {
        assert!(!lower.contains(secret), "{secret:?} in the export:\n{text}");
    }
}

// ---------------------------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------------------------

async fn placements_export_as_the_api_lists_them(app: TestApp) {
    let f = fair(&app).await;
    let list = app
        .get(
            &format!("/api/v1/events/{}/placements", f.event),
            Some(&f.organizer),
        )
        .await;
    list.assert(200);
    let items = list.body["items"].as_array().unwrap().clone();
    assert_eq!(items.len(), 2);
    assert_eq!(
        [&items[0]["status"], &items[1]["status"]],
        ["confirmed", "verified"]
    );
    let path = format!("/api/v1/events/{}/placements/export", f.event);

    // CSV: RFC 4180, the API's values as text.
    let csv = download(&app, &format!("{path}?format=csv"), Some(&f.organizer)).await;
    csv.assert(200);
    assert_eq!(csv.header("content-type"), CSV_TYPE);
    assert_eq!(
        csv.header("content-disposition"),
        format!("attachment; filename=\"placements-{}.csv\"", f.event)
    );
    let text = String::from_utf8(csv.bytes.clone()).expect("UTF-8");
    assert_eq!(text.matches("\r\n").count(), 3, "{text}");
    assert_eq!(text.matches('\n').count(), 3, "CRLF line ends only");
    assert_nothing_personal(&text);

    let mut reader = csv::Reader::from_reader(csv.bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    assert_eq!(header, HEADER);
    let column = |name: &str| HEADER.iter().position(|h| *h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), items.len());
    for (row, item) in rows.iter().zip(&items) {
        assert_eq!(&row[column("placement_id")], item["id"].as_str().unwrap());
        for field in TEXT_FIELDS.iter().chain(&TIME_FIELDS) {
            let expected = item[*field].as_str().unwrap_or(""); // null: an empty field
            assert_eq!(&row[column(field)], expected, "{field}");
        }
        assert_eq!(
            row[column("salary_idr")].parse::<i64>().unwrap(),
            item["salary_idr"].as_i64().unwrap()
        );
        // The title starts with `=`: guarded against formula injection.
        assert_eq!(&row[column("vacancy_title")], format!("'{TITLE}"));
        assert_eq!(item["vacancy_title"], TITLE);
        for flag in FLAGS {
            let set = item["flags"]
                .as_array()
                .unwrap()
                .contains(&Value::from(flag));
            assert_eq!(&row[column(&format!("flag_{flag}"))], set.to_string());
        }
        assert_eq!(&row[column("gender")], "female");
        assert_eq!(&row[column("education_level")], "smk");
        assert_eq!(&row[column("age_band")], "25-34");
    }
    assert_eq!(&rows[0][column("job_seeker_id")], f.seekers[0]);
    assert_eq!(&rows[0][column("disability")], "false");
    assert_eq!(&rows[1][column("disability")], "true");
    assert_eq!(&rows[0][column("flag_not_checked_in")], "false");
    assert_eq!(&rows[1][column("flag_not_checked_in")], "true");
    assert_eq!(&rows[0][column("verified_at")], "");
    assert_eq!(&rows[1][column("verification_method")], "phone");

    // XLSX: the same values in typed cells.
    let xlsx = download(&app, &format!("{path}?format=xlsx"), Some(&f.organizer)).await;
    xlsx.assert(200);
    assert_eq!(xlsx.header("content-type"), XLSX_TYPE);
    assert_eq!(
        xlsx.header("content-disposition"),
        format!("attachment; filename=\"placements-{}.xlsx\"", f.event)
    );
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    assert_eq!(book.sheet_names(), ["Placements", "Notes"]);
    let range = book.worksheet_range("Placements").unwrap();
    let sheet: Vec<&[Data]> = range.rows().collect();
    assert_eq!(sheet.len(), 1 + items.len());
    let header: Vec<String> = sheet[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, HEADER);
    let every_cell: String = sheet
        .iter()
        .flat_map(|row| row.iter().map(|cell| format!("{cell} ")))
        .collect();
    assert_nothing_personal(&every_cell);
    for (row, item) in sheet[1..].iter().zip(&items) {
        let cell = |name: &str| &row[column(name)];
        assert_eq!(
            *cell("placement_id"),
            Data::String(item["id"].as_str().unwrap().into())
        );
        assert_eq!(
            *cell("status"),
            Data::String(item["status"].as_str().unwrap().into())
        );
        // Written as a string cell, never a formula: no guard needed.
        assert_eq!(*cell("vacancy_title"), Data::String(TITLE.into()));
        assert_eq!(*cell("occupation_code"), Data::String("8344".into()));
        assert_eq!(
            *cell("salary_idr"),
            Data::Float(item["salary_idr"].as_i64().unwrap() as f64)
        );
        let start_date: NaiveDate = item["start_date"].as_str().unwrap().parse().unwrap();
        assert!(cell("start_date").is_datetime(), "{:?}", cell("start_date"));
        assert_eq!(cell("start_date").as_date(), Some(start_date));
        for field in TIME_FIELDS {
            match item[field].as_str() {
                None => assert_eq!(*cell(field), Data::Empty, "{field}"),
                Some(at) => {
                    let at: DateTime<Utc> = at.parse().unwrap();
                    assert!(cell(field).is_datetime(), "{field}: {:?}", cell(field));
                    let read = cell(field).as_datetime().unwrap();
                    // A workbook keeps times to the millisecond.
                    let off = read - at.naive_utc();
                    assert!(off.num_milliseconds().abs() <= 1, "{field}: {read} vs {at}");
                }
            }
        }
        for flag in FLAGS {
            let set = item["flags"]
                .as_array()
                .unwrap()
                .contains(&Value::from(flag));
            assert_eq!(*cell(&format!("flag_{flag}")), Data::Bool(set));
        }
    }
    assert_eq!(sheet[1][column("disability")], Data::Bool(false));
    assert_eq!(sheet[2][column("disability")], Data::Bool(true));
    assert_eq!(
        sheet[2][column("verification_method")],
        Data::String("phone".into())
    );
}

async fn only_the_events_staff_download_its_placements(app: TestApp) {
    let f = fair(&app).await;
    let path = |event: &str| format!("/api/v1/events/{event}/placements/export?format=csv");
    let published = path(&f.event);

    let anonymous = download(&app, &published, None).await;
    anonymous.assert(401);
    assert_eq!(anonymous.error()["code"], "unauthorized");

    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;
    for token in [&f.organizer, &ministry, &admin] {
        let file = download(&app, &published, Some(token)).await;
        file.assert(200);
        assert_eq!(file.header("content-type"), CSV_TYPE);
    }

    // The list's rule: others who may see the event get 403 ...
    let (_, seeker) = app.user("someone@mail.id", Role::JobSeeker).await;
    let (_, rival) = app.user("organizer@rival.id", Role::Organizer).await;
    app.organization(&rival, "organizer").await;
    for token in [&f.employer, &seeker, &rival] {
        let file = download(&app, &published, Some(token)).await;
        file.assert(403);
        assert_eq!(file.error()["code"], "forbidden");
        let list = app
            .get(
                &format!("/api/v1/events/{}/placements", f.event),
                Some(token),
            )
            .await;
        list.assert(403);
    }
    // ... and an event they may not see is 404, as an unknown one.
    let draft = app.event(&f.organizer, &f.office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    download(&app, &path(&draft), Some(&rival))
        .await
        .assert(404);
    download(&app, &path(&draft), Some(&f.organizer))
        .await
        .assert(200);
    let unknown = uuid::Uuid::new_v4().to_string();
    download(&app, &path(&unknown), Some(&admin))
        .await
        .assert(404);
    download(&app, &path("not-a-uuid"), Some(&admin))
        .await
        .assert(404);
}

async fn the_format_is_csv_or_xlsx(app: TestApp) {
    let (_, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let office = app.organization(&organizer, "organizer").await;
    let event = app.event(&organizer, &office).await["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let path = format!("/api/v1/events/{event}/placements/export");

    for query in ["", "?format=pdf", "?format=CSV", "?format="] {
        let file = download(&app, &format!("{path}{query}"), Some(&organizer)).await;
        file.assert(422);
        assert_eq!(file.error()["code"], "validation_failed", "{query}");
        assert_eq!(file.error_fields(), ["format"], "{query}");
        assert!(file.header("content-type").starts_with("application/json"));
    }
    // Two formats, or a parameter the export does not take.
    for query in ["?format=csv&format=xlsx", "?format=csv&status=verified"] {
        let file = download(&app, &format!("{path}{query}"), Some(&organizer)).await;
        file.assert(422);
        assert_eq!(file.error()["code"], "validation_failed", "{query}");
    }

    // An event without placements: the header alone.
    let csv = download(&app, &format!("{path}?format=csv"), Some(&organizer)).await;
    csv.assert(200);
    assert_eq!(
        String::from_utf8(csv.bytes.clone()).unwrap(),
        format!("{}\r\n", HEADER.join(","))
    );
    let xlsx = download(&app, &format!("{path}?format=xlsx"), Some(&organizer)).await;
    xlsx.assert(200);
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(xlsx.bytes.clone())).unwrap();
    let range = book.worksheet_range("Placements").unwrap();
    assert_eq!(range.rows().count(), 1);
}
