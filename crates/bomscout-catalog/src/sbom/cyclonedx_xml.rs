//! CycloneDX XML (any version 1.2–1.7) read into a [`Catalog`].
//!
//! The XML is read into an element tree ([`crate::xml`]: bounded depth and element count)
//! and rebuilt in the shape of the JSON serialization, which [`super::cyclonedx`] then maps,
//! so both serializations keep exactly the same facts. What moves between the two: the
//! `bom-ref` and `type` attributes, `hash` elements (`alg` attribute, hex text), `license`
//! (`id` or `name`, `acknowledgement` attribute) and `expression` elements, `property`
//! elements (`name` attribute, text value), `evidence` (`occurrences`, `licenses`), nested
//! `components`, and `dependency` elements nesting their targets.

use crate::xml::{self, Element};
use crate::{Input, ParseError};
use bomscout_core::escape::{quote, QUOTE_LIMIT};
use bomscout_core::Catalog;
use serde_json::{json, Map, Value};

/// The namespace every CycloneDX XML version's URI starts with.
const NAMESPACE: &str = "http://cyclonedx.org/schema/bom/";

/// Reads one CycloneDX XML document.
pub fn parse(input: &Input) -> Result<Catalog, ParseError> {
    read(input).map(|(catalog, _)| catalog)
}

/// Reads one CycloneDX XML document: its catalog and its subject's name
/// (`metadata/component/name`).
pub(crate) fn read(input: &Input) -> Result<(Catalog, Option<String>), ParseError> {
    let text = crate::text::utf8(input.bytes)?;
    let root = xml::parse(text)?;
    if root.name != "bom" {
        return Err(ParseError::Format {
            line: Some(root.line),
            message: format!(
                "an XML document, but not CycloneDX: its root element is {}, not <bom>",
                quote(&root.name, QUOTE_LIMIT)
            ),
        });
    }
    let namespace = root
        .attrs
        .iter()
        .find(|(k, _)| k == "xmlns")
        .map(|(_, v)| v.as_str());
    if namespace.is_some_and(|ns| !ns.starts_with(NAMESPACE)) {
        return Err(ParseError::Format {
            line: Some(root.line),
            message: format!(
                "a <bom> element, but not in the CycloneDX namespace ({NAMESPACE}…): {}",
                quote(namespace.unwrap_or_default(), QUOTE_LIMIT)
            ),
        });
    }
    let doc = to_json(&root);
    let name = root
        .text_at(&["metadata", "component", "name"])
        .map(str::to_string);
    Ok((super::cyclonedx::catalog(&doc, input.path), name))
}

/// The document in CycloneDX JSON's shape.
fn to_json(root: &Element) -> Value {
    let components: Vec<Value> = root
        .child("components")
        .map(|c| c.all("component").map(component).collect())
        .unwrap_or_default();
    let dependencies: Vec<Value> = root
        .child("dependencies")
        .map(|d| {
            d.all("dependency")
                .filter_map(|dep| {
                    let from = attr(dep, "ref")?;
                    let to: Vec<&str> = dep
                        .all("dependency")
                        .filter_map(|t| attr(t, "ref"))
                        .collect();
                    Some(json!({"ref": from, "dependsOn": to}))
                })
                .collect()
        })
        .unwrap_or_default();
    json!({
        "bomFormat": "CycloneDX",
        "components": components,
        "dependencies": dependencies,
    })
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
        let options = crate::Options::default();
        parse(&Input {
            bytes: text.as_bytes(),
            path: "bom.xml",
            abs: std::path::Path::new("bom.xml"),
            root: std::path::Path::new("/"),
            options: &options,
        })
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
        let licenses: Vec<(&str, SourceKind)> = c
            .licenses
            .iter()
            .map(|l| (l.raw.as_str(), l.source.kind))
            .collect();
        assert_eq!(
            licenses,
            [
                ("MIT", SourceKind::Declared),
                ("Apache-2.0 OR MIT", SourceKind::File)
            ]
        );
        assert_eq!(c.copyrights[0].text, "Copyright A & B");
        let loc = c.locations.iter().next().unwrap();
        assert_eq!(
            (loc.path.as_str(), loc.line),
            ("package-lock.json", Some(12))
        );
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
    }
}
