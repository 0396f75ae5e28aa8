//! The reader against serde_norway: on every pnpm and berry lockfile in the repository, on
//! mutations of them, on scalars serde_norway types, and on hostile input.

use super::*;
use crate::test_rng::Rng;
use std::path::{Path, PathBuf};

/// The tree with every line 0: serde_norway's tree has lines only where the text gives
/// them back (see [`from_value`]).
fn without_lines(node: Node<'_>) -> Node<'_> {
    match node {
        Node::Seq(items) => Node::Seq(items.into_iter().map(without_lines).collect()),
        Node::Map(entries) => Node::Map(
            entries
                .into_iter()
                .map(|e| Entry {
                    key: without_lines(e.key),
                    value: without_lines(e.value),
                    line: 0,
                })
                .collect(),
        ),
        other => other,
    }
}

/// serde_norway's tree of `text`, or its error.
fn serde_tree(text: &str) -> Result<Node<'static>, String> {
    serde_norway::from_str::<Value>(text)
        .map(|v| without_lines(from_value(v, text)))
        .map_err(|e| e.to_string())
}

/// The reader either says "unsupported" or agrees with serde_norway (and then the nesting
/// check, which guards serde_norway, passes too).
fn agrees(text: &str) -> Result<bool, String> {
    let Ok(fast) = read(text) else {
        return Ok(false);
    };
    let fast = without_lines(fast);
    match serde_tree(text) {
        Ok(reference) if reference == fast => {}
        Ok(reference) => {
            return Err(format!(
                "the reader and serde_norway differ on\n{text}\nreader: {fast:?}\nserde_norway: {reference:?}"
            ))
        }
        Err(e) => {
            return Err(format!(
                "the reader read what serde_norway refuses ({e}):\n{text}\nreader: {fast:?}"
            ))
        }
    }
    crate::nesting::check_yaml(text, crate::nesting::MAX_DEPTH)
        .map_err(|e| format!("the reader read what the nesting check refuses: {e}"))?;
    Ok(true)
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Every pnpm lockfile and berry `yarn.lock` of the repository's fixtures and benchmark.
fn lockfiles() -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![
        repo().join("fixtures"),
        repo().join("bench/lockfiles"),
        repo().join("crates/bomscout-catalog/tests"),
    ];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = e.path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let name = e.file_name();
            let is_berry = name == "yarn.lock"
                && std::fs::read_to_string(&path).is_ok_and(|t| t.contains("\n__metadata:"));
            if name == "pnpm-lock.yaml" || is_berry {
                out.push(path);
            }
        }
    }
    out.sort();
    assert!(out.len() >= 10, "fixtures not found: {out:?}");
    out
}

#[test]
fn every_lockfile_is_read_and_equals_serde_norways_tree() {
    for path in lockfiles() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (first, chunk) in crate::text::yaml_documents(&text) {
            let fast = read(chunk)
                .unwrap_or_else(|u| panic!("{}:{}: {u:?}", path.display(), u.line + first - 1));
            check_lines(&fast, chunk, &path);
            assert_eq!(
                without_lines(fast),
                serde_tree(chunk).unwrap(),
                "{}",
                path.display()
            );
        }
    }
}

/// Every key's line is a line declaring that key (a block entry) or holding it (a flow
/// entry).
fn check_lines(node: &Node, text: &str, path: &Path) {
    let lines: Vec<&str> = text.lines().collect();
    let mut stack = vec![node];
    while let Some(n) = stack.pop() {
        match n {
            Node::Map(entries) => {
                for e in entries {
                    let key = e.key.as_str().unwrap();
                    let line = lines[e.line as usize - 1];
                    let declared =
                        crate::text::yaml_key_at(line, line.len() - line.trim_start().len());
                    assert!(
                        declared == Some(key)
                            || line.contains(&format!("{{{key}: "))
                            || line.contains(&format!(", {key}: ")),
                        "{}:{}: {key:?} is not on {line:?}",
                        path.display(),
                        e.line
                    );
                    stack.push(&e.value);
                }
            }
            Node::Seq(items) => stack.extend(items),
            _ => {}
        }
    }
}

/// The catalogs of every lockfile are the same whichever parser reads the YAML.
#[test]
fn every_lockfile_catalogs_the_same_with_either_parser() {
    for path in lockfiles() {
        let text = std::fs::read(&path).unwrap();
        let root = std::fs::canonicalize(path.parent().unwrap()).unwrap();
        let name = path.file_name().unwrap().to_str().unwrap();
        let abs = root.join(name);
        let options = crate::Options {
            read_caches: false,
            ..crate::Options::default()
        };
        let input = crate::Input {
            bytes: &text,
            shared_path: &bomscout_core::SharedStr::from(name),
            abs: &abs,
            root: &root,
            options: &options,
            tree: &crate::DISK,
        };
        let (fast, serde) = if name == "pnpm-lock.yaml" {
            (
                crate::pnpm::parse_with(&input, Reader::Fast),
                crate::pnpm::parse_with(&input, Reader::Serde),
            )
        } else {
            let text = std::str::from_utf8(&text).unwrap();
            (
                crate::yarn::berry_with(text, &input, Reader::Fast),
                crate::yarn::berry_with(text, &input, Reader::Serde),
            )
        };
        let (fast, serde) = (fast.unwrap(), serde.unwrap());
        assert!(!fast.packages.is_empty(), "{}", path.display());
        assert_eq!(fast, serde, "{}", path.display());
    }
}

const INSERTS: &[&str] = &[
    "'", "\"", ":", ": ", "#", " #", "\t", "\r", "\r\n", "&a ", "*a", "|", ">", "- ", "-", "{",
    "}", "[", "]", ",", "\\", "\\x4", "\\u00e9", "''", "?", "? ", "---\n", "...\n", "\r", "\0",
    "~", "!t ", "%", "@", "`", "0x", "1", ".", " ", "  ", "\n", "\n  ", "é", "\u{2028}",
    "\u{feff}", "<<: ", "null", "true", "{}", "[]", "{a: b}", "'a': ", "\"b\": ",
];

/// One random change of a line: delete, duplicate, re-indent, or insert a YAML character.
fn mutate(text: &str, rng: &mut Rng) -> String {
    let mut lines: Vec<String> = text.lines().map(str::to_string).collect();
    if lines.is_empty() {
        return text.to_string();
    }
    let i = rng.below(lines.len());
    match rng.below(6) {
        0 => {
            lines.remove(i);
        }
        1 => {
            let l = lines[i].clone();
            lines.insert(i, l);
        }
        2 => lines[i].insert_str(0, [" ", "  ", "    "][rng.below(3)]),
        3 => {
            let n = rng.below(3) + 1;
            let spaces = lines[i].len() - lines[i].trim_start().len();
            lines[i].drain(..n.min(spaces));
        }
        _ => {
            let what = INSERTS[rng.below(INSERTS.len())];
            let line = &mut lines[i];
            let mut at = rng.below(line.len() + 1);
            while !line.is_char_boundary(at) {
                at -= 1;
            }
            line.insert_str(at, what);
        }
    }
    let mut out = lines.join("\n");
    out.push('\n');
    out
}

/// The first `n` lines of `text` (a lockfile too long to parse thousands of times whole).
fn head(text: &str, n: usize) -> String {
    text.lines().take(n).map(|l| format!("{l}\n")).collect()
}

#[test]
fn mutated_lockfiles_are_refused_or_read_as_serde_norway_reads_them() {
    let mut rng = Rng::new(0x5eed_cafe_f00d_d00d);
    let (mut read_count, mut total) = (0, 0);
    for path in lockfiles() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (_, chunk) in crate::text::yaml_documents(&text) {
            let chunk = head(chunk, 150);
            for round in 0..300 {
                let seed = rng.state();
                let mut m = mutate(&chunk, &mut rng);
                if round % 3 == 0 {
                    m = mutate(&m, &mut rng);
                }
                if round % 7 == 0 {
                    m = m.replace('\n', "\r\n");
                }
                total += 1;
                match agrees(&m) {
                    Ok(true) => read_count += 1,
                    Ok(false) => {}
                    Err(e) => panic!("{} (seed {seed:#x}): {e}", path.display()),
                }
            }
        }
    }
    // Most mutations keep the shape (a deleted or duplicated line, a character inside a
    // scalar): the comparison is not vacuous.
    assert!(read_count * 4 > total, "{read_count} of {total} read");
}

#[test]
fn scalars_are_typed_as_serde_norway_types_them() {
    let scalars = [
        "~",
        "null",
        "Null",
        "NULL",
        "true",
        "True",
        "TRUE",
        "false",
        "FALSE",
        "yes",
        "no",
        "on",
        "10c0",
        "8",
        "-8",
        "+8",
        "5.4",
        "9.0",
        "1.0.0",
        "1e5",
        "1E5",
        "1e",
        ".5",
        "5.",
        ".inf",
        "-.inf",
        "+.inf",
        ".Inf",
        ".nan",
        ".NaN",
        "inf",
        "nan",
        "0x1F",
        "0X1F",
        "-0x1F",
        "0o17",
        "0b101",
        "0b12",
        "0123",
        "-0123",
        "00",
        "0",
        "-0",
        "+-1",
        "1-2",
        "18446744073709551615",
        "18446744073709551616",
        "-9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999999999999999999999999",
        "1_000",
        "0x",
        "1.2.3",
        "1.21.1(debug@4.4.3)",
        "^1.0.0",
        ">=10",
        "2.3.3#hash",
        "a b",
        "a  b",
        "sha512-abc==",
        "https://x.invalid/a.tgz",
        "é",
        "0.",
        "-.5",
        "+.5",
        "1e400",
    ];
    let mut read_count = 0;
    let mut unsupported = Vec::new();
    for s in scalars {
        for text in [
            format!("k: {s}\n"),
            format!("- {s}\n"),
            format!("k: {{a: {s}}}\n"),
            format!("k: [{s}, x]\n"),
            format!("k: '{s}'\n"),
            format!("k: \"{s}\"\n"),
            format!("{s}: v\n"),
        ] {
            if agrees(&text).unwrap_or_else(|e| panic!("{e}")) {
                read_count += 1;
            } else {
                unsupported.push(text);
            }
        }
    }
    // What is left is refused on purpose: non-string keys, a leading `-`, null in a flow
    // mapping, integers past 64 bits or with leading zeros, a leading indicator.
    assert!(read_count > 300, "{read_count}: {unsupported:?}");
}

#[test]
fn shapes_outside_the_reader_are_unsupported() {
    for text in [
        "a: &x 1\nb: *x\n",
        "a: !t 1\n",
        "a: |\n  text\n",
        "a: >\n  text\n",
        "a: b\n  c\n",
        "a: 'b\n  c'\n",
        "a: {b: {c: d}}\n",
        "a: [b,\n  c]\n",
        "? a\n: b\n",
        "- - a\n",
        "- a: b\n",
        "a:\n- b\n",
        "%YAML 1.2\n---\na: b\n",
        "a: b\n---\nc: d\n",
        "a: b\n...\n",
        "a:\tb\n",
        "a: b\rc\n",
        "a: b\0\n",
        "a: b\u{2028}c\n",
        "\u{feff}a: b\n",
        "1: a\n",
        "true: a\n",
        "a: 1\na: 2\n",
        "a: 18446744073709551616\n",
        "a: 0123\n",
        "a: b: c\n",
        "a:\n  b: 1\n c: 2\n",
        "a: \"\\q\"\n",
        "a: \"\\uD800\"\n",
        "a: {b}\n",
        "a: {b: }\n",
        "a: [b, ]\n",
        "a: 'b' c\n",
        "a: 'b'#c\n",
        "scalar\n",
    ] {
        assert!(read(text).is_err(), "{text:?}: {:?}", read(text));
    }
    // Duplicates in large mappings (sorted, not compared pairwise), block and flow.
    let keys: Vec<String> = (0..40).map(|i| format!("k{i}")).collect();
    let block: String = keys.iter().map(|k| format!("{k}: v\n")).collect();
    assert!(read(&block).is_ok());
    assert_eq!(read(&format!("{block}k7: w\n")).unwrap_err().line, 41);
    let escaped = format!("{block}\"k\\x37\": w\n");
    assert!(read(&escaped).is_err());
    assert!(serde_tree(&escaped).is_err());
    let flow = format!("a: {{{}}}\n", keys.join(": v, ") + ": v");
    assert!(read(&flow).is_ok());
    assert!(read(&flow.replace("k39", "k0")).is_err());
}

#[test]
fn the_shapes_pnpm_and_berry_write() {
    let text = "---\n# comment\nlockfileVersion: '9.0'\n\nimporters:\n\n  .:\n    dependencies:\n      '@s/a':\n        specifier: ^1 # range\n        version: 1.0.0(b@2.0.0)\npackages:\n  '@s/a@1.0.0':\n    resolution: {integrity: sha512-x==, tarball: https://registry.example.invalid/a.tgz}\n    engines: {node: '>=10'}\n    cpu: [x64, arm64]\n    hasBin: true\n  b@2.0.0: {}\n  c@1.0.0:\n    transitivePeerDependencies:\n      - supports-color\n\"d@npm:^1, d@npm:^1.1\":\n  version: 1.1.0\n  checksum: 10c0/ab\n  e: \"it''s \\\"q\\\" \\u00e9\\x41\"\n  f: 'it''s'\n  empty:\n";
    let node = read(text).unwrap();
    assert_eq!(without_lines(node.clone()), serde_tree(text).unwrap());
    let a = node.get("importers").unwrap().get(".").unwrap();
    let dep = a.get("dependencies").unwrap().entry("@s/a").unwrap();
    assert_eq!(dep.line, 9);
    assert_eq!(dep.value.get("specifier").unwrap().as_str(), Some("^1"));
    let pkg = node.get("packages").unwrap();
    assert_eq!(pkg.entry("b@2.0.0").unwrap().line, 18);
    let r = pkg.get("@s/a@1.0.0").unwrap().get("resolution").unwrap();
    assert_eq!(
        r.get("tarball").unwrap().as_str(),
        Some("https://registry.example.invalid/a.tgz")
    );
    let d = node.get("d@npm:^1, d@npm:^1.1").unwrap();
    assert_eq!(d.get("e").unwrap().as_str(), Some("it''s \"q\" éA"));
    assert_eq!(d.get("f").unwrap().as_str(), Some("it's"));
    assert!(matches!(d.get("e").unwrap(), Node::Str(Cow::Owned(_))));
    assert!(matches!(
        d.get("checksum").unwrap(),
        Node::Str(Cow::Borrowed(_))
    ));
    assert!(d.get("empty").unwrap().is_null());
    // Windows line breaks.
    let crlf = text.replace('\n', "\r\n");
    assert_eq!(
        without_lines(read(&crlf).unwrap()),
        serde_tree(&crlf).unwrap()
    );
    assert_eq!(read(&crlf).unwrap(), node);
    // Nothing but comments and markers: null, as serde_norway says.
    assert_eq!(read("---\n# x\n").unwrap(), Node::Null);
    assert_eq!(read("").unwrap(), Node::Null);
}

#[test]
fn hostile_input_ends_with_a_diagnostic() {
    // An indentation staircase far past the limit: the reader gives up at its own limit,
    // the nesting check refuses the file with the line.
    let mut deep = String::new();
    for i in 0..3_000 {
        deep.push_str(&" ".repeat(i));
        deep.push_str("a:\n");
    }
    assert_eq!(
        read(&deep).unwrap_err().reason,
        "nested deeper than the reader's limit"
    );
    let err = parse(&deep, Reader::Fast).unwrap_err();
    assert_eq!(
        err.line(),
        Some(crate::nesting::MAX_DEPTH as u32 + 1),
        "{err}"
    );
    // A 10 MB line: a value, then a key with no value, then nothing YAML at all.
    let long = "x".repeat(10 << 20);
    let value = format!("a: {long}\n");
    let node = read(&value).unwrap();
    assert_eq!(
        node.get("a").and_then(Node::as_str).map(str::len),
        Some(10 << 20)
    );
    assert!(read(&format!("{long}: 1\n")).is_err());
    assert!(parse(&format!("{long}: 1\n"), Reader::Fast).is_err());
    assert!(parse(&format!("a: [{long}"), Reader::Fast).is_err());
    // NUL bytes: refused by serde_norway (libyaml's reader names the byte's position).
    let err = parse("a: b\nc: d\0e\n", Reader::Fast).unwrap_err();
    assert!(err.to_string().contains("control characters"), "{err}");
}
