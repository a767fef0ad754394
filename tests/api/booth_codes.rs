//! Booth codes: the employer records a candidate (or reports a walk-in hire) by the check-in
//! code on their ticket instead of their id, under the same rules, and learns only their display
//! name.
use serde_json::json;

use crate::common::{assert_conflict, assert_invalid, assert_no_nik, TestApp};
use crate::db_tests;
use crate::fixtures::{register, rows, HiringFair, Seeker};

db_tests!(
    employers_record_candidates_by_their_check_in_code,
    codes_of_other_fairs_and_bad_bodies_change_nothing,
);

fn apply_path(vacancy: &str) -> String {
    format!("/api/v1/vacancies/{vacancy}/applications")
}

/// The code as a hurried person types it: lowercase, with spaces for hyphens.
fn typed(code: &str) -> String {
    code.to_lowercase().replace('-', " ")
}

async fn employers_record_candidates_by_their_check_in_code(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let apply = apply_path(&f.vacancy);
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu Putri", "0002").await;
    let code = register(&app, &f.event, &siti.token).await;

    // Same rules as by id: a registered candidate who has not checked in is refused.
    assert_conflict(
        &app.post(
            &apply,
            Some(&f.employer),
            json!({"check_in_code": typed(&code)}),
        )
        .await,
        "not_checked_in",
    );
    assert_eq!(app.count("applications"), 0);

    rows::check_in(&app, &f.event, &siti.id, &f.organizer_id);
    let recorded = app
        .post(
            &apply,
            Some(&f.employer),
            json!({"check_in_code": typed(&code)}),
        )
        .await;
    recorded.assert(201);
    assert_eq!(recorded.body["job_seeker_id"], siti.id.as_str());
    assert_eq!(recorded.body["display_name"], "Siti R.");
    assert_no_nik(&recorded);
    for field in ["nik", "nik_last4", "phone", "email", "full_name"] {
        assert!(recorded.body.get(field).is_none(), "{field} shown");
    }
    assert_eq!(app.count("applications"), 1);

    // Duplicates are refused whether named by code or by id.
    assert_conflict(
        &app.post(&apply, Some(&f.employer), json!({"check_in_code": code}))
            .await,
        "already_applied",
    );
    assert_conflict(
        &app.post(&apply, Some(&f.employer), json!({"job_seeker_id": siti.id}))
            .await,
        "already_applied",
    );
    assert_eq!(app.count("applications"), 1);
}

async fn codes_of_other_fairs_and_bad_bodies_change_nothing(app: TestApp) {
    let f = HiringFair::new(&app, "a").await;
    let other = HiringFair::new(&app, "b").await;
    let apply = apply_path(&f.vacancy);
    let siti = Seeker::new(&app, "siti@x.id", "Siti Rahayu", "0002").await;
    let elsewhere = register(&app, &other.event, &siti.token).await;
    rows::check_in(&app, &other.event, &siti.id, &other.organizer_id);

    // A code of another fair reads exactly like a code of none.
    let foreign = app
        .post(
            &apply,
            Some(&f.employer),
            json!({"check_in_code": elsewhere}),
        )
        .await;
    assert_invalid(&foreign, "check_in_code");
    let unknown = app
        .post(
            &apply,
            Some(&f.employer),
            json!({"check_in_code": "AAAA-BBBB-CCCC-DDDD"}),
        )
        .await;
    assert_invalid(&unknown, "check_in_code");
    assert_eq!(
        foreign.body["error"]["details"],
        unknown.body["error"]["details"]
    );

    // Both, or neither: 422 naming both fields.
    for body in [
        json!({"check_in_code": elsewhere, "job_seeker_id": siti.id}),
        json!({}),
    ] {
        let refused = app.post(&apply, Some(&f.employer), body).await;
        assert_eq!(refused.status, 422, "{}", refused.body);
        let mut fields = refused.fields();
        fields.sort();
        assert_eq!(
            fields,
            ["check_in_code", "job_seeker_id"],
            "{}",
            refused.body
        );
    }

    // A walk-in hire by a code of another fair is refused too.
    let hire = app
        .post(
            "/api/v1/placements",
            Some(&f.employer),
            json!({
                "vacancy_id": f.vacancy, "check_in_code": elsewhere,
                "start_date": "2026-12-14", "salary_idr": 5_000_000,
                "contract_type": "contract", "occupation_code": "8344"
            }),
        )
        .await;
    assert_invalid(&hire, "check_in_code");
    assert_eq!(app.count("applications"), 0);
    assert_eq!(app.count("placements"), 0);
}
