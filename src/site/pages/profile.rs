//! `/me/profile`: the job seeker's own profile, with the consent text that says what Bursa keeps,
//! why, for how long and who sees it. The first save creates the profile
//! ([`profiles::create`]), later ones change it ([`profiles::update`]); a NIK that another
//! profile holds gets the explanation and the claim of [`claims::file`], as the API answers
//! `nik_registered`. The page never shows a stored NIK, only its last four digits.

use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{json, Value};

use crate::auth::{guards, AuthUser, Role};
use crate::error::{AppError, AppResult};
use crate::job_seekers::claims::{self, ClaimStatus};
use crate::job_seekers::profiles::{self, JobSeekerPatch};
use crate::job_seekers::{EducationLevel, Gender, JobSeeker, NewJobSeeker};
use crate::provinces::{self, Province};
use crate::site::{error_response, i18n, local_path, redirect, render, Frame, Visitor};
use crate::AppState;

/// The fields the form shows an error next to; each has `profile.error_{field}`.
const FIELDS: [&str; 13] = [
    "full_name",
    "nik",
    "birth_date",
    "gender",
    "education_level",
    "province_code",
    "city",
    "disability",
    "disability_type",
    "phone",
    "email",
    "consent",
    "note",
];

/// The education levels of the select, lowest first.
const EDUCATION_LEVELS: [&str; 11] = [
    "sd", "smp", "sma", "smk", "d1", "d2", "d3", "d4", "s1", "s2", "s3",
];

/// What the form shows in its fields: what the person typed, or the stored profile.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct ProfileForm {
    csrf: String,
    /// `claim` when the person claims a NIK another profile holds.
    action: String,
    next: String,
    full_name: String,
    nik: String,
    birth_date: String,
    gender: String,
    education_level: String,
    province_code: String,
    city: String,
    disability: String,
    disability_type: String,
    phone: String,
    email: String,
    consent: String,
    note: String,
}

impl ProfileForm {
    fn of(profile: &JobSeeker) -> Self {
        Self {
            full_name: profile.full_name.clone(),
            education_level: profile.education_level.as_str().to_owned(),
            province_code: profile.province_code.clone(),
            city: profile.city.clone(),
            disability: if profile.disability { "true" } else { "" }.to_owned(),
            disability_type: profile.disability_type.clone().unwrap_or_default(),
            phone: profile.phone.clone().unwrap_or_default(),
            email: profile.email.clone().unwrap_or_default(),
            ..Default::default()
        }
    }

    fn optional(value: &str) -> Value {
        match value.trim() {
            "" => Value::Null,
            text => json!(text),
        }
    }

    /// The body the API takes for the fields both a new profile and a change have, and the
    /// fields the page could not even read (a date or a choice that is not one).
    fn common(&self, bad: &mut Vec<&'static str>) -> serde_json::Map<String, Value> {
        let education = match self.education_level.as_str() {
            "" => Value::Null,
            raw => match EducationLevel::parse(raw) {
                Some(level) => json!(level),
                None => {
                    bad.push("education_level");
                    Value::Null
                }
            },
        };
        let mut body = serde_json::Map::new();
        body.insert("full_name".into(), json!(self.full_name));
        body.insert("education_level".into(), education);
        body.insert("province_code".into(), json!(self.province_code.trim()));
        body.insert("city".into(), json!(self.city));
        body.insert("disability".into(), json!(self.disability == "true"));
        body.insert(
            "disability_type".into(),
            Self::optional(&self.disability_type),
        );
        body.insert("phone".into(), Self::optional(&self.phone));
        body.insert("email".into(), Self::optional(&self.email));
        body
    }

    /// The body of `POST /job-seekers`.
    fn new_profile(&self, bad: &mut Vec<&'static str>) -> Value {
        let mut body = self.common(bad);
        let birth_date = match self.birth_date.trim() {
            "" => Value::Null,
            raw => match NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
                Ok(date) => json!(date),
                Err(_) => {
                    bad.push("birth_date");
                    Value::Null
                }
            },
        };
        let gender = match self.gender.as_str() {
            "" => Value::Null,
            raw => match Gender::parse(raw) {
                Some(gender) => json!(gender),
                None => {
                    bad.push("gender");
                    Value::Null
                }
            },
        };
        // A NIK is often typed with spaces, as printed on the card.
        let nik: String = self.nik.chars().filter(|c| !c.is_whitespace()).collect();
        body.insert("nik".into(), Self::optional(&nik));
        body.insert("birth_date".into(), birth_date);
        body.insert("gender".into(), gender);
        body.insert("consent".into(), json!(self.consent == "true"));
        Value::Object(body)
    }

    /// The body of `PATCH /job-seekers/{id}`: what the owner may change.
    fn patch(&self, bad: &mut Vec<&'static str>) -> Value {
        let mut body = self.common(bad);
        if body["education_level"].is_null() {
            body.remove("education_level");
        }
        Value::Object(body)
    }
}

/// The stored profile's facts that cannot be changed.
struct Stored {
    nik_last4: String,
    birth_date: String,
    gender: &'static str,
    consent_at: String,
}

#[derive(Template)]
#[template(path = "seeker/profile.html")]
struct ProfilePage {
    frame: Frame,
    stored: Option<Stored>,
    form: ProfileForm,
    next: String,
    errors: Vec<&'static str>,
    notice: Option<&'static str>,
    problem: Option<&'static str>,
    /// The NIK is held by another profile: explain, and offer the claim.
    nik_taken: bool,
    /// The last digits of the NIKs the person claimed and an admin has not decided yet.
    open_claims: Vec<String>,
    provinces: &'static [Province],
    education_levels: [&'static str; 11],
}

impl ProfilePage {
    /// The message next to `field`, if the last save refused it.
    fn error(&self, field: &str) -> Option<&'static str> {
        self.errors
            .iter()
            .find(|f| **f == field)
            .map(|f| i18n::text(self.frame.visitor.lang, &format!("profile.error_{f}")))
    }

    fn invalid(&self, field: &str) -> bool {
        self.error(field).is_some()
    }
}

#[derive(Deserialize, Default)]
#[serde(default)]
pub struct ProfileQuery {
    next: Option<String>,
    saved: Option<String>,
    claimed: Option<String>,
}

fn next_of(raw: Option<&str>) -> String {
    match local_path(raw.filter(|p| !p.is_empty())).as_str() {
        "/" => String::new(),
        path => path.to_owned(),
    }
}

/// The signed-in job seeker, or the answer for anyone else: sign in (and come back), or 403.
fn job_seeker(visitor: &Visitor, back: &str) -> Result<AuthUser, Box<HttpResponse>> {
    let caller = super::seeker::signed_in(visitor, back)?;
    guards::role(&caller, &[Role::JobSeeker]).map_err(|e| Box::new(error_response(visitor, &e)))?;
    Ok(caller)
}

/// The caller's profile, or `None` when they have none yet.
fn own_profile(conn: &mut crate::db::DbConn, caller: &AuthUser) -> AppResult<Option<JobSeeker>> {
    match profiles::me(conn, caller) {
        Ok(profile) => Ok(Some(profile)),
        Err(error) if error.status == StatusCode::NOT_FOUND => Ok(None),
        Err(error) => Err(error),
    }
}

struct Loaded {
    profile: Option<JobSeeker>,
    open_claims: Vec<String>,
}

async fn load(state: &AppState, caller: AuthUser) -> AppResult<Loaded> {
    state
        .db(move |conn| {
            let profile = own_profile(conn, &caller)?;
            let open_claims = claims::mine(conn, &caller)?
                .into_iter()
                .filter(|c| c.status == ClaimStatus::Open)
                .map(|c| c.nik_last4)
                .collect();
            Ok(Loaded {
                profile,
                open_claims,
            })
        })
        .await
}

fn stored(profile: &JobSeeker, visitor: &Visitor) -> Stored {
    let lang = visitor.lang;
    Stored {
        nik_last4: profile.nik_last4.clone(),
        birth_date: profile
            .birth_date
            .map(|d| crate::locale::date(d, lang))
            .unwrap_or_default(),
        gender: i18n::text(lang, &format!("profile.gender_{}", profile.gender.as_str())),
        consent_at: crate::locale::date(profile.consent_at.date(), lang),
    }
}

fn page(
    visitor: &Visitor,
    req: &HttpRequest,
    loaded: &Loaded,
    form: ProfileForm,
    next: String,
) -> ProfilePage {
    let lang = visitor.lang;
    ProfilePage {
        frame: Frame::new(
            visitor,
            req,
            i18n::text(lang, "profile.title").to_owned(),
            i18n::text(lang, "profile.description").to_owned(),
        ),
        stored: loaded.profile.as_ref().map(|p| stored(p, visitor)),
        form,
        next,
        errors: Vec::new(),
        notice: None,
        problem: None,
        nik_taken: false,
        open_claims: loaded.open_claims.clone(),
        provinces: provinces::all(),
        education_levels: EDUCATION_LEVELS,
    }
}

/// `GET /me/profile`: the form, filled with the stored profile if there is one.
pub async fn show(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    query: web::Query<ProfileQuery>,
) -> HttpResponse {
    let caller = match job_seeker(&visitor, "/me/profile") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let loaded = match load(&state, caller).await {
        Ok(loaded) => loaded,
        Err(error) => return error_response(&visitor, &error),
    };
    let form = loaded
        .profile
        .as_ref()
        .map(ProfileForm::of)
        .unwrap_or_default();
    let next = next_of(query.next.as_deref());
    let mut page = page(&visitor, &req, &loaded, form, next);
    let lang = visitor.lang;
    if query.saved.is_some() {
        page.notice = Some(i18n::text(lang, "profile.saved"));
    } else if query.claimed.is_some() {
        page.notice = Some(i18n::text(lang, "profile.claim_sent"));
    }
    render(&visitor, StatusCode::OK, &page)
}

/// What a refused save becomes on the page.
enum Refusal {
    Fields(Vec<&'static str>),
    NikTaken,
    Problem(StatusCode, &'static str),
}

fn refusal(lang: crate::users::Language, error: &AppError) -> Option<Refusal> {
    let text = |key| i18n::text(lang, key);
    Some(match (error.status.as_u16(), error.code.as_ref()) {
        (409, "nik_registered") => Refusal::NikTaken,
        (409, "claim_open") => Refusal::Problem(StatusCode::CONFLICT, text("profile.claim_open")),
        (409, "nik_not_registered") => {
            Refusal::Problem(StatusCode::CONFLICT, text("profile.claim_not_needed"))
        }
        (422, _) => {
            let fields: Vec<&'static str> = FIELDS
                .into_iter()
                .filter(|f| error.details.iter().any(|d| d.field == *f))
                .collect();
            if fields.is_empty() {
                Refusal::Problem(StatusCode::UNPROCESSABLE_ENTITY, text("profile.check"))
            } else {
                Refusal::Fields(fields)
            }
        }
        (429, _) => Refusal::Problem(StatusCode::TOO_MANY_REQUESTS, text("account.too_many")),
        _ => return None,
    })
}

/// A save the page refused before asking the domain (fields it could not read, with what else
/// the rules of a new profile refuse), or the domain's answer.
enum NotSaved {
    Unreadable(Vec<&'static str>),
    Refused(AppError),
}

impl From<AppError> for NotSaved {
    fn from(error: AppError) -> Self {
        Self::Refused(error)
    }
}

/// Changes the stored profile ([`profiles::update`]).
async fn change(
    state: &AppState,
    caller: AuthUser,
    profile: &JobSeeker,
    form: &ProfileForm,
) -> Result<(), NotSaved> {
    let mut bad = Vec::new();
    let body = form.patch(&mut bad);
    if !bad.is_empty() {
        return Err(NotSaved::Unreadable(bad));
    }
    let patch: JobSeekerPatch = serde_json::from_value(body).map_err(AppError::internal)?;
    let id = profile.id.clone();
    state
        .db(move |conn| profiles::update(conn, &caller, &id, patch).map(drop))
        .await?;
    Ok(())
}

/// Creates the profile ([`profiles::create`]), or with `claim` files the claim to its NIK
/// ([`claims::file`]).
async fn create(
    state: &AppState,
    caller: AuthUser,
    form: &ProfileForm,
    claim: bool,
) -> Result<(), NotSaved> {
    let mut bad = Vec::new();
    let body = form.new_profile(&mut bad);
    let nik_key = state.nik_key.clone();
    if !bad.is_empty() {
        // Say what else is wrong too; nothing is saved.
        if let Ok(Err(error)) =
            serde_json::from_value::<NewJobSeeker>(body).map(|input| input.validate(&nik_key))
        {
            bad.extend(
                FIELDS
                    .into_iter()
                    .filter(|f| error.details.iter().any(|d| d.field == *f)),
            );
        }
        return Err(NotSaved::Unreadable(bad));
    }
    if claim {
        let body = json!({"profile": body, "note": ProfileForm::optional(&form.note)});
        let input: claims::NewClaim = serde_json::from_value(body).map_err(AppError::internal)?;
        state
            .db(move |conn| claims::file(conn, &caller, input, &nik_key).map(drop))
            .await?;
    } else {
        let input: NewJobSeeker = serde_json::from_value(body).map_err(AppError::internal)?;
        state
            .db(move |conn| profiles::create(conn, &caller, input, &nik_key).map(drop))
            .await?;
    }
    Ok(())
}

/// `POST /me/profile`: create the profile (with consent) or change it; `action=claim` files a
/// claim to a NIK another profile holds, with the same fields and a note.
pub async fn save(
    visitor: Visitor,
    req: HttpRequest,
    state: web::Data<AppState>,
    form: web::Form<ProfileForm>,
) -> HttpResponse {
    let form = form.into_inner();
    if let Err(error) = visitor.check_csrf(&form.csrf) {
        return error_response(&visitor, &error);
    }
    let caller = match job_seeker(&visitor, "/me/profile") {
        Ok(caller) => caller,
        Err(response) => return *response,
    };
    let loaded = match load(&state, caller.clone()).await {
        Ok(loaded) => loaded,
        Err(error) => return error_response(&visitor, &error),
    };
    let next = next_of(Some(&form.next));
    let claim = form.action == "claim" && loaded.profile.is_none();
    let outcome = match &loaded.profile {
        Some(profile) => change(&state, caller, profile, &form).await,
        None => create(&state, caller, &form, claim).await,
    };
    let lang = visitor.lang;
    let refused = match outcome {
        Ok(()) if claim => return redirect("/me/profile?claimed=1"),
        Ok(()) if loaded.profile.is_none() && !next.is_empty() => return redirect(&next),
        Ok(()) => return redirect("/me/profile?saved=1"),
        Err(NotSaved::Unreadable(fields)) => Refusal::Fields(fields),
        // Made meanwhile (another tab): show it.
        Err(NotSaved::Refused(error)) if error.code == "profile_exists" => {
            return redirect("/me/profile")
        }
        Err(NotSaved::Refused(error)) => match refusal(lang, &error) {
            Some(refused) => refused,
            None => return error_response(&visitor, &error),
        },
    };
    let mut page = page(&visitor, &req, &loaded, form, next);
    page.nik_taken = claim;
    let status = match refused {
        Refusal::Fields(fields) => {
            page.errors = fields;
            page.problem = Some(i18n::text(lang, "profile.check"));
            StatusCode::UNPROCESSABLE_ENTITY
        }
        Refusal::NikTaken => {
            page.nik_taken = true;
            StatusCode::CONFLICT
        }
        Refusal::Problem(status, text) => {
            page.problem = Some(text);
            status
        }
    };
    render(&visitor, status, &page)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::users::Language;

    #[test]
    fn every_field_has_its_error_text() {
        for lang in [Language::Id, Language::En] {
            for field in FIELDS {
                let key = format!("profile.error_{field}");
                assert_ne!(i18n::text(lang, &key), key, "{key} is missing");
            }
            for gender in ["female", "male"] {
                let key = format!("profile.gender_{gender}");
                assert_ne!(i18n::text(lang, &key), key, "{key} is missing");
            }
        }
    }

    #[test]
    fn a_nik_typed_with_spaces_is_read_whole_and_blank_fields_are_none() {
        let form = ProfileForm {
            nik: "3174 0155 0895 0002".into(),
            phone: "  ".into(),
            consent: "true".into(),
            ..Default::default()
        };
        let mut bad = Vec::new();
        let body = form.new_profile(&mut bad);
        assert!(bad.is_empty());
        assert_eq!(body["nik"], "3174015508950002");
        assert!(body["phone"].is_null());
        assert_eq!(body["consent"], true);
        let form = ProfileForm {
            birth_date: "15/08/1995".into(),
            gender: "other".into(),
            ..Default::default()
        };
        form.new_profile(&mut bad);
        assert_eq!(bad, ["birth_date", "gender"]);
    }
}
