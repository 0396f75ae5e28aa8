//! The human-readable table: one row per component, sized to fit 100 columns.

use bomscout_core::escape::printable;
use bomscout_core::{Component, License, Sbom, Scope, Severity};
use std::io::{self, Write};

/// Column headers and their maximum widths; `FOUND IN` takes what is left of 100 columns.
const COLUMNS: [(&str, usize); 5] = [
    ("NAME", 28),
    ("VERSION", 16),
    ("ECOSYSTEM", 9),
    ("LICENSE", 20),
    ("SCOPE", 8),
];
const WIDTH: usize = 100;

/// Writes the table and a summary line.
pub fn write(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    if sbom.components.is_empty() {
        writeln!(out, "No packages found in {}.", sbom.name)?;
        return summary(sbom, out);
    }
    let rows: Vec<[String; 6]> = sbom
        .components
        .iter()
        // A hostile lockfile cannot send escape sequences to the terminal through a name.
        .map(|c| row(c).map(|cell| printable(&cell).into_owned()))
        .collect();
    let mut widths = [0usize; 6];
    for (i, (title, max)) in COLUMNS.iter().enumerate() {
        let longest = rows.iter().map(|r| r[i].chars().count()).max().unwrap_or(0);
        widths[i] = longest.max(title.len()).min(*max);
    }
    let used: usize = widths[..5].iter().sum::<usize>() + 2 * 5;
    widths[5] = WIDTH.saturating_sub(used).max(10);
    let header = [
        "NAME",
        "VERSION",
        "ECOSYSTEM",
        "LICENSE",
        "SCOPE",
        "FOUND IN",
    ]
    .map(String::from);
    line(&header, &widths, out)?;
    for r in &rows {
        line(r, &widths, out)?;
    }
    writeln!(out)?;
    summary(sbom, out)
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
        .map(|l| l.path.clone())
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

fn line(cells: &[String; 6], widths: &[usize; 6], out: &mut dyn Write) -> io::Result<()> {
    let mut text = String::new();
    for (i, cell) in cells.iter().enumerate() {
        if i == 5 {
            // The end of a path says the most (`…/requests-2.31.0.dist-info/METADATA`).
            let cell = truncate_start(cell, widths[i]);
            text.push_str(&cell);
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
        };
        let mut out = Vec::new();
        write(&sbom, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains("evil\\x1b[2Jname"), "{text}");
        assert!(text.contains("1\\nerror: forged"), "{text}");
        assert!(!text.chars().any(|c| c.is_control() && c != '\n'));
    }
}
