//! The employer's booth pages over plain HTTP (no JavaScript): joining a fair, posting, editing
//! and closing a vacancy with the occupation picked by search, recording a candidate by ticket
//! code, moving stages, contact consent, reporting hires one by one and from CSV and XLSX files
//! (with the templates), the figures and the badges; who may see what, and the database after.

use bursa::auth::Role;
use chrono::{Duration, Utc};
use diesel::prelude::*;
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{check_in, female_nik, profile, with, Employer, Fair, HiringFair, Seeker};
use crate::web::{send, Body, Phone};

db_tests!(
    join_then_post_edit_and_close_a_vacancy,
    record_a_candidate_by_code_and_move_stages,
    contact_shows_only_with_the_applicants_consent,
    hires_one_by_one_and_from_csv_and_xlsx,
    bad_files_get_a_clear_page,
    metrics_and_badges,
    other_employers_job_seekers_and_strangers_are_kept_out,
);

/// The (status, title, occupation_code) of a vacancy.
fn vacancy_row(app: &TestApp, id: &str) -> (String, String, String) {
    use bursa::db::schema::vacancies;
    vacancies::table
        .find(id)
        .select((
            vacancies::status,
            vacancies::title,
            vacancies::occupation_code,
        ))
        .first(&mut *app.conn())
        .expect("the vacancy")
}

/// The applications of a vacancy: (id, job seeker, status, share_contact).
fn applications_of(app: &TestApp, vacancy: &str) -> Vec<(String, String, String, bool)> {
    use bursa::db::schema::applications;
    applications::table
        .filter(applications::vacancy_id.eq(vacancy))
        .order(applications::applied_at.asc())
        .select((
            applications::id,
            applications::job_seeker_id,
            applications::status,
            applications::share_contact,
        ))
        .load(&mut *app.conn())
        .expect("applications")
}

/// A job seeker registered for the fair and checked in at its door: (seeker, ticket code).
async fn attendee(
    app: &TestApp,
    fair: &Fair,
    email: &str,
    name: &str,
    last4: &str,
) -> (Seeker, String) {
    let seeker = Seeker::new(app, email, name, last4).await;
    let code = seeker.register(app, &fair.event).await;
    check_in(app, &fair.event, &fair.organizer, &code).await;
    (seeker, code)
}

async fn join_then_post_edit_and_close_a_vacancy(app: TestApp) {
    let fair = Fair::by(&app, "organizer@join.id").published().await;
    let hr = Employer::new(&app, "hr@join.id").await;
    let phone = Phone::signed_in(&app, "hr@join.id").await;

    // The header links the booth; the booth lists the fair with its join form.
    let booth = phone.get("/booth").await;
    booth.assert(200).has("href=\"/booth\"");
    let join = format!("/booth/{}/fairs/{}/join", hr.company, fair.event);
    booth.has(&format!("action=\"{join}\""));
    let page = phone.post(&join, &[("booth", "A12")]).await;
    page.assert(303);
    assert_eq!(
        page.location(),
        format!("/booth/{}/fairs/{}", hr.company, fair.event)
    );
    assert_eq!(app.count("participations"), 1);
    phone
        .get(page.location())
        .await
        .assert(200)
        .has("Menunggu persetujuan penyelenggara");
    // Asking twice is explained and changes nothing.
    phone
        .post(&join, &[("booth", "A13")])
        .await
        .assert(409)
        .has("sudah mengajukan keikutsertaan");
    assert_eq!(app.count("participations"), 1);
    app.post(
        &format!(
            "/api/v1/events/{}/employers/{}/approve",
            fair.event, hr.company
        ),
        Some(&fair.organizer),
        json!({}),
    )
    .await
    .assert(200);

    // The fair's public page sends employer staff to the booth to join.
    phone
        .get(&format!("/events/{}", fair.event))
        .await
        .assert(200)
        .has("Ajukan keikutsertaan dan pasang lowongan");

    // The occupation is found by a GET search and chosen among the results.
    let new = format!("/booth/{}/fairs/{}/vacancies/new", hr.company, fair.event);
    phone
        .get(&format!("{new}?occupation_q=lifting+truck"))
        .await
        .assert(200)
        .has("value=\"8344\"")
        .has("Lifting truck operators");
    let fields = [
        ("title", "Operator Forklift"),
        ("occupation_code", "8344"),
        ("openings", "3"),
        ("employment_type", "contract"),
        ("salary_min_idr", "4.500.000"),
        ("location_province_code", "31"),
        ("location_city", "Jakarta Utara"),
    ];
    // Without an occupation (or with one that is no unit group): the error beside the field.
    for code in ["", "9999"] {
        let mut refused = fields.to_vec();
        refused[1] = ("occupation_code", code);
        phone
            .post(&new, &refused)
            .await
            .assert(422)
            .has("occupation_code-error")
            .has("Pilih jabatan dari hasil pencarian");
    }
    assert_eq!(app.count("vacancies"), 0);
    let page = phone.post(&new, &fields).await;
    page.assert(303);
    let vacancy: String = {
        use bursa::db::schema::vacancies;
        vacancies::table
            .select(vacancies::id)
            .first(&mut *app.conn())
            .unwrap()
    };
    assert_eq!(
        vacancy_row(&app, &vacancy),
        ("open".into(), "Operator Forklift".into(), "8344".into())
    );
    phone
        .get(page.location())
        .await
        .assert(200)
        .has("Operator Forklift")
        .has("8344 · Lifting truck operators");

    // Edit: the form comes filled in; a new occupation from another search is saved.
    let edit = format!("/booth/vacancies/{vacancy}/edit");
    phone
        .get(&format!("{edit}?occupation_q=welder"))
        .await
        .assert(200)
        .has("value=\"Operator Forklift\"")
        .has("value=\"7212\"");
    let mut changed = fields.to_vec();
    changed[0] = ("title", "Operator Forklift Senior");
    changed[1] = ("occupation_code", "7212");
    phone.post(&edit, &changed).await.assert(303);
    assert_eq!(
        vacancy_row(&app, &vacancy),
        (
            "open".into(),
            "Operator Forklift Senior".into(),
            "7212".into()
        )
    );
    // A bad salary comes back beside its field and changes nothing.
    changed[4] = ("salary_min_idr", "banyak");
    phone
        .post(&edit, &changed)
        .await
        .assert(422)
        .has("salary_min_idr-error");
    assert_eq!(vacancy_row(&app, &vacancy).1, "Operator Forklift Senior");

    // Close.
    phone
        .post(&format!("/booth/vacancies/{vacancy}/close"), &[])
        .await
        .assert(303);
    assert_eq!(vacancy_row(&app, &vacancy).0, "closed");
    // A closed vacancy is not changed.
    changed[4] = ("salary_min_idr", "");
    phone
        .post(&edit, &changed)
        .await
        .assert(409)
        .has("sudah ditutup");
}

async fn record_a_candidate_by_code_and_move_stages(app: TestApp) {
    let f = HiringFair::new(&app, "record").await;
    let (siti, code) = attendee(&app, &f, "siti@record.id", "Siti Rahayu", "0001").await;
    let phone = Phone::signed_in(&app, "hr@record.id").await;
    let pipeline = format!("/booth/vacancies/{}/applicants", f.vacancy);
    let candidates = format!("/booth/vacancies/{}/candidates", f.vacancy);
    phone
        .get(&pipeline)
        .await
        .assert(200)
        .has(&format!("action=\"{candidates}\""))
        .has("id=\"check_in_code\"");

    // An unknown code: the error beside the field, nothing written.
    phone
        .post(&candidates, &[("check_in_code", "ZZZZ-ZZZZ-ZZZZ")])
        .await
        .assert(422)
        .has("check_in_code-error")
        .has("tidak ditemukan di bursa kerja ini");
    assert!(applications_of(&app, &f.vacancy).is_empty());

    // The code typed carelessly (lower case, no hyphens, O for 0) is forgiven by the server.
    let typed = code.replace('-', "").to_lowercase().replace('0', "o");
    let page = phone.post(&candidates, &[("check_in_code", &typed)]).await;
    page.assert(303);
    assert!(page.location().contains("recorded=1"));
    let rows = applications_of(&app, &f.vacancy);
    assert_eq!(rows.len(), 1);
    let (application, seeker, status, shared) = rows[0].clone();
    assert_eq!(
        (seeker.as_str(), status.as_str(), shared),
        (siti.id.as_str(), "applied", false)
    );
    let page = phone.get(page.location()).await;
    page.assert(200)
        .has("Kandidat sudah dicatat")
        .has("Siti Rahayu")
        .has("tidak membagikan kontaknya")
        .has("WIB");
    assert!(!page.body.contains(&female_nik("0001")));
    // The same candidate again is explained.
    phone
        .post(&candidates, &[("check_in_code", &code)])
        .await
        .assert(409)
        .has("sudah tercatat");

    // Stages: the page offers the moves the domain allows, later stages included (an interview
    // on the spot skips the shortlist); going back is refused and explained.
    let status = format!("/booth/applications/{application}/status");
    page.has("value=\"shortlisted\"")
        .has("value=\"interviewed\"")
        .has("value=\"offered\"")
        .has("value=\"rejected\"");
    let moved = phone.post(&status, &[("status", "interviewed")]).await;
    moved.assert(303);
    assert!(moved
        .location()
        .ends_with(&format!("#application-{application}")));
    assert_eq!(applications_of(&app, &f.vacancy)[0].2, "interviewed");
    phone
        .post(&status, &[("status", "shortlisted")])
        .await
        .assert(409)
        .has("Tahap lamaran ini sudah berubah");
    assert_eq!(applications_of(&app, &f.vacancy)[0].2, "interviewed");
    phone
        .post(&status, &[("status", "offered")])
        .await
        .assert(303);
    let page = phone.get(&pipeline).await;
    page.assert(200).has("value=\"rejected\"");
    assert!(!page.body.contains("value=\"shortlisted\""));
    // The history: three steps as they happened, each with its local time.
    let history = page
        .body
        .split("class=\"history\"")
        .nth(1)
        .unwrap_or_default();
    let history = history.split("</ol>").next().unwrap_or_default();
    assert_eq!(history.matches("<li>").count(), 3, "{history}");
    assert_eq!(history.matches("WIB").count(), 3, "{history}");
    assert_eq!(crate::fixtures::transitions(&app, &application).len(), 3);
}

async fn contact_shows_only_with_the_applicants_consent(app: TestApp) {
    let f = HiringFair::new(&app, "consent").await;
    let contact = json!({"phone": "081234567890", "email": "ayu@example.com"});
    let ayu = Seeker::with_profile(
        &app,
        "ayu@consent.id",
        with(&profile("Ayu Lestari", "0002"), contact.clone()),
    )
    .await;
    let budi = Seeker::with_profile(
        &app,
        "budi@consent.id",
        with(
            &profile("Budi Santoso", "0003"),
            json!({"phone": "081299998888"}),
        ),
    )
    .await;
    ayu.register(&app, &f.event).await;
    budi.register(&app, &f.event).await;

    // The fair's apply form offers the choice in plain words.
    let ayu_phone = Phone::signed_in(&app, "ayu@consent.id").await;
    let apply = format!("/vacancies/{}/application", f.vacancy);
    ayu_phone
        .get(&format!("/events/{}", f.event))
        .await
        .assert(200)
        .has("name=\"share_contact\"")
        .has("melihat nomor telepon dan email saya");
    ayu_phone
        .post(&apply, &[("share_contact", "true")])
        .await
        .assert(303);
    // Budi applies through the API without the choice: false by default.
    app.post(
        &format!("/api/v1/vacancies/{}/applications", f.vacancy),
        Some(&budi.token),
        json!({}),
    )
    .await
    .assert(201);
    let rows = applications_of(&app, &f.vacancy);
    let shared: Vec<(String, bool)> = rows.iter().map(|r| (r.1.clone(), r.3)).collect();
    assert!(shared.contains(&(ayu.id.clone(), true)));
    assert!(shared.contains(&(budi.id.clone(), false)));

    // The API list: Ayu's contact, never Budi's.
    let list = app
        .get(
            &format!("/api/v1/vacancies/{}/applications", f.vacancy),
            Some(&f.employer),
        )
        .await;
    list.assert(200);
    for item in list.body["items"].as_array().unwrap() {
        let seeker = &item["job_seeker"];
        if item["job_seeker_id"] == json!(ayu.id) {
            assert_eq!(item["share_contact"], json!(true));
            assert_eq!(seeker["phone"], json!("081234567890"));
            assert_eq!(seeker["email"], json!("ayu@example.com"));
        } else {
            assert_eq!(item["share_contact"], json!(false));
            assert!(seeker.get("phone").is_none(), "{seeker}");
            assert!(seeker.get("email").is_none(), "{seeker}");
        }
    }
    // The page: the same.
    let hr = Phone::signed_in(&app, "hr@consent.id").await;
    let page = hr
        .get(&format!("/booth/vacancies/{}/applicants", f.vacancy))
        .await;
    page.assert(200).has("081234567890").has("ayu@example.com");
    assert!(!page.body.contains("081299998888"), "{}", page.body);

    // Only the job seeker chooses to share: an employer recording a candidate may not.
    let (_, code) = attendee(&app, &f, "cici@consent.id", "Cici", "0004").await;
    app.post(
        &format!("/api/v1/vacancies/{}/applications", f.vacancy),
        Some(&f.employer),
        json!({"check_in_code": code, "share_contact": true}),
    )
    .await
    .assert(422);
    assert_eq!(applications_of(&app, &f.vacancy).len(), 2);
}

fn placements_of(app: &TestApp, vacancy: &str) -> Vec<(String, i64)> {
    use bursa::db::schema::placements;
    placements::table
        .filter(placements::vacancy_id.eq(vacancy))
        .select((placements::job_seeker_id, placements::salary_idr))
        .load(&mut *app.conn())
        .expect("placements")
}

async fn hires_one_by_one_and_from_csv_and_xlsx(app: TestApp) {
    let f = HiringFair::new(&app, "hires").await;
    let (a, code_a) = attendee(&app, &f, "a@hires.id", "Ani", "0011").await;
    let (b, code_b) = attendee(&app, &f, "b@hires.id", "Bayu", "0012").await;
    let (c, _) = attendee(&app, &f, "c@hires.id", "Citra", "0013").await;
    let (d, code_d) = attendee(&app, &f, "d@hires.id", "Dewi", "0014").await;
    // Registered, never came in: their NIK is not taken.
    let absent = Seeker::new(&app, "e@hires.id", "Eka", "0015").await;
    absent.register(&app, &f.event).await;
    let phone = Phone::signed_in(&app, "hr@hires.id").await;
    let hires = format!("/booth/{}/fairs/{}/hires", f.company, f.event);
    let start = (Utc::now() + Duration::days(7)).date_naive().to_string();

    let page = phone.get(&hires).await;
    page.assert(200)
        .has("href=\"/booth/hires/template.xlsx\"")
        .has("href=\"/booth/hires/template.csv\"")
        .has("baris yang ditolak tidak mengubah apa pun");

    // One by one: a wrong code is an error beside the field, a good one is recorded.
    let mut form = vec![
        ("candidate", "QQQQ-QQQQ"),
        ("vacancy", f.vacancy.as_str()),
        ("start_date", start.as_str()),
        ("salary", "5.000.000"),
    ];
    phone
        .post(&hires, &form)
        .await
        .assert(422)
        .has("candidate-error");
    assert!(placements_of(&app, &f.vacancy).is_empty());
    form[0] = ("candidate", code_a.as_str());
    phone
        .post(&hires, &form)
        .await
        .assert(200)
        .has("sudah dilaporkan");
    assert_eq!(
        placements_of(&app, &f.vacancy),
        vec![(a.id.clone(), 5_000_000)]
    );

    // A CSV (Excel's `;`): good rows recorded, refused ones with their reason, nothing of them
    // written.
    let csv = format!(
        "kode_tiket_atau_nik;lowongan;tanggal_mulai;gaji_rp\n\
         {code_b};Forklift Operator;{start};4.800.000\n\
         {nik_c};forklift operator;{start};Rp 4.700.000\n\
         {nik_e};Forklift Operator;{start};4.700.000\n\
         NOPE-NOPE-NOPE;Forklift Operator;{start};4000000\n\
         {code_d};Forklift Operator;kemarin;4000000\n\
         {code_d};Tukang Las;{start};4000000\n\
         {code_a};Forklift Operator;{start};4000000\n",
        nik_c = female_nik("0013"),
        nik_e = female_nik("0015"),
    );
    let page = phone
        .upload(&format!("{hires}/upload"), "hires.csv", csv.as_bytes())
        .await;
    page.assert(200)
        .has("Dicatat: 2 · Ditolak: 5")
        .has("NIK ••••0013")
        .has("Tidak ada peserta yang hadir")
        .has("Kode tiket ini tidak ditemukan")
        .has("tanggal mulai kerja yang valid")
        .has("Pilih salah satu lowongan Anda");
    assert!(!page.body.contains(&female_nik("0013")));
    let mut placed: Vec<String> = placements_of(&app, &f.vacancy)
        .into_iter()
        .map(|p| p.0)
        .collect();
    placed.sort();
    let mut expected = vec![a.id.clone(), b.id.clone(), c.id.clone()];
    expected.sort();
    assert_eq!(placed, expected);

    // An XLSX with a real date cell and a number.
    let mut workbook = rust_xlsxwriter::Workbook::new();
    let sheet = workbook.add_worksheet();
    for (col, title) in [
        "kode_tiket_atau_nik",
        "lowongan",
        "tanggal_mulai",
        "gaji_rp",
    ]
    .iter()
    .enumerate()
    {
        sheet.write_string(0, col as u16, *title).unwrap();
    }
    sheet.write_string(1, 0, &code_d).unwrap();
    sheet.write_string(1, 1, "Forklift Operator").unwrap();
    let date = rust_xlsxwriter::ExcelDateTime::parse_from_str(&start).unwrap();
    let format = rust_xlsxwriter::Format::new().set_num_format("yyyy-mm-dd");
    sheet
        .write_datetime_with_format(1, 2, &date, &format)
        .unwrap();
    sheet.write_number(1, 3, 4_600_000.0).unwrap();
    let bytes = workbook.save_to_buffer().unwrap();
    phone
        .upload(&format!("{hires}/upload"), "hires.xlsx", &bytes)
        .await
        .assert(200)
        .has("Dicatat: 1 · Ditolak: 0");
    assert!(placements_of(&app, &f.vacancy).contains(&(d.id.clone(), 4_600_000)));

    // The templates: the same header in both formats.
    let csv = phone.get("/booth/hires/template.csv").await;
    csv.assert(200);
    assert_eq!(
        csv.body.trim(),
        "kode_tiket_atau_nik,lowongan,tanggal_mulai,gaji_rp"
    );
    let xlsx = send(&app, "GET", "/booth/hires/template.xlsx", None, Body::None).await;
    xlsx.assert(200);
    assert!(xlsx.body.starts_with("PK"));
    phone.get("/booth/hires/template.pdf").await.assert(404);
}

async fn bad_files_get_a_clear_page(app: TestApp) {
    let f = HiringFair::new(&app, "badfile").await;
    let phone = Phone::signed_in(&app, "hr@badfile.id").await;
    let upload = format!("/booth/{}/fairs/{}/hires/upload", f.company, f.event);
    phone
        .upload(&upload, "photo.png", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
        .await
        .assert(422)
        .has("bukan lembar kerja");
    phone
        .upload(&upload, "fake.xlsx", b"PK\x03\x04 not really a zip")
        .await
        .assert(422)
        .has("bukan lembar kerja");
    phone
        .upload(&upload, "wrong.csv", b"nama,lowongan\nSiti,Operator\n")
        .await
        .assert(422)
        .has("Yang belum ada: kode_tiket_atau_nik, tanggal_mulai, gaji_rp");
    phone
        .upload(
            &upload,
            "empty.csv",
            b"kode_tiket_atau_nik,lowongan,tanggal_mulai,gaji_rp\n",
        )
        .await
        .assert(422)
        .has("tidak berisi baris data");
    let mut long = String::from("kode_tiket_atau_nik,lowongan,tanggal_mulai,gaji_rp\n");
    for n in 0..501 {
        long.push_str(&format!("CODE-{n},Forklift Operator,2026-12-20,4000000\n"));
    }
    phone
        .upload(&upload, "long.csv", long.as_bytes())
        .await
        .assert(422)
        .has("lebih dari 500 baris");
    // A form that is no multipart upload at all.
    phone
        .post(&upload, &[("file", "x")])
        .await
        .assert(400)
        .has("tidak dapat dibaca");
    assert_eq!(app.count("placements"), 0);
}

async fn metrics_and_badges(app: TestApp) {
    let f = HiringFair::new(&app, "figures").await;
    let (_, code) = attendee(&app, &f, "a@figures.id", "Ani", "0021").await;
    app.post(
        "/api/v1/placements",
        Some(&f.employer),
        json!({
            "vacancy_id": f.vacancy, "check_in_code": code,
            "start_date": (Utc::now() + Duration::days(3)).date_naive().to_string(),
            "salary_idr": 4_000_000, "contract_type": "contract", "occupation_code": "8344",
        }),
    )
    .await
    .assert(201);
    let phone = Phone::signed_in(&app, "hr@figures.id").await;
    let page = phone.get(&format!("/booth/{}/metrics", f.company)).await;
    page.assert(200)
        .has("Penerimaan dilaporkan")
        .has("class=\"reported\">1<");
    let badges = phone
        .get(&format!("/booth/{}/fairs/{}/badges", f.company, f.event))
        .await;
    badges
        .assert(200)
        .has("class=\"badge\"")
        .has("svg")
        .has("booth-badges.css");
    let (_, token) = (&f.employer_id, &f.employer);
    let me = app.get("/api/v1/me", Some(token)).await;
    let name = me.body["full_name"].as_str().unwrap_or_default().to_owned();
    badges.has(&name);
}

async fn other_employers_job_seekers_and_strangers_are_kept_out(app: TestApp) {
    let f = HiringFair::new(&app, "keepout").await;
    let (_, code) = attendee(&app, &f, "a@keepout.id", "Ani", "0031").await;
    let application = app
        .post(
            &format!("/api/v1/vacancies/{}/applications", f.vacancy),
            Some(&f.employer),
            json!({"check_in_code": code}),
        )
        .await
        .assert(201)
        .id();
    let _other = Employer::at(&app, &f, "hr@other.id", true).await;
    app.user("seeker@keepout.id", Role::JobSeeker).await;
    let other = Phone::signed_in(&app, "hr@other.id").await;
    let seeker = Phone::signed_in(&app, "seeker@keepout.id").await;
    let stranger = Phone::new(&app).await;

    let booth_fair = format!("/booth/{}/fairs/{}", f.company, f.event);
    let pages = [
        booth_fair.clone(),
        format!("/booth/vacancies/{}/applicants", f.vacancy),
        format!("/booth/vacancies/{}/edit", f.vacancy),
        format!("{booth_fair}/hires"),
        format!("{booth_fair}/badges"),
        format!("{booth_fair}/vacancies/new"),
        format!("/booth/{}/metrics", f.company),
    ];
    for path in &pages {
        let page = other.get(path).await;
        assert!(matches!(page.status, 403 | 404), "{path}: {}", page.status);
        assert!(!page.body.contains("Ani"), "{path}");
        let page = seeker.get(path).await;
        assert!(matches!(page.status, 403 | 404), "{path}: {}", page.status);
        let page = stranger.get(path).await;
        page.assert(303);
        assert!(page.location().starts_with("/sign-in?next="), "{path}");
    }
    seeker.get("/booth").await.assert(403);
    stranger.get("/booth").await.assert(303);

    // Their actions change nothing.
    let page = other
        .post(
            &format!("/booth/applications/{application}/status"),
            &[("status", "shortlisted")],
        )
        .await;
    assert!(matches!(page.status, 403 | 404), "{}", page.status);
    other
        .post(&format!("/booth/vacancies/{}/close", f.vacancy), &[])
        .await;
    assert_eq!(vacancy_row(&app, &f.vacancy).0, "open");
    let page = other
        .post(
            &format!("{booth_fair}/hires"),
            &[
                ("candidate", &code),
                ("vacancy", &f.vacancy),
                ("start_date", "2026-12-20"),
                ("salary", "1"),
            ],
        )
        .await;
    assert!(matches!(page.status, 403 | 404), "{}", page.status);
    assert_eq!(applications_of(&app, &f.vacancy)[0].2, "applied");
    assert_eq!(app.count("placements"), 0);

    // Without the form's token: refused.
    let hr = Phone::signed_in(&app, "hr@keepout.id").await;
    let page = send(
        &app,
        "POST",
        &format!("/booth/applications/{application}/status"),
        Some(&hr.cookie()),
        Body::Form(&[("status", "shortlisted")]),
    )
    .await;
    page.assert(403);
    assert_eq!(applications_of(&app, &f.vacancy)[0].2, "applied");
}
