//! A third-party component: one package at one version, wherever it was found.

use crate::{purl::pep503, Ecosystem, License, Locations, Purl, PurlError, SharedStr};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// How a component is needed by the projects that depend on it.
///
/// Ordered from weakest to strongest, so that `max` over several paths gives the scope of
/// a component reached more than one way.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum Scope {
    /// Only needed to develop or test a project: every path to it passes a dev edge.
    Dev,
    /// Only needed to build a project (a compiler, a build system, a code generator): every
    /// path to it passes a build edge (Conan `build_requires`, Cargo `[build-dependencies]`,
    /// Gradle plugins, vcpkg host dependencies) and it does not ship with what is built.
    /// Stronger than `dev` (a release cannot be made without it), weaker than `optional`
    /// (an optional dependency may still ship).
    Build,
    /// Only reached through optional edges (npm `optionalDependencies`, Python extras …).
    Optional,
    /// Needed at run time.
    #[default]
    Required,
}

impl Scope {
    /// The lowercase name used in tables, JSON and the `bomscout:scope` property.
    pub fn as_str(self) -> &'static str {
        match self {
            Scope::Dev => "dev",
            Scope::Build => "build",
            Scope::Optional => "optional",
            Scope::Required => "required",
        }
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What a component is, as CycloneDX's component `type` names it. Almost everything a
/// lockfile lists is a library; an operating system's release file, a container image, a
/// machine-learning model and a dataset are not, and the outputs say so.
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize,
)]
#[serde(rename_all = "kebab-case")]
pub enum ComponentKind {
    /// A package of code.
    #[default]
    Library,
    /// A program (a binary found in a tree).
    Application,
    /// An operating system (`etc/os-release`).
    OperatingSystem,
    /// A container image.
    Container,
    /// A machine-learning model.
    MachineLearningModel,
    /// A dataset.
    Data,
}

impl ComponentKind {
    /// The CycloneDX component `type` (`library`, `operating-system`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentKind::Library => "library",
            ComponentKind::Application => "application",
            ComponentKind::OperatingSystem => "operating-system",
            ComponentKind::Container => "container",
            ComponentKind::MachineLearningModel => "machine-learning-model",
            ComponentKind::Data => "data",
        }
    }

    /// True for the default, so that JSON leaves it out.
    pub fn is_library(&self) -> bool {
        *self == ComponentKind::Library
    }
}

/// A place a component (or a license) was found: a file path relative to the scan root,
/// always with `/` separators, and a 1-based line where the parser knows it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Location {
    /// Path relative to the scan root, `/`-separated. Shared: an organization's scan holds
    /// hundreds of thousands of locations naming a few thousand files, and the builder
    /// ([`crate::build::SbomBuilder`]) makes every copy of one path point at one string.
    pub path: SharedStr,
    /// 1-based line number, when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

impl Location {
    /// A location without a line.
    pub fn new(path: impl Into<SharedStr>) -> Location {
        Location {
            path: path.into(),
            line: None,
        }
    }

    /// A location at a 1-based line.
    pub fn at_line(path: impl Into<SharedStr>, line: u32) -> Location {
        Location {
            path: path.into(),
            line: Some(line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{}", self.path, line),
            None => f.write_str(&self.path),
        }
    }
}

/// A hash algorithm, named as CycloneDX names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum HashAlg {
    /// MD5.
    #[serde(rename = "MD5")]
    Md5,
    /// SHA-1 (npm v1 locks' `integrity` may be SHA-1).
    #[serde(rename = "SHA-1")]
    Sha1,
    /// SHA-256 (Cargo.lock `checksum`, Python hashes).
    #[serde(rename = "SHA-256")]
    Sha256,
    /// SHA-384.
    #[serde(rename = "SHA-384")]
    Sha384,
    /// SHA-512 (npm `integrity`).
    #[serde(rename = "SHA-512")]
    Sha512,
    /// BLAKE2b-256.
    #[serde(rename = "BLAKE2b-256")]
    Blake2b256,
}

impl HashAlg {
    /// The name as written in CycloneDX and SPDX (`SHA-256`, …).
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Md5 => "MD5",
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Blake2b256 => "BLAKE2b-256",
        }
    }

    /// Parses the algorithm names lockfiles use: `sha256`, `sha512`, `SHA-256`, `md5` …
    pub fn from_name(name: &str) -> Option<HashAlg> {
        let n: String = name
            .chars()
            .filter(|c| *c != '-' && *c != '_')
            .flat_map(char::to_lowercase)
            .collect();
        Some(match n.as_str() {
            "md5" => HashAlg::Md5,
            "sha1" => HashAlg::Sha1,
            "sha256" => HashAlg::Sha256,
            "sha384" => HashAlg::Sha384,
            "sha512" => HashAlg::Sha512,
            "blake2b256" => HashAlg::Blake2b256,
            _ => return None,
        })
    }
}

/// A content hash of a package archive, lowercase hex.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Hash {
    /// The algorithm.
    pub alg: HashAlg,
    /// Lowercase hex digest.
    pub value: String,
}

impl Hash {
    /// A hash from an algorithm and a hex digest (lowercased here). Returns `None` if the
    /// digest is not hex of the algorithm's length, so a malformed lockfile cannot put a
    /// value into an SBOM that its schema would reject.
    pub fn hex(alg: HashAlg, value: &str) -> Option<Hash> {
        let len = match alg {
            HashAlg::Md5 => 32,
            HashAlg::Sha1 => 40,
            HashAlg::Sha256 | HashAlg::Blake2b256 => 64,
            HashAlg::Sha384 => 96,
            HashAlg::Sha512 => 128,
        };
        if value.len() != len || !all_hex(value.as_bytes()) {
            return None;
        }
        Some(Hash {
            alg,
            value: value.to_ascii_lowercase(),
        })
    }
}

/// True when every byte is a hex digit. Branch-free over the whole digest (no early exit):
/// the compiler vectorizes it, where a short-circuiting `all` tested a byte at a time; every
/// wheel hash of every copy of a Python lock comes through here (4.7% of an organization's
/// scan before).
fn all_hex(bytes: &[u8]) -> bool {
    bytes.iter().fold(true, |ok, &b| {
        let lower = b | 0x20;
        ok & (b.is_ascii_digit() | (lower.wrapping_sub(b'a') < 6))
    })
}

impl Hash {
    /// A hash written `alg:hex` (`sha256:…`), as pip, pipenv, poetry and uv write them.
    pub fn parse_prefixed(text: &str) -> Option<Hash> {
        let (alg, hex) = text.split_once(':')?;
        Hash::hex(HashAlg::from_name(alg)?, hex)
    }
}

/// A copyright statement read from one of a package's files (license, `NOTICE`,
/// `COPYRIGHT`), whitespace-normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Copyright {
    /// The statement (`Copyright (c) 2009-2014 TJ Holowaychuk <tj@vision-media.ca>`).
    pub text: String,
    /// The file it was read from, relative to the scan root, `/`-separated.
    pub path: String,
}

/// The text of an Apache-style `NOTICE` file, verbatim: Apache-2.0 §4(d) requires a
/// distributor to reproduce it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct NoticeText {
    /// The file, relative to the scan root, `/`-separated.
    pub path: String,
    /// Its contents as read (decoded as UTF-8, invalid bytes replaced).
    pub text: String,
}

/// One third-party package at one version: the unit every SBOM lists.
///
/// Build one with [`Component::new`] (a resolved version) or [`Component::unresolved`] (a
/// version range declared in a manifest with no lockfile beside it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Component {
    /// The ecosystem the name lives in.
    pub ecosystem: Ecosystem,
    /// npm scope (`@babel`), Maven group, Go module path prefix …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    /// The package name as the package manager spells it.
    pub name: String,
    /// The exact resolved version; `None` when unresolved.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    /// The declared requirement (`^4.17.0`, `>=2,<3`) of an unresolved component.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requirement: Option<String>,
    /// The package URL; the component's identity.
    pub purl: Purl,
    /// How the projects need it, computed over the dependency graph.
    pub scope: Scope,
    /// True when some project depends on it directly.
    pub direct: bool,
    /// Every license found for it, each with where it came from.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<License>,
    /// Archive hashes, sorted and unique.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<Hash>,
    /// Copyright statements from its license and notice files: sorted by the file they
    /// came from (a file's statements in their order in it), each text once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub copyrights: Vec<Copyright>,
    /// Its `NOTICE` files' texts: sorted by path, each text once.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub notices: Vec<NoticeText>,
    /// Every file it was found in.
    pub locations: Locations,
    /// Ecosystem-specific facts (`resolved` URL, `alias`, `bundled` …); writers put them
    /// under the `bomscout:` property namespace. `supplier` (with `supplier-source`, the
    /// file or URL it came from) names who supplies the package, for the NTIA minimum
    /// elements.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub properties: BTreeMap<String, String>,
    /// What it is; a library unless a cataloger says otherwise.
    #[serde(default, skip_serializing_if = "ComponentKind::is_library")]
    pub kind: ComponentKind,
    /// Upkeep facts (repository, scorecard, releases) fetched by `--enrich`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub health: Option<Box<crate::Health>>,
}

impl Component {
    /// A resolved component; builds its purl.
    pub fn new(
        ecosystem: Ecosystem,
        namespace: Option<&str>,
        name: &str,
        version: &str,
    ) -> Result<Component, PurlError> {
        Component::with_qualifiers(ecosystem, namespace, name, version, &[])
    }

    /// A resolved component whose purl carries qualifiers (`vcs_url`, `download_url`, …),
    /// e.g. a git or URL dependency, so that it is not confused with the registry package.
    pub fn with_qualifiers(
        ecosystem: Ecosystem,
        namespace: Option<&str>,
        name: &str,
        version: &str,
        qualifiers: &[(&str, &str)],
    ) -> Result<Component, PurlError> {
        let purl = Purl::build(ecosystem, namespace, name, Some(version), qualifiers)?;
        Ok(Component::blank(ecosystem, namespace, name, purl).versioned(version))
    }

    /// A declared but unresolved component: a manifest names it with a range and no
    /// lockfile pins it. Its purl has no version.
    pub fn unresolved(
        ecosystem: Ecosystem,
        namespace: Option<&str>,
        name: &str,
        requirement: &str,
    ) -> Result<Component, PurlError> {
        let purl = Purl::build(ecosystem, namespace, name, None, &[])?;
        let mut c = Component::blank(ecosystem, namespace, name, purl);
        c.requirement = Some(requirement.to_string());
        Ok(c)
    }

    fn blank(ecosystem: Ecosystem, namespace: Option<&str>, name: &str, purl: Purl) -> Component {
        Component {
            ecosystem,
            namespace: namespace.filter(|n| !n.is_empty()).map(str::to_string),
            name: name.to_string(),
            version: None,
            requirement: None,
            purl,
            scope: Scope::default(),
            direct: false,
            licenses: Vec::new(),
            hashes: Vec::new(),
            copyrights: Vec::new(),
            notices: Vec::new(),
            locations: Locations::new(),
            properties: BTreeMap::new(),
            kind: ComponentKind::Library,
            health: None,
        }
    }

    fn versioned(mut self, version: &str) -> Component {
        self.version = Some(version.to_string()).filter(|v| !v.is_empty());
        self
    }

    /// Records a file this component was found in (builder style).
    pub fn at(mut self, location: Location) -> Component {
        self.locations.insert(location);
        self
    }

    /// True when the component has an exact version.
    pub fn is_resolved(&self) -> bool {
        self.version.is_some()
    }

    /// The component's unique reference within a document (CycloneDX `bom-ref`): the purl
    /// for a resolved component, and a distinct `unresolved:` form for a range, so that an
    /// exact pin in a manifest never collides with the locked package of the same version.
    pub fn key(&self) -> String {
        self.key_str().into_owned()
    }

    /// [`Component::key`] without a copy where it is the purl (every resolved component):
    /// what the builder looks a package up by, once per copy of it in every lockfile.
    pub fn key_str(&self) -> std::borrow::Cow<'_, str> {
        match (&self.version, &self.requirement) {
            (None, Some(req)) => format!("unresolved:{}@{}", self.purl, req).into(),
            _ => self.purl.as_str().into(),
        }
    }

    /// `(ecosystem, namespace, normalized name)`: what a manifest's declared dependency and
    /// a lockfile's resolved package have in common.
    pub fn name_key(&self) -> (Ecosystem, Option<&str>, String) {
        let name = match self.ecosystem {
            Ecosystem::PyPI => pep503(&self.name),
            _ => self.name.clone(),
        };
        (self.ecosystem, self.namespace.as_deref(), name)
    }

    /// `namespace/name` (npm: `@scope/name`), as shown to people.
    pub fn display_name(&self) -> String {
        match &self.namespace {
            Some(ns) => format!("{ns}/{}", self.name),
            None => self.name.clone(),
        }
    }

    /// Adds a hash unless it is already present. The list stays sorted, so the place is a
    /// binary search (a package lists a hash per wheel: dozens, merged from every copy).
    pub fn add_hash(&mut self, hash: Hash) {
        if let Err(at) = self.hashes.binary_search(&hash) {
            self.hashes.insert(at, hash);
        }
    }

    /// Adds many hashes at once: one sort and one pass for duplicates, with the list as
    /// [`Component::add_hash`] one by one leaves it.
    pub fn add_hashes(&mut self, hashes: impl IntoIterator<Item = Hash>) {
        self.hashes.extend(hashes);
        self.hashes.sort();
        self.hashes.dedup();
    }

    /// Adds a license unless the same text from the same place is already present.
    pub fn add_license(&mut self, license: License) {
        if !self.licenses.contains(&license) {
            self.licenses.push(license);
        }
    }

    /// Adds a copyright statement read from `path`. The list stays sorted by path (a
    /// file's statements in the order added) with each text once, kept from the first path,
    /// so the result does not depend on the order records are merged in.
    pub fn add_copyright(&mut self, text: &str, path: &str) {
        if let Some(i) = self.copyrights.iter().position(|c| c.text == text) {
            if self.copyrights[i].path.as_str() <= path {
                return;
            }
            self.copyrights.remove(i);
        }
        let at = self
            .copyrights
            .iter()
            .position(|c| c.path.as_str() > path)
            .unwrap_or(self.copyrights.len());
        self.copyrights.insert(
            at,
            Copyright {
                text: text.to_string(),
                path: path.to_string(),
            },
        );
    }

    /// Adds a `NOTICE` file's text read from `path`; sorted by path, each text once (kept
    /// from the first path), independent of the order records are merged in.
    pub fn add_notice(&mut self, text: &str, path: &str) {
        if let Some(i) = self.notices.iter().position(|n| n.text == text) {
            if self.notices[i].path.as_str() <= path {
                return;
            }
            self.notices.remove(i);
        }
        let at = self
            .notices
            .iter()
            .position(|n| n.path.as_str() > path)
            .unwrap_or(self.notices.len());
        self.notices.insert(
            at,
            NoticeText {
                path: path.to_string(),
                text: text.to_string(),
            },
        );
    }

    /// The copyright statements alone, in order: what SBOM writers put in one text field.
    pub fn copyright_text(&self) -> Option<String> {
        (!self.copyrights.is_empty()).then(|| {
            self.copyrights
                .iter()
                .map(|c| c.text.as_str())
                .collect::<Vec<_>>()
                .join("\n")
        })
    }

    /// Folds another record of the same package (same [`Component::key`]) into this one:
    /// locations, licenses, hashes, copyrights and notices are unioned, properties keep the
    /// first value.
    pub fn merge(&mut self, other: Component) {
        self.locations.extend(other.locations);
        for c in other.copyrights {
            self.add_copyright(&c.text, &c.path);
        }
        for n in other.notices {
            self.add_notice(&n.text, &n.path);
        }
        for l in other.licenses {
            self.add_license(l);
        }
        // Copies of one lockfile carry the same list: compared once, not searched per hash.
        if other.hashes != self.hashes {
            self.add_hashes(other.hashes);
        }
        for (k, v) in other.properties {
            self.properties.entry(k).or_insert(v);
        }
        self.scope = self.scope.max(other.scope);
        self.direct |= other.direct;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(copyrights: &[(&str, &str)], notices: &[(&str, &str)]) -> Component {
        let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
        for (text, path) in copyrights {
            c.add_copyright(text, path);
        }
        for (text, path) in notices {
            c.add_notice(text, path);
        }
        c
    }

    fn texts(c: &Component) -> Vec<(&str, &str)> {
        c.copyrights
            .iter()
            .map(|c| (c.text.as_str(), c.path.as_str()))
            .collect()
    }

    /// The vectorizable check says what `is_ascii_hexdigit` says, for every byte at every
    /// position, and `Hash::hex` lowercases what it accepts.
    #[test]
    fn hex_digests_are_checked_byte_for_byte() {
        for b in 0..=u8::MAX {
            let mut digest = [b'a'; 64];
            for at in [0, 31, 63] {
                digest[at] = b;
                let text = String::from_utf8_lossy(&digest).into_owned();
                assert_eq!(all_hex(&digest), b.is_ascii_hexdigit(), "byte {b:#04x}");
                let parsed = Hash::hex(HashAlg::Sha256, &text);
                assert_eq!(parsed.is_some(), b.is_ascii_hexdigit() && text.len() == 64);
                digest[at] = b'a';
            }
        }
        let upper = "ABCDEF0123456789".repeat(4);
        let h = Hash::hex(HashAlg::Sha256, &upper).unwrap();
        assert_eq!(h.value, upper.to_ascii_lowercase());
        assert!(Hash::hex(HashAlg::Sha256, &upper[1..]).is_none());
        assert!(Hash::hex(HashAlg::Sha512, &upper).is_none());
    }

    #[test]
    fn hashes_stay_sorted_and_unique_however_they_are_added() {
        let h = |d: u8| Hash::hex(HashAlg::Sha256, &format!("{d:02x}").repeat(32)).unwrap();
        let order = [7u8, 3, 9, 3, 1, 7, 250, 0];
        let mut one = Component::new(Ecosystem::PyPI, None, "x", "1").unwrap();
        for d in order {
            one.add_hash(h(d));
        }
        let mut all = Component::new(Ecosystem::PyPI, None, "x", "1").unwrap();
        all.add_hashes(order.map(h));
        let mut sorted: Vec<Hash> = order.map(h).to_vec();
        sorted.sort();
        sorted.dedup();
        assert_eq!(one.hashes, sorted);
        assert_eq!(all.hashes, sorted);
        // Merging a copy with the same list, and one with an overlapping list.
        let mut merged = one.clone();
        merged.merge(all.clone());
        assert_eq!(merged.hashes, sorted);
        let mut other = Component::new(Ecosystem::PyPI, None, "x", "1").unwrap();
        other.add_hashes([h(9), h(42)]);
        merged.merge(other);
        sorted.push(h(42));
        sorted.sort();
        assert_eq!(merged.hashes, sorted);
    }

    #[test]
    fn attribution_merges_as_a_union_in_one_order() {
        let a = || {
            record(
                &[("(c) 2020 B", "a/LICENSE"), ("(c) 2019 A", "a/LICENSE")],
                &[("N1", "a/NOTICE")],
            )
        };
        let b = || {
            record(
                &[("(c) 2019 A", "b/LICENSE"), ("(c) 2021 C", "b/LICENSE")],
                &[("N1", "b/NOTICE"), ("N2", "b/NOTICE.txt")],
            )
        };
        let mut ab = a();
        ab.merge(b());
        let mut ba = b();
        ba.merge(a());
        // A file's statements keep their order; files in path order; each text once, from
        // the first path that has it.
        let expected = [
            ("(c) 2020 B", "a/LICENSE"),
            ("(c) 2019 A", "a/LICENSE"),
            ("(c) 2021 C", "b/LICENSE"),
        ];
        assert_eq!(texts(&ab), expected);
        assert_eq!(texts(&ba), expected);
        assert_eq!(ab.notices, ba.notices);
        let notices: Vec<(&str, &str)> = ab
            .notices
            .iter()
            .map(|n| (n.text.as_str(), n.path.as_str()))
            .collect();
        assert_eq!(notices, [("N1", "a/NOTICE"), ("N2", "b/NOTICE.txt")]);
        assert_eq!(
            ab.copyright_text().as_deref(),
            Some("(c) 2020 B\n(c) 2019 A\n(c) 2021 C")
        );
        assert_eq!(record(&[], &[]).copyright_text(), None);
    }
}
