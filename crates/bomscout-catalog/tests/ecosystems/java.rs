//! JVM: real POMs, a real Gradle lockfile and version catalog, and a real jar
//! (fixtures/maven/README.md).

use crate::common::{self, clean, find, purls};
use bomscout_core::{Catalog, Cataloger, Scope};
use test_case::test_case;

#[test_case(Cataloger::MavenPom, "maven/jsoup/pom.xml" ; "jsoup pom")]
#[test_case(Cataloger::MavenPom, "maven/petclinic/pom.xml" ; "petclinic pom")]
#[test_case(Cataloger::GradleLock, "maven/gradle-maybe/gradle.lockfile" ; "gradle lockfile")]
#[test_case(Cataloger::GradleCatalog, "maven/nowinandroid/gradle/libs.versions.toml" ; "gradle version catalog")]
#[test_case(Cataloger::JavaArchive, "maven/jars/slf4j-api-1.7.32.jar" ; "jar")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    common::catalog(cataloger, &format!("maven/{rel}"))
}

fn scoped(c: Catalog) -> Vec<(String, Scope)> {
    common::scopes(c)
}

#[test]
fn jsoup_pom() {
    let c = catalog(Cataloger::MavenPom, "jsoup/pom.xml");
    assert_eq!(c.diagnostics.len(), 1);
    assert!(c.diagnostics[0]
        .message
        .contains("io.netty:netty-bom:4.2.17.Final is not available offline"));
    let p = &c.projects[0];
    assert_eq!(
        p.purl.as_ref().unwrap().as_str(),
        "pkg:maven/org.jsoup/jsoup@1.23.2-SNAPSHOT"
    );
    assert_eq!(p.licenses[0].raw, "The MIT License");
    use Scope::*;
    assert_eq!(
        scoped(c),
        [
            (
                "pkg:maven/com.google.code.gson/gson@2.14.0".to_string(),
                Dev
            ),
            ("pkg:maven/com.google.re2j/re2j@1.8".to_string(), Optional),
            (
                "pkg:maven/org.jspecify/jspecify@1.0.1".to_string(),
                Required
            ),
            (
                "pkg:maven/org.junit.jupiter/junit-jupiter@5.14.4".to_string(),
                Dev
            ),
            ("pkg:maven/io.netty/netty-codec-http".to_string(), Dev),
            ("pkg:maven/io.netty/netty-handler".to_string(), Dev),
        ]
    );
}

#[test]
fn petclinic_parent_not_offline_leaves_versions_unresolved() {
    let c = catalog(Cataloger::MavenPom, "petclinic/pom.xml");
    assert_eq!(c.diagnostics.len(), 1);
    assert!(c.diagnostics[0]
        .message
        .contains("spring-boot-starter-parent:4.0.3 is not available offline"));
    assert_eq!(c.diagnostics[0].line, Some(5));
    let resolved: Vec<String> = c
        .packages
        .iter()
        .filter(|p| p.component.is_resolved())
        .map(|p| p.component.purl.to_string())
        .collect();
    assert_eq!(
        resolved,
        [
            "pkg:maven/org.webjars/webjars-locator-lite@1.1.3",
            "pkg:maven/org.webjars.npm/bootstrap@5.3.8",
            "pkg:maven/org.webjars.npm/font-awesome@4.7.0",
        ]
    );
    assert_eq!(c.packages.len(), 24);
}

#[test]
fn gradle_lockfile_main_test_and_tooling_configurations() {
    let c = catalog(Cataloger::GradleLock, "gradle-maybe/gradle.lockfile");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(c.packages.len(), 45);
    let s = scoped(c);
    let required: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == Scope::Required)
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(
        required,
        [
            "pkg:maven/com.google.code.findbugs/jsr305@3.0.2",
            "pkg:maven/org.eclipse.jdt/org.eclipse.jdt.annotation@2.2.600",
        ]
    );
}

#[test]
fn a_real_jar() {
    let c = catalog(Cataloger::JavaArchive, "jars/slf4j-api-1.7.32.jar");
    assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
    assert_eq!(purls(&c), ["pkg:maven/org.slf4j/slf4j-api@1.7.32"]);
    assert_eq!(c.packages[0].component.hashes.len(), 1);
}

#[test]
fn gradle_version_catalog_nowinandroid() {
    let c = clean(
        Cataloger::GradleCatalog,
        "maven/nowinandroid/gradle/libs.versions.toml",
    );
    let got = purls(&c);
    // 138 entries: [libraries] and [plugins] of the catalog, less its 16 version-less
    // convention plugins (nowinandroid.*: the build's own included build-logic).
    assert_eq!(got.len(), 122, "{got:?}");
    assert!(got.iter().all(|p| !p.contains("/nowinandroid.")), "{got:?}");
    for p in [
        "pkg:maven/com.google.dagger/hilt-android@2.59",
        // version.ref through [versions]
        "pkg:maven/androidx.room/room-runtime@2.8.3",
        // a plugin as its marker artifact
        "pkg:maven/com.google.devtools.ksp/com.google.devtools.ksp.gradle.plugin@2.3.4",
    ] {
        assert!(got.iter().any(|g| g == p), "{p}");
    }
    // BOM-managed libraries declare no version: unresolved declarations, not guesses.
    let runtime = find(&c, "pkg:maven/androidx.compose.runtime/runtime");
    assert!(runtime.component.version.is_none());
}
