//! The dashboard's URL: its filters and choices, read leniently from a GET form (an empty field
//! is no filter) and written back into links, so that a view can be shared and every link of
//! the page (sort, map metric, drill-down, downloads) keeps the others.

use chrono::NaiveDate;
use serde::Deserialize;

use crate::events::FundingSource;
use crate::metrics::rollup::Filter;

/// The raw query of `/dashboard` and `/dashboard/download`.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct RawQuery {
    pub from: String,
    pub to: String,
    pub province: String,
    pub funding: String,
    pub organization: String,
    pub metric: String,
    pub sort: String,
    pub period: String,
    /// The download's table and file kind.
    pub table: String,
    pub format: String,
}

/// What the map is shaded by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Metric {
    #[default]
    PlacementRate,
    PlacementsVerified,
    CostPerPlacement,
    Attendees,
    Events,
}

impl Metric {
    pub const ALL: [Metric; 5] = [
        Metric::PlacementRate,
        Metric::PlacementsVerified,
        Metric::CostPerPlacement,
        Metric::Attendees,
        Metric::Events,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::PlacementRate => "placement_rate",
            Self::PlacementsVerified => "placements_verified",
            Self::CostPerPlacement => "cost_per_placement_idr",
            Self::Attendees => "attendees",
            Self::Events => "events",
        }
    }

    fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|m| m.as_str() == raw)
    }
}

/// Months or quarters for the trend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Period {
    #[default]
    Month,
    Quarter,
}

impl Period {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Month => "month",
            Self::Quarter => "quarter",
        }
    }
}

/// The table columns the province table sorts by (`sort=name`, `sort=-placement_rate`…).
pub const SORT_KEYS: [&str; 7] = [
    "name",
    "events",
    "attendees",
    "placements_verified",
    "placement_rate",
    "cost_per_placement_idr",
    "code",
];

/// The dashboard's choices, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub province: Option<String>,
    pub funding: Option<FundingSource>,
    pub organization: Option<String>,
    pub metric: Metric,
    /// A key of [`SORT_KEYS`], and whether descending.
    pub sort: (&'static str, bool),
    pub period: Period,
}

impl Default for View {
    fn default() -> Self {
        Self {
            from: None,
            to: None,
            province: None,
            funding: None,
            organization: None,
            metric: Metric::default(),
            sort: ("name", false),
            period: Period::default(),
        }
    }
}

/// Which field of the form is wrong.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid(pub &'static str);

fn blank(raw: &str) -> Option<&str> {
    Some(raw.trim()).filter(|s| !s.is_empty())
}

impl View {
    pub fn parse(raw: &RawQuery) -> Result<Self, Invalid> {
        let date = |value: &str, field| match blank(value) {
            None => Ok(None),
            Some(v) => NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .map(Some)
                .map_err(|_| Invalid(field)),
        };
        let from = date(&raw.from, "from")?;
        let to = date(&raw.to, "to")?;
        if let (Some(from), Some(to)) = (from, to) {
            if from > to {
                return Err(Invalid("to"));
            }
        }
        let province = match blank(&raw.province) {
            None => None,
            Some(code) => Some(
                crate::provinces::find(code)
                    .ok_or(Invalid("province"))?
                    .code
                    .to_owned(),
            ),
        };
        let funding = match blank(&raw.funding) {
            None => None,
            Some(v) => Some(FundingSource::parse(v).ok_or(Invalid("funding"))?),
        };
        let organization = match blank(&raw.organization) {
            None => None,
            Some(v) => Some(
                uuid::Uuid::parse_str(v)
                    .map_err(|_| Invalid("organization"))?
                    .hyphenated()
                    .to_string(),
            ),
        };
        let metric = match blank(&raw.metric) {
            None => Metric::default(),
            Some(v) => Metric::parse(v).ok_or(Invalid("metric"))?,
        };
        let sort = match blank(&raw.sort) {
            None => ("name", false),
            Some(v) => {
                let (descending, key) = match v.strip_prefix('-') {
                    Some(key) => (true, key),
                    None => (false, v),
                };
                let key = SORT_KEYS
                    .into_iter()
                    .find(|k| *k == key)
                    .ok_or(Invalid("sort"))?;
                (key, descending)
            }
        };
        let period = match blank(&raw.period) {
            None | Some("month") => Period::Month,
            Some("quarter") => Period::Quarter,
            Some(_) => return Err(Invalid("period")),
        };
        Ok(Self {
            from,
            to,
            province,
            funding,
            organization,
            metric,
            sort,
            period,
        })
    }

    /// The rollup filter of this view for `caller`'s reach (`member`: an organizer's own fairs).
    pub fn filter(&self, member: Option<String>) -> Filter {
        Filter {
            from: self.from,
            to: self.to,
            province_code: self.province.clone(),
            organization_id: self.organization.clone(),
            funding_source: self.funding,
            member,
        }
    }

    /// The query string of this view (only what differs from the defaults), with `changes`
    /// applied: `("province", Some("31"))` sets, `("province", None)` removes.
    pub fn query(&self, changes: &[(&str, Option<&str>)]) -> String {
        let sort = match self.sort {
            ("name", false) => None,
            (key, true) => Some(format!("-{key}")),
            (key, false) => Some(key.to_owned()),
        };
        let mut pairs: Vec<(&str, String)> = Vec::new();
        let mut put = |name: &'static str, value: Option<String>| {
            if let Some(value) = value {
                pairs.push((name, value));
            }
        };
        put("from", self.from.map(|d| d.to_string()));
        put("to", self.to.map(|d| d.to_string()));
        put("province", self.province.clone());
        put("funding", self.funding.map(|f| f.as_str().to_owned()));
        put("organization", self.organization.clone());
        put(
            "metric",
            (self.metric != Metric::default()).then(|| self.metric.as_str().to_owned()),
        );
        put("sort", sort);
        put(
            "period",
            (self.period != Period::default()).then(|| self.period.as_str().to_owned()),
        );
        for (name, value) in changes {
            pairs.retain(|(n, _)| n != name);
            if let Some(value) = value {
                pairs.push((name, (*value).to_owned()));
            }
        }
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    }

    /// A link to the dashboard with `changes`.
    pub fn link(&self, changes: &[(&str, Option<&str>)]) -> String {
        let query = self.query(changes);
        if query.is_empty() {
            "/dashboard".to_owned()
        } else {
            format!("/dashboard?{query}")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(pairs: &[(&str, &str)]) -> RawQuery {
        serde_urlencoded::from_str(&serde_urlencoded::to_string(pairs).unwrap()).unwrap()
    }

    #[test]
    fn blank_fields_are_no_filter_and_links_keep_the_view() {
        let view = View::parse(&raw(&[("from", ""), ("province", " "), ("sort", "")])).unwrap();
        assert_eq!(view, View::default());
        assert_eq!(view.link(&[]), "/dashboard");

        let view = View::parse(&raw(&[
            ("from", "2026-01-01"),
            ("to", "2026-03-31"),
            ("province", "94"),
            ("funding", "apbd"),
            ("metric", "attendees"),
            ("sort", "-placement_rate"),
            ("period", "quarter"),
        ]))
        .unwrap();
        assert_eq!(view.sort, ("placement_rate", true));
        assert_eq!(
            view.link(&[("province", None), ("sort", Some("name"))]),
            "/dashboard?from=2026-01-01&to=2026-03-31&funding=apbd&metric=attendees&period=quarter&sort=name"
        );
        assert_eq!(
            View::parse(&raw(&[("from", "",), ("to", "")]))
                .unwrap()
                .filter(None)
                .from,
            None
        );
    }

    #[test]
    fn wrong_fields_are_named() {
        for (field, value) in [
            ("from", "1 Januari"),
            ("province", "99"),
            ("funding", "bank"),
            ("organization", "x"),
            ("metric", "votes"),
            ("sort", "password"),
            ("period", "week"),
        ] {
            assert_eq!(View::parse(&raw(&[(field, value)])), Err(Invalid(field)));
        }
        assert_eq!(
            View::parse(&raw(&[("from", "2026-02-01"), ("to", "2026-01-01")])),
            Err(Invalid("to"))
        );
    }
}
