//! `bomscout vet PURL...`: deciding before adopting a dependency. For each package: its
//! licenses and their category under the policy, what the policy says they oblige, known
//! vulnerabilities, the OpenSSF Scorecard, maintenance signals, and a verdict with every
//! reason, judged by the same policy evaluation as `check`.

use crate::audit::AdvisoryOptions;
use crate::enrich::{EnrichOptions, Need};
use anyhow::Context;
use bomscout_core::escape::{markdown, printable};
use bomscout_core::{Catalog, Component, DepKind, Project, SbomBuilder};
use bomscout_enrich::engine::Gathered;
use bomscout_enrich::{Answer, Coordinates};
use bomscout_policy::{Action, Date, Evaluation, Policy, SecurityStatus};
use clap::Args;
use serde_json::{json, Value};
use std::io::Write;
use std::process::ExitCode;

/// Arguments of `bomscout vet`.
#[derive(Debug, Args)]
pub struct VetArgs {
    /// Package URLs: `pkg:npm/left-pad@1.3.0`, `pkg:pypi/requests` (no version: the latest
    /// release).
    #[arg(required = true, value_name = "PURL")]
    pub purls: Vec<String>,

    /// The policy that judges them: a file or builtin:NAME. Default: `bomscout-policy.toml`
    /// or `.bomscout.toml` in the current directory, then BOMSCOUT_POLICY, then
    /// builtin:stage1.
    #[arg(long, value_name = "FILE|builtin:NAME")]
    pub policy: Option<String>,

    /// Exit 1 on denials only (default) or on reviews too.
    #[arg(long, value_name = "deny|review", default_value = "deny", value_parser = ["deny", "review"])]
    pub fail_on: String,

    /// table (default), json, or markdown (to paste into a review).
    #[arg(long, value_name = "FORMAT", default_value = "table", value_parser = ["table", "json", "markdown", "md"])]
    pub format: String,

    /// The day ages, exceptions and ignore expiries are counted from (default: today, UTC).
    #[arg(long, value_name = "YYYY-MM-DD", value_parser = crate::cli::parse_date)]
    pub date: Option<String>,

    /// Print nothing on stderr but errors.
    #[arg(short, long)]
    pub quiet: bool,

    /// `vet` asks the enrichment sources by itself (no --enrich needed); `--offline`
    /// answers from the cache only.
    #[command(flatten)]
    pub enrich: EnrichOptions,

    /// Known vulnerabilities come from the local advisory database when there is one
    /// (`bomscout advisories update`); without it, from deps.dev's advisory keys.
    #[command(flatten)]
    pub advisory: AdvisoryOptions,
}

/// The verdict on one package.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Verdict {
    Allowed,
    Review,
    Denied,
    /// Nothing is known about it: never "allowed".
    Unknown,
}

impl Verdict {
    fn word(self) -> &'static str {
        match self {
            Verdict::Allowed => "allowed",
            Verdict::Review => "review",
            Verdict::Denied => "denied",
            Verdict::Unknown => "unknown",
        }
    }

    fn of(action: Action) -> Verdict {
        match action {
            Action::Allow => Verdict::Allowed,
            Action::Review => Verdict::Review,
            Action::Deny => Verdict::Denied,
        }
    }
}

/// Where the vulnerabilities shown come from.
enum VulnSource {
    /// The local OSV database: findings are in the evaluation.
    Database(String),
    /// No database: deps.dev's advisory keys, severities unknown.
    Keys,
}

/// Everything shown about one package.
struct Report {
    asked: String,
    component: Option<Component>,
    verdict: Verdict,
    reasons: Vec<String>,
    licenses: Vec<LicenseRow>,
    vulns: Vec<VulnRow>,
    failures: Vec<String>,
    age_days: Option<i64>,
}

struct LicenseRow {
    expression: String,
    categories: String,
    verdict: Action,
    reason: String,
    guidance: Option<String>,
    evidence: Vec<String>,
}

struct VulnRow {
    id: String,
    severity: String,
    summary: String,
    verdict: Option<Action>,
}

/// Looks each package up, judges it, and writes the report; exit 0 allowed, 1 denied (or
/// review with `--fail-on review`), 2 when a package could not be decided.
#[allow(clippy::print_stderr)]
pub fn vet(args: &VetArgs) -> anyhow::Result<ExitCode> {
    let mut coordinates = Vec::new();
    for purl in &args.purls {
        let c = Coordinates::from_purl(purl).map_err(|e| {
            anyhow::anyhow!(
                "{}: {e}; write a package URL like pkg:npm/left-pad@1.3.0 or pkg:pypi/requests",
                bomscout_core::escape::quote(purl, bomscout_core::escape::QUOTE_LIMIT)
            )
        })?;
        coordinates.push(c);
    }
    let (policy, policy_note) = match crate::check::find_policy(args.policy.as_deref(), &[]) {
        Some(spec) => (
            Policy::load(&spec).map_err(|e| anyhow::anyhow!("invalid policy:\n{e}"))?,
            None,
        ),
        None => (
            Policy::load("builtin:stage1").map_err(|e| anyhow::anyhow!("{e}"))?,
            Some("no policy file found: judged by builtin:stage1"),
        ),
    };
    let today = crate::check::today(args.date.as_deref())?;
    let fail_on = if args.fail_on == "review" {
        Action::Review
    } else {
        Action::Deny
    };
    let enricher = crate::enrich::enricher(
        &args.enrich,
        args.advisory.cache_dir.as_deref(),
        &crate::enrich::from_policy(&policy)?,
        Need {
            always: true,
            latest: true,
        },
    )?
    .context("vet asks the enrichment sources; nothing to ask with")?;
    let enricher = enricher.enricher();
    let advisories = open_advisories(&args.advisory)?;

    let gathered = enricher.lookup(&coordinates);
    let mut catalog = Catalog::default();
    let mut project = Project::new(bomscout_core::Ecosystem::Generic, "bomscout vet");
    let mut resolved: Vec<Option<String>> = Vec::new();
    for (asked, g) in coordinates.iter().zip(&gathered) {
        let version = asked
            .version
            .clone()
            .or_else(|| g.coordinates.version.clone())
            .or_else(|| latest_version(g));
        let component = version.as_deref().and_then(|v| {
            Component::new(asked.ecosystem, asked.namespace.as_deref(), &asked.name, v).ok()
        });
        resolved.push(component.as_ref().map(|c| c.purl.to_string()));
        if let Some(component) = component {
            let node = catalog.add_package(component);
            project.add_dep_once(node, DepKind::Normal);
        }
    }
    catalog.add_project(project);
    let mut builder = SbomBuilder::new("vet");
    builder.add(catalog);
    let mut sbom = builder.finish();
    bomscout_license::normalize_sbom(&mut sbom);
    // Every answer is in the engine's memory by now (the lookup asked): this applies them
    // to the components as a scan's enrichment does, without a request.
    enricher.enrich(&mut sbom, &bomscout_core::Silent);
    let vuln_source = match &advisories {
        Some((adv, name)) => {
            adv.apply(&mut sbom);
            VulnSource::Database(name.clone())
        }
        None => VulnSource::Keys,
    };
    let evaluation = bomscout_policy::evaluate(&policy, &sbom, today);

    let reports: Vec<Report> = args
        .purls
        .iter()
        .zip(&gathered)
        .zip(&resolved)
        .map(|((asked, g), purl)| {
            let component = purl
                .as_deref()
                .and_then(|p| sbom.components.iter().find(|c| c.purl.to_string() == p));
            report(asked, g, component, &evaluation, &vuln_source, today)
        })
        .collect();

    if !args.quiet {
        if let Some(note) = policy_note {
            eprintln!("bomscout: {note}");
        }
        for d in sbom
            .diagnostics
            .iter()
            .filter(|d| d.severity >= bomscout_core::Severity::Warning)
        {
            eprintln!("{}", printable(&d.to_string()));
        }
    }
    let mut out = Vec::new();
    match args.format.as_str() {
        "json" => write_json(&reports, &policy, &vuln_source, &mut out)?,
        "markdown" | "md" => write_markdown(&reports, &policy, &vuln_source, &mut out)?,
        _ => write_table(&reports, &policy, &vuln_source, &mut out)?,
    }
    std::io::stdout().lock().write_all(&out)?;
    let worst = reports
        .iter()
        .map(|r| r.verdict)
        .max()
        .unwrap_or(Verdict::Unknown);
    Ok(ExitCode::from(match worst {
        Verdict::Unknown => 2,
        Verdict::Denied => 1,
        Verdict::Review if fail_on == Action::Review => 1,
        _ => 0,
    }))
}

/// The local advisory database, when there is one: `--advisory-db`/BOMSCOUT_ADVISORY_DB
/// must open (it was asked for); the cache's downloaded exports are used when present.
fn open_advisories(
    options: &AdvisoryOptions,
) -> anyhow::Result<Option<(bomscout_pipeline::Advisories, String)>> {
    let settings = crate::audit::advisory_settings(options)?;
    let explicit = options.advisory_db.is_some()
        || std::env::var_os(crate::advisories::ADVISORY_DB_ENV).is_some_and(|v| !v.is_empty());
    let present = std::fs::read_dir(&settings.database)
        .map(|mut d| d.next().is_some())
        .unwrap_or(false);
    if !explicit && !present {
        return Ok(None);
    }
    let adv = bomscout_pipeline::Advisories::open(&settings)
        .context("the advisory database cannot be opened")?;
    let records: u64 = adv.database().status().iter().map(|s| s.records).sum();
    Ok(Some((
        adv,
        format!(
            "the local advisory database ({}, {records} records)",
            settings.database.display()
        ),
    )))
}

/// The latest version an answer names (a version-less purl).
fn latest_version(g: &Gathered) -> Option<String> {
    g.answers
        .iter()
        .filter_map(|a| a.answer.facts())
        .find_map(|f| f.latest_version.clone())
}

/// Whether any source knew anything about the package.
fn known(g: &Gathered) -> bool {
    g.answers
        .iter()
        .any(|a| matches!(a.answer, Answer::Found(_)))
}

fn report(
    asked: &str,
    g: &Gathered,
    component: Option<&Component>,
    evaluation: &Evaluation,
    vuln_source: &VulnSource,
    today: Date,
) -> Report {
    let mut reasons = Vec::new();
    let mut verdict = Verdict::Allowed;
    let mut licenses = Vec::new();
    let mut vulns = Vec::new();
    let mut age_days = None;
    let failures = g.failures.clone();
    let Some(c) = component.filter(|_| known(g)) else {
        reasons.push(if failures.is_empty() {
            "no source knows this package (check the name and version)".to_string()
        } else {
            format!("nothing could be found out: {}", failures.join("; "))
        });
        return Report {
            asked: asked.to_string(),
            component: component.cloned(),
            verdict: Verdict::Unknown,
            reasons,
            licenses,
            vulns,
            failures,
            age_days,
        };
    };
    let purl = c.purl.to_string();
    for f in evaluation.findings.iter().filter(|f| f.purl == purl) {
        let categories = bomscout_license::expression_categories(&f.license)
            .iter()
            .map(|c| c.as_str())
            .collect::<Vec<_>>()
            .join(", ");
        let evidence = c
            .licenses
            .iter()
            .map(|l| {
                format!(
                    "{} ({}: {} {})",
                    l.expression.as_deref().unwrap_or(&l.raw),
                    l.source.kind.as_str(),
                    l.source.path,
                    l.source.field
                )
            })
            .collect();
        if f.verdict != Action::Allow {
            reasons.push(format!("license {}: {}", f.license, f.reason));
        }
        verdict = verdict.max(Verdict::of(f.verdict));
        licenses.push(LicenseRow {
            expression: f.license.clone(),
            categories: if categories.is_empty() {
                "unknown".to_string()
            } else {
                categories
            },
            verdict: f.verdict,
            reason: f.reason.clone(),
            guidance: f.guidance.clone(),
            evidence,
        });
    }
    match vuln_source {
        VulnSource::Database(_) => {
            for s in evaluation.security.iter().filter(|s| s.purl == purl) {
                if s.status == SecurityStatus::Open && s.verdict != Action::Allow {
                    reasons.push(format!("{} ({}): {}", s.id, s.severity_text(), s.reason));
                    verdict = verdict.max(Verdict::of(s.verdict));
                }
                vulns.push(VulnRow {
                    id: s.ids_text(),
                    severity: s.severity_text(),
                    summary: s.summary.clone().unwrap_or_default(),
                    verdict: Some(s.verdict),
                });
            }
        }
        VulnSource::Keys => {
            let mut keys: Vec<String> = g
                .answers
                .iter()
                .filter_map(|a| a.answer.facts())
                .flat_map(|f| f.advisories.iter().cloned())
                .collect();
            keys.sort();
            keys.dedup();
            if !keys.is_empty() {
                reasons.push(format!(
                    "{} known advisor{} ({}), severity unknown without `bomscout advisories \
                     update`",
                    keys.len(),
                    if keys.len() == 1 { "y" } else { "ies" },
                    keys.join(", ")
                ));
                verdict = verdict.max(Verdict::Review);
            }
            vulns.extend(keys.into_iter().map(|id| VulnRow {
                id,
                severity: "unknown".to_string(),
                summary: String::new(),
                verdict: None,
            }));
        }
    }
    for h in evaluation.health.iter().filter(|h| h.purl == purl) {
        if h.fails(Action::Review) {
            reasons.push(h.reason.clone());
            verdict = verdict.max(Verdict::of(h.verdict));
        }
    }
    if let Some(health) = &c.health {
        if let Some(date) = health.latest_release.as_deref().and_then(Date::parse) {
            age_days = Some((today.to_unix() - date.to_unix()) / 86_400);
        }
    }
    Report {
        asked: asked.to_string(),
        component: Some(c.clone()),
        verdict,
        reasons,
        licenses,
        vulns,
        failures,
        age_days,
    }
}

fn vuln_note(source: &VulnSource) -> String {
    match source {
        VulnSource::Database(name) => format!("known vulnerabilities from {name}"),
        VulnSource::Keys => "no local advisory database: advisories are deps.dev's, severities \
                             unknown (run `bomscout advisories update` for severities)"
            .to_string(),
    }
}

/// The facts of one report as label/value rows (shared by the table and Markdown).
fn rows(r: &Report) -> Vec<(&'static str, String)> {
    let mut rows = Vec::new();
    if let Some(c) = &r.component {
        rows.push(("package", c.purl.to_string()));
    }
    if r.licenses.is_empty() {
        rows.push(("license", "unknown".to_string()));
    }
    for l in &r.licenses {
        rows.push((
            "license",
            format!(
                "{} [{}]: {} ({})",
                l.expression,
                l.categories,
                Verdict::of(l.verdict).word(),
                l.reason
            ),
        ));
        if let Some(g) = &l.guidance {
            rows.push(("obliges", g.clone()));
        }
        for e in &l.evidence {
            rows.push(("evidence", e.clone()));
        }
    }
    if r.vulns.is_empty() && r.component.is_some() && r.verdict != Verdict::Unknown {
        rows.push(("vulns", "none known".to_string()));
    }
    for v in &r.vulns {
        let mut text = format!("{} ({})", v.id, v.severity);
        if !v.summary.is_empty() {
            text.push_str(&format!(": {}", v.summary));
        }
        if let Some(a) = v.verdict {
            text.push_str(&format!(" -> {}", Verdict::of(a).word()));
        }
        rows.push(("vuln", text));
    }
    if let Some(h) = r.component.as_ref().and_then(|c| c.health.as_ref()) {
        if let Some(s) = &h.scorecard {
            let failing: Vec<String> = s
                .failing
                .iter()
                .map(|c| format!("{} {}", c.name, c.score))
                .collect();
            rows.push((
                "scorecard",
                format!(
                    "{:.1}{}{}",
                    s.score,
                    s.date
                        .as_deref()
                        .map(|d| format!(" ({d})"))
                        .unwrap_or_default(),
                    if failing.is_empty() {
                        String::new()
                    } else {
                        format!("; failing: {}", failing.join(", "))
                    }
                ),
            ));
        }
        if let Some(repo) = &h.repository {
            rows.push(("repository", repo.clone()));
        }
        if let Some(latest) = &h.latest_version {
            let mut text = latest.clone();
            if let Some(date) = &h.latest_release {
                text.push_str(&format!(", released {date}"));
                if let Some(days) = r.age_days {
                    text.push_str(&format!(" ({days} days ago)"));
                }
            }
            rows.push(("latest", text));
        }
        if let Some(p) = &h.published {
            rows.push(("published", p.clone()));
        }
        if let Some(a) = h.archived {
            rows.push(("archived", if a { "yes" } else { "no" }.to_string()));
        }
    }
    if r.component
        .as_ref()
        .and_then(|c| c.health.as_ref())
        .is_none()
        && r.verdict != Verdict::Unknown
    {
        rows.push(("health", "unknown (no source repository found)".to_string()));
    }
    if let Some(s) = r
        .component
        .as_ref()
        .and_then(|c| c.properties.get("supplier"))
    {
        rows.push(("supplier", s.clone()));
    }
    for f in &r.failures {
        rows.push(("not asked", f.clone()));
    }
    for reason in &r.reasons {
        rows.push(("reason", reason.clone()));
    }
    rows
}

fn write_table(
    reports: &[Report],
    policy: &Policy,
    source: &VulnSource,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "policy: {}", printable(&policy.name))?;
    writeln!(out, "{}", vuln_note(source))?;
    for r in reports {
        writeln!(out)?;
        writeln!(
            out,
            "{}: {}",
            printable(&r.asked),
            r.verdict.word().to_uppercase()
        )?;
        for (label, value) in rows(r) {
            writeln!(out, "  {label:<10}  {}", printable(&value))?;
        }
    }
    Ok(())
}

fn write_markdown(
    reports: &[Report],
    policy: &Policy,
    source: &VulnSource,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    writeln!(out, "## bomscout vet\n")?;
    writeln!(
        out,
        "Policy: {}. {}.\n",
        markdown(&policy.name),
        markdown(&vuln_note(source))
    )?;
    writeln!(out, "| package | verdict |")?;
    writeln!(out, "|---|---|")?;
    for r in reports {
        writeln!(out, "| {} | **{}** |", markdown(&r.asked), r.verdict.word())?;
    }
    for r in reports {
        writeln!(out, "\n### {} — {}\n", markdown(&r.asked), r.verdict.word())?;
        writeln!(out, "| | |")?;
        writeln!(out, "|---|---|")?;
        for (label, value) in rows(r) {
            writeln!(out, "| {label} | {} |", markdown(&value))?;
        }
    }
    Ok(())
}

fn write_json(
    reports: &[Report],
    policy: &Policy,
    source: &VulnSource,
    out: &mut dyn Write,
) -> anyhow::Result<()> {
    #[derive(serde::Serialize)]
    struct Doc<'a> {
        policy: &'a str,
        vulnerabilities_from: String,
        packages: Vec<JsonPackage<'a>>,
    }
    let doc = Doc {
        policy: &policy.name,
        vulnerabilities_from: match source {
            VulnSource::Database(name) => name.clone(),
            VulnSource::Keys => "deps.dev advisory keys (severity unknown)".to_string(),
        },
        packages: reports.iter().map(json_report).collect(),
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)?;
    Ok(())
}

/// One package in the JSON report. A struct rather than `json!`, so the health facts keep
/// their own serialization (a scorecard of 3.2 stays 3.2, not its `f64` widening).
#[derive(serde::Serialize)]
struct JsonPackage<'a> {
    asked: &'a str,
    purl: Option<String>,
    verdict: &'static str,
    reasons: &'a [String],
    licenses: Vec<Value>,
    vulnerabilities: Vec<Value>,
    health: Option<&'a bomscout_core::Health>,
    latest_release_age_days: Option<i64>,
    supplier: Option<&'a String>,
    failures: &'a [String],
}

fn json_report(r: &Report) -> JsonPackage<'_> {
    let c = r.component.as_ref();
    JsonPackage {
        asked: &r.asked,
        purl: c.map(|c| c.purl.to_string()),
        verdict: r.verdict.word(),
        reasons: &r.reasons,
        licenses: r
            .licenses
            .iter()
            .map(|l| {
                json!({
                    "expression": l.expression,
                    "categories": l.categories,
                    "verdict": Verdict::of(l.verdict).word(),
                    "reason": l.reason,
                    "guidance": l.guidance,
                    "evidence": l.evidence,
                })
            })
            .collect(),
        vulnerabilities: r
            .vulns
            .iter()
            .map(|v| {
                json!({
                    "id": v.id,
                    "severity": v.severity,
                    "summary": (!v.summary.is_empty()).then_some(&v.summary),
                    "verdict": v.verdict.map(|a| Verdict::of(a).word()),
                })
            })
            .collect(),
        health: c.and_then(|c| c.health.as_deref()),
        latest_release_age_days: r.age_days,
        supplier: c.and_then(|c| c.properties.get("supplier")),
        failures: &r.failures,
    }
}
