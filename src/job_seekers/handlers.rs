//! `/job-seekers` and `/me/job-seeker`: create, read and update job seeker profiles. Each handler
//! parses, calls its operation in [`super::profiles`] and serializes.

use actix_web::{web, HttpResponse};

use super::profiles::{self, JobSeekerPatch};
use super::NewJobSeeker;
use crate::auth::AuthUser;
use crate::error::AppResult;
use crate::extract::{path_id, ApiJson};
use crate::AppState;

/// `POST /job-seekers`: see [`profiles::create`].
pub async fn create(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiJson(body): ApiJson<NewJobSeeker>,
) -> AppResult<HttpResponse> {
    let nik_key = state.nik_key.clone();
    let job_seeker = state
        .db(move |conn| profiles::create(conn, &caller, body, &nik_key))
        .await?;
    Ok(HttpResponse::Created().json(job_seeker))
}

/// `GET /job-seekers/{id}`: see [`profiles::get`].
pub async fn get(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "job seeker")?;
    let job_seeker = state
        .db(move |conn| profiles::get(conn, &caller, &id))
        .await?;
    Ok(HttpResponse::Ok().json(job_seeker))
}

/// `GET /me/job-seeker`: see [`profiles::me`].
pub async fn me(state: web::Data<AppState>, caller: AuthUser) -> AppResult<HttpResponse> {
    let job_seeker = state.db(move |conn| profiles::me(conn, &caller)).await?;
    Ok(HttpResponse::Ok().json(job_seeker))
}

/// `PATCH /job-seekers/{id}`: see [`profiles::update`].
pub async fn update(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiJson(patch): ApiJson<JobSeekerPatch>,
) -> AppResult<HttpResponse> {
    let id = path_id(&id, "job seeker")?;
    let job_seeker = state
        .db(move |conn| profiles::update(conn, &caller, &id, patch))
        .await?;
    Ok(HttpResponse::Ok().json(job_seeker))
}
