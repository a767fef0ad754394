//! Request extractors with the API's error model: JSON bodies and query strings whose mistakes
//! become 400/415/422 with a detail naming the field, and ids from the path.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::{header, StatusCode};
use actix_web::{web, FromRequest, HttpRequest};
use serde::de::DeserializeOwned;
use serde::Deserialize;

use crate::error::{AppError, FieldError};

/// A JSON request body. Wrong content type 415, too large 413 (from the payload limit), not
/// JSON 400, JSON of the wrong shape 422 with the path of the offending field.
pub struct ApiJson<T>(pub T);

impl<T: DeserializeOwned + 'static> FromRequest for ApiJson<T> {
    type Error = actix_web::Error;
    type Future = Pin<Box<dyn Future<Output = Result<Self, Self::Error>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let is_json = is_json_request(req);
        let body = web::Bytes::from_request(req, payload);
        Box::pin(async move {
            if !is_json {
                return Err(AppError::new(
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    "unsupported_media_type",
                    "send the body as application/json",
                )
                .into());
            }
            let body = body.await?;
            parse_json(&body).map(ApiJson).map_err(Into::into)
        })
    }
}

/// Whether the request says its body is JSON (`application/json` or `…+json`).
pub fn is_json_request(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .map(|essence| {
            let essence = essence.trim().to_ascii_lowercase();
            essence == "application/json" || essence.ends_with("+json")
        })
        .unwrap_or(false)
}

/// Parses in two steps, so that any syntax error is a 400 whatever comes first in the body, and
/// a value of the wrong shape is a 422 naming its field.
pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, AppError> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|error| json_error("", &error))?;
    // serde would read a struct from an array too; every body of this API is an object.
    if !value.is_object() {
        return Err(AppError::invalid_field("body", "must be a JSON object"));
    }
    serde_path_to_error::deserialize(value).map_err(|error| {
        let path = error.path().to_string();
        json_error(&path, error.inner())
    })
}

fn json_error(path: &str, error: &serde_json::Error) -> AppError {
    use serde_json::error::Category;
    match error.classify() {
        Category::Data => {
            let field = if path.is_empty() || path == "." {
                "body"
            } else {
                path
            };
            AppError::validation(vec![FieldError::new(field, without_position(error))])
        }
        Category::Syntax | Category::Eof | Category::Io => AppError::bad_request(
            "malformed_json",
            format!("the body is not valid JSON: {}", without_position(error)),
        ),
    }
}

/// serde_json's message without its " at line 1 column 9" suffix.
fn without_position(error: &serde_json::Error) -> String {
    let message = error.to_string();
    match message.rfind(" at line ") {
        Some(at) => message[..at].to_owned(),
        None => message,
    }
}

/// A query string: a value of the wrong type or an unknown parameter is 422 naming it.
pub struct ApiQuery<T>(pub T);

impl<T: DeserializeOwned> FromRequest for ApiQuery<T> {
    type Error = AppError;
    type Future = std::future::Ready<Result<Self, AppError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        let pairs = form_urlencoded::parse(req.query_string().as_bytes());
        let deserializer = serde_urlencoded::Deserializer::new(pairs);
        std::future::ready(
            serde_path_to_error::deserialize(deserializer)
                .map(ApiQuery)
                .map_err(|error| {
                    let path = error.path().to_string();
                    let field = if path.is_empty() || path == "." {
                        "query".to_owned()
                    } else {
                        path
                    };
                    AppError::validation(vec![FieldError::new(
                        field,
                        error.into_inner().to_string(),
                    )])
                }),
        )
    }
}

/// A resource id from the path. Anything that is not a UUID names no resource: 404.
pub fn path_id(raw: &str, what: &str) -> Result<String, AppError> {
    uuid::Uuid::parse_str(raw)
        .map(|id| id.hyphenated().to_string())
        .map_err(|_| AppError::not_found(what))
}

/// For PATCH bodies: tells an absent field (`None`) from an explicit `null` (`Some(None)`),
/// which clears a nullable field. Use with `#[serde(default, deserialize_with = "nullable")]`.
pub fn nullable<'de, T, D>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// For PATCH bodies: an absent field is `None` (no change), but an explicit `null` on a field
/// that cannot be empty is a 422 instead of being silently ignored. Use with
/// `#[serde(default, deserialize_with = "not_null")]`.
pub fn not_null<'de, T, D>(deserializer: D) -> Result<Option<T>, D::Error>
where
    T: serde::Deserialize<'de>,
    D: serde::Deserializer<'de>,
{
    T::deserialize(deserializer).map(Some)
}
