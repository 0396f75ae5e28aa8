//! Ruby: Bundler's `Gemfile.lock` / `gems.locked`, and installed gem specifications
//! (`specifications/*.gemspec`).
//!
//! `Gemfile.lock`: `GEM` specs (`    name (version[-platform])`, their dependency lines
//! indented two more), `GIT` specs (pinned to `revision`: a `vcs_url` qualifier), `PATH`
//! specs (first-party code: not components; their dependencies are the project's),
//! `DEPENDENCIES` (the project's direct dependencies; `!` marks a GIT/PATH source) and
//! `CHECKSUMS` (Bundler 2.5+, `sha256=` hashes). A gem locked for several platforms
//! (`nokogiri (1.16.0)`, `nokogiri (1.16.0-x86_64-linux)`) is one component, its platforms
//! a property: one package, one component. Which direct dependencies are development or
//! test only is in the `Gemfile` beside the lock (read through `Input::abs`, by a line scan
//! of `group :development, :test do … end` blocks and `group:`/`groups:` options; Ruby is
//! never evaluated); the rest are Normal.
//!
//! Installed `*.gemspec` files are Ruby written by RubyGems in a fixed shape:
//! `s.name = "x".freeze`, `s.version = "1.0"`, `s.licenses = ["MIT".freeze]` are read
//! line by line.

use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, NodeRef, Project,
};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Parses a `Gemfile.lock` / `gems.locked`.
pub fn parse_lockfile(input: &Input) -> Result<Catalog, ParseError> {
    lockfile(crate::text::utf8(input.bytes)?, input)
}

/// Parses an installed gem's `specifications/*.gemspec`.
pub fn parse_installed(input: &Input) -> Result<Catalog, ParseError> {
    gemspec(crate::text::utf8(input.bytes)?, input)
}

#[derive(Default)]
struct Spec {
    version: String,
    platforms: BTreeSet<String>,
    source: Option<(String, String)>,
    deps: Vec<String>,
    line: u32,
}

fn lockfile(text: &str, input: &Input) -> Result<Catalog, ParseError> {
    let mut specs: BTreeMap<String, Spec> = BTreeMap::new();
    let mut first_party: Vec<String> = Vec::new();
    let mut direct: Vec<String> = Vec::new();
    let mut checksums: HashMap<String, String> = HashMap::new();
    let mut section = "";
    let (mut remote, mut revision) = (String::new(), String::new());
    let mut current: Option<String> = None;
    let mut diagnostics = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line_no = i as u32 + 1;
        if !raw.starts_with(' ') && !raw.is_empty() {
            section = raw.trim();
            (remote, revision) = (String::new(), String::new());
            current = None;
            continue;
        }
        let indent = raw.len() - raw.trim_start().len();
        let body = raw.trim();
        match (section, indent) {
            ("GEM" | "GIT" | "PATH", 2) => {
                if let Some(r) = body.strip_prefix("remote: ") {
                    remote = r.to_string();
                } else if let Some(r) = body.strip_prefix("revision: ") {
                    revision = r.to_string();
                }
            }
            ("GEM" | "GIT" | "PATH", 4) => {
                let Some((name, version)) = name_version(body) else {
                    diagnostics.push(
                        Diagnostic::warning(
                            input.path(),
                            format!("{} is not `name (version)`", quote(body, QUOTE_LIMIT)),
                        )
                        .at_line(line_no),
                    );
                    continue;
                };
                if section == "PATH" {
                    first_party.push(name.to_string());
                    current = Some(format!("PATH {name}"));
                    continue;
                }
                let (version, platform) = match version.split_once('-') {
                    Some((v, p)) => (v, Some(p)),
                    None => (version, None),
                };
                let spec = specs.entry(name.to_string()).or_insert_with(|| Spec {
                    version: version.to_string(),
                    line: line_no,
                    ..Spec::default()
                });
                if let Some(p) = platform {
                    spec.platforms.insert(p.to_string());
                }
                if section == "GIT" {
                    spec.source = Some((remote.clone(), revision.clone()));
                }
                current = Some(name.to_string());
            }
            ("GEM" | "GIT" | "PATH", 6) => {
                let dep = body
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .to_string();
                match &current {
                    Some(c) if c.starts_with("PATH ") => direct.push(dep),
                    Some(c) => {
                        if let Some(s) = specs.get_mut(c) {
                            if !s.deps.contains(&dep) {
                                s.deps.push(dep);
                            }
                        }
                    }
                    None => {}
                }
            }
            ("DEPENDENCIES", 2) => {
                let name = body
                    .split_whitespace()
                    .next()
                    .unwrap_or_default()
                    .trim_end_matches('!');
                direct.push(name.to_string());
            }
            ("CHECKSUMS", 2) => {
                if let (Some((name, version)), Some(sum)) = (
                    name_version(body),
                    body.split_whitespace()
                        .find_map(|w| w.strip_prefix("sha256=")),
                ) {
                    if !version.contains('-') {
                        checksums.insert(name.to_string(), sum.to_string());
                    } else {
                        checksums
                            .entry(name.to_string())
                            .or_insert_with(|| sum.to_string());
                    }
                }
            }
            _ => {}
        }
    }
    if specs.is_empty() && first_party.is_empty() && !text.contains("GEM") {
        return Err(ParseError::format(
            "not a Gemfile.lock: no GEM, GIT or PATH section",
        ));
    }
    let mut catalog = Catalog {
        diagnostics,
        ..Catalog::default()
    };
    let mut nodes: HashMap<String, NodeRef> = HashMap::new();
    for (name, spec) in &specs {
        let result = match &spec.source {
            Some((url, rev)) => Component::with_qualifiers(
                Ecosystem::Gem,
                None,
                name,
                &spec.version,
                &[("vcs_url", &format!("git+{url}@{rev}"))],
            ),
            None => Component::new(Ecosystem::Gem, None, name, &spec.version),
        };
        let mut c = match result {
            Ok(c) => c,
            Err(e) => {
                catalog.diagnostics.push(
                    Diagnostic::warning(input.path(), format!("{name}: {e}")).at_line(spec.line),
                );
                continue;
            }
        };
        if !spec.platforms.is_empty() {
            c.properties.insert(
                "platforms".into(),
                spec.platforms.iter().cloned().collect::<Vec<_>>().join(","),
            );
        }
        if let Some(h) = checksums
            .get(name)
            .and_then(|h| Hash::hex(HashAlg::Sha256, h))
        {
            c.add_hash(h);
        }
        nodes.insert(
            name.clone(),
            catalog.add_package(c.at(input.at_line(spec.line))),
        );
    }
    for (name, spec) in &specs {
        let Some(&from) = nodes.get(name) else {
            continue;
        };
        for d in &spec.deps {
            if let Some(&to) = nodes.get(d) {
                catalog.add_edge(from, to, DepKind::Normal);
            }
        }
    }
    let groups = crate::text::sibling(input, "Gemfile")
        .map(|t| dev_gems(&t))
        .unwrap_or_default();
    let mut project = Project::new(Ecosystem::Gem, input.path());
    let mut seen = BTreeSet::new();
    for name in direct {
        if !seen.insert(name.clone()) {
            continue;
        }
        if let Some(&to) = nodes.get(&name) {
            project.add_dep(
                to,
                if groups.contains(&name) {
                    DepKind::Dev
                } else {
                    DepKind::Normal
                },
            );
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// `name (version)` → `(name, version)`.
fn name_version(body: &str) -> Option<(&str, &str)> {
    let (name, rest) = body.split_once(" (")?;
    let version = rest.split(')').next()?;
    Some((name.trim(), version.trim()))
}

/// Gems the Gemfile declares only in development/test groups.
fn dev_gems(text: &str) -> BTreeSet<String> {
    let dev_group = |g: &str| {
        let names: Vec<&str> = g
            .split(',')
            .map(|n| {
                n.trim_matches(['"', '\'', '[', ']', ' '])
                    .trim_start_matches(':')
            })
            .filter(|n| !n.is_empty())
            .collect();
        !names.is_empty()
            && names.iter().all(|n| {
                matches!(
                    *n,
                    "development" | "test" | "dev" | "ci" | "lint" | "rubocop"
                )
            })
    };
    let mut out = BTreeSet::new();
    let mut stack: Vec<bool> = Vec::new();
    for line in text.lines() {
        let l = line.trim();
        if let Some(g) = l.strip_prefix("group ") {
            stack.push(dev_group(g.trim_end_matches(" do").trim_end_matches("do")));
            continue;
        }
        if (l.ends_with(" do") || l == "do") && !l.starts_with("gem ") {
            stack.push(stack.last().copied().unwrap_or(false));
            continue;
        }
        if l == "end" {
            stack.pop();
            continue;
        }
        let Some(rest) = l.strip_prefix("gem ") else {
            continue;
        };
        let name = rest
            .trim_start()
            .trim_start_matches(['"', '\''])
            .split(['"', '\''])
            .next()
            .unwrap_or_default();
        let inline = rest
            .split_once("group:")
            .or_else(|| rest.split_once("groups:"))
            .map(|(_, g)| dev_group(g.split(['}', ']']).next().unwrap_or(g)));
        if inline.unwrap_or(stack.last().copied().unwrap_or(false)) {
            out.insert(name.to_string());
        }
    }
    out
}

fn gemspec(text: &str, input: &Input) -> Result<Catalog, ParseError> {
    let field = |key: &str| -> Option<String> {
        text.lines().find_map(|l| {
            let l = l.trim();
            let rest = l
                .strip_prefix("s.")
                .or_else(|| l.strip_prefix("spec."))?
                .strip_prefix(key)?
                .trim_start()
                .strip_prefix('=')?;
            Some(rest.trim().to_string())
        })
    };
    let quoted = |v: &str| -> Vec<String> {
        v.split(['"', '\''])
            .skip(1)
            .step_by(2)
            .map(str::to_string)
            .collect()
    };
    let name = field("name")
        .and_then(|v| quoted(&v).into_iter().next())
        .ok_or_else(|| ParseError::format("no `s.name =` line"))?;
    let version = field("version")
        .and_then(|v| quoted(&v).into_iter().next())
        .ok_or_else(|| ParseError::format("no `s.version =` line"))?;
    let mut c = Component::new(Ecosystem::Gem, None, &name, &version)
        .map_err(|e| ParseError::format(e.to_string()))?;
    let licenses = field("licenses")
        .map(|v| quoted(&v))
        .or_else(|| field("license").map(|v| quoted(&v)))
        .unwrap_or_default();
    for l in licenses {
        c.add_license(input.license(&l, "licenses"));
    }
    let mut catalog = Catalog::default();
    catalog.add_package(c.at(input.location()));
    Ok(catalog)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn gemfile_groups() {
        let g = "source 'https://example.invalid'\ngem 'rails'\ngroup :development, :test do\n  gem 'rspec-rails'\n  platforms :mri do\n    gem 'byebug'\n  end\nend\ngem 'puma', group: :production\ngem \"rubocop\", require: false, groups: [:development]\ngroup :production, :test do\n  gem 'pg'\nend\n";
        let d = dev_gems(g);
        assert_eq!(
            d.into_iter().collect::<Vec<_>>(),
            ["byebug", "rspec-rails", "rubocop"]
        );
    }

    #[test]
    fn gemspec_lines() {
        let text = "# -*- encoding: utf-8 -*-\nGem::Specification.new do |s|\n  s.name = \"rake\".freeze\n  s.version = \"13.0.6\"\n  s.licenses = [\"MIT\".freeze]\nend\n";
        let c = parse_str(parse_installed, "specifications/rake-13.0.6.gemspec", text).unwrap();
        assert_eq!(c.packages[0].component.purl.as_str(), "pkg:gem/rake@13.0.6");
        assert_eq!(c.packages[0].component.licenses[0].raw, "MIT");
        assert!(parse_str(parse_installed, "x.gemspec", "nothing").is_err());
    }

    #[test]
    fn malformed_lock() {
        assert!(parse_str(parse_lockfile, "Gemfile.lock", "hello\n").is_err());
        let c = parse_str(
            parse_lockfile,
            "Gemfile.lock",
            "GEM\n  remote: x\n  specs:\n    broken\n    ok (1.0)\n",
        )
        .unwrap();
        assert_eq!(c.packages.len(), 1);
        assert_eq!(c.diagnostics[0].line, Some(4));
    }
}
