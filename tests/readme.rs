//! Every `bomscout` command README.md shows is run here, so a documented command can
//! never be broken again (the gate recipe once exited 2 for "more than one report goes
//! to stdout").
//!
//! Commands come from the README's `sh` blocks and the `run:` steps of its YAML blocks.
//! They run in a scratch directory holding a copy of a real fixture; the few paths and
//! values that only make sense on a user's machine are substituted (see `SUBSTITUTIONS`).

mod common;

use common::*;
use std::fs;
use std::path::Path;

/// Text in a documented command that names something on the reader's machine.
const SUBSTITUTIONS: &[(&str, &str)] = &[
    ("~/src/myrepo", "."),
    ("/srv/checkouts", "checkouts"),
    ("/checkouts", "checkouts"),
    ("/out/", "out/"),
    ("${{ matrix.shard }}", "0"),
    ("$JOB_COMPLETION_INDEX", "0"),
    ("--from 41 --to 42", "--from 1 --to 2"),
    ("shard-*.db", "shard-0.db"),
    // The PostgreSQL recipes' database (a secret in CI); a SQLite file stands in for it.
    ("\"$BOMSCOUT_DB\"", "shared.db"),
    // A copy of the advisory database; the fixtures themselves stand in for it.
    ("/mnt/osv", "@FIXTURES@/advisories"),
];

/// The commands, in README order, each a line (continuations joined).
fn documented_commands(readme: &str) -> Vec<String> {
    let mut commands = Vec::new();
    let mut lang: Option<&str> = None;
    let mut pending = String::new();
    // In YAML, a folded `run: >` takes the lines indented deeper than `run:` itself.
    let mut folded_indent: Option<usize> = None;
    for line in readme.lines() {
        if let Some(fence) = line.trim_start().strip_prefix("```") {
            lang = match lang {
                Some(_) => None,
                None => Some(fence.trim()),
            };
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let text = strip_comment(line.trim());
        match lang {
            Some("sh") => {
                pending.push_str(text.trim_end_matches('\\').trim());
                pending.push(' ');
                if !text.ends_with('\\') {
                    push_command(&mut commands, &mut pending);
                }
            }
            Some("yaml") => {
                if let Some(at) = folded_indent {
                    if indent > at && !text.is_empty() {
                        pending.push_str(text);
                        pending.push(' ');
                        continue;
                    }
                    folded_indent = None;
                    push_command(&mut commands, &mut pending);
                }
                let run = text
                    .strip_prefix("- run:")
                    .or_else(|| text.strip_prefix("run:"));
                match run.map(str::trim) {
                    Some(">") | Some("|") => folded_indent = Some(indent),
                    Some(inline) => {
                        pending.push_str(inline);
                        push_command(&mut commands, &mut pending);
                    }
                    None => {}
                }
            }
            _ => {}
        }
    }
    commands
}

/// Keeps `pending` if it is a bomscout command (after `VAR=value` prefixes), and clears it.
fn push_command(commands: &mut Vec<String>, pending: &mut String) {
    let mut rest = pending.trim();
    while let Some((first, tail)) = rest.split_once(' ') {
        if first.contains('=') && !first.starts_with('-') {
            // `SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)`: skip the assignment.
            rest = match tail.find(") ") {
                Some(i) if first.contains("$(") => tail[i + 2..].trim(),
                _ => tail.trim(),
            };
        } else {
            break;
        }
    }
    if rest.starts_with("bomscout ") {
        commands.push(rest.to_string());
    }
    pending.clear();
}

fn strip_comment(line: &str) -> &str {
    match line.find("  #") {
        Some(i) => line[..i].trim_end(),
        None => line,
    }
}

/// Splits a command line on spaces, honouring single and double quotes.
fn words(command: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut word = String::new();
    let mut quote: Option<char> = None;
    let mut started = false;
    for c in command.chars() {
        match (quote, c) {
            (Some(q), c) if c == q => quote = None,
            (Some(_), c) => word.push(c),
            (None, '\'' | '"') => {
                quote = Some(c);
                started = true;
            }
            (None, ' ') => {
                if started || !word.is_empty() {
                    out.push(std::mem::take(&mut word));
                }
                started = false;
            }
            (None, c) => word.push(c),
        }
    }
    if started || !word.is_empty() {
        out.push(word);
    }
    out
}

/// A scratch directory a reader could have: a project, one repository to inventory, and
/// the SBOMs the merge example names.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path();
    copy_tree(&fixture("npm/workspaces"), root);
    copy_tree(&fixture("npm/workspaces"), &root.join("app"));
    let repo = root.join("checkouts/service");
    copy_tree(&fixture("npm/workspaces"), &repo);
    fs::create_dir_all(repo.join(".git")).unwrap();
    fs::write(repo.join(".git/HEAD"), "ref: refs/heads/main\n").unwrap();
    fs::create_dir_all(root.join("out")).unwrap();
    fs::write(
        root.join("vex.openvex.json"),
        r#"{"@context": "https://openvex.dev/ns/v0.2.0", "@id": "https://example.com/vex/1",
            "author": "Example", "timestamp": "2026-11-01T00:00:00Z", "version": 1,
            "statements": [{"vulnerability": {"name": "CVE-2023-5752"},
              "products": [{"@id": "pkg:pypi/pip@23.2.1"}], "status": "not_affected",
              "justification": "vulnerable_code_not_in_execute_path"}]}"#,
    )
    .unwrap();
    fs::write(
        root.join("org-policy.toml"),
        "[policy]\nextends = [\"builtin:stage1\"]\n",
    )
    .unwrap();
    for (format, file) in [
        ("cyclonedx-json", "a.cdx.json"),
        ("spdx-json", "b.spdx.json"),
    ] {
        let out = bomscout()
            .current_dir(root)
            .args(["scan", "--no-caches", "-q", "-o"])
            .arg(format!("{format}={file}"))
            .arg(fixture("npm/lock-v3"))
            .output()
            .unwrap();
        assert!(out.status.success());
    }
    dir
}

fn run(root: &Path, command: &str) -> (i32, String) {
    let mut line = command.to_string();
    let fixtures = repo().join("fixtures").display().to_string();
    for (from, to) in SUBSTITUTIONS {
        line = line.replace(from, &to.replace("@FIXTURES@", &fixtures));
    }
    // The README's own examples name the repository's fixtures.
    line = line.replace(" fixtures/", &format!(" {fixtures}/"));
    let mut args = words(&line);
    assert_eq!(args[0], "bomscout", "{command}");
    // `> FILE`: the shell's redirection; stdout is captured here instead.
    if let Some(at) = args.iter().position(|a| a == ">") {
        args.truncate(at);
    }
    let out = bomscout()
        .current_dir(root)
        // Never the reader's cache: the advisory index is written there.
        .env("BOMSCOUT_CACHE_DIR", root.join(".cache"))
        .args(&args[1..])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_documented_command_runs() {
    let readme = fs::read_to_string(repo().join("README.md")).unwrap();
    let commands = documented_commands(&readme);
    assert!(commands.len() >= 20, "found only {commands:?}");
    assert!(
        commands.iter().any(|c| c.contains("-o github")),
        "the gate recipe is found: {commands:?}"
    );
    let root = workspace();
    // The inventory examples need two runs to diff.
    run(root.path(), "bomscout inventory checkouts --db org.db");
    for command in &commands {
        let (code, stderr) = run(root.path(), command);
        let ok = match code {
            0 => true,
            1 => command.starts_with("bomscout check"),
            // The auditor recipe fails by design on a tree whose packages name no supplier.
            2 => command.contains("--strict-ntia") && stderr.contains("\"Supplier Name\" missing"),
            _ => false,
        };
        assert!(ok, "`{command}` exited {code}:\n{stderr}");
    }
}

#[test]
fn commands_are_split_like_a_shell_would() {
    assert_eq!(
        words("bomscout scan . --exclude 'vendor/**' -o json=org.json"),
        [
            "bomscout",
            "scan",
            ".",
            "--exclude",
            "vendor/**",
            "-o",
            "json=org.json"
        ]
    );
    assert_eq!(words("a '<2.17.1' \"b c\""), ["a", "<2.17.1", "b c"]);
}
