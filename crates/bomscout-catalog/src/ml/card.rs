//! Hugging Face repository cards: the YAML front matter of a model's or dataset's
//! `README.md` (between a first line `---` and the next line `---`).
//!
//! Read: `license` (a Hub license id, or a list of them), `license_name` / `license_link`
//! (for `license: other`), `base_model` and `datasets` (a string or a list), `pipeline_tag`,
//! `library_name`, `tags`, `language`, and for datasets `task_categories` and
//! `pretty_name`. Every other key is ignored; a key of an unexpected shape is ignored
//! too (a card is documentation, and a number where a string was expected should not
//! cost the model its license).
//!
//! Hub license ids ([the Hub's list](https://github.com/huggingface/hub-docs/blob/main/docs/hub/repositories-licenses.md))
//! become SPDX expressions by [`hub_license`]: the ids that are SPDX ids in lowercase map
//! to the SPDX spelling; the model licenses with no SPDX id (OpenRAIL, Llama, Gemma ...)
//! become `LicenseRef-<hub id>`, which `bomscout-license`'s categories know.

use crate::text::yaml_error_at;
use crate::ParseError;
use serde_norway::Value;

/// The facts a card gives.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Card {
    /// `license` ids, as written.
    pub licenses: Vec<String>,
    /// `license_name`, for `license: other`.
    pub license_name: Option<String>,
    /// `license_link`.
    pub license_link: Option<String>,
    /// `base_model` repository ids (`ORG/NAME`).
    pub base_models: Vec<String>,
    /// `datasets` repository ids.
    pub datasets: Vec<String>,
    /// `pipeline_tag` (the task).
    pub pipeline_tag: Option<String>,
    /// `library_name`.
    pub library_name: Option<String>,
    /// `tags`.
    pub tags: Vec<String>,
    /// `language`.
    pub languages: Vec<String>,
    /// `task_categories` (dataset cards).
    pub task_categories: Vec<String>,
    /// `pretty_name`.
    pub pretty_name: Option<String>,
}

/// Longest list taken from one key; the rest is ignored.
const MAX_ITEMS: usize = 256;
/// Longest string taken from one value.
const MAX_LEN: usize = 512;

/// The front matter of `text` and the 1-based line its first key is on; `None` when the
/// text has none.
pub fn front_matter(text: &str) -> Option<(&str, u32)> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let rest = text
        .strip_prefix("---\r\n")
        .or_else(|| text.strip_prefix("---\n"))?;
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some((rest.get(..offset)?, 2));
        }
        offset += line.len();
    }
    None
}

/// Parses a card's front matter. `Ok(None)` when the text has none; an error, with the
/// line in the file, when it is not YAML or not a mapping.
pub fn parse(text: &str) -> Result<Option<Card>, ParseError> {
    let Some((yaml, first_line)) = front_matter(text) else {
        return Ok(None);
    };
    if yaml.trim().is_empty() {
        return Ok(Some(Card::default()));
    }
    let value: Value =
        serde_norway::from_str(yaml).map_err(|e| yaml_error_at(yaml, &e, first_line))?;
    let Value::Mapping(map) = value else {
        return Err(ParseError::Format {
            line: Some(first_line),
            message: "the card's front matter is not a mapping of keys to values".into(),
        });
    };
    let get = |key: &str| map.get(Value::String(key.to_string()));
    Ok(Some(Card {
        licenses: strings(get("license")),
        license_name: string(get("license_name")),
        license_link: string(get("license_link")),
        base_models: strings(get("base_model")),
        datasets: strings(get("datasets")),
        pipeline_tag: string(get("pipeline_tag")),
        library_name: string(get("library_name")),
        tags: strings(get("tags")),
        languages: strings(get("language")),
        task_categories: strings(get("task_categories")),
        pretty_name: string(get("pretty_name")),
    }))
}

fn scalar(v: &Value) -> Option<String> {
    let s = match v {
        Value::String(s) => s.trim().to_string(),
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        _ => return None,
    };
    if s.is_empty() {
        return None;
    }
    Some(s.chars().take(MAX_LEN).collect())
}

fn string(v: Option<&Value>) -> Option<String> {
    v.and_then(scalar)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Sequence(items)) => items.iter().filter_map(scalar).take(MAX_ITEMS).collect(),
        Some(v) => scalar(v).into_iter().collect(),
        None => Vec::new(),
    }
}

/// Hub license ids that are SPDX ids, lowercased, with their SPDX spelling.
const SPDX: &[(&str, &str)] = &[
    ("afl-3.0", "AFL-3.0"),
    ("agpl-3.0", "AGPL-3.0-only"),
    ("apache-2.0", "Apache-2.0"),
    ("artistic-2.0", "Artistic-2.0"),
    ("bsd-2-clause", "BSD-2-Clause"),
    ("bsd-3-clause", "BSD-3-Clause"),
    ("bsd-3-clause-clear", "BSD-3-Clause-Clear"),
    ("bsl-1.0", "BSL-1.0"),
    ("cc-by-2.0", "CC-BY-2.0"),
    ("cc-by-2.5", "CC-BY-2.5"),
    ("cc-by-3.0", "CC-BY-3.0"),
    ("cc-by-4.0", "CC-BY-4.0"),
    ("cc-by-nc-2.0", "CC-BY-NC-2.0"),
    ("cc-by-nc-3.0", "CC-BY-NC-3.0"),
    ("cc-by-nc-4.0", "CC-BY-NC-4.0"),
    ("cc-by-nc-nd-3.0", "CC-BY-NC-ND-3.0"),
    ("cc-by-nc-nd-4.0", "CC-BY-NC-ND-4.0"),
    ("cc-by-nc-sa-2.0", "CC-BY-NC-SA-2.0"),
    ("cc-by-nc-sa-3.0", "CC-BY-NC-SA-3.0"),
    ("cc-by-nc-sa-4.0", "CC-BY-NC-SA-4.0"),
    ("cc-by-nd-4.0", "CC-BY-ND-4.0"),
    ("cc-by-sa-3.0", "CC-BY-SA-3.0"),
    ("cc-by-sa-4.0", "CC-BY-SA-4.0"),
    ("cc0-1.0", "CC0-1.0"),
    ("cdla-permissive-1.0", "CDLA-Permissive-1.0"),
    ("cdla-permissive-2.0", "CDLA-Permissive-2.0"),
    ("cdla-sharing-1.0", "CDLA-Sharing-1.0"),
    ("ecl-2.0", "ECL-2.0"),
    ("epl-1.0", "EPL-1.0"),
    ("epl-2.0", "EPL-2.0"),
    ("etalab-2.0", "etalab-2.0"),
    ("eupl-1.1", "EUPL-1.1"),
    ("eupl-1.2", "EUPL-1.2"),
    ("gpl-2.0", "GPL-2.0-only"),
    ("gpl-3.0", "GPL-3.0-only"),
    ("isc", "ISC"),
    ("lgpl-2.1", "LGPL-2.1-only"),
    ("lgpl-3.0", "LGPL-3.0-only"),
    ("lppl-1.3c", "LPPL-1.3c"),
    ("mit", "MIT"),
    ("mpl-2.0", "MPL-2.0"),
    ("ms-pl", "MS-PL"),
    ("ncsa", "NCSA"),
    ("odbl", "ODbL-1.0"),
    ("odc-by", "ODC-By-1.0"),
    ("ofl-1.1", "OFL-1.1"),
    ("osl-3.0", "OSL-3.0"),
    ("pddl", "PDDL-1.0"),
    ("postgresql", "PostgreSQL"),
    ("unlicense", "Unlicense"),
    ("wtfpl", "WTFPL"),
    ("zlib", "Zlib"),
];

/// Hub license ids with no SPDX id, each kept as `LicenseRef-<id>` (`++` spelled
/// `-plus-plus`, as a `LicenseRef-` allows only letters, digits, `.` and `-`).
const NAMED: &[&str] = &[
    "bigcode-openrail-m",
    "bigscience-bloom-rail-1.0",
    "bigscience-openrail-m",
    "creativeml-openrail-m",
    "deepfloyd-if-license",
    "fair-noncommercial-research-license",
    "gemma",
    "llama2",
    "llama3",
    "llama3.1",
    "llama3.2",
    "llama3.3",
    "llama4",
    "openrail",
    "openrail++",
];

/// The SPDX expression for one Hub license id; `None` for `other`, `unknown` and ids the
/// table does not know (those are kept verbatim and reviewed).
pub fn hub_license(id: &str) -> Option<String> {
    let id = id.trim().to_ascii_lowercase();
    if let Some((_, spdx)) = SPDX.iter().find(|(k, _)| *k == id) {
        return Some((*spdx).to_string());
    }
    NAMED
        .iter()
        .find(|k| **k == id)
        .map(|k| format!("LicenseRef-{}", k.replace("++", "-plus-plus")))
}

/// A `license_name` (for `license: other`) as a `LicenseRef-`: letters, digits, `.` and
/// `-` kept, anything else made `-`; `None` when nothing usable is left.
pub fn license_ref(name: &str) -> Option<String> {
    let cleaned: String = name
        .trim()
        .chars()
        .take(64)
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    let cleaned = cleaned.trim_matches('-');
    (!cleaned.is_empty()).then(|| format!("LicenseRef-{cleaned}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One row per Hub id the issue names, and the model licenses beside them.
    #[test]
    fn hub_license_ids() {
        let cases = [
            ("apache-2.0", Some("Apache-2.0")),
            ("mit", Some("MIT")),
            ("cc-by-4.0", Some("CC-BY-4.0")),
            ("cc-by-nc-4.0", Some("CC-BY-NC-4.0")),
            ("cc-by-nc-sa-4.0", Some("CC-BY-NC-SA-4.0")),
            ("cc-by-nc-nd-4.0", Some("CC-BY-NC-ND-4.0")),
            ("cc-by-sa-4.0", Some("CC-BY-SA-4.0")),
            ("bsd-3-clause", Some("BSD-3-Clause")),
            ("gpl-3.0", Some("GPL-3.0-only")),
            ("odc-by", Some("ODC-By-1.0")),
            ("openrail", Some("LicenseRef-openrail")),
            ("openrail++", Some("LicenseRef-openrail-plus-plus")),
            (
                "creativeml-openrail-m",
                Some("LicenseRef-creativeml-openrail-m"),
            ),
            (
                "bigscience-openrail-m",
                Some("LicenseRef-bigscience-openrail-m"),
            ),
            ("llama2", Some("LicenseRef-llama2")),
            ("llama3", Some("LicenseRef-llama3")),
            ("llama3.1", Some("LicenseRef-llama3.1")),
            ("llama3.2", Some("LicenseRef-llama3.2")),
            ("llama3.3", Some("LicenseRef-llama3.3")),
            ("gemma", Some("LicenseRef-gemma")),
            (
                "deepfloyd-if-license",
                Some("LicenseRef-deepfloyd-if-license"),
            ),
            ("Apache-2.0", Some("Apache-2.0")),
            ("other", None),
            ("unknown", None),
            ("not-a-hub-id", None),
        ];
        for (id, want) in cases {
            assert_eq!(hub_license(id).as_deref(), want, "{id}");
        }
    }

    /// Every mapped id is a valid SPDX expression, and every SPDX row names a real id.
    #[test]
    fn every_mapping_is_valid_spdx() {
        for (_, spdx) in SPDX {
            assert!(spdx::license_id(spdx).is_some(), "{spdx}");
        }
        for id in NAMED {
            let expr = hub_license(id).unwrap();
            assert!(
                spdx::Expression::parse(&expr).is_ok(),
                "{id} -> {expr} is not SPDX"
            );
        }
    }

    #[test]
    fn a_card_with_lists_and_strings() {
        let text = "---\nlicense:\n- mit\n- cc-by-4.0\nbase_model: meta-llama/Llama-3.1-8B\ndatasets: org/data\npipeline_tag: text-generation\ntags: [a, b]\nlanguage: en\n---\n# body\n";
        let card = parse(text).unwrap().unwrap();
        assert_eq!(card.licenses, ["mit", "cc-by-4.0"]);
        assert_eq!(card.base_models, ["meta-llama/Llama-3.1-8B"]);
        assert_eq!(card.datasets, ["org/data"]);
        assert_eq!(card.pipeline_tag.as_deref(), Some("text-generation"));
        assert_eq!(card.tags, ["a", "b"]);
        assert_eq!(card.languages, ["en"]);
    }

    #[test]
    fn no_front_matter_is_no_card() {
        assert_eq!(parse("# Just a readme\n").unwrap(), None);
        assert_eq!(parse("---\nlicense: mit\n(no end)\n").unwrap(), None);
    }

    #[test]
    fn invalid_yaml_names_the_line_in_the_file() {
        let err = parse("---\nlicense: mit\ntags: [a, b\nlanguage: en\n---\n").unwrap_err();
        let line = err.line().unwrap();
        assert!((3..=5).contains(&line), "{line}: {err}");
        assert!(err.to_string().contains("YAML"), "{err}");
    }

    #[test]
    fn license_names_become_refs() {
        assert_eq!(
            license_ref("my license 1.0").as_deref(),
            Some("LicenseRef-my-license-1.0")
        );
        assert_eq!(license_ref("!!"), None);
    }
}
