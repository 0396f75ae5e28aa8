//! VEX: statements by a product's maintainers that a known vulnerability does not affect
//! it, applied to an SBOM's findings so a gate stops failing on them.
//!
//! Two formats are read, recognised by their content:
//! - **OpenVEX** (`@context` `https://openvex.dev/ns/…`): `statements[]` with
//!   `vulnerability` (`name`, `@id`, `aliases`; a bare string in v0.0.1), `products[]` (by
//!   `@id` or `identifiers.purl`, with optional `subcomponents[]`), `status`
//!   (`not_affected`, `affected`, `fixed`, `under_investigation`), `justification`,
//!   `impact_statement` and `timestamp`. `not_affected` and `fixed` suppress a finding.
//!   A `not_affected` statement needs a `justification` or an `impact_statement` (the spec
//!   requires one): without either it is not applied, and a diagnostic says so.
//! - **CycloneDX VEX** (`bomFormat: CycloneDX`): `vulnerabilities[]` with `id`,
//!   `references[].id` (aliases), `analysis.state`, `analysis.justification`,
//!   `analysis.detail` and `affects[].ref`, a bom-ref (bare or as a BOM-Link
//!   `urn:cdx:…#ref`) or a purl. `not_affected` and `false_positive` suppress a finding;
//!   `resolved`, `exploitable` and `in_triage` do not.
//!
//! A statement names a vulnerability by any of its ids (its id or an alias, matched
//! against the advisory's id and aliases) and a component by purl (type, namespace, name
//! and, when given, version; qualifiers ignored) or by its bom-ref. A product that is one
//! of the document's projects (or the `root`) and lists no subcomponents covers every
//! component. When several statements cover one finding, the latest (by statement, else
//! document, timestamp; then by order of files and statements) decides, as OpenVEX
//! defines: a later `affected` overrides an earlier `not_affected`.
//!
//! ```
//! use bomscout_policy::vex::Vex;
//! let doc = r#"{
//!   "@context": "https://openvex.dev/ns/v0.2.0",
//!   "@id": "https://example.com/vex/2026-001",
//!   "author": "Example Security Team",
//!   "timestamp": "2026-11-20T10:00:00Z",
//!   "version": 1,
//!   "statements": [{
//!     "vulnerability": {"name": "CVE-2021-44228"},
//!     "products": [{"@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"}],
//!     "status": "not_affected",
//!     "justification": "vulnerable_code_not_in_execute_path"
//!   }]
//! }"#;
//! let vex = Vex::parse("app.openvex.json", doc).unwrap();
//! assert_eq!(vex.statements().len(), 1);
//! ```

use crate::matching::PackageMatch;
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::vuln::Suppression;
use bomscout_core::{Diagnostic, Sbom};
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;

/// The most a VEX file may hold.
pub const MAX_VEX_BYTES: u64 = 64 * 1024 * 1024;

/// A VEX file that could not be used at all.
#[derive(Debug, thiserror::Error)]
pub enum VexError {
    /// The file could not be read.
    #[error("cannot read VEX file {path}: {message}; check the path given to --vex")]
    Read {
        /// The file.
        path: String,
        /// Why.
        message: String,
    },
    /// The file is not JSON, or not the shape of its format.
    #[error("{path}:{line}:{column}: not a valid {format} document: {message}; fix the file or drop it from --vex")]
    Syntax {
        /// The file.
        path: String,
        /// 1-based line of the error.
        line: usize,
        /// 1-based column.
        column: usize,
        /// `OpenVEX`, `CycloneDX VEX` or `JSON`.
        format: &'static str,
        /// serde_json's message.
        message: String,
    },
    /// Valid JSON of neither format.
    #[error("{path}: neither an OpenVEX document (an `@context` of https://openvex.dev/ns/… and `statements`) nor a CycloneDX VEX (`\"bomFormat\": \"CycloneDX\"` and `vulnerabilities`); pass one of those")]
    Format {
        /// The file.
        path: String,
    },
}

/// What a statement says about the vulnerability in the product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VexStatus {
    /// OpenVEX and CycloneDX `not_affected`.
    NotAffected,
    /// CycloneDX `false_positive`: the finding itself is wrong.
    FalsePositive,
    /// OpenVEX `fixed`: the product contains a fix.
    Fixed,
    /// OpenVEX `affected`, CycloneDX `exploitable`.
    Affected,
    /// OpenVEX `under_investigation`, CycloneDX `in_triage`.
    UnderInvestigation,
    /// CycloneDX `resolved` / `resolved_with_pedigree`: remediated, but the finding stays
    /// (the version found is the one the advisory names).
    Resolved,
}

impl VexStatus {
    /// True if a finding covered by this status does not count.
    pub fn suppresses(&self) -> bool {
        matches!(
            self,
            VexStatus::NotAffected | VexStatus::FalsePositive | VexStatus::Fixed
        )
    }

    /// The state as the documents write it.
    pub fn as_str(&self) -> &'static str {
        match self {
            VexStatus::NotAffected => "not_affected",
            VexStatus::FalsePositive => "false_positive",
            VexStatus::Fixed => "fixed",
            VexStatus::Affected => "affected",
            VexStatus::UnderInvestigation => "under_investigation",
            VexStatus::Resolved => "resolved",
        }
    }
}

/// How a statement names a component.
#[derive(Debug, Clone)]
pub enum ProductId {
    /// A package URL.
    Purl(PackageMatch),
    /// A bom-ref (or any other identifier), compared as it is.
    Ref(String),
}

impl ProductId {
    fn new(id: &str) -> ProductId {
        let id = id.trim();
        // A BOM-Link (`urn:cdx:serial/version#bom-ref`) names a bom-ref of another document.
        let id = match id.strip_prefix("urn:cdx:").and_then(|r| r.split_once('#')) {
            Some((_, fragment)) => fragment,
            None => id,
        };
        if id.starts_with("pkg:") {
            if let Ok(m) = PackageMatch::exact(id) {
                return ProductId::Purl(m);
            }
        }
        ProductId::Ref(id.to_string())
    }

    fn matches(&self, key: &str, purl: Option<&str>) -> bool {
        match self {
            ProductId::Purl(m) => purl.is_some_and(|p| m.matches(p)),
            ProductId::Ref(r) => r == key,
        }
    }
}

/// A product a statement covers, and the parts of it the statement is about.
#[derive(Debug, Clone)]
pub struct Product {
    /// The product's identifiers (`@id`, `identifiers.purl`; a CycloneDX `affects[].ref`).
    pub ids: Vec<ProductId>,
    /// OpenVEX `subcomponents`: when present, the statement is about them.
    pub subcomponents: Vec<ProductId>,
}

/// One statement, from either format.
#[derive(Debug, Clone)]
pub struct Statement {
    /// The vulnerability's ids: its name or id, then its aliases.
    pub ids: Vec<String>,
    /// What it covers.
    pub products: Vec<Product>,
    /// What it says.
    pub status: VexStatus,
    /// The justification code (`vulnerable_code_not_in_execute_path`, `code_not_reachable`…).
    pub justification: Option<String>,
    /// OpenVEX `impact_statement`, CycloneDX `analysis.detail`.
    pub detail: Option<String>,
    /// The file it came from.
    pub source: String,
    /// Its timestamp (the statement's, else the document's), when one parses.
    timestamp: Option<jiff::Timestamp>,
    /// Its position among all statements loaded: the tie-breaker.
    order: usize,
}

/// VEX statements from one or more files, ready to apply.
#[derive(Debug, Clone, Default)]
pub struct Vex {
    statements: Vec<Statement>,
    /// Statement index by upper-cased vulnerability id.
    by_id: HashMap<String, Vec<usize>>,
    /// Problems with single statements (not applied, or applied with a doubt).
    diagnostics: Vec<Diagnostic>,
}

/// Loads every file of `paths` (see [`Vex::load`]).
pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Vex, VexError> {
    Vex::load(paths)
}

impl Vex {
    /// Reads and parses each file: a regular file of at most [`MAX_VEX_BYTES`] holding an
    /// OpenVEX or CycloneDX VEX JSON document. A file that cannot be read or parsed is an
    /// error naming it (and the line and column); a statement that cannot be used becomes
    /// a diagnostic returned by [`Vex::apply`].
    pub fn load<P: AsRef<Path>>(paths: &[P]) -> Result<Vex, VexError> {
        let mut vex = Vex::default();
        for p in paths {
            let path = p.as_ref();
            let name = path.display().to_string();
            let text = read(path).map_err(|message| VexError::Read {
                path: name.clone(),
                message,
            })?;
            vex.add(&name, &text)?;
        }
        Ok(vex)
    }

    /// Parses one document's text; `name` is used in diagnostics and as the suppressions'
    /// source.
    pub fn parse(name: &str, text: &str) -> Result<Vex, VexError> {
        let mut vex = Vex::default();
        vex.add(name, text)?;
        Ok(vex)
    }

    /// Every statement loaded, in file and document order.
    pub fn statements(&self) -> &[Statement] {
        &self.statements
    }

    /// Adds one document.
    fn add(&mut self, name: &str, text: &str) -> Result<(), VexError> {
        let syntax = |format: &'static str, e: serde_json::Error| VexError::Syntax {
            path: name.to_string(),
            line: e.line(),
            column: e.column(),
            format,
            message: e.to_string(),
        };
        let probe: Probe = serde_json::from_str(text).map_err(|e| syntax("JSON", e))?;
        let is_openvex = probe
            .context
            .as_ref()
            .is_some_and(|c| c.to_string().contains("openvex"));
        if is_openvex {
            let doc: OpenVex = serde_json::from_str(text).map_err(|e| syntax("OpenVEX", e))?;
            self.add_openvex(name, doc);
        } else if probe
            .bom_format
            .as_deref()
            .is_some_and(|f| f == "CycloneDX")
        {
            let doc: CdxVex = serde_json::from_str(text).map_err(|e| syntax("CycloneDX VEX", e))?;
            self.add_cyclonedx(name, doc);
        } else {
            return Err(VexError::Format {
                path: name.to_string(),
            });
        }
        Ok(())
    }

    fn push(&mut self, statement: Statement) {
        let index = self.statements.len();
        for id in &statement.ids {
            let list = self.by_id.entry(id.to_ascii_uppercase()).or_default();
            if list.last() != Some(&index) {
                list.push(index);
            }
        }
        self.statements.push(statement);
    }

    fn add_openvex(&mut self, name: &str, doc: OpenVex) {
        let doc_time = doc.timestamp.as_deref().and_then(timestamp);
        for (n, s) in doc.statements.into_iter().enumerate() {
            let at = format!("statement {}", n + 1);
            let ids = s.vulnerability.ids();
            if ids.is_empty() {
                self.diagnostics.push(Diagnostic::warning(
                    name,
                    format!("{at} names no vulnerability (`vulnerability.name`); not applied"),
                ));
                continue;
            }
            let products: Vec<Product> = s.products.iter().map(OvProduct::product).collect();
            if products.is_empty() {
                self.diagnostics.push(Diagnostic::warning(
                    name,
                    format!(
                        "{at} ({}) lists no products; not applied",
                        quote(&ids[0], QUOTE_LIMIT)
                    ),
                ));
                continue;
            }
            let status = match s.status {
                OvStatus::NotAffected => VexStatus::NotAffected,
                OvStatus::Affected => VexStatus::Affected,
                OvStatus::Fixed => VexStatus::Fixed,
                OvStatus::UnderInvestigation => VexStatus::UnderInvestigation,
            };
            if status == VexStatus::NotAffected
                && s.justification.is_none()
                && s.impact_statement.is_none()
            {
                self.diagnostics.push(Diagnostic::warning(
                    name,
                    format!(
                        "{at} ({}) says not_affected without a justification or an impact_statement, which OpenVEX requires; not applied (add e.g. \"justification\": \"vulnerable_code_not_in_execute_path\")",
                        quote(&ids[0], QUOTE_LIMIT)
                    ),
                ));
                continue;
            }
            if let Some(j) = &s.justification {
                if !OPENVEX_JUSTIFICATIONS.contains(&j.as_str()) {
                    self.diagnostics.push(Diagnostic::warning(
                        name,
                        format!(
                            "{at} ({}): justification {} is not one of OpenVEX's ({}); applied as written",
                            quote(&ids[0], QUOTE_LIMIT),
                            quote(j, QUOTE_LIMIT),
                            OPENVEX_JUSTIFICATIONS.join(", ")
                        ),
                    ));
                }
            }
            let order = self.statements.len();
            self.push(Statement {
                ids,
                products,
                status,
                justification: s.justification,
                detail: s.impact_statement.or(s.action_statement),
                source: name.to_string(),
                timestamp: s.timestamp.as_deref().and_then(timestamp).or(doc_time),
                order,
            });
        }
    }

    fn add_cyclonedx(&mut self, name: &str, doc: CdxVex) {
        let doc_time = doc
            .metadata
            .and_then(|m| m.timestamp)
            .as_deref()
            .and_then(timestamp);
        for (n, v) in doc.vulnerabilities.into_iter().enumerate() {
            let at = format!("vulnerabilities[{n}]");
            let mut ids: Vec<String> = v.id.into_iter().collect();
            ids.extend(v.references.into_iter().filter_map(|r| r.id));
            ids.retain(|i| !i.trim().is_empty());
            let Some(first) = ids.first().map(|i| quote(i, QUOTE_LIMIT)) else {
                self.diagnostics.push(Diagnostic::warning(
                    name,
                    format!("{at} has no `id`; not applied"),
                ));
                continue;
            };
            let Some(analysis) = v.analysis else {
                // Without an analysis this is a finding, not a VEX statement.
                continue;
            };
            let Some(state) = analysis.state else {
                self.diagnostics.push(Diagnostic::warning(
                    name,
                    format!("{at} ({first}) has an analysis without a `state`; not applied"),
                ));
                continue;
            };
            let products: Vec<Product> = v
                .affects
                .iter()
                .filter_map(|a| a.reference.as_deref())
                .map(|r| Product {
                    ids: vec![ProductId::new(r)],
                    subcomponents: Vec::new(),
                })
                .collect();
            if products.is_empty() {
                self.diagnostics.push(Diagnostic::warning(
                    name,
                    format!("{at} ({first}) affects nothing (`affects[].ref`); not applied"),
                ));
                continue;
            }
            let status = match state {
                CdxState::NotAffected => VexStatus::NotAffected,
                CdxState::FalsePositive => VexStatus::FalsePositive,
                CdxState::Exploitable => VexStatus::Affected,
                CdxState::InTriage => VexStatus::UnderInvestigation,
                CdxState::Resolved | CdxState::ResolvedWithPedigree => VexStatus::Resolved,
            };
            let order = self.statements.len();
            self.push(Statement {
                ids,
                products,
                status,
                justification: analysis.justification,
                detail: analysis.detail,
                source: name.to_string(),
                timestamp: analysis
                    .last_updated
                    .or(analysis.first_issued)
                    .as_deref()
                    .and_then(timestamp)
                    .or(doc_time),
                order,
            });
        }
    }

    /// Marks every finding of `sbom` that a statement suppresses: `Affected.suppressed`
    /// gets the statement's status, justification, detail and file. Returns the
    /// diagnostics about statements that could not be used (one per statement, found
    /// when loading). A finding already suppressed (by an earlier VEX) keeps that.
    pub fn apply(&self, sbom: &mut Sbom) -> Vec<Diagnostic> {
        let whole: Vec<String> = std::iter::once("root".to_string())
            .chain(sbom.projects.iter().map(|p| p.bom_ref.clone()))
            .collect();
        let project_purls: Vec<String> = sbom
            .projects
            .iter()
            .filter_map(|p| p.purl.as_ref().map(|u| u.to_string()))
            .collect();
        let purls: HashMap<String, String> = sbom
            .components
            .iter()
            .map(|c| (c.key(), c.purl.to_string()))
            .collect();
        for v in &mut sbom.vulnerabilities {
            let mut candidates: Vec<usize> = v
                .advisory
                .ids()
                .filter_map(|id| self.by_id.get(&id.to_ascii_uppercase()))
                .flatten()
                .copied()
                .collect();
            if candidates.is_empty() {
                continue;
            }
            candidates.sort_unstable();
            candidates.dedup();
            for a in &mut v.affects {
                if a.suppressed.is_some() {
                    continue;
                }
                let purl = purls.get(&a.component).map(String::as_str);
                let decisive = candidates
                    .iter()
                    .map(|&i| &self.statements[i])
                    .filter(|s| s.covers(&a.component, purl, &whole, &project_purls))
                    .max_by_key(|s| (s.timestamp, s.order));
                if let Some(s) = decisive.filter(|s| s.status.suppresses()) {
                    a.suppressed = Some(Suppression {
                        state: s.status.as_str().to_string(),
                        justification: s.justification.clone(),
                        detail: s.detail.clone(),
                        source: s.source.clone(),
                    });
                }
            }
        }
        self.diagnostics.clone()
    }
}

impl Statement {
    /// True if this statement is about the component `key` (with `purl`).
    fn covers(&self, key: &str, purl: Option<&str>, whole: &[String], projects: &[String]) -> bool {
        self.products.iter().any(|p| {
            if !p.subcomponents.is_empty() {
                return p.subcomponents.iter().any(|s| s.matches(key, purl));
            }
            p.ids.iter().any(|id| {
                id.matches(key, purl)
                    || match id {
                        ProductId::Ref(r) => whole.iter().any(|w| w == r),
                        ProductId::Purl(m) => projects.iter().any(|p| m.matches(p)),
                    }
            })
        })
    }
}

/// OpenVEX v0.2.0's justification labels.
const OPENVEX_JUSTIFICATIONS: [&str; 5] = [
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

fn timestamp(s: &str) -> Option<jiff::Timestamp> {
    s.trim().parse().ok()
}

/// A VEX file's text: a regular file of at most [`MAX_VEX_BYTES`], UTF-8.
fn read(path: &Path) -> Result<String, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| e.to_string())?;
    if !meta.is_file() {
        return Err("not a regular file".to_string());
    }
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .and_then(|f| f.take(MAX_VEX_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| e.to_string())?;
    if bytes.len() as u64 > MAX_VEX_BYTES {
        return Err(format!("larger than {MAX_VEX_BYTES} bytes"));
    }
    String::from_utf8(bytes).map_err(|_| "not UTF-8".to_string())
}

/// Just enough of a document to tell the formats apart.
#[derive(Deserialize)]
struct Probe {
    #[serde(rename = "@context")]
    context: Option<serde_json::Value>,
    #[serde(rename = "bomFormat")]
    bom_format: Option<String>,
}

#[derive(Deserialize)]
struct OpenVex {
    timestamp: Option<String>,
    statements: Vec<OvStatement>,
}

#[derive(Deserialize)]
struct OvStatement {
    vulnerability: OvVulnerability,
    #[serde(default)]
    products: Vec<OvProduct>,
    status: OvStatus,
    justification: Option<String>,
    impact_statement: Option<String>,
    action_statement: Option<String>,
    timestamp: Option<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OvVulnerability {
    /// OpenVEX v0.0.1: the id as a string.
    Name(String),
    /// v0.2.0: an object.
    Object {
        #[serde(rename = "@id")]
        id: Option<String>,
        name: Option<String>,
        #[serde(default)]
        aliases: Vec<String>,
    },
}

impl OvVulnerability {
    fn ids(&self) -> Vec<String> {
        let mut out: Vec<String> = match self {
            OvVulnerability::Name(n) => vec![n.clone()],
            OvVulnerability::Object { id, name, aliases } => name
                .iter()
                .chain(id.iter())
                .chain(aliases.iter())
                .cloned()
                .collect(),
        };
        out.retain(|i| !i.trim().is_empty());
        out
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OvProduct {
    /// OpenVEX v0.0.1: the id as a string.
    Id(String),
    /// v0.2.0: a component object.
    Object(OvComponent),
}

#[derive(Deserialize)]
struct OvComponent {
    #[serde(rename = "@id")]
    id: Option<String>,
    identifiers: Option<OvIdentifiers>,
    #[serde(default)]
    subcomponents: Vec<OvSubcomponent>,
}

#[derive(Deserialize)]
struct OvSubcomponent {
    #[serde(rename = "@id")]
    id: Option<String>,
    identifiers: Option<OvIdentifiers>,
}

#[derive(Deserialize)]
struct OvIdentifiers {
    purl: Option<String>,
}

fn ids_of(id: &Option<String>, identifiers: &Option<OvIdentifiers>) -> Vec<ProductId> {
    id.iter()
        .chain(identifiers.iter().filter_map(|i| i.purl.as_ref()))
        .map(|s| ProductId::new(s))
        .collect()
}

impl OvProduct {
    fn product(&self) -> Product {
        match self {
            OvProduct::Id(id) => Product {
                ids: vec![ProductId::new(id)],
                subcomponents: Vec::new(),
            },
            OvProduct::Object(c) => Product {
                ids: ids_of(&c.id, &c.identifiers),
                subcomponents: c
                    .subcomponents
                    .iter()
                    .flat_map(|s| ids_of(&s.id, &s.identifiers))
                    .collect(),
            },
        }
    }
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum OvStatus {
    NotAffected,
    Affected,
    Fixed,
    UnderInvestigation,
}

#[derive(Deserialize)]
struct CdxVex {
    metadata: Option<CdxMetadata>,
    #[serde(default)]
    vulnerabilities: Vec<CdxVulnerability>,
}

#[derive(Deserialize)]
struct CdxMetadata {
    timestamp: Option<String>,
}

#[derive(Deserialize)]
struct CdxVulnerability {
    id: Option<String>,
    #[serde(default)]
    references: Vec<CdxReference>,
    analysis: Option<CdxAnalysis>,
    #[serde(default)]
    affects: Vec<CdxAffects>,
}

#[derive(Deserialize)]
struct CdxReference {
    id: Option<String>,
}

#[derive(Deserialize)]
struct CdxAnalysis {
    state: Option<CdxState>,
    justification: Option<String>,
    detail: Option<String>,
    #[serde(rename = "firstIssued")]
    first_issued: Option<String>,
    #[serde(rename = "lastUpdated")]
    last_updated: Option<String>,
}

#[derive(Deserialize)]
#[serde(rename_all = "snake_case")]
enum CdxState {
    Resolved,
    ResolvedWithPedigree,
    Exploitable,
    InTriage,
    FalsePositive,
    NotAffected,
}

#[derive(Deserialize)]
struct CdxAffects {
    #[serde(rename = "ref")]
    reference: Option<String>,
}
