//! Elixir: `mix.lock` with the `mix.exs` beside it (its `only:` environments give dev
//! scope), from Phoenix (the fixture's README names its source).

use crate::common::{self, clean, scopes};
use bomscout_core::{Cataloger, Scope};

const LOCK: &str = "elixir/phoenix/mix.lock";

#[test]
fn snapshot() {
    common::assert_fixture(Cataloger::MixLock, LOCK);
}

#[test]
fn mix_lock_with_mix_exs() {
    let c = clean(Cataloger::MixLock, LOCK);
    assert_eq!(c.packages.len(), 40);
    assert!(c.packages.iter().all(|p| p.component.hashes.len() == 1));
    let s = scopes(c);
    assert!(
        s.contains(&("pkg:hex/plug@1.20.3".to_string(), Scope::Required)),
        "{s:?}"
    );
    assert!(
        s.contains(&("pkg:hex/ex_doc@0.40.3".to_string(), Scope::Dev)),
        "{s:?}"
    );
}
