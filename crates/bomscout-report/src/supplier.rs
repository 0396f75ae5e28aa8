//! Who supplies a component (an NTIA minimum element), as the SBOM formats want it.
//!
//! The source is the component's `supplier` property (filled by `--enrich` from a
//! registry's publisher, maintainers or authors, or a repository's owner), with
//! `supplier-source` naming the file or URL it came from. SPDX must say whether a supplier
//! is a person or an organization, and the property does not: it is a person when it
//! carries an e-mail address (`Jane Doe <jane@example.org>`), when a `supplier-kind`
//! property says `person`, or when `supplier-source` names an author or maintainer field;
//! otherwise an organization (a registry's publisher, a repository's owner), which is what
//! a package's supplier mostly is.

use bomscout_core::Component;

/// The most characters of a supplier's name written.
const MAX_NAME: usize = 200;

/// A component's supplier, cleaned for every format.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Supplier {
    /// The name: no control characters, no `<email>`, at most [`MAX_NAME`] characters.
    pub name: String,
    /// The e-mail address, when the property carried one.
    pub email: Option<String>,
    /// A person rather than an organization.
    pub person: bool,
}

impl Supplier {
    /// SPDX 2.3's `Organization: NAME` or `Person: NAME (EMAIL)`.
    pub fn spdx(&self) -> String {
        match (self.person, &self.email) {
            (true, Some(e)) => format!("Person: {} ({e})", self.name),
            (true, None) => format!("Person: {}", self.name),
            (false, Some(e)) => format!("Organization: {} ({e})", self.name),
            (false, None) => format!("Organization: {}", self.name),
        }
    }
}

/// The supplier of `c`, when it has a usable `supplier` property.
pub(crate) fn of(c: &Component) -> Option<Supplier> {
    let raw = c.properties.get("supplier")?;
    // Control characters become spaces, runs of spaces one: a name is one line.
    let flat: String = raw
        .chars()
        .map(|ch| if ch.is_control() { ' ' } else { ch })
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    // `Name <email>`, as npm and PyPI write people; any other `<…>` is part of the name.
    let email_at = match (flat.rfind('<'), flat.rfind('>')) {
        (Some(open), Some(close)) if open < close => {
            let email = flat[open + 1..close].trim();
            let is_email = email.contains('@')
                && !email.contains(|c: char| c.is_whitespace() || "()<>\"".contains(c));
            is_email.then(|| (open, close, email.to_string()))
        }
        _ => None,
    };
    let (name, email) = match email_at {
        Some((open, close, email)) => {
            let mut name = flat[..open].trim().to_string();
            if name.is_empty() {
                name = flat[close + 1..].trim().to_string();
            }
            if name.is_empty() {
                name = email.clone();
            }
            (name, Some(email))
        }
        None => (flat, None),
    };
    // `(` and `)` would be read as the start of SPDX's e-mail part.
    let name: String = name
        .replace(['(', ')'], "")
        .trim()
        .chars()
        .take(MAX_NAME)
        .collect();
    if name.is_empty() || name.eq_ignore_ascii_case("NOASSERTION") {
        return None;
    }
    let said_person = c
        .properties
        .get("supplier-kind")
        .is_some_and(|k| k.trim().eq_ignore_ascii_case("person"));
    let said_org = c
        .properties
        .get("supplier-kind")
        .is_some_and(|k| k.trim().eq_ignore_ascii_case("organization"));
    let from_people_field = c.properties.get("supplier-source").is_some_and(|s| {
        let s = s.to_ascii_lowercase();
        s.contains("author") || s.contains("maintainer")
    });
    let person = !said_org && (said_person || email.is_some() || from_people_field);
    Some(Supplier {
        name,
        email,
        person,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use bomscout_core::Ecosystem;

    fn with(props: &[(&str, &str)]) -> Component {
        let mut c = Component::new(Ecosystem::Npm, None, "x", "1.0.0").unwrap();
        for (k, v) in props {
            c.properties.insert(k.to_string(), v.to_string());
        }
        c
    }

    #[test]
    fn organizations_people_and_hostile_names() {
        let org = of(&with(&[
            ("supplier", "Acme Corp"),
            ("supplier-source", "https://registry.example.invalid/x"),
        ]))
        .unwrap();
        assert_eq!(org.spdx(), "Organization: Acme Corp");
        let person = of(&with(&[("supplier", "Jane Doe <jane@example.org>")])).unwrap();
        assert_eq!(person.spdx(), "Person: Jane Doe (jane@example.org)");
        let author = of(&with(&[
            ("supplier", "Jane Doe"),
            (
                "supplier-source",
                "https://registry.example.invalid/x#author",
            ),
        ]))
        .unwrap();
        assert_eq!(author.spdx(), "Person: Jane Doe");
        let said = of(&with(&[("supplier", "J"), ("supplier-kind", "person")])).unwrap();
        assert!(said.person);
        let forged = of(&with(&[(
            "supplier",
            "Evil\nPackageName: forged (x)\u{1b}[2J",
        )]))
        .unwrap();
        assert_eq!(forged.name, "Evil PackageName: forged x [2J");
        assert!(of(&with(&[("supplier", " \n ")])).is_none());
        assert!(of(&with(&[("supplier", "NOASSERTION")])).is_none());
        assert!(of(&with(&[])).is_none());
        let long = "a".repeat(5000);
        assert_eq!(
            of(&with(&[("supplier", &long)])).unwrap().name.len(),
            MAX_NAME
        );
    }
}
