//! Elixir: `mix.lock`, a map from dependency name to `{:hex, :package, "version",
//! "inner checksum", [build tools], [deps], "repo", "outer checksum"}` or `{:git, "url",
//! "commit", [opts]}`. Hex packages are `pkg:hex/<package>@<version>` with the outer
//! checksum (SHA-256 of the tarball) as their hash; git dependencies are named by their
//! repository at the commit ([`crate::vcs::git_component`]: `pkg:github/<owner>/<repo>@<commit>`,
//! or `pkg:generic/<name>@<commit>?vcs_url=…` off GitHub and Bitbucket), not as hex packages. Dependency lists give the edges (`optional:
//! true` ones are Optional).
//!
//! The lockfile does not say which dependencies are direct or test-only; the `mix.exs`
//! beside it does, and is read through `Input::abs` with a conservative line scan (no
//! Elixir is evaluated): a `{:name, …}` entry is direct, and `only: :test` / `only: [:dev,
//! :test]` without `:prod` makes it a Dev edge. Without `mix.exs`, every package no other
//! package depends on is a direct Normal dependency.
//!
//! Licenses: the lockfile has none, but `mix deps.get` unpacks each hex package into
//! `deps/<name>/` beside the lock, with the package's `hex_metadata.config`. That directory
//! is part of the project tree (not a user-level cache), so it is read whenever it is there:
//! the metadata's `licenses` list gives the declared licenses (one statement each, like a
//! gemspec's `licenses` or npm's legacy `licenses`: the package is under all of them), and
//! the directory's license files confirm them, contradict them (a warning) or stand in for
//! them ([`crate::license_files`]). The metadata must name the locked package and version;
//! a `deps/` left from another version is not evidence for this one (an info diagnostic
//! says so). A metadata file that cannot be read or parsed is a warning naming it, and the
//! package gets no evidence from `deps/`. Git dependencies are not looked up.

use crate::terms::{self, Term};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, License, NodeRef, Project,
    Severity,
};
use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

/// Parses one `mix.lock`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let terms = terms::parse_all(text)?;
    let Some(Term::Map(entries)) = terms.first() else {
        return Err(ParseError::format("mix.lock must be a map (%{…})"));
    };
    let mut catalog = Catalog::default();
    let mut nodes: HashMap<String, usize> = HashMap::new();
    let mut deps: Vec<(usize, Vec<(String, DepKind)>)> = Vec::new();
    let lines = entry_lines(text);
    for (key, value) in entries {
        let Some(name) = key.text() else { continue };
        let line = lines.get(name).unwrap_or(1);
        match package(name, value) {
            Ok((mut c, edges)) => {
                if value.items().first().and_then(Term::text) == Some("hex") {
                    let found = deps_licenses(&mut c, name, input);
                    catalog.diagnostics.extend(found);
                }
                if let NodeRef::Package(i) = catalog.add_package(c.at(input.at_line(line))) {
                    nodes.insert(name.to_string(), i);
                    deps.push((i, edges));
                }
            }
            Err(message) => catalog.diagnostics.push(
                Diagnostic::warning(input.path(), format!("{name}: {message}")).at_line(line),
            ),
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
    let mut project = Project::new(Ecosystem::Hex, input.path());
    let declared = crate::text::sibling(input, "mix.exs").map(|t| mix_exs_deps(&t));
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
            let c = crate::vcs::git_component(Ecosystem::Hex, name, url, commit)
                .map_err(|e| e.to_string())?;
            Ok((c, Vec::new()))
        }
        other => Err(format!(
            "unsupported source {}",
            quote(other.unwrap_or("(none)"), QUOTE_LIMIT)
        )),
    }
}

/// Bytes read of one `hex_metadata.config` (they are a few kilobytes).
const MAX_METADATA: u64 = 1024 * 1024;

/// Adds the license evidence of `deps/<name>/` beside the lock, if that directory holds
/// the locked hex package (see the module docs). Returns the diagnostics.
fn deps_licenses(c: &mut Component, name: &str, input: &Input) -> Vec<Diagnostic> {
    match input.abs.parent() {
        Some(lock_dir) if crate::paths::is_plain_name(name) => {
            let rel = crate::paths::join_dir(crate::paths::dir_of(input.path()), "deps");
            add_deps_licenses(c, name, &lock_dir.join("deps"), &rel, input)
        }
        _ => Vec::new(),
    }
}

/// [`deps_licenses`] with the `deps` directory given: `deps` on disk, `rel` as shown.
fn add_deps_licenses(
    c: &mut Component,
    name: &str,
    deps: &Path,
    rel: &str,
    input: &Input,
) -> Vec<Diagnostic> {
    let dir = deps.join(name);
    let shown_dir = format!("{rel}/{name}");
    let shown = format!("{shown_dir}/hex_metadata.config");
    let text = match crate::text::read_side_file(
        input.tree,
        &dir.join("hex_metadata.config"),
        MAX_METADATA,
    ) {
        Ok(Some(text)) => text,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![unused(input, &shown, &e)],
    };
    let meta = match HexMetadata::parse(&text) {
        Ok(meta) => meta,
        Err(e) => return vec![unused(input, &shown, &e)],
    };
    let locked = (c.name.as_str(), c.version.as_deref().unwrap_or_default());
    if (
        meta.name.as_deref().unwrap_or(locked.0),
        meta.version.as_str(),
    ) != locked
    {
        return vec![Diagnostic::new(
            Severity::Info,
            input.path(),
            format!(
                "{shown_dir} holds {} {}, not the locked {} {}: its licenses are not used (run `mix deps.get`)",
                meta.name.as_deref().unwrap_or(locked.0),
                meta.version,
                locked.0,
                locked.1
            ),
        )];
    }
    for l in &meta.licenses {
        c.add_license(License::declared(l, &shown, "licenses"));
    }
    crate::license_files::add_evidence(
        input.tree,
        c,
        &dir,
        &shown_dir,
        &[],
        input.options.license_threshold,
    )
    .into_iter()
    .map(|m| Diagnostic::warning(input.path(), m))
    .collect()
}

/// The warning for a `hex_metadata.config` that cannot be used.
fn unused(input: &Input, shown: &str, why: &str) -> Diagnostic {
    Diagnostic::warning(
        input.path(),
        format!("{shown}: {why}; the package's licenses in deps/ are not used"),
    )
}

/// What a package's `hex_metadata.config` (Erlang terms `{<<"key">>, value}.`) says.
#[derive(Debug, PartialEq)]
struct HexMetadata {
    name: Option<String>,
    version: String,
    licenses: Vec<String>,
}

impl HexMetadata {
    fn parse(text: &str) -> Result<HexMetadata, String> {
        let terms = terms::parse_all(text).map_err(|e| format!("not Erlang terms: {e}"))?;
        let field = |key: &str| {
            terms.iter().find_map(|t| match t.items() {
                [k, v] if k.text() == Some(key) => Some(v),
                _ => None,
            })
        };
        let text_of = |key: &str| field(key).and_then(Term::text).map(str::to_string);
        let version = text_of("version").ok_or("no version")?;
        let licenses = match field("licenses") {
            None => Vec::new(),
            Some(Term::List(items)) => items
                .iter()
                .filter_map(|t| match t {
                    Term::Str(s) if !s.trim().is_empty() => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            Some(_) => return Err("`licenses` is not a list".into()),
        };
        Ok(HexMetadata {
            name: text_of("name"),
            version,
            licenses,
        })
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
        if name.is_empty()
            || !rest
                .get(name.len()..)
                .unwrap_or_default()
                .trim_start()
                .starts_with(',')
        {
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

/// The line of each entry, `"name": {…}`, found once.
fn entry_lines(text: &str) -> crate::text::KeyLines<'_> {
    crate::text::KeyLines::new(text, |l| crate::text::json_key(l).map(|(key, _)| key))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{parse_str, MIT_TEXT};
    use bomscout_core::SourceKind;

    #[test]
    fn hex_git_optional_and_roots() {
        let text = "%{\n  \"a\": {:hex, :a, \"1.0.0\", \"00\", [:mix], [{:b, \"~> 2.0\", [hex: :b, repo: \"hexpm\", optional: false]}, {:c, \"~> 1.0\", [hex: :c, repo: \"hexpm\", optional: true]}], \"hexpm\", \"9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08\"},\n  \"b\": {:hex, :b, \"2.1.0\", \"00\", [:rebar3], [], \"hexpm\", \"00\"},\n  \"c\": {:hex, :c, \"1.0.0\", \"00\", [:mix], [], \"hexpm\", \"00\"},\n  \"g\": {:git, \"https://example.invalid/g.git\", \"abc123\", [branch: \"main\"]},\n  \"z\": {:git, \"https://github.com/zeromq/erlzmq2.git\", \"573d583\", []},\n}\n";
        let c = parse_str(parse, "mix.lock", text).unwrap();
        let purls: Vec<String> = c
            .packages
            .iter()
            .map(|p| p.component.purl.to_string())
            .collect();
        assert_eq!(
            purls[..3],
            ["pkg:hex/a@1.0.0", "pkg:hex/b@2.1.0", "pkg:hex/c@1.0.0"]
        );
        assert_eq!(
            purls[3],
            "pkg:generic/g@abc123?vcs_url=git%2Bhttps:%2F%2Fexample.invalid%2Fg.git%40abc123"
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
        assert_eq!(purls[4], "pkg:github/zeromq/erlzmq2@573d583");
        assert_eq!(c.packages[4].component.properties["package"], "hex:z");
        assert_eq!(c.projects[0].deps.len(), 3, "a, g and z are roots");
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

    const LOCK: &str = "%{\n  \"jason\": {:hex, :jason, \"1.4.1\", \"00\", [:mix], [], \"hexpm\", \"00\"},\n  \"other\": {:hex, :other, \"2.0.0\", \"00\", [:mix], [], \"hexpm\", \"00\"},\n}\n";

    /// `app/mix.lock` with `LOCK`, and `app/deps/jason/` holding `metadata` and `license`.
    fn project(metadata: Option<&str>, license: Option<&str>) -> (tempfile::TempDir, Catalog) {
        let root = tempfile::tempdir().unwrap();
        let dep = root.path().join("app/deps/jason");
        std::fs::create_dir_all(&dep).unwrap();
        if let Some(m) = metadata {
            std::fs::write(dep.join("hex_metadata.config"), m).unwrap();
        }
        if let Some(l) = license {
            std::fs::write(dep.join("LICENSE"), l).unwrap();
        }
        let c = crate::parse_in(parse, root.path(), "app/mix.lock", LOCK).unwrap();
        (root, c)
    }

    fn metadata(licenses: &str) -> String {
        format!("{{<<\"app\">>,<<\"jason\">>}}.\n{{<<\"build_tools\">>,[<<\"mix\">>]}}.\n{{<<\"description\">>,<<\"A blazing fast JSON parser \u{2014} in pure Elixir.\"/utf8>>}}.\n{{<<\"licenses\">>,[{licenses}]}}.\n{{<<\"links\">>,[{{<<\"GitHub\">>,<<\"https://example.invalid/jason\">>}}]}}.\n{{<<\"name\">>,<<\"jason\">>}}.\n{{<<\"requirements\">>,\n  [{{<<\"decimal\">>,\n    [{{<<\"app\">>,<<\"decimal\">>}},\n     {{<<\"optional\">>,true}},\n     {{<<\"repository\">>,<<\"hexpm\">>}},\n     {{<<\"requirement\">>,<<\"~> 1.0 or ~> 2.0\">>}}]}}]}}.\n{{<<\"version\">>,<<\"1.4.1\">>}}.\n")
    }

    fn licenses(c: &Catalog) -> Vec<(&str, SourceKind, &str, &str)> {
        crate::license_rows(&c.packages[0].component)
    }

    #[test]
    fn deps_metadata_is_confirmed_by_the_license_file() {
        let (_root, c) = project(Some(&metadata("<<\"MIT\">>")), Some(MIT_TEXT));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            licenses(&c),
            [
                (
                    "MIT",
                    SourceKind::Declared,
                    "app/deps/jason/hex_metadata.config",
                    "licenses"
                ),
                (
                    "MIT",
                    SourceKind::File,
                    "app/deps/jason/LICENSE",
                    "license-file"
                ),
            ]
        );
        let print = &c.packages[0].component.properties["license-file-sha256"];
        assert!(print.starts_with("LICENSE:"), "{print}");
        // The other package has no deps/ directory: no evidence, no diagnostic.
        assert!(c.packages[1].component.licenses.is_empty());
    }

    #[test]
    fn a_license_file_stands_in_for_missing_metadata_licenses() {
        let (_root, c) = project(Some(&metadata("")), Some(MIT_TEXT));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(
            licenses(&c),
            [(
                "MIT",
                SourceKind::File,
                "app/deps/jason/LICENSE",
                "license-file"
            )]
        );
        assert!(c.packages[0].component.licenses[0].confidence.unwrap() > 0.9);
    }

    #[test]
    fn every_listed_license_is_declared() {
        let (_root, c) = project(Some(&metadata("<<\"Apache-2.0\">>,<<\"MIT\">>")), None);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let raw: Vec<(&str, SourceKind)> = licenses(&c).iter().map(|l| (l.0, l.1)).collect();
        assert_eq!(
            raw,
            [
                ("Apache-2.0", SourceKind::Declared),
                ("MIT", SourceKind::Declared)
            ]
        );
        assert!(!c.packages[0]
            .component
            .properties
            .contains_key("license-file-sha256"));
    }

    #[test]
    fn a_contradicting_license_file_is_a_warning() {
        let (_root, c) = project(Some(&metadata("<<\"GPL-3.0-only\">>")), Some(MIT_TEXT));
        assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
        let d = &c.diagnostics[0];
        assert_eq!(d.severity, Severity::Warning);
        assert_eq!(d.path, "app/mix.lock");
        assert!(
            d.message
                .contains("declares GPL-3.0-only but app/deps/jason/LICENSE reads as MIT"),
            "{}",
            d.message
        );
        assert_eq!(licenses(&c)[0].0, "GPL-3.0-only");
        assert_eq!(licenses(&c)[1].1, SourceKind::File);
    }

    #[test]
    fn deps_of_another_version_are_not_evidence() {
        let stale = metadata("<<\"MIT\">>").replace("<<\"1.4.1\">>", "<<\"1.3.0\">>");
        let (_root, c) = project(Some(&stale), Some(MIT_TEXT));
        assert!(c.packages[0].component.licenses.is_empty());
        assert_eq!(c.diagnostics.len(), 1);
        assert_eq!(c.diagnostics[0].severity, Severity::Info);
        assert!(
            c.diagnostics[0]
                .message
                .contains("app/deps/jason holds jason 1.3.0, not the locked jason 1.4.1"),
            "{}",
            c.diagnostics[0].message
        );
    }

    #[test]
    fn malformed_metadata_is_a_warning_naming_it() {
        for bad in [
            "{<<\"version\">>,<<\"1.4.1\">>",
            "{<<\"licenses\">>,[<<\"MIT\">>]}.",
            "{<<\"version\">>,<<\"1.4.1\">>}. {<<\"licenses\">>,<<\"MIT\">>}.",
            "\u{0}\u{1}",
        ] {
            let (_root, c) = project(Some(bad), Some(MIT_TEXT));
            assert!(c.packages[0].component.licenses.is_empty(), "{bad}");
            assert_eq!(c.diagnostics.len(), 1, "{bad}");
            assert_eq!(c.diagnostics[0].severity, Severity::Warning);
            assert!(
                c.diagnostics[0]
                    .message
                    .starts_with("app/deps/jason/hex_metadata.config: "),
                "{}",
                c.diagnostics[0].message
            );
        }
    }

    #[test]
    fn no_deps_no_evidence() {
        // A deps/ directory without metadata (not a hex checkout) is not read either.
        let (_root, c) = project(None, Some(MIT_TEXT));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert!(c.packages.iter().all(|p| p.component.licenses.is_empty()));
        let root = tempfile::tempdir().unwrap();
        let c = crate::parse_in(parse, root.path(), "mix.lock", LOCK).unwrap();
        assert!(c.diagnostics.is_empty());
        assert!(c.packages.iter().all(|p| p.component.licenses.is_empty()));
    }

    #[test]
    fn malformed() {
        assert!(parse_str(parse, "mix.lock", "[1]").is_err());
        assert!(parse_str(parse, "mix.lock", "%{\"a\": {:hex,")
            .unwrap_err()
            .line()
            .is_some());
        let c = parse_str(
            parse,
            "mix.lock",
            "%{\"a\": {:svn, \"x\"}, \"b\": {:hex, :b}}",
        )
        .unwrap();
        assert_eq!(c.diagnostics.len(), 2);
    }
}
