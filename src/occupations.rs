//! The occupations a vacancy or a hire is classified by: the 436 ISCO-08 unit groups (4-digit
//! codes, which KBJI 2014 shares), shipped in `data/occupations/` with their source. Titles are
//! English: no published KBJI 2014 titles were reachable (see that folder's README).
//!
//! Loaded once from the embedded file; [`is_known`] is the rule every occupation code passes,
//! and [`search`] serves the picker of the booth pages and `GET /api/v1/occupations`.

use std::sync::LazyLock;

use actix_web::HttpResponse;
use serde::{Deserialize, Serialize};

use crate::error::AppResult;
use crate::extract::ApiQuery;
use crate::validate::Checker;

const SOURCE: &str = include_str!("../data/occupations/isco08_unit_groups.csv");

/// The most a search answers: a picker shows a short list, never the whole classification.
pub const MAX_RESULTS: usize = 50;

/// One unit group.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Occupation {
    pub code: String,
    #[serde(rename(deserialize = "title_en"))]
    pub title: String,
}

static ALL: LazyLock<Vec<Occupation>> = LazyLock::new(|| {
    // The file is part of the binary and checked by the tests below: a broken one fails them.
    csv::Reader::from_reader(SOURCE.as_bytes())
        .deserialize()
        .filter_map(Result::ok)
        .collect()
});

/// Every unit group, in code order.
pub fn all() -> &'static [Occupation] {
    &ALL
}

/// The unit group of `code`, if it is one.
pub fn find(code: &str) -> Option<&'static Occupation> {
    let all = all();
    all.binary_search_by(|o| o.code.as_str().cmp(code))
        .ok()
        .map(|i| &all[i])
}

/// Whether `code` is an ISCO-08 (KBJI 2014) unit group.
pub fn is_known(code: &str) -> bool {
    find(code).is_some()
}

/// The rule of an occupation code, for a [`Checker`]: four digits naming a unit group.
pub fn check(c: &mut Checker, field: &str, code: &str) {
    if !c.failed(field) {
        c.check(
            is_known(code),
            field,
            "must be a 4-digit ISCO-08 (KBJI 2014) unit group code",
        );
    }
}

const MAJOR_GROUPS: &str = include_str!("../data/occupations/isco08_major_groups.csv");

static MAJOR: LazyLock<Vec<Occupation>> = LazyLock::new(|| {
    csv::Reader::from_reader(MAJOR_GROUPS.as_bytes())
        .deserialize()
        .filter_map(Result::ok)
        .collect()
});

/// The 10 ISCO-08 major groups (KBJI 2014 *golongan pokok*), codes `0` to `9`, in code order:
/// the first digit of every unit group's code.
pub fn major_groups() -> &'static [Occupation] {
    &MAJOR
}

/// Unit groups whose title contains every word of `query` (any case), or whose code starts
/// with it; titles that start with the query come first. At most `limit` (≤ [`MAX_RESULTS`]).
pub fn search(query: &str, limit: usize) -> Vec<&'static Occupation> {
    let query = query.trim().to_lowercase();
    if query.is_empty() {
        return Vec::new();
    }
    let words: Vec<&str> = query.split_whitespace().collect();
    let mut found: Vec<(bool, &'static Occupation)> = all()
        .iter()
        .filter_map(|o| {
            let title = o.title.to_lowercase();
            let by_code = o.code.starts_with(&query);
            let by_title = words.iter().all(|w| title.contains(w));
            (by_code || by_title).then(|| (!(by_code || title.starts_with(&query)), o))
        })
        .collect();
    found.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.code.cmp(&b.1.code)));
    found
        .into_iter()
        .take(limit.min(MAX_RESULTS))
        .map(|(_, o)| o)
        .collect()
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SearchQuery {
    q: Option<String>,
    limit: Option<usize>,
}

#[derive(Serialize)]
struct SearchAnswer {
    items: Vec<&'static Occupation>,
}

/// `GET /occupations?q=weld`: a public search of the unit groups by title or code.
pub async fn search_handler(ApiQuery(query): ApiQuery<SearchQuery>) -> AppResult<HttpResponse> {
    let mut c = Checker::new();
    let q = query.q.unwrap_or_default();
    c.check(
        q.chars().count() <= 100,
        "q",
        "must be at most 100 characters",
    );
    let limit = query.limit.unwrap_or(20);
    c.check(
        (1..=MAX_RESULTS).contains(&limit),
        "limit",
        "must be between 1 and 50",
    );
    c.finish()?;
    Ok(HttpResponse::Ok().json(SearchAnswer {
        items: search(&q, limit),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_file_holds_the_436_unit_groups_in_code_order() {
        let all = all();
        assert_eq!(all.len(), 436);
        assert!(all.windows(2).all(|w| w[0].code < w[1].code));
        assert!(all
            .iter()
            .all(|o| o.code.len() == 4 && o.code.chars().all(|c| c.is_ascii_digit())));
        assert_eq!(
            find("8344").map(|o| o.title.as_str()),
            Some("Lifting truck operators")
        );
        assert!(!is_known("9999"));
        assert!(!is_known("834"));
    }

    #[test]
    fn the_ten_major_groups_head_the_unit_groups() {
        let major = major_groups();
        let codes: Vec<&str> = major.iter().map(|g| g.code.as_str()).collect();
        assert_eq!(codes, ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"]);
        assert_eq!(major[8].title, "Plant and machine operators and assemblers");
        assert!(all().iter().all(|o| codes.contains(&&o.code[..1])));
    }

    #[test]
    fn the_seed_occupations_are_unit_groups() {
        for (code, _, _) in crate::seed::data::OCCUPATIONS {
            assert!(is_known(code), "{code} is not an ISCO-08 unit group");
        }
    }

    #[test]
    fn search_by_words_and_code() {
        let welders = search("WELD", 10);
        assert_eq!(welders.first().map(|o| o.code.as_str()), Some("7212"));
        assert!(search("truck operators", 10)
            .iter()
            .any(|o| o.code == "8344"));
        assert_eq!(search("834", 10).len(), 4);
        assert!(search("  ", 10).is_empty());
        assert!(search("e", 500).len() <= MAX_RESULTS);
    }
}
