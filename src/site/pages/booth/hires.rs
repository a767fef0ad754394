//! Reporting hires at the booth: one by one, or from a spreadsheet (CSV or XLSX, with
//! templates to download in both formats). Every row goes through
//! [`crate::placements::sheet::report_row`], which calls the domain's one report rule; rows
//! commit one by one and a refused row writes nothing. The answer is a row-by-row report.

use actix_multipart::form::{bytes::Bytes, text::Text, MultipartForm};
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{booth_of, frame, path_id, refusal_text, FieldErrors};
use crate::error::AppError;
use crate::placements::sheet::{self, Booth, Row, SheetError, MAX_ROWS};
use crate::site::pages::seeker::signed_in;
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::vacancies::{Vacancy, VacancyStatus};
use crate::AppState;

/// The largest file taken: far above 500 rows of four short columns.
pub const MAX_FILE_BYTES: usize = 2 * 1024 * 1024;

pub struct VacancyChoice {
    pub id: String,
    pub title: String,
    pub selected: bool,
}

/// One row of an upload's report.
pub struct RowOutcome {
    pub line: usize,
    pub candidate: String,
    pub vacancy: String,
    pub recorded: bool,
    pub reason: &'static str,
}

#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct HireForm {
    csrf: String,
    pub candidate: String,
    pub vacancy: String,
    pub start_date: String,
    pub salary: String,
}

#[derive(Template)]
#[template(path = "booth/hires.html")]
struct HiresPage {
    frame: Frame,
    back: String,
    action: String,
    vacancies: Vec<VacancyChoice>,
    form: HireForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
    problem: Option<String>,
    outcomes: Vec<RowOutcome>,
    recorded: usize,
    refused: usize,
    max_rows: usize,
}

/// The employer's vacancies at the fair, for a visitor who acts for the employer.
fn booth_vacancies(
    conn: &mut crate::db::DbConn,
    caller: &crate::auth::AuthUser,
    org: &str,
    event: &str,
) -> crate::error::AppResult<Vec<Vacancy>> {
    booth_of(conn, caller, org, event)?;
    let query = crate::vacancies::ListQuery {
        organization_id: Some(org.to_owned()),
        limit: Some(crate::pagination::MAX_LIMIT),
        ..Default::default()
    };
    Ok(crate::vacancies::list(conn, Some(caller), event, query)?.items)
}

struct Outcome {
    form: HireForm,
    errors: FieldErrors,
    notice: Option<&'static str>,
    problem: Option<String>,
    outcomes: Vec<RowOutcome>,
}

impl Outcome {
    fn blank(form: HireForm) -> Self {
        Self {
            form,
            errors: FieldErrors::default(),
            notice: None,
            problem: None,
            outcomes: Vec::new(),
        }
    }
}

async fn hires_page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    org: String,
    event: String,
    outcome: Outcome,
    status: StatusCode,
) -> HttpResponse {
    let caller = match signed_in(&visitor, &format!("/booth/{org}/fairs/{event}/hires")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (o, e) = (org.clone(), event.clone());
    let found = state
        .db(move |conn| booth_vacancies(conn, &caller, &o, &e))
        .await;
    let vacancies = match found {
        Ok(vacancies) => vacancies,
        Err(error) => return error_response(&visitor, &error),
    };
    let back = format!("/booth/{org}/fairs/{event}");
    let recorded = outcome.outcomes.iter().filter(|o| o.recorded).count();
    let page = HiresPage {
        frame: frame(&visitor, &req, "booth.hires_title"),
        action: format!("{back}/hires"),
        back,
        vacancies: vacancies
            .into_iter()
            .filter(|v| v.status == VacancyStatus::Open)
            .map(|v| VacancyChoice {
                selected: v.id == outcome.form.vacancy,
                id: v.id,
                title: v.title,
            })
            .collect(),
        refused: outcome.outcomes.len() - recorded,
        recorded,
        form: outcome.form,
        errors: outcome.errors,
        notice: outcome.notice,
        problem: outcome.problem,
        outcomes: outcome.outcomes,
        max_rows: MAX_ROWS,
    };
    render(&visitor, status, &page)
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct HiresQuery {
    vacancy: String,
}

/// `GET /booth/{org}/fairs/{event}/hires`: the forms.
pub async fn page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<HiresQuery>,
) -> HttpResponse {
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let form = HireForm {
        vacancy: query.vacancy.clone(),
        ..Default::default()
    };
    hires_page(
        visitor,
        req,
        state,
        org,
        event,
        Outcome::blank(form),
        StatusCode::OK,
    )
    .await
}

/// Why a row was refused, in the visitor's words.
fn reason(lang: Language, error: &AppError) -> &'static str {
    if let Some(detail) = error.details.first() {
        if error.status == StatusCode::UNPROCESSABLE_ENTITY {
            return super::field_text(lang, &detail.field);
        }
    }
    if let Some(text) = refusal_text(lang, &error.code) {
        return text;
    }
    match error.status.as_u16() {
        403 => i18n::text(lang, "booth.refused_forbidden"),
        _ => i18n::text(lang, "booth.refused_other"),
    }
}

/// A candidate as the report shows them: a NIK only as its last four digits.
fn shown_candidate(raw: &str) -> String {
    let digits: String = raw.chars().filter(|c| !c.is_whitespace()).collect();
    if digits.len() == 16 && digits.chars().all(|c| c.is_ascii_digit()) {
        format!("NIK ••••{}", &digits[12..])
    } else {
        raw.trim().to_owned()
    }
}

/// `POST /booth/{org}/fairs/{event}/hires`: one hire, reported as a one-row sheet would be.
pub async fn report_one(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<HireForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, &format!("/booth/{org}/fairs/{event}/hires")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let form = form.into_inner();
    let row = Row {
        line: 1,
        candidate: form.candidate.clone(),
        vacancy: form.vacancy.clone(),
        start_date: form.start_date.clone(),
        salary: form.salary.clone(),
    };
    let (o, e) = (org.clone(), event.clone());
    let nik_key = state.nik_key.clone();
    let public_url = state.config.mail.public_url.clone();
    let reported = state
        .db(move |conn| {
            let vacancies = booth_vacancies(conn, &caller, &o, &e)?;
            let booth = Booth {
                event_id: &e,
                vacancies: &vacancies,
                nik_key: &nik_key,
                public_url: &public_url,
            };
            Ok(sheet::report_row(conn, &caller, &booth, &row))
        })
        .await;
    let lang = visitor.lang;
    match reported {
        Ok(Ok(_)) => {
            let mut outcome = Outcome::blank(HireForm::default());
            outcome.notice = Some(i18n::text(lang, "booth.hire_recorded"));
            hires_page(visitor, req, state, org, event, outcome, StatusCode::OK).await
        }
        Ok(Err(error)) => {
            let mut outcome = Outcome::blank(form);
            if error.status == StatusCode::UNPROCESSABLE_ENTITY {
                outcome.errors = FieldErrors::of(lang, &error);
            } else {
                outcome.problem = Some(reason(lang, &error).to_owned());
            }
            hires_page(visitor, req, state, org, event, outcome, error.status).await
        }
        Err(error) => error_response(&visitor, &error),
    }
}

/// The upload form: its token and the file.
#[derive(MultipartForm)]
pub struct UploadForm {
    csrf: Text<String>,
    #[multipart(limit = "2MB")]
    file: Bytes,
}

/// The words for a refused file.
fn sheet_problem(lang: Language, error: &SheetError) -> String {
    match error {
        SheetError::NotASpreadsheet => i18n::text(lang, "booth.sheet_not_spreadsheet").to_owned(),
        SheetError::MissingColumns(columns) => i18n::fill(
            lang,
            "booth.sheet_missing_columns",
            &[("columns", &columns.join(", "))],
        ),
        SheetError::Empty => i18n::text(lang, "booth.sheet_empty").to_owned(),
        SheetError::TooManyRows => i18n::fill(
            lang,
            "booth.sheet_too_many_rows",
            &[("max", &MAX_ROWS.to_string())],
        ),
    }
}

/// `POST /booth/{org}/fairs/{event}/hires/upload`: every row of the file reported in turn;
/// the page lists each row as recorded or refused with the reason. A bad file is refused whole
/// with a page that says why.
pub async fn upload(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: Result<MultipartForm<UploadForm>, actix_web::Error>,
) -> HttpResponse {
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let lang = visitor.lang;
    let bad_file = |text: String| {
        let mut outcome = Outcome::blank(HireForm::default());
        outcome.problem = Some(text);
        outcome
    };
    let form = match form {
        Ok(form) => form.into_inner(),
        Err(_) => {
            let outcome = bad_file(i18n::text(lang, "booth.sheet_unreadable").to_owned());
            return hires_page(
                visitor,
                req,
                state,
                org,
                event,
                outcome,
                StatusCode::BAD_REQUEST,
            )
            .await;
        }
    };
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let caller = match signed_in(&visitor, &format!("/booth/{org}/fairs/{event}/hires")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let rows = match sheet::read(&form.file.data) {
        Ok(rows) => rows,
        Err(error) => {
            let outcome = bad_file(sheet_problem(lang, &error));
            return hires_page(
                visitor,
                req,
                state,
                org,
                event,
                outcome,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let (o, e) = (org.clone(), event.clone());
    let nik_key = state.nik_key.clone();
    let public_url = state.config.mail.public_url.clone();
    let reported = state
        .db(move |conn| {
            let vacancies = booth_vacancies(conn, &caller, &o, &e)?;
            let booth = Booth {
                event_id: &e,
                vacancies: &vacancies,
                nik_key: &nik_key,
                public_url: &public_url,
            };
            Ok(rows
                .iter()
                .map(|row| {
                    let result = sheet::report_row(conn, &caller, &booth, row);
                    RowOutcome {
                        line: row.line,
                        candidate: shown_candidate(&row.candidate),
                        vacancy: row.vacancy.trim().to_owned(),
                        recorded: result.is_ok(),
                        reason: match &result {
                            Ok(_) => i18n::text(lang, "booth.row_recorded"),
                            Err(error) => reason(lang, error),
                        },
                    }
                })
                .collect::<Vec<_>>())
        })
        .await;
    match reported {
        Ok(outcomes) => {
            let mut outcome = Outcome::blank(HireForm::default());
            outcome.outcomes = outcomes;
            hires_page(visitor, req, state, org, event, outcome, StatusCode::OK).await
        }
        Err(error) => error_response(&visitor, &error),
    }
}

/// `GET /booth/hires/template.{csv|xlsx}`: the empty sheet with its header row.
pub async fn template(visitor: Visitor, format: web::Path<String>) -> HttpResponse {
    let headers: Vec<&str> = sheet::COLUMNS.iter().map(|(id, _)| *id).collect();
    match format.as_str() {
        "csv" => HttpResponse::Ok()
            .content_type("text/csv; charset=utf-8")
            .insert_header((
                header::CONTENT_DISPOSITION,
                "attachment; filename=\"laporan-penempatan.csv\"",
            ))
            .body(format!("{}\n", headers.join(","))),
        "xlsx" => match xlsx_template(&headers) {
            Ok(bytes) => HttpResponse::Ok()
                .content_type("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
                .insert_header((
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"laporan-penempatan.xlsx\"",
                ))
                .body(bytes),
            Err(error) => {
                tracing::error!(%error, "the hires template failed to build");
                error_page(visitor.lang, StatusCode::INTERNAL_SERVER_ERROR)
            }
        },
        _ => error_page(visitor.lang, StatusCode::NOT_FOUND),
    }
}

fn xlsx_template(headers: &[&str]) -> Result<Vec<u8>, rust_xlsxwriter::XlsxError> {
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    sheet.set_name("Penempatan")?;
    let bold = rust_xlsxwriter::Format::new().set_bold();
    for (col, title) in (0u16..).zip(headers) {
        sheet.write_string_with_format(0, col, *title, &bold)?;
        sheet.set_column_width(col, 24)?;
    }
    // Dates and codes typed as text stay as typed (a code is no number).
    let text = rust_xlsxwriter::Format::new().set_num_format("@");
    sheet.set_column_format(0, &text)?;
    workbook.save_to_buffer()
}
