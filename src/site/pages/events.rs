//! The public fair pages: `/events` (upcoming fairs), `/events/{id}` (one fair, its employers
//! and vacancies) and `/events/{id}/scorecard` (a closed fair's public account). Anyone may read
//! them; the domain functions decide what is visible (a draft or cancelled fair is a 404).

use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::{Duration, NaiveDate, NaiveTime, TimeZone, Utc};
use serde::Deserialize;

use crate::error::AppError;
use crate::events::{Event, EventStatus};
use crate::job_seekers::EducationLevel;
use crate::locale;
use crate::participations::{ParticipationStatus, ParticipationView};
use crate::provinces::{self, Province};
use crate::site::{error_page, error_response, i18n, render, Frame, Visitor};
use crate::users::Language;
use crate::vacancies::Vacancy;
use crate::AppState;

/// How many fairs or vacancies one page shows.
const PAGE_SIZE: i64 = 20;

/// The education levels of the vacancy filter, lowest first.
const EDUCATION_LEVELS: [&str; 11] = [
    "sd", "smp", "sma", "smk", "d1", "d2", "d3", "d4", "s1", "s2", "s3",
];

/// A fair as the pages show it: its texts ready in the visitor's language.
pub struct FairView {
    pub id: String,
    pub title: String,
    pub starts: String,
    pub ends: String,
    pub zone: &'static str,
    pub city: String,
    pub venue: Option<String>,
    pub province: String,
    pub format: &'static str,
    pub closed: bool,
    pub description: Vec<String>,
    pub first_day: String,
}

impl FairView {
    pub fn new(event: &Event, lang: Language) -> Self {
        let start_local = locale::local(event.starts_at, &event.province_code);
        Self {
            id: event.id.clone(),
            title: event.title.clone(),
            starts: locale::local_time(event.starts_at, &event.province_code, lang),
            ends: locale::local_time(event.ends_at, &event.province_code, lang),
            zone: locale::zone_name(&event.province_code),
            city: event.city.clone(),
            venue: event.venue.clone().filter(|v| !v.trim().is_empty()),
            province: province_name(&event.province_code),
            format: i18n::text(lang, &format!("format.{}", event.format.as_str())),
            closed: event.status == EventStatus::Closed,
            description: event.description.lines().map(str::to_owned).collect(),
            first_day: locale::date(start_local.date(), lang),
        }
    }

    /// What a shared link shows under the title: `10 Desember 2026 · Jakarta Pusat, DKI Jakarta`.
    pub fn summary(&self) -> String {
        format!("{} · {}, {}", self.first_day, self.city, self.province)
    }
}

fn province_name(code: &str) -> String {
    provinces::find(code).map_or_else(|| code.to_owned(), |p| p.name.to_owned())
}

/// A UTC instant of the start of a calendar day in western Indonesia (WIB, UTC+7), where most
/// fairs are; the filters are by day, so an hour either way for other zones does not matter.
fn day_start(day: NaiveDate) -> chrono::DateTime<Utc> {
    Utc.from_utc_datetime(&(day.and_time(NaiveTime::MIN) - Duration::hours(7)))
}

fn parse_day(raw: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").ok()
}

#[derive(Debug, Default, Deserialize)]
pub struct ListFilters {
    #[serde(default)]
    pub province: String,
    #[serde(default)]
    pub from: String,
    #[serde(default)]
    pub to: String,
    pub cursor: Option<String>,
}

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    frame: Frame,
    provinces: &'static [Province],
    filters: ListFilters,
    fairs: Vec<FairView>,
    next: Option<String>,
    filtered: bool,
}

/// `GET /events`: published fairs that have not ended yet, soonest first, filtered by province
/// and by a range of days; a GET form, so a filtered list is a link one can share.
pub async fn list(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    filters: web::Query<ListFilters>,
) -> HttpResponse {
    let filters = filters.into_inner();
    let lang = visitor.lang;
    let province = Some(filters.province.trim().to_owned()).filter(|p| !p.is_empty());
    if province
        .as_deref()
        .is_some_and(|p| provinces::find(p).is_none())
    {
        return error_page(lang, StatusCode::BAD_REQUEST);
    }
    let now = Utc::now();
    let from = parse_day(&filters.from).map(day_start);
    let to = parse_day(&filters.to).map(|d| day_start(d + Duration::days(1)));
    let query = crate::events::ListQuery {
        province_code: province,
        status: Some(EventStatus::Published),
        from,
        to,
        ends_after: Some(now),
        limit: Some(PAGE_SIZE),
        cursor: filters.cursor.clone().filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let caller = visitor.auth();
    let page = state
        .db(move |conn| crate::events::list(conn, caller.as_ref(), query))
        .await;
    let page = match page {
        Ok(page) => page,
        Err(error) => return error_response(&visitor, &error),
    };
    let fairs = page.items.iter().map(|e| FairView::new(e, lang)).collect();
    let next = page.next_cursor.map(|cursor| {
        let query = serde_urlencoded::to_string([
            ("province", filters.province.as_str()),
            ("from", filters.from.as_str()),
            ("to", filters.to.as_str()),
            ("cursor", cursor.as_str()),
        ])
        .unwrap_or_default();
        format!("/events?{query}")
    });
    let filtered =
        !filters.province.is_empty() || !filters.from.is_empty() || !filters.to.is_empty();
    let frame = Frame::new(
        &visitor,
        &req,
        i18n::text(lang, "events.title").to_owned(),
        i18n::text(lang, "events.description").to_owned(),
    );
    let page = ListPage {
        frame,
        provinces: provinces::all(),
        filters,
        fairs,
        next,
        filtered,
    };
    render(&visitor, StatusCode::OK, &page)
}

#[derive(Debug, Default, Deserialize)]
pub struct VacancyFilters {
    #[serde(default)]
    pub occupation: String,
    #[serde(default)]
    pub education: String,
    #[serde(default)]
    pub disability_friendly: String,
    pub cursor: Option<String>,
}

/// A vacancy as the fair page shows it.
pub struct VacancyView {
    pub id: String,
    pub title: String,
    pub employer: String,
    pub employment_type: &'static str,
    pub openings: i32,
    pub place: String,
    pub salary: Option<String>,
    pub education: Option<String>,
    pub disability_friendly: bool,
    pub open: bool,
    /// The signed-in job seeker has applied for it.
    pub applied: bool,
}

/// Where the visitor stands with a fair: what the page offers them.
pub enum Standing {
    /// Not signed in: sign in (or up) to register.
    Visitor,
    /// Signed in with another role: nothing to offer.
    OtherRole,
    /// A job seeker without a profile: make it first.
    NoProfile,
    /// A job seeker who may register.
    NotRegistered,
    /// Registered: the ticket, and the vacancies to apply to.
    Registered { registration_id: String },
}

impl Standing {
    fn registered(&self) -> bool {
        matches!(self, Self::Registered { .. })
    }

    /// Which offer the page shows.
    fn kind(&self) -> &'static str {
        match self {
            Self::Visitor => "visitor",
            Self::OtherRole => "other",
            Self::NoProfile => "no_profile",
            Self::NotRegistered => "not_registered",
            Self::Registered { .. } => "registered",
        }
    }

    fn ticket(&self) -> &str {
        match self {
            Self::Registered { registration_id } => registration_id,
            _ => "",
        }
    }
}

/// The signed-in job seeker's standing with the event, and the vacancies they applied to.
fn standing(
    conn: &mut crate::db::DbConn,
    caller: Option<&crate::auth::AuthUser>,
    event_id: &str,
) -> Result<(Standing, Vec<String>), AppError> {
    let Some(caller) = caller else {
        return Ok((Standing::Visitor, Vec::new()));
    };
    if caller.role != crate::auth::Role::JobSeeker {
        return Ok((Standing::OtherRole, Vec::new()));
    }
    let Some(profile) = crate::job_seekers::find_by_user(conn, &caller.id)? else {
        return Ok((Standing::NoProfile, Vec::new()));
    };
    let Some(registration) = crate::registrations::find_for(conn, event_id, &profile.id)? else {
        return Ok((Standing::NotRegistered, Vec::new()));
    };
    let filter = crate::applications::ListFilter {
        limit: crate::pagination::MAX_LIMIT,
        ..Default::default()
    };
    let applied = crate::applications::mine(conn, caller, &filter)?
        .items
        .into_iter()
        .filter(|a| a.event_id == event_id)
        .map(|a| a.application.vacancy_id)
        .collect();
    Ok((
        Standing::Registered {
            registration_id: registration.id,
        },
        applied,
    ))
}

impl VacancyView {
    fn new(v: &Vacancy, employers: &HashMap<String, String>, lang: Language) -> Self {
        let salary = match (v.salary_min_idr, v.salary_max_idr) {
            (Some(min), Some(max)) if min != max => Some(format!(
                "{} – {}",
                locale::rupiah(min, lang),
                locale::rupiah(max, lang)
            )),
            (Some(n), _) | (None, Some(n)) => Some(locale::rupiah(n, lang)),
            (None, None) => None,
        };
        Self {
            id: v.id.clone(),
            title: v.title.clone(),
            employer: employers
                .get(&v.organization_id)
                .cloned()
                .unwrap_or_default(),
            employment_type: i18n::text(
                lang,
                &format!("employment.{}", v.employment_type.as_str()),
            ),
            openings: v.openings,
            place: format!(
                "{}, {}",
                v.location_city,
                province_name(&v.location_province_code)
            ),
            salary,
            education: v.education_min.as_ref().map(|e| e.to_uppercase()),
            disability_friendly: v.disability_friendly,
            open: v.status == crate::vacancies::VacancyStatus::Open,
            applied: false,
        }
    }
}

/// Who runs the fair, and who vouched for them: the public's check against fake fairs.
pub struct OrganizerView {
    pub name: String,
    /// "Diverifikasi oleh … pada 3 Desember 2026"; `None` once a verification was revoked.
    pub verified: Option<String>,
}

impl OrganizerView {
    /// The fair's organizer; the date of its verification in the fair's zone.
    fn of(conn: &mut crate::db::DbConn, event: &Event, lang: Language) -> Result<Self, AppError> {
        let organization_id = &event.organization_id;
        let name = crate::organizations::find(conn, organization_id)?
            .map(|o| o.name)
            .unwrap_or_default();
        let verified =
            crate::organizations::verification::verified(conn, organization_id)?.map(|v| {
                let role = i18n::text(lang, &format!("role.{}", v.by_role.as_str()));
                let on = locale::date(locale::local(v.at, &event.province_code).date(), lang);
                i18n::text(lang, "event.verified_by")
                    .replace("{name}", &v.by_name)
                    .replace("{role}", role)
                    .replace("{date}", &on)
            });
        Ok(Self { name, verified })
    }
}

#[derive(Template)]
#[template(path = "events/show.html")]
struct ShowPage {
    frame: Frame,
    fair: FairView,
    organizer: OrganizerView,
    employers: Vec<String>,
    vacancies: Vec<VacancyView>,
    filters: VacancyFilters,
    education_levels: [&'static str; 11],
    next: Option<String>,
    standing: Standing,
    /// Why a registration or an application was just refused.
    notice: Option<&'static str>,
}

impl ShowPage {
    fn education_selected(&self, level: &str) -> bool {
        self.filters.education == level
    }
}

/// `GET /events/{id}`: one published or closed fair, its approved employers and its vacancies
/// (filtered as the API filters them). Any other fair is the not-found page.
pub async fn show(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    filters: web::Query<VacancyFilters>,
) -> HttpResponse {
    show_page(
        visitor,
        req,
        state,
        id.into_inner(),
        filters.into_inner(),
        None,
        StatusCode::OK,
    )
    .await
}

/// The fair's page with `notice` (why an action was refused), answered with `status`.
pub async fn show_page(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: String,
    filters: VacancyFilters,
    notice: Option<&'static str>,
    status: StatusCode,
) -> HttpResponse {
    let lang = visitor.lang;
    let Ok(id) = crate::extract::path_id(&id, "event") else {
        return error_page(lang, StatusCode::NOT_FOUND);
    };
    let occupation = Some(filters.occupation.trim().to_owned()).filter(|o| !o.is_empty());
    let education = match filters.education.as_str() {
        "" => None,
        raw => match EducationLevel::parse(raw) {
            Some(level) => Some(level),
            None => return error_page(lang, StatusCode::BAD_REQUEST),
        },
    };
    let vacancy_query = crate::vacancies::ListQuery {
        occupation_code: occupation,
        education_min: education,
        disability_friendly: (!filters.disability_friendly.is_empty()).then_some(true),
        limit: Some(PAGE_SIZE),
        cursor: filters.cursor.clone().filter(|c| !c.is_empty()),
        ..Default::default()
    };
    let caller = visitor.auth();
    let event_id = id.clone();
    let found = state
        .db(move |conn| {
            let caller = caller.as_ref();
            let event = crate::events::get(conn, caller, &event_id)?;
            let participations = crate::participations::list(
                conn,
                caller,
                &event_id,
                crate::participations::ListQuery {
                    status: Some(ParticipationStatus::Approved),
                    limit: Some(crate::pagination::MAX_LIMIT),
                    cursor: None,
                },
            )?;
            let vacancies = crate::vacancies::list(conn, caller, &event_id, vacancy_query)?;
            let organizer = OrganizerView::of(conn, &event, lang)?;
            let standing = standing(conn, caller, &event_id)?;
            Ok::<_, AppError>((event, participations, vacancies, organizer, standing))
        })
        .await;
    let (event, participations, vacancies, organizer, (standing, applied)) = match found {
        Ok(found) => found,
        Err(error) => return error_response(&visitor, &error),
    };
    let names: HashMap<String, String> = participations
        .items
        .iter()
        .map(|p: &ParticipationView| {
            (
                p.participation.organization_id.clone(),
                p.organization_name.clone(),
            )
        })
        .collect();
    let employers = participations
        .items
        .iter()
        .map(|p| p.organization_name.clone())
        .collect();
    let next = vacancies.next_cursor.map(|cursor| {
        let query = serde_urlencoded::to_string([
            ("occupation", filters.occupation.as_str()),
            ("education", filters.education.as_str()),
            ("disability_friendly", filters.disability_friendly.as_str()),
            ("cursor", cursor.as_str()),
        ])
        .unwrap_or_default();
        format!("/events/{id}?{query}#vacancies")
    });
    let vacancies = vacancies
        .items
        .iter()
        .map(|v| VacancyView {
            applied: applied.contains(&v.id),
            ..VacancyView::new(v, &names, lang)
        })
        .collect();
    let fair = FairView::new(&event, lang);
    let frame = Frame::new(&visitor, &req, fair.title.clone(), fair.summary());
    let page = ShowPage {
        frame,
        fair,
        organizer,
        employers,
        vacancies,
        filters,
        education_levels: EDUCATION_LEVELS,
        next,
        standing,
        notice,
    };
    render(&visitor, status, &page)
}
