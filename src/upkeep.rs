//! The upkeep worker: about once a second (ten times while there is work) it seals the pending audit records onto the chain
//! ([`crate::audit::seal`]), folds registrations into the events' sets of job seekers
//! ([`crate::metrics::seeker_sets::merge`]) and first check-ins into the events' kept figures
//! ([`crate::metrics::attendance::fold`]). Each is the second half of a write that, to never
//! make writers queue behind one row, only appended in the request. Every instance runs one;
//! they take turns where they must (see each function).
//!
//! The three queues it drains (`audit_pending`, `event_seeker_additions`,
//! `event_attendee_additions`) each take a row and lose it again for every write at a busy door:
//! on PostgreSQL every one leaves a dead row behind, and the rounds, which read the queues whole,
//! slow down with them. Autovacuum looks at a table once a minute at most (and may be off), so
//! the worker vacuums the queues itself while it drains them ([`vacuum_queues`]).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::{Duration, Instant};

use diesel::RunQueryDsl;

use crate::background::WorkerHandle;
use crate::db::{DbConn, DbPool};

/// How long a sealed record may wait: the audit chain's tamper-evidence window.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// The pause after a round that found work. While a door is busy its check-ins are folded
/// within a tenth of a second, so that what every read of the event adds on top of its kept
/// figures stays a handful of rows; an idle instance rounds once a second.
pub const BUSY_INTERVAL: Duration = Duration::from_millis(100);

/// How often, at most, the queues are vacuumed while rounds find work: at a door checking in
/// 2,500 people a second, a queue holds some 12,000 dead rows at worst.
pub const VACUUM_INTERVAL: Duration = Duration::from_secs(5);

/// One round of upkeep: whether it found anything to do.
pub fn run_once(conn: &mut DbConn) -> diesel::QueryResult<bool> {
    let sealed = crate::audit::seal(conn)?;
    let merged = crate::metrics::seeker_sets::merge(conn)?;
    let folded = crate::metrics::attendance::fold(conn)?;
    Ok(sealed > 0 || merged > 0 || folded > 0)
}

/// Vacuums the queues on PostgreSQL (SQLite reuses a deleted row's space by itself). An
/// instance that finds another vacuuming a queue skips it rather than wait.
pub fn vacuum_queues(conn: &mut DbConn) -> diesel::QueryResult<()> {
    if let DbConn::Postgres(pg) = conn {
        diesel::sql_query(
            "VACUUM (SKIP_LOCKED) audit_pending, event_seeker_additions, event_attendee_additions",
        )
        .execute(pg)?;
    }
    Ok(())
}

/// Starts the worker thread on `pool`.
pub fn spawn(pool: DbPool) -> std::io::Result<WorkerHandle> {
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("bursa-upkeep".into())
        .spawn(move || {
            // When the queues were last vacuumed, and whether a round drained them since.
            let mut vacuumed = Instant::now();
            let mut drained = false;
            loop {
                let done = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                    let found = run_once(&mut conn).map_err(|e| e.to_string())?;
                    drained |= found;
                    if drained && vacuumed.elapsed() >= VACUUM_INTERVAL {
                        vacuum_queues(&mut conn).map_err(|e| e.to_string())?;
                        (vacuumed, drained) = (Instant::now(), false);
                    }
                    Ok(found)
                });
                let pause = match done {
                    Ok(true) => BUSY_INTERVAL,
                    Ok(false) => INTERVAL,
                    Err(error) => {
                        // Nothing is lost: what is pending waits for the next round.
                        tracing::warn!(%error, "upkeep: round not completed");
                        INTERVAL
                    }
                };
                match stopped.recv_timeout(pause) {
                    Err(RecvTimeoutError::Timeout) => continue,
                    _ => break,
                }
            }
        })?;
    Ok(WorkerHandle::new(stop, thread))
}
