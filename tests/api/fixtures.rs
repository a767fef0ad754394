//! The people and things the tests are about, made once here: a fair ([`Fair`], built with
//! [`FairBuilder`]), an employer ([`Employer`]), a running fair where an approved employer is
//! hiring ([`HiringFair`]), a job seeker ([`Seeker`]) and their registration, and the bodies the
//! API takes for them.
//!
//! Everything is made through the API, as a user would, except in [`rows`]: states the API
//! cannot make (old start dates, chosen statuses, months of history) written straight into the
//! database.
//!
//! The fixtures take the emails (and NIK digits) that tell people apart, so a test that reads
//! mail or the audit log sees exactly the accounts and requests it asked for.

#![allow(dead_code)]

use std::ops::Deref;

use bursa::auth::Role;
use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde_json::{json, Map, Value};

use crate::common::{event_body, TestApp};

// ---------------------------------------------------------------------------------------------
// Bodies
// ---------------------------------------------------------------------------------------------

/// `body` with the fields of `changes` set (a `null` removes the field).
pub fn with(body: &Value, changes: Value) -> Value {
    let mut body = body.clone();
    for (key, value) in changes.as_object().expect("changes are an object") {
        if value.is_null() {
            body.as_object_mut().expect("an object").remove(key);
        } else {
            body[key] = value.clone();
        }
    }
    body
}

/// The NIK of a woman born on 1995-08-15 in Jakarta, told apart by its last four digits.
pub fn female_nik(last4: &str) -> String {
    format!("317401550895{last4}")
}

/// A valid job seeker profile body: a woman named `name`, born on 1995-08-15 in Jakarta, whose
/// NIK ends in `last4`; no phone or email.
pub fn profile(name: &str, last4: &str) -> Value {
    json!({
        "full_name": name,
        "nik": female_nik(last4),
        "birth_date": "1995-08-15",
        "gender": "female",
        "education_level": "smk",
        "province_code": "31",
        "city": "Jakarta Timur",
        "disability": false,
        "consent": true
    })
}

/// The profile body of person `n`: "Siti Rahayu {n}", whose NIK ends in `n` (four digits).
pub fn seeker_body(n: u32) -> Value {
    profile(&format!("Siti Rahayu {n}"), &format!("{n:04}"))
}

/// A valid vacancy body of the employer organization `company`: two openings on contract in
/// Jakarta Utara.
pub fn vacancy_body(company: &str, title: &str) -> Value {
    json!({
        "organization_id": company, "title": title, "occupation_code": "8344", "openings": 2,
        "employment_type": "contract", "location_province_code": "31",
        "location_city": "Jakarta Utara"
    })
}

// ---------------------------------------------------------------------------------------------
// Fairs
// ---------------------------------------------------------------------------------------------

/// A fair: an event and the organizer who runs it.
#[derive(Debug, Clone)]
pub struct Fair {
    pub organizer_id: String,
    /// The organizer's access token.
    pub organizer: String,
    /// The organizer's organization, which holds the event.
    pub office: String,
    pub event: String,
    pub starts_at: DateTime<Utc>,
    pub ends_at: DateTime<Utc>,
}

/// Who a new fair belongs to.
enum Host {
    /// A new organizer with this email, and a new organization of theirs.
    NewOrganizer(String),
    /// A new organization of the organizer holding this token.
    Organizer(String),
    /// The organization of this fair.
    SameOffice(Fair),
}

/// A fair to be made: the standard event body ([`event_body`]: 1–2 December 2026 in Jakarta)
/// with the changes asked for. Finish with [`draft`](Self::draft) or
/// [`published`](Self::published).
pub struct FairBuilder<'a> {
    app: &'a TestApp,
    host: Host,
    changes: Map<String, Value>,
}

impl Fair {
    /// A fair of a new organizer `email`, with a new organization.
    pub fn by<'a>(app: &'a TestApp, email: &str) -> FairBuilder<'a> {
        FairBuilder::new(app, Host::NewOrganizer(email.to_owned()))
    }

    /// A fair of a new organization of the organizer holding `token`.
    pub fn by_organizer<'a>(app: &'a TestApp, token: &str) -> FairBuilder<'a> {
        FairBuilder::new(app, Host::Organizer(token.to_owned()))
    }

    /// Another fair of the same organizer and organization.
    pub fn another<'a>(&self, app: &'a TestApp) -> FairBuilder<'a> {
        FairBuilder::new(app, Host::SameOffice(self.clone()))
    }

    /// The event's first day, in Jakarta (UTC+7), where the standard fair is.
    pub fn first_day(&self) -> NaiveDate {
        (self.starts_at + Duration::hours(7)).date_naive()
    }

    /// The event's last day, in Jakarta (UTC+7).
    pub fn last_day(&self) -> NaiveDate {
        (self.ends_at + Duration::hours(7)).date_naive()
    }

    /// The organization `company` of the employer holding `token` asks to take part in the fair;
    /// the organizer approves it when `approved`.
    pub async fn join(&self, app: &TestApp, token: &str, company: &str, approved: bool) {
        let employers = format!("/api/v1/events/{}/employers", self.event);
        app.post(&employers, Some(token), json!({"organization_id": company}))
            .await
            .assert(201);
        if approved {
            app.post(
                &format!("{employers}/{company}/approve"),
                Some(&self.organizer),
                json!({}),
            )
            .await
            .assert(200);
        }
    }

    /// The employer holding `token` posts a vacancy of `company` at the fair: "Forklift
    /// Operator" ([`vacancy_body`]) with `changes`. Its id.
    pub async fn vacancy(
        &self,
        app: &TestApp,
        token: &str,
        company: &str,
        changes: Value,
    ) -> String {
        let body = with(&vacancy_body(company, "Forklift Operator"), changes);
        app.post(
            &format!("/api/v1/events/{}/vacancies", self.event),
            Some(token),
            body,
        )
        .await
        .assert(201)
        .id()
    }
}

impl<'a> FairBuilder<'a> {
    fn new(app: &'a TestApp, host: Host) -> Self {
        FairBuilder {
            app,
            host,
            changes: Map::new(),
        }
    }

    /// The fields of `changes` set in the event body.
    pub fn with(mut self, changes: Value) -> Self {
        for (key, value) in changes.as_object().expect("changes are an object") {
            self.changes.insert(key.clone(), value.clone());
        }
        self
    }

    /// Starts at `start` and ends `hours` later.
    pub fn starting(self, start: DateTime<Utc>, hours: i64) -> Self {
        self.with(json!({
            "starts_at": start.to_rfc3339(),
            "ends_at": (start + Duration::hours(hours)).to_rfc3339(),
        }))
    }

    /// Started two hours ago and runs for eight: open for check-ins and outcomes.
    pub fn running(self) -> Self {
        self.starting(Utc::now() - Duration::hours(2), 8)
    }

    /// Makes the event, a draft.
    pub async fn draft(self) -> Fair {
        let app = self.app;
        let (organizer_id, organizer, office) = match self.host {
            Host::NewOrganizer(email) => {
                let (id, token) = app.user(&email, Role::Organizer).await;
                let office = app.organization(&token, "organizer").await;
                (id, token, office)
            }
            Host::Organizer(token) => {
                let office = app.organization(&token, "organizer").await;
                (user_id(&token), token, office)
            }
            Host::SameOffice(fair) => (fair.organizer_id, fair.organizer, fair.office),
        };
        let mut body = event_body(&office);
        for (key, value) in self.changes {
            body[key] = value;
        }
        let event = app
            .post("/api/v1/events", Some(&organizer), body.clone())
            .await
            .assert(201)
            .id();
        let time = |field: &str| {
            DateTime::parse_from_rfc3339(body[field].as_str().expect("a time"))
                .expect("an RFC 3339 time")
                .to_utc()
        };
        Fair {
            organizer_id,
            organizer,
            office,
            starts_at: time("starts_at"),
            ends_at: time("ends_at"),
            event,
        }
    }

    /// Makes the event and publishes it.
    pub async fn published(self) -> Fair {
        let app = self.app;
        let fair = self.draft().await;
        app.post(
            &format!("/api/v1/events/{}/publish", fair.event),
            Some(&fair.organizer),
            json!({}),
        )
        .await
        .assert(200);
        fair
    }
}

/// The user id an access token was issued to (its `sub` claim), read without a request.
pub fn user_id(token: &str) -> String {
    use base64::Engine as _;
    let payload = token.split('.').nth(1).expect("a JWT");
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload)
        .expect("base64url claims");
    let claims: Value = serde_json::from_slice(&bytes).expect("JSON claims");
    claims["sub"].as_str().expect("a subject").to_owned()
}

// ---------------------------------------------------------------------------------------------
// Employers
// ---------------------------------------------------------------------------------------------

/// An employer: a user of role employer and their organization (named "employer org").
#[derive(Debug, Clone)]
pub struct Employer {
    pub id: String,
    /// The access token.
    pub token: String,
    /// The employer's organization.
    pub company: String,
}

impl Employer {
    /// A new employer `email` with an organization.
    pub async fn new(app: &TestApp, email: &str) -> Employer {
        let (id, token) = app.user(email, Role::Employer).await;
        let company = app.organization(&token, "employer").await;
        Employer { id, token, company }
    }

    /// A new employer `email` who asked to take part in `fair`, and was approved if `approved`.
    pub async fn at(app: &TestApp, fair: &Fair, email: &str, approved: bool) -> Employer {
        let employer = Employer::new(app, email).await;
        fair.join(app, &employer.token, &employer.company, approved)
            .await;
        employer
    }

    /// Posts a vacancy at `fair`: "Forklift Operator" ([`vacancy_body`]) with `changes`. Its id.
    pub async fn vacancy(&self, app: &TestApp, fair: &Fair, changes: Value) -> String {
        fair.vacancy(app, &self.token, &self.company, changes).await
    }
}

/// A published fair that started two hours ago and runs for eight, where an approved employer
/// posted one vacancy: the set-up of the outcome tests (applications, placements, follow-ups,
/// exports, mail). It is a [`Fair`] (through `Deref`) with the employer beside it.
pub struct HiringFair {
    pub fair: Fair,
    /// The employer's access token.
    pub employer: String,
    pub employer_id: String,
    /// The employer's organization.
    pub company: String,
    /// The employer's vacancy.
    pub vacancy: String,
}

impl Deref for HiringFair {
    type Target = Fair;

    fn deref(&self) -> &Fair {
        &self.fair
    }
}

impl HiringFair {
    /// Organizer `organizer@{tag}.id`, employer `hr@{tag}.id`, and a "Forklift Operator"
    /// vacancy with two openings.
    pub async fn new(app: &TestApp, tag: &str) -> HiringFair {
        Self::of(
            app,
            &format!("organizer@{tag}.id"),
            &format!("hr@{tag}.id"),
            json!({}),
        )
        .await
    }

    /// Organizer `organizer`, employer `employer`, and a vacancy with `changes` to the
    /// standard body ([`vacancy_body`]).
    pub async fn of(app: &TestApp, organizer: &str, employer: &str, changes: Value) -> HiringFair {
        let fair = Fair::by(app, organizer).running().published().await;
        let hr = Employer::at(app, &fair, employer, true).await;
        let vacancy = hr.vacancy(app, &fair, changes).await;
        HiringFair {
            fair,
            employer: hr.token,
            employer_id: hr.id,
            company: hr.company,
            vacancy,
        }
    }

    /// The employer as an [`Employer`].
    pub fn hr(&self) -> Employer {
        Employer {
            id: self.employer_id.clone(),
            token: self.employer.clone(),
            company: self.company.clone(),
        }
    }

    /// Another vacancy of the employer, titled `title`, with `changes`: its id.
    pub async fn post_vacancy(&self, app: &TestApp, title: &str, changes: Value) -> String {
        self.hr()
            .vacancy(app, &self.fair, with(&json!({"title": title}), changes))
            .await
    }
}

// ---------------------------------------------------------------------------------------------
// Job seekers
// ---------------------------------------------------------------------------------------------

/// A job seeker: an account and its profile.
#[derive(Debug, Clone)]
pub struct Seeker {
    pub user_id: String,
    /// The access token.
    pub token: String,
    /// The job seeker profile.
    pub id: String,
}

impl Seeker {
    /// An account `email` with the profile of a woman named `name` whose NIK ends in `last4`
    /// ([`profile`]).
    pub async fn new(app: &TestApp, email: &str, name: &str, last4: &str) -> Seeker {
        Self::with_profile(app, email, profile(name, last4)).await
    }

    /// An account `email` with the profile `body`.
    pub async fn with_profile(app: &TestApp, email: &str, body: Value) -> Seeker {
        let (user_id, token) = app.user(email, Role::JobSeeker).await;
        let id = app
            .post("/api/v1/job-seekers", Some(&token), body)
            .await
            .assert(201)
            .id();
        Seeker { user_id, token, id }
    }

    /// Registers for `event` through the API: the check-in code.
    pub async fn register(&self, app: &TestApp, event: &str) -> String {
        register(app, event, &self.token).await
    }

    /// Registered for `event` by themselves and checked in by `checked_in_by` if given, written
    /// directly ([`rows::registration`]).
    pub fn registered(&self, app: &TestApp, event: &str, checked_in_by: Option<&str>) {
        rows::registration(app, event, &self.id, &self.user_id, checked_in_by);
    }

    /// Applies for `vacancy` through the API: the application id.
    pub async fn apply(&self, app: &TestApp, vacancy: &str) -> String {
        app.post(
            &format!("/api/v1/vacancies/{vacancy}/applications"),
            Some(&self.token),
            json!({}),
        )
        .await
        .assert(201)
        .id()
    }
}

/// The holder of `token` registers for `event` through the API (201): the check-in code.
pub async fn register(app: &TestApp, event: &str, token: &str) -> String {
    app.post(
        &format!("/api/v1/events/{event}/registrations"),
        Some(token),
        json!({}),
    )
    .await
    .assert(201)
    .body["check_in_code"]
        .as_str()
        .expect("a check-in code")
        .to_owned()
}

/// The staff member holding `token` scans `code` at the door of `event` (200).
pub async fn check_in(app: &TestApp, event: &str, token: &str, code: &str) {
    app.post(
        &format!("/api/v1/events/{event}/check-ins"),
        Some(token),
        json!({"check_in_code": code}),
    )
    .await
    .assert(200);
}

/// The stored history of an application: (status, actor), oldest first.
pub fn transitions(app: &TestApp, application: &str) -> Vec<(String, String)> {
    use bursa::db::schema::application_transitions;
    use diesel::prelude::*;
    application_transitions::table
        .filter(application_transitions::application_id.eq(application))
        .order((
            application_transitions::at.asc(),
            application_transitions::id.asc(),
        ))
        .select((
            application_transitions::status,
            application_transitions::actor_user_id,
        ))
        .load(&mut *app.conn())
        .unwrap()
}

// ---------------------------------------------------------------------------------------------
// Rows written directly
// ---------------------------------------------------------------------------------------------

pub mod rows;
