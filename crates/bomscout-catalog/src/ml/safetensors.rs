//! safetensors model files (`*.safetensors`): the header's `__metadata__` only.
//!
//! Layout: an 8-byte little-endian header length `N`, then `N` bytes of JSON (a map of
//! tensor names to their dtype, shape and offsets, plus an optional `__metadata__` map of
//! strings), then the tensor data. The format's own reader refuses a header over 100 MB
//! ([`MAX_HEADER`]); so does this one. The walker hands this parser at most
//! `8 + MAX_HEADER` bytes (see [`crate::ml::head_limit`]), so the weights are never read.
//!
//! Read from `__metadata__`: `name` / `general.name`, `version`, `license` /
//! `general.license`, `architecture` / `general.architecture` / `modelspec.architecture`
//! (keys that writers such as the Hugging Face and Stability tooling use; most files carry
//! only `format: pt`, and then the component is named after the file).

use super::{file_stem, model_file_component, ModelFacts};
use crate::{Input, ParseError};
use bomscout_core::Catalog;
use serde_json::Value;

/// Largest header accepted, as the format's reference implementation limits it.
pub const MAX_HEADER: u64 = 100_000_000;

/// Parses a safetensors file's header into one model component.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    let facts = read_header(input.bytes)?;
    if let Some(repository) = super::hub::cloned_repository(input, &facts) {
        return repository;
    }
    let mut catalog = Catalog::default();
    let component = model_file_component(
        input.path(),
        &file_stem(input.path()),
        "safetensors",
        &facts,
    )?;
    catalog.add_package(component);
    Ok(catalog)
}

/// The facts in a safetensors header's `__metadata__`.
pub fn read_header(bytes: &[u8]) -> Result<ModelFacts, ParseError> {
    let Some(len) = bytes.get(..8) else {
        return Err(ParseError::format(
            "not a safetensors file: shorter than its 8-byte header length",
        ));
    };
    let mut a = [0u8; 8];
    a.copy_from_slice(len);
    let n = u64::from_le_bytes(a);
    if n > MAX_HEADER {
        return Err(ParseError::format(format!(
            "safetensors header length {n} is over the format's limit of {MAX_HEADER} bytes; \
             the file is not safetensors or is corrupt"
        )));
    }
    let end = 8 + n as usize;
    let Some(json) = bytes.get(8..end) else {
        return Err(ParseError::format(format!(
            "the safetensors header says {n} bytes but the file has {} after the length; \
             it is truncated",
            bytes.len() - 8
        )));
    };
    let value: Value = serde_json::from_slice(json).map_err(|e| {
        ParseError::format(format!(
            "the safetensors header is not JSON (column {} of the header): {e}",
            e.column()
        ))
    })?;
    let Value::Object(map) = value else {
        return Err(ParseError::format(
            "the safetensors header is not a JSON object",
        ));
    };
    let mut facts = ModelFacts::default();
    if let Some(Value::Object(meta)) = map.get("__metadata__") {
        let get = |keys: &[&str]| {
            keys.iter()
                .find_map(|k| meta.get(*k).and_then(Value::as_str))
                .map(|s| s.trim().chars().take(512).collect::<String>())
                .filter(|s| !s.is_empty())
        };
        facts.name = get(&["name", "general.name", "modelspec.title"]);
        facts.version = get(&["version", "general.version"]);
        facts.license = get(&["license", "general.license", "modelspec.license"]);
        facts.architecture = get(&[
            "architecture",
            "general.architecture",
            "modelspec.architecture",
        ]);
        facts.format = get(&["format"]);
    }
    Ok(facts)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(json: &str) -> Vec<u8> {
        let mut b = (json.len() as u64).to_le_bytes().to_vec();
        b.extend(json.as_bytes());
        b
    }

    #[test]
    fn reads_metadata() {
        let f = file(
            r#"{"__metadata__":{"format":"pt","license":"mit","name":"tiny"},"w":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#,
        );
        let facts = read_header(&f).unwrap();
        assert_eq!(facts.license.as_deref(), Some("mit"));
        assert_eq!(facts.name.as_deref(), Some("tiny"));
        assert_eq!(facts.format.as_deref(), Some("pt"));
    }

    #[test]
    fn a_header_length_of_u64_max_is_refused() {
        let mut b = u64::MAX.to_le_bytes().to_vec();
        b.extend(b"{}");
        let err = read_header(&b).unwrap_err();
        assert!(err.to_string().contains("over the format's limit"), "{err}");
    }

    #[test]
    fn a_header_past_the_end_is_truncation() {
        let mut b = 100u64.to_le_bytes().to_vec();
        b.extend(b"{}");
        assert!(read_header(&b)
            .unwrap_err()
            .to_string()
            .contains("truncated"));
    }

    #[test]
    fn short_and_non_json() {
        assert!(read_header(b"abc").is_err());
        assert!(read_header(&file("not json")).is_err());
        assert!(read_header(&file("[1]")).is_err());
    }
}
