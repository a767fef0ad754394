//! The job seeker's pages over plain HTTP: the profile and its consent, a NIK another profile
//! holds, registering from a fair's page and the ticket, applying and the history, answering a
//! reported hire; CSRF, English, and what makes the ticket work offline and print.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::browser::confirm::status as placement_status;
use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{female_nik, Fair, HiringFair, Seeker};
use crate::web::Phone;

db_tests!(
    profile_then_register_then_the_ticket,
    a_nik_already_held_is_explained_and_can_be_claimed,
    the_profile_changes_but_never_its_nik,
    refused_registrations_are_explained_on_the_fair_page,
    apply_then_my_applications_show_the_history,
    a_reported_hire_is_confirmed_or_disputed_on_my_hires,
    forms_without_their_csrf_token_change_nothing,
    english_pages_the_service_worker_and_print_styles,
);

/// The fields of a valid profile form: a woman born on 1995-08-15 whose NIK ends in `last4`.
fn profile_form(last4: &str) -> Vec<(&'static str, String)> {
    vec![
        ("full_name", "Siti Rahayu".into()),
        ("nik", female_nik(last4)),
        ("birth_date", "1995-08-15".into()),
        ("gender", "female".into()),
        ("education_level", "smk".into()),
        ("province_code", "31".into()),
        ("city", "Jakarta Timur".into()),
        ("phone", "081234567890".into()),
        ("consent", "true".into()),
    ]
}

fn fields<'f>(form: &'f [(&'static str, String)]) -> Vec<(&'static str, &'f str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// A published fair that starts in a week: open for registration.
async fn upcoming_fair(app: &TestApp, organizer: &str) -> Fair {
    Fair::by(app, organizer)
        .starting(Utc::now() + Duration::days(7), 8)
        .published()
        .await
}

fn registrations_of(app: &TestApp, event: &str) -> Vec<(String, String)> {
    use bursa::db::schema::registrations;
    registrations::table
        .filter(registrations::event_id.eq(event))
        .select((registrations::id, registrations::check_in_code))
        .load(&mut *app.conn())
        .unwrap()
}

async fn profile_then_register_then_the_ticket(app: TestApp) {
    let fair = upcoming_fair(&app, "organizer@ticket.id").await;
    let event = &fair.event;
    let event_page = format!("/events/{event}");

    // Signed out, the fair's page offers to sign in and come back.
    let anonymous = Phone::new(&app).await;
    let page = anonymous.get(&event_page).await;
    page.assert(200);
    assert!(
        page.body
            .contains(&format!("href=\"/sign-in?next=/events/{event}\"")),
        "{}",
        page.body
    );

    let (user_id, _) = app.user("siti@ticket.id", Role::JobSeeker).await;
    let phone = Phone::signed_in(&app, "siti@ticket.id").await;
    // Without a profile, the page asks for it first, coming back afterwards.
    let page = phone.get(&event_page).await;
    assert!(
        page.body
            .contains(&format!("href=\"/me/profile?next=/events/{event}\"")),
        "{}",
        page.body
    );

    // The form, with the consent text and its box.
    let page = phone
        .get(&format!("/me/profile?next=/events/{event}"))
        .await;
    page.assert(200);
    assert!(
        page.body.contains("Data Anda: apa, untuk apa"),
        "{}",
        page.body
    );
    assert!(page.body.contains("Berapa lama"));
    assert!(page.body.contains("name=\"consent\""));
    assert!(page.body.contains(&format!("value=\"/events/{event}\"")));

    // Without consent and with a bad phone: both said next to their fields, values kept,
    // nothing stored.
    let mut form = profile_form("0002");
    form.retain(|(k, _)| *k != "consent" && *k != "phone");
    form.push(("phone", "0812-3456".into()));
    let page = phone.post("/me/profile", &fields(&form)).await;
    page.assert(422);
    assert!(page.body.contains("id=\"consent-error\""), "{}", page.body);
    assert!(page
        .body
        .contains("aria-describedby=\"phone-hint phone-error\""));
    assert!(page.body.contains("value=\"Siti Rahayu\""));
    assert!(page.body.contains("value=\"Jakarta Timur\""));
    assert_eq!(app.count("job_seekers"), 0);

    // Saved: back to the fair.
    let mut form = profile_form("0002");
    form.push(("next", event_page.clone()));
    let page = phone.post("/me/profile", &fields(&form)).await;
    page.assert(303);
    assert_eq!(page.location(), event_page);
    let recorded: String = {
        use bursa::db::schema::job_seekers;
        job_seekers::table
            .filter(job_seekers::user_id.eq(&user_id))
            .select(job_seekers::consent_recorded_by)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(recorded, user_id);

    // The stored NIK shows as its last four digits only.
    let page = phone.get("/me/profile").await;
    page.assert(200);
    assert!(page.body.contains("0002"));
    assert!(!page.body.contains(&female_nik("0002")), "the whole NIK");
    assert!(!page.body.contains("name=\"nik\""));

    // Register from the fair's page: the ticket. Again: the same ticket, one registration.
    let page = phone.get(&event_page).await;
    let action = format!("action=\"/events/{event}/registration\"");
    assert!(page.body.contains(&action), "{}", page.body);
    let page = phone
        .post(&format!("/events/{event}/registration"), &[])
        .await;
    page.assert(303);
    let ticket = page.location().to_owned();
    let again = phone
        .post(&format!("/events/{event}/registration"), &[])
        .await;
    again.assert(303);
    assert_eq!(again.location(), ticket);
    let rows = registrations_of(&app, event);
    assert_eq!(rows.len(), 1);
    let (registration, code) = &rows[0];
    assert_eq!(ticket, format!("/me/registrations/{registration}"));

    // The ticket: the QR code inline, the code in groups, time in WIB and the place.
    let page = phone.get(&ticket).await;
    page.assert(200);
    assert!(
        page.body.contains("<svg class=\"qr\" role=\"img\""),
        "{}",
        page.body
    );
    assert!(!page.body.contains("<?xml"));
    // Codes are stored grouped, `ABCD-EFGH-JKMN-PQRS`: the page shows those groups.
    let grouped: Vec<String> = code
        .split('-')
        .map(|g| format!("<span>{g}</span>"))
        .collect();
    assert_eq!(grouped.len(), 4, "{code}");
    assert!(page.body.contains(&grouped.join(" ")), "{}", page.body);
    assert!(page.body.contains("WIB"));
    assert!(page.body.contains("Belum check-in"));
    assert!(page.body.contains("data-offline-ticket"));
    assert_eq!(page.header("cache-control"), "private, no-cache");

    // The list links to it; the fair's page now says so too.
    let page = phone.get("/me/registrations").await;
    page.assert(200);
    assert!(page.body.contains(&format!("href=\"{ticket}\"")));
    let page = phone.get(&event_page).await;
    assert!(page.body.contains(&format!("href=\"{ticket}\"")));

    // Nobody else sees it: another job seeker gets not-found, a visitor the sign-in.
    app.user("ayu@ticket.id", Role::JobSeeker).await;
    let other = Phone::signed_in(&app, "ayu@ticket.id").await;
    let page = other.get(&ticket).await;
    page.assert(404);
    assert!(!page.body.contains(code.as_str()));
    let page = anonymous.get(&ticket).await;
    page.assert(303);
    assert!(page.location().starts_with("/sign-in?next="));
    app.assert_kept_figures();
}

async fn a_nik_already_held_is_explained_and_can_be_claimed(app: TestApp) {
    // Staff (or anyone) recorded a profile with Siti's NIK first.
    Seeker::new(&app, "someone@claim.id", "Orang Lain", "0002").await;
    app.user("siti@claim.id", Role::JobSeeker).await;
    let phone = Phone::signed_in(&app, "siti@claim.id").await;
    let form = profile_form("0002");
    let page = phone.post("/me/profile", &fields(&form)).await;
    page.assert(409);
    assert!(
        page.body.contains("NIK ini sudah terdaftar"),
        "{}",
        page.body
    );
    assert!(!page.body.contains("Orang Lain"), "the holder is named");
    assert!(page.body.contains("id=\"claim\""));
    assert!(page
        .body
        .contains(&format!("value=\"{}\"", female_nik("0002"))));
    assert_eq!(app.count("job_seekers"), 1);

    // A claim needs a note.
    let mut claim = fields(&form);
    claim.push(("action", "claim"));
    let page = phone.post("/me/profile", &claim).await;
    page.assert(422);
    assert!(page.body.contains("id=\"note-error\""), "{}", page.body);
    assert_eq!(app.count("nik_claims"), 0);

    claim.push(("note", "KTP saya bisa diperiksa di meja panitia."));
    let page = phone.post("/me/profile", &claim).await;
    page.assert(303);
    assert_eq!(page.location(), "/me/profile?claimed=1");
    assert_eq!(app.count("nik_claims"), 1);
    assert_eq!(app.count("job_seekers"), 1);
    let page = phone.get("/me/profile?claimed=1").await;
    assert!(page.body.contains("Klaim NIK Anda sudah terkirim"));
    assert!(page.body.contains("••••0002"), "{}", page.body);

    // A second claim for the same NIK is refused with the reason.
    let page = phone.post("/me/profile", &claim).await;
    page.assert(409);
    assert!(
        page.body.contains("sudah mengajukan klaim"),
        "{}",
        page.body
    );
    assert_eq!(app.count("nik_claims"), 1);
}

async fn the_profile_changes_but_never_its_nik(app: TestApp) {
    let seeker = Seeker::new(&app, "siti@change.id", "Siti Rahayu", "0002").await;
    let phone = Phone::signed_in(&app, "siti@change.id").await;
    let page = phone.get("/me/profile").await;
    page.assert(200);
    assert!(page.body.contains("value=\"Jakarta Timur\""));
    assert!(page.body.contains("Persetujuan diberikan"));
    assert!(
        !page.body.contains("id=\"consent\""),
        "consent is asked once"
    );

    let city = |app: &TestApp| -> (String, String) {
        use bursa::db::schema::job_seekers;
        job_seekers::table
            .find(&seeker.id)
            .select((job_seekers::city, job_seekers::nik_last4))
            .first(&mut *app.conn())
            .unwrap()
    };
    let change = [
        ("full_name", "Siti Rahayu"),
        ("education_level", "d3"),
        ("province_code", "32"),
        ("city", "Bandung"),
        ("phone", "12"),
        // Not changeable here: ignored, not an error.
        ("nik", "3174015508950004"),
    ];
    let page = phone.post("/me/profile", &change).await;
    page.assert(422);
    assert!(page.body.contains("id=\"phone-error\""), "{}", page.body);
    assert!(page.body.contains("value=\"Bandung\""));
    assert_eq!(city(&app), ("Jakarta Timur".into(), "0002".into()));

    let mut change = change.to_vec();
    change.retain(|(k, _)| *k != "phone");
    let page = phone.post("/me/profile", &change).await;
    page.assert(303);
    assert_eq!(page.location(), "/me/profile?saved=1");
    assert_eq!(city(&app), ("Bandung".into(), "0002".into()));
    let page = phone.get("/me/profile?saved=1").await;
    assert!(page.body.contains("Profil Anda sudah disimpan"));
}

async fn refused_registrations_are_explained_on_the_fair_page(app: TestApp) {
    let full = Fair::by(&app, "organizer@full.id")
        .starting(Utc::now() + Duration::days(7), 8)
        .with(json!({"capacity": 1}))
        .published()
        .await;
    let first = Seeker::new(&app, "first@full.id", "Ayu Lestari", "0004").await;
    first.register(&app, &full.event).await;
    Seeker::new(&app, "siti@full.id", "Siti Rahayu", "0002").await;
    let phone = Phone::signed_in(&app, "siti@full.id").await;
    let page = phone
        .post(&format!("/events/{}/registration", full.event), &[])
        .await;
    page.assert(409);
    assert!(page.body.contains("kuota pendaftar"), "{}", page.body);
    assert!(page.body.contains("role=\"alert\""));
    assert_eq!(registrations_of(&app, &full.event).len(), 1);

    // A fair that has ended takes no registration.
    let ended = Fair::by(&app, "organizer@ended.id").published().await;
    let page = phone
        .post(&format!("/events/{}/registration", ended.event), &[])
        .await;
    page.assert(409);
    assert!(
        page.body.contains("Pendaftaran sudah ditutup"),
        "{}",
        page.body
    );
    assert!(registrations_of(&app, &ended.event).is_empty());

    // An unknown fair is the not-found page.
    let page = phone
        .post(
            "/events/00000000-0000-4000-8000-000000000000/registration",
            &[],
        )
        .await;
    page.assert(404);
}

async fn apply_then_my_applications_show_the_history(app: TestApp) {
    let f = HiringFair::new(&app, "apply").await;
    let seeker = Seeker::new(&app, "siti@apply.id", "Siti Rahayu", "0002").await;
    let phone = Phone::signed_in(&app, "siti@apply.id").await;
    let event_page = format!("/events/{}", f.event);
    let apply = format!("/vacancies/{}/application", f.vacancy);

    // Not registered: no apply button, and applying anyway is explained.
    let page = phone.get(&event_page).await;
    assert!(!page.body.contains(&format!("action=\"{apply}\"")));
    assert!(page.body.contains("untuk dapat melamar"), "{}", page.body);
    let page = phone.post(&apply, &[]).await;
    page.assert(409);
    assert!(
        page.body.contains("Daftar ke bursa kerja ini dulu"),
        "{}",
        page.body
    );
    assert_eq!(app.count("applications"), 0);

    phone
        .post(&format!("/events/{}/registration", f.event), &[])
        .await
        .assert(303);
    let page = phone.get(&event_page).await;
    assert!(
        page.body.contains(&format!("action=\"{apply}\"")),
        "{}",
        page.body
    );
    let page = phone.post(&apply, &[]).await;
    page.assert(303);
    assert!(page.location().starts_with("/me/applications#application-"));
    assert_eq!(app.count("applications"), 1);
    let application: String = {
        use bursa::db::schema::applications;
        applications::table
            .filter(applications::job_seeker_id.eq(&seeker.id))
            .select(applications::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert!(page.location().ends_with(&application));

    // Applying again is explained; the page marks the vacancy as applied.
    let page = phone.post(&apply, &[]).await;
    page.assert(409);
    assert!(page.body.contains("sudah melamar"), "{}", page.body);
    assert_eq!(app.count("applications"), 1);
    let page = phone.get(&event_page).await;
    assert!(page.body.contains("Sudah dilamar"));
    assert!(!page.body.contains(&format!("action=\"{apply}\"")));

    // The employer moves it along: the history shows both steps with their local times.
    app.patch(
        &format!("/api/v1/applications/{application}"),
        Some(&f.employer),
        json!({"status": "shortlisted"}),
    )
    .await
    .assert(200);
    let page = phone.get("/me/applications").await;
    page.assert(200);
    assert!(page
        .body
        .contains(&format!("id=\"application-{application}\"")));
    assert!(page.body.contains("Forklift Operator"), "{}", page.body);
    let history = &page.body[page.body.find("class=\"history\"").unwrap()..];
    let applied = history.find("· Dilamar").expect("applied in the history");
    let shortlisted = history.find("· Masuk seleksi").expect("shortlisted");
    assert!(applied < shortlisted);
    assert!(history.contains("WIB"));
    app.assert_kept_figures();
}

/// A reported hire of `seeker` for `vacancy` at `f`: the placement id.
async fn report(app: &TestApp, f: &HiringFair, seeker: &Seeker, vacancy: &str) -> String {
    let application = seeker.apply(app, vacancy).await;
    let start = (f.first_day() + Duration::days(14)).to_string();
    app.post(
        "/api/v1/placements",
        Some(&f.employer),
        json!({
            "application_id": application, "start_date": start, "salary_idr": 5_200_000,
            "contract_type": "contract", "occupation_code": "8344"
        }),
    )
    .await
    .assert(201)
    .id()
}

async fn a_reported_hire_is_confirmed_or_disputed_on_my_hires(app: TestApp) {
    let f = HiringFair::new(&app, "hires").await;
    let seeker = Seeker::new(&app, "siti@hires.id", "Siti Rahayu", "0002").await;
    seeker.registered(&app, &f.event, Some(&f.organizer_id));
    let first = report(&app, &f, &seeker, &f.vacancy).await;
    let second_vacancy = f.post_vacancy(&app, "Admin Gudang", json!({})).await;
    let second = report(&app, &f, &seeker, &second_vacancy).await;

    let phone = Phone::signed_in(&app, "siti@hires.id").await;
    let page = phone.get("/me/hires").await;
    page.assert(200);
    assert_eq!(page.body.matches("Menunggu jawaban Anda").count(), 2);
    assert!(page.body.contains("Rp5.200.000"), "{}", page.body);
    assert!(page
        .body
        .contains(&format!("action=\"/me/hires/{first}/confirm\"")));

    // A dispute without a reason: said next to that hire's field; nothing changes.
    let page = phone
        .post(&format!("/me/hires/{second}/dispute"), &[("reason", " ")])
        .await;
    page.assert(422);
    assert!(page.body.contains(&format!("id=\"reason-error-{second}\"")));
    assert!(page.body.contains(&format!(
        "aria-describedby=\"reason-hint-{second} reason-error-{second}\""
    )));
    assert_eq!(placement_status(&app, &second), "reported");

    // Someone else cannot answer it.
    Seeker::new(&app, "ayu@hires.id", "Ayu Lestari", "0004").await;
    let other = Phone::signed_in(&app, "ayu@hires.id").await;
    other
        .post(&format!("/me/hires/{first}/confirm"), &[])
        .await
        .assert(404);
    assert_eq!(placement_status(&app, &first), "reported");

    let page = phone.post(&format!("/me/hires/{first}/confirm"), &[]).await;
    page.assert(303);
    assert_eq!(page.location(), "/me/hires?answered=confirmed");
    assert_eq!(placement_status(&app, &first), "confirmed");
    let page = phone.post(&format!("/me/hires/{first}/confirm"), &[]).await;
    page.assert(409);
    assert!(page.body.contains("sudah dijawab"), "{}", page.body);

    let page = phone
        .post(
            &format!("/me/hires/{second}/dispute"),
            &[("reason", "Saya tidak bekerja di sana.")],
        )
        .await;
    page.assert(303);
    assert_eq!(placement_status(&app, &second), "disputed");
    let page = phone.get("/me/hires?answered=disputed").await;
    assert!(page.body.contains("Anda konfirmasi"));
    assert!(page.body.contains("Anda bantah"));
    assert!(!page.body.contains("/confirm\""), "no answer left to give");
    app.assert_kept_figures();
}

async fn forms_without_their_csrf_token_change_nothing(app: TestApp) {
    let f = HiringFair::new(&app, "csrf").await;
    let seeker = Seeker::new(&app, "siti@csrf.id", "Siti Rahayu", "0002").await;
    seeker.registered(&app, &f.event, Some(&f.organizer_id));
    let placement = report(&app, &f, &seeker, &f.vacancy).await;
    let other_vacancy = f.post_vacancy(&app, "Admin Gudang", json!({})).await;
    app.user("ayu@csrf.id", Role::JobSeeker).await;
    let newcomer = Phone::signed_in(&app, "ayu@csrf.id").await;
    let phone = Phone::signed_in(&app, "siti@csrf.id").await;
    let (registrations, applications) = (app.count("registrations"), app.count("applications"));

    let form = profile_form("0004");
    for (who, path, fields) in [
        (&newcomer, "/me/profile".to_owned(), fields(&form)),
        (
            &newcomer,
            format!("/events/{}/registration", f.event),
            vec![],
        ),
        (
            &phone,
            format!("/vacancies/{other_vacancy}/application"),
            vec![],
        ),
        (&phone, format!("/me/hires/{placement}/confirm"), vec![]),
        (
            &phone,
            format!("/me/hires/{placement}/dispute"),
            vec![("reason", "Salah")],
        ),
    ] {
        let page = who.post_raw(&path, &fields).await;
        assert_eq!(page.status, 403, "{path}");
        assert!(
            page.body.contains("<html lang=\"id\">"),
            "{path}: {}",
            page.body
        );
        let mut wrong = fields.clone();
        wrong.push(("csrf", "x".repeat(43).leak()));
        assert_eq!(who.post_raw(&path, &wrong).await.status, 403, "{path}");
    }
    assert_eq!(app.count("job_seekers"), 1);
    assert_eq!(app.count("registrations"), registrations);
    assert_eq!(app.count("applications"), applications);
    assert_eq!(placement_status(&app, &placement), "reported");
}

async fn english_pages_the_service_worker_and_print_styles(app: TestApp) {
    app.user("siti@english.id", Role::JobSeeker).await;
    let mut phone = Phone::signed_in(&app, "siti@english.id").await;
    phone.lang = Some("en");
    let page = phone.get("/me/profile").await;
    page.assert(200);
    assert!(page.body.contains("<html lang=\"en\">"));
    assert!(page.body.contains("Your data: what, why"), "{}", page.body);
    for path in ["/me/registrations", "/me/applications", "/me/hires"] {
        let page = phone.get(path).await;
        page.assert(200);
        assert!(page.body.contains("<html lang=\"en\">"), "{path}");
        assert!(!page.body.contains("Bursa kerja saya"), "{path}");
    }
    let page = phone.get("/me").await;
    assert!(page.body.contains("href=\"/me/profile\""));
    assert!(page.body.contains("My tickets"));

    // The service worker: JavaScript, allowed the whole site, never kept long.
    let sw = phone.get("/sw.js").await;
    sw.assert(200);
    assert!(sw.header("content-type").starts_with("text/javascript"));
    assert_eq!(sw.header("service-worker-allowed"), "/");
    assert_eq!(sw.header("cache-control"), "no-cache");
    assert!(sw.body.contains("caches.match"));
    assert!(sw.body.contains("request.method !== \"GET\""));
    let script = phone.get("/static/bursa.js").await;
    assert!(script.body.contains("register(\"/sw.js\", {scope: \"/\"})"));
    assert!(script.body.contains("caches.delete"));

    // The print styles: no navigation, a big QR code, black on white.
    let css = phone.get("/static/bursa.css").await;
    let print = &css.body[css.body.rfind("@media print").expect("print styles")..];
    assert!(print.contains("svg.qr"), "{print}");
    assert!(css.body.contains("header.site, footer.site, .no-print"));
    assert!(print.contains("color: #000"));
}
