//! The enrichment engine end to end: fake sources (some answering over HTTP from the
//! loopback server, so the real client, retries and budget are exercised; some in-process),
//! the shared cache, and what lands on the SBOM.
#![allow(clippy::unwrap_used, clippy::print_stderr)]

use bomscout_core::Scorecard;
use bomscout_core::{Component, Ecosystem, License, Sbom, Silent, SourceKind};
use bomscout_enrich::testing::{Canned, Request, Server};
use bomscout_enrich::{
    Answer, Cache, Coordinates, Enricher, Facts, FoundLicense, Http, Level, Settings, Source,
    SourceError,
};
use std::collections::HashMap;
use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

// ---------------------------------------------------------------------------------------
// Fake sources

/// A source that asks the loopback server: `GET {base}/{name}/{full_name}@{version}` for a
/// version, `GET {base}/{name}/{full_name}` for a package, `GET {base}/{name}/project/{repo
/// without https://}` for a project; each body is a `Facts` as JSON. With `batch > 1`,
/// versions are asked `POST {base}/{name}/batch` with a JSON list of purls, answered by a
/// list of `Facts` or `null`.
struct Web {
    name: &'static str,
    kind: SourceKind,
    base: String,
    batch: usize,
    ecosystems: Vec<Ecosystem>,
}

impl Web {
    fn new(name: &'static str, kind: SourceKind, server: &Server) -> Web {
        Web {
            name,
            kind,
            base: server.url(),
            batch: 1,
            ecosystems: vec![Ecosystem::Npm, Ecosystem::PyPI],
        }
    }

    fn get(&self, http: &Http, url: String) -> Result<Answer, SourceError> {
        match http.get_json::<Facts>(&url, "fake test API")? {
            Some(mut facts) => {
                facts.url = url;
                Ok(Answer::found(facts))
            }
            None => Ok(Answer::NotFound { url }),
        }
    }
}

impl Source for Web {
    fn name(&self) -> &'static str {
        self.name
    }
    fn kind(&self) -> SourceKind {
        self.kind
    }
    fn supports(&self, ecosystem: Ecosystem) -> bool {
        self.ecosystems.contains(&ecosystem)
    }
    fn batch_size(&self) -> usize {
        self.batch
    }
    fn versions(&self, http: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        if self.batch > 1 {
            let url = format!("{}/{}/batch", self.base, self.name);
            let purls: Vec<String> = packages.iter().map(Coordinates::purl).collect();
            return match http.post_json::<_, Vec<Option<Facts>>>(&url, &purls, "fake batch API") {
                Ok(Some(list)) => list
                    .into_iter()
                    .map(|f| {
                        Ok(match f {
                            Some(mut f) => {
                                f.url = url.clone();
                                Answer::found(f)
                            }
                            None => Answer::NotFound { url: url.clone() },
                        })
                    })
                    .collect(),
                Ok(None) => packages
                    .iter()
                    .map(|_| Ok(Answer::NotFound { url: url.clone() }))
                    .collect(),
                Err(e) => {
                    let message = e.to_string();
                    let timed_out = e.is_out_of_time();
                    let mut first = Some(e);
                    packages
                        .iter()
                        .map(|_| {
                            Err(first.take().unwrap_or_else(|| {
                                if timed_out {
                                    SourceError::Net(bomscout_net::NetError::OutOfTime {
                                        url: url.clone(),
                                    })
                                } else {
                                    SourceError::Unaskable(message.clone())
                                }
                            }))
                        })
                        .collect()
                }
            };
        }
        packages
            .iter()
            .map(|c| {
                let version = c.version.as_deref().unwrap_or("");
                self.get(
                    http,
                    format!("{}/{}/{}@{version}", self.base, self.name, c.full_name()),
                )
            })
            .collect()
    }
    fn packages(
        &self,
        http: &Http,
        packages: &[Coordinates],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        Some(
            packages
                .iter()
                .map(|c| {
                    self.get(
                        http,
                        format!("{}/{}/{}", self.base, self.name, c.full_name()),
                    )
                })
                .collect(),
        )
    }
    fn projects(
        &self,
        http: &Http,
        repositories: &[String],
    ) -> Option<Vec<Result<Answer, SourceError>>> {
        Some(
            repositories
                .iter()
                .map(|r| {
                    let repo = r.trim_start_matches("https://");
                    self.get(http, format!("{}/{}/project/{repo}", self.base, self.name))
                })
                .collect(),
        )
    }
}

/// A source answering instantly from a table (purl → facts), counting the questions.
struct Table {
    name: &'static str,
    kind: SourceKind,
    facts: HashMap<String, Facts>,
    asked: Arc<AtomicUsize>,
}

impl Source for Table {
    fn name(&self) -> &'static str {
        self.name
    }
    fn kind(&self) -> SourceKind {
        self.kind
    }
    fn supports(&self, _: Ecosystem) -> bool {
        true
    }
    fn versions(&self, _: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        packages
            .iter()
            .map(|c| {
                self.asked.fetch_add(1, Ordering::SeqCst);
                let purl = c.purl();
                Ok(match self.facts.get(&purl) {
                    Some(f) => Answer::found(f.clone()),
                    None => Answer::NotFound {
                        url: format!("table:{purl}"),
                    },
                })
            })
            .collect()
    }
}

// ---------------------------------------------------------------------------------------
// Helpers

fn settings(cache: &Path) -> Settings {
    let mut s = Settings::new(cache.to_path_buf(), "bomscout-test".into());
    s.timeout = Duration::from_secs(20);
    s
}

fn npm(name: &str, version: &str) -> Component {
    Component::new(Ecosystem::Npm, None, name, version).unwrap()
}

fn sbom(components: Vec<Component>) -> Sbom {
    Sbom {
        name: "test".into(),
        projects: Vec::new(),
        components,
        dependencies: Vec::new(),
        diagnostics: Vec::new(),
        vulnerabilities: Vec::new(),
    }
}

fn json(facts: &Facts) -> Canned {
    Canned::json(serde_json::to_vec(facts).unwrap())
}

fn licensed(raw: &str) -> Facts {
    Facts {
        licenses: vec![FoundLicense {
            raw: raw.into(),
            field: "license".into(),
            confidence: None,
        }],
        ..Facts::default()
    }
}

fn messages(sbom: &Sbom) -> Vec<String> {
    sbom.diagnostics.iter().map(|d| d.message.clone()).collect()
}

fn paths(server: &Server) -> Vec<String> {
    server
        .requests()
        .iter()
        .map(|r: &Request| r.path.clone())
        .collect()
}

// ---------------------------------------------------------------------------------------
// What lands on the SBOM

/// Two sources over HTTP: the registry says ISC where the lockfile declares MIT (a
/// conflict), deps.dev agrees with MIT written the other way round and names a repository
/// whose scorecard it knows.
fn two_sources_server() -> Server {
    Server::start(|req| {
        let mut registry = licensed("ISC");
        registry.supplier = Some("Jane Doe".into());
        registry.published = Some("2020-01-02".into());
        let mut deps = licensed("MIT");
        deps.repository = Some("https://github.com/o/left-pad".into());
        deps.supplier = Some("o".into());
        let project = Facts {
            scorecard: Some(Scorecard {
                score: 4.5,
                date: Some("2026-11-30".into()),
                failing: Vec::new(),
            }),
            archived: Some(true),
            ..Facts::default()
        };
        match req.path.as_str() {
            "/npm/left-pad@1.3.0" => json(&registry),
            "/depsdev/left-pad@1.3.0" => json(&deps),
            "/depsdev/project/github.com/o/left-pad" => json(&project),
            "/depsdev/dual@2.0.0" => json(&licensed("Apache-2.0 OR MIT")),
            _ => Canned::not_found(),
        }
    })
}

fn two_sources(server: &Server) -> Vec<Box<dyn Source>> {
    // Given deps.dev first: the engine orders by precedence, not by the order given.
    vec![
        Box::new(Web::new("depsdev", SourceKind::DepsDev, server)),
        Box::new(Web::new("npm", SourceKind::Registry, server)),
    ]
}

#[test]
fn answers_become_evidence_supplier_health_and_conflicts() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    let enricher = Enricher::with_sources(settings(dir.path()), two_sources(&server)).unwrap();
    assert_eq!(enricher.source_names(), ["npm", "depsdev"]);
    let mut pad = npm("left-pad", "1.3.0");
    let mut declared = License::declared("MIT", "package-lock.json", "license");
    declared.expression = Some("MIT".into());
    pad.add_license(declared);
    let mut dual = npm("dual", "2.0.0");
    let mut both = License::declared("MIT OR Apache-2.0", "package-lock.json", "license");
    both.expression = Some("MIT OR Apache-2.0".into());
    dual.add_license(both);
    let mut doc = sbom(vec![dual, pad]);
    let outcome = enricher.enrich(&mut doc, &Silent);

    assert_eq!(outcome.packages, 2);
    assert_eq!(outcome.enriched, 2);
    assert!(outcome.shortfalls.is_empty(), "{:?}", outcome.shortfalls);
    let url = server.url();
    let pad = &doc.components[1];
    let kinds: Vec<(SourceKind, &str, Option<&str>)> = pad
        .licenses
        .iter()
        .map(|l| {
            (
                l.source.kind,
                l.source.path.as_str(),
                l.expression.as_deref(),
            )
        })
        .collect();
    let npm_url = format!("{url}/npm/left-pad@1.3.0");
    let deps_url = format!("{url}/depsdev/left-pad@1.3.0");
    assert_eq!(
        kinds,
        [
            (SourceKind::Declared, "package-lock.json", Some("MIT")),
            (SourceKind::Registry, npm_url.as_str(), Some("ISC")),
            (SourceKind::DepsDev, deps_url.as_str(), Some("MIT")),
        ]
    );
    // Local evidence still decides.
    let strongest = License::strongest(&pad.licenses);
    assert_eq!(strongest.len(), 1);
    assert_eq!(strongest[0].source.kind, SourceKind::Declared);
    // The supplier of the first answer by precedence (the registry), with its URL.
    assert_eq!(pad.properties.get("supplier").unwrap(), "Jane Doe");
    assert_eq!(pad.properties.get("supplier-source").unwrap(), &npm_url);
    let health = pad.health.as_ref().unwrap();
    assert_eq!(
        health.repository.as_deref(),
        Some("https://github.com/o/left-pad")
    );
    assert_eq!(health.published.as_deref(), Some("2020-01-02"));
    assert_eq!(health.scorecard.as_ref().unwrap().score, 4.5);
    assert_eq!(health.archived, Some(true));
    assert_eq!(
        health.sources,
        [
            npm_url.clone(),
            deps_url.clone(),
            format!("{url}/depsdev/project/github.com/o/left-pad")
        ]
    );
    // One conflict: the registry's ISC; deps.dev's MIT and dual's reordered OR agree.
    let conflicts: Vec<String> = messages(&doc)
        .into_iter()
        .filter(|m| m.contains(" but "))
        .collect();
    assert_eq!(
        conflicts,
        [format!(
            "pkg:npm/left-pad@1.3.0: package-lock.json declares MIT but the npm registry ({npm_url}) says ISC"
        )]
    );
}

#[test]
fn sources_that_disagree_with_each_other_are_reported_without_local_evidence() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    let enricher = Enricher::with_sources(settings(dir.path()), two_sources(&server)).unwrap();
    let mut doc = sbom(vec![npm("left-pad", "1.3.0")]);
    enricher.enrich(&mut doc, &Silent);
    let url = server.url();
    assert_eq!(
        messages(&doc),
        [format!(
            "pkg:npm/left-pad@1.3.0: the npm registry ({url}/npm/left-pad@1.3.0) says ISC but deps.dev ({url}/depsdev/left-pad@1.3.0) says MIT"
        )]
    );
}

#[test]
fn a_supplier_already_known_is_kept() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    let enricher = Enricher::with_sources(settings(dir.path()), two_sources(&server)).unwrap();
    let mut pad = npm("left-pad", "1.3.0");
    pad.properties
        .insert("supplier".into(), "Local Corp".into());
    let mut doc = sbom(vec![pad]);
    enricher.enrich(&mut doc, &Silent);
    assert_eq!(
        doc.components[0].properties.get("supplier").unwrap(),
        "Local Corp"
    );
    assert!(!doc.components[0].properties.contains_key("supplier-source"));
}

// ---------------------------------------------------------------------------------------
// Planning, memory and cache

#[test]
fn each_purl_is_asked_once_and_only_of_sources_that_know_its_ecosystem() {
    let server = Server::start(|_| json(&licensed("MIT")));
    let dir = tempfile::tempdir().unwrap();
    let mut web = Web::new("npm", SourceKind::Registry, &server);
    web.ecosystems = vec![Ecosystem::Npm];
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    // The same package listed twice (two projects' copies of one component), and a crate
    // the source does not know, and an unresolved component.
    let mut twice = npm("a", "1.0.0");
    twice
        .locations
        .insert(bomscout_core::Location::new("one/package-lock.json"));
    let crate_ = Component::new(Ecosystem::Cargo, None, "serde", "1.0.0").unwrap();
    let unresolved = Component::unresolved(Ecosystem::Npm, None, "b", "^1").unwrap();
    let mut doc = sbom(vec![twice.clone(), twice, crate_, unresolved]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(paths(&server), ["/npm/a@1.0.0"]);
    assert_eq!(outcome.packages, 2);
    assert_eq!(outcome.requests, 1);
    assert_eq!(outcome.enriched, 2);
    assert!(doc.components[2].licenses.is_empty());
}

#[test]
fn git_dependencies_are_not_asked_about() {
    let server = Server::start(|_| json(&licensed("MIT")));
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let git = Component::with_qualifiers(
        Ecosystem::Npm,
        None,
        "a",
        "1.0.0",
        &[("vcs_url", "git+https://example.invalid/a.git")],
    )
    .unwrap();
    let mut doc = sbom(vec![git]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(server.count(), 0);
    assert_eq!(outcome.packages, 0);
}

#[test]
fn batches_follow_the_sources_batch_size() {
    let server = Server::start(|req| {
        let purls: Vec<String> = serde_json::from_slice(&req.body).unwrap();
        let answers: Vec<Option<Facts>> = purls
            .iter()
            .map(|p| (!p.contains("missing")).then(|| licensed("MIT")))
            .collect();
        Canned::json(serde_json::to_vec(&answers).unwrap())
    });
    let dir = tempfile::tempdir().unwrap();
    let mut web = Web::new("clearlydefined", SourceKind::ClearlyDefined, &server);
    web.batch = 3;
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let mut components: Vec<Component> = (0..6).map(|i| npm(&format!("p{i}"), "1.0.0")).collect();
    components.push(npm("missing", "1.0.0"));
    let mut doc = sbom(components);
    let outcome = enricher.enrich(&mut doc, &Silent);
    let requests = server.requests();
    assert_eq!(requests.len(), 3, "7 packages in batches of 3");
    assert!(requests.iter().all(|r| r.method == "POST"));
    let mut sizes: Vec<usize> = requests
        .iter()
        .map(|r| {
            serde_json::from_slice::<Vec<String>>(&r.body)
                .unwrap()
                .len()
        })
        .collect();
    sizes.sort();
    assert_eq!(sizes, [1, 3, 3]);
    assert_eq!(outcome.enriched, 6);
    assert!(doc
        .components
        .iter()
        .find(|c| c.name == "missing")
        .unwrap()
        .licenses
        .is_empty());
}

#[test]
fn a_second_run_of_the_same_tree_makes_no_request() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    let tree = || sbom(vec![npm("left-pad", "1.3.0"), npm("unknown", "0.1.0")]);
    let mut first = tree();
    {
        let enricher = Enricher::with_sources(settings(dir.path()), two_sources(&server)).unwrap();
        let outcome = enricher.enrich(&mut first, &Silent);
        assert!(outcome.requests > 0);
    }
    let before = server.count();
    // A new engine (a new process): answers come from the cache file, found and not found.
    let enricher = Enricher::with_sources(settings(dir.path()), two_sources(&server)).unwrap();
    let mut second = tree();
    let outcome = enricher.enrich(&mut second, &Silent);
    assert_eq!(server.count(), before, "{:?}", &paths(&server)[before..]);
    assert_eq!(outcome.requests, 0);
    assert_eq!(outcome.from_cache, before);
    assert_eq!(first.components, second.components);
    assert_eq!(first.diagnostics, second.diagnostics);
}

#[test]
fn one_engine_asks_once_per_run_even_without_a_cache() {
    let server = Server::start(|_| json(&licensed("MIT")));
    let dir = tempfile::tempdir().unwrap();
    // A corrupt cache file: the engine goes on without it, and says so.
    let path = Cache::path_in(dir.path());
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(
        &path,
        b"this is not a database, not even close to one; 0123456789abcdef".repeat(100),
    )
    .unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    assert!(enricher.cache_problem().unwrap().contains("facts.sqlite"));
    // Two repositories of an inventory run sharing a package.
    let mut one = sbom(vec![npm("shared", "1.0.0"), npm("only-one", "1.0.0")]);
    let mut two = sbom(vec![npm("shared", "1.0.0")]);
    enricher.enrich(&mut one, &Silent);
    let outcome = enricher.enrich(&mut two, &Silent);
    assert_eq!(server.count(), 2);
    assert_eq!(outcome.requests, 0);
    assert_eq!(outcome.from_cache, 1);
    assert_eq!(two.components[0].licenses.len(), 1);
    let warnings = messages(&two);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(
        warnings[0].contains("enriching without the cache"),
        "{warnings:?}"
    );
    assert!(warnings[0].contains("delete the file"), "{warnings:?}");
}

#[test]
fn offline_opens_no_connection_and_uses_the_cache() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    {
        let enricher = Enricher::with_sources(settings(dir.path()), two_sources(&server)).unwrap();
        enricher.enrich(&mut sbom(vec![npm("left-pad", "1.3.0")]), &Silent);
    }
    let online = server.connections();
    let mut s = settings(dir.path());
    s.offline = true;
    let enricher = Enricher::with_sources(s, two_sources(&server)).unwrap();
    let mut doc = sbom(vec![npm("left-pad", "1.3.0"), npm("never-seen", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(server.connections(), online, "offline opened a connection");
    assert_eq!(outcome.requests, 0);
    let pad = doc
        .components
        .iter()
        .find(|c| c.name == "left-pad")
        .unwrap();
    assert_eq!(pad.licenses.len(), 2);
    assert_eq!(
        pad.health
            .as_ref()
            .unwrap()
            .scorecard
            .as_ref()
            .unwrap()
            .score,
        4.5
    );
    let reasons: Vec<String> = outcome.shortfalls.iter().map(|s| s.to_string()).collect();
    assert_eq!(
        reasons,
        [
            "1 component not enriched: npm: not in the cache, and --offline forbids asking",
            "1 component not enriched: depsdev: not in the cache, and --offline forbids asking",
        ]
    );
}

#[test]
fn offline_with_a_fresh_cache_dir_never_connects() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.offline = true;
    let enricher = Enricher::with_sources(s, two_sources(&server)).unwrap();
    let outcome = enricher.enrich(&mut sbom(vec![npm("left-pad", "1.3.0")]), &Silent);
    assert_eq!(server.connections(), 0);
    assert_eq!(outcome.shortfalls.len(), 2);
}

#[test]
fn not_found_answers_expire_found_versions_do_not() {
    let server = Server::routes(vec![("/npm/a@1.0.0".into(), json(&licensed("MIT")))]);
    let dir = tempfile::tempdir().unwrap();
    let run = |ttl: Duration| {
        let mut s = settings(dir.path());
        s.ttl = ttl;
        let web = Web::new("npm", SourceKind::Registry, &server);
        let enricher = Enricher::with_sources(s, vec![Box::new(web)]).unwrap();
        enricher.enrich(
            &mut sbom(vec![npm("a", "1.0.0"), npm("gone", "1.0.0")]),
            &Silent,
        )
    };
    assert_eq!(run(Duration::from_secs(3600)).requests, 2);
    assert_eq!(run(Duration::from_secs(3600)).requests, 0);
    // With no time to live, the "not found" is asked again; the found version is not.
    assert_eq!(run(Duration::ZERO).requests, 1);
    assert_eq!(paths(&server).last().unwrap(), "/npm/gone@1.0.0");
}

#[test]
fn only_restricts_the_sources() {
    let server = two_sources_server();
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.only = Some(vec!["depsdev".into()]);
    let enricher = Enricher::with_sources(s, two_sources(&server)).unwrap();
    assert_eq!(enricher.source_names(), ["depsdev"]);
    let mut s = settings(dir.path());
    s.only = Some(vec!["nmp".into()]);
    let err = Enricher::new(s).unwrap_err().to_string();
    assert!(err.contains("unknown enrichment source \"nmp\""), "{err}");
}

// ---------------------------------------------------------------------------------------
// `vet`

#[test]
fn lookup_of_a_versionless_package_asks_for_its_latest_release_first() {
    let server = Server::start(|req| match req.path.as_str() {
        "/npm/left-pad" => json(&Facts {
            latest_version: Some("1.3.0".into()),
            latest_release: Some("2018-04-09".into()),
            ..Facts::default()
        }),
        "/npm/left-pad@1.3.0" => json(&licensed("WTFPL")),
        "/npm/left-pad@1.0.0" => json(&licensed("MIT")),
        _ => Canned::not_found(),
    });
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let gathered = enricher.lookup(&[
        Coordinates::from_purl("pkg:npm/left-pad").unwrap(),
        Coordinates::from_purl("pkg:npm/left-pad@1.0.0").unwrap(),
        Coordinates::from_purl("pkg:npm/nobody").unwrap(),
    ]);
    assert_eq!(gathered.len(), 3);
    assert_eq!(gathered[0].coordinates.purl(), "pkg:npm/left-pad@1.3.0");
    let facts: Vec<&Facts> = gathered[0]
        .answers
        .iter()
        .filter_map(|a| a.answer.facts())
        .collect();
    assert_eq!(facts.len(), 2);
    assert_eq!(facts[0].latest_release.as_deref(), Some("2018-04-09"));
    assert_eq!(facts[1].licenses[0].raw, "WTFPL");
    assert_eq!(gathered[1].coordinates.purl(), "pkg:npm/left-pad@1.0.0");
    // The package-level answer was asked for once, and serves both.
    assert_eq!(gathered[1].answers.len(), 2);
    let latest = gathered[1].answers[0].answer.facts().unwrap();
    assert_eq!(latest.latest_version.as_deref(), Some("1.3.0"));
    let version = gathered[1].answers[1].answer.facts().unwrap();
    assert_eq!(version.licenses[0].raw, "MIT");
    assert_eq!(server.count(), 4);
    assert_eq!(gathered[2].coordinates.version, None);
    assert!(matches!(
        gathered[2].answers[0].answer,
        Answer::NotFound { .. }
    ));
    assert!(gathered.iter().all(|g| g.failures.is_empty()));
}

// ---------------------------------------------------------------------------------------
// Hostile and failing services

#[test]
fn server_errors_are_retried_until_an_answer() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = {
        let calls = Arc::clone(&calls);
        Server::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
            0 | 1 => Canned::status(500),
            _ => json(&licensed("MIT")),
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(server.count(), 3);
    assert_eq!(outcome.requests, 1, "retries are not counted as requests");
    assert_eq!(outcome.enriched, 1);
    assert!(doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
}

#[test]
fn persistent_server_errors_are_a_shortfall_naming_the_url() {
    let server = Server::start(|_| Canned::status(503));
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0"), npm("b", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(server.count(), 6, "3 attempts each");
    assert_eq!(outcome.shortfalls.len(), 1);
    let text = outcome.shortfalls[0].to_string();
    assert!(
        text.starts_with("2 components not enriched: npm: "),
        "{text}"
    );
    assert!(
        text.contains("/npm/a@1.0.0") || text.contains("/npm/b@1.0.0"),
        "{text}"
    );
    assert!(text.contains("503"), "{text}");
    assert!(text.contains("(and 1 other errors)"), "{text}");
    assert_eq!(messages(&doc), [text]);
    // Failures are not cached: the next run asks again.
    let enricher = Enricher::with_sources(
        settings(dir.path()),
        vec![Box::new(Web::new("npm", SourceKind::Registry, &server))],
    )
    .unwrap();
    assert_eq!(
        enricher
            .enrich(&mut sbom(vec![npm("a", "1.0.0")]), &Silent)
            .requests,
        1
    );
}

#[test]
fn retry_after_is_honoured() {
    let calls = Arc::new(AtomicUsize::new(0));
    let server = {
        let calls = Arc::clone(&calls);
        Server::start(move |_| match calls.fetch_add(1, Ordering::SeqCst) {
            0 => Canned::status(429).header("Retry-After", "1"),
            _ => json(&licensed("MIT")),
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let gap = requests[1].at.duration_since(requests[0].at);
    eprintln!("gap between the 429 and the retry: {gap:?}");
    assert!(gap >= Duration::from_millis(950), "{gap:?}");
    assert_eq!(outcome.enriched, 1);
}

#[test]
fn a_service_that_never_answers_ends_within_the_budget_and_says_so() {
    let server = Server::start(|_| json(&licensed("MIT")).delayed(Duration::from_secs(30)));
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.timeout = Duration::from_secs(2);
    s.concurrency = 2;
    let web = Web::new("depsdev", SourceKind::DepsDev, &server);
    let enricher = Enricher::with_sources(s, vec![Box::new(web)]).unwrap();
    let components: Vec<Component> = (0..10).map(|i| npm(&format!("p{i}"), "1.0.0")).collect();
    let mut doc = sbom(components);
    let start = Instant::now();
    let outcome = enricher.enrich(&mut doc, &Silent);
    let took = start.elapsed();
    eprintln!("a dead service with a 2 s budget took {took:?}");
    assert!(took < Duration::from_secs(4), "{took:?}");
    assert_eq!(server.count(), 2, "no request started past the deadline");
    let reasons: Vec<String> = outcome.shortfalls.iter().map(|s| s.to_string()).collect();
    assert_eq!(reasons, ["10 components not enriched: depsdev timed out"]);
    assert_eq!(messages(&doc), reasons);
    // The same engine does not ask a source that ran out of time again.
    let start = Instant::now();
    let again = enricher.enrich(&mut sbom(vec![npm("q", "1.0.0")]), &Silent);
    assert!(start.elapsed() < Duration::from_secs(1));
    assert_eq!(server.count(), 2);
    assert_eq!(
        again.shortfalls[0].to_string(),
        "1 component not enriched: depsdev timed out"
    );
}

#[test]
fn malformed_json_is_a_diagnostic_naming_the_url() {
    let server = Server::start(|_| Canned::json(&b"{\"licenses\": [oops"[..]));
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    let text = outcome.shortfalls[0].to_string();
    let url = format!("{}/npm/a@1.0.0", server.url());
    assert!(text.contains(&url), "{text}");
    assert!(text.contains("not the JSON expected"), "{text}");
    assert!(
        text.contains("is the URL a fake test API endpoint?"),
        "{text}"
    );
    assert_eq!(server.count(), 1, "a malformed answer is not retried");
}

#[test]
fn a_redirect_loop_is_an_error_not_a_hang() {
    let server = Server::start(|req| Canned::status(302).header("Location", &req.path.clone()));
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let start = Instant::now();
    let outcome = enricher.enrich(&mut sbom(vec![npm("a", "1.0.0")]), &Silent);
    assert!(start.elapsed() < Duration::from_secs(5));
    let text = outcome.shortfalls[0].to_string();
    assert!(text.contains("redirect"), "{text}");
    assert!(server.count() <= 11, "{}", server.count());
}

#[test]
fn a_50_mb_body_is_refused_at_the_limit() {
    let body = vec![b' '; 50 * 1024 * 1024];
    let server = Server::start(move |_| Canned::json(body.clone()));
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let outcome = enricher.enrich(&mut sbom(vec![npm("a", "1.0.0")]), &Silent);
    let text = outcome.shortfalls[0].to_string();
    assert!(text.contains("exceeds 33554432 bytes"), "{text}");
    assert_eq!(server.count(), 1, "too large is not retried");
}

/// A source that panics: a bug in one source must not take the scan down.
struct Panics;

impl Source for Panics {
    fn name(&self) -> &'static str {
        "panics"
    }
    fn kind(&self) -> SourceKind {
        SourceKind::Registry
    }
    fn supports(&self, _: Ecosystem) -> bool {
        true
    }
    fn versions(&self, _: &Http, _: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        panic!("a bug")
    }
}

#[test]
fn a_panicking_source_is_a_shortfall() {
    let dir = tempfile::tempdir().unwrap();
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(Panics)]).unwrap();
    let outcome = enricher.enrich(&mut sbom(vec![npm("a", "1.0.0")]), &Silent);
    assert_eq!(
        outcome.shortfalls[0].to_string(),
        "1 component not enriched: panics: the source failed unexpectedly (a bug)"
    );
}

// ---------------------------------------------------------------------------------------
// Several processes sharing the cache

const CHILD_ENV: &str = "BOMSCOUT_ENGINE_TEST_CHILD_CACHE";
const ROWS: usize = 1000;

/// Writes `ROWS` answers of `who`, one transaction each, plus an enrichment run.
fn write_rows(dir: &Path, who: &str) {
    eprintln!("{who} starts at {:?}", std::time::SystemTime::now());
    let cache = Cache::open(&Cache::path_in(dir), Duration::from_secs(3600)).unwrap();
    for i in 0..ROWS {
        let answer = Answer::found(licensed("MIT"));
        cache
            .put(&[bomscout_enrich::cache::Row {
                source: "npm",
                level: Level::Version,
                key: &format!("pkg:npm/{who}-{i}@1.0.0"),
                answer: &answer,
            }])
            .unwrap();
    }
    let facts: HashMap<String, Facts> = (0..ROWS)
        .map(|i| (format!("pkg:npm/{who}-e{i}@1.0.0"), licensed("MIT")))
        .collect();
    let table = Table {
        name: "table",
        kind: SourceKind::Registry,
        facts,
        asked: Arc::new(AtomicUsize::new(0)),
    };
    let enricher = Enricher::with_sources(settings(dir), vec![Box::new(table)]).unwrap();
    assert_eq!(enricher.cache_problem(), None);
    let components = (0..ROWS)
        .map(|i| npm(&format!("{who}-e{i}"), "1.0.0"))
        .collect();
    let mut doc = sbom(components);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(outcome.enriched, ROWS);
    // No "database is locked" (nor any other cache failure) surfaced.
    assert!(doc.diagnostics.is_empty(), "{:?}", doc.diagnostics);
    eprintln!("{who} done at {:?}", std::time::SystemTime::now());
}

/// The second process of `two_processes_share_the_cache` (does nothing when run alone).
#[test]
fn child_process_writer() {
    if let Some(dir) = std::env::var_os(CHILD_ENV) {
        write_rows(Path::new(&dir), "child");
    }
}

#[test]
fn two_processes_share_the_cache() {
    let dir = tempfile::tempdir().unwrap();
    let child = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "child_process_writer",
            "--exact",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir.path())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Meanwhile, two threads of this process with their own connections.
    std::thread::scope(|s| {
        s.spawn(|| write_rows(dir.path(), "parent-a"));
        s.spawn(|| write_rows(dir.path(), "parent-b"));
    });
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    eprintln!("the child said: {}", stderr.trim());
    assert!(out.status.success(), "{stdout}\n{stderr}");
    assert!(
        stdout.contains("1 passed"),
        "the child did not run: {stdout}"
    );
    assert!(
        !stderr.contains("locked") && !stdout.contains("locked"),
        "{stdout}\n{stderr}"
    );
    let cache = Cache::open(&Cache::path_in(dir.path()), Duration::from_secs(3600)).unwrap();
    for who in ["child", "parent-a", "parent-b"] {
        for i in 0..ROWS {
            let key = format!("pkg:npm/{who}-{i}@1.0.0");
            assert!(
                cache.get("npm", Level::Version, &key).unwrap().is_some(),
                "{key} lost"
            );
            let key = format!("pkg:npm/{who}-e{i}@1.0.0");
            assert!(
                cache.get("table", Level::Version, &key).unwrap().is_some(),
                "{key} lost"
            );
        }
    }
}

#[test]
fn a_cache_that_fails_during_the_run_is_reported_and_the_run_goes_on() {
    let server = Server::start(|_| json(&licensed("MIT")));
    let dir = tempfile::tempdir().unwrap();
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    assert_eq!(enricher.cache_problem(), None);
    // Another process breaks the file after this one opened it.
    let other = rusqlite::Connection::open(Cache::path_in(dir.path())).unwrap();
    other.execute_batch("DROP TABLE answers").unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(outcome.enriched, 1);
    let warnings = messages(&doc);
    assert_eq!(warnings.len(), 1, "{warnings:?}");
    assert!(warnings[0].contains("no such table"), "{warnings:?}");
    assert!(warnings[0].contains("asked for again"), "{warnings:?}");
    assert!(doc.diagnostics[0].path.ends_with("facts.sqlite"));
}

#[test]
fn a_scorecard_service_that_times_out_is_a_shortfall_too() {
    let server = Server::start(|req| match req.path.as_str() {
        "/depsdev/a@1.0.0" => json(&Facts {
            repository: Some("https://github.com/o/a".into()),
            ..licensed("MIT")
        }),
        _ => json(&Facts::default()).delayed(Duration::from_secs(30)),
    });
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.timeout = Duration::from_secs(2);
    let web = Web::new("depsdev", SourceKind::DepsDev, &server);
    let enricher = Enricher::with_sources(s, vec![Box::new(web)]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    assert_eq!(doc.components[0].licenses.len(), 1);
    let reasons: Vec<String> = outcome.shortfalls.iter().map(|s| s.to_string()).collect();
    assert_eq!(reasons, ["1 component not enriched: depsdev timed out"]);
}

#[test]
fn an_enricher_can_be_shared_between_threads() {
    fn shared<T: Send + Sync>() {}
    shared::<Enricher>();
}

#[test]
fn connections_are_reused_and_concurrency_is_bounded() {
    let in_flight = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let server = {
        let (in_flight, most) = (Arc::clone(&in_flight), Arc::clone(&most));
        Server::start(move |_| {
            let now = in_flight.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(Duration::from_millis(100));
            in_flight.fetch_sub(1, Ordering::SeqCst);
            json(&licensed("MIT"))
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let mut s = settings(dir.path());
    s.concurrency = 3;
    let web = Web::new("npm", SourceKind::Registry, &server);
    let enricher = Enricher::with_sources(s, vec![Box::new(web)]).unwrap();
    let components: Vec<Component> = (0..24).map(|i| npm(&format!("p{i}"), "1.0.0")).collect();
    let outcome = enricher.enrich(&mut sbom(components), &Silent);
    assert_eq!(outcome.requests, 24);
    assert_eq!(outcome.enriched, 24);
    assert_eq!(most.load(Ordering::SeqCst), 3, "requests in flight at most");
    assert!(
        server.connections() <= 3,
        "{} connections for 24 requests",
        server.connections()
    );
}

#[test]
fn offline_does_not_report_scorecards_a_source_never_gives() {
    let dir = tempfile::tempdir().unwrap();
    let mut with_repo = licensed("MIT");
    with_repo.repository = Some("https://github.com/o/a".into());
    let table = || Table {
        name: "table",
        kind: SourceKind::Registry,
        facts: HashMap::from([("pkg:npm/a@1.0.0".to_string(), with_repo.clone())]),
        asked: Arc::new(AtomicUsize::new(0)),
    };
    let mut s = settings(dir.path());
    s.latest = true;
    let online = Enricher::with_sources(s.clone(), vec![Box::new(table())]).unwrap();
    assert!(online
        .enrich(&mut sbom(vec![npm("a", "1.0.0")]), &Silent)
        .shortfalls
        .is_empty());
    s.offline = true;
    let offline = Enricher::with_sources(s, vec![Box::new(table())]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = offline.enrich(&mut doc, &Silent);
    assert!(outcome.shortfalls.is_empty(), "{:?}", outcome.shortfalls);
    assert_eq!(doc.components[0].licenses.len(), 1);
}

#[test]
fn only_the_source_that_ran_out_of_time_is_said_to_have_timed_out() {
    // deps.dev never answers; the registry answers at once and names a repository, whose
    // scorecard questions come after the budget is spent. The registry has no scorecards
    // (its `projects` is `None`): it did not time out, and is not said to have.
    let server = Server::start(|_| json(&licensed("MIT")).delayed(Duration::from_secs(30)));
    let dir = tempfile::tempdir().unwrap();
    let mut with_repo = licensed("MIT");
    with_repo.repository = Some("https://github.com/o/a".into());
    let table = Table {
        name: "table",
        kind: SourceKind::Registry,
        facts: HashMap::from([("pkg:npm/a@1.0.0".to_string(), with_repo)]),
        asked: Arc::new(AtomicUsize::new(0)),
    };
    let mut s = settings(dir.path());
    s.timeout = Duration::from_secs(1);
    let slow = Web::new("depsdev", SourceKind::DepsDev, &server);
    let enricher = Enricher::with_sources(s, vec![Box::new(slow), Box::new(table)]).unwrap();
    let mut doc = sbom(vec![npm("a", "1.0.0")]);
    let outcome = enricher.enrich(&mut doc, &Silent);
    let reasons: Vec<String> = outcome.shortfalls.iter().map(|s| s.to_string()).collect();
    assert_eq!(reasons, ["1 component not enriched: depsdev timed out"]);
    assert_eq!(doc.components[0].licenses.len(), 1);
    assert_eq!(server.count(), 1, "no request past the deadline");
    // A later call of the same engine: deps.dev is not asked again, the registry is.
    let mut later = sbom(vec![npm("a", "1.0.0"), npm("b", "1.0.0")]);
    let outcome = enricher.enrich(&mut later, &Silent);
    assert_eq!(server.count(), 1);
    let reasons: Vec<String> = outcome.shortfalls.iter().map(|s| s.to_string()).collect();
    assert_eq!(reasons, ["2 components not enriched: depsdev timed out"]);
}

/// A source that refuses every package with a message naming it.
struct Refuses;

impl Source for Refuses {
    fn name(&self) -> &'static str {
        "refuses"
    }
    fn kind(&self) -> SourceKind {
        SourceKind::Registry
    }
    fn supports(&self, _: Ecosystem) -> bool {
        true
    }
    fn versions(&self, _: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        packages
            .iter()
            .map(|c| {
                Err(SourceError::Unaskable(format!(
                    "cannot ask about {}",
                    c.name
                )))
            })
            .collect()
    }
}

#[test]
fn failure_messages_cannot_drive_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(Refuses)]).unwrap();
    let mut hostile = npm("x", "1.0.0");
    hostile.name = "x\u{1b}[2J\r".into();
    let outcome = enricher.enrich(&mut sbom(vec![hostile]), &Silent);
    assert_eq!(
        outcome.shortfalls[0].to_string(),
        "1 component not enriched: refuses: cannot ask about x\\x1b[2J\\r"
    );
}

#[test]
fn a_50_mb_body_without_a_length_is_cut_at_the_limit() {
    use std::io::{Read, Write};
    // A raw server: no Content-Length, the body streamed until the client hangs up.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let sent = Arc::new(AtomicUsize::new(0));
    let server = {
        let sent = Arc::clone(&sent);
        std::thread::spawn(move || {
            let (mut stream, _) = listener.accept().unwrap();
            let mut head = Vec::new();
            let mut byte = [0u8; 1];
            while !head.ends_with(b"\r\n\r\n") && stream.read(&mut byte).unwrap_or(0) == 1 {
                head.push(byte[0]);
            }
            let _ = stream.write_all(
                b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n\r\n",
            );
            let chunk = vec![b' '; 1024 * 1024];
            for _ in 0..50 {
                if stream.write_all(&chunk).is_err() {
                    break;
                }
                sent.fetch_add(chunk.len(), Ordering::SeqCst);
            }
        })
    };
    let dir = tempfile::tempdir().unwrap();
    let web = Web {
        name: "npm",
        kind: SourceKind::Registry,
        base,
        batch: 1,
        ecosystems: vec![Ecosystem::Npm],
    };
    let enricher = Enricher::with_sources(settings(dir.path()), vec![Box::new(web)]).unwrap();
    let outcome = enricher.enrich(&mut sbom(vec![npm("a", "1.0.0")]), &Silent);
    let text = outcome.shortfalls[0].to_string();
    assert!(text.contains("exceeds 33554432 bytes"), "{text}");
    drop(enricher);
    server.join().unwrap();
    // The client stopped reading at the limit: the server could not send everything.
    assert!(
        sent.load(Ordering::SeqCst) < 50 * 1024 * 1024,
        "{}",
        sent.load(Ordering::SeqCst)
    );
}
