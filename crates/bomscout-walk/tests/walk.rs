//! The walk on real directory trees: pruning, excludes, links, odd names.

use bomscout_core::{Cataloger, Silent};
use bomscout_walk::{walk, WalkOptions};
use std::fs;
use std::path::{Path, PathBuf};

fn touch(root: &Path, rel: &str) {
    let path = root.join(rel);
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(path, "{}").unwrap();
}

fn found(root: &Path, options: &WalkOptions) -> Vec<(String, Cataloger)> {
    let walked = walk(&[root.to_path_buf()], options, &Silent).unwrap();
    walked
        .files
        .into_iter()
        .map(|d| (d.rel, d.cataloger))
        .collect()
}

#[test]
fn finds_manifests_and_prunes_vcs_internals() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "package-lock.json");
    touch(dir.path(), "a/b/c/Cargo.lock");
    touch(dir.path(), ".git/package.json");
    touch(dir.path(), "x/.hg/Cargo.lock");
    touch(dir.path(), "x/.svn/uv.lock");
    touch(dir.path(), "node_modules/left-pad/package.json");
    touch(dir.path(), "src/main.rs");
    let got = found(dir.path(), &WalkOptions::default());
    assert_eq!(
        got,
        [
            ("a/b/c/Cargo.lock".to_string(), Cataloger::CargoLock),
            (
                "node_modules/left-pad/package.json".to_string(),
                Cataloger::NpmInstalled
            ),
            ("package-lock.json".to_string(), Cataloger::NpmLock),
        ]
    );
}

#[test]
fn excludes_match_names_and_paths() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "app/package-lock.json");
    touch(dir.path(), "vendor/x/Cargo.lock");
    touch(dir.path(), "deep/node_modules/a/package.json");
    touch(dir.path(), "tests/data/uv.lock");
    let options = WalkOptions {
        excludes: vec!["node_modules".into(), "vendor/**".into(), "**/data".into()],
        ..WalkOptions::default()
    };
    let got: Vec<String> = found(dir.path(), &options)
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(got, ["app/package-lock.json"]);
}

#[test]
fn bad_exclude_glob_is_an_error() {
    let options = WalkOptions {
        excludes: vec!["a/[".into()],
        ..WalkOptions::default()
    };
    let err = walk(&[PathBuf::from(".")], &options, &Silent).unwrap_err();
    assert!(err.to_string().contains("a/["), "{err}");
}

#[cfg(unix)]
#[test]
fn symlinks_are_not_followed_by_default_and_loops_are_reported_when_they_are() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "real/Cargo.lock");
    std::os::unix::fs::symlink(dir.path().join("real"), dir.path().join("link")).unwrap();
    std::os::unix::fs::symlink(dir.path(), dir.path().join("real/loop")).unwrap();

    let got = found(dir.path(), &WalkOptions::default());
    assert_eq!(got.len(), 1, "{got:?}");

    let options = WalkOptions {
        follow_links: true,
        ..WalkOptions::default()
    };
    let walked = walk(&[dir.path().to_path_buf()], &options, &Silent).unwrap();
    let rels: Vec<&str> = walked.files.iter().map(|f| f.rel.as_str()).collect();
    assert!(rels.contains(&"link/Cargo.lock"), "{rels:?}");
    assert!(
        walked
            .diagnostics
            .iter()
            .any(|d| d.message.contains("loop")),
        "{:?}",
        walked.diagnostics
    );
}

#[cfg(unix)]
#[test]
fn non_utf8_names_do_not_crash_and_are_read_by_their_real_path() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    let odd = dir.path().join(std::ffi::OsStr::from_bytes(b"caf\xe9"));
    fs::create_dir_all(&odd).unwrap();
    fs::write(odd.join("Cargo.lock"), "").unwrap();
    let walked = walk(
        &[dir.path().to_path_buf()],
        &WalkOptions::default(),
        &Silent,
    )
    .unwrap();
    assert_eq!(walked.files.len(), 1);
    assert_eq!(walked.files[0].rel, "caf\\xe9/Cargo.lock");
    assert!(
        walked.files[0].abs.exists(),
        "the real path is kept for reading"
    );
}

#[test]
fn several_roots_keep_paths_unique() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    touch(a.path(), "Cargo.lock");
    touch(b.path(), "Cargo.lock");
    let roots = [a.path().to_path_buf(), b.path().to_path_buf()];
    let walked = walk(&roots, &WalkOptions::default(), &Silent).unwrap();
    assert_eq!(walked.files.len(), 2);
    assert_ne!(walked.files[0].rel, walked.files[1].rel);
}

#[test]
fn deep_trees_do_not_overflow() {
    let dir = tempfile::tempdir().unwrap();
    let mut rel = String::new();
    for i in 0..200 {
        rel.push_str(&format!("d{i}/"));
    }
    rel.push_str("node_modules/x/package.json");
    touch(dir.path(), &rel);
    assert_eq!(found(dir.path(), &WalkOptions::default()).len(), 1);
}

#[test]
fn detected_files_carry_the_canonical_scan_root() {
    let dir = tempfile::tempdir().unwrap();
    let real = dir.path().join("real");
    touch(&real, "a/Cargo.lock");
    let link = dir.path().join("link");
    std::os::unix::fs::symlink(&real, &link).unwrap();
    let canonical = fs::canonicalize(&real).unwrap();
    for root in [&real, &link] {
        let walked = walk(std::slice::from_ref(root), &WalkOptions::default(), &Silent).unwrap();
        assert_eq!(walked.files.len(), 1);
        assert_eq!(walked.files[0].root, canonical, "{}", root.display());
    }
    let file = link.join("a/Cargo.lock");
    let walked = walk(&[file], &WalkOptions::default(), &Silent).unwrap();
    assert_eq!(walked.files.len(), 1);
    assert_eq!(
        walked.files[0].root,
        canonical.join("a"),
        "a file root reaches its directory"
    );
}

#[cfg(unix)]
#[test]
fn names_that_differ_only_in_invalid_bytes_stay_apart() {
    use std::os::unix::ffi::OsStrExt;
    let dir = tempfile::tempdir().unwrap();
    for name in [&b"p\xff"[..], b"p\xfe", b"p\\xff"] {
        let d = dir.path().join(std::ffi::OsStr::from_bytes(name));
        fs::create_dir_all(&d).unwrap();
        fs::write(d.join("Cargo.lock"), "").unwrap();
    }
    let got: Vec<String> = found(dir.path(), &WalkOptions::default())
        .into_iter()
        .map(|f| f.0)
        .collect();
    assert_eq!(
        got,
        [
            "p\\\\xff/Cargo.lock",
            "p\\xfe/Cargo.lock",
            "p\\xff/Cargo.lock"
        ],
        "a literal backslash is escaped too, so no two names collide"
    );
}

#[test]
fn a_file_root_is_catalogued_as_the_file_it_is() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "app/package-lock.json");
    touch(dir.path(), "app/package.json");
    touch(dir.path(), "go/vendor/modules.txt");
    let lock = dir.path().join("app/package-lock.json");
    let walked = walk(
        std::slice::from_ref(&lock),
        &WalkOptions::default(),
        &Silent,
    )
    .unwrap();
    assert_eq!(
        walked.files.len(),
        1,
        "only the file named, not its siblings"
    );
    assert_eq!(walked.files[0].rel, "package-lock.json");
    assert_eq!(walked.files[0].cataloger, Cataloger::NpmLock);
    assert_eq!(walked.files[0].abs, lock);
    assert!(walked.empty_roots.is_empty());

    // A name that needs its directory keeps it, relative to the same base a scan of
    // the project directory would use.
    let modules = dir.path().join("go/vendor/modules.txt");
    let walked = walk(&[modules], &WalkOptions::default(), &Silent).unwrap();
    assert_eq!(walked.files[0].rel, "vendor/modules.txt");
    assert_eq!(walked.files[0].cataloger, Cataloger::GoVendor);
}

#[test]
fn a_file_nobody_reads_and_an_empty_directory_are_reported() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "src/main.rs");
    let file = dir.path().join("src/main.rs");
    let walked = walk(
        std::slice::from_ref(&file),
        &WalkOptions::default(),
        &Silent,
    )
    .unwrap();
    assert!(walked.files.is_empty());
    assert_eq!(walked.empty_roots, [file]);
    assert_eq!(walked.diagnostics.len(), 1);
    assert_eq!(
        walked.diagnostics[0].severity,
        bomscout_core::Severity::Error
    );
    assert!(walked.diagnostics[0]
        .message
        .contains("not a file bomscout reads"));

    let walked = walk(&[dir.path().join("src")], &WalkOptions::default(), &Silent).unwrap();
    assert_eq!(walked.empty_roots, [dir.path().join("src")]);
    assert!(walked.diagnostics.is_empty(), "the caller decides how loud");
}

#[test]
fn several_file_roots_keep_paths_unique() {
    let dir = tempfile::tempdir().unwrap();
    touch(dir.path(), "a/Cargo.lock");
    touch(dir.path(), "b/Cargo.lock");
    let roots = [
        dir.path().join("a/Cargo.lock"),
        dir.path().join("b/Cargo.lock"),
    ];
    let walked = walk(&roots, &WalkOptions::default(), &Silent).unwrap();
    assert_eq!(walked.files.len(), 2);
    assert!(
        walked.files[0].rel.ends_with("a/Cargo.lock"),
        "{}",
        walked.files[0].rel
    );
    assert!(
        walked.files[1].rel.ends_with("b/Cargo.lock"),
        "{}",
        walked.files[1].rel
    );
}
