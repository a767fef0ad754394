//! Login throttling per account. The state lives in the database, so it holds across every
//! service instance that shares it: after `MAX_FAILURES` failed logins within `WINDOW`, the email
//! is locked for `LOCKOUT` and every attempt, right or wrong, gets 429 with `Retry-After`.
//! Unknown emails are throttled exactly like real ones, so the throttle reveals no accounts.
//! Each step is a single atomic statement, so concurrent failures are all counted.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::login_throttles as t;
use crate::db::{is_unique_violation, DbConn};

pub const MAX_FAILURES: i32 = 5;
pub const WINDOW: Duration = Duration::minutes(15);
pub const LOCKOUT: Duration = Duration::minutes(15);

/// Seconds until `email` may try again, if it is locked now.
pub fn locked_for(conn: &mut DbConn, email: &str, now: NaiveDateTime) -> QueryResult<Option<u64>> {
    let locked_until: Option<Option<NaiveDateTime>> = t::table
        .find(email)
        .select(t::locked_until)
        .first(conn)
        .optional()?;
    Ok(locked_until
        .flatten()
        .filter(|until| *until > now)
        .map(|until| (until - now).num_seconds().max(0) as u64 + 1))
}

/// Counts one failed login for `email`, locking it when the count reaches the limit.
pub fn record_failure(conn: &mut DbConn, email: &str, now: NaiveDateTime) -> QueryResult<()> {
    // A window that has passed (and no lock in force) starts again.
    diesel::update(
        t::table
            .find(email)
            .filter(t::window_started_at.lt(now - WINDOW))
            .filter(t::locked_until.is_null().or(t::locked_until.le(now))),
    )
    .set((
        t::failures.eq(0),
        t::window_started_at.eq(now),
        t::locked_until.eq(None::<NaiveDateTime>),
    ))
    .execute(conn)?;
    if !increment(conn, email)? {
        let inserted = diesel::insert_into(t::table)
            .values((
                t::email.eq(email),
                t::failures.eq(1),
                t::window_started_at.eq(now),
            ))
            .execute(conn);
        match inserted {
            Ok(_) => {}
            // Another instance counted this email's first failure at the same moment.
            Err(e) if is_unique_violation(&e) => {
                increment(conn, email)?;
            }
            Err(e) => return Err(e),
        }
    }
    diesel::update(
        t::table
            .find(email)
            .filter(t::failures.ge(MAX_FAILURES))
            .filter(t::locked_until.is_null().or(t::locked_until.le(now))),
    )
    .set(t::locked_until.eq(now + LOCKOUT))
    .execute(conn)?;
    Ok(())
}

fn increment(conn: &mut DbConn, email: &str) -> QueryResult<bool> {
    let updated = diesel::update(t::table.find(email))
        .set(t::failures.eq(t::failures + 1))
        .execute(conn)?;
    Ok(updated > 0)
}

/// A successful login clears the count.
pub fn reset(conn: &mut DbConn, email: &str) -> QueryResult<()> {
    diesel::delete(t::table.find(email)).execute(conn)?;
    Ok(())
}
