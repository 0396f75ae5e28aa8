//! Haskell: Stack's `stack.yaml.lock` and cabal's `cabal.project.freeze`.
//!
//! `stack.yaml.lock` pins each extra dependency: `completed.hackage` is
//! `name-version@sha256:HASH,SIZE` (the hash is of the package's cabal file revision, kept
//! as the property `cabal-file-sha256`), `completed.git`/`commit` a git source: its
//! `name` and `version` (the package identifier Stack read from the cabal file at that
//! commit) are the component's, `pkg:hackage/<name>@<version>` with a `vcs_url`
//! qualifier (so it is not taken for the Hackage release), and the commit is kept as the
//! property `commit` (and `subdir` where the package is in one). The
//! snapshot (resolver) packages are not listed in the lockfile and are not components.
//! `cabal.project.freeze` is a `constraints:` list of `any.name ==version` (flag
//! constraints like `any.text +simdutf` are not versions); `index-state:` is kept on
//! nothing, it dates the index only. Both give direct Normal edges from the project: the
//! files do not record the graph or test-only use.

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Component, DepKind, Diagnostic, Ecosystem, Project};
use serde_norway::Value;

/// Parses a Stack `stack.yaml.lock`.
pub fn parse_stack_lock(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    Ok(catalog(stack_lock(text)?, input))
}

/// Parses a `cabal.project.freeze`.
pub fn parse_cabal_freeze(input: &Input) -> Result<Catalog, ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    Ok(catalog(freeze(text), input))
}

/// The project a lockfile's pins make.
fn catalog(pins: Vec<Pin>, input: &Input) -> Catalog {
    let mut catalog = Catalog::default();
    let mut project = Project::new(Ecosystem::Hackage, input.path());
    for pin in pins {
        let result = match &pin.git {
            Some((url, commit)) => Component::with_qualifiers(
                Ecosystem::Hackage,
                None,
                &pin.name,
                &pin.version,
                &[("vcs_url", &format!("git+{url}@{commit}"))],
            )
            .map(|mut c| {
                c.properties.insert("commit".into(), commit.clone());
                c
            }),
            None => Component::new(Ecosystem::Hackage, None, &pin.name, &pin.version),
        };
        match result {
            Ok(mut c) => {
                if let Some(h) = pin.sha256 {
                    c.properties.insert("cabal-file-sha256".into(), h);
                }
                if let Some(d) = pin.subdir {
                    c.properties.insert("subdir".into(), d);
                }
                let node = catalog.add_package(c.at(input.at_line(pin.line)));
                project.add_dep(node, DepKind::Normal);
            }
            Err(e) => catalog.diagnostics.push(
                Diagnostic::warning(input.path(), format!("{}: {e}", pin.name)).at_line(pin.line),
            ),
        }
    }
    catalog.add_project(project);
    catalog
}

struct Pin {
    name: String,
    version: String,
    sha256: Option<String>,
    git: Option<(String, String)>,
    subdir: Option<String>,
    line: u32,
}

fn stack_lock(text: &str) -> Result<Vec<Pin>, ParseError> {
    let doc: Value = crate::nesting::yaml(text)?;
    let packages = doc
        .get("packages")
        .and_then(Value::as_sequence)
        .ok_or_else(|| ParseError::format("not a stack.yaml.lock: no `packages` list"))?;
    let mut out = Vec::new();
    let values = value_lines(text);
    let line_of = |value: &str| values.get(value).unwrap_or(1);
    let names = crate::text::KeyLines::new(text, |l| {
        let value = l.trim().trim_start_matches("- ").strip_prefix("name:")?;
        Some(value.trim().trim_matches(['"', '\'']))
    });
    for p in packages {
        let Some(done) = p.get("completed") else {
            continue;
        };
        if let Some(h) = done.get("hackage").and_then(Value::as_str) {
            let (id, rest) = h.split_once('@').unwrap_or((h, ""));
            let Some((name, version)) = split_name_version(id) else {
                continue;
            };
            let sha = rest
                .strip_prefix("sha256:")
                .and_then(|r| r.split(',').next())
                .map(str::to_string);
            let line = line_of(h);
            out.push(Pin {
                name: name.into(),
                version: version.into(),
                sha256: sha,
                git: None,
                subdir: None,
                line,
            });
        } else if let (Some(url), Some(commit)) = (
            done.get("git").and_then(Value::as_str),
            done.get("commit").and_then(Value::as_str),
        ) {
            let name = done
                .get("name")
                .and_then(Value::as_str)
                .or_else(|| url.trim_end_matches(".git").rsplit('/').next())
                .unwrap_or(url);
            // Stack records the package identifier it read at that commit; a lock without
            // one (hand-written) leaves only the commit to name the version.
            let version = done
                .get("version")
                .and_then(|v| match v {
                    Value::String(s) => Some(s.clone()),
                    Value::Number(n) => Some(n.to_string()),
                    _ => None,
                })
                .unwrap_or_else(|| commit.to_string());
            // The line of `name: <name>`: several packages of one repository share a
            // commit, not a name.
            let line = names.get(name).unwrap_or_else(|| line_of(commit));
            out.push(Pin {
                name: name.into(),
                version,
                sha256: None,
                git: Some((url.into(), commit.into())),
                subdir: done
                    .get("subdir")
                    .and_then(Value::as_str)
                    .map(str::to_string),
                line,
            });
        }
    }
    Ok(out)
}

/// `text-2.0.2` → `("text", "2.0.2")`: the version is after the last `-`.
fn split_name_version(id: &str) -> Option<(&str, &str)> {
    let (name, version) = id.rsplit_once('-')?;
    version
        .starts_with(|c: char| c.is_ascii_digit())
        .then_some((name, version))
}

fn freeze(text: &str) -> Vec<Pin> {
    let mut out = Vec::new();
    let mut in_constraints = false;
    for (i, line) in text.lines().enumerate() {
        let body = if let Some(rest) = line.strip_prefix("constraints:") {
            in_constraints = true;
            rest
        } else if line.starts_with(char::is_whitespace) && in_constraints {
            line
        } else {
            in_constraints = false;
            continue;
        };
        for c in body.split(',') {
            let c = c.trim();
            let Some((name, version)) = c.split_once("==") else {
                continue;
            };
            let name = name.trim().trim_start_matches("any.").trim();
            let version = version.trim();
            if !name.is_empty() && !version.is_empty() {
                out.push(Pin {
                    name: name.into(),
                    version: version.into(),
                    sha256: None,
                    git: None,
                    subdir: None,
                    line: i as u32 + 1,
                });
            }
        }
    }
    out
}

/// The line of each value of a `key: value` line (`hackage: …`, `commit: …`), found once.
fn value_lines(text: &str) -> crate::text::KeyLines<'_> {
    crate::text::KeyLines::new(text, |l| {
        let (_, value) = l.split_once(':')?;
        Some(value.trim().trim_matches(['"', '\'']))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::parse_str;

    #[test]
    fn freeze_file() {
        let text = "active-repositories: hackage.haskell.org:merge\nconstraints: any.aeson ==2.2.1.0,\n             aeson +ordered-keymap,\n             any.base ==4.18.2.0,\n             any.text ==2.0.2\nindex-state: hackage.haskell.org 2024-01-01T00:00:00Z\n";
        let c = parse_str(parse_cabal_freeze, "cabal.project.freeze", text).unwrap();
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
                ("pkg:hackage/aeson@2.2.1.0".to_string(), Some(2)),
                ("pkg:hackage/base@4.18.2.0".to_string(), Some(4)),
                ("pkg:hackage/text@2.0.2".to_string(), Some(5))
            ]
        );
    }

    /// Stack's own test of its lock format (commercialhaskell/stack, `Stack.LockSpec`:
    /// "parses lock file (LTS, wai + warp)"): two packages of one repository at one commit.
    #[test]
    fn stack_git_packages_have_their_versions() {
        let text = "#some\nsnapshots:\n- completed:\n    size: 527801\n    url: https://raw.githubusercontent.com/commercialhaskell/stackage-snapshots/master/lts/11/22.yaml\n    sha256: 7c8b1853da784bd7beb8728168bf4e879d8a2f6daf408ca0fa7933451864a96a\n  original: lts-14.27\npackages:\n- original:\n    subdir: wai\n    git: https://github.com/yesodweb/wai.git\n    commit: d11d63f1a6a92db8c637a8d33e7953ce6194a3e0\n  completed:\n    subdir: wai\n    name: wai\n    version: 3.2.1.2\n    git: https://github.com/yesodweb/wai.git\n    pantry-tree:\n      size: 714\n      sha256: ecfd0b4b75f435a3f362394807b35e5ef0647b1a25005d44a3632c49db4833d2\n    commit: d11d63f1a6a92db8c637a8d33e7953ce6194a3e0\n- original:\n    subdir: warp\n    git: https://github.com/yesodweb/wai.git\n    commit: d11d63f1a6a92db8c637a8d33e7953ce6194a3e0\n  completed:\n    subdir: warp\n    name: warp\n    version: 3.2.25\n    git: https://github.com/yesodweb/wai.git\n    pantry-tree:\n      size: 5103\n      sha256: f808e075811b002563d24c393ce115be826bb66a317d38da22c513ee42b7443a\n    commit: d11d63f1a6a92db8c637a8d33e7953ce6194a3e0\n";
        let c = parse_str(parse_stack_lock, "stack.yaml.lock", text).unwrap();
        /// purl, version, commit, subdir, line.
        type Row<'a> = (&'a str, Option<&'a str>, &'a str, &'a str, Option<u32>);
        let got: Vec<Row> = c
            .packages
            .iter()
            .map(|p| {
                let c = &p.component;
                (
                    c.purl.as_str(),
                    c.version.as_deref(),
                    c.properties["commit"].as_str(),
                    c.properties["subdir"].as_str(),
                    c.locations.iter().next().and_then(|l| l.line),
                )
            })
            .collect();
        let commit = "d11d63f1a6a92db8c637a8d33e7953ce6194a3e0";
        assert_eq!(
            got,
            [
                ("pkg:hackage/wai@3.2.1.2?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fyesodweb%2Fwai.git%40d11d63f1a6a92db8c637a8d33e7953ce6194a3e0", Some("3.2.1.2"), commit, "wai", Some(15)),
                ("pkg:hackage/warp@3.2.25?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fyesodweb%2Fwai.git%40d11d63f1a6a92db8c637a8d33e7953ce6194a3e0", Some("3.2.25"), commit, "warp", Some(28)),
            ]
        );
    }

    #[test]
    fn malformed() {
        assert!(
            parse_str(parse_stack_lock, "stack.yaml.lock", "packages: [\n")
                .unwrap_err()
                .line()
                .is_some()
        );
        assert!(parse_str(parse_stack_lock, "stack.yaml.lock", "snapshots: []\n").is_err());
        assert_eq!(
            split_name_version("acme-missiles-0.3"),
            Some(("acme-missiles", "0.3"))
        );
        assert_eq!(split_name_version("noversion"), None);
        assert!(parse_str(parse_cabal_freeze, "cabal.project.freeze", "")
            .unwrap()
            .packages
            .is_empty());
    }
}
