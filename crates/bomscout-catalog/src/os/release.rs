//! `etc/os-release` and `usr/lib/os-release` (systemd's os-release format): the
//! distribution a root filesystem runs.
//!
//! The file is `KEY=value` lines; a value may be in double or single quotes, with `\`
//! escapes inside double quotes; `#` starts a comment line. Read: `ID` (the component's
//! name), `VERSION_ID` (its version), `PRETTY_NAME` and `VERSION_CODENAME` (properties
//! `pretty-name` and `version-codename`), `ID_LIKE` (property `id-like`).
//!
//! The file becomes one component of kind `operating-system`, named `ID` at `VERSION_ID`
//! as Syft's CycloneDX output names it. The purl spec has no type for an operating system
//! and Syft writes no purl for it; bomscout's identity is the purl, so it is
//! `pkg:generic/<ID>@<VERSION_ID>`, which cannot be mistaken for a package. The component has no
//! dependency edges to the packages of the same root: those are found by other files'
//! catalogers, and catalog edges never cross files; the packages' purls carry the distro as
//! their namespace and `distro` qualifier instead.
//!
//! The package catalogers ([`super::dpkg`], [`super::apk`], [`super::rpm`]) read the same
//! file of their root through [`Distro::of_root`].

use super::Root;
use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, ComponentKind, Ecosystem};
use std::path::Path;

/// What a release file says about the distribution.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Distro {
    /// `ID`, lowercase (`debian`, `alpine`, `fedora`).
    pub id: Option<String>,
    /// `VERSION_ID` (`12`, `3.20.3`, `40`).
    pub version_id: Option<String>,
    /// `VERSION_CODENAME` (`bookworm`).
    pub codename: Option<String>,
    /// `PRETTY_NAME`.
    pub pretty_name: Option<String>,
    /// `ID_LIKE`.
    pub id_like: Option<String>,
    /// The file it was read from, scan-relative.
    pub path: Option<String>,
}

impl Distro {
    /// Parses a release file's text.
    pub fn parse(text: &str) -> Distro {
        let mut d = Distro::default();
        for line in text.lines() {
            let line = line.trim();
            if line.starts_with('#') {
                continue;
            }
            let Some((key, value)) = line.split_once('=') else {
                continue;
            };
            let value = unquote(value.trim());
            let value = Some(value).filter(|v| !v.is_empty());
            match key.trim() {
                "ID" => d.id = value.map(|v| v.to_ascii_lowercase()),
                "VERSION_ID" => d.version_id = value,
                "VERSION_CODENAME" => d.codename = value,
                "PRETTY_NAME" => d.pretty_name = value,
                "ID_LIKE" => d.id_like = value,
                _ => {}
            }
        }
        d
    }

    /// The release file of `root` (`etc/os-release`, else `usr/lib/os-release`), read only
    /// inside the root; `None` when there is none.
    pub fn of_root(
        root: &Root,
        tree: &dyn bomscout_walk::Tree,
        scan_root: &Path,
    ) -> Option<Distro> {
        ["etc/os-release", "usr/lib/os-release"]
            .iter()
            .find_map(|p| {
                let bytes = root.read(tree, scan_root, p)?;
                let mut d = Distro::parse(&String::from_utf8_lossy(&bytes));
                d.path = Some(root.rel_path(p));
                Some(d)
            })
    }

    /// The purl `distro` qualifier: `<id>-<version_id>` (`debian-12`, `alpine-3.20.3`), or
    /// the id alone when the file has no version (Debian testing, Arch).
    pub fn qualifier(&self) -> Option<String> {
        let id = self.id.as_deref()?;
        Some(match &self.version_id {
            Some(v) => format!("{id}-{v}"),
            None => id.to_string(),
        })
    }
}

/// A value without its surrounding quotes, with `\` escapes of a double-quoted value
/// resolved.
fn unquote(value: &str) -> String {
    if let Some(inner) = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .filter(|_| value.len() >= 2)
    {
        let mut out = String::with_capacity(inner.len());
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c == '\\' {
                if let Some(next) = chars.next() {
                    out.push(next);
                }
            } else {
                out.push(c);
            }
        }
        return out;
    }
    if let Some(inner) = value
        .strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .filter(|_| value.len() >= 2)
    {
        return inner.to_string();
    }
    value.to_string()
}

/// Parses a release file into the `operating-system` component.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = String::from_utf8_lossy(input.bytes);
    let distro = Distro::parse(&text);
    let Some(id) = distro.id.as_deref() else {
        return Err(ParseError::format(
            "no ID= line: not an os-release file (see os-release(5))",
        ));
    };
    let version = distro.version_id.as_deref().unwrap_or_default();
    let mut component = Component::new(Ecosystem::Generic, None, id, version)
        .map_err(|e| ParseError::format(e.to_string()))?
        .at(input.location());
    component.kind = ComponentKind::OperatingSystem;
    for (key, value) in [
        ("pretty-name", &distro.pretty_name),
        ("version-codename", &distro.codename),
        ("id-like", &distro.id_like),
    ] {
        if let Some(v) = value {
            component.properties.insert(key.into(), v.clone());
        }
    }
    let mut catalog = Catalog::default();
    catalog.add_package(component);
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;

    const BOOKWORM: &str = r#"PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
NAME="Debian GNU/Linux"
VERSION_ID="12"
VERSION="12 (bookworm)"
VERSION_CODENAME=bookworm
ID=debian
"#;

    #[test]
    fn reads_the_fields() {
        let d = Distro::parse(BOOKWORM);
        assert_eq!(d.id.as_deref(), Some("debian"));
        assert_eq!(d.version_id.as_deref(), Some("12"));
        assert_eq!(d.codename.as_deref(), Some("bookworm"));
        assert_eq!(
            d.pretty_name.as_deref(),
            Some("Debian GNU/Linux 12 (bookworm)")
        );
        assert_eq!(d.qualifier().as_deref(), Some("debian-12"));
    }

    #[test]
    fn quotes_and_escapes() {
        let d =
            Distro::parse("# c\nID='Fedora'\nPRETTY_NAME=\"a \\\"b\\\" \\\\c\"\nVERSION_ID=\"\n");
        assert_eq!(d.id.as_deref(), Some("fedora"));
        assert_eq!(d.pretty_name.as_deref(), Some("a \"b\" \\c"));
        // A lone quote is a value, not an empty quoted string; no panic.
        assert_eq!(d.version_id.as_deref(), Some("\""));
    }

    #[test]
    fn component() {
        let c = crate::parse_str(parse, "etc/os-release", BOOKWORM).unwrap();
        let os = &c.packages[0].component;
        assert_eq!(os.kind, ComponentKind::OperatingSystem);
        assert_eq!(os.purl.as_str(), "pkg:generic/debian@12");
        assert_eq!(os.properties["version-codename"], "bookworm");
    }

    #[test]
    fn no_id_is_an_error() {
        assert!(crate::parse_str(parse, "etc/os-release", "NAME=x\n").is_err());
    }
}
