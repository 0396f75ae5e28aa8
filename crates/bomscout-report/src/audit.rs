//! The human view of a document's known vulnerabilities (`bomscout audit`): one row per
//! vulnerable package, worst first.
//!
//! Each row says what a developer needs to act: the package and version, the advisory id
//! with its aliases (CVE ids), the severity with its CVSS score, the fix ("upgrade to X"),
//! the scope (is it only a dev dependency?) and the shortest dependency path from a project
//! to the package, which says which direct dependency pulls it in.
//!
//! Rows are sorted by severity, critical first and `unknown` last but shown as `unknown`
//! (an advisory without a rating is never shown as low), then by score, package, version
//! and id. Findings a VEX statement or a policy ignore suppresses are listed apart, below,
//! with the reason, so they stay visible without mixing with what must be fixed.
//!
//! [`write_table`] fits a terminal as the component table does: in a file or a pipe
//! nothing is cut; on a terminal the path gives way first (its middle is elided), then the
//! aliases, then the package name, and the path is left out when even that is not enough.
//! [`write_json`] and [`write_markdown`] carry the same rows.

use crate::table::shrink;
use crate::vulns;
use crate::Settings;
use bomscout_core::escape::{markdown, printable};
use bomscout_core::vuln::{Affected, Suppression};
use bomscout_core::{Component, Sbom, VulnSeverity, Vulnerability};
use serde::Serialize;
use std::collections::{HashMap, HashSet, VecDeque};
use std::io::{self, Write};

/// One vulnerable package: a vulnerability, the component it affects, and how the
/// component is reached.
#[derive(Debug, Clone)]
pub struct Finding<'a> {
    /// The vulnerability.
    pub vulnerability: &'a Vulnerability,
    /// The finding on this component (version, fix, suppression).
    pub affected: &'a Affected,
    /// The component.
    pub component: &'a Component,
    /// Display names from a project to the component, both included; only the component
    /// when no project reaches it.
    pub path: Vec<String>,
}

impl Finding<'_> {
    /// The advisory's severity.
    pub fn severity(&self) -> VulnSeverity {
        self.vulnerability.advisory.severity
    }

    /// The suppression, if a VEX statement or a policy ignore applies.
    pub fn suppressed(&self) -> Option<&Suppression> {
        self.affected.suppressed.as_ref()
    }
}

/// Every finding of `sbom` whose component is in it, sorted worst first (see the module
/// documentation), suppressed ones included.
pub fn findings(sbom: &Sbom) -> Vec<Finding<'_>> {
    let paths = Paths::new(sbom);
    let mut out: Vec<Finding> = vulns::present(sbom)
        .into_iter()
        .flat_map(|p| {
            let vulnerability = p.vuln;
            p.affects
                .into_iter()
                .map(move |(affected, component)| (vulnerability, affected, component))
        })
        .map(|(vulnerability, affected, component)| Finding {
            vulnerability,
            affected,
            component,
            path: paths.to(sbom, component),
        })
        .collect();
    out.sort_by(|a, b| {
        rank(a.severity())
            .cmp(&rank(b.severity()))
            .then_with(|| {
                let (sa, sb) = (score(a), score(b));
                sb.partial_cmp(&sa).unwrap_or(std::cmp::Ordering::Equal)
            })
            .then_with(|| a.component.display_name().cmp(&b.component.display_name()))
            .then_with(|| a.affected.version.cmp(&b.affected.version))
            .then_with(|| {
                a.vulnerability
                    .advisory
                    .id
                    .cmp(&b.vulnerability.advisory.id)
            })
    });
    out
}

/// The position of a level in [`VulnSeverity::ALL`] (critical 0 … unknown last).
fn rank(s: VulnSeverity) -> usize {
    VulnSeverity::ALL
        .iter()
        .position(|x| *x == s)
        .unwrap_or(VulnSeverity::ALL.len())
}

/// The score used for sorting (`-1` without one, so it sorts after every score).
fn score(f: &Finding) -> f64 {
    vulns::score(f.vulnerability.advisory.score()).unwrap_or(-1.0)
}

/// Shortest paths from the projects, by one breadth-first walk over the whole graph from
/// every project at once (projects and edges are sorted, so the path chosen among equally
/// short ones is always the same). Linear in the size of the graph; cycles are harmless.
struct Paths<'s> {
    /// Each reached node's predecessor on its shortest path.
    parent: HashMap<&'s str, &'s str>,
    /// Project refs → their display names.
    projects: HashMap<&'s str, &'s str>,
}

impl<'s> Paths<'s> {
    fn new(sbom: &'s Sbom) -> Paths<'s> {
        let projects: HashMap<&str, &str> = sbom
            .projects
            .iter()
            .map(|p| (p.bom_ref.as_str(), p.display_name()))
            .collect();
        let mut seen: HashSet<&str> = sbom.projects.iter().map(|p| p.bom_ref.as_str()).collect();
        let mut queue: VecDeque<&str> = sbom.projects.iter().map(|p| p.bom_ref.as_str()).collect();
        let mut parent = HashMap::new();
        while let Some(node) = queue.pop_front() {
            for d in sbom.dependencies_of(node) {
                if seen.insert(&*d.to) {
                    parent.insert(&*d.to, node);
                    queue.push_back(&*d.to);
                }
            }
        }
        Paths { parent, projects }
    }

    /// Display names from a project down to `c`.
    fn to(&self, sbom: &Sbom, c: &Component) -> Vec<String> {
        let key = c.key();
        let mut names = vec![c.display_name()];
        let mut node = key.as_str();
        // Each step goes one level up a breadth-first tree: at most as many steps as nodes.
        while let Some(&up) = self.parent.get(node) {
            match (self.projects.get(up), sbom.component(up)) {
                (Some(project), _) => names.push((*project).to_string()),
                (None, Some(c)) => names.push(c.display_name()),
                (None, None) => names.push(up.to_string()),
            }
            node = up;
        }
        names.reverse();
        names
    }
}

/// `critical 10.0`, `medium 5.6`, `unknown`.
fn severity_cell(f: &Finding) -> String {
    match vulns::score(f.vulnerability.advisory.score()) {
        Some(s) => format!("{} {s:.1}", f.severity()),
        None => f.severity().to_string(),
    }
}

/// `GHSA-jfh8-c2jp-5v3q (CVE-2021-44228)`.
fn id_cell(v: &Vulnerability) -> String {
    let a = &v.advisory;
    let aliases = vulns::other_aliases(a);
    if aliases.is_empty() {
        a.id.clone()
    } else {
        format!("{} ({})", a.id, aliases.join(", "))
    }
}

fn fix_cell(a: &Affected) -> String {
    match &a.fixed {
        Some(f) => format!("upgrade to {f}"),
        None => "no fix published".to_string(),
    }
}

/// How a suppressed finding is shown.
fn reason_cell(s: &Suppression) -> String {
    vulns::suppression_text(s)
}

const PATH_SEPARATOR: &str = " → ";

/// Writes the findings as a table, then the suppressed ones, then a summary line. Uses
/// `settings.table_width` as the component table does (`None`: nothing is cut).
pub fn write_table(sbom: &Sbom, settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let all = findings(sbom);
    let (open, suppressed): (Vec<&Finding>, Vec<&Finding>) =
        all.iter().partition(|f| f.suppressed().is_none());
    if open.is_empty() {
        writeln!(
            out,
            "No known vulnerabilities found in {} components.",
            sbom.components.len()
        )?;
    } else {
        // A SCORECARD column (the package's repository's OpenSSF score) when any affected
        // package has one: a low score beside a vulnerability says who will not fix it.
        let scored = open
            .iter()
            .any(|f| crate::table::scorecard(f.component).is_some());
        let rows: Vec<Vec<String>> = open
            .iter()
            .map(|f| {
                let mut row = vec![
                    severity_cell(f),
                    f.component.display_name(),
                    f.affected.version.clone(),
                    fix_cell(f.affected),
                    id_cell(f.vulnerability),
                    f.component.scope.to_string(),
                    f.path.join(PATH_SEPARATOR),
                ];
                if scored {
                    let score = crate::table::scorecard(f.component).unwrap_or_else(|| "-".into());
                    row.insert(6, score);
                }
                row
            })
            .collect();
        let mut header = vec![
            "SEVERITY", "PACKAGE", "VERSION", "FIXED IN", "ID", "SCOPE", "PATH",
        ];
        // PATH gives way first (to 24), then ID (to a GHSA id, whole), then PACKAGE (to 20).
        // Paths and names keep both ends (`org.apache…log4j-core`), ids their start.
        let mut cuts = vec![
            Cut::End,
            Cut::Middle,
            Cut::End,
            Cut::End,
            Cut::End,
            Cut::End,
            Cut::Middle,
        ];
        let path = if scored {
            header.insert(6, "SCORECARD");
            cuts.insert(6, Cut::End);
            7
        } else {
            6
        };
        Grid::new(&header, rows, &[(path, 24), (4, 21), (1, 20)], &cuts)
            .write(settings.table_width, out)?;
    }
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(out, "Suppressed ({}):", suppressed.len())?;
        let rows: Vec<Vec<String>> = suppressed
            .iter()
            .map(|f| {
                vec![
                    severity_cell(f),
                    f.component.display_name(),
                    f.affected.version.clone(),
                    id_cell(f.vulnerability),
                    f.component.scope.to_string(),
                    f.suppressed().map(reason_cell).unwrap_or_default(),
                ]
            })
            .collect();
        let header = ["SEVERITY", "PACKAGE", "VERSION", "ID", "SCOPE", "REASON"];
        let cuts = [
            Cut::End,
            Cut::Middle,
            Cut::End,
            Cut::End,
            Cut::End,
            Cut::End,
        ];
        Grid::new(&header, rows, &[(5, 30), (3, 21), (1, 20)], &cuts)
            .write(settings.table_width, out)?;
    }
    writeln!(out)?;
    writeln!(out, "{}", summary(&all))
}

/// `3 vulnerable packages: 1 critical, 1 high, 1 unknown; 2 suppressed.`
fn summary(all: &[Finding]) -> String {
    let open: Vec<&Finding> = all.iter().filter(|f| f.suppressed().is_none()).collect();
    let suppressed = all.len() - open.len();
    let mut levels = Vec::new();
    for level in VulnSeverity::ALL {
        let n = open.iter().filter(|f| f.severity() == level).count();
        if n > 0 {
            levels.push(format!("{n} {level}"));
        }
    }
    let packages: HashSet<String> = open.iter().map(|f| f.component.key()).collect();
    let mut text = format!(
        "{} finding{} in {} package{}",
        open.len(),
        if open.len() == 1 { "" } else { "s" },
        packages.len(),
        if packages.len() == 1 { "" } else { "s" },
    );
    if !levels.is_empty() {
        text.push_str(&format!(" ({})", levels.join(", ")));
    }
    text.push_str(&format!("; {suppressed} suppressed."));
    text
}

/// Where a cell that does not fit is cut.
#[derive(Clone, Copy, PartialEq)]
enum Cut {
    /// Keep both ends (a path: its project and its package).
    Middle,
    /// Keep the start (an id, a reason).
    End,
}

/// A table whose last column is free text that may be left out on a narrow terminal.
struct Grid<'h> {
    header: &'h [&'h str],
    rows: Vec<Vec<String>>,
    /// `(column, floor)`: the columns that may be narrowed, in the order they give way.
    shrinkable: &'h [(usize, usize)],
    /// How each column is cut.
    cuts: &'h [Cut],
}

impl<'h> Grid<'h> {
    fn new(
        header: &'h [&'h str],
        rows: Vec<Vec<String>>,
        shrinkable: &'h [(usize, usize)],
        cuts: &'h [Cut],
    ) -> Grid<'h> {
        // Text from advisories and lockfiles never drives the terminal.
        let rows = rows
            .into_iter()
            .map(|r| r.into_iter().map(|c| printable(&c).into_owned()).collect())
            .collect();
        Grid {
            header,
            rows,
            shrinkable,
            cuts,
        }
    }

    fn write(&self, width: Option<usize>, out: &mut dyn Write) -> io::Result<()> {
        let n = self.header.len();
        let mut widths: Vec<usize> = (0..n)
            .map(|i| {
                self.rows
                    .iter()
                    .map(|r| r[i].chars().count())
                    .chain([self.header[i].len()])
                    .max()
                    .unwrap_or(0)
            })
            .collect();
        if let Some(total) = width {
            self.fit(&mut widths, total);
        }
        let header: Vec<String> = self.header.iter().map(|h| h.to_string()).collect();
        self.line(&header, &widths, out)?;
        for r in &self.rows {
            self.line(r, &widths, out)?;
        }
        Ok(())
    }

    /// Narrows the shrinkable columns in order until a row fits; when it cannot, the last
    /// column is left out (width 0) and the others are fitted again.
    fn fit(&self, widths: &mut [usize], total: usize) {
        let natural = widths.to_vec();
        if shrink(widths, total, self.shrinkable) {
            return;
        }
        widths.copy_from_slice(&natural);
        let last = widths.len() - 1;
        widths[last] = 0;
        let rest: Vec<(usize, usize)> = self
            .shrinkable
            .iter()
            .copied()
            .filter(|(c, _)| *c != last)
            .collect();
        shrink(widths, total, &rest);
    }

    fn cut_of(&self, column: usize) -> Cut {
        self.cuts.get(column).copied().unwrap_or(Cut::End)
    }

    fn line(&self, cells: &[String], widths: &[usize], out: &mut dyn Write) -> io::Result<()> {
        let last = cells.len() - 1;
        let mut text = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i == last {
                if widths[i] > 0 {
                    text.push_str(&cut(cell, widths[i], self.cut_of(i)));
                }
            } else {
                let cell = cut(cell, widths[i], self.cut_of(i));
                let pad = widths[i].saturating_sub(cell.chars().count());
                text.push_str(&cell);
                text.push_str(&" ".repeat(pad + 2));
            }
        }
        writeln!(out, "{}", text.trim_end())
    }
}

/// `s` in at most `width` characters, the cut marked with `…`.
fn cut(s: &str, width: usize, how: Cut) -> String {
    let len = s.chars().count();
    if len <= width {
        return s.to_string();
    }
    let keep = width.saturating_sub(1);
    match how {
        Cut::End => {
            let mut t: String = s.chars().take(keep).collect();
            t.push('…');
            t
        }
        Cut::Middle => {
            let head = keep / 2;
            let tail = keep - head;
            let mut t: String = s.chars().take(head).collect();
            t.push('…');
            t.extend(s.chars().skip(len - tail));
            t
        }
    }
}

/// Writes the findings as a Markdown table (every cell escaped), the suppressed ones in a
/// second table, and the summary.
pub fn write_markdown(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let all = findings(sbom);
    let (open, suppressed): (Vec<&Finding>, Vec<&Finding>) =
        all.iter().partition(|f| f.suppressed().is_none());
    writeln!(out, "## Known vulnerabilities")?;
    writeln!(out)?;
    if open.is_empty() {
        writeln!(
            out,
            "No known vulnerabilities found in {} components.",
            sbom.components.len()
        )?;
    } else {
        writeln!(
            out,
            "| Severity | Package | Version | Fixed in | ID | Scope | Path |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|---|")?;
        for f in &open {
            let path: Vec<String> = f.path.iter().map(|p| markdown(p)).collect();
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} |",
                markdown(&severity_cell(f)),
                markdown(&f.component.display_name()),
                markdown(&f.affected.version),
                markdown(&fix_cell(f.affected)),
                markdown(&id_cell(f.vulnerability)),
                f.component.scope,
                path.join(PATH_SEPARATOR),
            )?;
        }
    }
    if !suppressed.is_empty() {
        writeln!(out)?;
        writeln!(out, "### Suppressed ({})", suppressed.len())?;
        writeln!(out)?;
        writeln!(
            out,
            "| Severity | Package | Version | ID | Scope | Reason |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for f in &suppressed {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                markdown(&severity_cell(f)),
                markdown(&f.component.display_name()),
                markdown(&f.affected.version),
                markdown(&id_cell(f.vulnerability)),
                f.component.scope,
                markdown(&f.suppressed().map(reason_cell).unwrap_or_default()),
            )?;
        }
    }
    writeln!(out)?;
    writeln!(out, "{}", markdown(&summary(&all)))
}

/// The JSON form of a finding.
#[derive(Serialize)]
struct JsonFinding<'a> {
    id: &'a str,
    aliases: Vec<&'a str>,
    severity: VulnSeverity,
    #[serde(skip_serializing_if = "Option::is_none")]
    score: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    summary: Option<&'a str>,
    package: String,
    purl: &'a str,
    version: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    fixed: Option<&'a str>,
    scope: bomscout_core::Scope,
    path: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    suppressed: Option<&'a Suppression>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    references: Vec<&'a str>,
}

/// Writes `{"findings": [...], "summary": "..."}`, the findings in table order, each with
/// its id, aliases, severity, score, package, purl, version, fix, scope, path and
/// suppression.
pub fn write_json(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let all = findings(sbom);
    let rows: Vec<JsonFinding> = all
        .iter()
        .map(|f| {
            let a = &f.vulnerability.advisory;
            JsonFinding {
                id: &a.id,
                aliases: vulns::other_aliases(a),
                severity: a.severity,
                score: vulns::score(a.score()),
                summary: a.summary.as_deref(),
                package: f.component.display_name(),
                purl: f.component.purl.as_str(),
                version: &f.affected.version,
                fixed: f.affected.fixed.as_deref(),
                scope: f.component.scope,
                path: &f.path,
                suppressed: f.suppressed(),
                references: vulns::reference_urls(f.vulnerability),
            }
        })
        .collect();
    let doc = serde_json::json!({
        "findings": rows,
        "summary": summary(&all),
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

#[cfg(test)]
mod tests {
    use super::{cut, Cut};

    #[test]
    fn cuts_keep_the_ends_that_matter() {
        assert_eq!(
            cut("shop → starter → log4j-core", 15, Cut::Middle),
            "shop → …4j-core"
        );
        assert_eq!(cut("abcdef", 4, Cut::End), "abc…");
        assert_eq!(cut("abc", 4, Cut::Middle), "abc");
        assert_eq!(cut("ééééé", 3, Cut::Middle), "é…é");
    }
}
