//! Malformed input: a fixture truncated at many points, and garbage bytes, give an error
//! or a diagnostic naming the file, never a panic.

use bomscout_catalog::ParseError;
use bomscout_core::{Catalog, Cataloger};

/// Garbage: not UTF-8, and not the format.
pub const GARBAGE: &[u8] = b"\xff\xfe\x00PK\x03\x04\x80\x81 {{ ]] :: not this format";

/// Parses `bytes` as if they were `fixtures/<rel>` (side files are looked up beside it).
pub fn parse_bytes(cataloger: Cataloger, rel: &str, bytes: &[u8]) -> Result<Catalog, ParseError> {
    super::parse_as(
        cataloger,
        bytes,
        rel,
        &super::fixture_path(rel),
        &super::options(),
    )
}

/// Every diagnostic names the file.
pub fn diagnostics_name(c: &Catalog, rel: &str) {
    assert!(
        c.diagnostics.iter().all(|d| d.path == rel),
        "{rel}: {:?}",
        c.diagnostics
    );
}

/// The points [`truncations`] cuts the fixture at: about 150, evenly spaced.
pub fn cuts(len: usize) -> usize {
    (0..len).step_by((len / 150).max(1)).count()
}

/// Truncates the fixture at many points (none of which may panic) and returns how many
/// of them were errors.
pub fn truncations(cataloger: Cataloger, rel: &str) -> usize {
    let bytes = super::fixture(rel);
    let mut errors = 0;
    let step = (bytes.len() / 150).max(1);
    for cut in (0..bytes.len()).step_by(step) {
        match parse_bytes(cataloger, rel, &bytes[..cut]) {
            Ok(c) => diagnostics_name(&c, rel),
            Err(_) => errors += 1,
        }
    }
    errors
}

/// A JSON format: cut in the middle it is an error with the line of the end of input;
/// every cut short of the whole file is an error (JSON cannot end early); garbage is an
/// error.
pub fn assert_json_truncations_are_errors(cataloger: Cataloger, rel: &str) {
    let bytes = super::fixture(rel);
    let half = &bytes[..bytes.len() / 2];
    let err = parse_bytes(cataloger, rel, half).expect_err(rel);
    assert!(err.line().is_some(), "{rel}: {err}");
    assert_eq!(truncations(cataloger, rel), cuts(bytes.len()), "{rel}");
    assert!(parse_bytes(cataloger, rel, GARBAGE).is_err(), "{rel}");
}
