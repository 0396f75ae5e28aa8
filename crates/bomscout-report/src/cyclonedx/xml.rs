//! CycloneDX XML: the same document as the JSON writer (both render [`Bom`]), in the
//! element order each version's XSD requires.

use super::model::*;
use super::SpecVersion;
use quick_xml::events::{BytesDecl, BytesText, Event};
use quick_xml::Writer;
use std::borrow::Cow;
use std::io::{self, Write};

type W<'a> = Writer<&'a mut dyn Write>;

/// Writes `bom` as CycloneDX XML of version `v`.
pub fn write(bom: &Bom, v: SpecVersion, out: &mut dyn Write) -> io::Result<()> {
    let mut w = Writer::new_with_indent(out, b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    let ns = format!("http://cyclonedx.org/schema/bom/{}", v.as_str());
    w.create_element("bom")
        .with_attribute(("xmlns", ns.as_str()))
        .with_attribute(("serialNumber", bom.serial_number.as_str()))
        .with_attribute(("version", "1"))
        .write_inner_content(|w| {
            metadata(w, &bom.metadata)?;
            w.create_element("components").write_inner_content(|w| {
                bom.components.iter().try_for_each(|c| component(w, &c, v))
            })?;
            dependencies(w, &bom.dependencies)?;
            vulnerabilities(w, &bom.vulnerabilities)
        })?;
    writeln!(w.get_mut())
}

/// Text for XML 1.0, which cannot carry most control characters: they are dropped.
fn clean(s: &str) -> Cow<'_, str> {
    let bad = |c: char| {
        (c < ' ' && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
    };
    if s.chars().any(bad) {
        Cow::Owned(s.chars().filter(|c| !bad(*c)).collect())
    } else {
        Cow::Borrowed(s)
    }
}

fn text(w: &mut W, name: &str, value: &str) -> io::Result<()> {
    w.create_element(name)
        .write_text_content(BytesText::new(&clean(value)))?;
    Ok(())
}

fn metadata(w: &mut W, m: &Metadata) -> io::Result<()> {
    w.create_element("metadata").write_inner_content(|w| {
        if let Some(t) = &m.timestamp {
            text(w, "timestamp", t)?;
        }
        w.create_element("tools")
            .write_inner_content(|w| match &m.tools {
                Tools::Components { components } => w
                    .create_element("components")
                    .write_inner_content(|w| {
                        components.iter().try_for_each(|t| {
                            w.create_element("component")
                                .with_attribute(("type", t.kind))
                                .write_inner_content(|w| {
                                    text(w, "name", t.name)?;
                                    text(w, "version", t.version)
                                })?;
                            Ok(())
                        })
                    })
                    .map(|_| ()),
                Tools::Legacy(tools) => tools.iter().try_for_each(|t| {
                    w.create_element("tool").write_inner_content(|w| {
                        text(w, "name", t.name)?;
                        text(w, "version", t.version)
                    })?;
                    Ok(())
                }),
            })?;
        w.create_element("component")
            .with_attribute(("type", m.component.kind))
            .with_attribute(("bom-ref", m.component.bom_ref))
            .write_inner_content(|w| {
                text(w, "name", m.component.name)?;
                if let Some(v) = m.component.version {
                    text(w, "version", v)?;
                }
                if let Some(p) = m.component.purl {
                    text(w, "purl", p)?;
                }
                Ok(())
            })?;
        Ok(())
    })?;
    Ok(())
}

fn component(w: &mut W, c: &CdxComponent, v: SpecVersion) -> io::Result<()> {
    let bom_ref = clean(&c.bom_ref);
    w.create_element("component")
        .with_attribute(("type", c.kind))
        .with_attribute(("bom-ref", bom_ref.as_ref()))
        .write_inner_content(|w| {
            if let Some(s) = &c.supplier {
                w.create_element("supplier")
                    .write_inner_content(|w| text(w, "name", &s.name))?;
            }
            if let Some(g) = &c.group {
                text(w, "group", g)?;
            }
            text(w, "name", &c.name)?;
            if let Some(version) = &c.version {
                text(w, "version", version)?;
            }
            if let Some(scope) = c.scope {
                text(w, "scope", scope)?;
            }
            if !c.hashes.is_empty() {
                w.create_element("hashes").write_inner_content(|w| {
                    c.hashes.iter().try_for_each(|h| {
                        w.create_element("hash")
                            .with_attribute(("alg", h.alg))
                            .write_text_content(BytesText::new(&h.content))?;
                        Ok(())
                    })
                })?;
            }
            licenses(w, &c.licenses)?;
            if let Some(copyright) = &c.copyright {
                text(w, "copyright", copyright)?;
            }
            if let Some(p) = &c.purl {
                text(w, "purl", p)?;
            }
            if !c.external_references.is_empty() {
                w.create_element("externalReferences")
                    .write_inner_content(|w| {
                        c.external_references.iter().try_for_each(|r| {
                            w.create_element("reference")
                                .with_attribute(("type", r.kind))
                                .write_inner_content(|w| text(w, "url", &r.url))?;
                            Ok(())
                        })
                    })?;
            }
            if !c.properties.is_empty() {
                w.create_element("properties").write_inner_content(|w| {
                    c.properties.iter().try_for_each(|p| {
                        let name = clean(&p.name);
                        w.create_element("property")
                            .with_attribute(("name", name.as_ref()))
                            .write_text_content(BytesText::new(&clean(&p.value)))?;
                        Ok(())
                    })
                })?;
            }
            if let Some(e) = &c.evidence {
                evidence(w, e, v)?;
            }
            if let Some(card) = &c.model_card {
                model_card(w, card)?;
            }
            Ok(())
        })?;
    Ok(())
}

/// `modelCard` (only set for 1.5+), after `evidence` as the XSD's sequence has it; the
/// parameters in the XSD's order.
fn model_card(w: &mut W, card: &ModelCard) -> io::Result<()> {
    let p = &card.model_parameters;
    w.create_element("modelCard").write_inner_content(|w| {
        w.create_element("modelParameters")
            .write_inner_content(|w| {
                if let Some(t) = &p.task {
                    text(w, "task", t)?;
                }
                if let Some(a) = &p.architecture_family {
                    text(w, "architectureFamily", a)?;
                }
                if let Some(a) = &p.model_architecture {
                    text(w, "modelArchitecture", a)?;
                }
                if !p.datasets.is_empty() {
                    w.create_element("datasets").write_inner_content(|w| {
                        p.datasets
                            .iter()
                            .try_for_each(|d| text(w, "ref", &d.reference))
                    })?;
                }
                Ok(())
            })?;
        Ok(())
    })?;
    Ok(())
}

/// `occurrences` (1.5+) come before `licenses` in the XSD's sequence.
fn evidence(w: &mut W, e: &Evidence, v: SpecVersion) -> io::Result<()> {
    w.create_element("evidence").write_inner_content(|w| {
        if !e.occurrences.is_empty() && v >= SpecVersion::V1_5 {
            w.create_element("occurrences").write_inner_content(|w| {
                e.occurrences.iter().try_for_each(|o| {
                    w.create_element("occurrence").write_inner_content(|w| {
                        text(w, "location", o.location)?;
                        if let Some(line) = o.line {
                            text(w, "line", &line.to_string())?;
                        }
                        Ok(())
                    })?;
                    Ok(())
                })
            })?;
        }
        licenses(w, &e.licenses)
    })?;
    Ok(())
}

fn licenses(w: &mut W, licenses: &[LicenseChoice]) -> io::Result<()> {
    if licenses.is_empty() {
        return Ok(());
    }
    w.create_element("licenses").write_inner_content(|w| {
        licenses.iter().try_for_each(|l| match l {
            LicenseChoice::License { license } => {
                let mut el = w.create_element("license");
                if let Some(a) = license.acknowledgement {
                    el = el.with_attribute(("acknowledgement", a));
                }
                el.write_inner_content(|w| match (&license.id, &license.name) {
                    (Some(id), _) => text(w, "id", id),
                    (None, Some(name)) => text(w, "name", name),
                    (None, None) => Ok(()),
                })?;
                Ok(())
            }
            LicenseChoice::Expression {
                expression,
                acknowledgement,
            } => {
                let mut el = w.create_element("expression");
                if let Some(a) = acknowledgement {
                    el = el.with_attribute(("acknowledgement", *a));
                }
                el.write_text_content(BytesText::new(&clean(expression)))?;
                Ok(())
            }
        })
    })?;
    Ok(())
}

fn dependencies(w: &mut W, deps: &[DependencyEntry<'_>]) -> io::Result<()> {
    w.create_element("dependencies").write_inner_content(|w| {
        deps.iter().try_for_each(|d| {
            let r = clean(&d.reference);
            let el = w
                .create_element("dependency")
                .with_attribute(("ref", r.as_ref()));
            if d.depends_on.is_empty() {
                el.write_empty()?;
            } else {
                el.write_inner_content(|w| {
                    d.depends_on.iter().try_for_each(|to| {
                        let to = clean(to);
                        w.create_element("dependency")
                            .with_attribute(("ref", to.as_ref()))
                            .write_empty()?;
                        Ok(())
                    })
                })?;
            }
            Ok(())
        })
    })?;
    Ok(())
}

/// `vulnerabilities`, after `dependencies` as every version's `bom` sequence has it, each
/// field in the order of the XSD's `vulnerabilityType`.
fn vulnerabilities(w: &mut W, vulns: &[CdxVulnerability]) -> io::Result<()> {
    if vulns.is_empty() {
        return Ok(());
    }
    w.create_element("vulnerabilities")
        .write_inner_content(|w| {
            vulns.iter().try_for_each(|v| {
                let bom_ref = clean(&v.bom_ref);
                w.create_element("vulnerability")
                    .with_attribute(("bom-ref", bom_ref.as_ref()))
                    .write_inner_content(|w| vulnerability(w, v))?;
                Ok(())
            })
        })?;
    Ok(())
}

fn vulnerability(w: &mut W, v: &CdxVulnerability) -> io::Result<()> {
    text(w, "id", &v.id)?;
    if let Some(s) = &v.source {
        source(w, "source", s)?;
    }
    if !v.references.is_empty() {
        w.create_element("references").write_inner_content(|w| {
            v.references.iter().try_for_each(|r| {
                w.create_element("reference").write_inner_content(|w| {
                    text(w, "id", &r.id)?;
                    source(w, "source", &r.source)
                })?;
                Ok(())
            })
        })?;
    }
    if !v.ratings.is_empty() {
        w.create_element("ratings").write_inner_content(|w| {
            v.ratings.iter().try_for_each(|r| {
                w.create_element("rating").write_inner_content(|w| {
                    if let Some(s) = &r.source {
                        source(w, "source", s)?;
                    }
                    if let Some(score) = r.score {
                        text(w, "score", &format!("{score:.1}"))?;
                    }
                    text(w, "severity", r.severity)?;
                    if let Some(m) = r.method {
                        text(w, "method", m)?;
                    }
                    if let Some(vector) = &r.vector {
                        text(w, "vector", vector)?;
                    }
                    Ok(())
                })?;
                Ok(())
            })
        })?;
    }
    for (name, value) in [
        ("description", &v.description),
        ("detail", &v.detail),
        ("recommendation", &v.recommendation),
    ] {
        if let Some(value) = value {
            text(w, name, value)?;
        }
    }
    if !v.advisories.is_empty() {
        w.create_element("advisories").write_inner_content(|w| {
            v.advisories.iter().try_for_each(|a| {
                w.create_element("advisory")
                    .write_inner_content(|w| text(w, "url", &a.url))?;
                Ok(())
            })
        })?;
    }
    if let Some(p) = &v.published {
        text(w, "published", p)?;
    }
    if let Some(u) = &v.updated {
        text(w, "updated", u)?;
    }
    if let Some(a) = &v.analysis {
        w.create_element("analysis").write_inner_content(|w| {
            if let Some(state) = a.state {
                text(w, "state", state)?;
            }
            if let Some(j) = a.justification {
                text(w, "justification", j)?;
            }
            text(w, "detail", &a.detail)
        })?;
    }
    w.create_element("affects").write_inner_content(|w| {
        v.affects.iter().try_for_each(|t| {
            w.create_element("target").write_inner_content(|w| {
                text(w, "ref", &t.reference)?;
                w.create_element("versions").write_inner_content(|w| {
                    t.versions.iter().try_for_each(|version| {
                        w.create_element("version").write_inner_content(|w| {
                            text(w, "version", &version.version)?;
                            text(w, "status", version.status)
                        })?;
                        Ok(())
                    })
                })?;
                Ok(())
            })?;
            Ok(())
        })
    })?;
    Ok(())
}

fn source(w: &mut W, name: &str, s: &VulnSource) -> io::Result<()> {
    w.create_element(name).write_inner_content(|w| {
        text(w, "name", &s.name)?;
        if let Some(url) = &s.url {
            text(w, "url", url)?;
        }
        Ok(())
    })?;
    Ok(())
}
