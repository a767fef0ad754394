//! Secrets the service needs to sign and key things. Configured ones must be long enough; the
//! zero-configuration SQLite default generates them on first run and keeps them in the database,
//! so tokens survive restarts. PostgreSQL serves several instances, which must all share the
//! same secret: there it is required from the environment.

use diesel::prelude::*;

use crate::auth::tokens::random_token;
use crate::config::MIN_SECRET_BYTES;
use crate::db::schema::generated_secrets as gs;
use crate::db::{now, DbConn};

/// The token-signing secret: `configured`, or on SQLite the generated one.
pub fn jwt_secret(conn: &mut DbConn, configured: Option<&str>) -> Result<String, String> {
    resolve(conn, "jwt", "BURSA_JWT_SECRET", configured)
}

/// The key of the national ID number hashes: `configured`, or on SQLite the generated one. It must
/// never change once job seekers are stored: the same NIK must always hash the same.
pub fn nik_secret(conn: &mut DbConn, configured: Option<&str>) -> Result<String, String> {
    resolve(conn, "nik", "BURSA_NIK_SECRET", configured)
}

fn resolve(
    conn: &mut DbConn,
    name: &str,
    variable: &str,
    configured: Option<&str>,
) -> Result<String, String> {
    if let Some(secret) = configured {
        if secret.len() < MIN_SECRET_BYTES {
            return Err(format!(
                "{variable} must be at least {MIN_SECRET_BYTES} bytes long"
            ));
        }
        return Ok(secret.to_owned());
    }
    if matches!(conn, DbConn::Postgres(_)) {
        return Err(format!(
            "{variable} is required on PostgreSQL (at least {MIN_SECRET_BYTES} bytes, the same on every instance)"
        ));
    }
    let existing: Option<String> = gs::table
        .find(name)
        .select(gs::value)
        .first(conn)
        .optional()
        .map_err(|e| format!("reading the generated {variable}: {e}"))?;
    if let Some(secret) = existing {
        return Ok(secret);
    }
    let secret = random_token();
    diesel::insert_into(gs::table)
        .values((
            gs::name.eq(name),
            gs::value.eq(&secret),
            gs::created_at.eq(now()),
        ))
        .execute(conn)
        .map_err(|e| format!("storing the generated {variable}: {e}"))?;
    tracing::info!("generated {variable} and stored it in the database");
    Ok(secret)
}
