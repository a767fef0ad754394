//! A fair's figures as the API gives them ([`crate::metrics::of_event`], defined in METRICS.md)
//! in Indonesian number format, and its audit trail ([`crate::audit::handlers::read`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{caller_at, fair_for, frame, FairHead, LIST_LIMIT};
use crate::audit::handlers::{read, ReadFilter};
use crate::metrics::{self, EventMetrics};
use crate::site::{error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// One figure: its name and its value as people read it.
struct Figure {
    label: &'static str,
    value: String,
}

fn figures(m: &EventMetrics, lang: Language) -> Vec<Figure> {
    let n = |v: i64| locale::number(v, lang);
    let rate = |v: Option<f64>| match v {
        Some(v) => locale::percent(v, lang),
        None => "–".to_owned(),
    };
    let days = |v: Option<f64>| match v {
        Some(v) => i18n::fill(lang, "desk.days", &[("n", &n(v.round() as i64))]),
        None => "–".to_owned(),
    };
    let list: Vec<(&str, String)> = vec![
        ("registrations", n(m.registrations)),
        ("attendees", n(m.attendees)),
        ("participating_employers", n(m.participating_employers)),
        ("vacancies", n(m.vacancies)),
        ("openings", n(m.openings)),
        ("applications", n(m.applications)),
        ("applicants", n(m.applicants)),
        ("interviewed", n(m.interviewed)),
        ("offered", n(m.offered)),
        ("placements_reported", n(m.placements_reported)),
        ("placements_pending", n(m.placements_pending)),
        ("placements_verified", n(m.placements_verified)),
        ("placements_disputed", n(m.placements_disputed)),
        (
            "placements_seeker_confirmed",
            n(m.placements_seeker_confirmed),
        ),
        ("placements_staff_only", n(m.placements_staff_only)),
        ("placed_attendees", n(m.placed_attendees)),
        ("placement_rate", rate(m.placement_rate)),
        ("vacancy_fill_rate", rate(m.vacancy_fill_rate)),
        ("employer_hire_rate", rate(m.employer_hire_rate)),
        ("cost_idr", locale::rupiah(m.cost_idr, lang)),
        (
            "cost_per_placement_idr",
            m.cost_per_placement_idr
                .map(|v| locale::rupiah(v, lang))
                .unwrap_or_else(|| "–".to_owned()),
        ),
        ("median_days_to_start", days(m.median_days_to_start)),
        ("knowledge_rate", rate(m.knowledge_rate)),
        ("retention_90d_rate", rate(m.retention_90d_rate)),
        ("retention_180d_rate", rate(m.retention_180d_rate)),
    ];
    list.into_iter()
        .map(|(key, value)| Figure {
            label: i18n::text(lang, &format!("desk.metric_{key}")),
            value,
        })
        .collect()
}

#[derive(Template)]
#[template(path = "desk/metrics.html")]
struct MetricsPage {
    frame: Frame,
    fair: FairHead,
    figures: Vec<Figure>,
    /// Whether the cost is the budget (not closed yet) or the real spending.
    cost_basis: &'static str,
}

/// `GET /desk/events/{id}/metrics`.
pub async fn figures_page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| {
            let figures = metrics::of_event(conn, &caller, &id)?;
            let event = fair_for(conn, &caller, &id)?;
            Ok((event, figures))
        })
        .await;
    let (event, m) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let page = MetricsPage {
        frame: frame(&visitor, &req, "metrics"),
        fair: FairHead::of(&event, lang),
        figures: figures(&m, lang),
        cost_basis: i18n::text(lang, &format!("desk.cost_basis_{}", m.cost_basis)),
    };
    render(&visitor, StatusCode::OK, &page)
}

struct AuditRow {
    at: String,
    action: String,
    entity: String,
    changes: String,
}

#[derive(Template)]
#[template(path = "desk/audit.html")]
struct AuditPage {
    frame: Frame,
    fair: FairHead,
    rows: Vec<AuditRow>,
}

/// The stored changes of a record as lines `name: value`, for reading rather than parsing.
fn readable(changes: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(changes) {
        Ok(serde_json::Value::Object(map)) => map
            .iter()
            .map(|(key, value)| match value {
                serde_json::Value::String(s) => format!("{key}: {s}"),
                other => format!("{key}: {other}"),
            })
            .collect::<Vec<_>>()
            .join("\n"),
        _ => changes.to_owned(),
    }
}

/// `GET /desk/events/{id}/audit`: the audit records about this fair, oldest first.
pub async fn audit(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
) -> HttpResponse {
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| {
            let filter = ReadFilter {
                event_id: Some(id.clone()),
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = read(conn, &caller, filter)?;
            let event = fair_for(conn, &caller, &id)?;
            Ok((event, page.items))
        })
        .await;
    let (event, records) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let lang = visitor.lang;
    let rows = records
        .into_iter()
        .map(|r| AuditRow {
            at: locale::local_time(r.at, &event.province_code, lang),
            action: r.action,
            entity: r.entity,
            changes: readable(&r.changes),
        })
        .collect();
    let page = AuditPage {
        frame: frame(&visitor, &req, "audit"),
        fair: FairHead::of(&event, lang),
        rows,
    };
    render(&visitor, StatusCode::OK, &page)
}
