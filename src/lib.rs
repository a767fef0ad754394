//! Bursa: job fairs measured by the jobs they produce.
//!
//! [`startup`] turns a [`Config`] into an [`AppState`] (database connected and migrated, secrets
//! resolved, pool built); [`build_app`] turns the state into the actix app. The binary and the
//! tests go through the same two functions.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod background;
pub mod client;
pub mod config;
pub mod db;
pub mod door;
pub mod error;
pub mod events;
pub mod export;
pub mod extract;
pub mod follow_ups;
pub mod health;
pub mod idempotency;
pub mod job_seekers;
pub mod locale;
pub mod mail;
pub mod metrics;
pub mod middleware;
pub mod occupations;
pub mod organizations;
pub mod pagination;
pub mod participations;
pub mod placements;
pub mod provinces;
pub mod registrations;
pub mod reports;
pub mod routes;
pub mod secrets;
pub mod seed;
pub mod site;
pub mod telemetry;
pub mod upkeep;
pub mod users;
pub mod vacancies;
pub mod validate;
pub mod whatsapp;

use std::sync::Arc;

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceFactory, ServiceRequest, ServiceResponse};
use actix_web::{web, App};
use tracing_actix_web::TracingLogger;

pub use config::Config;
use db::{DbConn, DbPool};
use error::{AppError, AppResult};

/// What every handler shares: the pool, the token keys, the configuration.
#[derive(Clone)]
pub struct AppState {
    pub pool: DbPool,
    /// The pool of the heavy reports: a read replica (`BURSA_DATABASE_READ_URL`), else `pool`.
    pub read_pool: DbPool,
    pub tokens: Arc<auth::tokens::TokenKeys>,
    pub config: Arc<Config>,
    /// The HMAC key for national ID numbers (see `job_seekers`).
    pub nik_key: Arc<[u8]>,
    /// The HMAC key for one-time phone codes (see `auth::phone_codes`).
    pub code_key: Arc<[u8]>,
    /// This instance's per-address budget of password-hashing attempts (see `auth::throttle`).
    pub limits: Arc<auth::throttle::AddressLimits>,
    /// This instance's per-address budget of the public routes that hash no password (see
    /// `middleware::limits`).
    pub public_limits: Arc<auth::throttle::AddressLimits>,
}

impl AppState {
    /// The caller's address for per-address limits: the TCP peer, or the address a trusted
    /// proxy forwarded (see [`client`]).
    pub fn client_address(&self, req: &actix_web::HttpRequest) -> Option<std::net::IpAddr> {
        let peer = req.peer_addr().map(|a| a.ip());
        self.config.trusted_proxies.client(peer, req.headers())
    }

    /// Runs `f` with a pooled connection on actix's blocking threads, never on an async worker.
    /// No connection within the configured timeout is a 503, and so is a connection lost on
    /// the way (which the pool then drops).
    pub async fn db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        Self::run(self.pool.clone(), f).await
    }

    /// [`Self::db`] on the read replica when one is configured: for the heavy reads that may
    /// lag the primary by the replication lag (rollups, exports), never for a read that must
    /// see the caller's own last write. See docs/deployment.md.
    pub async fn read_db<T, F>(&self, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        Self::run(self.read_pool.clone(), f).await
    }

    async fn run<T, F>(pool: DbPool, f: F) -> AppResult<T>
    where
        F: FnOnce(&mut DbConn) -> AppResult<T> + Send + 'static,
        T: Send + 'static,
    {
        // Queued for a blocking thread (see `serve`) and then for a connection, a request waits
        // no longer in all than the pool's timeout: in an outage the queue drains at once.
        let deadline = std::time::Instant::now() + pool.connection_timeout();
        web::block(move || {
            let mut conn =
                pool.get_timeout(deadline.saturating_duration_since(std::time::Instant::now()))?;
            let result = f(&mut conn);
            if let Err(error) = &result {
                if error.code == error::StorageFault::Lost.code() {
                    // The server went away (a restart, a failover): never hand this
                    // connection out again; the pool opens a new one when the server is back.
                    db::discard(&mut conn);
                }
            }
            result
        })
        .await?
    }
}

/// Connects (reporting the real error if the database cannot be reached), applies pending
/// migrations, resolves the token secret and builds the pool.
pub fn startup(config: Config) -> Result<AppState, String> {
    let url = &config.database_url;
    let mut conn = url
        .connect()
        .map_err(|e| format!("cannot open the database {}: {e}", url.display()))?;
    let applied = db::run_migrations(&mut conn)
        .map_err(|e| format!("migrating {} failed: {e}", url.display()))?;
    for migration in &applied {
        tracing::info!(%migration, "applied migration");
    }
    let secret = secrets::jwt_secret(&mut conn, config.jwt_secret.as_deref())?;
    let nik_secret = secrets::nik_secret(&mut conn, config.nik_secret.as_deref())?;
    drop(conn);
    let pool = db::build_pool(url, config.pool_size, config.db_timeout);
    let read_pool = match &config.database_read_url {
        Some(read_url) => db::build_pool(read_url, config.pool_size, config.db_timeout),
        None => pool.clone(),
    };
    let tokens = auth::tokens::TokenKeys::new(
        secret.as_bytes(),
        config.access_token_ttl,
        config.refresh_token_ttl,
    );
    let limits = auth::throttle::AddressLimits::new(config.auth_attempts_per_minute);
    let public_limits = auth::throttle::AddressLimits::new(config.public_requests_per_minute);
    Ok(AppState {
        pool,
        read_pool,
        tokens: Arc::new(tokens),
        config: Arc::new(config),
        nik_key: Arc::from(nik_secret.into_bytes()),
        code_key: Arc::from(auth::phone_codes::derive_key(secret.as_bytes())),
        limits: Arc::new(limits),
        public_limits: Arc::new(public_limits),
    })
}

/// The whole HTTP application: routes, body limits, the error envelope and request tracing.
pub fn build_app(
    state: AppState,
) -> App<
    impl ServiceFactory<
        ServiceRequest,
        Config = (),
        Response = ServiceResponse<impl MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    let max_body = state.config.max_body_bytes;
    App::new()
        .app_data(web::Data::new(state))
        .app_data(web::PayloadConfig::new(max_body))
        .configure(routes::configure)
        .configure(routes::configure_pages)
        .default_service(web::to(|| async {
            Err::<actix_web::HttpResponse, _>(AppError::from_status(
                actix_web::http::StatusCode::NOT_FOUND,
            ))
        }))
        .wrap(actix_web::middleware::from_fn(middleware::limits))
        .wrap(actix_web::middleware::from_fn(middleware::error_envelope))
        .wrap(TracingLogger::<telemetry::RootSpan>::new())
}
