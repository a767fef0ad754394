//! The test harness: a real Bursa app on a real database, served over real HTTP.
//!
//! Every test gets a fresh database of its own, so tests run in parallel: a temporary SQLite
//! file, or on PostgreSQL a new database copied from a migrated template (made once per
//! migration set). [`db_tests!`] runs each test once per engine.
//!
//! PostgreSQL is found at `BURSA_TEST_POSTGRES_URL` (default
//! `postgres://postgres@127.0.0.1:5432/postgres`). When it cannot be reached the PostgreSQL
//! halves fail if `CI` or `BURSA_TEST_REQUIRE_POSTGRES` is set, and otherwise are passed over
//! with a notice, printed once, that this run covered SQLite only.

#![allow(dead_code)]

use std::collections::HashMap;
use std::io::Write;
use std::sync::OnceLock;

use actix_web::http::Method;
use bursa::auth::Role;
use bursa::db::{DatabaseUrl, DbConn};
use bursa::{AppState, Config};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use serde_json::{json, Value};

pub const PASSWORD: &str = "correct-horse-9";
pub const NIK_SECRET: &str = "test-nik-secret-of-at-least-thirty-two-bytes";
pub const JWT_SECRET: &str = "test-secret-of-at-least-thirty-two-bytes!";

/// Runs each named `async fn(TestApp)` on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! db_tests {
    ($($name:ident),* $(,)?) => {$(
        mod $name {
            #[actix_web::test]
            async fn sqlite() {
                super::$name($crate::common::TestApp::sqlite().await).await;
            }
            #[actix_web::test]
            async fn postgres() {
                if let Some(app) = $crate::common::TestApp::postgres().await {
                    super::$name(app).await;
                }
            }
        }
    )*};
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub struct TestApp {
    server: Option<actix_test::TestServer>,
    pub state: AppState,
    pub engine: Engine,
    pub database_url: String,
    postgres_db: Option<String>,
    _dir: Option<tempfile::TempDir>,
}

/// A response, read whole.
#[derive(Debug)]
pub struct Resp {
    pub status: u16,
    pub headers: HashMap<String, String>,
    pub body: Value,
}

impl Resp {
    /// The error code of an error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or("")
    }

    /// The fields named in an error body's details.
    pub fn fields(&self) -> Vec<String> {
        self.body["error"]["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .map(|x| x["field"].as_str().unwrap_or("").to_owned())
                    .collect()
            })
            .unwrap_or_default()
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).map(String::as_str)
    }

    #[track_caller]
    pub fn assert(&self, status: u16) -> &Self {
        assert_eq!(
            self.status, status,
            "unexpected status; body: {}",
            self.body
        );
        self
    }

    pub fn id(&self) -> String {
        self.body["id"]
            .as_str()
            .expect("an id in the body")
            .to_owned()
    }
}

/// The ids of a list page's `items`, in order.
pub fn ids(resp: &Resp) -> Vec<String> {
    resp.body["items"]
        .as_array()
        .unwrap_or_else(|| panic!("items in {}", resp.body))
        .iter()
        .map(|x| x["id"].as_str().unwrap().to_owned())
        .collect()
}

/// A 409 with the error code `code`.
#[track_caller]
pub fn assert_conflict(resp: &Resp, code: &str) {
    assert_eq!(resp.status, 409, "{}", resp.body);
    assert_eq!(resp.code(), code, "{}", resp.body);
}

/// A 422 that names exactly the field `field`.
#[track_caller]
pub fn assert_invalid(resp: &Resp, field: &str) {
    assert_eq!(resp.status, 422, "{}", resp.body);
    assert_eq!(resp.fields(), [field], "{}", resp.body);
}

/// No part of any NIK in the body: not the word, not the digits the test NIKs begin with.
#[track_caller]
pub fn assert_no_nik(resp: &Resp) {
    let text = resp.body.to_string();
    assert!(!text.contains("nik"), "{text}");
    assert!(!text.contains("317401"), "{text}");
}

pub fn postgres_admin_url() -> String {
    std::env::var("BURSA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

fn postgres_required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("BURSA_TEST_REQUIRE_POSTGRES").is_some()
}

fn with_database(admin_url: &str, name: &str) -> String {
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    format!("{base}/{name}")
}

/// The migrated template database for this migration set, created once (across processes, under
/// an advisory lock). `None` when PostgreSQL cannot be reached.
fn postgres_template() -> Option<&'static str> {
    static TEMPLATE: OnceLock<Option<String>> = OnceLock::new();
    TEMPLATE
        .get_or_init(|| {
            let admin_url = postgres_admin_url();
            let mut admin = match PgConnection::establish(&admin_url) {
                Ok(conn) => conn,
                Err(e) => {
                    if postgres_required() {
                        panic!("PostgreSQL is required (CI) but unreachable at {admin_url}: {e}");
                    }
                    let _ = writeln!(
                        std::io::stderr(),
                        "\nNOTE: PostgreSQL is not reachable at {admin_url} ({e}).\n\
                         NOTE: the PostgreSQL half of every test was skipped: this run covered SQLite only.\n"
                    );
                    return None;
                }
            };
            let name = format!("bursa_test_tpl_{}", migrations_fingerprint());
            admin.batch_execute("SELECT pg_advisory_lock(4242)").expect("lock");
            let exists: bool = diesel::select(diesel::dsl::sql::<diesel::sql_types::Bool>(&format!(
                "EXISTS (SELECT 1 FROM pg_database WHERE datname = '{name}')"
            )))
            .get_result(&mut admin)
            .expect("query pg_database");
            if !exists {
                let building = format!("{name}_building");
                admin
                    .batch_execute(&format!("DROP DATABASE IF EXISTS {building}"))
                    .expect("drop half-built template");
                admin
                    .batch_execute(&format!("CREATE DATABASE {building}"))
                    .expect("create template");
                {
                    let url = DatabaseUrl::parse(&with_database(&admin_url, &building)).expect("url");
                    let mut conn = url.connect().expect("connect to template");
                    bursa::db::run_migrations(&mut conn).expect("migrate template");
                }
                admin
                    .batch_execute(&format!("ALTER DATABASE {building} RENAME TO {name}"))
                    .expect("rename template");
            }
            admin.batch_execute("SELECT pg_advisory_unlock(4242)").expect("unlock");
            Some(name)
        })
        .as_deref()
}

/// A short hash of the PostgreSQL migrations, so that a changed migration makes a new template.
fn migrations_fingerprint() -> String {
    use sha2::{Digest, Sha256};
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/migrations/postgres");
    let mut files: Vec<_> = walk(std::path::Path::new(root));
    files.sort();
    let mut hasher = Sha256::new();
    for file in files {
        hasher.update(file.to_string_lossy().as_bytes());
        hasher.update(std::fs::read(&file).expect("read migration"));
    }
    hasher
        .finalize()
        .iter()
        .take(6)
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read migrations").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push(path);
        }
    }
    out
}

pub fn test_config(database_url: &str, extra: &[(&str, &str)]) -> Config {
    let mut vars: HashMap<String, String> = HashMap::from([
        ("DATABASE_URL".to_owned(), database_url.to_owned()),
        ("BURSA_JWT_SECRET".to_owned(), JWT_SECRET.to_owned()),
        ("BURSA_NIK_SECRET".to_owned(), NIK_SECRET.to_owned()),
        ("BURSA_DB_POOL_SIZE".to_owned(), "8".to_owned()),
        (
            "BURSA_AUTH_ATTEMPTS_PER_MINUTE".to_owned(),
            "100000".to_owned(),
        ),
        (
            "BURSA_PUBLIC_REQUESTS_PER_MINUTE".to_owned(),
            "100000".to_owned(),
        ),
    ]);
    for (k, v) in extra {
        vars.insert((*k).to_owned(), (*v).to_owned());
    }
    Config::from_lookup(|name| vars.get(name).cloned()).expect("test configuration")
}

impl TestApp {
    pub async fn sqlite() -> TestApp {
        Self::sqlite_with(&[]).await
    }

    /// A fresh SQLite app whose configuration adds (or overrides) `extra` variables.
    pub async fn sqlite_with(extra: &[(&str, &str)]) -> TestApp {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("bursa.db").display());
        let mut app = Self::start(test_config(&url, extra), Engine::Sqlite);
        app._dir = Some(dir);
        app
    }

    /// A fresh PostgreSQL database, or `None` when PostgreSQL is absent and not required.
    pub async fn postgres() -> Option<TestApp> {
        Self::postgres_with(&[]).await
    }

    /// [`Self::postgres`] whose configuration adds (or overrides) `extra` variables.
    pub async fn postgres_with(extra: &[(&str, &str)]) -> Option<TestApp> {
        let template = postgres_template()?;
        let admin_url = postgres_admin_url();
        let name = format!("bursa_test_{}", uuid::Uuid::new_v4().simple());
        let mut admin = PgConnection::establish(&admin_url).expect("connect to PostgreSQL");
        admin
            .batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {template}"))
            .expect("create test database");
        let url = with_database(&admin_url, &name);
        let mut app = Self::start(test_config(&url, extra), Engine::Postgres);
        app.postgres_db = Some(name);
        Some(app)
    }

    pub fn start(config: Config, engine: Engine) -> TestApp {
        let database_url = match &config.database_url {
            DatabaseUrl::Postgres(url) => url.clone(),
            DatabaseUrl::Sqlite(path) => format!("sqlite://{path}"),
        };
        let state = bursa::startup(config).expect("startup");
        Self::serve(state, engine, database_url)
    }

    /// Serves an already built state (for states startup() would refuse, such as a lost database).
    pub fn serve(state: AppState, engine: Engine, database_url: String) -> TestApp {
        let app_state = state.clone();
        let server = actix_test::start(move || bursa::build_app(app_state.clone()));
        TestApp {
            server: Some(server),
            state,
            engine,
            database_url,
            postgres_db: None,
            _dir: None,
        }
    }

    /// Stops serving (the database stays): a browser test's way to take the network away.
    pub async fn stop_server(&mut self) {
        if let Some(server) = self.server.take() {
            server.stop().await;
        }
    }

    fn server(&self) -> &actix_test::TestServer {
        self.server.as_ref().expect("server running")
    }

    pub fn url(&self, path: &str) -> String {
        self.server().url(path)
    }

    /// A connection to this test's database, to check what was (or was not) written.
    pub fn conn(&self) -> bursa::db::PooledConn {
        self.state.pool.get().expect("database connection")
    }

    /// The figures the API keeps on each event for the rollups agree with a count of the rows
    /// (`bursa metrics verify`): call it after a test has written through the API.
    #[track_caller]
    pub fn assert_kept_figures(&self) {
        let problems = bursa::db::read_snapshot(&mut self.conn(), bursa::metrics::tally::verify)
            .expect("the kept figures can be checked");
        assert!(problems.is_empty(), "kept figures differ: {problems:#?}");
    }

    /// The event's attendees as every reader counts them: those folded into its row and the
    /// check-ins not yet folded (`bursa::metrics::attendance`).
    pub fn attendees(&self, event: &str) -> i64 {
        bursa::events::find(&mut self.conn(), event)
            .expect("reading the event")
            .expect("the event exists")
            .attendees_count
            .count()
    }

    /// Seals the pending audit records onto the chain, as the running service's upkeep worker
    /// does within a second (`bursa::upkeep`): call it before reading `audit_log` directly.
    pub fn seal_audit(&self) {
        bursa::audit::seal(&mut self.conn()).expect("sealing the audit log");
    }

    pub fn count(&self, table: &str) -> i64 {
        let mut conn = self.conn();
        count_rows(&mut conn, table)
    }

    /// See [`number`].
    pub fn number(&self, sql: &str) -> i64 {
        let mut conn = self.conn();
        number(&mut conn, sql)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Resp {
        let mut req = self.server().request(method, self.url(path));
        if let Some(token) = token {
            req = req.insert_header(("Authorization", format!("Bearer {token}")));
        }
        let response = match body {
            Some(body) => req.send_json(body).await,
            None => req.send().await,
        };
        read(response.expect("request sent")).await
    }

    /// A request with exactly these headers and body bytes.
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        headers: &[(&str, &str)],
        body: Vec<u8>,
    ) -> Resp {
        let mut req = self.server().request(method, self.url(path));
        for (name, value) in headers {
            req = req.insert_header((*name, *value));
        }
        read(req.send_body(body).await.expect("request sent")).await
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.request(Method::POST, path, token, Some(&body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: Value) -> Resp {
        self.request(Method::PATCH, path, token, Some(&body)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> Resp {
        self.request(Method::DELETE, path, token, None).await
    }

    /// Registers a user of `role` (admins and ministry staff are made by an admin) and signs
    /// them in. Returns (user id, access token).
    pub async fn user(&self, email: &str, role: Role) -> (String, String) {
        let id = match role {
            Role::Admin | Role::Ministry => {
                let admin = self.admin_token().await;
                self.post(
                    "/api/v1/users",
                    Some(&admin),
                    json!({"email": email, "password": PASSWORD, "full_name": "Test User", "role": role.as_str()}),
                )
                .await
                .assert(201)
                .id()
            }
            _ => self
                .post(
                    "/api/v1/auth/register",
                    None,
                    json!({"email": email, "password": PASSWORD, "full_name": "Test User", "role": role.as_str()}),
                )
                .await
                .assert(201)
                .id(),
        };
        (
            id,
            self.login(email).await["access_token"]
                .as_str()
                .expect("token")
                .to_owned(),
        )
    }

    pub async fn login(&self, email: &str) -> Value {
        let resp = self
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": PASSWORD}),
            )
            .await;
        resp.assert(200);
        resp.body
    }

    /// The token of the bootstrap administrator, made directly in the database as
    /// `bursa create-admin` does.
    pub async fn admin_token(&self) -> String {
        let email = "root@bursa.test";
        let exists = {
            let mut conn = self.conn();
            bursa::users::find_by_email(&mut conn, email)
                .expect("query")
                .is_some()
        };
        if !exists {
            let new = bursa::users::NewUserRequest {
                email: Some(email.into()),
                phone: None,
                whatsapp_consent: None,
                password: Some(PASSWORD.into()),
                full_name: Some("Root".into()),
                role: Some(Role::Admin),
                language: None,
            }
            .validate(&[Role::Admin])
            .expect("valid admin");
            let hash = bursa::auth::password::hash(PASSWORD).expect("hash");
            let mut conn = self.conn();
            bursa::users::create(&mut conn, new, hash).expect("create admin");
        }
        self.login(email).await["access_token"]
            .as_str()
            .expect("token")
            .to_owned()
    }

    /// An organization of `kind` owned by the holder of `token`.
    /// An organizer organization comes verified by the admin, so that its fairs can publish
    /// (see [`Self::unverified_organization`]).
    pub async fn organization(&self, token: &str, kind: &str) -> String {
        let id = self.unverified_organization(token, kind).await;
        if kind == "organizer" {
            self.verify_organization(&id).await;
        }
        id
    }

    /// An organization of `kind` owned by the holder of `token`, as created: an organizer is
    /// not yet verified.
    pub async fn unverified_organization(&self, token: &str, kind: &str) -> String {
        self.post(
            "/api/v1/organizations",
            Some(token),
            json!({"name": format!("{kind} org"), "kind": kind, "province_code": "31", "city": "Jakarta Pusat"}),
        )
        .await
        .assert(201)
        .id()
    }

    /// The admin verifies the organizer organization.
    pub async fn verify_organization(&self, id: &str) {
        let admin = self.admin_token().await;
        self.post(
            &format!("/api/v1/organizations/{id}/verify"),
            Some(&admin),
            json!({"note": "Checked the decree of establishment"}),
        )
        .await
        .assert(200);
    }

    /// A draft event of `organization_id`, made with `token`.
    pub async fn event(&self, token: &str, organization_id: &str) -> Value {
        self.post("/api/v1/events", Some(token), event_body(organization_id))
            .await
            .assert(201)
            .body
            .clone()
    }
}

/// A valid new-event body.
pub fn event_body(organization_id: &str) -> Value {
    json!({
        "organization_id": organization_id,
        "title": "Jakarta Job Fair 2026",
        "description": "Two hundred employers, five thousand vacancies.",
        "format": "onsite",
        "venue": "Jakarta Convention Center",
        "province_code": "31",
        "city": "Jakarta Pusat",
        "starts_at": "2026-12-01T08:00:00+07:00",
        "ends_at": "2026-12-02T17:00:00+07:00",
        "capacity": 5000,
        "budget_idr": 150000000,
        "funding_source": "apbd",
        "target_placements": 1000
    })
}

/// The integer that a query selecting one `BIGINT` column `n` returns: database state checked
/// directly.
pub fn number(conn: &mut DbConn, sql: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Number {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(sql)
        .get_result::<Number>(conn)
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .n
}

pub fn count_rows(conn: &mut DbConn, table: &str) -> i64 {
    #[derive(QueryableByName)]
    struct Count {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .expect("count")
        .n
}

async fn read<S>(mut response: awc::ClientResponse<S>) -> Resp
where
    S: futures_core::Stream<Item = Result<actix_web::web::Bytes, awc::error::PayloadError>> + Unpin,
{
    let status = response.status().as_u16();
    let headers = response
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_owned(), v.to_str().unwrap_or("").to_owned()))
        .collect();
    let bytes = response
        .body()
        .limit(16 * 1024 * 1024)
        .await
        .expect("response body");
    let body = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into_owned()))
    };
    Resp {
        status,
        headers,
        body,
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        // Stop serving and close the pool before dropping the database.
        drop(self.server.take());
        if let Some(name) = self.postgres_db.take() {
            let pool = std::mem::replace(
                &mut self.state.pool,
                bursa::db::build_pool(
                    &DatabaseUrl::Sqlite(":memory:".into()),
                    1,
                    std::time::Duration::from_secs(1),
                ),
            );
            drop(pool);
            if let Ok(mut admin) = PgConnection::establish(&postgres_admin_url()) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}
