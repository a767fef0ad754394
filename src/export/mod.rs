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
mod tests;
