//! License-file text detection: which SPDX license a LICENSE file's text is, with a
//! confidence score, by n-gram matching against the SPDX license list texts (the spdx
//! crate's askalono-derived detector and its prebuilt store, embedded in the binary).
//!
//! Two questions are asked of a text. *Which license is this?* ([`LicenseText::best`])
//! compares it with every text in the store, several hundred comparisons. *Is this the
//! license the package declares?* ([`LicenseText::check`]) first compares it only with the
//! declared ids' texts and answers from those when one matches: the common case for an
//! installed package costs a handful of comparisons, and the full search runs only when the
//! file says something else.

use spdx::detection::{LicenseEntry, Store, TextData};
use std::sync::OnceLock;

/// The default minimum confidence for a license-file match to count as evidence.
pub const DEFAULT_THRESHOLD: f32 = 0.9;

/// Longer texts are cut to this many bytes before matching: license texts are far shorter,
/// and a huge file must not cost unbounded time.
const MAX_TEXT: usize = 128 * 1024;

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

    /// The license this text is, if one matches with at least `threshold` confidence.
    pub fn best(&self, threshold: f32) -> Option<Detected> {
        let m = store()?.analyze(&self.0);
        (m.score >= threshold && spdx::license_id(m.name).is_some()).then(|| Detected {
            id: m.name.to_string(),
            confidence: m.score,
        })
    }

    /// How well this text matches the license `id` (its text or a known variant of it).
    pub fn score(&self, id: &str) -> Option<f32> {
        let entry = entry_of(id)?;
        std::iter::once(&entry.original)
            .chain(&entry.alternates)
            .map(|t| t.match_score(&self.0))
            .max_by(f32::total_cmp)
    }

    /// Whether this text confirms one of `declared` (SPDX ids), at `threshold`.
    pub fn check(&self, declared: &[&str], threshold: f32) -> Finding {
        let best_declared = declared
            .iter()
            .filter_map(|id| Some((*id, self.score(id)?)))
            .max_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((id, confidence)) = best_declared.filter(|(_, s)| *s >= threshold) {
            return Finding::Confirms(Detected {
                id: id.to_string(),
                confidence,
            });
        }
        let Some(d) = self.best(threshold) else {
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

/// The store's entry for `id`. Licenses with identical texts share one entry, named for one
/// of them with the others as aliases (`GPL-3.0-or-later` holds `GPL-3.0-only`): a file's
/// text cannot tell them apart, so matching either counts.
fn entry_of(id: &str) -> Option<&'static LicenseEntry> {
    store()?
        .iter()
        .find(|(name, entry)| *name == id || entry.aliases.iter().any(|a| a == id))
        .map(|(_, entry)| entry)
}

/// True when `a` and `b` are the same text in the store (`GPL-2.0-only`, `GPL-2.0-or-later`).
pub fn same_text(a: &str, b: &str) -> bool {
    a == b || entry_of(a).is_some_and(|e| entry_of(b).is_some_and(|f| std::ptr::eq(e, f)))
}

/// The license `text` is, if it matches one with at least `threshold` confidence.
pub fn detect(text: &str, threshold: f32) -> Option<Detected> {
    LicenseText::new(text)?.best(threshold)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIT: &str = "MIT License\n\nCopyright (c) 2024 Jane Doe\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";

    #[test]
    fn the_mit_text_is_mit() {
        let d = detect(MIT, DEFAULT_THRESHOLD).unwrap();
        assert_eq!(d.id, "MIT");
        assert!(d.confidence > 0.9);
    }

    #[test]
    fn prose_is_not_a_license() {
        assert_eq!(
            detect(
                "This is a README about a parser. Nothing to see here.",
                DEFAULT_THRESHOLD
            ),
            None
        );
        assert_eq!(detect("", DEFAULT_THRESHOLD), None);
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
