//! The notices people expect when something they depend on changes: ticket holders hear that
//! their fair moved or was cancelled (email and WhatsApp, each as they can be reached), and the
//! employer hears that a hire it reported was confirmed or disputed. Each in the change's own
//! transaction: a refused change tells no one.

use chrono::{Duration, SecondsFormat, Utc};
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{profile, Fair, HiringFair, Seeker};

db_tests!(
    ticket_holders_hear_of_a_new_time_and_of_a_cancellation,
    a_draft_or_an_edit_of_words_tells_no_one,
    the_employer_hears_a_hire_confirmed_or_disputed_without_the_reason,
);

/// The queued messages of `kind`: (channel, recipient, subject, body).
fn queued(app: &TestApp, kind: &str) -> Vec<(String, String, String, String)> {
    use bursa::db::schema::outbox;
    use diesel::prelude::*;
    let mut conn = app.conn();
    outbox::table
        .filter(outbox::kind.eq(kind))
        .order((outbox::channel.asc(), outbox::recipient.asc()))
        .select((
            outbox::channel,
            outbox::recipient,
            outbox::subject,
            outbox::body_text,
        ))
        .load(&mut *conn)
        .unwrap()
}

/// The link of an email's text body, as a path of the test server.
fn email_link(app: &TestApp, text: &str) -> String {
    let public_url = &app.state.config.mail.public_url;
    let line = text
        .lines()
        .find(|l| l.trim().starts_with(public_url.as_str()))
        .unwrap_or_else(|| panic!("no link in {text}"));
    line.trim()[public_url.len()..].to_owned()
}

/// The body parameters of a queued WhatsApp template message.
fn whatsapp_params(body: &str) -> Vec<String> {
    let request: Value = serde_json::from_str(body).unwrap();
    request["template"]["components"][0]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["text"].as_str().unwrap().to_owned())
        .collect()
}

/// A published fair in ten days with two ticket holders: Siti, with an account and an email,
/// and Rina, recorded by staff with a phone and consent to WhatsApp (no account). Returns the
/// fair and Siti's registration id.
async fn fair_with_ticket_holders(app: &TestApp) -> (Fair, String) {
    let fair = Fair::by(app, "panitia@disnaker.id")
        .with(json!({"title": "Bursa Kerja Bandung"}))
        .starting(Utc::now() + Duration::days(10), 8)
        .published()
        .await;
    let siti = Seeker::new(app, "siti@example.id", "Siti Rahayu", "0001").await;
    siti.register(app, &fair.event).await;
    let mut body = profile("Rina Marlina", "0303");
    body["phone"] = json!("085711112222");
    body["whatsapp_consent"] = json!(true);
    let rina = app
        .post("/api/v1/job-seekers", Some(&fair.organizer), body)
        .await
        .assert(201)
        .id();
    app.post(
        &format!("/api/v1/events/{}/registrations", fair.event),
        Some(&fair.organizer),
        json!({"job_seeker_id": rina}),
    )
    .await
    .assert(201);
    let registration: String = {
        use bursa::db::schema::registrations;
        use diesel::prelude::*;
        registrations::table
            .filter(registrations::job_seeker_id.eq(&siti.id))
            .select(registrations::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    (fair, registration)
}

fn rfc3339(at: chrono::DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Secs, true)
}

async fn ticket_holders_hear_of_a_new_time_and_of_a_cancellation(app: TestApp) {
    let (fair, registration) = fair_with_ticket_holders(&app).await;
    // Someone at another fair hears nothing of this one.
    let other = fair
        .another(&app)
        .starting(Utc::now() + Duration::days(5), 8)
        .published()
        .await;
    let ayu = Seeker::new(&app, "ayu@example.id", "Ayu Lestari", "0002").await;
    ayu.register(&app, &other.event).await;
    let event_path = format!("/api/v1/events/{}", fair.event);

    // A refused change (ends before it starts) tells no one.
    let refused = app
        .patch(
            &event_path,
            Some(&fair.organizer),
            json!({"ends_at": rfc3339(fair.starts_at - Duration::hours(1))}),
        )
        .await;
    refused.assert(422);
    assert!(queued(&app, "fair_rescheduled").is_empty());

    // A day later: both holders hear it, each their own way.
    let starts = fair.starts_at + Duration::days(1);
    app.patch(
        &event_path,
        Some(&fair.organizer),
        json!({"starts_at": rfc3339(starts), "ends_at": rfc3339(starts + Duration::hours(8))}),
    )
    .await
    .assert(200);
    let moved = queued(&app, "fair_rescheduled");
    assert_eq!(moved.len(), 2, "{moved:?}");
    let (channel, to, subject, text) = &moved[0];
    assert_eq!(
        (channel.as_str(), to.as_str()),
        ("email", "siti@example.id")
    );
    assert_eq!(subject, "Jadwal berubah: Bursa Kerja Bandung");
    assert!(text.contains("tetap berlaku"), "{text}");
    assert!(text.contains("WIB"), "{text}");
    assert_eq!(
        email_link(&app, text),
        format!("/me/registrations/{registration}")
    );
    let (channel, to, template, body) = &moved[1];
    assert_eq!(
        (channel.as_str(), to.as_str()),
        ("whatsapp", "+6285711112222")
    );
    assert_eq!(template, "bursa_fair_rescheduled");
    let params = whatsapp_params(body);
    assert_eq!(params[0], "Rina Marlina");
    assert_eq!(params[1], "Bursa Kerja Bandung");
    assert!(params[2].ends_with("WIB"), "{params:?}");
    // Rina has no account to open a ticket page with: the fair's page, which opens.
    let public_url = &app.state.config.mail.public_url;
    assert_eq!(params[4], format!("{public_url}/events/{}", fair.event));
    let page = app.get(&format!("/events/{}", fair.event), None).await;
    page.assert(200);

    // Cancelled: both hear it, linking to the fair's page; Ayu hears nothing.
    app.post(
        &format!("{event_path}/cancel"),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);
    let cancelled = queued(&app, "fair_cancelled");
    assert_eq!(cancelled.len(), 2, "{cancelled:?}");
    assert_eq!(cancelled[0].2, "Dibatalkan: Bursa Kerja Bandung");
    assert_eq!(
        email_link(&app, &cancelled[0].3),
        format!("/events/{}", fair.event)
    );
    assert_eq!(cancelled[1].2, "bursa_fair_cancelled");
    let everyone: Vec<String> = [moved, cancelled]
        .concat()
        .into_iter()
        .map(|(_, to, _, _)| to)
        .collect();
    assert!(!everyone.contains(&"ayu@example.id".to_owned()));
}

async fn a_draft_or_an_edit_of_words_tells_no_one(app: TestApp) {
    let (fair, _) = fair_with_ticket_holders(&app).await;
    let event_path = format!("/api/v1/events/{}", fair.event);
    app.patch(
        &event_path,
        Some(&fair.organizer),
        json!({"title": "Bursa Kerja Kota Bandung", "description": "Lebih banyak lowongan."}),
    )
    .await
    .assert(200);
    assert!(queued(&app, "fair_rescheduled").is_empty());

    // A draft has no ticket holders to tell; moving and cancelling it writes nothing.
    let draft = fair.another(&app).draft().await;
    let starts = draft.starts_at + Duration::days(3);
    app.patch(
        &format!("/api/v1/events/{}", draft.event),
        Some(&draft.organizer),
        json!({"starts_at": rfc3339(starts), "ends_at": rfc3339(starts + Duration::hours(8))}),
    )
    .await
    .assert(200);
    app.post(
        &format!("/api/v1/events/{}/cancel", draft.event),
        Some(&draft.organizer),
        json!({}),
    )
    .await
    .assert(200);
    assert!(queued(&app, "fair_rescheduled").is_empty());
    assert!(queued(&app, "fair_cancelled").is_empty());
}

async fn the_employer_hears_a_hire_confirmed_or_disputed_without_the_reason(app: TestApp) {
    let f = HiringFair::new(&app, "pabrik").await;
    let mut placements = Vec::new();
    let mut seekers = Vec::new();
    for (email, name, last4) in [
        ("siti@example.id", "Siti Rahayu", "0001"),
        ("ayu@example.id", "Ayu Lestari", "0002"),
    ] {
        let seeker = Seeker::new(&app, email, name, last4).await;
        seeker.registered(&app, &f.event, Some(&f.organizer_id));
        let application = seeker.apply(&app, &f.vacancy).await;
        let start = (f.first_day() + Duration::days(14)).to_string();
        let placement = app
            .post(
                "/api/v1/placements",
                Some(&f.employer),
                json!({
                    "application_id": application, "start_date": start,
                    "salary_idr": 5_200_000, "contract_type": "contract",
                    "occupation_code": "8344"
                }),
            )
            .await
            .assert(201)
            .id();
        placements.push(placement);
        seekers.push(seeker);
    }
    assert!(queued(&app, "hire_answered").is_empty());

    app.post(
        &format!("/api/v1/placements/{}/confirm", placements[0]),
        Some(&seekers[0].token),
        json!({}),
    )
    .await
    .assert(200);
    let reason = "Saya tidak pernah diwawancarai";
    app.post(
        &format!("/api/v1/placements/{}/dispute", placements[1]),
        Some(&seekers[1].token),
        json!({ "reason": reason }),
    )
    .await
    .assert(200);

    let answers = queued(&app, "hire_answered");
    assert_eq!(answers.len(), 2, "{answers:?}");
    let subjects: Vec<&str> = answers.iter().map(|a| a.2.as_str()).collect();
    assert!(
        subjects.contains(&"Dikonfirmasi: Forklift Operator"),
        "{subjects:?}"
    );
    assert!(
        subjects.contains(&"Dibantah: Forklift Operator"),
        "{subjects:?}"
    );
    for (channel, to, _, text) in &answers {
        assert_eq!(channel, "email");
        assert_eq!(to, "hr@pabrik.id");
        // The short name only, and never the job seeker's reason.
        assert!(
            !text.contains("Rahayu") && !text.contains("Lestari"),
            "{text}"
        );
        assert!(!text.contains(reason), "{text}");
        assert_eq!(
            email_link(&app, text),
            format!("/booth/{}/fairs/{}/hires", f.company, f.event)
        );
    }
    assert!(answers.iter().any(|a| a.3.contains("Siti R.")));
    // The link opens the employer's hires at the fair's booth.
    let hr = crate::web::Phone::signed_in(&app, "hr@pabrik.id").await;
    hr.get(&email_link(&app, &answers[0].3)).await.assert(200);
    // The organizer hears of the dispute, with the reason.
    let disputes = queued(&app, "dispute_notice");
    assert_eq!(disputes.len(), 1);
    assert_eq!(disputes[0].1, "organizer@pabrik.id");
    assert!(disputes[0].3.contains(reason));
}
