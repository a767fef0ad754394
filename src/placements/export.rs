//! `GET /api/v1/events/{id}/placements/export?format=csv|xlsx`: every placement of an event (all
//! statuses, oldest report first, as the event's list orders them), one row each, as a CSV or
//! XLSX download (see [`crate::export`]), for whoever may list the event's placements.
//!
//! A row never holds any part of a NIK, a job seeker's name, phone or email, nor free text
//! (dispute reasons, verification and retraction notes), which could carry any of those. The job
//! seeker is their profile id and what the metrics break placements down by: gender, age band
//! (on the event's first local day, as [`crate::metrics`] counts it), education level and
//! disability.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use super::{local_date, Flag, Placement};
use crate::auth::AuthUser;
use crate::db::schema::{job_seekers, organizations, placements, vacancies};
use crate::db::DbConn;
use crate::error::AppResult;
use crate::events::Event;
use crate::export::{self, Column, Dialect, Format, Kind, Lang, Options, Table, Texts, Value};
use crate::extract::{path_id, ApiQuery};
use crate::AppState;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportQuery {
    format: Option<Format>,
    lang: Option<Lang>,
    dialect: Option<Dialect>,
}

/// The placements of an event as a file, for members of its organizer, ministry staff and
/// admins (others who may see the event get 403, others 404), as its list.
pub async fn for_event(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
    ApiQuery(query): ApiQuery<ExportQuery>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let options = Options::of_query(query.format, query.lang, query.dialect)?;
    let name = format!("placements-{event_id}");
    // A report: from the read replica when there is one.
    let table = state
        .read_db(move |conn| {
            let event = crate::auth::guards::event_reader(conn, &caller, &event_id)?;
            table(&event, load(conn, &event_id)?)
        })
        .await?;
    export::respond(table, options, &name).await
}

/// A placement with its vacancy's title, its employer's name, and the job seeker's gender,
/// education level, birth date and disability.
type Row = (
    Placement,
    String,
    String,
    String,
    String,
    Option<NaiveDate>,
    bool,
);

fn load(conn: &mut DbConn, event_id: &str) -> QueryResult<Vec<Row>> {
    placements::table
        .inner_join(vacancies::table)
        .inner_join(organizations::table)
        .inner_join(job_seekers::table)
        .filter(placements::event_id.eq(event_id))
        .select((
            Placement::as_select(),
            vacancies::title,
            organizations::name,
            job_seekers::gender,
            job_seekers::education_level,
            job_seekers::birth_date,
            job_seekers::disability,
        ))
        .order(placements::id.asc())
        .load(conn)
}

/// The columns, in the order [`table`] fills them: the placement's own fields under the names the
/// API gives them, then one `flag_<name>` column per anti-gaming flag; each with its Indonesian
/// header and its definition.
fn columns() -> Vec<Column> {
    use Kind::*;
    let mut columns: Vec<Column> = [
        ("placement_id", Text, "ID penempatan",
            "the placement's id",
            "ID penempatan"),
        ("status", Text, "Status",
            "reported (by the employer), confirmed (by the job seeker), verified (by staff), disputed (by the job seeker) or retracted (by the employer); confirmed and verified are verified placements",
            "reported (dilaporkan pemberi kerja), confirmed (dikonfirmasi pencari kerja), verified (diverifikasi petugas), disputed (dibantah pencari kerja) atau retracted (ditarik pemberi kerja); confirmed dan verified adalah penempatan terverifikasi"),
        ("vacancy_id", Text, "ID lowongan",
            "the vacancy filled",
            "lowongan yang diisi"),
        ("vacancy_title", Text, "Judul lowongan",
            "the vacancy's title",
            "judul lowongan"),
        ("occupation_code", Text, "Kode jabatan (KBJI)",
            "the job's occupation code (KBJI 2014 / ISCO-08)",
            "kode jabatan pekerjaan itu (KBJI 2014 / ISCO-08)"),
        ("contract_type", Text, "Jenis kontrak",
            "the contract type the employer reported",
            "jenis kontrak yang dilaporkan pemberi kerja"),
        ("salary_idr", Money, "Gaji (Rp)",
            "the monthly salary reported, in whole rupiah",
            "gaji per bulan yang dilaporkan, dalam rupiah"),
        ("start_date", Date, "Tanggal mulai kerja",
            "the day the job starts",
            "tanggal mulai bekerja"),
        ("employer_id", Text, "ID pemberi kerja",
            "the hiring employer's organization id",
            "ID organisasi pemberi kerja yang merekrut"),
        ("employer_name", Text, "Nama pemberi kerja",
            "the hiring employer's name",
            "nama pemberi kerja yang merekrut"),
        ("job_seeker_id", Text, "ID pencari kerja",
            "the job seeker's profile id (never a name, NIK or contact data)",
            "ID profil pencari kerja (tanpa nama, NIK, atau data kontak)"),
        ("gender", Text, "Jenis kelamin",
            "the job seeker's gender, as in their profile",
            "jenis kelamin pencari kerja, sesuai profilnya"),
        ("age_band", Text, "Kelompok umur",
            "the job seeker's age on the event's first local day, in whole years: 15-24, 25-34, 35-44, 45-54, 55+, or unknown without a birth date",
            "umur pencari kerja pada hari pertama acara (waktu setempat), dalam tahun penuh: 15-24, 25-34, 35-44, 45-54, 55+, atau unknown bila tanggal lahir tidak ada"),
        ("education_level", Text, "Pendidikan terakhir",
            "the job seeker's highest education level, as in their profile",
            "jenjang pendidikan terakhir pencari kerja, sesuai profilnya"),
        ("disability", Boolean, "Penyandang disabilitas",
            "whether the job seeker has a disability, as in their profile",
            "apakah pencari kerja penyandang disabilitas, sesuai profilnya"),
        ("reported_at", DateTime, "Waktu dilaporkan (UTC)",
            "when the employer reported the hire, in UTC",
            "waktu pemberi kerja melaporkan penempatan, dalam UTC"),
        ("confirmed_at", DateTime, "Waktu dikonfirmasi (UTC)",
            "when the job seeker confirmed it, in UTC; empty if never",
            "waktu pencari kerja mengonfirmasinya, dalam UTC; kosong bila belum pernah"),
        ("disputed_at", DateTime, "Waktu dibantah (UTC)",
            "when the job seeker disputed it, in UTC; empty if never",
            "waktu pencari kerja membantahnya, dalam UTC; kosong bila belum pernah"),
        ("verified_at", DateTime, "Waktu diverifikasi (UTC)",
            "when staff verified it, in UTC; empty if never",
            "waktu petugas memverifikasinya, dalam UTC; kosong bila belum pernah"),
        ("verification_method", Text, "Cara verifikasi",
            "how staff verified it: phone, document, visit or social_security",
            "cara petugas memverifikasi: phone (telepon), document (dokumen), visit (kunjungan) atau social_security (BPJS Ketenagakerjaan)"),
        ("retracted_at", DateTime, "Waktu ditarik (UTC)",
            "when the employer retracted it, in UTC; empty if never",
            "waktu pemberi kerja menariknya, dalam UTC; kosong bila belum pernah"),
    ]
    .into_iter()
    .map(|(name, kind, header_id, en, id)| Column::described(name, kind, header_id, Texts::new(en, id)))
    .collect();
    columns.extend(Flag::ALL.iter().map(|&flag| {
        let (header_id, en, id) = flag_text(flag);
        Column::described(
            format!("flag_{}", flag.as_str()),
            Boolean,
            header_id,
            Texts::new(en, id),
        )
    }));
    columns
}

/// An anti-gaming flag's Indonesian header and its meaning in English and Indonesian.
fn flag_text(flag: Flag) -> (&'static str, &'static str, &'static str) {
    match flag {
        Flag::StartBeforeEvent => (
            "Tanda: mulai sebelum acara",
            "flagged: the job starts before the event's first local day",
            "ditandai: pekerjaan dimulai sebelum hari pertama acara (waktu setempat)",
        ),
        Flag::NotCheckedIn => (
            "Tanda: tidak check-in",
            "flagged: the job seeker never checked in at the event",
            "ditandai: pencari kerja tidak pernah check-in di acara",
        ),
        Flag::ExceedsOpenings => (
            "Tanda: melebihi formasi",
            "flagged: verified placements plus this one exceed the vacancy's openings",
            "ditandai: penempatan terverifikasi ditambah penempatan ini melebihi jumlah posisi lowongan",
        ),
        Flag::PlacedTwice => (
            "Tanda: ditempatkan dua kali",
            "flagged: another active placement of the job seeker starts within 30 days",
            "ditandai: ada penempatan aktif lain bagi pencari kerja yang sama dengan tanggal mulai dalam selang 30 hari",
        ),
        Flag::LateStart => (
            "Tanda: mulai terlambat",
            "flagged: the job starts more than 180 days after the event's last local day",
            "ditandai: pekerjaan dimulai lebih dari 180 hari setelah hari terakhir acara (waktu setempat)",
        ),
    }
}

fn table(event: &Event, rows: Vec<Row>) -> AppResult<Table> {
    let first_day = local_date(event.starts_at, &event.province_code);
    let mut table = Table::new("Placements", columns());
    for (p, vacancy_title, employer_name, gender, education_level, birth_date, disability) in rows {
        let flags = p.flag_list();
        let mut cells = vec![
            Some(Value::text(p.id)),
            Some(Value::text(p.status.as_str())),
            Some(Value::text(p.vacancy_id)),
            Some(Value::text(vacancy_title)),
            Some(Value::text(p.occupation_code)),
            Some(Value::text(p.contract_type.as_str())),
            Some(Value::Money(p.salary_idr)),
            Some(Value::Date(p.start_date)),
            Some(Value::text(p.employer_id)),
            Some(Value::text(employer_name)),
            Some(Value::text(p.job_seeker_id)),
            Some(Value::text(gender)),
            Some(Value::text(crate::metrics::age_band(birth_date, first_day))),
            Some(Value::text(education_level)),
            Some(Value::Boolean(disability)),
            Some(Value::DateTime(p.reported_at)),
            p.confirmed_at.map(Value::DateTime),
            p.disputed_at.map(Value::DateTime),
            p.verified_at.map(Value::DateTime),
            p.verification_method.map(|m| Value::text(m.as_str())),
            p.retracted_at.map(Value::DateTime),
        ];
        cells.extend(
            Flag::ALL
                .iter()
                .map(|flag| Some(Value::Boolean(flags.iter().any(|f| f == flag.as_str())))),
        );
        table.push(cells)?;
    }
    Ok(table)
}
