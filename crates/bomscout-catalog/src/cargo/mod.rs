//! Cargo: Cargo.lock and Cargo.toml.

pub mod lock;
pub mod manifest;
