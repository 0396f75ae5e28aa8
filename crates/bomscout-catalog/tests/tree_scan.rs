//! A scan through an in-memory tree ([`MemTree`], an image's merged layers) gives what the
//! same files give on disk: the fixture folders are loaded into a tree keeping only the
//! contents [`wanted_in_image`] asks for, walked with `walk_tree` and catalogued through
//! the tree, and compared with the disk scan of the same folder: the same components,
//! licenses with their evidence paths, locations, projects and diagnostics. A sibling read
//! that `wanted_in_image` forgot shows up here as a missing license or a new diagnostic.

use bomscout_catalog::{catalog_files, wanted_in_image, Options, DISK};
use bomscout_core::{Catalog, Silent};
use bomscout_walk::{walk, walk_tree, MemTree, WalkOptions};
use std::path::{Path, PathBuf};
use std::sync::Arc;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// `dir` as an image layer would hold it: every file listed with its size, contents kept
/// only when `keep` says so, symlinks as written. Returns the tree and how many files
/// were kept.
fn load(dir: &Path, keep: &dyn Fn(&str) -> bool) -> (MemTree, usize) {
    let mut tree = MemTree::new();
    let mut kept = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap() {
            let entry = entry.unwrap();
            let path = entry.path();
            let rel = path.strip_prefix(dir).unwrap().to_str().unwrap().to_string();
            let t = entry.file_type().unwrap();
            if t.is_symlink() {
                let target = std::fs::read_link(&path).unwrap();
                tree.insert_symlink(&rel, target.to_str().unwrap(), 0);
            } else if t.is_dir() {
                tree.insert_dir(&rel, 0);
                stack.push(path);
            } else if t.is_file() {
                let bytes = std::fs::read(&path).unwrap();
                let content = keep(&rel).then(|| Arc::from(bytes.as_slice()));
                kept += usize::from(content.is_some());
                tree.insert_file(&rel, bytes.len() as u64, 0, content);
            }
        }
    }
    (tree, kept)
}

/// What a scan found, as comparable text: one line per package, project and diagnostic,
/// with licenses (raw, kind, evidence path) and locations.
fn summary(catalogs: &[Catalog]) -> Vec<String> {
    let mut out = Vec::new();
    for c in catalogs {
        for p in &c.packages {
            let comp = &p.component;
            let mut licenses: Vec<String> = comp
                .licenses
                .iter()
                .map(|l| format!("{}|{:?}|{}|{}", l.raw, l.source.kind, l.source.path, l.source.field))
                .collect();
            licenses.sort();
            let locations: Vec<&str> = comp.locations.iter().map(|l| l.path.as_str()).collect();
            let copyrights = comp.copyrights.len();
            out.push(format!(
                "package {} licenses={licenses:?} at={locations:?} copyrights={copyrights} props={:?}",
                comp.purl, comp.properties
            ));
        }
        for p in &c.projects {
            out.push(format!("project {} {:?} {:?} {:?}", p.manifest, p.name, p.purl, p.licenses));
        }
        for d in &c.diagnostics {
            out.push(format!("diagnostic {} {:?} {}", d.path, d.line, d.message));
        }
    }
    out.sort();
    out
}

fn scan_both(rel: &str) -> (Vec<String>, Vec<String>, usize) {
    let dir = std::fs::canonicalize(fixtures().join(rel)).unwrap();
    let options = Options {
        read_caches: false,
        ..Options::default()
    };
    let walk_options = WalkOptions {
        threads: 1,
        ..WalkOptions::default()
    };
    let walked = walk(std::slice::from_ref(&dir), &walk_options, &Silent).unwrap();
    let on_disk = catalog_files(&walked.files, &DISK, &options, &Silent);
    let (tree, kept) = load(&dir, &wanted_in_image);
    let detected = walk_tree(&tree, &walk_options).unwrap();
    let rels = |files: &[bomscout_core::Detected]| -> Vec<String> {
        files.iter().map(|f| f.rel.clone()).collect()
    };
    assert_eq!(rels(&detected.files), rels(&walked.files), "{rel}: detected files");
    let in_memory = catalog_files(&detected.files, &tree, &options, &Silent);
    (summary(&in_memory), summary(&on_disk), kept)
}

/// Every fixture folder with installed trees or sibling reads, one at a time so a
/// difference names its folder.
#[test]
fn fixture_folders_scan_the_same_in_memory() {
    let mut total_kept = 0;
    for rel in [
        "os/debootstrap-minbase",
        "os/distroless",
        "os/dpkg-host",
        "os/rpm-sqlite",
        "os/alpine-syft",
        "os/alpine-trivy",
        "python",
        "npm",
        "pnpm",
        "yarn",
        "cargo",
        "golang",
        "elixir",
        "dotnet",
        "cocoapods",
        "maven",
        "php",
        "ruby",
        "ml",
        "archives",
        "dart",
        "bun",
        "erlang",
        "haskell",
        "conan",
        "swift",
        "r",
        "vcpkg",
        "github-actions",
    ] {
        let (in_memory, on_disk, kept) = scan_both(rel);
        assert!(!on_disk.is_empty(), "{rel}: nothing found on disk");
        total_kept += kept;
        if in_memory != on_disk {
            let only_mem: Vec<&String> = in_memory.iter().filter(|l| !on_disk.contains(l)).collect();
            let only_disk: Vec<&String> = on_disk.iter().filter(|l| !in_memory.contains(l)).collect();
            panic!("{rel}: in memory only: {only_mem:#?}\non disk only: {only_disk:#?}");
        }
    }
    assert!(total_kept > 0);
}
