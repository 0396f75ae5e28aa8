//! The npm, PyPI and crate registry sources against a loopback server answering with the
//! responses in `fixtures/enrich/{npm,pypi,crates}/` (where each came from:
//! `fixtures/enrich/SOURCES.md`).
#![allow(clippy::unwrap_used)]

use bomscout_core::{Ecosystem, SourceKind};
use bomscout_enrich::sources::{crates::Crates, npm::Npm, pypi::Pypi};
use bomscout_enrich::testing::{Canned, Server};
use bomscout_enrich::{Answer, Coordinates, Endpoints, Facts, Http, Source, SourceError};
use bomscout_net::{Client, ClientConfig};
use std::path::PathBuf;

fn fixture(rel: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/enrich")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn http() -> Http {
    let config = ClientConfig {
        attempts: 1,
        ..ClientConfig::new("bomscout-test")
    };
    Http::new(Client::new(config).unwrap(), None)
}

fn coords(
    ecosystem: Ecosystem,
    namespace: Option<&str>,
    name: &str,
    version: Option<&str>,
) -> Coordinates {
    Coordinates {
        ecosystem,
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
        version: version.map(str::to_string),
    }
}

fn json_routes(routes: &[(&str, &str)]) -> Server {
    Server::routes(
        routes
            .iter()
            .map(|(path, file)| (path.to_string(), Canned::json(fixture(file))))
            .collect(),
    )
}

fn found(answer: &Result<Answer, SourceError>) -> &Facts {
    match answer {
        Ok(Answer::Found(f)) => f,
        other => panic!("expected facts, got {other:?}"),
    }
}

/// What a test expects of one version's facts.
struct Want<'a> {
    licenses: &'a [(&'a str, &'a str)],
    supplier: Option<&'a str>,
    repository: Option<&'a str>,
    published: Option<&'a str>,
}

fn check(facts: &Facts, url: &str, want: &Want) {
    assert_eq!(facts.url, url);
    let licenses: Vec<(&str, &str)> = facts
        .licenses
        .iter()
        .map(|l| (l.raw.as_str(), l.field.as_str()))
        .collect();
    assert_eq!(licenses, want.licenses, "{url}");
    assert_eq!(facts.supplier.as_deref(), want.supplier, "{url}");
    assert_eq!(facts.repository.as_deref(), want.repository, "{url}");
    assert_eq!(facts.published.as_deref(), want.published, "{url}");
    assert_eq!(facts.latest_version, None, "{url}");
}

#[test]
fn registries_come_first_in_build_in_names_order() {
    let all = bomscout_enrich::sources::build(&Endpoints::defaults());
    let names: Vec<&str> = all.iter().take(3).map(|s| s.name()).collect();
    assert_eq!(names, ["npm", "pypi", "crates"]);
    for s in all.iter().take(3) {
        assert_eq!(s.kind(), SourceKind::Registry);
    }
    assert!(all[0].supports(Ecosystem::Npm) && !all[0].supports(Ecosystem::PyPI));
    assert!(all[1].supports(Ecosystem::PyPI) && !all[1].supports(Ecosystem::Cargo));
    assert!(all[2].supports(Ecosystem::Cargo) && !all[2].supports(Ecosystem::Npm));
}

// ---------------------------------------------------------------- npm

#[test]
fn npm_versions_of_every_recorded_package() {
    let server = json_routes(&[
        ("/@babel%2Fcore/7.26.0", "npm/@babel__core-7.26.0.json"),
        ("/json-schema/0.2.3", "npm/json-schema-0.2.3.json"),
        ("/lru-cache/2.3.0", "npm/lru-cache-2.3.0.json"),
        ("/pause-stream/0.0.11", "npm/pause-stream-0.0.11.json"),
        ("/left-pad/1.3.0", "npm/left-pad-1.3.0.json"),
        ("/inherits/2.0.1", "npm/inherits-2.0.1.json"),
    ]);
    let npm = Npm::new(server.url());
    let asked = [
        coords(Ecosystem::Npm, Some("@babel"), "core", Some("7.26.0")),
        coords(Ecosystem::Npm, None, "json-schema", Some("0.2.3")),
        coords(Ecosystem::Npm, None, "lru-cache", Some("2.3.0")),
        coords(Ecosystem::Npm, None, "pause-stream", Some("0.0.11")),
        coords(Ecosystem::Npm, None, "left-pad", Some("1.3.0")),
        coords(Ecosystem::Npm, None, "inherits", Some("2.0.1")),
    ];
    let answers = npm.versions(&http(), &asked);
    assert_eq!(answers.len(), asked.len());
    let base = server.url();
    let wants = [
        (
            "/@babel%2Fcore/7.26.0",
            Want {
                licenses: &[("MIT", "license")],
                supplier: Some("The Babel Team"),
                repository: Some("https://github.com/babel/babel"),
                published: None,
            },
        ),
        (
            "/json-schema/0.2.3",
            Want {
                licenses: &[("AFLv2.1", "licenses[0].type"), ("BSD", "licenses[1].type")],
                supplier: Some("Kris Zyp"),
                repository: Some("https://github.com/kriszyp/json-schema"),
                published: None,
            },
        ),
        (
            "/lru-cache/2.3.0",
            Want {
                licenses: &[("MIT", "license.type")],
                supplier: Some("Isaac Z. Schlueter"),
                repository: Some("https://github.com/isaacs/node-lru-cache"),
                published: None,
            },
        ),
        (
            "/pause-stream/0.0.11",
            Want {
                licenses: &[("MIT", "license[0]"), ("Apache2", "license[1]")],
                supplier: Some("Dominic Tarr"),
                repository: Some("https://github.com/dominictarr/pause-stream"),
                published: None,
            },
        ),
        (
            "/left-pad/1.3.0",
            Want {
                licenses: &[("WTFPL", "license")],
                supplier: Some("azer"),
                repository: Some("https://github.com/stevemao/left-pad"),
                published: None,
            },
        ),
        (
            "/inherits/2.0.1",
            Want {
                licenses: &[("ISC", "license")],
                supplier: None,
                repository: Some("https://github.com/isaacs/inherits"),
                published: None,
            },
        ),
    ];
    for (answer, (path, want)) in answers.iter().zip(&wants) {
        check(found(answer), &format!("{base}{path}"), want);
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(paths.len(), 6, "one request per version: {paths:?}");
    assert_eq!(
        paths[0], "/@babel%2Fcore/7.26.0",
        "a scoped name is one path segment"
    );
}

#[test]
fn npm_latest_release_from_the_package_document() {
    let server = json_routes(&[
        ("/left-pad", "npm/left-pad.json"),
        ("/inherits", "npm/inherits.json"),
    ]);
    let npm = Npm::new(server.url());
    let answers = npm
        .packages(
            &http(),
            &[
                coords(Ecosystem::Npm, None, "left-pad", None),
                coords(Ecosystem::Npm, None, "inherits", None),
            ],
        )
        .unwrap();
    let left_pad = found(&answers[0]);
    assert_eq!(left_pad.url, format!("{}/left-pad", server.url()));
    assert_eq!(left_pad.latest_version.as_deref(), Some("1.3.0"));
    assert_eq!(left_pad.latest_release.as_deref(), Some("2024-09-05"));
    let inherits = found(&answers[1]);
    assert_eq!(inherits.latest_version.as_deref(), Some("2.0.4"));
    assert_eq!(inherits.latest_release.as_deref(), Some("2024-02-23"));
}

#[test]
fn npm_not_found_and_malformed() {
    let server = Server::routes(vec![
        (
            "/broken/1.0.0".into(),
            Canned::json("{\"name\": \"broken\", "),
        ),
        ("/array/1.0.0".into(), Canned::json("[1, 2]")),
    ]);
    let npm = Npm::new(server.url());
    let answers = npm.versions(
        &http(),
        &[
            coords(Ecosystem::Npm, None, "absent", Some("1.0.0")),
            coords(Ecosystem::Npm, None, "broken", Some("1.0.0")),
            coords(Ecosystem::Npm, None, "array", Some("1.0.0")),
        ],
    );
    match &answers[0] {
        Ok(Answer::NotFound { url }) => assert_eq!(*url, format!("{}/absent/1.0.0", server.url())),
        other => panic!("{other:?}"),
    }
    for (answer, path) in answers[1..].iter().zip(["/broken/1.0.0", "/array/1.0.0"]) {
        match answer {
            Err(e @ SourceError::Malformed { url, .. }) => {
                assert_eq!(*url, format!("{}{path}", server.url()));
                assert!(e.to_string().contains(path), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
    let missing = npm
        .packages(&http(), &[coords(Ecosystem::Npm, None, "absent", None)])
        .unwrap();
    assert!(
        matches!(missing[0], Ok(Answer::NotFound { .. })),
        "{missing:?}"
    );
}

// ---------------------------------------------------------------- PyPI

/// Every package of `fixtures/python/poetry/poetry.lock`, and scipy (a whole license text
/// in `info.license`).
#[test]
fn pypi_versions_of_every_package_of_the_poetry_lock() {
    let lock: [(&str, &str); 13] = [
        ("certifi", "2026.10.19.post1"),
        ("charset-normalizer", "3.5.2"),
        ("colorama", "0.4.6"),
        ("idna", "3.20"),
        ("iniconfig", "2.3.1"),
        ("packaging", "26.3"),
        ("pluggy", "1.7.0"),
        ("pygments", "2.21.0"),
        ("pysocks", "1.7.1"),
        ("pytest", "8.4.2"),
        ("requests", "2.34.2"),
        ("urllib3", "2.8.0"),
        ("scipy", "1.18.1"),
    ];
    let server = Server::routes(
        lock.iter()
            .map(|(n, v)| {
                (
                    format!("/pypi/{n}/{v}/json"),
                    Canned::json(fixture(&format!("pypi/{n}-{v}.json"))),
                )
            })
            .collect(),
    );
    let pypi = Pypi::new(server.url());
    let asked: Vec<Coordinates> = lock
        .iter()
        .map(|(n, v)| coords(Ecosystem::PyPI, None, n, Some(v)))
        .collect();
    let answers = pypi.versions(&http(), &asked);
    let gh = |r: &'static str| Some(r);
    let wants: [Want; 13] = [
        Want {
            licenses: &[
                ("MPL-2.0", "info.license"),
                (
                    "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0)",
                    "classifier",
                ),
            ],
            supplier: Some("Kenneth Reitz"),
            repository: gh("https://github.com/certifi/python-certifi"),
            published: Some("2026-10-22"),
        },
        Want {
            licenses: &[("MIT", "info.license")],
            supplier: Some("Ahmed R. TAHRI"),
            repository: gh("https://github.com/jawah/charset_normalizer"),
            published: Some("2026-09-30"),
        },
        Want {
            licenses: &[("License :: OSI Approved :: BSD License", "classifier")],
            supplier: Some("Jonathan Hartley"),
            repository: gh("https://github.com/tartley/colorama"),
            published: Some("2022-10-25"),
        },
        Want {
            licenses: &[("BSD-3-Clause", "info.license_expression")],
            supplier: Some("Kim Davies"),
            repository: gh("https://github.com/kjd/idna"),
            published: Some("2026-09-17"),
        },
        Want {
            licenses: &[("MIT", "info.license_expression")],
            supplier: Some("Ronny Pfannschmidt"),
            repository: gh("https://github.com/pytest-dev/iniconfig"),
            published: Some("2026-10-06"),
        },
        Want {
            licenses: &[("Apache-2.0 OR BSD-2-Clause", "info.license_expression")],
            supplier: Some("Donald Stufft"),
            repository: gh("https://github.com/pypa/packaging"),
            published: Some("2026-08-04"),
        },
        Want {
            licenses: &[
                ("MIT", "info.license"),
                ("License :: OSI Approved :: MIT License", "classifier"),
            ],
            supplier: Some("Holger Krekel"),
            repository: gh("https://github.com/pytest-dev/pluggy"),
            published: Some("2026-10-15"),
        },
        Want {
            licenses: &[("BSD-2-Clause", "info.license_expression")],
            supplier: Some("Georg Brandl"),
            repository: gh("https://github.com/pygments/pygments"),
            published: Some("2026-08-17"),
        },
        Want {
            licenses: &[("BSD", "info.license")],
            supplier: Some("Anorov"),
            repository: gh("https://github.com/Anorov/PySocks"),
            published: Some("2019-09-20"),
        },
        Want {
            licenses: &[
                ("MIT", "info.license"),
                ("License :: OSI Approved :: MIT License", "classifier"),
            ],
            supplier: Some("Holger Krekel"),
            repository: gh("https://github.com/pytest-dev/pytest"),
            published: Some("2025-09-04"),
        },
        Want {
            licenses: &[
                ("Apache-2.0", "info.license"),
                (
                    "License :: OSI Approved :: Apache Software License",
                    "classifier",
                ),
            ],
            supplier: Some("Kenneth Reitz"),
            repository: gh("https://github.com/psf/requests"),
            published: Some("2026-05-14"),
        },
        Want {
            licenses: &[("MIT", "info.license_expression")],
            supplier: Some("Andrey Petrov"),
            repository: gh("https://github.com/urllib3/urllib3"),
            published: Some("2026-09-15"),
        },
        Want {
            // 55 KB of license text: only its first line is kept, as for installed metadata.
            licenses: &[
                (
                    "Copyright (c) 2001-2002 Enthought, Inc. 2003, SciPy Developers.",
                    "info.license",
                ),
                ("License :: OSI Approved :: BSD License", "classifier"),
            ],
            supplier: Some("SciPy Developers"),
            repository: gh("https://github.com/scipy/scipy"),
            published: Some("2026-08-21"),
        },
    ];
    for ((answer, want), (n, v)) in answers.iter().zip(&wants).zip(&lock) {
        check(
            found(answer),
            &format!("{}/pypi/{n}/{v}/json", server.url()),
            want,
        );
    }
    assert_eq!(server.count(), 13, "one request per version");
}

#[test]
fn pypi_names_are_sent_normalized() {
    let server = json_routes(&[(
        "/pypi/charset-normalizer/3.5.2/json",
        "pypi/charset-normalizer-3.5.2.json",
    )]);
    let pypi = Pypi::new(server.url());
    let answers = pypi.versions(
        &http(),
        &[coords(
            Ecosystem::PyPI,
            None,
            "Charset_Normalizer",
            Some("3.5.2"),
        )],
    );
    assert_eq!(
        found(&answers[0]).supplier.as_deref(),
        Some("Ahmed R. TAHRI")
    );
    assert_eq!(
        server.requests()[0].path,
        "/pypi/charset-normalizer/3.5.2/json"
    );
}

#[test]
fn pypi_latest_release_from_the_package_document() {
    let server = json_routes(&[("/pypi/packaging/json", "pypi/packaging.json")]);
    let pypi = Pypi::new(server.url());
    let answers = pypi
        .packages(&http(), &[coords(Ecosystem::PyPI, None, "Packaging", None)])
        .unwrap();
    let f = found(&answers[0]);
    assert_eq!(f.url, format!("{}/pypi/packaging/json", server.url()));
    assert_eq!(f.latest_version.as_deref(), Some("26.4"));
    assert_eq!(f.latest_release.as_deref(), Some("2026-11-23"));
}

#[test]
fn pypi_not_found_and_malformed() {
    let server = Server::routes(vec![
        (
            "/pypi/broken/1.0/json".into(),
            Canned::json("<html>maintenance</html>"),
        ),
        (
            "/pypi/noinfo/1.0/json".into(),
            Canned::json("{\"urls\": []}"),
        ),
    ]);
    let pypi = Pypi::new(server.url());
    let answers = pypi.versions(
        &http(),
        &[
            coords(Ecosystem::PyPI, None, "absent", Some("1.0")),
            coords(Ecosystem::PyPI, None, "broken", Some("1.0")),
            coords(Ecosystem::PyPI, None, "noinfo", Some("1.0")),
        ],
    );
    match &answers[0] {
        Ok(Answer::NotFound { url }) => {
            assert_eq!(*url, format!("{}/pypi/absent/1.0/json", server.url()));
        }
        other => panic!("{other:?}"),
    }
    for (answer, name) in answers[1..].iter().zip(["broken", "noinfo"]) {
        match answer {
            Err(e @ SourceError::Malformed { url, .. }) => {
                assert_eq!(*url, format!("{}/pypi/{name}/1.0/json", server.url()));
                assert!(e.to_string().contains("PyPI"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}

// ---------------------------------------------------------------- crates

fn crates_server() -> Server {
    let mut routes: Vec<(String, Canned)> =
        ["es-entity", "hg-core", "micro-timer", "bitflags", "clippy"]
            .iter()
            .map(|n| {
                (
                    format!("/api/v1/crates/{n}"),
                    Canned::json(fixture(&format!("crates/{n}.json"))),
                )
            })
            .collect();
    routes.push((
        "/api/v1/crates/*".into(),
        Canned {
            body: fixture("crates/not_found.json"),
            ..Canned::status(404)
        },
    ));
    Server::routes(routes)
}

#[test]
fn crates_versions_from_the_crate_document() {
    let server = crates_server();
    let crates = Crates::new(server.url());
    let asked = [
        coords(Ecosystem::Cargo, None, "es-entity", Some("0.3.23")),
        coords(Ecosystem::Cargo, None, "hg-core", Some("0.0.1")),
        coords(Ecosystem::Cargo, None, "micro-timer", Some("0.3.0")),
        coords(Ecosystem::Cargo, None, "micro-timer", Some("0.4.0")),
        coords(Ecosystem::Cargo, None, "bitflags", Some("1.0.1")),
        coords(Ecosystem::Cargo, None, "clippy", Some("0.0.107")),
    ];
    let answers = crates.versions(&http(), &asked);
    let base = server.url();
    let wants = [
        (
            "es-entity",
            Want {
                licenses: &[("Apache-2.0", "versions[0].license")],
                supplier: Some("Justin Carter"),
                repository: Some("https://github.com/GaloyMoney/cala"),
                published: Some("2025-04-04"),
            },
        ),
        (
            "hg-core",
            Want {
                licenses: &[("GPL-2.0-or-later", "versions[0].license")],
                supplier: Some("Georges Racinet"),
                repository: Some("https://www.mercurial-scm.org/repo/hg"),
                published: Some("2019-04-16"),
            },
        ),
        (
            "micro-timer",
            Want {
                licenses: &[("non-standard", "versions[2].license")],
                supplier: Some("Raphaël Gomès"),
                repository: Some("https://foss.heptapod.net/octobus/rust/micro-timer"),
                published: Some("2020-06-02"),
            },
        ),
        (
            "micro-timer",
            Want {
                licenses: &[("non-standard", "versions[0].license")],
                supplier: Some("Raphaël Gomès"),
                repository: Some("https://foss.heptapod.net/octobus/rust/micro-timer"),
                published: Some("2020-09-28"),
            },
        ),
        (
            "bitflags",
            Want {
                // The legacy `/` form, passed on as written (the engine normalizes it).
                licenses: &[("MIT/Apache-2.0", "versions[0].license")],
                supplier: None,
                repository: Some("https://github.com/rust-lang-nursery/bitflags"),
                published: Some("2017-11-12"),
            },
        ),
        (
            "clippy",
            Want {
                licenses: &[("MPL-2.0", "versions[0].license")],
                supplier: None,
                repository: Some("https://github.com/rust-lang-nursery/rust-clippy"),
                published: Some("2017-01-11"),
            },
        ),
    ];
    for (answer, (name, want)) in answers.iter().zip(&wants) {
        check(found(answer), &format!("{base}/api/v1/crates/{name}"), want);
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/api/v1/crates/es-entity",
            "/api/v1/crates/hg-core",
            "/api/v1/crates/micro-timer",
            "/api/v1/crates/bitflags",
            "/api/v1/crates/clippy",
        ],
        "one request per crate, shared by its versions"
    );
}

#[test]
fn crates_latest_release() {
    let server = crates_server();
    let crates = Crates::new(server.url());
    let answers = crates
        .packages(
            &http(),
            &[
                coords(Ecosystem::Cargo, None, "micro-timer", None),
                coords(Ecosystem::Cargo, None, "bitflags", None),
                coords(Ecosystem::Cargo, None, "es-entity", None),
                coords(Ecosystem::Cargo, None, "clippy", None),
            ],
        )
        .unwrap();
    let got: Vec<(Option<&str>, Option<&str>)> = answers
        .iter()
        .map(|a| {
            let f = found(a);
            (f.latest_version.as_deref(), f.latest_release.as_deref())
        })
        .collect();
    assert_eq!(
        got,
        [
            (Some("0.4.0"), Some("2020-09-28")),
            // No max_stable_version in this older answer: max_version.
            (Some("1.0.1"), Some("2017-11-12")),
            (Some("0.3.23"), Some("2025-04-04")),
            // The recorded document lists one version of 210: the date is unknown.
            (Some("0.0.302"), None),
        ]
    );
}

#[test]
fn crates_not_found_and_unlisted_versions() {
    let server = crates_server();
    let crates = Crates::new(server.url());
    let answers = crates.versions(
        &http(),
        &[
            coords(Ecosystem::Cargo, None, "no-such-crate", Some("1.0.0")),
            // Not in the crate document's list: the version document is asked (404 here).
            coords(Ecosystem::Cargo, None, "clippy", Some("0.0.302")),
            // Not a version of hg-core at all.
            coords(Ecosystem::Cargo, None, "hg-core", Some("9.9.9")),
        ],
    );
    let urls: Vec<String> = answers
        .iter()
        .map(|a| match a {
            Ok(Answer::NotFound { url }) => url.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    let base = server.url();
    assert_eq!(
        urls,
        [
            format!("{base}/api/v1/crates/no-such-crate"),
            format!("{base}/api/v1/crates/clippy/0.0.302"),
            format!("{base}/api/v1/crates/hg-core/9.9.9"),
        ]
    );
}

#[test]
fn crates_malformed_answer_names_the_url() {
    let server = Server::routes(vec![(
        "/api/v1/crates/odd".into(),
        Canned::json("{\"versions\": []}"),
    )]);
    let crates = Crates::new(server.url());
    let answers = crates.versions(
        &http(),
        &[coords(Ecosystem::Cargo, None, "odd", Some("1.0.0"))],
    );
    match &answers[0] {
        Err(e @ SourceError::Malformed { url, .. }) => {
            assert_eq!(*url, format!("{}/api/v1/crates/odd", server.url()));
            assert!(e.to_string().contains("/api/v1/crates/odd"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn pypi_mirror_without_version_documents_falls_back_to_the_latest() {
    // Only the package document is served (as by a bandersnatch mirror): it describes 26.4.
    let server = json_routes(&[("/pypi/packaging/json", "pypi/packaging.json")]);
    let pypi = Pypi::new(server.url());
    let answers = pypi.versions(
        &http(),
        &[
            coords(Ecosystem::PyPI, None, "packaging", Some("26.4")),
            coords(Ecosystem::PyPI, None, "packaging", Some("26.3")),
        ],
    );
    let base = server.url();
    check(
        found(&answers[0]),
        &format!("{base}/pypi/packaging/json"),
        &Want {
            licenses: &[("Apache-2.0 OR BSD-2-Clause", "info.license_expression")],
            supplier: Some("Donald Stufft"),
            repository: Some("https://github.com/pypa/packaging"),
            published: Some("2026-11-23"),
        },
    );
    // 26.3 is not the version the package document describes: not found, not 26.4's facts.
    match &answers[1] {
        Ok(Answer::NotFound { url }) => {
            assert_eq!(*url, format!("{base}/pypi/packaging/26.3/json"))
        }
        other => panic!("{other:?}"),
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        [
            "/pypi/packaging/26.4/json",
            "/pypi/packaging/json",
            "/pypi/packaging/26.3/json",
        ],
        "the package document is asked once per call"
    );
}

/// Names and versions come from lockfiles: `..` must not climb out of the package's path,
/// odd characters are sent encoded, and nothing panics.
#[test]
fn hostile_coordinates_stay_inside_the_package_path() {
    let server = Server::start(|_| Canned::not_found());
    let sources: Vec<(Box<dyn Source>, Ecosystem)> = vec![
        (Box::new(Npm::new(server.url())), Ecosystem::Npm),
        (Box::new(Pypi::new(server.url())), Ecosystem::PyPI),
        (Box::new(Crates::new(server.url())), Ecosystem::Cargo),
    ];
    for (source, eco) in &sources {
        let climbing = [
            coords(*eco, None, "..", Some("1.0.0")),
            coords(*eco, None, "x", Some("..")),
            coords(*eco, None, ".", Some(".")),
            coords(*eco, None, " ", Some("1.0.0")),
        ];
        for answer in source.versions(&http(), &climbing) {
            match answer {
                Err(SourceError::Net(e)) => assert!(e.to_string().contains("path segment"), "{e}"),
                Err(SourceError::Unaskable(e)) => assert!(e.contains("without a name"), "{e}"),
                // PyPI's `..` is the normalized name `-`, asked as such.
                Ok(Answer::NotFound { url }) if source.name() == "pypi" => {
                    assert!(url.ends_with("/pypi/-/1.0.0/json"), "{url}")
                }
                // The crate document is asked first (the version is not in a path yet).
                Ok(Answer::NotFound { url }) if source.name() == "crates" => {
                    assert!(url.ends_with("/api/v1/crates/x"), "{url}")
                }
                other => panic!("{}: {other:?}", source.name()),
            }
        }
    }
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        ["/pypi/-/1.0.0/json", "/pypi/-/json", "/api/v1/crates/x"],
        "no request for a climbing name or version"
    );
    let long = "a".repeat(5000);
    for (source, eco) in &sources {
        let odd = [
            coords(*eco, None, "a b/c?d#e", Some("1.0 beta")),
            coords(*eco, None, "naïve", Some("%2e%2e")),
            coords(*eco, None, &long, Some("1")),
        ];
        for answer in source.versions(&http(), &odd) {
            assert!(
                matches!(answer, Ok(Answer::NotFound { .. })),
                "{}: {answer:?}",
                source.name()
            );
        }
    }
    for r in server.requests() {
        assert!(
            !r.path.contains(' ') && !r.path.contains('?') && !r.path.contains('#'),
            "{}",
            r.path
        );
    }
}
