//! The pipeline run as a library, on the repository's fixtures, without the binary.

use bomscout_core::{Sbom, Severity, Silent};
use bomscout_pipeline::{check, CheckSettings, Pipeline, RawSettings, Settings};
use bomscout_policy::{Date, Policy};
use std::path::PathBuf;

fn fixture(rel: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel)
}

fn settings(rel: &str, edit: impl FnOnce(&mut RawSettings)) -> Settings {
    let mut raw = RawSettings {
        paths: vec![fixture(rel)],
        read_caches: false,
        ..RawSettings::default()
    };
    edit(&mut raw);
    Settings::new(raw).expect("valid settings")
}

/// `(purl, scope, license)` of every component, sorted.
fn components(sbom: &Sbom) -> Vec<(String, &'static str, String)> {
    let mut out: Vec<_> = sbom
        .components
        .iter()
        .map(|c| {
            let licenses: Vec<&str> = c.licenses.iter().map(|l| l.display()).collect();
            (c.purl.to_string(), c.scope.as_str(), licenses.join(" "))
        })
        .collect();
    out.sort();
    out
}

fn expected_lock_v3() -> Vec<(String, &'static str, String)> {
    let mut v: Vec<_> = [
        ("pkg:npm/%40sindresorhus/is@4.6.0", "required", "MIT"),
        ("pkg:npm/debug@2.6.9", "required", "MIT"),
        ("pkg:npm/is-number@6.0.0", "optional", "MIT"),
        ("pkg:npm/is-number@7.0.0", "required", "MIT"),
        ("pkg:npm/is-odd@3.0.1", "optional", "MIT"),
        ("pkg:npm/left-pad@1.3.0", "dev", "WTFPL"),
        ("pkg:npm/ms@2.0.0", "required", "MIT"),
        ("pkg:npm/ms@2.1.3", "required", "MIT"),
    ]
    .into_iter()
    .map(|(p, s, l)| (p.to_string(), s, l.to_string()))
    .collect();
    v.sort();
    v
}

#[test]
fn an_npm_lockfile_becomes_its_components_with_scopes_and_licenses() {
    let sbom = bomscout_pipeline::run(&settings("npm/lock-v3", |_| {}), &Silent).unwrap();
    assert_eq!(sbom.name, "lock-v3");
    assert_eq!(components(&sbom), expected_lock_v3());
    assert!(sbom.diagnostics.is_empty(), "{:?}", sbom.diagnostics);
}

#[test]
fn no_dev_leaves_the_dev_dependency_out() {
    let sbom =
        bomscout_pipeline::run(&settings("npm/lock-v3", |r| r.no_dev = true), &Silent).unwrap();
    let mut expected = expected_lock_v3();
    expected.retain(|(_, scope, _)| *scope != "dev");
    assert_eq!(components(&sbom), expected);
}

#[test]
fn a_pipeline_with_its_own_threads_gives_the_same_result() {
    let plain = bomscout_pipeline::run(&settings("npm", |_| {}), &Silent).unwrap();
    let pipeline = Pipeline::new(settings("npm", |r| r.jobs = Some(2))).unwrap();
    let pooled = pipeline.run(&Silent).unwrap();
    assert_eq!(components(&plain), components(&pooled));
    assert_eq!(plain.diagnostics, pooled.diagnostics);
    assert!(!plain.components.is_empty());
}

/// Records the size of the rayon pool the parsers report progress from.
#[derive(Default)]
struct PoolSize(std::sync::Mutex<Vec<usize>>);

impl bomscout_core::Reporter for PoolSize {
    fn parsed(&self, _done: u64, _total: u64) {
        if let Ok(mut seen) = self.0.lock() {
            seen.push(rayon::current_num_threads());
        }
    }
}

#[test]
fn a_pipeline_parses_on_its_own_threads_and_leaves_the_global_pool_alone() {
    let global = rayon::current_num_threads();
    for jobs in [1, 3] {
        let pipeline = Pipeline::new(settings("npm/lock-v3", |r| r.jobs = Some(jobs))).unwrap();
        let seen = PoolSize::default();
        pipeline.run(&seen).unwrap();
        let seen = seen.0.into_inner().unwrap();
        assert!(!seen.is_empty());
        assert!(seen.iter().all(|&n| n == jobs), "{jobs}: {seen:?}");
        assert_eq!(rayon::current_num_threads(), global);
    }
}

#[test]
fn corrupt_files_are_diagnostics_and_the_rest_is_kept() {
    let sbom = bomscout_pipeline::run(
        &settings("npm", |r| r.excludes = vec!["attribution".into()]),
        &Silent,
    )
    .unwrap();
    let corrupt: Vec<&str> = sbom
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .map(|d| d.path.as_str())
        .collect();
    assert!(
        corrupt.iter().all(|p| p.starts_with("corrupt/")),
        "{corrupt:?}"
    );
    assert!(corrupt.len() >= 3, "{corrupt:?}");
    assert!(components(&sbom)
        .iter()
        .any(|(purl, _, _)| purl == "pkg:npm/left-pad@1.3.0"));
    assert!(
        !sbom.components.iter().any(|c| c
            .locations
            .iter()
            .any(|l| l.path.starts_with("attribution/"))),
        "the exclude glob was applied"
    );
}

#[test]
fn an_empty_directory_says_nothing_was_found_at_the_severity_asked() {
    let dir = tempfile::tempdir().unwrap();
    let raw = RawSettings {
        paths: vec![dir.path().to_path_buf()],
        ..RawSettings::default()
    };
    let lax = Settings::new(raw.clone()).unwrap();
    let strict = Settings::new(RawSettings {
        strict: true,
        ..raw
    })
    .unwrap();
    for (settings, severity) in [
        (lax.clone(), Severity::Warning),
        (strict, Severity::Error),
        (lax.with_nothing_found(Severity::Info), Severity::Info),
    ] {
        let sbom = bomscout_pipeline::run(&settings, &Silent).unwrap();
        assert!(sbom.components.is_empty());
        assert_eq!(sbom.diagnostics.len(), 1, "{:?}", sbom.diagnostics);
        assert_eq!(sbom.diagnostics[0].severity, severity);
        assert!(sbom.diagnostics[0]
            .message
            .contains("nothing found to catalog"));
    }
}

#[test]
fn check_judges_the_scan_and_a_baseline_keeps_only_new_findings() {
    let policy = Policy::from_text(
        "test-policy.toml",
        "[policy]\nname = \"test\"\n\n[licenses]\nscopes = [\"required\", \"optional\", \"dev\"]\nallow = [\"MIT\"]\ndeny = [\"WTFPL\"]\n",
    )
    .unwrap();
    let today = Date::parse("2026-12-04").unwrap();
    let settings = settings("npm/lock-v3", |_| {});
    let judge = CheckSettings {
        today,
        allow_unreadable: false,
        baseline: None,
        advisories: None,
    };
    let checked = check(&settings, &Silent, &policy, &judge).unwrap();
    assert_eq!(components(&checked.sbom), expected_lock_v3());
    let denied: Vec<&str> = checked
        .evaluation
        .findings
        .iter()
        .filter(|f| f.verdict == bomscout_policy::Action::Deny)
        .map(|f| f.purl.as_str())
        .collect();
    assert_eq!(denied, ["pkg:npm/left-pad@1.3.0"]);
    assert!(checked.changes.is_none());

    // Against itself as the baseline nothing is new and nothing changed.
    let with_baseline = CheckSettings {
        baseline: Some(&checked.sbom),
        ..judge
    };
    let again = check(&settings, &Silent, &policy, &with_baseline).unwrap();
    assert!(
        again
            .evaluation
            .violations(bomscout_policy::Action::Deny)
            .next()
            .is_none(),
        "{:?}",
        again.evaluation.findings
    );
    let changes = again.changes.expect("a baseline gives changes");
    assert!(changes.added.is_empty() && changes.removed.is_empty());
}

#[test]
fn check_with_advisories_matches_the_scan_and_the_baseline_against_one_database() {
    let policy = Policy::from_text(
        "test-policy.toml",
        "[licenses]\nallow = [\"category:permissive\", \"category:weak-copyleft\", \"category:public-domain\"]\n\
         [security]\ndeny-severity = \"medium\"\n",
    )
    .unwrap();
    let index = tempfile::tempdir().unwrap();
    let advisories = bomscout_pipeline::AdvisorySettings {
        database: fixture("advisories"),
        index_dir: Some(index.path().to_path_buf()),
        ..Default::default()
    };
    let settings = settings("python/installed", |_| {});
    let judge = CheckSettings {
        today: Date::parse("2026-12-04").unwrap(),
        allow_unreadable: false,
        baseline: None,
        advisories: Some(&advisories),
    };
    let checked = check(&settings, &Silent, &policy, &judge).unwrap();
    let denied: Vec<&str> = checked
        .evaluation
        .security_violations(bomscout_policy::Action::Deny)
        .map(|f| f.id.as_str())
        .collect();
    assert_eq!(denied, ["PYSEC-2023-228"], "pip's medium finding");
    assert!(!checked.sbom.vulnerabilities.is_empty());

    // The baseline is a plain scan (no findings of its own): matched against the same
    // database, pip's finding is old.
    let plain = bomscout_pipeline::run(&settings, &Silent).unwrap();
    assert!(plain.vulnerabilities.is_empty());
    let against = CheckSettings {
        baseline: Some(&plain),
        ..judge
    };
    let again = check(&settings, &Silent, &policy, &against).unwrap();
    assert_eq!(
        again
            .evaluation
            .security_violations(bomscout_policy::Action::Deny)
            .count(),
        0
    );
}
