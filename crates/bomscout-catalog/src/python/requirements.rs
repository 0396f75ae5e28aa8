//! pip requirements files (`requirements*.txt`, `requirements/*.txt`), including
//! pip-compile output.
//!
//! Supported, following pip's own reader:
//! - lines joined on a trailing `\` (a comment line ends a continuation, as in pip);
//!   comments start with `#` at the start of a line or after whitespace, so URL fragments
//!   such as `#egg=name` and `#sha256=…` stay;
//! - PEP 508 requirements ([`super::pep508`]): a single `==` pin without wildcard, or `===`,
//!   is a resolved component; a range or a bare name is an unresolved component with its
//!   specifier (`*` for a bare name). Extras and markers become the `extras` and `marker`
//!   properties; a pin with a marker is still a component (markers are not evaluated);
//! - per-requirement `--hash=alg:hex` options, several, also on continuation lines;
//! - direct references: `name @ URL`, bare archive URLs, and VCS URLs
//!   (`git+https://…@rev#egg=name`, also after `-e`/`--editable`). VCS references get a
//!   `vcs_url` purl qualifier and stay unresolved with the URL as requirement; archive URLs
//!   get `download_url`, and a version when the file name tells it (wheel names, or sdist
//!   names `name-version.tar.gz` for a known name), and a hash from a `#sha256=` fragment;
//! - local paths (`.`, `./libs/x`, `-e .`) are first-party code and are skipped; a local
//!   wheel file becomes a component with the version from its name and a `path` property;
//! - `-r`/`--requirement` and `-c`/`--constraint` includes, relative to the including
//!   file. **I/O exception:** included files are read from disk next to [`Input::abs`].
//!   Nesting is bounded ([`MAX_INCLUDE_DEPTH`]), cycles are reported, a file included twice
//!   is read once, a missing or unreadable include is a warning at the including line;
//! - constraints only pin: a constraint pins a requirement of the same (PEP 503) name that
//!   has no pin of its own; a name that is only constrained is not a dependency;
//! - global options (`--index-url`, `-i`, `--extra-index-url`, `--find-links`, `-f`,
//!   `--no-binary`, `--only-binary`, `--prefer-binary`, `--pre`, `--trusted-host`,
//!   `--require-hashes`, `--no-index`, `--use-feature`) are ignored; an unknown option is a
//!   warning.
//!
//! Not supported: `${VAR}` expansion (kept verbatim), remote (URL) includes (a warning).
//!
//! Every requirement is a direct dependency of one project per directory (files in a
//! `requirements/` directory belong to the directory above it), so `requirements.txt` and
//! `requirements-dev.txt` side by side are one project. The edge kind comes from the file
//! name: [`DepKind::Dev`] when a word of the file's stem (split on `-`, `_`, `.`) is one of
//! [`DEV_WORDS`] (`requirements-dev.txt`, `dev-requirements.txt`, `requirements/test.txt`,
//! `requirements_docs.txt` …), else [`DepKind::Normal`]; requirements read through an
//! include get the kind of the file the scan started from.

use super::declare::{self, is_vcs, strip_fragment};
use super::pep508::{self, normalize_name as pep503, Requirement};
use crate::{text, Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{
    Catalog, Component, DepKind, Diagnostic, Ecosystem, Hash, HashAlg, Location, Project,
};
use bomscout_walk::Tree;
use foldhash::{HashMap, HashMapExt, HashSet, HashSetExt};
use std::path::{Path, PathBuf};

/// How deep `-r`/`-c` includes may nest before bomscout stops following them.
pub const MAX_INCLUDE_DEPTH: usize = 16;

/// Words of a file name that make its requirements development-only.
pub const DEV_WORDS: &[&str] = &[
    "dev",
    "devel",
    "develop",
    "development",
    "test",
    "tests",
    "testing",
    "lint",
    "linting",
    "docs",
    "doc",
    "typing",
];

/// Global options pip accepts in a requirements file that say nothing about what is
/// installed.
const IGNORED_OPTIONS: &[&str] = &[
    "-i",
    "--index-url",
    "--extra-index-url",
    "--no-index",
    "-f",
    "--find-links",
    "--no-binary",
    "--only-binary",
    "--prefer-binary",
    "--pre",
    "--trusted-host",
    "--require-hashes",
    "--use-feature",
];

/// Parses one requirements file and the files it includes.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let text = text::utf8(input.bytes)?;
    let mut reader = Reader {
        declared: Vec::new(),
        pins: HashMap::new(),
        diagnostics: Vec::new(),
        stack: Vec::new(),
        seen: HashSet::new(),
        max_size: input.options.max_file_size,
        root: input.root.to_path_buf(),
        tree: input.tree,
    };
    let top = canonical(input.tree, input.abs);
    reader.stack.push(top.clone());
    reader.seen.insert(top);
    reader.read(text, input.path(), input.abs, Mode::Requirements);
    Ok(reader.into_catalog(input.path()))
}

/// Whether a file's lines are requirements or only constraints on them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Mode {
    Requirements,
    Constraints,
}

/// One requirement as declared, before constraints are applied.
#[derive(Debug)]
struct Declared {
    req: Requirement,
    editable: bool,
    /// A local archive file the requirement points at.
    local_file: Option<String>,
    hashes: Vec<Hash>,
    path: String,
    line: u32,
    /// pip-compile's `# via` entries under it: the packages that pull it in, or `-r FILE`
    /// when an input file declares it. `None` when the file has no such annotation.
    via: Option<Vec<String>>,
}

/// A constraint's pin and where it was written.
#[derive(Debug)]
struct Pin {
    version: String,
    path: String,
    line: u32,
}

#[derive(Debug)]
struct Reader<'a> {
    declared: Vec<Declared>,
    pins: HashMap<String, Pin>,
    diagnostics: Vec<Diagnostic>,
    /// Files being read, outermost first: a file met again here is a cycle.
    stack: Vec<PathBuf>,
    /// Files read so far: a file included twice is read once.
    seen: HashSet<PathBuf>,
    max_size: u64,
    /// The scan root (canonical): includes resolving outside it are not read.
    root: PathBuf,
    /// The tree the root is in.
    tree: &'a dyn Tree,
}

impl Reader<'_> {
    fn read(&mut self, text: &str, path: &str, abs: &Path, mode: Mode) {
        let mut via = via_annotations(text);
        let first = self.declared.len();
        for (line, content) in logical_lines(text) {
            if content.starts_with('-') {
                self.option(&content, path, abs, line, mode);
            } else {
                self.requirement(&content, false, path, line, mode);
            }
        }
        for d in self.declared[first..].iter_mut().filter(|d| d.path == path) {
            d.via = via.remove(&d.line);
        }
    }

    fn warn(&mut self, path: &str, line: u32, message: String) {
        self.diagnostics
            .push(Diagnostic::warning(path, message).at_line(line));
    }

    fn option(&mut self, content: &str, path: &str, abs: &Path, line: u32, mode: Mode) {
        let (flag, value) = split_option(content);
        match flag {
            "-r" | "--requirement" => self.include(value, path, abs, line, mode),
            "-c" | "--constraint" => self.include(value, path, abs, line, Mode::Constraints),
            "-e" | "--editable" => self.requirement(value, true, path, line, mode),
            _ if IGNORED_OPTIONS.contains(&flag) => {}
            _ => self.warn(
                path,
                line,
                format!("unknown option {} ignored", quote(flag, QUOTE_LIMIT)),
            ),
        }
    }

    fn include(&mut self, target: &str, path: &str, abs: &Path, line: u32, mode: Mode) {
        if target.is_empty() {
            return self.warn(path, line, "include without a file name".into());
        }
        if target.contains("://") {
            let msg = format!("remote include {} not followed", quote(target, QUOTE_LIMIT));
            return self.warn(path, line, msg);
        }
        let inc_abs = abs.parent().unwrap_or(Path::new("")).join(target);
        let inc_rel = join_rel(path, target);
        // Only a file inside the scan root is read (symlinks resolved): a pull request
        // writing `-r /home/runner/.aws/credentials` must not get that file into the log.
        let lexically_outside = inc_rel.starts_with("../") || inc_rel.starts_with('/');
        let Some(key) = crate::paths::inside_root(self.tree, &self.root, &inc_abs) else {
            let missing = !crate::paths::exists_nofollow(self.tree, &inc_abs);
            let why = if missing && !lexically_outside {
                "no such file"
            } else {
                text::OUTSIDE_ROOT
            };
            let msg = format!("include {}: {why}", quote(target, QUOTE_LIMIT));
            return self.warn(path, line, msg);
        };
        if self.stack.contains(&key) {
            return self.warn(
                path,
                line,
                format!(
                    "include cycle: {} is already being read",
                    quote(&inc_rel, QUOTE_LIMIT)
                ),
            );
        }
        if self.stack.len() > MAX_INCLUDE_DEPTH {
            let msg = format!(
                "includes nest deeper than {MAX_INCLUDE_DEPTH}: {} not read",
                quote(&inc_rel, QUOTE_LIMIT)
            );
            return self.warn(path, line, msg);
        }
        if !self.seen.insert(key.clone()) {
            return;
        }
        let shown = quote(&inc_rel, QUOTE_LIMIT);
        let bytes = match self.tree.read(&key, self.max_size) {
            Ok(bytes) => bytes,
            Err(e) => return self.warn(path, line, format!("included file {shown}: {e}")),
        };
        let text = match text::utf8(&bytes) {
            Ok(text) => text,
            Err(e) => return self.warn(path, line, format!("included file {shown}: {e}")),
        };
        self.stack.push(key);
        self.read(text, &inc_rel, &inc_abs, mode);
        self.stack.pop();
    }

    fn requirement(&mut self, content: &str, editable: bool, path: &str, line: u32, mode: Mode) {
        let (spec, options) = split_requirement_options(content);
        let parsed = match classify(spec, editable) {
            Ok(Some(parsed)) => parsed,
            Ok(None) => return,
            Err(e) => {
                return self.warn(
                    path,
                    line,
                    format!("requirement {} skipped: {e}", quote(spec, QUOTE_LIMIT)),
                )
            }
        };
        let (req, local_file) = parsed;
        let mut hashes = Vec::new();
        for value in hash_options(options) {
            match parse_hash(value) {
                Some(h) => hashes.push(h),
                None => self.warn(
                    path,
                    line,
                    format!("hash {} ignored: not alg:hex", quote(value, QUOTE_LIMIT)),
                ),
            }
        }
        if mode == Mode::Constraints {
            if let (Some(version), None) = (req.pinned_version(), &req.url) {
                let pin = Pin {
                    version: version.to_string(),
                    path: path.to_string(),
                    line,
                };
                self.pins.entry(pep503(&req.name)).or_insert(pin);
            }
            return;
        }
        self.declared.push(Declared {
            req,
            editable,
            local_file,
            hashes,
            path: path.to_string(),
            line,
            via: None,
        });
    }

    /// The project depends on every requirement an input declares; with pip-compile's
    /// `# via` annotations, a pin pulled in by another pinned package is an edge from that
    /// package instead, so transitive dependencies are told from direct ones.
    fn into_catalog(mut self, path: &str) -> Catalog {
        let mut catalog = Catalog::default();
        let mut project = Project::in_dir(Ecosystem::PyPI, project_dir(path), path);
        let kind = kind_of(path);
        let mut nodes: HashMap<String, bomscout_core::NodeRef> = HashMap::new();
        let mut pulled_in: Vec<(String, bomscout_core::NodeRef)> = Vec::new();
        for decl in std::mem::take(&mut self.declared) {
            let pin = self.pins.get(&pep503(&decl.req.name));
            let c = match component(&decl, pin) {
                Ok(c) => c,
                Err(e) => {
                    self.warn(&decl.path, decl.line, e.to_string());
                    continue;
                }
            };
            let node = catalog.add_package(c);
            nodes.insert(pep503(&decl.req.name), node);
            let parents: Vec<&String> = decl
                .via
                .iter()
                .flatten()
                .filter(|v| !v.starts_with('-'))
                .collect();
            let declared_by_input = decl
                .via
                .as_ref()
                .is_none_or(|v| v.iter().any(|e| e.starts_with('-')));
            if declared_by_input || parents.is_empty() {
                project.add_dep(node, kind);
            }
            pulled_in.extend(
                parents
                    .into_iter()
                    .map(|p| (pep503(p.split('[').next().unwrap_or(p)), node)),
            );
        }
        for (parent, child) in pulled_in {
            match nodes.get(&parent) {
                Some(from) => catalog.add_edge(*from, child, DepKind::Normal),
                // Pulled in by something not pinned here: keep it reachable from the project.
                None => project.add_dep(child, kind),
            }
        }
        catalog.add_project(project);
        catalog.diagnostics = self.diagnostics;
        catalog
    }
}

/// Sorts a requirement line into a PEP 508 requirement (with the local archive it names,
/// if any), or `None` for first-party local code.
fn classify(spec: &str, editable: bool) -> Result<Option<(Requirement, Option<String>)>, String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err("empty requirement".into());
    }
    if is_url(spec) {
        return url_requirement(spec).map(|r| Some((r, None)));
    }
    if is_local_path(spec) || editable {
        return Ok(local_archive(spec).map(|r| (r, Some(spec.to_string()))));
    }
    pep508::parse_requirement(spec).map(|r| Some((r, None)))
}

/// A bare URL requirement: the name comes from `#egg=` or the wheel file name.
fn url_requirement(url: &str) -> Result<Requirement, String> {
    let name = fragment(url, "egg")
        .map(str::to_string)
        .or_else(|| wheel_name_version(file_name(url)).map(|(n, _)| n.to_string()))
        .ok_or_else(|| "cannot tell the package name of this URL (add #egg=name)".to_string())?;
    pep508::parse_requirement(&name)
        .map_err(|e| format!("#egg={}: {e}", quote(&name, QUOTE_LIMIT)))?;
    Ok(Requirement {
        name,
        url: Some(url.to_string()),
        ..Requirement::default()
    })
}

/// A local wheel file's name and version; other local paths are first-party code.
fn local_archive(path: &str) -> Option<Requirement> {
    let (name, version) = wheel_name_version(file_name(path))?;
    Some(Requirement {
        name: name.to_string(),
        specifier: format!("=={version}"),
        ..Requirement::default()
    })
}

/// The component a declared requirement stands for.
fn component(decl: &Declared, pin: Option<&Pin>) -> Result<Component, bomscout_core::PurlError> {
    let req = &decl.req;
    let mut c = match (&req.url, req.pinned_version(), pin) {
        (Some(url), ..) => url_component(&req.name, url)?,
        (None, Some(version), _) => Component::new(Ecosystem::PyPI, None, &req.name, version)?,
        (None, None, Some(pin)) => {
            let mut c = Component::new(Ecosystem::PyPI, None, &req.name, &pin.version)?;
            let at = format!("{}:{}", pin.path, pin.line);
            c.properties.insert("constraint".into(), at);
            c
        }
        (None, None, None) => {
            Component::unresolved(Ecosystem::PyPI, None, &req.name, req.requirement_or_any())?
        }
    };
    declare::describe(&mut c, req);
    if decl.editable {
        c.properties.insert("editable".into(), "true".into());
    }
    if let Some(file) = &decl.local_file {
        c.properties.insert("path".into(), file.clone());
    }
    c.add_hashes(decl.hashes.iter().cloned());
    if let Some(h) = req.url.as_deref().and_then(fragment_hash) {
        c.add_hash(h);
    }
    Ok(c.at(Location::at_line(decl.path.as_str(), decl.line)))
}

/// A VCS or archive URL's component: qualified by `vcs_url` / `download_url` so that it is
/// never confused with the registry's package of the same name.
fn url_component(name: &str, url: &str) -> Result<Component, bomscout_core::PurlError> {
    let version = archive_version(name, file_name(url)).filter(|_| !is_vcs(url));
    match version {
        Some(version) => Component::with_qualifiers(
            Ecosystem::PyPI,
            None,
            name,
            version,
            &[("download_url", strip_fragment(url))],
        ),
        None => declare::url_unresolved(name, url),
    }
}

/// pip-compile's `# via` annotations, by the first line of the requirement they follow:
/// `# via name` on one line, or `# via` followed by `#   name` lines.
fn via_annotations(text: &str) -> HashMap<u32, Vec<String>> {
    let mut out: HashMap<u32, Vec<String>> = HashMap::new();
    let mut current: Option<u32> = None;
    let mut in_via = false;
    let mut continuing = false;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let trimmed = raw.trim();
        if let Some(comment) = trimmed.strip_prefix('#') {
            let comment = comment.trim();
            let via = comment
                .strip_prefix("via")
                .filter(|r| r.is_empty() || r.starts_with(' '));
            let entry = match via {
                Some(rest) => {
                    in_via = true;
                    Some(rest.trim())
                }
                None if in_via && raw.starts_with(char::is_whitespace) => Some(comment),
                None => {
                    in_via = false;
                    None
                }
            };
            if let (Some(e), Some(c)) = (entry.filter(|e| !e.is_empty()), current) {
                out.entry(c).or_default().push(e.to_string());
            }
            continuing = false;
            continue;
        }
        in_via = false;
        if trimmed.is_empty() {
            continuing = false;
            continue;
        }
        if !continuing {
            current = (!trimmed.starts_with('-')).then_some(n);
        }
        continuing = raw.ends_with('\\');
    }
    out
}

/// pip's logical lines: `\` continuations joined, comments removed, blank lines dropped.
/// Each carries the 1-based number of its first physical line.
fn logical_lines(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut pending: Option<(u32, String)> = None;
    for (i, raw) in text.lines().enumerate() {
        let n = u32::try_from(i + 1).unwrap_or(u32::MAX);
        let is_comment = raw.trim_start().starts_with('#');
        if raw.ends_with('\\') && !is_comment {
            let part = raw.trim_end_matches('\\');
            match &mut pending {
                Some((_, joined)) => joined.push_str(part),
                None => pending = Some((n, part.to_string())),
            }
            continue;
        }
        let (start, mut joined) = pending.take().unwrap_or((n, String::new()));
        if is_comment {
            joined.push(' ');
        }
        joined.push_str(raw);
        out.push((start, joined));
    }
    out.extend(pending);
    out.into_iter()
        .filter_map(|(n, line)| {
            let line = strip_comment(&line).trim();
            (!line.is_empty()).then(|| (n, line.to_string()))
        })
        .collect()
}

/// Cuts a comment: `#` at the start or after whitespace, as pip's `(^|\s+)#.*$`.
fn strip_comment(line: &str) -> &str {
    let mut prev_ws = true;
    for (i, c) in line.char_indices() {
        if c == '#' && prev_ws {
            return line.get(..i).unwrap_or("");
        }
        prev_ws = c.is_whitespace();
    }
    line
}

/// Splits an option line into its flag and value: `-r file`, `-rfile`, `--requirement=file`,
/// `--requirement file`. Quotes around the value are removed.
fn split_option(line: &str) -> (&str, &str) {
    let (flag, value) = if line.starts_with("--") {
        match line.find(|c: char| c == '=' || c.is_whitespace()) {
            Some(i) => (
                line.get(..i).unwrap_or(line),
                line.get(i + 1..).unwrap_or(""),
            ),
            None => (line, ""),
        }
    } else {
        let cut = line.char_indices().nth(2).map_or(line.len(), |(i, _)| i);
        (
            line.get(..cut).unwrap_or(line),
            line.get(cut..).unwrap_or(""),
        )
    };
    let value = value.trim();
    let unquoted = value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .or_else(|| value.strip_prefix('\'').and_then(|v| v.strip_suffix('\'')));
    (flag, unquoted.unwrap_or(value))
}

/// Splits a requirement line at its first ` -`-option, as pip does: the requirement is
/// every space-separated token before the first one starting with `-`.
fn split_requirement_options(line: &str) -> (&str, &str) {
    let mut offset = 0;
    for token in line.split(' ') {
        if token.starts_with('-') {
            return (
                line.get(..offset).unwrap_or(line),
                line.get(offset..).unwrap_or(""),
            );
        }
        offset += token.len() + 1;
    }
    (line, "")
}

/// The values of every `--hash` option (`--hash=v` or `--hash v`).
fn hash_options(options: &str) -> Vec<&str> {
    let mut values = Vec::new();
    let mut tokens = options.split_whitespace();
    while let Some(token) = tokens.next() {
        if let Some(value) = token.strip_prefix("--hash=") {
            values.push(value);
        } else if token == "--hash" {
            values.extend(tokens.next());
        }
    }
    values
}

/// `sha256:<hex>` (pip's `--hash`) or `sha256=<hex>` (a URL fragment) as a [`Hash`].
fn parse_hash(value: &str) -> Option<Hash> {
    let (alg, hex) = value.split_once([':', '='])?;
    // The name pip writes, without `from_name`'s normalization (an allocation per hash).
    let alg = match alg {
        "sha256" => HashAlg::Sha256,
        _ => HashAlg::from_name(alg)?,
    };
    Hash::hex(alg, hex)
}

/// The hash in a URL fragment such as `#sha256=…`.
fn fragment_hash(url: &str) -> Option<Hash> {
    let frag = url.split_once('#')?.1;
    frag.split('&').find_map(parse_hash)
}

/// The value of `key=` in a URL fragment (`#egg=name&subdirectory=x`).
fn fragment<'a>(url: &'a str, key: &str) -> Option<&'a str> {
    let frag = url.split_once('#')?.1;
    frag.split('&')
        .find_map(|kv| kv.strip_prefix(key)?.strip_prefix('='))
        .filter(|v| !v.is_empty())
}

fn is_url(spec: &str) -> bool {
    is_vcs(spec)
        || spec.split_once("://").is_some_and(|(scheme, _)| {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+')
        })
}

/// `.`, `./x`, `../x`, `/x`, `~/x`, `C:\x`: a path, which pip installs as local code.
fn is_local_path(spec: &str) -> bool {
    spec.starts_with(['.', '/', '~', '\\'])
        || spec.get(1..3) == Some(":\\")
        || (spec.contains('/') && !spec.contains('@') && !spec.contains(';'))
}

/// The last path segment of a URL or path, without query or fragment.
fn file_name(url: &str) -> &str {
    let url = url.split(['#', '?']).next().unwrap_or(url);
    url.rsplit(['/', '\\']).next().unwrap_or(url)
}

/// `name-version(-build)?-py-abi-platform.whl` → `(name, version)`.
fn wheel_name_version(file: &str) -> Option<(&str, &str)> {
    let stem = file.strip_suffix(".whl")?;
    let parts: Vec<&str> = stem.split('-').collect();
    match parts.as_slice() {
        [name, version, _, _, _] | [name, version, _, _, _, _] => Some((name, version)),
        _ => None,
    }
}

/// The version an archive's file name tells: a wheel's, or an sdist's
/// `name-version.tar.gz` when the name matches.
fn archive_version<'a>(name: &str, file: &'a str) -> Option<&'a str> {
    if let Some((wheel_name, version)) = wheel_name_version(file) {
        return (pep503(wheel_name) == pep503(name)).then_some(version);
    }
    let stem = [".tar.gz", ".tar.bz2", ".tar.xz", ".tgz", ".zip"]
        .iter()
        .find_map(|ext| file.strip_suffix(ext))?;
    let (sdist_name, version) = stem.rsplit_once('-')?;
    let looks_like_version = version.starts_with(|c: char| c.is_ascii_digit());
    (pep503(sdist_name) == pep503(name) && looks_like_version).then_some(version)
}

/// The project directory of a requirements file: its own, or the one above a
/// `requirements/` directory.
fn project_dir(path: &str) -> &str {
    let dir = path.rsplit_once('/').map_or("", |(d, _)| d);
    match dir.rsplit_once('/') {
        Some((parent, "requirements")) => parent,
        None if dir == "requirements" => "",
        _ => dir,
    }
}

/// [`DepKind::Dev`] when the file name says dev/test/lint/docs (see [`DEV_WORDS`]).
fn kind_of(path: &str) -> DepKind {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    let stem = name.strip_suffix(".txt").unwrap_or(&name);
    let dev = stem.split(['-', '_', '.']).any(|w| DEV_WORDS.contains(&w));
    if dev {
        DepKind::Dev
    } else {
        DepKind::Normal
    }
}

/// `dir(including)/target` with `.` and `..` resolved, `/`-separated.
fn join_rel(including: &str, target: &str) -> String {
    let target = target.replace('\\', "/");
    if target.starts_with('/') {
        return target;
    }
    let dir = including.rsplit_once('/').map_or("", |(d, _)| d);
    let mut parts: Vec<&str> = dir
        .split('/')
        .filter(|p| !p.is_empty() && *p != ".")
        .collect();
    for seg in target.split('/') {
        match seg {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(seg),
        }
    }
    parts.join("/")
}

fn canonical(tree: &dyn Tree, path: &Path) -> PathBuf {
    tree.canonicalize(path)
        .unwrap_or_else(|| path.to_path_buf())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Options;
    use std::path::Path;
    use test_case::test_case;

    /// Includes in an image are read through its tree: inside it, symlinks resolved the
    /// container's way; a file the image reader did not keep is a warning naming it.
    #[test]
    fn includes_inside_a_tree_in_memory() {
        use bomscout_walk::MemTree;
        use std::sync::Arc;
        let mut t = MemTree::new();
        let mut put = |rel: &str, text: &str| {
            t.insert_file(rel, text.len() as u64, 0, Some(Arc::from(text.as_bytes())));
        };
        put(
            "app/requirements.txt",
            "-r base.txt\n-r link.txt\n-r gone.txt\nflask==3.0.0\n",
        );
        put("app/base.txt", "attrs==23.2.0\n");
        put("etc/extra.txt", "six==1.16.0\n");
        t.insert_symlink("app/link.txt", "/etc/extra.txt", 0);
        t.insert_file("app/gone.txt", 9, 0, None);
        let c = crate::parse_tree(parse, &t, "app/requirements.txt").unwrap();
        let mut purls: Vec<&str> = c
            .packages
            .iter()
            .map(|p| p.component.purl.as_str())
            .collect();
        purls.sort();
        assert_eq!(
            purls,
            [
                "pkg:pypi/attrs@23.2.0",
                "pkg:pypi/flask@3.0.0",
                "pkg:pypi/six@1.16.0"
            ]
        );
        let messages: Vec<&str> = c.diagnostics.iter().map(|d| d.message.as_str()).collect();
        assert_eq!(messages.len(), 1, "{messages:?}");
        assert!(messages[0].contains("gone.txt"), "{messages:?}");
        assert!(messages[0].contains("not kept"), "{messages:?}");
    }

    fn parse_at(text: &[u8], path: &str, abs: &Path) -> Catalog {
        let options = Options::default();
        let input = Input {
            bytes: text,
            shared_path: &bomscout_core::SharedStr::from(path),
            abs,
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        parse(&input).unwrap()
    }

    fn parse_str(text: &str) -> Catalog {
        parse_at(
            text.as_bytes(),
            "requirements.txt",
            Path::new("/nonexistent/requirements.txt"),
        )
    }

    /// `name version-or-requirement purl [props] #hashes @line` per package.
    fn rows(c: &Catalog) -> Vec<String> {
        c.packages
            .iter()
            .map(|p| {
                let c = &p.component;
                let props: Vec<String> = c
                    .properties
                    .iter()
                    .map(|(k, v)| format!("{k}={v}"))
                    .collect();
                let line = c.locations.iter().next().and_then(|l| l.line).unwrap_or(0);
                format!(
                    "{} {} {} [{}] #{} @{}",
                    c.name,
                    c.version.as_ref().or(c.requirement.as_ref()).unwrap(),
                    c.purl,
                    props.join(" "),
                    c.hashes.len(),
                    line
                )
            })
            .collect()
    }

    const H1: &str = "0cf3cae568d36aa9576b28dfb35f11328f1cb974ca7647d9475ebb86c75ac6e3";
    const H2: &str = "63bf2ead4c879426ebf22ef2a781eeb4aa3b4ae798a0435506f8687fd5bb9b63";

    #[test_case("requests==2.31.0", "requests 2.31.0 pkg:pypi/requests@2.31.0 [] #0 @1"; "pin")]
    #[test_case("numpy===1.26.4", "numpy 1.26.4 pkg:pypi/numpy@1.26.4 [] #0 @1"; "arbitrary equality pin")]
    #[test_case("Django>=4.2,<5", "Django >=4.2,<5 pkg:pypi/django [] #0 @1"; "range is unresolved")]
    #[test_case("foo==1.*", "foo ==1.* pkg:pypi/foo [] #0 @1"; "wildcard is a range")]
    #[test_case("idna", "idna * pkg:pypi/idna [] #0 @1"; "bare name")]
    #[test_case("requests[socks,security]==2.31.0", "requests 2.31.0 pkg:pypi/requests@2.31.0 [extras=socks,security] #0 @1"; "extras")]
    #[test_case("pywin32==306; sys_platform == 'win32'", "pywin32 306 pkg:pypi/pywin32@306 [marker=sys_platform == 'win32'] #0 @1"; "pin with marker")]
    #[test_case("\n\n# c\nfoo==1  # why\n", "foo 1 pkg:pypi/foo@1 [] #0 @4"; "comments and blank lines")]
    #[test_case("foo==1\t# tab comment", "foo 1 pkg:pypi/foo@1 [] #0 @1"; "comment after tab")]
    #[test_case("requ\\\nests==1", "requests 1 pkg:pypi/requests@1 [] #0 @1"; "continuation joins without space")]
    #[test_case("# note \\\nfoo==1", "foo 1 pkg:pypi/foo@1 [] #0 @2"; "comment ending in backslash is no continuation")]
    #[test_case("foo==1 \\\n  # via bar\n", "foo 1 pkg:pypi/foo@1 [] #0 @1"; "comment line ends a continuation")]
    #[test_case("foo==1 \\", "foo 1 pkg:pypi/foo@1 [] #0 @1"; "continuation at end of file")]
    #[test_case("foo==1\r\nbar==2\r\n", "foo 1 pkg:pypi/foo@1 [] #0 @1"; "crlf")]
    #[test_case("-e git+https://e.invalid/x.git@v1#egg=x", "x git+https://e.invalid/x.git@v1#egg=x pkg:pypi/x?vcs_url=git%2Bhttps:%2F%2Fe.invalid%2Fx.git%40v1 [editable=true] #0 @1"; "editable vcs")]
    #[test_case("--editable=git+https://e.invalid/x.git#egg=x&subdirectory=py", "x git+https://e.invalid/x.git#egg=x&subdirectory=py pkg:pypi/x?vcs_url=git%2Bhttps:%2F%2Fe.invalid%2Fx.git [editable=true] #0 @1"; "editable with equals and subdirectory")]
    #[test_case("x @ git+https://e.invalid/x.git@abc", "x git+https://e.invalid/x.git@abc pkg:pypi/x?vcs_url=git%2Bhttps:%2F%2Fe.invalid%2Fx.git%40abc [] #0 @1"; "named vcs")]
    #[test_case("https://e.invalid/d/foo_bar-2.0-py3-none-any.whl", "foo_bar 2.0 pkg:pypi/foo-bar@2.0?download_url=https:%2F%2Fe.invalid%2Fd%2Ffoo_bar-2.0-py3-none-any.whl [] #0 @1"; "bare wheel url")]
    #[test_case("foo @ https://e.invalid/foo-1.2.tar.gz#sha256=0cf3cae568d36aa9576b28dfb35f11328f1cb974ca7647d9475ebb86c75ac6e3", "foo 1.2 pkg:pypi/foo@1.2?download_url=https:%2F%2Fe.invalid%2Ffoo-1.2.tar.gz [] #1 @1"; "sdist url with hash fragment")]
    #[test_case("foo @ https://e.invalid/bar-1.2.tar.gz", "foo https://e.invalid/bar-1.2.tar.gz pkg:pypi/foo?download_url=https:%2F%2Fe.invalid%2Fbar-1.2.tar.gz [] #0 @1"; "archive of another name stays unresolved")]
    #[test_case("./wheels/local_pkg-1.0-py3-none-any.whl", "local_pkg 1.0 pkg:pypi/local-pkg@1.0 [path=./wheels/local_pkg-1.0-py3-none-any.whl] #0 @1"; "local wheel")]
    fn one_requirement(text: &str, expected: &str) {
        let c = parse_str(text);
        assert_eq!(rows(&c).first().map(String::as_str), Some(expected));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test]
    fn hashes_on_continuation_lines() {
        let text = format!("urllib3==2.8.0 \\\n    --hash=sha256:{H1} \\\n    --hash sha256:{H2}\n    # via requests\n");
        let c = parse_str(&text);
        assert_eq!(rows(&c), ["urllib3 2.8.0 pkg:pypi/urllib3@2.8.0 [] #2 @1"]);
        let hashes: Vec<&str> = c.packages[0]
            .component
            .hashes
            .iter()
            .map(|h| h.value.as_str())
            .collect();
        assert_eq!(hashes, [H1, H2]);
    }

    #[test]
    fn many_hashes_sorted_once_each_as_add_hash_leaves_them() {
        // Out of order, repeated, one upper-case and one in a URL fragment.
        let upper = H2.to_ascii_uppercase();
        let text = format!(
            "pkg @ https://e.invalid/pkg-1.0.tar.gz#sha256={H1} --hash=sha256:{H2} \\\n    --hash=sha256:{H1} --hash=SHA256:{upper} --hash=sha256:{H2}\n"
        );
        let c = parse_str(&text);
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let mut one_by_one = Component::new(Ecosystem::PyPI, None, "x", "1").unwrap();
        for h in [H2, H1, &upper, H2, H1] {
            one_by_one.add_hash(Hash::hex(HashAlg::Sha256, h).unwrap());
        }
        assert_eq!(c.packages[0].component.hashes, one_by_one.hashes);
        assert_eq!(c.packages[0].component.hashes.len(), 2);
    }

    #[test_case("-i https://e.invalid/simple"; "short index")]
    #[test_case("--index-url=https://e.invalid/simple"; "index with equals")]
    #[test_case("--extra-index-url https://e.invalid/simple"; "extra index")]
    #[test_case("-f ./wheels"; "find links short")]
    #[test_case("--find-links /opt/wheels"; "find links")]
    #[test_case("--no-binary :all:"; "no binary")]
    #[test_case("--only-binary=:all:"; "only binary")]
    #[test_case("--prefer-binary"; "prefer binary")]
    #[test_case("--pre"; "pre")]
    #[test_case("--trusted-host e.invalid"; "trusted host")]
    #[test_case("--require-hashes"; "require hashes")]
    #[test_case("--no-index"; "no index")]
    #[test_case("-e ."; "editable project")]
    #[test_case("-e ./libs/core"; "editable path")]
    #[test_case("."; "project path")]
    #[test_case("./libs/core"; "local dir")]
    #[test_case("libs/core"; "relative dir without dot")]
    #[test_case(""; "empty file")]
    fn lines_without_components(text: &str) {
        let c = parse_str(text);
        assert!(c.packages.is_empty(), "{:?}", rows(&c));
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        assert_eq!(c.projects.len(), 1);
    }

    #[test_case("requirements.txt", DepKind::Normal; "plain")]
    #[test_case("requirements-dev.txt", DepKind::Dev; "dev suffix")]
    #[test_case("dev-requirements.txt", DepKind::Dev; "dev prefix")]
    #[test_case("requirements_test.txt", DepKind::Dev; "underscore test")]
    #[test_case("requirements-tests.txt", DepKind::Dev; "tests")]
    #[test_case("requirements.docs.txt", DepKind::Dev; "dotted docs")]
    #[test_case("requirements/lint.txt", DepKind::Dev; "requirements dir lint")]
    #[test_case("requirements/base.txt", DepKind::Normal; "requirements dir base")]
    #[test_case("requirements/prod.txt", DepKind::Normal; "prod")]
    #[test_case("requirements-devices.txt", DepKind::Normal; "word must match whole")]
    #[test_case("Requirements-DEV.txt", DepKind::Dev; "case insensitive")]
    fn kind_from_file_name(path: &str, kind: DepKind) {
        assert_eq!(kind_of(path), kind);
    }

    #[test_case("requirements.txt", "."; "root")]
    #[test_case("svc/requirements.txt", "svc"; "subdir")]
    #[test_case("requirements/base.txt", "."; "requirements dir at root")]
    #[test_case("svc/requirements/base.txt", "svc"; "requirements dir in subdir")]
    fn project_dirs(path: &str, dir: &str) {
        let c = parse_at(b"", path, Path::new("/nonexistent/x.txt"));
        assert_eq!(c.projects[0].dir, dir);
        assert_eq!(c.projects[0].manifest, path);
    }

    #[test_case("requirements.txt", "base.txt", "base.txt"; "sibling")]
    #[test_case("a/b/requirements.txt", "../c.txt", "a/c.txt"; "parent")]
    #[test_case("a/requirements.txt", "./x/../y.txt", "a/y.txt"; "dots")]
    #[test_case("requirements.txt", "../up.txt", "../up.txt"; "above root")]
    #[test_case("a/r.txt", "/abs/r.txt", "/abs/r.txt"; "absolute")]
    fn include_paths(including: &str, target: &str, expected: &str) {
        assert_eq!(join_rel(including, target), expected);
    }

    #[test]
    fn unknown_option_and_bad_lines_warn_at_their_line() {
        let c = parse_str("ok==1\n--frobnicate\nnot a req\nalso==ok\n");
        assert_eq!(rows(&c).len(), 2);
        let at: Vec<(Option<u32>, &str)> = c
            .diagnostics
            .iter()
            .map(|d| (d.line, d.message.as_str()))
            .collect();
        assert_eq!(at[0], (Some(2), "unknown option \"--frobnicate\" ignored"));
        assert_eq!(at[1].0, Some(3));
    }

    fn write(dir: &Path, name: &str, text: &str) -> PathBuf {
        let p = dir.join(name);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(&p, text).unwrap();
        p
    }

    #[test]
    fn include_forms_and_constraints() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), "a.txt", "a==1\n");
        write(dir.path(), "b.txt", "b\n");
        write(dir.path(), "c.txt", "c==3\n");
        write(
            dir.path(),
            "pins.txt",
            "b==2.0\nonly-constrained==9\nc==4\nd>=1\n",
        );
        let top = write(
            dir.path(),
            "requirements.txt",
            "-ra.txt\n--requirement=b.txt\n--requirement c.txt\n-c pins.txt\nd\n",
        );
        let text = std::fs::read(&top).unwrap();
        let c = parse_at(&text, "requirements.txt", &top);
        assert_eq!(
            rows(&c),
            [
                "a 1 pkg:pypi/a@1 [] #0 @1",
                "b 2.0 pkg:pypi/b@2.0 [constraint=pins.txt:1] #0 @1",
                "c 3 pkg:pypi/c@3 [] #0 @1",
                "d * pkg:pypi/d [] #0 @5",
            ]
        );
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    }

    #[test]
    fn self_include_is_a_cycle() {
        let dir = tempfile::tempdir().unwrap();
        let top = write(
            dir.path(),
            "requirements.txt",
            "-r requirements.txt\nx==1\n",
        );
        let c = parse_at(&std::fs::read(&top).unwrap(), "requirements.txt", &top);
        assert_eq!(rows(&c), ["x 1 pkg:pypi/x@1 [] #0 @2"]);
        assert_eq!(c.diagnostics.len(), 1);
        assert!(c.diagnostics[0].message.contains("include cycle"));
    }

    #[test]
    fn include_depth_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        for i in 0..40 {
            write(
                dir.path(),
                &format!("r{i}.txt"),
                &format!("-r r{}.txt\np{i}==1\n", i + 1),
            );
        }
        let top = dir.path().join("r0.txt");
        let c = parse_at(&std::fs::read(&top).unwrap(), "r0.txt", &top);
        assert_eq!(c.packages.len(), MAX_INCLUDE_DEPTH + 1);
        assert_eq!(c.diagnostics.len(), 1);
        assert!(
            c.diagnostics[0].message.contains("nest deeper"),
            "{:?}",
            c.diagnostics
        );
    }

    #[test]
    fn includes_outside_the_scan_root_are_not_read() {
        let base = tempfile::tempdir().unwrap();
        let secret = write(
            base.path(),
            "credentials",
            "aws_access_key_id = AKIAEXAMPLE\n",
        );
        let root = base.path().join("repo");
        write(&root, "in.txt", "inside==1\n");
        std::os::unix::fs::symlink(&secret, root.join("link.txt")).unwrap();
        let text = format!(
            "-r {}\n-c ../credentials\n--requirement link.txt\n-r in.txt\n-r none.txt\n",
            secret.display()
        );
        let c = crate::parse_in(parse, &root, "requirements.txt", &text).unwrap();
        assert_eq!(rows(&c), ["inside 1 pkg:pypi/inside@1 [] #0 @1"]);
        let messages: Vec<String> = c.diagnostics.iter().map(|d| d.to_string()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        for m in &messages[..3] {
            assert!(m.contains(text::OUTSIDE_ROOT), "{m}");
        }
        assert!(
            messages[3].contains("\"none.txt\": no such file"),
            "{messages:?}"
        );
        assert!(!messages.iter().any(|m| m.contains("AKIA")), "{messages:?}");
    }

    #[test]
    fn a_fifo_include_does_not_block() {
        let root = tempfile::tempdir().unwrap();
        assert!(std::process::Command::new("mkfifo")
            .arg(root.path().join("fifo.txt"))
            .status()
            .unwrap()
            .success());
        let c = crate::parse_in(parse, root.path(), "requirements.txt", "-r fifo.txt\n").unwrap();
        assert!(
            c.diagnostics[0].message.contains("FIFO"),
            "{:?}",
            c.diagnostics
        );
    }

    #[test]
    fn quoted_input_is_bounded_and_escaped() {
        let long = format!("bad!{}\x1b[31m", "x".repeat(500));
        let c = parse_str(&format!("{long}\n--weird{long}\n"));
        for d in &c.diagnostics {
            assert!(d.message.len() < 200, "{}", d.message);
            assert!(!d.message.contains('\x1b'), "{}", d.message);
        }
        assert_eq!(c.diagnostics.len(), 2);
    }

    #[test]
    fn remote_include_is_not_followed() {
        let c = parse_str("-r https://e.invalid/requirements.txt\n");
        assert!(c.diagnostics[0].message.contains("not followed"));
    }

    #[test]
    fn hostile_input() {
        let options = Options::default();
        let bad = Input {
            bytes: b"foo==1\n\xff\n",
            shared_path: &bomscout_core::SharedStr::from("requirements.txt"),
            abs: Path::new("/x"),
            root: std::path::Path::new("/"),
            options: &options,
            tree: &crate::DISK,
        };
        assert_eq!(parse(&bad).unwrap_err().line(), Some(2));
        let backslashes = "\\\n".repeat(100_000);
        assert!(parse_str(&backslashes).packages.is_empty());
        let long = format!("a{}", "[".repeat(200_000));
        assert_eq!(parse_str(&long).diagnostics.len(), 1);
        let many = "x==1\n".repeat(50_000);
        assert_eq!(parse_str(&many).packages.len(), 50_000);
        let dashes = "-".repeat(10_000);
        assert_eq!(parse_str(&dashes).diagnostics.len(), 1);
        assert_eq!(parse_str("-r\n-e\n").diagnostics.len(), 2);
    }
}
