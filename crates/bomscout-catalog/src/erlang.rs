//! Erlang: `rebar.lock`. Version 1.1+ is `{"1.2.0", [Entries]}.` followed by
//! `[{pkg_hash, …}, {pkg_hash_ext, …}].`; the legacy format is a bare `[Entries].`. An
//! entry is `{<<"name">>, Source, Level}`: level 0 is a direct dependency of the project,
//! deeper levels transitive (rebar.lock does not record who depends on whom, so they are
//! Normal edges of the project marked `indirect`). `{pkg, <<"name">>, <<"version">>}` is
//! `pkg:hex/name@version` with `pkg_hash_ext` (SHA-256 of the tarball) as its hash;
//! `{git, "url", {ref|tag|branch, "…"}}` a git source, named by its repository
//! ([`crate::vcs::git_component`]: `pkg:github/<owner>/<repo>@<ref>`, not a hex package).

use crate::terms::{self, Term};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, Project};
use std::collections::HashMap;

/// Parses one `rebar.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let terms = terms::parse_all(text)?;
    let entries = match terms.first() {
        Some(Term::Tuple(t)) => t.get(1).map(Term::items).unwrap_or_default(),
        Some(Term::List(l)) => l.as_slice(),
        Some(_) => {
            return Err(ParseError::format(
                "rebar.lock must start with {Version, [Deps]} or [Deps]",
            ))
        }
        None => &[],
    };
    let hashes = outer_hashes(terms.get(1));
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Hex, input.path());
    let strings = crate::text::KeyLines::new(text, crate::text::quoted_strings);
    for entry in entries {
        let items = entry.items();
        let (Some(name), Some(source)) = (items.first().and_then(Term::text), items.get(1)) else {
            continue;
        };
        let level = items
            .get(2)
            .and_then(Term::text)
            .and_then(|l| l.parse::<u32>().ok())
            .unwrap_or(0);
        let line = strings.get(name).unwrap_or(1);
        match component(name, source) {
            Ok(mut c) => {
                if let Some(h) = hashes
                    .get(name)
                    .and_then(|h| Hash::hex(HashAlg::Sha256, &h.to_ascii_lowercase()))
                {
                    c.add_hash(h);
                }
                if level > 0 {
                    c.properties.insert("indirect".into(), "true".into());
                }
                let node = catalog.add_package(c.at(input.at_line(line)));
                project.add_dep(node, DepKind::Normal);
            }
            Err(message) => catalog.diagnostics.push(
                Diagnostic::warning(input.path(), format!("{name}: {message}")).at_line(line),
            ),
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

fn component(name: &str, source: &Term) -> Result<Component, String> {
    let s = source.items();
    match s.first().and_then(Term::text) {
        Some("pkg") => {
            let package = s.get(1).and_then(Term::text).unwrap_or(name);
            let version = s.get(2).and_then(Term::text).ok_or("no version")?;
            Component::new(Ecosystem::Hex, None, package, version).map_err(|e| e.to_string())
        }
        Some("git") => {
            let url = s.get(1).and_then(Term::text).ok_or("no URL")?;
            let reference = s
                .get(2)
                .map(Term::items)
                .and_then(|r| r.get(1))
                .and_then(Term::text)
                .ok_or("no ref")?;
            crate::vcs::git_component(Ecosystem::Hex, name, url, reference)
                .map_err(|e| e.to_string())
        }
        other => Err(format!(
            "unsupported source {}",
            quote(other.unwrap_or("(none)"), QUOTE_LIMIT)
        )),
    }
}

/// `name` → `pkg_hash_ext` (else `pkg_hash`).
fn outer_hashes(term: Option<&Term>) -> HashMap<String, String> {
    let mut out = HashMap::new();
    for kind in ["pkg_hash", "pkg_hash_ext"] {
        for section in term.map(Term::items).unwrap_or_default() {
            let s = section.items();
            if s.first().and_then(Term::text) != Some(kind) {
                continue;
            }
            for pair in s.get(1).map(Term::items).unwrap_or_default() {
                if let [n, h] = pair.items() {
                    if let (Some(n), Some(h)) = (n.text(), h.text()) {
                        out.insert(n.to_string(), h.to_string());
                    }
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn git_dependencies_are_their_repositories_not_hex_packages() {
        let lock = "{\"1.2.0\",\n[{<<\"erlzmq\">>,\n  {git,\"https://github.com/zeromq/erlzmq2\",\n       {ref,\"573d583930c4b1134e504bc6c2c0f2f3ce0aef52\"}},\n  0},\n {<<\"x\">>,{git,\"https://gitlab.example.invalid/t/x.git\",{ref,\"abc\"}},1},\n {<<\"meck\">>,{pkg,<<\"meck\">>,<<\"0.9.2\">>},0}]}.\n";
        let c = parse_str(parse, "rebar.lock", lock).unwrap();
        let purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        assert_eq!(
            purls,
            [
                "pkg:github/zeromq/erlzmq2@573d583930c4b1134e504bc6c2c0f2f3ce0aef52",
                "pkg:generic/x@abc?vcs_url=git%2Bhttps:%2F%2Fgitlab.example.invalid%2Ft%2Fx.git%40abc",
                "pkg:hex/meck@0.9.2",
            ]
        );
        assert_eq!(c.packages[0].component.properties["package"], "hex:erlzmq");
        assert_eq!(c.packages[0].component.ecosystem, Ecosystem::Github);
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "rebar.lock", "<<\"x\">>.").is_err());
        assert!(parse_str(parse, "rebar.lock", "{\"1.2.0\", [")
            .unwrap_err()
            .line()
            .is_some());
        let c = parse_str(parse, "rebar.lock", "[{<<\"a\">>,{hg,\"x\"},0}].").unwrap();
        assert_eq!(c.diagnostics.len(), 1);
        assert!(parse_str(parse, "rebar.lock", "[].")
            .unwrap()
            .packages
            .is_empty());
    }
}
