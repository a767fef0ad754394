//! Answering a reported hire: the job seeker confirms or disputes it (signed in, or through a
//! single-use confirmation link), the employer retracts it, staff verify or reject it; and the
//! organizer issues the confirmation links.

use actix_web::http::StatusCode;
use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;
use serde_json::json;

use super::{
    Action, ContractType, Decision, Party, PlacementStatus, PlacementView, VerificationMethod,
    CONFIRMATION_TTL_DAYS,
};
use crate::audit::{self, Change};
use crate::auth::tokens::{random_token, token_hash};
use crate::auth::AuthUser;
use crate::db::schema::{
    events, job_seekers, organizations, placement_confirmations, placements, vacancies,
};
use crate::db::{now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};

/// What an action records besides its status: checked by the caller (the handler's
/// [`crate::validate::Checker`]), and matched to its action here (anything else is a bug, 500).
#[derive(Debug, Clone)]
pub enum Details {
    /// Confirm.
    None,
    /// Dispute: why (1 to 1000 characters).
    Reason(String),
    /// Verify: how, and an optional note.
    Verify {
        method: VerificationMethod,
        note: Option<String>,
    },
    /// Retract (no note) or reject (a note saying why).
    Note(Option<String>),
}

/// Moves the placement by `action` (its status must be `from`) and returns when. 409
/// `invalid_transition` if it is no longer `from`. A retraction hands the application back
/// ([`crate::applications::reopen`]).
fn apply(
    conn: &mut DbConn,
    id: &str,
    from: PlacementStatus,
    action: Action,
    actor: Option<&str>,
    details: &Details,
) -> AppResult<NaiveDateTime> {
    if !action.allowed_from(from) {
        return Err(invalid_transition(from, action));
    }
    let at = now();
    let to = action.to();
    let target = placements::table
        .find(id)
        .filter(placements::status.eq(from));
    let updated = match (action, details) {
        (Action::Confirm, Details::None) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::confirmed_at.eq(at),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (Action::Dispute, Details::Reason(reason)) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::disputed_at.eq(at),
                placements::dispute_reason.eq(reason),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (Action::Verify, Details::Verify { method, note }) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::verified_at.eq(at),
                placements::verified_by.eq(actor),
                placements::verification_method.eq(method),
                placements::verification_note.eq(note),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (Action::Retract | Action::Reject, Details::Note(note)) => diesel::update(target)
            .set((
                placements::status.eq(to),
                placements::retracted_at.eq(at),
                placements::retracted_by.eq(actor),
                placements::retraction_note.eq(note),
                placements::updated_at.eq(at),
            ))
            .execute(conn)?,
        (action, details) => {
            return Err(AppError::internal(format!(
                "{action:?} does not take {details:?}"
            )))
        }
    };
    if updated == 0 {
        return Err(AppError::conflict(
            "invalid_transition",
            "the placement changed status meanwhile; reload it",
        ));
    }
    let (event_id, application_id, reporter): (String, String, String) = placements::table
        .find(id)
        .select((
            placements::event_id,
            placements::application_id,
            placements::reported_by,
        ))
        .first(conn)?;
    if to == PlacementStatus::Retracted {
        crate::applications::reopen(conn, &application_id, at, actor.unwrap_or(&reporter))?;
    }
    crate::metrics::tally::placements_changed(conn, &event_id)?;
    Ok(at)
}

fn invalid_transition(from: PlacementStatus, action: Action) -> AppError {
    AppError::conflict(
        "invalid_transition",
        format!("a {from} placement cannot become {}", action.to()),
    )
}

/// What the audit record of an action says: the move, the method; never free text (a reason or
/// a note could hold anything, a NIK included; it stays on the placement).
fn action_changes(
    from: PlacementStatus,
    action: Action,
    details: &Details,
    via: &str,
) -> serde_json::Value {
    let mut changes = json!({"from": from.as_str(), "to": action.to().as_str(), "via": via});
    if let Details::Verify { method, .. } = details {
        changes["method"] = json!(method.as_str());
    }
    changes
}

/// The job seeker's answer an action is, if it is one: `Some(None)` for a confirmation,
/// `Some(Some(reason))` for a dispute.
fn answer_of(action: Action, details: &Details) -> Option<Option<&str>> {
    match (action, details) {
        (Action::Confirm, _) => Some(None),
        (Action::Dispute, Details::Reason(reason)) => Some(Some(reason.as_str())),
        _ => None,
    }
}

/// An action by a signed-in party (see [`Action::party`]): 404 for a placement the caller is no
/// party to, 403 for a party who does not take this action, 409 `invalid_transition` from the
/// wrong status. A dispute emails the event's organizers (links under `public_url`). Audited
/// under [`Action::audit_name`].
pub fn act(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    action: Action,
    details: &Details,
    public_url: &str,
) -> AppResult<PlacementView> {
    write_transaction(conn, |conn| {
        let ((placement, _, _), access) = super::find_as_party(conn, id, caller)?;
        if !access.is(action.party()) {
            return Err(AppError::forbidden(match action.party() {
                Party::JobSeeker => "only the job seeker confirms or disputes a placement",
                Party::Employer => "only members of the employer retract a placement",
                Party::Staff => {
                    "only the event's organizer and ministry staff verify or reject a placement"
                }
            }));
        }
        let from = placement.status;
        let at = apply(conn, id, from, action, Some(&caller.id), details)?;
        if let Some(reason) = answer_of(action, details) {
            super::notices::queue_answer_notices(conn, id, reason, public_url, at)?;
        }
        let row = super::find_row(conn, id)?
            .ok_or_else(|| AppError::internal("the placement is gone"))?;
        audit::record(
            conn,
            Some(&caller.id),
            Change {
                action: action.audit_name(),
                entity: "placement",
                entity_id: id,
                event_id: Some(&placement.event_id),
                changes: action_changes(from, action, details, "api"),
            },
        )?;
        Ok(PlacementView::new(row, access.sees_flags()))
    })
}

// ---------------------------------------------------------------------------------------------
// Confirmation links
// ---------------------------------------------------------------------------------------------

/// A new confirmation link: the token is shown only here (only its hash is kept).
#[derive(Debug, Serialize)]
pub struct IssuedLink {
    pub placement_id: String,
    pub token: String,
    pub url: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub expires_at: NaiveDateTime,
}

/// The page of a confirmation link (the web page where the job seeker answers; the JSON API
/// answers the same token at `/api/v1/placement-confirmations/{token}`).
pub(super) fn link_path(token: &str) -> String {
    format!("/placement-confirmations/{token}")
}

/// The longest dispute reason or staff note, in characters.
pub const MAX_NOTE: usize = 1000;

/// The answer given through a link, checked: `confirm` takes no reason, `dispute` needs one
/// (1 to [`MAX_NOTE`] characters, lines allowed). The API and the web page both check here.
pub fn link_answer(
    decision: Option<Decision>,
    reason: Option<String>,
) -> AppResult<(Decision, Details)> {
    let mut c = crate::validate::Checker::new();
    let decision = c.required("decision", decision);
    let details = match decision {
        Decision::Confirm => {
            c.check(reason.is_none(), "reason", "only a dispute takes a reason");
            Details::None
        }
        Decision::Dispute => {
            Details::Reason(c.required_multiline_text("reason", reason, 1, MAX_NOTE))
        }
    };
    c.finish()?;
    Ok((decision, details))
}

/// Stores a new single-use confirmation link of the placement, valid
/// [`CONFIRMATION_TTL_DAYS`]; earlier links not used yet stop working. Returns the token (only
/// its hash is kept) and when it expires.
pub(super) fn issue_link(
    conn: &mut DbConn,
    placement_id: &str,
    at: NaiveDateTime,
) -> QueryResult<(String, NaiveDateTime)> {
    diesel::update(
        placement_confirmations::table
            .filter(placement_confirmations::placement_id.eq(placement_id))
            .filter(placement_confirmations::used_at.is_null())
            .filter(placement_confirmations::expires_at.gt(at)),
    )
    .set(placement_confirmations::expires_at.eq(at))
    .execute(conn)?;
    let token = random_token();
    let expires_at = at + Duration::days(CONFIRMATION_TTL_DAYS);
    diesel::insert_into(placement_confirmations::table)
        .values((
            placement_confirmations::token_hash.eq(token_hash(&token)),
            placement_confirmations::placement_id.eq(placement_id),
            placement_confirmations::created_at.eq(at),
            placement_confirmations::expires_at.eq(expires_at),
        ))
        .execute(conn)?;
    Ok((token, expires_at))
}

/// Issues a single-use confirmation link for a `reported` placement, for members of the event's
/// organizer and admins to send to the job seeker by hand (other parties 403, anyone else 404):
/// an absolute URL under `public_url`. Links issued before and not used stop working. Audited as
/// `placement.issue_confirmation_link`.
pub fn confirmation_link(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    public_url: &str,
) -> AppResult<IssuedLink> {
    write_transaction(conn, |conn| {
        let ((placement, _, _), access) = super::find_as_party(conn, id, caller)?;
        if !(access.organizer || caller.is_admin()) {
            return Err(AppError::forbidden(
                "only members of the event's organizer issue confirmation links",
            ));
        }
        if placement.status != PlacementStatus::Reported {
            return Err(AppError::conflict(
                "invalid_transition",
                format!("a {} placement takes no confirmation", placement.status),
            ));
        }
        let (token, expires_at) = issue_link(conn, id, now())?;
        audit::record(
            conn,
            Some(&caller.id),
            Change {
                action: "placement.issue_confirmation_link",
                entity: "placement",
                entity_id: id,
                event_id: Some(&placement.event_id),
                changes: json!({"expires_at": expires_at.and_utc()}),
            },
        )?;
        Ok(IssuedLink {
            placement_id: id.to_owned(),
            url: format!("{public_url}{}", link_path(&token)),
            token,
            expires_at,
        })
    })
}

/// What a confirmation link shows: the claim, never any part of a NIK.
#[derive(Debug, Serialize, Queryable)]
pub struct Claim {
    pub placement_id: String,
    pub status: PlacementStatus,
    pub employer_name: String,
    pub position: String,
    pub occupation_code: String,
    pub contract_type: ContractType,
    pub salary_idr: i64,
    pub start_date: NaiveDate,
    pub event_title: String,
    pub job_seeker_name: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub expires_at: NaiveDateTime,
}

fn gone(code: &'static str, message: &str) -> AppError {
    AppError::new(StatusCode::GONE, code, message)
}

fn link_closed() -> AppError {
    gone(
        "link_closed",
        "this placement has been answered or withdrawn already",
    )
}

/// The claim behind a usable link: 404 for an unknown token, 410 for a used (`link_used`),
/// expired or superseded (`link_expired`) link, or one whose placement was answered or
/// withdrawn meanwhile (`link_closed`).
pub(super) fn usable_claim(conn: &mut DbConn, token: &str, at: NaiveDateTime) -> AppResult<Claim> {
    let found: Option<(Claim, Option<NaiveDateTime>)> = placement_confirmations::table
        .inner_join(
            placements::table
                .inner_join(vacancies::table)
                .inner_join(organizations::table)
                .inner_join(events::table)
                .inner_join(job_seekers::table),
        )
        .filter(placement_confirmations::token_hash.eq(token_hash(token)))
        .select((
            (
                placements::id,
                placements::status,
                organizations::name,
                vacancies::title,
                placements::occupation_code,
                placements::contract_type,
                placements::salary_idr,
                placements::start_date,
                events::title,
                job_seekers::full_name,
                placement_confirmations::expires_at,
            ),
            placement_confirmations::used_at,
        ))
        .first(conn)
        .optional()?;
    let (claim, used_at) = found.ok_or_else(|| AppError::not_found("confirmation link"))?;
    if used_at.is_some() {
        return Err(gone("link_used", "this confirmation link has been used"));
    }
    if claim.expires_at <= at {
        return Err(gone(
            "link_expired",
            "this confirmation link has expired; ask the organizer for a new one",
        ));
    }
    if claim.status != PlacementStatus::Reported {
        return Err(link_closed());
    }
    Ok(claim)
}

/// What a link claims, for anyone holding it (see [`usable_claim`] for dead links).
pub fn show_claim(conn: &mut DbConn, token: &str) -> AppResult<Claim> {
    usable_claim(conn, token, now())
}

/// Anyone holding the link answers once: `confirm` ([`Details::None`]), or `dispute` with a
/// reason ([`Details::Reason`]), which emails the event's organizers. Of two concurrent answers,
/// one finds the link used (410). Audited under the action's name, with no actor and
/// `via: confirmation_link`.
pub fn answer_claim(
    conn: &mut DbConn,
    token: &str,
    decision: Decision,
    details: &Details,
    public_url: &str,
) -> AppResult<Claim> {
    let action = match decision {
        Decision::Confirm => Action::Confirm,
        Decision::Dispute => Action::Dispute,
    };
    write_transaction(conn, |conn| {
        let at = now();
        let mut claim = usable_claim(conn, token, at)?;
        // Take the link first: of two concurrent answers, one finds it used.
        let taken = diesel::update(
            placement_confirmations::table
                .find(token_hash(token))
                .filter(placement_confirmations::used_at.is_null()),
        )
        .set(placement_confirmations::used_at.eq(at))
        .execute(conn)?;
        if taken == 0 {
            return Err(gone("link_used", "this confirmation link has been used"));
        }
        let from = PlacementStatus::Reported;
        match apply(conn, &claim.placement_id, from, action, None, details) {
            Err(e) if e.code == "invalid_transition" => return Err(link_closed()),
            other => other?,
        };
        if let Some(reason) = answer_of(action, details) {
            super::notices::queue_answer_notices(
                conn,
                &claim.placement_id,
                reason,
                public_url,
                at,
            )?;
        }
        let event_id: String = placements::table
            .find(&claim.placement_id)
            .select(placements::event_id)
            .first(conn)?;
        audit::record(
            conn,
            None,
            Change {
                action: action.audit_name(),
                entity: "placement",
                entity_id: &claim.placement_id,
                event_id: Some(&event_id),
                changes: action_changes(from, action, details, "confirmation_link"),
            },
        )?;
        claim.status = action.to();
        Ok(claim)
    })
}
