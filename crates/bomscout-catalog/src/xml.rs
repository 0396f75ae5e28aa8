//! The XML manifests' element tree ([`bomscout_xml`]) with the catalogers' bounds, and its
//! errors as a [`ParseError`] on the line where the problem is.

use crate::ParseError;
use bomscout_xml::{Limits, XmlErrorKind};

pub(crate) use bomscout_xml::{element, resolve_ref, Element};

/// Nesting deeper than this is refused.
pub const MAX_DEPTH: usize = 128;
/// More elements than this are refused.
pub const MAX_ELEMENTS: usize = 1_000_000;

const LIMITS: Limits = Limits {
    depth: MAX_DEPTH,
    elements: MAX_ELEMENTS,
    text: usize::MAX,
};

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<Element, ParseError> {
    bomscout_xml::parse(text, &LIMITS).map_err(|e| {
        let message = match e.kind {
            XmlErrorKind::Syntax(reason) => reason,
            XmlErrorKind::TooDeep => "nested too deeply".to_string(),
            XmlErrorKind::TooMany => "too many elements".to_string(),
            XmlErrorKind::Unbalanced => "unbalanced end tag".to_string(),
            XmlErrorKind::Unclosed => "the document ends inside an element".to_string(),
            XmlErrorKind::NoRoot => return ParseError::format("no root element"),
        };
        ParseError::Format {
            line: e
                .offset
                .map(|offset| crate::text::line_of(text, offset.min(text.len()))),
            message: format!("invalid XML: {message}"),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_text_attributes_and_lines() {
        let doc = parse("<?xml version=\"1.0\"?>\n<p:project xmlns:p=\"x\">\n  <a k=\"v&amp;w\">one &amp; two<![CDATA[ <3]]></a>\n  <b/>\n</p:project>\n").unwrap();
        assert_eq!(doc.name, "project");
        assert_eq!(doc.text_at(&["a"]), Some("one & two <3"));
        assert_eq!(
            doc.child("a").unwrap().attrs,
            [("k".to_string(), "v&w".to_string())]
        );
        assert_eq!(doc.child("b").unwrap().line, 4);
        assert_eq!(doc.line, 2);
    }

    #[test]
    fn hostile_and_broken() {
        assert!(parse("<a><b></a>").unwrap_err().line().is_some());
        assert!(parse("<a>").is_err());
        assert!(parse("").is_err());
        let deep = "<a>".repeat(MAX_DEPTH + 5);
        assert!(parse(&deep).is_err());
    }
}
