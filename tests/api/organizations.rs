//! Organizations: who creates which kind, validation, updates by owners, members, lists and
//! pagination, and unique registration numbers.

use std::collections::HashSet;

use bursa::auth::Role;
use serde_json::{json, Value};

use crate::common::{ids, TestApp};
use crate::db_tests;

db_tests!(
    each_kind_is_created_by_its_role_and_the_creator_owns_it,
    invalid_organizations_are_refused_and_nothing_is_written,
    owners_and_admins_update_others_cannot,
    owners_manage_members,
    lists_filter_and_page_without_duplicates,
    registration_numbers_are_unique_per_kind,
    ownership_is_private_unless_said_and_only_private_or_public,
);

fn body(name: &str, kind: &str, province: &str) -> Value {
    json!({"name": name, "kind": kind, "province_code": province, "city": "Kota Test"})
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// The members of an organization as (user id, role), read by an admin.
async fn members(app: &TestApp, org: &str) -> Vec<(String, String)> {
    let admin = app.admin_token().await;
    let resp = app
        .get(
            &format!("/api/v1/organizations/{org}/members"),
            Some(&admin),
        )
        .await;
    resp.assert(200);
    let mut out: Vec<(String, String)> = resp.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| {
            (
                m["user_id"].as_str().unwrap().to_owned(),
                m["role"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

async fn each_kind_is_created_by_its_role_and_the_creator_owns_it(app: TestApp) {
    let (organizer_id, organizer) = app.user("dinas@disnaker.go.id", Role::Organizer).await;
    let (employer_id, employer) = app.user("hr@pabrik.co.id", Role::Employer).await;
    let (_, seeker) = app.user("budi@example.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;

    let created = app
        .post(
            "/api/v1/organizations",
            Some(&organizer),
            json!({
                "name": "  Disnaker DKI Jakarta  ",
                "kind": "organizer",
                "province_code": "31",
                "city": "Jakarta Pusat",
                "sector_code": "84",
                "registration_number": "AHU-0001.2026/X"
            }),
        )
        .await;
    created.assert(201);
    let org = created.id();
    assert!(uuid::Uuid::parse_str(&org).is_ok(), "{org}");
    assert_eq!(created.body["name"], "Disnaker DKI Jakarta");
    assert_eq!(created.body["kind"], "organizer");
    assert_eq!(created.body["province_code"], "31");
    assert_eq!(created.body["city"], "Jakarta Pusat");
    assert_eq!(created.body["sector_code"], "84");
    assert_eq!(created.body["registration_number"], "AHU-0001.2026/X");
    assert!(created.body["created_at"].as_str().unwrap().ends_with('Z'));
    assert!(created.body.get("created_by").is_none(), "{}", created.body);

    let employer_org = app
        .post(
            "/api/v1/organizations",
            Some(&employer),
            json!({"name": "PT Pabrik Maju", "kind": "employer", "province_code": "32", "city": "Bekasi", "sector_code": "C"}),
        )
        .await;
    employer_org.assert(201);
    assert_eq!(employer_org.body["kind"], "employer");
    assert_eq!(employer_org.body["sector_code"], "C");
    assert_eq!(employer_org.body["registration_number"], Value::Null);
    let employer_org = employer_org.id();

    // An admin creates either kind.
    for kind in ["organizer", "employer"] {
        let resp = app
            .post(
                "/api/v1/organizations",
                Some(&admin),
                body("Admin Org", kind, "51"),
            )
            .await;
        resp.assert(201);
        assert_eq!(resp.body["kind"], kind);
    }
    assert_eq!(app.count("organizations"), 4);
    assert_eq!(app.count("memberships"), 4);

    // The wrong role for the kind, or no role to create at all.
    let refused = [
        ("organizer -> employer", Some(&organizer), "employer", 403),
        ("employer -> organizer", Some(&employer), "organizer", 403),
        ("job seeker", Some(&seeker), "employer", 403),
        ("job seeker", Some(&seeker), "organizer", 403),
        ("ministry", Some(&ministry), "organizer", 403),
        ("anonymous", None, "organizer", 401),
    ];
    for (who, token, kind, status) in refused {
        let resp = app
            .post(
                "/api/v1/organizations",
                token.map(String::as_str),
                body("Nope Org", kind, "31"),
            )
            .await;
        assert_eq!(resp.status, status, "{who} {kind}: {}", resp.body);
        let code = if status == 401 {
            "unauthorized"
        } else {
            "forbidden"
        };
        assert_eq!(resp.code(), code, "{who} {kind}");
    }
    assert_eq!(app.count("organizations"), 4);
    assert_eq!(app.count("memberships"), 4);

    // The creator is the owner: in the members list and in /me.
    let listed = app
        .get(
            &format!("/api/v1/organizations/{org}/members"),
            Some(&organizer),
        )
        .await;
    listed.assert(200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{}", listed.body);
    assert_eq!(items[0]["user_id"], organizer_id.as_str());
    assert_eq!(items[0]["email"], "dinas@disnaker.go.id");
    assert_eq!(items[0]["full_name"], "Test User");
    assert_eq!(items[0]["role"], "owner");
    assert!(items[0]["joined_at"].as_str().is_some());
    assert_eq!(
        members(&app, &employer_org).await,
        [(employer_id, "owner".to_owned())]
    );

    for (token, org_id, name, kind) in [
        (&organizer, &org, "Disnaker DKI Jakarta", "organizer"),
        (&employer, &employer_org, "PT Pabrik Maju", "employer"),
    ] {
        let me = app.get("/api/v1/me", Some(token)).await;
        me.assert(200);
        assert_eq!(
            me.body["organizations"],
            json!([{"organization_id": org_id, "name": name, "kind": kind, "role": "owner"}])
        );
    }
    let me = app.get("/api/v1/me", Some(&seeker)).await;
    assert_eq!(me.body["organizations"], json!([]));

    // Any signed-in user reads it, exactly as created; anonymous visitors do not.
    for token in [&seeker, &ministry, &employer] {
        let read = app
            .get(&format!("/api/v1/organizations/{org}"), Some(token))
            .await;
        read.assert(200);
        assert_eq!(read.body, created.body);
    }
    let anonymous = app.get(&format!("/api/v1/organizations/{org}"), None).await;
    anonymous.assert(401);
    assert_eq!(anonymous.code(), "unauthorized");
    app.get(
        &format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()),
        Some(&seeker),
    )
    .await
    .assert(404);
    app.get("/api/v1/organizations/not-a-uuid", Some(&seeker))
        .await
        .assert(404);
}

async fn invalid_organizations_are_refused_and_nothing_is_written(app: TestApp) {
    let (_, organizer) = app.user("o@x.id", Role::Organizer).await;
    let with = |changes: Value| {
        let mut b = json!({
            "name": "Disnaker Bandung",
            "kind": "organizer",
            "province_code": "32",
            "city": "Bandung",
            "sector_code": "84",
            "registration_number": "REG-1"
        });
        for (k, v) in changes.as_object().unwrap() {
            if v.is_null() {
                b.as_object_mut().unwrap().remove(k);
            } else {
                b[k] = v.clone();
            }
        }
        b
    };
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (with(json!({"province_code": "99"})), vec!["province_code"]),
        (with(json!({"province_code": ""})), vec!["province_code"]),
        (with(json!({"name": "A"})), vec!["name"]),
        (with(json!({"name": "   "})), vec!["name"]),
        (with(json!({"name": "x".repeat(201)})), vec!["name"]),
        (with(json!({"city": " "})), vec!["city"]),
        (with(json!({"sector_code": "Z"})), vec!["sector_code"]),
        (with(json!({"sector_code": "a"})), vec!["sector_code"]),
        (with(json!({"sector_code": "1"})), vec!["sector_code"]),
        (with(json!({"sector_code": "123456"})), vec!["sector_code"]),
        (with(json!({"sector_code": "1A"})), vec!["sector_code"]),
        (
            with(json!({"registration_number": "NIB 123"})),
            vec!["registration_number"],
        ),
        (with(json!({"kind": "pirate"})), vec!["kind"]),
        (with(json!({"name": null})), vec!["name"]),
        (with(json!({"kind": null})), vec!["kind"]),
        (with(json!({"city": null})), vec!["city"]),
        (with(json!({"province_code": null})), vec!["province_code"]),
        (json!({}), vec!["name", "kind", "province_code", "city"]),
        (
            json!({"name": "A", "kind": "organizer", "province_code": "99", "city": "", "sector_code": "ZZ"}),
            vec!["name", "province_code", "city", "sector_code"],
        ),
        (with(json!({"owner": "me"})), vec!["owner"]),
    ];
    for (b, fields) in cases {
        let resp = app
            .post("/api/v1/organizations", Some(&organizer), b.clone())
            .await;
        assert_eq!(resp.status, 422, "{b}: {}", resp.body);
        assert_eq!(resp.code(), "validation_failed", "{b}");
        let mut expected: Vec<String> = fields.iter().map(|f| (*f).to_owned()).collect();
        expected.sort();
        assert_eq!(sorted(resp.fields()), expected, "{b}: {}", resp.body);
    }
    assert_eq!(app.count("organizations"), 0);
    assert_eq!(app.count("memberships"), 0);

    // The same body, made valid, is accepted: the refusals above were about the fields.
    let ok = app
        .post("/api/v1/organizations", Some(&organizer), with(json!({})))
        .await;
    ok.assert(201);
    // A blank optional field is stored as absent.
    let blank = app
        .post(
            "/api/v1/organizations",
            Some(&organizer),
            with(json!({"name": "Disnaker Bogor", "sector_code": "  ", "registration_number": ""})),
        )
        .await;
    blank.assert(201);
    assert_eq!(blank.body["sector_code"], Value::Null);
    assert_eq!(blank.body["registration_number"], Value::Null);
    assert_eq!(app.count("organizations"), 2);
}

async fn owners_and_admins_update_others_cannot(app: TestApp) {
    let (_, owner) = app.user("owner@x.id", Role::Employer).await;
    let (_, member) = app.user("member@x.id", Role::Employer).await;
    let (_, outsider) = app.user("outsider@x.id", Role::Employer).await;
    let (_, organizer) = app.user("organizer@x.id", Role::Organizer).await;
    let (_, seeker) = app.user("seeker@x.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("ministry@x.id", Role::Ministry).await;
    let admin = app.admin_token().await;

    let created = app
        .post(
            "/api/v1/organizations",
            Some(&owner),
            json!({"name": "PT Maju", "kind": "employer", "province_code": "35", "city": "Surabaya", "sector_code": "C", "registration_number": "NIB-1"}),
        )
        .await;
    created.assert(201);
    let org = created.id();
    let path = format!("/api/v1/organizations/{org}");
    app.post(
        &format!("{path}/members"),
        Some(&owner),
        json!({"email": "member@x.id", "role": "member"}),
    )
    .await
    .assert(201);
    app.organization(&outsider, "employer").await;

    // The owner renames it and clears a nullable field; absent fields keep their values.
    let patched = app
        .patch(
            &path,
            Some(&owner),
            json!({"name": "PT Maju Jaya", "sector_code": null}),
        )
        .await;
    patched.assert(200);
    assert_eq!(patched.body["id"], org.as_str());
    assert_eq!(patched.body["name"], "PT Maju Jaya");
    assert_eq!(patched.body["sector_code"], Value::Null);
    assert_eq!(patched.body["registration_number"], "NIB-1");
    assert_eq!(patched.body["city"], "Surabaya");
    assert_eq!(patched.body["province_code"], "35");
    assert_eq!(patched.body["kind"], "employer");
    assert_eq!(patched.body["created_at"], created.body["created_at"]);
    let stored = app.get(&path, Some(&seeker)).await;
    stored.assert(200);
    assert_eq!(stored.body, patched.body);

    let cleared = app
        .patch(
            &path,
            Some(&owner),
            json!({"registration_number": null, "sector_code": "62010", "province_code": "36", "city": "Tangerang"}),
        )
        .await;
    cleared.assert(200);
    assert_eq!(cleared.body["registration_number"], Value::Null);
    assert_eq!(cleared.body["sector_code"], "62010");
    assert_eq!(cleared.body["province_code"], "36");
    assert_eq!(cleared.body["city"], "Tangerang");
    assert_eq!(cleared.body["name"], "PT Maju Jaya");
    let before = app.get(&path, Some(&seeker)).await.body;
    assert_eq!(before, cleared.body);

    // Nobody else but an admin may change it; nothing changes.
    let refused = [
        ("plain member", Some(&member), 403),
        ("owner of another organization", Some(&outsider), 403),
        ("organizer", Some(&organizer), 403),
        ("job seeker", Some(&seeker), 403),
        ("ministry", Some(&ministry), 403),
        ("anonymous", None, 401),
    ];
    for (who, token, status) in refused {
        let resp = app
            .patch(
                &path,
                token.map(String::as_str),
                json!({"name": "Hijacked", "sector_code": null}),
            )
            .await;
        assert_eq!(resp.status, status, "{who}: {}", resp.body);
        assert!(!resp.code().is_empty(), "{who}: {}", resp.body);
    }
    assert_eq!(app.get(&path, Some(&seeker)).await.body, before);

    // The kind never changes; bad values are refused.
    let kind = app
        .patch(&path, Some(&owner), json!({"kind": "organizer"}))
        .await;
    kind.assert(422);
    assert_eq!(kind.code(), "validation_failed");
    assert_eq!(kind.fields(), ["kind"]);
    let admin_kind = app
        .patch(&path, Some(&admin), json!({"kind": "organizer"}))
        .await;
    admin_kind.assert(422);
    for (b, field) in [
        (json!({"province_code": "99"}), "province_code"),
        (json!({"name": "A"}), "name"),
        (json!({"city": ""}), "city"),
        (json!({"sector_code": "V"}), "sector_code"),
        (json!({"registration_number": "a b"}), "registration_number"),
    ] {
        let resp = app.patch(&path, Some(&owner), b.clone()).await;
        assert_eq!(resp.status, 422, "{b}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{b}");
    }
    assert_eq!(app.get(&path, Some(&seeker)).await.body, before);

    // An admin may.
    let by_admin = app
        .patch(&path, Some(&admin), json!({"name": "PT Maju (verified)"}))
        .await;
    by_admin.assert(200);
    assert_eq!(by_admin.body["name"], "PT Maju (verified)");
    assert_eq!(by_admin.body["kind"], "employer");
    assert_eq!(
        app.get(&path, Some(&seeker)).await.body["name"],
        "PT Maju (verified)"
    );

    app.patch(
        &format!("/api/v1/organizations/{}", uuid::Uuid::new_v4()),
        Some(&admin),
        json!({"name": "Ghost"}),
    )
    .await
    .assert(404);
    assert_eq!(app.count("organizations"), 2);
}

async fn owners_manage_members(app: TestApp) {
    let (owner_id, owner) = app.user("owner@pt.id", Role::Employer).await;
    let (recruiter_id, recruiter) = app.user("recruiter@pt.id", Role::Employer).await;
    let (second_id, second) = app.user("second@pt.id", Role::Employer).await;
    let (_, outsider) = app.user("outsider@other.id", Role::Employer).await;
    app.user("dinas@disnaker.go.id", Role::Organizer).await;
    app.user("seeker@example.id", Role::JobSeeker).await;
    let (_, seeker_token) = app.user("seeker2@example.id", Role::JobSeeker).await;
    let (_, ministry) = app.user("staff@kemnaker.go.id", Role::Ministry).await;
    let admin = app.admin_token().await;
    let org = app.organization(&owner, "employer").await;
    let path = format!("/api/v1/organizations/{org}/members");

    // The owner adds a member, by email of any case.
    let added = app
        .post(
            &path,
            Some(&owner),
            json!({"email": "  Recruiter@PT.id ", "role": "member"}),
        )
        .await;
    added.assert(201);
    assert_eq!(added.body["user_id"], recruiter_id.as_str());
    assert_eq!(added.body["email"], "recruiter@pt.id");
    assert_eq!(added.body["full_name"], "Test User");
    assert_eq!(added.body["role"], "member");
    assert!(added.body["joined_at"].as_str().unwrap().ends_with('Z'));
    assert_eq!(app.count("memberships"), 2);
    let me = app.get("/api/v1/me", Some(&recruiter)).await;
    assert_eq!(me.body["organizations"][0]["organization_id"], org.as_str());
    assert_eq!(me.body["organizations"][0]["role"], "member");

    // Refusals, none of which writes.
    let refusals = vec![
        (
            "unknown email",
            Some(&owner),
            json!({"email": "nobody@pt.id", "role": "member"}),
            422,
            "validation_failed",
            vec!["email"],
        ),
        (
            "job seeker into an employer org",
            Some(&owner),
            json!({"email": "seeker@example.id", "role": "member"}),
            422,
            "validation_failed",
            vec!["email"],
        ),
        (
            "organizer into an employer org",
            Some(&owner),
            json!({"email": "dinas@disnaker.go.id", "role": "owner"}),
            422,
            "validation_failed",
            vec!["email"],
        ),
        (
            "ministry into an employer org",
            Some(&admin),
            json!({"email": "staff@kemnaker.go.id", "role": "member"}),
            422,
            "validation_failed",
            vec!["email"],
        ),
        (
            "already a member",
            Some(&owner),
            json!({"email": "recruiter@pt.id", "role": "owner"}),
            409,
            "already_member",
            vec![],
        ),
        (
            "the owner again",
            Some(&admin),
            json!({"email": "owner@pt.id", "role": "member"}),
            409,
            "already_member",
            vec![],
        ),
        (
            "no role",
            Some(&owner),
            json!({"email": "second@pt.id"}),
            422,
            "validation_failed",
            vec!["role"],
        ),
        (
            "bad role",
            Some(&owner),
            json!({"email": "second@pt.id", "role": "boss"}),
            422,
            "validation_failed",
            vec!["role"],
        ),
        (
            "bad email",
            Some(&owner),
            json!({"email": "second-at-pt.id", "role": "member"}),
            422,
            "validation_failed",
            vec!["email"],
        ),
        (
            "plain member",
            Some(&recruiter),
            json!({"email": "second@pt.id", "role": "member"}),
            403,
            "forbidden",
            vec![],
        ),
        (
            "outsider",
            Some(&outsider),
            json!({"email": "second@pt.id", "role": "member"}),
            403,
            "forbidden",
            vec![],
        ),
        (
            "ministry",
            Some(&ministry),
            json!({"email": "second@pt.id", "role": "member"}),
            403,
            "forbidden",
            vec![],
        ),
        (
            "anonymous",
            None,
            json!({"email": "second@pt.id", "role": "member"}),
            401,
            "unauthorized",
            vec![],
        ),
    ];
    for (what, token, b, status, code, fields) in refusals {
        let resp = app.post(&path, token.map(String::as_str), b).await;
        assert_eq!(resp.status, status, "{what}: {}", resp.body);
        assert_eq!(resp.code(), code, "{what}");
        assert_eq!(resp.fields(), fields, "{what}");
    }
    assert_eq!(app.count("memberships"), 2);
    app.post(
        &format!("/api/v1/organizations/{}/members", uuid::Uuid::new_v4()),
        Some(&admin),
        json!({"email": "second@pt.id", "role": "member"}),
    )
    .await
    .assert(404);

    // Who may see the members.
    for (who, token, status) in [
        ("owner", Some(&owner), 200),
        ("member", Some(&recruiter), 200),
        ("admin", Some(&admin), 200),
        ("ministry", Some(&ministry), 200),
        ("outsider", Some(&outsider), 403),
        ("job seeker", Some(&seeker_token), 403),
        ("anonymous", None, 401),
    ] {
        let resp = app.get(&path, token.map(String::as_str)).await;
        assert_eq!(resp.status, status, "{who}: {}", resp.body);
        if status == 200 {
            assert_eq!(resp.body["items"].as_array().unwrap().len(), 2, "{who}");
        } else {
            assert!(!resp.code().is_empty(), "{who}");
        }
    }

    // The last owner cannot be removed, by themselves or by an admin.
    for token in [&owner, &admin] {
        let resp = app.delete(&format!("{path}/{owner_id}"), Some(token)).await;
        resp.assert(409);
        assert_eq!(resp.code(), "last_owner");
    }
    // A plain member, an outsider and ministry remove nobody.
    for (who, token) in [
        ("member", &recruiter),
        ("outsider", &outsider),
        ("ministry", &ministry),
    ] {
        let resp = app.delete(&format!("{path}/{owner_id}"), Some(token)).await;
        assert_eq!(resp.status, 403, "{who}: {}", resp.body);
        assert_eq!(resp.code(), "forbidden", "{who}");
    }
    app.delete(&format!("{path}/{owner_id}"), None)
        .await
        .assert(401);
    assert_eq!(app.count("memberships"), 2);

    // An admin adds a second owner; then the first may leave.
    let second_owner = app
        .post(
            &path,
            Some(&admin),
            json!({"email": "second@pt.id", "role": "owner"}),
        )
        .await;
    second_owner.assert(201);
    assert_eq!(second_owner.body["role"], "owner");
    assert_eq!(
        members(&app, &org).await,
        sorted_pairs(vec![
            (owner_id.clone(), "owner"),
            (recruiter_id.clone(), "member"),
            (second_id.clone(), "owner"),
        ])
    );
    let removed = app
        .delete(&format!("{path}/{owner_id}"), Some(&owner))
        .await;
    removed.assert(204);
    assert_eq!(removed.body, Value::Null);
    // The former owner no longer acts for it.
    app.get(&path, Some(&owner)).await.assert(403);
    app.patch(
        &format!("/api/v1/organizations/{org}"),
        Some(&owner),
        json!({"name": "Taken back"}),
    )
    .await
    .assert(403);
    assert_eq!(
        app.get("/api/v1/me", Some(&owner)).await.body["organizations"],
        json!([])
    );

    // The new owner removes the member; then the last owner is protected again.
    app.delete(&format!("{path}/{recruiter_id}"), Some(&second))
        .await
        .assert(204);
    app.delete(&format!("{path}/{recruiter_id}"), Some(&second))
        .await
        .assert(404);
    let last = app
        .delete(&format!("{path}/{second_id}"), Some(&second))
        .await;
    last.assert(409);
    assert_eq!(last.code(), "last_owner");
    assert_eq!(
        members(&app, &org).await,
        [(second_id.clone(), "owner".to_owned())]
    );
    assert_eq!(app.count("memberships"), 1);
}

fn sorted_pairs(v: Vec<(String, &str)>) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = v.into_iter().map(|(a, b)| (a, b.to_owned())).collect();
    out.sort();
    out
}

async fn lists_filter_and_page_without_duplicates(app: TestApp) {
    let (_, organizer) = app.user("o@x.id", Role::Organizer).await;
    let (_, employer) = app.user("e@x.id", Role::Employer).await;
    let (_, seeker) = app.user("s@x.id", Role::JobSeeker).await;
    let mut organizer_orgs = Vec::new();
    for (name, province) in [
        ("Disnaker A", "31"),
        ("Disnaker B", "32"),
        ("Disnaker C", "31"),
    ] {
        let id = app
            .post(
                "/api/v1/organizations",
                Some(&organizer),
                body(name, "organizer", province),
            )
            .await
            .assert(201)
            .id();
        organizer_orgs.push(id);
    }
    let employer_org = app
        .post(
            "/api/v1/organizations",
            Some(&employer),
            body("PT Satu", "employer", "31"),
        )
        .await
        .assert(201)
        .id();
    let mut all = organizer_orgs.clone();
    all.push(employer_org.clone());

    // Filters.
    let list = |q: &'static str| {
        let token = seeker.clone();
        let app = &app;
        async move {
            let resp = app
                .get(&format!("/api/v1/organizations{q}"), Some(&token))
                .await;
            resp.assert(200);
            resp
        }
    };
    let everything = list("").await;
    assert_eq!(sorted(ids(&everything)), sorted(all.clone()));
    assert_eq!(everything.body["next_cursor"], Value::Null);
    assert_eq!(
        sorted(ids(&list("?kind=organizer").await)),
        sorted(organizer_orgs.clone())
    );
    assert_eq!(
        ids(&list("?kind=employer").await),
        vec![employer_org.clone()]
    );
    assert_eq!(
        sorted(ids(&list("?province_code=31").await)),
        sorted(vec![
            organizer_orgs[0].clone(),
            organizer_orgs[2].clone(),
            employer_org.clone()
        ])
    );
    assert_eq!(
        sorted(ids(&list("?kind=organizer&province_code=31").await)),
        sorted(vec![organizer_orgs[0].clone(), organizer_orgs[2].clone()])
    );
    assert_eq!(
        ids(&list("?kind=organizer&province_code=32").await),
        [organizer_orgs[1].clone()]
    );
    assert!(ids(&list("?province_code=51").await).is_empty());
    for item in everything.body["items"].as_array().unwrap() {
        assert!(
            item["name"].is_string() && item["kind"].is_string(),
            "{item}"
        );
    }

    // Pages of two over the three organizer organizations: every one once, then no cursor.
    let mut seen: Vec<String> = Vec::new();
    let mut path = "/api/v1/organizations?kind=organizer&limit=2".to_owned();
    let mut pages = 0;
    loop {
        pages += 1;
        assert!(pages <= 3, "pagination does not end");
        let page = app.get(&path, Some(&seeker)).await;
        page.assert(200);
        let items = ids(&page);
        assert!(items.len() <= 2, "{}", page.body);
        for item in &items {
            assert!(!seen.contains(item), "{item} served twice");
        }
        seen.extend(items);
        match page.body["next_cursor"].as_str() {
            Some(cursor) => {
                assert_eq!(pages, 1, "a cursor after the last page: {}", page.body);
                path = format!("/api/v1/organizations?kind=organizer&limit=2&cursor={cursor}");
            }
            None => break,
        }
    }
    assert_eq!(pages, 2);
    assert_eq!(seen.len(), 3);
    assert_eq!(
        seen.iter().cloned().collect::<HashSet<_>>(),
        organizer_orgs.iter().cloned().collect::<HashSet<_>>()
    );
    // Unfiltered, pages of three: three then one.
    let first = app
        .get("/api/v1/organizations?limit=3", Some(&seeker))
        .await;
    first.assert(200);
    assert_eq!(ids(&first).len(), 3);
    let cursor = first.body["next_cursor"].as_str().unwrap().to_owned();
    let second = app
        .get(
            &format!("/api/v1/organizations?limit=3&cursor={cursor}"),
            Some(&seeker),
        )
        .await;
    second.assert(200);
    assert_eq!(ids(&second).len(), 1);
    assert_eq!(second.body["next_cursor"], Value::Null);
    let mut both = ids(&first);
    both.extend(ids(&second));
    assert_eq!(sorted(both), sorted(all));

    // Bad parameters, and no anonymous reading.
    for (q, field) in [
        ("?limit=0", "limit"),
        ("?limit=101", "limit"),
        ("?limit=two", "limit"),
        ("?cursor=not-a-cursor", "cursor"),
        ("?kind=pirate", "kind"),
        ("?colour=red", "colour"),
    ] {
        let resp = app
            .get(&format!("/api/v1/organizations{q}"), Some(&seeker))
            .await;
        assert_eq!(resp.status, 422, "{q}: {}", resp.body);
        assert_eq!(resp.fields(), [field], "{q}");
    }
    let anonymous = app.get("/api/v1/organizations", None).await;
    anonymous.assert(401);
    assert_eq!(anonymous.code(), "unauthorized");
}

async fn registration_numbers_are_unique_per_kind(app: TestApp) {
    let (_, organizer) = app.user("o@x.id", Role::Organizer).await;
    let (_, employer) = app.user("e@x.id", Role::Employer).await;
    let with_number = |name: &str, kind: &str, number: &str| {
        let mut b = body(name, kind, "31");
        b["registration_number"] = json!(number);
        b
    };
    let first = app
        .post(
            "/api/v1/organizations",
            Some(&organizer),
            with_number("Disnaker Satu", "organizer", "NIB-0001"),
        )
        .await;
    first.assert(201);

    let again = app
        .post(
            "/api/v1/organizations",
            Some(&organizer),
            with_number("Disnaker Dua", "organizer", "NIB-0001"),
        )
        .await;
    again.assert(409);
    assert_eq!(again.code(), "registration_number_taken");
    assert_eq!(app.count("organizations"), 1);
    assert_eq!(app.count("memberships"), 1);

    // Another kind may hold the same number; many may hold none.
    app.post(
        "/api/v1/organizations",
        Some(&employer),
        with_number("PT Satu", "employer", "NIB-0001"),
    )
    .await
    .assert(201);
    let second = app.organization(&organizer, "organizer").await;
    app.organization(&organizer, "organizer").await;
    assert_eq!(app.count("organizations"), 4);

    // Taking the number by an update is refused too, and changes nothing.
    let path = format!("/api/v1/organizations/{second}");
    let before = app.get(&path, Some(&organizer)).await.body;
    let taken = app
        .patch(
            &path,
            Some(&organizer),
            json!({"name": "Renamed", "registration_number": "NIB-0001"}),
        )
        .await;
    taken.assert(409);
    assert_eq!(taken.code(), "registration_number_taken");
    assert_eq!(app.get(&path, Some(&organizer)).await.body, before);

    // Once the first gives its number up, it is free.
    app.patch(
        &format!("/api/v1/organizations/{}", first.id()),
        Some(&organizer),
        json!({"registration_number": null}),
    )
    .await
    .assert(200);
    let moved = app
        .patch(
            &path,
            Some(&organizer),
            json!({"registration_number": "NIB-0001"}),
        )
        .await;
    moved.assert(200);
    assert_eq!(moved.body["registration_number"], "NIB-0001");
}

/// Ownership (which sets an employer's disability quota) is `private` unless given, may be
/// `public`, and is changed by owners like the other fields; any other value is 422.
async fn ownership_is_private_unless_said_and_only_private_or_public(app: TestApp) {
    let (_, employer) = app.user("hr@bumn.id", Role::Employer).await;
    let (_, organizer) = app.user("dinas@disnaker.go.id", Role::Organizer).await;

    let private = app
        .post(
            "/api/v1/organizations",
            Some(&employer),
            body("PT Swasta", "employer", "31"),
        )
        .await;
    private.assert(201);
    assert_eq!(private.body["ownership"], "private");
    let mut public = body("PT Kereta Api Indonesia (Persero)", "employer", "32");
    public["ownership"] = json!("public");
    let public = app
        .post("/api/v1/organizations", Some(&employer), public)
        .await;
    public.assert(201);
    assert_eq!(public.body["ownership"], "public");
    // Organizers have one too (a manpower office is public), though only employers' counts.
    let mut office = body("Disnaker Kota Bandung", "organizer", "32");
    office["ownership"] = json!("public");
    let office = app
        .post("/api/v1/organizations", Some(&organizer), office)
        .await;
    office.assert(201);
    assert_eq!(office.body["ownership"], "public");

    for value in [json!("state"), json!("Public"), json!(1), Value::Null] {
        let mut b = body("PT Lain", "employer", "31");
        b["ownership"] = value.clone();
        let resp = app.post("/api/v1/organizations", Some(&employer), b).await;
        if value.is_null() {
            // An explicit null on create is the same as leaving it out.
            resp.assert(201);
            assert_eq!(resp.body["ownership"], "private");
            continue;
        }
        resp.assert(422);
        assert_eq!(resp.fields(), ["ownership"], "{value}");
    }
    assert_eq!(app.count("organizations"), 4);

    let path = format!("/api/v1/organizations/{}", private.id());
    let changed = app
        .patch(&path, Some(&employer), json!({"ownership": "public"}))
        .await;
    changed.assert(200);
    assert_eq!(changed.body["ownership"], "public");
    for value in [json!("bumn"), Value::Null] {
        let resp = app
            .patch(&path, Some(&employer), json!({"ownership": value}))
            .await;
        resp.assert(422);
        assert_eq!(resp.fields(), ["ownership"], "{value}");
    }
    // Another user may not change it; other fields leave it as it is.
    app.patch(&path, Some(&organizer), json!({"ownership": "private"}))
        .await
        .assert(403);
    let renamed = app
        .patch(&path, Some(&employer), json!({"name": "PT Swasta Baru"}))
        .await;
    renamed.assert(200);
    assert_eq!(renamed.body["ownership"], "public");
    assert_eq!(
        app.get(&path, Some(&organizer)).await.assert(200).body["ownership"],
        "public"
    );
}
