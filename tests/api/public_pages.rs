//! The public fair pages over plain HTTP: the list and its filters, one fair, a scorecard.

use chrono::{Duration, Utc};
use serde_json::json;

use crate::common::TestApp;
use crate::db_tests;
use crate::fixtures::{Employer, Fair};

db_tests!(
    the_list_shows_upcoming_fairs_and_its_filters_narrow_it,
    a_fair_page_shows_its_place_employers_and_vacancies,
    drafts_and_cancelled_fairs_are_not_found,
    a_closed_fair_links_to_its_public_scorecard,
);

async fn get(app: &TestApp, path: &str) -> (u16, String) {
    let client = awc::Client::builder().disable_redirects().finish();
    let mut response = client
        .get(app.url(path))
        .send()
        .await
        .expect("request sent");
    let body = response.body().limit(1 << 20).await.expect("body");
    (
        response.status().as_u16(),
        String::from_utf8_lossy(&body).into_owned(),
    )
}

async fn the_list_shows_upcoming_fairs_and_its_filters_narrow_it(app: TestApp) {
    let soon = Utc::now() + Duration::days(10);
    let jakarta = Fair::by(&app, "organizer@list.id")
        .with(json!({"title": "Bursa Kerja Jakarta"}))
        .starting(soon, 8)
        .published()
        .await;
    let bali = jakarta
        .another(&app)
        .with(json!({"title": "Bursa Kerja Bali", "province_code": "51", "city": "Denpasar"}))
        .starting(soon + Duration::days(20), 8)
        .published()
        .await;
    jakarta
        .another(&app)
        .with(json!({"title": "Bursa Kerja Rahasia"}))
        .starting(soon, 8)
        .draft()
        .await;
    // Ended already (the standard fair is on 1–2 December 2026): not upcoming.
    jakarta
        .another(&app)
        .with(json!({"title": "Bursa Kerja Lama"}))
        .published()
        .await;

    let (status, body) = get(&app, "/events").await;
    assert_eq!(status, 200);
    assert!(body.contains("Bursa Kerja Jakarta"), "{body}");
    assert!(body.contains("Bursa Kerja Bali"), "{body}");
    assert!(!body.contains("Bursa Kerja Rahasia"), "{body}");
    assert!(!body.contains("Bursa Kerja Lama"), "{body}");
    // Soonest first, each with its link, local times and zone.
    let (j, b) = (
        body.find("Bursa Kerja Jakarta").unwrap(),
        body.find("Bursa Kerja Bali").unwrap(),
    );
    assert!(j < b, "soonest first");
    assert!(body.contains(&format!("href=\"/events/{}\"", jakarta.event)));
    assert!(body.contains("WIB") && body.contains("WITA"), "{body}");
    assert!(body.contains("Denpasar, Bali"), "{body}");
    assert!(
        body.contains("<option value=\"51\">Bali</option>"),
        "{body}"
    );

    // The province filter.
    let (status, body) = get(&app, "/events?province=51&from=&to=").await;
    assert_eq!(status, 200);
    assert!(body.contains("Bursa Kerja Bali"), "{body}");
    assert!(!body.contains("Bursa Kerja Jakarta"), "{body}");
    assert!(body.contains("<option value=\"51\" selected>"), "{body}");

    // The date range: only the days of the Jakarta fair.
    let day = (soon + Duration::hours(7)).date_naive();
    let (_, body) = get(&app, &format!("/events?province=&from={day}&to={day}")).await;
    assert!(body.contains("Bursa Kerja Jakarta"), "{body}");
    assert!(!body.contains("Bursa Kerja Bali"), "{body}");
    assert!(body.contains(&format!("value=\"{day}\"")), "{body}");

    // Nothing matches: the empty state.
    let (status, body) = get(&app, "/events?province=94").await;
    assert_eq!(status, 200);
    assert!(body.contains("Tidak ada bursa kerja yang cocok"), "{body}");

    // An unknown province is a friendly error page.
    let (status, _) = get(&app, "/events?province=99").await;
    assert_eq!(status, 400);
    let _ = bali;
}

async fn a_fair_page_shows_its_place_employers_and_vacancies(app: TestApp) {
    let start = Utc::now() + Duration::days(10);
    let fair = Fair::by(&app, "organizer@show.id")
        .with(json!({
            "title": "Bursa Kerja Jakarta",
            "description": "Baris pertama\n<b>baris kedua</b>",
        }))
        .starting(start, 8)
        .published()
        .await;
    let hr = Employer::at(&app, &fair, "hr@show.id", true).await;
    hr.vacancy(&app, &fair, json!({"title": "Operator Forklift"}))
        .await;
    hr.vacancy(
        &app,
        &fair,
        json!({"title": "Staf Gudang", "disability_friendly": true}),
    )
    .await;
    // Waiting for approval: not shown.
    let pending = Employer::at(&app, &fair, "hr2@show.id", false).await;
    let _ = pending;

    let path = format!("/events/{}", fair.event);
    let (status, body) = get(&app, &path).await;
    assert_eq!(status, 200);
    assert!(body.contains("<h1>Bursa Kerja Jakarta</h1>"), "{body}");
    assert!(body.contains("Jakarta Convention Center"), "{body}");
    assert!(body.contains("Jakarta Pusat, DKI Jakarta"), "{body}");
    assert!(body.contains("WIB"), "{body}");
    // Line breaks kept, markup escaped.
    assert!(
        body.contains("Baris pertama<br>&#60;b&#62;baris kedua&#60;/b&#62;")
            || body.contains("Baris pertama<br>&lt;b&gt;baris kedua&lt;/b&gt;"),
        "{body}"
    );
    assert_eq!(body.matches("<li>employer org</li>").count(), 1, "{body}");
    assert!(body.contains("Operator Forklift"), "{body}");
    assert!(body.contains("Staf Gudang"), "{body}");
    // Open Graph: the fair's title and its first day and place.
    let day = bursa::locale::date(
        (start + Duration::hours(7)).date_naive(),
        bursa::users::Language::Id,
    );
    assert!(
        body.contains("<meta property=\"og:title\" content=\"Bursa Kerja Jakarta\">"),
        "{body}"
    );
    assert!(
        body.contains(&format!(
            "<meta property=\"og:description\" content=\"{day} · Jakarta Pusat, DKI Jakarta\">"
        )),
        "{body}"
    );
    assert!(body.contains("og:url"), "{body}");
    // Not closed: no scorecard link.
    assert!(!body.contains("/scorecard"), "{body}");

    // The vacancy filter.
    let (status, body) = get(&app, &format!("{path}?disability_friendly=true")).await;
    assert_eq!(status, 200);
    assert!(body.contains("Staf Gudang"), "{body}");
    assert!(!body.contains("Operator Forklift"), "{body}");

    // A scorecard of a fair still running is not found.
    let (status, _) = get(&app, &format!("{path}/scorecard")).await;
    assert_eq!(status, 404);
}

async fn drafts_and_cancelled_fairs_are_not_found(app: TestApp) {
    let start = Utc::now() + Duration::days(10);
    let draft = Fair::by(&app, "organizer@hidden.id")
        .starting(start, 8)
        .draft()
        .await;
    let cancelled = draft.another(&app).starting(start, 8).published().await;
    app.post(
        &format!("/api/v1/events/{}/cancel", cancelled.event),
        Some(&cancelled.organizer),
        json!({}),
    )
    .await
    .assert(200);
    for fair in [&draft, &cancelled] {
        let (status, body) = get(&app, &format!("/events/{}", fair.event)).await;
        assert_eq!(status, 404);
        assert!(body.contains("Halaman tidak ditemukan"), "{body}");
        let (status, _) = get(&app, &format!("/events/{}/scorecard", fair.event)).await;
        assert_eq!(status, 404);
    }
    let (_, body) = get(&app, "/events").await;
    assert!(!body.contains(&cancelled.event), "{body}");
    assert!(body.contains("Belum ada bursa kerja"), "{body}");
    let (status, _) = get(&app, "/events/not-a-uuid").await;
    assert_eq!(status, 404);
}

async fn a_closed_fair_links_to_its_public_scorecard(app: TestApp) {
    // The standard fair, 1–2 December 2026, has ended: the organizer closes it.
    let fair = Fair::by(&app, "organizer@closed.id")
        .with(json!({"title": "Bursa Kerja Selesai"}))
        .published()
        .await;
    app.post(
        &format!("/api/v1/events/{}/close", fair.event),
        Some(&fair.organizer),
        json!({"spent_idr": 120_000_000_i64, "notes": "selesai"}),
    )
    .await
    .assert(200);
    let (status, body) = get(&app, &format!("/events/{}", fair.event)).await;
    assert_eq!(status, 200);
    let link = format!("href=\"/events/{}/scorecard\"", fair.event);
    assert!(body.contains(&link), "{body}");

    let (status, body) = get(&app, &format!("/events/{}/scorecard", fair.event)).await;
    assert_eq!(status, 200);
    assert!(
        body.contains("<h1>Hasil Bursa Kerja Selesai</h1>"),
        "{body}"
    );
    assert!(body.contains("Penempatan terverifikasi"), "{body}");
    assert!(body.contains("Rp120.000.000"), "{body}");
    assert!(
        body.contains("1 Desember 2026 · Jakarta Pusat, DKI Jakarta"),
        "{body}"
    );
    assert!(body.contains("og:description"), "{body}");
    // The closed fair is not upcoming.
    let (_, list) = get(&app, "/events").await;
    assert!(!list.contains("Bursa Kerja Selesai"), "{list}");
}
