//! The engine's own cost per 1,000 distinct package URLs, with a source that answers at
//! once (no network): planning, the cache, the worker threads, applying the answers.
//!
//! `cargo run -p bomscout-enrich --example engine_cost [PACKAGES] [SOURCES]`
//!
//! Prints, for a cold cache (a new cache file: every answer asked for and written), a warm
//! cache (a new engine on the same file: every answer read) and memory (the same engine a
//! second time, as in an `inventory` run), the time per 1,000 packages.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use bomscout_core::{Component, Ecosystem, Sbom, Silent, SourceKind};
use bomscout_enrich::{
    Answer, Coordinates, Enricher, Facts, FoundLicense, Http, Settings, Source, SourceError,
};
use std::time::Instant;

/// Answers every version at once with a license, a supplier and a repository.
struct Instant_ {
    name: &'static str,
    kind: SourceKind,
}

impl Source for Instant_ {
    fn name(&self) -> &'static str {
        self.name
    }
    fn kind(&self) -> SourceKind {
        self.kind
    }
    fn supports(&self, _: Ecosystem) -> bool {
        true
    }
    fn batch_size(&self) -> usize {
        if self.kind == SourceKind::Registry {
            1
        } else {
            100
        }
    }
    fn versions(&self, _: &Http, packages: &[Coordinates]) -> Vec<Result<Answer, SourceError>> {
        packages
            .iter()
            .map(|c| {
                Ok(Answer::found(Facts {
                    url: format!("http://127.0.0.1:9/{}/{}", self.name, c.purl()),
                    licenses: vec![FoundLicense {
                        raw: "MIT".into(),
                        field: "license".into(),
                        confidence: None,
                    }],
                    supplier: Some("someone".into()),
                    repository: Some(format!("https://github.com/o/{}", c.name)),
                    ..Facts::default()
                }))
            })
            .collect()
    }
}

fn sources(n: usize) -> Vec<Box<dyn Source>> {
    let all = [
        ("npm", SourceKind::Registry),
        ("clearlydefined", SourceKind::ClearlyDefined),
        ("depsdev", SourceKind::DepsDev),
    ];
    all.iter()
        .take(n)
        .map(|(name, kind)| Box::new(Instant_ { name, kind: *kind }) as Box<dyn Source>)
        .collect()
}

fn main() {
    let mut args = std::env::args().skip(1);
    let packages: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let n_sources: usize = args.next().and_then(|a| a.parse().ok()).unwrap_or(3);
    let dir = tempfile::tempdir().unwrap();
    let tree = || Sbom {
        name: "bench".into(),
        projects: Vec::new(),
        components: (0..packages)
            .map(|i| Component::new(Ecosystem::Npm, None, &format!("p{i}"), "1.0.0").unwrap())
            .collect(),
        dependencies: Vec::new(),
        diagnostics: Vec::new(),
        vulnerabilities: Vec::new(),
    };
    let settings = || Settings::new(dir.path().to_path_buf(), "bomscout-bench".into());
    let per_1000 = |secs: f64| secs * 1000.0 / packages as f64 * 1000.0;

    let cold = Enricher::with_sources(settings(), sources(n_sources)).unwrap();
    let mut sbom = tree();
    let t = Instant::now();
    let outcome = cold.enrich(&mut sbom, &Silent);
    let cold_secs = t.elapsed().as_secs_f64();
    assert_eq!(outcome.enriched, packages);

    let memo_t = Instant::now();
    cold.enrich(&mut tree(), &Silent);
    let memo_secs = memo_t.elapsed().as_secs_f64();

    let warm = Enricher::with_sources(settings(), sources(n_sources)).unwrap();
    let t = Instant::now();
    let outcome = warm.enrich(&mut tree(), &Silent);
    let warm_secs = t.elapsed().as_secs_f64();
    assert_eq!(outcome.requests, 0);
    assert_eq!(outcome.enriched, packages);

    println!(
        "{packages} packages, {n_sources} sources: cold cache {:.1} ms per 1,000, warm cache {:.1} ms per 1,000, same engine again {:.1} ms per 1,000",
        per_1000(cold_secs),
        per_1000(warm_secs),
        per_1000(memo_secs)
    );
}
