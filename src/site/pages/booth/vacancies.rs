//! Posting, changing and closing the employer's vacancies at a fair
//! ([`crate::vacancies::create`], [`crate::vacancies::update`], [`crate::vacancies::close`]),
//! with the occupation picked from the ISCO-08 unit groups by a search that is a plain GET
//! form ([`crate::occupations::search`]).

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{booth_of, frame, path_id, refusal_text, FieldErrors};
use crate::occupations::{self, Occupation};
use crate::provinces::{self, Province};
use crate::site::pages::seeker::signed_in;
use crate::site::session::CsrfForm;
use crate::site::{error_page, error_response, redirect, render, Frame, Visitor};
use crate::vacancies::{EmploymentType, NewVacancy, Vacancy, VacancyPatch};
use crate::AppState;

/// The vacancy form's fields as typed (text, so a refused form comes back as it was sent).
#[derive(Debug, Default, Deserialize, Clone)]
#[serde(default)]
pub struct VacancyForm {
    csrf: String,
    pub title: String,
    pub description: String,
    pub occupation_code: String,
    pub openings: String,
    pub employment_type: String,
    pub salary_min_idr: String,
    pub salary_max_idr: String,
    pub location_province_code: String,
    pub location_city: String,
    pub disability_friendly: Option<String>,
}

impl VacancyForm {
    fn of(v: &Vacancy) -> Self {
        Self {
            csrf: String::new(),
            title: v.title.clone(),
            description: v.description.clone(),
            occupation_code: v.occupation_code.clone(),
            openings: v.openings.to_string(),
            employment_type: v.employment_type.as_str().to_owned(),
            salary_min_idr: v.salary_min_idr.map(|n| n.to_string()).unwrap_or_default(),
            salary_max_idr: v.salary_max_idr.map(|n| n.to_string()).unwrap_or_default(),
            location_province_code: v.location_province_code.clone(),
            location_city: v.location_city.clone(),
            disability_friendly: v.disability_friendly.then(|| "true".to_owned()),
        }
    }

    /// A number field: empty is none; text that is no number is refused by the domain as
    /// out of range (-1 is below every minimum).
    fn number<T: std::str::FromStr + From<i8>>(raw: &str) -> Option<T> {
        let raw: String = raw.chars().filter(|c| !matches!(c, '.' | ' ')).collect();
        (!raw.is_empty()).then(|| raw.parse().unwrap_or_else(|_| T::from(-1)))
    }

    fn text(raw: &str) -> Option<String> {
        Some(raw.trim().to_owned()).filter(|t| !t.is_empty())
    }

    fn new_vacancy(&self, organization_id: &str) -> NewVacancy {
        NewVacancy {
            organization_id: Some(organization_id.to_owned()),
            title: Self::text(&self.title),
            description: Self::text(&self.description),
            occupation_code: Self::text(&self.occupation_code),
            openings: Self::number(&self.openings),
            employment_type: EmploymentType::parse(&self.employment_type),
            salary_min_idr: Self::number(&self.salary_min_idr),
            salary_max_idr: Self::number(&self.salary_max_idr),
            education_min: None,
            location_province_code: Self::text(&self.location_province_code),
            location_city: Self::text(&self.location_city),
            disability_friendly: Some(self.disability_friendly.is_some()),
            closes_at: None,
        }
    }

    fn patch(&self) -> VacancyPatch {
        let new = self.new_vacancy("");
        VacancyPatch {
            // An emptied required field is refused by the domain as empty, not kept.
            title: Some(new.title.unwrap_or_default()),
            description: Some(new.description.unwrap_or_default()),
            occupation_code: Some(new.occupation_code.unwrap_or_default()),
            openings: Some(new.openings.unwrap_or(0)),
            employment_type: new.employment_type,
            salary_min_idr: Some(new.salary_min_idr),
            salary_max_idr: Some(new.salary_max_idr),
            education_min: None,
            location_province_code: Some(new.location_province_code.unwrap_or_default()),
            location_city: Some(new.location_city.unwrap_or_default()),
            disability_friendly: new.disability_friendly,
            closes_at: None,
        }
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct SearchQuery {
    occupation_q: String,
    occupation_code: String,
}

#[derive(Template)]
#[template(path = "booth/vacancy_form.html")]
struct VacancyPage {
    frame: Frame,
    /// Where the form is sent, and where the search comes back to.
    action: String,
    back: String,
    editing: bool,
    form: VacancyForm,
    errors: FieldErrors,
    problem: Option<&'static str>,
    query: String,
    /// The occupations to choose from: the search's, else the chosen one.
    choices: Vec<&'static Occupation>,
    searched: bool,
    employment_types: &'static [EmploymentType],
    provinces: &'static [Province],
}

impl VacancyPage {
    fn employment_label(&self, kind: &EmploymentType) -> &'static str {
        crate::site::i18n::text(
            self.frame.visitor.lang,
            &format!("booth.employment_{}", kind.as_str()),
        )
    }
}

#[allow(clippy::too_many_arguments)]
fn vacancy_page(
    visitor: &Visitor,
    req: &HttpRequest,
    action: String,
    back: String,
    editing: bool,
    form: VacancyForm,
    query: &str,
    errors: FieldErrors,
    problem: Option<&'static str>,
    status: StatusCode,
) -> HttpResponse {
    let searched = !query.trim().is_empty();
    let mut choices = occupations::search(query, occupations::MAX_RESULTS);
    if let Some(chosen) = occupations::find(form.occupation_code.trim()) {
        if !choices.iter().any(|o| o.code == chosen.code) {
            choices.insert(0, chosen);
        }
    }
    let page = VacancyPage {
        frame: frame(
            visitor,
            req,
            if editing {
                "booth.edit_vacancy_title"
            } else {
                "booth.new_vacancy_title"
            },
        ),
        action,
        back,
        editing,
        form,
        errors,
        problem,
        query: query.to_owned(),
        choices,
        searched,
        employment_types: EmploymentType::ALL,
        provinces: provinces::all(),
    };
    render(visitor, status, &page)
}

/// `GET /booth/{org}/fairs/{event}/vacancies/new[?occupation_q=…]`: the new vacancy form, with
/// the occupation search's results to choose from.
pub async fn new_form(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    query: web::Query<SearchQuery>,
) -> HttpResponse {
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let (o, e) = (org.clone(), event.clone());
    let found = state
        .db(move |conn| booth_of(conn, &caller, &o, &e).map(|_| ()))
        .await;
    if let Err(error) = found {
        return error_response(&visitor, &error);
    }
    let booth = format!("/booth/{org}/fairs/{event}");
    let form = VacancyForm {
        openings: "1".to_owned(),
        occupation_code: query.occupation_code.clone(),
        ..Default::default()
    };
    vacancy_page(
        &visitor,
        &req,
        format!("{booth}/vacancies/new"),
        booth,
        false,
        form,
        &query.occupation_q,
        FieldErrors::default(),
        None,
        StatusCode::OK,
    )
}

/// `POST /booth/{org}/fairs/{event}/vacancies/new`: posts the vacancy
/// ([`crate::vacancies::create`]); a refused one comes back with its errors beside the fields.
pub async fn create(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    path: web::Path<(String, String)>,
    form: web::Form<VacancyForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let (Some(org), Some(event)) = (path_id(&path.0), path_id(&path.1)) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let form = form.into_inner();
    let input = form.new_vacancy(&org);
    let event_id = event.clone();
    let outcome = state
        .db(move |conn| crate::vacancies::create(conn, &caller, &event_id, input))
        .await;
    let booth = format!("/booth/{org}/fairs/{event}");
    match outcome {
        Ok(_) => redirect(&booth),
        Err(error) => refused_form(
            &visitor,
            &req,
            format!("{booth}/vacancies/new"),
            booth,
            false,
            form,
            &error,
        ),
    }
}

/// A refused vacancy form: the fields' errors beside them, or the refusal in words.
fn refused_form(
    visitor: &Visitor,
    req: &HttpRequest,
    action: String,
    back: String,
    editing: bool,
    form: VacancyForm,
    error: &crate::error::AppError,
) -> HttpResponse {
    if error.status == StatusCode::UNPROCESSABLE_ENTITY {
        let errors = FieldErrors::of(visitor.lang, error);
        return vacancy_page(
            visitor,
            req,
            action,
            back,
            editing,
            form,
            "",
            errors,
            None,
            error.status,
        );
    }
    match refusal_text(visitor.lang, &error.code) {
        Some(text) => vacancy_page(
            visitor,
            req,
            action,
            back,
            editing,
            form,
            "",
            FieldErrors::default(),
            Some(text),
            error.status,
        ),
        None => error_response(visitor, error),
    }
}

/// The vacancy and the booth it belongs to, for a member of its employer.
fn own_vacancy(
    conn: &mut crate::db::DbConn,
    caller: &crate::auth::AuthUser,
    id: &str,
) -> crate::error::AppResult<Vacancy> {
    let vacancy = crate::vacancies::get(conn, Some(caller), id)?;
    super::employer(conn, caller, &vacancy.organization_id)?;
    Ok(vacancy)
}

/// `GET /booth/vacancies/{id}/edit[?occupation_q=…]`: the vacancy's form, filled in.
pub async fn edit_form(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    query: web::Query<SearchQuery>,
) -> HttpResponse {
    let Some(id) = path_id(&id) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let lookup = id.clone();
    let found = state
        .db(move |conn| own_vacancy(conn, &caller, &lookup))
        .await;
    let vacancy = match found {
        Ok(vacancy) => vacancy,
        Err(error) => return error_response(&visitor, &error),
    };
    let mut form = VacancyForm::of(&vacancy);
    if !query.occupation_code.is_empty() {
        form.occupation_code = query.occupation_code.clone();
    }
    vacancy_page(
        &visitor,
        &req,
        format!("/booth/vacancies/{id}/edit"),
        format!(
            "/booth/{}/fairs/{}",
            vacancy.organization_id, vacancy.event_id
        ),
        true,
        form,
        &query.occupation_q,
        FieldErrors::default(),
        None,
        StatusCode::OK,
    )
}

/// `POST /booth/vacancies/{id}/edit`: saves the changes ([`crate::vacancies::update`]).
pub async fn update(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<VacancyForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Some(id) = path_id(&id) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let form = form.into_inner();
    let patch = form.patch();
    let vacancy_id = id.clone();
    let outcome = state
        .db(move |conn| {
            let vacancy = own_vacancy(conn, &caller, &vacancy_id)?;
            crate::vacancies::update(conn, &caller, &vacancy_id, patch)?;
            Ok(vacancy)
        })
        .await;
    match outcome {
        Ok(v) => redirect(&format!(
            "/booth/{}/fairs/{}",
            v.organization_id, v.event_id
        )),
        Err(error) => refused_form(
            &visitor,
            &req,
            format!("/booth/vacancies/{id}/edit"),
            "/booth".to_owned(),
            true,
            form,
            &error,
        ),
    }
}

/// `POST /booth/vacancies/{id}/close`: closes the vacancy ([`crate::vacancies::close`]).
pub async fn close(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    id: web::Path<String>,
    form: web::Form<CsrfForm>,
) -> HttpResponse {
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let Some(id) = path_id(&id) else {
        return error_page(visitor.lang, StatusCode::NOT_FOUND);
    };
    let caller = match signed_in(&visitor, req.path()) {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let outcome = state
        .db(move |conn| {
            let vacancy = own_vacancy(conn, &caller, &id)?;
            crate::vacancies::close(conn, &caller, &id)?;
            Ok(vacancy)
        })
        .await;
    match outcome {
        Ok(v) => redirect(&format!(
            "/booth/{}/fairs/{}",
            v.organization_id, v.event_id
        )),
        Err(error) => error_response(&visitor, &error),
    }
}
