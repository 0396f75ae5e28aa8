//! Fixture tests for pip requirements files, pyproject.toml and installed distributions.

use crate::common;
use bomscout_core::{Catalog, Cataloger, NodeRef};
use std::path::PathBuf;
use test_case::test_case;

/// Parses `fixtures/python/<scenario>/<rel>` with the scan root at the scenario.
fn parse_fixture(cataloger: Cataloger, scenario: &str, rel: &str) -> Catalog {
    common::catalog_in(&scenario_dir(scenario), cataloger, rel)
}

fn scenario_dir(scenario: &str) -> PathBuf {
    common::fixture_path(&format!("python/{scenario}"))
}

/// One line per package: purl, version or requirement, hash count, the edge kinds the
/// projects give it, location, properties.
fn summary(catalog: &Catalog) -> Vec<String> {
    catalog
        .packages
        .iter()
        .enumerate()
        .map(|(i, p)| {
            let c = &p.component;
            let kinds: Vec<String> = catalog
                .projects
                .iter()
                .flat_map(|pr| pr.deps.iter())
                .filter(|e| e.to == NodeRef::Package(i))
                .map(|e| format!("{:?}", e.kind))
                .collect();
            let at: Vec<String> = c.locations.iter().map(|l| l.to_string()).collect();
            // `author` is checked on its own (installed_packages_record_their_author).
            let props: Vec<String> = c
                .properties
                .iter()
                .filter(|(k, _)| k.as_str() != "author")
                .map(|(k, v)| format!("{k}={v}"))
                .collect();
            format!(
                "{} | {} | {} | h{} | {} | {} | {}",
                c.name,
                c.version
                    .clone()
                    .or(c.requirement.clone())
                    .unwrap_or_default(),
                c.purl,
                c.hashes.len(),
                kinds.join(","),
                at.join(","),
                props.join(" ")
            )
        })
        .collect()
}

fn licenses(catalog: &Catalog) -> Vec<String> {
    catalog
        .packages
        .iter()
        .flat_map(|p| p.component.licenses.iter())
        .map(|l| format!("{} [{}:{:?}]", l.raw, l.source.field, l.source.kind))
        .collect()
}

fn lines(v: &[&str]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).collect()
}

fn messages(catalog: &Catalog) -> Vec<String> {
    catalog
        .diagnostics
        .iter()
        .map(|d| format!("{}:{} {}", d.path, d.line.unwrap_or(0), d.message))
        .collect()
}

#[test]
fn pip_compile_output_with_hashes() {
    let c = parse_fixture(
        Cataloger::PipRequirements,
        "requirements",
        "requirements.txt",
    );
    assert_eq!(
        summary(&c),
        lines(&[
            "certifi | 2026.10.19.post1 | pkg:pypi/certifi@2026.10.19.post1 | h1 |  | requirements.txt:9 | ",
            "charset-normalizer | 3.5.2 | pkg:pypi/charset-normalizer@3.5.2 | h172 |  | requirements.txt:12 | ",
            "click | 8.5.1 | pkg:pypi/click@8.5.1 | h2 | Normal | requirements.txt:186 | ",
            "idna | 3.20 | pkg:pypi/idna@3.20 | h2 |  | requirements.txt:190 | ",
            "requests | 2.34.2 | pkg:pypi/requests@2.34.2 | h2 | Normal | requirements.txt:194 | ",
            "urllib3 | 2.8.0 | pkg:pypi/urllib3@2.8.0 | h2 |  | requirements.txt:198 | ",
        ])
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.projects.len(), 1);
    assert_eq!(c.projects[0].dir, ".");
    assert_eq!(c.projects[0].manifest, "requirements.txt");
    assert_eq!(c.projects[0].name, None);
}

#[test]
fn dev_file_includes_runtime_and_pins_through_constraints() {
    let c = parse_fixture(
        Cataloger::PipRequirements,
        "requirements",
        "requirements-dev.txt",
    );
    assert_eq!(
        summary(&c),
        lines(&[
            "certifi | 2026.10.19.post1 | pkg:pypi/certifi@2026.10.19.post1 | h1 |  | requirements.txt:9 | ",
            "charset-normalizer | 3.5.2 | pkg:pypi/charset-normalizer@3.5.2 | h172 |  | requirements.txt:12 | ",
            "click | 8.5.1 | pkg:pypi/click@8.5.1 | h2 | Dev | requirements.txt:186 | ",
            "idna | 3.20 | pkg:pypi/idna@3.20 | h2 |  | requirements.txt:190 | ",
            "requests | 2.34.2 | pkg:pypi/requests@2.34.2 | h2 | Dev | requirements.txt:194 | ",
            "urllib3 | 2.8.0 | pkg:pypi/urllib3@2.8.0 | h2 |  | requirements.txt:198 | ",
            "ruff | 0.17.6 | pkg:pypi/ruff@0.17.6 | h0 | Dev | requirements-dev.txt:5 | ",
            "pytest | 9.2.0 | pkg:pypi/pytest@9.2.0 | h0 | Dev | requirements-dev.txt:6 | constraint=constraints.txt:19",
            "coverage | 7.17.4 | pkg:pypi/coverage@7.17.4 | h0 | Dev | requirements-dev.txt:7 | constraint=constraints.txt:9 extras=toml",
        ])
    );
    // iniconfig, pluggy, pygments, packaging are only constrained: not dependencies.
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.projects[0].dir, ".");
}

#[test]
fn both_requirements_files_make_one_project_and_runtime_stays_required() {
    use bomscout_core::{SbomBuilder, Scope};
    let mut b = SbomBuilder::new("requirements");
    b.add(parse_fixture(
        Cataloger::PipRequirements,
        "requirements",
        "requirements.txt",
    ));
    b.add(parse_fixture(
        Cataloger::PipRequirements,
        "requirements",
        "requirements-dev.txt",
    ));
    let sbom = b.finish();
    assert_eq!(sbom.projects.len(), 1);
    let scope = |key: &str| sbom.component(key).map(|c| c.scope);
    assert_eq!(scope("pkg:pypi/requests@2.34.2"), Some(Scope::Required));
    assert_eq!(scope("pkg:pypi/pytest@9.2.0"), Some(Scope::Dev));
    assert_eq!(scope("pkg:pypi/ruff@0.17.6"), Some(Scope::Dev));
    assert_eq!(sbom.components.len(), 9);
}

#[test]
fn hand_written_quirks() {
    let c = parse_fixture(
        Cataloger::PipRequirements,
        "requirements-quirks",
        "requirements.txt",
    );
    assert_eq!(
        summary(&c),
        lines(&[
            "attrs | >=23.1 | pkg:pypi/attrs | h0 | Normal | base.txt:2 | ",
            "packaging | 26.3 | pkg:pypi/packaging@26.3 | h0 | Normal | base.txt:3 | ",
            "Django | >=4.2,<5.0 | pkg:pypi/django | h0 | Normal | requirements.txt:8 | ",
            "requests | 2.34.2 | pkg:pypi/requests@2.34.2 | h0 | Normal | requirements.txt:9 | extras=socks,security",
            "PyYAML | 6.0.4 | pkg:pypi/pyyaml@6.0.4 | h0 | Normal | requirements.txt:10 | marker=python_version >= \"3.8\"",
            "urllib3 | 2.8.0 | pkg:pypi/urllib3@2.8.0 | h2 | Normal | requirements.txt:11 | ",
            "numpy | 1.26.4 | pkg:pypi/numpy@1.26.4 | h0 | Normal | requirements.txt:14 | ",
            "pywin32 | 306 | pkg:pypi/pywin32@306 | h0 | Normal | requirements.txt:15 | marker=sys_platform == \"win32\"",
            "gunicorn | ~=22.0 | pkg:pypi/gunicorn | h0 | Normal | requirements.txt:16 | ",
            "idna | * | pkg:pypi/idna | h0 | Normal | requirements.txt:17 | ",
            "flask | git+https://github.com/pallets/flask.git@3.0.3#egg=flask | pkg:pypi/flask?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fpallets%2Fflask.git%403.0.3 | h0 | Normal | requirements.txt:22 | editable=true",
            "black | git+https://github.com/psf/black.git@24.4.2#egg=black | pkg:pypi/black?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fpsf%2Fblack.git%4024.4.2 | h0 | Normal | requirements.txt:25 | ",
            "six | 1.17.0 | pkg:pypi/six@1.17.0?download_url=https:%2F%2Fregistry.example.invalid%2Fpackages%2Fb7%2Fce%2F149a00dd41f10bc29e5921b496af8b574d8413afcd5e30dfa0ed46c2cc5e%2Fsix-1.17.0-py2.py3-none-any.whl | h0 | Normal | requirements.txt:26 | ",
            "pip | https://github.com/pypa/pip/archive/22.0.2.zip | pkg:pypi/pip?download_url=https:%2F%2Fgithub.com%2Fpypa%2Fpip%2Farchive%2F22.0.2.zip | h0 | Normal | requirements.txt:27 | ",
            "tomli | 2.0.1 | pkg:pypi/tomli@2.0.1?download_url=https:%2F%2Fexample.com%2Fwheels%2Ftomli-2.0.1-py3-none-any.whl | h0 | Normal | requirements.txt:28 | ",
        ])
    );
    // `-e .` and `--editable ./libs/acme-core` are first-party code: no component.
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
}

#[test]
fn corrupt_requirements_keep_good_lines_and_warn_per_bad_line() {
    let c = parse_fixture(
        Cataloger::PipRequirements,
        "corrupt-req",
        "requirements.txt",
    );
    let names: Vec<&str> = c
        .packages
        .iter()
        .map(|p| p.component.name.as_str())
        .collect();
    assert_eq!(
        names,
        [
            "good",
            "hashed",
            "from-b",
            "from-a",
            "from-nested",
            "after-continuation"
        ]
    );
    assert_eq!(
        messages(&c),
        lines(&[
            "requirements.txt:3 requirement \"foo=1.0\" skipped: expected a version operator (==, >=, ...) at 3",
            "requirements.txt:4 requirement \"==2.0\" skipped: expected a package name at 0",
            "requirements.txt:5 requirement \"bar[baz\" skipped: expected \",\" or \"]\" in extras at 7",
            "requirements.txt:6 unknown option \"--no-such-option\" ignored",
            "requirements.txt:7 hash \"sha256:not-hex\" ignored: not alg:hex",
            "requirements.txt:8 include \"missing.txt\": no such file",
            "cycle-b.txt:1 include cycle: \"cycle-a.txt\" is already being read",
            "requirements.txt:10 included file \"latin1.txt\": not UTF-8 text (invalid byte at line 1)",
            "requirements.txt:12 requirement \"https://example.com/archive.tar.gz\" skipped: cannot tell the package name of this URL (add #egg=name)",
        ])
    );
    // `hashed` is kept without its bad hash; nested/deep.txt's include of cycle-b.txt,
    // already read, is skipped silently.
    assert!(c.packages[1].component.hashes.is_empty());
}

#[test]
fn non_utf8_requirements_file_is_an_error_with_its_line() {
    let rel = "requirements-binary.txt";
    let err = common::try_catalog_in(
        &scenario_dir("corrupt-req"),
        Cataloger::PipRequirements,
        rel,
    )
    .unwrap_err();
    assert_eq!(err.line(), Some(2));
}

#[test]
fn pep621_with_extras_and_dependency_groups() {
    let c = parse_fixture(Cataloger::Pyproject, "pyproject-pep621", "pyproject.toml");
    assert_eq!(
        summary(&c),
        lines(&[
            "click | >=8.5.1 | pkg:pypi/click | h0 | Normal | pyproject.toml:13 | extras=testing marker=python_full_version >= '3.10'",
            "requests | >=2.31 | pkg:pypi/requests | h0 | Normal | pyproject.toml:14 | ",
            "tomli | >=2 | pkg:pypi/tomli | h0 | Normal | pyproject.toml:15 | marker=python_full_version < '3.11'",
            "pysocks | >=1.7 | pkg:pypi/pysocks | h0 | Optional | pyproject.toml:20 | extra=socks",
            "pyyaml | >=6.0.4 | pkg:pypi/pyyaml | h0 | Optional | pyproject.toml:23 | extra=yaml",
            "pytest | >=8 | pkg:pypi/pytest | h0 | Dev | pyproject.toml:32 | group=dev",
            "ruff | >=0.17.6 | pkg:pypi/ruff | h0 | Dev | pyproject.toml:39 | group=lint",
            "coverage | >=7 | pkg:pypi/coverage | h0 | Dev | pyproject.toml:36 | extras=toml group=test",
        ])
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let p = &c.projects[0];
    assert_eq!(p.name.as_deref(), Some("acme-widgets"));
    assert_eq!(p.version.as_deref(), Some("0.1.0"));
    assert_eq!(
        p.purl.as_ref().map(|p| p.as_str()),
        Some("pkg:pypi/acme-widgets@0.1.0")
    );
    let lic: Vec<(&str, &str)> = p
        .licenses
        .iter()
        .map(|l| (l.raw.as_str(), l.source.field.as_str()))
        .collect();
    assert_eq!(lic, [("MIT OR Apache-2.0", "project.license")]);
}

#[test]
fn poetry_legacy_tables() {
    let c = parse_fixture(Cataloger::Pyproject, "pyproject-poetry", "pyproject.toml");
    assert_eq!(
        summary(&c),
        lines(&[
            "click | >=8 | pkg:pypi/click | h0 | Normal | pyproject.toml | extras=testing",
            "pysocks | ^1.7.1 | pkg:pypi/pysocks | h0 | Optional | pyproject.toml | extra=socks",
            "requests | ^2.31 | pkg:pypi/requests | h0 | Normal | pyproject.toml | ",
            "tomli | >=2 | pkg:pypi/tomli | h0 | Normal | pyproject.toml | python=<3.12",
            "pytest | ^9.2.0 | pkg:pypi/pytest | h0 | Dev | pyproject.toml | group=dev",
            "mkdocs | ~1.6 | pkg:pypi/mkdocs | h0 | Dev | pyproject.toml | group=docs",
        ])
    );
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    let p = &c.projects[0];
    assert_eq!(p.name.as_deref(), Some("acme-cli"));
    assert_eq!(
        p.purl.as_ref().map(|p| p.as_str()),
        Some("pkg:pypi/acme-cli@0.1.0")
    );
    let lic: Vec<(&str, &str)> = p
        .licenses
        .iter()
        .map(|l| (l.raw.as_str(), l.source.field.as_str()))
        .collect();
    assert_eq!(lic, [("MIT", "tool.poetry.license")]);
}

#[test]
fn invalid_pyproject_is_an_error_with_its_line() {
    let dir = scenario_dir("pyproject-corrupt");
    let err = common::try_catalog_in(&dir, Cataloger::Pyproject, "pyproject.toml").unwrap_err();
    assert!(err.line().is_some(), "{err}");
}

const SITE: &str = "venv/lib/python3.11/site-packages";

/// `(summary, licenses)` of one installed record.
fn installed(dist_info: &str) -> (Vec<String>, Vec<String>) {
    let rel = format!("{SITE}/{dist_info}/METADATA");
    let c = parse_fixture(Cataloger::PythonInstalled, "installed", &rel);
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert!(c.projects.is_empty());
    // Fingerprints are checked on their own below; the summaries stay readable.
    let summary = summary(&c)
        .into_iter()
        .map(|s| {
            s.split(' ')
                .filter(|w| !w.starts_with("license-file-sha256="))
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    (summary, licenses(&c))
}

#[test]
fn installed_license_files_are_fingerprinted() {
    let rel = format!("{SITE}/attrs-26.1.0.dist-info/METADATA");
    let c = parse_fixture(Cataloger::PythonInstalled, "installed", &rel);
    // `sha256sum` of the fixture's licenses/LICENSE.
    assert_eq!(
        c.packages[0].component.properties["license-file-sha256"],
        "licenses/LICENSE:882115c95dfc2af1eeb6714f8ec6d5cbcabf667caff8729f42420da63f714e9f"
    );
}

#[test]
fn installed_venv() {
    let cases: &[(&str, &str, &[&str])] = &[
        ("attrs-26.1.0.dist-info", "attrs | 26.1.0 | pkg:pypi/attrs@26.1.0 | license-files=LICENSE",
            &["MIT [License-Expression:Declared]", "MIT [license-file:File]"]),
        ("certifi-2026.10.19.post1.dist-info", "certifi | 2026.10.19.post1 | pkg:pypi/certifi@2026.10.19.post1 | license-files=LICENSE",
            &["MPL-2.0 [License:Declared]", "License :: OSI Approved :: Mozilla Public License 2.0 (MPL 2.0) [Classifier:Classifier]"]),
        ("charset_normalizer-3.5.2.dist-info", "charset-normalizer | 3.5.2 | pkg:pypi/charset-normalizer@3.5.2 | license-files=LICENSE",
            &["MIT [License:Declared]", "MIT [license-file:File]"]),
        ("idna-3.20.dist-info", "idna | 3.20 | pkg:pypi/idna@3.20 | license-files=LICENSE.md",
            &["BSD-3-Clause [License-Expression:Declared]", "BSD-3-Clause [license-file:File]"]),
        // A whole license text in `License`: only its first line is kept.
        ("numpy-1.26.4.dist-info", "numpy | 1.26.4 | pkg:pypi/numpy@1.26.4 | ",
            &["Copyright (c) 2005-2023, NumPy Developers. [License:Declared]", "License :: OSI Approved :: BSD License [Classifier:Classifier]"]),
        ("packaging-26.3.dist-info", "packaging | 26.3 | pkg:pypi/packaging@26.3 | license-files=LICENSE,LICENSE.APACHE,LICENSE.BSD",
            &["Apache-2.0 OR BSD-2-Clause [License-Expression:Declared]", "Apache-2.0 [license-file:File]", "BSD-2-Clause [license-file:File]"]),
        ("pip-23.2.1.dist-info", "pip | 23.2.1 | pkg:pypi/pip@23.2.1 | license-files=LICENSE.txt,AUTHORS.txt",
            &["MIT [License:Declared]", "License :: OSI Approved :: MIT License [Classifier:Classifier]", "MIT [license-file:File]"]),
        ("requests-2.34.2.dist-info", "requests | 2.34.2 | pkg:pypi/requests@2.34.2 | license-files=LICENSE,NOTICE",
            &["Apache-2.0 [License:Declared]", "License :: OSI Approved :: Apache Software License [Classifier:Classifier]", "Apache-2.0 [license-file:File]"]),
        // Only a classifier.
        ("setuptools-65.5.0.dist-info", "setuptools | 65.5.0 | pkg:pypi/setuptools@65.5.0 | license-files=LICENSE",
            &["License :: OSI Approved :: MIT License [Classifier:Classifier]", "MIT [license-file:File]"]),
        ("six-1.17.0.dist-info", "six | 1.17.0 | pkg:pypi/six@1.17.0 | license-files=LICENSE",
            &["MIT [License:Declared]", "License :: OSI Approved :: MIT License [Classifier:Classifier]", "MIT [license-file:File]"]),
        ("urllib3-2.8.0.dist-info", "urllib3 | 2.8.0 | pkg:pypi/urllib3@2.8.0 | license-files=LICENSE.txt",
            &["MIT [License-Expression:Declared]", "MIT [license-file:File]"]),
    ];
    // Each license file is matched against the declared license: where it confirms it, it is
    // kept as `File` evidence (packaging's two files, one per alternative of its OR); certifi's
    // and numpy's files are not a single SPDX text, so they add nothing.
    for (dir, expected, expected_licenses) in cases {
        let (summary, licenses) = installed(dir);
        let (head, props) = expected.rsplit_once(" | ").unwrap();
        let want = format!("{head} | h0 |  | {SITE}/{dir}/METADATA | {props}");
        assert_eq!(summary, [want], "{dir}");
        assert_eq!(licenses, lines(expected_licenses), "{dir}");
    }
}

#[test]
fn egg_info_pkg_info() {
    let c = parse_fixture(
        Cataloger::PythonInstalled,
        "installed",
        "sdist/six-1.17.0/six.egg-info/PKG-INFO",
    );
    assert_eq!(
        summary(&c),
        lines(&["six | 1.17.0 | pkg:pypi/six@1.17.0 | h0 |  | sdist/six-1.17.0/six.egg-info/PKG-INFO | license-files=LICENSE"])
    );
    assert_eq!(
        licenses(&c),
        lines(&[
            "MIT [License:Declared]",
            "License :: OSI Approved :: MIT License [Classifier:Classifier]"
        ])
    );
}

#[test]
fn installed_packages_record_their_author() {
    let c = parse_fixture(
        Cataloger::PythonInstalled,
        "installed",
        "sdist/six-1.17.0/six.egg-info/PKG-INFO",
    );
    assert_eq!(
        c.packages[0]
            .component
            .properties
            .get("author")
            .map(String::as_str),
        Some("Benjamin Peterson")
    );
}

/// pip-compile's `# via` comments tell direct pins from transitive ones: only what an input
/// file declares hangs off the project; the rest hangs off the package that pulls it in.
#[test]
fn pip_compile_via_comments_give_the_transitive_graph() {
    use bomscout_core::Scope;
    let c = parse_fixture(
        Cataloger::PipRequirements,
        "requirements",
        "requirements.txt",
    );
    let name = |n: &NodeRef| match n {
        NodeRef::Package(i) => c.packages[*i].component.name.clone(),
        NodeRef::Project(_) => "project".into(),
    };
    let requests = common::named(&c, "requests");
    let mut deps: Vec<String> = requests.deps.iter().map(|e| name(&e.to)).collect();
    deps.sort();
    assert_eq!(deps, ["certifi", "charset-normalizer", "idna", "urllib3"]);
    let sbom = common::sbom(vec![c]);
    let direct: Vec<&str> = sbom
        .components
        .iter()
        .filter(|c| c.direct)
        .map(|c| c.name.as_str())
        .collect();
    assert_eq!(direct, ["click", "requests"]);
    assert!(sbom.components.iter().all(|c| c.scope == Scope::Required));
}

#[test_case(Cataloger::PipRequirements, "python/requirements/requirements.txt" ; "pip compile")]
#[test_case(Cataloger::PipRequirements, "python/requirements/requirements-dev.txt" ; "pip compile dev")]
#[test_case(Cataloger::PipRequirements, "python/requirements-quirks/requirements.txt" ; "quirks")]
#[test_case(Cataloger::PipRequirements, "python/corrupt-req/requirements.txt" ; "corrupt lines")]
#[test_case(Cataloger::Pyproject, "python/pyproject-pep621/pyproject.toml" ; "pep 621")]
#[test_case(Cataloger::Pyproject, "python/pyproject-poetry/pyproject.toml" ; "poetry tables")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test]
fn snapshot_installed() {
    let dir = "python/installed";
    let mut records = common::snapshot::files_named(dir, "METADATA");
    records.extend(common::snapshot::files_named(dir, "PKG-INFO"));
    common::snapshot::assert_scenario(dir, Cataloger::PythonInstalled, &records);
}

#[test_case(Cataloger::PipRequirements, "python/corrupt-req/requirements-binary.txt" ; "not utf8")]
#[test_case(Cataloger::Pyproject, "python/pyproject-corrupt/pyproject.toml" ; "invalid pyproject")]
fn snapshot_corrupt(cataloger: Cataloger, rel: &str) {
    assert!(common::snapshot::assert_fixture_outcome(cataloger, rel).is_err());
}
