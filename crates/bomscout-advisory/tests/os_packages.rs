//! OS packages against OSV's Debian and Alpine records (`fixtures/advisories/debian`,
//! `fixtures/advisories/alpine`; SOURCES.md there): a real Syft SBOM of a Debian 9 image
//! (`fixtures/os-advisories/postgres-stretch.cdx.xml`) matched through its purls' `distro`
//! and `upstream` qualifiers, and OSV's export layout (`Debian/all.zip` holding every release).

use bomscout_advisory::{Database, Location, Options};
use bomscout_core::vuln::Vulnerability;
use bomscout_core::{Catalog, Component, Ecosystem, Project, Sbom, SbomBuilder, Severity};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

fn sbom_of(catalog: Catalog) -> Sbom {
    let mut builder = SbomBuilder::new("image");
    builder.add(catalog);
    builder.finish()
}

/// `(id, component key, fixed)` of every finding, sorted.
fn findings(vulns: &[Vulnerability]) -> Vec<(String, String, Option<String>)> {
    let mut out: Vec<_> = vulns
        .iter()
        .flat_map(|v| {
            v.affects
                .iter()
                .map(|a| (v.advisory.id.clone(), a.component.clone(), a.fixed.clone()))
        })
        .collect();
    out.sort();
    out
}

fn debian9_sbom() -> Sbom {
    let path = fixtures().join("os-advisories/postgres-stretch.cdx.xml");
    let bytes = std::fs::read(&path).unwrap();
    let options = bomscout_catalog::Options::default();
    let root = path.parent().unwrap();
    let input = bomscout_catalog::Input {
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from("postgres-stretch.cdx.xml"),
        abs: &path,
        root,
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    let doc = bomscout_catalog::sbom::read(&input).expect("the SBOM reads");
    sbom_of(doc.catalog)
}

#[test]
fn a_debian_9_sbom_is_matched_by_source_package_and_release() {
    let db = Database::open(
        &Location::path(fixtures().join("advisories")),
        &Options::default(),
    )
    .unwrap();
    let m = db.match_sbom(&debian9_sbom());
    // The image's gosu binary brings Go modules, which the Go records match too.
    let got: Vec<_> = findings(&m.vulnerabilities)
        .into_iter()
        .filter(|(_, key, _)| key.starts_with("pkg:deb/"))
        .collect();
    let key = |s: &str| s.to_string();
    let want = vec![
        (
            key("DLA-3008-1"),
            key("pkg:deb/debian/libssl1.1@1.1.0l-1~deb9u5?arch=amd64&upstream=openssl&distro=debian-9"),
            Some(key("1.1.0l-1~deb9u6")),
        ),
        (
            key("DLA-3008-1"),
            key("pkg:deb/debian/openssl@1.1.0l-1~deb9u5?arch=amd64&distro=debian-9"),
            Some(key("1.1.0l-1~deb9u6")),
        ),
        (
            key("DLA-3012-1"),
            key("pkg:deb/debian/libxml2@2.9.4+dfsg1-2.2+deb9u6?arch=amd64&distro=debian-9"),
            Some(key("2.9.4+dfsg1-2.2+deb9u7")),
        ),
        (
            key("DLA-3022-1"),
            key("pkg:deb/debian/dpkg@1.18.25?arch=amd64&distro=debian-9"),
            Some(key("1.18.26")),
        ),
        (
            key("DLA-3051-1"),
            key("pkg:deb/debian/tzdata@2021a-0+deb9u3?arch=all&distro=debian-9"),
            Some(key("2021a-0+deb9u4")),
        ),
    ];
    assert_eq!(got, want, "{:#?}", m.diagnostics);
    assert!(
        !m.diagnostics
            .iter()
            .any(|d| d.message.contains("no distro release")),
        "every package of the SBOM has its release: {:#?}",
        m.diagnostics
    );
}

/// `Debian/all.zip` as OSV's export holds it: every release's records in one file.
fn write_export(dir: &Path, ecosystem: &str, records: &[&str]) {
    let path = dir.join(ecosystem).join("all.zip");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let opts = zip::write::SimpleFileOptions::default();
    for rel in records {
        let p = fixtures().join("advisories").join(rel);
        let name = p.file_name().unwrap().to_str().unwrap().to_string();
        zip.start_file(name, opts).unwrap();
        zip.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    zip.finish().unwrap();
}

fn os_component(
    eco: Ecosystem,
    ns: &str,
    name: &str,
    version: &str,
    distro: Option<&str>,
    source: Option<&str>,
) -> Component {
    let mut q = vec![("arch", "x86_64")];
    if let Some(d) = distro {
        q.push(("distro", d));
    }
    let mut c = Component::with_qualifiers(eco, Some(ns), name, version, &q).unwrap();
    if let Some(s) = source {
        c.properties.insert("source".into(), s.into());
    }
    c
}

fn sbom(components: Vec<Component>) -> Sbom {
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Generic, "lib/apk/db/installed");
    for c in components {
        let id = catalog.add_package(c);
        project.add_dep(id, bomscout_core::DepKind::Normal);
    }
    catalog.add_project(project);
    sbom_of(catalog)
}

#[test]
fn exports_of_every_release_are_looked_up_per_release() {
    let dir = tempfile::tempdir().unwrap();
    write_export(
        dir.path(),
        "Debian",
        &[
            "debian/DEBIAN-CVE-2024-3094.json",
            "debian/DEBIAN-CVE-2025-31115.json",
            "debian/DLA-3022-1.json",
        ],
    );
    write_export(dir.path(), "Alpine", &["alpine/ALPINE-CVE-2025-26519.json"]);
    let db = Database::open(&Location::path(dir.path()), &Options::default()).unwrap();
    let s = sbom(vec![
        // Debian 12's liblzma5 (source xz-utils) at Debian 12's fix of CVE-2025-31115; the
        // CVE-2024-3094 range includes it but is Debian 13's and 14's.
        os_component(
            Ecosystem::Deb,
            "debian",
            "liblzma5",
            "5.4.1-1",
            Some("debian-12"),
            Some("xz-utils"),
        ),
        // The same version in Debian 13 is affected by both.
        os_component(
            Ecosystem::Deb,
            "debian",
            "liblzma5",
            "5.4.1-1",
            Some("debian-13"),
            Some("xz-utils"),
        ),
        // Debian 9's dpkg before DLA-3022-1's fix.
        os_component(
            Ecosystem::Deb,
            "debian",
            "dpkg",
            "1.18.25",
            Some("debian-9"),
            None,
        ),
        // Alpine 3.19's musl, before 3.19's fix (its subpackage too, by origin).
        os_component(
            Ecosystem::Apk,
            "alpine",
            "musl-utils",
            "1.2.4_git20230717-r4",
            Some("alpine-3.19.1"),
            Some("musl"),
        ),
        // The same musl in Alpine 3.18 is past 3.18's fix.
        os_component(
            Ecosystem::Apk,
            "alpine",
            "musl",
            "1.2.4_git20230717-r4",
            Some("alpine-3.18.1"),
            Some("musl"),
        ),
        // No release: not matched, and said.
        os_component(
            Ecosystem::Apk,
            "alpine",
            "musl",
            "1.1.14-r10",
            None,
            Some("musl"),
        ),
    ]);
    let m = db.match_sbom(&s);
    let got = findings(&m.vulnerabilities);
    let key = |s: &str| s.to_string();
    assert_eq!(
        got,
        vec![
            (
                key("ALPINE-CVE-2025-26519"),
                key("pkg:apk/alpine/musl-utils@1.2.4_git20230717-r4?arch=x86_64&distro=alpine-3.19.1"),
                Some(key("1.2.4_git20230717-r5")),
            ),
            (
                key("DEBIAN-CVE-2024-3094"),
                key("pkg:deb/debian/liblzma5@5.4.1-1?arch=x86_64&distro=debian-13"),
                Some(key("5.6.1+really5.4.5-1")),
            ),
            (
                key("DEBIAN-CVE-2025-31115"),
                key("pkg:deb/debian/liblzma5@5.4.1-1?arch=x86_64&distro=debian-13"),
                Some(key("5.8.1-1")),
            ),
            (
                key("DLA-3022-1"),
                key("pkg:deb/debian/dpkg@1.18.25?arch=x86_64&distro=debian-9"),
                Some(key("1.18.26")),
            ),
        ]
    );
    let warning = m
        .diagnostics
        .iter()
        .find(|d| d.message.contains("no distro release"))
        .expect("the release-less package is said");
    assert_eq!(warning.severity, Severity::Warning);
    assert!(
        warning.message.starts_with("1 OS package(s)"),
        "{}",
        warning.message
    );
}
