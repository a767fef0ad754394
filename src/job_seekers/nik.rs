//! The national ID number (NIK): its shape, what it tells, and the only forms in which it is kept
//! (a keyed hash and the last four digits). Nothing here logs or echoes a NIK.

use chrono::NaiveDate;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::Gender;

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
