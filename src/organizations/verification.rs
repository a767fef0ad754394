//! Verified organizers: anyone may register an organizer organization and call it "Dinas …", so
//! a fair goes public only once admin or ministry staff have checked the organization against
//! its registration details and documents. Verifying and revoking are audited with the staff
//! member's note; revoking stops future publishing and unpublishes nothing.

use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{Organization, OrganizationKind};
use crate::audit;
use crate::auth::{guards, AuthUser, Role};
use crate::db::schema::{organizations, users};
use crate::db::{now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::validate::Checker;

/// Who may verify organizers and revoke it.
const VERIFIERS: &[Role] = &[Role::Admin, Role::Ministry];

/// The staff member's note: what they checked (registration number, decree, letter, call).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Note {
    pub note: Option<String>,
}

impl Note {
    /// The note, 3 to 2,000 characters, several lines allowed (422).
    pub fn validate(self) -> AppResult<String> {
        let mut c = Checker::new();
        let note = c.required_multiline_text("note", self.note, 3, 2000);
        c.finish()?;
        Ok(note)
    }
}

/// Marks the organizer organization verified by the caller (admin or ministry).
/// 409 `already_verified` when it is, 409 `not_an_organizer` for an employer organization.
pub fn verify(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    note: String,
) -> AppResult<Organization> {
    set_verified(conn, caller, id, note, true)
}

/// Revokes the verification: the organization publishes no more fairs until verified again.
/// Fairs already published stay as they are. 409 `not_verified` when it is not verified.
pub fn unverify(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    note: String,
) -> AppResult<Organization> {
    set_verified(conn, caller, id, note, false)
}

/// Verifies (`verified`) or revokes, with the staff member's note, audited.
fn set_verified(
    conn: &mut DbConn,
    caller: &AuthUser,
    id: &str,
    note: String,
    verified: bool,
) -> AppResult<Organization> {
    guards::role(caller, VERIFIERS)?;
    write_transaction(conn, |conn| {
        let organization = organizer(conn, id)?;
        match (organization.verified_at.is_some(), verified) {
            (true, true) => {
                return Err(AppError::conflict(
                    "already_verified",
                    "this organization is already verified",
                ))
            }
            (false, false) => {
                return Err(AppError::conflict(
                    "not_verified",
                    "this organization is not verified",
                ))
            }
            _ => {}
        }
        let at = now();
        diesel::update(organizations::table.find(id))
            .set((
                organizations::verified_at.eq(verified.then_some(at)),
                organizations::verified_by.eq(verified.then(|| caller.id.clone())),
                organizations::verification_note.eq(&note),
                organizations::updated_at.eq(at),
            ))
            .execute(conn)?;
        let action = if verified {
            "organization.verify"
        } else {
            "organization.unverify"
        };
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action,
                entity: "organization",
                entity_id: id,
                event_id: None,
                changes: json!({ "note": note }),
            },
        )?;
        super::find(conn, id)?.ok_or_else(|| AppError::not_found("organization"))
    })
}

/// 409 `organization_not_verified` unless the organization is verified: the rule publishing
/// a fair checks.
pub fn require_verified(conn: &mut DbConn, organization_id: &str) -> AppResult<()> {
    let verified: Option<Option<NaiveDateTime>> = organizations::table
        .find(organization_id)
        .select(organizations::verified_at)
        .first(conn)
        .optional()?;
    match verified {
        Some(Some(_)) => Ok(()),
        _ => Err(AppError::conflict(
            "organization_not_verified",
            "the organization must be verified by ministry staff before it publishes a fair",
        )),
    }
}

/// Who verified an organization and when, as a fair's public page names them.
#[derive(Debug, Clone)]
pub struct Verified {
    pub at: NaiveDateTime,
    pub by_name: String,
    pub by_role: Role,
}

/// The organization's verification, if it is verified now.
pub fn verified(conn: &mut DbConn, organization_id: &str) -> QueryResult<Option<Verified>> {
    let row: Option<(Option<NaiveDateTime>, Option<String>, Option<Role>)> = organizations::table
        .left_join(users::table.on(organizations::verified_by.eq(users::id.nullable())))
        .filter(organizations::id.eq(organization_id))
        .select((
            organizations::verified_at,
            users::full_name.nullable(),
            users::role.nullable(),
        ))
        .first(conn)
        .optional()?;
    Ok(match row {
        Some((Some(at), Some(by_name), Some(by_role))) => Some(Verified {
            at,
            by_name,
            by_role,
        }),
        _ => None,
    })
}

/// The organization, 404 when missing, 409 `not_an_organizer` for an employer: employers are
/// vetted per fair, by the organizer approving them.
fn organizer(conn: &mut DbConn, id: &str) -> AppResult<Organization> {
    let organization = super::find(conn, id)?.ok_or_else(|| AppError::not_found("organization"))?;
    if organization.kind != OrganizationKind::Organizer {
        return Err(AppError::conflict(
            "not_an_organizer",
            "only organizer organizations are verified; employers are approved per fair",
        ));
    }
    Ok(organization)
}
