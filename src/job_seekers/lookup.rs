//! NIK look-ups: a request that finds an existing profile by the NIK it carries (a walk-in, a
//! profile that would be a second one for the NIK).
//!
//! A NIK is no secret in Indonesia (it is printed on every photocopied ID card), so knowing one
//! must not open the person's record:
//! - a walk-in proceeds with a found profile only when the name and birth date given match it
//!   ([`same_person`]); otherwise 409 `identity_mismatch`, which names no one;
//! - no answer carries the holder's id or data the caller could not read before;
//! - each look-up that finds a profile appends an audit record `nik_lookup.resolve` naming who
//!   looked, at which event, and whether the identity matched: never the NIK, the name, or the
//!   profile found unless the caller was admitted to it;
//! - an account gets at most [`NIK_LOOKUPS_PER_HOUR`] such look-ups in any hour; then every
//!   request that would look a NIK up is 429 with `Retry-After` (before looking, so the answer
//!   cannot tell whether the NIK is known). Look-ups that find no profile create one (audited as
//!   `job_seeker.create`) and are not counted.

use chrono::{Duration, NaiveDateTime};

use super::{find_by_nik_hash, names, JobSeeker, NewProfile};
use crate::audit;
use crate::auth::AuthUser;
use crate::db::{new_id, write_transaction, DbConn};
use crate::error::{AppError, AppResult};

/// How many look-ups that find a profile an account may make in [`LOOKUP_WINDOW`]. A desk
/// finds registered people by their check-in code; a NIK look-up is for the one who lost it.
pub const NIK_LOOKUPS_PER_HOUR: i64 = 60;

/// The window of [`NIK_LOOKUPS_PER_HOUR`].
pub const LOOKUP_WINDOW: Duration = Duration::hours(1);

/// The audit action of a look-up that found a profile (what the limit counts).
pub const LOOKUP_ACTION: &str = "nik_lookup.resolve";

/// Which request looked the NIK up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    WalkIn,
    NewProfile,
    Claim,
}

impl Via {
    fn as_str(self) -> &'static str {
        match self {
            Via::WalkIn => "walk_in",
            Via::NewProfile => "new_profile",
            Via::Claim => "claim",
        }
    }
}

/// 409 `identity_mismatch`: a profile holds the NIK, under another name or birth date.
pub fn identity_mismatch() -> AppError {
    AppError::conflict(
        "identity_mismatch",
        "the name or birth date does not match the person registered with this NIK; check the ID card",
    )
}

/// 429 if the caller has used up their look-ups; `Retry-After` says when the oldest one in the
/// window expires.
pub fn check_rate(conn: &mut DbConn, caller: &AuthUser, now: NaiveDateTime) -> AppResult<()> {
    let since = now - LOOKUP_WINDOW;
    let times = audit::times_of(conn, &caller.id, LOOKUP_ACTION, since)?;
    if (times.len() as i64) < NIK_LOOKUPS_PER_HOUR {
        return Ok(());
    }
    let free_at = times.iter().min().copied().unwrap_or(now) + LOOKUP_WINDOW;
    let seconds = (free_at - now).num_seconds().max(0) as u64 + 1;
    Err(AppError::too_many_requests(seconds))
}

/// Appends the audit record of a look-up that found a profile, in a transaction of its own: it
/// stands whatever becomes of the request. `admitted` names the profile when the caller was let
/// through to it (the registration made next names it anyway).
pub fn record(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: Option<&str>,
    via: Via,
    matched: bool,
    admitted: Option<&str>,
) -> AppResult<()> {
    let id = new_id();
    write_transaction(conn, |conn| {
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: LOOKUP_ACTION,
                entity: "nik_lookup",
                entity_id: &id,
                event_id,
                changes: serde_json::json!({
                    "via": via.as_str(),
                    "matched": matched,
                    "job_seeker_id": admitted,
                }),
            },
        )
    })
}

/// Whether the profile is the person described: the same name (tolerantly, see [`names`]) and
/// the same birth date. The NIK already agrees with the birth date of both, so the date guards
/// profiles whose stored date was given apart from the NIK.
pub fn same_person(stored: &JobSeeker, given: &NewProfile) -> bool {
    names::same_name(given.full_name(), &stored.full_name)
        && match (stored.birth_date, given.birth_date()) {
            (Some(a), Some(b)) => a == b,
            _ => true,
        }
}

/// The profile holding the walk-in's NIK, if the walk-in is that person: rate-limited and
/// audited as above. `None`: no profile holds the NIK (nothing is recorded). A profile whose
/// name or birth date differs is 409 [`identity_mismatch`].
pub fn for_walk_in(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    given: &NewProfile,
    now: NaiveDateTime,
) -> AppResult<Option<JobSeeker>> {
    check_rate(conn, caller, now)?;
    let Some(found) = find_by_nik_hash(conn, given.nik_hash())? else {
        return Ok(None);
    };
    let matched = same_person(&found, given);
    let admitted = matched.then_some(found.id.as_str());
    record(conn, caller, Some(event_id), Via::WalkIn, matched, admitted)?;
    if !matched {
        return Err(identity_mismatch());
    }
    Ok(Some(found))
}
