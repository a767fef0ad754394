//! Accounts by phone number: registration (E.164 normalisation, bad numbers, a taken number,
//! an empty email), sign-in by phone and password, and the one-time WhatsApp codes (single use,
//! expiry, tries, throttling, stored hashed, no enumeration). Every test runs on both engines.

use serde_json::{json, Value};

use crate::common::{assert_conflict, assert_invalid, TestApp, PASSWORD};
use crate::db_tests;

db_tests!(
    registering_by_phone_normalises_the_number_and_sends_a_code,
    bad_numbers_an_empty_email_and_a_taken_number_are_refused,
    signing_in_by_phone_and_password,
    a_code_signs_in_once_and_verifies_the_number,
    wrong_codes_count_and_the_fifth_kills_the_code,
    codes_expire_and_a_new_code_replaces_the_old,
    codes_are_throttled_per_number,
    codes_are_stored_hashed_and_never_tell_which_numbers_exist,
    a_phone_account_migrated_table_keeps_its_foreign_keys,
    the_pages_sign_up_and_in_by_phone_without_javascript,
);

pub const PHONE: &str = "+6281234567890";

pub async fn register_phone(app: &TestApp, phone: &str, consent: bool) -> Value {
    app.post(
        "/api/v1/auth/register",
        None,
        json!({
            "phone": phone, "password": PASSWORD, "full_name": "Sri Wahyuni",
            "role": "job_seeker", "whatsapp_consent": consent
        }),
    )
    .await
    .assert(201)
    .body
    .clone()
}

/// The code in the newest WhatsApp message queued to `phone`, read from the outbox (before the
/// worker sends it, its body is the Cloud API's request).
pub fn queued_code(app: &TestApp, phone: &str) -> String {
    use bursa::db::schema::outbox;
    use diesel::prelude::*;
    let body: String = outbox::table
        .filter(outbox::recipient.eq(phone))
        .filter(outbox::kind.eq("phone_code"))
        .order(outbox::id.desc())
        .select(outbox::body_text)
        .first(&mut *app.conn())
        .expect("a queued code");
    let body: Value = serde_json::from_str(&body).unwrap();
    body["template"]["components"][0]["parameters"][0]["text"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn codes_queued(app: &TestApp) -> i64 {
    app.number("SELECT COUNT(*) AS n FROM outbox WHERE kind = 'phone_code'")
}

async fn verify(app: &TestApp, phone: &str, code: &str) -> crate::common::Resp {
    app.post(
        "/api/v1/auth/phone-codes/verify",
        None,
        json!({"phone": phone, "code": code}),
    )
    .await
}

async fn registering_by_phone_normalises_the_number_and_sends_a_code(app: TestApp) {
    let user = register_phone(&app, "0812-3456-7890", true).await;
    assert_eq!(user["phone"], PHONE);
    assert_eq!(user["email"], Value::Null);
    assert_eq!(user["phone_verified"], false);
    assert_eq!(user["whatsapp_consent"], true);
    // One message, by WhatsApp, to the number: the code. No email.
    assert_eq!(app.count("outbox"), 1);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE channel = 'whatsapp' \
             AND recipient = '{PHONE}' AND subject = 'bursa_sign_in_code'"
        )),
        1
    );
    assert_eq!(queued_code(&app, PHONE).len(), 6);
    // The other ways of writing it are the same number.
    for written in ["6281234567890", "+62 812 3456 7890"] {
        let again = app
            .post(
                "/api/v1/auth/register",
                None,
                json!({"phone": written, "password": PASSWORD, "full_name": "X", "role": "job_seeker"}),
            )
            .await;
        assert_conflict(&again, "phone_taken");
    }
    // Email and phone together make one account with both.
    let both = app
        .post(
            "/api/v1/auth/register",
            None,
            json!({"email": "Rini@Example.id", "phone": "6285700001111", "password": PASSWORD,
                   "full_name": "Rini", "role": "job_seeker"}),
        )
        .await;
    both.assert(201);
    assert_eq!(both.body["email"], "rini@example.id");
    assert_eq!(both.body["phone"], "+6285700001111");
    assert_eq!(both.body["whatsapp_consent"], false);
}

async fn bad_numbers_an_empty_email_and_a_taken_number_are_refused(app: TestApp) {
    let body = |extra: Value| {
        let mut body = json!({"password": PASSWORD, "full_name": "X", "role": "job_seeker"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        body
    };
    for bad in [
        "+14155550100",
        "0212345678",
        "0812",
        "08123abc890",
        "812345678",
        "",
    ] {
        let resp = app
            .post("/api/v1/auth/register", None, body(json!({"phone": bad})))
            .await;
        assert_invalid(&resp, "phone");
        assert!(
            resp.body["error"]["details"][0]["message"]
                .as_str()
                .unwrap()
                .contains("Indonesian mobile number"),
            "{}",
            resp.body
        );
    }
    // An empty email is not "no email".
    assert_invalid(
        &app.post("/api/v1/auth/register", None, body(json!({"email": ""})))
            .await,
        "email",
    );
    assert_invalid(
        &app.post(
            "/api/v1/auth/register",
            None,
            body(json!({"email": "", "phone": PHONE})),
        )
        .await,
        "email",
    );
    let neither = app
        .post("/api/v1/auth/register", None, body(json!({})))
        .await;
    neither.assert(422);
    assert_eq!(neither.fields(), ["email", "phone"]);
    assert_invalid(
        &app.post(
            "/api/v1/auth/register",
            None,
            body(json!({"email": "a@example.id", "whatsapp_consent": true})),
        )
        .await,
        "whatsapp_consent",
    );
    // Nothing was written by the refusals.
    assert_eq!(app.count("users"), 0);
    assert_eq!(app.count("outbox"), 0);
    register_phone(&app, PHONE, false).await;
    let taken = app
        .post(
            "/api/v1/auth/register",
            None,
            body(json!({"phone": "081234567890", "email": "new@example.id"})),
        )
        .await;
    assert_conflict(&taken, "phone_taken");
    assert_eq!(app.count("users"), 1);
}

async fn signing_in_by_phone_and_password(app: TestApp) {
    register_phone(&app, PHONE, true).await;
    let login = |phone: &str, password: &str| {
        app.post(
            "/api/v1/auth/login",
            None,
            json!({"phone": phone, "password": password}),
        )
    };
    let signed_in = login("081234567890", PASSWORD).await;
    signed_in.assert(200);
    let token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await;
    me.assert(200);
    assert_eq!(me.body["phone"], PHONE);
    assert_eq!(me.body["phone_verified"], false);
    assert_eq!(me.body["email"], Value::Null);
    let wrong = login(PHONE, "not-the-password").await;
    wrong.assert(401);
    assert_eq!(wrong.code(), "invalid_credentials");
    login("+6289999999999", PASSWORD).await.assert(401);
    assert_invalid(&login("+1 415 555 0100", PASSWORD).await, "phone");
    let both = app
        .post(
            "/api/v1/auth/login",
            None,
            json!({"email": "a@example.id", "phone": PHONE, "password": PASSWORD}),
        )
        .await;
    assert_invalid(&both, "phone");
    // A phone-only account has no email to verify.
    let resend = app
        .post("/api/v1/me/verification-email", Some(&token), json!({}))
        .await;
    assert_conflict(&resend, "no_email");
}

async fn a_code_signs_in_once_and_verifies_the_number(app: TestApp) {
    register_phone(&app, PHONE, true).await;
    let code = queued_code(&app, PHONE);
    let signed_in = verify(&app, "081234567890", &code).await;
    signed_in.assert(200);
    assert_eq!(signed_in.body["token_type"], "Bearer");
    let token = signed_in.body["access_token"].as_str().unwrap().to_owned();
    let me = app.get("/api/v1/me", Some(&token)).await;
    assert_eq!(me.body["phone_verified"], true);
    // The refresh token works like a login's.
    app.post(
        "/api/v1/auth/refresh",
        None,
        json!({"refresh_token": signed_in.body["refresh_token"]}),
    )
    .await
    .assert(200);
    // Single use.
    let again = verify(&app, PHONE, &code).await;
    again.assert(410);
    assert_eq!(again.code(), "code_expired");
    // A code asked for later signs in again.
    app.post("/api/v1/auth/phone-codes", None, json!({"phone": PHONE}))
        .await
        .assert(202);
    // ...once the minute between two codes has passed.
    assert_eq!(codes_queued(&app), 1);
    backdate_codes(&app, 120);
    app.post("/api/v1/auth/phone-codes", None, json!({"phone": PHONE}))
        .await
        .assert(202);
    assert_eq!(codes_queued(&app), 2);
    verify(&app, PHONE, &queued_code(&app, PHONE))
        .await
        .assert(200);
}

/// Moves every code `seconds` into the past (as if asked for that long ago).
fn backdate_codes(app: &TestApp, seconds: i64) {
    use bursa::db::schema::phone_codes;
    use diesel::prelude::*;
    let codes: Vec<(String, chrono::NaiveDateTime)> = phone_codes::table
        .select((phone_codes::id, phone_codes::created_at))
        .load(&mut *app.conn())
        .unwrap();
    for (id, created_at) in codes {
        diesel::update(phone_codes::table.find(id))
            .set(phone_codes::created_at.eq(created_at - chrono::Duration::seconds(seconds)))
            .execute(&mut *app.conn())
            .unwrap();
    }
}

fn another_code(code: &str) -> String {
    let n: u32 = code.parse().unwrap();
    format!("{:06}", (n + 1) % 1_000_000)
}

async fn wrong_codes_count_and_the_fifth_kills_the_code(app: TestApp) {
    register_phone(&app, PHONE, false).await;
    let code = queued_code(&app, PHONE);
    let wrong = another_code(&code);
    for left in [4, 3, 2, 1] {
        let resp = verify(&app, PHONE, &wrong).await;
        resp.assert(400);
        assert_eq!(resp.code(), "code_wrong");
        assert!(
            resp.body["error"]["message"]
                .as_str()
                .unwrap()
                .contains(&format!("{left} tries left")),
            "{}",
            resp.body
        );
    }
    let fifth = verify(&app, PHONE, &wrong).await;
    fifth.assert(410);
    assert_eq!(fifth.code(), "code_exhausted");
    // Dead: even the right code no longer works.
    let right = verify(&app, PHONE, &code).await;
    right.assert(410);
    assert_eq!(right.code(), "code_exhausted");
    assert_eq!(
        app.number("SELECT COUNT(*) AS n FROM users WHERE phone_verified_at IS NOT NULL"),
        0
    );
    // Not a code at all: 422.
    assert_invalid(
        &app.post(
            "/api/v1/auth/phone-codes/verify",
            None,
            json!({"phone": PHONE}),
        )
        .await,
        "code",
    );
}

async fn codes_expire_and_a_new_code_replaces_the_old(app: TestApp) {
    register_phone(&app, PHONE, false).await;
    let first = queued_code(&app, PHONE);
    backdate_codes(&app, 120);
    app.post("/api/v1/auth/phone-codes", None, json!({"phone": PHONE}))
        .await
        .assert(202);
    let second = queued_code(&app, PHONE);
    if first != second {
        // Only the newest code works.
        let old = verify(&app, PHONE, &first).await;
        assert_eq!(old.code(), "code_wrong", "{}", old.body);
    }
    // Ten minutes later the newest one is dead too.
    {
        use bursa::db::schema::phone_codes;
        use diesel::prelude::*;
        diesel::update(phone_codes::table)
            .set(
                phone_codes::expires_at
                    .eq(chrono::Utc::now().naive_utc() - chrono::Duration::seconds(1)),
            )
            .execute(&mut *app.conn())
            .unwrap();
    }
    let expired = verify(&app, PHONE, &second).await;
    expired.assert(410);
    assert_eq!(expired.code(), "code_expired");
}

async fn codes_are_throttled_per_number(app: TestApp) {
    register_phone(&app, PHONE, false).await; // the first code
                                              // A second within the minute: accepted, not sent.
    app.post("/api/v1/auth/phone-codes", None, json!({"phone": PHONE}))
        .await
        .assert(202);
    assert_eq!(codes_queued(&app), 1);
    // One a minute, five in the hour.
    for sent in 2..=5 {
        backdate_codes(&app, 61);
        app.post("/api/v1/auth/phone-codes", None, json!({"phone": PHONE}))
            .await
            .assert(202);
        assert_eq!(codes_queued(&app), sent);
    }
    backdate_codes(&app, 61);
    app.post("/api/v1/auth/phone-codes", None, json!({"phone": PHONE}))
        .await
        .assert(202);
    assert_eq!(codes_queued(&app), 5, "five codes an hour at most");
    assert_invalid(
        &app.post("/api/v1/auth/phone-codes", None, json!({"phone": "12"}))
            .await,
        "phone",
    );
}

async fn codes_are_stored_hashed_and_never_tell_which_numbers_exist(app: TestApp) {
    register_phone(&app, PHONE, false).await;
    let code = queued_code(&app, PHONE);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM phone_codes WHERE code_hash LIKE '%{code}%' \
             OR length(code_hash) <> 64"
        )),
        0,
        "only a keyed hash is stored"
    );
    // An unknown number gets the same answer, and nothing is queued for it.
    let outbox = app.count("outbox");
    let unknown = app
        .post(
            "/api/v1/auth/phone-codes",
            None,
            json!({"phone": "+6289900001111"}),
        )
        .await;
    unknown.assert(202);
    assert_eq!(unknown.body, Value::Null);
    assert_eq!(app.count("outbox"), outbox);
    let no_account = verify(&app, "+6289900001111", "123456").await;
    no_account.assert(410);
    assert_eq!(no_account.code(), "code_expired");
    // The code is sent, then its body is gone: it lives nowhere in the database.
    let dir = tempfile::tempdir().unwrap();
    let config = crate::whatsapp_fake::outbox_config(&app, None, dir.path());
    let mailer = bursa::mail::transport::Mailer::from_config(&config).unwrap();
    let round =
        bursa::mail::worker::run_once(&mut app.conn(), &mailer, &config, "test-worker").unwrap();
    assert_eq!(round.sent, 1);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM outbox WHERE body_text LIKE '%{code}%'"
        )),
        0
    );
}

async fn a_phone_account_migrated_table_keeps_its_foreign_keys(app: TestApp) {
    // users was rebuilt on SQLite: the tables that reference it must still reference it.
    let user = register_phone(&app, PHONE, false).await;
    let id = user["id"].as_str().unwrap().to_owned();
    verify(&app, PHONE, &queued_code(&app, PHONE))
        .await
        .assert(200);
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM refresh_tokens WHERE user_id = '{id}'"
        )),
        1
    );
    if app.engine == crate::common::Engine::Sqlite {
        assert_eq!(
            app.number(
                "SELECT COUNT(*) AS n FROM sqlite_master \
                 WHERE sql LIKE '%users_rebuilt%' OR sql LIKE '%users_old%'"
            ),
            0
        );
        assert_eq!(
            app.number("SELECT COUNT(*) AS n FROM pragma_foreign_key_check"),
            0
        );
    }
    // A row that points at no account is refused by the foreign key.
    use diesel::connection::SimpleConnection;
    let dangling = app.conn().batch_execute(
        "INSERT INTO phone_codes (id, user_id, code_hash, purpose, created_at, expires_at) \
         VALUES ('x', 'no-such-user', 'h', 'sign_in', '2026-01-01 00:00:00', '2026-01-01 00:10:00')",
    );
    assert!(dangling.is_err(), "the foreign key holds");
    // Deleting the account cascades to its codes and tokens.
    app.conn()
        .batch_execute(&format!(
            "DELETE FROM refresh_tokens WHERE user_id = '{id}'; \
             DELETE FROM login_throttles WHERE user_id = '{id}'; \
             DELETE FROM users WHERE id = '{id}'"
        ))
        .unwrap();
    assert_eq!(app.count("phone_codes"), 0);
}

async fn the_pages_sign_up_and_in_by_phone_without_javascript(app: TestApp) {
    use crate::account_pages::Visitor;
    let mut visitor = Visitor::new(&app).await;
    // Signing up by phone: no session yet, the code page, a code queued.
    let signed_up = visitor
        .post(
            "/sign-up",
            &[
                ("full_name", "Sri Wahyuni"),
                ("via", "phone"),
                ("email", "ignored@example.id"),
                ("phone", "0812 3456 7890"),
                ("whatsapp_consent", "yes"),
                ("password", PASSWORD),
                ("language", "id"),
            ],
        )
        .await;
    assert_eq!(signed_up.status, 200);
    assert!(signed_up.cookie("bursa_session").is_none());
    assert!(
        signed_up.body.contains("action=\"/sign-in/code\""),
        "{}",
        signed_up.body
    );
    assert!(signed_up.body.contains("+6281234567890"));
    assert_eq!(
        app.number(&format!(
            "SELECT COUNT(*) AS n FROM users WHERE phone = '{PHONE}' AND email IS NULL \
             AND whatsapp_consent_at IS NOT NULL"
        )),
        1
    );
    // A bad number is shown next to its field.
    let bad = visitor
        .post(
            "/sign-up",
            &[
                ("full_name", "X"),
                ("via", "phone"),
                ("phone", "12345"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(bad.status, 422);
    assert!(bad.body.contains("id=\"phone-error\""), "{}", bad.body);
    // A wrong code, then the right one: signed in.
    let code = queued_code(&app, PHONE);
    let wrong = visitor
        .post(
            "/sign-in/code",
            &[("phone", "081234567890"), ("code", &another_code(&code))],
        )
        .await;
    assert_eq!(wrong.status, 400);
    assert!(wrong.body.contains("Kode salah"), "{}", wrong.body);
    assert!(wrong.cookie("bursa_session").is_none());
    let right = visitor
        .post(
            "/sign-in/code",
            &[("phone", "081234567890"), ("code", &code)],
        )
        .await;
    assert_eq!(right.status, 303, "{}", right.body);
    assert_eq!(right.header("location"), "/me");
    assert!(visitor.session.is_some());
    let me = visitor.get("/me").await;
    assert!(me.body.contains("+6281234567890"), "{}", me.body);
    // Signing in by phone and password on the same field as the email.
    let mut other = Visitor::new(&app).await;
    let signed_in = other
        .post(
            "/sign-in",
            &[("email", "+62 812 3456 7890"), ("password", PASSWORD)],
        )
        .await;
    assert_eq!(signed_in.status, 303, "{}", signed_in.body);
    // Asking for a code says the same for any number.
    let sent = other
        .post("/sign-in/code/send", &[("phone", "089900001111")])
        .await;
    assert_eq!(sent.status, 200);
    assert!(
        sent.body.contains("Jika nomor ini terdaftar"),
        "{}",
        sent.body
    );
    // The used code is dead.
    let used = other
        .post("/sign-in/code", &[("phone", PHONE), ("code", &code)])
        .await;
    assert_eq!(used.status, 410);
    assert!(used.body.contains("sudah tidak berlaku"), "{}", used.body);
}
