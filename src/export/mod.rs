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
//! For people rather than machines, `lang=id` ([`Lang`]) writes the headers in Indonesian, and
//! the XLSX gets a second sheet of notes: each column's definition and the table's caveats, in
//! the chosen language. `dialect=excel-id` ([`Dialect`], CSV only) writes what Excel in an
//! Indonesian locale opens as columns and numbers: `;` separators, a decimal comma for non-integer
//! numbers and a UTF-8 BOM (without it Excel reads UTF-8 as the ANSI code page). The defaults
//! (English, RFC 4180) stay as above for scripts. Each column's name, Indonesian header and
//! definitions live in its [`Column`], so every file of a table says the same.
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

/// A column: its name (the API's field, the English header), what it holds, and for people its
/// Indonesian header and its definition in both languages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Column {
    pub name: Cow<'static, str>,
    pub kind: Kind,
    pub header_id: Cow<'static, str>,
    pub definition: Texts,
}

/// A text in English and in Indonesian.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Texts {
    pub en: Cow<'static, str>,
    pub id: Cow<'static, str>,
}

impl Texts {
    pub fn new(en: impl Into<Cow<'static, str>>, id: impl Into<Cow<'static, str>>) -> Self {
        Self {
            en: en.into(),
            id: id.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Id => &self.id,
        }
    }
}

impl Column {
    /// A column without an Indonesian header or definition (its name serves for both).
    pub fn new(name: impl Into<Cow<'static, str>>, kind: Kind) -> Self {
        let name = name.into();
        Self {
            header_id: name.clone(),
            name,
            kind,
            definition: Texts::default(),
        }
    }

    /// A column with its Indonesian header and its definition in English and Indonesian.
    pub fn described(
        name: impl Into<Cow<'static, str>>,
        kind: Kind,
        header_id: impl Into<Cow<'static, str>>,
        definition: Texts,
    ) -> Self {
        Self {
            name: name.into(),
            kind,
            header_id: header_id.into(),
            definition,
        }
    }

    /// The header in `lang`: the API's field name in English, else the Indonesian header.
    pub fn header(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.name,
            Lang::Id => &self.header_id,
        }
    }
}

/// A table to download: typed columns and rows of cells of those types.
#[derive(Debug, Clone)]
pub struct Table {
    sheet: String,
    columns: Vec<Column>,
    rows: Vec<Vec<Cell>>,
    notes: Vec<Texts>,
}

impl Table {
    /// An empty table. `sheet` names the XLSX worksheet: at most 31 characters, none of
    /// `[]:*?/\`.
    pub fn new(sheet: impl Into<String>, columns: Vec<Column>) -> Self {
        Self {
            sheet: sheet.into(),
            columns,
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a caveat about the table, written under the column definitions of the XLSX's notes.
    pub fn note(&mut self, note: Texts) {
        self.notes.push(note);
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

    pub fn notes(&self) -> &[Texts] {
        &self.notes
    }

    pub fn render(&self, options: Options) -> AppResult<Vec<u8>> {
        match options.format {
            Format::Csv => self.to_csv_as(options.lang, options.dialect),
            Format::Xlsx => self.to_xlsx_in(options.lang),
        }
    }

    /// The table as RFC 4180 CSV with English headers (see the module's documentation).
    pub fn to_csv(&self) -> AppResult<Vec<u8>> {
        self.to_csv_as(Lang::En, Dialect::Rfc4180)
    }

    /// The table as CSV with headers in `lang`, in `dialect`.
    pub fn to_csv_as(&self, lang: Lang, dialect: Dialect) -> AppResult<Vec<u8>> {
        let (delimiter, start) = match dialect {
            Dialect::Rfc4180 => (b',', Vec::new()),
            Dialect::ExcelId => (b';', "\u{FEFF}".as_bytes().to_vec()),
        };
        let mut writer = csv::WriterBuilder::new()
            .delimiter(delimiter)
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(start);
        writer
            .write_record(self.columns.iter().map(|c| c.header(lang)))
            .map_err(AppError::internal)?;
        for row in &self.rows {
            let fields: Vec<Cow<'_, str>> = row
                .iter()
                .map(|cell| match (dialect, cell) {
                    // A decimal comma, as Excel reads numbers in an Indonesian locale.
                    (Dialect::ExcelId, Some(Value::Number(_) | Value::Rate(_))) => {
                        Cow::Owned(csv_field(cell).replace('.', ","))
                    }
                    _ => csv_field(cell),
                })
                .collect();
            writer
                .write_record(fields.iter().map(|field| field.as_bytes()))
                .map_err(AppError::internal)?;
        }
        writer.into_inner().map_err(AppError::internal)
    }

    /// The table as an XLSX workbook with English headers (see the module's documentation).
    pub fn to_xlsx(&self) -> AppResult<Vec<u8>> {
        self.to_xlsx_in(Lang::En)
    }

    /// The table as an XLSX workbook: the table's sheet with headers in `lang`, then the notes
    /// sheet in `lang`.
    pub fn to_xlsx_in(&self, lang: Lang) -> AppResult<Vec<u8>> {
        self.write_xlsx(lang).map_err(AppError::internal)
    }

    fn write_xlsx(&self, lang: Lang) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format as Style, Workbook};

        let mut workbook = Workbook::new();
        self.write_sheet(workbook.add_worksheet(), lang)?;
        let bold = Style::new().set_bold();
        self.write_notes(workbook.add_worksheet(), lang, &bold)?;
        workbook.save_to_buffer()
    }

    /// The table's own sheet: the bold, frozen header row, typed cells, an autofilter.
    fn write_sheet(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        lang: Lang,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        use rust_xlsxwriter::{Format as Style, XlsxError};

        let bold = Style::new().set_bold();
        let integer = Style::new().set_num_format("0");
        let money = Style::new().set_num_format("#,##0");
        let rate = Style::new().set_num_format("0.0%");
        let date = Style::new().set_num_format("yyyy-mm-dd");
        let datetime = Style::new().set_num_format("yyyy-mm-dd hh:mm:ss");

        sheet.set_name(&self.sheet)?;
        // Room for the bold face and the filter button.
        let mut widths: Vec<usize> = self
            .columns
            .iter()
            .map(|c| c.header(lang).chars().count() + 3)
            .collect();
        for (col, column) in (0u16..).zip(&self.columns) {
            sheet.write_string_with_format(0, col, column.header(lang), &bold)?;
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
        Ok(())
    }

    /// The notes sheet: a row per column (its header, its field name, its definition), then the
    /// table's caveats, one per row, below an empty row.
    fn write_notes(
        &self,
        sheet: &mut rust_xlsxwriter::Worksheet,
        lang: Lang,
        bold: &rust_xlsxwriter::Format,
    ) -> Result<(), rust_xlsxwriter::XlsxError> {
        let wrap = rust_xlsxwriter::Format::new().set_text_wrap();
        let titles = match lang {
            Lang::En => ["Column", "Field", "Definition"],
            Lang::Id => ["Kolom", "Nama field", "Definisi"],
        };
        sheet.set_name(NOTES_SHEET.get(lang))?;
        for (col, title) in (0u16..).zip(titles) {
            sheet.write_string_with_format(0, col, title, bold)?;
        }
        for (row, column) in (1u32..).zip(&self.columns) {
            sheet.write_string(row, 0, column.header(lang))?;
            sheet.write_string(row, 1, column.name.as_ref())?;
            sheet.write_string_with_format(row, 2, column.definition.get(lang), &wrap)?;
        }
        let first_note = self.columns.len() as u32 + 2;
        for (row, note) in (first_note..).zip(&self.notes) {
            sheet.write_string(row, 0, note.get(lang))?;
        }
        let header_width = self
            .columns
            .iter()
            .map(|c| c.header(lang).chars().count())
            .max()
            .unwrap_or(0);
        sheet.set_column_width(0, header_width.clamp(10, 40) as f64)?;
        sheet.set_column_width(1, 28)?;
        sheet.set_column_width(2, 90)?;
        sheet.set_freeze_panes(1, 0)?;
        Ok(())
    }
}

/// Several tables as one XLSX workbook, for a report of many tables: a sheet per table (as
/// [`Table::to_xlsx_in`] writes its one sheet), then one notes sheet that defines, table by table
/// under the table's sheet name, every column and the table's caveats, and then the caveats of
/// the whole report (`notes`).
pub fn workbook_xlsx(tables: &[Table], notes: &[Texts], lang: Lang) -> AppResult<Vec<u8>> {
    write_workbook(tables, notes, lang).map_err(AppError::internal)
}

fn write_workbook(
    tables: &[Table],
    notes: &[Texts],
    lang: Lang,
) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    use rust_xlsxwriter::{Format as Style, Workbook};

    let bold = Style::new().set_bold();
    let wrap = Style::new().set_text_wrap();
    let mut workbook = Workbook::new();
    for table in tables {
        table.write_sheet(workbook.add_worksheet(), lang)?;
    }
    let sheet = workbook.add_worksheet();
    sheet.set_name(NOTES_SHEET.get(lang))?;
    let titles = match lang {
        Lang::En => ["Column", "Field", "Definition"],
        Lang::Id => ["Kolom", "Nama field", "Definisi"],
    };
    for (col, title) in (0u16..).zip(titles) {
        sheet.write_string_with_format(0, col, title, &bold)?;
    }
    let mut row = 2u32;
    for table in tables {
        sheet.write_string_with_format(row, 0, &table.sheet, &bold)?;
        row += 1;
        for column in &table.columns {
            sheet.write_string(row, 0, column.header(lang))?;
            sheet.write_string(row, 1, column.name.as_ref())?;
            sheet.write_string_with_format(row, 2, column.definition.get(lang), &wrap)?;
            row += 1;
        }
        for note in &table.notes {
            sheet.write_string(row, 0, note.get(lang))?;
            row += 1;
        }
        row += 1;
    }
    for note in notes {
        sheet.write_string(row, 0, note.get(lang))?;
        row += 1;
    }
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 28)?;
    sheet.set_column_width(2, 90)?;
    sheet.set_freeze_panes(1, 0)?;
    workbook.save_to_buffer()
}

/// The name of the XLSX's notes sheet, the second one.
pub const NOTES_SHEET: Texts = Texts {
    en: Cow::Borrowed("Notes"),
    id: Cow::Borrowed("Catatan"),
};

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

/// The language of the headers and notes (`lang`): English by default, for scripts that read
/// the headers as field names; Indonesian for people.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Id,
}

/// The CSV's shape (`dialect`): RFC 4180 by default; `excel-id` for Excel in an Indonesian
/// locale (see the module's documentation).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
pub enum Dialect {
    #[default]
    #[serde(skip)]
    Rfc4180,
    #[serde(rename = "excel-id")]
    ExcelId,
}

/// What an export's query asked for: the format, the language and the CSV's dialect.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    pub format: Format,
    pub lang: Lang,
    pub dialect: Dialect,
}

impl Options {
    /// The options of a query: `format` is required (see [`Format::required`]); a `dialect` is
    /// a CSV's, so with `format=xlsx` it is a 422 rather than silently ignored.
    pub fn of_query(
        format: Option<Format>,
        lang: Option<Lang>,
        dialect: Option<Dialect>,
    ) -> AppResult<Options> {
        let format = Format::required(format)?;
        if dialect.is_some() && format != Format::Csv {
            return Err(AppError::invalid_field(
                "dialect",
                "applies to format=csv only",
            ));
        }
        Ok(Options {
            format,
            lang: lang.unwrap_or_default(),
            dialect: dialect.unwrap_or_default(),
        })
    }
}

impl From<Format> for Options {
    fn from(format: Format) -> Self {
        Options {
            format,
            lang: Lang::En,
            dialect: Dialect::Rfc4180,
        }
    }
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
pub async fn respond(
    table: Table,
    options: impl Into<Options>,
    name: &str,
) -> AppResult<HttpResponse> {
    let options = options.into();
    let format = options.format;
    let body = web::block(move || table.render(options)).await??;
    Ok(attachment(body, format, name))
}

/// A rendered file as a download named `{name}.{csv|xlsx}`: the headers of [`respond`].
pub fn attachment(body: Vec<u8>, format: Format, name: &str) -> HttpResponse {
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
    HttpResponse::Ok()
        .content_type(format.content_type())
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}.{}\"", format.extension()),
        ))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .body(body)
}

#[cfg(test)]
mod tests;
