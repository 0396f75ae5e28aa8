//! CocoaPods: `Podfile.lock` (YAML). `PODS` lists every pod as `Name (version)`, with its
//! dependencies nested under it. `DEPENDENCIES` are the Podfile's direct dependencies.
//! `SPEC CHECKSUMS` (SHA-1 of the podspec) are kept as the property `podspec-sha1`;
//! `EXTERNAL SOURCES` and `CHECKOUT OPTIONS` mark pods from git or local paths. A local
//! `:path` pod of the app's own tree is first-party and is not a component. purls are
//! `pkg:cocoapods/<Name>@<version>`.
//!
//! Flutter plugins are the exception: `flutter pub get` links each plugin's package from
//! the pub cache into `.symlinks/plugins/<package>/` (`ios/.symlinks`, or
//! `macos/Flutter/ephemeral/.symlinks`), and the Podfile points a `:path` pod there. That
//! is third-party code that ships in the app, so it is a component. Its identity is the
//! pub package, not a pod: the podspec's version is a placeholder (`0.0.1` in most
//! plugins) and no such pod is published, while the `pubspec.lock` of the app (the
//! directory above the lock's) locks the package, e.g. `pkg:pub/url_launcher_ios@6.2.0`.
//! Made that way, the component is the same one the `pubspec.lock` cataloger reports
//! (one component, found in both files), and the native pods the plugin pulls in hang
//! under it. When that `pubspec.lock` is not there (or is outside the scanned tree, or
//! does not lock the package), the pod is reported as `pkg:cocoapods/<Name>@<version>`
//! with the property `flutter-plugin` naming its package, so that it is not lost.
//!
//! There is one component per pod and version. A subspec such as `Firebase/Core
//! (10.18.0)` is a part of the pod `Firebase`, not a package of its own: subspecs share
//! the pod's podspec, version, source and license and are not downloaded separately. So
//! every subspec of a pod merges into `pkg:cocoapods/Firebase@10.18.0` (its dependencies
//! become the pod's), and the purl has no subpath; which subspecs were used is not
//! recorded.
//!
//! Licenses: the lockfile has none, but `pod install` puts each pod's files in `Pods/<Name>/`
//! beside the lock, part of the project tree (not a user-level cache), so it is read
//! whenever it is there. Its license files give the license, or confirm or contradict
//! (a warning) a declared one ([`crate::license_files`]). Pods from git or a podspec URL
//! also have `Pods/Local Podspecs/<Name>.podspec.json`, whose `license` (`"MIT"` or
//! `{"type": "MIT", "file": "LICENSE"}`) is read as declared (a podspec of another name or
//! version is ignored); a podspec that cannot be read or parsed is a warning naming it
//! (the license files are still read). When
//! `Pods/Manifest.lock` (the copy of the lock `pod install` left) lists a pod at another
//! version, `Pods/` is stale for it and is not used (an info diagnostic says so).

use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, License, NodeRef, Project, Severity,
};
use serde_norway::Value;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};

/// Parses one `Podfile.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc: Value = crate::nesting::yaml(text)?;
    let pods = doc
        .get("PODS")
        .and_then(Value::as_sequence)
        .ok_or_else(|| ParseError::format("not a Podfile.lock: no PODS"))?;
    // Path pods: first-party ones (not components) and Flutter plugins (pod → package).
    let mut local: HashSet<String> = HashSet::new();
    let mut plugins: HashMap<String, String> = HashMap::new();
    for (k, v) in doc
        .get("EXTERNAL SOURCES")
        .and_then(Value::as_mapping)
        .into_iter()
        .flatten()
    {
        let (Some(pod), Some(path)) = (k.as_str(), v.get(":path")) else {
            continue;
        };
        match path.as_str().and_then(flutter_plugin) {
            Some(package) => plugins.insert(pod.to_string(), package.to_string()),
            None => local.insert(pod.to_string()).then_some(String::new()),
        };
    }
    let mut pubspec = if plugins.is_empty() {
        None
    } else {
        Pubspec::beside(input)
    };
    let checksums: HashMap<String, String> = doc
        .get("SPEC CHECKSUMS")
        .and_then(Value::as_mapping)
        .map(|m| {
            m.iter()
                .filter_map(|(k, v)| Some((k.as_str()?.to_string(), v.as_str()?.to_string())))
                .collect()
        })
        .unwrap_or_default();
    let mut catalog = Catalog::default();
    let pods_dir = input
        .abs
        .parent()
        .and_then(|d| PodsDir::open(d.join("Pods"), crate::paths::dir_of(input.path()), input));
    let mut nodes: HashMap<String, NodeRef> = HashMap::new();
    let mut edges: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let spec_lines = crate::text::KeyLines::new(text, |l| {
        let item = l.trim_start().strip_prefix("- ")?.trim_end();
        let item = item.strip_suffix(':').unwrap_or(item);
        Some(item.trim_matches('"'))
    });
    for entry in pods {
        let (spec, deps) = match entry {
            Value::String(s) => (s.as_str(), Vec::new()),
            Value::Mapping(m) => match m.iter().next() {
                Some((k, v)) => (
                    k.as_str().unwrap_or_default(),
                    v.as_sequence()
                        .map(|s| s.iter().filter_map(Value::as_str).map(pod_name).collect())
                        .unwrap_or_default(),
                ),
                None => continue,
            },
            _ => continue,
        };
        let Some((full, version)) = spec
            .split_once(" (")
            .map(|(n, v)| (n, v.trim_end_matches(')')))
        else {
            catalog.diagnostics.push(Diagnostic::warning(
                input.path(),
                format!("{} is not `Name (version)`", quote(spec, QUOTE_LIMIT)),
            ));
            continue;
        };
        let name = pod_name(full);
        edges.entry(name.clone()).or_default().extend(deps);
        if nodes.contains_key(&name) || local.contains(&name) {
            continue;
        }
        let line = spec_lines.get(spec).unwrap_or(1);
        if let Some(package) = plugins.get(&name) {
            let locked = pubspec
                .as_ref()
                .and_then(|p| p.doc.as_ref())
                .and_then(|doc| crate::dart::locked(doc, package));
            let c = match locked {
                Some(c) => Ok(c),
                None => Component::new(Ecosystem::Cocoapods, None, &name, version).map(|mut c| {
                    c.properties
                        .insert("flutter-plugin".into(), package.clone());
                    c
                }),
            };
            match c {
                Ok(c) => {
                    nodes.insert(name, catalog.add_package(c.at(input.at_line(line))));
                }
                Err(e) => catalog
                    .diagnostics
                    .push(Diagnostic::warning(input.path(), format!("{spec}: {e}")).at_line(line)),
            }
            continue;
        }
        match Component::new(Ecosystem::Cocoapods, None, &name, version) {
            Ok(mut c) => {
                if let Some(sum) = checksums.get(&name) {
                    c.properties.insert("podspec-sha1".into(), sum.clone());
                }
                if let Some(pods) = &pods_dir {
                    let found = pods.add_licenses(&mut c, &name, version, input);
                    catalog.diagnostics.extend(found);
                }
                nodes.insert(name, catalog.add_package(c.at(input.at_line(line))));
            }
            Err(e) => catalog
                .diagnostics
                .push(Diagnostic::warning(input.path(), format!("{spec}: {e}")).at_line(line)),
        }
    }
    for (from, deps) in &edges {
        let Some(&f) = nodes.get(from) else { continue };
        let mut seen = HashSet::new();
        for d in deps {
            if let Some(&t) = nodes.get(d).filter(|t| **t != f) {
                if seen.insert(d.clone()) {
                    catalog.add_edge(f, t, DepKind::Normal);
                }
            }
        }
    }
    let mut project = Project::new(Ecosystem::Cocoapods, input.path());
    let mut seen = HashSet::new();
    for d in doc
        .get("DEPENDENCIES")
        .and_then(Value::as_sequence)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
    {
        let name = pod_name(d);
        if let Some(&to) = nodes.get(&name) {
            if seen.insert(name) {
                project.add_dep(to, DepKind::Normal);
            }
        }
    }
    if let Some(pods) = pods_dir {
        catalog.diagnostics.extend(pods.diagnostics);
    }
    if let Some(d) = pubspec.as_mut().and_then(|p| p.diagnostic.take()) {
        catalog.diagnostics.push(d);
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// The pub package of a Flutter plugin's `:path`: the segment after `.symlinks/plugins/`
/// (`.symlinks/plugins/url_launcher_ios/ios`, `Flutter/ephemeral/.symlinks/plugins/x/macos`).
fn flutter_plugin(path: &str) -> Option<&str> {
    let segments: Vec<&str> = path
        .split('/')
        .filter(|s| !s.is_empty() && *s != ".")
        .collect();
    segments
        .windows(3)
        .find(|w| w[0] == ".symlinks" && w[1] == "plugins")
        .map(|w| w[2])
        .filter(|p| crate::paths::is_plain_name(p))
}

/// Bytes read of the app's `pubspec.lock`.
const MAX_PUBSPEC_LOCK: u64 = 16 * 1024 * 1024;

/// The `pubspec.lock` of the Flutter app a `Podfile.lock` belongs to: in the directory
/// above the lock's (`app/ios/Podfile.lock` → `app/pubspec.lock`).
struct Pubspec {
    /// The parsed lock, when it could be read.
    doc: Option<Value>,
    /// Why it could not, naming it.
    diagnostic: Option<Diagnostic>,
}

impl Pubspec {
    /// Reads it, when the lock is in a subdirectory of the scanned tree (so the app's
    /// directory is inside the tree too); `None` when there is no such file.
    fn beside(input: &Input) -> Option<Pubspec> {
        let lock_dir = crate::paths::dir_of(input.path());
        if lock_dir == "." || lock_dir.is_empty() {
            return None;
        }
        let app = input.abs.parent()?.parent()?;
        let shown = match lock_dir.rsplit_once('/') {
            Some((up, _)) => format!("{up}/pubspec.lock"),
            None => "pubspec.lock".to_string(),
        };
        let failed = |why: String| Pubspec {
            doc: None,
            diagnostic: Some(Diagnostic::warning(
                input.path(),
                format!("{shown}: {why}; Flutter plugins are reported as pods"),
            )),
        };
        match crate::text::read_side_file(input.tree, &app.join("pubspec.lock"), MAX_PUBSPEC_LOCK) {
            Ok(None) => None,
            Ok(Some(text)) => match crate::nesting::yaml::<Value>(&text) {
                Ok(doc) => Some(Pubspec {
                    doc: Some(doc),
                    diagnostic: None,
                }),
                Err(e) => Some(failed(e.to_string())),
            },
            Err(e) => Some(failed(e)),
        }
    }
}

/// Bytes read of `Pods/Manifest.lock`.
const MAX_MANIFEST: u64 = 16 * 1024 * 1024;
/// Bytes read of one `*.podspec.json`.
const MAX_PODSPEC: u64 = 1024 * 1024;

/// The `Pods/` directory beside the lock, if there is one.
struct PodsDir {
    /// `Pods/` on disk.
    dir: PathBuf,
    /// `Pods/` as shown, relative to the scan root.
    rel: String,
    /// The versions `Pods/Manifest.lock` lists, when it could be read.
    installed: Option<HashMap<String, String>>,
    /// What reading `Manifest.lock` reported.
    diagnostics: Vec<Diagnostic>,
}

impl PodsDir {
    /// `dir` (`Pods/` beside the lock in `lock_rel_dir`), or nothing when it is not there.
    fn open(dir: PathBuf, lock_rel_dir: &str, input: &Input) -> Option<PodsDir> {
        if !input.tree.is_dir(&dir) {
            return None;
        }
        let rel = crate::paths::join_dir(lock_rel_dir, "Pods");
        let mut diagnostics = Vec::new();
        let manifest = dir.join("Manifest.lock");
        let installed = match crate::text::read_side_file(input.tree, &manifest, MAX_MANIFEST)
            .and_then(|t| t.map(|t| installed_versions(&t)).transpose())
        {
            Ok(v) => v,
            Err(e) => {
                diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("{rel}/Manifest.lock: {e}; pod versions in {rel} are not checked"),
                ));
                None
            }
        };
        Some(PodsDir {
            dir,
            rel,
            installed,
            diagnostics,
        })
    }

    /// Adds the license evidence `Pods/` holds for the pod `name` at `version` (see the
    /// module docs). Returns the diagnostics.
    fn add_licenses(
        &self,
        c: &mut Component,
        name: &str,
        version: &str,
        input: &Input,
    ) -> Vec<Diagnostic> {
        if !crate::paths::is_plain_name(name) {
            return Vec::new();
        }
        let dir = self.dir.join(name);
        let shown_dir = format!("{}/{name}", self.rel);
        if let Some(other) = self
            .installed
            .as_ref()
            .and_then(|m| m.get(name))
            .filter(|v| v.as_str() != version)
        {
            if !input.tree.is_dir(&dir) {
                return Vec::new();
            }
            return vec![Diagnostic::new(
                Severity::Info,
                input.path(),
                format!(
                    "{shown_dir} holds {name} {other}, not the locked {version} (per {}/Manifest.lock): its licenses are not used (run `pod install`)",
                    self.rel
                ),
            )];
        }
        let mut diagnostics = Vec::new();
        let podspec = format!("{name}.podspec.json");
        let shown_spec = format!("{}/Local Podspecs/{podspec}", self.rel);
        let spec_path = self.dir.join("Local Podspecs").join(&podspec);
        let named = match read_podspec(input.tree, &spec_path, name, version) {
            Ok(Some(spec)) => {
                if let Some((raw, field)) = &spec.license {
                    c.add_license(License::declared(raw, &shown_spec, field));
                }
                spec.license_file
                    .filter(|f| !f.contains("..") && input.tree.is_file(&dir.join(f)))
                    .into_iter()
                    .collect()
            }
            Ok(None) => Vec::new(),
            Err(e) => {
                diagnostics.push(Diagnostic::warning(
                    input.path(),
                    format!("{shown_spec}: {e}; its license is not used"),
                ));
                Vec::new()
            }
        };
        if input.tree.is_dir(&dir) {
            let threshold = input.options.license_threshold;
            let conflicts = crate::license_files::add_evidence(
                input.tree, c, &dir, &shown_dir, &named, threshold,
            );
            diagnostics.extend(
                conflicts
                    .into_iter()
                    .map(|m| Diagnostic::warning(input.path(), m)),
            );
        }
        diagnostics
    }
}

/// `name` → version of each pod in a `Manifest.lock` (a Podfile.lock).
fn installed_versions(text: &str) -> Result<HashMap<String, String>, String> {
    let doc: Value = crate::nesting::yaml(text).map_err(|e| e.to_string())?;
    let pods = doc
        .get("PODS")
        .and_then(Value::as_sequence)
        .ok_or("no PODS")?;
    Ok(pods
        .iter()
        .filter_map(|entry| match entry {
            Value::String(s) => Some(s.as_str()),
            Value::Mapping(m) => m.keys().next().and_then(Value::as_str),
            _ => None,
        })
        .filter_map(|spec| {
            let (full, version) = spec.split_once(" (")?;
            Some((pod_name(full), version.trim_end_matches(')').to_string()))
        })
        .collect())
}

/// What a `*.podspec.json` says about the pod's license.
#[derive(Debug, PartialEq)]
struct Podspec {
    /// The license and the field it was read from (`license` or `license.type`).
    license: Option<(String, &'static str)>,
    /// `license.file`, the license file in the pod's directory.
    license_file: Option<String>,
}

/// Reads `<Name>.podspec.json`: `Ok(None)` when it is not there, or is the podspec of
/// another pod or version.
fn read_podspec(
    tree: &dyn bomscout_walk::Tree,
    path: &Path,
    name: &str,
    version: &str,
) -> Result<Option<Podspec>, String> {
    let Some(text) = crate::text::read_side_file(tree, path, MAX_PODSPEC)? else {
        return Ok(None);
    };
    let doc: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    let doc = doc.as_object().ok_or("not a JSON object")?;
    let str_field = |k: &str| doc.get(k).and_then(serde_json::Value::as_str);
    if str_field("name").is_some_and(|n| n != name)
        || str_field("version").is_some_and(|v| v != version)
    {
        return Ok(None);
    }
    let (license, license_file) = match doc.get("license") {
        None | Some(serde_json::Value::Null) => (None, None),
        Some(serde_json::Value::String(s)) => (Some((s.clone(), "license")), None),
        Some(serde_json::Value::Object(o)) => (
            o.get("type")
                .and_then(serde_json::Value::as_str)
                .map(|t| (t.to_string(), "license.type")),
            o.get("file")
                .and_then(serde_json::Value::as_str)
                .map(str::to_string),
        ),
        Some(_) => return Err("`license` is neither a string nor an object".into()),
    };
    Ok(Some(Podspec {
        license: license.filter(|(l, _)| !l.trim().is_empty()),
        license_file,
    }))
}

/// `Firebase/Core (= 10.0)` → `Firebase`.
fn pod_name(spec: &str) -> String {
    let name = spec.split(" (").next().unwrap_or(spec).trim();
    name.split('/')
        .next()
        .unwrap_or(name)
        .trim_matches('"')
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_str, MIT_TEXT};
    use bomscout_core::SourceKind;

    #[test]
    fn pods_subspecs_and_dependencies() {
        let text = "PODS:\n  - Alamofire (5.8.1)\n  - Firebase/Core (10.18.0):\n    - Firebase/CoreOnly\n    - FirebaseAnalytics (~> 10.18.0)\n  - Firebase/CoreOnly (10.18.0):\n    - FirebaseCore (= 10.18.0)\n  - FirebaseAnalytics (10.18.0)\n  - FirebaseCore (10.18.0)\n  - LocalKit (0.1.0)\n\nDEPENDENCIES:\n  - Alamofire (~> 5.8)\n  - Firebase/Core\n  - LocalKit (from `../LocalKit`)\n\nEXTERNAL SOURCES:\n  LocalKit:\n    :path: \"../LocalKit\"\n\nSPEC CHECKSUMS:\n  Alamofire: 3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7\n\nPODFILE CHECKSUM: 0e3e3f1a\n\nCOCOAPODS: 1.14.3\n";
        let c = parse_str(parse, "ios/Podfile.lock", text).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:cocoapods/Alamofire@5.8.1",
                "pkg:cocoapods/Firebase@10.18.0",
                "pkg:cocoapods/FirebaseAnalytics@10.18.0",
                "pkg:cocoapods/FirebaseCore@10.18.0"
            ]
        );
        assert_eq!(
            c.packages[1].deps.len(),
            2,
            "Firebase → FirebaseAnalytics, FirebaseCore"
        );
        assert_eq!(c.projects[0].deps.len(), 2);
        assert_eq!(
            c.packages[0].component.properties["podspec-sha1"],
            "3ca42e259043ee0dc5c0cdd76c4bc568b8e42af7"
        );
    }

    const LOCK: &str = "PODS:\n  - Alamofire (5.8.1)\n  - Firebase/Core (10.18.0)\n  - Kit (1.2.0)\n\nDEPENDENCIES:\n  - Alamofire (~> 5.8)\n  - Firebase/Core\n  - Kit (from `https://example.invalid/kit.git`)\n\nEXTERNAL SOURCES:\n  Kit:\n    :git: https://example.invalid/kit.git\n\nCOCOAPODS: 1.14.3\n";

    /// Writes `files` (path under the root → contents) and parses `ios/Podfile.lock`.
    fn project(files: &[(&str, &str)]) -> (tempfile::TempDir, Catalog) {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(root.path().join("ios")).unwrap();
        for (path, text) in files {
            let path = root.path().join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        }
        let c = crate::parse_in(parse, root.path(), "ios/Podfile.lock", LOCK).unwrap();
        (root, c)
    }

    fn licenses<'a>(c: &'a Catalog, purl: &str) -> Vec<(&'a str, SourceKind, &'a str, &'a str)> {
        let p = c
            .packages
            .iter()
            .find(|p| p.component.purl.as_str() == purl);
        crate::license_rows(&p.unwrap().component)
    }

    #[test]
    fn license_files_in_pods() {
        let (_root, c) = project(&[
            ("ios/Pods/Alamofire/LICENSE", MIT_TEXT),
            ("ios/Pods/Alamofire/README.md", "# Alamofire"),
            ("ios/Pods/Firebase/README.md", "# no license file"),
        ]);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            licenses(&c, "pkg:cocoapods/Alamofire@5.8.1"),
            [(
                "MIT",
                SourceKind::File,
                "ios/Pods/Alamofire/LICENSE",
                "license-file"
            )]
        );
        let print = &c.packages[0].component.properties["license-file-sha256"];
        assert!(
            print.starts_with("LICENSE:") && print.len() == 8 + 64,
            "{print}"
        );
        assert!(licenses(&c, "pkg:cocoapods/Firebase@10.18.0").is_empty());
    }

    #[test]
    fn local_podspec_licenses() {
        let (_root, c) = project(&[
            (
                "ios/Pods/Local Podspecs/Kit.podspec.json",
                r#"{"name": "Kit", "version": "1.2.0", "license": {"type": "MIT", "file": "LICENSE.txt"}}"#,
            ),
            ("ios/Pods/Kit/LICENSE.txt", MIT_TEXT),
            // Not the named file, so not read.
            ("ios/Pods/Kit/LICENSE-OTHER", "GNU GENERAL PUBLIC LICENSE"),
            (
                "ios/Pods/Local Podspecs/Alamofire.podspec.json",
                r#"{"name": "Alamofire", "version": "5.8.1", "license": "MIT"}"#,
            ),
            (
                "ios/Pods/Local Podspecs/Firebase.podspec.json",
                r#"{"name": "Firebase", "version": "9.0.0", "license": "Apache-2.0"}"#,
            ),
        ]);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            licenses(&c, "pkg:cocoapods/Kit@1.2.0"),
            [
                (
                    "MIT",
                    SourceKind::Declared,
                    "ios/Pods/Local Podspecs/Kit.podspec.json",
                    "license.type"
                ),
                (
                    "MIT",
                    SourceKind::File,
                    "ios/Pods/Kit/LICENSE.txt",
                    "license-file"
                )
            ]
        );
        assert_eq!(
            licenses(&c, "pkg:cocoapods/Alamofire@5.8.1"),
            [(
                "MIT",
                SourceKind::Declared,
                "ios/Pods/Local Podspecs/Alamofire.podspec.json",
                "license"
            )]
        );
        // A podspec of another version is not this pod's.
        assert!(licenses(&c, "pkg:cocoapods/Firebase@10.18.0").is_empty());
    }

    #[test]
    fn a_contradicting_license_file_is_a_warning() {
        let (_root, c) = project(&[
            (
                "ios/Pods/Local Podspecs/Kit.podspec.json",
                r#"{"name": "Kit", "version": "1.2.0", "license": "GPL-3.0-only"}"#,
            ),
            ("ios/Pods/Kit/LICENSE", MIT_TEXT),
        ]);
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
        assert_eq!(c.diagnostics[0].severity, Severity::Warning);
        assert_eq!(c.diagnostics[0].path, "ios/Podfile.lock");
        assert!(
            c.diagnostics[0]
                .message
                .contains("declares GPL-3.0-only but ios/Pods/Kit/LICENSE reads as MIT"),
            "{}",
            c.diagnostics[0].message
        );
        let l = licenses(&c, "pkg:cocoapods/Kit@1.2.0");
        assert_eq!((l[0].0, l[0].1), ("GPL-3.0-only", SourceKind::Declared));
        assert_eq!((l[1].0, l[1].1), ("MIT", SourceKind::File));
    }

    #[test]
    fn a_stale_pods_directory_is_not_evidence() {
        let (_root, c) = project(&[
            (
                "ios/Pods/Manifest.lock",
                "PODS:\n  - Alamofire (5.7.0)\n  - Firebase/Core (10.18.0)\n",
            ),
            ("ios/Pods/Alamofire/LICENSE", MIT_TEXT),
            ("ios/Pods/Firebase/LICENSE", MIT_TEXT),
        ]);
        assert!(licenses(&c, "pkg:cocoapods/Alamofire@5.8.1").is_empty());
        assert_eq!(licenses(&c, "pkg:cocoapods/Firebase@10.18.0").len(), 1);
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
        assert_eq!(c.diagnostics[0].severity, Severity::Info);
        assert!(c.diagnostics[0]
            .message
            .starts_with("ios/Pods/Alamofire holds Alamofire 5.7.0, not the locked 5.8.1"));
    }

    #[test]
    fn malformed_side_files_are_warnings_naming_them() {
        let (_root, c) = project(&[
            ("ios/Pods/Manifest.lock", "PODS: [\n"),
            ("ios/Pods/Local Podspecs/Kit.podspec.json", "{\"license\": "),
            (
                "ios/Pods/Local Podspecs/Alamofire.podspec.json",
                r#"{"name": "Alamofire", "license": 5}"#,
            ),
            ("ios/Pods/Kit/LICENSE", MIT_TEXT),
        ]);
        let messages: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 3, "{messages:?}");
        assert!(c
            .diagnostics
            .iter()
            .all(|d| d.severity == Severity::Warning));
        assert!(messages
            .iter()
            .any(|m| m.starts_with("ios/Pods/Local Podspecs/Kit.podspec.json: invalid JSON")));
        assert!(messages
            .iter()
            .any(|m| m.starts_with("ios/Pods/Local Podspecs/Alamofire.podspec.json: ")));
        assert!(messages
            .iter()
            .any(|m| m.starts_with("ios/Pods/Manifest.lock: invalid YAML")));
        // The license file is still read.
        assert_eq!(
            licenses(&c, "pkg:cocoapods/Kit@1.2.0"),
            [(
                "MIT",
                SourceKind::File,
                "ios/Pods/Kit/LICENSE",
                "license-file"
            )]
        );
    }

    #[test]
    fn no_pods_no_evidence() {
        for files in [&[][..], &[("ios/Pods/Manifest.lock", LOCK)][..]] {
            let (_root, c) = project(files);
            assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
            assert!(c.packages.iter().all(|p| p.component.licenses.is_empty()));
        }
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "Podfile.lock", "COCOAPODS: 1\n").is_err());
        assert!(parse_str(parse, "Podfile.lock", "PODS: [\n")
            .unwrap_err()
            .line()
            .is_some());
        let c = parse_str(parse, "Podfile.lock", "PODS:\n  - NoVersion\n").unwrap();
        assert_eq!(c.diagnostics.len(), 1);
    }
}
