//! The door of a fair: door passes for scanner devices, the check-in list a scanner downloads,
//! and the upload of scans it made (offline or not).
//!
//! A *door pass* ([`passes`]) lets a device without a user account work one fair's door: read
//! its check-in list, scan codes and record walk-ins, nothing else. It acts for the staff member
//! who issued it, with that person's authority at each request, and expires when the event's
//! check-in window closes (or when it is revoked). Its holder sees no NIK and no contact data.
//!
//! Who is at the door is a [`DoorCaller`]: a signed-in user (the event's staff), or a door pass.
//! Only the door routes take it; every other route refuses a door pass with 401.

pub mod batch;
pub mod check_in_list;
pub mod handlers;
pub mod passes;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::{web, FromRequest, HttpRequest};

use diesel::prelude::*;

use crate::auth::{guards, AuthUser, CallerToken};
use crate::db::schema::{events, registrations, users};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::events::Event;
use crate::registrations::{CheckInWindow, Registration};
use crate::AppState;

/// The prefix of every door pass token, so that it is recognised (and refused) by routes that
/// take a user's token, and recognisable when it leaks.
pub const TOKEN_PREFIX: &str = "bdp_";

/// Whether a bearer token is a door pass (rather than a user's access token).
pub fn is_door_pass(token: &str) -> bool {
    token.starts_with(TOKEN_PREFIX)
}

/// A door pass in use: the fair it opens and the staff member it acts for.
#[derive(Debug, Clone)]
pub struct PassHolder {
    pub pass_id: String,
    pub event_id: String,
    /// The user who issued the pass, in their current role.
    pub issuer: AuthUser,
}

/// Who works the door of a fair: a signed-in user or a door pass (`Authorization: Bearer bdp_…`).
/// A pass that is unknown is 401 `invalid_token`; a revoked one 401 `door_pass_revoked`; one
/// whose check-in window closed (or whose fair was closed or cancelled) 401
/// `door_pass_expired`. Which fair it may work is decided by [`DoorCaller::event`].
#[derive(Debug, Clone)]
pub enum DoorCaller {
    User(AuthUser),
    Pass(PassHolder),
}

impl DoorCaller {
    /// The account the door's work is recorded under: the user, or the issuer of the pass.
    pub fn acting_user(&self) -> &AuthUser {
        match self {
            DoorCaller::User(user) => user,
            DoorCaller::Pass(pass) => &pass.issuer,
        }
    }

    /// The door pass in use, if any: named in the audit record of each check-in it makes.
    pub fn door_pass_id(&self) -> Option<&str> {
        match self {
            DoorCaller::User(_) => None,
            DoorCaller::Pass(pass) => Some(&pass.pass_id),
        }
    }

    /// Whether the caller may see a job seeker's whole profile where the staff could: never
    /// through a door pass (no NIK, no contact data at the door).
    pub fn reads_profiles(&self) -> bool {
        matches!(self, DoorCaller::User(_))
    }

    /// The event, if this caller may work its door: a user must be its staff
    /// ([`guards::event_staff`]: 404 for an event they cannot see, 403 otherwise); a pass opens
    /// only its own fair (403 for any other) and only while its issuer is still the fair's staff.
    pub fn event(&self, conn: &mut DbConn, event_id: &str) -> AppResult<Event> {
        match self {
            DoorCaller::User(user) => guards::event_staff(conn, user, event_id),
            DoorCaller::Pass(pass) => {
                if pass.event_id != event_id {
                    return Err(AppError::forbidden("this door pass is for another fair"));
                }
                guards::event_staff(conn, &pass.issuer, event_id)
            }
        }
    }
}

/// The door's token, not yet checked (see [`crate::auth::CallerToken`]): for the scan, the
/// busiest door route, which checks it in its own database call with [`DoorToken::check`].
#[derive(Debug)]
pub enum DoorToken {
    Pass(String),
    User(CallerToken),
}

const SIGN_IN: &str = "sign in: this route needs a bearer token";

impl DoorToken {
    /// Who is at the door (401 as [`DoorToken::check`]), and the fair's check-in window if they
    /// may work its door ([`DoorCaller::event`]; that refusal is returned rather than raised, so
    /// that the caller may check its input first). For a signed-in user the account, the
    /// membership, the window and the registrations with the scanned code's `check_in_key`
    /// ([`crate::registrations::with_key`]) are one query, which reads nothing else of the event: the
    /// scan, the busiest route there is, needs no more. Through a door pass they are read after
    /// the pass and its fair are accepted. Without a key (the scanned code was refused) no
    /// registration is read.
    pub fn window_at(
        self,
        conn: &mut DbConn,
        event_id: &str,
        check_in_key: Option<&str>,
    ) -> AppResult<(DoorCaller, AppResult<CheckInWindow>, Vec<Registration>)> {
        let token = match self {
            DoorToken::User(token) => token,
            pass => {
                let door = pass.check(conn)?;
                let window = door.event(conn, event_id).map(|e| CheckInWindow::of(&e));
                let found = match (&window, check_in_key) {
                    (Ok(_), Some(key)) => crate::registrations::with_key(conn, event_id, key)?,
                    _ => Vec::new(),
                };
                return Ok((door, window, found));
            }
        };
        let Some(user_id) = token.user_id().map(str::to_owned) else {
            return Err(AppError::unauthorized(SIGN_IN));
        };
        // No registration has an empty key: without one, the join finds none.
        let key = check_in_key.unwrap_or_default();
        let rows: Vec<(_, _, Option<Registration>)> = crate::on_engine!(&mut *conn, |c| {
            events::table
                .left_join(users::table.on(users::id.eq(user_id.clone())))
                .left_join(
                    registrations::table.on(registrations::event_id
                        .eq(events::id)
                        .and(registrations::check_in_key.eq(key))),
                )
                .filter(events::id.eq(event_id))
                .select((
                    CheckInWindow::as_select(),
                    (
                        crate::events::account_state(),
                        events::organization_id
                            .eq_any(crate::events::member_organizations(user_id.clone())),
                    ),
                    Option::<Registration>::as_select(),
                ))
                .limit(2)
                .load(c)
        })?;
        let mut found = Vec::with_capacity(rows.len());
        let mut row = None;
        for (window, state, registration) in rows {
            found.extend(registration);
            row = Some((window, state));
        }
        let (user, visible) =
            crate::events::for_token(conn, token, row, |w: &CheckInWindow| w.status)?;
        let user = user.ok_or_else(|| AppError::unauthorized(SIGN_IN))?;
        let window = guards::staff_of(&user, visible);
        Ok((DoorCaller::User(user), window, found))
    }

    /// Who is at the door: the pass's holder (see [`passes::authenticate`]), or the signed-in
    /// user (401 when the request has no token).
    pub fn check(self, conn: &mut DbConn) -> AppResult<DoorCaller> {
        match self {
            DoorToken::Pass(token) => passes::authenticate(conn, &token).map(DoorCaller::Pass),
            DoorToken::User(token) => token
                .check(conn)?
                .map(DoorCaller::User)
                .ok_or_else(|| AppError::unauthorized(SIGN_IN)),
        }
    }
}

impl FromRequest for DoorToken {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let token = match crate::auth::bearer(req) {
            Ok(Some(token)) if is_door_pass(&token) => Ok(DoorToken::Pass(token)),
            // No token at all is refused at once, before the body is read, as every signed-in
            // route does.
            Ok(None) => Err(AppError::unauthorized(SIGN_IN)),
            Ok(Some(_)) => CallerToken::from_request(req, payload)
                .into_inner()
                .map(DoorToken::User),
            Err(e) => Err(e),
        };
        std::future::ready(token)
    }
}

impl FromRequest for DoorCaller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let token = DoorToken::from_request(req, payload).into_inner();
        let state = req.app_data::<web::Data<AppState>>().cloned();
        Box::pin(async move {
            let token = token?;
            let state =
                state.ok_or_else(|| AppError::internal("application state is not configured"))?;
            state.db(move |conn| token.check(conn)).await
        })
    }
}
