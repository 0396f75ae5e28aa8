//! The sources, their default URLs, and the overrides a company mirror or a test sets.
//!
//! Registries' default hosts are assembled from parts here, in one place: this repository
//! never writes a registry's host name literally (fixtures and docs use
//! `registry.example.invalid`).

use crate::Source;
use std::collections::BTreeMap;

/// `impl Source` for a registry asked one package at a time: `$version` answers
/// [`Source::versions`] and `$package` answers [`Source::packages`], key by key; its
/// licenses are registry evidence ([`SourceKind::Registry`](bomscout_core::SourceKind)).
macro_rules! one_at_a_time {
    ($ty:ty, $name:literal, $ecosystem:expr, $version:ident, $package:ident) => {
        impl $crate::Source for $ty {
            fn name(&self) -> &'static str {
                $name
            }

            fn kind(&self) -> bomscout_core::SourceKind {
                bomscout_core::SourceKind::Registry
            }

            fn supports(&self, ecosystem: bomscout_core::Ecosystem) -> bool {
                ecosystem == $ecosystem
            }

            fn versions(
                &self,
                http: &$crate::Http,
                packages: &[$crate::Coordinates],
            ) -> Vec<Result<$crate::Answer, $crate::SourceError>> {
                packages.iter().map(|c| self.$version(http, c)).collect()
            }

            fn packages(
                &self,
                http: &$crate::Http,
                packages: &[$crate::Coordinates],
            ) -> Option<Vec<Result<$crate::Answer, $crate::SourceError>>> {
                Some(packages.iter().map(|c| self.$package(http, c)).collect())
            }
        }
    };
}

pub mod clearlydefined;
pub mod crates;
mod declared;
pub mod depsdev;
pub mod fields;
pub mod goproxy;
pub mod hex;
pub mod maven;
pub mod npm;
pub mod nuget;
pub mod packagist;
pub mod pubdev;
pub mod pypi;
pub mod repo;
pub mod rubygems;
mod xml;

/// Every source's name, in order of precedence (registries first, then ClearlyDefined, then
/// deps.dev). Each has a `--NAME-url` option and a `BOMSCOUT_NAME_URL` variable.
pub const NAMES: [&str; 12] = [
    "npm",
    "pypi",
    "crates",
    "rubygems",
    "nuget",
    "packagist",
    "pub",
    "hex",
    "maven",
    "goproxy",
    "clearlydefined",
    "depsdev",
];

/// The base URL of each source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Endpoints {
    urls: BTreeMap<&'static str, String>,
}

impl Endpoints {
    /// The public services.
    pub fn defaults() -> Endpoints {
        let https = |parts: &[&str]| format!("https://{}", parts.concat());
        let urls = [
            ("npm", https(&["registry.", "npmjs", ".org"])),
            ("pypi", https(&["pypi", ".org"])),
            ("crates", https(&["crates", ".io"])),
            ("rubygems", https(&["rubygems", ".org"])),
            ("nuget", https(&["api.", "nuget", ".org"])),
            ("packagist", https(&["repo.", "packagist", ".org"])),
            ("pub", https(&["pub", ".dev"])),
            ("hex", https(&["hex", ".pm"])),
            ("maven", https(&["repo1.", "maven", ".org/maven2"])),
            ("goproxy", https(&["proxy.", "golang", ".org"])),
            ("clearlydefined", https(&["api.clearlydefined", ".io"])),
            ("depsdev", https(&["api.deps", ".dev"])),
        ];
        Endpoints {
            urls: urls.into_iter().collect(),
        }
    }

    /// The defaults, overridden by `BOMSCOUT_<NAME>_URL` variables read through `var`, and
    /// for Go by the first http(s) entry of `GOPROXY` (the proxy the Go toolchain itself
    /// would use).
    pub fn from_env(var: impl Fn(&str) -> Option<String>) -> Endpoints {
        let mut endpoints = Endpoints::defaults();
        if let Some(proxy) = var("GOPROXY").and_then(|v| first_http_proxy(&v)) {
            endpoints.urls.insert("goproxy", proxy);
        }
        for name in NAMES {
            if let Some(url) = var(&Endpoints::env_var(name)).filter(|u| !u.trim().is_empty()) {
                endpoints.urls.insert(name, url.trim().to_string());
            }
        }
        endpoints
    }

    /// The variable that overrides a source's URL: `BOMSCOUT_NPM_URL`.
    pub fn env_var(name: &str) -> String {
        format!("BOMSCOUT_{}_URL", name.to_ascii_uppercase())
    }

    /// Points source `name` at `url`. Fails for a name that is not a source.
    pub fn set(&mut self, name: &str, url: &str) -> Result<(), String> {
        let Some(key) = NAMES.iter().find(|n| **n == name) else {
            return Err(format!(
                "unknown enrichment source {name:?}; the sources are {}",
                NAMES.join(", ")
            ));
        };
        self.urls.insert(key, url.trim().to_string());
        Ok(())
    }

    /// The base URL of source `name` (empty for an unknown name).
    pub fn url(&self, name: &str) -> &str {
        self.urls.get(name).map(String::as_str).unwrap_or("")
    }
}

/// The first `http(s)://` entry of a `GOPROXY` list (`https://a,https://b|direct`).
fn first_http_proxy(value: &str) -> Option<String> {
    value
        .split([',', '|'])
        .map(str::trim)
        .find(|p| p.starts_with("https://") || p.starts_with("http://"))
        .map(|p| p.trim_end_matches('/').to_string())
}

/// Every source, built with its URL from `endpoints`, in order of precedence.
pub fn build(endpoints: &Endpoints) -> Vec<Box<dyn Source>> {
    let all: Vec<Box<dyn Source>> = vec![
        Box::new(npm::Npm::new(endpoints.url("npm"))),
        Box::new(pypi::Pypi::new(endpoints.url("pypi"))),
        Box::new(crates::Crates::new(endpoints.url("crates"))),
        Box::new(rubygems::RubyGems::new(endpoints.url("rubygems"))),
        Box::new(nuget::NuGet::new(endpoints.url("nuget"))),
        Box::new(packagist::Packagist::new(endpoints.url("packagist"))),
        Box::new(pubdev::Pub::new(endpoints.url("pub"))),
        Box::new(hex::Hex::new(endpoints.url("hex"))),
        Box::new(maven::Maven::new(endpoints.url("maven"))),
        Box::new(goproxy::GoProxy::new(endpoints.url("goproxy"))),
        Box::new(clearlydefined::ClearlyDefined::new(
            endpoints.url("clearlydefined"),
        )),
        Box::new(depsdev::DepsDev::new(endpoints.url("depsdev"))),
    ];
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_source_has_a_default_https_url() {
        let e = Endpoints::defaults();
        for name in NAMES {
            assert!(e.url(name).starts_with("https://"), "{name}");
        }
    }

    #[test]
    fn variables_override_defaults() {
        let e = Endpoints::from_env(|k| match k {
            "BOMSCOUT_NPM_URL" => Some("http://127.0.0.1:9/npm".into()),
            "GOPROXY" => Some("off,https://goproxy.example.invalid/,direct".into()),
            _ => None,
        });
        assert_eq!(e.url("npm"), "http://127.0.0.1:9/npm");
        assert_eq!(e.url("goproxy"), "https://goproxy.example.invalid");
        assert!(e.url("pypi").starts_with("https://"));
    }

    #[test]
    fn unknown_sources_are_refused() {
        let mut e = Endpoints::defaults();
        assert!(e.set("npm", "http://127.0.0.1:1").is_ok());
        let err = e.set("nmp", "http://x").unwrap_err();
        assert!(err.contains("npm, pypi"), "{err}");
    }
}
