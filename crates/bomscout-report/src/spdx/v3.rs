//! SPDX 3.0.1 JSON-LD (`spdx3-json`), as the official SPDX 3.0.1 JSON schema defines it.
//!
//! The graph holds one `CreationInfo` (a blank node every element points at), bomscout as
//! a `SoftwareAgent` (the creator) and a `Tool` (what created it), the `SpdxDocument`, one
//! `software_Sbom` whose root elements are what the 2.3 document DESCRIBES, a
//! `software_Package` per package, `Relationship`s, and licenses as
//! `simplelicensing_LicenseExpression` elements linked by `hasDeclaredLicense` /
//! `hasConcludedLicense`. A `LicenseRef-` resolves, through the expression's
//! `customIdToUri`, to a `simplelicensing_SimpleLicensingText` carrying the statement.
//!
//! Element ids are IRIs: the document namespace, `#`, and the 2.3 SPDXID, so an element
//! keeps its identity across the two versions. Relationships are grouped (one element per
//! source and type, its targets sorted), as SPDX 3 intends.

use super::ids::{element_id, IdAllocator};
use super::model::{Document, Edge, Package, Purpose};
use crate::vulns;
use bomscout_core::vuln::RatingMethod;
use bomscout_core::{DepKind, HashAlg, VulnSeverity};
use serde_json::{json, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::io::{self, Write};

const CONTEXT: &str = "https://spdx.org/rdf/3.0.1/spdx-context.jsonld";
const CREATION_INFO: &str = "_:creationinfo";

/// Writes `doc` as SPDX 3.0.1 JSON-LD, with a final newline.
///
/// The `@graph` is streamed: each element is built, written on a line of its own and
/// dropped, so a 50,000-component document never exists as one JSON tree in memory. The
/// `SpdxDocument` and `software_Sbom` elements, which list every element's IRI, come last.
pub(crate) fn write(doc: &Document, out: &mut dyn Write) -> io::Result<()> {
    let graph = Graph::new(doc);
    writeln!(out, "{{")?;
    writeln!(out, "  \"@context\": {},", serde_json::to_string(CONTEXT)?)?;
    write!(out, "  \"@graph\": [")?;
    let mut first = true;
    let mut emit = |element: &[u8]| -> io::Result<()> {
        out.write_all(if first { b"\n    " } else { b",\n    " })?;
        first = false;
        out.write_all(element)
    };
    graph.stream(&mut emit)?;
    writeln!(out, "\n  ]\n}}")
}

/// Builds the `@graph` array.
struct Graph<'a> {
    doc: &'a Document,
    base: String,
    /// The base IRI needs no JSON escaping.
    base_is_plain: bool,
    licenses: LicenseElements,
}

impl<'a> Graph<'a> {
    fn new(doc: &'a Document) -> Graph<'a> {
        let base = format!("{}#", doc.namespace);
        let licenses = LicenseElements::new(doc, &base);
        Graph {
            doc,
            base_is_plain: is_plain(&base),
            base,
            licenses,
        }
    }

    /// The document's base IRI joined with a local id (concatenated directly: this runs for
    /// every element and relationship target, and `format!` costs several times more).
    fn iri(&self, local: &str) -> String {
        let mut iri = String::with_capacity(self.base.len() + local.len());
        iri.push_str(&self.base);
        iri.push_str(local);
        iri
    }

    /// Emits every element of the graph, in a stable order.
    fn stream(&self, emit: &mut dyn FnMut(&[u8]) -> io::Result<()>) -> io::Result<()> {
        let mut emit = |v: &dyn erased::Element| -> io::Result<()> { emit(&v.to_json()?) };
        let agent = self.iri("SPDXRef-Agent-bomscout");
        let tool = self.iri("SPDXRef-Tool-bomscout");
        let sbom = self.iri("SPDXRef-Sbom");
        let data_license = self.licenses.iri_of("CC0-1.0");
        emit(&json!({
            "type": "CreationInfo",
            "@id": CREATION_INFO,
            "specVersion": "3.0.1",
            "created": self.doc.created,
            "createdBy": [agent],
            "createdUsing": [tool],
        }))?;
        emit(&json!({
            "type": "SoftwareAgent",
            "spdxId": agent,
            "creationInfo": CREATION_INFO,
            "name": "bomscout",
        }))?;
        emit(&json!({
            "type": "Tool",
            "spdxId": tool,
            "creationInfo": CREATION_INFO,
            "name": self.doc.tool,
        }))?;

        let mut content: Vec<String> = Vec::new();
        let suppliers = self.suppliers();
        for (s, iri) in &suppliers {
            let mut agent = json!({
                "type": if s.person { "Person" } else { "Organization" },
                "spdxId": iri,
                "creationInfo": CREATION_INFO,
                "name": s.name,
            });
            if let Some(e) = &s.email {
                agent["externalIdentifier"] = json!([{
                    "type": "ExternalIdentifier",
                    "externalIdentifierType": "email",
                    "identifier": e,
                }]);
            }
            content.push(iri.clone());
            emit(&agent)?;
        }
        for p in &self.doc.packages {
            let mut element = self.package(p);
            element.supplied_by = p.supplier.as_ref().and_then(|s| suppliers.get(s)).cloned();
            content.push(element.spdx_id.clone());
            emit(&element)?;
        }
        for r in self.relationships() {
            content.push(r.spdx_id.clone());
            emit(&r)?;
        }
        for l in self.licenses.elements() {
            if let Some(id) = l.get("spdxId").and_then(Value::as_str) {
                content.push(id.to_string());
            }
            emit(&l)?;
        }
        let security = self.security();
        for e in &security.elements {
            if let Some(id) = e.get("spdxId").and_then(Value::as_str) {
                content.push(id.to_string());
            }
            emit(e)?;
        }
        // The fixed versions are named by the document, not part of the scanned tree: the
        // `SpdxDocument` lists them, the `software_Sbom` does not.
        let mut outside: Vec<String> = Vec::new();
        for e in &security.fixed_packages {
            if let Some(id) = e.get("spdxId").and_then(Value::as_str) {
                outside.push(id.to_string());
            }
            emit(e)?;
        }

        let roots: Vec<String> = self.doc.describes.iter().map(|id| self.iri(id)).collect();
        let element: Vec<&str> = [agent.as_str(), tool.as_str(), sbom.as_str()]
            .into_iter()
            .chain(content.iter().map(String::as_str))
            .chain(outside.iter().map(String::as_str))
            .collect();
        let mut profile_conformance = vec!["core", "software", "simpleLicensing"];
        if !self.doc.vulnerabilities.is_empty() {
            profile_conformance.push("security");
        }
        emit(&DocumentElement {
            kind: "SpdxDocument",
            spdx_id: self.iri("SPDXRef-DOCUMENT"),
            creation_info: CREATION_INFO,
            name: &self.doc.name,
            comment: self.doc.comment.as_deref(),
            data_license: &data_license,
            profile_conformance,
            root_element: [sbom.as_str()],
            element: &element,
        })?;
        emit(&SbomElement {
            kind: "software_Sbom",
            spdx_id: &sbom,
            creation_info: CREATION_INFO,
            sbom_type: ["source"],
            root_element: &roots,
            element: &content,
        })
    }

    /// The security profile's elements for the document's vulnerabilities:
    ///
    /// - a `security_Vulnerability` per advisory: its id and every alias as
    ///   `externalIdentifier` (`cve` or `securityOther`, with the page that documents it),
    ///   the reference URLs as `securityAdvisory` external references, summary, details,
    ///   published and modified times;
    /// - per CVSS rating, a `security_CvssV2/V3/V4VulnAssessmentRelationship`
    ///   (`hasAssessmentFor` the affected packages) with score, severity and vector;
    /// - per affected package, a `security_VexAffectedVulnAssessmentRelationship`
    ///   (`affects`) whose action statement is the fix ("Upgrade to 2.15.0."), or, when a
    ///   VEX statement says it is not affected, a
    ///   `security_VexNotAffectedVulnAssessmentRelationship` (`doesNotAffect`) with the
    ///   justification and the statement. A policy ignore is not a VEX statement: the
    ///   package stays affected, the ignore is said in the status notes;
    /// - when a fix is known, a `security_VexFixedVulnAssessmentRelationship` (`fixedIn`)
    ///   to the fixed version: the document's own package when it has that version, else a
    ///   `software_Package` for the fixed version (name, version, purl) outside the SBOM.
    fn security(&self) -> Security {
        let mut elements = Vec::new();
        let mut fixed_packages = Vec::new();
        let mut fixed_ids: BTreeMap<String, String> = BTreeMap::new();
        let by_purl: BTreeMap<&str, &str> = self
            .doc
            .packages
            .iter()
            .filter_map(|p| Some((p.purl.as_deref()?, p.id.as_str())))
            .collect();
        let mut n = 0;
        let mut next_id = |this: &Self| {
            n += 1;
            this.iri(&format!("SPDXRef-VulnAssessment-{n}"))
        };
        for entry in &self.doc.vulnerabilities {
            let a = &entry.vuln.advisory;
            let vuln = self.iri(&entry.id);
            let identifiers: Vec<Value> = a
                .ids()
                .map(|id| {
                    let mut e = json!({
                        "type": "ExternalIdentifier",
                        "externalIdentifierType": if vulns::is_cve(id) { "cve" } else { "securityOther" },
                        "identifier": id,
                    });
                    let page = if id == a.id {
                        entry.url.clone()
                    } else {
                        vulns::id_source(id).1
                    };
                    if let (Some(url), Some(obj)) = (page, e.as_object_mut()) {
                        obj.insert("identifierLocator".into(), json!([url]));
                    }
                    e
                })
                .collect();
            let mut v = json!({
                "type": "security_Vulnerability",
                "spdxId": vuln,
                "creationInfo": CREATION_INFO,
                "name": a.id,
                "externalIdentifier": identifiers,
            });
            if let Some(obj) = v.as_object_mut() {
                let refs = vulns::reference_urls(&entry.vuln);
                if !refs.is_empty() {
                    obj.insert(
                        "externalRef".into(),
                        json!([{"type": "ExternalRef", "externalRefType": "securityAdvisory", "locator": refs}]),
                    );
                }
                if let Some(summary) = a.summary.as_deref().filter(|s| !s.trim().is_empty()) {
                    obj.insert("summary".into(), json!(summary));
                }
                if let Some(details) = a.details.as_deref().filter(|s| !s.trim().is_empty()) {
                    obj.insert("description".into(), json!(details));
                }
                if let Some(t) = a.published.as_deref().and_then(vulns::timestamp) {
                    obj.insert("security_publishedTime".into(), json!(t));
                }
                if let Some(t) = a.modified.as_deref().and_then(vulns::timestamp) {
                    obj.insert("security_modifiedTime".into(), json!(t));
                }
            }
            elements.push(v);
            if entry.affects.is_empty() {
                continue;
            }
            let targets: Vec<String> = entry.affects.iter().map(|x| self.iri(&x.package)).collect();
            for r in &a.ratings {
                let (Some(score), Some(vector)) = (vulns::score(r.score), r.vector.as_deref())
                else {
                    continue;
                };
                let kind = match r.method {
                    RatingMethod::CvssV2 => "security_CvssV2VulnAssessmentRelationship",
                    RatingMethod::CvssV3 | RatingMethod::CvssV31 => {
                        "security_CvssV3VulnAssessmentRelationship"
                    }
                    RatingMethod::CvssV4 => "security_CvssV4VulnAssessmentRelationship",
                    RatingMethod::Other => continue,
                };
                let mut e = json!({
                    "type": kind,
                    "spdxId": next_id(self),
                    "creationInfo": CREATION_INFO,
                    "from": vuln,
                    "relationshipType": "hasAssessmentFor",
                    "to": targets,
                    "security_score": score,
                    "security_vectorString": vector,
                });
                if let (false, Some(obj)) = (r.method == RatingMethod::CvssV2, e.as_object_mut()) {
                    let severity = VulnSeverity::from_score(score);
                    obj.insert("security_severity".into(), json!(severity.as_str()));
                }
                elements.push(e);
            }
            for x in &entry.affects {
                let package = self.iri(&x.package);
                let e = match &x.affected.suppressed {
                    Some(s) if vulns::says_not_affected(s) => {
                        let mut e = json!({
                            "type": "security_VexNotAffectedVulnAssessmentRelationship",
                            "spdxId": next_id(self),
                            "creationInfo": CREATION_INFO,
                            "from": vuln,
                            "relationshipType": "doesNotAffect",
                            "to": [package],
                            "security_impactStatement": vulns::suppression_text(s),
                        });
                        let j = s
                            .justification
                            .as_deref()
                            .and_then(vulns::spdx3_justification);
                        if let (Some(j), Some(obj)) = (j, e.as_object_mut()) {
                            obj.insert("security_justificationType".into(), json!(j));
                        }
                        e
                    }
                    suppressed => {
                        let action = match &x.affected.fixed {
                            Some(f) => format!("Upgrade to {f}."),
                            None => "No fix is published; remove or replace the package, or assess and record a VEX statement.".to_string(),
                        };
                        let mut e = json!({
                            "type": "security_VexAffectedVulnAssessmentRelationship",
                            "spdxId": next_id(self),
                            "creationInfo": CREATION_INFO,
                            "from": vuln,
                            "relationshipType": "affects",
                            "to": [package],
                            "security_actionStatement": action,
                        });
                        if let (Some(s), Some(obj)) = (suppressed, e.as_object_mut()) {
                            obj.insert(
                                "security_statusNotes".into(),
                                json!(vulns::suppression_text(s)),
                            );
                        }
                        e
                    }
                };
                elements.push(e);
                let (Some(fixed), Some(purl)) = (&x.affected.fixed, &x.fixed_purl) else {
                    continue;
                };
                let fixed_iri = match by_purl.get(purl.as_str()) {
                    Some(id) => self.iri(id),
                    None => match fixed_ids.get(purl) {
                        Some(iri) => iri.clone(),
                        None => {
                            let iri = self.iri(&element_id(
                                "Fixed",
                                &format!("{}-{fixed}", x.name),
                                purl,
                            ));
                            fixed_packages.push(json!({
                                "type": "software_Package",
                                "spdxId": iri,
                                "creationInfo": CREATION_INFO,
                                "name": x.name,
                                "software_primaryPurpose": "library",
                                "software_packageVersion": fixed,
                                "software_packageUrl": purl,
                                "comment": format!("The version of {} that fixes {}; named as the fix, not part of the scanned tree.", x.name, a.id),
                            }));
                            fixed_ids.insert(purl.clone(), iri.clone());
                            iri
                        }
                    },
                };
                elements.push(json!({
                    "type": "security_VexFixedVulnAssessmentRelationship",
                    "spdxId": next_id(self),
                    "creationInfo": CREATION_INFO,
                    "from": vuln,
                    "relationshipType": "fixedIn",
                    "to": [fixed_iri],
                }));
            }
        }
        Security {
            elements,
            fixed_packages,
        }
    }

    /// One agent element IRI per distinct supplier, `SPDXRef-Supplier-<hash>`.
    fn suppliers(&self) -> BTreeMap<&'a crate::supplier::Supplier, String> {
        self.doc
            .packages
            .iter()
            .filter_map(|p| p.supplier.as_ref())
            .map(|s| {
                let key = format!("{}\n{:?}\n{}", s.name, s.email, s.person);
                let local = format!("SPDXRef-Supplier-{}", super::ids::short_hash(&key, 16));
                (s, self.iri(&local))
            })
            .collect()
    }

    fn package<'p>(&self, p: &'p Package) -> PackageElement<'p> {
        PackageElement {
            supplied_by: None,
            iri_plain: self.base_is_plain,
            kind: "software_Package",
            spdx_id: self.iri(&p.id),
            creation_info: CREATION_INFO,
            name: &p.name,
            purpose: match p.purpose {
                Purpose::Application => "application",
                Purpose::Library => "library",
                Purpose::Source => "source",
            },
            version: p.version.as_deref(),
            purl: p.purl.as_deref(),
            external_identifier: p.purl.as_deref().map(|purl| {
                [ExternalIdentifier {
                    kind: "ExternalIdentifier",
                    identifier_type: "packageUrl",
                    identifier: purl,
                }]
            }),
            download_location: p.download_location.as_deref(),
            verified_using: p
                .checksums
                .iter()
                .map(|h| HashElement {
                    kind: "Hash",
                    algorithm: hash_algorithm(h.alg),
                    hash_value: &h.value,
                })
                .collect(),
            copyright: p.copyright.as_deref(),
            comment: p.comment.as_deref(),
        }
    }

    /// Dependency, containment and license relationships, grouped by source and type, built
    /// one element at a time as the iterator is consumed. Groups are keyed by local ids, not
    /// IRIs: every IRI shares the document's prefix, so the order is the same, and the IRIs
    /// are formatted once per element as it is emitted rather than once per edge.
    fn relationships(&self) -> impl Iterator<Item = RelationshipElement> + '_ {
        // (from, type, lifecycle scope) -> targets; sorted maps keep the output stable.
        type Groups<'d> =
            BTreeMap<(&'d str, &'static str, Option<&'static str>), BTreeSet<Target<'d>>>;
        let mut groups: Groups<'_> = BTreeMap::new();
        let mut add = |from, kind, scope, to| {
            groups.entry((from, kind, scope)).or_default().insert(to);
        };
        for Edge { from, to, kind } in &self.doc.edges {
            let (rel, scope) = match kind {
                DepKind::Normal | DepKind::Peer => ("dependsOn", None),
                DepKind::Dev => ("dependsOn", Some("development")),
                DepKind::Build => ("dependsOn", Some("build")),
                DepKind::Optional => ("hasOptionalDependency", None),
            };
            add(&**from, rel, scope, Target::Local(to));
        }
        for (from, to) in &self.doc.contains {
            add(from, "contains", None, Target::Local(to));
        }
        for p in &self.doc.packages {
            if let Some(expr) = &p.declared {
                let iri = self.licenses.iri_of(expr);
                add(&p.id, "hasDeclaredLicense", None, Target::Iri(iri));
            }
            if let Some(expr) = &p.concluded {
                let iri = self.licenses.iri_of(expr);
                add(&p.id, "hasConcludedLicense", None, Target::Iri(iri));
            }
        }
        groups
            .into_iter()
            .enumerate()
            .map(|(i, ((from, rel, scope), to))| RelationshipElement {
                iris_plain: self.base_is_plain,
                kind: if scope.is_some() {
                    "LifecycleScopedRelationship"
                } else {
                    "Relationship"
                },
                spdx_id: self.iri(&format!("SPDXRef-Relationship-{}", i + 1)),
                creation_info: CREATION_INFO,
                from: self.iri(from),
                relationship_type: rel,
                to: to
                    .into_iter()
                    .map(|t| match t {
                        Target::Local(id) => self.iri(id),
                        Target::Iri(iri) => iri,
                    })
                    .collect(),
                scope,
            })
    }
}

/// The security profile's elements (see [`Graph::security`]).
struct Security {
    /// Vulnerabilities and assessment relationships.
    elements: Vec<Value>,
    /// Packages for fixed versions the document does not hold.
    fixed_packages: Vec<Value>,
}

/// A relationship's target: an element of this document by local id, or a license's IRI.
/// A group holds one kind only (packages or licenses), so their order never mixes.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
enum Target<'d> {
    Local(&'d str),
    Iri(String),
}

/// A `software_Package` element, written by hand like [`RelationshipElement`] (no JSON tree
/// built for 50,000 of them).
struct PackageElement<'p> {
    /// `spdx_id` needs no JSON escaping (see [`RelationshipElement::iris_plain`]).
    iri_plain: bool,
    kind: &'static str,
    spdx_id: String,
    creation_info: &'static str,
    name: &'p str,
    purpose: &'static str,
    version: Option<&'p str>,
    purl: Option<&'p str>,
    external_identifier: Option<[ExternalIdentifier<'p>; 1]>,
    download_location: Option<&'p str>,
    verified_using: Vec<HashElement<'p>>,
    copyright: Option<&'p str>,
    comment: Option<&'p str>,
    /// The supplier's agent element.
    supplied_by: Option<String>,
}

struct ExternalIdentifier<'p> {
    kind: &'static str,
    identifier_type: &'static str,
    identifier: &'p str,
}

struct HashElement<'p> {
    kind: &'static str,
    algorithm: &'static str,
    hash_value: &'p str,
}

/// A `Relationship` / `LifecycleScopedRelationship` element. The most numerous element of a
/// large document, and nearly all IRIs: written by hand (see [`json_str`]), the same bytes
/// serde would write, with the escaping scan skipped for strings that need none.
struct RelationshipElement {
    /// Its IRIs need no JSON escaping: the document base needs none (a `--namespace` given
    /// by the user might), and local ids and license IRIs never do.
    iris_plain: bool,
    kind: &'static str,
    spdx_id: String,
    creation_info: &'static str,
    from: String,
    relationship_type: &'static str,
    to: Vec<String>,
    scope: Option<&'static str>,
}

/// The `SpdxDocument` element: its `element` list borrows every IRI instead of copying it.
#[derive(serde::Serialize)]
struct DocumentElement<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "spdxId")]
    spdx_id: String,
    #[serde(rename = "creationInfo")]
    creation_info: &'static str,
    name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    comment: Option<&'a str>,
    #[serde(rename = "dataLicense")]
    data_license: &'a str,
    #[serde(rename = "profileConformance")]
    profile_conformance: Vec<&'static str>,
    #[serde(rename = "rootElement")]
    root_element: [&'a str; 1],
    element: &'a [&'a str],
}

/// The `software_Sbom` element.
#[derive(serde::Serialize)]
struct SbomElement<'a> {
    #[serde(rename = "type")]
    kind: &'static str,
    #[serde(rename = "spdxId")]
    spdx_id: &'a str,
    #[serde(rename = "creationInfo")]
    creation_info: &'static str,
    #[serde(rename = "software_sbomType")]
    sbom_type: [&'static str; 1],
    #[serde(rename = "rootElement")]
    root_element: &'a [String],
    element: &'a [String],
}

impl erased::Element for RelationshipElement {
    fn to_json(&self) -> io::Result<Vec<u8>> {
        let targets: usize = self.to.iter().map(|t| t.len() + 3).sum();
        let mut out = Vec::with_capacity(160 + self.spdx_id.len() + self.from.len() + targets);
        let mut o = JsonObject::new(&mut out);
        o.plain("type", self.kind);
        o.iri("spdxId", &self.spdx_id, self.iris_plain);
        o.plain("creationInfo", self.creation_info);
        o.iri("from", &self.from, self.iris_plain);
        o.plain("relationshipType", self.relationship_type);
        o.key("to");
        o.open_array();
        for (i, t) in self.to.iter().enumerate() {
            if i > 0 {
                o.out.push(b',');
            }
            o.iri_value(t, self.iris_plain);
        }
        o.close_array();
        if let Some(scope) = self.scope {
            o.plain("scope", scope);
        }
        o.end();
        Ok(out)
    }
}

impl erased::Element for PackageElement<'_> {
    fn to_json(&self) -> io::Result<Vec<u8>> {
        let mut out = Vec::with_capacity(256 + self.comment.map_or(0, str::len));
        let mut o = JsonObject::new(&mut out);
        o.plain("type", self.kind);
        o.iri("spdxId", &self.spdx_id, self.iri_plain);
        o.plain("creationInfo", self.creation_info);
        o.text("name", self.name);
        o.plain("software_primaryPurpose", self.purpose);
        o.opt_text("software_packageVersion", self.version);
        o.opt_text("software_packageUrl", self.purl);
        if let Some([id]) = &self.external_identifier {
            o.key("externalIdentifier");
            let mut e = JsonObject::new(o.open_array());
            e.plain("type", id.kind);
            e.plain("externalIdentifierType", id.identifier_type);
            e.text("identifier", id.identifier);
            e.end();
            o.close_array();
        }
        o.opt_text("software_downloadLocation", self.download_location);
        if !self.verified_using.is_empty() {
            o.key("verifiedUsing");
            o.open_array();
            for (i, h) in self.verified_using.iter().enumerate() {
                if i > 0 {
                    o.out.push(b',');
                }
                let mut e = JsonObject::new(o.out);
                e.plain("type", h.kind);
                e.plain("algorithm", h.algorithm);
                e.text("hashValue", h.hash_value);
                e.end();
            }
            o.close_array();
        }
        o.opt_text("software_copyrightText", self.copyright);
        o.opt_text("comment", self.comment);
        o.opt_text("suppliedBy", self.supplied_by.as_deref());
        o.end();
        Ok(out)
    }
}

/// Writes one JSON object field by field, byte for byte as serde_json's compact writer.
struct JsonObject<'o> {
    out: &'o mut Vec<u8>,
    empty: bool,
}

impl<'o> JsonObject<'o> {
    fn new(out: &'o mut Vec<u8>) -> JsonObject<'o> {
        out.push(b'{');
        JsonObject { out, empty: true }
    }

    fn key(&mut self, key: &str) {
        if !self.empty {
            self.out.push(b',');
        }
        self.empty = false;
        quoted(self.out, key);
        self.out.push(b':');
    }

    /// A value of this module's own (a type name, a constant): never needs escaping.
    fn plain(&mut self, key: &str, value: &str) {
        self.key(key);
        quoted(self.out, value);
    }

    /// An IRI: written as it is when the document base needs no escaping.
    fn iri(&mut self, key: &str, value: &str, plain: bool) {
        self.key(key);
        self.iri_value(value, plain);
    }

    fn iri_value(&mut self, value: &str, plain: bool) {
        if plain {
            quoted(self.out, value);
        } else {
            json_str(self.out, value);
        }
    }

    /// Text from the scanned files: escaped as JSON requires.
    fn text(&mut self, key: &str, value: &str) {
        self.key(key);
        json_str(self.out, value);
    }

    fn opt_text(&mut self, key: &str, value: Option<&str>) {
        if let Some(v) = value {
            self.text(key, v);
        }
    }

    fn open_array(&mut self) -> &mut Vec<u8> {
        self.out.push(b'[');
        self.out
    }

    fn close_array(&mut self) {
        self.out.push(b']');
    }

    fn end(self) {
        self.out.push(b'}');
    }
}

/// Appends `s` as a JSON string: verbatim between quotes when nothing in it needs escaping
/// (IRIs and SPDX ids, nearly always), else as serde_json escapes it.
fn json_str(out: &mut Vec<u8>, s: &str) {
    if is_plain(s) {
        quoted(out, s);
    } else {
        // Writing to a Vec cannot fail.
        let _ = serde_json::to_writer(&mut *out, s);
    }
}

/// True when `s` can be written between quotes as it is.
fn is_plain(s: &str) -> bool {
    // Without short-circuiting, so the compiler can check many bytes at once.
    s.bytes().fold(true, |plain, b| {
        plain & (b >= 0x20) & (b != b'"') & (b != b'\\') & (b != 0x7f)
    })
}

fn quoted(out: &mut Vec<u8>, s: &str) {
    out.push(b'"');
    out.extend_from_slice(s.as_bytes());
    out.push(b'"');
}

/// Elements of different shapes, serialized one at a time.
mod erased {
    /// Anything the graph writes.
    pub trait Element {
        /// The element as compact JSON.
        fn to_json(&self) -> std::io::Result<Vec<u8>>;
    }

    impl<T: serde::Serialize> Element for T {
        fn to_json(&self) -> std::io::Result<Vec<u8>> {
            serde_json::to_vec(self).map_err(std::io::Error::from)
        }
    }
}

/// One `simplelicensing_LicenseExpression` per distinct expression of the document, and one
/// `simplelicensing_SimpleLicensingText` per `LicenseRef-`.
struct LicenseElements {
    /// Expression → its element's IRI.
    expressions: BTreeMap<String, String>,
    /// `LicenseRef-…` → its text element.
    texts: BTreeMap<String, Value>,
    base: String,
}

impl LicenseElements {
    fn new(doc: &Document, base: &str) -> LicenseElements {
        let mut ids = IdAllocator::default();
        let all: BTreeSet<&str> = doc
            .packages
            .iter()
            .flat_map(|p| p.declared.iter().chain(&p.concluded))
            .map(String::as_str)
            .chain(["CC0-1.0"])
            .collect();
        let expressions = all
            .into_iter()
            .map(|e| {
                let id = ids.unique(element_id("License", e, e));
                (e.to_string(), format!("{base}{id}"))
            })
            .collect();
        let texts = doc
            .extracted
            .iter()
            .map(|x| {
                let text = json!({
                    "type": "simplelicensing_SimpleLicensingText",
                    "spdxId": format!("{base}{}", x.id),
                    "creationInfo": CREATION_INFO,
                    "name": x.name,
                    "simplelicensing_licenseText": x.text,
                    "comment": x.comment,
                });
                (x.id.clone(), text)
            })
            .collect();
        LicenseElements {
            expressions,
            texts,
            base: base.to_string(),
        }
    }

    /// The IRI of the element for `expr` (every expression of the document has one).
    fn iri_of(&self, expr: &str) -> String {
        self.expressions
            .get(expr)
            .cloned()
            .unwrap_or_else(|| format!("{}{}", self.base, element_id("License", expr, expr)))
    }

    fn elements(&self) -> Vec<Value> {
        let list_version = ::spdx::license_version();
        let expressions = self.expressions.iter().map(|(expr, iri)| {
            let mut v = json!({
                "type": "simplelicensing_LicenseExpression",
                "spdxId": iri,
                "creationInfo": CREATION_INFO,
                "simplelicensing_licenseExpression": expr,
                "simplelicensing_licenseListVersion": list_version,
            });
            let refs: BTreeSet<&str> = terms(expr)
                .filter(|t| t.starts_with("LicenseRef-"))
                .collect();
            let custom: Vec<Value> = refs
                .into_iter()
                .filter_map(|id| {
                    let text = self.texts.get(id)?;
                    Some(
                        json!({"type": "DictionaryEntry", "key": id, "value": text.get("spdxId")?}),
                    )
                })
                .collect();
            if let (false, Some(obj)) = (custom.is_empty(), v.as_object_mut()) {
                obj.insert("simplelicensing_customIdToUri".into(), Value::Array(custom));
            }
            v
        });
        expressions.chain(self.texts.values().cloned()).collect()
    }
}

/// The license and reference terms of an expression, operators included (`GPL-2.0+`
/// gives `GPL-2.0`).
fn terms(expr: &str) -> impl Iterator<Item = &str> {
    expr.split(|c: char| c.is_whitespace() || c == '(' || c == ')')
        .filter(|t| !t.is_empty())
        .map(|t| t.trim_end_matches('+'))
}

/// The SPDX 3 hash algorithm name.
fn hash_algorithm(alg: HashAlg) -> &'static str {
    match alg {
        HashAlg::Md5 => "md5",
        HashAlg::Sha1 => "sha1",
        HashAlg::Sha256 => "sha256",
        HashAlg::Sha384 => "sha384",
        HashAlg::Sha512 => "sha512",
        HashAlg::Blake2b256 => "blake2b256",
    }
}

#[cfg(test)]
mod tests {
    use super::{erased, json_str, terms, RelationshipElement, CREATION_INFO};

    #[test]
    fn terms_are_whole_ids() {
        let got: Vec<&str> = terms("MIT AND (LicenseRef-a OR GPL-2.0+) WITH X").collect();
        assert_eq!(
            got,
            ["MIT", "AND", "LicenseRef-a", "OR", "GPL-2.0", "WITH", "X"]
        );
    }

    #[test]
    fn hand_written_json_is_what_serde_writes() {
        for s in [
            "https://x.invalid/d#SPDXRef-a",
            "quo\"te",
            "back\\slash",
            "tab\tnl\n",
            "\u{7f}del",
            "é ünï",
            "",
        ] {
            let mut out = Vec::new();
            json_str(&mut out, s);
            assert_eq!(
                String::from_utf8(out).unwrap(),
                serde_json::to_string(s).unwrap(),
                "{s:?}"
            );
        }
        let r = RelationshipElement {
            iris_plain: false,
            kind: "LifecycleScopedRelationship",
            spdx_id: "x:r1".into(),
            creation_info: CREATION_INFO,
            from: "x:a".into(),
            relationship_type: "dependsOn",
            to: vec!["x:b".into(), "x:\"c".into()],
            scope: Some("development"),
        };
        let json: serde_json::Value =
            serde_json::from_slice(&erased::Element::to_json(&r).unwrap()).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"type": "LifecycleScopedRelationship", "spdxId": "x:r1",
                "creationInfo": "_:creationinfo", "from": "x:a", "relationshipType": "dependsOn",
                "to": ["x:b", "x:\"c"], "scope": "development"})
        );
    }
}
