//! The unit tests of [`super`]: both files of a table, and the CSV formula guard.

#![allow(clippy::unwrap_used)]

use calamine::{Data, DataType, Reader, Xlsx};

use super::*;

fn date(s: &str) -> NaiveDate {
    s.parse().unwrap()
}

fn time(s: &str) -> NaiveDateTime {
    s.parse().unwrap()
}

const HEADER: [&str; 8] = [
    "name",
    "count",
    "median",
    "rate",
    "cost_idr",
    "disability",
    "start_date",
    "reported_at",
];

/// A table with one column of each kind: a full row, an empty row, a row of edge values.
fn sample() -> Table {
    let kinds = [
        Kind::Text,
        Kind::Integer,
        Kind::Number,
        Kind::Rate,
        Kind::Money,
        Kind::Boolean,
        Kind::Date,
        Kind::DateTime,
    ];
    let columns = HEADER
        .iter()
        .zip(kinds)
        .map(|(name, kind)| Column::new(*name, kind))
        .collect();
    let mut table = Table::new("Sample", columns);
    table
        .push(vec![
            Some(Value::text("Operator Gudang – Bekasi, \"shift\" malam")),
            Some(Value::Integer(-3)),
            Some(Value::Number(12.5)),
            Some(Value::Rate(1.0 / 3.0)),
            Some(Value::Money(150_000_000)),
            Some(Value::Boolean(true)),
            Some(Value::Date(date("2026-12-15"))),
            Some(Value::DateTime(time("2026-12-01T03:15:42.123456"))),
        ])
        .unwrap();
    table.push(vec![None; 8]).unwrap();
    table
        .push(vec![
            Some(Value::text("=HYPERLINK(\"http://x\")")),
            Some(Value::Integer(0)),
            Some(Value::Number(-1.5)),
            Some(Value::Rate(0.0)),
            Some(Value::Money(0)),
            Some(Value::Boolean(false)),
            Some(Value::Date(date("2027-01-02"))),
            Some(Value::DateTime(time("2026-12-01T03:15:42"))),
        ])
        .unwrap();
    table
}

fn open_xlsx(bytes: Vec<u8>) -> Xlsx<std::io::Cursor<Vec<u8>>> {
    calamine::open_workbook_from_rs(std::io::Cursor::new(bytes)).unwrap()
}

#[test]
fn csv_is_rfc_4180_with_the_apis_values() {
    let bytes = sample().to_csv().unwrap();
    let text = String::from_utf8(bytes.clone()).unwrap();
    assert!(!text.starts_with('\u{feff}'), "no byte order mark");
    assert!(text.starts_with(&format!("{}\r\n", HEADER.join(","))));
    assert!(text.ends_with("\r\n"));
    assert_eq!(text.matches("\r\n").count(), 4, "{text}");
    assert_eq!(text.matches('\n').count(), 4, "only CRLF line ends: {text}");
    // Quoted only when needed, quotes doubled, UTF-8 kept, times as the API's JSON.
    assert!(text.contains(
        "\r\n\"Operator Gudang – Bekasi, \"\"shift\"\" malam\",-3,12.5,0.3333333333333333,\
         150000000,true,2026-12-15,2026-12-01T03:15:42.123456Z\r\n"
    ));
    assert!(text.contains("\r\n,,,,,,,\r\n"), "nulls are empty fields");

    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    assert_eq!(reader.headers().unwrap(), HEADER.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 3);
    assert_eq!(&rows[0][0], "Operator Gudang – Bekasi, \"shift\" malam");
    assert_eq!(rows[0][3].parse::<f64>().unwrap(), 1.0 / 3.0);
    assert_eq!(&rows[2][2], "-1.5", "a negative number is not guarded");
    assert_eq!(&rows[2][3], "0");
    assert_eq!(&rows[2][7], "2026-12-01T03:15:42Z");
}

#[test]
fn csv_guards_text_that_a_spreadsheet_would_evaluate() {
    for (text, written) in [
        ("=1+1", "'=1+1"),
        ("+62 812", "'+62 812"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("a=b", "a=b"),
        ("", ""),
        ("Siti", "Siti"),
    ] {
        assert_eq!(guard_formula(text), written);
    }
    // Leading invisible characters do not hide a formula.
    for text in [
        "\u{200B}=1+1",
        "\u{200C}\u{200D}+62",
        "\u{2060}-2",
        "\u{FEFF}@SUM(A1)",
        "\0=1+1",
        "\u{1}\u{85}=1",
        "\u{202E}=1",
        "\u{200E}\u{2066}-1",
        "\u{200B}\tx",
        "\u{200B}\rx",
    ] {
        assert_eq!(guard_formula(text), format!("'{text}"), "{text:?}");
    }
    for text in ["\u{200B}", "\u{200B}Siti", "\0a=b", "Siti\u{200B}="] {
        assert_eq!(guard_formula(text), text, "{text:?}");
    }
    let bytes = sample().to_csv().unwrap();
    let mut reader = csv::Reader::from_reader(bytes.as_slice());
    let last = reader.records().last().unwrap().unwrap();
    assert_eq!(&last[0], "'=HYPERLINK(\"http://x\")");
}

#[test]
fn xlsx_has_a_header_and_typed_cells() {
    let mut book = open_xlsx(sample().to_xlsx().unwrap());
    let range = book.worksheet_range("Sample").unwrap();
    let rows: Vec<&[Data]> = range.rows().collect();
    assert_eq!(rows.len(), 4);
    let header: Vec<String> = rows[0].iter().map(ToString::to_string).collect();
    assert_eq!(header, HEADER);

    let row = rows[1];
    assert_eq!(
        row[0],
        Data::String("Operator Gudang – Bekasi, \"shift\" malam".into())
    );
    assert_eq!(row[1], Data::Float(-3.0));
    assert_eq!(row[2], Data::Float(12.5));
    assert_eq!(row[3], Data::Float(1.0 / 3.0));
    assert_eq!(row[4], Data::Float(150_000_000.0));
    assert_eq!(row[5], Data::Bool(true));
    assert!(row[6].is_datetime(), "{:?}", row[6]);
    assert_eq!(row[6].as_date(), Some(date("2026-12-15")));
    assert!(row[7].is_datetime(), "{:?}", row[7]);
    let at = row[7].as_datetime().unwrap();
    let off = at - time("2026-12-01T03:15:42.123456");
    assert!(off.num_milliseconds().abs() <= 1, "{at}");

    assert!(rows[2].iter().all(|c| *c == Data::Empty), "{:?}", rows[2]);
    // A string cell is not a formula: written as is, without the CSV guard.
    assert_eq!(rows[3][0], Data::String("=HYPERLINK(\"http://x\")".into()));
    assert_eq!(rows[3][2], Data::Float(-1.5));
    assert_eq!(rows[3][5], Data::Bool(false));
    assert_eq!(rows[3][6].as_date(), Some(date("2027-01-02")));
}

#[test]
fn an_empty_table_is_a_header_only_file() {
    let table = Table::new("Empty", vec![Column::new("id", Kind::Text)]);
    assert_eq!(table.to_csv().unwrap(), b"id\r\n");
    let mut book = open_xlsx(table.to_xlsx().unwrap());
    let range = book.worksheet_range("Empty").unwrap();
    assert_eq!(range.rows().count(), 1);
}

#[test]
fn rows_must_match_the_columns() {
    let mut table = Table::new(
        "T",
        vec![
            Column::new("n", Kind::Integer),
            Column::new("idr", Kind::Money),
        ],
    );
    assert_eq!(table.push(vec![None]).unwrap_err().status.as_u16(), 500);
    let swapped = vec![Some(Value::Money(1)), Some(Value::Money(1))];
    assert_eq!(table.push(swapped).unwrap_err().status.as_u16(), 500);
    table.push(vec![Some(Value::Integer(1)), None]).unwrap();
    assert_eq!(table.rows().len(), 1);
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Query {
    format: Option<Format>,
}

fn parse(query: &str) -> Result<Option<Format>, String> {
    serde_urlencoded::from_str::<Query>(query)
        .map(|q| q.format)
        .map_err(|e| e.to_string())
}

#[test]
fn the_format_is_csv_or_xlsx_and_required() {
    assert_eq!(parse("format=csv"), Ok(Some(Format::Csv)));
    assert_eq!(parse("format=xlsx"), Ok(Some(Format::Xlsx)));
    for bad in ["format=pdf", "format=CSV", "format="] {
        assert!(parse(bad).is_err(), "{bad}");
    }
    let missing = Format::required(parse("").unwrap()).unwrap_err();
    assert_eq!(missing.status.as_u16(), 422);
    assert_eq!(missing.details[0].field, "format");
}

#[actix_web::test]
async fn a_download_names_its_type_and_file() {
    use actix_web::body::MessageBody;

    for (format, content_type, file) in [
        (Format::Csv, "text/csv; charset=utf-8", "placements-a_b.csv"),
        (
            Format::Xlsx,
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            "placements-a_b.xlsx",
        ),
    ] {
        let response = respond(sample(), format, "placements-a\"b").await.unwrap();
        assert_eq!(response.status().as_u16(), 200);
        let headers = response.headers();
        assert_eq!(headers.get(header::CONTENT_TYPE).unwrap(), content_type);
        assert_eq!(
            headers.get(header::CONTENT_DISPOSITION).unwrap(),
            format!("attachment; filename=\"{file}\"").as_str()
        );
        assert_eq!(headers.get(header::CACHE_CONTROL).unwrap(), "no-store");
        let body = response.into_body().try_into_bytes().unwrap();
        match format {
            Format::Csv => assert_eq!(body.to_vec(), sample().to_csv().unwrap()),
            Format::Xlsx => assert!(body.starts_with(b"PK\x03\x04"), "a zip archive"),
        }
    }
}

#[test]
fn the_excel_id_dialect_has_a_bom_semicolons_and_decimal_commas() {
    let mut table = Table::new(
        "T",
        vec![
            Column::described("name", Kind::Text, "Nama", Texts::new("a", "b")),
            Column::new("rate", Kind::Rate),
            Column::new("median", Kind::Number),
            Column::new("cost_idr", Kind::Money),
        ],
    );
    table
        .push(vec![
            Some(Value::text("a;b")),
            Some(Value::Rate(0.25)),
            Some(Value::Number(3.0)),
            Some(Value::Money(1_500_000)),
        ])
        .unwrap();
    let csv = table.to_csv_as(Lang::Id, Dialect::ExcelId).unwrap();
    assert_eq!(
        String::from_utf8(csv).unwrap(),
        "\u{FEFF}Nama;rate;median;cost_idr\r\n\"a;b\";0,25;3;1500000\r\n"
    );
    assert_eq!(
        table.to_csv().unwrap(),
        b"name,rate,median,cost_idr\r\na;b,0.25,3,1500000\r\n"
    );
}

#[test]
fn a_dialect_is_for_csv_only() {
    let csv = Options::of_query(Some(Format::Csv), Some(Lang::Id), Some(Dialect::ExcelId));
    assert_eq!(csv.unwrap().dialect, Dialect::ExcelId);
    let xlsx = Options::of_query(Some(Format::Xlsx), None, Some(Dialect::ExcelId)).unwrap_err();
    assert_eq!(xlsx.status.as_u16(), 422);
    assert_eq!(xlsx.details[0].field, "dialect");
}
