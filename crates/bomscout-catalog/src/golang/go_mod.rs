//! `go.mod` (with `go.sum` read beside it through `Input::abs`: this cataloger's documented
//! exception to reading only its input). See the module docs for the build-list rule.
//!
//! Directives: `module`, `go`, `require` (single and blocks, `// indirect`), `replace`
//! (a module, or a version of it, by another module version, or by a local directory:
//! first-party code, not a package), `exclude` (those versions are not used), `tool` (Go
//! 1.24: modules providing only tools are dev dependencies), `retract`, `toolchain` and
//! `godebug` are read past.

use super::{cache, compare_versions, component};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, Project};
use std::collections::{BTreeMap, HashMap, HashSet};

/// One `require` line.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Require {
    path: String,
    version: String,
    indirect: bool,
    line: u32,
}

/// The parts of `go.mod` the catalog needs.
#[derive(Debug, Default)]
struct GoMod {
    module: Option<String>,
    go: Option<String>,
    requires: Vec<Require>,
    /// `(path, Some(version) | None)` → replacement `(path, version)`; an empty version
    /// means a local directory.
    replaces: HashMap<(String, Option<String>), (String, Option<String>)>,
    excludes: HashSet<(String, String)>,
    tools: Vec<String>,
}

/// Parses one `go.mod`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let mut catalog = Catalog::default();
    let m = read(text, input.path(), &mut catalog.diagnostics)?;
    let mut project = Project::new(Ecosystem::Golang, input.path());
    project.name = m.module.clone();
    let sums = read_go_sum(input);
    let mut requires = m.requires.clone();
    if m.go
        .as_deref()
        .is_some_and(|v| compare_versions(v, "1.17") == std::cmp::Ordering::Less)
    {
        requires.extend(from_go_sum(&sums, &requires));
    }
    let cache_root = input.read_caches().then(cache::root).flatten();
    for r in requires {
        if m.excludes.contains(&(r.path.clone(), r.version.clone())) {
            continue;
        }
        let replaced = m
            .replaces
            .get(&(r.path.clone(), Some(r.version.clone())))
            .or_else(|| m.replaces.get(&(r.path.clone(), None)));
        let (path, version) = match replaced {
            Some((_, None)) => continue, // a local directory: first-party code
            Some((p, Some(v))) => (p.clone(), v.clone()),
            None => (r.path.clone(), r.version.clone()),
        };
        let mut c = match component(&path, &version) {
            Ok(c) => c,
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("{path}: {e}")).at_line(r.line),
                );
                continue;
            }
        };
        if replaced.is_some() {
            c.properties
                .insert("replaces".into(), format!("{} {}", r.path, r.version));
        }
        if r.indirect {
            c.properties.insert("indirect".into(), "true".into());
        }
        if r.line == 0 {
            c.properties.insert("from".into(), "go.sum".into());
        }
        if let Some(h) = sums.get(&(path.clone(), version.clone())) {
            c.properties.insert("go-sum".into(), h.clone());
        }
        if let Some(dir) = cache_root
            .as_deref()
            .and_then(|root| cache::module_dir(root, &path, &version))
        {
            let shown = format!("$GOMODCACHE/{path}@{version}");
            cache::add_licenses(&mut c, &dir, &shown, input.options.license_threshold);
        }
        let location = if r.line > 0 {
            input.at_line(r.line)
        } else {
            input.location()
        };
        let node = catalog.add_package(c.at(location));
        let tool_only = m
            .tools
            .iter()
            .any(|t| t == &r.path || t.starts_with(&format!("{}/", r.path)));
        project.add_dep(
            node,
            if tool_only {
                DepKind::Dev
            } else {
                DepKind::Normal
            },
        );
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// Reads the directives; a line that fits no directive is a warning, not an error, since
/// newer Go versions add directives.
fn read(text: &str, path: &str, diagnostics: &mut Vec<Diagnostic>) -> Result<GoMod, ParseError> {
    let mut m = GoMod::default();
    let mut block: Option<String> = None;
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        let (code, comment) = match raw.split_once("//") {
            Some((c, k)) => (c.trim(), k.trim()),
            None => (raw.trim(), ""),
        };
        if code.is_empty() {
            continue;
        }
        if code == ")" {
            block = None;
            continue;
        }
        let (verb, rest) = match &block {
            Some(b) => (b.as_str(), code),
            None => match code.split_once(char::is_whitespace) {
                Some((v, r)) => (v, r.trim()),
                None => (code, ""),
            },
        };
        if rest == "(" {
            block = Some(verb.to_string());
            continue;
        }
        let words: Vec<String> = rest.split_whitespace().map(unquote).collect();
        match verb {
            "module" => m.module = words.first().cloned(),
            "go" => m.go = words.first().cloned(),
            "require" => match words.as_slice() {
                [p, v] => m.requires.push(Require {
                    path: p.clone(),
                    version: v.clone(),
                    indirect: comment.split(';').any(|c| c.trim() == "indirect"),
                    line: line_no,
                }),
                _ => diagnostics.push(
                    Diagnostic::warning(
                        path,
                        format!("require {} is not `path version`", quote(rest, QUOTE_LIMIT)),
                    )
                    .at_line(line_no),
                ),
            },
            "replace" => match replacement(&words) {
                Some((from, to)) => {
                    m.replaces.insert(from, to);
                }
                None => diagnostics.push(
                    Diagnostic::warning(
                        path,
                        format!(
                            "replace {} is not `old [v] => new [v]`",
                            quote(rest, QUOTE_LIMIT)
                        ),
                    )
                    .at_line(line_no),
                ),
            },
            "exclude" => {
                if let [p, v] = words.as_slice() {
                    m.excludes.insert((p.clone(), v.clone()));
                }
            }
            "tool" => m.tools.extend(words.first().cloned()),
            "toolchain" | "retract" | "godebug" | "ignore" => {}
            other => diagnostics.push(
                Diagnostic::warning(
                    path,
                    format!("unknown go.mod directive {}", quote(other, QUOTE_LIMIT)),
                )
                .at_line(line_no),
            ),
        }
        if block.is_none() && verb == "module" && m.module.is_none() {
            return Err(ParseError::Format {
                line: Some(line_no),
                message: "module directive without a path".into(),
            });
        }
    }
    Ok(m)
}

type Replacement = ((String, Option<String>), (String, Option<String>));

/// `old [v] => new [v]`; a `new` without a version is a local directory.
fn replacement(words: &[String]) -> Option<Replacement> {
    let arrow = words.iter().position(|w| w == "=>")?;
    let (from, to) = (words.get(..arrow)?, words.get(arrow + 1..)?);
    let from = match from {
        [p] => (p.clone(), None),
        [p, v] => (p.clone(), Some(v.clone())),
        _ => return None,
    };
    let to = match to {
        [p] => (p.clone(), None),
        [p, v] => (p.clone(), Some(v.clone())),
        _ => return None,
    };
    Some((from, to))
}

fn unquote(w: &str) -> String {
    w.trim_matches(|c| c == '"' || c == '`').to_string()
}

/// `(path, version)` → `h1:` hash of the module's content, from the `go.sum` beside it.
fn read_go_sum(input: &Input) -> BTreeMap<(String, String), String> {
    let Some(text) = crate::text::sibling(input, "go.sum") else {
        return BTreeMap::new();
    };
    text.lines()
        .filter_map(|line| {
            let mut w = line.split_whitespace();
            let (path, version, hash) = (w.next()?, w.next()?, w.next()?);
            (!version.ends_with("/go.mod"))
                .then(|| ((path.to_string(), version.to_string()), hash.to_string()))
        })
        .collect()
}

/// For pre-1.17 `go.mod`: the highest `go.sum` version of each module `go.mod` does not
/// require, as an indirect requirement.
fn from_go_sum(sums: &BTreeMap<(String, String), String>, requires: &[Require]) -> Vec<Require> {
    let required: HashSet<&str> = requires.iter().map(|r| r.path.as_str()).collect();
    let mut best: BTreeMap<&str, &str> = BTreeMap::new();
    for (path, version) in sums.keys() {
        if required.contains(path.as_str()) {
            continue;
        }
        let e = best.entry(path).or_insert(version);
        if compare_versions(version, e) == std::cmp::Ordering::Greater {
            *e = version;
        }
    }
    best.into_iter()
        .map(|(p, v)| Require {
            path: p.to_string(),
            version: v.to_string(),
            indirect: true,
            line: 0,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    fn run(text: &str) -> Catalog {
        parse_str(parse, "svc/go.mod", text).unwrap()
    }

    #[test]
    fn requires_replaces_excludes_and_tools() {
        let text = "module example.com/svc\n\ngo 1.24\n\nrequire github.com/a/b v1.2.3\nrequire (\n\t\"github.com/c/d\" v0.1.0 // indirect\n\tgithub.com/e/f v1.0.0\n\tgithub.com/old/x v1.0.0\n\tgithub.com/local/y v0.0.0\n\tgithub.com/gone/z v2.0.0+incompatible\n\tgolang.org/x/tools v0.30.0 // indirect; for tools\n)\n\nreplace github.com/old/x v1.0.0 => github.com/new/x v1.1.0\nreplace github.com/local/y => ../y\nexclude github.com/gone/z v2.0.0+incompatible\ntool golang.org/x/tools/cmd/stringer\nretract v1.0.1\ntoolchain go1.24.1\n";
        let c = run(text);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let got: Vec<(String, Option<u32>)> = c
            .packages
            .iter()
            .map(|p| {
                (
                    p.component.purl.to_string(),
                    p.component.locations.iter().next().unwrap().line,
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:golang/github.com/a/b@v1.2.3".to_string(), Some(5)),
                ("pkg:golang/github.com/c/d@v0.1.0".to_string(), Some(7)),
                ("pkg:golang/github.com/e/f@v1.0.0".to_string(), Some(8)),
                ("pkg:golang/github.com/new/x@v1.1.0".to_string(), Some(9)),
                (
                    "pkg:golang/golang.org/x/tools@v0.30.0".to_string(),
                    Some(12)
                ),
            ]
        );
        assert_eq!(c.packages[1].component.properties["indirect"], "true");
        assert_eq!(
            c.packages[3].component.properties["replaces"],
            "github.com/old/x v1.0.0"
        );
        let kinds: Vec<DepKind> = c.projects[0].deps.iter().map(|e| e.kind).collect();
        assert_eq!(
            kinds,
            [
                DepKind::Normal,
                DepKind::Normal,
                DepKind::Normal,
                DepKind::Normal,
                DepKind::Dev
            ]
        );
        assert_eq!(c.projects[0].name.as_deref(), Some("example.com/svc"));
        assert_eq!(c.projects[0].dir, "svc");
    }

    #[test]
    fn malformed() {
        let c = run("module x\nrequire github.com/a\nfrobnicate y\nreplace a b\n");
        assert_eq!(c.diagnostics.len(), 3, "{:?}", c.diagnostics);
        assert_eq!(c.diagnostics[0].line, Some(2));
        assert!(parse_str(parse, "go.mod", "module\n").is_err());
        assert!(run("").packages.is_empty());
        assert!(run("require (\n").packages.is_empty());
    }
}
