//! Messages to organizers' and employers' staff: disputes, requests to join a fair and their
//! answers, follow-ups that are due.

use chrono::NaiveDate;

use super::seekers::long_date;
use super::{compose, greeting, Block};
use crate::mail::{Email, Kind};
use crate::users::Language;

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

/// A reported hire as the employer's notice of its answer tells it.
pub struct HireAnswer<'a> {
    pub event_title: &'a str,
    pub position: &'a str,
    /// The job seeker's short name ("Siti R."): enough to recognise, no more.
    pub job_seeker: &'a str,
    pub start_date: NaiveDate,
    pub confirmed: bool,
}

/// To the employer's members: the job seeker confirmed a hire they reported (it now counts), or
/// disputed it (the organizer reviews it). The job seeker's reason stays with the organizer.
pub fn hire_answered(
    to: &str,
    name: &str,
    language: Language,
    answer: &HireAnswer<'_>,
    link: &str,
) -> Email {
    let start = long_date(answer.start_date, language);
    let HireAnswer {
        event_title,
        position,
        job_seeker,
        ..
    } = answer;
    let (subject, what, next, label) = match (language, answer.confirmed) {
        (Language::Id, true) => (
            format!("Dikonfirmasi: {position}"),
            format!(
                "{job_seeker} mengonfirmasi penerimaan kerja sebagai {position} mulai {start} \
                 (dari {event_title})."
            ),
            "Penempatan ini kini terhitung sebagai penempatan terverifikasi.",
            "Lihat penempatan",
        ),
        (Language::Id, false) => (
            format!("Dibantah: {position}"),
            format!(
                "{job_seeker} membantah penerimaan kerja sebagai {position} mulai {start} \
                 (dari {event_title})."
            ),
            "Penyelenggara akan meninjaunya dan dapat menghubungi Anda.",
            "Lihat penempatan",
        ),
        (Language::En, true) => (
            format!("Confirmed: {position}"),
            format!(
                "{job_seeker} confirmed being hired as {position} from {start} \
                 (from {event_title})."
            ),
            "This placement now counts as verified.",
            "See the placement",
        ),
        (Language::En, false) => (
            format!("Disputed: {position}"),
            format!(
                "{job_seeker} disputed being hired as {position} from {start} \
                 (from {event_title})."
            ),
            "The organizer will review it and may contact you.",
            "See the placement",
        ),
    };
    compose(
        Kind::HireAnswered,
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
