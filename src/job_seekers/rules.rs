//! The rules of a profile's fields, and the input of a new profile (the body of `POST
//! /job-seekers` and of a walk-in) checked against them.

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime, Utc};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use super::{nik, Gender};
use super::{EducationLevel, JobSeeker};
use crate::db::schema::job_seekers;
use crate::error::AppResult;
use crate::validate::{self, Checker};

/// The minimum age of a job seeker, in years (the working age of Indonesian labour law).
pub const MIN_AGE_YEARS: u32 = 15;

/// The day the person became (or becomes) old enough.
fn youngest_birth_date(today: NaiveDate) -> NaiveDate {
    today
        .checked_sub_months(Months::new(12 * MIN_AGE_YEARS))
        .unwrap_or(NaiveDate::MIN)
}

/// A given birth date: not in the future, not before 1900, at least [`MIN_AGE_YEARS`] ago.
pub fn check_birth_date(c: &mut Checker, date: NaiveDate, today: NaiveDate) {
    if date > today {
        c.fail("birth_date", "must not be in the future");
    } else if date.year() < 1900 {
        c.fail("birth_date", "must be in 1900 or later");
    } else if date > youngest_birth_date(today) {
        c.fail(
            "birth_date",
            format!("the job seeker must be at least {MIN_AGE_YEARS} years old"),
        );
    }
}

/// The NIK, checked for shape and against `birth_date` and `gender` (when those are valid). When
/// no birth date is given, the age rule applies to the NIK's. Returns the NIK to hash (or a
/// placeholder once a failure is recorded) and the birth date it encodes.
pub fn check_nik(
    c: &mut Checker,
    nik: Option<String>,
    birth_date: Option<NaiveDate>,
    gender: Option<Gender>,
    today: NaiveDate,
) -> (String, Option<NaiveDate>) {
    let nik = c.required("nik", nik).trim().to_owned();
    if c.failed("nik") {
        return (nik, None);
    }
    let info = match nik::parse_nik(&nik, today) {
        Ok(info) => info,
        Err(error) => {
            c.fail("nik", error.message());
            return (nik, None);
        }
    };
    match birth_date {
        Some(date) if !c.failed("birth_date") && !info.agrees_with(date) => {
            c.fail("birth_date", "does not match the birth date in the NIK");
        }
        None if info.birth_date > youngest_birth_date(today) => c.fail(
            "nik",
            format!(
                "its birth date makes the job seeker younger than {MIN_AGE_YEARS}; give birth_date if this is wrong"
            ),
        ),
        _ => {}
    }
    if let Some(gender) = gender {
        if gender != info.gender {
            c.fail(
                "gender",
                "does not match the NIK (women's NIKs have 40 added to the birth day)",
            );
        }
    }
    (nik, Some(info.birth_date))
}

pub fn check_full_name(c: &mut Checker, value: String) -> String {
    c.text("full_name", value, 1, 200)
}

pub fn check_city(c: &mut Checker, value: String) -> String {
    c.text("city", value, 1, 100)
}

/// Optional; blank is none.
pub fn check_disability_type(c: &mut Checker, value: Option<String>) -> Option<String> {
    c.optional_text("disability_type", value, 100)
}

/// Optional; blank is none. Digits with an optional leading `+`, 8 to 15 digits.
pub fn check_phone(c: &mut Checker, value: Option<String>) -> Option<String> {
    let phone = c.optional_text("phone", value, 16)?;
    let digits = phone.strip_prefix('+').unwrap_or(&phone);
    c.check(
        (8..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()),
        "phone",
        "must be 8 to 15 digits, with an optional leading +",
    );
    Some(phone)
}

/// Optional; blank is none; lower-cased.
pub fn check_email(c: &mut Checker, value: Option<String>) -> Option<String> {
    match value {
        Some(email) if !email.trim().is_empty() => Some(validate::email(c, "email", Some(email))),
        _ => None,
    }
}

/// The fields a profile's owner may change, validated together (create, and update after
/// merging).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ProfileFields {
    pub full_name: String,
    pub education_level: EducationLevel,
    pub province_code: String,
    pub city: String,
    pub disability: bool,
    pub disability_type: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
}

impl ProfileFields {
    /// The rule across fields: a disability type only describes a disability.
    pub fn check(&self, c: &mut Checker) {
        if !c.failed("disability")
            && !c.failed("disability_type")
            && !self.disability
            && self.disability_type.is_some()
        {
            c.fail(
                "disability_type",
                "is allowed only when disability is true (set it to null when clearing disability)",
            );
        }
    }

    pub fn columns(&self) -> ProfileColumns<'_> {
        ProfileColumns {
            full_name: &self.full_name,
            education_level: self.education_level,
            province_code: &self.province_code,
            city: &self.city,
            disability: self.disability,
            disability_type: self.disability_type.as_deref(),
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
        }
    }

    pub fn from_job_seeker(job_seeker: &JobSeeker) -> Self {
        Self {
            full_name: job_seeker.full_name.clone(),
            education_level: job_seeker.education_level,
            province_code: job_seeker.province_code.clone(),
            city: job_seeker.city.clone(),
            disability: job_seeker.disability,
            disability_type: job_seeker.disability_type.clone(),
            phone: job_seeker.phone.clone(),
            email: job_seeker.email.clone(),
        }
    }
}

/// The editable columns, for both the insert and the update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = job_seekers, treat_none_as_null = true)]
pub struct ProfileColumns<'a> {
    full_name: &'a str,
    education_level: EducationLevel,
    province_code: &'a str,
    city: &'a str,
    disability: bool,
    disability_type: Option<&'a str>,
    phone: Option<&'a str>,
    email: Option<&'a str>,
}

/// A new row: the editable columns and the ones fixed at creation.
#[derive(Insertable)]
#[diesel(table_name = job_seekers)]
pub struct NewJobSeekerRow<'a> {
    pub id: &'a str,
    pub user_id: Option<&'a str>,
    pub nik_hash: &'a str,
    pub nik_last4: &'a str,
    pub birth_date: Option<NaiveDate>,
    pub gender: Gender,
    pub consent_at: NaiveDateTime,
    pub consent_recorded_by: &'a str,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    /// Consent to WhatsApp messages at the profile's phone, when it was given.
    pub whatsapp_consent_at: Option<NaiveDateTime>,
    pub whatsapp_consent_recorded_by: Option<&'a str>,
    #[diesel(embed)]
    pub columns: ProfileColumns<'a>,
}

fn today() -> NaiveDate {
    Utc::now().date_naive()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewJobSeeker {
    full_name: Option<String>,
    #[serde(default, deserialize_with = "crate::job_seekers::nik::nik_input")]
    nik: Option<String>,
    birth_date: Option<NaiveDate>,
    gender: Option<Gender>,
    education_level: Option<EducationLevel>,
    province_code: Option<String>,
    city: Option<String>,
    disability: Option<bool>,
    disability_type: Option<String>,
    phone: Option<String>,
    email: Option<String>,
    consent: Option<bool>,
    /// The person agrees to be sent their ticket and hire confirmations by WhatsApp at `phone`.
    whatsapp_consent: Option<bool>,
}

/// A new profile that passed every rule, its NIK already reduced to what is stored. A NIK claim
/// keeps it (as JSON) until an admin decides.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct NewProfile {
    nik_hash: String,
    nik_last4: String,
    birth_date: Option<NaiveDate>,
    gender: Gender,
    fields: ProfileFields,
    #[serde(default)]
    whatsapp_consent: bool,
}

impl NewJobSeeker {
    /// Checks every field (one 422 detail per field). The NIK leaves only as its keyed hash and
    /// last four digits.
    pub fn validate(self, nik_key: &[u8]) -> AppResult<NewProfile> {
        let today = today();
        let mut c = Checker::new();
        let full_name = c.required("full_name", self.full_name);
        let birth_date = self.birth_date;
        if let Some(date) = birth_date {
            check_birth_date(&mut c, date, today);
        }
        let gender = c.required("gender", self.gender);
        let (nik, nik_birth_date) = check_nik(&mut c, self.nik, birth_date, self.gender, today);
        // The NIK's birth date stands in for one not given: age breakdowns need it.
        let birth_date = birth_date.or(nik_birth_date);
        let fields = ProfileFields {
            full_name: check_full_name(&mut c, full_name),
            education_level: c.required("education_level", self.education_level),
            province_code: {
                let code = c.required("province_code", self.province_code);
                c.province("province_code", code)
            },
            city: {
                let city = c.required("city", self.city);
                check_city(&mut c, city)
            },
            disability: c.required("disability", self.disability),
            disability_type: check_disability_type(&mut c, self.disability_type),
            phone: check_phone(&mut c, self.phone),
            email: check_email(&mut c, self.email),
        };
        fields.check(&mut c);
        match self.consent {
            Some(true) => {}
            Some(false) => c.fail(
                "consent",
                "must be true: a profile is recorded only with the person's consent",
            ),
            None => c.fail("consent", "is required"),
        }
        let whatsapp_consent = self.whatsapp_consent.unwrap_or(false);
        let mobile = fields
            .phone
            .as_deref()
            .and_then(crate::validate::normalise_phone);
        if whatsapp_consent && mobile.is_none() && !c.failed("phone") {
            c.fail(
                "whatsapp_consent",
                "needs an Indonesian mobile number in phone (08…, 62… or +62…)",
            );
        }
        c.finish()?;
        Ok(NewProfile {
            nik_hash: nik::nik_hash(nik_key, &nik),
            nik_last4: nik::nik_last4(&nik),
            birth_date,
            gender,
            fields,
            whatsapp_consent,
        })
    }
}

impl NewProfile {
    pub fn nik_hash(&self) -> &str {
        &self.nik_hash
    }

    pub fn nik_last4(&self) -> &str {
        &self.nik_last4
    }

    pub fn full_name(&self) -> &str {
        &self.fields.full_name
    }

    /// The birth date given, or else the NIK's.
    pub fn birth_date(&self) -> Option<NaiveDate> {
        self.birth_date
    }

    /// The row of this profile, recorded (with the consent) by `recorded_by` at `at`, and tied
    /// to the account `user_id` if the person has one.
    pub fn row<'a>(
        &'a self,
        id: &'a str,
        user_id: Option<&'a str>,
        recorded_by: &'a str,
        at: NaiveDateTime,
    ) -> NewJobSeekerRow<'a> {
        NewJobSeekerRow {
            id,
            user_id,
            nik_hash: &self.nik_hash,
            nik_last4: &self.nik_last4,
            birth_date: self.birth_date,
            gender: self.gender,
            consent_at: at,
            consent_recorded_by: recorded_by,
            created_by: recorded_by,
            created_at: at,
            updated_at: at,
            whatsapp_consent_at: self.whatsapp_consent.then_some(at),
            whatsapp_consent_recorded_by: self.whatsapp_consent.then_some(recorded_by),
            columns: self.fields.columns(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn nik_rules_against_the_other_fields() {
        let born = NaiveDate::from_ymd_opt(1995, 8, 15).unwrap();
        let mut c = Checker::new();
        let (nik, nik_born) = check_nik(
            &mut c,
            Some(" 3174015508950002 ".into()),
            Some(born),
            Some(Gender::Female),
            today(),
        );
        assert_eq!(nik, "3174015508950002");
        assert_eq!(nik_born, Some(born));
        assert!(c.finish().is_ok());

        let mut c = Checker::new();
        check_nik(
            &mut c,
            Some("3174011508950001".into()),
            Some(born.succ_opt().unwrap()),
            Some(Gender::Female),
            today(),
        );
        let fields: Vec<_> = c
            .finish()
            .unwrap_err()
            .details
            .into_iter()
            .map(|d| d.field)
            .collect();
        assert_eq!(fields, ["birth_date", "gender"]);

        // Too young by the NIK when no birth date is given.
        let mut c = Checker::new();
        check_nik(
            &mut c,
            Some("3174010101200001".into()),
            None,
            Some(Gender::Male),
            today(),
        );
        let error = c.finish().unwrap_err();
        assert_eq!(error.details[0].field, "nik");
        assert!(!error.details[0].message.contains("3174"));
    }

    #[test]
    fn birth_dates_and_ages() {
        let check = |date: NaiveDate| {
            let mut c = Checker::new();
            check_birth_date(&mut c, date, today());
            c.finish().is_ok()
        };
        assert!(check(NaiveDate::from_ymd_opt(2011, 11, 23).unwrap()));
        assert!(!check(NaiveDate::from_ymd_opt(2011, 11, 24).unwrap()));
        assert!(!check(NaiveDate::from_ymd_opt(2027, 1, 1).unwrap()));
        assert!(!check(NaiveDate::from_ymd_opt(1899, 12, 31).unwrap()));
    }

    #[test]
    fn phones() {
        for (phone, ok) in [
            ("081234567890", true),
            ("+6281234567890", true),
            ("12345678", true),
            ("1234567", false),
            ("+1234567890123456", false),
            ("0812-3456-7890", false),
            ("++6281234567", false),
            ("0812 3456 7890", false),
        ] {
            let mut c = Checker::new();
            check_phone(&mut c, Some(phone.into()));
            assert_eq!(c.finish().is_ok(), ok, "{phone}");
        }
    }
}
