//! Replays what fuzzing found, through the same entry points as the fuzz targets.
//!
//! `bench/fuzz.sh` copies every crash, timeout and out-of-memory input to
//! `tests/fuzz_regressions/TARGET-HASH`; committing that file (with the fix) makes it a
//! regression test here. Each input is given to every parser of its family in a thread of
//! its own, which must finish without panicking within [`DEADLINE`]. The seed corpora in
//! `fuzz/corpus/TARGET/` (real files) are replayed the same way, so a target's seeds never
//! rot into inputs its parsers crash on.

mod families;

use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How long one input may take through its whole family (a debug build; the fuzzer's own
/// limit on an optimized build is 10 s).
const DEADLINE: Duration = Duration::from_secs(60);

/// Inputs whose fix belongs to another branch: `(file name, why it is skipped)`. Remove an
/// entry when its fix lands; the test then replays it like the others.
const KNOWN: &[(&str, &str)] = &[];

fn repo() -> PathBuf {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    repo.canonicalize().unwrap_or(repo)
}

/// The files of `dir`, sorted; none if it does not exist.
fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_file())
                .collect()
        })
        .unwrap_or_default();
    out.sort();
    out
}

/// Runs `bytes` through family `target` in its own thread; `Err` says what went wrong.
fn replay(target: &str, bytes: Vec<u8>) -> Result<(), String> {
    let family = families::family(target).ok_or_else(|| format!("no family {target:?}"))?;
    let (tx, rx) = mpsc::channel();
    let worker = std::thread::spawn(move || {
        families::run(family, &bytes);
        let _ = tx.send(());
    });
    match rx.recv_timeout(DEADLINE) {
        Ok(()) => worker.join().map_err(|_| "panicked".to_string()),
        // The sender was dropped without sending: the worker panicked.
        Err(mpsc::RecvTimeoutError::Disconnected) => match worker.join() {
            Err(panic) => Err(format!(
                "panicked: {}",
                bomscout_core::escape::quote(
                    panic
                        .downcast_ref::<String>()
                        .map(String::as_str)
                        .or_else(|| panic.downcast_ref::<&str>().copied())
                        .unwrap_or("(no message)"),
                    400
                )
            )),
            Ok(()) => Err("worker ended without finishing".into()),
        },
        Err(mpsc::RecvTimeoutError::Timeout) => Err(format!("still running after {DEADLINE:?}")),
    }
}

/// Replays every file of `dir` as family `target` (or, when `target` is `None`, the family
/// named by the file name up to its first `-`) and returns the failures.
fn replay_dir(dir: &Path, target: Option<&str>) -> (usize, Vec<String>) {
    let mut failures = Vec::new();
    let mut replayed = 0;
    for path in files(dir) {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        if KNOWN.iter().any(|(known, _)| *known == name) {
            continue;
        }
        let family = match target {
            Some(t) => t.to_string(),
            None => name.split('-').next().unwrap_or_default().to_string(),
        };
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) => {
                failures.push(format!("{}: cannot read: {e}", path.display()));
                continue;
            }
        };
        replayed += 1;
        if let Err(e) = replay(&family, bytes) {
            failures.push(format!("{} (family {family}): {e}", path.display()));
        }
    }
    (replayed, failures)
}

#[test]
fn fuzz_findings_no_longer_crash_or_hang() {
    let dir = repo().join("crates/bomscout-catalog/tests/fuzz_regressions");
    let (replayed, failures) = replay_dir(&dir, None);
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    let known = KNOWN.len();
    assert_eq!(
        replayed + known,
        files(&dir).len(),
        "every regression file is replayed or listed in KNOWN"
    );
}

#[test]
fn every_known_entry_names_a_regression_file() {
    let dir = repo().join("crates/bomscout-catalog/tests/fuzz_regressions");
    for (name, why) in KNOWN {
        assert!(
            dir.join(name).is_file(),
            "KNOWN lists {name} ({why}), which is not in {}",
            dir.display()
        );
    }
}

#[test]
fn seed_corpora_parse_without_panic() {
    let mut total = 0;
    for family in families::FAMILIES {
        let dir = repo().join("fuzz/corpus").join(family.name);
        let (replayed, failures) = replay_dir(&dir, Some(family.name));
        assert!(failures.is_empty(), "{}", failures.join("\n"));
        assert!(replayed > 0, "fuzz/corpus/{} has no seeds", family.name);
        total += replayed;
    }
    assert!(total >= families::FAMILIES.len());
}
