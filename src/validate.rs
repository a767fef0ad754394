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

    /// Trimmed text of `min..=max` characters.
    pub fn text(&mut self, field: &str, value: String, min: usize, max: usize) -> String {
        let value = value.trim().to_owned();
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
