//! Elixir: `mix.lock`, a map from dependency name to `{:hex, :package, "version",
//! "inner checksum", [build tools], [deps], "repo", "outer checksum"}` or `{:git, "url",
//! "commit", [opts]}`. Hex packages are `pkg:hex/<package>@<version>` with the outer
//! checksum (SHA-256 of the tarball) as their hash; git dependencies carry the commit as
//! their version and a `vcs_url` qualifier. Dependency lists give the edges (`optional:
//! true` ones are Optional).
//!
//! The lockfile does not say which dependencies are direct or test-only; the `mix.exs`
//! beside it does, and is read through `Input::abs` with a conservative line scan (no
//! Elixir is evaluated): a `{:name, …}` entry is direct, and `only: :test` / `only: [:dev,
//! :test]` without `:prod` makes it a Dev edge. Without `mix.exs`, every package no other
//! package depends on is a direct Normal dependency.

use crate::terms::{self, Term};
use crate::{Input, ParseError};
use bomscout_core::{
    Catalog, Cataloger, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, Location,
    NodeRef, Project,
};
use std::collections::{BTreeMap, HashMap, HashSet};

/// Parses one `mix.lock`.
pub fn parse(_cataloger: Cataloger, input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let terms = terms::parse_all(text)?;
    let Some(Term::Map(entries)) = terms.first() else {
        return Err(ParseError::format("mix.lock must be a map (%{…})"));
    };
    let mut catalog = Catalog::default();
    let mut nodes: HashMap<String, usize> = HashMap::new();
    let mut deps: Vec<(usize, Vec<(String, DepKind)>)> = Vec::new();
    for (key, value) in entries {
        let Some(name) = key.text() else { continue };
        let line = line_of(text, name);
        match package(name, value) {
            Ok((c, edges)) => {
                if let NodeRef::Package(i) =
                    catalog.add_package(c.at(Location::at_line(input.path, line)))
                {
                    nodes.insert(name.to_string(), i);
                    deps.push((i, edges));
                }
            }
            Err(message) => catalog
                .diagnostics
                .push(Diagnostic::warning(input.path, format!("{name}: {message}")).at_line(line)),
        }
    }
    let mut depended: HashSet<usize> = HashSet::new();
    for (from, edges) in &deps {
        for (name, kind) in edges {
            if let Some(&to) = nodes.get(name) {
                catalog.add_edge(NodeRef::Package(*from), NodeRef::Package(to), *kind);
                depended.insert(to);
            }
        }
    }
    let mut project = Project::new(Ecosystem::Hex, input.path);
    let declared = input
        .abs
        .parent()
        .and_then(|d| std::fs::read_to_string(d.join("mix.exs")).ok())
        .map(|t| mix_exs_deps(&t));
    let roots: Vec<(usize, DepKind)> = match &declared {
        Some(declared) => declared
            .iter()
            .filter_map(|(n, k)| Some((*nodes.get(n)?, *k)))
            .collect(),
        None => {
            let mut roots: Vec<usize> = nodes
                .values()
                .copied()
                .filter(|i| !depended.contains(i))
                .collect();
            roots.sort_unstable();
            roots.into_iter().map(|i| (i, DepKind::Normal)).collect()
        }
    };
    for (i, kind) in roots {
        project.add_dep(NodeRef::Package(i), kind);
    }
    catalog.add_project(project);
    Ok(catalog)
}

type Edges = Vec<(String, DepKind)>;

fn package(name: &str, value: &Term) -> Result<(Component, Edges), String> {
    let items = value.items();
    match items.first().and_then(Term::text) {
        Some("hex") => {
            let package = items.get(1).and_then(Term::text).unwrap_or(name);
            let version = items.get(2).and_then(Term::text).ok_or("no version")?;
            let mut c = Component::new(Ecosystem::Hex, None, package, version)
                .map_err(|e| e.to_string())?;
            if let Some(h) = items
                .get(7)
                .and_then(Term::text)
                .and_then(|h| Hash::hex(HashAlg::Sha256, h))
            {
                c.add_hash(h);
            }
            if package != name {
                c.properties.insert("alias".into(), name.to_string());
            }
            let edges = items
                .get(5)
                .map(Term::items)
                .unwrap_or_default()
                .iter()
                .filter_map(edge)
                .collect();
            Ok((c, edges))
        }
        Some("git") => {
            let url = items.get(1).and_then(Term::text).ok_or("no URL")?;
            let commit = items.get(2).and_then(Term::text).ok_or("no commit")?;
            let c = Component::with_qualifiers(
                Ecosystem::Hex,
                None,
                name,
                commit,
                &[("vcs_url", &format!("git+{url}@{commit}"))],
            )
            .map_err(|e| e.to_string())?;
            Ok((c, Vec::new()))
        }
        other => Err(format!("unsupported source {other:?}")),
    }
}

/// `{:dep, "requirement", [hex: :dep, optional: bool, …]}`.
fn edge(t: &Term) -> Option<(String, DepKind)> {
    let items = t.items();
    let name = items.first()?.text()?.to_string();
    let optional = items
        .get(2)
        .and_then(|o| o.keyword("optional"))
        .and_then(Term::text)
        == Some("true");
    Some((
        name,
        if optional {
            DepKind::Optional
        } else {
            DepKind::Normal
        },
    ))
}

/// Direct dependencies declared in `mix.exs`, with Dev for `only:` lists without `:prod`.
fn mix_exs_deps(text: &str) -> BTreeMap<String, DepKind> {
    let mut out = BTreeMap::new();
    for line in text.lines() {
        let line = line.trim();
        let Some(rest) = line.strip_prefix("{:") else {
            continue;
        };
        let name: String = rest
            .chars()
            .take_while(|c| c.is_alphanumeric() || *c == '_')
            .collect();
        if name.is_empty() || !rest[name.len()..].trim_start().starts_with(',') {
            continue;
        }
        let dev = line.split_once("only:").is_some_and(|(_, only)| {
            let only = only.split(['}', ']']).next().unwrap_or(only);
            !only.contains(":prod")
                && (only.contains(":dev") || only.contains(":test") || only.contains(":docs"))
        });
        let kind = if dev {
            DepKind::Dev
        } else if line.contains("optional: true") {
            DepKind::Optional
        } else {
            DepKind::Normal
        };
        out.insert(name, kind);
    }
    out
}

fn line_of(text: &str, name: &str) -> u32 {
    text.find(&format!("\"{name}\":"))
        .map(|o| crate::text::line_of(text, o))
        .unwrap_or(1)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn hex_git_optional_and_roots() {
        let text = "%{\n  \"a\": {:hex, :a, \"1.0.0\", \"00\", [:mix], [{:b, \"~> 2.0\", [hex: :b, repo: \"hexpm\", optional: false]}, {:c, \"~> 1.0\", [hex: :c, repo: \"hexpm\", optional: true]}], \"hexpm\", \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},\n  \"b\": {:hex, :b, \"2.1.0\", \"00\", [:rebar3], [], \"hexpm\", \"00\"},\n  \"c\": {:hex, :c, \"1.0.0\", \"00\", [:mix], [], \"hexpm\", \"00\"},\n  \"g\": {:git, \"https://example.invalid/g.git\", \"abc123\", [branch: \"main\"]},\n}\n";
        let c = parse_str(|i| parse(Cataloger::MixLock, i), "mix.lock", text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls[..3],
            ["pkg:hex/a@1.0.0", "pkg:hex/b@2.1.0", "pkg:hex/c@1.0.0"]
        );
        assert!(
            purls[3].starts_with("pkg:hex/g@abc123?vcs_url="),
            "{}",
            purls[3]
        );
        assert_eq!(c.packages[0].component.hashes.len(), 1);
        assert_eq!(
            c.packages[0]
                .deps
                .iter()
                .map(|e| e.kind)
                .collect::<Vec<_>>(),
            [DepKind::Normal, DepKind::Optional]
        );
        assert_eq!(c.projects[0].deps.len(), 2, "a and g are roots");
        assert_eq!(
            c.packages[0]
                .component
                .locations
                .iter()
                .next()
                .unwrap()
                .line,
            Some(2)
        );
    }

    #[test]
    fn mix_exs_scan() {
        let exs = "  defp deps do\n    [\n      {:plug, \"~> 1.14\"},\n      {:jason, \"~> 1.0\", optional: true},\n      {:ex_doc, \"~> 0.29\", only: :docs},\n      {:credo, \">= 0.0.0\", only: [:dev, :test], runtime: false},\n      {:x, \"~> 1\", only: [:dev, :prod]},\n    ]\n";
        let d = mix_exs_deps(exs);
        assert_eq!(d["plug"], DepKind::Normal);
        assert_eq!(d["jason"], DepKind::Optional);
        assert_eq!(d["ex_doc"], DepKind::Dev);
        assert_eq!(d["credo"], DepKind::Dev);
        assert_eq!(d["x"], DepKind::Normal);
    }

    #[test]
    fn malformed() {
        assert!(parse_str(|i| parse(Cataloger::MixLock, i), "mix.lock", "[1]").is_err());
        assert!(parse_str(
            |i| parse(Cataloger::MixLock, i),
            "mix.lock",
            "%{\"a\": {:hex,"
        )
        .unwrap_err()
        .line()
        .is_some());
        let c = parse_str(
            |i| parse(Cataloger::MixLock, i),
            "mix.lock",
            "%{\"a\": {:svn, \"x\"}, \"b\": {:hex, :b}}",
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 2);
    }
}
