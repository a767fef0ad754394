//! Who is calling, and what they may do.
//!
//! A handler declares its caller in its signature: [`AuthUser`] for routes that need a signed-in
//! user (401 otherwise), [`Caller`] for routes that also serve anonymous visitors. Either way a
//! token that is present but invalid is a 401, never silently anonymous. Role checks come first
//! thing in the handler, through [`AuthUser::require`].

pub mod email_tokens;
pub mod guards;
pub mod handlers;
pub mod password;
pub mod throttle;
pub mod tokens;

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpRequest};
use serde::{Deserialize, Serialize};

use crate::error::AppError;
use crate::AppState;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including managing users.
    Admin,
    /// Reads everything across organizations; changes no operational data.
    Ministry,
    Organizer,
    Employer,
    JobSeeker,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Ministry => "ministry",
            Role::Organizer => "organizer",
            Role::Employer => "employer",
            Role::JobSeeker => "job_seeker",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Some(match s {
            "admin" => Role::Admin,
            "ministry" => Role::Ministry,
            "organizer" => Role::Organizer,
            "employer" => Role::Employer,
            "job_seeker" => Role::JobSeeker,
            _ => return None,
        })
    }

    /// Roles that read across all organizations.
    pub fn reads_everything(self) -> bool {
        matches!(self, Role::Admin | Role::Ministry)
    }
}

/// A signed-in user, from a valid access token. The token is trusted for its short life (about
/// 15 minutes), so no query is spent on it.
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

fn authenticate(req: &HttpRequest) -> Result<Option<AuthUser>, AppError> {
    let Some(value) = req.headers().get(header::AUTHORIZATION) else {
        return Ok(None);
    };
    let token = value
        .to_str()
        .ok()
        .and_then(|v| {
            v.strip_prefix("Bearer ")
                .or_else(|| v.strip_prefix("bearer "))
        })
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .ok_or_else(AppError::invalid_token)?;
    let state = req
        .app_data::<web::Data<AppState>>()
        .ok_or_else(|| AppError::internal("application state is not configured"))?;
    let claims = state.tokens.verify_access(token)?;
    let role = Role::parse(&claims.role).ok_or_else(AppError::invalid_token)?;
    Ok(Some(AuthUser {
        id: claims.sub,
        role,
    }))
}

impl FromRequest for AuthUser {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).and_then(|user| {
            user.ok_or_else(|| AppError::unauthorized("sign in: this route needs a bearer token"))
        }))
    }
}

impl FromRequest for Caller {
    type Error = AppError;
    type Future = Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(authenticate(req).map(Caller))
    }
}
