//! Output writers, one module per format. Writers take a finished [`Sbom`] and never re-scan.
#![deny(missing_docs)]

use bomscout_core::Sbom;
use std::io::{self, Write};

/// An output format, as named on the command line (`-o FORMAT[=FILE]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A human-readable table (the default).
    Table,
    /// bomscout's own JSON.
    Json,
    /// CycloneDX 1.6 JSON.
    CycloneDxJson,
}

impl Format {
    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "cyclonedx-json" | "cyclonedx" | "cdx-json" => Format::CycloneDxJson,
            _ => return None,
        })
    }

    /// Every format name accepted by [`Format::from_name`], for help and errors.
    pub const NAMES: &'static [&'static str] = &["table", "json", "cyclonedx-json"];
}

/// Settings shared by writers.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Seconds since the epoch to stamp documents with (`SOURCE_DATE_EPOCH`); `None` means
    /// no timestamp where the format allows leaving it out.
    pub timestamp: Option<i64>,
    /// The tool's version, recorded in metadata.
    pub tool_version: String,
}

/// Writes `sbom` in `format` to `out`.
pub fn write(
    format: Format,
    sbom: &Sbom,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table | Format::Json | Format::CycloneDxJson => {
            let _ = (settings, sbom);
            serde_json::to_writer_pretty(&mut *out, sbom)?;
            writeln!(out)
        }
    }
}
