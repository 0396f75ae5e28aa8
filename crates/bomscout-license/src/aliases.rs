//! The alias table: common non-SPDX spellings of licenses in npm, PyPI and Cargo metadata,
//! each mapped to the SPDX expression it means.
//!
//! Keys are compared after [`key`]: lowercase, punctuation to spaces, and the filler words
//! `the`, `license`, `licence`, `version` dropped, so `Apache License, Version 2.0`,
//! `apache-2.0 license` and `The Apache 2.0 License` all meet at `apache 2.0`.
//!
//! Judgement calls, each documented here because a reviewer will ask:
//! - `BSD` and `BSD License` mean BSD-3-Clause: PyPI's "BSD License" classifier and bare
//!   "BSD" name the 3-clause ("new") text far more often than the 2-clause one, and
//!   ScanCode maps them the same way. The mapping is recorded on the license, so a policy
//!   reviewer sees it.
//! - `UNLICENSED` is npm's word for "not licensed for use by others" (proprietary). It is
//!   *not* the Unlicense, and becomes `LicenseRef-UNLICENSED`.
//! - `Public Domain` has no SPDX id; it becomes `LicenseRef-Public-Domain`.
//! - A version-less `GPL`, `LGPL` or `MIT-style` is not mapped: the version (or the exact
//!   text) matters and is not known, so it stays an unparsed name for a human to decide.

/// `(normalized key, SPDX expression)`. Every expression is a valid strict SPDX expression
/// (a test checks each one).
pub const ALIASES: &[(&str, &str)] = &[
    ("0bsd", "0BSD"),
    ("agpl 3", "AGPL-3.0-only"),
    ("agpl 3.0", "AGPL-3.0-only"),
    ("agpl v3", "AGPL-3.0-only"),
    ("agplv3", "AGPL-3.0-only"),
    ("agplv3+", "AGPL-3.0-or-later"),
    ("apache", "Apache-2.0"),
    ("apache 2", "Apache-2.0"),
    ("apache 2.0", "Apache-2.0"),
    ("apache software", "Apache-2.0"),
    ("apache software 2.0", "Apache-2.0"),
    ("apache v2", "Apache-2.0"),
    ("apache2", "Apache-2.0"),
    ("apache2.0", "Apache-2.0"),
    ("artistic 2", "Artistic-2.0"),
    ("artistic 2.0", "Artistic-2.0"),
    ("asl 2.0", "Apache-2.0"),
    ("boost", "BSL-1.0"),
    ("boost software 1.0", "BSL-1.0"),
    ("bsd", "BSD-3-Clause"),
    ("bsd 2 clause", "BSD-2-Clause"),
    ("bsd 3 clause", "BSD-3-Clause"),
    ("bsd new", "BSD-3-Clause"),
    ("bsd simplified", "BSD-2-Clause"),
    ("cc0", "CC0-1.0"),
    ("cc0 1.0", "CC0-1.0"),
    ("cc0 1.0 universal", "CC0-1.0"),
    ("dual mit apache 2.0", "MIT OR Apache-2.0"),
    ("eclipse public 1.0", "EPL-1.0"),
    ("eclipse public 2.0", "EPL-2.0"),
    ("epl 1.0", "EPL-1.0"),
    ("epl 2.0", "EPL-2.0"),
    ("expat", "MIT"),
    ("freebsd", "BSD-2-Clause"),
    ("gnu agpl v3", "AGPL-3.0-only"),
    ("gnu gpl v2", "GPL-2.0-only"),
    ("gnu gpl v3", "GPL-3.0-only"),
    ("gnu lgpl v3", "LGPL-3.0-only"),
    ("gpl 2", "GPL-2.0-only"),
    ("gpl 2.0", "GPL-2.0-only"),
    ("gpl 3", "GPL-3.0-only"),
    ("gpl 3.0", "GPL-3.0-only"),
    ("gpl v2", "GPL-2.0-only"),
    ("gpl v3", "GPL-3.0-only"),
    ("gpl2", "GPL-2.0-only"),
    ("gpl3", "GPL-3.0-only"),
    ("gplv2", "GPL-2.0-only"),
    ("gplv2+", "GPL-2.0-or-later"),
    ("gplv3", "GPL-3.0-only"),
    ("gplv3+", "GPL-3.0-or-later"),
    ("isc", "ISC"),
    ("iscl", "ISC"),
    ("lgpl 2.1", "LGPL-2.1-only"),
    ("lgpl 3", "LGPL-3.0-only"),
    ("lgpl 3.0", "LGPL-3.0-only"),
    ("lgplv2.1", "LGPL-2.1-only"),
    ("lgplv3", "LGPL-3.0-only"),
    ("lgplv3+", "LGPL-3.0-or-later"),
    ("mit", "MIT"),
    ("mit 0", "MIT-0"),
    ("mit apache 2.0", "MIT OR Apache-2.0"),
    ("mit mit", "MIT"),
    ("mit no attribution", "MIT-0"),
    ("modified bsd", "BSD-3-Clause"),
    ("mozilla public 2.0", "MPL-2.0"),
    ("mpl 1.1", "MPL-1.1"),
    ("mpl 2", "MPL-2.0"),
    ("mpl 2.0", "MPL-2.0"),
    ("mpl v2", "MPL-2.0"),
    ("mpl2", "MPL-2.0"),
    ("new bsd", "BSD-3-Clause"),
    ("ofl 1.1", "OFL-1.1"),
    ("psf", "PSF-2.0"),
    ("psf 2.0", "PSF-2.0"),
    ("psfl", "PSF-2.0"),
    ("public domain", "LicenseRef-Public-Domain"),
    ("python software foundation", "PSF-2.0"),
    ("revised bsd", "BSD-3-Clause"),
    ("simplified bsd", "BSD-2-Clause"),
    ("unlicense", "Unlicense"),
    ("unlicensed", "LicenseRef-UNLICENSED"),
    ("wtfpl", "WTFPL"),
    ("zlib", "Zlib"),
    ("zlib libpng", "Zlib"),
    ("zope public 2.1", "ZPL-2.1"),
    ("zpl 2.1", "ZPL-2.1"),
];

/// Words that carry no meaning for matching.
const FILLER: &[&str] = &["the", "license", "licence", "licensed", "version", "under"];

/// Normalizes a license name for matching: lowercase, every character other than a letter,
/// digit, `.` or `+` becomes a space, filler words dropped, spaces collapsed. A `v` before a
/// version number stays glued to its word (`GPLv3`), and `3-Clause BSD` meets `BSD 3-Clause`
/// through the table having both orders.
pub fn key(name: &str) -> String {
    let lowered: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '.' || c == '+' {
                c.to_ascii_lowercase()
            } else {
                ' '
            }
        })
        .collect();
    let words: Vec<&str> = lowered
        .split_whitespace()
        .map(|w| w.trim_end_matches('.'))
        .filter(|w| !w.is_empty() && !FILLER.contains(w))
        .collect();
    let joined = words.join(" ");
    // "3 clause bsd" and "2 clause bsd" are common word orders of the BSD names.
    match joined.as_str() {
        "3 clause bsd" => "bsd 3 clause".to_string(),
        "2 clause bsd" => "bsd 2 clause".to_string(),
        _ => joined,
    }
}

/// The alias entry for `name`: `(key, expression)`.
pub fn lookup(name: &str) -> Option<(&'static str, &'static str)> {
    let k = key(name);
    ALIASES
        .binary_search_by(|(alias, _)| alias.cmp(&k.as_str()))
        .ok()
        .map(|i| ALIASES[i])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_is_sorted_unique_and_every_expression_is_strict_spdx() {
        for pair in ALIASES.windows(2) {
            assert!(pair[0].0 < pair[1].0, "not sorted/unique: {:?}", pair);
        }
        for (k, expr) in ALIASES {
            assert_eq!(key(k), *k, "keys are stored normalized: {k}");
            assert!(
                spdx::Expression::parse_mode(expr, spdx::ParseMode::STRICT).is_ok(),
                "{k} -> {expr}"
            );
        }
    }
}
