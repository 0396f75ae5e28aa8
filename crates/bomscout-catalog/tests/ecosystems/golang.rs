//! Go: real `go.mod` + `go.sum` pairs (fixtures/golang/README.md), before and after the
//! Go 1.17 build-list change; `vendor/modules.txt`; the build info of a real binary.

use crate::common::{self, clean, find, purls};
use bomscout_core::{Catalog, Cataloger};
use test_case::test_case;

#[test_case(Cataloger::GoMod, "golang/cobra/go.mod" ; "go 1.15 cobra")]
#[test_case(Cataloger::GoMod, "golang/viper/go.mod" ; "go 1.17 viper")]
#[test_case(Cataloger::GoMod, "golang/hc-vendor/go.mod" ; "hc vendor go mod")]
#[test_case(Cataloger::GoVendor, "golang/hc-vendor/vendor/modules.txt" ; "vendor modules txt")]
#[test_case(Cataloger::GoBinary, "golang/binary/bin/hello" ; "binary")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

fn catalog(rel: &str) -> Catalog {
    let c = common::catalog(Cataloger::GoMod, &format!("golang/{rel}"));
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.properties["go-sum"].starts_with("h1:")));
    c
}

fn summary(c: &Catalog) -> Vec<String> {
    c.packages
        .iter()
        .map(|p| {
            let props = &p.component.properties;
            let mut s = p.component.purl.to_string();
            if props.contains_key("indirect") {
                s.push_str(" indirect");
            }
            if let Some(from) = props.get("from") {
                s.push_str(&format!(" from={from}"));
            }
            s
        })
        .collect()
}

#[test]
fn go_1_15_adds_go_sum_modules_as_indirect() {
    let c = catalog("cobra/go.mod");
    assert_eq!(
        summary(&c),
        [
            "pkg:golang/github.com/cpuguy83/go-md2man/v2@v2.0.6",
            "pkg:golang/github.com/inconshreveable/mousetrap@v1.1.0",
            "pkg:golang/github.com/spf13/pflag@v1.0.9",
            "pkg:golang/go.yaml.in/yaml/v3@v3.0.4",
            "pkg:golang/github.com/russross/blackfriday/v2@v2.1.0 indirect from=go.sum",
            "pkg:golang/gopkg.in/check.v1@v0.0.0-20161208181325-20d25e280405 indirect from=go.sum",
        ]
    );
    assert_eq!(
        c.projects[0].name.as_deref(),
        Some("github.com/spf13/cobra")
    );
}

#[test]
fn go_1_17_and_later_go_mod_is_the_build_list() {
    let c = catalog("viper/go.mod");
    let s = summary(&c);
    assert_eq!(s.len(), 17);
    assert_eq!(s.iter().filter(|l| l.ends_with(" indirect")).count(), 7);
    assert!(s.iter().all(|l| !l.contains("from=go.sum")));
    assert_eq!(s[0], "pkg:golang/github.com/fsnotify/fsnotify@v1.9.0");
    assert_eq!(s[16], "pkg:golang/gopkg.in/yaml.v3@v3.0.1 indirect");
}

/// A real Go 1.19 executable (stripped, `-trimpath`), read without running it.
#[test]
fn build_info_of_a_real_binary() {
    let dir = common::fixture_path("golang/binary");
    let c = common::catalog_in(&dir, Cataloger::GoBinary, "bin/hello");
    assert_eq!(purls(&c), ["pkg:golang/github.com/spf13/pflag@v1.0.5"]);
    assert_eq!(c.projects[0].name.as_deref(), Some("example.com/hello"));
}

#[test]
fn go_vendor_modules_txt_brutella_hc() {
    let c = clean(Cataloger::GoVendor, "golang/hc-vendor/vendor/modules.txt");
    // grep -c '^# ' : 8 modules.
    assert_eq!(c.packages.len(), 8);
    find(&c, "pkg:golang/github.com/brutella/dnssd@v1.1.0");
    find(
        &c,
        "pkg:golang/golang.org/x/crypto@v0.0.0-20181203042331-505ab145d0a9",
    );
}
