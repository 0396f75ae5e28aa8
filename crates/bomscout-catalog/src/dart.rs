//! Dart and Flutter: `pubspec.lock`.
//!
//! Each package has `dependency` (`direct main`, `direct dev`, `direct overridden`,
//! `transitive`), `source` (`hosted`, `git`, `path`, `sdk`), `version` and a `description`
//! (`sha256` of the archive for hosted packages since Dart 3, `url`/`resolved-ref` for git).
//! Direct main and overridden packages are Normal edges of the project, direct dev ones
//! Dev. The lockfile records no graph, so transitive packages are not attached to a
//! project and keep the default scope: a transitive package used only by dev tools cannot
//! be told apart. SDK packages (`flutter`, `flutter_test`) ship with the SDK and are not
//! components; path packages are first-party.
//!
//! Licenses: the lockfile has none, and a pubspec has no license field, so a hosted
//! package's license comes from the license files of its copy in the local pub cache
//! ([`PubCache`], [`crate::license_files`]), read only when
//! [`crate::Options::read_caches`] allows it. Nothing is downloaded: a package not in the
//! cache gets no license evidence (an info diagnostic counts them). Git packages are not
//! looked up.

use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, Project, Severity,
};
use bomscout_walk::{EntryKind, Tree, DISK};
use serde_norway::Value;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// Parses one `pubspec.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let cache = input.read_caches().then(PubCache::user).flatten();
    parse_with(input, cache)
}

/// [`parse`] with the pub cache to consult, if any.
fn parse_with(input: &Input, cache: Option<&PubCache>) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc: Value = crate::nesting::yaml(text)?;
    let packages = doc
        .get("packages")
        .and_then(Value::as_mapping)
        .ok_or_else(|| ParseError::format("not a pubspec.lock: no `packages`"))?;
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Pub, input.path());
    let mut uncached = 0usize;
    let keys = crate::text::KeyLines::new(text, |l| crate::text::yaml_key_at(l, 2));
    for (name, p) in packages {
        let Some(name) = name.as_str() else { continue };
        let line = keys.get(name).unwrap_or(1);
        let source = p.get("source").and_then(Value::as_str).unwrap_or("hosted");
        if matches!(source, "sdk" | "path") {
            continue;
        }
        let Some(version) = p.get("version").and_then(Value::as_str) else {
            catalog.diagnostics.push(
                Diagnostic::warning(input.path(), format!("{name} has no version")).at_line(line),
            );
            continue;
        };
        let description = p.get("description");
        let mut c = match component(name, source, version, description) {
            Ok(c) => c,
            Err(e) => {
                catalog
                    .diagnostics
                    .push(Diagnostic::warning(input.path(), format!("{name}: {e}")).at_line(line));
                continue;
            }
        };
        if let Some(h) = description
            .and_then(|d| d.get("sha256"))
            .and_then(Value::as_str)
            .and_then(|h| Hash::hex(HashAlg::Sha256, h))
        {
            c.add_hash(h);
        }
        if source == "hosted" && input.read_caches() {
            let field = |k: &str| description.and_then(|d| d.get(k)).and_then(Value::as_str);
            let found = cache.and_then(|cache| {
                cache.hosted_package(field("url"), name, version, field("sha256"))
            });
            match found {
                Some((dir, shown)) => {
                    let threshold = input.options.license_threshold;
                    for message in crate::license_files::add_evidence(
                        &DISK,
                        &mut c,
                        &dir,
                        &shown,
                        &[],
                        threshold,
                    ) {
                        catalog
                            .diagnostics
                            .push(Diagnostic::warning(input.path(), message).at_line(line));
                    }
                }
                None => uncached += 1,
            }
        }
        let kind = match p.get("dependency").and_then(Value::as_str) {
            Some("direct main" | "direct overridden") => Some(DepKind::Normal),
            Some("direct dev") => Some(DepKind::Dev),
            _ => None,
        };
        let node = catalog.add_package(c.at(input.at_line(line)));
        if let Some(kind) = kind {
            project.add_dep(node, kind);
        }
    }
    if uncached > 0 {
        catalog.diagnostics.push(Diagnostic::new(
            Severity::Info,
            input.path(),
            format!("licenses of {uncached} hosted packages unknown: not in the local pub cache (run `dart pub get` to fill it)"),
        ));
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// The component of a locked package: `pkg:pub/<name>@<version>`, with a `vcs_url` for a
/// git source.
fn component(
    name: &str,
    source: &str,
    version: &str,
    description: Option<&Value>,
) -> Result<Component, bomscout_core::PurlError> {
    if source == "git" {
        let url = description
            .and_then(|d| d.get("url"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        let rev = description
            .and_then(|d| d.get("resolved-ref"))
            .and_then(Value::as_str)
            .unwrap_or(version);
        Component::with_qualifiers(
            Ecosystem::Pub,
            None,
            name,
            version,
            &[("vcs_url", &format!("git+{url}@{rev}"))],
        )
    } else {
        Component::new(Ecosystem::Pub, None, name, version)
    }
}

/// The component a parsed `pubspec.lock` locks for `name`, as [`parse`] makes it (so the
/// two merge into one): `None` for a package it does not list, or lists as an SDK or path
/// package, or without a version.
pub(crate) fn locked(doc: &Value, name: &str) -> Option<Component> {
    let p = doc.get("packages")?.get(name)?;
    let source = p.get("source").and_then(Value::as_str).unwrap_or("hosted");
    if matches!(source, "sdk" | "path") {
        return None;
    }
    let version = p.get("version").and_then(Value::as_str)?;
    component(name, source, version, p.get("description")).ok()
}

/// A pub cache: `$PUB_CACHE`, else `~/.pub-cache` (`%LOCALAPPDATA%\Pub\Cache` on
/// Windows). Hosted packages are unpacked in `hosted/<host>/<name>-<version>/`, where
/// `<host>` is the registry's URL made into a directory name; the `hosted/*` directories
/// are listed once, and a package is looked for under the lock's registry first, then
/// under the others. `hosted-hashes/<host>/<name>-<version>.sha256`, when present, must
/// agree with the lock's `sha256`, so a same-named package of another registry is not
/// taken for this one.
pub struct PubCache {
    root: PathBuf,
    /// The names of the `hosted/*` directories, sorted.
    hosts: Vec<String>,
}

impl PubCache {
    /// The cache at `root`, its `hosted/*` directories listed now.
    pub fn at(root: &Path) -> PubCache {
        let hosts: Vec<String> = DISK
            .read_dir(&root.join("hosted"))
            .unwrap_or_default()
            .into_iter()
            .filter(|e| e.kind == EntryKind::Dir)
            .map(|e| e.name)
            .collect();
        PubCache {
            root: root.to_path_buf(),
            hosts,
        }
    }

    /// This user's pub cache, if there is one: found and listed once per process.
    fn user() -> Option<&'static PubCache> {
        static USER: OnceLock<Option<PubCache>> = OnceLock::new();
        USER.get_or_init(|| {
            let windows = cfg!(windows)
                .then(|| std::env::var_os("LOCALAPPDATA"))
                .flatten()
                .map(|d| PathBuf::from(d).join("Pub").join("Cache"));
            let candidates = [
                std::env::var_os("PUB_CACHE").map(PathBuf::from),
                windows,
                std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".pub-cache")),
            ];
            let root = candidates.into_iter().flatten().find(|p| DISK.is_dir(p))?;
            Some(PubCache::at(&root))
        })
        .as_ref()
    }

    /// The directory of hosted `name@version` and its path as shown
    /// (`$PUB_CACHE/hosted/<host>/<name>-<version>`), if the cache has it.
    fn hosted_package(
        &self,
        url: Option<&str>,
        name: &str,
        version: &str,
        sha256: Option<&str>,
    ) -> Option<(PathBuf, String)> {
        if !crate::paths::is_plain_name(name) || !crate::paths::is_plain_name(version) {
            return None;
        }
        let preferred: Vec<String> = url.map(host_dir_names).unwrap_or_default();
        let (first, rest): (Vec<&String>, Vec<&String>) =
            self.hosts.iter().partition(|h| preferred.contains(h));
        let package = format!("{name}-{version}");
        first.into_iter().chain(rest).find_map(|host| {
            let dir = self.root.join("hosted").join(host).join(&package);
            if !DISK.is_dir(&dir) || !self.hash_agrees(host, &package, sha256) {
                return None;
            }
            Some((dir, format!("$PUB_CACHE/hosted/{host}/{package}")))
        })
    }

    /// False when the cache recorded another archive hash for `package` under `host`.
    fn hash_agrees(&self, host: &str, package: &str, sha256: Option<&str>) -> bool {
        let Some(locked) = sha256 else { return true };
        let file = self
            .root
            .join("hosted-hashes")
            .join(host)
            .join(format!("{package}.sha256"));
        match crate::text::read_side_file(&DISK, &file, 1024) {
            Ok(Some(text)) => {
                let cached = text.trim();
                let is_hash = cached.len() == 64 && cached.bytes().all(|b| b.is_ascii_hexdigit());
                !is_hash || cached.eq_ignore_ascii_case(locked.trim())
            }
            _ => true,
        }
    }
}

/// The names pub gives the cache directory of the registry at `url`: the URL without an
/// `https://` scheme (loopback hosts as `localhost`), with `<>:"\/|?*%` written as `%`
/// and the character's code; with and without a trailing `/`.
fn host_dir_names(url: &str) -> Vec<String> {
    let (scheme, rest) = match url.split_once("://") {
        Some((s, r)) => (s.to_ascii_lowercase(), r),
        None => return Vec::new(),
    };
    let loopback = ["127.0.0.1", "[::1]", "localhost"]
        .iter()
        .find_map(|h| rest.strip_prefix(h));
    let plain = match (scheme.as_str(), loopback) {
        (_, Some(after)) => format!("localhost{after}"),
        ("https", None) => rest.to_string(),
        (s, None) => format!("{s}://{rest}"),
    };
    let escape = |s: &str| -> String {
        s.chars()
            .map(|c| match c {
                '<' | '>' | ':' | '"' | '\\' | '/' | '|' | '?' | '*' | '%' => {
                    format!("%{}", c as u32)
                }
                c => c.to_string(),
            })
            .collect()
    };
    let mut names = vec![escape(&plain)];
    let trimmed = plain.trim_end_matches('/');
    if trimmed != plain {
        names.push(escape(trimmed));
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_str, Options, MIT_TEXT};
    use bomscout_core::SourceKind;

    /// Parses `pubspec.lock` from `text` with the pub cache at `cache` (none: an empty one).
    fn parse_cached(text: &str, cache: Option<&Path>, read_caches: bool) -> Catalog {
        let options = Options {
            read_caches,
            ..Options::default()
        };
        let input = Input {
            bytes: text.as_bytes(),
            shared_path: &bomscout_core::SharedStr::from("app/pubspec.lock"),
            abs: Path::new("/nonexistent/app/pubspec.lock"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        let cache = cache.map(PubCache::at);
        parse_with(&input, cache.as_ref()).unwrap()
    }

    const LOCK: &str = "packages:\n  http:\n    dependency: \"direct main\"\n    description:\n      name: http\n      sha256: \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n      url: \"https://registry.example.invalid\"\n    source: hosted\n    version: \"1.1.0\"\n  meta:\n    dependency: transitive\n    description: {name: meta, url: \"https://registry.example.invalid\"}\n    source: hosted\n    version: \"1.9.0\"\n";

    /// A pub cache holding `hosted/<host>/<package>/LICENSE` (MIT) for each pair.
    fn cache(packages: &[(&str, &str)]) -> tempfile::TempDir {
        let root = tempfile::tempdir().unwrap();
        for (host, package) in packages {
            let dir = root.path().join("hosted").join(host).join(package);
            std::fs::create_dir_all(&dir).unwrap();
            std::fs::write(dir.join("LICENSE"), MIT_TEXT).unwrap();
            std::fs::write(dir.join("pubspec.yaml"), "name: x\n").unwrap();
        }
        root
    }

    fn file_licenses(c: &Catalog, i: usize) -> Vec<(&str, &str)> {
        c.packages[i]
            .component
            .licenses
            .iter()
            .filter(|l| l.source.kind == SourceKind::File)
            .map(|l| (l.raw.as_str(), l.source.path.as_str()))
            .collect()
    }

    #[test]
    fn license_files_from_the_pub_cache() {
        let root = cache(&[
            ("registry.example.invalid", "http-1.1.0"),
            ("registry.example.invalid", "meta-1.9.0"),
            // Another version: not this package.
            ("registry.example.invalid", "http-1.0.0"),
        ]);
        let c = parse_cached(LOCK, Some(root.path()), true);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            file_licenses(&c, 0),
            [(
                "MIT",
                "$PUB_CACHE/hosted/registry.example.invalid/http-1.1.0/LICENSE"
            )]
        );
        let print = &c.packages[0].component.properties["license-file-sha256"];
        assert!(
            print.starts_with("LICENSE:") && print.len() == 8 + 64,
            "{print}"
        );
        assert_eq!(file_licenses(&c, 1).len(), 1);
    }

    #[test]
    fn the_locks_registry_is_looked_in_first() {
        let root = cache(&[
            ("a.example.invalid", "http-1.1.0"),
            ("registry.example.invalid", "http-1.1.0"),
            // Only under another registry's directory: still found.
            ("a.example.invalid", "meta-1.9.0"),
        ]);
        let c = parse_cached(LOCK, Some(root.path()), true);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            file_licenses(&c, 0)[0].1,
            "$PUB_CACHE/hosted/registry.example.invalid/http-1.1.0/LICENSE"
        );
        assert_eq!(
            file_licenses(&c, 1)[0].1,
            "$PUB_CACHE/hosted/a.example.invalid/meta-1.9.0/LICENSE"
        );
    }

    #[test]
    fn a_cached_archive_of_another_hash_is_not_this_package() {
        let root = cache(&[("registry.example.invalid", "http-1.1.0")]);
        let hashes = root.path().join("hosted-hashes/registry.example.invalid");
        std::fs::create_dir_all(&hashes).unwrap();
        std::fs::write(hashes.join("http-1.1.0.sha256"), "ab".repeat(32)).unwrap();
        let c = parse_cached(LOCK, Some(root.path()), true);
        assert!(c.packages.iter().all(|p| p.component.licenses.is_empty()));
        // The same hash, in upper case and with a newline, agrees.
        std::fs::write(
            hashes.join("http-1.1.0.sha256"),
            "9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08\n",
        )
        .unwrap();
        let c = parse_cached(LOCK, Some(root.path()), true);
        assert_eq!(file_licenses(&c, 0).len(), 1);
    }

    #[test]
    fn packages_not_in_the_cache() {
        let empty = tempfile::tempdir().unwrap();
        for c in [
            parse_cached(LOCK, Some(empty.path()), true),
            parse_cached(LOCK, None, true),
        ] {
            assert!(c.packages.iter().all(|p| p.component.licenses.is_empty()));
            assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
            assert_eq!(c.diagnostics[0].severity, Severity::Info);
            assert!(c.diagnostics[0]
                .message
                .starts_with("licenses of 2 hosted packages unknown"));
        }
        // With caches off, the cache is not read and nothing is said about it.
        let root = cache(&[("registry.example.invalid", "http-1.1.0")]);
        let c = parse_cached(LOCK, Some(root.path()), false);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert!(c.packages.iter().all(|p| p.component.licenses.is_empty()));
    }

    #[test]
    fn cache_directory_names() {
        assert_eq!(
            host_dir_names("https://registry.example.invalid"),
            ["registry.example.invalid"]
        );
        assert_eq!(
            host_dir_names("https://registry.example.invalid/api/"),
            [
                "registry.example.invalid%47api%47",
                "registry.example.invalid%47api"
            ]
        );
        assert_eq!(
            host_dir_names("http://registry.example.invalid"),
            ["http%58%47%47registry.example.invalid"]
        );
        assert_eq!(
            host_dir_names("http://127.0.0.1:8080"),
            ["localhost%588080"]
        );
        assert!(host_dir_names("registry.example.invalid").is_empty());
    }

    #[test]
    fn sources_and_kinds() {
        let text = "packages:\n  http:\n    dependency: \"direct main\"\n    description:\n      name: http\n      sha256: \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"\n      url: \"https://registry.example.invalid\"\n    source: hosted\n    version: \"1.1.0\"\n  flutter:\n    dependency: \"direct main\"\n    description: flutter\n    source: sdk\n    version: \"0.0.0\"\n  lints:\n    dependency: \"direct dev\"\n    description: {name: lints, url: x}\n    source: hosted\n    version: \"3.0.0\"\n  forked:\n    dependency: transitive\n    description:\n      path: \".\"\n      ref: main\n      resolved-ref: \"abc123\"\n      url: \"https://example.invalid/forked.git\"\n    source: git\n    version: \"0.1.0\"\n  local:\n    dependency: \"direct main\"\n    description: {path: ../local, relative: true}\n    source: path\n    version: \"1.0.0\"\nsdks:\n  dart: \">=3.0.0 <4.0.0\"\n";
        let c = parse_str(|i| parse_with(i, None), "pubspec.lock", text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(purls[..2], ["pkg:pub/http@1.1.0", "pkg:pub/lints@3.0.0"]);
        assert!(purls[2].starts_with("pkg:pub/forked@0.1.0?vcs_url="));
        assert_eq!(
            c.projects[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Dev]
        );
        assert_eq!(c.packages[0].component.hashes.len(), 1);
    }

    #[test]
    fn malformed() {
        assert!(parse_str(|i| parse_with(i, None), "pubspec.lock", "sdks: {}\n").is_err());
        assert!(
            parse_str(|i| parse_with(i, None), "pubspec.lock", "packages: [\n")
                .unwrap_err()
                .line()
                .is_some()
        );
        let c = parse_str(
            |i| parse_with(i, None),
            "pubspec.lock",
            "packages:\n  x:\n    source: hosted\n",
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }
}
