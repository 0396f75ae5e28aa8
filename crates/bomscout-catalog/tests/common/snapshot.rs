//! The shared fixture tester: parse a fixture file the way a scan would, render what the
//! parser found as plain text, and compare it with the snapshot committed in
//! `tests/snapshots/` (`insta`; on CI a difference or a missing snapshot fails the test).
//!
//! The rendering is meant to be read in a review: one block per project and per package,
//! one line per fact, in the parser's own order (which is part of what is tested: output is
//! deterministic). Scope and `direct` are the ones the SBOM builder computes over the
//! graph, as every writer sees them; absolute paths under the fixtures directory are shown
//! as `<fixtures>/…` so a snapshot does not depend on the checkout's location.

use bomscout_core::escape::printable;
use bomscout_core::{Catalog, Cataloger, Component, Edge, License, NodeRef, SbomBuilder};
use std::fmt::Write;
use std::path::PathBuf;

/// The fixtures directory (the repository's `fixtures/`).
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Parses `fixtures/<rel>` with `cataloger` and checks the rendering against the snapshot
/// named after the file (`tests/snapshots/<rel with / as __>.snap`). Returns the catalog so
/// the caller can go on with the explicit assertions that carry meaning.
pub fn assert_fixture(cataloger: Cataloger, rel: &str) -> Catalog {
    let catalog = super::catalog(cataloger, rel);
    assert_rendered(rel, &catalog);
    catalog
}

/// For the `corrupt/` fixtures: parses `fixtures/<rel>` with `cataloger` and checks what it
/// gave, a catalog (with its diagnostics) or the error (its message and line, which a
/// user sees), against the snapshot named after the file. Returns the parse result.
pub fn assert_fixture_outcome(
    cataloger: Cataloger,
    rel: &str,
) -> Result<Catalog, bomscout_catalog::ParseError> {
    let result = super::malformed::parse_bytes(cataloger, rel, &super::fixture(rel));
    let text = match &result {
        Ok(catalog) => render(catalog),
        Err(e) => {
            let line = e.line().map(|l| l.to_string());
            format!(
                "error: {}\nline: {}\n",
                show(&e.to_string()),
                line.as_deref().unwrap_or("(none)")
            )
        }
    };
    assert_text(rel, redact(&text));
    result
}

/// A scenario of several files of one format (an installed tree's records): parses each
/// of `rels` (sorted here) and checks their renderings, one after the other under the
/// file's name, against the one snapshot called `name`.
pub fn assert_scenario(name: &str, cataloger: Cataloger, rels: &[String]) -> Vec<Catalog> {
    let mut rels = rels.to_vec();
    rels.sort();
    let mut text = String::new();
    let mut catalogs = Vec::new();
    for rel in &rels {
        let catalog = super::catalog(cataloger, rel);
        let _ = writeln!(text, "## {rel}\n{}", render(&catalog));
        catalogs.push(catalog);
    }
    assert_text(name, text);
    catalogs
}

/// Checks the rendering of `catalog` against the snapshot called `name`.
pub fn assert_rendered(name: &str, catalog: &Catalog) {
    assert_text(name, render(catalog));
}

fn assert_text(name: &str, text: String) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/snapshots"));
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.set_input_file(fixtures_dir().join(name));
    settings.bind(|| insta::assert_snapshot!(name, text));
}

/// A stable, readable text form of everything `catalog` holds.
pub fn render(catalog: &Catalog) -> String {
    let mut builder = SbomBuilder::new("snapshot");
    builder.add(catalog.clone());
    let sbom = builder.finish();

    let mut out = String::new();
    let _ = writeln!(out, "projects: {}", catalog.projects.len());
    for p in &catalog.projects {
        let _ = writeln!(out, "- project {} ({})", show(&p.dir), show(&p.manifest));
        line(&mut out, "name", p.name.as_deref());
        line(&mut out, "version", p.version.as_deref());
        line(&mut out, "purl", p.purl.as_ref().map(|u| u.as_str()));
        licenses(&mut out, &p.licenses);
        edges(&mut out, catalog, &p.deps);
    }
    let _ = writeln!(out, "packages: {}", catalog.packages.len());
    for p in &catalog.packages {
        let c = &p.component;
        let key = c.key();
        let _ = writeln!(out, "- {}", show(&key));
        component(&mut out, c);
        match sbom.component(&key) {
            Some(built) => {
                let direct = if built.direct { ", direct" } else { "" };
                let _ = writeln!(out, "    scope: {}{direct}", built.scope);
            }
            None => out.push_str("    scope: (not in the SBOM)\n"),
        }
        edges(&mut out, catalog, &p.deps);
    }
    let _ = writeln!(out, "diagnostics: {}", catalog.diagnostics.len());
    for d in &catalog.diagnostics {
        let _ = writeln!(out, "- {d}");
    }
    redact(&out)
}

fn component(out: &mut String, c: &Component) {
    line(out, "ecosystem", Some(c.ecosystem.as_str()));
    line(out, "namespace", c.namespace.as_deref());
    line(out, "name", Some(&c.name));
    line(out, "version", c.version.as_deref());
    line(out, "requirement", c.requirement.as_deref());
    licenses(out, &c.licenses);
    for h in &c.hashes {
        let _ = writeln!(out, "    hash: {} {}", h.alg.as_str(), h.value);
    }
    for copyright in &c.copyrights {
        let _ = writeln!(
            out,
            "    copyright: {} [{}]",
            show(&copyright.text),
            show(&copyright.path)
        );
    }
    for notice in &c.notices {
        let _ = writeln!(
            out,
            "    notice: {} ({} bytes)",
            show(&notice.path),
            notice.text.len()
        );
    }
    for l in &c.locations {
        let _ = writeln!(out, "    at: {}", show(&l.to_string()));
    }
    for (k, v) in &c.properties {
        let v = if v.is_empty() { "\"\"" } else { v };
        let _ = writeln!(out, "    property: {} = {}", show(k), show(v));
    }
}

fn licenses(out: &mut String, licenses: &[License]) {
    for l in licenses {
        let kind = l.source.kind.as_str();
        let _ = write!(
            out,
            "    license: {} [{kind}: {} {}]",
            show(&l.raw),
            show(&l.source.path),
            show(&l.source.field)
        );
        if let Some(e) = &l.expression {
            let _ = write!(out, " = {}", show(e));
        }
        if let Some(c) = l.confidence {
            let _ = write!(out, " confidence {c:.2}");
        }
        out.push('\n');
    }
}

fn edges(out: &mut String, catalog: &Catalog, deps: &[Edge]) {
    for e in deps {
        let to = match e.to {
            NodeRef::Package(i) => match catalog.packages.get(i) {
                Some(p) => show(&p.component.key()),
                None => format!("<no package {i}>"),
            },
            NodeRef::Project(i) => match catalog.projects.get(i) {
                Some(p) => format!("project {}", show(&p.dir)),
                None => format!("<no project {i}>"),
            },
        };
        let kind = format!("{:?}", e.kind).to_lowercase();
        let _ = writeln!(out, "    -> {kind} {to}");
    }
}

fn line(out: &mut String, field: &str, value: Option<&str>) {
    if let Some(v) = value {
        let v = if v.is_empty() { "\"\"" } else { v };
        let _ = writeln!(out, "    {field}: {}", show(v));
    }
}

fn show(s: &str) -> String {
    printable(s).into_owned()
}

/// Absolute paths of the checkout become `<fixtures>/…`.
fn redact(text: &str) -> String {
    let fixtures = fixtures_dir();
    let mut text = text.to_string();
    for form in [
        fixtures.display().to_string(),
        fixtures
            .canonicalize()
            .map(|p| p.display().to_string())
            .unwrap_or_default(),
    ] {
        if !form.is_empty() {
            text = text.replace(&form, "<fixtures>");
        }
    }
    text
}

/// Every file called `name` under `fixtures/<dir>` (recursively), as fixture-relative
/// paths, sorted: the records of an installed tree, for [`assert_scenario`].
pub fn files_named(dir: &str, name: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut todo = vec![dir.to_string()];
    while let Some(rel) = todo.pop() {
        let entries = std::fs::read_dir(fixtures_dir().join(&rel))
            .unwrap_or_else(|e| panic!("fixtures/{rel}: {e}"));
        for entry in entries {
            let entry = entry.unwrap_or_else(|e| panic!("fixtures/{rel}: {e}"));
            let child = format!("{rel}/{}", entry.file_name().to_string_lossy());
            let kind = entry
                .file_type()
                .unwrap_or_else(|e| panic!("fixtures/{child}: {e}"));
            if kind.is_dir() {
                todo.push(child);
            } else if entry.file_name() == name {
                found.push(child);
            }
        }
    }
    found.sort();
    found
}
