//! The human-readable table: one row per component, columns sized to their content.
//!
//! In a file or a pipe nothing is cut: a script that greps the table must see whole names
//! and paths. On a terminal the table fits its width: the least useful columns give way
//! first (where the package was found, then its name and version, each down to a floor),
//! and the license is never cut, because it is what the reader is there for.

use bomscout_core::escape::printable;
use bomscout_core::{Component, License, Sbom, Scope, Severity};
use std::io::{self, Write};

const HEADER: [&str; 6] = [
    "NAME",
    "VERSION",
    "ECOSYSTEM",
    "LICENSE",
    "SCOPE",
    "FOUND IN",
];

/// The column shown before FOUND IN when any component has an OpenSSF Scorecard.
const SCORECARD: &str = "SCORECARD";

/// Columns that may be cut on a narrow terminal, in the order they give way, each with the
/// width it keeps at least: FOUND IN (the last column, index filled in), then NAME, then
/// VERSION.
fn shrinkable(last: usize) -> [(usize, usize); 3] {
    [(last, 12), (0, 20), (1, 12)]
}

/// Writes the table and a summary line; `width` is the terminal's, `None` for a file or a
/// pipe (nothing is cut). A SCORECARD column (the source repository's OpenSSF score, `-`
/// when unknown) is added when any component has a scorecard.
pub fn write(sbom: &Sbom, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
    if sbom.components.is_empty() {
        writeln!(out, "No packages found in {}.", sbom.name)?;
        return summary(sbom, out);
    }
    let scored = sbom.components.iter().any(|c| scorecard(c).is_some());
    let mut header: Vec<String> = HEADER.iter().map(|h| h.to_string()).collect();
    if scored {
        header.insert(5, SCORECARD.to_string());
    }
    let rows: Vec<Vec<String>> = sbom
        .components
        .iter()
        // A hostile lockfile cannot send escape sequences to the terminal through a name.
        .map(|c| {
            let mut r: Vec<String> = row(c)
                .into_iter()
                .map(|cell| printable(&cell).into_owned())
                .collect();
            if scored {
                r.insert(5, scorecard(c).unwrap_or_else(|| "-".into()));
            }
            r
        })
        .collect();
    let mut widths: Vec<usize> = header
        .iter()
        .enumerate()
        .map(|(i, title)| {
            let longest = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
            longest.max(title.len())
        })
        .collect();
    if let Some(total) = width {
        fit(&mut widths, total);
    }
    line(&header, &widths, out)?;
    for r in &rows {
        line(r, &widths, out)?;
    }
    writeln!(out)?;
    summary(sbom, out)
}

/// The component's OpenSSF Scorecard score, one decimal.
pub(crate) fn scorecard(c: &Component) -> Option<String> {
    c.health
        .as_ref()
        .and_then(|h| h.scorecard.as_ref())
        .filter(|s| s.score.is_finite())
        .map(|s| format!("{:.1}", s.score))
}

/// Narrows the shrinkable columns, in order, until the row fits `total` columns. When it
/// cannot fit with every one at its floor, FOUND IN is left out (width 0) and the others
/// are fitted again from their natural widths, rather than letting every row wrap.
fn fit(widths: &mut [usize], total: usize) {
    let natural = widths.to_vec();
    let last = widths.len() - 1;
    let columns = shrinkable(last);
    if shrink(widths, total, &columns) {
        return;
    }
    widths.copy_from_slice(&natural);
    widths[last] = 0;
    shrink(widths, total, &columns[1..]);
}

/// Narrows `columns` (index, floor) in order toward their floors; true if the row then fits
/// `total` (a hidden column, width 0, takes no separator). The audit table's grid uses it too.
pub(crate) fn shrink(widths: &mut [usize], total: usize, columns: &[(usize, usize)]) -> bool {
    let used = |w: &[usize]| {
        let shown = w.iter().filter(|&&n| n > 0).count();
        w.iter().sum::<usize>() + 2 * shown.saturating_sub(1)
    };
    for &(column, floor) in columns {
        let over = used(widths).saturating_sub(total);
        let room = widths[column].saturating_sub(floor);
        widths[column] -= over.min(room);
    }
    used(widths) <= total
}

fn row(c: &Component) -> [String; 6] {
    let version = match (&c.version, &c.requirement) {
        (Some(v), _) => v.clone(),
        (None, Some(r)) => format!("{r} (unresolved)"),
        (None, None) => "?".to_string(),
    };
    let mut licenses: Vec<&str> = License::strongest(&c.licenses)
        .into_iter()
        .map(|l| l.display())
        .collect();
    licenses.dedup();
    let license = if licenses.is_empty() {
        "-".to_string()
    } else {
        licenses.join("; ")
    };
    let mut found = c
        .locations
        .iter()
        .next()
        .map(|l| l.path.to_string())
        .unwrap_or_default();
    if c.locations.len() > 1 {
        found.push_str(&format!(" (+{})", c.locations.len() - 1));
    }
    [
        c.display_name(),
        version,
        c.ecosystem.to_string(),
        license,
        c.scope.to_string(),
        found,
    ]
}

fn line(cells: &[String], widths: &[usize], out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::new();
    let last = cells.len() - 1;
    for (i, cell) in cells.iter().enumerate() {
        if i == last {
            // The end of a path says the most (`…/requests-2.31.0.dist-info/METADATA`);
            // width 0 means the column was left out to fit the terminal.
            if widths[i] > 0 {
                text.push_str(&truncate_start(cell, widths[i]));
            }
        } else {
            let cell = truncate(cell, widths[i]);
            let pad = widths[i] - cell.chars().count();
            text.push_str(&cell);
            text.push_str(&" ".repeat(pad + 2));
        }
    }
    writeln!(out, "{}", text.trim_end())
}

/// Cuts `s` to `width` characters, marking the cut with `…`.
fn truncate(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

/// Cuts `s` to its last `width` characters, marking the cut with `…`.
fn truncate_start(s: &str, width: usize) -> String {
    let len = s.chars().count();
    if len <= width {
        return s.to_string();
    }
    let keep = width.saturating_sub(1);
    let mut t = String::from("…");
    t.extend(s.chars().skip(len - keep));
    t
}

fn summary(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let count = |s: Scope| sbom.components.iter().filter(|c| c.scope == s).count();
    let direct = sbom.components.iter().filter(|c| c.direct).count();
    let problems = sbom
        .diagnostics
        .iter()
        .filter(|d| d.severity >= Severity::Warning)
        .count();
    writeln!(
        out,
        "{} components ({} direct, {} dev, {} build, {} optional) in {} projects; {} problems reported",
        sbom.components.len(),
        direct,
        count(Scope::Dev),
        count(Scope::Build),
        count(Scope::Optional),
        sbom.projects.len(),
        problems
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn truncation_marks_the_cut() {
        assert_eq!(truncate("abcdef", 4), "abc…");
        assert_eq!(truncate("abc", 4), "abc");
        assert_eq!(truncate("ééééé", 3), "éé…");
        assert_eq!(truncate_start("a/b/c/METADATA", 9), "…METADATA");
    }

    #[test]
    fn control_characters_are_shown_as_escapes() {
        let c = Component::new(
            bomscout_core::Ecosystem::Npm,
            None,
            "evil\u{1b}[2Jname",
            "1\nerror: forged",
        )
        .unwrap();
        let sbom = Sbom {
            name: "t".into(),
            projects: Vec::new(),
            components: vec![c],
            dependencies: Vec::new(),
            diagnostics: Vec::new(),
            vulnerabilities: Vec::new(),
        };
        let mut out = Vec::new();
        write(&sbom, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("evil\\x1b[2Jname"), "{text}");
        assert!(text.contains("1\\nerror: forged"), "{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    }

    fn long_sbom() -> Sbom {
        let mut c = Component::new(
            bomscout_core::Ecosystem::Npm,
            Some("@a-very-long-scope-name"),
            "and-an-even-longer-package-name-than-that",
            "1.2.3-rc.1+build.5",
        )
        .unwrap();
        c.licenses.push(License::declared(
            "(Apache-2.0 WITH LLVM-exception OR MIT) AND BSD-3-Clause",
            "package.json",
            "license",
        ));
        c.locations.insert(bomscout_core::Location::new(
            "services/payments/backend/node_modules/@a-very-long-scope-name/pkg/package.json",
        ));
        Sbom {
            name: "t".into(),
            projects: Vec::new(),
            components: vec![c],
            dependencies: Vec::new(),
            diagnostics: Vec::new(),
            vulnerabilities: Vec::new(),
        }
    }

    #[test]
    fn nothing_is_cut_in_a_file_or_pipe() {
        let mut out = Vec::new();
        write(&long_sbom(), None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(!text.contains('…'), "{text}");
        assert!(
            text.contains("services/payments/backend/node_modules/"),
            "{text}"
        );
    }

    #[test]
    fn a_scorecard_column_appears_when_any_component_has_a_score() {
        let mut sbom = long_sbom();
        let mut plain = Vec::new();
        write(&sbom, None, &mut plain).unwrap();
        assert!(!String::from_utf8(plain).unwrap().contains("SCORECARD"));
        let mut other = Component::new(bomscout_core::Ecosystem::Npm, None, "b", "1.0.0").unwrap();
        other.health = Some(Box::new(bomscout_core::Health {
            scorecard: Some(bomscout_core::Scorecard {
                score: 3.5,
                date: None,
                failing: Vec::new(),
            }),
            ..Default::default()
        }));
        sbom.components.push(other);
        let mut out = Vec::new();
        write(&sbom, None, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert!(lines[0].contains("SCOPE     SCORECARD  FOUND IN"), "{text}");
        assert!(lines[1].contains("required  -          "), "{text}");
        assert!(lines[2].ends_with("required  3.5"), "{text}");
        let mut out = Vec::new();
        write(&sbom, Some(100), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.lines().next().unwrap().ends_with("SCORECARD"),
            "FOUND IN gives way, the scorecard stays: {text}"
        );
    }

    #[test]
    fn a_terminal_row_fits_and_keeps_the_license_whole() {
        let mut out = Vec::new();
        write(&long_sbom(), Some(150), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let row = text.lines().nth(1).unwrap();
        assert!(row.chars().count() <= 150, "{row}");
        assert!(
            row.contains("(Apache-2.0 WITH LLVM-exception OR MIT) AND BSD-3-Clause"),
            "{row}"
        );
        assert!(row.contains("…"), "the path gave way: {row}");

        let mut out = Vec::new();
        write(&long_sbom(), Some(100), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        let header = text.lines().next().unwrap();
        assert!(
            !header.contains("FOUND IN"),
            "left out rather than wrapped: {text}"
        );
        assert!(text.contains("(Apache-2.0 WITH LLVM-exception OR MIT) AND BSD-3-Clause"));
    }
}
