//! `Cargo.lock`, versions 1 to 4.
//!
//! Supported:
//! - `[[package]]` name, version, source, checksum (v2+) or the v1 `[metadata]` table of
//!   `"checksum NAME VERSION (SOURCE)" = "…"` entries;
//! - dependency strings in all three forms, `"name"`, `"name version"` and
//!   `"name version (source)"`, resolved to the one locked package they name;
//! - sources: `registry+…` and `sparse+…` (a registry, recognized by that prefix) give a
//!   plain `pkg:cargo` purl; `git+URL?…#commit` gives a `vcs_url` qualifier pinned to the
//!   commit; no source means a workspace member or path dependency: a [`Project`] in its own
//!   directory, not a third-party component;
//! - member directories and each member's dev / build dependencies from the manifests
//!   beside the lock ([`super::workspace`]), and declared licenses from `vendor/` or the
//!   local registry cache ([`super::registry`]). When the manifests cannot be read, edges
//!   are Normal and a diagnostic says dev scope is unknown.
//!
//! Read with `toml_lock`, the one-pass reader of the shape cargo writes (strings
//! borrowed from the text); a file outside that shape goes through the toml crate as
//! before, which fills the same structs and gives the error of a broken file.

use super::{registry, workspace};
use crate::toml_lock::{self, Fast, Reader, Sink, Unsupported, Value};
use crate::{text, Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, License, NodeRef, Project,
    Severity,
};
use bomscout_walk::DISK;
use serde::Deserialize;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex, OnceLock};

/// The lock, as the toml crate deserializes it (owned strings) or the fast reader fills it
/// (strings borrowed from the text).
#[derive(Deserialize, Debug, Default, PartialEq)]
struct Lock<'a> {
    #[serde(default)]
    package: Vec<Package<'a>>,
    #[serde(default)]
    metadata: BTreeMap<Cow<'a, str>, Value<'a>>,
}

#[derive(Deserialize, Debug, Default, PartialEq)]
struct Package<'a> {
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    source: Option<Cow<'a, str>>,
    checksum: Option<Cow<'a, str>>,
    #[serde(default)]
    dependencies: Vec<Cow<'a, str>>,
}

/// Parses one `Cargo.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    let lock = match read_fast(text) {
        Ok(lock) => lock,
        Err(Unsupported) => read_toml(text)?,
    };
    Ok(catalog(&lock, input))
}

/// The lock through the toml crate: one `[[package]]` at a time, so memory stays near the
/// file's size (see the function), after the nesting pre-scan.
fn read_toml(text: &str) -> Result<Lock<'static>, ParseError> {
    let (mut lock, package): (Lock, Vec<Package>) =
        crate::nesting::toml_array_of_tables(text, "package")?;
    lock.package.extend(package);
    Ok(lock)
}

/// The lock through the one-pass reader ([`toml_lock`]), for the shape cargo writes.
fn read_fast(text: &str) -> Fast<Lock<'_>> {
    let mut lock = Lock::default();
    toml_lock::read(text, "package", &mut lock)?;
    Ok(lock)
}

impl<'a> Sink<'a> for Lock<'a> {
    fn element(&mut self) -> Fast<()> {
        self.package.push(Package::default());
        Ok(())
    }

    fn table(&mut self, path: &[&'a str]) -> Fast<()> {
        match path {
            // Cargo writes no sub-tables of a package, nor tables in `[metadata]`.
            ["package", ..] | ["metadata", _, ..] => Err(Unsupported),
            _ => Ok(()),
        }
    }

    fn key(&mut self, path: &[&'a str], key: &'a str, r: &mut Reader<'a>) -> Fast<()> {
        match path {
            [] if key == "package" || key == "metadata" => Err(Unsupported),
            ["package"] => {
                let p = self.package.last_mut().ok_or(Unsupported)?;
                match key {
                    "name" => p.name = Some(r.cow()?),
                    "version" => p.version = Some(r.cow()?),
                    "source" => p.source = Some(r.cow()?),
                    "checksum" => p.checksum = Some(r.cow()?),
                    "dependencies" => p.dependencies = r.strings()?,
                    _ => r.skip_value()?,
                }
                Ok(())
            }
            ["metadata"] => {
                self.metadata
                    .insert(Cow::Borrowed(key), Value::Str(r.cow()?));
                Ok(())
            }
            _ => r.skip_value(),
        }
    }
}

/// The catalog of a lock.
fn catalog(lock: &Lock, input: &Input) -> Catalog {
    let abs_dir = input.abs.parent();
    let members = abs_dir
        .map(|d| workspace::members(input.tree, d, input.root))
        .unwrap_or_default();
    // `vendor/` is looked for once per lock, not twice per registry crate (two `stat`s of
    // `vendor/<crate>/Cargo.toml` per crate were a third of a Cargo-only scan). `kind` is a
    // `stat` of `vendor` itself: a directory that exists but cannot be listed still counts.
    let vendor = abs_dir
        .filter(|d| input.tree.kind(&d.join("vendor")).is_some())
        .map(|d| (d, input.root));
    let mut cat = Catalog::default();
    let mut unlicensed = 0usize;
    let nodes: Vec<Option<NodeRef>> = lock
        .package
        .iter()
        .map(|p| add_node(&mut cat, p, lock, input, &members, vendor, &mut unlicensed))
        .collect();
    add_edges(&mut cat, &lock.package, &nodes, &members, input.path());
    if members.is_empty() && lock.package.iter().any(|p| p.source.is_none()) {
        cat.diagnostics.push(Diagnostic::new(
            Severity::Info,
            input.path(),
            "the workspace manifests beside this lock could not be read: member directories and dev/build scope are unknown",
        ));
    }
    if unlicensed > 0 && input.read_caches() {
        cat.diagnostics.push(Diagnostic::new(
            Severity::Info,
            input.path(),
            format!("licenses of {unlicensed} crates unknown: not in vendor/ or the local cargo registry cache (run `cargo fetch` in this workspace to fill it)"),
        ));
    }
    cat
}

fn add_node(
    cat: &mut Catalog,
    p: &Package,
    lock: &Lock,
    input: &Input,
    members: &[workspace::Member],
    vendor: Option<(&Path, &Path)>,
    unlicensed: &mut usize,
) -> Option<NodeRef> {
    let (Some(name), Some(version)) = (p.name.as_deref(), p.version.as_deref()) else {
        cat.diagnostics.push(Diagnostic::warning(
            input.path(),
            "a [[package]] without name or version was skipped",
        ));
        return None;
    };
    let Some(source) = p.source.as_deref() else {
        return Some(cat.add_project(member_project(name, version, input, members)));
    };
    let component = if source.starts_with("git+") {
        Component::with_qualifiers(
            Ecosystem::Cargo,
            None,
            name,
            version,
            &[("vcs_url", &crate::vcs::git_vcs_url(source))],
        )
    } else {
        Component::new(Ecosystem::Cargo, None, name, version)
    };
    let mut c = match component {
        Ok(c) => c,
        Err(e) => {
            cat.diagnostics
                .push(Diagnostic::warning(input.path(), e.to_string()));
            return None;
        }
    };
    if !is_registry(source) {
        c.properties.insert("source".into(), source.to_string());
    }
    let checksum = p
        .checksum
        .as_deref()
        .or_else(|| v1_checksum(lock, name, version, source));
    if let Some(h) = checksum.and_then(|h| Hash::hex(HashAlg::Sha256, h)) {
        c.add_hash(h);
    }
    if is_registry(source) {
        match registry::lookup(input.tree, name, version, vendor, input.read_caches()) {
            Some(found) => {
                for message in add_license_once(&mut c, found, input) {
                    cat.diagnostics
                        .push(Diagnostic::warning(input.path(), message));
                }
            }
            None => *unlicensed += 1,
        }
    }
    Some(cat.add_package(c.at(input.location())))
}

/// A registry source, by its `registry+` / `sparse+` prefix.
fn is_registry(source: &str) -> bool {
    source.starts_with("registry+") || source.starts_with("sparse+")
}

/// What a crate's files in the registry cache add to its component: computed once per
/// crate and run, however many lockfiles name it.
struct CacheEvidence {
    licenses: Vec<License>,
    copyrights: Vec<bomscout_core::Copyright>,
    notices: Vec<bomscout_core::NoticeText>,
    properties: BTreeMap<String, String>,
    messages: Vec<String>,
}

/// [`add_license`], remembered per crate for files outside the scan root (the registry
/// cache in `$CARGO_HOME`, the same for every lockfile of a run): the license files of a
/// crate named by a thousand lockfiles are read and matched once, not a thousand times.
/// A vendored crate (inside the root) is read each time, as before. The memory holds one
/// entry per crate version of the cache that some lockfile names.
fn add_license_once(c: &mut Component, found: registry::Found, input: &Input) -> Vec<String> {
    // The remembered evidence replaces what a fresh registry component has: nothing yet.
    let fresh = c.licenses.is_empty()
        && c.copyrights.is_empty()
        && c.notices.is_empty()
        && c.properties.is_empty();
    // Only the host's registry cache is the same for every scanned lockfile.
    if !fresh || !found.cached {
        return add_license(c, found, input);
    }
    let threshold = input.options.license_threshold;
    type Memo = HashMap<(String, String, std::path::PathBuf, u32), Arc<CacheEvidence>>;
    static MEMO: OnceLock<Mutex<Memo>> = OnceLock::new();
    let memo = MEMO.get_or_init(Mutex::default);
    let key = (
        c.purl.to_string(),
        found.shown_path.clone(),
        found.dir.clone(),
        threshold.to_bits(),
    );
    let hit = memo.lock().ok().and_then(|m| m.get(&key).cloned());
    let evidence = match hit {
        Some(e) => e,
        None => {
            let messages = add_license(c, found, input);
            let e = Arc::new(CacheEvidence {
                licenses: c.licenses.clone(),
                copyrights: c.copyrights.clone(),
                notices: c.notices.clone(),
                properties: c.properties.clone(),
                messages: messages.clone(),
            });
            if let Ok(mut m) = memo.lock() {
                m.insert(key, e);
            }
            return messages;
        }
    };
    c.licenses = evidence.licenses.clone();
    c.copyrights = evidence.copyrights.clone();
    c.notices = evidence.notices.clone();
    c.properties = evidence.properties.clone();
    evidence.messages.clone()
}

/// The crate's declared license, then its license files: a `license-file` crate's license
/// comes from that file's text, and any crate's files confirm (or contradict) its field.
/// Returns the contradictions.
fn add_license(c: &mut Component, found: registry::Found, input: &Input) -> Vec<String> {
    if let Some(l) = &found.license {
        c.add_license(License::declared(l, &found.shown_path, "package.license"));
    }
    let named: Vec<String> = match &found.license_file {
        Some(file) => {
            c.properties.insert("license-file".into(), file.clone());
            vec![file.clone()]
        }
        None => Vec::new(),
    };
    let shown_dir = crate::paths::dir_of(&found.shown_path);
    // A crate from the registry cache is on the host's disk; one from `vendor/`, in the
    // scanned tree.
    let tree = if found.cached { &DISK } else { input.tree };
    let threshold = input.options.license_threshold;
    crate::license_files::add_evidence(tree, c, &found.dir, shown_dir, &named, threshold)
}

/// The checksum of a v1 lock's `[metadata]` (later locks have none: no key is built).
fn v1_checksum<'l>(lock: &'l Lock, name: &str, version: &str, source: &str) -> Option<&'l str> {
    if lock.metadata.is_empty() {
        return None;
    }
    let key = format!("checksum {name} {version} ({source})");
    lock.metadata.get(key.as_str()).and_then(Value::as_str)
}

/// The project for a member: its real directory when the manifests were read.
fn member_project(
    name: &str,
    version: &str,
    input: &Input,
    members: &[workspace::Member],
) -> Project {
    let lock_dir = crate::paths::dir_of(input.path());
    let abs_dir = input.abs.parent();
    let member = members
        .iter()
        .find(|m| m.name == name && m.version.as_deref() == Some(version))
        .or_else(|| members.iter().find(|m| m.name == name));
    let mut p = match (member, abs_dir) {
        (Some(m), Some(base)) => {
            let dir = relative_dir(lock_dir, base, &m.dir);
            let manifest = if dir == "." {
                "Cargo.toml".to_string()
            } else {
                format!("{dir}/Cargo.toml")
            };
            // The file that describes the project here is the lock (as for every other
            // lockfile): the merged project lists it beside the member's Cargo.toml, which
            // is what tells a locked project from one with only a manifest.
            let mut p = Project::in_dir(Ecosystem::Cargo, &dir, input.path());
            if let Some(l) = &m.license {
                p.licenses
                    .push(License::declared(l, &manifest, "package.license"));
            }
            p
        }
        // Without manifests, members still must not merge into one project.
        _ => Project::in_dir(
            Ecosystem::Cargo,
            &format!("{lock_dir}#{name}"),
            input.path(),
        ),
    };
    p.name = Some(name.to_string());
    p.version = Some(version.to_string());
    p.purl = Component::new(Ecosystem::Cargo, None, name, version)
        .ok()
        .map(|c| c.purl);
    p
}

/// `member` (absolute) relative to the scan root, given the lock's directory both ways.
fn relative_dir(lock_dir: &str, lock_abs: &Path, member: &Path) -> String {
    let base = workspace::normalize(lock_abs);
    let Ok(rel) = member.strip_prefix(&base) else {
        return format!("{lock_dir}/{}", member.display());
    };
    crate::paths::join_dir(lock_dir, &rel.to_string_lossy().replace('\\', "/"))
}

fn add_edges(
    cat: &mut Catalog,
    packages: &[Package],
    nodes: &[Option<NodeRef>],
    members: &[workspace::Member],
    path: &str,
) {
    // Packages by name (stable: one name's packages in lock order); one allocation, not
    // one per name.
    let mut by_name: Vec<(&str, usize)> = packages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| Some((p.name.as_deref()?, i)))
        .collect();
    by_name.sort_by(|a, b| a.0.cmp(b.0));
    for (i, p) in packages.iter().enumerate() {
        let Some(from) = nodes[i] else { continue };
        let kinds = match from {
            NodeRef::Project(_) => members
                .iter()
                .find(|m| Some(m.name.as_str()) == p.name.as_deref())
                .map(|m| &m.kinds),
            NodeRef::Package(_) => None,
        };
        for dep in &p.dependencies {
            let Some(target) = resolve(dep, packages, &by_name) else {
                cat.diagnostics.push(Diagnostic::warning(
                    path,
                    format!(
                        "{} depends on {}, which the lock does not contain",
                        quote(p.name.as_deref().unwrap_or("?"), QUOTE_LIMIT),
                        quote(dep, QUOTE_LIMIT)
                    ),
                ));
                continue;
            };
            let Some(to) = nodes[target] else { continue };
            let dep_name = dep.split(' ').next().unwrap_or(dep);
            let kind = kinds
                .and_then(|k| k.get(dep_name))
                .copied()
                .unwrap_or(DepKind::Normal);
            cat.add_edge(from, to, kind);
        }
    }
}

/// The package a dependency string names: `name`, `name version` or `name version (source)`.
fn resolve(dep: &str, packages: &[Package], by_name: &[(&str, usize)]) -> Option<usize> {
    let mut parts = dep.splitn(3, ' ');
    let name = parts.next()?;
    let version = parts.next();
    let source = parts
        .next()
        .map(|s| s.trim_start_matches('(').trim_end_matches(')'));
    let start = by_name.partition_point(|e| e.0 < name);
    let rest = by_name.get(start..).unwrap_or_default();
    let candidates = rest
        .get(..rest.partition_point(|e| e.0 == name))
        .unwrap_or_default();
    if candidates.is_empty() {
        return None;
    }
    let named = |i: &usize| {
        let p = &packages[*i];
        version.is_none_or(|v| p.version.as_deref() == Some(v))
    };
    // A git source is written with its commit in `[[package]]`
    // (`git+https://host/regex.git#1a069b9…`) and without it in dependency strings
    // (`regex 1.11.1 (git+https://host/regex.git)`): an exact match first, then one up to
    // the commit.
    let exact = candidates
        .iter()
        .map(|e| e.1)
        .filter(named)
        .find(|&i| source.is_none_or(|s| packages[i].source.as_deref() == Some(s)));
    exact.or_else(|| {
        let s = without_commit(source?);
        candidates
            .iter()
            .map(|e| e.1)
            .filter(named)
            .find(|&i| packages[i].source.as_deref().map(without_commit) == Some(s))
    })
}

/// A source without its `#commit`.
fn without_commit(source: &str) -> &str {
    source.split_once('#').map_or(source, |(s, _)| s)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use bomscout_core::SourceKind;

    /// A crate of the registry cache named by many lockfiles: the evidence remembered from
    /// the first is exactly what reading its files again gives (licenses, copyrights,
    /// notices, properties, the conflict message); a vendored crate (in the scanned tree) is
    /// not remembered.
    #[test]
    fn registry_evidence_is_read_once_and_the_same() {
        let cache = tempfile::tempdir().unwrap();
        let dir = cache.path().join("once-crate-1.0.0");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("LICENSE"), crate::MIT_TEXT).unwrap();
        std::fs::write(dir.join("NOTICE"), "Copyright 2024 Once Corp\n").unwrap();
        let found = |cached| registry::Found {
            shown_path: "$CARGO_HOME/registry/src/x/once-crate-1.0.0/Cargo.toml".into(),
            dir: dir.clone(),
            license: Some("Apache-2.0".into()),
            license_file: None,
            cached,
        };
        let options = Options::default();
        let input = Input {
            bytes: b"",
            shared_path: &bomscout_core::SharedStr::from("Cargo.lock"),
            abs: Path::new("/nonexistent-root/Cargo.lock"),
            root: Path::new("/nonexistent-root"),
            options: &options,
            tree: &crate::DISK,
        };
        let fresh = || Component::new(Ecosystem::Cargo, None, "once-crate", "1.0.0").unwrap();
        let mut direct = fresh();
        let direct_messages = add_license(&mut direct, found(true), &input);
        assert!(!direct.copyrights.is_empty() && !direct.notices.is_empty());
        assert_eq!(direct_messages.len(), 1, "{direct_messages:?}");
        for _ in 0..3 {
            let mut c = fresh();
            let messages = add_license_once(&mut c, found(true), &input);
            assert_eq!(c, direct);
            assert_eq!(messages, direct_messages);
        }
        // After the files change, a vendored crate is read again.
        std::fs::write(dir.join("NOTICE"), "Copyright 2025 Other Corp\n").unwrap();
        let mut vendored = fresh();
        add_license_once(&mut vendored, found(false), &input);
        assert_ne!(vendored.notices, direct.notices);
    }

    fn run(text: &str) -> Catalog {
        let options = Options {
            read_caches: false,
            ..Options::default()
        };
        let input = Input {
            bytes: text.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("Cargo.lock"),
            abs: Path::new("/nonexistent/Cargo.lock"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        parse(&input).unwrap()
    }

    use crate::toml_lock::tests::{mutation_rounds, repo_files};

    /// The catalog of `lock` as `parse` makes it for the file at `abs` (the manifests
    /// beside it are read; the registry cache is not).
    fn catalog_of(lock: &Lock, abs: &Path) -> Catalog {
        let options = Options {
            read_caches: false,
            ..Options::default()
        };
        let root = abs.parent().unwrap_or(Path::new("/"));
        let input = Input {
            bytes: b"",
            shared_path: &bomscout_core::SharedStr::from("Cargo.lock"),
            abs,
            root,
            options: &options,
            tree: &crate::DISK,
        };
        catalog(lock, &input)
    }

    /// Every real Cargo.lock of the repository (the fixtures of every lock version, the
    /// benchmark's, the project's own): the fast reader fills the structs the toml crate
    /// fills, the catalogs are the same, and a broken one is left to the toml crate.
    #[test]
    fn the_fast_reader_reads_every_real_lock_as_the_toml_crate_does() {
        let files = repo_files("Cargo.lock");
        assert!(files.len() >= 10, "{files:?}");
        let mut read = 0;
        for file in &files {
            let text = std::fs::read_to_string(file).unwrap();
            let shown = file.display();
            match (read_fast(&text), read_toml(&text)) {
                (Ok(fast), Ok(slow)) => {
                    assert_eq!(fast, slow, "{shown}");
                    assert_eq!(catalog_of(&fast, file), catalog_of(&slow, file), "{shown}");
                    read += 1;
                }
                (Err(Unsupported), Err(_)) => {}
                (Ok(_), Err(e)) => panic!("{shown}: read, but the toml crate says {e}"),
                (Err(Unsupported), Ok(_)) => panic!("{shown}: a real lock the fast reader left"),
            }
        }
        assert!(read >= 9, "{files:?}");
    }

    /// Real locks with lines deleted, duplicated, re-indented, escapes, comments, dotted
    /// keys, `'''`, tabs and stray bytes put in: the fast reader says unsupported or reads
    /// exactly what the toml crate reads.
    #[test]
    fn mutated_locks_are_left_to_the_toml_crate_or_read_the_same() {
        let (agreed, left) = mutation_rounds("Cargo.lock", 0xca_61, 100, |mutated| {
            let Ok(fast) = read_fast(mutated) else {
                return false;
            };
            let slow = read_toml(mutated)
                .unwrap_or_else(|e| panic!("read, but the toml crate says {e}:\n{mutated}"));
            assert_eq!(fast, slow, "{mutated}");
            true
        });
        assert!(agreed > 300 && left > 300, "{agreed} read, {left} left");
    }

    /// A 10 MB line is read; deep inline tables and NUL bytes end with the toml path's
    /// error naming the line, never a panic.
    #[test]
    fn hostile_locks_end_with_a_diagnostic() {
        let long = format!(
            "version = 4\n[[package]]\nname = \"x\"\nversion = \"1.0.0\"\nsource = \"registry+{}\"\n",
            "r".repeat(10 << 20)
        );
        assert_eq!(run(&long).packages.len(), 1);
        let deep = format!(
            "version = 4\n[[package]]\nname = \"x\"\nx = {}\n",
            "{ a = ".repeat(100_000)
        );
        let nul = "version = 4\n[[package]]\nname = \"x\0\"\n";
        for (text, line) in [(deep.as_str(), 4), (nul, 3)] {
            let err = crate::parse_str(parse, "Cargo.lock", text).unwrap_err();
            assert_eq!(err.line(), Some(line), "{err}");
        }
    }

    /// Cargo's v1 `[metadata]` checksums, through both readers.
    #[test]
    fn v1_metadata_is_read_by_the_fast_reader() {
        let text = "[[package]]\nname = \"itoa\"\nversion = \"0.4.8\"\nsource = \"registry+r\"\n\n[metadata]\n\"checksum itoa 0.4.8 (registry+r)\" = \"b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4\"\n";
        let fast = read_fast(text).unwrap();
        assert_eq!(fast, read_toml(text).unwrap());
        assert_eq!(
            v1_checksum(&fast, "itoa", "0.4.8", "registry+r").map(str::len),
            Some(64)
        );
    }

    #[test]
    fn v1_metadata_checksums_and_versioned_dependency_strings() {
        let cat = run(r#"
[[package]]
name = "app"
version = "0.1.0"
dependencies = ["itoa 0.4.8 (registry+https://registry.example.invalid/index)", "itoa 1.0.19 (registry+https://registry.example.invalid/index)"]
[[package]]
name = "itoa"
version = "0.4.8"
source = "registry+https://registry.example.invalid/index"
[[package]]
name = "itoa"
version = "1.0.19"
source = "registry+https://registry.example.invalid/index"
[metadata]
"checksum itoa 0.4.8 (registry+https://registry.example.invalid/index)" = "b71991ff56294aa922b450139ee08b3bfc70982c6b2c7562771375cf73542dd4"
"#);
        assert_eq!(cat.projects.len(), 1);
        assert_eq!(cat.projects[0].deps.len(), 2);
        assert_eq!(cat.packages[0].component.hashes.len(), 1, "from [metadata]");
        assert!(cat.packages[1].component.hashes.is_empty());
        assert_eq!(
            cat.projects[0].dir, ".#app",
            "no manifests: members stay apart"
        );
    }

    /// The same crate and version from the registry and from git (Syft's Cargo.lock test
    /// has this shape): a dependency string names the git one by its source without the
    /// commit, and must reach it, not the registry one, nor nothing.
    #[test]
    fn a_dependency_on_a_git_source_is_matched_up_to_the_commit() {
        let cat = run(r#"
version = 4
[[package]]
name = "hello_world"
version = "0.1.0"
dependencies = ["nom-regex", "regex 1.11.1 (git+https://github.com/rust-lang/regex.git)"]
[[package]]
name = "nom-regex"
version = "0.2.0"
source = "registry+https://registry.example.invalid/index"
dependencies = ["regex 1.11.1 (registry+https://registry.example.invalid/index)"]
[[package]]
name = "regex"
version = "1.11.1"
source = "registry+https://registry.example.invalid/index"
[[package]]
name = "regex"
version = "1.11.1"
source = "git+https://github.com/rust-lang/regex.git#1a069b9232c607b34c4937122361aa075ef573fa"
"#);
        assert!(
            cat.diagnostics
                .iter()
                .all(|d| !d.message.contains("does not contain")),
            "{:?}",
            cat.diagnostics
        );
        let target = |e: &bomscout_core::Edge| match e.to {
            NodeRef::Package(i) => cat.packages[i].component.purl.to_string(),
            NodeRef::Project(_) => String::new(),
        };
        let app: Vec<String> = cat.projects[0].deps.iter().map(target).collect();
        assert_eq!(
            app,
            [
                "pkg:cargo/nom-regex@0.2.0",
                "pkg:cargo/regex@1.11.1?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Frust-lang%2Fregex.git%401a069b9232c607b34c4937122361aa075ef573fa"
            ]
        );
        let nom: Vec<String> = cat.packages[0].deps.iter().map(target).collect();
        assert_eq!(nom, ["pkg:cargo/regex@1.11.1"]);
    }

    #[test]
    fn git_sources_are_pinned_to_the_commit() {
        let cat = run(r#"
version = 4
[[package]]
name = "x"
version = "0.1.0"
source = "git+https://example.com/x.git?branch=main#0123abcd"
"#);
        let c = &cat.packages[0].component;
        assert_eq!(
            c.purl.as_str(),
            "pkg:cargo/x@0.1.0?vcs_url=git%2Bhttps:%2F%2Fexample.com%2Fx.git%400123abcd"
        );
        assert_eq!(
            c.properties["source"],
            "git+https://example.com/x.git?branch=main#0123abcd"
        );
    }

    #[test]
    fn a_missing_dependency_is_a_warning() {
        let cat = run("version = 3\n[[package]]\nname = \"a\"\nversion = \"1.0.0\"\ndependencies = [\"ghost\"]\n");
        assert!(cat.diagnostics.iter().any(|d| d.message.contains("ghost")));
    }

    use crate::MIT_TEXT as MIT;

    /// `vendor/<name>/` holding a manifest with `license_line` and an MIT `LICENSE`.
    fn vendor(ws: &Path, name: &str, license_line: &str) {
        let dir = ws.join("vendor").join(name);
        std::fs::create_dir_all(&dir).unwrap();
        let manifest =
            format!("[package]\nname = \"{name}\"\nversion = \"1.0.0\"\n{license_line}\n");
        std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
        std::fs::write(dir.join("LICENSE"), MIT).unwrap();
    }

    #[test]
    fn vendored_license_files_name_confirm_or_contradict() {
        let ws = tempfile::tempdir().unwrap();
        vendor(ws.path(), "filed", "license-file = \"LICENSE\"");
        vendor(ws.path(), "honest", "license = \"MIT OR Apache-2.0\"");
        vendor(ws.path(), "wrong", "license = \"GPL-3.0-only\"");
        let mut text = String::from("version = 3\n");
        for name in ["filed", "honest", "wrong"] {
            text.push_str(&format!("[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\nsource = \"registry+https://registry.example.invalid/index\"\n"));
        }
        let abs = ws.path().join("Cargo.lock");
        let options = Options {
            read_caches: false,
            ..Options::default()
        };
        let input = Input {
            bytes: text.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("Cargo.lock"),
            abs: &abs,
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        let cat = parse(&input).unwrap();
        let licenses = |i: usize| -> Vec<(String, SourceKind, String)> {
            cat.packages[i]
                .component
                .licenses
                .iter()
                .map(|l| (l.raw.to_string(), l.source.kind, l.source.path.to_string()))
                .collect()
        };
        let file = |id: &str, krate: &str| {
            (
                id.to_string(),
                SourceKind::File,
                format!("vendor/{krate}/LICENSE"),
            )
        };
        // license-file only: the license is what the file's text is.
        assert_eq!(licenses(0), [file("MIT", "filed")]);
        assert_eq!(
            cat.packages[0].component.properties["license-file"],
            "LICENSE"
        );
        // The declared field governs; a confirming file is kept as evidence.
        let declared = |raw: &str, krate: &str| {
            (
                raw.to_string(),
                SourceKind::Declared,
                format!("vendor/{krate}/Cargo.toml"),
            )
        };
        assert_eq!(
            licenses(1),
            [
                declared("MIT OR Apache-2.0", "honest"),
                file("MIT", "honest")
            ]
        );
        assert_eq!(
            licenses(2),
            [declared("GPL-3.0-only", "wrong"), file("MIT", "wrong")]
        );
        assert!(cat
            .packages
            .iter()
            .all(|p| p.component.properties["license-file-sha256"].starts_with("LICENSE:")));
        let warnings: Vec<&str> = cat.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(
            warnings,
            ["pkg:cargo/wrong@1.0.0: declares GPL-3.0-only but vendor/wrong/LICENSE reads as MIT (confidence 1.00)"]
        );
    }

    #[test]
    fn names_and_license_files_never_leave_the_tree() {
        let base = tempfile::tempdir().unwrap();
        let ws = base.path().join("ws");
        // What a hostile lockfile would reach: a crate manifest above the tree, and a
        // secret named by a vendored crate's license-file.
        let above = ws.join("x-1.0.0"); // vendor/../x-1.0.0
        std::fs::create_dir_all(&above).unwrap();
        std::fs::write(
            above.join("Cargo.toml"),
            "[package]\nname = \"../x\"\nversion = \"1.0.0\"\nlicense = \"MIT\"\n",
        )
        .unwrap();
        let secret = base.path().join("shadow");
        std::fs::write(&secret, MIT).unwrap();
        vendor(
            &ws,
            "abs",
            &format!("license-file = \"{}\"", secret.display()),
        );
        vendor(&ws, "up", "license-file = \"../../shadow\"");
        let mut text = String::from("version = 3\n");
        for name in ["../x", "abs", "up"] {
            text.push_str(&format!("[[package]]\nname = \"{name}\"\nversion = \"1.0.0\"\nsource = \"registry+https://registry.example.invalid/index\"\n"));
        }
        let cat = crate::parse_in(parse, &ws, "Cargo.lock", &text).unwrap();
        for p in &cat.packages {
            let c = &p.component;
            assert!(
                c.licenses.iter().all(|l| l.source.kind != SourceKind::File),
                "{}: {:?}",
                c.name,
                c.licenses
            );
            assert!(
                !c.properties.contains_key("license-file-sha256"),
                "{}",
                c.name
            );
        }
        let x = cat.packages.iter().find(|p| p.component.name == "../x");
        assert!(x.unwrap().component.licenses.is_empty());
    }
}
