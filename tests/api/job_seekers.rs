//! Job seekers: one profile per account and per NIK, the NIK checked and never stored nor shown,
//! walk-ins recorded by staff, who reads a profile, and who changes what.

use bursa::auth::Role;
use bursa::db::schema::job_seekers;
use chrono::{Datelike, Months, NaiveDate, Utc};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{Resp, TestApp};
use crate::db_tests;
use crate::fixtures::{female_nik, profile, rows, with};

db_tests!(
    a_job_seeker_creates_one_profile_of_their_own,
    a_nik_belongs_to_one_job_seeker,
    nik_errors_name_the_field_and_never_echo_the_nik,
    the_nik_must_agree_with_gender_birth_date_and_age,
    invalid_profiles_are_refused_with_every_field_and_nothing_is_written,
    organizers_and_admins_record_walk_ins_and_other_roles_cannot_create,
    profiles_are_read_by_the_person_staff_and_organizers_of_their_fairs,
    the_person_changes_their_profile_within_the_rules,
    walk_ins_are_changed_by_who_recorded_them_and_readers_get_403,
);

const SITI_NIK: &str = "3174015508950002";
const PROFILES: &str = "/api/v1/job-seekers";
const ME: &str = "/api/v1/me/job-seeker";

/// A valid body for a woman born 1995-08-15; `nik` must encode that (`female_nik`).
fn siti(nik: &str) -> Value {
    with(
        &profile("Siti Rahayu", "0000"),
        json!({"nik": nik, "phone": "081234567890", "email": "siti@example.com"}),
    )
}

/// A valid body for a man born 1995-08-15; `nik` must encode that (`male_nik`).
fn budi(nik: &str) -> Value {
    json!({
        "full_name": "Budi Santoso",
        "nik": nik,
        "birth_date": "1995-08-15",
        "gender": "male",
        "education_level": "s1",
        "province_code": "31",
        "city": "Jakarta Selatan",
        "disability": false,
        "consent": true
    })
}

/// A NIK of a man born 1995-08-15 in Jakarta, unique by its last four digits.
fn male_nik(last4: &str) -> String {
    format!("317401150895{last4}")
}

/// A man's NIK for the birth date `born`.
fn nik_born(born: NaiveDate, last4: &str) -> String {
    format!(
        "317401{:02}{:02}{:02}{last4}",
        born.day(),
        born.month(),
        born.year().rem_euclid(100)
    )
}

/// The id in a 409's details.
fn conflicting_id(resp: &Resp) -> String {
    let details = resp.body["error"]["details"].as_array().unwrap();
    assert_eq!(details.len(), 1, "{}", resp.body);
    assert_eq!(details[0]["field"], "job_seeker_id", "{}", resp.body);
    details[0]["message"].as_str().unwrap().to_owned()
}

/// The profile as stored (the NIK hash aside), to check what changed and what did not.
fn stored(app: &TestApp, id: &str) -> Value {
    let row = bursa::job_seekers::find(&mut app.conn(), id)
        .unwrap()
        .unwrap_or_else(|| panic!("job seeker {id} in the database"));
    serde_json::to_value(row).unwrap()
}

fn stored_nik_hash(app: &TestApp, id: &str) -> String {
    job_seekers::table
        .find(id)
        .select(job_seekers::nik_hash)
        .first(&mut app.conn())
        .unwrap()
}

fn stored_created_by(app: &TestApp, id: &str) -> String {
    job_seekers::table
        .find(id)
        .select(job_seekers::created_by)
        .first(&mut app.conn())
        .unwrap()
}

/// Registers `job_seeker` for `event` directly in the database (there is no API for it here).
fn register(app: &TestApp, event: &str, job_seeker: &str, by: &str) {
    rows::registration(app, event, job_seeker, by, None);
}

/// The id of the holder of `token`.
async fn user_id(app: &TestApp, token: &str) -> String {
    let me = app.get("/api/v1/me", Some(token)).await;
    me.assert(200);
    me.id()
}

/// A 422 naming exactly `fields` (in any order), whose body never repeats `nik`.
#[track_caller]
fn assert_invalid(resp: &Resp, fields: &[&str], nik: &str, case: &str) {
    assert_eq!(resp.status, 422, "{case}: {}", resp.body);
    assert_eq!(resp.code(), "validation_failed", "{case}");
    let mut got = resp.fields();
    got.sort();
    let mut want: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
    want.sort();
    assert_eq!(got, want, "{case}: {}", resp.body);
    assert!(
        nik.is_empty() || !resp.body.to_string().contains(nik),
        "{case}: the error repeats the NIK: {}",
        resp.body
    );
}

async fn a_job_seeker_creates_one_profile_of_their_own(app: TestApp) {
    let (siti_id, token) = app.user("siti@example.com", Role::JobSeeker).await;
    let none = app.get(ME, Some(&token)).await;
    none.assert(404);
    assert_eq!(none.code(), "not_found");
    app.get(ME, None).await.assert(401);

    let created = app.post(PROFILES, Some(&token), siti(SITI_NIK)).await;
    created.assert(201);
    let id = created.id();
    let body = &created.body;
    assert_eq!(body["user_id"], siti_id.as_str());
    assert_eq!(body["full_name"], "Siti Rahayu");
    assert_eq!(body["nik_last4"], "0002");
    assert_eq!(body["birth_date"], "1995-08-15");
    assert_eq!(body["gender"], "female");
    assert_eq!(body["education_level"], "smk");
    assert_eq!(body["province_code"], "31");
    assert_eq!(body["city"], "Jakarta Timur");
    assert_eq!(body["disability"], false);
    assert_eq!(body["disability_type"], Value::Null);
    assert_eq!(body["phone"], "081234567890");
    assert_eq!(body["email"], "siti@example.com");
    assert!(
        body["consent_at"].as_str().unwrap().ends_with('Z'),
        "{body}"
    );
    assert_eq!(body["consent_recorded_by"], siti_id.as_str());
    assert!(body["created_at"].is_string() && body["updated_at"].is_string());
    for hidden in ["nik", "nik_hash", "created_by", "consent"] {
        assert!(body.get(hidden).is_none(), "{hidden} shown: {body}");
    }
    assert!(
        !body.to_string().contains(SITI_NIK),
        "the NIK is shown: {body}"
    );

    // Stored as a keyed hash only: not the NIK, not its plain SHA-256, but 64 hex digits.
    let hash = stored_nik_hash(&app, &id);
    assert_ne!(hash, SITI_NIK);
    assert!(!hash.contains(SITI_NIK));
    assert_eq!(hash.len(), 64, "{hash}");
    assert!(
        hash.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)),
        "{hash}"
    );
    let plain: String = {
        use sha2::{Digest, Sha256};
        Sha256::digest(SITI_NIK.as_bytes())
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    };
    assert_ne!(hash, plain, "the NIK hash must be keyed");
    assert_eq!(stored_created_by(&app, &id), siti_id);
    assert_eq!(stored(&app, &id), created.body);

    let mine = app.get(ME, Some(&token)).await;
    mine.assert(200);
    assert_eq!(mine.body, created.body);
    let one = app.get(&format!("{PROFILES}/{id}"), Some(&token)).await;
    one.assert(200);
    assert_eq!(one.body, created.body);
    assert!(!one.body.to_string().contains(SITI_NIK));

    // One profile per account, whatever the NIK.
    for nik in [female_nik("0003"), SITI_NIK.to_owned()] {
        let again = app.post(PROFILES, Some(&token), siti(&nik)).await;
        again.assert(409);
        assert_eq!(again.code(), "profile_exists");
        assert_eq!(conflicting_id(&again), id);
        assert!(!again.body.to_string().contains(&nik));
    }
    assert_eq!(app.count("job_seekers"), 1);
    assert_eq!(stored(&app, &id), created.body);
}

async fn a_nik_belongs_to_one_job_seeker(app: TestApp) {
    let (_, siti_token) = app.user("siti@example.com", Role::JobSeeker).await;
    let siti_id = app
        .post(PROFILES, Some(&siti_token), siti(SITI_NIK))
        .await
        .assert(201)
        .id();

    // Another account with the same NIK, however it is padded.
    let (_, other) = app.user("impostor@example.com", Role::JobSeeker).await;
    for nik in [SITI_NIK.to_owned(), format!("  {SITI_NIK} ")] {
        let taken = app.post(PROFILES, Some(&other), siti(&nik)).await;
        taken.assert(409);
        assert_eq!(taken.code(), "nik_registered");
        // It names no one (issue 11).
        assert!(!taken.body.to_string().contains(&siti_id));
        assert!(!taken.body.to_string().contains(SITI_NIK));
    }
    app.get(ME, Some(&other)).await.assert(404);

    // A walk-in with the same NIK.
    let (_, organizer) = app.user("petugas@disnaker.id", Role::Organizer).await;
    let walk_in = app.post(PROFILES, Some(&organizer), siti(SITI_NIK)).await;
    walk_in.assert(409);
    assert_eq!(walk_in.code(), "nik_registered");
    assert!(!walk_in.body.to_string().contains(&siti_id));
    assert_eq!(app.count("job_seekers"), 1);

    // And the other way: a walk-in's NIK cannot be claimed by an account either.
    let walk_in_id = app
        .post(PROFILES, Some(&organizer), budi(&male_nik("0001")))
        .await
        .assert(201)
        .id();
    let (_, budi_token) = app.user("budi@example.com", Role::JobSeeker).await;
    let claimed = app
        .post(PROFILES, Some(&budi_token), budi(&male_nik("0001")))
        .await;
    claimed.assert(409);
    assert_eq!(claimed.code(), "nik_registered");
    assert!(!claimed.body.to_string().contains(&walk_in_id));
    let admin = app.admin_token().await;
    let by_admin = app
        .post(PROFILES, Some(&admin), budi(&male_nik("0001")))
        .await;
    by_admin.assert(409);
    assert_eq!(by_admin.code(), "nik_registered");
    assert_eq!(app.count("job_seekers"), 2);

    // A different NIK is a different person.
    app.post(PROFILES, Some(&other), siti(&female_nik("0003")))
        .await
        .assert(201);
    assert_eq!(app.count("job_seekers"), 3);
}

async fn nik_errors_name_the_field_and_never_echo_the_nik(app: TestApp) {
    let (_, token) = app.user("siti@example.com", Role::JobSeeker).await;
    for (nik, case) in [
        ("317401550895000", "15 digits"),
        ("31740155089500021", "17 digits"),
        ("31740155089500a2", "a letter"),
        ("3174-15508950002", "a dash"),
        ("9974015508950002", "unknown province 99"),
        ("0074015508950002", "unknown province 00"),
        ("3174017208950002", "day 32 (72 for a woman)"),
        ("3174013208950002", "day 32"),
        ("3174015513950002", "month 13"),
        ("3174014008950002", "day 0 for a woman"),
        ("", "empty"),
    ] {
        let resp = app.post(PROFILES, Some(&token), siti(nik)).await;
        assert_invalid(&resp, &["nik"], nik, case);
        // The message says what is wrong with it, without the digits.
        let message = resp.body["error"]["details"][0]["message"]
            .as_str()
            .unwrap();
        assert!(!message.is_empty());
        assert!(
            nik.len() < 6 || !message.contains(&nik[..6]),
            "{case}: {message}"
        );
    }

    // A NIK sent as a number (which would lose leading zeros) or of another type.
    for (nik, case) in [
        (json!(3174015508950002_u64), "a number"),
        (json!(3.174015508950002e15), "a float"),
        (json!([SITI_NIK]), "an array"),
        (json!({"nik": SITI_NIK}), "an object"),
    ] {
        let mut body = siti(SITI_NIK);
        body["nik"] = nik;
        let resp = app.post(PROFILES, Some(&token), body).await;
        assert_invalid(&resp, &["nik"], SITI_NIK, case);
        assert!(
            !resp.body.to_string().contains("3174015"),
            "{case}: {}",
            resp.body
        );
    }
    let missing = app
        .post(
            PROFILES,
            Some(&token),
            with(&siti(SITI_NIK), json!({"nik": null})),
        )
        .await;
    assert_invalid(&missing, &["nik"], "", "missing");
    let null = app
        .post(PROFILES, Some(&token), {
            let mut body = siti(SITI_NIK);
            body["nik"] = Value::Null;
            body
        })
        .await;
    assert_invalid(&null, &["nik"], "", "null");

    assert_eq!(app.count("job_seekers"), 0);
    app.get(ME, Some(&token)).await.assert(404);
}

async fn the_nik_must_agree_with_gender_birth_date_and_age(app: TestApp) {
    let (_, token) = app.user("siti@example.com", Role::JobSeeker).await;
    let today = Utc::now().date_naive();
    let fifteen = today.checked_sub_months(Months::new(12 * 15)).unwrap();
    let too_young = fifteen.succ_opt().unwrap();
    let child = today.checked_sub_months(Months::new(12 * 10)).unwrap();

    let cases: Vec<(Value, &[&str], &str)> = vec![
        // A woman's NIK (day + 40) with a man's gender, and the other way round.
        (
            with(&siti(SITI_NIK), json!({"gender": "male"})),
            &["gender"],
            "female NIK, gender male",
        ),
        (
            with(&budi(&male_nik("0001")), json!({"gender": "female"})),
            &["gender"],
            "male NIK, gender female",
        ),
        (
            with(&siti(SITI_NIK), json!({"birth_date": "1995-08-16"})),
            &["birth_date"],
            "another day",
        ),
        (
            with(&siti(SITI_NIK), json!({"birth_date": "1995-09-15"})),
            &["birth_date"],
            "another month",
        ),
        (
            with(&siti(SITI_NIK), json!({"birth_date": "1996-08-15"})),
            &["birth_date"],
            "another year",
        ),
        (
            with(&siti(SITI_NIK), json!({"birth_date": "1995-08-55"})),
            &["birth_date"],
            "not a date",
        ),
        (
            with(
                &siti(SITI_NIK),
                json!({"gender": "male", "birth_date": "1995-08-16"}),
            ),
            &["birth_date", "gender"],
            "both disagree",
        ),
        // Under 15, by the given birth date or (when none is given) by the NIK's.
        (
            with(
                &budi(&nik_born(child, "0001")),
                json!({"birth_date": child.to_string()}),
            ),
            &["birth_date"],
            "ten years old",
        ),
        (
            with(
                &budi(&nik_born(too_young, "0001")),
                json!({"birth_date": too_young.to_string()}),
            ),
            &["birth_date"],
            "fifteen tomorrow",
        ),
        (
            with(&budi(&nik_born(child, "0001")), json!({"birth_date": null})),
            &["nik"],
            "ten years old by the NIK",
        ),
        (
            with(
                &budi(&nik_born(too_young, "0001")),
                json!({"birth_date": null}),
            ),
            &["nik"],
            "fifteen tomorrow by the NIK",
        ),
        (
            with(
                &budi(&male_nik("0001")),
                json!({"birth_date": (today + chrono::Days::new(1)).to_string()}),
            ),
            &["birth_date"],
            "born tomorrow",
        ),
    ];
    for (body, fields, case) in cases {
        let nik = body["nik"].as_str().unwrap().to_owned();
        let resp = app.post(PROFILES, Some(&token), body).await;
        assert_invalid(&resp, fields, &nik, case);
    }
    assert_eq!(app.count("job_seekers"), 0);

    // Fifteen today is old enough.
    let ok = app
        .post(
            PROFILES,
            Some(&token),
            with(
                &budi(&nik_born(fifteen, "0001")),
                json!({"birth_date": fifteen.to_string()}),
            ),
        )
        .await;
    ok.assert(201);
    assert_eq!(ok.body["birth_date"], fifteen.to_string());
    assert_eq!(ok.body["gender"], "male");
    assert_eq!(app.count("job_seekers"), 1);
}

async fn invalid_profiles_are_refused_with_every_field_and_nothing_is_written(app: TestApp) {
    let (_, token) = app.user("siti@example.com", Role::JobSeeker).await;
    let valid = siti(SITI_NIK);
    let cases: Vec<(Value, &[&str], &str)> = vec![
        (
            with(&valid, json!({"consent": false})),
            &["consent"],
            "consent false",
        ),
        (
            with(&valid, json!({"consent": null})),
            &["consent"],
            "consent missing",
        ),
        (
            with(&valid, json!({"consent": "yes"})),
            &["consent"],
            "consent a string",
        ),
        (
            with(&valid, json!({"disability_type": "tunanetra"})),
            &["disability_type"],
            "disability type without disability",
        ),
        (
            with(&valid, json!({"phone": "0812-3456-7890"})),
            &["phone"],
            "phone with dashes",
        ),
        (
            with(&valid, json!({"phone": "1234567"})),
            &["phone"],
            "phone too short",
        ),
        (
            with(&valid, json!({"phone": "08123456789012345"})),
            &["phone"],
            "phone too long",
        ),
        (
            with(&valid, json!({"email": "siti@"})),
            &["email"],
            "bad email",
        ),
        (
            with(&valid, json!({"province_code": "99"})),
            &["province_code"],
            "unknown province",
        ),
        (
            with(&valid, json!({"province_code": null})),
            &["province_code"],
            "no province",
        ),
        (
            with(&valid, json!({"education_level": "phd"})),
            &["education_level"],
            "bad education",
        ),
        (
            with(&valid, json!({"gender": "other"})),
            &["gender"],
            "bad gender",
        ),
        (
            with(&valid, json!({"gender": null})),
            &["gender"],
            "no gender",
        ),
        (
            with(&valid, json!({"full_name": "   "})),
            &["full_name"],
            "blank name",
        ),
        (
            with(&valid, json!({"full_name": "x".repeat(201)})),
            &["full_name"],
            "long name",
        ),
        (with(&valid, json!({"city": null})), &["city"], "no city"),
        (
            with(&valid, json!({"disability": null})),
            &["disability"],
            "no disability",
        ),
        (
            with(&valid, json!({"religion": "islam"})),
            &["religion"],
            "unknown field",
        ),
        (
            with(&valid, json!({"nik_last4": "0002"})),
            &["nik_last4"],
            "a read-only field",
        ),
        (
            with(&valid, json!({"user_id": uuid::Uuid::new_v4().to_string()})),
            &["user_id"],
            "someone else's account",
        ),
        // Every invalid field at once.
        (
            with(
                &valid,
                json!({
                    "full_name": " ",
                    "nik": "317401550895000",
                    "education_level": null,
                    "province_code": "00",
                    "city": null,
                    "phone": "12",
                    "email": "not an email",
                    "disability_type": "tunarungu",
                    "consent": false
                }),
            ),
            &[
                "full_name",
                "nik",
                "education_level",
                "province_code",
                "city",
                "phone",
                "email",
                "disability_type",
                "consent",
            ],
            "everything wrong",
        ),
        (
            json!({}),
            &[
                "full_name",
                "nik",
                "gender",
                "education_level",
                "province_code",
                "city",
                "disability",
                "consent",
            ],
            "empty body",
        ),
    ];
    for (body, fields, case) in cases {
        let resp = app.post(PROFILES, Some(&token), body).await;
        assert_invalid(&resp, fields, SITI_NIK, case);
        assert_eq!(app.count("job_seekers"), 0, "{case}");
    }
    app.post(PROFILES, Some(&token), json!([valid.clone()]))
        .await
        .assert(422);
    app.get(ME, Some(&token)).await.assert(404);
    assert_eq!(app.count("job_seekers"), 0);

    // The optional fields may be left out or blank, and values are normalised.
    let minimal = app
        .post(
            PROFILES,
            Some(&token),
            json!({
                "full_name": "  Siti Rahayu  ",
                "nik": format!(" {SITI_NIK} "),
                "gender": "female",
                "education_level": "sd",
                "province_code": "31",
                "city": " Jakarta Timur ",
                "disability": true,
                "disability_type": "tunarungu",
                "phone": "  ",
                "email": " Siti@Example.COM ",
                "consent": true
            }),
        )
        .await;
    minimal.assert(201);
    let body = &minimal.body;
    assert_eq!(body["full_name"], "Siti Rahayu");
    assert_eq!(body["city"], "Jakarta Timur");
    assert_eq!(body["nik_last4"], "0002");
    // The birth date comes from the NIK when not given.
    assert_eq!(body["birth_date"], "1995-08-15");
    assert_eq!(body["disability"], true);
    assert_eq!(body["disability_type"], "tunarungu");
    assert_eq!(body["phone"], Value::Null);
    assert_eq!(body["email"], "siti@example.com");
    assert_eq!(stored(&app, &minimal.id()), minimal.body);
    // Padding does not make another NIK.
    assert_eq!(
        stored_nik_hash(&app, &minimal.id()),
        bursa::job_seekers::nik_hash(&app.state.nik_key, SITI_NIK)
    );
    assert_eq!(app.count("job_seekers"), 1);
}

async fn organizers_and_admins_record_walk_ins_and_other_roles_cannot_create(app: TestApp) {
    let (_, employer) = app.user("hr@pabrik.co.id", Role::Employer).await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    for (token, who) in [(&employer, "employer"), (&ministry, "ministry")] {
        let resp = app.post(PROFILES, Some(token), siti(SITI_NIK)).await;
        assert_eq!(resp.status, 403, "{who}: {}", resp.body);
        assert_eq!(resp.code(), "forbidden");
        // Refused before the body is looked at.
        app.post(PROFILES, Some(token), json!({})).await.assert(403);
    }
    let anonymous = app.post(PROFILES, None, siti(SITI_NIK)).await;
    anonymous.assert(401);
    assert!(anonymous.header("www-authenticate").is_some());
    assert_eq!(app.count("job_seekers"), 0);

    // An organizer records a walk-in: tied to no account, consent recorded by the organizer.
    let (organizer_id, organizer) = app.user("petugas@disnaker.id", Role::Organizer).await;
    let walk_in = app.post(PROFILES, Some(&organizer), siti(SITI_NIK)).await;
    walk_in.assert(201);
    assert_eq!(walk_in.body["user_id"], Value::Null);
    assert_eq!(walk_in.body["consent_recorded_by"], organizer_id.as_str());
    assert!(walk_in.body["consent_at"].is_string());
    assert_eq!(walk_in.body["nik_last4"], "0002");
    assert!(!walk_in.body.to_string().contains(SITI_NIK));
    assert_eq!(stored_created_by(&app, &walk_in.id()), organizer_id);
    assert_eq!(stored(&app, &walk_in.id()), walk_in.body);
    // Walk-ins are not the organizer's own profile, and an organizer may record several.
    app.get(ME, Some(&organizer)).await.assert(404);
    let second = app
        .post(PROFILES, Some(&organizer), budi(&male_nik("0001")))
        .await;
    second.assert(201);
    assert_eq!(second.body["user_id"], Value::Null);
    // The rules are the same for staff.
    let unconsented = app
        .post(
            PROFILES,
            Some(&organizer),
            with(&siti(&female_nik("0009")), json!({"consent": false})),
        )
        .await;
    assert_invalid(
        &unconsented,
        &["consent"],
        &female_nik("0009"),
        "walk-in without consent",
    );

    // So may an admin.
    let admin = app.admin_token().await;
    let admin_id = user_id(&app, &admin).await;
    let by_admin = app
        .post(PROFILES, Some(&admin), siti(&female_nik("0003")))
        .await;
    by_admin.assert(201);
    assert_eq!(by_admin.body["user_id"], Value::Null);
    assert_eq!(by_admin.body["consent_recorded_by"], admin_id.as_str());
    assert_eq!(app.count("job_seekers"), 3);
}

async fn profiles_are_read_by_the_person_staff_and_organizers_of_their_fairs(app: TestApp) {
    let (siti_user, siti_token) = app.user("siti@example.com", Role::JobSeeker).await;
    let profile = app
        .post(PROFILES, Some(&siti_token), siti(SITI_NIK))
        .await
        .assert(201)
        .body
        .clone();
    let path = format!("{PROFILES}/{}", profile["id"].as_str().unwrap());

    let (_, recorder) = app.user("petugas@disnaker.id", Role::Organizer).await;
    let walk_in = app
        .post(PROFILES, Some(&recorder), budi(&male_nik("0001")))
        .await
        .assert(201)
        .body
        .clone();
    let walk_in_path = format!("{PROFILES}/{}", walk_in["id"].as_str().unwrap());

    let (_, other_seeker) = app.user("budi@example.com", Role::JobSeeker).await;
    app.post(PROFILES, Some(&other_seeker), siti(&female_nik("0003")))
        .await
        .assert(201);
    let (_, employer) = app.user("hr@pabrik.co.id", Role::Employer).await;
    app.organization(&employer, "employer").await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;
    // An organizer with an organization and a fair of their own, but no tie to these people.
    let (fair_organizer_id, fair_organizer) =
        app.user("panitia@disnaker.id", Role::Organizer).await;
    let fair_org = app.organization(&fair_organizer, "organizer").await;
    let fair = app.event(&fair_organizer, &fair_org).await;
    let fair_id = fair["id"].as_str().unwrap().to_owned();
    let (_, colleague) = app.user("rekan@disnaker.id", Role::Organizer).await;
    app.post(
        &format!("/api/v1/organizations/{fair_org}/members"),
        Some(&fair_organizer),
        json!({"email": "rekan@disnaker.id", "role": "member"}),
    )
    .await
    .assert(201);
    let (_, stranger) = app.user("lain@disnaker.id", Role::Organizer).await;
    let stranger_org = app.organization(&stranger, "organizer").await;
    app.event(&stranger, &stranger_org).await;

    for (token, who, status) in [
        (&siti_token, "the person", 200),
        (&ministry, "ministry", 200),
        (&admin, "admin", 200),
        (&other_seeker, "another job seeker", 404),
        (&employer, "an employer", 404),
        (&recorder, "an organizer who did not record it", 404),
        (
            &fair_organizer,
            "an organizer of a fair they did not register for",
            404,
        ),
        (&colleague, "a member of that organizer", 404),
        (&stranger, "an unrelated organizer", 404),
    ] {
        let resp = app.get(&path, Some(token)).await;
        assert_eq!(resp.status, status, "{who}: {}", resp.body);
        if status == 200 {
            assert_eq!(resp.body, profile, "{who}");
        } else {
            assert_eq!(resp.code(), "not_found", "{who}");
        }
    }
    app.get(&path, None).await.assert(401);

    for (token, who, status) in [
        (&recorder, "the organizer who recorded it", 200),
        (&ministry, "ministry", 200),
        (&admin, "admin", 200),
        (&siti_token, "a job seeker", 404),
        (&stranger, "another organizer", 404),
        (&fair_organizer, "an organizer of a fair", 404),
        (&employer, "an employer", 404),
    ] {
        let resp = app.get(&walk_in_path, Some(token)).await;
        assert_eq!(resp.status, status, "walk-in, {who}: {}", resp.body);
        if status == 200 {
            assert_eq!(resp.body, walk_in, "walk-in, {who}");
        }
    }

    // Registered for a fair: its organization's members read the profile; others still do not.
    register(&app, &fair_id, profile["id"].as_str().unwrap(), &siti_user);
    register(
        &app,
        &fair_id,
        walk_in["id"].as_str().unwrap(),
        &fair_organizer_id,
    );
    for (token, who, status) in [
        (&fair_organizer, "the fair's organizer", 200),
        (&colleague, "a member of the fair's organization", 200),
        (&stranger, "an organizer of another fair", 404),
        (&recorder, "an organizer who did not record it", 404),
        (&employer, "an employer", 404),
        (&other_seeker, "another job seeker", 404),
    ] {
        let resp = app.get(&path, Some(token)).await;
        assert_eq!(resp.status, status, "registered, {who}: {}", resp.body);
        if status == 200 {
            assert_eq!(resp.body, profile, "{who}");
        }
    }
    app.get(&walk_in_path, Some(&colleague)).await.assert(200);
    app.get(&walk_in_path, Some(&stranger)).await.assert(404);

    // Ids that name nothing.
    for missing in [
        format!("{PROFILES}/{}", uuid::Uuid::new_v4()),
        format!("{PROFILES}/not-a-uuid"),
    ] {
        for token in [&admin, &ministry, &siti_token] {
            let resp = app.get(&missing, Some(token)).await;
            resp.assert(404);
            assert_eq!(resp.code(), "not_found");
        }
    }
    let mine = app.get(ME, Some(&siti_token)).await;
    mine.assert(200);
    assert_eq!(mine.body, profile);
    for token in [&recorder, &ministry, &admin, &employer] {
        app.get(ME, Some(token)).await.assert(404);
    }
}

async fn the_person_changes_their_profile_within_the_rules(app: TestApp) {
    let (siti_user, token) = app.user("siti@example.com", Role::JobSeeker).await;
    let created = app.post(PROFILES, Some(&token), siti(SITI_NIK)).await;
    created.assert(201);
    let id = created.id();
    let path = format!("{PROFILES}/{id}");
    let original_hash = stored_nik_hash(&app, &id);

    let changed = app
        .patch(
            &path,
            Some(&token),
            json!({
                "full_name": " Siti Rahayu Putri ",
                "education_level": "d3",
                "province_code": "32",
                "city": "Bekasi",
                "phone": "+6281298765432",
                "email": "Siti.R@Example.COM",
                "disability": true,
                "disability_type": "tunadaksa"
            }),
        )
        .await;
    changed.assert(200);
    let body = &changed.body;
    assert_eq!(body["id"], id.as_str());
    assert_eq!(body["full_name"], "Siti Rahayu Putri");
    assert_eq!(body["education_level"], "d3");
    assert_eq!(body["province_code"], "32");
    assert_eq!(body["city"], "Bekasi");
    assert_eq!(body["phone"], "+6281298765432");
    assert_eq!(body["email"], "siti.r@example.com");
    assert_eq!(body["disability"], true);
    assert_eq!(body["disability_type"], "tunadaksa");
    // What the NIK vouches for, and the consent, stay.
    for fixed in [
        "user_id",
        "nik_last4",
        "birth_date",
        "gender",
        "consent_at",
        "consent_recorded_by",
        "created_at",
    ] {
        assert_eq!(body[fixed], created.body[fixed], "{fixed}");
    }
    assert!(body["updated_at"].as_str() >= created.body["updated_at"].as_str());
    assert_eq!(stored(&app, &id), changed.body);
    assert_eq!(stored_nik_hash(&app, &id), original_hash);
    assert_eq!(app.get(ME, Some(&token)).await.body, changed.body);

    // Clearing the optional fields; an absent field is left alone.
    let cleared = app
        .patch(&path, Some(&token), json!({"phone": null, "email": " "}))
        .await;
    cleared.assert(200);
    assert_eq!(cleared.body["phone"], Value::Null);
    assert_eq!(cleared.body["email"], Value::Null);
    assert_eq!(cleared.body["full_name"], "Siti Rahayu Putri");
    assert_eq!(cleared.body["disability_type"], "tunadaksa");
    let nothing = app.patch(&path, Some(&token), json!({})).await;
    nothing.assert(200);
    assert_eq!(nothing.body["full_name"], "Siti Rahayu Putri");

    let before = stored(&app, &id);
    let refused: Vec<(Value, &[&str], &str)> = vec![
        // What cannot be changed is not a field of the patch.
        (json!({"nik": female_nik("0003")}), &["nik"], "nik"),
        (json!({"nik": SITI_NIK}), &["nik"], "the same nik"),
        (json!({"gender": "male"}), &["gender"], "gender"),
        (
            json!({"birth_date": "1995-08-16"}),
            &["birth_date"],
            "birth_date",
        ),
        (json!({"consent": false}), &["consent"], "consent"),
        (json!({"consent": true}), &["consent"], "consent again"),
        (json!({"nik_last4": "9999"}), &["nik_last4"], "nik_last4"),
        (json!({"user_id": null}), &["user_id"], "user_id"),
        (
            json!({"consent_recorded_by": siti_user}),
            &["consent_recorded_by"],
            "recorder",
        ),
        // Required fields cannot be emptied.
        (json!({"full_name": null}), &["full_name"], "full_name null"),
        (
            json!({"education_level": null}),
            &["education_level"],
            "education_level null",
        ),
        (
            json!({"province_code": null}),
            &["province_code"],
            "province_code null",
        ),
        (json!({"city": null}), &["city"], "city null"),
        (
            json!({"disability": null}),
            &["disability"],
            "disability null",
        ),
        (json!({"full_name": "  "}), &["full_name"], "blank name"),
        (json!({"city": ""}), &["city"], "blank city"),
        // Invalid values.
        (
            json!({"education_level": "phd"}),
            &["education_level"],
            "bad education",
        ),
        (
            json!({"province_code": "99"}),
            &["province_code"],
            "unknown province",
        ),
        (json!({"phone": "0812 3456 7890"}), &["phone"], "bad phone"),
        (json!({"email": "siti@"}), &["email"], "bad email"),
        (
            json!({"full_name": "", "phone": "1", "email": "x", "province_code": "00"}),
            &["full_name", "phone", "email", "province_code"],
            "several at once",
        ),
        // The merged profile keeps the rules: no disability type without a disability.
        (
            json!({"disability": false}),
            &["disability_type"],
            "disability cleared alone",
        ),
        (
            json!({"disability": false, "disability_type": "tunanetra"}),
            &["disability_type"],
            "disability false with a type",
        ),
        // A valid change is not applied when another field of the patch is refused.
        (
            json!({"full_name": "Another Name", "phone": "abc"}),
            &["phone"],
            "one good, one bad",
        ),
        (
            json!({"full_name": "Another Name", "disability": false}),
            &["disability_type"],
            "one good, merged bad",
        ),
    ];
    for (patch, fields, case) in refused {
        let resp = app.patch(&path, Some(&token), patch).await;
        assert_invalid(&resp, fields, SITI_NIK, case);
        assert!(
            !resp.body.to_string().contains(&female_nik("0003")),
            "{case}"
        );
        assert_eq!(stored(&app, &id), before, "{case} changed the profile");
    }

    // Clearing the disability takes its type along.
    let no_disability = app
        .patch(
            &path,
            Some(&token),
            json!({"disability": false, "disability_type": null}),
        )
        .await;
    no_disability.assert(200);
    assert_eq!(no_disability.body["disability"], false);
    assert_eq!(no_disability.body["disability_type"], Value::Null);
    let before = stored(&app, &id);
    let resp = app
        .patch(&path, Some(&token), json!({"disability_type": "tunarungu"}))
        .await;
    assert_invalid(
        &resp,
        &["disability_type"],
        "",
        "a type without a disability",
    );
    assert_eq!(stored(&app, &id), before);

    // Who else may change it: admins; ministry reads but may not write; others see nothing.
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let forbidden = app
        .patch(&path, Some(&ministry), json!({"city": "Bogor"}))
        .await;
    forbidden.assert(403);
    assert_eq!(forbidden.code(), "forbidden");
    let (_, other_seeker) = app.user("budi@example.com", Role::JobSeeker).await;
    app.post(PROFILES, Some(&other_seeker), budi(&male_nik("0001")))
        .await
        .assert(201);
    let (_, employer) = app.user("hr@pabrik.co.id", Role::Employer).await;
    let (_, organizer) = app.user("petugas@disnaker.id", Role::Organizer).await;
    for (token, who) in [
        (&other_seeker, "another job seeker"),
        (&employer, "an employer"),
        (&organizer, "an organizer"),
    ] {
        let resp = app
            .patch(&path, Some(token), json!({"city": "Bogor"}))
            .await;
        assert_eq!(resp.status, 404, "{who}: {}", resp.body);
        assert_eq!(resp.code(), "not_found");
    }
    app.patch(&path, None, json!({"city": "Bogor"}))
        .await
        .assert(401);
    assert_eq!(stored(&app, &id), before);

    let admin = app.admin_token().await;
    let by_admin = app
        .patch(&path, Some(&admin), json!({"city": "Depok"}))
        .await;
    by_admin.assert(200);
    assert_eq!(by_admin.body["city"], "Depok");
    assert_eq!(by_admin.body["user_id"], siti_user.as_str());
    app.patch(
        &format!("{PROFILES}/{}", uuid::Uuid::new_v4()),
        Some(&admin),
        json!({"city": "Depok"}),
    )
    .await
    .assert(404);
    app.patch(
        &format!("{PROFILES}/nope"),
        Some(&admin),
        json!({"city": "Depok"}),
    )
    .await
    .assert(404);
    assert_eq!(app.count("job_seekers"), 2);
}

async fn walk_ins_are_changed_by_who_recorded_them_and_readers_get_403(app: TestApp) {
    let (recorder_id, recorder) = app.user("petugas@disnaker.id", Role::Organizer).await;
    let walk_in = app.post(PROFILES, Some(&recorder), siti(SITI_NIK)).await;
    walk_in.assert(201);
    let id = walk_in.id();
    let path = format!("{PROFILES}/{id}");

    let changed = app
        .patch(
            &path,
            Some(&recorder),
            json!({"phone": "+628111222333", "education_level": "sma"}),
        )
        .await;
    changed.assert(200);
    assert_eq!(changed.body["phone"], "+628111222333");
    assert_eq!(changed.body["education_level"], "sma");
    assert_eq!(changed.body["user_id"], Value::Null);
    assert_eq!(changed.body["consent_recorded_by"], recorder_id.as_str());
    assert_eq!(stored(&app, &id), changed.body);

    // The recorder is held to the same rules.
    let before = stored(&app, &id);
    for (patch, field) in [
        (json!({"gender": "male"}), "gender"),
        (json!({"nik": SITI_NIK}), "nik"),
        (json!({"disability_type": "tunanetra"}), "disability_type"),
    ] {
        let resp = app.patch(&path, Some(&recorder), patch).await;
        assert_invalid(&resp, &[field], SITI_NIK, field);
    }
    assert_eq!(stored(&app, &id), before);

    // An organizer of a fair the walk-in registered for reads the profile but may not change it.
    let (fair_organizer_id, fair_organizer) =
        app.user("panitia@disnaker.id", Role::Organizer).await;
    let fair_org = app.organization(&fair_organizer, "organizer").await;
    let fair = app.event(&fair_organizer, &fair_org).await;
    register(&app, fair["id"].as_str().unwrap(), &id, &fair_organizer_id);
    app.get(&path, Some(&fair_organizer)).await.assert(200);
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    for (token, who) in [
        (&fair_organizer, "the fair's organizer"),
        (&ministry, "ministry"),
    ] {
        let resp = app
            .patch(&path, Some(token), json!({"city": "Bogor"}))
            .await;
        assert_eq!(resp.status, 403, "{who}: {}", resp.body);
        assert_eq!(resp.code(), "forbidden");
    }
    let (_, stranger) = app.user("lain@disnaker.id", Role::Organizer).await;
    app.patch(&path, Some(&stranger), json!({"city": "Bogor"}))
        .await
        .assert(404);
    let (_, seeker) = app.user("siti@example.com", Role::JobSeeker).await;
    app.patch(&path, Some(&seeker), json!({"city": "Bogor"}))
        .await
        .assert(404);
    assert_eq!(stored(&app, &id), before);

    let admin = app.admin_token().await;
    let by_admin = app
        .patch(&path, Some(&admin), json!({"full_name": "Siti R."}))
        .await;
    by_admin.assert(200);
    assert_eq!(by_admin.body["full_name"], "Siti R.");
    assert_eq!(by_admin.body["consent_recorded_by"], recorder_id.as_str());
    assert_eq!(stored(&app, &id), by_admin.body);
}
