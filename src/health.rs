//! Liveness and readiness, for load balancers and orchestrators.

use actix_web::{web, HttpResponse};
use diesel::connection::SimpleConnection;
use serde_json::json;

use crate::error::{AppError, AppResult};
use crate::AppState;

/// The process is alive and serving HTTP.
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(json!({"status": "ok"}))
}

/// The database answers: 200, else 503 (take this instance out of rotation).
pub async fn readyz(state: web::Data<AppState>) -> AppResult<HttpResponse> {
    state
        .db(|conn| {
            conn.batch_execute("SELECT 1")
                .map_err(|_| AppError::service_unavailable("the database is unavailable"))
        })
        .await?;
    Ok(HttpResponse::Ok().json(json!({"status": "ready"})))
}

/// The 38 provinces and their time zones (public reference data).
pub async fn provinces() -> HttpResponse {
    HttpResponse::Ok().json(json!({ "items": crate::provinces::all() }))
}
