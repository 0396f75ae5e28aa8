//! Hand-built SBOMs for the SPDX and NOTICE writer tests: every shape a scan can produce
//! (scoped npm names, PyPI, Cargo, unresolved ranges, every edge kind, every kind of license
//! statement, hashes, several projects), built through the real `SbomBuilder`.

#![allow(dead_code)] // Each test binary uses part of this module.

use bomscout_core::{
    Catalog, Component, DepKind, Ecosystem, Hash, HashAlg, License, Location, Project, Sbom,
    SbomBuilder, SourceKind,
};
use bomscout_report::{write, Format, Settings};

/// A license statement as the license stage leaves it (`expression` filled when it parsed).
pub fn lic(raw: &str, expr: Option<&str>, kind: SourceKind, path: &str, field: &str) -> License {
    let mut l = License::of_kind(raw, path, field, kind);
    l.expression = expr.map(str::to_string);
    l
}

fn declared(raw: &str, expr: Option<&str>, path: &str) -> License {
    lic(raw, expr, SourceKind::Declared, path, "license")
}

fn comp(eco: Ecosystem, ns: Option<&str>, name: &str, version: &str, path: &str) -> Component {
    Component::new(eco, ns, name, version)
        .unwrap()
        .at(Location::new(path))
}

fn npm_catalog() -> Catalog {
    let lock = "package-lock.json";
    let mut cat = Catalog::default();

    let mut babel = comp(Ecosystem::Npm, Some("@babel"), "core", "7.24.0", lock);
    babel.add_hash(Hash::hex(HashAlg::Sha512, &"ab".repeat(64)).unwrap());
    babel.add_hash(Hash::hex(HashAlg::Sha1, &"cd".repeat(20)).unwrap());
    babel.add_license(declared("MIT", Some("MIT"), lock));
    babel.properties.insert(
        "resolved".into(),
        "https://registry.example.invalid/@babel/core/-/core-7.24.0.tgz".into(),
    );
    babel.add_copyright(
        "Copyright (c) 2014-present Sebastian McKenzie and other contributors",
        "node_modules/@babel/core/LICENSE",
    );
    let mut debug = comp(Ecosystem::Npm, None, "debug", "4.3.4", lock);
    debug.add_license(declared("MIT", Some("MIT"), lock));
    let mut ms = comp(Ecosystem::Npm, None, "ms", "2.1.2", lock);
    ms.add_license(declared("MIT", Some("MIT"), lock));
    let mut lodash = comp(Ecosystem::Npm, None, "lodash", "4.17.21", lock);
    lodash.add_license(declared("MIT", Some("MIT"), lock));
    let mut fsevents = comp(Ecosystem::Npm, None, "fsevents", "2.3.3", lock);
    fsevents.add_license(declared("MIT", Some("MIT"), lock));
    fsevents
        .properties
        .insert("resolved".into(), "file:../vendored/fsevents".into());
    let left_pad = Component::unresolved(Ecosystem::Npm, None, "left-pad", "^1.3.0")
        .unwrap()
        .at(Location::at_line("package.json", 9));

    let babel = cat.add_package(babel);
    let debug = cat.add_package(debug);
    let ms = cat.add_package(ms);
    let lodash = cat.add_package(lodash);
    let fsevents = cat.add_package(fsevents);
    let left_pad = cat.add_package(left_pad);
    cat.add_edge(babel, debug, DepKind::Normal);
    cat.add_edge(debug, ms, DepKind::Peer);

    let mut app = Project::new(Ecosystem::Npm, lock);
    app.name = Some("app".into());
    app.version = Some("1.0.0".into());
    app.licenses
        .push(declared("UNLICENSED", None, "package.json"));
    app.add_dep(babel, DepKind::Normal);
    app.add_dep(lodash, DepKind::Dev);
    app.add_dep(fsevents, DepKind::Optional);
    app.add_dep(left_pad, DepKind::Normal);
    cat.add_project(app);
    cat
}

fn python_catalog() -> Catalog {
    let lock = "svc/poetry.lock";
    let mut cat = Catalog::default();
    let mut requests = comp(Ecosystem::PyPI, None, "requests", "2.31.0", lock);
    requests.add_hash(Hash::hex(HashAlg::Sha256, &"0f".repeat(32)).unwrap());
    requests.add_license(declared("Apache-2.0", Some("Apache-2.0"), lock));
    requests.add_license(lic(
        "License :: OSI Approved :: Apache Software License",
        Some("Apache-2.0"),
        SourceKind::Classifier,
        lock,
        "Classifier",
    ));
    let mut custom = comp(Ecosystem::PyPI, None, "Foo_Bar", "1.0", lock);
    custom.add_license(declared("Custom Corp License", None, lock));
    let mut legacy = comp(Ecosystem::PyPI, None, "legacy", "0.9", lock);
    legacy.add_license(lic(
        "Copyright (c) 2001 Legacy Authors\n\nPermission is granted to use this software.",
        None,
        SourceKind::File,
        "svc/.venv/lib/legacy-0.9.dist-info/LICENSE",
        "LICENSE",
    ));
    let mut curated = comp(Ecosystem::PyPI, None, "curated", "2.0", lock);
    curated.add_license(declared("BSD", None, lock));
    curated.add_license(lic(
        "BSD-3-Clause",
        Some("BSD-3-Clause"),
        SourceKind::Curation,
        "policy.toml",
        "curations",
    ));
    let pytest = comp(Ecosystem::PyPI, None, "pytest", "8.0.0", lock);

    let requests = cat.add_package(requests);
    let custom = cat.add_package(custom);
    let legacy = cat.add_package(legacy);
    let curated = cat.add_package(curated);
    let pytest = cat.add_package(pytest);
    let mut svc = Project::new(Ecosystem::PyPI, "svc/pyproject.toml");
    svc.name = Some("svc".into());
    svc.add_dep(requests, DepKind::Normal);
    svc.add_dep(custom, DepKind::Normal);
    svc.add_dep(legacy, DepKind::Optional);
    svc.add_dep(curated, DepKind::Normal);
    svc.add_dep(pytest, DepKind::Dev);
    cat.add_project(svc);
    cat
}

fn cargo_catalog() -> Catalog {
    let lock = "tool/Cargo.lock";
    let mut cat = Catalog::default();
    let mut serde = comp(Ecosystem::Cargo, None, "serde", "1.0.197", lock);
    serde.add_hash(Hash::hex(HashAlg::Sha256, &"12".repeat(32)).unwrap());
    serde.add_license(declared(
        "MIT OR Apache-2.0",
        Some("MIT OR Apache-2.0"),
        lock,
    ));
    let mut wasi = comp(Ecosystem::Cargo, None, "wasi", "0.11.0", lock);
    wasi.add_license(declared(
        "Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT",
        Some("Apache-2.0 WITH LLVM-exception OR Apache-2.0 OR MIT"),
        lock,
    ));
    let mut cc = comp(Ecosystem::Cargo, None, "cc", "1.0.83", lock);
    cc.add_license(declared(
        "MIT OR Apache-2.0",
        Some("MIT OR Apache-2.0"),
        lock,
    ));
    let mut odd = comp(Ecosystem::Cargo, None, "odd", "0.1.0", lock);
    odd.add_license(declared(
        "LicenseRef-Odd-1.0",
        Some("LicenseRef-Odd-1.0"),
        lock,
    ));

    let serde = cat.add_package(serde);
    let wasi = cat.add_package(wasi);
    let cc = cat.add_package(cc);
    let odd = cat.add_package(odd);
    cat.add_edge(serde, wasi, DepKind::Normal);
    let mut tool = Project::new(Ecosystem::Cargo, "tool/Cargo.toml");
    tool.name = Some("tool".into());
    tool.version = Some("0.3.0".into());
    tool.licenses
        .push(declared("MIT", Some("MIT"), "tool/Cargo.toml"));
    tool.add_dep(serde, DepKind::Normal);
    tool.add_dep(cc, DepKind::Build);
    tool.add_dep(odd, DepKind::Normal);
    cat.add_project(tool);
    cat
}

/// Three projects (npm, PyPI, Cargo) with every edge kind and license shape.
pub fn sample() -> Sbom {
    sample_in_order(false)
}

/// The same scan with its files read in the opposite order.
pub fn sample_reversed() -> Sbom {
    sample_in_order(true)
}

fn sample_in_order(reverse: bool) -> Sbom {
    let mut catalogs = vec![npm_catalog(), python_catalog(), cargo_catalog()];
    if reverse {
        catalogs.reverse();
    }
    let mut builder = SbomBuilder::new("monorepo");
    for c in catalogs {
        builder.add(c);
    }
    builder.finish()
}

/// An installed tree with no manifest: no project at all.
pub fn no_projects() -> Sbom {
    let mut cat = Catalog::default();
    let mut a = comp(
        Ecosystem::Npm,
        None,
        "a",
        "1.0.0",
        "node_modules/a/package.json",
    );
    a.add_license(declared("ISC", Some("ISC"), "node_modules/a/package.json"));
    let b = comp(
        Ecosystem::Npm,
        None,
        "b",
        "2.0.0",
        "node_modules/b/package.json",
    );
    let a = cat.add_package(a);
    let b = cat.add_package(b);
    cat.add_edge(a, b, DepKind::Normal);
    let mut builder = SbomBuilder::new("installed");
    builder.add(cat);
    builder.finish()
}

/// Metadata an attacker controls: line breaks, markup, characters outside every id
/// alphabet, license names that sanitize to the same id.
pub fn hostile() -> Sbom {
    let path = "evil/package-lock.json";
    let mut cat = Catalog::default();
    let mut a = comp(
        Ecosystem::Npm,
        None,
        "x\nSPDXID: SPDXRef-DOCUMENT",
        "1.0.0",
        path,
    );
    a.add_license(declared("Foo License", None, path));
    a.add_license(declared("Foo_License", None, path));
    a.add_license(lic(
        "evil</text>\nLicenseID: x",
        None,
        SourceKind::File,
        path,
        "LICENSE",
    ));
    a.add_copyright("(c) </text> <b>me</b>", "evil/LICENSE");
    let b = comp(Ecosystem::Npm, None, "名前", "2.0.0", path);
    let c = comp(Ecosystem::Npm, None, "名前", "3.0.0", path);
    let a = cat.add_package(a);
    let b = cat.add_package(b);
    let c = cat.add_package(c);
    let mut p = Project::new(Ecosystem::Npm, path);
    p.name = Some("| # *".into());
    p.add_dep(a, DepKind::Normal);
    p.add_dep(b, DepKind::Dev);
    p.add_dep(c, DepKind::Build);
    cat.add_project(p);
    let mut builder = SbomBuilder::new("");
    builder.add(cat);
    builder.finish()
}

/// Fixed settings: a known instant, so documents are comparable.
// Field by field, so that a new `Settings` field does not break the tests.
#[allow(clippy::field_reassign_with_default)]
pub fn settings() -> Settings {
    let mut settings = Settings::default();
    settings.timestamp = Some(1_709_683_200);
    settings.tool_version = "0.1.0".into();
    settings
}

/// Writes `sbom` in `format` with [`settings`].
pub fn render(format: Format, sbom: &Sbom) -> String {
    let mut out = Vec::new();
    write(format, sbom, &settings(), &mut out).unwrap();
    String::from_utf8(out).unwrap()
}

/// Every SBOM the tests check, by name.
pub fn all() -> Vec<(&'static str, Sbom)> {
    vec![
        ("sample", sample()),
        ("no-projects", no_projects()),
        ("hostile", hostile()),
    ]
}
