//! Copyright statements in license and notice files: the lines MIT, BSD and Apache-2.0
//! require a distributor to reproduce.
//!
//! [`extract`] reads a text line by line, the way ScanCode and licensee users expect:
//!
//! - a statement starts a line (after indentation and comment or list markers such as `#`,
//!   `*`, `//`, `-`) with `Copyright` / `COPYRIGHT` (`Copyright (C)`, `Copyright ©`,
//!   `Copyright:` …), with `©`, with `(c)` / `(C)` followed by a year (`(C) 2001 …`; a
//!   `(c)` without a year is a list item, such as Apache-2.0 §4's "(c) You must retain"),
//!   or with REUSE's `SPDX-FileCopyrightText:`;
//! - a statement that has no holder yet (`Copyright (c) 2010-2014` alone, or one ending in
//!   `by`, `and`, `&`, `of`) continues on the next non-blank line, at most
//!   [`MAX_CONTINUATION`] more lines, unless that line starts a statement itself;
//! - whitespace is collapsed, and a statement is cut where license prose starts on the same
//!   line (`Permission is hereby granted`, `Redistribution and use` …), keeping
//!   `All rights reserved.`; it is bounded to [`MAX_STATEMENT_LEN`] characters;
//! - statements are deduplicated and kept in the order of the text, at most
//!   [`MAX_STATEMENTS`] per text.
//!
//! Not statements, and left out:
//!
//! - template text: a placeholder in brackets (`<year>`, `<copyright holders>`, `[yyyy]`,
//!   `[name of copyright owner]`, `{fullname}`) or a placeholder year (`yyyy`, `19yy`, `20xx`),
//!   so the blank MIT template and Apache-2.0's appendix ("Copyright [yyyy] [name of
//!   copyright owner]") give nothing;
//! - license prose that happens to start a line: lowercase `copyright notice …` of a
//!   wrapped sentence, `COPYRIGHT HOLDERS BE LIABLE`, CC0's `Copyright and related rights`:
//!   a `Copyright` followed by a word such as *notice*, *holders*, *owner*, *and*, *law*;
//!   without a `©`/`(c)` or a year, the holder must also start with a capital letter;
//! - **the license document's own copyright.** GPL, LGPL, AGPL, GFDL and Artistic-2.0
//!   texts open with their steward's notice (`Copyright (C) 1989, 1991 Free Software
//!   Foundation, Inc.`) followed by "Everyone is permitted to copy and distribute verbatim
//!   copies of this license document". That notice covers the license text, not the
//!   package: a `COPYING` file holding the verbatim GPL says nothing about who owns the
//!   program. So a statement followed within [`OWN_NOTICE_WINDOW`] lines by that sentence
//!   is left out. A package's own notice written above the license text is kept.
//!
//! ```
//! use bomscout_license::copyright::extract;
//!
//! let text = "The MIT License\n\nCopyright (c) 2009-2014 TJ Holowaychuk <tj@vision-media.ca>\n\n\
//!             The above copyright notice and this permission notice shall be included…";
//! assert_eq!(extract(text), ["Copyright (c) 2009-2014 TJ Holowaychuk <tj@vision-media.ca>"]);
//! assert!(extract("Copyright (c) <year> <copyright holders>").is_empty());
//! ```

/// Statements kept per text; past this, the rest of the text is not read.
pub const MAX_STATEMENTS: usize = 100;
/// Characters kept of one statement.
pub const MAX_STATEMENT_LEN: usize = 300;
/// Lines a statement may continue onto.
pub const MAX_CONTINUATION: usize = 2;
/// How many lines after a statement the "verbatim copies of this license document"
/// sentence marks it as the license document's own notice.
pub const OWN_NOTICE_WINDOW: usize = 3;

/// The sentence that follows the notice of a license document about itself.
const OWN_NOTICE: &str = "Everyone is permitted to copy and distribute verbatim copies";

/// Words that, right after `Copyright`, show a line is license prose, not a statement.
const PROSE_WORDS: &[&str] = &[
    "and",
    "act",
    "for",
    "holder",
    "holders",
    "in",
    "infringement",
    "interest",
    "is",
    "law",
    "laws",
    "license",
    "licence",
    "notice",
    "notices",
    "of",
    "or",
    "owner",
    "owners",
    "protection",
    "rights",
    "statement",
    "statements",
    "the",
    "to",
];

/// Words inside brackets that make the brackets a template placeholder.
const PLACEHOLDER_WORDS: &[&str] = &[
    "year",
    "yyyy",
    "name",
    "holder",
    "owner",
    "author",
    "copyright",
    "organization",
    "organisation",
    "company",
    "date",
];

/// Where license prose begins on a line that started with a statement.
const PROSE_STARTS: &[&str] = &[
    "Permission is hereby granted",
    "Permission to use",
    "Redistribution and use",
    "Licensed under",
    "THE SOFTWARE IS PROVIDED",
    "THIS SOFTWARE IS PROVIDED",
    "This program is free software",
    "This library is free software",
    "Everyone is permitted",
];

/// How a candidate line starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Start {
    /// `Copyright …` (any case of the first letter, or all capitals).
    Word,
    /// `©` or `(c)`.
    Symbol,
}

/// The copyright statements of a license or notice text, in order, deduplicated; see the
/// module documentation for the rules.
pub fn extract(text: &str) -> Vec<String> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < lines.len() && out.len() < MAX_STATEMENTS {
        let line = strip_markers(lines[i]);
        let Some((start, line)) = start(line) else {
            i += 1;
            continue;
        };
        let mut statement = collapse(line);
        let mut used = 1;
        while used <= MAX_CONTINUATION && needs_holder(&statement) {
            let Some(next) = lines.get(i + used).map(|l| strip_markers(l)) else {
                break;
            };
            if next.is_empty() || self::start(next).is_some() || prose_at(next, 0) {
                break;
            }
            statement.push(' ');
            statement.push_str(&collapse(next));
            used += 1;
        }
        let own = statement.contains(OWN_NOTICE)
            || lines
                .iter()
                .skip(i + used)
                .take(OWN_NOTICE_WINDOW)
                .any(|l| l.contains(OWN_NOTICE));
        let statement = bound(cut_prose(&statement));
        if !own && accept(&statement, start) && !out.contains(&statement) {
            out.push(statement);
        }
        i += used;
    }
    out
}

/// A line without its indentation and leading comment or list markers.
fn strip_markers(line: &str) -> &str {
    line.trim_start_matches(|c: char| {
        c.is_whitespace() || matches!(c, '#' | '*' | '/' | '-' | ';' | '>' | '|' | '"' | '\'')
    })
    .trim_end()
}

/// Whether `line` starts a statement, and the statement's text.
fn start(line: &str) -> Option<(Start, &str)> {
    if let Some(rest) = line.strip_prefix("SPDX-FileCopyrightText:") {
        let rest = rest.trim_start();
        return match start(rest) {
            Some(found) => Some(found),
            None if !rest.is_empty() => Some((Start::Symbol, rest)),
            None => None,
        };
    }
    for word in ["Copyright", "COPYRIGHT"] {
        if let Some(rest) = line.strip_prefix(word) {
            // `Copyrighted`, `Copyrights` are prose, not the notice word.
            let boundary = rest.chars().next().is_none_or(|c| !c.is_alphanumeric());
            return boundary.then_some((Start::Word, line));
        }
    }
    if line.starts_with('©') {
        return Some((Start::Symbol, line));
    }
    let rest = line
        .strip_prefix("(c)")
        .or_else(|| line.strip_prefix("(C)"))?;
    // `(c)` is also a list item ("(c) You must retain"): only a year makes it a notice.
    starts_with_year(rest.trim_start()).then_some((Start::Symbol, line))
}

/// Collapses runs of whitespace to one space.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The statement without its leading markers: `Copyright`, `(c)`, `©`, `:`.
fn body(statement: &str) -> &str {
    let mut rest = statement.trim_start();
    loop {
        let next = [
            "Copyright",
            "COPYRIGHT",
            "copyright",
            "(c)",
            "(C)",
            "©",
            ":",
            ",",
        ]
        .iter()
        .find_map(|m| rest.strip_prefix(m))
        .map(str::trim_start);
        match next {
            Some(r) if r.len() < rest.len() => rest = r,
            _ => return rest,
        }
    }
}

/// True when the statement names no holder yet, or ends mid-phrase.
fn needs_holder(statement: &str) -> bool {
    let b = body(statement);
    let has_name = b
        .split(|c: char| c.is_whitespace() || c == ',' || c == '-')
        .any(|w| w.chars().any(char::is_alphabetic));
    !has_name
        || [" by", " and", " &", " of"]
            .iter()
            .any(|end| statement.ends_with(end))
}

/// True when `text` starts with a four-digit year (19xx or 20xx).
fn starts_with_year(text: &str) -> bool {
    let digits: Vec<char> = text.chars().take(5).collect();
    matches!(digits.as_slice(), ['1', '9', ..] | ['2', '0', ..])
        && digits.len() >= 4
        && digits.iter().take(4).all(char::is_ascii_digit)
        && digits.get(4).is_none_or(|c| !c.is_ascii_digit())
}

/// True when the statement holds a year anywhere.
fn has_year(statement: &str) -> bool {
    statement.char_indices().any(|(i, _)| {
        let before = statement.get(..i).and_then(|s| s.chars().next_back());
        before.is_none_or(|c| !c.is_ascii_digit())
            && statement.get(i..).is_some_and(starts_with_year)
    })
}

/// True when the prose start `PROSE_STARTS` begins at byte `at` of `text`.
fn prose_at(text: &str, at: usize) -> bool {
    text.get(at..)
        .is_some_and(|t| PROSE_STARTS.iter().any(|p| t.starts_with(p)))
}

/// The statement up to where license prose begins on the same line.
fn cut_prose(statement: &str) -> &str {
    let mut end = statement.len();
    if let Some(at) = statement.find("All rights reserved.") {
        end = at + "All rights reserved.".len();
    }
    if let Some(at) = statement
        .char_indices()
        .skip(1)
        .find(|(i, _)| prose_at(statement, *i))
        .map(|(i, _)| i)
    {
        end = end.min(at);
    }
    statement.get(..end).unwrap_or(statement).trim_end()
}

/// At most [`MAX_STATEMENT_LEN`] characters.
fn bound(statement: &str) -> String {
    match statement.char_indices().nth(MAX_STATEMENT_LEN) {
        Some((at, _)) => format!("{}…", statement.get(..at).unwrap_or(statement).trim_end()),
        None => statement.to_string(),
    }
}

/// Whether a candidate is a real statement (see the module docs).
fn accept(statement: &str, start: Start) -> bool {
    if is_template(statement) {
        return false;
    }
    let b = body(statement);
    let first: String = b
        .chars()
        .take_while(|c| c.is_alphanumeric())
        .collect::<String>();
    if PROSE_WORDS.contains(&first.to_lowercase().as_str()) {
        return false;
    }
    let symbol = start == Start::Symbol
        || statement.contains('©')
        || statement.contains("(c)")
        || statement.contains("(C)");
    if symbol || has_year(statement) {
        return b.chars().any(char::is_alphanumeric);
    }
    // A bare `Copyright Holder Name`: the holder is a name, so it starts with a capital.
    first.chars().next().is_some_and(char::is_uppercase)
}

/// True for template text: a placeholder in brackets, or a placeholder year.
fn is_template(statement: &str) -> bool {
    let lower = statement.to_lowercase();
    let words_placeholder = lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| matches!(w, "yyyy" | "19yy" | "20yy" | "19xx" | "20xx" | "xxxx"));
    if words_placeholder {
        return true;
    }
    for (open, close) in [('<', '>'), ('[', ']'), ('{', '}')] {
        let mut rest = lower.as_str();
        while let Some(o) = rest.find(open) {
            let after = rest.get(o + open.len_utf8()..).unwrap_or("");
            let Some(c) = after.find(close) else {
                break;
            };
            let inner = after.get(..c).unwrap_or("");
            let address = inner.contains('@') || inner.contains("://");
            if !address && PLACEHOLDER_WORDS.iter().any(|w| inner.contains(w)) {
                return true;
            }
            rest = after.get(c + close.len_utf8()..).unwrap_or("");
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use test_case::test_case;

    const MIT_TEMPLATE: &str = "MIT License\n\nCopyright (c) <year> <copyright holders>\n\n\
        Permission is hereby granted, free of charge, to any person obtaining a copy\n\
        of this software and associated documentation files (the \"Software\"), to deal\n\n\
        The above copyright notice and this permission notice shall be included in all\n\
        copies or substantial portions of the Software.\n\n\
        THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR\n\
        IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY, IN NO EVENT SHALL THE\n\
        AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER\n";

    const GPL2_HEAD: &str =
        "\t\t    GNU GENERAL PUBLIC LICENSE\n\t\t       Version 2, June 1991\n\n \
        Copyright (C) 1989, 1991 Free Software Foundation, Inc.,\n \
        51 Franklin Street, Fifth Floor, Boston, MA 02110-1301 USA\n \
        Everyone is permitted to copy and distribute verbatim copies\n \
        of this license document, but changing it is not allowed.\n\n\
        \t\t\t    Preamble\n\n\
        How to Apply These Terms to Your New Programs\n\n    \
        <one line to give the program's name and a brief idea of what it does.>\n    \
        Copyright (C) <year>  <name of author>\n\n    \
        Gnomovision version 69, Copyright (C) year name of author\n";

    const GPL3_HEAD: &str = "                    GNU GENERAL PUBLIC LICENSE\n\
        \x20                      Version 3, 29 June 2007\n\n \
        Copyright (C) 2007 Free Software Foundation, Inc. <https://fsf.org/>\n \
        Everyone is permitted to copy and distribute verbatim copies\n \
        of this license document, but changing it is not allowed.\n";

    const APACHE_TAIL: &str =
        "      (c) You must retain, in the Source form of any Derivative Works\n          \
        that You distribute, all copyright, patent, trademark, and\n\n      \
        You may add Your own copyright statement to Your modifications and\n\n   \
        APPENDIX: How to apply the Apache License to your work.\n\n   \
        Copyright [yyyy] [name of copyright owner]\n\n   \
        Licensed under the Apache License, Version 2.0 (the \"License\");\n";

    const CC0: &str = "Statement of Purpose\n\nCopyright and related rights may be held by\n\
        1. Copyright and Related Rights. A Work made available under CC0 may be protected by\n\
        copyright and related or neighboring rights (\"Copyright and Related Rights\").\n";

    #[test_case(MIT_TEMPLATE, &[]; "mit template")]
    #[test_case(GPL2_HEAD, &[]; "gpl2 own notice, appendix templates")]
    #[test_case(GPL3_HEAD, &[]; "gpl3 own notice")]
    #[test_case(APACHE_TAIL, &[]; "apache list item and appendix template")]
    #[test_case(CC0, &[]; "cc0 prose")]
    #[test_case("Copyright (c) 2024 Jane Doe\n\n", &["Copyright (c) 2024 Jane Doe"]; "plain")]
    #[test_case("Copyright Jason R. Coombs\n", &["Copyright Jason R. Coombs"]; "no year no symbol")]
    #[test_case("Copyright 2019 Kenneth Reitz\n", &["Copyright 2019 Kenneth Reitz"]; "year no symbol")]
    #[test_case("© 2020 Ada Lovelace", &["© 2020 Ada Lovelace"]; "symbol")]
    #[test_case("(C) 2001 Foo Bar Inc.", &["(C) 2001 Foo Bar Inc."]; "paren c year")]
    #[test_case("Copyright © 2015 Foo", &["Copyright © 2015 Foo"]; "copyright symbol")]
    #[test_case("Copyright (c) 2010-2014\n    Kim Davies\n\nPermission", &["Copyright (c) 2010-2014 Kim Davies"]; "holder on next line")]
    #[test_case("Copyright (c) 2010 written by\nJohn Smith\n", &["Copyright (c) 2010 written by John Smith"]; "ends with by")]
    #[test_case("Copyright (c) 2010\nCopyright (c) 2011 B\n", &["Copyright (c) 2010", "Copyright (c) 2011 B"]; "no holder, next is a statement")]
    #[test_case("  Copyright   (c)\t2013 Raynos.\n", &["Copyright (c) 2013 Raynos."]; "whitespace collapsed")]
    #[test_case("Copyright (c) 2012 A\nCopyright (c) 2012 A\nCopyright (c) 2013 B\n", &["Copyright (c) 2012 A", "Copyright (c) 2013 B"]; "deduped in order")]
    #[test_case(" * Copyright (c) 2014 Foo\n # Copyright 2015 Bar\n", &["Copyright (c) 2014 Foo", "Copyright 2015 Bar"]; "comment markers")]
    #[test_case("Copyright (c) 2014, Nathan LaFreniere and other [contributors](https://github.com/ljharb/qs/graphs/contributors)", &["Copyright (c) 2014, Nathan LaFreniere and other [contributors](https://github.com/ljharb/qs/graphs/contributors)"]; "markdown link is not a placeholder")]
    #[test_case("Copyright (c) 2015-2016 Douglas Christopher Wilson <doug@somethingdoug.com", &["Copyright (c) 2015-2016 Douglas Christopher Wilson <doug@somethingdoug.com"]; "unclosed bracket")]
    #[test_case("Copyright [year] [fullname]\nCopyright (c) 19yy Name\nCopyright {yyyy} {name of copyright owner}", &[]; "other templates")]
    #[test_case("COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM\ncopyright notice and this permission notice appear\nCopyrighted material", &[]; "prose lines")]
    #[test_case("Copyright (c) 2020 Foo Permission is hereby granted, free of charge", &["Copyright (c) 2020 Foo"]; "one-line license cut at prose")]
    #[test_case("Copyright (c) 2020 Foo. All rights reserved. Redistribution", &["Copyright (c) 2020 Foo. All rights reserved."]; "all rights reserved kept")]
    #[test_case("SPDX-FileCopyrightText: 2023 The Authors\n", &["2023 The Authors"]; "reuse tag")]
    #[test_case("Copyright (C) 2010 Jane Hacker\n\n                    GNU GENERAL PUBLIC LICENSE\n Copyright (C) 1989, 1991 Free Software Foundation, Inc.\n Everyone is permitted to copy and distribute verbatim copies\n", &["Copyright (C) 2010 Jane Hacker"]; "package notice above a verbatim gpl")]
    fn statements(text: &str, expected: &[&str]) {
        assert_eq!(extract(text), expected);
    }

    #[test]
    fn output_is_bounded() {
        let many: String = (0..1000)
            .map(|i| format!("Copyright (c) 2020 Holder {i}\n"))
            .collect();
        assert_eq!(extract(&many).len(), MAX_STATEMENTS);
        let long = format!("Copyright (c) 2020 {}", "x".repeat(10_000));
        let got = extract(&long);
        assert_eq!(got.len(), 1);
        assert_eq!(got[0].chars().count(), MAX_STATEMENT_LEN + 1);
    }

    #[test]
    fn hostile_texts_are_read_in_one_pass() {
        // The size of the largest file read (256 KiB): one line, and many template lines.
        let one_line = format!("Copyright (c) 2020 {}", "Ada Lovelace ".repeat(20_000));
        assert_eq!(extract(&one_line)[0].chars().count(), MAX_STATEMENT_LEN + 1);
        let prose = format!(
            "Copyright (c) 2020 Ada {}",
            "Permission is hereby granted ".repeat(9_000)
        );
        assert_eq!(extract(&prose), ["Copyright (c) 2020 Ada"]);
        let templates = "Copyright (c) <year> <copyright holders>\n".repeat(6_000);
        assert!(extract(&templates).is_empty());
        let open_brackets = format!("Copyright (c) 2020 {}", "<[{".repeat(80_000));
        assert_eq!(extract(&open_brackets).len(), 1);
    }

    /// The license texts as published, from the fixtures: each gives its own statement.
    #[test_case("npm/attribution/node_modules/express/LICENSE", &["Copyright (c) 2009-2014 TJ Holowaychuk <tj@vision-media.ca>", "Copyright (c) 2013-2014 Roman Shtylman <shtylman+expressjs@gmail.com>", "Copyright (c) 2014-2015 Douglas Christopher Wilson <doug@somethingdoug.com>"]; "express")]
    #[test_case("npm/attribution/node_modules/qs/LICENSE.md", &["Copyright (c) 2014, Nathan LaFreniere and other [contributors](https://github.com/ljharb/qs/graphs/contributors)"]; "qs bsd markdown")]
    #[test_case("npm/attribution/node_modules/ipaddr.js/LICENSE", &["Copyright (C) 2011-2017 whitequark <whitequark@whitequark.org>"]; "ipaddr")]
    #[test_case("python/installed/venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/LICENSE", &[]; "apache body")]
    #[test_case("python/installed/venv/lib/python3.11/site-packages/requests-2.34.2.dist-info/licenses/NOTICE", &["Copyright 2019 Kenneth Reitz"]; "apache notice")]
    #[test_case("python/installed/venv/lib/python3.11/site-packages/setuptools-65.5.0.dist-info/LICENSE", &["Copyright Jason R. Coombs"]; "setuptools")]
    #[test_case("python/installed/venv/lib/python3.11/site-packages/idna-3.20.dist-info/licenses/LICENSE.md", &["Copyright (c) 2013-2026, Kim Davies and contributors."]; "idna bsd")]
    #[test_case("cargo/vendored/vendor/log/LICENSE-APACHE", &[]; "cargo apache")]
    #[test_case("cargo/vendored/vendor/memchr/UNLICENSE", &[]; "unlicense")]
    #[test_case("cargo/vendored/vendor/memchr/LICENSE-MIT", &["Copyright (c) 2015 Andrew Gallant"]; "memchr mit")]
    fn fixture_texts(path: &str, expected: &[&str]) {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures");
        let text = std::fs::read_to_string(root.join(path)).unwrap();
        assert_eq!(extract(&text), expected);
    }
}
