//! The map of the provinces as inline SVG, drawn on the server: no script, no tiles, one path
//! per province shaded by the chosen figure, each a link to that province's view.
//!
//! The outlines are `data/provinces/indonesia.tsv` (simplified from `@svg-maps/indonesia`,
//! CC BY 4.0, see `data/provinces/README.md`). They are the 34 provinces of before 2022: the four
//! Papua provinces made in 2022 (93–96) have no outline of their own; the page says so and lists
//! them in the table beside the map.

use std::collections::HashMap;
use std::fmt::Write;
use std::sync::LazyLock;

/// Room left around the outlines, in viewBox units (about 3 CSS pixels on a phone): more than
/// half the widest stroke (a selected or focused province, 1.2), and enough air that Papua's
/// straight border at 141°E does not look cut by the map's edge.
const MARGIN: f64 = 6.0;

/// How many shades the map uses for values (a sixth, grey, is "no data").
pub const SHADES: u8 = 5;

static OUTLINES: LazyLock<HashMap<&'static str, &'static str>> = LazyLock::new(|| {
    include_str!("../../../../data/provinces/indonesia.tsv")
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| {
            let mut fields = line.split('\t');
            let code = fields.next()?;
            let _name = fields.next()?;
            Some((code, fields.next()?))
        })
        .collect()
});

/// The points of a path made only of absolute `M x,y x,y … Z` rings, as `tools/provinces/`
/// writes them.
fn points(path: &str) -> impl Iterator<Item = (f64, f64)> + '_ {
    path.split(['M', 'Z', ' '])
        .filter(|pair| !pair.is_empty())
        .filter_map(|pair| {
            let (x, y) = pair.split_once(',')?;
            Some((x.parse().ok()?, y.parse().ok()?))
        })
}

/// The map's viewBox, `min-x min-y width height`: the outlines' real extent plus [`MARGIN`],
/// computed from the data so that a new outline file cannot be clipped.
static VIEW_BOX: LazyLock<String> = LazyLock::new(|| {
    let (mut left, mut top) = (f64::INFINITY, f64::INFINITY);
    let (mut right, mut bottom) = (f64::NEG_INFINITY, f64::NEG_INFINITY);
    for (x, y) in OUTLINES.values().flat_map(|path| points(path)) {
        left = left.min(x);
        right = right.max(x);
        top = top.min(y);
        bottom = bottom.max(y);
    }
    let (left, top) = ((left - MARGIN).floor(), (top - MARGIN).floor());
    let (right, bottom) = ((right + MARGIN).ceil(), (bottom + MARGIN).ceil());
    format!("{left} {top} {} {}", right - left, bottom - top)
});

/// Whether the map has an outline for the province (the 34 of before 2022).
pub fn has_outline(code: &str) -> bool {
    OUTLINES.contains_key(code)
}

/// One province on the map.
pub struct Area<'a> {
    pub code: &'a str,
    /// The shade, 1..=[`SHADES`], or 0 for no data.
    pub shade: u8,
    /// What its tooltip and accessible name say of it: `Aceh: 12,5%`.
    pub label: String,
    pub href: String,
    pub selected: bool,
}

/// The shade of each value: equal steps between the smallest and the largest value, so the
/// legend reads as plain ranges. Returns the shades (0 = no value) and the steps' lower bounds.
pub fn shades(values: &[Option<f64>]) -> (Vec<u8>, Vec<f64>) {
    let present: Vec<f64> = values.iter().flatten().copied().collect();
    let (Some(min), Some(max)) = (
        present.iter().copied().reduce(f64::min),
        present.iter().copied().reduce(f64::max),
    ) else {
        return (vec![0; values.len()], Vec::new());
    };
    let step = (max - min) / f64::from(SHADES);
    let bounds: Vec<f64> = (0..SHADES).map(|k| min + step * f64::from(k)).collect();
    let shade = |v: f64| -> u8 {
        if step <= 0.0 {
            return SHADES;
        }
        let k = ((v - min) / step).floor() as i64;
        (k.clamp(0, i64::from(SHADES) - 1) + 1) as u8
    };
    let out = values.iter().map(|v| v.map_or(0, shade)).collect();
    (out, if step <= 0.0 { vec![min] } else { bounds })
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The map: an `<svg>` whose provinces are links with an accessible name each.
pub fn svg(title: &str, areas: &[Area]) -> String {
    let mut out = String::with_capacity(56 * 1024);
    let _ = write!(
        out,
        r#"<svg class="map" viewBox="{}" xmlns="http://www.w3.org/2000/svg" aria-labelledby="map-title"><title id="map-title">{}</title>"#,
        *VIEW_BOX,
        escape(title)
    );
    // The largest outlines first, so that a small province (Jakarta, Yogyakarta) is drawn over
    // its neighbours and can be tapped.
    let mut drawn: Vec<(&Area, &str)> = areas
        .iter()
        .filter_map(|area| Some((area, *OUTLINES.get(area.code)?)))
        .collect();
    drawn.sort_by_key(|(_, path)| std::cmp::Reverse(path.len()));
    for (area, path) in drawn {
        let selected = if area.selected { " selected" } else { "" };
        let _ = write!(
            out,
            r#"<a href="{}" aria-label="{label}" data-code="{}"><path class="s{}{selected}" d="{path}"><title>{label}</title></path></a>"#,
            escape(&area.href),
            area.code,
            area.shade,
            label = escape(&area.label),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_34_outlines_have_the_codes_of_the_provinces_list() {
        assert_eq!(OUTLINES.len(), 34);
        for code in OUTLINES.keys() {
            assert!(crate::provinces::find(code).is_some(), "{code}");
        }
        for code in ["93", "94", "95", "96"] {
            assert!(!has_outline(code), "{code} has no outline of its own");
        }
        // Small enough for a phone.
        let bytes: usize = OUTLINES.values().map(|p| p.len()).sum();
        assert!(bytes < 60 * 1024, "{bytes}");
    }

    #[test]
    fn every_point_of_every_outline_is_inside_the_view_box() {
        let numbers: Vec<f64> = VIEW_BOX.split(' ').map(|n| n.parse().unwrap()).collect();
        let [left, top, width, height] = numbers[..] else {
            panic!("{}", *VIEW_BOX)
        };
        let (right, bottom) = (left + width, top + height);
        let mut count = 0;
        for (code, path) in OUTLINES.iter() {
            // Every number of the path is part of a point: none was skipped by `points`.
            let fields = path.split([' ', ',', 'M', 'Z']).filter(|n| !n.is_empty());
            assert_eq!(fields.count(), 2 * points(path).count(), "{code}");
            for (x, y) in points(path) {
                count += 1;
                assert!(
                    x - MARGIN >= left && x + MARGIN <= right,
                    "{code}: x {x} outside {left}..{right}"
                );
                assert!(
                    y - MARGIN >= top && y + MARGIN <= bottom,
                    "{code}: y {y} outside {top}..{bottom}"
                );
            }
        }
        assert!(count > 1000, "{count}");
        // Papua, the easternmost outline, reaches the box's east edge but for the margin.
        let east = points(OUTLINES["91"]).map(|(x, _)| x).fold(0.0, f64::max);
        assert!(right - east <= MARGIN + 1.0, "{east} vs {right}");
        assert!(svg("Peta", &[]).contains(&format!("viewBox=\"{}\"", *VIEW_BOX)));
    }

    #[test]
    fn shades_are_equal_steps_and_none_is_no_data() {
        let (shades, bounds) = shades(&[Some(0.0), Some(0.5), None, Some(1.0), Some(0.19)]);
        assert_eq!(shades, vec![1, 3, 0, 5, 1]);
        assert_eq!(bounds.len(), 5);
        let (same, _) = super::shades(&[Some(3.0), Some(3.0)]);
        assert_eq!(same, vec![5, 5]);
        let (none, bounds) = super::shades(&[None]);
        assert_eq!((none, bounds.len()), (vec![0], 0));
    }

    #[test]
    fn names_are_escaped() {
        let svg = svg(
            "Peta <b>",
            &[Area {
                code: "31",
                shade: 2,
                label: "DKI \"Jakarta\"".to_owned(),
                href: "/dashboard?province=31&metric=attendees".to_owned(),
                selected: false,
            }],
        );
        assert!(svg.contains("Peta &lt;b&gt;"));
        assert!(svg.contains("aria-label=\"DKI &quot;Jakarta&quot;\""));
        assert!(svg.contains("province=31&amp;metric=attendees"));
        assert!(svg.contains("class=\"s2\""));
    }
}
