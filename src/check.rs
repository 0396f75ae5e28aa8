//! `bomscout check`, `bomscout licenses` and `bomscout policy init`.

use crate::cli::CheckArgs;
use crate::progress::Progress;
use anyhow::{bail, Context};
use bomscout_core::escape::printable;
use bomscout_core::Sbom;
use bomscout_pipeline::{CheckSettings, Checked, Pipeline};
use bomscout_policy::report::{self, CheckFormat};
use bomscout_policy::{Action, Date, Outcome, Policy};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

/// Scans, evaluates, reports; exit 1 when something fails the policy.
#[allow(clippy::print_stderr)]
pub fn check(args: &CheckArgs) -> anyhow::Result<ExitCode> {
    let policy_ref = find_policy(args.policy.as_deref(), &args.scan.paths).context(
        "no policy: give --policy FILE (or builtin:stage1), put bomscout-policy.toml in the \
         scanned directory, or set BOMSCOUT_POLICY; `bomscout policy init` writes a starter file",
    )?;
    let policy = Policy::load(&policy_ref).map_err(|e| anyhow::anyhow!("invalid policy:\n{e}"))?;
    let outputs = parse_outputs(&args.outputs)?;
    crate::guard::refuse_overwriting_inputs(
        outputs.iter().filter_map(|(_, f)| f.as_deref()),
        &args.scan.paths,
    )?;
    let today = today(args.date.as_deref())?;
    // A policy with a `[security]` table judges vulnerabilities without being asked: a
    // forgotten flag must not make the security gate pass.
    let advisories = args.advisories || args.advisory.implied() || policy.security.declared;
    let advisories = advisories
        .then(|| crate::audit::advisory_settings(&args.advisory))
        .transpose()?;
    let baseline = args.baseline.as_deref().map(read_sbom).transpose()?;
    let enricher = crate::enrich::enricher(
        &args.enrich,
        args.advisory.cache_dir.as_deref(),
        &crate::enrich::from_policy(&policy)?,
        crate::enrich::Need {
            always: false,
            latest: crate::enrich::needs_latest(&policy),
        },
    )?;
    let pipeline = Pipeline::new(crate::scan::settings(&args.scan, enricher)?)?;
    let quiet = args.scan.verbosity.quiet;
    let progress = Progress::new(!quiet);
    let checked = pipeline.check(
        &progress,
        &policy,
        &CheckSettings {
            today,
            allow_unreadable: args.allow_unreadable,
            baseline: baseline.as_ref(),
            advisories: advisories.as_ref(),
        },
    );
    progress.finish();
    let Checked {
        sbom,
        evaluation: eval,
        changes,
        enrichment,
    } = checked?;
    crate::enrich::print_summary(enrichment.as_ref(), args.enrich.offline, quiet);
    crate::scan::report_diagnostics(&sbom.diagnostics, args.scan.verbosity, true);
    let fail_on = if args.fail_on == "review" {
        Action::Review
    } else {
        Action::Deny
    };
    if let Some(c) = changes.filter(|_| !quiet) {
        eprintln!(
            "bomscout: against the baseline: {} new, {} removed package(s), {} license change(s)",
            c.added.len(),
            c.removed.len(),
            c.license_changed.len()
        );
        for l in &c.license_changed {
            eprintln!("  license changed: {}", printable(l));
        }
    }
    let human_shown = outputs
        .iter()
        .any(|(f, file)| *f == CheckFormat::Human && file.is_none());
    if !human_shown && !quiet {
        // The human report carries the notes; without it on the terminal they would reach
        // the CI log nowhere (an expired exception must not lapse silently).
        for n in &eval.notes {
            eprintln!("bomscout: note: {n}");
        }
    }
    let outcome = eval.outcome(fail_on);
    if outcome == Outcome::Incomplete && !quiet {
        eprintln!(
            "bomscout: no verdict: {} file(s) or director(ies) could not be read (listed above); \
             fix them, or pass --allow-unreadable to judge the rest",
            eval.unreadable().count()
        );
    }
    for (format, file) in &outputs {
        let mut buf = Vec::new();
        report::write(*format, &eval, fail_on, env!("CARGO_PKG_VERSION"), &mut buf)?;
        match file {
            Some(f) => write_report(f, &buf)?,
            None => {
                let text = if *format == CheckFormat::Human {
                    crate::color::leading_words(&String::from_utf8_lossy(&buf)).into_bytes()
                } else {
                    buf
                };
                match stdout_sink(*format, &outputs) {
                    Sink::Stdout => anstream::stdout().lock().write_all(&text)?,
                    Sink::Stderr => anstream::stderr().lock().write_all(&text)?,
                }
            }
        }
    }
    Ok(ExitCode::from(outcome.exit_code()))
}

fn parse_outputs(specs: &[String]) -> anyhow::Result<Vec<(CheckFormat, Option<PathBuf>)>> {
    let out = crate::cli::parse_outputs(specs, CheckFormat::Human, |name| {
        CheckFormat::from_name(name).with_context(|| {
            format!("unknown check report format {name:?}; expected table, json, sarif, markdown or github")
        })
    })?;
    // The table may share stdout: it yields it to the machine-readable report (see `Sink`).
    crate::cli::one_on_stdout(
        out.iter()
            .filter(|(f, _)| *f != CheckFormat::Human)
            .map(|(_, file)| file),
        "machine-readable report",
    )?;
    Ok(out)
}

/// Where a report goes. The human report yields stdout to a machine-readable one: with
/// `-o table -o github` (the CI recipe) the annotations go to stdout, where Actions reads
/// workflow commands, and the table to stderr, where the log still shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sink {
    Stdout,
    Stderr,
}

fn stdout_sink(format: CheckFormat, outputs: &[(CheckFormat, Option<PathBuf>)]) -> Sink {
    let machine_on_stdout = outputs
        .iter()
        .any(|(f, file)| file.is_none() && *f != CheckFormat::Human);
    if format == CheckFormat::Human && machine_on_stdout {
        Sink::Stderr
    } else {
        Sink::Stdout
    }
}

/// Writes a finished report to `path`, whole or not at all ([`crate::output::write_file`]).
pub(crate) fn write_report(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    crate::output::write_file(path, |out| Ok(out.write_all(bytes)?))
}

/// A baseline SBOM (CycloneDX or SPDX JSON) as the model.
fn read_sbom(path: &Path) -> anyhow::Result<Sbom> {
    let (catalog, _) = crate::convert::read(path).context("cannot read the baseline")?;
    Ok(bomscout_pipeline::assemble("baseline", [catalog]))
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// The names a policy file is looked for under, in order.
const POLICY_NAMES: &[&str] = &["bomscout-policy.toml", ".bomscout.toml"];

/// `--policy`, else a policy file in the scanned directory, else in the current
/// directory, else `BOMSCOUT_POLICY`, as cargo-deny finds its `deny.toml`: a repository
/// carries its own policy and `bomscout check` needs no flag in its CI job. `None` when
/// there is none.
pub(crate) fn find_policy(explicit: Option<&str>, paths: &[PathBuf]) -> Option<String> {
    if let Some(p) = explicit {
        return Some(p.to_string());
    }
    let scanned = paths.first().map(|p| {
        if p.is_dir() {
            p.clone()
        } else {
            p.parent().map(Path::to_path_buf).unwrap_or_default()
        }
    });
    let dirs = scanned.into_iter().chain([PathBuf::from(".")]);
    for dir in dirs {
        for name in POLICY_NAMES {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return Some(candidate.to_string_lossy().into_owned());
            }
        }
    }
    std::env::var_os("BOMSCOUT_POLICY")
        .filter(|p| !p.is_empty())
        .map(|p| p.to_string_lossy().into_owned())
}

/// `--date`, else today (UTC): the day exception and ignore expiries are checked against.
pub(crate) fn today(date: Option<&str>) -> anyhow::Result<Date> {
    Ok(match date {
        Some(d) => Date::parse(d).with_context(|| format!("--date {d:?} is not YYYY-MM-DD"))?,
        None => Date::from_unix(now()),
    })
}

/// Writes the annotated starter policy.
#[allow(clippy::print_stdout, clippy::print_stderr)]
pub fn policy_init(file: &Path, force: bool) -> anyhow::Result<ExitCode> {
    if file.as_os_str() == "-" {
        print!("{}", bomscout_policy::STARTER);
        return Ok(ExitCode::SUCCESS);
    }
    if file.exists() && !force {
        bail!(
            "{} exists; not overwriting it (--force overwrites)",
            file.display()
        );
    }
    write_report(file, bomscout_policy::STARTER.as_bytes())?;
    eprintln!(
        "bomscout: wrote {}; check with: bomscout check . --policy {}",
        file.display(),
        file.display()
    );
    Ok(ExitCode::SUCCESS)
}
