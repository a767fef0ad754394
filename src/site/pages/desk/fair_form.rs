//! A fair's form at the desk: create and edit it, with times typed in the fair's own zone
//! (WIB, WITA, WIT) and rupiah as people write them; errors beside their fields. Each send is
//! [`crate::events::create`] or [`crate::events::update`], as the API's.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{caller, caller_at, frame, local_input, parse_local_time, parse_rupiah};
use crate::auth::{guards, AuthUser, Role};
use crate::error::AppError;
use crate::events::{self, Event, EventFormat, EventPatch, FundingSource};
use crate::organizations::{self, OrganizationKind};
use crate::site::{error_response, i18n, redirect, render, Frame, Visitor};
use crate::users::Language;
use crate::{locale, AppState};

/// The fair's form as typed: every field a string, read in [`EventForm::read`].
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
pub struct EventForm {
    csrf: String,
    organization_id: String,
    title: String,
    description: String,
    format: String,
    venue: String,
    province_code: String,
    city: String,
    starts_at: String,
    ends_at: String,
    capacity: String,
    budget_idr: String,
    funding_source: String,
    target_placements: String,
}

/// The fields of a fair, read from the form; the domain checks them.
struct Read {
    title: String,
    description: String,
    format: Option<EventFormat>,
    venue: Option<String>,
    province_code: String,
    city: String,
    starts_at: Option<chrono::DateTime<chrono::Utc>>,
    ends_at: Option<chrono::DateTime<chrono::Utc>>,
    capacity: Option<i32>,
    budget_idr: Option<i64>,
    funding_source: Option<FundingSource>,
    target_placements: Option<i32>,
}

impl EventForm {
    /// Reads the typed fields; those that cannot be read are named in `unread`.
    fn read(&self, unread: &mut Vec<&'static str>) -> Read {
        let mut note = |field: &'static str, ok: bool| {
            if !ok {
                unread.push(field);
            }
        };
        let province = self.province_code.trim().to_owned();
        let time = |raw: &str| parse_local_time(raw, &province);
        let number = |raw: &str| raw.trim().replace('.', "").parse::<i32>().ok();
        let starts_at = time(&self.starts_at);
        let ends_at = time(&self.ends_at);
        let capacity = number(&self.capacity);
        let budget_idr = parse_rupiah(&self.budget_idr);
        let target_placements = if self.target_placements.trim().is_empty() {
            Some(0)
        } else {
            number(&self.target_placements)
        };
        let format = EventFormat::parse(self.format.trim());
        let funding_source = FundingSource::parse(self.funding_source.trim());
        note("starts_at", starts_at.is_some());
        note("ends_at", ends_at.is_some());
        note("capacity", capacity.is_some());
        note("budget_idr", budget_idr.is_some());
        note("target_placements", target_placements.is_some());
        note("format", format.is_some());
        note("funding_source", funding_source.is_some());
        Read {
            title: self.title.clone(),
            description: self.description.clone(),
            format,
            venue: Some(self.venue.trim().to_owned()).filter(|v| !v.is_empty()),
            province_code: province,
            city: self.city.clone(),
            starts_at,
            ends_at,
            capacity,
            budget_idr,
            funding_source,
            target_placements,
        }
    }

    fn of(event: &Event) -> Self {
        Self {
            csrf: String::new(),
            organization_id: event.organization_id.clone(),
            title: event.title.clone(),
            description: event.description.clone(),
            format: event.format.as_str().to_owned(),
            venue: event.venue.clone().unwrap_or_default(),
            province_code: event.province_code.clone(),
            city: event.city.clone(),
            starts_at: local_input(event.starts_at, &event.province_code),
            ends_at: local_input(event.ends_at, &event.province_code),
            capacity: event.capacity.to_string(),
            budget_idr: event.budget_idr.to_string(),
            funding_source: event.funding_source.as_str().to_owned(),
            target_placements: event.target_placements.to_string(),
        }
    }
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

#[derive(Template)]
#[template(path = "desk/fair_form.html")]
struct FairFormPage {
    frame: Frame,
    /// `None` for a new fair; the fair's id when editing.
    editing: Option<String>,
    form: EventForm,
    organizations: Vec<Choice>,
    provinces: Vec<Choice>,
    formats: Vec<Choice>,
    funding_sources: Vec<Choice>,
    errors: Vec<(String, &'static str)>,
}

impl FairFormPage {
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, e)| *e)
    }

    fn invalid(&self, field: &str) -> bool {
        self.error(field).is_some()
    }

    fn action(&self) -> String {
        match &self.editing {
            Some(id) => format!("/desk/events/{id}/edit"),
            None => "/desk/events".to_owned(),
        }
    }
}

fn choices(values: &[(&str, String)], selected: &str) -> Vec<Choice> {
    values
        .iter()
        .map(|(value, label)| Choice {
            value: (*value).to_owned(),
            label: label.clone(),
            selected: *value == selected,
        })
        .collect()
}

/// The organizer organizations the caller acts for (admins: all they are a member of).
fn own_organizers(
    conn: &mut crate::db::DbConn,
    caller: &AuthUser,
) -> Result<Vec<(String, String)>, AppError> {
    Ok(organizations::memberships_of(conn, &caller.id)?
        .into_iter()
        .filter(|m| m.kind == OrganizationKind::Organizer)
        .map(|m| (m.organization_id, m.name))
        .collect())
}

fn form_page(
    visitor: &Visitor,
    req: &HttpRequest,
    editing: Option<String>,
    form: EventForm,
    organizations: Vec<(String, String)>,
    errors: Vec<(String, &'static str)>,
) -> FairFormPage {
    let lang = visitor.lang;
    let t = |key: &str| i18n::text(lang, key).to_owned();
    let organizations: Vec<(&str, String)> = organizations
        .iter()
        .map(|(id, name)| (id.as_str(), name.clone()))
        .collect();
    let provinces: Vec<(&str, String)> = crate::provinces::all()
        .iter()
        .map(|p| {
            let zone = locale::zone_name(p.code);
            (p.code, format!("{} ({zone})", p.name))
        })
        .collect();
    let formats: Vec<(&str, String)> = ["onsite", "online", "hybrid"]
        .into_iter()
        .map(|f| (f, t(&format!("desk.format_{f}"))))
        .collect();
    let funding: Vec<(&str, String)> = ["apbn", "dekonsentrasi", "apbd", "private", "other"]
        .into_iter()
        .map(|f| (f, t(&format!("desk.funding_{f}"))))
        .collect();
    let page_key = if editing.is_some() { "edit" } else { "new" };
    FairFormPage {
        frame: frame(visitor, req, page_key),
        organizations: choices(&organizations, &form.organization_id),
        provinces: choices(&provinces, &form.province_code),
        formats: choices(&formats, &form.format),
        funding_sources: choices(&funding, &form.funding_source),
        editing,
        form,
        errors,
    }
}

/// The messages beside the fields: those that could not be read, then those the domain refused.
fn field_errors(
    lang: Language,
    unread: &[&'static str],
    error: Option<&AppError>,
) -> Vec<(String, &'static str)> {
    let mut fields: Vec<String> = unread.iter().map(|f| (*f).to_owned()).collect();
    if let Some(error) = error {
        fields.extend(error.details.iter().map(|d| d.field.clone()));
    }
    fields.dedup();
    fields
        .into_iter()
        .map(|field| {
            let text = i18n::text(lang, &format!("desk.error_{field}"));
            (field, text)
        })
        .collect()
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct NewQuery {
    organization_id: Option<String>,
}

/// `GET /desk/events/new`: the form of a new fair (a draft until published).
pub async fn new_form(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<NewQuery>,
) -> HttpResponse {
    let caller = match caller(&visitor, &req) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let found = state
        .db(move |conn| {
            guards::role(&caller, &[Role::Admin, Role::Organizer])?;
            own_organizers(conn, &caller)
        })
        .await;
    let organizations = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let form = EventForm {
        organization_id: query.organization_id.clone().unwrap_or_default(),
        format: "onsite".to_owned(),
        funding_source: "apbd".to_owned(),
        ..Default::default()
    };
    let page = form_page(&visitor, &req, None, form, organizations, Vec::new());
    render(&visitor, StatusCode::OK, &page)
}

/// `POST /desk/events`: [`events::create`]; the form again with the errors beside the fields.
pub async fn create(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<EventForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let caller = match caller(&visitor, &req) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let mut unread = Vec::new();
    let read = form.read(&mut unread);
    let organization_id = Some(form.organization_id.trim().to_owned()).filter(|o| !o.is_empty());
    // The domain checks the fields read, and refuses the form as a whole: a field that could not
    // be read is absent (required) or, for the optional target, out of range.
    let target_placements = match unread.contains(&"target_placements") {
        true => Some(-1),
        false => read.target_placements,
    };
    let outcome = state
        .db(move |conn| {
            let organizations = own_organizers(conn, &caller)?;
            let input = events::NewEvent {
                organization_id,
                title: Some(read.title),
                description: Some(read.description),
                format: read.format,
                venue: read.venue,
                province_code: Some(read.province_code),
                city: Some(read.city),
                starts_at: read.starts_at,
                ends_at: read.ends_at,
                capacity: read.capacity,
                budget_idr: read.budget_idr,
                funding_source: read.funding_source,
                target_placements,
            };
            Ok((organizations, events::create(conn, &caller, input)))
        })
        .await;
    let (organizations, created) = match outcome {
        Ok(outcome) => outcome,
        Err(error) => return error_response(&visitor, &error),
    };
    let error = match created {
        Ok(event) => return redirect(&format!("/desk/events/{}?done=created", event.id)),
        Err(error) if error.details.is_empty() => return error_response(&visitor, &error),
        Err(error) => error,
    };
    let errors = field_errors(visitor.lang, &unread, Some(&error));
    let page = form_page(&visitor, &req, None, form, organizations, errors);
    render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page)
}

/// `GET /desk/events/{id}/edit`: the fair's form, filled in.
pub async fn edit_form(
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
        .db(move |conn| guards::event_staff(conn, &caller, &id))
        .await;
    let event = match found {
        Ok(event) => event,
        Err(error) => return error_response(&visitor, &error),
    };
    let page = form_page(
        &visitor,
        &req,
        Some(event.id.clone()),
        EventForm::of(&event),
        Vec::new(),
        Vec::new(),
    );
    render(&visitor, StatusCode::OK, &page)
}

/// `POST /desk/events/{id}/edit`: [`events::update`] with every field of the form.
pub async fn update(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<EventForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (caller, id) = match caller_at(&visitor, &req, &id, "event") {
        Ok(found) => found,
        Err(response) => return *response,
    };
    let mut unread = Vec::new();
    let read = form.read(&mut unread);
    let ok_to_send = unread.is_empty();
    let event_id = id.clone();
    let public_url = state.config.mail.public_url.clone();
    let outcome = state
        .db(move |conn| {
            guards::event_staff(conn, &caller, &event_id)?;
            if !ok_to_send {
                return Ok(None);
            }
            let patch = EventPatch {
                title: Some(read.title),
                description: Some(read.description),
                format: read.format,
                venue: Some(read.venue),
                province_code: Some(read.province_code),
                city: Some(read.city),
                starts_at: read.starts_at,
                ends_at: read.ends_at,
                capacity: read.capacity,
                budget_idr: read.budget_idr,
                funding_source: read.funding_source,
                target_placements: read.target_placements,
            };
            Ok(Some(events::update(
                conn,
                &caller,
                &event_id,
                patch,
                &public_url,
            )))
        })
        .await;
    let error = match outcome {
        Ok(Some(Ok(_))) => return redirect(&format!("/desk/events/{id}?done=updated")),
        Ok(Some(Err(error))) if !error.details.is_empty() => Some(error),
        Ok(Some(Err(error))) | Err(error) => return error_response(&visitor, &error),
        Ok(None) => None,
    };
    let errors = field_errors(visitor.lang, &unread, error.as_ref());
    let page = form_page(&visitor, &req, Some(id), form, Vec::new(), errors);
    render(&visitor, StatusCode::UNPROCESSABLE_ENTITY, &page)
}
