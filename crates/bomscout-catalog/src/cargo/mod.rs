//! Cargo: `Cargo.lock` (versions 1–4) and `Cargo.toml`.
//!
//! Two facts a lockfile does not hold are read from files beside it, never from a
//! subprocess: where each workspace member lives and which of its dependencies are dev or
//! build dependencies (the member manifests, [`workspace`]), and each crate's declared
//! license (the local cargo registry source cache or a `vendor/` directory,
//! [`registry`]). That is exactly what `cargo metadata` would report, without running
//! `cargo`, so a scanned tree's `.cargo/config.toml` (`build.rustc`, wrappers, `[env]`) or
//! `rust-toolchain.toml` can never choose what executes.

pub mod lock;
pub mod manifest;
pub mod registry;
pub mod workspace;
