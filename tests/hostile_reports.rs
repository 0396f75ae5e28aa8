//! Reports a hostile package cannot forge: names, versions, license strings and file names
//! come from the scanned files, and no output may let them drive a terminal, forge a line
//! of bomscout's own, run as a spreadsheet formula, or become HTML or an image in a pull
//! request comment. And the inventory's database is safe to share: concurrent runs create
//! it once, queries never change it.

mod common;

use common::bomscout;
use serde_json::json;
use std::path::{Path, PathBuf};
use std::process::Output;

/// A repository whose lockfile's licenses and versions are attacks.
fn hostile_repo(org: &Path) -> PathBuf {
    let dir = org.join("evil");
    std::fs::create_dir_all(dir.join(".git/refs/heads")).unwrap();
    std::fs::write(dir.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let deps = json!({"formula": "1.0.0", "html": "1.0.0", "term": "1.0.0"});
    let lock = json!({
        "name": "app", "version": "1.0.0", "lockfileVersion": 3, "requires": true,
        "packages": {
            "": {"name": "app", "version": "1.0.0", "dependencies": deps},
            "node_modules/formula": {"version": "1.0.0", "license": "=cmd|' /C calc'!A0"},
            "node_modules/html": {
                "version": "1.0.0",
                "license": "<img src=x onerror=alert(1)></td></tr></table>![x](http://evil.invalid/px.png)"
            },
            "node_modules/term": {
                "version": "1.0.0\u{1b}]8;;http://evil.invalid\u{7}",
                "license": "GPL-3.0-only\u{1b}[2J"
            }
        }
    });
    std::fs::write(dir.join("package-lock.json"), lock.to_string()).unwrap();
    let manifest = json!({"name": "app", "version": "1.0.0", "dependencies": deps});
    std::fs::write(dir.join("package.json"), manifest.to_string()).unwrap();
    dir
}

fn run(cmd: &mut assert_cmd::Command) -> (Output, String, String) {
    let out = cmd.output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// No control character but the line feed: nothing reaches the terminal as a command.
fn assert_no_controls(text: &str) {
    let bad: Vec<char> = text
        .chars()
        .filter(|c| c.is_control() && *c != '\n')
        .collect();
    assert!(bad.is_empty(), "control characters {bad:?} in:\n{text}");
}

/// Every `<`, `!` and `[` escaped: no HTML tag, no image, no link.
fn assert_markdown_inert(md: &str) {
    for (i, c) in md.char_indices() {
        if matches!(c, '<' | '!' | '[') {
            assert_eq!(
                md[..i].chars().last(),
                Some('\\'),
                "unescaped {c:?} at {i} in:\n{md}"
            );
        }
    }
    assert!(!md.contains('\r') && !md.contains('\u{1b}'), "{md:?}");
}

fn inventory(db: &Path, org: &Path) {
    let (out, _, stderr) = run(bomscout()
        .arg("inventory")
        .arg(org)
        .arg("--db")
        .arg(db)
        .args(["-q", "--no-caches", "--policy", "builtin:stage1"]));
    assert!(out.status.success(), "{stderr}");
}

fn query(db: &Path, args: &[&str]) -> (i32, String, String) {
    let (out, stdout, stderr) = run(bomscout().arg("query").arg("--db").arg(db).args(args));
    (out.status.code().unwrap_or(-1), stdout, stderr)
}

#[test]
fn a_directory_name_cannot_forge_a_diagnostic_line() {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("x\nerror: fake.json: all good");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join("package-lock.json"),
        "{\"lockfileVersion\": 3, \"packages\": {",
    )
    .unwrap();
    let (_, _, stderr) = run(bomscout().arg("scan").arg(root.path()).args(["-o", "json"]));
    assert!(
        stderr.contains("x\\nerror: fake.json: all good/package-lock.json"),
        "{stderr}"
    );
    for line in stderr.lines() {
        assert!(
            !line.starts_with("error: fake.json"),
            "forged line in:\n{stderr}"
        );
    }
    assert_no_controls(&stderr);
}

#[test]
fn check_reports_show_escapes_and_markdown_stays_text() {
    let root = tempfile::tempdir().unwrap();
    let repo = hostile_repo(root.path());
    let (out, human, _) = run(bomscout()
        .arg("check")
        .arg(&repo)
        .args(["--policy", "builtin:strict"]));
    assert_eq!(out.status.code(), Some(1), "{human}");
    assert_no_controls(&human);
    assert!(human.contains("GPL-3.0-only\\x1b[2J"), "{human}");
    assert!(
        human.contains("1.0.0\\x1b]8;;http://evil.invalid\\x07"),
        "{human}"
    );

    let (_, md, _) = run(bomscout().arg("check").arg(&repo).args([
        "--policy",
        "builtin:strict",
        "-o",
        "markdown",
    ]));
    assert_markdown_inert(&md);
    assert!(md.contains("\\<img src=x onerror=alert(1)\\>"), "{md}");
    // Every table row is one line with the table's six cells.
    let rows: Vec<&str> = md.lines().filter(|l| l.starts_with('|')).collect();
    assert_eq!(rows.len(), 5, "{md}");
}

#[test]
fn the_licenses_table_shows_escapes() {
    let root = tempfile::tempdir().unwrap();
    let repo = hostile_repo(root.path());
    let (out, table, stderr) = run(bomscout().arg("licenses").arg(&repo));
    assert!(out.status.success(), "{stderr}");
    assert_no_controls(&table);
    assert!(table.contains("GPL-3.0-only\\x1b[2J"), "{table}");
    assert!(
        table.contains("term@1.0.0\\x1b]8;;http://evil.invalid\\x07"),
        "{table}"
    );
}

#[test]
fn baseline_license_changes_on_stderr_show_escapes() {
    let root = tempfile::tempdir().unwrap();
    let repo = hostile_repo(root.path());
    let lock_path = repo.join("package-lock.json");
    let hostile = std::fs::read_to_string(&lock_path).unwrap();
    // The baseline: the same tree with a plain license.
    std::fs::write(&lock_path, hostile.replace("GPL-3.0-only\\u001b[2J", "MIT")).unwrap();
    let baseline = root.path().join("base.cdx.json");
    let spec = format!("cyclonedx-json={}", baseline.display());
    let (out, _, stderr) = run(bomscout().arg("scan").arg(&repo).args(["-q", "-o", &spec]));
    assert!(out.status.success(), "{stderr}");
    std::fs::write(&lock_path, &hostile).unwrap();
    let (_, _, stderr) = run(bomscout()
        .arg("check")
        .arg(&repo)
        .args(["--policy", "builtin:strict", "--baseline"])
        .arg(&baseline));
    assert!(stderr.contains("license changed"), "{stderr}");
    assert!(stderr.contains("GPL-3.0-only\\x1b[2J"), "{stderr}");
    assert_no_controls(&stderr);
}

#[test]
fn query_outputs_cannot_run_formulas_drive_terminals_or_carry_html() {
    let root = tempfile::tempdir().unwrap();
    let org = root.path().join("org");
    hostile_repo(&org);
    let db = root.path().join("inv.db");
    inventory(&db, &org);

    let (code, csv, stderr) = query(&db, &["violations", "-o", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(csv.contains(",'=cmd|' /C calc'!A0,"), "{csv}");
    for record in csv.split("\r\n") {
        for cell in record.split(',') {
            let cell = cell.trim_start_matches('"');
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "{cell:?} in:\n{csv}"
            );
        }
    }

    for question in [&["licenses"][..], &["violations"], &["where", "term"]] {
        let (code, table, stderr) = query(&db, question);
        assert_eq!(code, 0, "{stderr}");
        assert_no_controls(&table);
        let mut args = question.to_vec();
        args.extend(["-o", "markdown"]);
        let (code, md, stderr) = query(&db, &args);
        assert_eq!(code, 0, "{stderr}");
        assert_markdown_inert(&md);
    }
}

#[test]
fn query_where_takes_percent_and_underscore_literally() {
    let root = tempfile::tempdir().unwrap();
    let org = root.path().join("org");
    hostile_repo(&org);
    let db = root.path().join("inv.db");
    inventory(&db, &org);
    let (_, all, _) = query(&db, &["where", "pkg:npm/%", "-o", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&all).unwrap(),
        json!([])
    );
    let (_, one, _) = query(&db, &["where", "pkg:npm/formula", "-o", "json"]);
    let rows: serde_json::Value = serde_json::from_str(&one).unwrap();
    assert_eq!(rows.as_array().map(Vec::len), Some(1), "{one}");
    let (_, none, _) = query(&db, &["where", "f_rmula", "-o", "json"]);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&none).unwrap(),
        json!([])
    );
}

/// The directory's entries with a digest of their bytes and their modification times.
fn snapshot(dir: &Path) -> Vec<(String, u64, std::time::SystemTime)> {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                digest(&std::fs::read(e.path()).unwrap()),
                e.metadata().unwrap().modified().unwrap(),
            )
        })
        .collect();
    entries.sort();
    entries
}

fn digest(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[cfg(unix)]
#[test]
fn query_leaves_a_read_only_database_exactly_as_it_was() {
    use std::os::unix::fs::PermissionsExt;
    let root = tempfile::tempdir().unwrap();
    let org = root.path().join("org");
    hostile_repo(&org);
    let shelf = root.path().join("shelf");
    std::fs::create_dir(&shelf).unwrap();
    let db = shelf.join("inv.db");
    inventory(&db, &org);
    // A copy in rollback-journal mode, as a backup tool may leave it: a query that opened
    // it for writing would switch it to WAL and change its header.
    rusqlite::Connection::open(&db)
        .unwrap()
        .pragma_update(None, "journal_mode", "DELETE")
        .unwrap();
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o444)).unwrap();
    std::fs::set_permissions(&shelf, std::fs::Permissions::from_mode(0o555)).unwrap();
    let before = snapshot(&shelf);
    assert_eq!(before.len(), 1);
    for question in [&["runs"][..], &["licenses", "-o", "csv"], &["scorecard"]] {
        let (code, _, stderr) = query(&db, question);
        assert_eq!(code, 0, "{question:?}: {stderr}");
    }
    assert_eq!(
        snapshot(&shelf),
        before,
        "no -wal, -shm or -journal, same bytes and mtime"
    );
    std::fs::set_permissions(&shelf, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn query_output_files_are_whole_and_alone() {
    let root = tempfile::tempdir().unwrap();
    let org = root.path().join("org");
    hostile_repo(&org);
    let db = root.path().join("inv.db");
    inventory(&db, &org);
    let out_dir = root.path().join("out");
    std::fs::create_dir(&out_dir).unwrap();
    let csv = out_dir.join("v.csv");
    let spec = format!("csv={}", csv.display());
    let (code, _, stderr) = query(&db, &["violations", "-o", &spec]);
    assert_eq!(code, 0, "{stderr}");
    let (_, stdout, _) = query(&db, &["violations", "-o", "csv"]);
    assert_eq!(std::fs::read_to_string(&csv).unwrap(), stdout);
    let names: Vec<_> = std::fs::read_dir(&out_dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names, ["v.csv"], "nothing beside the output");
    let missing = format!("csv={}", out_dir.join("no/such/v.csv").display());
    let (code, _, stderr) = query(&db, &["violations", "-o", &missing]);
    assert_eq!(code, 2);
    assert!(stderr.contains("no/such"), "{stderr}");
}

#[test]
fn concurrent_inventory_runs_create_one_new_database() {
    let root = tempfile::tempdir().unwrap();
    let org = root.path().join("org");
    hostile_repo(&org);
    for round in 0..5 {
        let db = root.path().join(format!("new-{round}.db"));
        let children: Vec<_> = (0..3)
            .map(|_| {
                std::process::Command::new(assert_cmd::cargo::cargo_bin("bomscout"))
                    .arg("inventory")
                    .arg(&org)
                    .arg("--db")
                    .arg(&db)
                    .args(["-q", "--no-caches"])
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for child in children {
            let out = child.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "round {round}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let (code, runs, stderr) = query(&db, &["runs", "-o", "json"]);
        assert_eq!(code, 0, "{stderr}");
        let runs: serde_json::Value = serde_json::from_str(&runs).unwrap();
        assert_eq!(runs.as_array().map(Vec::len), Some(3), "round {round}");
    }
}
