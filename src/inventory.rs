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
use bomscout_inventory::incremental::{self, Previous, Reused, ScanState};
use bomscout_inventory::render::{Format as TableFormat, Table};
use bomscout_inventory::repos::{discover, Repo, Shard};
use bomscout_inventory::store::Scanned;
use bomscout_inventory::{git, html, query, Location, RepoScan, RunId, Store};
use bomscout_pipeline::{CheckSettings, RawSettings, Settings};
use bomscout_policy::{Date, Policy};
use rayon::prelude::*;
use std::collections::{HashMap, HashSet};
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
    // The Dependency-Track key is read and checked before anything is scanned.
    let uploads = args.dtrack.start()?;
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
    // Each repository's last scan, unless every repository is to be scanned.
    let previous = if args.full {
        HashMap::new()
    } else {
        store.previous_scans(run)?
    };
    let key = scan_key(args, &settings, policy.as_ref());
    let jobs = args.jobs.unwrap_or(0);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(jobs).build()?;
    // Each finished repository waits here with its whole SBOM and CycloneDX JSON until the
    // one writer stores it: two per worker keep the writer busy without holding dozens.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Outcome>(2 * pool.current_num_threads());
    let context = ScanContext {
        policy: policy.as_ref(),
        today: Date::from_unix(started),
        settings,
        enrichment: std::sync::Mutex::default(),
        previous,
        key,
        db: db.clone(),
        readers: std::sync::Mutex::default(),
    };
    let (mut recorded, mut failed) = (0usize, 0usize);
    let progress = crate::progress::Progress::new(!args.quiet);
    std::thread::scope(|scope| -> anyhow::Result<()> {
        scope.spawn(|| {
            pool.install(|| {
                repos.par_iter().for_each_with(tx, |tx, repo| {
                    // A closed channel means the writer stopped on an error: stop too.
                    let _ = tx.send(visit(repo, &context));
                })
            })
        });
        // Uploads run beside the scans, fed as each repository is recorded.
        let queue = uploads.as_ref().map(|u| (u, u.spawn(scope)));
        for outcome in rx {
            let (path, recording) = match &outcome {
                Outcome::Scanned(scan, state) => {
                    failed += usize::from(scan.result.is_err());
                    (&scan.repo.path, store.record_scanned(run, scan, state))
                }
                Outcome::Reused(reused) => (&reused.repo.path, store.record_reused(run, reused)),
            };
            recording.with_context(|| {
                format!("cannot record {}", bomscout_core::escape::printable(path))
            })?;
            // A reused repository's SBOM is the one uploaded the night it was scanned;
            // `--full` uploads every repository again.
            if let (Some((uploads, queue)), Outcome::Scanned(scan, _)) = (&queue, outcome) {
                if let Some(job) = uploads.job(*scan) {
                    // The workers stop only when this sender is dropped.
                    let _ = queue.send(job);
                }
            }
            recorded += 1;
            progress.repositories(recorded, repos.len());
        }
        Ok(())
    })?;
    progress.finish();
    // Every repository was recorded: those recorded before, within this run's roots and
    // shard, that it did not find are gone.
    let present: HashSet<&str> = repos.iter().map(|r| r.path.as_str()).collect();
    let root_names: HashSet<String> = args
        .roots
        .iter()
        .map(|r| bomscout_inventory::repos::root_name(r))
        .collect();
    let in_scope = |path: &str| {
        path.split('/')
            .next()
            .is_some_and(|first| root_names.contains(first))
            && shard.is_none_or(|s| s.selects(path))
    };
    store.record_removed(run, &present, &in_scope)?;
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
    let counts = store.run_counts(run)?;
    if !args.quiet && context.settings.enricher().is_some() {
        if let Ok(totals) = context.enrichment.lock() {
            eprintln!("bomscout: {}", totals.summary(args.enrich.offline));
        }
    }
    if !args.quiet {
        eprintln!(
            "bomscout: run {run} ({label}): {recorded} repositories in {:.1} s ({counts}), \
             {failed} failed{}{}; {}",
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
    if let Some(uploads) = &uploads {
        if !uploads.summarize(args.quiet) {
            return Ok(ExitCode::from(2));
        }
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
    /// Each repository's last recorded scan, by path (empty with `--full`).
    previous: HashMap<String, Previous>,
    /// This run's scan key: a previous scan made under another is not reused.
    key: String,
    /// The database (a SQLite file or a PostgreSQL URL), for the read connections that
    /// fetch stored SBOMs to re-evaluate.
    db: Location,
    /// Read connections not in use; a worker takes one, or opens one, and puts it back.
    readers: std::sync::Mutex<Vec<Store>>,
}

/// What the run does with one repository.
enum Outcome {
    /// Scanned (or failed to be), with what the next run compares with.
    Scanned(Box<RepoScan>, ScanState),
    /// Unchanged since its last scan, which is reused.
    Reused(Box<Reused>),
}

/// The scan key of this run: the tool version and every setting that shapes what a
/// repository's scan finds.
fn scan_key(args: &InventoryArgs, settings: &Settings, policy: Option<&Policy>) -> String {
    incremental::scan_key(
        env!("CARGO_PKG_VERSION"),
        &[
            ("exclude", settings.excludes().join("\n")),
            ("read-caches", (!args.no_caches).to_string()),
            ("enrich", settings.enricher().is_some().to_string()),
            ("enrich-sources", args.enrich.enrich_sources.join(",")),
            (
                "enrich-latest",
                policy.is_some_and(crate::enrich::needs_latest).to_string(),
            ),
        ],
    )
}

/// Reuses the last scan of an unchanged repository, else scans it. Never fails and never
/// panics out: an error or a panic becomes a failed scan that names it, and the run goes on.
/// A stored SBOM that cannot be re-evaluated is not reused: the repository is scanned.
fn visit(repo: &Repo, context: &ScanContext) -> Outcome {
    let clock = Instant::now();
    let scanned_at = crate::scan::timestamp();
    let head = git::head(&repo.abs);
    // Without a commit, the digest of what a scan would read (a walk and a read, no parse).
    let tree_digest = match head.commit {
        Some(_) => None,
        None => std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            incremental::tree_digest(
                &repo.abs,
                context.settings.excludes(),
                bomscout_catalog::Options::default().max_file_size,
            )
        }))
        .ok()
        .and_then(Result::ok),
    };
    let state = ScanState {
        tree_digest,
        scan_key: context.key.clone(),
    };
    if let Some(from) = context.previous.get(&repo.path).filter(|p| {
        p.reusable(
            head.commit.as_deref(),
            state.tree_digest.as_deref(),
            &context.key,
        )
    }) {
        let evaluation = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            reevaluate(repo, from, context)
        }));
        if let Ok(Ok(evaluation)) = evaluation {
            return Outcome::Reused(Box::new(Reused {
                repo: repo.clone(),
                head,
                from: from.clone(),
                scanned_at,
                duration_ms: clock.elapsed().as_millis() as u64,
                evaluation,
                state,
            }));
        }
    }
    let result =
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| scan_tree(repo, context)))
            .unwrap_or_else(|_| {
                Err(anyhow::anyhow!(
                    "internal error while scanning (a bug: please report it)"
                ))
            })
            .map_err(|e| format!("{e:#}"));
    Outcome::Scanned(
        Box::new(RepoScan {
            repo: repo.clone(),
            head,
            scanned_at,
            duration_ms: clock.elapsed().as_millis() as u64,
            result,
        }),
        state,
    )
}

/// The policy's verdicts on a reused repository's stored SBOM (read back as `export`
/// reads it), `None` without a policy: the verdicts of today's policy on today's date,
/// without scanning.
fn reevaluate(
    repo: &Repo,
    from: &Previous,
    context: &ScanContext,
) -> anyhow::Result<Option<bomscout_policy::Evaluation>> {
    let Some(policy) = context.policy else {
        return Ok(None);
    };
    let bom = from.bom_id.context("the reused scan has no stored SBOM")?;
    let reader = context.readers.lock().ok().and_then(|mut r| r.pop());
    let reader = match reader {
        Some(r) => r,
        None => Store::open_read_only_location(&context.db)?,
    };
    let bytes = reader.stored_bom(bom);
    if let Ok(mut readers) = context.readers.lock() {
        readers.push(reader);
    }
    let bytes = bytes?;
    let options = bomscout_catalog::Options::default();
    let shown = format!("{} (stored SBOM)", repo.path);
    // The stored document is read alone: an empty tree, so nothing beside it is looked at.
    let nothing = bomscout_walk::MemTree::new();
    let input = bomscout_catalog::Input {
        tree: &nothing,
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from(shown.as_str()),
        abs: std::path::Path::new(&repo.path),
        root: std::path::Path::new("/"),
        options: &options,
    };
    let catalog = bomscout_catalog::sbom::cyclonedx::parse(&input)
        .with_context(|| format!("cannot read the stored SBOM of {}", repo.path))?;
    let sbom = bomscout_pipeline::assemble(repo.name.clone(), [catalog]);
    let judge = CheckSettings {
        today: context.today,
        allow_unreadable: false,
        baseline: None,
        advisories: None,
    };
    Ok(Some(bomscout_pipeline::evaluate(&sbom, policy, &judge).0))
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
        Question::Repos { status } => {
            emit(&incremental::repos(&store, run, status.as_deref())?, args)
        }
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
    let mut t = Table::new(&[
        "run",
        "label",
        "started",
        "finished",
        "repositories",
        "scanned",
        "reused",
        "removed",
    ]);
    for r in store.runs()? {
        let counts = store.run_counts(r.id)?;
        t.rows.push(vec![
            r.id.into(),
            r.label.into(),
            Date::from_unix(r.started_at).to_string().into(),
            r.finished_at
                .map(|f| Date::from_unix(f).to_string())
                .unwrap_or_else(|| "(interrupted)".into())
                .into(),
            r.repositories.into(),
            counts.scanned.into(),
            counts.reused.into(),
            counts.removed.into(),
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
            shared_path: &bomscout_core::SharedStr::from(shown.as_str()),
            abs: std::path::Path::new(&path),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &bomscout_catalog::DISK,
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
