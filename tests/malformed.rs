//! Every real fixture, damaged: cut short at several points, spliced with bytes no format
//! allows, and replaced by garbage of the same length. Each cataloger must answer with an
//! error or a diagnostic, or with what the intact part says; never a panic, never a hang,
//! and never a package made up from garbage.

use bomscout_catalog::{parse, Input, Options};
use bomscout_core::Cataloger;
use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Fixture files larger than this are left out (prebuilt binaries; their damage is tested
/// where they are parsed).
const MAX_FIXTURE: u64 = 2 * 1024 * 1024;

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("fixtures")
}

/// `(relative path, cataloger)` of every fixture file a scan would parse.
fn fixture_files() -> Vec<(String, Cataloger)> {
    let root = fixtures();
    let mut out = Vec::new();
    let mut stack = vec![root.clone()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).unwrap().flatten() {
            let path = entry.path();
            let meta = entry.metadata().unwrap();
            if meta.is_dir() {
                stack.push(path);
            } else if meta.len() <= MAX_FIXTURE {
                let rel = path
                    .strip_prefix(&root)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned();
                if let Some(c) = bomscout_walk::detect(&rel) {
                    out.push((rel, c));
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// What parsing `bytes` as `rel` gives: `Err`, or `(packages, diagnostics)`.
fn run(
    cataloger: Cataloger,
    rel: &str,
    abs: &Path,
    bytes: &[u8],
) -> Result<(usize, usize), String> {
    let options = Options {
        read_caches: false,
        ..Options::default()
    };
    let input = Input {
        bytes,
        shared_path: &bomscout_core::SharedStr::from(rel),
        abs,
        root: std::path::Path::new("/"),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    parse(cataloger, &input)
        .map(|c| (c.packages.len(), c.diagnostics.len()))
        .map_err(|e| e.to_string())
}

/// Deterministic bytes that are not text in any format: invalid UTF-8 and stray brackets.
fn garbage(len: usize) -> Vec<u8> {
    let mut x: u32 = 0x9e37_79b9;
    (0..len.max(16))
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            [0xff, 0xfe, 0xc0, b'{', b'[', b'<', 0x00, 0x80][(x % 8) as usize]
        })
        .collect()
}

#[test]
fn damaged_fixtures_never_panic_or_invent_packages() {
    let files = fixture_files();
    assert!(files.len() > 100, "{} fixture files", files.len());
    let mut covered: BTreeSet<String> = BTreeSet::new();
    for (rel, cataloger) in &files {
        let abs = fixtures().join(rel);
        let bytes = std::fs::read(&abs).unwrap();
        covered.insert(format!("{cataloger:?}"));
        let intact = run(*cataloger, rel, &abs, &bytes);
        for k in 1..8 {
            let cut = &bytes[..bytes.len() * k / 8];
            if let Ok((packages, _)) = run(*cataloger, rel, &abs, cut) {
                // A cut file never says more than the whole one.
                let whole = intact.as_ref().map(|(p, _)| *p).unwrap_or(usize::MAX);
                assert!(
                    packages <= whole.max(1).saturating_mul(2),
                    "{rel} cut at {k}/8: {packages} packages"
                );
            }
            let mut spliced = bytes.clone();
            let at = bytes.len() * k / 8;
            spliced.splice(at..at, [0xff, 0x00, b'{', 0xfe]);
            let _ = run(*cataloger, rel, &abs, &spliced);
        }
        match run(*cataloger, rel, &abs, &garbage(bytes.len())) {
            Err(message) => assert!(!message.is_empty(), "{rel}: an empty error"),
            Ok((packages, diagnostics)) => assert!(
                packages == 0 || diagnostics > 0,
                "{rel}: {packages} packages made from garbage, without a diagnostic"
            ),
        }
    }
    // Every format has a real fixture.
    let missing: Vec<String> = Cataloger::ALL
        .iter()
        .map(|c| format!("{c:?}"))
        .filter(|c| !covered.contains(c))
        .collect();
    assert!(
        missing.is_empty(),
        "formats without a real fixture: {missing:?}"
    );
}
