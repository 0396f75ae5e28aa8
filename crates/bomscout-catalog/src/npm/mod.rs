//! npm: `package-lock.json` / `npm-shrinkwrap.json`, a project's `package.json`, and the
//! `package.json` of installed packages under `node_modules`.
//!
//! Helpers here are what all three share: scoped names, the `license` field in its three
//! historical shapes, SRI `integrity` strings, and telling a registry tarball from a git or
//! other URL by the shape of the `resolved` URL (never by its host).

pub mod installed;
pub mod package_json;
pub mod package_lock;

use base64::Engine;
use bomscout_core::{Component, Ecosystem, Hash, HashAlg, License, PurlError};
use serde_json::{Map, Value};

/// `@scope/name` → `(Some("@scope"), "name")`; `name` → `(None, "name")`.
pub fn split_name(full: &str) -> (Option<&str>, &str) {
    match full.strip_prefix('@').and_then(|rest| rest.split_once('/')) {
        Some((scope, name)) => (full.get(..scope.len() + 1), name),
        None => (None, full),
    }
}

/// The licenses a manifest declares: `"license": "MIT"`, `"license": {"type": "MIT"}`, or
/// the legacy `"licenses": ["MIT", {"type": "BSD"}]`, each with the field it came from.
pub fn licenses(doc: &Map<String, Value>, path: &str) -> Vec<License> {
    let mut out = Vec::new();
    match doc.get("license") {
        Some(Value::String(s)) if !s.trim().is_empty() => {
            out.push(License::declared(s, path, "license"));
        }
        Some(Value::Object(o)) => {
            if let Some(Value::String(s)) = o.get("type") {
                out.push(License::declared(s, path, "license.type"));
            }
        }
        _ => {}
    }
    if let Some(Value::Array(items)) = doc.get("licenses") {
        for (i, item) in items.iter().enumerate() {
            match item {
                Value::String(s) => out.push(License::declared(s, path, &format!("licenses[{i}]"))),
                Value::Object(o) => {
                    if let Some(Value::String(s)) = o.get("type") {
                        out.push(License::declared(s, path, &format!("licenses[{i}].type")));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

/// The hashes of an SRI `integrity` value (`sha512-<base64> sha1-<base64>`), as hex.
pub fn integrity_hashes(integrity: &str) -> Vec<Hash> {
    integrity_hash_iter(integrity).collect()
}

/// [`integrity_hashes`] one at a time: one allocation per hash (its hex string), the
/// digest decoded on the stack.
pub fn integrity_hash_iter(integrity: &str) -> impl Iterator<Item = Hash> + '_ {
    integrity.split_whitespace().filter_map(|sri| {
        let (alg, b64) = sri.split_once('-')?;
        let b64 = b64.split('?').next().unwrap_or(b64);
        let alg = sri_alg(alg)?;
        // Longer than any digest: a value that does not fit is not one (`Hash::hex` would
        // refuse its length), and is refused here without decoding it.
        let mut digest = [0u8; 96];
        let len = base64::engine::general_purpose::STANDARD
            .decode_slice(b64, &mut digest)
            .ok()?;
        let digest = digest.get(..len)?;
        (len == digest_len(alg)).then(|| Hash {
            alg,
            value: lower_hex(digest),
        })
    })
}

/// The algorithm of an SRI hash: the names npm writes without `HashAlg::from_name`'s
/// normalization (which allocates), any other through it.
fn sri_alg(name: &str) -> Option<HashAlg> {
    match name {
        "sha512" => Some(HashAlg::Sha512),
        "sha1" => Some(HashAlg::Sha1),
        "sha256" => Some(HashAlg::Sha256),
        "sha384" => Some(HashAlg::Sha384),
        _ => HashAlg::from_name(name),
    }
}

/// Bytes in a digest of `alg`: what `Hash::hex` requires of a hex value (twice this many
/// digits); `digest_lengths_match_hash_hex` keeps the two in step.
fn digest_len(alg: HashAlg) -> usize {
    match alg {
        HashAlg::Md5 => 16,
        HashAlg::Sha1 => 20,
        HashAlg::Sha256 | HashAlg::Blake2b256 => 32,
        HashAlg::Sha384 => 48,
        HashAlg::Sha512 => 64,
    }
}

/// `bytes` as lowercase hex, in one allocation (this runs once per locked package).
fn lower_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(bytes.len() * 2);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    out
}

/// A resolved package, its purl qualified when `resolved` is not a registry tarball: a git
/// source gets `vcs_url`, any other URL `download_url`.
///
/// A registry tarball is recognized by shape: an `http(s)` URL whose path ends in
/// `/-/<name>-<version>.tgz`, which is how every npm registry lays out tarballs.
pub fn component(
    full_name: &str,
    version: &str,
    resolved: Option<&str>,
) -> Result<Component, PurlError> {
    let (ns, name) = split_name(full_name);
    let qualifier = resolved.and_then(|url| source_qualifier(name, version, url));
    match &qualifier {
        Some((k, v)) => Component::with_qualifiers(Ecosystem::Npm, ns, name, version, &[(k, v)]),
        None => Component::new(Ecosystem::Npm, ns, name, version),
    }
}

fn source_qualifier(name: &str, version: &str, url: &str) -> Option<(&'static str, String)> {
    let is_git = ["git+", "git://", "github:", "gitlab:", "bitbucket:"]
        .iter()
        .any(|p| url.starts_with(p));
    if is_git {
        return Some(("vcs_url", url.to_string()));
    }
    // The path ends in `/-/{name}-{version}.tgz`, taken apart from the end (no string
    // built per package).
    let registry_tarball = (url.starts_with("https://") || url.starts_with("http://"))
        && url
            .split(['?', '#'])
            .next()
            .and_then(|u| u.strip_suffix(".tgz"))
            .and_then(|u| u.strip_suffix(version))
            .and_then(|u| u.strip_suffix('-'))
            .and_then(|u| u.strip_suffix(name))
            .is_some_and(|u| u.ends_with("/-/"));
    (!registry_tarball).then(|| ("download_url", url.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn scoped_names() {
        assert_eq!(split_name("@babel/core"), (Some("@babel"), "core"));
        assert_eq!(split_name("lodash"), (None, "lodash"));
        assert_eq!(split_name("@broken"), (None, "@broken"));
    }

    #[test]
    fn license_shapes() {
        let l = licenses(
            json!({"license": {"type": "MIT", "url": "x"}})
                .as_object()
                .unwrap(),
            "p",
        );
        assert_eq!(
            (l[0].raw.as_str(), l[0].source.field.as_str()),
            ("MIT", "license.type")
        );
        let l = licenses(
            json!({"licenses": ["MIT", {"type": "Apache-2.0"}]})
                .as_object()
                .unwrap(),
            "p",
        );
        assert_eq!(l.len(), 2);
        assert_eq!(l[1].source.field, "licenses[1].type");
        assert!(licenses(json!({"license": 5}).as_object().unwrap(), "p").is_empty());
    }

    #[test]
    fn lower_hex_matches_the_formatter() {
        let bytes: Vec<u8> = (0..=255).collect();
        let expected: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(lower_hex(&bytes), expected);
        assert_eq!(lower_hex(&[]), "");
    }

    #[test]
    fn integrity_is_decoded_to_hex() {
        let h = integrity_hashes("sha1-3uQ6JXzRdQ1X6L+OfDUb8FNEIhw= sha512-!!!");
        assert_eq!(h.len(), 1);
        assert_eq!(h[0].alg, HashAlg::Sha1);
        assert_eq!(h[0].value, "dee43a257cd1750d57e8bf8e7c351bf05344221c");
    }

    #[test]
    fn digest_lengths_match_hash_hex() {
        for alg in [
            HashAlg::Md5,
            HashAlg::Sha1,
            HashAlg::Sha256,
            HashAlg::Sha384,
            HashAlg::Sha512,
            HashAlg::Blake2b256,
        ] {
            let n = digest_len(alg);
            assert!(Hash::hex(alg, &"ab".repeat(n)).is_some(), "{alg:?}");
            assert!(Hash::hex(alg, &"ab".repeat(n - 1)).is_none(), "{alg:?}");
            assert!(Hash::hex(alg, &"ab".repeat(n + 1)).is_none(), "{alg:?}");
        }
    }

    #[test]
    fn integrity_matches_the_general_decoder() {
        use base64::Engine;
        let b64 = |n: usize| base64::engine::general_purpose::STANDARD.encode(vec![0xa5u8; n]);
        let cases = [
            format!("sha512-{} sha1-{}", b64(64), b64(20)),
            format!("SHA-256-{}", b64(32)),
            format!("sha512-{}?opt", b64(64)),
            format!("sha512-{}", b64(63)),
            format!("sha512-{}", b64(65)),
            format!("sha512-{}", b64(200)),
            "md5-!!! sha1-".to_string(),
            format!("blake2b256-{}  sha384-{}", b64(32), b64(48)),
        ];
        for case in cases {
            let general: Vec<Hash> = case
                .split_whitespace()
                .filter_map(|sri| {
                    let (alg, b64) = sri.split_once('-')?;
                    let b64 = b64.split('?').next().unwrap_or(b64);
                    let bytes = base64::engine::general_purpose::STANDARD.decode(b64).ok()?;
                    Hash::hex(HashAlg::from_name(alg)?, &lower_hex(&bytes))
                })
                .collect();
            assert_eq!(integrity_hashes(&case), general, "{case}");
        }
    }

    #[test]
    fn registry_tarball_shape_without_formatting() {
        let url = "https://registry.example.invalid/a-b/-/a-b-1.0.0-rc.1.tgz";
        assert!(source_qualifier("a-b", "1.0.0-rc.1", url).is_none());
        assert!(
            source_qualifier("b", "1.0.0-rc.1", url).is_some(),
            "name must follow /-/"
        );
        assert!(source_qualifier("a-b", "1.0.0", url).is_some());
        assert!(source_qualifier("a-b", "rc.1", url).is_some());
        let query = "https://registry.example.invalid/x/-/x-1.0.0.tgz?token=1#frag";
        assert!(source_qualifier("x", "1.0.0", query).is_none());
        assert!(source_qualifier("x", "1.0.0", "https://h/x-1.0.0.tgz").is_some());
    }

    #[test]
    fn sources_by_shape() {
        let registry = "https://registry.example.invalid/ms/-/ms-2.1.3.tgz";
        assert_eq!(
            component("ms", "2.1.3", Some(registry))
                .unwrap()
                .purl
                .as_str(),
            "pkg:npm/ms@2.1.3"
        );
        let scoped = "https://registry.example.invalid/@babel/core/-/core-7.0.0.tgz";
        assert_eq!(
            component("@babel/core", "7.0.0", Some(scoped))
                .unwrap()
                .purl
                .as_str(),
            "pkg:npm/%40babel/core@7.0.0"
        );
        let git = component("x", "1.0.0", Some("git+ssh://git@example.com/x.git#abc")).unwrap();
        assert!(git.purl.as_str().contains("vcs_url="), "{}", git.purl);
        let other = component("x", "1.0.0", Some("https://example.com/x.tgz")).unwrap();
        assert!(
            other.purl.as_str().contains("download_url="),
            "{}",
            other.purl
        );
    }
}
