//! Field validation that reports every invalid field at once (one 422 detail per field).
//!
//! Request bodies deserialize into structs of `Option`s, so that a missing field is reported
//! with the others instead of stopping at the first. A [`Checker`] walks the fields: each method
//! records what is wrong and returns the value, or a placeholder when it is invalid;
//! [`Checker::finish`] then fails with every detail before a placeholder can be used.

use chrono::{DateTime, Datelike, NaiveDate, NaiveDateTime, Utc};

use crate::error::{AppError, FieldError};

/// The years every date and time of the API lies in.
pub const YEARS: std::ops::RangeInclusive<i32> = 2000..=2100;
const DATE_RANGE_MESSAGE: &str = "must be between 2000-01-01 and 2100-12-31";

#[derive(Default)]
pub struct Checker {
    details: Vec<FieldError>,
}

impl Checker {
    pub fn new() -> Self {
        Self::default()
    }

    /// Records an error against `field`; only its first error is kept (one detail per field).
    pub fn fail(&mut self, field: &str, message: impl Into<String>) {
        if !self.failed(field) {
            self.details.push(FieldError::new(field, message));
        }
    }

    /// Whether `field` has failed already (cross-field rules skip fields that hold placeholders).
    pub fn failed(&self, field: &str) -> bool {
        self.details.iter().any(|d| d.field == field)
    }

    /// Records `message` against `field` unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: &str) {
        if !ok {
            self.fail(field, message);
        }
    }

    pub fn required<T: Default>(&mut self, field: &str, value: Option<T>) -> T {
        match value {
            Some(value) => value,
            None => {
                self.fail(field, "is required");
                T::default()
            }
        }
    }

    /// Trimmed single-line text of `min..=max` characters: a name, a title, a code. Control
    /// characters (a line break, a tab, NUL) and bidirectional formatting characters are refused
    /// (see [`forbidden_char`]).
    pub fn text(&mut self, field: &str, value: String, min: usize, max: usize) -> String {
        self.text_of(field, value, min, max, Lines::Single)
    }

    /// Trimmed text of `min..=max` characters that may run over several lines: a description, a
    /// note, a reason. Line feeds (and CR LF) are kept; every other control character and the
    /// bidirectional formatting characters are refused, as in [`Checker::text`].
    pub fn multiline_text(&mut self, field: &str, value: String, min: usize, max: usize) -> String {
        self.text_of(field, value, min, max, Lines::Multi)
    }

    fn text_of(
        &mut self,
        field: &str,
        value: String,
        min: usize,
        max: usize,
        lines: Lines,
    ) -> String {
        let value = value.trim().to_owned();
        if has_forbidden_char(&value, lines) {
            self.fail(field, FORBIDDEN_CHAR_MESSAGE);
            return value;
        }
        let chars = value.chars().count();
        if chars < min {
            if min == 1 {
                self.fail(field, "must not be empty");
            } else {
                self.fail(field, format!("must be at least {min} characters"));
            }
        } else if chars > max {
            self.fail(field, format!("must be at most {max} characters"));
        }
        value
    }

    pub fn required_text(
        &mut self,
        field: &str,
        value: Option<String>,
        min: usize,
        max: usize,
    ) -> String {
        match value {
            Some(value) => self.text(field, value, min, max),
            None => self.required(field, None),
        }
    }

    /// [`Checker::multiline_text`], required.
    pub fn required_multiline_text(
        &mut self,
        field: &str,
        value: Option<String>,
        min: usize,
        max: usize,
    ) -> String {
        match value {
            Some(value) => self.multiline_text(field, value, min, max),
            None => self.required(field, None),
        }
    }

    /// Optional text: absent or blank is `None`.
    pub fn optional_text(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Option<String> {
        value
            .map(|v| self.text(field, v, 0, max))
            .filter(|v| !v.is_empty())
    }

    /// Optional [`Checker::multiline_text`]: absent or blank is `None`.
    pub fn optional_multiline_text(
        &mut self,
        field: &str,
        value: Option<String>,
        max: usize,
    ) -> Option<String> {
        value
            .map(|v| self.multiline_text(field, v, 0, max))
            .filter(|v| !v.is_empty())
    }

    pub fn range<T: PartialOrd + std::fmt::Display + Copy>(
        &mut self,
        field: &str,
        value: T,
        min: T,
        max: T,
    ) -> T {
        if value < min || value > max {
            self.fail(field, format!("must be between {min} and {max}"));
        }
        value
    }

    /// A date (or the date of a time) in the years Bursa accepts, [`YEARS`]: nothing of a job
    /// fair happens outside them, and the bound keeps date arithmetic far from overflow.
    pub fn date_in_range(&mut self, field: &str, date: NaiveDate) -> NaiveDate {
        if !YEARS.contains(&date.year()) {
            self.fail(field, DATE_RANGE_MESSAGE);
        }
        date
    }

    /// A time whose date is in [`YEARS`] (see [`Checker::date_in_range`]).
    pub fn time_in_range(&mut self, field: &str, time: NaiveDateTime) -> NaiveDateTime {
        self.date_in_range(field, time.date());
        time
    }

    /// One of the 38 province codes.
    pub fn province(&mut self, field: &str, code: String) -> String {
        let code = code.trim().to_owned();
        if crate::provinces::find(&code).is_none() {
            self.fail(field, "is not a known province code");
        }
        code
    }

    pub fn finish(self) -> Result<(), AppError> {
        if self.details.is_empty() {
            Ok(())
        } else {
            Err(AppError::validation(self.details))
        }
    }
}

const FORBIDDEN_CHAR_MESSAGE: &str =
    "must not contain control characters or bidirectional formatting characters";

/// Whether a text field may span lines.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Lines {
    Single,
    Multi,
}

/// A character no text field accepts: a C0 or C1 control character (NUL, CR, LF, TAB, DEL …),
/// or a bidirectional formatting character (the embeddings and overrides U+202A–U+202E, the
/// isolates U+2066–U+2069, the marks U+200E, U+200F and U+061C), which can make a name or a title
/// read differently from what is stored (a "Trojan Source" display). Multi-line fields allow LF
/// and a CR right before it; [`has_forbidden_char`] applies that.
pub fn forbidden_char(ch: char) -> bool {
    ch.is_control() || is_bidi_control(ch)
}

/// The bidirectional formatting characters: embeddings, overrides, isolates and marks.
pub fn is_bidi_control(ch: char) -> bool {
    matches!(
        ch,
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' | '\u{061C}'
    )
}

fn has_forbidden_char(value: &str, lines: Lines) -> bool {
    let mut chars = value.chars().peekable();
    while let Some(ch) = chars.next() {
        let line_break =
            lines == Lines::Multi && (ch == '\n' || (ch == '\r' && chars.peek() == Some(&'\n')));
        if forbidden_char(ch) && !line_break {
            return true;
        }
    }
    false
}

/// A time query filter (`from`, `to`, `before` …): absent, or a time in [`YEARS`] (else 422
/// naming the parameter), as the database stores it.
pub fn time_filter(
    field: &str,
    value: Option<DateTime<Utc>>,
) -> Result<Option<NaiveDateTime>, AppError> {
    match value {
        Some(t) if !YEARS.contains(&t.year()) => {
            Err(AppError::invalid_field(field, DATE_RANGE_MESSAGE))
        }
        other => Ok(other.map(to_db_time)),
    }
}

/// A date query filter (`from`, `to` of the metrics): absent, or a day in [`YEARS`] (else 422
/// naming the parameter), so that a period filled month by month stays within the years.
pub fn date_filter(field: &str, value: Option<NaiveDate>) -> Result<Option<NaiveDate>, AppError> {
    match value {
        Some(day) if !YEARS.contains(&day.year()) => {
            Err(AppError::invalid_field(field, DATE_RANGE_MESSAGE))
        }
        other => Ok(other),
    }
}

/// An email address of plausible shape, lower-cased (emails are unique regardless of case).
pub fn email(checker: &mut Checker, field: &str, value: Option<String>) -> String {
    let Some(value) = value.map(|v| v.trim().to_lowercase()) else {
        return checker.required(field, None);
    };
    if value.is_empty() {
        checker.fail(field, "is required");
        return value;
    }
    let valid = value.len() <= 254
        && !value.chars().any(|c| c.is_whitespace() || c.is_control())
        && match value.split_once('@') {
            Some((local, domain)) => {
                !local.is_empty()
                    && local.len() <= 64
                    && !domain.contains('@')
                    && domain.contains('.')
                    && !domain.starts_with('.')
                    && !domain.ends_with('.')
                    && !domain.contains("..")
            }
            None => false,
        };
    checker.check(valid, field, "is not a valid email address");
    value
}

/// An Indonesian mobile number, normalised to E.164 (`+628…`): written `08…`, `628…` or `+628…`,
/// spaces and dashes ignored. WhatsApp reaches mobiles only, so the national number starts with 8
/// and has 9 to 12 digits.
pub fn phone(checker: &mut Checker, field: &str, value: Option<String>) -> String {
    let Some(value) = value else {
        return checker.required(field, None);
    };
    let normalised = normalise_phone(&value);
    if normalised.is_none() {
        checker.fail(
            field,
            "must be an Indonesian mobile number, written 08…, 62… or +62…",
        );
    }
    normalised.unwrap_or_default()
}

/// The E.164 form of an Indonesian mobile number (see [`phone`]); `None` when it is not one.
pub fn normalise_phone(raw: &str) -> Option<String> {
    let compact: String = raw
        .trim()
        .chars()
        .filter(|c| !matches!(c, ' ' | '-' | '.'))
        .collect();
    let national = compact
        .strip_prefix("+62")
        .or_else(|| compact.strip_prefix("62"))
        .or_else(|| compact.strip_prefix('0'))?;
    let valid = national.starts_with('8')
        && (9..=12).contains(&national.len())
        && national.bytes().all(|b| b.is_ascii_digit());
    valid.then(|| format!("+62{national}"))
}

/// A UUID (an id in a body), canonical lower-case; `raw` may be a placeholder already failed.
pub fn uuid(checker: &mut Checker, field: &str, raw: String) -> String {
    match uuid::Uuid::parse_str(&raw) {
        Ok(id) => id.hyphenated().to_string(),
        Err(_) => {
            checker.fail(field, "is not a UUID");
            raw
        }
    }
}

/// A `province_code` query filter: absent, or one of the 38 codes (else 422).
pub fn province_filter(code: Option<String>) -> Result<Option<String>, AppError> {
    match code {
        Some(code) if crate::provinces::find(&code).is_none() => Err(AppError::invalid_field(
            "province_code",
            "is not a known province code",
        )),
        other => Ok(other),
    }
}

/// An API instant (RFC 3339 with any offset) as the UTC time the database stores.
pub fn to_db_time(t: DateTime<Utc>) -> NaiveDateTime {
    crate::db::truncate_to_micros(t.naive_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_invalid_field_is_reported() {
        let mut c = Checker::new();
        let name = c.required_text("name", Some("  ".into()), 1, 10);
        let city: String = c.required_text("city", None, 1, 10);
        let n = c.range("n", 0, 1, 5);
        let mail = email(&mut c, "email", Some("Not An Email".into()));
        assert_eq!((name.as_str(), city.as_str(), n), ("", "", 0));
        assert_eq!(mail, "not an email");
        let error = c.finish().unwrap_err();
        let fields: Vec<_> = error.details.iter().map(|d| d.field.as_str()).collect();
        assert_eq!(fields, ["name", "city", "n", "email"]);
    }

    #[test]
    fn single_line_text_refuses_control_and_bidi_characters() {
        for bad in [
            "Bursa\0Kerja",
            "Bursa\nKerja",
            "Bursa\r\nKerja",
            "Bursa\tKerja",
            "Bursa\u{7f}",
            "Bursa\u{85}Kerja",
            "Bursa \u{202E}ajreK",
            "\u{2066}Bursa\u{2069}",
            "Bursa\u{200F}",
            "Bursa\u{061C}",
        ] {
            let mut c = Checker::new();
            c.text("title", bad.into(), 1, 100);
            let error = c.finish().unwrap_err();
            assert_eq!(error.details[0].field, "title", "{bad:?}");
        }
        let mut c = Checker::new();
        // Letters of any script, zero-width joiners (needed by some scripts) and trailing
        // whitespace, trimmed, pass.
        assert_eq!(
            c.text("title", " Bursa Kerja – جاكرتا \n".into(), 1, 100),
            "Bursa Kerja – جاكرتا"
        );
        assert_eq!(c.text("name", "क्\u{200D}ष".into(), 1, 100), "क्\u{200D}ष");
        assert!(c.finish().is_ok());
    }

    #[test]
    fn multiline_text_keeps_line_feeds_only() {
        let mut c = Checker::new();
        assert_eq!(
            c.multiline_text("description", "One\nTwo\r\nThree\n".into(), 0, 100),
            "One\nTwo\r\nThree"
        );
        assert_eq!(
            c.optional_multiline_text("notes", Some("  ".into()), 100),
            None
        );
        assert!(c.finish().is_ok());
        for bad in ["a\0b", "a\rb", "a\tb", "a\u{202D}b", "a\u{2067}b\n"] {
            let mut c = Checker::new();
            c.optional_multiline_text("notes", Some(bad.into()), 100);
            assert!(c.finish().is_err(), "{bad:?}");
        }
    }

    #[test]
    fn time_filters_are_bounded_to_the_years() {
        let at = |s: &str| s.parse::<DateTime<Utc>>().unwrap();
        assert!(time_filter("from", None).unwrap().is_none());
        assert!(time_filter("from", Some(at("2026-12-01T00:00:00Z"))).is_ok());
        for bad in [
            "0001-01-01T00:00:00Z",
            "9999-12-31T00:00:00Z",
            "1999-12-31T23:59:59Z",
        ] {
            let error = time_filter("from", Some(at(bad))).unwrap_err();
            assert_eq!(error.status.as_u16(), 422);
            assert_eq!(error.details[0].field, "from");
        }
        let day = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert!(date_filter("to", Some(day("2100-12-31"))).is_ok());
        for bad in ["0146-10-16", "2125-07-31", "1999-12-31"] {
            let error = date_filter("to", Some(day(bad))).unwrap_err();
            assert_eq!(error.status.as_u16(), 422);
            assert_eq!(error.details[0].field, "to");
        }
        let mut c = Checker::new();
        c.time_in_range("closes_at", at("2101-01-01T00:00:00Z").naive_utc());
        assert!(c.finish().is_err());
    }

    #[test]
    fn phones_are_normalised_to_e164() {
        for (raw, e164) in [
            ("081234567890", "+6281234567890"),
            ("6281234567890", "+6281234567890"),
            ("+62 812-3456-7890", "+6281234567890"),
            (" 0812.3456.789 ", "+628123456789"),
        ] {
            assert_eq!(normalise_phone(raw).as_deref(), Some(e164), "{raw}");
        }
        for bad in [
            "",
            "0212345678",
            "+6221234567",
            "+14155550100",
            "0812",
            "08123456789012",
            "08123abc890",
            "+62+81234567",
            "812345678",
        ] {
            assert_eq!(normalise_phone(bad), None, "{bad}");
        }
    }

    #[test]
    fn emails_are_normalised() {
        let mut c = Checker::new();
        assert_eq!(
            email(&mut c, "e", Some(" Siti@Example.CO.id ".into())),
            "siti@example.co.id"
        );
        assert!(c.finish().is_ok());
        for bad in ["a@b", "@b.id", "a@.id", "a b@c.id", "a@b..id", "a@b@c.id"] {
            let mut c = Checker::new();
            email(&mut c, "e", Some(bad.into()));
            assert!(c.finish().is_err(), "{bad}");
        }
    }
}
