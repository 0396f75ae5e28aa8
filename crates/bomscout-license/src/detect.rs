//! License-file text detection: which SPDX license a LICENSE file's text is, with a
//! confidence score, by n-gram matching against the SPDX license list texts (the spdx
//! crate's askalono-derived detector and its prebuilt store, embedded in the binary).

use spdx::detection::{Store, TextData};
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

fn store() -> Option<&'static Store> {
    static STORE: OnceLock<Option<Store>> = OnceLock::new();
    STORE.get_or_init(|| Store::load_inline().ok()).as_ref()
}

/// The license `text` is, if it matches one with at least `threshold` confidence.
pub fn detect(text: &str, threshold: f32) -> Option<Detected> {
    let mut end = text.len().min(MAX_TEXT);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    let text = text[..end].trim();
    if text.is_empty() {
        return None;
    }
    let m = store()?.analyze(&TextData::new(text));
    (m.score >= threshold && spdx::license_id(m.name).is_some()).then(|| Detected {
        id: m.name.to_string(),
        confidence: m.score,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_mit_text_is_mit() {
        let text = "MIT License\n\nCopyright (c) 2024 Jane Doe\n\nPermission is hereby granted, free of charge, to any person obtaining a copy of this software and associated documentation files (the \"Software\"), to deal in the Software without restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.\n\nTHE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n";
        let d = detect(text, DEFAULT_THRESHOLD).unwrap();
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
    }
}
