//! What is sent (coordinates) and what comes back (facts).

use bomscout_core::{Component, Ecosystem, Purl, Scorecard};
use serde::{Deserialize, Serialize};

/// One package (at one version, or at its latest when `version` is `None`): everything a
/// source is ever told.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Coordinates {
    /// The ecosystem.
    pub ecosystem: Ecosystem,
    /// npm scope with its `@`, Maven group, Go module path prefix, Composer vendor.
    pub namespace: Option<String>,
    /// The name as the package manager spells it.
    pub name: String,
    /// The exact version; `None` asks for the latest release.
    pub version: Option<String>,
}

impl Coordinates {
    /// The coordinates of a resolved component; `None` for an unresolved one (no version to
    /// ask about).
    pub fn of(component: &Component) -> Option<Coordinates> {
        Some(Coordinates {
            ecosystem: component.ecosystem,
            namespace: component.namespace.clone(),
            name: component.name.clone(),
            version: Some(component.version.clone()?),
        })
    }

    /// The coordinates a package URL names (`pkg:npm/left-pad@1.3.0`, `pkg:pypi/requests`).
    pub fn from_purl(purl: &str) -> Result<Coordinates, String> {
        let parsed: packageurl::PackageUrl = purl
            .parse()
            .map_err(|e: packageurl::Error| format!("not a package URL: {e}"))?;
        let ecosystem = Ecosystem::from_purl_type(parsed.ty());
        if ecosystem == Ecosystem::Generic && parsed.ty() != "generic" {
            return Err(format!("unknown package URL type {:?}", parsed.ty()));
        }
        Ok(Coordinates {
            ecosystem,
            namespace: parsed.namespace().map(str::to_string),
            name: parsed.name().to_string(),
            version: parsed.version().map(str::to_string),
        })
    }

    /// The name as its registry writes it: `@babel/core` (npm), `github.com/pkg/errors` (Go),
    /// `vendor/package` (Composer) and `group:artifact` (Maven); the bare name elsewhere.
    pub fn full_name(&self) -> String {
        match (&self.namespace, self.ecosystem) {
            (Some(ns), Ecosystem::Maven) => format!("{ns}:{}", self.name),
            (Some(ns), _) => format!("{ns}/{}", self.name),
            (None, _) => self.name.clone(),
        }
    }

    /// This package at `version`.
    pub fn at(&self, version: &str) -> Coordinates {
        Coordinates {
            version: Some(version.to_string()),
            ..self.clone()
        }
    }

    /// The package URL of these coordinates (the cache's key and the messages' name).
    pub fn purl(&self) -> String {
        Purl::build(
            self.ecosystem,
            self.namespace.as_deref(),
            &self.name,
            self.version.as_deref(),
            &[],
        )
        .map(|p| p.to_string())
        .unwrap_or_else(|_| {
            format!(
                "pkg:{}/{}@{}",
                self.ecosystem.purl_type(),
                self.full_name(),
                self.version.as_deref().unwrap_or("")
            )
        })
    }
}

/// A license as a source states it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FoundLicense {
    /// The text as the source gives it (`MIT`, `Apache License, Version 2.0`, a classifier).
    pub raw: String,
    /// Where in the answer: a JSON path (`license`, `info.license_expression`,
    /// `licensed.declared`), `classifier` for a Python trove classifier, or the file name
    /// read from a module archive (`LICENSE`).
    pub field: String,
    /// The license detector's confidence, for a license read from a file's text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<f32>,
}

/// What one source says about one package version (or one package, or one repository).
/// Every field is optional: a source fills what it knows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Facts {
    /// The URL that answered (password redacted): the evidence for every fact here.
    pub url: String,
    /// Licenses stated for the version.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<FoundLicense>,
    /// Who supplies the package: the publisher, organization or first author, as a name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub supplier: Option<String>,
    /// The source repository, as an `https://` URL without `.git` (`https://github.com/o/r`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub repository: Option<String>,
    /// When this version was published, `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    /// The package's latest release (package-level answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_version: Option<String>,
    /// When the latest release was published, `YYYY-MM-DD` (package-level answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_release: Option<String>,
    /// Advisory identifiers the source links to the version (`GHSA-…`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<String>,
    /// The repository's OpenSSF Scorecard (repository-level answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scorecard: Option<Scorecard>,
    /// Whether the repository is archived (repository-level answers).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

/// A source's answer for one key.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Answer {
    /// The source knows it.
    Found(Box<Facts>),
    /// The source answered that it does not know it (a `404`, an empty result).
    NotFound {
        /// The URL that answered.
        url: String,
    },
}

impl Answer {
    /// A found answer.
    pub fn found(facts: Facts) -> Answer {
        Answer::Found(Box::new(facts))
    }

    /// The facts, when found.
    pub fn facts(&self) -> Option<&Facts> {
        match self {
            Answer::Found(f) => Some(f),
            Answer::NotFound { .. } => None,
        }
    }
}
