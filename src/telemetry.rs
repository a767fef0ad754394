//! Logging, set up in one place: level from `RUST_LOG` (default `info`), text or JSON lines, and
//! one span per request carrying its method, route pattern, request id and status.
//!
//! The span records the route *pattern* (`/api/v1/events/{id}`), never the raw path or query,
//! and no headers or bodies: tokens, passwords and national ID numbers cannot reach the logs.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::HttpMessage;
use tracing::Span;
use tracing_actix_web::{RequestId, RootSpanBuilder};
use tracing_subscriber::EnvFilter;

use crate::config::LogFormat;

pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let result = match format {
        LogFormat::Text => builder.try_init(),
        LogFormat::Json => builder.json().flatten_event(true).try_init(),
    };
    // A subscriber installed already (tests) is fine.
    let _ = result;
}

pub struct RootSpan;

impl RootSpanBuilder for RootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        // The fields are computed only when the span is enabled (not below INFO).
        tracing::info_span!(
            "request",
            method = %request.method(),
            route = %request
                .match_pattern()
                .unwrap_or_else(|| "(unmatched)".to_owned()),
            request_id = %request
                .extensions()
                .get::<RequestId>()
                .map(|id| id.to_string())
                .unwrap_or_default(),
            status = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(
        span: Span,
        outcome: &Result<ServiceResponse<B>, actix_web::Error>,
    ) {
        let status = match outcome {
            Ok(response) => response.status().as_u16(),
            Err(error) => error.as_response_error().status_code().as_u16(),
        };
        span.record("status", status);
        let _entered = span.enter();
        if status >= 500 {
            tracing::warn!(status, "request failed");
        } else {
            tracing::info!(status, "request served");
        }
    }
}
