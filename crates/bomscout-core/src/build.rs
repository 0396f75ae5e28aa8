//! Merging many catalogs into one [`Sbom`]: deduplication by identity, and scope over the graph.

use crate::{
    Catalog, Component, DepKind, Dependency, Diagnostic, Ecosystem, License, Location, Locations,
    NodeRef, Project, ProjectEntry, Sbom, Scope, SharedStr,
};
use std::collections::{BTreeSet, HashMap, HashSet};
use std::hash::BuildHasher as _;

/// What a declared dependency and a resolved package have in common; see
/// [`Component::name_key`].
type NameKey<'a> = (Ecosystem, Option<&'a str>, String);

/// The fields `License`'s equality compares, hashed: equal licenses hash alike (a zero
/// confidence hashes as `+0.0`, since `-0.0 == 0.0`).
struct LicenseKey<'a>(&'a crate::License);

impl std::hash::Hash for LicenseKey<'_> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let l = self.0;
        l.raw.hash(h);
        l.expression.hash(h);
        l.mapped_from.hash(h);
        l.confidence
            .map(|c| if c == 0.0 { 0 } else { c.to_bits() })
            .hash(h);
        l.source.hash(h);
    }
}

/// The builder's hash maps and sets hash with foldhash, seeded per process: SipHash was
/// 4% of an organization's scan (a lookup per copy of every package, per location and per
/// edge), and the keys come from scanned files, so the seed stays.
type Hasher = foldhash::fast::RandomState;
type Map<K, V> = HashMap<K, V, Hasher>;
type Set<T> = HashSet<T, Hasher>;

/// The set's one copy of `value`, put in the set if it is the first: the builder keeps one
/// allocation per distinct path or license text however many statements name it.
fn interned<T>(set: &mut Set<T>, value: &T) -> T
where
    T: Clone + Eq + std::hash::Hash + std::borrow::Borrow<str>,
{
    match set.get(value.borrow()) {
        Some(one) => one.clone(),
        None => {
            set.insert(value.clone());
            value.clone()
        }
    }
}

/// Points `license`'s strings at the builder's one copy of each: its source path at the one
/// in `paths` (where the locations' paths are), its texts and field at the one in `texts`.
fn share_license(paths: &mut Set<SharedStr>, texts: &mut Set<SharedStr>, license: &mut License) {
    let path = &mut license.source.path;
    *path = interned(paths, path);
    for text in [&mut license.raw, &mut license.source.field]
        .into_iter()
        .chain(
            [&mut license.expression, &mut license.mapped_from]
                .into_iter()
                .flatten(),
        )
    {
        *text = interned(texts, text);
    }
}

/// A document-wide node.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Project(usize),
    Component(usize),
}

/// Accumulates [`Catalog`]s and produces one deduplicated [`Sbom`].
///
/// - Components are merged by [`Component::key`] (their purl): the same package found in
///   two files is one component with two locations.
/// - Projects are merged by `(ecosystem, dir)`: a `package.json` and the
///   `package-lock.json` beside it describe one project.
/// - A project's declared-but-unresolved dependency is dropped when the same project also
///   has a resolved dependency of that name (the lockfile wins over the manifest's range).
/// - Scope is computed over the whole graph: a component is `dev` when every path from
///   every project to it passes through a dev edge, `build` and `optional` likewise, else
///   `required` (the strongest scope over all paths wins, a path having the weakest
///   scope of its edges).
///   Components no project reaches keep the scope their parser reported.
#[derive(Debug, Default)]
pub struct SbomBuilder {
    name: String,
    components: Vec<Component>,
    /// Per component, the hashes of its licenses ([`LicenseKey`]): merging the same
    /// package from thousands of lockfiles checks a new license against this set instead of
    /// scanning every license already there (that scan made the merge quadratic).
    license_hashes: Vec<Set<u64>>,
    /// Per component, its locations as they came (each path shared, unsorted, possibly
    /// repeated): sorted and deduplicated once, by [`SbomBuilder::finish`]. Inserting each
    /// copy's location into a sorted list as it came shifted the list's tail whenever files
    /// came out of path order.
    locations: Vec<Vec<Location>>,
    by_key: Map<String, usize>,
    /// Every location path seen, once: each copy of a component from each lockfile adds a
    /// location, and they name a few thousand files among hundreds of thousands of
    /// locations, so all of them point at one shared string per path.
    paths: Set<SharedStr>,
    /// The path of the last location added (one of `paths`).
    last_path: Option<SharedStr>,
    hasher: Hasher,
    /// Every license text and field seen, once: tens of thousands of license statements
    /// repeat a few dozen texts (`MIT`, `license`), so the statements kept share them (their
    /// source paths share `paths`).
    texts: Set<SharedStr>,
    projects: Vec<Project>,
    manifests: Vec<BTreeSet<String>>,
    by_dir: Map<(Ecosystem, String), usize>,
    edges: Set<(Node, Node, DepKind)>,
    diagnostics: Vec<Diagnostic>,
}

impl SbomBuilder {
    /// A builder for a document about `name` (usually the scanned directory's name).
    pub fn new(name: impl Into<String>) -> SbomBuilder {
        SbomBuilder {
            name: name.into(),
            ..SbomBuilder::default()
        }
    }

    /// Adds a diagnostic that did not come from a catalog (walk errors, I/O errors).
    pub fn diagnostic(&mut self, diagnostic: Diagnostic) {
        self.diagnostics.push(diagnostic);
    }

    /// Merges one file's catalog.
    pub fn add(&mut self, catalog: Catalog) {
        let Catalog {
            projects,
            packages,
            diagnostics,
        } = catalog;
        self.diagnostics.extend(diagnostics);

        let project_ids: Vec<usize> = projects.iter().map(|p| self.intern_project(p)).collect();
        let mut package_deps = Vec::with_capacity(packages.len());
        let component_ids: Vec<usize> = packages
            .into_iter()
            .map(|p| {
                package_deps.push(p.deps);
                self.intern_component(p.component)
            })
            .collect();
        let map = |r: NodeRef| match r {
            NodeRef::Project(i) => project_ids.get(i).map(|&g| Node::Project(g)),
            NodeRef::Package(i) => component_ids.get(i).map(|&g| Node::Component(g)),
        };
        for (i, p) in projects.iter().enumerate() {
            for e in &p.deps {
                if let Some(to) = map(e.to) {
                    self.edges
                        .insert((Node::Project(project_ids[i]), to, e.kind));
                }
            }
        }
        for (i, deps) in package_deps.iter().enumerate() {
            for e in deps {
                if let Some(to) = map(e.to) {
                    self.edges
                        .insert((Node::Component(component_ids[i]), to, e.kind));
                }
            }
        }
    }

    fn intern_component(&mut self, mut component: Component) -> usize {
        let locations = std::mem::take(&mut component.locations);
        // Looked up by the borrowed purl: a key is allocated only for a new component.
        let found = self.by_key.get(component.key_str().as_ref()).copied();
        let i = match found {
            Some(i) => {
                // The licenses are merged here, with the index, as `Component::add_license`
                // would: a license equal to one already present is left out; the others
                // are appended in order.
                let licenses = std::mem::take(&mut component.licenses);
                let target = &mut self.components[i];
                target.merge(component);
                let seen = &mut self.license_hashes[i];
                for mut l in licenses {
                    // A hash seen before may still be another license: compare then.
                    if !seen.insert(self.hasher.hash_one(LicenseKey(&l)))
                        && target.licenses.contains(&l)
                    {
                        continue;
                    }
                    share_license(&mut self.paths, &mut self.texts, &mut l);
                    target.licenses.push(l);
                }
                i
            }
            None => {
                let key = component.key();
                for l in &mut component.licenses {
                    share_license(&mut self.paths, &mut self.texts, l);
                }
                let hashes = component
                    .licenses
                    .iter()
                    .map(|l| self.hasher.hash_one(LicenseKey(l)))
                    .collect();
                self.license_hashes.push(hashes);
                self.components.push(component);
                self.locations.push(Vec::new());
                self.by_key.insert(key, self.components.len() - 1);
                self.components.len() - 1
            }
        };
        self.add_locations(i, locations);
        i
    }

    /// Appends a copy's locations to component `i`'s, each pointing at the builder's one
    /// copy of its path. Consecutive locations nearly always name the same file (a
    /// catalog is one file), so the last path is compared before the set is asked.
    fn add_locations(&mut self, i: usize, locations: Locations) {
        let list = &mut self.locations[i];
        for mut l in locations {
            match &self.last_path {
                Some(last) if SharedStr::ptr_eq(last, &l.path) || *last == l.path => {
                    l.path = last.clone();
                }
                _ => {
                    l.path = interned(&mut self.paths, &l.path);
                    self.last_path = Some(l.path.clone());
                }
            }
            list.push(l);
        }
    }

    fn intern_project(&mut self, project: &Project) -> usize {
        let id = (project.ecosystem, project.dir.clone());
        if let Some(&i) = self.by_dir.get(&id) {
            let p = &mut self.projects[i];
            p.name = p.name.take().or_else(|| project.name.clone());
            p.version = p.version.take().or_else(|| project.version.clone());
            p.purl = p.purl.take().or_else(|| project.purl.clone());
            for l in &project.licenses {
                if !p.licenses.contains(l) {
                    p.licenses.push(l.clone());
                }
            }
            self.manifests[i].insert(project.manifest.clone());
            return i;
        }
        let mut p = project.clone();
        p.deps.clear();
        self.manifests.push(BTreeSet::from([p.manifest.clone()]));
        self.projects.push(p);
        self.by_dir.insert(id, self.projects.len() - 1);
        self.projects.len() - 1
    }

    /// Produces the document: drops superseded declarations, computes scope and
    /// directness, sorts everything.
    pub fn finish(mut self) -> Sbom {
        // What only merging needed goes first: the document is built beside the builder,
        // and the end of a scan is when its memory peaks.
        for (c, locations) in self
            .components
            .iter_mut()
            .zip(std::mem::take(&mut self.locations))
        {
            c.locations = Locations::from(locations);
        }
        self.license_hashes = Vec::new();
        self.by_key = Map::default();
        let superseded = self.drop_superseded_declarations();
        let live = self.live_components(&superseded);
        let scopes = self.compute_scopes();
        for (i, c) in self.components.iter_mut().enumerate() {
            if let Some(s) = scopes[i] {
                c.scope = s;
            }
        }
        for (from, to, _) in &self.edges {
            if let (Node::Project(_), Node::Component(c)) = (from, to) {
                self.components[*c].direct = true;
            }
        }
        self.into_sbom(&live)
    }

    /// The lockfile wins over the manifest: a project's unresolved dependency on a name it
    /// also depends on at a resolved version is dropped.
    /// Returns the components that lost an edge this way.
    ///
    /// Only the declarations' names go into a set: they are few beside the resolved edges,
    /// and this runs at the end of a scan, when its memory peaks (a set of every resolved
    /// edge's name was 6 MB of the 500-repository benchmark's peak).
    fn drop_superseded_declarations(&mut self) -> HashSet<usize> {
        let declarations: Vec<(Node, Node, DepKind)> = self
            .edges
            .iter()
            .filter(|(from, to, _)| match (from, to) {
                (Node::Project(_), Node::Component(c)) => !self.components[*c].is_resolved(),
                _ => false,
            })
            .copied()
            .collect();
        if declarations.is_empty() {
            return HashSet::new();
        }
        let declared: HashSet<(usize, NameKey)> = declarations
            .iter()
            .filter_map(|(from, to, _)| match (from, to) {
                (Node::Project(p), Node::Component(c)) => {
                    Some((*p, self.components[*c].name_key()))
                }
                _ => None,
            })
            .collect();
        let mut resolved_names: HashSet<(usize, NameKey)> = HashSet::new();
        // A workspace sibling the lockfile links to is first-party: a declaration of it is
        // resolved by that link, not left as an unresolved third-party range.
        let mut linked_projects: HashSet<(usize, Ecosystem, String)> = HashSet::new();
        for (from, to, _) in &self.edges {
            match (from, to) {
                (Node::Project(p), Node::Component(c)) => {
                    let comp = &self.components[*c];
                    if comp.is_resolved() {
                        let name = (*p, comp.name_key());
                        if declared.contains(&name) {
                            resolved_names.insert(name);
                        }
                    }
                }
                (Node::Project(p), Node::Project(q)) => {
                    let target = &self.projects[*q];
                    if let Some(name) = &target.name {
                        linked_projects.insert((*p, target.ecosystem, name.clone()));
                    }
                }
                _ => {}
            }
        }
        let mut lost = HashSet::new();
        for e in declarations {
            let (Node::Project(p), Node::Component(c)) = (e.0, e.1) else {
                continue;
            };
            let comp = &self.components[c];
            if resolved_names.contains(&(p, comp.name_key()))
                || linked_projects.contains(&(p, comp.ecosystem, comp.display_name()))
            {
                lost.insert(c);
                self.edges.remove(&e);
            }
        }
        lost
    }

    /// Components to keep: all but superseded declarations left with no dependent.
    fn live_components(&self, superseded: &HashSet<usize>) -> Vec<bool> {
        let mut has_dependent = vec![false; self.components.len()];
        for (_, to, _) in &self.edges {
            if let Node::Component(c) = to {
                has_dependent[*c] = true;
            }
        }
        self.components
            .iter()
            .enumerate()
            .map(|(i, _)| has_dependent[i] || !superseded.contains(&i))
            .collect()
    }

    /// Scope of each component over the graph, `None` where no project reaches it.
    ///
    /// A monotone fixpoint: a node's scope only rises (dev → build → optional → required), so
    /// each node is revisited at most four times and the whole pass is linear in the edges.
    fn compute_scopes(&self) -> Vec<Option<Scope>> {
        let mut adj: HashMap<Node, Vec<(Node, DepKind)>> = HashMap::new();
        for (from, to, kind) in &self.edges {
            adj.entry(*from).or_default().push((*to, *kind));
        }
        let mut scope: Vec<Option<Scope>> = vec![None; self.components.len()];
        let mut work: Vec<(Node, Scope)> = (0..self.projects.len())
            .map(|p| (Node::Project(p), Scope::Required))
            .collect();
        while let Some((node, s)) = work.pop() {
            for (to, kind) in adj.get(&node).map(Vec::as_slice).unwrap_or_default() {
                let reach = s.min(kind.scope_cap());
                match to {
                    Node::Component(c) => {
                        if scope[*c].is_none_or(|old| reach > old) {
                            scope[*c] = Some(reach);
                            work.push((*to, reach));
                        }
                    }
                    // A project depending on another (workspace members) passes its scope on
                    // only through the member's own edges, which start at `required` anyway.
                    Node::Project(_) => {}
                }
            }
        }
        scope
    }

    fn into_sbom(self, live: &[bool]) -> Sbom {
        let refs: Vec<Option<SharedStr>> = self
            .components
            .iter()
            .enumerate()
            .map(|(i, c)| live[i].then(|| c.key().into()))
            .collect();
        let project_refs: Vec<SharedStr> = self
            .projects
            .iter()
            .map(|p| ProjectEntry::make_ref(p.ecosystem, &p.dir).into())
            .collect();
        let node_ref = |n: Node| -> Option<SharedStr> {
            match n {
                Node::Project(p) => Some(project_refs[p].clone()),
                Node::Component(c) => refs[c].clone(),
            }
        };
        let mut dependencies: Vec<Dependency> = self
            .edges
            .iter()
            .filter_map(|(from, to, kind)| {
                Some(Dependency {
                    from: node_ref(*from)?,
                    to: node_ref(*to)?,
                    kind: *kind,
                })
            })
            .filter(|d| d.from != d.to)
            .collect();
        dependencies.sort();
        dependencies.dedup();

        let mut components: Vec<Component> = self
            .components
            .into_iter()
            .zip(live)
            .filter_map(|(c, keep)| keep.then_some(c))
            .collect();
        components.sort_by_cached_key(Component::key);

        let mut projects: Vec<ProjectEntry> = self
            .projects
            .into_iter()
            .zip(project_refs)
            .zip(self.manifests)
            .map(|((p, bom_ref), manifests)| ProjectEntry {
                bom_ref: bom_ref.to_string(),
                ecosystem: p.ecosystem,
                manifests,
                dir: p.dir,
                name: p.name,
                version: p.version,
                purl: p.purl,
                licenses: p.licenses,
            })
            .collect();
        projects.sort_by(|a, b| a.bom_ref.cmp(&b.bom_ref));

        let mut diagnostics = self.diagnostics;
        diagnostics.sort();
        diagnostics.dedup();
        Sbom {
            name: self.name,
            projects,
            components,
            dependencies,
            diagnostics,
            vulnerabilities: Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{License, Location, SourceKind};

    /// The document of `components`, each from a catalog of its own (as copies of a package
    /// come from different lockfiles).
    fn one_catalog_each(components: impl IntoIterator<Item = Component>) -> Sbom {
        let mut builder = SbomBuilder::new("t");
        for c in components {
            let mut cat = Catalog::default();
            cat.add_package(c);
            builder.add(cat);
        }
        builder.finish()
    }

    fn package(licenses: &[(&str, &str, Option<f32>)], at: &str) -> Component {
        let mut c = Component::new(Ecosystem::Npm, None, "a", "1.0.0")
            .unwrap()
            .at(Location::new(at));
        for (raw, path, confidence) in licenses {
            let mut l = License::of_kind(raw, path, "license", SourceKind::Declared);
            l.confidence = *confidence;
            c.licenses.push(l);
        }
        c
    }

    /// The builder's indexed license merge gives exactly what `Component::merge` gives:
    /// the same licenses in the same order, duplicates (a zero confidence of either sign,
    /// the same text from the same place) once.
    #[test]
    fn merged_licenses_are_those_of_component_merge() {
        let copies = [
            package(
                &[("MIT", "a/package-lock.json", None)],
                "a/package-lock.json",
            ),
            package(
                &[
                    ("MIT", "b/package-lock.json", None),
                    ("MIT", "a/package-lock.json", None),
                ],
                "b/package-lock.json",
            ),
            package(&[("ISC", "c/LICENSE", Some(0.0))], "c/package-lock.json"),
            package(&[("ISC", "c/LICENSE", Some(-0.0))], "d/package-lock.json"),
            package(&[("ISC", "c/LICENSE", Some(0.9))], "e/package-lock.json"),
            package(
                &[("MIT", "b/package-lock.json", None)],
                "f/package-lock.json",
            ),
        ];
        let mut expected = copies[0].clone();
        for c in &copies[1..] {
            expected.merge(c.clone());
        }
        let sbom = one_catalog_each(copies);
        assert_eq!(sbom.components.len(), 1);
        assert_eq!(sbom.components[0].licenses, expected.licenses);
        assert_eq!(sbom.components[0].licenses.len(), 4);
        assert_eq!(sbom.components[0].locations.len(), 6);
    }

    /// The statements kept share one string per text, field and path (a source path the
    /// same string as the locations naming that file), and stay equal to what the
    /// catalogers made: equal statements equal, distinct ones distinct.
    #[test]
    fn license_strings_are_shared_and_keep_their_values() {
        let made = |name: &str, raw: &str, field: &str, at: &str| {
            let mut c = Component::new(Ecosystem::Npm, None, name, "1.0.0")
                .unwrap()
                .at(Location::at_line(at.to_string(), 2));
            c.licenses.push(License::declared(raw, at, field));
            c
        };
        let copies = [
            made("a", "MIT", "license", "r1/package-lock.json"),
            made("b", "MIT", "license", "r2/package-lock.json"),
            made(
                "c",
                "Apache-2.0",
                "licenses[0].type",
                "r1/package-lock.json",
            ),
            // A second statement for `a`, merged into the first copy's component.
            made("a", "ISC", "license", "r2/package-lock.json"),
        ];
        let expected: Vec<License> = copies.iter().map(|c| c.licenses[0].clone()).collect();
        let sbom = one_catalog_each(copies);
        let of = |name: &str| {
            let c = sbom.components.iter().find(|c| c.name == name).unwrap();
            &c.licenses
        };
        let (a, b, c) = (of("a"), of("b"), of("c"));
        assert_eq!(a[..], [expected[0].clone(), expected[3].clone()]);
        assert_eq!(b[..], [expected[1].clone()]);
        assert_eq!(c[..], [expected[2].clone()]);
        assert_ne!(a[0], b[0], "one text, two files: two statements");

        let same = SharedStr::ptr_eq;
        assert!(same(&a[0].raw, &b[0].raw), "MIT once");
        assert!(!same(&a[0].raw, &c[0].raw));
        assert!(same(&a[0].source.field, &b[0].source.field));
        assert!(
            same(&a[0].source.field, &a[1].source.field),
            "merged copy too"
        );
        assert!(!same(&a[0].source.field, &c[0].source.field));
        assert!(same(&a[0].source.path, &c[0].source.path));
        assert!(same(&b[0].source.path, &a[1].source.path));
        let r1 = sbom
            .components
            .iter()
            .flat_map(|c| c.locations.iter())
            .find(|l| &*l.path == "r1/package-lock.json")
            .unwrap();
        assert!(SharedStr::ptr_eq(&r1.path, &a[0].source.path));
    }
}

#[cfg(test)]
mod key_tests {
    use super::*;
    use crate::Location;

    /// Every location naming one file points at one string, across components and
    /// catalogs: a scan of an organization holds a location per copy of each package.
    #[test]
    fn locations_naming_one_file_share_one_string() {
        let mut builder = SbomBuilder::new("t");
        for (name, at) in [
            ("a", "r1/package-lock.json"),
            ("b", "r1/package-lock.json"),
            ("a", "r2/package-lock.json"),
            ("a", "r1/package-lock.json"),
        ] {
            let c = Component::new(Ecosystem::Npm, None, name, "1.0.0").unwrap();
            let mut cat = Catalog::default();
            // A fresh string per catalog, as a cataloger makes it.
            cat.add_package(c.at(Location::at_line(at.to_string(), 3)));
            builder.add(cat);
        }
        let sbom = builder.finish();
        let paths: Vec<&SharedStr> = sbom
            .components
            .iter()
            .flat_map(|c| c.locations.iter().map(|l| &l.path))
            .filter(|p| **p == "r1/package-lock.json")
            .collect();
        assert_eq!(paths.len(), 2, "a@r1 once (merged), b@r1 once");
        assert!(SharedStr::ptr_eq(paths[0], paths[1]));
        let a = &sbom.components[0];
        assert_eq!(a.locations.len(), 2);
    }

    /// The builder finds a component by [`Component::key_str`]: it must be
    /// [`Component::key`] exactly, borrowed (no allocation) for a resolved package, so
    /// that a resolved pin and a declared range of one version stay two components.
    #[test]
    fn key_str_is_key_and_borrows_the_purl_of_a_resolved_component() {
        let resolved = Component::new(Ecosystem::Npm, Some("@babel"), "core", "7.0.0").unwrap();
        let range =
            Component::unresolved(Ecosystem::Npm, Some("@babel"), "core", "^7.0.0").unwrap();
        assert!(matches!(resolved.key_str(), std::borrow::Cow::Borrowed(_)));
        assert_eq!(resolved.key_str(), resolved.key());
        assert_eq!(range.key_str(), range.key());
        assert!(range.key().starts_with("unresolved:"));

        let mut builder = SbomBuilder::new("t");
        for (c, at) in [
            (resolved.clone(), "a/package-lock.json"),
            (range, "a/package.json"),
            (resolved, "b/package-lock.json"),
        ] {
            let mut cat = Catalog::default();
            cat.add_package(c.at(Location::new(at)));
            builder.add(cat);
        }
        let sbom = builder.finish();
        let found: Vec<(String, usize)> = sbom
            .components
            .iter()
            .map(|c| (c.key(), c.locations.len()))
            .collect();
        assert_eq!(
            found,
            [
                ("pkg:npm/%40babel/core@7.0.0".to_string(), 2),
                ("unresolved:pkg:npm/%40babel/core@^7.0.0".to_string(), 1),
            ]
        );
    }
}
