//! The gate's outputs: a report for people, JSON, SARIF 2.1.0, Markdown for a PR comment,
//! and GitHub workflow-command annotations. Only reviews and denials are reported: an
//! allowed license is never a SARIF result (one alert per allowed license is what floods
//! code scanning with other tools).

use crate::cfg::Action;
use crate::eval::{Evaluation, Finding, Outcome, Rule};
use bomscout_core::escape::{markdown as escape_md, printable};
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
    for n in &eval.notes {
        writeln!(out, "note: {}", printable(n))?;
    }
    summary(eval, fail_on, &printable(&eval.policy), out)
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
        "{}: policy {}: {} checked, {} denied, {} to review, {} allowed ({} excepted), {} not in checked scopes{}",
        outcome.word(),
        policy,
        eval.findings.len(),
        count(Action::Deny),
        count(Action::Review),
        count(Action::Allow),
        eval.findings.iter().filter(|f| f.rule == Rule::Excepted).count(),
        eval.skipped,
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
    writeln!(out, "## bomscout license check: {heading}\n")?;
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
        let place = f.location.as_ref().map(|l| (l.path.as_str(), l.line));
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
    let results: Vec<serde_json::Value> = eval
        .problems()
        .map(|f| {
            let index = kinds.iter().position(|k| *k == f.rule).unwrap_or(0);
            let mut text = format!("{}@{} is under {}: {}", f.name, f.version.as_deref().unwrap_or("?"), f.license, f.reason);
            if let Some(g) = &f.guidance {
                text.push_str(&format!(". {g}"));
            }
            let location = sarif_location(
                f.location.as_ref().map_or("", |l| l.path.as_str()),
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
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in purl
        .bytes()
        .chain([0])
        .chain(license.bytes())
        .chain([0])
        .chain(rule.id().bytes())
    {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
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
