//! Hires reported from a spreadsheet (CSV or XLSX) at the booth: each row names a candidate (the
//! code on their ticket, or the NIK of someone who attended the fair), a vacancy of the employer
//! at that fair (its title, or its id), a start date and a monthly salary.
//!
//! Each row is one report through [`super::report::report`], in its own transaction: rows
//! commit one by one, and a refused row writes nothing. The answer is a row-by-row report. A
//! file that is no spreadsheet, lacks the columns, or has more than [`MAX_ROWS`] rows is
//! refused whole before any row is reported.

use std::io::Cursor;

use calamine::{Data, Reader};
use chrono::NaiveDate;

use super::report::{report, NewPlacement, Reported};
use super::{ContractType, PlacementView};
use crate::auth::AuthUser;
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::vacancies::Vacancy;

/// The most rows one file may hold: a fair's booth reports tens of hires, not thousands.
pub const MAX_ROWS: usize = 500;

/// The columns, in the templates' order: the Indonesian header, and the English one also read.
pub const COLUMNS: [(&str, &str); 4] = [
    ("kode_tiket_atau_nik", "ticket_code_or_nik"),
    ("lowongan", "vacancy"),
    ("tanggal_mulai", "start_date"),
    ("gaji_rp", "salary_idr"),
];

/// One row as read: text, checked when it is reported.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The row's number in the file (the header is row 1).
    pub line: usize,
    pub candidate: String,
    pub vacancy: String,
    pub start_date: String,
    pub salary: String,
}

impl Row {
    fn is_blank(&self) -> bool {
        [
            &self.candidate,
            &self.vacancy,
            &self.start_date,
            &self.salary,
        ]
        .iter()
        .all(|v| v.trim().is_empty())
    }
}

/// Why a whole file is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SheetError {
    NotASpreadsheet,
    /// The first row lacks these columns.
    MissingColumns(Vec<&'static str>),
    Empty,
    TooManyRows,
}

/// The rows of a CSV or XLSX file (told apart by content, not by name), blank rows left out.
pub fn read(bytes: &[u8]) -> Result<Vec<Row>, SheetError> {
    let table = if bytes.starts_with(b"PK\x03\x04") {
        xlsx_table(bytes)?
    } else {
        csv_table(bytes)?
    };
    let mut lines = table.into_iter();
    let header = lines.next().ok_or(SheetError::Empty)?;
    let header: Vec<String> = header
        .iter()
        .map(|h| h.trim().trim_start_matches('\u{feff}').to_lowercase())
        .collect();
    let mut positions = Vec::new();
    let mut missing = Vec::new();
    for (id, en) in COLUMNS {
        match header.iter().position(|h| h == id || h == en) {
            Some(i) => positions.push(i),
            None => missing.push(id),
        }
    }
    if !missing.is_empty() {
        return Err(SheetError::MissingColumns(missing));
    }
    let cell = |line: &[String], i: usize| line.get(positions[i]).cloned().unwrap_or_default();
    let rows: Vec<Row> = lines
        .enumerate()
        .map(|(n, line)| Row {
            line: n + 2,
            candidate: cell(&line, 0),
            vacancy: cell(&line, 1),
            start_date: cell(&line, 2),
            salary: cell(&line, 3),
        })
        .filter(|r| !r.is_blank())
        .collect();
    if rows.is_empty() {
        return Err(SheetError::Empty);
    }
    if rows.len() > MAX_ROWS {
        return Err(SheetError::TooManyRows);
    }
    Ok(rows)
}

/// Reading stops a little past the limit: enough to know a file is too long.
const READ_LIMIT: usize = MAX_ROWS + 2;

fn csv_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let text = std::str::from_utf8(bytes).map_err(|_| SheetError::NotASpreadsheet)?;
    if text.contains('\0') {
        return Err(SheetError::NotASpreadsheet);
    }
    // Excel in an Indonesian locale writes `;` between fields.
    let first = text.lines().next().unwrap_or_default();
    let delimiter = if first.matches(';').count() > first.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut table = Vec::new();
    for record in reader.records().take(READ_LIMIT) {
        let record = record.map_err(|_| SheetError::NotASpreadsheet)?;
        table.push(record.iter().map(str::to_owned).collect());
    }
    Ok(table)
}

fn xlsx_table(bytes: &[u8]) -> Result<Vec<Vec<String>>, SheetError> {
    let mut workbook = calamine::open_workbook_auto_from_rs(Cursor::new(bytes.to_vec()))
        .map_err(|_| SheetError::NotASpreadsheet)?;
    let range = workbook
        .worksheet_range_at(0)
        .ok_or(SheetError::Empty)?
        .map_err(|_| SheetError::NotASpreadsheet)?;
    Ok(range
        .rows()
        .take(READ_LIMIT)
        .map(|row| row.iter().map(cell_text).collect())
        .collect())
}

/// A cell as text: dates as `YYYY-MM-DD`, whole numbers without a decimal point.
fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::DateTime(d) => d
            .as_datetime()
            .map(|t| t.date().to_string())
            .unwrap_or_else(|| d.to_string()),
        other => other.to_string(),
    }
}

/// A start date as people write it: `2026-12-07`, `07/12/2026` or `07-12-2026`.
pub fn parse_date(raw: &str) -> Option<NaiveDate> {
    let raw = raw.trim();
    ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%d %H:%M:%S"]
        .iter()
        .find_map(|f| NaiveDate::parse_from_str(raw, f).ok())
}

/// A salary in rupiah as people write it: `4.500.000`, `Rp 4,500,000` or `4500000`.
pub fn parse_salary(raw: &str) -> Option<i64> {
    let digits: String = raw
        .trim()
        .trim_start_matches("Rp")
        .trim_start_matches("rp")
        .chars()
        .filter(|c| !matches!(c, '.' | ',' | ' ' | '\u{a0}'))
        .collect();
    if digits.is_empty() || !digits.chars().all(|c| c.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok()
}

/// Whether the value is written as a NIK (16 digits) rather than a ticket code.
fn is_nik(value: &str) -> bool {
    let digits: String = value.chars().filter(|c| !c.is_whitespace()).collect();
    digits.len() == 16 && digits.chars().all(|c| c.is_ascii_digit())
}

/// The booth a sheet reports for: the employer's vacancies at the fair.
pub struct Booth<'a> {
    pub event_id: &'a str,
    pub vacancies: &'a [Vacancy],
    pub nik_key: &'a [u8],
    pub public_url: &'a str,
}

/// The contract a hire from this vacancy is on: the vacancy's employment type.
fn contract_of(vacancy: &Vacancy) -> ContractType {
    ContractType::parse(vacancy.employment_type.as_str()).unwrap_or_default()
}

/// The vacancy a row names: its id, or its title (any case) when one vacancy has it.
fn vacancy_named<'a>(vacancies: &'a [Vacancy], name: &str) -> AppResult<&'a Vacancy> {
    let name = name.trim();
    if let Some(v) = vacancies.iter().find(|v| v.id == name) {
        return Ok(v);
    }
    let mut named = vacancies
        .iter()
        .filter(|v| v.title.trim().eq_ignore_ascii_case(name));
    match (named.next(), named.next()) {
        (Some(v), None) => Ok(v),
        (Some(_), Some(_)) => Err(AppError::invalid_field(
            "vacancy_id",
            "two vacancies have this title: give the vacancy's id",
        )),
        _ => Err(AppError::invalid_field(
            "vacancy_id",
            "no vacancy of yours at this fair has this title",
        )),
    }
}

/// Reports the hire of one row (its own transaction, see the module's rules): the
/// placement, or why the row was refused (nothing written).
pub fn report_row(
    conn: &mut DbConn,
    caller: &AuthUser,
    booth: &Booth<'_>,
    row: &Row,
) -> AppResult<PlacementView> {
    let vacancy = vacancy_named(booth.vacancies, &row.vacancy)?;
    let candidate = row.candidate.trim();
    let (job_seeker_id, check_in_code) = if candidate.is_empty() {
        return Err(AppError::invalid_field("check_in_code", "is required"));
    } else if is_nik(candidate) {
        let nik: String = candidate.chars().filter(|c| !c.is_whitespace()).collect();
        (Some(attendee_by_nik(conn, booth, &nik)?), None)
    } else {
        (None, Some(candidate.to_owned()))
    };
    let start_date = parse_date(&row.start_date)
        .ok_or_else(|| AppError::invalid_field("start_date", "is not a date"))?;
    let salary_idr = parse_salary(&row.salary)
        .ok_or_else(|| AppError::invalid_field("salary_idr", "is not an amount in rupiah"))?;
    let input = NewPlacement {
        vacancy_id: Some(vacancy.id.clone()),
        job_seeker_id,
        check_in_code,
        start_date: Some(start_date),
        salary_idr: Some(salary_idr),
        contract_type: Some(contract_of(vacancy)),
        occupation_code: Some(vacancy.occupation_code.clone()),
        ..Default::default()
    };
    report_one(conn, caller, input, booth.public_url)
}

/// One report through the domain's rule, as the booth's single form sends it too.
pub fn report_one(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: NewPlacement,
    public_url: &str,
) -> AppResult<PlacementView> {
    let checked = input.check()?;
    match report(conn, caller, &checked, None, public_url)? {
        Reported::New(view) => Ok(*view),
        Reported::Replayed(_) => Err(AppError::internal("a report without a key was replayed")),
    }
}

/// The job seeker with this NIK who checked in at the fair; the same refusal whether no one
/// has the NIK or its holder did not attend (a NIK's holder is not told to an employer).
fn attendee_by_nik(conn: &mut DbConn, booth: &Booth<'_>, nik: &str) -> AppResult<String> {
    let refused = || AppError::invalid_field("nik", "no one who attended this fair has this NIK");
    let hash = crate::job_seekers::nik_hash(booth.nik_key, nik);
    let seeker = crate::job_seekers::find_by_nik_hash(conn, &hash)?.ok_or_else(refused)?;
    let attended = crate::registrations::find_for(conn, booth.event_id, &seeker.id)?
        .is_some_and(|r| r.checked_in_at.is_some());
    if attended {
        Ok(seeker.id)
    } else {
        Err(refused())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_by_either_header_and_delimiter() {
        let rows = read(b"kode_tiket_atau_nik;lowongan;tanggal_mulai;gaji_rp\nABCD-EFGH;Operator;07/12/2026;4.500.000\n;;;\n").unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].vacancy, "Operator");
        let rows =
            read(b"ticket_code_or_nik,vacancy,start_date,salary_idr\nX,Y,2026-12-07,1\n").unwrap();
        assert_eq!(rows[0].candidate, "X");
    }

    #[test]
    fn bad_files_are_refused_whole() {
        assert_eq!(read(b"\x00\x01\x02\xff"), Err(SheetError::NotASpreadsheet));
        assert_eq!(
            read(b"name,vacancy\nx,y\n"),
            Err(SheetError::MissingColumns(vec![
                "kode_tiket_atau_nik",
                "tanggal_mulai",
                "gaji_rp"
            ]))
        );
        assert_eq!(
            read(b"lowongan,kode_tiket_atau_nik,tanggal_mulai,gaji_rp\n"),
            Err(SheetError::Empty)
        );
        let mut long = String::from("lowongan,kode_tiket_atau_nik,tanggal_mulai,gaji_rp\n");
        for _ in 0..=MAX_ROWS {
            long.push_str("a,b,c,d\n");
        }
        assert_eq!(read(long.as_bytes()), Err(SheetError::TooManyRows));
    }

    #[test]
    fn dates_and_amounts_as_people_write_them() {
        let day = NaiveDate::from_ymd_opt(2026, 12, 7);
        assert_eq!(parse_date("2026-12-07"), day);
        assert_eq!(parse_date("07/12/2026"), day);
        assert_eq!(parse_date("7-12-2026"), day);
        assert_eq!(parse_date("Desember"), None);
        assert_eq!(parse_salary("Rp 4.500.000"), Some(4_500_000));
        assert_eq!(parse_salary("4,500,000"), Some(4_500_000));
        assert_eq!(parse_salary("-5"), None);
        assert!(is_nik("3171 0123 4567 0001"));
        assert!(!is_nik("ABCD-EFGH-JKLM-NPQR"));
    }
}
