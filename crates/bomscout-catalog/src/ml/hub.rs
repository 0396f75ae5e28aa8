//! The Hugging Face hub cache: `models--ORG--NAME/` and `datasets--ORG--NAME/`, each with
//! `refs/main` (the revision the `main` branch pointed to when downloaded) and
//! `snapshots/<revision>/` (the repository's files at that revision, usually symlinks into
//! `blobs/`).
//!
//! The cataloger is given `refs/main`, a regular file the walk sees even when it does not
//! follow symlinks, and reads its repository's snapshots beside it (an installed-tree
//! cataloger: it reads `README.md` and `config.json` of each snapshot, through
//! symlinks, only inside the scan root). One component per snapshot:
//!
//! - a model: kind `machine-learning-model`, `pkg:huggingface/ORG/NAME@REV` (the purl
//!   spec's `huggingface` type: namespace the user or organization, version the commit
//!   hash, lowercased);
//! - a dataset: kind `data`, `pkg:huggingface/datasets/ORG/NAME@REV`. The purl type
//!   defines only models; the Hub serves datasets under `/datasets/ORG/NAME`, and
//!   `datasets` is a reserved path there (no user can have that name), so the namespace
//!   `datasets/ORG` cannot collide with a model's.
//!
//! The snapshot `refs/main` names gets the property `hf-ref` = `main`; other snapshots are
//! other versions of the same repository. A `refs/main` naming a snapshot that is not
//! there is a warning. The card (`README.md` front matter, [`super::card`]) gives
//! licenses, `base_model` (an edge to that model, version unresolved) and `datasets`
//! (edges to `data` components, version unresolved); `config.json` gives `model_type` and
//! `architectures`.
//!
//! A plain clone of a Hub repository (a directory with a card `README.md`, `config.json`
//! and model files) is found through its model files: `cloned_repository`, called by
//! the GGUF and safetensors catalogers.

use super::card::{self, Card};
use crate::text::read_in_root;
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, ComponentKind, DepKind, Diagnostic, Ecosystem, License, Location,
};
use bomscout_walk::{EntryKind, Tree};
use std::path::Path;

/// Most snapshots read per repository (they are sorted by name first).
pub const MAX_SNAPSHOTS: usize = 256;
/// Largest card or `config.json` read.
const MAX_SIDE: u64 = 4 * 1024 * 1024;

/// Model or dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Repo {
    Model,
    Dataset,
}

/// Parses a hub-cache repository from its `refs/main`.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let (kind, namespace, name) = repo_of(input.path()).ok_or_else(|| {
        ParseError::format(
            "not a hub cache repository: expected `models--ORG--NAME/refs/main` or \
             `datasets--ORG--NAME/refs/main`",
        )
    })?;
    let text = std::str::from_utf8(input.bytes)
        .map_err(|_| ParseError::format("refs/main is not a revision (not UTF-8)"))?;
    let main = text.trim();
    if main.is_empty() || main.len() > 128 || !main.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return Err(ParseError::format(format!(
            "refs/main holds {}, not a revision (a commit hash)",
            quote(main, QUOTE_LIMIT)
        )));
    }
    let main = main.to_ascii_lowercase();
    let repo_rel = crate::paths::dir_of(crate::paths::dir_of(input.path()));
    let repo_abs = input
        .abs
        .parent()
        .and_then(Path::parent)
        .unwrap_or(input.abs);
    let mut catalog = Catalog::default();
    let mut revisions = snapshots(input.tree, &repo_abs.join("snapshots"));
    if revisions.len() > MAX_SNAPSHOTS {
        catalog.diagnostics.push(Diagnostic::warning(
            input.path(),
            format!(
                "{} snapshots; only the first {MAX_SNAPSHOTS} by name are read",
                revisions.len()
            ),
        ));
        revisions.truncate(MAX_SNAPSHOTS);
    }
    if !revisions.iter().any(|r| r.eq_ignore_ascii_case(&main)) {
        catalog.diagnostics.push(Diagnostic::warning(
            input.path(),
            format!(
                "refs/main names revision {}, which has no directory under snapshots/; \
                 that revision is not in the cache (re-download it, or remove the stale ref)",
                quote(&main, QUOTE_LIMIT)
            ),
        ));
    }
    for revision in revisions {
        let snapshot_rel = format!("{repo_rel}/snapshots/{revision}");
        let snapshot_abs = repo_abs.join("snapshots").join(&revision);
        let version = revision.to_ascii_lowercase();
        let mut component = component(kind, namespace.as_deref(), &name, &version)?;
        component.locations.insert(input.location());
        if version == main {
            component
                .properties
                .insert("hf-ref".to_string(), "main".to_string());
        }
        let readme_rel = format!("{snapshot_rel}/README.md");
        let card = match read_in_root(
            input.tree,
            input.root,
            &snapshot_abs.join("README.md"),
            MAX_SIDE,
        ) {
            Ok(Some(text)) => match card::parse(&text) {
                Ok(card) => {
                    component
                        .locations
                        .insert(Location::new(readme_rel.as_str()));
                    card
                }
                Err(e) => {
                    let mut d = Diagnostic::warning(
                        &readme_rel,
                        format!("the card's front matter is skipped: {e}"),
                    );
                    d.line = e.line();
                    catalog.diagnostics.push(d);
                    None
                }
            },
            Ok(None) => None,
            Err(message) => {
                catalog
                    .diagnostics
                    .push(Diagnostic::warning(&readme_rel, message));
                None
            }
        };
        if kind == Repo::Model {
            read_config(
                input,
                &snapshot_abs,
                &snapshot_rel,
                &mut component,
                &mut catalog,
            );
        }
        let edges = match &card {
            Some(card) => apply_card(card, &readme_rel, &mut component),
            None => Vec::new(),
        };
        let node = catalog.add_package(component);
        for dep in edges {
            let to = catalog.add_package(dep);
            catalog.add_edge(node, to, DepKind::Normal);
        }
    }
    Ok(catalog)
}

/// A model file (`*.safetensors`, `*.gguf`) in a clone of a Hub model repository: a
/// directory whose `README.md` has card front matter. `None` when the file is not in one
/// (the caller then makes a component of the file itself); an empty catalog when it lies
/// in a hub cache snapshot, which the cache's `refs/main` already covers.
///
/// The repository is `ORG/NAME` from the clone's `.git/config` remote URL
/// (`https://huggingface.co/ORG/NAME`), else the directory's name; its version is the
/// commit `.git/HEAD` names (directly, through a ref file or `packed-refs`), else none.
/// Every model file of the clone (a sharded model has several) gives the same component,
/// which the SBOM keeps once.
pub(crate) fn cloned_repository(
    input: &Input,
    facts: &super::ModelFacts,
) -> Option<Result<Catalog, ParseError>> {
    if in_cache_snapshot(input.path()) {
        return Some(Ok(Catalog::default()));
    }
    let dir_abs = input.abs.parent()?;
    let dir_rel = crate::paths::dir_of(input.path());
    let readme_rel = if dir_rel == "." {
        "README.md".to_string()
    } else {
        format!("{dir_rel}/README.md")
    };
    let text =
        read_in_root(input.tree, input.root, &dir_abs.join("README.md"), MAX_SIDE).ok()??;
    let card = match card::parse(&text) {
        Ok(Some(card)) if card != Card::default() => card,
        _ => return None,
    };
    let git = dir_abs.join(".git");
    let (org, name) = git_remote(input, &git).unwrap_or_else(|| {
        let dir = dir_abs
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        (None, dir)
    });
    if name.is_empty() {
        return None;
    }
    let revision = git_head(input, &git);
    let result = (|| {
        let mut c = component(
            Repo::Model,
            org.as_deref(),
            &name,
            revision.as_deref().unwrap_or("0"),
        )?;
        if revision.is_none() {
            c.version = None;
            c.purl = bomscout_core::Purl::build(
                Ecosystem::Huggingface,
                org.as_deref(),
                &name,
                None,
                &[],
            )
            .map_err(|e| ParseError::format(e.to_string()))?;
        }
        c.locations.insert(input.location());
        c.locations.insert(Location::new(readme_rel.as_str()));
        if let Some(a) = &facts.architecture {
            c.properties
                .insert("model-architecture".to_string(), a.clone());
        }
        let mut catalog = Catalog::default();
        let snapshot_rel = dir_rel.to_string();
        read_config(input, dir_abs, &snapshot_rel, &mut c, &mut catalog);
        let edges = apply_card(&card, &readme_rel, &mut c);
        let node = catalog.add_package(c);
        for dep in edges {
            let to = catalog.add_package(dep);
            catalog.add_edge(node, to, DepKind::Normal);
        }
        Ok(catalog)
    })();
    Some(result)
}

/// True for a path inside `models--*/snapshots/` or `datasets--*/snapshots/`.
fn in_cache_snapshot(path: &str) -> bool {
    let parts: Vec<&str> = path.split('/').collect();
    parts.windows(2).any(|w| {
        (w[0].starts_with("models--") || w[0].starts_with("datasets--")) && w[1] == "snapshots"
    })
}

/// `(ORG, NAME)` of the first remote URL in `.git/config` that points at the Hub.
fn git_remote(input: &Input, git: &Path) -> Option<(Option<String>, String)> {
    let config = read_in_root(input.tree, input.root, &git.join("config"), 1024 * 1024).ok()??;
    config.lines().find_map(|line| {
        let (key, url) = line.trim().split_once('=')?;
        if key.trim() != "url" {
            return None;
        }
        let url = url.trim();
        let rest = [
            "https://huggingface.co/",
            "http://huggingface.co/",
            "git@hf.co:",
            "https://hf.co/",
        ]
        .iter()
        .find_map(|p| url.strip_prefix(p))?;
        let rest = rest.trim_end_matches('/').trim_end_matches(".git");
        let (org, name) = match rest.split_once('/') {
            Some((org, name)) => (Some(org.to_string()), name.to_string()),
            None => (None, rest.to_string()),
        };
        let ok = |s: &str| {
            !s.is_empty()
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        (ok(&name) && org.as_deref().is_none_or(ok)).then_some((org, name))
    })
}

/// The commit `.git/HEAD` names, lowercase hex.
fn git_head(input: &Input, git: &Path) -> Option<String> {
    let head = read_in_root(input.tree, input.root, &git.join("HEAD"), 4096).ok()??;
    let head = head.trim();
    let is_commit =
        |s: &str| (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit());
    let Some(reference) = head.strip_prefix("ref:").map(str::trim) else {
        return is_commit(head).then(|| head.to_ascii_lowercase());
    };
    if !reference.starts_with("refs/") || reference.split('/').any(|p| p == ".." || p.is_empty()) {
        return None;
    }
    if let Ok(Some(text)) = read_in_root(input.tree, input.root, &git.join(reference), 4096) {
        let commit = text.trim();
        return is_commit(commit).then(|| commit.to_ascii_lowercase());
    }
    let packed = read_in_root(
        input.tree,
        input.root,
        &git.join("packed-refs"),
        16 * 1024 * 1024,
    )
    .ok()??;
    packed.lines().find_map(|line| {
        let (commit, name) = line.split_once(' ')?;
        (name.trim() == reference && is_commit(commit)).then(|| commit.to_ascii_lowercase())
    })
}

/// `(kind, namespace, name)` from `.../models--ORG--NAME/refs/main`.
fn repo_of(path: &str) -> Option<(Repo, Option<String>, String)> {
    let mut parts = path.rsplit('/');
    let (_main, _refs, dir) = (parts.next()?, parts.next()?, parts.next()?);
    let (kind, rest) = if let Some(rest) = dir.strip_prefix("models--") {
        (Repo::Model, rest)
    } else {
        (Repo::Dataset, dir.strip_prefix("datasets--")?)
    };
    let (org, name) = match rest.split_once("--") {
        Some((org, name)) => (Some(org.to_string()), name.to_string()),
        None => (None, rest.to_string()),
    };
    if name.is_empty() || org.as_deref() == Some("") || name.contains("--") {
        return None;
    }
    Some((kind, org, name))
}

fn component(
    kind: Repo,
    org: Option<&str>,
    name: &str,
    version: &str,
) -> Result<Component, ParseError> {
    let namespace = match kind {
        Repo::Model => org.map(str::to_string),
        Repo::Dataset => Some(match org {
            Some(org) => format!("datasets/{org}"),
            None => "datasets".to_string(),
        }),
    };
    let mut c = Component::new(Ecosystem::Huggingface, namespace.as_deref(), name, version)
        .map_err(|e| ParseError::format(e.to_string()))?;
    c.kind = match kind {
        Repo::Model => ComponentKind::MachineLearningModel,
        Repo::Dataset => ComponentKind::Data,
    };
    Ok(c)
}

/// An unresolved reference to another Hub repository (`ORG/NAME` or `NAME`).
fn reference(kind: Repo, id: &str) -> Option<Component> {
    let id = id.trim().trim_start_matches("https://huggingface.co/");
    let id = match kind {
        Repo::Dataset => id.strip_prefix("datasets/").unwrap_or(id),
        Repo::Model => id,
    };
    let (org, name) = match id.split_once('/') {
        Some((org, name)) => (Some(org), name),
        None => (None, id),
    };
    if name.is_empty() || name.contains('/') || org == Some("") {
        return None;
    }
    let namespace = match kind {
        Repo::Model => org.map(str::to_string),
        Repo::Dataset => Some(org.map_or("datasets".to_string(), |o| format!("datasets/{o}"))),
    };
    let mut c =
        Component::unresolved(Ecosystem::Huggingface, namespace.as_deref(), name, "*").ok()?;
    c.kind = match kind {
        Repo::Model => ComponentKind::MachineLearningModel,
        Repo::Dataset => ComponentKind::Data,
    };
    Some(c)
}

/// Puts a card's facts on `component`; returns the components it depends on.
fn apply_card(card: &Card, readme: &str, component: &mut Component) -> Vec<Component> {
    for id in &card.licenses {
        let raw = if id.eq_ignore_ascii_case("other") {
            card.license_name.as_deref().and_then(card::license_ref)
        } else {
            card::hub_license(id)
        };
        let raw = raw.unwrap_or_else(|| id.clone());
        component
            .licenses
            .push(License::declared(&raw, readme, "license"));
    }
    let props = &mut component.properties;
    let mut put = |key: &str, value: Option<String>| {
        if let Some(v) = value.filter(|v| !v.is_empty()) {
            props.insert(key.to_string(), v);
        }
    };
    let joined = |v: &[String]| Some(v.join(","));
    put("hf-license", joined(&card.licenses));
    put("hf-license-name", card.license_name.clone());
    put("hf-license-link", card.license_link.clone());
    put("hf-pipeline-tag", card.pipeline_tag.clone());
    put("hf-library", card.library_name.clone());
    put("hf-tags", joined(&card.tags));
    put("hf-language", joined(&card.languages));
    put("hf-task-categories", joined(&card.task_categories));
    put("hf-pretty-name", card.pretty_name.clone());
    // A referenced model or dataset is found where the card names it.
    let mut deps: Vec<Component> = Vec::new();
    for id in &card.base_models {
        deps.extend(reference(Repo::Model, id).map(|c| c.at(Location::new(readme))));
    }
    let mut dataset_refs = Vec::new();
    for id in &card.datasets {
        if let Some(d) = reference(Repo::Dataset, id).map(|c| c.at(Location::new(readme))) {
            dataset_refs.push(d.key());
            deps.push(d);
        }
    }
    if !dataset_refs.is_empty() {
        component
            .properties
            .insert("hf-datasets".to_string(), dataset_refs.join(","));
    }
    deps
}

/// `model_type` and `architectures` of the snapshot's `config.json`.
fn read_config(
    input: &Input,
    snapshot_abs: &Path,
    snapshot_rel: &str,
    component: &mut Component,
    catalog: &mut Catalog,
) {
    let rel = format!("{snapshot_rel}/config.json");
    let text = match read_in_root(
        input.tree,
        input.root,
        &snapshot_abs.join("config.json"),
        MAX_SIDE,
    ) {
        Ok(Some(text)) => text,
        Ok(None) => return,
        Err(message) => {
            catalog.diagnostics.push(Diagnostic::warning(&rel, message));
            return;
        }
    };
    let value: serde_json::Value = match serde_json::from_str(&text) {
        Ok(v) => v,
        Err(e) => {
            let mut d = Diagnostic::warning(&rel, format!("config.json is skipped: {e}"));
            d.line = u32::try_from(e.line()).ok();
            catalog.diagnostics.push(d);
            return;
        }
    };
    component.locations.insert(Location::new(rel.as_str()));
    if let Some(t) = value.get("model_type").and_then(|v| v.as_str()) {
        component
            .properties
            .insert("hf-model-type".to_string(), t.chars().take(128).collect());
    }
    if let Some(list) = value.get("architectures").and_then(|v| v.as_array()) {
        let names: Vec<&str> = list.iter().filter_map(|v| v.as_str()).take(16).collect();
        if !names.is_empty() {
            component
                .properties
                .insert("hf-architectures".to_string(), names.join(","));
        }
    }
}

/// The snapshot directory names, sorted; at most a few more than [`MAX_SNAPSHOTS`] are
/// listed, so a directory of a million entries costs little.
fn snapshots(tree: &dyn Tree, dir: &Path) -> Vec<String> {
    let plain = |n: &String| !n.is_empty() && n.bytes().all(|b| b.is_ascii_alphanumeric());
    let mut out: Vec<String> = if tree.is_host() {
        // Listed lazily: only the first entries are looked at.
        let Ok(entries) = std::fs::read_dir(dir) else {
            return Vec::new();
        };
        entries
            .filter_map(Result::ok)
            .take(MAX_SNAPSHOTS * 4)
            .filter(|e| e.file_type().is_ok_and(|t| t.is_dir()))
            .filter_map(|e| e.file_name().into_string().ok())
            .filter(plain)
            .collect()
    } else {
        tree.read_dir(dir)
            .unwrap_or_default()
            .into_iter()
            .take(MAX_SNAPSHOTS * 4)
            .filter(|e| e.kind == EntryKind::Dir)
            .map(|e| e.name)
            .filter(plain)
            .collect()
    };
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repository_names_from_the_cache_layout() {
        assert_eq!(
            repo_of("hub/models--sentence-transformers--all-MiniLM-L6-v2/refs/main"),
            Some((
                Repo::Model,
                Some("sentence-transformers".into()),
                "all-MiniLM-L6-v2".into()
            ))
        );
        assert_eq!(
            repo_of("datasets--org--data/refs/main"),
            Some((Repo::Dataset, Some("org".into()), "data".into()))
        );
        assert_eq!(
            repo_of("models--gpt2/refs/main"),
            Some((Repo::Model, None, "gpt2".into()))
        );
        assert_eq!(repo_of("spaces--a--b/refs/main"), None);
        assert_eq!(repo_of("models----x/refs/main"), None);
    }

    #[test]
    fn dataset_references_get_the_datasets_namespace() {
        let d = reference(Repo::Dataset, "embedding-data/QQP").unwrap();
        assert_eq!(
            d.purl.as_str(),
            "pkg:huggingface/datasets/embedding-data/QQP"
        );
        assert_eq!(d.kind, ComponentKind::Data);
        let d = reference(Repo::Dataset, "ms_marco").unwrap();
        assert_eq!(d.purl.as_str(), "pkg:huggingface/datasets/ms_marco");
        let m = reference(Repo::Model, "meta-llama/Llama-3.1-8B").unwrap();
        assert_eq!(m.purl.as_str(), "pkg:huggingface/meta-llama/Llama-3.1-8B");
        assert!(reference(Repo::Model, "a/b/c").is_none());
    }
}
