//! `bomscout licenses`: which licenses a tree uses, in which categories, by how many
//! components, and which ones.

use crate::cli::LicensesArgs;
use anyhow::Context;
use bomscout_core::escape;
use bomscout_core::Sbom;
use serde_json::json;
use std::collections::BTreeMap;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

/// The report formats of `licenses`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Csv,
    Markdown,
}

impl Format {
    fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "csv" => Format::Csv,
            "markdown" | "md" => Format::Markdown,
            _ => return None,
        })
    }
}

/// One license expression and the components under it.
struct Row {
    license: String,
    categories: String,
    components: Vec<String>,
    /// The lowest OpenSSF Scorecard among its components, when `--enrich` found any.
    lowest_scorecard: Option<f32>,
}

/// Scans and writes every requested report.
pub fn licenses(args: &LicensesArgs) -> anyhow::Result<ExitCode> {
    let outputs = parse_outputs(&args.outputs)?;
    crate::guard::refuse_overwriting_inputs(
        outputs.iter().filter_map(|(_, f)| f.as_deref()),
        &args.scan.paths,
    )?;
    let (policy, latest) =
        crate::enrich::discovered_policy(&args.scan.paths, args.scan.verbosity.quiet);
    let enricher = crate::enrich::enricher(
        &args.enrich,
        args.cache_dir.as_deref(),
        &policy,
        crate::enrich::Need {
            always: false,
            latest,
        },
    )?;
    let scanned = crate::scan::scan(&args.scan, enricher)?;
    crate::enrich::print_summary(
        scanned.enrichment.as_ref(),
        args.enrich.offline,
        args.scan.verbosity.quiet,
    );
    let sbom = scanned.sbom;
    crate::scan::report_diagnostics(&sbom.diagnostics, args.scan.verbosity, args.scan.strict);
    let rows = rows(&sbom);
    for (format, file) in &outputs {
        let mut buf = Vec::new();
        let width = file
            .is_none()
            .then(crate::output::stdout_terminal_width)
            .flatten();
        match format {
            Format::Table => table(&rows, width, &mut buf)?,
            Format::Json => json(&rows, &mut buf)?,
            Format::Csv => csv(&rows, &mut buf)?,
            Format::Markdown => markdown(&rows, &mut buf)?,
        }
        match file {
            Some(path) => crate::check::write_report(path, &buf)?,
            None => std::io::stdout().lock().write_all(&buf)?,
        }
    }
    Ok(ExitCode::SUCCESS)
}

fn parse_outputs(specs: &[String]) -> anyhow::Result<Vec<(Format, Option<PathBuf>)>> {
    let out = crate::cli::parse_outputs(specs, Format::Table, |name| {
        Format::from_name(name).with_context(|| {
            format!(
                "unknown licenses report format {name:?}; expected table, json, csv or markdown"
            )
        })
    })?;
    crate::cli::one_on_stdout(out.iter().map(|(_, f)| f), "report")?;
    Ok(out)
}

/// Rows by license, the license the policy would judge (a confirming license file adds
/// nothing); `MIT OR Apache-2.0` and `Apache-2.0 OR MIT` are one row.
fn rows(sbom: &Sbom) -> Vec<Row> {
    let mut by_license: BTreeMap<String, (Vec<String>, Option<f32>)> = BTreeMap::new();
    for c in &sbom.components {
        let (key, _) = bomscout_policy::effective(&c.licenses);
        let key = bomscout_license::commutative(&key);
        let entry = by_license.entry(key).or_default();
        entry.0.push(format!(
            "{}@{}",
            c.display_name(),
            c.version.as_deref().unwrap_or("?")
        ));
        let score = c
            .health
            .as_ref()
            .and_then(|h| h.scorecard.as_ref())
            .map(|s| s.score)
            .filter(|s| s.is_finite());
        if let Some(s) = score {
            entry.1 = Some(entry.1.map_or(s, |low: f32| low.min(s)));
        }
    }
    by_license
        .into_iter()
        .map(|(license, (components, lowest_scorecard))| Row {
            categories: categories(&license),
            license,
            components,
            lowest_scorecard,
        })
        .collect()
}

fn categories(license: &str) -> String {
    bomscout_license::expression_categories(license)
        .iter()
        .map(|c| c.as_str())
        .collect::<Vec<_>>()
        .join(",")
}

/// Columns sized to their content. On a terminal (`width`), the examples column is cut
/// to what is left; the license is never cut. In a file or pipe nothing is cut. When any
/// component has an OpenSSF Scorecard, a SCORECARD column gives the lowest of each
/// license's components (`-` when none is known).
fn table(rows: &[Row], width: Option<usize>, out: &mut dyn Write) -> std::io::Result<()> {
    let scored = rows.iter().any(|r| r.lowest_scorecard.is_some());
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut cells = vec![
                escape::printable(&r.license).into_owned(),
                r.categories.clone(),
                r.components.len().to_string(),
            ];
            if scored {
                cells.push(
                    r.lowest_scorecard
                        .map_or_else(|| "-".to_string(), |s| format!("{s:.1}")),
                );
            }
            cells
        })
        .collect();
    let mut header = vec!["LICENSE", "CATEGORY", "COUNT"];
    if scored {
        header.push("SCORECARD");
    }
    let w: Vec<usize> = (0..header.len())
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    // License and category left-aligned, numbers right-aligned.
    let line = |cells: &[&str]| -> String {
        cells
            .iter()
            .enumerate()
            .map(|(i, c)| {
                if i < 2 {
                    format!("{c:<0$}", w[i])
                } else {
                    format!("{c:>0$}", w[i])
                }
            })
            .collect::<Vec<_>>()
            .join("  ")
    };
    writeln!(out, "{}  EXAMPLES", line(&header))?;
    let used = w.iter().sum::<usize>() + 2 * w.len();
    for (row, c) in rows.iter().zip(&cells) {
        let examples: Vec<&str> = row.components.iter().take(3).map(String::as_str).collect();
        let mut examples = escape::printable(&examples.join(", ")).into_owned();
        if let Some(total) = width {
            let room = total.saturating_sub(used).max(10);
            if examples.chars().count() > room {
                examples = examples.chars().take(room - 1).collect::<String>() + "…";
            }
        }
        let c: Vec<&str> = c.iter().map(String::as_str).collect();
        writeln!(out, "{}  {examples}", line(&c))?;
    }
    Ok(())
}

fn json(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let doc: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            let mut row = json!({
                "license": r.license,
                "categories": r.categories.split(',').collect::<Vec<_>>(),
                "count": r.components.len(),
                "components": r.components,
            });
            if let Some(s) = r.lowest_scorecard {
                row["lowest_scorecard"] = json!((f64::from(s) * 10.0).round() / 10.0);
            }
            row
        })
        .collect();
    serde_json::to_writer_pretty(&mut *out, &json!({ "licenses": doc }))?;
    writeln!(out)
}

fn csv(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "license,categories,count,components")?;
    for r in rows {
        writeln!(
            out,
            "{},{},{},{}",
            escape::csv_field(&r.license),
            escape::csv_field(&r.categories),
            r.components.len(),
            escape::csv_field(&r.components.join(" "))
        )?;
    }
    Ok(())
}

fn markdown(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    writeln!(out, "| license | category | count | components |")?;
    writeln!(out, "|---|---|---:|---|")?;
    for r in rows {
        let examples: Vec<&str> = r.components.iter().take(10).map(String::as_str).collect();
        let more = r.components.len().saturating_sub(examples.len());
        let mut list = escape::markdown(&examples.join(", "));
        if more > 0 {
            list.push_str(&format!(" and {more} more"));
        }
        writeln!(
            out,
            "| {} | {} | {} | {list} |",
            escape::markdown(&r.license),
            escape::markdown(&r.categories),
            r.components.len()
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::{Component, Ecosystem, Health, License, Scorecard};

    fn component(name: &str, score: Option<f32>) -> Component {
        let mut c = Component::new(Ecosystem::Npm, None, name, "1.0.0").unwrap();
        let mut l = License::declared("MIT", "package-lock.json", "license");
        l.expression = Some("MIT".into());
        c.add_license(l);
        c.health = score.map(|score| {
            Box::new(Health {
                scorecard: Some(Scorecard {
                    score,
                    date: None,
                    failing: Vec::new(),
                }),
                ..Default::default()
            })
        });
        c
    }

    fn sbom(components: Vec<Component>) -> Sbom {
        Sbom {
            name: "t".into(),
            projects: Vec::new(),
            components,
            dependencies: Vec::new(),
            diagnostics: Vec::new(),
            vulnerabilities: Vec::new(),
        }
    }

    fn render(s: &Sbom) -> String {
        let mut out = Vec::new();
        table(&rows(s), None, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn a_scorecard_column_gives_each_license_its_lowest_score() {
        let plain = render(&sbom(vec![component("a", None)]));
        assert_eq!(
            plain,
            "LICENSE  CATEGORY    COUNT  EXAMPLES\nMIT      permissive      1  a@1.0.0\n"
        );
        let mut scored = sbom(vec![
            component("a", Some(7.5)),
            component("b", Some(3.2)),
            component("c", None),
        ]);
        let mut gpl = component("g", None);
        gpl.licenses[0].expression = Some("GPL-3.0-only".into());
        scored.components.push(gpl);
        let text = render(&scored);
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(
            lines[0],
            "LICENSE       CATEGORY         COUNT  SCORECARD  EXAMPLES"
        );
        assert_eq!(
            lines[1],
            "GPL-3.0-only  strong-copyleft      1          -  g@1.0.0"
        );
        assert_eq!(
            lines[2],
            "MIT           permissive           3        3.2  a@1.0.0, b@1.0.0, c@1.0.0"
        );
        let mut out = Vec::new();
        json(&rows(&scored), &mut out).unwrap();
        let doc: serde_json::Value = serde_json::from_slice(&out).unwrap();
        assert_eq!(doc["licenses"][1]["lowest_scorecard"], json!(3.2));
        assert!(doc["licenses"][0].get("lowest_scorecard").is_none());
    }
}
