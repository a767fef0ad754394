//! `bursa seed`: a small synthetic dataset obeys the API's rules, is deterministic, is refused on
//! a database with events, and can be used through the API.

use std::process::Command;

use bursa::seed::{SeedError, SeedOptions, SeedSummary, SEED_PASSWORD};
use serde_json::json;

use crate::common::{Engine, TestApp};
use crate::db_tests;

db_tests!(
    seeded_data_obeys_the_rules,
    same_seed_gives_same_data,
    seeding_over_events_needs_force,
    seeded_users_sign_in_and_see_events,
);

fn small() -> SeedOptions {
    SeedOptions {
        events: 12,
        job_seekers: 600,
        registrations_per_event: 150,
        years: 2,
        organizers: 3,
        employers: 15,
        seed: 42,
        force: false,
        progress: false,
    }
}

fn hash() -> String {
    bursa::auth::password::hash(SEED_PASSWORD).unwrap()
}

fn seed(app: &TestApp, options: &SeedOptions) -> Result<SeedSummary, SeedError> {
    let mut conn = app.conn();
    bursa::seed::run(&mut conn, &app.state.nik_key, &hash(), options)
}

/// Counts the rows `sql` (a `FROM ...` clause) selects.
fn count(app: &TestApp, from: &str) -> i64 {
    app.number(&format!("SELECT COUNT(*) AS n FROM {from}"))
}

async fn seeded_data_obeys_the_rules(app: TestApp) {
    let s = seed(&app, &small()).unwrap();
    assert!(s.registrations > 500, "{s:?}");
    assert!(s.placements > 10, "{s:?}");
    for (table, expected) in [
        ("events", s.events),
        ("job_seekers", s.job_seekers),
        ("vacancies", s.vacancies),
        ("registrations", s.registrations),
        ("applications", s.applications),
        ("application_transitions", s.transitions),
        ("placements", s.placements),
        ("follow_ups", s.follow_ups),
    ] {
        assert_eq!(app.count(table), expected as i64, "{table}");
    }
    assert_eq!(
        count(&app, "registrations WHERE checked_in_at IS NOT NULL"),
        s.check_ins as i64
    );
    // Counters equal the real counts; capacity holds.
    assert_eq!(
        count(
            &app,
            "events e WHERE registrations_count <> \
             (SELECT COUNT(*) FROM registrations r WHERE r.event_id = e.id) \
             OR attendees_count <> (SELECT COUNT(*) FROM registrations r \
             WHERE r.event_id = e.id AND r.checked_in_at IS NOT NULL) \
             OR registrations_count > capacity"
        ),
        0
    );
    // Events in all four statuses; closed ones have their spending.
    assert_eq!(
        app.number("SELECT COUNT(DISTINCT status) AS n FROM events"),
        4
    );
    assert_eq!(
        count(&app, "events WHERE status = 'closed' AND spent_idr IS NULL"),
        0
    );
    assert_eq!(
        count(
            &app,
            "events WHERE status = 'draft' AND registrations_count > 0"
        ),
        0
    );
    // Employers at events are approved; vacancies belong to them.
    assert_eq!(count(&app, "participations WHERE status <> 'approved'"), 0);
    // Every application's history ends in its status, and starts with `applied`.
    assert_eq!(
        count(
            &app,
            "applications a WHERE status <> (SELECT t.status FROM application_transitions t \
             WHERE t.application_id = a.id ORDER BY t.at DESC LIMIT 1) \
             OR 'applied' <> (SELECT t.status FROM application_transitions t \
             WHERE t.application_id = a.id ORDER BY t.at LIMIT 1)"
        ),
        0
    );
    // Applicants registered and checked in at the vacancy's event.
    assert_eq!(
        count(
            &app,
            "applications a JOIN vacancies v ON v.id = a.vacancy_id WHERE NOT EXISTS \
             (SELECT 1 FROM registrations r WHERE r.event_id = v.event_id \
             AND r.job_seeker_id = a.job_seeker_id AND r.checked_in_at IS NOT NULL)"
        ),
        0
    );
    // Every active placement's application is hired, and matches the placement.
    assert_eq!(
        count(
            &app,
            "placements p JOIN applications a ON a.id = p.application_id \
             JOIN vacancies v ON v.id = a.vacancy_id \
             WHERE (p.status <> 'retracted' AND a.status <> 'hired') \
             OR a.job_seeker_id <> p.job_seeker_id OR a.vacancy_id <> p.vacancy_id \
             OR v.event_id <> p.event_id OR v.organization_id <> p.employer_id"
        ),
        0
    );
    assert!(
        app.number("SELECT COUNT(DISTINCT status) AS n FROM placements") >= 4,
        "placements in most statuses"
    );
    assert_eq!(
        count(
            &app,
            "placements WHERE (status = 'verified' AND verified_at IS NULL) \
             OR (status = 'confirmed' AND confirmed_at IS NULL) \
             OR (status = 'disputed' AND disputed_at IS NULL) \
             OR (status = 'retracted' AND retracted_at IS NULL)"
        ),
        0
    );
    // Follow-ups: only of verified placements, between the start date and today.
    assert!(s.follow_ups > 0, "{s:?}");
    assert_eq!(
        count(
            &app,
            "follow_ups f JOIN placements p ON p.id = f.placement_id \
             WHERE p.status NOT IN ('confirmed', 'verified') \
             OR f.checked_on < p.start_date OR f.checked_on > CURRENT_DATE"
        ),
        0
    );
    // Job seekers: distinct NIK hashes, four digits shown, consent recorded, created before
    // they registered.
    assert_eq!(
        app.number("SELECT COUNT(DISTINCT nik_hash) AS n FROM job_seekers"),
        s.job_seekers as i64
    );
    assert_eq!(
        count(
            &app,
            "job_seekers WHERE length(nik_last4) <> 4 OR birth_date IS NULL \
             OR consent_at IS NULL OR length(nik_hash) <> 64"
        ),
        0
    );
    assert_eq!(
        count(
            &app,
            "registrations r JOIN job_seekers j ON j.id = r.job_seeker_id \
             WHERE j.created_at > r.registered_at"
        ),
        0
    );
    // Seeded history is not audited.
    assert_eq!(app.count("audit_log"), 0);
}

async fn same_seed_gives_same_data(app: TestApp) {
    let other = match app.engine {
        Engine::Sqlite => TestApp::sqlite().await,
        Engine::Postgres => TestApp::postgres().await.unwrap(),
    };
    let first = seed(&app, &small()).unwrap();
    let second = seed(&other, &small()).unwrap();
    assert_eq!(first, second);
    let fingerprint = "SELECT CAST(COALESCE(SUM(salary_idr), 0) AS BIGINT) AS n FROM placements";
    assert_eq!(app.number(fingerprint), other.number(fingerprint));
    let ids = "SELECT COUNT(*) AS n FROM events WHERE status = 'closed'";
    assert_eq!(app.number(ids), other.number(ids));
}

async fn seeding_over_events_needs_force(app: TestApp) {
    let options = SeedOptions {
        events: 5,
        job_seekers: 100,
        registrations_per_event: 20,
        ..small()
    };
    seed(&app, &options).unwrap();
    let events = app.count("events");
    let refused = seed(&app, &options).unwrap_err();
    assert!(matches!(refused, SeedError::NotEmpty(n) if n == events));
    assert!(refused.to_string().contains("--force"));
    assert_eq!(app.count("events"), events, "nothing written");
    let forced = seed(
        &app,
        &SeedOptions {
            force: true,
            ..options
        },
    )
    .unwrap();
    assert_eq!(forced.admin_email, "admin@seed1.bursa.test");
    assert_eq!(app.count("events"), events * 2);
}

async fn seeded_users_sign_in_and_see_events(app: TestApp) {
    let s = seed(&app, &small()).unwrap();
    let mut token = String::new();
    for email in [
        &s.admin_email,
        &s.ministry_email,
        &s.organizer_email,
        &s.employer_email,
    ] {
        let resp = app
            .post(
                "/api/v1/auth/login",
                None,
                json!({"email": email, "password": SEED_PASSWORD}),
            )
            .await;
        resp.assert(200);
        if email == &s.ministry_email {
            token = resp.body["access_token"].as_str().unwrap().to_owned();
        }
    }
    let events = app
        .get("/api/v1/events?status=published", Some(&token))
        .await;
    events.assert(200);
    let items = events.body["items"].as_array().unwrap();
    assert!(!items.is_empty(), "{}", events.body);
    assert!(items.iter().all(|e| e["status"] == "published"));
}

#[test]
fn the_command_refuses_a_database_with_events() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("bursa.db").display());
    let run = || {
        Command::new(env!("CARGO_BIN_EXE_bursa"))
            .env_remove("BURSA_JWT_SECRET")
            .env_remove("RUST_LOG")
            .env("DATABASE_URL", &url)
            .args([
                "seed",
                "--events",
                "4",
                "--job-seekers",
                "50",
                "--registrations-per-event",
                "10",
                "--employers",
                "4",
            ])
            .output()
            .unwrap()
    };
    let first = run();
    assert!(
        first.status.success(),
        "{}",
        String::from_utf8_lossy(&first.stderr)
    );
    let stdout = String::from_utf8_lossy(&first.stdout);
    assert!(stdout.contains("admin@seed.bursa.test"), "{stdout}");
    assert!(stdout.contains(SEED_PASSWORD), "{stdout}");
    let second = run();
    assert!(!second.status.success());
    let stderr = String::from_utf8_lossy(&second.stderr);
    assert!(stderr.contains("already holds 4 events"), "{stderr}");
    assert!(stderr.contains("--force"), "{stderr}");
}
