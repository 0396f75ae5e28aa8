//! A small element tree over `quick-xml`, for the XML manifests (Maven POMs, MSBuild
//! project files, NuGet specs): they are small, and looking things up by path reads far
//! better than an event loop per format. Bounded: at most [`MAX_DEPTH`] levels and
//! [`MAX_ELEMENTS`] elements, so a hostile file is an error, not a stack overflow.

use crate::ParseError;
use quick_xml::events::Event;
use quick_xml::Reader;

/// Nesting deeper than this is refused.
pub const MAX_DEPTH: usize = 128;
/// More elements than this are refused.
pub const MAX_ELEMENTS: usize = 1_000_000;

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
}

/// Parses `text` into its root element.
pub fn parse(text: &str) -> Result<Element, ParseError> {
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut count = 0usize;
    let lines = crate::text::LineIndex::new(text);
    let line = |offset: usize| tag_line(text, &lines, offset);
    loop {
        let position = reader.buffer_position() as usize;
        let event = reader
            .read_event()
            .map_err(|e| error(text, reader.error_position() as usize, &e.to_string()))?;
        match event {
            Event::Start(start) | Event::Empty(start) if stack.len() > MAX_DEPTH => {
                let _ = start;
                return Err(error(text, position, "nested too deeply"));
            }
            Event::Start(start) => {
                count += 1;
                stack.push(element(&start, line(position)));
            }
            Event::Empty(start) => {
                count += 1;
                let e = element(&start, line(position));
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(e);
                }
            }
            Event::End(_) => {
                let done = stack
                    .pop()
                    .ok_or_else(|| error(text, position, "unbalanced end tag"))?;
                let parent = stack
                    .last_mut()
                    .ok_or_else(|| error(text, position, "unbalanced end tag"))?;
                let mut done = done;
                done.text = done.text.trim().to_string();
                parent.children.push(done);
            }
            Event::Text(t) => push_text(&mut stack, &t.decode().unwrap_or_default()),
            Event::CData(t) => push_text(&mut stack, &String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => push_text(&mut stack, &resolve_ref(&r)),
            Event::Eof => break,
            _ => {}
        }
        if count > MAX_ELEMENTS {
            return Err(error(text, position, "too many elements"));
        }
    }
    if stack.len() != 1 {
        return Err(error(
            text,
            text.len(),
            "the document ends inside an element",
        ));
    }
    let mut root = stack.pop().unwrap_or_default();
    root.children
        .pop()
        .ok_or_else(|| ParseError::format("no root element"))
}

/// The element a start tag opens at `line`: its local name and its attributes (local names,
/// values normalized; an attribute that does not decode is dropped), no children or text yet.
pub(crate) fn element(start: &quick_xml::events::BytesStart, line: u32) -> Element {
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
pub(crate) fn resolve_ref(r: &quick_xml::events::BytesRef) -> String {
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

fn push_text(stack: &mut [Element], text: &str) {
    if let Some(top) = stack.last_mut() {
        top.text.push_str(text);
    }
}

fn tag_line(text: &str, lines: &crate::text::LineIndex, offset: usize) -> u32 {
    let offset = offset.min(text.len());
    // The position is before the `<`; skip whitespace so the line is the tag's own.
    let start = text
        .get(offset..)
        .and_then(|rest| rest.find('<'))
        .map(|i| offset + i)
        .unwrap_or(offset);
    lines.line(start)
}

fn error(text: &str, offset: usize, message: &str) -> ParseError {
    ParseError::Format {
        line: Some(crate::text::line_of(text, offset.min(text.len()))),
        message: format!("invalid XML: {message}"),
    }
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
