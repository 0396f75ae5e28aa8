//! `bomscout inventory` and `bomscout query`: the nightly org-wide job and its questions.
//!
//! The inventory crate stores and queries; this module scans. Repositories are scanned in
//! parallel (one walker thread each, rayon across repositories), and their results are
//! recorded by one writer, one transaction per repository, as they arrive: an interrupted
//! run keeps every repository it finished.

use crate::cli::{
    ExportArgs, InventoryArgs, InventoryCommand, OutputArgs, OutputSpec, QueryArgs, Question,
    RematchArgs,
};
use anyhow::{bail, Context};
use bomscout_core::escape;
use bomscout_core::{Catalog, Ecosystem, Project, Silent};
use bomscout_inventory::render::{Format as TableFormat, Table};
use bomscout_inventory::repos::{discover, Repo, Shard};
use bomscout_inventory::store::Scanned;
use bomscout_inventory::{git, html, query, Location, RepoScan, RunId, Store};
use bomscout_pipeline::{CheckSettings, RawSettings, Settings};
use bomscout_policy::{Date, Policy};
use rayon::prelude::*;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// `bomscout inventory`.
#[allow(clippy::print_stderr)]
pub fn inventory(args: &InventoryArgs) -> anyhow::Result<ExitCode> {
    match &args.command {
        Some(InventoryCommand::Merge { shards, db }) => return merge(shards, db.as_ref()),
        Some(InventoryCommand::Rematch(rematch_args)) => return rematch(rematch_args),
        None => {}
    }
    let db = location(args.db.as_ref(), "write")?;
    if args.roots.is_empty() {
        bail!("give at least one directory holding repositories");
    }
    for root in &args.roots {
        if !root.is_dir() {
            bail!("{}: no such directory", root.display());
        }
    }
    let policy = match &args.policy {
        Some(p) => Some(Policy::load(p).map_err(|e| anyhow::anyhow!("invalid policy:\n{e}"))?),
        None => None,
    };
    // One engine for the whole run: each distinct package is asked about once, however
    // many repositories use it.
    let enricher = crate::enrich::enricher(
        &args.enrich,
        args.advisory.cache_dir.as_deref(),
        &policy
            .as_ref()
            .map(crate::enrich::from_policy)
            .transpose()?
            .unwrap_or_default(),
        crate::enrich::Need {
            always: false,
            latest: policy.as_ref().is_some_and(crate::enrich::needs_latest),
        },
    )?;

    // Validated once for every repository: a bad --exclude is refused here, before the
    // database is touched, not reported as a failure of each repository.
    let settings = Settings::new(RawSettings {
        paths: args.roots.clone(),
        excludes: args.exclude.clone(),
        // One walker thread per repository: the repositories are the parallelism.
        jobs: Some(1),
        read_caches: !args.no_caches,
        enricher,
        ..RawSettings::default()
    })?
    // A repository of documents, with nothing to catalog, is normal in an organization.
    .with_nothing_found(bomscout_core::Severity::Info);
    let shard = args
        .shard
        .as_deref()
        .map(Shard::parse)
        .transpose()
        .map_err(anyhow::Error::msg)?;
    let mut repos =
        discover(&args.roots, args.repos_are_children).context("cannot list the repositories")?;
    if repos.is_empty() && !args.repos_are_children {
        bail!(
            "no repository found under {}: no directory there holds a `.git`; if each \
             subdirectory is a repository without one, pass --repos-are-children",
            args.roots
                .iter()
                .map(|r| r.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(shard) = shard {
        repos.retain(|r| shard.selects(&r.path));
    }
    // Opened once, before the database is touched: an advisory database that cannot be
    // read stops the run here rather than recording a night with "no vulnerabilities".
    let advisories = if args.advisories || args.advisory.implied() {
        Some(Advisories::open(&args.advisory)?)
    } else {
        None
    };
    let run_key = args
        .run_key
        .clone()
        .or_else(|| std::env::var("BOMSCOUT_RUN_KEY").ok())
        .filter(|k| !k.is_empty());
    if shard.is_some() && run_key.is_none() && matches!(db, Location::Postgres(_)) {
        bail!(
            "--shard into a PostgreSQL database needs --run-key KEY (or BOMSCOUT_RUN_KEY), the \
             same for every shard of the night (the CI run's id, say), so that the shards \
             write one run"
        );
    }
    let mut store = Store::open_location(&db)?;
    let started = crate::scan::timestamp();
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| Date::from_unix(started).to_string());
    let policy_name = policy.as_ref().map(|p| p.name.as_str());
    // A shared run: this worker is shard I of N (one worker alone is shard 0 of 1).
    let joined = run_key.as_deref().map(|key| {
        let me = shard.unwrap_or(Shard { index: 0, count: 1 });
        (key, me)
    });
    let run = match joined {
        Some((key, me)) => {
            store.join_run(key, &label, args.label.is_some(), started, policy_name, me)?
        }
        None => store.begin_run(
            &label,
            started,
            policy_name,
            shard.map(|s| s.to_string()).as_deref(),
        )?,
    };
    let clock = Instant::now();
    let jobs = args.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    let (tx, rx) = std::sync::mpsc::sync_channel::<RepoScan>(16);
    let context = ScanContext {
        policy: policy.as_ref(),
        today: Date::from_unix(started),
        settings,
        enrichment: std::sync::Mutex::default(),
    };
    let (mut recorded, mut failed) = (0usize, 0usize);
    let progress = crate::progress::Progress::new(!args.quiet);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(|| {
            pool.install(|| {
                repos.par_iter().for_each_with(tx, |tx, repo| {
                    // A closed channel means the writer stopped on an error: stop too.
                    let _ = tx.send(scan_repo(repo, &context));
                })
            })
        });
        for scan in rx {
            failed += usize::from(scan.result.is_err());
            store.record(run, &scan).with_context(|| {
                format!(
                    "cannot record {}",
                    bomscout_core::escape::printable(&scan.repo.path)
                )
            })?;
            recorded += 1;
            progress.repositories(recorded, repos.len());
        }
        Ok(())
    })?;
    progress.finish();
    let matched = match &advisories {
        Some(adv) => Some(adv.match_run(&mut store, run, args.quiet)?),
        None => None,
    };
    let run_finished = match joined {
        Some((_, me)) => store.finish_shard(run, me, crate::scan::timestamp())?,
        None => {
            store.finish_run(run, crate::scan::timestamp())?;
            true
        }
    };
    if !args.quiet && context.settings.enricher().is_some() {
        if let Ok(totals) = context.enrichment.lock() {
            eprintln!("bomscout: {}", totals.summary(args.enrich.offline));
        }
    }
    if !args.quiet {
        eprintln!(
            "bomscout: run {run} ({label}): {recorded} repositories in {:.1} s, {failed} failed{}{}; {}",
            clock.elapsed().as_secs_f64(),
            matched.map(|m| format!("; {m}")).unwrap_or_default(),
            match joined {
                Some((_, me)) if !run_finished =>
                    format!("; shard {me} done, the run finishes with its last shard"),
                Some((_, me)) => format!("; shard {me} done, the last: run finished"),
                None => String::new(),
            },
            escape::printable(&db.shown())
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// The advisory database a run is matched against, opened once per invocation.
struct Advisories {
    /// The database and the organization's VEX statements (`--vex`), applied to every run.
    matcher: bomscout_pipeline::Advisories,
    /// What the run records it was matched against: the location and its record count.
    source: String,
}

/// What matching a run found, for the closing line.
#[derive(Clone, Copy)]
struct MatchSummary {
    components: usize,
    vulnerabilities: usize,
    /// Distinct packages affected by at least one.
    affected: usize,
}

impl std::fmt::Display for MatchSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} known vulnerabilit{} affecting {} of {} packages",
            self.vulnerabilities,
            if self.vulnerabilities == 1 {
                "y"
            } else {
                "ies"
            },
            self.affected,
            self.components
        )
    }
}

impl Advisories {
    /// Opens `--advisory-db` (or BOMSCOUT_ADVISORY_DB), else the cache's downloaded exports,
    /// with its index under `{cache}/osv-index`. Problems with parts of it (a corrupt export,
    /// records skipped) are reported with each run's match; a database of which nothing
    /// loads is an error.
    fn open(options: &crate::audit::AdvisoryOptions) -> anyhow::Result<Advisories> {
        let settings = crate::audit::advisory_settings(options)?;
        let matcher = bomscout_pipeline::Advisories::open(&settings).context(
            "--advisories: the advisory database cannot be opened, so nothing was scanned",
        )?;
        let records: u64 = matcher.database().status().iter().map(|s| s.records).sum();
        let source = format!("{} ({records} records)", settings.database.display());
        Ok(Advisories { matcher, source })
    }

    /// Matches the distinct components stored for `run` (all repositories at once: a
    /// package used by 300 repositories is looked up once) and records the findings.
    fn match_run(
        &self,
        store: &mut Store,
        run: RunId,
        quiet: bool,
    ) -> anyhow::Result<MatchSummary> {
        let (components, unreadable) = store.components_of_run(run)?;
        let count = components.len();
        let mut sbom = bomscout_core::Sbom {
            name: format!("inventory run {run}"),
            projects: Vec::new(),
            components,
            dependencies: Vec::new(),
            diagnostics: Vec::new(),
            vulnerabilities: Vec::new(),
        };
        self.matcher.apply(&mut sbom);
        let mut diagnostics = std::mem::take(&mut sbom.diagnostics);
        if unreadable > 0 {
            diagnostics.push(bomscout_core::Diagnostic::warning(
                format!("run {run}"),
                format!(
                    "{unreadable} stored component(s) have a name no package URL accepts and \
                     were not matched against advisories"
                ),
            ));
        }
        report_diagnostics(&diagnostics, quiet);
        store
            .record_findings(run, &self.source, &sbom.vulnerabilities)
            .context("cannot record the vulnerabilities found")?;
        let affected: std::collections::BTreeSet<&str> = sbom
            .vulnerabilities
            .iter()
            .flat_map(|v| v.affects.iter().map(|a| a.component.as_str()))
            .collect();
        Ok(MatchSummary {
            components: count,
            vulnerabilities: sbom.vulnerabilities.len(),
            affected: affected.len(),
        })
    }
}

/// Errors always, warnings and notes unless `quiet`.
#[allow(clippy::print_stderr)]
fn report_diagnostics(diagnostics: &[bomscout_core::Diagnostic], quiet: bool) {
    use bomscout_core::Severity;
    for d in diagnostics {
        if d.severity == Severity::Error || !quiet {
            let level = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "note",
            };
            eprintln!(
                "bomscout: {level}: advisories: {}: {}",
                bomscout_core::escape::printable(&d.path),
                bomscout_core::escape::printable(&d.message)
            );
        }
    }
}

/// `bomscout inventory rematch`: a new run with the scans of an earlier one and the
/// findings of today's advisory database. No repository is read.
#[allow(clippy::print_stderr)]
fn rematch(args: &RematchArgs) -> anyhow::Result<ExitCode> {
    let db = location(args.db.as_ref(), "rematch")?;
    if let Location::Sqlite(path) = &db {
        if !path.is_file() {
            bail!("{}: no such file", path.display());
        }
    }
    let advisories = Advisories::open(&args.advisory)?;
    let mut store = Store::open_location(&db)?;
    let from = match args.run {
        Some(id) => store.run(id)?,
        None => store.latest_run()?,
    };
    let started = crate::scan::timestamp();
    let label = args
        .label
        .clone()
        .unwrap_or_else(|| Date::from_unix(started).to_string());
    let run = store.begin_rematch(from, &label, started)?;
    let matched = advisories.match_run(&mut store, run, args.quiet)?;
    store.finish_run(run, crate::scan::timestamp())?;
    if !args.quiet {
        eprintln!(
            "bomscout: run {run} ({label}): the stored components of run {from} matched \
             against {}: {matched}; no repository scanned; {}",
            bomscout_core::escape::printable(&advisories.source),
            escape::printable(&db.shown())
        );
    }
    Ok(ExitCode::SUCCESS)
}

struct ScanContext<'a> {
    policy: Option<&'a Policy>,
    today: Date,
    /// The run's settings; each repository's are derived from them.
    settings: Settings,
    /// What enrichment did, over every repository.
    enrichment: std::sync::Mutex<crate::enrich::Totals>,
}

/// Scans one repository; never fails and never panics out: an error or a panic becomes a
/// failed scan that names it, and the run goes on.
fn scan_repo(repo: &Repo, context: &ScanContext) -> RepoScan {
    let clock = Instant::now();
    let scanned_at = crate::scan::timestamp();
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan_tree(repo, context)))
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "internal error while scanning (a bug: please report it)"
                ))
            })
            .map_err(|e| format!("{e:#}"));
    RepoScan {
        repo: repo.clone(),
        head: git::head(&repo.abs),
        scanned_at,
        duration_ms: clock.elapsed().as_millis() as u64,
        result,
    }
}

fn scan_tree(repo: &Repo, context: &ScanContext) -> anyhow::Result<Scanned> {
    let scan = context
        .settings
        .for_paths(vec![repo.abs.clone()], repo.name.clone())?;
    // Parsing runs on the pool the repositories are scanned on (see `inventory`).
    let bomscout_pipeline::Scanned { sbom, enrichment } = bomscout_pipeline::scan(&scan, &Silent)?;
    if let Some(outcome) = &enrichment {
        if let Ok(mut totals) = context.enrichment.lock() {
            totals.add(outcome);
        }
    }
    let settings = bomscout_report::Settings {
        // No timestamp: an unchanged repository then writes identical bytes, and the store
        // keeps one copy for every night it did not change.
        timestamp: None,
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        ..bomscout_report::Settings::default()
    };
    let mut cyclonedx = Vec::new();
    bomscout_report::write(
        bomscout_report::Format::CycloneDxJson,
        &sbom,
        &settings,
        &mut cyclonedx,
    )?;
    let judge = CheckSettings {
        today: context.today,
        allow_unreadable: false,
        baseline: None,
        advisories: None,
    };
    let evaluation = context
        .policy
        .map(|p| bomscout_pipeline::evaluate(&sbom, p, &judge).0);
    let missing: usize = bomscout_report::ntia::gaps(&sbom)
        .iter()
        .map(|g| g.missing)
        .sum();
    let ntia = ((3 * sbom.components.len()) as u64, missing as u64);
    Ok(Scanned {
        sbom,
        cyclonedx,
        evaluation,
        ntia,
    })
}

#[allow(clippy::print_stderr)]
fn merge(shards: &[PathBuf], db: Option<&PathBuf>) -> anyhow::Result<ExitCode> {
    let db = location(db, "merge into")?;
    if let Some(url) = shards
        .iter()
        .find(|s| matches!(Location::parse(s), Location::Postgres(_)))
    {
        bail!(
            "{}: shards to merge are SQLite files; shards that write into PostgreSQL share a \
             run (--run-key) and need no merge",
            Location::parse(url)
        );
    }
    let mut store = Store::open_location(&db)?;
    for shard in shards {
        bomscout_inventory::merge::merge_into(&mut store, shard)
            .with_context(|| format!("cannot merge {}", shard.display()))?;
    }
    eprintln!(
        "bomscout: merged {} shard(s) into {}",
        shards.len(),
        escape::printable(&db.shown())
    );
    Ok(ExitCode::SUCCESS)
}

/// The database of `--db`, else BOMSCOUT_DB; `what` the command does with it.
fn location(arg: Option<&PathBuf>, what: &str) -> anyhow::Result<Location> {
    match arg.cloned().or_else(|| {
        std::env::var_os("BOMSCOUT_DB")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    }) {
        Some(p) => Ok(Location::parse(&p)),
        None => {
            bail!("--db FILE|URL (or BOMSCOUT_DB) is required: the inventory database to {what}")
        }
    }
}

/// `bomscout query`.
pub fn query(args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let db = location(args.db.as_ref(), "read")?;
    if let Location::Sqlite(path) = &db {
        if !path.exists() {
            bail!("{}: no such file", path.display());
        }
    }
    // Read-only: a query never migrates, locks or creates files beside the database (nor,
    // on PostgreSQL, writes: its session is read-only).
    let store = Store::open_read_only_location(&db)?;
    let run = match args.run {
        Some(id) => store.run(id)?,
        None if matches!(args.question, Question::Runs) => 0,
        None => store.latest_run()?,
    };
    match &args.question {
        Question::Where { package, version } => emit(
            &query::where_used(&store, run, package, version.as_deref())?,
            args,
        ),
        Question::Licenses { category } => {
            emit(&query::licenses(&store, run, category.as_deref())?, args)
        }
        Question::Violations { since } => {
            let since = match since {
                Some(s) => Some(
                    Date::parse(s).with_context(|| format!("--since {s:?} is not YYYY-MM-DD"))?,
                ),
                None => None,
            };
            emit(&query::violations(&store, run, since)?, args)
        }
        Question::Diff { from, to } => {
            let to = match to {
                Some(t) => store.run(*t)?,
                None => run,
            };
            let from = match from {
                Some(f) => store.run(*f)?,
                None => previous_run(&store, to)?,
            };
            emit(&query::diff(&store, from, to)?, args)
        }
        Question::Vulns { severity, id } => {
            emit(&query::vulns(&store, run, *severity, id.as_deref())?, args)
        }
        Question::Scorecard => scorecard(&store, run, args),
        Question::Runs => emit(&runs_table(&store)?, args),
        Question::Export { out } => export(&store, run, out, &args.outputs),
    }
}

/// The finished run before `to`: what `query diff` compares with by default.
fn previous_run(store: &Store, to: i64) -> anyhow::Result<i64> {
    let runs = store.runs()?;
    let at = runs.iter().position(|r| r.id == to);
    at.and_then(|i| {
        runs[..i]
            .iter()
            .rev()
            .find(|r| r.finished_at.is_some())
            .map(|r| r.id)
    })
    .with_context(|| format!("run {to} has no finished run before it to compare with; give --from RUN (see `query runs`)"))
}

fn runs_table(store: &Store) -> anyhow::Result<Table> {
    let mut t = Table::new(&["run", "label", "started", "finished", "repositories"]);
    for r in store.runs()? {
        t.rows.push(vec![
            r.id.into(),
            r.label.into(),
            Date::from_unix(r.started_at).to_string().into(),
            r.finished_at
                .map(|f| Date::from_unix(f).to_string())
                .unwrap_or_else(|| "(interrupted)".into())
                .into(),
            r.repositories.into(),
        ]);
    }
    Ok(t)
}

fn scorecard(store: &Store, run: i64, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    let card = query::scorecard(store, run)?;
    for (name, file) in output_specs(&args.outputs)? {
        let mut buf = Vec::new();
        match name.as_str() {
            "html" => {
                let licenses = query::licenses(store, run, None)?;
                let mut categories = std::collections::BTreeMap::<String, i64>::new();
                for row in &licenses.rows {
                    *categories
                        .entry(bomscout_inventory::render::text(&row[1]))
                        .or_default() += row[2].as_i64().unwrap_or(0);
                }
                html::write(&card, &categories.into_iter().collect::<Vec<_>>(), &mut buf)?
            }
            "json" => {
                serde_json::to_writer_pretty(&mut buf, &card)?;
                buf.push(b'\n');
            }
            other => card.table().write(table_format(other)?, &mut buf)?,
        }
        put(&buf, file.as_ref())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn emit(table: &Table, args: &QueryArgs) -> anyhow::Result<ExitCode> {
    for (name, file) in output_specs(&args.outputs)? {
        let mut buf = Vec::new();
        table.write(table_format(&name)?, &mut buf)?;
        put(&buf, file.as_ref())?;
    }
    Ok(ExitCode::SUCCESS)
}

fn table_format(name: &str) -> anyhow::Result<TableFormat> {
    TableFormat::from_name(name)
        .with_context(|| format!("unknown query output {name:?}; expected table, json, csv or markdown (scorecard: also html)"))
}

/// `-o FORMAT[=FILE]` values; the table on stdout when none.
fn output_specs(specs: &[String]) -> anyhow::Result<Vec<(String, Option<PathBuf>)>> {
    crate::cli::parse_outputs(specs, "table".to_string(), |name| Ok(name.to_string()))
}

/// Writes one rendered output to stdout or, atomically, to its file.
fn put(bytes: &[u8], file: Option<&PathBuf>) -> anyhow::Result<()> {
    crate::output::write_to(file.map(PathBuf::as_path), |out| Ok(out.write_all(bytes)?))
}

/// The organization-wide SBOM of `run`: each repository's stored CycloneDX read back, its
/// paths prefixed with the repository's path, and the repository itself a project whose
/// dependencies are its projects' direct dependencies; merged by purl, every occurrence kept.
fn export(
    store: &Store,
    run: i64,
    out: &ExportArgs,
    outputs: &[String],
) -> anyhow::Result<ExitCode> {
    let outputs = OutputSpec::parse_all(outputs)?;
    let options = bomscout_catalog::Options::default();
    let mut builder = bomscout_core::SbomBuilder::new(format!("inventory run {run}"));
    for (path, bytes) in store.boms_of_run(run)? {
        let shown = format!("{path} (stored SBOM)");
        let input = bomscout_catalog::Input {
            bytes: &bytes,
            path: &shown,
            abs: std::path::Path::new(&path),
            root: std::path::Path::new("/"),
            options: &options,
        };
        let mut catalog = bomscout_catalog::sbom::cyclonedx::parse(&input)
            .with_context(|| format!("cannot read the stored SBOM of {path}"))?;
        crate::convert::prefix_paths(&mut catalog, &path);
        add_repository_project(&mut catalog, &path);
        builder.add(catalog);
    }
    let mut sbom = builder.finish();
    bomscout_license::normalize_sbom(&mut sbom);
    let args = OutputArgs {
        outputs: Vec::new(),
        cyclonedx_version: out.cyclonedx_version,
        namespace: out.namespace.clone(),
        strict_ntia: false,
    };
    crate::scan::write_all(&outputs, &sbom, &args)?;
    Ok(ExitCode::SUCCESS)
}

fn add_repository_project(catalog: &mut Catalog, path: &str) {
    let mut repo = Project::in_dir(Ecosystem::Generic, path, path);
    repo.name = Some(path.rsplit('/').next().unwrap_or(path).to_string());
    let mut deps: Vec<_> = catalog
        .projects
        .iter()
        .flat_map(|p| p.deps.iter().cloned())
        .collect();
    deps.sort_by_key(|e| (e.to, e.kind));
    deps.dedup();
    repo.deps = deps;
    catalog.add_project(repo);
}
