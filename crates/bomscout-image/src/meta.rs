//! The JSON documents of an image: OCI index and manifest, Docker manifest list, image
//! config, and `docker save`'s own `manifest.json`; image references and platforms.

use serde::Deserialize;
use std::collections::BTreeMap;

/// An OCI image index's media type.
pub const OCI_INDEX: &str = "application/vnd.oci.image.index.v1+json";
/// A Docker manifest list's media type.
pub const DOCKER_LIST: &str = "application/vnd.docker.distribution.manifest.list.v2+json";

/// A content descriptor (OCI image spec, `descriptor.md`).
#[derive(Debug, Clone, Deserialize)]
pub struct Descriptor {
    #[serde(rename = "mediaType", default)]
    pub media_type: String,
    pub digest: String,
    #[serde(default)]
    pub platform: Option<Platform>,
    #[serde(default)]
    pub annotations: BTreeMap<String, String>,
}

/// `platform` of a descriptor, or the `os`/`architecture`/`variant` of a config.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Platform {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
}

impl Platform {
    /// `os/arch[/variant]`.
    pub fn display(&self) -> String {
        match &self.variant {
            Some(v) if !v.is_empty() => format!("{}/{}/{}", self.os, self.architecture, v),
            _ => format!("{}/{}", self.os, self.architecture),
        }
    }

    /// True when this platform is what `wanted` asks for; a `wanted` without a variant
    /// matches every variant.
    pub fn matches(&self, wanted: &Wanted) -> bool {
        self.os == wanted.os
            && self.architecture == wanted.arch
            && match &wanted.variant {
                None => true,
                Some(v) => self.variant.as_deref() == Some(v.as_str()),
            }
    }

    /// True for the `unknown/unknown` entries BuildKit adds for attestations.
    pub fn is_unknown(&self) -> bool {
        self.os == "unknown" && self.architecture == "unknown"
    }
}

/// A `--platform` value, parsed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wanted {
    pub os: String,
    pub arch: String,
    pub variant: Option<String>,
}

impl Wanted {
    /// Parses `os/arch[/variant]`; `None` when it has not that shape.
    pub fn parse(s: &str) -> Option<Wanted> {
        let parts: Vec<&str> = s.split('/').collect();
        if parts.iter().any(|p| p.is_empty()) {
            return None;
        }
        match parts.as_slice() {
            [os, arch] => Some(Wanted {
                os: os.to_string(),
                arch: arch.to_string(),
                variant: None,
            }),
            [os, arch, variant] => Some(Wanted {
                os: os.to_string(),
                arch: arch.to_string(),
                variant: Some(variant.to_string()),
            }),
            _ => None,
        }
    }

    /// The default when an index holds several platforms.
    pub fn default_platform() -> Wanted {
        Wanted {
            os: "linux".into(),
            arch: "amd64".into(),
            variant: None,
        }
    }
}

/// An OCI index or a Docker manifest list (`index.json` is one too).
#[derive(Debug, Deserialize)]
pub struct Index {
    #[serde(default)]
    pub manifests: Vec<Descriptor>,
}

/// An OCI or Docker v2 image manifest.
#[derive(Debug, Deserialize)]
pub struct Manifest {
    pub config: Descriptor,
    #[serde(default)]
    pub layers: Vec<Descriptor>,
}

/// The parts of an image config that matter here.
#[derive(Debug, Default, Deserialize)]
pub struct Config {
    #[serde(default)]
    pub os: String,
    #[serde(default)]
    pub architecture: String,
    #[serde(default)]
    pub variant: Option<String>,
    #[serde(default)]
    pub rootfs: Option<RootFs>,
    #[serde(default)]
    pub history: Vec<History>,
}

impl Config {
    /// The config's platform, when it names one.
    pub fn platform(&self) -> Option<Platform> {
        (!self.os.is_empty() && !self.architecture.is_empty()).then(|| Platform {
            os: self.os.clone(),
            architecture: self.architecture.clone(),
            variant: self.variant.clone(),
        })
    }

    /// The `created_by` of each non-empty layer, in order (history entries with
    /// `empty_layer` made no layer).
    pub fn layer_history(&self) -> Vec<Option<String>> {
        self.history
            .iter()
            .filter(|h| !h.empty_layer)
            .map(|h| h.created_by.clone())
            .collect()
    }

    /// The `rootfs.diff_ids`.
    pub fn diff_ids(&self) -> &[String] {
        self.rootfs.as_ref().map_or(&[], |r| r.diff_ids.as_slice())
    }
}

/// `rootfs` of a config.
#[derive(Debug, Default, Deserialize)]
pub struct RootFs {
    #[serde(default)]
    pub diff_ids: Vec<String>,
}

/// One `history` entry of a config.
#[derive(Debug, Default, Deserialize)]
pub struct History {
    #[serde(default)]
    pub created_by: Option<String>,
    #[serde(default)]
    pub empty_layer: bool,
}

/// One image of `docker save`'s `manifest.json`.
#[derive(Debug, Deserialize)]
pub struct DockerEntry {
    #[serde(rename = "Config")]
    pub config: String,
    #[serde(rename = "RepoTags", default)]
    pub repo_tags: Option<Vec<String>>,
    #[serde(rename = "Layers", default)]
    pub layers: Vec<String>,
}

/// The hex of a `sha256:HEX` digest, when it is one (64 lowercase hex digits).
pub fn sha256_hex(digest: &str) -> Option<&str> {
    let hex = digest.strip_prefix("sha256:")?;
    (hex.len() == 64 && hex.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))).then_some(hex)
}

/// Splits an image reference into name and tag: `localhost:5000/app:1` →
/// (`localhost:5000/app`, `1`); a `@sha256:...` suffix is dropped.
pub fn split_reference(reference: &str) -> (String, Option<String>) {
    let base = reference.split('@').next().unwrap_or(reference);
    match base.rsplit_once(':') {
        Some((name, tag)) if !tag.contains('/') && !name.is_empty() && !tag.is_empty() => {
            (name.to_string(), Some(tag.to_string()))
        }
        _ => (base.to_string(), None),
    }
}

/// True when `s` is a bare tag (`latest`, `1.2-slim`), as the OCI layout's
/// `org.opencontainers.image.ref.name` often is, rather than a full reference.
pub fn is_bare_tag(s: &str) -> bool {
    let mut bytes = s.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric() || b == b'_')
        && s.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

/// Name and tag from a descriptor's annotations, when it carries them.
pub fn name_from_annotations(
    annotations: &BTreeMap<String, String>,
) -> Option<(Option<String>, Option<String>)> {
    if let Some(full) = annotations.get("io.containerd.image.name") {
        let (name, tag) = split_reference(full);
        return Some((Some(name), tag));
    }
    let reference = annotations.get("org.opencontainers.image.ref.name")?;
    if is_bare_tag(reference) {
        return Some((None, Some(reference.clone())));
    }
    let (name, tag) = split_reference(reference);
    Some((Some(name), tag))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_split_at_the_tag_only() {
        let cases = [
            ("debian:bookworm", ("debian", Some("bookworm"))),
            ("localhost:5000/app:1", ("localhost:5000/app", Some("1"))),
            ("localhost:5000/app", ("localhost:5000/app", None)),
            ("ghcr.io/org/app", ("ghcr.io/org/app", None)),
            (
                "docker.io/library/alpine:3.20@sha256:0000",
                ("docker.io/library/alpine", Some("3.20")),
            ),
        ];
        for (input, (name, tag)) in cases {
            let (n, t) = split_reference(input);
            assert_eq!((n.as_str(), t.as_deref()), (name, tag), "{input}");
        }
    }

    #[test]
    fn ref_name_annotation_is_a_tag_or_a_reference() {
        let mut a = BTreeMap::new();
        a.insert(
            "org.opencontainers.image.ref.name".to_string(),
            "latest".to_string(),
        );
        assert_eq!(
            name_from_annotations(&a),
            Some((None, Some("latest".to_string())))
        );
        a.insert(
            "org.opencontainers.image.ref.name".to_string(),
            "example.invalid:5000/team/app:2".to_string(),
        );
        assert_eq!(
            name_from_annotations(&a),
            Some((
                Some("example.invalid:5000/team/app".to_string()),
                Some("2".to_string())
            ))
        );
        a.insert(
            "io.containerd.image.name".to_string(),
            "docker.io/library/debian:12".to_string(),
        );
        assert_eq!(
            name_from_annotations(&a),
            Some((
                Some("docker.io/library/debian".to_string()),
                Some("12".to_string())
            ))
        );
    }

    #[test]
    fn platforms_parse_and_match() {
        assert_eq!(Wanted::parse("linux"), None);
        assert_eq!(Wanted::parse("linux//v8"), None);
        assert_eq!(Wanted::parse("a/b/c/d"), None);
        let w = Wanted::parse("linux/arm64").unwrap();
        let p = Platform {
            os: "linux".into(),
            architecture: "arm64".into(),
            variant: Some("v8".into()),
        };
        assert!(p.matches(&w));
        assert!(p.matches(&Wanted::parse("linux/arm64/v8").unwrap()));
        assert!(!p.matches(&Wanted::parse("linux/arm64/v7").unwrap()));
        assert_eq!(p.display(), "linux/arm64/v8");
    }

    #[test]
    fn history_skips_empty_layers() {
        let c: Config = serde_json::from_str(
            r#"{"os":"linux","architecture":"amd64","rootfs":{"type":"layers","diff_ids":["sha256:a"]},
            "history":[{"created_by":"ENV A=1","empty_layer":true},{"created_by":"ADD x /"}]}"#,
        )
        .unwrap();
        assert_eq!(c.layer_history(), vec![Some("ADD x /".to_string())]);
        assert_eq!(c.diff_ids(), ["sha256:a"]);
        assert_eq!(sha256_hex("sha256:a"), None);
        assert_eq!(
            sha256_hex(&format!("sha256:{}", "0".repeat(64))).map(str::len),
            Some(64)
        );
    }
}
