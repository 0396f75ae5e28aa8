//! Maven repositories (Maven Central or a mirror): the version's POM, and the POMs of its
//! parents for what it does not say itself.
//!
//! - facts: `GET {base}/{group as path}/{artifact}/{version}/{artifact}-{version}.pom`:
//!   `licenses/license/name` (its `url` when it has no name, a well-known license page
//!   read as its SPDX id), `organization/name`, else the first
//!   `developers/developer/name` or `…/organization` (supplier), `scm/url` (repository).
//!   A POM has no publication date.
//! - inheritance: what a POM lacks (licenses, organization, developers, scm) comes from its
//!   `<parent>`, then the parent's parent, up to [`MAX_PARENTS`] levels; a cycle stops the
//!   walk. `${…}` in the parent's coordinates are resolved from the child (`project.version`,
//!   `project.groupId`, the child's `<properties>`). Each POM is fetched once per run and
//!   kept in memory ([`MAX_KEPT`] at most), so fifty artifacts of one parent fetch it once.
//!   An inherited license's evidence (`Facts::url`) is the POM that states it.
//! - relocation: an artifact whose POM says it moved (`distributionManagement/relocation`,
//!   `mysql:mysql-connector-java` to `com.mysql:mysql-connector-j`) is described by the POM it
//!   moved to (up to [`MAX_RELOCATIONS`] moves), when that exists.
//! - several `<license>` entries: Maven gives the list no meaning ("any of" is a common
//!   intent, "all of" as common); ORT reads them as separate declared licenses and ANDs them
//!   into one expression, which is also the reading that never hides an obligation: `AND`
//!   (see [`declared::combine`]).
//! - latest: `GET {base}/{group as path}/{artifact}/maven-metadata.xml`: `versioning/release`
//!   (else `versioning/latest`) and `versioning/lastUpdated` (the date the metadata last
//!   changed, which for a released artifact is its latest release).

use super::declared::{self, Several};
use super::fields;
use super::{repo, xml};
use crate::source::DOCUMENT_LIMIT;
use crate::{Answer, Coordinates, Facts, Http, SourceError};
use bomscout_core::Ecosystem;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::{Arc, Mutex};

/// The deepest parent chain followed.
pub const MAX_PARENTS: usize = 5;
/// The most relocations followed.
pub const MAX_RELOCATIONS: usize = 3;
/// POMs kept in memory in one run; past this the memory is emptied and starts again.
pub const MAX_KEPT: usize = 4096;

const WHAT: &str = "Maven repository";

/// The Maven source.
#[derive(Debug)]
pub struct Maven {
    base: String,
    poms: Mutex<HashMap<Gav, Option<Arc<Pom>>>>,
}

/// Group, artifact, version.
type Gav = (String, String, String);

/// What is read from one POM.
#[derive(Debug, Default)]
struct Pom {
    url: String,
    group: Option<String>,
    version: Option<String>,
    parent: Option<Gav>,
    relocation: Option<Gav>,
    licenses: Vec<String>,
    organization: Option<String>,
    developer: Option<String>,
    scm: Option<String>,
    properties: BTreeMap<String, String>,
}

impl Maven {
    /// The source at `base` (`https://…/maven2`).
    pub fn new(base: &str) -> Maven {
        Maven {
            base: base.trim_end_matches('/').to_string(),
            poms: Mutex::new(HashMap::new()),
        }
    }

    fn url(&self, group: &str, artifact: &str, last: &[&str]) -> Result<String, SourceError> {
        let mut segments: Vec<&str> = group.split('.').collect();
        segments.push(artifact);
        segments.extend_from_slice(last);
        if segments
            .iter()
            .any(|s| s.is_empty() || *s == "." || *s == "..")
        {
            return Err(SourceError::Unaskable(format!(
                "Maven coordinates {}:{artifact} are not a repository path",
                bomscout_core::escape::quote(group, bomscout_core::escape::QUOTE_LIMIT)
            )));
        }
        bomscout_net::join_url(&self.base, &segments).map_err(SourceError::Net)
    }

    /// The POM of `gav`, from memory or fetched; `None` when the repository has none.
    fn pom(&self, http: &Http, gav: &Gav) -> Result<Option<Arc<Pom>>, SourceError> {
        if let Some(kept) = self.lock().get(gav) {
            return Ok(kept.clone());
        }
        let (g, a, v) = gav;
        let file = format!("{a}-{v}.pom");
        let url = self.url(g, a, &[v, &file])?;
        let pom = match http.get_bytes(&url, DOCUMENT_LIMIT)? {
            Some(bytes) => Some(Arc::new(read_pom(&url, &bytes)?)),
            None => None,
        };
        let mut kept = self.lock();
        if kept.len() >= MAX_KEPT {
            kept.clear();
        }
        kept.insert(gav.clone(), pom.clone());
        Ok(pom)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<Gav, Option<Arc<Pom>>>> {
        self.poms.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn version(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        let (group, version) = ask(c)?;
        let gav = (group.to_string(), c.name.clone(), version.to_string());
        let file = format!("{}-{version}.pom", c.name);
        let url = self.url(group, &c.name, &[version, &file])?;
        let Some(mut pom) = self.pom(http, &gav)? else {
            return Ok(Answer::NotFound { url });
        };
        let mut seen: HashSet<Gav> = HashSet::from([gav]);
        // A relocated artifact (`distributionManagement/relocation`) is described by the
        // POM it moved to, when that one exists.
        for _ in 0..MAX_RELOCATIONS {
            let Some(to) = pom.relocation.as_ref().map(|r| resolve(&pom, r)) else {
                break;
            };
            if !seen.insert(to.clone()) {
                break;
            }
            match self.pom(http, &to)? {
                Some(moved) => pom = moved,
                None => break,
            }
        }
        // The chain: the POM, then its parents, nearest first.
        let mut chain = vec![Arc::clone(&pom)];
        while chain.len() <= MAX_PARENTS {
            let Some(child) = chain.last() else { break };
            let Some(parent) = child.parent.as_ref().map(|p| resolve(child, p)) else {
                break;
            };
            if !seen.insert(parent.clone()) {
                break;
            }
            match self.pom(http, &parent)? {
                Some(p) => chain.push(p),
                None => break,
            }
        }
        let mut facts = Facts {
            url: pom.url.clone(),
            ..Facts::default()
        };
        if let Some(with) = chain.iter().find(|p| !p.licenses.is_empty()) {
            facts.licenses =
                declared::combine("licenses/license/name", &with.licenses, Several::All);
            facts.url = with.url.clone();
        }
        facts.supplier = chain
            .iter()
            .find_map(|p| p.organization.clone())
            .or_else(|| chain.iter().find_map(|p| p.developer.clone()));
        facts.repository = chain
            .iter()
            .find_map(|p| p.scm.as_deref().and_then(repo::normalize));
        Ok(Answer::found(facts))
    }

    fn package(&self, http: &Http, c: &Coordinates) -> Result<Answer, SourceError> {
        declared::named(c)?;
        let group = c.namespace.as_deref().unwrap_or("");
        let url = self.url(group, &c.name, &["maven-metadata.xml"])?;
        let Some(bytes) = http.get_bytes(&url, DOCUMENT_LIMIT)? else {
            return Ok(Answer::NotFound { url });
        };
        let root = xml::parse(&bytes).map_err(|reason| malformed(&url, reason))?;
        if root.name != "metadata" {
            return Err(malformed(
                &url,
                format!(
                    "the root element is {}, not <metadata>",
                    bomscout_core::escape::quote(&root.name, bomscout_core::escape::QUOTE_LIMIT)
                ),
            ));
        }
        let versioning = root.child("versioning");
        let latest = versioning
            .and_then(|v| v.text_at(&["release"]).or_else(|| v.text_at(&["latest"])))
            .map(str::to_string);
        let updated = versioning
            .and_then(|v| v.text_at(&["lastUpdated"]))
            .and_then(last_updated);
        Ok(Answer::found(Facts {
            url,
            latest_version: latest,
            latest_release: updated,
            ..Facts::default()
        }))
    }
}

/// The group and version asked about, or why they cannot be asked.
fn ask(c: &Coordinates) -> Result<(&str, &str), SourceError> {
    let version = declared::versioned(c)?;
    let group = c
        .namespace
        .as_deref()
        .filter(|g| !g.is_empty())
        .ok_or_else(|| {
            SourceError::Unaskable(format!(
                "{}: a Maven artifact without a group cannot be looked up",
                c.purl()
            ))
        })?;
    Ok((group, version))
}

/// `yyyyMMddHHmmss` → `YYYY-MM-DD`.
fn last_updated(raw: &str) -> Option<String> {
    let digits = raw
        .get(..8)
        .filter(|d| d.bytes().all(|b| b.is_ascii_digit()))?;
    fields::day(&format!(
        "{}-{}-{}",
        &digits[..4],
        &digits[4..6],
        &digits[6..8]
    ))
}

fn malformed(url: &str, reason: String) -> SourceError {
    SourceError::Malformed {
        url: bomscout_net::redact_url(url),
        reason,
        what: WHAT,
    }
}

fn read_pom(url: &str, bytes: &[u8]) -> Result<Pom, SourceError> {
    let root = xml::parse(bytes).map_err(|reason| malformed(url, reason))?;
    if root.name != "project" {
        return Err(malformed(
            url,
            format!(
                "the root element is {}, not <project>",
                bomscout_core::escape::quote(&root.name, bomscout_core::escape::QUOTE_LIMIT)
            ),
        ));
    }
    let text = |path: &[&str]| root.text_at(path).map(str::to_string);
    let parent = root.child("parent").and_then(|p| {
        Some((
            p.text_at(&["groupId"])?.to_string(),
            p.text_at(&["artifactId"])?.to_string(),
            p.text_at(&["version"])?.to_string(),
        ))
    });
    let licenses = root
        .child("licenses")
        .map(|ls| {
            ls.all("license")
                .filter_map(|l| {
                    l.text_at(&["name"])
                        .map(str::to_string)
                        .or_else(|| l.text_at(&["url"]).map(declared::license_url))
                })
                .collect()
        })
        .unwrap_or_default();
    let properties = root
        .child("properties")
        .map(|ps| {
            ps.children
                .iter()
                .map(|p| (p.name.clone(), p.text.clone()))
                .collect()
        })
        .unwrap_or_default();
    let relocation = root
        .at(&["distributionManagement", "relocation"])
        .and_then(|r| {
            let own = |k: &str| text(&[k]).or_else(|| parent.as_ref().map(|p| field(p, k)));
            Some((
                r.text_at(&["groupId"])
                    .map(str::to_string)
                    .or_else(|| own("groupId"))?,
                r.text_at(&["artifactId"])
                    .map(str::to_string)
                    .or_else(|| text(&["artifactId"]))?,
                r.text_at(&["version"])
                    .map(str::to_string)
                    .or_else(|| own("version"))?,
            ))
        });
    let mut pom = Pom {
        url: bomscout_net::redact_url(url),
        group: text(&["groupId"]).or_else(|| parent.as_ref().map(|p| p.0.clone())),
        // A POM without its own version has its parent's (Maven's inheritance rule).
        version: text(&["version"]).or_else(|| parent.as_ref().map(|p| p.2.clone())),
        parent,
        relocation,
        licenses,
        organization: text(&["organization", "name"]),
        // A developer's name, else the organization a developer entry names (Google's
        // POMs list `<developer><id>google</id><organization>Google</organization>`).
        developer: root
            .child("developers")
            .and_then(|d| {
                d.all("developer")
                    .find_map(|d| d.text_at(&["name"]))
                    .or_else(|| {
                        d.all("developer")
                            .find_map(|d| d.text_at(&["organization"]))
                    })
            })
            .map(str::to_string),
        scm: text(&["scm", "url"]),
        properties,
    };
    // Values that still name a property after interpolation are not facts.
    let own = |v: Option<String>, pom: &Pom| {
        v.map(|v| interpolate(&v, pom))
            .filter(|v| !v.contains("${") && !v.trim().is_empty())
    };
    pom.organization = own(pom.organization.take(), &pom).and_then(|o| fields::person_name(&o));
    pom.developer = own(pom.developer.take(), &pom).and_then(|o| fields::person_name(&o));
    pom.scm = own(pom.scm.take(), &pom);
    let licenses = std::mem::take(&mut pom.licenses);
    pom.licenses = licenses
        .into_iter()
        .filter_map(|l| own(Some(l), &pom))
        .collect();
    Ok(pom)
}

/// The group (`groupId`) or version (`version`) of a parent's coordinates.
fn field(parent: &Gav, key: &str) -> String {
    match key {
        "groupId" => parent.0.clone(),
        _ => parent.2.clone(),
    }
}

/// The parent's coordinates with `${…}` resolved from the child.
fn resolve(child: &Pom, parent: &Gav) -> Gav {
    (
        interpolate(&parent.0, child),
        interpolate(&parent.1, child),
        interpolate(&parent.2, child),
    )
}

/// `text` with `${project.version}`, `${project.groupId}` and the POM's own properties
/// replaced (a few rounds, for properties that name properties); anything else is left.
fn interpolate(text: &str, pom: &Pom) -> String {
    let mut out = text.to_string();
    for _ in 0..4 {
        if !out.contains("${") {
            break;
        }
        let mut next = String::with_capacity(out.len());
        let mut rest = out.as_str();
        while let Some(start) = rest.find("${") {
            next.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            let Some(end) = after.find('}') else {
                next.push_str(&rest[start..]);
                rest = "";
                break;
            };
            let name = &after[..end];
            let value = match name {
                "project.version" | "pom.version" | "version" => pom.version.clone(),
                "project.groupId" | "pom.groupId" | "groupId" => pom.group.clone(),
                _ => pom.properties.get(name).cloned(),
            };
            match value.filter(|v| v.len() <= 1024) {
                Some(v) => next.push_str(&v),
                None => next.push_str(&rest[start..start + 3 + end]),
            }
            rest = &after[end + 1..];
        }
        next.push_str(rest);
        if next == out || next.len() > 4096 {
            break;
        }
        out = next;
    }
    out
}

one_at_a_time!(Maven, "maven", Ecosystem::Maven, version, package);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parent_versions_resolve_from_the_child() {
        let pom = read_pom(
            "http://x/a.pom",
            b"<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>${revision}</version></parent>\
              <artifactId>a</artifactId><version>2.1</version><properties><revision>${project.version}</revision></properties>\
              <scm><url>https://github.com/o/${missing}</url></scm></project>",
        )
        .unwrap();
        let parent = resolve(&pom, pom.parent.as_ref().unwrap());
        assert_eq!(parent, ("g".into(), "p".into(), "2.1".into()));
        assert_eq!(pom.group.as_deref(), Some("g"));
        assert_eq!(pom.scm, None, "an unresolved property is not a fact");
    }

    #[test]
    fn a_pom_without_a_version_has_its_parents() {
        let pom = read_pom(
            "http://x/a.pom",
            b"<project><parent><groupId>g</groupId><artifactId>p</artifactId><version>7</version></parent>\
              <artifactId>a</artifactId><scm><url>https://github.com/o/r/tree/v${project.version}</url></scm></project>",
        )
        .unwrap();
        assert_eq!(pom.version.as_deref(), Some("7"));
        assert_eq!(pom.scm.as_deref(), Some("https://github.com/o/r/tree/v7"));
    }

    #[test]
    fn a_license_without_a_name_is_read_from_its_url() {
        let pom = read_pom(
            "http://x/a.pom",
            b"<project><artifactId>a</artifactId><licenses>\
              <license><url>http://www.apache.org/licenses/LICENSE-2.0.txt</url></license>\
              <license><url>https://example.invalid/terms</url></license></licenses></project>",
        )
        .unwrap();
        assert_eq!(
            pom.licenses,
            ["Apache-2.0", "https://example.invalid/terms"]
        );
    }

    #[test]
    fn an_html_page_is_not_a_pom() {
        let err = read_pom("http://x/a.pom", b"<html><body>Sign in</body></html>").unwrap_err();
        let text = err.to_string();
        assert!(
            text.contains("http://x/a.pom") && text.contains("\"html\""),
            "{text}"
        );
    }

    #[test]
    fn metadata_dates() {
        assert_eq!(
            last_updated("20210802154526").as_deref(),
            Some("2021-08-02")
        );
        assert_eq!(last_updated("2021"), None);
        assert_eq!(last_updated("2021x802154526"), None);
    }

    #[test]
    fn path_tricks_are_refused() {
        let m = Maven::new("http://127.0.0.1:9/maven2");
        assert!(matches!(
            m.url("org..x", "a", &[]),
            Err(SourceError::Unaskable(_))
        ));
        assert!(matches!(
            m.url("org.x", "..", &[]),
            Err(SourceError::Unaskable(_))
        ));
        let url = m
            .url(
                "org.slf4j",
                "slf4j-api",
                &["1.7.32", "slf4j-api-1.7.32.pom"],
            )
            .unwrap();
        assert_eq!(
            url,
            "http://127.0.0.1:9/maven2/org/slf4j/slf4j-api/1.7.32/slf4j-api-1.7.32.pom"
        );
    }
}
