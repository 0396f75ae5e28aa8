//! The gate's outputs: a report for people, JSON, SARIF 2.1.0, Markdown for a PR comment,
//! and GitHub workflow-command annotations. Only reviews and denials are reported: an
//! allowed license is never a SARIF result (one alert per allowed license is what floods
//! code scanning with other tools).
//!
//! Security findings ride along in each format: one SARIF rule per advisory id and one
//! result per (advisory, component) at the component's first location (its lockfile
//! line), with GitHub's `security-severity` from the CVSS score; a security section in the
//! Markdown summary and the human report; an annotation per failing or not-gating finding.
//! Suppressed (VEX) and ignored (policy) findings are listed in the human, Markdown and
//! JSON reports, never as SARIF results or annotations (code scanning would open alerts
//! for them).
//!
//! Health findings (`[health]`: scorecard, archived, unmaintained) likewise: one SARIF rule
//! per health rule and one result per component per rule at the component's first
//! location; an upkeep section in the Markdown and human reports; an annotation per open or
//! not-gating finding; and the count of components whose upkeep is unknown in the summary
//! line of every format, so a `[health]` table over an un-enriched tree never passes
//! silently.

use crate::cfg::Action;
use crate::eval::{Evaluation, Finding, Outcome, Rule};
use crate::health::{HealthFinding, HealthRule, HealthStatus};
use crate::security::{SecurityFinding, SecurityStatus};
use bomscout_core::escape::{markdown as escape_md, printable};
use bomscout_core::VulnSeverity;
use bomscout_core::{Diagnostic, Severity};
use serde_json::json;
use std::collections::BTreeMap;
use std::io::{self, Write};

/// The report formats of `bomscout check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckFormat {
    /// For people at a terminal (the default).
    Human,
    /// The evaluation as JSON.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
    /// Markdown, for a PR comment or `$GITHUB_STEP_SUMMARY`.
    Markdown,
    /// GitHub Actions workflow commands (`::error file=…::…`).
    Github,
}

impl CheckFormat {
    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<CheckFormat> {
        Some(match name {
            "table" | "human" => CheckFormat::Human,
            "json" => CheckFormat::Json,
            "sarif" => CheckFormat::Sarif,
            "markdown" | "md" => CheckFormat::Markdown,
            "github" => CheckFormat::Github,
            _ => return None,
        })
    }
}

/// Writes `eval` in `format`; `tool_version` goes into SARIF.
pub fn write(
    format: CheckFormat,
    eval: &Evaluation,
    fail_on: Action,
    tool_version: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        CheckFormat::Human => human(eval, fail_on, out),
        CheckFormat::Json => {
            let mut doc = serde_json::to_value(eval)?;
            doc["outcome"] = json!(eval.outcome(fail_on).word());
            serde_json::to_writer_pretty(&mut *out, &doc)?;
            writeln!(out)
        }
        CheckFormat::Sarif => sarif(eval, fail_on, tool_version, out),
        CheckFormat::Markdown => markdown(eval, fail_on, out),
        CheckFormat::Github => github(eval, out),
    }
}

fn where_found(f: &Finding) -> String {
    f.location
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_else(|| "?".into())
}

/// The report for a terminal. Names, versions, licenses, paths and reasons come from the
/// scanned files: each goes through [`printable`], so none can send an escape sequence to
/// the terminal or start a line that looks like bomscout's own.
fn human(eval: &Evaluation, fail_on: Action, out: &mut dyn Write) -> io::Result<()> {
    let mut by_license: BTreeMap<(Action, &str), Vec<&Finding>> = BTreeMap::new();
    for f in eval.problems() {
        by_license
            .entry((f.verdict, f.license.as_str()))
            .or_default()
            .push(f);
    }
    for ((verdict, license), findings) in by_license.iter().rev() {
        let word = if *verdict == Action::Deny {
            "denied"
        } else {
            "review"
        };
        writeln!(
            out,
            "{word}: {} ({} package{})",
            printable(license),
            findings.len(),
            if findings.len() == 1 { "" } else { "s" }
        )?;
        for f in findings {
            writeln!(
                out,
                "  {}@{}  in {}",
                printable(&f.name),
                printable(f.version.as_deref().unwrap_or("?")),
                printable(&where_found(f))
            )?;
            if f.chain.len() > 1 {
                writeln!(out, "    via {}", printable(&f.chain.join(" > ")))?;
            }
            writeln!(out, "    rule: {}: {}", f.rule.id(), printable(&f.reason))?;
            if let Some(g) = &f.guidance {
                writeln!(out, "    guidance: {}", printable(g))?;
            }
        }
    }
    human_security(eval, out)?;
    human_health(eval, out)?;
    for n in &eval.notes {
        writeln!(out, "note: {}", printable(n))?;
    }
    summary(eval, fail_on, &printable(&eval.policy), out)
}

/// The word a security finding is listed under.
fn security_word(f: &SecurityFinding) -> &'static str {
    match f.status {
        SecurityStatus::Open if f.verdict == Action::Deny => "vulnerable",
        SecurityStatus::Open => "vulnerable (review)",
        SecurityStatus::NotGating => "vulnerable (not gating)",
        SecurityStatus::Ignored => "ignored",
        SecurityStatus::Suppressed => "suppressed",
    }
}

/// One block per reported security finding, worst first.
fn human_security(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    for f in eval.security_problems() {
        writeln!(
            out,
            "{}: {} [{}]{}",
            security_word(f),
            printable(&f.ids_text()),
            f.severity_text(),
            f.summary
                .as_deref()
                .map(|s| format!(" {}", printable(s)))
                .unwrap_or_default()
        )?;
        writeln!(
            out,
            "  {}@{}  in {}; {}",
            printable(&f.name),
            printable(&f.version),
            printable(&where_found_security(f)),
            printable(&f.fix_text())
        )?;
        if f.chain.len() > 1 {
            writeln!(out, "    via {}", printable(&f.chain.join(" > ")))?;
        }
        writeln!(out, "    why: {}", printable(&f.reason))?;
    }
    Ok(())
}

/// The word a health finding is listed under.
fn health_word(f: &HealthFinding) -> &'static str {
    match (f.status, f.verdict) {
        (HealthStatus::Open, Action::Deny) => "unhealthy",
        (HealthStatus::Open, _) => "unhealthy (review)",
        (HealthStatus::NotGating, _) => "unhealthy (not gating)",
        (HealthStatus::Ignored, _) => "ignored",
    }
}

/// One block per health finding.
fn human_health(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    for f in &eval.health {
        writeln!(
            out,
            "{}: {} {}  in {}",
            health_word(f),
            f.rule.id(),
            printable(&f.package_text()),
            printable(&where_found_health(f))
        )?;
        if f.chain.len() > 1 {
            writeln!(out, "    via {}", printable(&f.chain.join(" > ")))?;
        }
        writeln!(out, "    why: {}", printable(&f.reason))?;
    }
    Ok(())
}

fn where_found_health(f: &HealthFinding) -> String {
    f.location
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_else(|| "?".into())
}

/// `; health: …` for the summary line, or nothing when upkeep was not judged.
fn health_clause(eval: &Evaluation) -> String {
    if eval.health.is_empty() && eval.health_unknown == 0 {
        return String::new();
    }
    let open = |a: Action| {
        eval.health
            .iter()
            .filter(|f| f.status == HealthStatus::Open && f.verdict == a)
            .count()
    };
    let status = |s: HealthStatus| eval.health.iter().filter(|f| f.status == s).count();
    let unknown = match eval.health_unknown {
        0 => String::new(),
        n => format!(", upkeep unknown for {n} component(s) (run with --enrich)"),
    };
    format!(
        "; health: {} finding(s), {} denied, {} to review, {} ignored, {} not gating{unknown}",
        eval.health.len(),
        open(Action::Deny),
        open(Action::Review),
        status(HealthStatus::Ignored),
        status(HealthStatus::NotGating),
    )
}

fn where_found_security(f: &SecurityFinding) -> String {
    f.location
        .as_ref()
        .map(|l| l.to_string())
        .unwrap_or_else(|| "?".into())
}

/// `; security: …` for the summary line, or nothing when no advisories were matched.
fn security_clause(eval: &Evaluation) -> String {
    if eval.security.is_empty() {
        return String::new();
    }
    let open = |a: Action| {
        eval.security
            .iter()
            .filter(|f| f.status == SecurityStatus::Open && f.verdict == a)
            .count()
    };
    let status = |s: SecurityStatus| eval.security.iter().filter(|f| f.status == s).count();
    format!(
        "; security: {} finding(s), {} denied, {} to review, {} suppressed by VEX, {} ignored, {} not gating",
        eval.security.len(),
        open(Action::Deny),
        open(Action::Review),
        status(SecurityStatus::Suppressed),
        status(SecurityStatus::Ignored),
        status(SecurityStatus::NotGating),
    )
}

/// The verdict line; `policy` is the policy's name, escaped for where the line goes.
fn summary(
    eval: &Evaluation,
    fail_on: Action,
    policy: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let count = |a: Action| eval.findings.iter().filter(|f| f.verdict == a).count();
    let outcome = eval.outcome(fail_on);
    writeln!(
        out,
        "{}: policy {}: {} checked, {} denied, {} to review, {} allowed ({} excepted), {} not in checked scopes{}{}{}",
        outcome.word(),
        policy,
        eval.findings.len(),
        count(Action::Deny),
        count(Action::Review),
        count(Action::Allow),
        eval.findings.iter().filter(|f| f.rule == Rule::Excepted).count(),
        eval.skipped,
        security_clause(eval),
        health_clause(eval),
        unreadable_clause(eval)
    )
}

/// `; 2 file(s) could not be read (...)` for the summary line, or nothing.
fn unreadable_clause(eval: &Evaluation) -> String {
    let n = eval.unreadable().count();
    match (n, eval.allow_unreadable) {
        (0, _) => String::new(),
        (n, false) => format!(
            "; {n} file(s) or director(ies) could not be read, so there is no verdict \
             (fix them, or pass --allow-unreadable to judge the rest)"
        ),
        (n, true) => format!("; {n} file(s) or director(ies) could not be read (allowed)"),
    }
}

fn markdown(eval: &Evaluation, fail_on: Action, out: &mut dyn Write) -> io::Result<()> {
    let heading = match eval.outcome(fail_on) {
        Outcome::Pass => "✅ passed",
        Outcome::Fail => "❌ failed",
        Outcome::Incomplete => "⚠️ incomplete: input could not be read",
    };
    let judged_health = !eval.health.is_empty() || eval.health_unknown > 0;
    let what = match (eval.security.is_empty(), judged_health) {
        (true, false) => "license check",
        (false, false) => "license and security check",
        (true, true) => "license and health check",
        (false, true) => "license, security and health check",
    };
    writeln!(out, "## bomscout {what}: {heading}\n")?;
    let problems: Vec<&Finding> = eval.problems().collect();
    if problems.is_empty() {
        writeln!(
            out,
            "No license problems in {} checked components (policy {}).",
            eval.findings.len(),
            escape_md(&eval.policy)
        )?;
    } else {
        writeln!(
            out,
            "| package | version | license | verdict | why | guidance |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for f in problems {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                escape_md(&f.name),
                escape_md(f.version.as_deref().unwrap_or("?")),
                escape_md(&f.license),
                if f.verdict == Action::Deny {
                    "deny"
                } else {
                    "review"
                },
                escape_md(&f.reason),
                escape_md(f.guidance.as_deref().unwrap_or(""))
            )?;
        }
    }
    markdown_security(eval, out)?;
    markdown_health(eval, out)?;
    markdown_diagnostics(eval, out)?;
    if !eval.notes.is_empty() {
        writeln!(out, "\n**Notes**\n")?;
        for n in &eval.notes {
            writeln!(out, "- {}", escape_md(n))?;
        }
    }
    writeln!(out)?;
    let mut line = Vec::new();
    summary(eval, fail_on, &escape_md(&eval.policy), &mut line)?;
    writeln!(out, "{}", String::from_utf8_lossy(&line).trim_end())
}

/// The security section of the PR summary: counts by severity, then a table of the
/// failing findings (what to upgrade to), the ones to review, and what was set aside.
fn markdown_security(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    if eval.security.is_empty() {
        return Ok(());
    }
    writeln!(out, "\n### Known vulnerabilities\n")?;
    let counts: Vec<String> = VulnSeverity::ALL
        .iter()
        .filter_map(|s| {
            let n = eval.security.iter().filter(|f| f.severity == *s).count();
            (n > 0).then(|| format!("{n} {s}"))
        })
        .collect();
    let packages: std::collections::BTreeSet<&str> =
        eval.security.iter().map(|f| f.key.as_str()).collect();
    writeln!(
        out,
        "{} finding(s) in {} package(s): {}.",
        eval.security.len(),
        packages.len(),
        counts.join(", ")
    )?;
    let table = |title: &str, rows: Vec<&SecurityFinding>, out: &mut dyn Write| -> io::Result<()> {
        if rows.is_empty() {
            return Ok(());
        }
        writeln!(out, "\n**{title}**\n")?;
        writeln!(
            out,
            "| advisory | package | version | severity | fix | found in |"
        )?;
        writeln!(out, "|---|---|---|---|---|---|")?;
        for f in rows {
            writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} |",
                escape_md(&f.ids_text()),
                escape_md(&f.name),
                escape_md(&f.version),
                escape_md(&f.severity_text()),
                escape_md(&f.fix_text()),
                escape_md(&where_found_security(f)),
            )?;
        }
        Ok(())
    };
    let open = |a: Action| -> Vec<&SecurityFinding> {
        eval.security
            .iter()
            .filter(|f| f.status == SecurityStatus::Open && f.verdict == a)
            .collect()
    };
    table("Denied (fail the check)", open(Action::Deny), out)?;
    table("To review", open(Action::Review), out)?;
    table(
        "Not gating (outside the security scopes)",
        eval.security
            .iter()
            .filter(|f| f.status == SecurityStatus::NotGating && f.verdict != Action::Allow)
            .collect(),
        out,
    )?;
    let aside: Vec<&SecurityFinding> = eval
        .security
        .iter()
        .filter(|f| {
            matches!(
                f.status,
                SecurityStatus::Suppressed | SecurityStatus::Ignored
            )
        })
        .collect();
    if !aside.is_empty() {
        writeln!(out, "\n**Suppressed or ignored**\n")?;
        for f in aside {
            writeln!(
                out,
                "- {} in {}@{}: {}",
                escape_md(&f.ids_text()),
                escape_md(&f.name),
                escape_md(&f.version),
                escape_md(&f.reason)
            )?;
        }
    }
    Ok(())
}

/// The upkeep section of the PR summary: one row per health finding, and how many
/// components could not be judged.
fn markdown_health(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    if eval.health.is_empty() && eval.health_unknown == 0 {
        return Ok(());
    }
    writeln!(out, "\n### Upkeep (OpenSSF Scorecard, maintenance)\n")?;
    if eval.health_unknown > 0 {
        writeln!(
            out,
            "Upkeep unknown for {} component(s): not judged; run with `--enrich`.",
            eval.health_unknown
        )?;
    }
    if eval.health.is_empty() {
        return Ok(());
    }
    if eval.health_unknown > 0 {
        writeln!(out)?;
    }
    writeln!(
        out,
        "| package | version | rule | verdict | why | found in |"
    )?;
    writeln!(out, "|---|---|---|---|---|---|")?;
    for f in &eval.health {
        let verdict = match (f.status, f.verdict) {
            (HealthStatus::Open, Action::Deny) => "deny",
            (HealthStatus::Open, _) => "review",
            (HealthStatus::NotGating, _) => "not gating",
            (HealthStatus::Ignored, _) => "ignored",
        };
        writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} |",
            escape_md(&f.name),
            escape_md(f.version.as_deref().unwrap_or("?")),
            f.rule.key(),
            verdict,
            escape_md(&f.reason),
            escape_md(&where_found_health(f)),
        )?;
    }
    Ok(())
}

/// The files that could not be read (and, after them, those read only in part), so a
/// reviewer sees in the comment itself why there is no verdict.
fn markdown_diagnostics(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    let mut sorted: Vec<&Diagnostic> = eval.diagnostics.iter().collect();
    sorted.sort_by_key(|d| std::cmp::Reverse(d.severity));
    for (i, d) in sorted.iter().enumerate() {
        if i == 0 {
            writeln!(out, "\n**Input that could not be read**\n")?;
        }
        let word = if d.severity == Severity::Error {
            "not read"
        } else {
            "partly read"
        };
        writeln!(
            out,
            "- {word}: `{}`: {}",
            location_text(d).replace('`', "'"),
            escape_md(&d.message)
        )?;
    }
    Ok(())
}

/// `path:line` of a diagnostic, control characters made visible.
fn location_text(d: &Diagnostic) -> String {
    let path = printable(&d.path);
    match d.line {
        Some(line) => format!("{path}:{line}"),
        None => path.into_owned(),
    }
}

/// Workflow commands, one line each: untrusted text goes through [`printable`] first (a CI
/// log renders ANSI sequences), then through the workflow-command escaping.
fn github(eval: &Evaluation, out: &mut dyn Write) -> io::Result<()> {
    for d in &eval.diagnostics {
        let level = if d.severity == Severity::Error {
            "error"
        } else {
            "warning"
        };
        let place = Some((d.path.as_str(), d.line));
        annotation(
            out,
            level,
            place,
            "bomscout: input not read",
            &printable(&d.message),
        )?;
    }
    for n in &eval.notes {
        writeln!(
            out,
            "::notice title=bomscout policy::{}",
            escape_data(&printable(n))
        )?;
    }
    for f in eval.problems() {
        let level = if f.verdict == Action::Deny {
            "error"
        } else {
            "warning"
        };
        let place = f.location.as_ref().map(|l| (&*l.path, l.line));
        let title = format!("{}: {}", f.rule.id(), printable(&f.name));
        let mut message = format!(
            "{}@{}: {}",
            printable(&f.name),
            printable(f.version.as_deref().unwrap_or("?")),
            printable(&f.reason)
        );
        if let Some(g) = &f.guidance {
            message.push_str(&format!("\n{}", printable(g)));
        }
        annotation(out, level, place, &title, &message)?;
    }
    for f in eval.security_problems() {
        let level = match (f.status, f.verdict) {
            (SecurityStatus::Open, Action::Deny) => "error",
            (SecurityStatus::Open, _) => "warning",
            (SecurityStatus::NotGating, _) => "notice",
            (SecurityStatus::Ignored | SecurityStatus::Suppressed, _) => continue,
        };
        let place = f.location.as_ref().map(|l| (&*l.path, l.line));
        let title = format!("{}: {}", printable(&f.id), printable(&f.name));
        let message = format!(
            "{}@{}: {} [{}]{}; {}. {}",
            printable(&f.name),
            printable(&f.version),
            printable(&f.ids_text()),
            f.severity_text(),
            f.summary
                .as_deref()
                .map(|s| format!(" {}", printable(s)))
                .unwrap_or_default(),
            printable(&f.fix_text()),
            printable(&f.reason)
        );
        annotation(out, level, place, &title, &message)?;
    }
    for f in &eval.health {
        let level = match (f.status, f.verdict) {
            (HealthStatus::Open, Action::Deny) => "error",
            (HealthStatus::Open, _) => "warning",
            (HealthStatus::NotGating, _) => "notice",
            (HealthStatus::Ignored, _) => continue,
        };
        let place = f.location.as_ref().map(|l| (&*l.path, l.line));
        let title = format!("{}: {}", f.rule.id(), printable(&f.name));
        let message = format!("{}: {}", printable(&f.package_text()), printable(&f.reason));
        annotation(out, level, place, &title, &message)?;
    }
    Ok(())
}

/// One workflow command, `::LEVEL file=…,line=…,title=…::MESSAGE`, every part escaped.
fn annotation(
    out: &mut dyn Write,
    level: &str,
    place: Option<(&str, Option<u32>)>,
    title: &str,
    message: &str,
) -> io::Result<()> {
    let mut props = Vec::new();
    if let Some((path, line)) = place {
        props.push(format!("file={}", escape_property(&printable(path))));
        if let Some(line) = line {
            props.push(format!("line={line}"));
        }
    }
    props.push(format!("title={}", escape_property(title)));
    writeln!(
        out,
        "::{level} {}::{}",
        props.join(","),
        escape_data(message)
    )
}

/// GitHub workflow-command data escaping.
fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub workflow-command property escaping (also `:` and `,`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn sarif(
    eval: &Evaluation,
    fail_on: Action,
    tool_version: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    let kinds = [Rule::Denied, Rule::Review, Rule::Unknown, Rule::Unlisted];
    let rules: Vec<serde_json::Value> = kinds
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": {"text": rule_text(*r)},
                "fullDescription": {"text": rule_text(*r)},
                "helpUri": "https://spdx.org/licenses/",
                "help": {"text": "See the policy's guidance for this license or category; ask the OSPO when in doubt."},
            })
        })
        .collect();
    let mut results: Vec<serde_json::Value> = eval
        .problems()
        .map(|f| {
            let index = kinds.iter().position(|k| *k == f.rule).unwrap_or(0);
            let mut text = format!("{}@{} is under {}: {}", f.name, f.version.as_deref().unwrap_or("?"), f.license, f.reason);
            if let Some(g) = &f.guidance {
                text.push_str(&format!(". {g}"));
            }
            let location = sarif_location(
                f.location.as_ref().map_or("", |l| &*l.path),
                f.location.as_ref().and_then(|l| l.line),
            );
            json!({
                "ruleId": f.rule.id(),
                "ruleIndex": index,
                "level": if f.verdict == Action::Deny { "error" } else { "warning" },
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"bomscout/purl-license": fingerprint(&f.purl, &f.license, f.rule)},
                "properties": {"purl": f.purl, "license": f.license, "scope": f.scope.as_str()},
            })
        })
        .collect();
    let (security_rules, security_results) = sarif_security(eval, kinds.len());
    let mut rules = rules;
    rules.extend(security_rules);
    results.extend(security_results);
    let (health_rules, health_results) = sarif_health(eval, rules.len());
    rules.extend(health_rules);
    results.extend(health_results);
    let doc = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "bomscout",
                "version": tool_version,
                "informationUri": "https://spdx.org/licenses/",
                "rules": rules,
            }},
            "results": results,
            "invocations": [sarif_invocation(eval, fail_on)],
        }],
    });
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}

/// The security findings code scanning should show: open ones not allowed, and not-gating
/// ones (as notes). Suppressed and ignored findings are left out: code scanning would open
/// an alert for each.
fn sarif_findings(eval: &Evaluation) -> impl Iterator<Item = &SecurityFinding> {
    eval.security.iter().filter(|f| {
        f.verdict != Action::Allow
            && matches!(f.status, SecurityStatus::Open | SecurityStatus::NotGating)
    })
}

/// A bounded excerpt of advisory text for SARIF (a record's `details` can be pages long).
fn excerpt(s: &str, max: usize) -> String {
    let mut out: String = s.chars().take(max).collect();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// GitHub code scanning's `security-severity`: the CVSS score as a string, else the
/// lowest score of the level a database's label names (so the alert gets that level);
/// none when the severity is unknown.
fn security_severity(f: &SecurityFinding) -> Option<String> {
    if let Some(score) = f.score {
        return Some(format!("{score:.1}"));
    }
    match f.severity {
        VulnSeverity::Critical => Some("9.0".into()),
        VulnSeverity::High => Some("7.0".into()),
        VulnSeverity::Medium => Some("4.0".into()),
        VulnSeverity::Low => Some("0.1".into()),
        VulnSeverity::None => Some("0.0".into()),
        VulnSeverity::Unknown => None,
    }
}

fn sarif_level(f: &SecurityFinding) -> &'static str {
    match (f.status, f.verdict) {
        (SecurityStatus::Open, Action::Deny) => "error",
        (SecurityStatus::Open, Action::Review) => "warning",
        _ => "note",
    }
}

/// One rule per advisory id and one result per (advisory, component), located at the
/// component's first location; `first_index` is the index of the first security rule.
fn sarif_security(
    eval: &Evaluation,
    first_index: usize,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let mut by_id: BTreeMap<&str, &SecurityFinding> = BTreeMap::new();
    for f in sarif_findings(eval) {
        // The worst finding of an advisory speaks for its rule (findings are sorted
        // worst first, so the first one seen).
        by_id.entry(f.id.as_str()).or_insert(f);
    }
    let index: BTreeMap<&str, usize> = by_id
        .keys()
        .enumerate()
        .map(|(i, id)| (*id, first_index + i))
        .collect();
    let rules = by_id
        .values()
        .map(|f| {
            let summary = f
                .summary
                .as_deref()
                .map(|s| excerpt(s, 200))
                .unwrap_or_else(|| format!("Known vulnerability {}", f.id));
            let mut properties = json!({
                "tags": ["security", "vulnerability", f.severity.as_str()],
                "problem.severity": match f.verdict {
                    Action::Deny => "error",
                    Action::Review => "warning",
                    Action::Allow => "recommendation",
                },
            });
            if let Some(s) = security_severity(f) {
                properties["security-severity"] = json!(s);
            }
            if !f.aliases.is_empty() {
                properties["aliases"] = json!(f.aliases);
            }
            let mut help = format!("{}: {summary}", f.ids_text());
            for r in &f.references {
                help.push_str(&format!("\n{r}"));
            }
            let mut rule = json!({
                "id": f.id,
                "name": summary,
                "shortDescription": {"text": summary},
                "fullDescription": {"text": format!("{} ({}, {})", summary, f.ids_text(), f.severity_text())},
                "help": {"text": help},
                "properties": properties,
            });
            if let Some(uri) = f.references.first() {
                rule["helpUri"] = json!(uri);
            }
            rule
        })
        .collect();
    let results = sarif_findings(eval)
        .map(|f| {
            let text = format!(
                "{}@{} is affected by {} [{}]{}; {}. {}",
                f.name,
                f.version,
                f.ids_text(),
                f.severity_text(),
                f.summary
                    .as_deref()
                    .map(|s| format!(": {}", excerpt(s, 200)))
                    .unwrap_or_default(),
                f.fix_text(),
                f.reason
            );
            let location = sarif_location(
                f.location.as_ref().map_or("", |l| &*l.path),
                f.location.as_ref().and_then(|l| l.line),
            );
            let mut properties = json!({
                "purl": f.purl,
                "scope": f.scope.as_str(),
                "severity": f.severity.as_str(),
                "status": f.status,
            });
            if let Some(fixed) = &f.fixed {
                properties["fixed"] = json!(fixed);
            }
            json!({
                "ruleId": f.id,
                "ruleIndex": index.get(f.id.as_str()).copied().unwrap_or(first_index),
                "level": sarif_level(f),
                "message": {"text": text},
                "locations": [location],
                "partialFingerprints": {"bomscout/purl-advisory": fnv(&[&f.purl, &f.id])},
                "properties": properties,
            })
        })
        .collect();
    (rules, results)
}

/// One rule per health rule that has a result, and one result per component per rule
/// (open and not-gating findings; ignored ones are left out, as for security);
/// `first_index` is the index of the first health rule.
fn sarif_health(
    eval: &Evaluation,
    first_index: usize,
) -> (Vec<serde_json::Value>, Vec<serde_json::Value>) {
    let shown = || {
        eval.health
            .iter()
            .filter(|f| f.verdict != Action::Allow && f.status != HealthStatus::Ignored)
    };
    let used: Vec<HealthRule> = HealthRule::ALL
        .into_iter()
        .filter(|r| shown().any(|f| f.rule == *r))
        .collect();
    let rules = used
        .iter()
        .map(|r| {
            json!({
                "id": r.id(),
                "name": r.id(),
                "shortDescription": {"text": r.description()},
                "fullDescription": {"text": format!("{} Set by `{}` in the policy's [health] table.", r.description(), r.key())},
                "helpUri": "https://scorecard.dev/",
                "help": {"text": "Look for a maintained alternative, or record the accepted risk as a [health] ignore entry with a reason and an expiry."},
                "properties": {"tags": ["health", "maintenance"]},
            })
        })
        .collect();
    let results = shown()
        .map(|f| {
            let index = used.iter().position(|r| *r == f.rule).unwrap_or(0) + first_index;
            let location = sarif_location(
                f.location.as_ref().map_or("", |l| &*l.path),
                f.location.as_ref().and_then(|l| l.line),
            );
            let level = match (f.status, f.verdict) {
                (HealthStatus::Open, Action::Deny) => "error",
                (HealthStatus::Open, _) => "warning",
                _ => "note",
            };
            json!({
                "ruleId": f.rule.id(),
                "ruleIndex": index,
                "level": level,
                "message": {"text": format!("{}: {}", f.package_text(), f.reason)},
                "locations": [location],
                "partialFingerprints": {"bomscout/purl-health": fnv(&[&f.purl, f.rule.id()])},
                "properties": {"purl": f.purl, "scope": f.scope.as_str(), "status": f.status},
            })
        })
        .collect();
    (rules, results)
}

/// A SARIF `location`: the file, and its line when known.
fn sarif_location(uri: &str, line: Option<u32>) -> serde_json::Value {
    let mut location = json!({"physicalLocation": {"artifactLocation": {"uri": uri}}});
    if let Some(line) = line {
        location["physicalLocation"]["region"] = json!({"startLine": line});
    }
    location
}

/// The run's invocation: whether it succeeded, what could not be read (tool execution
/// notifications) and what the policy itself warns about (configuration notifications:
/// an expired exception must reach the CI log even when SARIF is the only report).
fn sarif_invocation(eval: &Evaluation, fail_on: Action) -> serde_json::Value {
    let execution: Vec<serde_json::Value> = eval
        .diagnostics
        .iter()
        .map(|d| {
            let location = sarif_location(&d.path, d.line);
            json!({
                "level": if d.severity == Severity::Error { "error" } else { "warning" },
                "message": {"text": d.message},
                "locations": [location],
            })
        })
        .collect();
    let configuration: Vec<serde_json::Value> = eval
        .notes
        .iter()
        .map(|n| json!({"level": "note", "message": {"text": n}}))
        .collect();
    json!({
        "executionSuccessful": eval.outcome(fail_on) != Outcome::Incomplete,
        "toolExecutionNotifications": execution,
        "toolConfigurationNotifications": configuration,
    })
}

fn rule_text(r: Rule) -> &'static str {
    match r {
        Rule::Denied => "A dependency is under a license the policy denies.",
        Rule::Review => "A dependency is under a license the policy wants reviewed.",
        Rule::Unknown => "A dependency has no license, or one that is not an SPDX expression.",
        Rule::Unlisted => "A dependency is under a license the policy does not list.",
        Rule::Allowed | Rule::Excepted => "Allowed.",
    }
}

/// A stable fingerprint, so code scanning tracks one alert across runs: FNV-1a of purl,
/// license and rule.
fn fingerprint(purl: &str, license: &str, rule: Rule) -> String {
    fnv(&[purl, license, rule.id()])
}

/// FNV-1a over `parts`, each followed by a zero byte but the last.
fn fnv(parts: &[&str]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for (i, part) in parts.iter().enumerate() {
        if i > 0 {
            h ^= 0;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        for b in part.bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    }
    format!("{h:016x}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::{Location, Scope};

    /// A denial whose every field came from a hostile package.
    fn hostile() -> Evaluation {
        let finding = Finding {
            key: "pkg:npm/evil@1".into(),
            name: "evil\u{1b}]8;;http://e\u{7}<img src=x onerror=alert(1)>".into(),
            version: Some("1\r\nerror: fake.json: all good".into()),
            purl: "pkg:npm/evil@1".into(),
            scope: Scope::Required,
            license: "GPL-3.0\u{1b}[2J</td></tr></table>".into(),
            verdict: Action::Deny,
            rule: Rule::Denied,
            reason: "![x](http://evil/px.png)".into(),
            guidance: Some("a|b\rc".into()),
            location: Some(Location::new("x\nerror: fake.json: all good/package.json")),
            chain: vec!["app".into(), "mid\u{9b}31m".into(), "evil".into()],
            exception: None,
        };
        Evaluation {
            policy: "p\u{1b}[31m".into(),
            findings: vec![finding],
            skipped: 0,
            security: Vec::new(),
            health: Vec::new(),
            health_unknown: 0,
            notes: vec!["exception for x\nerror: y expired".into()],
            diagnostics: vec![bomscout_core::Diagnostic::error(
                "lock\u{1b}]8;;x\u{7}.json",
                "bad ![x](http://evil/px.png)\n::error::forged",
            )],
            allow_unreadable: false,
        }
    }

    fn render(format: CheckFormat) -> String {
        let mut out = Vec::new();
        write(format, &hostile(), Action::Deny, "0", &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn human_report_shows_control_characters_and_cannot_forge_lines() {
        let text = render(CheckFormat::Human);
        assert!(
            !text.chars().any(|c| c.is_control() && c != '\n'),
            "{text:?}"
        );
        for line in text.lines() {
            assert!(!line.starts_with("error:"), "forged line in {text}");
        }
        assert!(text.contains("1\\r\\nerror: fake.json: all good"), "{text}");
        assert!(text.contains("x\\nerror: fake.json: all good/package.json"));
        assert!(text.contains("note: exception for x\\nerror: y expired"));
        assert_eq!(text.lines().count(), 7, "{text}");
    }

    #[test]
    fn github_annotations_carry_no_control_characters() {
        let text = render(CheckFormat::Github);
        assert_eq!(
            text.lines().count(),
            3,
            "a diagnostic, a note, a finding: {text}"
        );
        assert!(text.lines().all(|l| l.starts_with("::")), "{text}");
        assert!(
            !text.lines().any(|l| l.chars().any(char::is_control)),
            "{text:?}"
        );
        assert!(text.contains("evil\\x1b]8;;http://e\\x07"), "{text}");
        // The guidance's own line break is kept, as the workflow command's %0A.
        assert!(text.contains("%0Aa|b\\rc"), "{text}");
    }

    #[test]
    fn markdown_report_escapes_html_images_and_row_breaks() {
        let md = render(CheckFormat::Markdown);
        for (i, c) in md.char_indices() {
            if matches!(c, '<' | '!' | '[') {
                assert_eq!(
                    md[..i].chars().last(),
                    Some('\\'),
                    "unescaped {c:?} in {md}"
                );
            }
        }
        assert!(!md.contains('\r') && !md.contains('\u{1b}'), "{md:?}");
        let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
        assert_eq!(rows.len(), 3, "{md}");
        assert_eq!(rows[2].matches(" | ").count(), 5, "{}", rows[2]);
    }

    #[test]
    fn github_escaping() {
        assert_eq!(escape_data("50% a\nb"), "50%25 a%0Ab");
        assert_eq!(escape_property("a:b,c"), "a%3Ab%2Cc");
    }

    #[test]
    fn license_fingerprints_did_not_change_when_fnv_was_shared() {
        // The byte stream the license fingerprint always hashed: purl, 0, license, 0, rule.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in "pkg:npm/a@1\0MIT\0license-denied".bytes() {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        assert_eq!(
            fingerprint("pkg:npm/a@1", "MIT", Rule::Denied),
            format!("{h:016x}"),
            "code scanning would see every license alert as new"
        );
        assert_ne!(fnv(&["ab", "c"]), fnv(&["a", "bc"]));
    }

    #[test]
    fn fingerprints_are_stable_and_distinct() {
        assert_eq!(
            fingerprint("pkg:npm/a@1", "MIT", Rule::Denied),
            fingerprint("pkg:npm/a@1", "MIT", Rule::Denied)
        );
        assert_ne!(
            fingerprint("pkg:npm/a@1", "MIT", Rule::Denied),
            fingerprint("pkg:npm/a@1", "MIT", Rule::Review)
        );
    }
}
