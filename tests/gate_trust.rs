//! A gate that never passes blind: file arguments, unreadable and broken input, empty
//! scans, and notes that must reach the CI log whatever the report format.

mod common;

use common::*;
use std::fs;
use std::path::Path;

const DATE: &str = "2026-11-25";

fn run(args: &[&str], paths: &[&Path]) -> (i32, String, String) {
    outcome(bomscout().args(args).args(paths))
}

fn check(paths: &[&Path], extra: &[&str]) -> (i32, String, String) {
    let mut args = vec!["check", "--no-caches", "--date", DATE];
    args.extend_from_slice(extra);
    run(&args, paths)
}

/// A tree whose only lockfile is cut short, as a merge gone wrong leaves it.
fn broken_tree() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let lock = fs::read_to_string(fixture("npm/workspaces/package-lock.json")).unwrap();
    let cut = &lock[..lock.len() / 2];
    fs::write(dir.path().join("package-lock.json"), cut).unwrap();
    dir
}

#[test]
fn a_lockfile_given_as_a_path_is_checked() {
    let lock = fixture("npm/workspaces/package-lock.json");
    let (code, stdout, stderr) = run(&["scan", "--no-caches", "-o", "json"], &[lock.as_path()]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let whole = scan_json(&fixture("npm/workspaces"), &[]).1;
    let n = doc["components"].as_array().unwrap().len();
    assert!(n > 0, "the file itself is catalogued: {stdout}");
    assert_eq!(
        n,
        whole["components"].as_array().unwrap().len(),
        "the lockfile alone gives the lockfile's components"
    );

    let (code, stdout, stderr) = check(&[lock.as_path()], &["--policy", "builtin:strict"]);
    assert!(!stdout.contains(" 0 checked"), "{stdout}\n{stderr}");
    assert!(code == 0 || code == 1, "{stdout}\n{stderr}");
}

#[test]
fn a_file_no_cataloger_reads_is_an_error_not_a_pass() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    fs::write(&notes, "hello").unwrap();
    let (code, stdout, stderr) = check(&[notes.as_path()], &["--policy", "builtin:strict"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(stderr.contains("not a file bomscout reads"), "{stderr}");
}

#[test]
fn a_broken_lockfile_fails_the_gate_with_exit_2_naming_the_file() {
    let dir = broken_tree();
    let (code, stdout, stderr) = check(&[dir.path()], &["--policy", "builtin:permissive"]);
    assert_eq!(code, 2, "{stdout}\n{stderr}");
    assert!(
        stderr.contains("error: package-lock.json:"),
        "file and line: {stderr}"
    );
    assert!(stdout.contains("INCOMPLETE"), "{stdout}");
    assert!(
        stderr.contains("--allow-unreadable"),
        "the way out is named: {stderr}"
    );

    let (code, stdout, stderr) = check(
        &[dir.path()],
        &["--policy", "builtin:permissive", "--allow-unreadable"],
    );
    assert_eq!(code, 0, "explicitly allowed: {stdout}\n{stderr}");
    assert!(stdout.contains("could not be read (allowed)"), "{stdout}");
}

#[test]
fn merge_conflict_markers_fail_the_gate() {
    let dir = tempfile::tempdir().unwrap();
    let lock = fs::read_to_string(fixture("npm/workspaces/package-lock.json")).unwrap();
    let marked = lock.replacen(
        "\"packages\": {",
        "<<<<<<< HEAD\n\"packages\": {\n=======\n\"packages\": {\n>>>>>>> feature\n",
        1,
    );
    fs::write(dir.path().join("package-lock.json"), marked).unwrap();
    let (code, _, stderr) = check(&[dir.path()], &["--policy", "builtin:permissive"]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("package-lock.json"), "{stderr}");
}

#[test]
fn unreadable_input_reaches_json_sarif_markdown_and_annotations() {
    let dir = broken_tree();
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("r.sarif");
    let json = out.path().join("r.json");
    let md = out.path().join("r.md");
    let (code, stdout, stderr) = check(
        &[dir.path()],
        &[
            "--policy",
            "builtin:permissive",
            "-o",
            &format!("sarif={}", sarif.display()),
            "-o",
            &format!("json={}", json.display()),
            "-o",
            &format!("markdown={}", md.display()),
            "-o",
            "github",
        ],
    );
    assert_eq!(code, 2, "{stdout}\n{stderr}");

    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&sarif).unwrap()).unwrap();
    let errs = errors(&schema("sarif/sarif-schema-2.1.0.json"), &doc);
    assert!(errs.is_empty(), "{errs:?}");
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], false);
    let n = &inv["toolExecutionNotifications"][0];
    assert_eq!(n["level"], "error");
    assert_eq!(
        n["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
        "package-lock.json"
    );
    assert!(n["locations"][0]["physicalLocation"]["region"]["startLine"].is_u64());

    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&json).unwrap()).unwrap();
    assert_eq!(doc["outcome"], "INCOMPLETE");
    assert_eq!(doc["diagnostics"][0]["path"], "package-lock.json");
    assert_eq!(doc["diagnostics"][0]["severity"], "error");

    let md = fs::read_to_string(&md).unwrap();
    assert!(md.contains("incomplete"), "{md}");
    assert!(md.contains("not read: `package-lock.json:"), "{md}");

    assert!(
        stdout.contains("::error file=package-lock.json,line="),
        "annotations name the file: {stdout}"
    );
}

#[test]
fn a_clean_sarif_run_says_it_succeeded() {
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("r.sarif");
    let (code, _, stderr) = check(
        &[fixture("npm/installed").as_path()],
        &[
            "--policy",
            "builtin:stage1",
            "-o",
            &format!("sarif={}", sarif.display()),
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&sarif).unwrap()).unwrap();
    assert!(errors(&schema("sarif/sarif-schema-2.1.0.json"), &doc).is_empty());
    let inv = &doc["runs"][0]["invocations"][0];
    assert_eq!(inv["executionSuccessful"], true);
    assert_eq!(inv["toolExecutionNotifications"], serde_json::json!([]));
}

#[test]
fn nothing_found_is_said_and_fails_under_strict() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("main.c"), "int main(){}").unwrap();
    let (code, _, stderr) = run(&["scan", "--no-caches"], &[dir.path()]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stderr.contains("nothing found to catalog"), "{stderr}");
    let (code, _, stderr) = run(&["scan", "--no-caches", "--strict"], &[dir.path()]);
    assert_eq!(code, 2, "{stderr}");

    let (code, stdout, stderr) = check(&[dir.path()], &["--policy", "builtin:strict"]);
    assert_eq!(code, 0, "{stdout}\n{stderr}");
    assert!(stderr.contains("nothing found to catalog"), "{stderr}");
    let (code, _, stderr) = check(&[dir.path()], &["--policy", "builtin:strict", "--strict"]);
    assert_eq!(code, 2, "{stderr}");
}

#[test]
fn expired_exception_notes_reach_stderr_when_only_sarif_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("policy.toml");
    fs::write(
        &policy,
        "[policy]\nextends = [\"builtin:permissive\"]\n\n[[exception]]\npackage = \"pkg:pypi/certifi\"\nlicenses = [\"MPL-2.0\"]\nreason = \"OSPO-7\"\nexpires = \"2026-01-01\"\n",
    )
    .unwrap();
    let sarif = dir.path().join("r.sarif");
    let (_, stdout, stderr) = check(
        &[fixture("python/installed/venv").as_path()],
        &[
            "--policy",
            policy.to_str().unwrap(),
            "-o",
            &format!("sarif={}", sarif.display()),
        ],
    );
    assert!(stdout.is_empty(), "{stdout}");
    assert!(
        stderr.contains("note: exception for pkg:pypi/certifi expired on 2026-01-01"),
        "{stderr}"
    );
    let doc: serde_json::Value = serde_json::from_slice(&fs::read(&sarif).unwrap()).unwrap();
    let notes = &doc["runs"][0]["invocations"][0]["toolConfigurationNotifications"];
    assert!(
        notes[0]["message"]["text"]
            .as_str()
            .unwrap()
            .contains("expired"),
        "{notes}"
    );
}

/// Runs the binary as an unprivileged user when the tests run as root (root reads every
/// directory, so an unreadable one cannot be made any other way).
///
/// The binary is copied into `dir` (made world-readable by the caller) first: the checkout
/// it was built in may sit under a directory the unprivileged user cannot enter.
#[cfg(unix)]
fn bomscout_unprivileged(dir: &Path) -> std::process::Command {
    let uid = std::process::Command::new("id").arg("-u").output().unwrap();
    let bin = assert_cmd::cargo::cargo_bin("bomscout");
    if String::from_utf8_lossy(&uid.stdout).trim() == "0" {
        let copy = dir.join("bomscout-bin");
        fs::copy(&bin, &copy).unwrap();
        let mut cmd = std::process::Command::new("setpriv");
        cmd.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(copy);
        cmd
    } else {
        std::process::Command::new(bin)
    }
}

#[cfg(unix)]
#[test]
fn an_unreadable_directory_fails_strict_even_when_quiet() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    fs::set_permissions(dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    fs::copy(
        fixture("npm/workspaces/package-lock.json"),
        dir.path().join("package-lock.json"),
    )
    .unwrap();
    let secret = dir.path().join("services");
    fs::create_dir(&secret).unwrap();
    fs::write(secret.join("Cargo.lock"), "version = 3\n").unwrap();
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o000)).unwrap();

    let bin_dir = tempfile::tempdir().unwrap();
    fs::set_permissions(bin_dir.path(), fs::Permissions::from_mode(0o755)).unwrap();
    let out = bomscout_unprivileged(bin_dir.path())
        .args(["scan", "--no-caches", "--strict", "-q"])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("error: services: cannot read"), "{stderr}");

    let out = bomscout_unprivileged(bin_dir.path())
        .args([
            "check",
            "--no-caches",
            "--policy",
            "builtin:permissive",
            "-q",
        ])
        .arg(dir.path())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(2),
        "the gate has no verdict: {stderr}"
    );
    fs::set_permissions(&secret, fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn an_output_that_is_a_scanned_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let lock = dir.path().join("package-lock.json");
    fs::copy(fixture("npm/workspaces/package-lock.json"), &lock).unwrap();
    let before = fs::read(&lock).unwrap();
    let target = format!("cyclonedx-json={}", lock.display());
    let (code, _, stderr) = run(&["scan", "--no-caches", "-o", &target], &[dir.path()]);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("one of the files being scanned"),
        "{stderr}"
    );
    let target = format!("sarif={}", lock.display());
    let (code, _, stderr) = check(
        &[dir.path()],
        &["--policy", "builtin:permissive", "-o", &target],
    );
    assert_eq!(code, 2, "{stderr}");
    assert_eq!(
        fs::read(&lock).unwrap(),
        before,
        "the lockfile is untouched"
    );
}

#[test]
fn the_readme_gate_recipe_runs() {
    // README.md: `-o table -o sarif=bomscout.sarif -o github -o markdown=summary.md`.
    let out = tempfile::tempdir().unwrap();
    let sarif = out.path().join("bomscout.sarif");
    let md = out.path().join("summary.md");
    let (code, stdout, stderr) = check(
        &[fixture("python/installed/venv").as_path()],
        &[
            "--policy",
            "builtin:permissive",
            "-o",
            "table",
            "-o",
            &format!("sarif={}", sarif.display()),
            "-o",
            "github",
            "-o",
            &format!("markdown={}", md.display()),
        ],
    );
    assert_eq!(code, 1, "certifi is MPL-2.0, denied: {stdout}\n{stderr}");
    assert!(
        stdout.starts_with("::error "),
        "annotations on stdout: {stdout}"
    );
    assert!(
        stderr.contains("FAIL: policy permissive"),
        "the table on stderr: {stderr}"
    );
    assert!(sarif.exists() && md.exists());

    let (code, _, stderr) = check(
        &[fixture("python/installed/venv").as_path()],
        &[
            "--policy",
            "builtin:permissive",
            "-o",
            "json",
            "-o",
            "sarif",
        ],
    );
    assert_eq!(code, 2);
    assert!(
        stderr.contains("more than one machine-readable report"),
        "{stderr}"
    );
}
