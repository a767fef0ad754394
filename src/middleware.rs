//! The error envelope: every 4xx/5xx leaves in the API's one error shape, with its request id.

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::HttpMessage;
use tracing_actix_web::RequestId;

use crate::error::AppError;

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
            let rendered =
                crate::site::error_page(page_lang.unwrap_or_default(), response.status());
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
const CSP: &str = "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; \
                   form-action 'self'; frame-ancestors 'none'";

fn security_headers(headers: &mut header::HeaderMap, https: bool) {
    let set = |headers: &mut header::HeaderMap, name: HeaderName, value: &'static str| {
        if !headers.contains_key(&name) {
            headers.insert(name, HeaderValue::from_static(value));
        }
    };
    set(headers, header::CONTENT_SECURITY_POLICY, CSP);
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
