//! Exports for people (issue 14 §3): `lang=id` headers, the XLSX's notes sheet with each
//! column's definition and the `unique_job_seekers` caveat, and the `excel-id` CSV dialect
//! (`;`, decimal comma, BOM) holding the default export's values; the 422s of both exports.

use calamine::{Data, Reader, Xlsx};
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::exports::{download, Download};
use crate::fixtures::rows::{apply, place, register, seeker};
use crate::fixtures::{Employer, Fair};

db_tests!(
    indonesian_headers_and_a_notes_sheet,
    excel_id_csv_holds_the_default_values,
    unknown_lang_and_misused_dialect_are_422,
);

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// A published fair: three registered, two checked in, one of them placed (verified) on a
/// vacancy of three openings, so the rates are 0.5 and 1/3. Its metrics export path, and the
/// path of its placements export.
async fn scenario(app: &TestApp) -> (Fair, String, String) {
    let fair = Fair::by(app, "organizer@east.id")
        .with(json!({"budget_idr": 90_000_000_i64, "funding_source": "apbn"}))
        .published()
        .await;
    let s = |birth| seeker(app, &fair, Some(birth), "female", "smk", false);
    let (s1, s2, s3) = (s("1990-01-01"), s("1991-01-01"), s("1992-01-01"));
    let employer = Employer::at(app, &fair, "hr@a.id", true).await;
    let vacancy = employer.vacancy(app, &fair, json!({"openings": 3})).await;
    register(app, &fair, &s1, true);
    register(app, &fair, &s2, true);
    register(app, &fair, &s3, false);
    let x = apply(app, &fair, &vacancy, &s1, &["applied", "hired"]);
    let parts = (
        x.as_str(),
        vacancy.as_str(),
        s1.as_str(),
        employer.company.as_str(),
    );
    place(app, &fair, parts, "verified", "2026-01-10", &[]);
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();
    let placements = format!("/api/v1/events/{}/placements/export", fair.event);
    (
        fair,
        "/api/v1/metrics/export?group_by=organization".into(),
        placements,
    )
}

fn workbook(download: &Download) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(download.bytes.clone())).unwrap()
}

fn texts(row: &[Data]) -> Vec<String> {
    row.iter().map(|c| c.to_string()).collect()
}

/// The header row of a CSV (as parsed with `delimiter`), and its records.
fn read_csv(bytes: &[u8], delimiter: u8) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(bytes);
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_owned)
        .collect();
    let records = reader
        .records()
        .map(|r| r.unwrap().iter().map(str::to_owned).collect())
        .collect();
    (header, records)
}

async fn indonesian_headers_and_a_notes_sheet(app: TestApp) {
    let admin = app.admin_token().await;
    let (fair, metrics, placements) = scenario(&app).await;

    // The rollup: Indonesian headers in the CSV and the XLSX, the same cells as in English.
    let csv = download(&app, &format!("{metrics}&format=csv&lang=id"), Some(&admin)).await;
    csv.assert(200);
    assert!(!csv.bytes.starts_with(BOM), "no BOM without the dialect");
    let (header, records) = read_csv(&csv.bytes, b',');
    assert_eq!(header[0], "Kelompok");
    assert!(
        header.contains(&"Tingkat penempatan".to_owned()),
        "{header:?}"
    );
    assert!(
        header.contains(&"Pencari kerja unik".to_owned()),
        "{header:?}"
    );
    assert!(!header.iter().any(|h| h.contains('_')), "{header:?}");
    let english = download(&app, &format!("{metrics}&format=csv"), Some(&admin)).await;
    let (english_header, english_records) = read_csv(&english.bytes, b',');
    assert_eq!(english_header[0], "key");
    assert_eq!(header.len(), english_header.len());
    assert_eq!(records, english_records);

    let xlsx = download(
        &app,
        &format!("{metrics}&format=xlsx&lang=id"),
        Some(&admin),
    )
    .await;
    xlsx.assert(200);
    let mut book = workbook(&xlsx);
    assert_eq!(book.sheet_names().len(), 2, "{:?}", book.sheet_names());
    assert_eq!(book.sheet_names()[1], "Catatan");
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    assert_eq!(texts(sheet.rows().next().unwrap()), header);
    // The notes: a row per column (its header, its field, a definition), then the caveat.
    let notes = book.worksheet_range("Catatan").unwrap();
    let rows: Vec<Vec<String>> = notes.rows().map(texts).collect();
    assert_eq!(rows[0][..3], ["Kolom", "Nama field", "Definisi"]);
    for (i, (column, field)) in header.iter().zip(&english_header).enumerate() {
        let row = &rows[i + 1];
        assert_eq!(&row[0], column);
        assert_eq!(&row[1], field);
        assert!(row[2].len() > 10, "no definition of {field}: {row:?}");
    }
    let caveat = rows[header.len() + 2..].concat().join(" ");
    assert!(caveat.contains("unique_job_seekers"), "{caveat}");
    assert!(caveat.contains("bukan jumlah baris"), "{caveat}");

    // In English (the default) the notes are English too.
    let xlsx = download(&app, &format!("{metrics}&format=xlsx"), Some(&admin)).await;
    let mut book = workbook(&xlsx);
    let notes = book.worksheet_range("Notes").unwrap();
    let rows: Vec<Vec<String>> = notes.rows().map(texts).collect();
    assert_eq!(rows[0][..3], ["Column", "Field", "Definition"]);
    assert_eq!(rows[1][..2], ["key", "key"]);
    let caveat = rows[english_header.len() + 2..].concat().join(" ");
    assert!(caveat.contains("not the sum of the rows"), "{caveat}");

    // The placements: Indonesian headers, and a definition per column.
    let path = format!("{placements}?format=xlsx&lang=id");
    let xlsx = download(&app, &path, Some(&fair.organizer)).await;
    xlsx.assert(200);
    let mut book = workbook(&xlsx);
    let sheet = book.worksheet_range_at(0).unwrap().unwrap();
    let header = texts(sheet.rows().next().unwrap());
    assert_eq!(header[0], "ID penempatan");
    assert!(header.contains(&"Jenis kelamin".to_owned()), "{header:?}");
    assert!(
        header.contains(&"Tanda: tidak check-in".to_owned()),
        "{header:?}"
    );
    let notes = book.worksheet_range("Catatan").unwrap();
    let rows: Vec<Vec<String>> = notes.rows().map(texts).collect();
    assert_eq!(rows.len(), header.len() + 1);
    for (column, row) in header.iter().zip(&rows[1..]) {
        assert_eq!(&row[0], column);
        assert!(row[2].len() > 5, "no definition of {column}: {row:?}");
    }
    let csv = download(
        &app,
        &format!("{placements}?format=csv&lang=id"),
        Some(&fair.organizer),
    )
    .await;
    csv.assert(200);
    let (csv_header, records) = read_csv(&csv.bytes, b',');
    assert_eq!(csv_header, header);
    assert_eq!(records.len(), 1);
}

async fn excel_id_csv_holds_the_default_values(app: TestApp) {
    let admin = app.admin_token().await;
    let (fair, metrics, placements) = scenario(&app).await;

    let plain = download(&app, &format!("{metrics}&format=csv"), Some(&admin)).await;
    let excel = download(
        &app,
        &format!("{metrics}&format=csv&dialect=excel-id&lang=id"),
        Some(&admin),
    )
    .await;
    excel.assert(200);
    assert_eq!(excel.header("content-type"), "text/csv; charset=utf-8");
    assert!(excel.bytes.starts_with(BOM), "{:?}", &excel.bytes[..8]);
    let body = &excel.bytes[BOM.len()..];
    let first_line = String::from_utf8(body.to_vec()).unwrap();
    let first_line = first_line.lines().next().unwrap().to_owned();
    assert!(first_line.starts_with("Kelompok;Nama;"), "{first_line}");
    assert!(!first_line.contains(','), "{first_line}");

    let (header, plain_rows) = read_csv(&plain.bytes, b',');
    let (_, excel_rows) = read_csv(body, b';');
    assert_eq!(plain_rows.len(), 2, "a row and the totals");
    assert_eq!(excel_rows.len(), plain_rows.len());
    let rate = header.iter().position(|h| h == "placement_rate").unwrap();
    let fill = header
        .iter()
        .position(|h| h == "vacancy_fill_rate")
        .unwrap();
    assert_eq!(plain_rows[0][rate], "0.5");
    assert_eq!(excel_rows[0][rate], "0,5");
    assert_eq!(excel_rows[0][fill], plain_rows[0][fill].replace('.', ","));
    assert!(
        excel_rows[0][fill].starts_with("0,333"),
        "{}",
        excel_rows[0][fill]
    );
    // Every value is the default export's, a decimal point read as a comma.
    for (excel, plain) in excel_rows.iter().zip(&plain_rows) {
        for ((e, p), name) in excel.iter().zip(plain).zip(&header) {
            if name.ends_with("_rate") {
                assert_eq!(*e, p.replace('.', ","), "{name}");
            } else {
                assert_eq!(e, p, "{name}");
            }
        }
    }
    let budget = header.iter().position(|h| h == "budget_idr").unwrap();
    assert_eq!(
        excel_rows[0][budget], "90000000",
        "whole rupiah stay integers"
    );

    // The placements export in the dialect: same values, `;` and a BOM, English headers.
    let plain = download(
        &app,
        &format!("{placements}?format=csv"),
        Some(&fair.organizer),
    )
    .await;
    let excel = download(
        &app,
        &format!("{placements}?format=csv&dialect=excel-id"),
        Some(&fair.organizer),
    )
    .await;
    excel.assert(200);
    assert!(excel.bytes.starts_with(BOM));
    let (plain_header, plain_rows) = read_csv(&plain.bytes, b',');
    let (excel_header, excel_rows) = read_csv(&excel.bytes[BOM.len()..], b';');
    assert_eq!(excel_header, plain_header);
    assert_eq!(excel_header[0], "placement_id");
    assert_eq!(excel_rows, plain_rows);
    assert!(!plain.bytes.starts_with(BOM));
}

async fn unknown_lang_and_misused_dialect_are_422(app: TestApp) {
    let admin = app.admin_token().await;
    let (fair, metrics, placements) = scenario(&app).await;
    let cases = [
        (format!("{metrics}&format=csv&lang=fr"), "lang", &admin),
        (format!("{metrics}&format=csv&lang=ID"), "lang", &admin),
        (
            format!("{metrics}&format=xlsx&dialect=excel-id"),
            "dialect",
            &admin,
        ),
        (
            format!("{metrics}&format=csv&dialect=excel"),
            "dialect",
            &admin,
        ),
        (
            "/api/v1/metrics?group_by=organization&lang=id".to_owned(),
            "lang",
            &admin,
        ),
        (
            format!("{placements}?format=csv&lang=en-US"),
            "lang",
            &fair.organizer,
        ),
        (
            format!("{placements}?format=xlsx&dialect=excel-id"),
            "dialect",
            &fair.organizer,
        ),
        (
            format!("{placements}?format=csv&dialect=rfc4180"),
            "dialect",
            &fair.organizer,
        ),
    ];
    for (path, field, token) in cases {
        let response = download(&app, &path, Some(token)).await;
        response.assert(422);
        assert_eq!(response.error_fields(), [field], "{path}");
        assert!(
            response
                .header("content-type")
                .starts_with("application/json"),
            "{path}"
        );
    }
}
