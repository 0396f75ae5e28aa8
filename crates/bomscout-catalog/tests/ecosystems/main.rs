//! The catalog's fixture tests, one module per ecosystem (named as the catalog's modules
//! are), in one test binary: each file under `tests/` is linked on its own, and one binary
//! for all ecosystems builds in a fraction of the time a binary each takes.
//!
//! Every module has a `snapshot` test per fixture (the shared tester in `tests/common`
//! renders what the parser found and compares it with `tests/snapshots/<fixture>.snap`)
//! beside the explicit assertions that carry meaning, each count taken from the fixture
//! independently of bomscout (the one-liner or the reasoning quoted beside it).

#[path = "../common/mod.rs"]
mod common;

mod cargo;
mod cocoapods;
mod conan;
mod dart;
mod dotnet;
mod elixir;
mod erlang;
mod github_actions;
mod golang;
mod haskell;
mod java;
mod js;
mod npm;
mod php;
mod python_lock;
mod python_req;
mod r;
mod ruby;
mod swift;
mod vcpkg;
