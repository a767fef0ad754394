//! How Bursa writes dates, times and money for people: Indonesian conventions by default
//! (`10 Desember 2026`, `08.00 WIB`, `Rp150.000.000`), English ones on request. Emails and web
//! pages both format through here.

use chrono::{Datelike, NaiveDate, NaiveDateTime, Timelike};

use crate::users::Language;

const MONTHS_ID: [&str; 12] = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
];
const MONTHS_EN: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// The name of a month (1–12) in the language.
pub fn month_name(month: u32, language: Language) -> &'static str {
    let index = (month.clamp(1, 12) - 1) as usize;
    match language {
        Language::Id => MONTHS_ID[index],
        Language::En => MONTHS_EN[index],
    }
}

/// A calendar date: `10 Desember 2026` / `10 December 2026`.
pub fn date(d: NaiveDate, language: Language) -> String {
    format!(
        "{} {} {}",
        d.day(),
        month_name(d.month(), language),
        d.year()
    )
}

/// The zone a province keeps: WIB (UTC+7), WITA (UTC+8) or WIT (UTC+9).
pub fn zone_name(province_code: &str) -> &'static str {
    match crate::placements::province_offset(province_code).local_minus_utc() / 3600 {
        8 => "WITA",
        9 => "WIT",
        _ => "WIB",
    }
}

/// A UTC instant in the province's local time.
pub fn local(at: NaiveDateTime, province_code: &str) -> NaiveDateTime {
    (at.and_utc() + crate::placements::province_offset(province_code)).naive_utc()
}

/// The clock time of a local time: `08.00` in Indonesian (PUEBI), `08:00` in English.
pub fn clock(local: NaiveDateTime, language: Language) -> String {
    let separator = match language {
        Language::Id => '.',
        Language::En => ':',
    };
    format!("{:02}{separator}{:02}", local.hour(), local.minute())
}

/// A UTC instant in the province's local time, named by its zone:
/// `1 Desember 2026 08.00 WIB` / `1 December 2026, 09:00 WITA`.
pub fn local_time(at: NaiveDateTime, province_code: &str, language: Language) -> String {
    let local = local(at, province_code);
    let comma = match language {
        Language::Id => "",
        Language::En => ",",
    };
    format!(
        "{}{comma} {} {}",
        date(local.date(), language),
        clock(local, language),
        zone_name(province_code)
    )
}

/// A whole number with thousands separators: `150.000.000` (Indonesian) / `150,000,000`.
pub fn number(n: i64, language: Language) -> String {
    let separator = match language {
        Language::Id => '.',
        Language::En => ',',
    };
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(separator);
        }
        out.push(ch);
    }
    out
}

/// Rupiah: `Rp150.000.000` (the Indonesian form is also used in English pages, with commas).
pub fn rupiah(n: i64, language: Language) -> String {
    format!("Rp{}", number(n, language))
}

/// A rate in [0, 1] as a percentage with one decimal: `12,5%` / `12.5%`.
pub fn percent(rate: f64, language: Language) -> String {
    let text = format!("{:.1}", rate * 100.0);
    match language {
        Language::Id => format!("{}%", text.replace('.', ",")),
        Language::En => format!("{text}%"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap_or_default()
    }

    #[test]
    fn dates_times_and_money_follow_indonesian_conventions() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 10).unwrap_or_default();
        assert_eq!(date(d, Language::Id), "10 Desember 2026");
        assert_eq!(date(d, Language::En), "10 December 2026");
        // 01:00 UTC is 08.00 in Jakarta (WIB), 09.00 in Makassar (WITA), 10.00 in Jayapura (WIT).
        assert_eq!(
            local_time(at("2026-12-01 01:00"), "31", Language::Id),
            "1 Desember 2026 08.00 WIB"
        );
        assert_eq!(
            local_time(at("2026-12-01 01:00"), "73", Language::En),
            "1 December 2026, 09:00 WITA"
        );
        assert_eq!(zone_name("94"), "WIT");
        assert_eq!(rupiah(150_000_000, Language::Id), "Rp150.000.000");
        assert_eq!(rupiah(999, Language::Id), "Rp999");
        assert_eq!(rupiah(1_000, Language::En), "Rp1,000");
        assert_eq!(number(-1_234_567, Language::Id), "-1.234.567");
        assert_eq!(percent(0.125, Language::Id), "12,5%");
        assert_eq!(percent(0.125, Language::En), "12.5%");
    }
}
