//! Who is calling, and what they may do.
//!
//! A handler declares its caller in its signature: [`AuthUser`] for routes that need a signed-in
//! user (401 otherwise), [`Caller`] for routes that also serve anonymous visitors. Either way a
//! token that is present but invalid is a 401, never silently anonymous. Either extractor reads
//! the user's current state once per request (one read by primary key): a disabled account, or
//! a token older than the account's last change of role, password or disabled state, is 401
//! `invalid_token`, and the caller acts in their *current* role. Who may act on what is then
//! decided by [`guards`].

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

use crate::error::AppError;
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

/// The signed-in user of the request, checked against the account's current state: a token of
/// a disabled or deleted account, or one issued before the account's last role, password or
/// disabled change, is 401 `invalid_token`.
async fn authenticate(req: HttpRequest) -> Result<Option<AuthUser>, AppError> {
    let Some(token) = bearer(&req)? else {
        return Ok(None);
    };
    if crate::door::is_door_pass(&token) {
        // A door pass opens the door routes only (see `crate::door::DoorCaller`).
        return Err(AppError::new(
            actix_web::http::StatusCode::UNAUTHORIZED,
            "invalid_token",
            "a door pass opens only the check-in list, check-ins and walk-ins of its fair",
        ));
    }
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state is not configured"))?
        .clone();
    let claims = state.tokens.verify_access(&token)?;
    let id = claims.sub;
    let lookup = id.clone();
    let current = state
        .db(move |conn| Ok(users::session_state(conn, &lookup)?))
        .await?;
    match current {
        Some(user) if user.disabled_at.is_none() && user.token_version == claims.ver => {
            Ok(Some(AuthUser {
                id,
                role: user.role,
            }))
        }
        _ => Err(AppError::invalid_token()),
    }
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
