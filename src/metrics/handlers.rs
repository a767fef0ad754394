//! The metrics routes: one event's figures (`GET /api/v1/events/{id}/metrics`) and the rollups
//! (`GET /api/v1/metrics`), for staff.

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use serde::Deserialize;

use super::rollup::{self, Filter, Grouping, Rollup};
use super::Dimension;
use crate::auth::{guards, AuthUser};
use crate::error::{AppError, AppResult};
use crate::events::FundingSource;
use crate::export::{Column, Dialect, Format, Kind, Lang, Options, Table, Texts, Value};
use crate::extract::{path_id, ApiQuery};
use crate::AppState;

/// `GET /api/v1/events/{id}/metrics`: see [`super::of_event`] for who may ask.
pub async fn event_metrics(
    state: web::Data<AppState>,
    caller: AuthUser,
    id: web::Path<String>,
) -> AppResult<HttpResponse> {
    let event_id = path_id(&id, "event")?;
    let metrics = state
        .read_db(move |conn| super::of_event(conn, &caller, &event_id))
        .await?;
    Ok(HttpResponse::Ok().json(metrics))
}

/// The parameters of a rollup (and of its export, which adds `format`).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RollupQuery {
    group_by: Option<String>,
    /// Every group of the period and filters, with zeros where it held no event.
    fill: Option<bool>,
    from: Option<NaiveDate>,
    to: Option<NaiveDate>,
    province_code: Option<String>,
    organization_id: Option<String>,
    funding_source: Option<FundingSource>,
    /// The export's file format, header language and CSV dialect; the JSON rollup takes none.
    pub format: Option<Format>,
    pub lang: Option<Lang>,
    pub dialect: Option<Dialect>,
}

/// Checks the parameters and computes the rollup (see [`rollup::for_caller`] for who may ask).
pub async fn compute_rollup(
    state: &AppState,
    caller: AuthUser,
    query: RollupQuery,
) -> AppResult<Rollup> {
    guards::role(&caller, &rollup::READERS)?;
    let grouping = query
        .group_by
        .as_deref()
        .ok_or_else(|| AppError::invalid_field("group_by", "is required"))
        .and_then(|text| {
            Grouping::parse(text).map_err(|message| AppError::invalid_field("group_by", message))
        })?;
    let fill = query.fill.unwrap_or(false);
    let from = crate::validate::date_filter("from", query.from)?;
    let to = crate::validate::date_filter("to", query.to)?;
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            return Err(AppError::invalid_field("to", "must not be before from"));
        }
    }
    let organization_id = match query.organization_id.as_deref() {
        Some(raw) => Some(
            uuid::Uuid::parse_str(raw)
                .map_err(|_| AppError::invalid_field("organization_id", "is not a UUID"))?
                .hyphenated()
                .to_string(),
        ),
        None => None,
    };
    let filter = Filter {
        from,
        to,
        province_code: crate::validate::province_filter(query.province_code)?,
        organization_id,
        funding_source: query.funding_source,
        member: (!caller.role.reads_everything()).then(|| caller.id.clone()),
    };
    state
        .read_db(move |conn| rollup::for_caller(conn, &caller, &grouping, &filter, fill))
        .await
}

/// `GET /api/v1/metrics`: the rollup as JSON.
pub async fn rollup(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<RollupQuery>,
) -> AppResult<HttpResponse> {
    let export_only = [
        ("format", query.format.is_some()),
        ("lang", query.lang.is_some()),
        ("dialect", query.dialect.is_some()),
    ];
    if let Some((field, _)) = export_only.into_iter().find(|(_, given)| *given) {
        return Err(AppError::invalid_field(
            field,
            "is a parameter of /api/v1/metrics/export",
        ));
    }
    let rollup = compute_rollup(&state, caller, query).await?;
    Ok(HttpResponse::Ok().json(rollup))
}

/// `GET /api/v1/metrics/export`: the rollup as a CSV or XLSX file, one row per group and then a
/// `totals` row, with the JSON's figures in the JSON's names.
pub async fn export(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(mut query): ApiQuery<RollupQuery>,
) -> AppResult<HttpResponse> {
    let options = Options::of_query(query.format.take(), query.lang.take(), query.dialect.take())?;
    let rollup = compute_rollup(&state, caller, query).await?;
    let name = format!("bursa-metrics-by-{}", rollup.group_by.replace(',', "-"));
    crate::export::respond(rollup_table(&rollup)?, options, &name).await
}

/// The columns of a rollup's export, in the order [`rollup_table`] fills them, each with its
/// Indonesian header and its definition (per `METRICS.md`).
fn rollup_columns() -> Vec<Column> {
    use Kind::{Integer, Money, Rate, Text};
    [
        ("key", Text, "Kelompok",
            "the group: the province code, the organization id, the funding source, the year (YYYY), the quarter (YYYY-Qn) or the month (YYYY-MM); totals for the last row",
            "kelompok: kode provinsi, ID organisasi, sumber dana, tahun (YYYY), triwulan (YYYY-Qn) atau bulan (YYYY-MM); totals untuk baris terakhir"),
        ("label", Text, "Nama",
            "the province's or the organization's name; empty for funding sources and periods",
            "nama provinsi atau organisasi; kosong untuk sumber dana dan periode"),
        ("events", Integer, "Jumlah acara",
            "published or closed events in the group (drafts and cancelled events never count)",
            "acara berstatus terbit atau selesai dalam kelompok (draf dan acara yang dibatalkan tidak dihitung)"),
        ("registrations", Integer, "Pendaftaran",
            "registrations to the group's events",
            "jumlah pendaftaran ke acara-acara kelompok"),
        ("attendees", Integer, "Peserta hadir",
            "registrations with a check-in",
            "pendaftaran yang sudah check-in"),
        ("openings", Integer, "Jumlah posisi lowongan",
            "positions offered: the sum of the openings of the events' vacancies",
            "posisi yang ditawarkan: jumlah formasi seluruh lowongan acara"),
        ("applications", Integer, "Lamaran",
            "applications to the events' vacancies, any status",
            "lamaran ke lowongan acara, apa pun statusnya"),
        ("placements_reported", Integer, "Penempatan dilaporkan",
            "placements reported by employers, except retracted ones",
            "penempatan yang dilaporkan pemberi kerja, kecuali yang ditarik"),
        ("placements_verified", Integer, "Penempatan terverifikasi",
            "verified placements: confirmed by the job seeker or verified by staff",
            "penempatan terverifikasi: dikonfirmasi pencari kerja atau diverifikasi petugas"),
        ("placements_disputed", Integer, "Penempatan dibantah",
            "placements the job seeker disputed",
            "penempatan yang dibantah pencari kerja"),
        ("placements_seeker_confirmed", Integer, "Penempatan dikonfirmasi pencari kerja",
            "verified placements the job seeker confirmed themselves, whatever followed",
            "penempatan terverifikasi yang dikonfirmasi sendiri oleh pencari kerja, apa pun yang terjadi sesudahnya"),
        ("placements_staff_only", Integer, "Penempatan diverifikasi petugas saja",
            "verified placements the job seeker never confirmed: staff verified them (with the previous column, adds up to placements_verified)",
            "penempatan terverifikasi yang tidak pernah dikonfirmasi pencari kerja: petugas yang memverifikasinya (bersama kolom sebelumnya berjumlah sama dengan penempatan terverifikasi)"),
        ("placed_attendees", Integer, "Peserta hadir yang ditempatkan",
            "attendees with at least one verified placement at the event, each counted once per event",
            "peserta hadir yang memiliki setidaknya satu penempatan terverifikasi di acara itu, dihitung sekali per acara"),
        ("budget_idr", Money, "Anggaran (Rp)",
            "the sum of the events' budgets, in whole rupiah",
            "jumlah anggaran acara, dalam rupiah"),
        ("cost_idr", Money, "Biaya (Rp)",
            "the sum of the events' costs: real spending of closed events, else their budgets",
            "jumlah biaya acara: realisasi belanja untuk acara yang sudah ditutup, selain itu anggarannya"),
        ("placement_rate", Rate, "Tingkat penempatan",
            "placed attendees / attendees, pooled over the group (a ratio of the sums, not an average of the events' rates); empty when there are no attendees",
            "peserta hadir yang ditempatkan / peserta hadir, digabung untuk kelompok (rasio jumlah, bukan rata-rata rasio tiap acara); kosong bila tidak ada peserta hadir"),
        ("vacancy_fill_rate", Rate, "Tingkat keterisian lowongan",
            "verified placements / openings, pooled; above 1 means more placements than positions offered; empty when there are no openings",
            "penempatan terverifikasi / jumlah posisi, digabung; lebih dari 1 berarti penempatan melebihi posisi yang ditawarkan; kosong bila tidak ada posisi"),
        ("cost_per_placement_idr", Money, "Biaya per penempatan (Rp)",
            "cost / verified placements, rounded half up to a whole rupiah; empty when there are no verified placements",
            "biaya / penempatan terverifikasi, dibulatkan setengah ke atas ke rupiah; kosong bila tidak ada penempatan terverifikasi"),
        ("unique_job_seekers", Integer, "Pencari kerja unik",
            "different job seekers registered at any event of the group: someone registered at three of its fairs counts once",
            "jumlah pencari kerja berbeda yang terdaftar di acara mana pun dalam kelompok: orang yang mendaftar di tiga bursa kerjanya dihitung satu"),
        ("events_costed_at_budget", Integer, "Acara dihitung dengan anggaran",
            "events whose cost is still their budget: not yet closed with their real spending",
            "acara yang biayanya masih berupa anggaran: belum ditutup dengan realisasi belanjanya"),
        ("retention_90d_checked", Integer, "Dicek 90 hari",
            "verified placements with a follow-up dated 90 to 179 days after the start date",
            "penempatan terverifikasi dengan tindak lanjut bertanggal 90 sampai 179 hari sesudah mulai bekerja"),
        ("retention_90d_employed", Integer, "Masih bekerja 90 hari",
            "of those, the ones whose latest follow-up in that window says employed",
            "dari jumlah itu, yang tindak lanjut terakhirnya pada rentang itu menyatakan masih bekerja"),
        ("retention_90d_rate", Rate, "Tingkat retensi 90 hari",
            "still employed / checked at 90 days, pooled; empty when none was checked",
            "masih bekerja / dicek pada 90 hari, digabung; kosong bila belum ada yang dicek"),
        ("retention_180d_checked", Integer, "Dicek 180 hari",
            "verified placements with a follow-up dated at least 180 days after the start date",
            "penempatan terverifikasi dengan tindak lanjut bertanggal sedikitnya 180 hari sesudah mulai bekerja"),
        ("retention_180d_employed", Integer, "Masih bekerja 180 hari",
            "of those, the ones whose latest follow-up in that window says employed",
            "dari jumlah itu, yang tindak lanjut terakhirnya pada rentang itu menyatakan masih bekerja"),
        ("retention_180d_rate", Rate, "Tingkat retensi 180 hari",
            "still employed / checked at 180 days, pooled; empty when none was checked",
            "masih bekerja / dicek pada 180 hari, digabung; kosong bila belum ada yang dicek"),
    ]
    .into_iter()
    .map(|(name, kind, header_id, en, id)| Column::described(name, kind, header_id, Texts::new(en, id)))
    .chain(breakdown_columns())
    .collect()
}

/// Three columns per value of each breakdown dimension (attendees, placed attendees, placement
/// rate), named `<dimension>_<value>_<figure>`, in [`Dimension::ALL`] order.
fn breakdown_columns() -> Vec<Column> {
    let mut columns = Vec::new();
    for dimension in Dimension::ALL {
        for value in dimension.values() {
            let (value_en, value_id) = value_names(dimension, value);
            let prefix = format!("{}_{value}", dimension.as_str());
            columns.push(Column::described(
                format!("{prefix}_attendees"),
                Kind::Integer,
                format!("Hadir: {value_id}"),
                Texts::new(
                    format!(
                        "attendees whose {} is {value_en} (at each event they attended)",
                        dimension_name(dimension)
                    ),
                    format!(
                        "peserta hadir dengan {} {value_id} (pada tiap acara yang dihadiri)",
                        dimension_name_id(dimension)
                    ),
                ),
            ));
            columns.push(Column::described(
                format!("{prefix}_placed_attendees"),
                Kind::Integer,
                format!("Ditempatkan: {value_id}"),
                Texts::new(
                    "of those, the ones with a verified placement at the event",
                    "dari jumlah itu, yang memiliki penempatan terverifikasi di acara itu",
                ),
            ));
            columns.push(Column::described(
                format!("{prefix}_placement_rate"),
                Kind::Rate,
                format!("Tingkat penempatan: {value_id}"),
                Texts::new(
                    "placed / attendees of this value, pooled; empty when there are none",
                    "ditempatkan / hadir untuk nilai ini, digabung; kosong bila tidak ada",
                ),
            ));
        }
    }
    columns
}

fn dimension_name(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Gender => "gender",
        Dimension::AgeBand => "age band",
        Dimension::EducationLevel => "education level",
        Dimension::Disability => "disability",
    }
}

fn dimension_name_id(dimension: Dimension) -> &'static str {
    match dimension {
        Dimension::Gender => "jenis kelamin",
        Dimension::AgeBand => "kelompok umur",
        Dimension::EducationLevel => "pendidikan",
        Dimension::Disability => "status disabilitas",
    }
}

/// A breakdown value in English and Indonesian words.
fn value_names(dimension: Dimension, value: &str) -> (String, String) {
    match (dimension, value) {
        (Dimension::Gender, "female") => ("female".into(), "perempuan".into()),
        (Dimension::Gender, "male") => ("male".into(), "laki-laki".into()),
        (Dimension::Disability, "true") => {
            ("with a disability".into(), "penyandang disabilitas".into())
        }
        (Dimension::Disability, "false") => {
            ("without a disability".into(), "tanpa disabilitas".into())
        }
        (Dimension::AgeBand, "unknown") => ("unknown".into(), "tidak diketahui".into()),
        (Dimension::AgeBand, band) => (format!("{band} years"), format!("{band} tahun")),
        (_, level) => (level.to_uppercase(), level.to_uppercase()),
    }
}

/// The caveat of `unique_job_seekers` (METRICS.md): unlike the other counts it does not add up.
fn unique_job_seekers_caveat() -> Texts {
    Texts::new(
        "unique_job_seekers counts each person once per row: someone registered at \
         events of two rows is in both, and once in the totals. So the totals row is not the sum \
         of the rows, and the rows must not be added up.",
        "Pencari kerja unik (unique_job_seekers) menghitung setiap orang sekali per baris: orang yang \
         mendaftar di acara dari dua baris muncul di kedua baris, tetapi sekali di baris totals. \
         Karena itu baris totals bukan jumlah baris-barisnya, dan angka baris tidak boleh \
         dijumlahkan.",
    )
}

/// The rows and totals of a rollup as a table.
pub(crate) fn rollup_table(rollup: &Rollup) -> AppResult<Table> {
    let mut table = Table::new(format!("by {}", rollup.group_by), rollup_columns());
    table.note(unique_job_seekers_caveat());
    let rows = rollup
        .rows
        .iter()
        .map(|row| (row.key.as_str(), row.label.as_deref(), &row.figures))
        .chain([("totals", None, &rollup.totals)]);
    for (key, label, f) in rows {
        let count = |n: i64| Some(Value::Integer(n));
        let mut values = vec![
            Some(Value::text(key)),
            label.map(Value::text),
            count(f.events),
            count(f.registrations),
            count(f.attendees),
            count(f.openings),
            count(f.applications),
            count(f.placements_reported),
            count(f.placements_verified),
            count(f.placements_disputed),
            count(f.placements_seeker_confirmed),
            count(f.placements_staff_only),
            count(f.placed_attendees),
            Some(Value::Money(f.budget_idr)),
            Some(Value::Money(f.cost_idr)),
            f.placement_rate.map(Value::Rate),
            f.vacancy_fill_rate.map(Value::Rate),
            f.cost_per_placement_idr.map(Value::Money),
            count(f.unique_job_seekers),
            count(f.events_costed_at_budget),
            count(f.retention_90d_checked),
            count(f.retention_90d_employed),
            f.retention_90d_rate.map(Value::Rate),
            count(f.retention_180d_checked),
            count(f.retention_180d_employed),
            f.retention_180d_rate.map(Value::Rate),
        ];
        for dimension in Dimension::ALL {
            let cells = f.breakdowns.dimension(dimension);
            for value in dimension.values() {
                let cell = cells.get(value).cloned().unwrap_or_default();
                values.extend([
                    count(cell.attendees),
                    count(cell.placed_attendees),
                    cell.placement_rate.map(Value::Rate),
                ]);
            }
        }
        table.push(values)?;
    }
    Ok(table)
}
