//! The hire confirmation page over plain HTTP: opening it changes nothing, a form needs its CSRF
//! token, dead links get pages that say what to do.

use crate::browser::confirm::{reported_hire, status};
use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::HiringFair;

db_tests!(the_page_answers_only_a_form_with_its_token);

async fn the_page_answers_only_a_form_with_its_token(app: TestApp) {
    let f = HiringFair::new(&app, "csrf").await;
    let (placement, link) = reported_hire(&app, &f, "siti@csrf.id", "0002").await;
    let client = awc::Client::builder().disable_redirects().finish();

    // Opening the page (as a mail scanner would, twice) shows the claim and changes nothing.
    for _ in 0..2 {
        let mut page = client.get(app.url(&link)).send().await.unwrap();
        assert_eq!(page.status().as_u16(), 200);
        let html = String::from_utf8_lossy(&page.body().await.unwrap()).into_owned();
        assert!(html.contains("Ya, benar"), "{html}");
        assert!(!html.contains("3171"), "no part of a NIK on the page");
    }
    assert_eq!(status(&app, &placement), "reported");

    // A form from another site carries no matching token: refused, nothing changes.
    let forged = client
        .post(app.url(&link))
        .insert_header((
            "Cookie",
            "bursa_csrf=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        ))
        .send_form(&[
            ("csrf", "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb"),
            ("decision", "confirm"),
        ])
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 403);
    let no_cookie = client
        .post(app.url(&link))
        .send_form(&[("csrf", "x"), ("decision", "confirm")])
        .await
        .unwrap();
    assert_eq!(no_cookie.status().as_u16(), 403);
    assert_eq!(status(&app, &placement), "reported");

    // With the browser's own token the answer is taken, once.
    let token = "cccccccccccccccccccccccccccccccccccccccccccc";
    let cookie = format!("bursa_csrf={token}");
    let answer = |decision: &'static str| {
        client
            .post(app.url(&link))
            .insert_header(("Cookie", cookie.clone()))
            .send_form(&[("csrf", token), ("decision", decision)])
    };
    assert_eq!(answer("confirm").await.unwrap().status().as_u16(), 200);
    assert_eq!(status(&app, &placement), "confirmed");
    let mut again = answer("confirm").await.unwrap();
    assert_eq!(again.status().as_u16(), 410);
    let html = String::from_utf8_lossy(&again.body().await.unwrap()).into_owned();
    assert!(html.contains("Tautan ini sudah dipakai"), "{html}");

    // An unknown token is a page too, not JSON.
    let mut unknown = client
        .get(app.url("/placement-confirmations/not-a-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(unknown.status().as_u16(), 404);
    let html = String::from_utf8_lossy(&unknown.body().await.unwrap()).into_owned();
    assert!(html.contains("Tautan tidak dikenal"), "{html}");
}
