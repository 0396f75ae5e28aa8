//! The binary on the library's pipeline: the same SBOM either way, and settings refused
//! once, up front, naming what is wrong.

mod common;

use bomscout_pipeline::{RawSettings, Settings};
use bomscout_report::Format;
use common::{bomscout, fixture, outcome};

/// What the library writes for `rel` as `scan rel --no-caches -o FORMAT` would.
fn library_output(rel: &str, format: Format) -> Vec<u8> {
    let settings = Settings::new(RawSettings {
        paths: vec![fixture(rel)],
        read_caches: false,
        ..RawSettings::default()
    })
    .unwrap();
    let sbom = bomscout_pipeline::run(&settings, &bomscout_core::Silent).unwrap();
    let report = bomscout_report::Settings {
        timestamp: Some(1_700_000_000),
        tool_version: env!("CARGO_PKG_VERSION").to_string(),
        ..bomscout_report::Settings::default()
    };
    let mut out = Vec::new();
    bomscout_report::write(format, &sbom, &report, &mut out).unwrap();
    out
}

#[test]
fn the_binary_and_the_library_write_the_same_sbom() {
    for rel in ["npm/lock-v3", "cargo/workspace", "python"] {
        for (name, format) in [
            ("json", Format::Json),
            ("cyclonedx-json", Format::CycloneDxJson),
        ] {
            let out = bomscout()
                .args(["scan", "--no-caches", "-q", "-o", name])
                .arg(fixture(rel))
                .output()
                .unwrap();
            assert_eq!(out.status.code(), Some(0), "{rel} {name}");
            let library = library_output(rel, format);
            assert!(
                out.stdout == library,
                "{rel} {name}: the binary wrote\n{}\nthe library\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&library)
            );
        }
    }
}

#[test]
fn a_missing_path_is_named_before_anything_is_scanned() {
    let (code, stdout, stderr) = outcome(
        bomscout()
            .args(["scan", "-o", "json"])
            .arg(fixture("npm/lock-v3"))
            .arg("/nonexistent/checkout"),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("/nonexistent/checkout: no such file or directory"),
        "{stderr}"
    );
}

#[test]
fn a_bad_exclude_glob_is_named_by_every_scanning_command() {
    for command in [
        &["scan"][..],
        &["licenses"],
        &["check", "--policy", "builtin:permissive"],
    ] {
        let (code, stdout, stderr) = outcome(
            bomscout()
                .args(command)
                .args(["--exclude", "node_modules", "--exclude", "src/[oops"])
                .arg(fixture("npm/lock-v3")),
        );
        assert_eq!(code, 2, "{command:?}: {stderr}");
        assert!(stdout.is_empty(), "{command:?}: {stdout}");
        assert!(stderr.contains("\"src/[oops\""), "{command:?}: {stderr}");
        assert_eq!(
            stderr.matches("unclosed character class").count(),
            1,
            "{command:?}: the reason once: {stderr}"
        );
    }
}

#[test]
fn a_license_threshold_outside_zero_to_one_is_refused() {
    for bad in ["1.5", "-0.5", "NaN"] {
        let (code, _, stderr) = outcome(
            bomscout()
                .args(["scan", "-o", "json"])
                .arg(format!("--license-threshold={bad}"))
                .arg(fixture("npm/lock-v3")),
        );
        assert_eq!(code, 2, "{bad}: {stderr}");
        assert!(stderr.contains("from 0 to 1"), "{bad}: {stderr}");
    }
    let (code, _, stderr) = outcome(
        bomscout()
            .args([
                "scan",
                "--no-caches",
                "-q",
                "-o",
                "json",
                "--license-threshold",
                "1",
            ])
            .arg(fixture("npm/lock-v3")),
    );
    assert_eq!(code, 0, "{stderr}");
}

#[test]
fn zero_jobs_is_refused_and_one_job_scans() {
    let (code, _, stderr) = outcome(
        bomscout()
            .args(["scan", "--jobs", "0", "-o", "json"])
            .arg(fixture("npm/lock-v3")),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("jobs must be at least 1"), "{stderr}");
    let (code, stdout, stderr) = outcome(
        bomscout()
            .args(["scan", "--no-caches", "--jobs", "1", "-o", "json"])
            .arg(fixture("npm/lock-v3")),
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        stdout.as_bytes(),
        library_output("npm/lock-v3", Format::Json),
        "--jobs changes the threads, not the result"
    );
}

#[test]
fn inventory_refuses_a_bad_exclude_glob_before_creating_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("checkouts/shop");
    std::fs::create_dir_all(&repo).unwrap();
    std::fs::copy(
        fixture("npm/lock-v3/package-lock.json"),
        repo.join("package-lock.json"),
    )
    .unwrap();
    let db = dir.path().join("org.db");
    let (code, _, stderr) = outcome(
        bomscout()
            .arg("inventory")
            .arg(dir.path().join("checkouts"))
            .args(["--repos-are-children", "-q", "--exclude", "vendor/[x"])
            .arg("--db")
            .arg(&db),
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("\"vendor/[x\""), "{stderr}");
    assert!(!db.exists(), "no database for a run that cannot start");
}
