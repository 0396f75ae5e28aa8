//! Opens an advisory database and matches a list of components against it, timing both:
//! the measuring tool behind `bench/advisories.sh`.
//!
//! Usage: `match_sbom DB_DIR INDEX_DIR|- COMPONENTS.tsv`, where each line of the TSV is
//! `purl-type<TAB>namespace<TAB>name<TAB>version` (empty namespace for none). Prints one
//! line of `key=value` pairs.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use bomscout_advisory::{Database, Location, Options};
use bomscout_core::{Catalog, Component, DepKind, Ecosystem, Project, SbomBuilder};
use std::process::ExitCode;
use std::time::Instant;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [db, index, components] = &args[..] else {
        eprintln!("usage: match_sbom DB_DIR INDEX_DIR|- COMPONENTS.tsv");
        return ExitCode::from(2);
    };
    let text = match std::fs::read_to_string(components) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("{components}: {e}");
            return ExitCode::from(2);
        }
    };
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Generic, "bench/lock");
    for line in text.lines() {
        let f: Vec<&str> = line.split('\t').collect();
        let [ty, ns, name, version] = f[..] else {
            continue;
        };
        let ns = Some(ns).filter(|n| !n.is_empty());
        if let Ok(c) = Component::new(Ecosystem::from_purl_type(ty), ns, name, version) {
            let id = catalog.add_package(c);
            project.add_dep(id, DepKind::Normal);
        }
    }
    catalog.add_project(project);
    let mut builder = SbomBuilder::new("bench");
    builder.add(catalog);
    let sbom = builder.finish();
    let options = Options {
        index_dir: (index != "-").then(|| index.into()),
        ..Options::default()
    };
    let t0 = Instant::now();
    let database = match Database::open(&Location::path(db), &options) {
        Ok(d) => d,
        Err(e) => {
            eprintln!("{e}");
            return ExitCode::from(2);
        }
    };
    let opened = t0.elapsed();
    let t1 = Instant::now();
    let matched = database.match_sbom(&sbom);
    let matching = t1.elapsed();
    let records: u64 = database.status().iter().map(|s| s.records).sum();
    let affects: usize = matched
        .vulnerabilities
        .iter()
        .map(|v| v.affects.len())
        .sum();
    println!(
        "components={} records={} open_s={:.3} match_s={:.3} vulnerabilities={} findings={} diagnostics={}",
        sbom.components.len(),
        records,
        opened.as_secs_f64(),
        matching.as_secs_f64(),
        matched.vulnerabilities.len(),
        affects,
        database.diagnostics().len() + matched.diagnostics.len()
    );
    for d in database.diagnostics().iter().chain(&matched.diagnostics) {
        eprintln!("{d}");
    }
    ExitCode::SUCCESS
}
