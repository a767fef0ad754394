//! The admin's user management, as domain functions: create an account of any role, list, read,
//! rename, change the role of, disable and re-enable accounts. Every one is for admins only
//! ([`guards::admin`]).

use diesel::prelude::*;
use serde::Deserialize;
use serde_json::json;

use super::{User, ValidNewUser};
use crate::audit;
use crate::auth::{accounts, guards, tokens, AuthUser, Role};
use crate::db::schema::users;
use crate::db::{now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::pagination::{Cursor, Page};
use crate::validate::Checker;

/// An admin creates an account of any role (the only way to make `admin` and `ministry` ones);
/// its verification email (or phone code) is queued as at registration.
pub fn create_account(
    conn: &mut DbConn,
    caller: &AuthUser,
    new: ValidNewUser,
    public_url: &str,
    code_key: &[u8],
) -> AppResult<User> {
    guards::admin(caller)?;
    accounts::register(conn, new, public_url, code_key)
}

/// Users by creation, optionally of one role.
pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    role: Option<Role>,
    after: Option<&Cursor>,
    limit: i64,
) -> AppResult<Page<User>> {
    guards::admin(caller)?;
    Ok(super::list(conn, role, after, limit)?)
}

pub fn get(conn: &mut DbConn, caller: &AuthUser, id: &str) -> AppResult<User> {
    guards::admin(caller)?;
    super::find(conn, id)?.ok_or_else(|| AppError::not_found("user"))
}

/// The fields an admin may change; absent ones stay.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserPatch {
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub role: Option<Role>,
    #[serde(default, deserialize_with = "crate::extract::not_null")]
    pub disabled: Option<bool>,
}

impl UserPatch {
    /// Checks the fields (422).
    pub fn validate(mut self) -> AppResult<Self> {
        let mut c = Checker::new();
        self.full_name = self.full_name.map(|name| c.text("full_name", name, 1, 200));
        c.finish()?;
        Ok(self)
    }
}

/// Renames, changes the role of, disables or re-enables an account. A role change or a
/// disabling takes effect on the user's next request: the token version moves on, so every
/// access token they hold stops working (401), and a disabled account's refresh tokens are
/// revoked. A role change keeps the sign-in: a refresh gives a token of the new role. An admin
/// cannot disable or demote themselves (409 `cannot_demote_self`). A change of role or disabled
/// state, or a new name (as changed, without values), is recorded in the audit trail.
pub fn update(conn: &mut DbConn, caller: &AuthUser, id: &str, patch: UserPatch) -> AppResult<User> {
    guards::admin(caller)?;
    if id == caller.id
        && (patch.disabled == Some(true) || patch.role.is_some_and(|r| r != Role::Admin))
    {
        return Err(AppError::conflict(
            "cannot_demote_self",
            "an admin cannot disable or demote their own account",
        ));
    }
    write_transaction(conn, |conn| {
        let user = super::find(conn, id)?.ok_or_else(|| AppError::not_found("user"))?;
        let at = now();
        let disabled_at = match patch.disabled {
            Some(true) => user.disabled_at.or(Some(at)),
            Some(false) => None,
            None => user.disabled_at,
        };
        let role = patch.role.unwrap_or(user.role);
        let newly_disabled = user.disabled_at.is_none() && disabled_at.is_some();
        let bump = i32::from(role != user.role || newly_disabled);
        let name_changed = patch
            .full_name
            .as_ref()
            .is_some_and(|name| *name != user.full_name);
        diesel::update(users::table.find(id))
            .set((
                users::full_name.eq(patch.full_name.unwrap_or(user.full_name)),
                users::role.eq(role),
                users::disabled_at.eq(disabled_at),
                users::token_version.eq(users::token_version + bump),
                users::updated_at.eq(at),
            ))
            .execute(conn)?;
        if disabled_at.is_some() {
            tokens::revoke_all_of_user(conn, id)?;
        }
        // What changed, for the audit trail: the role and the disabled mark with their values,
        // a new name only as changed (no personal data goes into the chain).
        let mut changes = serde_json::Map::new();
        if role != user.role {
            changes.insert("role".into(), json!({"from": user.role, "to": role}));
        }
        if disabled_at.is_some() != user.disabled_at.is_some() {
            changes.insert(
                "disabled".into(),
                json!({"from": user.disabled_at.is_some(), "to": disabled_at.is_some()}),
            );
        }
        if name_changed {
            changes.insert("full_name".into(), json!("changed"));
        }
        if !changes.is_empty() {
            audit::record(
                conn,
                Some(&caller.id),
                audit::Change {
                    action: "user.update",
                    entity: "user",
                    entity_id: id,
                    event_id: None,
                    changes: serde_json::Value::Object(changes),
                },
            )?;
        }
        super::find(conn, id)?.ok_or_else(|| AppError::not_found("user"))
    })
}
