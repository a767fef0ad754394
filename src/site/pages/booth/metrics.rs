//! The employer's own figures ([`crate::metrics::employer::of_employer`]): fairs joined,
//! vacancies and openings, hires reported and verified, the fill rate and the disability quota,
//! and the same per fair.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{frame, path_id};
use crate::metrics::employer::{of_employer, Period};
use crate::site::pages::seeker::signed_in;
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

pub struct EventFigures {
    pub title: String,
    pub when: String,
    pub joined: bool,
    pub vacancies: String,
    pub openings: String,
    pub reported: String,
    pub verified: String,
}

#[derive(Template)]
#[template(path = "booth/metrics.html")]
struct MetricsPage {
    frame: Frame,
    name: String,
    fairs_joined: String,
    vacancies: String,
    openings: String,
    reported: String,
    verified: String,
    fill_rate: String,
    with_disability: String,
    quota: String,
    quota_state: &'static str,
    events: Vec<EventFigures>,
}

fn rate(r: Option<f64>, lang: Language) -> String {
    r.map_or_else(|| "–".to_owned(), |r| locale::percent(r, lang))
}

/// `GET /booth/{org}/metrics`: the employer's figures over all its fairs.
pub async fn page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    org: web::Path<String>,
) -> HttpResponse {
    let Some(org) = path_id(&org) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, &format!("/booth/{org}/metrics")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| of_employer(conn, &caller, &org, Period::default()))
        .await;
    let m = match found {
        Ok(m) => m,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let n = |v: i64| locale::number(v, lang);
    let quota_state = match m.meets_quota {
        Some(true) => "booth.quota_met",
        Some(false) => "booth.quota_not_met",
        None => "booth.quota_open",
    };
    let page = MetricsPage {
        frame: frame(&visitor, &req, "booth.metrics_title"),
        fairs_joined: n(m.fairs_joined),
        vacancies: n(m.vacancies),
        openings: n(m.openings),
        reported: n(m.placements_reported),
        verified: n(m.placements_verified),
        fill_rate: rate(m.vacancy_fill_rate, lang),
        with_disability: n(m.placements_with_disability),
        quota: locale::percent(m.disability_quota, lang),
        quota_state: i18n::text(lang, quota_state),
        events: m
            .events
            .iter()
            .map(|e| EventFigures {
                title: e.title.clone(),
                when: locale::local_time(e.starts_at, &e.province_code, lang),
                joined: e.joined,
                vacancies: n(e.vacancies),
                openings: n(e.openings),
                reported: n(e.placements_reported),
                verified: n(e.placements_verified),
            })
            .collect(),
        name: m.name,
    };
    render(&visitor, StatusCode::OK, &page)
}
