//! Every text of the pages comes from one catalogue per language, Bahasa Indonesia (the default)
//! and English: `locales/id.json` and `locales/en.json` for the site as a whole, and one pair of
//! files per larger area (`locales/desk.id.json`…) so that each area's words sit together. All
//! are embedded in the binary; a test proves that the languages have the same keys, that no key
//! is defined twice, and that every key a template asks for exists.

use std::collections::HashMap;
use std::sync::LazyLock;

use crate::users::Language;

/// The catalogue files, Indonesian and English side by side.
const FILES: &[(&str, &str)] = &[
    (
        include_str!("locales/id.json"),
        include_str!("locales/en.json"),
    ),
    (
        include_str!("locales/follow_up.id.json"),
        include_str!("locales/follow_up.en.json"),
    ),
    (
        include_str!("locales/desk.id.json"),
        include_str!("locales/desk.en.json"),
    ),
    (
        include_str!("locales/door.id.json"),
        include_str!("locales/door.en.json"),
    ),
    (
        include_str!("locales/booth.id.json"),
        include_str!("locales/booth.en.json"),
    ),
    (
        include_str!("locales/reports.id.json"),
        include_str!("locales/reports.en.json"),
    ),
    (
        include_str!("locales/dashboard.id.json"),
        include_str!("locales/dashboard.en.json"),
    ),
];

fn parse(source: &'static str) -> HashMap<String, String> {
    // The catalogues are files of this repository, checked by the tests below: a broken one
    // fails the build's tests, not a visitor's page.
    serde_json::from_str(source).unwrap_or_default()
}

fn merged(pick: fn(&(&'static str, &'static str)) -> &'static str) -> HashMap<String, String> {
    FILES.iter().flat_map(|pair| parse(pick(pair))).collect()
}

static ID: LazyLock<HashMap<String, String>> = LazyLock::new(|| merged(|pair| pair.0));
static EN: LazyLock<HashMap<String, String>> = LazyLock::new(|| merged(|pair| pair.1));

fn catalogue(language: Language) -> &'static HashMap<String, String> {
    match language {
        Language::Id => &ID,
        Language::En => &EN,
    }
}

/// The text of `key` in the language. A missing key shows itself (and is caught by the tests).
pub fn text(language: Language, key: &str) -> &'static str {
    match catalogue(language).get(key) {
        Some(text) => text.as_str(),
        None => {
            tracing::warn!(key, "missing text in the page catalogue");
            // Leaking the key once keeps the signature simple; it happens only for a bug.
            Box::leak(key.to_owned().into_boxed_str())
        }
    }
}

/// The text of `key` with `{name}` placeholders filled in.
pub fn fill(language: Language, key: &str, values: &[(&str, &str)]) -> String {
    let mut out = text(language, key).to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::*;

    fn keys(language: Language) -> BTreeSet<&'static str> {
        catalogue(language).keys().map(String::as_str).collect()
    }

    #[test]
    fn no_key_is_defined_in_two_files() {
        for pick in [0, 1] {
            let mut seen = BTreeSet::new();
            for pair in FILES {
                let file = parse(if pick == 0 { pair.0 } else { pair.1 });
                assert!(!file.is_empty(), "a catalogue file did not parse");
                for key in file.into_keys() {
                    assert!(seen.insert(key.clone()), "{key} is defined twice");
                }
            }
        }
    }

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let id = keys(Language::Id);
        let en = keys(Language::En);
        assert!(id.len() > 20, "the Indonesian catalogue did not parse");
        let only_id: Vec<_> = id.difference(&en).collect();
        let only_en: Vec<_> = en.difference(&id).collect();
        assert!(only_id.is_empty(), "missing in en.json: {only_id:?}");
        assert!(only_en.is_empty(), "missing in id.json: {only_en:?}");
        for language in [Language::Id, Language::En] {
            for (key, value) in catalogue(language) {
                assert!(!value.trim().is_empty(), "{key} is empty in {language:?}");
            }
        }
    }

    /// Every key a template or the page code names exists: any string literal shaped like a
    /// key (`area.name`) whose area is one of the catalogue's.
    #[test]
    fn every_key_used_exists() {
        let id = keys(Language::Id);
        let areas: BTreeSet<&str> = id.iter().filter_map(|k| k.split('.').next()).collect();
        let mut used = BTreeSet::new();
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/src/site");
        let mut dirs = vec![std::path::PathBuf::from(root)];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    dirs.push(path);
                    continue;
                }
                if path.extension().is_some_and(|e| e == "json") {
                    continue;
                }
                let source = std::fs::read_to_string(&path).unwrap_or_default();
                for literal in source.split('"').skip(1).step_by(2) {
                    let shaped = literal.contains('.')
                        && literal.chars().all(|c| {
                            c.is_ascii_lowercase() || c.is_ascii_digit() || "._".contains(c)
                        });
                    let area = literal.split('.').next().unwrap_or_default();
                    let file = [".html", ".css", ".js"]
                        .iter()
                        .any(|e| literal.ends_with(e));
                    if shaped && !file && areas.contains(area) {
                        used.insert(literal.to_owned());
                    }
                }
            }
        }
        assert!(used.len() > 10, "no keys found: {used:?}");
        let missing: Vec<_> = used.iter().filter(|k| !id.contains(k.as_str())).collect();
        assert!(
            missing.is_empty(),
            "keys used but not in the catalogues: {missing:?}"
        );
    }
}
