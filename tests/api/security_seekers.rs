//! Issue 11, job seekers: a NIK reveals no one, a squatted NIK goes back to its owner through a
//! claim, check-in codes only reach those who scan them, and the audit chain keeps no contact
//! data.

use bursa::auth::Role;
use bursa::db::schema::{audit_log, job_seekers, nik_claims};
use bursa::job_seekers::lookup::NIK_LOOKUPS_PER_HOUR;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::TestApp;
use crate::db_tests;

db_tests!(
    a_walk_in_with_someone_elses_nik_and_a_made_up_name_names_no_one,
    a_walk_in_with_the_matching_name_and_birth_date_is_admitted_without_contact_data,
    a_known_nik_answers_nik_registered_without_an_id,
    staff_register_only_people_they_recorded_or_who_signed_up,
    nik_look_ups_are_rate_limited_per_account,
    the_owner_of_a_squatted_nik_claims_it_and_an_admin_moves_it,
    a_claim_is_rejected_or_refused_by_the_rules,
    only_those_who_scan_see_check_in_codes_in_lists,
    a_profile_change_records_that_contact_data_changed_not_its_values,
);

const SITI_NIK: &str = "3174015508950002";
const PROFILES: &str = "/api/v1/job-seekers";
const CLAIMS: &str = "/api/v1/nik-claims";

/// A woman born 1995-08-15, with contact data; `nik` must encode that.
fn siti(nik: &str, name: &str) -> Value {
    json!({
        "full_name": name,
        "nik": nik,
        "birth_date": "1995-08-15",
        "gender": "female",
        "education_level": "smk",
        "province_code": "31",
        "city": "Jakarta Timur",
        "disability": false,
        "phone": "081234567890",
        "email": "siti.nurhaliza@example.com",
        "consent": true
    })
}

/// A woman's NIK for 1995-08-15, unique by its last four digits.
fn female_nik(last4: &str) -> String {
    format!("317401550895{last4}")
}

/// A published fair of a new self-registered organizer that started an hour ago: (organizer
/// token, organization id, event id).
async fn running_fair(app: &TestApp, email: &str) -> (String, String, String) {
    let fair = crate::fixtures::Fair::by(app, email)
        .running()
        .published()
        .await;
    (fair.organizer, fair.office, fair.event)
}

/// Siti signs up and records her profile: (token, job seeker id).
async fn siti_signs_up(app: &TestApp) -> (String, String) {
    let (_, token) = app.user("siti@example.com", Role::JobSeeker).await;
    let id = app
        .post(PROFILES, Some(&token), siti(SITI_NIK, "Siti Nurhaliza"))
        .await
        .assert(201)
        .id();
    (token, id)
}

/// The `changes` of the audit records of `action`, oldest first, with their event ids.
fn audit_changes(app: &TestApp, action: &str) -> Vec<(Option<String>, Value)> {
    app.seal_audit();
    let rows: Vec<(Option<String>, String)> = audit_log::table
        .filter(audit_log::action.eq(action))
        .order(audit_log::seq.asc())
        .select((audit_log::event_id, audit_log::changes))
        .load(&mut app.conn())
        .unwrap();
    rows.into_iter()
        .map(|(event, changes)| (event, serde_json::from_str(&changes).unwrap()))
        .collect()
}

/// Every audit record's text, to look for what must not be there.
fn audit_text(app: &TestApp) -> String {
    app.seal_audit();
    let rows: Vec<String> = audit_log::table
        .select(audit_log::changes)
        .load(&mut app.conn())
        .unwrap();
    rows.join("\n")
}

async fn a_walk_in_with_someone_elses_nik_and_a_made_up_name_names_no_one(app: TestApp) {
    let (_, siti_id) = siti_signs_up(&app).await;
    let (organizer, _, event) = running_fair(&app, "self-made@organizer.id").await;
    let walk_ins = format!("/api/v1/events/{event}/walk-ins");

    for name in ["Dewi Lestari", "Siti", "Budi Santoso"] {
        let refused = app
            .post(&walk_ins, Some(&organizer), siti(SITI_NIK, name))
            .await;
        refused.assert(409);
        assert_eq!(refused.code(), "identity_mismatch");
        let text = refused.body.to_string();
        for secret in [
            siti_id.as_str(),
            "Nurhaliza",
            "081234567890",
            "siti.nurhaliza@",
            "1995-08-15",
            SITI_NIK,
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(refused.body["error"]["details"]
            .as_array()
            .is_none_or(|d| d.is_empty()));
    }
    assert_eq!(app.count("registrations"), 0);
    assert_eq!(app.count("job_seekers"), 1);
    app.get(&format!("{PROFILES}/{siti_id}"), Some(&organizer))
        .await
        .assert(404);
    let listed = app
        .get(
            &format!("/api/v1/events/{event}/registrations"),
            Some(&organizer),
        )
        .await;
    assert_eq!(listed.body["items"], json!([]));

    // Each refused look-up is audited: who, at which event, not matched; no name, no NIK.
    let lookups = audit_changes(&app, "nik_lookup.resolve");
    assert_eq!(lookups.len(), 3);
    for (event_id, changes) in &lookups {
        assert_eq!(event_id.as_deref(), Some(event.as_str()));
        assert_eq!(changes["matched"], false);
        assert_eq!(changes["via"], "walk_in");
        assert_eq!(changes["job_seeker_id"], Value::Null);
    }
    let text = audit_text(&app);
    assert!(!text.contains("Dewi") && !text.contains(SITI_NIK) && !text.contains(&siti_id[..]));
    let mut conn = app.conn();
    bursa::audit::verify(&mut conn).unwrap();
}

async fn a_walk_in_with_the_matching_name_and_birth_date_is_admitted_without_contact_data(
    app: TestApp,
) {
    let (_, siti_id) = siti_signs_up(&app).await;
    let (organizer, _, event) = running_fair(&app, "desk@disnaker.id").await;
    let walk_ins = format!("/api/v1/events/{event}/walk-ins");

    // Another case and spacing, a title, and no contact data typed at the desk.
    let mut body = siti(SITI_NIK, "  ibu SITI   nurhaliza ");
    body.as_object_mut().unwrap().remove("phone");
    body.as_object_mut().unwrap().remove("email");
    let admitted = app.post(&walk_ins, Some(&organizer), body).await;
    admitted.assert(201);
    assert_eq!(admitted.body["job_seeker_created"], false);
    assert_eq!(admitted.body["registration_created"], true);
    assert_eq!(admitted.body["registration"]["already_checked_in"], false);
    let person = &admitted.body["job_seeker"];
    assert_eq!(person["id"], siti_id.as_str());
    assert_eq!(person["full_name"], "Siti Nurhaliza");
    assert_eq!(person["nik_last4"], "0002");
    for hidden in [
        "phone",
        "email",
        "birth_date",
        "user_id",
        "city",
        "consent_recorded_by",
    ] {
        assert!(person.get(hidden).is_none(), "{hidden}: {person}");
    }
    let text = admitted.body.to_string();
    assert!(!text.contains("081234567890") && !text.contains("siti.nurhaliza@"));
    assert_eq!(app.count("job_seekers"), 1);
    assert_eq!(app.count("registrations"), 1);

    // The admitted look-up is audited as matched, naming the profile now registered.
    let lookups = audit_changes(&app, "nik_lookup.resolve");
    assert_eq!(lookups.len(), 1);
    assert_eq!(lookups[0].0.as_deref(), Some(event.as_str()));
    assert_eq!(lookups[0].1["matched"], true);
    assert_eq!(lookups[0].1["job_seeker_id"], siti_id.as_str());

    // Words run together and apart are one name: admitted at another fair too.
    let (other_desk, _, other_event) = running_fair(&app, "other@disnaker.id").await;
    let joined = app
        .post(
            &format!("/api/v1/events/{other_event}/walk-ins"),
            Some(&other_desk),
            siti(SITI_NIK, "Siti Nur Haliza"),
        )
        .await;
    joined.assert(201);
    assert!(joined.body["job_seeker"].get("phone").is_none());
}

async fn a_known_nik_answers_nik_registered_without_an_id(app: TestApp) {
    let (_, siti_id) = siti_signs_up(&app).await;
    let (_, impostor) = app.user("impostor@example.com", Role::JobSeeker).await;
    let (_, organizer) = app.user("petugas@disnaker.id", Role::Organizer).await;
    let admin = app.admin_token().await;
    for token in [&impostor, &organizer, &admin] {
        let taken = app
            .post(PROFILES, Some(token), siti(SITI_NIK, "Siti Nurhaliza"))
            .await;
        taken.assert(409);
        assert_eq!(taken.code(), "nik_registered");
        assert!(!taken.body.to_string().contains(&siti_id), "{}", taken.body);
        assert!(taken.body["error"]["details"]
            .as_array()
            .is_none_or(|d| d.is_empty()));
    }
    assert_eq!(app.count("job_seekers"), 1);
    // Each conflict is a look-up, audited without the NIK or the holder.
    let lookups = audit_changes(&app, "nik_lookup.resolve");
    assert_eq!(lookups.len(), 3);
    assert!(lookups
        .iter()
        .all(|(event, c)| event.is_none() && c["via"] == "new_profile"));
    assert!(!audit_text(&app).contains(SITI_NIK));
}

async fn staff_register_only_people_they_recorded_or_who_signed_up(app: TestApp) {
    let (_, siti_id) = siti_signs_up(&app).await;
    let (organizer, _, event) = running_fair(&app, "a@disnaker.id").await;
    let registrations = format!("/api/v1/events/{event}/registrations");
    // Another organizer's walk-in profile, recorded at no event.
    let (_, other) = app.user("b@disnaker.id", Role::Organizer).await;
    let dewi = app
        .post(
            PROFILES,
            Some(&other),
            siti(&female_nik("0007"), "Dewi Lestari"),
        )
        .await
        .assert(201)
        .id();
    let refused = app
        .post(
            &registrations,
            Some(&organizer),
            json!({"job_seeker_id": dewi}),
        )
        .await;
    refused.assert(403);
    assert_eq!(refused.code(), "forbidden");
    assert_eq!(app.count("registrations"), 0);
    app.get(&format!("{PROFILES}/{dewi}"), Some(&organizer))
        .await
        .assert(404);

    // A profile the organization recorded, and one of a person who signed up: registered.
    let agus = app
        .post(
            PROFILES,
            Some(&organizer),
            siti(&female_nik("0008"), "Agustina"),
        )
        .await
        .assert(201)
        .id();
    for id in [&agus, &siti_id] {
        app.post(
            &registrations,
            Some(&organizer),
            json!({"job_seeker_id": id}),
        )
        .await
        .assert(201);
    }
    // Admins register anyone.
    let admin = app.admin_token().await;
    app.post(&registrations, Some(&admin), json!({"job_seeker_id": dewi}))
        .await
        .assert(201);
    assert_eq!(app.count("registrations"), 3);
}

async fn nik_look_ups_are_rate_limited_per_account(app: TestApp) {
    siti_signs_up(&app).await;
    let (organizer, _, event) = running_fair(&app, "desk@disnaker.id").await;
    for _ in 0..NIK_LOOKUPS_PER_HOUR {
        app.post(PROFILES, Some(&organizer), siti(SITI_NIK, "Siti Nurhaliza"))
            .await
            .assert(409);
    }
    // Then every request that would look a NIK up is refused, known or not, before looking.
    let limited = app
        .post(PROFILES, Some(&organizer), siti(SITI_NIK, "Siti Nurhaliza"))
        .await;
    limited.assert(429);
    let retry: u64 = limited.header("retry-after").unwrap().parse().unwrap();
    assert!((1..=3600).contains(&retry), "{retry}");
    app.post(
        &format!("/api/v1/events/{event}/walk-ins"),
        Some(&organizer),
        siti(&female_nik("0009"), "Dewi Lestari"),
    )
    .await
    .assert(429);
    assert_eq!(app.count("job_seekers"), 1);
    assert_eq!(app.count("registrations"), 0);
    assert_eq!(
        audit_changes(&app, "nik_lookup.resolve").len() as i64,
        NIK_LOOKUPS_PER_HOUR
    );
    // Per account: another desk looks up freely.
    let (_, other) = app.user("other@disnaker.id", Role::Organizer).await;
    app.post(PROFILES, Some(&other), siti(SITI_NIK, "Siti Nurhaliza"))
        .await
        .assert(409);
}

async fn the_owner_of_a_squatted_nik_claims_it_and_an_admin_moves_it(app: TestApp) {
    // A squatter records a profile with Siti's NIK first.
    let (_, squatter) = app.user("squatter@example.com", Role::JobSeeker).await;
    let squatted = app
        .post(PROFILES, Some(&squatter), siti(SITI_NIK, "Not Siti"))
        .await
        .assert(201)
        .id();
    let (siti_user, siti_token) = app.user("siti@example.com", Role::JobSeeker).await;
    let body = siti(SITI_NIK, "Siti Nurhaliza");
    app.post(PROFILES, Some(&siti_token), body.clone())
        .await
        .assert(409);

    // She files a claim with the profile she tried to create.
    let claim_body = json!({"profile": body, "note": "KTP at the Disnaker office Monday"});
    let filed = app
        .post(CLAIMS, Some(&siti_token), claim_body.clone())
        .await;
    filed.assert(201);
    let claim = filed.id();
    assert_eq!(filed.body["status"], "open");
    assert_eq!(filed.body["nik_last4"], "0002");
    assert_eq!(filed.body["user_id"], siti_user.as_str());
    let text = filed.body.to_string();
    assert!(
        !text.contains(&squatted) && !text.contains(SITI_NIK),
        "{text}"
    );
    let again = app.post(CLAIMS, Some(&siti_token), claim_body).await;
    again.assert(409);
    assert_eq!(again.code(), "claim_open");
    // The claim keeps the NIK as its hash only.
    let (hash, profile): (String, String) = nik_claims::table
        .find(&claim)
        .select((nik_claims::nik_hash, nik_claims::profile))
        .first(&mut app.conn())
        .unwrap();
    assert_eq!(hash.len(), 64);
    assert!(!profile.contains(SITI_NIK));

    // Admins list claims; no one else does.
    app.get(CLAIMS, Some(&siti_token)).await.assert(403);
    let admin = app.admin_token().await;
    let open = app
        .get(&format!("{CLAIMS}?status=open"), Some(&admin))
        .await;
    open.assert(200);
    let items = open.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert_eq!(items[0]["holder_job_seeker_id"], squatted.as_str());
    app.get(&format!("{CLAIMS}?status=maybe"), Some(&admin))
        .await
        .assert(422);

    // The admin checked the ID card and approves: the NIK moves.
    let approve = format!("{CLAIMS}/{claim}/approve");
    app.post(&approve, Some(&siti_token), json!({"note": "mine"}))
        .await
        .assert(403);
    app.post(&approve, Some(&admin), json!({}))
        .await
        .assert(422);
    let approved = app
        .post(&approve, Some(&admin), json!({"note": "KTP checked"}))
        .await;
    approved.assert(200);
    assert_eq!(approved.body["status"], "approved");
    assert_eq!(approved.body["decision_note"], "KTP checked");
    let own = app.get("/api/v1/me/job-seeker", Some(&siti_token)).await;
    own.assert(200);
    assert_eq!(own.body["id"], approved.body["job_seeker_id"]);
    assert_eq!(own.body["full_name"], "Siti Nurhaliza");
    assert_eq!(own.body["nik_last4"], "0002");
    assert_eq!(own.body["nik_revoked_at"], Value::Null);
    let lost = app.get("/api/v1/me/job-seeker", Some(&squatter)).await;
    assert_eq!(lost.body["id"], squatted.as_str());
    assert_eq!(lost.body["nik_last4"], "");
    assert!(lost.body["nik_revoked_at"].is_string(), "{}", lost.body);
    let hashes: Vec<(String, String)> = job_seekers::table
        .select((job_seekers::id, job_seekers::nik_hash))
        .load(&mut app.conn())
        .unwrap();
    let of = |id: &str| hashes.iter().find(|(i, _)| i == id).unwrap().1.clone();
    assert_eq!(of(own.body["id"].as_str().unwrap()), hash);
    assert_eq!(of(&squatted), format!("revoked:{claim}"));
    // Decided once.
    let twice = app
        .post(&approve, Some(&admin), json!({"note": "again"}))
        .await;
    twice.assert(409);
    assert_eq!(twice.code(), "claim_not_open");

    // Both steps are in the audit chain, which holds.
    for action in [
        "nik_claim.create",
        "nik_claim.approve",
        "job_seeker.nik_revoke",
    ] {
        assert_eq!(audit_changes(&app, action).len(), 1, "{action}");
    }
    assert!(!audit_text(&app).contains(SITI_NIK));
    let mut conn = app.conn();
    bursa::audit::verify(&mut conn).unwrap();
}

async fn a_claim_is_rejected_or_refused_by_the_rules(app: TestApp) {
    let (_, siti_token) = app.user("siti@example.com", Role::JobSeeker).await;
    let body = siti(SITI_NIK, "Siti Nurhaliza");
    // Nothing to claim: no profile holds the NIK.
    let free = app
        .post(
            CLAIMS,
            Some(&siti_token),
            json!({"profile": body, "note": "x"}),
        )
        .await;
    free.assert(409);
    assert_eq!(free.code(), "nik_not_registered");
    let (_, squatter) = app.user("squatter@example.com", Role::JobSeeker).await;
    app.post(PROFILES, Some(&squatter), body.clone())
        .await
        .assert(201);
    // Only job seekers without a profile claim; a note and the profile are required.
    let (_, organizer) = app.user("desk@disnaker.id", Role::Organizer).await;
    app.post(
        CLAIMS,
        Some(&organizer),
        json!({"profile": body, "note": "x"}),
    )
    .await
    .assert(403);
    app.post(
        CLAIMS,
        Some(&squatter),
        json!({"profile": body, "note": "x"}),
    )
    .await
    .assert(409);
    app.post(CLAIMS, Some(&siti_token), json!({"profile": body}))
        .await
        .assert(422);
    app.post(CLAIMS, Some(&siti_token), json!({"note": "x"}))
        .await
        .assert(422);
    assert_eq!(app.count("nik_claims"), 0);

    let claim = app
        .post(
            CLAIMS,
            Some(&siti_token),
            json!({"profile": body, "note": "x"}),
        )
        .await
        .assert(201)
        .id();
    let admin = app.admin_token().await;
    let rejected = app
        .post(
            &format!("{CLAIMS}/{claim}/reject"),
            Some(&admin),
            json!({"note": "the KTP shows another NIK"}),
        )
        .await;
    rejected.assert(200);
    assert_eq!(rejected.body["status"], "rejected");
    app.post(
        &format!("{CLAIMS}/{claim}/approve"),
        Some(&admin),
        json!({"note": "changed my mind"}),
    )
    .await
    .assert(409);
    app.get("/api/v1/me/job-seeker", Some(&siti_token))
        .await
        .assert(404);
    // The claimant follows her claim.
    let mine = app.get("/api/v1/me/nik-claims", Some(&siti_token)).await;
    mine.assert(200);
    assert_eq!(mine.body["items"][0]["status"], "rejected");
    assert_eq!(
        mine.body["items"][0]["decision_note"],
        "the KTP shows another NIK"
    );
    assert!(mine.body["items"][0].get("holder_job_seeker_id").is_none());
    let none = app.get("/api/v1/me/nik-claims", Some(&squatter)).await;
    assert_eq!(none.body["items"], json!([]));
    assert_eq!(audit_changes(&app, "nik_claim.reject").len(), 1);
    let missing = uuid::Uuid::new_v4();
    app.post(
        &format!("{CLAIMS}/{missing}/reject"),
        Some(&admin),
        json!({"note": "x"}),
    )
    .await
    .assert(404);
}

async fn only_those_who_scan_see_check_in_codes_in_lists(app: TestApp) {
    let (siti_token, _) = siti_signs_up(&app).await;
    let (organizer, _, event) = running_fair(&app, "desk@disnaker.id").await;
    let path = format!("/api/v1/events/{event}/registrations");
    let code = app
        .post(&path, Some(&siti_token), json!({}))
        .await
        .assert(201)
        .body["check_in_code"]
        .as_str()
        .unwrap()
        .to_owned();
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    let seen = app.get(&path, Some(&ministry)).await;
    seen.assert(200);
    let items = seen.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1);
    assert!(items[0].get("check_in_code").is_none(), "{}", seen.body);
    assert!(!seen.body.to_string().contains(&code));
    for staff in [organizer, app.admin_token().await] {
        let listed = app.get(&path, Some(&staff)).await;
        listed.assert(200);
        assert_eq!(listed.body["items"][0]["check_in_code"], code.as_str());
    }
    // The person sees their own.
    let mine = app.get("/api/v1/me/registrations", Some(&siti_token)).await;
    assert_eq!(mine.body["items"][0]["check_in_code"], code.as_str());
}

async fn a_profile_change_records_that_contact_data_changed_not_its_values(app: TestApp) {
    let (token, id) = siti_signs_up(&app).await;
    app.patch(
        &format!("{PROFILES}/{id}"),
        Some(&token),
        json!({
            "phone": "089876543210",
            "email": "siti.baru@example.com",
            "full_name": "Siti Nurhaliza Putri",
            "city": "Depok",
        }),
    )
    .await
    .assert(200);
    let updates = audit_changes(&app, "job_seeker.update");
    assert_eq!(updates.len(), 1);
    let changes = &updates[0].1;
    assert_eq!(changes["phone"], json!({"changed": true}));
    assert_eq!(changes["email"], json!({"changed": true}));
    assert_eq!(changes["full_name"], json!({"changed": true}));
    assert_eq!(
        changes["city"],
        json!({"from": "Jakarta Timur", "to": "Depok"})
    );
    let text = changes.to_string();
    for value in [
        "081234567890",
        "089876543210",
        "siti.nurhaliza@",
        "siti.baru@",
        "Putri",
    ] {
        assert!(!text.contains(value), "{value} in {text}");
    }
}
