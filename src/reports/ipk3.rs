//! The Disnaker labour-market report of one province and semester (`GET /api/v1/reports/ipk3`),
//! in the shape of the IPK III tables that provincial manpower offices keep (*Informasi Pasar
//! Kerja*: job seekers registered and placed, vacancies): an XLSX workbook of four sheets and a
//! notes sheet. `docs/ipk3.md` says how every cell is derived and what Bursa cannot fill.
//!
//! **Scope.** The included events (`published` or `closed`, as in `METRICS.md`) of the province
//! whose event local start date falls in the semester (S1: 1 January–30 June, S2: 1 July–31
//! December). An organizer's report covers only the fairs of organizations they act for, the
//! rule of the rollups ([`rollup::Filter::member`]); admins and ministry staff see every fair.
//!
//! **Counts.**
//! - *Registered*: distinct job seekers with a registration (checked in or not) at a fair of the
//!   scope. Someone registered at three of its fairs counts once.
//! - *Placed*: those registered job seekers with at least one verified placement (`confirmed` or
//!   `verified`) at a fair of the scope, so every placed person is also a registered one.
//! - A person's sex and education are their profile's; their age band is their age in whole
//!   years on the local start date of the first fair of the scope they registered at.
//! - *Vacancies*: the vacancies of the scope's fairs (any status) and their *openings* (the
//!   positions offered, the sum of `openings`); *placements*: verified placements at those fairs,
//!   each counted (not people), by the occupation major group of the vacancy filled: the first
//!   digit of its ISCO-08 / KBJI 2014 unit group code.

use std::collections::{HashMap, HashSet};

use actix_web::{web, HttpResponse};
use chrono::NaiveDate;
use diesel::prelude::*;
use serde::Deserialize;

use crate::auth::{guards, AuthUser};
use crate::db::schema::{events, job_seekers, placements, registrations, vacancies};
use crate::db::DbConn;
use crate::error::{AppError, AppResult};
use crate::export::{self, Column, Format, Kind, Lang, Table, Texts, Value};
use crate::extract::ApiQuery;
use crate::metrics::rollup::{self, filtered, Filter};
use crate::AppState;

/// Half a calendar year (Indonesia's fiscal year is the calendar year): `2026-1` is January to
/// June 2026, `2026-2` July to December.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Semester {
    pub year: i32,
    /// 1 or 2.
    pub half: u8,
}

impl Semester {
    /// `YYYY-1` or `YYYY-2`, a year from 2000 to 2100.
    pub fn parse(raw: &str) -> Option<Semester> {
        let (year, half) = raw.split_once('-')?;
        if year.len() != 4 || !year.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let year: i32 = year.parse().ok()?;
        let half = match half {
            "1" => 1,
            "2" => 2,
            _ => return None,
        };
        (2000..=2100)
            .contains(&year)
            .then_some(Semester { year, half })
    }

    pub fn first_day(self) -> NaiveDate {
        let month = if self.half == 1 { 1 } else { 7 };
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or_default()
    }

    pub fn last_day(self) -> NaiveDate {
        let (month, day) = if self.half == 1 { (6, 30) } else { (12, 31) };
        NaiveDate::from_ymd_opt(self.year, month, day).unwrap_or_default()
    }

    /// The semester of a date.
    pub fn of(date: NaiveDate) -> Semester {
        use chrono::Datelike;
        Semester {
            year: date.year(),
            half: if date.month() <= 6 { 1 } else { 2 },
        }
    }

    /// The one before.
    pub fn previous(self) -> Semester {
        match self.half {
            2 => Semester { half: 1, ..self },
            _ => Semester {
                year: self.year - 1,
                half: 2,
            },
        }
    }
}

impl std::fmt::Display for Semester {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}-{}", self.year, self.half)
    }
}

/// The age bands of the report: five years wide (as labour-office tables commonly are), so
/// that they add up to the wider bands of `METRICS.md` (`15-24` = `15-19` + `20-24` …, `55+` =
/// `55-59` + `60+`); `unknown` without a birth date.
pub const AGE_BANDS: [&str; 11] = [
    "15-19", "20-24", "25-29", "30-34", "35-39", "40-44", "45-49", "50-54", "55-59", "60+",
    "unknown",
];

/// The band of a person born on `birth_date`, on `on`. An age under 15 (impossible through the
/// API) counts in the youngest band, as in the metrics.
pub fn age_band(birth_date: Option<NaiveDate>, on: NaiveDate) -> &'static str {
    let Some(birth_date) = birth_date else {
        return "unknown";
    };
    let age = crate::metrics::age_on(birth_date, on).clamp(15, 60);
    AGE_BANDS[((age - 15) / 5) as usize]
}

/// Counts by sex, as the IPK tables split them (L: laki-laki, P: perempuan).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct BySex {
    pub male: i64,
    pub female: i64,
}

impl BySex {
    fn add(&mut self, gender: &str) {
        match gender {
            "male" => self.male += 1,
            "female" => self.female += 1,
            _ => {}
        }
    }

    pub fn total(self) -> i64 {
        self.male + self.female
    }
}

/// A row of the tables of people: job seekers registered and placed, by sex.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PeopleRow {
    /// The age band, or the education level's code.
    pub key: String,
    pub registered: BySex,
    pub placed: BySex,
}

/// A row of the table of occupations.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OccupationRow {
    /// The major group's code, `0` to `9`.
    pub major_group: String,
    pub title: String,
    pub vacancies: i64,
    pub openings: i64,
    pub placements: BySex,
}

/// Who and what a report covers.
#[derive(Debug, Clone)]
pub struct Scope {
    pub province_code: String,
    pub semester: Semester,
}

/// The figures of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    pub province_code: String,
    pub province_name: String,
    pub semester: Semester,
    /// Whether only the fairs of the caller's organizations were counted (an organizer).
    pub own_fairs_only: bool,
    pub events: i64,
    /// The [`AGE_BANDS`] in order.
    pub by_age: Vec<PeopleRow>,
    /// Every education level, in the order of the profile's levels.
    pub by_education: Vec<PeopleRow>,
    /// The 10 major groups, in code order.
    pub by_occupation: Vec<OccupationRow>,
    pub registered: BySex,
    pub placed: BySex,
    pub vacancies: i64,
    pub openings: i64,
    pub placements: BySex,
}

/// The report `caller` asked for, read in one snapshot: admins and ministry staff over every
/// fair, organizers over the fairs of organizations they act for (as the rollups), anyone else
/// 403.
pub fn for_caller(conn: &mut DbConn, caller: &AuthUser, scope: &Scope) -> AppResult<Report> {
    guards::role(caller, &rollup::READERS)?;
    let member = (!caller.role.reads_everything()).then(|| caller.id.clone());
    Ok(crate::db::read_snapshot(conn, |conn| {
        compute(conn, scope, member)
    })?)
}

/// Computes the report over the included events of the scope (of `member`'s organizations
/// when given).
pub fn compute(conn: &mut DbConn, scope: &Scope, member: Option<String>) -> QueryResult<Report> {
    let filter = Filter {
        from: Some(scope.semester.first_day()),
        to: Some(scope.semester.last_day()),
        province_code: Some(scope.province_code.clone()),
        member,
        ..Filter::default()
    };
    let events = filtered!(events::table.select(events::id).into_boxed(), &filter)
        .load::<String>(conn)?
        .len() as i64;

    // Registered job seekers: each once, with the date of their first fair of the scope.
    let registered = filtered!(
        registrations::table
            .inner_join(events::table)
            .inner_join(job_seekers::table)
            .select((
                registrations::job_seeker_id,
                job_seekers::gender,
                job_seekers::education_level,
                job_seekers::birth_date,
                events::local_start_date,
            ))
            .into_boxed(),
        &filter
    )
    .load::<(String, String, String, Option<NaiveDate>, NaiveDate)>(conn)?;
    struct Person {
        gender: String,
        education: String,
        birth_date: Option<NaiveDate>,
        first_fair: NaiveDate,
    }
    let mut people: HashMap<String, Person> = HashMap::new();
    for (id, gender, education, birth_date, date) in registered {
        people
            .entry(id)
            .and_modify(|p| p.first_fair = p.first_fair.min(date))
            .or_insert(Person {
                gender,
                education,
                birth_date,
                first_fair: date,
            });
    }

    // Verified placements at the scope's fairs: the job seeker, the vacancy's occupation and
    // the job seeker's sex.
    let verified = filtered!(
        placements::table
            .inner_join(vacancies::table.inner_join(events::table))
            .inner_join(job_seekers::table)
            .filter(placements::status.eq_any(crate::metrics::verified_texts()))
            .select((
                placements::job_seeker_id,
                vacancies::occupation_code,
                job_seekers::gender,
            ))
            .into_boxed(),
        &filter
    )
    .load::<(String, String, String)>(conn)?;
    let placed_ids: HashSet<&str> = verified.iter().map(|(id, _, _)| id.as_str()).collect();

    let offered = filtered!(
        vacancies::table
            .inner_join(events::table)
            .select((vacancies::occupation_code, vacancies::openings))
            .into_boxed(),
        &filter
    )
    .load::<(String, i32)>(conn)?;

    let row = |key: &str| PeopleRow {
        key: key.to_owned(),
        ..PeopleRow::default()
    };
    let mut by_age: Vec<PeopleRow> = AGE_BANDS.iter().map(|band| row(band)).collect();
    let mut by_education: Vec<PeopleRow> = crate::job_seekers::EducationLevel::ALL
        .iter()
        .map(|level| row(level.as_str()))
        .collect();
    let (mut registered, mut placed) = (BySex::default(), BySex::default());
    for (id, person) in &people {
        let is_placed = placed_ids.contains(id.as_str());
        let band = age_band(person.birth_date, person.first_fair);
        let rows = [
            by_age.iter_mut().find(|r| r.key == band),
            by_education.iter_mut().find(|r| r.key == person.education),
        ];
        for r in rows.into_iter().flatten() {
            r.registered.add(&person.gender);
            if is_placed {
                r.placed.add(&person.gender);
            }
        }
        registered.add(&person.gender);
        if is_placed {
            placed.add(&person.gender);
        }
    }

    let mut by_occupation: Vec<OccupationRow> = crate::occupations::major_groups()
        .iter()
        .map(|group| OccupationRow {
            major_group: group.code.clone(),
            title: group.title.clone(),
            ..OccupationRow::default()
        })
        .collect();
    let group_of = |code: &str| code.get(..1).and_then(|d| d.parse::<usize>().ok());
    let (mut vacancies, mut openings, mut placements) = (0, 0, BySex::default());
    for (code, n) in &offered {
        vacancies += 1;
        openings += i64::from(*n);
        if let Some(r) = group_of(code).and_then(|g| by_occupation.get_mut(g)) {
            r.vacancies += 1;
            r.openings += i64::from(*n);
        }
    }
    for (_, code, gender) in &verified {
        placements.add(gender);
        if let Some(r) = group_of(code).and_then(|g| by_occupation.get_mut(g)) {
            r.placements.add(gender);
        }
    }

    Ok(Report {
        province_name: crate::provinces::find(&scope.province_code)
            .map(|p| p.name.to_owned())
            .unwrap_or_default(),
        province_code: scope.province_code.clone(),
        semester: scope.semester,
        own_fairs_only: filter.member.is_some(),
        events,
        by_age,
        by_education,
        by_occupation,
        registered,
        placed,
        vacancies,
        openings,
        placements,
    })
}

// ---------------------------------------------------------------------------------------------
// The workbook
// ---------------------------------------------------------------------------------------------

fn columns(
    specs: &[(&'static str, Kind, &'static str, &'static str, &'static str)],
) -> Vec<Column> {
    specs
        .iter()
        .map(|(name, kind, header_id, en, id)| {
            Column::described(*name, *kind, *header_id, Texts::new(*en, *id))
        })
        .collect()
}

/// The six columns of counts of the tables of people.
const PEOPLE_COUNTS: [(&str, Kind, &str, &str, &str); 6] = [
    ("registered_male", Kind::Integer, "Pencari kerja terdaftar L",
        "men among the job seekers registered: distinct job seekers with a registration (checked in or not) at a fair of the scope, each counted once",
        "laki-laki di antara pencari kerja terdaftar: pencari kerja berbeda yang mendaftar (hadir atau tidak) di bursa kerja dalam cakupan, masing-masing dihitung sekali"),
    ("registered_female", Kind::Integer, "Pencari kerja terdaftar P",
        "women among the job seekers registered (as registered_male)",
        "perempuan di antara pencari kerja terdaftar (seperti kolom L)"),
    ("registered_total", Kind::Integer, "Pencari kerja terdaftar L+P",
        "job seekers registered: registered_male + registered_female",
        "pencari kerja terdaftar: L + P"),
    ("placed_male", Kind::Integer, "Ditempatkan L",
        "men among the registered job seekers with at least one verified placement (confirmed by the job seeker or verified by staff) at a fair of the scope, each counted once",
        "laki-laki di antara pencari kerja terdaftar yang memiliki setidaknya satu penempatan terverifikasi (dikonfirmasi pencari kerja atau diverifikasi petugas) di bursa kerja dalam cakupan, masing-masing dihitung sekali"),
    ("placed_female", Kind::Integer, "Ditempatkan P",
        "women among the registered job seekers placed (as placed_male)",
        "perempuan di antara pencari kerja terdaftar yang ditempatkan (seperti kolom L)"),
    ("placed_total", Kind::Integer, "Ditempatkan L+P",
        "job seekers placed: placed_male + placed_female",
        "pencari kerja yang ditempatkan: L + P"),
];

/// The label of a row's key in `lang`: codes for machines in English, words for people in
/// Indonesian.
fn label(key: &str, lang: Lang) -> String {
    match (key, lang) {
        ("total", Lang::Id) => "Jumlah".to_owned(),
        ("unknown", Lang::Id) => "Tidak diketahui".to_owned(),
        (key, Lang::Id) => key.to_uppercase(),
        (key, Lang::En) => key.to_owned(),
    }
}

fn people_table(sheet: &str, first: Column, rows: &[PeopleRow], lang: Lang) -> AppResult<Table> {
    let mut columns_ = vec![first];
    columns_.extend(columns(&PEOPLE_COUNTS));
    let mut table = Table::new(sheet, columns_);
    let totals = PeopleRow {
        key: "total".to_owned(),
        registered: rows.iter().fold(BySex::default(), |a, r| BySex {
            male: a.male + r.registered.male,
            female: a.female + r.registered.female,
        }),
        placed: rows.iter().fold(BySex::default(), |a, r| BySex {
            male: a.male + r.placed.male,
            female: a.female + r.placed.female,
        }),
    };
    for row in rows.iter().chain([&totals]) {
        let n = |n: i64| Some(Value::Integer(n));
        table.push(vec![
            Some(Value::Text(label(&row.key, lang))),
            n(row.registered.male),
            n(row.registered.female),
            n(row.registered.total()),
            n(row.placed.male),
            n(row.placed.female),
            n(row.placed.total()),
        ])?;
    }
    Ok(table)
}

/// The sheets' names, in `lang`.
fn sheet_names(lang: Lang) -> [&'static str; 4] {
    match lang {
        Lang::En => ["Summary", "By age and sex", "By education", "By occupation"],
        Lang::Id => [
            "Ringkasan",
            "Umur dan jenis kelamin",
            "Pendidikan",
            "Golongan jabatan",
        ],
    }
}

/// The report as the workbook's tables: a one-row summary, job seekers by age band and sex, by
/// education, and vacancies and placements by occupation major group; each ends with a total
/// row (`total`, *Jumlah*).
pub fn tables(report: &Report, lang: Lang) -> AppResult<Vec<Table>> {
    use Kind::{Date, Integer, Text};
    let names = sheet_names(lang);

    let mut summary = Table::new(
        names[0],
        columns(&[
            ("province_code", Text, "Kode provinsi", "the province's code (BPS)", "kode provinsi (BPS)"),
            ("province_name", Text, "Provinsi", "the province", "nama provinsi"),
            ("semester", Text, "Semester",
                "YYYY-1 (January–June) or YYYY-2 (July–December)",
                "YYYY-1 (Januari–Juni) atau YYYY-2 (Juli–Desember)"),
            ("period_from", Date, "Awal periode", "the semester's first day", "hari pertama semester"),
            ("period_to", Date, "Akhir periode", "the semester's last day", "hari terakhir semester"),
            ("coverage", Text, "Cakupan",
                "all: every organizer's fairs; own: only the fairs of the organizations the person who downloaded the report acts for (an organizer's report)",
                "all: bursa kerja semua penyelenggara; own: hanya bursa kerja organisasi tempat pengunduh laporan bertugas (laporan penyelenggara)"),
            ("events", Integer, "Jumlah bursa kerja",
                "published or closed fairs of the province whose local start date falls in the semester (drafts and cancelled fairs never count)",
                "bursa kerja berstatus terbit atau selesai di provinsi itu yang tanggal mulainya (waktu setempat) jatuh dalam semester (draf dan yang dibatalkan tidak dihitung)"),
            ("registered_total", Integer, "Pencari kerja terdaftar",
                "distinct job seekers registered at those fairs",
                "pencari kerja berbeda yang terdaftar di bursa kerja tersebut"),
            ("placed_total", Integer, "Pencari kerja ditempatkan",
                "of those, the ones with at least one verified placement at those fairs",
                "dari mereka, yang memiliki setidaknya satu penempatan terverifikasi di bursa kerja tersebut"),
            ("vacancies", Integer, "Lowongan (iklan)",
                "vacancies posted at those fairs, any status",
                "lowongan yang dipasang di bursa kerja tersebut, apa pun statusnya"),
            ("openings", Integer, "Lowongan (jumlah formasi)",
                "positions offered: the sum of the vacancies' openings",
                "jumlah posisi yang ditawarkan: jumlah formasi seluruh lowongan"),
            ("placements_total", Integer, "Penempatan terverifikasi",
                "verified placements at those fairs, each counted (a person placed twice counts twice)",
                "penempatan terverifikasi di bursa kerja tersebut, dihitung per penempatan (orang yang ditempatkan dua kali dihitung dua kali)"),
        ]),
    );
    summary.push(vec![
        Some(Value::text(&report.province_code)),
        Some(Value::text(&report.province_name)),
        Some(Value::Text(report.semester.to_string())),
        Some(Value::Date(report.semester.first_day())),
        Some(Value::Date(report.semester.last_day())),
        Some(Value::text(if report.own_fairs_only {
            "own"
        } else {
            "all"
        })),
        Some(Value::Integer(report.events)),
        Some(Value::Integer(report.registered.total())),
        Some(Value::Integer(report.placed.total())),
        Some(Value::Integer(report.vacancies)),
        Some(Value::Integer(report.openings)),
        Some(Value::Integer(report.placements.total())),
    ])?;

    let mut by_age = people_table(
        names[1],
        Column::described(
            "age_band",
            Text,
            "Kelompok umur",
            Texts::new(
                "age in whole years on the local start date of the first fair of the scope the person registered at, in five-year bands; unknown without a birth date; total for the last row",
                "umur dalam tahun penuh pada tanggal mulai (waktu setempat) bursa kerja pertama dalam cakupan tempat orang itu mendaftar, per lima tahun; tidak diketahui bila tanggal lahir kosong; Jumlah untuk baris terakhir",
            ),
        ),
        &report.by_age,
        lang,
    )?;
    by_age.note(Texts::new(
        "The five-year bands add up to the bands of the other Bursa figures: 15-24 = 15-19 + 20-24, and so on; 55+ = 55-59 + 60+.",
        "Kelompok lima tahunan dapat dijumlahkan menjadi kelompok umur angka Bursa lainnya: 15-24 = 15-19 + 20-24, dan seterusnya; 55+ = 55-59 + 60+.",
    ));
    let by_education = people_table(
        names[2],
        Column::described(
            "education_level",
            Text,
            "Tingkat pendidikan",
            Texts::new(
                "the highest education completed, as in the job seeker's profile: sd, smp, sma, smk, d1–d4, s1–s3; total for the last row",
                "pendidikan tertinggi yang ditamatkan menurut profil pencari kerja: SD, SMP, SMA, SMK, D1–D4, S1–S3; Jumlah untuk baris terakhir",
            ),
        ),
        &report.by_education,
        lang,
    )?;

    let mut by_occupation = Table::new(
        names[3],
        columns(&[
            ("major_group", Text, "Golongan pokok",
                "the ISCO-08 / KBJI 2014 major group: the first digit of the vacancy's 4-digit occupation code; total for the last row",
                "golongan pokok ISCO-08 / KBJI 2014: digit pertama kode jabatan 4 digit lowongan; Jumlah untuk baris terakhir"),
            ("title", Text, "Nama golongan pokok",
                "the major group's ISCO-08 title (English, from ESCO v1.1)",
                "nama golongan pokok menurut ISCO-08 (bahasa Inggris, dari ESCO v1.1)"),
            ("vacancies", Integer, "Lowongan (iklan)",
                "vacancies posted at the fairs of the scope in this group, any status",
                "lowongan golongan ini yang dipasang di bursa kerja dalam cakupan, apa pun statusnya"),
            ("openings", Integer, "Lowongan (jumlah formasi)",
                "positions offered: the sum of those vacancies' openings",
                "jumlah posisi yang ditawarkan: jumlah formasi lowongan tersebut"),
            ("placements_male", Integer, "Penempatan L",
                "verified placements of men into vacancies of this group at the fairs of the scope, each placement counted",
                "penempatan terverifikasi laki-laki ke lowongan golongan ini di bursa kerja dalam cakupan, dihitung per penempatan"),
            ("placements_female", Integer, "Penempatan P",
                "the same for women",
                "sama, untuk perempuan"),
            ("placements_total", Integer, "Penempatan L+P",
                "verified placements: placements_male + placements_female",
                "penempatan terverifikasi: L + P"),
        ]),
    );
    let occupation_total = OccupationRow {
        major_group: "total".to_owned(),
        title: String::new(),
        vacancies: report.vacancies,
        openings: report.openings,
        placements: report.placements,
    };
    for row in report.by_occupation.iter().chain([&occupation_total]) {
        let n = |n: i64| Some(Value::Integer(n));
        by_occupation.push(vec![
            Some(Value::Text(label(&row.major_group, lang))),
            (!row.title.is_empty()).then(|| Value::text(&row.title)),
            n(row.vacancies),
            n(row.openings),
            n(row.placements.male),
            n(row.placements.female),
            n(row.placements.total()),
        ])?;
    }
    by_occupation.note(Texts::new(
        "This table counts vacancies and placements; the tables by age and by education count people.",
        "Tabel ini menghitung lowongan dan penempatan; tabel menurut umur dan pendidikan menghitung orang.",
    ));
    Ok(vec![summary, by_age, by_education, by_occupation])
}

/// The caveats of the whole report, under the tables' definitions on the notes sheet.
pub fn caveats() -> Vec<Texts> {
    vec![
        Texts::new(
            "Bursa counts only what happens at its job fairs. It cannot fill what the official IPK III forms also ask: job seekers registered at the manpower office outside the fairs (the AK/I card), vacancies reported outside the fairs, placements made outside them, and the balances carried from the previous period or struck off (sisa, dihapuskan).",
            "Bursa hanya menghitung yang terjadi di bursa kerjanya. Bursa tidak dapat mengisi yang juga diminta formulir IPK III resmi: pencari kerja yang mendaftar di dinas di luar bursa kerja (kartu AK/I), lowongan yang dilaporkan di luar bursa kerja, penempatan di luar bursa kerja, serta sisa periode lalu dan yang dihapuskan.",
        ),
        Texts::new(
            "The layout of the official forms differs by region and by year (age bands, education rows, occupation rows, the order of the columns). Copy these figures into your office's form; see docs/ipk3.md for how every cell is derived.",
            "Tata letak formulir resmi berbeda antardaerah dan antartahun (kelompok umur, baris pendidikan, baris jabatan, urutan kolom). Salin angka ini ke formulir dinas Anda; lihat docs/ipk3.md untuk asal setiap sel.",
        ),
    ]
}

/// The workbook's bytes.
pub fn workbook(report: &Report, lang: Lang) -> AppResult<Vec<u8>> {
    export::workbook_xlsx(&tables(report, lang)?, &caveats(), lang)
}

/// The download's file name, without its extension.
pub fn file_name(report: &Report) -> String {
    format!("ipk3-{}-{}", report.province_code, report.semester)
}

// ---------------------------------------------------------------------------------------------
// The route
// ---------------------------------------------------------------------------------------------

/// The parameters of the report.
#[derive(Debug, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Ipk3Query {
    pub province_code: Option<String>,
    pub semester: Option<String>,
    pub lang: Option<Lang>,
}

impl Ipk3Query {
    /// The scope asked for: both parameters required, every mistake named (422).
    pub fn scope(&self) -> AppResult<Scope> {
        let mut details = Vec::new();
        let province = match self.province_code.as_deref() {
            None | Some("") => {
                details.push(crate::error::FieldError::new(
                    "province_code",
                    "is required",
                ));
                None
            }
            Some(code) => match crate::validate::province_filter(Some(code.to_owned())) {
                Ok(code) => code,
                Err(error) => {
                    details.extend(error.details);
                    None
                }
            },
        };
        let semester = match self.semester.as_deref() {
            None | Some("") => {
                details.push(crate::error::FieldError::new("semester", "is required"));
                None
            }
            Some(raw) => {
                let parsed = Semester::parse(raw);
                if parsed.is_none() {
                    details.push(crate::error::FieldError::new(
                        "semester",
                        "must be YYYY-1 (January to June) or YYYY-2 (July to December)",
                    ));
                }
                parsed
            }
        };
        match (province, semester) {
            (Some(province_code), Some(semester)) if details.is_empty() => Ok(Scope {
                province_code,
                semester,
            }),
            _ => Err(AppError::validation(details)),
        }
    }
}

/// `GET /api/v1/reports/ipk3?province_code=31&semester=2026-1[&lang=id]`: the report as an XLSX
/// workbook (see [`for_caller`] for who may ask).
pub async fn export(
    state: web::Data<AppState>,
    caller: AuthUser,
    ApiQuery(query): ApiQuery<Ipk3Query>,
) -> AppResult<HttpResponse> {
    guards::role(&caller, &rollup::READERS)?;
    let scope = query.scope()?;
    let lang = query.lang.unwrap_or_default();
    download(&state, caller, scope, lang).await
}

/// Computes the report for `caller` and answers it as a download: the API's route and the
/// site's form share it.
pub async fn download(
    state: &AppState,
    caller: AuthUser,
    scope: Scope,
    lang: Lang,
) -> AppResult<HttpResponse> {
    let report = state
        .read_db(move |conn| for_caller(conn, &caller, &scope))
        .await?;
    let name = file_name(&report);
    let body = web::block(move || workbook(&report, lang)).await??;
    Ok(export::attachment(body, Format::Xlsx, &name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn date(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn semesters_are_halves_of_a_year() {
        let s = Semester::parse("2026-1").unwrap();
        assert_eq!(
            (s.first_day(), s.last_day()),
            (date("2026-01-01"), date("2026-06-30"))
        );
        let s = Semester::parse("2026-2").unwrap();
        assert_eq!(
            (s.first_day(), s.last_day()),
            (date("2026-07-01"), date("2026-12-31"))
        );
        assert_eq!(s.to_string(), "2026-2");
        for bad in [
            "2026", "2026-3", "2026-0", "26-1", "2026-01", "1999-1", "abcd-1", "2026-1 ",
        ] {
            assert_eq!(Semester::parse(bad), None, "{bad}");
        }
        assert_eq!(
            Semester::of(date("2026-06-30")),
            Semester {
                year: 2026,
                half: 1
            }
        );
        assert_eq!(
            Semester::of(date("2026-07-01")),
            Semester {
                year: 2026,
                half: 2
            }
        );
        assert_eq!(
            Semester {
                year: 2026,
                half: 1
            }
            .previous(),
            Semester {
                year: 2025,
                half: 2
            }
        );
    }

    #[test]
    fn five_year_age_bands() {
        let on = date("2026-03-10");
        assert_eq!(age_band(None, on), "unknown");
        assert_eq!(age_band(Some(date("2012-01-01")), on), "15-19");
        assert_eq!(age_band(Some(date("2006-03-10")), on), "20-24");
        assert_eq!(age_band(Some(date("2006-03-11")), on), "15-19");
        assert_eq!(age_band(Some(date("2000-05-01")), on), "25-29");
        assert_eq!(age_band(Some(date("1966-03-10")), on), "60+");
        assert_eq!(age_band(Some(date("1966-03-11")), on), "55-59");
        assert_eq!(age_band(Some(date("1930-01-01")), on), "60+");
    }
}
