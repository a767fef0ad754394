//! Email: accounts' addresses and languages. Every test runs on SQLite and PostgreSQL.

use serde_json::{json, Value};

use crate::common::{TestApp, PASSWORD};
use crate::db_tests;

db_tests!(accounts_show_language_and_verification);

async fn register(app: &TestApp, email: &str, language: Option<&str>) -> Value {
    let mut body = json!({"email": email, "password": PASSWORD, "full_name": "Siti Rahayu", "role": "job_seeker"});
    if let Some(language) = language {
        body["language"] = json!(language);
    }
    app.post("/api/v1/auth/register", None, body)
        .await
        .assert(201)
        .body
        .clone()
}

async fn accounts_show_language_and_verification(app: TestApp) {
    let user = register(&app, "en@example.id", Some("en")).await;
    assert_eq!(user["language"], "en");
    assert_eq!(user["email_verified"], false);
    let user = register(&app, "id@example.id", None).await;
    assert_eq!(user["language"], "id");
    let token = app.login("id@example.id").await["access_token"]
        .as_str()
        .unwrap()
        .to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await;
    me.assert(200);
    assert_eq!(me.body["language"], "id");
    assert_eq!(me.body["email_verified"], false);
    let bad = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "fr@example.id", "password": PASSWORD, "full_name": "X", "role": "job_seeker", "language": "fr"}),
        )
        .await;
    bad.assert(422);
    assert_eq!(bad.fields(), ["language"]);
}
