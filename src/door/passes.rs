//! Door passes: issued by the event's staff for one scanner device, shown once, stored only as
//! the SHA-256 of the token. A pass works until the event's check-in window closes (24 hours
//! after the end; the expiry follows the event if its times change), until the event is closed
//! or cancelled, or until it is revoked; and only while the user who issued it is still the
//! event's staff, whose authority it carries.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;
use serde::Serialize;

use super::{PassHolder, TOKEN_PREFIX};
use crate::auth::tokens::{random_token, token_hash};
use crate::auth::{guards, AuthUser};
use crate::db::schema::{door_passes, events};
use crate::db::{new_id, now, write_transaction, DbConn};
use crate::error::{AppError, AppResult};
use crate::events::{Event, EventStatus};
use crate::pagination::{Cursor, Page};
use crate::registrations::CheckInWindow;
use crate::validate::Checker;
use crate::{audit, users};

/// How often `last_used_at` is written: at most once a minute per pass, so that a scanner that
/// polls its list does not write on every request.
const USE_RECORDED_EVERY: Duration = Duration::minutes(1);

crate::text_enum! {
    /// Whether a pass works now.
    pub enum PassStatus {
        Active = "active",
        /// The event's check-in window closed, or the event was closed or cancelled.
        Expired = "expired",
        Revoked = "revoked",
    }
}

#[derive(Debug, Clone, Queryable, Selectable)]
#[diesel(table_name = door_passes)]
pub struct DoorPass {
    pub id: String,
    pub event_id: String,
    pub label: String,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<String>,
    pub last_used_at: Option<NaiveDateTime>,
}

/// A pass as listed: never its token.
#[derive(Debug, Clone, Serialize)]
pub struct PassView {
    pub id: String,
    pub event_id: String,
    pub label: String,
    pub status: PassStatus,
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    /// When the event's check-in window closes.
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub expires_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub revoked_at: Option<NaiveDateTime>,
    pub revoked_by: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub last_used_at: Option<NaiveDateTime>,
}

/// A pass just issued: the only answer that carries its token (and its QR code).
#[derive(Debug, Serialize)]
pub struct IssuedPass {
    #[serde(flatten)]
    pub pass: PassView,
    /// `bdp_` and 256 random bits: send it as `Authorization: Bearer …`. Shown this once.
    pub token: String,
    /// The token as a QR code (SVG), for the scanner device to read.
    pub qr_svg: String,
}

fn status(pass: &DoorPass, window: &CheckInWindow, at: NaiveDateTime) -> PassStatus {
    if pass.revoked_at.is_some() {
        PassStatus::Revoked
    } else if matches!(window.status, EventStatus::Closed | EventStatus::Cancelled)
        || at > window.closes_at()
    {
        PassStatus::Expired
    } else {
        PassStatus::Active
    }
}

fn view(pass: DoorPass, window: &CheckInWindow, at: NaiveDateTime) -> PassView {
    PassView {
        status: status(&pass, window, at),
        expires_at: window.closes_at(),
        id: pass.id,
        event_id: pass.event_id,
        label: pass.label,
        created_by: pass.created_by,
        created_at: pass.created_at,
        revoked_at: pass.revoked_at,
        revoked_by: pass.revoked_by,
        last_used_at: pass.last_used_at,
    }
}

/// Issues a door pass for the event: its staff (who may scan there themselves), while the event
/// is a draft or published and its check-in window has not closed (409 otherwise). `label`
/// names the device ("Gate A tablet"), 1 to 80 characters.
pub fn issue(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    label: Option<String>,
) -> AppResult<IssuedPass> {
    let mut c = Checker::new();
    let label = c.required_text("label", label, 1, 80);
    c.finish()?;
    let event = guards::event_staff(conn, caller, event_id)?;
    let window = CheckInWindow::of(&event);
    let at = now();
    if !matches!(event.status, EventStatus::Draft | EventStatus::Published) {
        return Err(AppError::conflict(
            "event_not_open",
            format!(
                "a {} event takes no check-ins, so no door passes",
                event.status
            ),
        ));
    }
    if at > window.closes_at() {
        return Err(AppError::conflict(
            "check_in_window_closed",
            "the event's check-in window has closed",
        ));
    }
    let token = format!("{TOKEN_PREFIX}{}", random_token());
    let qr_svg = crate::registrations::qr_svg(&token)?;
    let pass = write_transaction(conn, |conn| {
        let pass = DoorPass {
            id: new_id(),
            event_id: event.id.clone(),
            label: label.clone(),
            created_by: caller.id.clone(),
            created_at: at,
            revoked_at: None,
            revoked_by: None,
            last_used_at: None,
        };
        diesel::insert_into(door_passes::table)
            .values((
                door_passes::id.eq(&pass.id),
                door_passes::event_id.eq(&pass.event_id),
                door_passes::label.eq(&pass.label),
                door_passes::token_hash.eq(token_hash(&token)),
                door_passes::created_by.eq(&pass.created_by),
                door_passes::created_at.eq(at),
            ))
            .execute(conn)?;
        audit::record(
            conn,
            Some(&caller.id),
            audit::Change {
                action: "door_pass.create",
                entity: "door_pass",
                entity_id: &pass.id,
                event_id: Some(&event.id),
                changes: serde_json::json!({"label": pass.label}),
            },
        )?;
        Ok::<_, AppError>(pass)
    })?;
    Ok(IssuedPass {
        pass: view(pass, &window, at),
        token,
        qr_svg,
    })
}

/// The event's door passes, oldest first (no tokens): its staff.
pub fn list(
    conn: &mut DbConn,
    caller: &AuthUser,
    event_id: &str,
    limit: i64,
    after: Option<Cursor>,
) -> AppResult<Page<PassView>> {
    let event = guards::event_staff(conn, caller, event_id)?;
    let window = CheckInWindow::of(&event);
    let mut q = door_passes::table
        .filter(door_passes::event_id.eq(&event.id))
        .select(DoorPass::as_select())
        .into_boxed();
    if let Some(after) = after {
        q = q.filter(door_passes::id.gt(after.id));
    }
    let rows: Vec<DoorPass> = q.order(door_passes::id.asc()).limit(limit + 1).load(conn)?;
    let at = now();
    let page = Page::from_rows(rows, limit, |p: &DoorPass| Cursor::new("", p.id.clone()));
    Ok(page.map(|p| view(p, &window, at)))
}

/// Revokes a pass: the staff of its event (404 for a pass of an event the caller cannot see).
/// From the next request on the pass is 401 `door_pass_revoked`. Revoking a revoked pass
/// changes nothing and answers it as it is.
pub fn revoke(conn: &mut DbConn, caller: &AuthUser, pass_id: &str) -> AppResult<PassView> {
    let pass: DoorPass = door_passes::table
        .find(pass_id)
        .select(DoorPass::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| AppError::not_found("door pass"))?;
    let event: Event = guards::event_staff(conn, caller, &pass.event_id)?;
    let window = CheckInWindow::of(&event);
    if pass.revoked_at.is_some() {
        return Ok(view(pass, &window, now()));
    }
    let at = now();
    write_transaction(conn, |conn| {
        let revoked = diesel::update(door_passes::table.find(&pass.id))
            .filter(door_passes::revoked_at.is_null())
            .set((
                door_passes::revoked_at.eq(at),
                door_passes::revoked_by.eq(&caller.id),
            ))
            .execute(conn)?;
        if revoked == 1 {
            audit::record(
                conn,
                Some(&caller.id),
                audit::Change {
                    action: "door_pass.revoke",
                    entity: "door_pass",
                    entity_id: &pass.id,
                    event_id: Some(&pass.event_id),
                    changes: serde_json::json!({"label": pass.label}),
                },
            )?;
        }
        Ok::<_, AppError>(())
    })?;
    let pass = door_passes::table
        .find(&pass.id)
        .select(DoorPass::as_select())
        .first(conn)?;
    Ok(view(pass, &window, at))
}

fn unauthorized(code: &'static str, message: &str) -> AppError {
    AppError::new(actix_web::http::StatusCode::UNAUTHORIZED, code, message)
}

/// The pass a bearer token stands for, if it works now (see [`super::DoorCaller`] for the
/// answers when it does not); notes its use.
pub fn authenticate(conn: &mut DbConn, token: &str) -> AppResult<PassHolder> {
    let found: Option<(DoorPass, CheckInWindow)> = door_passes::table
        .inner_join(events::table)
        .filter(door_passes::token_hash.eq(token_hash(token)))
        .select((
            DoorPass::as_select(),
            (events::status, events::starts_at, events::ends_at),
        ))
        .first(conn)
        .optional()?;
    let Some((pass, window)) = found else {
        return Err(AppError::invalid_token());
    };
    let at = now();
    match status(&pass, &window, at) {
        PassStatus::Revoked => {
            return Err(unauthorized(
                "door_pass_revoked",
                "this door pass was revoked; ask the fair's staff for a new one",
            ))
        }
        PassStatus::Expired => {
            return Err(unauthorized(
                "door_pass_expired",
                "this door pass expired: the fair's check-in window has closed",
            ))
        }
        PassStatus::Active => {}
    }
    let issuer = match users::session_state(conn, &pass.created_by)? {
        Some(user) if user.disabled_at.is_none() => AuthUser {
            id: pass.created_by.clone(),
            role: user.role,
        },
        _ => {
            return Err(unauthorized(
                "door_pass_revoked",
                "the account that issued this door pass is disabled",
            ))
        }
    };
    if pass
        .last_used_at
        .is_none_or(|last| last + USE_RECORDED_EVERY < at)
    {
        diesel::update(door_passes::table.find(&pass.id))
            .set(door_passes::last_used_at.eq(at))
            .execute(conn)?;
    }
    Ok(PassHolder {
        pass_id: pass.id,
        event_id: pass.event_id,
        issuer,
    })
}
