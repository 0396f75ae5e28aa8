//! Debian's `usr/share/doc/<package>/copyright` files, as license evidence of a dpkg
//! package.
//!
//! A machine-readable file (DEP-5: its first field is `Format:` with a URL naming
//! `copyright-format/1.0`) is a series of stanzas; the `License:` field of every `Files:`
//! stanza (its first line: the short names, `GPL-2+ or Artistic`) is summarized into one
//! SPDX expression, the `AND` of the distinct licenses, each stanza's own `or`/`and`
//! kept (a comma before `and`/`or` lowers its precedence, as DEP-5 says). Debian's short
//! names are mapped to SPDX ids by [`DEBIAN_NAMES`]; a name that is already an SPDX id is
//! kept; any other becomes `LicenseRef-debian-<name>` (made safe: `+` becomes `-plus`,
//! other characters `-`), so the expression stays valid and the name stays visible. A
//! `with <X> exception` clause maps to an SPDX exception when [`EXCEPTIONS`] knows it, and
//! otherwise folds into the license's `LicenseRef-` name. With no `Files:` stanza, the
//! header's `License:` is used. `Copyright:` fields become the component's copyright
//! statements.
//!
//! Any other copyright file goes through the license-text detector, as a license file
//! (see [`crate::license_files`]).

use bomscout_core::{Component, License};

/// Debian short license names (DEP-5 §7.1 and common practice) and their SPDX expressions.
/// Matched case-insensitively. `Artistic` is Perl's Artistic License, the one Debian ships
/// in `common-licenses`; `Perl` is Perl's dual license; `public-domain` is no license and
/// has no SPDX id, so it is kept as a named reference.
pub const DEBIAN_NAMES: &[(&str, &str)] = &[
    ("AGPL-3", "AGPL-3.0-only"),
    ("AGPL-3+", "AGPL-3.0-or-later"),
    ("Apache-1.0", "Apache-1.0"),
    ("Apache-1.1", "Apache-1.1"),
    ("Apache-2", "Apache-2.0"),
    ("Apache-2.0", "Apache-2.0"),
    ("Artistic", "Artistic-1.0-Perl"),
    ("Artistic-1.0", "Artistic-1.0"),
    ("Artistic-2.0", "Artistic-2.0"),
    ("BSD-2-clause", "BSD-2-Clause"),
    ("BSD-3-clause", "BSD-3-Clause"),
    ("BSD-4-clause", "BSD-4-Clause"),
    ("BSL-1.0", "BSL-1.0"),
    ("Boost-1.0", "BSL-1.0"),
    ("CC-BY-3.0", "CC-BY-3.0"),
    ("CC-BY-4.0", "CC-BY-4.0"),
    ("CC-BY-SA-3.0", "CC-BY-SA-3.0"),
    ("CC-BY-SA-4.0", "CC-BY-SA-4.0"),
    ("CC0", "CC0-1.0"),
    ("CC0-1.0", "CC0-1.0"),
    ("Expat", "MIT"),
    ("FSFAP", "FSFAP"),
    ("FSFUL", "FSFUL"),
    ("FSFULLR", "FSFULLR"),
    ("GFDL-1.2", "GFDL-1.2-only"),
    ("GFDL-1.2+", "GFDL-1.2-or-later"),
    ("GFDL-1.3", "GFDL-1.3-only"),
    ("GFDL-1.3+", "GFDL-1.3-or-later"),
    ("GFDL-NIV-1.2+", "GFDL-1.2-no-invariants-or-later"),
    ("GFDL-NIV-1.3", "GFDL-1.3-no-invariants-only"),
    ("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later"),
    ("GPL", "GPL-1.0-or-later"),
    ("GPL-1", "GPL-1.0-only"),
    ("GPL-1+", "GPL-1.0-or-later"),
    ("GPL-2", "GPL-2.0-only"),
    ("GPL-2+", "GPL-2.0-or-later"),
    ("GPL-3", "GPL-3.0-only"),
    ("GPL-3+", "GPL-3.0-or-later"),
    ("ISC", "ISC"),
    ("LGPL", "LGPL-2.0-or-later"),
    ("LGPL-2", "LGPL-2.0-only"),
    ("LGPL-2+", "LGPL-2.0-or-later"),
    ("LGPL-2.1", "LGPL-2.1-only"),
    ("LGPL-2.1+", "LGPL-2.1-or-later"),
    ("LGPL-3", "LGPL-3.0-only"),
    ("LGPL-3+", "LGPL-3.0-or-later"),
    ("MIT", "MIT"),
    ("MPL-1.1", "MPL-1.1"),
    ("MPL-2.0", "MPL-2.0"),
    ("OpenSSL", "OpenSSL"),
    ("Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later"),
    ("PSF-2", "PSF-2.0"),
    ("Python", "Python-2.0"),
    ("public-domain", "LicenseRef-public-domain"),
    ("X11", "X11"),
    ("Zlib", "Zlib"),
    ("Zope-2.1", "ZPL-2.1"),
];

/// `with <name> exception` clauses and their SPDX exception ids (matched case-insensitively
/// on `<name>`).
pub const EXCEPTIONS: &[(&str, &str)] = &[
    ("Autoconf", "Autoconf-exception-3.0"),
    ("Autoconf-2.0", "Autoconf-exception-2.0"),
    ("Bison", "Bison-exception-2.2"),
    ("Classpath", "Classpath-exception-2.0"),
    ("Font", "Font-exception-2.0"),
    ("GCC", "GCC-exception-3.1"),
    ("GCC-3.1", "GCC-exception-3.1"),
    ("Libtool", "Libtool-exception"),
    ("LLVM", "LLVM-exception"),
];

/// Longest `License:` line looked at; past this a stanza's license is not a short name.
const MAX_LICENSE_LINE: usize = 1000;

/// True for a machine-readable (DEP-5) copyright file: its first non-blank line is a
/// `Format:` field naming `copyright-format/1.0`.
pub fn is_machine_readable(text: &str) -> bool {
    text.lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .is_some_and(|l| {
            l.get(..7)
                .is_some_and(|k| k.eq_ignore_ascii_case("format:"))
                && l.contains("copyright-format/1.0")
        })
}

/// One stanza's fields, continuation lines joined with `\n`.
type Stanza = Vec<(String, String)>;

fn stanzas(text: &str) -> Vec<Stanza> {
    let mut out: Vec<Stanza> = Vec::new();
    let mut current: Stanza = Vec::new();
    for line in text.lines() {
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
            continue;
        }
        if line.starts_with([' ', '\t']) {
            if let Some((_, v)) = current.last_mut() {
                v.push('\n');
                v.push_str(line.trim());
            }
            continue;
        }
        if let Some((k, v)) = line.split_once(':') {
            current.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}

fn field<'a>(stanza: &'a Stanza, key: &str) -> Option<&'a str> {
    stanza
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v.as_str())
}

/// What a machine-readable copyright file says: the SPDX expression summarizing its
/// licenses (`None` when no stanza names one) and its copyright statements.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    /// The `AND` of the distinct licenses of the `Files:` stanzas.
    pub expression: Option<String>,
    /// Each `Copyright:` line, whitespace-normalized, in order, each once.
    pub copyrights: Vec<String>,
}

/// Summarizes a machine-readable copyright file (see the module docs).
pub fn summarize(text: &str) -> Summary {
    let all = stanzas(text);
    let files: Vec<&Stanza> = all.iter().filter(|s| field(s, "Files").is_some()).collect();
    let sources: Vec<&Stanza> = if files.is_empty() {
        all.iter().take(1).collect()
    } else {
        files
    };
    let mut terms: Vec<String> = Vec::new();
    let mut copyrights: Vec<String> = Vec::new();
    for stanza in &sources {
        if let Some(short) = field(stanza, "License").and_then(|v| v.lines().next()) {
            if let Some(expr) = expression(short) {
                for term in top_level_and(&expr) {
                    if !terms.contains(&term) {
                        terms.push(term);
                    }
                }
            }
        }
        for line in field(stanza, "Copyright").into_iter().flat_map(str::lines) {
            // Whitespace-normalized, as every copyright statement in the model is.
            let line = line.split_whitespace().collect::<Vec<_>>().join(" ");
            if !line.is_empty() && line != "." && !copyrights.contains(&line) {
                copyrights.push(line);
            }
        }
    }
    terms.sort();
    let expression = (!terms.is_empty()).then(|| {
        if terms.len() == 1 {
            terms.remove(0)
        } else {
            terms
                .iter()
                .map(|t| parenthesize(t))
                .collect::<Vec<_>>()
                .join(" AND ")
        }
    });
    Summary {
        expression,
        copyrights,
    }
}

/// A stanza's short-name line as an SPDX expression.
pub fn expression(line: &str) -> Option<String> {
    let line = line.trim();
    if line.is_empty() || line.len() > MAX_LICENSE_LINE {
        return None;
    }
    // A comma before `and` / `or` groups what precedes it (DEP-5 §7.2).
    if let Some((left, op, right)) = split_comma(line) {
        let l = expression(left)?;
        let r = expression(right)?;
        return Some(format!("{} {op} {}", parenthesize(&l), parenthesize(&r)));
    }
    let words: Vec<&str> = line.split_whitespace().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while let Some(word) = words.get(i) {
        match word.to_ascii_lowercase().as_str() {
            "or" => out.push("OR".into()),
            "and" => out.push("AND".into()),
            _ => {
                let mut id = spdx_name(word.trim_end_matches(','));
                // `with X exception`
                if words
                    .get(i + 1)
                    .is_some_and(|w| w.eq_ignore_ascii_case("with"))
                {
                    let mut j = i + 2;
                    let mut name = Vec::new();
                    while let Some(w) = words.get(j) {
                        j += 1;
                        if w.eq_ignore_ascii_case("exception") {
                            break;
                        }
                        name.push(*w);
                    }
                    let name = name.join("-");
                    id = match EXCEPTIONS
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(&name))
                    {
                        Some((_, ex)) if !id.contains(' ') => format!("{id} WITH {ex}"),
                        _ => license_ref(&format!("{word}-with-{name}-exception")),
                    };
                    i = j - 1;
                }
                out.push(id);
            }
        }
        i += 1;
    }
    // Operators must alternate with operands.
    let well_formed = out.len() % 2 == 1
        && out
            .iter()
            .enumerate()
            .all(|(k, t)| (k % 2 == 1) == (t == "OR" || t == "AND"));
    if !well_formed {
        return Some(license_ref(line));
    }
    Some(
        out.iter()
            .map(|t| {
                if t.contains(" OR ") {
                    format!("({t})")
                } else {
                    t.clone()
                }
            })
            .collect::<Vec<_>>()
            .join(" "),
    )
}

/// `left, and right` / `left, or right`, split at the last such comma.
fn split_comma(line: &str) -> Option<(&str, &'static str, &str)> {
    let lower = line.to_ascii_lowercase();
    let (i, op, len) = [(", and ", "AND"), (", or ", "OR")]
        .iter()
        .filter_map(|(sep, op)| lower.rfind(sep).map(|i| (i, *op, sep.len())))
        .max_by_key(|(i, _, _)| *i)?;
    Some((line.get(..i)?, op, line.get(i + len..)?))
}

/// One Debian short name as SPDX: the table, an SPDX id as is, else a `LicenseRef-`.
pub fn spdx_name(name: &str) -> String {
    if let Some((_, spdx)) = DEBIAN_NAMES
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(name))
    {
        return spdx.to_string();
    }
    if let Some(id) = gnu(name) {
        return id;
    }
    let (base, plus) = match name.strip_suffix('+') {
        Some(base) => (base, "+"),
        None => (name, ""),
    };
    match spdx::identifiers::LICENSES
        .iter()
        .find(|l| l.name.eq_ignore_ascii_case(base))
        .and_then(|l| spdx::license_id(l.name))
        .filter(|id| !id.is_deprecated())
    {
        Some(id) => format!("{}{plus}", id.name),
        None => license_ref(name),
    }
}

/// A GNU license in any of the spellings Debian files use (`GPL-2`, `GPL-2.0+`,
/// `LGPL-3.0+`, `GFDL-NIV-1.3+`): the SPDX `-only` or `-or-later` id.
fn gnu(name: &str) -> Option<String> {
    let (base, or_later) = match name.strip_suffix('+') {
        Some(b) => (b, true),
        None => (name, false),
    };
    let upper = base.to_ascii_uppercase();
    let (family, version) = upper.rsplit_once('-')?;
    let family = match family {
        "GPL" | "LGPL" | "AGPL" | "GFDL" => family.to_string(),
        "GFDL-NIV" => "GFDL".to_string(),
        _ => return None,
    };
    if !version.chars().all(|c| c.is_ascii_digit() || c == '.') || version.is_empty() {
        return None;
    }
    let version = if version.contains('.') {
        version.to_string()
    } else {
        format!("{version}.0")
    };
    let invariants = if upper.starts_with("GFDL-NIV") {
        "-no-invariants"
    } else {
        ""
    };
    spdx::gnu_license_id(&format!("{family}-{version}{invariants}"), or_later)
        .map(|l| l.name.to_string())
}

/// `LicenseRef-debian-<name>`, with `+` spelled `-plus` and anything but letters, digits,
/// `.` and `-` made `-`.
fn license_ref(name: &str) -> String {
    let mut id = String::from("LicenseRef-debian-");
    for c in name.chars().take(100) {
        match c {
            '+' => id.push_str("-plus"),
            c if c.is_ascii_alphanumeric() || c == '.' || c == '-' => id.push(c),
            _ => id.push('-'),
        }
    }
    id
}

/// The `AND`-separated terms of an expression at its top level (outside parentheses).
fn top_level_and(expr: &str) -> Vec<String> {
    let mut terms = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    let bytes = expr.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'(' => depth += 1,
            b')' => depth = depth.saturating_sub(1),
            b' ' if depth == 0 && expr.get(i..i + 5) == Some(" AND ") => {
                terms.push(expr.get(start..i).unwrap_or_default().to_string());
                start = i + 5;
                i += 5;
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    terms.push(expr.get(start..).unwrap_or_default().to_string());
    terms
        .into_iter()
        .map(|t| strip_outer_parens(t.trim()).to_string())
        .filter(|t| !t.is_empty())
        .collect()
}

/// `expr` without one pair of parentheses around the whole of it.
fn strip_outer_parens(expr: &str) -> &str {
    let Some(inner) = expr.strip_prefix('(').and_then(|e| e.strip_suffix(')')) else {
        return expr;
    };
    let mut depth = 0i32;
    for c in inner.chars() {
        match c {
            '(' => depth += 1,
            ')' => depth -= 1,
            _ => {}
        }
        if depth < 0 {
            return expr;
        }
    }
    inner
}

fn parenthesize(expr: &str) -> String {
    if expr.contains(' ') && strip_outer_parens(expr) == expr {
        format!("({expr})")
    } else {
        expr.to_string()
    }
}

/// Adds what a copyright file at scan-relative `path` says to `component`: for a
/// machine-readable file, its declared licenses (field `License`: one statement per license
/// of a plain `AND`, else the one expression) and its copyright statements. Returns false when the file is not machine-readable (the caller runs the
/// text detector) or names no license.
pub fn add_machine_readable(component: &mut Component, path: &str, text: &str) -> bool {
    if !is_machine_readable(text) {
        return false;
    }
    let summary = summarize(text);
    for c in &summary.copyrights {
        component.add_copyright(c, path);
    }
    let Some(expr) = summary.expression else {
        return false;
    };
    // A plain conjunction is the list of licenses the package's files are under: each is
    // its own statement (writers and the policy join a kind's statements with AND, and an
    // SPDX document read back splits such a conjunction the same way). A summary with a
    // choice (`OR`) or an exception (`WITH`) stays one expression.
    let terms = top_level_and(&expr);
    if terms.iter().all(|t| !t.contains(' ')) {
        for term in terms {
            component.add_license(License::declared(&term, path, "License"));
        }
    } else {
        component.add_license(License::declared(&expr, path, "License"));
    }
    true
}

/// The GNU licenses a free-form copyright file's standard FSF notices name ("... under the
/// terms of the GNU Lesser General Public License as published by the Free Software
/// Foundation; either version 2.1 of the License, or (at your option) any later version"),
/// as SPDX ids, in order of first appearance. Most of Debian's older copyright files (libc6,
/// base-files, gcc) are such notices rather than DEP-5 or a full license text, which the
/// text detector needs; only a sentence that says "as published by the Free Software
/// Foundation" counts, so a mere mention of the GPL names nothing.
pub fn gnu_notices(text: &str) -> Vec<String> {
    let norm = text
        .split_whitespace()
        .filter(|w| !w.chars().all(|c| matches!(c, '*' | '#' | '/' | '-')))
        .collect::<Vec<_>>()
        .join(" ")
        .to_ascii_lowercase();
    let mut out: Vec<String> = Vec::new();
    let mut rest = norm.as_str();
    let mut before = "";
    while let Some((head, tail)) = rest.split_once("general public license") {
        let family_of = |head: &str| {
            let head = head.trim_end_matches(' ');
            if head.ends_with("lesser") || head.ends_with("library") {
                Some("LGPL")
            } else if head.ends_with("affero") {
                Some("AGPL")
            } else if head.ends_with("gnu") {
                Some("GPL")
            } else {
                None
            }
        };
        let family = family_of(head).or_else(|| family_of(before));
        before = "";
        rest = tail;
        // The notice's sentence: up to a full stop followed by a space, at most 300 bytes.
        let sentence = tail.split(". ").next().unwrap_or(tail);
        let sentence = sentence
            .char_indices()
            .nth(300)
            .and_then(|(i, _)| sentence.get(..i))
            .unwrap_or(sentence);
        let (Some(family), true) = (
            family,
            sentence.contains("as published by the free software foundation"),
        ) else {
            continue;
        };
        let Some(version) = sentence
            .split_once("version ")
            .and_then(|(_, v)| notice_version(v))
        else {
            continue;
        };
        let suffix = if sentence.contains("any later version") {
            "or-later"
        } else {
            "only"
        };
        let id = format!("{family}-{version}-{suffix}");
        if spdx::license_id(&id).is_some() && !out.contains(&id) {
            out.push(id);
        }
    }
    out
}

/// `2` → `2.0`, `2.1` → `2.1` at the start of `text` (the words after "version ").
fn notice_version(text: &str) -> Option<String> {
    let word: String = text
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == '.')
        .collect();
    let word = word.trim_end_matches('.');
    match word.split_once('.') {
        Some((major, minor)) if !major.is_empty() && !minor.is_empty() => {
            Some(format!("{major}.{minor}"))
        }
        None if !word.is_empty() => Some(format!("{word}.0")),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    #[test_case("AGPL-3", "AGPL-3.0-only")]
    #[test_case("AGPL-3+", "AGPL-3.0-or-later")]
    #[test_case("Apache-1.0", "Apache-1.0")]
    #[test_case("Apache-1.1", "Apache-1.1")]
    #[test_case("Apache-2", "Apache-2.0")]
    #[test_case("Apache-2.0", "Apache-2.0")]
    #[test_case("Artistic", "Artistic-1.0-Perl")]
    #[test_case("Artistic-1.0", "Artistic-1.0")]
    #[test_case("Artistic-2.0", "Artistic-2.0")]
    #[test_case("BSD-2-clause", "BSD-2-Clause")]
    #[test_case("BSD-3-clause", "BSD-3-Clause")]
    #[test_case("BSD-4-clause", "BSD-4-Clause")]
    #[test_case("BSL-1.0", "BSL-1.0")]
    #[test_case("Boost-1.0", "BSL-1.0")]
    #[test_case("CC-BY-3.0", "CC-BY-3.0")]
    #[test_case("CC-BY-4.0", "CC-BY-4.0")]
    #[test_case("CC-BY-SA-3.0", "CC-BY-SA-3.0")]
    #[test_case("CC-BY-SA-4.0", "CC-BY-SA-4.0")]
    #[test_case("CC0", "CC0-1.0")]
    #[test_case("CC0-1.0", "CC0-1.0")]
    #[test_case("Expat", "MIT")]
    #[test_case("FSFAP", "FSFAP")]
    #[test_case("FSFUL", "FSFUL")]
    #[test_case("FSFULLR", "FSFULLR")]
    #[test_case("GFDL-1.2", "GFDL-1.2-only")]
    #[test_case("GFDL-1.2+", "GFDL-1.2-or-later")]
    #[test_case("GFDL-1.3", "GFDL-1.3-only")]
    #[test_case("GFDL-1.3+", "GFDL-1.3-or-later")]
    #[test_case("GFDL-NIV-1.2+", "GFDL-1.2-no-invariants-or-later")]
    #[test_case("GFDL-NIV-1.3", "GFDL-1.3-no-invariants-only")]
    #[test_case("GFDL-NIV-1.3+", "GFDL-1.3-no-invariants-or-later")]
    #[test_case("GPL", "GPL-1.0-or-later")]
    #[test_case("GPL-1", "GPL-1.0-only")]
    #[test_case("GPL-1+", "GPL-1.0-or-later")]
    #[test_case("GPL-2", "GPL-2.0-only")]
    #[test_case("GPL-2+", "GPL-2.0-or-later")]
    #[test_case("GPL-3", "GPL-3.0-only")]
    #[test_case("GPL-3+", "GPL-3.0-or-later")]
    #[test_case("ISC", "ISC")]
    #[test_case("LGPL", "LGPL-2.0-or-later")]
    #[test_case("LGPL-2", "LGPL-2.0-only")]
    #[test_case("LGPL-2+", "LGPL-2.0-or-later")]
    #[test_case("LGPL-2.1", "LGPL-2.1-only")]
    #[test_case("LGPL-2.1+", "LGPL-2.1-or-later")]
    #[test_case("LGPL-3", "LGPL-3.0-only")]
    #[test_case("LGPL-3+", "LGPL-3.0-or-later")]
    #[test_case("MIT", "MIT")]
    #[test_case("MPL-1.1", "MPL-1.1")]
    #[test_case("MPL-2.0", "MPL-2.0")]
    #[test_case("OpenSSL", "OpenSSL")]
    #[test_case("Perl", "Artistic-1.0-Perl OR GPL-1.0-or-later")]
    #[test_case("PSF-2", "PSF-2.0")]
    #[test_case("Python", "Python-2.0")]
    #[test_case("public-domain", "LicenseRef-public-domain")]
    #[test_case("X11", "X11")]
    #[test_case("Zlib", "Zlib")]
    #[test_case("Zope-2.1", "ZPL-2.1")]
    #[test_case("LGPL-2.0+", "LGPL-2.0-or-later" ; "gnu with a dot")]
    #[test_case("GPL-3.0", "GPL-3.0-only" ; "gnu with a dot only")]
    #[test_case("BSD-4-clause-UC", "BSD-4-Clause-UC" ; "spdx id in another case")]
    #[test_case("MPL-1.1+", "MPL-1.1+" ; "plus on a non-gnu id")]
    #[test_case("GPL-2.0-with-classpath", "LicenseRef-debian-GPL-2.0-with-classpath" ; "unknown")]
    fn table_row(debian: &str, spdx: &str) {
        assert_eq!(spdx_name(debian), spdx);
        if !spdx.starts_with("LicenseRef-debian-") {
            assert_eq!(spdx_name(&debian.to_ascii_lowercase()), spdx);
        }
    }

    #[test]
    fn every_table_row_is_tested_and_valid_spdx() {
        // The test_case list above has one row per table entry.
        assert_eq!(DEBIAN_NAMES.len(), 57);
        for (_, expr) in DEBIAN_NAMES {
            spdx::Expression::parse_mode(expr, spdx::ParseMode::STRICT)
                .unwrap_or_else(|e| panic!("{expr}: {e}"));
        }
        for (_, ex) in EXCEPTIONS {
            let e = format!("GPL-2.0-or-later WITH {ex}");
            spdx::Expression::parse_mode(&e, spdx::ParseMode::STRICT)
                .unwrap_or_else(|err| panic!("{e}: {err}"));
        }
    }

    #[test_case("GPL-2+ or Artistic", "GPL-2.0-or-later OR Artistic-1.0-Perl" ; "or")]
    #[test_case("GPL-2+ and BSD-3-clause", "GPL-2.0-or-later AND BSD-3-Clause" ; "and")]
    #[test_case("GPL-2+ or Artistic, and BSD-3-clause", "(GPL-2.0-or-later OR Artistic-1.0-Perl) AND BSD-3-Clause" ; "comma")]
    #[test_case("GPL-3+ with Autoconf exception", "GPL-3.0-or-later WITH Autoconf-exception-3.0" ; "known exception")]
    #[test_case("GPL-2+ with OpenSSL exception", "LicenseRef-debian-GPL-2-plus-with-OpenSSL-exception" ; "unknown exception")]
    #[test_case("permissive", "LicenseRef-debian-permissive" ; "unknown name")]
    #[test_case("Perl and MIT", "(Artistic-1.0-Perl OR GPL-1.0-or-later) AND MIT" ; "perl in and")]
    #[test_case("or GPL", "LicenseRef-debian-or-GPL" ; "dangling operator")]
    fn expressions(line: &str, want: &str) {
        let got = expression(line).unwrap();
        // Compared after canonical rendering (spacing, parentheses), not as raw text.
        let canon = |s: &str| bomscout_license::normalize(s).expression;
        assert_eq!(canon(&got), canon(want), "{got}");
        assert!(canon(&got).is_some(), "{got} is not valid SPDX");
    }

    const DEP5: &str =
        "Format: https://www.example.invalid/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: x
Source: https://example.invalid/x

Files: *
Copyright: 2001 A
 2002 B
License: GPL-2+
 long text
 .
 more

Files: lib/*
Copyright: 2003  C
License: BSD-3-clause or GPL-2+

Files: doc/*
Copyright: 2001 A
License: GPL-2+

License: GPL-2+
 The text.
";

    #[test]
    fn summary() {
        assert!(is_machine_readable(DEP5));
        assert!(!is_machine_readable(
            "This is x, packaged by y.\nFormat: copyright-format/1.0"
        ));
        let s = summarize(DEP5);
        assert_eq!(
            s.expression.as_deref(),
            Some("(BSD-3-Clause OR GPL-2.0-or-later) AND GPL-2.0-or-later")
        );
        assert_eq!(s.copyrights, ["2001 A", "2002 B", "2003 C"]);
    }

    #[test]
    fn statements_of_a_summary() {
        let raws = |text: &str| {
            let mut c = Component::new(bomscout_core::Ecosystem::Deb, None, "x", "1").unwrap();
            assert!(add_machine_readable(&mut c, "copyright", text));
            c.licenses.iter().map(|l| l.raw.clone()).collect::<Vec<_>>()
        };
        let head = "Format: copyright-format/1.0\n\n";
        let plain = format!("{head}Files: *\nLicense: GPL-2+\n\nFiles: a\nLicense: Expat\n");
        assert_eq!(raws(&plain), ["GPL-2.0-or-later", "MIT"]);
        let choice =
            format!("{head}Files: *\nLicense: GPL-2+ or Artistic\n\nFiles: a\nLicense: Expat\n");
        assert_eq!(
            raws(&choice),
            ["(GPL-2.0-or-later OR Artistic-1.0-Perl) AND MIT"]
        );
    }

    #[test]
    fn header_license_when_no_files_stanza() {
        let text = "Format: copyright-format/1.0\nLicense: Expat\n";
        assert_eq!(summarize(text).expression.as_deref(), Some("MIT"));
    }

    #[test]
    fn huge_license_line_is_no_expression() {
        assert_eq!(expression(&"GPL ".repeat(1000)), None);
    }

    #[test]
    fn gnu_notices_of_free_form_copyright_files() {
        // libc6's, as Debian 12 ships it (abridged), and a C comment as in libtasn1-6's.
        let libc = "This is the Debian prepackaged version of the GNU C Library.\n\n\
            The GNU C Library is free software; you can redistribute it and/or\n    \
            modify it under the terms of the GNU Lesser General Public\n    \
            License as published by the Free Software Foundation; either\n    \
            version 2.1 of the License, or (at your option) any later version.\n\n\
            Some programs are under the terms of the GNU General Public License as\n\
            published by the Free Software Foundation; version 2 of the License.\n";
        assert_eq!(gnu_notices(libc), ["LGPL-2.1-or-later", "GPL-2.0-only"]);
        let tasn = " * This library is free software; you can redistribute it and/or\n \
            * modify it under the terms of the GNU Lesser General Public\n \
            * License as published by the Free Software Foundation; either\n \
            * version 2.1 of the License, or (at your option) any later version.\n";
        assert_eq!(gnu_notices(tasn), ["LGPL-2.1-or-later"]);
        let affero = "under the terms of the GNU Affero General Public License as published \
            by the Free Software Foundation, either version 3 of the License, or (at your \
            option) any later version.";
        assert_eq!(gnu_notices(affero), ["AGPL-3.0-or-later"]);
        // A mention, not a notice; and a version that is no license.
        assert!(gnu_notices(
            "The GNU General Public License version 2 can be found in \
            /usr/share/common-licenses/GPL-2."
        )
        .is_empty());
        assert!(gnu_notices(
            "the GNU General Public License as published by the Free \
            Software Foundation; version 9 of the License"
        )
        .is_empty());
        assert!(gnu_notices("").is_empty());
    }
}
