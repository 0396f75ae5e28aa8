//! GitHub Actions: the `uses:` of a real workflow (ripgrep's CI; the fixture's README
//! names its source).

use crate::common::{self, clean, scopes};
use bomscout_core::{Cataloger, Scope};

const WORKFLOW: &str = "github-actions/ripgrep/.github/workflows/ci.yml";

#[test]
fn snapshot() {
    common::assert_fixture(Cataloger::GithubActions, WORKFLOW);
}

#[test]
fn ripgrep_ci_uses() {
    let c = clean(Cataloger::GithubActions, WORKFLOW);
    // The workflow belongs to the repository it sits in, two directories up.
    assert_eq!(c.projects[0].dir, "github-actions/ripgrep");
    // grep -n 'uses:' : lines 35, 43, 55, 57, 67, 69; each use site is kept with its line.
    let sites: Vec<String> = c
        .packages
        .iter()
        .map(|p| {
            let at = p.component.locations.iter().next().map(|l| l.line);
            format!("{} {:?}", p.component.purl, at.flatten())
        })
        .collect();
    assert_eq!(
        sites,
        [
            "pkg:github/actions/checkout@v4 Some(35)",
            "pkg:github/dtolnay/rust-toolchain@master Some(43)",
            "pkg:github/actions/checkout@v4 Some(55)",
            "pkg:github/dtolnay/rust-toolchain@master Some(57)",
            "pkg:github/actions/checkout@v4 Some(67)",
            "pkg:github/dtolnay/rust-toolchain@master Some(69)",
        ]
    );
    // A tag or a branch, not a commit: the reference can move under the workflow.
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.properties["pinned"] == "tag-or-branch"));
    // CI tooling does not ship: dev. One component per action and reference.
    let s = scopes(c);
    assert_eq!(
        s,
        [
            ("pkg:github/actions/checkout@v4".to_string(), Scope::Dev),
            (
                "pkg:github/dtolnay/rust-toolchain@master".to_string(),
                Scope::Dev
            ),
        ]
    );
}
