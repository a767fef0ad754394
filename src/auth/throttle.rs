//! Throttling of the routes that hash a password (login, registration, password reset), in two
//! layers.
//!
//! **Per source address, in memory, before any hashing.** Argon2 costs tens of milliseconds of
//! CPU per attempt by design, so a burst of attempts from one address could slow every other
//! request. Each address (an IPv6 one by its /64 network, which one subscriber usually holds
//! whole) has a budget of `BURSA_AUTH_ATTEMPTS_PER_MINUTE` attempts, refilled evenly over a
//! minute ([`AddressLimits`]); past it the answer is 429 with `Retry-After`, before the database
//! or the hasher is touched. The budget protects the CPU of the instance that would do the work,
//! so it is kept per instance, in memory, and costs no query. The table of addresses is bounded:
//! an address whose budget is full again is forgotten. The address is the TCP peer, or behind a
//! load balancer listed in `BURSA_TRUSTED_PROXIES` the address it forwarded (see
//! [`crate::client`]). The same mechanism, with its own budget
//! (`BURSA_PUBLIC_REQUESTS_PER_MINUTE`), limits the public routes that hash nothing
//! ([`crate::middleware::limits`]).
//!
//! **Per account, in the database, a growing delay.** [`FREE_FAILURES`] wrong passwords in a row
//! cost nothing; each further one makes the account wait before its next attempt: 1 second,
//! then 2, 4, … up to `BURSA_LOGIN_DELAY_MAX_SECS` (60 by default). While a delay runs, every
//! attempt, right or wrong, is 429 with `Retry-After` and is not counted, so an attacker cannot
//! lengthen it: each failure sets at most one capped delay. Once the delay ran out the right
//! password signs in (and clears the count). There is no lock the owner cannot pass: an attacker
//! can at worst make the owner wait for one short delay. A failure more than [`FORGET_AFTER`]
//! after the previous one starts the count again. The state is shared by every instance that
//! uses the database, and each step is one atomic statement, so racing failures all count.
//!
//! Rows exist only for accounts (keyed by the user id, deleted with the account): a login for
//! an email that has no account leaves nothing behind, so the table cannot grow beyond the
//! number of accounts. This tells whether an address has an account, which registration's 409
//! `email_taken` tells anyone anyway; both answers are behind the per-address budget.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::time::{Duration as StdDuration, Instant};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::schema::login_throttles as t;
use crate::db::{is_unique_violation, DbConn};
use crate::error::{AppError, AppResult};

/// Wrong passwords in a row that cost no delay.
pub const FREE_FAILURES: i32 = 4;
/// A failure this long after the previous one starts the count again.
pub const FORGET_AFTER: Duration = Duration::hours(1);
/// Addresses tracked at most; past it, the full buckets are forgotten first.
const MAX_TRACKED_ADDRESSES: usize = 50_000;

/// The delay an account waits after its `failures`-th wrong password in a row.
pub fn delay_after(failures: i32, max: Duration) -> Duration {
    let over = failures - FREE_FAILURES;
    if over <= 0 {
        return Duration::zero();
    }
    let seconds = 1i64 << (over - 1).min(30);
    Duration::seconds(seconds).min(max)
}

/// Seconds until the account may try again, if a delay runs now.
pub fn wait_for(next_attempt_at: Option<NaiveDateTime>, now: NaiveDateTime) -> Option<u64> {
    next_attempt_at.filter(|at| *at > now).map(|at| {
        ((at - now).num_milliseconds().max(0) as u64)
            .div_ceil(1000)
            .max(1)
    })
}

/// Counts one wrong password for the account and sets its next delay.
pub fn record_failure(
    conn: &mut DbConn,
    user_id: &str,
    now: NaiveDateTime,
    max_delay: Duration,
) -> QueryResult<()> {
    // A count whose last failure is long past starts again.
    diesel::update(
        t::table
            .find(user_id)
            .filter(t::last_failure_at.lt(now - FORGET_AFTER)),
    )
    .set(t::failures.eq(0))
    .execute(conn)?;
    let failures: i32 = match diesel::update(t::table.find(user_id))
        .set((t::failures.eq(t::failures + 1), t::last_failure_at.eq(now)))
        .returning(t::failures)
        .get_result(conn)
        .optional()?
    {
        Some(failures) => failures,
        None => {
            let inserted = diesel::insert_into(t::table)
                .values((
                    t::user_id.eq(user_id),
                    t::failures.eq(1),
                    t::last_failure_at.eq(now),
                    t::next_attempt_at.eq(now),
                ))
                .execute(conn);
            match inserted {
                Ok(_) => 1,
                // Another instance counted this account's first failure at the same moment.
                Err(e) if is_unique_violation(&e) => diesel::update(t::table.find(user_id))
                    .set((t::failures.eq(t::failures + 1), t::last_failure_at.eq(now)))
                    .returning(t::failures)
                    .get_result(conn)?,
                Err(e) => return Err(e),
            }
        }
    };
    diesel::update(t::table.find(user_id))
        .set(t::next_attempt_at.eq(now + delay_after(failures, max_delay)))
        .execute(conn)?;
    Ok(())
}

/// A successful sign-in, or a new password, clears the count.
pub fn reset(conn: &mut DbConn, user_id: &str) -> QueryResult<()> {
    diesel::delete(t::table.find(user_id)).execute(conn)?;
    Ok(())
}

/// The per-address budget of password-hashing attempts of one instance (see the module doc).
pub struct AddressLimits {
    per_minute: u32,
    buckets: Mutex<HashMap<IpAddr, Bucket>>,
}

struct Bucket {
    tokens: f64,
    at: Instant,
}

impl AddressLimits {
    pub fn new(per_minute: u32) -> Self {
        Self {
            per_minute: per_minute.max(1),
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// Spends one attempt of `address`'s budget, or answers 429 with the seconds until the next
    /// one. A request without a known peer address shares one budget with all such requests.
    pub fn check(&self, address: Option<IpAddr>) -> AppResult<()> {
        self.check_at(address, Instant::now())
    }

    fn check_at(&self, address: Option<IpAddr>, now: Instant) -> AppResult<()> {
        let key = address.map_or(IpAddr::from([0, 0, 0, 0]), network);
        let capacity = f64::from(self.per_minute);
        let per_second = capacity / 60.0;
        let mut buckets = self
            .buckets
            .lock()
            .map_err(|_| AppError::internal("address limits poisoned"))?;
        if buckets.len() >= MAX_TRACKED_ADDRESSES && !buckets.contains_key(&key) {
            // A bucket a minute old is full again: forgetting it changes nothing.
            let full_after = StdDuration::from_secs(60);
            buckets.retain(|_, b| now.duration_since(b.at) < full_after);
            if buckets.len() >= MAX_TRACKED_ADDRESSES {
                buckets.clear();
            }
        }
        let bucket = buckets.entry(key).or_insert(Bucket {
            tokens: capacity,
            at: now,
        });
        let elapsed = now.duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * per_second).min(capacity);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            return Ok(());
        }
        let wait = ((1.0 - bucket.tokens) / per_second).ceil().max(1.0) as u64;
        Err(AppError::too_many_requests(wait))
    }
}

/// The unit an address is limited by: an IPv4 address, or an IPv6 /64 network.
fn network(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => {
                let mut segments = v6.segments();
                segments[4..].fill(0);
                IpAddr::from(segments)
            }
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_grow_after_the_free_failures_and_stop_at_the_cap() {
        let max = Duration::seconds(60);
        let delays: Vec<i64> = (1..=12)
            .map(|n| delay_after(n, max).num_seconds())
            .collect();
        assert_eq!(delays, [0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 60, 60]);
        assert_eq!(delay_after(i32::MAX, max), max);
    }

    #[test]
    fn an_address_spends_its_budget_and_gets_it_back_over_a_minute() {
        let limits = AddressLimits::new(3);
        let start = Instant::now();
        let a = Some(IpAddr::from([10, 0, 0, 1]));
        let b = Some(IpAddr::from([10, 0, 0, 2]));
        for _ in 0..3 {
            limits.check_at(a, start).unwrap();
        }
        let refused = limits.check_at(a, start).unwrap_err();
        assert_eq!(refused.status.as_u16(), 429);
        limits.check_at(b, start).unwrap();
        // One attempt comes back every 20 seconds.
        assert!(limits
            .check_at(a, start + StdDuration::from_secs(19))
            .is_err());
        limits
            .check_at(a, start + StdDuration::from_secs(40))
            .unwrap();
    }

    #[test]
    fn an_ipv6_network_shares_one_budget() {
        let limits = AddressLimits::new(1);
        let now = Instant::now();
        let one: IpAddr = "2001:db8:1:2::1".parse().unwrap();
        let other: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        limits.check_at(Some(one), now).unwrap();
        assert!(limits.check_at(Some(other), now).is_err());
        limits
            .check_at(Some("2001:db8:1:3::1".parse().unwrap()), now)
            .unwrap();
    }
}
