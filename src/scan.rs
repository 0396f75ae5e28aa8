//! `bomscout scan`: walk → detect → parse → resolve → license → report.

use crate::cli::{OutputArgs, OutputSpec, ScanArgs, ScanOptions, Verbosity};
use crate::progress::Progress;
use anyhow::bail;
use bomscout_core::{Diagnostic, Sbom, SbomBuilder, Severity};
use bomscout_report::Settings;
use std::path::PathBuf;
use std::process::ExitCode;

/// Runs a scan and writes every requested output.
pub fn run(args: &ScanArgs) -> anyhow::Result<ExitCode> {
    let outputs = OutputSpec::parse_all(&args.out.outputs)?;
    crate::guard::refuse_overwriting_inputs(
        outputs.iter().filter_map(|o| o.file.as_deref()),
        &args.scan.paths,
    )?;
    let sbom = scan(&args.scan)?;
    report_diagnostics(&sbom.diagnostics, args.scan.verbosity, args.scan.strict);
    write_all(&outputs, &sbom, &args.out)?;
    let ntia_ok = check_ntia(&sbom, &args.out);
    Ok(if (args.scan.strict && sbom.has_errors()) || !ntia_ok {
        ExitCode::from(2)
    } else {
        ExitCode::SUCCESS
    })
}

/// Builds the SBOM for the paths in `args`: the one path `scan`, `check` and `licenses`
/// share.
pub fn scan(args: &ScanOptions) -> anyhow::Result<Sbom> {
    for path in &args.paths {
        if !path.exists() {
            bail!("{}: no such file or directory", path.display());
        }
    }
    if let Some(jobs) = args.jobs {
        // Ignoring the error is right: it only fails if the pool was already built.
        let _ = rayon::ThreadPoolBuilder::new()
            .num_threads(jobs.max(1))
            .build_global();
    }
    let progress = Progress::new(!args.verbosity.quiet);
    let walk_options = bomscout_walk::WalkOptions {
        follow_links: args.follow_links,
        excludes: args.exclude.clone(),
        threads: args.jobs.unwrap_or(0),
    };
    let catalog_options = bomscout_catalog::Options {
        read_caches: !args.no_caches,
        license_threshold: args.license_threshold,
        ..bomscout_catalog::Options::default()
    };
    let nothing_found = if args.strict {
        Severity::Error
    } else {
        Severity::Warning
    };
    let sbom = build_sbom(
        &args.paths,
        &walk_options,
        &catalog_options,
        &progress,
        document_name(&args.paths),
        nothing_found,
    )?;
    progress.finish();
    Ok(if args.no_dev {
        sbom.without_dev()
    } else {
        sbom
    })
}

/// The pipeline itself: walk, parse every detected file, merge, normalize licenses.
///
/// A directory in `paths` under which nothing at all was detected gets a diagnostic of
/// severity `nothing_found` (a warning, an error under `--strict`, info for the nightly
/// inventory where a repository of documents is normal): an empty result must never look
/// like a clean one.
pub fn build_sbom(
    paths: &[PathBuf],
    walk_options: &bomscout_walk::WalkOptions,
    catalog_options: &bomscout_catalog::Options,
    reporter: &dyn bomscout_core::Reporter,
    name: String,
    nothing_found: Severity,
) -> anyhow::Result<Sbom> {
    let walked = bomscout_walk::walk(paths, walk_options, reporter)?;
    let mut builder = SbomBuilder::new(name);
    for d in walked.diagnostics {
        builder.diagnostic(d);
    }
    for root in walked.empty_roots.iter().filter(|r| r.is_dir()) {
        builder.diagnostic(Diagnostic::new(
            nothing_found,
            root.display().to_string(),
            "nothing found to catalog: no lockfile, manifest or installed-package record \
             under this path (see README.md for the files bomscout reads)",
        ));
    }
    bomscout_catalog::catalog_each(&walked.files, catalog_options, reporter, |catalog| {
        builder.add(catalog)
    });
    let mut sbom = builder.finish();
    bomscout_license::normalize_sbom(&mut sbom);
    Ok(sbom)
}

/// The document's subject: the scanned directory's name, or `scan` for several.
fn document_name(paths: &[PathBuf]) -> String {
    let [path] = paths else {
        return "scan".to_string();
    };
    let absolute = std::fs::canonicalize(path).unwrap_or_else(|_| path.clone());
    absolute
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "scan".to_string())
}

/// Writes every requested output of `sbom`.
pub fn write_all(outputs: &[OutputSpec], sbom: &Sbom, args: &OutputArgs) -> anyhow::Result<()> {
    let settings = Settings {
        timestamp: Some(timestamp()),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        namespace: args.namespace.clone(),
        cyclonedx_version: args.cyclonedx_version,
        table_width: None,
    };
    for output in outputs {
        if output.file.is_none() {
            let on_terminal = Settings {
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
fn write_output(output: &OutputSpec, sbom: &Sbom, settings: &Settings) -> anyhow::Result<()> {
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
