//! The site's static files, embedded in the binary at compile time: nothing to build, nothing
//! fetched from a CDN, so a venue with a poor network or an office without internet gets the
//! whole site from the one binary.
//!
//! Pages link each file with its content hash (`/static/bursa.css?v=1a2b3c4d`), so browsers may
//! keep it for a year and still see a new version the moment it changes.

use std::sync::LazyLock;

use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};
use sha2::{Digest, Sha256};

struct Asset {
    name: &'static str,
    content_type: &'static str,
    body: &'static [u8],
}

const ASSETS: &[Asset] = &[
    Asset {
        name: "bursa.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("static/bursa.css"),
    },
    Asset {
        name: "bursa.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("static/bursa.js"),
    },
    Asset {
        name: "dashboard.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("static/dashboard.css"),
    },
    Asset {
        name: "booth-badges.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("static/booth-badges.css"),
    },
    Asset {
        name: "booth-scan.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("static/booth-scan.js"),
    },
    Asset {
        name: "scan.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("static/scan.js"),
    },
    // jsQR 1.4.0 from npm (Apache-2.0, licence in static/vendor/jsQR.LICENSE): scan.js's decoder
    // where the browser has no BarcodeDetector.
    Asset {
        name: "jsQR.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("static/vendor/jsQR.js"),
    },
    Asset {
        name: "door.js",
        content_type: "text/javascript; charset=utf-8",
        body: include_bytes!("static/door.js"),
    },
    Asset {
        name: "door.css",
        content_type: "text/css; charset=utf-8",
        body: include_bytes!("static/door.css"),
    },
    Asset {
        name: "favicon.svg",
        content_type: "image/svg+xml",
        body: include_bytes!("static/favicon.svg"),
    },
];

/// Each asset's version: the first 8 hex digits of its SHA-256.
static VERSIONS: LazyLock<Vec<String>> = LazyLock::new(|| {
    ASSETS
        .iter()
        .map(|a| {
            Sha256::digest(a.body)
                .iter()
                .take(4)
                .map(|b| format!("{b:02x}"))
                .collect()
        })
        .collect()
});

fn find(name: &str) -> Option<(usize, &'static Asset)> {
    ASSETS.iter().enumerate().find(|(_, a)| a.name == name)
}

/// The versioned URL of an asset.
pub fn url(name: &str) -> String {
    match find(name) {
        Some((i, a)) => format!("/static/{}?v={}", a.name, VERSIONS[i]),
        None => format!("/static/{name}"),
    }
}

/// `GET /static/{name}`.
pub async fn serve(req: HttpRequest, name: web::Path<String>) -> HttpResponse {
    let Some((i, asset)) = find(&name) else {
        return super::error_page(
            super::cookie_lang(&req),
            actix_web::http::StatusCode::NOT_FOUND,
        );
    };
    let etag = format!("\"{}\"", VERSIONS[i]);
    if req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        == Some(etag.as_str())
    {
        return HttpResponse::NotModified()
            .insert_header((header::ETAG, etag))
            .finish();
    }
    HttpResponse::Ok()
        .content_type(asset.content_type)
        .insert_header((header::ETAG, etag))
        .insert_header((header::CACHE_CONTROL, "public, max-age=31536000, immutable"))
        .body(asset.body)
}

/// The service worker that keeps the tickets a person opened for when the network is gone
/// (`static/sw.js`). Served at the root so that its scope is the whole site; never cached long,
/// so a new version reaches phones on their next visit.
pub async fn service_worker() -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/javascript; charset=utf-8")
        .insert_header(("Service-Worker-Allowed", "/"))
        .insert_header((header::CACHE_CONTROL, "no-cache"))
        .body(&include_bytes!("static/sw.js")[..])
}
