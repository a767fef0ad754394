//! Applying to a vacancy from the fair page, and one's applications with their history.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::{frame, refused, signed_in, LIST_LIMIT};
use crate::applications::{self as application_ops, ApplicationStatus};
use crate::error::AppError;
use crate::site::{error_page, error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// The apply form: its token, and the job seeker's choice to share their contact with the
/// employer (a checkbox, absent when unticked).
#[derive(serde::Deserialize, Default)]
#[serde(default)]
pub struct ApplyForm {
    csrf: String,
    share_contact: Option<String>,
}

/// `POST /vacancies/{id}/application`: the signed-in job seeker applies
/// ([`application_ops::apply`]) and sees their applications.
pub async fn apply(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<ApplyForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Ok(vacancy_id) = crate::extract::path_id(&id, "vacancy") else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let share_contact = form.share_contact.as_deref() == Some("true");
    let lookup = vacancy_id.clone();
    let vacancy = state
        .db(move |conn| Ok(crate::vacancies::find(conn, &lookup)?))
        .await;
    let event_id = match vacancy {
        Ok(Some(vacancy)) => vacancy.event_id,
        Ok(None) => return error_page(visitor.lang, StatusCode::NOT_FOUND),
        Err(error) => return error_response(&visitor, &error),
    };
    let caller = match signed_in(&visitor, &format!("/events/{event_id}")) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let outcome = state
        .db(move |conn| application_ops::apply(conn, &caller, &vacancy_id, None, share_contact))
        .await;
    match outcome {
        Ok(view) => redirect(&format!(
            "/me/applications#application-{}",
            view.summary.application.id
        )),
        Err(error) => refused(visitor, req, state, event_id, error).await,
    }
}

/// One status an application took, as the page shows it.
struct Step {
    status: &'static str,
    at: String,
}

struct ApplicationRow {
    id: String,
    vacancy: String,
    employer: String,
    event: String,
    status: &'static str,
    history: Vec<Step>,
}

#[derive(Template)]
#[template(path = "seeker/applications.html")]
struct ApplicationsPage {
    frame: Frame,
    rows: Vec<ApplicationRow>,
}

fn application_status(lang: Language, status: ApplicationStatus) -> &'static str {
    i18n::text(lang, &format!("application_status.{}", status.as_str()))
}

/// `GET /me/applications`: the caller's applications, newest first, each with its history in
/// the fair's local time.
pub async fn applications(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
) -> HttpResponse {
    let caller = match signed_in(&visitor, "/me/applications") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lang = visitor.lang;
    let found = state
        .db(move |conn| {
            let filter = application_ops::ListFilter {
                limit: LIST_LIMIT,
                ..Default::default()
            };
            let page = application_ops::mine(conn, &caller, &filter)?;
            let mut rows = Vec::new();
            for summary in page.items.into_iter().rev() {
                let history = application_ops::history(conn, &summary.application.id)?;
                let employer = crate::organizations::find(conn, &summary.organization_id)?
                    .map(|o| o.name)
                    .unwrap_or_default();
                let event = crate::events::find(conn, &summary.event_id)?
                    .ok_or_else(|| AppError::not_found("event"))?;
                let zone = event.province_code.clone();
                rows.push(ApplicationRow {
                    id: summary.application.id.clone(),
                    vacancy: summary.vacancy_title,
                    employer,
                    event: event.title,
                    status: application_status(lang, summary.application.status),
                    history: history
                        .into_iter()
                        .map(|t| Step {
                            status: application_status(lang, t.status),
                            at: locale::local_time(t.at, &zone, lang),
                        })
                        .collect(),
                });
            }
            Ok(rows)
        })
        .await;
    match found {
        Ok(rows) => {
            let page = ApplicationsPage {
                frame: frame(&visitor, &req, "applications"),
                rows,
            };
            render(&visitor, StatusCode::OK, &page)
        }
        Err(error) => error_response(&visitor, &error),
    }
}
