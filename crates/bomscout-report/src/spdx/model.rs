//! One SBOM as SPDX sees it: packages with identifiers, licenses as expressions, and the
//! graph as relationships. The 2.3 JSON, 2.3 tag-value and 3.0.1 writers all render this
//! one model, so the three documents say the same thing.

use super::ids::{element_id, fnv128, sanitize, Fnv128, IdAllocator};
use super::licenses::{Extracted, LicenseMap};
use super::time::rfc3339;
use crate::vulns;
use crate::Settings;
use bomscout_core::{Component, DepKind, Hash, ProjectEntry, Sbom, SourceKind};
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

/// The id of the document itself, fixed by the SPDX 2.3 specification.
pub(crate) const DOCUMENT_ID: &str = "SPDXRef-DOCUMENT";

/// Where generated namespaces live. `.invalid` is reserved (RFC 2606), so the URI can
/// never be mistaken for a real, resolvable location; `--namespace` overrides it.
const NAMESPACE_BASE: &str = "https://bomscout.invalid/spdxdocs/";

/// What a package is to the document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Purpose {
    /// A first-party project.
    Application,
    /// A third-party component.
    Library,
    /// The scanned tree itself, when there is no project to describe.
    Source,
    /// A third-party machine-learning model (SPDX 3: an `ai_AIPackage`).
    Model,
    /// A third-party dataset (SPDX 3: a `dataset_DatasetPackage`).
    Data,
}

/// One SPDX package: a project, a component, or the scanned tree.
#[derive(Debug, Clone)]
pub(crate) struct Package {
    /// `SPDXRef-…`, unique in the document.
    pub id: String,
    /// The package's name (npm: `@scope/name`).
    pub name: String,
    /// The exact version, when resolved.
    pub version: Option<String>,
    /// Project, component or scanned tree.
    pub purpose: Purpose,
    /// Where the archive comes from, when a lockfile recorded a URL.
    pub download_location: Option<String>,
    /// The authors' license statements as an expression; `None` = NOASSERTION.
    pub declared: Option<String>,
    /// A curation's license expression; `None` = NOASSERTION.
    pub concluded: Option<String>,
    /// Copyright statements found in the package's files, one per line.
    pub copyright: Option<String>,
    /// Archive hashes.
    pub checksums: Vec<Hash>,
    /// The package URL.
    pub purl: Option<String>,
    /// Facts without an SPDX field: where it was found, scope, an unresolved range.
    pub comment: Option<String>,
    /// Advisories of known vulnerabilities affecting it (2.3 `SECURITY` external refs).
    pub security_refs: Vec<SecurityRef>,
    /// Who supplies it (the `supplier` property); `None` = NOASSERTION.
    pub supplier: Option<crate::supplier::Supplier>,
}

/// A `SECURITY` external reference of a package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SecurityRef {
    /// `advisory` or `fix` (SPDX 2.3 annex F).
    pub reference_type: &'static str,
    /// The advisory's URL.
    pub locator: String,
    /// The id, aliases, severity, fix and suppression, in words.
    pub comment: String,
}

/// A vulnerability of the document, with its affected packages resolved to SPDX ids.
#[derive(Debug, Clone)]
pub(crate) struct VulnEntry {
    /// `SPDXRef-Vulnerability-…`, unique in the document.
    pub id: String,
    /// The vulnerability as matched.
    pub vuln: bomscout_core::Vulnerability,
    /// The advisory's page, when it has one.
    pub url: Option<String>,
    /// The affected packages of the document.
    pub affects: Vec<VulnAffect>,
}

/// One affected package of a [`VulnEntry`].
#[derive(Debug, Clone)]
pub(crate) struct VulnAffect {
    /// The package's SPDX id.
    pub package: String,
    /// The package's name, for a fixed-version element.
    pub name: String,
    /// The finding.
    pub affected: bomscout_core::vuln::Affected,
    /// The purl of the fixed version, when there is a fix and a purl can be built.
    pub fixed_purl: Option<String>,
}

/// A dependency edge between two packages of the document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Edge {
    /// The dependent's id (shared: an id appears in many edges).
    pub from: Rc<str>,
    /// The dependency's id.
    pub to: Rc<str>,
    /// How it was declared.
    pub kind: DepKind,
}

/// The whole document, ready to render.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// The document's name.
    pub name: String,
    /// The document namespace, a URI unique to this content.
    pub namespace: String,
    /// Creation time, RFC 3339 UTC.
    pub created: String,
    /// The tool, as `bomscout-<version>`.
    pub tool: String,
    /// A note for readers (diagnostics that make the SBOM incomplete).
    pub comment: Option<String>,
    /// Packages: the scanned tree (if any), projects, then components, each group sorted.
    pub packages: Vec<Package>,
    /// The ids the document describes.
    pub describes: Vec<String>,
    /// `(container, contained)` pairs: the scanned tree and components no project reaches.
    pub contains: Vec<(String, String)>,
    /// Dependency edges, in the SBOM's sorted order.
    pub edges: Vec<Edge>,
    /// Licenses outside the SPDX list, referenced as `LicenseRef-…`.
    pub extracted: Vec<Extracted>,
    /// Known vulnerabilities of the packages, sorted by advisory id.
    pub vulnerabilities: Vec<VulnEntry>,
}

impl Document {
    /// Builds the document for `sbom`. `namespace` overrides the generated one.
    pub(crate) fn new(sbom: &Sbom, settings: &Settings, namespace: Option<&str>) -> Document {
        let licenses = LicenseMap::new(sbom);
        let mut ids = IdAllocator::default();
        ids.reserve(DOCUMENT_ID);
        let mut by_ref: HashMap<&str, Rc<str>> = HashMap::new();
        let mut packages = Vec::with_capacity(sbom.projects.len() + sbom.components.len() + 1);

        let root = sbom.projects.is_empty().then(|| {
            let id = ids.unique("SPDXRef-Root".to_string());
            packages.push(root_package(&id, sbom));
            id
        });
        for p in &sbom.projects {
            let id = ids.unique(element_id("Project", &project_label(p), &p.bom_ref));
            by_ref.insert(&p.bom_ref, Rc::from(id.as_str()));
            packages.push(project_package(id, p, &licenses));
        }
        let keys: Vec<String> = sbom.components.iter().map(Component::key).collect();
        let mut index: HashMap<&str, usize> = HashMap::with_capacity(keys.len());
        for (c, key) in sbom.components.iter().zip(&keys) {
            let id = ids.unique(element_id("Package", &component_label(c), key));
            by_ref.insert(key, Rc::from(id.as_str()));
            index.insert(key, packages.len());
            packages.push(component_package(id, c, &licenses));
        }
        let vulnerabilities = vulnerabilities(sbom, &mut ids, &mut packages, &index);

        let edges: Vec<Edge> = sbom
            .dependencies
            .iter()
            .filter_map(|d| {
                Some(Edge {
                    from: by_ref.get(&*d.from)?.clone(),
                    to: by_ref.get(&*d.to)?.clone(),
                    kind: d.kind,
                })
            })
            .collect();
        let (describes, contains) = roots(sbom, &keys, &by_ref, root);

        Document {
            name: document_name(sbom),
            namespace: namespace.map_or_else(|| generated_namespace(sbom), str::to_string),
            created: rfc3339(settings.timestamp.unwrap_or(0)),
            tool: tool_name(settings),
            comment: diagnostics_note(sbom),
            packages,
            describes,
            contains,
            edges,
            extracted: licenses.extracted().to_vec(),
            vulnerabilities,
        }
    }
}

/// The document's vulnerabilities, and each affected package's `SECURITY` reference.
fn vulnerabilities(
    sbom: &Sbom,
    ids: &mut IdAllocator,
    packages: &mut [Package],
    index: &HashMap<&str, usize>,
) -> Vec<VulnEntry> {
    let mut out = Vec::new();
    for present in vulns::present(sbom) {
        let advisory = &present.vuln.advisory;
        let url = vulns::advisory_url(present.vuln);
        let mut affects = Vec::with_capacity(present.affects.len());
        for &(affected, c) in &present.affects {
            let Some(&i) = index.get(c.key().as_str()) else {
                continue;
            };
            if let Some(locator) = &url {
                packages[i].security_refs.push(SecurityRef {
                    reference_type: "advisory",
                    locator: locator.clone(),
                    comment: security_comment(advisory, affected),
                });
            }
            // SPDX 2.3 annex F's `fix`: the commit or pull request that fixes it.
            for fix in &advisory.fixes {
                packages[i].security_refs.push(SecurityRef {
                    reference_type: "fix",
                    locator: fix.clone(),
                    comment: format!("The fix of {}.", advisory.id),
                });
            }
            let fixed_purl = affected.fixed.as_deref().and_then(|f| {
                Component::new(c.ecosystem, c.namespace.as_deref(), &c.name, f)
                    .ok()
                    .map(|fixed| fixed.purl.as_str().to_string())
            });
            affects.push(VulnAffect {
                package: packages[i].id.clone(),
                name: packages[i].name.clone(),
                affected: affected.clone(),
                fixed_purl,
            });
        }
        let id = ids.unique(element_id("Vulnerability", &advisory.id, &advisory.id));
        out.push(VulnEntry {
            id,
            vuln: present.vuln.clone(),
            url,
            affects,
        });
    }
    out
}

/// `GHSA-jfh8-c2jp-5v3q (CVE-2021-44228): Remote code injection in Log4j. Severity critical
/// (CVSS 10.0). Fixed in 2.15.0.` and, when suppressed, why.
fn security_comment(
    a: &bomscout_core::Advisory,
    affected: &bomscout_core::vuln::Affected,
) -> String {
    let mut text = a.id.clone();
    let aliases = crate::vulns::other_aliases(a);
    if !aliases.is_empty() {
        text.push_str(&format!(" ({})", aliases.join(", ")));
    }
    if let Some(summary) = a.summary.as_deref().filter(|s| !s.trim().is_empty()) {
        text.push_str(": ");
        text.push_str(summary.trim());
        if !summary.trim_end().ends_with('.') {
            text.push('.');
        }
    } else {
        text.push('.');
    }
    text.push_str(&format!(" Severity {}", a.severity));
    if let Some(score) = vulns::score(a.score()) {
        text.push_str(&format!(" (CVSS {score:.1})"));
    }
    text.push('.');
    match &affected.fixed {
        Some(f) => text.push_str(&format!(" Fixed in {f}.")),
        None => text.push_str(" No fix published."),
    }
    if let Some(s) = &affected.suppressed {
        text.push_str(&format!(" Suppressed: {}", vulns::suppression_text(s)));
    }
    text
}

/// What the document describes, and what the scanned tree contains.
///
/// With projects, the document describes each project; components no edge reaches (an
/// installed tree with no manifest above it) are described too, so nothing floats free.
/// Without projects, a package for the scanned tree is described and contains every
/// unreached component.
fn roots(
    sbom: &Sbom,
    keys: &[String],
    by_ref: &HashMap<&str, Rc<str>>,
    root: Option<String>,
) -> (Vec<String>, Vec<(String, String)>) {
    let reached: HashSet<&str> = sbom.dependencies.iter().map(|d| &*d.to).collect();
    let orphans = keys
        .iter()
        .filter(|k| !reached.contains(k.as_str()))
        .filter_map(|k| by_ref.get(k.as_str()).map(|id| id.to_string()));
    match root {
        Some(root) => {
            let contains = orphans.map(|o| (root.clone(), o)).collect();
            (vec![root], contains)
        }
        None => {
            let projects = sbom
                .projects
                .iter()
                .filter_map(|p| by_ref.get(p.bom_ref.as_str()).map(|id| id.to_string()));
            (projects.chain(orphans).collect(), Vec::new())
        }
    }
}

fn document_name(sbom: &Sbom) -> String {
    let name = sbom.name.trim();
    if name.is_empty() {
        "bomscout-sbom".to_string()
    } else {
        name.to_string()
    }
}

/// `https://bomscout.invalid/spdxdocs/<name>-<hash of the content>`.
///
/// The hash covers projects, components (key, licenses, hashes) and edges, each in sorted
/// order, so the same scan gives the same namespace whatever order files were read in, and
/// a change of content gives a new one, as SPDX asks of a namespace. The timestamp is left
/// out on purpose: re-scanning unchanged input must not mint a new document identity.
fn generated_namespace(sbom: &Sbom) -> String {
    let stem = sanitize(&sbom.name);
    let stem = if stem.is_empty() { "sbom".into() } else { stem };
    format!("{NAMESPACE_BASE}{stem}-{:032x}", content_digest(sbom))
}

/// A digest of what the document says, for [`generated_namespace`]: each project,
/// component and edge is hashed from its fields, the hashes are sorted (so reading order
/// does not matter) and hashed together. Fields are fed to the hash as bytes, nothing is
/// formatted: digesting 50,000 components must cost little next to writing them.
fn content_digest(sbom: &Sbom) -> u128 {
    let mut digests: Vec<u128> =
        Vec::with_capacity(sbom.projects.len() + sbom.components.len() + sbom.dependencies.len());
    for p in &sbom.projects {
        let mut h = Fnv::new(b"project");
        h.field(p.bom_ref.as_bytes());
        h.opt(p.name.as_deref());
        h.opt(p.version.as_deref());
        let mut licenses: Vec<&str> = p.licenses.iter().map(|l| l.display()).collect();
        licenses.sort_unstable();
        licenses.iter().for_each(|l| h.field(l.as_bytes()));
        digests.push(h.finish());
    }
    for c in &sbom.components {
        let mut h = Fnv::new(b"component");
        h.field(c.purl.as_str().as_bytes());
        h.field(c.display_name().as_bytes());
        h.opt(c.version.as_deref());
        h.opt(c.requirement.as_deref());
        let mut licenses: Vec<(SourceKind, &str)> = c
            .licenses
            .iter()
            .map(|l| (l.source.kind, l.display()))
            .collect();
        licenses.sort_unstable();
        for (kind, l) in licenses {
            h.field(&[kind.precedence()]);
            h.field(l.as_bytes());
        }
        c.hashes.iter().for_each(|x| h.field(x.value.as_bytes()));
        digests.push(h.finish());
    }
    for d in &sbom.dependencies {
        let mut h = Fnv::new(b"edge");
        h.field(d.from.as_bytes());
        h.field(d.to.as_bytes());
        h.field(&[d.kind as u8]);
        digests.push(h.finish());
    }
    for v in &sbom.vulnerabilities {
        let mut h = Fnv::new(b"vulnerability");
        h.field(v.advisory.id.as_bytes());
        for a in &v.affects {
            h.field(a.component.as_bytes());
            h.opt(a.suppressed.as_ref().map(|s| s.state.as_str()));
        }
        digests.push(h.finish());
    }
    digests.sort_unstable();
    let bytes: Vec<u8> = digests.iter().flat_map(|d| d.to_le_bytes()).collect();
    fnv128(&bytes)
}

/// [`Fnv128`] fed field by field, each field ended by a byte no UTF-8 text contains.
struct Fnv(Fnv128);

impl Fnv {
    fn new(tag: &[u8]) -> Fnv {
        let mut h = Fnv(Fnv128::new());
        h.field(tag);
        h
    }

    fn field(&mut self, bytes: &[u8]) {
        self.0.write(bytes);
        self.0.write(&[0xff]);
    }

    fn finish(&self) -> u128 {
        self.0.finish()
    }

    fn opt(&mut self, value: Option<&str>) {
        match value {
            Some(v) => self.field(v.as_bytes()),
            None => self.field(&[0xfe]),
        }
    }
}

fn tool_name(settings: &Settings) -> String {
    let version = settings.tool_version.trim();
    if version.is_empty() {
        "bomscout".to_string()
    } else {
        format!("bomscout-{version}")
    }
}

fn diagnostics_note(sbom: &Sbom) -> Option<String> {
    let errors = sbom
        .diagnostics
        .iter()
        .filter(|d| d.severity == bomscout_core::Severity::Error)
        .count();
    (errors > 0).then(|| {
        format!("{errors} file(s) could not be read during the scan; this SBOM may be incomplete.")
    })
}

fn root_package(id: &str, sbom: &Sbom) -> Package {
    Package {
        id: id.to_string(),
        name: document_name(sbom),
        version: None,
        purpose: Purpose::Source,
        download_location: None,
        declared: None,
        concluded: None,
        copyright: None,
        checksums: Vec::new(),
        purl: None,
        comment: Some("The scanned directory tree; no project manifest was found in it.".into()),
        security_refs: Vec::new(),
        supplier: None,
    }
}

fn project_label(p: &ProjectEntry) -> String {
    format!("{}-{}", p.ecosystem, p.display_name())
}

fn project_package(id: String, p: &ProjectEntry, licenses: &LicenseMap) -> Package {
    let manifests: Vec<&str> = p.manifests.iter().map(String::as_str).collect();
    Package {
        id,
        name: p.display_name().to_string(),
        version: p.version.clone().filter(|v| !v.is_empty()),
        purpose: Purpose::Application,
        download_location: None,
        declared: licenses.declared(&p.licenses),
        concluded: licenses.concluded(&p.licenses),
        copyright: None,
        checksums: Vec::new(),
        purl: p.purl.as_ref().map(|p| p.as_str().to_string()),
        comment: Some(format!(
            "First-party {} project in {}; defined by {}.",
            p.ecosystem,
            p.dir,
            manifests.join(", ")
        )),
        security_refs: Vec::new(),
        supplier: None,
    }
}

fn component_label(c: &Component) -> String {
    let version = c.version.as_deref().unwrap_or("unresolved");
    format!("{}-{}-{version}", c.ecosystem, c.display_name())
}

fn component_package(id: String, c: &Component, licenses: &LicenseMap) -> Package {
    Package {
        id,
        name: c.display_name(),
        version: c.version.clone(),
        purpose: match c.kind {
            bomscout_core::ComponentKind::MachineLearningModel => Purpose::Model,
            bomscout_core::ComponentKind::Data => Purpose::Data,
            _ => Purpose::Library,
        },
        download_location: c
            .properties
            .get("resolved")
            .filter(|u| is_download_url(u))
            .cloned(),
        declared: licenses.declared(&c.licenses),
        concluded: licenses.concluded(&c.licenses),
        copyright: c.copyright_text(),
        checksums: c.hashes.clone(),
        purl: Some(c.purl.as_str().to_string()),
        comment: Some(component_comment(c)),
        security_refs: Vec::new(),
        supplier: crate::supplier::of(c),
    }
}

/// Scope, an unresolved range, where it was found and the ecosystem's facts: what a
/// reviewer asks "why does it say that?" about, in the one free-text field SPDX 2.3 has.
fn component_comment(c: &Component) -> String {
    let mut lines = vec![format!(
        "Scope: {}{}.",
        c.scope,
        if c.direct { ", direct" } else { "" }
    )];
    if let (None, Some(req)) = (&c.version, &c.requirement) {
        lines.push(format!(
            "Unresolved: declared as {req:?}; no lockfile pins a version."
        ));
    }
    if !c.locations.is_empty() {
        let found: Vec<String> = c.locations.iter().map(ToString::to_string).collect();
        lines.push(format!("Found in: {}.", found.join(", ")));
    }
    for (k, v) in &c.properties {
        lines.push(format!("bomscout:{k}: {v}"));
    }
    lines.join("\n")
}

/// A URL SPDX accepts as a download location: a plain URL, or a VCS form such as
/// `git+https://…`. Anything else (a `file:` path, a workspace link) is left out, and the
/// field says NOASSERTION, rather than writing a location that validators reject.
fn is_download_url(url: &str) -> bool {
    const SCHEMES: [&str; 7] = [
        "http://", "https://", "ftp://", "sftp://", "ssh://", "git://", "svn://",
    ];
    let rest = ["git+", "hg+", "svn+", "bzr+"]
        .iter()
        .find_map(|vcs| url.strip_prefix(vcs))
        .unwrap_or(url);
    !url.chars().any(char::is_whitespace) && SCHEMES.iter().any(|s| rest.starts_with(s))
}

#[cfg(test)]
mod tests {
    use super::is_download_url;

    #[test]
    fn download_locations_spdx_accepts() {
        let cases = [
            ("https://registry.example.invalid/a/-/a-1.0.0.tgz", true),
            ("git+https://example.invalid/a.git#abc", true),
            ("git+ssh://git@example.invalid/a.git", true),
            ("file:../local", false),
            ("../local", false),
            ("https://x y", false),
            ("", false),
        ];
        for (url, want) in cases {
            assert_eq!(is_download_url(url), want, "{url}");
        }
    }
}
