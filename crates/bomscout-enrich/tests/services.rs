//! The deps.dev, ClearlyDefined and Go module proxy sources against a loopback server
//! answering with the fixtures under `fixtures/enrich/{depsdev,clearlydefined,goproxy}`
//! (their origin: `fixtures/enrich/SOURCES.md`). No test touches the network.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use bomscout_core::{Ecosystem, ScorecardCheck, SourceKind};
use bomscout_enrich::sources::clearlydefined::{self, ClearlyDefined};
use bomscout_enrich::sources::depsdev::DepsDev;
use bomscout_enrich::sources::goproxy::{self, GoProxy};
use bomscout_enrich::testing::{Canned, Request, Server};
use bomscout_enrich::{Answer, Coordinates, Facts, Http, Source, SourceError};
use bomscout_net::{Client, ClientConfig, NetError};
use serde_json::{json, Value};
use std::io::Write;
use std::path::{Path, PathBuf};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/enrich")
}

fn fixture(rel: &str) -> Vec<u8> {
    std::fs::read(fixtures().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

fn http() -> Http {
    let mut config = ClientConfig::new("bomscout-test");
    config.attempts = 1;
    Http::new(Client::new(config).unwrap(), None)
}

fn key(ecosystem: Ecosystem, namespace: Option<&str>, name: &str, version: &str) -> Coordinates {
    Coordinates {
        ecosystem,
        namespace: namespace.map(str::to_string),
        name: name.to_string(),
        version: Some(version.to_string()),
    }
}

/// A Go module as the Go cataloger writes it: the path's last element is the name.
fn go(module: &str, version: &str) -> Coordinates {
    let (ns, name) = module.rsplit_once('/').unwrap();
    key(Ecosystem::Golang, Some(ns), name, version)
}

/// The modules of `fixtures/golang/cobra/go.sum`.
fn cobra_modules() -> Vec<Coordinates> {
    vec![
        go("github.com/cpuguy83/go-md2man/v2", "v2.0.6"),
        go("github.com/inconshreveable/mousetrap", "v1.1.0"),
        go("github.com/russross/blackfriday/v2", "v2.1.0"),
        go("github.com/spf13/pflag", "v1.0.9"),
        go("go.yaml.in/yaml/v3", "v3.0.4"),
        go("gopkg.in/check.v1", "v0.0.0-20161208181325-20d25e280405"),
    ]
}

fn found(answer: &Result<Answer, SourceError>) -> &Facts {
    match answer {
        Ok(Answer::Found(f)) => f,
        other => panic!("expected found, got {other:?}"),
    }
}

fn licenses(facts: &Facts) -> Vec<(&str, &str)> {
    facts
        .licenses
        .iter()
        .map(|l| (l.raw.as_str(), l.field.as_str()))
        .collect()
}

fn body(request: &Request) -> Value {
    serde_json::from_slice(&request.body).unwrap()
}

// ---------------------------------------------------------------- deps.dev

#[test]
fn depsdev_versions_come_from_one_batch_request() {
    let server = Server::routes(vec![(
        "/v3alpha/versionbatch".into(),
        Canned::json(fixture("depsdev/versionbatch-cobra.json")),
    )]);
    let source = DepsDev::new(&server.url());
    assert_eq!(source.kind(), SourceKind::DepsDev);
    assert_eq!(source.batch_size(), 5000);
    let keys = cobra_modules();
    let answers = source.versions(&http(), &keys);
    assert_eq!(answers.len(), keys.len());

    let pflag = found(&answers[3]);
    assert_eq!(licenses(pflag), vec![("BSD-3-Clause", "licenses[0]")]);
    assert_eq!(
        pflag.repository.as_deref(),
        Some("https://github.com/spf13/pflag")
    );
    assert_eq!(
        pflag.url,
        format!(
            "{}/v3/systems/go/packages/github.com%2Fspf13%2Fpflag/versions/v1.0.9",
            server.url()
        )
    );
    let yaml = found(&answers[4]);
    assert_eq!(
        licenses(yaml),
        vec![("Apache-2.0", "licenses[0]"), ("MIT", "licenses[1]")]
    );
    assert_eq!(
        yaml.repository.as_deref(),
        Some("https://github.com/yaml/go-yaml")
    );
    let check = found(&answers[5]);
    assert_eq!(check.published.as_deref(), Some("2016-12-08"));
    assert!(check.advisories.is_empty());

    let requests = server.requests();
    assert_eq!(requests.len(), 1, "one batch for all six");
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].path, "/v3alpha/versionbatch");
    assert_eq!(requests[0].header("content-type"), Some("application/json"));
    let expected: Vec<Value> = keys
        .iter()
        .map(|k| {
            json!({"versionKey": {
                "system": "GO",
                "name": k.full_name(),
                "version": k.version.as_deref().unwrap(),
            }})
        })
        .collect();
    assert_eq!(body(&requests[0]), json!({ "requests": expected }));
}

#[test]
fn depsdev_batch_pages_are_followed_and_unknown_versions_are_not_found() {
    let server = Server::start(|req| {
        let body: Value = serde_json::from_slice(&req.body).unwrap_or(Value::Null);
        match body.get("pageToken").and_then(Value::as_str) {
            None => Canned::json(fixture("depsdev/versionbatch-paged-1.json")),
            Some("page-2") => Canned::json(fixture("depsdev/versionbatch-paged-2.json")),
            Some(_) => Canned::status(400),
        }
    });
    let keys = vec![
        key(Ecosystem::Npm, Some("@colors"), "colors", "1.5.0"),
        key(
            Ecosystem::Golang,
            Some("gopkg.in"),
            "yaml.v3",
            "v3.0.0-20210107192922-496545a6307b",
        ),
        key(Ecosystem::PyPI, None, "no-such-package-here", "1.0"),
        // Not asked: deps.dev has no Composer, and a Maven artifact needs its group.
        key(Ecosystem::Composer, Some("vendor"), "name", "1.0.0"),
        key(Ecosystem::Maven, None, "artifact", "1.0"),
    ];
    let answers = DepsDev::new(&server.url()).versions(&http(), &keys);

    let colors = found(&answers[0]);
    assert_eq!(licenses(colors), vec![("MIT", "licenses[0]")]);
    // The SOURCE_REPO relation, not the ISSUE_TRACKER one.
    assert_eq!(
        colors.repository.as_deref(),
        Some("https://github.com/DABH/colors.js")
    );
    assert_eq!(colors.published.as_deref(), Some("2022-02-12"));
    assert!(colors
        .url
        .ends_with("/v3/systems/npm/packages/%40colors%2Fcolors/versions/1.5.0"));

    let yaml = found(&answers[1]);
    assert_eq!(yaml.advisories, vec!["GHSA-hp87-p4gw-j4gq", "GO-2022-0603"]);

    match &answers[2] {
        Ok(Answer::NotFound { url }) => {
            assert!(url.ends_with("/v3/systems/pypi/packages/no-such-package-here/versions/1.0"))
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(answers[3], Err(SourceError::Unaskable(_))));
    assert!(matches!(answers[4], Err(SourceError::Unaskable(_))));

    let requests = server.requests();
    assert_eq!(requests.len(), 2);
    let first = body(&requests[0]);
    let second = body(&requests[1]);
    assert_eq!(first.get("pageToken"), None);
    assert_eq!(second["pageToken"], "page-2");
    assert_eq!(first["requests"], second["requests"]);
    assert_eq!(first["requests"].as_array().unwrap().len(), 3);
}

#[test]
fn depsdev_asks_each_version_when_there_is_no_batch_endpoint() {
    let batch: Value = serde_json::from_slice(&fixture("depsdev/versionbatch-cobra.json")).unwrap();
    let pflag = serde_json::to_vec(&batch["responses"][3]["version"]).unwrap();
    let server = Server::routes(vec![(
        "/v3/systems/go/packages/github.com%2Fspf13%2Fpflag/versions/v1.0.9".into(),
        Canned::json(pflag),
    )]);
    let keys = vec![
        go("github.com/spf13/pflag", "v1.0.9"),
        go("github.com/spf13/pflag", "v9.9.9"),
    ];
    let answers = DepsDev::new(&server.url()).versions(&http(), &keys);
    assert_eq!(
        licenses(found(&answers[0])),
        vec![("BSD-3-Clause", "licenses[0]")]
    );
    assert!(
        matches!(&answers[1], Ok(Answer::NotFound { url }) if url.ends_with("/versions/v9.9.9"))
    );
    let paths: Vec<String> = server.requests().into_iter().map(|r| r.path).collect();
    assert_eq!(
        paths,
        vec![
            "/v3alpha/versionbatch",
            "/v3/systems/go/packages/github.com%2Fspf13%2Fpflag/versions/v1.0.9",
            "/v3/systems/go/packages/github.com%2Fspf13%2Fpflag/versions/v9.9.9",
        ]
    );
}

#[test]
fn depsdev_non_standard_licenses_keep_the_stated_words() {
    // Constructed from the v3alpha proto's documentation of `licenses` ("non-standard"
    // when there is no SPDX identifier) and `licenseDetails`.
    let answer = json!({"responses": [{
        "request": {"versionKey": {"system": "MAVEN", "name": "org.example:lib", "version": "1.0"}},
        "version": {
            "versionKey": {"system": "MAVEN", "name": "org.example:lib", "version": "1.0"},
            "licenses": ["Apache-2.0", "non-standard"],
            "licenseDetails": [
                {"license": "The Apache Software License, Version 2.0", "spdx": "Apache-2.0"},
                {"license": "Example Corp. Proprietary License", "spdx": "non-standard"}
            ]
        }
    }]});
    let server = Server::routes(vec![(
        "/v3alpha/versionbatch".into(),
        Canned::json(answer.to_string()),
    )]);
    let keys = vec![key(Ecosystem::Maven, Some("org.example"), "lib", "1.0")];
    let answers = DepsDev::new(&server.url()).versions(&http(), &keys);
    assert_eq!(
        licenses(found(&answers[0])),
        vec![
            ("Apache-2.0", "licenses[0]"),
            (
                "Example Corp. Proprietary License",
                "licenseDetails[].license"
            ),
        ]
    );
    assert_eq!(
        body(&server.requests()[0])["requests"][0]["versionKey"]["name"],
        "org.example:lib"
    );
}

#[test]
fn depsdev_packages_give_the_default_version() {
    let server = Server::routes(vec![(
        "/v3/systems/npm/packages/%40colors%2Fcolors".into(),
        Canned::json(fixture("depsdev/package-colors.json")),
    )]);
    let keys = vec![
        Coordinates {
            version: None,
            ..key(Ecosystem::Npm, Some("@colors"), "colors", "")
        },
        Coordinates {
            version: None,
            ..key(Ecosystem::Npm, None, "left-pad", "")
        },
    ];
    let answers = DepsDev::new(&server.url())
        .packages(&http(), &keys)
        .unwrap();
    let colors = found(&answers[0]);
    assert_eq!(colors.latest_version.as_deref(), Some("1.6.0"));
    assert_eq!(colors.latest_release.as_deref(), Some("2023-07-10"));
    assert!(matches!(answers[1], Ok(Answer::NotFound { .. })));
}

#[test]
fn depsdev_projects_give_scorecards_and_archived() {
    let server = Server::routes(vec![(
        "/v3alpha/projectbatch".into(),
        Canned::json(fixture("depsdev/projectbatch.json")),
    )]);
    let repos: Vec<String> = [
        "https://github.com/spf13/pflag",
        "https://github.com/pkg/errors.git",
        "https://github.com/example-owner/no-scorecard",
        "https://gitlab.com/example-owner/unknown",
        "https://example.org/some/repo",
    ]
    .map(String::from)
    .to_vec();
    let answers = DepsDev::new(&server.url())
        .projects(&http(), &repos)
        .unwrap();

    let pflag = found(&answers[0]);
    let card = pflag.scorecard.as_ref().unwrap();
    assert_eq!(card.score, 4.1);
    assert_eq!(card.date.as_deref(), Some("2024-11-11"));
    let check = |name: &str, score: i8, reason: &str| ScorecardCheck {
        name: name.into(),
        score,
        reason: reason.into(),
    };
    // Lowest first; 10s and the not-applicable -1 (Packaging) left out.
    assert_eq!(
        card.failing,
        vec![
            check("Fuzzing", 0, "project is not fuzzed"),
            check(
                "Maintained",
                1,
                "2 commit(s) and 0 issue activity found in the last 90 days -- score normalized to 1"
            ),
            check(
                "Code-Review",
                3,
                "Found 5/15 approved changesets -- score normalized to 3"
            ),
        ]
    );
    assert_eq!(pflag.archived, Some(false));
    assert!(pflag
        .url
        .ends_with("/v3/projects/github.com%2Fspf13%2Fpflag"));

    let errors = found(&answers[1]);
    assert_eq!(errors.archived, Some(true));
    assert_eq!(errors.scorecard.as_ref().unwrap().score, 3.3);

    let bare = found(&answers[2]);
    assert_eq!(bare.scorecard, None);
    assert_eq!(bare.archived, None);

    assert!(matches!(answers[3], Ok(Answer::NotFound { .. })));
    assert!(matches!(answers[4], Err(SourceError::Unaskable(_))));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(
        body(&requests[0]),
        json!({"requests": [
            {"projectKey": {"id": "github.com/spf13/pflag"}},
            {"projectKey": {"id": "github.com/pkg/errors"}},
            {"projectKey": {"id": "github.com/example-owner/no-scorecard"}},
            {"projectKey": {"id": "gitlab.com/example-owner/unknown"}},
        ]})
    );
}

#[test]
fn depsdev_malformed_json_names_the_url_for_every_key() {
    let server = Server::routes(vec![(
        "/v3alpha/versionbatch".into(),
        Canned::json("{\"responses\": [ {\"request\": "),
    )]);
    let keys = cobra_modules();
    let answers = DepsDev::new(&server.url()).versions(&http(), &keys[..2]);
    for answer in &answers {
        match answer {
            Err(e @ SourceError::Malformed { url, .. }) => {
                assert_eq!(url, &format!("{}/v3alpha/versionbatch", server.url()));
                assert!(e.to_string().contains("deps.dev"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}

// ---------------------------------------------------------------- ClearlyDefined

#[test]
fn clearlydefined_coordinates_for_each_ecosystem() {
    let cases = [
        (
            key(Ecosystem::Npm, None, "lodash", "4.17.21"),
            "npm/npmjs/-/lodash/4.17.21",
        ),
        (
            key(
                Ecosystem::Npm,
                Some("@fluentui"),
                "react-text",
                "9.0.0-alpha.13",
            ),
            "npm/npmjs/@fluentui/react-text/9.0.0-alpha.13",
        ),
        (
            key(
                Ecosystem::Maven,
                Some("org.apache.commons"),
                "commons-lang3",
                "3.12.0",
            ),
            "maven/mavencentral/org.apache.commons/commons-lang3/3.12.0",
        ),
        (
            key(Ecosystem::PyPI, None, "requests", "2.31.0"),
            "pypi/pypi/-/requests/2.31.0",
        ),
        (
            key(Ecosystem::Cargo, None, "serde", "1.0.0"),
            "crate/cratesio/-/serde/1.0.0",
        ),
        (
            key(Ecosystem::Gem, None, "rails", "7.0.0"),
            "gem/rubygems/-/rails/7.0.0",
        ),
        (
            key(Ecosystem::Nuget, None, "Newtonsoft.Json", "13.0.1"),
            "nuget/nuget/-/Newtonsoft.Json/13.0.1",
        ),
        (
            go("github.com/pkg/errors", "v0.9.1"),
            "go/golang/github.com%2Fpkg/errors/v0.9.1",
        ),
        (
            go(
                "github.com/quasilyte/regex/syntax",
                "v0.0.0-20200419152657-af9db7f4a3ab",
            ),
            "go/golang/github.com%2Fquasilyte%2Fregex/syntax/v0.0.0-20200419152657-af9db7f4a3ab",
        ),
        (
            go("github.com/cpuguy83/go-md2man/v2", "v2.0.6"),
            "go/golang/github.com%2Fcpuguy83%2Fgo-md2man/v2/v2.0.6",
        ),
        (
            key(Ecosystem::Composer, Some("vendor"), "name", "1.0.0"),
            "composer/packagist/vendor/name/1.0.0",
        ),
        (
            key(Ecosystem::Cocoapods, None, "Alamofire", "1.0"),
            "pod/cocoapods/-/Alamofire/1.0",
        ),
    ];
    for (k, expected) in cases {
        assert_eq!(clearlydefined::coordinates(&k).unwrap(), expected, "{k:?}");
    }
    for refused in [
        key(Ecosystem::Maven, None, "commons-lang3", "3.12.0"),
        key(Ecosystem::Pub, None, "http", "1.0.0"),
        key(Ecosystem::Npm, None, "a/b", "1.0.0"),
        Coordinates {
            version: None,
            ..key(Ecosystem::Npm, None, "lodash", "")
        },
    ] {
        assert!(
            matches!(
                clearlydefined::coordinates(&refused),
                Err(SourceError::Unaskable(_))
            ),
            "{refused:?}"
        );
    }
}

#[test]
fn clearlydefined_definitions_come_from_one_batch_request() {
    let server = Server::routes(vec![(
        "/definitions".into(),
        Canned::json(fixture("clearlydefined/definitions-batch.json")),
    )]);
    let source = ClearlyDefined::new(&server.url());
    assert_eq!(source.kind(), SourceKind::ClearlyDefined);
    assert_eq!(source.batch_size(), 500);
    let keys = vec![
        key(Ecosystem::Npm, None, "lodash", "4.17.21"),
        go("github.com/spf13/pflag", "v1.0.9"),
        key(
            Ecosystem::Maven,
            Some("org.apache.commons"),
            "commons-lang3",
            "3.12.0",
        ),
        key(Ecosystem::Cargo, None, "serde", "1.0.0"),
        key(Ecosystem::PyPI, None, "requests", "2.31.0"),
        key(Ecosystem::Nuget, None, "Newtonsoft.Json", "13.0.1"),
        key(Ecosystem::Npm, None, "declared-noassertion", "1.0.0"),
        key(Ecosystem::Npm, None, "never-harvested", "0.0.1"),
        key(Ecosystem::Npm, None, "not-in-the-answer", "1.0.0"),
        key(Ecosystem::Pub, None, "http", "1.0.0"),
    ];
    let answers = source.versions(&http(), &keys);
    assert_eq!(answers.len(), keys.len());

    let lodash = found(&answers[0]);
    // Only the declared license: the discovered CC0-1.0 is some file's, not the package's.
    assert_eq!(licenses(lodash), vec![("MIT", "licensed.declared")]);
    assert_eq!(
        lodash.repository.as_deref(),
        Some("https://github.com/lodash/lodash")
    );
    assert_eq!(lodash.published.as_deref(), Some("2021-02-20"));
    assert_eq!(
        lodash.url,
        format!("{}/definitions/npm/npmjs/-/lodash/4.17.21", server.url())
    );

    let pflag = found(&answers[1]);
    assert_eq!(licenses(pflag), vec![("BSD-3-Clause", "licensed.declared")]);
    // The repository, not the commit the source location's URL points at.
    assert_eq!(
        pflag.repository.as_deref(),
        Some("https://github.com/spf13/pflag")
    );
    assert_eq!(pflag.published, None);

    let lang3 = found(&answers[2]);
    assert_eq!(licenses(lang3), vec![("Apache-2.0", "licensed.declared")]);
    assert_eq!(lang3.repository, None, "a sources jar is not a repository");
    assert_eq!(lang3.published.as_deref(), Some("2021-02-26"));

    assert_eq!(
        licenses(found(&answers[3])),
        vec![("MIT OR Apache-2.0", "licensed.declared")]
    );
    assert_eq!(
        found(&answers[4]).repository.as_deref(),
        Some("https://github.com/psf/requests")
    );
    // The service answered with its own casing of the key.
    assert_eq!(
        licenses(found(&answers[5])),
        vec![("MIT", "licensed.declared")]
    );

    // Harvested, but nothing declared: found, with no license.
    let noassertion = found(&answers[6]);
    assert!(noassertion.licenses.is_empty());
    assert_eq!(noassertion.published.as_deref(), Some("2020-01-01"));

    assert!(
        matches!(&answers[7], Ok(Answer::NotFound { url }) if url.ends_with("/definitions/npm/npmjs/-/never-harvested/0.0.1"))
    );
    assert!(matches!(answers[8], Ok(Answer::NotFound { .. })));
    assert!(matches!(answers[9], Err(SourceError::Unaskable(_))));

    let requests = server.requests();
    assert_eq!(requests.len(), 1);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        body(&requests[0]),
        json!([
            "npm/npmjs/-/lodash/4.17.21",
            "go/golang/github.com%2Fspf13/pflag/v1.0.9",
            "maven/mavencentral/org.apache.commons/commons-lang3/3.12.0",
            "crate/cratesio/-/serde/1.0.0",
            "pypi/pypi/-/requests/2.31.0",
            "nuget/nuget/-/Newtonsoft.Json/13.0.1",
            "npm/npmjs/-/declared-noassertion/1.0.0",
            "npm/npmjs/-/never-harvested/0.0.1",
            "npm/npmjs/-/not-in-the-answer/1.0.0",
        ])
    );
}

#[test]
fn clearlydefined_error_text_is_malformed_and_names_the_url() {
    // The service answers a failed batch with a 200 and a sentence (routes/definitions.ts).
    let server = Server::routes(vec![(
        "/definitions".into(),
        Canned::ok(
            "An error occurred when trying to fetch coordinates for one of the components: boom",
        ),
    )]);
    let keys = vec![
        key(Ecosystem::Npm, None, "lodash", "4.17.21"),
        key(Ecosystem::PyPI, None, "requests", "2.31.0"),
    ];
    let answers = ClearlyDefined::new(&server.url()).versions(&http(), &keys);
    for answer in &answers {
        match answer {
            Err(e @ SourceError::Malformed { url, .. }) => {
                assert_eq!(url, &format!("{}/definitions", server.url()));
                assert!(e.to_string().contains("ClearlyDefined"), "{e}");
            }
            other => panic!("{other:?}"),
        }
    }
}

#[test]
fn clearlydefined_a_failed_batch_fails_each_key() {
    let server = Server::routes(vec![("/definitions".into(), Canned::status(400))]);
    let keys = vec![
        key(Ecosystem::Npm, None, "lodash", "4.17.21"),
        key(Ecosystem::PyPI, None, "requests", "2.31.0"),
    ];
    let answers = ClearlyDefined::new(&server.url()).versions(&http(), &keys);
    assert_eq!(answers.len(), 2);
    for answer in &answers {
        assert!(
            matches!(
                answer,
                Err(SourceError::Net(NetError::Status { code: 400, .. }))
            ),
            "{answer:?}"
        );
    }
}

// ---------------------------------------------------------------- Go module proxy

/// A GOPROXY serving `fixtures/enrich/goproxy` as files, path for path.
fn proxy_server() -> Server {
    let root = fixtures().join("goproxy");
    Server::start(move |req| {
        let rel = req.path.trim_start_matches('/');
        if rel.split('/').any(|s| s == ".." || s.is_empty()) {
            return Canned::status(400);
        }
        match std::fs::read(root.join(rel)) {
            Ok(bytes) => Canned::ok(bytes),
            Err(_) => Canned::not_found(),
        }
    })
}

#[test]
fn goproxy_licenses_for_the_cobra_lockfile() {
    let server = proxy_server();
    let source = GoProxy::new(&server.url());
    assert_eq!(source.kind(), SourceKind::Registry);
    assert!(source.supports(Ecosystem::Golang));
    assert!(!source.supports(Ecosystem::Npm));
    let keys = cobra_modules();
    let answers = source.versions(&http(), &keys);
    let ids = |i: usize| -> Vec<(String, String)> {
        found(&answers[i])
            .licenses
            .iter()
            .map(|l| (l.raw.clone(), l.field.clone()))
            .collect()
    };
    assert_eq!(ids(0), vec![("MIT".into(), "LICENSE.md".into())]);
    assert_eq!(ids(1), vec![("Apache-2.0".into(), "LICENSE".into())]);
    assert_eq!(ids(2), vec![("BSD-2-Clause".into(), "LICENSE.txt".into())]);
    assert_eq!(ids(3), vec![("BSD-3-Clause".into(), "LICENSE".into())]);
    assert_eq!(ids(5), vec![("BSD-2-Clause".into(), "LICENSE".into())]);
    // go-yaml's LICENSE holds the MIT and the Apache-2.0 texts one after the other, under
    // headings: matched section by section.
    assert_eq!(
        ids(4),
        vec![
            ("MIT".into(), "LICENSE (section 2)".into()),
            ("Apache-2.0".into(), "LICENSE (section 3)".into())
        ]
    );
    for i in [0, 1, 2, 3, 5] {
        let l = &found(&answers[i]).licenses[0];
        assert!(l.confidence.unwrap() >= 0.9, "{l:?}");
    }

    let pflag = found(&answers[3]);
    assert_eq!(pflag.supplier.as_deref(), Some("spf13"));
    assert_eq!(
        pflag.repository.as_deref(),
        Some("https://github.com/spf13/pflag")
    );
    assert_eq!(
        pflag.url,
        format!("{}/github.com/spf13/pflag/@v/v1.0.9.zip", server.url())
    );
    assert_eq!(
        pflag.published, None,
        "a tagged version's date is not asked for"
    );
    let check = found(&answers[5]);
    assert_eq!(check.published.as_deref(), Some("2016-12-08"));
    assert_eq!(check.supplier.as_deref(), Some("go-check"));
    assert_eq!(
        check.repository.as_deref(),
        Some("https://github.com/go-check/check")
    );
    // A vanity path names no repository or supplier.
    let yaml = found(&answers[4]);
    assert_eq!(yaml.repository, None);
    assert_eq!(yaml.supplier, None);
    // One request per module, for its zip only.
    assert_eq!(server.count(), keys.len());
}

#[test]
fn goproxy_escapes_uppercase_in_module_paths() {
    assert_eq!(
        goproxy::escape_path("github.com/BurntSushi/toml"),
        "github.com/!burnt!sushi/toml"
    );
    let server = proxy_server();
    let answers = GoProxy::new(&server.url())
        .versions(&http(), &[go("github.com/BurntSushi/toml", "v1.2.0")]);
    let toml = found(&answers[0]);
    assert_eq!(licenses(toml), vec![("MIT", "COPYING")]);
    assert_eq!(toml.supplier.as_deref(), Some("BurntSushi"));
    assert_eq!(
        server.requests()[0].path,
        "/github.com/!burnt!sushi/toml/@v/v1.2.0.zip"
    );
}

#[test]
fn goproxy_latest_and_not_found() {
    let server = proxy_server();
    let source = GoProxy::new(&server.url());
    let latest = source
        .packages(
            &http(),
            &[
                Coordinates {
                    version: None,
                    ..go("github.com/spf13/pflag", "")
                },
                Coordinates {
                    version: None,
                    ..go("github.com/example-owner/gone", "")
                },
            ],
        )
        .unwrap();
    let pflag = found(&latest[0]);
    assert_eq!(pflag.latest_version.as_deref(), Some("v1.0.10"));
    assert_eq!(pflag.latest_release.as_deref(), Some("2025-09-02"));
    assert!(
        matches!(&latest[1], Ok(Answer::NotFound { url }) if url.ends_with("/github.com/example-owner/gone/@latest"))
    );
    let versions = source.versions(&http(), &[go("github.com/spf13/pflag", "v0.0.1")]);
    assert!(
        matches!(&versions[0], Ok(Answer::NotFound { url }) if url.ends_with("/github.com/spf13/pflag/@v/v0.0.1.zip"))
    );
}

/// A zip of `(name, bytes)` entries, deflated.
fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    {
        let mut w = zip::ZipWriter::new(&mut out);
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated);
        for (name, bytes) in entries {
            w.start_file(*name, options).unwrap();
            w.write_all(bytes).unwrap();
        }
        w.finish().unwrap();
    }
    out.into_inner()
}

fn serve_zip(zip: Vec<u8>) -> Server {
    Server::routes(vec![(
        "/example.com/m/@v/v1.0.0.zip".into(),
        Canned::ok(zip),
    )])
}

#[test]
fn goproxy_takes_only_the_module_roots_license_files() {
    let mit = fixture("goproxy/github.com/!burnt!sushi/toml/@v/v1.2.0.zip");
    // The MIT text of BurntSushi/toml's COPYING, from the fixture zip.
    let mit_text = {
        let mut a = zip::ZipArchive::new(std::io::Cursor::new(mit)).unwrap();
        let mut f = a
            .by_name("github.com/BurntSushi/toml@v1.2.0/COPYING")
            .unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    };
    let bsd = {
        let mut a = zip::ZipArchive::new(std::io::Cursor::new(fixture(
            "goproxy/github.com/spf13/pflag/@v/v1.0.9.zip",
        )))
        .unwrap();
        let mut f = a.by_name("github.com/spf13/pflag@v1.0.9/LICENSE").unwrap();
        let mut s = String::new();
        std::io::Read::read_to_string(&mut f, &mut s).unwrap();
        s
    };
    let zip = zip_of(&[
        ("example.com/m@v1.0.0/go.mod", b"module example.com/m\n"),
        ("example.com/m@v1.0.0/LICENSE", mit_text.as_bytes()),
        ("example.com/m@v1.0.0/nested/LICENSE", bsd.as_bytes()),
        ("example.com/m@v1.0.0/vendor/x/LICENSE", bsd.as_bytes()),
        ("example.com/other@v1.0.0/LICENSE", bsd.as_bytes()),
    ]);
    let server = serve_zip(zip);
    let answers = GoProxy::new(&server.url()).versions(&http(), &[go("example.com/m", "v1.0.0")]);
    assert_eq!(licenses(found(&answers[0])), vec![("MIT", "LICENSE")]);

    // Only a nested module's license: none for the module itself.
    let zip = zip_of(&[
        ("example.com/m@v1.0.0/go.mod", b"module example.com/m\n"),
        (
            "example.com/m@v1.0.0/sub/go.mod",
            b"module example.com/m/sub\n",
        ),
        ("example.com/m@v1.0.0/sub/LICENSE", bsd.as_bytes()),
    ]);
    let server = serve_zip(zip);
    let answers = GoProxy::new(&server.url()).versions(&http(), &[go("example.com/m", "v1.0.0")]);
    let facts = found(&answers[0]);
    assert!(facts.licenses.is_empty(), "{facts:?}");
}

#[test]
fn goproxy_refuses_a_zip_bomb_license() {
    // 16 MiB of one byte deflates to about 16 KiB; a license file may be 256 KiB.
    let bomb = vec![b'a'; 16 * 1024 * 1024];
    let zip = zip_of(&[("example.com/m@v1.0.0/LICENSE", &bomb)]);
    assert!(zip.len() < 1024 * 1024, "{}", zip.len());
    let server = serve_zip(zip);
    let answers = GoProxy::new(&server.url()).versions(&http(), &[go("example.com/m", "v1.0.0")]);
    match &answers[0] {
        Err(e @ SourceError::Malformed { url, reason, .. }) => {
            assert!(url.ends_with("/example.com/m/@v/v1.0.0.zip"), "{url}");
            assert!(reason.contains("LICENSE"), "{reason}");
            assert!(e.to_string().contains("Go module proxy"), "{e}");
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn goproxy_refuses_an_oversized_zip() {
    let big = vec![0u8; goproxy::ZIP_LIMIT as usize + 1];
    let server = serve_zip(big);
    let answers = GoProxy::new(&server.url()).versions(&http(), &[go("example.com/m", "v1.0.0")]);
    assert!(
        matches!(&answers[0], Err(SourceError::Net(NetError::TooLarge { limit, .. })) if *limit == goproxy::ZIP_LIMIT),
        "{:?}",
        answers[0]
    );
}

#[test]
fn goproxy_not_a_zip_is_malformed() {
    let server = serve_zip(b"<html>not a zip</html>".to_vec());
    let answers = GoProxy::new(&server.url()).versions(&http(), &[go("example.com/m", "v1.0.0")]);
    assert!(
        matches!(&answers[0], Err(SourceError::Malformed { url, .. }) if url.ends_with("/example.com/m/@v/v1.0.0.zip")),
        "{:?}",
        answers[0]
    );
}

#[test]
fn the_three_sources_are_built_after_the_registries_in_order() {
    let endpoints = bomscout_enrich::Endpoints::defaults();
    let names: Vec<&str> = bomscout_enrich::sources::build(&endpoints)
        .iter()
        .map(|s| s.name())
        .collect();
    let at = |n: &str| names.iter().position(|x| *x == n).unwrap();
    assert!(at("goproxy") < at("clearlydefined"));
    assert!(at("clearlydefined") < at("depsdev"));
}

// ---------------------------------------------------------------- batching and budgets

#[test]
fn depsdev_projects_are_asked_one_by_one_when_there_is_no_batch_endpoint() {
    let batch: Value = serde_json::from_slice(&fixture("depsdev/projectbatch.json")).unwrap();
    let pflag = serde_json::to_vec(&batch["responses"][0]["project"]).unwrap();
    let server = Server::routes(vec![
        ("/v3alpha/projectbatch".into(), Canned::status(405)),
        (
            "/v3/projects/github.com%2Fspf13%2Fpflag".into(),
            Canned::json(pflag),
        ),
    ]);
    let repos = vec![
        "https://github.com/spf13/pflag".to_string(),
        "https://github.com/example-owner/gone".to_string(),
    ];
    let answers = DepsDev::new(&server.url())
        .projects(&http(), &repos)
        .unwrap();
    assert_eq!(found(&answers[0]).scorecard.as_ref().unwrap().score, 4.1);
    assert!(matches!(answers[1], Ok(Answer::NotFound { .. })));
    assert_eq!(server.count(), 3);
}

#[test]
fn batches_are_cut_at_each_services_limit() {
    let server = Server::start(|req| match req.path.as_str() {
        "/definitions" => Canned::json("{}"),
        "/v3alpha/versionbatch" => Canned::json("{\"responses\": []}"),
        _ => Canned::not_found(),
    });
    let keys: Vec<Coordinates> = (0..5001)
        .map(|i| key(Ecosystem::Npm, None, &format!("p{i}"), "1.0.0"))
        .collect();

    let answers = ClearlyDefined::new(&server.url()).versions(&http(), &keys[..501]);
    assert_eq!(answers.len(), 501);
    assert!(answers
        .iter()
        .all(|a| matches!(a, Ok(Answer::NotFound { .. }))));
    let sizes: Vec<usize> = server
        .requests()
        .iter()
        .map(|r| body(r).as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![500, 1]);

    let answers = DepsDev::new(&server.url()).versions(&http(), &keys);
    assert_eq!(answers.len(), 5001);
    assert!(answers
        .iter()
        .all(|a| matches!(a, Ok(Answer::NotFound { .. }))));
    let sizes: Vec<usize> = server.requests()[2..]
        .iter()
        .map(|r| body(r)["requests"].as_array().unwrap().len())
        .collect();
    assert_eq!(sizes, vec![5000, 1]);
}

#[test]
fn a_spent_budget_is_reported_for_every_key_of_a_batch() {
    let server = Server::start(|_| Canned::json("{}"));
    let mut config = ClientConfig::new("bomscout-test");
    config.attempts = 1;
    let spent = Http::new(
        Client::new(config).unwrap(),
        Some(std::time::Instant::now() - std::time::Duration::from_secs(1)),
    );
    let keys = vec![
        key(Ecosystem::Npm, None, "lodash", "4.17.21"),
        key(Ecosystem::PyPI, None, "requests", "2.31.0"),
    ];
    for answers in [
        ClearlyDefined::new(&server.url()).versions(&spent, &keys),
        DepsDev::new(&server.url()).versions(&spent, &keys),
        GoProxy::new(&server.url()).versions(&spent, &[go("github.com/spf13/pflag", "v1.0.9")]),
    ] {
        assert!(!answers.is_empty());
        for answer in &answers {
            assert!(matches!(answer, Err(e) if e.is_out_of_time()), "{answer:?}");
        }
    }
    assert_eq!(server.count(), 0, "nothing is sent past the deadline");
}
