//! The policy file: parsing, `extends` layering, and validation that reports every problem
//! at once with `file:line:column` and a caret (codespan-reporting), like cargo-deny.

use crate::matching::{Date, PackageMatch};
use bomscout_core::Scope;
use bomscout_license::Category;
use codespan_reporting::diagnostic::{Diagnostic, Label};
use codespan_reporting::files::SimpleFiles;
use codespan_reporting::term;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};
use toml::Spanned;

/// How many `extends` levels are followed before giving up (a cycle, most likely).
const MAX_EXTENDS: usize = 8;

/// What happens to a component whose license falls under a rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Action {
    /// Passes.
    Allow,
    /// Warns; fails only with `--fail-on review`.
    Review,
    /// Fails.
    Deny,
}

/// A license list entry: an SPDX id (possibly `ID WITH EXCEPTION`) or a category.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// An id, or `ID WITH EXCEPTION`.
    License(String),
    /// `category:NAME`.
    Category(Category),
}

impl Entry {
    /// The entry as written in a policy file.
    pub fn text(&self) -> String {
        match self {
            Entry::License(l) => l.clone(),
            Entry::Category(c) => format!("category:{c}"),
        }
    }
}

/// An exception: named licenses allowed for one package.
#[derive(Debug, Clone)]
pub struct Exception {
    /// Which package.
    pub package: PackageMatch,
    /// The licenses allowed for it.
    pub licenses: Vec<String>,
    /// Why (shown in reports).
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
    /// True if it comes from the file being checked, not from a policy it extends: only
    /// those are reported when unused or expired, so an org-wide base stays quiet.
    pub local: bool,
}

/// A curation: the license a package really has.
#[derive(Debug, Clone)]
pub struct Curation {
    /// Which package.
    pub package: PackageMatch,
    /// The SPDX expression to use instead of what it declares.
    pub license: String,
    /// Why.
    pub reason: String,
    /// SHA-256 of the license file the curation was verified against, when given.
    pub license_file_sha256: Option<String>,
    /// From the file being checked (see [`Exception::local`]).
    pub local: bool,
}

/// A validated, layered policy.
#[derive(Debug, Clone)]
pub struct Policy {
    /// Shown in every report.
    pub name: String,
    /// Allowed licenses and categories.
    pub allow: Vec<Entry>,
    /// Licenses and categories that need a look.
    pub review: Vec<Entry>,
    /// Denied licenses and categories.
    pub deny: Vec<Entry>,
    /// For a component with no usable license.
    pub unknown: Action,
    /// For a license in no list.
    pub unlisted: Action,
    /// The scopes that are checked.
    pub scopes: Vec<Scope>,
    /// Exceptions, in file order (extended files first).
    pub exceptions: Vec<Exception>,
    /// Curations, likewise.
    pub curations: Vec<Curation>,
    /// Guidance text by license id or `category:NAME`.
    pub guidance: BTreeMap<String, String>,
}

/// A policy that could not be loaded: every problem, rendered with file, line, column and a
/// caret under the offending value.
#[derive(Debug)]
pub struct PolicyError {
    /// The rendered diagnostics.
    pub rendered: String,
}

impl std::fmt::Display for PolicyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.rendered.trim_end())
    }
}

impl std::error::Error for PolicyError {}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    policy: RawMeta,
    #[serde(default)]
    licenses: RawLicenses,
    #[serde(default)]
    exception: Vec<RawException>,
    #[serde(default)]
    curation: Vec<RawCuration>,
    #[serde(default)]
    guidance: BTreeMap<String, Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    name: Option<String>,
    #[serde(default)]
    extends: Vec<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawLicenses {
    #[serde(default)]
    allow: Vec<Spanned<String>>,
    #[serde(default)]
    review: Vec<Spanned<String>>,
    #[serde(default)]
    deny: Vec<Spanned<String>>,
    unknown: Option<Spanned<String>>,
    unlisted: Option<Spanned<String>>,
    scopes: Option<Vec<Spanned<String>>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawException {
    package: Spanned<String>,
    licenses: Vec<Spanned<String>>,
    reason: String,
    expires: Option<Spanned<String>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCuration {
    package: Spanned<String>,
    license: Spanned<String>,
    reason: String,
    #[serde(rename = "license-file-sha256")]
    license_file_sha256: Option<String>,
}

/// The policies compiled into the binary, by `builtin:` name.
pub const BUILTIN: &[(&str, &str)] = &[
    (
        "permissive",
        include_str!("../../../policies/permissive.toml"),
    ),
    ("stage1", include_str!("../../../policies/stage1.toml")),
    ("strict", include_str!("../../../policies/strict.toml")),
];

/// The annotated starter policy `bomscout policy init` writes.
pub const STARTER: &str = include_str!("../../../policies/starter.toml");

impl Policy {
    /// Loads `spec`: a file path or `builtin:NAME`, with everything it extends.
    pub fn load(spec: &str) -> Result<Policy, PolicyError> {
        let mut stack = Vec::new();
        let mut policy = empty();
        load_layer(spec, None, true, &mut stack, &mut policy)?;
        Ok(policy)
    }

    /// Parses a policy from text (`name` is used in diagnostics; `extends` paths resolve
    /// relative to the current directory).
    pub fn from_text(name: &str, text: &str) -> Result<Policy, PolicyError> {
        let mut policy = empty();
        let mut stack = vec![name.to_string()];
        apply_text(name, text, None, true, &mut stack, &mut policy)?;
        Ok(policy)
    }
}

fn empty() -> Policy {
    Policy {
        name: String::new(),
        allow: Vec::new(),
        review: Vec::new(),
        deny: Vec::new(),
        unknown: Action::Deny,
        unlisted: Action::Review,
        scopes: vec![Scope::Required, Scope::Optional],
        exceptions: Vec::new(),
        curations: Vec::new(),
        guidance: BTreeMap::new(),
    }
}

/// The most a policy file may hold.
const MAX_POLICY_BYTES: u64 = 1024 * 1024;

/// Checks that `path`, named in an `extends` of a policy file in `dir`, resolves inside
/// `dir`. A policy file can come with a pull request (it is found in the scanned
/// directory), so its `extends` must not make bomscout read, and show in an error with
/// its lines, a file such as a CI runner's credentials.
fn inside(dir: &Path, path: &Path) -> Result<(), String> {
    let base = std::fs::canonicalize(dir).map_err(|e| e.to_string())?;
    let real = std::fs::canonicalize(path).map_err(|e| e.to_string())?;
    if real.starts_with(&base) {
        Ok(())
    } else {
        Err("outside the directory of the policy file that extends it".to_string())
    }
}

/// A policy file's text: a regular file (never a FIFO or a device, which could block or
/// never end) of at most [`MAX_POLICY_BYTES`].
fn read_policy_file(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_POLICY_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_POLICY_BYTES {
        return Err(format!("larger than {MAX_POLICY_BYTES} bytes"));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())
}

fn plain_error(message: String) -> PolicyError {
    PolicyError {
        rendered: format!("error: {message}\n"),
    }
}

fn load_layer(
    spec: &str,
    relative_to: Option<&Path>,
    local: bool,
    stack: &mut Vec<String>,
    policy: &mut Policy,
) -> Result<(), PolicyError> {
    let (name, text, dir) = match spec.strip_prefix("builtin:") {
        Some(b) => {
            let text = BUILTIN
                .iter()
                .find(|(n, _)| *n == b)
                .map(|(_, t)| *t)
                .ok_or_else(|| {
                    let names: Vec<&str> = BUILTIN.iter().map(|(n, _)| *n).collect();
                    plain_error(format!(
                        "unknown builtin policy {spec:?}; builtins: {}",
                        names.join(", ")
                    ))
                })?;
            (spec.to_string(), text.to_string(), None)
        }
        None => {
            let path: PathBuf = relative_to
                .map(|d| d.join(spec))
                .unwrap_or_else(|| PathBuf::from(spec));
            if let Some(dir) = relative_to {
                inside(dir, &path).map_err(|why| {
                    plain_error(format!("policy `extends` {spec:?}: {why}; not read"))
                })?;
            }
            let text = read_policy_file(&path)
                .map_err(|e| plain_error(format!("cannot read policy {}: {e}", path.display())))?;
            (
                path.display().to_string(),
                text,
                path.parent().map(Path::to_path_buf),
            )
        }
    };
    if stack.contains(&name) || stack.len() >= MAX_EXTENDS {
        return Err(plain_error(format!(
            "policy `extends` loops or nests too deep at {name}: {}",
            stack.join(" -> ")
        )));
    }
    stack.push(name.clone());
    apply_text(&name, &text, dir.as_deref(), local, stack, policy)?;
    stack.pop();
    Ok(())
}

/// Parses and validates one file, loads what it extends first, then layers it on top.
fn apply_text(
    name: &str,
    text: &str,
    dir: Option<&Path>,
    local: bool,
    stack: &mut Vec<String>,
    policy: &mut Policy,
) -> Result<(), PolicyError> {
    let mut files = SimpleFiles::new();
    let file = files.add(name.to_string(), text.to_string());
    let raw: RawFile = match toml::from_str(text) {
        Ok(raw) => raw,
        Err(e) => {
            let d = Diagnostic::error()
                .with_message(e.message().to_string())
                .with_labels(
                    e.span()
                        .map(|s| vec![Label::primary(file, s)])
                        .unwrap_or_default(),
                );
            return Err(render(&files, &[d]));
        }
    };
    for base in &raw.policy.extends {
        load_layer(base.get_ref(), dir, false, stack, policy)?;
    }
    let mut problems = Vec::new();
    layer(&raw, file, local, policy, &mut problems);
    if !problems.is_empty() {
        return Err(render(&files, &problems));
    }
    if let Some(n) = raw.policy.name.filter(|_| local) {
        policy.name = n;
    } else if policy.name.is_empty() {
        policy.name = name.to_string();
    }
    Ok(())
}

type Problems = Vec<Diagnostic<usize>>;

fn problem(
    file: usize,
    span: Range<usize>,
    message: String,
    note: Option<String>,
) -> Diagnostic<usize> {
    let d = Diagnostic::error()
        .with_message(message)
        .with_labels(vec![Label::primary(file, span)]);
    match note {
        Some(n) => d.with_notes(vec![n]),
        None => d,
    }
}

fn layer(raw: &RawFile, file: usize, local: bool, policy: &mut Policy, problems: &mut Problems) {
    let l = &raw.licenses;
    for (list, target) in [
        (&l.allow, &mut policy.allow),
        (&l.review, &mut policy.review),
        (&l.deny, &mut policy.deny),
    ] {
        for item in list {
            if let Some(e) = entry(item, file, problems) {
                target.push(e);
            }
        }
    }
    duplicates(raw, file, problems);
    if let Some(a) = &l.unknown {
        if let Some(a) = action(a, file, problems) {
            policy.unknown = a;
        }
    }
    if let Some(a) = &l.unlisted {
        if let Some(a) = action(a, file, problems) {
            policy.unlisted = a;
        }
    }
    if let Some(scopes) = &l.scopes {
        policy.scopes = scopes
            .iter()
            .filter_map(|s| scope(s, file, problems))
            .collect();
    }
    for e in &raw.exception {
        let package = package(&e.package, file, problems);
        let expires = e.expires.as_ref().and_then(|d| date(d, file, problems));
        let licenses: Vec<String> = e
            .licenses
            .iter()
            .filter_map(|l| license_id(l, file, problems))
            .collect();
        if let Some(package) = package {
            policy.exceptions.push(Exception {
                package,
                licenses,
                reason: e.reason.clone(),
                expires,
                local,
            });
        }
    }
    for c in &raw.curation {
        let package = package(&c.package, file, problems);
        let valid = spdx::Expression::parse(c.license.get_ref()).is_ok();
        if !valid {
            problems.push(problem(
                file,
                c.license.span(),
                format!("`{}` is not a valid SPDX expression", c.license.get_ref()),
                None,
            ));
        }
        if let (Some(package), true) = (package, valid) {
            policy.curations.push(Curation {
                package,
                license: c.license.get_ref().clone(),
                reason: c.reason.clone(),
                license_file_sha256: c.license_file_sha256.clone(),
                local,
            });
        }
    }
    for (key, text) in &raw.guidance {
        let known = key.strip_prefix("category:").map_or_else(
            || spdx::license_id(key).is_some() || key.starts_with("LicenseRef-"),
            |c| c.parse::<Category>().is_ok(),
        );
        if !known {
            problems.push(problem(
                file,
                text.span(),
                format!("guidance for `{key}`, which is neither an SPDX license id nor a category"),
                None,
            ));
        }
        policy.guidance.insert(key.clone(), text.get_ref().clone());
    }
}

/// An id in more than one list of the same file is a mistake worth naming.
fn duplicates(raw: &RawFile, file: usize, problems: &mut Problems) {
    let l = &raw.licenses;
    let mut seen: BTreeMap<&str, &str> = BTreeMap::new();
    for (list, name) in [
        (&l.allow, "allow"),
        (&l.review, "review"),
        (&l.deny, "deny"),
    ] {
        for item in list {
            if let Some(first) = seen.insert(item.get_ref(), name).filter(|f| *f != name) {
                problems.push(problem(
                    file,
                    item.span(),
                    format!("`{}` is in both `{first}` and `{name}`", item.get_ref()),
                    None,
                ));
            }
        }
    }
}

fn entry(item: &Spanned<String>, file: usize, problems: &mut Problems) -> Option<Entry> {
    let text = item.get_ref().trim();
    if let Some(c) = text.strip_prefix("category:") {
        return match c.parse::<Category>() {
            Ok(c) => Some(Entry::Category(c)),
            Err(e) => {
                let names: Vec<&str> = Category::ALL.iter().map(|c| c.as_str()).collect();
                problems.push(problem(
                    file,
                    item.span(),
                    e,
                    Some(format!("categories: {}", names.join(", "))),
                ));
                None
            }
        };
    }
    let (id, exception) = match text.split_once(" WITH ") {
        Some((id, e)) => (id.trim(), Some(e.trim())),
        None => (text, None),
    };
    let id_ok = spdx::license_id(id).is_some() || id.starts_with("LicenseRef-");
    let exception_ok = exception.is_none_or(|e| spdx::exception_id(e).is_some());
    if !id_ok || !exception_ok {
        let hint =
            spdx::imprecise_license_id(id).map(|(l, _)| format!("did you mean `{}`?", l.name));
        problems.push(problem(
            file,
            item.span(),
            format!("`{text}` is not an SPDX license id (or `category:NAME`)"),
            hint,
        ));
        return None;
    }
    Some(Entry::License(text.to_string()))
}

fn license_id(item: &Spanned<String>, file: usize, problems: &mut Problems) -> Option<String> {
    match entry(item, file, problems) {
        Some(Entry::License(l)) => Some(l),
        Some(Entry::Category(_)) => {
            problems.push(problem(
                file,
                item.span(),
                "an exception names licenses, not categories".into(),
                None,
            ));
            None
        }
        None => None,
    }
}

fn action(item: &Spanned<String>, file: usize, problems: &mut Problems) -> Option<Action> {
    match item.get_ref().as_str() {
        "allow" => Some(Action::Allow),
        "review" => Some(Action::Review),
        "deny" => Some(Action::Deny),
        other => {
            problems.push(problem(
                file,
                item.span(),
                format!("`{other}` is not one of deny, review, allow"),
                None,
            ));
            None
        }
    }
}

fn scope(item: &Spanned<String>, file: usize, problems: &mut Problems) -> Option<Scope> {
    match item.get_ref().as_str() {
        "required" => Some(Scope::Required),
        "optional" => Some(Scope::Optional),
        "dev" => Some(Scope::Dev),
        "build" => Some(Scope::Build),
        other => {
            problems.push(problem(
                file,
                item.span(),
                format!("`{other}` is not a scope (required, optional, build, dev)"),
                None,
            ));
            None
        }
    }
}

fn package(item: &Spanned<String>, file: usize, problems: &mut Problems) -> Option<PackageMatch> {
    match PackageMatch::parse(item.get_ref()) {
        Ok(p) => Some(p),
        Err(e) => {
            problems.push(problem(file, item.span(), e, Some("expected a purl such as pkg:npm/left-pad@1.3.0 (version optional; a range like @>=1.2,<2 works)".into())));
            None
        }
    }
}

fn date(item: &Spanned<String>, file: usize, problems: &mut Problems) -> Option<Date> {
    match Date::parse(item.get_ref()) {
        Some(d) => Some(d),
        None => {
            problems.push(problem(
                file,
                item.span(),
                format!("`{}` is not a date (YYYY-MM-DD)", item.get_ref()),
                None,
            ));
            None
        }
    }
}

fn render(files: &SimpleFiles<String, String>, diagnostics: &[Diagnostic<usize>]) -> PolicyError {
    let mut rendered = String::new();
    let config = term::Config::default();
    for d in diagnostics {
        let _ = term::emit_to_string(&mut rendered, &config, files, d);
    }
    PolicyError { rendered }
}
