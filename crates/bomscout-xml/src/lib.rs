//! A small element tree over `quick-xml`, for the XML bomscout reads: manifests in a scanned
//! tree (Maven POMs, MSBuild project files, NuGet specs, CycloneDX XML) and registry answers
//! (Maven metadata, `.nuspec` files). They are small, and looking things up by path reads far
//! better than an event loop per format. Bounded by [`Limits`]: nesting, element count and
//! text per element, so a hostile document is an error, not a stack overflow.
//!
//! The catalogers and the enrichment sources each word errors their own way (a line in a
//! scanned file, a byte in an answer), so [`parse`] returns an [`XmlError`] with the byte
//! offset and what went wrong, and the caller writes the message.
#![deny(missing_docs)]

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// The bounds of one parse.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Nesting deeper than this is refused.
    pub depth: usize,
    /// More elements than this are refused.
    pub elements: usize,
    /// Text of one element beyond this many bytes is dropped (the element is kept).
    pub text: usize,
}

/// An element: its local name (namespace prefix dropped), attributes, text and children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name.
    pub name: String,
    /// Attributes, local names, values unescaped.
    pub attrs: Vec<(String, String)>,
    /// Concatenated, unescaped text content, trimmed.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
    /// 1-based line of the start tag.
    pub line: u32,
}

impl Element {
    /// The first child named `name`.
    pub fn child(&self, name: &str) -> Option<&Element> {
        self.children.iter().find(|c| c.name == name)
    }

    /// Every child named `name`.
    pub fn all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Element> + 'a {
        self.children.iter().filter(move |c| c.name == name)
    }

    /// The element at a path of child names.
    pub fn at(&self, path: &[&str]) -> Option<&Element> {
        path.iter().try_fold(self, |e, name| e.child(name))
    }

    /// The non-empty text at a path of child names.
    pub fn text_at(&self, path: &[&str]) -> Option<&str> {
        self.at(path)
            .map(|e| e.text.as_str())
            .filter(|t| !t.is_empty())
    }

    /// An attribute's value.
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What is wrong with a document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum XmlErrorKind {
    /// Not well-formed, as `quick-xml` says.
    Syntax(String),
    /// Nested deeper than [`Limits::depth`].
    TooDeep,
    /// More elements than [`Limits::elements`].
    TooMany,
    /// An end tag without its start tag.
    Unbalanced,
    /// The document ends inside an element.
    Unclosed,
    /// There is no root element.
    NoRoot,
}

/// Why a document was refused, and at which byte (none for a missing root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// Byte offset in the text where the problem was found.
    pub offset: Option<usize>,
    /// What went wrong.
    pub kind: XmlErrorKind,
}

impl XmlError {
    fn at(offset: usize, kind: XmlErrorKind) -> XmlError {
        XmlError {
            offset: Some(offset),
            kind,
        }
    }
}

/// Parses `text` into its root element.
pub fn parse(text: &str, limits: &Limits) -> Result<Element, XmlError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut count = 0usize;
    let mut lines = Lines::default();
    loop {
        let position = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
        let event = reader.read_event().map_err(|e| {
            let offset = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
            XmlError::at(offset, XmlErrorKind::Syntax(e.to_string()))
        })?;
        match event {
            Event::Start(_) | Event::Empty(_) if stack.len() > limits.depth => {
                return Err(XmlError::at(position, XmlErrorKind::TooDeep));
            }
            Event::Start(start) => {
                count += 1;
                stack.push(element(&start, lines.tag(text, position)));
            }
            Event::Empty(start) => {
                count += 1;
                let e = element(&start, lines.tag(text, position));
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(e);
                }
            }
            Event::End(_) => {
                let unbalanced = || XmlError::at(position, XmlErrorKind::Unbalanced);
                let mut done = stack.pop().ok_or_else(unbalanced)?;
                done.text = done.text.trim().to_string();
                stack.last_mut().ok_or_else(unbalanced)?.children.push(done);
            }
            Event::Text(t) => push_text(&mut stack, &t.decode().unwrap_or_default(), limits),
            Event::CData(t) => push_text(&mut stack, &String::from_utf8_lossy(&t), limits),
            Event::GeneralRef(r) => push_text(&mut stack, &resolve_ref(&r), limits),
            Event::Eof => break,
            _ => {}
        }
        if count > limits.elements {
            return Err(XmlError::at(position, XmlErrorKind::TooMany));
        }
    }
    if stack.len() != 1 {
        return Err(XmlError::at(text.len(), XmlErrorKind::Unclosed));
    }
    stack
        .pop()
        .and_then(|mut root| root.children.pop())
        .ok_or(XmlError {
            offset: None,
            kind: XmlErrorKind::NoRoot,
        })
}

/// The element a start tag opens at `line`: its local name and its attributes (local names,
/// values normalized; an attribute that does not decode is dropped), no children or text yet.
pub fn element(start: &BytesStart, line: u32) -> Element {
    let name = String::from_utf8_lossy(start.local_name().as_ref()).into_owned();
    let attrs = start
        .attributes()
        .flatten()
        .map(|a| {
            let key = String::from_utf8_lossy(a.key.local_name().as_ref()).into_owned();
            let value = a
                .normalized_value(quick_xml::XmlVersion::Implicit1_0)
                .map(|v| v.into_owned())
                .unwrap_or_default();
            (key, value)
        })
        .collect();
    Element {
        name,
        attrs,
        line,
        ..Element::default()
    }
}

/// The text a reference stands for: a character reference (`&#38;`, `&#x26;`) or one of
/// the five predefined entities; any other `&name;` is kept as written.
pub fn resolve_ref(r: &BytesRef) -> String {
    match r.resolve_char_ref() {
        Ok(Some(c)) => c.to_string(),
        _ => match &*r.decode().unwrap_or_default() {
            "amp" => "&".into(),
            "lt" => "<".into(),
            "gt" => ">".into(),
            "quot" => "\"".into(),
            "apos" => "'".into(),
            other => format!("&{other};"),
        },
    }
}

fn push_text(stack: &mut [Element], text: &str, limits: &Limits) {
    if let Some(top) = stack.last_mut() {
        if top.text.len() < limits.text {
            top.text.push_str(text);
        }
    }
}

/// Line numbers of start tags, counted forward as the reader goes: one pass over the text
/// in all, since tags come in order.
#[derive(Default)]
struct Lines {
    /// Bytes counted so far.
    pos: usize,
    /// The 0-based line at `pos`.
    line: usize,
}

impl Lines {
    /// The 1-based line of the tag the reader is before at `offset` (whitespace before its
    /// `<` skipped, so the line is the tag's own).
    fn tag(&mut self, text: &str, offset: usize) -> u32 {
        let offset = offset.min(text.len());
        let start = text
            .get(offset..)
            .and_then(|rest| rest.find('<'))
            .map_or(offset, |i| offset + i);
        if start > self.pos {
            let seen = text.as_bytes().get(self.pos..start).unwrap_or_default();
            self.line += seen.iter().filter(|&&b| b == b'\n').count();
            self.pos = start;
        }
        u32::try_from(self.line + 1).unwrap_or(u32::MAX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: Limits = Limits {
        depth: 8,
        elements: 100,
        text: 16,
    };

    #[test]
    fn tree_text_attributes_and_lines() {
        let doc = parse("<?xml version=\"1.0\"?>\n<p:project xmlns:p=\"x\">\n  <a k=\"v&amp;w\">one &amp; two<![CDATA[ <3]]></a>\n  <b/>\n</p:project>\n", &LIMITS).unwrap();
        assert_eq!(doc.name, "project");
        assert_eq!(doc.text_at(&["a"]), Some("one & two <3"));
        assert_eq!(doc.child("a").unwrap().attr("k"), Some("v&w"));
        assert_eq!(doc.child("b").unwrap().line, 4);
        assert_eq!(doc.line, 2);
    }

    #[test]
    fn bounds_and_broken_documents() {
        let kind = |text: &str| parse(text, &LIMITS).unwrap_err().kind;
        assert!(matches!(kind("<a><b></a>"), XmlErrorKind::Syntax(_)));
        assert_eq!(kind("<a>"), XmlErrorKind::Unclosed);
        assert_eq!(kind(""), XmlErrorKind::NoRoot);
        assert_eq!(kind(&"<a>".repeat(20)), XmlErrorKind::TooDeep);
        assert_eq!(
            kind(&format!("<a>{}</a>", "<b/>".repeat(200))),
            XmlErrorKind::TooMany
        );
        let capped = parse("<a>0123456789abcdef<![CDATA[more]]></a>", &LIMITS).unwrap();
        assert_eq!(
            capped.text, "0123456789abcdef",
            "text past the limit is dropped"
        );
    }
}
