//! Pieces for reading JSON with serde_json straight into typed structs that borrow from
//! the input, instead of building a `serde_json::Value` tree of the whole file.
//!
//! - [`Str`]: a string borrowed from the input, or decoded when it holds escapes (`\"`,
//!   `\u00e9`); serde's own `Cow<str>` is always owned unless it is a struct field marked
//!   `#[serde(borrow)]`, and a plain `&str` fails on escapes.
//! - [`Skip`]: a value that is read and dropped. Unlike `serde::de::IgnoredAny` (which
//!   serde_json skips without counting levels), it goes through `deserialize_any`, so
//!   serde_json's nesting limit (128) holds inside skipped values too: a document the
//!   `Value` parser refuses as too deep is refused here as well.
//! - [`Keys`]: the keys of an object, sorted and each once, as a `serde_json::Map` (a
//!   `BTreeMap` in this workspace) gives them.
//! - [`sort_last_wins`]: entries in key order, the last of a duplicated key kept, again as
//!   the `Map` does.
//!
//! The readers built from these accept only the shape a tool writes; anything else is an
//! error, and their callers then parse the file the general way (into a `Value`), which
//! stays the reference for every other shape and for every diagnostic.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::fmt;

/// A JSON string: borrowed from the input when it has no escapes, else decoded.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Str<'a>(pub Cow<'a, str>);

impl<'de: 'a, 'a> Deserialize<'de> for Str<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Str<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Str<'de>, E> {
                Ok(Str(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

/// Any JSON value, read (with serde_json's nesting limit) and dropped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Skip;

impl<'de> Deserialize<'de> for Skip {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(SkipVisitor)
    }
}

struct SkipVisitor;

impl<'de> Visitor<'de> for SkipVisitor {
    type Value = Skip;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any value")
    }
    fn visit_bool<E: de::Error>(self, _: bool) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_i64<E: de::Error>(self, _: i64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_u64<E: de::Error>(self, _: u64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_f64<E: de::Error>(self, _: f64) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_str<E: de::Error>(self, _: &str) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_none<E: de::Error>(self) -> Result<Skip, E> {
        Ok(Skip)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Skip, D::Error> {
        Skip::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Skip, A::Error> {
        while seq.next_element::<Skip>()?.is_some() {}
        Ok(Skip)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Skip, A::Error> {
        while map.next_entry::<Skip, Skip>()?.is_some() {}
        Ok(Skip)
    }
}

/// The keys of a JSON object, sorted and each once; the values are skipped. Anything but
/// an object is an error.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Keys<'a>(pub Vec<Cow<'a, str>>);

impl<'de> Deserialize<'de> for Keys<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Keys<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keys<'de>, A::Error> {
                let mut keys = Vec::with_capacity(map.size_hint().unwrap_or(0));
                while let Some(Str(k)) = map.next_key()? {
                    map.next_value::<Skip>()?;
                    keys.push(k);
                }
                keys.sort_unstable();
                keys.dedup();
                Ok(Keys(keys))
            }
        }
        d.deserialize_map(V)
    }
}

/// Sorts `entries` by key (stable) and keeps, of each duplicated key, the value written
/// last: the order and the values a `serde_json::Map` of the same object has.
pub fn sort_last_wins<K: Ord, V>(entries: &mut Vec<(K, V)>) {
    // Already in order, each key once (what a tool writes, mostly): nothing to move, and
    // no scratch buffer for the stable sort.
    if entries.windows(2).all(|w| matches!(w, [a, b] if a.0 < b.0)) {
        return;
    }
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.dedup_by(|later, kept| {
        if later.0 == kept.0 {
            std::mem::swap(later, kept);
            true
        } else {
            false
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_borrow_unless_escaped() {
        let s: Str = serde_json::from_str(r#""plain""#).unwrap();
        assert!(matches!(s.0, Cow::Borrowed("plain")));
        let s: Str = serde_json::from_str(r#""caf\u00e9 \"q\"""#).unwrap();
        assert!(matches!(&s.0, Cow::Owned(o) if o == "café \"q\""));
        assert!(serde_json::from_str::<Str>("5").is_err());
    }

    #[test]
    fn keys_are_sorted_and_unique_like_a_map() {
        let text = r#"{"b": 1, "a": [2], "b": {"x": null}, "\u0061": true}"#;
        let keys: Keys = serde_json::from_str(text).unwrap();
        let map: serde_json::Map<String, serde_json::Value> = serde_json::from_str(text).unwrap();
        let expected: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys.0, expected);
        assert!(serde_json::from_str::<Keys>("[]").is_err());
    }

    #[test]
    fn last_value_of_a_duplicated_key_wins() {
        let mut v = vec![("b", 1), ("a", 2), ("b", 3), ("a", 4), ("c", 5)];
        sort_last_wins(&mut v);
        assert_eq!(v, [("a", 4), ("b", 3), ("c", 5)]);
    }

    #[test]
    fn skipped_values_keep_the_nesting_limit() {
        let deep = format!("{}{}", "[".repeat(200), "]".repeat(200));
        let err = serde_json::from_str::<Skip>(&deep).unwrap_err();
        assert!(err.to_string().contains("recursion limit"), "{err}");
        let fine = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(serde_json::from_str::<Skip>(&fine).unwrap(), Skip);
        // serde's IgnoredAny would not have refused it:
        assert!(serde_json::from_str::<de::IgnoredAny>(&deep).is_ok());
    }
}
