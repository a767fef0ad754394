//! Check-in codes: what a registration's QR code carries, and what door staff type when a QR
//! code will not scan.
//!
//! New codes are 80 random bits in Crockford base32, 16 characters shown in four groups of four
//! (`7KQ2-M9XD-4RTB-H0VA`): no I, L, O or U, so nothing is misread. Codes made before that are 128
//! random bits in base64url (22 characters); they keep working.
//!
//! A typed code is compared after [`normalize_code`], the one rule for "the same code", which
//! forgives case, spaces, hyphens and the look-alikes I/L (→ 1) and O (→ 0). The database keeps
//! the normalized form of every stored code in the generated column `registrations.check_in_key`
//! (the same rule written in SQL, for the characters codes are made of), indexed per event. The
//! door scanner's check-in list carries [`code_hash`]: the lowercase hex SHA-256 of the
//! normalized code, so a scanner offline hashes what it scanned the same way and looks it up.

use rand::RngCore;
use sha2::{Digest, Sha256};

/// Crockford's base32 alphabet: digits and letters without I, L, O and U.
const CROCKFORD: &[u8; 32] = b"0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/// A new check-in code: 80 random bits as 16 Crockford base32 characters, in groups of four
/// joined by hyphens (19 characters).
pub fn new_check_in_code() -> String {
    let mut bytes = [0u8; 10];
    rand::rng().fill_bytes(&mut bytes);
    code_of(bytes)
}

/// The check-in code that carries these 80 bits (the seed draws them from its own generator).
pub fn code_of(bytes: [u8; 10]) -> String {
    let bits = bytes
        .iter()
        .fold(0u128, |acc, b| (acc << 8) | u128::from(*b));
    let mut code = String::with_capacity(19);
    for i in 0..16 {
        if i > 0 && i % 4 == 0 {
            code.push('-');
        }
        let digit = (bits >> (75 - 5 * i)) & 0x1f;
        code.push(char::from(CROCKFORD[digit as usize]));
    }
    code
}

/// A check-in code as compared: every white-space character and hyphen removed, ASCII letters
/// upper-cased, then `I` and `L` read as `1` and `O` as `0`. Other characters stay as they are.
///
/// The scanner page mirrors this exactly (in JavaScript:
/// `s.replace(/[\s-]/g, "").replace(/[a-z]/g, c => c.toUpperCase()).replace(/[IL]/g, "1").replace(/O/g, "0")`),
/// and so does the generated column `registrations.check_in_key` for stored codes.
pub fn normalize_code(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| match c.to_ascii_uppercase() {
            'I' | 'L' => '1',
            'O' => '0',
            other => other,
        })
        .collect()
}

/// What the check-in list carries instead of a code: the lowercase hex SHA-256 of the
/// normalized code (of its UTF-8 bytes).
pub fn code_hash(code: &str) -> String {
    key_hash(&normalize_code(code))
}

/// [`code_hash`] of a code already normalized (a `check_in_key`).
pub fn key_hash(key: &str) -> String {
    Sha256::digest(key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_codes_are_80_random_bits_of_crockford_base32_in_groups() {
        let a = new_check_in_code();
        assert_eq!(a.len(), 19);
        let groups: Vec<&str> = a.split('-').collect();
        assert_eq!(groups.len(), 4);
        assert!(groups
            .iter()
            .all(|g| g.len() == 4 && g.bytes().all(|b| CROCKFORD.contains(&b))));
        assert_ne!(a, new_check_in_code());
        // A code is already in its normalized form, bar the hyphens.
        assert_eq!(normalize_code(&a), a.replace('-', ""));
    }

    #[test]
    fn typed_codes_forgive_case_spaces_hyphens_and_look_alikes() {
        assert_eq!(normalize_code("7kq2-m9xd 4rtb-h0va"), "7KQ2M9XD4RTBH0VA");
        assert_eq!(normalize_code("0o1iIlL"), "0011111");
        assert_eq!(normalize_code(" ab\tc-\n"), "ABC");
        // Old base64url codes keep their other characters.
        assert_eq!(normalize_code("a_b-c"), "A_BC");
        assert_eq!(code_hash("7kq2-m9xd"), code_hash("7KQ2M9XD"));
        // What the scanner page's JavaScript mirror must also do (tests/api/browser/door.rs
        // runs both on the same inputs): only ASCII letters change case, non-ASCII stays.
        assert_eq!(normalize_code("äbç-ıi"), "äBçı1");
        assert_eq!(normalize_code("\u{a0}7kq2\u{2003}m9xd\r\n"), "7KQ2M9XD");
        assert_eq!(
            key_hash("ABC"),
            "b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78"
        );
    }
}
