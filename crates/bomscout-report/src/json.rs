//! bomscout's own JSON: the model as is, with a format version. Documented field by field
//! in `docs/json-format.md`.

use bomscout_core::{Component, Sbom};
use serde::Serialize;
use std::io::{self, Write};

/// The version of this JSON format; raised on any incompatible change.
pub const JSON_FORMAT_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    bomscout_json_version: u32,
    #[serde(flatten)]
    sbom: &'a Sbom,
}

/// Writes `sbom` as bomscout JSON.
pub fn write(sbom: &Sbom, out: &mut dyn Write) -> io::Result<()> {
    let doc = Document {
        bomscout_json_version: JSON_FORMAT_VERSION,
        sbom,
    };
    let components = Components(&sbom.components);
    if crate::pretty::is_heavy(&components) {
        write_in_parallel(&doc, &components, out)?;
    } else {
        serde_json::to_writer_pretty(&mut *out, &doc)?;
    }
    writeln!(out)
}

/// The bytes `serde_json::to_writer_pretty` writes for `doc`, its components rendered in
/// parallel in batches ([`crate::pretty`]). The members are `Sbom`'s, in its order.
fn write_in_parallel(
    doc: &Document,
    components: &Components,
    out: &mut dyn Write,
) -> io::Result<()> {
    let sbom = doc.sbom;
    let mut object = crate::pretty::Object::new(out)?;
    object.field("bomscout_json_version", &doc.bomscout_json_version)?;
    object.field("name", &sbom.name)?;
    object.field("projects", &sbom.projects)?;
    object.array("components", components)?;
    object.field("dependencies", &sbom.dependencies)?;
    object.field("diagnostics", &sbom.diagnostics)?;
    if !sbom.vulnerabilities.is_empty() {
        object.field("vulnerabilities", &sbom.vulnerabilities)?;
    }
    object.end()
}

/// The components, weighed by their occurrences.
struct Components<'a>(&'a [Component]);

impl crate::pretty::Array for Components<'_> {
    type Item<'i>
        = &'i Component
    where
        Self: 'i;

    fn len(&self) -> usize {
        self.0.len()
    }

    fn item(&self, i: usize) -> &Component {
        &self.0[i]
    }

    fn weight(&self, i: usize) -> usize {
        crate::pretty::component_weight(&self.0[i])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fixtures::organization;

    fn sequential(sbom: &Sbom) -> Vec<u8> {
        let doc = Document {
            bomscout_json_version: JSON_FORMAT_VERSION,
            sbom,
        };
        let mut out = serde_json::to_vec_pretty(&doc).expect("serializes");
        out.push(b'\n');
        out
    }

    #[test]
    fn components_written_in_parallel_are_the_bytes_written_on_one_thread() {
        let large = organization(40);
        assert!(crate::pretty::is_heavy(&Components(&large.components)));
        let mut parallel = Vec::new();
        write(&large, &mut parallel).expect("writes");
        assert!(parallel == sequential(&large));
    }

    #[test]
    fn small_documents_written_in_pieces_are_the_same_bytes_too() {
        let mut small = organization(1);
        small.vulnerabilities.clear();
        let empty = bomscout_core::SbomBuilder::new("empty").finish();
        for sbom in [organization(1), small, empty] {
            let doc = Document {
                bomscout_json_version: JSON_FORMAT_VERSION,
                sbom: &sbom,
            };
            let mut pieces = Vec::new();
            write_in_parallel(&doc, &Components(&sbom.components), &mut pieces).expect("writes");
            pieces.push(b'\n');
            assert!(pieces == sequential(&sbom), "{}", sbom.name);
        }
    }
}
