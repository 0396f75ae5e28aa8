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
    l.expression = expr.map(Into::into);
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
        ("vulnerable", vulnerable()),
        ("hostile-findings", hostile_findings()),
        ("enriched", enriched()),
    ]
}

/// The sample after `--enrich`: suppliers (an organization, a person with an e-mail, a
/// hostile name), upkeep facts (a scorecard with failing checks, an archived repository, a
/// latest release), and licenses fetched online: one where nothing local was known, one
/// below a declared license.
pub fn enriched() -> Sbom {
    use bomscout_core::{Health, Scorecard, ScorecardCheck};
    let mut sbom = sample();
    let api = "https://api.example.invalid/v3/systems/npm/packages/lodash/versions/4.17.21";
    for c in &mut sbom.components {
        match c.name.as_str() {
            "lodash" => {
                c.properties
                    .insert("supplier".into(), "OpenJS Foundation".into());
                c.properties.insert("supplier-source".into(), api.into());
                c.health = Some(Box::new(Health {
                    repository: Some("https://github.com/lodash/lodash".into()),
                    scorecard: Some(Scorecard {
                        score: 3.2,
                        date: Some("2026-11-30".into()),
                        failing: vec![
                            ScorecardCheck {
                                name: "Maintained".into(),
                                score: 0,
                                reason: "0 commit(s) out of 30".into(),
                            },
                            ScorecardCheck {
                                name: "Code-Review".into(),
                                score: 2,
                                reason: String::new(),
                            },
                        ],
                    }),
                    archived: Some(false),
                    latest_version: Some("4.17.21".into()),
                    latest_release: Some("2021-02-20".into()),
                    published: Some("2021-02-20".into()),
                    sources: vec![api.into()],
                }));
                c.add_license(lic(
                    "MIT",
                    Some("MIT"),
                    SourceKind::DepsDev,
                    api,
                    "licenses",
                ));
            }
            "ms" => {
                c.properties.insert(
                    "supplier".into(),
                    "Guillermo Rauch <rauchg@example.org>".into(),
                );
                c.health = Some(Box::new(Health {
                    repository: Some("https://github.com/vercel/ms".into()),
                    archived: Some(true),
                    ..Default::default()
                }));
            }
            "debug" => {
                c.properties.insert(
                    "supplier".into(),
                    "Evil\nPackageName: forged </name> \"q\" (x)".into(),
                );
                c.health = Some(Box::new(Health {
                    repository: Some("not a url\n<x>".into()),
                    ..Default::default()
                }));
            }
            _ => {}
        }
        if c.name == "left-pad" || c.licenses.is_empty() {
            c.add_license(lic(
                "Apache-2.0",
                Some("Apache-2.0"),
                SourceKind::Registry,
                "https://registry.example.invalid/some/pkg/1.0.0",
                "license",
            ));
        }
    }
    sbom
}

/// Three projects with known vulnerabilities, as the advisory stage leaves them (real
/// advisory ids, aliases, vectors and fixes): log4j-core reached through a starter
/// (critical, CVSS 3.1 and 4.0), lodash in two projects (high; one of them dev and ignored
/// by the policy), requests (medium, suppressed by a VEX statement) and Jinja2 (a PyPA
/// record without severity: unknown).
pub fn vulnerable() -> Sbom {
    use bomscout_core::vuln::{AdvisorySource, Rating, RatingMethod, Suppression};
    use bomscout_core::{Advisory, Affected, VulnSeverity, Vulnerability};

    let mut cat = Catalog::default();
    let pom = "shop/pom.xml";
    let starter = cat.add_package(comp(
        Ecosystem::Maven,
        Some("org.springframework.boot"),
        "spring-boot-starter-log4j2",
        "2.6.1",
        pom,
    ));
    let core = cat.add_package(comp(
        Ecosystem::Maven,
        Some("org.apache.logging.log4j"),
        "log4j-core",
        "2.14.1",
        pom,
    ));
    cat.add_edge(starter, core, DepKind::Normal);
    let mut shop = Project::new(Ecosystem::Maven, pom);
    shop.name = Some("shop".into());
    shop.add_dep(starter, DepKind::Normal);
    cat.add_project(shop);

    let web_lock = "web/package-lock.json";
    let lodash_dev = cat.add_package(comp(Ecosystem::Npm, None, "lodash", "4.17.20", web_lock));
    let mut web = Project::new(Ecosystem::Npm, web_lock);
    web.name = Some("web".into());
    web.add_dep(lodash_dev, DepKind::Dev);
    cat.add_project(web);
    let admin_lock = "admin/package-lock.json";
    let lodash = cat.add_package(comp(Ecosystem::Npm, None, "lodash", "4.17.19", admin_lock));
    let mut admin = Project::new(Ecosystem::Npm, admin_lock);
    admin.name = Some("admin".into());
    admin.add_dep(lodash, DepKind::Normal);
    cat.add_project(admin);

    let lock = "svc/poetry.lock";
    let requests = cat.add_package(comp(Ecosystem::PyPI, None, "requests", "2.31.0", lock));
    let jinja = cat.add_package(comp(Ecosystem::PyPI, None, "Jinja2", "2.10", lock));
    let mut svc = Project::new(Ecosystem::PyPI, "svc/pyproject.toml");
    svc.name = Some("svc".into());
    svc.add_dep(requests, DepKind::Normal);
    svc.add_dep(jinja, DepKind::Normal);
    cat.add_project(svc);

    let mut builder = SbomBuilder::new("org");
    builder.add(cat);
    let mut sbom = builder.finish();
    let key = |name: &str, version: &str| {
        sbom.components
            .iter()
            .find(|c| c.name == name && c.version.as_deref() == Some(version))
            .map(Component::key)
            .unwrap()
    };
    let affected = |key: String, version: &str, fixed: Option<&str>| Affected {
        component: key,
        version: version.into(),
        fixed: fixed.map(str::to_string),
        suppressed: None,
    };
    let osv = |entry: &str| AdvisorySource {
        name: "OSV".into(),
        url: Some(format!("advisories/{entry}")),
    };
    let cvss = |method, score: f64, vector: &str| Rating {
        method,
        score: Some(score),
        vector: Some(vector.into()),
        severity: VulnSeverity::from_score(score),
    };

    let mut lodash_ignored = affected(key("lodash", "4.17.20"), "4.17.20", Some("4.17.21"));
    lodash_ignored.suppressed = Some(Suppression {
        state: "ignored".into(),
        justification: Some("dev-only build tooling, never shipped".into()),
        detail: None,
        source: "bomscout-policy.toml".into(),
    });
    let mut requests_vex = affected(key("requests", "2.31.0"), "2.31.0", Some("2.32.0"));
    requests_vex.suppressed = Some(Suppression {
        state: "not_affected".into(),
        justification: Some("vulnerable_code_not_in_execute_path".into()),
        detail: Some("No session is ever created with verify=False.".into()),
        source: "vex/openvex.json".into(),
    });

    sbom.vulnerabilities = vec![
        Vulnerability {
            advisory: Advisory {
                id: "GHSA-35jh-r3h4-6jhm".into(),
                aliases: ["CVE-2021-23337".to_string()].into(),
                summary: Some("Command Injection in lodash".into()),
                details: Some(
                    "`lodash` versions prior to 4.17.21 are vulnerable to Command Injection via the template function."
                        .into(),
                ),
                severity: VulnSeverity::High,
                ratings: vec![cvss(
                    RatingMethod::CvssV31,
                    7.2,
                    "CVSS:3.1/AV:N/AC:L/PR:H/UI:N/S:U/C:H/I:H/A:H",
                )],
                references: vec![
                    "https://nvd.nist.gov/vuln/detail/CVE-2021-23337".into(),
                    "https://github.com/lodash/lodash/commit/3469357cff396a26c363f8c1b5a91dde28ba4b1c".into(),
                    "https://github.com/advisories/GHSA-35jh-r3h4-6jhm".into(),
                ],
                fixes: vec!["https://github.com/lodash/lodash/commit/3469357cff396a26c363f8c1b5a91dde28ba4b1c".into()],
                published: Some("2021-05-06T16:05:51Z".into()),
                modified: Some("2024-02-16T08:09:57.123Z".into()),
                source: osv("npm/GHSA-35jh-r3h4-6jhm.json"),
            },
            affects: {
                let mut a = vec![
                    affected(key("lodash", "4.17.19"), "4.17.19", Some("4.17.21")),
                    lodash_ignored,
                ];
                a.sort_by(|x, y| x.component.cmp(&y.component));
                a
            },
        },
        Vulnerability {
            advisory: Advisory {
                id: "GHSA-9wx4-h78v-vm56".into(),
                aliases: ["CVE-2024-35195".to_string()].into(),
                summary: Some(
                    "Requests `Session` object does not verify requests after making first request with verify=False"
                        .into(),
                ),
                details: None,
                severity: VulnSeverity::Medium,
                ratings: vec![cvss(
                    RatingMethod::CvssV31,
                    5.6,
                    "CVSS:3.1/AV:L/AC:H/PR:H/UI:R/S:U/C:H/I:H/A:N",
                )],
                references: vec![
                    "https://github.com/psf/requests/security/advisories/GHSA-9wx4-h78v-vm56".into(),
                    "https://github.com/psf/requests/pull/6655".into(),
                ],
                fixes: vec!["https://github.com/psf/requests/pull/6655".into()],
                published: Some("2024-05-20T20:15:00Z".into()),
                modified: None,
                source: osv("PyPI/GHSA-9wx4-h78v-vm56.json"),
            },
            affects: vec![requests_vex],
        },
        Vulnerability {
            advisory: Advisory {
                id: "GHSA-jfh8-c2jp-5v3q".into(),
                aliases: ["CVE-2021-44228".to_string()].into(),
                summary: Some("Remote code injection in Log4j".into()),
                details: Some(
                    "Apache Log4j2 2.0-beta9 through 2.15.0 JNDI features do not protect against attacker controlled LDAP and other JNDI related endpoints."
                        .into(),
                ),
                severity: VulnSeverity::Critical,
                ratings: vec![
                    cvss(
                        RatingMethod::CvssV31,
                        10.0,
                        "CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:C/C:H/I:H/A:H",
                    ),
                    cvss(
                        RatingMethod::CvssV4,
                        10.0,
                        "CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:H/VA:H/SC:H/SI:H/SA:H",
                    ),
                ],
                references: vec![
                    "https://nvd.nist.gov/vuln/detail/CVE-2021-44228".into(),
                    "https://github.com/apache/logging-log4j2/pull/608".into(),
                    "https://logging.apache.org/log4j/2.x/security.html".into(),
                ],
                fixes: vec!["https://github.com/apache/logging-log4j2/pull/608".into()],
                published: Some("2021-12-10T00:40:56Z".into()),
                modified: Some("2024-02-16T08:09:00Z".into()),
                source: osv("Maven/GHSA-jfh8-c2jp-5v3q.json"),
            },
            affects: vec![affected(
                key("log4j-core", "2.14.1"),
                "2.14.1",
                Some("2.15.0"),
            )],
        },
        Vulnerability {
            advisory: Advisory {
                id: "PYSEC-2019-217".into(),
                aliases: ["CVE-2019-10906".to_string(), "GHSA-462w-v97r-4m45".to_string()]
                    .into(),
                summary: None,
                details: Some(
                    "In Pallets Jinja before 2.10.1, str.format_map allows a sandbox escape."
                        .into(),
                ),
                severity: VulnSeverity::Unknown,
                ratings: Vec::new(),
                references: vec!["https://palletsprojects.com/blog/jinja-2-10-1-released".into()],
                fixes: Vec::new(),
                published: Some("2019-04-07T00:29:00Z".into()),
                modified: None,
                source: osv("PyPI/PYSEC-2019-217.yaml"),
            },
            affects: vec![affected(key("Jinja2", "2.10"), "2.10", Some("2.10.1"))],
        },
    ];
    sbom
}

/// An advisory database is input too: ids, texts and URLs that would break a format.
pub fn hostile_findings() -> Sbom {
    let mut sbom = vulnerable();
    let a = &mut sbom.vulnerabilities[3].advisory;
    a.id = "PYSEC-x\nSPDXID: SPDXRef-DOCUMENT".into();
    a.aliases = ["CVE-2019-10906 <b>".to_string()].into();
    a.summary = Some("evil</text>\nLicenseID: x <script>\u{1}".into());
    a.details = Some("]]> & \u{7}".into());
    a.references = vec![
        "javascript:alert(1)".into(),
        "https://a b".into(),
        "https://example.invalid/advisory?id=1&x=2".into(),
    ];
    a.published = Some("last tuesday".into());
    a.modified = Some("2021-02-30T00:00:00Z".into());
    a.ratings = vec![bomscout_core::vuln::Rating {
        method: bomscout_core::vuln::RatingMethod::CvssV31,
        score: Some(f64::NAN),
        vector: Some("CVSS:3.1/\nAV:N".into()),
        severity: bomscout_core::VulnSeverity::High,
    }];
    sbom.vulnerabilities[3].affects[0].fixed = Some("2.10.1 <img src=x>".into());
    sbom
}

/// The vendored schemas: `tests/schemas/` at the repository root.
pub fn schemas() -> std::path::PathBuf {
    std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/schemas")
}

/// The vendored schema `tests/schemas/<rel>`, parsed.
pub fn load_schema(rel: &str) -> serde_json::Value {
    let path = schemas().join(rel);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Serves the CycloneDX schemas' cross-file `$ref`s (spdx, jsf, cryptography-defs) from the
/// vendored files, so validation never touches the network.
pub struct Vendored;

impl jsonschema::Retrieve for Vendored {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<serde_json::Value, Box<dyn std::error::Error + Send + Sync>> {
        let file = uri.path().as_str().rsplit('/').next().unwrap_or_default();
        let text = std::fs::read_to_string(schemas().join("cyclonedx").join(file))
            .map_err(|e| format!("{uri}: not vendored ({e})"))?;
        Ok(serde_json::from_str(&text)?)
    }
}
