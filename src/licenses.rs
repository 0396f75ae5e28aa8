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
    let mut by_license: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for c in &sbom.components {
        let (key, _) = bomscout_policy::effective(&c.licenses);
        let key = bomscout_license::commutative(&key);
        by_license.entry(key).or_default().push(format!(
            "{}@{}",
            c.display_name(),
            c.version.as_deref().unwrap_or("?")
        ));
    }
    by_license
        .into_iter()
        .map(|(license, components)| Row {
            categories: categories(&license),
            license,
            components,
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
/// to what is left; the license is never cut. In a file or pipe nothing is cut.
fn table(rows: &[Row], width: Option<usize>, out: &mut dyn Write) -> std::io::Result<()> {
    let cells: Vec<[String; 3]> = rows
        .iter()
        .map(|r| {
            [
                escape::printable(&r.license).into_owned(),
                r.categories.clone(),
                r.components.len().to_string(),
            ]
        })
        .collect();
    let header = ["LICENSE", "CATEGORY", "COUNT"];
    let w: Vec<usize> = (0..3)
        .map(|i| {
            cells
                .iter()
                .map(|c| c[i].chars().count())
                .chain([header[i].len()])
                .max()
                .unwrap_or(0)
        })
        .collect();
    writeln!(
        out,
        "{:<a$}  {:<b$}  {:>c$}  EXAMPLES",
        header[0],
        header[1],
        header[2],
        a = w[0],
        b = w[1],
        c = w[2]
    )?;
    let used = w[0] + w[1] + w[2] + 6;
    for (row, c) in rows.iter().zip(&cells) {
        let examples: Vec<&str> = row.components.iter().take(3).map(String::as_str).collect();
        let mut examples = escape::printable(&examples.join(", ")).into_owned();
        if let Some(total) = width {
            let room = total.saturating_sub(used).max(10);
            if examples.chars().count() > room {
                examples = examples.chars().take(room - 1).collect::<String>() + "…";
            }
        }
        writeln!(
            out,
            "{:<a$}  {:<b$}  {:>c$}  {examples}",
            c[0],
            c[1],
            c[2],
            a = w[0],
            b = w[1],
            c = w[2]
        )?;
    }
    Ok(())
}

fn json(rows: &[Row], out: &mut dyn Write) -> std::io::Result<()> {
    let doc: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| {
            json!({
                "license": r.license,
                "categories": r.categories.split(',').collect::<Vec<_>>(),
                "count": r.components.len(),
                "components": r.components,
            })
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
