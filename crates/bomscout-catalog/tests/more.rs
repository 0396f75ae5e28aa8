//! The other ecosystems on real lockfiles (each fixture's README names its source):
//! exact counts, purls, hashes and scopes.

mod common;

use bomscout_core::{Catalog, Cataloger, Scope};

fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    let c = common::catalog(cataloger, rel);
    assert!(c.diagnostics.is_empty(), "{rel}: {:?}", c.diagnostics);
    c
}

use common::scopes;

fn count(s: &[(String, Scope)], scope: Scope) -> usize {
    s.iter().filter(|(_, sc)| *sc == scope).count()
}

#[test]
fn composer_lock_with_composer_json() {
    let c = catalog(Cataloger::ComposerLock, "php/composer/composer.lock");
    assert_eq!(c.projects[0].name.as_deref(), Some("composer/composer"));
    let first = &c.packages[0].component;
    assert_eq!(
        first.purl.as_str(),
        "pkg:composer/composer/ca-bundle@1.5.12"
    );
    assert_eq!(first.licenses[0].raw, "MIT");
    let s = scopes(c);
    // composer.lock: 30 `packages`, 6 `packages-dev`; the graph puts exactly those 6 in dev.
    assert_eq!((s.len(), count(&s, Scope::Dev)), (36, 6));
}

#[test]
fn mix_lock_with_mix_exs() {
    let c = catalog(Cataloger::MixLock, "elixir/phoenix/mix.lock");
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

#[test]
fn rebar_lock_levels_and_hashes() {
    let c = catalog(Cataloger::RebarLock, "erlang/grisp/rebar.lock");
    let got: Vec<(String, bool, usize)> = c
        .packages
        .iter()
        .map(|p| {
            (
                p.component.purl.to_string(),
                p.component.properties.contains_key("indirect"),
                p.component.hashes.len(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("pkg:hex/grisp@0.1.1".to_string(), false, 1),
            ("pkg:hex/mapz@0.3.0".to_string(), true, 1)
        ]
    );
    let legacy = catalog(Cataloger::RebarLock, "erlang/legacy/rebar.lock");
    assert_eq!(legacy.packages.len(), 10);
    // Every one is a git dependency on GitHub: named by its repository at the locked
    // commit, not as a hex release of that name that does not exist.
    assert!(legacy
        .packages
        .iter()
        .all(|p| p.component.purl.as_str().starts_with("pkg:github/")));
    assert_eq!(
        legacy.packages[0].component.purl.as_str(),
        "pkg:github/eproxus/meck@69664df5d0e01a0ae27efb62831d6eea45cc1cd4"
    );
    assert_eq!(
        legacy.packages[1].component.purl.as_str(),
        "pkg:github/ferd/interval-tree-clocks@168449da42871892f6047733edddf33936dd660f"
    );
    assert_eq!(
        legacy.packages[1].component.properties["package"],
        "hex:itc"
    );
}

#[test]
fn stack_yaml_lock() {
    let c = catalog(Cataloger::StackLock, "haskell/stack/stack.yaml.lock");
    assert_eq!(c.packages.len(), 24);
    let cabal = &c.packages[0].component;
    assert_eq!(cabal.purl.as_str(), "pkg:hackage/Cabal@3.16.1.0");
    assert_eq!(
        cabal.properties["cabal-file-sha256"],
        "39873317ab895194547c3fd72c91cdb97c800a49b2656920854747ee466627ca"
    );
}

#[test]
fn gemfile_lock_with_gemfile_groups() {
    let c = catalog(Cataloger::GemfileLock, "ruby/rails/Gemfile.lock");
    // One component per gem even when it is locked for several platforms.
    let ffi: Vec<_> = c
        .packages
        .iter()
        .filter(|p| p.component.name == "ffi")
        .collect();
    assert_eq!(ffi.len(), 1);
    assert!(ffi[0].component.properties["platforms"].contains("x86_64-linux-gnu"));
    // PATH gems (rails itself) are first-party, not components.
    assert!(c.packages.iter().all(|p| p.component.name != "actioncable"));
    assert!(
        c.packages.iter().all(|p| p.component.hashes.len() == 1),
        "CHECKSUMS give every gem a sha256"
    );
    let s = scopes(c);
    assert_eq!((s.len(), count(&s, Scope::Dev)), (218, 22));
    assert!(s.contains(&("pkg:gem/rubocop@1.79.2".to_string(), Scope::Dev)));
    let fastlane = catalog(Cataloger::GemfileLock, "ruby/fastlane/Gemfile.lock");
    assert_eq!(fastlane.packages.len(), 86);
}

#[test]
fn pubspec_lock() {
    let c = catalog(Cataloger::PubspecLock, "dart/gallery/pubspec.lock");
    assert!(c.packages.iter().all(|p| p.component.hashes.len() == 1));
    assert!(
        c.packages.iter().all(|p| p.component.name != "flutter"),
        "SDK packages are not components"
    );
    let s = scopes(c);
    assert_eq!((s.len(), count(&s, Scope::Dev)), (98, 7));
}

#[test]
fn renv_lock() {
    let c = catalog(Cataloger::RenvLock, "r/renv/renv.lock");
    assert_eq!(c.packages.len(), 110);
    let pkgdown = c
        .packages
        .iter()
        .find(|p| p.component.name == "pkgdown")
        .unwrap();
    assert_eq!(
        pkgdown.component.purl.as_str(),
        "pkg:cran/pkgdown@2.0.7.9000?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fr-lib%2Fpkgdown%40c354aa7e5ea1f9936692494c28c89e5bdd31fc68"
    );
}
