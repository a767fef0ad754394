//! The organizer's desk over plain HTTP: the home and the fair's hub; a fair created, edited,
//! published (or refused: organization not verified), cancelled and closed with its spending;
//! employers approved and rejected; registrations searched; placements verified, rejected and
//! given a confirmation link; the follow-ups, figures, audit and print pages. Who may and may
//! not (another organization's staff, an employer, a visitor signed out), CSRF, and the
//! database after each action.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{female_nik, profile, rows, with, Employer, Fair, HiringFair, Seeker};
use crate::web::{Page, Phone};

db_tests!(
    the_desk_and_the_hub_are_for_the_fair_staff,
    a_fair_is_created_edited_and_published_at_the_desk,
    publishing_for_an_unverified_office_is_explained,
    a_fair_is_cancelled_or_closed_with_its_spending,
    employers_are_approved_or_rejected,
    registrations_are_searched_by_name_phone_nik_or_code,
    placements_are_verified_rejected_and_given_a_link,
    follow_ups_figures_audit_and_print_pages,
    the_organization_and_its_members,
    others_and_forms_without_csrf_change_nothing,
);

fn text(app: &TestApp, sql: &str) -> String {
    #[derive(QueryableByName)]
    struct Text {
        #[diesel(sql_type = diesel::sql_types::Text)]
        t: String,
    }
    diesel::sql_query(sql)
        .get_result::<Text>(&mut *app.conn())
        .unwrap()
        .t
}

fn event_status(app: &TestApp, event: &str) -> String {
    text(
        app,
        &format!("SELECT status AS t FROM events WHERE id = '{event}'"),
    )
}

/// The fields of a valid fair form of `office` in Papua (WIT), 10 December 2027 08.00–17.00.
fn fair_form(office: &str) -> Vec<(&'static str, String)> {
    vec![
        ("organization_id", office.to_owned()),
        ("title", "Bursa Kerja Jayapura 2027".to_owned()),
        ("description", "Seratus perusahaan.".to_owned()),
        ("format", "onsite".to_owned()),
        ("venue", "GOR Waringin".to_owned()),
        ("province_code", "91".to_owned()),
        ("city", "Jayapura".to_owned()),
        ("starts_at", "2027-12-10T08:00".to_owned()),
        ("ends_at", "2027-12-10T17:00".to_owned()),
        ("capacity", "2.000".to_owned()),
        ("budget_idr", "Rp 150.000.000".to_owned()),
        ("funding_source", "apbd".to_owned()),
        ("target_placements", "300".to_owned()),
    ]
}

fn fields<'f>(form: &'f [(&'static str, String)]) -> Vec<(&'static str, &'f str)> {
    form.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

async fn the_desk_and_the_hub_are_for_the_fair_staff(app: TestApp) {
    let fair = Fair::by(&app, "organizer@desk.id").draft().await;
    let other = Fair::by(&app, "organizer@other.id").draft().await;
    let hub = format!("/desk/events/{}", fair.event);

    let desk = Phone::signed_in(&app, "organizer@desk.id").await;
    let home = desk.get("/desk").await;
    home.assert(200)
        .has(&format!("href=\"/desk/events/{}\"", fair.event))
        .has(&format!("href=\"/desk/organizations/{}\"", fair.office))
        .has("href=\"/desk/events/new\"");
    assert!(!home.body.contains(&other.event), "another office's draft");
    // The header links to the desk for organizer staff.
    assert!(home.body.contains("<a href=\"/desk\">Meja kerja</a>"));

    let page = desk.get(&hub).await;
    page.assert(200)
        .has("Jakarta Job Fair 2026")
        .has("Draf")
        .has("1 Desember 2026 08.00 WIB")
        .has("Rp150.000.000");
    for sub in [
        "employers",
        "registrations",
        "placements",
        "follow-ups",
        "metrics",
        "audit",
        "door",
        "print/tickets",
        "print/list",
    ] {
        page.has(&format!("href=\"/desk/events/{}/{sub}\"", fair.event));
    }

    // Another organizer's draft: as if it did not exist.
    let stranger = Phone::signed_in(&app, "organizer@other.id").await;
    stranger.get(&hub).await.assert(404);
    for sub in [
        "employers",
        "registrations",
        "placements",
        "metrics",
        "audit",
    ] {
        let status = stranger.get(&format!("{hub}/{sub}")).await.status;
        assert_eq!(status, 404, "{sub}");
    }
    // An employer has no desk.
    Employer::new(&app, "hr@desk.id").await;
    let employer = Phone::signed_in(&app, "hr@desk.id").await;
    employer.get("/desk").await.assert(403);
    employer.get(&hub).await.assert(404);
    // Signed out: the way to sign in, and back.
    let visitor = Phone::new(&app).await;
    let page = visitor.get(&hub).await;
    page.assert(303);
    assert_eq!(
        page.location(),
        format!("/sign-in?next=%2Fdesk%2Fevents%2F{}", fair.event)
    );
    visitor.get("/desk").await.assert(303);
    // A job seeker's header has no desk link.
    Seeker::new(&app, "siti@desk.id", "Siti", "0001").await;
    let seeker = Phone::signed_in(&app, "siti@desk.id").await;
    let me = seeker.get("/events").await;
    assert!(!me.body.contains("href=\"/desk\""));
    seeker.get("/desk").await.assert(403);
}

async fn a_fair_is_created_edited_and_published_at_the_desk(app: TestApp) {
    let (_, token) = app.user("organizer@papua.id", Role::Organizer).await;
    let office = app.organization(&token, "organizer").await;
    let desk = Phone::signed_in(&app, "organizer@papua.id").await;
    desk.get(&format!("/desk/events/new?organization_id={office}"))
        .await
        .assert(200)
        .has("WIT")
        .has(&format!("value=\"{office}\" selected"));

    // Errors beside their fields; nothing made.
    let mut form = fair_form(&office);
    form[1].1 = String::new();
    form[7].1 = "besok pagi".to_owned();
    form[10].1 = "seratus juta".to_owned();
    let page = desk.post("/desk/events", &fields(&form)).await;
    page.assert(422)
        .has("id=\"title-error\"")
        .has("id=\"starts_at-error\"")
        .has("id=\"budget_idr-error\"")
        .has("value=\"seratus juta\"");
    assert_eq!(app.count("events"), 0);
    // The domain's own refusals too: the end before the start.
    let mut form = fair_form(&office);
    form[8].1 = "2027-12-09T17:00".to_owned();
    let page = desk.post("/desk/events", &fields(&form)).await;
    page.assert(422).has("id=\"ends_at-error\"");
    assert_eq!(app.count("events"), 0);

    let page = desk
        .post("/desk/events", &fields(&fair_form(&office)))
        .await;
    page.assert(303);
    let event = text(&app, "SELECT id AS t FROM events");
    assert_eq!(
        page.location(),
        format!("/desk/events/{event}?done=created")
    );
    // Entered in WIT (UTC+9): 08.00 is 23.00 UTC the day before.
    let stored = text(&app, "SELECT CAST(starts_at AS TEXT) AS t FROM events");
    assert!(stored.starts_with("2027-12-09 23:00"), "{stored}");
    assert_eq!(
        app.number("SELECT budget_idr AS n FROM events"),
        150_000_000
    );
    assert_eq!(
        app.number("SELECT CAST(capacity AS BIGINT) AS n FROM events"),
        2000
    );
    let hub = desk
        .get(&format!("/desk/events/{event}?done=created"))
        .await;
    hub.assert(200)
        .has("10 Desember 2027 08.00 WIT")
        .has("Rp150.000.000")
        .has("Draf");

    // Edit: the form shows the local time; a change is saved.
    let edit = format!("/desk/events/{event}/edit");
    desk.get(&edit)
        .await
        .assert(200)
        .has("value=\"2027-12-10T08:00\"");
    let mut form = fair_form(&office);
    form[1].1 = "Bursa Kerja Jayapura Raya".to_owned();
    form[7].1 = "2027-12-10T09:30".to_owned();
    let page = desk.post(&edit, &fields(&form)).await;
    page.assert(303);
    assert_eq!(
        text(&app, "SELECT title AS t FROM events"),
        "Bursa Kerja Jayapura Raya"
    );
    let mut form = fair_form(&office);
    form[9].1 = "0".to_owned();
    desk.post(&edit, &fields(&form))
        .await
        .assert(422)
        .has("id=\"capacity-error\"");
    assert_eq!(
        app.number("SELECT CAST(capacity AS BIGINT) AS n FROM events"),
        2000
    );

    // Publish.
    let page = desk
        .post(&format!("/desk/events/{event}/publish"), &[])
        .await;
    page.assert(303);
    assert_eq!(
        page.location(),
        format!("/desk/events/{event}?done=published")
    );
    assert_eq!(event_status(&app, &event), "published");
    desk.get(page.location())
        .await
        .has("Bursa kerja diterbitkan");
    // Publishing twice is explained, not an error page.
    desk.post(&format!("/desk/events/{event}/publish"), &[])
        .await
        .assert(409)
        .has("id=\"problem\"");
}

async fn publishing_for_an_unverified_office_is_explained(app: TestApp) {
    let (_, token) = app.user("organizer@baru.id", Role::Organizer).await;
    let office = app.unverified_organization(&token, "organizer").await;
    let desk = Phone::signed_in(&app, "organizer@baru.id").await;
    desk.post("/desk/events", &fields(&fair_form(&office)))
        .await
        .assert(303);
    let event = text(&app, "SELECT id AS t FROM events");
    let page = desk
        .post(&format!("/desk/events/{event}/publish"), &[])
        .await;
    page.assert(409)
        .has("belum diverifikasi oleh Kementerian")
        .has("<h1>Bursa Kerja Jayapura 2027</h1>");
    assert_eq!(event_status(&app, &event), "draft");
}

async fn a_fair_is_cancelled_or_closed_with_its_spending(app: TestApp) {
    let running = Fair::by(&app, "organizer@tutup.id")
        .running()
        .published()
        .await;
    let upcoming = running
        .another(&app)
        .starting(Utc::now() + Duration::days(10), 8)
        .published()
        .await;
    let desk = Phone::signed_in(&app, "organizer@tutup.id").await;

    // Not started: not closed, explained.
    let close = format!("/desk/events/{}/close", upcoming.event);
    desk.post(&close, &[("spent", "Rp 1.000.000")])
        .await
        .assert(409)
        .has("setelah dimulai");
    assert_eq!(event_status(&app, &upcoming.event), "published");
    // Cancel it.
    let page = desk
        .post(&format!("/desk/events/{}/cancel", upcoming.event), &[])
        .await;
    page.assert(303);
    assert_eq!(event_status(&app, &upcoming.event), "cancelled");

    // A spending that cannot be read: beside its field, nothing changes.
    let close = format!("/desk/events/{}/close", running.event);
    desk.post(&close, &[("spent", "satu juta"), ("notes", "")])
        .await
        .assert(422)
        .has("id=\"spent-error\"")
        .has("value=\"satu juta\"");
    assert_eq!(event_status(&app, &running.event), "published");
    // Forgiving rupiah, shown in Indonesian format.
    let page = desk
        .post(
            &close,
            &[
                ("spent", "Rp 1.250.000"),
                ("notes", "Sewa gedung\nKonsumsi"),
            ],
        )
        .await;
    page.assert(303);
    assert_eq!(event_status(&app, &running.event), "closed");
    assert_eq!(
        app.number(&format!(
            "SELECT spent_idr AS n FROM events WHERE id = '{}'",
            running.event
        )),
        1_250_000
    );
    desk.get(page.location())
        .await
        .assert(200)
        .has("id=\"spent\">Rp1.250.000<")
        .has("id=\"fair-status\">Ditutup<");
}

async fn employers_are_approved_or_rejected(app: TestApp) {
    let fair = Fair::by(&app, "organizer@mitra.id")
        .running()
        .published()
        .await;
    let first = Employer::at(&app, &fair, "hr@satu.id", false).await;
    let second = Employer::at(&app, &fair, "hr@dua.id", false).await;
    let desk = Phone::signed_in(&app, "organizer@mitra.id").await;
    let list = format!("/desk/events/{}/employers", fair.event);
    desk.get(&list)
        .await
        .assert(200)
        .has("Menunggu keputusan")
        .has(&format!("employer-{}", first.company));

    let status_of = |company: &str| {
        text(
            &app,
            &format!("SELECT status AS t FROM participations WHERE organization_id = '{company}'"),
        )
    };
    let page = desk
        .post(&format!("{list}/{}/approve", first.company), &[])
        .await;
    page.assert(303);
    assert_eq!(page.location(), format!("{list}?done=approved"));
    assert_eq!(status_of(&first.company), "approved");
    desk.post(&format!("{list}/{}/reject", second.company), &[])
        .await
        .assert(303);
    assert_eq!(status_of(&second.company), "rejected");
    desk.get(&format!("{list}?done=approved"))
        .await
        .has("Perusahaan disetujui.")
        .has("Disetujui")
        .has("Ditolak");
    // The employer cannot decide for the fair.
    let employer = Phone::signed_in(&app, "hr@dua.id").await;
    let status = employer
        .post(&format!("{list}/{}/approve", second.company), &[])
        .await
        .status;
    assert_eq!(status, 403);
    assert_eq!(status_of(&second.company), "rejected");
    // Unknown decision: not found.
    desk.post(&format!("{list}/{}/maybe", second.company), &[])
        .await
        .assert(404);
}

async fn registrations_are_searched_by_name_phone_nik_or_code(app: TestApp) {
    let fair = Fair::by(&app, "organizer@cari.id")
        .starting(Utc::now() + Duration::days(7), 8)
        .published()
        .await;
    let siti = Seeker::with_profile(
        &app,
        "siti@cari.id",
        with(
            &profile("Siti Rahayu", "4321"),
            json!({"phone": "081234567890"}),
        ),
    )
    .await;
    let code = siti.register(&app, &fair.event).await;
    let budi = Seeker::new(&app, "budi@cari.id", "Budi Santoso", "8765").await;
    budi.register(&app, &fair.event).await;

    let desk = Phone::signed_in(&app, "organizer@cari.id").await;
    let list = format!("/desk/events/{}/registrations", fair.event);
    let all = desk.get(&list).await;
    all.assert(200)
        .has("Siti Rahayu")
        .has("Budi Santoso")
        .has("••••4321");
    // Never the NIK itself.
    assert!(!all.body.contains(&female_nik("4321")));

    let search = |q: &str| {
        let q = serde_urlencoded::to_string([("q", q)]).unwrap();
        format!("{list}?{q}")
    };
    let found = |page: &Page| {
        (
            page.body.contains("Siti Rahayu"),
            page.body.contains("Budi Santoso"),
        )
    };
    assert_eq!(found(&desk.get(&search("rahayu")).await), (true, false));
    assert_eq!(found(&desk.get(&search("SANTO")).await), (false, true));
    assert_eq!(found(&desk.get(&search("8765")).await), (false, true));
    assert_eq!(
        found(&desk.get(&search("0812-3456-7890")).await),
        (true, false)
    );
    // The code in lower case, with O for 0 and l for 1: still found.
    let typed: String = code.to_lowercase().replace('0', "o").replace('1', "l");
    assert_eq!(found(&desk.get(&search(&typed)).await), (true, false));
    let none = desk.get(&search("Joko")).await;
    none.assert(200).has("id=\"no-results\"");
    assert_eq!(found(&none), (false, false));
    desk.get(&search(&"x".repeat(101)))
        .await
        .assert(422)
        .has("id=\"q-error\"");
    // `%` is a character, not a wildcard.
    assert_eq!(found(&desk.get(&search("%")).await), (false, false));

    // The API's list takes the same search.
    let api = |q: &str| {
        let q = serde_urlencoded::to_string([("q", q)]).unwrap();
        format!("/api/v1/events/{}/registrations?{q}", fair.event)
    };
    let resp = app.get(&api("rahayu"), Some(&fair.organizer)).await;
    resp.assert(200);
    let items = resp.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["job_seeker_name"], "Siti Rahayu");
    assert_eq!(items[0]["job_seeker_nik_last4"], "4321");
    let resp = app.get(&api(&typed), Some(&fair.organizer)).await;
    assert_eq!(resp.body["items"].as_array().unwrap().len(), 1);
    app.get(&api(&"x".repeat(101)), Some(&fair.organizer))
        .await
        .assert(422);
}

/// A reported hire of `seeker` for the fair's vacancy: the placement id.
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

fn placement_status(app: &TestApp, id: &str) -> String {
    text(
        app,
        &format!("SELECT status AS t FROM placements WHERE id = '{id}'"),
    )
}

async fn placements_are_verified_rejected_and_given_a_link(app: TestApp) {
    let f = HiringFair::new(&app, "antrean").await;
    let mut placements = Vec::new();
    for (n, last4) in ["0011", "0012", "0013"].iter().enumerate() {
        let name = format!("Pekerja {last4}");
        let seeker = Seeker::new(&app, &format!("s{n}@antrean.id"), &name, last4).await;
        seeker.registered(&app, &f.event, Some(&f.organizer_id));
        let vacancy = f
            .post_vacancy(&app, &format!("Posisi {n}"), json!({}))
            .await;
        placements.push(report(&app, &f, &seeker, &vacancy).await);
    }
    let desk = Phone::signed_in(&app, "organizer@antrean.id").await;
    let queue = format!("/desk/events/{}/placements", f.event);
    desk.get(&queue)
        .await
        .assert(200)
        .has("Rp5.200.000")
        .has("<h2>Pekerja 0011</h2>")
        .has(&format!(
            "action=\"/desk/placements/{}/verify\"",
            placements[0]
        ));

    // Verify with a method.
    let page = desk
        .post(
            &format!("/desk/placements/{}/verify", placements[0]),
            &[("method", "phone"), ("note", "Ditelepon HRD")],
        )
        .await;
    page.assert(303);
    assert_eq!(page.location(), format!("{queue}?done=verified"));
    assert_eq!(placement_status(&app, &placements[0]), "verified");
    assert_eq!(
        text(
            &app,
            &format!(
                "SELECT verification_method AS t FROM placements WHERE id = '{}'",
                placements[0]
            )
        ),
        "phone"
    );
    // Reject: the note is required, beside its field.
    let reject = format!("/desk/placements/{}/reject", placements[1]);
    desk.post(&reject, &[("note", " ")])
        .await
        .assert(422)
        .has(&format!("id=\"reject-error-{}\"", placements[1]));
    assert_eq!(placement_status(&app, &placements[1]), "reported");
    desk.post(&reject, &[("note", "Tidak pernah bekerja di sana")])
        .await
        .assert(303);
    assert_eq!(placement_status(&app, &placements[1]), "retracted");

    // A confirmation link: the QR code and the absolute URL, once.
    let links = || {
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM placement_confirmations WHERE placement_id = '{}'",
            placements[2]
        ))
    };
    let issued_before = links();
    let page = desk
        .post(
            &format!("/desk/placements/{}/confirmation-link", placements[2]),
            &[],
        )
        .await;
    page.assert(201)
        .has("<svg class=\"qr\" role=\"img\"")
        .has("/placement-confirmations/");
    assert_eq!(
        page.headers.get("cache-control").unwrap().to_str().unwrap(),
        "no-store"
    );
    let url_start = page.body.find("id=\"link-url\"").unwrap();
    let value = &page.body[url_start..];
    let value = &value[value.find("value=\"").unwrap() + 7..];
    let url = &value[..value.find('"').unwrap()];
    assert!(url.starts_with("http"), "{url}");
    assert_eq!(links(), issued_before + 1);
    // The link works: its page answers.
    let path = &url[url.find("/placement-confirmations/").unwrap()..];
    Phone::new(&app).await.get(path).await.assert(200);

    // A verified placement takes no link: refused, nothing stored.
    let status = desk
        .post(
            &format!("/desk/placements/{}/confirmation-link", placements[0]),
            &[],
        )
        .await
        .status;
    assert_eq!(status, 409);
    // The employer is no staff: 403, nothing changes.
    let hr = Phone::signed_in(&app, "hr@antrean.id").await;
    let status = hr
        .post(
            &format!("/desk/placements/{}/verify", placements[2]),
            &[("method", "phone")],
        )
        .await
        .status;
    assert_eq!(status, 403);
    assert_eq!(placement_status(&app, &placements[2]), "reported");
}

async fn follow_ups_figures_audit_and_print_pages(app: TestApp) {
    let f = HiringFair::new(&app, "cetak").await;
    // One registered by staff (at the desk), one by herself.
    let desk_seeker = rows::seeker(&app, &f, Some("1990-01-01"), "female", "smk", false);
    rows::register(&app, &f, &desk_seeker, false);
    let own = Seeker::new(&app, "dewi@cetak.id", "Dewi Lestari", "0099").await;
    own.registered(&app, &f.event, None);
    let desk = Phone::signed_in(&app, "organizer@cetak.id").await;
    let hub = format!("/desk/events/{}", f.event);

    desk.get(&format!("{hub}/follow-ups"))
        .await
        .assert(200)
        .has("Tindak lanjut jatuh tempo");
    desk.get(&format!("{hub}/metrics"))
        .await
        .assert(200)
        .has("id=\"figures\"")
        .has("<dt>Pendaftar</dt><dd>2</dd>")
        .has("Rp150.000.000");
    desk.get(&format!("{hub}/audit"))
        .await
        .assert(200)
        .has("event.publish")
        .has("participation.approve");

    let tickets = desk.get(&format!("{hub}/print/tickets")).await;
    tickets
        .assert(200)
        .has("@page")
        .has("size: A4")
        .has("@media print")
        .has("Siti Rahayu")
        .has("<svg class=\"qr\"");
    assert!(!tickets.body.contains("Dewi Lestari"), "self-registered");
    let list = desk.get(&format!("{hub}/print/list")).await;
    list.assert(200)
        .has("@page")
        .has("Siti Rahayu")
        .has("Dewi Lestari")
        .has("class=\"tick\"")
        .has("••••0099");

    // Ministry staff read the figures; an employer does not.
    let hr = Phone::signed_in(&app, "hr@cetak.id").await;
    hr.get(&format!("{hub}/metrics")).await.assert(403);
    hr.get(&format!("{hub}/print/list")).await.assert(403);
    hr.get(&format!("{hub}/audit")).await.assert(403);
    app.user("ministry@cetak.id", Role::Ministry).await;
    let ministry = Phone::signed_in(&app, "ministry@cetak.id").await;
    ministry.get(&format!("{hub}/metrics")).await.assert(200);
    ministry.get("/desk").await.assert(200).has(&f.event);
    // Ministry staff see no codes to print.
    let tickets = ministry.get(&format!("{hub}/print/tickets")).await;
    tickets.assert(200);
    assert!(!tickets.body.contains("<svg class=\"qr\""));
}

async fn the_organization_and_its_members(app: TestApp) {
    let fair = Fair::by(&app, "owner@kantor.id").draft().await;
    app.user("staf@kantor.id", Role::Organizer).await;
    app.user("hr@kantor.id", Role::Employer).await;
    let desk = Phone::signed_in(&app, "owner@kantor.id").await;
    let org = format!("/desk/organizations/{}", fair.office);
    desk.get(&org)
        .await
        .assert(200)
        .has("organizer org")
        .has("Pemilik");

    let members = || {
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM memberships WHERE organization_id = '{}'",
            fair.office
        ))
    };
    // An employer's account cannot join an organizer office: beside the field.
    desk.post(
        &format!("{org}/members"),
        &[("email", "hr@kantor.id"), ("role", "member")],
    )
    .await
    .assert(422)
    .has("id=\"member-email-error\"");
    assert_eq!(members(), 1);
    let page = desk
        .post(
            &format!("{org}/members"),
            &[("email", "staf@kantor.id"), ("role", "member")],
        )
        .await;
    page.assert(303);
    assert_eq!(members(), 2);
    let staff_id = text(
        &app,
        "SELECT id AS t FROM users WHERE email = 'staf@kantor.id'",
    );
    desk.get(&format!("{org}?done=added"))
        .await
        .has("Anggota ditambahkan.")
        .has(&format!("member-{staff_id}"));
    // The new member sees the fair at their desk, but cannot manage members.
    let staff = Phone::signed_in(&app, "staf@kantor.id").await;
    staff.get("/desk").await.assert(200).has(&fair.event);
    let owner_id = &fair.organizer_id;
    staff
        .post(&format!("{org}/members/{owner_id}/remove"), &[])
        .await
        .assert(403);
    // The last owner stays.
    desk.post(&format!("{org}/members/{owner_id}/remove"), &[])
        .await
        .assert(409)
        .has("setidaknya satu pemilik");
    desk.post(&format!("{org}/members/{staff_id}/remove"), &[])
        .await
        .assert(303);
    assert_eq!(members(), 1);
    // Another office's staff: refused.
    Fair::by(&app, "organizer@lain.id").draft().await;
    let stranger = Phone::signed_in(&app, "organizer@lain.id").await;
    stranger.get(&org).await.assert(403);
}

async fn others_and_forms_without_csrf_change_nothing(app: TestApp) {
    let fair = Fair::by(&app, "organizer@aman.id").draft().await;
    let published = fair
        .another(&app)
        .starting(Utc::now() - Duration::hours(1), 8)
        .published()
        .await;
    let desk = Phone::signed_in(&app, "organizer@aman.id").await;
    let publish = format!("/desk/events/{}/publish", fair.event);
    // No token, or another one: 403 and nothing changes.
    desk.post_raw(&publish, &[]).await.assert(403);
    desk.post_raw(&publish, &[("csrf", "x".repeat(43).as_str())])
        .await
        .assert(403);
    assert_eq!(event_status(&app, &fair.event), "draft");
    desk.post_raw(
        &format!("/desk/events/{}/close", published.event),
        &[("spent", "1000")],
    )
    .await
    .assert(403);
    assert_eq!(event_status(&app, &published.event), "published");
    let before = app.count("events");
    let form = fair_form(&fair.office);
    desk.post_raw("/desk/events", &fields(&form))
        .await
        .assert(403);
    assert_eq!(app.count("events"), before);

    // Another organizer: a public fair of another office is 403, its draft 404.
    Fair::by(&app, "organizer@luar.id").draft().await;
    let before = app.count("events");
    let stranger = Phone::signed_in(&app, "organizer@luar.id").await;
    stranger.post(&publish, &[]).await.assert(404);
    stranger
        .post(&format!("/desk/events/{}/cancel", published.event), &[])
        .await
        .assert(403);
    stranger
        .get(&format!("/desk/events/{}/edit", published.event))
        .await
        .assert(403);
    assert_eq!(event_status(&app, &published.event), "published");
    // Creating a fair for another office: refused, nothing made.
    stranger
        .post("/desk/events", &fields(&form))
        .await
        .assert(403);
    assert_eq!(app.count("events"), before);
    // An employer cannot create a fair.
    Employer::new(&app, "hr@aman.id").await;
    let employer = Phone::signed_in(&app, "hr@aman.id").await;
    employer.get("/desk/events/new").await.assert(403);
    employer
        .post("/desk/events", &fields(&form))
        .await
        .assert(403);
    assert_eq!(app.count("events"), before);
    // A path that is no id: not found.
    desk.get("/desk/events/nope").await.assert(404);
}
