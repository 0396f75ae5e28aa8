//! The registry answers' element tree ([`bomscout_xml`]: Maven POMs and metadata, NuGet
//! `.nuspec` files) with tighter bounds than a scanned manifest's: at most [`MAX_DEPTH`]
//! levels, [`MAX_ELEMENTS`] elements and 1 MiB of text per element, so a hostile answer is
//! an error, not a stack overflow.

use bomscout_xml::{Limits, XmlErrorKind};

pub use bomscout_xml::Element;

/// Nesting deeper than this is refused.
const MAX_DEPTH: usize = 64;
/// More elements than this are refused.
const MAX_ELEMENTS: usize = 200_000;

const LIMITS: Limits = Limits {
    depth: MAX_DEPTH,
    elements: MAX_ELEMENTS,
    text: 1024 * 1024,
};

/// Parses `bytes` into its root element; the error says what is wrong and at which byte.
pub fn parse(bytes: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    bomscout_xml::parse(text, &LIMITS).map_err(|e| match e.kind {
        XmlErrorKind::Syntax(reason) => {
            format!("invalid XML at byte {}: {reason}", e.offset.unwrap_or(0))
        }
        XmlErrorKind::TooDeep => format!("XML nested deeper than {MAX_DEPTH} levels"),
        XmlErrorKind::TooMany => format!("more than {MAX_ELEMENTS} XML elements"),
        XmlErrorKind::Unbalanced => "unbalanced end tag".to_string(),
        XmlErrorKind::Unclosed => "the XML document ends inside an element".to_string(),
        XmlErrorKind::NoRoot => "no XML root element".to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_text_and_attributes() {
        let doc = parse(b"<?xml version=\"1.0\"?>\n<p:project xmlns:p=\"x\">\n  <a k=\"v&amp;w\">one &amp; two<![CDATA[ <3]]></a>\n  <b/>\n</p:project>\n").unwrap();
        assert_eq!(doc.name, "project");
        assert_eq!(doc.text_at(&["a"]), Some("one & two <3"));
        assert_eq!(doc.child("a").unwrap().attr("k"), Some("v&w"));
        assert!(doc.child("b").is_some());
    }

    #[test]
    fn hostile_and_broken() {
        assert!(parse(b"<a><b></a>").is_err());
        assert!(parse(b"<a>").is_err());
        assert!(parse(b"").is_err());
        assert!(parse(b"\xff\xfe<a/>").is_err());
        assert!(parse("<a>".repeat(MAX_DEPTH + 5).as_bytes()).is_err());
    }
}
