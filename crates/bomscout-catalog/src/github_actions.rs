//! GitHub Actions: the actions and reusable workflows a repository's CI runs.
//!
//! Reads `.github/workflows/*.yml` (`jobs.<id>.uses` for reusable workflows,
//! `jobs.<id>.steps[].uses` for actions) and `action.yml` (a composite action's
//! `runs.steps[].uses`, a Docker action's `runs.image`). Each `owner/repo[/path]@ref`
//! becomes `pkg:github/owner/repo@ref` (the purl type lowercases owner and repository; a
//! path inside the repository is kept as the property `path`), with the property `pinned`:
//! `commit` for a full 40-hex commit id, else `tag-or-branch` (a mutable reference: the
//! supply-chain risk a policy may want to see). `docker://image:tag` becomes
//! `pkg:docker/image@tag`. Local actions (`./…`) are first-party and skipped.
//!
//! The repository (the directory holding `.github`, or the action's own directory) is the
//! project; its edges to actions are dev edges: CI tooling is inventoried, not shipped, so
//! a license gate over shipped scopes does not fail on actions that declare no license.

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Ecosystem, Project};
use serde_norway::Value;
use std::collections::HashMap;

/// Parses a workflow or an action file.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let doc: Value = crate::nesting::yaml(text)?;
    let mut uses = Vec::new();
    collect(&doc, &mut uses);
    let mut catalog = Catalog::default();
    let mut project = Project::in_dir(Ecosystem::Github, project_dir(input.path()), input.path());
    let mut lines = UsesLines::new(text);
    for reference in uses {
        let line = lines.find(&reference);
        let location = match line {
            Some(l) => input.at_line(l),
            None => input.location(),
        };
        match component(&reference) {
            Ok(Some(c)) => {
                let node = catalog.add_package(c.at(location));
                project.add_dep(node, DepKind::Dev);
            }
            Ok(None) => {}
            Err(message) => {
                let mut d = bomscout_core::Diagnostic::warning(input.path(), message);
                d.line = line;
                catalog.diagnostics.push(d);
            }
        }
    }
    catalog.add_project(project);
    Ok(catalog)
}

/// Every `uses:` value (and a Docker action's `runs.image`), in document order.
fn collect(doc: &Value, out: &mut Vec<String>) {
    if let Some(jobs) = doc.get("jobs").and_then(Value::as_mapping) {
        for job in jobs.values() {
            if let Some(u) = job.get("uses").and_then(Value::as_str) {
                out.push(u.trim().to_string());
            }
            steps(job.get("steps"), out);
        }
    }
    if let Some(runs) = doc.get("runs") {
        steps(runs.get("steps"), out);
        if let Some(image) = runs.get("image").and_then(Value::as_str) {
            if image.starts_with("docker://") {
                out.push(image.trim().to_string());
            }
        }
    }
}

fn steps(steps: Option<&Value>, out: &mut Vec<String>) {
    for step in steps.and_then(Value::as_sequence).into_iter().flatten() {
        if let Some(u) = step.get("uses").and_then(Value::as_str) {
            out.push(u.trim().to_string());
        }
    }
}

/// The component a `uses:` names; `None` for a local action; `Err` for a reference that
/// cannot be read (no `@ref`, an expression).
fn component(reference: &str) -> Result<Option<Component>, String> {
    if reference.starts_with("./") || reference.starts_with("../") {
        return Ok(None);
    }
    if let Some(image) = reference.strip_prefix("docker://") {
        return docker(image).map(Some);
    }
    if reference.contains("${{") {
        return Err(format!(
            "`uses: {reference}` is an expression; it cannot be resolved statically"
        ));
    }
    let Some((path, git_ref)) = reference.rsplit_once('@') else {
        return Err(format!(
            "`uses: {reference}` has no @ref: GitHub requires one"
        ));
    };
    let mut parts = path.splitn(3, '/');
    let (Some(owner), Some(repo)) = (parts.next(), parts.next()) else {
        return Err(format!("`uses: {reference}` is not owner/repo@ref"));
    };
    if owner.is_empty() || repo.is_empty() || git_ref.is_empty() {
        return Err(format!("`uses: {reference}` is not owner/repo@ref"));
    }
    let owner = owner.to_ascii_lowercase();
    let repo = repo.to_ascii_lowercase();
    let mut c = Component::new(Ecosystem::Github, Some(&owner), &repo, git_ref)
        .map_err(|e| format!("`uses: {reference}`: {e}"))?;
    if let Some(sub) = parts.next().filter(|s| !s.is_empty()) {
        c.properties.insert("path".into(), sub.to_string());
    }
    let pinned = if git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit()) {
        "commit"
    } else {
        "tag-or-branch"
    };
    c.properties.insert("pinned".into(), pinned.into());
    Ok(Some(c))
}

/// `docker://[registry/]name[:tag][@sha256:…]` as `pkg:docker/[namespace/]name@tag-or-digest`,
/// a registry other than the default one as the `repository_url` qualifier (purl spec).
fn docker(image: &str) -> Result<Component, String> {
    let (registry, rest) = match image.split_once('/') {
        Some((first, rest)) if first.contains(['.', ':']) || first == "localhost" => {
            (Some(first), rest)
        }
        _ => (None, image),
    };
    let (name, version) = match rest.split_once('@') {
        Some((n, digest)) => (n, digest.to_string()),
        None => match rest.rsplit_once(':') {
            Some((n, tag)) => (n, tag.to_string()),
            None => (rest, "latest".to_string()),
        },
    };
    let (namespace, name) = match name.rsplit_once('/') {
        Some((ns, n)) => (Some(ns), n),
        None => (None, name),
    };
    let qualifiers: Vec<(&str, &str)> = registry
        .map(|r| ("repository_url", r))
        .into_iter()
        .collect();
    Component::with_qualifiers(Ecosystem::Docker, namespace, name, &version, &qualifiers)
        .map_err(|e| format!("`docker://{image}`: {e}"))
}

/// The repository a workflow belongs to: the directory holding `.github`; for an
/// `action.yml`, its own directory.
fn project_dir(path: &str) -> &str {
    let dir = crate::paths::dir_of(path);
    match dir.strip_suffix(".github/workflows") {
        Some("") => ".",
        Some(parent) => parent.trim_end_matches('/'),
        None => dir,
    }
}

/// Finds the line of each `uses:` value, in document order, so duplicates get their own:
/// the lines of each value, in order, and how many of them are taken.
struct UsesLines<'a> {
    lines: HashMap<&'a str, (Vec<u32>, usize)>,
}

impl<'a> UsesLines<'a> {
    fn new(text: &'a str) -> UsesLines<'a> {
        let mut lines: HashMap<&str, (Vec<u32>, usize)> = HashMap::new();
        for (i, line) in text.lines().enumerate() {
            let rest = line.trim_start().trim_start_matches("- ");
            let Some(value) = rest
                .strip_prefix("uses:")
                .or_else(|| rest.strip_prefix("image:"))
            else {
                continue;
            };
            let value = value.split(" #").next().unwrap_or(value).trim();
            let n = u32::try_from(i).unwrap_or(u32::MAX - 1) + 1;
            let value = value.trim_matches(['"', '\'']);
            lines.entry(value).or_default().0.push(n);
        }
        UsesLines { lines }
    }

    fn find(&mut self, value: &str) -> Option<u32> {
        let (lines, taken) = self.lines.get_mut(value)?;
        let line = lines.get(*taken).copied()?;
        *taken += 1;
        Some(line)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    fn run(path: &str, text: &str) -> Catalog {
        parse_str(parse, path, text).unwrap()
    }

    #[test]
    fn references() {
        let c = |r: &str| {
            component(r)
                .unwrap()
                .map(|c| (c.purl.to_string(), c.properties))
        };
        let (purl, props) = c("actions/checkout@v4").unwrap();
        assert_eq!(purl, "pkg:github/actions/checkout@v4");
        assert_eq!(props["pinned"], "tag-or-branch");
        let sha = "11bd71901bbe5b1630ceea73d27597364c9af683";
        let (purl, props) = c(&format!("Azure/Login/sub/dir@{sha}")).unwrap();
        assert_eq!(purl, format!("pkg:github/azure/login@{sha}"));
        assert_eq!(
            (props["pinned"].as_str(), props["path"].as_str()),
            ("commit", "sub/dir")
        );
        assert!(c("./.github/actions/setup").is_none());
        assert_eq!(
            c("docker://alpine:3.18").unwrap().0,
            "pkg:docker/alpine@3.18"
        );
        assert_eq!(
            c("docker://ghcr.io/owner/img@sha256:abc").unwrap().0,
            "pkg:docker/owner/img@sha256:abc?repository_url=ghcr.io"
        );
        assert_eq!(
            c("docker://localhost:5000/img").unwrap().0,
            "pkg:docker/img@latest?repository_url=localhost:5000"
        );
        assert!(component("actions/checkout").is_err());
        assert!(component("${{ matrix.action }}").is_err());
    }

    #[test]
    fn workflow_jobs_steps_and_reusable_workflows_with_lines() {
        let text = "on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: make\n      - name: cache\n        uses: 'actions/cache@v4' # pinned by tag\n      - uses: ./local\n  call:\n    uses: octo/workflows/.github/workflows/ci.yml@main\n  again:\n    runs-on: x\n    steps:\n      - uses: actions/checkout@v4\n";
        let cat = run("svc/.github/workflows/ci.yml", text);
        let got: Vec<(String, Option<u32>)> = cat
            .packages
            .iter()
            .map(|p| {
                let l = p.component.locations.iter().next().unwrap();
                (p.component.purl.to_string(), l.line)
            })
            .collect();
        assert_eq!(
            got,
            [
                ("pkg:github/actions/checkout@v4".to_string(), Some(6)),
                ("pkg:github/actions/cache@v4".to_string(), Some(9)),
                ("pkg:github/octo/workflows@main".to_string(), Some(12)),
                ("pkg:github/actions/checkout@v4".to_string(), Some(16)),
            ]
        );
        assert_eq!(cat.projects[0].dir, "svc");
        assert!(cat.projects[0].deps.iter().all(|e| e.kind == DepKind::Dev));
    }

    #[test]
    fn composite_and_docker_actions() {
        let text =
            "name: x\nruns:\n  using: composite\n  steps:\n    - uses: actions/setup-node@v4\n";
        let cat = run(".github/actions/setup/action.yml", text);
        assert_eq!(
            cat.packages[0].component.purl.to_string(),
            "pkg:github/actions/setup-node@v4"
        );
        assert_eq!(cat.projects[0].dir, ".github/actions/setup");
        let cat = run(
            "action.yml",
            "runs:\n  using: docker\n  image: docker://debian:12\n",
        );
        assert_eq!(
            cat.packages[0].component.purl.to_string(),
            "pkg:docker/debian@12"
        );
        let cat = run(
            "action.yml",
            "runs:\n  using: docker\n  image: Dockerfile\n",
        );
        assert!(cat.packages.is_empty());
    }

    #[test]
    fn malformed_input() {
        let err = parse_str(parse, ".github/workflows/a.yml", "jobs:\n  x: [\n").unwrap_err();
        assert!(err.line().is_some(), "{err}");
        let cat = run(
            ".github/workflows/a.yml",
            "jobs:\n  x:\n    steps:\n      - uses: actions/checkout\n",
        );
        assert!(cat.packages.is_empty());
        assert_eq!(cat.diagnostics.len(), 1);
        assert_eq!(cat.diagnostics[0].line, Some(4));
        assert!(run("a/.github/workflows/empty.yml", "").packages.is_empty());
        assert!(parse_str(parse, "action.yml", "\u{0}\u{1}: [").is_err());
        // Wrong types are ignored, not fatal.
        assert!(run(".github/workflows/t.yml", "jobs: 3\nruns: [1]\n")
            .packages
            .is_empty());
    }
}
