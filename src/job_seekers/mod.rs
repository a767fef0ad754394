//! Job seekers: the people fairs are for. The model, the NIK rules and the queries.
//!
//! A profile belongs to a `job_seeker` account (`user_id`), or is a walk-in recorded by organizer
//! staff (no `user_id`). One person is one profile: the national ID number (NIK) is unique. It is
//! checked for shape, then stored only as an HMAC-SHA256 under `BURSA_NIK_SECRET` (see
//! [`nik_hash`]) with its last four digits; the API never returns it and nothing logs it.
//!
//! Who reads a profile: the person themself, ministry staff, admins, the user who recorded it, and
//! members of an organization that runs an event the job seeker is registered for. Anyone else
//! gets 404, as if it did not exist.

pub mod handlers;

use chrono::{Datelike, Months, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;

use crate::auth::AuthUser;
use crate::db::schema::{events, job_seekers, memberships, registrations};
use crate::db::{write_transaction, DbConn};
use crate::error::{AppError, AppResult, FieldError};
use crate::validate::{self, Checker};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gender {
    /// The placeholder of a missing value (see [`Checker`]).
    #[default]
    Female,
    Male,
}

/// The highest education completed: primary (`sd`), junior (`smp`) and senior (`sma`) high
/// school, vocational high school (`smk`), diplomas `d1` to `d4`, degrees `s1` to `s3`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EducationLevel {
    /// The placeholder of a missing value (see [`Checker`]).
    #[default]
    Sd,
    Smp,
    Sma,
    Smk,
    D1,
    D2,
    D3,
    D4,
    S1,
    S2,
    S3,
}

macro_rules! str_enum {
    ($ty:ty { $($variant:ident => $text:literal),+ $(,)? }) => {
        impl $ty {
            pub fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $text),+ }
            }
            pub fn parse(s: &str) -> Option<Self> {
                match s { $($text => Some(Self::$variant),)+ _ => None }
            }
        }
    };
}
str_enum!(Gender { Female => "female", Male => "male" });

impl EducationLevel {
    pub const ALL: [EducationLevel; 11] = [
        Self::Sd,
        Self::Smp,
        Self::Sma,
        Self::Smk,
        Self::D1,
        Self::D2,
        Self::D3,
        Self::D4,
        Self::S1,
        Self::S2,
        Self::S3,
    ];

    /// SMA and SMK (general and vocational upper secondary) are the same level, as are D4 and S1.
    fn rank(self) -> u8 {
        match self {
            Self::Sd => 0,
            Self::Smp => 1,
            Self::Sma | Self::Smk => 2,
            Self::D1 => 3,
            Self::D2 => 4,
            Self::D3 => 5,
            Self::D4 | Self::S1 => 6,
            Self::S2 => 7,
            Self::S3 => 8,
        }
    }

    /// The minimum requirements (as stored) that a person with this level meets.
    pub fn satisfies(self) -> Vec<&'static str> {
        Self::ALL
            .iter()
            .filter(|level| level.rank() <= self.rank())
            .map(|level| level.as_str())
            .collect()
    }
}
str_enum!(EducationLevel {
    Sd => "sd", Smp => "smp", Sma => "sma", Smk => "smk", D1 => "d1", D2 => "d2", D3 => "d3",
    D4 => "d4", S1 => "s1", S2 => "s2", S3 => "s3",
});

/// A job seeker as the API shows it. The NIK's hash is not even selected.
#[derive(Debug, Clone, Queryable, Selectable, Serialize)]
#[diesel(table_name = job_seekers)]
pub struct JobSeeker {
    pub id: String,
    /// The account of the person, or null for a walk-in recorded by staff.
    pub user_id: Option<String>,
    pub full_name: String,
    pub nik_last4: String,
    pub birth_date: Option<NaiveDate>,
    pub gender: String,
    pub education_level: String,
    pub province_code: String,
    pub city: String,
    pub disability: bool,
    pub disability_type: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub consent_at: NaiveDateTime,
    /// The user who recorded the consent (the person themself, or the staff member).
    pub consent_recorded_by: String,
    #[serde(skip)]
    pub created_by: String,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub created_at: NaiveDateTime,
    #[serde(serialize_with = "crate::db::serialize_utc")]
    pub updated_at: NaiveDateTime,
}

impl JobSeeker {
    /// Who may change the profile: the person themself, admins, and the user who recorded a
    /// walk-in profile (one not tied to an account).
    pub fn editable_by(&self, caller: &AuthUser) -> bool {
        caller.is_admin()
            || self.user_id.as_deref() == Some(caller.id.as_str())
            || (self.user_id.is_none() && self.created_by == caller.id)
    }
}

// ---------------------------------------------------------------------------------------------
// The NIK
// ---------------------------------------------------------------------------------------------

/// What a NIK of valid shape tells: the holder's birth date and gender.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NikInfo {
    /// The birth date it encodes, in the century that puts it not in the future.
    pub birth_date: NaiveDate,
    pub gender: Gender,
}

impl NikInfo {
    /// Whether `date` is the NIK's birth date. The NIK holds two digits of the year, read in the
    /// latest century that is not in the future; the other century is not accepted, or a
    /// child's NIK would pass the age rule with a birth date a hundred years earlier.
    pub fn agrees_with(&self, date: NaiveDate) -> bool {
        date == self.birth_date
    }
}

/// Why a NIK was refused. The messages never repeat the number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NikError {
    Shape,
    Province,
    BirthDate,
}

impl NikError {
    pub fn message(self) -> &'static str {
        match self {
            Self::Shape => "must be exactly 16 digits",
            Self::Province => "does not start with a known province code",
            Self::BirthDate => {
                "digits 7 to 12 are not a valid birth date (DDMMYY, day + 40 for women)"
            }
        }
    }
}

/// Checks the shape of a NIK: 16 digits; the first two a province code; digits 7 to 12 the birth
/// date as DDMMYY, with 40 added to the day for women. The century is the one that puts the
/// date on or before `today`.
pub fn parse_nik(nik: &str, today: NaiveDate) -> Result<NikInfo, NikError> {
    if nik.len() != 16 || !nik.bytes().all(|b| b.is_ascii_digit()) {
        return Err(NikError::Shape);
    }
    if crate::provinces::find(&nik[..2]).is_none() {
        return Err(NikError::Province);
    }
    let number = |range: std::ops::Range<usize>| nik[range].parse::<u32>().unwrap_or(0);
    let (day, month, yy) = (number(6..8), number(8..10), number(10..12));
    let (day, gender) = if day > 40 {
        (day - 40, Gender::Female)
    } else {
        (day, Gender::Male)
    };
    // `yy` is at most 99, so the conversion cannot fail.
    let yy = i32::try_from(yy).unwrap_or(0);
    let birth_date = [2000, 1900]
        .into_iter()
        .filter_map(|century| NaiveDate::from_ymd_opt(century + yy, month, day))
        .find(|date| *date <= today)
        .ok_or(NikError::BirthDate)?;
    Ok(NikInfo { birth_date, gender })
}

/// The stored form of a NIK: HMAC-SHA256 keyed with the NIK secret, in lower-case hex. The same
/// NIK always gives the same hash under the same secret, so uniqueness holds without storing it;
/// without the secret the hash cannot be matched against the (small) space of NIKs.
pub fn nik_hash(key: &[u8], nik: &str) -> String {
    let mut mac =
        <Hmac<Sha256> as Mac>::new_from_slice(key).expect("HMAC-SHA256 takes keys of any length");
    mac.update(nik.as_bytes());
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The last four digits, the only part of a NIK that is stored and shown.
pub fn nik_last4(nik: &str) -> String {
    nik[nik.len().saturating_sub(4)..].to_owned()
}

/// Deserializes the `nik` field without ever echoing the value in an error message (serde's
/// "invalid type: integer `3174…`" would). Use with `#[serde(default, deserialize_with)]`.
pub fn nik_input<'de, D>(deserializer: D) -> Result<Option<String>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    match serde_json::Value::deserialize(deserializer)? {
        serde_json::Value::String(nik) => Ok(Some(nik)),
        serde_json::Value::Null => Ok(None),
        _ => Err(serde::de::Error::custom(
            "must be a string of 16 digits (a NIK sent as a number loses its leading digits)",
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Field rules
// ---------------------------------------------------------------------------------------------

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
    let info = match parse_nik(&nik, today) {
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
#[derive(Debug, Clone)]
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
            education_level: self.education_level.as_str(),
            province_code: &self.province_code,
            city: &self.city,
            disability: self.disability,
            disability_type: self.disability_type.as_deref(),
            phone: self.phone.as_deref(),
            email: self.email.as_deref(),
        }
    }

    pub fn from_job_seeker(job_seeker: &JobSeeker) -> AppResult<Self> {
        Ok(Self {
            full_name: job_seeker.full_name.clone(),
            education_level: EducationLevel::parse(&job_seeker.education_level).ok_or_else(
                || {
                    AppError::internal(format!(
                        "job seeker {} has an unknown education level",
                        job_seeker.id
                    ))
                },
            )?,
            province_code: job_seeker.province_code.clone(),
            city: job_seeker.city.clone(),
            disability: job_seeker.disability,
            disability_type: job_seeker.disability_type.clone(),
            phone: job_seeker.phone.clone(),
            email: job_seeker.email.clone(),
        })
    }
}

/// The editable columns, for both the insert and the update.
#[derive(Insertable, AsChangeset)]
#[diesel(table_name = job_seekers, treat_none_as_null = true)]
pub struct ProfileColumns<'a> {
    full_name: &'a str,
    education_level: &'static str,
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
    pub gender: &'static str,
    pub consent_at: NaiveDateTime,
    pub consent_recorded_by: &'a str,
    pub created_by: &'a str,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    #[diesel(embed)]
    pub columns: ProfileColumns<'a>,
}

// ---------------------------------------------------------------------------------------------
// Errors and queries
// ---------------------------------------------------------------------------------------------

/// 409 `profile_exists`, with the caller's existing profile id in `details` (`job_seeker_id`).
pub fn profile_exists(existing_id: &str) -> AppError {
    AppError::conflict(
        "profile_exists",
        "this account already has a job seeker profile",
    )
    .with_details(vec![FieldError::new("job_seeker_id", existing_id)])
}

/// 409 `nik_registered`, with the id of the job seeker who holds the NIK in `details`
/// (`job_seeker_id`).
pub fn nik_registered(existing_id: &str) -> AppError {
    AppError::conflict(
        "nik_registered",
        "a job seeker with this NIK is already registered",
    )
    .with_details(vec![FieldError::new("job_seeker_id", existing_id)])
}

pub fn find(conn: &mut DbConn, id: &str) -> QueryResult<Option<JobSeeker>> {
    job_seekers::table
        .find(id)
        .select(JobSeeker::as_select())
        .first(conn)
        .optional()
}

/// The profile of the account `user_id`.
pub fn find_by_user(conn: &mut DbConn, user_id: &str) -> QueryResult<Option<JobSeeker>> {
    job_seekers::table
        .filter(job_seekers::user_id.eq(user_id))
        .select(JobSeeker::as_select())
        .first(conn)
        .optional()
}

pub fn id_by_nik_hash(conn: &mut DbConn, nik_hash: &str) -> QueryResult<Option<String>> {
    job_seekers::table
        .filter(job_seekers::nik_hash.eq(nik_hash))
        .select(job_seekers::id)
        .first(conn)
        .optional()
}

/// The profile if `caller` may read it: ministry staff and admins any; anyone else their own,
/// one they recorded, or one registered for an event of an organization they belong to. One
/// query either way.
pub fn find_visible(
    conn: &mut DbConn,
    id: &str,
    caller: &AuthUser,
) -> QueryResult<Option<JobSeeker>> {
    if caller.role.reads_everything() {
        return find(conn, id);
    }
    let registered_with_caller = diesel::dsl::exists(
        registrations::table
            .inner_join(events::table)
            .inner_join(
                memberships::table.on(memberships::organization_id.eq(events::organization_id)),
            )
            .filter(registrations::job_seeker_id.eq(id))
            .filter(memberships::user_id.eq(&caller.id))
            .filter(crate::organizations::acts_now())
            .select(registrations::id),
    );
    job_seekers::table
        .find(id)
        .filter(
            job_seekers::user_id
                .eq(&caller.id)
                .or(job_seekers::created_by.eq(&caller.id))
                .or(registered_with_caller),
        )
        .select(JobSeeker::as_select())
        .first(conn)
        .optional()
}

/// 409 if the account already has a profile or the NIK is registered.
fn check_free(conn: &mut DbConn, row: &NewJobSeekerRow<'_>) -> AppResult<()> {
    if let Some(user_id) = row.user_id {
        if let Some(existing) = find_by_user(conn, user_id)? {
            return Err(profile_exists(&existing.id));
        }
    }
    if let Some(existing) = id_by_nik_hash(conn, row.nik_hash)? {
        return Err(nik_registered(&existing));
    }
    Ok(())
}

/// The audit record of a new profile (made at the event `event_id` by a walk-in, if so). It names
/// what was recorded, never the NIK nor its hash (`nik_last4` only).
pub fn created_change<'a>(
    job_seeker: &'a JobSeeker,
    event_id: Option<&'a str>,
) -> crate::audit::Change<'a> {
    crate::audit::Change {
        action: "job_seeker.create",
        entity: "job_seeker",
        entity_id: &job_seeker.id,
        event_id,
        changes: serde_json::json!({
            "user_id": job_seeker.user_id,
            "full_name": job_seeker.full_name,
            "nik_last4": job_seeker.nik_last4,
            "gender": job_seeker.gender,
            "education_level": job_seeker.education_level,
            "province_code": job_seeker.province_code,
            "city": job_seeker.city,
            "disability": job_seeker.disability,
            "consent_recorded_by": job_seeker.consent_recorded_by,
        }),
    }
}

/// Inserts a profile: 409 `profile_exists` or `nik_registered` when it would be a second one.
pub fn create(conn: &mut DbConn, row: &NewJobSeekerRow<'_>) -> AppResult<JobSeeker> {
    let created = write_transaction(conn, |conn| {
        check_free(conn, row)?;
        diesel::insert_into(job_seekers::table)
            .values(row)
            .execute(conn)?;
        find(conn, row.id)?.ok_or_else(|| AppError::not_found("job seeker"))
    });
    match created {
        // A concurrent request took the account or the NIK between the check and the insert:
        // the transaction is rolled back, so look again to say which (and give the id).
        Err(error) if error.code == "conflict" => {
            check_free(conn, row)?;
            Err(error)
        }
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 23).unwrap()
    }

    #[test]
    fn nik_shapes() {
        let male = parse_nik("3174011508950001", today()).unwrap();
        assert_eq!(male.gender, Gender::Male);
        assert_eq!(
            male.birth_date,
            NaiveDate::from_ymd_opt(1995, 8, 15).unwrap()
        );
        let female = parse_nik("3174015508950002", today()).unwrap();
        assert_eq!(female.gender, Gender::Female);
        assert_eq!(female.birth_date, male.birth_date);
        // The century puts the date not in the future.
        let young = parse_nik("3174010101100001", today()).unwrap();
        assert_eq!(
            young.birth_date,
            NaiveDate::from_ymd_opt(2010, 1, 1).unwrap()
        );
        let old = parse_nik("3174010101300001", today()).unwrap();
        assert_eq!(old.birth_date, NaiveDate::from_ymd_opt(1930, 1, 1).unwrap());
        assert!(old.agrees_with(NaiveDate::from_ymd_opt(1930, 1, 1).unwrap()));
        // Not a century earlier: a child's NIK cannot pass for a centenarian's.
        assert!(!young.agrees_with(NaiveDate::from_ymd_opt(1910, 1, 1).unwrap()));
        assert!(!old.agrees_with(NaiveDate::from_ymd_opt(1930, 1, 2).unwrap()));
        // A leap day exists in 2000 (not in 1900).
        assert!(parse_nik("3174012902000001", today()).is_ok());

        let cases = [
            ("9974011508950001", NikError::Province),
            ("0074011508950001", NikError::Province),
            ("3174013208950001", NikError::BirthDate),
            ("3174010008950001", NikError::BirthDate),
            ("3174014008950001", NikError::BirthDate),
            ("3174017208950001", NikError::BirthDate),
            ("3174011513950001", NikError::BirthDate),
            ("3174012902010001", NikError::BirthDate),
            ("317401150895000", NikError::Shape),
            ("31740115089500011", NikError::Shape),
            ("", NikError::Shape),
            ("31740115089500a1", NikError::Shape),
            ("3174-11508950001", NikError::Shape),
            ("３１74011508950001", NikError::Shape),
        ];
        for (nik, error) in cases {
            assert_eq!(parse_nik(nik, today()), Err(error), "{nik}");
        }
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

    #[test]
    fn education_levels_rank_sma_with_smk_and_d4_with_s1() {
        assert_eq!(EducationLevel::Smk.satisfies(), ["sd", "smp", "sma", "smk"]);
        assert!(EducationLevel::D4.satisfies().contains(&"s1"));
        assert!(!EducationLevel::D3.satisfies().contains(&"d4"));
    }

    #[test]
    fn the_nik_hash_is_keyed_and_deterministic() {
        let nik = "3174011508950001";
        let a = nik_hash(b"secret-one-of-at-least-thirty-two-bytes", nik);
        assert_eq!(a, nik_hash(b"secret-one-of-at-least-thirty-two-bytes", nik));
        assert_eq!(a.len(), 64);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(a, nik_hash(b"secret-two-of-at-least-thirty-two-bytes", nik));
        assert_ne!(
            a,
            nik_hash(
                b"secret-one-of-at-least-thirty-two-bytes",
                "3174015508950002"
            )
        );
        assert!(!a.contains(nik));
        assert_eq!(nik_last4(nik), "0001");
    }
}
