//! `GET /api/v1/events/{id}/placements/export?format=csv|xlsx`: every placement of an event (all
//! statuses, oldest report first, as the event's list orders them), one row each, as a CSV or
//! XLSX download (see [`crate::export`]), for whoever may list the event's placements.
//!
//! A row never holds any part of a NIK, a job seeker's name, phone or email, nor free text
//! (dispute reasons, verification and retraction notes), which could carry any of those. The job
//! seeker is their profile id and what the metrics break placements down by: gender, age band
//! (on the event's first local day, as [`crate::metrics`] counts it), education level and
//! disability.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::{local_date, Flag, Placement};
use crate::auth::AuthUser;
use crate::db::schema::{job_seekers, organizations, placements, vacancies};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::events::Event;
use crate::export::{self, Column, Format, Kind, Table, Value};
use crate::extract::{path_id, ApiQuery};
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<Format>,
}

/// The placements of an event as a file, for members of its organizer, ministry staff and
/// admins (others who may see the event get 403, others 404), as its list.
pub async fn for_event(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let format = Format::required(query.format)?;
    let name = format!("placements-{event_id}");
    let table = state
        .db(move |conn| {
            let event = crate::auth::guards::event_reader(conn, &caller, &event_id)?;
            table(&event, load(conn, &event_id)?)
        })
        .await?;
    export::respond(table, format, &name).await
}

/// A placement with its vacancy's title, its employer's name, and the job seeker's gender,
/// education level, birth date and disability.
type Row = (
    Placement,
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    bool,
);

fn load(conn: &mut DbConn, event_id: &str) -> QueryResult<Vec<Row>> {
    placements::table
        .inner_join(vacancies::table)
        .inner_join(organizations::table)
        .inner_join(job_seekers::table)
        .filter(placements::event_id.eq(event_id))
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
            job_seekers::gender,
            job_seekers::education_level,
            job_seekers::birth_date,
            job_seekers::disability,
        ))
        .order(placements::id.asc())
        .load(conn)
}

/// The columns, in the order [`table`] fills them: the placement's own fields under the names the
/// API gives them, then one `flag_<name>` column per anti-gaming flag.
fn columns() -> Vec<Column> {
    use Kind::*;
    let mut columns: Vec<Column> = [
        ("placement_id", Text),
        ("status", Text),
        ("vacancy_id", Text),
        ("vacancy_title", Text),
        ("occupation_code", Text),
        ("contract_type", Text),
        ("salary_idr", Money),
        ("start_date", Date),
        ("employer_id", Text),
        ("employer_name", Text),
        ("job_seeker_id", Text),
        ("gender", Text),
        ("age_band", Text),
        ("education_level", Text),
        ("disability", Boolean),
        ("reported_at", DateTime),
        ("confirmed_at", DateTime),
        ("disputed_at", DateTime),
        ("verified_at", DateTime),
        ("verification_method", Text),
        ("retracted_at", DateTime),
    ]
    .into_iter()
    .map(|(name, kind)| Column::new(name, kind))
    .collect();
    columns.extend(
        Flag::ALL
            .iter()
            .map(|flag| Column::new(format!("flag_{}", flag.as_str()), Boolean)),
    );
    columns
}

fn table(event: &Event, rows: Vec<Row>) -> AppResult<Table> {
    let first_day = local_date(event.starts_at, &event.province_code);
    let mut table = Table::new("Placements", columns());
    for (p, vacancy_title, employer_name, gender, education_level, birth_date, disability) in rows {
        let flags = p.flag_list();
        let mut cells = vec![
            Some(Value::text(p.id)),
            Some(Value::text(p.status.as_str())),
            Some(Value::text(p.vacancy_id)),
            Some(Value::text(vacancy_title)),
            Some(Value::text(p.occupation_code)),
            Some(Value::text(p.contract_type.as_str())),
            Some(Value::Money(p.salary_idr)),
            Some(Value::Date(p.start_date)),
            Some(Value::text(p.employer_id)),
            Some(Value::text(employer_name)),
            Some(Value::text(p.job_seeker_id)),
            Some(Value::text(gender)),
            Some(Value::text(crate::metrics::age_band(birth_date, first_day))),
            Some(Value::text(education_level)),
            Some(Value::Boolean(disability)),
            Some(Value::DateTime(p.reported_at)),
            p.confirmed_at.map(Value::DateTime),
            p.disputed_at.map(Value::DateTime),
            p.verified_at.map(Value::DateTime),
            p.verification_method.map(|m| Value::text(m.as_str())),
            p.retracted_at.map(Value::DateTime),
        ];
        cells.extend(
            Flag::ALL
                .iter()
                .map(|flag| Some(Value::Boolean(flags.iter().any(|f| f == flag.as_str())))),
        );
        table.push(cells)?;
    }
    Ok(table)
}
