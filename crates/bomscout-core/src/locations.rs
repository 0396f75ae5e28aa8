//! [`Locations`]: the files a component was found in, sorted and unique.

use crate::Location;
use serde::{Deserialize, Deserializer, Serialize};

/// Every place a component was found: sorted by path then line, each once, as the
/// `BTreeSet<Location>` it replaces was, in one vector.
///
/// Why not the B-tree: an organization's scan holds hundreds of thousands of locations (one
/// per copy of a package per lockfile, the evidence `evidence.occurrences` reports). A B-tree
/// costs about 45 bytes per location and a node allocation (~280 bytes) for every one-element
/// set a parser makes; a vector costs 16 bytes (a `Location`) and none for the set's first
/// element beyond the vector's own. Appending in order (the common case: parsers and the builder see files
/// in order) is a push; an insert out of order shifts the tail, so bulk merges that may come
/// out of order go through [`Locations::from`] a `Vec`, which sorts once.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct Locations(Vec<Location>);

impl Locations {
    /// No locations.
    pub const fn new() -> Locations {
        Locations(Vec::new())
    }

    /// Adds `location`; false if it was already there.
    pub fn insert(&mut self, location: Location) -> bool {
        if self.0.last().is_none_or(|last| *last < location) {
            // Most components of a catalog have one location: room for exactly one.
            if self.0.capacity() == 0 {
                self.0.reserve_exact(1);
            }
            self.0.push(location);
            return true;
        }
        match self.0.binary_search(&location) {
            Ok(_) => false,
            Err(at) => {
                self.0.insert(at, location);
                true
            }
        }
    }

    /// True if `location` is one of them.
    pub fn contains(&self, location: &Location) -> bool {
        self.0.binary_search(location).is_ok()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The smallest (by path, then line).
    pub fn first(&self) -> Option<&Location> {
        self.0.first()
    }

    /// The largest (by path, then line).
    pub fn last(&self) -> Option<&Location> {
        self.0.last()
    }

    /// In order.
    pub fn iter(&self) -> std::slice::Iter<'_, Location> {
        self.0.iter()
    }

    /// Removes them all.
    pub fn clear(&mut self) {
        self.0.clear();
    }

    /// The locations in order, as a slice.
    pub fn as_slice(&self) -> &[Location] {
        &self.0
    }
}

/// Sorts and deduplicates once: `n log n` however the locations come; the spare capacity
/// a growing vector kept is given back.
impl From<Vec<Location>> for Locations {
    fn from(mut locations: Vec<Location>) -> Locations {
        locations.sort_unstable();
        locations.dedup();
        locations.shrink_to_fit();
        Locations(locations)
    }
}

impl<const N: usize> From<[Location; N]> for Locations {
    fn from(locations: [Location; N]) -> Locations {
        Locations::from(Vec::from(locations))
    }
}

impl FromIterator<Location> for Locations {
    fn from_iter<I: IntoIterator<Item = Location>>(iter: I) -> Locations {
        Locations::from(iter.into_iter().collect::<Vec<_>>())
    }
}

impl Extend<Location> for Locations {
    fn extend<I: IntoIterator<Item = Location>>(&mut self, iter: I) {
        for location in iter {
            self.insert(location);
        }
    }
}

impl IntoIterator for Locations {
    type Item = Location;
    type IntoIter = std::vec::IntoIter<Location>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.into_iter()
    }
}

impl<'a> IntoIterator for &'a Locations {
    type Item = &'a Location;
    type IntoIter = std::slice::Iter<'a, Location>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

/// Read as any sequence of locations: sorted and deduplicated, so a document written by
/// hand (or by another tool) cannot break the order every reader relies on.
impl<'de> Deserialize<'de> for Locations {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Locations, D::Error> {
        Vec::<Location>::deserialize(deserializer).map(Locations::from)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::BTreeSet;

    fn at(path: &str, line: Option<u32>) -> Location {
        Location {
            path: path.into(),
            line,
        }
    }

    /// Whatever the order of inserts, extends and conversions, the result is what a
    /// `BTreeSet` (the type this replaces) holds, in its order.
    #[test]
    fn behaves_as_the_btree_set_it_replaces() {
        let input = [
            at("b/yarn.lock", Some(9)),
            at("a/package-lock.json", None),
            at("b/yarn.lock", Some(2)),
            at("a-b/Cargo.lock", Some(1)),
            at("a/package-lock.json", None),
            at("b/yarn.lock", Some(9)),
            at("a/b/uv.lock", Some(40)),
            at("a/package-lock.json", Some(1)),
        ];
        let set: BTreeSet<Location> = input.iter().cloned().collect();
        let want: Vec<Location> = set.iter().cloned().collect();

        let mut inserted = Locations::new();
        let fresh: Vec<bool> = input.iter().map(|l| inserted.insert(l.clone())).collect();
        let mut seen = BTreeSet::new();
        let want_fresh: Vec<bool> = input.iter().map(|l| seen.insert(l.clone())).collect();
        assert_eq!(fresh, want_fresh);
        assert_eq!(inserted.as_slice(), want.as_slice());

        let collected: Locations = input.iter().cloned().collect();
        assert_eq!(collected, inserted);
        let mut extended = Locations::from([input[3].clone()]);
        extended.extend(input.iter().cloned());
        assert_eq!(extended, inserted);
        let from_vec = Locations::from(input.to_vec());
        assert_eq!(from_vec, inserted);

        assert_eq!(inserted.len(), set.len());
        assert_eq!(inserted.first(), set.first());
        assert_eq!(inserted.last(), set.last());
        assert!(input.iter().all(|l| inserted.contains(l)));
        assert!(!inserted.contains(&at("c", None)));
    }

    /// Serialized as the set was (a JSON array in order); read back sorted and unique
    /// whatever order a document lists them in.
    #[test]
    fn serializes_as_a_sequence_and_reads_back_sorted() {
        let l = Locations::from([at("b", Some(1)), at("a", None)]);
        let json = serde_json::to_string(&l).unwrap();
        let set = BTreeSet::from([at("b", Some(1)), at("a", None)]);
        assert_eq!(json, serde_json::to_string(&set).unwrap());
        let back: Locations =
            serde_json::from_str(r#"[{"path":"b","line":1},{"path":"a"},{"path":"b","line":1}]"#)
                .unwrap();
        assert_eq!(back, l);
    }
}
