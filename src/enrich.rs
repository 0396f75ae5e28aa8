//! The enrichment options every scanning command shares (`--enrich`, `--offline`, the
//! sources and their URLs), turned into one [`Enricher`] with the precedence
//! flag > environment > policy file (`[enrich]`) > default.

use anyhow::{bail, Context};
use bomscout_core::escape::printable;
use bomscout_enrich::engine::{Enricher, Outcome, Settings as EngineSettings};
use bomscout_enrich::sources::{Endpoints, NAMES};
use bomscout_pipeline::{EnrichStep, SharedEnricher};
use clap::{ArgMatches, Args, FromArgMatches};
use std::path::Path;
use std::time::Duration;

/// The total time budget when neither `--enrich-timeout` nor the policy sets one.
pub const DEFAULT_TIMEOUT_SECS: u64 = 60;

/// `--enrich` and its companions, flattened into `scan`, `check`, `licenses`, `audit`,
/// `inventory` and `vet`.
#[derive(Debug, Args, Clone, Default)]
pub struct EnrichOptions {
    /// Ask online services what the scanned files do not say: licenses, suppliers, source
    /// repositories, OpenSSF Scorecards, latest releases. Only each package's ecosystem,
    /// name and version are sent; answers are cached (under --cache-dir). Also
    /// `enrich = true` in the policy's `[enrich]` table.
    #[arg(long, help_heading = "Enrichment")]
    pub enrich: bool,

    /// Use no network at all, even when the policy's `[enrich]` table asks for enrichment:
    /// enrichment then answers from the cache only.
    #[arg(long, help_heading = "Enrichment")]
    pub offline: bool,

    /// The total time enrichment may take; what is not answered by then is reported and
    /// left unenriched (the scan never fails for it). Default: the policy's
    /// `[enrich] timeout`, else 60.
    #[arg(long, value_name = "SECS", help_heading = "Enrichment")]
    pub enrich_timeout: Option<u64>,

    /// Ask only these sources (comma-separated): npm, pypi, crates, rubygems, nuget,
    /// packagist, pub, hex, maven, goproxy, clearlydefined, depsdev. Default: the policy's
    /// `[enrich] sources`, else all.
    #[arg(
        long,
        value_name = "NAME,...",
        value_delimiter = ',',
        help_heading = "Enrichment"
    )]
    pub enrich_sources: Vec<String>,

    /// One `--NAME-url` per source: a mirror, a proxy, or a test server.
    #[command(flatten)]
    pub urls: SourceUrls,
}

/// `--npm-url URL`, `--depsdev-url URL`, ...: one option per source of
/// [`bomscout_enrich::sources::NAMES`], generated from that list so none is forgotten.
#[derive(Debug, Clone, Default)]
pub struct SourceUrls {
    /// `(source, url)` for each option given.
    pub given: Vec<(&'static str, String)>,
}

impl SourceUrls {
    fn id(name: &str) -> String {
        format!("{name}-url")
    }
}

impl FromArgMatches for SourceUrls {
    fn from_arg_matches(matches: &ArgMatches) -> Result<Self, clap::Error> {
        let mut urls = SourceUrls::default();
        urls.update_from_arg_matches(matches)?;
        Ok(urls)
    }

    fn update_from_arg_matches(&mut self, matches: &ArgMatches) -> Result<(), clap::Error> {
        for name in NAMES {
            if let Ok(Some(url)) = matches.try_get_one::<String>(&SourceUrls::id(name)) {
                self.given.retain(|(n, _)| *n != name);
                self.given.push((name, url.clone()));
            }
        }
        Ok(())
    }
}

impl Args for SourceUrls {
    fn augment_args(mut cmd: clap::Command) -> clap::Command {
        for name in NAMES {
            cmd = cmd.arg(
                clap::Arg::new(SourceUrls::id(name))
                    .long(SourceUrls::id(name))
                    .value_name("URL")
                    .help_heading("Enrichment sources")
                    .help(format!(
                        "The {name} source's base URL (a mirror or proxy). Also {}",
                        Endpoints::env_var(name)
                    )),
            );
        }
        cmd
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        SourceUrls::augment_args(cmd)
    }
}

/// What a policy file's `[enrich]` table says (all optional: absent keys fall back to the
/// defaults).
#[derive(Debug, Clone, Default)]
pub struct FromPolicy {
    /// `enrich = true`.
    pub enrich: bool,
    /// `timeout`, seconds.
    pub timeout: Option<u64>,
    /// `ttl-days`.
    pub ttl_days: Option<u64>,
    /// `sources`.
    pub sources: Option<Vec<String>>,
    /// `concurrency`.
    pub concurrency: Option<usize>,
}

/// The `[enrich]` table of `policy`, its source names checked against [`NAMES`] (the
/// message names the file and line they were written at).
pub fn from_policy(policy: &bomscout_policy::Policy) -> anyhow::Result<FromPolicy> {
    let table = &policy.enrich;
    if !table.declared {
        return Ok(FromPolicy::default());
    }
    // The policy crate names the file, the line and the closest source name.
    table.check_sources(&NAMES).map_err(anyhow::Error::msg)?;
    let sources = if table.sources.is_empty() {
        None
    } else {
        let at = table
            .sources_at
            .as_deref()
            .map(|at| format!("{at}: "))
            .unwrap_or_default();
        Some(checked_sources(
            &table.sources,
            &format!("{at}the policy's [enrich] sources"),
        )?)
    };
    Ok(FromPolicy {
        enrich: table.enrich,
        timeout: Some(table.timeout_secs),
        ttl_days: Some(u64::from(table.ttl_days)),
        sources,
        concurrency: Some(table.concurrency),
    })
}

/// Whether `policy` judges how long ago the latest release was: then enrichment also asks
/// for each package's latest release.
pub fn needs_latest(policy: &bomscout_policy::Policy) -> bool {
    policy.health.declared && policy.health.deny_unmaintained_days.is_some()
}

/// The `[enrich]` settings of the policy a scanning command without `--policy` would find
/// (`scan`, `licenses`): a policy file that cannot be read is warned about and ignored,
/// so a broken file never turns enrichment on (nothing leaves the machine unless asked).
#[allow(clippy::print_stderr)]
pub fn discovered_policy(paths: &[std::path::PathBuf], quiet: bool) -> (FromPolicy, bool) {
    let Some(spec) = crate::check::find_policy(None, paths) else {
        return (FromPolicy::default(), false);
    };
    let loaded = bomscout_policy::Policy::load(&spec)
        .map_err(|e| anyhow::anyhow!("{e}"))
        .and_then(|p| Ok((from_policy(&p)?, needs_latest(&p))));
    match loaded {
        Ok(found) => found,
        Err(e) => {
            if !quiet {
                eprintln!(
                    "bomscout: warning: {}: not read for its [enrich] settings: {}",
                    printable(&spec),
                    printable(&format!("{e:#}"))
                );
            }
            (FromPolicy::default(), false)
        }
    }
}

/// How the command wants enrichment.
#[derive(Debug, Clone, Copy, Default)]
pub struct Need {
    /// On whatever the options say (`vet`).
    pub always: bool,
    /// Ask package-level facts too (the latest release): for `vet` and a policy that
    /// judges time since the latest release.
    pub latest: bool,
}

/// The enricher `options`, the environment and the policy ask for, or `None` when nothing
/// asks for enrichment (then nothing leaves the machine).
pub fn enricher(
    options: &EnrichOptions,
    cache_dir: Option<&Path>,
    policy: &FromPolicy,
    need: Need,
) -> anyhow::Result<Option<SharedEnricher>> {
    let settings = settings(options, cache_dir, policy, need, |k| std::env::var(k).ok())?;
    let Some(settings) = settings else {
        return Ok(None);
    };
    let enricher = Enricher::new(settings).context("cannot start enrichment")?;
    Ok(Some(EnrichStep::new(enricher)))
}

/// The engine's settings (see [`enricher`]), with the environment read through `var`.
pub fn settings(
    options: &EnrichOptions,
    cache_dir: Option<&Path>,
    policy: &FromPolicy,
    need: Need,
    var: impl Fn(&str) -> Option<String>,
) -> anyhow::Result<Option<EngineSettings>> {
    if !(need.always || options.enrich || policy.enrich) {
        return Ok(None);
    }
    let cache = bomscout_net::cache::cache_dir(cache_dir).context(
        "enrichment keeps its answers in the cache directory: give --cache-dir DIR or set \
         BOMSCOUT_CACHE_DIR",
    )?;
    let mut endpoints = Endpoints::from_env(&var);
    for (name, url) in &options.urls.given {
        if !(url.starts_with("http://") || url.starts_with("https://")) {
            bail!(
                "--{name}-url {}: not an http(s) URL",
                bomscout_core::escape::quote(url, bomscout_core::escape::QUOTE_LIMIT)
            );
        }
        endpoints.set(name, url).map_err(anyhow::Error::msg)?;
    }
    let only = if !options.enrich_sources.is_empty() {
        Some(checked_sources(
            &options.enrich_sources,
            "--enrich-sources",
        )?)
    } else if let Some(sources) = &policy.sources {
        Some(checked_sources(sources, "the policy's [enrich] sources")?)
    } else {
        None
    };
    let mut settings =
        EngineSettings::new(cache, bomscout_net::user_agent(env!("CARGO_PKG_VERSION")));
    settings.endpoints = endpoints;
    settings.only = only;
    let timeout = options
        .enrich_timeout
        .or(policy.timeout)
        .unwrap_or(DEFAULT_TIMEOUT_SECS);
    settings.timeout = Duration::from_secs(timeout);
    if let Some(days) = policy.ttl_days {
        settings.ttl = Duration::from_secs(days.saturating_mul(86_400));
    }
    if let Some(n) = policy.concurrency {
        settings.concurrency = n.max(1);
    }
    settings.offline = options.offline;
    settings.latest = need.latest;
    Ok(Some(settings))
}

/// Source names, each checked against [`NAMES`]: a typo must not silently ask nothing.
fn checked_sources(names: &[String], what: &str) -> anyhow::Result<Vec<String>> {
    let mut out = Vec::new();
    for name in names {
        let name = name.trim().to_ascii_lowercase();
        if name.is_empty() {
            continue;
        }
        if !NAMES.contains(&name.as_str()) {
            bail!(
                "{what}: unknown enrichment source {}; the sources are {}",
                bomscout_core::escape::quote(&name, bomscout_core::escape::QUOTE_LIMIT),
                NAMES.join(", ")
            );
        }
        if !out.contains(&name) {
            out.push(name);
        }
    }
    if out.is_empty() {
        bail!("{what}: no source named; leave it out to ask every source");
    }
    Ok(out)
}

/// The line printed after an enriched scan: "enriched 245 of 298 components (12 requests,
/// 233 from cache); 53 not enriched: deps.dev timed out".
pub fn summary(outcome: &Outcome, offline: bool) -> String {
    let mut line = format!(
        "enriched {} of {} component{} ({} request{}, {} from cache{})",
        outcome.enriched,
        outcome.packages,
        plural(outcome.packages),
        outcome.requests,
        plural(outcome.requests),
        outcome.from_cache,
        if offline { "; offline" } else { "" },
    );
    for s in &outcome.shortfalls {
        line.push_str(&format!("; {} not enriched: {}", s.packages, s.reason));
    }
    line
}

/// What enrichment did over many scans (an `inventory` run: one engine, many
/// repositories).
#[derive(Debug, Default)]
pub struct Totals {
    scans: usize,
    components: usize,
    enriched: usize,
    requests: usize,
    from_cache: usize,
    shortfalls: std::collections::BTreeMap<String, usize>,
}

impl Totals {
    /// Counts one scan's outcome.
    pub fn add(&mut self, outcome: &Outcome) {
        self.scans += 1;
        self.components += outcome.packages;
        self.enriched += outcome.enriched;
        self.requests += outcome.requests;
        self.from_cache += outcome.from_cache;
        for s in &outcome.shortfalls {
            *self.shortfalls.entry(s.reason.clone()).or_default() += s.packages;
        }
    }

    /// "enriched 80 of 100 components in 3 repositories (12 requests, 88 from cache)..."
    pub fn summary(&self, offline: bool) -> String {
        let mut line = format!(
            "enriched {} of {} component{} in {} repositor{} ({} request{}, {} from cache{})",
            self.enriched,
            self.components,
            plural(self.components),
            self.scans,
            if self.scans == 1 { "y" } else { "ies" },
            self.requests,
            plural(self.requests),
            self.from_cache,
            if offline { "; offline" } else { "" },
        );
        for (reason, n) in &self.shortfalls {
            line.push_str(&format!("; {n} not enriched: {reason}"));
        }
        line
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

/// Prints [`summary`] to stderr unless `quiet`.
#[allow(clippy::print_stderr)]
pub fn print_summary(outcome: Option<&Outcome>, offline: bool, quiet: bool) {
    if let Some(outcome) = outcome.filter(|_| !quiet) {
        eprintln!("bomscout: {}", printable(&summary(outcome, offline)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    #[derive(Debug, Parser)]
    struct Probe {
        #[command(flatten)]
        enrich: EnrichOptions,
    }

    fn parse(args: &[&str]) -> EnrichOptions {
        Probe::try_parse_from(std::iter::once("probe").chain(args.iter().copied()))
            .unwrap()
            .enrich
    }

    fn resolve(
        options: &EnrichOptions,
        policy: &FromPolicy,
        env: &[(&str, &str)],
    ) -> Option<EngineSettings> {
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        settings(
            options,
            Some(Path::new("/nonexistent/cache")),
            policy,
            Need::default(),
            |k| env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone()),
        )
        .unwrap()
    }

    #[test]
    fn nothing_asks_nothing_is_built() {
        assert!(resolve(&parse(&[]), &FromPolicy::default(), &[]).is_none());
        // --offline alone asks for nothing either.
        assert!(resolve(&parse(&["--offline"]), &FromPolicy::default(), &[]).is_none());
    }

    #[test]
    fn every_source_has_a_url_option() {
        for name in NAMES {
            let flag = format!("--{name}-url");
            let o = parse(&["--enrich", &flag, "http://127.0.0.1:9/x"]);
            let s = resolve(&o, &FromPolicy::default(), &[]).unwrap();
            assert_eq!(s.endpoints.url(name), "http://127.0.0.1:9/x", "{name}");
        }
    }

    #[test]
    fn flag_beats_env_beats_policy_beats_default() {
        let policy = FromPolicy {
            enrich: true,
            timeout: Some(5),
            sources: Some(vec!["npm".into()]),
            ..FromPolicy::default()
        };
        let env = [("BOMSCOUT_NPM_URL", "http://127.0.0.1:1/env")];
        let s = resolve(&parse(&[]), &policy, &env).unwrap();
        assert_eq!(s.timeout, Duration::from_secs(5));
        assert_eq!(s.only, Some(vec!["npm".to_string()]));
        assert_eq!(s.endpoints.url("npm"), "http://127.0.0.1:1/env");
        let o = parse(&[
            "--enrich-timeout",
            "7",
            "--enrich-sources",
            "depsdev,pypi",
            "--npm-url",
            "http://127.0.0.1:1/flag",
        ]);
        let s = resolve(&o, &policy, &env).unwrap();
        assert_eq!(s.timeout, Duration::from_secs(7));
        assert_eq!(
            s.only,
            Some(vec!["depsdev".to_string(), "pypi".to_string()])
        );
        assert_eq!(s.endpoints.url("npm"), "http://127.0.0.1:1/flag");
        let s = resolve(&parse(&["--enrich"]), &FromPolicy::default(), &[]).unwrap();
        assert_eq!(s.timeout, Duration::from_secs(DEFAULT_TIMEOUT_SECS));
        assert!(s.only.is_none());
        assert!(s.endpoints.url("npm").starts_with("https://"));
    }

    #[test]
    fn offline_holds_even_when_the_policy_asks() {
        let policy = FromPolicy {
            enrich: true,
            ..FromPolicy::default()
        };
        let s = resolve(&parse(&["--offline"]), &policy, &[]).unwrap();
        assert!(s.offline);
    }

    #[test]
    fn unknown_sources_and_urls_are_refused() {
        let o = parse(&["--enrich", "--enrich-sources", "npm,nmp"]);
        let err = settings(
            &o,
            Some(Path::new("/x")),
            &FromPolicy::default(),
            Need::default(),
            |_| None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("\"nmp\"") && err.contains("npm, pypi"),
            "{err}"
        );
        let o = parse(&["--enrich", "--npm-url", "ftp://x"]);
        assert!(settings(
            &o,
            Some(Path::new("/x")),
            &FromPolicy::default(),
            Need::default(),
            |_| None
        )
        .is_err());
    }
}
