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
            let rel = path
                .strip_prefix(dir)
                .unwrap()
                .to_str()
                .unwrap()
                .to_string();
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
                .map(|l| {
                    format!(
                        "{}|{:?}|{}|{}",
                        l.raw, l.source.kind, l.source.path, l.source.field
                    )
                })
                .collect();
            licenses.sort();
            let locations: Vec<&str> = comp.locations.iter().map(|l| &*l.path).collect();
            let copyrights = comp.copyrights.len();
            out.push(format!(
                "package {} licenses={licenses:?} at={locations:?} copyrights={copyrights} props={:?}",
                comp.purl, comp.properties
            ));
        }
        for p in &c.projects {
            out.push(format!(
                "project {} {:?} {:?} {:?}",
                p.manifest, p.name, p.purl, p.licenses
            ));
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
    assert_eq!(
        rels(&detected.files),
        rels(&walked.files),
        "{rel}: detected files"
    );
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
            let only_mem: Vec<&String> =
                in_memory.iter().filter(|l| !on_disk.contains(l)).collect();
            let only_disk: Vec<&String> =
                on_disk.iter().filter(|l| !in_memory.contains(l)).collect();
            panic!("{rel}: in memory only: {only_mem:#?}\non disk only: {only_disk:#?}");
        }
    }
    assert!(total_kept > 0);
}

/// A tree built by hand, as an image's layers would leave it.
fn tree_of(files: &[(&str, &[u8])], links: &[(&str, &str)]) -> MemTree {
    let mut tree = MemTree::new();
    for (rel, bytes) in files {
        tree.insert_file(rel, bytes.len() as u64, 0, Some(Arc::from(*bytes)));
    }
    for (rel, target) in links {
        tree.insert_symlink(rel, target, 1);
    }
    tree
}

/// Walks and catalogs `tree` as an image scan does, with the host's caches allowed (and
/// still never read: the tree is not the host's).
fn scan_tree(tree: &MemTree) -> Vec<Catalog> {
    let walked = walk_tree(tree, &WalkOptions::default()).unwrap();
    catalog_files(&walked.files, tree, &Options::default(), &Silent)
}

fn packages(catalogs: &[Catalog]) -> Vec<&bomscout_core::Component> {
    let mut out: Vec<&bomscout_core::Component> = catalogs
        .iter()
        .flat_map(|c| c.packages.iter().map(|p| &p.component))
        .collect();
    out.sort_by(|a, b| a.purl.as_str().cmp(b.purl.as_str()));
    out
}

fn licenses(c: &bomscout_core::Component) -> Vec<(String, String)> {
    c.licenses
        .iter()
        .map(|l| (l.raw.to_string(), l.source.path.to_string()))
        .collect()
}

const MIT: &str = "MIT License\n\nCopyright (c) 2024 Jane Doe\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

/// dpkg: the status file, each package's DEP-5 copyright file, and the distribution from
/// `etc/os-release`, a symlink to `../usr/lib/os-release` as Debian ships it.
#[test]
fn dpkg_with_copyright_and_a_symlinked_os_release() {
    let status = b"Package: hello\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.10-3\n\nPackage: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0\n";
    let copyright = b"Format: copyright-format/1.0\nUpstream-Name: hello\n\nFiles: *\nCopyright: 1992 Free Software Foundation\nLicense: GPL-3+\n";
    let tree = tree_of(
        &[
            ("var/lib/dpkg/status", status),
            ("usr/share/doc/hello/copyright", copyright),
            (
                "usr/lib/os-release",
                b"ID=debian\nVERSION_ID=\"12\"\nPRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
            ),
        ],
        &[("etc/os-release", "../usr/lib/os-release")],
    );
    let catalogs = scan_tree(&tree);
    let found = packages(&catalogs);
    let purls: Vec<&str> = found.iter().map(|c| c.purl.as_str()).collect();
    assert_eq!(
        purls,
        [
            "pkg:deb/debian/hello@2.10-3?arch=amd64&distro=debian-12",
            "pkg:generic/debian@12",
        ]
    );
    assert_eq!(
        licenses(found[0]),
        [(
            "GPL-3.0-or-later".to_string(),
            "usr/share/doc/hello/copyright".to_string()
        )]
    );
    let diagnostics: Vec<&String> = catalogs
        .iter()
        .flat_map(|c| c.diagnostics.iter().map(|d| &d.message))
        .collect();
    assert!(diagnostics.is_empty(), "{diagnostics:?}");
}

/// An installed Python distribution: `METADATA` and the `License-File` under
/// `licenses/` in its `dist-info` directory.
#[test]
fn python_dist_info_with_its_license_file() {
    let metadata = b"Metadata-Version: 2.4\nName: foo\nVersion: 1.0\nLicense-File: LICENSE\n";
    let tree = tree_of(
        &[
            (
                "usr/lib/python3/site-packages/foo-1.0.dist-info/METADATA",
                metadata,
            ),
            (
                "usr/lib/python3/site-packages/foo-1.0.dist-info/licenses/LICENSE",
                MIT.as_bytes(),
            ),
        ],
        &[],
    );
    let catalogs = scan_tree(&tree);
    let found = packages(&catalogs);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].purl.as_str(), "pkg:pypi/foo@1.0");
    assert_eq!(
        licenses(found[0]),
        [(
            "MIT".to_string(),
            "usr/lib/python3/site-packages/foo-1.0.dist-info/licenses/LICENSE".to_string()
        )]
    );
}

/// npm's installed tree: each package's `package.json` and the `LICENSE` beside it; a
/// `LICENSE` symlink leaving the package is not read.
#[test]
fn npm_node_modules_with_license_files() {
    let tree = tree_of(
        &[
            (
                "app/node_modules/left-pad/package.json",
                br#"{"name": "left-pad", "version": "1.3.0"}"#,
            ),
            ("app/node_modules/left-pad/LICENSE", MIT.as_bytes()),
            (
                "app/node_modules/right-pad/package.json",
                br#"{"name": "right-pad", "version": "1.0.1"}"#,
            ),
            ("secret/LICENSE", MIT.as_bytes()),
        ],
        &[("app/node_modules/right-pad/LICENSE", "/secret/LICENSE")],
    );
    let catalogs = scan_tree(&tree);
    let found = packages(&catalogs);
    let rows: Vec<(&str, Vec<(String, String)>)> = found
        .iter()
        .map(|c| (c.purl.as_str(), licenses(c)))
        .collect();
    assert_eq!(
        rows,
        [
            (
                "pkg:npm/left-pad@1.3.0",
                vec![(
                    "MIT".to_string(),
                    "app/node_modules/left-pad/LICENSE".to_string()
                )]
            ),
            ("pkg:npm/right-pad@1.0.1", vec![]),
        ]
    );
}

/// rpm's SQLite database, opened from the bytes in memory (the fixture's, made by rpm):
/// no path of the image is ever given to SQLite.
#[test]
fn rpmdb_from_memory() {
    let db = std::fs::read(fixtures().join("os/rpm-sqlite/var/lib/rpm/rpmdb.sqlite")).unwrap();
    let tree = tree_of(&[("var/lib/rpm/rpmdb.sqlite", &db)], &[]);
    let catalogs = scan_tree(&tree);
    let purls: Vec<&str> = packages(&catalogs)
        .iter()
        .map(|c| c.purl.as_str())
        .collect();
    assert_eq!(
        purls,
        [
            "pkg:rpm/hello@0.9-1.fc40?arch=noarch",
            "pkg:rpm/libhello@1.2.3-4?arch=noarch&epoch=2"
        ]
    );
    // Truncated bytes are an error naming the file, not a panic.
    let tree = tree_of(
        &[("var/lib/rpm/rpmdb.sqlite", &db[..db.len().min(4096)])],
        &[],
    );
    let catalogs = scan_tree(&tree);
    assert!(packages(&catalogs).is_empty());
    let d = &catalogs[0].diagnostics;
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].path, "var/lib/rpm/rpmdb.sqlite");
}
