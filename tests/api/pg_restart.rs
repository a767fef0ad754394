//! Surviving the database (issue 15 §5): PostgreSQL restarts while registrations and check-ins
//! are in flight. Every request answered 2xx is in the database afterwards, the outage is 503
//! with `Retry-After` (never 500), `/readyz` shows it, Bursa recovers without a restart, and
//! `bursa audit verify` and `bursa metrics verify` pass after.
//!
//! The restart must not touch the PostgreSQL the rest of the suite shares, so the test starts a
//! private cluster (`initdb` into a temporary folder, on a free port), as the `postgres` user
//! when run as root. Without the PostgreSQL binaries it is skipped with a notice, unless
//! `CI` or `BURSA_TEST_REQUIRE_POSTGRES` is set.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use actix_web::http::Method;
use serde_json::json;

use crate::common::{test_config, Engine, TestApp};
use crate::fixtures::{Fair, Seeker};

/// A PostgreSQL cluster of this test's own, stopped (immediately) when dropped.
struct Cluster {
    bin: PathBuf,
    data: PathBuf,
    port: u16,
    as_postgres: bool,
    _dir: tempfile::TempDir,
}

fn required() -> bool {
    std::env::var_os("CI").is_some() || std::env::var_os("BURSA_TEST_REQUIRE_POSTGRES").is_some()
}

fn postgres_bin() -> Option<PathBuf> {
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .flatten()
        .map(|e| e.path().join("bin"))
        .filter(|bin| bin.join("initdb").exists() && bin.join("pg_ctl").exists())
        .collect();
    versions.sort();
    versions.pop()
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|o| String::from_utf8_lossy(&o.stdout).trim() == "0")
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl Cluster {
    fn start() -> Option<Cluster> {
        let Some(bin) = postgres_bin() else {
            assert!(
                !required(),
                "PostgreSQL binaries are required (CI) but absent"
            );
            eprintln!(
                "NOTE: no /usr/lib/postgresql/*/bin: the PostgreSQL restart test was skipped"
            );
            return None;
        };
        let dir = tempfile::tempdir().unwrap();
        let as_postgres = is_root();
        if as_postgres {
            // initdb refuses root: the cluster belongs to the postgres user.
            let status = Command::new("chown")
                .args(["-R", "postgres:postgres"])
                .arg(dir.path())
                .status()
                .unwrap();
            assert!(status.success(), "chown the cluster folder");
        }
        let cluster = Cluster {
            bin,
            data: dir.path().join("data"),
            port: free_port(),
            as_postgres,
            _dir: dir,
        };
        let data = cluster.data.display().to_string();
        cluster.run(
            "initdb",
            &[
                "-D",
                &data,
                "-A",
                "trust",
                "-U",
                "postgres",
                "-E",
                "UTF8",
                "--no-sync",
            ],
        );
        cluster.pg_ctl(&["start"]);
        Some(cluster)
    }

    fn run(&self, tool: &str, args: &[&str]) {
        let program = self.bin.join(tool);
        let output = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .current_dir("/")
                .output()
        } else {
            Command::new(&program).args(args).output()
        }
        .unwrap_or_else(|e| panic!("{tool}: {e}"));
        assert!(
            output.status.success(),
            "{tool} {args:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `pg_ctl <action>` on this cluster's port and socket folder, waiting for it to finish.
    fn pg_ctl(&self, action: &[&str]) {
        let data = self.data.display().to_string();
        let socket = self.socket_dir();
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            socket.display()
        );
        let log = self.data.parent().unwrap().join("postgres.log");
        let log = log.display().to_string();
        let mut args = vec!["-D", &data, "-o", &options, "-l", &log, "-w", "-t", "60"];
        args.extend_from_slice(action);
        self.run("pg_ctl", &args);
    }

    fn socket_dir(&self) -> &Path {
        self.data.parent().unwrap()
    }

    fn url(&self, database: &str) -> String {
        format!("postgres://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for Cluster {
    fn drop(&mut self) {
        let data = self.data.display().to_string();
        let program = self.bin.join("pg_ctl");
        let args = ["-D", data.as_str(), "-m", "immediate", "stop"];
        let _ = if self.as_postgres {
            Command::new("runuser")
                .args(["-u", "postgres", "--"])
                .arg(&program)
                .args(args)
                .output()
        } else {
            Command::new(&program).args(args).output()
        };
    }
}

/// What the load saw.
#[derive(Default)]
struct Seen {
    /// (status, has Retry-After) of every answer.
    answers: Vec<(u16, bool)>,
    /// Check-in codes of registrations answered 201 (or 200, an earlier one found).
    registered: Vec<String>,
    /// Codes whose check-in was answered 200.
    checked_in: Vec<String>,
}

/// One job seeker registers and is checked in, retrying each step on 503 as a client would,
/// until it is done or `until` passes.
async fn one_visit(
    app: &TestApp,
    event: &str,
    seeker: &str,
    organizer: &str,
    until: Instant,
) -> Seen {
    let mut seen = Seen::default();
    let mut code = None;
    while Instant::now() < until {
        let resp = match &code {
            None => {
                app.request(
                    Method::POST,
                    &format!("/api/v1/events/{event}/registrations"),
                    Some(seeker),
                    Some(&json!({})),
                )
                .await
            }
            Some(code) => {
                app.request(
                    Method::POST,
                    &format!("/api/v1/events/{event}/check-ins"),
                    Some(organizer),
                    Some(&json!({"check_in_code": code})),
                )
                .await
            }
        };
        seen.answers
            .push((resp.status, resp.header("retry-after").is_some()));
        match (resp.status, &code) {
            (200 | 201, None) => {
                let got = resp.body["check_in_code"].as_str().unwrap().to_owned();
                seen.registered.push(got.clone());
                code = Some(got);
            }
            (200, Some(done)) => {
                seen.checked_in.push(done.clone());
                break;
            }
            _ => actix_web::rt::time::sleep(Duration::from_millis(200)).await,
        }
    }
    seen
}

#[actix_web::test]
async fn postgres_restarts_under_load() {
    let Some(cluster) = actix_web::rt::task::spawn_blocking(Cluster::start)
        .await
        .unwrap()
    else {
        return;
    };
    let cluster = std::sync::Arc::new(cluster);
    {
        use diesel::connection::SimpleConnection;
        use diesel::Connection;
        let mut admin = diesel::PgConnection::establish(&cluster.url("postgres")).unwrap();
        admin.batch_execute("CREATE DATABASE bursa").unwrap();
    }
    let url = cluster.url("bursa");
    let app = TestApp::start(
        test_config(&url, &[("BURSA_DB_TIMEOUT_SECS", "2")]),
        Engine::Postgres,
    );
    let fair = Fair::by(&app, "org@bursa.test").running().published().await;
    let mut seekers = Vec::new();
    for n in 0..24 {
        let seeker = Seeker::new(
            &app,
            &format!("seeker{n}@bursa.test"),
            "Siti Aminah",
            &format!("{:04}", n + 1),
        )
        .await;
        seekers.push(seeker.token);
    }
    app.get("/readyz", None).await.assert(200);

    // The load: one visit after another, 150 ms apart, over about four seconds.
    let until = Instant::now() + Duration::from_secs(60);
    let load = futures_util::future::join_all(seekers.iter().enumerate().map(|(n, token)| {
        let (app, event, organizer) = (&app, &fair.event, &fair.organizer);
        async move {
            actix_web::rt::time::sleep(Duration::from_millis(150 * n as u64)).await;
            one_visit(app, event, token, organizer, until).await
        }
    }));
    // Meanwhile PostgreSQL stops, /readyz says so, and it starts again.
    let restart = async {
        actix_web::rt::time::sleep(Duration::from_millis(1200)).await;
        let stopper = cluster.clone();
        actix_web::rt::task::spawn_blocking(move || stopper.pg_ctl(&["-m", "fast", "stop"]))
            .await
            .unwrap();
        let ready = app.get("/readyz", None).await;
        let outage = (
            ready.status,
            ready.code().to_owned(),
            ready.header("retry-after").is_some(),
        );
        actix_web::rt::time::sleep(Duration::from_millis(1500)).await;
        let starter = cluster.clone();
        actix_web::rt::task::spawn_blocking(move || starter.pg_ctl(&["start"]))
            .await
            .unwrap();
        outage
    };
    let (visits, outage) = futures_util::future::join(load, restart).await;
    assert_eq!(outage.0, 503, "readyz during the outage: {outage:?}");
    assert!(outage.2, "readyz's 503 has Retry-After");

    let answers: Vec<(u16, bool)> = visits.iter().flat_map(|v| v.answers.clone()).collect();
    for (status, retry_after) in &answers {
        assert!(
            matches!(status, 200 | 201 | 503),
            "only success or 503 while the database restarts: {answers:?}"
        );
        assert!(*status != 503 || *retry_after, "a 503 without Retry-After");
    }
    assert!(
        answers.iter().any(|(s, _)| *s == 503),
        "the load met the outage: {answers:?}"
    );
    // Recovered without a restart of Bursa: every visit finished.
    let registered: Vec<&String> = visits.iter().flat_map(|v| &v.registered).collect();
    let checked_in: Vec<&String> = visits.iter().flat_map(|v| &v.checked_in).collect();
    assert_eq!(
        checked_in.len(),
        seekers.len(),
        "every visit completed: {answers:?}"
    );
    app.get("/readyz", None).await.assert(200);

    // Every 2xx is in the database.
    for code in &registered {
        let n = app.number(&format!(
            "SELECT COUNT(*) AS n FROM registrations WHERE check_in_code = '{code}'"
        ));
        assert_eq!(n, 1, "registration {code} answered 2xx is stored");
    }
    for code in &checked_in {
        let n = app.number(&format!(
            "SELECT COUNT(*) AS n FROM registrations \
             WHERE check_in_code = '{code}' AND checked_in_at IS NOT NULL"
        ));
        assert_eq!(n, 1, "check-in {code} answered 200 is stored");
    }
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM registrations"),
        seekers.len() as i64
    );

    // The audit chain and the kept figures hold, as the binary checks them.
    for check in [["audit", "verify"], ["metrics", "verify"]] {
        let output = Command::new(env!("CARGO_BIN_EXE_bursa"))
            .args(check)
            .env("DATABASE_URL", &url)
            .env_remove("BURSA_JWT_SECRET")
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "bursa {check:?}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }
    drop(app);
    drop(cluster);
}
