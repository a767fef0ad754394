//! Whether a name given at the desk is the name on a stored profile.
//!
//! Staff type a walk-in's name from an ID card or as spoken, so the comparison tolerates what
//! varies between two honest spellings of one name, and nothing more:
//! - case, accents (`René` = `Rene`), punctuation and spacing (`Ma'ruf` = `Maruf`);
//! - leading honorifics and titles (`Bapak`, `Ibu`, `H.`, `Hj.`, `Dr.`, `Ir.` …) and academic
//!   titles after a comma (`Budi Santoso, S.Kom.`);
//! - words run together or apart (`Siti Nurhaliza` = `Siti Nur Haliza`);
//! - a name given in part or in full, when the shorter has at least two words (`Siti Rahayu` =
//!   `Siti Rahayu Putri`), never a single word (`Budi` ≠ `Budi Santoso`);
//! - one letter added, dropped or changed in a name of at least six letters (`Muhamad Rizki` =
//!   `Muhammad Rizki`).
//!
//! Anything else (`Budi` vs `Siti`) is another name.

/// Titles and forms of address that may precede a name.
const HONORIFICS: &[&str] = &[
    "bapak", "pak", "bpk", "ibu", "bu", "sdr", "sdri", "saudara", "saudari", "tn", "tuan", "ny",
    "nyonya", "nn", "nona", "h", "hj", "haji", "hajjah", "hajah", "dr", "drs", "dra", "ir", "prof",
    "kh", "ust", "ustadz", "ustadzah", "mr", "mrs", "ms",
];

/// The shortest name (letters, words run together) in which one edit is tolerated.
const MIN_LETTERS_FOR_AN_EDIT: usize = 6;

/// Whether `given` and `stored` are spellings of the same name (see the module docs).
pub fn same_name(given: &str, stored: &str) -> bool {
    let (a, b) = (words(given), words(stored));
    if a.is_empty() || b.is_empty() {
        return false;
    }
    let (joined_a, joined_b) = (a.concat(), b.concat());
    if joined_a == joined_b {
        return true;
    }
    let (short, long) = if a.len() <= b.len() {
        (&a, &b)
    } else {
        (&b, &a)
    };
    if short.len() >= 2 && short.iter().all(|word| long.contains(word)) {
        return true;
    }
    joined_a.chars().count().min(joined_b.chars().count()) >= MIN_LETTERS_FOR_AN_EDIT
        && edit_distance(&joined_a, &joined_b) <= 1
}

/// The words of a name: folded to lower-case letters without accents, honorifics and titles
/// dropped.
fn words(name: &str) -> Vec<String> {
    // Academic and other titles follow a comma: "Budi Santoso, S.Kom., M.M.".
    let name = name.split(',').next().unwrap_or("");
    let mut folded = String::with_capacity(name.len());
    for c in name.chars().flat_map(char::to_lowercase) {
        match c {
            // An apostrophe joins: "Ma'ruf" is "Maruf".
            '\'' | '\u{2019}' | '`' | '\u{2bc}' => {}
            c if c.is_alphanumeric() => match fold(c) {
                Some(plain) => folded.push_str(plain),
                None => folded.push(c),
            },
            _ => folded.push(' '),
        }
    }
    let mut words: Vec<String> = folded.split_whitespace().map(str::to_owned).collect();
    while words.len() > 1 && HONORIFICS.contains(&words[0].as_str()) {
        words.remove(0);
    }
    words
}

/// A lower-case letter of Latin-1 or Latin Extended-A without its accent; `None` for any other
/// character, which stands for itself.
fn fold(c: char) -> Option<&'static str> {
    Some(match c {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
        'æ' => "ae",
        'ç' | 'ć' | 'ĉ' | 'ċ' | 'č' => "c",
        'ď' | 'đ' => "d",
        'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ĕ' | 'ė' | 'ę' | 'ě' => "e",
        'ĝ' | 'ğ' | 'ġ' | 'ģ' => "g",
        'ĥ' | 'ħ' => "h",
        'ì' | 'í' | 'î' | 'ï' | 'ĩ' | 'ī' | 'ĭ' | 'į' | 'ı' => "i",
        'ĵ' => "j",
        'ķ' => "k",
        'ĺ' | 'ļ' | 'ľ' | 'ŀ' | 'ł' => "l",
        'ñ' | 'ń' | 'ņ' | 'ň' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ŏ' | 'ő' => "o",
        'œ' => "oe",
        'ŕ' | 'ŗ' | 'ř' => "r",
        'ś' | 'ŝ' | 'ş' | 'š' => "s",
        'ß' => "ss",
        'ţ' | 'ť' | 'ŧ' => "t",
        'ù' | 'ú' | 'û' | 'ü' | 'ũ' | 'ū' | 'ŭ' | 'ů' | 'ű' | 'ų' => "u",
        'ŵ' => "w",
        'ý' | 'ÿ' | 'ŷ' => "y",
        'ź' | 'ż' | 'ž' => "z",
        _ => return None,
    })
}

/// Levenshtein distance between two texts, by characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut current = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != *cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        previous = current;
    }
    previous[b.len()]
}

/// The name shown at the door: the given name and the initial of the next word ("Siti Rahayu
/// Putri" → "Siti R."), without leading honorifics or titles after a comma; a one-word name
/// whole. Enough to greet a person and tell two apart, no more.
pub fn short_name(full_name: &str) -> String {
    let name = full_name.split(',').next().unwrap_or("");
    let mut words: Vec<&str> = name.split_whitespace().collect();
    while words.len() > 1 {
        let bare = words[0].trim_end_matches('.').to_lowercase();
        if !HONORIFICS.contains(&bare.as_str()) {
            break;
        }
        words.remove(0);
    }
    match words.as_slice() {
        [] => String::new(),
        [given] => (*given).to_owned(),
        [given, next, ..] => match next.chars().next() {
            Some(initial) => format!("{given} {}.", initial.to_uppercase()),
            None => (*given).to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_door_shows_a_given_name_and_an_initial() {
        assert_eq!(short_name("Siti Rahayu Putri"), "Siti R.");
        assert_eq!(short_name("Ibu Hj. siti rahayu"), "siti R.");
        assert_eq!(short_name("Budi Santoso, S.Kom."), "Budi S.");
        assert_eq!(short_name("Sukarno"), "Sukarno");
        assert_eq!(short_name("  "), "");
    }

    #[test]
    fn one_name_spelled_many_ways() {
        for (given, stored) in [
            ("SITI NURHALIZA", "Siti Nurhaliza"),
            ("  siti   nurhaliza ", "Siti Nurhaliza"),
            ("Siti Nur Haliza", "Siti Nurhaliza"),
            ("Siti Nurhaliza", "Siti Nur-Haliza"),
            ("Hj. Siti Nurhaliza", "Siti Nurhaliza"),
            ("Ibu Siti Nurhaliza", "SITI NURHALIZA"),
            ("Dr. Ir. Budi Santoso, M.T.", "Budi Santoso"),
            ("Budi Santoso, S.Kom.", "budi santoso"),
            ("Siti Rahayu", "Siti Rahayu Putri"),
            ("Muhamad Rizki", "Muhammad Rizki"),
            ("Ma'ruf Amin", "Maruf Amin"),
            ("René Sitompul", "Rene Sitompul"),
            ("Budi", "BUDI"),
        ] {
            assert!(same_name(given, stored), "{given} = {stored}");
        }
    }

    #[test]
    fn other_names_are_other_people() {
        for (given, stored) in [
            ("Budi", "Siti"),
            ("Budi", "Budi Santoso"),
            ("Siti", "Siti Nurhaliza"),
            ("Agus Setiawan", "Siti Nurhaliza"),
            ("Siti Rahayu", "Siti Rahmawati"),
            ("Dewi Lestari", "Dewi Lestiani"),
            ("Bapak", "Budi"),
            ("", "Siti"),
            ("...", "..."),
            ("Pak", "Bu"),
        ] {
            assert!(!same_name(given, stored), "{given} != {stored}");
        }
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("muhamad", "muhammad"), 1);
        assert_eq!(edit_distance("budi", "siti"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("rené", "rene"), 1);
    }
}
