//! The one error type of the API and its mapping to HTTP.
//!
//! Rules:
//! - every error response has the body
//!   `{"error": {"code", "message", "details": [{"field", "message"}], "request_id"}}`;
//! - a client mistake is a 4xx with a stable snake_case `code`: malformed JSON 400, wrong content
//!   type 415, invalid fields 422 (one detail per field), no or bad credentials 401 (with
//!   `WWW-Authenticate: Bearer`), not allowed 403, not found 404, conflict 409, body too large
//!   413, throttled 429 (with `Retry-After`);
//! - a database that cannot be reached, was lost mid-request (a restart, a failover), cannot
//!   take writes (a read-only file, a full disk, a read-only replica) or was too busy is 503
//!   with `Retry-After`, its cause named in `code` and logged at most once a minute per cause;
//!   reads go on being served meanwhile;
//! - anything unexpected is logged with its cause here, where it happens, and answered with an
//!   opaque 500 whose `request_id` finds the log line.
//!
//! The body is written by [`crate::middleware::error_envelope`], which adds the request id and
//! also turns actix's own plain-text errors (unknown route, wrong method) into this shape.

use std::borrow::Cow;
use std::fmt;

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;

/// One invalid input field.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl FieldError {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

#[derive(Debug)]
pub struct AppError {
    pub status: StatusCode,
    pub code: Cow<'static, str>,
    pub message: String,
    pub details: Vec<FieldError>,
    /// Seconds for `Retry-After` (429).
    pub retry_after: Option<u64>,
}

pub type AppResult<T> = Result<T, AppError>;

impl AppError {
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: Cow::Borrowed(code),
            message: message.into(),
            details: Vec::new(),
            retry_after: None,
        }
    }

    pub fn with_details(mut self, details: Vec<FieldError>) -> Self {
        self.details = details;
        self
    }

    pub fn bad_request(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, message)
    }

    pub fn unauthorized(message: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", message)
    }

    pub fn invalid_token() -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "invalid_token",
            "the access token is missing its signature, expired, or not for this service",
        )
    }

    pub fn forbidden(message: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    /// 404 for a resource, named in the message ("event not found").
    pub fn not_found(what: &str) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "not_found",
            format!("{what} not found"),
        )
    }

    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, code, message)
    }

    /// 422 with one detail per invalid field.
    pub fn validation(details: Vec<FieldError>) -> Self {
        Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation_failed",
            "some fields are missing or invalid",
        )
        .with_details(details)
    }

    /// 422 for a single field.
    pub fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![FieldError::new(field, message)])
    }

    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        let mut error = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_requests",
            "too many attempts; try again later",
        );
        error.retry_after = Some(retry_after_secs.max(1));
        error
    }

    /// 503 with `Retry-After`: the client may try again shortly.
    pub fn service_unavailable(message: impl Into<String>) -> Self {
        Self::unavailable("service_unavailable", message)
    }

    /// 503 with `Retry-After` and a `code` naming the cause.
    pub fn unavailable(code: &'static str, message: impl Into<String>) -> Self {
        let mut error = Self::new(StatusCode::SERVICE_UNAVAILABLE, code, message);
        error.retry_after = Some(RETRY_UNAVAILABLE_SECS);
        error
    }

    /// An unexpected failure: the cause is logged (inside the request's span, so with its
    /// request id) and never sent to the client.
    pub fn internal(cause: impl fmt::Display) -> Self {
        tracing::error!(cause = %cause, "internal error");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an unexpected error occurred; quote the request id when reporting it",
        )
    }

    /// The body of this error, for the given request id.
    pub fn body(&self, request_id: Option<&str>) -> serde_json::Value {
        serde_json::json!({
            "error": {
                "code": self.code,
                "message": self.message,
                "details": self.details,
                "request_id": request_id,
            }
        })
    }

    /// The full response, for the given request id.
    pub fn to_response(&self, request_id: Option<&str>) -> HttpResponse {
        let mut response = HttpResponse::build(self.status);
        if self.status == StatusCode::UNAUTHORIZED {
            let challenge = if self.code == "invalid_token" {
                r#"Bearer error="invalid_token""#
            } else {
                "Bearer"
            };
            response.insert_header((header::WWW_AUTHENTICATE, challenge));
        }
        if let Some(seconds) = self.retry_after {
            response.insert_header((header::RETRY_AFTER, seconds.to_string()));
        }
        response.json(self.body(request_id))
    }

    /// The error that stands for a bare status from actix or a middleware (no handler error).
    pub fn from_status(status: StatusCode) -> Self {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("route_not_found", "no such route"),
            StatusCode::METHOD_NOT_ALLOWED => {
                ("method_not_allowed", "this route does not take that method")
            }
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "the request body is too large"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => (
                "unsupported_media_type",
                "send the body as application/json",
            ),
            StatusCode::BAD_REQUEST => ("bad_request", "the request is malformed"),
            StatusCode::UNAUTHORIZED => ("unauthorized", "authentication is required"),
            StatusCode::FORBIDDEN => ("forbidden", "not allowed"),
            StatusCode::SERVICE_UNAVAILABLE => {
                return Self::service_unavailable("the service is unavailable")
            }
            s if s.is_server_error() => (
                "internal_error",
                "an unexpected error occurred; quote the request id when reporting it",
            ),
            _ => ("error", "the request failed"),
        };
        Self::new(status, code, message)
    }
}

impl fmt::Display for AppError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for AppError {}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        self.status
    }

    fn error_response(&self) -> HttpResponse {
        self.to_response(None)
    }
}

impl From<diesel::result::Error> for AppError {
    fn from(error: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        match &error {
            Error::NotFound => Self::not_found("resource"),
            Error::DatabaseError(Kind::UniqueViolation, _) => {
                Self::conflict("conflict", "a record with these values already exists")
            }
            Error::DatabaseError(Kind::SerializationFailure, _) => {
                Self::service_unavailable("the database was busy; retry the request")
            }
            // A commit that failed and could not be rolled back: the commit's cause decides.
            Error::RollbackErrorOnCommit { commit_error, .. } => {
                match StorageFault::of(commit_error) {
                    Some(fault) => fault.into_error(&error),
                    None => Self::internal(error),
                }
            }
            _ => match StorageFault::of(&error) {
                Some(fault) => fault.into_error(&error),
                None => Self::internal(error),
            },
        }
    }
}

/// Seconds a client is asked to wait after a 503.
pub const RETRY_UNAVAILABLE_SECS: u64 = 5;

/// Why the database could not do what was asked, when it is not the request's fault and not a
/// bug: each is a 503 naming the cause.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StorageFault {
    /// The connection was lost: the server restarted, failed over or went away.
    Lost,
    /// The database takes no writes: a read-only SQLite file or a read-only PostgreSQL (a
    /// standby); reads still work.
    ReadOnly,
    /// The disk (or SQLite's page limit) is full; reads still work.
    Full,
    /// SQLite waited for its write lock for too long.
    Busy,
}

impl StorageFault {
    /// The fault behind `error`, if it is one. SQLite and libpq report most of these only in
    /// their message, so the message decides where the kind does not.
    pub fn of(error: &diesel::result::Error) -> Option<Self> {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        let info = match error {
            Error::BrokenTransactionManager => return Some(Self::Lost),
            Error::DatabaseError(Kind::ClosedConnection | Kind::UnableToSendCommand, _) => {
                return Some(Self::Lost)
            }
            Error::DatabaseError(Kind::ReadOnlyTransaction, _) => return Some(Self::ReadOnly),
            Error::DatabaseError(_, info) => info,
            _ => return None,
        };
        let message = info.message();
        let lost = [
            "terminating connection",
            "server closed the connection",
            "connection to server",
            "no connection to the server",
            "could not send data to server",
            "could not receive data from server",
            "the database system is shutting down",
            "the database system is starting up",
            "the database system is in recovery mode",
            "SSL SYSCALL error",
        ];
        if lost.iter().any(|m| message.contains(m)) {
            Some(Self::Lost)
        } else if message.contains("readonly database") || message.contains("read-only transaction")
        {
            Some(Self::ReadOnly)
        } else if message.contains("database or disk is full")
            || message.contains("No space left on device")
            || message.contains("could not extend file")
        {
            Some(Self::Full)
        } else if message.contains("database is locked") {
            Some(Self::Busy)
        } else {
            None
        }
    }

    /// The stable error code of the fault.
    pub fn code(self) -> &'static str {
        match self {
            Self::Lost => "database_unavailable",
            Self::ReadOnly => "database_read_only",
            Self::Full => "database_full",
            Self::Busy => "service_unavailable",
        }
    }

    /// What an operator (or `/readyz`) is told.
    pub fn describe(self) -> &'static str {
        match self {
            Self::Lost => "the database is unavailable",
            Self::ReadOnly => "the database is read-only: changes cannot be saved now",
            Self::Full => "the database disk is full: changes cannot be saved now",
            Self::Busy => "the database was busy; retry the request",
        }
    }

    /// The 503 of this fault; the cause is logged at most once a minute per fault, so an
    /// outage under load does not flood the log.
    fn into_error(self, cause: &diesel::result::Error) -> AppError {
        use std::sync::atomic::{AtomicU64, Ordering};
        static LAST_LOGGED: [AtomicU64; 4] = [const { AtomicU64::new(0) }; 4];
        let slot = &LAST_LOGGED[self as usize];
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        let last = slot.load(Ordering::Relaxed);
        if now >= last + 60
            && slot
                .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            match self {
                Self::Busy => tracing::warn!(cause = %cause, "database busy"),
                _ => tracing::error!(cause = %cause, fault = self.code(), "{}", self.describe()),
            }
        }
        AppError::unavailable(self.code(), self.describe())
    }
}

impl From<r2d2::Error> for AppError {
    fn from(error: r2d2::Error) -> Self {
        tracing::error!(cause = %error, "no database connection");
        Self::service_unavailable("the database is unavailable")
    }
}

impl From<actix_web::error::BlockingError> for AppError {
    fn from(error: actix_web::error::BlockingError) -> Self {
        Self::internal(error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_pinned() {
        let cases = [
            (AppError::bad_request("malformed_json", "x"), 400),
            (AppError::unauthorized("x"), 401),
            (AppError::invalid_token(), 401),
            (AppError::forbidden("x"), 403),
            (AppError::not_found("event"), 404),
            (AppError::conflict("email_taken", "x"), 409),
            (AppError::invalid_field("email", "x"), 422),
            (AppError::too_many_requests(5), 429),
            (AppError::service_unavailable("x"), 503),
            (AppError::from(diesel::result::Error::NotFound), 404),
            (
                AppError::from(diesel::result::Error::RollbackTransaction),
                500,
            ),
            (
                AppError::from(diesel::result::Error::BrokenTransactionManager),
                503,
            ),
        ];
        for (error, status) in cases {
            assert_eq!(error.status.as_u16(), status, "{error}");
        }
    }

    #[test]
    fn unauthorized_responses_carry_the_bearer_challenge() {
        let response = AppError::invalid_token().to_response(Some("r1"));
        assert_eq!(
            response.headers().get(header::WWW_AUTHENTICATE).unwrap(),
            r#"Bearer error="invalid_token""#
        );
        let response = AppError::too_many_requests(30).to_response(None);
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "30");
        let response = AppError::service_unavailable("x").to_response(None);
        assert_eq!(response.headers().get(header::RETRY_AFTER).unwrap(), "5");
    }

    #[test]
    fn storage_faults_are_named_503s() {
        use diesel::result::{DatabaseErrorKind as Kind, Error};
        let sqlite =
            |message: &str| Error::DatabaseError(Kind::Unknown, Box::new(message.to_owned()));
        let cases = [
            (
                sqlite("attempt to write a readonly database"),
                "database_read_only",
            ),
            (sqlite("database or disk is full"), "database_full"),
            (
                sqlite("terminating connection due to administrator command"),
                "database_unavailable",
            ),
            (
                Error::DatabaseError(Kind::ClosedConnection, Box::new(String::new())),
                "database_unavailable",
            ),
            (sqlite("database is locked"), "service_unavailable"),
        ];
        for (error, code) in cases {
            let error = AppError::from(error);
            assert_eq!((error.status.as_u16(), &*error.code), (503, code));
            assert_eq!(error.retry_after, Some(RETRY_UNAVAILABLE_SECS));
        }
        assert_eq!(
            AppError::from(sqlite("no such table: x")).status.as_u16(),
            500
        );
    }

    #[test]
    fn internal_errors_hide_their_cause() {
        let error = AppError::internal("password=hunter2 leaked in a driver message");
        let body = error.body(Some("r1")).to_string();
        assert!(!body.contains("hunter2"));
        assert!(body.contains("r1"));
    }
}
