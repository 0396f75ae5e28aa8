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
    assert!(stderr.contains("--date \"2026-02-30\""), "{stderr}");
}
