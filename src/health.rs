//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::AppState;

/// The process is alive and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers (and on SQLite takes writes): 200, else 503 naming the cause (take
/// this instance out of rotation); see [`crate::db::check_ready`].
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    state
        .db(|conn| {
            crate::db::check_ready(conn).map_err(|error| {
                if error.status.is_server_error() && error.code == "internal_error" {
                    AppError::service_unavailable("the database is unavailable")
                } else {
                    error
                }
            })
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

/// The 38 provinces and their time zones (public reference data).
pub async fn provinces() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "items": crate::provinces::all() }))
}
