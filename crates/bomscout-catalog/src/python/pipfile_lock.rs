//! Not written yet.

use crate::{Input, ParseError};
use bomscout_core::Catalog;

/// Parses one file (not written yet: returns an error so nothing passes silently).
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    Err(ParseError::format(format!(
        "{}: parser not written yet",
        input.path
    )))
}
