//! .NET, Swift, CocoaPods, Conan, vcpkg and cabal on real files (each fixture's README names
//! its source): exact counts, purls, hashes and scopes, and what truncated or garbage input of
//! each format gives (an error or a diagnostic, never a panic).
//!
//! Every count below was taken from the fixture independently of bomscout, with the Python
//! one-liner (or the reasoning) quoted beside it.

mod common;

use bomscout_catalog::{parse, Input, Options, ParseError};
use bomscout_core::{Catalog, Cataloger, DepKind, HashAlg, SbomBuilder, Scope};
use std::path::PathBuf;

/// Parses a fixture and checks it gave no diagnostics.
fn catalog(cataloger: Cataloger, rel: &str) -> Catalog {
    let c = common::catalog(cataloger, rel);
    assert!(c.diagnostics.is_empty(), "{rel}: {:?}", c.diagnostics);
    c
}

use common::scopes;

fn purls(c: &Catalog) -> Vec<String> {
    c.packages
        .iter()
        .map(|p| p.component.purl.to_string())
        .collect()
}

fn find<'a>(c: &'a Catalog, purl: &str) -> &'a bomscout_core::Package {
    c.packages
        .iter()
        .find(|p| p.component.purl.as_str() == purl)
        .unwrap_or_else(|| panic!("{purl} not in {:?}", purls(c)))
}

fn line(c: &Catalog, purl: &str) -> Option<u32> {
    find(c, purl)
        .component
        .locations
        .iter()
        .next()
        .unwrap()
        .line
}

fn sha512(c: &Catalog, purl: &str) -> String {
    let h = &find(c, purl).component.hashes;
    assert_eq!(h.len(), 1, "{purl}: {h:?}");
    assert_eq!(h[0].alg, HashAlg::Sha512);
    h[0].value.clone()
}

fn project_kinds(c: &Catalog) -> Vec<DepKind> {
    c.projects[0].deps.iter().map(|e| e.kind).collect()
}

// ---------------------------------------------------------------------------------------
// .NET

#[test]
fn nuget_lock_flow_launcher() {
    let c = catalog(
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
    let mut dev: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == Scope::Dev)
        .map(|(p, _)| p.as_str())
        .collect();
    dev.sort();
    assert_eq!(
        dev,
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

fn count_scope(s: &[(String, Scope)], scope: Scope) -> usize {
    s.iter().filter(|(_, sc)| *sc == scope).count()
}

#[test]
fn csproj_flow_launcher_private_assets() {
    let rel = "dotnet/flow-launcher/Flow.Launcher.Infrastructure.csproj";
    let c = catalog(Cataloger::DotnetProject, rel);
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
    let mut dev: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == Scope::Dev)
        .map(|(p, _)| p.as_str())
        .collect();
    dev.sort();
    assert_eq!(
        dev,
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
    let c = catalog(
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
    let dev: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == Scope::Dev)
        .map(|(p, _)| p.as_str())
        .collect();
    assert_eq!(dev, ["pkg:nuget/Nerdbank.GitVersioning@3.9.50"]);
    // The props file itself declares versions, and its global reference (line 12).
    let props = catalog(
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
    let c = catalog(
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

// ---------------------------------------------------------------------------------------
// Swift

#[test]
fn package_resolved_v1_moya() {
    let c = catalog(Cataloger::SwiftResolved, "swift/moya/Package.resolved");
    // python3: len(json.load(f)["object"]["pins"]) → 13, all with a version.
    assert_eq!(c.packages.len(), 13);
    assert_eq!(c.projects[0].deps.len(), 13);
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:swift/github.com/Alamofire/Alamofire@5.4.3"
    );
    // A location without `.git`.
    find(&c, "pkg:swift/github.com/shibapm/Logger@0.2.3");
    find(&c, "pkg:swift/github.com/kareman/SwiftShell@5.1.0-beta.1");
    assert_eq!(line(&c, "pkg:swift/github.com/jpsim/Yams@4.0.6"), Some(114));
}

#[test]
fn package_resolved_v2_isowords() {
    let c = catalog(Cataloger::SwiftResolved, "swift/isowords/Package.resolved");
    // python3: d=json.load(f); d["version"] → 2, len(d["pins"]) → 42, all
    // remoteSourceControl; 39 with a version, 3 pinned to a branch (a short hash) and revision.
    assert_eq!(c.packages.len(), 42);
    assert_eq!(c.projects[0].deps.len(), 42);
    find(&c, "pkg:swift/github.com/vapor/async-kit@1.20.0");
    // A branch pin is versioned by its revision, the branch kept as a property.
    let html = find(
        &c,
        "pkg:swift/github.com/pointfreeco/swift-html@14d01d19e43598167a8f8965af478285835ca010",
    );
    assert_eq!(
        html.component.properties.get("branch").map(String::as_str),
        Some("14d01d1")
    );
}

#[test]
fn package_resolved_v3_home_assistant() {
    let c = catalog(
        Cataloger::SwiftResolved,
        "swift/home-assistant/Package.resolved",
    );
    // python3: d=json.load(f); d["version"] → 3, len(d["pins"]) → 39, all
    // remoteSourceControl; 3 pins have no `version` (one `branch: main`, two revision-only).
    assert_eq!(c.packages.len(), 39);
    find(&c, "pkg:swift/github.com/firebase/firebase-ios-sdk@12.15.0");
    // A trailing `/` on the location.
    find(&c, "pkg:swift/github.com/mxcl/PromiseKit@8.1.1");
    let branch = find(
        &c,
        "pkg:swift/github.com/improv-wifi/sdk-iOS@937732ba42aeebfaf07434bd4e771fb7796e0489",
    );
    assert_eq!(branch.component.properties["branch"], "main");
    let rev_only = find(
        &c,
        "pkg:swift/github.com/bgoncal/starscream@aaaf609d07eb487b2fccbe77f6267cf0843e2b19",
    );
    assert!(rev_only.component.properties.is_empty());
    let versioned = c
        .packages
        .iter()
        .filter(|p| p.component.properties.is_empty())
        .count();
    assert_eq!(versioned, 38);
}

// ---------------------------------------------------------------------------------------
// CocoaPods

#[test]
fn podfile_lock_home_assistant() {
    let c = catalog(
        Cataloger::PodfileLock,
        "cocoapods/home-assistant/Podfile.lock",
    );
    // python3: 63 `  - Name (version)` entries under PODS; by the part before `/` they are
    // 38 pods, and SPEC CHECKSUMS has 38 keys. OHHTTPStubs and SwiftFormat appear only as
    // subspecs (`OHHTTPStubs/Core (9.1.0)`, `SwiftFormat/CLI (0.53.1)`).
    assert_eq!(c.packages.len(), 38);
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.properties.contains_key("podspec-sha1")));
    let gu = find(&c, "pkg:cocoapods/GoogleUtilities@7.11.0");
    assert_eq!(
        gu.component.properties["podspec-sha1"],
        "c2bdc4cf2ce786c4d2e6b3bcfd599a25ca78f06f"
    );
    // Subspecs merge into their pod; the subspec is not in the purl.
    find(&c, "pkg:cocoapods/OHHTTPStubs@9.1.0");
    find(&c, "pkg:cocoapods/SwiftFormat@0.53.1");
    // Pods from git (EXTERNAL SOURCES `:git`) are components like the others.
    find(&c, "pkg:cocoapods/Starscream@4.0.4");
    find(&c, "pkg:cocoapods/GRDB.swift@7.8.0");
    // DEPENDENCIES: 31 lines, 29 pods (HAKit three times).
    assert_eq!(c.projects[0].deps.len(), 29);
    // HAKit → Starscream (HAKit/Core), PromiseKit (HAKit/PromiseKit); HAKit/Mocks → itself.
    assert_eq!(find(&c, "pkg:cocoapods/HAKit@0.4.9").deps.len(), 2);
    // FirebaseMessaging → FirebaseCore, FirebaseInstallations, GoogleDataTransport,
    // GoogleUtilities, nanopb (GoogleUtilities named by four subspecs).
    assert_eq!(
        find(&c, "pkg:cocoapods/FirebaseMessaging@10.5.0")
            .deps
            .len(),
        5
    );
    assert_eq!(line(&c, "pkg:cocoapods/Alamofire@5.8.1"), Some(2));
    let s = scopes(c);
    assert_eq!(s.len(), 38);
    assert!(s.iter().all(|(_, sc)| *sc == Scope::Required));
}

/// Flutter plugins are `:path` pods under `.symlinks/plugins/`: third-party pub packages
/// that ship in the app. They are the components the app's pubspec.lock locks (so the two
/// files give one component each), never left out as if first-party; `Flutter` and
/// `FlutterMacOS` (the app's own tree) are.
#[test]
fn podfile_lock_flutter_plugins_are_their_pub_packages() {
    for (lock, plugins) in [
        (
            "cocoapods/flutter-gallery/ios/Podfile.lock",
            [
                "pkg:pub/path_provider_foundation@2.3.1",
                "pkg:pub/url_launcher_ios@6.2.0",
            ],
        ),
        (
            "cocoapods/flutter-gallery/macos/Podfile.lock",
            [
                "pkg:pub/path_provider_foundation@2.3.1",
                "pkg:pub/url_launcher_macos@3.1.0",
            ],
        ),
    ] {
        let c = catalog(Cataloger::PodfileLock, lock);
        assert_eq!(purls(&c), plugins, "{lock}");
        assert_eq!(project_kinds(&c), [DepKind::Normal; 2], "{lock}: direct");
        // The same component as the pubspec.lock cataloger's.
        let pubspec = catalog(
            Cataloger::PubspecLock,
            "cocoapods/flutter-gallery/pubspec.lock",
        );
        for p in plugins {
            find(&pubspec, p);
        }
    }
}

/// Without the app's pubspec.lock (a Podfile.lock scanned on its own), a plugin is still
/// reported, as the pod, marked with its package.
#[test]
fn podfile_lock_flutter_plugins_without_pubspec_lock_are_pods() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/cocoapods/flutter-gallery/ios/Podfile.lock");
    let bytes = std::fs::read(fixture).unwrap();
    std::fs::create_dir(dir.path().join("ios")).unwrap();
    let abs = dir.path().join("ios/Podfile.lock");
    std::fs::write(&abs, &bytes).unwrap();
    let options = Options::default();
    let input = Input {
        bytes: &bytes,
        path: "ios/Podfile.lock",
        abs: &abs,
        root: std::path::Path::new("/"),
        options: &options,
    };
    let c = parse(Cataloger::PodfileLock, &input).unwrap();
    assert_eq!(
        purls(&c),
        [
            "pkg:cocoapods/path_provider_foundation@0.0.1",
            "pkg:cocoapods/url_launcher_ios@0.0.1"
        ]
    );
    assert_eq!(
        c.packages[1].component.properties["flutter-plugin"],
        "url_launcher_ios"
    );
    // A pubspec.lock that is not YAML is a warning naming it; the pods are still there.
    std::fs::write(dir.path().join("pubspec.lock"), "packages: [\n").unwrap();
    let c = parse(Cataloger::PodfileLock, &input).unwrap();
    assert_eq!(c.packages.len(), 2);
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    assert!(c.diagnostics[0]
        .message
        .starts_with("pubspec.lock: invalid YAML"));
}

// ---------------------------------------------------------------------------------------
// Conan

#[test]
fn conan_lock_v2_plotjuggler() {
    let c = catalog(Cataloger::ConanLock, "conan/plotjuggler/conan.lock");
    // python3: 44 `requires` + 19 `build_requires` = 63 references, 62 distinct:
    // libiconv/1.17#9923bc6d… is in both lists. pkgconf and nasm are there in 3 versions each.
    assert_eq!(c.packages.len(), 62);
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:conan/zstd@1.5.5?rrev=a4398ab5244b10fb081eeac217b5ef9f"
    );
    find(
        &c,
        "pkg:conan/vaapi@system?rrev=cdcdbc227b2ffe0c7659b6ceef30ee3a",
    );
    find(
        &c,
        "pkg:conan/rapidjson@cci.20230929?rrev=8dc0392af2b3aaea7312095f0ba53467",
    );
    find(
        &c,
        "pkg:conan/cmake@4.4.2?rrev=8a0d360635c870b1d5c675489ee25074",
    );
    let nasm = purls(&c)
        .into_iter()
        .filter(|p| p.starts_with("pkg:conan/nasm@"))
        .count();
    assert_eq!(nasm, 3);
    // 44 Normal edges and 19 Build edges (libiconv has one of each).
    let kinds = project_kinds(&c);
    assert_eq!(kinds.iter().filter(|k| **k == DepKind::Normal).count(), 44);
    assert_eq!(kinds.iter().filter(|k| **k == DepKind::Build).count(), 19);
    assert_eq!(
        line(
            &c,
            "pkg:conan/libiconv@1.17?rrev=9923bc6dc6f106646d6967e0039a5ada"
        ),
        Some(28)
    );
    let s = scopes(c);
    assert_eq!(s.len(), 62);
    // python3: set(build_requires) - set(requires) = 18 build tools (cmake, autoconf, bison,
    // m4, ...), only needed to build; libiconv is in both lists, so it ships: required.
    let build: Vec<&str> = s
        .iter()
        .filter(|(_, sc)| *sc == Scope::Build)
        .map(|(p, _)| p.split('?').next().unwrap_or(p))
        .collect();
    assert_eq!(build.len(), 18, "{build:?}");
    for tool in ["cmake@4.4.2", "autoconf@2.71", "bison@3.8.2", "m4@1.4.19"] {
        assert!(
            build.contains(&format!("pkg:conan/{tool}").as_str()),
            "{tool}"
        );
    }
    assert_eq!(
        s.iter().filter(|(_, sc)| *sc == Scope::Required).count(),
        44
    );
}

// ---------------------------------------------------------------------------------------
// vcpkg

#[test]
fn vcpkg_json_cemu() {
    let c = catalog(Cataloger::Vcpkg, "vcpkg/cemu/vcpkg.json");
    assert_eq!(c.projects[0].name.as_deref(), Some("cemu"));
    assert_eq!(c.projects[0].version.as_deref(), Some("1.0"));
    // python3: 30 `dependencies` entries naming 29 ports ("zstd" twice); 3 `overrides`.
    assert_eq!(c.packages.len(), 29);
    assert_eq!(c.projects[0].deps.len(), 29);
    // Pinned by an override: a version.
    for p in [
        "pkg:generic/vcpkg/glslang@15.1.0",
        "pkg:generic/vcpkg/sdl3@3.4.10",
        "pkg:generic/vcpkg/wxwidgets@3.3.3",
    ] {
        assert!(find(&c, p).component.requirement.is_none());
    }
    // `version>=` only, or nothing: an unresolved declaration.
    assert_eq!(
        find(&c, "pkg:generic/vcpkg/fmt")
            .component
            .requirement
            .as_deref(),
        Some(">=12.1.0")
    );
    assert_eq!(
        find(&c, "pkg:generic/vcpkg/zstd")
            .component
            .requirement
            .as_deref(),
        Some("(baseline)")
    );
    let resolved = c
        .packages
        .iter()
        .filter(|p| p.component.version.is_some())
        .count();
    assert_eq!(resolved, 3);
    assert!(c
        .packages
        .iter()
        .all(|p| p.component.properties["vcpkg-baseline"]
            == "f0fb3ddba5135b80982668de39dbaa139c00d281"));
    assert!(project_kinds(&c).iter().all(|k| *k == DepKind::Normal));
    let mut b = SbomBuilder::new("t");
    b.add(c);
    assert_eq!(b.finish().components.len(), 29);
}

// ---------------------------------------------------------------------------------------
// Haskell

#[test]
fn cabal_freeze_pandoc_plot() {
    let c = catalog(
        Cataloger::CabalFreeze,
        "haskell/pandoc-plot/cabal.project.freeze",
    );
    // python3: len(re.findall(r"any\.([A-Za-z0-9-]+) ==([0-9.]+)", text)) → 228; the 66
    // flag lines (`aeson -cffi +ordered-keymap`) are not packages.
    assert_eq!(c.packages.len(), 228);
    assert_eq!(
        c.packages[0].component.purl.as_str(),
        "pkg:hackage/Cabal@3.4.0.0"
    );
    assert_eq!(line(&c, "pkg:hackage/pandoc@2.17"), Some(186));
    // A one-component version.
    assert_eq!(line(&c, "pkg:hackage/type-equality@1"), Some(261));
    // The last constraint, on the line before `index-state:`.
    assert_eq!(
        c.packages[227].component.purl.as_str(),
        "pkg:hackage/zlib@0.6.2.3"
    );
    find(&c, "pkg:hackage/aeson@2.0.3.0");
    let s = scopes(c);
    assert_eq!(s.len(), 228);
}

// ---------------------------------------------------------------------------------------
// Malformed input: truncated or garbage bytes give an error or a diagnostic, never a panic.

fn parse_bytes(cataloger: Cataloger, rel: &str, bytes: &[u8]) -> Result<Catalog, ParseError> {
    let abs = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    let options = Options {
        read_caches: false,
        ..Options::default()
    };
    let input = Input {
        bytes,
        path: rel,
        abs: &abs,
        root: std::path::Path::new("/"),
        options: &options,
    };
    parse(cataloger, &input)
}

fn fixture(rel: &str) -> Vec<u8> {
    let abs = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(rel);
    std::fs::read(abs).unwrap()
}

/// Every diagnostic names the file.
fn diagnostics_name(c: &Catalog, rel: &str) {
    assert!(
        c.diagnostics.iter().all(|d| d.path == rel),
        "{rel}: {:?}",
        c.diagnostics
    );
}

/// Truncates the fixture at many points (none of which may panic) and returns how many
/// of them were errors.
fn truncations(cataloger: Cataloger, rel: &str) -> usize {
    let bytes = fixture(rel);
    let mut errors = 0;
    let step = (bytes.len() / 150).max(1);
    for cut in (0..bytes.len()).step_by(step) {
        match parse_bytes(cataloger, rel, &bytes[..cut]) {
            Ok(c) => diagnostics_name(&c, rel),
            Err(_) => errors += 1,
        }
    }
    errors
}

/// Garbage: not UTF-8, and not the format.
const GARBAGE: &[u8] = b"\xff\xfe\x00PK\x03\x04\x80\x81 {{ ]] :: not this format";

#[test]
fn malformed_json_formats_are_errors() {
    for (cataloger, rel) in [
        (
            Cataloger::NugetLock,
            "dotnet/flow-launcher/packages.lock.json",
        ),
        (
            Cataloger::DotnetDeps,
            "dotnet/syft-testlibrary/TestLibrary.deps.json",
        ),
        (Cataloger::SwiftResolved, "swift/moya/Package.resolved"),
        (
            Cataloger::SwiftResolved,
            "swift/home-assistant/Package.resolved",
        ),
        (Cataloger::ConanLock, "conan/plotjuggler/conan.lock"),
        (Cataloger::Vcpkg, "vcpkg/cemu/vcpkg.json"),
    ] {
        let bytes = fixture(rel);
        // Cut in the middle: invalid JSON, with the line of the end of input.
        let half = &bytes[..bytes.len() / 2];
        let err = parse_bytes(cataloger, rel, half).expect_err(rel);
        assert!(err.line().is_some(), "{rel}: {err}");
        // Every cut short of the whole file is an error (JSON cannot end early).
        let cuts = (0..bytes.len()).step_by((bytes.len() / 150).max(1)).count();
        assert_eq!(truncations(cataloger, rel), cuts, "{rel}");
        assert!(parse_bytes(cataloger, rel, GARBAGE).is_err(), "{rel}");
    }
}

#[test]
fn malformed_project_files_are_errors() {
    for rel in [
        "dotnet/flow-launcher/Flow.Launcher.Infrastructure.csproj",
        "dotnet/nuget-package-explorer/Core/Core.csproj",
    ] {
        let bytes = fixture(rel);
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

#[test]
fn malformed_podfile_lock() {
    let rel = "cocoapods/home-assistant/Podfile.lock";
    truncations(Cataloger::PodfileLock, rel);
    assert!(parse_bytes(Cataloger::PodfileLock, rel, GARBAGE).is_err());
    // Valid YAML, but not a Podfile.lock.
    assert!(parse_bytes(Cataloger::PodfileLock, rel, b"COCOAPODS: 1.15.2\n").is_err());
    // A PODS entry cut before its version: a diagnostic naming the file.
    let bytes = fixture(rel);
    let text = std::str::from_utf8(&bytes).unwrap();
    let cut = text.find("  - Alamofire (5.8.1)").unwrap() + "  - Alamofire".len();
    let c = parse_bytes(Cataloger::PodfileLock, rel, &bytes[..cut]).unwrap();
    assert_eq!(c.diagnostics.len(), 1, "{:?}", c.diagnostics);
    diagnostics_name(&c, rel);
    assert!(c.packages.is_empty());
}

#[test]
fn malformed_cabal_freeze() {
    let rel = "haskell/pandoc-plot/cabal.project.freeze";
    // A line-oriented format: a cut file still parses (the pins before the cut).
    assert_eq!(truncations(Cataloger::CabalFreeze, rel), 0);
    let bytes = fixture(rel);
    let text = std::str::from_utf8(&bytes).unwrap();
    let cut = text.find("any.pandoc ==").unwrap();
    let c = parse_bytes(Cataloger::CabalFreeze, rel, &bytes[..cut]).unwrap();
    assert!(c.packages.len() < 228);
    assert!(c.packages.iter().all(|p| p.component.name != "pandoc"));
    assert!(parse_bytes(Cataloger::CabalFreeze, rel, GARBAGE).is_err());
}

// Installed trees and the remaining formats, from real files.

#[test]
fn installed_gemspecs_from_ruby_3_1() {
    // Ruby 3.1's bundled gems, as RubyGems installed them (Debian's libruby3.1).
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/ruby/installed/specifications");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names.len(), 15);
    let mut licenses = Vec::new();
    for n in &names {
        let c = catalog(
            Cataloger::GemInstalled,
            &format!("ruby/installed/specifications/{n}"),
        );
        assert_eq!(c.packages.len(), 1, "{n}");
        let comp = &c.packages[0].component;
        let stem = n.strip_suffix(".gemspec").unwrap();
        let (name, version) = stem.rsplit_once('-').unwrap();
        assert_eq!(comp.purl.as_str(), format!("pkg:gem/{name}@{version}"));
        let raw: Vec<&str> = comp.licenses.iter().map(|l| l.raw.as_str()).collect();
        licenses.push(format!("{name}: {}", raw.join(" + ")));
    }
    // `s.licenses = ["Ruby".freeze, "BSD-2-Clause".freeze]`: every entry kept, in order.
    assert!(licenses.contains(&"rake: MIT".to_string()), "{licenses:?}");
    assert!(
        licenses.contains(&"debug: Ruby + BSD-2-Clause".to_string()),
        "{licenses:?}"
    );
    assert!(
        licenses.contains(&"rbs: BSD-2-Clause + Ruby".to_string()),
        "{licenses:?}"
    );
}

#[test]
fn composer_installed_json_v1_udoit() {
    // Composer 1's installed.json (a bare array) from cidilabs/UDOIT.
    let c = catalog(
        Cataloger::ComposerInstalled,
        "php/udoit/vendor/composer/installed.json",
    );
    // python3: len(json.load(f)) == 46
    assert_eq!(c.packages.len(), 46);
    let p = find(&c, "pkg:composer/doctrine/instantiator@1.0.5");
    assert_eq!(p.component.licenses[0].raw, "MIT");
    // EastDesire/jscolor declares no license: none is invented.
    assert!(find(&c, "pkg:composer/eastdesire/jscolor@1.4.2")
        .component
        .licenses
        .is_empty());
}

#[test]
fn go_vendor_modules_txt_brutella_hc() {
    let c = catalog(Cataloger::GoVendor, "golang/hc-vendor/vendor/modules.txt");
    // grep -c '^# ' : 8 modules.
    assert_eq!(c.packages.len(), 8);
    find(&c, "pkg:golang/github.com/brutella/dnssd@v1.1.0");
    find(
        &c,
        "pkg:golang/golang.org/x/crypto@v0.0.0-20181203042331-505ab145d0a9",
    );
}

#[test]
fn gradle_version_catalog_nowinandroid() {
    let c = catalog(
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
