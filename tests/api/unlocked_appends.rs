//! Writes that never queue behind one row (issue 15): a change appends its audit record to
//! `audit_pending` and a registration its job seeker to `event_seeker_additions`; the upkeep
//! worker seals the records onto the chain in commit order and folds the additions into the
//! events' sets. A first check-in likewise appends to `event_attendee_additions`, folded into
//! the event's kept figures. Readers see both halves at every moment: the log API seals first,
//! and the rollups and the event count the additions.

use bursa::audit::{AuditRecord, Change};
use bursa::auth::Role;
use bursa::db::schema::audit_log;
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::common::{Engine, TestApp};
use crate::db_tests;
use crate::fixtures::rows::apply;
use crate::fixtures::{check_in, Fair, HiringFair, Seeker};

db_tests!(
    a_record_is_chained_shortly_after_its_change,
    records_are_chained_in_the_order_they_commit,
    registrations_are_counted_before_and_after_they_are_merged,
    check_ins_are_counted_before_and_after_they_are_folded,
    a_drained_queue_is_vacuumed,
);

fn change(entity_id: &str) -> Change<'_> {
    Change {
        action: "event.publish",
        entity: "event",
        entity_id,
        event_id: None,
        changes: json!({}),
    }
}

fn chained(app: &TestApp) -> Vec<AuditRecord> {
    audit_log::table
        .order(audit_log::seq.asc())
        .select(AuditRecord::as_select())
        .load(&mut app.conn())
        .unwrap()
}

async fn a_record_is_chained_shortly_after_its_change(app: TestApp) {
    let (_, organizer) = app.user("organizer@disnaker.id", Role::Organizer).await;
    let admin = app.admin_token().await;
    app.seal_audit();
    let before = app.count("audit_log");

    let office = app.organization(&organizer, "organizer").await;

    // PostgreSQL: the change committed with its record pending, nothing locked for the chain.
    // SQLite, whose writers take turns anyway, chains it in the change's transaction.
    let pending = match app.engine {
        Engine::Postgres => 1,
        Engine::Sqlite => 0,
    };
    assert_eq!(app.count("audit_pending"), pending);
    assert_eq!(app.count("audit_log"), before + 1 - pending);

    // A reader of the log sees it at once: reading seals first.
    let listed = app
        .get(
            &format!("/api/v1/audit?entity=organization&entity_id={office}"),
            Some(&admin),
        )
        .await;
    listed.assert(200);
    let items = listed.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{items:?}");
    assert_eq!(items[0]["action"], "organization.verify");
    assert_eq!(app.count("audit_pending"), 0);

    // The upkeep worker's round seals what a later change left pending.
    app.organization(&organizer, "organizer").await;
    bursa::upkeep::run_once(&mut app.conn()).unwrap();
    assert_eq!(app.count("audit_pending"), 0);
    assert_eq!(app.count("audit_log"), before + 2);
    let records = bursa::audit::verify(&mut app.conn()).unwrap();
    assert_eq!(records as i64, before + 2);
}

/// A transaction that began first but commits last is chained after the ones that committed
/// before it: the sealer only chains what is visible, and takes the rest on its next round.
async fn records_are_chained_in_the_order_they_commit(app: TestApp) {
    if app.engine == Engine::Sqlite {
        // One writer at a time: there is no other order to commit in.
        return;
    }
    let mut slow = app.conn();
    slow.transaction::<_, bursa::error::AppError, _>(|slow| {
        bursa::audit::record(slow, None, change("slow"))?;
        let mut quick = app.conn();
        quick.transaction::<_, bursa::error::AppError, _>(|quick| {
            bursa::audit::record(quick, None, change("quick"))
        })?;
        // The slow one's record is not visible yet: one sealed, one left for later.
        assert_eq!(bursa::audit::seal(&mut app.conn()).unwrap(), 1);
        Ok(())
    })
    .unwrap();
    assert_eq!(bursa::audit::seal(&mut app.conn()).unwrap(), 1);

    let ids: Vec<String> = chained(&app).into_iter().map(|r| r.entity_id).collect();
    assert_eq!(ids, ["quick", "slow"]);
    assert_eq!(bursa::audit::verify(&mut app.conn()).unwrap(), 2);
    assert_eq!(app.count("audit_pending"), 0);
}

async fn unique_job_seekers(app: &TestApp, ministry: &str) -> i64 {
    let rollup = app
        .get("/api/v1/metrics?group_by=province", Some(ministry))
        .await;
    rollup.assert(200);
    rollup.body["totals"]["unique_job_seekers"]
        .as_i64()
        .unwrap()
}

async fn registrations_are_counted_before_and_after_they_are_merged(app: TestApp) {
    let fair = Fair::by(&app, "organizer@disnaker.id")
        .running()
        .published()
        .await;
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    for n in 1..=3 {
        let seeker = Seeker::new(&app, &format!("s{n}@mail.id"), "Siti", &format!("000{n}")).await;
        seeker.register(&app, &fair.event).await;
    }
    // Each registration only noted its job seeker; none rewrote the event's set.
    assert_eq!(app.count("event_seeker_additions"), 3);
    assert_eq!(unique_job_seekers(&app, &ministry).await, 3);
    app.assert_kept_figures();

    bursa::upkeep::run_once(&mut app.conn()).unwrap();
    assert_eq!(app.count("event_seeker_additions"), 0);
    assert_eq!(app.count("event_seeker_sets"), 1);
    assert_eq!(unique_job_seekers(&app, &ministry).await, 3);

    // A later registration waits beside the stored set, and is counted with it.
    let fourth = Seeker::new(&app, "s4@mail.id", "Budi", "0004").await;
    fourth.register(&app, &fair.event).await;
    assert_eq!(app.count("event_seeker_additions"), 1);
    assert_eq!(unique_job_seekers(&app, &ministry).await, 4);
    app.assert_kept_figures();
    bursa::upkeep::run_once(&mut app.conn()).unwrap();
    assert_eq!(app.count("event_seeker_additions"), 0);
    assert_eq!(unique_job_seekers(&app, &ministry).await, 4);
    app.assert_kept_figures();
}

/// (stored attendees, stored placed attendees) on the event's row, as folded so far.
fn folded(app: &TestApp, event: &str) -> (i32, i32) {
    use bursa::db::schema::events;
    events::table
        .find(event)
        .select((events::attendees_count, events::placed_attendees_count))
        .first(&mut app.conn())
        .unwrap()
}

/// What readers see: the event's attendees, and the rollup's attendees, placed attendees and
/// gender breakdown.
async fn attendance_seen(app: &TestApp, event: &str, ministry: &str) -> (i64, i64, i64, Value) {
    let read = app
        .get(&format!("/api/v1/events/{event}"), Some(ministry))
        .await;
    read.assert(200);
    let rollup = app
        .get("/api/v1/metrics?group_by=province", Some(ministry))
        .await;
    rollup.assert(200);
    let totals = &rollup.body["totals"];
    (
        read.body["attendees_count"].as_i64().unwrap(),
        totals["attendees"].as_i64().unwrap(),
        totals["placed_attendees"].as_i64().unwrap(),
        totals["breakdowns"]["gender"]["female"].clone(),
    )
}

async fn check_ins_are_counted_before_and_after_they_are_folded(app: TestApp) {
    let fair = HiringFair::new(&app, "door").await;
    let (_, ministry) = app.user("analyst@kemnaker.go.id", Role::Ministry).await;
    let ani = Seeker::new(&app, "ani@mail.id", "Ani", "0001").await;
    let sri = Seeker::new(&app, "sri@mail.id", "Sri", "0002").await;
    let ani_code = ani.register(&app, &fair.event).await;
    let sri_code = sri.register(&app, &fair.event).await;
    // Sri was hired (the employer reported it, staff verified it) before she came to the door.
    let application = apply(&app, &fair, &fair.vacancy, &sri.id, &["applied", "offered"]);
    bursa::db::write_transaction(&mut app.conn(), |conn| {
        bursa::metrics::tally::rebuild(conn, None)
    })
    .unwrap();
    let start_date = (chrono::Utc::now().date_naive() + chrono::Duration::days(7)).to_string();
    let hire = app
        .post(
            "/api/v1/placements",
            Some(&fair.employer),
            json!({"application_id": application, "start_date": start_date,
                   "salary_idr": 5_200_000, "contract_type": "contract", "occupation_code": "8344"}),
        )
        .await
        .assert(201)
        .id();
    app.post(
        &format!("/api/v1/placements/{hire}/verify"),
        Some(&fair.organizer),
        json!({"method": "phone"}),
    )
    .await
    .assert(200);

    check_in(&app, &fair.event, &fair.organizer, &ani_code).await;
    check_in(&app, &fair.event, &fair.organizer, &sri_code).await;
    // Each scan only noted itself: the event's row was not written.
    assert_eq!(app.count("event_attendee_additions"), 2);
    assert_eq!(folded(&app, &fair.event), (0, 0));
    let expected = (
        2,
        2,
        1,
        json!({"attendees": 2, "placed_attendees": 1, "placement_rate": 0.5}),
    );
    assert_eq!(
        attendance_seen(&app, &fair.event, &ministry).await,
        expected
    );
    app.assert_kept_figures();

    // A repeated scan adds nothing.
    check_in(&app, &fair.event, &fair.organizer, &ani_code).await;
    assert_eq!(app.count("event_attendee_additions"), 2);

    bursa::upkeep::run_once(&mut app.conn()).unwrap();
    assert_eq!(app.count("event_attendee_additions"), 0);
    assert_eq!(folded(&app, &fair.event), (2, 1));
    assert_eq!(
        attendance_seen(&app, &fair.event, &ministry).await,
        expected
    );
    app.assert_kept_figures();

    // A later check-in waits beside the folded ones, and is counted with them.
    let tini = Seeker::new(&app, "tini@mail.id", "Tini", "0003").await;
    let tini_code = tini.register(&app, &fair.event).await;
    check_in(&app, &fair.event, &fair.organizer, &tini_code).await;
    let expected = (
        3,
        3,
        1,
        json!({"attendees": 3, "placed_attendees": 1, "placement_rate": 1.0 / 3.0}),
    );
    assert_eq!(
        attendance_seen(&app, &fair.event, &ministry).await,
        expected
    );
    app.assert_kept_figures();
    bursa::upkeep::run_once(&mut app.conn()).unwrap();
    assert_eq!(folded(&app, &fair.event), (3, 1));
    assert_eq!(
        attendance_seen(&app, &fair.event, &ministry).await,
        expected
    );
    app.assert_kept_figures();
}

/// The upkeep worker vacuums the queues it drains: on PostgreSQL the space of the rows it
/// deleted is used again, so a queue at a busy door does not grow with every write it held.
async fn a_drained_queue_is_vacuumed(app: TestApp) {
    let fill = |conn: &mut bursa::db::DbConn| {
        diesel::sql_query(
            "INSERT INTO audit_pending (id, at, actor_user_id, action, entity, entity_id, event_id, changes) \
             SELECT md5(random()::text || g), CURRENT_TIMESTAMP, NULL, \
             'event.publish', 'event', 'e', NULL, '{}' FROM generate_series(1, 2000) g",
        )
        .execute(conn)
        .unwrap();
    };
    let size = |conn: &mut bursa::db::DbConn| -> i64 {
        #[derive(QueryableByName)]
        struct Size {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            bytes: i64,
        }
        diesel::sql_query("SELECT pg_relation_size('audit_pending') AS bytes")
            .get_result::<Size>(conn)
            .unwrap()
            .bytes
    };
    let mut conn = app.conn();
    if app.engine == Engine::Sqlite {
        // Nothing to do: SQLite reuses the space of deleted rows by itself.
        bursa::upkeep::vacuum_queues(&mut conn).unwrap();
        return;
    }
    fill(&mut conn);
    let full = size(&mut conn);
    bursa::audit::seal(&mut conn).unwrap();
    assert_eq!(app.count("audit_pending"), 0);

    bursa::upkeep::vacuum_queues(&mut conn).unwrap();
    fill(&mut conn);
    // Unvacuumed, the second 2,000 rows would take as much space again.
    let refilled = size(&mut conn);
    assert!(
        refilled < full * 3 / 2,
        "{refilled} bytes after a refill, {full} before"
    );
}
