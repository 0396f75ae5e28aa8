//! The catalog's fixture tests, one module per ecosystem (named as the catalog's modules
//! are), in one test binary: each file under `tests/` is linked on its own, and one binary
//! for all ecosystems builds in a fraction of the time a binary each takes.
//!
//! Every module has a `snapshot` test per fixture (the shared tester in `tests/common`
//! renders what the parser found and compares it with `tests/snapshots/<fixture>.snap`)
//! beside the explicit assertions that carry meaning, each count taken from the fixture
//! independently of bomscout (the one-liner or the reasoning quoted beside it).
//!
//! A parser change that changes what a fixture gives fails its `snapshot` test with the
//! difference. When the new output is right: `INSTA_UPDATE=always cargo test -p
//! bomscout-catalog --test ecosystems`, read the changed `.snap` files in the diff, and
//! commit them with the change (on CI, where `CI` is set, nothing is written and a changed
//! or missing snapshot fails).

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
