//! Helpers for end-to-end tests of the built binary.
#![allow(dead_code)]

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A fixture directory.
pub fn fixture(rel: &str) -> PathBuf {
    repo().join("fixtures").join(rel)
}

/// The bomscout binary with a pinned timestamp and no cargo subprocess unless asked.
pub fn bomscout() -> Command {
    let mut cmd = Command::cargo_bin("bomscout").expect("binary is built");
    cmd.env("SOURCE_DATE_EPOCH", "1700000000");
    cmd
}

/// Runs `cmd` and returns (exit code, or -1 when a signal ended it; stdout; stderr).
pub fn outcome(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("runs");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// Runs `bomscout query --db DB ARGS...`: (exit code, stdout, stderr).
pub fn query(db: &Path, args: &[&str]) -> (i32, String, String) {
    outcome(bomscout().arg("query").arg("--db").arg(db).args(args))
}

/// Runs `bomscout scan <path> -o json` and returns (exit code, parsed JSON, stderr).
pub fn scan_json(path: &Path, extra: &[&str]) -> (i32, Value, String) {
    let out = bomscout()
        .arg("scan")
        .arg(path)
        .args(["-o", "json", "--no-caches"])
        .args(extra)
        .output()
        .expect("runs");
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (
        out.status.code().unwrap_or(-1),
        json,
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// `(purl or key, scope)` of every component, sorted.
pub fn components(json: &Value) -> Vec<(String, String)> {
    json["components"]
        .as_array()
        .map(|cs| {
            cs.iter()
                .map(|c| {
                    let key = c["purl"].as_str().unwrap_or_default().to_string();
                    (key, c["scope"].as_str().unwrap_or_default().to_string())
                })
                .collect()
        })
        .unwrap_or_default()
}

/// Copies a directory tree (no symlinks followed).
pub fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).expect("mkdir");
    for entry in std::fs::read_dir(from).expect("readdir") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        let ty = entry.file_type().expect("type");
        if ty.is_dir() {
            copy_tree(&entry.path(), &target);
        } else if ty.is_file() {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Serves the CycloneDX schemas' cross-file `$ref`s from the vendored files (no network).
struct VendoredCycloneDx;

impl jsonschema::Retrieve for VendoredCycloneDx {
    fn retrieve(
        &self,
        uri: &jsonschema::Uri<String>,
    ) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
        let file = uri
            .path()
            .as_str()
            .rsplit('/')
            .next()
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(repo().join("tests/schemas/cyclonedx").join(&file))?;
        Ok(serde_json::from_str(&text)?)
    }
}

/// A validator for a vendored schema file under `tests/schemas/`.
pub fn schema(rel: &str) -> jsonschema::Validator {
    let text = std::fs::read_to_string(repo().join("tests/schemas").join(rel)).expect("schema");
    let value: Value = serde_json::from_str(&text).expect("schema JSON");
    jsonschema::options()
        .with_retriever(VendoredCycloneDx)
        .build(&value)
        .expect("schema compiles")
}

/// Every validation error of `doc`, as text.
pub fn errors(validator: &jsonschema::Validator, doc: &Value) -> Vec<String> {
    validator
        .iter_errors(doc)
        .take(20)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect()
}

/// Runs `bomscout ARGS...` and checks it exits 0 (a failure names the arguments and shows
/// stderr).
pub fn run_ok(args: &[&str]) {
    let (code, _, stderr) = outcome(bomscout().args(args));
    assert_eq!(code, 0, "{args:?}: {stderr}");
}

/// `bomscout scan --no-caches -q PATH -o FORMAT=OUT`: one document of `path`, checked to
/// succeed.
pub fn scan_into(path: &Path, format: &str, out: &Path) {
    run_ok(&[
        "scan",
        "--no-caches",
        "-q",
        &path.to_string_lossy(),
        "-o",
        &format!("{format}={}", out.display()),
    ]);
}

/// `bomscout convert -q IN -o FORMAT=OUT`, checked to succeed.
pub fn convert_into(input: &Path, format: &str, out: &Path) {
    run_ok(&[
        "convert",
        "-q",
        &input.to_string_lossy(),
        "-o",
        &format!("{format}={}", out.display()),
    ]);
}

/// `bomscout merge -q IN... -o FORMAT=OUT`, checked to succeed.
pub fn merge_into(inputs: &[&Path], format: &str, out: &Path) {
    let inputs: Vec<String> = inputs.iter().map(|p| p.display().to_string()).collect();
    let mut args = vec!["merge", "-q"];
    args.extend(inputs.iter().map(String::as_str));
    let target = format!("{format}={}", out.display());
    args.extend(["-o", &target]);
    run_ok(&args);
}

/// A JSON file, parsed; panics naming it if it cannot be read or is not JSON.
pub fn load_json(path: &Path) -> Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The `path` of each of a bomscout JSON component's `locations`, in order.
pub fn location_paths(component: &Value) -> Vec<&str> {
    component["locations"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|l| l["path"].as_str())
        .collect()
}
