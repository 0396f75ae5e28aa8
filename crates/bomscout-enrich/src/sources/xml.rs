//! A small element tree over `quick-xml` for the XML answers (Maven POMs and metadata,
//! NuGet `.nuspec` files). Bounded: at most [`MAX_DEPTH`] levels and [`MAX_ELEMENTS`]
//! elements, so a hostile answer is an error, not a stack overflow.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::Reader;

/// Nesting deeper than this is refused.
const MAX_DEPTH: usize = 64;
/// More elements than this are refused.
const MAX_ELEMENTS: usize = 200_000;

/// An element: its local name (namespace prefix dropped), attributes, trimmed text and
/// children.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Element {
    /// Local name.
    pub name: String,
    /// Attributes (local names, values unescaped).
    pub attrs: Vec<(String, String)>,
    /// The text directly inside, unescaped and trimmed.
    pub text: String,
    /// Child elements in order.
    pub children: Vec<Element>,
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

/// Parses `bytes` into its root element; the error says what is wrong and at which byte.
pub fn parse(bytes: &[u8]) -> Result<Element, String> {
    let text = std::str::from_utf8(bytes).map_err(|e| format!("not UTF-8: {e}"))?;
    let mut reader = Reader::from_str(text);
    let mut stack: Vec<Element> = vec![Element::default()];
    let mut count = 0usize;
    loop {
        let event = reader
            .read_event()
            .map_err(|e| format!("invalid XML at byte {}: {e}", reader.error_position()))?;
        match event {
            Event::Start(start) => {
                count += 1;
                if stack.len() > MAX_DEPTH {
                    return Err(format!("XML nested deeper than {MAX_DEPTH} levels"));
                }
                stack.push(element(&start));
            }
            Event::Empty(start) => {
                count += 1;
                if let Some(parent) = stack.last_mut() {
                    parent.children.push(element(&start));
                }
            }
            Event::End(_) => {
                let mut done = stack.pop().ok_or("unbalanced end tag")?;
                done.text = done.text.trim().to_string();
                stack
                    .last_mut()
                    .ok_or("unbalanced end tag")?
                    .children
                    .push(done);
            }
            Event::Text(t) => push_text(&mut stack, &t.decode().unwrap_or_default()),
            Event::CData(t) => push_text(&mut stack, &String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => push_text(&mut stack, &resolve_ref(&r)),
            Event::Eof => break,
            _ => {}
        }
        if count > MAX_ELEMENTS {
            return Err(format!("more than {MAX_ELEMENTS} XML elements"));
        }
    }
    if stack.len() != 1 {
        return Err("the XML document ends inside an element".to_string());
    }
    stack
        .pop()
        .and_then(|mut root| root.children.pop())
        .ok_or_else(|| "no XML root element".to_string())
}

fn element(start: &BytesStart) -> Element {
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
        ..Element::default()
    }
}

fn resolve_ref(r: &BytesRef) -> String {
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
        if top.text.len() < 1024 * 1024 {
            top.text.push_str(text);
        }
    }
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
