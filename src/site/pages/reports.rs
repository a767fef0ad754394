//! `/reports/ipk3`: the Disnaker labour-market report (IPK III tables) from the site, for the
//! staff who may ask the API for it (admins, ministry staff, organizers over their own fairs).
//! A GET form (province, semester, language of the file) whose answer, `/reports/ipk3/download`,
//! is the same workbook as `GET /api/v1/reports/ipk3`, made by the same domain function with the
//! site session; a mistake in the form comes back as the form with the mistake beside its field.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::seeker::signed_in;
use crate::auth::{AuthUser, Role};
use crate::export::Lang;
use crate::metrics::rollup;
use crate::reports::ipk3::{self, Ipk3Query, Semester};
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::AppState;

const FORM: &str = "/reports/ipk3";

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.service(web::resource(FORM).route(web::get().to(form)))
        .service(web::resource("/reports/ipk3/download").route(web::get().to(download)));
}

/// What the form holds (all text, so a wrong value comes back to the form as typed).
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct FormQuery {
    province_code: String,
    semester: String,
    lang: String,
}

/// An option of a `<select>`.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "reports/ipk3.html")]
struct Ipk3Page {
    frame: Frame,
    provinces: Vec<Choice>,
    semesters: Vec<Choice>,
    languages: Vec<Choice>,
    /// An organizer: only the fairs of their organizations are counted.
    own_fairs_only: bool,
    /// Field name → message, for the fields refused.
    errors: Vec<(&'static str, &'static str)>,
}

impl Ipk3Page {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| *m)
    }
}

/// Whether a role may open the report: the readers of the rollups, as the API's guard says.
/// The page checks it, and the links to the page (dashboard, desk) are shown by it, so a link
/// is never shown to someone the page would refuse.
pub fn may_open(role: Role) -> bool {
    rollup::READERS.contains(&role)
}

/// The signed-in caller who may ask for the report, or the page that answers instead: the way
/// to sign in for a visitor, 403 for an employer or a job seeker.
fn reader(visitor: &Visitor) -> Result<AuthUser, Box<HttpResponse>> {
    let caller = signed_in(visitor, FORM)?;
    if !may_open(caller.role) {
        return Err(Box::new(error_page(visitor.lang, StatusCode::FORBIDDEN)));
    }
    Ok(caller)
}

/// The semesters offered: the current one and the seven before it, newest first.
fn semesters(lang: Language, chosen: &str) -> Vec<Choice> {
    let now = Semester::of(chrono::Utc::now().date_naive());
    let chosen = if chosen.is_empty() {
        now.to_string()
    } else {
        chosen.to_owned()
    };
    std::iter::successors(Some(now), |s| Some(s.previous()))
        .take(8)
        .map(|s| Choice {
            value: s.to_string(),
            label: i18n::fill(
                lang,
                if s.half == 1 {
                    "reports.semester_1"
                } else {
                    "reports.semester_2"
                },
                &[("year", &s.year.to_string())],
            ),
            selected: s.to_string() == chosen,
        })
        .collect()
}

fn page(visitor: &Visitor, req: &HttpRequest, caller: &AuthUser, query: &FormQuery) -> Ipk3Page {
    let lang = visitor.lang;
    let file_lang = if query.lang.is_empty() {
        lang.as_str()
    } else {
        query.lang.as_str()
    };
    Ipk3Page {
        frame: Frame::new(
            visitor,
            req,
            i18n::text(lang, "reports.ipk3_title").to_owned(),
            i18n::text(lang, "reports.ipk3_description").to_owned(),
        ),
        provinces: crate::provinces::all()
            .iter()
            .map(|p| Choice {
                value: p.code.to_owned(),
                label: p.name.to_owned(),
                selected: p.code == query.province_code,
            })
            .collect(),
        semesters: semesters(lang, &query.semester),
        languages: [("id", "reports.file_id"), ("en", "reports.file_en")]
            .into_iter()
            .map(|(value, key)| Choice {
                value: value.to_owned(),
                label: i18n::text(lang, key).to_owned(),
                selected: value == file_lang,
            })
            .collect(),
        own_fairs_only: !caller.role.reads_everything(),
        errors: Vec::new(),
    }
}

/// `GET /reports/ipk3`: the form.
pub async fn form(
    visitor: Visitor,
    req: HttpRequest,
    query: web::Query<FormQuery>,
) -> HttpResponse {
    let caller = match reader(&visitor) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    render(
        &visitor,
        StatusCode::OK,
        &page(&visitor, &req, &caller, &query),
    )
}

/// `GET /reports/ipk3/download?province_code=…&semester=…&lang=…`: the workbook, or the form
/// again (422) with what was wrong.
pub async fn download(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<FormQuery>,
) -> HttpResponse {
    let caller = match reader(&visitor) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let asked = Ipk3Query {
        province_code: Some(query.province_code.clone()),
        semester: Some(query.semester.clone()),
        lang: None,
    };
    let scope = match asked.scope() {
        Ok(scope) => scope,
        Err(error) => {
            let mut page = page(&visitor, &req, &caller, &query);
            page.errors = ["province_code", "semester"]
                .into_iter()
                .filter(|field| error.details.iter().any(|d| d.field == *field))
                .map(|field| {
                    (
                        field,
                        i18n::text(visitor.lang, &format!("reports.error_{field}")),
                    )
                })
                .collect();
            return render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page);
        }
    };
    let lang = match query.lang.as_str() {
        "en" => Lang::En,
        _ => Lang::Id,
    };
    match ipk3::download(&state, caller, scope, lang).await {
        Ok(response) => response,
        Err(error) => error_response(&visitor, &error),
    }
}
