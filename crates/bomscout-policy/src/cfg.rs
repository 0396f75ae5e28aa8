//! The policy file: parsing, `extends` layering, and validation that reports every problem
//! at once with `file:line:column` and a caret (codespan-reporting), like cargo-deny.

use crate::matching::{Date, PackageMatch};
use bomscout_core::{Scope, VulnSeverity};
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
    /// The `[security]` table: how known vulnerabilities are judged.
    pub security: SecurityPolicy,
    /// The `[enrich]` table: whether and how online enrichment runs.
    pub enrich: EnrichPolicy,
    /// The `[health]` table: how upkeep (OpenSSF Scorecard, archived repositories, the
    /// latest release) is judged.
    pub health: HealthPolicy,
}

/// The `[enrich]` table of a policy file: online enrichment (licenses, suppliers and upkeep
/// facts from registries and license services) and its limits.
///
/// Source names are kept as written: the binary checks them against the enrichment
/// crate's list (so the policy crate does not depend on the network code), and names the
/// place they were written, [`EnrichPolicy::sources_at`], when one is unknown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrichPolicy {
    /// `enrich`: turn `--enrich` on for scan, check, licenses, audit and inventory.
    pub enrich: bool,
    /// `timeout`: the total time budget of the enrichment step, in seconds.
    pub timeout_secs: u64,
    /// `ttl-days`: how long scorecards, latest releases and "not found" answers are
    /// cached (version-level facts never expire).
    pub ttl_days: u32,
    /// `sources`: the only sources asked, as written; empty asks every source.
    pub sources: Vec<String>,
    /// `file:line` of the `sources` list that applies, for the binary's messages.
    pub sources_at: Option<String>,
    /// `concurrency`: requests in flight at most.
    pub concurrency: usize,
    /// Whether a policy file (or one it extends) has an `[enrich]` table.
    pub declared: bool,
}

impl Default for EnrichPolicy {
    /// Off; 60 seconds, a 7-day cache for what changes, every source, 8 requests at once.
    fn default() -> Self {
        EnrichPolicy {
            enrich: false,
            timeout_secs: 60,
            ttl_days: 7,
            sources: Vec::new(),
            sources_at: None,
            concurrency: 8,
            declared: false,
        }
    }
}

impl EnrichPolicy {
    /// Checks `sources` against the names of the sources there are (`known`, e.g. the
    /// enrichment crate's list): the message for the first unknown one, naming the policy
    /// file and line, the closest known name, and every known name.
    pub fn check_sources(&self, known: &[&str]) -> Result<(), String> {
        let Some(bad) = self.sources.iter().find(|s| !known.contains(&s.as_str())) else {
            return Ok(());
        };
        let at = self
            .sources_at
            .as_deref()
            .map(|a| format!("{a}: "))
            .unwrap_or_default();
        let hint = did_you_mean(bad, known)
            .map(|h| format!(" ({h})"))
            .unwrap_or_default();
        Err(format!(
            "{at}[enrich] sources names `{bad}`, which is no source{hint}; sources: {}",
            known.join(", ")
        ))
    }
}

/// The `[health]` table of a policy file: upkeep rules, each off unless set.
///
/// A component that breaks a rule gets a [`crate::HealthFinding`] whose verdict is
/// `action` (review by default: a team adopting the table on an existing tree sees
/// warnings first and turns on `action = "deny"`, or `--fail-on review`, when the tree is
/// clean). Components outside `scopes` are reported, never failing; `ignore` entries (by
/// package, with a reason and an optional expiry) set a package's findings aside.
/// Components with no upkeep facts at all are never failed and never silently passed:
/// they are counted ([`crate::Evaluation::health_unknown`]) and reported.
#[derive(Debug, Clone)]
pub struct HealthPolicy {
    /// `min-scorecard`: an OpenSSF Scorecard below this (0 to 10) breaks the rule.
    pub min_scorecard: Option<f32>,
    /// `deny-archived`: an archived source repository breaks the rule.
    pub deny_archived: bool,
    /// `deny-unmaintained-days`: a latest release older than this many days breaks the
    /// rule.
    pub deny_unmaintained_days: Option<u32>,
    /// `action`: the verdict of a broken rule, deny or review.
    pub action: Action,
    /// `scopes`: the scopes whose findings can fail; others are reported only.
    pub scopes: Vec<Scope>,
    /// `ignore` entries, in file order (extended files first).
    pub ignore: Vec<HealthIgnore>,
    /// Whether a policy file (or one it extends) has a `[health]` table: without one,
    /// upkeep is not judged at all.
    pub declared: bool,
}

impl Default for HealthPolicy {
    /// No rule; review; required, optional and build dependencies can fail.
    fn default() -> Self {
        HealthPolicy {
            min_scorecard: None,
            deny_archived: false,
            deny_unmaintained_days: None,
            action: Action::Review,
            scopes: vec![Scope::Required, Scope::Optional, Scope::Build],
            ignore: Vec::new(),
            declared: false,
        }
    }
}

/// An `ignore` entry of `[health]`: one package (purl, version optional or a range) whose
/// upkeep findings are set aside.
#[derive(Debug, Clone)]
pub struct HealthIgnore {
    /// Which package.
    pub package: PackageMatch,
    /// Why (shown in reports).
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
    /// From the file being checked (see [`Exception::local`]).
    pub local: bool,
}

/// The `[security]` table of a policy file: which known vulnerabilities fail the gate.
///
/// A finding's verdict comes from its advisory's severity: at or above `deny_severity` it
/// is denied, else at or above `review_severity` it is to be reviewed, else allowed. An
/// advisory without any severity gets `unknown` (review by default: never a silent pass).
/// Components outside `scopes` are reported but never fail; `ignore` entries (by advisory
/// id or alias, with a reason and an optional expiry) suppress a finding.
#[derive(Debug, Clone)]
pub struct SecurityPolicy {
    /// `deny-severity`: this level and above fail. `None` (`"off"`) denies nothing.
    pub deny_severity: Option<VulnSeverity>,
    /// `review-severity`: this level and above (below `deny_severity`) need a look.
    /// `None` (`"off"`) reviews nothing.
    pub review_severity: Option<VulnSeverity>,
    /// `unknown-severity`: the verdict on an advisory without a published severity.
    pub unknown: Action,
    /// `scopes`: the scopes whose findings can fail; others are reported only.
    pub scopes: Vec<Scope>,
    /// `ignore` entries, in file order (extended files first).
    pub ignore: Vec<Ignore>,
    /// Whether a policy file (or one it extends) has a `[security]` table: then `check`
    /// matches advisories without being asked, so a security gate cannot pass because a flag
    /// was forgotten.
    pub declared: bool,
}

impl Default for SecurityPolicy {
    /// Critical and high deny, medium and low are reviewed, unknown is reviewed; findings
    /// in required, optional and build dependencies can fail (build tools run in CI),
    /// dev-only ones are reported.
    fn default() -> Self {
        SecurityPolicy {
            deny_severity: Some(VulnSeverity::High),
            review_severity: Some(VulnSeverity::Low),
            unknown: Action::Review,
            scopes: vec![Scope::Required, Scope::Optional, Scope::Build],
            ignore: Vec::new(),
            declared: false,
        }
    }
}

impl SecurityPolicy {
    /// The verdict for an advisory of `severity`, by the severity thresholds alone.
    pub fn verdict(&self, severity: VulnSeverity) -> Action {
        if severity == VulnSeverity::Unknown {
            self.unknown
        } else if self.deny_severity.is_some_and(|d| severity >= d) {
            Action::Deny
        } else if self.review_severity.is_some_and(|r| severity >= r) {
            Action::Review
        } else {
            Action::Allow
        }
    }
}

/// An `ignore` entry of `[security]`: one advisory, by its id or any alias, not counted.
#[derive(Debug, Clone)]
pub struct Ignore {
    /// The advisory id or alias as written (`GHSA-jfh8-c2jp-5v3q`, `CVE-2021-44228`).
    pub id: String,
    /// Why (shown in reports).
    pub reason: String,
    /// The last day it applies.
    pub expires: Option<Date>,
    /// From the file being checked (see [`Exception::local`]).
    pub local: bool,
}

impl Ignore {
    /// True if this entry names any of `ids` (compared without regard to ASCII case).
    pub fn matches<'a>(&self, mut ids: impl Iterator<Item = &'a str>) -> bool {
        ids.any(|i| i.eq_ignore_ascii_case(&self.id))
    }
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
    security: Option<RawSecurity>,
    enrich: Option<RawEnrich>,
    health: Option<RawHealth>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawEnrich {
    enrich: Option<bool>,
    timeout: Option<Spanned<i64>>,
    ttl_days: Option<Spanned<i64>>,
    sources: Option<Spanned<Vec<Spanned<String>>>>,
    concurrency: Option<Spanned<i64>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawHealth {
    min_scorecard: Option<Spanned<f64>>,
    deny_archived: Option<bool>,
    deny_unmaintained_days: Option<Spanned<i64>>,
    action: Option<Spanned<String>>,
    scopes: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<RawHealthIgnore>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHealthIgnore {
    package: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
struct RawSecurity {
    deny_severity: Option<Spanned<String>>,
    review_severity: Option<Spanned<String>>,
    unknown_severity: Option<Spanned<String>>,
    scopes: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    ignore: Vec<RawIgnore>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    id: Spanned<String>,
    reason: Spanned<String>,
    expires: Option<Spanned<String>>,
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
        security: SecurityPolicy::default(),
        enrich: EnrichPolicy::default(),
        health: HealthPolicy::default(),
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
                )
                .with_notes(unknown_field_hint(e.message()).into_iter().collect());
            return Err(render(&files, &[d]));
        }
    };
    for base in &raw.policy.extends {
        load_layer(base.get_ref(), dir, false, stack, policy)?;
    }
    let mut problems = Vec::new();
    layer(&raw, file, local, policy, &mut problems);
    if let Some(raw_enrich) = &raw.enrich {
        policy.enrich.declared = true;
        enrich(
            raw_enrich,
            name,
            text,
            file,
            &mut policy.enrich,
            &mut problems,
        );
    }
    if let Some(raw_health) = &raw.health {
        policy.health.declared = true;
        health(raw_health, file, local, &mut policy.health, &mut problems);
    }
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
    if let Some(raw_security) = &raw.security {
        policy.security.declared = true;
        security(raw_security, file, local, &mut policy.security, problems);
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
                did_you_mean(other, &["deny", "review", "allow"]),
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
            let note = match other {
                "runtime" | "prod" | "production" | "normal" => Some(
                    "run-time dependencies are `required` (and `optional`, when only reached \
                     through optional edges)"
                        .to_string(),
                ),
                "test" | "development" | "devDependencies" => {
                    Some("development and test dependencies are `dev`".to_string())
                }
                _ => did_you_mean(other, &["required", "optional", "build", "dev"]),
            };
            problems.push(problem(
                file,
                item.span(),
                format!("`{other}` is not a scope (required, optional, build, dev)"),
                note,
            ));
            None
        }
    }
}

/// `did you mean `X`?` for the closest of `known` to `got`, when one is close.
fn did_you_mean(got: &str, known: &[&str]) -> Option<String> {
    let lower = got.to_ascii_lowercase();
    // Edits with transpositions (`hihg`, `dve`) first, then a prefix-weighted similarity
    // for longer slips (`deny-sev`).
    let by_edits = known
        .iter()
        .map(|k| (strsim::osa_distance(&lower, k), *k))
        .filter(|(d, k)| *d <= 2 && *d < k.len().min(lower.len().max(1)))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k);
    let by_similarity = || {
        known
            .iter()
            .map(|k| (strsim::jaro_winkler(&lower, k), *k))
            .filter(|(score, _)| *score >= 0.85)
            .max_by(|a, b| a.0.total_cmp(&b.0))
            .map(|(_, k)| k)
    };
    by_edits
        .or_else(by_similarity)
        .map(|k| format!("did you mean `{k}`?"))
}

/// For toml's "unknown field `x`, expected one of `a`, `b`": the closest expected key.
fn unknown_field_hint(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (got, expected) = rest.split_once('`')?;
    let known: Vec<&str> = expected.split('`').skip(1).step_by(2).collect();
    did_you_mean(got, &known)
}

/// The severity names a threshold may take, worst first.
const SEVERITY_NAMES: [&str; 6] = ["critical", "high", "medium", "low", "none", "off"];

/// A severity threshold: a level (a database's synonyms such as `moderate` accepted), or
/// `off` (`Ok(None)`). `unknown` is refused: it is no threshold, `unknown-severity` says
/// what happens to it.
fn severity(
    item: &Spanned<String>,
    key: &str,
    file: usize,
    problems: &mut Problems,
) -> Option<Option<VulnSeverity>> {
    let text = item.get_ref().trim();
    if text.eq_ignore_ascii_case("off") {
        return Some(None);
    }
    match VulnSeverity::from_label(text) {
        Some(VulnSeverity::Unknown) => {
            problems.push(problem(
                file,
                item.span(),
                format!("`{key}` cannot be `unknown`"),
                Some(
                    "an advisory without a severity is judged by `unknown-severity` \
                     (deny, review or allow)"
                        .into(),
                ),
            ));
            None
        }
        Some(level) => Some(Some(level)),
        None => {
            let note = did_you_mean(text, &SEVERITY_NAMES)
                .unwrap_or_else(|| format!("levels: {}", SEVERITY_NAMES.join(", ")));
            problems.push(problem(
                file,
                item.span(),
                format!("`{text}` is not a severity ({})", SEVERITY_NAMES.join(", ")),
                Some(note),
            ));
            None
        }
    }
}

/// An advisory id as databases write them: `PREFIX-REST` with no spaces, and the two
/// everyone uses checked by shape (a GHSA id is `GHSA-xxxx-xxxx-xxxx`, a CVE id
/// `CVE-YYYY-NNNN…`), so a typo is caught here instead of silently ignoring nothing.
fn advisory_id(id: &str) -> Result<(), String> {
    let upper = id.to_ascii_uppercase();
    let (prefix, rest) = upper
        .split_once('-')
        .filter(|(p, r)| {
            !p.is_empty()
                && !r.is_empty()
                && p.chars().all(|c| c.is_ascii_alphanumeric())
                && !r.chars().any(|c| c.is_whitespace() || c.is_control())
        })
        .ok_or_else(|| {
            "an advisory id looks like GHSA-jfh8-c2jp-5v3q, CVE-2021-44228, PYSEC-2021-59, \
             GO-2022-0969 or RUSTSEC-2021-0078"
                .to_string()
        })?;
    match prefix {
        "GHSA" => {
            let groups: Vec<&str> = rest.split('-').collect();
            let ok = groups.len() == 3
                && groups
                    .iter()
                    .all(|g| g.len() == 4 && g.chars().all(|c| c.is_ascii_alphanumeric()));
            ok.then_some(())
                .ok_or_else(|| "a GHSA id is GHSA- and three groups of four characters".into())
        }
        "CVE" => {
            let ok = rest.split_once('-').is_some_and(|(year, n)| {
                year.len() == 4
                    && n.len() >= 4
                    && year.chars().all(|c| c.is_ascii_digit())
                    && n.chars().all(|c| c.is_ascii_digit())
            });
            ok.then_some(())
                .ok_or_else(|| "a CVE id is CVE-YYYY-NNNN (four or more digits)".into())
        }
        _ => Ok(()),
    }
}

/// Layers a `[security]` table onto `target`.
fn security(
    raw: &RawSecurity,
    file: usize,
    local: bool,
    target: &mut SecurityPolicy,
    problems: &mut Problems,
) {
    let deny = raw
        .deny_severity
        .as_ref()
        .and_then(|s| severity(s, "deny-severity", file, problems));
    let review = raw
        .review_severity
        .as_ref()
        .and_then(|s| severity(s, "review-severity", file, problems));
    if let (Some(Some(d)), Some(Some(r)), Some(item)) = (deny, review, &raw.review_severity) {
        if r > d {
            problems.push(problem(
                file,
                item.span(),
                format!("`review-severity` ({r}) is above `deny-severity` ({d}): nothing would be reviewed"),
                Some(format!("review-severity is the lowest level that needs a look; set it at or below {d}")),
            ));
        }
    }
    if let Some(d) = deny {
        target.deny_severity = d;
    }
    if let Some(r) = review {
        target.review_severity = r;
    }
    if let Some(a) = &raw.unknown_severity {
        if let Some(a) = action(a, file, problems) {
            target.unknown = a;
        }
    }
    if let Some(scopes) = &raw.scopes {
        target.scopes = scopes
            .iter()
            .filter_map(|s| scope(s, file, problems))
            .collect();
    }
    let mut seen = std::collections::BTreeSet::new();
    for i in &raw.ignore {
        let id = i.id.get_ref().trim();
        let mut ok = true;
        if let Err(why) = advisory_id(id) {
            problems.push(problem(
                file,
                i.id.span(),
                format!("`{id}` is not an advisory id"),
                Some(why),
            ));
            ok = false;
        } else if !seen.insert(id.to_ascii_uppercase()) {
            problems.push(problem(
                file,
                i.id.span(),
                format!("`{id}` is ignored twice in this file"),
                None,
            ));
        }
        if i.reason.get_ref().trim().is_empty() {
            problems.push(problem(
                file,
                i.reason.span(),
                "an ignore needs a reason (who accepted the risk, and why)".into(),
                None,
            ));
            ok = false;
        }
        let expires = i.expires.as_ref().and_then(|d| date(d, file, problems));
        if ok {
            target.ignore.push(Ignore {
                id: id.to_string(),
                reason: i.reason.get_ref().clone(),
                expires,
                local,
            });
        }
    }
}

/// The most seconds `timeout` may give (an hour: a budget, not a way to hang a CI job).
const MAX_ENRICH_TIMEOUT: i64 = 3600;
/// The longest `ttl-days` (ten years).
const MAX_TTL_DAYS: i64 = 3650;
/// The most requests in flight `concurrency` may ask for.
const MAX_CONCURRENCY: i64 = 64;

/// An integer setting within `min..=max`, or a problem at its span.
fn bounded(
    item: &Spanned<i64>,
    key: &str,
    min: i64,
    max: i64,
    file: usize,
    problems: &mut Problems,
) -> Option<i64> {
    let v = *item.get_ref();
    if (min..=max).contains(&v) {
        Some(v)
    } else {
        problems.push(problem(
            file,
            item.span(),
            format!("`{key}` is {v}; it must be between {min} and {max}"),
            None,
        ));
        None
    }
}

/// Layers an `[enrich]` table onto `target`; `name` and `text` locate `sources`.
fn enrich(
    raw: &RawEnrich,
    name: &str,
    text: &str,
    file: usize,
    target: &mut EnrichPolicy,
    problems: &mut Problems,
) {
    if let Some(on) = raw.enrich {
        target.enrich = on;
    }
    if let Some(t) = &raw.timeout {
        if let Some(t) = bounded(t, "timeout", 1, MAX_ENRICH_TIMEOUT, file, problems) {
            target.timeout_secs = t.unsigned_abs();
        }
    }
    if let Some(t) = &raw.ttl_days {
        if let Some(t) = bounded(t, "ttl-days", 0, MAX_TTL_DAYS, file, problems) {
            target.ttl_days = u32::try_from(t).unwrap_or(u32::MAX);
        }
    }
    if let Some(c) = &raw.concurrency {
        if let Some(c) = bounded(c, "concurrency", 1, MAX_CONCURRENCY, file, problems) {
            target.concurrency = usize::try_from(c).unwrap_or(1);
        }
    }
    if let Some(list) = &raw.sources {
        let mut names = Vec::new();
        for s in list.get_ref() {
            let n = s.get_ref().trim();
            let shape = !n.is_empty()
                && n.len() <= 32
                && n.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
            if !shape {
                problems.push(problem(
                    file,
                    s.span(),
                    format!(
                        "{} is not a source name",
                        bomscout_core::escape::quote(n, bomscout_core::escape::QUOTE_LIMIT)
                    ),
                    Some("sources are named in lowercase, such as npm, pypi, crates, clearlydefined, depsdev".into()),
                ));
            } else if names.iter().any(|x: &String| x == n) {
                problems.push(problem(
                    file,
                    s.span(),
                    format!("source `{n}` is listed twice"),
                    None,
                ));
            } else {
                names.push(n.to_string());
            }
        }
        if list.get_ref().is_empty() {
            problems.push(problem(
                file,
                list.span(),
                "`sources` is empty: no source would be asked".into(),
                Some("leave `sources` out to ask every source, or set `enrich = false`".into()),
            ));
        }
        let line = text
            .get(..list.span().start)
            .map_or(1, |t| t.matches('\n').count() + 1);
        target.sources = names;
        target.sources_at = Some(format!("{name}:{line}"));
    }
}

/// Layers a `[health]` table onto `target`.
fn health(
    raw: &RawHealth,
    file: usize,
    local: bool,
    target: &mut HealthPolicy,
    problems: &mut Problems,
) {
    if let Some(m) = &raw.min_scorecard {
        let v = *m.get_ref();
        if v.is_finite() && (0.0..=10.0).contains(&v) {
            target.min_scorecard = Some(v as f32);
        } else {
            problems.push(problem(
                file,
                m.span(),
                format!("`min-scorecard` is {v}; an OpenSSF Scorecard is between 0 and 10"),
                None,
            ));
        }
    }
    if let Some(a) = raw.deny_archived {
        target.deny_archived = a;
    }
    if let Some(d) = &raw.deny_unmaintained_days {
        if let Some(d) = bounded(d, "deny-unmaintained-days", 1, 36_500, file, problems) {
            target.deny_unmaintained_days = Some(u32::try_from(d).unwrap_or(u32::MAX));
        }
    }
    if let Some(a) = &raw.action {
        match a.get_ref().as_str() {
            "deny" => target.action = Action::Deny,
            "review" => target.action = Action::Review,
            other => problems.push(problem(
                file,
                a.span(),
                format!(
                    "{} is not one of deny, review",
                    bomscout_core::escape::quote(other, bomscout_core::escape::QUOTE_LIMIT)
                ),
                did_you_mean(other, &["deny", "review"]).or_else(|| {
                    (other == "allow").then(|| {
                        "to judge nothing, leave the rules out (or the whole [health] table)"
                            .to_string()
                    })
                }),
            )),
        }
    }
    if let Some(scopes) = &raw.scopes {
        target.scopes = scopes
            .iter()
            .filter_map(|s| scope(s, file, problems))
            .collect();
    }
    for i in &raw.ignore {
        let package = package(&i.package, file, problems);
        if i.reason.get_ref().trim().is_empty() {
            problems.push(problem(
                file,
                i.reason.span(),
                "an ignore needs a reason (who accepted the risk, and why)".into(),
                None,
            ));
            continue;
        }
        let expires = i.expires.as_ref().and_then(|d| date(d, file, problems));
        if let Some(package) = package {
            target.ignore.push(HealthIgnore {
                package,
                reason: i.reason.get_ref().clone(),
                expires,
                local,
            });
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
