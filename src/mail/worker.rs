//! The outbox worker: a thread that claims due outbox rows, sends each by its channel (email,
//! or WhatsApp: see `crate::whatsapp`) and records the outcome. [`run_once`] is one round, so
//! tests can drive the worker step by step.

use std::sync::mpsc::{self, RecvTimeoutError};
use std::sync::Arc;

use chrono::NaiveDateTime;
use diesel::prelude::*;

use super::transport::{Mailer, Outgoing, SendError};
use super::{Channel, InlinePart, Status};
use crate::config::MailConfig;
use crate::db::schema::outbox;
use crate::db::{now, write_transaction, DbConn, DbPool};

/// Rows claimed per round.
pub const BATCH: i64 = 20;
/// The longest `last_error` kept.
const MAX_ERROR_CHARS: usize = 500;

#[derive(Debug, Queryable, Selectable)]
#[diesel(table_name = outbox)]
struct Claimed {
    id: String,
    channel: Channel,
    recipient: String,
    language: String,
    subject: String,
    body_text: String,
    body_html: String,
    attachments: String,
    attempts: i32,
}

/// What one round did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Round {
    pub claimed: usize,
    pub sent: usize,
    /// Failed this time, to be tried again later.
    pub deferred: usize,
    /// Failed for the last time: now `failed`.
    pub failed: usize,
    /// Given back unsent, because the batch had used half its lease (a slow server).
    pub released: usize,
}

/// The delay before the attempt after `attempts` failed ones: `base × 2^(attempts-1)`, at most
/// `max`.
pub fn backoff(config: &MailConfig, attempts: i32) -> chrono::Duration {
    let exponent = attempts.saturating_sub(1).clamp(0, 30) as u32;
    let delay = config
        .retry_base
        .saturating_mul(2u32.saturating_pow(exponent))
        .min(config.retry_max);
    chrono::Duration::from_std(delay).unwrap_or(chrono::Duration::hours(1))
}

/// Takes up to `limit` due rows for `worker_id` until `at + lease`: pending rows whose time has
/// come, and rows whose previous claimer's lease ran out. On PostgreSQL `FOR UPDATE SKIP LOCKED`
/// lets concurrent workers pass over each other's rows; SQLite has one writer at a time.
fn claim(
    conn: &mut DbConn,
    worker_id: &str,
    at: NaiveDateTime,
    config: &MailConfig,
    limit: i64,
) -> QueryResult<Vec<Claimed>> {
    write_transaction(conn, |conn| {
        macro_rules! due {
            () => {
                outbox::table
                    .filter(
                        outbox::status
                            .eq(Status::Pending)
                            .and(outbox::next_attempt_at.le(at))
                            .or(outbox::status
                                .eq(Status::Sending)
                                .and(outbox::locked_until.le(at))),
                    )
                    .order(outbox::next_attempt_at.asc())
                    .limit(limit)
                    .select(outbox::id)
            };
        }
        let ids: Vec<String> = match conn {
            DbConn::Postgres(pg) => due!().for_update().skip_locked().load(pg)?,
            DbConn::Sqlite(lite) => due!().load(lite)?,
        };
        if ids.is_empty() {
            return Ok(Vec::new());
        }
        let lease =
            chrono::Duration::from_std(config.lease).unwrap_or(chrono::Duration::minutes(5));
        diesel::update(outbox::table.filter(outbox::id.eq_any(&ids)))
            .set((
                outbox::status.eq(Status::Sending),
                outbox::locked_until.eq(at + lease),
                outbox::locked_by.eq(worker_id),
                outbox::attempts.eq(outbox::attempts + 1),
            ))
            .execute(conn)?;
        outbox::table
            .filter(outbox::id.eq_any(&ids))
            .order(outbox::next_attempt_at.asc())
            .select(Claimed::as_select())
            .load(conn)
    })
}

/// The row is still ours: our claim, not yet taken over after an expired lease.
macro_rules! ours {
    ($id:expr, $worker_id:expr) => {
        outbox::table
            .find($id)
            .filter(outbox::status.eq(Status::Sending))
            .filter(outbox::locked_by.eq($worker_id))
    };
}

/// Marks the message sent and drops its bodies and attachments: they hold live links (password
/// resets, hire confirmations) and codes that have no business staying in the database once
/// delivered. Keeps the id the provider gave it (WhatsApp's `wamid…`), to trace a complaint.
fn record_sent(
    conn: &mut DbConn,
    id: &str,
    worker_id: &str,
    provider_message_id: Option<String>,
) -> QueryResult<usize> {
    diesel::update(ours!(id, worker_id))
        .set((
            outbox::provider_message_id.eq(provider_message_id),
            outbox::status.eq(Status::Sent),
            outbox::sent_at.eq(now()),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(None::<String>),
            outbox::body_text.eq(""),
            outbox::body_html.eq(""),
            outbox::attachments.eq("[]"),
        ))
        .execute(conn)
}

/// Back to `pending` after a delay, or `failed` when the server refused it for the last time.
/// Returns whether it is now `failed`.
fn record_failure(
    conn: &mut DbConn,
    row: &Claimed,
    worker_id: &str,
    error: &SendError,
    config: &MailConfig,
) -> QueryResult<bool> {
    let give_up = error.permanent && row.attempts >= config.max_attempts as i32;
    let status = if give_up {
        Status::Failed
    } else {
        Status::Pending
    };
    let message: String = error.message.chars().take(MAX_ERROR_CHARS).collect();
    diesel::update(ours!(&row.id, worker_id))
        .set((
            outbox::status.eq(status),
            outbox::next_attempt_at.eq(now() + backoff(config, row.attempts)),
            outbox::locked_until.eq(None::<NaiveDateTime>),
            outbox::last_error.eq(message),
        ))
        .execute(conn)?;
    Ok(give_up)
}

/// Gives a claimed row back unsent: pending, due at once, the attempt not counted.
fn release(conn: &mut DbConn, id: &str, worker_id: &str) -> QueryResult<usize> {
    diesel::update(ours!(id, worker_id))
        .set((
            outbox::status.eq(Status::Pending),
            outbox::attempts.eq(outbox::attempts - 1),
            outbox::locked_until.eq(None::<NaiveDateTime>),
        ))
        .execute(conn)
}

/// One round: claim a batch, send each message, record each outcome. A batch that has used
/// half its lease (a server that answers slowly or times out) gives the rest of its rows back
/// instead of sending them: past the lease another worker may claim them, and a message must
/// not go out twice.
pub fn run_once(
    conn: &mut DbConn,
    mailer: &Mailer,
    config: &MailConfig,
    worker_id: &str,
) -> QueryResult<Round> {
    let claimed_at = now();
    let claimed = claim(conn, worker_id, claimed_at, config, BATCH)?;
    let deadline = claimed_at
        + chrono::Duration::from_std(config.lease / 2).unwrap_or(chrono::Duration::minutes(2));
    let mut round = Round {
        claimed: claimed.len(),
        ..Round::default()
    };
    for row in &claimed {
        if now() >= deadline {
            release(conn, &row.id, worker_id)?;
            round.released += 1;
            continue;
        }
        let outcome = match row.channel {
            Channel::Email => {
                let attachments: Vec<InlinePart> =
                    serde_json::from_str(&row.attachments).unwrap_or_default();
                mailer
                    .send(&Outgoing {
                        id: &row.id,
                        to: &row.recipient,
                        language: &row.language,
                        subject: &row.subject,
                        text: &row.body_text,
                        html: &row.body_html,
                        attachments: &attachments,
                    })
                    .map(|()| None)
            }
            Channel::Whatsapp => mailer.whatsapp().send(&row.id, &row.body_text),
        };
        match outcome {
            Ok(provider_message_id) => {
                record_sent(conn, &row.id, worker_id, provider_message_id)?;
                round.sent += 1;
                tracing::info!(
                    outbox_id = %row.id,
                    channel = row.channel.as_str(),
                    attempt = row.attempts,
                    "message sent"
                );
            }
            Err(error) => {
                let failed = record_failure(conn, row, worker_id, &error, config)?;
                if failed {
                    round.failed += 1;
                } else {
                    round.deferred += 1;
                }
                tracing::warn!(
                    outbox_id = %row.id,
                    channel = row.channel.as_str(),
                    attempt = row.attempts,
                    permanent = error.permanent,
                    gave_up = failed,
                    error = %error.message,
                    "message not sent"
                );
            }
        }
    }
    Ok(round)
}

pub use crate::background::WorkerHandle;

/// How often a worker looks for follow-ups that fell due (see `super::reminders`).
const REMINDER_INTERVAL: std::time::Duration = std::time::Duration::from_secs(3600);

/// Starts a worker thread on `pool`. It works through due messages round after round, and
/// when none are left looks again every `poll_interval`; once an hour it also queues the
/// reminders of follow-ups that fell due.
pub fn spawn(pool: DbPool, mailer: Mailer, config: MailConfig) -> std::io::Result<WorkerHandle> {
    let (stop, stopped) = mpsc::channel::<()>();
    let worker_id = crate::db::new_id();
    let mailer = Arc::new(mailer);
    let mut reminded_at: Option<std::time::Instant> = None;
    let thread = std::thread::Builder::new()
        .name("bursa-mail".into())
        .spawn(move || loop {
            if reminded_at.is_none_or(|t| t.elapsed() >= REMINDER_INTERVAL) {
                reminded_at = Some(std::time::Instant::now());
                let queued = pool.get().map_err(|e| e.to_string()).and_then(|mut conn| {
                    super::reminders::queue_due(&mut conn, &config.public_url, now())
                        .map_err(|e| e.to_string())
                });
                match queued {
                    Ok(0) => {}
                    Ok(n) => tracing::info!(emails = n, "follow-up reminders queued"),
                    Err(error) => tracing::warn!(%error, "follow-up reminders: not queued"),
                }
            }
            let busy = match pool.get() {
                Ok(mut conn) => match run_once(&mut conn, &mailer, &config, &worker_id) {
                    Ok(round) => round.claimed as i64 == BATCH,
                    Err(error) => {
                        tracing::warn!(%error, "mail worker: database error");
                        false
                    }
                },
                Err(error) => {
                    tracing::warn!(%error, "mail worker: no database connection");
                    false
                }
            };
            let wait = if busy {
                std::time::Duration::ZERO
            } else {
                config.poll_interval
            };
            match stopped.recv_timeout(wait) {
                Err(RecvTimeoutError::Timeout) => continue,
                _ => break,
            }
        })?;
    Ok(WorkerHandle::new(stop, thread))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_the_cap() {
        let config = crate::Config::from_lookup(|_| None).unwrap().mail;
        let secs = |n| backoff(&config, n).num_seconds();
        assert_eq!([secs(1), secs(2), secs(3), secs(4)], [30, 60, 120, 240]);
        assert_eq!(secs(8), 3600);
        assert_eq!(secs(1000), 3600);
    }
}
