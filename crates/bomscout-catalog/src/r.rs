//! R renv.lock.
//!
//! Not implemented yet: every file yields a diagnostic saying so.

use crate::{Input, ParseError};
use bomscout_core::{Catalog, Cataloger};

/// Parses one file for `cataloger`.
pub fn parse(cataloger: Cataloger, _input: &Input) -> Result<Catalog, ParseError> {
    Err(ParseError::format(format!(
        "{cataloger}: not supported yet"
    )))
}
