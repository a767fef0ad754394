//! WhatsApp, the second channel of the outbox: template messages of the WhatsApp Business Cloud
//! API, for people who have a phone and no email, or prefer it.
//!
//! A message is an outbox row like an email ([`crate::mail`]): written by [`enqueue`] inside
//! the transaction of the action that causes it, claimed and sent by the same worker, retried
//! across outages, never sent twice, and shown to admins. Its `channel` is `whatsapp`, its
//! recipient an E.164 number, its subject the template's name and its body the Cloud API's
//! request body. [`transport`] posts it to `{WHATSAPP_API_URL}/{WHATSAPP_PHONE_NUMBER_ID}/messages`,
//! or writes it as a `.json` file when WhatsApp is not configured.
//!
//! WhatsApp only carries messages made from templates approved in WhatsApp Manager; their names
//! are the constants below and the README lists their texts and parameters. Who may be written
//! to, and at which number, is decided in one place: [`crate::mail::recipients`].

pub mod transport;

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde_json::{json, Value};

use crate::db::schema::outbox;
use crate::db::{new_id, DbConn};
use crate::mail::{Channel, Kind, Status};
use crate::users::Language;

/// The authentication template that carries a one-time code (body `{{1}}`, copy-code button).
pub const TEMPLATE_SIGN_IN_CODE: &str = "bursa_sign_in_code";
/// The registration ticket: name, event, start, place, check-in code, ticket link.
pub const TEMPLATE_REGISTRATION_TICKET: &str = "bursa_registration_ticket";
/// The request to confirm a reported hire: name, employer, position, start date, link.
pub const TEMPLATE_HIRE_CONFIRMATION: &str = "bursa_hire_confirmation";
/// A fair's new time or place: name, fair, new start, new place, ticket link.
pub const TEMPLATE_FAIR_RESCHEDULED: &str = "bursa_fair_rescheduled";
/// A fair was cancelled: name, fair, its start, place, link to the fair.
pub const TEMPLATE_FAIR_CANCELLED: &str = "bursa_fair_cancelled";
/// Every template Bursa sends.
pub const TEMPLATES: [&str; 5] = [
    TEMPLATE_SIGN_IN_CODE,
    TEMPLATE_REGISTRATION_TICKET,
    TEMPLATE_HIRE_CONFIRMATION,
    TEMPLATE_FAIR_RESCHEDULED,
    TEMPLATE_FAIR_CANCELLED,
];

/// A template message, ready for the outbox.
#[derive(Debug, Clone)]
pub struct Message {
    pub kind: Kind,
    /// E.164, `+628…`.
    pub to: String,
    pub language: Language,
    pub template: &'static str,
    /// The template's components with their parameters, in the Cloud API's format.
    pub components: Value,
}

fn text(value: &str) -> Value {
    json!({"type": "text", "text": value})
}

fn body(parameters: &[&str]) -> Value {
    json!({"type": "body", "parameters": parameters.iter().map(|p| text(p)).collect::<Vec<_>>()})
}

impl Message {
    /// A one-time code. Authentication templates show the code in the body and copy it with
    /// their button, so it is both components' parameter.
    pub fn sign_in_code(to: &str, language: Language, code: &str) -> Self {
        Self {
            kind: Kind::PhoneCode,
            to: to.to_owned(),
            language,
            template: TEMPLATE_SIGN_IN_CODE,
            components: json!([
                body(&[code]),
                {"type": "button", "sub_type": "url", "index": "0", "parameters": [text(code)]},
            ]),
        }
    }

    /// The ticket of a registration: the event, its start and place, the check-in code, and
    /// the link to the ticket page (with the QR code).
    pub fn registration_ticket(
        to: &str,
        language: Language,
        name: &str,
        event: &crate::mail::render::EventDetails<'_>,
        check_in_code: &str,
        ticket_link: &str,
    ) -> Self {
        let starts = crate::locale::local_time(event.starts_at, event.province_code, language);
        Self {
            kind: Kind::RegistrationTicket,
            to: to.to_owned(),
            language,
            template: TEMPLATE_REGISTRATION_TICKET,
            components: json!([body(&[
                name,
                event.title,
                &starts,
                &event.place(language),
                check_in_code,
                ticket_link,
            ])]),
        }
    }

    /// The request to confirm or dispute a reported hire, with the link to its page.
    pub fn hire_confirmation(
        to: &str,
        language: Language,
        name: &str,
        employer: &str,
        position: &str,
        start_date: NaiveDate,
        link: &str,
    ) -> Self {
        Self {
            kind: Kind::HireConfirmation,
            to: to.to_owned(),
            language,
            template: TEMPLATE_HIRE_CONFIRMATION,
            components: json!([body(&[
                name,
                employer,
                position,
                &crate::locale::date(start_date, language),
                link,
            ])]),
        }
    }

    /// To a ticket holder: the fair moved (its new start and place; the ticket stays valid) or
    /// was cancelled.
    pub fn fair_changed(
        to: &str,
        language: Language,
        name: &str,
        event: &crate::mail::render::EventDetails<'_>,
        change: &crate::mail::render::FairChange,
        link: &str,
    ) -> Self {
        use crate::mail::render::FairChange;
        let starts = crate::locale::local_time(event.starts_at, event.province_code, language);
        let (kind, template) = match change {
            FairChange::Rescheduled => (Kind::FairRescheduled, TEMPLATE_FAIR_RESCHEDULED),
            FairChange::Cancelled => (Kind::FairCancelled, TEMPLATE_FAIR_CANCELLED),
        };
        Self {
            kind,
            to: to.to_owned(),
            language,
            template,
            components: json!([body(&[
                name,
                event.title,
                &starts,
                &event.place(language),
                link,
            ])]),
        }
    }

    /// The Cloud API's request body: `to` is the number's digits without the `+`.
    pub fn request_body(&self) -> Value {
        json!({
            "messaging_product": "whatsapp",
            "recipient_type": "individual",
            "to": self.to.trim_start_matches('+'),
            "type": "template",
            "template": {
                "name": self.template,
                "language": {"code": self.language.as_str()},
                "components": self.components,
            },
        })
    }
}

/// Writes `message` to the outbox, due now. Call it inside the write transaction of the action
/// that causes it, like [`crate::mail::enqueue`]. Returns the outbox id.
pub fn enqueue(conn: &mut DbConn, message: &Message, at: NaiveDateTime) -> QueryResult<String> {
    let id = new_id();
    diesel::insert_into(outbox::table)
        .values((
            outbox::id.eq(&id),
            outbox::channel.eq(Channel::Whatsapp),
            outbox::kind.eq(message.kind),
            outbox::recipient.eq(&message.to),
            outbox::language.eq(message.language.as_str()),
            outbox::subject.eq(message.template),
            outbox::body_text.eq(message.request_body().to_string()),
            outbox::body_html.eq(""),
            outbox::attachments.eq("[]"),
            outbox::status.eq(Status::Pending),
            outbox::next_attempt_at.eq(at),
            outbox::created_at.eq(at),
        ))
        .execute(conn)?;
    tracing::debug!(outbox_id = %id, kind = message.kind.as_str(), "whatsapp message queued");
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_is_an_authentication_template_in_the_cloud_api_shape() {
        let body = Message::sign_in_code("+6281234567890", Language::Id, "123456").request_body();
        assert_eq!(body["to"], "6281234567890");
        assert_eq!(body["type"], "template");
        assert_eq!(body["template"]["name"], TEMPLATE_SIGN_IN_CODE);
        assert_eq!(body["template"]["language"]["code"], "id");
        let components = body["template"]["components"].as_array().unwrap();
        assert_eq!(components[0]["parameters"][0]["text"], "123456");
        assert_eq!(components[1]["sub_type"], "url");
        assert_eq!(components[1]["index"], "0");
    }
}
