//! `bomscout scan`: arguments into `bomscout_pipeline::Settings`, the library's pipeline,
//! then the reports.

use crate::cli::{OutputArgs, OutputSpec, ScanArgs, ScanOptions, Verbosity};
use crate::progress::Progress;
use bomscout_core::{Diagnostic, Sbom, Severity};
use bomscout_pipeline::{Pipeline, RawSettings, Scanned, Settings, SharedEnricher};
use std::process::ExitCode;

/// Runs a scan and writes every requested output.
pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let outputs = OutputSpec::parse_all(&args.out.outputs)?;
    crate::guard::refuse_overwriting_inputs(
        outputs.iter().filter_map(|o| o.file.as_deref()),
        &args.scan.paths,
    )?;
    let (policy, latest) =
        crate::enrich::discovered_policy(&args.scan.paths, args.scan.verbosity.quiet);
    let enricher = crate::enrich::enricher(
        &args.enrich,
        args.advisory.cache_dir.as_deref(),
        &policy,
        crate::enrich::Need {
            always: false,
            latest,
        },
    )?;
    let scanned = scan(&args.scan, enricher)?;
    crate::enrich::print_summary(
        scanned.enrichment.as_ref(),
        args.enrich.offline,
        args.scan.verbosity.quiet,
    );
    let mut sbom = scanned.sbom;
    if args.advisories || args.advisory.implied() {
        crate::audit::attach(&mut sbom, &args.advisory)?;
    }
    report_diagnostics(&sbom.diagnostics, args.scan.verbosity, args.scan.strict);
    write_all(&outputs, &sbom, &args.out)?;
    let ntia_ok = check_ntia(&sbom, &args.out);
    Ok(if (args.scan.strict && sbom.has_errors()) || !ntia_ok {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// The validated settings of a scan, built once from the parsed arguments, with the
/// enrichment engine when enrichment was asked for.
pub fn settings(args: &ScanOptions, enricher: Option<SharedEnricher>) -> anyhow::Result<Settings> {
    Ok(Settings::new(RawSettings {
        paths: args.paths.clone(),
        excludes: args.exclude.clone(),
        follow_links: args.follow_links,
        jobs: args.jobs,
        read_caches: !args.no_caches,
        license_threshold: args.license_threshold,
        no_dev: args.no_dev,
        strict: args.strict,
        name: None,
        enricher,
        platform: args.platform.clone(),
    })?)
}

/// Builds the SBOM for the paths in `args` with the library's pipeline, showing progress:
/// the one path `scan` and `licenses` share (`check` adds the policy step).
pub fn scan(args: &ScanOptions, enricher: Option<SharedEnricher>) -> anyhow::Result<Scanned> {
    let pipeline = Pipeline::new(settings(args, enricher)?)?;
    let progress = Progress::new(!args.verbosity.quiet);
    let scanned = pipeline.scan(&progress);
    progress.finish();
    Ok(scanned?)
}

/// Writes every requested output of `sbom`.
pub fn write_all(outputs: &[OutputSpec], sbom: &Sbom, args: &OutputArgs) -> anyhow::Result<()> {
    let settings = bomscout_report::Settings {
        timestamp: Some(timestamp()),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        namespace: args.namespace.clone(),
        cyclonedx_version: args.cyclonedx_version,
        table_width: None,
    };
    for output in outputs {
        if output.file.is_none() {
            let on_terminal = bomscout_report::Settings {
                table_width: crate::output::stdout_terminal_width(),
                ..settings.clone()
            };
            write_output(output, sbom, &on_terminal)?;
        } else {
            write_output(output, sbom, &settings)?;
        }
    }
    Ok(())
}

/// With `--strict-ntia`, prints each missing NTIA minimum element; false if any is missing.
#[allow(clippy::print_stderr)]
pub fn check_ntia(sbom: &Sbom, args: &OutputArgs) -> bool {
    if !args.strict_ntia {
        return true;
    }
    let gaps = bomscout_report::ntia::gaps(sbom);
    for gap in &gaps {
        eprintln!("bomscout: {gap}");
    }
    gaps.is_empty()
}

/// Prints diagnostics to stderr: warnings and errors always (unless `-q`, which keeps
/// errors), info only with `-v`; then a one-line count of files that could not be used.
#[allow(clippy::print_stderr)]
pub fn report_diagnostics(diagnostics: &[Diagnostic], args: Verbosity, strict: bool) {
    let min = match (args.quiet, args.verbose) {
        (true, _) => Severity::Error,
        (_, true) => Severity::Info,
        _ => Severity::Warning,
    };
    use std::io::Write as _;
    let mut stderr = anstream::stderr().lock();
    for d in diagnostics.iter().filter(|d| d.severity >= min) {
        let _ = writeln!(stderr, "{}", crate::color::leading_words(&d.to_string()));
    }
    drop(stderr);
    let failed = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    if failed > 0 && !args.quiet {
        let hint = if strict {
            ""
        } else {
            " (--strict makes this an error)"
        };
        eprintln!("bomscout: {failed} file(s) could not be parsed; the rest of the scan is complete{hint}");
    }
}

/// Writes one output: to stdout, or atomically to its file with the shared writer.
fn write_output(
    output: &OutputSpec,
    sbom: &Sbom,
    settings: &bomscout_report::Settings,
) -> anyhow::Result<()> {
    crate::output::write_to(output.file.as_deref(), |out| {
        Ok(bomscout_report::write(output.format, sbom, settings, out)?)
    })
}

/// `SOURCE_DATE_EPOCH` when set (reproducible output), else now.
pub fn timestamp() -> i64 {
    std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs() as i64)
                .unwrap_or(0)
        })
}
