//! A ticket's code as people see it: its QR code inline in a page, and the code written out in
//! groups to read aloud or type. Used by the ticket, the printed sheets and the desk.

use crate::error::AppResult;
use crate::registrations;

/// The QR code of `code` as an SVG element to put in a page, named for screen readers.
pub fn inline_qr(code: &str, label: &str) -> AppResult<String> {
    let svg = registrations::qr_svg(code)?;
    let svg = svg.find("<svg").map_or(svg.as_str(), |start| &svg[start..]);
    let label = label
        .replace('&', "&amp;")
        .replace('"', "&quot;")
        .replace('<', "&lt;");
    Ok(svg.replacen(
        "<svg ",
        &format!("<svg class=\"qr\" role=\"img\" aria-label=\"{label}\" "),
        1,
    ))
}

/// The code in groups of four characters. Codes are stored grouped (`ABCD-EFGH-…`), and those
/// groups are shown; an older code (URL-safe base64, whose `-` is a character of the code) is
/// cut in fours.
pub fn code_groups(code: &str) -> Vec<String> {
    let parts: Vec<&str> = code.split('-').collect();
    if parts.len() > 1 && parts.iter().all(|part| part.chars().count() == 4) {
        return parts.into_iter().map(str::to_owned).collect();
    }
    code.chars()
        .collect::<Vec<_>>()
        .chunks(4)
        .map(|g| g.iter().collect())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_grouped_code_shows_its_own_groups() {
        assert_eq!(
            code_groups("ABCD-EFGH-JKMN-PQRS"),
            ["ABCD", "EFGH", "JKMN", "PQRS"]
        );
    }

    #[test]
    fn an_older_code_is_cut_in_fours() {
        assert_eq!(code_groups("abcdEFGHij-_"), ["abcd", "EFGH", "ij-_"]);
        assert_eq!(code_groups("abcdef"), ["abcd", "ef"]);
        assert_eq!(code_groups("ab-defgh"), ["ab-d", "efgh"]);
    }

    #[test]
    fn the_qr_code_is_an_svg_element_with_a_name() {
        let svg = inline_qr("AAAAAAAAAAAAAAAAAAAAAA", "Kode \"QR\"").unwrap();
        assert!(
            svg.starts_with("<svg class=\"qr\" role=\"img\" aria-label=\"Kode &quot;QR&quot;\" ")
        );
        assert!(!svg.contains("<?xml"));
    }
}
