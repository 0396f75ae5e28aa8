//! Debian and Ubuntu packages: dpkg's database `var/lib/dpkg/status`, and the one-file-per-
//! package `var/lib/dpkg/status.d/<name>` of distroless images.
//!
//! The file is a series of stanzas separated by blank lines, each `Field: value` lines with
//! continuation lines starting with a space or tab. Per stanza:
//! - `Package`, `Version` (with its epoch, `1:2.3-4`), `Architecture`: a component
//!   `pkg:deb/<distro id>/<name>@<version>?arch=<arch>&distro=<id>-<version_id>`. The
//!   distro comes from the release file of the same root (the directory `var/lib/dpkg`
//!   hangs from; see [`super::release`]); the purl spec's `deb` type allows a codename or
//!   `<id>-<version>` for `distro`, and bomscout writes `debian-12` (as Syft does), which
//!   names the release without a lookup table. With no release file the namespace is
//!   `debian` and a warning says it was assumed;
//! - `Status`: only an installed package (`<want> ok installed`, so `hold` too) is
//!   listed. Packages removed with their configuration files left (`deinstall ok
//!   config-files`, dpkg -l's `rc`), half-installed or unpacked ones are skipped silently,
//!   as `dpkg -l` would not call them installed. A stanza without `Status` (distroless
//!   `status.d` files have none) counts as installed;
//! - `Source` (`name` or `name (version)`): properties `source` and `source-version`;
//!   `Installed-Size` (KiB): property `installed-size`; `Maintainer`: the supplier;
//! - `Depends` and `Pre-Depends`: an edge to each installed package (or package that
//!   `Provides` the name) among the alternatives `a | b`, with version constraints,
//!   `:any`-style architecture qualifiers and `[arch]`/`<profile>` restrictions stripped.
//!   A `status.d` file holds one package (its `<name>.md5sums` sibling holds none and
//!   gives nothing), and catalog edges do not cross files, so its
//!   dependencies are not edges.
//!
//! Licenses come from `usr/share/doc/<name>/copyright` under the same root ([`super::copyright`]),
//! read only when it resolves inside the root; that file is the evidence.

use super::release::Distro;
use super::{copyright, Root};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, License, NodeRef, SourceKind,
};
use std::collections::BTreeMap;

/// One stanza: its 1-based first line and its fields in order (continuations joined
/// with `\n`).
struct Stanza {
    line: u32,
    fields: Vec<(String, String)>,
}

impl Stanza {
    fn get(&self, key: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }
}

fn stanzas(text: &str, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Vec<Stanza> {
    let mut out = Vec::new();
    let mut current: Option<Stanza> = None;
    let mut skipping = false;
    for (i, line) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        if line.trim().is_empty() {
            out.extend(current.take());
            skipping = false;
            continue;
        }
        if skipping {
            continue;
        }
        let stanza = current.get_or_insert_with(|| Stanza {
            line: n,
            fields: Vec::new(),
        });
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = stanza.fields.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        match line.split_once(':') {
            Some((k, v)) if !k.is_empty() && !k.contains(char::is_whitespace) => {
                stanza.fields.push((k.to_string(), v.trim().to_string()));
            }
            _ => {
                diagnostics.push(
                    Diagnostic::warning(
                        path,
                        format!(
                            "line is not a `Field: value` line: {}; rest of this stanza skipped",
                            quote(line, QUOTE_LIMIT)
                        ),
                    )
                    .at_line(n),
                );
                skipping = true;
            }
        }
    }
    out.extend(current);
    out
}

/// True unless the stanza's `Status` says the package is not installed.
fn installed(stanza: &Stanza) -> bool {
    match stanza.get("Status") {
        None => true,
        Some(s) => {
            let words: Vec<&str> = s.split_whitespace().collect();
            words.len() == 3 && words[1] == "ok" && words[2] == "installed"
        }
    }
}

/// The package names a `Depends` value names: per comma-separated group, each alternative.
fn dependency_groups(value: &str) -> Vec<Vec<String>> {
    value
        .split(',')
        .map(|group| {
            group
                .split('|')
                .filter_map(|alt| {
                    let name = alt
                        .trim()
                        .split(|c: char| c.is_whitespace() || matches!(c, '(' | '[' | '<'))
                        .next()?;
                    let name = name.split(':').next()?;
                    (!name.is_empty()).then(|| name.to_string())
                })
                .collect::<Vec<_>>()
        })
        .filter(|g| !g.is_empty())
        .collect()
}

/// Parses `var/lib/dpkg/status`.
pub fn parse_status(input: &Input) -> Result<Catalog, ParseError> {
    let root = Root::of(input, "var/lib/dpkg/status");
    parse_with(input, root, true)
}

/// Parses one distroless `var/lib/dpkg/status.d/<name>` file; a `<name>.md5sums` file
/// beside the records (file hashes, no package) gives nothing.
pub fn parse_status_d(input: &Input) -> Result<Catalog, ParseError> {
    if input.path().ends_with(".md5sums") {
        return Ok(Catalog::default());
    }
    let root = input
        .path()
        .rsplit_once('/')
        .and_then(|(_, name)| Root::of(input, &format!("var/lib/dpkg/status.d/{name}")));
    parse_with(input, root, false)
}

fn parse_with(input: &Input, root: Option<Root>, edges: bool) -> Result<Catalog, ParseError> {
    let mut catalog = Catalog::default();
    let text = String::from_utf8_lossy(input.bytes);
    if matches!(text, std::borrow::Cow::Owned(_)) {
        catalog.diagnostics.push(Diagnostic::warning(
            input.path(),
            "not UTF-8 throughout; invalid bytes replaced",
        ));
    }
    if input.bytes.contains(&0) {
        return Err(ParseError::format(
            "binary data (a NUL byte): not a dpkg status file",
        ));
    }
    let stanzas = stanzas(&text, input.path(), &mut catalog.diagnostics);
    let distro = root
        .as_ref()
        .and_then(|r| Distro::of_root(r, input.tree, input.root));
    let namespace = match distro.as_ref().and_then(|d| d.id.clone()) {
        Some(id) => id,
        None => {
            catalog.diagnostics.push(Diagnostic::warning(
                input.path(),
                "no etc/os-release or usr/lib/os-release in this root: purl namespace `debian` assumed",
            ));
            "debian".to_string()
        }
    };
    let distro_q = distro.as_ref().and_then(Distro::qualifier);
    let mut by_name: BTreeMap<String, Vec<NodeRef>> = BTreeMap::new();
    let mut deps: Vec<(NodeRef, Vec<Vec<String>>)> = Vec::new();
    for stanza in &stanzas {
        let at = input.at_line(stanza.line);
        let Some(name) = stanza.get("Package") else {
            catalog.diagnostics.push(
                Diagnostic::warning(input.path(), "stanza without a Package field skipped")
                    .at_line(stanza.line),
            );
            continue;
        };
        if !installed(stanza) {
            continue;
        }
        let Some(version) = stanza.get("Version") else {
            catalog.diagnostics.push(
                Diagnostic::warning(
                    input.path(),
                    format!(
                        "package {} has no Version; skipped",
                        quote(name, QUOTE_LIMIT)
                    ),
                )
                .at_line(stanza.line),
            );
            continue;
        };
        let mut qualifiers: Vec<(&str, &str)> = Vec::new();
        if let Some(arch) = stanza.get("Architecture") {
            qualifiers.push(("arch", arch));
        }
        if let Some(d) = &distro_q {
            qualifiers.push(("distro", d));
        }
        let mut component = match Component::with_qualifiers(
            Ecosystem::Deb,
            Some(&namespace),
            name,
            version,
            &qualifiers,
        ) {
            Ok(c) => c.at(at),
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("package skipped: {e}"))
                        .at_line(stanza.line),
                );
                continue;
            }
        };
        if let Some(source) = stanza.get("Source") {
            let (src, src_version) = match source.split_once('(') {
                Some((n, v)) => (n.trim(), Some(v.trim_end_matches(')').trim())),
                None => (source, None),
            };
            component
                .properties
                .insert("source".into(), src.to_string());
            if let Some(v) = src_version.filter(|v| !v.is_empty()) {
                component
                    .properties
                    .insert("source-version".into(), v.to_string());
            }
        }
        if let Some(size) = stanza.get("Installed-Size") {
            component
                .properties
                .insert("installed-size".into(), size.to_string());
        }
        if let Some(m) = stanza.get("Maintainer") {
            component
                .properties
                .insert("supplier".into(), m.to_string());
            component
                .properties
                .insert("supplier-source".into(), input.path().to_string());
        }
        if let Some(root) = &root {
            add_copyright(&mut component, root, name, input);
        }
        let node = catalog.add_package(component);
        by_name.entry(name.to_string()).or_default().push(node);
        if let Some(provides) = stanza.get("Provides") {
            for group in dependency_groups(provides) {
                for p in group {
                    by_name.entry(p).or_default().push(node);
                }
            }
        }
        let mut groups = Vec::new();
        for key in ["Pre-Depends", "Depends"] {
            if let Some(v) = stanza.get(key) {
                groups.extend(dependency_groups(v));
            }
        }
        deps.push((node, groups));
    }
    if edges {
        for (from, groups) in deps {
            let mut seen: Vec<NodeRef> = Vec::new();
            for alt in groups.iter().flatten() {
                for &to in by_name.get(alt).into_iter().flatten() {
                    if to != from && !seen.contains(&to) {
                        seen.push(to);
                        catalog.add_edge(from, to, DepKind::Normal);
                    }
                }
            }
        }
    }
    Ok(catalog)
}

/// License evidence from the package's copyright file, if the root has one inside it.
fn add_copyright(component: &mut Component, root: &Root, name: &str, input: &Input) {
    if !crate::paths::is_plain_name(name) {
        return;
    }
    let rel = format!("usr/share/doc/{name}/copyright");
    let Some(real) = root.resolve(input.tree, input.root, &rel) else {
        return;
    };
    let path = root.rel_path(&rel);
    let Some(bytes) = root.read(input.tree, input.root, &rel) else {
        return;
    };
    let text = String::from_utf8_lossy(&bytes);
    if copyright::add_machine_readable(component, &path, &text) {
        return;
    }
    for id in copyright::gnu_notices(&text) {
        if !component.licenses.iter().any(|l| *l.raw == *id) {
            let notice = License::of_kind(&id, &path, "license-notice", SourceKind::File);
            component.add_license(notice);
        }
    }
    let Some(dir) = real.parent() else {
        return;
    };
    let rel_dir = root.rel_path(&format!("usr/share/doc/{name}"));
    let threshold = input.options.license_threshold;
    crate::license_files::add_evidence(
        input.tree,
        component,
        dir,
        &rel_dir,
        &["copyright".to_string()],
        threshold,
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: libc6
Status: install ok installed
Priority: optional
Installed-Size: 12000
Maintainer: GNU Libc Maintainers <debian-glibc@lists.example.invalid>
Architecture: amd64
Multi-Arch: same
Source: glibc
Version: 2.36-9+deb12u7
Depends: libgcc-s1
Description: GNU C Library
 Contains the libraries.

Package: libgcc-s1
Status: install ok installed
Architecture: amd64
Source: gcc-12 (12.2.0-14)
Version: 12.2.0-14
Depends: gcc-12-base (= 12.2.0-14), libc6 (>= 2.35)
Provides: libgcc1 (= 1:12.2.0-14)

Package: gone
Status: deinstall ok config-files
Architecture: amd64
Version: 1.0

Package: held
Status: hold ok installed
Architecture: all
Version: 1:2.0
Pre-Depends: missing | libgcc1:any, libc6:amd64 [amd64] <!nocheck>
";

    #[test]
    fn packages_and_edges() {
        let c = crate::parse_str(parse_status, "var/lib/dpkg/status", STATUS).unwrap();
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64",
                "pkg:deb/debian/libgcc-s1@12.2.0-14?arch=amd64",
                "pkg:deb/debian/held@1:2.0?arch=all",
            ]
        );
        let gcc = &c.packages[1].component;
        assert_eq!(gcc.properties["source"], "gcc-12");
        assert_eq!(gcc.properties["source-version"], "12.2.0-14");
        let to = |i: usize| c.packages[i].deps.iter().map(|e| e.to).collect::<Vec<_>>();
        assert_eq!(to(0), [NodeRef::Package(1)]);
        assert_eq!(to(1), [NodeRef::Package(0)]);
        // `libgcc1:any` resolves through libgcc-s1's Provides; `missing` is not installed.
        assert_eq!(to(2), [NodeRef::Package(1), NodeRef::Package(0)]);
        assert!(c
            .diagnostics
            .iter()
            .any(|d| d.message.contains("namespace `debian` assumed")));
    }

    #[test]
    fn stanza_without_package() {
        let c = crate::parse_str(
            parse_status,
            "var/lib/dpkg/status",
            "Version: 1\n\nPackage: a\nVersion: 1\n",
        )
        .unwrap();
        assert_eq!(c.packages.len(), 1);
        assert!(c
            .diagnostics
            .iter()
            .any(|d| d.message.contains("without a Package") && d.line == Some(1)));
    }

    #[test]
    fn garbage_line() {
        let text = "Package: a\nthis is not a field\nVersion: 1\n\nPackage: b\nVersion: 2\n";
        let c = crate::parse_str(parse_status, "var/lib/dpkg/status", text).unwrap();
        // `a` loses its Version (after the bad line), so only `b` remains.
        assert_eq!(c.packages.len(), 1);
        assert!(c.diagnostics.iter().any(|d| d.line == Some(2)));
    }

    #[test]
    fn binary_is_an_error() {
        assert!(crate::parse_str(parse_status, "var/lib/dpkg/status", "Package: a\0\n").is_err());
    }

    #[test]
    fn groups() {
        assert_eq!(
            dependency_groups("a (>= 1) | b:any, c [amd64], , d<!x>"),
            vec![
                vec!["a".to_string(), "b".into()],
                vec!["c".into()],
                vec!["d".into()]
            ]
        );
    }
}
