//! [`SharedStr`]: an immutable string that copies by reference count.

use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable string whose clones share one allocation.
///
/// A scan repeats a few thousand file paths (in every `Location` and license statement of
/// a file), a few dozen license texts (`MIT`, `Apache-2.0`, the field `license`) and the
/// refs of every dependency edge tens or hundreds of thousands of times: as `String`s each
/// copy was its own allocation. It is the one shared-string type of the model, so the
/// builder interns a path once for locations and licenses alike. It reads like a `&str` (it derefs to one, compares equal to
/// `str`, `&str` and `String`, has [`SharedStr::as_str`]) and serializes as a plain string,
/// so JSON is the same as a `String`'s. Equality, order and hash are those of the text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SharedStr(Arc<str>);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when both are the same allocation (not merely equal text).
    pub fn ptr_eq(a: &SharedStr, b: &SharedStr) -> bool {
        Arc::ptr_eq(&a.0, &b.0)
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl fmt::Display for SharedStr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl From<Arc<str>> for SharedStr {
    fn from(s: Arc<str>) -> SharedStr {
        SharedStr(s)
    }
}

impl From<&Arc<str>> for SharedStr {
    fn from(s: &Arc<str>) -> SharedStr {
        SharedStr(Arc::clone(s))
    }
}

impl From<&str> for SharedStr {
    fn from(s: &str) -> SharedStr {
        SharedStr(Arc::from(s))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> SharedStr {
        SharedStr(Arc::from(s))
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> SharedStr {
        SharedStr(Arc::from(s.as_str()))
    }
}

impl From<SharedStr> for Arc<str> {
    fn from(s: SharedStr) -> Arc<str> {
        s.0
    }
}

impl From<SharedStr> for String {
    fn from(s: SharedStr) -> String {
        s.0.to_string()
    }
}

/// `SharedStr == str`-like comparisons both ways, for each borrowed or owned string type.
macro_rules! eq_text {
    ($($other:ty),+) => {$(
        impl PartialEq<$other> for SharedStr {
            fn eq(&self, other: &$other) -> bool {
                *self.0 == **other
            }
        }
        impl PartialEq<SharedStr> for $other {
            fn eq(&self, other: &SharedStr) -> bool {
                **self == *other.0
            }
        }
    )+};
}

eq_text!(&str, String);

impl PartialEq<str> for SharedStr {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<SharedStr> for str {
    fn eq(&self, other: &SharedStr) -> bool {
        *self == *other.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn reads_and_compares_like_its_text() {
        let s = SharedStr::from("MIT");
        assert_eq!(s, "MIT");
        assert_eq!("MIT", s);
        let owned: String = "MIT".into();
        assert_eq!(s, owned);
        assert_eq!(owned, s);
        assert!(s == *"MIT");
        assert_eq!(s.as_str(), "MIT");
        assert_eq!(format!("{s} {s:?}"), "MIT \"MIT\"");
        let apache = SharedStr::from("Apache-2.0");
        assert!(apache < s);
        let set: HashSet<SharedStr> = [s.clone()].into();
        assert!(set.contains("MIT"));
    }

    #[test]
    fn clones_share_and_serialize_as_strings() {
        let s = SharedStr::from("MIT");
        let t = s.clone();
        assert!(SharedStr::ptr_eq(&s, &t));
        assert!(!SharedStr::ptr_eq(&s, &SharedStr::from("MIT")));
        assert_eq!(serde_json::to_string(&s).unwrap(), "\"MIT\"");
        let back: SharedStr = serde_json::from_str("\"MIT\"").unwrap();
        assert_eq!(back, s);
    }
}
