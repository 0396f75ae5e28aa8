//! Fuzz target: every parser of the `toml` family (see `src/lib.rs`) on the same bytes.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| bomscout_fuzz::run("toml", data));
