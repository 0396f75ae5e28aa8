//! CycloneDX XML (any version 1.2–1.7) read into a [`Catalog`].
//!
//! The document is read as a stream of XML events; each top-level `component` and each
//! `dependency` is gathered into a small element tree ([`crate::xml::Element`]) and, as
//! soon as it ends, rebuilt in the shape of the JSON serialization and the tree dropped. So
//! memory holds one component's tree at a time, and the number of components is bounded
//! by the file size limit alone (an organization-wide document has hundreds of thousands).
//! [`super::cyclonedx`] then maps the JSON shape, so both serializations keep exactly the
//! same facts. What moves between the two: the `bom-ref` and `type` attributes, `hash`
//! elements (`alg` attribute, hex text), `license` (`id` or `name`, `acknowledgement`
//! attribute) and `expression` elements, `property` elements (`name` attribute, text
//! value), `evidence` (`occurrences`, `licenses`), nested `components`, and `dependency`
//! elements nesting their targets. Nesting deeper than [`MAX_DEPTH`] is refused.

use crate::xml::{element, resolve_ref, Element};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::Catalog;
use quick_xml::events::Event;
use quick_xml::Reader;
use serde_json::{json, Map, Value};

/// The namespace every CycloneDX XML version's URI starts with.
const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Elements nested deeper than this are refused.
pub const MAX_DEPTH: usize = 128;

/// Reads one CycloneDX XML document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    read(input).map(|(catalog, _)| catalog)
}

/// Reads one CycloneDX XML document: its catalog and its subject's name
/// (`metadata/component/name`).
pub(crate) fn read(input: &Input) -> Result<(Catalog, Option<String>), ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let (components, dependencies, name) = stream(text)?;
    let doc = json!({
        "bomFormat": "CycloneDX",
        "components": components,
        "dependencies": dependencies,
    });
    Ok((super::cyclonedx::catalog(&doc, input.path()), name))
}

/// What [`stream`] gathers: top-level components and dependencies in JSON shape, and the
/// subject's name.
type Gathered = (Vec<Value>, Vec<Value>, Option<String>);

/// Reads the events of `text`.
fn stream(text: &str) -> Result<Gathered, ParseError> {
    let mut reader = Reader::from_str(text);
    let lines = crate::text::LineIndex::new(text);
    let error = |offset: u64, message: &str| ParseError::Format {
        line: Some(lines.line(clamp(text, offset))),
        message: format!("invalid XML: {message}"),
    };
    // Open elements, outermost first; their children are attached when they end, except
    // top-level components and dependencies, which are converted and dropped.
    let mut stack: Vec<Element> = Vec::new();
    let mut seen_root = false;
    let mut gathered: Gathered = (Vec::new(), Vec::new(), None);
    loop {
        let position = reader.buffer_position();
        let event = reader
            .read_event()
            .map_err(|e| error(reader.error_position(), &e.to_string()))?;
        match event {
            Event::Start(_) | Event::Empty(_) if stack.len() >= MAX_DEPTH => {
                return Err(error(position, "nested too deeply"));
            }
            Event::Start(start) => {
                let e = element(&start, lines.line(skip_space(text, position)));
                if stack.is_empty() {
                    check_root(&e, seen_root)?;
                    seen_root = true;
                }
                stack.push(e);
            }
            Event::Empty(start) => {
                let e = element(&start, lines.line(skip_space(text, position)));
                if stack.is_empty() {
                    check_root(&e, seen_root)?;
                    seen_root = true;
                } else {
                    close(&mut stack, e, &mut gathered);
                }
            }
            Event::End(_) => {
                let mut done = stack
                    .pop()
                    .ok_or_else(|| error(position, "unbalanced end tag"))?;
                done.text = done.text.trim().to_string();
                if !stack.is_empty() {
                    close(&mut stack, done, &mut gathered);
                }
            }
            Event::Text(t) => push_text(&mut stack, &t.decode().unwrap_or_default()),
            Event::CData(t) => push_text(&mut stack, &String::from_utf8_lossy(&t)),
            Event::GeneralRef(r) => push_text(&mut stack, &resolve_ref(&r)),
            Event::Eof => break,
            _ => {}
        }
    }
    if !stack.is_empty() {
        return Err(error(
            text.len() as u64,
            "the document ends inside an element",
        ));
    }
    if !seen_root {
        return Err(ParseError::format("invalid XML: no root element"));
    }
    Ok(gathered)
}

/// Attaches the element that just ended to its parent, or converts it when it is a
/// top-level component or dependency (or the subject's name).
fn close(stack: &mut [Element], done: Element, gathered: &mut Gathered) {
    let (components, dependencies, name) = gathered;
    let path: Vec<&str> = stack.iter().map(|e| e.name.as_str()).collect();
    match (path.as_slice(), done.name.as_str()) {
        (["bom", "components"], "component") => components.push(component(&done)),
        (["bom", "dependencies"], "dependency") => {
            if let Some(from) = attr(&done, "ref") {
                let to: Vec<&str> = done
                    .all("dependency")
                    .filter_map(|t| attr(t, "ref"))
                    .collect();
                dependencies.push(json!({"ref": from, "dependsOn": to}));
            }
        }
        (["bom", "metadata", "component"], "name") => {
            *name = Some(done.text).filter(|t| !t.is_empty());
        }
        _ => {
            if let Some(parent) = stack.last_mut() {
                parent.children.push(done);
            }
        }
    }
}

/// The root must be one CycloneDX `<bom>`.
fn check_root(root: &Element, seen_root: bool) -> Result<(), ParseError> {
    let at = |message: String| ParseError::Format {
        line: Some(root.line),
        message,
    };
    if seen_root {
        return Err(at("invalid XML: a second root element".into()));
    }
    if root.name != "bom" {
        return Err(at(format!(
            "an XML document, but not CycloneDX: its root element is {}, not <bom>",
            quote(&root.name, QUOTE_LIMIT)
        )));
    }
    let namespace = attr(root, "xmlns");
    if namespace.is_some_and(|ns| !ns.starts_with(NAMESPACE)) {
        return Err(at(format!(
            "a <bom> element, but not in the CycloneDX namespace ({NAMESPACE}…): {}",
            quote(namespace.unwrap_or_default(), QUOTE_LIMIT)
        )));
    }
    Ok(())
}

/// Text is kept only inside a component, a dependency or the metadata: the whitespace
/// between the document's top-level elements is not needed.
fn push_text(stack: &mut [Element], text: &str) {
    if stack.len() > 2 {
        if let Some(top) = stack.last_mut() {
            top.text.push_str(text);
        }
    }
}

fn clamp(text: &str, offset: u64) -> usize {
    usize::try_from(offset)
        .unwrap_or(usize::MAX)
        .min(text.len())
}

/// The first non-whitespace byte at or after `offset`: the tag's own line.
fn skip_space(text: &str, offset: u64) -> usize {
    let offset = clamp(text, offset);
    text.get(offset..)
        .and_then(|rest| rest.find(|c: char| !c.is_whitespace()))
        .map_or(offset, |i| offset + i)
}

fn attr<'e>(e: &'e Element, name: &str) -> Option<&'e str> {
    e.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// A `component` element as its JSON object. Nesting is bounded by the XML reader's depth.
fn component(e: &Element) -> Value {
    let mut o = Map::new();
    for key in ["bom-ref", "type"] {
        if let Some(v) = attr(e, key) {
            o.insert(key.into(), v.into());
        }
    }
    for c in &e.children {
        let value = match c.name.as_str() {
            "group" | "name" | "version" | "scope" | "purl" | "copyright" => {
                Value::from(c.text.as_str())
            }
            "hashes" => c
                .all("hash")
                .map(|h| json!({"alg": attr(h, "alg").unwrap_or_default(), "content": h.text}))
                .collect(),
            "licenses" => licenses(c),
            "properties" => c
                .all("property")
                .filter_map(|p| Some(json!({"name": attr(p, "name")?, "value": p.text})))
                .collect(),
            "evidence" => evidence(c),
            "components" => c.all("component").map(component).collect(),
            _ => continue,
        };
        o.insert(c.name.clone(), value);
    }
    Value::Object(o)
}

/// `licenses`: `license` (with `id` or `name`) and `expression` children.
fn licenses(e: &Element) -> Value {
    e.children
        .iter()
        .filter_map(|l| {
            let ack = attr(l, "acknowledgement");
            match l.name.as_str() {
                "license" => {
                    let mut license = Map::new();
                    for key in ["id", "name"] {
                        if let Some(v) = l.text_at(&[key]) {
                            license.insert(key.into(), v.into());
                        }
                    }
                    if let Some(a) = ack {
                        license.insert("acknowledgement".into(), a.into());
                    }
                    Some(json!({ "license": license }))
                }
                "expression" => {
                    let mut x = json!({"expression": l.text});
                    if let (Some(a), Some(o)) = (ack, x.as_object_mut()) {
                        o.insert("acknowledgement".into(), a.into());
                    }
                    Some(x)
                }
                _ => None,
            }
        })
        .collect()
}

/// `evidence`: `occurrences` (location and line) and `licenses`.
fn evidence(e: &Element) -> Value {
    let occurrences: Vec<Value> = e
        .child("occurrences")
        .into_iter()
        .flat_map(|o| o.all("occurrence"))
        .filter_map(|o| {
            let location = o.text_at(&["location"])?;
            let line = o.text_at(&["line"]).and_then(|l| l.parse::<u32>().ok());
            Some(match line {
                Some(l) => json!({"location": location, "line": l}),
                None => json!({"location": location}),
            })
        })
        .collect();
    let licenses = e.child("licenses").map(licenses).unwrap_or(json!([]));
    json!({"occurrences": occurrences, "licenses": licenses})
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use bomscout_core::{DepKind, NodeRef, Scope, SourceKind};

    fn input(text: &str) -> Result<Catalog, ParseError> {
        crate::parse_str(parse, "bom.xml", text)
    }

    pub(crate) const DOC: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.6" serialNumber="urn:uuid:x" version="1">
  <metadata><component type="application" bom-ref="root"><name>demo</name></component></metadata>
  <components>
    <component type="application" bom-ref="project:npm:.">
      <name>app</name>
      <properties>
        <property name="bomscout:project-dir">.</property>
        <property name="bomscout:manifest">package-lock.json</property>
        <property name="bomscout:manifest">package.json</property>
      </properties>
    </component>
    <component type="library" bom-ref="pkg:npm/%40babel/core@7.0.0">
      <group>@babel</group>
      <name>core</name>
      <version>7.0.0</version>
      <scope>excluded</scope>
      <hashes><hash alg="SHA-256">abababababababababababababababababababababababababababababababab</hash></hashes>
      <licenses><license acknowledgement="declared"><id>MIT</id></license></licenses>
      <copyright>Copyright A &amp; B</copyright>
      <purl>pkg:npm/%40babel/core@7.0.0</purl>
      <properties><property name="bomscout:scope">dev</property></properties>
      <evidence>
        <occurrences><occurrence><location>package-lock.json</location><line>12</line></occurrence></occurrences>
        <licenses><expression>Apache-2.0 OR MIT</expression></licenses>
      </evidence>
    </component>
  </components>
  <dependencies>
    <dependency ref="project:npm:."><dependency ref="pkg:npm/%40babel/core@7.0.0"/></dependency>
    <dependency ref="pkg:npm/%40babel/core@7.0.0"/>
  </dependencies>
</bom>
"#;

    #[test]
    fn every_field_bomscout_writes() {
        let cat = input(DOC).unwrap();
        assert_eq!(cat.projects.len(), 2, "one entry per manifest");
        assert_eq!(cat.projects[0].manifest, "package-lock.json");
        assert_eq!(cat.projects[1].manifest, "package.json");
        assert_eq!(cat.projects[0].name.as_deref(), Some("app"));
        assert_eq!(cat.projects[0].deps.len(), 1);
        assert_eq!(cat.projects[0].deps[0].to, NodeRef::Package(0));
        assert_eq!(cat.projects[0].deps[0].kind, DepKind::Dev);
        let c = &cat.packages[0].component;
        assert_eq!(c.namespace.as_deref(), Some("@babel"));
        assert_eq!(c.name, "core");
        assert_eq!(c.purl.as_str(), "pkg:npm/%40babel/core@7.0.0");
        assert_eq!(c.scope, Scope::Dev);
        assert_eq!(c.hashes.len(), 1);
        let licenses = crate::sbom::license_kinds(c);
        assert_eq!(
            licenses,
            [
                ("MIT", SourceKind::Declared),
                ("Apache-2.0 OR MIT", SourceKind::File)
            ]
        );
        assert_eq!(c.copyrights[0].text, "Copyright A & B");
        let loc = c.locations.iter().next().unwrap();
        assert_eq!((&*loc.path, loc.line), ("package-lock.json", Some(12)));
    }

    #[test]
    fn broken_and_foreign_xml_are_errors_with_lines() {
        let truncated = DOC.split("</components>").next().unwrap();
        let err = input(truncated).unwrap_err();
        assert!(err.to_string().contains("invalid XML"), "{err}");
        assert!(err.line().is_some());
        let err = input("<?xml version=\"1.0\"?>\n<project><a/></project>").unwrap_err();
        assert_eq!(err.line(), Some(2));
        assert!(
            err.to_string().contains("root element is \"project\""),
            "{err}"
        );
        let err = input("<bom xmlns=\"urn:other\"/>").unwrap_err();
        assert!(err.to_string().contains("CycloneDX namespace"), "{err}");
        let deep = format!(
            "<bom xmlns=\"{NAMESPACE}1.6\"><components>{}",
            "<component><components>".repeat(MAX_DEPTH)
        );
        let err = input(&deep).unwrap_err();
        assert!(err.to_string().contains("nested too deeply"), "{err}");
        let err = input("<bom/><bom/>").unwrap_err();
        assert!(err.to_string().contains("second root"), "{err}");
    }
}
