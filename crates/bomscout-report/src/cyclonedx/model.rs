//! The serde shapes of the CycloneDX JSON fields bomscout writes (a subset of the spec;
//! every optional field is skipped when empty so that older versions stay valid).

use serde::Serialize;
use std::borrow::Cow;

/// The document.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Bom<'a> {
    pub bom_format: &'static str,
    pub spec_version: &'static str,
    pub serial_number: String,
    pub version: u32,
    pub metadata: Metadata<'a>,
    pub components: Components<'a>,
    pub dependencies: Vec<DependencyEntry<'a>>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub vulnerabilities: Vec<CdxVulnerability>,
}

/// `components`, each made as it is written (serialized as a sequence): an organization's
/// SBOM holds hundreds of thousands of occurrences, and the whole list built before the
/// first byte was written was about a third of a scan's peak memory.
pub struct Components<'a> {
    pub sbom: &'a bomscout_core::Sbom,
    pub version: crate::SpecVersion,
    /// For each model's key, the datasets it was trained on.
    pub data: std::collections::BTreeMap<&'a str, Vec<&'a str>>,
}

/// `metadata`.
#[derive(Serialize)]
pub struct Metadata<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timestamp: Option<String>,
    pub tools: Tools<'a>,
    pub component: RootComponent<'a>,
}

/// `metadata.tools`: an object of components since 1.5, an array of tools before.
#[derive(Serialize)]
#[serde(untagged)]
pub enum Tools<'a> {
    Components { components: Vec<Tool<'a>> },
    Legacy(Vec<LegacyTool<'a>>),
}

/// A tool as a component (1.5+).
#[derive(Serialize)]
pub struct Tool<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub name: &'static str,
    pub version: &'a str,
}

/// A tool in the 1.4 array form.
#[derive(Serialize)]
pub struct LegacyTool<'a> {
    pub name: &'static str,
    pub version: &'a str,
}

/// `metadata.component`: what was scanned.
#[derive(Serialize)]
pub struct RootComponent<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "bom-ref")]
    pub bom_ref: &'static str,
    pub name: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<&'a str>,
}

/// A component.
#[derive(Serialize)]
pub struct CdxComponent<'a> {
    #[serde(rename = "type")]
    pub kind: &'static str,
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    /// Who supplies it (an organizational entity: a name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub supplier: Option<OrganizationalEntity>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub scope: Option<&'static str>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hashes: Vec<CdxHash>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    /// The copyright statements, one per line.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub copyright: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub purl: Option<String>,
    #[serde(rename = "externalReferences", skip_serializing_if = "Vec::is_empty")]
    pub external_references: Vec<ExternalReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub properties: Vec<Property>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<Evidence<'a>>,
    /// A model's card (1.5+).
    #[serde(rename = "modelCard", skip_serializing_if = "Option::is_none")]
    pub model_card: Option<ModelCard>,
}

/// A `modelCard`: what the model is for and how it is built.
#[derive(Serialize)]
pub struct ModelCard {
    #[serde(rename = "modelParameters")]
    pub model_parameters: ModelParameters,
}

/// `modelCard.modelParameters`.
#[derive(Serialize)]
pub struct ModelParameters {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub task: Option<String>,
    #[serde(rename = "architectureFamily", skip_serializing_if = "Option::is_none")]
    pub architecture_family: Option<String>,
    #[serde(rename = "modelArchitecture", skip_serializing_if = "Option::is_none")]
    pub model_architecture: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub datasets: Vec<DatasetRef>,
}

/// A dataset of `modelParameters.datasets`, by reference to its component.
#[derive(Serialize)]
pub struct DatasetRef {
    #[serde(rename = "ref")]
    pub reference: String,
}

/// An organizational entity (a component's `supplier`): its name.
#[derive(Serialize)]
pub struct OrganizationalEntity {
    pub name: String,
}

/// An external reference (`vcs`: the source repository).
#[derive(Serialize)]
pub struct ExternalReference {
    #[serde(rename = "type")]
    pub kind: &'static str,
    pub url: String,
}

/// A hash.
#[derive(Serialize)]
pub struct CdxHash {
    pub alg: &'static str,
    pub content: String,
}

/// One entry of a `licenses` array: a license (id or name) or one expression.
#[derive(Serialize, Clone, PartialEq)]
#[serde(untagged)]
pub enum LicenseChoice {
    License {
        license: CdxLicense,
    },
    Expression {
        expression: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        acknowledgement: Option<&'static str>,
    },
}

/// A license by SPDX id or by name.
#[derive(Serialize, Clone, PartialEq)]
pub struct CdxLicense {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub acknowledgement: Option<&'static str>,
}

/// A name/value property.
#[derive(Serialize)]
pub struct Property {
    pub name: String,
    pub value: String,
}

impl Property {
    pub fn new(name: &str, value: &str) -> Property {
        Property {
            name: name.to_string(),
            value: value.to_string(),
        }
    }
}

/// `evidence`.
#[derive(Serialize)]
pub struct Evidence<'a> {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub licenses: Vec<LicenseChoice>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub occurrences: Vec<Occurrence<'a>>,
}

/// A place the component was found.
#[derive(Serialize)]
/// The path is borrowed from the model: a component found in thousands of lockfiles
/// would otherwise copy every path for the writer.
pub struct Occurrence<'a> {
    pub location: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
}

/// An entry of `dependencies`, borrowed from the model: an organization's SBOM has tens of
/// thousands of edges, each ref otherwise copied for the writer.
#[derive(Serialize)]
pub struct DependencyEntry<'a> {
    #[serde(rename = "ref")]
    pub reference: Cow<'a, str>,
    #[serde(rename = "dependsOn")]
    pub depends_on: Vec<&'a str>,
}

/// An entry of `vulnerabilities` (1.4+): one advisory and the components it affects, all
/// sharing one analysis (none, or one suppression).
#[derive(Serialize)]
pub struct CdxVulnerability {
    #[serde(rename = "bom-ref")]
    pub bom_ref: String,
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<VulnSource>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub references: Vec<VulnReference>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub ratings: Vec<CdxRating>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendation: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub advisories: Vec<AdvisoryLink>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub published: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub updated: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub analysis: Option<Analysis>,
    pub affects: Vec<CdxAffect>,
}

/// Who published a vulnerability or a rating, or assigned an id.
#[derive(Serialize, Clone)]
pub struct VulnSource {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// An alias: the same vulnerability under another database's id.
#[derive(Serialize)]
pub struct VulnReference {
    pub id: String,
    pub source: VulnSource,
}

/// A rating.
#[derive(Serialize)]
pub struct CdxRating {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub source: Option<VulnSource>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub score: Option<f64>,
    pub severity: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub method: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub vector: Option<String>,
}

/// Where an advisory can be read.
#[derive(Serialize)]
pub struct AdvisoryLink {
    pub url: String,
}

/// `analysis`: why the finding does not count.
#[derive(Serialize)]
pub struct Analysis {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub justification: Option<&'static str>,
    pub detail: String,
}

/// An entry of `affects`: a component by bom-ref, and the version found.
#[derive(Serialize)]
pub struct CdxAffect {
    #[serde(rename = "ref")]
    pub reference: String,
    pub versions: Vec<AffectedVersion>,
}

/// A version found, and whether it is affected.
#[derive(Serialize)]
pub struct AffectedVersion {
    pub version: String,
    pub status: &'static str,
}
