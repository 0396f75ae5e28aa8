//! `bomscout audit`, and the advisory options `scan` and `check` share: the components of a
//! tree matched against the local advisory database, judged by the policy's `[security]`
//! table.

use crate::cli::ScanOptions;
use crate::progress::Progress;
use bomscout_core::vuln::Suppression;
use bomscout_core::{Diagnostic, Sbom};
use bomscout_pipeline::{AdvisorySettings, CheckSettings, Checked, Pipeline};
use bomscout_policy::{Action, Evaluation, Policy, SecurityStatus};
use clap::Args;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

/// Where the advisories are, shared by `scan --advisories`, `check` and `audit`.
#[derive(Debug, Args, Clone, Default)]
#[command(next_help_heading = "Advisories")]
pub struct AdvisoryOptions {
    /// Read this advisory database instead of the cache: a directory of
    /// `{Ecosystem}/all.zip` (a copied cache folder) or a tree of OSV .json/.yaml records.
    /// Also BOMSCOUT_ADVISORY_DB.
    #[arg(long, value_name = "DIR")]
    pub advisory_db: Option<PathBuf>,

    /// The cache directory: `bomscout advisories update` writes `osv/` there, the
    /// database's index is kept in it, and so are enrichment's answers (`enrich/`). Also
    /// BOMSCOUT_CACHE_DIR.
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,

    /// Apply a VEX document (OpenVEX JSON or CycloneDX VEX; repeatable): components it says
    /// are not affected are reported as suppressed, with its justification.
    #[arg(long, value_name = "FILE")]
    pub vex: Vec<PathBuf>,

    /// Warn when the advisory data was last confirmed current more than DAYS ago.
    #[arg(long, value_name = "DAYS", default_value_t = 7)]
    pub max_age: u32,
}

impl AdvisoryOptions {
    /// Whether these options ask for matching by themselves: naming a database or a VEX
    /// document means the user wants vulnerabilities, `--advisories` or not.
    pub fn implied(&self) -> bool {
        self.advisory_db.is_some() || !self.vex.is_empty()
    }
}

/// Arguments of `bomscout audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub scan: ScanOptions,

    #[command(flatten)]
    pub advisories: AdvisoryOptions,

    /// The policy whose `[security]` table judges the findings (found as `check` finds
    /// it; without one: critical and high fail, dev-only findings are reported only).
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub policy: Option<String>,

    /// Report as FORMAT, to FILE or stdout (`-`); repeatable. Formats: table (default),
    /// json, markdown.
    #[arg(short, long = "output", value_name = "FORMAT[=FILE]")]
    pub outputs: Vec<String>,

    /// The day ignore entries' expiry dates are checked against (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::parse_date)]
    pub date: Option<String>,

    #[command(flatten)]
    pub enrich: crate::enrich::EnrichOptions,
}

/// The report formats of `audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    Table,
    Json,
    Markdown,
}

/// Scans, matches, judges, reports; exit 1 when a finding fails the security policy.
pub fn audit(args: &AuditArgs) -> anyhow::Result<ExitCode> {
    let outputs = crate::cli::parse_outputs(&args.outputs, Format::Table, |name| {
        Ok(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "markdown" | "md" => Format::Markdown,
            _ => anyhow::bail!(
                "unknown audit report format {name:?}; expected table, json or markdown"
            ),
        })
    })?;
    crate::cli::one_on_stdout(outputs.iter().map(|(_, f)| f), "report")?;
    crate::guard::refuse_overwriting_inputs(
        outputs.iter().filter_map(|(_, f)| f.as_deref()),
        &args.scan.paths,
    )?;
    let policy = match crate::check::find_policy(args.policy.as_deref(), &args.scan.paths) {
        Some(spec) => Policy::load(&spec).map_err(|e| anyhow::anyhow!("invalid policy:\n{e}"))?,
        None => Policy::load("builtin:stage1").map_err(|e| anyhow::anyhow!("{e}"))?,
    };
    let today = crate::check::today(args.date.as_deref())?;
    let advisories = advisory_settings(&args.advisories)?;
    let enricher = crate::enrich::enricher(
        &args.enrich,
        args.advisories.cache_dir.as_deref(),
        &crate::enrich::from_policy(&policy)?,
        crate::enrich::Need {
            always: false,
            latest: crate::enrich::needs_latest(&policy),
        },
    )?;
    let pipeline = Pipeline::new(crate::scan::settings(&args.scan, enricher)?)?;
    let progress = Progress::new(!args.scan.verbosity.quiet);
    let checked = pipeline.check(
        &progress,
        &policy,
        &CheckSettings {
            today,
            // The verdict is the security one; an unreadable file is a diagnostic, and
            // `--strict` makes it exit 2.
            allow_unreadable: true,
            baseline: None,
            advisories: Some(&advisories),
        },
    );
    progress.finish();
    let Checked {
        mut sbom,
        evaluation,
        enrichment,
        ..
    } = checked?;
    crate::enrich::print_summary(
        enrichment.as_ref(),
        args.enrich.offline,
        args.scan.verbosity.quiet,
    );
    mark_ignored(&mut sbom, &evaluation, &policy);
    crate::scan::report_diagnostics(&sbom.diagnostics, args.scan.verbosity, args.scan.strict);
    for (format, file) in &outputs {
        let mut buf = Vec::new();
        match format {
            Format::Table => {
                let settings = bomscout_report::Settings {
                    table_width: file
                        .is_none()
                        .then(crate::output::stdout_terminal_width)
                        .flatten(),
                    ..bomscout_report::Settings::default()
                };
                bomscout_report::audit::write_table(&sbom, &settings, &mut buf)?;
            }
            Format::Json => bomscout_report::audit::write_json(&sbom, &mut buf)?,
            Format::Markdown => bomscout_report::audit::write_markdown(&sbom, &mut buf)?,
        }
        match file {
            Some(path) => crate::check::write_report(path, &buf)?,
            None => std::io::stdout().lock().write_all(&buf)?,
        }
    }
    Ok(exit_code(
        &evaluation,
        args.scan.strict && sbom.has_errors(),
    ))
}

/// 1 when a finding fails the security policy; 2 under `--strict` when a file could not be
/// read (the scan was not complete); else 0.
fn exit_code(evaluation: &Evaluation, incomplete: bool) -> ExitCode {
    if incomplete {
        ExitCode::from(2)
    } else if evaluation
        .security_violations(Action::Deny)
        .next()
        .is_some()
    {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    }
}

/// Matches `sbom` against the advisory database `options` name and applies their VEX
/// documents. Fails when the database cannot be opened: a security verdict is never given
/// without one.
pub fn attach(sbom: &mut Sbom, options: &AdvisoryOptions) -> anyhow::Result<()> {
    bomscout_pipeline::attach_advisories(sbom, &advisory_settings(options)?)?;
    Ok(())
}

/// The pipeline's advisory settings for `options`: the database (`--advisory-db`,
/// `BOMSCOUT_ADVISORY_DB`, else the cache's `osv` folder), its index in
/// `{cache}/osv-index`, the VEX documents, and a warning for each export not confirmed
/// current within `--max-age` days.
pub fn advisory_settings(options: &AdvisoryOptions) -> anyhow::Result<AdvisorySettings> {
    let database = crate::advisories::database_dir(
        options.advisory_db.as_deref(),
        options.cache_dir.as_deref(),
    )?;
    let max_age = Duration::from_secs(u64::from(options.max_age) * 86_400);
    let notes = crate::advisories::stale_exports(&database, max_age)
        .into_iter()
        .map(|warning| Diagnostic::warning(database.display().to_string(), warning))
        .collect();
    let settings = AdvisorySettings {
        database,
        // Without a cache directory (none on this platform) the index lives in memory.
        index_dir: bomscout_net::cache::cache_dir(options.cache_dir.as_deref())
            .ok()
            .map(|c| c.join("osv-index")),
        vex: options.vex.clone(),
        notes,
    };
    Ok(settings)
}

/// Marks the findings a policy `ignore` entry sets aside as suppressed in the document, so
/// the audit view and every SBOM show them apart, with the entry's reason.
pub fn mark_ignored(sbom: &mut Sbom, evaluation: &Evaluation, policy: &Policy) {
    for finding in evaluation
        .security
        .iter()
        .filter(|f| f.status == SecurityStatus::Ignored)
    {
        for v in sbom.vulnerabilities.iter_mut() {
            if v.advisory.id != finding.id {
                continue;
            }
            for a in v.affects.iter_mut().filter(|a| a.component == finding.key) {
                if a.suppressed.is_none() {
                    a.suppressed = Some(Suppression {
                        state: "ignored".to_string(),
                        justification: Some(finding.reason.clone()),
                        detail: None,
                        source: policy.name.clone(),
                    });
                }
            }
        }
    }
}
