//! How a message leaves: lettre over SMTP, or a `.eml` file in a folder when no SMTP server is
//! configured (the `cargo run` default, so that a newcomer can read what Bursa sends).

use std::io::Write;
use std::path::PathBuf;
use std::time::Duration;

use lettre::message::header::{ContentType, HeaderName, HeaderValue};
use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart};
use lettre::{Message, SmtpTransport, Transport as _};

use super::InlinePart;
use crate::config::MailConfig;

/// How long one SMTP conversation may take before it counts as a failed (transient) attempt.
const SMTP_TIMEOUT: Duration = Duration::from_secs(30);

/// Why a message was not sent. `permanent` is a refusal by the server (a 5xx answer, or a
/// message that cannot be built); anything else (unreachable, timeout, 4xx) is transient.
#[derive(Debug)]
pub struct SendError {
    pub message: String,
    pub permanent: bool,
}

impl SendError {
    pub fn permanent(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: true,
        }
    }

    pub fn transient(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            permanent: false,
        }
    }
}

enum Transport {
    Smtp(SmtpTransport),
    Folder(PathBuf),
}

/// Builds and delivers messages; one per worker.
pub struct Mailer {
    transport: Transport,
    from: Mailbox,
    whatsapp: crate::whatsapp::transport::WhatsappSender,
}

/// What the worker hands the mailer: one outbox row's content.
pub struct Outgoing<'a> {
    pub id: &'a str,
    pub to: &'a str,
    pub language: &'a str,
    pub subject: &'a str,
    pub text: &'a str,
    pub html: &'a str,
    pub attachments: &'a [InlinePart],
}

impl Mailer {
    pub fn from_config(config: &MailConfig) -> Result<Self, String> {
        let from: Mailbox = config
            .from
            .parse()
            .map_err(|_| "BURSA_MAIL_FROM is not an email address".to_owned())?;
        let transport = match &config.smtp_url {
            Some(url) => Transport::Smtp(
                SmtpTransport::from_url(&url.0)
                    .map_err(|e| format!("SMTP_URL is not a usable SMTP URL: {e}"))?
                    .timeout(Some(SMTP_TIMEOUT))
                    .build(),
            ),
            None => Transport::Folder(config.dir.clone()),
        };
        Ok(Self {
            transport,
            from,
            whatsapp: crate::whatsapp::transport::WhatsappSender::from_config(&config.whatsapp),
        })
    }

    /// Where messages go, safe to log (no credentials).
    pub fn describe(&self) -> String {
        let email = match &self.transport {
            Transport::Smtp(_) => "an SMTP server (SMTP_URL)".to_owned(),
            Transport::Folder(dir) => format!(".eml files in {}", dir.display()),
        };
        format!("email to {email}, WhatsApp to {}", self.whatsapp.describe())
    }

    /// The sender of the outbox's WhatsApp messages.
    pub fn whatsapp(&self) -> &crate::whatsapp::transport::WhatsappSender {
        &self.whatsapp
    }

    pub fn send(&self, mail: &Outgoing<'_>) -> Result<(), SendError> {
        let message = self.build(mail)?;
        match &self.transport {
            Transport::Smtp(smtp) => smtp.send(&message).map(|_| ()).map_err(|e| {
                let message = e.to_string();
                if e.is_permanent() {
                    SendError::permanent(message)
                } else {
                    SendError::transient(message)
                }
            }),
            Transport::Folder(dir) => write_atomically(dir, mail.id, "eml", &message.formatted())
                .map_err(|e| SendError::transient(format!("writing to {}: {e}", dir.display()))),
        }
    }

    fn build(&self, mail: &Outgoing<'_>) -> Result<Message, SendError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| SendError::permanent("the recipient is not an email address"))?;
        let domain = self.from.email.domain().to_owned();
        let html = SinglePart::html(mail.html.to_owned());
        let alternative =
            MultiPart::alternative().singlepart(SinglePart::plain(mail.text.to_owned()));
        let body = if mail.attachments.is_empty() {
            alternative.singlepart(html)
        } else {
            let mut related = MultiPart::related().singlepart(html);
            for part in mail.attachments {
                let bytes = part
                    .bytes()
                    .ok_or_else(|| SendError::permanent("an inline part is not base64"))?;
                let content_type = ContentType::parse(&part.content_type)
                    .map_err(|_| SendError::permanent("an inline part has a bad content type"))?;
                related = related.singlepart(
                    Attachment::new_inline(part.content_id.clone()).body(bytes, content_type),
                );
            }
            alternative.multipart(related)
        };
        Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(mail.subject)
            // The outbox id: a receiver can tell a resend (after a crashed worker) from a new one.
            .message_id(Some(format!("<{}@{}>", mail.id, domain)))
            .raw_header(HeaderValue::new(
                HeaderName::new_from_ascii_str("Content-Language"),
                mail.language.to_owned(),
            ))
            .multipart(body)
            .map_err(|e| SendError::permanent(format!("the message cannot be built: {e}")))
    }
}

/// Writes the message whole under a temporary name, then renames it, so that a reader never
/// sees half a file and a resend replaces the file instead of adding one.
pub fn write_atomically(
    dir: &std::path::Path,
    id: &str,
    extension: &str,
    bytes: &[u8],
) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let path = dir.join(format!("{id}.{extension}"));
    let partial = dir.join(format!(".{id}.{extension}.partial"));
    let mut file = std::fs::File::create(&partial)?;
    file.write_all(bytes)?;
    file.sync_all()?;
    std::fs::rename(partial, path)
}
