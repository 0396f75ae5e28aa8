//! Fuzz target: every parser of the `sbom` family (see `src/lib.rs`) on the same bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bomscout_fuzz::run("sbom", data));
