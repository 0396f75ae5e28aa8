//! What the fuzz targets share: the parser families, defined once beside the regression and
//! property tests that replay the same entry points.

#[path = "../../crates/bomscout-catalog/tests/families/mod.rs"]
pub mod families;

/// Gives `data` to every parser of the family `name`; a panic is the finding.
pub fn run(name: &str, data: &[u8]) {
    match families::family(name) {
        Some(family) => families::run(family, data),
        None => panic!("no parser family named {name:?}: see families::FAMILIES"),
    }
}
