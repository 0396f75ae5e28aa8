//! The command line as a user meets it: values refused where they are given, and the
//! conventions shared by every subcommand.

mod common;

use common::*;

#[test]
fn an_impossible_date_is_refused() {
    let out = bomscout()
        .args(["check", "--no-caches", "--policy", "builtin:stage1"])
        .args(["--date", "2026-02-30"])
        .arg(fixture("npm/installed"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    // Refused while the arguments are parsed, before anything is scanned.
    assert!(
        stderr.contains("'2026-02-30' for '--date") && stderr.contains("not a real date"),
        "{stderr}"
    );
}

/// A tree of installed npm packages with the given `(name, license)` pairs.
fn installed(packages: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (name, license) in packages {
        let pkg = dir.path().join("node_modules").join(name);
        std::fs::create_dir_all(&pkg).unwrap();
        let manifest = serde_json::json!({"name": name, "version": "1.0.0", "license": license});
        std::fs::write(pkg.join("package.json"), manifest.to_string()).unwrap();
    }
    dir
}

fn licenses(dir: &std::path::Path, extra: &[&str]) -> (i32, String, String) {
    outcome(
        bomscout()
            .args(["licenses", "--no-caches", "-q"])
            .arg(dir)
            .args(extra),
    )
}

#[test]
fn licenses_counts_operand_orders_as_one_expression() {
    let dir = installed(&[
        ("a", "MIT OR Apache-2.0"),
        ("b", "Apache-2.0 OR MIT"),
        ("c", "(MIT OR Apache-2.0) AND GPL-3.0-only"),
    ]);
    let (code, stdout, stderr) = licenses(dir.path(), &["-o", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let doc: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let rows = doc["licenses"].as_array().unwrap();
    assert_eq!(rows.len(), 2, "{stdout}");
    assert_eq!(rows[0]["license"], "(Apache-2.0 OR MIT) AND GPL-3.0-only");
    assert_eq!(
        rows[0]["categories"],
        serde_json::json!(["permissive", "strong-copyleft"])
    );
    assert_eq!(rows[1]["license"], "Apache-2.0 OR MIT");
    assert_eq!(rows[1]["count"], 2);

    // The table aligns rows whose categories are several: every example starts under
    // the EXAMPLES header.
    let (_, table, _) = licenses(dir.path(), &[]);
    let lines: Vec<&str> = table.lines().collect();
    let at = lines[0].find("EXAMPLES").unwrap();
    for line in &lines[1..] {
        assert!(
            line.get(at..)
                .is_some_and(|rest| rest.starts_with("a@") || rest.starts_with("c@")),
            "{table}"
        );
    }
}

#[test]
fn licenses_csv_and_markdown_cannot_be_forged() {
    let dir = installed(&[
        ("evil", "=cmd|' /C calc'!A0"),
        ("pixel", "![x](http://e/p.png)"),
    ]);
    let (code, csv, stderr) = licenses(dir.path(), &["-o", "csv"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(
        csv.lines().any(|l| l.starts_with("'=cmd|' /C calc'!A0,")),
        "{csv}"
    );
    assert!(!csv.lines().any(|l| l.starts_with('=')), "{csv}");
    let (_, md, _) = licenses(dir.path(), &["-o", "markdown"]);
    assert!(!md.contains("![x]"), "{md}");
    assert!(md.contains("\\!\\[x\\]"), "{md}");
}

#[test]
fn a_dash_means_stdout() {
    let dir = installed(&[("a", "MIT")]);
    let (code, stdout, stderr) = licenses(dir.path(), &["-o", "json=-"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(stdout.contains("\"license\": \"MIT\""), "{stdout}");
    assert!(!dir.path().join("-").exists() && !std::path::Path::new("-").exists());

    let out = bomscout()
        .args(["scan", "--no-caches", "-q", "-o", "json=-"])
        .arg(dir.path())
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["components"][0]["name"], "a");
}

#[test]
fn a_report_into_a_missing_directory_names_the_directory() {
    let dir = installed(&[("a", "MIT")]);
    let target = dir.path().join("no/such/dir/report.json");
    let (code, _, stderr) = licenses(dir.path(), &["-o", &format!("json={}", target.display())]);
    assert_eq!(code, 2);
    assert!(stderr.contains("does not exist"), "{stderr}");
    assert!(stderr.contains("report.json"), "{stderr}");
}

#[test]
fn completions_and_a_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let out = bomscout().args(["completions", shell]).output().unwrap();
        assert!(out.status.success(), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("bomscout"), "{shell}");
        assert!(
            text.contains("allow-unreadable"),
            "{shell}: every flag: {text}"
        );
    }
    let out = bomscout().arg("man").output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.starts_with(".ie") || text.contains(".TH bomscout 1"),
        "{text}"
    );
    assert!(text.contains("license"), "{text}");
}

#[test]
fn check_finds_the_policy_of_the_scanned_directory_or_the_environment() {
    let dir = installed(&[("a", "MIT"), ("g", "GPL-3.0-only")]);
    let run = |envs: &[(&str, &str)], cwd: &std::path::Path| {
        let mut cmd = bomscout();
        cmd.current_dir(cwd)
            .args(["check", "--no-caches", "-q"])
            .arg(dir.path())
            .env_remove("BOMSCOUT_POLICY");
        for (k, v) in envs {
            cmd.env(k, v);
        }
        outcome(&mut cmd)
    };
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, _, stderr) = run(&[], elsewhere.path());
    assert_eq!(code, 2);
    assert!(stderr.contains("bomscout policy init"), "{stderr}");

    let (code, stdout, _) = run(
        &[("BOMSCOUT_POLICY", "builtin:permissive")],
        elsewhere.path(),
    );
    assert_eq!(code, 1, "GPL denied by the permissive preset: {stdout}");

    std::fs::write(
        dir.path().join(".bomscout.toml"),
        "[policy]\nextends = [\"builtin:permissive\"]\n[licenses]\nallow = [\"GPL-3.0-only\"]\n",
    )
    .unwrap();
    let (code, stdout, stderr) = run(&[("BOMSCOUT_POLICY", "builtin:strict")], elsewhere.path());
    assert_eq!(
        code, 0,
        "the repository's own file wins: {stdout}\n{stderr}"
    );
}

#[test]
fn policy_init_refuses_to_overwrite_unless_forced() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("p.toml");
    std::fs::write(&file, "mine").unwrap();
    let out = bomscout()
        .args(["policy", "init"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--force"));
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "mine");
    let out = bomscout()
        .args(["policy", "init", "--force"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(std::fs::read_to_string(&file)
        .unwrap()
        .contains("[licenses]"));
}

#[test]
fn inventory_and_query_refuse_what_cannot_be_meant() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("o.db");
    let out = bomscout()
        .args(["inventory", "/nonexistent/checkouts", "--db"])
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("/nonexistent/checkouts: no such directory"),
        "{stderr}"
    );

    let empty = dir.path().join("empty");
    std::fs::create_dir_all(empty.join("a-folder")).unwrap();
    let out = bomscout()
        .arg("inventory")
        .arg(&empty)
        .arg("--db")
        .arg(&db)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--repos-are-children"), "{stderr}");

    let (code, _, stderr) = query(&db, &["licenses", "--category", "copyleftish"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("strong-copyleft"),
        "the valid names are listed: {stderr}"
    );
    let (code, _, _) = query(&db, &["violations", "--since", "2026-02-30"]);
    assert_eq!(code, 2);
}

#[test]
fn query_diff_compares_the_last_two_runs_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let repo = dir.path().join("org/app");
    copy_tree(&fixture("npm/workspaces"), &repo);
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    let db = dir.path().join("o.db");
    let inventory = || {
        let out = bomscout()
            .args(["inventory", "-q", "--no-caches"])
            .arg(dir.path().join("org"))
            .arg("--db")
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    inventory();
    let (code, _, stderr) = query(&db, &["diff"]);
    assert_eq!(code, 2, "one run: nothing to compare");
    assert!(stderr.contains("--from"), "{stderr}");
    copy_tree(&fixture("npm/lock-v3"), &repo.join("more"));
    inventory();
    let (code, stdout, stderr) = query(&db, &["diff", "-o", "json"]);
    assert_eq!(code, 0, "{stderr}");
    let (_, explicit, _) = query(&db, &["diff", "--from", "1", "--to", "2", "-o", "json"]);
    assert_eq!(stdout, explicit);
    assert!(stdout.contains("added"), "{stdout}");
}

#[test]
fn color_only_when_asked_or_on_a_terminal() {
    let dir = installed(&[("g", "GPL-3.0-only")]);
    let run = |extra: &[&str], env: Option<(&str, &str)>| {
        let mut cmd = bomscout();
        cmd.args(["check", "--no-caches", "--policy", "builtin:permissive"])
            .arg(dir.path())
            .args(extra)
            .env_remove("NO_COLOR")
            .env_remove("CLICOLOR_FORCE");
        if let Some((k, v)) = env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let piped = run(&[], None);
    assert!(piped.contains("denied: GPL-3.0-only"), "{piped}");
    assert!(!piped.contains('\u{1b}'), "no color in a pipe: {piped:?}");
    let forced = run(&["--color", "always"], None);
    assert!(forced.contains("\u{1b}["), "{forced:?}");
    let env_forced = run(&[], Some(("CLICOLOR_FORCE", "1")));
    assert!(env_forced.contains("\u{1b}["), "{env_forced:?}");
    let never = run(&["--color", "never"], Some(("CLICOLOR_FORCE", "1")));
    assert!(!never.contains('\u{1b}'), "{never:?}");

    let file = dir.path().join("report.txt");
    run(
        &[
            "--color",
            "always",
            "-o",
            &format!("table={}", file.display()),
        ],
        None,
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(!text.contains('\u{1b}'), "files never get color: {text:?}");
}

#[test]
fn convert_reads_stdin() {
    let dir = installed(&[("a", "MIT")]);
    let scan = bomscout()
        .args(["scan", "--no-caches", "-q", "-o", "cyclonedx-json=-"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(scan.status.success());
    let out = bomscout()
        .args(["convert", "-", "-o", "spdx-json=-"])
        .write_stdin(scan.stdout)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc["spdxVersion"], "SPDX-2.3");
    assert!(doc["packages"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["name"] == "a"));
}

#[test]
fn scan_check_and_licenses_share_one_set_of_scan_flags() {
    let flags = [
        "--exclude",
        "--no-dev",
        "--follow-links",
        "--no-caches",
        "--license-threshold",
        "--strict",
        "--jobs",
        "--quiet",
        "--verbose",
        "--output",
        "--color",
    ];
    for command in ["scan", "check", "licenses"] {
        let out = bomscout().args([command, "--help"]).output().unwrap();
        let help = String::from_utf8_lossy(&out.stdout);
        for flag in flags {
            assert!(help.contains(flag), "`{command}` lacks {flag}:\n{help}");
        }
    }
}
