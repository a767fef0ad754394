//! `GET /api/v1/occupations`: the ISCO-08 unit groups searched by title or code, and the rule
//! that a vacancy's occupation is one of them.

use serde_json::json;

use crate::common::{assert_invalid, TestApp};
use crate::db_tests;
use crate::fixtures::{with, HiringFair};

db_tests!(search_by_words_and_code, vacancies_take_only_unit_groups);

fn codes(body: &serde_json::Value) -> Vec<String> {
    body["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|o| o["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

async fn search_by_words_and_code(app: TestApp) {
    // Public, any case; a title starting with the words comes first.
    let found = app.get("/api/v1/occupations?q=WELDERS", None).await;
    found.assert(200);
    assert_eq!(codes(&found.body).first().map(String::as_str), Some("7212"));
    assert_eq!(
        found.body["items"][0]["title"],
        json!("Welders and flamecutters")
    );
    // Every word must be in the title.
    let found = app.get("/api/v1/occupations?q=truck+lifting", None).await;
    assert_eq!(codes(&found.body), vec!["8344"]);
    // The start of a code.
    let found = app.get("/api/v1/occupations?q=834", None).await;
    assert_eq!(codes(&found.body), vec!["8341", "8342", "8343", "8344"]);
    // Nothing asked, nothing found; the limit holds.
    assert!(codes(&app.get("/api/v1/occupations?q=", None).await.body).is_empty());
    assert!(codes(&app.get("/api/v1/occupations", None).await.body).is_empty());
    let found = app.get("/api/v1/occupations?q=a&limit=5", None).await;
    assert_eq!(codes(&found.body).len(), 5);
    // Bad queries are 422 naming the field.
    assert_invalid(
        &app.get("/api/v1/occupations?q=a&limit=0", None).await,
        "limit",
    );
    assert_invalid(
        &app.get("/api/v1/occupations?q=a&limit=51", None).await,
        "limit",
    );
    let long = "a".repeat(101);
    assert_invalid(
        &app.get(&format!("/api/v1/occupations?q={long}"), None)
            .await,
        "q",
    );
    let unknown = app.get("/api/v1/occupations?nope=1", None).await;
    assert!(matches!(unknown.status, 400 | 422), "{}", unknown.body);
}

async fn vacancies_take_only_unit_groups(app: TestApp) {
    let f = HiringFair::new(&app, "occupations").await;
    let vacancies = format!("/api/v1/events/{}/vacancies", f.event);
    let body = crate::fixtures::vacancy_body(&f.company, "Tukang Las");
    for code in ["9999", "0000", "834", "83440"] {
        let resp = app
            .post(
                &vacancies,
                Some(&f.employer),
                with(&body, json!({"occupation_code": code})),
            )
            .await;
        assert_invalid(&resp, "occupation_code");
    }
    app.post(
        &vacancies,
        Some(&f.employer),
        with(&body, json!({"occupation_code": "7212"})),
    )
    .await
    .assert(201);
    let refused = app
        .patch(
            &format!("/api/v1/vacancies/{}", f.vacancy),
            Some(&f.employer),
            json!({"occupation_code": "1234"}),
        )
        .await;
    assert_invalid(&refused, "occupation_code");
    let vacancy = app
        .get(&format!("/api/v1/vacancies/{}", f.vacancy), None)
        .await;
    assert_eq!(vacancy.body["occupation_code"], json!("8344"));
}
