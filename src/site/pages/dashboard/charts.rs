//! Bar charts as inline SVG, drawn on the server. Horizontal bars, one a row, read well on a
//! phone whatever the number of rows; each chart is an image with a name (`role="img"`), and the
//! page puts the table of its figures beside it, which is what screen readers and copying use.

use std::fmt::Write;

/// One bar: its label, its length (any unit, scaled to the longest) and its value as written.
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub text: String,
}

const WIDTH: f64 = 400.0;
const LABEL: f64 = 130.0;
const ROW: f64 = 22.0;

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Cuts a long label to fit beside its bar (the table has it whole).
fn short(label: &str) -> String {
    const MAX: usize = 22;
    if label.chars().count() <= MAX {
        label.to_owned()
    } else {
        let cut: String = label.chars().take(MAX - 1).collect();
        format!("{}…", cut.trim_end())
    }
}

/// A horizontal bar chart named `title`.
pub fn bars(title: &str, bars: &[Bar]) -> String {
    let height = ROW * bars.len().max(1) as f64 + 4.0;
    let longest = bars.iter().map(|b| b.value).fold(0.0_f64, f64::max);
    let room = WIDTH - LABEL - 70.0;
    let mut out = String::new();
    let _ = write!(
        out,
        r#"<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="img" aria-label="{}" xmlns="http://www.w3.org/2000/svg">"#,
        escape(title)
    );
    for (i, bar) in bars.iter().enumerate() {
        let y = ROW * i as f64 + 2.0;
        let length = if longest > 0.0 {
            (bar.value / longest * room).max(0.0)
        } else {
            0.0
        };
        let _ = write!(
            out,
            r#"<text x="{}" y="{:.1}" text-anchor="end">{}</text><rect x="{LABEL}" y="{:.1}" width="{length:.1}" height="{:.1}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            LABEL - 6.0,
            y + 14.0,
            escape(&short(&bar.label)),
            y + 3.0,
            ROW - 6.0,
            LABEL + length + 4.0,
            y + 14.0,
            escape(&bar.text),
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_longest_and_labels_are_escaped() {
        let svg = bars(
            "Penempatan <per> sumber",
            &[
                Bar {
                    label: "APBN".into(),
                    value: 10.0,
                    text: "10".into(),
                },
                Bar {
                    label: "Dinas Tenaga Kerja & Transmigrasi Provinsi".into(),
                    value: 5.0,
                    text: "5".into(),
                },
            ],
        );
        assert!(svg.contains("aria-label=\"Penempatan &lt;per&gt; sumber\""));
        assert!(svg.contains("width=\"200.0\""), "{svg}");
        assert!(svg.contains("width=\"100.0\""), "{svg}");
        assert!(svg.contains(">Dinas Tenaga Kerja &amp;…</text>"), "{svg}");
        assert!(bars("x", &[]).contains("</svg>"));
    }
}
