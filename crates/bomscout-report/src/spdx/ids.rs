//! Identifiers: SPDXIDs, `LicenseRef-`s and the document namespace.
//!
//! Every identifier is derived from content, never from a counter over an unsorted set or a
//! random number, so the same SBOM always gives the same document.

use std::collections::HashSet;

/// FNV-1a, 128 bits: a content hash for identifiers and the namespace.
///
/// Not cryptographic, and it need not be: it only has to be stable across runs, platforms
/// and Rust versions (which `std`'s `DefaultHasher` does not promise), and collisions are
/// caught by [`IdAllocator`] anyway. A few lines beat a hashing dependency for that.
pub(crate) fn fnv128(bytes: &[u8]) -> u128 {
    let mut h = Fnv128::new();
    h.write(bytes);
    h.finish()
}

/// [`fnv128`] fed in pieces, for digests of many fields without joining them first.
pub(crate) struct Fnv128(u128);

impl Fnv128 {
    pub(crate) fn new() -> Fnv128 {
        Fnv128(0x6c62_272e_07bb_0142_62b8_2175_6295_c58d)
    }

    pub(crate) fn write(&mut self, bytes: &[u8]) {
        const PRIME: u128 = 0x0000_0000_0100_0000_0000_0000_0000_013b;
        self.0 = bytes
            .iter()
            .fold(self.0, |h, &b| (h ^ u128::from(b)).wrapping_mul(PRIME));
    }

    pub(crate) fn finish(&self) -> u128 {
        self.0
    }
}

/// The first `len` (at most 32) lowercase hex digits of the hash of `text`.
pub(crate) fn short_hash(text: &str, len: usize) -> String {
    let mut hex = format!("{:032x}", fnv128(text.as_bytes()));
    hex.truncate(len.min(32));
    hex
}

/// The longest sanitized stem kept in an identifier; the hash suffix keeps it unique.
const MAX_STEM: usize = 64;

/// Keeps what SPDX 2.3 allows after `SPDXRef-` and `LicenseRef-` (`[A-Za-z0-9.-]+`): other
/// characters become `-`, runs of `-` collapse, leading and trailing `-` and `.` go.
/// May return an empty string; callers add a fallback stem.
pub(crate) fn sanitize(text: &str) -> String {
    let mut out = String::with_capacity(text.len().min(MAX_STEM));
    for c in text.chars() {
        let c = if c.is_ascii_alphanumeric() || c == '.' {
            c
        } else {
            '-'
        };
        if c == '-' && (out.is_empty() || out.ends_with('-')) {
            continue;
        }
        out.push(c);
        if out.len() >= MAX_STEM {
            break;
        }
    }
    out.trim_matches(|c| c == '-' || c == '.').to_string()
}

/// Hands out identifiers, guaranteeing uniqueness within one document.
///
/// Candidates already carry a content hash, so a clash is astronomically rare; when one
/// happens anyway, `-2`, `-3` … is appended. Callers feed candidates in a sorted order, so
/// even that fallback is deterministic.
#[derive(Debug, Default)]
pub(crate) struct IdAllocator {
    used: HashSet<String>,
}

impl IdAllocator {
    /// Marks a fixed identifier (`SPDXRef-DOCUMENT`) as taken.
    pub(crate) fn reserve(&mut self, id: &str) {
        self.used.insert(id.to_string());
    }

    /// True if `id` has been handed out or reserved.
    pub(crate) fn is_taken(&self, id: &str) -> bool {
        self.used.contains(id)
    }

    /// A unique identifier: `candidate`, or `candidate-N` if that is taken.
    pub(crate) fn unique(&mut self, candidate: String) -> String {
        let mut id = candidate.clone();
        let mut n = 2u32;
        while self.used.contains(&id) {
            id = format!("{candidate}-{n}");
            n += 1;
        }
        self.used.insert(id.clone());
        id
    }
}

/// `SPDXRef-<prefix>-<sanitized label>-<hash of key>`: readable, stable across documents
/// (it depends only on the element's own key), and valid whatever the label contains.
pub(crate) fn element_id(prefix: &str, label: &str, key: &str) -> String {
    let stem = sanitize(label);
    let hash = short_hash(key, 8);
    let mut id = String::with_capacity(10 + prefix.len() + stem.len() + hash.len());
    for part in [
        "SPDXRef-",
        prefix,
        "-",
        &stem,
        if stem.is_empty() { "" } else { "-" },
        &hash,
    ] {
        id.push_str(part);
    }
    id
}

#[cfg(test)]
/// True if `id` is `SPDXRef-` followed by one or more of `[A-Za-z0-9.-]`.
pub(crate) fn is_valid_spdx_id(id: &str) -> bool {
    id.strip_prefix("SPDXRef-").is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-')
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv128_matches_the_reference_vectors() {
        // From the FNV reference (draft-eastlake-fnv): FNV-1a 128 of "" and "a".
        assert_eq!(fnv128(b""), 0x6c62272e07bb014262b821756295c58d);
        assert_eq!(fnv128(b"a"), 0xd228cb696f1a8caf78912b704e4a8964);
    }

    #[test]
    fn sanitize_keeps_only_the_idstring_alphabet() {
        let cases = [
            (
                "pkg:npm/%40babel/core@7.24.0",
                "pkg-npm-40babel-core-7.24.0",
            ),
            ("Apache Software License", "Apache-Software-License"),
            ("--a__b--", "a-b"),
            ("名前", ""),
            ("...", ""),
            ("v1.0.", "v1.0"),
        ];
        for (input, want) in cases {
            assert_eq!(sanitize(input), want, "{input:?}");
        }
    }

    #[test]
    fn sanitize_bounds_the_length() {
        assert!(sanitize(&"a".repeat(1000)).len() <= MAX_STEM);
    }

    #[test]
    fn element_ids_are_valid_even_for_empty_labels() {
        for label in ["", "名前", "lodash@4.17.21", "a b c"] {
            let id = element_id("Package", label, label);
            assert!(is_valid_spdx_id(&id), "{id}");
        }
    }

    #[test]
    fn allocator_suffixes_clashes_deterministically() {
        let mut ids = IdAllocator::default();
        ids.reserve("SPDXRef-DOCUMENT");
        assert_eq!(ids.unique("SPDXRef-DOCUMENT".into()), "SPDXRef-DOCUMENT-2");
        assert_eq!(ids.unique("SPDXRef-a".into()), "SPDXRef-a");
        assert_eq!(ids.unique("SPDXRef-a".into()), "SPDXRef-a-2");
        assert_eq!(ids.unique("SPDXRef-a".into()), "SPDXRef-a-3");
    }
}
