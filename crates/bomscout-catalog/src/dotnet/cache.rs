//! Licenses of NuGet packages from NuGet's global packages folder, read offline.
//!
//! `dotnet restore` extracts every package to `$NUGET_PACKAGES` (default
//! `~/.nuget/packages`) as `<id>/<version>/<id>.nuspec` plus its files, ids and versions
//! lower-cased. The `.nuspec`'s `<license type="expression">` is an SPDX expression (the
//! declared license); `<license type="file">` names a file in the package, whose text is
//! then matched; the deprecated `<licenseUrl>` is kept as the property `license-url` (a URL
//! is not a license, and is not guessed into one). Consulted only when
//! [`crate::Options::read_caches`] allows it.

use super::attr;
use bomscout_core::{Component, License};
use bomscout_walk::{Tree, DISK};
use std::path::{Path, PathBuf};

/// Bytes read of one `.nuspec`.
const MAX_NUSPEC: u64 = 1024 * 1024;

/// `$NUGET_PACKAGES`, else `~/.nuget/packages`, if it is a directory.
pub fn root() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("NUGET_PACKAGES").map(PathBuf::from),
        std::env::var_os("HOME").map(|h| PathBuf::from(h).join(".nuget/packages")),
    ];
    candidates.into_iter().flatten().find(|p| DISK.is_dir(p))
}

/// Adds what the global packages folder under `root` says about `component` (`id`,
/// `version`): its declared license, license-file evidence, or its license URL. Returns
/// conflicts between a declared license and the package's license file.
pub fn add_licenses(
    component: &mut Component,
    root: &Path,
    id: &str,
    version: &str,
    threshold: f32,
) -> Vec<String> {
    let (id, version) = (id.to_ascii_lowercase(), version.to_ascii_lowercase());
    if !crate::paths::is_plain_name(&id) || !crate::paths::is_plain_name(&version) {
        return Vec::new();
    }
    let dir = root.join(&id).join(&version);
    let nuspec = dir.join(format!("{id}.nuspec"));
    let shown_dir = format!("$NUGET_PACKAGES/{id}/{version}");
    let Some(tree) = super::read_xml(&nuspec, MAX_NUSPEC) else {
        return Vec::new();
    };
    let Some(metadata) = tree.child("metadata") else {
        return Vec::new();
    };
    let license = metadata.child("license");
    let kind = license.and_then(|l| attr(l, "type"));
    let mut files = Vec::new();
    match (license, kind) {
        (Some(l), Some("expression")) if !l.text.trim().is_empty() => {
            let shown = format!("{shown_dir}/{id}.nuspec");
            component.add_license(License::declared(&l.text, &shown, "license"));
        }
        (Some(l), Some("file")) if !l.text.trim().is_empty() => {
            files.push(l.text.trim().replace('\\', "/"));
        }
        _ => {}
    }
    if let Some(url) = metadata.text_at(&["licenseUrl"]).filter(|u| !u.is_empty()) {
        component
            .properties
            .insert("license-url".into(), url.to_string());
    }
    crate::license_files::add_evidence(&DISK, component, &dir, &shown_dir, &files, threshold)
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::{Ecosystem, SourceKind};

    fn package(root: &Path, id: &str, version: &str, metadata: &str) -> PathBuf {
        let dir = root.join(id.to_ascii_lowercase()).join(version);
        std::fs::create_dir_all(&dir).unwrap();
        let nuspec = format!(
            "\u{feff}<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<package xmlns=\"http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd\">\n  <metadata>\n    <id>{id}</id>\n    <version>{version}</version>\n{metadata}\n  </metadata>\n</package>\n"
        );
        std::fs::write(
            dir.join(format!("{}.nuspec", id.to_ascii_lowercase())),
            nuspec,
        )
        .unwrap();
        dir
    }

    fn component(id: &str, version: &str) -> Component {
        Component::new(Ecosystem::Nuget, None, id, version).unwrap()
    }

    #[test]
    fn expression_licenses_are_declared() {
        let root = tempfile::tempdir().unwrap();
        package(
            root.path(),
            "Newtonsoft.Json",
            "13.0.3",
            "    <license type=\"expression\">MIT</license>\n    <licenseUrl>https://licenses.nuget.example/MIT</licenseUrl>",
        );
        let mut c = component("Newtonsoft.Json", "13.0.3");
        assert!(add_licenses(&mut c, root.path(), "Newtonsoft.Json", "13.0.3", 0.9).is_empty());
        assert_eq!(c.licenses.len(), 1);
        assert_eq!(c.licenses[0].raw, "MIT");
        assert_eq!(c.licenses[0].source.kind, SourceKind::Declared);
        assert_eq!(
            c.licenses[0].source.path,
            "$NUGET_PACKAGES/newtonsoft.json/13.0.3/newtonsoft.json.nuspec"
        );
        assert_eq!(
            c.properties["license-url"],
            "https://licenses.nuget.example/MIT"
        );
    }

    #[test]
    fn file_licenses_are_matched_by_text() {
        let root = tempfile::tempdir().unwrap();
        let dir = package(
            root.path(),
            "Some.Lib",
            "1.0.0",
            "    <license type=\"file\">docs\\LICENSE.txt</license>",
        );
        std::fs::create_dir_all(dir.join("docs")).unwrap();
        std::fs::write(dir.join("docs/LICENSE.txt"), crate::MIT_TEXT).unwrap();
        let mut c = component("Some.Lib", "1.0.0");
        add_licenses(&mut c, root.path(), "Some.Lib", "1.0.0", 0.9);
        assert_eq!(c.licenses.len(), 1);
        assert_eq!(c.licenses[0].raw, "MIT");
        assert_eq!(c.licenses[0].source.kind, SourceKind::File);
        assert_eq!(
            c.licenses[0].source.path,
            "$NUGET_PACKAGES/some.lib/1.0.0/docs/LICENSE.txt"
        );
    }

    #[test]
    fn absent_or_broken_nuspecs_add_nothing() {
        let root = tempfile::tempdir().unwrap();
        let mut c = component("Missing", "1.0.0");
        assert!(add_licenses(&mut c, root.path(), "Missing", "1.0.0", 0.9).is_empty());
        let dir = root.path().join("broken/1.0.0");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("broken.nuspec"), "<package><metadata><license").unwrap();
        let mut c = component("Broken", "1.0.0");
        add_licenses(&mut c, root.path(), "Broken", "1.0.0", 0.9);
        assert!(c.licenses.is_empty());
    }
}
