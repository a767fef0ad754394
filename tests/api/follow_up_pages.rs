//! The follow-up page of a verified hire, `/placements/{id}/follow-ups`, over plain HTTP: each
//! party records a check as itself, a refused form says why beside the field and writes
//! nothing, and no one else sees the page. The reminder email links to it.

use bursa::auth::Role;
use chrono::{Duration, NaiveDate, Utc};

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{rows, HiringFair, Seeker};
use crate::web::Phone;

db_tests!(
    each_party_records_a_check_as_itself,
    a_refused_check_is_explained_and_writes_nothing,
    no_one_else_sees_the_page_and_an_open_hire_takes_no_check,
);

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

/// A verified hire of Siti Rahayu that started 100 days ago: (fair, Siti, placement id).
async fn verified_hire(app: &TestApp, status: &str) -> (HiringFair, Seeker, String) {
    let f = HiringFair::new(app, "pabrik").await;
    let siti = Seeker::new(app, "siti@example.id", "Siti Rahayu", "0001").await;
    let application = rows::application(app, &f.vacancy, &siti.id, &siti.user_id, &["hired"]);
    let placement = rows::placement(
        app,
        rows::Placement {
            event: &f.event,
            application: &application,
            vacancy: &f.vacancy,
            seeker: &siti.id,
            company: &f.company,
            reported_by: &f.employer_id,
            status,
            start: today() - Duration::days(100),
        },
        &[],
    );
    (f, siti, placement)
}

fn follow_ups(app: &TestApp) -> Vec<(String, String, bool, bool)> {
    use bursa::db::schema::follow_ups;
    use diesel::prelude::*;
    follow_ups::table
        .order(follow_ups::recorded_at.asc())
        .select((
            follow_ups::source,
            follow_ups::checked_on,
            follow_ups::employed,
            follow_ups::same_employer,
        ))
        .load::<(String, NaiveDate, bool, bool)>(&mut *app.conn())
        .unwrap()
        .into_iter()
        .map(|(source, on, employed, same)| (source, on.to_string(), employed, same))
        .collect()
}

async fn each_party_records_a_check_as_itself(app: TestApp) {
    let (_f, _siti, placement) = verified_hire(&app, "verified").await;
    let path = format!("/placements/{placement}/follow-ups");

    // The employer: the page names the hire by the short name only.
    let hr = Phone::signed_in(&app, "hr@pabrik.id").await;
    let page = hr.get(&path).await;
    page.assert(200);
    assert!(page.body.contains("Forklift Operator"), "{}", page.body);
    assert!(page.body.contains("Siti R."));
    assert!(!page.body.contains("Rahayu"));
    assert!(page.body.contains("Belum ada catatan pemantauan"));
    let checked_on = (today() - Duration::days(5)).to_string();
    let saved = hr
        .post(
            &path,
            &[
                ("checked_on", checked_on.as_str()),
                ("employed", "yes"),
                ("same_employer", "yes"),
            ],
        )
        .await;
    saved.assert(303);
    assert_eq!(saved.location(), format!("{path}?saved=1"));
    let page = hr.get(saved.location()).await;
    assert!(page.body.contains("Catatan pemantauan disimpan"));
    assert!(page
        .body
        .contains("Masih bekerja di pemberi kerja yang sama"));
    assert!(page.body.contains("90 hari"), "{}", page.body);

    // The job seeker, who now works elsewhere; the same-employer question may be skipped
    // when not working.
    let siti = Phone::signed_in(&app, "siti@example.id").await;
    siti.post(
        &path,
        &[
            ("checked_on", today().to_string().as_str()),
            ("employed", "no"),
        ],
    )
    .await
    .assert(303);

    // The organizer, as staff.
    let organizer = Phone::signed_in(&app, "organizer@pabrik.id").await;
    organizer
        .post(
            &path,
            &[
                ("checked_on", today().to_string().as_str()),
                ("employed", "yes"),
                ("same_employer", "no"),
            ],
        )
        .await
        .assert(303);

    assert_eq!(
        follow_ups(&app),
        [
            ("employer".to_owned(), checked_on, true, true),
            ("job_seeker".to_owned(), today().to_string(), false, false),
            ("staff".to_owned(), today().to_string(), true, false),
        ]
    );
}

async fn a_refused_check_is_explained_and_writes_nothing(app: TestApp) {
    let (_f, _siti, placement) = verified_hire(&app, "confirmed").await;
    let path = format!("/placements/{placement}/follow-ups");
    let hr = Phone::signed_in(&app, "hr@pabrik.id").await;

    // No answer, and a date before the start: each explained beside its field.
    let before_start = (today() - Duration::days(200)).to_string();
    let page = hr
        .post(&path, &[("checked_on", before_start.as_str())])
        .await;
    page.assert(422);
    assert!(page.body.contains("id=\"employed-error\""), "{}", page.body);
    assert!(page.body.contains("Pilih Ya atau Tidak."));
    assert!(page.body.contains(&format!("value=\"{before_start}\"")));

    let tomorrow = (today() + Duration::days(1)).to_string();
    let page = hr
        .post(
            &path,
            &[
                ("checked_on", tomorrow.as_str()),
                ("employed", "yes"),
                ("same_employer", "yes"),
            ],
        )
        .await;
    page.assert(422);
    assert!(
        page.body.contains("id=\"checked_on-error\""),
        "{}",
        page.body
    );

    // Without its CSRF token the form changes nothing either.
    let page = hr
        .post_raw(
            &path,
            &[
                ("checked_on", today().to_string().as_str()),
                ("employed", "yes"),
                ("same_employer", "yes"),
            ],
        )
        .await;
    page.assert(403);
    assert!(follow_ups(&app).is_empty());
}

async fn no_one_else_sees_the_page_and_an_open_hire_takes_no_check(app: TestApp) {
    let (_f, _siti, placement) = verified_hire(&app, "verified").await;
    let path = format!("/placements/{placement}/follow-ups");

    // Signed out: the sign-in, then back here.
    let anonymous = Phone::new(&app).await;
    let page = anonymous.get(&path).await;
    page.assert(303);
    assert!(page.location().starts_with("/sign-in?next="));

    // Another job seeker, another employer: not found, and nothing recorded.
    app.user("ayu@example.id", Role::JobSeeker).await;
    let ayu = Phone::signed_in(&app, "ayu@example.id").await;
    ayu.get(&path).await.assert(404);
    HiringFair::new(&app, "lain").await;
    let stranger = Phone::signed_in(&app, "hr@lain.id").await;
    stranger.get(&path).await.assert(404);
    stranger
        .post(
            &path,
            &[
                ("checked_on", today().to_string().as_str()),
                ("employed", "yes"),
                ("same_employer", "yes"),
            ],
        )
        .await
        .assert(404);
    assert!(follow_ups(&app).is_empty());

    // A hire still waiting for the job seeker's answer shows no form.
    let (_, _, reported) = {
        let f = HiringFair::new(&app, "baru").await;
        let dewi = Seeker::new(&app, "dewi@example.id", "Dewi Lestari", "0004").await;
        let application = rows::application(&app, &f.vacancy, &dewi.id, &dewi.user_id, &["hired"]);
        let placement = rows::placement(
            &app,
            rows::Placement {
                event: &f.event,
                application: &application,
                vacancy: &f.vacancy,
                seeker: &dewi.id,
                company: &f.company,
                reported_by: &f.employer_id,
                status: "reported",
                start: today() - Duration::days(10),
            },
            &[],
        );
        (f, dewi, placement)
    };
    let hr = Phone::signed_in(&app, "hr@baru.id").await;
    let page = hr.get(&format!("/placements/{reported}/follow-ups")).await;
    page.assert(200);
    assert!(!page.body.contains("id=\"save-follow-up\""));
    assert!(page.body.contains("belum dikonfirmasi"));
}
