//! GitHub Actions: the `uses:` of a real workflow (ripgrep's CI; the fixture's README
//! names its source).

use crate::common;
use bomscout_core::Cataloger;

#[test]
fn snapshot() {
    common::assert_fixture(
        Cataloger::GithubActions,
        "github-actions/ripgrep/.github/workflows/ci.yml",
    );
}
