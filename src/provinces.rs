//! The 38 provinces of Indonesia with their time zones, shipped with the binary (the same rows
//! are in the `provinces` table, which foreign keys point at; a test keeps the two equal).

use std::sync::LazyLock;

use serde::Serialize;

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct Province {
    pub code: &'static str,
    pub name: &'static str,
    pub timezone: &'static str,
}

static PROVINCES: LazyLock<Vec<Province>> = LazyLock::new(|| {
    include_str!("../data/provinces.csv")
        .lines()
        .skip(1)
        .filter(|line| !line.trim().is_empty())
        .filter_map(|line| {
            let mut fields = line.split(',');
            Some(Province {
                code: fields.next()?.trim(),
                name: fields.next()?.trim(),
                timezone: fields.next()?.trim(),
            })
        })
        .collect()
});

pub fn all() -> &'static [Province] {
    &PROVINCES
}

pub fn find(code: &str) -> Option<&'static Province> {
    PROVINCES.iter().find(|p| p.code == code)
}

#[cfg(test)]
mod tests {
    #[test]
    fn all_38_provinces_are_known() {
        assert_eq!(super::all().len(), 38);
        assert_eq!(super::find("31").map(|p| p.name), Some("DKI Jakarta"));
        assert_eq!(super::find("96").map(|p| p.timezone), Some("Asia/Jayapura"));
        assert!(super::find("99").is_none());
    }
}
