//! Who may do what: one role × route matrix over organizations, events and users.
//!
//! The fixture is built once: organizer A owns organization A (with a plain member, and a draft
//! event), organizer B owns organization B, an employer owns an employer organization, and a job
//! seeker, a ministry official, an admin and an anonymous visitor look on. Each line of the
//! table is one request, tried by every actor (in a fixed order) with the status each must get.
//! Every refusal must carry an error body, and must change nothing.

use std::fmt::Write as _;

use actix_web::http::Method;
use bursa::auth::Role;
use serde_json::{json, Value};

use crate::common::{event_body, Resp, TestApp, PASSWORD};
use crate::db_tests;

db_tests!(role_route_matrix);

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Actor {
    Anonymous,
    OwnerA,
    MemberA,
    OrganizerB,
    Employer,
    JobSeeker,
    Ministry,
    Admin,
}

use Actor::*;

/// The column order of [`Line::all`].
const ACTORS: [Actor; 8] = [
    Anonymous, OwnerA, MemberA, OrganizerB, Employer, JobSeeker, Ministry, Admin,
];

impl Actor {
    fn name(self) -> &'static str {
        match self {
            Anonymous => "anonymous",
            OwnerA => "owner_a",
            MemberA => "member_a",
            OrganizerB => "organizer_b",
            Employer => "employer",
            JobSeeker => "job_seeker",
            Ministry => "ministry",
            Admin => "admin",
        }
    }
}

/// Skip this actor on this line.
const SKIP: u16 = 0;

/// One request, and the status each actor must get for it. `%actor%` in a string of the body
/// becomes the actor's name, so that every write is traceable to who made it.
struct Line {
    method: Method,
    path: String,
    body: Option<Value>,
    expect: Vec<(Actor, u16)>,
    /// The error code of a 409 (other statuses have fixed codes).
    conflict_code: &'static str,
}

impl Line {
    fn new(method: Method, path: impl Into<String>, body: Option<Value>) -> Self {
        Self {
            method,
            path: path.into(),
            body,
            expect: Vec::new(),
            conflict_code: "",
        }
    }

    /// Statuses in the order of [`ACTORS`]: anonymous, owner A, member A, organizer B,
    /// employer, job seeker, ministry, admin.
    fn all(mut self, statuses: [u16; 8]) -> Self {
        self.expect = ACTORS
            .iter()
            .copied()
            .zip(statuses)
            .filter(|(_, s)| *s != SKIP)
            .collect();
        self
    }

    fn only(mut self, actor: Actor, status: u16) -> Self {
        self.expect = vec![(actor, status)];
        self
    }

    fn conflict(mut self, code: &'static str) -> Self {
        self.conflict_code = code;
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

const TABLES: [&str; 4] = ["organizations", "memberships", "events", "users"];

async fn snapshot(app: &TestApp, admin: &str, watched: &[String]) -> Snapshot {
    let mut resources = Vec::new();
    for path in watched {
        let resp = app.get(path, Some(admin)).await;
        resp.assert(200);
        resources.push((path.clone(), resp.body));
    }
    Snapshot {
        counts: TABLES.iter().map(|t| (*t, app.count(t))).collect(),
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
    } else if status == 201 && resp.body.get("id").or(resp.body.get("user_id")).is_none() {
        return Some("a 201 that does not return what it created".to_owned());
    }
    None
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

    let token = |actor: Actor| -> Option<&str> {
        match actor {
            Anonymous => None,
            OwnerA => Some(&owner_a),
            MemberA => Some(&member_a),
            OrganizerB => Some(&organizer_b),
            Employer => Some(&employer),
            JobSeeker => Some(&seeker),
            Ministry => Some(&ministry),
            Admin => Some(&admin),
        }
    };

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
        // organization and admins only. Another organizer is refused (403), whether or not
        // they may see the draft.
        get("/api/v1/events").all([200, 200, 200, 200, 200, 200, 200, 200]),
        get(&event_path).all([404, 200, 200, 404, 404, 404, 200, 200]),
        patch(&event_path, json!({"title": "Draft by %actor%"}))
            .all([401, 200, 200, 403, 403, 403, 403, 200]),
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

    // Resources a refused request must not touch (read by an admin before and after each row).
    let watched = vec![
        org_a_path.clone(),
        format!("{orgs}/{org_b}"),
        format!("{orgs}/{org_e}"),
        members_a.clone(),
        event_path.clone(),
        seeker_path.clone(),
    ];

    let initial_orgs = app.count("organizations");
    let initial_events = app.count("events");
    let mut created_orgs = 0;
    let mut created_events = 0;
    let mut rows = 0;
    let mut failures = String::new();
    for line in &lines {
        assert!(
            !line.expect.is_empty(),
            "{} {} tests nobody",
            line.method,
            line.path
        );
        for &(actor, status) in &line.expect {
            rows += 1;
            let body = line.body.as_ref().map(|b| for_actor(b, actor));
            let before = snapshot(&app, &admin, &watched).await;
            let resp = app
                .request(line.method.clone(), &line.path, token(actor), body.as_ref())
                .await;
            let row = format!(
                "{:<12} {} {} {}",
                actor.name(),
                line.method,
                line.path,
                body.as_ref().map(Value::to_string).unwrap_or_default()
            );
            if let Some(problem) = check(&resp, status, line.conflict_code) {
                let _ = writeln!(failures, "  {row}\n    -> {problem}; body: {}", resp.body);
            }
            if !(200..300).contains(&status) {
                let after = snapshot(&app, &admin, &watched).await;
                for change in changes(&before, &after) {
                    let _ = writeln!(
                        failures,
                        "  {row}\n    -> a refused request changed data: {change}"
                    );
                }
            } else if resp.status == 201 && line.method == Method::POST {
                match line.path.as_str() {
                    "/api/v1/organizations" => created_orgs += 1,
                    "/api/v1/events" => created_events += 1,
                    _ => {}
                }
            }
        }
    }
    assert!(
        failures.is_empty(),
        "access matrix rows that failed (actor, method, path, body):\n{failures}"
    );
    assert_eq!(rows, 205, "rows in the matrix");

    // Only the allowed writes happened, each exactly once.
    assert_eq!(created_orgs, 6);
    assert_eq!(created_events, 5);
    assert_eq!(app.count("organizations"), initial_orgs + created_orgs);
    assert_eq!(app.count("events"), initial_events + created_events);
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
