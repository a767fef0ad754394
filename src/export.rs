//! Downloads: a small typed [`Table`], rendered as CSV or as an XLSX workbook and sent as an
//! attachment by [`respond`].
//!
//! A table has typed [`Column`]s and rows of [`Value`]s (`None` is an empty cell); a row whose
//! cells do not match the columns is refused. Both files come from the same table, so the CSV and
//! the XLSX of a request hold the same figures, and those are the figures of the JSON API:
//!
//! - **CSV** (RFC 4180): UTF-8 without a byte order mark (the media type says `charset=utf-8`; a
//!   BOM would end up in the first header name of most CSV readers), a header row, CRLF line
//!   ends, a field quoted only when it holds a comma, quote or line break. Numbers as the JSON API
//!   writes them: integers and money in whole rupiah without separators, rates as fractions
//!   (`0.25`, never `25%`); dates `YYYY-MM-DD`; times in UTC as RFC 3339, exactly as the API's
//!   JSON; booleans `true`/`false`; a null is an empty field.
//! - **XLSX**: one sheet with a bold, frozen header row and an autofilter; numbers are number
//!   cells (money shown with thousands separators, rates as percentages: the stored value is the
//!   API's number either way), dates and times real date cells (times in UTC: a spreadsheet has
//!   no time zones), booleans TRUE/FALSE, a null an empty cell; columns as wide as their content.
//!
//! The `format` query parameter ([`Format`]) is required: `csv` or `xlsx`, anything else or
//! nothing is a 422 naming `format`. Defaulting would make a bare link download a file whose kind
//! the caller never chose, and the file name's extension depends on it.

use std::borrow::Cow;

use actix_web::http::header;
use actix_web::{web, HttpResponse};
use chrono::{NaiveDate, NaiveDateTime, SecondsFormat};
use serde::Deserialize;

use crate::error::{AppError, AppResult};

/// What a column holds, and so how each file writes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Text,
    Integer,
    /// A plain number (a median, an average).
    Number,
    /// A fraction between 0 and 1, as the API gives rates.
    Rate,
    /// Whole rupiah.
    Money,
    Boolean,
    Date,
    /// A UTC instant (the database's naive UTC timestamps).
    DateTime,
}

/// One cell's value; its variant is its [`Kind`].
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Integer(i64),
    Number(f64),
    Rate(f64),
    Money(i64),
    Boolean(bool),
    Date(NaiveDate),
    DateTime(NaiveDateTime),
}

impl Value {
    pub fn kind(&self) -> Kind {
        match self {
            Value::Text(_) => Kind::Text,
            Value::Integer(_) => Kind::Integer,
            Value::Number(_) => Kind::Number,
            Value::Rate(_) => Kind::Rate,
            Value::Money(_) => Kind::Money,
            Value::Boolean(_) => Kind::Boolean,
            Value::Date(_) => Kind::Date,
            Value::DateTime(_) => Kind::DateTime,
        }
    }

    /// A text cell (handy with `Option::map`).
    pub fn text(value: impl Into<String>) -> Value {
        Value::Text(value.into())
    }
}

/// A cell: `None` is empty (the API's `null`).
pub type Cell = Option<Value>;

/// A column: the header's name and what the column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: Cow<'static, str>,
    pub kind: Kind,
}

impl Column {
    pub fn new(name: impl Into<Cow<'static, str>>, kind: Kind) -> Self {
        Self {
            name: name.into(),
            kind,
        }
    }
}

/// A table to download: typed columns and rows of cells of those types.
#[derive(Debug, Clone)]
pub struct Table {
    sheet: String,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
}

impl Table {
    /// An empty table. `sheet` names the XLSX worksheet: at most 31 characters, none of
    /// `[]:*?/\`.
    pub fn new(sheet: impl Into<String>, columns: Vec<Column>) -> Self {
        Self {
            sheet: sheet.into(),
            columns,
            rows: Vec::new(),
        }
    }

    /// Appends a row. A row of the wrong width or with a cell of the wrong kind is a bug of the
    /// caller: an internal error (logged), never a file with shifted columns.
    pub fn push(&mut self, row: Vec<Cell>) -> AppResult<()> {
        if row.len() != self.columns.len() {
            return Err(AppError::internal(format!(
                "export row of {} cells for {} columns",
                row.len(),
                self.columns.len()
            )));
        }
        for (column, cell) in self.columns.iter().zip(&row) {
            if let Some(value) = cell {
                if value.kind() != column.kind {
                    return Err(AppError::internal(format!(
                        "export column {} holds {:?}, not {:?}",
                        column.name,
                        column.kind,
                        value.kind()
                    )));
                }
            }
        }
        self.rows.push(row);
        Ok(())
    }

    pub fn columns(&self) -> &[Column] {
        &self.columns
    }

    pub fn rows(&self) -> &[Vec<Cell>] {
        &self.rows
    }

    pub fn render(&self, format: Format) -> AppResult<Vec<u8>> {
        match format {
            Format::Csv => self.to_csv(),
            Format::Xlsx => self.to_xlsx(),
        }
    }

    /// The table as RFC 4180 CSV (see the module's documentation).
    pub fn to_csv(&self) -> AppResult<Vec<u8>> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(Vec::new());
        writer
            .write_record(self.columns.iter().map(|c| c.name.as_ref()))
            .map_err(AppError::internal)?;
        for row in &self.rows {
            let fields: Vec<Cow<'_, str>> = row.iter().map(csv_field).collect();
            writer
                .write_record(fields.iter().map(|field| field.as_bytes()))
                .map_err(AppError::internal)?;
        }
        writer.into_inner().map_err(AppError::internal)
    }

    /// The table as an XLSX workbook of one sheet (see the module's documentation).
    pub fn to_xlsx(&self) -> AppResult<Vec<u8>> {
        self.write_xlsx().map_err(AppError::internal)
    }

    fn write_xlsx(&self) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format as Style, Workbook, XlsxError};

        let bold = Style::new().set_bold();
        let integer = Style::new().set_num_format("0");
        let money = Style::new().set_num_format("#,##0");
        let rate = Style::new().set_num_format("0.0%");
        let date = Style::new().set_num_format("yyyy-mm-dd");
        let datetime = Style::new().set_num_format("yyyy-mm-dd hh:mm:ss");

        let mut workbook = Workbook::new();
        let sheet = workbook.add_worksheet();
        sheet.set_name(&self.sheet)?;
        // Room for the bold face and the filter button.
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| c.name.chars().count() + 3)
            .collect();
        for (col, column) in (0u16..).zip(&self.columns) {
            sheet.write_string_with_format(0, col, column.name.as_ref(), &bold)?;
        }
        for (row, cells) in (1u32..).zip(&self.rows) {
            for ((col, cell), width) in (0u16..).zip(cells).zip(&mut widths) {
                let Some(value) = cell else { continue };
                *width = (*width).max(display_width(value));
                // A workbook's numbers are f64: exact up to 2^53, far above any rupiah figure the
                // API accepts (`MAX_MONEY_IDR` is 10^15).
                match value {
                    // A string cell is never evaluated as a formula: written as is.
                    Value::Text(text) => sheet.write_string(row, col, text)?,
                    Value::Integer(n) => {
                        sheet.write_number_with_format(row, col, *n as f64, &integer)?
                    }
                    Value::Money(n) => {
                        sheet.write_number_with_format(row, col, *n as f64, &money)?
                    }
                    Value::Number(x) if x.is_finite() => sheet.write_number(row, col, *x)?,
                    Value::Rate(x) if x.is_finite() => {
                        sheet.write_number_with_format(row, col, *x, &rate)?
                    }
                    Value::Number(_) | Value::Rate(_) => continue,
                    Value::Boolean(b) => sheet.write_boolean(row, col, *b)?,
                    Value::Date(d) => sheet.write_datetime_with_format(row, col, d, &date)?,
                    Value::DateTime(t) => {
                        sheet.write_datetime_with_format(row, col, t, &datetime)?
                    }
                };
            }
        }
        for (col, width) in (0u16..).zip(&widths) {
            sheet.set_column_width(col, (*width).clamp(6, 60) as f64)?;
        }
        if let Some(last_col) = self.columns.len().checked_sub(1) {
            let last_col = u16::try_from(last_col).map_err(|_| XlsxError::RowColumnLimitError)?;
            let last_row =
                u32::try_from(self.rows.len()).map_err(|_| XlsxError::RowColumnLimitError)?;
            sheet.set_freeze_panes(1, 0)?;
            sheet.autofilter(0, 0, last_row, last_col)?;
        }
        workbook.save_to_buffer()
    }
}

/// About how many characters a spreadsheet shows for a value, to size its column.
fn display_width(value: &Value) -> usize {
    match value {
        Value::Text(text) => text.chars().count(),
        Value::Integer(n) => n.to_string().len(),
        // Digits, a separator every three, a sign.
        Value::Money(n) => {
            let digits = n.unsigned_abs().to_string().len();
            digits + (digits - 1) / 3 + usize::from(*n < 0)
        }
        Value::Number(_) => 11, // "General" shows at most about eleven characters
        Value::Rate(_) => 6,    // "100.0%"
        Value::Boolean(_) => 5,
        Value::Date(_) => 10,
        Value::DateTime(_) => 19,
    }
}

/// A CSV field. Text that a spreadsheet would read as a formula is guarded (see
/// [`guard_formula`]); numbers are written as the API writes them and never altered.
fn csv_field(cell: &Cell) -> Cow<'_, str> {
    let Some(value) = cell else {
        return Cow::Borrowed("");
    };
    match value {
        Value::Text(text) => guard_formula(text),
        Value::Integer(n) | Value::Money(n) => Cow::Owned(n.to_string()),
        // `Display` of an f64 is its shortest exact decimal, never in exponent notation.
        Value::Number(x) | Value::Rate(x) if x.is_finite() => Cow::Owned(x.to_string()),
        Value::Number(_) | Value::Rate(_) => Cow::Borrowed(""),
        Value::Boolean(b) => Cow::Borrowed(if *b { "true" } else { "false" }),
        Value::Date(d) => Cow::Owned(d.format("%Y-%m-%d").to_string()),
        // As the JSON API writes a time (chrono's serde format).
        Value::DateTime(t) => Cow::Owned(t.and_utc().to_rfc3339_opts(SecondsFormat::AutoSi, true)),
    }
}

/// CSV injection: Excel, LibreOffice and Google Sheets evaluate a CSV field that starts with
/// `=`, `+`, `-` or `@` as a formula (some strip a leading tab or carriage return first), and a
/// formula can run commands (DDE) or send the sheet's data away. As OWASP advises and exporters
/// do (GitLab, Django import-export), such a text field gets a leading apostrophe, which a
/// spreadsheet reads as "this is text". Only text columns are guarded: a negative number is a
/// number, not a formula. XLSX needs no guard: a string cell is never evaluated.
///
/// What counts is the first character a spreadsheet sees, so leading invisible characters are
/// looked past ([`invisible`]): `\u{200B}=cmd` is guarded like `=cmd`.
fn guard_formula(text: &str) -> Cow<'_, str> {
    let first = text
        .chars()
        .find(|&ch| matches!(ch, '\t' | '\r') || !invisible(ch));
    match first {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{text}")),
        _ => Cow::Borrowed(text),
    }
}

/// A character that shows nothing in a cell: a control character (NUL, the C1 set …), a
/// zero-width space or joiner (U+200B–U+200D), the word joiner U+2060, a byte order mark U+FEFF,
/// or a bidirectional formatting character (see [`crate::validate::is_bidi_control`]).
fn invisible(ch: char) -> bool {
    ch.is_control()
        || matches!(ch, '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}')
        || crate::validate::is_bidi_control(ch)
}

/// The file format asked for by the `format` query parameter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    Csv,
    Xlsx,
}

impl Format {
    /// The format of a query's `format` parameter, which is required (see the module's
    /// documentation): absent is 422. A value other than `csv` or `xlsx` is already a 422 from
    /// [`crate::extract::ApiQuery`], which names the field.
    pub fn required(format: Option<Format>) -> AppResult<Format> {
        format.ok_or_else(|| AppError::invalid_field("format", "is required: csv or xlsx"))
    }

    pub fn content_type(self) -> &'static str {
        match self {
            Format::Csv => "text/csv; charset=utf-8",
            Format::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// The table as a download named `{name}.{csv|xlsx}`, rendered on a blocking thread (an XLSX is
/// compressed). The name keeps ASCII letters, digits, `.`, `_` and `-` (anything else becomes
/// `_`), so it needs no escaping in `Content-Disposition`. Exports are never cached: they hold
/// data that only some may read.
pub async fn respond(table: Table, format: Format, name: &str) -> AppResult<HttpResponse> {
    let body = web::block(move || table.render(format)).await??;
    let name: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    Ok(HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.extension()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body))
}

#[cfg(test)]
mod tests {
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
}
