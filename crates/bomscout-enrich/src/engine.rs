//! The engine: plans what to ask, answers from memory and the cache first, asks the
//! sources the rest with bounded concurrency under one time budget, and applies the
//! answers to the SBOM.
//!
//! - **Plan.** The distinct coordinates of the SBOM's resolved components (one question per
//!   package URL however many projects list it); each source asked only about the
//!   ecosystems it supports, in batches of its `batch_size`; version-level facts always,
//!   package-level facts (the latest release) when [`Settings::latest`], and project-level
//!   facts (scorecard, archived) for every repository an answer named.
//! - **Memory, then cache, then network.** An [`Enricher`] remembers every answer (and every
//!   failure) for its whole life, so an `inventory` run over thousands of repositories asks
//!   about each package once; the [`Cache`] keeps answers across runs and processes.
//! - **Network.** One [`Client`] (connections reused, retries with backoff and
//!   `Retry-After`), [`Settings::concurrency`] worker threads pulling batches from a queue,
//!   and one deadline (`now + timeout`) per call: no request starts past it, and what was
//!   not asked in time is reported once per source ("312 components not enriched: depsdev
//!   timed out"). A source that ran out of time is not asked again by this `Enricher`.
//! - **Never fails the scan.** Every shortfall (a source failing, the budget running out,
//!   an unusable cache, offline with nothing cached) is a warning on the SBOM and a
//!   [`Shortfall`] in the [`Outcome`].

use crate::apply::{apply, Answers};
use crate::cache::{Cache, Level, Row};
use crate::source::{Http, Source};
use crate::sources::{self, Endpoints};
use crate::{Answer, Coordinates};
use bomscout_core::{Component, Diagnostic, Reporter, Sbom, SourceKind};
use bomscout_net::{Client, ClientConfig, NetError};
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How the engine runs; [`Settings::new`] gives the defaults.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The sources' base URLs.
    pub endpoints: Endpoints,
    /// Ask only these sources (by name); `None` asks every source.
    pub only: Option<Vec<String>>,
    /// bomscout's cache directory; the cache file is `{cache_dir}/enrich/facts.sqlite`.
    pub cache_dir: PathBuf,
    /// When "not found" answers, package-level and project-level facts expire (7 days).
    pub ttl: Duration,
    /// Requests in flight at once (8).
    pub concurrency: usize,
    /// The time budget of one [`Enricher::enrich`] or [`Enricher::lookup`] call (60 s).
    pub timeout: Duration,
    /// Answer from the cache only: no client is built, no socket opened. A version not in
    /// the cache is reported; a latest release or a scorecard not in the cache (or expired)
    /// is left out silently.
    pub offline: bool,
    /// Also ask package-level facts (the latest release and its date), for the policy's
    /// `deny-unmaintained-days` and for `vet`.
    pub latest: bool,
    /// The User-Agent sent.
    pub user_agent: String,
}

impl Settings {
    /// The defaults: every source at its public URL, a 7-day time to live, 8 requests in
    /// flight, a 60-second budget, online, no latest-release questions.
    pub fn new(cache_dir: PathBuf, user_agent: String) -> Settings {
        Settings {
            endpoints: Endpoints::defaults(),
            only: None,
            cache_dir,
            ttl: Duration::from_secs(7 * 24 * 3600),
            concurrency: 8,
            timeout: Duration::from_secs(60),
            offline: false,
            latest: false,
            user_agent,
        }
    }
}

/// Why an [`Enricher`] could not be made (a usage error: the run cannot start as asked).
#[derive(Debug, thiserror::Error)]
pub enum EnrichError {
    /// `only` names a source that does not exist.
    #[error("unknown enrichment source {name:?}; the sources are {}", sources::NAMES.join(", "))]
    UnknownSource {
        /// The name given.
        name: String,
    },
    /// The HTTP client could not be built.
    #[error(transparent)]
    Net(#[from] NetError),
}

/// What every source said about one package (for `bomscout vet`).
#[derive(Debug, Clone)]
pub struct Gathered {
    /// The package; for a version-less question, at the latest release when a source named
    /// one.
    pub coordinates: Coordinates,
    /// The answers, in order of precedence: package-level, then version-level, then
    /// project-level (the repository's scorecard).
    pub answers: Vec<SourceAnswer>,
    /// Why a source gave no answer ("npm: http://…: the server answered 500 …").
    pub failures: Vec<String>,
}

/// One source's answer.
#[derive(Debug, Clone, PartialEq)]
pub struct SourceAnswer {
    /// The source's name.
    pub source: &'static str,
    /// Its kind of evidence.
    pub kind: SourceKind,
    /// What it said.
    pub answer: Answer,
}

/// What an [`Enricher::enrich`] call did.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outcome {
    /// Distinct packages (resolved components' coordinates) asked about.
    pub packages: usize,
    /// Answers served from memory or the cache, without a request.
    pub from_cache: usize,
    /// HTTP requests sent (retries not counted).
    pub requests: usize,
    /// Components that gained at least one fact (a license, a supplier, a health fact).
    pub enriched: usize,
    /// What could not be done, once per source.
    pub shortfalls: Vec<Shortfall>,
}

/// Components a source could not answer for, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Shortfall {
    /// The source's name (`cache` for the cache itself).
    pub source: &'static str,
    /// How many components are without its answer.
    pub packages: usize,
    /// Why (`depsdev timed out`).
    pub reason: String,
}

impl fmt::Display for Shortfall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = if self.packages == 1 { "" } else { "s" };
        write!(
            f,
            "{} component{s} not enriched: {}",
            self.packages, self.reason
        )
    }
}

/// What is remembered about one question for the life of an [`Enricher`].
#[derive(Debug, Clone)]
enum Memo {
    Answered(Answer),
    Failed(Failure),
}

/// Why a question got no answer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Failure {
    /// The time budget ran out before it was asked or answered.
    OutOfTime,
    /// Offline, and the cache has no answer.
    Offline,
    /// The source failed (the message names the URL).
    Error(String),
}

type MemoKey = (&'static str, Level, String);

/// What one question is about.
#[derive(Debug, Clone)]
enum Subject {
    /// A package, with its package URL (the key) built once.
    Package(Coordinates, String),
    Repository(String),
}

impl Subject {
    fn package(coordinates: Coordinates) -> Subject {
        let key = coordinates.purl();
        Subject::Package(coordinates, key)
    }

    fn key(&self) -> String {
        match self {
            Subject::Package(_, key) | Subject::Repository(key) => key.clone(),
        }
    }
}

/// One request's worth of questions to one source.
struct Job {
    source: usize,
    level: Level,
    subjects: Vec<Subject>,
}

/// The state of one call: its HTTP access (with its deadline) and its counts.
struct Run {
    http: Option<Http>,
    /// Access whose deadline has passed, for sources that ran out of time earlier: the
    /// source is still called (so that one with no answer at a level says so) but no
    /// request starts.
    spent: Option<Http>,
    deadline: Instant,
    from_cache: AtomicUsize,
}

/// Runs the sources for an SBOM or a list of packages. Keep one for a whole run: it
/// remembers every answer.
pub struct Enricher {
    settings: Settings,
    sources: Vec<Box<dyn Source>>,
    cache: Option<Cache>,
    /// Why the cache is not in use, reported on every SBOM enriched.
    cache_problem: Option<String>,
    /// The first failure to read or write the cache during a run (reported on the next SBOM
    /// enriched; the run goes on with what the cache could not give fetched again).
    cache_failure: Mutex<Option<String>>,
    client: Option<Client>,
    memo: Mutex<HashMap<MemoKey, Memo>>,
    /// (source, level) pairs the source has no answer for (`packages`/`projects` gave
    /// `None`).
    unsupported: Mutex<HashSet<(&'static str, Level)>>,
    /// Sources that ran out of time in an earlier call: not asked again.
    exhausted: Mutex<HashSet<&'static str>>,
}

impl fmt::Debug for Enricher {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Enricher")
            .field("sources", &self.source_names())
            .field("cache", &self.cache.as_ref().map(Cache::path))
            .field("offline", &self.settings.offline)
            .finish_non_exhaustive()
    }
}

impl Enricher {
    /// The engine with every source (or those `settings.only` names) at
    /// `settings.endpoints`.
    pub fn new(settings: Settings) -> Result<Enricher, EnrichError> {
        let all = sources::build(&settings.endpoints);
        if let Some(only) = &settings.only {
            if let Some(name) = only.iter().find(|n| !sources::NAMES.contains(&n.as_str())) {
                return Err(EnrichError::UnknownSource { name: name.clone() });
            }
        }
        Enricher::with_sources(settings, all)
    }

    /// The engine with the given sources (tests, and callers that build their own), filtered
    /// by `settings.only` and ordered by their kind's precedence (registries first).
    pub fn with_sources(
        settings: Settings,
        sources: Vec<Box<dyn Source>>,
    ) -> Result<Enricher, EnrichError> {
        let mut sources: Vec<Box<dyn Source>> = sources
            .into_iter()
            .filter(|s| {
                settings
                    .only
                    .as_ref()
                    .is_none_or(|only| only.iter().any(|n| n == s.name()))
            })
            .collect();
        sources.sort_by_key(|s| s.kind().precedence());
        let client = if settings.offline {
            None
        } else {
            let mut config = ClientConfig::new(settings.user_agent.clone());
            config.attempts = 3;
            config.backoff_base = Duration::from_millis(500);
            config.read_timeout = Duration::from_secs(20);
            config.max_bytes = crate::source::DOCUMENT_LIMIT;
            Some(Client::new(config)?)
        };
        let (cache, cache_problem) =
            match Cache::open(&Cache::path_in(&settings.cache_dir), settings.ttl) {
                Ok(cache) => (Some(cache), None),
                Err(e) => (None, Some(format!("{e}; enriching without the cache"))),
            };
        Ok(Enricher {
            settings,
            sources,
            cache,
            cache_problem,
            cache_failure: Mutex::new(None),
            client,
            memo: Mutex::new(HashMap::new()),
            unsupported: Mutex::new(HashSet::new()),
            exhausted: Mutex::new(HashSet::new()),
        })
    }

    /// The sources in use, in order of precedence.
    pub fn source_names(&self) -> Vec<&'static str> {
        self.sources.iter().map(|s| s.name()).collect()
    }

    /// Why the cache is not in use, when it is not.
    pub fn cache_problem(&self) -> Option<&str> {
        self.cache_problem.as_deref()
    }

    /// Adds what the sources know to the resolved components of `sbom`: licenses (as
    /// evidence of the source's kind, beside the local ones), a supplier where none is
    /// known, and [`Health`](bomscout_core::Health). Disagreements and shortfalls become
    /// warnings on the SBOM. Never fails.
    pub fn enrich(&self, sbom: &mut Sbom, reporter: &dyn Reporter) -> Outcome {
        let run = self.start();
        let mut outcome = Outcome::default();
        let cache_path = self.cache_path().display().to_string();
        if let Some(problem) = &self.cache_problem {
            sbom.diagnostics
                .push(Diagnostic::warning(cache_path.clone(), problem.clone()));
        }
        let distinct: BTreeSet<Coordinates> = sbom.components.iter().filter_map(askable).collect();
        outcome.packages = distinct.len();
        let distinct: Vec<Coordinates> = distinct.into_iter().collect();

        // Version-level (and, when asked, package-level) facts first; then the projects
        // their answers named.
        let mut questions = self.package_questions(&distinct, Level::Version);
        if self.settings.latest {
            let latest: Vec<Coordinates> = unversioned(&distinct);
            questions.extend(self.package_questions(&latest, Level::Package));
        }
        self.resolve(&run, questions, reporter);
        let keys: Vec<String> = distinct.iter().map(Coordinates::purl).collect();
        let repositories = self.repositories(&keys);
        self.resolve(&run, self.project_questions(&repositories), reporter);

        // Apply, component by component, answers in order of precedence.
        let mut failed: BTreeMap<usize, (usize, Vec<Failure>)> = BTreeMap::new();
        let mut diagnostics = Vec::new();
        for component in &mut sbom.components {
            let Some(coordinates) = askable(component) else {
                continue;
            };
            let version_key = coordinates.purl();
            let package_key = Coordinates {
                version: None,
                ..coordinates
            }
            .purl();
            let (answers, failures) = self.for_component(&version_key, &package_key);
            for (source, failure) in failures {
                let entry = failed.entry(source).or_default();
                entry.0 += 1;
                if !entry.1.contains(&failure) {
                    entry.1.push(failure);
                }
            }
            let applied = apply(component, &answers);
            if applied.changed {
                outcome.enriched += 1;
            }
            let path = component
                .locations
                .iter()
                .next()
                .map(|l| l.path.to_string())
                .unwrap_or_default();
            diagnostics.extend(
                applied
                    .conflicts
                    .into_iter()
                    .map(|m| Diagnostic::warning(path.clone(), m)),
            );
        }
        for (source, (count, failures)) in failed {
            let shortfall = self.shortfall(source, count, &failures);
            diagnostics.push(Diagnostic::warning(
                bomscout_net::redact_url(self.settings.endpoints.url(shortfall.source)),
                shortfall.to_string(),
            ));
            outcome.shortfalls.push(shortfall);
        }
        let cache_failure = self
            .cache_failure
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .take();
        if let Some(failure) = cache_failure {
            diagnostics.push(Diagnostic::warning(cache_path, failure));
        }
        sbom.diagnostics.extend(diagnostics);
        sbom.diagnostics.sort();
        sbom.diagnostics.dedup();
        outcome.from_cache = run.from_cache.load(Ordering::Relaxed);
        outcome.requests = run.http.as_ref().map_or(0, Http::requests);
        outcome
    }

    /// What every source says about each package (for `bomscout vet`): a version-less
    /// package is first asked about as a whole, and then at the latest release a source
    /// named. Never fails: what could not be asked is in each [`Gathered::failures`].
    pub fn lookup(&self, packages: &[Coordinates]) -> Vec<Gathered> {
        let run = self.start();
        let reporter = bomscout_core::Silent;
        // Package-level questions: for a version-less package (its latest release), and
        // for every package when the latest releases are asked for.
        let asked: Vec<Coordinates> = packages
            .iter()
            .filter(|c| c.version.is_none() || self.settings.latest)
            .cloned()
            .collect();
        let whole = unversioned(&asked);
        self.resolve(
            &run,
            self.package_questions(&whole, Level::Package),
            &reporter,
        );
        let resolved: Vec<Coordinates> = packages
            .iter()
            .map(|c| match &c.version {
                Some(_) => c.clone(),
                None => self
                    .latest_of(c)
                    .map(|v| c.at(&v))
                    .unwrap_or_else(|| c.clone()),
            })
            .collect();
        let versioned: Vec<Coordinates> = resolved
            .iter()
            .filter(|c| c.version.is_some())
            .cloned()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        self.resolve(
            &run,
            self.package_questions(&versioned, Level::Version),
            &reporter,
        );
        let keys: Vec<String> = versioned.iter().map(Coordinates::purl).collect();
        let repositories = self.repositories(&keys);
        self.resolve(&run, self.project_questions(&repositories), &reporter);

        resolved
            .into_iter()
            .map(|coordinates| {
                let mut gathered = Gathered {
                    answers: Vec::new(),
                    failures: Vec::new(),
                    coordinates: coordinates.clone(),
                };
                let whole = Coordinates {
                    version: None,
                    ..coordinates.clone()
                };
                let mut levels = vec![(Level::Package, Subject::package(whole))];
                if coordinates.version.is_some() {
                    levels.push((Level::Version, Subject::package(coordinates.clone())));
                }
                for (level, subject) in levels {
                    self.collect(level, &subject, &mut gathered);
                }
                let repos: Vec<String> = self.repositories(&[coordinates.purl()]);
                for repo in repos {
                    self.collect(Level::Project, &Subject::Repository(repo), &mut gathered);
                }
                if let Some(problem) = &self.cache_problem {
                    gathered.failures.push(problem.clone());
                }
                gathered
            })
            .collect()
    }

    /// Every source's memoized answer (or failure) for one question, into `gathered`.
    fn collect(&self, level: Level, subject: &Subject, gathered: &mut Gathered) {
        let key = subject.key();
        let memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        for source in &self.sources {
            match memo.get(&(source.name(), level, key.clone())) {
                Some(Memo::Answered(answer)) => gathered.answers.push(SourceAnswer {
                    source: source.name(),
                    kind: source.kind(),
                    answer: answer.clone(),
                }),
                Some(Memo::Failed(failure)) => gathered.failures.push(format!(
                    "{}: {}",
                    source.name(),
                    describe(source.name(), failure)
                )),
                None => {}
            }
        }
    }

    /// The latest release of a package, from the first source (by precedence) that names it.
    fn latest_of(&self, whole: &Coordinates) -> Option<String> {
        let key = Coordinates {
            version: None,
            ..whole.clone()
        }
        .purl();
        let memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        self.sources.iter().find_map(
            |s| match memo.get(&(s.name(), Level::Package, key.clone())) {
                Some(Memo::Answered(a)) => a.facts()?.latest_version.clone(),
                _ => None,
            },
        )
    }

    fn cache_path(&self) -> PathBuf {
        Cache::path_in(&self.settings.cache_dir)
    }

    /// A new call: its deadline and its HTTP access.
    fn start(&self) -> Run {
        let now = Instant::now();
        let deadline = now + self.settings.timeout;
        Run {
            http: self
                .client
                .as_ref()
                .map(|c| Http::new(c.clone(), Some(deadline))),
            spent: self
                .client
                .as_ref()
                .map(|c| Http::new(c.clone(), Some(now))),
            deadline,
            from_cache: AtomicUsize::new(0),
        }
    }

    /// Questions about packages at `level`, each to every source that supports its
    /// ecosystem.
    fn package_questions(
        &self,
        packages: &[Coordinates],
        level: Level,
    ) -> Vec<(usize, Level, Subject)> {
        let mut out = Vec::new();
        for c in packages {
            let subject = Subject::package(c.clone());
            for (i, source) in self.sources.iter().enumerate() {
                if source.supports(c.ecosystem) {
                    out.push((i, level, subject.clone()));
                }
            }
        }
        out
    }

    /// Questions about repositories, to every source.
    fn project_questions(&self, repositories: &[String]) -> Vec<(usize, Level, Subject)> {
        let mut out = Vec::new();
        for i in 0..self.sources.len() {
            for r in repositories {
                out.push((i, Level::Project, Subject::Repository(r.clone())));
            }
        }
        out
    }

    /// The repositories the answers about the package versions `keys` name (distinct,
    /// sorted).
    fn repositories(&self, keys: &[String]) -> Vec<String> {
        let memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        let mut out = BTreeSet::new();
        for key in keys {
            out.extend(self.repositories_in(&memo, key));
        }
        out.into_iter().collect()
    }

    /// The repositories the version answers for `key` name, in order of precedence.
    fn repositories_in(&self, memo: &HashMap<MemoKey, Memo>, key: &str) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for source in &self.sources {
            if let Some(Memo::Answered(a)) =
                memo.get(&(source.name(), Level::Version, key.to_string()))
            {
                if let Some(repo) = a.facts().and_then(|f| f.repository.as_ref()) {
                    if !out.contains(repo) {
                        out.push(repo.clone());
                    }
                }
            }
        }
        out
    }

    /// For one component (its version's and its package's keys): every source's answers
    /// that bear on it, in order of precedence; and the sources (by index) that failed to
    /// answer about it (its version, its package when the latest releases are asked for,
    /// the repositories its answers name) with the first failure of each.
    fn for_component(
        &self,
        version_key: &str,
        package_key: &str,
    ) -> (Answers, Vec<(usize, Failure)>) {
        let memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        let repositories = self.repositories_in(&memo, version_key);
        let mut answers = Answers::default();
        let mut failures = Vec::new();
        for (i, source) in self.sources.iter().enumerate() {
            let name = source.name();
            let mut questions = vec![(Level::Version, version_key.to_string())];
            questions.push((Level::Package, package_key.to_string()));
            questions.extend(repositories.iter().map(|r| (Level::Project, r.clone())));
            let mut failed = None;
            for (level, key) in questions {
                match memo.get(&(name, level, key)) {
                    Some(Memo::Answered(Answer::Found(facts))) => {
                        let said = (name, source.kind(), (**facts).clone());
                        match level {
                            Level::Version => answers.versions.push(said),
                            Level::Package => answers.packages.push(said),
                            Level::Project => answers.projects.push(said),
                        }
                    }
                    // A package-level failure only counts when those were asked for.
                    Some(Memo::Failed(f))
                        if failed.is_none()
                            && (level != Level::Package || self.settings.latest) =>
                    {
                        failed = Some(f.clone());
                    }
                    _ => {}
                }
            }
            if let Some(f) = failed {
                failures.push((i, f));
            }
        }
        (answers, failures)
    }

    fn shortfall(&self, source: usize, packages: usize, failures: &[Failure]) -> Shortfall {
        let name = self.sources[source].name();
        let reason = if failures.contains(&Failure::OutOfTime) {
            describe(name, &Failure::OutOfTime)
        } else {
            let first = failures
                .first()
                .map(|f| describe(name, f))
                .unwrap_or_default();
            match failures.len() {
                0 | 1 => first,
                n => format!("{first} (and {} other errors)", n - 1),
            }
        };
        Shortfall {
            source: name,
            packages,
            reason,
        }
    }

    /// Answers every question: from memory, else the cache, else (online) a source.
    fn resolve(&self, run: &Run, questions: Vec<(usize, Level, Subject)>, reporter: &dyn Reporter) {
        // What memory does not know...
        let mut misses: Vec<(usize, Level, Subject, String)> = Vec::new();
        {
            let memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
            let unsupported = self.unsupported.lock().unwrap_or_else(|p| p.into_inner());
            let mut seen = HashSet::new();
            for (i, level, subject) in questions {
                let name = self.sources[i].name();
                let key = subject.key();
                if unsupported.contains(&(name, level)) || !seen.insert((i, level, key.clone())) {
                    continue;
                }
                match memo.get(&(name, level, key.clone())) {
                    Some(Memo::Answered(_)) => {
                        run.from_cache.fetch_add(1, Ordering::Relaxed);
                    }
                    Some(Memo::Failed(_)) => {}
                    None => misses.push((i, level, subject, key)),
                }
            }
        }
        // ...the cache may, read in one transaction...
        let cached: Vec<Option<Answer>> = match &self.cache {
            Some(cache) if !misses.is_empty() => {
                let questions: Vec<(&str, Level, &str)> = misses
                    .iter()
                    .map(|(i, level, _, key)| (self.sources[*i].name(), *level, key.as_str()))
                    .collect();
                cache.get_many(&questions).unwrap_or_else(|e| {
                    self.cache_failed(e);
                    Vec::new()
                })
            }
            _ => Vec::new(),
        };
        // ...and the rest is asked.
        let mut pending: BTreeMap<(usize, Level), Vec<Subject>> = BTreeMap::new();
        {
            let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
            let mut cached = cached.into_iter();
            for (i, level, subject, key) in misses {
                let memo_key = (self.sources[i].name(), level, key);
                if let Some(answer) = cached.next().flatten() {
                    run.from_cache.fetch_add(1, Ordering::Relaxed);
                    memo.insert(memo_key, Memo::Answered(answer));
                    continue;
                }
                if run.http.is_none() {
                    // Offline, a version not in the cache is a shortfall. A package- or
                    // project-level miss is not: most sources have no such answer at all
                    // (their `packages`/`projects` give `None`), and offline there is no
                    // asking them which.
                    if level == Level::Version {
                        memo.insert(memo_key, Memo::Failed(Failure::Offline));
                    }
                    continue;
                }
                pending.entry((i, level)).or_default().push(subject);
            }
        }
        let Some(http) = &run.http else {
            return;
        };
        let mut jobs = VecDeque::new();
        for ((source, level), subjects) in pending {
            let size = self.sources[source].batch_size().max(1);
            for chunk in subjects.chunks(size) {
                jobs.push_back(Job {
                    source,
                    level,
                    subjects: chunk.to_vec(),
                });
            }
        }
        if jobs.is_empty() {
            return;
        }
        let total = jobs.len() as u64;
        let workers = self.settings.concurrency.clamp(1, jobs.len());
        let queue = Mutex::new(jobs);
        let done = AtomicUsize::new(0);
        std::thread::scope(|scope| {
            for _ in 0..workers {
                scope.spawn(|| loop {
                    let job = queue.lock().unwrap_or_else(|p| p.into_inner()).pop_front();
                    let Some(job) = job else { break };
                    self.run_job(run, http, job);
                    let n = done.fetch_add(1, Ordering::Relaxed) as u64 + 1;
                    reporter.enriched(n, total);
                });
            }
        });
    }

    /// Remembers the first cache failure of a run, to report it.
    fn cache_failed(&self, error: crate::CacheError) {
        let mut failure = self.cache_failure.lock().unwrap_or_else(|p| p.into_inner());
        if failure.is_none() {
            *failure = Some(format!(
                "{error}; answers the cache could not give were asked for again"
            ));
        }
    }

    /// Asks one source one batch, and remembers (and caches) what came back.
    fn run_job(&self, run: &Run, http: &Http, job: Job) {
        let source = &self.sources[job.source];
        let name = source.name();
        let keys: Vec<String> = job.subjects.iter().map(Subject::key).collect();
        // Past the deadline, or for a source that ran out of time before, the source's
        // requests fail at once (without a connection) as out of time.
        let exhausted = self
            .exhausted
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .contains(name);
        let http = match (&run.spent, exhausted) {
            (Some(spent), true) => spent,
            _ => http,
        };
        let asked = catch_unwind(AssertUnwindSafe(|| ask(&**source, http, &job)));
        let results: Option<Vec<Result<Answer, Failure>>> = match asked {
            Ok(None) => None,
            Ok(Some(results)) => Some(
                (0..keys.len())
                    .map(|i| match results.get(i) {
                        Some(Ok(answer)) => Ok(answer.clone()),
                        Some(Err(e)) if e.is_out_of_time() || Instant::now() >= run.deadline => {
                            Err(Failure::OutOfTime)
                        }
                        // Messages carry names from the scanned files: no control
                        // characters reach a terminal.
                        Some(Err(e)) => Err(Failure::Error(
                            bomscout_core::escape::printable(&e.to_string()).into_owned(),
                        )),
                        None => Err(Failure::Error(format!(
                            "gave {} answers for {} questions (a bug in the source)",
                            results.len(),
                            keys.len()
                        ))),
                    })
                    .collect(),
            ),
            Err(_) => Some(
                keys.iter()
                    .map(|_| {
                        Err(Failure::Error(
                            "the source failed unexpectedly (a bug)".into(),
                        ))
                    })
                    .collect(),
            ),
        };
        let Some(results) = results else {
            self.unsupported
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert((name, job.level));
            return;
        };
        if results.iter().any(|r| matches!(r, Err(Failure::OutOfTime))) {
            self.exhausted
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(name);
        }
        let rows: Vec<Row<'_>> = keys
            .iter()
            .zip(&results)
            .filter_map(|(key, r)| {
                r.as_ref().ok().map(|answer| Row {
                    source: name,
                    level: job.level,
                    key,
                    answer,
                })
            })
            .collect();
        if let Some(cache) = &self.cache {
            // A failed write costs the next run a request, nothing else.
            if let Err(e) = cache.put(&rows) {
                // A failed write costs the next run a request, nothing else; said once.
                self.cache_failed(e);
            }
        }
        drop(rows);
        let mut memo = self.memo.lock().unwrap_or_else(|p| p.into_inner());
        for (key, result) in keys.into_iter().zip(results) {
            let memo_value = match result {
                Ok(answer) => Memo::Answered(answer),
                Err(failure) => Memo::Failed(failure),
            };
            memo.insert((name, job.level, key), memo_value);
        }
    }
}

/// Calls the source's method for the job's level.
fn ask(
    source: &dyn Source,
    http: &Http,
    job: &Job,
) -> Option<Vec<Result<Answer, crate::SourceError>>> {
    let packages = || -> Vec<Coordinates> {
        job.subjects
            .iter()
            .filter_map(|s| match s {
                Subject::Package(c, _) => Some(c.clone()),
                Subject::Repository(_) => None,
            })
            .collect()
    };
    match job.level {
        Level::Version => Some(source.versions(http, &packages())),
        Level::Package => source.packages(http, &packages()),
        Level::Project => {
            let repos: Vec<String> = job.subjects.iter().map(Subject::key).collect();
            source.projects(http, &repos)
        }
    }
}

/// The coordinates to ask about a component: `None` for an unresolved one, and for one
/// that does not come from its registry (a git or URL dependency, whose purl carries a
/// `vcs_url` or `download_url`): the registry's facts about that name are not its facts.
fn askable(component: &Component) -> Option<Coordinates> {
    let purl = component.purl.as_str();
    let qualifiers = purl.split_once('?').map_or("", |(_, q)| q);
    if qualifiers
        .split('&')
        .any(|q| q.starts_with("vcs_url=") || q.starts_with("download_url="))
    {
        return None;
    }
    Coordinates::of(component)
}

/// The packages of `coordinates` without their versions.
fn unversioned(coordinates: &[Coordinates]) -> Vec<Coordinates> {
    coordinates
        .iter()
        .map(|c| Coordinates {
            version: None,
            ..c.clone()
        })
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

fn describe(source: &str, failure: &Failure) -> String {
    match failure {
        Failure::OutOfTime => format!("{source} timed out"),
        Failure::Offline => format!("{source}: not in the cache, and --offline forbids asking"),
        Failure::Error(message) => format!("{source}: {message}"),
    }
}
