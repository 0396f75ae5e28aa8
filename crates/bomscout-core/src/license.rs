//! Licenses as found, with their evidence.

use crate::SharedStr;
use serde::{Deserialize, Serialize};

/// What kind of evidence a license comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum SourceKind {
    /// A license field the package declares (package.json `license`, Cargo `license`,
    /// Python `License-Expression` / `License`, a lockfile's copy of it).
    Declared,
    /// A Python trove classifier such as `License :: OSI Approved :: MIT License`.
    Classifier,
    /// The text of a license file, matched against the SPDX license texts.
    File,
    /// A correction written in a policy file.
    Curation,
    /// A package registry's metadata for the version, fetched by `--enrich` (npm, PyPI, the
    /// Rust crate registry, RubyGems, NuGet, Packagist, pub, Hex, Maven POMs, a Go module's
    /// LICENSE file from the module proxy). `path` is the URL that answered.
    Registry,
    /// ClearlyDefined's definition (curated, or harvested from the package's files), fetched
    /// by `--enrich`. `path` is the URL that answered.
    #[serde(rename = "clearlydefined")]
    ClearlyDefined,
    /// deps.dev's record of the version, fetched by `--enrich`. `path` is the URL that
    /// answered.
    #[serde(rename = "deps.dev")]
    DepsDev,
}

impl SourceKind {
    /// How strongly this kind of evidence speaks for a package's license, strongest first:
    /// a person's curation, then what the package declares, then trove classifiers, then a
    /// license file's text; then, for what was fetched rather than found on disk, the
    /// registry, then ClearlyDefined, then deps.dev (local evidence always wins over an
    /// answer from a service). Writers and the policy gate choose by this one order.
    pub fn precedence(self) -> u8 {
        match self {
            SourceKind::Curation => 0,
            SourceKind::Declared => 1,
            SourceKind::Classifier => 2,
            SourceKind::File => 3,
            SourceKind::Registry => 4,
            SourceKind::ClearlyDefined => 5,
            SourceKind::DepsDev => 6,
        }
    }

    /// The name used in JSON and tables (`declared`, `registry`, `deps.dev` ...).
    pub fn as_str(self) -> &'static str {
        match self {
            SourceKind::Declared => "declared",
            SourceKind::Classifier => "classifier",
            SourceKind::File => "file",
            SourceKind::Curation => "curation",
            SourceKind::Registry => "registry",
            SourceKind::ClearlyDefined => "clearlydefined",
            SourceKind::DepsDev => "deps.dev",
        }
    }

    /// True for evidence fetched from a service by `--enrich`, false for what was read from
    /// the scanned files or the policy.
    pub fn is_remote(self) -> bool {
        self.precedence() >= 4
    }
}

/// Where a license came from: the file, the field (or file name) and the kind of evidence.
///
/// `path` and `field` are shared strings: a scan holds tens of thousands of statements naming
/// a few hundred files and a handful of fields, and the builder
/// ([`crate::build::SbomBuilder`]) makes every copy point at one string.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LicenseSource {
    /// Path relative to the scan root.
    pub path: SharedStr,
    /// The field it was read from (`license`, `licenses[0].type`, `License-Expression`,
    /// `Classifier`), or the license file's name.
    pub field: SharedStr,
    /// The kind of evidence.
    pub kind: SourceKind,
}

/// One license statement about a component.
///
/// Catalogers fill `raw` and `source`; the license stage (`bomscout-license`) fills
/// `expression` when `raw` normalizes to a valid SPDX expression, and `mapped_from` when an
/// alias was needed to get there. A string that does not normalize keeps `expression: None`
/// and is reported verbatim: never dropped, never guessed.
///
/// The texts are shared strings ([`SharedStr`], serialized as plain strings): nearly every
/// statement of a scan repeats one of a few dozen texts (`MIT`, `Apache-2.0`), and the
/// builder and the license stage make the copies point at one string.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct License {
    /// The text exactly as declared.
    pub raw: SharedStr,
    /// The normalized SPDX expression, once the license stage has run.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub expression: Option<SharedStr>,
    /// The alias table entry used to reach `expression` (e.g. `Apache 2.0`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mapped_from: Option<SharedStr>,
    /// Match confidence in `0.0..=1.0` for license-file evidence.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
    /// Where it was found.
    pub source: LicenseSource,
}

impl License {
    /// The statements a package's license rests on: those of the strongest kind of
    /// evidence (by [`SourceKind::precedence`]), preferring kinds that reached an SPDX
    /// expression. A license file that confirms a declared field is not among them.
    pub fn strongest(licenses: &[License]) -> Vec<&License> {
        let stated = || {
            licenses
                .iter()
                .filter(|l| !l.raw.is_empty() || l.expression.is_some())
        };
        let best = stated()
            .map(|l| (l.expression.is_none(), l.source.kind.precedence()))
            .min();
        stated()
            .filter(|l| best.map(|(_, kind)| kind) == Some(l.source.kind.precedence()))
            .collect()
    }

    /// A declared license string read from `field` of the file at `path`.
    pub fn declared(raw: &str, path: &str, field: &str) -> License {
        License::of_kind(raw, path, field, SourceKind::Declared)
    }

    /// A license of any source kind.
    pub fn of_kind(raw: &str, path: &str, field: &str, kind: SourceKind) -> License {
        License::found_in(raw, SharedStr::from(path), field, kind)
    }

    /// A license of any source kind read from the file whose (shared) path is `path`: what
    /// a parser holding its file's path as one [`SharedStr`] uses, so that every statement
    /// and location of the file share it.
    pub fn found_in(raw: &str, path: SharedStr, field: &str, kind: SourceKind) -> License {
        License {
            raw: raw.trim().into(),
            expression: None,
            mapped_from: None,
            confidence: None,
            source: LicenseSource {
                path,
                field: field.into(),
                kind,
            },
        }
    }

    /// The SPDX expression if normalized, else the raw text: what people should read.
    pub fn display(&self) -> &str {
        self.expression.as_deref().unwrap_or(&self.raw)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KINDS: [SourceKind; 7] = [
        SourceKind::Curation,
        SourceKind::Declared,
        SourceKind::Classifier,
        SourceKind::File,
        SourceKind::Registry,
        SourceKind::ClearlyDefined,
        SourceKind::DepsDev,
    ];

    #[test]
    fn names_match_serialization() {
        for kind in KINDS {
            let json = serde_json::to_string(&kind).unwrap();
            assert_eq!(json, format!("\"{}\"", kind.as_str()));
            assert_eq!(serde_json::from_str::<SourceKind>(&json).unwrap(), kind);
        }
    }

    #[test]
    fn local_evidence_outranks_every_service() {
        let precedences: Vec<u8> = KINDS.iter().map(|k| k.precedence()).collect();
        assert!(
            precedences.windows(2).all(|w| w[0] < w[1]),
            "{precedences:?}"
        );
        assert!(KINDS.iter().all(|k| k.is_remote() == (k.precedence() >= 4)));
        let local = License::declared("MIT", "go.mod", "license");
        let remote = License::of_kind(
            "Apache-2.0",
            "https://x.invalid",
            "license",
            SourceKind::Registry,
        );
        let both = [remote, local.clone()];
        assert_eq!(License::strongest(&both), vec![&local]);
    }
}
