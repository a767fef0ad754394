//! The messages: each one a subject, a plain-text body and an HTML body, in Bahasa Indonesia
//! (the default) or English. Every value that comes from a user is escaped in the HTML body.

use chrono::{NaiveDate, NaiveDateTime};

use crate::users::Language;

use super::{Email, InlinePart, Kind};

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
enum Block<'a> {
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
fn compose(
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

fn greeting(language: Language, name: &str) -> String {
    match language {
        Language::Id => format!("Halo {name},"),
        Language::En => format!("Hello {name},"),
    }
}

/// After registration: the link that proves the address is the account holder's.
pub fn verify_email(to: &str, name: &str, language: Language, link: &str, hours: i64) -> Email {
    let (subject, body, label, validity) = match language {
        Language::Id => (
            "Konfirmasi alamat email Anda di Bursa",
            "Terima kasih telah mendaftar di Bursa. Buka tautan berikut untuk mengonfirmasi \
             alamat email Anda:",
            "Konfirmasi email",
            format!(
                "Tautan ini berlaku selama {hours} jam dan hanya dapat dipakai sekali. Jika Anda \
                 tidak mendaftar di Bursa, abaikan email ini."
            ),
        ),
        Language::En => (
            "Confirm your email address for Bursa",
            "Thank you for registering with Bursa. Open this link to confirm your email address:",
            "Confirm email",
            format!(
                "The link works once, for {hours} hours. If you did not register with Bursa, \
                 ignore this email."
            ),
        ),
    };
    compose(
        Kind::VerifyEmail,
        to,
        language,
        subject.to_owned(),
        &[
            Block::Text(greeting(language, name)),
            Block::Text(body.to_owned()),
            Block::Link { label, url: link },
            Block::Text(validity),
        ],
    )
}

/// A password reset someone asked for: the link to choose a new password.
pub fn password_reset(to: &str, name: &str, language: Language, link: &str, hours: i64) -> Email {
    let (subject, body, label, validity) = match language {
        Language::Id => (
            "Atur ulang kata sandi Bursa Anda",
            "Kami menerima permintaan untuk mengatur ulang kata sandi akun Bursa Anda. Buka \
             tautan berikut untuk memilih kata sandi baru:",
            "Atur ulang kata sandi",
            format!(
                "Tautan ini berlaku selama {hours} jam dan hanya dapat dipakai sekali. Jika Anda \
                 tidak memintanya, abaikan email ini: kata sandi Anda tidak berubah."
            ),
        ),
        Language::En => (
            "Reset your Bursa password",
            "We received a request to reset the password of your Bursa account. Open this link \
             to choose a new password:",
            "Reset password",
            format!(
                "The link works once, for {hours} hour(s). If you did not ask for it, ignore this \
                 email: your password has not changed."
            ),
        ),
    };
    compose(
        Kind::PasswordReset,
        to,
        language,
        subject.to_owned(),
        &[
            Block::Text(greeting(language, name)),
            Block::Text(body.to_owned()),
            Block::Link { label, url: link },
            Block::Text(validity),
        ],
    )
}

/// An event's place and times, as a ticket shows them.
pub struct EventDetails<'a> {
    pub title: &'a str,
    pub format: &'a str,
    pub venue: Option<&'a str>,
    pub city: &'a str,
    pub province_code: &'a str,
    pub starts_at: NaiveDateTime,
    pub ends_at: NaiveDateTime,
}

/// A UTC time in the province's local time, named by its zone: "1 Desember 2026 08.00 WIB".
pub use crate::locale::local_time;

impl EventDetails<'_> {
    /// Where the event is, as a ticket says it: the venue and city, or "online".
    pub fn place(&self, language: Language) -> String {
        match (self.format, self.venue) {
            ("online", _) => match language {
                Language::Id => "daring (online)".to_owned(),
                Language::En => "online".to_owned(),
            },
            (_, Some(venue)) => format!("{venue}, {}", self.city),
            (_, None) => self.city.to_owned(),
        }
    }
}

/// The content id of the QR code inside a registration ticket.
pub const TICKET_QR_ID: &str = "checkin-qr";

/// A job seeker's registration for a fair: where and when, and the QR code to show at the door
/// (an inline PNG), with the check-in code written out for when the image does not show.
pub fn registration_ticket(
    to: &str,
    name: &str,
    language: Language,
    event: &EventDetails<'_>,
    check_in_code: &str,
    qr_png: &[u8],
) -> Email {
    let starts = local_time(event.starts_at, event.province_code, language);
    let ends = local_time(event.ends_at, event.province_code, language);
    let place = event.place(language);
    let (subject, intro, when, ends_label, where_label, show, code_label) = match language {
        Language::Id => (
            format!("Tiket pendaftaran: {}", event.title),
            format!("Anda terdaftar di {}.", event.title),
            "Mulai",
            "Selesai",
            "Tempat",
            "Tunjukkan kode QR ini kepada petugas di meja pendaftaran saat Anda datang.",
            "Kode check-in",
        ),
        Language::En => (
            format!("Your registration: {}", event.title),
            format!("You are registered for {}.", event.title),
            "Starts",
            "Ends",
            "Place",
            "Show this QR code at the registration desk when you arrive.",
            "Check-in code",
        ),
    };
    let mut email = compose(
        Kind::RegistrationTicket,
        to,
        language,
        subject,
        &[
            Block::Text(greeting(language, name)),
            Block::Text(intro),
            Block::Text(format!(
                "{when}: {starts}\n{ends_label}: {ends}\n{where_label}: {place}"
            )),
            Block::Text(show.to_owned()),
            Block::Image {
                content_id: TICKET_QR_ID,
                alt: code_label,
            },
            Block::Text(format!("{code_label}: {check_in_code}")),
        ],
    );
    email
        .attachments
        .push(InlinePart::new(TICKET_QR_ID, "image/png", qr_png));
    email
}

/// A reported hire, as the job seeker is asked about it.
pub struct Hire<'a> {
    pub employer: &'a str,
    pub position: &'a str,
    pub start_date: NaiveDate,
    pub event_title: &'a str,
    /// The last day the link works.
    pub expires_on: NaiveDate,
}

/// A date as people write it: "1 Desember 2026", "1 December 2026".
pub use crate::locale::date as long_date;

/// An employer reported hiring the job seeker: the link to confirm or dispute it.
pub fn hire_confirmation(
    to: &str,
    name: &str,
    language: Language,
    hire: &Hire<'_>,
    link: &str,
) -> Email {
    let start = long_date(hire.start_date, language);
    let expires = long_date(hire.expires_on, language);
    let (subject, claim, ask, label, validity) = match language {
        Language::Id => (
            format!("Konfirmasi penerimaan kerja di {}", hire.employer),
            format!(
                "{} melaporkan bahwa Anda diterima bekerja sebagai {} mulai {}, melalui {}.",
                hire.employer, hire.position, start, hire.event_title
            ),
            "Apakah laporan ini benar? Buka tautan berikut untuk mengonfirmasi atau membantahnya. \
             Jawaban Anda membantu mengukur hasil nyata bursa kerja.",
            "Konfirmasi atau bantah",
            format!("Tautan ini berlaku sampai {expires} dan hanya dapat dipakai sekali."),
        ),
        Language::En => (
            format!("Please confirm your hire at {}", hire.employer),
            format!(
                "{} reported that it hired you as {} starting {}, through {}.",
                hire.employer, hire.position, start, hire.event_title
            ),
            "Is this right? Open this link to confirm or dispute it. Your answer helps measure \
             what job fairs really achieve.",
            "Confirm or dispute",
            format!("The link works once, until {expires}."),
        ),
    };
    compose(
        Kind::HireConfirmation,
        to,
        language,
        subject,
        &[
            Block::Text(greeting(language, name)),
            Block::Text(claim),
            Block::Text(ask.to_owned()),
            Block::Link { label, url: link },
            Block::Text(validity),
        ],
    )
}

/// A job seeker's dispute of a reported hire, as the organizers are told of it.
pub struct Dispute<'a> {
    pub event_title: &'a str,
    pub employer: &'a str,
    pub position: &'a str,
    pub job_seeker: &'a str,
    pub start_date: NaiveDate,
    pub reason: &'a str,
}

/// To a member of the event's organizer: a job seeker disputed a hire; staff should look into it
/// and verify or reject the placement.
pub fn dispute_notice(
    to: &str,
    name: &str,
    language: Language,
    dispute: &Dispute<'_>,
    link: &str,
) -> Email {
    let start = long_date(dispute.start_date, language);
    let (subject, what, reason, ask, label) = match language {
        Language::Id => (
            format!("Laporan penerimaan kerja dibantah: {}", dispute.event_title),
            format!(
                "{} membantah laporan {} bahwa ia diterima bekerja sebagai {} mulai {}, melalui {}.",
                dispute.job_seeker, dispute.employer, dispute.position, start, dispute.event_title
            ),
            format!("Alasan: {}", dispute.reason),
            "Periksa laporan ini, lalu verifikasi atau tolak penempatannya.",
            "Lihat penempatan",
        ),
        Language::En => (
            format!("Hire disputed: {}", dispute.event_title),
            format!(
                "{} disputes the report by {} that they were hired as {} starting {}, through {}.",
                dispute.job_seeker, dispute.employer, dispute.position, start, dispute.event_title
            ),
            format!("Reason: {}", dispute.reason),
            "Please look into it, then verify or reject the placement.",
            "See the placement",
        ),
    };
    compose(
        Kind::DisputeNotice,
        to,
        language,
        subject,
        &[
            Block::Text(greeting(language, name)),
            Block::Text(what),
            Block::Text(reason),
            Block::Text(ask.to_owned()),
            Block::Link { label, url: link },
        ],
    )
}

/// To the organizer's members: an employer asks to join their fair, to be approved or rejected.
pub fn participation_request(
    to: &str,
    name: &str,
    language: Language,
    event_title: &str,
    employer: &str,
    link: &str,
) -> Email {
    let (subject, what, ask, label) = match language {
        Language::Id => (
            format!("Permintaan ikut serta: {employer}"),
            format!("{employer} meminta ikut serta sebagai pemberi kerja di {event_title}."),
            "Setujui atau tolak permintaan ini; lowongannya tampil setelah disetujui.",
            "Lihat bursa kerja",
        ),
        Language::En => (
            format!("Request to take part: {employer}"),
            format!("{employer} asks to take part as an employer in {event_title}."),
            "Please approve or reject it; its vacancies show once approved.",
            "See the fair",
        ),
    };
    compose(
        Kind::ParticipationRequest,
        to,
        language,
        subject,
        &[
            Block::Text(greeting(language, name)),
            Block::Text(what),
            Block::Text(ask.to_owned()),
            Block::Link { label, url: link },
        ],
    )
}

/// To the employer's members: the organizer approved (`approved`) or rejected its participation.
pub fn participation_decision(
    to: &str,
    name: &str,
    language: Language,
    event_title: &str,
    approved: bool,
    link: &str,
) -> Email {
    let (subject, what, next, label) = match (language, approved) {
        (Language::Id, true) => (
            format!("Disetujui: {event_title}"),
            format!("Penyelenggara menyetujui organisasi Anda ikut serta di {event_title}."),
            "Lowongan Anda sekarang tampil di halaman bursa kerja, dan pencari kerja dapat melamar.",
            "Lihat bursa kerja",
        ),
        (Language::Id, false) => (
            format!("Tidak disetujui: {event_title}"),
            format!("Penyelenggara tidak menyetujui organisasi Anda ikut serta di {event_title}."),
            "Lowongan Anda di bursa kerja ini ditutup. Hubungi penyelenggara jika ada pertanyaan.",
            "Lihat bursa kerja",
        ),
        (Language::En, true) => (
            format!("Approved: {event_title}"),
            format!("The organizer approved your organization to take part in {event_title}."),
            "Your vacancies now show on the fair's page, and job seekers may apply.",
            "See the fair",
        ),
        (Language::En, false) => (
            format!("Not approved: {event_title}"),
            format!("The organizer did not approve your organization for {event_title}."),
            "Your vacancies at this fair are closed. Ask the organizer if you have questions.",
            "See the fair",
        ),
    };
    compose(
        Kind::ParticipationDecision,
        to,
        language,
        subject,
        &[
            Block::Text(greeting(language, name)),
            Block::Text(what),
            Block::Text(next.to_owned()),
            Block::Link { label, url: link },
        ],
    )
}

/// A retention check that fell due, as its reminder tells it.
pub struct FollowUpDue<'a> {
    /// 90 or 180.
    pub checkpoint: i64,
    pub job_seeker: &'a str,
    pub employer: &'a str,
    pub position: &'a str,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
}

/// To the employer (`to_employer`) or the job seeker: the 90- or 180-day check of a hire is due.
pub fn follow_up_reminder(
    to: &str,
    name: &str,
    language: Language,
    due: &FollowUpDue<'_>,
    to_employer: bool,
    link: &str,
) -> Email {
    let start = long_date(due.start_date, language);
    let on = long_date(due.due_date, language);
    let n = due.checkpoint;
    let (subject, question, label) = match (language, to_employer) {
        (Language::Id, true) => (
            format!(
                "Tindak lanjut {n} hari: {} di {}",
                due.job_seeker, due.employer
            ),
            format!(
                "{} mulai bekerja di {} sebagai {} pada {start}. Pemeriksaan {n} hari jatuh pada \
                 {on}: apakah ia masih bekerja di sana? Catat jawabannya melalui tautan berikut.",
                due.job_seeker, due.employer, due.position
            ),
            "Catat tindak lanjut",
        ),
        (Language::Id, false) => (
            format!("Tindak lanjut {n} hari: pekerjaan Anda di {}", due.employer),
            format!(
                "Anda mulai bekerja di {} sebagai {} pada {start}. Apakah Anda masih bekerja di \
                 sana {n} hari kemudian ({on})? Jawaban Anda membantu mengukur hasil bursa kerja.",
                due.employer, due.position
            ),
            "Jawab",
        ),
        (Language::En, true) => (
            format!("{n}-day follow-up: {} at {}", due.job_seeker, due.employer),
            format!(
                "{} started at {} as {} on {start}. The {n}-day check fell due on {on}: are they \
                 still employed there? Record the answer at this link.",
                due.job_seeker, due.employer, due.position
            ),
            "Record the follow-up",
        ),
        (Language::En, false) => (
            format!("{n}-day follow-up: your job at {}", due.employer),
            format!(
                "You started at {} as {} on {start}. Are you still working there {n} days on \
                 ({on})? Your answer helps measure what job fairs achieve.",
                due.employer, due.position
            ),
            "Answer",
        ),
    };
    compose(
        Kind::FollowUpReminder,
        to,
        language,
        subject,
        &[
            Block::Text(greeting(language, name)),
            Block::Text(question),
            Block::Link { label, url: link },
        ],
    )
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
