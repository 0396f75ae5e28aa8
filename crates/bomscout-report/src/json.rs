//! bomscout's own JSON: the model as is, with a format version. Documented field by field
//! in `docs/json-format.md`.

use bomscout_core::Sbom;
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
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
}
