//! Who may do what: role × route matrices.
//!
//! `role_route_matrix` covers organizations, events and users. Its fixture is built once:
//! organizer A owns organization A (with a plain member, and a draft event), organizer B owns
//! organization B, an employer owns an employer organization, and a job seeker, a ministry
//! official, an admin and an anonymous visitor look on.
//!
//! `fair_operations_matrix` covers running a fair: the event lifecycle, employers and their
//! approval, vacancies, job seeker profiles, registration, check-in, walk-ins and applications.
//! Its fixture adds a running fair of organization A with two approved employers (each with a
//! vacancy), and two job seekers, each registered, checked in and applied to a different
//! employer's vacancy.
//!
//! Each line of a table is one request, tried by every actor (in a fixed order) with the status
//! each must get. Every refusal must carry an error body, and must change nothing.

use std::collections::HashMap;
use std::fmt::Write as _;

use actix_web::http::Method;
use bursa::auth::Role;
use chrono::{Duration, Utc};
use serde_json::{json, Value};

use crate::common::{event_body, Resp, TestApp, PASSWORD};
use crate::db_tests;
use crate::fixtures::{self, vacancy_body, with};

db_tests!(role_route_matrix, fair_operations_matrix);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Actor {
    Anonymous,
    OwnerA,
    MemberA,
    OrganizerB,
    Employer,
    /// A second employer, with its own organization at the fair (fair operations only).
    EmployerB,
    JobSeeker,
    /// A second job seeker, whose records the first must not read (fair operations only).
    SeekerB,
    Ministry,
    Admin,
}

use Actor::*;

/// The column order of [`Line::all`].
const ACTORS: [Actor; 8] = [
    Anonymous, OwnerA, MemberA, OrganizerB, Employer, JobSeeker, Ministry, Admin,
];

/// The column order of [`Line::fair`].
const FAIR_ACTORS: [Actor; 10] = [
    Anonymous, OwnerA, MemberA, OrganizerB, Employer, EmployerB, JobSeeker, SeekerB, Ministry,
    Admin,
];

impl Actor {
    fn name(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            OwnerA => "owner_a",
            MemberA => "member_a",
            OrganizerB => "organizer_b",
            Employer => "employer",
            EmployerB => "employer_b",
            JobSeeker => "job_seeker",
            SeekerB => "seeker_b",
            Ministry => "ministry",
            Admin => "admin",
        }
    }
}

/// Skip this actor on this line.
const SKIP: u16 = 0;

/// Something a response may show only to some actors: the text (an id) that shows it, and who
/// must see it when their request succeeds. Nobody else may see it in any response.
struct Shown {
    what: &'static str,
    needle: String,
    who: Vec<Actor>,
}

/// One request, and the status each actor must get for it. `%actor%` in a string of the body
/// becomes the actor's name, so that every write is traceable to who made it.
struct Line {
    method: Method,
    path: String,
    body: Option<Value>,
    expect: Vec<(Actor, u16)>,
    /// The error code of a 409 (other statuses have fixed codes).
    conflict_code: &'static str,
    shown: Vec<Shown>,
}

impl Line {
    fn new(method: Method, path: impl Into<String>, body: Option<Value>) -> Self {
        Self {
            method,
            path: path.into(),
            body,
            expect: Vec::new(),
            conflict_code: "",
            shown: Vec::new(),
        }
    }

    fn columns<const N: usize>(mut self, actors: [Actor; N], statuses: [u16; N]) -> Self {
        self.expect = actors
            .into_iter()
            .zip(statuses)
            .filter(|(_, s)| *s != SKIP)
            .collect();
        self
    }

    /// Statuses in the order of [`ACTORS`]: anonymous, owner A, member A, organizer B,
    /// employer, job seeker, ministry, admin.
    fn all(self, statuses: [u16; 8]) -> Self {
        self.columns(ACTORS, statuses)
    }

    /// Statuses in the order of [`FAIR_ACTORS`]: anonymous, owner A, member A, organizer B,
    /// employer, employer B, job seeker, seeker B, ministry, admin.
    fn fair(self, statuses: [u16; 10]) -> Self {
        self.columns(FAIR_ACTORS, statuses)
    }

    fn only(mut self, actor: Actor, status: u16) -> Self {
        self.expect = vec![(actor, status)];
        self
    }

    fn conflict(mut self, code: &'static str) -> Self {
        self.conflict_code = code;
        self
    }

    /// `needle` (which is `what`) must be in the successful responses of `who`, and in no
    /// response of any other actor of this line.
    fn shows(mut self, what: &'static str, needle: &str, who: &[Actor]) -> Self {
        self.shown.push(Shown {
            what,
            needle: needle.to_owned(),
            who: who.to_vec(),
        });
        self
    }
}

fn get(path: impl Into<String>) -> Line {
    Line::new(Method::GET, path, None)
}
fn post(path: impl Into<String>, body: Value) -> Line {
    Line::new(Method::POST, path, Some(body))
}
fn patch(path: impl Into<String>, body: Value) -> Line {
    Line::new(Method::PATCH, path, Some(body))
}
fn delete(path: impl Into<String>) -> Line {
    Line::new(Method::DELETE, path, None)
}

fn for_actor(value: &Value, actor: Actor) -> Value {
    match value {
        Value::String(s) => Value::String(s.replace("%actor%", actor.name())),
        Value::Array(items) => Value::Array(items.iter().map(|v| for_actor(v, actor)).collect()),
        Value::Object(map) => Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), for_actor(v, actor)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What a refused request must leave as it was.
#[derive(Debug)]
struct Snapshot {
    counts: Vec<(&'static str, i64)>,
    resources: Vec<(String, Value)>,
}

/// The tables `role_route_matrix` watches.
const TABLES: [&str; 4] = ["organizations", "memberships", "events", "users"];

/// The tables `fair_operations_matrix` watches.
const FAIR_TABLES: [&str; 10] = [
    "organizations",
    "memberships",
    "events",
    "users",
    "participations",
    "vacancies",
    "job_seekers",
    "registrations",
    "applications",
    "application_transitions",
];

async fn snapshot(
    app: &TestApp,
    admin: &str,
    tables: &[&'static str],
    watched: &[String],
) -> Snapshot {
    let mut resources = Vec::new();
    for path in watched {
        let resp = app.get(path, Some(admin)).await;
        resp.assert(200);
        resources.push((path.clone(), resp.body));
    }
    Snapshot {
        counts: tables.iter().map(|t| (*t, app.count(t))).collect(),
        resources,
    }
}

/// What differs between two snapshots, one line per table or resource.
fn changes(before: &Snapshot, after: &Snapshot) -> Vec<String> {
    let counts = before
        .counts
        .iter()
        .zip(&after.counts)
        .filter(|(b, a)| b != a)
        .map(|((table, b), (_, a))| format!("{table}: {b} rows -> {a} rows"));
    let resources = before
        .resources
        .iter()
        .zip(&after.resources)
        .filter(|(b, a)| b != a)
        .map(|((path, b), (_, a))| format!("{path}: {b} -> {a}"));
    counts.chain(resources).collect()
}

fn expected_code(status: u16, conflict_code: &'static str) -> &'static str {
    match status {
        401 => "unauthorized",
        403 => "forbidden",
        404 => "not_found",
        409 => conflict_code,
        422 => "validation_failed",
        _ => "",
    }
}

/// Whether a 201's body names what was created: its `id`; a membership's `user_id`; a
/// participation's event and organization; a walk-in's registration.
fn names_what_it_created(body: &Value) -> bool {
    body.get("id").is_some()
        || body.get("user_id").is_some()
        || (body["event_id"].is_string() && body["organization_id"].is_string())
        || body["registration"]["id"].is_string()
}

/// Checks one response against its row; returns what is wrong, if anything.
fn check(resp: &Resp, status: u16, conflict_code: &'static str) -> Option<String> {
    if resp.status != status {
        return Some(format!("expected {status}, got {}", resp.status));
    }
    if status >= 400 {
        let code = resp.body["error"]["code"].as_str().unwrap_or("");
        if code.is_empty() {
            return Some("a refusal without a JSON error body with error.code".to_owned());
        }
        if resp.body["error"]["message"]
            .as_str()
            .is_none_or(str::is_empty)
        {
            return Some("an error body without error.message".to_owned());
        }
        let want = expected_code(status, conflict_code);
        if !want.is_empty() && code != want {
            return Some(format!("expected error.code {want:?}, got {code:?}"));
        }
        if status == 401 && resp.header("www-authenticate") != Some("Bearer") {
            return Some(format!(
                "a 401 without `WWW-Authenticate: Bearer` (got {:?})",
                resp.header("www-authenticate")
            ));
        }
    } else if resp.body.get("error").is_some() {
        return Some("a success with an error body".to_owned());
    } else if status == 204 && resp.body != Value::Null {
        return Some("a 204 with a body".to_owned());
    } else if status == 201 && !names_what_it_created(&resp.body) {
        return Some("a 201 that does not return what it created".to_owned());
    }
    None
}

/// A matrix to run: the app, each actor's token, what a refusal must leave as it was, and what
/// no response may ever contain.
struct Matrix<'a> {
    app: &'a TestApp,
    admin: &'a str,
    tokens: HashMap<Actor, String>,
    tables: &'a [&'static str],
    /// Resources a refused request must not touch (read by an admin before and after it).
    watched: Vec<String>,
    /// Text that no response body may contain, whoever asks.
    secrets: Vec<&'a str>,
}

/// What running a matrix found.
struct Run {
    rows: usize,
    failures: String,
    /// The path of each POST that created something (201).
    created: Vec<String>,
}

impl Run {
    fn created(&self, path: &str) -> usize {
        self.created.iter().filter(|p| *p == path).count()
    }
}

impl Matrix<'_> {
    fn token(&self, actor: Actor) -> Option<&str> {
        if actor == Anonymous {
            return None;
        }
        let token = self.tokens.get(&actor);
        Some(token.unwrap_or_else(|| panic!("{} has no token in this matrix", actor.name())))
    }

    async fn run(&self, lines: &[Line]) -> Run {
        let mut run = Run {
            rows: 0,
            failures: String::new(),
            created: Vec::new(),
        };
        // The state after the last refusal, which is the state before the next one unless a
        // success came between.
        let mut last: Option<Snapshot> = None;
        for line in lines {
            assert!(
                !line.expect.is_empty(),
                "{} {} tests nobody",
                line.method,
                line.path
            );
            for &(actor, status) in &line.expect {
                run.rows += 1;
                let refused = !(200..300).contains(&status);
                let body = line.body.as_ref().map(|b| for_actor(b, actor));
                let before = match (refused, last.take()) {
                    (false, _) => None,
                    (true, Some(last)) => Some(last),
                    (true, None) => {
                        Some(snapshot(self.app, self.admin, self.tables, &self.watched).await)
                    }
                };
                let resp = self
                    .app
                    .request(
                        line.method.clone(),
                        &line.path,
                        self.token(actor),
                        body.as_ref(),
                    )
                    .await;
                let row = format!(
                    "{:<12} {} {} {}",
                    actor.name(),
                    line.method,
                    line.path,
                    body.as_ref().map(Value::to_string).unwrap_or_default()
                );
                let mut problems = Vec::new();
                problems.extend(check(&resp, status, line.conflict_code));
                let text = resp.body.to_string();
                for secret in &self.secrets {
                    if text.contains(secret) {
                        problems.push(format!("a response that contains {secret:?}"));
                    }
                }
                for shown in &line.shown {
                    let found = text.contains(&shown.needle);
                    if shown.who.contains(&actor) {
                        if resp.status < 300 && !found {
                            problems.push(format!("a success that does not show {}", shown.what));
                        }
                    } else if found {
                        problems.push(format!("a response that shows {}", shown.what));
                    }
                }
                for problem in problems {
                    let _ = writeln!(run.failures, "  {row}\n    -> {problem}; body: {text}");
                }
                if let Some(before) = before {
                    let after = snapshot(self.app, self.admin, self.tables, &self.watched).await;
                    for change in changes(&before, &after) {
                        let _ = writeln!(
                            run.failures,
                            "  {row}\n    -> a refused request changed data: {change}"
                        );
                    }
                    last = Some(after);
                } else if resp.status == 201 && line.method == Method::POST {
                    run.created.push(line.path.clone());
                }
            }
        }
        run
    }
}

async fn role_route_matrix(app: TestApp) {
    // The fixture.
    let admin = app.admin_token().await;
    let (owner_a_id, owner_a) = app.user("owner-a@disnaker.go.id", Role::Organizer).await;
    let (member_a_id, member_a) = app.user("member-a@disnaker.go.id", Role::Organizer).await;
    let (_, organizer_b) = app.user("owner-b@disnaker.go.id", Role::Organizer).await;
    let (organizer_c_id, _) = app.user("c@disnaker.go.id", Role::Organizer).await;
    let (_, employer) = app.user("hr@pabrik.co.id", Role::Employer).await;
    let (seeker_id, seeker) = app.user("budi@example.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let org_a = app.organization(&owner_a, "organizer").await;
    let org_b = app.organization(&organizer_b, "organizer").await;
    let org_e = app.organization(&employer, "employer").await;
    app.post(
        &format!("/api/v1/organizations/{org_a}/members"),
        Some(&owner_a),
        json!({"email": "member-a@disnaker.go.id", "role": "member"}),
    )
    .await
    .assert(201);
    let draft = app.event(&owner_a, &org_a).await;
    assert_eq!(draft["status"], "draft");
    let event = draft["id"].as_str().unwrap().to_owned();

    let tokens = HashMap::from([
        (OwnerA, owner_a),
        (MemberA, member_a),
        (OrganizerB, organizer_b),
        (Employer, employer),
        (JobSeeker, seeker),
        (Ministry, ministry),
        (Admin, admin.clone()),
    ]);

    let missing = uuid::Uuid::new_v4();
    let orgs = "/api/v1/organizations";
    let org_a_path = format!("{orgs}/{org_a}");
    let members_a = format!("{org_a_path}/members");
    let event_path = format!("/api/v1/events/{event}");
    let seeker_path = format!("/api/v1/users/{seeker_id}");
    let new_org = |kind: &str| json!({"name": format!("{kind} org of %actor%"), "kind": kind, "province_code": "31", "city": "Jakarta Pusat"});
    let mut new_event_a = event_body(&org_a);
    new_event_a["title"] = json!("Event of %actor% for A");
    let mut new_event_b = event_body(&org_b);
    new_event_b["title"] = json!("Event of %actor% for B");

    // Columns: anonymous, owner A, member A, organizer B, employer, job seeker, ministry, admin.
    let lines = vec![
        get("/api/v1/me").all([401, 200, 200, 200, 200, 200, 200, 200]),
        // Organizations: reads.
        get(orgs).all([401, 200, 200, 200, 200, 200, 200, 200]),
        get(format!("{orgs}?kind=organizer&province_code=31&limit=2"))
            .all([401, 200, 200, 200, 200, 200, 200, 200]),
        get(&org_a_path).all([401, 200, 200, 200, 200, 200, 200, 200]),
        get(format!("{orgs}/{missing}")).all([401, 404, 404, 404, 404, 404, 404, 404]),
        // Organizations: creation, by kind.
        post(orgs, new_org("organizer")).all([401, 201, 201, 201, 403, 403, 403, 201]),
        post(orgs, new_org("employer")).all([401, 403, 403, 403, 201, 403, 403, 201]),
        // Organizations: updates, by owners and admins only; the kind is not a field.
        patch(&org_a_path, json!({"name": "Org A by %actor%", "sector_code": null}))
            .all([401, 200, 403, 403, 403, 403, 403, 200]),
        patch(format!("{orgs}/{org_b}"), json!({"city": "Bogor %actor%"}))
            .all([401, 403, 403, 200, 403, 403, 403, 200]),
        patch(format!("{orgs}/{org_e}"), json!({"city": "Bekasi %actor%"}))
            .all([401, 403, 403, 403, 200, 403, 403, 200]),
        patch(&org_a_path, json!({"kind": "employer"})).all([
            401, 422, SKIP, SKIP, SKIP, SKIP, SKIP, 422,
        ]),
        patch(format!("{orgs}/{missing}"), json!({"name": "Ghost %actor%"}))
            .all([401, 404, 404, 404, 404, 404, 404, 404]),
        // Members: who sees them, who changes them.
        get(&members_a).all([401, 200, 200, 403, 403, 403, 200, 200]),
        post(
            &members_a,
            json!({"email": "c@disnaker.go.id", "role": "member"}),
        )
        .all([401, SKIP, 403, 403, 403, 403, 403, SKIP]),
        post(
            &members_a,
            json!({"email": "c@disnaker.go.id", "role": "member"}),
        )
        .only(OwnerA, 201),
        post(
            &members_a,
            json!({"email": "c@disnaker.go.id", "role": "owner"}),
        )
        .only(Admin, 409)
        .conflict("already_member"),
        post(
            &members_a,
            json!({"email": "budi@example.id", "role": "member"}),
        )
        .only(OwnerA, 422),
        post(
            &members_a,
            json!({"email": "hr@pabrik.co.id", "role": "member"}),
        )
        .only(Admin, 422),
        delete(format!("{members_a}/{owner_a_id}"))
            .all([401, 409, 403, 403, 403, 403, 403, 409])
            .conflict("last_owner"),
        delete(format!("{members_a}/{organizer_c_id}"))
            .all([401, SKIP, 403, 403, 403, 403, 403, 204]),
        delete(format!("{members_a}/{organizer_c_id}")).only(OwnerA, 404),
        // Events: creation by members of the organizer organization.
        post("/api/v1/events", new_event_a).all([401, 201, 201, 403, 403, 403, 403, 201]),
        post("/api/v1/events", new_event_b).all([401, 403, 403, 201, 403, 403, 403, 201]),
        // Events: a draft is seen by its organization and staff only, changed by its
        // organization and admins only. Whoever may not see it gets 404 (issue 11: one answer
        // per kind of object); ministry staff, who see it, are refused (403).
        get("/api/v1/events").all([200, 200, 200, 200, 200, 200, 200, 200]),
        get(&event_path).all([404, 200, 200, 404, 404, 404, 200, 200]),
        patch(&event_path, json!({"title": "Draft by %actor%"}))
            .all([401, 200, 200, 404, 404, 404, 403, 200]),
        patch(
            format!("/api/v1/events/{missing}"),
            json!({"title": "Ghost %actor%"}),
        )
        .all([401, 404, 404, 404, 404, 404, 404, 404]),
        // Users: admins only.
        get("/api/v1/users").all([401, 403, 403, 403, 403, 403, 403, 200]),
        post(
            "/api/v1/users",
            json!({"email": "new-%actor%@bursa.test", "password": PASSWORD, "full_name": "New %actor%", "role": "ministry"}),
        )
        .all([401, 403, 403, 403, 403, 403, 403, 201]),
        get(&seeker_path).all([401, 403, 403, 403, 403, 403, 403, 200]),
        patch(&seeker_path, json!({"full_name": "Renamed by %actor%"}))
            .all([401, 403, 403, 403, 403, 403, 403, 200]),
    ];

    let matrix = Matrix {
        app: &app,
        admin: &admin,
        tokens,
        tables: &TABLES,
        watched: vec![
            org_a_path.clone(),
            format!("{orgs}/{org_b}"),
            format!("{orgs}/{org_e}"),
            members_a.clone(),
            event_path.clone(),
            seeker_path.clone(),
        ],
        secrets: Vec::new(),
    };
    let initial_orgs = app.count("organizations");
    let initial_events = app.count("events");
    let run = matrix.run(&lines).await;
    assert!(
        run.failures.is_empty(),
        "access matrix rows that failed (actor, method, path, body):\n{}",
        run.failures
    );
    assert_eq!(run.rows, 205, "rows in the matrix");

    // Only the allowed writes happened, each exactly once.
    let created_orgs = run.created("/api/v1/organizations");
    let created_events = run.created("/api/v1/events");
    assert_eq!(created_orgs, 6);
    assert_eq!(created_events, 5);
    assert_eq!(
        app.count("organizations"),
        initial_orgs + created_orgs as i64
    );
    assert_eq!(app.count("events"), initial_events + created_events as i64);
    let org = app.get(&org_a_path, Some(&admin)).await;
    assert_eq!(org.body["name"], "Org A by admin");
    assert_eq!(org.body["kind"], "organizer");
    let stored = app.get(&event_path, Some(&admin)).await;
    assert_eq!(stored.body["title"], "Draft by admin");
    assert_eq!(stored.body["status"], "draft");
    let members = app.get(&members_a, Some(&admin)).await;
    let mut ids: Vec<&str> = members.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["user_id"].as_str().unwrap())
        .collect();
    ids.sort_unstable();
    let mut want = vec![owner_a_id.as_str(), member_a_id.as_str()];
    want.sort_unstable();
    assert_eq!(ids, want);
    let renamed = app.get(&seeker_path, Some(&admin)).await;
    assert_eq!(renamed.body["full_name"], "Renamed by admin");
    assert_eq!(app.count("users"), 9);
}

// ---------------------------------------------------------------------------------------------
// Fair operations
// ---------------------------------------------------------------------------------------------

const SITI_NIK: &str = "3174015508950002";
const BUDI_NIK: &str = "3174011508950001";
/// A walk-in profile recorded by organizer B, at no event.
const DEWI_NIK: &str = "3174015508950003";
/// A walk-in at the door of the fair, recorded in the matrix.
const AGUS_NIK: &str = "3174011508950004";

/// A job seeker profile body for a person born on 1995-08-15 (as each NIK above says).
fn profile(full_name: &str, nik: &str, gender: &str) -> Value {
    let body = fixtures::profile(full_name, "0000");
    with(&body, json!({"nik": nik, "gender": gender}))
}

/// POSTs `body` to `path` as the holder of `token`, which must create something; its body.
async fn create(app: &TestApp, path: &str, token: &str, body: Value) -> Value {
    let resp = app.post(path, Some(token), body).await;
    resp.assert(201);
    resp.body
}

fn id_of(body: &Value) -> String {
    body["id"].as_str().expect("an id").to_owned()
}

async fn fair_operations_matrix(app: TestApp) {
    // The people.
    let admin = app.admin_token().await;
    let (_, owner_a) = app.user("owner-a@disnaker.go.id", Role::Organizer).await;
    let (_, member_a) = app.user("member-a@disnaker.go.id", Role::Organizer).await;
    let (_, organizer_b) = app.user("owner-b@disnaker.go.id", Role::Organizer).await;
    let (_, employer) = app.user("hr@pabrik.co.id", Role::Employer).await;
    let (_, employer_b) = app.user("hr@garmen.co.id", Role::Employer).await;
    let (_, seeker) = app.user("siti@example.id", Role::JobSeeker).await;
    let (_, seeker_b) = app.user("budi@example.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;

    // The organizations: A (with a plain member) runs the fair; B is another organizer; the
    // employer has one organization, employer B two (the second asks to join in the matrix).
    let org_a = app.organization(&owner_a, "organizer").await;
    let org_b = app.organization(&organizer_b, "organizer").await;
    let org_e = app.organization(&employer, "employer").await;
    let org_f = app.organization(&employer_b, "employer").await;
    let org_f2 = app.organization(&employer_b, "employer").await;
    app.post(
        &format!("/api/v1/organizations/{org_a}/members"),
        Some(&owner_a),
        json!({"email": "member-a@disnaker.go.id", "role": "member"}),
    )
    .await
    .assert(201);

    // The fair: published, started an hour ago, ending in eight hours. And a spare draft of
    // organization A, a month ahead, for the lifecycle and for what a draft hides.
    let mut body = event_body(&org_a);
    body["starts_at"] = json!((Utc::now() - Duration::hours(1)).to_rfc3339());
    body["ends_at"] = json!((Utc::now() + Duration::hours(8)).to_rfc3339());
    let event = id_of(&create(&app, "/api/v1/events", &owner_a, body).await);
    let ev = format!("/api/v1/events/{event}");
    app.post(&format!("{ev}/publish"), Some(&owner_a), json!({}))
        .await
        .assert(200);
    let mut body = event_body(&org_a);
    body["title"] = json!("Spare fair");
    let spare_start = Utc::now() + Duration::days(30);
    body["starts_at"] = json!(spare_start.to_rfc3339());
    body["ends_at"] = json!((spare_start + Duration::hours(8)).to_rfc3339());
    let spare = id_of(&create(&app, "/api/v1/events", &owner_a, body).await);
    let sp = format!("/api/v1/events/{spare}");

    // Both employers take part, approved, each with a vacancy.
    let employers = format!("{ev}/employers");
    for (token, org) in [(&employer, &org_e), (&employer_b, &org_f)] {
        create(&app, &employers, token, json!({"organization_id": org})).await;
        app.post(
            &format!("{employers}/{org}/approve"),
            Some(&owner_a),
            json!({}),
        )
        .await
        .assert(200);
    }
    let vacancies = format!("{ev}/vacancies");
    let vacancy_a = id_of(
        &create(
            &app,
            &vacancies,
            &employer,
            vacancy_body(&org_e, "Forklift Operator"),
        )
        .await,
    );
    let vacancy_b = id_of(
        &create(
            &app,
            &vacancies,
            &employer_b,
            vacancy_body(&org_f, "Sewing Machine Operator"),
        )
        .await,
    );
    let va = format!("/api/v1/vacancies/{vacancy_a}");
    let vb = format!("/api/v1/vacancies/{vacancy_b}");

    // The job seekers: each has a profile, is registered and checked in, and has applied to a
    // different employer. Organizer B recorded a third person's profile, at no event.
    let profiles = "/api/v1/job-seekers";
    let siti = id_of(
        &create(
            &app,
            profiles,
            &seeker,
            profile("Siti Rahayu", SITI_NIK, "female"),
        )
        .await,
    );
    let budi = id_of(
        &create(
            &app,
            profiles,
            &seeker_b,
            profile("Budi Santoso", BUDI_NIK, "male"),
        )
        .await,
    );
    let dewi = id_of(
        &create(
            &app,
            profiles,
            &organizer_b,
            profile("Dewi Lestari", DEWI_NIK, "female"),
        )
        .await,
    );
    let registrations = format!("{ev}/registrations");
    let check_ins = format!("{ev}/check-ins");
    let mut registered = Vec::new();
    for token in [&seeker, &seeker_b] {
        let registration = create(&app, &registrations, token, json!({})).await;
        let code = registration["check_in_code"].as_str().unwrap().to_owned();
        app.post(&check_ins, Some(&owner_a), json!({"check_in_code": code}))
            .await
            .assert(200);
        registered.push((id_of(&registration), code));
    }
    let [(reg_siti, siti_code), (reg_budi, _)] = <[_; 2]>::try_from(registered).unwrap();
    let application_siti =
        id_of(&create(&app, &format!("{va}/applications"), &seeker, json!({})).await);
    let application_budi =
        id_of(&create(&app, &format!("{vb}/applications"), &seeker_b, json!({})).await);

    let tokens = HashMap::from([
        (OwnerA, owner_a),
        (MemberA, member_a),
        (OrganizerB, organizer_b),
        (Employer, employer),
        (EmployerB, employer_b),
        (JobSeeker, seeker),
        (SeekerB, seeker_b),
        (Ministry, ministry),
        (Admin, admin.clone()),
    ]);

    let missing = uuid::Uuid::new_v4();
    let siti_path = format!("{profiles}/{siti}");
    let budi_path = format!("{profiles}/{budi}");
    let dewi_path = format!("{profiles}/{dewi}");
    let walk_ins = format!("{ev}/walk-ins");
    let qr_siti = format!("/api/v1/registrations/{reg_siti}/qr.svg");
    let qr_budi = format!("/api/v1/registrations/{reg_budi}/qr.svg");
    let app_siti = format!("/api/v1/applications/{application_siti}");
    let app_budi = format!("/api/v1/applications/{application_budi}");
    let applicants_a = format!("{va}/applications");
    let applicants_b = format!("{vb}/applications");
    let siti_profile = profile("Siti Rahayu", SITI_NIK, "female");
    let agus_profile = profile("Agus Setiawan", AGUS_NIK, "male");
    let new_vacancy = vacancy_body(&org_e, "Welder for %actor%");
    let with_siti = json!({"job_seeker_id": siti});

    // Columns: anonymous, owner A, member A, organizer B, employer, employer B, job seeker,
    // seeker B, ministry, admin.
    let lines = vec![
        // A draft hides what hangs on it from all but its organization and staff (404); acting
        // on it is refused by role, or by membership (403), before its existence shows.
        get(&sp).fair([404, 200, 200, 404, 404, 404, 404, 404, 200, 200]),
        get(format!("{sp}/employers")).fair([404, 200, 200, 404, 404, 404, 404, 404, 200, 200]),
        get(format!("{sp}/vacancies")).fair([404, 200, 200, 404, 404, 404, 404, 404, 200, 200]),
        get(format!("{sp}/registrations")).fair([401, 200, 200, 404, 404, 404, 404, 404, 200, 200]),
        post(format!("{sp}/employers"), json!({"organization_id": org_e}))
            .fair([401, 403, 403, 403, 404, 404, 403, 403, 403, 409])
            .conflict("event_not_open"),
        post(format!("{sp}/vacancies"), new_vacancy.clone())
            .fair([401, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
        post(format!("{sp}/registrations"), with_siti.clone())
            .fair([401, 409, 409, 404, 404, 404, 404, 404, 403, 409])
            .conflict("event_not_open"),
        post(
            format!("{sp}/check-ins"),
            json!({"check_in_code": siti_code}),
        )
        .fair([401, 404, 404, 404, 404, 404, 404, 404, 403, 404]),
        post(format!("{sp}/walk-ins"), agus_profile.clone())
            .fair([401, 409, 409, 404, 403, 403, 403, 403, 403, 409])
            .conflict("event_not_open"),
        get(format!("{sp}/check-in-list")).fair([401, 200, 200, 404, 404, 404, 404, 404, 403, 200]),
        // The lifecycle, on the spare event: its organization's members and admins only. While
        // it is a draft, whoever may not see it gets 404; ministry staff, who see it, 403.
        post(format!("{sp}/publish"), json!({}))
            .fair([401, SKIP, SKIP, 404, 404, 404, 404, 404, 403, SKIP]),
        post(format!("{sp}/publish"), json!({})).only(MemberA, 200),
        post(format!("{sp}/publish"), json!({}))
            .fair([SKIP, 409, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, 409])
            .conflict("invalid_transition"),
        post(format!("{sp}/close"), json!({"spent_idr": 1000}))
            .fair([401, 409, 409, 403, 403, 403, 403, 403, 403, 409])
            .conflict("event_not_started"),
        post(format!("{sp}/cancel"), json!({}))
            .fair([401, SKIP, SKIP, 403, 403, 403, 403, 403, 403, SKIP]),
        post(format!("{sp}/cancel"), json!({})).only(OwnerA, 200),
        post(format!("{sp}/cancel"), json!({}))
            .fair([SKIP, SKIP, 409, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, 409])
            .conflict("invalid_transition"),
        post(format!("{sp}/publish"), json!({}))
            .only(Admin, 409)
            .conflict("invalid_transition"),
        post(format!("/api/v1/events/{missing}/publish"), json!({}))
            .fair([401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        // The running fair: public.
        get(&ev).fair([200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        // Employers: each joins for its own organization; the event's organization decides.
        post(
            &employers,
            json!({"organization_id": org_e, "booth": "B-%actor%"}),
        )
        .fair([401, 403, 403, 403, 409, 403, 403, 403, 403, 409])
        .conflict("already_participating"),
        post(&employers, json!({"organization_id": org_f2}))
            .fair([401, 403, 403, 403, 403, SKIP, 403, 403, 403, SKIP]),
        post(&employers, json!({"organization_id": org_f2})).only(EmployerB, 201),
        post(&employers, json!({"organization_id": org_f2}))
            .only(Admin, 409)
            .conflict("already_participating"),
        get(&employers)
            .fair([200, 200, 200, 200, 200, 200, 200, 200, 200, 200])
            .shows(
                "employer B's pending request",
                &org_f2,
                &[OwnerA, MemberA, EmployerB, Ministry, Admin],
            ),
        post(&vacancies, vacancy_body(&org_f2, "Cutter for %actor%"))
            .fair([401, 403, 403, 403, 403, 403, 403, 403, 403, 403]),
        post(format!("{employers}/{org_f2}/approve"), json!({}))
            .fair([401, SKIP, SKIP, 403, 403, 403, 403, 403, 403, SKIP]),
        post(format!("{employers}/{org_f2}/reject"), json!({}))
            .fair([401, SKIP, SKIP, 403, 403, 403, 403, 403, 403, SKIP]),
        post(format!("{employers}/{org_f2}/reject"), json!({})).only(MemberA, 200),
        post(format!("{employers}/{org_f2}/approve"), json!({})).only(OwnerA, 200),
        post(format!("{employers}/{org_f2}/approve"), json!({}))
            .fair([SKIP, SKIP, 409, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, 409])
            .conflict("invalid_transition"),
        post(format!("{employers}/{org_b}/approve"), json!({}))
            .fair([401, 404, 404, 403, 403, 403, 403, 403, 403, 404]),
        // Vacancies: the public reads them; each employer posts and changes its own.
        get(&vacancies).fair([200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get(&va).fair([200, 200, 200, 200, 200, 200, 200, 200, 200, 200]),
        get(format!("/api/v1/vacancies/{missing}"))
            .fair([404, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        post(&vacancies, new_vacancy).fair([401, 403, 403, 403, 201, 403, 403, 403, 403, 201]),
        patch(&va, json!({"title": "Forklift Operator, by %actor%"}))
            .fair([401, 403, 403, 403, 200, 403, 403, 403, 403, 200]),
        patch(&vb, json!({"title": "Sewing Machine Operator, by %actor%"}))
            .fair([401, 403, 403, 403, 403, 200, 403, 403, 403, 200]),
        patch(
            format!("/api/v1/vacancies/{missing}"),
            json!({"title": "Ghost %actor%"}),
        )
        .fair([401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        post(format!("{va}/close"), json!({}))
            .fair([401, SKIP, SKIP, 403, SKIP, 403, 403, 403, 403, SKIP]),
        // Job seekers: each reads and changes their own profile; the event's organizers read
        // those registered with them; who recorded a profile reads and changes it; staff read
        // all. Anyone else gets 404.
        get("/api/v1/me/job-seeker")
            .fair([401, 404, 404, 404, 404, 404, 200, 200, 404, 404])
            .shows("Siti's profile", &siti, &[JobSeeker])
            .shows("Budi's profile", &budi, &[SeekerB]),
        get(&siti_path).fair([401, 200, 200, 404, 404, 404, 200, 404, 200, 200]),
        get(&budi_path).fair([401, 200, 200, 404, 404, 404, 404, 200, 200, 200]),
        get(&dewi_path).fair([401, 404, 404, 200, 404, 404, 404, 404, 200, 200]),
        get(format!("{profiles}/{missing}"))
            .fair([401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        patch(&siti_path, json!({"city": "Jakarta Timur, by %actor%"}))
            .fair([401, 403, 403, 404, 404, 404, 200, 404, 403, 200]),
        patch(&budi_path, json!({"city": "Jakarta Selatan, by %actor%"}))
            .fair([401, 403, 403, 404, 404, 404, 404, 200, 403, 200]),
        patch(&dewi_path, json!({"city": "Depok, by %actor%"}))
            .fair([401, 404, 404, 200, 404, 404, 404, 404, 403, 200]),
        // A second profile for a NIK, or for an account, is refused.
        post(profiles, siti_profile.clone())
            .fair([401, 409, 409, 409, 403, 403, SKIP, SKIP, 403, 409])
            .conflict("nik_registered"),
        post(profiles, siti_profile.clone())
            .fair([SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, 409, 409, SKIP, SKIP])
            .conflict("profile_exists"),
        // Registrations: the event's organizer staff and ministry list them; a job seeker
        // registers themself (again: 200, the same registration); staff register anyone.
        get(&registrations).fair([401, 200, 200, 403, 403, 403, 403, 403, 200, 200]),
        post(&registrations, json!({}))
            .fair([401, 422, 422, 403, 403, 403, 200, 200, 403, 422])
            .shows("Siti's registration", &reg_siti, &[JobSeeker])
            .shows("Budi's registration", &reg_budi, &[SeekerB]),
        post(&registrations, with_siti.clone())
            .fair([401, 200, 200, 403, 403, 403, 200, 403, 403, 200]),
        // Dewi's profile was recorded by organizer B: organizer A's staff may not register her
        // (issue 11: staff register only people their organization recorded or who signed up
        // themselves); an admin may, which lets A's organization read her profile.
        post(&registrations, json!({"job_seeker_id": dewi}))
            .fair([401, 403, 403, 403, 403, 403, 403, 403, 403, SKIP]),
        post(&registrations, json!({"job_seeker_id": dewi})).only(Admin, 201),
        post(&registrations, json!({"job_seeker_id": dewi}))
            .fair([SKIP, 200, 200, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, 200]),
        get(&dewi_path).fair([401, 200, 200, 200, 404, 404, 404, 404, 200, 200]),
        patch(&dewi_path, json!({"city": "Depok, by %actor%"}))
            .fair([SKIP, 403, 403, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, SKIP]),
        // Check-in at the door: the event's organizer staff only (a repeated scan is 200).
        post(&check_ins, json!({"check_in_code": siti_code}))
            .fair([401, 200, 200, 403, 403, 403, 403, 403, 403, 200]),
        post(&check_ins, json!({"check_in_code": "no-such-code"}))
            .fair([401, 404, 404, 403, 403, 403, 403, 403, 403, 404]),
        // Walk-ins: the event's organizer staff only. A registered person is found by NIK.
        post(&walk_ins, siti_profile).fair([401, 200, 200, 403, 403, 403, 403, 403, 403, 200]),
        post(&walk_ins, agus_profile.clone())
            .fair([401, SKIP, SKIP, 403, 403, 403, 403, 403, 403, SKIP]),
        post(&walk_ins, agus_profile.clone()).only(OwnerA, 201),
        post(&walk_ins, agus_profile)
            .fair([SKIP, SKIP, 200, 403, SKIP, SKIP, SKIP, SKIP, SKIP, 200]),
        // The door scanner's routes (door passes themselves: tests/api/door_passes.rs).
        get(format!("{ev}/check-in-list")).fair([401, 200, 200, 403, 403, 403, 403, 403, 403, 200]),
        post(format!("{ev}/check-ins/batch"), json!({"scans": []}))
            .fair([401, 200, 200, 403, 403, 403, 403, 403, 403, 200]),
        get(format!("{ev}/door-passes")).fair([401, 200, 200, 403, 403, 403, 403, 403, 403, 200]),
        // A registration's QR code: the person and the event's organizer staff.
        get(&qr_siti).fair([401, 200, 200, 404, 404, 404, 200, 404, 404, 200]),
        get(&qr_budi).fair([401, 200, 200, 404, 404, 404, 404, 200, 404, 200]),
        get(format!("/api/v1/registrations/{missing}/qr.svg"))
            .fair([401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        get("/api/v1/me/registrations")
            .fair([401, 200, 200, 200, 200, 200, 200, 200, 200, 200])
            .shows("Siti's registration", &reg_siti, &[JobSeeker])
            .shows("Budi's registration", &reg_budi, &[SeekerB]),
        // Applications: read by the job seeker, the vacancy's employer, the event's
        // organization and staff; a vacancy's applicants by its employer, the event's
        // organization and staff.
        get(&app_siti).fair([401, 200, 200, 404, 200, 404, 200, 404, 200, 200]),
        get(&app_budi).fair([401, 200, 200, 404, 404, 200, 404, 200, 200, 200]),
        get(format!("/api/v1/applications/{missing}"))
            .fair([401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        get(&applicants_a)
            .fair([401, 200, 200, 403, 200, 403, 403, 403, 200, 200])
            .shows(
                "Siti's application",
                &application_siti,
                &[OwnerA, MemberA, Employer, Ministry, Admin],
            )
            .shows("Budi's application", &application_budi, &[]),
        get(&applicants_b)
            .fair([401, 200, 200, 403, 403, 200, 403, 403, 200, 200])
            .shows(
                "Budi's application",
                &application_budi,
                &[OwnerA, MemberA, EmployerB, Ministry, Admin],
            )
            .shows("Siti's application", &application_siti, &[]),
        get("/api/v1/me/applications")
            .fair([401, 200, 200, 200, 200, 200, 200, 200, 200, 200])
            .shows("Siti's application", &application_siti, &[JobSeeker])
            .shows("Budi's application", &application_budi, &[SeekerB]),
        post(&applicants_a, json!({}))
            .fair([401, 403, 403, 403, 422, 403, 409, SKIP, 403, 422])
            .conflict("already_applied"),
        post(&applicants_a, with_siti.clone())
            .fair([401, 403, 403, 403, 409, 403, 409, 403, 403, 409])
            .conflict("already_applied"),
        // The employer moves an application along; the job seeker withdraws it.
        patch(&app_siti, json!({"status": "shortlisted"}))
            .fair([401, 403, 403, 404, SKIP, 404, 403, 404, 403, SKIP]),
        patch(&app_siti, json!({"status": "shortlisted"})).only(Employer, 200),
        patch(&app_siti, json!({"status": "interviewed"})).only(Admin, 200),
        patch(&app_siti, json!({"status": "interviewed"}))
            .only(Employer, 409)
            .conflict("invalid_transition"),
        patch(&app_siti, json!({"status": "rejected"}))
            .fair([401, 403, 403, 404, SKIP, 404, 403, 404, 403, SKIP]),
        patch(&app_siti, json!({"status": "withdrawn"}))
            .fair([401, 403, 403, 404, 403, 404, SKIP, 404, 403, 403]),
        patch(&app_budi, json!({"status": "withdrawn"}))
            .fair([401, 403, 403, 404, 404, 403, 404, SKIP, 403, 403]),
        patch(&app_budi, json!({"status": "withdrawn"})).only(SeekerB, 200),
        patch(&app_budi, json!({"status": "withdrawn"}))
            .only(SeekerB, 409)
            .conflict("invalid_transition"),
        patch(
            format!("/api/v1/applications/{missing}"),
            json!({"status": "shortlisted"}),
        )
        .fair([401, 404, 404, 404, 404, 404, 404, 404, 404, 404]),
        // Employer B records Siti, checked in, as a candidate met at its booth: that gives it
        // her application, not her profile.
        post(&applicants_b, with_siti.clone())
            .fair([401, 403, 403, 403, 403, SKIP, SKIP, 403, 403, SKIP]),
        post(&applicants_b, with_siti.clone()).only(EmployerB, 201),
        post(&applicants_b, with_siti)
            .fair([SKIP, SKIP, SKIP, SKIP, SKIP, SKIP, 409, SKIP, SKIP, 409])
            .conflict("already_applied"),
        get(&siti_path).only(EmployerB, 404),
        // Closing the running fair: its organization's members and admins only.
        post(format!("{ev}/close"), json!({"spent_idr": 1000}))
            .fair([401, SKIP, SKIP, 403, 403, 403, 403, 403, 403, SKIP]),
    ];

    let counts = |app: &TestApp| FAIR_TABLES.map(|t| app.count(t));
    let initial = counts(&app);
    let matrix = Matrix {
        app: &app,
        admin: &admin,
        tokens,
        tables: &FAIR_TABLES,
        watched: vec![
            ev.clone(),
            sp.clone(),
            employers.clone(),
            vacancies.clone(),
            registrations.clone(),
            siti_path.clone(),
            budi_path.clone(),
            dewi_path.clone(),
            app_siti.clone(),
            app_budi.clone(),
        ],
        secrets: vec![SITI_NIK, BUDI_NIK, DEWI_NIK, AGUS_NIK, "nik_hash"],
    };
    let run = matrix.run(&lines).await;
    assert!(
        run.failures.is_empty(),
        "fair operations matrix rows that failed (actor, method, path, body):\n{}",
        run.failures
    );
    // 657: three more since staff may not register another organization's walk-in (issue 11);
    // 697 with the door scanner's routes (issue 13).
    assert_eq!(run.rows, 697, "rows in the matrix");

    // Only the allowed writes happened, each exactly once.
    assert_eq!(run.created(&employers), 1);
    assert_eq!(run.created(&vacancies), 2);
    assert_eq!(run.created(&registrations), 1);
    assert_eq!(run.created(&walk_ins), 1);
    assert_eq!(run.created(&applicants_b), 1);
    assert_eq!(run.created.len(), 6);
    let grown: Vec<(&str, i64)> = FAIR_TABLES
        .iter()
        .zip(counts(&app).iter().zip(initial))
        .map(|(t, (now, before))| (*t, now - before))
        .filter(|(_, n)| *n != 0)
        .collect();
    assert_eq!(
        grown,
        [
            ("participations", 1),
            ("vacancies", 2),
            ("job_seekers", 1),
            ("registrations", 2),
            ("applications", 1),
            ("application_transitions", 4),
        ]
    );
    let read = |path: String| {
        let app = &app;
        let admin = &admin;
        async move {
            let resp = app.get(&path, Some(admin)).await;
            resp.assert(200);
            resp.body
        }
    };
    let fair = read(ev.clone()).await;
    assert_eq!(fair["status"], "published");
    assert_eq!(fair["registrations_count"], 4);
    assert_eq!(fair["attendees_count"], 3);
    assert_eq!(read(sp.clone()).await["status"], "cancelled");
    let joined = read(format!("{employers}?status=approved")).await;
    assert_eq!(joined["items"].as_array().unwrap().len(), 3);
    assert_eq!(
        read(va.clone()).await["title"],
        "Forklift Operator, by admin"
    );
    assert_eq!(
        read(vb.clone()).await["title"],
        "Sewing Machine Operator, by admin"
    );
    assert_eq!(read(siti_path).await["city"], "Jakarta Timur, by admin");
    assert_eq!(read(budi_path).await["city"], "Jakarta Selatan, by admin");
    assert_eq!(read(dewi_path).await["city"], "Depok, by admin");
    let siti_application = read(app_siti).await;
    assert_eq!(siti_application["status"], "interviewed");
    let history: Vec<&str> = siti_application["history"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["status"].as_str().unwrap())
        .collect();
    assert_eq!(history, ["applied", "shortlisted", "interviewed"]);
    assert_eq!(read(app_budi).await["status"], "withdrawn");
}
