//! .NET: `packages.lock.json`, project files (`PackageReference`, central package
//! management in `Directory.Packages.props`) and `*.deps.json`, on real files (each
//! fixture's README names its source).
//!
//! Every count below was taken from the fixture independently of bomscout, with the Python
//! one-liner (or the reasoning) quoted beside it.

use crate::common::malformed::{
    assert_json_truncations_are_errors, parse_bytes, truncations, GARBAGE,
};
use crate::common::{self, clean, count_scope, find, line, purls, scopes, sha512, with_scope};
use bomscout_core::{Cataloger, Scope};
use test_case::test_case;

#[test_case(Cataloger::NugetLock, "dotnet/flow-launcher/packages.lock.json" ; "nuget lock")]
#[test_case(Cataloger::DotnetProject, "dotnet/flow-launcher/Flow.Launcher.Infrastructure.csproj" ; "csproj")]
#[test_case(Cataloger::DotnetProject, "dotnet/nuget-package-explorer/Core/Core.csproj" ; "csproj central versions")]
#[test_case(Cataloger::DotnetProject, "dotnet/nuget-package-explorer/Directory.Packages.props" ; "directory packages props")]
#[test_case(Cataloger::DotnetDeps, "dotnet/syft-testlibrary/TestLibrary.deps.json" ; "deps json")]
fn snapshot(cataloger: Cataloger, rel: &str) {
    common::assert_fixture(cataloger, rel);
}

#[test]
fn nuget_lock_flow_launcher() {
    let c = clean(
        Cataloger::NugetLock,
        "dotnet/flow-launcher/packages.lock.json",
    );
    // python3: d=json.load(f)["dependencies"]["net9.0-windows7.0"]; 30 entries =
    // 17 Direct + 12 Transitive + 1 Project (flow.launcher.plugin, first-party).
    assert_eq!(c.packages.len(), 29);
    assert_eq!(c.projects[0].deps.len(), 17, "the 17 Direct entries");
    assert!(c.packages.iter().all(|p| p.component.hashes.len() == 1));
    assert!(purls(&c)
        .iter()
        .all(|p| !p.contains("flow.launcher.plugin")));
    // python3: base64.b64decode(d["NLog"]["contentHash"]).hex()
    assert_eq!(
        sha512(&c, "pkg:nuget/NLog@6.0.4"),
        "5ebfa5224d599534c55c4aa7c5054bc6b0ea665b76b66e57fbf02125b698d9e99bfdd56d183894e50b84b63de01edc15fd25a53ffac9f76d88fc13ee3895e547"
    );
    assert_eq!(
        sha512(&c, "pkg:nuget/MemoryPack.Core@1.21.4"),
        "e91b331a8ad9d1e8cd9a9dfb65c6e83c132fbcf0ae356da396b7507dcb3f94ccc4e5bde998f17a86c9bf95a0dcdf885195b0124f5671697fc3bd8bb60c5e6c05"
    );
    // Prerelease versions exactly as resolved.
    find(&c, "pkg:nuget/Microsoft.Windows.SDK.Win32Docs@0.1.42-alpha");
    find(
        &c,
        "pkg:nuget/Microsoft.Windows.WDK.Win32Metadata@0.12.8-experimental",
    );
    // MemoryPack → MemoryPack.Core, MemoryPack.Generator.
    assert_eq!(find(&c, "pkg:nuget/MemoryPack@1.21.4").deps.len(), 2);
    // The lock does not say which references are build-time only; the csproj beside it
    // does (PrivateAssets="all": Fody, CsWin32, PropertyChanged.Fody). Those and what only
    // they pull in (CsWin32's Win32 metadata packages) are dev; the rest required.
    let s = scopes(c);
    assert_eq!(s.len(), 29);
    assert_eq!(
        with_scope(&s, Scope::Dev),
        [
            "pkg:nuget/Fody@6.9.3",
            "pkg:nuget/Microsoft.Windows.CsWin32@0.3.205",
            "pkg:nuget/Microsoft.Windows.SDK.Win32Docs@0.1.42-alpha",
            "pkg:nuget/Microsoft.Windows.SDK.Win32Metadata@61.0.15-preview",
            "pkg:nuget/Microsoft.Windows.WDK.Win32Metadata@0.12.8-experimental",
            "pkg:nuget/PropertyChanged.Fody@4.1.0",
        ]
    );
    assert_eq!(count_scope(&s, Scope::Required), 23);
}

#[test]
fn csproj_flow_launcher_private_assets() {
    let rel = "dotnet/flow-launcher/Flow.Launcher.Infrastructure.csproj";
    let c = clean(Cataloger::DotnetProject, rel);
    assert_eq!(
        c.projects[0].name.as_deref(),
        Some("Flow.Launcher.Infrastructure")
    );
    // grep -c '<PackageReference Include=.* Version=' : 17, every one with a literal version.
    assert_eq!(c.packages.len(), 17);
    assert!(c.packages.iter().all(|p| p.component.requirement.is_none()));
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:nuget/Ben.Demystifier@0.4.1"
    );
    assert_eq!(line(&c, "pkg:nuget/Ben.Demystifier@0.4.1"), Some(57));
    assert_eq!(
        line(&c, "pkg:nuget/ToolGood.Words.Pinyin@3.1.0.3"),
        Some(83)
    );
    // `<PrivateAssets>all</PrivateAssets>` children: Fody, Microsoft.Windows.CsWin32,
    // PropertyChanged.Fody (lines 61-64, 69-72, 76-78).
    let s = scopes(c);
    assert_eq!(
        with_scope(&s, Scope::Dev),
        [
            "pkg:nuget/Fody@6.9.3",
            "pkg:nuget/Microsoft.Windows.CsWin32@0.3.205",
            "pkg:nuget/PropertyChanged.Fody@4.1.0"
        ]
    );
}

#[test]
fn csproj_with_directory_packages_props() {
    // Core/Core.csproj has 9 `<PackageReference Include="…" />` without versions; all 9
    // are `<PackageVersion>`s of ../Directory.Packages.props, 5 through `$(Property)`.
    let c = clean(
        Cataloger::DotnetProject,
        "dotnet/nuget-package-explorer/Core/Core.csproj",
    );
    // Plus the props file's one GlobalPackageReference, Nerdbank.GitVersioning 3.9.50: every
    // project gets it, as a build-time (dev) reference.
    assert_eq!(c.packages.len(), 10);
    assert!(c.packages.iter().all(|p| p.component.requirement.is_none()));
    let got = purls(&c);
    for p in [
        "pkg:nuget/NuGet.Protocol@7.3.0-preview.1.10",
        "pkg:nuget/System.Formats.Asn1@10.0.0",
        "pkg:nuget/Microsoft.DiaSymReader.Converter@1.1.0-beta2-25526-01",
        "pkg:nuget/OSVersionHelper@1.1.24",
    ] {
        assert!(got.iter().any(|g| g == p), "{p} not in {got:?}");
    }
    assert_eq!(c.projects[0].deps.len(), 10);
    let s = scopes(c);
    assert_eq!(
        with_scope(&s, Scope::Dev),
        ["pkg:nuget/Nerdbank.GitVersioning@3.9.50"]
    );
    // The props file itself declares versions, and its global reference (line 12).
    let props = clean(
        Cataloger::DotnetProject,
        "dotnet/nuget-package-explorer/Directory.Packages.props",
    );
    assert!(props.projects.is_empty());
    assert_eq!(purls(&props), ["pkg:nuget/Nerdbank.GitVersioning@3.9.50"]);
    assert_eq!(
        line(&props, "pkg:nuget/Nerdbank.GitVersioning@3.9.50"),
        Some(12)
    );
}

#[test]
fn deps_json_syft_test_library() {
    let c = clean(
        Cataloger::DotnetDeps,
        "dotnet/syft-testlibrary/TestLibrary.deps.json",
    );
    // python3: Counter(v["type"] for v in d["libraries"].values()) → 12 package, 2 project.
    assert_eq!(c.packages.len(), 12);
    assert!(c.packages.iter().all(|p| p.component.hashes.len() == 1));
    // The application is TestLibrary (the file's name); TestCommon is its project reference.
    assert_eq!(c.projects[0].name.as_deref(), Some("TestLibrary"));
    // TestLibrary's 5 package dependencies, plus AWSSDK.Core through TestCommon.
    assert_eq!(c.projects[0].deps.len(), 6);
    assert_eq!(
        sha512(&c, "pkg:nuget/Serilog@2.10.0"),
        "f905f48667f7edad3f3992f1337c0bed5ebf003bc2d578a15cde0aabfa7a77c9423df82445d8ae85b5a531a16347d02fd1dcb9174f8c05e0e60dd45937f63040"
    );
    find(&c, "pkg:nuget/AWSSDK.Core@3.7.10.6");
    assert_eq!(
        find(&c, "pkg:nuget/Microsoft.Extensions.Logging@6.0.0")
            .deps
            .len(),
        5
    );
    assert!(purls(&c).iter().all(|p| !p.contains("TestCommon")));
}

#[test]
fn malformed_json_formats_are_errors() {
    assert_json_truncations_are_errors(
        Cataloger::NugetLock,
        "dotnet/flow-launcher/packages.lock.json",
    );
    assert_json_truncations_are_errors(
        Cataloger::DotnetDeps,
        "dotnet/syft-testlibrary/TestLibrary.deps.json",
    );
}

#[test]
fn malformed_project_files_are_errors() {
    for rel in [
        "dotnet/flow-launcher/Flow.Launcher.Infrastructure.csproj",
        "dotnet/nuget-package-explorer/Core/Core.csproj",
    ] {
        let bytes = common::fixture(rel);
        // Cut inside an element: unclosed XML.
        let half = &bytes[..bytes.len() / 2];
        assert!(
            parse_bytes(Cataloger::DotnetProject, rel, half).is_err(),
            "{rel}"
        );
        truncations(Cataloger::DotnetProject, rel);
        assert!(parse_bytes(Cataloger::DotnetProject, rel, GARBAGE).is_err());
    }
}
