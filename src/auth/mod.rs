//! Who is calling, and what they may do.
//!
//! A handler declares its caller in its signature: [`AuthUser`] for routes that need a signed-in
//! user (401 otherwise), [`Caller`] for routes that also serve anonymous visitors. Either way a
//! token that is present but invalid is a 401, never silently anonymous. Either extractor reads
//! the user's current state once per request (one read by primary key): a disabled account, or
//! a token older than the account's last change of role, password or disabled state, is 401
//! `invalid_token`, and the caller acts in their *current* role. The busiest routes take
//! [`CallerToken`] instead and make that read inside their own database call. Who may act on
//! what is then decided by [`guards`].

pub mod accounts;
pub mod email_tokens;
pub mod guards;
pub mod handlers;
pub mod password;
pub mod phone_codes;
pub mod throttle;
pub mod tokens;

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};

use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::{users, AppState};

crate::text_enum! {
    /// What a user account is for. Stored in `users.role`; an admin may change it, and the change
    /// holds from the caller's next request on (see [`AuthUser`]).
    pub enum Role {
        /// Everything, including managing users.
        Admin = "admin",
        /// Reads everything across organizations (events, registrations, placements, figures,
        /// audit trails) and changes no operational data. Ministry staff see no check-in codes:
        /// they do not scan them.
        Ministry = "ministry",
        /// Runs fairs for the organizer organizations they are a member of.
        Organizer = "organizer",
        /// Acts for the employer organizations they are a member of.
        Employer = "employer",
        /// A person looking for work: registers for fairs and applies.
        JobSeeker = "job_seeker",
    }
}

impl Role {
    /// Roles that read across all organizations.
    pub fn reads_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Ministry)
    }
}

/// A signed-in user, from a valid access token whose user is, at this request, still as the token
/// says: the account exists, is not disabled, and its token version is the token's. `role` is the
/// user's current role, read with that check (one indexed read per request), so a role change
/// or a disabled account holds from the next request on.
#[derive(Debug, Clone)]
pub struct AuthUser {
    pub id: String,
    pub role: Role,
}

impl AuthUser {
    /// 403 unless the caller has one of `roles`.
    pub fn require(&self, roles: &[Role]) -> Result<(), AppError> {
        if roles.contains(&self.role) {
            Ok(())
        } else {
            Err(AppError::forbidden(format!(
                "the {} role may not do this",
                self.role.as_str()
            )))
        }
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::Admin
    }
}

/// The caller of a route open to everyone: anonymous, or a signed-in user.
#[derive(Debug, Clone)]
pub struct Caller(pub Option<AuthUser>);

/// The bearer token of the request, if it has an `Authorization` header (401 if malformed).
pub(crate) fn bearer(req: &HttpRequest) -> Result<Option<String>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .map(|t| Some(t.to_owned()))
        .ok_or_else(AppError::invalid_token)
}

/// The caller's bearer token, its signature and expiry verified, its account not yet read: the
/// extractor of the busiest routes (reading an event, scanning a ticket), which read the account
/// in their own database call with [`CallerToken::check`], one trip to the pool instead of two.
/// [`AuthUser`] and [`Caller`] are this, checked before the handler runs.
#[derive(Debug)]
pub struct CallerToken(Option<tokens::Claims>);

impl CallerToken {
    /// The token of the request (none: anonymous). A door pass, or a token that does not
    /// verify, is 401 here, before any database work.
    fn of(req: &HttpRequest) -> Result<Self, AppError> {
        let Some(token) = bearer(req)? else {
            return Ok(Self(None));
        };
        if crate::door::is_door_pass(&token) {
            // A door pass opens the door routes only (see `crate::door::DoorCaller`).
            return Err(AppError::new(
                actix_web::http::StatusCode::UNAUTHORIZED,
                "invalid_token",
                "a door pass opens only the check-in list, check-ins and walk-ins of its fair",
            ));
        }
        Ok(Self(Some(app_state(req)?.tokens.verify_access(&token)?)))
    }

    /// The signed-in user (`None` when anonymous), checked against the account's current state:
    /// a token of a disabled or deleted account, or one issued before the account's last role,
    /// password or disabled change, is 401 `invalid_token`.
    pub fn check(self, conn: &mut DbConn) -> AppResult<Option<AuthUser>> {
        let state = match self.user_id() {
            Some(id) => users::session_state(conn, id)?,
            None => None,
        };
        self.accept(state)
    }

    /// The account the token names, whose state [`CallerToken::accept`] needs (`None`:
    /// anonymous): for a query that reads that state beside what the route reads.
    pub fn user_id(&self) -> Option<&str> {
        self.0.as_ref().map(|claims| claims.sub.as_str())
    }

    /// [`CallerToken::check`] with the account's state already read (`None`: no such account).
    pub fn accept(self, state: Option<users::SessionState>) -> AppResult<Option<AuthUser>> {
        let Some(claims) = self.0 else {
            return Ok(None);
        };
        match state {
            Some(user) if user.disabled_at.is_none() && user.token_version == claims.ver => {
                Ok(Some(AuthUser {
                    id: claims.sub,
                    role: user.role,
                }))
            }
            _ => Err(AppError::invalid_token()),
        }
    }
}

impl FromRequest for CallerToken {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(Self::of(req))
    }
}

fn app_state(req: &HttpRequest) -> Result<&web::Data<AppState>, AppError> {
    req.app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state is not configured"))
}

/// The signed-in user of the request (see [`CallerToken::check`]), read in a call of its own.
async fn authenticate(req: HttpRequest) -> Result<Option<AuthUser>, AppError> {
    let token = CallerToken::of(&req)?;
    if token.0.is_none() {
        return Ok(None);
    }
    let state = app_state(&req)?.clone();
    state.db(move |conn| token.check(conn)).await
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move {
            authenticate(req)
                .await?
                .ok_or_else(|| AppError::unauthorized("sign in: this route needs a bearer token"))
        })
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, AppError>>>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let req = req.clone();
        Box::pin(async move { authenticate(req).await.map(Caller) })
    }
}
