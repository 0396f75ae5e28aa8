//! R: `renv.lock` from a real project (the fixture's README names its source).

use crate::common::{self, clean};
use bomscout_core::Cataloger;

const LOCK: &str = "r/renv/renv.lock";

#[test]
fn snapshot() {
    common::assert_fixture(Cataloger::RenvLock, LOCK);
}

#[test]
fn renv_lock() {
    let c = clean(Cataloger::RenvLock, LOCK);
    assert_eq!(c.packages.len(), 110);
    let pkgdown = common::named(&c, "pkgdown");
    assert_eq!(
        pkgdown.component.purl.as_str(),
        "pkg:cran/pkgdown@2.0.7.9000?vcs_url=git%2Bhttps:%2F%2Fgithub.com%2Fr-lib%2Fpkgdown%40c354aa7e5ea1f9936692494c28c89e5bdd31fc68"
    );
}
