//! The `bursa` binary: configuration errors, `migrate`, `create-admin`, `serve` with graceful
//! shutdown, and the SQLite default's generated secret.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use bursa::auth::Role;
use serde_json::json;

use crate::common::{test_config, Engine, TestApp};

fn bursa() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_bursa"));
    for var in [
        "DATABASE_URL",
        "BURSA_ADDR",
        "BURSA_JWT_SECRET",
        "BURSA_LOG_FORMAT",
        "RUST_LOG",
    ] {
        command.env_remove(var);
    }
    command
}

fn sqlite_url(dir: &tempfile::TempDir) -> String {
    format!("sqlite://{}", dir.path().join("bursa.db").display())
}

#[test]
fn bad_configuration_exits_with_one_clear_line() {
    let dir = tempfile::tempdir().unwrap();
    for (var, value) in [
        ("BURSA_ADDR", "nowhere"),
        ("BURSA_LOG_FORMAT", "xml"),
        ("BURSA_JWT_SECRET", "too-short"),
        ("DATABASE_URL", "mysql://localhost/bursa"),
    ] {
        let mut command = bursa();
        command
            .env("DATABASE_URL", sqlite_url(&dir))
            .env(var, value);
        let output = command.arg("migrate").output().unwrap();
        assert!(!output.status.success(), "{var}={value} was accepted");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(stderr.trim().lines().count(), 1, "{var}: {stderr}");
        assert!(stderr.contains(var), "{var}: {stderr}");
        assert!(!stderr.contains("panicked"), "{stderr}");
    }
    assert!(
        !dir.path().join("bursa.db").exists(),
        "nothing is created on bad configuration"
    );
}

#[test]
fn migrate_applies_once_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let run = || {
        bursa()
            .env("DATABASE_URL", sqlite_url(&dir))
            .arg("migrate")
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(String::from_utf8_lossy(&first.stdout).contains("applied"));
    let second = run();
    assert!(second.status.success());
    assert!(String::from_utf8_lossy(&second.stdout).contains("up to date"));
}

#[actix_web::test]
async fn create_admin_reads_the_password_from_stdin() {
    let dir = tempfile::tempdir().unwrap();
    let create = |password: &str| {
        let mut child = bursa()
            .env("DATABASE_URL", sqlite_url(&dir))
            .args(["create-admin", "--email", "Chief@Kemnaker.go.id"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(format!("{password}\n").as_bytes())
            .unwrap();
        child.wait_with_output().unwrap()
    };
    let short = create("short");
    assert!(!short.status.success());
    assert!(String::from_utf8_lossy(&short.stderr).contains("password"));

    let created = create("a-long-admin-password");
    assert!(
        created.status.success(),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let again = create("a-long-admin-password");
    assert!(
        !again.status.success(),
        "a second admin with the same email is refused"
    );

    let app = TestApp::start(test_config(&sqlite_url(&dir), &[]), Engine::Sqlite);
    let login = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "chief@kemnaker.go.id", "password": "a-long-admin-password"}),
        )
        .await;
    login.assert(200);
    let me = app
        .get("/api/v1/me", login.body["access_token"].as_str())
        .await;
    assert_eq!(me.body["role"], "admin");
    assert_eq!(app.count("users"), 1);
}

#[actix_web::test]
async fn postgres_requires_a_configured_secret() {
    let Some(app) = TestApp::postgres().await else {
        return;
    };
    let output = bursa()
        .env("DATABASE_URL", &app.database_url)
        .args(["create-admin", "--email", "a@b.id"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("BURSA_JWT_SECRET is required on PostgreSQL"),
        "{stderr}"
    );
    let output = bursa()
        .env("DATABASE_URL", &app.database_url)
        .env("BURSA_JWT_SECRET", crate::common::JWT_SECRET)
        .args(["create-admin", "--email", "a@b.id"])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("BURSA_NIK_SECRET is required on PostgreSQL"),
        "{stderr}"
    );
    assert_eq!(app.count("users"), 0);
    let migrated = bursa()
        .env("DATABASE_URL", &app.database_url)
        .arg("migrate")
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&migrated.stdout).contains("up to date"));
}

#[test]
fn sqlite_generates_a_secret_once_and_keeps_it() {
    let dir = tempfile::tempdir().unwrap();
    let other = tempfile::tempdir().unwrap();
    let start = |dir: &tempfile::TempDir| {
        let mut config = test_config(&sqlite_url(dir), &[]);
        config.jwt_secret = None;
        config.nik_secret = None;
        bursa::startup(config).unwrap()
    };
    let token = start(&dir)
        .tokens
        .issue_access("someone", Role::JobSeeker, 0)
        .unwrap();
    assert!(
        start(&dir).tokens.verify_access(&token).is_ok(),
        "tokens survive a restart"
    );
    assert!(
        start(&other).tokens.verify_access(&token).is_err(),
        "each database has its own secret"
    );
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut response = String::new();
    stream.read_to_string(&mut response).ok()?;
    Some(response)
}

fn http_post(port: u16, path: &str, body: &str, token: Option<&str>) -> String {
    let mut stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stream
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let auth = token
        .map(|t| format!("Authorization: Bearer {t}\r\n"))
        .unwrap_or_default();
    write!(
        stream,
        "POST {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n{auth}Content-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    response
}

#[test]
fn serve_answers_then_stops_gracefully_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let mut child = bursa()
        .env("DATABASE_URL", sqlite_url(&dir))
        .env("BURSA_ADDR", format!("127.0.0.1:{port}"))
        .env("BURSA_LOG_FORMAT", "json")
        .env("RUST_LOG", "debug")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    let ready = loop {
        if let Some(response) = http_get(port, "/readyz") {
            break response;
        }
        assert!(Instant::now() < deadline, "the server never answered");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(ready.starts_with("HTTP/1.1 200"), "{ready}");
    // Secrets in bodies and headers never reach the logs, even at debug level.
    let password = "log-canary-password-42";
    let register = format!(
        r#"{{"email":"canary@x.id","password":"{password}","full_name":"Canary","role":"job_seeker"}}"#
    );
    assert!(http_post(port, "/api/v1/auth/register", &register, None).starts_with("HTTP/1.1 201"));
    let login = http_post(
        port,
        "/api/v1/auth/login",
        &format!(r#"{{"email":"canary@x.id","password":"{password}"}}"#),
        None,
    );
    assert!(login.starts_with("HTTP/1.1 200"), "{login}");
    let body: serde_json::Value =
        serde_json::from_str(login.split("\r\n\r\n").nth(1).unwrap()).unwrap();
    let access = body["access_token"].as_str().unwrap().to_owned();
    let refresh = body["refresh_token"].as_str().unwrap().to_owned();
    assert!(http_post(
        port,
        "/api/v1/auth/refresh",
        &format!(r#"{{"refresh_token":"{refresh}"}}"#),
        Some(&access)
    )
    .starts_with("HTTP/1.1 200"));
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(30);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(
            Instant::now() < deadline,
            "the server did not stop on SIGTERM"
        );
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(exit.success(), "{exit:?}");
    let mut logs = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut logs)
        .unwrap();
    for secret in [password, &access, &refresh] {
        assert!(!logs.contains(secret), "a secret reached the logs");
    }
    assert!(
        logs.contains("/api/v1/auth/login"),
        "requests are logged by route"
    );
    let listening = logs
        .lines()
        .find(|l| l.contains("Bursa is listening"))
        .expect("a start-up line");
    let line: serde_json::Value = serde_json::from_str(listening).expect("JSON logs");
    assert_eq!(line["addr"], format!("127.0.0.1:{port}"));
    assert!(line["database"].as_str().unwrap().starts_with("sqlite://"));
}
