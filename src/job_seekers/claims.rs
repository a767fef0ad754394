//! NIK claims: how the owner of a NIK that another profile took first gets it back.
//!
//! Anyone can record a profile with another person's NIK, and the owner's own profile is then
//! refused (`nik_registered`). The owner, signed in as a job seeker without a profile, files a
//! claim with the profile they tried to create and a note ([`file`]). An admin checks the ID card
//! off-line and approves ([`approve`]): the NIK leaves the profile that held it, which is flagged
//! (`nik_revoked_at`; its registrations and history stay), and the claimant's profile is created
//! with it. Or the admin rejects the claim ([`reject`]). Every step is audited; the claim keeps the
//! NIK only as its hash and last four digits.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::lookup::{self, Via};
use super::{find_by_nik_hash, JobSeeker, NewJobSeeker, NewProfile};
use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{job_seekers, nik_claims};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::pagination::{Cursor, Page};
use crate::validate::Checker;

crate::text_enum! {
    /// Where a claim is: waiting for an admin, or decided.
    pub enum ClaimStatus {
        Open = "open",
        Approved = "approved",
        Rejected = "rejected",
    }
}

/// A claim as stored and shown to the claimant.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = nik_claims)]
pub struct NikClaim {
    pub id: String,
    /// The claimant's account.
    pub user_id: String,
    #[serde(skip)]
    pub nik_hash: String,
    pub nik_last4: String,
    /// The claimant's validated profile, as JSON: not shown.
    #[serde(skip)]
    pub profile: String,
    pub note: String,
    pub status: ClaimStatus,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    /// The profile that held the NIK when the claim was filed: for admins only.
    #[serde(skip)]
    pub holder_job_seeker_id: Option<String>,
    pub decided_by: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    /// The claimant's profile, created when the claim was approved.
    pub job_seeker_id: Option<String>,
}

/// A claim as admins see it: with the profile that held the NIK.
#[derive(Debug, Clone, Serialize)]
pub struct AdminClaim {
    #[serde(flatten)]
    pub claim: NikClaim,
    pub holder_job_seeker_id: Option<String>,
}

impl From<NikClaim> for AdminClaim {
    fn from(claim: NikClaim) -> Self {
        let holder_job_seeker_id = claim.holder_job_seeker_id.clone();
        Self {
            claim,
            holder_job_seeker_id,
        }
    }
}

/// The body of a claim: the profile the claimant tried to create (with the NIK) and a note for
/// the admin (where and how to check their ID card). No `Debug`: it holds a NIK.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewClaim {
    profile: Option<NewJobSeeker>,
    note: Option<String>,
}

/// The body of a decision: the admin's note (what was checked).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Decision {
    note: Option<String>,
}

fn check_note(c: &mut Checker, note: Option<String>) -> String {
    c.required_text("note", note, 1, 2000)
}

impl Decision {
    /// The note of an admin's decision: 403 for anyone else, then 422 without a note.
    fn checked_by(self, caller: &AuthUser) -> AppResult<String> {
        guards::role(caller, &[Role::Admin])?;
        let mut c = Checker::new();
        let note = check_note(&mut c, self.note);
        c.finish()?;
        Ok(note)
    }
}

fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<NikClaim>> {
    nik_claims::table
        .find(id)
        .select(NikClaim::as_select())
        .first(conn)
        .optional()
}

fn claim_not_open(status: ClaimStatus) -> AppError {
    AppError::conflict(
        "claim_not_open",
        format!("only an open claim is decided; this one is {status}"),
    )
}

/// A job seeker without a profile claims a NIK that another profile holds. 409
/// `profile_exists` if they have a profile, `nik_not_registered` if no profile holds the NIK
/// (create the profile instead), `claim_open` if they have an open claim for it. A look-up that
/// finds the NIK is rate-limited and audited like any other (see [`lookup`]).
pub fn file(
    conn: &mut DbConn,
    caller: &AuthUser,
    input: NewClaim,
    nik_key: &[u8],
) -> AppResult<NikClaim> {
    guards::role(caller, &[Role::JobSeeker])?;
    let profile = input
        .profile
        .ok_or_else(|| AppError::invalid_field("profile", "is required"))?
        .validate(nik_key)?;
    let mut c = Checker::new();
    let note = check_note(&mut c, input.note);
    c.finish()?;
    if let Some(existing) = super::find_by_user(conn, &caller.id)? {
        return Err(super::profile_exists(&existing.id));
    }
    let at = now();
    lookup::check_rate(conn, caller, at)?;
    let Some(holder) = find_by_nik_hash(conn, profile.nik_hash())? else {
        return Err(AppError::conflict(
            "nik_not_registered",
            "no profile holds this NIK: create your profile (POST /api/v1/job-seekers)",
        ));
    };
    lookup::record(conn, caller, None, Via::Claim, false, None)?;
    let profile_json = serde_json::to_string(&profile).map_err(AppError::internal)?;
    let id = new_id();
    write_transaction(conn, |conn| {
        let open = diesel::select(diesel::dsl::exists(
            nik_claims::table
                .filter(nik_claims::user_id.eq(&caller.id))
                .filter(nik_claims::nik_hash.eq(profile.nik_hash()))
                .filter(nik_claims::status.eq(ClaimStatus::Open)),
        ))
        .get_result::<bool>(conn)?;
        if open {
            return Err(AppError::conflict(
                "claim_open",
                "you have an open claim for this NIK; an admin will decide it",
            ));
        }
        diesel::insert_into(nik_claims::table)
            .values((
                nik_claims::id.eq(&id),
                nik_claims::user_id.eq(&caller.id),
                nik_claims::nik_hash.eq(profile.nik_hash()),
                nik_claims::nik_last4.eq(profile.nik_last4()),
                nik_claims::profile.eq(&profile_json),
                nik_claims::note.eq(&note),
                nik_claims::status.eq(ClaimStatus::Open),
                nik_claims::created_at.eq(at),
                nik_claims::holder_job_seeker_id.eq(&holder.id),
            ))
            .execute(conn)?;
        let claim = find(conn, &id)?.ok_or_else(|| AppError::not_found("NIK claim"))?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "nik_claim.create",
                entity: "nik_claim",
                entity_id: &claim.id,
                event_id: None,
                changes: serde_json::json!({
                    "nik_last4": claim.nik_last4,
                    "status": claim.status,
                }),
            },
        )?;
        Ok(claim)
    })
}

/// Claims, oldest first, optionally of one status: admins only.
pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    status: Option<ClaimStatus>,
    limit: i64,
    after: Option<Cursor>,
) -> AppResult<Page<AdminClaim>> {
    guards::role(caller, &[Role::Admin])?;
    let mut q = nik_claims::table.select(NikClaim::as_select()).into_boxed();
    if let Some(status) = status {
        q = q.filter(nik_claims::status.eq(status));
    }
    if let Some(after) = after {
        q = q.filter(nik_claims::id.gt(after.id));
    }
    let rows: Vec<NikClaim> = q.order(nik_claims::id.asc()).limit(limit + 1).load(conn)?;
    let page = Page::from_rows(rows, limit, |c: &NikClaim| Cursor::new("", c.id.clone()));
    Ok(page.map(AdminClaim::from))
}

/// The caller's own claims, newest first: how a claimant follows theirs.
pub fn mine(conn: &mut DbConn, caller: &AuthUser) -> AppResult<Vec<NikClaim>> {
    Ok(nik_claims::table
        .filter(nik_claims::user_id.eq(&caller.id))
        .order(nik_claims::id.desc())
        .select(NikClaim::as_select())
        .load(conn)?)
}

/// The open claim `id`, for an admin to decide: 404 if none, 409 `claim_not_open` if decided.
fn open_claim(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<NikClaim> {
    guards::role(caller, &[Role::Admin])?;
    let claim = find(conn, id)?.ok_or_else(|| AppError::not_found("NIK claim"))?;
    if claim.status != ClaimStatus::Open {
        return Err(claim_not_open(claim.status));
    }
    Ok(claim)
}

/// Records the decision on the claim and its audit record.
fn decide(
    conn: &mut DbConn,
    caller: &AuthUser,
    claim: &NikClaim,
    status: ClaimStatus,
    note: &str,
    job_seeker_id: Option<&str>,
    revoked_from: Option<&str>,
) -> AppResult<AdminClaim> {
    let updated = diesel::update(nik_claims::table.find(&claim.id))
        .filter(nik_claims::status.eq(ClaimStatus::Open))
        .set((
            nik_claims::status.eq(status),
            nik_claims::decided_by.eq(&caller.id),
            nik_claims::decided_at.eq(now()),
            nik_claims::decision_note.eq(note),
            nik_claims::job_seeker_id.eq(job_seeker_id),
        ))
        .execute(conn)?;
    if updated == 0 {
        return Err(claim_not_open(ClaimStatus::Open));
    }
    let action = match status {
        ClaimStatus::Approved => "nik_claim.approve",
        _ => "nik_claim.reject",
    };
    audit::record(
        conn,
        Some(&caller.id),
        audit::Change {
            action,
            entity: "nik_claim",
            entity_id: &claim.id,
            event_id: None,
            changes: serde_json::json!({
                "status": {"from": ClaimStatus::Open, "to": status},
                "job_seeker_id": job_seeker_id,
                "revoked_from_job_seeker_id": revoked_from,
            }),
        },
    )?;
    let claim = find(conn, &claim.id)?.ok_or_else(|| AppError::not_found("NIK claim"))?;
    Ok(claim.into())
}

/// An admin, having checked the claimant's ID card, approves: the NIK leaves the profile that
/// holds it (flagged `nik_revoked_at`), and the claimant's profile is created with it. 409
/// `profile_exists` if the claimant has made a profile meanwhile (reject the claim instead).
pub fn approve(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    decision: Decision,
) -> AppResult<AdminClaim> {
    let note = decision.checked_by(caller)?;
    write_transaction(conn, |conn| {
        let claim = open_claim(conn, caller, id)?;
        if let Some(existing) = super::find_by_user(conn, &claim.user_id)? {
            return Err(super::profile_exists(&existing.id));
        }
        let at = now();
        let holder = find_by_nik_hash(conn, &claim.nik_hash)?;
        if let Some(holder) = &holder {
            revoke_nik(conn, caller, holder, &claim.id, at)?;
        }
        let profile: NewProfile =
            serde_json::from_str(&claim.profile).map_err(AppError::internal)?;
        let job_seeker_id = new_id();
        let job_seeker = super::insert(
            conn,
            &profile.row(&job_seeker_id, Some(&claim.user_id), &claim.user_id, at),
        )?;
        audit::record(
            conn,
            Some(&caller.id),
            super::created_change(&job_seeker, None),
        )?;
        decide(
            conn,
            caller,
            &claim,
            ClaimStatus::Approved,
            &note,
            Some(&job_seeker.id),
            holder.as_ref().map(|h| h.id.as_str()),
        )
    })
}

/// Takes the NIK from the profile that held it: its hash becomes `revoked:<claim id>` (never an
/// HMAC, and unique), its last four digits empty, and `nik_revoked_at` is set.
fn revoke_nik(
    conn: &mut DbConn,
    caller: &AuthUser,
    holder: &JobSeeker,
    claim_id: &str,
    at: NaiveDateTime,
) -> AppResult<()> {
    diesel::update(job_seekers::table.find(&holder.id))
        .set((
            job_seekers::nik_hash.eq(format!("revoked:{claim_id}")),
            job_seekers::nik_last4.eq(""),
            job_seekers::nik_revoked_at.eq(at),
            job_seekers::updated_at.eq(at),
        ))
        .execute(conn)?;
    audit::record(
        conn,
        Some(&caller.id),
        audit::Change {
            action: "job_seeker.nik_revoke",
            entity: "job_seeker",
            entity_id: &holder.id,
            event_id: None,
            changes: serde_json::json!({
                "nik_last4": {"changed": true},
                "nik_claim_id": claim_id,
            }),
        },
    )?;
    Ok(())
}

/// An admin rejects the claim (the ID card did not bear it out): nothing else changes.
pub fn reject(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    decision: Decision,
) -> AppResult<AdminClaim> {
    let note = decision.checked_by(caller)?;
    write_transaction(conn, |conn| {
        let claim = open_claim(conn, caller, id)?;
        decide(
            conn,
            caller,
            &claim,
            ClaimStatus::Rejected,
            &note,
            None,
            None,
        )
    })
}
