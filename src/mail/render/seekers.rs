//! Messages to job seekers: the ticket, and a reported hire to confirm.

use chrono::{NaiveDate, NaiveDateTime};

use super::{compose, greeting, Block};
use crate::mail::{Email, InlinePart, Kind};
use crate::users::Language;

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

/// What changed about a fair a person holds a ticket for.
pub enum FairChange {
    /// New time or place: the ticket stays valid.
    Rescheduled,
    /// The fair will not take place.
    Cancelled,
}

/// To a ticket holder: the fair they registered for moved (its new time and place) or was
/// cancelled. The link opens their ticket, or the fair's page for someone without an account.
pub fn fair_changed(
    to: &str,
    name: &str,
    language: Language,
    event: &EventDetails<'_>,
    change: &FairChange,
    link: &str,
) -> Email {
    let starts = local_time(event.starts_at, event.province_code, language);
    let place = event.place(language);
    let title = event.title;
    let (kind, subject, what, next, label) = match (language, change) {
        (Language::Id, FairChange::Rescheduled) => (
            Kind::FairRescheduled,
            format!("Jadwal berubah: {title}"),
            format!("Jadwal atau tempat {title} berubah. Sekarang: {starts}, {place}."),
            "Tiket dan kode check-in Anda tetap berlaku.",
            "Lihat tiket",
        ),
        (Language::Id, FairChange::Cancelled) => (
            Kind::FairCancelled,
            format!("Dibatalkan: {title}"),
            format!("Penyelenggara membatalkan {title} ({starts}, {place})."),
            "Tiket Anda tidak berlaku lagi. Mohon maaf atas ketidaknyamanannya.",
            "Lihat bursa kerja",
        ),
        (Language::En, FairChange::Rescheduled) => (
            Kind::FairRescheduled,
            format!("New date or place: {title}"),
            format!("The time or place of {title} changed. It is now: {starts}, {place}."),
            "Your ticket and check-in code stay valid.",
            "See your ticket",
        ),
        (Language::En, FairChange::Cancelled) => (
            Kind::FairCancelled,
            format!("Cancelled: {title}"),
            format!("The organizer cancelled {title} ({starts}, {place})."),
            "Your ticket is no longer valid. We are sorry for the trouble.",
            "See the fair",
        ),
    };
    compose(
        kind,
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
