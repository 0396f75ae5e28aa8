//! yarn v1, yarn berry, pnpm 6.x/9.x and bun lockfiles made by the real tools for one
//! project (fixtures/*/README.md): every format must give exactly the packages and scopes
//! `pnpm list --depth Infinity` reported for it, and the same for a two-package workspace.

use crate::common;
use bomscout_catalog::{parse, Input};
use bomscout_core::{Cataloger, Scope, Severity};
use test_case::test_case;

fn scan(cataloger: Cataloger, rel: &str) -> (Vec<(String, Scope)>, Vec<String>) {
    let sbom = common::sbom(vec![common::clean(cataloger, rel)]);
    let components = sbom
        .components
        .iter()
        .map(|c| (c.purl.to_string(), c.scope))
        .collect();
    let dirs = sbom.projects.iter().map(|p| p.dir.clone()).collect();
    (components, dirs)
}

fn expected(list: &[(&str, Scope)]) -> Vec<(String, Scope)> {
    list.iter()
        .map(|(p, s)| (format!("pkg:npm/{p}"), *s))
        .collect()
}

/// `pnpm list --depth Infinity --json` of the base project (fixtures/pnpm/README.md).
fn base() -> Vec<(String, Scope)> {
    use Scope::*;
    expected(&[
        ("%40babel/helper-string-parser@7.29.15", Required),
        ("ansi-styles@4.3.0", Required),
        ("chalk@4.1.2", Required),
        ("color-convert@2.0.1", Required),
        ("color-name@1.1.4", Required),
        ("has-flag@4.0.0", Required),
        ("is-number@6.0.0", Dev),
        ("is-odd@3.0.1", Dev),
        ("js-tokens@4.0.0", Required),
        ("left-pad@1.2.0", Required),
        ("left-pad@1.3.0", Required),
        ("loose-envify@1.4.0", Required),
        ("ms@2.1.3", Optional),
        ("react-dom@18.3.1", Required),
        ("react@18.3.1", Required),
        ("scheduler@0.23.2", Required),
        ("supports-color@7.2.0", Required),
    ])
}

#[test_case(Cataloger::YarnLock, "yarn/v1" ; "yarn v1")]
#[test_case(Cataloger::YarnLock, "yarn/berry" ; "yarn berry")]
#[test_case(Cataloger::PnpmLock, "pnpm/v6" ; "pnpm lockfile 6")]
#[test_case(Cataloger::PnpmLock, "pnpm/v9" ; "pnpm lockfile 9")]
#[test_case(Cataloger::BunLock, "bun/basic" ; "bun")]
fn one_project_every_format(cataloger: Cataloger, dir: &str) {
    let file = match cataloger {
        Cataloger::YarnLock => "yarn.lock",
        Cataloger::PnpmLock => "pnpm-lock.yaml",
        _ => "bun.lock",
    };
    let (components, dirs) = scan(cataloger, &format!("{dir}/{file}"));
    assert_eq!(components, base());
    assert_eq!(dirs, [dir]);
}

#[test_case(Cataloger::YarnLock, "yarn/berry-workspaces/yarn.lock" ; "yarn berry")]
#[test_case(Cataloger::PnpmLock, "pnpm/v9-workspaces/pnpm-lock.yaml" ; "pnpm")]
#[test_case(Cataloger::BunLock, "bun/workspaces/bun.lock" ; "bun")]
fn workspaces_are_projects_with_their_own_dev_dependencies(cataloger: Cataloger, rel: &str) {
    use Scope::*;
    let (components, dirs) = scan(cataloger, rel);
    // is-odd (and its is-number@6) is only a devDependency of app; is-number@7 of the root.
    assert_eq!(
        components,
        expected(&[
            ("is-number@6.0.0", Dev),
            ("is-number@7.0.0", Dev),
            ("is-odd@3.0.1", Dev),
            ("left-pad@1.3.0", Required),
            ("ms@2.1.3", Required),
        ])
    );
    let root = rel.rsplit_once('/').unwrap().0;
    assert_eq!(
        dirs,
        [
            root.to_string(),
            format!("{root}/packages/app"),
            format!("{root}/packages/lib")
        ]
    );
}

/// pnpm 11 writes its environment lockfile (configDependencies) as a first YAML document
/// before the lockfile (fixtures/pnpm/README.md): the lockfile is the second document, the
/// first is pnpm's tooling, and lines count from the top of the file.
#[test]
fn pnpm_lockfile_after_an_environment_document() {
    let rel = "pnpm/v9-env/pnpm-lock.yaml";
    let abs = common::fixture_path(rel);
    let bytes = std::fs::read(&abs).unwrap();
    let options = common::options();
    let root = abs.parent().unwrap().to_path_buf();
    let input = Input {
        bytes: &bytes,
        shared_path: &bomscout_core::SharedStr::from(rel),
        abs: &abs,
        root: &root,
        options: &options,
        tree: &bomscout_catalog::DISK,
    };
    let catalog = parse(Cataloger::PnpmLock, &input).unwrap();
    let notes: Vec<(Severity, Option<u32>)> = catalog
        .diagnostics
        .iter()
        .map(|d| (d.severity, d.line))
        .collect();
    assert_eq!(
        notes,
        [(Severity::Info, Some(1))],
        "{:?}",
        catalog.diagnostics
    );
    assert!(catalog.diagnostics[0].message.contains("left-pad"));
    let left_pad = common::find(&catalog, "pkg:npm/left-pad@1.3.0");
    let lines: Vec<Option<u32>> = left_pad
        .component
        .locations
        .iter()
        .map(|l| l.line)
        .collect();
    assert_eq!(
        lines,
        [Some(98)],
        "the lockfile's own entry, not the environment's"
    );
    assert_eq!(common::scopes(catalog), base());
}

/// yarn 3 (lockfile `__metadata.version: 6`) writes dependency ranges without their
/// protocol (`color-convert: ^2.0.1`) while the keys carry it (`color-convert@npm:^2.0.1`):
/// berry's default protocol is `npm:`. Made with yarn 3.8.7 from the same package.json
/// (fixtures/yarn/README.md), which resolved a newer `@babel/helper-string-parser`.
#[test]
fn yarn_berry_v6_ranges_default_to_npm() {
    let (components, dirs) = scan(Cataloger::YarnLock, "yarn/berry-v6/yarn.lock");
    let mut want = base();
    want[0].0 = "pkg:npm/%40babel/helper-string-parser@7.29.17".into();
    assert_eq!(components, want);
    assert_eq!(dirs, ["yarn/berry-v6"]);
}

/// bun records the root package as `"my-monorepo": ["my-monorepo@root:", {}]` when a
/// workspace depends on it (fixtures/bun/README.md): the root is the project, first-party,
/// never a component.
#[test]
fn bun_root_entry_is_the_root_project() {
    use Scope::*;
    let (components, dirs) = scan(Cataloger::BunLock, "bun/root-workspace/bun.lock");
    assert_eq!(
        components,
        expected(&[
            ("is-number@6.0.0", Dev),
            ("is-odd@3.0.1", Dev),
            ("left-pad@1.3.0", Required),
        ])
    );
    assert_eq!(
        dirs,
        ["bun/root-workspace", "bun/root-workspace/packages/app"]
    );
}

#[test_case(Cataloger::YarnLock, "yarn/v1/yarn.lock" ; "yarn v1")]
#[test_case(Cataloger::YarnLock, "yarn/berry/yarn.lock" ; "yarn berry")]
#[test_case(Cataloger::YarnLock, "yarn/berry-v6/yarn.lock" ; "yarn berry v6")]
#[test_case(Cataloger::YarnLock, "yarn/berry-workspaces/yarn.lock" ; "yarn berry workspaces")]
#[test_case(Cataloger::PnpmLock, "pnpm/v6/pnpm-lock.yaml" ; "pnpm lockfile 6")]
#[test_case(Cataloger::PnpmLock, "pnpm/v9/pnpm-lock.yaml" ; "pnpm lockfile 9")]
#[test_case(Cataloger::PnpmLock, "pnpm/v9-env/pnpm-lock.yaml" ; "pnpm environment document")]
#[test_case(Cataloger::PnpmLock, "pnpm/v9-workspaces/pnpm-lock.yaml" ; "pnpm workspaces")]
#[test_case(Cataloger::PnpmLock, "pnpm/installed/pnpm-lock.yaml" ; "pnpm installed lock")]
#[test_case(Cataloger::BunLock, "bun/basic/bun.lock" ; "bun")]
#[test_case(Cataloger::BunLock, "bun/workspaces/bun.lock" ; "bun workspaces")]
#[test_case(Cataloger::BunLock, "bun/root-workspace/bun.lock" ; "bun root workspace")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test]
fn snapshot_pnpm_installed() {
    let dir = "pnpm/installed/node_modules";
    let records = common::snapshot::files_named(dir, "package.json");
    common::snapshot::assert_scenario(dir, Cataloger::NpmInstalled, &records);
}
