//! [`SharedStr`]: an immutable string that copies by reference count.

use arcstr::ArcStr;
use serde::{Deserialize, Serialize};
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;

/// An immutable string whose clones share one allocation.
///
/// A scan repeats a few thousand file paths (in every `Location` and license statement of
/// a file), a few dozen license texts (`MIT`, `Apache-2.0`, the field `license`) and the
/// refs of every dependency edge tens or hundreds of thousands of times: as `String`s each
/// copy was its own allocation. It is the one shared-string type of the model, so the
/// builder interns a path once for locations and licenses alike. It is one pointer wide
/// (an [`ArcStr`] keeps the length in the allocation, where `Arc<str>` carries it beside
/// the pointer): a `Location` is 16 bytes and a license statement 56, not 24 and 96, and an
/// organization's scan holds millions of locations. It reads like a `&str` (it derefs to one, compares equal to
/// `str`, `&str` and `String`, has [`SharedStr::as_str`]) and serializes as a plain string,
/// so JSON is the same as a `String`'s. Equality, order and hash are those of the text.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub struct SharedStr(ArcStr);

impl SharedStr {
    /// The text.
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// True when both are the same allocation (not merely equal text).
    pub fn ptr_eq(a: &SharedStr, b: &SharedStr) -> bool {
        ArcStr::ptr_eq(&a.0, &b.0)
    }
}

impl Deref for SharedStr {
    type Target = str;
    fn deref(&self) -> &str {
        self.0.as_str()
    }
}

impl AsRef<str> for SharedStr {
    fn as_ref(&self) -> &str {
        self.0.as_str()
    }
}

impl Borrow<str> for SharedStr {
    fn borrow(&self) -> &str {
        self.0.as_str()
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

impl From<&str> for SharedStr {
    fn from(s: &str) -> SharedStr {
        SharedStr(ArcStr::from(s))
    }
}

impl From<String> for SharedStr {
    fn from(s: String) -> SharedStr {
        SharedStr(ArcStr::from(s))
    }
}

impl From<&String> for SharedStr {
    fn from(s: &String) -> SharedStr {
        SharedStr(ArcStr::from(s.as_str()))
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

    /// One pointer: what keeps the model's millions of locations and statements small.
    #[test]
    fn is_one_pointer_wide() {
        use std::mem::size_of;
        assert_eq!(size_of::<SharedStr>(), size_of::<usize>());
        assert_eq!(size_of::<Option<SharedStr>>(), size_of::<usize>());
        assert_eq!(size_of::<crate::Location>(), 16);
        assert_eq!(size_of::<crate::License>(), 56);
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
