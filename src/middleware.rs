//! The error envelope: every 4xx/5xx leaves in the API's one error shape, with its request id,
//! and every response with the security headers. Inside it, [`limits`]: the per-address budget
//! of the public routes and the deadline of a request body.

use std::cell::Cell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::error::PayloadError;
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::web::{Bytes, Data};
use actix_web::HttpMessage;
use tracing_actix_web::RequestId;

use crate::error::AppError;
use crate::AppState;

pub const REQUEST_ID_HEADER: HeaderName = HeaderName::from_static("x-request-id");

/// Writes the body of every error response: an [`AppError`] from a handler or extractor is
/// rendered with the request id; a bare status from actix (unknown route, wrong method, body
/// over the limit) becomes the matching error. Every response carries `X-Request-Id`.
pub async fn error_envelope(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let request_id = req.extensions().get::<RequestId>().map(|id| id.to_string());
    let page_lang = is_page(req.path()).then(|| crate::site::cookie_lang(req.request()));
    let https = req
        .app_data::<actix_web::web::Data<crate::AppState>>()
        .is_some_and(|s| s.config.mail.public_url.starts_with("https://"));
    // A middleware inside that fails outright (none does today) is rendered by actix through
    // `AppError::error_response`, without the request id.
    let mut response = match next.call(req).await? {
        response
            if (response.status().is_client_error() || response.status().is_server_error())
                && page_lang.is_some()
                && !is_html(&response) =>
        {
            let mut rendered =
                crate::site::error_page(page_lang.unwrap_or_default(), response.status());
            // A throttled or unavailable page says when to come back, as the API does.
            if let Some(retry_after) = response.headers().get(header::RETRY_AFTER) {
                rendered
                    .headers_mut()
                    .insert(header::RETRY_AFTER, retry_after.clone());
            }
            response.into_response(rendered).map_into_right_body()
        }
        response
            if (response.status().is_client_error() || response.status().is_server_error())
                && page_lang.is_none() =>
        {
            let rendered = render(
                response.response().error(),
                response.status(),
                request_id.as_deref(),
            );
            response.into_response(rendered).map_into_right_body()
        }
        response => response.map_into_left_body(),
    };
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        response.headers_mut().insert(REQUEST_ID_HEADER, id);
    }
    if response.status() == actix_web::http::StatusCode::REQUEST_TIMEOUT {
        // What is left of a late body is not worth reading: the connection closes.
        response
            .response_mut()
            .head_mut()
            .set_connection_type(actix_web::http::ConnectionType::Close);
    }
    security_headers(response.headers_mut(), https);
    // Nothing is cached unless a handler says otherwise (the public scorecard may be).
    if !response.headers().contains_key(header::CACHE_CONTROL) {
        response
            .headers_mut()
            .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    Ok(response)
}

/// A web page (HTML) rather than the JSON API: errors there are friendly pages.
fn is_page(path: &str) -> bool {
    !(path.starts_with("/api/") || path == "/healthz" || path == "/readyz")
}

fn is_html<B>(response: &ServiceResponse<B>) -> bool {
    response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("text/html"))
}

/// The policy of every response: scripts, styles and images only from this site (no inline
/// script), never framed, never sniffed; HSTS when the site is served over https.
pub const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; \
                       base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

/// The policy of an SVG opened on its own (the QR codes): an image loads nothing, runs nothing
/// and is never framed.
pub const SVG_CSP: &str = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'";

/// The security headers of every response (API, pages, assets, errors), set here and only here:
/// a handler cannot weaken them.
fn security_headers(headers: &mut header::HeaderMap, https: bool) {
    let is_svg = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("image/svg+xml"));
    let csp = if is_svg { SVG_CSP } else { CSP };
    let set = |headers: &mut header::HeaderMap, name: HeaderName, value: &'static str| {
        headers.insert(name, HeaderValue::from_static(value));
    };
    set(headers, header::CONTENT_SECURITY_POLICY, csp);
    set(headers, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(headers, header::X_FRAME_OPTIONS, "DENY");
    // Confirmation and reset links carry their token in the URL: never send it elsewhere.
    set(headers, header::REFERRER_POLICY, "no-referrer");
    if https {
        set(
            headers,
            header::STRICT_TRANSPORT_SECURITY,
            "max-age=31536000; includeSubDomains",
        );
    }
}

fn render(
    error: Option<&actix_web::Error>,
    status: actix_web::http::StatusCode,
    request_id: Option<&str>,
) -> actix_web::HttpResponse {
    match error.and_then(|e| e.as_error::<AppError>()) {
        Some(app_error) => app_error.to_response(request_id),
        None => AppError::from_status(status).to_response(request_id),
    }
}

/// The routes an anonymous caller can use to make this instance work or to probe for secrets,
/// and that hash no password (those spend the stricter budget of [`crate::auth::throttle`] in
/// their handlers): the public event lists, the confirmation links, the password reset request.
fn is_public_costly(method: &Method, path: &str) -> bool {
    let list = *method == Method::GET && (path == "/api/v1/events" || path == "/events");
    let link = path.starts_with("/api/v1/placement-confirmations/")
        || path.starts_with("/placement-confirmations/")
        || path == "/api/v1/auth/verify-email"
        || path == "/verify-email"
        || path == "/reset-password";
    let reset = path == "/api/v1/auth/password-reset" || path == "/forgot-password";
    list || link || reset
}

/// Spends one request of the caller's public budget on the routes of [`is_public_costly`]
/// (429 with `Retry-After` past it, before any work), and gives every request body
/// `BURSA_BODY_TIMEOUT_SECS` to arrive: a body still arriving then is 408, so a client that
/// trickles or stops its body cannot hold a worker's connection open.
pub async fn limits(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let Some(state) = req.app_data::<Data<AppState>>().cloned() else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    if is_public_costly(req.method(), req.path()) {
        if let Err(error) = state
            .public_limits
            .check(state.client_address(req.request()))
        {
            return Ok(req.error_response(error).map_into_right_body());
        }
    }
    let has_body = req.headers().contains_key(header::CONTENT_LENGTH)
        || req.headers().contains_key(header::TRANSFER_ENCODING);
    if !has_body {
        return Ok(next.call(req).await?.map_into_left_body());
    }
    let expired = Rc::new(Cell::new(false));
    let body = Deadline {
        body: req.take_payload(),
        timer: Box::pin(actix_web::rt::time::sleep(state.config.body_timeout)),
        expired: expired.clone(),
    };
    req.set_payload(Payload::Stream {
        payload: Box::pin(body),
    });
    let response = next.call(req).await?;
    if expired.get() {
        let error = AppError::new(
            actix_web::http::StatusCode::REQUEST_TIMEOUT,
            "request_timeout",
            "the request body did not arrive in time",
        );
        // (The envelope closes the connection of a 408.)
        return Ok(response.error_response(error).map_into_right_body());
    }
    Ok(response.map_into_left_body())
}

/// A request body that ends in an error once its deadline passes.
struct Deadline {
    body: Payload,
    timer: Pin<Box<actix_web::rt::time::Sleep>>,
    expired: Rc<Cell<bool>>,
}

impl futures_core::Stream for Deadline {
    type Item = Result<Bytes, PayloadError>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        if self.expired.get() {
            return Poll::Ready(None);
        }
        if let Poll::Ready(item) = Pin::new(&mut self.body).poll_next(cx) {
            return Poll::Ready(item);
        }
        if self.timer.as_mut().poll(cx).is_ready() {
            self.expired.set(true);
            return Poll::Ready(Some(Err(PayloadError::Io(std::io::Error::new(
                std::io::ErrorKind::TimedOut,
                "the request body did not arrive in time",
            )))));
        }
        Poll::Pending
    }
}
