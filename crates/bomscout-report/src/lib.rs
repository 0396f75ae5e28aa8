//! Output writers, one module per format. Writers take a finished [`Sbom`] and never re-scan.
//!
//! Known vulnerabilities (`Sbom::vulnerabilities`) go into every SBOM format (CycloneDX
//! `vulnerabilities[]`, SPDX 2.3 `SECURITY` references, SPDX 3 security elements, bomscout
//! JSON); [`audit`] is their human view.
#![deny(missing_docs)]

pub mod audit;
pub mod cyclonedx;
#[cfg(test)]
mod fixtures;
mod json;
mod notice;
pub mod ntia;
pub(crate) mod pretty;
mod spdx;
mod supplier;
mod table;
mod vulns;

pub use cyclonedx::SpecVersion;

use bomscout_core::Sbom;
use std::io::{self, Write};

/// An output format, as named on the command line (`-o FORMAT[=FILE]`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A human-readable table (the default).
    Table,
    /// bomscout's own JSON.
    Json,
    /// CycloneDX JSON (1.6 unless `Settings::cyclonedx_version` says otherwise).
    CycloneDxJson,
    /// CycloneDX XML (same versions).
    CycloneDxXml,
    /// SPDX 2.3 JSON.
    SpdxJson,
    /// SPDX 2.3 tag-value.
    SpdxTagValue,
    /// SPDX 3.0.1 JSON-LD.
    Spdx3Json,
    /// A third-party attribution (NOTICE) file, plain text.
    Notice,
    /// A third-party attribution (NOTICE) file, Markdown.
    NoticeMarkdown,
}

impl Format {
    /// Parses a format name.
    pub fn from_name(name: &str) -> Option<Format> {
        Some(match name {
            "table" => Format::Table,
            "json" => Format::Json,
            "cyclonedx-json" | "cyclonedx" | "cdx-json" => Format::CycloneDxJson,
            "cyclonedx-xml" | "cdx-xml" => Format::CycloneDxXml,
            "spdx-json" => Format::SpdxJson,
            "spdx-tag-value" | "spdx-tv" => Format::SpdxTagValue,
            "spdx3-json" => Format::Spdx3Json,
            "notice" => Format::Notice,
            "notice-markdown" => Format::NoticeMarkdown,
            _ => return None,
        })
    }

    /// Every format name accepted by [`Format::from_name`], for help and errors.
    pub const NAMES: &'static [&'static str] = &[
        "table",
        "json",
        "cyclonedx-json",
        "cyclonedx-xml",
        "spdx-json",
        "spdx-tag-value",
        "spdx3-json",
        "notice",
        "notice-markdown",
    ];
}

/// Settings shared by writers.
#[derive(Debug, Clone, Default)]
pub struct Settings {
    /// Seconds since the epoch to stamp documents with (`SOURCE_DATE_EPOCH`); `None` means
    /// no timestamp where the format allows leaving it out.
    pub timestamp: Option<i64>,
    /// The tool's version, recorded in metadata.
    pub tool_version: String,
    /// The CycloneDX specification version to write.
    pub cyclonedx_version: SpecVersion,
    /// The SPDX document namespace (`--namespace`); derived from the content when `None`.
    pub namespace: Option<String>,
    /// The terminal's width when the table goes to one; `None` (a file, a pipe) writes
    /// every cell whole.
    pub table_width: Option<usize>,
}

/// Writes `sbom` in `format` to `out`.
pub fn write(
    format: Format,
    sbom: &Sbom,
    settings: &Settings,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::write(sbom, settings.table_width, out),
        Format::Json => json::write(sbom, out),
        Format::CycloneDxJson => cyclonedx::write_json(sbom, settings, out),
        Format::CycloneDxXml => cyclonedx::write_xml(sbom, settings, out),
        Format::SpdxJson => spdx::write_json(sbom, settings, settings.namespace.as_deref(), out),
        Format::SpdxTagValue => {
            spdx::write_tag_value(sbom, settings, settings.namespace.as_deref(), out)
        }
        Format::Spdx3Json => {
            spdx::write_v3_json(sbom, settings, settings.namespace.as_deref(), out)
        }
        Format::Notice => notice::write_text(sbom, out),
        Format::NoticeMarkdown => notice::write_markdown(sbom, out),
    }
}
