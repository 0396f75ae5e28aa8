//! License-file text detection: which SPDX license a LICENSE file's text is, with a
//! confidence score, by n-gram matching against the SPDX license list texts (the spdx
//! crate's askalono-derived detector and its prebuilt store, embedded in the binary).
//!
//! Two questions are asked of a text. *Is this the license the package declares?*
//! ([`LicenseText::check`]) compares it with the declared ids' own texts, then with the
//! licenses most packages use. *Which license is this?* ([`LicenseText::best`]), asked only
//! of packages that declare nothing, tries those common licenses, then the whole store.
//! Loading the store costs ~150 ms and ~60 MiB, so a scan loads it only when some package
//! declares no license and its file is not a near-verbatim common one.

use spdx::detection::{Store, TextData};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

/// The default minimum confidence for a license-file match to count as evidence.
pub const DEFAULT_THRESHOLD: f32 = 0.9;

/// Longer texts are cut to this many bytes before matching: license texts are far shorter,
/// and a huge file must not cost unbounded time.
const MAX_TEXT: usize = 128 * 1024;

/// Licenses tried before the store, most used first.
const COMMON: &[&str] = &[
    "MIT",
    "Apache-2.0",
    "ISC",
    "BSD-3-Clause",
    "BSD-2-Clause",
    "BlueOak-1.0.0",
    "0BSD",
    "Unlicense",
    "CC0-1.0",
    "MPL-2.0",
    "Zlib",
    "BSL-1.0",
    "Python-2.0",
    "LGPL-2.1-only",
    "LGPL-3.0-only",
    "GPL-2.0-only",
    "GPL-3.0-only",
    "AGPL-3.0-only",
    "EPL-2.0",
    "CC-BY-4.0",
    "Artistic-2.0",
];

/// How close to a common license's text a file must be to be named without the store:
/// nearly verbatim, so a variant (`BSD-2-Clause-Patent`, `X11`) still goes to the store,
/// which knows it.
const QUICK: f32 = 0.97;

/// A license-file match.
#[derive(Debug, Clone, PartialEq)]
pub struct Detected {
    /// The SPDX id matched.
    pub id: String,
    /// Match score in `0.0..=1.0`.
    pub confidence: f32,
}

/// What a license file says about a package's declared license.
#[derive(Debug, Clone, PartialEq)]
pub enum Finding {
    /// The text is one of the declared licenses.
    Confirms(Detected),
    /// The text is another license than any declared one.
    Differs(Detected),
    /// The text matches no license well enough to say.
    Unrecognized,
}

fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<Store>> = OnceLock::new();
    STORE.get_or_init(|| Store::load_inline().ok()).as_ref()
}

/// The normalized text of the SPDX license `id`, prepared once per process.
fn reference(id: &str) -> Option<&'static TextData> {
    static REFS: OnceLock<Mutex<HashMap<String, Option<&'static TextData>>>> = OnceLock::new();
    let refs = REFS.get_or_init(Mutex::default);
    if let Some(hit) = refs.lock().ok()?.get(id) {
        return *hit;
    }
    // Prepared outside the lock; leaked on purpose: at most one per SPDX id, for the process.
    let data = spdx::license_id(id).map(|l| &*Box::leak(Box::new(TextData::new(l.text()))));
    refs.lock().ok()?.insert(id.to_string(), data);
    data
}

/// A license file's text, normalized once for any number of comparisons.
pub struct LicenseText(TextData);

impl LicenseText {
    /// Prepares `text` (cut to [`MAX_TEXT`] bytes); `None` when it is blank.
    pub fn new(text: &str) -> Option<LicenseText> {
        let mut end = text.len().min(MAX_TEXT);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let text = text[..end].trim();
        (!text.is_empty()).then(|| LicenseText(TextData::new(text)))
    }

    /// The license this text is, if one matches with at least `threshold` confidence: a
    /// near-verbatim common license, else the best match in the whole store.
    pub fn best(&self, threshold: f32) -> Option<Detected> {
        if let Some(d) = self
            .best_of(COMMON)
            .filter(|d| d.confidence >= QUICK.max(threshold))
        {
            return Some(d);
        }
        let m = store()?.analyze(&self.0);
        (m.score >= threshold && spdx::license_id(m.name).is_some()).then(|| Detected {
            id: m.name.to_string(),
            confidence: m.score,
        })
    }

    /// How well this text matches the SPDX text of license `id`; `None` for an unknown id.
    pub fn score(&self, id: &str) -> Option<f32> {
        Some(reference(id)?.match_score(&self.0))
    }

    /// The best match among `ids`, whatever its score.
    fn best_of(&self, ids: &[&str]) -> Option<Detected> {
        ids.iter()
            .filter_map(|id| Some((*id, self.score(id)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .map(|(id, confidence)| Detected {
                id: id.to_string(),
                confidence,
            })
    }

    /// Whether this text confirms one of `declared` (SPDX ids), at `threshold`. With no
    /// declared license this is [`LicenseText::best`]. With one, a text that is not it is
    /// named only when it is a near-verbatim common license: checking a declaration never
    /// loads the whole store, so an installed tree whose packages all declare a license
    /// costs no more than their own few comparisons each.
    pub fn check(&self, declared: &[&str], threshold: f32) -> Finding {
        if let Some(d) = self.best_of(declared).filter(|d| d.confidence >= threshold) {
            return Finding::Confirms(d);
        }
        let found = if declared.is_empty() {
            self.best(threshold)
        } else {
            self.best_of(COMMON)
                .filter(|d| d.confidence >= QUICK.max(threshold))
        };
        let Some(d) = found else {
            return Finding::Unrecognized;
        };
        match declared.iter().find(|id| same_text(&d.id, id)) {
            // Named as declared: the text cannot say `-only` from `-or-later`.
            Some(id) => Finding::Confirms(Detected {
                id: id.to_string(),
                confidence: d.confidence,
            }),
            None => Finding::Differs(d),
        }
    }
}

/// True when `a` and `b` are one license text: the same id, or the same GNU-style license
/// with another version clause (`GPL-3.0-only`, `GPL-3.0-or-later`, `GPL-3.0+`, `GPL-3.0`),
/// which the text itself cannot tell apart.
pub fn same_text(a: &str, b: &str) -> bool {
    fn base(id: &str) -> &str {
        id.strip_suffix("-only")
            .or_else(|| id.strip_suffix("-or-later"))
            .or_else(|| id.strip_suffix('+'))
            .unwrap_or(id)
    }
    a == b || base(a) == base(b)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIT: &str = "MIT License\n\nCopyright (c) 2024 Jane Doe\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

    #[test]
    fn the_mit_text_is_mit() {
        let d = LicenseText::new(MIT)
            .unwrap()
            .best(DEFAULT_THRESHOLD)
            .unwrap();
        assert_eq!(d.id, "MIT");
        assert!(d.confidence > 0.9);
    }

    #[test]
    fn prose_is_not_a_license() {
        let prose = LicenseText::new("This is a README about a parser. Nothing to see here.");
        assert_eq!(prose.unwrap().best(DEFAULT_THRESHOLD), None);
        assert!(LicenseText::new("").is_none());
        assert!(LicenseText::new(" \n\t ").is_none());
    }

    #[test]
    fn a_declared_license_is_confirmed_by_its_text() {
        let text = LicenseText::new(MIT).unwrap();
        match text.check(&["Apache-2.0", "MIT"], DEFAULT_THRESHOLD) {
            Finding::Confirms(d) => assert_eq!(d.id, "MIT"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_text_of_another_license_differs() {
        let text = LicenseText::new(MIT).unwrap();
        match text.check(&["GPL-3.0-only"], DEFAULT_THRESHOLD) {
            Finding::Differs(d) => assert_eq!(d.id, "MIT"),
            other => panic!("{other:?}"),
        }
        assert!(text.score("GPL-3.0-only").unwrap() < 0.5);
        assert_eq!(text.score("NotAnId"), None);
    }

    #[test]
    fn only_and_or_later_share_a_text() {
        assert!(same_text("GPL-3.0-only", "GPL-3.0-or-later"));
        assert!(same_text("LGPL-2.1-only", "LGPL-2.1-or-later"));
        assert!(!same_text("GPL-2.0-only", "GPL-3.0-only"));
        assert!(same_text("MIT", "MIT"));
    }

    #[test]
    fn an_unrecognizable_text_says_so() {
        let text = LicenseText::new("All rights reserved. Ask us before you use this.").unwrap();
        assert_eq!(
            text.check(&["MIT"], DEFAULT_THRESHOLD),
            Finding::Unrecognized
        );
    }
}
