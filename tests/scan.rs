//! End-to-end tests of `bomscout scan` on the real fixtures: exit codes, bad input next to
//! good input, deduplication across projects, dev marking, determinism.

mod common;

use common::*;
use std::fs;

#[test]
fn usage_errors_exit_2() {
    bomscout().args(["scan", "-o", "yaml"]).assert().code(2);
    bomscout().args(["scan", "/no/such/dir"]).assert().code(2);
    bomscout().args(["scan", "--no-such-flag"]).assert().code(2);
    bomscout()
        .args(["scan", "-o", "json", "-o", "table"])
        .assert()
        .code(2);
}

#[test]
fn a_malformed_lockfile_is_named_and_everything_else_is_still_reported() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("python/uv"), &dir.path().join("good"));
    let real = fs::read_to_string(fixture("python/uv/uv.lock")).unwrap();
    fs::create_dir_all(dir.path().join("bad")).unwrap();
    fs::write(dir.path().join("bad/uv.lock"), &real[..real.len() / 2]).unwrap();

    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        stderr.contains("bad/uv.lock:"),
        "names the file and line: {stderr}"
    );
    let (_, alone, _) = scan_json(&fixture("python/uv"), &[]);
    assert_eq!(
        components(&json),
        components(&alone),
        "the good project is complete"
    );
    assert!(json["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .any(|d| d["path"] == "bad/uv.lock"));

    let (code, _, _) = scan_json(dir.path(), &["--strict"]);
    assert_eq!(code, 2, "--strict turns an unparsable file into exit 2");
}

#[test]
fn one_package_in_two_projects_is_one_component_with_two_locations() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&fixture("python/uv"), &dir.path().join("a"));
    copy_tree(&fixture("python/uv"), &dir.path().join("b"));
    let (code, json, stderr) = scan_json(dir.path(), &[]);
    assert_eq!(code, 0, "{stderr}");
    let (_, alone, _) = scan_json(&fixture("python/uv"), &[]);
    assert_eq!(components(&json), components(&alone), "no duplicates");
    for c in json["components"].as_array().unwrap() {
        let paths: Vec<&str> = c["locations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["path"].as_str().unwrap())
            .collect();
        assert!(
            paths.iter().any(|p| p.starts_with("a/")) && paths.iter().any(|p| p.starts_with("b/")),
            "{paths:?}"
        );
    }
    assert_eq!(
        json["projects"].as_array().unwrap().len(),
        2,
        "each project keeps its own edges"
    );
}

#[test]
fn dev_components_are_marked_not_dropped_unless_asked() {
    let (_, json, _) = scan_json(&fixture("python/uv"), &[]);
    let scopes: Vec<String> = components(&json).into_iter().map(|c| c.1).collect();
    assert!(scopes.iter().any(|s| s == "dev"), "{scopes:?}");
    assert!(scopes.iter().any(|s| s == "required"), "{scopes:?}");
    let (_, json, _) = scan_json(&fixture("python/uv"), &["--no-dev"]);
    assert!(components(&json).iter().all(|c| c.1 != "dev"));
    assert!(!components(&json).is_empty());
}

#[test]
fn output_is_byte_identical_on_rerun() {
    for format in ["json", "cyclonedx-json", "table"] {
        let run = || {
            bomscout()
                .args(["scan", "--no-caches", "-q", "-o", format])
                .arg(fixture(""))
                .output()
                .unwrap()
                .stdout
        };
        let first = run();
        assert!(!first.is_empty());
        assert_eq!(first, run(), "{format}");
    }
}

#[test]
fn writes_several_outputs_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let cdx = dir.path().join("bom.cdx.json");
    let json = dir.path().join("bom.json");
    bomscout()
        .args(["scan", "--no-caches", "-q"])
        .arg(fixture("python/uv"))
        .arg("-o")
        .arg(format!("cyclonedx-json={}", cdx.display()))
        .arg("-o")
        .arg(format!("json={}", json.display()))
        .assert()
        .success();
    let cdx: serde_json::Value = serde_json::from_slice(&fs::read(cdx).unwrap()).unwrap();
    assert_eq!(cdx["bomFormat"], "CycloneDX");
    let json: serde_json::Value = serde_json::from_slice(&fs::read(json).unwrap()).unwrap();
    assert!(!json["components"].as_array().unwrap().is_empty());
}

#[test]
fn a_workspace_scan_lists_only_third_party_packages() {
    let (code, json, stderr) = scan_json(&fixture("npm/workspaces"), &[]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        components(&json),
        [
            (
                "pkg:npm/is-number@7.0.0".to_string(),
                "required".to_string()
            ),
            ("pkg:npm/left-pad@1.3.0".to_string(), "dev".to_string()),
            ("pkg:npm/ms@2.1.3".to_string(), "required".to_string()),
        ],
        "members and their declarations of each other are first-party"
    );
    assert_eq!(json["projects"].as_array().unwrap().len(), 3);
}

/// pnpm's installed layout (`node_modules/.pnpm/<id>/node_modules/<name>`): each package
/// found once, at the lockfile and at its installed directory, and nothing else.
#[test]
fn pnpm_installed_store_adds_locations_not_packages() {
    let (code, json, err) = common::scan_json(&common::fixture("pnpm/installed"), &[]);
    assert_eq!(code, 0, "{err}");
    let components = json["components"].as_array().unwrap();
    assert_eq!(components.len(), 17);
    for c in components {
        let locations = c["locations"].as_array().unwrap();
        assert_eq!(locations.len(), 2, "{}", c["purl"]);
        assert!(locations
            .iter()
            .any(|l| l["path"].as_str().unwrap().contains("node_modules/.pnpm/")));
    }
}
