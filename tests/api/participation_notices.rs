//! The notices of a participation: the organizer hears that an employer asks to join, the
//! employer hears the answer; in the action's transaction, to members who act for the
//! organization now, with a link that opens.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{Employer, Fair};

db_tests!(
    the_organizer_hears_of_a_request_and_the_employer_of_the_answer,
    members_who_no_longer_act_for_the_organization_hear_nothing,
);

/// The outbox rows of `kind`, as (recipient, subject, text body).
fn queued(app: &TestApp, kind: &str) -> Vec<(String, String, String)> {
    use bursa::db::schema::outbox;
    use diesel::prelude::*;
    let mut conn = app.conn();
    outbox::table
        .filter(outbox::kind.eq(kind))
        .order(outbox::id.asc())
        .select((outbox::recipient, outbox::subject, outbox::body_text))
        .load(&mut *conn)
        .unwrap()
}

/// The absolute link on its own line in a text body, as a path of the test server.
fn link_in(app: &TestApp, text: &str) -> String {
    let public_url = &app.state.config.mail.public_url;
    let line = text
        .lines()
        .find(|l| l.trim().starts_with(public_url.as_str()))
        .unwrap_or_else(|| panic!("no link in {text}"));
    line.trim()[public_url.len()..].to_owned()
}

async fn status_of(app: &TestApp, path: &str) -> u16 {
    awc::Client::default()
        .get(app.url(path))
        .send()
        .await
        .expect("request sent")
        .status()
        .as_u16()
}

async fn the_organizer_hears_of_a_request_and_the_employer_of_the_answer(app: TestApp) {
    let fair = Fair::by(&app, "panitia@disnaker.id")
        .with(json!({"title": "Bursa Kerja Bandung"}))
        .starting(Utc::now() + Duration::days(10), 8)
        .published()
        .await;
    let hr = Employer::new(&app, "hr@pabrik.id").await;
    fair.join(&app, &hr.token, &hr.company, false).await;

    let requests = queued(&app, "participation_request");
    assert_eq!(requests.len(), 1, "{requests:?}");
    let (to, subject, text) = &requests[0];
    assert_eq!(to, "panitia@disnaker.id");
    assert!(subject.contains("employer org"), "{subject}");
    assert!(text.contains("Bursa Kerja Bandung"), "{text}");
    let link = link_in(&app, text);
    assert_eq!(link, format!("/events/{}", fair.event));
    assert_eq!(status_of(&app, &link).await, 200);
    assert!(queued(&app, "participation_decision").is_empty());

    // Approved, then rejected: one notice each, to the employer.
    let approve = format!(
        "/api/v1/events/{}/employers/{}/approve",
        fair.event, hr.company
    );
    app.post(&approve, Some(&fair.organizer), json!({}))
        .await
        .assert(200);
    let decisions = queued(&app, "participation_decision");
    assert_eq!(decisions.len(), 1);
    assert_eq!(decisions[0].0, "hr@pabrik.id");
    assert!(
        decisions[0].1.starts_with("Disetujui"),
        "{}",
        decisions[0].1
    );
    assert_eq!(status_of(&app, &link_in(&app, &decisions[0].2)).await, 200);
    // A refused decision (approving twice) writes nothing.
    app.post(&approve, Some(&fair.organizer), json!({}))
        .await
        .assert(409);
    assert_eq!(queued(&app, "participation_decision").len(), 1);
    app.post(
        &format!(
            "/api/v1/events/{}/employers/{}/reject",
            fair.event, hr.company
        ),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);
    let decisions = queued(&app, "participation_decision");
    assert_eq!(decisions.len(), 2);
    assert!(
        decisions[1].1.starts_with("Tidak disetujui"),
        "{}",
        decisions[1].1
    );
    // A second request of the same employer is refused and writes nothing.
    app.post(
        &format!("/api/v1/events/{}/employers", fair.event),
        Some(&hr.token),
        json!({"organization_id": hr.company}),
    )
    .await
    .assert(409);
    assert_eq!(queued(&app, "participation_request").len(), 1);
}

async fn members_who_no_longer_act_for_the_organization_hear_nothing(app: TestApp) {
    let fair = Fair::by(&app, "panitia@kota.id")
        .starting(Utc::now() + Duration::days(10), 8)
        .published()
        .await;
    // A second member of the organizer, whom an admin then made a job seeker.
    let (moved_id, _) = app.user("pindah@kota.id", Role::Organizer).await;
    app.post(
        &format!("/api/v1/organizations/{}/members", fair.office),
        Some(&fair.organizer),
        json!({"email": "pindah@kota.id", "role": "member"}),
    )
    .await
    .assert(201);
    let admin = app.admin_token().await;
    app.patch(
        &format!("/api/v1/users/{moved_id}"),
        Some(&admin),
        json!({"role": "job_seeker"}),
    )
    .await
    .assert(200);
    Employer::at(&app, &fair, "hr@toko.id", false).await;
    let to: Vec<String> = queued(&app, "participation_request")
        .into_iter()
        .map(|(to, _, _)| to)
        .collect();
    assert_eq!(to, vec!["panitia@kota.id".to_owned()]);
}
