//! Typed configuration, read once from the environment at start-up and passed down; no globals.
//! Every variable is documented in the README.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::db::DatabaseUrl;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Text,
    Json,
}

/// The configuration. Its `Debug` (below) never prints a secret: the JWT and NIK keys show as
/// `***`, the database URL without its password, the SMTP URL not at all.
#[derive(Clone)]
pub struct Config {
    pub addr: SocketAddr,
    pub database_url: DatabaseUrl,
    /// `BURSA_DATABASE_READ_URL`: a read replica for the heavy reports (rollups, exports); see
    /// `AppState::read_db`. The primary when absent.
    pub database_read_url: Option<DatabaseUrl>,
    /// `BURSA_JWT_SECRET`; when absent the SQLite default generates one and keeps it.
    pub jwt_secret: Option<String>,
    /// `BURSA_NIK_SECRET`, the key of the national ID number hashes; generated like the JWT one.
    pub nik_secret: Option<String>,
    pub pool_size: u32,
    pub db_timeout: Duration,
    pub access_token_ttl: Duration,
    pub refresh_token_ttl: Duration,
    pub log_format: LogFormat,
    /// HTTP worker threads; one per core (as the system counts them) when absent.
    pub workers: Option<usize>,
    pub max_body_bytes: usize,
    /// `BURSA_AUTH_ATTEMPTS_PER_MINUTE`: logins, registrations and password resets one source
    /// address may attempt per minute on one instance (see `crate::auth::throttle`).
    pub auth_attempts_per_minute: u32,
    /// `BURSA_LOGIN_DELAY_MAX_SECS`: the longest delay repeated wrong passwords impose on an
    /// account before its next attempt.
    pub login_delay_max: Duration,
    /// `BURSA_PUBLIC_REQUESTS_PER_MINUTE`: requests one source address may make per minute on
    /// one instance to the public and costly routes that hash no password (public lists,
    /// confirmation links, password reset requests); see `crate::middleware::public_limit`.
    pub public_requests_per_minute: u32,
    /// `BURSA_TRUSTED_PROXIES`: the load balancers whose `X-Forwarded-For` names the caller.
    pub trusted_proxies: crate::client::TrustedProxies,
    /// `BURSA_BODY_TIMEOUT_SECS`: how long a request body may take to arrive (408 after).
    pub body_timeout: Duration,
    pub mail: MailConfig,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secret = |s: &Option<String>| s.as_ref().map(|_| "***");
        f.debug_struct("Config")
            .field("addr", &self.addr)
            .field("database_url", &self.database_url.display())
            .field(
                "database_read_url",
                &self.database_read_url.as_ref().map(DatabaseUrl::display),
            )
            .field("jwt_secret", &secret(&self.jwt_secret))
            .field("nik_secret", &secret(&self.nik_secret))
            .field("pool_size", &self.pool_size)
            .field("db_timeout", &self.db_timeout)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("refresh_token_ttl", &self.refresh_token_ttl)
            .field("log_format", &self.log_format)
            .field("workers", &self.workers)
            .field("max_body_bytes", &self.max_body_bytes)
            .field("auth_attempts_per_minute", &self.auth_attempts_per_minute)
            .field("login_delay_max", &self.login_delay_max)
            .field(
                "public_requests_per_minute",
                &self.public_requests_per_minute,
            )
            .field("trusted_proxies", &self.trusted_proxies)
            .field("body_timeout", &self.body_timeout)
            .field("mail", &self.mail)
            .finish()
    }
}

/// How email goes out: see `crate::mail`.
#[derive(Debug, Clone)]
pub struct MailConfig {
    /// `SMTP_URL`; without it messages are written as `.eml` files into `dir`.
    pub smtp_url: Option<SmtpUrl>,
    /// `BURSA_MAIL_FROM`, the sender, e.g. `Bursa <noreply@bursa.example>`.
    pub from: String,
    /// `BURSA_PUBLIC_URL`: where the links in emails point, without a trailing slash.
    pub public_url: String,
    /// `BURSA_MAIL_DIR`: the `.eml` folder used when no SMTP server is configured.
    pub dir: PathBuf,
    /// `BURSA_MAIL_POLL_SECS`: how often an idle worker looks for due messages.
    pub poll_interval: Duration,
    /// `BURSA_MAIL_MAX_ATTEMPTS`: refusals by the server before a message is marked `failed`.
    pub max_attempts: u32,
    /// `BURSA_MAIL_RETRY_SECS`: the first retry's delay; each next one doubles it.
    pub retry_base: Duration,
    /// `BURSA_MAIL_RETRY_MAX_SECS`: the longest delay between two attempts.
    pub retry_max: Duration,
    /// How long a claimed message stays reserved for the worker that claimed it.
    pub lease: Duration,
    /// The WhatsApp channel of the same outbox.
    pub whatsapp: WhatsappConfig,
}

/// How WhatsApp messages go out: see `crate::whatsapp`.
#[derive(Debug, Clone)]
pub struct WhatsappConfig {
    /// `WHATSAPP_API_URL`, the Cloud API's base with its version, without a trailing slash.
    pub api_url: String,
    /// `WHATSAPP_PHONE_NUMBER_ID` and `WHATSAPP_TOKEN`, set together; without them messages are
    /// written as `.json` files into `dir`.
    pub cloud: Option<WhatsappCloud>,
    /// `BURSA_WHATSAPP_DIR`: the folder used when WhatsApp is not configured; by default
    /// `whatsapp` beside the mail folder.
    pub dir: PathBuf,
}

/// The sending number's id and the access token that speaks for it.
#[derive(Clone)]
pub struct WhatsappCloud {
    pub phone_number_id: String,
    pub token: String,
}

impl fmt::Debug for WhatsappCloud {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("WhatsappCloud")
            .field("phone_number_id", &self.phone_number_id)
            .field("token", &"***")
            .finish()
    }
}

impl WhatsappConfig {
    fn from_lookup(get: &impl Fn(&str) -> Option<String>, mail_dir: &Path) -> Result<Self, String> {
        let api_url = get("WHATSAPP_API_URL")
            .unwrap_or_else(|| "https://graph.facebook.com/v21.0".to_owned())
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !(api_url.starts_with("http://") || api_url.starts_with("https://")) {
            return Err("WHATSAPP_API_URL must start with http:// or https://".into());
        }
        let cloud = match (get("WHATSAPP_PHONE_NUMBER_ID"), get("WHATSAPP_TOKEN")) {
            (Some(id), Some(token)) => {
                let phone_number_id = id.trim().to_owned();
                if !phone_number_id.bytes().all(|b| b.is_ascii_alphanumeric()) {
                    return Err("WHATSAPP_PHONE_NUMBER_ID must be the number's id (digits)".into());
                }
                Some(WhatsappCloud {
                    phone_number_id,
                    token: token.trim().to_owned(),
                })
            }
            (None, None) => None,
            _ => {
                return Err(
                    "WHATSAPP_PHONE_NUMBER_ID and WHATSAPP_TOKEN must be set together".into(),
                )
            }
        };
        let dir = get("BURSA_WHATSAPP_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| {
                mail_dir
                    .parent()
                    .unwrap_or_else(|| Path::new("."))
                    .join("whatsapp")
            });
        Ok(Self {
            api_url,
            cloud,
            dir,
        })
    }
}

/// An SMTP URL: it may hold a password, so it never prints.
#[derive(Clone, PartialEq, Eq)]
pub struct SmtpUrl(pub String);

impl fmt::Debug for SmtpUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SmtpUrl(***)")
    }
}

impl MailConfig {
    fn from_lookup(get: impl Fn(&str) -> Option<String>, addr: SocketAddr) -> Result<Self, String> {
        let smtp_url = get("SMTP_URL").map(|url| url.trim().to_owned());
        if let Some(url) = &smtp_url {
            if !(url.starts_with("smtp://") || url.starts_with("smtps://")) {
                return Err("SMTP_URL must start with smtp:// or smtps://".into());
            }
            lettre::SmtpTransport::from_url(url)
                .map_err(|e| format!("SMTP_URL is not a usable SMTP URL: {e}"))?;
        }
        let from = get("BURSA_MAIL_FROM")
            .unwrap_or_else(|| "Bursa <bursa@localhost>".to_owned())
            .trim()
            .to_owned();
        from.parse::<lettre::message::Mailbox>()
            .map_err(|_| format!("BURSA_MAIL_FROM is not an email address: {from:?}"))?;
        let public_url = get("BURSA_PUBLIC_URL")
            .unwrap_or_else(|| format!("http://{addr}"))
            .trim()
            .trim_end_matches('/')
            .to_owned();
        if !(public_url.starts_with("http://") || public_url.starts_with("https://")) {
            return Err("BURSA_PUBLIC_URL must start with http:// or https://".into());
        }
        let max_attempts: u32 = parse_or(
            "BURSA_MAIL_MAX_ATTEMPTS",
            get("BURSA_MAIL_MAX_ATTEMPTS"),
            Some(8),
        )?;
        if max_attempts == 0 {
            return Err("BURSA_MAIL_MAX_ATTEMPTS must be at least 1".into());
        }
        let dir = get("BURSA_MAIL_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from("./mail"));
        let whatsapp = WhatsappConfig::from_lookup(&get, &dir)?;
        Ok(Self {
            smtp_url: smtp_url.map(SmtpUrl),
            from,
            public_url,
            dir,
            poll_interval: seconds("BURSA_MAIL_POLL_SECS", get("BURSA_MAIL_POLL_SECS"), 5)?,
            max_attempts,
            retry_base: seconds("BURSA_MAIL_RETRY_SECS", get("BURSA_MAIL_RETRY_SECS"), 30)?,
            retry_max: seconds(
                "BURSA_MAIL_RETRY_MAX_SECS",
                get("BURSA_MAIL_RETRY_MAX_SECS"),
                3600,
            )?,
            lease: Duration::from_secs(300),
            whatsapp,
        })
    }
}

pub const DEFAULT_DATABASE_URL: &str = "sqlite://./bursa.db";
pub const MIN_SECRET_BYTES: usize = 32;

impl Config {
    pub fn from_env() -> Result<Self, String> {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads the configuration through `lookup`, so tests need not touch the process environment.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Result<Self, String> {
        let get = |name: &str| lookup(name).filter(|v| !v.trim().is_empty());
        let addr = parse_or(
            "BURSA_ADDR",
            get("BURSA_ADDR"),
            "127.0.0.1:8080".parse().ok(),
        )?;
        let database_url = DatabaseUrl::parse(
            &get("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_owned()),
        )?;
        let database_read_url = get("BURSA_DATABASE_READ_URL")
            .map(|url| {
                DatabaseUrl::parse(&url).map_err(|e| format!("BURSA_DATABASE_READ_URL: {e}"))
            })
            .transpose()?;
        if database_read_url
            .as_ref()
            .is_some_and(|read| read.is_postgres() != database_url.is_postgres())
        {
            return Err("BURSA_DATABASE_READ_URL must use the engine of DATABASE_URL".into());
        }
        let jwt_secret = get("BURSA_JWT_SECRET");
        if let Some(secret) = &jwt_secret {
            if secret.len() < MIN_SECRET_BYTES {
                return Err(format!(
                    "BURSA_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
                ));
            }
        }
        let nik_secret = get("BURSA_NIK_SECRET");
        if nik_secret
            .as_ref()
            .is_some_and(|s| s.len() < MIN_SECRET_BYTES)
        {
            return Err(format!(
                "BURSA_NIK_SECRET must be at least {MIN_SECRET_BYTES} bytes long"
            ));
        }
        let pool_size: u32 = parse_or("BURSA_DB_POOL_SIZE", get("BURSA_DB_POOL_SIZE"), Some(16))?;
        if pool_size == 0 {
            return Err("BURSA_DB_POOL_SIZE must be at least 1".into());
        }
        let db_timeout = seconds("BURSA_DB_TIMEOUT_SECS", get("BURSA_DB_TIMEOUT_SECS"), 5)?;
        let access_token_ttl = seconds(
            "BURSA_ACCESS_TOKEN_TTL_SECS",
            get("BURSA_ACCESS_TOKEN_TTL_SECS"),
            15 * 60,
        )?;
        let refresh_token_ttl = seconds(
            "BURSA_REFRESH_TOKEN_TTL_SECS",
            get("BURSA_REFRESH_TOKEN_TTL_SECS"),
            30 * 24 * 3600,
        )?;
        let log_format = match get("BURSA_LOG_FORMAT").as_deref() {
            None | Some("text") => LogFormat::Text,
            Some("json") => LogFormat::Json,
            Some(other) => {
                return Err(format!(
                    "BURSA_LOG_FORMAT must be text or json, not {other:?}"
                ))
            }
        };
        let workers = get("BURSA_WORKERS")
            .map(|raw| parse_or::<usize>("BURSA_WORKERS", Some(raw), None))
            .transpose()?;
        if workers == Some(0) {
            return Err("BURSA_WORKERS must be at least 1".into());
        }
        let max_body_bytes = parse_or(
            "BURSA_MAX_BODY_BYTES",
            get("BURSA_MAX_BODY_BYTES"),
            Some(64 * 1024),
        )?;
        let auth_attempts_per_minute: u32 = parse_or(
            "BURSA_AUTH_ATTEMPTS_PER_MINUTE",
            get("BURSA_AUTH_ATTEMPTS_PER_MINUTE"),
            Some(30),
        )?;
        if auth_attempts_per_minute == 0 {
            return Err("BURSA_AUTH_ATTEMPTS_PER_MINUTE must be at least 1".into());
        }
        let login_delay_max = seconds(
            "BURSA_LOGIN_DELAY_MAX_SECS",
            get("BURSA_LOGIN_DELAY_MAX_SECS"),
            60,
        )?;
        let public_requests_per_minute: u32 = parse_or(
            "BURSA_PUBLIC_REQUESTS_PER_MINUTE",
            get("BURSA_PUBLIC_REQUESTS_PER_MINUTE"),
            Some(300),
        )?;
        if public_requests_per_minute == 0 {
            return Err("BURSA_PUBLIC_REQUESTS_PER_MINUTE must be at least 1".into());
        }
        let trusted_proxies = crate::client::TrustedProxies::parse(
            &get("BURSA_TRUSTED_PROXIES").unwrap_or_default(),
        )?;
        let body_timeout = seconds(
            "BURSA_BODY_TIMEOUT_SECS",
            get("BURSA_BODY_TIMEOUT_SECS"),
            20,
        )?;
        let mail = MailConfig::from_lookup(get, addr)?;
        Ok(Self {
            addr,
            database_url,
            database_read_url,
            jwt_secret,
            nik_secret,
            pool_size,
            db_timeout,
            access_token_ttl,
            refresh_token_ttl,
            log_format,
            workers,
            max_body_bytes,
            auth_attempts_per_minute,
            login_delay_max,
            public_requests_per_minute,
            trusted_proxies,
            body_timeout,
            mail,
        })
    }
}

fn parse_or<T: std::str::FromStr>(
    name: &str,
    raw: Option<String>,
    default: Option<T>,
) -> Result<T, String> {
    match raw {
        Some(raw) => raw
            .trim()
            .parse()
            .map_err(|_| format!("{name} has an invalid value: {raw:?}")),
        None => default.ok_or_else(|| format!("{name} is required")),
    }
}

fn seconds(name: &str, raw: Option<String>, default: u64) -> Result<Duration, String> {
    let secs: u64 = parse_or(name, raw, Some(default))?;
    if secs == 0 {
        return Err(format!("{name} must be at least 1 second"));
    }
    Ok(Duration::from_secs(secs))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn config(vars: &[(&str, &str)]) -> Result<Config, String> {
        let vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_lookup(|name| vars.get(name).cloned())
    }

    #[test]
    fn defaults_need_no_configuration() {
        let config = config(&[]).unwrap();
        assert_eq!(config.addr.to_string(), "127.0.0.1:8080");
        assert_eq!(
            config.database_url,
            DatabaseUrl::Sqlite("./bursa.db".into())
        );
        assert_eq!(config.access_token_ttl, Duration::from_secs(900));
        assert_eq!(config.log_format, LogFormat::Text);
    }

    #[test]
    fn bad_values_say_which_variable() {
        assert!(config(&[("BURSA_ADDR", "nowhere")])
            .unwrap_err()
            .contains("BURSA_ADDR"));
        assert!(config(&[("BURSA_LOG_FORMAT", "xml")])
            .unwrap_err()
            .contains("BURSA_LOG_FORMAT"));
        assert!(config(&[("BURSA_JWT_SECRET", "short")])
            .unwrap_err()
            .contains("32 bytes"));
        assert!(config(&[("BURSA_DB_POOL_SIZE", "0")])
            .unwrap_err()
            .contains("BURSA_DB_POOL_SIZE"));
        assert!(config(&[("BURSA_WORKERS", "0")])
            .unwrap_err()
            .contains("BURSA_WORKERS"));
        assert!(config(&[("DATABASE_URL", "mysql://x/y")])
            .unwrap_err()
            .contains("scheme"));
        assert!(config(&[("SMTP_URL", "http://mail")])
            .unwrap_err()
            .contains("SMTP_URL"));
        assert!(config(&[("BURSA_MAIL_FROM", "not an address")])
            .unwrap_err()
            .contains("BURSA_MAIL_FROM"));
        assert!(config(&[("BURSA_DATABASE_READ_URL", "postgres://r/bursa")])
            .unwrap_err()
            .contains("BURSA_DATABASE_READ_URL"));
        assert!(config(&[("BURSA_TRUSTED_PROXIES", "10.0.0.0/40")])
            .unwrap_err()
            .contains("BURSA_TRUSTED_PROXIES"));
    }

    #[test]
    fn mail_defaults_to_a_folder_and_the_smtp_password_never_prints() {
        let mail = config(&[]).unwrap().mail;
        assert!(mail.smtp_url.is_none());
        assert_eq!(mail.dir, PathBuf::from("./mail"));
        assert_eq!(mail.public_url, "http://127.0.0.1:8080");
        let config = config(&[
            ("SMTP_URL", "smtps://bursa:hunter2secret@mail.example:465"),
            ("BURSA_PUBLIC_URL", "https://bursa.example/"),
        ])
        .unwrap();
        assert_eq!(config.mail.public_url, "https://bursa.example");
        assert!(!format!("{config:?}").contains("hunter2secret"));
    }

    #[test]
    fn whatsapp_defaults_to_a_folder_beside_the_mail_and_needs_both_settings() {
        let whatsapp = config(&[]).unwrap().mail.whatsapp;
        assert!(whatsapp.cloud.is_none());
        assert_eq!(whatsapp.dir, PathBuf::from("./whatsapp"));
        assert_eq!(whatsapp.api_url, "https://graph.facebook.com/v21.0");
        let whatsapp = config(&[("BURSA_MAIL_DIR", "/var/bursa/mail")])
            .unwrap()
            .mail
            .whatsapp;
        assert_eq!(whatsapp.dir, PathBuf::from("/var/bursa/whatsapp"));
        assert!(config(&[("WHATSAPP_TOKEN", "t")])
            .unwrap_err()
            .contains("WHATSAPP_PHONE_NUMBER_ID"));
        assert!(config(&[("WHATSAPP_API_URL", "graph.facebook.com")])
            .unwrap_err()
            .contains("WHATSAPP_API_URL"));
    }

    #[test]
    fn debug_never_prints_a_secret() {
        let jwt = "jwt-secret-that-is-at-least-32-bytes-long";
        let nik = "nik-secret-that-is-at-least-32-bytes-long";
        let config = config(&[
            ("BURSA_JWT_SECRET", jwt),
            ("BURSA_NIK_SECRET", nik),
            (
                "DATABASE_URL",
                "postgres://bursa:dbpassword99@db.internal/bursa",
            ),
            ("SMTP_URL", "smtp://mailer:smtppassword77@mail.example:587"),
            (
                "BURSA_DATABASE_READ_URL",
                "postgres://bursa:replicapassword66@replica.internal/bursa",
            ),
            ("WHATSAPP_PHONE_NUMBER_ID", "106540352242922"),
            ("WHATSAPP_TOKEN", "EAAGwhatsapptoken55"),
        ])
        .unwrap();
        let printed = format!("{config:?} {config:#?}");
        for secret in [
            jwt,
            nik,
            "dbpassword99",
            "smtppassword77",
            "EAAGwhatsapptoken55",
            "replicapassword66",
        ] {
            assert!(!printed.contains(secret), "{secret} in {printed}");
        }
        assert!(printed.contains("jwt_secret: Some(\"***\")"), "{printed}");
        assert!(printed.contains("db.internal"), "{printed}");
        assert_eq!(config.auth_attempts_per_minute, 30);
        assert_eq!(config.login_delay_max, Duration::from_secs(60));
        assert_eq!(config.public_requests_per_minute, 300);
        assert!(config.trusted_proxies.is_empty());
        assert_eq!(config.body_timeout, Duration::from_secs(20));
    }
}
