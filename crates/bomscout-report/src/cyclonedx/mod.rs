//! CycloneDX JSON and XML, spec versions 1.4 to 1.7 (1.6 by default).
//!
//! bomscout writes CycloneDX with its own serde model ([`model`]) rather than the
//! `cyclonedx-bom` crate, which writes only up to 1.5. Fields a chosen version lacks are left
//! out, never emitted invalid; the tests validate every version against its official schema.
//!
//! The mapping, in short:
//! - the scanned root is `metadata.component` (`bom-ref: root`); each first-party project is an
//!   `application` component the root depends on; third-party packages are `library`
//!   components with `bom-ref` = their purl (or `unresolved:…` for a declared range);
//! - scope: required → `required`, optional → `optional`, dev → `excluded`, plus the exact
//!   value in the `bomscout:scope` property, so dev components are marked, never dropped;
//! - licenses: see [`licenses`]; locations go to `evidence.occurrences` (1.5+);
//! - `copyright`: the copyright statements found in the package's license and notice
//!   files, one per line (every version has the field);
//! - `dependencies` has an entry for every project and component, and only refs that exist;
//! - `serialNumber` is derived from the content, so the same tree gives the same bytes;
//! - `vulnerabilities` (when advisories were matched): see the `vulnerabilities` function;
//! - `supplier: {name}` from the `supplier` property (kept as `bomscout:supplier` too);
//!   `externalReferences` `{type: vcs}` from the source repository `--enrich` found; its
//!   upkeep facts as `bomscout:scorecard` (the overall score), `bomscout:scorecard-date`,
//!   `bomscout:scorecard-failing` (`Maintained=0,Code-Review=2`), `bomscout:archived`,
//!   `bomscout:latest-version`, `bomscout:latest-release` and `bomscout:health-source` (each
//!   service that answered);
//! - a license fetched online is chosen like any other, below local evidence, and its
//!   `bomscout:license-source` is the URL that answered.
//!
//! The `bomscout:` property namespace is documented in `docs/json-format.md`.

mod licenses;
pub(crate) mod model;
mod xml;

use crate::spdx::{ids::Fnv128, time::rfc3339};
use crate::vulns::{self, Present};
use crate::Settings;
use bomscout_core::vuln::{RatingMethod, Suppression};
use bomscout_core::{Component, ComponentKind, ProjectEntry, Sbom, Scope, VulnSeverity};
use model::*;
use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};
use std::io::{self, Write};

/// A CycloneDX specification version bomscout can write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord)]
pub enum SpecVersion {
    /// CycloneDX 1.4.
    V1_4,
    /// CycloneDX 1.5.
    V1_5,
    /// CycloneDX 1.6 (the default).
    #[default]
    V1_6,
    /// CycloneDX 1.7.
    V1_7,
}

impl SpecVersion {
    /// Every version, oldest first.
    pub const ALL: [SpecVersion; 4] = [
        SpecVersion::V1_4,
        SpecVersion::V1_5,
        SpecVersion::V1_6,
        SpecVersion::V1_7,
    ];

    /// Parses `1.4` … `1.7`.
    pub fn from_name(name: &str) -> Option<SpecVersion> {
        Some(match name {
            "1.4" => SpecVersion::V1_4,
            "1.5" => SpecVersion::V1_5,
            "1.6" => SpecVersion::V1_6,
            "1.7" => SpecVersion::V1_7,
            _ => return None,
        })
    }

    /// The version as written in `specVersion`.
    pub fn as_str(self) -> &'static str {
        match self {
            SpecVersion::V1_4 => "1.4",
            SpecVersion::V1_5 => "1.5",
            SpecVersion::V1_6 => "1.6",
            SpecVersion::V1_7 => "1.7",
        }
    }
}

/// The `bom-ref` of the scanned root in `metadata.component`.
const ROOT_REF: &str = "root";

/// Writes `sbom` as CycloneDX XML.
pub fn write_xml(sbom: &Sbom, settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    xml::write(&build(sbom, settings), settings.cyclonedx_version, out)
}

/// Writes `sbom` as CycloneDX JSON.
pub fn write_json(sbom: &Sbom, settings: &Settings, out: &mut dyn Write) -> io::Result<()> {
    let bom = build(sbom, settings);
    if crate::pretty::is_heavy(&bom.components) {
        write_in_parallel(&bom, out)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, &bom)?;
    }
    writeln!(out)
}

/// The bytes `serde_json::to_writer_pretty` writes for `bom`, its components rendered in
/// parallel in batches ([`crate::pretty`]). The members are `Bom`'s, in its order.
fn write_in_parallel(bom: &Bom, out: &mut dyn Write) -> io::Result<()> {
    let mut doc = crate::pretty::Object::new(out)?;
    doc.field("bomFormat", bom.bom_format)?;
    doc.field("specVersion", bom.spec_version)?;
    doc.field("serialNumber", &bom.serial_number)?;
    doc.field("version", &bom.version)?;
    doc.field("metadata", &bom.metadata)?;
    doc.array("components", &bom.components)?;
    doc.field("dependencies", &bom.dependencies)?;
    if !bom.vulnerabilities.is_empty() {
        doc.field("vulnerabilities", &bom.vulnerabilities)?;
    }
    doc.end()
}

pub(crate) fn build<'a>(sbom: &'a Sbom, settings: &'a Settings) -> Bom<'a> {
    let v = settings.cyclonedx_version;
    let components = Components {
        sbom,
        version: v,
        data: data_edges(sbom),
    };
    Bom {
        bom_format: "CycloneDX",
        spec_version: v.as_str(),
        serial_number: serial_number(sbom),
        version: 1,
        metadata: metadata(sbom, settings),
        components,
        dependencies: dependencies(sbom),
        vulnerabilities: vulnerabilities(sbom, v),
    }
}

impl<'a> Components<'a> {
    /// The projects, then the components, each made as it is asked for.
    pub(crate) fn iter(&self) -> impl Iterator<Item = CdxComponent<'a>> + '_ {
        (0..self.len()).map(|i| self.get(i))
    }

    /// The number of projects and components.
    fn len(&self) -> usize {
        self.sbom.projects.len() + self.sbom.components.len()
    }

    /// Entry `i`: a project, or past them a component.
    fn get(&self, i: usize) -> CdxComponent<'a> {
        let v = self.version;
        match i.checked_sub(self.sbom.projects.len()) {
            None => project(&self.sbom.projects[i], v),
            Some(i) => {
                let c = &self.sbom.components[i];
                let mut cdx = component(c, v);
                // The bom-ref is the component's key: the one the data map is keyed by.
                cdx.model_card = model_card(c, v, self.data.get(cdx.bom_ref.as_str()));
                cdx
            }
        }
    }
}

impl crate::pretty::Array for Components<'_> {
    type Item<'i>
        = CdxComponent<'i>
    where
        Self: 'i;

    fn len(&self) -> usize {
        Components::len(self)
    }

    fn item(&self, i: usize) -> CdxComponent<'_> {
        self.get(i)
    }

    fn weight(&self, i: usize) -> usize {
        match i.checked_sub(self.sbom.projects.len()) {
            None => 1,
            Some(i) => crate::pretty::component_weight(&self.sbom.components[i]),
        }
    }
}

impl serde::Serialize for Components<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(self.iter())
    }
}

fn metadata<'a>(sbom: &'a Sbom, settings: &'a Settings) -> Metadata<'a> {
    let tool = Tool {
        kind: "application",
        name: "bomscout",
        version: &settings.tool_version,
    };
    let tools = if settings.cyclonedx_version >= SpecVersion::V1_5 {
        Tools::Components {
            components: vec![tool],
        }
    } else {
        Tools::Legacy(vec![LegacyTool {
            name: "bomscout",
            version: &settings.tool_version,
        }])
    };
    Metadata {
        timestamp: settings.timestamp.map(rfc3339),
        tools,
        component: RootComponent {
            kind: "application",
            bom_ref: ROOT_REF,
            name: &sbom.name,
            // When the scanned directory is itself a project, it is the SBOM's subject.
            version: root_project(sbom).and_then(|p| p.version.as_deref()),
            purl: root_project(sbom)
                .and_then(|p| p.purl.as_ref())
                .map(|p| p.as_str()),
        },
    }
}

/// The project at the scan root (`.`), if there is exactly one.
fn root_project(sbom: &Sbom) -> Option<&ProjectEntry> {
    let mut at_root = sbom.projects.iter().filter(|p| p.dir == ".");
    match (at_root.next(), at_root.next()) {
        (Some(p), None) => Some(p),
        _ => None,
    }
}

fn project(p: &ProjectEntry, v: SpecVersion) -> CdxComponent<'_> {
    let mut properties = vec![
        Property::new("bomscout:ecosystem", p.ecosystem.as_str()),
        Property::new("bomscout:project-dir", &p.dir),
    ];
    properties.extend(
        p.manifests
            .iter()
            .map(|m| Property::new("bomscout:manifest", m)),
    );
    CdxComponent {
        kind: "application",
        bom_ref: p.bom_ref.clone(),
        group: None,
        name: p.display_name().to_string(),
        version: p.version.clone(),
        scope: None,
        hashes: Vec::new(),
        licenses: licenses::choose(&p.licenses, v).chosen,
        copyright: None,
        purl: p.purl.as_ref().map(|u| u.to_string()),
        external_references: Vec::new(),
        properties,
        evidence: None,
        supplier: None,
        model_card: None,
    }
}

fn component(c: &Component, v: SpecVersion) -> CdxComponent<'_> {
    let picked = licenses::choose(&c.licenses, v);
    let mut properties = vec![
        Property::new("bomscout:direct", if c.direct { "true" } else { "false" }),
        Property::new("bomscout:ecosystem", c.ecosystem.as_str()),
        Property::new("bomscout:scope", c.scope.as_str()),
    ];
    if let Some(req) = &c.requirement {
        properties.push(Property::new("bomscout:requirement", req));
    }
    properties.extend(picked.properties);
    properties.extend(
        c.properties
            .iter()
            .map(|(k, val)| Property::new(&format!("bomscout:{k}"), val)),
    );
    properties.extend(health_properties(c));
    CdxComponent {
        supplier: crate::supplier::of(c).map(|s| OrganizationalEntity { name: s.name }),
        external_references: c
            .health
            .as_ref()
            .and_then(|h| h.repository.as_deref())
            .filter(|u| is_url(u))
            .map(|url| ExternalReference {
                kind: "vcs",
                url: url.to_string(),
            })
            .into_iter()
            .collect(),
        kind: component_type(c.kind, v),
        model_card: None,
        bom_ref: c.key(),
        group: c.namespace.clone(),
        name: c.name.clone(),
        version: c.version.clone(),
        scope: Some(match c.scope {
            Scope::Required => "required",
            Scope::Optional => "optional",
            // CycloneDX: "excluded" is for components not part of the runtime (test and
            // build tooling); `bomscout:scope` keeps which.
            Scope::Dev | Scope::Build => "excluded",
        }),
        hashes: c
            .hashes
            .iter()
            .map(|h| CdxHash {
                alg: h.alg.as_str(),
                content: h.value.clone(),
            })
            .collect(),
        licenses: picked.chosen,
        copyright: c.copyright_text(),
        purl: Some(c.purl.to_string()),
        properties,
        evidence: evidence(c, picked.others, v),
    }
}

/// The component `type`: [`ComponentKind::as_str`], except that CycloneDX 1.4 has no
/// `machine-learning-model` or `data` (added in 1.5): there a model or dataset is a `file`.
fn component_type(kind: ComponentKind, v: SpecVersion) -> &'static str {
    match kind {
        ComponentKind::MachineLearningModel | ComponentKind::Data if v < SpecVersion::V1_5 => {
            "file"
        }
        _ => kind.as_str(),
    }
}

/// For each component, the refs of the `data` components it depends on (a model's
/// training datasets, from its card).
fn data_edges(sbom: &Sbom) -> BTreeMap<&str, Vec<&str>> {
    let data: std::collections::BTreeSet<String> = sbom
        .components
        .iter()
        .filter(|c| c.kind == ComponentKind::Data)
        .map(Component::key)
        .collect();
    let mut out: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for d in &sbom.dependencies {
        if data.contains(&*d.to) {
            out.entry(&*d.from).or_default().push(&*d.to);
        }
    }
    for refs in out.values_mut() {
        refs.sort_unstable();
        refs.dedup();
    }
    out
}

/// A model's `modelCard` (CycloneDX 1.5+): the task (`pipeline_tag`), the architecture
/// (`config.json`'s `model_type` as the family, `architectures` as the architecture, or
/// a model file's own `model-architecture`) and its datasets as refs to their components.
/// `None` for anything else, for 1.4, and when the card gives none of these facts.
fn model_card(c: &Component, v: SpecVersion, datasets: Option<&Vec<&str>>) -> Option<ModelCard> {
    if c.kind != ComponentKind::MachineLearningModel || v < SpecVersion::V1_5 {
        return None;
    }
    let prop = |k: &str| c.properties.get(k).filter(|s| !s.is_empty()).cloned();
    let params = ModelParameters {
        task: prop("hf-pipeline-tag"),
        architecture_family: prop("hf-model-type").or_else(|| prop("model-architecture")),
        model_architecture: prop("hf-architectures"),
        datasets: datasets
            .map(|d| {
                d.iter()
                    .map(|r| DatasetRef {
                        reference: r.to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default(),
    };
    let empty = params.task.is_none()
        && params.architecture_family.is_none()
        && params.model_architecture.is_none()
        && params.datasets.is_empty();
    (!empty).then_some(ModelCard {
        model_parameters: params,
    })
}

/// A URL a reference can carry: http(s), nothing that is not a URL character.
fn is_url(u: &str) -> bool {
    (u.starts_with("https://") || u.starts_with("http://"))
        && u.len() <= 2048
        && !u.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '"' | '<' | '>' | '\\' | '^' | '`' | '{' | '|' | '}')
        })
}

/// The upkeep facts `--enrich` found, as `bomscout:` properties.
fn health_properties(c: &Component) -> Vec<Property> {
    let Some(h) = &c.health else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(s) = &h.scorecard {
        if s.score.is_finite() {
            out.push(Property::new(
                "bomscout:scorecard",
                &format!("{:.1}", s.score),
            ));
        }
        if let Some(d) = &s.date {
            out.push(Property::new("bomscout:scorecard-date", d));
        }
        if !s.failing.is_empty() {
            let failing: Vec<String> = s
                .failing
                .iter()
                .map(|f| format!("{}={}", f.name, f.score))
                .collect();
            out.push(Property::new(
                "bomscout:scorecard-failing",
                &failing.join(","),
            ));
        }
    }
    if let Some(a) = h.archived {
        out.push(Property::new(
            "bomscout:archived",
            if a { "true" } else { "false" },
        ));
    }
    if let Some(v) = &h.latest_version {
        out.push(Property::new("bomscout:latest-version", v));
    }
    if let Some(d) = &h.latest_release {
        out.push(Property::new("bomscout:latest-release", d));
    }
    for s in &h.sources {
        out.push(Property::new("bomscout:health-source", s));
    }
    out
}

/// Where the component was found (1.5+), and the license findings not chosen above.
fn evidence(c: &Component, licenses: Vec<LicenseChoice>, v: SpecVersion) -> Option<Evidence<'_>> {
    let occurrences: Vec<Occurrence> = if v >= SpecVersion::V1_5 {
        c.locations
            .iter()
            .map(|l| Occurrence {
                location: &l.path,
                line: l.line.filter(|_| v >= SpecVersion::V1_6),
            })
            .collect()
    } else {
        Vec::new()
    };
    (!occurrences.is_empty() || !licenses.is_empty()).then_some(Evidence {
        occurrences,
        licenses,
    })
}

/// One entry per project and resolved component; the root depends on every project.
fn dependencies(sbom: &Sbom) -> Vec<DependencyEntry<'_>> {
    let mut map: BTreeMap<Cow<str>, Vec<&str>> = BTreeMap::new();
    map.insert(
        ROOT_REF.into(),
        sbom.projects.iter().map(|p| p.bom_ref.as_str()).collect(),
    );
    for p in &sbom.projects {
        map.entry(p.bom_ref.as_str().into()).or_default();
    }
    // An unresolved component's own dependencies are unknown: CycloneDX reads a missing
    // entry as "unknown" but an empty `dependsOn` as "depends on nothing", so it gets none.
    for c in sbom.components.iter().filter(|c| c.is_resolved()) {
        map.entry(c.key_str()).or_default();
    }
    for d in &sbom.dependencies {
        map.entry(Cow::Borrowed(&*d.from)).or_default().push(&d.to);
    }
    map.into_iter()
        .map(|(reference, mut depends_on)| {
            depends_on.sort_unstable();
            depends_on.dedup();
            DependencyEntry {
                reference,
                depends_on,
            }
        })
        .collect()
}

/// A UUID-shaped serial number derived from the document's content (an FNV-1a 128-bit hash
/// of the sorted component keys, edges and findings), with the version and variant bits the schema's
/// pattern requires. Same tree, same serial; any change in content, a new serial.
///
/// The text is hashed as it is made, never joined: an organization's document has tens of
/// thousands of edges, and this runs when a scan's memory peaks.
fn serial_number(sbom: &Sbom) -> String {
    let mut text = Fnv128::new();
    let mut write = |parts: &[&str]| parts.iter().for_each(|p| text.write(p.as_bytes()));
    write(&[&sbom.name]);
    for c in &sbom.components {
        write(&["\n", &c.key_str()]);
    }
    for d in &sbom.dependencies {
        write(&["\n", &d.from, ">", &d.to]);
    }
    // Findings are content too (and their suppressions): the same tree with a new
    // advisory matched is a new document. Without findings, nothing is added.
    for v in &sbom.vulnerabilities {
        write(&["\n!", &v.advisory.id]);
        for a in &v.affects {
            let state = a.suppressed.as_ref().map_or("", |s| s.state.as_str());
            write(&[" ", &a.component, "=", state]);
        }
    }
    let h = text.finish().to_be_bytes();
    let hex =
        |r: std::ops::Range<usize>| h[r].iter().map(|b| format!("{b:02x}")).collect::<String>();
    let version = format!("{:x}", 0x5000 | (u16::from_be_bytes([h[6], h[7]]) & 0x0fff));
    let variant = format!("{:x}", 0x8000 | (u16::from_be_bytes([h[8], h[9]]) & 0x3fff));
    format!(
        "urn:uuid:{}-{}-{version}-{variant}-{}",
        hex(0..4),
        hex(4..6),
        hex(10..16)
    )
}

/// `vulnerabilities[]`: one entry per advisory and suppression.
///
/// - `id` and `source` are the record's; every alias becomes a `references` entry with the
///   database that assigned it (NVD for CVE ids, GitHub for GHSA ids, OSV otherwise);
/// - `ratings` carry score, vector and method (`CVSSv4` only from 1.5, `other` in 1.4);
///   an advisory without any rating gets one rating with its severity, `unknown` included,
///   so "no score" is never read as "low";
/// - `description` is the summary, `detail` the long text, `recommendation` the fix
///   ("Upgrade to 2.15.0."), `advisories` the reference URLs;
/// - `affects` names each component by its bom-ref with the version found. CycloneDX has
///   one `analysis` per entry, so the components a VEX statement or a policy ignore
///   suppresses go into an entry of their own (bom-ref `vuln:ID#2`…) with that analysis:
///   `not_affected` / `false_positive` state, the justification when CycloneDX has the same
///   code, and the full text in `detail`. A policy ignore has no CycloneDX state; it is
///   said in `detail` only, and its versions stay `affected`.
fn vulnerabilities(sbom: &Sbom, v: SpecVersion) -> Vec<CdxVulnerability> {
    if sbom.vulnerabilities.is_empty() {
        // Without findings, no set of every ref to keep new ones unique.
        return Vec::new();
    }
    let mut used: HashSet<String> = sbom.components.iter().map(Component::key).collect();
    used.extend(sbom.projects.iter().map(|p| p.bom_ref.clone()));
    used.insert(ROOT_REF.to_string());
    let mut out = Vec::new();
    for present in vulns::present(sbom) {
        for (suppression, affects) in present.by_suppression() {
            let bom_ref = unique_ref(&mut used, &format!("vuln:{}", present.vuln.advisory.id));
            out.push(vulnerability(&present, bom_ref, suppression, &affects, v));
        }
    }
    out
}

fn unique_ref(used: &mut HashSet<String>, stem: &str) -> String {
    let mut candidate = stem.to_string();
    let mut n = 1;
    while used.contains(&candidate) {
        n += 1;
        candidate = format!("{stem}#{n}");
    }
    used.insert(candidate.clone());
    candidate
}

fn vulnerability(
    present: &Present,
    bom_ref: String,
    suppression: Option<&Suppression>,
    affects: &[(&bomscout_core::vuln::Affected, &Component)],
    v: SpecVersion,
) -> CdxVulnerability {
    let a = &present.vuln.advisory;
    let source = VulnSource {
        name: a.source.name.clone(),
        url: vulns::advisory_url(present.vuln),
    };
    let references = vulns::other_aliases(a)
        .into_iter()
        .map(|alias| {
            let (name, url) = vulns::id_source(alias);
            VulnReference {
                id: alias.to_string(),
                source: VulnSource {
                    name: name.to_string(),
                    url,
                },
            }
        })
        .collect();
    let mut ratings: Vec<CdxRating> = a
        .ratings
        .iter()
        .map(|r| CdxRating {
            source: Some(VulnSource {
                name: a.source.name.clone(),
                url: None,
            }),
            score: vulns::score(r.score),
            severity: r.severity.as_str(),
            method: Some(rating_method(r.method, v)),
            vector: r.vector.clone().filter(|s| !s.trim().is_empty()),
        })
        .collect();
    if ratings.is_empty() {
        ratings.push(CdxRating {
            source: Some(VulnSource {
                name: a.source.name.clone(),
                url: None,
            }),
            score: None,
            severity: a.severity.as_str(),
            method: (a.severity != VulnSeverity::Unknown).then_some("other"),
            vector: None,
        });
    }
    let not_affected = suppression.is_some_and(vulns::says_not_affected);
    CdxVulnerability {
        bom_ref,
        id: a.id.clone(),
        source: Some(source),
        references,
        ratings,
        description: a.summary.clone().filter(|s| !s.trim().is_empty()),
        detail: a.details.clone().filter(|s| !s.trim().is_empty()),
        recommendation: vulns::recommendation(affects),
        advisories: vulns::reference_urls(present.vuln)
            .into_iter()
            .map(|url| AdvisoryLink {
                url: url.to_string(),
            })
            .collect(),
        published: a.published.as_deref().and_then(vulns::timestamp),
        updated: a.modified.as_deref().and_then(vulns::timestamp),
        analysis: suppression.map(|s| Analysis {
            state: match s.state.as_str() {
                "not_affected" => Some("not_affected"),
                "false_positive" => Some("false_positive"),
                _ => None,
            },
            justification: s
                .justification
                .as_deref()
                .and_then(vulns::cyclonedx_justification)
                .filter(|_| s.state == "not_affected"),
            detail: vulns::suppression_text(s),
        }),
        affects: affects
            .iter()
            .map(|(affected, c)| CdxAffect {
                reference: c.key(),
                versions: vec![AffectedVersion {
                    version: affected.version.clone(),
                    status: if not_affected {
                        "unaffected"
                    } else {
                        "affected"
                    },
                }],
            })
            .collect(),
    }
}

/// The rating method: CVSS v4 exists in the schema from 1.5; before, it is `other`.
fn rating_method(m: RatingMethod, v: SpecVersion) -> &'static str {
    match m {
        RatingMethod::CvssV2 => "CVSSv2",
        RatingMethod::CvssV3 => "CVSSv3",
        RatingMethod::CvssV31 => "CVSSv31",
        RatingMethod::CvssV4 if v >= SpecVersion::V1_5 => "CVSSv4",
        RatingMethod::CvssV4 | RatingMethod::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::organization;
    use bomscout_core::SbomBuilder;

    fn settings(v: SpecVersion) -> Settings {
        Settings {
            timestamp: Some(1_709_683_200),
            tool_version: "0.1.0".into(),
            cyclonedx_version: v,
            ..Settings::default()
        }
    }

    fn sequential(sbom: &Sbom, settings: &Settings) -> Vec<u8> {
        let mut out = serde_json::to_vec_pretty(&build(sbom, settings)).expect("serializes");
        out.push(b'\n');
        out
    }

    #[test]
    fn components_written_in_parallel_are_the_bytes_written_on_one_thread() {
        let large = organization(40);
        assert!(large.components.len() > 1000, "{}", large.components.len());
        let components = |sbom| Components {
            sbom,
            version: SpecVersion::V1_6,
            data: BTreeMap::new(),
        };
        assert!(crate::pretty::is_heavy(&components(&large)));
        assert!(!crate::pretty::is_heavy(&components(&organization(1))));
        for v in SpecVersion::ALL {
            let settings = settings(v);
            let mut parallel = Vec::new();
            write_json(&large, &settings, &mut parallel).expect("writes");
            assert!(parallel == sequential(&large, &settings), "{}", v.as_str());
        }
    }

    #[test]
    fn small_documents_written_in_pieces_are_the_same_bytes_too() {
        let settings = settings(SpecVersion::V1_6);
        let empty = SbomBuilder::new("empty").finish();
        for sbom in [organization(1), empty] {
            let mut pieces = Vec::new();
            write_in_parallel(&build(&sbom, &settings), &mut pieces).expect("writes");
            pieces.push(b'\n');
            assert!(pieces == sequential(&sbom, &settings), "{}", sbom.name);
        }
    }
}
