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
//! - `serialNumber` is derived from the content, so the same tree gives the same bytes.
//!
//! The `bomscout:` property namespace is documented in `docs/json-format.md`.

mod licenses;
pub(crate) mod model;
mod xml;

use crate::spdx::{ids::fnv128, time::rfc3339};
use crate::Settings;
use bomscout_core::{Component, ProjectEntry, Sbom, Scope};
use model::*;
use std::collections::BTreeMap;
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
    serde_json::to_writer_pretty(&mut *out, &bom)?;
    writeln!(out)
}

pub(crate) fn build<'a>(sbom: &'a Sbom, settings: &'a Settings) -> Bom<'a> {
    let v = settings.cyclonedx_version;
    let mut components: Vec<CdxComponent> = sbom.projects.iter().map(|p| project(p, v)).collect();
    components.extend(sbom.components.iter().map(|c| component(c, v)));
    Bom {
        bom_format: "CycloneDX",
        spec_version: v.as_str(),
        serial_number: serial_number(sbom),
        version: 1,
        metadata: metadata(sbom, settings),
        components,
        dependencies: dependencies(sbom),
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

fn project(p: &ProjectEntry, v: SpecVersion) -> CdxComponent {
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
        properties,
        evidence: None,
    }
}

fn component(c: &Component, v: SpecVersion) -> CdxComponent {
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
    CdxComponent {
        kind: "library",
        bom_ref: c.key(),
        group: c.namespace.clone(),
        name: c.name.clone(),
        version: c.version.clone(),
        scope: Some(match c.scope {
            Scope::Required => "required",
            Scope::Optional => "optional",
            Scope::Dev => "excluded",
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

/// Where the component was found (1.5+), and the license findings not chosen above.
fn evidence(c: &Component, licenses: Vec<LicenseChoice>, v: SpecVersion) -> Option<Evidence> {
    let occurrences: Vec<Occurrence> = if v >= SpecVersion::V1_5 {
        c.locations
            .iter()
            .map(|l| Occurrence {
                location: l.path.clone(),
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
fn dependencies(sbom: &Sbom) -> Vec<DependencyEntry> {
    let mut map: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    map.insert(
        ROOT_REF,
        sbom.projects.iter().map(|p| p.bom_ref.as_str()).collect(),
    );
    for p in &sbom.projects {
        map.entry(&p.bom_ref).or_default();
    }
    // An unresolved component's own dependencies are unknown: CycloneDX reads a missing
    // entry as "unknown" but an empty `dependsOn` as "depends on nothing", so it gets none.
    let keys: Vec<String> = sbom
        .components
        .iter()
        .filter(|c| c.is_resolved())
        .map(Component::key)
        .collect();
    for k in &keys {
        map.entry(k.as_str()).or_default();
    }
    for d in &sbom.dependencies {
        map.entry(&d.from).or_default().push(&d.to);
    }
    map.into_iter()
        .map(|(r, mut deps)| {
            deps.sort_unstable();
            deps.dedup();
            DependencyEntry {
                reference: r.to_string(),
                depends_on: deps.into_iter().map(str::to_string).collect(),
            }
        })
        .collect()
}

/// A UUID-shaped serial number derived from the document's content (an FNV-1a 128-bit hash
/// of the sorted component keys and edges), with the version and variant bits the schema's
/// pattern requires. Same tree, same serial; any change in content, a new serial.
fn serial_number(sbom: &Sbom) -> String {
    let mut text = sbom.name.clone();
    for c in &sbom.components {
        text.push('\n');
        text.push_str(&c.key());
    }
    for d in &sbom.dependencies {
        text.push_str(&format!("\n{}>{}", d.from, d.to));
    }
    let h = fnv128(text.as_bytes()).to_be_bytes();
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
