//! Machine-learning models and datasets: the Hugging Face hub cache ([`hub`]), repository
//! cards ([`card`]), and model files found anywhere ([`gguf`], [`safetensors`]).
//!
//! A model becomes a component of kind `machine-learning-model`, a dataset one of kind
//! `data`. What the card says beyond the license is kept in properties (`hf-pipeline-tag`,
//! `hf-library`, `hf-tags`, `hf-language`, `hf-model-type`, `hf-architectures`,
//! `hf-task-categories`), which the CycloneDX writer turns into a `modelCard`.

pub mod card;
pub mod gguf;
pub mod hub;
pub mod safetensors;

use crate::ParseError;
use bomscout_core::{Cataloger, Component, ComponentKind, Ecosystem, License, Location, Purl};

/// How many bytes of a file the walker reads for `cataloger`: a prefix for the model-file
/// formats, whose headers are all they need (a model file is gigabytes of weights), and
/// `None` (the whole file, up to the usual limit) for every other cataloger.
pub fn head_limit(cataloger: Cataloger) -> Option<u64> {
    match cataloger {
        Cataloger::Gguf => Some(gguf::HEAD_LIMIT),
        Cataloger::Safetensors => Some(8 + safetensors::MAX_HEADER),
        _ => None,
    }
}

/// What a header-only cataloger reads of `path`, at most `limit` bytes: for safetensors
/// the 8-byte length and then exactly the header it announces (nothing more when it is
/// over the format's limit, which the parser reports); for GGUF, whose header length is
/// not written anywhere, the first `limit` bytes.
pub fn read_model_head(
    tree: &dyn bomscout_walk::Tree,
    cataloger: Cataloger,
    path: &std::path::Path,
    limit: u64,
) -> Result<Vec<u8>, String> {
    if !tree.is_host() {
        // A tree in memory holds the whole file (or none of it): cut what it gives.
        let mut bytes = tree
            .read(path, u64::MAX)
            .map_err(|e| format!("cannot read: {e}"))?;
        let head = match cataloger {
            Cataloger::Safetensors => safetensors_head_len(&bytes).min(limit),
            _ => limit,
        };
        bytes.truncate(usize::try_from(head).unwrap_or(usize::MAX));
        return Ok(bytes);
    }
    if cataloger != Cataloger::Safetensors {
        return read_head(path, limit);
    }
    let first = read_head(path, 8)?;
    let Some(len) = first.get(..8) else {
        return Ok(first);
    };
    let mut a = [0u8; 8];
    a.copy_from_slice(len);
    let n = u64::from_le_bytes(a);
    if n > safetensors::MAX_HEADER {
        return Ok(first);
    }
    read_head(path, (8 + n).min(limit))
}

/// How much of a safetensors file [`read_model_head`] reads: the 8-byte length and the
/// header it announces, or only the length when the header is over the format's limit.
fn safetensors_head_len(bytes: &[u8]) -> u64 {
    let Some(len) = bytes.get(..8) else {
        return 8;
    };
    let mut a = [0u8; 8];
    a.copy_from_slice(len);
    let n = u64::from_le_bytes(a);
    if n > safetensors::MAX_HEADER {
        8
    } else {
        8 + n
    }
}

/// The first `limit` bytes of the regular file at `path` (all of it when shorter): the
/// same checks as [`bomscout_walk::read_regular`] (a FIFO or device is refused, never
/// opened blocking), but a longer file is cut, not refused.
pub fn read_head(path: &std::path::Path, limit: u64) -> Result<Vec<u8>, String> {
    use std::io::Read;
    let meta = std::fs::metadata(path).map_err(|e| format!("cannot read: {e}"))?;
    if !meta.is_file() {
        return Err("not a regular file; only regular files are read".to_string());
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options
        .open(path)
        .map_err(|e| format!("cannot read: {e}"))?;
    if !file
        .metadata()
        .map_err(|e| format!("cannot read: {e}"))?
        .is_file()
    {
        return Err("not a regular file; only regular files are read".to_string());
    }
    let mut bytes = Vec::new();
    file.take(limit)
        .read_to_end(&mut bytes)
        .map_err(|e| format!("cannot read: {e}"))?;
    Ok(bytes)
}

/// What a model file's header says about the model.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ModelFacts {
    /// Its name.
    pub name: Option<String>,
    /// GGUF `general.basename` (the name without size or fine-tune).
    pub basename: Option<String>,
    /// Its version.
    pub version: Option<String>,
    /// Its license, as written.
    pub license: Option<String>,
    /// Its architecture (`llama`, `bert`).
    pub architecture: Option<String>,
    /// safetensors `format` (`pt`, `tf`, `flax`).
    pub format: Option<String>,
}

/// The file name of `path` without its extension.
pub(crate) fn file_stem(path: &str) -> String {
    let name = path.rsplit('/').next().unwrap_or(path);
    match name.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem.to_string(),
        _ => name.to_string(),
    }
}

/// The component for a model file outside a hub layout: `pkg:generic/<name>@<version>`
/// (no version when the header has none), named by the header or else the file.
pub(crate) fn model_file_component(
    path: &str,
    stem: &str,
    format: &str,
    facts: &ModelFacts,
) -> Result<Component, ParseError> {
    let name = facts
        .name
        .as_deref()
        .or(facts.basename.as_deref())
        .filter(|n| !n.trim().is_empty())
        .unwrap_or(stem)
        .trim();
    let version = facts
        .version
        .as_deref()
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let purl_error = |e: bomscout_core::PurlError| ParseError::format(e.to_string());
    let mut c = Component::new(Ecosystem::Generic, None, name, version.unwrap_or("0"))
        .map_err(purl_error)?;
    if version.is_none() {
        c.version = None;
        c.purl = Purl::build(Ecosystem::Generic, None, name, None, &[]).map_err(purl_error)?;
    }
    c.kind = ComponentKind::MachineLearningModel;
    c.locations.insert(Location::new(path));
    c.properties
        .insert("model-format".to_string(), format.to_string());
    if let Some(a) = &facts.architecture {
        c.properties
            .insert("model-architecture".to_string(), a.clone());
    }
    if let Some(f) = &facts.format {
        c.properties
            .insert("safetensors-format".to_string(), f.clone());
    }
    if let Some(l) = facts
        .license
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty())
    {
        let field = match format {
            "gguf" => "general.license",
            _ => "__metadata__.license",
        };
        let raw = card::hub_license(l).unwrap_or_else(|| l.to_string());
        c.licenses.push(License::declared(&raw, path, field));
    }
    Ok(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_files_are_generic_purls_named_by_the_header_or_the_file() {
        let facts = ModelFacts {
            name: Some("Tiny Llama".into()),
            version: Some("v1.0".into()),
            license: Some("apache-2.0".into()),
            ..ModelFacts::default()
        };
        let c = model_file_component("m/tiny.gguf", "tiny", "gguf", &facts).unwrap();
        assert_eq!(c.purl.as_str(), "pkg:generic/Tiny%20Llama@v1.0");
        assert_eq!(c.kind, ComponentKind::MachineLearningModel);
        assert_eq!(c.licenses[0].raw, "Apache-2.0");
        let c = model_file_component(
            "m/x.safetensors",
            "x",
            "safetensors",
            &ModelFacts::default(),
        )
        .unwrap();
        assert_eq!(c.purl.as_str(), "pkg:generic/x");
        assert_eq!(c.version, None);
        assert!(c.licenses.is_empty());
    }
}
