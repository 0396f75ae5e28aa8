//! Hostile sizes: lockfiles of 25,000 entries, generated in the shape of the real fixtures
//! (examples/quadratic/gen.rs, shared with the benchmark bench/quadratic.sh). Every entry
//! is found, and the first, middle and last entries carry their own line. How long this
//! takes is the benchmark's business (bench/RESULTS-quadratic.md), never a test's.

#[path = "../examples/quadratic/gen.rs"]
#[allow(dead_code)]
mod gen;

use bomscout_catalog::{parse, Input, Options};
use std::collections::HashMap;
use std::path::Path;
use test_case::test_case;

const N: usize = 25_000;

#[test_case("pnpm")]
#[test_case("berry")]
#[test_case("bun")]
#[test_case("mix")]
#[test_case("swift")]
#[test_case("pom")]
fn every_entry_of_a_large_lockfile_has_its_own_line(format: &str) {
    let g = gen::generate(format, N).unwrap();
    let options = Options::default();
    let abs = Path::new("/nonexistent").join(g.file);
    let input = Input {
        bytes: g.text.as_bytes(),
        shared_path: &bomscout_core::SharedStr::from(g.file),
        abs: &abs,
        root: Path::new("/nonexistent"),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    let catalog = parse(g.cataloger, &input).unwrap();
    assert!(
        catalog.diagnostics.is_empty(),
        "{format}: {:?}",
        catalog.diagnostics.first()
    );
    assert_eq!(catalog.packages.len(), N, "{format}");
    let lines: HashMap<&str, Vec<Option<u32>>> = catalog
        .packages
        .iter()
        .map(|p| {
            let c = &p.component;
            (
                c.name.as_str(),
                c.locations.iter().map(|l| l.line).collect(),
            )
        })
        .collect();
    for i in [0, N / 2, N - 1] {
        let (name, line) = &g.entries[i];
        assert_eq!(
            lines.get(name.as_str()),
            Some(&vec![Some(*line)]),
            "{format}: entry {i} ({name})"
        );
    }
}

/// A lockfile with an entry written twice (a bad merge) is refused, naming the line of the
/// second one, not the line of the mapping that holds both.
#[test_case("pnpm", 2)]
#[test_case("berry", 2)]
fn a_duplicate_entry_is_reported_at_its_line(format: &str, n: usize) {
    let g = gen::generate(format, n).unwrap();
    let (first, line) = &g.entries[0];
    // Entry 0 again, at the end of the file: its lines as generated, copied.
    let lines: Vec<&str> = g.text.lines().collect();
    let start = (*line - 1) as usize;
    let end = match format {
        "pnpm" => start + 3,
        _ => start + 7,
    };
    let copy = lines[start..end].join("\n");
    assert!(copy.contains(first.as_str()), "{copy}");
    let text = match format {
        // In pnpm's `packages` map, before `snapshots`.
        "pnpm" => g
            .text
            .replacen("snapshots:", &format!("{copy}\n\nsnapshots:"), 1),
        _ => format!("{}\n{copy}\n", g.text),
    };
    let dup_line = text
        .lines()
        .enumerate()
        .filter(|(_, l)| *l == lines[start])
        .nth(1)
        .map(|(i, _)| i as u32 + 1)
        .unwrap();
    let options = Options::default();
    let abs = Path::new("/nonexistent").join(g.file);
    let input = Input {
        bytes: text.as_bytes(),
        shared_path: &bomscout_core::SharedStr::from(g.file),
        abs: &abs,
        root: Path::new("/nonexistent"),
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    let err = parse(g.cataloger, &input).unwrap_err();
    assert_eq!(err.line(), Some(dup_line), "{format}: {err}");
    assert!(err.to_string().contains("duplicate"), "{err}");
}
