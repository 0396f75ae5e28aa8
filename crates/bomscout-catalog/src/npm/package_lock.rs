//! `package-lock.json` and `npm-shrinkwrap.json`, lockfile versions 1, 2 and 3.
//!
//! Supported:
//! - v2/v3 `packages`: the `""` entry is the root [`Project`]; `node_modules/…` entries are
//!   packages, named by the path after the last `node_modules/` unless the entry has a `name`
//!   (an `npm:` alias: the component is the real package, with property `alias`); other keys
//!   (`packages/a`) are workspace members, each a [`Project`] in its directory; `link: true`
//!   entries point at those members, so edges go to the member project, never to a
//!   third-party component.
//! - v1 `dependencies`: the nested tree (`requires`, `dependencies`, `dev`, `optional`,
//!   `bundled`, `npm:` versions), flattened to the same `node_modules/…` paths. v1 does not
//!   list the root's own dependencies, so they are read from the `package.json` beside the
//!   lock (through `Input::abs`, the one file this parser reads besides its input); without
//!   it, packages nothing else requires are taken as direct.
//! - Edges resolve a dependency name the way Node does: the package's own `node_modules`,
//!   then each enclosing one up to the root. Kinds: `dependencies` Normal,
//!   `optionalDependencies` Optional, `peerDependencies` Peer (Optional when
//!   `peerDependenciesMeta` says so), and for the root and workspace members
//!   `devDependencies` Dev. A missing optional or peer target is skipped quietly (e.g. a
//!   platform package not installed); a missing required one is a warning.
//! - `version`, `resolved` (property, and the purl qualifier for git / non-registry URLs),
//!   `integrity` (hashes), `license`, and the `dev` / `optional` / `devOptional` flags as the
//!   scope hint (in v1, no higher than the hint of the package it is nested in); `inBundle` / `bundled` become property `bundled`, `peer` property `peer`.
//!
//! Nesting beyond [`MAX_DEPTH`] levels in a v1 tree is a warning, never a stack overflow.

//!
//! The file is read in one pass into borrowed, typed [`Fields`] (strings point into the
//! input unless they hold escapes; fields not used are skipped, within serde_json's nesting
//! limit). A file of any other shape (a field of an unexpected type, a key written twice)
//! is read again into a `serde_json::Value` and taken from there, which gives the same
//! result and every diagnostic as before; `fields_agree_with_the_value_reader` checks that
//! both readers agree.

use super::{component, integrity_hash_iter, split_name};
use crate::borrowed_json::{sort_last_wins, Keys, Skip, Str};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::{Catalog, DepKind, Diagnostic, Ecosystem, License, NodeRef, Project, Scope};
use foldhash::{HashMap, HashMapExt};
use serde::de::{self, Deserialize, Deserializer, MapAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// How deep a v1 `dependencies` tree may nest.
pub const MAX_DEPTH: usize = 256;

/// What the parser uses of one object of the lockfile (the top level, a `packages` entry
/// or a v1 `dependencies` entry), borrowed from the input where it can be.
#[derive(Debug, Default, PartialEq)]
struct Fields<'a> {
    name: Option<Cow<'a, str>>,
    version: Option<Cow<'a, str>>,
    resolved: Option<Cow<'a, str>>,
    integrity: Option<Cow<'a, str>>,
    /// Declared licenses, in the order [`super::licenses`] gives them.
    licenses: Vec<(Cow<'a, str>, LicenseAt)>,
    /// `dependencies`, when it is an object: in v2/v3 `name → range` (`None`), in v1
    /// `name → entry`; in key order, each key once.
    dependencies: Option<Vec<(Cow<'a, str>, Option<Fields<'a>>)>>,
    optional_dependencies: Vec<Cow<'a, str>>,
    peer_dependencies: Vec<Cow<'a, str>>,
    /// The names `peerDependenciesMeta` marks `optional: true`, sorted.
    optional_peers: Vec<Cow<'a, str>>,
    dev_dependencies: Vec<Cow<'a, str>>,
    requires: Vec<Cow<'a, str>>,
    dev: bool,
    optional: bool,
    dev_optional: bool,
    link: bool,
    in_bundle: bool,
    bundled: bool,
    peer: bool,
    /// `packages` (top level only): entries that are objects, in key order.
    packages: Option<Vec<(Cow<'a, str>, Fields<'a>)>>,
}

/// The field a declared license was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum LicenseAt {
    License,
    LicenseType,
    Licenses(usize),
    LicensesType(usize),
}

impl LicenseAt {
    fn declared(self, raw: &str, input: &Input) -> License {
        match self {
            LicenseAt::License => input.license(raw, "license"),
            LicenseAt::LicenseType => input.license(raw, "license.type"),
            LicenseAt::Licenses(i) => input.license(raw, &format!("licenses[{i}]")),
            LicenseAt::LicensesType(i) => input.license(raw, &format!("licenses[{i}].type")),
        }
    }
}

impl<'a> Fields<'a> {
    fn licenses(&self, input: &Input) -> Vec<License> {
        self.licenses
            .iter()
            .map(|(raw, at)| at.declared(raw, input))
            .collect()
    }

    /// The scope npm's flags give an entry: `dev`, `optional` / `devOptional`, else required.
    fn hint(&self) -> Scope {
        if self.dev {
            Scope::Dev
        } else if self.optional || self.dev_optional {
            Scope::Optional
        } else {
            Scope::Required
        }
    }

    /// The same fields taken from a `Value` object: the reader for every shape the typed
    /// one refuses. Fields of another type than npm writes count as absent.
    fn from_map(m: &'a Map<String, Value>, top: bool) -> Fields<'a> {
        let text = |k: &str| m.get(k).and_then(Value::as_str).map(Cow::Borrowed);
        let flag = |k: &str| m.get(k).and_then(Value::as_bool).unwrap_or(false);
        let keys = |k: &str| -> Vec<Cow<'a, str>> {
            m.get(k)
                .and_then(Value::as_object)
                .map(|o| o.keys().map(|k| Cow::Borrowed(k.as_str())).collect())
                .unwrap_or_default()
        };
        let packages = top
            .then(|| m.get("packages").and_then(Value::as_object))
            .flatten()
            .map(|o| {
                o.iter()
                    .filter_map(|(k, v)| {
                        Some((
                            Cow::Borrowed(k.as_str()),
                            Fields::from_map(v.as_object()?, false),
                        ))
                    })
                    .collect()
            });
        // With `packages`, the top-level v1 tree (lockfile v2 writes both) is not read.
        let dependencies = match packages {
            Some(_) => None,
            None => m.get("dependencies").and_then(Value::as_object).map(|o| {
                o.iter()
                    .map(|(k, v)| {
                        let nested = v.as_object().map(|o| Fields::from_map(o, false));
                        (Cow::Borrowed(k.as_str()), nested)
                    })
                    .collect()
            }),
        };
        let optional_peers = m
            .get("peerDependenciesMeta")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter(|(_, meta)| meta.get("optional").and_then(Value::as_bool) == Some(true))
            .map(|(k, _)| Cow::Borrowed(k.as_str()))
            .collect();
        let mut licenses = Vec::new();
        match m.get("license") {
            Some(Value::String(s)) if !s.trim().is_empty() => {
                licenses.push((Cow::Borrowed(s.as_str()), LicenseAt::License));
            }
            Some(Value::Object(o)) => {
                if let Some(Value::String(s)) = o.get("type") {
                    licenses.push((Cow::Borrowed(s.as_str()), LicenseAt::LicenseType));
                }
            }
            _ => {}
        }
        if let Some(Value::Array(items)) = m.get("licenses") {
            for (i, item) in items.iter().enumerate() {
                match item {
                    Value::String(s) => {
                        licenses.push((Cow::Borrowed(s.as_str()), LicenseAt::Licenses(i)))
                    }
                    Value::Object(o) => {
                        if let Some(Value::String(s)) = o.get("type") {
                            licenses.push((Cow::Borrowed(s.as_str()), LicenseAt::LicensesType(i)));
                        }
                    }
                    _ => {}
                }
            }
        }
        Fields {
            name: text("name"),
            version: text("version"),
            resolved: text("resolved"),
            integrity: text("integrity"),
            licenses,
            dependencies,
            optional_dependencies: keys("optionalDependencies"),
            peer_dependencies: keys("peerDependencies"),
            optional_peers,
            dev_dependencies: keys("devDependencies"),
            // The top level's `requires` is a flag (`true`), not the v1 root's edges.
            requires: if top { Vec::new() } else { keys("requires") },
            dev: flag("dev"),
            optional: flag("optional"),
            dev_optional: flag("devOptional"),
            link: flag("link"),
            in_bundle: flag("inBundle"),
            bundled: flag("bundled"),
            peer: flag("peer"),
            packages,
        }
    }
}

/// Reads the whole lockfile into [`Fields`] in one pass; `Err` for any shape but the one
/// npm writes (the caller then reads it into a `Value`).
fn read_fields(bytes: &[u8]) -> Result<Fields<'_>, serde_json::Error> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let fields = de.deserialize_map(FieldsVisitor { top: true })?;
    de.end()?;
    Ok(fields)
}

struct FieldsVisitor {
    top: bool,
}

/// Stores a field's value; a field written twice is refused (the `Value` reader keeps the
/// last one, and decides).
fn once<T, E: de::Error>(slot: &mut Option<T>, value: T, key: &str) -> Result<(), E> {
    if slot.is_some() {
        return Err(E::custom(format_args!("`{key}` written twice")));
    }
    *slot = Some(value);
    Ok(())
}

impl<'de> Visitor<'de> for FieldsVisitor {
    type Value = Fields<'de>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Fields<'de>, A::Error> {
        let mut f = Fields::default();
        let (mut name, mut version, mut resolved, mut integrity) = (None, None, None, None);
        let (mut license, mut licenses) = (None, None);
        let (mut optional_deps, mut peer_deps, mut meta, mut dev_deps, mut requires) =
            (None, None, None, None, None);
        let mut flags: [Option<bool>; 7] = [None; 7];
        let mut dependencies_seen = false;
        while let Some(Str(key)) = map.next_key()? {
            let flag = match key.as_ref() {
                "dev" => Some(0),
                "optional" => Some(1),
                "devOptional" => Some(2),
                "link" => Some(3),
                "inBundle" => Some(4),
                "bundled" => Some(5),
                "peer" => Some(6),
                _ => None,
            };
            if let Some(i) = flag {
                let value = map.next_value::<bool>()?;
                if let Some(slot) = flags.get_mut(i) {
                    once(slot, value, &key)?;
                }
                continue;
            }
            match key.as_ref() {
                "name" => once(&mut name, map.next_value::<Str>()?.0, &key)?,
                "version" => once(&mut version, map.next_value::<Str>()?.0, &key)?,
                "resolved" => once(&mut resolved, map.next_value::<Str>()?.0, &key)?,
                "integrity" => once(&mut integrity, map.next_value::<Str>()?.0, &key)?,
                "license" => once(&mut license, map.next_value::<LicenseValue>()?, &key)?,
                "licenses" => once(&mut licenses, map.next_value::<Vec<LicenseValue>>()?, &key)?,
                "optionalDependencies" => {
                    once(&mut optional_deps, map.next_value::<Keys>()?.0, &key)?
                }
                "peerDependencies" => once(&mut peer_deps, map.next_value::<Keys>()?.0, &key)?,
                "peerDependenciesMeta" => {
                    once(&mut meta, map.next_value::<OptionalPeers>()?.0, &key)?
                }
                "devDependencies" => once(&mut dev_deps, map.next_value::<Keys>()?.0, &key)?,
                "requires" if !self.top => once(&mut requires, map.next_value::<Keys>()?.0, &key)?,
                "packages" if self.top => {
                    once(&mut f.packages, map.next_value::<Packages>()?.0, &key)?
                }
                "dependencies" => {
                    if dependencies_seen {
                        return Err(de::Error::custom("`dependencies` written twice"));
                    }
                    dependencies_seen = true;
                    if self.top && f.packages.is_some() {
                        // Lockfile v2's copy of the tree for npm 6; `packages` is read.
                        map.next_value::<Skip>()?;
                    } else {
                        f.dependencies = Some(map.next_value::<DepMap>()?.0);
                    }
                }
                _ => {
                    map.next_value::<Skip>()?;
                }
            }
        }
        if self.top && f.packages.is_some() {
            f.dependencies = None;
        }
        let [dev, optional, dev_optional, link, in_bundle, bundled, peer] =
            flags.map(|f| f.unwrap_or(false));
        f.name = name;
        f.version = version;
        f.resolved = resolved;
        f.integrity = integrity;
        match license {
            Some(LicenseValue::Text(s)) if !s.trim().is_empty() => {
                f.licenses.push((s, LicenseAt::License));
            }
            Some(LicenseValue::Typed(Some(s))) => f.licenses.push((s, LicenseAt::LicenseType)),
            _ => {}
        }
        for (i, l) in licenses.into_iter().flatten().enumerate() {
            match l {
                LicenseValue::Text(s) => f.licenses.push((s, LicenseAt::Licenses(i))),
                LicenseValue::Typed(Some(s)) => f.licenses.push((s, LicenseAt::LicensesType(i))),
                LicenseValue::Typed(None) => {}
            }
        }
        f.optional_dependencies = optional_deps.unwrap_or_default();
        f.peer_dependencies = peer_deps.unwrap_or_default();
        f.optional_peers = meta.unwrap_or_default();
        f.dev_dependencies = dev_deps.unwrap_or_default();
        f.requires = requires.unwrap_or_default();
        (f.dev, f.optional, f.dev_optional, f.link) = (dev, optional, dev_optional, link);
        (f.in_bundle, f.bundled, f.peer) = (in_bundle, bundled, peer);
        Ok(f)
    }
}

/// A `license` value or an item of `licenses`: a string, or an object with a `type`.
enum LicenseValue<'a> {
    Text(Cow<'a, str>),
    Typed(Option<Cow<'a, str>>),
}

impl<'de> Deserialize<'de> for LicenseValue<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = LicenseValue<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(LicenseValue::Text(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(LicenseValue::Text(Cow::Owned(v.to_owned())))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut kind = None;
                while let Some(Str(key)) = map.next_key()? {
                    if key == "type" {
                        once(&mut kind, map.next_value::<Str>()?.0, &key)?;
                    } else {
                        map.next_value::<Skip>()?;
                    }
                }
                Ok(LicenseValue::Typed(kind))
            }
        }
        d.deserialize_any(V)
    }
}

/// `packages`: every value an object.
struct Packages<'a>(Vec<(Cow<'a, str>, Fields<'a>)>);

impl<'de> Deserialize<'de> for Packages<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Packages<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object of objects")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(Str(key)) = map.next_key()? {
                    out.push((key, map.next_value::<Entry>()?.0));
                }
                sort_last_wins(&mut out);
                Ok(Packages(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// One `packages` or v1 `dependencies` entry: an object.
struct Entry<'a>(Fields<'a>);

impl<'de> Deserialize<'de> for Entry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_map(FieldsVisitor { top: false }).map(Entry)
    }
}

/// `dependencies`: `name → range` strings (v2/v3) or `name → entry` objects (v1).
struct DepMap<'a>(Vec<(Cow<'a, str>, Option<Fields<'a>>)>);

impl<'de> Deserialize<'de> for DepMap<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = DepMap<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(Str(key)) = map.next_key()? {
                    out.push((key, map.next_value::<RangeOrEntry>()?.0));
                }
                sort_last_wins(&mut out);
                Ok(DepMap(out))
            }
        }
        d.deserialize_map(V)
    }
}

/// A value of `dependencies`: a range string (`None`) or a v1 entry.
struct RangeOrEntry<'a>(Option<Fields<'a>>);

impl<'de> Deserialize<'de> for RangeOrEntry<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = RangeOrEntry<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string or an object")
            }
            fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> {
                Ok(RangeOrEntry(None))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                FieldsVisitor { top: false }
                    .visit_map(map)
                    .map(|f| RangeOrEntry(Some(f)))
            }
        }
        d.deserialize_any(V)
    }
}

/// `peerDependenciesMeta`: the names marked `optional: true`, sorted.
struct OptionalPeers<'a>(Vec<Cow<'a, str>>);

impl<'de> Deserialize<'de> for OptionalPeers<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Meta(Option<bool>);
        impl<'de> Deserialize<'de> for Meta {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                struct V;
                impl<'de> Visitor<'de> for V {
                    type Value = Meta;
                    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                        f.write_str("an object")
                    }
                    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Meta, A::Error> {
                        let mut optional = None;
                        while let Some(Str(key)) = map.next_key()? {
                            if key == "optional" {
                                once(&mut optional, map.next_value::<bool>()?, &key)?;
                            } else {
                                map.next_value::<Skip>()?;
                            }
                        }
                        Ok(Meta(optional))
                    }
                }
                d.deserialize_map(V)
            }
        }
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OptionalPeers<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut all = Vec::new();
                while let Some(Str(key)) = map.next_key()? {
                    let Meta(optional) = map.next_value()?;
                    all.push((key, optional == Some(true)));
                }
                let count = all.len();
                sort_last_wins(&mut all);
                if all.len() != count {
                    return Err(de::Error::custom("a name written twice"));
                }
                Ok(OptionalPeers(
                    all.into_iter()
                        .filter(|(_, o)| *o)
                        .map(|(k, _)| k)
                        .collect(),
                ))
            }
        }
        d.deserialize_map(V)
    }
}

/// One lock entry, the same for every lockfile version.
struct Node<'f> {
    /// `node_modules/a/node_modules/b`, or a workspace path, or `""` for the root.
    key: Cow<'f, str>,
    fields: &'f Fields<'f>,
    /// The real package name (from `name`, or an `npm:` alias in v1, or the key).
    name: Cow<'f, str>,
    version: Option<Cow<'f, str>>,
    /// The alias the package is installed under, if not its own name.
    alias: Option<Cow<'f, str>>,
    deps: Vec<(Cow<'f, str>, DepKind)>,
    /// The highest scope the entry can have: a v1 entry nested in a package's
    /// `dependencies` is in that package's `node_modules`, reachable from it alone, so it is
    /// no more than its parent (dev under a dev package, even where a lock written before
    /// `requires` existed gives no edge to it). `Required` for v2/v3 entries.
    cap: Scope,
}

/// Parses one lockfile.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    match read_fields(input.bytes) {
        Ok(root) => Ok(catalog(&root, input)),
        Err(_) => parse_value(input),
    }
}

/// The general reader: the whole file into a `Value`, then the same [`Fields`].
fn parse_value(input: &Input) -> Result<Catalog, ParseError> {
    let doc: Value = serde_json::from_slice(input.bytes)?;
    let root = doc
        .as_object()
        .ok_or_else(|| ParseError::format("a lockfile must be a JSON object"))?;
    match (root.get("packages"), root.get("dependencies")) {
        (Some(Value::Object(_)), _) | (None, Some(Value::Object(_)) | None) => {}
        (Some(_), _) => return Err(not_an_object(input.bytes, "packages", "install paths")),
        (None, Some(_)) => return Err(not_an_object(input.bytes, "dependencies", "package names")),
    }
    Ok(catalog(&Fields::from_map(root, true), input))
}

fn catalog(root: &Fields, input: &Input) -> Catalog {
    let mut cat = Catalog::default();
    let entries = match (&root.packages, &root.dependencies) {
        (Some(packages), _) => v2_entries(packages),
        (None, Some(deps)) => v1_entries(root, deps, input, &mut cat.diagnostics),
        (None, None) => Vec::new(),
    };
    build(&mut cat, &entries, root, input);
    cat
}

/// `key` holds something other than an object: the error names the key's line (its first
/// occurrence, the top-level key in a lockfile npm wrote) and how to get a good lockfile.
fn not_an_object(bytes: &[u8], key: &str, keyed_by: &str) -> ParseError {
    let quoted = format!("\"{key}\"");
    let line = bytes
        .windows(quoted.len())
        .position(|w| w == quoted.as_bytes())
        .map(|at| crate::text::line_of_bytes(bytes, at));
    ParseError::Format {
        line,
        message: format!(
            "`{key}` must be an object keyed by {keyed_by}; the lockfile was edited or \
             written by another tool: regenerate it with `npm install --package-lock-only`"
        ),
    }
}

/// v2/v3: one entry per `packages` key.
fn v2_entries<'f>(packages: &'f [(Cow<'f, str>, Fields<'f>)]) -> Vec<Node<'f>> {
    packages
        .iter()
        .map(|(key, f)| {
            let key: &str = key;
            let installed_as = installed_name(key);
            let name = f.name.as_deref().unwrap_or(installed_as);
            let in_node_modules = key.contains("node_modules/");
            let alias =
                (in_node_modules && name != installed_as).then_some(Cow::Borrowed(installed_as));
            let deps_of = |names: &'f [Cow<'f, str>], kind: DepKind| {
                names.iter().map(move |n| (Cow::Borrowed(n.as_ref()), kind))
            };
            let mut deps: Vec<(Cow<'f, str>, DepKind)> = f
                .dependencies
                .iter()
                .flatten()
                .map(|(n, _)| (Cow::Borrowed(n.as_ref()), DepKind::Normal))
                .collect();
            deps.extend(deps_of(&f.optional_dependencies, DepKind::Optional));
            deps.extend(peer_deps(f));
            if !in_node_modules {
                deps.extend(deps_of(&f.dev_dependencies, DepKind::Dev));
            }
            Node {
                key: Cow::Borrowed(key),
                fields: f,
                name: Cow::Borrowed(name),
                version: f.version.as_deref().map(Cow::Borrowed),
                alias,
                deps,
                cap: Scope::Required,
            }
        })
        .collect()
}

/// The name a package is installed under: the path after the last `node_modules/`.
fn installed_name(key: &str) -> &str {
    key.rsplit_once("node_modules/")
        .map(|(_, n)| n)
        .unwrap_or(key)
}

/// `peerDependencies`, Optional where `peerDependenciesMeta` says so.
fn peer_deps<'f>(f: &'f Fields<'f>) -> impl Iterator<Item = (Cow<'f, str>, DepKind)> + 'f {
    f.peer_dependencies.iter().map(|n| {
        let kind = if f.optional_peers.binary_search(n).is_ok() {
            DepKind::Optional
        } else {
            DepKind::Peer
        };
        (Cow::Borrowed(n.as_ref()), kind)
    })
}

/// A v1 `dependencies` object: name → entry (`None` for a value that is not an object).
type DepTree<'f> = [(Cow<'f, str>, Option<Fields<'f>>)];

/// v1: flattens the nested tree into `node_modules/…` keys; the root entry comes from the
/// sibling `package.json`.
fn v1_entries<'f>(
    root: &'f Fields<'f>,
    deps: &'f DepTree<'f>,
    input: &Input,
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<Node<'f>> {
    let mut out = vec![Node {
        key: Cow::Borrowed(""),
        fields: root,
        name: Cow::Borrowed(root.name.as_deref().unwrap_or_default()),
        version: root.version.as_deref().map(Cow::Borrowed),
        alias: None,
        deps: Vec::new(),
        cap: Scope::Required,
    }];
    let mut stack: Vec<(usize, &DepTree<'f>, usize, Scope)> =
        vec![(0, deps, 0usize, Scope::Required)];
    while let Some((parent, deps, depth, cap)) = stack.pop() {
        if depth > MAX_DEPTH {
            diagnostics.push(Diagnostic::warning(
                input.path(),
                format!("dependencies nest deeper than {MAX_DEPTH} levels; the rest is skipped"),
            ));
            continue;
        }
        for (installed_as, f) in deps {
            let Some(f) = f else { continue };
            let prefix = out.get(parent).map(|n| n.key.as_ref()).unwrap_or_default();
            let mut key = String::with_capacity(prefix.len() + 14 + installed_as.len());
            if !prefix.is_empty() {
                key.push_str(prefix);
                key.push('/');
            }
            key.push_str("node_modules/");
            key.push_str(installed_as);
            let raw_version = f.version.as_deref().unwrap_or_default();
            let installed_as: &'f str = installed_as;
            let (name, version, alias) = match raw_version.strip_prefix("npm:") {
                Some(spec) => match spec.rsplit_once('@').filter(|(n, _)| !n.is_empty()) {
                    Some((n, v)) => (n, v, Some(Cow::Borrowed(installed_as))),
                    None => (installed_as, spec, None),
                },
                None => (installed_as, raw_version, None),
            };
            let requires = f
                .requires
                .iter()
                .map(|n| (Cow::Borrowed(n.as_ref()), DepKind::Normal))
                .collect();
            let cap = cap.min(f.hint());
            if let Some(nested) = &f.dependencies {
                stack.push((out.len(), nested, depth + 1, cap));
            }
            out.push(Node {
                key: Cow::Owned(key),
                fields: f,
                name: Cow::Borrowed(name),
                version: Some(Cow::Borrowed(version)).filter(|v| !v.is_empty()),
                alias,
                deps: requires,
                cap,
            });
        }
    }
    let root_deps = v1_root_deps(input, &out);
    if let Some(first) = out.first_mut() {
        first.deps = root_deps;
    }
    out
}

/// The root's direct dependencies for a v1 lock: from the sibling `package.json`, else the
/// top-level packages nothing requires.
fn v1_root_deps<'f>(input: &Input, entries: &[Node<'f>]) -> Vec<(Cow<'f, str>, DepKind)> {
    let manifest = crate::text::sibling_bytes(input, "package.json")
        .and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    if let Some(Value::Object(m)) = manifest {
        let mut deps = dep_list(&m, "dependencies", DepKind::Normal);
        deps.extend(dep_list(&m, "optionalDependencies", DepKind::Optional));
        deps.extend(manifest_peer_deps(&m));
        deps.extend(dep_list(&m, "devDependencies", DepKind::Dev));
        return deps;
    }
    let required: foldhash::HashSet<&str> = entries
        .iter()
        .flat_map(|e| e.deps.iter().map(|(n, _)| n.as_ref()))
        .collect();
    // A top-level entry's key is `node_modules/` + its installed name (an installed name
    // holding `node_modules/` would make two), so its own `dev` flag is the one to read.
    entries
        .iter()
        .filter(|e| e.key.matches("node_modules/").count() == 1)
        .filter(|e| !required.contains(installed_name(&e.key)))
        .map(|e| {
            let kind = if e.fields.dev {
                DepKind::Dev
            } else {
                DepKind::Normal
            };
            (Cow::Owned(installed_name(&e.key).to_string()), kind)
        })
        .collect()
}

fn dep_list<'f>(
    doc: &Map<String, Value>,
    field: &str,
    kind: DepKind,
) -> Vec<(Cow<'f, str>, DepKind)> {
    doc.get(field)
        .and_then(Value::as_object)
        .map(|m| m.keys().map(|k| (Cow::Owned(k.clone()), kind)).collect())
        .unwrap_or_default()
}

fn manifest_peer_deps<'f>(doc: &Map<String, Value>) -> Vec<(Cow<'f, str>, DepKind)> {
    let meta = doc.get("peerDependenciesMeta").and_then(Value::as_object);
    let optional = |name: &str| {
        meta.and_then(|m| m.get(name))
            .and_then(|m| m.get("optional"))
            .and_then(Value::as_bool)
            .unwrap_or(false)
    };
    dep_list(doc, "peerDependencies", DepKind::Peer)
        .into_iter()
        .map(|(n, _)| {
            let kind = if optional(&n) {
                DepKind::Optional
            } else {
                DepKind::Peer
            };
            (n, kind)
        })
        .collect()
}

/// Adds every entry as a project or package, then every edge.
fn build(cat: &mut Catalog, entries: &[Node], root: &Fields, input: &Input) {
    let path = input.path();
    let lock_dir = crate::paths::dir_of(path);
    let mut nodes: HashMap<&str, NodeRef> = HashMap::with_capacity(entries.len());
    let mut links: HashMap<&str, &str> = HashMap::new();
    cat.packages.reserve(entries.len());
    for e in entries {
        if e.fields.link {
            if let Some(target) = e.fields.resolved.as_deref() {
                links.insert(&e.key, target);
            }
            continue;
        }
        let node = if e.key.contains("node_modules/") {
            package(cat, e, input)
        } else {
            Some(project(cat, e, root, lock_dir, input))
        };
        if let Some(node) = node {
            nodes.insert(&e.key, node);
        }
    }
    let mut candidate = String::new();
    for e in entries {
        let Some(&from) = nodes.get(e.key.as_ref()) else {
            continue;
        };
        for (name, kind) in &e.deps {
            let target = resolve(&e.key, name, &nodes, &links, &mut candidate);
            match target {
                Some(to) => cat.add_edge(from, to, *kind),
                None if *kind == DepKind::Normal || *kind == DepKind::Dev => {
                    cat.diagnostics.push(Diagnostic::warning(
                        path,
                        format!(
                            "{} depends on {}, which the lock does not contain",
                            quote(&e.key, QUOTE_LIMIT),
                            quote(name, QUOTE_LIMIT)
                        ),
                    ));
                }
                None => {}
            }
        }
    }
}

/// Node's module resolution over lock keys, following workspace links. `candidate` is a
/// buffer for the keys tried.
fn resolve(
    from: &str,
    name: &str,
    nodes: &HashMap<&str, NodeRef>,
    links: &HashMap<&str, &str>,
    candidate: &mut String,
) -> Option<NodeRef> {
    let mut base = from;
    loop {
        candidate.clear();
        if !base.is_empty() {
            candidate.push_str(base);
            candidate.push('/');
        }
        candidate.push_str("node_modules/");
        candidate.push_str(name);
        let key = links
            .get(candidate.as_str())
            .copied()
            .unwrap_or(candidate.as_str());
        if let Some(node) = nodes.get(key) {
            return Some(*node);
        }
        if base.is_empty() {
            return None;
        }
        base = match base.rfind("/node_modules/") {
            Some(i) => base.get(..i).unwrap_or_default(),
            None => "",
        };
    }
}

fn package(cat: &mut Catalog, e: &Node, input: &Input) -> Option<NodeRef> {
    let path = input.path();
    let Some(version) = e.version.as_deref() else {
        cat.diagnostics.push(Diagnostic::warning(
            path,
            format!("{} has no version; skipped", quote(&e.key, QUOTE_LIMIT)),
        ));
        return None;
    };
    let f = e.fields;
    let resolved = f.resolved.as_deref();
    let mut c = match component(&e.name, version, resolved) {
        Ok(c) => c,
        Err(err) => {
            cat.diagnostics.push(Diagnostic::warning(
                path,
                format!("{}: {err}", quote(&e.key, QUOTE_LIMIT)),
            ));
            return None;
        }
    };
    if let Some(i) = f.integrity.as_deref() {
        integrity_hash_iter(i).for_each(|h| c.add_hash(h));
    }
    for (raw, at) in &f.licenses {
        c.add_license(at.declared(raw, input));
    }
    c.scope = f.hint().min(e.cap);
    if let Some(r) = resolved {
        c.properties.insert("resolved".into(), r.to_string());
    }
    if let Some(alias) = &e.alias {
        c.properties.insert("alias".into(), alias.to_string());
    }
    if f.in_bundle || f.bundled {
        c.properties.insert("bundled".into(), "true".into());
    }
    if f.peer {
        c.properties.insert("peer".into(), "true".into());
    }
    Some(cat.add_package(c.at(input.location())))
}

fn project(cat: &mut Catalog, e: &Node, root: &Fields, lock_dir: &str, input: &Input) -> NodeRef {
    let dir = crate::paths::join_dir(lock_dir, &e.key);
    let mut p = Project::in_dir(Ecosystem::Npm, &dir, input.path());
    let doc = if e.key.is_empty() { root } else { e.fields };
    let name = doc.name.as_deref().filter(|n| !n.is_empty());
    p.name = name.map(str::to_string);
    p.version = e.version.as_deref().map(str::to_string);
    if let (Some(n), Some(v)) = (name, e.version.as_deref()) {
        let (ns, short) = split_name(n);
        p.purl = bomscout_core::Purl::build(Ecosystem::Npm, ns, short, Some(v), &[]).ok();
    }
    p.licenses = doc.licenses(input);
    cat.add_project(p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "package-lock.json", text)
    }

    /// The typed reader and the `Value` reader give the same fields for `text`, or the
    /// typed one refuses it (and `parse` takes the `Value` reader's answer).
    fn agree(text: &str) -> bool {
        let doc: Value = serde_json::from_str(text).unwrap();
        let expected = Fields::from_map(doc.as_object().unwrap(), true);
        match read_fields(text.as_bytes()) {
            Ok(typed) => {
                assert_eq!(typed, expected, "{text}");
                true
            }
            Err(_) => false,
        }
    }

    /// What a scan of `text` records, typed reader or not.
    fn shown(c: &Catalog) -> String {
        format!("{:?} {:?} {:?}", c.packages, c.projects, c.diagnostics)
    }

    #[test]
    fn fields_agree_with_the_value_reader() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/npm");
        let mut read = 0;
        for dir in std::fs::read_dir(fixtures).unwrap() {
            let lock = dir.unwrap().path().join("package-lock.json");
            if let Ok(text) = std::fs::read_to_string(&lock) {
                if serde_json::from_str::<Value>(&text).is_ok_and(|v| v.is_object()) {
                    assert!(agree(&text), "{}", lock.display());
                    read += 1;
                }
            }
        }
        assert!(read >= 4, "{read} fixtures read");
        let bench = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/../../bench/lockfiles/npm/package-lock.json"
        );
        assert!(agree(&std::fs::read_to_string(bench).unwrap()));
    }

    #[test]
    fn escaped_strings_are_decoded() {
        let text = r#"{"name": "app", "lockfileVersion": 3, "packages": {
            "": {"name": "app", "version": "1.0.0", "dependencies": {"caf\u00e9": "1"}},
            "node_modules/caf\u00e9": {"version": "1.0.0-\"q\"", "license": "MIT \u0041ND X",
                "resolved": "https://registry.example.invalid/caf\u00e9/-/caf\u00e9-1.0.0-\"q\".tgz"}}}"#;
        assert!(agree(text));
        let c = run(text).unwrap();
        assert!(c.diagnostics.is_empty(), "{:?}", c.diagnostics);
        let p = &c.packages[0].component;
        assert_eq!(p.name, "café");
        assert_eq!(p.version.as_deref(), Some("1.0.0-\"q\""));
        assert_eq!(p.licenses[0].raw, "MIT AND X");
        assert!(!p.purl.as_str().contains("download_url"), "{}", p.purl);
        assert_eq!(c.projects[0].deps.len(), 1);
    }

    #[test]
    fn duplicate_keys_read_as_the_value_reader_reads_them() {
        // A key written twice in a name-keyed map: the last one wins, in key order.
        let text = r#"{"packages": {"node_modules/b": {"version": "1.0.0"},
            "": {"dependencies": {"b": "1", "a": "1", "b": "2"}},
            "node_modules/a": {"version": "1.0.0"}, "node_modules/b": {"version": "2.0.0"}}}"#;
        assert!(agree(text));
        let c = run(text).unwrap();
        let versions: Vec<_> = c
            .packages
            .iter()
            .map(|p| p.component.version.clone())
            .collect();
        assert_eq!(versions, [Some("1.0.0".into()), Some("2.0.0".into())]);
        // A field written twice: the typed reader refuses, the `Value` reader's last wins.
        let text = r#"{"packages": {"node_modules/a": {"version": "1.0.0", "version": "3.0.0"}}}"#;
        assert!(!agree(text));
        let c = run(text).unwrap();
        assert_eq!(c.packages[0].component.version.as_deref(), Some("3.0.0"));
    }

    #[test]
    fn unexpected_types_fall_back_to_the_value_reader() {
        let texts = [
            r#"{"packages": {"node_modules/a": {"version": "1.0.0", "dev": "yes", "license": 5}}}"#,
            r#"{"packages": {"node_modules/a": {"version": 1}, "node_modules/b": {"version": "1.0.0"}}}"#,
            r#"{"packages": {"node_modules/a": 5, "node_modules/b": {"version": "1.0.0"}}}"#,
            r#"{"packages": {"": {"peerDependencies": {"p": "1"}, "peerDependenciesMeta": {"p": 1}}}}"#,
            r#"{"packages": {"node_modules/a": {"version": "1.0.0", "licenses": ["MIT", 3, {"type": "X"}]}}}"#,
            r#"{"dependencies": {"a": {"version": "1.0.0", "dependencies": 7}, "b": "x"}}"#,
        ];
        for text in texts {
            assert!(!agree(text), "{text}");
            let doc: Value = serde_json::from_str(text).unwrap();
            let fields = Fields::from_map(doc.as_object().unwrap(), true);
            let options = crate::Options::default();
            let input = Input {
                bytes: text.as_bytes(),
                shared_path: &bomscout_core::SharedStr::from("package-lock.json"),
                abs: std::path::Path::new("/nonexistent/package-lock.json"),
                root: std::path::Path::new("/nonexistent"),
                options: &options,
                tree: &crate::DISK,
            };
            let cat = catalog(&fields, &input);
            assert_eq!(shown(&run(text).unwrap()), shown(&cat), "{text}");
        }
    }

    #[test]
    fn hostile_inputs() {
        // Deep nesting inside a field the parser does not use: refused as the `Value`
        // reader refuses it (serde_json's limit), not skipped.
        let deep = format!(
            r#"{{"packages": {{"node_modules/a": {{"version": "1.0.0", "x": {}{}}}}}}}"#,
            "[".repeat(10_000),
            "]".repeat(10_000)
        );
        let err = run(&deep).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
        assert_eq!(err.line(), Some(1));
        // A 4 MB string and a NUL escape are data, borrowed or decoded.
        let huge = "x".repeat(4 << 20);
        let text = format!(
            r#"{{"packages": {{"node_modules/a": {{"version": "1.0.0", "description": "{huge}", "license": "MIT\u0000"}}}}}}"#
        );
        assert!(agree(&text));
        let c = run(&text).unwrap();
        assert_eq!(c.packages[0].component.licenses[0].raw, "MIT\0");
        // Raw control characters and broken escapes are JSON errors with their line.
        assert_eq!(
            run("{\"packages\": {\n\"a\u{0}\": {}}}")
                .unwrap_err()
                .line(),
            Some(2)
        );
        assert_eq!(
            run("{\"packages\": {\n\"\\uZZZZ\": {}}}")
                .unwrap_err()
                .line(),
            Some(2)
        );
        assert!(run("[]").is_err());
    }
}
