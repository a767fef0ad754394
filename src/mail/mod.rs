//! Email that is never lost and never sent for an action that was rolled back; WhatsApp
//! messages ride in the same outbox, on their own `channel` (see `crate::whatsapp`).
//!
//! Every message is a row of the `outbox` table, inserted by [`enqueue`] inside the write
//! transaction of the action that causes it: if the action rolls back, so does its message. The
//! [`worker`] (one per instance, started by `bursa serve`) claims due rows, sends them with
//! lettre over SMTP (or, with no `SMTP_URL`, writes them as `.eml` files into `BURSA_MAIL_DIR`),
//! and marks them `sent`. A send that fails puts the row back to `pending` with an exponentially
//! growing delay: an unreachable or busy server (an outage, however long) is retried until it
//! answers; a message the server refuses outright (a 5xx answer) is retried up to
//! `BURSA_MAIL_MAX_ATTEMPTS` times and then marked `failed`, for an admin to see and retry.
//!
//! Claims are leases: a claimed row is `sending` until `locked_until`, and PostgreSQL's
//! `FOR UPDATE SKIP LOCKED` keeps instances that share a database from claiming the same row, so
//! no message goes out twice. A worker that dies mid-batch leaves its rows to be claimed again
//! once the lease runs out.

pub mod handlers;
pub mod qr;
pub mod recipients;
pub mod reminders;
pub mod render;
pub mod transport;
pub mod worker;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chrono::NaiveDateTime;
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::db::schema::outbox;
use crate::db::{new_id, DbConn};
use crate::pagination::{Cursor, Page};
use crate::users::Language;

crate::text_enum! {
    /// What a message is about; stored as `outbox.kind`.
    pub enum Kind {
        VerifyEmail = "verify_email",
        PasswordReset = "password_reset",
        RegistrationTicket = "registration_ticket",
        HireConfirmation = "hire_confirmation",
        DisputeNotice = "dispute_notice",
        FollowUpReminder = "follow_up_reminder",
        /// To an organizer: an employer asks to take part in their fair.
        ParticipationRequest = "participation_request",
        /// To an employer: the organizer approved or rejected its participation.
        ParticipationDecision = "participation_decision",
        /// A one-time sign-in code, by WhatsApp.
        PhoneCode = "phone_code",
        /// To a ticket holder: the fair's time or place changed.
        FairRescheduled = "fair_rescheduled",
        /// To a ticket holder: the fair was cancelled.
        FairCancelled = "fair_cancelled",
        /// To an employer: the job seeker confirmed or disputed a hire it reported.
        HireAnswered = "hire_answered",
    }
}

crate::text_enum! {
    /// How a message goes out; stored as `outbox.channel`.
    pub enum Channel {
        Email = "email",
        /// A template message of the WhatsApp Business Cloud API (see `crate::whatsapp`).
        Whatsapp = "whatsapp",
    }
}

crate::text_enum! {
    /// Where a message is in its life; stored as `outbox.status`.
    pub enum Status {
        /// Waiting for its `next_attempt_at`.
        Pending = "pending",
        /// Claimed by a worker until `locked_until`.
        Sending = "sending",
        Sent = "sent",
        /// Refused by the server `BURSA_MAIL_MAX_ATTEMPTS` times; an admin may retry it.
        Failed = "failed",
    }
}

/// A part shown inside the HTML body (`<img src="cid:...">`), such as a QR code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InlinePart {
    pub content_id: String,
    pub content_type: String,
    /// The bytes, base64.
    pub data: String,
}

impl InlinePart {
    pub fn new(content_id: &str, content_type: &str, bytes: &[u8]) -> Self {
        Self {
            content_id: content_id.to_owned(),
            content_type: content_type.to_owned(),
            data: STANDARD.encode(bytes),
        }
    }

    pub fn bytes(&self) -> Option<Vec<u8>> {
        STANDARD.decode(&self.data).ok()
    }
}

/// A rendered message, ready for the outbox.
#[derive(Debug, Clone)]
pub struct Email {
    pub kind: Kind,
    pub to: String,
    pub language: Language,
    pub subject: String,
    pub text: String,
    pub html: String,
    pub attachments: Vec<InlinePart>,
}

/// Writes `email` to the outbox, due now. Call it inside the write transaction of the action
/// that causes the message, so that both commit or neither does. Returns the outbox id.
pub fn enqueue(conn: &mut DbConn, email: &Email, at: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    let attachments = serde_json::to_string(&email.attachments)
        .map_err(|e| diesel::result::Error::SerializationError(Box::new(e)))?;
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::channel.eq(Channel::Email),
            outbox::kind.eq(email.kind),
            outbox::recipient.eq(&email.to),
            outbox::language.eq(email.language.as_str()),
            outbox::subject.eq(&email.subject),
            outbox::body_text.eq(&email.text),
            outbox::body_html.eq(&email.html),
            outbox::attachments.eq(attachments),
            outbox::status.eq(Status::Pending),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(conn)?;
    tracing::debug!(outbox_id = %id, kind = email.kind.as_str(), "mail queued");
    Ok(id)
}

/// An outbox row as admins see it: never the bodies, which may hold single-use links.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = outbox)]
pub struct OutboxEntry {
    pub id: String,
    pub channel: Channel,
    pub kind: Kind,
    pub recipient: String,
    pub language: String,
    pub subject: String,
    pub status: Status,
    pub attempts: i32,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub next_attempt_at: NaiveDateTime,
    pub last_error: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc_opt")]
    pub sent_at: Option<NaiveDateTime>,
    /// The id the provider gave the message (WhatsApp's `wamid…`), once sent.
    pub provider_message_id: Option<String>,
}

/// The outbox in the order messages were queued (ids are time-ordered), optionally of one
/// status and of one channel.
pub fn list(
    conn: &mut DbConn,
    status: Option<Status>,
    channel: Option<Channel>,
    after: Option<&Cursor>,
    limit: i64,
) -> QueryResult<Page<OutboxEntry>> {
    let mut query = outbox::table.select(OutboxEntry::as_select()).into_boxed();
    if let Some(status) = status {
        query = query.filter(outbox::status.eq(status));
    }
    if let Some(channel) = channel {
        query = query.filter(outbox::channel.eq(channel));
    }
    if let Some(after) = after {
        query = query.filter(outbox::id.gt(after.id.clone()));
    }
    let rows = query.order(outbox::id.asc()).limit(limit + 1).load(conn)?;
    Ok(Page::from_rows(rows, limit, |e| {
        Cursor::new("", e.id.clone())
    }))
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<OutboxEntry>> {
    outbox::table
        .find(id)
        .select(OutboxEntry::as_select())
        .first(conn)
        .optional()
}

/// Puts a `failed` message back to `pending`, due now, with a fresh count of attempts.
/// `false` when it is not failed (the update is conditional, so two admins retry it once).
pub fn retry(conn: &mut DbConn, id: &str, at: NaiveDateTime) -> QueryResult<bool> {
    let updated = diesel::update(
        outbox::table
            .find(id)
            .filter(outbox::status.eq(Status::Failed)),
    )
    .set((
        outbox::status.eq(Status::Pending),
        outbox::attempts.eq(0),
        outbox::next_attempt_at.eq(at),
    ))
    .execute(conn)?;
    Ok(updated == 1)
}
