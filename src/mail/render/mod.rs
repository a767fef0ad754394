//! The messages: each one a subject, a plain-text body and an HTML body, in Bahasa Indonesia
//! (the default) or English. Every value that comes from a user is escaped in the HTML body.
//!
//! Here is the layout every message shares ([`compose`]); the messages themselves are one
//! function each, in a file per audience: accounts, job seekers, and organization staff.

mod accounts;
mod seekers;
mod staff;

pub use accounts::*;
pub use seekers::*;
pub use staff::*;

use crate::users::Language;

use super::{Email, Kind};

/// Escapes text for HTML element content and double-quoted attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// One paragraph of a message: plain text, with an optional link on a line of its own.
pub(super) enum Block<'a> {
    Text(String),
    Link {
        label: &'a str,
        url: &'a str,
    },
    /// An inline image of the message (HTML only), by its content id.
    Image {
        content_id: &'a str,
        alt: &'a str,
    },
}

/// Lays out the blocks as text and as HTML.
pub(super) fn compose(
    kind: Kind,
    to: &str,
    language: Language,
    subject: String,
    blocks: &[Block<'_>],
) -> Email {
    let mut text = String::new();
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title></head>\n\
         <body style=\"font-family:sans-serif;line-height:1.5;color:#222\">\n",
        language.as_str(),
        escape_html(&subject)
    );
    for block in blocks {
        match block {
            Block::Text(paragraph) => {
                text.push_str(paragraph);
                text.push_str("\n\n");
                html.push_str("<p>");
                html.push_str(&escape_html(paragraph).replace('\n', "<br>\n"));
                html.push_str("</p>\n");
            }
            Block::Link { label, url } => {
                text.push_str(url);
                text.push_str("\n\n");
                html.push_str(&format!(
                    "<p><a href=\"{url}\" style=\"display:inline-block;padding:10px 16px;\
                     background:#0b5ed7;color:#fff;text-decoration:none;border-radius:4px\">{label}</a></p>\n\
                     <p style=\"font-size:small;color:#555\">{url}</p>\n",
                    url = escape_html(url),
                    label = escape_html(label),
                ));
            }
            Block::Image { content_id, alt } => {
                html.push_str(&format!(
                    "<p><img src=\"cid:{}\" alt=\"{}\" width=\"264\" height=\"264\"></p>\n",
                    escape_html(content_id),
                    escape_html(alt)
                ));
            }
        }
    }
    let signature = match language {
        Language::Id => "Salam,\nTim Bursa",
        Language::En => "Regards,\nThe Bursa team",
    };
    text.push_str(signature);
    text.push('\n');
    html.push_str(&format!(
        "<p>{}</p>\n</body></html>\n",
        escape_html(signature).replace('\n', "<br>\n")
    ));
    Email {
        kind,
        to: to.to_owned(),
        language,
        subject,
        text,
        html,
        attachments: Vec::new(),
    }
}

pub(super) fn greeting(language: Language, name: &str) -> String {
    match language {
        Language::Id => format!("Halo {name},"),
        Language::En => format!("Hello {name},"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_values_are_escaped_in_html_only() {
        let email = verify_email(
            "a@example.id",
            "<script>alert(1)</script> & Co",
            Language::En,
            "http://x/verify-email?token=a&b",
            24,
        );
        assert!(email.text.contains("<script>alert(1)</script> & Co"));
        assert!(!email.html.contains("<script>"));
        assert!(email
            .html
            .contains("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co"));
        assert!(email
            .html
            .contains("href=\"http://x/verify-email?token=a&amp;b\""));
    }

    #[test]
    fn indonesian_is_the_default_and_english_is_there() {
        let id = password_reset("a@example.id", "Siti", Language::default(), "http://x", 1);
        assert_eq!(id.subject, "Atur ulang kata sandi Bursa Anda");
        assert!(id.text.starts_with("Halo Siti,"));
        assert!(id.html.contains("lang=\"id\""));
        let en = password_reset("a@example.id", "Siti", Language::En, "http://x", 1);
        assert_eq!(en.subject, "Reset your Bursa password");
        assert!(en.text.contains("Regards,"));
    }

    #[test]
    fn follow_up_reminders_read_as_sentences() {
        let due = FollowUpDue {
            checkpoint: 90,
            job_seeker: "Siti",
            employer: "PT Maju",
            position: "Operator",
            start_date: chrono::NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(),
            due_date: chrono::NaiveDate::from_ymd_opt(2026, 5, 30).unwrap(),
        };
        for language in [Language::Id, Language::En] {
            for to_employer in [true, false] {
                let email = follow_up_reminder(
                    "a@example.id",
                    "Siti",
                    language,
                    &due,
                    to_employer,
                    "http://x",
                );
                for line in email.text.lines() {
                    assert!(!line.contains("  "), "a run of spaces in {line:?}");
                }
            }
        }
    }

    #[test]
    fn times_are_local_to_the_province() {
        let at = chrono::NaiveDate::from_ymd_opt(2026, 12, 1)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap();
        assert_eq!(
            local_time(at, "31", Language::Id),
            "1 Desember 2026 08.00 WIB"
        );
        assert_eq!(
            local_time(at, "51", Language::En),
            "1 December 2026, 09:00 WITA"
        );
        assert_eq!(
            local_time(at, "91", Language::Id),
            "1 Desember 2026 10.00 WIT"
        );
    }
}
