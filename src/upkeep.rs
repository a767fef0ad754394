//! The upkeep worker: about once a second it seals the pending audit records onto the chain
//! ([`crate::audit::seal`]), folds registrations into the events' sets of job seekers
//! ([`crate::metrics::seeker_sets::merge`]) and first check-ins into the events' kept figures
//! ([`crate::metrics::attendance::fold`]). Both are the second half of a write that, to never
//! make writers queue behind one row, only appended in the request. Every instance runs one;
//! they take turns where they must (see each function).

use std::sync::mpsc::{self, RecvTimeoutError};
use std::time::Duration;

use crate::background::WorkerHandle;
use crate::db::{DbConn, DbPool};

/// How long a sealed record may wait: the audit chain's tamper-evidence window.
pub const INTERVAL: Duration = Duration::from_secs(1);

/// One round of upkeep.
pub fn run_once(conn: &mut DbConn) -> diesel::QueryResult<()> {
    crate::audit::seal(conn)?;
    crate::metrics::seeker_sets::merge(conn)?;
    crate::metrics::attendance::fold(conn)?;
    Ok(())
}

/// Starts the worker thread on `pool`.
pub fn spawn(pool: DbPool) -> std::io::Result<WorkerHandle> {
    let (stop, stopped) = mpsc::channel::<()>();
    let thread = std::thread::Builder::new()
        .name("bursa-upkeep".into())
        .spawn(move || loop {
            let done = pool
                .get()
                .map_err(|e| e.to_string())
                .and_then(|mut conn| run_once(&mut conn).map_err(|e| e.to_string()));
            if let Err(error) = done {
                // Nothing is lost: what is pending waits for the next round.
                tracing::warn!(%error, "upkeep: round not completed");
            }
            match stopped.recv_timeout(INTERVAL) {
                Err(RecvTimeoutError::Timeout) => continue,
                _ => break,
            }
        })?;
    Ok(WorkerHandle::new(stop, thread))
}
