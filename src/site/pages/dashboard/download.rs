//! `GET /dashboard/download?table=…&format=csv|xlsx` with the page's filters: a table of the
//! dashboard as a file, through the site session (no bearer token). The file is the rollup
//! export's (`/api/v1/metrics/export`): the same columns, figures and notes, with headers in the
//! visitor's language; an Indonesian visitor's CSV is the `excel-id` dialect, which Excel in an
//! Indonesian locale opens as columns and numbers.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};

use super::data;
use super::query::RawQuery;
use super::{check_organization, reader, view_of};
use crate::export::{Dialect, Format, Lang, Options};
use crate::metrics::rollup::GroupBy;
use crate::site::{error_page, error_response, Visitor};
use crate::users::Language;
use crate::AppState;

/// The tables offered, with their catalogue labels.
pub const TABLES: [(&str, &str); 4] = [
    ("province", "dash.download_province"),
    ("period", "dash.download_period"),
    ("funding", "dash.download_funding"),
    ("organizer", "dash.download_organizer"),
];

/// `GET /dashboard/download`.
pub async fn download(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    raw: web::Query<RawQuery>,
) -> HttpResponse {
    let (caller, member) = match reader(&visitor, &req) {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let view = match view_of(&visitor, &raw) {
        Ok(view) => view,
        Err(response) => return *response,
    };
    let group_by = match raw.table.as_str() {
        "province" => GroupBy::Province,
        "period" => data::period(&view),
        "funding" => GroupBy::FundingSource,
        "organizer" => GroupBy::Organization,
        _ => return error_page(visitor.lang, StatusCode::BAD_REQUEST),
    };
    let format = match raw.format.as_str() {
        "csv" => Format::Csv,
        "xlsx" => Format::Xlsx,
        _ => return error_page(visitor.lang, StatusCode::BAD_REQUEST),
    };
    let options = Options {
        format,
        lang: match visitor.lang {
            Language::Id => Lang::Id,
            Language::En => Lang::En,
        },
        dialect: match (visitor.lang, format) {
            (Language::Id, Format::Csv) => Dialect::ExcelId,
            _ => Dialect::Rfc4180,
        },
    };
    let filter = view.filter(member);
    let loaded = state
        .read_db(move |conn| {
            check_organization(conn, &caller, &view)?;
            let rollup = crate::db::read_snapshot(conn, |conn| {
                super::data::grouping(conn, group_by, &filter)
            })?;
            crate::metrics::handlers::rollup_table(&rollup)
        })
        .await;
    let table = match loaded {
        Ok(table) => table,
        Err(error) => return error_response(&visitor, &error),
    };
    let name = format!("bursa-dashboard-{}", raw.table);
    match crate::export::respond(table, options, &name).await {
        Ok(response) => response,
        Err(error) => error_response(&visitor, &error),
    }
}
